"""Draw a plan's footprints and MSA coverage on a sky image with astropy WCSAxes.

:class:`SkyView` owns one matplotlib figure. :meth:`SkyView.show_image` builds
the WCS axes, the image and every overlay artist once per image (or per empty
sky grid); :meth:`SkyView.update` then moves those artists in place
(``set_xy``, ``set_verts``, ``set_path``, ``set_data``, ``set_offsets``) from a
:class:`previs.planning.plan.Result`, without touching the image. Nothing here computes
geometry: footprints and the uncovered MSA area come from the core, and the
only transformation is the image's WCS from sky to pixel coordinates.

This module knows matplotlib, not widgets; the dashboard hands it a figure
whose canvas is an ipympl widget, a script or a test an ordinary one.

Blitting (``SkyView(figure, blit=True)``) is done by
:class:`previs.plotting.blitting.OverlayBlitter`; the compass, scale bar and
the uncovered-area path come from :mod:`previs.plotting.decorations`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from astropy.visualization import ImageNormalize
from astropy.wcs import WCS
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Polygon
from matplotlib.path import Path
from matplotlib.text import Text

from previs.geometry.siaf import MSA_QUADRANTS
from previs.io.session import DisplaySettings
from previs.io.sky_mapping import SkyMapping
from previs.plotting.blitting import OverlayBlitter
from previs.plotting.catalog_markers import CatalogMarkers
from previs.plotting.decorations import (
    add_compass,
    add_scale_bar,
    compass_directions,
    overlay_legend,
    pixel_scale_arcsec,
    sky_path,
)
from previs.plotting.numbered_overlay import NumberedOverlay
from previs.plotting.shutter_layer import ShutterLayer
from previs.plotting.sky_style import StyledView
from previs.style import COLOURS, MARKERS

__all__ = ["SkyView", "STYLE"]

#: The overlay's colours (:data:`previs.style.COLOURS`, with ``msa`` for the NIRSpec outline).
STYLE = {**COLOURS, "msa": COLOURS["nirspec"]}
_MARKERS = MARKERS


class SkyView(StyledView):
    """One figure showing a sky image (or an empty grid) with the plan's overlay.

    Parameters
    ----------
    figure : matplotlib.figure.Figure, optional
        Figure to draw into (its canvas may be an ipympl widget). A new
        6.8" x 6.8" figure with no pyplot state is made when omitted.

    Attributes
    ----------
    figure : Figure
    ax : astropy.visualization.wcsaxes.WCSAxes or None
        The current axes (rebuilt by every :meth:`show_image`).
    wcs : astropy.wcs.WCS or None
        Celestial WCS of the current image or grid.
    image_artist : matplotlib.image.AxesImage or None
        The image, None on an empty sky grid.
    """

    def __init__(self, figure: Figure | None = None, blit: bool = False) -> None:
        self.figure = figure if figure is not None else Figure(figsize=(6.8, 6.8), dpi=100)
        self.blitter = OverlayBlitter(self.figure, self._blit_layer, enabled=bool(blit))
        self.ax = None
        self.wcs: WCS | None = None
        self.mapping: SkyMapping | None = None
        self.shape: tuple[int, int] | None = None
        self.image_artist = None
        self.image_norm: ImageNormalize | None = None
        #: Stretch, colour map and overlay colours (:meth:`set_display` changes them).
        self.display = DisplaySettings()
        self._display_data = None
        self._image_limits = None
        self.visible = {
            "ifu_slits": True,
            "nircam": True,
            "uncovered": True,
            "primaries": True,
            "fillers": True,
        }
        self._result = None
        self.catalog = CatalogMarkers()
        self.shutters = ShutterLayer()  # shutters and target states, drawn zoomed in
        self.n_image_draws = 0

    # ------------------------------------------------------------------ image / axes
    def show_image(
        self,
        data: np.ndarray | None,
        wcs: WCS,
        shape: tuple[int, int] | None = None,
        limits: tuple[float, float] | None = None,
        title: str = "",
    ) -> None:
        """Start over on a new image (or an empty grid when ``data`` is None).

        Parameters
        ----------
        data : numpy.ndarray or None
            2-D display image; None draws only the RA/Dec grid.
        wcs : astropy.wcs.WCS
            Celestial WCS of ``data`` (or of the empty grid).
        shape : tuple of int, optional
            (ny, nx) of the grid when ``data`` is None.
        limits : tuple of float, optional
            Display (vmin, vmax); the 0.5-99.7 percentiles of ``data`` when omitted.
        title : str
            Short text shown above the axes (e.g. the file name).
        """
        if data is None and shape is None:
            raise ValueError("show_image: give the grid shape (ny, nx) when there is no image data")
        self.figure.clear()
        self.blitter.mark_stale()
        self.wcs = wcs.celestial if wcs.naxis > 2 else wcs
        self.mapping = SkyMapping(self.wcs)
        self.shape = tuple(int(n) for n in (data.shape if data is not None else shape))
        # Axes up to 2 % below the top (5 % with a title): the toolbar has its own row above.
        height = 0.84 if title else 0.89
        ax = self.figure.add_axes((0.15, 0.09, 0.82, height), projection=self.wcs)
        self.ax = ax
        ny, nx = self.shape
        self.image_artist = None
        self._display_data, self._image_limits = data, limits
        if data is not None:
            # Colour-mapped once to RGBA bytes: every later redraw only resamples bytes,
            # about 2.5x faster than normalising the float image again on each draw.
            self._colour_image()
            self.n_image_draws += 1
            grid_alpha = 0.35
        else:
            self.image_norm = None
            ax.set_facecolor(STYLE["empty_sky"])
            grid_alpha = 0.6
        ax.set_xlim(-0.5, nx - 0.5)
        ax.set_ylim(-0.5, ny - 0.5)
        ax.set_aspect("equal")
        ax.format_coord = self.format_cursor  # ICRS under the cursor, whatever the frame
        ax.coords.grid(True, color=STYLE["grid"], alpha=grid_alpha, linestyle="dotted")
        x_label, y_label = self.mapping.axis_labels
        ax.coords[0].set_axislabel(x_label)
        ax.coords[1].set_axislabel(y_label)
        if self.mapping.is_equatorial:
            ax.coords[0].set_major_formatter("hh:mm:ss")
            ax.coords[1].set_major_formatter("dd:mm")
        else:
            ax.coords[0].set_major_formatter("d.dd")
            ax.coords[1].set_major_formatter("d.dd")
        if title:
            ax.set_title(title, fontsize=9, loc="left")
        self._build_overlay()
        self._compass = add_compass(ax, self.mapping, self.shape)
        self._scale_bar, self.scale_bar_pixels = add_scale_bar(ax, self.wcs, self.shape)
        if self._result is not None:
            self.update(self._result)
        self._place_catalog()

    def _build_overlay(self) -> None:
        ax = self.ax
        msa = STYLE["msa"]
        self._nircam = PolyCollection(
            [],
            facecolors=[STYLE["nircam_face"]],
            edgecolors=[STYLE["nircam_edge"]],
            linewidths=0.7,
            zorder=3,
        )
        ax.add_collection(self._nircam)
        self._other_nircam = PolyCollection(
            [], facecolors="none", edgecolors=[STYLE["nircam_edge"]], linewidths=0.6,
            linestyles="dashed", zorder=3,
        )  # fmt: skip
        ax.add_collection(self._other_nircam)
        self._uncovered = PathPatch(
            Path(np.zeros((1, 2))), facecolor=STYLE["uncovered"], edgecolor="none", zorder=4
        )
        ax.add_patch(self._uncovered)
        self._quadrants, self._quadrant_labels, self._ifu_slits = add_msa_artists(ax, msa)
        (self._nirspec_marker,) = ax.plot(
            [], [], marker="+", ms=11, mew=1.6, color=msa, linestyle="none", zorder=7
        )
        (self._nircam_marker,) = ax.plot(
            [],
            [],
            marker="x",
            ms=9,
            mew=1.6,
            color=STYLE["nircam_edge"][:3],
            linestyle="none",
            zorder=7,
        )
        self.numbered = NumberedOverlay(ax, STYLE, animated=self.blit)
        self.catalog.attach(ax)
        self.shutters.attach(ax, self.mapping, pixel_scale_arcsec(self.wcs))
        self._legend = None
        self._style_overlay()
        self._build_legend()
        self._apply_visibility()
        if self.blit:
            for artist in self._overlay_artists():
                artist.set_animated(True)

    def _build_legend(self) -> None:
        """The legend; catalog entries appear while a catalog with sources is set."""
        if self._legend is not None:
            self._legend.remove()
        self._legend = overlay_legend(
            self.ax, with_catalog=self.catalog.has_sources, display=self.display
        )
        self.blitter.mark_stale()  # the legend is part of the static layer

    # ------------------------------------------------------------------ coordinates
    def sky_to_pixel(self, ra: np.ndarray, dec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (0-based) of ICRS positions in degrees, in any image frame
        (:class:`previs.io.sky_mapping.SkyMapping`)."""
        return self.mapping.sky_to_pixel(ra, dec)

    def pixel_to_sky(self, x: float, y: float) -> tuple[float, float]:
        """ICRS position (RA, Dec degrees) of a pixel position (0-based)."""
        ra, dec = self.mapping.pixel_to_sky(x, y)
        return float(ra), float(dec)

    def contains_pixel(self, x: float, y: float) -> bool:
        """Whether (x, y) lies on the image or grid."""
        ny, nx = self.shape
        return -0.5 <= x <= nx - 0.5 and -0.5 <= y <= ny - 0.5

    # ------------------------------------------------------------------ overlay
    def update(self, result, uncovered: list | None = None) -> None:
        """Move every overlay artist to the footprints and coverage of ``result``.

        Parameters
        ----------
        result : previs.planning.plan.Result
            Output of :func:`previs.planning.plan.evaluate`.
        uncovered : list of sky polygons, optional
            What to shade as the MSA not covered, when it is not the result's (the
            MSA minus an image's valid data: ``ImageCoverage.uncovered_sky_polygons()``).
        """
        self._result = result
        if self.ax is None:
            return
        nirspec, nircam = result.nirspec, result.nircam
        x, y = self.sky_to_pixel(nirspec.ra, nirspec.dec)
        corners = np.stack([x, y], axis=-1)
        index = {name: i for i, name in enumerate(nirspec.names)}
        for patch, label, name in zip(
            self._quadrants, self._quadrant_labels, MSA_QUADRANTS, strict=True
        ):
            quad = corners[index[name]]
            patch.set_xy(quad)
            label.set_position(quad.mean(axis=0))
        others = [corners[i] for i, name in enumerate(nirspec.names) if name not in MSA_QUADRANTS]
        self._ifu_slits.set_verts(others)
        x, y = self.sky_to_pixel(nircam.ra, nircam.dec)
        nircam_xy = np.stack([x, y], axis=-1)
        self._nircam.set_verts(list(nircam_xy))
        self.numbered.update(result, nircam_xy, self.sky_to_pixel)
        other = result.other_nircam
        if other is not None:
            x, y = self.sky_to_pixel(other.ra, other.dec)
            self._other_nircam.set_verts(list(np.stack([x, y], axis=-1)))
        else:
            self._other_nircam.set_verts([])
        if uncovered is None:
            uncovered = result.coverage.uncovered_sky_polygons()
        self.set_uncovered(uncovered)
        plan = result.plan
        self._nirspec_marker.set_data(*self.sky_to_pixel([plan.nirspec.ra], [plan.nirspec.dec]))
        self._nircam_marker.set_data(*self.sky_to_pixel([plan.nircam.ra], [plan.nircam.dec]))

    def set_uncovered(self, sky_polygons: list) -> None:
        """Shade these sky polygons (``uncovered_sky_polygons()``) as the MSA not covered."""
        self._uncovered.set_path(sky_path(sky_polygons, self.sky_to_pixel))

    def set_visible(
        self,
        ifu_slits: bool | None = None,
        nircam: bool | None = None,
        uncovered: bool | None = None,
        primaries: bool | None = None,
        fillers: bool | None = None,
    ) -> None:
        """Show or hide overlays: IFU and fixed slits, NIRCam detectors, uncovered MSA
        area, catalog primaries, catalog fillers (None leaves one as it is).

        The at-risk rings follow the kinds shown.
        """
        for key, value in (
            ("ifu_slits", ifu_slits),
            ("nircam", nircam),
            ("uncovered", uncovered),
            ("primaries", primaries),
            ("fillers", fillers),
        ):
            if value is not None:
                self.visible[key] = bool(value)
        if self.ax is not None:
            self._apply_visibility()
            self.catalog.place_at_risk(self.visible)

    def _apply_visibility(self) -> None:
        self._ifu_slits.set_visible(self.visible["ifu_slits"])
        self._nircam.set_visible(self.visible["nircam"])
        self.numbered.set_visible(self.visible["nircam"])
        self._other_nircam.set_visible(self.visible["nircam"] and self.display.both_channels)
        self._uncovered.set_visible(self.visible["uncovered"])
        self.catalog.primaries.set_visible(self.visible["primaries"])
        self.catalog.fillers.set_visible(self.visible["fillers"])

    # ------------------------------------------------------------------ drawing
    def _overlay_artists(self) -> list:
        """Artists that move with the plan, in drawing order (the rest is the static layer)."""
        artists = [
            self._nircam,
            self._other_nircam,
            self._uncovered,
            *self._quadrants,
            self._ifu_slits,
            *self._quadrant_labels,
            *self.numbered.artists,
            *self.catalog.artists,
            *self.shutters.artists,
            self._nirspec_marker,
            self._nircam_marker,
        ]
        return sorted(artists, key=lambda artist: artist.get_zorder())  # stable sort

    def _blit_layer(self) -> tuple:
        if self.ax is None:
            return None, [], None
        return self.ax, self._overlay_artists(), self._legend

    @property
    def blit(self) -> bool:
        """Whether the overlay is blitted over a cached static layer (else fully redrawn);
        artists made while it is on are animated (set it before :meth:`show_image`)."""
        return self.blitter.enabled

    @blit.setter
    def blit(self, value: bool) -> None:
        self.blitter.enabled = bool(value)

    @property
    def n_full_draws(self) -> int:
        """Full draws seen since the view was made (see :mod:`previs.plotting.blitting`)."""
        return self.blitter.n_full_draws

    @property
    def n_blits(self) -> int:
        """Overlay-only redraws since the view was made."""
        return self.blitter.n_blits

    def can_blit(self) -> bool:
        """Whether :meth:`refresh` can blit (a valid copy of the static layer exists)."""
        return self.blitter.can_blit()

    def refresh(self) -> str:
        """Show the current overlay: ``"blit"`` over the cached static layer when possible,
        else ``"draw"`` (a full ``draw_idle``)."""
        return self.blitter.refresh()

    def compass_directions(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors (pixel axes) pointing north and east at pixel (x, y)."""
        return compass_directions(self.mapping, x, y)

    def pixel_scale_arcsec(self) -> float:
        """Geometric-mean pixel size of the current WCS at its reference pixel, arcsec."""
        return pixel_scale_arcsec(self.wcs)

    # ------------------------------------------------------------------ catalog overlay
    def set_catalog(
        self,
        ra: Iterable[float],
        dec: Iterable[float],
        primary: Iterable[bool] | None = None,
    ) -> None:
        """Mark catalog sources (RA, Dec degrees): primaries as circles, fillers as squares.

        See :meth:`previs.plotting.catalog_markers.CatalogMarkers.set_sources`.
        """
        self.catalog.set_sources(ra, dec, primary)
        self._place_catalog()

    def set_at_risk(self, at_risk: Iterable[bool] | None) -> None:
        """Ring the catalog sources flagged by ``at_risk`` (None: none), as
        :attr:`previs.catalog.sources.SourceCounts.at_risk` gives them."""
        self.catalog.set_at_risk(at_risk, self.visible)

    def _place_catalog(self) -> None:
        if self.ax is None:
            return
        if self.catalog.place(self.sky_to_pixel, self.visible):
            self._build_legend()

    # ------------------------------------------------------------------ access for tests/tools
    @property
    def artists(self) -> dict:
        """The overlay artists by role (stable between updates for one image)."""
        return {
            "quadrants": list(self._quadrants),
            "quadrant_labels": list(self._quadrant_labels),
            "ifu_slits": self._ifu_slits,
            "nircam": self._nircam,
            "other_nircam": self._other_nircam,
            "uncovered": self._uncovered,
            "nirspec_marker": self._nirspec_marker,
            "nircam_marker": self._nircam_marker,
            "extra_msa": self.numbered.extra_msa,
            "pointing_labels": self.numbered.pointing_labels.texts,
            "tile_labels": self.numbered.tile_labels.texts,
            "dither_labels": self.numbered.dither_labels.texts,
            "primaries": self.catalog.primaries,
            "fillers": self.catalog.fillers,
            "shutters": self.shutters,
            "at_risk": self.catalog.at_risk_rings,
            "compass": self._compass,
            "scale_bar": self._scale_bar.shown,
        }


def add_msa_artists(ax, colour) -> tuple[list[Polygon], list[Text], PolyCollection]:
    """Add the MSA's artists to ``ax``, empty until placed: one outline and one "Q<n>"
    label per quadrant, and the IFU slices, all in ``colour``."""
    quadrants = [
        ax.add_patch(
            Polygon(np.zeros((4, 2)), closed=True, fill=False, edgecolor=colour,
                    linewidth=1.4, zorder=5)
        )
        for _ in MSA_QUADRANTS
    ]  # fmt: skip
    labels = [
        ax.add_artist(
            Text(0, 0, f"Q{i + 1}", color=colour, fontsize=10, fontweight="bold",
                 ha="center", va="center", zorder=6, clip_on=True)
        )
        for i in range(len(MSA_QUADRANTS))
    ]  # fmt: skip
    slits = PolyCollection([], facecolors="none", edgecolors=[colour], linewidths=1.0, zorder=5)
    ax.add_collection(slits)
    return quadrants, labels, slits
