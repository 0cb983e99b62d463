"""Which catalog sources a plan puts in the MSA and which the pre-imaging sees.

For every source of a :class:`~previs.catalog.Catalog` :func:`count_sources`
finds the MSA quadrant that contains it (0 for none) and the number of NIRCam
exposures that contain it (its imaging depth). From these
:class:`SourceCounts` derives, for primary targets and fillers separately:

``total``
    sources of that kind in the catalog;
``in_msa``
    sources inside an MSA quadrant; ``quadrants`` splits them by quadrant 1-4;
``in_msa_imaged``
    inside the MSA and inside at least one NIRCam exposure;
``in_msa_depth2``
    inside the MSA and inside at least two exposures;
``at_risk``
    inside the MSA but in no exposure (``in_msa - in_msa_imaged``): targets the
    pre-imaging would not measure;
``imaged``
    inside at least one exposure, anywhere.

With several NIRSpec pointings (a :class:`~previs.planning.plan.Plan` or
:class:`~previs.planning.plan.Result` holding more than one),
:func:`count_sources` counts them together: ``in_msa`` is inside the MSA of any
pointing, and a source's quadrant is that of the first pointing holding it;
:func:`count_sources_by_pointing` also gives each pointing's own counts.

With the sources' MSA shutters (:meth:`SourceCounts.with_shutters`, as
:func:`previs.catalog.summary.summarize` gives them), :meth:`SourceCounts.shutter_summary`
gives three more:

``in_usable_shutter``
    on the MSA's shutter grid in an operable shutter (bars included);
``in_usable_shutter_imaged``
    that, and inside at least one exposure: **the headline count**, the
    targets MSA spectroscopy can take *and* the pre-imaging measures;
``on_bar``
    of those, the ones behind a bar at this exact pointing.

Headline rule: a source behind the bar of an operable shutter counts as in a
usable shutter. Its position inside the shutter changes by fractions of a
shutter with the small pointing offsets the MSA Planning Tool searches, and
MPT's loosest source-centering class (UNCONSTRAINED) accepts it, whereas a
failed shutter stays failed; ``on_bar`` says how many the strict classes
would lose at the nominal pointing.

Geometry is done in the tangent plane at the (first) NIRSpec pointing (arcsec), where
the SIAF aperture outlines are exact polygons; points are tested with
shapely's vectorised ``contains_xy`` against prepared polygons (each detector
of each exposure and each MSA quadrant), after a bounding-box prefilter that
uses an index of the projected catalog cached per (catalog, tangent plane).
A point on an outline counts as outside. Sources more than
:data:`MAX_SEPARATION_DEG` from the NIRSpec pointing (where the projection
degrades and fails at 90 degrees) count as outside everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import shapely

from previs.catalog.table import Catalog
from previs.errors import quote
from previs.geometry import footprints as _footprints
from previs.geometry.attitude import Pointing, unit_vectors
from previs.geometry.coverage import union_msa_geometry
from previs.geometry.footprints import Footprint
from previs.geometry.projection import TangentPlane
from previs.geometry.shutters import ShutterPlacement

__all__ = [
    "KINDS",
    "MAX_SEPARATION_DEG",
    "SourceCounts",
    "count_sources",
    "count_sources_by_pointing",
]

KINDS = ("primary", "filler", "reference", "all")
MAX_SEPARATION_DEG = 45.0

# Plane index: sources sorted by x strip of this width (arcsec), then by y.
_STRIP_ARCSEC = 8.0
# Sort key strip * _KEY_SCALE + y: _KEY_SCALE exceeds the range of y (within
# MAX_SEPARATION_DEG, |x| and |y| stay below tan(45 deg) = 206265"), and keys stay
# below 2**34 so they round by less than 1e-5", far less than _BOX_MARGIN.
_PLANE_LIMIT = 2.1e5
_KEY_SCALE = 2.0**19
_BOX_MARGIN = 1e-3  # arcsec added around bounding boxes


@dataclass(frozen=True, eq=False)
class _PlaneIndex:
    """Catalog positions in one tangent plane, sorted for bounding-box queries."""

    x: np.ndarray  # plane x of indexed sources, sorted by key (arcsec)
    y: np.ndarray
    source: np.ndarray  # catalog index of each indexed source
    key: np.ndarray  # strip * _KEY_SCALE + y, ascending

    def candidates(self, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(polygon, position-in-index) pairs of points inside each bounding box.

        ``bounds`` is (n, 4): xmin, ymin, xmax, ymax (NaN rows for empty polygons).
        """
        usable = np.all(np.isfinite(bounds), axis=1)
        usable &= np.all(np.abs(bounds) < _PLANE_LIMIT, axis=1)
        polygons = np.flatnonzero(usable)
        b = bounds[polygons]
        first = np.floor((b[:, 0] - _BOX_MARGIN) / _STRIP_ARCSEC)
        last = np.floor((b[:, 2] + _BOX_MARGIN) / _STRIP_ARCSEC)
        n_strips = (last - first + 1).astype(np.intp)
        owner = np.repeat(np.arange(len(polygons)), n_strips)
        strip = first[owner] + (
            np.arange(len(owner)) - np.repeat(np.cumsum(n_strips) - n_strips, n_strips)
        )
        lo = np.searchsorted(self.key, strip * _KEY_SCALE + (b[owner, 1] - _BOX_MARGIN))
        hi = np.searchsorted(self.key, strip * _KEY_SCALE + (b[owner, 3] + _BOX_MARGIN), "right")
        counts = hi - lo
        total = int(counts.sum())
        run_start = np.cumsum(counts) - counts
        position = np.repeat(lo - run_start, counts) + np.arange(total)
        return polygons[np.repeat(owner, counts)], position


