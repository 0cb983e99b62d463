"""The catalog layer of the sky view: primaries, fillers and the at-risk rings.

Sky positions are kept across images; their pixel positions are computed once
per image (:meth:`CatalogMarkers.place`), so a new at-risk mask only picks
rings from them.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from previs.errors import PrevisError
from previs.style import COLOURS, MARKERS

__all__ = ["CatalogMarkers"]


class CatalogMarkers:
    """Scatter artists of a catalog on one axes, and the sources they show."""

    def __init__(self) -> None:
        self._radec: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._xy: np.ndarray = np.empty((0, 2))
        self._at_risk: np.ndarray | None = None
        self.primaries = self.fillers = self.at_risk_rings = None

    def attach(self, ax) -> None:
        """Create the (empty) artists on a new axes."""

        def scatter(key: str):
            return ax.scatter(
                [], [], **MARKERS[key], facecolors="none", edgecolors=COLOURS[key], zorder=6
            )

        self.at_risk_rings = scatter("at_risk")
        self.fillers = scatter("filler")
        self.primaries = scatter("primary")

    @property
    def artists(self) -> list:
        """The three artists, in drawing order."""
        return [self.at_risk_rings, self.fillers, self.primaries]

    @property
    def has_sources(self) -> bool:
        """Whether sources are placed on the current axes."""
        return len(self._xy) > 0

    def set_sources(
        self, ra: Iterable[float], dec: Iterable[float], primary: Iterable[bool] | None = None
    ) -> None:
        """Keep new sources (RA, Dec degrees; ``primary`` False marks a filler); clears rings."""
        ra = np.asarray(ra, dtype=float).ravel()
        dec = np.asarray(dec, dtype=float).ravel()
        if ra.shape != dec.shape:
            raise PrevisError(f"set_catalog: {ra.size} RA values but {dec.size} Dec values")
        primary = np.ones(ra.shape, dtype=bool) if primary is None else primary
        primary = np.asarray(primary, dtype=bool).ravel()
        if primary.shape != ra.shape:
            raise PrevisError(f"set_catalog: {primary.size} primary flags for {ra.size} sources")
        self._radec = (ra, dec, primary)
        self._at_risk = None

    def place(self, sky_to_pixel: Callable, visible: dict) -> bool:
        """Put the sources on the axes through ``sky_to_pixel``; True when the legend
        must change (sources appeared or disappeared)."""
        had_sources = self.has_sources
        if self._radec is None or len(self._radec[0]) == 0:
            self._xy = np.empty((0, 2))
            primary = np.zeros(0, dtype=bool)
        else:
            ra, dec, primary = self._radec
            x, y = sky_to_pixel(ra, dec)
            self._xy = np.column_stack([x, y])
        self.primaries.set_offsets(self._xy[primary])
        self.fillers.set_offsets(self._xy[~primary])
        self.place_at_risk(visible)
        return had_sources != self.has_sources

    def set_at_risk(self, at_risk: Iterable[bool] | None, visible: dict) -> None:
        """Ring the sources flagged by the boolean mask ``at_risk`` (None: none)."""
        if at_risk is not None:
            at_risk = np.asarray(at_risk, dtype=bool).ravel()
            n = 0 if self._radec is None else len(self._radec[0])
            if at_risk.shape != (n,):
                raise PrevisError(f"set_at_risk: {at_risk.size} flags for {n} catalog sources")
        self._at_risk = at_risk
        self.place_at_risk(visible)

    def place_at_risk(self, visible: dict) -> None:
        """Rings around the at-risk sources of the kinds shown."""
        if self.at_risk_rings is None:
            return
        if self._at_risk is None or self._radec is None:
            self.at_risk_rings.set_offsets(np.empty((0, 2)))
            return
        primary = self._radec[2]
        shown = (primary & visible["primaries"]) | (~primary & visible["fillers"])
        self.at_risk_rings.set_offsets(self._xy[self._at_risk & shown])
