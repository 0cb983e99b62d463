"""Usable-MSA coverage in evaluate's Result and over an APA range, against independent
evaluations at each APA and an exact count of the open areas."""

from __future__ import annotations

import json

import numpy as np
import pytest

from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.operability import OperabilityMap, default_operability
from previs.geometry.patterns import Mosaic
from previs.geometry.usable import usable_coverage
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import (
    WorstCaseTracker,
    apa_grid,
    apa_sweep,
    usable_apa_sweep,
    worst_case_coverage,
)

RA, DEC = 53.1625, -27.7914
PARTIAL = (Pointing(RA, DEC, 45.0), Pointing(RA + 0.01, DEC - 0.005, 80.0), "short", "FULL6")


def direct_usable(nirspec, nircam, channel, dither, mosaic, operability=None):
    """Usable coverage at one pointing by another route: a fresh footprint, its covering, and
    the Green integral over the covering itself (not the grid outline)."""
    footprint = nircam_footprint(nircam, channel, dither, mosaic)
    return usable_coverage(nirspec, compute_coverage(nirspec, footprint, 1).covering, operability)


@pytest.mark.parametrize("tie_orient", [False, True])
def test_usable_sweep_equals_evaluations_at_each_apa(tie_orient):
    nirspec, nircam, channel, dither = PARTIAL
    mosaic = Mosaic(1, 2)
    apas = np.array([30.0, 44.5, 45.0, 61.25, 200.0])
    covered, usable = usable_apa_sweep(
        nirspec, nircam, apas, channel, dither, mosaic, tie_orient=tie_orient
    )
    np.testing.assert_array_equal(
        covered, apa_sweep(nirspec, nircam, apas, channel, dither, mosaic, tie_orient)
    )
    for apa, value in zip(apas, usable, strict=True):
        here = Pointing(RA, DEC, apa)
        camera = Pointing(nircam.ra, nircam.dec, nircam_apa_for(apa)) if tie_orient else nircam
        expected = direct_usable(here, camera, channel, dither, mosaic)
        assert value == pytest.approx(expected.covered, abs=2e-7)
    assert len(set(np.round(usable, 6))) > 2  # the APA matters


def test_worst_case_usable_and_an_exact_count_at_its_minimum(exact_usable):
    nirspec, nircam, channel, dither = PARTIAL
    mosaic = Mosaic(1, 2)
    worst = worst_case_coverage(
        nirspec, nircam, (350.0, 10.0), channel, dither, mosaic, usable=True
    )
    assert worst.usable is not None
    apas = apa_grid((350.0, 10.0))
    np.testing.assert_allclose(worst.apas, apas)
    expected = [direct_usable(Pointing(RA, DEC, a), nircam, channel, dither, mosaic) for a in apas]
    np.testing.assert_allclose(worst.usable.covered, [u.covered for u in expected], atol=2e-7)
    k = int(np.argmin([u.covered for u in expected]))
    assert worst.usable.min == pytest.approx(expected[k].covered, abs=2e-7)
    assert worst.usable.apa_at_min == pytest.approx(apas[k])
    # The minimum by an exact count of the operable open areas at that APA.
    at_min = Pointing(RA, DEC, worst.usable.apa_at_min)
    covering = compute_coverage(at_min, nircam_footprint(nircam, channel, dither, mosaic)).covering
    overall, _ = exact_usable(at_min, covering, default_operability().operable)
    assert worst.usable.min == pytest.approx(overall, abs=3e-6)
    data = json.loads(json.dumps(worst.to_dict()))
    assert data["usable"]["min"] == worst.usable.min
    assert data["usable"]["operability"] == default_operability().name
    assert (
        worst_case_coverage(nirspec, nircam, (350.0, 10.0), channel, dither, mosaic).usable is None
    )


