"""HTML of the Schedule panel: target, proposals, separation check, orientations, search results.

Functions from core results (:class:`previs.planning.schedule.SchedulePlan`,
:class:`previs.planning.sweep.WorstCase`, :class:`previs.planning.search.SearchResult`)
to markup, with no widget library and no state. The CSS classes they put on
numbers (``previs-schedule-status``, ``previs-nircam-apa-nominal``,
``previs-worst-case``, ``previs-best-config`` ...) are what the tests read.
"""

from __future__ import annotations

import html
import re

from previs.dashboard.text import format_signed
from previs.planning.plan import Plan
from previs.planning.schedule import (
    MIN_SEPARATION_DAYS,
    RECOMMENDED_SEPARATION_DAYS,
    SchedulePlan,
    ScheduleProposal,
)
from previs.planning.search import SearchResult
from previs.planning.sweep import WorstCase
from previs.style import CHANNEL_LABELS, UI_COLOURS

NOTE_COLOUR = UI_COLOURS["note"]  # 7:1 on white (WCAG AA needs 4.5:1)
WARNING_COLOUR = UI_COLOURS["warning"]

__all__ = [
    "ERROR_COLOR",
    "best_configuration_html",
    "check_html",
    "coverage_html",
    "message_html",
    "muted_html",
    "orientation_html",
    "plain_text",
    "proposal_label",
    "proposal_note_html",
    "signed_angle",
    "target_html",
    "tradeoff_html",
]

ERROR_COLOR = UI_COLOURS["error"]
_STATUS_STYLE = {
    "ok": ("#1e8449", "&#10004;", "OK"),
    "warning": (WARNING_COLOUR, "&#9888;", "Allowed, but short"),
    "error": (ERROR_COLOR, "&#10006;", "Not allowed"),
}


def _deg(value: float) -> str:
    return f"{float(value) % 360.0:.1f}&deg;"


def _arc_width(apa_range: tuple[float, float]) -> float:
    low, high = apa_range
    if high - low >= 360.0:
        return 360.0
    return (high - low) % 360.0


def signed_angle(angle: float) -> float:
    """An angle difference in (-180, 180]."""
    return -((-angle + 180.0) % 360.0 - 180.0)


def _signed_text(angle: float) -> str:
    """``+1.2`` / ``-0.4`` / ``0.0`` (no ``-0.0``) for an angle difference, degrees."""
    value = round(signed_angle(angle), 1)
    return f"{value:+.1f}" if value else "0.0"


