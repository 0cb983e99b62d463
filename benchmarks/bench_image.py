"""Benchmark the image side: example-field generation, loading it, and loading a 1 GiB FITS.

Run ``python benchmarks/bench_image.py``. It prints

- the time to render and write the synthetic example field (into a temporary cache),
- the time of `load_image` on it,
- for a 16384 x 16384 float32 FITS (1 GiB, written in stripes to a temporary
  directory and deleted afterwards): the `load_image` time, the peak resident
  memory (VmHWM, else ru_maxrss) of a fresh process doing only that load, its
  peak before the load (imports), and the tracemalloc peak of the load.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BIG_SIDE = 16384


def rss_mib() -> float:
    """Peak resident set size of this process so far, MiB.

    Linux's ru_maxrss survives fork and exec (a child starts with its parent's peak), so
    the per-address-space high-water mark VmHWM of /proc/self/status is used when present.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def write_big_fits(path: Path, side: int = BIG_SIDE, stripe_rows: int = 512) -> None:
    """A side x side float32 image with a TAN WCS, written stripe by stripe (never whole)."""
    from astropy.io import fits

    from previs.io.images import empty_sky_wcs

    _, wcs = empty_sky_wcs(53.1625, -27.7914, size_arcsec=side * 0.03, pixel_arcsec=0.03)
    header = fits.Header()
    header["SIMPLE"] = True
    header["BITPIX"] = -32
    header["NAXIS"] = 2
    header["NAXIS1"] = side
    header["NAXIS2"] = side
    header.extend(wcs.to_header(), update=True)
    rng = np.random.default_rng(0)
    with open(path, "wb") as handle:
        handle.write(header.tostring().encode("ascii"))
        for start in range(0, side, stripe_rows):
            rows = min(stripe_rows, side - start)
            stripe = rng.standard_normal((rows, side), dtype=np.float32)
            stripe[:, :64] = np.nan  # a blank margin, as mosaics have
            handle.write(stripe.astype(">f4").tobytes())
        handle.write(b"\0" * (-handle.tell() % 2880))


def child(path: str) -> None:
    """Load `path` in this (fresh) process and print timings and memory."""
    import tracemalloc

    from previs.io.images import load_image

    before = rss_mib()
    tracemalloc.start()
    start = time.perf_counter()
    image = load_image(path)
    elapsed = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  load_image: {elapsed:.2f} s -> {image.shape[1]} x {image.shape[0]} "
        f"(block {image.block})"
    )
    print(f"  peak RSS before load (imports) {before:.0f} MiB, after load {rss_mib():.0f} MiB")
    print(f"  tracemalloc peak during load {traced_peak / 2**20:.0f} MiB")


def main() -> None:
    from previs.io import example_field
    from previs.io.images import load_image

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="previs_bench_") as temp:
        os.environ["PREVIS_CACHE_DIR"] = temp
        start = time.perf_counter()
        image, header, _ = example_field.render_example_field()
        rendered = time.perf_counter() - start
        del image, header
        start = time.perf_counter()
        path = example_field.example_image_path(regenerate=True)
        generated = time.perf_counter() - start
        print(f"example field {example_field.SHAPE[1]} x {example_field.SHAPE[0]} float32:")
        print(f"  render only {rendered:.2f} s; example_image_path(regenerate) {generated:.2f} s")
        start = time.perf_counter()
        example_field.example_image_path()
        print(f"  example_image_path() when cached {1e3 * (time.perf_counter() - start):.1f} ms")
        start = time.perf_counter()
        loaded = load_image(path)
        print(
            f"  load_image: {time.perf_counter() - start:.2f} s -> "
            f"{loaded.shape[1]} x {loaded.shape[0]} (block {loaded.block})"
        )

        big = Path(temp) / "big.fits"
        start = time.perf_counter()
        write_big_fits(big)
        size_gib = big.stat().st_size / 2**30
        print(f"{BIG_SIDE} x {BIG_SIDE} float32 FITS ({size_gib:.2f} GiB):")
        print(f"  written in stripes in {time.perf_counter() - start:.1f} s")
        subprocess.run([sys.executable, __file__, "--child", str(big)], check=True)
        big.unlink()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
