"""Benchmark APT programs: reading a 100,000-line pointing report, evaluating a 20 x 20 mosaic.

Run: ``python benchmarks/bench_apt.py``. Prints medians of wall-clock and CPU time
(the machine is shared: CPU time is the steadier figure). Budgets: reading a
100,000-line report < 1 s; ``evaluate`` of a 20 x 20 FULL6 mosaic (2,400 exposures,
19,200 detector outlines) <= 200 ms. Also: the same exposures held explicitly, and with
four NIRSpec pointings (coverage of each and together, source counts, the worst case
over an APA range with every pointing turned together).
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import numpy as np

from previs.catalog.sources import count_sources_by_pointing
from previs.catalog.table import Catalog
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage, msa_geometry
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Exposures, Mosaic
from previs.io.apt import read_apt
from previs.io.apt_pointing import parse_pointing_report
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import worst_case_coverage

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "apt"
RA, DEC = 53.1625, -27.7914


def timed(function, repeats: int) -> tuple[float, float]:
    """Median wall and CPU time of ``function()``, milliseconds."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def big_report(lines: int = 100_000) -> str:
    """A report of ``lines`` lines: observation 1 of the deep-field fixture (NIRCam
    rows with MIRI parallels, 72 rows in 4 visits) repeated as observations 1, 2, ..."""
    text = (DATA / "deep_field.pointing").read_text()
    head, _, body = text.partition("=" * 40 + "\n")
    block = body.split("=" * 40 + "\n")[0]
    parts, count, number = [head], head.count("\n"), 0
    while count < lines:
        number += 1
        copy = re.sub(r"\(Obs 1\)", f"(Obs {number})", block)
        copy = re.sub(r"Visit 1:", f"Visit {number}:", copy)
        parts.append("=" * 40 + "\n" + copy)
        count += copy.count("\n") + 1
    return "".join(parts)


def main() -> None:
    text = big_report()
    wall, cpu = timed(lambda: parse_pointing_report(text, "big.pointing"), repeats=5)
    lines = f"{text.count(chr(10)):,}"
    print(f"read a {lines}-line pointing report:          {wall:7.0f} ms  (cpu {cpu:.0f})")

    program = read_apt(DATA / "pid1134_mosaics.pointing")
    wall, cpu = timed(lambda: program.nircam_footprint(2, 45.0, "short"), repeats=20)
    print(f"footprint of a 13x3 APT mosaic from its report:    {wall:7.2f} ms  (cpu {cpu:.2f})")

    plan = Plan.centred(RA, DEC, 45.0, dither="FULL6", mosaic=Mosaic(20, 20), channel="short")
    evaluate(plan)
    wall, cpu = timed(lambda: evaluate(plan), repeats=15)
    print(f"evaluate, 20x20 FULL6 (2,400 exposures), cached MSA: {wall:6.1f} ms  (cpu {cpu:.1f})")
    apas = iter(np.linspace(0.0, 360.0, 1000))

    def moving():
        msa_geometry.cache_clear()
        evaluate(plan.replace(nirspec=Pointing(RA, DEC, next(apas))))

    wall, cpu = timed(moving, repeats=15)
    print(f"evaluate, 20x20 FULL6, NIRSpec APA changing:         {wall:6.1f} ms  (cpu {cpu:.1f})")
    wall, cpu = timed(lambda: nircam_footprint(plan.nircam, "short", "FULL6", plan.mosaic), 15)
    print(f"  of which the NIRCam footprint (19,200 outlines):   {wall:6.1f} ms  (cpu {cpu:.1f})")
    footprint = nircam_footprint(plan.nircam, "short", "FULL6", plan.mosaic)
    wall, cpu = timed(lambda: compute_coverage(plan.nirspec, footprint), 15)
    print(f"  and the coverage (area, quadrants, depth):          {wall:6.1f} ms  (cpu {cpu:.1f})")

    exposures = Exposures.from_pattern("FULL6", plan.mosaic)
    explicit = plan.replace(dither=exposures, mosaic=Mosaic())
    evaluate(explicit)
    wall, cpu = timed(lambda: evaluate(explicit), repeats=15)
    print(f"evaluate, the same 2,400 as explicit Exposures:      {wall:6.1f} ms  (cpu {cpu:.1f})")
    wall, cpu = timed(lambda: hash(Exposures.from_dict(exposures.to_dict())), repeats=15)
    print(f"  Exposures JSON round trip + hash (2,400):          {wall:6.1f} ms  (cpu {cpu:.1f})")

    report = DATA / "preimaging_mos.pointing"
    apt = read_apt(report)
    msa = apt.nirspec_pointings(2, 45.0)
    several = explicit.replace(
        nirspec=msa[0], extra_nirspec=tuple(msa[1:]), nircam=Pointing(RA, DEC, 300.0)
    )
    evaluate(several)
    wall, cpu = timed(lambda: evaluate(several), repeats=15)
    print(f"evaluate, 2,400 exposures, 4 NIRSpec pointings:      {wall:6.1f} ms  (cpu {cpu:.1f})")
    rng = np.random.default_rng(1)
    catalog = Catalog(RA + rng.uniform(-0.1, 0.1, 100_000), DEC + rng.uniform(-0.1, 0.1, 100_000))
    result = evaluate(several)
    count_sources_by_pointing(catalog, result)
    wall, cpu = timed(lambda: count_sources_by_pointing(catalog, result), repeats=5)
    print(f"  counts of 10^5 sources, each pointing and together: {wall:6.1f} ms  (cpu {cpu:.1f})")

    worst_cases(apt)


def worst_cases(apt) -> None:
    """The worst case over 35-55 deg (41 APAs) of the APT program's NIRCam observation
    against its NIRSpec observation: pointing 1 alone and all 4 pointings turned together;
    area only (the dashboard's tracker) and with usable coverage (evaluate, the CLI)."""
    msa = apt.nirspec_pointings(2, 45.0)
    ra, dec, _ = apt.nircam_target(1)
    setup = apt.nircam_exposures(1)
    for extra, label in (((), "1 pointing "), (tuple(msa[1:]), "4 pointings")):
        for usable in (False, True):
            nudged = iter(np.linspace(0.0, 1e-3, 1000))

            def sweep(extra=extra, usable=usable, nudged=nudged):
                # The NIRCam pointing moves a little each call: no cache helps.
                nircam = Pointing(ra + next(nudged), dec, 300.0)
                worst_case_coverage(
                    msa[0],
                    nircam,
                    (35.0, 55.0),
                    "short",
                    setup,
                    usable=usable,
                    extra_nirspec=extra,
                )

            wall, cpu = timed(sweep, repeats=7)
            kind = "area + usable" if usable else "area only    "
            print(f"worst case 35-55 deg, {label}, {kind}: {wall:6.1f} ms  (cpu {cpu:.1f})")


if __name__ == "__main__":
    main()