def _sky_to_plane(
    plane: TangentPlane, ra_deg: np.ndarray, dec_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plane x, y (arcsec) and a mask of positions within MAX_SEPARATION_DEG of the centre."""
    vectors = unit_vectors(np.asarray(ra_deg, dtype=float), np.asarray(dec_deg, dtype=float))
    centre = unit_vectors(plane.ra, plane.dec)
    near = np.tensordot(centre, vectors, axes=1) > math.cos(math.radians(MAX_SEPARATION_DEG))
    x = np.full(near.shape, np.nan)
    y = np.full(near.shape, np.nan)
    if near.any():
        x[near], y[near] = plane.from_unit(vectors[:, near])
    return x, y, near


@lru_cache(maxsize=8)
def _plane_index(catalog: Catalog, plane: TangentPlane) -> _PlaneIndex:
    x, y, near = _sky_to_plane(plane, catalog.ra, catalog.dec)
    source = np.flatnonzero(near)
    x, y = x[source], y[source]
    key = np.floor(x / _STRIP_ARCSEC) * _KEY_SCALE + y
    order = np.argsort(key, kind="stable")
    return _PlaneIndex(x[order], y[order], source[order], key[order])


def _detector_polygons(footprint: Footprint, plane: TangentPlane) -> np.ndarray:
    """One polygon per footprint outline in ``plane``; empty where a corner is too far away."""
    x, y, near = _sky_to_plane(plane, footprint.ra, footprint.dec)
    complete = np.all(near, axis=1)
    polygons = np.full(len(footprint.ra), shapely.Polygon(), dtype=object)
    if complete.any():
        corners = np.stack([x[complete], y[complete]], axis=-1)
        polygons[complete] = shapely.polygons(corners)
    return polygons


def _detectors_overlap(detectors: np.ndarray, exposures: np.ndarray) -> bool:
    """Whether outlines of one exposure overlap (checked on the first exposure).

    Every exposure places the same detectors rigidly, so one exposure tells.
    """
    first = detectors[np.asarray(exposures) == np.asarray(exposures)[0]]
    if len(first) < 2:
        return False
    areas = shapely.area(first)
    return bool(shapely.union_all(first).area < areas.sum() * (1.0 - 1e-9))


@dataclass(frozen=True, eq=False)
class SourceCounts:
    """Per-source MSA quadrant and imaging depth, and the counts derived from them.

    Attributes
    ----------
    catalog : Catalog
        The counted catalog.
    quadrant : numpy.ndarray of int8
        MSA quadrant (1-4) containing each source, 0 for none.
    depth : numpy.ndarray of int
        Number of NIRCam exposures containing each source.
    n_exposures : int
        Number of exposures of the NIRCam footprint.
    pointing : numpy.ndarray of int16 or None
        NIRSpec pointing (from 1, in the plan's order) whose MSA holds each
        source, the first if several; 0 for none (None when not counted so).
    shutters : ShutterPlacement or None
        Each source's MSA shutter at the NIRSpec pointing
        (:func:`previs.geometry.shutters.place_sources`), when given with
        :meth:`with_shutters`; :meth:`shutter_summary` counts from it.
    """

    catalog: Catalog
    quadrant: np.ndarray
    depth: np.ndarray
    n_exposures: int
    pointing: np.ndarray | None = None
    shutters: ShutterPlacement | None = None

    def with_shutters(self, shutters: ShutterPlacement) -> SourceCounts:
        """The same counts with each source's shutter (one placement per catalog source)."""
        if len(shutters) != len(self.catalog):
            raise ValueError(
                f"with_shutters: {len(shutters)} placements for {len(self.catalog)} sources"
            )
        return replace(self, shutters=shutters)

    @property
    def in_usable_shutter(self) -> np.ndarray:
        """Mask of sources in an operable MSA shutter, bars included (needs ``shutters``)."""
        return self._placement().usable

    @property
    def in_usable_shutter_imaged(self) -> np.ndarray:
        """Mask of sources in an operable shutter and in at least one exposure: the headline."""
        return self._placement().usable & (self.depth >= 1)

    def _placement(self) -> ShutterPlacement:
        if self.shutters is None:
            raise ValueError("these source counts have no shutters; see SourceCounts.with_shutters")
        return self.shutters

    @property
    def in_msa(self) -> np.ndarray:
        """Mask of sources inside an MSA quadrant."""
        return self.quadrant > 0

    @property
    def imaged(self) -> np.ndarray:
        """Mask of sources inside at least one NIRCam exposure."""
        return self.depth >= 1

    @property
    def in_msa_imaged(self) -> np.ndarray:
        """Mask of sources inside the MSA and at least one exposure."""
        return (self.quadrant > 0) & (self.depth >= 1)

    @property
    def in_msa_depth2(self) -> np.ndarray:
        """Mask of sources inside the MSA and at least two exposures."""
        return (self.quadrant > 0) & (self.depth >= 2)

    @property
    def at_risk(self) -> np.ndarray:
        """Mask of sources inside the MSA but in no exposure."""
        return (self.quadrant > 0) & (self.depth == 0)

    def kind_mask(self, kind: str) -> np.ndarray:
        """Mask of ``kind``: ``"primary"``, ``"filler"`` or ``"all"``."""
        if kind == "primary":
            return self.catalog.primary
        if kind == "filler":
            return self.catalog.filler
        if kind == "reference":
            return self.catalog.reference
        if kind == "all":
            return np.ones(len(self.catalog), dtype=bool)
        raise ValueError(f"unknown source kind {quote(kind)}; valid: {', '.join(KINDS)}")

    def _indices(self, mask: np.ndarray, kind: str) -> np.ndarray:
        return np.flatnonzero(mask & self.kind_mask(kind))

    def in_msa_indices(self, kind: str = "all") -> np.ndarray:
        """Catalog indices of sources of ``kind`` inside the MSA."""
        return self._indices(self.in_msa, kind)

    def in_msa_imaged_indices(self, kind: str = "all") -> np.ndarray:
        """Catalog indices of sources of ``kind`` inside the MSA and some exposure."""
        return self._indices(self.in_msa_imaged, kind)

    def at_risk_indices(self, kind: str = "all") -> np.ndarray:
        """Catalog indices of sources of ``kind`` inside the MSA but in no exposure."""
        return self._indices(self.at_risk, kind)

    def imaged_indices(self, kind: str = "all") -> np.ndarray:
        """Catalog indices of sources of ``kind`` inside at least one exposure."""
        return self._indices(self.imaged, kind)

    def quadrant_indices(self, quadrant: int, kind: str = "all") -> np.ndarray:
        """Catalog indices of sources of ``kind`` inside MSA quadrant ``quadrant`` (1-4)."""
        if quadrant not in (1, 2, 3, 4):
            raise ValueError(f"MSA quadrant must be 1, 2, 3 or 4, got {quote(quadrant)}")
        return self._indices(self.quadrant == quadrant, kind)

    def summary(self, kind: str) -> dict:
        """Counts for one kind: total, in_msa, quadrants, in_msa_imaged, in_msa_depth2,
        at_risk, imaged (the shutter counts are in :meth:`shutter_summary`)."""
        mask = self.kind_mask(kind)
        quadrant = self.quadrant[mask]
        depth = self.depth[mask]
        per_quadrant = np.bincount(quadrant, minlength=5)
        in_msa = quadrant > 0
        in_msa_imaged = int(np.count_nonzero(in_msa & (depth >= 1)))
        n_in_msa = int(np.count_nonzero(in_msa))
        return {
            "total": int(np.count_nonzero(mask)),
            "in_msa": n_in_msa,
            "quadrants": {str(q): int(per_quadrant[q]) for q in range(1, 5)},
            "in_msa_imaged": in_msa_imaged,
            "in_msa_depth2": int(np.count_nonzero(in_msa & (depth >= 2))),
            "at_risk": n_in_msa - in_msa_imaged,
            "imaged": int(np.count_nonzero(depth >= 1)),
        }

    def shutter_summary(self, kind: str) -> dict:
        """Shutter counts for one kind (needs ``shutters``): in_usable_shutter,
        in_usable_shutter_imaged (the headline), on_bar (see the module docstring)."""
        mask = self.kind_mask(kind)
        usable = self._placement().usable[mask]
        headline = usable & (self.depth[mask] >= 1)
        return {
            "in_usable_shutter": int(np.count_nonzero(usable)),
            "in_usable_shutter_imaged": int(np.count_nonzero(headline)),
            "on_bar": int(np.count_nonzero(headline & self.shutters.on_bar[mask])),
        }

    def shutters_dict(self) -> dict:
        """``{"primary": shutter_summary, "filler": shutter_summary, "operability": name}``
        (and ``"reference"`` when the catalog has reference stars), JSON-ready."""
        placement = self._placement()
        data = {kind: self.shutter_summary(kind) for kind in ("primary", "filler")}
        if self.catalog.reference.any():
            data["reference"] = self.shutter_summary("reference")
        data["operability"] = placement.operability
        return data

    def to_dict(self) -> dict:
        """``{"primary": summary, "filler": summary, "has_flags": bool}`` (JSON-ready), and
        ``"reference": summary`` when the catalog has reference stars."""
        data = {
            "primary": self.summary("primary"),
            "filler": self.summary("filler"),
            "has_flags": bool(self.catalog.has_flags),
        }
        if self.catalog.reference.any():
            data["reference"] = self.summary("reference")
        return data


def count_sources(
    catalog: Catalog,
    nirspec_pointing,
    nircam_footprint: Footprint | None = None,
) -> SourceCounts:
    """Locate every catalog source in the MSA quadrants and the NIRCam exposures.

    Parameters
    ----------
    catalog : Catalog
        Sources (degrees).
    nirspec_pointing : Pointing, Plan or Result
        The NRS_FULL_MSA pointing; or a :class:`previs.planning.plan.Plan` (its NIRCam
        footprint is built) or an evaluated :class:`previs.planning.plan.Result` (its
        footprint is reused), in which case ``nircam_footprint`` may be omitted.
    nircam_footprint : Footprint, optional
        NIRCam footprint of one channel (:func:`previs.geometry.footprints.nircam_footprint`),
        required with a Pointing.

    Returns
    -------
    SourceCounts
        With several NIRSpec pointings, their MSAs together (see the module notes).
    """
    return count_sources_by_pointing(catalog, nirspec_pointing, nircam_footprint)[0]


def count_sources_by_pointing(
    catalog: Catalog,
    nirspec_pointing,
    nircam_footprint: Footprint | None = None,
) -> tuple[SourceCounts, tuple[SourceCounts, ...]]:
    """Source counts for all NIRSpec pointings together, and for each pointing alone.

    Arguments as for :func:`previs.catalog.sources.count_sources`. Returns
    ``(together, per_pointing)``; with one pointing ``per_pointing`` is
    ``(together,)``. Every count shares the same imaging ``depth``: only the MSA
    differs between pointings.
    """
    pointings, footprint = _resolve(nirspec_pointing, nircam_footprint)
    msa = union_msa_geometry(pointings)
    index = _plane_index(catalog, msa.plane)
    if len(pointings) == 1:
        quads = np.array(msa.quadrants, dtype=object)
    else:  # every pointing's own quadrants, 4 per pointing, in the first one's plane
        quads = shapely.polygons(msa.quadrant_corners)
    polygons = np.concatenate([quads, _detector_polygons(footprint, msa.plane)])
    shapely.prepare(polygons)
    polygon, position = index.candidates(shapely.bounds(polygons))
    inside = shapely.contains_xy(polygons[polygon], index.x[position], index.y[position])
    polygon, source = polygon[inside], index.source[position[inside]]

    n_sources = len(catalog)
    n_quadrants = len(quads)
    in_quadrant = polygon < n_quadrants
    per_quadrant = len(msa.quadrants)
    hit_pointing = polygon[in_quadrant] // per_quadrant
    hit_quadrant = (polygon[in_quadrant] % per_quadrant + 1).astype(np.int8)
    hit_source = source[in_quadrant]
    # together: the first pointing (lowest number) holding each source
    order = np.lexsort((hit_pointing, hit_source))
    first = order[np.unique(hit_source[order], return_index=True)[1]]
    quadrant = np.zeros(n_sources, dtype=np.int8)
    quadrant[hit_source[first]] = hit_quadrant[first]
    which = np.zeros(n_sources, dtype=np.int16)
    which[hit_source[first]] = hit_pointing[first] + 1

    detector_hits = polygon[~in_quadrant] - n_quadrants
    hit_sources = source[~in_quadrant]
    if _detectors_overlap(polygons[n_quadrants:], footprint.exposures):
        # A source inside two detectors of one exposure counts once.
        exposure = np.asarray(footprint.exposures, dtype=np.int64)[detector_hits]
        pairs = np.unique(exposure * max(n_sources, 1) + hit_sources)
        hit_sources = pairs % max(n_sources, 1)
    depth = np.bincount(hit_sources, minlength=n_sources)
    for array in (quadrant, depth, which):
        array.setflags(write=False)
    n_exposures = int(footprint.n_exposures)
    together = SourceCounts(catalog, quadrant, depth, n_exposures, which)
    if len(pointings) == 1:
        return together, (together,)
    each = []
    for k in range(len(pointings)):
        mine = hit_pointing == k
        own = np.zeros(n_sources, dtype=np.int8)
        own[hit_source[mine]] = hit_quadrant[mine]
        marker = np.where(own > 0, k + 1, 0).astype(np.int16)
        for array in (own, marker):
            array.setflags(write=False)
        each.append(SourceCounts(catalog, own, depth, n_exposures, marker))
    return together, tuple(each)


def _resolve(nirspec, footprint: Footprint | None) -> tuple[tuple[Pointing, ...], Footprint]:
    if isinstance(nirspec, Pointing):
        if footprint is None:
            raise ValueError("count_sources needs a NIRCam footprint with a NIRSpec Pointing")
        return (nirspec,), footprint
    plan = getattr(nirspec, "plan", None)
    if plan is not None and isinstance(getattr(nirspec, "nircam", None), Footprint):
        footprint = nirspec.nircam if footprint is None else footprint
        return _all_pointings(plan), footprint  # an evaluated Result
    if isinstance(getattr(nirspec, "nirspec", None), Pointing):  # a Plan
        if footprint is None:
            footprint = _footprints.nircam_footprint(
                nirspec.nircam, nirspec.channel, nirspec.dither, nirspec.mosaic
            )
        return _all_pointings(nirspec), footprint
    raise ValueError(
        f"count_sources needs a NIRSpec Pointing, a Plan or a Result, got {type(nirspec).__name__}"
    )


def _all_pointings(plan) -> tuple[Pointing, ...]:
    return tuple(getattr(plan, "nirspec_pointings", (plan.nirspec,)))
