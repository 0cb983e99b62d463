"""The MSA at shutter level on the sky view, drawn only when zoomed in far enough to see it.

Zoomed in (at least :data:`MIN_PIXELS_PER_SHUTTER` screen pixels per shutter
pitch), :class:`ShutterLayer` draws the open area (0.20" x 0.46") of every
shutter inside the view, at every NIRSpec pointing of the plan (an APT MOS
observation has several): operable shutters outlined, failed-closed ones shaded,
failed-open ones filled in a warning colour, and a dot on each catalog target
coloured by its state (:func:`target_states`). Zoomed out it draws nothing.

The layer is lazy: its two artists (the grid below the catalog markers, the
target dots above them) work out what to show when they are drawn, from the
axis limits of that moment, the NIRSpec pointing and the operability map. So a
zoom, a pan, "Fit all", a resize or a new NIRSpec APA all end up right without
any callback, and the only cost zoomed out is one comparison per frame: the
slider's hot path is unchanged. Zoomed in, only the shutters whose open area
overlaps the view are computed (the view's corners give a range of ``(i, j)``
per quadrant through its affine frame), at most :data:`MAX_SHUTTERS`.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.image import FigureImage
from matplotlib.patches import Patch

from previs.geometry.attitude import Pointing
from previs.geometry.operability import FAILED_CLOSED, FAILED_OPEN, OperabilityMap
from previs.geometry.shutter_model import MSAShutters, msa_shutters
from previs.geometry.shutters import ShutterPlacement, open_area_sky, shutter_ranges
from previs.io.sky_mapping import SkyMapping

__all__ = [
    "MAX_SHUTTERS",
    "MIN_PIXELS_PER_SHUTTER",
    "SHUTTER_COLOURS",
    "TARGET_STATES",
    "ShutterLayer",
    "shutters_in_view",
    "target_states",
]

#: Screen pixels per shutter pitch along i (about 0.27") from which shutters are drawn.
MIN_PIXELS_PER_SHUTTER = 4.0
#: Most shutters drawn at once (beyond: nothing, as zoomed out).
MAX_SHUTTERS = 40_000

#: Target states, in the order of :func:`target_states`' codes: key, legend label, colour.
TARGET_STATES: tuple[tuple[str, str, str], ...] = (
    ("usable", "operable shutter, pre-imaged", "#3cff3c"),
    ("failed", "failed shutter", "#ff3030"),
    ("bar_or_off", "on a bar or off the MSA", "#ffd21f"),
    ("not_imaged", "not pre-imaged", "#ffffff"),
)
USABLE, FAILED, BAR_OR_OFF, NOT_IMAGED = range(len(TARGET_STATES))

#: Colours of the shutter grid (RGBA): operable outlines, failed-closed and failed-open fills.
SHUTTER_COLOURS = {
    "operable": (0.15, 0.83, 1.0, 0.4),
    "failed_closed": (0.45, 0.45, 0.45, 0.80),
    "failed_open": (1.0, 0.36, 0.0, 0.90),
}


def target_states(placement: ShutterPlacement, pre_imaged: np.ndarray) -> np.ndarray:
    """The state code of every target (an index into :data:`TARGET_STATES`).

    Off the MSA: ``BAR_OR_OFF``; else in a failed shutter: ``FAILED``; else not
    pre-imaged: ``NOT_IMAGED``; else on a bar between open areas: ``BAR_OR_OFF``;
    else ``USABLE`` (in an operable shutter's open area and pre-imaged).

    Parameters
    ----------
    placement : ShutterPlacement
        Each target's shutter (:func:`previs.geometry.shutters.place_sources`).
    pre_imaged : numpy.ndarray of bool
        Whether each target is in the pre-imaging (an exposure, or an image's valid data).
    """
    pre_imaged = np.asarray(pre_imaged, dtype=bool)
    if pre_imaged.shape != (len(placement),):
        raise ValueError(f"target_states: {pre_imaged.size} flags for {len(placement)} targets")
    states = np.full(len(placement), USABLE, dtype=np.int8)
    on_msa = placement.on_msa
    states[on_msa & placement.on_bar] = BAR_OR_OFF
    states[on_msa & ~pre_imaged] = NOT_IMAGED
    states[on_msa & ~placement.operable] = FAILED
    states[~on_msa] = BAR_OR_OFF
    return states


def shutters_in_view(
    nirspec: Pointing,
    pixel_to_sky: Callable,
    sky_to_pixel: Callable,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    shutters: MSAShutters | None = None,
    limit: int = MAX_SHUTTERS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The shutters whose open area overlaps a pixel box, with their open-area corners.

    Parameters
    ----------
    nirspec : Pointing
        NRS_FULL_MSA pointing (degrees).
    pixel_to_sky, sky_to_pixel : callable
        The image's mapping between 0-based pixels and ICRS degrees.
    xlim, ylim : (float, float)
        The box in pixels (either order).
    shutters : MSAShutters, optional
        The geometry (default: the bundled snapshot).
    limit : int
        Most candidate shutters looked at; more gives None.

    Returns
    -------
    (quadrant, i, j, corners) or None
        1-based shutter numbers and the (n, 4, 2) pixel corners of their open
        areas whose bounding box meets the box; None when more than ``limit``
        shutters would have to be looked at.
    """
    shutters = shutters or msa_shutters()
    x0, x1 = sorted(float(v) for v in xlim)
    y0, y1 = sorted(float(v) for v in ylim)
    xs = np.array([x0, x1, x1, x0, (x0 + x1) / 2, x1, (x0 + x1) / 2, x0])
    ys = np.array([y0, y0, y1, y1, y0, (y0 + y1) / 2, y1, (y0 + y1) / 2])
    ra, dec = pixel_to_sky(xs, ys)
    ranges = shutter_ranges(nirspec, ra, dec, shutters)
    if ranges is None:
        return None
    total = sum((b - a + 1) * (d - c + 1) for _, a, b, c, d in ranges)
    empty = np.zeros(0, dtype=int)
    if total > limit:
        return None
    if total == 0:
        return empty, empty, empty, np.zeros((0, 4, 2))
    found = []
    for number, i_low, i_high, j_low, j_high in ranges:
        j, i = np.mgrid[j_low : j_high + 1, i_low : i_high + 1]
        i, j = i.ravel(), j.ravel()
        cra, cdec = open_area_sky(nirspec, number, i, j, shutters)
        px, py = sky_to_pixel(np.ravel(cra), np.ravel(cdec))
        px = np.asarray(px, dtype=float).reshape(-1, 4)
        py = np.asarray(py, dtype=float).reshape(-1, 4)
        keep = (
            (px.max(axis=1) >= x0)
            & (px.min(axis=1) <= x1)
            & (py.max(axis=1) >= y0)
            & (py.min(axis=1) <= y1)
        )
        quadrant = np.full(int(keep.sum()), number, dtype=int)
        found.append((quadrant, i[keep], j[keep], np.stack([px[keep], py[keep]], axis=-1)))
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))


