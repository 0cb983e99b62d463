"""Offline visibility: checked against astropy's Sun and independent geometry."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import BarycentricMeanEcliptic, SkyCoord, get_body
from astropy.time import Time
from astropy.utils import iers

from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture
from previs.planning.visibility import (
    MAX_ELONGATION,
    MIN_ELONGATION,
    allowed_roll,
    angle_range,
    sun_roll_limit,
    visibility,
)

POLE = SkyCoord(0 * u.deg, 90 * u.deg, frame=BarycentricMeanEcliptic).icrs
ECLIPTIC = SkyCoord(150 * u.deg, 0 * u.deg, frame=BarycentricMeanEcliptic).icrs


def _astropy_sun(dates: np.ndarray) -> SkyCoord:
    """Geocentric Sun from astropy's built-in ephemeris, with no download allowed."""
    with iers.conf.set_temp("auto_download", False), iers.conf.set_temp("auto_max_age", None):
        times = Time([str(d) for d in dates], scale="utc")
        sun = get_body("sun", times)
        # GCRS axes are ICRS axes: keep the geocentric direction.
        return SkyCoord(sun.ra, sun.dec, frame="icrs")


def _wrapped_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0


@pytest.mark.parametrize("ra, dec", [(150.1, 2.2), (53.16, -27.78), (189.2, 62.2), (10.0, -80.0)])
def test_elongation_and_sun_position_angle_match_astropy(ra: float, dec: float) -> None:
    vis = visibility(ra, dec, "2026-01-01", "2027-12-31")
    sample = slice(None, None, 37)
    sun = _astropy_sun(vis.dates[sample])
    target = SkyCoord(ra * u.deg, dec * u.deg)
    separation = target.separation(sun).deg
    np.testing.assert_allclose(vis.elongation[sample], separation, atol=0.01)
    position_angle = target.position_angle(sun).deg
    # Nominal V3PA: -V3 towards the Sun.
    assert np.max(np.abs(_wrapped_difference(vis.v3pa[sample], position_angle + 180.0))) < 0.05


def test_ecliptic_pole_always_in_field_of_regard() -> None:
    vis = visibility(POLE.ra.deg, POLE.dec.deg, "2027-01-01", "2027-12-31")
    assert vis.in_field_of_regard.all()
    np.testing.assert_allclose(vis.elongation, 90.0, atol=0.05)
    assert len(vis.windows) == 1
    window = vis.windows[0]
    assert window.days == 365 and window.start_clipped and window.end_clipped
    # Over a year the APAs sweep the whole circle.
    assert window.nirspec_apa == (0.0, 360.0)


def test_ecliptic_target_has_two_windows_a_year_of_50_to_60_days() -> None:
    vis = visibility(ECLIPTIC.ra.deg, ECLIPTIC.dec.deg, "2026-01-01", "2028-12-31")
    whole = [w for w in vis.windows if not (w.start_clipped or w.end_clipped)]
    assert len(whole) >= 4
    for window in whole:
        assert 45 <= window.days <= 62  # "roughly 50-60 days"
        assert window.days == (window.end - window.start).days + 1
    starts = [w.start for w in whole]
    for a, b in zip(starts, starts[2:], strict=False):
        assert abs((b - a).days - 365) <= 2  # two windows per year, repeating yearly
    # Independent window check: elongation from astropy at the edges.
    for window in whole:
        edges = np.array(
            [
                window.start - dt.timedelta(1),
                window.start,
                window.end,
                window.end + dt.timedelta(1),
            ],
            dtype="datetime64[D]",
        )
        separation = SkyCoord(ECLIPTIC.ra, ECLIPTIC.dec).separation(_astropy_sun(edges)).deg
        inside = (separation >= MIN_ELONGATION) & (separation <= MAX_ELONGATION)
        assert inside.tolist() == [False, True, True, False]


@pytest.mark.parametrize("ra, dec", [(150.1, 2.2), (189.2, 62.2), (POLE.ra.deg, POLE.dec.deg)])
def test_v3pa_is_continuous_day_to_day(ra: float, dec: float) -> None:
    vis = visibility(ra, dec, "2026-01-01", "2027-12-31")
    # Within the field of regard (the Sun's position angle moves fast only near
    # conjunction and opposition, which are outside it).
    both = vis.in_field_of_regard[1:] & vis.in_field_of_regard[:-1]
    assert both.sum() > 90
    step = np.diff(vis.v3pa)[both]
    wrapped = _wrapped_difference(vis.v3pa[1:], vis.v3pa[:-1])[both]
    assert np.max(np.abs(wrapped)) < 3.0
    jumps = np.abs(step) > 3.0
    # The only large raw steps are wraps through 0/360.
    np.testing.assert_allclose(np.abs(step[jumps]), 360.0, atol=3.0)


def test_nirspec_minus_nircam_apa_is_138_649() -> None:
    vis = visibility(150.1, 2.2, "2026-01-01", "2026-12-31")
    expected = (
        get_aperture(NIRSPEC_REFERENCE).v3_idl_yang - get_aperture(NIRCAM_REFERENCE).v3_idl_yang
    )
    assert expected == pytest.approx(138.649, abs=1e-3)
    difference = np.mod(vis.nirspec_apa - vis.nircam_apa, 360.0)
    np.testing.assert_allclose(difference, expected, atol=1e-9)
    # min/max are nominal -+ roll.
    np.testing.assert_allclose(
        _wrapped_difference(vis.nirspec_apa[:, 1], vis.nirspec_apa[:, 0]), vis.roll, atol=1e-9
    )
    np.testing.assert_allclose(
        _wrapped_difference(vis.nirspec_apa[:, 2], vis.nirspec_apa[:, 1]), vis.roll, atol=1e-9
    )
    assert np.all((vis.nirspec_apa >= 0) & (vis.nirspec_apa < 360))


