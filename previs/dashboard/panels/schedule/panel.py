"""The "Schedule" panel: when to take the pre-imaging, when the spectroscopy, at which angles.

An ipywidgets panel that holds no geometry: it reads the target and the NIRCam
configuration from the dashboard's current :class:`~previs.planning.plan.Plan`, and
calls the core for everything else:

* :func:`previs.planning.schedule.propose_schedules` fills the date pickers (best
  proposal first, the others in a dropdown);
* :func:`previs.planning.schedule.plan_schedule` checks the separation rule (ok from 60
  days, warning for 42-59, error below 42) and gives the derived dates, the
  NIRCam APA on the imaging date and the NIRSpec APA range over the
  spectroscopy window;
* :func:`previs.planning.sweep.worst_case_coverage` gives the MSA coverage at every
  NIRSpec APA of that range for the plan's NIRCam configuration at the chosen
  NIRCam APA, and :func:`previs.planning.search.search_configuration` proposes a
  configuration reaching a required coverage with the fewest exposures;
* :mod:`previs.plotting.schedule` draws the timeline and the coverage-vs-APA plot.

Two callbacks link the panel to the dashboard: ``apply(nircam_apa,
(nirspec_apa_min, nirspec_apa_max))`` ("Use these orientations") and, optionally,
``apply_plan(plan)`` ("Use this configuration").

Errors a user can make (a date outside 2022-2040, an end before the start, an
empty date) are shown in the panel; the last valid schedule, its figures and
what the buttons send stay as they were.

Responsiveness: date changes cost tens of milliseconds (the schedule check, a
coverage sweep of ~50 APAs, the timeline), so they run in the widget callback.
The visibility of the target is computed once per target over the dates with a
year's margin each side (so the windows holding them are whole, as
:func:`previs.planning.schedule.plan_schedule` needs; when they are not, e.g. for a
target visible all year, plan_schedule computes its usual span) plus some
slack, and shared by the schedule check and the "do the dates fit" test; it is computed again only
when the target changes or a date comes within a year of its edges. The
timeline draws its own, over the days it shows. The proposals need a
visibility over exactly their search period (its edge windows are cut on
purpose), so they compute their own, once per target.
The configuration search takes about two seconds; it also runs synchronously
in the button's callback, and the progress bar still moves because the kernel
sends each widget update to the browser as it is made. This avoids a worker
thread touching widgets (ipywidgets is not thread-safe); the search button is
disabled while it runs so clicks do not queue up.

The panel is split in small modules: :mod:`~previs.dashboard.panels.schedule.widgets`
builds and lays out the widgets (and reads the dates),
:mod:`~previs.dashboard.panels.schedule.markup` turns results into HTML,
:mod:`~previs.dashboard.panels.schedule.figures` draws the two figures,
:mod:`~previs.dashboard.panels.schedule.visibility_cache` keeps the target's visibility
and :mod:`~previs.dashboard.panels.schedule.search_section` runs the configuration
search; this module holds the state, the update flow and the actions.

Figures use an ipympl canvas when ipympl is importable (``interactive=None``,
the default) and otherwise a static PNG in an ``ipywidgets.Image``, rendered
with matplotlib's Agg backend.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from typing import Any

from previs.dashboard.host import UpdateGuard
from previs.dashboard.panels.schedule import markup
from previs.dashboard.panels.schedule.actions import ScheduleActions
from previs.dashboard.panels.schedule.figures import ScheduleFigures
from previs.dashboard.panels.schedule.search_section import ConfigurationSearch
from previs.dashboard.panels.schedule.visibility_cache import TargetVisibility
from previs.dashboard.panels.schedule.widgets import ScheduleControls
from previs.errors import PrevisError
from previs.geometry.angles import wrap_degrees
from previs.io.session import ScheduleDates
from previs.planning.plan import Plan
from previs.planning.schedule import (
    MIN_SEPARATION_DAYS,
    SchedulePlan,
    ScheduleProposal,
    plan_schedule,
    propose_schedules,
)
from previs.planning.search import SearchResult
from previs.planning.sweep import WorstCase
from previs.planning.visibility import LAST_DATE, check_date

__all__ = ["PROPOSAL_SPAN_DAYS", "SchedulePanel"]


def _complete(value: object) -> bool:
    """Whether a date picker's value is a whole date (not a year still being typed)."""
    return value is None or getattr(value, "year", 0) >= 1000


