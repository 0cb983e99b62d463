"""The Schedule panel's two figures: the visibility timeline and coverage versus NIRSpec APA.

:class:`FigureView` shows a matplotlib Figure as an ipympl canvas or, without
ipympl, as a PNG in an ``ipywidgets.Image``. The ``draw_*`` functions fill an
Axes with :mod:`previs.plotting.schedule` plus what the panel adds (the NIRSpec
window band, the required-coverage line, margins and titles).
:class:`ScheduleFigures` redraws them only when what they show has changed.
"""

from __future__ import annotations

import datetime as _dt
import io

import ipywidgets as widgets
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from previs.dashboard.canvas import make_canvas
from previs.dashboard.panels.schedule.markup import ERROR_COLOR
from previs.geometry.attitude import Pointing
from previs.planning.plan import Plan
from previs.planning.schedule import SchedulePlan
from previs.planning.sweep import WorstCase, plan_worst_case, plan_worst_case_key
from previs.planning.visibility import FIRST_DATE, LAST_DATE, Visibility, visibility
from previs.plotting.schedule import NIRSPEC_COLOR, plot_coverage_vs_apa, plot_timeline

__all__ = [
    "FigureView",
    "ScheduleFigures",
    "TIMELINE_AFTER_DAYS",
    "TIMELINE_BEFORE_DAYS",
    "TIMELINE_MIN_DAYS",
    "draw_coverage",
    "draw_timeline",
    "timeline_span",
]

TIMELINE_BEFORE_DAYS = 60
TIMELINE_AFTER_DAYS = 90
TIMELINE_MIN_DAYS = 365


class FigureView:
    """A matplotlib Figure shown as an ipympl canvas, or as a PNG image widget.

    Parameters
    ----------
    figsize : tuple of float
        Figure size in inches (at 100 dpi).
    interactive : bool or None
        True: ipympl canvas (ImportError without ipympl); False: PNG image;
        None: ipympl when it can be imported.
    margins : dict
        Fixed ``subplots_adjust`` margins (tight_layout would render the
        figure once more at every redraw).
    """

    def __init__(
        self,
        figsize: tuple[float, float],
        interactive: bool | None,
        margins: dict[str, float],
    ) -> None:
        self.figure = Figure(figsize=figsize, dpi=100)
        self.figure.subplots_adjust(**margins)
        self.ax = self.figure.add_subplot()
        self.interactive = False
        if interactive is None or interactive:
            try:
                self.widget: widgets.DOMWidget = make_canvas(self.figure)
            except ImportError:
                if interactive:
                    raise
            else:
                self.interactive = True
        if not self.interactive:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(self.figure)
            self.widget = widgets.Image(format="png")
        self.draws = 0

    def draw(self) -> None:
        """Send the figure to the browser (counted in ``draws``)."""
        self.draws += 1
        if self.interactive:
            self.widget.draw_idle()
        else:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png")
            self.widget.value = buffer.getvalue()


def timeline_span(dates: list[_dt.date]) -> tuple[_dt.date, _dt.date]:
    """First and last day of a timeline showing ``dates`` with margins, at least
    :data:`TIMELINE_MIN_DAYS` long, inside the supported date range."""
    first = max(min(dates) - _dt.timedelta(days=TIMELINE_BEFORE_DAYS), FIRST_DATE)
    last = min(max(dates) + _dt.timedelta(days=TIMELINE_AFTER_DAYS), LAST_DATE)
    if (last - first).days + 1 < TIMELINE_MIN_DAYS:
        last = min(first + _dt.timedelta(days=TIMELINE_MIN_DAYS - 1), LAST_DATE)
        first = max(min(first, last - _dt.timedelta(days=TIMELINE_MIN_DAYS - 1)), FIRST_DATE)
    return first, last


