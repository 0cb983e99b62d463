"""The worst case of a plan with several NIRSpec pointings: every pointing turned together.

At each APA of the sweep the result must equal :func:`evaluate` of the plan with the
pattern placed there by :class:`NirspecPattern` (a separate route: fresh footprints,
each pointing's own union geometry, each pointing's own usable coverage).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from previs.geometry.attitude import Pointing
from previs.planning.nirspec_pattern import NirspecPattern, pattern_shape
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import WorstCaseTracker, worst_case_coverage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from apt_support import mos_plan  # noqa: E402

RA, DEC = 53.1625, -27.7914


def _spread_plan(apa_range=(30.0, 60.0)) -> Plan:
    """Two NIRSpec pointings 90 arcsec apart, NIRCam covering only part of them."""
    first = Pointing(RA, DEC, 45.0)
    second = Pointing(RA + 0.025, DEC + 0.004, 45.0)
    nircam = Pointing(RA + 0.01, DEC - 0.005, 80.0)
    return Plan(
        first,
        nircam,
        dither="FULL3",
        extra_nirspec=(second,),
        nirspec_apa_range=apa_range,
    )


def _plan_at(plan: Plan, apa: float) -> Plan:
    first = Pointing(plan.nirspec.ra, plan.nirspec.dec, apa % 360.0)
    others = NirspecPattern(plan.nirspec, plan.extra_nirspec).place(first)
    return plan.replace(nirspec=first, extra_nirspec=others, nirspec_apa_range=None)


def test_each_apa_of_the_sweep_is_the_plan_evaluated_there():
    plan = _spread_plan()
    worst = worst_case_coverage(
        plan.nirspec,
        plan.nircam,
        plan.nirspec_apa_range.as_range(),
        plan.channel,
        plan.dither,
        step=5.0,
        usable=True,
        extra_nirspec=plan.extra_nirspec,
    )
    for apa, covered, usable in zip(worst.apas, worst.covered, worst.usable.covered, strict=True):
        direct = evaluate(_plan_at(plan, float(apa)))
        assert covered == pytest.approx(direct.coverage.covered, abs=1e-9)
        assert usable == pytest.approx(direct.usable.covered, abs=1e-8)
    # The second pointing matters: pointing 1 alone gives another worst case.
    alone = worst_case_coverage(
        plan.nirspec, plan.nircam, plan.nirspec_apa_range.as_range(), plan.channel, plan.dither
    )
    assert abs(alone.min - worst.min) > 0.01


def test_evaluate_and_the_tracker_give_the_same_worst_case():
    plan = _spread_plan((20.0, 70.0))
    tracked = WorstCaseTracker(usable=True).update(plan)
    result = evaluate(plan)
    np.testing.assert_allclose(result.worst_case.covered, tracked.covered, atol=1e-12)
    np.testing.assert_allclose(result.worst_case.usable.covered, tracked.usable.covered, atol=1e-9)
    assert min(evaluate(_plan_at(plan, a)).coverage.covered for a in (20, 45, 70)) >= (
        result.worst_case.min - 1e-9
    )


def test_turning_the_pattern_keeps_the_worst_case():
    """The APA slider turns every pointing together: the worst case is unchanged, and the
    tracker does not recompute it."""
    plan = _spread_plan()
    tracker = WorstCaseTracker()
    first = tracker.update(plan)
    for apa in (33.3, 51.0, 59.9):
        turned = _plan_at(plan, apa).replace(nirspec_apa_range=plan.nirspec_apa_range)
        assert pattern_shape(turned.nirspec, turned.extra_nirspec) == pattern_shape(
            plan.nirspec, plan.extra_nirspec
        )
        assert tracker.update(turned) is first
        assert evaluate(turned).worst_case.min == pytest.approx(first.min, abs=1e-9)
    assert len(tracker.times_ms) == 1


def test_an_apt_mos_observation_is_swept_whole():
    plan = mos_plan(nirspec_apa_range=(35.0, 55.0))
    worst = evaluate(plan).worst_case
    for k in (*range(0, len(worst.apas), 8), int(np.argmin(worst.covered))):
        direct = evaluate(_plan_at(plan, float(worst.apas[k])))
        assert worst.covered[k] == pytest.approx(direct.coverage.covered, abs=1e-9)
