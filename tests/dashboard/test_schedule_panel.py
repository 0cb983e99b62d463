"""Schedule panel driven in-process (no browser): date pickers, buttons, messages, callbacks.

Expected values are recomputed here from :mod:`previs.planning.visibility` (V3PA, roll and
the SIAF V3IdlYAngle) and :mod:`previs.geometry.coverage`, not read back from the panel.
"""

from __future__ import annotations

import datetime as dt
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from previs.dashboard.panels.schedule.panel import SchedulePanel  # noqa: E402
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint  # noqa: E402
from previs.geometry.patterns import Mosaic  # noqa: E402
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture  # noqa: E402
from previs.planning.plan import Plan  # noqa: E402
from previs.planning.schedule import propose_schedules  # noqa: E402
from previs.planning.sweep import worst_case_coverage
from previs.planning.visibility import visibility  # noqa: E402

TODAY = dt.date(2026, 11, 21)
GOODS_S = (53.1625, -27.7914)
NORTH_ECLIPTIC_POLE = (270.0, 66.56071)  # in the field of regard every day
NIRSPEC_YANG = get_aperture(NIRSPEC_REFERENCE).v3_idl_yang
NIRCAM_YANG = get_aperture(NIRCAM_REFERENCE).v3_idl_yang


def same_angle(a: float, b: float, tolerance: float = 1e-7) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) <= tolerance


def expected_orientations(ra, dec, imaging, start, end):
    """NIRCam nominal APA on the imaging day and the NIRSpec APA arc over [start, end].

    From the daily V3PA and allowed roll: APA = V3PA + V3IdlYAngle, +- roll; the
    arc is followed continuously from the first day.
    """
    vis = visibility(ra, dec, min(imaging, start), end)
    i = vis.index(imaging)
    nircam_nominal = (vis.v3pa[i] + NIRCAM_YANG) % 360.0
    span = slice(vis.index(start), vis.index(end) + 1)
    centre = vis.v3pa[span] + NIRSPEC_YANG
    centre = centre[0] + (centre - centre[0] + 180.0) % 360.0 - 180.0
    centre = np.rad2deg(np.unwrap(np.deg2rad(centre)))
    low = np.min(centre - vis.roll[span]) % 360.0
    high = np.max(centre + vis.roll[span]) % 360.0
    return nircam_nominal, (low, high), vis.roll[i]


