"""Which MSA shutter each sky position falls in, and whether that shutter works.

For positions given in the telescope frame (V2, V3 arcsec) or on the sky with a
NIRSpec pointing, :func:`place_v2v3` and :func:`place_sources` return a
:class:`ShutterPlacement`: per position the quadrant (1-4, 0 off the MSA), the
shutter ``i`` (1-365) and ``j`` (1-171), the offset from the centre of its open
area in shutter units (``-0.5 <= offset < 0.5``; beyond half the open fraction
the position is on a bar), whether the shutter is operable, and the distance to
the nearest failed-open shutter (a source of contaminating light).

The lookup is vectorised: a coarse V2/V3 grid picks the candidate quadrant, the
inverse polynomial of :mod:`previs.geometry.shutter_model` gives continuous
``(i, j)``, and the shutter is the nearest integer. A position exactly on a cell
boundary belongs to the shutter with the larger index.

Layer: geometry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from previs.geometry.attitude import (
    Pointing,
    attitude_matrix,
    sky_to_tel,
    tel_to_sky,
    v3pa_from_apa,
)
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.shutter_model import N_COLUMNS, N_ROWS, MSAShutters, msa_shutters
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture

__all__ = [
    "ShutterPlacement",
    "nirspec_attitude",
    "open_area_sky",
    "place_sources",
    "place_v2v3",
    "shutter_ranges",
    "sky_to_v2v3",
    "v2v3_to_shutter",
]

#: Margins (shutters) that :func:`shutter_ranges` adds around the points' range of the
#: affine frame (u, v), which departs from (i, j) by under 3 shutters in i and 0.5 in j.
RANGE_MARGIN_I, RANGE_MARGIN_J = 4, 2


def nirspec_attitude(pointing: Pointing) -> np.ndarray:
    """Attitude matrix of a NIRSpec pointing (NRS_FULL_MSA reference point at RA, Dec, APA)."""
    ref = get_aperture(NIRSPEC_REFERENCE)
    return attitude_matrix(
        ref.v2_ref,
        ref.v3_ref,
        pointing.ra,
        pointing.dec,
        v3pa_from_apa(pointing.apa, ref.v3_idl_yang),
    )


def shutter_ranges(
    nirspec: Pointing, ra_deg, dec_deg, shutters: MSAShutters | None = None
) -> list[tuple[int, int, int, int, int]] | None:
    """Per quadrant, the ranges of ``i`` and ``j`` holding every shutter that may lie
    within the sky points' outline (with margins for the grid's curvature).

    Returns
    -------
    list of (quadrant, i_low, i_high, j_low, j_high) or None
        1-based and inclusive, only the quadrants whose ranges are not empty; None
        when a point cannot be mapped into a quadrant's frame.
    """
    shutters = shutters or msa_shutters()
    v2, v3 = sky_to_v2v3(nirspec, np.asarray(ra_deg, dtype=float), np.asarray(dec_deg, dtype=float))
    ranges = []
    for model in shutters.quadrants:
        u, v = model.to_affine(v2, v3)
        if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))):
            return None
        i_low = max(int(np.floor(u.min())) - RANGE_MARGIN_I, 1)
        i_high = min(int(np.ceil(u.max())) + RANGE_MARGIN_I, N_COLUMNS)
        j_low = max(int(np.floor(v.min())) - RANGE_MARGIN_J, 1)
        j_high = min(int(np.ceil(v.max())) + RANGE_MARGIN_J, N_ROWS)
        if i_low <= i_high and j_low <= j_high:
            ranges.append((model.quadrant, i_low, i_high, j_low, j_high))
    return ranges


def open_area_sky(
    nirspec: Pointing,
    quadrant,
    i,
    j,
    shutters: MSAShutters | None = None,
    open_area: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """RA and Dec (degrees, each (n, 4)) of the open-area corners of shutters ``i``, ``j``
    (1-based, one-dimensional) of ``quadrant`` (one number, or one per shutter),
    anticlockwise in (i, j); ``open_area=False``: the whole cells, bars included."""
    shutters = shutters or msa_shutters()
    i = np.asarray(i, dtype=float).ravel()
    j = np.asarray(j, dtype=float).ravel()
    quadrant = np.broadcast_to(np.asarray(quadrant, dtype=int), i.shape)
    h, k = (f / 2 for f in shutters.open_fraction) if open_area else (0.5, 0.5)
    di, dj = np.array([-h, h, h, -h]), np.array([-k, -k, k, k])
    v2 = np.empty((len(i), 4))
    v3 = np.empty((len(i), 4))
    for number in np.unique(quadrant):
        sel = quadrant == number
        v2[sel], v3[sel] = shutters.quadrant(number).to_v2v3(i[sel, None] + di, j[sel, None] + dj)
    return tel_to_sky(nirspec_attitude(nirspec), v2, v3)


def sky_to_v2v3(pointing: Pointing, ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray]:
    """Sky positions (degrees) to the telescope frame (V2, V3 arcsec) for a NIRSpec pointing."""
    return sky_to_tel(nirspec_attitude(pointing), ra_deg, dec_deg)


#: Cell size (arcsec) of the quadrant finder grid over the MSA's V2/V3 extent.
_FINDER_CELL = 2.0


@dataclass(frozen=True, eq=False)
class _QuadrantFinder:
    """A coarse V2/V3 grid naming, per cell, the one quadrant it may touch (0: none).

    The quadrants lie 18" or more apart and the cells are 2" wide, so no cell
    touches two; the exact test in (i, j) settles the cells on a quadrant's edge.
    """

    v2_min: float
    v3_min: float
    shape: tuple[int, int]
    quadrant: np.ndarray  # int8 (n2, n3)

    cell_radius = _FINDER_CELL / np.sqrt(2.0)

    def cells(self, v2: np.ndarray, v3: np.ndarray) -> np.ndarray:
        """Flat index of every position's cell (clipped to the grid; NaN to a corner)."""
        n2, n3 = self.shape
        # fmax/fmin also replace NaN; the grid's outer cells are 0, so clipping is safe.
        a = np.fmin(np.fmax((v2 - self.v2_min) * (1 / _FINDER_CELL), 0.0), n2 - 1)
        b = np.fmin(np.fmax((v3 - self.v3_min) * (1 / _FINDER_CELL), 0.0), n3 - 1)
        return a.astype(np.intp) * n3 + b.astype(np.intp)

    def candidates(self, v2: np.ndarray, v3: np.ndarray) -> np.ndarray:
        """Candidate quadrant (0-4) of every position (0 for NaN and far positions)."""
        return self.quadrant.ravel()[self.cells(v2, v3)]

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """V2, V3 (arcsec) of every cell's centre, flat in the order of :meth:`cells`."""
        n2, n3 = self.shape
        c2 = self.v2_min + (np.arange(n2) + 0.5) * _FINDER_CELL
        c3 = self.v3_min + (np.arange(n3) + 0.5) * _FINDER_CELL
        return np.repeat(c2, n3), np.tile(c3, n2)


