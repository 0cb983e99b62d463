"""The Schedule panel's widgets and their layout.

:class:`ScheduleControls` builds the date pickers, proposal dropdown, NIRCam
roll slider, the HTML areas the panel writes into, the two figures and the
configuration-search controls, and lays them out. It holds no state and no
callbacks: :class:`previs.dashboard.panels.schedule.panel.SchedulePanel` wires and fills them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import ipywidgets as widgets

from previs.dashboard.panels.schedule.figures import FigureView
from previs.errors import PrevisError, quote
from previs.io.session import ScheduleDates
from previs.planning.schedule import MIN_SEPARATION_DAYS, RECOMMENDED_SEPARATION_DAYS
from previs.planning.search import DEFAULT_TARGET
from previs.planning.visibility import check_date
from previs.style import UI_COLOURS

__all__ = ["ScheduleControls"]


class ScheduleControls:
    """Every widget of the Schedule panel, laid out in ``widget``.

    Parameters
    ----------
    interactive : bool or None
        Figures as ipympl canvases (True), PNG images (False) or ipympl when
        importable (None); see :class:`~previs.dashboard.panels.schedule.figures.FigureView`.
    can_apply_plan : bool
        Show the "Use this configuration" button.
    """

    def __init__(self, interactive: bool | None, can_apply_plan: bool) -> None:
        style = {"description_width": "150px"}
        wide = widgets.Layout(width="330px")

        def date_picker(description: str, tooltip: str) -> widgets.DatePicker:
            return widgets.DatePicker(
                description=description, tooltip=tooltip, style=style, layout=wide
            )

        def button(description: str, tooltip: str, width: str, **kwargs: Any) -> widgets.Button:
            return widgets.Button(
                description=description,
                tooltip=tooltip,
                layout=widgets.Layout(width=width),
                **kwargs,
            )

        def heading(text: str) -> widgets.HTML:
            return widgets.HTML(f"<b style='font-size:1.05em'>{text}</b>")

        self.target_html = widgets.HTML()
        self.target_html.add_class("previs-schedule-target")
        self.refresh_button = button(
            "Refresh from plan",
            "Read the target (NIRSpec RA/Dec) and the NIRCam setup again from the main tab",
            "150px",
            icon="refresh",
        )
        self.message_html = widgets.HTML()
        self.message_html.add_class("previs-schedule-message")

        self.imaging_date = date_picker(
            "NIRCam pre-imaging",
            "Day of the NIRCam pre-imaging (00:00 UTC). Any date from 2022-01-01 to 2040-12-31.",
        )
        self.nirspec_start = date_picker(
            "NIRSpec window start",
            "First day the NIRSpec spectroscopy may be scheduled: at least "
            f"{MIN_SEPARATION_DAYS} days after the pre-imaging, "
            f"{RECOMMENDED_SEPARATION_DAYS} recommended.",
        )
        self.nirspec_end = date_picker(
            "NIRSpec window end",
            "Optional last day of the NIRSpec window. Empty: until the target leaves "
            "JWST's field of regard.",
        )
        self.delivery_delay = widgets.BoundedIntText(
            value=0,
            min=0,
            max=120,
            description="Days until images",
            tooltip="Days between the pre-imaging and the moment your team has the reduced "
            "images (0: count from the observation date, as the JWST documentation does). "
            "The days left to design the MSA are counted from then.",
            style=style,
            layout=widgets.Layout(width="240px"),
        )
        self.delivery_note = widgets.HTML(
            f"<span style='color:{UI_COLOURS['note']};font-size:0.9em'>Days until images: from the "
            "pre-imaging to when your team has the images (0: the observation date, as JDox "
            "counts); the days to plan the MSA start then.</span>"
        )
        self.delivery_note.add_class("previs-delivery-note")
        self.propose_button = button(
            "Propose dates",
            "Let previs find pairs of visibility windows that satisfy the "
            f"{RECOMMENDED_SEPARATION_DAYS}-day rule (best first)",
            "150px",
            icon="calendar",
        )
        self.proposal_choice = widgets.Dropdown(
            options=[],
            description="Proposals",
            tooltip="Other pairs of windows, best first: pick one to fill the dates",
            style={"description_width": "80px"},
            layout=widgets.Layout(width="530px"),
        )
        self.proposal_html = widgets.HTML()
        self.nircam_roll = widgets.FloatSlider(
            value=0.0,
            min=-5.0,
            max=5.0,
            step=0.1,
            description="NIRCam roll °",
            tooltip="Turn the NIRCam pre-imaging away from its nominal angle on that date, "
            "within the roll JWST allows (about ±5°)",
            readout_format="+.1f",
            continuous_update=False,
            style={"description_width": "100px"},
            layout=widgets.Layout(width="330px"),
        )
        self.check_html = widgets.HTML()
        self.check_html.add_class("previs-schedule-check")
        self.orientation_html = widgets.HTML()
        self.orientation_html.add_class("previs-schedule-orientation")
        self.apply_button = button(
            "Use these orientations",
            "Set the main tab's NIRCam APA to the angle on the pre-imaging date and its "
            "NIRSpec APA range to the angles allowed in the NIRSpec window",
            "200px",
            button_style="primary",
            icon="check",
        )

        self.timeline = FigureView(
            (9.0, 3.6), interactive, {"left": 0.07, "right": 0.98, "bottom": 0.1, "top": 0.92}
        )
        self.timeline.widget.add_class("previs-schedule-timeline")
        self.coverage_html = widgets.HTML()
        self.coverage_html.add_class("previs-schedule-coverage")
        self.coverage_plot = FigureView(
            (5.4, 2.9), interactive, {"left": 0.13, "right": 0.97, "bottom": 0.17, "top": 0.9}
        )
        self.coverage_plot.widget.add_class("previs-schedule-coverage-plot")

        self.required_coverage = widgets.BoundedFloatText(
            value=100.0 * DEFAULT_TARGET,
            min=50.0,
            max=100.0,
            step=0.5,
            description="Required coverage %",
            tooltip="Smallest fraction of the MSA the pre-imaging must cover at every NIRSpec "
            "angle the schedulers may pick",
            style={"description_width": "140px"},
            layout=widgets.Layout(width="230px"),
        )
        self.search_button = button(
            "Find a configuration",
            "Search dithers, mosaics, pointing offsets and NIRCam angles for the fewest "
            "exposures that reach the required coverage (a few seconds)",
            "180px",
            icon="search",
        )
        self.progress = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="200px")
        )
        self.progress_label = widgets.HTML()
        self.tradeoff_html = widgets.HTML()
        self.tradeoff_html.add_class("previs-schedule-tradeoff")
        self.best_html = widgets.HTML()
        self.best_html.add_class("previs-schedule-best")
        self.apply_config_button = button(
            "Use this configuration",
            "Set the main tab's NIRCam dither, mosaic, pointing and angle to the proposed "
            "configuration",
            "200px",
            button_style="primary",
            icon="check",
            disabled=True,
        )
        if not can_apply_plan:
            self.apply_config_button.layout.display = "none"

        dates = widgets.VBox(
            [
                heading("Dates"),
                self.imaging_date,
                self.nirspec_start,
                self.nirspec_end,
                self.delivery_delay,
                self.delivery_note,
                widgets.HBox([self.propose_button]),
                self.proposal_choice,
                self.proposal_html,
            ],
            layout=widgets.Layout(width="540px"),
        )
        check = widgets.VBox(
            [
                heading("Separation check"),
                self.check_html,
                heading("Orientations"),
                self.orientation_html,
                self.nircam_roll,
                self.apply_button,
            ],
            layout=widgets.Layout(width="420px", padding="0 0 0 12px"),
        )
        coverage = widgets.HBox(
            [
                widgets.VBox([self.coverage_html], layout=widgets.Layout(width="380px")),
                self.coverage_plot.widget,
            ]
        )
        search = widgets.VBox(
            [
                widgets.HBox([self.required_coverage, self.search_button, self.progress]),
                self.progress_label,
                widgets.HBox(
                    [
                        self.tradeoff_html,
                        widgets.VBox(
                            [self.best_html, self.apply_config_button],
                            layout=widgets.Layout(padding="0 0 0 16px", width="420px"),
                        ),
                    ]
                ),
            ]
        )
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.target_html, self.refresh_button]),
                self.message_html,
                widgets.HBox([dates, check]),
                heading("Timeline"),
                self.timeline.widget,
                heading("Worst case over the allowed NIRSpec angles"),
                coverage,
                heading("Find a NIRCam configuration"),
                search,
            ]
        )
        self.widget.add_class("previs-schedule")

    # ------------------------------------------------------------------ dates
    def read_dates(self) -> tuple[_dt.date, _dt.date, _dt.date | None]:
        """The pre-imaging date and the NIRSpec window; PrevisError names a missing or bad one."""
        for picker, what in (
            (self.imaging_date, "the NIRCam pre-imaging date"),
            (self.nirspec_start, "the NIRSpec window start"),
        ):
            if picker.value is None:
                raise PrevisError(f"choose {what} (or click 'Propose dates')")
        imaging = check_date(self.imaging_date.value, "NIRCam pre-imaging date")
        start = check_date(self.nirspec_start.value, "NIRSpec window start")
        end = None
        if self.nirspec_end.value is not None:
            end = check_date(self.nirspec_end.value, "NIRSpec window end")
            if end < start:
                raise PrevisError(
                    f"the NIRSpec window end {end} is before its start {start}; "
                    "choose a later end or clear it"
                )
        return imaging, start, end

    def fill_dates(self, imaging: object, start: object, end: object) -> None:
        """Set the three pickers (and the roll back to the nominal APA)."""
        self.imaging_date.value = imaging
        self.nirspec_start.value = start
        self.nirspec_end.value = end
        self.nircam_roll.value = 0.0

    def set_roll_limit(self, roll: float) -> None:
        """Let the NIRCam roll slider move by at most ``roll`` degrees each way."""
        limit = max(0.0, float(roll))
        value = min(max(self.nircam_roll.value, -limit), limit)
        self.nircam_roll.min = -max(limit, 10.0)
        self.nircam_roll.max = max(limit, 10.0)
        self.nircam_roll.value = value
        self.nircam_roll.min = -limit
        self.nircam_roll.max = limit

    def set_dates(self, imaging: object, start: object, end: object = None) -> None:
        """Set the three pickers from dates or 'YYYY-MM-DD' strings (``end`` None: open).

        Raises
        ------
        PrevisError
            Naming the picker whose string is not a date (nothing is set then).
        """
        values = []
        for value, name in (
            (imaging, "NIRCam pre-imaging date"),
            (start, "NIRSpec window start"),
            (end, "NIRSpec window end"),
        ):
            if isinstance(value, str):
                try:
                    value = _dt.date.fromisoformat(value.strip())
                except ValueError:
                    raise PrevisError(
                        f"{name} must be a date written YYYY-MM-DD, got {quote(value)}"
                    ) from None
            values.append(value)
        self.imaging_date.value, self.nirspec_start.value, self.nirspec_end.value = values

    @property
    def date_pickers(self) -> tuple:
        """The three date pickers."""
        return (self.imaging_date, self.nirspec_start, self.nirspec_end)

    def mark_proposal(self, proposals: list) -> None:
        """Select the proposal the dates are, or none ("your own dates")."""
        try:
            dates = self.read_dates()
        except PrevisError:
            return
        match = next(
            (
                k
                for k, p in enumerate(proposals)
                if (p.imaging_date, p.nirspec_start, p.nirspec_end) == dates
            ),
            None,
        )
        self.show_proposal(match, proposals)

    def dates(self) -> ScheduleDates:
        """The dates, delivery delay and roll as a saved session keeps them."""
        return ScheduleDates(
            imaging_date=self.imaging_date.value,
            nirspec_start=self.nirspec_start.value,
            nirspec_end=self.nirspec_end.value,
            delivery_delay_days=int(self.delivery_delay.value),
            nircam_roll=float(self.nircam_roll.value),
        )

    def restore_dates(self, saved: ScheduleDates) -> None:
        """Set the dates and delivery delay of a saved session (the roll follows later)."""
        self.delivery_delay.value = min(saved.delivery_delay_days, self.delivery_delay.max)
        self.set_dates(saved.imaging_date, saved.nirspec_start, saved.nirspec_end)

    def restore_roll(self, roll: float) -> None:
        """Set the NIRCam roll within the slider's current limits."""
        self.nircam_roll.value = min(max(roll, self.nircam_roll.min), self.nircam_roll.max)

    def show_proposal(self, k: int | None, proposals: list) -> None:
        """Select proposal ``k`` in the dropdown, or none when the dates typed are the user's."""
        from previs.dashboard.panels.schedule import markup

        self.proposal_choice.value = k
        self.proposal_html.value = (
            markup.proposal_note_html(k, proposals[k])
            if k is not None
            else f"<div style='color:{UI_COLOURS['note']};font-size:0.9em'>Your own dates: "
            "pick a proposal above to use previs's.</div>"
        )

    def set_proposals(self, proposals: list) -> None:
        """Offer ``proposals`` (best first) in the dropdown, the first one chosen."""
        from previs.dashboard.panels.schedule import markup

        options = [(markup.proposal_label(k, p), k) for k, p in enumerate(proposals)]
        self.proposal_choice.options = options
        self.proposal_choice.value = 0 if options else None
        self.proposal_choice.disabled = not options
        self.proposal_html.value = markup.proposal_note_html(0, proposals[0]) if options else ""
