"""Usable-MSA coverage: how much of the *operable* shutters' open area the pre-imaging covers.

The area coverage (:func:`previs.geometry.coverage.compute_coverage`) counts the
four quadrant outlines. Here only the open areas (0.20" x 0.46") of operable
shutters count, each weighted by its area on the sky: the covered fraction is
``sum(area of operable open area inside the covered region) / sum(area of
operable open areas)``, overall and per quadrant.

Method. In each quadrant's continuous shutter frame ``(i, j)`` the open areas
are the rectangles ``i +- h``, ``j +- k`` (h, k: half the open fractions) and
the sky-area density is smooth, so for each shutter row ``j`` the weighted
open length left of ``x``, ``G_j(x)``, is piecewise linear with closed-form
antiderivative. By Green's theorem the weighted covered area of a polygon is
``sum over its edges of the integral of G_j(x) dy`` along the part of each edge
inside row ``j``'s open band, which is exact for straight edges. The covered
region (a shapely geometry in the NIRSpec tangent plane, arcsec, as
``compute_coverage`` builds it) is taken to the telescope frame, to the
quadrant's affine frame (where it is clipped to the quadrant), cut into
segments of at most :data:`MAX_SEGMENT` shutters and mapped to ``(i, j)`` by the
inverse polynomial; the only approximations are that straight segments stay
straight in ``(i, j)`` (the map's curvature over 4 shutters moves a segment by
under a micro-shutter) and that a shutter's sky area is that of its cell at its
centre. Against an exact shapely count of open-area polygons built from
pysiaf's tabulated centres the fractions agree to 5e-7 (overall and per
quadrant; tests/geometry/test_usable.py), in about 1.5 ms for the heaviest plan.

Note: ``compute_coverage`` clips the covered region to the SIAF quadrant
outlines, whose straight edges cut a sliver off the curved edge of the shutter
grid: a region covering the whole outline reads 0.9998 here. Pass the unclipped
union of the detectors to count those edge shutters too.

Layer: geometry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from previs.geometry.attitude import ARCSEC_PER_RADIAN, Pointing, tel_to_sky
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.projection import TangentPlane
from previs.geometry.shutter_model import N_COLUMNS, N_ROWS, MSAShutters, msa_shutters
from previs.geometry.shutters import nirspec_attitude, open_area_sky

__all__ = [
    "MAX_SEGMENT",
    "OUTLINE_STEP",
    "UsableCoverage",
    "grid_outline",
    "mean_usable",
    "open_area_corners",
    "usable_coverage",
    "usable_msa_coverage",
]

#: Longest polygon segment (in shutters of the affine frame) mapped as a straight line.
MAX_SEGMENT = 4.0
#: Shorter pitch of the shutters on the sky (along i), arcsec: a plane segment this
#: long spans at most about one shutter.
_ARCSEC_PER_SHUTTER_I = 0.27
#: Vertex spacing (shutters along i, along j) of :func:`grid_outline`.
OUTLINE_STEP = (16, 8)
#: Margin (shutters) around a quadrant kept when clipping the covered region in
#: the affine frame (which departs from (i, j) by under 3 shutters).
_CLIP_MARGIN = 5.0
_TINY = 1e-7


@dataclass(frozen=True, eq=False)
class UsableCoverage:
    """Coverage of the operable shutters' open area.

    Attributes
    ----------
    covered : float
        Fraction (0-1) of the operable open area of the whole MSA inside the covered region.
    quadrants : dict
        The same fraction per quadrant, keyed 1-4.
    operability : str
        Name of the operability map used.
    usable_area : float
        Operable open area of the MSA on the sky, arcsec^2.
    """

    covered: float
    quadrants: dict[int, float]
    operability: str
    usable_area: float

    def to_dict(self) -> dict:
        """The CLI's JSON shape: ``{"covered", "quadrants": {"1": ...}, "operability"}``."""
        return {
            "covered": self.covered,
            "quadrants": {str(k): v for k, v in self.quadrants.items()},
            "operability": self.operability,
        }


@dataclass(frozen=True, eq=False)
class _RowWeights:
    """Per quadrant and row the cumulative sums that give G_j and its antiderivative."""

    rho: np.ndarray  # (4, 171, 367): sky area per unit (i, j) area, 0 for failed shutters
    s0: np.ndarray  # (4, 171, 367): sum of rho over i < m
    s1: np.ndarray  # (4, 171, 367): sum of rho * i over i < m
    total: np.ndarray  # (4,): operable open area, arcsec^2
    h: float  # half the open fraction in i
    k: float  # half the open fraction in j


