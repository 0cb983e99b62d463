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

Blitting (``SkyView(figure, blit=True)``): redrawing WCSAxes (frame, ticks,
grid, labels) and resampling the image costs 100-200 ms per frame, while the
overlay changes on every slider move. With ``blit`` the overlay artists are
animated: a full draw renders the static layer (image, grid, ticks, labels,
legend, compass, scale bar), which the ``draw_event`` handler copies
(``copy_from_bbox``) before drawing the overlay on top. :meth:`SkyView.refresh`
then restores that copy, draws only the overlay (``draw_artist``) and calls
``canvas.blit``; it falls back to ``draw_idle`` (a full redraw) when there is
no copy yet, the canvas cannot blit, or the figure size, resolution or axis
limits changed since the copy (a resize, zoom or pan), and after a new image
or legend. Saving a figure draws animated artists as usual.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from astropy.visualization import AsinhStretch, ImageNormalize
from astropy.wcs import WCS
from matplotlib import colormaps
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea
from matplotlib.patches import FancyArrowPatch, Patch, PathPatch, Polygon
from matplotlib.path import Path
from matplotlib.text import Text
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from previs.geometry.projection import offset_position
from previs.geometry.siaf import MSA_QUADRANTS
from previs.style import COLOURS, MARKERS

__all__ = ["SkyView", "STYLE"]

#: The overlay's colours (:data:`previs.style.COLOURS`, with ``msa`` for the NIRSpec outline).
STYLE = {**COLOURS, "msa": COLOURS["nirspec"]}
_MARKERS = MARKERS
_ASINH_A = 0.05
_IMAGE_CMAP = "gray"
_COMPASS_SIZE_POINTS = 34.0


