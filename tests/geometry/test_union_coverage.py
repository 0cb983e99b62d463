"""Coverage of several MSA pointings together, against a point grid and an exact overlay."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from astropy.wcs import WCS
from matplotlib.path import Path

from previs.geometry.attitude import Pointing
from previs.geometry.coverage import (
    compute_coverage,
    compute_union_coverage,
    union_msa_geometry,
)
from previs.geometry.depth import depth_fractions
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.siaf import MSA_QUADRANTS

RA, DEC = 53.1625, -27.7914
# three MSA pointings: two overlapping (a 40" step), one 3' away at another APA
POINTINGS = (
    Pointing(RA, DEC, 45.0),
    Pointing(RA + 40.0 / 3600 / np.cos(np.radians(DEC)), DEC, 45.0),
    Pointing(RA, DEC + 180.0 / 3600, 60.0),
)
NIRCAM = Pointing(RA, DEC + 60.0 / 3600, 300.0)


def _tan(ra, dec):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [0.0, 0.0]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]
    return wcs


def _paths(wcs, footprint):
    x, y = wcs.all_world2pix(footprint.ra.ravel(), footprint.dec.ravel(), 0)
    return [
        Path(np.column_stack([px, py]))
        for px, py in zip(x.reshape(-1, 4), y.reshape(-1, 4), strict=True)
    ]


def _grid(pointings, footprint, step=1.0):
    """Covered fraction (depth 1-3) and per-quadrant fractions of the union, on a point grid."""
    wcs = _tan(pointings[0].ra, pointings[0].dec)
    g = np.arange(-400, 400, step) + step / 2
    xx, yy = np.meshgrid(g, g)
    points = np.column_stack([xx.ravel(), yy.ravel()])
    in_quadrant = np.zeros((4, len(points)), bool)
    for pointing in pointings:
        for k, path in enumerate(_paths(wcs, nirspec_footprint(pointing, MSA_QUADRANTS))):
            in_quadrant[k] |= path.contains_points(points)
    in_msa = in_quadrant.any(axis=0)
    depth = np.zeros(len(points), int)
    for path in _paths(wcs, footprint):
        depth += path.contains_points(points)
    covered = {k: (in_msa & (depth >= k)).sum() / in_msa.sum() for k in (1, 2, 3)}
    quadrants = {k + 1: (q & (depth >= 1)).sum() / q.sum() for k, q in enumerate(in_quadrant)}
    return covered, quadrants


def test_together_agrees_with_a_point_grid():
    footprint = nircam_footprint(NIRCAM, "short", "FULL3", Mosaic(2, 1))
    together = compute_union_coverage(POINTINGS, footprint)
    grid, quadrants = _grid(POINTINGS, footprint)
    assert 0.2 < together.covered < 0.98  # a case that tells
    for k in (1, 2, 3):
        assert together.depth[k] == pytest.approx(grid[k], abs=4e-3)
    for k in (1, 2, 3, 4):
        assert together.quadrants[k] == pytest.approx(quadrants[k], abs=6e-3)
    # and is not the mean of the pointings alone
    alone = [compute_coverage(p, footprint).covered for p in POINTINGS]
    assert abs(together.covered - np.mean(alone)) > 1e-3


def test_union_area_is_exact_and_one_pointing_is_the_plain_coverage():
    msa = union_msa_geometry(POINTINGS)
    polygons = shapely.polygons(msa.quadrant_corners)
    assert msa.area == pytest.approx(shapely.union_all(polygons).area, rel=1e-12)
    single = union_msa_geometry(POINTINGS[:1])
    assert single.area == pytest.approx(
        compute_coverage(POINTINGS[0], nircam_footprint(NIRCAM)).msa_area
    )
    footprint = nircam_footprint(NIRCAM, "long", "FULL6")
    plain = compute_coverage(POINTINGS[0], footprint)
    alone = compute_union_coverage(POINTINGS[:1], footprint)
    assert (alone.covered, alone.quadrants, alone.depth) == (
        plain.covered,
        plain.quadrants,
        plain.depth,
    )


def test_the_same_pointing_twice_changes_nothing():
    footprint = nircam_footprint(NIRCAM, "short", "FULL6", Mosaic(1, 2))
    once = compute_coverage(POINTINGS[0], footprint)
    twice = compute_union_coverage((POINTINGS[0], POINTINGS[0]), footprint)
    assert twice.covered == pytest.approx(once.covered, abs=1e-9)
    for k in (2, 3):  # overlapping masks count once in the row integration
        assert twice.depth[k] == pytest.approx(once.depth[k], abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_depth_inside_overlapping_masks_matches_an_exact_overlay(seed):
    rng = np.random.default_rng(seed)

    def square(cx, cy, half, angle):
        c, s = np.cos(angle), np.sin(angle)
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
        return corners @ np.array([[c, s], [-s, c]]) + (cx, cy)

    masks = np.array([square(0, 0, 10, 0.2), square(6, 3, 10, 0.5)])
    quads = np.array(
        [square(*rng.uniform(-12, 12, 2), rng.uniform(2, 8), rng.uniform(0, 3)) for _ in range(12)]
    )
    got = depth_fractions(quads, masks, 3, spacing=0.02)
    mask = shapely.union_all(shapely.polygons(masks))
    pieces = shapely.polygons(quads)
    # exact: cut the plane into the cells of the quads' edges; a cell's depth is constant
    edges = shapely.get_parts(shapely.union_all(shapely.boundary(pieces)))
    cells = [c for c in shapely.get_parts(shapely.polygonize(edges)) if c.area > 1e-12]
    for k in (1, 2, 3):
        area = sum(
            shapely.intersection(c, mask).area
            for c in cells
            if shapely.contains_xy(pieces, *shapely.point_on_surface(c).coords[0]).sum() >= k
        )
        assert got[k - 1] == pytest.approx(area / mask.area, abs=2e-3)