@lru_cache(maxsize=4)
def _finder(shutters: MSAShutters) -> _QuadrantFinder:
    corners_i = np.array([0.5, 365.5, 365.5, 0.5])
    corners_j = np.array([0.5, 0.5, 171.5, 171.5])
    extent = np.array([m.to_v2v3(corners_i, corners_j) for m in shutters.quadrants])
    margin = 3 * _FINDER_CELL
    v2_min, v3_min = extent[:, 0].min() - margin, extent[:, 1].min() - margin
    n2 = int(np.ceil((extent[:, 0].max() + margin - v2_min) / _FINDER_CELL))
    n3 = int(np.ceil((extent[:, 1].max() + margin - v3_min) / _FINDER_CELL))
    c2, c3 = np.meshgrid(
        v2_min + (np.arange(n2) + 0.5) * _FINDER_CELL,
        v3_min + (np.arange(n3) + 0.5) * _FINDER_CELL,
        indexing="ij",
    )
    grid = np.zeros((n2, n3), dtype=np.int8)
    for model in shutters.quadrants:
        u, v = model.to_affine(c2, c3)
        # A cell's half-diagonal (1.42") spans at most 5.3 shutters in i and 2.7 in j;
        # the affine frame departs from (i, j) by under 3 and 0.5 shutters.
        near = (u > 0.5 - 10) & (u < N_COLUMNS + 0.5 + 10) & (v > 0.5 - 5) & (v < N_ROWS + 0.5 + 5)
        if np.any(grid[near]):
            raise RuntimeError("quadrant finder cells overlap two quadrants")
        grid[near] = model.quadrant
    if grid[[0, -1], :].any() or grid[:, [0, -1]].any():
        raise RuntimeError("quadrant finder grid must have an empty border")
    return _QuadrantFinder(float(v2_min), float(v3_min), (n2, n3), grid)