@lru_cache(maxsize=8)
def _row_weights(operability: OperabilityMap, shutters: MSAShutters) -> _RowWeights:
    h, k = shutters.open_fraction[0] / 2, shutters.open_fraction[1] / 2
    rho = np.zeros((4, N_ROWS, N_COLUMNS + 2))
    for q, model in enumerate(shutters.quadrants):
        rho[q, :, 1:-1] = model.cell_areas() * operability.operable[q]
    index = np.arange(N_COLUMNS + 2, dtype=float)
    s0 = np.zeros_like(rho)
    s1 = np.zeros_like(rho)
    s0[..., 1:] = np.cumsum(rho[..., :-1], axis=-1)
    s1[..., 1:] = np.cumsum(rho[..., :-1] * index[:-1], axis=-1)
    total = rho.sum(axis=(1, 2)) * (2 * h) * (2 * k)
    return _RowWeights(rho, s0, s1, total, h, k)


def _plane_to_v2v3(plane: TangentPlane, matrix: np.ndarray):
    """A vectorised (n, 2) -> (n, 2) map from the plane (arcsec) to (V2, V3) arcsec."""

    def transform(coords: np.ndarray) -> np.ndarray:
        sky = plane.to_unit(coords[:, 0], coords[:, 1])
        x = matrix[0, 0] * sky[0] + matrix[1, 0] * sky[1] + matrix[2, 0] * sky[2]
        y = matrix[0, 1] * sky[0] + matrix[1, 1] * sky[1] + matrix[2, 1] * sky[2]
        z = matrix[0, 2] * sky[0] + matrix[1, 2] * sky[1] + matrix[2, 2] * sky[2]
        v2 = np.arctan2(y, x) * ARCSEC_PER_RADIAN
        v3 = np.arcsin(np.clip(z, -1.0, 1.0)) * ARCSEC_PER_RADIAN
        return np.column_stack([v2, v3])

    return transform


