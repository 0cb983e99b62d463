"""Text the dashboard shows: numbers, angles, file sizes and panel markup as plain text.

Pure functions on strings, with no widget library and no geometry. Coordinates
the user types are read by :mod:`previs.geometry.coordinates`.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "ANGLE_DECIMALS",
    "DEGREE_DECIMALS",
    "clean_degrees",
    "format_degrees",
    "format_signed",
    "friendly_error",
    "format_percent",
    "markup_to_text",
    "size_text",
]


def format_percent(fraction: float) -> str:
    """A covered fraction (0-1) as the readout shows it, e.g. ``"74.9 %"``."""
    return f"{100.0 * fraction:.1f} %"


#: Decimals kept of a position in degrees (1e-10 deg = 0.36 micro-arcsec): enough to
#: read any plan back, few enough to hide float noise ("-27.791399999999996").
DEGREE_DECIMALS = 10
#: Decimals kept of an angle in degrees (APAs: 1e-9 deg).
ANGLE_DECIMALS = 9


def clean_degrees(value: float, decimals: int = DEGREE_DECIMALS) -> float:
    """``value`` rounded to ``decimals`` (no float noise, no ``-0.0``)."""
    return round(float(value), decimals) + 0.0


def format_degrees(value: float) -> str:
    """A position in degrees as text without float noise: at most :data:`DEGREE_DECIMALS`
    decimals (``-27.7914``, not ``-27.791399999999996``); reads back within 0.4 micro-arcsec,
    exactly for values rounded by :func:`clean_degrees`."""
    text = f"{clean_degrees(value):.{DEGREE_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_signed(value: float, decimals: int = 1) -> str:
    """``+1.2`` / ``-0.4`` / ``+0.0`` (never ``-0.0``), rounded to ``decimals``."""
    rounded = round(float(value), decimals) + 0.0
    return f"{rounded:+.{decimals}f}"


def size_text(size: int) -> str:
    """A file size in bytes as ``"512 bytes"``, ``"12 kB"`` or ``"3.4 MB"``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.0f} kB"
    return f"{size / 2**20:.1f} MB"


#: Library advice that makes no sense to a dashboard user, and what to say instead.
_REWORDINGS = (
    (
        re.compile(
            r"No SIMPLE card found, this file does not appear to be a valid FITS file\."
            r"\s*If this is really a FITS file, try with ignore_missing_simple=True"
        ),
        "it does not start with a FITS header (no SIMPLE card)",
    ),
    (re.compile(r"\s*If this is really a FITS file, try with ignore_missing_simple=True"), ""),
)


def friendly_error(message: str, typed_path: str | None = None, cwd: str | None = None) -> str:
    """A reader's error as the dashboard shows it: library advice a user cannot act on
    is reworded, and a relative ``typed_path`` is said to be read from ``cwd`` (the
    folder the notebook's kernel runs in)."""
    import os

    text = str(message)
    for pattern, replacement in _REWORDINGS:
        text = pattern.sub(replacement, text)
    if typed_path and not os.path.isabs(os.path.expanduser(typed_path)):
        folder = cwd if cwd is not None else os.getcwd()
        text = (
            text.rstrip(". ")
            + f" (a relative path is read from {folder}, where the notebook runs)."
        )
    return text


def markup_to_text(markup: str) -> str:
    """The text of an HTML fragment shown in a panel: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))
