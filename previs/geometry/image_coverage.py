"""How much of the NIRSpec MSA an image's valid data cover.

A :class:`SkyRegion` is an area of sky held as a shapely geometry in a tangent
plane (arcsec; see :class:`~previs.geometry.projection.TangentPlane`), such as
the valid-data footprint of a FITS image (:func:`previs.io.valid_region.valid_region`).
:func:`image_coverage` puts it in the tangent plane at a NIRSpec pointing, the
plane in which :func:`~previs.geometry.coverage.msa_geometry` builds the MSA
quadrants, and measures the covered fraction of the MSA and of each quadrant.
:class:`ImageCoverage` keeps the covered geometry in that plane, so anything
else laid out in it (e.g. shutter centres) can be tested against it directly.
:func:`image_apa_sweep` maps the region into the plane once and turns the MSA
about the pointing for every APA, as :func:`~previs.planning.sweep.apa_sweep`
does for a NIRCam plan.

Tangent planes map onto each other projectively: straight edges stay straight,
so moving a polygon between planes is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from previs.geometry.attitude import ARCSEC_PER_RADIAN, Pointing, separation_deg, unit_vectors
from previs.geometry.coverage import (
    MSAGeometry,
    fraction,
    geometry_sky_polygons,
    msa_geometry,
    rotate_about_origin,
    union_msa_geometry,
)
from previs.geometry.projection import TangentPlane

__all__ = [
    "ImageCoverage",
    "SkyRegion",
    "image_apa_sweep",
    "image_coverage",
    "image_union_coverage",
    "plane_xy",
]

#: Positions farther than this from a region's tangent point (degrees) are never
#: projected into its plane (the gnomonic projection fails at 90 degrees).
MAX_SEPARATION_DEG = 45.0
#: Margin (arcsec) added around the MSA when clipping a region to what can touch it.
_CLIP_MARGIN_ARCSEC = 2.0


def plane_xy(plane: TangentPlane, ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plane positions (arcsec) of sky positions, and which lie near enough to project.

    Positions farther than :data:`MAX_SEPARATION_DEG` from the tangent point get
    NaN and ``near`` False.
    """
    ra = np.atleast_1d(np.asarray(ra_deg, dtype=float))
    dec = np.atleast_1d(np.asarray(dec_deg, dtype=float))
    vectors = unit_vectors(ra, dec)
    centre = unit_vectors(plane.ra, plane.dec)
    cosine = centre[0] * vectors[0] + centre[1] * vectors[1] + centre[2] * vectors[2]
    near = cosine > math.cos(math.radians(MAX_SEPARATION_DEG))
    x = np.full(ra.shape, np.nan)
    y = np.full(ra.shape, np.nan)
    if near.any():
        x[near], y[near] = plane.from_unit(vectors[:, near])
    return x, y, near


@dataclass(frozen=True, eq=False)
class SkyRegion:
    """An area of sky as a geometry in a tangent plane.

    Attributes
    ----------
    plane : TangentPlane
        The plane (x east, y north, arcsec) in which ``geometry`` is given.
    geometry : shapely geometry
        Polygons with holes, arcsec.
    tracing_error_arcsec : float
        Bound on how far the outline may stray from the true edge: every point
        wrongly inside or outside lies within this distance of the true edge.
    """

    plane: TangentPlane
    geometry: BaseGeometry
    tracing_error_arcsec: float

    @property
    def is_empty(self) -> bool:
        """Whether the region holds no area."""
        return bool(self.geometry.is_empty)

    @property
    def area_arcsec2(self) -> float:
        """Area of the region in its plane, arcsec^2."""
        return float(self.geometry.area)

    @cached_property
    def radius_arcsec(self) -> float:
        """Largest distance of an outline vertex from the tangent point, arcsec."""
        if self.is_empty:
            return 0.0
        xy = shapely.get_coordinates(self.geometry)
        return float(np.sqrt((xy**2).sum(axis=1)).max())

    @cached_property
    def _prepared(self) -> BaseGeometry:
        shapely.prepare(self.geometry)
        return self.geometry

    def in_plane(self, plane: TangentPlane) -> BaseGeometry:
        """The region in another tangent plane (exact for straight edges)."""
        if plane == self.plane:
            return self.geometry
        return shapely.transform(self.geometry, self.plane.transfer_to(plane))

    def reaches(self, ra_deg: float, dec_deg: float, radius_arcsec: float) -> bool:
        """Whether the region can come within ``radius_arcsec`` of (ra, dec).

        A quick test on the region's bounding circle about its tangent point.
        """
        if self.is_empty:
            return False
        separation = separation_deg(self.plane.ra, self.plane.dec, ra_deg, dec_deg)
        if separation >= MAX_SEPARATION_DEG:
            return False
        # A plane radius rho (arcsec) is an angle atan(rho / R) from the tangent point.
        reach = math.degrees(math.atan(self.radius_arcsec / ARCSEC_PER_RADIAN))
        return separation * 3600.0 <= reach * 3600.0 + radius_arcsec

    def contains(self, ra_deg, dec_deg) -> np.ndarray:
        """Boolean mask of the sky positions (degrees) inside the region (edges: outside)."""
        x, y, near = plane_xy(self.plane, ra_deg, dec_deg)
        inside = np.zeros(near.shape, dtype=bool)
        if near.any() and not self.is_empty:
            inside[near] = shapely.contains_xy(self._prepared, x[near], y[near])
        return inside

    def sky_polygons(self) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """Every polygon as (ra, dec) rings in degrees, its exterior first, then its holes."""
        return geometry_sky_polygons(self.geometry, self.plane)