def test_result_carries_usable_coverage_and_its_worst_case():
    plan = Plan.centred(
        RA, DEC, 45.0, dither="FULL3", mosaic=Mosaic(2, 1), nirspec_apa_range=(40.0, 52.0)
    )
    result = evaluate(plan)
    expected = direct_usable(plan.nirspec, plan.nircam, "short", "FULL3", Mosaic(2, 1))
    assert result.usable.covered == pytest.approx(expected.covered, abs=2e-7)
    for q in range(1, 5):
        assert result.usable.quadrants[q] == pytest.approx(expected.quadrants[q], abs=2e-7)
    assert result.usable.operability == default_operability().name
    direct = worst_case_coverage(
        plan.nirspec, plan.nircam, (40.0, 52.0), "short", "FULL3", Mosaic(2, 1), usable=True
    )
    assert result.worst_case.usable.min == pytest.approx(direct.usable.min, abs=1e-12)
    # The heaviest plan covers every shutter: exactly 1.
    heaviest = evaluate(Plan.centred(RA, DEC, 45.0, dither="8NIRSPEC", mosaic=Mosaic(2, 2)))
    assert heaviest.usable.covered == 1.0


def test_the_operability_map_is_the_sessions_choice(tmp_path):
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL3", nirspec_apa_range=(40.0, 45.0))
    snapshot = evaluate(plan)
    everything = OperabilityMap("all operable", np.zeros((4, 171, 365), np.int8), {})
    ideal = evaluate(plan, operability=everything)
    assert ideal.usable.operability == "all operable"
    assert ideal.worst_case.usable.operability == "all operable"
    assert ideal.usable.covered != snapshot.usable.covered
    assert ideal.coverage.covered == snapshot.coverage.covered
    expected = direct_usable(plan.nirspec, plan.nircam, "short", "FULL3", Mosaic(), everything)
    assert ideal.usable.covered == pytest.approx(expected.covered, abs=2e-7)
    # A CRDS file by path: one failed-closed shutter in an otherwise perfect MSA.
    path = tmp_path / "jwst_nirspec_msaoper_0099.json"
    path.write_text(json.dumps({"msaoper": [{"Q": 1, "x": 100, "y": 50, "state": "closed"}]}))
    from_file = evaluate(plan, operability=str(path))
    assert from_file.usable.operability.startswith("msaoper_0099")
    assert from_file.usable.covered == pytest.approx(ideal.usable.covered, abs=1e-4)


def test_tracker_tracks_usable_only_when_asked():
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL3", nirspec_apa_range=(40.0, 50.0))
    plain = WorstCaseTracker()
    assert plain.update(plan).usable is None
    tracker = WorstCaseTracker(usable=True)
    first = tracker.update(plan)
    assert first.usable.min == pytest.approx(evaluate(plan).worst_case.usable.min, abs=1e-12)
    assert tracker.update(plan.replace(nirspec=Pointing(RA, DEC, 47.0))) is first
    everything = OperabilityMap("all operable", np.zeros((4, 171, 365), np.int8), {})
    other = tracker.update(plan, everything)
    assert other is not first and other.usable.operability == "all operable"
    assert evaluate(plan, worst_cases=tracker, operability=everything).worst_case is other


def test_far_nircam_covers_no_usable_shutter():
    covered, usable = usable_apa_sweep(
        Pointing(RA, DEC, 0.0), Pointing(RA + 40.0, DEC, 0.0), [0.0, 90.0]
    )
    assert covered.tolist() == [0.0, 0.0] and usable.tolist() == [0.0, 0.0]


def test_several_nirspec_pointings_count_every_pointings_shutters():
    first = Plan.centred(RA, DEC, 45.0, dither="FULL3", mosaic=Mosaic(2, 1))
    extra = (Pointing(RA - 0.01, DEC + 0.005, 50.0), Pointing(RA + 0.012, DEC, 40.0))
    plan = first.replace(extra_nirspec=extra)
    result = evaluate(plan)
    assert len(result.pointing_usable) == 3
    for pointing, usable in zip(plan.nirspec_pointings, result.pointing_usable, strict=True):
        alone = direct_usable(pointing, plan.nircam, "short", "FULL3", Mosaic(2, 1))
        assert usable.covered == pytest.approx(alone.covered, abs=2e-7)
    values = [u.covered for u in result.pointing_usable]
    assert result.usable.covered == pytest.approx(np.mean(values), abs=1e-12)
    assert min(values) < result.usable.covered < max(values)
    for q in range(1, 5):
        expected = np.mean([u.quadrants[q] for u in result.pointing_usable])
        assert result.usable.quadrants[q] == pytest.approx(expected, abs=1e-12)
    single = evaluate(first)
    assert single.pointing_usable == (single.usable,)
