"""Coverage reports as tables: Markdown and self-contained HTML from a report dict.

:func:`report_markdown` and :func:`report_html` render what
:func:`previs.io.report.build_report` gathered: the plan, the coverage of both
NIRCam channels (per pointing when there are several), the usable MSA, the
targets and MSATA reference stars, and, with an image, the planned coverage
beside the image's.

Layer: io.
"""

from __future__ import annotations

import html
from typing import Any

from previs.style import channel_label

__all__ = ["report_html", "report_markdown", "report_tables"]


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


def report_tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
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
    if "exposures" in plan:
        tables.append(_exposures_table(plan["exposures"]))
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
    tables += _pointing_tables(report)
    if "image" in report:
        tables.append(_image_table(report))
    return tables


def _exposures_table(exposures: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    """Explicit NIRCam exposures with APT's tile and dither numbers and target offsets."""
    rows = [
        [str(k + 1), str(tile), str(dither), f"{x:+.3f}", f"{y:+.3f}"]
        for k, (tile, dither, (x, y)) in enumerate(
            zip(exposures["tiles"], exposures["dithers"], exposures["offsets"], strict=True)
        )
    ]
    title = f"NIRCam exposures ({exposures.get('aperture', 'NRCALL_FULL')} ideal offsets)"
    return title, ["exposure", "tile", "dither", 'X (")', 'Y (")'], rows


def _image_table(report: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    """The planned coverage (plan's channel) beside the image's: at the first pointing, or
    of all pointings together and each one's when the image was measured at several."""
    image = report["image"]
    channel = report["plan"]["channel"]
    each = image.get("pointings", [])
    if each:  # measured at every pointing: together beside together
        planned, planned_usable = report["coverage"][channel], report.get("usable")
    else:  # older reports: the image at the first pointing
        first = (report.get("pointings") or [{}])[0]
        planned = first.get("coverage", {}).get(channel) or report["coverage"][channel]
        planned_usable = first.get("usable") or report.get("usable")
    rows = [["covered", _percent(planned["covered"]), _percent(image["covered"])]]
    rows += [
        [f"Q{k}", _percent(planned["quadrants"][str(k)]), _percent(image["quadrants"][str(k)])]
        for k in range(1, 5)
    ]
    for k, (entry, own) in enumerate(zip(report.get("pointings", []), each, strict=False)):
        rows.append(
            [f"P{k + 1} covered", _percent(entry["coverage"][channel]["covered"]),
             _percent(own["covered"])]
        )  # fmt: skip
    if planned_usable and "usable" in image:
        rows.append(
            [
                "usable MSA",
                _percent(planned_usable["covered"]),
                _percent(image["usable"]["covered"]),
            ]
        )
    worst = report.get("worst_case")
    if worst is not None and "worst_case" in image:
        rows.append(["worst case", _percent(worst["min"]), _percent(image["worst_case"]["min"])])
    for kind, numbers in image.get("sources", {}).items():
        planned_numbers = report.get("sources", {}).get(channel, {}).get(kind)
        if planned_numbers is not None:
            rows.append(
                [f"{kind}s at risk", str(planned_numbers["at_risk"]), str(numbers["at_risk"])]
            )
    footprint = image.get("footprint", {})
    name = footprint.get("source", "image")
    error = footprint.get("tracing_error_arcsec")
    detail = f', traced to {error:.2f}"' if error is not None else ""
    together = f", {len(each)} NIRSpec pointings together" if each else ""
    title = f"Planned pre-imaging and the image taken ({name}{detail}{together})"
    return title, ["", f"planned, {channel_label(channel)}", "image"], rows


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
    for title, header, rows in report_tables(report):
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
    for title, header, rows in report_tables(report):
        parts.append(f"<h2>{esc(title)}</h2>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header))
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>")
        parts.append("</tbody></table>")
    parts += [f"<p>{esc(note)}</p>" for note in _notes(report)]
    parts += ["</body></html>", ""]
    return "\n".join(parts)
