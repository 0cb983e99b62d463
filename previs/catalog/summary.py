"""Everything one plan shows, built once: the view model of the readout, reports and exports.

:func:`summarize` evaluates a plan (both NIRCam channels, the worst case over
the plan's allowed NIRSpec APA range, the usable-MSA coverage) and, with a
catalog, counts the sources for each channel, finds each source's MSA shutter
at the plan's NIRSpec pointing and, when the catalog has MSATA magnitudes or
reference stars, counts the reference stars MSATA could use (and their worst
case over the allowed APAs). The dashboard's readout, the coverage report and
the exports all read the same :class:`Summary`, so they cannot disagree.

The operability map (which shutters work) is a choice of the session, not of
the plan: ``summarize(..., operability=...)``.

Layer: catalog (it needs source counts, so it sits above planning).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from previs.catalog.msata import MSATAReport, MSATAWorstCase, msata_for_catalog, msata_worst_case
from previs.catalog.sources import SourceCounts, count_sources_by_pointing
from previs.catalog.table import Catalog
from previs.geometry.attitude import Pointing
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.shutters import ShutterPlacement, place_sources
from previs.geometry.usable import UsableCoverage
from previs.planning.plan import Plan, Result, evaluate
from previs.planning.sweep import WorstCaseTracker

__all__ = ["Summary", "combine_placements", "place_catalog", "summarize"]


@dataclass(frozen=True, eq=False)
class Summary:
    """A plan's :class:`~previs.planning.plan.Result` with its catalog counts.

    Attributes
    ----------
    result : Result
        Footprints and coverage of both channels (the other one when asked
        for), the usable-MSA coverage, and the worst case when the plan has an
        allowed NIRSpec APA range.
    catalog : Catalog or None
        The sources counted.
    counts : dict
        :class:`~previs.catalog.sources.SourceCounts` by channel name, for every
        channel the result holds (empty without a catalog); with several NIRSpec
        pointings, for all of them together. Each carries the sources' shutters
        (:meth:`~previs.catalog.sources.SourceCounts.shutter_summary` gives the
        headline ``in_usable_shutter_imaged``); together, a source's shutter is
        the one of the first pointing that puts it in a usable shutter.
    pointing_counts : dict
        By channel name, the counts of each NIRSpec pointing alone, in the plan's
        order (one pointing: ``(counts[channel],)``), each with its own shutters.
    shutters : ShutterPlacement or None
        Each catalog source's MSA shutter at the plan's (first) NIRSpec pointing.
    msata : MSATAReport or None
        MSATA reference stars per magnitude bin (in operable shutters at the
        first NIRSpec pointing and pre-imaged by the plan's channel), when the
        catalog has magnitude columns or reference stars.
    msata_worst_case : MSATAWorstCase or None
        The same over the plan's allowed NIRSpec APA range (at the APAs of the
        area worst case), when the plan has one.
    operability : OperabilityMap or None
        The operability map used.
    pointing_shutters : tuple of ShutterPlacement
        Each source's shutter at every NIRSpec pointing, in the plan's order.
    together_shutters : ShutterPlacement or None
        Each source's shutter over every NIRSpec pointing (:func:`combine_placements`:
        the first pointing putting it in a usable shutter); :attr:`shutters` with one.
    """

    result: Result
    catalog: Catalog | None = None
    counts: dict[str, SourceCounts] = field(default_factory=dict)
    pointing_counts: dict[str, tuple[SourceCounts, ...]] = field(default_factory=dict)
    shutters: ShutterPlacement | None = None
    msata: MSATAReport | None = None
    msata_worst_case: MSATAWorstCase | None = None
    operability: OperabilityMap | None = None
    pointing_shutters: tuple[ShutterPlacement, ...] = ()
    together_shutters: ShutterPlacement | None = None

    @property
    def plan(self) -> Plan:
        """The plan summarised."""
        return self.result.plan

    @property
    def plan_counts(self) -> SourceCounts | None:
        """Source counts for the plan's own channel (None without a catalog)."""
        return self.counts.get(self.plan.channel)

    @property
    def usable(self) -> UsableCoverage | None:
        """Usable-MSA coverage by the plan's channel (:attr:`Result.usable`)."""
        return self.result.usable


