"""Benchmark the valid-data footprint of a 20,000 x 20,000 float32 mosaic and coverage from it.

Run ``python benchmarks/bench_valid_region.py [--side N] [--keep DIR]``. It writes a
synthetic NIRCam-like mosaic in stripes (never whole in memory) to a temporary
folder: an empty primary HDU, ``SCI`` (float32, NaN outside a 2 x 3 grid of
tiles turned by 20 deg, with masked circles for bright stars) and ``WHT``
(float32, zero in a band and at scattered bad pixels), 0.031"/pixel. Then, each
in a fresh process, it prints

- ``valid_region`` with the WHT weight: time (first, then again uncached with
  the file in the page cache), peak RSS (VmHWM) before and after, and the
  cached call's time;
- the same without weight (``weight=False``, NaNs only);
- the traced area against the exact area of the tiles minus the circles (the
  synthetic mask is analytic), and the tracing error bound;
- ``image_coverage`` at a NIRSpec pointing on the mosaic (median of 30, cached
  MSA) and a 360-angle ``image_apa_sweep``.

Budgets: footprint <= 5 s and <= 600 MiB; coverage within the 20 ms of evaluate.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE = 20_000
PIXEL_ARCSEC = 0.031
RA, DEC = 53.1625, -27.7914
TILE_TURN_DEG = 20.0
STARS = ((0.30, 0.40, 150.0), (0.55, 0.62, 90.0), (0.70, 0.30, 220.0), (0.45, 0.50, 60.0))


def rss_mib() -> float:
    """Peak resident memory of this process (VmHWM, else ru_maxrss), MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def tiles(side: int) -> list[tuple[float, float, float, float]]:
    """(centre x, centre y, half width, half height) of the 2 x 3 tiles, pixels."""
    half_w, half_h = 0.16 * side, 0.11 * side
    out = []
    for row in (-1, 1):
        for column in (-1, 0, 1):
            out.append(
                (0.5 * side + column * 0.31 * side, 0.5 * side + row * 0.2 * side, half_w, half_h)
            )
    return out


def valid_rows(side: int, start: int, stop: int, with_weight_holes: bool) -> np.ndarray:
    """The synthetic valid mask for rows start:stop (pixel centres tested exactly)."""
    y = np.arange(start, stop, dtype=np.float64)[:, None]
    x = np.arange(side, dtype=np.float64)[None, :]
    cos_t, sin_t = np.cos(np.radians(TILE_TURN_DEG)), np.sin(np.radians(TILE_TURN_DEG))
    cx = cy = 0.5 * side
    u = (x - cx) * cos_t + (y - cy) * sin_t + cx
    v = -(x - cx) * sin_t + (y - cy) * cos_t + cy
    valid = np.zeros((stop - start, side), dtype=bool)
    for tx, ty, hw, hh in tiles(side):
        valid |= (np.abs(u - tx) < hw) & (np.abs(v - ty) < hh)
    for fx, fy, radius in STARS:
        valid &= (x - fx * side) ** 2 + (y - fy * side) ** 2 >= radius**2
    return valid


def exact_area_arcsec2(side: int) -> float:
    """Area of the tiles' union in the image minus the star circles (exact polygons)."""
    import shapely
    import shapely.affinity

    boxes = [shapely.box(tx - hw, ty - hh, tx + hw, ty + hh) for tx, ty, hw, hh in tiles(side)]
    union = shapely.affinity.rotate(
        shapely.union_all(boxes), TILE_TURN_DEG, origin=(0.5 * side, 0.5 * side)
    )
    circles = shapely.union_all(
        [shapely.Point(fx * side, fy * side).buffer(r, quad_segs=256) for fx, fy, r in STARS]
    )
    image = shapely.box(-0.5, -0.5, side - 0.5, side - 0.5)  # tiles reach past the edges
    exact = shapely.difference(shapely.intersection(union, image), circles)
    return float(exact.area) * PIXEL_ARCSEC**2


