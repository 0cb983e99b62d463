"""Text in and out of the dashboard: coordinates typed by the user, numbers shown to them.

Pure functions on strings, with no widget library and no geometry: reading
RA/Dec as degrees or sexagesimal, splitting a pasted position into its RA and
Dec, and formatting percentages, angles, file sizes and panel markup as text.
"""

from __future__ import annotations

import html
import math
import re

__all__ = [
    "format_degrees",
    "format_percent",
    "markup_to_text",
    "parse_dec",
    "parse_ra",
    "size_text",
    "split_position",
]


def format_percent(fraction: float) -> str:
    """A covered fraction (0-1) as the readout shows it, e.g. ``"74.9 %"``."""
    return f"{100.0 * fraction:.1f} %"


def format_degrees(value: float) -> str:
    """A float as text that reads back exactly."""
    return repr(float(value))


def _plain_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_angle(text: str, what: str, unit: str, forms: str) -> float:
    """Degrees from a plain number or from an angle in ``unit`` (astropy Angle syntax)."""
    from astropy.coordinates import Angle

    number = _plain_number(text)
    if number is not None:
        return number
    try:
        return float(Angle(text, unit=unit).degree)
    except Exception:
        raise ValueError(f"{what}: cannot read {text!r}; give {forms}") from None


def parse_ra(text: str, what: str = "RA") -> float:
    """Right ascension in degrees from ``"53.1625"`` (degrees) or ``"03:32:39.0"`` / ``"3h32m39s"``.

    Sexagesimal values are hours unless they carry a degree mark (``d`` or °).
    Raises ValueError naming ``what`` and the accepted forms.
    """
    text = str(text).strip()
    unit = "deg" if ("d" in text.lower() or "°" in text) else "hourangle"
    value = _read_angle(text, what, unit, "degrees (53.1625) or hours (03:32:39.0 or 3h32m39s)")
    if not 0.0 <= value < 360.0:
        raise ValueError(f"{what} must be from 0 to below 360 degrees (0h-24h), got {text!r}")
    return value


def parse_dec(text: str, what: str = "Dec") -> float:
    """Declination in degrees from ``"-27.7914"`` or ``"-27:47:29"`` / ``"-27d47m29s"``.

    Raises ValueError naming ``what`` and the accepted forms.
    """
    text = str(text).strip()
    value = _read_angle(
        text, what, "deg", "degrees (-27.7914) or degrees:minutes:seconds (-27:47:29)"
    )
    if not -90.0 <= value <= 90.0:
        raise ValueError(f"{what} must lie between -90 and +90 degrees, got {text!r}")
    return value


def split_position(text: str) -> tuple[str, str] | None:
    """Split a pasted RA/Dec pair (``"03:32:39.0 -27:47:29"``, ``"53.16, -27.79"``,
    ``"3 32 39.0 -27 47 29"``) into its RA and Dec texts; None for a single value."""
    tokens = [token for token in re.split(r"[,\s]+", str(text).strip()) if token]
    if len(tokens) == 2:
        return tokens[0], tokens[1]
    if len(tokens) == 6:
        return ":".join(tokens[:3]), ":".join(tokens[3:])
    return None


def size_text(size: int) -> str:
    """A file size in bytes as ``"512 bytes"``, ``"12 kB"`` or ``"3.4 MB"``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.0f} kB"
    return f"{size / 2**20:.1f} MB"


def markup_to_text(markup: str) -> str:
    """The text of an HTML fragment shown in a panel: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))