def v2v3_to_shutter(
    v2_arcsec, v3_arcsec, shutters: MSAShutters | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quadrant and continuous shutter coordinates of telescope-frame positions.

    Returns
    -------
    quadrant : numpy.ndarray of int8
        1-4, or 0 outside every quadrant's grid of shutters.
    i, j : numpy.ndarray of float
        Continuous coordinates in that quadrant (shutter ``(i, j)`` spans
        ``i +- 0.5``, ``j +- 0.5``); NaN off the MSA.
    """
    shutters = shutters or msa_shutters()
    v2 = np.asarray(v2_arcsec, dtype=float).ravel()
    v3 = np.asarray(v3_arcsec, dtype=float).ravel()
    quadrant = np.zeros(v2.shape, dtype=np.int8)
    fi = np.full(v2.shape, np.nan)
    fj = np.full(v2.shape, np.nan)
    candidate = _finder(shutters).candidates(v2, v3)
    for model in shutters.quadrants:
        index = np.flatnonzero(candidate == model.quadrant)
        if not len(index):
            continue
        ci, cj = model.to_ij(v2[index], v3[index])
        inside = (ci >= 0.5) & (ci < N_COLUMNS + 0.5) & (cj >= 0.5) & (cj < N_ROWS + 0.5)
        index = index[inside]
        quadrant[index] = model.quadrant
        fi[index] = ci[inside]
        fj[index] = cj[inside]
    shape = np.shape(v2_arcsec)
    return quadrant.reshape(shape), fi.reshape(shape), fj.reshape(shape)


@dataclass(frozen=True, eq=False)
class ShutterPlacement:
    """Where positions fall on the MSA (one entry per position, in input order).

    Attributes
    ----------
    quadrant : numpy.ndarray of int8
        1-4, 0 off the MSA.
    i, j : numpy.ndarray of int16
        Shutter column (1-365) and row (1-171); 0 off the MSA.
    offset_i, offset_j : numpy.ndarray of float
        Offset from the centre of the shutter's open area in shutter units
        (pitches), in [-0.5, 0.5); NaN off the MSA.
    operable : numpy.ndarray of bool
        The shutter works (False off the MSA; see :attr:`on_msa`).
    failed_open_distance : numpy.ndarray of float
        Distance (arcsec) to the centre of the nearest failed-open shutter; NaN
        off the MSA or when the map has none.
    open_fraction : tuple of float
        Open fraction of the pitch in i and j (bars are the rest).
    operability : str
        Name of the operability map used.
    """

    quadrant: np.ndarray
    i: np.ndarray
    j: np.ndarray
    offset_i: np.ndarray
    offset_j: np.ndarray
    operable: np.ndarray
    failed_open_distance: np.ndarray
    open_fraction: tuple[float, float]
    operability: str

    def __len__(self) -> int:
        return len(self.quadrant)

    @property
    def on_msa(self) -> np.ndarray:
        """Inside a quadrant's grid of shutters."""
        return self.quadrant > 0

    @property
    def on_bar(self) -> np.ndarray:
        """On the MSA but outside the open area of its shutter (on a bar between shutters)."""
        with np.errstate(invalid="ignore"):
            return self.on_msa & (
                (np.abs(self.offset_i) > self.open_fraction[0] / 2)
                | (np.abs(self.offset_j) > self.open_fraction[1] / 2)
            )

    @property
    def usable(self) -> np.ndarray:
        """In an operable shutter (bars included: MPT's placement decides on those)."""
        return self.on_msa & self.operable

    def records(self) -> list[dict]:
        """One JSON-ready dict per position: quadrant, i, j, operable, offsets, on_bar,
        failed_open_distance (None off the MSA)."""
        on_bar = self.on_bar
        rows = []
        for k in range(len(self)):
            if self.quadrant[k] == 0:
                rows.append(
                    {
                        "quadrant": None,
                        "i": None,
                        "j": None,
                        "operable": None,
                        "offset_i": None,
                        "offset_j": None,
                        "on_bar": None,
                        "failed_open_distance": None,
                    }
                )
                continue
            distance = float(self.failed_open_distance[k])
            rows.append(
                {
                    "quadrant": int(self.quadrant[k]),
                    "i": int(self.i[k]),
                    "j": int(self.j[k]),
                    "operable": bool(self.operable[k]),
                    "offset_i": float(self.offset_i[k]),
                    "offset_j": float(self.offset_j[k]),
                    "on_bar": bool(on_bar[k]),
                    "failed_open_distance": distance if np.isfinite(distance) else None,
                }
            )
        return rows


@lru_cache(maxsize=8)
def _failed_open_index(operability: OperabilityMap, shutters: MSAShutters):
    """Failed-open centres (V2, V3 arcsec) and, per cell of the quadrant finder's
    grid, the two nearest ones.

    Returns ``(v2, v3, first, second, ambiguous)``: ``first`` and ``second`` (flat
    int16 arrays over the finder's cells) index the failed-open shutters nearest
    and next nearest each cell's centre; ``ambiguous`` marks the cells where a third
    one is within a cell diameter of the nearest distance. Elsewhere the nearest
    failed-open shutter of every point of the cell is ``first`` or ``second``
    (triangle inequality), so a lookup needs two distances.
    """
    q, i, j = operability.failed_open()
    v2 = np.empty(len(q))
    v3 = np.empty(len(q))
    if not len(q):
        return v2, v3, None, None, None
    for number in np.unique(q):
        sel = q == number
        v2[sel], v3[sel] = shutters.quadrant(number).to_v2v3(i[sel], j[sel])
    finder = _finder(shutters)
    c2, c3 = finder.centres()
    distance = np.sqrt((c2[:, None] - v2[None, :]) ** 2 + (c3[:, None] - v3[None, :]) ** 2)
    order = np.argsort(distance, axis=1)[:, :3]
    ranked = np.take_along_axis(distance, order, axis=1)
    first = order[:, 0].astype(np.int16)
    second = order[:, min(1, len(q) - 1)].astype(np.int16)
    third = ranked[:, 2] if len(q) > 2 else np.full(len(c2), np.inf)
    ambiguous = third - ranked[:, 0] <= 2 * finder.cell_radius
    return v2, v3, first, second, ambiguous


def _failed_open_distance(
    operability: OperabilityMap, shutters: MSAShutters, v2: np.ndarray, v3: np.ndarray
) -> np.ndarray:
    """Distance (arcsec) from positions near the MSA to the nearest failed-open shutter centre."""
    c2, c3, first, second, ambiguous = _failed_open_index(operability, shutters)
    if not len(c2):
        return np.full(len(v2), np.nan)
    cell = _finder(shutters).cells(v2, v3)
    squared = None
    for candidates in (first, second):
        k = candidates[cell]
        d2, d3 = v2 - c2[k], v3 - c3[k]
        here = d2 * d2 + d3 * d3
        squared = here if squared is None else np.minimum(squared, here)
    hard = np.flatnonzero(ambiguous[cell])
    if len(hard):
        brute = (v2[hard, None] - c2[None, :]) ** 2 + (v3[hard, None] - c3[None, :]) ** 2
        squared[hard] = brute.min(axis=1)
    return np.sqrt(squared)


def place_v2v3(
    v2_arcsec,
    v3_arcsec,
    operability: OperabilityMap | str | os.PathLike | None = None,
    shutters: MSAShutters | None = None,
) -> ShutterPlacement:
    """The shutter of every telescope-frame position (V2, V3 arcsec, 1-D arrays).

    Parameters
    ----------
    v2_arcsec, v3_arcsec : array_like
        Positions in the telescope frame, arcsec.
    operability : OperabilityMap, path or None
        The map to use (None: the bundled snapshot; a path: a CRDS msaoper JSON).
    shutters : MSAShutters, optional
        The geometry (default: the bundled snapshot).
    """
    shutters = shutters or msa_shutters()
    operability = resolve_operability(operability)
    v2 = np.atleast_1d(np.asarray(v2_arcsec, dtype=float)).ravel()
    v3 = np.atleast_1d(np.asarray(v3_arcsec, dtype=float)).ravel()
    quadrant, fi, fj = v2v3_to_shutter(v2, v3, shutters)
    on = np.flatnonzero(quadrant > 0)
    i = np.zeros(len(v2), dtype=np.int16)
    j = np.zeros(len(v2), dtype=np.int16)
    i[on] = np.floor(fi[on] + 0.5)
    j[on] = np.floor(fj[on] + 0.5)
    offset_i = fi - i
    offset_j = fj - j
    # Flat index of each on-MSA position's shutter in the (4, 171, 365) arrays.
    cell = ((quadrant[on].astype(np.intp) - 1) * N_ROWS + j[on] - 1) * N_COLUMNS + i[on] - 1
    operable = np.zeros(len(v2), dtype=bool)
    operable[on] = operability.operable.ravel()[cell]
    distance = np.full(len(v2), np.nan)
    if len(on):
        distance[on] = _failed_open_distance(operability, shutters, v2[on], v3[on])
    return ShutterPlacement(
        quadrant=quadrant,
        i=i,
        j=j,
        offset_i=offset_i,
        offset_j=offset_j,
        operable=operable,
        failed_open_distance=distance,
        open_fraction=shutters.open_fraction,
        operability=operability.name,
    )


def place_sources(
    nirspec: Pointing,
    ra_deg,
    dec_deg,
    operability: OperabilityMap | str | os.PathLike | None = None,
    shutters: MSAShutters | None = None,
) -> ShutterPlacement:
    """The shutter of every sky position (degrees) for a NIRSpec pointing.

    Parameters
    ----------
    nirspec : Pointing
        RA, Dec and APA (degrees) of NRS_FULL_MSA.
    ra_deg, dec_deg : array_like
        Source positions, degrees (ICRS).
    operability, shutters
        As for :func:`place_v2v3`.
    """
    v2, v3 = sky_to_v2v3(nirspec, np.atleast_1d(ra_deg), np.atleast_1d(dec_deg))
    return place_v2v3(v2, v3, operability, shutters)
