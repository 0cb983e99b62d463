"""HTML of the dashboard's readout column.

Functions from values to markup, with no widget state: the coverage readout of
a :class:`~previs.catalog.summary.Summary` (both channels, quadrants, depth, exposures,
V3PAs), the worst case over an allowed NIRSpec APA range, the catalog counts
table. The CSS classes they put on
numbers (``previs-covered``, ``previs-worst-case``, ``previs-primary-at-risk``
...) are what the browser tests read.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from previs.dashboard.pointings_markup import pointings_html, together_label
from previs.dashboard.text import format_percent
from previs.style import CHANNEL_LABELS, UI_COLOURS

if TYPE_CHECKING:
    from previs.catalog.sources import SourceCounts
    from previs.catalog.summary import Summary
    from previs.planning.sweep import WorstCase

NOTE_COLOUR = UI_COLOURS["note"]  # 7:1 on white (WCAG AA needs 4.5:1)
WARNING_COLOUR = UI_COLOURS["warning"]

__all__ = ["counts_html", "readout_html", "worst_case_html"]

_ERROR_COLOR = UI_COLOURS["error"]


def readout_html(summary: Summary, catalog_name: str = "", details: str = "") -> str:
    """The readout column of a :class:`~previs.catalog.summary.Summary`: MSA covered by the
    plan's channel (and the other channel, when the summary has it), per quadrant, depth,
    exposures, V3PAs, then the worst case (:func:`worst_case_html`), the catalog counts
    (:func:`counts_html`) and ``details`` (markup: the shutter part,
    :func:`previs.dashboard.msa_markup.msa_details_html`)."""
    result = summary.result
    coverage, plan = result.coverage, result.plan
    other = result.other_coverage
    quadrant_cells = "".join(
        f"<td style='padding:0 6px'>Q{k}<br><b>{format_percent(v)}</b></td>"
        for k, v in sorted(coverage.quadrants.items())
    )
    tiles = plan.exposures.n_tiles
    per_tile = coverage.exposures // max(tiles, 1)
    return (
        "<div style='font-family:sans-serif;line-height:1.35'>"
        f"<div>MSA area covered by NIRCam {CHANNEL_LABELS[plan.channel]}"
        f"{together_label(len(result.plan.nirspec_pointings))}</div>"
        f"<div class='previs-covered' style='font-size:2.6em;font-weight:700;"
        f"color:#0a6ebd'>{format_percent(coverage.covered)}</div>"
        + (
            f"<div style='color:{NOTE_COLOUR}'>{CHANNEL_LABELS[plan.other_channel]}: "
            f"<span class='previs-covered-other'>{format_percent(other.covered)}</span></div>"
            if other is not None
            else ""
        )
        + _usable_line(result.usable)
        + pointings_html(result)
        + f"<table style='margin:6px 0;text-align:center'><tr>{quadrant_cells}</tr></table>"
        f"<div>depth &ge; 2 exposures: <b class='previs-depth2'>"
        f"{format_percent(coverage.depth[2])}</b></div>"
        f"<div>depth &ge; 3 exposures: <b class='previs-depth3'>"
        f"{format_percent(coverage.depth[3])}</b></div>"
        f"<div>exposures: <b>{coverage.exposures}</b> ({per_tile} dither &times; {tiles} "
        "tile" + ("s" if tiles != 1 else "") + ")</div>"
        f"<div>NIRSpec APA {plan.nirspec.apa:.1f}&deg;, V3PA <b>{plan.nirspec_v3pa:.1f}&deg;</b>"
        "</div>"
        f"<div>NIRCam APA {plan.nircam.apa:.1f}&deg;, V3PA <b>{plan.nircam_v3pa:.1f}&deg;</b></div>"
        + worst_case_html(result.worst_case, plan.nirspec.apa, len(plan.nirspec_pointings))
        + counts_html(summary.plan_counts, catalog_name)
        + details
        + f"<div style='color:{NOTE_COLOUR};font-size:0.85em;margin-top:6px'>SIAF "
        f"{html.escape(result.siaf_version)}</div>"
        "</div>"
    )


def _usable_line(usable) -> str:
    """The usable-MSA coverage beside the area coverage, labelled, naming the map."""
    if usable is None:
        return ""
    return (
        "<div title='open area of the operable shutters inside the pre-imaging; "
        f"operability map {html.escape(usable.operability, quote=True)}'>usable MSA (operable "
        f"shutters): <b class='previs-usable'>{format_percent(usable.covered)}</b></div>"
    )


def worst_case_html(worst: WorstCase | None, nirspec_apa: float, pointings: int = 1) -> str:
    """The worst case over the allowed NIRSpec APA range, and whether ``nirspec_apa``
    (degrees, the angle shown) lies inside it; empty without a range. With several
    NIRSpec ``pointings`` it is of all of them together, turned as one pattern (as
    :func:`~previs.planning.plan.evaluate` gives it), and says so."""
    if worst is None:
        return ""
    arc = worst.arc
    inside = arc.contains(nirspec_apa)
    over = (
        "every NIRSpec APA"
        if arc.is_full_circle
        else f"NIRSpec APA {arc.low:.1f}&deg;&ndash;{arc.high:.1f}&deg;"
    )
    where = (
        "the NIRSpec APA shown is inside this range"
        if inside
        else f"<span style='color:{_ERROR_COLOR}'>the NIRSpec APA shown is outside this range"
        "</span>"
    )
    return (
        "<div style='margin-top:8px;padding:4px 6px;border-left:3px solid #0a6ebd'>"
        f"Worst case over {over}{together_label(pointings)}:"
        f"<div class='previs-worst-case' style='font-size:1.6em;font-weight:700;"
        f"color:#0a6ebd'>{format_percent(worst.min)}</div>"
        f"<div style='font-size:0.9em'>at APA <b class='previs-worst-apa'>"
        f"{worst.apa_at_min:.1f}&deg;</b>; {where}</div></div>"
    )


def counts_html(counts: SourceCounts | None, catalog_name: str, imaged: str = "imaged") -> str:
    """The catalog table: primaries and fillers in the MSA, imaged, at risk; empty without.

    ``imaged`` heads the imaged column: ``"in data"`` when the coverage comes from an
    image's valid data (the column then counts sources inside it)."""
    if counts is None:
        return ""
    numbers_by_kind = counts.to_dict()
    cell = "style='padding:0 5px;text-align:right'"
    rows = []
    for kind in ("primary", "filler"):
        numbers = numbers_by_kind[kind]
        if kind == "filler" and numbers["total"] == 0 and not numbers_by_kind["has_flags"]:
            continue  # no flags: every source is a primary target
        colour = _ERROR_COLOR if numbers["at_risk"] else "inherit"
        rows.append(
            f"<tr><td style='text-align:left'>{kind} ({numbers['total']})</td>"
            f"<td {cell}><b class='previs-{kind}-in-msa'>{numbers['in_msa']}</b></td>"
            f"<td {cell}><b class='previs-{kind}-imaged'>{numbers['in_msa_imaged']}</b></td>"
            f"<td {cell}><b class='previs-{kind}-at-risk' style='color:{colour}'>"
            f"{numbers['at_risk']}</b></td></tr>"
        )
    in_data = imaged != "imaged"
    what = "the valid data of the image" if in_data else "at least one NIRCam exposure"
    missed = "outside the valid data of the image" if in_data else "in no NIRCam exposure"
    head = (
        f"<tr style='color:{NOTE_COLOUR};font-size:0.85em'><td></td>"
        f"<td {cell} title='inside an MSA quadrant'>in MSA</td>"
        f"<td {cell} title='inside the MSA and {what}'>{html.escape(imaged)}</td>"
        f"<td {cell} title='inside the MSA but {missed}'>at risk</td></tr>"
    )
    return (
        "<div style='margin-top:8px'>Catalog sources "
        f"<span style='color:{NOTE_COLOUR};font-size:0.85em'>({html.escape(catalog_name)})"
        "</span></div>"
        f"<table class='previs-counts' style='border-collapse:collapse'>{head}"
        + "".join(rows)
        + "</table>"
    )
