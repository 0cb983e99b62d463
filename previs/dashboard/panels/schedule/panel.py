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
* :func:`previs.planning.search.worst_case_coverage` gives the MSA coverage at every
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

The panel is split in small modules: :mod:`previs.dashboard.panels.schedule.widgets` builds
and lays out the widgets, :mod:`previs.dashboard.panels.schedule.markup` turns results into
HTML, :mod:`previs.dashboard.panels.schedule.figures` draws the two figures; this module
holds the state, the update flow and the actions.

Figures use an ipympl canvas when ipympl is importable (``interactive=None``,
the default) and otherwise a static PNG in an ``ipywidgets.Image``, rendered
with matplotlib's Agg backend.
"""

from __future__ import annotations

import datetime as _dt
import html
import time
from collections.abc import Callable
from typing import Any

from previs.dashboard.panels.schedule import markup as markup
from previs.dashboard.panels.schedule.figures import draw_coverage, draw_timeline, timeline_span
from previs.dashboard.panels.schedule.widgets import ScheduleControls
from previs.geometry.attitude import Pointing
from previs.planning.plan import Plan
from previs.planning.schedule import (
    MIN_SEPARATION_DAYS,
    SchedulePlan,
    ScheduleProposal,
    plan_schedule,
    propose_schedules,
)
from previs.planning.search import SearchResult, search_configuration
from previs.planning.sweep import WorstCase
from previs.planning.sweep import worst_case_coverage as _worst_case_coverage
from previs.planning.visibility import FIRST_DATE, LAST_DATE, Visibility, check_date, visibility

__all__ = ["SchedulePanel"]

PROPOSAL_SPAN_DAYS = 730
#: Days of visibility kept beyond the chosen dates (as plan_schedule computes them) ...
SCHEDULE_MARGIN_DAYS = 366
#: ... and extra days computed so that nearby date changes reuse the same visibility.
VISIBILITY_SLACK_DAYS = 183


class SchedulePanel:
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
    Display with ``display(panel.widget)`` or by leaving the panel as a cell's
    last expression. Call :meth:`refresh_from_plan` after the dashboard's plan
    changes (the "Refresh from plan" button does the same; any change of a
    date also re-reads the plan). The last valid state is readable from
    :attr:`schedule`, :attr:`nircam_apa`, :attr:`nirspec_apa_range`,
    :attr:`worst_case` and :attr:`search_result`.
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
        self._syncing = False
        self._error = ""
        self._note = ""
        self._plan: Plan | None = None
        self._target: tuple[float, float] | None = None
        self._proposals: list[ScheduleProposal] = []
        self._schedule: SchedulePlan | None = None
        self._nircam_apa: float | None = None
        self._worst: WorstCase | None = None
        self._worst_key: tuple | None = None
        self._timeline_key: tuple | None = None
        self._vis: Visibility | None = None
        self._vis_target: tuple[float, float] | None = None
        self.visibility_computations = 0
        self._search: SearchResult | None = None
        self._search_key: tuple | None = None
        self.update_times_ms: list[float] = []
        self.search_times_s: list[float] = []

        self._build_widgets(interactive)
        self._connect()
        self.update()
        self.build_time_ms = (time.perf_counter() - started) * 1000.0

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self, interactive: bool | None) -> None:
        controls = ScheduleControls(interactive, can_apply_plan=self._apply_plan is not None)
        self.controls = controls
        self.target_html, self.refresh_button = controls.target_html, controls.refresh_button
        self.message_html = controls.message_html
        self.imaging_date, self.nirspec_start = controls.imaging_date, controls.nirspec_start
        self.nirspec_end, self.delivery_delay = controls.nirspec_end, controls.delivery_delay
        self.propose_button, self.proposal_choice = (
            controls.propose_button,
            controls.proposal_choice,
        )
        self.proposal_html, self.nircam_roll = controls.proposal_html, controls.nircam_roll
        self.check_html, self.orientation_html = controls.check_html, controls.orientation_html
        self.apply_button, self.timeline = controls.apply_button, controls.timeline
        self.coverage_html, self.coverage_plot = controls.coverage_html, controls.coverage_plot
        self.required_coverage = controls.required_coverage
        self.search_button, self.progress = controls.search_button, controls.progress
        self.progress_label, self.tradeoff_html = controls.progress_label, controls.tradeoff_html
        self.best_html, self.apply_config_button = controls.best_html, controls.apply_config_button
        self.widget = controls.widget

    def _connect(self) -> None:
        for control in (
            self.imaging_date,
            self.nirspec_start,
            self.nirspec_end,
            self.delivery_delay,
            self.nircam_roll,
            self.required_coverage,
        ):
            control.observe(self._on_control, names="value")
        self.proposal_choice.observe(self._on_proposal, names="value")
        self.refresh_button.on_click(lambda _: self.refresh_from_plan())
        self.propose_button.on_click(lambda _: self.propose())
        self.apply_button.on_click(lambda _: self.use_orientations())
        self.search_button.on_click(lambda _: self.find_configuration())
        self.apply_config_button.on_click(lambda _: self.use_configuration())

    def _on_control(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self._note = ""
            self.update()

    def _on_proposal(self, change: dict[str, Any]) -> None:
        if self._syncing or change["new"] is None:
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
        return self._search

    @property
    def message(self) -> str:
        """Error or note shown at the top of the panel, as plain text."""
        return markup.plain_text(self.message_html.value)

    @property
    def check_text(self) -> str:
        """The separation check as plain text."""
        return markup.plain_text(self.check_html.value)

    @property
    def timeline_draws(self) -> int:
        """How many times the timeline was drawn."""
        return self.timeline.draws

    # ------------------------------------------------------------------ updates
    def refresh_from_plan(self) -> None:
        """Read the dashboard's plan again (target and NIRCam setup) and update the panel."""
        self.update()

    def update(self) -> None:
        """Recompute the schedule, angles and coverage from the widgets; errors go to the panel."""
        started = time.perf_counter()
        try:
            plan = self._read_plan()
        except Exception as error:  # the callback belongs to the dashboard: never crash here
            self._show_error(f"could not read the plan from the main tab: {error}")
            return
        if (plan.nirspec.ra, plan.nirspec.dec) != self._target:
            self._new_target(plan)
        self._plan = plan
        try:
            imaging, start, end = self._read_dates()
            schedule = plan_schedule(
                plan.nirspec.ra,
                plan.nirspec.dec,
                imaging,
                start,
                end,
                int(self.delivery_delay.value),
                vis=self._visibility_around(plan, [imaging, start, end]),
            )
        except ValueError as error:
            self._show_error(str(error))
            return
        self._accept(plan, schedule)
        self.update_times_ms.append((time.perf_counter() - started) * 1000.0)
        del self.update_times_ms[:-200]

    def _read_plan(self) -> Plan:
        plan = self._get_plan()
        if not isinstance(plan, Plan):
            raise ValueError(f"expected a previs Plan, got {type(plan).__name__}")
        return plan

    def _read_dates(self) -> tuple[_dt.date, _dt.date, _dt.date | None]:
        for picker, what in (
            (self.imaging_date, "the NIRCam pre-imaging date"),
            (self.nirspec_start, "the NIRSpec window start"),
        ):
            if picker.value is None:
                raise ValueError(f"choose {what} (or click 'Propose dates')")
        imaging = check_date(self.imaging_date.value, "NIRCam pre-imaging date")
        start = check_date(self.nirspec_start.value, "NIRSpec window start")
        end = None
        if self.nirspec_end.value is not None:
            end = check_date(self.nirspec_end.value, "NIRSpec window end")
            if end < start:
                raise ValueError(
                    f"the NIRSpec window end {end} is before its start {start}; "
                    "choose a later end or clear it"
                )
        return imaging, start, end

    def _new_target(self, plan: Plan) -> None:
        """A new target: new proposals; dates kept unless they do not fit the new target."""
        first_time = self._target is None
        self._target = (plan.nirspec.ra, plan.nirspec.dec)
        self.target_html.value = markup.target_html(plan)
        self._search = None
        self._search_key = None
        self._show_search()
        note = self._compute_proposals(plan)
        if not self._proposals:
            self._draw_timeline_without_dates(plan)
            self._note = note
            self._render_message()
            return
        if first_time or not self._dates_fit(plan):
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
        except ValueError as error:
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
        options = [
            (markup.proposal_label(k, proposal), k) for k, proposal in enumerate(self._proposals)
        ]
        self._syncing = True
        try:
            self.proposal_choice.options = options
            self.proposal_choice.value = 0 if options else None
        finally:
            self._syncing = False
        self.proposal_choice.disabled = not options
        self.proposal_html.value = self._proposal_note(0) if options else ""

    def _proposal_note(self, k: int) -> str:
        return markup.proposal_note_html(k, self._proposals[k])

    def _dates_fit(self, plan: Plan) -> bool:
        try:
            imaging, start, end = self._read_dates()
            vis = self._visibility_around(plan, [imaging, start, end])
            schedule = plan_schedule(
                plan.nirspec.ra, plan.nirspec.dec, imaging, start, end, vis=vis
            )
        except ValueError:
            return False
        return schedule.nircam_apa_nominal is not None and schedule.nirspec_apa is not None

    def _fill_dates(self, proposal: ScheduleProposal) -> None:
        self._syncing = True
        try:
            self.imaging_date.value = proposal.imaging_date
            self.nirspec_start.value = proposal.nirspec_start
            self.nirspec_end.value = proposal.nirspec_end
            self.nircam_roll.value = 0.0
        finally:
            self._syncing = False
        if self._proposals and proposal in self._proposals:
            self.proposal_html.value = self._proposal_note(self._proposals.index(proposal))

    def set_dates(
        self, imaging_date: object, nirspec_start: object, nirspec_end: object = None
    ) -> None:
        """Set the three date pickers at once (one update), e.g. from code or a notebook.

        Dates are ``datetime.date`` or 'YYYY-MM-DD' strings; ``nirspec_end`` None
        means "until the target leaves the field of regard". A string that is
        not a date is reported in the panel like a bad picker value.
        """
        values = []
        for value, name in (
            (imaging_date, "NIRCam pre-imaging date"),
            (nirspec_start, "NIRSpec window start"),
            (nirspec_end, "NIRSpec window end"),
        ):
            if isinstance(value, str):
                try:
                    value = _dt.date.fromisoformat(value.strip())
                except ValueError:
                    self._show_error(f"{name} must be a date written YYYY-MM-DD, got {value!r}")
                    return
            values.append(value)
        self._syncing = True
        try:
            self.imaging_date.value, self.nirspec_start.value, self.nirspec_end.value = values
        finally:
            self._syncing = False
        self._note = ""
        self.update()

    def propose(self) -> None:
        """Fill the dates from the best proposal for the plan's target ("Propose dates")."""
        try:
            plan = self._read_plan()
        except Exception as error:
            self._show_error(f"could not read the plan from the main tab: {error}")
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
        self._schedule = schedule
        self._error = ""
        self._render_message()
        nominal = schedule.nircam_apa_nominal
        if nominal is not None and schedule.nircam_apa is not None:
            roll = (schedule.nircam_apa[1] - nominal) % 360.0
            self._set_roll_limit(roll)
            self._nircam_apa = (nominal + self.nircam_roll.value) % 360.0
        else:
            self._nircam_apa = None
        self.check_html.value = markup.check_html(schedule)
        self.orientation_html.value = markup.orientation_html(
            schedule, self.nircam_roll.value, self._nircam_apa
        )
        self.apply_button.disabled = self._nircam_apa is None or schedule.nirspec_apa is None
        self._update_coverage(plan, schedule)
        self._draw_timeline(plan, schedule)
        key = self._search_context(plan, schedule)
        if self._search is not None and key != self._search_key:
            self._search = None
            self._search_key = None
            self._show_search("The dates or the NIRCam setup changed: search again.")

    def _set_roll_limit(self, roll: float) -> None:
        limit = max(0.0, float(roll))
        self._syncing = True
        try:
            value = min(max(self.nircam_roll.value, -limit), limit)
            self.nircam_roll.min = -max(limit, 10.0)
            self.nircam_roll.max = max(limit, 10.0)
            self.nircam_roll.value = value
            self.nircam_roll.min = -limit
            self.nircam_roll.max = limit
        finally:
            self._syncing = False

    def _update_coverage(self, plan: Plan, schedule: SchedulePlan) -> None:
        if self._nircam_apa is None or schedule.nirspec_apa is None:
            self._worst = None
            self._worst_key = None
            self.coverage_html.value = markup.coverage_html(plan, None, None)
            self.coverage_plot.widget.layout.display = "none"
            return
        nircam = Pointing(plan.nircam.ra, plan.nircam.dec, self._nircam_apa)
        required = float(self.required_coverage.value)
        key = (
            plan.nirspec.ra,
            plan.nirspec.dec,
            nircam,
            schedule.nirspec_apa,
            plan.channel,
            plan.dither,
            plan.mosaic,
            required,
        )
        if key != self._worst_key:
            self._worst = _worst_case_coverage(
                plan.nirspec,
                nircam,
                schedule.nirspec_apa,
                plan.channel,
                plan.dither,
                plan.mosaic,
            )
            self._worst_key = key
            draw_coverage(self.coverage_plot.ax, self._worst, schedule.nirspec_apa, required)
            self.coverage_plot.draw()
        self.coverage_plot.widget.layout.display = None
        self.coverage_html.value = markup.coverage_html(plan, self._worst, self._nircam_apa)

    def _draw_timeline(self, plan: Plan, schedule: SchedulePlan) -> None:
        check = schedule.check
        end = schedule.nirspec_end or check.nirspec_start
        first, last = timeline_span([check.imaging_date, check.nirspec_start, end])
        key = (plan.nirspec.ra, plan.nirspec.dec, check.imaging_date, check.nirspec_start, end)
        key += (first, last)
        if key == self._timeline_key:
            return
        # Its own visibility over the days shown (12 ms): drawing the shared one, three
        # times longer, and cropping it would cost more in every frame rendered.
        vis = visibility(plan.nirspec.ra, plan.nirspec.dec, first, last)
        draw_timeline(self.timeline.ax, vis, check.imaging_date, check.nirspec_start, end)
        self.timeline.draw()
        self._timeline_key = key

    def _visibility_around(self, plan: Plan, dates: list[_dt.date | None]) -> Visibility | None:
        """The target's visibility covering ``dates`` with :data:`SCHEDULE_MARGIN_DAYS` each
        side: the one kept for this target when it does, else computed (with some slack).
        None when a window holding a date is cut at its edges (plan_schedule then computes
        the span it always uses, so the result does not depend on the slack)."""
        target = (plan.nirspec.ra, plan.nirspec.dec)
        days = [d for d in dates if d is not None]
        margin = _dt.timedelta(days=SCHEDULE_MARGIN_DAYS)
        first = max(min(days) - margin, FIRST_DATE)
        last = min(max(days) + margin, LAST_DATE)
        vis = self._vis
        if (
            vis is None
            or self._vis_target != target
            or not (vis.start <= first and last <= vis.end)
        ):
            slack = _dt.timedelta(days=VISIBILITY_SLACK_DAYS)
            vis = visibility(*target, max(first - slack, FIRST_DATE), min(last + slack, LAST_DATE))
            self._vis, self._vis_target = vis, target
            self.visibility_computations += 1
        for day in days:
            window = vis.window_containing(day)
            if window is not None and (window.start_clipped or window.end_clipped):
                # A window cut where the computation stops (e.g. a target visible all
                # year): its end would depend on the span; plan_schedule picks its own.
                return None
        return vis

    def _draw_timeline_without_dates(self, plan: Plan) -> None:
        try:
            today = check_date(self._today_input, "first day to search")
        except ValueError:
            return
        first, last = timeline_span([today])
        key = (plan.nirspec.ra, plan.nirspec.dec, None, None, None, first, last)
        if key == self._timeline_key:
            return
        vis = visibility(plan.nirspec.ra, plan.nirspec.dec, first, last)
        draw_timeline(self.timeline.ax, vis)
        self.timeline.draw()
        self._timeline_key = key

    # ------------------------------------------------------------------ messages
    def _show_error(self, text: str) -> None:
        self._error = text
        self._render_message()

    def _render_message(self) -> None:
        self.message_html.value = markup.message_html(
            self._error, self._note, self._schedule is not None
        )

    # ------------------------------------------------------------------ actions
    def use_orientations(self) -> None:
        """Send the NIRCam APA and NIRSpec APA range to the dashboard ("Use these orientations")."""
        schedule = self._schedule
        if schedule is None or self._nircam_apa is None or schedule.nirspec_apa is None:
            self._show_error("no orientations to use: choose dates inside visibility windows")
            return
        nirspec_range = (float(schedule.nirspec_apa[0]), float(schedule.nirspec_apa[1]))
        try:
            self._apply(float(self._nircam_apa), nirspec_range)
        except ValueError as error:
            self._show_error(f"the main tab refused the orientations: {error}")
            return
        if nirspec_range[1] - nirspec_range[0] >= 360.0:
            allowed = "every NIRSpec APA"
        else:
            allowed = (
                f"NIRSpec APA range {nirspec_range[0] % 360.0:.1f}° to "
                f"{nirspec_range[1] % 360.0:.1f}°"
            )
        self._note = f"Sent to the main tab: NIRCam APA {self._nircam_apa:.1f}°, {allowed}."
        self._render_message()

    def _search_context(self, plan: Plan, schedule: SchedulePlan) -> tuple:
        return (
            plan.nirspec.ra,
            plan.nirspec.dec,
            schedule.nirspec_apa,
            schedule.nircam_apa,
            plan.channel,
        )

    def find_configuration(self) -> None:
        """Run the configuration search for the current dates ("Find a configuration")."""
        self.update()
        schedule, plan = self._schedule, self._plan
        if self._error or schedule is None or plan is None:
            self._show_search("Fix the dates first (see the message above).")
            return
        if schedule.nirspec_apa is None or schedule.nircam_apa is None:
            self._show_search("Choose dates inside visibility windows first.")
            return
        target = float(self.required_coverage.value) / 100.0

        def progress(fraction: float, message: str) -> None:
            self.progress.value = fraction
            self.progress_label.value = markup.muted_html(message, "0.9em")

        self.search_button.disabled = True
        self.apply_config_button.disabled = True
        self.progress.bar_style = "info"
        progress(0.0, "searching...")
        started = time.perf_counter()
        try:
            result = search_configuration(
                plan.nirspec.ra,
                plan.nirspec.dec,
                schedule.nirspec_apa,
                schedule.nircam_apa,
                channel=plan.channel,
                target=target,
                progress=progress,
            )
        except ValueError as error:
            self.progress.bar_style = "danger"
            self._show_search(f"The search failed: {error}")
            return
        finally:
            self.search_button.disabled = False
        self.search_times_s.append(time.perf_counter() - started)
        self.progress.bar_style = "success" if result.best else "warning"
        self._search = result
        self._search_key = self._search_context(plan, schedule)
        self._show_search()

    def _show_search(self, note: str = "") -> None:
        result = self._search
        self.apply_config_button.disabled = True
        if result is None:
            self.tradeoff_html.value = ""
            self.best_html.value = (
                f"<div style='font-family:sans-serif;color:#555'>{html.escape(note)}</div>"
                if note
                else ""
            )
            if note:
                self.progress.value = 0.0
                self.progress.bar_style = ""
                self.progress_label.value = ""
            return
        self.tradeoff_html.value = markup.tradeoff_html(result)
        nominal = self._schedule.nircam_apa_nominal if self._schedule else None
        self.best_html.value = markup.best_configuration_html(result, nominal)
        self.apply_config_button.disabled = result.best is None or self._apply_plan is None

    def use_configuration(self) -> None:
        """Send the searched configuration to the dashboard ("Use this configuration")."""
        result = self._search
        if result is None or result.best is None:
            self._show_error("no configuration to use: run 'Find a configuration' first")
            return
        if self._apply_plan is None:
            self._show_error("this panel was built without a way to change the main tab's plan")
            return
        try:
            plan = self._read_plan()
            new_plan = result.best.to_plan(plan.nirspec, plan.channel)
            self._apply_plan(new_plan)
        except ValueError as error:
            self._show_error(f"the main tab refused the configuration: {error}")
            return
        # Show the worst case of the configuration just applied: its NIRCam APA on the slider.
        nominal = self._schedule.nircam_apa_nominal if self._schedule else None
        if nominal is not None:
            self._syncing = True
            try:
                self.nircam_roll.value = round(
                    markup.signed_angle(result.best.nircam.apa - nominal), 6
                )
            finally:
                self._syncing = False
        self._note = (
            f"Sent to the main tab: {result.best.dither}, {result.best.mosaic.label} mosaic, "
            f"NIRCam APA {result.best.nircam.apa:.1f}°."
        )
        self.update()

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
