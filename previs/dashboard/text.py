"""Text the dashboard shows: numbers, angles, file sizes and panel markup as plain text.

Pure functions on strings, with no widget library and no geometry. Coordinates
the user types are read by :mod:`previs.geometry.coordinates`.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "format_degrees",
    "format_percent",
    "markup_to_text",
    "size_text",
]


def format_percent(fraction: float) -> str:
    """A covered fraction (0-1) as the readout shows it, e.g. ``"74.9 %"``."""
    return f"{100.0 * fraction:.1f} %"


def format_degrees(value: float) -> str:
    """A float as text that reads back exactly."""
    return repr(float(value))


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
