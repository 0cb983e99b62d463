"""The sky view's numbered layer: every NIRSpec pointing's MSA, and APT's tile and dither numbers.

:class:`NumberedOverlay` adds to :class:`previs.plotting.sky.SkyView`:

- the MSA quadrant outlines of the NIRSpec pointings after the first (the first
  is the view's own), in one collection, and "P1", "P2", ... at each MSA centre
  when there are several;
- "T1", "T2", ... at the centre of each NIRCam tile when the exposures have more
  than one tile (APT's tile numbers, or previs's model of them);
- the dither numbers "d1", "d2", ... at each exposure's centre when the exposures
  are explicit (an APT observation) and few (:data:`MAX_DITHER_LABELS` or fewer).

Everything is moved in place on each update (``set_verts``, ``set_position``);
labels come from a pool that grows only when more are needed, and hidden ones are
skipped by the blitter, so a slider move costs a few hundred microseconds here.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.text import Text

from previs.geometry.siaf import MSA_QUADRANTS

__all__ = ["MAX_DITHER_LABELS", "NumberedOverlay"]

#: Dither numbers are written only for explicit exposures up to this many.
MAX_DITHER_LABELS = 12


class _LabelPool:
    """Text artists made on demand, moved and relabelled in place, the rest hidden."""

    def __init__(self, ax, animated: bool, **style) -> None:
        self._ax, self._animated, self._style = ax, animated, style
        self.texts: list[Text] = []
        self.visible = True

    def show(self, labels: list[str], xy: np.ndarray) -> None:
        while len(self.texts) < len(labels):
            text = Text(0, 0, "", clip_on=True, ha="center", va="center", **self._style)
            text.set_animated(self._animated)
            self.texts.append(self._ax.add_artist(text))
        for k, text in enumerate(self.texts):
            if k < len(labels):
                text.set_text(labels[k])
                text.set_position((float(xy[k, 0]), float(xy[k, 1])))
            text.set_visible(self.visible and k < len(labels))
        self._shown = len(labels)

    def set_visible(self, visible: bool) -> None:
        self.visible = bool(visible)
        for k, text in enumerate(self.texts):
            text.set_visible(self.visible and k < getattr(self, "_shown", 0))


def _group_centres(xy: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, mean of the (n, 4, 2) outlines' corners per key)."""
    values, inverse = np.unique(keys, return_inverse=True)
    corners = xy.reshape(len(keys), -1, 2).mean(axis=1)
    sums = np.zeros((len(values), 2))
    np.add.at(sums, inverse, corners)
    counts = np.bincount(inverse, minlength=len(values))[:, None]
    return values, sums / counts


#: NIRSpec pointings closer than this (arcsec; nods, small dithers) share one label.
SAME_PLACE_ARCSEC = 5.0


def _pointing_labels(pointings, centres: np.ndarray) -> tuple[list[str], np.ndarray]:
    """ "P1", "P2", ... (``"P1,2"`` for pointings at about one place) and where to write
    them; nothing for a single pointing."""
    if len(pointings) < 2:
        return [], np.zeros((0, 2))
    ra0, dec0 = pointings[0].ra, pointings[0].dec
    scale = np.cos(np.radians(dec0)) * 3600.0
    xy = np.array(
        [
            (((p.ra - ra0 + 180.0) % 360.0 - 180.0) * scale, (p.dec - dec0) * 3600.0)
            for p in pointings
        ]
    )
    groups: list[list[int]] = []
    for k in range(len(pointings)):
        for group in groups:
            if np.hypot(*(xy[k] - xy[group[0]])) < SAME_PLACE_ARCSEC:
                group.append(k)
                break
        else:
            groups.append([k])
    labels = ["P" + ",".join(str(k + 1) for k in group) for group in groups]
    return labels, np.array([centres[group].mean(axis=0) for group in groups])