def write_mosaic(path: Path, side: int, stripe_rows: int = 500) -> None:
    """Primary + SCI + WHT, float32, written stripe by stripe with StreamingHDU."""
    from astropy.io import fits

    from previs.io.images import empty_sky_wcs

    _, wcs = empty_sky_wcs(RA, DEC, size_arcsec=side * PIXEL_ARCSEC, pixel_arcsec=PIXEL_ARCSEC)
    fits.PrimaryHDU().writeto(path, overwrite=True)
    rng = np.random.default_rng(1)
    for name in ("SCI", "WHT"):
        header = fits.Header()
        header["XTENSION"] = "IMAGE"
        header["BITPIX"] = -32
        header["NAXIS"] = 2
        header["NAXIS1"] = side
        header["NAXIS2"] = side
        header["PCOUNT"] = 0
        header["GCOUNT"] = 1
        header["EXTNAME"] = name
        header.extend(wcs.to_header(), update=True)
        stream = fits.StreamingHDU(str(path), header)
        for start in range(0, side, stripe_rows):
            stop = min(side, start + stripe_rows)
            valid = valid_rows(side, start, stop, name == "WHT")
            if name == "SCI":
                values = rng.standard_normal(valid.shape, dtype=np.float32)
                values[~valid] = np.nan
            else:
                values = np.where(valid, np.float32(1.0), np.float32(0.0))
                band = slice(max(0, int(0.62 * side) - start), max(0, int(0.64 * side) - start))
                values[band, :] = 0.0  # a strip of zero weight (a failed exposure)
                bad = rng.random(valid.shape) < 1e-3  # isolated bad pixels
                values[bad] = 0.0
            stream.write(values.astype(">f4"))
        stream.close()


def child(path: str, weight: str) -> None:
    """One fresh process: trace, then the cached call, then coverage."""
    os.environ.setdefault("PREVIS_CACHE_DIR", str(Path(path).parent / "cache"))
    from previs.geometry.attitude import Pointing
    from previs.geometry.image_coverage import image_apa_sweep, image_coverage
    from previs.io.valid_region import valid_region

    choice = False if weight == "none" else None
    before = rss_mib()
    start = time.perf_counter()
    region = valid_region(path, weight=choice, cache=True)
    elapsed = time.perf_counter() - start
    after = rss_mib()
    start = time.perf_counter()
    valid_region(path, weight=choice)
    cached = time.perf_counter() - start
    start = time.perf_counter()
    valid_region(path, weight=choice, cache=False)
    warm = time.perf_counter() - start
    info = region.to_dict()
    print(
        f"  weight={info['weight']}: {elapsed:.2f} s ({warm:.2f} s again, file in the page "
        f"cache); peak RSS {before:.0f} MiB after imports, {after:.0f} MiB after tracing; "
        f"cached call {1e3 * cached:.1f} ms"
    )
    print(
        f'    block {info["block"]}, tracing error <= {info["tracing_error_arcsec"]:.3f}", '
        f"{len(region.geometry.geoms)} polygons, "
        f"{sum(len(p.interiors) for p in region.geometry.geoms)} holes, "
        f"{int(__import__('shapely').get_num_coordinates(region.geometry))} vertices"
    )
    if weight == "none":
        exact = exact_area_arcsec2(int(info["shape"][1]))
        print(
            f"    area {region.area_arcsec2:.2f} arcsec^2 vs exact {exact:.2f} "
            f"({100 * (region.area_arcsec2 / exact - 1):+.4f} %)"
        )
    nirspec = Pointing(RA, DEC, 45.0)
    image_coverage(region, nirspec)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        coverage = image_coverage(region, nirspec)
        times.append(time.perf_counter() - start)
    print(
        f"    image_coverage {1e3 * statistics.median(times):.2f} ms median: covered "
        f"{100 * coverage.covered:.2f} % (+- {100 * coverage.covered_error:.3f} %)"
    )
    start = time.perf_counter()
    sweep = image_apa_sweep(region, nirspec, np.arange(360.0))
    print(
        f"    image_apa_sweep 360 APAs {1e3 * (time.perf_counter() - start):.0f} ms: "
        f"worst {100 * sweep.min():.2f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=SIDE)
    parser.add_argument("--keep", metavar="DIR", help="write (and keep) the mosaic here")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="previs_bench_") as temp:
        folder = Path(args.keep or temp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"mosaic{args.side}.fits"
        if not path.exists():
            start = time.perf_counter()
            write_mosaic(path, args.side)
            print(
                f"wrote {path.name}: {path.stat().st_size / 2**30:.2f} GiB in "
                f"{time.perf_counter() - start:.1f} s"
            )
        env = dict(os.environ, PREVIS_CACHE_DIR=str(Path(temp) / "cache"))
        for weight in ("auto", "none"):
            subprocess.run(
                [sys.executable, __file__, "--child", str(path), weight], check=True, env=env
            )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
