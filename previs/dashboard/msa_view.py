"""What the dashboard shows of the MSA beyond the plan's result: shutters, target states, and
the coverage of an image when the readout follows it.

:func:`show_msa` is called once per update, after the view has moved to the
plan's result. It hands the shutter layer (:class:`previs.plotting.shutter_layer.ShutterLayer`)
the NIRSpec pointing, the operability map and the targets' shutters and
pre-imaging (cheap: the layer works only when drawn zoomed in), and in "this
image" mode replaces the uncovered shading and the at-risk rings with the
image's; :func:`readout` picks the readout of the mode.

Layer: dashboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from previs.dashboard.markup import readout_html
from previs.dashboard.msa_markup import image_readout_html, msa_details_html

if TYPE_CHECKING:
    from previs.catalog.image_summary import ImageSummary
    from previs.catalog.summary import Summary
    from previs.plotting.sky import SkyView

__all__ = ["readout", "show_msa"]


def show_msa(view: SkyView, summary: Summary, image: ImageSummary | None = None) -> None:
    """Give the view the shutter state of ``summary`` and, with ``image``, its coverage.

    Parameters
    ----------
    view : SkyView
        The dashboard's view, already updated with ``summary.result``.
    summary : Summary
        The plan's summary (its operability map, the targets' shutters).
    image : ImageSummary, optional
        The image's coverage at the plan's NIRSpec pointing ("this image" mode).
    """
    layer = view.shutters
    layer.set_pointing(summary.plan.nirspec, summary.operability)
    counts = summary.plan_counts if image is None else image.counts
    catalog = summary.catalog
    if catalog is None or counts is None or summary.shutters is None:
        layer.set_targets(None)
    else:
        layer.set_targets(catalog.ra, catalog.dec, summary.shutters, counts.imaged)
    if image is not None:
        view.set_uncovered(image.coverage.uncovered_sky_polygons())
        view.set_at_risk(None if image.counts is None else image.counts.at_risk)
    elif summary.plan_counts is not None:
        view.set_at_risk(summary.plan_counts.at_risk)


def readout(summary: Summary, image: ImageSummary | None, catalog_name: str) -> str:
    """The readout column: the plan's (with its shutter details), or the image's."""
    if image is not None:
        return image_readout_html(image, summary, catalog_name)
    return readout_html(summary, catalog_name, msa_details_html(summary))
