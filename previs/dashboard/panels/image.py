"""The dashboard's "Image" section: a FITS file, the bundled example field or an empty sky grid.

:class:`ImagePanel` owns the image controls (path box, Load, upload and name
label from :class:`previs.dashboard.panels.file_source.FileSource`, example and
empty-sky buttons) and what is shown: the
:class:`previs.io.images.SkyImage`, where it came from (a path or uploaded bytes)
and the note for the status line. It reads files with :mod:`previs.io.images` and
hands the pixels to the dashboard's :class:`previs.plotting.sky.SkyView`; the plan
stays with the :class:`previs.dashboard.app.Dashboard`, which the panel asks to
redraw or to move the pointings onto a new image.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from previs.dashboard.page import row, upload_limit_note
from previs.dashboard.panels.file_source import FileSource, without_file_name
from previs.dashboard.text import friendly_error
from previs.planning.plan import Plan
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.dashboard.host import PanelHost


__all__ = ["EMPTY_SKY_PIXEL_ARCSEC", "EMPTY_SKY_SIZE_ARCSEC", "EXAMPLE_IMAGE_NAME", "ImagePanel"]

EMPTY_SKY_SIZE_ARCSEC = 600.0
EMPTY_SKY_PIXEL_ARCSEC = 0.5
EXAMPLE_IMAGE_NAME = "example deep field (synthetic GOODS-S)"
EXAMPLE_IMAGE_NOTE = "Showing the bundled example: a synthetic deep field at GOODS-S coordinates."


class ImagePanel:
    """The image controls of a :class:`~previs.dashboard.app.Dashboard` and the image it shows.

    Parameters
    ----------
    host : PanelHost
        The dashboard whose view shows the image. The panel reads its plan and
        result, asks it to redraw and to recentre the pointings, puts its note on
        the status board (channel ``"image"``) and drops the bundled example
        catalog through it.

    Attributes
    ----------
    sky_image : previs.io.images.SkyImage or None
        The image shown (None on the empty sky grid).
    path : str or None
        Absolute path of the image file (None for an upload or the grid).
    upload_data : tuple of (str, bytes) or None
        Name and bytes of an uploaded image.
    is_example : bool
        Whether the bundled example field is shown.
    name : str
        The name shown under the controls ("" on the grid).
    empty_sky_centre : tuple of float or None
        (RA, Dec) degrees the empty grid is centred on; None when an image is shown.
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        self.sky_image = None
        self.path: str | None = None
        self.upload_data: tuple[str, bytes] | None = None
        self.is_example = False
        self.name = ""
        self.empty_sky_centre: tuple[float, float] | None = None

        self.files = FileSource(
            what="FITS file",
            placeholder="path/to/image.fits",
            path_tooltip="Path of a FITS image on the machine running the notebook",
            load_tooltip="Show this FITS file",
            accept=".fits,.fit,.fts,.fits.gz,.fz",
            upload_tooltip="Send a FITS image from your computer (a 2-D image with RA/Dec WCS)",
            upload_class="previs-upload",
            label_class="previs-image-name",
            default_upload_name="upload.fits",
            load_path=self.load,
            load_bytes=lambda data, name: self.load(data, name=name),
            syncing=lambda: host.guard.active,
        )
        self.path_box, self.load_button = self.files.path_box, self.files.load_button
        self.upload, self.label = self.files.upload, self.files.label
        self.example_button = widgets.Button(
            description="Example field",
            tooltip="Show the bundled synthetic GOODS-S deep field",
        )
        self.empty_button = widgets.Button(
            description="No image",
            tooltip="Draw on an empty RA/Dec grid at the NIRSpec centre",
        )
        self.rows = [
            row([self.path_box, self.load_button]),
            row([self.upload, self.example_button, self.empty_button]),
            upload_limit_note(),
            self.label,
        ]
        self.example_button.on_click(lambda _: self.show_example())
        self.empty_button.on_click(lambda _: self.show_empty_sky())

    # ------------------------------------------------------------------ showing images
    def load(self, source: str | os.PathLike | bytes, name: str | None = None) -> None:
        """Read and show a FITS image (path or bytes); the plan is kept.

        If the NIRSpec centre falls outside the new image, both pointings move
        to the image centre (offsets and angles kept) and the panel says so.
        The bundled example catalog goes away with the example image.

        Raises
        ------
        previs.errors.ImageError
            When the file cannot be shown; the message is also shown in the
            panel and the previous image stays.
        """
        sky = self.read(source, name)
        self.show(sky, source, name)

    def read(self, source: str | os.PathLike | bytes, name: str | None = None):
        """Read a FITS image into a SkyImage; errors go to the panel (and are raised)."""
        from previs.io.images import ImageError, load_image

        is_path = isinstance(source, (str, os.PathLike))
        label = name or (Path(source).name if is_path else "image")
        typed = os.fspath(source) if is_path else None
        try:
            return load_image(source, name=name)
        except ImageError as error:
            self._error(label, without_file_name(str(error), typed, label), typed)
            raise
        except (OSError, ValueError) as error:
            self._error(label, str(error), typed)
            raise ImageError(f"{label}: {error}") from error

    def show(
        self, sky, source, name: str | None, example: bool = False, recentre: bool = True
    ) -> None:
        """Show a read image; ``recentre`` moves the pointings onto it when they are off it."""
        host = self._host
        self.empty_sky_centre = None
        self.sky_image = sky
        self.is_example = example
        if isinstance(source, (str, os.PathLike)):
            self.path, self.upload_data = os.path.abspath(os.fspath(source)), None
        else:
            self.path, self.upload_data = None, (name or "image.fits", bytes(source))
        self.files.shown(self.path)
        self.name = Path(str(sky.source)).name
        host.view.show_image(sky.data, sky.wcs, limits=sky.limits)
        if not example and host.catalog_panel.is_example:
            host.clear_catalog(refresh=False)
        note = ""
        if recentre and host.result is not None and not self.shows_pointing(host.plan):
            host.recentre()
            note = " The pointings were moved to the image centre."
        elif recentre and host.result is not None:
            host.redraw()
        block = f", shown binned {sky.block}x{sky.block}" if sky.block > 1 else ""
        self.set_message(
            f"Showing <b>{html.escape(self.name)}</b> (HDU {sky.hdu} "
            f"{html.escape(sky.hdu_name)}, {sky.full_shape[1]}x{sky.full_shape[0]} px{block})."
            + html.escape(note)
        )
        host.view.fit_all()  # Home shows every footprint, also off the image

    def show_example_image(self, sky, source, recentre: bool = True) -> None:
        """Show the read bundled example image under its own name and note."""
        self.show(sky, source, None, example=True, recentre=recentre)
        self.name = EXAMPLE_IMAGE_NAME
        self.set_message(EXAMPLE_IMAGE_NOTE)

    def show_example(self) -> None:
        """Show the bundled example field (see :meth:`Dashboard.show_example`)."""
        host = self._host
        try:
            from previs.io.example_field import example_image_path

            path = example_image_path()
        except Exception as error:  # the example is optional: fall back to the grid
            self.show_empty_sky()
            self.set_message(
                f"The bundled example is not available ({html.escape(str(error))}); "
                "showing an empty sky grid."
            )
            return
        try:
            sky = self.read(path)
        except ValueError:
            self.show_empty_sky(keep_message=True)
            return
        self.show_example_image(sky, path)
        if host.catalog is None and host.result is not None:
            host.show_example_catalog()

    def show_empty_sky(self, keep_message: bool = False) -> None:
        """Draw on an empty RA/Dec grid centred on the NIRSpec pointing."""
        host = self._host
        self.draw_empty_sky()
        self.name = ""
        self.sky_image = None
        self.path = self.upload_data = None
        self.is_example = False
        self.files.shown(None)
        if host.catalog_panel.is_example:
            host.clear_catalog(refresh=False)
        if host.result is not None:
            host.redraw()
        if not keep_message:
            self.set_message("No image: an empty sky grid centred on the NIRSpec pointing.")
        host.view.fit_all()  # Home shows every footprint, also off the image

    def draw_empty_sky(self) -> None:
        """Give the view an empty RA/Dec grid centred on the plan's NIRSpec pointing."""
        from previs.io.images import empty_sky_wcs

        ra, dec = self._host.plan.nirspec.ra, self._host.plan.nirspec.dec
        shape, wcs = empty_sky_wcs(ra, dec, EMPTY_SKY_SIZE_ARCSEC, EMPTY_SKY_PIXEL_ARCSEC)
        self._host.view.show_image(None, wcs, shape=shape)
        self.empty_sky_centre = (ra, dec)

    def follow_plan(self, plan: Plan) -> None:
        """Keep the empty grid (if shown) centred on the NIRSpec pointing of ``plan``."""
        if self.empty_sky_centre is not None and self.empty_sky_centre != (
            plan.nirspec.ra,
            plan.nirspec.dec,
        ):
            self.draw_empty_sky()

    def shows_pointing(self, plan: Plan) -> bool:
        """Whether the NIRSpec centre of ``plan`` falls on the image shown."""
        view = self._host.view
        x, y = view.sky_to_pixel([plan.nirspec.ra], [plan.nirspec.dec])
        return bool(view.contains_pixel(float(x[0]), float(y[0])))

    # ------------------------------------------------------------------ messages
    def _error(self, label: str, message: str, typed_path: str | None = None) -> None:
        shown = self.name or "the empty sky grid"
        self.set_message(
            f"<span style='color:{UI_COLOURS['error']}'>&#9888; {html.escape(label)} was not "
            f"shown: {html.escape(friendly_error(message, typed_path))}</span> The figure keeps "
            f"{html.escape(shown)}."
        )

    def set_message(self, text: str) -> None:
        """Set the image's status note (markup) and the name label."""
        self.label.value = (
            f"<span style='font-size:0.9em'>{html.escape(self.name)}</span>" if self.name else ""
        )
        self._host.status.set("image", text)

    @property
    def message(self) -> str:
        """The image's note in the status line (markup)."""
        return self._host.status.get("image")

    def config_value(self) -> str | None:
        """What a saved session's ``image`` key holds for the image shown (see
        :class:`previs.io.session.Config`): None for the example, the empty-sky marker,
        or the path (None for an upload, which has no path)."""
        from previs.io.session import EMPTY_SKY

        if self.is_example:
            return None
        if self.sky_image is None and self.upload_data is None and self.path is None:
            return EMPTY_SKY
        return self.path
