"""MSA coverage against independent estimates and known answers."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.wcs import WCS
from matplotlib.path import Path

from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.siaf import MSA_QUADRANTS, get_aperture
from previs.planning.sweep import apa_sweep


def _tan_wcs(ra, dec):
    """An astropy TAN projection in arcsec at (ra, dec), independent of previs's projection."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [0.0, 0.0]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]
    return wcs


def grid_estimate(nirspec: Pointing, nircam_fp, step=1.0):
    """Coverage on a grid of points (step arcsec) with matplotlib point-in-polygon tests."""
    wcs = _tan_wcs(nirspec.ra, nirspec.dec)

    def paths(fp):
        x, y = wcs.all_world2pix(fp.ra.ravel(), fp.dec.ravel(), 0)
        return [
            Path(np.column_stack([px, py]))
            for px, py in zip(x.reshape(-1, 4), y.reshape(-1, 4), strict=True)
        ]

    quadrants = paths(nirspec_footprint(nirspec, MSA_QUADRANTS))
    detectors = paths(nircam_fp)
    g = np.arange(-200, 200, step) + step / 2
    xx, yy = np.meshgrid(g, g)
    points = np.column_stack([xx.ravel(), yy.ravel()])
    in_quadrant = np.array([q.contains_points(points) for q in quadrants])
    in_msa = in_quadrant.any(axis=0)
    depth = np.zeros(len(points), int)
    for det in detectors:  # detectors of one exposure never overlap
        depth += det.contains_points(points)
    covered = {k: (in_msa & (depth >= k)).sum() / in_msa.sum() for k in (1, 2, 3)}
    per_quadrant = {i + 1: (q & (depth >= 1)).sum() / q.sum() for i, q in enumerate(in_quadrant)}
    return covered, per_quadrant, in_msa.sum() * step**2


CASES = [
    (
        Pointing(53.1625, -27.7914, 45.0),
        Pointing(53.1625, -27.7914, 10.0),
        "short",
        "NONE",
        Mosaic(),
    ),
    (
        Pointing(53.1625, -27.7914, 45.0),
        Pointing(53.17, -27.78, 300.0),
        "long",
        "FULL3",
        Mosaic(1, 2),
    ),
    (Pointing(150.0, 2.2, 200.0), Pointing(150.0, 2.2, 61.35), "short", "FULL6", Mosaic(2, 1)),
    (Pointing(0.01, 70.0, 320.0), Pointing(359.99, 70.0, 100.0), "short", "8NIRSPEC", Mosaic()),
    (Pointing(40.0, -89.9, 5.0), Pointing(40.0, -89.9, 95.0), "short", "FULL3TIGHT", Mosaic(1, 1)),
]


@pytest.mark.parametrize("nirspec, nircam, channel, dither, mosaic", CASES)
def test_coverage_agrees_with_a_point_grid(nirspec, nircam, channel, dither, mosaic):
    footprint = nircam_footprint(nircam, channel, dither, mosaic)
    coverage = compute_coverage(nirspec, footprint)
    grid, grid_quadrants, grid_area = grid_estimate(nirspec, footprint)
    assert coverage.covered == pytest.approx(grid[1], abs=4e-3)
    for k in (1, 2, 3):
        assert coverage.depth[k] == pytest.approx(grid[k], abs=4e-3)
    for q in (1, 2, 3, 4):
        assert coverage.quadrants[q] == pytest.approx(grid_quadrants[q], abs=8e-3)
    assert coverage.msa_area == pytest.approx(grid_area, rel=4e-3)
    assert coverage.exposures == footprint.n_exposures
    uncovered = coverage.uncovered.area / coverage.msa_area
    assert uncovered == pytest.approx(1 - coverage.covered, abs=1e-9)


def test_msa_area_equals_the_quadrants_ideal_areas():
    """Quadrants do not overlap; each quadrant's area is its SIAF ideal-frame area."""
    coverage = compute_coverage(
        Pointing(80.0, -30.0, 10.0), nircam_footprint(Pointing(80.0, -30.0, 0.0))
    )
    total = 0.0
    for name in MSA_QUADRANTS:
        a = get_aperture(name)
        x, y = a.corners_x_idl, a.corners_y_idl
        total += 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert coverage.msa_area == pytest.approx(total, rel=1e-4)


def test_a_large_mosaic_covers_everything_and_a_distant_one_nothing():
    nirspec = Pointing(53.0, -27.0, 77.0)
    full = compute_coverage(
        nirspec, nircam_footprint(Pointing(53.0, -27.0, 0.0), "short", "FULL6", Mosaic(3, 2))
    )
    assert full.covered == pytest.approx(1.0, abs=1e-12)
    assert all(v == pytest.approx(1.0, abs=1e-12) for v in full.quadrants.values())
    assert full.uncovered.area == pytest.approx(0.0, abs=1e-6)
    far = compute_coverage(nirspec, nircam_footprint(Pointing(54.0, -27.0, 0.0)))
    assert far.covered == 0.0
    assert far.depth == {1: 0.0, 2: 0.0, 3: 0.0}
    assert far.uncovered.area == pytest.approx(far.msa_area)


