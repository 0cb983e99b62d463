"""One palette and one set of labels for everything previs draws or writes.

The sky overlay (:mod:`previs.plotting.sky`), the DS9 regions
(:mod:`previs.io.regions`), the schedule figures, the reports and the
dashboard's markup all take their colours and channel names from here, so the
figure, its exported regions and the readout agree.

Layer: base. Pure data: imports nothing (matplotlib reads these names itself).
"""

from __future__ import annotations

__all__ = [
    "CHANNEL_LABELS",
    "CHANNEL_NAMES",
    "COLOURS",
    "MARKERS",
    "SCHEDULE_COLOURS",
    "UI_COLOURS",
    "channel_label",
]

#: Overlay colours, chosen to read on a dark grey-scale image (hex, or RGBA 0-1).
COLOURS: dict[str, str | tuple[float, float, float, float]] = {
    "nirspec": "#27d3ff",
    "nircam": "#ff9e26",
    "nircam_face": (1.0, 0.62, 0.15, 0.10),
    "nircam_edge": (1.0, 0.62, 0.15, 0.75),
    "uncovered": (1.0, 0.16, 0.55, 0.50),
    "grid": "#9fb3c8",
    "primary": "#7cfc00",
    "filler": "#d98cff",
    "at_risk": "#ff2b2b",
    "compass": "#ffe66d",
    "empty_sky": "#0b1a2a",
}

#: Catalog markers: matplotlib marker name, area (points^2) and edge width. DS9
#: regions write the same markers as circle / box points.
MARKERS = {
    "primary": {"marker": "o", "s": 30.0, "linewidths": 1.2},
    "filler": {"marker": "s", "s": 16.0, "linewidths": 0.9},
    "at_risk": {"marker": "o", "s": 150.0, "linewidths": 1.8},
}

#: Schedule figures (white background, matplotlib colour names).
SCHEDULE_COLOURS = {
    "nirspec": "tab:blue",
    "nircam": "tab:orange",
    "v3pa": "0.2",
    "window": "0.92",
    "worst": "tab:red",
}

#: Colours of the dashboard's text: readout numbers, notes, errors, statuses
#: (each at least 4.5:1 against white, WCAG AA for normal text).
UI_COLOURS = {
    "accent": "#0a6ebd",
    "note": "#595959",
    "error": "#c0392b",
    "ok": "#1e8449",
    "warning": "#9a6200",
}

#: NIRCam channels by the name previs uses.
CHANNEL_NAMES = ("short", "long")
#: Short labels of the channels (readout, figure captions).
CHANNEL_LABELS = {"short": "SW", "long": "LW"}
_CHANNEL_RANGES = {"short": "0.6-2.3 um", "long": "2.4-5 um"}


def channel_label(channel: str, long_form: bool = False) -> str:
    """``"SW"`` / ``"LW"``, or with ``long_form`` ``"short (SW, 0.6-2.3 um)"``."""
    short = CHANNEL_LABELS.get(channel, channel)
    if not long_form:
        return short
    return f"{channel} ({short}, {_CHANNEL_RANGES.get(channel, '')})"
