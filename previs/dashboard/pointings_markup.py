"""HTML of the readout's per-pointing table, for plans with several NIRSpec pointings.

With several MSA pointings (an APT NIRSpec MOS observation) the headline number of
the readout is the coverage of all of them together (the union of their MSA areas);
:func:`pointings_html` adds each pointing's own coverage by both channels, labelled
like the figure ("P1", "P2", ...). The CSS classes ``previs-pointing-covered`` (one per
pointing, plan's channel), ``previs-pointing-covered-other`` and
``previs-pointings-together`` are what the tests read.

Layer: dashboard. Values in, markup out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from previs.dashboard.text import format_percent
from previs.style import CHANNEL_LABELS, UI_COLOURS

if TYPE_CHECKING:
    from previs.catalog.image_summary import ImageSummary
    from previs.planning.plan import Result

__all__ = ["image_pointings_html", "pointings_html", "together_label"]


def together_label(pointings: int) -> str:
    """ " (all N NIRSpec pointings together)" after a figure of several pointings, else ""."""
    return f" (all {pointings} NIRSpec pointings together)" if pointings > 1 else ""


def pointings_html(result: Result) -> str:
    """Each NIRSpec pointing's coverage and all together; empty with one pointing."""
    plan = result.plan
    n = len(plan.nirspec_pointings)
    if n < 2:
        return ""
    per = result.per_pointing
    own = per[plan.channel]
    other = per.get(plan.other_channel)
    cell = "style='padding:0 5px;text-align:right'"
    head = (
        f"<tr style='color:{UI_COLOURS['note']};font-size:0.85em'><td></td>"
        f"<td {cell}>{CHANNEL_LABELS[plan.channel]}</td>"
        + (f"<td {cell}>{CHANNEL_LABELS[plan.other_channel]}</td>" if other else "")
        + f"<td {cell}>APA</td></tr>"
    )
    rows = []
    for k, pointing in enumerate(plan.nirspec_pointings):
        rows.append(
            f"<tr><td style='text-align:left'>P{k + 1}</td>"
            f"<td {cell}><b class='previs-pointing-covered'>{format_percent(own[k].covered)}"
            "</b></td>"
            + (
                f"<td {cell}><span class='previs-pointing-covered-other'>"
                f"{format_percent(other[k].covered)}</span></td>"
                if other
                else ""
            )
            + f"<td {cell}>{pointing.apa:.1f}&deg;</td></tr>"
        )
    together = result.coverage.covered
    rows.append(
        f"<tr style='border-top:1px solid #ccc'><td style='text-align:left'>all {n}</td>"
        f"<td {cell}><b class='previs-pointings-together'>{format_percent(together)}</b></td>"
        + (
            f"<td {cell}>{format_percent(result.other_coverage.covered)}</td>"
            if other and result.other_coverage is not None
            else ""
        )
        + "<td></td></tr>"
    )
    return (
        "<div style='margin-top:6px'>MSA covered per NIRSpec pointing</div>"
        f"<table class='previs-pointings' style='border-collapse:collapse'>{head}"
        + "".join(rows)
        + "</table>"
    )


def image_pointings_html(image: ImageSummary) -> str:
    """Each NIRSpec pointing's coverage by an image's valid data and all together (the
    readout in "this image" mode, with the classes of :func:`pointings_html`); empty with
    one pointing."""
    n = image.pointings
    if n < 2:
        return ""
    cell = "style='padding:0 5px;text-align:right'"
    head = (
        f"<tr style='color:{UI_COLOURS['note']};font-size:0.85em'><td></td>"
        f"<td {cell}>valid data</td></tr>"
    )
    rows = [
        f"<tr><td style='text-align:left'>P{k + 1}</td>"
        f"<td {cell}><b class='previs-pointing-covered'>{format_percent(c.covered)}</b></td></tr>"
        for k, c in enumerate(image.pointing_coverages)
    ]
    rows.append(
        f"<tr style='border-top:1px solid #ccc'><td style='text-align:left'>all {n}</td>"
        f"<td {cell}><b class='previs-pointings-together'>"
        f"{format_percent(image.coverage.covered)}</b></td></tr>"
    )
    return (
        "<div style='margin-top:6px'>MSA covered per NIRSpec pointing</div>"
        f"<table class='previs-pointings' style='border-collapse:collapse'>{head}"
        + "".join(rows)
        + "</table>"
    )
