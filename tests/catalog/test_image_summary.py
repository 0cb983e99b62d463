"""The MSA against an image's valid data: area, usable shutters, worst case, counts,
each checked against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from previs.catalog import Catalog, count_sources
from previs.catalog.image_summary import summarize_image
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.image_coverage import SkyRegion
from previs.geometry.operability import default_operability
from previs.geometry.projection import TangentPlane

NIRSPEC = Pointing(53.1625, -27.7914, 45.0)


def _half_region() -> SkyRegion:
    """A region in the NIRSpec plane: everything east of x = 10", with a 30" hole."""
    plane = TangentPlane(NIRSPEC.ra, NIRSPEC.dec)
    box = shapely.box(10.0, -400.0, 400.0, 400.0).difference(shapely.Point(80.0, 40.0).buffer(30))
    return SkyRegion(plane, box, 0.0)


def test_area_usable_and_counts_match_exact_computations(exact_usable):
    region = _half_region()
    rng = np.random.default_rng(5)
    catalog = Catalog(
        NIRSPEC.ra + rng.uniform(-0.04, 0.04, 300) / np.cos(np.deg2rad(NIRSPEC.dec)),
        NIRSPEC.dec + rng.uniform(-0.04, 0.04, 300),
        rng.choice(["P", "F"], 300),
    )
    summary = summarize_image(region, NIRSPEC, (40.0, 50.0), catalog)
    msa = msa_geometry(NIRSPEC)
    exact_area = region.geometry.intersection(msa.union).area / msa.union.area
    assert summary.coverage.covered == pytest.approx(exact_area, abs=1e-9)
    covered, quadrants = exact_usable(NIRSPEC, region.geometry, default_operability().operable)
    assert summary.usable.covered == pytest.approx(covered, abs=2e-5)
    for q in range(1, 5):
        assert summary.usable.quadrants[q] == pytest.approx(quadrants[q], abs=5e-5)
    # Counts: brute force, source by source.
    x, y = region.plane.to_plane(catalog.ra, catalog.dec)
    inside = shapely.contains_xy(region.geometry, x, y)
    in_msa = count_sources(catalog, NIRSPEC, _empty_nircam()).quadrant > 0
    for kind, mask in (("primary", catalog.primary), ("filler", catalog.filler)):
        numbers = summary.counts.summary(kind)
        assert numbers["in_msa"] == int((in_msa & mask).sum())
        assert numbers["in_msa_imaged"] == int((in_msa & mask & inside).sum())
    assert summary.worst_case.min <= summary.coverage.covered + 1e-12
    block = summary.to_dict()
    assert block["usable"]["covered"] == summary.usable.covered and "worst_case" in block


def _empty_nircam():
    from previs.geometry.footprints import nircam_footprint

    far = Pointing((NIRSPEC.ra + 120.0) % 360.0, 0.0, 0.0)  # covers nothing near the MSA
    return nircam_footprint(far, "short", "NONE")


def test_an_image_covering_everything_reads_one():
    plane = TangentPlane(NIRSPEC.ra, NIRSPEC.dec)
    summary = summarize_image(SkyRegion(plane, shapely.box(-900, -900, 900, 900), 0.0), NIRSPEC)
    assert summary.coverage.covered == pytest.approx(1.0, abs=1e-12)
    assert summary.usable.covered == 1.0
