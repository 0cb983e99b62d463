"""The interactive dashboard: widgets -> Plan -> summarize -> figure and readout.

One state flows one way. :class:`~previs.dashboard.form.PlanForm` reads the
controls into a :class:`~previs.planning.plan.Plan` (with the allowed NIRSpec
APA range the Schedule tab sets); :func:`previs.catalog.summary.summarize`
evaluates it once into a :class:`~previs.catalog.summary.Summary` (both NIRCam
channels, the worst case, the catalog counts); the view
(:class:`previs.plotting.sky.SkyView`) and the readout
(:mod:`previs.dashboard.markup`) show that summary, and the exports write it.
An input error goes to the status line and the last good state stays.

The panels (:mod:`previs.dashboard.panels`) talk to the dashboard through
:class:`~previs.dashboard.host.PanelHost`, a small public interface: the plan,
its result and summary, :meth:`Dashboard.redraw`, :meth:`Dashboard.recentre`,
the status board and the update guard.

Fast slider drags: the ipywidgets front end keeps at most one change message
in flight and merges the changes made meanwhile into one buffered message with
the latest values; ipympl's front end likewise asks for a new frame only once
the previous one has arrived. So the handler here simply evaluates the plan
synchronously (a few milliseconds), moves the artists and blits: the latest
value always wins and nothing piles up, with no timer or thread.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from previs.catalog import Catalog, SourceCounts
from previs.catalog.image_summary import ImageSummary
from previs.catalog.summary import Summary, summarize
from previs.dashboard.canvas import make_sky_canvas
from previs.dashboard.controls import PlanControls, heading
from previs.dashboard.files import FileMethods
from previs.dashboard.form import PlanForm
from previs.dashboard.host import StatusBoard, UpdateGuard, error_markup
from previs.dashboard.msa_view import MSAView, readout
from previs.dashboard.page import PageLayout
from previs.dashboard.panels.apt import AptPanel
from previs.dashboard.panels.catalog import CatalogPanel
from previs.dashboard.panels.coverage_source import CoverageSource
from previs.dashboard.panels.display import DisplayPanel
from previs.dashboard.panels.exports import ExportPanel
from previs.dashboard.panels.image import ImagePanel
from previs.dashboard.panels.msa import MSAPanel
from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing
from previs.geometry.operability import OperabilityMap
from previs.planning.plan import Plan, Result
from previs.planning.sweep import WorstCase, WorstCaseTracker
from previs.plotting.sky import SkyView

__all__ = ["Dashboard", "default_plan", "inside_on_grid"]


def inside_on_grid(arc: ApaArc, apa: float, step: float = 0.1) -> float:
    """The angle of the slider's ``step`` grid inside ``arc`` nearest to ``apa`` (degrees),
    so that the slider shows an allowed angle (the arc's nearer end if none is on it)."""
    end = arc.nearest(apa)
    for candidate in (math.ceil(end / step) * step, math.floor(end / step) * step):
        candidate = round(candidate, 6) % 360.0
        if arc.contains(candidate):
            return candidate
    return end


def default_plan() -> Plan:
    """The plan the dashboard starts with: GOODS-S, NIRSpec APA 45 deg, FULL3, one tile
    (the NIRCam APA at the same V3PA, rounded to 1e-9 deg as the controls read it)."""
    plan = Plan.centred(dither="FULL3")
    nircam = plan.nircam
    return plan.replace(nircam=Pointing(nircam.ra, nircam.dec, round(nircam.apa, 9)))


class Dashboard(FileMethods):
    """Plan NIRCam pre-imaging of a NIRSpec MSA field interactively.

    Parameters
    ----------
    image : str, os.PathLike, bytes, None or False
        FITS image to show: a path or the file's bytes. None (default) shows
        the bundled example deep field; False starts on an empty sky grid.
    plan : Plan, optional
        Starting plan (default: :func:`default_plan`).
    tie_apa : bool
        Start with the NIRCam APA tied to the NIRSpec APA (same V3PA). Ignored
        when ``plan`` has NIRCam at another orientation.
    catalog : str, os.PathLike, bytes, Catalog, None or False
        Source catalog to show and count (a path, a file's bytes or a
        :class:`~previs.catalog.Catalog`). None (default) loads the bundled
        example catalog together with the bundled example image and nothing
        otherwise; False starts without a catalog.
    schedule : bool
        Add the "Schedule" tab (:class:`previs.dashboard.panels.schedule.SchedulePanel`):
        dates, visibility, the NIRCam APA on the imaging date and the NIRSpec
        APA range allowed later, whose worst-case coverage the readout then shows.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole dashboard (displayed when the dashboard is a cell's last value).
    controls : PlanControls
        The plan-entry widgets (``controls.nirspec_apa``, ``controls.dither``, ...).
    image_panel, catalog_panel, apt_panel, display_panel, export_panel, schedule_panel
        The panels (``schedule_panel`` is None without the Schedule tab).
    page : previs.dashboard.page.PageLayout
        The columns, the stylesheet and the page helper (figure fitting, keys).
    view : SkyView
        The figure's overlay.
    readout : ipywidgets.HTML
        The readout column.
    status : StatusBoard
        The status line above the figure.
    """

    def __init__(
        self,
        image: str | os.PathLike | bytes | None | bool = None,
        plan: Plan | None = None,
        tie_apa: bool = False,
        catalog: str | os.PathLike | bytes | Catalog | None | bool = None,
        schedule: bool = True,
    ) -> None:
        self._plan = plan if plan is not None else default_plan()
        self._summary: Summary | None = None
        self._image_summary: ImageSummary | None = None
        self._worst_cases = WorstCaseTracker()
        self.worst_case_times_ms = self._worst_cases.times_ms
        self.update_times_ms: list[float] = []
        self.guard = UpdateGuard()
        self._schedule_enabled = bool(schedule)
        self._schedule_panel = None

        self.figure = Figure(figsize=(6.8, 6.8), dpi=100)
        self.canvas = make_sky_canvas(self.figure)
        self.view = SkyView(self.figure, blit=True)
        self.msa_view = MSAView(self.view)
        status_widget = widgets.HTML()
        status_widget.add_class("previs-status")
        self.status = StatusBoard(status_widget)
        self.controls = PlanControls(tie_apa)
        self.form = PlanForm(self.controls, self.guard)
        self.apt_panel = AptPanel(self, self.form)
        self.image_panel = ImagePanel(self)
        self.catalog_panel = CatalogPanel(self)
        self.msa_panel = MSAPanel(self)
        self.coverage_source = CoverageSource(self)
        self.display_panel = DisplayPanel(self)
        self.export_panel = ExportPanel(self)
        self._build_layout()
        self.form.set_from_plan(self._plan)
        self.apt_panel.follow_overrides()
        self._connect()

        if image is False:
            self.show_empty_sky()
        elif image is None:
            self.show_example()
        else:
            try:
                self.load_image(image)
            except PrevisError:
                self.show_empty_sky(keep_message=True)
        if catalog is None:
            if self.image_panel.is_example:
                self.show_example_catalog(refresh=False)
        elif catalog is not False:
            try:
                self.load_catalog(catalog, refresh=False)
            except PrevisError:
                pass  # shown in the panel
        if (
            plan is None
            and self.image_panel.empty_sky_centre is None
            and not self.image_panel.shows_pointing(self._plan)
        ):
            self.recentre()  # the default plan is off this image: start on its centre
        else:
            self._apply(self._plan)
        self.view.fit_all()  # the first Home view holds every footprint, also off the image
        if schedule:
            self._add_schedule_tab()

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        # Widths come from the stylesheet (previs/dashboard/static/dashboard.css), not
        # from pixel widths here: the columns share whatever width the page has.
        self.readout = widgets.HTML()
        self.readout.add_class("previs-readout")
        self.worst_case_button = widgets.Button(
            description="Show the worst angle",
            tooltip="Move the NIRSpec APA slider to the allowed angle with the least coverage",
            layout=widgets.Layout(display="none"),
        )
        self.worst_case_button.add_class("previs-worst-button")
        self.page = PageLayout(
            self.controls.column(
                self.image_panel.rows + self.coverage_source.rows,
                self.catalog_panel.rows + [heading("MSA shutters"), *self.msa_panel.rows],
                self.display_panel.rows,
                self.apt_panel.rows,
            ),
            [self.status.widget, self.canvas, self.export_panel.box],
            [self.readout, self.worst_case_button],
            self.canvas,
        )
        self.plan_tab, self.widget = self.page.plan_tab, self.page.widget
        self.page.on_message(self._on_page_message)

    def fit_figure(self, column_width: float, window_height: float) -> int:
        """Resize the sky figure for a figure column ``column_width`` CSS pixels wide in a
        window ``window_height`` tall (:meth:`PageLayout.fit_figure
        <previs.dashboard.page.PageLayout.fit_figure>`); returns the side in px."""
        return self.page.fit_figure(column_width, window_height)

    def _add_schedule_tab(self) -> None:
        """Put the plan and the Schedule tab in two tabs; the Schedule panel itself is built
        when first needed (its visibility and two figures cost a page's start ~20 %)."""
        self._schedule_slot = widgets.VBox([widgets.HTML("<i>Preparing the schedule...</i>")])
        self.tabs = widgets.Tab(children=[self.plan_tab, self._schedule_slot])
        self.tabs.set_title(0, "Plan")
        self.tabs.set_title(1, "Schedule")
        self.tabs.add_class("previs-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.page.show(self.tabs)

    @property
    def schedule_panel(self):
        """The Schedule tab's :class:`~previs.dashboard.panels.schedule.SchedulePanel`
        (built on first use; None when the dashboard has no Schedule tab)."""
        if self._schedule_panel is None and self._schedule_enabled:
            from previs.dashboard.panels.schedule import SchedulePanel

            self._schedule_panel = SchedulePanel(
                get_plan=lambda: self._plan,
                apply=self.apply_orientations,
                apply_plan=self._use_plan_from_schedule,
            )
            slot = getattr(self, "_schedule_slot", None)
            if slot is not None:
                slot.children = [self._schedule_panel.widget]
        return self._schedule_panel

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 1 and self._schedule_enabled:
            built = self._schedule_panel is not None
            panel = self.schedule_panel
            if built:
                panel.refresh_from_plan()  # the target or NIRCam setup may have changed

    def _use_plan_from_schedule(self, plan: Plan) -> None:
        self.controls.tie_apa.value = False
        self.plan = plan

    def _connect(self) -> None:
        for control in self.controls.plan_widgets:
            control.observe(self._on_control, names="value")
        for box in self.controls.show_toggles:
            box.observe(self._on_visibility, names="value")
        self.worst_case_button.on_click(lambda _: self.show_worst_angle())
        self.canvas.mpl_connect("button_press_event", self._on_click)

    # ------------------------------------------------------------------ the state
    @property
    def plan(self) -> Plan:
        """The plan shown (the last valid one). Setting it updates every widget and the view."""
        return self._plan

    @plan.setter
    def plan(self, plan: Plan) -> None:
        self.set_plan(plan)

    def set_plan(self, plan: Plan, nircam_mode: str | None = None) -> None:
        """Show ``plan``: every widget follows; ``nircam_mode`` (same/offset/radec) picks
        how the NIRCam centre is entered (default: from the plan)."""
        if not isinstance(plan, Plan):
            raise TypeError(f"Dashboard.plan must be a previs Plan, got {type(plan).__name__}")
        self.form.set_from_plan(plan, nircam_mode)
        self.apt_panel.follow_overrides()
        self.status.set("input", "")
        self._apply(plan)

    @property
    def summary(self) -> Summary | None:
        """Everything shown for :attr:`plan`: result (both channels, worst case) and counts."""
        return self._summary

    @property
    def image_summary(self) -> ImageSummary | None:
        """The image's coverage of the MSA in "this image" mode (None in planned mode)."""
        return self._image_summary

    @property
    def operability(self) -> OperabilityMap:
        """The operability map in use (chosen in the
        :class:`~previs.dashboard.panels.msa.MSAPanel`)."""
        return self.msa_panel.operability

    @property
    def result(self) -> Result | None:
        """The evaluation of :attr:`plan` (footprints and coverage)."""
        return None if self._summary is None else self._summary.result

    @property
    def counts(self) -> SourceCounts | None:
        """Source counts of :attr:`catalog` for :attr:`result` (None without a catalog)."""
        return None if self._summary is None else self._summary.plan_counts

    @property
    def message(self) -> str:
        """The text currently shown in the status line (errors and notes), no markup."""
        return self.status.text

    # ------------------------------------------------------------------ updates
    def refresh(self) -> None:
        """Rebuild the plan from the controls and redraw; an input error goes to the panel."""
        try:
            plan = self.form.read_plan()
        except PrevisError as error:
            self._show_input_error(str(error))
            return
        self._apply(plan.replace(nirspec_apa_range=self._plan.nirspec_apa_range))

    def redraw(self) -> None:
        """Evaluate the current plan again (after a new image or catalog) and draw it."""
        self._apply(self._plan)
        self.canvas.draw_idle()

    def _show_input_error(self, text: str) -> None:
        self.status.set("input", error_markup(f"{text} (showing the last valid plan)"))

    def _apply(self, plan: Plan) -> None:
        start = time.perf_counter()
        try:
            catalog, operability = self.catalog_panel.catalog, self.msa_panel.operability
            summary = summarize(
                plan, catalog, worst_cases=self._worst_cases, operability=operability
            )
            image = self.coverage_source.evaluate(plan, catalog, operability)
        except PrevisError as error:
            self._show_input_error(str(error))
            return
        self._plan, self._summary, self._image_summary = plan, summary, image
        self.image_panel.follow_plan(plan)
        self.form.sync_hidden_fields(plan)
        uncovered = None if image is None else image.coverage.uncovered_sky_polygons()
        self.view.update(summary.result, uncovered)
        self.msa_view.show(summary, image)
        self.worst_case_button.layout.display = None if plan.nirspec_apa_range else "none"
        self.readout.value = readout(summary, image, self.catalog_panel.name)
        self.status.set("input", "")
        self.view.refresh()
        self.update_times_ms.append((time.perf_counter() - start) * 1000.0)
        del self.update_times_ms[:-200]

    def _on_control(self, change: dict[str, Any]) -> None:
        if self.guard.active:
            return
        if self.form.on_change(change, self._plan):
            self.refresh()

    def _on_visibility(self, change: dict[str, Any]) -> None:
        self.view.set_visible(**self.controls.shown())
        if self._summary is not None:  # the target states follow the kinds shown
            self.msa_view.show(self._summary, self._image_summary)
        self.view.refresh()

    def _on_click(self, event) -> None:
        if event.inaxes is not self.view.ax or event.button != 1 or event.xdata is None:
            return
        toolbar = getattr(self.canvas, "toolbar", None)
        if toolbar is not None and str(getattr(toolbar, "mode", "")):
            return  # zooming or panning, not a placement click
        self.move_to_pixel(event.xdata, event.ydata, self.controls.click_target.value)

    def move_to_pixel(self, x: float, y: float, target: str = "nircam") -> None:
        """Move the NIRCam (or NIRSpec) centre to image pixel (x, y), as a click does."""
        if target not in ("nircam", "nirspec"):
            raise PrevisError(
                f"move_to_pixel: target must be 'nircam' or 'nirspec', got {quote(target)}"
            )
        ra, dec = self.view.pixel_to_sky(x, y)
        self.form.place(ra, dec, target, self._plan)
        self.refresh()

    def recentre(self) -> None:
        """Move the NIRSpec (and a same-place NIRCam) centre to the image centre."""
        ny, nx = self.view.shape
        self.form.centre_nirspec(*self.view.pixel_to_sky((nx - 1) / 2.0, (ny - 1) / 2.0))
        self.refresh()

    # ------------------------------------------------------------------ APA range (Schedule)
    @property
    def nirspec_apa_range(self) -> tuple[float, float] | None:
        """The allowed NIRSpec APA range (min, max degrees; min > max crosses 0), or None."""
        arc = self._plan.nirspec_apa_range
        return None if arc is None else arc.as_range()

    @property
    def worst_case(self) -> WorstCase | None:
        """Coverage of the plan over :attr:`nirspec_apa_range` (None without a range)."""
        return None if self.result is None else self.result.worst_case

    def apply_orientations(
        self, nircam_apa: float, nirspec_apa_range: tuple[float, float] | None
    ) -> None:
        """Set the NIRCam APA (untied) and the allowed NIRSpec APA range, as the Schedule
        tab's "Use these orientations" button does; the readout then shows the worst case.
        A NIRSpec APA outside the range moves to the nearest allowed angle.

        ``nirspec_apa_range`` None removes the range.
        """
        arc = None
        if nirspec_apa_range is not None:
            arc = ApaArc.from_range(nirspec_apa_range, "NIRSpec APA range")
        nircam_apa = float(nircam_apa)
        if not math.isfinite(nircam_apa):
            raise PrevisError(
                f"NIRCam APA must be a finite angle in degrees, got {quote(nircam_apa)}"
            )
        self._plan = self._plan.replace(nirspec_apa_range=arc)
        self.form.untie_nircam_apa(nircam_apa)
        if arc is not None and not arc.contains(self.controls.nirspec_apa.value):
            # The slider outside the allowed arc would show an angle the schedulers cannot
            # pick: move it to the nearest allowed angle (the readout says so).
            with self.guard.hold():
                apa = self.controls.nirspec_apa.value
                self.controls.nirspec_apa.value = inside_on_grid(arc, apa)
        self.refresh()

    def show_worst_angle(self) -> None:
        """Move the NIRSpec APA slider to the allowed angle where coverage is smallest (the
        image's coverage in "this image" mode)."""
        image = self._image_summary
        worst = self.worst_case if image is None else image.worst_case
        if worst is not None:
            self.controls.nirspec_apa.value = worst.apa_at_min

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
