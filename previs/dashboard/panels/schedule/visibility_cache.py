"""The target's visibility, computed once and shared by the Schedule panel's checks.

Layer: dashboard (no widgets): a cache in front of :func:`previs.planning.visibility.visibility`.
"""

from __future__ import annotations

import datetime as _dt

from previs.planning.visibility import FIRST_DATE, LAST_DATE, Visibility, visibility

__all__ = ["SCHEDULE_MARGIN_DAYS", "VISIBILITY_SLACK_DAYS", "TargetVisibility"]

#: Days of visibility each side of the chosen dates, so the windows holding them are whole.
SCHEDULE_MARGIN_DAYS = 366
#: Extra days computed beyond that, so small date changes reuse the same visibility.
VISIBILITY_SLACK_DAYS = 183


class TargetVisibility:
    """One target's visibility around the dates asked for, recomputed only when needed.

    Attributes
    ----------
    computations : int
        How many times the visibility was computed.
    """

    def __init__(self) -> None:
        self._vis: Visibility | None = None
        self._target: tuple[float, float] | None = None
        self.computations = 0

    def around(self, ra: float, dec: float, dates: list[_dt.date | None]) -> Visibility | None:
        """The visibility of (ra, dec) covering ``dates`` with :data:`SCHEDULE_MARGIN_DAYS`
        each side: the one kept when it does, else computed (with some slack).

        None when a window holding a date is cut at the computation's edges (a
        target visible all year): its end would depend on the span, so
        :func:`previs.planning.schedule.plan_schedule` then computes the span it
        always uses and the result does not depend on the slack.
        """
        target = (ra, dec)
        days = [d for d in dates if d is not None]
        margin = _dt.timedelta(days=SCHEDULE_MARGIN_DAYS)
        first = max(min(days) - margin, FIRST_DATE)
        last = min(max(days) + margin, LAST_DATE)
        vis = self._vis
        if vis is None or self._target != target or not (vis.start <= first and last <= vis.end):
            slack = _dt.timedelta(days=VISIBILITY_SLACK_DAYS)
            vis = visibility(*target, max(first - slack, FIRST_DATE), min(last + slack, LAST_DATE))
            self._vis, self._target = vis, target
            self.computations += 1
        for day in days:
            window = vis.window_containing(day)
            if window is not None and (window.start_clipped or window.end_clipped):
                return None
        return vis
