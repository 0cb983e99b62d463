"""Plans with explicit exposures and with several NIRSpec pointings: JSON, evaluate, sweeps."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage, compute_union_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Exposures, Mosaic
from previs.planning.plan import Plan, evaluate
from previs.planning.search import search_configuration
from previs.planning.sweep import WorstCaseTracker, apa_sweep, worst_case_coverage

RA, DEC = 53.1625, -27.7914
FULL3_2X1 = Exposures.from_pattern("FULL3", Mosaic(2, 1))
EXTRA = (Pointing(RA + 0.01, DEC + 0.01, 50.0), Pointing(RA - 0.005, DEC, 45.0))

offsets = st.lists(
    st.tuples(st.floats(-2000, 2000, allow_nan=False), st.floats(-2000, 2000, allow_nan=False)),
    min_size=1,
    max_size=20,
)
near = st.builds(
    Pointing,
    st.floats(RA - 0.2, RA + 0.2),
    st.floats(DEC - 0.2, DEC + 0.2),
    st.floats(0, 359.9),
)


def _custom(points):
    n = len(points)
    return Exposures.from_offsets(points, tiles=np.arange(n) // 3 + 1, dithers=np.arange(n) % 3 + 1)


@settings(max_examples=60, deadline=None)
@given(offsets, st.lists(near, max_size=3), st.sampled_from(["short", "long"]))
def test_explicit_plans_round_trip_through_json(points, extra, channel):
    plan = Plan.centred(RA, DEC, 45.0, dither=_custom(points), channel=channel)
    plan = plan.replace(extra_nirspec=tuple(extra), nirspec_apa_range=(40.0, 50.0))
    text = json.dumps(plan.to_dict())
    back = Plan.from_json(text)
    assert back == plan and hash(back) == hash(plan)
    np.testing.assert_array_equal(back.dither.offsets, plan.dither.offsets)


def test_one_pointing_plan_json_is_as_before():
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL3", mosaic=Mosaic(2, 1))
    data = plan.to_dict()
    assert list(data) == ["version", "nirspec", "nircam", "dither", "mosaic", "channel"]
    assert data["mosaic"] == {"rows": 2, "columns": 1, "row_overlap": 10.0, "column_overlap": 10.0}
    # a session file written before explicit exposures and extra pointings existed
    old = {
        "version": 1,
        "nirspec": {"ra": RA, "dec": DEC, "apa": 45.0},
        "nircam": {"ra": RA, "dec": DEC, "apa": 266.35},
        "dither": "FULL6",
        "mosaic": {"rows": 1, "columns": 2, "row_overlap": 10, "column_overlap": 20.0},
        "channel": "long",
        "nirspec_apa_range": [40, 50],
    }
    loaded = Plan.from_dict(old)
    assert (loaded.dither, loaded.mosaic, loaded.extra_nirspec) == (
        "FULL6",
        Mosaic(1, 2, 10, 20),
        (),
    )
    assert loaded.to_dict() == {**old, "mosaic": {**old["mosaic"], "row_overlap": 10.0}}


def test_the_full_mosaic_round_trips():
    mosaic = Mosaic(3, 2, 15.0, 25.0, row_shift=5.0, tiles_off=(2,), tile_order="ROW_ORDER")
    plan = Plan.centred(dither="FULL3", mosaic=mosaic)
    assert Plan.from_json(plan.to_json()).mosaic == mosaic


def test_explicit_exposures_json_replaces_dither_and_mosaic():
    data = Plan.centred(dither=FULL3_2X1).to_dict()
    assert "dither" not in data and "mosaic" not in data
    assert data["exposures"]["tiles"] == [1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"dither": "FULL3"}, "either 'exposures' or 'dither'"),
        ({"exposures": {"offsets": [[0, "a"]]}}, "p.exposures.offsets"),
        ({"exposures": {"offsets": [[0, 0]], "colour": 1}}, "p.exposures: unknown key 'colour'"),
        ({"extra_nirspec": {"ra": 1}}, "p.extra_nirspec must be a list"),
        ({"extra_nirspec": [{"ra": RA, "dec": DEC}]}, "p.extra_nirspec[0] needs ra, dec and apa"),
        ({"extra_nirspec": [{"ra": RA, "dec": 95, "apa": 0}]}, "p.extra_nirspec[0].dec"),
        ({"extra_nirspec": [{"ra": RA + 3, "dec": DEC, "apa": 0}]}, "pointing 2 (RA"),
    ],
)
def test_bad_explicit_plans_are_named(change, fragment):
    data = {**Plan.centred(dither=FULL3_2X1).to_dict(), **change}
    with pytest.raises(ValueError) as error:
        Plan.from_dict(data, "p")
    assert fragment in str(error.value)


def test_explicit_exposures_take_no_mosaic():
    with pytest.raises(ValueError, match="takes no mosaic"):
        Plan.centred(dither=FULL3_2X1, mosaic=Mosaic(2, 1))
    plan = Plan.centred(dither=FULL3_2X1, mosaic=Mosaic(1, 1, 30.0, 30.0))
    assert plan.mosaic == Mosaic()


def test_exposures_equal_by_value_and_are_read_only():
    again = Exposures.from_dict(json.loads(json.dumps(FULL3_2X1.to_dict())))
    assert again == FULL3_2X1 and again is not FULL3_2X1 and hash(again) == hash(FULL3_2X1)
    assert {again: 1}[FULL3_2X1] == 1
    other = Exposures.from_offsets(FULL3_2X1.offsets + 0.001, FULL3_2X1.tiles, FULL3_2X1.dithers)
    assert other != FULL3_2X1
    with pytest.raises(ValueError):
        FULL3_2X1.offsets[0, 0] = 5.0
    source = np.zeros((2, 2))
    Exposures.from_offsets(source)
    source[0, 0] = 1.0  # the caller's array stays writable (the exposures hold a copy)
    assert Exposures.from_offsets([[-0.0, 0.0]]) == Exposures.from_offsets([[0.0, 0.0]])


def test_explicit_exposures_evaluate_as_the_pattern_they_equal():
    named = Plan.centred(RA, DEC, 45.0, nircam_apa=300.0, dither="FULL3", mosaic=Mosaic(2, 1))
    explicit = named.replace(dither=FULL3_2X1, mosaic=Mosaic())
    for depth in (1, 3):
        a, b = (
            evaluate(named, other_channel_depth=depth),
            evaluate(explicit, other_channel_depth=depth),
        )
        assert a.coverage.covered == b.coverage.covered and a.coverage.depth == b.coverage.depth
        assert a.other_coverage.covered == b.other_coverage.covered
        np.testing.assert_array_equal(a.nircam.ra, b.nircam.ra)
    assert explicit.exposures is FULL3_2X1 and named.exposures == FULL3_2X1
    apas = np.arange(0.0, 360.0, 7.0)
    np.testing.assert_array_equal(
        apa_sweep(named.nirspec, named.nircam, apas, "short", "FULL3", Mosaic(2, 1)),
        apa_sweep(explicit.nirspec, explicit.nircam, apas, "short", FULL3_2X1, Mosaic()),
    )


def test_worst_case_of_explicit_exposures_and_its_caches():
    plan = Plan.centred(
        RA, DEC, 45.0, nircam_apa=300.0, dither=FULL3_2X1, nirspec_apa_range=(30, 60)
    )
    direct = worst_case_coverage(plan.nirspec, plan.nircam, (30, 60), "short", FULL3_2X1)
    assert evaluate(plan).worst_case.min == direct.min
    tracker = WorstCaseTracker()
    first = tracker.update(plan)
    copy = plan.replace(dither=Exposures.from_dict(FULL3_2X1.to_dict()))
    assert tracker.update(copy) is first and len(tracker.times_ms) == 1  # equal by value
    assert first.min == direct.min
    moved = plan.replace(dither=Exposures.from_offsets(FULL3_2X1.offsets + (0.0, 60.0)))
    assert tracker.update(moved) is not first


def test_search_refuses_explicit_exposures():
    with pytest.raises(ValueError, match="explicit exposures"):
        search_configuration(RA, DEC, (40, 50), (260, 270), dithers=[FULL3_2X1])


def test_several_pointings_per_pointing_and_together():
    plan = Plan.centred(RA, DEC, 45.0, nircam_apa=300.0, dither="FULL6", mosaic=Mosaic(1, 2))
    plan = plan.replace(extra_nirspec=EXTRA)
    result = evaluate(plan, other_channel_depth=1)
    footprint = nircam_footprint(plan.nircam, "short", "FULL6", Mosaic(1, 2))
    assert len(result.pointing_coverages) == 3 == len(result.nirspec_footprints)
    for pointing, each in zip(plan.nirspec_pointings, result.pointing_coverages, strict=True):
        assert each.covered == compute_coverage(pointing, footprint).covered
    together = compute_union_coverage(plan.nirspec_pointings, footprint)
    assert result.coverage.covered == together.covered and result.coverage.depth == together.depth
    long = nircam_footprint(plan.nircam, "long", "FULL6", Mosaic(1, 2))
    assert (
        result.other_coverage.covered
        == compute_union_coverage(plan.nirspec_pointings, long, 1).covered
    )
    assert [c.covered for c in result.per_pointing["long"]] == [
        compute_coverage(p, long, 1).covered for p in plan.nirspec_pointings
    ]
    assert result.nirspec is result.nirspec_footprints[0]


def test_one_pointing_result_is_as_before():
    plan = Plan.centred(dither="FULL3")
    result = evaluate(plan)
    assert result.pointing_coverages == (result.coverage,)
    assert result.pointing_coverages[0] is result.coverage
    assert plan.nirspec_pointings == (plan.nirspec,)


def test_extra_pointings_must_be_near_and_pointings():
    with pytest.raises(ValueError, match="within 1 deg of the first"):
        Plan.centred(RA, DEC).replace(extra_nirspec=(Pointing(RA, DEC + 1.5, 0.0),))
    with pytest.raises(ValueError, match="must be a Pointing"):
        Plan.centred(RA, DEC).replace(extra_nirspec=((RA, DEC, 0.0),))
    plan = Plan.centred(RA, DEC).replace(extra_nirspec=[EXTRA[0]])
    assert plan.extra_nirspec == (EXTRA[0],)
