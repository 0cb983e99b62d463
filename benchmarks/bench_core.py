"""Benchmark the core: full evaluation of the heaviest plan and 360-angle APA sweeps.

Run: ``python benchmarks/bench_core.py``. Prints medians; budgets (2-core
machine): evaluation <= 20 ms, sweep <= 1 s. When ``jwst_novt`` is importable
it also times NOVT's footprint functions on the same configurations.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.patterns import Mosaic
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import apa_sweep

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
    cached = median_ms(lambda: evaluate(plan))
    print(f"evaluate, heaviest plan, cached MSA:             {cached:7.2f} ms")
    apas = iter(np.linspace(0, 360, 10_000))

    def moving_slider():
        msa_geometry.cache_clear()
        evaluate(plan.replace(nirspec=Pointing(RA, DEC, next(apas))))

    print(f"evaluate, heaviest plan, NIRSpec APA changes:    {median_ms(moving_slider):7.2f} ms")
    sweep_apas = np.arange(360.0)
    for tie in (False, True):
        ms = median_ms(
            lambda tie=tie: apa_sweep(
                plan.nirspec,
                plan.nircam,
                sweep_apas,
                "short",
                "8NIRSPEC",
                Mosaic(2, 2),
                tie_orient=tie,
            ),
            repeats=5,
        )
        label = "tied (same V3PA)" if tie else "NIRCam fixed"
        print(f"360-angle APA sweep, heaviest plan, {label:17s} {ms:7.1f} ms")
    novt_comparison(plan)


def novt_comparison(plan: Plan) -> None:
    """Time jwst_novt's footprint functions on the same configurations, if installed.

    NOVT mosaics have two tiles at most, so its 8NIRSPEC + 2-tile mosaic is
    compared with previs' 8NIRSPEC 1x2 footprint and with previs' full
    evaluation (footprints + coverage) of the heavier 2x2 plan.
    """
    try:
        from jwst_novt import footprints as novt
    except ImportError:
        print("jwst_novt not installed: no comparison (pip install jwst-novt to compare)")
        return
    from previs.geometry.footprints import nircam_footprint, nirspec_footprint

    def novt_nircam():
        novt.nircam_dither_footprint(
            RA, DEC, plan.nircam.apa, dither_pattern="8NIRSPEC", channel="short", add_mosaic=True
        )

    novt_ms = median_ms(novt_nircam, repeats=3)
    novt_nirspec_ms = median_ms(lambda: novt.nirspec_footprint(RA, DEC, plan.nirspec.apa), 3)
    ours_fp = median_ms(
        lambda: nircam_footprint(plan.nircam, "short", "8NIRSPEC", Mosaic(1, 2)), repeats=30
    )
    ours_nirspec = median_ms(lambda: nirspec_footprint(plan.nirspec), repeats=30)
    ours_eval = median_ms(lambda: evaluate(plan), repeats=30)
    print(f"jwst_novt NIRCam 8NIRSPEC + 2-tile mosaic:  {novt_ms:9.1f} ms")
    print(
        f"previs    NIRCam 8NIRSPEC 1x2 footprint:    {ours_fp:9.2f} ms"
        f"  (x{novt_ms / ours_fp:,.0f})"
    )
    print(
        f"previs    full evaluation, 8NIRSPEC 2x2:    {ours_eval:9.2f} ms"
        f"  (x{novt_ms / ours_eval:,.0f})"
    )
    print(f"jwst_novt NIRSpec footprint:                {novt_nirspec_ms:9.1f} ms")
    print(
        f"previs    NIRSpec footprint:                {ours_nirspec:9.2f} ms  "
        f"(x{novt_nirspec_ms / ours_nirspec:,.0f})"
    )


if __name__ == "__main__":
    main()
