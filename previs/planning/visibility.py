"""JWST field of regard, nominal V3PA and APA ranges by date, computed offline.

For a fixed target (RA, Dec) and every day at 00:00 UTC of a date range this
module gives the solar elongation, whether the target is in the field of
regard, the nominal V3 position angle, the roll allowed about the boresight
and the resulting NIRSpec (NRS_FULL_MSA) and NIRCam (NRCALL_FULL) aperture
position angle ranges, and groups the in-field days into visibility windows.

Model
-----
* Sun direction: the geocentric Sun, minus the heliocentric position of the
  Earth from ERFA's ``epv00`` (the analytic model astropy's built-in
  solar-system ephemeris uses), in ICRS axes. No network, no IERS table: only
  TDB (taken as UTC + 69.184 s, good to a second) enters. Light time and
  aberration (about 20") are left out.
* Solar elongation: angle between the target and the Sun. The target is in
  the field of regard when ``84.8 <= elongation <= 135.0`` degrees.
* Nominal V3PA: position angle (east of north) of the Sun seen at the target,
  plus 180 degrees, so the -V3 axis points towards the Sun.
* Allowed roll about the boresight (the rule of the JWST General Target
  Visibility Tool, written out here). The vehicle pitch is
  ``p = 90 - elongation`` (positive when the target is close to the Sun-side
  limit). The Sun-roll limit depends on the Sun pitch ``s``:
  ``R(s) = 5.2`` deg for ``s <= 2.5`` and ``5.2 - 1.7 (s - 2.5) / 2.7`` above,
  less a 0.1 deg pad. Rolling the vehicle changes the Sun pitch,
  ``sin s = sin p / cos R``, so ``R`` is found by fixed-point iteration, and
  the boresight (vehicle) roll is ``asin(sin R / cos p)``. With this sign the
  reduction only acts for elongations below 87.5 deg: the boresight roll is
  3.4 deg at the 84.8 deg limit, 5.1 deg at 87.5-90 deg and grows as
  ``1 / cos p`` beyond (5.2 deg at 100, 7.2 deg at the 135 deg limit), as
  in jwst_gtvt. The brief's alternative
  ``pitch = elongation - 90`` puts the reduction on the wrong side of the
  field of regard and would make the linear limit negative beyond ~98 deg,
  so it is not used.
* APA of an aperture = V3PA + V3IdlYAngle (from :mod:`previs.geometry.siaf`); the
  range on a date is nominal +- the allowed roll.

Angle ranges
------------
All angles are wrapped to [0, 360). A range ``(min, max)`` is the arc from
``min`` going through increasing angles to ``max``; when it crosses 0,
``min > max`` (e.g. ``(358.2, 3.1)``). A window whose APAs sweep the full
circle (a target in the continuous viewing zone over a year) has the range
``(0.0, 360.0)``.

Accuracy against the Horizons-based tool (jwst_gtvt)
----------------------------------------------------
jwst_gtvt takes the Sun direction seen from JWST itself (Horizons ephemeris
of the observatory around L2). Moving the observer 1.5e6 km straight
anti-sunward from the Earth does not change the Sun's direction at all (the
displacement is along the Sun line); what moves the Sun is the sideways
excursion of the halo orbit about L2 (up to ~8e5 km), that is at most
atan(8e5 / 1.5e8) = 0.3 deg. So elongations and V3PAs differ by < 0.5 deg,
and window edges by about a day for targets near the ecliptic (elongation
changes ~1 deg/day there; more days near the ecliptic poles, where it is
slow). ``benchmarks/bench_visibility.py`` measures both effects: for three
targets over 2026-2027 the anti-sunward move changes nothing, and an 8e5 km
sideways move changes the elongation by <= 0.31 deg, the in-field V3PA by
<= 0.44 deg and window edges by <= 1 day.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import erfa
import numpy as np

from previs.errors import PrevisError, quote
from previs.geometry.angles import arc_holding, wrap_degrees
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture

MIN_ELONGATION = 84.8
MAX_ELONGATION = 135.0
SUN_ROLL_LIMIT = 5.2
SUN_ROLL_PAD = 0.1
SUN_PITCH_REDUCTION_START = 2.5
SUN_ROLL_REDUCTION = 1.7  # degrees lost between pitch 2.5 and 5.2
SUN_PITCH_REDUCTION_SPAN = 5.2 - 2.5

FIRST_DATE = _dt.date(2022, 1, 1)
LAST_DATE = _dt.date(2040, 12, 31)

_MJD_ZERO = 2400000.5
_UNIX_EPOCH_MJD = 40587.0
# TT - UTC since 2017; TDB - TT < 2 ms. astropy's Time gives the same to 2 ms,
# but takes 0.1 s for 2022-2040 and warns of "dubious years" for future UTC.
_TDB_MINUS_UTC_DAYS = 69.184 / 86400.0


def parse_date(value: object, name: str = "date") -> _dt.date:
    """A ``datetime.date`` from a date, datetime, numpy datetime64 or 'YYYY-MM-DD' string.

    Raises
    ------
    PrevisError
        Naming ``name`` and the expected form.
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, np.datetime64):
        return _dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PrevisError(f"{name} must be a date written YYYY-MM-DD, got {quote(value)}")


