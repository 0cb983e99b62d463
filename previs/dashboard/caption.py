"""The caption of a saved figure (PNG, PDF, SVG): what the figure shows, in one or two lines.

Layer: dashboard. Values in, text out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from previs.catalog.image_summary import ImageSummary
    from previs.catalog.summary import Summary

__all__ = ["figure_caption"]


def figure_caption(summary: Summary, image: ImageSummary | None = None) -> str:
    """The saved figure's caption: APAs, dither, mosaic, the coverage shown, SIAF.

    Parameters
    ----------
    summary : previs.catalog.summary.Summary
        The plan shown.
    image : previs.catalog.image_summary.ImageSummary, optional
        In "this image" mode, the image's coverage: the caption gives it (with the
        image's name) instead of the planned coverage of both channels.
    """
    from previs.dashboard.text import format_percent
    from previs.style import CHANNEL_LABELS

    result = summary.result
    plan, coverage = result.plan, result.coverage
    mosaic = plan.mosaic
    setup = (
        f"{plan.dither} dither, mosaic {mosaic.rows}x{mosaic.columns}"
        if isinstance(plan.dither, str)
        else f"{plan.dither_label} ({len(plan.dither)} exposures, {plan.dither.n_tiles} tiles)"
    )
    n = len(plan.nirspec_pointings)
    together = f" by {n} NIRSpec pointings together" if n > 1 else ""
    head = [f"NIRSpec APA {plan.nirspec.apa:.1f}°, NIRCam APA {plan.nircam.apa:.1f}°", setup]
    if image is not None:
        name = getattr(image.region, "source", "") or "the image"
        parts = [
            *head,
            f"MSA covered {format_percent(image.coverage.covered)} by the valid data of {name} "
            f"(coverage from the image, not the planned NIRCam"
            + (f"; {n} NIRSpec pointings together)" if n > 1 else ")"),
        ]
        if image.worst_case is not None:
            parts.append(f"worst case {format_percent(image.worst_case.min)}")
        return " · ".join(parts) + f"\nSIAF {result.siaf_version} · previs"
    parts = [
        *head,
        f"MSA covered {format_percent(coverage.covered)} ({CHANNEL_LABELS[plan.channel]})"
        + together
        + (
            f", {format_percent(result.other_coverage.covered)} "
            f"({CHANNEL_LABELS[plan.other_channel]})"
            if result.other_coverage is not None
            else ""
        ),
    ]
    if result.worst_case is not None:
        parts.append(f"worst case {format_percent(result.worst_case.min)}")
    return " · ".join(parts) + f"\nSIAF {result.siaf_version} · previs"