class _LazyGroup(Artist):
    """Artists drawn together, after their owner has brought them up to date."""

    def __init__(
        self, owner: ShutterLayer, children: list, zorder: float, before: Callable | None = None
    ) -> None:
        super().__init__()
        self._owner = owner
        self._before = before
        self.children = children
        self.set_zorder(zorder)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        if self._owner.prepare():
            if self._before is not None:
                self._before()
            for child in self.children:
                child.draw(renderer)
        self.stale = False


class ShutterLayer:
    """Shutters and target states on one sky view, shown when zoomed in.

    Attributes
    ----------
    shown : bool
        Whether the last :meth:`prepare` found the view zoomed in far enough.
    drawn : tuple of numpy.ndarray
        Quadrant, i, j (1-based) of the shutters drawn, empty when not shown.
    drawn_pointing : numpy.ndarray
        For each shutter drawn, the index of its NIRSpec pointing (0: the first).
    n_prepared : int
        How many times the shutters in view were worked out (tests and benchmarks).
    """

    def __init__(self) -> None:
        self.ax = None
        self._sky_to_pixel = self._pixel_to_sky = None
        self._pixel_scale = 1.0
        self._nirspec: tuple[Pointing, ...] | None = None
        self._operability: OperabilityMap | None = None
        self._targets: tuple | None = None  # (ra, dec, placement, pre_imaged, shown)
        self._target_xy: tuple | None = None  # (ra, dec, sky_to_pixel, xy)
        self._key: tuple | None = None
        self._version = 0  # bumped by every new pointing, map or set of targets
        self.shown = False
        self.visible = True
        empty = np.zeros(0, dtype=int)
        self.drawn: tuple[np.ndarray, ...] = (empty, empty, empty)
        self.drawn_pointing = empty
        self.states = np.zeros(0, dtype=np.int8)
        self.target_index = np.zeros(0, dtype=int)
        self.n_prepared = 0
        self.artists: list = []
        self.pitch_arcsec = float(min(q.pitch[0] for q in msa_shutters().quadrants))

    # ------------------------------------------------------------------ set-up
    def attach(self, ax, mapping: SkyMapping, pixel_scale: float) -> list:
        """Create the (empty) artists on a new axes whose image ``mapping`` (pixels <-> ICRS)
        has ``pixel_scale`` arcsec per pixel; returns the artists."""
        self.ax = ax
        self._pixel_to_sky, self._sky_to_pixel = mapping.pixel_to_sky, mapping.sky_to_pixel
        self._pixel_scale = float(pixel_scale)
        self._key, self._target_xy, self.shown = None, None, False

        def collection(face, edge, width) -> PolyCollection:
            return PolyCollection([], facecolors=[face], edgecolors=[edge], linewidths=width)

        colours = SHUTTER_COLOURS
        self.operable = collection("none", colours["operable"], 0.4)
        self.failed_closed = collection(colours["failed_closed"], "none", 0.0)
        self.failed_open = collection(colours["failed_open"], (1.0, 1.0, 1.0, 0.9), 0.6)
        self.targets = ax.scatter(
            [], [], s=14.0, marker="o", edgecolors="black", linewidths=0.6, zorder=6.5
        )
        self.targets.remove()  # drawn by its group (lazily), not by the axes
        self.key = FigureImage(ax.figure, origin="upper", zorder=6.6)
        for child in (self.operable, self.failed_closed, self.failed_open):
            child.set_figure(ax.figure)
            child.axes = ax
            child.set_transform(ax.transData)
        for child in (self.operable, self.failed_closed, self.failed_open, self.targets):
            child.set_clip_path(ax.patch)
        self.targets.set_figure(ax.figure)
        self.targets.axes = ax
        grid = _LazyGroup(self, [self.operable, self.failed_closed, self.failed_open], 4.5)
        self._key_dpi = None
        dots = _LazyGroup(self, [self.targets, self.key], 6.5, before=self._place_key)
        self.artists = [grid, dots]
        for artist in self.artists:
            ax.add_artist(artist)
            artist.set_visible(self.visible)
        return self.artists

    def set_pointing(self, nirspec: Pointing, operability: OperabilityMap) -> None:
        """The NIRSpec pointing and operability map to draw (cheap: read when drawn)."""
        self.set_pointings((nirspec,), operability)

    def set_pointings(self, pointings: tuple[Pointing, ...], operability: OperabilityMap) -> None:
        """Every NIRSpec pointing whose shutters to draw (a plan's ``nirspec_pointings``)
        and the operability map (cheap: read when drawn).

        Parameters
        ----------
        pointings : tuple of Pointing
            NRS_FULL_MSA pointings (degrees), the plan's first one first.
        operability : OperabilityMap
            Which shutters work (the same map at every pointing).
        """
        pointings = tuple(pointings)
        if pointings != self._nirspec or operability is not self._operability:
            self._nirspec, self._operability = pointings, operability
            self._version += 1

    def set_targets(
        self,
        ra: np.ndarray | None,
        dec: np.ndarray | None = None,
        placement: ShutterPlacement | None = None,
        pre_imaged: np.ndarray | None = None,
        shown: np.ndarray | None = None,
    ) -> None:
        """The catalog targets (ICRS degrees), their shutters, whether each is pre-imaged
        and (``shown``, default all) which to mark; None for ``ra``: no targets. Read
        when drawn."""
        if ra is None or placement is None or pre_imaged is None:
            self._targets = None
        else:
            self._targets = (ra, dec, placement, pre_imaged, shown)
        self._version += 1

    def set_visible(self, visible: bool) -> None:
        """Show or hide the layer (still only when zoomed in)."""
        self.visible = bool(visible)
        for artist in self.artists:
            artist.set_visible(self.visible)

    # ------------------------------------------------------------------ drawing
    def pixels_per_shutter(self) -> float:
        """Screen pixels per shutter pitch along i in the current view (0 without axes)."""
        ax = self.ax
        if ax is None:
            return 0.0
        x0, x1 = ax.get_xlim()
        span = abs(x1 - x0)
        if span == 0:
            return 0.0
        return ax.bbox.width / span * self.pitch_arcsec / self._pixel_scale

    def prepare(self) -> bool:
        """Bring the artists up to date with the view; True when zoomed in (something to draw).

        Costs one comparison zoomed out; zoomed in, the shutters are worked out
        again only when the view, the pointing, the map or the targets changed.
        """
        if (
            self.ax is None
            or self._nirspec is None
            or self._operability is None
            or self.pixels_per_shutter() < MIN_PIXELS_PER_SHUTTER
        ):
            if self._key is not None:  # leaving the zoomed-in view
                self._key, self.shown = None, False
                empty = np.zeros(0, dtype=int)
                self.drawn, self.drawn_pointing = (empty, empty, empty), empty
            return False
        ax = self.ax
        key = (ax.get_xlim(), ax.get_ylim(), self._version)
        if key != self._key:
            self._key = key
            self.shown = self._compute(ax.get_xlim(), ax.get_ylim())
        return self.shown

    def _compute(self, xlim, ylim) -> bool:
        self.n_prepared += 1
        empty = np.zeros(0, dtype=int)
        self.drawn, self.drawn_pointing = (empty, empty, empty), empty
        parts, left = [], MAX_SHUTTERS
        for k, nirspec in enumerate(self._nirspec):
            found = shutters_in_view(
                nirspec, self._pixel_to_sky, self._sky_to_pixel, xlim, ylim, limit=left
            )
            if found is None:  # too many shutters in view (all pointings together)
                return False
            left -= len(found[0])
            parts.append((*found, np.full(len(found[0]), k, dtype=int)))
        quadrant, i, j, corners, pointing = (np.concatenate(p) for p in zip(*parts, strict=True))
        self.drawn, self.drawn_pointing = (quadrant, i, j), pointing
        reason = self._operability.reason[quadrant - 1, j - 1, i - 1]
        # 3-D arrays take PolyCollection's fast path (all polygons closed at once).
        self.operable.set_verts(corners[reason == 0])
        self.failed_closed.set_verts(corners[reason == FAILED_CLOSED])
        self.failed_open.set_verts(corners[reason == FAILED_OPEN])
        self._place_targets(xlim, ylim)
        return True

    def _place_key(self) -> None:
        """The key in the upper left corner of the axes, at the dpi of this draw (a resize,
        an export at another resolution)."""
        dpi = self.ax.figure.dpi
        pixels = key_image(dpi)
        if self._key_dpi != dpi:
            self.key.set_data(pixels)
            self._key_dpi = dpi
        height = pixels.shape[0]
        box = self.ax.bbox
        self.key.ox, self.key.oy = box.x0 + 4, box.y1 - height - 4

    def _place_targets(self, xlim, ylim) -> None:
        if self._targets is None:
            self.states = np.zeros(0, dtype=np.int8)
            self.target_index = np.zeros(0, dtype=int)
            self.targets.set_offsets(np.empty((0, 2)))
            return
        ra, dec, placement, pre_imaged, shown = self._targets
        cached = self._target_xy  # (ra, dec, mapping, xy): held, so compared by identity
        if cached is None or not (
            cached[0] is ra and cached[1] is dec and cached[2] is self._sky_to_pixel
        ):
            x, y = self._sky_to_pixel(np.asarray(ra), np.asarray(dec))
            cached = self._target_xy = (ra, dec, self._sky_to_pixel, np.column_stack([x, y]))
        xy = cached[3]
        x0, x1 = sorted(xlim)
        y0, y1 = sorted(ylim)
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        if shown is not None:
            inside &= np.asarray(shown, dtype=bool)
        states = target_states(placement, pre_imaged)
        self.states = states[inside]
        self.target_index = np.flatnonzero(inside)
        palette = np.array([_rgba(colour) for _, _, colour in TARGET_STATES])
        self.targets.set_offsets(xy[inside])
        self.targets.set_facecolors(palette[self.states] if len(self.states) else "none")


