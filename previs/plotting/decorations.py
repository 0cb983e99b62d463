"""Figure furniture that depends on the image's WCS: compass, scale bar, uncovered-area path.

Functions of matplotlib axes and a celestial WCS, drawn once per image by
:class:`previs.plotting.sky.SkyView`.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from astropy.wcs import WCS
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from matplotlib.text import Text
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from previs.geometry.projection import offset_position
from previs.io.sky_mapping import SkyMapping
from previs.style import COLOURS, MARKERS

__all__ = [
    "SCALE_BAR_LENGTHS",
    "ScaleBars",
    "add_compass",
    "add_scale_bar",
    "compass_directions",
    "overlay_legend",
    "pixel_scale_arcsec",
    "sky_path",
]

COMPASS_SIZE_POINTS = 34.0


def compass_directions(mapping: SkyMapping, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (pixel axes) pointing to ICRS north and east at pixel (x, y).

    From the pixels of points 1" north and 1" east in the tangent plane at
    (x, y)'s sky position, which stay well defined up to the poles.
    """
    ra, dec = (float(v) for v in mapping.pixel_to_sky(x, y))
    north_ra, north_dec = offset_position(ra, dec, 0.0, 1.0)
    east_ra, east_dec = offset_position(ra, dec, 1.0, 0.0)
    points = mapping.sky_to_pixel(
        np.array([ra, north_ra, east_ra]), np.array([dec, north_dec, east_dec])
    )
    px, py = (np.asarray(v, dtype=float) for v in points)
    north = np.array([px[1] - px[0], py[1] - py[0]])
    east = np.array([px[2] - px[0], py[2] - py[0]])
    return north / np.hypot(*north), east / np.hypot(*east)


def pixel_scale_arcsec(wcs: WCS) -> float:
    """Geometric-mean pixel size of a celestial WCS at its reference pixel, arcsec."""
    from astropy.wcs.utils import proj_plane_pixel_scales

    scales = np.abs(proj_plane_pixel_scales(wcs))  # degrees per pixel
    return float(np.sqrt(scales[0] * scales[1]) * 3600.0)


