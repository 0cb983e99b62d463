"""Coverage reports: what a plan covers, for both NIRCam channels, as JSON, Markdown or HTML.

:func:`build_report` evaluates a plan with the short- and the long-wavelength
detectors (both channels image the same field at the same time, with different
gaps) and gathers the plan, the covered MSA fractions (whole MSA and per
quadrant), the depth (fraction covered by at least 1, 2, 3 exposures), the
number of exposures, the usable-MSA coverage of the plan's channel (the
operable shutters' open area, naming the operability map), and, with a catalog,
the source counts of :func:`previs.catalog.sources.count_sources` per channel
(with the targets in usable shutters) and the MSATA reference stars when the
catalog has their columns. With several NIRSpec pointings the coverage and
counts are for all of them together (the union of their MSA areas) and
``pointings`` gives each pointing's own. :func:`report_markdown` and
:func:`report_html` render it as tables; :func:`write_report` picks the format
from the file extension.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from pathlib import Path
from typing import Any

from previs._files import write_text_atomic
from previs.catalog.summary import summarize
from previs.errors import PrevisError, quote
from previs.geometry.attitude import v3pa_from_apa
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture
from previs.planning.plan import Plan
from previs.style import CHANNEL_NAMES as CHANNELS
from previs.style import channel_label

__all__ = [
    "REPORT_FORMAT_VERSION",
    "REPORT_FORMATS",
    "build_report",
    "report_html",
    "report_markdown",
    "write_report",
]

REPORT_FORMAT_VERSION = 1
#: File extensions :func:`write_report` understands and the format each selects.
REPORT_FORMATS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


def build_report(
    plan: Plan,
    catalog: Any = None,
    generated: _dt.datetime | None = None,
    operability: OperabilityMap | str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Coverage of ``plan`` by both NIRCam channels, with source counts if a catalog is given.

    Parameters
    ----------
    plan : Plan
        The plan; its ``channel`` is recorded but both channels are evaluated.
    catalog : previs.catalog.Catalog or path, optional
        Sources to count (a path is read with :func:`previs.catalog.readers.read_catalog`).
    generated : datetime, optional
        Time stamp to record (default: now, UTC).
    operability : OperabilityMap, path or None
        Which shutters work (None: the bundled snapshot; a path: a CRDS
        ``jwst_nirspec_msaoper_*.json``).

    Returns
    -------
    dict
        JSON-ready: ``previs_report`` (format version), ``generated`` (ISO 8601),
        ``previs_version``, ``siaf_version``, ``plan`` (:meth:`Plan.to_dict`),
        ``v3pa`` (``{"nirspec", "nircam"}``, degrees), ``exposures``,
        ``coverage`` (``{"short": ..., "long": ...}``, each with ``covered``,
        ``quadrants`` {"1".."4"}, ``depth`` {"1","2","3"}, ``exposures``,
        fractions 0-1) and, with a catalog, ``catalog`` (source, counts) and
        ``sources`` (``{"short": counts, "long": counts}``, each as
        :meth:`previs.catalog.sources.SourceCounts.to_dict`) and
        ``usable_shutters`` (``{"short": ..., "long": ...}``, each as
        :meth:`~previs.catalog.sources.SourceCounts.shutters_dict`: per kind
        ``in_usable_shutter``, ``in_usable_shutter_imaged``, ``on_bar``).
        ``nircam_setup`` names the exposures (``dither``, ``mosaic`` or None for
        explicit exposures, ``source``: model, apt or custom, ``tiles``).
        ``pointings`` lists every NIRSpec pointing (``pointing`` from 1, ``ra``,
        ``dec``, ``apa``, ``v3pa``, ``coverage`` and, with a catalog, ``sources``
        by channel, as above, and ``usable`` of that pointing); with several,
        ``coverage`` and ``sources`` above are for all of them together (the
        union of their MSA areas; ``usable`` counts every pointing's shutters).
        Also ``operability`` (``{"name", "failed_closed", "failed_open"}``),
        ``usable`` (plan's channel: ``channel``, ``covered``, ``quadrants``,
        ``operability``; ``worst_case`` gains ``usable`` too) and, when the
        catalog has MSATA magnitudes or reference stars, ``msata`` (per bin,
        :meth:`previs.catalog.msata.MSATAReport.to_dict`, first NIRSpec
        pointing) and, with an allowed NIRSpec APA range, ``msata_worst_case``.
    """
    from previs import __version__

    if not isinstance(plan, Plan):
        raise PrevisError(f"build_report needs a Plan, got {type(plan).__name__}")
    if catalog is not None and isinstance(catalog, (str, os.PathLike)):
        from previs.catalog import read_catalog

        catalog = read_catalog(catalog)
    when = generated or _dt.datetime.now(_dt.timezone.utc)
    operability = resolve_operability(operability)
    summary = summarize(
        plan, catalog, other_channel_depth=3, count_other_channel=True, operability=operability
    )
    channels = summary.result.channels
    coverage = {
        channel: {
            **channels[channel][1].to_dict(),
            "msa_area_arcmin2": channels[channel][1].msa_area / 3600.0,
        }
        for channel in CHANNELS
    }
    sources = {
        channel: summary.counts[channel].to_dict()
        for channel in CHANNELS
        if channel in summary.counts
    }
    siaf = summary.result.siaf_version
    report: dict[str, Any] = {
        "previs_report": REPORT_FORMAT_VERSION,
        "generated": when.isoformat(timespec="seconds"),
        "previs_version": __version__,
        "siaf_version": siaf,
        "plan": plan.to_dict(),
        "v3pa": {"nirspec": plan.nirspec_v3pa, "nircam": plan.nircam_v3pa},
        "exposures": coverage[plan.channel]["exposures"],
        "nircam_setup": _nircam_setup(plan),
        "coverage": coverage,
        "pointings": _pointing_entries(summary),
    }
    report["operability"] = operability.to_dict()
    report["usable"] = {"channel": plan.channel, **summary.result.usable.to_dict()}
    if summary.result.worst_case is not None:
        report["worst_case"] = summary.result.worst_case.to_dict()
    if catalog is not None:
        report["catalog"] = {
            "source": str(getattr(catalog, "source", "")),
            "sources": len(catalog),
            "primary": int(catalog.primary.sum()),
            "filler": int(catalog.filler.sum()),
            "has_flags": bool(catalog.has_flags),
        }
        report["sources"] = sources
        report["usable_shutters"] = {
            channel: summary.counts[channel].shutters_dict()
            for channel in CHANNELS
            if channel in summary.counts
        }
        if summary.msata is not None:
            report["msata"] = summary.msata.to_dict()
        if summary.msata_worst_case is not None:
            report["msata_worst_case"] = summary.msata_worst_case.to_dict()
    return report