def _roll_by_bisection(elongation: float) -> float:
    """Largest boresight roll keeping the Sun roll within its pitch-dependent limit."""
    pitch = math.radians(90.0 - elongation)

    def allowed(phi: float) -> bool:
        sun_roll = math.asin(math.sin(phi) * math.cos(pitch))
        sun_pitch = math.degrees(math.asin(math.sin(pitch) / math.cos(sun_roll)))
        return math.degrees(sun_roll) <= float(sun_roll_limit(sun_pitch))

    low, high = 0.0, math.radians(20.0)
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if allowed(mid) else (low, mid)
    return math.degrees(low)


def test_roll_rule() -> None:
    assert sun_roll_limit(0.0) == pytest.approx(5.1)
    assert sun_roll_limit(2.5) == pytest.approx(5.1)
    assert sun_roll_limit(3.85) == pytest.approx(4.25)
    assert sun_roll_limit(5.2) == pytest.approx(3.4)
    elongations = np.array([84.8, 85.5, 86.5, 87.5, 90.0, 100.0, 120.0, 135.0])
    expected = [_roll_by_bisection(e) for e in elongations]
    np.testing.assert_allclose(allowed_roll(elongations), expected, atol=1e-4)
    assert allowed_roll(90.0) == pytest.approx(5.1)
    assert allowed_roll(135.0) == pytest.approx(
        math.degrees(math.asin(math.sin(math.radians(5.1)) / math.cos(math.radians(45.0))))
    )


def test_angle_range_handles_wrap() -> None:
    low = np.array([356.0, 357.0, 358.5, 359.5, 0.5])
    high = np.mod(low + 8.0, 360.0)
    assert angle_range(low, high) == pytest.approx((356.0, 8.5))
    assert angle_range(np.array([10.0]), np.array([20.0])) == pytest.approx((10.0, 20.0))
    circle = np.arange(0.0, 400.0, 1.0) % 360.0
    assert angle_range(circle, np.mod(circle + 5, 360)) == (0.0, 360.0)


def test_window_apa_range_crossing_zero() -> None:
    # Find a window whose NIRSpec APAs cross 0 and check its range against the days.
    vis = visibility(POLE.ra.deg, POLE.dec.deg, "2026-01-01", "2026-12-31")
    crossing = np.flatnonzero(vis.nirspec_apa[:, 0] > vis.nirspec_apa[:, 2])
    assert crossing.size
    i = int(crossing[0])
    low, high = vis.apa_range(vis.dates[i], "nirspec")
    assert low > high
    assert _wrapped_difference(high, low) == pytest.approx(2 * vis.roll[i])


def test_to_dict_shape() -> None:
    vis = visibility(150.1, 2.2, dt.date(2026, 3, 30), "2026-04-10")
    data = vis.to_dict()
    assert data["target"] == {"ra": 150.1, "dec": 2.2}
    assert [d["date"] for d in data["days"]][0] == "2026-03-30"
    assert len(data["days"]) == 12
    assert {day["in_field_of_regard"] for day in data["days"]} == {True, False}
    for day in data["days"]:
        low, nominal, high = day["nirspec_apa"]
        assert len(day["nircam_apa"]) == 3
        assert (nominal - day["v3pa"]) % 360 == pytest.approx(138.5745697, abs=1e-6)
        assert (high - nominal) % 360 == pytest.approx(day["roll"], abs=1e-9)
        assert (nominal - low) % 360 == pytest.approx(day["roll"], abs=1e-9)
    window = data["windows"][0]
    assert window["start"] == vis.windows[0].start.isoformat()
    assert set(window) >= {"start", "end", "days", "nirspec_apa", "nircam_apa"}


@pytest.mark.parametrize(
    "args, words",
    [
        ((10, 0, "2021-12-31", "2022-02-01"), ["start date", "2021-12-31", "2022-01-01"]),
        ((10, 0, "2040-01-01", "2041-01-01"), ["end date", "2041-01-01", "2040-12-31"]),
        ((10, 0, "2026-05-01", "2026-04-01"), ["before", "2026-04-01", "2026-05-01"]),
        ((10, 0, "2026-13-01", "2026-12-01"), ["start date", "YYYY-MM-DD"]),
        ((10, 91, "2026-01-01", "2026-02-01"), ["Dec", "91"]),
        ((10, -90.5, "2026-01-01", "2026-02-01"), ["Dec"]),
        (("x", 0, "2026-01-01", "2026-02-01"), ["RA"]),
    ],
)
def test_bad_inputs(args: tuple, words: list[str]) -> None:
    with pytest.raises(ValueError) as error:
        visibility(*args)
    for word in words:
        assert word in str(error.value)


def test_single_day_and_range_ends() -> None:
    vis = visibility(150.1, 2.2, "2022-01-01", "2022-01-01")
    assert len(vis.dates) == 1
    vis = visibility(150.1, 2.2, "2040-12-01", dt.datetime(2040, 12, 31, 12))
    assert str(vis.dates[-1]) == "2040-12-31"
