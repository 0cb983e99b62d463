"""Pre-imaging to spectroscopy schedule: the separation rule and derived dates.

Rules (JWST documentation, "NIRSpec MOS Operations - Pre-Imaging Using NIRCam"):

* the NIRSpec window must start at least 42 days after the NIRCam
  pre-imaging (absolute minimum), 60 days recommended (the ``AFTER <NIRCam
  obs> BY 60 days`` timing link);
* the final MSA program update is due 6 weeks after the pre-images are
  available, and no later than 4 weeks before the NIRSpec window opens;
* where a target has two visibility windows a year, the two observations go
  in different windows.

Derived dates
-------------
``preimages_available = imaging_date + delivery_delay_days`` (default 0: the
documentation counts from the pre-imaging; a positive delay models data
processing / archive delivery before the team can start), ``update_due =
min(preimages_available + 42 d, nirspec_start - 28 d)``, and
``planning_days = update_due - preimages_available``. With the minimum
separation and no delay the team has 14 days.

Status: ``"ok"`` for a separation of 60 days or more, ``"warning"`` for 42-59
days, ``"error"`` below 42 days, for a NIRSpec start not after the imaging or
when the pre-images arrive after the update deadline (``planning_days < 0``).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

from previs.errors import PrevisError, quote
from previs.planning.visibility import (
    FIRST_DATE,
    LAST_DATE,
    Visibility,
    Window,
    angle_range,
    check_date,
    parse_date,
    visibility,
)

MIN_SEPARATION_DAYS = 42
RECOMMENDED_SEPARATION_DAYS = 60
UPDATE_AFTER_PREIMAGES_DAYS = 42  # 6 weeks
UPDATE_BEFORE_NIRSPEC_DAYS = 28  # 4 weeks

_STATUS_RANK = {"ok": 0, "warning": 1, "error": 2}


def _check_delay(delivery_delay_days: object) -> int:
    try:
        delay = int(delivery_delay_days)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(
            f"delivery delay must be a whole number of days >= 0, got {quote(delivery_delay_days)}"
        ) from None
    if delay != delivery_delay_days or delay < 0:
        raise ValueError(
            f"delivery delay must be a whole number of days >= 0, got {quote(delivery_delay_days)}"
        )
    return delay


@dataclass(frozen=True)
class ScheduleCheck:
    """The separation rule and derived dates for one imaging date and NIRSpec start.

    Attributes
    ----------
    imaging_date, nirspec_start : datetime.date
        NIRCam pre-imaging date and first day of the NIRSpec window.
    delivery_delay_days : int
        Days between the imaging and the pre-images being available.
    separation_days : int
        ``nirspec_start - imaging_date``, days.
    preimages_available, update_due : datetime.date
        Derived dates (see the module docstring).
    planning_days : int
        ``update_due - preimages_available``, days (negative: no time at all).
    status : str
        ``"ok"``, ``"warning"`` or ``"error"``.
    messages : list of str
        Why, in the observer's words.
    """

    imaging_date: _dt.date
    nirspec_start: _dt.date
    delivery_delay_days: int
    separation_days: int
    preimages_available: _dt.date
    update_due: _dt.date
    planning_days: int
    status: str
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict (dates as 'YYYY-MM-DD')."""
        return {
            "imaging_date": self.imaging_date.isoformat(),
            "nirspec_start": self.nirspec_start.isoformat(),
            "delivery_delay_days": self.delivery_delay_days,
            "separation_days": self.separation_days,
            "preimages_available": self.preimages_available.isoformat(),
            "update_due": self.update_due.isoformat(),
            "planning_days": self.planning_days,
            "status": self.status,
            "messages": list(self.messages),
        }