def test_single_exposure_has_no_depth_two():
    nirspec = Pointing(53.0, -27.0, 10.0)
    coverage = compute_coverage(nirspec, nircam_footprint(Pointing(53.0, -27.0, 40.0)))
    assert 0 < coverage.covered < 1
    assert coverage.depth[2] == 0.0 and coverage.depth[3] == 0.0


def test_uncovered_rings_go_back_to_the_sky():
    nirspec = Pointing(53.0, -27.0, 10.0)
    coverage = compute_coverage(nirspec, nircam_footprint(Pointing(53.0, -27.0, 40.0)))
    rings = coverage.uncovered_sky_rings()
    assert rings
    for ra, dec in rings:
        assert np.all(np.abs(ra - 53.0) < 0.1) and np.all(np.abs(dec + 27.0) < 0.1)


@pytest.mark.parametrize("tie_orient", [False, True])
def test_apa_sweep_equals_direct_evaluation(tie_orient):
    nirspec = Pointing(189.2, 62.2, 0.0)
    nircam = Pointing(189.21, 62.21, 33.0)
    mosaic = Mosaic(2, 1)
    apas = np.array([0.0, 17.5, 90.0, 181.0, 359.0])
    swept = apa_sweep(nirspec, nircam, apas, "short", "FULL3", mosaic, tie_orient=tie_orient)
    for apa, value in zip(apas, swept, strict=True):
        nircam_apa = nircam_apa_for(apa) if tie_orient else nircam.apa
        footprint = nircam_footprint(
            Pointing(nircam.ra, nircam.dec, nircam_apa), "short", "FULL3", mosaic
        )
        direct = compute_coverage(Pointing(nirspec.ra, nirspec.dec, apa), footprint).covered
        assert value == pytest.approx(direct, abs=1e-9)


def test_tied_orientation_is_one_v3pa():
    nrs = get_aperture("NRS_FULL_MSA").v3_idl_yang
    nrc = get_aperture("NRCALL_FULL").v3_idl_yang
    assert (45.0 - nircam_apa_for(45.0)) % 360 == pytest.approx(nrs - nrc)
    assert nrs - nrc == pytest.approx(138.649, abs=1e-3)


def test_max_depth_one_gives_the_same_covered_fraction():
    nirspec = Pointing(53.0, -27.0, 10.0)
    footprint = nircam_footprint(Pointing(53.0, -27.0, 40.0), "short", "FULL3", Mosaic(2, 1))
    full = compute_coverage(nirspec, footprint)
    quick = compute_coverage(nirspec, footprint, max_depth=1)
    assert quick.covered == full.covered and quick.quadrants == full.quadrants
    assert quick.depth == {1: full.covered}
    with pytest.raises(ValueError, match="max_depth"):
        compute_coverage(nirspec, footprint, max_depth=4)


def test_uncovered_polygons_keep_exteriors_and_holes_together():
    nirspec = Pointing(53.0, -27.0, 10.0)
    coverage = compute_coverage(nirspec, nircam_footprint(Pointing(53.0, -27.0, 40.0)))
    polygons = coverage.uncovered_sky_polygons()
    assert polygons and all(len(rings) >= 1 for rings in polygons)
    assert sum(len(rings) for rings in polygons) == len(coverage.uncovered_sky_rings())


def test_covering_is_the_unclipped_union_of_the_detectors_near_the_msa():
    """Clipped to the MSA the covering gives the covered fraction; unclipped it reaches the
    detectors within COVERING_MARGIN of the MSA and nothing farther."""
    import shapely

    from previs.geometry.coverage import COVERING_MARGIN, msa_geometry, plane_corners

    nirspec = Pointing(53.1625, -27.7914, 45.0)
    footprint = nircam_footprint(Pointing(53.17, -27.80, 250.0), "short", "FULL3", Mosaic(1, 2))
    coverage = compute_coverage(nirspec, footprint)
    msa = msa_geometry(nirspec)
    covering = coverage.covering
    clipped = shapely.intersection(covering, msa.union).area / msa.area
    assert clipped == pytest.approx(coverage.covered, abs=1e-12)
    detectors = shapely.polygons(plane_corners(footprint, msa.plane))
    distance = shapely.distance(msa.union, detectors)
    near = detectors[distance <= COVERING_MARGIN]
    assert 0 < len(near) < len(detectors)
    union = shapely.union_all(near)
    assert shapely.symmetric_difference(covering, union).area < 1e-6 * union.area
    assert (distance > 0).any() and (distance[distance <= COVERING_MARGIN] >= 0).all()