def plain_text(markup: str) -> str:
    """Text of an HTML fragment (for tests and logs)."""
    text = re.sub(r"<br\s*/?>|</(?:div|li|tr|p)>", "\n", markup)
    text = re.sub(r"</t[dh]>", " ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(re.sub(r"[ \t]+", " ", text)).strip()


def muted_html(text: str, size: str = "") -> str:
    """Plain ``text`` (escaped here) in grey, optionally at a smaller font ``size``."""
    font = f";font-size:{size}" if size else ""
    return f"<span style='color:{NOTE_COLOUR}{font}'>{html.escape(text)}</span>"


def message_html(error: str, note: str, keeps_schedule: bool) -> str:
    """The message line: an error (saying the last valid schedule stays) and a note."""
    parts = []
    if error:
        kept = " (showing the last valid schedule)" if keeps_schedule else ""
        parts.append(f"<div style='color:{ERROR_COLOR}'>&#9888; {html.escape(error)}{kept}</div>")
    if note:
        parts.append(f"<div style='color:{NOTE_COLOUR}'>{html.escape(note)}</div>")
    return "".join(parts)


def target_html(plan: Plan) -> str:
    """The target line: the NIRSpec pointing of the main tab."""
    return (
        "<div style='font-family:sans-serif;padding:4px 12px 4px 0'>Target (NIRSpec "
        f"pointing of the main tab): RA <b>{plan.nirspec.ra:.5f}&deg;</b>, Dec "
        f"<b>{plan.nirspec.dec:+.5f}&deg;</b></div>"
    )


def proposal_label(k: int, proposal: ScheduleProposal) -> str:
    """The dropdown text of proposal number ``k`` (from 0)."""
    return (
        f"{k + 1}. image {proposal.imaging_date}, NIRSpec {proposal.nirspec_start}"
        f" to {proposal.nirspec_end} ({proposal.check.separation_days} d later)"
    )


def proposal_note_html(k: int, proposal: ScheduleProposal) -> str:
    """How long the pre-imaging of proposal number ``k`` (from 0) may slip."""
    parts = []
    if proposal.latest_imaging_ok:
        parts.append(
            f"the pre-imaging may slip until {proposal.latest_imaging_ok} and keep "
            f"{RECOMMENDED_SEPARATION_DAYS} days"
        )
    if proposal.latest_imaging_allowed:
        parts.append(f"until {proposal.latest_imaging_allowed} for {MIN_SEPARATION_DAYS}")
    text = "; ".join(parts) if parts else "no slack: the imaging date must not slip"
    return f"<div style='color:{NOTE_COLOUR};font-size:0.9em'>Proposal {k + 1}: {text}.</div>"


def check_html(schedule: SchedulePlan) -> str:
    """The separation check: status, rule, messages and the derived dates."""
    check = schedule.check
    color, icon, word = _STATUS_STYLE[schedule.status]
    messages = "".join(f"<li>{html.escape(m)}</li>" for m in schedule.messages)
    window = ""
    if schedule.nirspec_end is not None:
        days = (schedule.nirspec_end - check.nirspec_start).days + 1
        window = (
            f"<tr><td>NIRSpec window</td><td><b>{check.nirspec_start} to "
            f"{schedule.nirspec_end}</b> ({days} days)</td></tr>"
        )
    planning = check.planning_days if check.separation_days > 0 else "none"
    return (
        "<div style='font-family:sans-serif;line-height:1.35'>"
        f"<div class='previs-schedule-status previs-status-{schedule.status}' "
        f"style='color:{color};font-weight:700;font-size:1.15em'>{icon} {word}: "
        f"{check.separation_days} days between pre-imaging and NIRSpec start</div>"
        f"<div style='color:{NOTE_COLOUR};font-size:0.9em'>rule: at least {MIN_SEPARATION_DAYS} "
        f"days, {RECOMMENDED_SEPARATION_DAYS} recommended</div>"
        f"<ul style='margin:4px 0 4px 18px;padding:0'>{messages}</ul>"
        "<table style='border-collapse:collapse'>"
        f"<tr><td style='padding-right:10px'>Pre-imaging</td><td><b>{check.imaging_date}"
        "</b></td></tr>"
        f"<tr><td>Pre-images available</td><td><b>{check.preimages_available}</b></td></tr>"
        f"<tr><td>MSA program update due</td><td><b>{check.update_due}</b></td></tr>"
        f"<tr><td>Days to plan the MSA</td><td><b class='previs-planning-days'>{planning}"
        "</b></td></tr>"
        f"{window}</table></div>"
    )


def orientation_html(schedule: SchedulePlan, roll: float, nircam_apa: float | None) -> str:
    """The NIRCam APA on the imaging date (nominal, allowed, the ``roll`` degrees chosen
    giving ``nircam_apa``) and the NIRSpec APA range over the spectroscopy window."""
    check = schedule.check
    lines = []
    if schedule.nircam_apa_nominal is not None and schedule.nircam_apa is not None:
        low, high = schedule.nircam_apa
        chosen = (
            f"; using <b class='previs-nircam-apa-chosen'>{_deg(nircam_apa)}</b> "
            f"({roll:+.1f}&deg; roll)"
            if roll
            else ""
        )
        lines.append(
            f"NIRCam on {check.imaging_date}: APA <b class='previs-nircam-apa-nominal'>"
            f"{_deg(schedule.nircam_apa_nominal)}</b> nominal, allowed {_deg(low)} to "
            f"{_deg(high)}{chosen}"
        )
    else:
        lines.append(
            f"<span style='color:{ERROR_COLOR}'>NIRCam: JWST cannot point at the target "
            f"on {check.imaging_date}</span>"
        )
    if schedule.nirspec_apa is not None:
        low, high = schedule.nirspec_apa
        width = _arc_width(schedule.nirspec_apa)
        arc = "any angle" if width >= 360.0 else f"{_deg(low)} to {_deg(high)}"
        lines.append(
            f"NIRSpec from {check.nirspec_start} to {schedule.nirspec_end}: APA "
            f"<b class='previs-nirspec-apa-range'>{arc}</b> "
            f"({width:.1f}&deg; wide); the schedulers pick one"
        )
    else:
        lines.append(
            f"<span style='color:{ERROR_COLOR}'>NIRSpec: JWST cannot point at the target "
            f"on {check.nirspec_start}</span>"
        )
    return (
        "<div style='font-family:sans-serif;line-height:1.4'>"
        + "".join(f"<div>{line}</div>" for line in lines)
        + "</div>"
    )


def coverage_html(plan: Plan, worst: WorstCase | None, nircam_apa: float | None) -> str:
    """The worst-case MSA coverage over the allowed NIRSpec APAs for the plan's NIRCam
    setup at ``nircam_apa``; a hint when there is none (a date outside visibility)."""
    if worst is None or nircam_apa is None:
        return (
            f"<div style='font-family:sans-serif;color:{NOTE_COLOUR}'>The worst case needs both "
            "dates inside visibility windows (grey bands on the timeline).</div>"
        )
    tiles = plan.exposures.n_tiles
    setup = (
        html.escape(plan.dither_label)
        if not isinstance(plan.dither, str)
        else f"{html.escape(plan.dither)} dither, {tiles} tile{'s' if tiles != 1 else ''} "
        f"({html.escape(plan.mosaic.label)})"
    )
    return (
        "<div style='font-family:sans-serif;line-height:1.35'>"
        "<div>Worst-case MSA coverage over the allowed NIRSpec APAs</div>"
        f"<div class='previs-worst-case' style='font-size:2.2em;font-weight:700;"
        f"color:#0a6ebd'>{100.0 * worst.min:.1f} %</div>"
        f"<div>at NIRSpec APA <b>{_deg(worst.apa_at_min)}</b>; best "
        f"{100.0 * float(worst.covered.max()):.1f} %</div>"
        f"<div style='color:{NOTE_COLOUR};margin-top:4px'>NIRCam {CHANNEL_LABELS[plan.channel]}, "
        f"{setup}, APA {_deg(nircam_apa)}, centre "
        f"{plan.nircam.ra:.5f}&deg; {plan.nircam.dec:+.5f}&deg; (from the main tab); "
        f"{len(worst.apas)} angles checked</div></div>"
    )


def tradeoff_html(result: SearchResult) -> str:
    """The search's trade-off table: best worst case for each number of exposures."""
    rows = []
    for row in result.trade_off:
        reached = row["worst"] >= result.target
        bound = "" if row["refined"] else " (at most)"
        weight = "font-weight:700;" if reached else ""
        cells = (
            str(row["exposures"]),
            f"{100.0 * row['worst']:.1f} %{bound}",
            html.escape(row["dither"]),
            html.escape(row["mosaic"]),
        )
        rows.append(
            f"<tr style='{weight}'>"
            + "".join(f"<td style='padding:0 12px 0 0'>{c}</td>" for c in cells)
            + "</tr>"
        )
    cell = "style='padding:0 12px 0 0;text-align:left'"
    return (
        "<div style='font-family:sans-serif'><table style='border-collapse:collapse'>"
        f"<tr><th {cell}>Exposures</th><th {cell}>Worst-case coverage</th>"
        f"<th {cell}>Dither</th><th {cell}>Mosaic</th></tr>"
        + "".join(rows)
        + f"</table><div style='color:{NOTE_COLOUR};font-size:0.85em'>Best configuration found for "
        "each number of exposures; 'at most': checked at a few angles only.</div></div>"
    )


def best_configuration_html(result: SearchResult, nominal_nircam_apa: float | None) -> str:
    """The configuration found (or why none was), with its NIRCam roll from the nominal
    APA ``nominal_nircam_apa`` (degrees; None: not shown) and the search's cost."""
    elapsed = f"{result.elapsed_s:.1f} s, {result.coverage_evaluations} coverage evaluations"
    best = result.best
    if best is None:
        return (
            f"<div style='font-family:sans-serif'><b style='color:{WARNING_COLOUR}'>No "
            f"configuration reached {100.0 * result.target:.1f} %</b> at every allowed NIRSpec "
            "APA. Lower the required coverage or shorten the NIRSpec window (fewer angles to "
            "cover)."
            f"<div style='color:{NOTE_COLOUR};font-size:0.85em'>{elapsed}</div></div>"
        )
    roll = (
        f" ({_signed_text(best.nircam.apa - nominal_nircam_apa)}&deg; from nominal)"
        if nominal_nircam_apa is not None
        else ""
    )
    dx, dy = best.offset_arcsec
    east, north = best.offset_east_north_arcsec
    return (
        "<div style='font-family:sans-serif;line-height:1.35'>"
        "<div>Fewest exposures reaching "
        f"{100.0 * result.target:.1f} %:</div>"
        f"<div class='previs-best-config' style='font-size:1.2em;font-weight:700'>"
        f"{html.escape(best.dither)} dither, {html.escape(best.mosaic.label)} mosaic: "
        f"{best.exposures} exposures</div>"
        f"<div>worst case <b>{100.0 * best.worst:.2f} %</b> at NIRSpec APA "
        f"{_deg(best.apa_at_min)}</div>"
        f"<div>NIRCam APA {_deg(best.nircam.apa)}{roll}</div>"
        f"<div>NIRCam centre moved {format_signed(dx, 0)}&quot;, {format_signed(dy, 0)}&quot; "
        f"along its own axes ({format_signed(east)}&quot; east, {format_signed(north)}&quot; "
        "north)</div>"
        f"<div style='color:{NOTE_COLOUR};font-size:0.85em'>{elapsed}</div></div>"
    )
