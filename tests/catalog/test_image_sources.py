"""Catalog sources in the MSA and in an image's valid data, against direct point tests."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from previs.catalog.image_sources import count_sources_in_image
from previs.catalog.readers import Catalog
from previs.catalog.sources import count_sources
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.image_coverage import SkyRegion
from previs.geometry.projection import TangentPlane
from previs.planning.plan import Plan, evaluate

RA, DEC = 53.1625, -27.7914


def test_counts_match_point_in_polygon_tests():
    rng = np.random.default_rng(4)
    plane = TangentPlane(RA, DEC)
    ra, dec = plane.to_sky(*rng.uniform(-260, 260, (2, 5000)))
    flags = np.where(rng.random(5000) < 0.3, "F", "P")
    catalog = Catalog(ra, dec, flags, source="random")
    region = SkyRegion(
        TangentPlane(RA + 0.01, DEC),
        shapely.box(-180, -150, 60, 170).difference(shapely.Point(-40, 0).buffer(30)),
        0.05,
    )
    nirspec = Pointing(RA, DEC, 70.0)
    counts = count_sources_in_image(catalog, nirspec, region)
    msa = msa_geometry(nirspec)
    x, y = msa.plane.to_plane(ra, dec)
    expected_q = np.zeros(5000, int)
    for k, quadrant in enumerate(msa.quadrants, start=1):
        expected_q[shapely.contains_xy(quadrant, x, y)] = k
    assert np.array_equal(counts.quadrant, expected_q)
    rx, ry = region.plane.to_plane(ra, dec)
    expected_in = shapely.contains_xy(region.geometry, rx, ry)
    assert np.array_equal(counts.depth == 1, expected_in)
    summary = counts.summary("primary")
    primary = flags == "P"
    assert summary["in_msa"] == int(((expected_q > 0) & primary).sum())
    assert summary["in_msa_imaged"] == int(((expected_q > 0) & expected_in & primary).sum())
    assert summary["at_risk"] == int(((expected_q > 0) & ~expected_in & primary).sum())
    assert 0 < summary["at_risk"] < summary["in_msa"]


def test_quadrants_agree_with_count_sources_and_plans_are_accepted():
    rng = np.random.default_rng(5)
    ra, dec = TangentPlane(RA, DEC).to_sky(*rng.uniform(-200, 200, (2, 2000)))
    catalog = Catalog(ra, dec)
    plan = Plan.centred(RA, DEC, 30.0, dither="FULL3")
    region = SkyRegion(TangentPlane(RA, DEC), shapely.box(-500, -500, 500, 500), 0.05)
    from_plan = count_sources_in_image(catalog, plan, region)
    from_result = count_sources_in_image(catalog, evaluate(plan), region)
    reference = count_sources(catalog, plan)
    assert np.array_equal(from_plan.quadrant, reference.quadrant)
    assert np.array_equal(from_result.quadrant, reference.quadrant)
    assert from_plan.depth.all()  # the region holds every source
    with pytest.raises(ValueError, match="Pointing, a Plan or a Result"):
        count_sources_in_image(catalog, (RA, DEC), region)


def test_a_plan_counts_every_nirspec_pointing():
    """A Plan or Result with several NIRSpec pointings counts them all, as their tuple does."""
    rng = np.random.default_rng(6)
    ra, dec = TangentPlane(RA, DEC).to_sky(*rng.uniform(-300, 300, (2, 3000)))
    catalog = Catalog(ra, dec)
    second = Pointing(*[float(v[0]) for v in TangentPlane(RA, DEC).to_sky([150.0], [0.0])], 30.0)
    plan = Plan.centred(RA, DEC, 30.0).replace(extra_nirspec=(second,))
    region = SkyRegion(TangentPlane(RA, DEC), shapely.box(-500, -500, 500, 500), 0.05)
    together = count_sources_in_image(catalog, plan.nirspec_pointings, region)
    first_only = count_sources_in_image(catalog, plan.nirspec, region)
    assert together.in_msa.sum() > first_only.in_msa.sum()
    for source in (plan, evaluate(plan)):
        assert np.array_equal(count_sources_in_image(catalog, source, region).quadrant,
                              together.quadrant)  # fmt: skip


def test_sources_far_away_are_outside_everything():
    catalog = Catalog([RA, (RA + 180) % 360], [DEC, -DEC])
    region = SkyRegion(TangentPlane(RA, DEC), shapely.box(-500, -500, 500, 500), 0.05)
    counts = count_sources_in_image(catalog, Pointing(RA, DEC, 0.0), region)
    assert counts.depth.tolist() == [1, 0]
    assert counts.quadrant[1] == 0