def add_compass(ax, mapping: SkyMapping, shape: tuple[int, int]) -> AnchoredOffsetbox:
    """N/E arrows (ICRS, at the image centre) in the lower right corner of ``ax``."""
    ny, nx = shape
    north, east = compass_directions(mapping, (nx - 1) / 2.0, (ny - 1) / 2.0)
    size = COMPASS_SIZE_POINTS
    area = DrawingArea(2 * size + 16, 2 * size + 16, 0, 0)
    centre = np.array([size + 8, size + 8])
    colour = COLOURS["compass"]
    for direction, label in ((north, "N"), (east, "E")):
        tip = centre + direction * size
        area.add_artist(
            FancyArrowPatch(
                tuple(centre), tuple(tip), arrowstyle="-|>", mutation_scale=10, color=colour, lw=1.4
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
    compass = AnchoredOffsetbox(loc="lower right", child=area, frameon=True, pad=0.1, borderpad=0.3)
    _backing(compass.patch)
    ax.add_artist(compass)
    return compass


def _backing(patch) -> None:
    """A dark, half-transparent box behind the compass and scale bar: legible on light images."""
    patch.set_facecolor((0.05, 0.08, 0.12, 0.55))
    patch.set_edgecolor("none")
    patch.set_boxstyle("round,pad=0.2,rounding_size=0.3")


#: Scale bar lengths (arcsec) and labels, longest first: the bar shown is the longest
#: under :data:`SCALE_BAR_FRACTION` of the view's width.
SCALE_BAR_LENGTHS = ((60.0, "1'"), (30.0, '30"'), (10.0, '10"'), (5.0, '5"'), (1.0, '1"'))
SCALE_BAR_FRACTION = 0.4


class ScaleBars:
    """Scale bars in the lower left of the axes, one shown at a time: the longest that fits
    in :data:`SCALE_BAR_FRACTION` of the view's width, so that zoomed in (the shutter
    layer's 20") the bar stays inside the axes. A zoom, a pan or "Fit all" picks again
    (the axes' ``xlim_changed``); a resize keeps it (the view's arcsec are the same).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The sky axes (data coordinates: the image's pixels).
    scale_arcsec : float
        Arcsec per image pixel.
    longest_arcsec : float
        The longest bar offered (1' on fields of 4' or more, else 10").

    Attributes
    ----------
    bars : dict
        The bars (AnchoredSizeBar) by length in arcsec.
    length_arcsec : float
        The length of the bar shown.
    """

    def __init__(self, ax, scale_arcsec: float, longest_arcsec: float = 60.0) -> None:
        self.ax = ax
        self.scale_arcsec = float(scale_arcsec)
        self.bars: dict[float, AnchoredSizeBar] = {}
        for length, label in SCALE_BAR_LENGTHS:
            if length > longest_arcsec:
                continue
            bar = AnchoredSizeBar(
                ax.transData,
                length / self.scale_arcsec,
                label,
                loc="lower left",
                color=COLOURS["compass"],
                frameon=True,
                size_vertical=0,
                pad=0.4,
                sep=3,
            )
            _backing(bar.patch)
            ax.add_artist(bar)
            self.bars[length] = bar
        self.pick()
        ax.callbacks.connect("xlim_changed", lambda _: self.pick())

    @property
    def shown(self) -> AnchoredSizeBar:
        """The bar shown."""
        return self.bars[self.length_arcsec]

    def pick(self) -> float:
        """Show the longest bar that fits the view; returns its length in arcsec."""
        x0, x1 = self.ax.get_xlim()
        width_arcsec = abs(x1 - x0) * self.scale_arcsec
        fitting = [length for length in self.bars if length <= SCALE_BAR_FRACTION * width_arcsec]
        self.length_arcsec = max(fitting) if fitting else min(self.bars)
        for length, bar in self.bars.items():
            bar.set_visible(length == self.length_arcsec)
        return self.length_arcsec


def add_scale_bar(ax, wcs: WCS, shape: tuple[int, int]) -> tuple[ScaleBars, float]:
    """Scale bars in the lower left (:class:`ScaleBars`: 1', or on fields under 4' 10", and
    shorter ones when zoomed in); returns them and the longest one's length in pixels."""
    ny, nx = shape
    scale_arcsec = pixel_scale_arcsec(wcs)
    field_arcsec = min(nx, ny) * scale_arcsec
    bar_arcsec = 60.0 if field_arcsec >= 240.0 else 10.0
    return ScaleBars(ax, scale_arcsec, bar_arcsec), bar_arcsec / scale_arcsec


def sky_path(
    polygons: list, sky_to_pixel: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
) -> Path:
    """One compound path of sky polygons: exteriors anticlockwise, holes clockwise.

    ``polygons`` are lists of (ra, dec) rings, exterior first (as
    :meth:`previs.geometry.coverage.Coverage.uncovered_sky_polygons` gives);
    matplotlib fills with the non-zero winding rule, so holes must turn the
    other way than their exterior in pixel coordinates.
    """
    vertices, codes = [], []
    for rings in polygons:
        for k, (ra, dec) in enumerate(rings):
            px, py = sky_to_pixel(ra, dec)
            ring_xy = np.column_stack([px, py])
            if (k == 0) != (_signed_area(ring_xy) > 0):
                ring_xy = ring_xy[::-1]
            ring_codes = np.full(len(ring_xy), Path.LINETO, dtype=Path.code_type)
            ring_codes[0] = Path.MOVETO
            ring_codes[-1] = Path.CLOSEPOLY
            vertices.append(ring_xy)
            codes.append(ring_codes)
    if not vertices:
        return Path(np.zeros((1, 2)), [Path.MOVETO])
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _signed_area(xy: np.ndarray) -> float:
    """Shoelace signed area of a ring (positive when anticlockwise)."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def overlay_legend(ax, with_catalog: bool, display=None):
    """The overlay's legend in the upper right of ``ax`` (catalog entries ``with_catalog``),
    in the colours of ``display`` (a :class:`previs.io.session.DisplaySettings`)."""
    from previs.plotting.sky_style import overlay_colours

    colours = (
        overlay_colours(display)
        if display is not None
        else {"msa": COLOURS["nirspec"], "nircam_face": COLOURS["nircam_face"],
              "nircam_edge": COLOURS["nircam_edge"], "other_edge": COLOURS["nircam_edge"]}
    )  # fmt: skip
    items = [
        Patch(facecolor="none", edgecolor=colours["msa"], label="NIRSpec MSA, IFU, slits"),
        Patch(
            facecolor=colours["nircam_face"],
            edgecolor=colours["nircam_edge"],
            label="NIRCam detectors",
        ),
    ]
    if display is not None and display.both_channels:
        items.append(
            Patch(facecolor="none", edgecolor=colours["other_edge"], linestyle="--",
                  label="other NIRCam channel")
        )  # fmt: skip
    items.append(Patch(facecolor=COLOURS["uncovered"], edgecolor="none", label="MSA not covered"))
    if with_catalog:
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
                    marker=MARKERS[key]["marker"],
                    markersize=np.sqrt(MARKERS[key]["s"]) * 0.8,
                    markerfacecolor="none",
                    markeredgecolor=COLOURS[key],
                    markeredgewidth=MARKERS[key]["linewidths"],
                    label=label,
                )
            )
    legend = ax.legend(handles=items, loc="upper right", fontsize=7.5, framealpha=0.75)
    legend.set_zorder(10)
    return legend
