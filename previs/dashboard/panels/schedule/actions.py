"""The Schedule panel's buttons that act on the main tab: "Use these orientations",
"Find a configuration" and "Use this configuration".

:class:`ScheduleActions` is mixed into
:class:`previs.dashboard.panels.schedule.panel.SchedulePanel`; it uses the panel's
state (schedule, NIRCam APA, search) and its callbacks to the dashboard.
"""

from __future__ import annotations

from previs.geometry.angles import ApaArc, signed_difference

__all__ = ["ScheduleActions"]


class ScheduleActions:
    """What the Schedule panel's action buttons do (mixed into SchedulePanel)."""

    def use_orientations(self) -> None:
        """Send the NIRCam APA and NIRSpec APA range to the dashboard ("Use these orientations")."""
        schedule = self._schedule
        if schedule is None or self._nircam_apa is None or schedule.nirspec_apa is None:
            self._show_error("no orientations to use: choose dates inside visibility windows")
            return
        nirspec_range = (float(schedule.nirspec_apa[0]), float(schedule.nirspec_apa[1]))
        try:
            self._apply(float(self._nircam_apa), nirspec_range)
        except ValueError as error:  # the dashboard's callback: PrevisError or its own
            self._show_error(f"the main tab refused the orientations: {error}")
            return
        arc = ApaArc.from_range(nirspec_range)
        allowed = (
            "every NIRSpec APA"
            if arc.is_full_circle
            else (f"NIRSpec APA range {arc.low:.1f}° to {arc.high:.1f}°")
        )
        self._note = f"Sent to the main tab: NIRCam APA {self._nircam_apa:.1f}°, {allowed}."
        self._render_message()

    def find_configuration(self) -> None:
        """Run the configuration search for the current dates ("Find a configuration")."""
        self.update()
        schedule, plan = self._schedule, self._plan
        if self._error or schedule is None or plan is None:
            self.search.show("Fix the dates first (see the message above).")
            return
        self.search.run(plan, schedule, schedule.nircam_apa_nominal)

    def use_configuration(self) -> None:
        """Send the searched configuration to the dashboard ("Use this configuration")."""
        result = self.search.result
        if result is None or result.best is None:
            self._show_error("no configuration to use: run 'Find a configuration' first")
            return
        if self._apply_plan is None:
            self._show_error("this panel was built without a way to change the main tab's plan")
            return
        plan = self._read_plan()
        if plan is None:
            return
        try:
            self._apply_plan(result.best.to_plan(plan.nirspec, plan.channel))
        except ValueError as error:  # the dashboard's callback: PrevisError or its own
            self._show_error(f"the main tab refused the configuration: {error}")
            return
        # Show the worst case of the configuration just applied: its NIRCam APA on the slider.
        nominal = self._schedule.nircam_apa_nominal if self._schedule else None
        if nominal is not None:
            with self.guard.hold():
                self.controls.nircam_roll.value = round(
                    signed_difference(result.best.nircam.apa, nominal), 6
                )
        self._note = (
            f"Sent to the main tab: {result.best.dither}, {result.best.mosaic.label} mosaic, "
            f"NIRCam APA {result.best.nircam.apa:.1f}°."
        )
        self.update()
