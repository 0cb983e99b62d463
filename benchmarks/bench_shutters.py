"""Benchmark the MSA shutter layer: snapshot load, lookup of 10^5 sources, usable coverage,
its worst case over an APA range, MSATA counts and the summary with a large catalog.

Run: ``python benchmarks/bench_shutters.py``. Prints medians (and minima) after a
first call, and the machine's load average; budgets (2-core machine): lookup of
10^5 sources <= 20 ms, ``evaluate`` of the heaviest plan (usable coverage
included) <= 20 ms.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import shapely

from previs.geometry import operability as _operability
from previs.geometry import shutter_model as _model
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage, msa_geometry
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.shutters import place_sources, place_v2v3
from previs.geometry.usable import usable_coverage, usable_msa_coverage
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import worst_case_coverage

RA, DEC = 53.1625, -27.7914


def timings_ms(function, repeats: int = 30) -> tuple[float, float]:
    """Median and minimum wall time of ``function()`` in milliseconds (after one warm call)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), 1000 * min(times)


def heaviest_plan(apa: float = 45.0) -> Plan:
    """8NIRSPEC, short channel, 2x2 mosaic, both instruments on the target (bench_core's)."""
    return Plan.centred(RA, DEC, apa, dither="8NIRSPEC", mosaic=Mosaic(2, 2), channel="short")


def covered_area(plan: Plan):
    """The covered region in the NIRSpec tangent plane, as compute_coverage builds it."""
    footprint = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    coverage = compute_coverage(plan.nirspec, footprint, 1)
    return shapely.difference(msa_geometry(plan.nirspec).union, coverage.uncovered)


def bench_load() -> None:
    start = time.perf_counter()
    _model.msa_shutters.cache_clear()
    _model.msa_shutters()
    geometry = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    _operability.default_operability.cache_clear()
    _operability.default_operability()
    operability = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    place_v2v3(*_model.msa_shutters().quadrant(1).to_v2v3(183.0, 86.0))  # failed-open index
    first_lookup = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    usable_coverage(Pointing(RA, DEC, 45.0), shapely.box(-1, -1, 1, 1))  # builds row weights
    first_usable = 1000 * (time.perf_counter() - start)
    print(f"snapshot load: geometry {geometry:6.2f} ms, operability {operability:6.2f} ms")
    print(
        f"first-call caches: failed-open index {first_lookup:6.1f} ms, "
        f"usable row weights {first_usable:6.1f} ms"
    )


def bench_lookup() -> None:
    rng = np.random.default_rng(1)
    pointing = Pointing(RA, DEC, 45.0)
    n = 100_000
    ra = RA + rng.uniform(-0.05, 0.05, n) / np.cos(np.radians(DEC))
    dec = DEC + rng.uniform(-0.05, 0.05, n)
    on = place_sources(pointing, ra, dec).on_msa.mean()
    median, best = timings_ms(lambda: place_sources(pointing, ra, dec))
    print(
        f"lookup 10^5 sources (sky, {100 * on:.0f}% on the MSA):   {median:6.2f} ms "
        f"(min {best:.2f})"
    )
    # Every source on the MSA: the worst case for the per-source work.
    q = rng.integers(1, 5, n)
    i = rng.uniform(0.5, 365.5, n)
    j = rng.uniform(0.5, 171.5, n)
    v2 = np.empty(n)
    v3 = np.empty(n)
    for number in range(1, 5):
        sel = q == number
        v2[sel], v3[sel] = _model.msa_shutters().quadrant(number).to_v2v3(i[sel], j[sel])
    median, best = timings_ms(lambda: place_v2v3(v2, v3))
    print(f"lookup 10^5 sources (V2/V3, all on the MSA):  {median:6.2f} ms (min {best:.2f})")


