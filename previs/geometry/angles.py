"""Angles on the circle: wrapping, signed differences and arcs of position angles.

One home for the arithmetic that APA ranges need everywhere (visibility
windows, the worst case over the NIRSpec APAs the schedulers may assign, the
configuration search, the dashboard's readout and schedule tab).

An arc is written ``(min, max)`` in degrees and runs from ``min`` through
increasing angles to ``max``: ``min > max`` crosses 0 (``(358, 3)`` is 5 degrees
wide) and ``max - min >= 360`` is the full circle (``(0, 360)``: a target in the
continuous viewing zone). :class:`ApaArc` holds one in a normal form.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from previs.errors import PrevisError, quote

__all__ = ["ApaArc", "arc_holding", "signed_difference", "wrap_degrees"]

FULL_CIRCLE = 360.0


def wrap_degrees(angle_deg):
    """Angles (degrees, scalar or array) wrapped into [0, 360).

    Plain ``% 360`` gives 360.0 for tiny negative angles (-1e-15 % 360 rounds
    to 360.0); those become 0. A Python float in gives a float out.
    """
    wrapped = np.mod(angle_deg, FULL_CIRCLE)
    wrapped = np.where(wrapped >= FULL_CIRCLE, 0.0, wrapped)
    return float(wrapped) if np.ndim(wrapped) == 0 else wrapped


def signed_difference(a_deg, b_deg):
    """``a - b`` wrapped into [-180, 180) degrees (scalar or array)."""
    difference = np.mod(np.asarray(a_deg, dtype=float) - b_deg + 180.0, FULL_CIRCLE) - 180.0
    return float(difference) if np.ndim(difference) == 0 else difference


def _finite_pair(value: object, name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise PrevisError(
            f"{name} must be a (min, max) pair of angles in degrees, got {quote(value)}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise PrevisError(f"{name} must be two finite angles in degrees, got {quote(value)}")
    return low, high


@dataclass(frozen=True)
class ApaArc:
    """An arc of position angles: from ``low`` (in [0, 360)) through ``width`` degrees.

    Parameters
    ----------
    low : float
        Start of the arc, degrees, wrapped into [0, 360).
    width : float
        Angular extent, degrees, in [0, 360]; 360 is the full circle.
    """

    low: float
    width: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", wrap_degrees(float(self.low)))
        object.__setattr__(self, "width", min(max(float(self.width), 0.0), FULL_CIRCLE))

    @classmethod
    def from_range(cls, apa_range: Sequence[float], name: str = "APA range") -> ApaArc:
        """The arc of a ``(min, max)`` pair (see the module docstring).

        Raises
        ------
        PrevisError
            Naming ``name`` when the pair is not two finite angles.
        """
        low, high = _finite_pair(apa_range, name)
        if high - low >= FULL_CIRCLE:
            return cls(low, FULL_CIRCLE)
        return cls(low, float(np.mod(high - low, FULL_CIRCLE)))

    @property
    def is_full_circle(self) -> bool:
        """Whether the arc holds every angle."""
        return self.width >= FULL_CIRCLE

    @property
    def high(self) -> float:
        """End of the arc in [0, 360) (equal to ``low`` for the full circle)."""
        return wrap_degrees(self.low + self.width)

    @property
    def middle(self) -> float:
        """The angle halfway along the arc, in [0, 360)."""
        return wrap_degrees(self.low + self.width / 2.0)

    def as_range(self) -> tuple[float, float]:
        """``(min, max)`` with both in [0, 360), or ``(low, low + 360)`` for the full circle."""
        if self.is_full_circle:
            return (self.low, self.low + FULL_CIRCLE)
        return (self.low, self.high)

    def contains(self, apa_deg: float, tolerance_deg: float = 1e-9) -> bool:
        """Whether ``apa_deg`` lies on the arc, both ends included (within the tolerance)."""
        if self.is_full_circle:
            return True
        along = float(np.mod(apa_deg - self.low, FULL_CIRCLE))
        return along <= self.width + tolerance_deg or FULL_CIRCLE - along <= tolerance_deg

    def unwrap(self, apas_deg) -> np.ndarray:
        """Angles as ``low + t`` with ``t`` in [0, 360): continuous along the arc."""
        return self.low + np.mod(np.asarray(apas_deg, dtype=float) - self.low, FULL_CIRCLE)

    def nearest(self, apa_deg: float) -> float:
        """``apa_deg`` if it is on the arc, else the nearer end (degrees in [0, 360))."""
        if self.contains(apa_deg):
            return wrap_degrees(apa_deg)
        to_low = abs(signed_difference(apa_deg, self.low))
        to_high = abs(signed_difference(apa_deg, self.high))
        return self.low if to_low <= to_high else self.high

    def grid(self, step_deg: float, max_angles: int = 100_000) -> np.ndarray:
        """Angles in [0, 360) along the arc at most ``step_deg`` apart, both ends included.

        Raises
        ------
        PrevisError
            When the step is not a positive number, or would need more than
            ``max_angles`` angles (checked before anything is allocated).
        """
        step = float(step_deg)
        if not (math.isfinite(step) and step > 0):
            raise PrevisError(
                f"APA step must be a positive number of degrees, got {quote(step_deg)}"
            )
        n = max(1, math.ceil(self.width / step - 1e-9))
        if n + 1 > max_angles:
            raise PrevisError(
                f"APA step {step:g} deg over a {self.width:g} deg range needs {n + 1} angles; "
                f"the limit is {max_angles} "
                f"(a step of at least {self.width / (max_angles - 1):.3g} deg)"
            )
        return wrap_degrees(self.low + np.linspace(0.0, self.width, n + 1))

    def spread(self, n: int) -> list[float]:
        """``n`` angles spread evenly over the arc, the middle one first, degrees in [0, 360)."""
        if n <= 1 or self.width == 0.0:
            return [self.middle]
        values = self.low + np.linspace(0.0, self.width, n)
        order = np.argsort(np.abs(values - (self.low + self.width / 2.0)), kind="stable")
        return [wrap_degrees(float(values[i])) for i in order]

    def label(self, digits: int = 1) -> str:
        """Plain text such as ``"40.0 to 50.0 deg"``, or ``"any angle"`` for the full circle."""
        if self.is_full_circle:
            return "any angle"
        return f"{self.low:.{digits}f} to {self.high:.{digits}f} deg"


def arc_holding(low_deg, high_deg) -> ApaArc:
    """The smallest arc holding every arc ``[low_i, high_i]`` of a time series.

    Consecutive arcs are followed continuously across 0/360 (the series is
    unwrapped by its arc centres); when their union spans the circle, the full
    circle starting at 0 is returned.
    """
    low = np.asarray(low_deg, dtype=float)
    high = np.asarray(high_deg, dtype=float)
    width = np.mod(high - low, FULL_CIRCLE)
    centre = np.rad2deg(np.unwrap(np.deg2rad(low + width / 2.0)))
    lowest = float(np.min(centre - width / 2.0))
    highest = float(np.max(centre + width / 2.0))
    if highest - lowest >= FULL_CIRCLE:
        return ApaArc(0.0, FULL_CIRCLE)
    return ApaArc(lowest, highest - lowest)