def _nircam_setup(plan: Plan) -> dict[str, Any]:
    exposures = plan.exposures
    explicit = not isinstance(plan.dither, str)
    return {
        "dither": plan.dither_label,
        "mosaic": None if explicit else plan.mosaic.label,
        "source": exposures.source,
        "tiles": exposures.n_tiles,
    }


def _pointing_entries(summary) -> list[dict[str, Any]]:
    """One entry per NIRSpec pointing: where, and its own coverage (and counts) by channel."""
    plan, result = summary.plan, summary.result
    yang = get_aperture(NIRSPEC_REFERENCE).v3_idl_yang
    per_channel = result.per_pointing
    entries = []
    for k, pointing in enumerate(plan.nirspec_pointings):
        entry: dict[str, Any] = {
            "pointing": k + 1,
            **pointing.to_dict(),
            "v3pa": v3pa_from_apa(pointing.apa, yang),
            "coverage": {
                channel: {
                    **per_channel[channel][k].to_dict(),
                    "msa_area_arcmin2": per_channel[channel][k].msa_area / 3600.0,
                }
                for channel in CHANNELS
                if channel in per_channel
            },
        }
        if result.pointing_usable:
            entry["usable"] = result.pointing_usable[k].to_dict()
        if summary.pointing_counts:
            entry["sources"] = {
                channel: counts[k].to_dict() for channel, counts in summary.pointing_counts.items()
            }
        entries.append(entry)
    return entries


