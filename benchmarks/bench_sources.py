"""Benchmark catalog reading and source counting.

Run: ``python benchmarks/bench_sources.py``. Prints:

- the time to read a 10^6-line ``.radec`` file (decimal degrees with flags,
  and sexagesimal), written to a temporary directory;
- the time to count 10^5 sources for the heaviest plan (8NIRSPEC, short
  channel, 2x2 mosaic): the first count at a NIRSpec position (projects and
  indexes the catalog) and the median recount when the plan changes but the
  NIRSpec RA/Dec does not (the dashboard's usual update), for sources spread
  over the footprint and over a wider 30' field.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from previs.catalog import Catalog, read_catalog, write_radec
from previs.catalog.sources import _plane_index, count_sources
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.projection import TangentPlane
from previs.planning.plan import Plan

RA, DEC = 53.1625, -27.7914


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench_read(directory: Path) -> None:
    rng = np.random.default_rng(1)
    n = 10**6
    catalog = Catalog(
        RA + rng.uniform(-0.2, 0.2, n), DEC + rng.uniform(-0.2, 0.2, n), rng.choice(["P", "F"], n)
    )
    path = directory / "million.radec"
    write_time = seconds(lambda: write_radec(catalog, path))
    size = path.stat().st_size / 1e6
    times = [seconds(lambda: read_catalog(path)) for _ in range(3)]
    print(f"write_radec 10^6 lines ({size:.0f} MB): {write_time:.2f} s")
    median = statistics.median(times)
    print(f"read_catalog 10^6-line .radec (decimal + flag): median of 3 {median:.2f} s")

    seconds_field = rng.uniform(0, 59.99, n)
    text = "\n".join(f"03:32:{s:06.3f} -27:47:{s:06.3f}" for s in seconds_field.tolist())
    sexagesimal = directory / "million_sexagesimal.radec"
    sexagesimal.write_text(text + "\n")
    elapsed = seconds(lambda: read_catalog(sexagesimal))
    print(f"read_catalog 10^6-line .radec (sexagesimal): {elapsed:.2f} s")


def bench_count() -> None:
    plan = Plan.centred(RA, DEC, 45.0, dither="8NIRSPEC", mosaic=Mosaic(2, 2), channel="short")
    plane = TangentPlane(RA, DEC)
    rng = np.random.default_rng(2)
    n = 10**5
    for label, half_width in (("over the footprint (+-6')", 360.0), ("over a 30' field", 900.0)):
        ra, dec = plane.to_sky(
            rng.uniform(-half_width, half_width, n), rng.uniform(-half_width, half_width, n)
        )
        catalog = Catalog(ra, dec, rng.choice(["P", "F"], n, p=[0.2, 0.8]))
        first = seconds(lambda: count_sources(catalog, plan))  # noqa: B023
        plans = [
            plan.replace(nircam=Pointing(RA, DEC, apa), nirspec=Pointing(RA, DEC, 45.0 + apa / 10))
            for apa in np.linspace(0, 350, 36)
        ]
        footprints = [nircam_footprint(p.nircam, p.channel, p.dither, p.mosaic) for p in plans]
        for p, f in zip(plans, footprints, strict=True):  # warm msa_geometry's cache
            count_sources(catalog, p.nirspec, f)
        times = []
        for _ in range(3):
            for p, f in zip(plans, footprints, strict=True):
                times.append(seconds(lambda: count_sources(catalog, p.nirspec, f)))  # noqa: B023
        counts = count_sources(catalog, plans[0].nirspec, footprints[0]).to_dict()
        _plane_index.cache_clear()
        index_time = seconds(lambda: _plane_index(catalog, plane))  # noqa: B023
        print(
            f"count_sources 10^5 sources {label}, 8NIRSPEC short 2x2 "
            f"({footprints[0].n_exposures} exposures, {len(footprints[0].ra)} detectors): "
            f"first {1000 * first:.1f} ms (projection + index {1000 * index_time:.1f} ms), "
            f"recount median {1000 * statistics.median(times):.2f} ms, "
            f"max {1000 * max(times):.2f} ms; "
            f"primary in MSA {counts['primary']['in_msa']}, imaged {counts['primary']['imaged']}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        bench_read(Path(directory))
    bench_count()


if __name__ == "__main__":
    main()