@lru_cache(maxsize=8)
def place_catalog(
    catalog: Catalog, nirspec: Pointing, operability: OperabilityMap
) -> ShutterPlacement:
    """Each catalog source's MSA shutter at ``nirspec``, cached (a NIRCam change keeps it)."""
    return place_sources(nirspec, catalog.ra, catalog.dec, operability)


@lru_cache(maxsize=4)
def _placements(
    catalog: Catalog, pointings: tuple[Pointing, ...], operability: OperabilityMap
) -> tuple[tuple[ShutterPlacement, ...], ShutterPlacement]:
    """Each source's shutter at every pointing and over all of them, cached as a whole:
    a NIRCam change keeps it however many pointings the plan has."""
    each = tuple(place_catalog(catalog, pointing, operability) for pointing in pointings)
    return each, combine_placements(each)


def combine_placements(each: tuple[ShutterPlacement, ...]) -> ShutterPlacement:
    """One placement for several NIRSpec pointings: per source, that of the first pointing
    putting it in a usable shutter, else the first putting it on the MSA, else the first."""
    if len(each) == 1:
        return each[0]
    usable = np.array([p.usable for p in each])
    on_msa = np.array([p.on_msa for p in each])
    pick = np.where(usable.any(axis=0), usable.argmax(axis=0), on_msa.argmax(axis=0))
    columns = np.arange(len(pick))

    def take(name: str) -> np.ndarray:
        return np.array([getattr(p, name) for p in each])[pick, columns]

    names = ("quadrant", "i", "j", "offset_i", "offset_j", "operable", "failed_open_distance")
    return ShutterPlacement(
        **{name: take(name) for name in names},
        open_fraction=each[0].open_fraction,
        operability=each[0].operability,
    )


@lru_cache(maxsize=8)
def _msata_worst(
    catalog: Catalog,
    ra: float,
    dec: float,
    apas: tuple[float, ...],
    pre_imaged: bytes,
    operability: OperabilityMap,
) -> MSATAWorstCase:
    """The MSATA worst case, cached on what it depends on (the NIRSpec APA shown does not)."""
    imaged = np.frombuffer(pre_imaged, dtype=bool)
    return msata_worst_case(catalog, Pointing(ra, dec, apas[0]), apas, imaged, operability)


def summarize(
    plan: Plan,
    catalog: Catalog | None = None,
    max_depth: int = 3,
    other_channel_depth: int = 1,
    count_other_channel: bool = False,
    worst_cases: WorstCaseTracker | None = None,
    operability: OperabilityMap | str | os.PathLike | None = None,
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
    operability : OperabilityMap, path or None
        Which shutters work: a map, a CRDS ``jwst_nirspec_msaoper_*.json`` path,
        or None for the bundled snapshot.
    """
    operability = resolve_operability(operability)
    result = evaluate(plan, max_depth, other_channel_depth, worst_cases, operability)
    counts: dict[str, SourceCounts] = {}
    per_pointing: dict[str, tuple[SourceCounts, ...]] = {}
    shutters = together_shutters = msata = msata_worst = None
    pointing_shutters: tuple[ShutterPlacement, ...] = ()
    if catalog is not None:
        pointing_shutters, together_shutters = _placements(
            catalog, plan.nirspec_pointings, operability
        )
        shutters = pointing_shutters[0]
        footprints = {plan.channel: result.nircam}
        if count_other_channel and result.other_nircam is not None:
            footprints[plan.other_channel] = result.other_nircam
        for channel, footprint in footprints.items():
            together, each = count_sources_by_pointing(catalog, result, footprint)
            counts[channel] = together.with_shutters(together_shutters)
            if len(each) == 1:
                per_pointing[channel] = (counts[channel],)
            else:
                per_pointing[channel] = tuple(
                    c.with_shutters(s) for c, s in zip(each, pointing_shutters, strict=True)
                )
        if catalog.has_msata_columns:
            imaged = counts[plan.channel].imaged
            msata = msata_for_catalog(catalog, shutters.usable, imaged)
            worst = result.worst_case
            if worst is not None:
                apas = tuple(float(a) for a in worst.apas)
                msata_worst = _msata_worst(
                    catalog, plan.nirspec.ra, plan.nirspec.dec, apas, imaged.tobytes(), operability
                )
    return Summary(
        result,
        catalog,
        counts,
        per_pointing,
        shutters,
        msata,
        msata_worst,
        operability,
        pointing_shutters,
        together_shutters,
    )