def check_schedule(
    imaging_date: object, nirspec_start: object, delivery_delay_days: int = 0
) -> ScheduleCheck:
    """Check the separation rule and derive the update deadline.

    Parameters
    ----------
    imaging_date : date or 'YYYY-MM-DD'
        Date of the NIRCam pre-imaging.
    nirspec_start : date or 'YYYY-MM-DD'
        First day of the NIRSpec window.
    delivery_delay_days : int
        Days from the imaging until the pre-images are available (default 0).

    Returns
    -------
    ScheduleCheck
    """
    imaging = parse_date(imaging_date, "imaging date")
    start = parse_date(nirspec_start, "NIRSpec start date")
    delay = _check_delay(delivery_delay_days)
    separation = (start - imaging).days
    available = imaging + _dt.timedelta(days=delay)
    update_due = min(
        available + _dt.timedelta(days=UPDATE_AFTER_PREIMAGES_DAYS),
        start - _dt.timedelta(days=UPDATE_BEFORE_NIRSPEC_DAYS),
    )
    planning = (update_due - available).days
    messages = []
    if separation <= 0:
        status = "error"
        messages.append(
            f"the NIRSpec window ({start}) must start after the pre-imaging ({imaging}), "
            f"at least {MIN_SEPARATION_DAYS} days later"
        )
    elif separation < MIN_SEPARATION_DAYS:
        status = "error"
        messages.append(
            f"the NIRSpec window starts {separation} days after the pre-imaging; "
            f"at least {MIN_SEPARATION_DAYS} are required "
            f"({RECOMMENDED_SEPARATION_DAYS} recommended)"
        )
    elif separation < RECOMMENDED_SEPARATION_DAYS:
        status = "warning"
        messages.append(
            f"the NIRSpec window starts {separation} days after the pre-imaging: allowed "
            f"(>= {MIN_SEPARATION_DAYS}) but {RECOMMENDED_SEPARATION_DAYS} are recommended"
        )
    else:
        status = "ok"
        messages.append(
            f"the NIRSpec window starts {separation} days after the pre-imaging "
            f"(>= {RECOMMENDED_SEPARATION_DAYS} recommended)"
        )
    if separation > 0:
        if planning < 0:
            status = "error"
            messages.append(
                f"the pre-images are available on {available}, after the MSA update "
                f"deadline {update_due}"
            )
        else:
            messages.append(
                f"pre-images available {available}; final MSA update due {update_due}: "
                f"{planning} days to plan the spectroscopy"
            )
    return ScheduleCheck(
        imaging_date=imaging,
        nirspec_start=start,
        delivery_delay_days=delay,
        separation_days=separation,
        preimages_available=available,
        update_due=update_due,
        planning_days=planning,
        status=status,
        messages=messages,
    )


@dataclass(frozen=True)
class SchedulePlan:
    """A schedule with its visibility context.

    Attributes
    ----------
    check : ScheduleCheck
        The rule and derived dates.
    imaging_window : Window or None
        Visibility window holding the imaging date (None: not in the field of regard).
    nirspec_window : Window or None
        Visibility window holding the NIRSpec start.
    nirspec_end : datetime.date or None
        Last day of the NIRSpec window (end of its visibility window unless given).
    nircam_apa : tuple of float or None
        (min, max) NIRCam APA allowed on the imaging date, degrees.
    nircam_apa_nominal : float or None
        Nominal NIRCam APA on the imaging date, degrees.
    nirspec_apa : tuple of float or None
        (min, max) NIRSpec APA allowed from the NIRSpec start to its end, degrees.
    status, messages
        Those of ``check``, made worse (and extended) by visibility problems.
    """

    check: ScheduleCheck
    imaging_window: Window | None
    nirspec_window: Window | None
    nirspec_end: _dt.date | None
    nircam_apa: tuple[float, float] | None
    nircam_apa_nominal: float | None
    nirspec_apa: tuple[float, float] | None
    status: str
    messages: list[str]

    def to_dict(self) -> dict:
        """JSON-ready dict: the check's fields plus windows and APA ranges."""
        return {
            **self.check.to_dict(),
            "status": self.status,
            "messages": list(self.messages),
            "nirspec_end": self.nirspec_end.isoformat() if self.nirspec_end else None,
            "imaging_window": self.imaging_window.to_dict() if self.imaging_window else None,
            "nirspec_window": self.nirspec_window.to_dict() if self.nirspec_window else None,
            "nircam_apa": list(self.nircam_apa) if self.nircam_apa else None,
            "nircam_apa_nominal": self.nircam_apa_nominal,
            "nirspec_apa": list(self.nirspec_apa) if self.nirspec_apa else None,
        }


