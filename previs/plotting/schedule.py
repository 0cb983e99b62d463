"""Matplotlib figures for the schedule: APA ranges against date, coverage against APA.

No widgets: functions draw on a given (or new) Axes and return it.

Angles that cross 0/360 are unwrapped within each window and drawn three
times (shifted by -360, 0 and +360 degrees) on axes limited to [0, 360], so a
band leaving the top comes back at the bottom without vertical streaks.
"""

from __future__ import annotations

import datetime as _dt

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from previs.planning.sweep import WorstCase
from previs.planning.visibility import Visibility, parse_date
from previs.style import SCHEDULE_COLOURS

NIRSPEC_COLOR = SCHEDULE_COLOURS["nirspec"]
NIRCAM_COLOR = SCHEDULE_COLOURS["nircam"]
V3PA_COLOR = SCHEDULE_COLOURS["v3pa"]
WINDOW_COLOR = SCHEDULE_COLOURS["window"]


def _new_axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(9, 4.5))
    return ax


def _unwrap_deg(angles: np.ndarray) -> np.ndarray:
    return np.rad2deg(np.unwrap(np.deg2rad(angles)))


def _window_slices(vis: Visibility) -> list[slice]:
    return [slice(vis.index(w.start), vis.index(w.end) + 1) for w in vis.windows]


def plot_timeline(
    visibility: Visibility,
    imaging_date: object | None = None,
    spectroscopy_date: object | None = None,
    ax: Axes | None = None,
) -> Axes:
    """NIRSpec and NIRCam APA ranges against date, like the JWST visibility tools.

    Parameters
    ----------
    visibility : Visibility
        From :func:`previs.planning.visibility.visibility`.
    imaging_date, spectroscopy_date : date or 'YYYY-MM-DD', optional
        Chosen NIRCam pre-imaging date and NIRSpec date, marked by vertical lines.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if missing).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    dates = visibility.dates.astype("datetime64[D]").astype(_dt.date)
    x = mdates.date2num(dates)
    labelled = set()

    def label(name: str) -> str | None:
        if name in labelled:
            return None
        labelled.add(name)
        return name

    for span in _window_slices(visibility):
        xs = x[span]
        # Half a day either side so one-day windows remain visible.
        ax.axvspan(
            xs[0] - 0.5,
            xs[-1] + 0.5,
            color=WINDOW_COLOR,
            zorder=0,
            lw=0,
            label=label("visibility window"),
        )
        roll = visibility.roll[span]
        v3pa = _unwrap_deg(visibility.v3pa[span])
        for name, table, color in (
            ("NIRSpec APA", visibility.nirspec_apa, NIRSPEC_COLOR),
            ("NIRCam APA", visibility.nircam_apa, NIRCAM_COLOR),
        ):
            nominal = _unwrap_deg(table[span, 1])
            for k, shift in enumerate((-360.0, 0.0, 360.0)):
                ax.fill_between(
                    xs,
                    nominal - roll + shift,
                    nominal + roll + shift,
                    color=color,
                    alpha=0.45,
                    lw=0,
                    label=label(name) if k == 1 else None,
                )
        for k, shift in enumerate((-360.0, 0.0, 360.0)):
            ax.plot(
                xs,
                v3pa + shift,
                color=V3PA_COLOR,
                lw=1,
                label=label("nominal V3PA") if k == 1 else None,
            )

    for value, name, style in (
        (imaging_date, "pre-imaging", "--"),
        (spectroscopy_date, "spectroscopy", "-."),
    ):
        if value is None:
            continue
        day = parse_date(value, f"{name} date")
        ax.axvline(
            mdates.date2num(day), color="k", ls=style, lw=1.2, label=f"{name} {day.isoformat()}"
        )

    ax.set_ylim(0.0, 360.0)
    ax.set_yticks(np.arange(0, 361, 60))
    ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_ylabel("position angle (deg)")
    ax.set_title(f"RA {visibility.ra:.4f}, Dec {visibility.dec:+.4f}")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return ax


def plot_coverage_vs_apa(
    result: WorstCase,
    allowed_range: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Covered MSA fraction against NIRSpec APA, allowed range shaded, minimum marked.

    Parameters
    ----------
    result : WorstCase
        From :func:`previs.planning.sweep.worst_case_coverage`.
    allowed_range : (float, float), optional
        (min, max) NIRSpec APA arc to shade, degrees (default: the range swept).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if missing).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    origin = float(result.apas[0])
    # Angles measured continuously from the first APA (the sweep runs through
    # increasing angles), labelled modulo 360; a full circle ends at origin + 360.
    steps = np.mod(np.diff(np.asarray(result.apas, dtype=float)), 360.0)
    x = origin + np.concatenate([[0.0], np.cumsum(steps)])
    ax.plot(x, 100.0 * np.asarray(result.covered), "-o", ms=3, color=NIRSPEC_COLOR, label="covered")
    low, high = allowed_range if allowed_range is not None else result.apa_range
    start = origin + ((float(low) - origin + 180.0) % 360.0 - 180.0)
    width = (float(high) - float(low)) % 360.0
    if float(high) - float(low) >= 360.0:
        width = 360.0
    ax.axvspan(start, start + width, color=WINDOW_COLOR, zorder=0, label="allowed NIRSpec APA")
    x_min = origin + (result.apa_at_min - origin) % 360.0
    ax.plot(
        [x_min],
        [100.0 * result.min],
        "v",
        color=SCHEDULE_COLOURS["worst"],
        ms=9,
        label=f"minimum {100.0 * result.min:.2f}% at {result.apa_at_min:.1f} deg",
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value % 360.0:g}"))
    ax.set_xlabel("NIRSpec APA (deg)")
    ax.set_ylabel("MSA covered (%)")
    ax.legend(loc="lower left", fontsize="small")
    return ax
