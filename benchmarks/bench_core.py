"""Benchmark the core: full evaluation of the heaviest plan and 360-angle APA sweeps.

Run: ``python benchmarks/bench_core.py``. Prints medians; budgets (2-core
machine): evaluation <= 20 ms, sweep <= 1 s. When ``jwst_novt`` is importable
it also times NOVT's footprint functions on the same configurations.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from previs.coverage import apa_sweep, msa_geometry
from previs.patterns import Mosaic
from previs.plan import Plan, evaluate
from previs.pointing import Pointing

RA, DEC = 53.1625, -27.7914


def median_ms(function, repeats: int = 30) -> float:
    """Median wall time of ``function()`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def heaviest_plan(apa: float = 45.0) -> Plan:
    """8NIRSPEC, short channel, 2x2 mosaic, both instruments on the target."""
    return Plan.centred(RA, DEC, apa, dither="8NIRSPEC", mosaic=Mosaic(2, 2), channel="short")


def main() -> None:
    plan = heaviest_plan()
    evaluate(plan)  # warm caches (SIAF snapshot, imports)
    print(f"evaluate, heaviest plan, cached MSA:             {median_ms(lambda: evaluate(plan)):7.2f} ms")
    apas = iter(np.linspace(0, 360, 10_000))

    def moving_slider():
        msa_geometry.cache_clear()
        evaluate(plan.replace(nirspec=Pointing(RA, DEC, next(apas))))

    print(f"evaluate, heaviest plan, NIRSpec APA changes:    {median_ms(moving_slider):7.2f} ms")
    sweep_apas = np.arange(360.0)
    for tie in (False, True):
        ms = median_ms(
            lambda tie=tie: apa_sweep(
                plan.nirspec, plan.nircam, sweep_apas, "short", "8NIRSPEC", Mosaic(2, 2), tie_orient=tie
            ),
            repeats=5,
        )
        label = "tied (same V3PA)" if tie else "NIRCam fixed"
        print(f"360-angle APA sweep, heaviest plan, {label:17s} {ms:7.1f} ms")
    novt_comparison(plan)


def novt_comparison(plan: Plan) -> None:
    """Time jwst_novt's footprint functions on the same configuration, if installed."""
    try:
        from jwst_novt import footprints as novt
    except ImportError:
        print("jwst_novt not installed: no comparison (pip install jwst-novt to compare)")
        return
    ours = median_ms(lambda: evaluate(plan), repeats=10)
    start = time.perf_counter()
    novt.nircam_dither_footprint(
        RA, DEC, pa=plan.nircam.apa, dither_pattern="FULLBOX 8NIRSPEC", add_mosaic=True,
        mosaic_rows=2, mosaic_columns=2,
    )
    novt_nircam = time.perf_counter() - start
    start = time.perf_counter()
    novt.nirspec_footprint(RA, DEC, plan.nirspec.apa)
    novt_nirspec = time.perf_counter() - start
    print(f"jwst_novt NIRCam 8NIRSPEC 2x2 footprint: {1000 * novt_nircam:9.1f} ms "
          f"(x{1000 * novt_nircam / ours:,.0f} previs' full evaluation incl. coverage)")
    print(f"jwst_novt NIRSpec footprint:             {1000 * novt_nirspec:9.1f} ms")


if __name__ == "__main__":
    main()
