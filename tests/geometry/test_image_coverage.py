"""MSA coverage by a sky region, against shapely on the exact polygons."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity

from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.image_coverage import SkyRegion, image_apa_sweep, image_coverage
from previs.geometry.projection import TangentPlane

RA, DEC = 150.1, 2.2


def region_with_hole(centre=(RA, DEC), error=0.05) -> SkyRegion:
    """A 200" x 160" rectangle turned 15 deg with a 40" square hole, off the NIRSpec centre."""
    plane = TangentPlane(*centre)
    outer = shapely.affinity.rotate(shapely.box(-60, -110, 140, 50), 15, origin=(0, 0))
    hole = shapely.box(10, -20, 50, 20)
    return SkyRegion(plane, shapely.MultiPolygon([outer.difference(hole)]), error)


def exact_fraction(region: SkyRegion, nirspec: Pointing) -> tuple[float, dict]:
    msa = msa_geometry(nirspec)
    polygon = shapely.transform(region.geometry, region.plane.transfer_to(msa.plane))
    covered = shapely.intersection(msa.union, polygon)
    quadrants = {
        k: shapely.intersection(q, polygon).area / q.area
        for k, q in enumerate(msa.quadrants, start=1)
    }
    return covered.area / msa.area, quadrants


@pytest.mark.parametrize("apa", [0.0, 45.0, 200.0])
def test_covered_area_and_quadrants(apa):
    region = region_with_hole()
    nirspec = Pointing(RA + 10 / 3600, DEC - 5 / 3600, apa)
    coverage = image_coverage(region, nirspec)
    truth, quadrants = exact_fraction(region, nirspec)
    assert 0.05 < truth < 0.95
    assert coverage.covered == pytest.approx(truth, abs=1e-9)
    for k, value in quadrants.items():
        assert coverage.quadrants[k] == pytest.approx(value, abs=1e-9)
    msa = msa_geometry(nirspec)
    assert coverage.covered_geometry.area / msa.area == pytest.approx(truth, abs=1e-9)
    assert (coverage.covered_geometry.area + coverage.uncovered.area) == pytest.approx(msa.area)
    # The error bound: outline length inside the MSA times the tracing error.
    polygon = shapely.transform(region.geometry, region.plane.transfer_to(msa.plane))
    edge = shapely.intersection(polygon.boundary, msa.union).length
    assert coverage.covered_error == pytest.approx(edge * 0.05 / msa.area, rel=1e-6)
    assert coverage.note == ""
    assert coverage.to_dict()["quadrants"].keys() == {"1", "2", "3", "4"}


def test_shutter_like_points_can_be_tested_in_the_covered_geometry():
    region = region_with_hole()
    nirspec = Pointing(RA, DEC, 30.0)
    coverage = image_coverage(region, nirspec)
    msa = msa_geometry(nirspec)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-250, 250, (2, 20000))
    in_msa = shapely.contains_xy(msa.union, x, y)
    in_covered = shapely.contains_xy(coverage.covered_geometry, x, y)
    ra, dec = coverage.plane.to_sky(x, y)
    in_region = region.contains(ra, dec)
    assert np.array_equal(in_covered, in_msa & in_region)
    # The unclipped region near the MSA holds the same points within reach.
    near = np.hypot(x, y) < 120  # inside the disc the MSA can reach
    in_near = shapely.contains_xy(coverage.region_geometry, x, y)
    assert np.array_equal(in_near[near], in_region[near])


def test_sweep_matches_coverage_at_each_apa():
    region = region_with_hole()
    nirspec = Pointing(RA + 5 / 3600, DEC, 10.0)
    apas = np.array([10.0, 11.5, 90.0, 181.0, 359.0])
    swept = image_apa_sweep(region, nirspec, apas)
    for apa, value in zip(apas, swept, strict=True):
        truth, _ = exact_fraction(region, Pointing(nirspec.ra, nirspec.dec, apa))
        assert value == pytest.approx(truth, abs=1e-9)


def test_a_region_in_another_plane_and_its_sky_polygons():
    region = region_with_hole(centre=(RA - 30 / 3600, DEC + 20 / 3600))
    rings = region.sky_polygons()
    assert len(rings) == 1 and len(rings[0]) == 2  # exterior and the hole
    plane = TangentPlane(RA, DEC)
    moved = region.in_plane(plane)
    assert moved.area == pytest.approx(region.area_arcsec2, rel=1e-6)
    back = shapely.transform(moved, plane.transfer_to(region.plane))
    assert shapely.symmetric_difference(back, region.geometry).area < 1e-6
    ra, dec = rings[0][0]
    x, y = plane.to_plane(ra, dec)
    assert shapely.Polygon(np.column_stack([x, y])).area == pytest.approx(
        shapely.Polygon(moved.geoms[0].exterior).area, rel=1e-9
    )


def test_far_and_empty_regions_cover_nothing_with_a_note():
    region = region_with_hole()
    for nirspec in (Pointing(RA + 2, DEC, 0.0), Pointing(RA + 180, -DEC, 0.0)):
        coverage = image_coverage(region, nirspec)
        assert coverage.covered == 0.0
        assert "deg from the NIRSpec pointing" in coverage.note
        assert coverage.to_dict()["note"] == coverage.note
        assert not image_apa_sweep(region, nirspec, [0, 90]).any()
    # Near, but beside the MSA at every angle.
    beside = SkyRegion(TangentPlane(RA, DEC), shapely.box(400, 400, 500, 500), 0.05)
    coverage = image_coverage(beside, Pointing(RA, DEC, 0.0))
    assert coverage.covered == 0.0 and "do not reach the MSA" in coverage.note
    empty = SkyRegion(TangentPlane(RA, DEC), shapely.MultiPolygon(), 0.05)
    assert image_coverage(empty, Pointing(RA, DEC, 0.0)).note == "the image has no valid data"
    assert not empty.contains([RA], [DEC]).any()
