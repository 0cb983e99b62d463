"""What the dashboard shows of the MSA beyond the plan's result: shutters, target states, and
the coverage of an image when the readout follows it.

:meth:`MSAView.show` is called once per update, after the view has moved to
the plan's result. It hands the shutter layer (:class:`previs.plotting.shutter_layer.ShutterLayer`)
every NIRSpec pointing, the operability map and the targets' shutters (over all
pointings together) and pre-imaging (cheap: the layer works only when drawn zoomed in), and in "this
image" mode replaces the uncovered shading and the at-risk rings with the
image's and outlines its valid data; :func:`readout` picks the readout of the mode.

Layer: dashboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from previs.dashboard.markup import readout_html
from previs.dashboard.msa_markup import image_readout_html, msa_details_html
from previs.plotting.region_outline import add_region_outline

if TYPE_CHECKING:
    from previs.catalog.image_summary import ImageSummary
    from previs.catalog.summary import Summary
    from previs.geometry.image_coverage import SkyRegion
    from previs.plotting.sky import SkyView

__all__ = ["MSAView", "readout"]


class MSAView:
    """The MSA parts of a dashboard's view beyond the plan's result.

    Parameters
    ----------
    view : SkyView
        The dashboard's view.

    Attributes
    ----------
    outline : matplotlib.patches.PathPatch or None
        The outline of the image's valid data, while the coverage comes from it.
    """

    def __init__(self, view: SkyView) -> None:
        self.view = view
        self.outline = None
        self._outlined = None  # the region outlined

    def show(self, summary: Summary, image: ImageSummary | None = None) -> None:
        """Give the view the shutter state of ``summary`` and, with ``image``, its coverage.

        Parameters
        ----------
        summary : Summary
            The plan's summary (its operability map, the targets' shutters); the
            view already shows its result.
        image : ImageSummary, optional
            The image's coverage at the plan's NIRSpec pointing ("this image" mode).
        """
        view = self.view
        layer = view.shutters
        layer.set_pointings(summary.plan.nirspec_pointings, summary.operability)
        counts = summary.plan_counts if image is None else image.counts
        catalog = summary.catalog
        shutters = summary.together_shutters  # every pointing's (the first usable one)
        if catalog is None or counts is None or shutters is None:
            layer.set_targets(None)
        else:
            visible = view.visible  # the kinds the Show toggles leave on
            shown = np.where(catalog.primary, visible["primaries"], visible["fillers"])
            layer.set_targets(catalog.ra, catalog.dec, shutters, counts.imaged, shown)
        self.show_outline(None if image is None else image.region)
        if image is not None:  # its uncovered shading went in with SkyView.update
            view.set_at_risk(None if image.counts is None else image.counts.at_risk)
        elif summary.plan_counts is not None:
            view.set_at_risk(summary.plan_counts.at_risk)

    def show_outline(self, region: SkyRegion | None) -> None:
        """Outline ``region`` (an image's valid data; None: no outline).

        The outline is static (the data do not move with the plan): it is added or
        taken away only when the mode or the image changes, with one full redraw.
        """
        view = self.view
        if self.outline is not None and self._outlined is region and self.outline.axes is view.ax:
            return
        if self.outline is not None:
            if self.outline.axes is not None:
                self.outline.remove()
            self.outline = self._outlined = None
            view.blitter.mark_stale()
        if region is not None and view.ax is not None:
            self.outline = add_region_outline(view.ax, region.sky_polygons(), view.sky_to_pixel)
            self._outlined = region
            view.blitter.mark_stale()


def readout(summary: Summary, image: ImageSummary | None, catalog_name: str) -> str:
    """The readout column: the plan's (with its shutter details), or the image's."""
    if image is not None:
        return image_readout_html(image, summary, catalog_name)
    return readout_html(summary, catalog_name, msa_details_html(summary))