@lru_cache(maxsize=4)
def key_image(dpi: float) -> np.ndarray:
    """RGBA pixels (upper row first) of the layer's key at ``dpi``, rendered once: drawn as
    an image it costs a fraction of a millisecond, a legend's text layout ~20 ms a frame."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    colours = SHUTTER_COLOURS
    handles = [
        Patch(facecolor="none", edgecolor=colours["operable"], label="shutter open area"),
        Patch(facecolor=colours["failed_closed"], label="failed closed"),
        Patch(facecolor=colours["failed_open"], edgecolor="white", label="failed open"),
    ] + [
        Patch(facecolor=colour, edgecolor="black", label=f"target: {label}")
        for _, label, colour in TARGET_STATES
    ]
    figure = Figure(figsize=(3, 2), dpi=dpi)
    canvas = FigureCanvasAgg(figure)
    figure.patch.set_alpha(0.0)
    legend = figure.legend(
        handles=handles, loc="upper left", fontsize=6.5, framealpha=0.8, handlelength=1.2,
        borderpad=0.3, labelspacing=0.2,
    )  # fmt: skip
    canvas.draw()
    box = legend.get_window_extent().padded(1)
    pixels = np.asarray(canvas.buffer_rgba())
    height = pixels.shape[0]
    rows = slice(max(int(height - box.y1), 0), int(np.ceil(height - box.y0)))
    columns = slice(max(int(box.x0), 0), int(np.ceil(box.x1)))
    return pixels[rows, columns].copy()


def _rgba(colour: str) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(colour)
