"""The view model: one evaluation gives what the readout, the report and the exports show."""

from __future__ import annotations

import numpy as np
import pytest

from previs.catalog import Catalog, count_sources, summarize
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.shutters import place_sources
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import worst_case_coverage


@pytest.fixture(scope="module")
def plan():
    return Plan.centred(
        dither="FULL3", mosaic=Mosaic(2, 1), channel="long", nirspec_apa_range=(40.0, 52.0)
    )


def test_summary_matches_independent_pieces(plan):
    rng = np.random.default_rng(7)
    catalog = Catalog(
        plan.nirspec.ra + rng.uniform(-0.05, 0.05, 400),
        plan.nirspec.dec + rng.uniform(-0.05, 0.05, 400),
        rng.choice(["P", "F"], 400),
    )
    summary = summarize(plan, catalog, other_channel_depth=3, count_other_channel=True)
    result = summary.result
    assert result.coverage.covered == evaluate(plan).coverage.covered
    short = nircam_footprint(plan.nircam, "short", plan.dither, plan.mosaic)
    assert result.other_coverage.covered == pytest.approx(
        compute_coverage(plan.nirspec, short).covered, abs=1e-12
    )
    worst = worst_case_coverage(
        plan.nirspec, plan.nircam, (40.0, 52.0), "long", "FULL3", plan.mosaic
    )
    assert result.worst_case.min == pytest.approx(worst.min, abs=1e-12)
    shutters = place_sources(plan.nirspec, catalog.ra, catalog.dec)
    plain = count_sources(catalog, evaluate(plan))
    assert summary.plan_counts.to_dict() == plain.to_dict()
    with_shutters = plain.with_shutters(shutters)
    assert summary.plan_counts.shutters_dict() == with_shutters.shutters_dict()
    other = count_sources(catalog, plan.nirspec, short).with_shutters(shutters)
    assert summary.counts["short"].to_dict() == other.to_dict()
    assert summary.counts["short"].shutters_dict() == other.shutters_dict()
    assert list(result.channels) == ["long", "short"]


def test_without_a_catalog_or_range(plan):
    summary = summarize(plan.replace(nirspec_apa_range=None), other_channel_depth=0)
    assert summary.counts == {} and summary.plan_counts is None
    assert summary.result.worst_case is None and summary.result.other_coverage is None
    assert list(summary.result.channels) == ["long"]


def test_plan_json_keeps_the_range(plan):
    assert Plan.from_json(plan.to_json()) == plan
    assert "nirspec_apa_range" not in plan.replace(nirspec_apa_range=None).to_dict()


def test_summary_counts_per_pointing(plan):
    from previs.catalog.sources import count_sources_by_pointing
    from previs.geometry.attitude import Pointing

    several = plan.replace(
        extra_nirspec=(Pointing(plan.nirspec.ra + 0.01, plan.nirspec.dec, 50.0),)
    )
    rng = np.random.default_rng(8)
    catalog = Catalog(
        several.nirspec.ra + rng.uniform(-0.05, 0.05, 800),
        several.nirspec.dec + rng.uniform(-0.05, 0.05, 800),
        rng.choice(["P", "F"], 800),
    )
    summary = summarize(several, catalog, count_other_channel=True)
    for channel, footprint in (
        ("long", summary.result.nircam),
        ("short", summary.result.other_nircam),
    ):
        together, each = count_sources_by_pointing(catalog, several, footprint)
        assert summary.counts[channel].to_dict() == together.to_dict()
        assert [c.to_dict() for c in summary.pointing_counts[channel]] == [
            c.to_dict() for c in each
        ]
        assert len(each) == 2