def _ring_points(geometry: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Every ring vertex (n, 2) of a polygonal geometry, and a mask of the vertices that
    start an edge (the next vertex is on the same ring)."""
    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    rings = shapely.get_rings(parts)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.zeros(len(coords), dtype=bool)
    starts[:-1] = ring[1:] == ring[:-1]
    return coords, starts


def _antiderivative(x, q, row, weights: _RowWeights) -> np.ndarray:
    """Integral of G_row(x') dx' from -infinity to x (G: weighted open length left of x')."""
    h = weights.h
    m = np.clip(np.floor(x + 0.5), 0, N_COLUMNS + 1).astype(np.intp)
    t = np.clip(x - (m - h), 0.0, None)
    k_part = np.where(t <= 2 * h, 0.5 * t * t, 2 * h * t - 2 * h * h)
    return (
        2 * h * (x * weights.s0[q, row, m] - weights.s1[q, row, m])
        + weights.rho[q, row, m] * k_part
    )


def _density(x, q, row, weights: _RowWeights) -> np.ndarray:
    """G_row(x): weighted open length of the row left of x."""
    h = weights.h
    m = np.clip(np.floor(x + 0.5), 0, N_COLUMNS + 1).astype(np.intp)
    return 2 * h * weights.s0[q, row, m] + weights.rho[q, row, m] * np.clip(x - (m - h), 0, 2 * h)


def _green_area(
    start: np.ndarray, end: np.ndarray, quadrant: np.ndarray, weights: _RowWeights
) -> np.ndarray:
    """Weighted open area (arcsec^2) inside the rings whose edges are start -> end in
    (i, j), summed per quadrant: array (4,) for quadrants 1-4 (``quadrant`` is 0-3 per edge)."""
    x0, y0 = start[:, 0], start[:, 1]
    x1, y1 = end[:, 0], end[:, 1]
    moving = y1 != y0
    x0, y0, x1, y1, quadrant = x0[moving], y0[moving], x1[moving], y1[moving], quadrant[moving]
    k = weights.k
    low, high = np.minimum(y0, y1), np.maximum(y0, y1)
    first = np.maximum(np.floor(low - k) + 1, 1)
    last = np.minimum(np.ceil(high + k) - 1, N_ROWS)
    count = np.maximum(last - first + 1, 0).astype(np.intp)
    if not count.sum():
        return np.zeros(4)
    edge = np.repeat(np.arange(len(x0)), count)
    offsets = np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    row = first[edge] + offsets  # shutter row j (1-based) of each (edge, row) pair
    x0, y0, x1, y1, q = x0[edge], y0[edge], x1[edge], y1[edge], quadrant[edge]
    dx, dy = x1 - x0, y1 - y0
    t_bottom = (row - k - y0) / dy
    t_top = (row + k - y0) / dy
    t_in = np.clip(np.minimum(t_bottom, t_top), 0.0, 1.0)
    t_out = np.clip(np.maximum(t_bottom, t_top), 0.0, 1.0)
    xa, xb = x0 + t_in * dx, x0 + t_out * dx
    height = (t_out - t_in) * dy
    r = (row - 1).astype(np.intp)
    width = xb - xa
    flat = np.abs(width) < _TINY
    mean = np.empty(len(xa))
    steep = ~flat
    mean[steep] = (
        _antiderivative(xb[steep], q[steep], r[steep], weights)
        - _antiderivative(xa[steep], q[steep], r[steep], weights)
    ) / width[steep]
    mean[flat] = _density(0.5 * (xa[flat] + xb[flat]), q[flat], r[flat], weights)
    return np.bincount(q, weights=height * mean, minlength=4)


def _covered_open_area(
    nirspec: Pointing,
    region: BaseGeometry,
    weights: _RowWeights,
    shutters: MSAShutters,
    segment: bool = True,
) -> np.ndarray:
    """Operable open area (arcsec^2) inside ``region`` (NIRSpec tangent plane), per quadrant.

    With ``segment`` False the region's edges are taken as straight in (i, j)
    between their vertices (for edges that are already short, or that lie
    in the bars, where the open length does not change).
    """
    plane = TangentPlane(nirspec.ra, nirspec.dec)
    telescope = shapely.transform(region, _plane_to_v2v3(plane, nirspec_attitude(nirspec)))
    starts, ends, quadrants = [], [], []
    for q, model in enumerate(shutters.quadrants):
        affine = shapely.transform(
            telescope, lambda c, m=model: np.column_stack(m.to_affine(c[:, 0], c[:, 1]))
        )
        clipped = shapely.clip_by_rect(
            affine,
            0.5 - _CLIP_MARGIN,
            0.5 - _CLIP_MARGIN,
            N_COLUMNS + 0.5 + _CLIP_MARGIN,
            N_ROWS + 0.5 + _CLIP_MARGIN,
        )
        if clipped.is_empty:
            continue
        if segment:
            clipped = shapely.segmentize(clipped, MAX_SEGMENT)
        # Orient last: GEOS's segmentize may reverse rings.
        clipped = shapely.orient_polygons(clipped, exterior_cw=False)
        coords, first = _ring_points(clipped)
        ij = np.column_stack(model.affine_to_ij(coords[:, 0], coords[:, 1]))
        starts.append(ij[:-1][first[:-1]])
        ends.append(ij[1:][first[:-1]])
        quadrants.append(np.full(int(first.sum()), q, dtype=np.intp))
    if not starts:
        return np.zeros(4)
    return _green_area(
        np.concatenate(starts), np.concatenate(ends), np.concatenate(quadrants), weights
    )


def _pieces_open_area(
    nirspec: Pointing, pieces: np.ndarray, weights: _RowWeights, shutters: MSAShutters
) -> np.ndarray:
    """Operable open area (arcsec^2) inside each of four plane regions, region q lying in
    quadrant q + 1 only, with edges short enough to be straight in (i, j).

    All vertices go through one plane -> (V2, V3) map and each quadrant's
    inverse once (no per-quadrant clipping). Rings are oriented in the plane;
    the plane -> (i, j) map keeps or reverses every orientation alike, so the
    Green sums come out all positive or all negative, and their magnitude counts.
    """
    pieces = shapely.orient_polygons(pieces, exterior_cw=False)
    parts, owner = shapely.get_parts(pieces, return_index=True)
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, owner = parts[polygons], owner[polygons]
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return np.zeros(4)
    quadrant = owner[ring_owner][ring]
    plane = TangentPlane(nirspec.ra, nirspec.dec)
    v2v3 = _plane_to_v2v3(plane, nirspec_attitude(nirspec))(coords)
    ij = np.empty_like(coords)
    for q in np.unique(quadrant):
        sel = quadrant == q
        ij[sel, 0], ij[sel, 1] = shutters.quadrants[q].to_ij(v2v3[sel, 0], v2v3[sel, 1])
    first = ring[1:] == ring[:-1]
    return np.abs(_green_area(ij[:-1][first], ij[1:][first], quadrant[:-1][first], weights))


def _fractions(areas: np.ndarray, weights: _RowWeights) -> tuple[float, dict[int, float]]:
    """Overall and per-quadrant fractions of the operable open area (clipped to [0, 1])."""
    quadrants = {
        q + 1: float(min(max(areas[q] / total, 0.0), 1.0)) if total > 0 else 0.0
        for q, total in enumerate(weights.total)
    }
    grand = float(weights.total.sum())
    covered = float(min(max(areas.sum() / grand, 0.0), 1.0)) if grand > 0 else 0.0
    return covered, quadrants


def usable_coverage(
    nirspec: Pointing,
    covered_area: BaseGeometry,
    operability: OperabilityMap | str | os.PathLike | None = None,
    shutters: MSAShutters | None = None,
) -> UsableCoverage:
    """Fraction of the operable shutters' open area inside ``covered_area``.

    Parameters
    ----------
    nirspec : Pointing
        NIRSpec pointing (NRS_FULL_MSA, degrees).
    covered_area : shapely geometry
        The covered region in the tangent plane at the NIRSpec pointing, arcsec
        (x east, y north), as :func:`~previs.geometry.coverage.compute_coverage`
        builds it (``TangentPlane(nirspec.ra, nirspec.dec)``).
    operability : OperabilityMap, path or None
        The operability map (None: the bundled snapshot).
    shutters : MSAShutters, optional
        The shutter geometry (default: the bundled snapshot).
    """
    shutters = shutters or msa_shutters()
    operability = resolve_operability(operability)
    weights = _row_weights(operability, shutters)
    if covered_area is None or covered_area.is_empty:
        areas = np.zeros(4)
    else:
        areas = _covered_open_area(nirspec, covered_area, weights, shutters)
    covered, fractions = _fractions(areas, weights)
    return UsableCoverage(covered, fractions, operability.name, float(weights.total.sum()))


@lru_cache(maxsize=4)
def _outline_v2v3(shutters: MSAShutters) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per quadrant, (V2, V3) arcsec of the shutter grid's outer cell boundary, anticlockwise
    in (i, j), with a vertex every :data:`OUTLINE_STEP` shutters."""
    step_i, step_j = OUTLINE_STEP
    a = np.linspace(0.5, N_COLUMNS + 0.5, int(np.ceil(N_COLUMNS / step_i)) + 1)
    b = np.linspace(0.5, N_ROWS + 0.5, int(np.ceil(N_ROWS / step_j)) + 1)
    high_i, high_j = N_COLUMNS + 0.5, N_ROWS + 0.5
    i = np.concatenate([a[:-1], np.full(len(b) - 1, high_i), a[:0:-1], np.full(len(b) - 1, 0.5)])
    j = np.concatenate([np.full(len(a) - 1, 0.5), b[:-1], np.full(len(a) - 1, high_j), b[:0:-1]])
    return tuple(model.to_v2v3(i, j) for model in shutters.quadrants)


@lru_cache(maxsize=64)
def grid_outline(nirspec: Pointing, shutters: MSAShutters | None = None) -> BaseGeometry:
    """The four quadrants' shutter grids (outer cell boundaries, bars included) as a
    MultiPolygon in the NIRSpec tangent plane, arcsec.

    The outline has a vertex every :data:`OUTLINE_STEP` shutters: its straight
    chords depart from the curved grid edge by under 0.002 shutter (tested),
    far less than the bars' margin around the outermost open areas (0.065
    shutter in j), so it holds every shutter's open area.
    """
    shutters = shutters or msa_shutters()
    matrix = nirspec_attitude(nirspec)
    plane = TangentPlane(nirspec.ra, nirspec.dec)
    polygons = []
    for v2, v3 in _outline_v2v3(shutters):
        x, y = plane.to_plane(*tel_to_sky(matrix, v2, v3))
        polygons.append(shapely.Polygon(np.column_stack([x, y])))
    outline = shapely.MultiPolygon(polygons)
    shapely.prepare(outline)
    return outline


def usable_msa_coverage(
    nirspec: Pointing,
    covering: BaseGeometry | None,
    operability: OperabilityMap | str | os.PathLike | None = None,
    shutters: MSAShutters | None = None,
    outline: BaseGeometry | None = None,
) -> UsableCoverage:
    """Usable-MSA coverage of an unclipped covering region: one minus the operable open
    area of the shutter grid it leaves uncovered.

    The same fractions as :func:`usable_coverage` (to ~1e-8), computed from the
    part of :func:`grid_outline` outside ``covering``, which is small when the
    pre-imaging covers most of the MSA; a covering that holds the whole grid
    reads exactly 1.

    Parameters
    ----------
    nirspec : Pointing
        NIRSpec pointing (NRS_FULL_MSA, degrees).
    covering : shapely geometry or None
        What the pre-imaging covers, in the NIRSpec tangent plane (arcsec), not
        clipped to the MSA: :attr:`previs.geometry.coverage.Coverage.covering`.
    operability : OperabilityMap, path or None
        The operability map (None: the bundled snapshot).
    shutters : MSAShutters, optional
        The shutter geometry (default: the bundled snapshot).
    outline : shapely geometry, optional
        :func:`grid_outline` of ``nirspec`` when the caller has it (e.g. rotated
        from another APA at the same RA/Dec, which is exact).
    """
    shutters = shutters or msa_shutters()
    operability = resolve_operability(operability)
    weights = _row_weights(operability, shutters)
    grand = float(weights.total.sum())
    if covering is None or covering.is_empty:
        covered, fractions = _fractions(np.zeros(4), weights)
        return UsableCoverage(covered, fractions, operability.name, grand)
    outline = grid_outline(nirspec, shutters) if outline is None else outline
    pieces = shapely.difference(shapely.get_parts(outline), covering)
    missing = np.zeros(4)
    if not shapely.is_empty(pieces).all():
        # Straight edges of the covering cross open areas: cut them about as
        # usable_coverage does (MAX_SEGMENT shutters, ~1.07" along i); the outline's
        # chords, cut too, lie in the bars, where any (i, j) path is exact.
        pieces = shapely.segmentize(pieces, MAX_SEGMENT * _ARCSEC_PER_SHUTTER_I)
        missing = _pieces_open_area(nirspec, pieces, weights, shutters)
    areas = np.maximum(weights.total - missing, 0.0)
    covered, fractions = _fractions(areas, weights)
    for q in range(4):
        if missing[q] == 0.0:
            fractions[q + 1] = 1.0 if weights.total[q] > 0 else 0.0
    if not missing.any():
        covered = 1.0
    return UsableCoverage(covered, fractions, operability.name, grand)


def open_area_corners(
    nirspec: Pointing,
    quadrant: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    open_area: bool = True,
    shutters: MSAShutters | None = None,
) -> np.ndarray:
    """Corners of shutters' open areas (or whole cells) in the NIRSpec tangent plane.

    Parameters
    ----------
    nirspec : Pointing
        NIRSpec pointing (degrees).
    quadrant, i, j : array_like of int
        The shutters (1-based), one-dimensional and of equal length.
    open_area : bool
        The open area (True) or the whole cell, bars included (False).
    shutters : MSAShutters, optional
        The shutter geometry (default: the bundled snapshot).

    Returns
    -------
    numpy.ndarray
        (n, 4, 2) corners in arcsec (x east, y north), anticlockwise in (i, j).
    """
    quadrant = np.asarray(quadrant, dtype=int).ravel()
    ra, dec = open_area_sky(nirspec, quadrant, i, j, shutters, open_area=open_area)
    x, y = TangentPlane(nirspec.ra, nirspec.dec).to_plane(ra, dec)
    return np.stack([x, y], axis=-1)


def mean_usable(each: tuple[UsableCoverage, ...]) -> UsableCoverage:
    """The usable-MSA coverage of several NIRSpec pointings together: every pointing's
    operable shutters count (each MSA configuration is its own exposure), so the
    fractions are the area-weighted means; one pointing is returned as it is."""
    if len(each) == 1:
        return each[0]
    total = sum(u.usable_area for u in each)
    covered = sum(u.covered * u.usable_area for u in each) / total if total else 0.0
    quadrants = {q: sum(u.quadrants[q] for u in each) / len(each) for q in each[0].quadrants}
    return UsableCoverage(float(covered), quadrants, each[0].operability, float(total))