class NumberedOverlay:
    """Extra MSA outlines and the pointing, tile and dither labels of one sky view.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The view's (WCS) axes.
    style : dict
        The view's colours (``msa``, ``nircam_edge``).
    animated : bool
        Whether the artists are blitted (animated) or drawn with the figure.
    """

    def __init__(self, ax, style: dict, animated: bool) -> None:
        msa = style["msa"]
        nircam = style["nircam_edge"][:3] if len(style["nircam_edge"]) == 4 else "black"
        self.extra_msa = PolyCollection(
            [], facecolors="none", edgecolors=[msa], linewidths=1.1, linestyles="dashed", zorder=5
        )
        self.extra_msa.set_animated(animated)
        ax.add_collection(self.extra_msa)
        bold = {"fontweight": "bold", "zorder": 6}
        self.pointing_labels = _LabelPool(ax, animated, color=msa, fontsize=9, **bold)
        self.tile_labels = _LabelPool(ax, animated, color=nircam, fontsize=10, **bold)
        self.dither_labels = _LabelPool(
            ax, animated, color=nircam, fontsize=7, zorder=6, alpha=0.85
        )

    def update(
        self,
        result,
        nircam_xy: np.ndarray,
        sky_to_pixel: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    ) -> None:
        """Move the layer to ``result`` (a :class:`~previs.planning.plan.Result`);
        ``nircam_xy`` holds the NIRCam outlines' pixel corners (n, 4, 2), as drawn."""
        footprints = tuple(getattr(result, "nirspec_footprints", ()) or (result.nirspec,))
        outlines, centres = [], []
        for k, footprint in enumerate(footprints):
            keep = np.array([name in MSA_QUADRANTS for name in footprint.names])
            x, y = sky_to_pixel(footprint.ra[keep], footprint.dec[keep])
            quads = np.stack([x, y], axis=-1)
            centres.append(quads.reshape(-1, 2).mean(axis=0))
            if k:
                outlines.extend(quads)
        self.extra_msa.set_verts(outlines)
        labels, where = _pointing_labels(result.plan.nirspec_pointings, np.array(centres))
        self.pointing_labels.show(labels, where)
        nircam = result.nircam
        if nircam.tiles is None or not len(nircam):
            self.tile_labels.show([], np.zeros((0, 2)))
            self.dither_labels.show([], np.zeros((0, 2)))
            return
        tiles, tile_xy = _group_centres(nircam_xy, nircam.tiles)
        self.tile_labels.show([f"T{t}" for t in tiles] if len(tiles) > 1 else [], tile_xy)
        explicit = not isinstance(result.plan.dither, str)
        if explicit and nircam.n_exposures <= MAX_DITHER_LABELS:
            exposures, exposure_xy = _group_centres(nircam_xy, nircam.exposures)
            first = np.searchsorted(nircam.exposures, exposures)
            self.dither_labels.show([f"d{nircam.dithers[i]}" for i in first], exposure_xy)
        else:
            self.dither_labels.show([], np.zeros((0, 2)))

    def restyle(self, colours: dict) -> None:
        """Take the overlay colours of :func:`previs.plotting.sky_style.overlay_colours`."""
        self.extra_msa.set_edgecolor([colours["msa"]])
        for text in self.pointing_labels.texts:
            text.set_color(colours["msa"])
        for text in (*self.tile_labels.texts, *self.dither_labels.texts):
            text.set_color(colours["nircam_edge"][:3])

    def set_visible(self, nircam: bool) -> None:
        """Show the tile and dither numbers with the NIRCam detectors (or hide them)."""
        self.tile_labels.set_visible(nircam)
        self.dither_labels.set_visible(nircam)

    @property
    def artists(self) -> list:
        """Every artist of the layer (for the blitter's overlay list)."""
        return [
            self.extra_msa,
            *self.pointing_labels.texts,
            *self.tile_labels.texts,
            *self.dither_labels.texts,
        ]
