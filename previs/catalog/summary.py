"""Everything one plan shows, built once: the view model of the readout, reports and exports.

:func:`summarize` evaluates a plan (both NIRCam channels, the worst case over
the plan's allowed NIRSpec APA range) and, with a catalog, counts the sources
for each channel. The dashboard's readout, the coverage report and the exports
all read the same :class:`Summary`, so they cannot disagree.

Layer: catalog (it needs source counts, so it sits above planning).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from previs.catalog.sources import SourceCounts, count_sources_by_pointing
from previs.catalog.table import Catalog
from previs.planning.plan import Plan, Result, evaluate
from previs.planning.sweep import WorstCaseTracker

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True, eq=False)
class Summary:
    """A plan's :class:`~previs.planning.plan.Result` with its catalog counts.

    Attributes
    ----------
    result : Result
        Footprints and coverage of both channels (the other one when asked
        for), and the worst case when the plan has an allowed NIRSpec APA range.
    catalog : Catalog or None
        The sources counted.
    counts : dict
        :class:`~previs.catalog.sources.SourceCounts` by channel name, for every
        channel the result holds (empty without a catalog); with several NIRSpec
        pointings, for all of them together.
    pointing_counts : dict
        By channel name, the counts of each NIRSpec pointing alone, in the plan's
        order (one pointing: ``(counts[channel],)``).
    """

    result: Result
    catalog: Catalog | None = None
    counts: dict[str, SourceCounts] = field(default_factory=dict)
    pointing_counts: dict[str, tuple[SourceCounts, ...]] = field(default_factory=dict)

    @property
    def plan(self) -> Plan:
        """The plan summarised."""
        return self.result.plan

    @property
    def plan_counts(self) -> SourceCounts | None:
        """Source counts for the plan's own channel (None without a catalog)."""
        return self.counts.get(self.plan.channel)


def summarize(
    plan: Plan,
    catalog: Catalog | None = None,
    max_depth: int = 3,
    other_channel_depth: int = 1,
    count_other_channel: bool = False,
    worst_cases: WorstCaseTracker | None = None,
) -> Summary:
    """Evaluate ``plan`` and count ``catalog`` (if any) against it.

    Parameters
    ----------
    plan : Plan
        What to summarise.
    catalog : Catalog, optional
        Sources to count.
    max_depth : int
        Deepest coverage level of the plan's channel (1-3).
    other_channel_depth : int
        Depth to which the other channel's coverage is computed (0: not at all).
    count_other_channel : bool
        Count the sources against the other channel too (needs
        ``other_channel_depth`` > 0).
    worst_cases : WorstCaseTracker, optional
        Passed to :func:`~previs.planning.plan.evaluate`.
    """
    result = evaluate(plan, max_depth, other_channel_depth, worst_cases)
    counts: dict[str, SourceCounts] = {}
    per_pointing: dict[str, tuple[SourceCounts, ...]] = {}
    if catalog is not None:
        footprints = {plan.channel: result.nircam}
        if count_other_channel and result.other_nircam is not None:
            footprints[plan.other_channel] = result.other_nircam
        for channel, footprint in footprints.items():
            together, each = count_sources_by_pointing(catalog, result, footprint)
            counts[channel], per_pointing[channel] = together, each
    return Summary(result, catalog, counts, per_pointing)
