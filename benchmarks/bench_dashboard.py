"""Benchmark the dashboard's update path in-process (no browser).

Run: ``python benchmarks/bench_dashboard.py``. On the bundled example field
with the example catalog it prints, per NIRSpec APA change (median of 30):

- the kernel-side update without drawing (evaluate both channels, count the
  catalog, readout HTML, move the artists);
- the canvas frame with a full redraw (what ``draw_idle`` costs: WCSAxes frame,
  grid, ticks, image resampling, overlay) plus the PNG the ipympl front end gets;
- the canvas frame with blitting (restore the cached static layer, draw the
  overlay, PNG of the changed pixels), as the dashboard does now;
- the worst-case coverage over a 22-degree NIRSpec APA range (Schedule tab);
- zoomed in to 20" on the MSA, where the shutter layer draws the shutters in view
  and the targets' states: a zoom or pan (full redraw, shutters worked out again)
  and a NIRSpec APA change (blit, shutters worked out again).
- the kernel update and the blitted frame with an APT program's observations picked
  (``tests/data/apt/preimaging_mos.pointing``: APT's FULL3 + 2x1 NIRCam exposures with
  tile and dither labels, four MSA pointings turning with the slider).

The browser latencies (slider change to new readout and new canvas) are
measured by tests/test_browser.py, which prints them.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from previs.catalog import count_sources
from previs.dashboard.app import Dashboard


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000.0:6.1f} ms"


def main() -> None:
    dashboard = Dashboard(schedule=False)
    canvas, view = dashboard.canvas, dashboard.view
    canvas.syncing_data_url = False  # as after the browser front end connected
    apas = np.linspace(10.0, 350.0, 30)

    view.blit = False
    dashboard.show_example()  # rebuild the artists, not animated
    dashboard.update_times_ms.clear()
    full = []
    for apa in apas:
        dashboard.controls.nirspec_apa.value = float(apa)
        start = time.perf_counter()
        canvas.draw()  # what the front end asks for after draw_idle
        full.append(time.perf_counter() - start)
    kernel = [t / 1000.0 for t in dashboard.update_times_ms]

    view.blit = True
    dashboard.show_example()  # rebuild the artists as animated
    canvas.draw()
    blit = []
    for apa in apas:
        dashboard.controls.nirspec_apa.value = float(apa) + 0.5
        start = time.perf_counter()
        assert view.refresh() == "blit"
        blit.append(time.perf_counter() - start)

    zoom_draw, zoom_blit, shutters = zoomed_in(dashboard, apas)

    dashboard.apply_orientations(dashboard.plan.nircam.apa, (195.0, 217.0))
    worst = []
    for dither in ("FULL3", "FULL6", "8NIRSPEC", "FULL3TIGHT") * 5:
        dashboard.controls.dither.value = dither
        worst.append(dashboard.worst_case_times_ms[-1] / 1000.0)

    print("dashboard update per NIRSpec APA change (example field + 320-source catalog)")
    print(f"  kernel update, both channels + counts + readout + artists: {median_ms(kernel)}")
    counting = []
    for _ in range(50):
        start = time.perf_counter()
        count_sources(dashboard.catalog, dashboard.result)
        counting.append(time.perf_counter() - start)
    print(f"  catalog count only:                                     {median_ms(counting)}")
    print(f"  frame with a full redraw + PNG:                         {median_ms(full)}")
    print(f"  frame with blitting + PNG of changed pixels:            {median_ms(blit)}")
    print(f"  worst case over a 22 deg NIRSpec APA range:             {median_ms(worst)}")
    print(f"zoomed in to 20 arcsec ({shutters} shutters in view):")
    print(f"  zoom or pan: full redraw with the shutter layer + PNG:    {median_ms(zoom_draw)}")
    print(f"  NIRSpec APA change: blit with the shutters moved + PNG:   {median_ms(zoom_blit)}")
    print(f"  NIRCam APA change: blit, targets placed again + PNG:      "
          f"{median_ms(zoomed_in.nircam_blits)}")  # fmt: skip
    with_apt(dashboard, apas)


def zoomed_in(dashboard: Dashboard, apas: np.ndarray) -> tuple[list, list, int]:
    """Frame times zoomed in on a catalog target in the MSA: after a pan (full draw) and
    after a NIRSpec APA change (blit); and the number of shutters in view."""
    canvas, view = dashboard.canvas, dashboard.view
    counts, catalog = dashboard.counts, dashboard.catalog
    target = int(np.flatnonzero(counts.in_msa)[0])
    x, y = view.sky_to_pixel(catalog.ra[target : target + 1], catalog.dec[target : target + 1])
    half = 10.0 / view.pixel_scale_arcsec()
    draws = []
    for shift in np.linspace(-half / 2, half / 2, 15):  # a pan across the target
        view.ax.set_xlim(x[0] + shift - half, x[0] + shift + half)
        view.ax.set_ylim(y[0] - half, y[0] + half)
        start = time.perf_counter()
        canvas.draw()
        draws.append(time.perf_counter() - start)
    assert view.shutters.shown
    blits = []
    for apa in apas[:15]:
        dashboard.controls.nirspec_apa.value = 45.0 + (apa - 180.0) / 340.0  # stay in view
        start = time.perf_counter()
        assert view.refresh() == "blit"
        blits.append(time.perf_counter() - start)
    nircam = dashboard.controls.nircam_apa
    moves = []  # a NIRCam change: the targets' states change, the shutters stay
    for step in range(15):
        nircam.value = (nircam.value + (1.0 if step % 2 == 0 else -1.0)) % 360.0
        start = time.perf_counter()
        assert view.refresh() == "blit"
        moves.append(time.perf_counter() - start)
    zoomed_in.nircam_blits = moves
    shown = len(view.shutters.drawn[0])
    drawn = getattr(view.shutters, "drawn_pointing", np.zeros(min(shown, 1), dtype=int))
    zoomed_in.pointings = len(set(drawn.tolist()))  # MSA pointings whose shutters are in view
    dashboard.view.fit_all()
    canvas.draw()
    return draws, blits, shown


def with_apt(dashboard: Dashboard, apas: np.ndarray) -> None:
    """The kernel update and the blitted frame with an APT program's observations picked,
    and zoomed in where the shutters of several MSA pointings are drawn."""
    canvas, view = dashboard.canvas, dashboard.view
    apt = Path(__file__).resolve().parents[1] / "tests" / "data" / "apt" / "preimaging_mos.pointing"
    if apt.is_file():
        dashboard.apply_orientations(dashboard.plan.nircam.apa, None)
        dashboard.load_apt(apt)
        dashboard.pick_apt(nircam=1, nirspec=2)
        view.blit = False  # the kernel's own work, as above (no frame in the update)
        dashboard.show_example()
        dashboard.update_times_ms.clear()
        for apa in apas:
            dashboard.controls.nirspec_apa.value = float(apa) + 0.25
        apt_kernel = [t / 1000.0 for t in dashboard.update_times_ms]
        view.blit = True
        dashboard.show_example()
        canvas.draw()
        apt_blit = []
        for apa in apas:
            dashboard.controls.nirspec_apa.value = float(apa) + 0.75
            start = time.perf_counter()
            assert view.refresh() == "blit"
            apt_blit.append(time.perf_counter() - start)
        print("with APT obs 1 (6 exposures, 2 tiles) and obs 2 (4 MSA pointings) picked")
        kernel_ms = median_ms(apt_kernel)
        print(f"  kernel update, both channels + counts + readout + artists: {kernel_ms}")
        print(f"  frame with blitting + PNG of changed pixels:            {median_ms(apt_blit)}")

        zoom_draw, zoom_blit, shutters = zoomed_in(dashboard, apas)
        pointings = zoomed_in.pointings
        print(f"  zoomed in ({shutters} shutters of {pointings} pointings in view): zoom or pan "
              f"{median_ms(zoom_draw)}, APA change (blit) {median_ms(zoom_blit)}, NIRCam "
              f"change (blit) {median_ms(zoomed_in.nircam_blits)}")  # fmt: skip


if __name__ == "__main__":
    main()
