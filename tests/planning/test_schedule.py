"""The pre-imaging to spectroscopy schedule rules, edge cases and proposals."""

from __future__ import annotations

import datetime as dt

import pytest

from previs.planning.schedule import (
    check_schedule,
    plan_schedule,
    propose_schedules,
    windows_per_year,
)
from previs.planning.visibility import visibility

IMAGING = dt.date(2026, 4, 10)
ECLIPTIC_TARGET = (150.1, 2.2)  # near the ecliptic: two windows a year
POLE_TARGET = (270.0, 66.560708)  # ecliptic pole: always visible


def day(n: int) -> dt.date:
    return IMAGING + dt.timedelta(days=n)


@pytest.mark.parametrize(
    "separation, status",
    [
        (-3, "error"),
        (0, "error"),
        (41, "error"),
        (42, "warning"),
        (59, "warning"),
        (60, "ok"),
        (61, "ok"),
    ],
)
def test_separation_edges(separation: int, status: str) -> None:
    check = check_schedule(IMAGING, day(separation))
    assert check.separation_days == separation
    assert check.status == status
    assert check.messages
    if status != "ok":
        assert any(str(42 if status == "error" else 60) in m for m in check.messages)


@pytest.mark.parametrize(
    "separation, delay, due_after_imaging, planning",
    [
        (42, 0, 14, 14),  # minimum separation: two weeks
        (59, 0, 31, 31),
        (60, 0, 32, 32),
        (70, 0, 42, 42),  # from here the 6-week limit applies
        (200, 0, 42, 42),
        (60, 5, 32, 27),
        (200, 10, 52, 42),
    ],
)
def test_derived_dates(separation: int, delay: int, due_after_imaging: int, planning: int) -> None:
    check = check_schedule(IMAGING.isoformat(), day(separation), delivery_delay_days=delay)
    assert check.preimages_available == day(delay)
    # min(available + 6 weeks, NIRSpec start - 4 weeks), written out.
    assert check.update_due == min(day(delay) + dt.timedelta(weeks=6), day(separation - 28))
    assert check.update_due == day(due_after_imaging)
    assert check.planning_days == planning
    data = check.to_dict()
    assert data["update_due"] == day(due_after_imaging).isoformat()


def test_late_delivery_is_an_error() -> None:
    check = check_schedule(IMAGING, day(60), delivery_delay_days=40)
    assert check.planning_days == 32 - 40
    assert check.status == "error"
    assert any("deadline" in m for m in check.messages)


@pytest.mark.parametrize("delay", [-1, 1.5, "soon"])
def test_bad_delay(delay: object) -> None:
    with pytest.raises(ValueError, match="delivery delay"):
        check_schedule(IMAGING, day(60), delivery_delay_days=delay)


def test_bad_dates() -> None:
    with pytest.raises(ValueError, match="imaging date"):
        check_schedule("2026-02-30", day(60))
    with pytest.raises(ValueError, match="NIRSpec start date"):
        plan_schedule(*ECLIPTIC_TARGET, IMAGING, "2041-01-01")
    with pytest.raises(ValueError, match="before NIRSpec start"):
        plan_schedule(*ECLIPTIC_TARGET, IMAGING, "2026-11-20", "2026-11-01")


def test_plan_schedule_uses_visibility() -> None:
    vis = visibility(*ECLIPTIC_TARGET, "2026-01-01", "2027-12-31")
    nirspec_window = next(w for w in vis.windows if w.start > IMAGING + dt.timedelta(60))
    plan = plan_schedule(*ECLIPTIC_TARGET, IMAGING, nirspec_window, vis=vis)
    assert plan.status == "ok"
    assert plan.imaging_window is not None and plan.imaging_window.contains(IMAGING)
    assert plan.nircam_apa == vis.apa_range(IMAGING, "nircam")
    assert plan.nirspec_end == nirspec_window.end
    assert plan.nirspec_apa == pytest.approx(nirspec_window.nirspec_apa)
    # A date outside the field of regard is an error, with a message.
    outside = next(d for d, ok in zip(vis.dates, vis.in_field_of_regard, strict=True) if not ok)
    bad = plan_schedule(*ECLIPTIC_TARGET, outside, nirspec_window, vis=vis)
    assert bad.status == "error"
    assert any("field of regard" in m for m in bad.messages)
    assert plan.to_dict()["nirspec_window"]["start"] == nirspec_window.start.isoformat()


def test_windows_per_year() -> None:
    assert windows_per_year(*ECLIPTIC_TARGET, "2026-01-01") == 2
    assert windows_per_year(*POLE_TARGET, "2026-01-01") == 1
    assert windows_per_year(53.16, -27.78, "2026-01-01") == 1


def test_proposals_for_two_windows_a_year() -> None:
    start = "2026-01-01"
    proposals = propose_schedules(*ECLIPTIC_TARGET, start, span_days=730)
    vis = visibility(*ECLIPTIC_TARGET, start, "2027-12-31")
    # Brute force: every ordered pair of different windows whose first day
    # leaves >= 42 days before the second window opens.
    expected = {
        (a.start, b.start)
        for i, a in enumerate(vis.windows)
        for b in vis.windows[i + 1 :]
        if (b.start - a.start).days >= 42
    }
    assert {(p.imaging_window.start, p.nirspec_window.start) for p in proposals} == expected
    for p in proposals:
        assert p.imaging_window != p.nirspec_window
        assert p.imaging_window.contains(p.imaging_date)
        assert p.check.separation_days == (p.nirspec_start - p.imaging_date).days >= 42
        if p.latest_imaging_ok is not None:
            assert (p.nirspec_start - p.latest_imaging_ok).days >= 60
            assert p.imaging_window.contains(p.latest_imaging_ok)
    keys = [(p.status != "ok", p.nirspec_start, -p.check.planning_days) for p in proposals]
    assert keys == sorted(keys)
    best = proposals[0].to_dict()
    assert best["status"] == "ok" and best["nircam_apa"] is not None


def test_proposals_inside_one_long_window() -> None:
    proposals = propose_schedules(*POLE_TARGET, "2026-01-01", span_days=365)
    assert len(proposals) == 1
    p = proposals[0]
    assert p.imaging_window is p.nirspec_window
    assert p.nirspec_start == p.imaging_date + dt.timedelta(days=60)
    assert p.status == "ok" and p.check.planning_days == 32


def test_bad_span() -> None:
    with pytest.raises(ValueError, match="span"):
        propose_schedules(*ECLIPTIC_TARGET, "2026-01-01", span_days=0)