@dataclass(frozen=True, eq=False)
class ImageCoverage:
    """MSA coverage by an image's valid data at one NIRSpec pointing.

    Attributes
    ----------
    covered : float
        Fraction (0-1) of the MSA area inside the region.
    quadrants : dict
        Covered fraction of each quadrant, keyed 1-4.
    covered_error : float
        Bound on the error of ``covered`` from the tracing error: the length of
        the region's outline inside the MSA times the tracing error, over the
        MSA area.
    covered_geometry : shapely geometry
        MSA intersect region, in ``plane`` (arcsec).
    region_geometry : shapely geometry
        The region wherever the MSA can reach it at any APA (a disc about the
        pointing), in ``plane``, not clipped to the quadrant outlines: the
        covered area to give a shutter-level count (e.g. usable shutters).
    uncovered : shapely geometry
        MSA minus region, in ``plane``.
    plane : TangentPlane
        Tangent plane at the NIRSpec pointing (that of ``msa_geometry``).
    msa_area : float
        MSA area, arcsec^2.
    note : str
        Why nothing is covered when the image does not reach the MSA ("" otherwise).
    """

    covered: float
    quadrants: dict[int, float]
    covered_error: float
    covered_geometry: BaseGeometry
    region_geometry: BaseGeometry
    uncovered: BaseGeometry
    plane: TangentPlane
    msa_area: float
    note: str = ""

    def to_dict(self) -> dict:
        """JSON-ready: covered, quadrants (keys "1"-"4"), covered_error, note."""
        data = {
            "covered": self.covered,
            "quadrants": {str(k): v for k, v in self.quadrants.items()},
            "covered_error": self.covered_error,
        }
        if self.note:
            data["note"] = self.note
        return data

    def uncovered_sky_polygons(self) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """The uncovered MSA area as polygons of (ra, dec) rings in degrees."""
        return geometry_sky_polygons(self.uncovered, self.plane)


def _msa_reach_arcsec(msa) -> float:
    """Largest distance of an MSA corner from the NIRSpec reference point, arcsec."""
    return float(np.sqrt((msa.quadrant_corners**2).sum(axis=-1)).max())


def _region_near_msa(region: SkyRegion, nirspec: Pointing) -> tuple[BaseGeometry | None, str]:
    """The part of the region that can touch the MSA at any APA, in the NIRSpec plane.

    Returns (None, note) when the region cannot reach the MSA. It does not depend
    on the APA: kept for the last few (region, RA, Dec), enough for every pointing of
    a plan of several, whose pointings after the first move as the APA turns them.
    """
    return _near_msa(region, float(nirspec.ra), float(nirspec.dec))


@lru_cache(maxsize=32)
def _near_msa(
    region: SkyRegion, ra: float, dec: float, reach_arcsec: float | None = None
) -> tuple[BaseGeometry | None, str]:
    """The region within ``reach_arcsec`` (default: the MSA's reach at any APA, plus a
    margin) of (ra, dec), in the tangent plane there; or (None, why not)."""
    nirspec = Pointing(ra, dec, 0.0)
    msa = msa_geometry(nirspec)
    reach = reach_arcsec or _msa_reach_arcsec(msa) + _CLIP_MARGIN_ARCSEC
    if region.is_empty:
        return None, "the image has no valid data"
    if not region.reaches(nirspec.ra, nirspec.dec, reach):
        separation = separation_deg(region.plane.ra, region.plane.dec, nirspec.ra, nirspec.dec)
        return None, (
            f"the image's valid data lie {separation:.3f} deg from the NIRSpec pointing "
            "and do not reach the MSA"
        )
    # Clip in the region's own plane first, so only the nearby outline is moved.
    box_x, box_y = region.plane.to_plane(
        *msa.plane.to_sky(
            np.array([-reach, reach, reach, -reach]), np.array([-reach, -reach, reach, reach])
        )
    )
    near = shapely.clip_by_rect(region.geometry, box_x.min(), box_y.min(), box_x.max(), box_y.max())
    if near.is_empty:
        return None, "the image's valid data do not reach the MSA"
    near = shapely.transform(near, region.plane.transfer_to(msa.plane))
    disc = shapely.Point(0.0, 0.0).buffer(reach, quad_segs=32)
    near = shapely.intersection(near, disc)
    if near.is_empty:
        return None, "the image's valid data do not reach the MSA"
    shapely.prepare(near)
    return near, ""


