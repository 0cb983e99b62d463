"""Where the dashboard's coverage comes from: the planned NIRCam exposures or the image shown.

After the pre-imaging, the question is what the image actually taken covers.
:class:`CoverageSource` is a toggle, "Coverage from: planned NIRCam / this
image", enabled while an image is shown. In "this image" mode the dashboard
evaluates the MSA against the image's valid data
(:func:`previs.io.valid_region.valid_region`, traced the first time the mode is
chosen for an image and cached, in memory and on disk) with
:func:`previs.catalog.image_summary.summarize_image`: the readout, the "MSA not
covered" shading and the target states follow it, and every NIRSpec APA change
recomputes it (a few milliseconds). An image that cannot be traced (no valid
pixels, a weight extension of the wrong shape) puts its message on the status
line and the mode falls back to the planned coverage; an image far from the
MSA reads 0 % with a note, not an error. Another image resets the mode.

Layer: dashboard.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from previs.catalog.image_summary import ImageSummary, summarize_image
from previs.errors import PrevisError
from previs.geometry.image_coverage import SkyRegion
from previs.planning.plan import Plan

if TYPE_CHECKING:
    from previs.catalog.table import Catalog
    from previs.dashboard.host import PanelHost
    from previs.geometry.operability import OperabilityMap

__all__ = ["PLANNED", "THIS_IMAGE", "CoverageSource"]

PLANNED, THIS_IMAGE = "planned", "image"


class CoverageSource:
    """The "Coverage from" toggle of a dashboard and the image's valid region it uses.

    Parameters
    ----------
    host : PanelHost
        The dashboard: the image panel says which image is shown; the toggle asks
        the dashboard to redraw; notes go to the status channel ``"coverage"``.

    Attributes
    ----------
    toggle : ipywidgets.ToggleButtons
        ``"planned"`` or ``"image"``.
    region : SkyRegion or None
        The valid region of the image shown, once traced.
    rows : list of widgets
        What the controls column shows under "Image".
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        self.region: SkyRegion | None = None
        self._region_of: Any = None  # what the region was traced from
        self.n_traced = 0
        self.toggle = widgets.ToggleButtons(
            options=[("planned NIRCam", PLANNED), ("this image", THIS_IMAGE)],
            value=PLANNED,
            description="Coverage from",
            style={"description_width": "128px"},
            tooltips=[
                "Coverage of the planned NIRCam exposures",
                "Coverage of the valid data of the image shown (after the pre-imaging)",
            ],
            disabled=True,
        )
        self.toggle.add_class("previs-coverage-source")
        self.toggle.observe(self._on_toggle, names="value")
        self.rows = [self.toggle]

    @property
    def mode(self) -> str:
        """``"planned"`` or ``"image"``."""
        return self.toggle.value

    def set_mode(self, mode: str) -> None:
        """Choose the coverage source (``"planned"`` or ``"image"``) and redraw."""
        if mode not in (PLANNED, THIS_IMAGE):
            raise PrevisError(f"coverage mode must be 'planned' or 'image', got {mode!r}")
        if mode == THIS_IMAGE and self._image_source() is None:
            raise PrevisError("coverage from the image needs an image: load a FITS file first")
        self.toggle.value = mode  # the observer redraws

    def restore(self, mode: str) -> None:
        """The mode of a saved session: ``"image"`` traces the image shown (or falls back to
        planned, saying why, when there is no image or it cannot be traced)."""
        if mode != THIS_IMAGE:
            if self.mode != PLANNED:
                self.toggle.value = PLANNED
            return
        self.follow_image()
        if self._image_source() is None:
            self._fall_back(
                "The session's coverage came from its image, but no image is shown: showing "
                "the planned coverage."
            )
            return
        self.toggle.value = THIS_IMAGE  # the observer redraws (and falls back if need be)

    def _on_toggle(self, change: dict[str, Any]) -> None:
        if self._host.guard.active:
            return
        if change["new"] == PLANNED:
            self._host.status.set("coverage", "")
        if self._host.result is not None:
            self._host.redraw()

    def _fall_back(self, message: str) -> None:
        with self._host.guard.hold():
            self.toggle.value = PLANNED
        self._host.status.set_error("coverage", message)

    def _image_source(self) -> tuple[Any, str] | None:
        """(path or bytes, name) of the image shown, None on the empty grid."""
        images = self._host.image_panel
        if images.sky_image is None:
            return None
        if images.path is not None:
            return images.path, images.name
        if images.upload_data is not None:
            name, data = images.upload_data
            return data, name
        return None

    def follow_image(self) -> None:
        """Enable the toggle while an image is shown; another image resets to planned."""
        source = self._image_source()
        key = None
        if source is not None:
            key = id(source[0]) if isinstance(source[0], bytes) else source[0]
        self.toggle.disabled = source is None
        if key != self._region_of:
            self.region, self._region_of = None, key
            if self.mode == THIS_IMAGE:
                with self._host.guard.hold():
                    self.toggle.value = PLANNED
                self._host.status.set("coverage", "")

    def _traced_region(self) -> SkyRegion | None:
        if self.region is not None:
            return self.region
        source = self._image_source()
        if source is None:
            self._fall_back("Coverage from the image needs an image; showing the planned coverage.")
            return None
        from previs.io.valid_region import valid_region

        data, name = source
        self._host.status.set(
            "coverage", f"Tracing the valid data of <b>{html.escape(name)}</b>&hellip;"
        )
        try:
            region = valid_region(data, name=name)
        except (PrevisError, OSError, ValueError) as error:
            self._fall_back(f"{error} Showing the planned coverage.")
            return None
        self.n_traced += 1
        self.region = region
        return region

    def evaluate(
        self, plan: Plan, catalog: Catalog | None, operability: OperabilityMap
    ) -> ImageSummary | None:
        """The image's summary at the plan's NIRSpec pointings (each and together) in
        "this image" mode, else None (also when the image cannot be traced: the mode
        then falls back)."""
        self.follow_image()
        if self.mode != THIS_IMAGE:
            return None
        region = self._traced_region()
        if region is None:
            return None
        arc = plan.nirspec_apa_range
        summary = summarize_image(
            region,
            plan.nirspec,
            None if arc is None else arc.as_range(),
            catalog,
            operability,
            plan.extra_nirspec,
        )
        note = summary.coverage.note
        self._host.status.set(
            "coverage",
            f"Coverage from the valid data of <b>{html.escape(self._image_source()[1])}</b>"
            + (f": {html.escape(note)} (0 %)." if note else "."),
        )
        return summary