def check_date(value: object, name: str = "date") -> _dt.date:
    """Parse ``value`` as a date and check it lies within 2022-01-01..2040-12-31.

    Raises
    ------
    ValueError
        Naming ``name``, the value and the valid range.
    """
    date = parse_date(value, name)
    if not FIRST_DATE <= date <= LAST_DATE:
        raise PrevisError(
            f"{name} {date.isoformat()} is outside the supported range "
            f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"
        )
    return date


def _check_target(ra: float, dec: float) -> tuple[float, float]:
    values = []
    for name, value in (("RA", ra), ("Dec", dec)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise PrevisError(f"{name} must be a number in degrees, got {quote(value)}") from None
        if not math.isfinite(number):
            raise PrevisError(f"{name} must be a finite number in degrees, got {quote(value)}")
        values.append(number)
    ra_deg, dec_deg = values
    if not -90.0 <= dec_deg <= 90.0:
        raise PrevisError(f"Dec must lie between -90 and +90 degrees, got {dec_deg:g}")
    return wrap_degrees(ra_deg), dec_deg


def _mjd(dates: np.ndarray) -> np.ndarray:
    """UTC MJD at 00:00 of ``datetime64[D]`` dates."""
    return dates.astype("datetime64[D]").astype(np.int64).astype(float) + _UNIX_EPOCH_MJD


def sun_direction(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geocentric RA, Dec (degrees) of the Sun at 00:00 UTC of each ``datetime64[D]`` date.

    From ERFA's Earth ephemeris (``epv00``): the Sun is minus the Earth's
    heliocentric position, ICRS axes, geometric (no light time, no aberration).
    """
    mjd = np.atleast_1d(_mjd(np.asarray(dates, dtype="datetime64[D]")))
    heliocentric, _ = erfa.epv00(_MJD_ZERO, mjd + _TDB_MINUS_UTC_DAYS)
    sun = -heliocentric["p"]
    ra = wrap_degrees(np.rad2deg(np.arctan2(sun[:, 1], sun[:, 0])))
    dec = np.rad2deg(np.arctan2(sun[:, 2], np.hypot(sun[:, 0], sun[:, 1])))
    return ra, dec


def _elongation_and_position_angle(
    ra_deg: float, dec_deg: float, sun_ra_deg: np.ndarray, sun_dec_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sun-target angle and position angle of the Sun seen at the target, degrees."""
    from astropy.coordinates import angular_separation, position_angle

    ra, dec = np.deg2rad(ra_deg), np.deg2rad(dec_deg)
    sun_ra, sun_dec = np.deg2rad(sun_ra_deg), np.deg2rad(sun_dec_deg)
    elongation = np.rad2deg(angular_separation(ra, dec, sun_ra, sun_dec))
    angle = np.rad2deg(np.asarray(position_angle(ra, dec, sun_ra, sun_dec), dtype=float))
    return np.asarray(elongation, dtype=float), wrap_degrees(angle)


def sun_roll_limit(sun_pitch_deg: np.ndarray) -> np.ndarray:
    """Largest Sun roll (deg) at Sun pitch ``sun_pitch_deg``, after the 0.1 deg pad.

    5.2 deg up to a pitch of 2.5 deg, then falling linearly by 1.7 deg per
    2.7 deg of pitch (3.5 deg at 5.2 deg), never below zero.
    """
    pitch = np.asarray(sun_pitch_deg, dtype=float)
    excess = np.clip(pitch - SUN_PITCH_REDUCTION_START, 0.0, None)
    limit = SUN_ROLL_LIMIT - SUN_ROLL_REDUCTION * excess / SUN_PITCH_REDUCTION_SPAN
    return np.clip(limit - SUN_ROLL_PAD, 0.0, None)


def allowed_roll(elongation_deg: np.ndarray) -> np.ndarray:
    """Roll allowed about the boresight (deg) at solar elongation ``elongation_deg``.

    See the module docstring: vehicle pitch ``90 - elongation``, Sun-roll limit
    from :func:`sun_roll_limit` at the Sun pitch the rolled vehicle has
    (fixed-point iteration), converted to a rotation about the boresight.
    """
    vehicle_pitch = np.deg2rad(90.0 - np.asarray(elongation_deg, dtype=float))
    sin_pitch = np.sin(vehicle_pitch)
    roll = np.full(np.shape(vehicle_pitch), np.deg2rad(SUN_ROLL_LIMIT))
    for _ in range(50):
        sun_pitch = np.arcsin(np.clip(sin_pitch / np.cos(roll), -1.0, 1.0))
        new_roll = np.deg2rad(sun_roll_limit(np.rad2deg(sun_pitch)))
        converged = np.max(np.abs(new_roll - roll), initial=0.0) < 1e-9
        roll = new_roll
        if converged:
            break
    boresight = np.arcsin(np.clip(np.sin(roll) / np.cos(vehicle_pitch), -1.0, 1.0))
    return np.rad2deg(boresight)


def angle_range(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    """The smallest arc (min, max), degrees, holding every arc ``[low_i, high_i]`` of a series.

    See :func:`previs.geometry.angles.arc_holding`; the full circle is ``(0.0, 360.0)``.
    """
    return arc_holding(low, high).as_range()


@dataclass(frozen=True)
class Window:
    """A maximal run of consecutive in-field days.

    Attributes
    ----------
    start, end : datetime.date
        First and last in-field day (both included).
    days : int
        Number of days, ``end - start + 1``.
    nirspec_apa, nircam_apa, v3pa : tuple of float
        (min, max) arcs, degrees, holding every allowed angle in the window
        (see the module docstring for wrap-around).
    start_clipped, end_clipped : bool
        True when the window touches the start (end) of the computed date
        range, so it may really open earlier (close later).
    """

    start: _dt.date
    end: _dt.date
    days: int
    nirspec_apa: tuple[float, float]
    nircam_apa: tuple[float, float]
    v3pa: tuple[float, float]
    start_clipped: bool = False
    end_clipped: bool = False

    def contains(self, date: object) -> bool:
        """Whether ``date`` lies in the window."""
        day = parse_date(date, "date")
        return self.start <= day <= self.end

    def to_dict(self) -> dict:
        """JSON-ready dict (dates as 'YYYY-MM-DD')."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "nirspec_apa": list(self.nirspec_apa),
            "nircam_apa": list(self.nircam_apa),
            "v3pa": list(self.v3pa),
            "start_clipped": self.start_clipped,
            "end_clipped": self.end_clipped,
        }


@dataclass(frozen=True, eq=False)
class Visibility:
    """Daily visibility of a fixed target.

    Attributes
    ----------
    ra, dec : float
        Target, degrees.
    dates : numpy.ndarray
        ``datetime64[D]`` days (00:00 UTC), both ends of the range included.
    elongation : numpy.ndarray
        Solar elongation, degrees.
    in_field_of_regard : numpy.ndarray
        Boolean, ``84.8 <= elongation <= 135``.
    v3pa : numpy.ndarray
        Nominal V3PA, degrees in [0, 360) (defined on every day).
    roll : numpy.ndarray
        Allowed roll about the boresight, degrees (defined on every day).
    nirspec_apa, nircam_apa : numpy.ndarray
        Shape (n_days, 3): min, nominal, max APA of NRS_FULL_MSA and
        NRCALL_FULL, degrees in [0, 360) (min > max when the arc crosses 0).
    windows : list of Window
        Visibility windows, in time order.
    """

    ra: float
    dec: float
    dates: np.ndarray
    elongation: np.ndarray
    in_field_of_regard: np.ndarray
    v3pa: np.ndarray
    roll: np.ndarray
    nirspec_apa: np.ndarray
    nircam_apa: np.ndarray
    windows: list[Window] = field(default_factory=list)

    @property
    def start(self) -> _dt.date:
        """First day of the range."""
        return parse_date(self.dates[0], "date")

    @property
    def end(self) -> _dt.date:
        """Last day of the range."""
        return parse_date(self.dates[-1], "date")

    def index(self, date: object) -> int:
        """Index of ``date`` in :attr:`dates`; ValueError if outside the range."""
        day = parse_date(date, "date")
        i = (np.datetime64(day, "D") - self.dates[0]).astype(int)
        if not 0 <= i < len(self.dates):
            raise PrevisError(
                f"date {day.isoformat()} is outside the computed range "
                f"{self.start.isoformat()} to {self.end.isoformat()}"
            )
        return int(i)

    def window_containing(self, date: object) -> Window | None:
        """The window holding ``date``, or None if the target is not in the field that day."""
        day = parse_date(date, "date")
        for window in self.windows:
            if window.start <= day <= window.end:
                return window
        return None

    def apa_range(self, date: object, instrument: str = "nirspec") -> tuple[float, float]:
        """(min, max) APA (deg) of ``instrument`` ("nirspec" or "nircam") on ``date``.

        Raises ValueError if the target is outside the field of regard that day.
        """
        i = self.index(date)
        if not self.in_field_of_regard[i]:
            raise PrevisError(
                f"the target is outside the field of regard on {self.start + _dt.timedelta(i)} "
                f"(solar elongation {self.elongation[i]:.1f} deg, valid "
                f"{MIN_ELONGATION}-{MAX_ELONGATION})"
            )
        table = self._apa_table(instrument)
        return float(table[i, 0]), float(table[i, 2])

    def _apa_table(self, instrument: str) -> np.ndarray:
        key = str(instrument).strip().lower()
        if key == "nirspec":
            return self.nirspec_apa
        if key == "nircam":
            return self.nircam_apa
        raise PrevisError(f"instrument must be 'nirspec' or 'nircam', got {quote(instrument)}")

    def to_dict(self) -> dict:
        """The CLI's JSON shape.

        ``{"target": {"ra", "dec"}, "days": [...], "windows": [...]}``; each day
        has date, in_field_of_regard, elongation, v3pa, roll and the
        ``[min, nominal, max]`` NIRSpec and NIRCam APAs. Every day carries
        numbers so that the table reads the same way throughout; on days outside
        the field of regard they are what the attitude rule would give there
        (the roll limit is then 0), but JWST cannot point at the target:
        ``in_field_of_regard`` says which days count.
        """
        days = []
        for i, day in enumerate(self.dates):
            days.append(
                {
                    "date": str(day),
                    "in_field_of_regard": bool(self.in_field_of_regard[i]),
                    "elongation": float(self.elongation[i]),
                    "v3pa": float(self.v3pa[i]),
                    "roll": float(self.roll[i]),
                    "nirspec_apa": [float(v) for v in self.nirspec_apa[i]],
                    "nircam_apa": [float(v) for v in self.nircam_apa[i]],
                }
            )
        return {
            "target": {"ra": self.ra, "dec": self.dec},
            "days": days,
            "windows": [w.to_dict() for w in self.windows],
        }


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of the runs of True in a boolean array."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def visibility(ra: float, dec: float, start: object, end: object) -> Visibility:
    """Daily visibility of the target (ra, dec) from ``start`` to ``end`` (both included).

    Parameters
    ----------
    ra, dec : float
        Target position, degrees (ICRS).
    start, end : datetime.date, datetime.datetime, numpy.datetime64 or str
        First and last day ('YYYY-MM-DD'), within 2022-01-01..2040-12-31;
        values are for 00:00 UTC.

    Returns
    -------
    Visibility

    Raises
    ------
    ValueError
        For a Dec outside [-90, 90], a date outside the supported range or
        ``end`` before ``start``.
    """
    ra, dec = _check_target(ra, dec)
    first = check_date(start, "start date")
    last = check_date(end, "end date")
    if last < first:
        raise PrevisError(f"end date {last.isoformat()} is before start date {first.isoformat()}")
    dates = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    sun_ra, sun_dec = sun_direction(dates)
    elongation, sun_pa = _elongation_and_position_angle(ra, dec, sun_ra, sun_dec)
    in_field = (elongation >= MIN_ELONGATION) & (elongation <= MAX_ELONGATION)
    v3pa = wrap_degrees(sun_pa + 180.0)
    roll = allowed_roll(elongation)
    offsets = np.stack([-roll, np.zeros_like(roll), roll], axis=1)
    tables = {}
    for key, name in (("nirspec", NIRSPEC_REFERENCE), ("nircam", NIRCAM_REFERENCE)):
        yang = get_aperture(name).v3_idl_yang
        tables[key] = wrap_degrees(v3pa[:, None] + yang + offsets)
    windows = []
    for a, b in _runs(in_field):
        span = slice(a, b + 1)
        windows.append(
            Window(
                start=parse_date(dates[a], "date"),
                end=parse_date(dates[b], "date"),
                days=b - a + 1,
                nirspec_apa=angle_range(tables["nirspec"][span, 0], tables["nirspec"][span, 2]),
                nircam_apa=angle_range(tables["nircam"][span, 0], tables["nircam"][span, 2]),
                v3pa=angle_range(
                    wrap_degrees(v3pa[span] - roll[span]), wrap_degrees(v3pa[span] + roll[span])
                ),
                start_clipped=a == 0,
                end_clipped=b == len(dates) - 1,
            )
        )
    return Visibility(
        ra=ra,
        dec=dec,
        dates=dates,
        elongation=elongation,
        in_field_of_regard=in_field,
        v3pa=v3pa,
        roll=roll,
        nirspec_apa=tables["nirspec"],
        nircam_apa=tables["nircam"],
        windows=windows,
    )