def draw_timeline(
    ax: Axes,
    vis: Visibility,
    imaging_date: _dt.date | None = None,
    nirspec_start: _dt.date | None = None,
    nirspec_end: _dt.date | None = None,
) -> None:
    """Clear ``ax`` and draw the visibility timeline; with dates, mark the pre-imaging
    and shade the NIRSpec window, else say when the target is never visible."""
    ax.clear()
    if imaging_date is None or nirspec_start is None:
        plot_timeline(vis, ax=ax)
        if not vis.windows:
            ax.text(
                0.5,
                0.5,
                "not in JWST's field of regard in this period",
                transform=ax.transAxes,
                ha="center",
                color=ERROR_COLOR,
            )
        return
    plot_timeline(vis, imaging_date, nirspec_start, ax=ax)
    ax.axvspan(
        mdates.date2num(nirspec_start) - 0.5,
        mdates.date2num(nirspec_end or nirspec_start) + 0.5,
        color=NIRSPEC_COLOR,
        alpha=0.12,
        lw=0,
        zorder=0.5,
        label="NIRSpec window",
    )
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)


def draw_coverage(
    ax: Axes, worst: WorstCase, allowed_range: tuple[float, float], required_percent: float
) -> None:
    """Clear ``ax`` and draw coverage versus NIRSpec APA over ``allowed_range`` (degrees)
    with the required coverage (percent) as a line."""
    ax.clear()
    plot_coverage_vs_apa(worst, allowed_range=allowed_range, ax=ax)
    ax.axhline(
        required_percent,
        color="tab:green",
        ls=":",
        lw=1.2,
        label=f"required {required_percent:g} %",
    )
    left, right = ax.get_xlim()
    margin = max(2.0, 0.08 * (right - left))
    ax.set_xlim(left - margin, right + margin)
    ax.set_ylim(max(0.0, min(100.0 * worst.min, required_percent) - 6.0), 100.5)
    ax.legend(loc="best", fontsize="x-small", framealpha=0.9)
    ax.set_title("MSA covered at each NIRSpec APA the schedulers may pick", fontsize=9)


class ScheduleFigures:
    """The panel's timeline and coverage figures, redrawn only when their input changes.

    Parameters
    ----------
    controls : ScheduleControls
        The panel's widgets (``timeline``, ``coverage_plot``, ``coverage_html``,
        ``required_coverage``).
    """

    def __init__(self, controls) -> None:
        self.controls = controls
        self._coverage_key: tuple | None = None
        self._timeline_key: tuple | None = None
        self._worst: WorstCase | None = None

    def show_coverage(
        self, plan: Plan, schedule: SchedulePlan, nircam_apa: float | None
    ) -> WorstCase | None:
        """Coverage over the schedule's NIRSpec APA range with NIRCam at ``nircam_apa``
        (None when either is unknown), shown as a plot and a summary."""
        from previs.dashboard.panels.schedule import markup

        c = self.controls
        if nircam_apa is None or schedule.nirspec_apa is None:
            self._worst = self._coverage_key = None
            c.coverage_html.value = markup.coverage_html(plan, None, None)
            c.coverage_plot.widget.layout.display = "none"
            return None
        # The plan as the schedule would have it: its NIRCam APA and NIRSpec APA range.
        scheduled = plan.replace(
            nircam=Pointing(plan.nircam.ra, plan.nircam.dec, nircam_apa),
            nirspec_apa_range=schedule.nirspec_apa,
        )
        required = float(c.required_coverage.value)
        key = (plan_worst_case_key(scheduled, None), required)
        if key != self._coverage_key:
            self._worst = plan_worst_case(scheduled)
            self._coverage_key = key
            draw_coverage(c.coverage_plot.ax, self._worst, schedule.nirspec_apa, required)
            c.coverage_plot.draw()
        c.coverage_plot.widget.layout.display = None
        c.coverage_html.value = markup.coverage_html(plan, self._worst, nircam_apa)
        return self._worst

    def show_timeline(self, plan: Plan, days: list[_dt.date], dates_chosen: bool = True) -> None:
        """The timeline around ``days`` (imaging date, NIRSpec start and end; or today).

        It computes its own visibility over the days shown (12 ms): drawing the
        panel's shared one, three times longer, and cropping it would cost more
        in every frame rendered.
        """
        first, last = timeline_span(days)
        key = (plan.nirspec.ra, plan.nirspec.dec, dates_chosen, *days, first, last)
        if key == self._timeline_key:
            return
        vis = visibility(plan.nirspec.ra, plan.nirspec.dec, first, last)
        timeline = self.controls.timeline
        draw_timeline(timeline.ax, vis, *(days if dates_chosen else ()))
        timeline.draw()
        self._timeline_key = key
