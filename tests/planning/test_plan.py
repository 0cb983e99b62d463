"""Plan round trips and validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import DITHER_NAMES, Mosaic
from previs.planning.plan import Plan, evaluate

angles = st.floats(0, 359.999, allow_nan=False)
decs = st.floats(-90, 90, allow_nan=False)
pointings = st.builds(Pointing, angles, decs, angles)
mosaics = st.builds(
    Mosaic,
    st.integers(1, 10),
    st.integers(1, 10),
    st.floats(-100, 99.9, allow_nan=False),
    st.floats(-100, 99.9, allow_nan=False),
)
plans = st.builds(
    Plan,
    pointings,
    pointings,
    st.sampled_from(DITHER_NAMES),
    mosaics,
    st.sampled_from(["short", "long"]),
)


@settings(max_examples=200, deadline=None)
@given(plans)
def test_plan_round_trips_through_json(plan):
    assert Plan.from_json(plan.to_json()) == plan
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


def test_evaluate_is_footprint_plus_coverage():
    plan = Plan.centred(dither="FULL3", mosaic=Mosaic(2, 1))
    result = evaluate(plan)
    direct = compute_coverage(
        plan.nirspec, nircam_footprint(plan.nircam, "short", "FULL3", Mosaic(2, 1))
    )
    assert result.coverage.covered == direct.covered
    assert result.nircam.n_exposures == 6
    assert result.siaf_version.startswith("PRD")


def test_centred_plan_ties_nircam_to_the_same_v3pa():
    plan = Plan.centred(nirspec_apa=100.0)
    assert (plan.nirspec.apa - plan.nircam.apa) % 360 == pytest.approx(138.649, abs=1e-3)


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"nirspec": {"ra": 1, "dec": 95, "apa": 0}}, "cfg.json.nirspec.dec"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"mosaic": {"rows": 0}}, "rows"),
        ({"mosaic": {"rows": True}}, "cfg.json.mosaic.rows"),
        ({"mosaic": {"tiles": 2}}, "cfg.json.mosaic: unknown key 'tiles'"),
        ({"dither": "FULL9"}, "FULL3TIGHT"),
        ({"dither": 3}, "cfg.json.dither"),
        ({"channel": "mid"}, "short, long"),
        ({"nircam": {"apa": "north"}}, "cfg.json.nircam.apa"),
        ({"nircam": [1, 2, 3]}, "cfg.json.nircam must be a mapping"),
        ({"version": 99}, "version 99"),
        ([1, 2], "cfg.json must be a mapping"),
    ],
)
def test_bad_configurations_are_reported_by_name(data, fragment):
    with pytest.raises(ValueError) as error:
        Plan.from_dict(data, "cfg.json")
    assert fragment in str(error.value)


def test_invalid_json_text():
    with pytest.raises(ValueError, match="not valid JSON"):
        Plan.from_json("{nope", "cfg.json")


def test_missing_keys_take_defaults():
    plan = Plan.from_dict({"nirspec": {"ra": 10.0, "dec": -5.0, "apa": 30.0}})
    assert plan.nircam.ra == 10.0 and plan.nircam.dec == -5.0
    assert plan.dither == "NONE" and plan.mosaic == Mosaic() and plan.channel == "short"


def test_v3pa_of_both_instruments():
    plan = Plan.centred(nirspec_apa=100.0)  # same spacecraft orientation
    assert plan.nirspec_v3pa == pytest.approx(plan.nircam_v3pa)
    assert plan.nirspec_v3pa == pytest.approx((100.0 - 138.5745697) % 360)