def _visibility_for(
    ra: float, dec: float, dates: list[_dt.date], vis: Visibility | None
) -> Visibility:
    if vis is not None and all(vis.start <= d <= vis.end for d in dates):
        return vis
    # One year either side, so the windows holding the dates are whole.
    first = max(min(dates) - _dt.timedelta(days=366), FIRST_DATE)
    last = min(max(dates) + _dt.timedelta(days=366), LAST_DATE)
    return visibility(ra, dec, first, last)


def plan_schedule(
    ra: float,
    dec: float,
    imaging_date: object,
    nirspec_start: object,
    nirspec_end: object | None = None,
    delivery_delay_days: int = 0,
    vis: Visibility | None = None,
) -> SchedulePlan:
    """Check a chosen imaging date and NIRSpec window against the rules and the visibility.

    Parameters
    ----------
    ra, dec : float
        Target, degrees.
    imaging_date : date or 'YYYY-MM-DD'
        NIRCam pre-imaging date.
    nirspec_start : date, 'YYYY-MM-DD' or Window
        First day of the NIRSpec window (a :class:`~previs.planning.visibility.Window`
        stands for its start and end).
    nirspec_end : date or 'YYYY-MM-DD', optional
        Last day of the NIRSpec window; default: the end of the visibility
        window holding ``nirspec_start``.
    delivery_delay_days : int
        Days from the imaging until the pre-images are available.
    vis : Visibility, optional
        Precomputed visibility covering the dates (computed if missing).

    Returns
    -------
    SchedulePlan
        Status ``"error"`` also when the imaging date or the NIRSpec start is
        outside the field of regard, or when ``nirspec_end`` is.
    """
    if isinstance(nirspec_start, Window):
        nirspec_end = nirspec_end if nirspec_end is not None else nirspec_start.end
        nirspec_start = nirspec_start.start
    imaging = check_date(imaging_date, "imaging date")
    start = check_date(nirspec_start, "NIRSpec start date")
    end = check_date(nirspec_end, "NIRSpec end date") if nirspec_end is not None else None
    if end is not None and end < start:
        raise ValueError(f"NIRSpec end date {end} is before NIRSpec start date {start}")
    check = check_schedule(imaging, start, delivery_delay_days)
    vis = _visibility_for(ra, dec, [imaging, start] + ([end] if end else []), vis)
    status, messages = check.status, list(check.messages)

    imaging_window = vis.window_containing(imaging)
    nircam_range = nircam_nominal = None
    if imaging_window is None:
        status = "error"
        messages.append(f"the target is outside the field of regard on the imaging date {imaging}")
    else:
        nircam_range = vis.apa_range(imaging, "nircam")
        nircam_nominal = float(vis.nircam_apa[vis.index(imaging), 1])

    nirspec_window = vis.window_containing(start)
    nirspec_range = None
    if nirspec_window is None:
        status = "error"
        messages.append(f"the target is outside the field of regard on the NIRSpec start {start}")
    else:
        if end is None:
            end = nirspec_window.end
        if end > nirspec_window.end:
            status = "error"
            messages.append(
                f"the NIRSpec window end {end} lies after its visibility window closes "
                f"({nirspec_window.end})"
            )
            end = nirspec_window.end
        span = slice(vis.index(start), vis.index(end) + 1)
        nirspec_range = angle_range(vis.nirspec_apa[span, 0], vis.nirspec_apa[span, 2])
    return SchedulePlan(
        check=check,
        imaging_window=imaging_window,
        nirspec_window=nirspec_window,
        nirspec_end=end,
        nircam_apa=nircam_range,
        nircam_apa_nominal=nircam_nominal,
        nirspec_apa=nirspec_range,
        status=status,
        messages=messages,
    )