#: Days searched by "Propose dates", from the first day.
PROPOSAL_SPAN_DAYS = 730


class SchedulePanel(ScheduleActions):
    """Choose the pre-imaging date and the NIRSpec window; see the angles and worst-case coverage.

    Parameters
    ----------
    get_plan : callable
        Returns the dashboard's current :class:`~previs.planning.plan.Plan`. Its NIRSpec
        RA/Dec is the target; its NIRCam RA/Dec, dither, mosaic and channel are
        the configuration whose worst-case coverage is shown.
    apply : callable
        Called by "Use these orientations" as ``apply(nircam_apa, (nirspec_apa_min,
        nirspec_apa_max))``, degrees: the NIRCam APA on the imaging date (the
        nominal unless the roll slider moved it) and the NIRSpec APA range
        allowed over the spectroscopy window (``min > max`` when it crosses 0).
    today : date or 'YYYY-MM-DD', optional
        First day searched by "Propose dates" (default: today).
    apply_plan : callable, optional
        Called by "Use this configuration" with the searched configuration as
        a :class:`~previs.planning.plan.Plan` (the button is hidden when missing).
    interactive : bool, optional
        True: ipympl canvases; False: static PNG images; None (default): ipympl
        when it can be imported.

    Notes
    -----
    The widgets are ``controls`` (``controls.imaging_date``, ...). Call
    :meth:`refresh_from_plan` after the dashboard's plan changes (the "Refresh
    from plan" button does the same; any change of a date also re-reads the
    plan). The last valid state is readable from :attr:`schedule`,
    :attr:`nircam_apa`, :attr:`nirspec_apa_range`, :attr:`worst_case` and
    :attr:`search_result`.
    """

    def __init__(
        self,
        get_plan: Callable[[], Plan],
        apply: Callable[[float, tuple[float, float]], None],
        today: object = None,
        apply_plan: Callable[[Plan], None] | None = None,
        interactive: bool | None = None,
    ) -> None:
        started = time.perf_counter()
        self._get_plan = get_plan
        self._apply = apply
        self._apply_plan = apply_plan
        self._today_input = _dt.date.today() if today is None else today
        self.guard = UpdateGuard()
        self._error = self._note = ""
        self._plan: Plan | None = None
        self._target: tuple[float, float] | None = None
        self._proposals: list[ScheduleProposal] = []
        self._schedule: SchedulePlan | None = None
        self._nircam_apa: float | None = None
        self._worst: WorstCase | None = None
        self._visibility = TargetVisibility()
        self.update_times_ms: list[float] = []

        self.controls = ScheduleControls(interactive, can_apply_plan=apply_plan is not None)
        self.widget = self.controls.widget
        self.search = ConfigurationSearch(self.controls, can_apply=apply_plan is not None)
        self.figures = ScheduleFigures(self.controls)
        self._connect()
        self.update()
        self.build_time_ms = (time.perf_counter() - started) * 1000.0

    def _connect(self) -> None:
        c = self.controls
        for control in (
            c.imaging_date,
            c.nirspec_start,
            c.nirspec_end,
            c.delivery_delay,
            c.nircam_roll,
            c.required_coverage,
        ):
            control.observe(self._on_control, names="value")
        c.proposal_choice.observe(self._on_proposal, names="value")
        c.refresh_button.on_click(lambda _: self.refresh_from_plan())
        c.propose_button.on_click(lambda _: self.propose())
        c.apply_button.on_click(lambda _: self.use_orientations())
        c.search_button.on_click(lambda _: self.find_configuration())
        c.apply_config_button.on_click(lambda _: self.use_configuration())

    def _on_control(self, change: dict[str, Any]) -> None:
        if self.guard.active:
            return
        if change["owner"] in self.controls.date_pickers and not _complete(change["new"]):
            return  # a date typed digit by digit (year 0002...): wait for the whole date
        self._note = ""
        self.update()
        if change["owner"] in self.controls.date_pickers:
            self._mark_proposal()

    def _mark_proposal(self) -> None:
        with self.guard.hold():
            self.controls.mark_proposal(self._proposals)

    # ------------------------------------------------------------------ saved sessions
    def dates(self) -> ScheduleDates:
        """The dates, delivery delay and roll as a saved session keeps them."""
        return self.controls.dates()

    def restore(self, saved: ScheduleDates) -> None:
        """Set the dates, delivery delay and roll of a saved session."""
        with self.guard.hold():
            self.controls.restore_dates(saved)
        self._note = ""
        self.update()
        with self.guard.hold():
            self.controls.restore_roll(saved.nircam_roll)
        self.update()
        self._mark_proposal()

    def _on_proposal(self, change: dict[str, Any]) -> None:
        if self.guard.active or change["new"] is None:
            return
        self._fill_dates(self._proposals[change["new"]])
        self.update()

    # ------------------------------------------------------------------ state
    @property
    def target(self) -> tuple[float, float] | None:
        """(RA, Dec) in degrees of the target the panel shows."""
        return self._target

    @property
    def schedule(self) -> SchedulePlan | None:
        """The last valid schedule (dates, separation check, APA ranges)."""
        return self._schedule

    @property
    def proposals(self) -> list[ScheduleProposal]:
        """Schedules proposed for the target, best first."""
        return list(self._proposals)

    @property
    def nircam_apa(self) -> float | None:
        """NIRCam APA (degrees) on the imaging date: nominal plus the roll slider's offset."""
        return self._nircam_apa

    @property
    def nirspec_apa_range(self) -> tuple[float, float] | None:
        """(min, max) NIRSpec APA (degrees) allowed over the NIRSpec window."""
        return self._schedule.nirspec_apa if self._schedule else None

    @property
    def worst_case(self) -> WorstCase | None:
        """Coverage over :attr:`nirspec_apa_range`: plan's NIRCam setup at :attr:`nircam_apa`."""
        return self._worst

    @property
    def search_result(self) -> SearchResult | None:
        """The last configuration search (None once the dates or the target change)."""
        return self.search.result

    @property
    def visibility_computations(self) -> int:
        """How many times the target's visibility was computed for the schedule checks."""
        return self._visibility.computations

    @property
    def message(self) -> str:
        """Error or note shown at the top of the panel, as plain text."""
        return markup.plain_text(self.controls.message_html.value)

    @property
    def check_text(self) -> str:
        """The separation check as plain text."""
        return markup.plain_text(self.controls.check_html.value)

    @property
    def timeline_draws(self) -> int:
        """How many times the timeline was drawn."""
        return self.controls.timeline.draws

    # ------------------------------------------------------------------ updates
    def refresh_from_plan(self) -> None:
        """Read the dashboard's plan again (target and NIRCam setup) and update the panel."""
        self.update()

    def update(self) -> None:
        """Recompute the schedule, angles and coverage from the widgets; errors go to the panel."""
        started = time.perf_counter()
        plan = self._read_plan()
        if plan is None:
            return
        if (plan.nirspec.ra, plan.nirspec.dec) != self._target:
            self._new_target(plan)
        self._plan = plan
        try:
            imaging, start, end = self.controls.read_dates()
            schedule = plan_schedule(
                plan.nirspec.ra,
                plan.nirspec.dec,
                imaging,
                start,
                end,
                int(self.controls.delivery_delay.value),
                vis=self._visibility.around(
                    plan.nirspec.ra, plan.nirspec.dec, [imaging, start, end]
                ),
            )
        except PrevisError as error:
            self._show_error(str(error))
            return
        self._accept(plan, schedule)
        self.update_times_ms.append((time.perf_counter() - started) * 1000.0)
        del self.update_times_ms[:-200]

    def _read_plan(self) -> Plan | None:
        try:
            plan = self._get_plan()
        except Exception as error:  # the callback belongs to the dashboard: never crash here
            self._show_error(f"could not read the plan from the main tab: {error}")
            return None
        if not isinstance(plan, Plan):
            self._show_error(f"expected a previs Plan from the main tab, got {type(plan).__name__}")
            return None
        return plan

    def _new_target(self, plan: Plan) -> None:
        """A new target: new proposals; dates kept unless they do not fit the new target."""
        first_time = self._target is None
        self._target = (plan.nirspec.ra, plan.nirspec.dec)
        self.controls.target_html.value = markup.target_html(plan)
        self.search.forget()
        note = self._compute_proposals(plan)
        if not self._proposals:
            self._draw_timeline_without_dates(plan)
        elif first_time or not self._dates_fit(plan):
            self._fill_dates(self._proposals[0])
            if not first_time:
                note = (
                    "The target changed and the dates chosen before do not fit it: "
                    "the best proposal was filled in."
                )
        else:
            note = "The target changed; the dates were kept (see 'Proposals' for others)."
        self._note = note
        self._render_message()

    def _compute_proposals(self, plan: Plan) -> str:
        self._proposals = []
        try:
            today = check_date(self._today_input, "first day to search")
            self._proposals = propose_schedules(
                plan.nirspec.ra, plan.nirspec.dec, today, PROPOSAL_SPAN_DAYS
            )
        except PrevisError as error:
            self._set_proposal_options()
            return f"No dates proposed: {error}."
        self._set_proposal_options()
        if not self._proposals:
            last = min(today + _dt.timedelta(days=PROPOSAL_SPAN_DAYS - 1), LAST_DATE)
            return (
                f"No pair of visibility windows between {today} and {last} leaves "
                f"{MIN_SEPARATION_DAYS} days between pre-imaging and spectroscopy for this "
                "target: the timeline shows when JWST can see it."
            )
        return ""

    def _set_proposal_options(self) -> None:
        with self.guard.hold():
            self.controls.set_proposals(self._proposals)

    def _dates_fit(self, plan: Plan) -> bool:
        try:
            dates = self.controls.read_dates()
            vis = self._visibility.around(plan.nirspec.ra, plan.nirspec.dec, list(dates))
            schedule = plan_schedule(plan.nirspec.ra, plan.nirspec.dec, *dates, vis=vis)
        except PrevisError:
            return False
        return schedule.nircam_apa_nominal is not None and schedule.nirspec_apa is not None

    def _fill_dates(self, proposal: ScheduleProposal) -> None:
        with self.guard.hold():
            self.controls.fill_dates(
                proposal.imaging_date, proposal.nirspec_start, proposal.nirspec_end
            )
        if proposal in self._proposals:
            k = self._proposals.index(proposal)
            self.controls.proposal_html.value = markup.proposal_note_html(k, proposal)

    def set_dates(
        self, imaging_date: object, nirspec_start: object, nirspec_end: object = None
    ) -> None:
        """Set the three date pickers at once (one update), e.g. from code or a notebook.

        Dates are ``datetime.date`` or 'YYYY-MM-DD' strings; ``nirspec_end`` None
        means "until the target leaves the field of regard". A string that is
        not a date is reported in the panel like a bad picker value.
        """
        try:
            with self.guard.hold():
                self.controls.set_dates(imaging_date, nirspec_start, nirspec_end)
        except PrevisError as error:
            self._show_error(str(error))
            return
        self._note = ""
        self.update()

    def propose(self) -> None:
        """Fill the dates from the best proposal for the plan's target ("Propose dates")."""
        plan = self._read_plan()
        if plan is None:
            return
        if (plan.nirspec.ra, plan.nirspec.dec) != self._target:
            self._new_target(plan)
        else:
            self._note = self._compute_proposals(plan)
        if self._proposals:
            self._fill_dates(self._proposals[0])
        self.update()

    # ------------------------------------------------------------------ accepted state
    def _accept(self, plan: Plan, schedule: SchedulePlan) -> None:
        c = self.controls
        self._schedule = schedule
        self._error = ""
        self._render_message()
        nominal = schedule.nircam_apa_nominal
        if nominal is not None and schedule.nircam_apa is not None:
            with self.guard.hold():
                c.set_roll_limit(wrap_degrees(schedule.nircam_apa[1] - nominal))
            self._nircam_apa = wrap_degrees(nominal + c.nircam_roll.value)
        else:
            self._nircam_apa = None
        c.check_html.value = markup.check_html(schedule)
        c.orientation_html.value = markup.orientation_html(
            schedule, c.nircam_roll.value, self._nircam_apa
        )
        c.apply_button.disabled = self._nircam_apa is None or schedule.nirspec_apa is None
        self._worst = self.figures.show_coverage(plan, schedule, self._nircam_apa)
        check = schedule.check
        end = schedule.nirspec_end or check.nirspec_start
        self.figures.show_timeline(plan, [check.imaging_date, check.nirspec_start, end])
        self.search.follow(plan, schedule)

    def _draw_timeline_without_dates(self, plan: Plan) -> None:
        try:
            today = check_date(self._today_input, "first day to search")
        except PrevisError:
            return
        self.figures.show_timeline(plan, [today], dates_chosen=False)

    # ------------------------------------------------------------------ messages
    def _show_error(self, text: str) -> None:
        self._error = text
        self._render_message()

    def _render_message(self) -> None:
        self.controls.message_html.value = markup.message_html(
            self._error, self._note, self._schedule is not None
        )

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
