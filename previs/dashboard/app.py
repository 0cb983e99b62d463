"""The interactive dashboard: widgets -> Plan -> evaluate -> figure and readout.

With its ``dashboard_*`` helpers, this is the widget layer of previs. It holds no
geometry: it turns widget values into a :class:`previs.planning.plan.Plan`, calls
:func:`previs.planning.plan.evaluate`, hands the :class:`~previs.planning.plan.Result` to
:class:`previs.plotting.sky.SkyView` and to the readout, and shows input errors in the
panel while keeping the last good state.

The widget layer is split in small modules that this one wires together:
:mod:`previs.dashboard.controls` (plan-entry widgets and their layout),
:mod:`previs.dashboard.panels.image` and :mod:`previs.dashboard.panels.catalog` (the image
and catalog sections and what they show, with the path box, Load and Upload
of :mod:`previs.dashboard.panels.file_source`), :mod:`previs.dashboard.panels.exports`
(save/export section, sessions), :mod:`previs.dashboard.markup` (readout and
status HTML), :mod:`previs.planning.sweep` (worst case over the allowed
NIRSpec APAs) and :mod:`previs.dashboard.text` (coordinate parsing and number
formatting). The :class:`Dashboard` keeps the plan <-> widgets mapping, the
update flow and the whole public API.

Fast slider drags: the ipywidgets front end keeps at most one change message
in flight and merges the changes made meanwhile into one buffered message with
the latest values; ipympl's front end likewise asks for a new frame only once
the previous one has arrived. So the handler here simply evaluates the plan
synchronously (a few milliseconds), moves the artists and calls ``draw_idle``:
the latest value always wins and nothing piles up, with no timer or thread.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from previs.catalog import Catalog
from previs.catalog.sources import SourceCounts, count_sources
from previs.dashboard.controls import (
    MOSAIC_SLIDER_MAX,
    OVERLAP_SLIDER_RANGE,
    PlanControls,
    make_sky_canvas,
)
from previs.dashboard.markup import other_channel, readout_html, status_html
from previs.dashboard.panels.catalog import CatalogPanel
from previs.dashboard.panels.exports import ExportPanel, read_session_files
from previs.dashboard.panels.image import ImagePanel
from previs.dashboard.text import format_degrees, format_percent, markup_to_text
from previs.errors import ConfigError
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.coordinates import parse_dec, parse_ra, split_position
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.projection import offset_position, position_offset
from previs.io.session import EMPTY_SKY, EXAMPLE, Config, ShowFlags, ViewSettings
from previs.planning.plan import Plan, Result, evaluate
from previs.planning.sweep import WorstCaseTracker
from previs.plotting.sky import SkyView

__all__ = [
    "Dashboard",
    "default_plan",
    "format_percent",
    "parse_ra",
    "parse_dec",
    "split_position",
]


def default_plan() -> Plan:
    """The plan the dashboard starts with: GOODS-S, NIRSpec APA 45 deg, FULL3, one tile."""
    return Plan.centred(dither="FULL3")


class Dashboard:
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
        Add the "Schedule" tab (:class:`previs.dashboard.panels.schedule.panel.SchedulePanel`):
        dates, visibility, the NIRCam APA on the imaging date and the NIRSpec
        APA range allowed later, whose worst-case coverage the readout then shows.

    Notes
    -----
    Display it by leaving it as the last expression of a notebook cell, or
    with ``display(dashboard.widget)``. :attr:`plan` reads and sets the whole
    state; :meth:`load_image`, :meth:`show_example` and
    :meth:`show_empty_sky` change the image from code, :meth:`load_catalog`,
    :meth:`show_example_catalog` and :meth:`clear_catalog` the catalog.
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
        self._worst_cases = WorstCaseTracker()
        self.worst_case_times_ms = self._worst_cases.times_ms
        self.schedule_panel = None
        self._result: Result | None = None
        self._syncing = False
        self._input_error = ""
        self._counts: SourceCounts | None = None
        self.update_times_ms: list[float] = []
        self.count_times_ms: list[float] = []

        self.figure = Figure(figsize=(6.8, 6.8), dpi=100)
        self.canvas = make_sky_canvas(self.figure)
        self.view = SkyView(self.figure, blit=True)
        self.image_panel = ImagePanel(self)
        self.catalog_panel = CatalogPanel(self)
        self._build_widgets(tie_apa)
        self._set_widgets_from_plan(self._plan)
        self._connect()

        if image is False:
            self.show_empty_sky()
        elif image is None:
            self.show_example()
        else:
            try:
                self.load_image(image)
            except ValueError:
                self.show_empty_sky(keep_message=True)
        if catalog is None:
            if self.image_panel.is_example:
                self.show_example_catalog(refresh=False)
        elif catalog is not False:
            try:
                self.load_catalog(catalog, refresh=False)
            except ValueError:
                pass  # shown in the panel
        if (
            plan is None
            and self.image_panel.empty_sky_centre is None
            and not self.image_panel.shows_pointing(self._plan)
        ):
            self._recentre_on_image()  # the default plan is off this image: start on its centre
        else:
            self._apply(self._plan)
        if schedule:
            self._add_schedule_tab()

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self, tie_apa: bool) -> None:
        controls = self.controls = PlanControls(tie_apa)
        self.nirspec_ra, self.nirspec_dec = controls.nirspec_ra, controls.nirspec_dec
        self.nirspec_apa, self.nircam_mode = controls.nirspec_apa, controls.nircam_mode
        self.nircam_dx, self.nircam_dy = controls.nircam_dx, controls.nircam_dy
        self.nircam_ra, self.nircam_dec = controls.nircam_ra, controls.nircam_dec
        self.offset_box, self.radec_box = controls.offset_box, controls.radec_box
        self.tie_apa, self.nircam_apa = controls.tie_apa, controls.nircam_apa
        self.dither, self.channel = controls.dither, controls.channel
        self.rows, self.columns = controls.rows, controls.columns
        self.row_overlap, self.column_overlap = controls.row_overlap, controls.column_overlap
        self.show_ifu_slits, self.show_nircam = controls.show_ifu_slits, controls.show_nircam
        self.show_uncovered = controls.show_uncovered
        self.show_primaries, self.show_fillers = controls.show_primaries, controls.show_fillers
        self.click_target = controls.click_target
        images, catalogs = self.image_panel, self.catalog_panel
        self.image_path, self.load_button, self.upload = (
            images.path_box,
            images.load_button,
            images.upload,
        )
        self.example_button, self.empty_button = images.example_button, images.empty_button
        self.image_label = images.label
        self.catalog_path, self.catalog_load_button, self.catalog_upload = (
            catalogs.path_box,
            catalogs.load_button,
            catalogs.upload,
        )
        self.catalog_example_button = catalogs.example_button
        self.catalog_clear_button = catalogs.clear_button
        self.catalog_label = catalogs.label
        self.status = widgets.HTML()
        self.status.add_class("previs-status")
        self.readout = widgets.HTML(layout=widgets.Layout(width="250px"))
        self.readout.add_class("previs-readout")
        exports = self.export_panel = ExportPanel(self)
        self.output_folder, self.output_name = exports.output_folder, exports.output_name
        self.export_buttons = exports.buttons
        self.config_path, self.config_load_button = exports.config_path, exports.config_load_button
        self.export_message, self.export_box = exports.message, exports.box
        figure_column = widgets.VBox([self.status, self.canvas, self.export_box])
        self.worst_case_button = widgets.Button(
            description="Show the worst angle",
            tooltip="Move the NIRSpec APA slider to the allowed angle with the least coverage",
            layout=widgets.Layout(width="200px", display="none"),
        )
        self.worst_case_button.add_class("previs-worst-button")
        readout_column = widgets.VBox([self.readout, self.worst_case_button])
        controls_column = controls.column(images.rows, catalogs.rows)
        self.plan_tab = widgets.HBox([controls_column, figure_column, readout_column])
        self.widget = widgets.VBox([self.plan_tab])
        self.widget.add_class("previs-dashboard")

    def _add_schedule_tab(self) -> None:
        """Put the plan and the Schedule panel in two tabs."""
        from previs.dashboard.panels.schedule.panel import SchedulePanel

        self.schedule_panel = SchedulePanel(
            get_plan=lambda: self._plan,
            apply=self.apply_orientations,
            apply_plan=self._use_plan_from_schedule,
        )
        self.tabs = widgets.Tab(children=[self.plan_tab, self.schedule_panel.widget])
        self.tabs.set_title(0, "Plan")
        self.tabs.set_title(1, "Schedule")
        self.tabs.add_class("previs-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.widget.children = [self.tabs]

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 1 and self.schedule_panel is not None:
            self.schedule_panel.refresh_from_plan()  # the target or NIRCam setup may have changed

    def _use_plan_from_schedule(self, plan: Plan) -> None:
        self.tie_apa.value = False
        self.plan = plan

    def _connect(self) -> None:
        for control in self.controls.plan_widgets:
            control.observe(self._on_control, names="value")
        for box in self.controls.show_toggles:
            box.observe(self._on_visibility, names="value")
        self.worst_case_button.on_click(lambda _: self.show_worst_angle())
        self.canvas.mpl_connect("button_press_event", self._on_click)

    # ------------------------------------------------------------------ plan <-> widgets
    @property
    def plan(self) -> Plan:
        """The plan shown (the last valid one). Setting it updates every widget and the view."""
        return self._plan

    @plan.setter
    def plan(self, plan: Plan) -> None:
        if not isinstance(plan, Plan):
            raise TypeError(
                f"Dashboard.plan must be a previs.planning.plan.Plan, got {type(plan).__name__}"
            )
        self._set_widgets_from_plan(plan)
        self._input_error = ""
        self._apply(plan)

    @property
    def result(self) -> Result | None:
        """The evaluation of :attr:`plan` (footprints and coverage)."""
        return self._result

    def _set_widgets_from_plan(self, plan: Plan, mode: str | None = None) -> None:
        """Set every plan control from ``plan``; ``mode`` picks how the NIRCam centre is
        entered (same/offset/radec; default and "same" when impossible: from the plan)."""
        self._syncing = True
        try:
            self.nirspec_ra.value = format_degrees(plan.nirspec.ra)
            self.nirspec_dec.value = format_degrees(plan.nirspec.dec)
            self.nirspec_apa.value = plan.nirspec.apa
            same_place = (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec)
            if mode not in ("offset", "radec"):
                mode = "same" if same_place else "radec"
            self.nircam_mode.value = mode
            self.nircam_ra.value = format_degrees(plan.nircam.ra)
            self.nircam_dec.value = format_degrees(plan.nircam.dec)
            if same_place:
                self.nircam_dx.value = 0.0
                self.nircam_dy.value = 0.0
            else:
                self.nircam_dx.value, self.nircam_dy.value = _offset_arcsec(plan)
            tied_apa = nircam_apa_for(plan.nirspec.apa)
            if self.tie_apa.value and not _same_angle(tied_apa, plan.nircam.apa):
                self.tie_apa.value = False
            self.nircam_apa.value = plan.nircam.apa
            self.nircam_apa.disabled = self.tie_apa.value
            self.dither.value = plan.dither
            mosaic = plan.mosaic
            for slider, value in ((self.rows, mosaic.rows), (self.columns, mosaic.columns)):
                slider.max = max(MOSAIC_SLIDER_MAX, value)
                slider.value = value
            for slider, value in (
                (self.row_overlap, mosaic.row_overlap),
                (self.column_overlap, mosaic.column_overlap),
            ):
                slider.min = min(OVERLAP_SLIDER_RANGE[0], value)
                slider.max = max(OVERLAP_SLIDER_RANGE[1], value)
                slider.value = value
            self.channel.value = plan.channel
            self.controls.show_nircam_mode(mode)
        finally:
            self._syncing = False

    def _plan_from_widgets(self) -> Plan:
        """Read every control into a Plan; ValueError names the control that is wrong."""
        nirspec = Pointing(
            parse_ra(self.nirspec_ra.value, "NIRSpec RA"),
            parse_dec(self.nirspec_dec.value, "NIRSpec Dec"),
            self.nirspec_apa.value,
        )
        mode = self.nircam_mode.value
        if mode == "same":
            ra, dec = nirspec.ra, nirspec.dec
        elif mode == "offset":
            dx, dy = self.nircam_dx.value, self.nircam_dy.value
            if not (math.isfinite(dx) and math.isfinite(dy)):
                raise ValueError("NIRCam offset must be finite numbers of arcsec")
            ra, dec = offset_position(nirspec.ra, nirspec.dec, dx, dy)
        else:
            ra = parse_ra(self.nircam_ra.value, "NIRCam RA")
            dec = parse_dec(self.nircam_dec.value, "NIRCam Dec")
        nircam_apa = nircam_apa_for(nirspec.apa) if self.tie_apa.value else self.nircam_apa.value
        mosaic = Mosaic(
            self.rows.value, self.columns.value, self.row_overlap.value, self.column_overlap.value
        )
        return Plan(
            nirspec, Pointing(ra, dec, nircam_apa), self.dither.value, mosaic, self.channel.value
        )

    # ------------------------------------------------------------------ updates
    def _on_control(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        owner = change["owner"]
        pair_fields = {self.nirspec_ra: self.nirspec_dec, self.nircam_ra: self.nircam_dec}
        if owner in pair_fields and self._fill_pasted_pair(owner, pair_fields[owner]):
            return  # the Dec field's change refreshes
        if owner is self.nircam_mode:
            self._switch_nircam_mode(change["old"], change["new"])
        if owner in (self.tie_apa, self.nirspec_apa) and self.tie_apa.value:
            self._syncing = True
            try:
                self.nircam_apa.value = nircam_apa_for(self.nirspec_apa.value)
            finally:
                self._syncing = False
        self.nircam_apa.disabled = self.tie_apa.value
        self.refresh()

    def _fill_pasted_pair(self, ra_field: widgets.Text, dec_field: widgets.Text) -> bool:
        """A whole position pasted into an RA field goes to the RA and Dec fields."""
        pair = split_position(ra_field.value)
        if pair is None:
            return False
        try:
            parse_ra(pair[0])
            parse_dec(pair[1])
        except ValueError:
            return False  # left as typed: refresh() reports what is wrong
        self._syncing = True
        try:
            ra_field.value = pair[0]
        finally:
            self._syncing = False
        if dec_field.value == pair[1]:
            self.refresh()  # no change event will come from the Dec field
        else:
            dec_field.value = pair[1]  # its change event refreshes
        return True

    def _switch_nircam_mode(self, old: str, new: str) -> None:
        """Carry the current NIRCam position into the fields of the newly chosen mode."""
        self.controls.show_nircam_mode(new)
        nircam = self._plan.nircam
        self._syncing = True
        try:
            if new == "offset":
                self.nircam_dx.value, self.nircam_dy.value = _offset_arcsec(self._plan)
            elif new == "radec":
                self.nircam_ra.value = format_degrees(nircam.ra)
                self.nircam_dec.value = format_degrees(nircam.dec)
        finally:
            self._syncing = False

    def refresh(self) -> None:
        """Rebuild the plan from the controls and redraw; an input error goes to the panel."""
        try:
            plan = self._plan_from_widgets()
        except ValueError as error:
            self._input_error = str(error)
            self._render_status()
            return
        self._apply(plan)

    def _apply(self, plan: Plan) -> None:
        start = time.perf_counter()
        try:
            result = evaluate(plan)
        except ValueError as error:
            self._input_error = str(error)
            self._render_status()
            return
        self._plan, self._result = plan, result
        self.image_panel.follow_plan(plan)
        self._sync_hidden_nircam_fields(plan)
        self.view.update(result)
        self._counts = None
        catalog = self.catalog_panel.catalog
        if catalog is not None:
            counting = time.perf_counter()
            self._counts = count_sources(catalog, result)
            self.count_times_ms.append((time.perf_counter() - counting) * 1000.0)
            del self.count_times_ms[:-200]
            self.view.set_at_risk(self._counts.at_risk)
        self._update_worst_case(plan)
        # The other channel's covered fraction only: its footprint against the MSA, no
        # NIRSpec footprint and no depth integration (evaluate() would do both).
        other_footprint = nircam_footprint(
            plan.nircam, other_channel(plan), plan.dither, plan.mosaic
        )
        other_covered = compute_coverage(plan.nirspec, other_footprint, max_depth=1).covered
        self.readout.value = readout_html(
            result, other_covered, self.worst_case, self._counts, self.catalog_panel.name
        )
        if self._input_error:
            self._input_error = ""
            self._render_status()
        self.view.refresh()
        self.update_times_ms.append((time.perf_counter() - start) * 1000.0)
        del self.update_times_ms[:-200]

    # ------------------------------------------------------------------ APA range (Schedule)
    @property
    def nirspec_apa_range(self) -> tuple[float, float] | None:
        """The allowed NIRSpec APA range (min, max degrees; min > max crosses 0), or None."""
        return self._worst_cases.apa_range

    @property
    def worst_case(self):
        """:class:`previs.planning.search.WorstCase` of the plan over :attr:`nirspec_apa_range`."""
        return self._worst_cases.worst

    def apply_orientations(
        self, nircam_apa: float, nirspec_apa_range: tuple[float, float] | None
    ) -> None:
        """Set the NIRCam APA (untied) and the allowed NIRSpec APA range, as the Schedule
        tab's "Use these orientations" button does; the readout then shows the worst case.

        ``nirspec_apa_range`` None removes the range.
        """
        if nirspec_apa_range is not None:
            nirspec_apa_range = ApaArc.from_range(nirspec_apa_range, "NIRSpec APA range").as_range()
        nircam_apa = float(nircam_apa)
        if not math.isfinite(nircam_apa):
            raise ValueError(f"NIRCam APA must be a finite angle in degrees, got {nircam_apa!r}")
        self._worst_cases.apa_range = nirspec_apa_range
        self._syncing = True
        try:
            self.tie_apa.value = False
            self.nircam_apa.disabled = False
            self.nircam_apa.value = nircam_apa % 360.0
        finally:
            self._syncing = False
        self.refresh()

    def show_worst_angle(self) -> None:
        """Move the NIRSpec APA slider to the allowed angle where coverage is smallest."""
        if self.worst_case is not None:
            self.nirspec_apa.value = self.worst_case.apa_at_min

    def _update_worst_case(self, plan: Plan) -> None:
        """Worst-case coverage over the allowed NIRSpec APAs; recomputed only when the
        range, the target or the NIRCam setup changes: not on NIRSpec APA moves while
        the NIRCam APA is untied, on each of them while it is tied (its APA follows)."""
        self.worst_case_button.layout.display = None if self.nirspec_apa_range else "none"
        self._worst_cases.update(plan)

    def _sync_hidden_nircam_fields(self, plan: Plan) -> None:
        """Keep the NIRCam position fields of the modes not in use on the current position."""
        mode = self.nircam_mode.value
        self._syncing = True
        try:
            if mode != "radec":
                self.nircam_ra.value = format_degrees(plan.nircam.ra)
                self.nircam_dec.value = format_degrees(plan.nircam.dec)
            if mode != "offset":
                self.nircam_dx.value, self.nircam_dy.value = _offset_arcsec(plan)
        finally:
            self._syncing = False

    def _render_status(self) -> None:
        self.status.value = status_html(
            self._input_error, self.image_panel.message, self.catalog_panel.message
        )

    @property
    def message(self) -> str:
        """The text currently shown in the status panel (errors and image notes), no markup."""
        return markup_to_text(self.status.value.replace("<br>", "\n"))

    def _on_visibility(self, change: dict[str, Any]) -> None:
        self.view.set_visible(
            ifu_slits=self.show_ifu_slits.value,
            nircam=self.show_nircam.value,
            uncovered=self.show_uncovered.value,
            primaries=self.show_primaries.value,
            fillers=self.show_fillers.value,
        )
        self.view.refresh()

    def _on_click(self, event) -> None:
        if event.inaxes is not self.view.ax or event.button != 1 or event.xdata is None:
            return
        toolbar = getattr(self.canvas, "toolbar", None)
        if toolbar is not None and str(getattr(toolbar, "mode", "")):
            return  # zooming or panning, not a placement click
        self.move_to_pixel(event.xdata, event.ydata, self.click_target.value)

    def move_to_pixel(self, x: float, y: float, target: str = "nircam") -> None:
        """Move the NIRCam (or NIRSpec) centre to image pixel (x, y), as a click does."""
        if target not in ("nircam", "nirspec"):
            raise ValueError(f"move_to_pixel: target must be 'nircam' or 'nirspec', got {target!r}")
        ra, dec = self.view.pixel_to_sky(x, y)
        self._syncing = True
        try:
            if target == "nirspec":
                self.nirspec_ra.value = f"{ra:.7f}"
                self.nirspec_dec.value = f"{dec:.7f}"
            elif self.nircam_mode.value == "offset":
                nirspec = self._plan.nirspec
                dx, dy = position_offset(nirspec.ra, nirspec.dec, ra, dec)
                self.nircam_dx.value = round(dx, 3)
                self.nircam_dy.value = round(dy, 3)
            else:
                self.nircam_mode.value = "radec"
                self.controls.show_nircam_mode("radec")
                self.nircam_ra.value = f"{ra:.7f}"
                self.nircam_dec.value = f"{dec:.7f}"
        finally:
            self._syncing = False
        self.refresh()

    # ------------------------------------------------------------------ images
    def load_image(self, source: str | os.PathLike | bytes, name: str | None = None) -> None:
        """Show a FITS image (path or bytes); the plan is kept.

        If the NIRSpec centre falls outside the new image, both pointings move
        to the image centre (offsets and angles kept) and the panel says so.
        The bundled example catalog goes away with the example image.

        Raises
        ------
        previs.io.images.ImageError
            When the file cannot be shown; the message is also shown in the
            panel and the previous image stays.
        """
        self.image_panel.load(source, name)

    def show_example(self) -> None:
        """Show the bundled example deep field (an empty grid if it is unavailable).

        Without a catalog, the bundled example catalog comes with it.
        """
        self.image_panel.show_example()

    def show_empty_sky(self, keep_message: bool = False) -> None:
        """Draw on an empty RA/Dec grid centred on the NIRSpec pointing."""
        self.image_panel.show_empty_sky(keep_message)

    def _recentre_on_image(self) -> None:
        """Move the NIRSpec (and a same-place NIRCam) centre to the image centre."""
        ny, nx = self.view.shape
        ra, dec = self.view.pixel_to_sky((nx - 1) / 2.0, (ny - 1) / 2.0)
        self._syncing = True
        try:
            self.nirspec_ra.value = format_degrees(ra)
            self.nirspec_dec.value = format_degrees(dec)
            if self.nircam_mode.value == "radec":
                self.nircam_mode.value = "same"
                self.controls.show_nircam_mode("same")
        finally:
            self._syncing = False
        self.refresh()

    # ------------------------------------------------------------------ catalogs
    @property
    def catalog(self) -> Catalog | None:
        """The catalog shown and counted (None without one)."""
        return self.catalog_panel.catalog

    @property
    def counts(self) -> SourceCounts | None:
        """Source counts of :attr:`catalog` for :attr:`result` (None without a catalog)."""
        return self._counts

    def load_catalog(
        self,
        source: str | os.PathLike | bytes | Catalog,
        name: str | None = None,
        refresh: bool = True,
    ) -> Catalog:
        """Show and count a source catalog: a path, a file's bytes (give ``name``) or a Catalog.

        Raises
        ------
        previs.catalog.CatalogError
            When the file cannot be read; the message (naming the file and the
            line) is also shown in the panel and the previous catalog stays.
        """
        if isinstance(source, Catalog):
            catalog = source
        else:
            catalog = self.catalog_panel.read(source, name)
        self.catalog_panel.show(catalog, source, name, example=False, refresh=refresh)
        return catalog

    def show_example_catalog(self, refresh: bool = True) -> None:
        """Show the bundled catalog of the example field (made for the example image)."""
        from previs.io.example_field import example_catalog_path

        path = example_catalog_path()
        catalog = self.catalog_panel.read(path, None)
        self.catalog_panel.show(catalog, path, None, example=True, refresh=refresh)

    def clear_catalog(self, refresh: bool = True) -> None:
        """Remove the catalog (no source overlay, no counts)."""
        self._counts = None
        self.catalog_panel.clear()
        if refresh and self._result is not None:
            self._apply(self._plan)
            self.canvas.draw_idle()

    # ------------------------------------------------------------------ sessions and exports
    @property
    def config(self) -> Config:
        """The session as a :class:`previs.io.session.Config`: plan, image, catalog, view settings.

        ``image`` is None for the bundled example field, ``"previs:empty-sky"``
        for the empty sky grid, else the image's path (None for an upload, which
        has no path: :meth:`save_config` writes uploads next to the
        configuration file and refers to them). ``catalog`` is the catalog's
        path, ``"previs:example"`` for the bundled one, None without a catalog
        or for an upload.
        """
        return Config(
            plan=self._plan,
            image=self._config_image(),
            catalog=EXAMPLE if self.catalog_panel.is_example else self.catalog_panel.file_path,
            view=ViewSettings(
                tie_orient=self.tie_apa.value,
                show=ShowFlags(
                    ifu_slits=self.show_ifu_slits.value,
                    detectors=self.show_nircam.value,
                    uncovered=self.show_uncovered.value,
                    primaries=self.show_primaries.value,
                    fillers=self.show_fillers.value,
                ),
                click_target=self.click_target.value,
                nircam_mode=self.nircam_mode.value,
            ),
        )

    def _config_image(self) -> str | None:
        images = self.image_panel
        if images.is_example:
            return None
        if images.sky_image is None and images.upload_data is None and images.path is None:
            return EMPTY_SKY
        return images.path

    def save_config(self, path: str | os.PathLike) -> Path:
        """Write the session (:attr:`config`) as JSON; returns the path written.

        An uploaded image or catalog has no path: its bytes are written next to
        the configuration file (under the uploaded name) and the configuration
        refers to that copy. Paths inside the file's folder are stored relative.
        """
        return self.export_panel.save_config(path)

    def load_config(self, path: str | os.PathLike) -> Config:
        """Restore a session saved by :meth:`save_config` (or a NOVT ``.yaml`` configuration).

        Every widget, the image, the catalog and the display settings are set
        from the file. Nothing changes when the file is invalid or its image or
        catalog cannot be read: the error (naming the file and the key) goes to
        the panel and is raised as :class:`previs.io.session.ConfigError`.
        """
        return self.export_panel.load_config(path)

    def apply_config(self, config: Config, where: str = "config") -> None:
        """Set the whole session from a :class:`~previs.io.session.Config` (all or nothing).

        Raises
        ------
        previs.io.session.ConfigError
            When the image or catalog it names cannot be read (the message names
            the key); the current state is kept.
        """
        if not isinstance(config, Config):
            raise ConfigError(f"{where}: expected a previs Config, got {type(config).__name__}")
        images = self.image_panel
        files = read_session_files(config, where, images.is_example, images.path)
        config, empty_sky, sky = files.config, files.empty_sky, files.sky
        if empty_sky and (images.sky_image is not None or images.is_example):
            self.show_empty_sky()
        if sky is not None and config.image is None:
            images.show_example_image(sky, files.image_source, recentre=False)
        elif sky is not None:
            images.show(sky, files.image_source, None, recentre=False)
        if files.catalog is None:
            self.clear_catalog(refresh=False)
        else:
            self.catalog_panel.show(
                files.catalog,
                files.catalog_file,
                None,
                example=files.catalog_is_example,
                refresh=False,
            )
        self._syncing = True
        try:
            self.image_path.value = "" if empty_sky else config.image or ""
            self.catalog_path.value = files.catalog_file or ""
            self.show_ifu_slits.value = config.view.show.ifu_slits
            self.show_nircam.value = config.view.show.detectors
            self.show_uncovered.value = config.view.show.uncovered
            self.show_primaries.value = config.view.show.primaries
            self.show_fillers.value = config.view.show.fillers
            self.click_target.value = config.view.click_target
            self.tie_apa.value = config.view.tie_orient
        finally:
            self._syncing = False
        self._on_visibility({})
        self._set_widgets_from_plan(config.plan, config.view.nircam_mode)
        self._input_error = ""
        self._apply(config.plan)
        self.canvas.draw_idle()

    def export_regions(
        self,
        path: str | os.PathLike,
        pixel: bool = False,
        include_catalog: bool | None = None,
    ) -> Path:
        """Write the plan's apertures (and the catalog) as a DS9 region file.

        Parameters
        ----------
        path : str or path-like
            Output file (``.reg``); its folder is created when missing.
        pixel : bool
            Pixel coordinates of the loaded FITS file (as DS9 shows it) instead
            of RA/Dec; needs an image (not the empty grid).
        include_catalog : bool, optional
            Add the catalog sources as points (at-risk ones tagged); default:
            when a catalog is loaded.
        """
        return self.export_panel.export_regions(path, pixel, include_catalog)

    def save_figure(self, path: str | os.PathLike, dpi: float = 300) -> Path:
        """Save the figure as PNG, PDF or SVG (by extension) at ``dpi`` (300 by default)."""
        return self.export_panel.save_figure(path, dpi)

    def save_report(self, path: str | os.PathLike) -> Path:
        """Write the coverage report (both channels, source counts) as .md, .html or .json."""
        return self.export_panel.save_report(path)

    @property
    def export_text(self) -> str:
        """The export panel's last message, no markup."""
        return self.export_panel.text

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _offset_arcsec(plan: Plan) -> tuple[float, float]:
    """NIRCam centre minus NIRSpec centre (east, north), arcsec, rounded to 1 micro-arcsec."""
    if (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec):
        return 0.0, 0.0
    dx, dy = position_offset(plan.nirspec.ra, plan.nirspec.dec, plan.nircam.ra, plan.nircam.dec)
    return round(dx, 6), round(dy, 6)


def _same_angle(a: float, b: float, tolerance: float = 1e-9) -> bool:
    difference = (a - b + 180.0) % 360.0 - 180.0
    return abs(difference) <= tolerance