@dataclass(frozen=True)
class ScheduleProposal:
    """One pair of windows that satisfies the separation rule.

    Attributes
    ----------
    imaging_window, nirspec_window : Window
        Visibility windows of the two observations (the same window only for
        targets without two windows a year).
    imaging_date : datetime.date
        Proposed pre-imaging date: the first day of the imaging window (largest
        separation and the most room to repeat a failed pre-imaging visit).
    latest_imaging_ok, latest_imaging_allowed : datetime.date or None
        Last imaging date in the window still >= 60 (>= 42) days before the
        NIRSpec start; None when no such date exists.
    nirspec_start, nirspec_end : datetime.date
        The NIRSpec window: the spectroscopy visibility window, or, inside one
        long window, from 60 days after the imaging to the window's end.
    check : ScheduleCheck
        Rule and derived dates for ``imaging_date`` and ``nirspec_start``.
    plan : SchedulePlan
        With the APA ranges (NIRCam on the imaging date, NIRSpec over the window).
    """

    imaging_window: Window
    nirspec_window: Window
    imaging_date: _dt.date
    latest_imaging_ok: _dt.date | None
    latest_imaging_allowed: _dt.date | None
    nirspec_start: _dt.date
    nirspec_end: _dt.date
    check: ScheduleCheck
    plan: SchedulePlan

    @property
    def status(self) -> str:
        """``"ok"`` or ``"warning"``."""
        return self.check.status

    def to_dict(self) -> dict:
        """JSON-ready dict."""

        def iso(day: _dt.date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "status": self.status,
            "imaging_date": iso(self.imaging_date),
            "latest_imaging_ok": iso(self.latest_imaging_ok),
            "latest_imaging_allowed": iso(self.latest_imaging_allowed),
            "nirspec_start": iso(self.nirspec_start),
            "nirspec_end": iso(self.nirspec_end),
            "nirspec_days": (self.nirspec_end - self.nirspec_start).days + 1,
            "separation_days": self.check.separation_days,
            "preimages_available": iso(self.check.preimages_available),
            "update_due": iso(self.check.update_due),
            "planning_days": self.check.planning_days,
            "imaging_window": self.imaging_window.to_dict(),
            "nirspec_window": self.nirspec_window.to_dict(),
            "nircam_apa": list(self.plan.nircam_apa) if self.plan.nircam_apa else None,
            "nircam_apa_nominal": self.plan.nircam_apa_nominal,
            "nirspec_apa": list(self.plan.nirspec_apa) if self.plan.nirspec_apa else None,
            "messages": list(self.check.messages),
        }


def windows_per_year(ra: float, dec: float, start: object) -> int:
    """Number of visibility windows in the year from ``start`` (0 if never visible).

    Counted on a circular year, so a window cut by the year's ends counts once.
    A target that is always visible has one window.
    """
    first = check_date(start, "start date")
    last = first + _dt.timedelta(days=364)
    if last > LAST_DATE:
        first, last = LAST_DATE - _dt.timedelta(days=364), LAST_DATE
    year = visibility(ra, dec, first, last)
    in_field = year.in_field_of_regard
    runs = len(year.windows)
    if runs > 1 and in_field[0] and in_field[-1]:
        runs -= 1
    return runs


def _latest_imaging(window: Window, nirspec_start: _dt.date, separation: int) -> _dt.date | None:
    latest = min(window.end, nirspec_start - _dt.timedelta(days=separation))
    return latest if latest >= window.start else None


#: The longest span :func:`propose_schedules` can search: every supported day.
MAX_SPAN_DAYS = (LAST_DATE - FIRST_DATE).days + 1


