"""Timings of the schedule tools, and the size of the geocentric-Sun approximation.

Run: ``python benchmarks/bench_visibility.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import time

import numpy as np

from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.patterns import Mosaic
from previs.planning.search import search_configuration
from previs.planning.sweep import worst_case_coverage
from previs.planning.visibility import (
    MAX_ELONGATION,
    MIN_ELONGATION,
    _elongation_and_position_angle,
    _mjd,
    _runs,
    visibility,
)

RA, DEC = 150.1, 2.2
AU_KM = 1.495978707e8


def best_of(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def sun_offset_effect(ra: float, dec: float, offset_km: float, sideways: bool) -> tuple:
    """Largest elongation / V3PA change and window-edge shift for an observer moved from Earth."""
    import erfa

    dates = np.arange(np.datetime64("2026-01-01"), np.datetime64("2027-12-31") + 1)
    heliocentric, _ = erfa.epv00(2400000.5, _mjd(dates))
    sun = -heliocentric["p"]  # AU, geocentric
    unit = sun / np.linalg.norm(sun, axis=1)[:, None]
    if sideways:
        # Perpendicular to the Sun line, in the ecliptic-ish plane (worst case direction).
        direction = np.cross(unit, np.array([0.0, -0.3978, 0.9175]))
        direction /= np.linalg.norm(direction, axis=1)[:, None]
    else:
        direction = -unit  # anti-sunward, towards L2
    seen = sun - direction * offset_km / AU_KM
    results = []
    for vector in (sun, seen):
        s_ra = np.rad2deg(np.arctan2(vector[:, 1], vector[:, 0]))
        s_dec = np.rad2deg(np.arctan2(vector[:, 2], np.hypot(vector[:, 0], vector[:, 1])))
        results.append(_elongation_and_position_angle(ra, dec, s_ra, s_dec))
    (e0, p0), (e1, p1) = results
    d_elong = np.max(np.abs(e1 - e0))
    in_field = (e0 >= MIN_ELONGATION) & (e0 <= MAX_ELONGATION)
    d_pa = np.max(np.abs((p1 - p0 + 180) % 360 - 180)[in_field])
    edges = []
    for e in (e0, e1):
        mask = (e >= MIN_ELONGATION) & (e <= MAX_ELONGATION)
        edges.append(np.array([x for run in _runs(mask) for x in run]))
    shift = np.max(np.abs(edges[0] - edges[1])) if len(edges[0]) == len(edges[1]) else np.nan
    return d_elong, d_pa, shift


def main() -> None:
    t = best_of(lambda: visibility(RA, DEC, "2026-01-01", "2026-12-31"))
    print(f"one year of daily visibility: {t * 1e3:.1f} ms")
    t = best_of(lambda: visibility(RA, DEC, "2022-01-01", "2040-12-31"), 3)
    print(f"2022-2040 (6940 days) daily visibility: {t * 1e3:.1f} ms")

    nirspec = Pointing(RA, DEC, 45.0)
    nircam = Pointing(RA, DEC, nircam_apa_for(45.0) + 3.0)
    for label, dither, mosaic in (
        ("FULL3 2x1", "FULL3", Mosaic(2, 1)),
        ("FULL6 2x2", "FULL6", Mosaic(2, 2)),
    ):
        t = best_of(
            lambda d=dither, m=mosaic: worst_case_coverage(
                nirspec, nircam, (40.0, 50.0), "short", d, m, step=0.5
            )
        )
        result = worst_case_coverage(nirspec, nircam, (40.0, 50.0), "short", dither, mosaic)
        print(
            f"worst-case coverage +-5 deg, 0.5 deg step ({label}): {t * 1e3:.1f} ms "
            f"(min {result.min:.4f} at {result.apa_at_min:.1f})"
        )

    for nircam_range in ((nircam_apa_for(45.0) - 5, nircam_apa_for(45.0) + 5), (265.0, 275.0)):
        start = time.perf_counter()
        found = search_configuration(RA, DEC, (40.0, 50.0), nircam_range)
        elapsed = time.perf_counter() - start
        best = found.best
        print(
            f"configuration search (NIRSpec 40-50, NIRCam {nircam_range[0]:.1f}-"
            f"{nircam_range[1]:.1f}): {elapsed:.2f} s, {len(found.candidates)} candidates, "
            f"{found.coverage_evaluations} coverage evaluations; best: "
            + (
                f"{best.dither} {best.mosaic.label} offset {best.offset_arcsec} "
                f"NIRCam APA {best.nircam.apa:.1f}, {best.exposures} exposures, "
                f"worst {best.worst:.4f}"
                if best
                else "none"
            )
        )
        print("  trade-off:", [(r["exposures"], round(r["worst"], 4)) for r in found.trade_off])

    print("Sun seen from an observer moved from the Earth (2026-2027, daily):")
    for ra, dec in ((RA, DEC), (53.16, -27.78), (189.2, 62.2)):
        for offset, sideways, label in (
            (1.5e6, False, "1.5e6 km anti-sunward (L2)"),
            (8.0e5, True, "8e5 km sideways (halo orbit)"),
        ):
            d_elong, d_pa, shift = sun_offset_effect(ra, dec, offset, sideways)
            print(
                f"  target ({ra}, {dec}), {label}: elongation <= {d_elong:.3f} deg, "
                f"V3PA (in field) <= {d_pa:.3f} deg, window edges shift <= {shift} days"
            )


if __name__ == "__main__":
    main()
