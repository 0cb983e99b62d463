"""Worst-case MSA coverage over the NIRSpec APA range the schedulers may pick.

:class:`WorstCaseTracker` keeps the allowed NIRSpec APA range that the Schedule
tab sends to the dashboard and the worst-case coverage of the current plan over
it (:func:`previs.planning.search.worst_case_coverage`). It recomputes only when the
range, the target or the NIRCam setup (pointing with its APA, channel, dither,
mosaic) changes. With the NIRCam APA untied, moving the NIRSpec APA slider
changes none of these and costs nothing; with it tied to the NIRSpec APA (same
V3PA), every slider move gives the pre-imaging another APA, hence another worst
case, which is recomputed so the readout never shows a stale number (about
3 ms for a 20 degree range, 45 ms for the full circle of a target in the
continuous viewing zone). No widgets here.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from previs.planning.plan import Plan

if TYPE_CHECKING:
    from previs.planning.search import WorstCase

__all__ = ["WorstCaseTracker", "apa_in_range", "is_full_circle", "normalized_apa_range"]


def normalized_apa_range(
    nirspec_apa_range: tuple[float, float] | None,
) -> tuple[float, float] | None:
    """``(min, max)`` NIRSpec APA in degrees with ``min`` wrapped to [0, 360); None stays None.

    ``max`` is wrapped to [0, 360) too, except for a range covering the whole
    circle (``max - min >= 360``, e.g. ``(0, 360)`` from
    :func:`previs.planning.visibility.angle_range` for a target in the continuous viewing
    zone): that becomes ``(min, min + 360)`` so it stays the full circle instead
    of collapsing to one angle.

    Raises ValueError when the angles are not finite numbers.
    """
    if nirspec_apa_range is None:
        return None
    low, high = (float(v) for v in nirspec_apa_range)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(
            f"NIRSpec APA range must be two finite angles in degrees, got {nirspec_apa_range!r}"
        )
    if is_full_circle((low, high)):
        return (low % 360.0, low % 360.0 + 360.0)
    return (low % 360.0, high % 360.0)


def is_full_circle(apa_range: tuple[float, float]) -> bool:
    """True when the ``(min, max)`` arc (degrees) holds every angle (``max - min >= 360``)."""
    low, high = apa_range
    return high - low >= 360.0


def apa_in_range(apa: float, apa_range: tuple[float, float], tolerance: float = 1e-9) -> bool:
    """Whether ``apa`` (degrees) lies on the ``(min, max)`` arc going up from ``min``.

    ``min > max`` crosses 0; a width of 360 degrees or more holds every angle.
    Both ends are included (within ``tolerance`` degrees).
    """
    if is_full_circle(apa_range):
        return True
    low, high = apa_range
    return (apa - low) % 360.0 <= (high - low) % 360.0 + tolerance or (
        (low - apa) % 360.0 <= tolerance
    )


class WorstCaseTracker:
    """The allowed NIRSpec APA range and the plan's worst-case coverage over it.

    Attributes
    ----------
    apa_range : tuple of float or None
        Allowed NIRSpec APA (min, max) in degrees (min > max crosses 0; max - min = 360:
        every angle); None: no range.
    worst : previs.planning.search.WorstCase or None
        Worst case of the last plan given to :meth:`update` (None without a range).
    times_ms : list of float
        Duration of the last (up to 200) computations, milliseconds.
    """

    def __init__(self) -> None:
        self.apa_range: tuple[float, float] | None = None
        self.worst: WorstCase | None = None
        self.times_ms: list[float] = []
        self._key: tuple | None = None

    def update(self, plan: Plan) -> WorstCase | None:
        """The worst case of ``plan`` over :attr:`apa_range`, recomputed when needed."""
        if self.apa_range is None:
            self.worst = self._key = None
            return None
        key = (
            self.apa_range,
            plan.nirspec.ra,
            plan.nirspec.dec,
            plan.nircam,
            plan.channel,
            plan.dither,
            plan.mosaic,
        )
        if key == self._key:
            return self.worst
        from previs.planning.search import worst_case_coverage

        started = time.perf_counter()
        self.worst = worst_case_coverage(
            plan.nirspec,
            plan.nircam,
            self.apa_range,
            channel=plan.channel,
            dither=plan.dither,
            mosaic=plan.mosaic,
        )
        self._key = key
        self.times_ms.append((time.perf_counter() - started) * 1000.0)
        del self.times_ms[:-200]
        return self.worst
