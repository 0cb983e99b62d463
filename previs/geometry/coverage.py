"""How much of the NIRSpec MSA a NIRCam pre-imaging plan covers.

All areas are computed with shapely 2 in the tangent plane at the NIRSpec
pointing (arcsec). The MSA is the union of its four quadrants; an exposure is
one dither position of one mosaic tile (the union of its detectors).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from previs.errors import quote
from previs.geometry.attitude import Pointing, unit_vectors
from previs.geometry.depth import depth_fractions
from previs.geometry.footprints import Footprint, nirspec_footprint
from previs.geometry.projection import TangentPlane
from previs.geometry.siaf import MSA_QUADRANTS

MAX_DEPTH = 3
#: Detectors within this distance (arcsec) of the SIAF MSA outline are kept in
#: :attr:`Coverage.covering`: the curved edge of the shutter grid pokes up to
#: 0.09" out of the straight-edged SIAF quadrants (see :mod:`previs.geometry.usable`).
COVERING_MARGIN = 0.5
#: NIRCam outlines farther than this from the NIRSpec pointing (degrees) cannot
#: cover the MSA and are left out (a 10 x 10 mosaic spans under a degree).
REACH_DEG = 10.0


@dataclass(frozen=True, eq=False)
class MSAGeometry:
    """The MSA quadrants of one NIRSpec pointing in its tangent plane (arcsec)."""

    pointing: Pointing
    plane: TangentPlane
    quadrants: tuple[BaseGeometry, ...]
    quadrant_corners: np.ndarray
    union: BaseGeometry

    @property
    def area(self) -> float:
        """Area of the MSA (union of the quadrants), arcsec^2."""
        return float(self.union.area)


@lru_cache(maxsize=64)
def msa_geometry(pointing: Pointing) -> MSAGeometry:
    """Quadrant polygons and their union for a NIRSpec pointing, built once per pointing."""
    plane = TangentPlane(pointing.ra, pointing.dec)
    footprint = nirspec_footprint(pointing, MSA_QUADRANTS)
    corners = plane_corners(footprint, plane)
    quadrants = tuple(shapely.polygons(corners))
    union = shapely.union_all(quadrants)
    shapely.prepare(union)
    return MSAGeometry(pointing, plane, quadrants, corners, union)


#: At most this many NIRSpec pointings measured together.
MAX_POINTINGS = 500


@lru_cache(maxsize=16)
def union_msa_geometry(pointings: tuple[Pointing, ...]) -> MSAGeometry:
    """The MSAs of several NIRSpec pointings as one area, in the first pointing's plane.

    ``quadrants[k]`` is the union of quadrant k + 1 over the pointings,
    ``quadrant_corners`` holds every pointing's four quadrants (4 per pointing,
    in order) and ``union`` their union. One pointing gives :func:`msa_geometry`.
    """
    pointings = tuple(pointings)
    if not 1 <= len(pointings) <= MAX_POINTINGS:
        raise ValueError(f"give 1 to {MAX_POINTINGS} NIRSpec pointings, got {len(pointings)}")
    if len(pointings) == 1:
        return msa_geometry(pointings[0])
    plane = msa_geometry(pointings[0]).plane
    corners = np.concatenate(
        [plane_corners(nirspec_footprint(p, MSA_QUADRANTS), plane) for p in pointings]
    )
    shapes = shapely.polygons(corners)
    n = len(MSA_QUADRANTS)
    quadrants = tuple(shapely.union_all(shapes[k::n]) for k in range(n))
    union = shapely.union_all(quadrants)
    shapely.prepare(union)
    return MSAGeometry(pointings[0], plane, quadrants, corners, union)


def within_reach(footprint: Footprint, plane: TangentPlane) -> np.ndarray:
    """Outlines whose corners all lie within :data:`REACH_DEG` of the plane's centre.

    Only those can touch the MSA (a few arcminutes wide); the others are left
    out so that the tangent plane is never asked about far-away positions.
    """
    corners = unit_vectors(footprint.ra, footprint.dec)
    centre = unit_vectors(plane.ra, plane.dec)
    cos_separation = centre[0] * corners[0] + centre[1] * corners[1] + centre[2] * corners[2]
    return np.all(cos_separation > np.cos(np.deg2rad(REACH_DEG)), axis=-1)


def plane_corners(
    footprint: Footprint, plane: TangentPlane, outlines: np.ndarray | None = None
) -> np.ndarray:
    """Corners (n, 4, 2) of the footprint's outlines (all, or a boolean selection) in ``plane``."""
    ra, dec = footprint.ra, footprint.dec
    if outlines is not None:
        ra, dec = ra[outlines], dec[outlines]
    x, y = plane.to_plane(ra, dec)
    return np.stack([x, y], axis=-1).reshape(-1, 4, 2)


