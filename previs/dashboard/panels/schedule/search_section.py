"""The Schedule panel's "Find a configuration" section: run the search, show its answer.

Layer: dashboard. The search itself is :func:`previs.planning.search.search_configuration`.
"""

from __future__ import annotations

import html
import time

from previs.dashboard.panels.schedule import markup
from previs.dashboard.panels.schedule.widgets import ScheduleControls
from previs.errors import PrevisError
from previs.planning.nirspec_pattern import NirspecPattern
from previs.planning.plan import Plan
from previs.planning.schedule import SchedulePlan
from previs.planning.search import SearchResult, search_configuration
from previs.style import UI_COLOURS

NOTE_COLOUR = UI_COLOURS["note"]  # 7:1 on white (WCAG AA needs 4.5:1)
WARNING_COLOUR = UI_COLOURS["warning"]

__all__ = ["ConfigurationSearch"]


class ConfigurationSearch:
    """The configuration search of one Schedule panel, and its last answer.

    Parameters
    ----------
    controls : ScheduleControls
        The panel's widgets (search button, progress bar, result areas).
    can_apply : bool
        Whether "Use this configuration" can send a plan to the dashboard.

    Attributes
    ----------
    result : SearchResult or None
        The last search (None once the dates, target or channel change).
    times_s : list of float
        Duration of each search, seconds.
    """

    def __init__(self, controls: ScheduleControls, can_apply: bool) -> None:
        self.controls = controls
        self.can_apply = can_apply
        self.result: SearchResult | None = None
        self._key: tuple | None = None
        self.times_s: list[float] = []

    @staticmethod
    def context(plan: Plan, schedule: SchedulePlan) -> tuple:
        """What a search depends on: target, allowed APA ranges and channel."""
        return (
            plan.nirspec.ra,
            plan.nirspec.dec,
            schedule.nirspec_apa,
            schedule.nircam_apa,
            plan.channel,
        )

    def forget(self, note: str = "") -> None:
        """Drop the last answer (and show ``note`` instead)."""
        self.result = self._key = None
        self.show(note)

    def follow(self, plan: Plan, schedule: SchedulePlan) -> None:
        """Drop the answer when the dates or the NIRCam setup it was for have changed."""
        if self.result is not None and self.context(plan, schedule) != self._key:
            self.forget("The dates or the NIRCam setup changed: search again.")

    def run(self, plan: Plan, schedule: SchedulePlan, nominal_apa: float | None) -> None:
        """Search for the configuration reaching the required coverage, with progress."""
        c = self.controls
        if schedule.nirspec_apa is None or schedule.nircam_apa is None:
            self.show("Choose dates inside visibility windows first.")
            return
        target = float(c.required_coverage.value) / 100.0

        def progress(fraction: float, message: str) -> None:
            c.progress.value = fraction
            c.progress_label.value = markup.muted_html(message, "0.9em")

        c.search_button.disabled = True
        c.apply_config_button.disabled = True
        c.progress.bar_style = "info"
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
                nirspec_pattern=(
                    NirspecPattern(plan.nirspec, plan.extra_nirspec) if plan.extra_nirspec else None
                ),
            )
        except PrevisError as error:
            c.progress.bar_style = "danger"
            self.show(f"The search failed: {error}")
            return
        finally:
            c.search_button.disabled = False
        self.times_s.append(time.perf_counter() - started)
        c.progress.bar_style = "success" if result.best else "warning"
        self.result, self._key = result, self.context(plan, schedule)
        self.show(nominal_apa=nominal_apa)

    def show(self, note: str = "", nominal_apa: float | None = None) -> None:
        """Show the last answer (trade-off curve and best configuration), or ``note``."""
        c = self.controls
        c.apply_config_button.disabled = True
        if self.result is None:
            c.tradeoff_html.value = ""
            c.best_html.value = (
                f"<div style='font-family:sans-serif;color:{NOTE_COLOUR}'>{html.escape(note)}</div>"
                if note
                else ""
            )
            if note:
                c.progress.value = 0.0
                c.progress.bar_style = ""
                c.progress_label.value = ""
            return
        c.tradeoff_html.value = markup.tradeoff_html(self.result)
        c.best_html.value = markup.best_configuration_html(self.result, nominal_apa)
        c.apply_config_button.disabled = self.result.best is None or not self.can_apply
