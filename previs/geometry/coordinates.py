"""Sky coordinates typed by people: RA and Dec in degrees or sexagesimal.

One reader for the dashboard's text boxes, the command line's ``--ra``/``--dec``
and catalog columns. Plain numbers are degrees; anything else is read by
astropy's :class:`~astropy.coordinates.Angle`: RA in hours (``03:32:39.0``,
``3h32m39s``, ``3 32 39``) unless it carries a degree mark (``53d09m45s``,
``53°09′45″``), Dec in degrees (``-27:47:29``, ``-27d47m29s``). Minutes or seconds
of 60 or more, and hours of 24 or more, are refused rather than carried over.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence

import numpy as np

from previs.errors import PrevisError, quote

__all__ = ["parse_angles", "parse_dec", "parse_ra", "read_angle", "split_position"]

RA_FORMS = "degrees (53.1625) or hours (03:32:39.0 or 3h32m39s)"
DEC_FORMS = "degrees (-27.7914) or degrees:minutes:seconds (-27:47:29 or -27d47m29s)"
# Sexagesimal values are rounded to 1e-12 degree (4 nano-arcsec) so that
# 3h32m39s reads 53.1625, not astropy's 53.16249999999999.
_DECIMALS = 12


def _plain_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# The common catalog form, read without astropy (a million tokens in about a second
# instead of two minutes): [+-]D:M[:S], RA in hours. Everything else goes to astropy.
_COLON = re.compile(r"^([+-]?)(\d+):(\d+(?:\.\d*)?)(?::(\d+(?:\.\d*)?|\.\d+))?$")


def _colon_angle(text: str, kind: str) -> float | None:
    """Degrees of a colon-separated angle; NaN when its fields are out of range; None
    when the text is not of that form."""
    match = _COLON.match(text)
    if match is None:
        return None
    sign, first, minutes, seconds = match.groups()
    if seconds is not None and "." in minutes:
        return None  # 12:30.5:10 is not an angle astropy reads either
    minutes_value = float(minutes)
    seconds_value = float(seconds) if seconds is not None else 0.0
    first_value = float(first)
    if minutes_value >= 60.0 or seconds_value >= 60.0 or (kind == "RA" and first_value >= 24.0):
        return math.nan
    value = first_value + minutes_value / 60.0 + seconds_value / 3600.0
    if kind == "RA":
        value *= 15.0
    return round(-value if sign == "-" else value, _DECIMALS)


def _sexagesimal(text: str, kind: str) -> float | None:
    """Degrees of a sexagesimal (or unit-marked) angle, or None when it is not one."""
    colon = _colon_angle(text, kind)
    if colon is not None:
        return None if math.isnan(colon) else colon
    from astropy.coordinates import Angle

    lowered = text.lower()
    if kind == "RA":
        unit = "deg" if ("d" in lowered or "\u00b0" in text) else "hourangle"
    else:
        if "h" in lowered:
            return None
        unit = "deg"
    with warnings.catch_warnings():
        # astropy warns (IllegalMinuteWarning, ...) and carries 60 minutes over: refuse.
        warnings.simplefilter("error")
        try:
            value = float(Angle(text, unit=unit).degree)
        except Exception:
            return None
    return round(value, _DECIMALS) if math.isfinite(value) else None


def read_angle(text: object, kind: str, what: str | None = None) -> float:
    """Degrees of one RA (``kind="RA"``) or Dec (``kind="Dec"``) value, unchecked in range.

    Raises
    ------
    PrevisError
        Naming ``what`` (default: ``kind``) and the accepted forms.
    """
    if kind not in ("RA", "Dec"):
        raise ValueError(f"kind must be 'RA' or 'Dec', got {quote(kind)}")
    text = str(text).strip()
    value = _plain_number(text)
    if value is None and text:
        value = _sexagesimal(text, kind)
    if value is None:
        forms = RA_FORMS if kind == "RA" else DEC_FORMS
        raise PrevisError(f"{what or kind}: cannot read {quote(text)}; give {forms}")
    return value


def parse_ra(text: object, what: str = "RA") -> float:
    """Right ascension in degrees, from 0 to below 360 (0h to 24h).

    Raises
    ------
    PrevisError
        Naming ``what`` when the text is not an RA or is out of range.
    """
    value = read_angle(text, "RA", what)
    if not 0.0 <= value < 360.0:
        raise PrevisError(
            f"{what} must be from 0 to below 360 degrees (0h-24h), got {quote(str(text).strip())}"
        )
    return value


def parse_dec(text: object, what: str = "Dec") -> float:
    """Declination in degrees, from -90 to +90.

    Raises
    ------
    PrevisError
        Naming ``what`` when the text is not a Dec or is out of range.
    """
    value = read_angle(text, "Dec", what)
    if not -90.0 <= value <= 90.0:
        raise PrevisError(
            f"{what} must lie between -90 and +90 degrees, got {quote(str(text).strip())}"
        )
    return value


def split_position(text: str) -> tuple[str, str] | None:
    """Split a pasted RA/Dec pair into its two texts; None for a single value.

    Accepts ``"03:32:39.0 -27:47:29"``, ``"53.16, -27.79"`` and the six-field
    ``"3 32 39.0 -27 47 29"``.
    """
    tokens = [token for token in re.split(r"[,\s]+", str(text).strip()) if token]
    if len(tokens) == 2:
        return tokens[0], tokens[1]
    if len(tokens) == 6:
        return ":".join(tokens[:3]), ":".join(tokens[3:])
    return None


def _one_angle(token: str, kind: str) -> float:
    """Degrees of one catalog token, NaN when unreadable (colon form first: the common one)."""
    if ":" in token:
        angle = _colon_angle(token, kind)
        if angle is not None:
            return angle
    else:
        try:
            return float(token)
        except ValueError:
            pass
    angle = _sexagesimal(str(token).strip(), kind)
    return math.nan if angle is None else angle


def parse_angles(tokens: Sequence[str], kind: str) -> tuple[np.ndarray, int | None, str]:
    """Degrees of many RA or Dec texts (catalog columns): decimals fast, the rest by astropy.

    Parameters
    ----------
    tokens : sequence of str
        The values as text.
    kind : {"RA", "Dec"}
        Which coordinate (sexagesimal RA is in hours unless degree-marked).

    Returns
    -------
    values : numpy.ndarray
        Degrees, not range-checked, NaN where unreadable.
    first_bad : int or None
        Index of the first unreadable token, or None.
    problem : str
        What is wrong with that token ("" when every token was read).
    """
    count = len(tokens)
    try:
        values = np.fromiter(map(float, tokens), dtype=float, count=count)
    except ValueError:
        values = np.fromiter(
            (_one_angle(token, kind) for token in tokens), dtype=float, count=count
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad) == 0:
        return values, None, ""
    i = int(bad[0])
    forms = RA_FORMS if kind == "RA" else DEC_FORMS
    return values, i, f"{kind} {quote(tokens[i])} is not a valid angle; expected {forms}"