class SkyView:
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
        self.blit = bool(blit)
        self._background = None
        self._legend_pixels = None
        self._background_key: tuple | None = None
        self._static_stale = True
        self.n_full_draws = 0
        self.n_blits = 0
        # The callback registry belongs to the figure: it survives a change of canvas.
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)
        self.ax = None
        self.wcs: WCS | None = None
        self.shape: tuple[int, int] | None = None
        self.image_artist = None
        self.image_norm: ImageNormalize | None = None
        self.visible = {
            "ifu_slits": True,
            "nircam": True,
            "uncovered": True,
            "primaries": True,
            "fillers": True,
        }
        self._result = None
        # Catalog: sky positions and primary mask (kept across images), pixel positions
        # (per image), and the at-risk mask of the last counts.
        self._catalog_radec: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._catalog_xy: np.ndarray = np.empty((0, 2))
        self._at_risk: np.ndarray | None = None
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
        self._static_stale = True
        self._background = self._legend_pixels = None
        self.wcs = wcs.celestial if wcs.naxis > 2 else wcs
        self.shape = tuple(int(n) for n in (data.shape if data is not None else shape))
        ax = self.figure.add_axes((0.15, 0.09, 0.82, 0.85), projection=self.wcs)
        self.ax = ax
        ny, nx = self.shape
        if data is not None:
            if limits is None:
                from previs.io.images import display_limits

                limits = display_limits(data)
            self.image_norm = ImageNormalize(
                vmin=limits[0], vmax=limits[1], stretch=AsinhStretch(_ASINH_A), clip=True
            )
            # Colour-mapped once to RGBA bytes: every later redraw only resamples bytes,
            # about 2.5x faster than normalising the float image again on each draw.
            rgba = colormaps[_IMAGE_CMAP](
                self.image_norm(np.nan_to_num(data, nan=limits[0])), bytes=True
            )
            self.image_artist = ax.imshow(rgba, origin="lower", interpolation="antialiased")
            self.n_image_draws += 1
            grid_alpha = 0.35
        else:
            self.image_artist = None
            self.image_norm = None
            ax.set_facecolor(STYLE["empty_sky"])
            grid_alpha = 0.6
        ax.set_xlim(-0.5, nx - 0.5)
        ax.set_ylim(-0.5, ny - 0.5)
        ax.set_aspect("equal")
        ax.coords.grid(True, color=STYLE["grid"], alpha=grid_alpha, linestyle="dotted")
        ax.coords[0].set_axislabel("RA (ICRS)")
        ax.coords[1].set_axislabel("Dec (ICRS)")
        ax.coords[0].set_major_formatter("hh:mm:ss")
        ax.coords[1].set_major_formatter("dd:mm")
        if title:
            ax.set_title(title, fontsize=9, loc="left")
        self._build_overlay()
        self._draw_compass_and_scale()
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
        self._uncovered = PathPatch(
            Path(np.zeros((1, 2))), facecolor=STYLE["uncovered"], edgecolor="none", zorder=4
        )
        ax.add_patch(self._uncovered)
        self._quadrants = [
            ax.add_patch(
                Polygon(
                    np.zeros((4, 2)),
                    closed=True,
                    fill=False,
                    edgecolor=msa,
                    linewidth=1.4,
                    zorder=5,
                )
            )
            for _ in MSA_QUADRANTS
        ]
        self._quadrant_labels = [
            ax.add_artist(
                Text(
                    0,
                    0,
                    f"Q{i + 1}",
                    color=msa,
                    fontsize=10,
                    fontweight="bold",
                    ha="center",
                    va="center",
                    zorder=6,
                    clip_on=True,
                )
            )
            for i in range(len(MSA_QUADRANTS))
        ]
        self._ifu_slits = PolyCollection(
            [], facecolors="none", edgecolors=[msa], linewidths=1.0, zorder=5
        )
        ax.add_collection(self._ifu_slits)
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
        self._at_risk_rings = ax.scatter(
            [], [], **_MARKERS["at_risk"], facecolors="none", edgecolors=STYLE["at_risk"], zorder=6
        )
        self._fillers = ax.scatter(
            [], [], **_MARKERS["filler"], facecolors="none", edgecolors=STYLE["filler"], zorder=6
        )
        self._primaries = ax.scatter(
            [], [], **_MARKERS["primary"], facecolors="none", edgecolors=STYLE["primary"], zorder=6
        )
        self._legend = None
        self._build_legend()
        self._apply_visibility()
        if self.blit:
            for artist in self._overlay_artists():
                artist.set_animated(True)

    def _build_legend(self) -> None:
        """The legend; catalog entries appear while a catalog with sources is set."""
        if self._legend is not None:
            self._legend.remove()
        msa = STYLE["msa"]
        items = [
            Patch(facecolor="none", edgecolor=msa, label="NIRSpec MSA, IFU, slits"),
            Patch(
                facecolor=STYLE["nircam_face"],
                edgecolor=STYLE["nircam_edge"],
                label="NIRCam detectors",
            ),
            Patch(facecolor=STYLE["uncovered"], edgecolor="none", label="MSA not covered"),
        ]
        if len(self._catalog_xy):
            for key, label in (
                ("primary", "primary targets"),
                ("filler", "fillers"),
                ("at_risk", "in MSA, not imaged"),
            ):
                items.append(
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker=_MARKERS[key]["marker"],
                        markersize=np.sqrt(_MARKERS[key]["s"]) * 0.8,
                        markerfacecolor="none",
                        markeredgecolor=STYLE[key],
                        markeredgewidth=_MARKERS[key]["linewidths"],
                        label=label,
                    )
                )
        self._legend = self.ax.legend(
            handles=items, loc="upper right", fontsize=7.5, framealpha=0.75
        )
        self._legend.set_zorder(10)
        self._static_stale = True  # the legend is part of the static layer

    def _draw_compass_and_scale(self) -> None:
        """N/E arrows (from the WCS at the image centre) and a scale bar, once per image."""
        ny, nx = self.shape
        north, east = self.compass_directions((nx - 1) / 2.0, (ny - 1) / 2.0)
        size = _COMPASS_SIZE_POINTS
        area = DrawingArea(2 * size + 16, 2 * size + 16, 0, 0)
        centre = np.array([size + 8, size + 8])
        colour = STYLE["compass"]
        for direction, label in ((north, "N"), (east, "E")):
            tip = centre + direction * size
            area.add_artist(
                FancyArrowPatch(
                    tuple(centre),
                    tuple(tip),
                    arrowstyle="-|>",
                    mutation_scale=10,
                    color=colour,
                    lw=1.4,
                )
            )
            text_at = centre + direction * (size + 8)
            area.add_artist(
                Text(
                    text_at[0],
                    text_at[1],
                    label,
                    color=colour,
                    fontsize=9,
                    fontweight="bold",
                    ha="center",
                    va="center",
                )
            )
        self._compass = AnchoredOffsetbox(
            loc="lower right", child=area, frameon=False, pad=0.2, borderpad=0.3
        )
        self.ax.add_artist(self._compass)
        scale_arcsec = self.pixel_scale_arcsec()
        field_arcsec = min(nx, ny) * scale_arcsec
        bar_arcsec = 60.0 if field_arcsec >= 240.0 else 10.0
        label = "1'" if bar_arcsec == 60.0 else '10"'
        self._scale_bar = AnchoredSizeBar(
            self.ax.transData,
            bar_arcsec / scale_arcsec,
            label,
            loc="lower left",
            color=colour,
            frameon=False,
            size_vertical=0,
            pad=0.4,
            sep=3,
        )
        self.scale_bar_pixels = bar_arcsec / scale_arcsec
        self.ax.add_artist(self._scale_bar)

    def compass_directions(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors (pixel axes) pointing north and east at pixel (x, y).

        From the pixels of points 1" north and 1" east in the tangent plane at
        (x, y)'s sky position, which stay well defined up to the poles.
        """
        ra, dec = (float(v) for v in self.wcs.pixel_to_world_values(x, y))
        north_ra, north_dec = offset_position(ra, dec, 0.0, 1.0)
        east_ra, east_dec = offset_position(ra, dec, 1.0, 0.0)
        points = self.wcs.world_to_pixel_values(
            np.array([ra, north_ra, east_ra]), np.array([dec, north_dec, east_dec])
        )
        px, py = (np.asarray(v, dtype=float) for v in points)
        north = np.array([px[1] - px[0], py[1] - py[0]])
        east = np.array([px[2] - px[0], py[2] - py[0]])
        return north / np.hypot(*north), east / np.hypot(*east)

    def pixel_scale_arcsec(self) -> float:
        """Geometric-mean pixel size of the current WCS at its reference pixel, arcsec."""
        from astropy.wcs.utils import proj_plane_pixel_scales

        scales = np.abs(proj_plane_pixel_scales(self.wcs))  # degrees per pixel (celestial WCS)
        return float(np.sqrt(scales[0] * scales[1]) * 3600.0)

    # ------------------------------------------------------------------ coordinates
    def sky_to_pixel(self, ra: np.ndarray, dec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (0-based) of sky positions in degrees, through the image WCS."""
        ra = np.asarray(ra, dtype=float)
        dec = np.asarray(dec, dtype=float)
        x, y = self.wcs.world_to_pixel_values(ra.ravel(), dec.ravel())
        return np.asarray(x).reshape(ra.shape), np.asarray(y).reshape(ra.shape)

    def pixel_to_sky(self, x: float, y: float) -> tuple[float, float]:
        """Sky position (RA, Dec degrees) of a pixel position (0-based)."""
        ra, dec = self.wcs.pixel_to_world_values(x, y)
        return float(ra) % 360.0, float(dec)

    def contains_pixel(self, x: float, y: float) -> bool:
        """Whether (x, y) lies on the image or grid."""
        ny, nx = self.shape
        return -0.5 <= x <= nx - 0.5 and -0.5 <= y <= ny - 0.5

    # ------------------------------------------------------------------ overlay
    def update(self, result) -> None:
        """Move every overlay artist to the footprints and coverage of ``result``.

        Parameters
        ----------
        result : previs.planning.plan.Result
            Output of :func:`previs.planning.plan.evaluate`.
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
        self._nircam.set_verts(list(np.stack([x, y], axis=-1)))
        self._uncovered.set_path(self._uncovered_path(result.coverage))
        plan = result.plan
        self._nirspec_marker.set_data(*self.sky_to_pixel([plan.nirspec.ra], [plan.nirspec.dec]))
        self._nircam_marker.set_data(*self.sky_to_pixel([plan.nircam.ra], [plan.nircam.dec]))

    def _uncovered_path(self, coverage) -> Path:
        """One compound path of the uncovered MSA area: exteriors anticlockwise, holes clockwise.

        The rings come from :meth:`previs.geometry.coverage.Coverage.uncovered_sky_polygons`;
        matplotlib fills with the non-zero winding rule, so holes must turn the
        other way than their exterior in pixel coordinates.
        """
        vertices, codes = [], []
        for rings in coverage.uncovered_sky_polygons():
            for k, (ra, dec) in enumerate(rings):
                px, py = self.sky_to_pixel(ra, dec)
                ring_xy = np.column_stack([px, py])
                signed = _signed_area(ring_xy)
                if (k == 0) != (signed > 0):
                    ring_xy = ring_xy[::-1]
                ring_codes = np.full(len(ring_xy), Path.LINETO, dtype=Path.code_type)
                ring_codes[0] = Path.MOVETO
                ring_codes[-1] = Path.CLOSEPOLY
                vertices.append(ring_xy)
                codes.append(ring_codes)
        if not vertices:
            return Path(np.zeros((1, 2)), [Path.MOVETO])
        return Path(np.concatenate(vertices), np.concatenate(codes))

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
            self._place_at_risk()

    def _apply_visibility(self) -> None:
        self._ifu_slits.set_visible(self.visible["ifu_slits"])
        self._nircam.set_visible(self.visible["nircam"])
        self._uncovered.set_visible(self.visible["uncovered"])
        self._primaries.set_visible(self.visible["primaries"])
        self._fillers.set_visible(self.visible["fillers"])

    # ------------------------------------------------------------------ drawing
    def _overlay_artists(self) -> list:
        """Artists that move with the plan, in drawing order (the rest is the static layer)."""
        artists = [
            self._nircam,
            self._uncovered,
            *self._quadrants,
            self._ifu_slits,
            *self._quadrant_labels,
            self._at_risk_rings,
            self._fillers,
            self._primaries,
            self._nirspec_marker,
            self._nircam_marker,
        ]
        return sorted(artists, key=lambda artist: artist.get_zorder())  # stable sort

    def _canvas_key(self) -> tuple:
        canvas = self.figure.canvas
        return (
            tuple(canvas.get_width_height(physical=True)),
            float(self.figure.dpi),
            tuple(self.ax.get_xlim()),
            tuple(self.ax.get_ylim()),
        )

    def _on_draw(self, event) -> None:
        """After a full draw: keep the static layer, then draw the animated overlay on it."""
        canvas = self.figure.canvas
        if (
            not self.blit
            or self.ax is None
            or event.canvas is not canvas
            or canvas.is_saving()
            or not hasattr(canvas, "copy_from_bbox")
        ):
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        # The legend stays above the overlay, as in a non-blitted draw: keep its pixels
        # (legend over the static layer) to paste back after the overlay.
        legend_box = self._legend.get_window_extent(event.renderer).padded(2)
        self._legend_pixels = canvas.copy_from_bbox(legend_box)
        self._background_key = self._canvas_key()
        self._static_stale = False
        self.n_full_draws += 1
        self._draw_overlay()

    def _draw_overlay(self) -> None:
        for artist in self._overlay_artists():
            self.ax.draw_artist(artist)  # skips hidden artists
        if self._legend_pixels is not None:
            self.figure.canvas.restore_region(self._legend_pixels)

    def can_blit(self) -> bool:
        """Whether :meth:`refresh` can blit (a valid copy of the static layer exists)."""
        canvas = self.figure.canvas
        return (
            self.blit
            and self.ax is not None
            and self._background is not None
            and not self._static_stale
            and hasattr(canvas, "restore_region")
            and self._background_key == self._canvas_key()
        )

    def refresh(self) -> str:
        """Show the current overlay: blit it over the static layer when possible.

        Returns ``"blit"`` when the overlay was blitted, ``"draw"`` when a full
        redraw was requested with ``draw_idle`` instead.
        """
        canvas = self.figure.canvas
        if not self.can_blit():
            canvas.draw_idle()
            return "draw"
        canvas.restore_region(self._background)
        self._draw_overlay()
        canvas.blit(self.figure.bbox)
        self.n_blits += 1
        return "blit"

    # ------------------------------------------------------------------ catalog overlay
    def set_catalog(
        self,
        ra: Iterable[float],
        dec: Iterable[float],
        primary: Iterable[bool] | None = None,
    ) -> None:
        """Mark catalog sources (RA, Dec degrees): primaries as circles, fillers as squares.

        Parameters
        ----------
        ra, dec : array_like
            Source positions, degrees; empty arrays clear the overlay.
        primary : array_like of bool, optional
            True for a primary target, False for a filler (default: all primary).

        The positions go through the image WCS once here (and once per new
        image); :meth:`set_at_risk` then only picks rings from them.
        """
        ra = np.asarray(ra, dtype=float).ravel()
        dec = np.asarray(dec, dtype=float).ravel()
        if ra.shape != dec.shape:
            raise ValueError(f"set_catalog: {ra.size} RA values but {dec.size} Dec values")
        if primary is None:
            primary = np.ones(ra.shape, dtype=bool)
        primary = np.asarray(primary, dtype=bool).ravel()
        if primary.shape != ra.shape:
            raise ValueError(f"set_catalog: {primary.size} primary flags for {ra.size} sources")
        self._catalog_radec = (ra, dec, primary)
        self._at_risk = None
        self._place_catalog()

    def set_at_risk(self, at_risk: Iterable[bool] | None) -> None:
        """Ring the sources of the catalog given by the boolean mask ``at_risk`` (None: none).

        Typically :attr:`previs.catalog.sources.SourceCounts.at_risk`: inside the MSA but
        in no NIRCam exposure. Only sources of a kind shown get a ring.
        """
        if at_risk is not None:
            at_risk = np.asarray(at_risk, dtype=bool).ravel()
            n = 0 if self._catalog_radec is None else len(self._catalog_radec[0])
            if at_risk.shape != (n,):
                raise ValueError(f"set_at_risk: {at_risk.size} flags for {n} catalog sources")
        self._at_risk = at_risk
        self._place_at_risk()

    def _place_catalog(self) -> None:
        if self.ax is None:
            return
        had_sources = len(self._catalog_xy) > 0
        if self._catalog_radec is None or len(self._catalog_radec[0]) == 0:
            self._catalog_xy = np.empty((0, 2))
            primary = np.zeros(0, dtype=bool)
        else:
            ra, dec, primary = self._catalog_radec
            x, y = self.sky_to_pixel(ra, dec)
            self._catalog_xy = np.column_stack([x, y])
        self._primaries.set_offsets(self._catalog_xy[primary])
        self._fillers.set_offsets(self._catalog_xy[~primary])
        if had_sources != (len(self._catalog_xy) > 0):
            self._build_legend()
        self._place_at_risk()

    def _place_at_risk(self) -> None:
        if self.ax is None:
            return
        if self._at_risk is None or self._catalog_radec is None:
            self._at_risk_rings.set_offsets(np.empty((0, 2)))
            return
        primary = self._catalog_radec[2]
        shown = (primary & self.visible["primaries"]) | (~primary & self.visible["fillers"])
        self._at_risk_rings.set_offsets(self._catalog_xy[self._at_risk & shown])

    # ------------------------------------------------------------------ access for tests/tools
    @property
    def artists(self) -> dict:
        """The overlay artists by role (stable between updates for one image)."""
        return {
            "quadrants": list(self._quadrants),
            "quadrant_labels": list(self._quadrant_labels),
            "ifu_slits": self._ifu_slits,
            "nircam": self._nircam,
            "uncovered": self._uncovered,
            "nirspec_marker": self._nirspec_marker,
            "nircam_marker": self._nircam_marker,
            "primaries": self._primaries,
            "fillers": self._fillers,
            "at_risk": self._at_risk_rings,
            "compass": self._compass,
            "scale_bar": self._scale_bar,
        }


def _signed_area(xy: np.ndarray) -> float:
    """Shoelace signed area of a ring (positive when anticlockwise)."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
