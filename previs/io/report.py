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
from previs.io.report_render import report_html, report_markdown
from previs.planning.plan import Plan
from previs.style import CHANNEL_NAMES as CHANNELS

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
    image: Any = None,
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
    image : path, SkyRegion or ImageSummary, optional
        The image actually taken (a FITS path is traced with
        :func:`previs.io.valid_region.valid_region`): adds ``image``, its
        coverage of the MSA at the NIRSpec pointings (all together, with each
        one's under ``pointings`` when there are several)
        (:meth:`previs.catalog.image_summary.ImageSummary.to_dict`), which the
        tables show beside the planned coverage.

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
    if image is not None:
        report["image"] = _image_block(image, plan, catalog, operability)
    return report


def _image_block(image: Any, plan: Plan, catalog, operability) -> dict[str, Any]:
    from previs.catalog.image_summary import ImageSummary, summarize_image

    if not isinstance(image, ImageSummary):
        if isinstance(image, (str, os.PathLike)):
            from previs.io.valid_region import valid_region

            image = valid_region(image)
        arc = plan.nirspec_apa_range
        image = summarize_image(
            image,
            plan.nirspec,
            None if arc is None else arc.as_range(),
            catalog,
            operability,
            plan.extra_nirspec,
        )
    return image.to_dict()


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