def _pointing_tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Per-pointing tables, only for several NIRSpec pointings (one reads as before)."""
    pointings = report.get("pointings", [])
    if len(pointings) < 2:
        return []
    coverage_rows, source_rows = [], []
    for entry in pointings:
        label = str(entry["pointing"])
        for channel, data in entry["coverage"].items():
            coverage_rows.append(
                [label, channel_label(channel, long_form=True), _percent(data["covered"])]
                + [_percent(data["quadrants"][q]) for q in ("1", "2", "3", "4")]
                + [_percent(data["depth"][k]) for k in ("2", "3")]
            )
        for channel, counts in entry.get("sources", {}).items():
            for kind in ("primary", "filler"):
                c = counts[kind]
                source_rows.append(
                    [label, channel, kind, str(c["total"]), str(c["in_msa"])]
                    + [str(c["in_msa_imaged"]), str(c["at_risk"])]
                )
    header = ["pointing", "channel", "covered", "Q1", "Q2", "Q3", "Q4", "depth >= 2", "depth >= 3"]
    tables = [("MSA coverage per NIRSpec pointing", header, coverage_rows)]
    if source_rows:
        tables.append(
            (
                "Sources per NIRSpec pointing",
                ["pointing", "channel", "kind", "total", "in MSA", "in MSA, imaged", "at risk"],
                source_rows,
            )
        )
    return tables


def _percent(value: float) -> str:
    return f"{100.0 * value:.1f} %"


def _tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the report, as plain text cells."""
    plan = report["plan"]
    pointings = report.get("pointings", [])
    several = len(pointings) > 1
    if several:
        nirspec_rows = [
            [f"NIRSpec pointing {p['pointing']} (NRS_FULL_MSA)"]
            + [f"{p[k]:.6f}" for k in ("ra", "dec")]
            + [f"{p['apa']:.2f}", f"{p['v3pa']:.2f}"]
            for p in pointings
        ]
    else:
        nirspec_rows = [
            ["NIRSpec (NRS_FULL_MSA)"]
            + [f"{plan['nirspec'][k]:.6f}" for k in ("ra", "dec")]
            + [f"{plan['nirspec']['apa']:.2f}", f"{report['v3pa']['nirspec']:.2f}"]
        ]
    plan_rows = [
        *nirspec_rows,
        ["NIRCam (NRCALL_FULL)"]
        + [f"{plan['nircam'][k]:.6f}" for k in ("ra", "dec")]
        + [f"{plan['nircam']['apa']:.2f}", f"{report['v3pa']['nircam']:.2f}"],
    ]
    if "mosaic" in plan:
        mosaic = plan["mosaic"]
        setup_rows = [
            ["dither", str(plan["dither"])],
            [
                "mosaic",
                f"{mosaic['rows']}x{mosaic['columns']} (row overlap {mosaic['row_overlap']:g} %, "
                f"column overlap {mosaic['column_overlap']:g} %)",
            ],
        ]
    else:  # explicit exposures (APT's, a custom pattern)
        setup = report.get("nircam_setup", {})
        setup_rows = [
            ["exposures from", str(setup.get("dither", plan["exposures"].get("description")))],
            ["tiles", str(setup.get("tiles", ""))],
        ]
    setup_rows += [
        ["exposures", str(report["exposures"])],
        ["channel of the plan", str(plan["channel"])],
    ]
    coverage_rows = []
    together = f", {len(pointings)} pointings together" if several else ""
    for channel, data in report["coverage"].items():
        coverage_rows.append(
            [channel_label(channel, long_form=True) + together, _percent(data["covered"])]
            + [_percent(data["quadrants"][q]) for q in ("1", "2", "3", "4")]
            + [_percent(data["depth"][k]) for k in ("2", "3")]
        )
    tables = [
        (
            "Pointings",
            ["instrument", "RA (deg)", "Dec (deg)", "APA (deg)", "V3PA (deg)"],
            plan_rows,
        ),
        ("NIRCam setup", ["item", "value"], setup_rows),
        (
            "MSA coverage",
            ["channel", "covered", "Q1", "Q2", "Q3", "Q4", "depth >= 2", "depth >= 3"],
            coverage_rows,
        ),
    ]
    if "usable" in report:
        tables.append(_usable_table(report))
    if "sources" in report:
        source_rows = []
        for channel, counts in report["sources"].items():
            for kind in ("primary", "filler"):
                c = counts[kind]
                source_rows.append(
                    [channel, kind, str(c["total"]), str(c["in_msa"])]
                    + [str(c["quadrants"][q]) for q in ("1", "2", "3", "4")]
                    + [str(c["in_msa_imaged"]), str(c["in_msa_depth2"]), str(c["at_risk"])]
                )
        tables.append(
            (
                f"Sources ({report['catalog']['source'] or 'catalog'})",
                [
                    "channel",
                    "kind",
                    "total",
                    "in MSA",
                    "Q1",
                    "Q2",
                    "Q3",
                    "Q4",
                    "in MSA, imaged",
                    "in MSA, depth >= 2",
                    "at risk",
                ],
                source_rows,
            )
        )
        shutter_table = _shutter_table(report)
        if shutter_table is not None:
            tables.append(shutter_table)
    if "msata" in report:
        tables.append(_msata_table(report))
    return tables + _pointing_tables(report)