class Host:
    """Stands for the dashboard: holds a plan and records what the panel sends."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.orientations: list = []
        self.plans: list = []

    def get_plan(self) -> Plan:
        return self.plan

    def apply(self, nircam_apa, nirspec_range) -> None:
        self.orientations.append((nircam_apa, nirspec_range))

    def apply_plan(self, plan: Plan) -> None:
        self.plans.append(plan)
        self.plan = plan


def make_panel(ra_dec=GOODS_S, today=TODAY, interactive=False, **plan_options):
    plan = Plan.centred(*ra_dec, **({"dither": "FULL3"} | plan_options))
    host = Host(plan)
    panel = SchedulePanel(
        host.get_plan, host.apply, today=today, apply_plan=host.apply_plan, interactive=interactive
    )
    return panel, host


@pytest.fixture(scope="module")
def goods():
    return make_panel()


@pytest.fixture(scope="module")
def pole():
    return make_panel(NORTH_ECLIPTIC_POLE)


def test_starts_on_the_best_proposal_with_an_ok_check(goods):
    panel, _ = goods
    best = propose_schedules(*GOODS_S, TODAY)[0]
    assert panel.controls.imaging_date.value == best.imaging_date
    assert panel.controls.nirspec_start.value == best.nirspec_start
    assert panel.controls.nirspec_end.value == best.nirspec_end
    assert len(panel.controls.proposal_choice.options) == len(propose_schedules(*GOODS_S, TODAY))
    assert panel.schedule.status == "ok"
    assert "OK" in panel.check_text and panel.message == ""
    assert panel.timeline_draws == 1 and panel.controls.coverage_plot.draws == 1
    assert panel.widget.children and hasattr(panel, "_ipython_display_")
    assert panel.controls.timeline.widget.value[:4] == b"\x89PNG"


def test_use_orientations_sends_the_angles_of_the_chosen_dates():
    panel, host = make_panel()
    imaging, start, end = dt.date(2026, 11, 25), dt.date(2027, 1, 26), dt.date(2027, 2, 5)
    panel.set_dates(imaging, start, end)
    panel.controls.apply_button.click()
    nircam, (low, high), _ = expected_orientations(*GOODS_S, imaging, start, end)
    (sent_nircam, (sent_low, sent_high)) = host.orientations[-1]
    assert same_angle(sent_nircam, nircam)
    assert same_angle(sent_low, low) and same_angle(sent_high, high)
    assert "Sent to the main tab" in panel.message
    assert f"{nircam:.1f}" in panel.controls.orientation_html.value
    assert f"{low:.1f}" in panel.controls.orientation_html.value


def test_roll_slider_turns_nircam_within_the_allowed_roll():
    panel, host = make_panel()
    imaging, start, end = (
        panel.controls.imaging_date.value,
        panel.controls.nirspec_start.value,
        panel.controls.nirspec_end.value,
    )
    nominal, nirspec_range, roll = expected_orientations(*GOODS_S, imaging, start, end)
    assert panel.controls.nircam_roll.max == pytest.approx(roll, abs=1e-9)
    assert panel.controls.nircam_roll.min == pytest.approx(-roll, abs=1e-9)
    panel.controls.nircam_roll.value = 2.0
    assert same_angle(panel.nircam_apa, nominal + 2.0)
    panel.controls.apply_button.click()
    assert same_angle(host.orientations[-1][0], nominal + 2.0)
    panel.controls.nircam_roll.value = 30.0  # clamped to the allowed roll
    assert panel.controls.nircam_roll.value == pytest.approx(roll, abs=1e-9)


def test_worst_case_is_the_minimum_over_the_allowed_nirspec_angles(goods):
    panel, host = goods
    plan = host.plan
    nominal, (low, high), _ = expected_orientations(
        *GOODS_S,
        panel.controls.imaging_date.value,
        panel.controls.nirspec_start.value,
        panel.controls.nirspec_end.value,
    )
    worst = panel.worst_case
    nircam = Pointing(plan.nircam.ra, plan.nircam.dec, nominal)
    footprint = nircam_footprint(nircam, plan.channel, plan.dither, plan.mosaic)
    # Independent coverage at the reported worst angle and at both ends of the range.
    at_min = compute_coverage(Pointing(*GOODS_S, worst.apa_at_min), footprint).covered
    assert at_min == pytest.approx(worst.min, abs=1e-9)
    for apa in (low, high, (low + ((high - low) % 360.0) / 2.0) % 360.0):
        assert compute_coverage(Pointing(*GOODS_S, apa), footprint).covered >= worst.min - 1e-9
    assert same_angle(worst.apas[0], low) and same_angle(worst.apas[-1], high)
    assert f"{100.0 * worst.min:.1f} %" in panel.controls.coverage_html.value
    assert panel.controls.coverage_plot.widget.layout.display is None


@pytest.mark.parametrize(
    ("separation", "status", "word"),
    [
        (41, "error", "Not allowed"),
        (42, "warning", "short"),
        (59, "warning", "short"),
        (60, "ok", "OK"),
    ],
)
def test_separation_rule_edges_and_derived_dates(pole, separation, status, word):
    panel, _ = pole
    start = dt.date(2027, 6, 1)
    panel.controls.delivery_delay.value = 5
    panel.set_dates(start - dt.timedelta(days=separation), start, start + dt.timedelta(days=20))
    available = start - dt.timedelta(days=separation - 5)
    due = min(available + dt.timedelta(days=42), start - dt.timedelta(days=28))
    assert panel.schedule.status == status
    text = panel.check_text
    assert word in text and f"{separation} days between pre-imaging and NIRSpec start" in text
    assert f"Pre-images available {available}" in text
    assert f"MSA program update due {due}" in text
    assert f"Days to plan the MSA {(due - available).days}" in text
    assert panel.message == ""


def test_bad_dates_are_reported_and_the_last_valid_schedule_kept():
    panel, host = make_panel()
    good = panel.schedule
    draws = panel.timeline_draws
    panel.controls.apply_button.click()
    sent = host.orientations[-1]

    panel.controls.imaging_date.value = dt.date(2021, 12, 31)
    assert "outside the supported range 2022-01-01 to 2040-12-31" in panel.message
    assert "last valid schedule" in panel.message
    panel.controls.imaging_date.value = dt.date(2041, 1, 1)
    assert "2041-01-01" in panel.message
    assert panel.schedule is good and panel.timeline_draws == draws
    panel.controls.apply_button.click()
    assert host.orientations[-1] == sent

    panel.controls.imaging_date.value = good.check.imaging_date
    assert panel.message == ""
    panel.controls.nirspec_end.value = good.check.nirspec_start - dt.timedelta(days=1)
    assert "before its start" in panel.message
    panel.controls.nirspec_end.value = None  # optional: back to the end of the visibility window
    assert panel.message == "" and panel.schedule.nirspec_end == good.nirspec_window.end
    panel.controls.nirspec_start.value = None
    assert "choose the NIRSpec window start" in panel.message
    panel.controls.search_button.click()
    assert "Fix the dates first" in panel.controls.best_html.value
    assert panel.schedule.check.nirspec_start == good.check.nirspec_start


def test_dates_outside_the_field_of_regard_disable_the_orientations():
    panel, host = make_panel()
    vis = visibility(*GOODS_S, "2027-03-01", "2027-06-30")
    hidden = next(d for d, ok in zip(vis.dates, vis.in_field_of_regard, strict=True) if not ok)
    hidden = dt.date.fromisoformat(str(hidden))
    panel.set_dates(hidden, hidden + dt.timedelta(days=200))
    assert panel.schedule.status == "error"
    assert "outside the field of regard" in panel.check_text
    assert "cannot point at the target" in panel.controls.orientation_html.value
    assert panel.controls.apply_button.disabled and panel.worst_case is None
    assert panel.controls.coverage_plot.widget.layout.display == "none"
    count = len(host.orientations)
    panel.use_orientations()
    assert len(host.orientations) == count and "no orientations" in panel.message


def test_timeline_redraws_only_when_target_or_dates_change():
    panel, host = make_panel()
    draws = panel.timeline_draws
    panel.controls.nircam_roll.value = 1.5
    panel.controls.delivery_delay.value = 3
    panel.controls.refresh_button.click()
    assert panel.timeline_draws == draws
    panel.controls.imaging_date.value = panel.controls.imaging_date.value + dt.timedelta(days=2)
    assert panel.timeline_draws == draws + 1
    host.plan = Plan.centred(*NORTH_ECLIPTIC_POLE, dither="FULL3")
    panel.controls.refresh_button.click()
    assert panel.target == NORTH_ECLIPTIC_POLE
    assert panel.timeline_draws == draws + 2
    # The pole is always visible: the dates were kept, the proposals recomputed.
    assert "dates were kept" in panel.message
    assert (
        panel.proposals[0].imaging_date
        == propose_schedules(*NORTH_ECLIPTIC_POLE, TODAY)[0].imaging_date
    )


def test_date_changes_reuse_the_targets_visibility_and_give_the_same_schedule():
    from previs.planning.schedule import plan_schedule

    panel, host = make_panel()
    computed = panel.visibility_computations
    assert computed == 1  # the "do the dates fit" test and the schedule check share it
    imaging, start = panel.controls.imaging_date.value, panel.controls.nirspec_start.value
    for days in (2, 5, -3):
        panel.controls.imaging_date.value = imaging + dt.timedelta(days=days)
        expected = plan_schedule(
            *GOODS_S, panel.controls.imaging_date.value, start
        )  # its own visibility
        assert panel.schedule.to_dict() == expected.to_dict()
    assert panel.visibility_computations == computed
    later = start + dt.timedelta(days=400)  # beyond the margin kept: computed again
    panel.set_dates(imaging + dt.timedelta(days=365), later)
    expected = plan_schedule(*GOODS_S, imaging + dt.timedelta(days=365), later)
    assert panel.schedule.to_dict() == expected.to_dict()
    assert panel.visibility_computations == computed + 1
    host.plan = Plan.centred(*NORTH_ECLIPTIC_POLE, dither="FULL3")
    panel.controls.refresh_button.click()  # a new target: its own visibility
    assert panel.visibility_computations == computed + 2
    expected = plan_schedule(*NORTH_ECLIPTIC_POLE, panel.controls.imaging_date.value, later)
    assert panel.schedule.to_dict() == expected.to_dict()


def test_new_target_that_does_not_fit_the_dates_takes_the_best_proposal():
    panel, host = make_panel(NORTH_ECLIPTIC_POLE)
    panel.set_dates(dt.date(2027, 4, 1), dt.date(2027, 6, 1), dt.date(2027, 6, 20))
    host.plan = Plan.centred(*GOODS_S, dither="FULL3")
    panel.refresh_from_plan()
    best = propose_schedules(*GOODS_S, TODAY)[0]
    assert panel.controls.imaging_date.value == best.imaging_date
    assert panel.controls.nirspec_start.value == best.nirspec_start
    assert "best proposal was filled in" in panel.message


def test_proposal_dropdown_and_propose_button_fill_the_dates():
    panel, _ = make_panel()
    proposals = propose_schedules(*GOODS_S, TODAY)
    panel.controls.proposal_choice.value = 2
    assert panel.controls.imaging_date.value == proposals[2].imaging_date
    assert panel.controls.nirspec_start.value == proposals[2].nirspec_start
    assert panel.controls.nirspec_end.value == proposals[2].nirspec_end
    assert "Proposal 3" in panel.controls.proposal_html.value
    panel.controls.imaging_date.value = dt.date(2026, 12, 1)
    panel.controls.propose_button.click()
    assert panel.controls.imaging_date.value == proposals[0].imaging_date


def test_target_never_visible_in_the_period_gives_a_message_not_a_crash():
    # Near the Sun in late December; the searched period ends with 2040.
    panel, host = make_panel((270.0, -20.0), today=dt.date(2040, 12, 20))
    assert panel.proposals == []
    assert "No pair of visibility windows" in panel.message
    assert "choose the NIRCam pre-imaging date" in panel.message
    assert panel.controls.imaging_date.value is None and panel.schedule is None
    assert panel.timeline_draws == 1  # the timeline still shows the (empty) visibility
    panel.controls.propose_button.click()
    panel.controls.apply_button.click()
    panel.controls.search_button.click()
    assert host.orientations == [] and panel.search_result is None


def test_failing_callbacks_are_reported_in_the_panel():
    def broken_plan():
        raise RuntimeError("no plan yet")

    panel = SchedulePanel(broken_plan, lambda *a: None, today=TODAY, interactive=False)
    assert "could not read the plan" in panel.message and "no plan yet" in panel.message

    def refuse(nircam_apa, nirspec_range):
        raise ValueError("NIRCam APA slider is locked")

    plan = Plan.centred(*GOODS_S)
    panel = SchedulePanel(lambda: plan, refuse, today=TODAY, interactive=False)
    panel.controls.apply_button.click()
    assert "refused the orientations: NIRCam APA slider is locked" in panel.message
    assert panel.controls.apply_config_button.layout.display == "none"  # no apply_plan given


def test_search_shows_the_trade_off_and_applies_the_configuration():
    panel, host = make_panel()
    fractions = []
    panel.controls.progress.observe(lambda change: fractions.append(change["new"]), names="value")
    panel.controls.search_button.click()
    result = panel.search_result
    assert result is not None and result.best is not None
    assert fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert (
        panel.controls.progress.bar_style == "success" and not panel.controls.search_button.disabled
    )
    assert panel.controls.tradeoff_html.value.count("<tr") == len(result.trade_off) + 1
    best = result.best
    assert f"{best.exposures} exposures" in panel.controls.best_html.value
    # The proposed configuration really reaches 99 % over the NIRSpec range, NIRCam
    # staying within the roll allowed on the imaging date.
    schedule = panel.schedule
    check = worst_case_coverage(
        Pointing(*GOODS_S, 0.0),
        best.nircam,
        schedule.nirspec_apa,
        "short",
        best.dither,
        best.mosaic,
    )
    assert check.min >= 0.99 and check.min == pytest.approx(best.worst, abs=1e-12)
    offset = (best.nircam.apa - schedule.nircam_apa_nominal + 180.0) % 360.0 - 180.0
    assert abs(offset) <= panel.controls.nircam_roll.max + 1e-9

    assert not panel.controls.apply_config_button.disabled
    panel.controls.apply_config_button.click()
    applied = host.plans[-1]
    assert (applied.dither, applied.mosaic, applied.nircam) == (
        best.dither,
        best.mosaic,
        best.nircam,
    )
    assert applied.nirspec == Plan.centred(*GOODS_S).nirspec
    # The panel now shows the worst case of the configuration it applied.
    assert panel.worst_case.min == pytest.approx(best.worst, abs=1e-9)
    assert "Sent to the main tab" in panel.message

    panel.controls.nirspec_start.value = panel.controls.nirspec_start.value + dt.timedelta(days=3)
    assert panel.search_result is None and panel.controls.apply_config_button.disabled
    assert "search again" in panel.controls.best_html.value


def test_falls_back_to_static_png_without_ipympl(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipympl.backend_nbagg", None)  # import raises ImportError
    panel, _ = make_panel(NORTH_ECLIPTIC_POLE, interactive=None)
    assert not panel.controls.timeline.interactive
    assert panel.controls.timeline.widget.value[:4] == b"\x89PNG"
    assert panel.controls.coverage_plot.widget.value[:4] == b"\x89PNG"
    with pytest.raises(ImportError):
        make_panel(NORTH_ECLIPTIC_POLE, interactive=True)


def test_uses_an_ipympl_canvas_when_available():
    pytest.importorskip("ipympl")
    panel, _ = make_panel(NORTH_ECLIPTIC_POLE, interactive=None)
    assert panel.controls.timeline.interactive
    from ipympl.backend_nbagg import Canvas

    assert isinstance(panel.controls.timeline.widget, Canvas)
    for canvas in (panel.controls.timeline.widget, panel.controls.coverage_plot.widget):
        # The same canvas settings as the sky figure, but not its CSS class.
        assert not canvas.header_visible and not canvas.footer_visible and not canvas.resizable
        assert canvas.toolbar_position == "top" and "previs-sky" not in canvas._dom_classes


def test_coverage_follows_the_plans_nircam_setup():
    panel, host = make_panel(NORTH_ECLIPTIC_POLE)
    panel.set_dates(dt.date(2027, 4, 1), dt.date(2027, 6, 1), dt.date(2027, 6, 10))
    before = panel.worst_case.min
    host.plan = host.plan.replace(dither="FULL6", mosaic=Mosaic(2, 1))
    panel.refresh_from_plan()
    nominal, nirspec_range, _ = expected_orientations(
        *NORTH_ECLIPTIC_POLE, dt.date(2027, 4, 1), dt.date(2027, 6, 1), dt.date(2027, 6, 10)
    )
    expected = worst_case_coverage(
        host.plan.nirspec,
        Pointing(*NORTH_ECLIPTIC_POLE, nominal),
        nirspec_range,
        "short",
        "FULL6",
        Mosaic(2, 1),
    )
    assert panel.worst_case.min == pytest.approx(expected.min, abs=1e-9)
    assert panel.worst_case.min > before
    assert (
        "FULL6" in panel.controls.coverage_html.value
        and "2x1" in panel.controls.coverage_html.value
    )
