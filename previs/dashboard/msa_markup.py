"""HTML of the readout's MSA parts: the operability map, targets in usable shutters, MSATA,
and the whole readout when the coverage comes from an image.

Functions from values to markup, like :mod:`previs.dashboard.markup` (whose
readout takes :func:`msa_details_html` as its details). CSS classes on the
numbers are what the tests read: ``previs-operability``, ``previs-{kind}-usable-imaged``,
``previs-msata-feasible``, ``previs-image-covered``, ``previs-image-usable`` ...

Layer: dashboard.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from previs.dashboard.markup import counts_html, worst_case_html
from previs.dashboard.pointings_markup import image_pointings_html, together_label
from previs.dashboard.text import format_percent
from previs.geometry.operability import default_operability
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.catalog.image_summary import ImageSummary
    from previs.catalog.msata import MSATAReport, MSATAWorstCase
    from previs.catalog.sources import SourceCounts
    from previs.catalog.summary import Summary
    from previs.geometry.operability import OperabilityMap

__all__ = [
    "image_readout_html",
    "msa_details_html",
    "msata_html",
    "operability_html",
    "operability_label",
    "usable_targets_html",
]

_NOTE = UI_COLOURS["note"]
_ERROR = UI_COLOURS["error"]
_OK = UI_COLOURS["ok"]
_ACCENT = UI_COLOURS["accent"]


def _source_and_counts(operability: OperabilityMap) -> tuple[str, str]:
    """Where a map comes from and its failed-shutter counts, as words."""
    where = "bundled snapshot" if operability is default_operability() else "your file"
    counts = operability.counts
    failed = f"{counts['failed_closed']:,} failed closed, {counts['failed_open']:,} failed open"
    return where, failed


def operability_label(operability: OperabilityMap) -> str:
    """One line naming a map and where it comes from, with its failed-shutter counts."""
    where, failed = _source_and_counts(operability)
    return f"{operability.name} ({where}): {failed}"


def operability_html(operability: OperabilityMap | None) -> str:
    """Which operability map the shutter numbers use (bundled snapshot or the user's file)."""
    if operability is None:
        return ""
    where, failed = _source_and_counts(operability)
    return (
        f"<div style='color:{_NOTE};font-size:0.85em'>operability map: "
        f"<span class='previs-operability'>{html.escape(operability.name)}</span> ({where}; "
        f"{failed})</div>"
    )


def usable_targets_html(counts: SourceCounts | None, where: str = "pre-imaged") -> str:
    """The headline: primaries and fillers in a usable (operable) shutter and ``where``."""
    if counts is None or counts.shutters is None:
        return ""
    cells = []
    for kind in ("primary", "filler"):
        if kind == "filler" and not counts.catalog.has_flags:
            continue
        numbers = counts.shutter_summary(kind)
        in_msa = counts.summary(kind)["in_msa"]
        cells.append(
            f"<div>{kind} targets in a usable shutter and {html.escape(where)}: "
            f"<b class='previs-{kind}-usable-imaged'>{numbers['in_usable_shutter_imaged']}</b>"
            f"<span style='color:{_NOTE}'> of {in_msa} in the MSA ({numbers['on_bar']} on a bar)"
            "</span></div>"
        )
    return "<div style='margin-top:4px'>" + "".join(cells) + "</div>"


def msata_html(msata: MSATAReport | None, worst: MSATAWorstCase | None = None) -> str:
    """MSATA reference stars per magnitude bin: usable (operable shutter, pre-imaged) and
    whether the bin is feasible; the worst case over the allowed APAs when given."""
    if msata is None:
        return ""
    rows = []
    for count in msata.bins:
        mark = f"<span style='color:{_OK}'>yes</span>" if count.feasible else "no"
        rows.append(
            f"<tr><td style='text-align:left'>{html.escape(count.bin.label)}</td>"
            f"<td style='padding:0 5px;text-align:right'>{count.usable}</td>"
            f"<td style='padding:0 5px'>{mark}</td></tr>"
        )
    verdict = "feasible" if msata.feasible else "not feasible"
    colour = _OK if msata.feasible else _ERROR
    worst_line = ""
    if worst is not None:
        state = "feasible" if worst.feasible else "not feasible"
        worst_line = (
            f"<div style='font-size:0.9em'>over the allowed APAs: <b "
            f"class='previs-msata-worst'>{state}</b> (fewest usable {worst.min} at APA "
            f"{worst.apa_at_min:.1f}&deg;)</div>"
        )
    return (
        "<div style='margin-top:8px'>MSATA reference stars: "
        f"<b class='previs-msata-feasible' style='color:{colour}'>{verdict}</b> "
        f"<span style='color:{_NOTE};font-size:0.85em'>(&ge; {msata.minimum} usable in one bin; "
        f"{msata.reference_stars} flagged)</span></div>"
        f"<table class='previs-msata' style='border-collapse:collapse;font-size:0.9em'>"
        f"<tr style='color:{_NOTE}'><td>bin</td><td title='in an operable shutter and "
        "pre-imaged'>usable</td><td>feasible</td></tr>" + "".join(rows) + "</table>" + worst_line
    )


def msa_details_html(summary: Summary) -> str:
    """The readout's shutter part of a plan: targets in usable shutters, MSATA, the map."""
    return (
        usable_targets_html(summary.plan_counts)
        + msata_html(summary.msata, summary.msata_worst_case)
        + operability_html(summary.operability)
    )


def image_readout_html(image: ImageSummary, summary: Summary, catalog_name: str = "") -> str:
    """The readout column when the coverage comes from an image's valid data: area and
    usable coverage, per quadrant, the tracing error, a note when the image misses the
    MSA, the worst case, targets inside the MSA and the data, and the map in use."""
    coverage, usable = image.coverage, image.usable
    name = getattr(image.region, "source", "") or "the image"
    quadrant_cells = "".join(
        f"<td style='padding:0 6px'>Q{k}<br><b class='previs-image-q{k}'>{format_percent(v)}"
        "</b></td>"
        for k, v in sorted(coverage.quadrants.items())
    )
    note = (
        f"<div class='previs-image-note' style='color:{UI_COLOURS['warning']}'>"
        f"{html.escape(coverage.note)}</div>"
        if coverage.note
        else ""
    )
    counts = image.counts
    if counts is not None and summary.together_shutters is not None:
        counts = counts.with_shutters(summary.together_shutters)
    plan = summary.plan
    together = together_label(image.pointings)
    return (
        "<div style='font-family:sans-serif;line-height:1.35'>"
        f"<div>MSA area covered by the valid data of <b>{html.escape(str(name))}</b>"
        f"{together}</div>"
        f"<div class='previs-image-covered' style='font-size:2.6em;font-weight:700;"
        f"color:{_ACCENT}'>{format_percent(coverage.covered)}</div>"
        f"<div style='color:{_NOTE};font-size:0.85em'>&plusmn; "
        f"<span class='previs-image-error'>{format_percent(coverage.covered_error)}</span> "
        "from tracing the valid data</div>"
        + note
        + "<div title='open area of the operable shutters inside the valid data'>usable MSA "
        f"(operable shutters): <b class='previs-image-usable'>{format_percent(usable.covered)}"
        "</b></div>"
        f"<table style='margin:6px 0;text-align:center'><tr>{quadrant_cells}</tr></table>"
        + image_pointings_html(image)
        + f"<div>NIRSpec APA {plan.nirspec.apa:.1f}&deg;, V3PA <b>{plan.nirspec_v3pa:.1f}&deg;</b>"
        "</div>"
        + worst_case_html(image.worst_case, plan.nirspec.apa, image.pointings)
        + counts_html(counts, catalog_name, imaged="in data")
        + usable_targets_html(counts, "in the valid data")
        + operability_html(summary.operability)
        + f"<div style='color:{_NOTE};font-size:0.85em;margin-top:6px'>planned NIRCam "
        f"coverage (not shown): {format_percent(summary.result.coverage.covered)}</div>"
        "</div>"
    )