def image_coverage(region: SkyRegion, nirspec: Pointing) -> ImageCoverage:
    """Coverage of the MSA at ``nirspec`` by the region (e.g. an image's valid data).

    Parameters
    ----------
    region : SkyRegion
        The covering area (:func:`previs.io.valid_region.valid_region` for an image).
    nirspec : Pointing
        NRS_FULL_MSA pointing (degrees).

    Returns
    -------
    ImageCoverage
        0 % with a ``note`` (not an error) when the region does not reach the MSA.
    """
    return _measure(region, msa_geometry(nirspec), *_region_near_msa(region, nirspec))


def image_union_coverage(region: SkyRegion, pointings: tuple[Pointing, ...]) -> ImageCoverage:
    """Coverage of several NIRSpec pointings' MSAs together by the region.

    "Together" is the union of every pointing's MSA
    (:func:`~previs.geometry.coverage.union_msa_geometry`, in the tangent plane at
    the first pointing), as for the planned coverage of several pointings:
    ``covered`` is the fraction of that union inside the region, ``quadrants[k]``
    that of the union of quadrant k over the pointings, ``uncovered`` the union
    minus the region. One pointing gives :func:`image_coverage`.

    Parameters
    ----------
    region : SkyRegion
        The covering area (an image's valid data).
    pointings : tuple of Pointing
        NRS_FULL_MSA pointings (degrees), the first one's plane used.
    """
    return _measure(region, *_near_msas(region, tuple(pointings)))


def _near_msas(
    region: SkyRegion, pointings: tuple[Pointing, ...]
) -> tuple[MSAGeometry, BaseGeometry | None, str]:
    """The MSAs of ``pointings`` as one area (in the first one's plane) and the part of
    the region that can touch it at any APA turning them together about the first,
    with the note when none can."""
    first = pointings[0]
    if len(pointings) == 1:
        return msa_geometry(first), *_region_near_msa(region, first)
    msa = union_msa_geometry(pointings)
    reach = _msa_reach_arcsec(msa) + _CLIP_MARGIN_ARCSEC
    return msa, *_near_msa(region, float(first.ra), float(first.dec), round(reach, 3))


def _measure(
    region: SkyRegion, msa: MSAGeometry, near: BaseGeometry | None, note: str
) -> ImageCoverage:
    """The coverage of ``msa`` by ``near`` (the region near it, in its plane)."""
    if near is None:
        return ImageCoverage(
            covered=0.0,
            quadrants={i + 1: 0.0 for i in range(len(msa.quadrants))},
            covered_error=0.0,
            covered_geometry=shapely.Polygon(),
            region_geometry=shapely.Polygon(),
            uncovered=msa.union,
            plane=msa.plane,
            msa_area=msa.area,
            note=note,
        )
    covered = shapely.intersection(msa.union, near)
    quadrants = {
        i + 1: fraction(shapely.intersection(quadrant, covered).area, quadrant.area)
        for i, quadrant in enumerate(msa.quadrants)
    }
    edge_inside = shapely.intersection(shapely.boundary(near), msa.union).length
    return ImageCoverage(
        covered=fraction(covered.area, msa.area),
        quadrants=quadrants,
        covered_error=fraction(edge_inside * region.tracing_error_arcsec, msa.area),
        covered_geometry=covered,
        region_geometry=near,
        uncovered=shapely.difference(msa.union, covered),
        plane=msa.plane,
        msa_area=msa.area,
        note="" if covered.area > 0 else "the image's valid data do not reach the MSA",
    )


def image_apa_sweep(
    region: SkyRegion, nirspec: Pointing, apas, others: tuple[Pointing, ...] = ()
) -> np.ndarray:
    """Covered MSA fraction for every NIRSpec APA in ``apas`` (degrees).

    The region is put in the tangent plane at ``nirspec`` once; for each APA the
    MSA turns about the pointing by ``apa - nirspec.apa`` (exact in that plane).
    ``others``: more NIRSpec pointings at ``nirspec``'s APA; their MSAs and
    ``nirspec``'s, as one area (:func:`image_union_coverage`), turn together
    about ``nirspec``.

    Returns
    -------
    numpy.ndarray
        Covered fractions (0-1), one per APA (zeros when the region does not
        reach the MSA).
    """
    apas = np.atleast_1d(np.asarray(apas, dtype=float))
    msa, near, _ = _near_msas(region, (nirspec, *others))
    fractions = np.zeros(len(apas))
    if near is None:
        return fractions
    for i, apa in enumerate(apas):
        turned = rotate_about_origin(msa.union, apa - nirspec.apa)
        fractions[i] = fraction(shapely.intersection(turned, near).area, msa.area)
    return fractions