def _boxes_overlap(
    corners: np.ndarray, mask_corners: np.ndarray, margin: float = 0.0
) -> np.ndarray:
    """Outlines (n, 4, 2) whose bounding box meets the bounding box of ``mask_corners``
    grown by ``margin`` (arcsec).

    A cheap, conservative cut before building polygons: in a large mosaic most
    outlines lie far from the MSA.
    """
    low = mask_corners.reshape(-1, 2).min(axis=0) - margin
    high = mask_corners.reshape(-1, 2).max(axis=0) + margin
    return np.all((corners.max(axis=1) >= low) & (corners.min(axis=1) <= high), axis=1)


@dataclass(frozen=True, eq=False)
class Coverage:
    """MSA coverage of a NIRCam footprint.

    Attributes
    ----------
    channel : str
        NIRCam channel.
    covered : float
        Fraction (0-1) of the MSA area covered by at least one exposure.
    quadrants : dict
        Covered fraction of each quadrant, keyed 1-4.
    depth : dict
        ``depth[k]``: fraction of the MSA covered by at least ``k`` exposures,
        k = 1..max_depth (3 unless :func:`compute_coverage` was asked for less).
    exposures : int
        Number of exposures (dither positions x mosaic tiles).
    uncovered : shapely geometry
        The part of the MSA no exposure covers, in ``plane`` (arcsec).
    plane : TangentPlane
        Tangent plane at the NIRSpec pointing in which areas were computed.
    msa_area : float
        MSA area, arcsec^2.
    covering : shapely geometry or None
        The union of the detectors within :data:`COVERING_MARGIN` of the MSA, in
        ``plane``, before it is clipped to the MSA: what the usable-MSA coverage
        (:func:`previs.geometry.usable.usable_msa_coverage`) measures, since the
        shutter grid reaches slightly beyond the SIAF outline.
    """

    channel: str
    covered: float
    quadrants: dict[int, float]
    depth: dict[int, float]
    exposures: int
    uncovered: BaseGeometry
    plane: TangentPlane
    msa_area: float
    covering: BaseGeometry | None = None

    def to_dict(self) -> dict:
        """The CLI's JSON shape: channel, covered, quadrants, depth, exposures."""
        return {
            "channel": self.channel,
            "covered": self.covered,
            "quadrants": {str(k): v for k, v in self.quadrants.items()},
            "depth": {str(k): v for k, v in self.depth.items()},
            "exposures": self.exposures,
        }

    def uncovered_sky_rings(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Rings (exteriors and holes) of the uncovered area as (ra, dec) arrays, degrees."""
        return [ring for polygon in self.uncovered_sky_polygons() for ring in polygon]

    def uncovered_sky_polygons(self) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """The uncovered area as polygons, each a list of (ra, dec) rings in degrees:
        its exterior first, then its holes."""
        return geometry_sky_polygons(self.uncovered, self.plane)


def geometry_sky_polygons(
    geometry: BaseGeometry, plane: TangentPlane
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Every polygon of a geometry in ``plane`` as (ra, dec) rings in degrees, exterior first."""
    polygons = []
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
            continue
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            rings.append(plane.to_sky(xy[:, 0], xy[:, 1]))
        polygons.append(rings)
    return polygons


def compute_coverage(
    nirspec_pointing: Pointing, nircam: Footprint, max_depth: int = MAX_DEPTH
) -> Coverage:
    """Coverage of the MSA at ``nirspec_pointing`` by the NIRCam footprint ``nircam``.

    The covered area (depth 1), the per-quadrant fractions and the uncovered
    geometry come from an exact polygon union; the deeper levels (k = 2, 3)
    from :func:`previs.geometry.depth.depth_fractions` (exact intervals on 0.5" rows).

    Parameters
    ----------
    nirspec_pointing : Pointing
        Pointing of NRS_FULL_MSA (degrees).
    nircam : Footprint
        NIRCam footprint of one channel (from :func:`previs.geometry.footprints.nircam_footprint`).
    max_depth : int
        Deepest level reported in ``depth`` (1 to 3); 1 skips the row integration
        when only the covered fraction is wanted.
    """
    return _coverage(msa_geometry(nirspec_pointing), nircam, max_depth)


def compute_union_coverage(
    pointings: tuple[Pointing, ...], nircam: Footprint, max_depth: int = MAX_DEPTH
) -> Coverage:
    """Coverage of several NIRSpec pointings' MSAs together by one NIRCam footprint.

    "Together" is the union of every pointing's MSA (:func:`union_msa_geometry`):
    ``covered`` is the fraction of that union's area inside the NIRCam exposures,
    ``quadrants[k]`` the fraction of the union of quadrant k over the pointings,
    ``depth[k]`` the fraction of the union inside at least k exposures. Areas are
    measured in the tangent plane at the first pointing. With one pointing this is
    :func:`compute_coverage`.
    """
    pointings = tuple(pointings)
    if len(pointings) == 1:
        return compute_coverage(pointings[0], nircam, max_depth)
    return _coverage(union_msa_geometry(pointings), nircam, max_depth)


def _coverage(msa: MSAGeometry, nircam: Footprint, max_depth: int) -> Coverage:
    if max_depth not in range(1, MAX_DEPTH + 1):
        raise ValueError(f"max_depth must be 1, 2 or 3, got {quote(max_depth)}")
    corners = plane_corners(nircam, msa.plane, within_reach(nircam, msa.plane))
    corners = corners[_boxes_overlap(corners, msa.quadrant_corners, COVERING_MARGIN)]
    detectors = shapely.polygons(corners)
    # Detectors near the MSA (not only touching it) so that the covering also
    # reaches the shutters beyond the SIAF outline; the others cannot add to
    # the covered area or to the depth inside the MSA.
    touching = shapely.dwithin(msa.union, detectors, COVERING_MARGIN)
    covering = shapely.union_all(detectors[touching])
    covered_area = shapely.intersection(covering, msa.union)
    uncovered = shapely.difference(msa.union, covered_area)
    quadrant_fractions = {
        i + 1: fraction(shapely.intersection(quadrant, covered_area).area, quadrant.area)
        for i, quadrant in enumerate(msa.quadrants)
    }
    covered = fraction(covered_area.area, msa.area)
    depth = {1: covered}
    if max_depth > 1:
        deeper = depth_fractions(corners[touching], msa.quadrant_corners, max_depth)
        for k in range(2, max_depth + 1):
            depth[k] = min(float(deeper[k - 1]), depth[k - 1])
    return Coverage(
        channel=nircam.channel or "",
        covered=covered,
        quadrants=quadrant_fractions,
        depth=depth,
        exposures=nircam.n_exposures,
        uncovered=uncovered,
        plane=msa.plane,
        msa_area=msa.area,
        covering=covering,
    )


def fraction(part: float, whole: float) -> float:
    """part / whole clipped to [0, 1] (rounding can exceed 1 by ~1e-16)."""
    return float(min(max(part / whole, 0.0), 1.0))


def rotate_about_origin(geometry: BaseGeometry, delta_pa_deg: float) -> BaseGeometry:
    """Rotate a plane geometry (x east, y north) by ``delta_pa_deg`` east of north."""
    angle = np.deg2rad(delta_pa_deg)
    cos_a, sin_a = np.cos(angle), np.sin(angle)

    def rotate(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        # Position angle grows from north towards east: clockwise in (east, north).
        return np.column_stack([x * cos_a + y * sin_a, -x * sin_a + y * cos_a])

    return shapely.transform(geometry, rotate)
