"""How the sky figure draws its image and overlay: stretch, colours, cursor text, view bounds.

Pure functions of arrays and a :class:`previs.io.sky_mapping.SkyMapping`, used by
:class:`previs.plotting.sky.SkyView`:

* :func:`image_rgba` maps a display image through percentile limits, a stretch
  (linear, log, asinh) and a colour map to RGBA bytes, once per change (every
  redraw then only resamples bytes);
* :func:`cursor_text` is the ICRS position under the cursor, whatever the
  image's own frame (galactic, FK5, ecliptic), for ipympl's footer;
* :func:`view_bounds` is the pixel box holding the image and every footprint,
  which "fit all" and the Home button show;
* :class:`StyledView` is the part of :class:`~previs.plotting.sky.SkyView` that
  applies :class:`previs.io.session.DisplaySettings` (mixed into SkyView).

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from astropy.visualization import AsinhStretch, ImageNormalize, LinearStretch, LogStretch
from matplotlib import colormaps

from previs.io.session import DisplaySettings
from previs.io.sky_mapping import SkyMapping

__all__ = [
    "ASINH_A",
    "LOG_A",
    "StyledView",
    "cursor_text",
    "hms_dms",
    "image_rgba",
    "overlay_colours",
    "view_bounds",
]

#: Softening of the asinh stretch (smaller: more contrast among faint pixels).
ASINH_A = 0.05
#: Exponent scale of the log stretch.
LOG_A = 1000.0


def _stretch(name: str):
    if name == "linear":
        return LinearStretch()
    if name == "log":
        return LogStretch(LOG_A)
    if name == "asinh":
        return AsinhStretch(ASINH_A)
    raise ValueError(f"stretch must be linear, log or asinh, got {name!r}")


def image_rgba(
    data: np.ndarray,
    stretch: str = "asinh",
    limits: tuple[float, float] | None = None,
    limits_percent: tuple[float, float] = (0.5, 99.7),
    cmap: str = "gray",
) -> tuple[np.ndarray, ImageNormalize]:
    """RGBA bytes of ``data`` and the normalisation used.

    Parameters
    ----------
    data : numpy.ndarray
        2-D display image (NaN allowed: drawn at the low limit).
    stretch : {"linear", "log", "asinh"}
        Brightness scale between the limits.
    limits : (float, float), optional
        Display (vmin, vmax); from ``limits_percent`` of the finite pixels when omitted.
    limits_percent : (float, float)
        Percentiles for the limits when ``limits`` is None.
    cmap : str
        A matplotlib colour map name.
    """
    if limits is None:
        from previs.io.images import display_limits

        limits = display_limits(data, *limits_percent)
    norm = ImageNormalize(vmin=limits[0], vmax=limits[1], stretch=_stretch(stretch), clip=True)
    rgba = colormaps[cmap](norm(np.nan_to_num(data, nan=limits[0])), bytes=True)
    return rgba, norm


def hms_dms(ra: float, dec: float) -> str:
    """``03:32:39.00 -27:47:29.0`` (RA in hours to 0.01 s, Dec to 0.1")."""
    total = round((ra % 360.0) / 15.0 * 360000.0)  # hundredths of a second of time
    total %= 24 * 360000
    h, rest = divmod(total, 360000)
    m, cs = divmod(rest, 6000)
    sign = "-" if dec < 0 else "+"
    tenths = round(abs(dec) * 36000.0)
    d, rest = divmod(tenths, 36000)
    dm, ds = divmod(rest, 600)
    return f"{h:02d}:{m:02d}:{cs / 100:05.2f} {sign}{d:02d}:{dm:02d}:{ds / 10:04.1f}"


def cursor_text(mapping: SkyMapping, x: float, y: float) -> str:
    """What the footer shows at pixel (x, y): ICRS RA/Dec in degrees and sexagesimal."""
    ra, dec = (float(v) for v in mapping.pixel_to_sky(x, y))
    if not (np.isfinite(ra) and np.isfinite(dec)):
        return f"x={x:.1f} y={y:.1f}"
    return f"RA {ra:.6f} Dec {dec:+.6f} (ICRS, {hms_dms(ra, dec)})   x={x:.1f} y={y:.1f}"


def view_bounds(
    shape: tuple[int, int], xy: list[np.ndarray], margin: float = 0.04
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(xlim, ylim) holding the image of ``shape`` (ny, nx) and every point of ``xy``
    (arrays of pixel positions, N x 2), square, with ``margin`` of the span around."""
    ny, nx = shape
    image = np.array([[-0.5, -0.5], [nx - 0.5, ny - 0.5]])
    points = [np.asarray(p, dtype=float).reshape(-1, 2) for p in xy if np.size(p)]
    allxy = np.concatenate([image, *points])
    allxy = allxy[np.all(np.isfinite(allxy), axis=1)]
    low, high = allxy.min(axis=0), allxy.max(axis=0)
    if np.all(low >= image[0]) and np.all(high <= image[1]):
        return (image[0, 0], image[1, 0]), (image[0, 1], image[1, 1])  # all on the image
    pad = (high - low) * margin
    low, high = low - pad, high + pad
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def overlay_colours(display: DisplaySettings) -> dict:
    """RGBA colours of the overlay artists for ``display``: NIRSpec outline, NIRCam
    edge and fill, the other channel's edge."""
    from matplotlib.colors import to_rgba

    nircam = to_rgba(display.nircam_colour)
    return {
        "msa": to_rgba(display.nirspec_colour),
        "nircam_edge": (*nircam[:3], 0.75),
        "nircam_face": (*nircam[:3], display.fill_opacity),
        "other_edge": (*nircam[:3], 0.55),
    }


class StyledView:
    """Display settings of a :class:`~previs.plotting.sky.SkyView` (stretch, colour map,
    overlay colours, both channels), the ICRS cursor text and "fit all"."""

    display: DisplaySettings

    def set_display(self, display: DisplaySettings) -> None:
        """Draw with ``display`` from now on: the image is recoloured when its stretch,
        limits or colour map changed, the overlay restyled in place."""
        if not isinstance(display, DisplaySettings):
            raise TypeError(f"display must be DisplaySettings, got {type(display).__name__}")
        old, self.display = self.display, display
        image_changed = (old.stretch, old.limits_percent, old.cmap) != (
            display.stretch,
            display.limits_percent,
            display.cmap,
        )
        if self.ax is None:
            return
        if image_changed and self.image_artist is not None and self._display_data is not None:
            self._colour_image()
        self._style_overlay()
        self._build_legend()
        self.blitter.mark_stale()
        self.figure.canvas.draw_idle()

    def _colour_image(self) -> None:
        d = self.display
        limits = self._image_limits if d.limits_percent == (0.5, 99.7) else None
        rgba, self.image_norm = image_rgba(
            self._display_data, d.stretch, limits, d.limits_percent, d.cmap
        )
        if self.image_artist is None:
            self.image_artist = self.ax.imshow(rgba, origin="lower", interpolation="antialiased")
        else:
            self.image_artist.set_data(rgba)

    def _style_overlay(self) -> None:
        colours = overlay_colours(self.display)
        self._nircam.set_facecolor([colours["nircam_face"]])
        self._nircam.set_edgecolor([colours["nircam_edge"]])
        self._other_nircam.set_edgecolor([colours["other_edge"]])
        self._other_nircam.set_visible(self.display.both_channels and self.visible["nircam"])
        for patch in self._quadrants:
            patch.set_edgecolor(colours["msa"])
        for label in self._quadrant_labels:
            label.set_color(colours["msa"])
        self._ifu_slits.set_edgecolor([colours["msa"]])
        self._nirspec_marker.set_color(colours["msa"])
        self._nircam_marker.set_color(colours["nircam_edge"][:3])
        self.numbered.restyle(colours)

    @contextmanager
    def captioned(self, text: str) -> Iterator[None]:
        """While saving: ``text`` under the axes (the caption of an exported figure)."""
        if not text:
            yield
            return
        caption = self.figure.text(
            0.02, -0.01, text, fontsize=7.5, ha="left", va="top", color="0.15", wrap=True
        )
        try:
            yield
        finally:
            caption.remove()

    def format_cursor(self, x: float, y: float) -> str:
        """The footer's text at pixel (x, y): ICRS RA/Dec (see :func:`cursor_text`)."""
        return cursor_text(self.mapping, x, y)

    def fit_all(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Show the image and every footprint (beyond the image if need be), and make that
        the toolbar's Home view; returns (xlim, ylim) in pixels."""
        if self.ax is None:
            raise ValueError("fit_all: no image or sky grid is shown yet")
        points = []
        if self._result is not None:
            nirspec = self._result.nirspec_footprints or (self._result.nirspec,)
            for footprint in (*nirspec, self._result.nircam):
                x, y = self.sky_to_pixel(footprint.ra, footprint.dec)
                points.append(np.stack([np.ravel(x), np.ravel(y)], axis=-1))
        xlim, ylim = view_bounds(self.shape, points)
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        if toolbar is not None and hasattr(toolbar, "update"):
            toolbar.update()  # forget the old views: Home is this one
            toolbar.push_current()
        self.figure.canvas.draw_idle()
        return xlim, ylim