def check_span_days(span_days: object, name: str = "span_days") -> int:
    """A search span as a whole number of days from 1 to :data:`MAX_SPAN_DAYS`.

    Raises
    ------
    PrevisError
        Naming ``name`` and the valid range (checked before any date arithmetic).
    """
    if isinstance(span_days, bool) or not isinstance(span_days, (int, float, str)):
        span_days = repr(span_days)
    try:
        span = float(span_days)
    except ValueError:
        raise PrevisError(
            f"{name} must be a whole number of days, got {quote(span_days)}"
        ) from None
    if not (math.isfinite(span) and span == int(span) and 1 <= span <= MAX_SPAN_DAYS):
        raise PrevisError(
            f"{name} must be a whole number of days from 1 to {MAX_SPAN_DAYS} "
            f"({FIRST_DATE} to {LAST_DATE}), got {quote(span_days)}"
        )
    return int(span)


def propose_schedules(
    ra: float,
    dec: float,
    start: object,
    span_days: int = 730,
    delivery_delay_days: int = 0,
    vis: Visibility | None = None,
) -> list[ScheduleProposal]:
    """Pairs of windows (pre-imaging, spectroscopy) that satisfy the separation rule.

    Parameters
    ----------
    ra, dec : float
        Target, degrees.
    start : date or 'YYYY-MM-DD'
        First day considered.
    span_days : int
        Length of the period searched, days (default two years); cut at 2040-12-31.
    delivery_delay_days : int
        Days from imaging until the pre-images are available.
    vis : Visibility, optional
        Precomputed visibility over exactly the searched period.

    Returns
    -------
    list of ScheduleProposal
        Best first: status ``ok`` (>= 60 days) before ``warning`` (42-59 days);
        then the earliest NIRSpec start (the program completes soonest); then
        the most planning days; then the longest NIRSpec window.

    Notes
    -----
    Pairs use different windows when the target has two windows a year (see
    :func:`windows_per_year`). Otherwise a window long enough may hold both
    observations: imaging on its first day, NIRSpec window from 60 days later
    (the timing link) to its end. The imaging is proposed on the first day of
    its window; ``latest_imaging_ok`` says how late it could slip.
    """
    first = check_date(start, "start date")
    span = check_span_days(span_days)
    last = min(first + _dt.timedelta(days=span - 1), LAST_DATE)
    if vis is None or vis.start != first or vis.end != last:
        vis = visibility(ra, dec, first, last)
    delay = _check_delay(delivery_delay_days)
    two_a_year = windows_per_year(ra, dec, first) >= 2
    proposals = []
    for i, imaging_window in enumerate(vis.windows):
        imaging = imaging_window.start
        for nirspec_window in vis.windows[i:]:
            same = nirspec_window is imaging_window
            if same:
                if two_a_year:
                    continue
                nirspec_start = imaging + _dt.timedelta(days=RECOMMENDED_SEPARATION_DAYS)
                if nirspec_start > imaging_window.end:
                    continue
            else:
                nirspec_start = nirspec_window.start
            check = check_schedule(imaging, nirspec_start, delay)
            if check.status == "error":
                continue
            plan = plan_schedule(ra, dec, imaging, nirspec_start, nirspec_window.end, delay, vis)
            proposals.append(
                ScheduleProposal(
                    imaging_window=imaging_window,
                    nirspec_window=nirspec_window,
                    imaging_date=imaging,
                    latest_imaging_ok=_latest_imaging(
                        imaging_window, nirspec_start, RECOMMENDED_SEPARATION_DAYS
                    ),
                    latest_imaging_allowed=_latest_imaging(
                        imaging_window, nirspec_start, MIN_SEPARATION_DAYS
                    ),
                    nirspec_start=nirspec_start,
                    nirspec_end=nirspec_window.end,
                    check=check,
                    plan=plan,
                )
            )
    proposals.sort(
        key=lambda p: (
            _STATUS_RANK[p.status],
            p.nirspec_start,
            -p.check.planning_days,
            -(p.nirspec_end - p.nirspec_start).days,
        )
    )
    return proposals