def _usable_table(report: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    """The usable-MSA coverage of the plan's channel (and its worst case, with a range)."""
    usable = report["usable"]
    header = ["channel", "covered", "Q1", "Q2", "Q3", "Q4"]
    row = [channel_label(usable["channel"], long_form=True), _percent(usable["covered"])]
    row += [_percent(usable["quadrants"][q]) for q in ("1", "2", "3", "4")]
    worst = report.get("worst_case", {}).get("usable")
    if worst is not None:
        header.append("worst case over the NIRSpec APA range")
        row.append(f"{_percent(worst['min'])} at APA {worst['apa_at_min']:.1f}")
    title = f"Usable MSA: open area of operable shutters ({usable['operability']})"
    return title, header, [row]


def _shutter_table(report: dict[str, Any]) -> tuple[str, list[str], list[list[str]]] | None:
    """Targets in usable shutters per channel and kind (when the report has them)."""
    rows = []
    for channel, counts in report.get("usable_shutters", {}).items():
        for kind in ("primary", "filler"):
            c = counts[kind]
            rows.append(
                [channel, kind, str(c["in_usable_shutter"]), str(c["in_usable_shutter_imaged"])]
                + [str(c["on_bar"])]
            )
    if not rows:
        return None
    header = ["channel", "kind", "in usable shutter", "in usable shutter, imaged", "on a bar"]
    return "Targets in usable shutters", header, rows


def _msata_table(report: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    """MSATA reference stars per magnitude bin (and the worst case over the APA range)."""
    msata = report["msata"]
    worst = report.get("msata_worst_case")
    worst_bins = {}
    if worst is not None:
        worst_bins = {(b["readout"], b["band"]): b["usable"] for b in worst["at_min"]["bins"]}
    header = ["bin", "in range", "in operable shutter", "usable (also pre-imaged)", "feasible"]
    if worst is not None:
        header.append(f"usable at APA {worst['apa_at_min']:.1f} (worst)")
    rows = []
    for b in msata["bins"]:
        label = f"{b['readout']} {b['band']} {b['bright']:.1f}-{b['faint']:.1f}"
        row = [label, str(b["in_range"]), str(b["operable"]), str(b["usable"])]
        row.append("yes" if b["feasible"] else "no")
        if worst is not None:
            row.append(str(worst_bins.get((b["readout"], b["band"]), 0)))
        rows.append(row)
    verdict = "feasible" if msata["feasible"] else "not feasible"
    if worst is not None:
        verdict += ", over the APA range: " + ("feasible" if worst["feasible"] else "not feasible")
    title = (
        f"MSATA reference stars ({msata['reference_stars']} flagged; >= {msata['minimum']} "
        f"in one bin: {verdict})"
    )
    return title, header, rows


def _preamble(report: dict[str, Any]) -> str:
    return (
        f"previs {report['previs_version']}, SIAF {report['siaf_version']}, "
        f"generated {report['generated']}"
    )


_NOTES = (
    "Covered: fraction of the MSA area inside at least one NIRCam exposure. "
    "Depth >= k: fraction inside at least k exposures. At risk: sources inside "
    "the MSA but in no exposure of that channel."
)
_TOGETHER = " With several NIRSpec pointings, 'together' is the union of their MSA areas."
_SHUTTER_NOTES = (
    'Usable MSA: fraction of the open area (0.20" x 0.46") of the operable shutters '
    "inside the pre-imaging; a source in a usable shutter sits in an operable shutter "
    "(behind its bars included: small pointing offsets move it, and MPT's unconstrained "
    "centering accepts it; 'on a bar' counts those at this exact pointing)."
)


def _notes(report: dict[str, Any]) -> list[str]:
    """The notes under the tables: definitions and the operability map in use."""
    notes = [_NOTES + (_TOGETHER if len(report.get("pointings", [])) > 1 else "")]
    if "operability" in report:
        op = report["operability"]
        notes.append(
            f"{_SHUTTER_NOTES} Operability map: {op['name']} ({op['failed_closed']} shutters "
            f"failed closed, {op['failed_open']} failed open)."
        )
    if "msata" in report:
        notes.append(f"MSATA bins: {report['msata']['source']}.")
    return notes


def report_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: a heading, the versions, one pipe table per section."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["# previs coverage report", "", _preamble(report), ""]
    for title, header, rows in _tables(report):
        lines += [f"## {title}", ""]
        lines.append("| " + " | ".join(cell(h) for h in header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        lines.append("")
    for note in _notes(report):
        lines += [note, ""]
    return "\n".join(lines)


def report_html(report: dict[str, Any]) -> str:
    """The report as a self-contained HTML page (tables, no scripts, no external resources)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>previs coverage report</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}th,td{border:1px solid #999;padding:3px 8px;text-align:right}"
        "th:first-child,td:first-child{text-align:left}th{background:#eee}</style>",
        "</head><body>",
        "<h1>previs coverage report</h1>",
        f"<p>{esc(_preamble(report))}</p>",
    ]
    for title, header, rows in _tables(report):
        parts.append(f"<h2>{esc(title)}</h2>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header))
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>")
        parts.append("</tbody></table>")
    parts += [f"<p>{esc(note)}</p>" for note in _notes(report)]
    parts += ["</body></html>", ""]
    return "\n".join(parts)


def write_report(path: str | os.PathLike, report: dict[str, Any]) -> Path:
    """Write ``report`` as JSON, Markdown or HTML, chosen by the extension of ``path``.

    Raises
    ------
    ValueError
        For an extension other than .json, .md, .markdown, .html, .htm.
    """
    kind = REPORT_FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        raise ValueError(
            f"cannot write a report to {quote(str(path))}: the extension must be one of "
            f"{', '.join(REPORT_FORMATS)}"
        )
    if kind == "json":
        text = json.dumps(report, indent=1) + "\n"
    elif kind == "markdown":
        text = report_markdown(report)
    else:
        text = report_html(report)
    return write_text_atomic(path, text)