def bench_usable() -> None:
    plan = heaviest_plan()
    area = covered_area(plan)
    median, best = timings_ms(lambda: usable_coverage(plan.nirspec, area))
    print(f"usable coverage, heaviest plan:               {median:6.2f} ms (min {best:.2f})")
    apas = np.linspace(0, 360, 30, endpoint=False)
    areas = [(p.nirspec, covered_area(p)) for p in (heaviest_plan(a) for a in apas)]
    times = []
    for nirspec, region in areas:
        start = time.perf_counter()
        usable_coverage(nirspec, region)
        times.append(time.perf_counter() - start)
    print(
        f"usable coverage, heaviest plan, 30 NIRSpec APAs: median {1000 * np.median(times):.2f} ms,"
        f" max {1000 * max(times):.2f} ms"
    )
    partial = Plan(
        Pointing(RA, DEC, 45.0),
        Pointing(RA + 0.01, DEC - 0.005, 80.0),
        dither="FULL6",
        mosaic=Mosaic(1, 2),
        channel="short",
    )
    region = covered_area(partial)
    median, best = timings_ms(lambda: usable_coverage(partial.nirspec, region))
    print(
        f"usable coverage, partial FULL6 1x2 ({shapely.get_num_coordinates(region)} vertices): "
        f"{median:6.2f} ms (min {best:.2f})"
    )
    for label, p in (("heaviest plan", plan), ("partial FULL6 1x2", partial)):
        footprint = nircam_footprint(p.nircam, p.channel, p.dither, p.mosaic)
        covering = compute_coverage(p.nirspec, footprint, 1).covering
        median, best = timings_ms(lambda c=covering, q=p: usable_msa_coverage(q.nirspec, c))
        print(
            f"usable_msa_coverage (what evaluate adds), {label}: {median:6.2f} ms (min {best:.2f})"
        )


def bench_evaluate() -> None:
    plan = heaviest_plan()
    median, best = timings_ms(lambda: evaluate(plan))
    print(f"evaluate, heaviest plan (usable coverage included): {median:6.2f} ms (min {best:.2f})")
    apas = iter(np.linspace(0, 360, 10_000))

    def moving_slider():
        msa_geometry.cache_clear()
        evaluate(plan.replace(nirspec=Pointing(RA, DEC, next(apas))))

    median, best = timings_ms(moving_slider)
    print(f"evaluate, heaviest plan, NIRSpec APA changing: {median:6.2f} ms (min {best:.2f})")
    partial = Plan(
        Pointing(RA, DEC, 45.0),
        Pointing(RA + 0.01, DEC - 0.005, 80.0),
        dither="FULL6",
        mosaic=Mosaic(1, 2),
        channel="short",
    )
    for label, p in (("heaviest plan", plan), ("partial FULL6 1x2", partial)):
        for usable in (False, True):
            median, best = timings_ms(
                lambda p=p, u=usable: worst_case_coverage(
                    p.nirspec, p.nircam, (40.0, 50.0), p.channel, p.dither, p.mosaic, usable=u
                ),
                repeats=7,
            )
            what = "area + usable" if usable else "area only    "
            print(
                f"worst case over 40-50 deg (21 APAs), {label}, {what}: {median:6.1f} ms "
                f"(min {best:.1f})"
            )


def bench_catalog() -> None:
    from previs.catalog import Catalog, summarize
    from previs.catalog.msata import msata_worst_case
    from previs.catalog.summary import place_catalog

    rng = np.random.default_rng(2)
    n = 100_000
    plan = heaviest_plan().replace(nirspec_apa_range=(40.0, 50.0))
    flags = rng.choice(["P", "F", "R"], n, p=[0.3, 0.698, 0.002])
    catalog = Catalog(
        RA + rng.uniform(-0.05, 0.05, n) / np.cos(np.radians(DEC)),
        DEC + rng.uniform(-0.05, 0.05, n),
        flags,
        magnitudes={"NRS_F110W": rng.uniform(18, 26, n), "NRS_CLEAR": rng.uniform(18, 26, n)},
    )
    summarize(plan, catalog)
    pre_imaged = np.ones(n, dtype=bool)
    apas = np.linspace(40.0, 50.0, 21)
    median, best = timings_ms(
        lambda: msata_worst_case(catalog, plan.nirspec, apas, pre_imaged), repeats=10
    )
    print(
        f"MSATA worst case, {int(catalog.reference.sum())} reference stars of 10^5, 21 APAs: "
        f"{median:6.2f} ms (min {best:.2f})"
    )
    apa_values = iter(np.linspace(40.0, 50.0, 1000))

    def slider():
        summarize(plan.replace(nirspec=Pointing(RA, DEC, next(apa_values))), catalog)

    median, best = timings_ms(slider, repeats=10)
    print(
        f"summarize, heaviest plan + 10^5 sources, NIRSpec APA changing: {median:6.1f} ms "
        f"(min {best:.1f}; the placement of 10^5 sources included; the MSATA worst case is cached)"
    )
    place_catalog.cache_clear()
    median, best = timings_ms(
        lambda: place_catalog.__wrapped__(catalog, plan.nirspec, _operability.default_operability())
    )
    print(f"place_catalog, 10^5 sources (uncached):  {median:6.2f} ms (min {best:.2f})")


def main() -> None:
    import os

    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    bench_load()
    bench_lookup()
    bench_usable()
    bench_evaluate()
    bench_catalog()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
