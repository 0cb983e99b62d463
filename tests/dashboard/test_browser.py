"""The dashboard as users see it: Voila serving notebooks/dashboard.ipynb, driven by Chromium.

Needs Voila, Playwright (Python) and a Chromium: ``PREVIS_CHROMIUM`` names the
executable, else ``/usr/bin/chromium`` (Debian), else Playwright's own browser.
Without Playwright or a browser the tests are skipped, except when ``CI=true``
or ``PREVIS_REQUIRE_BROWSER=1``: then they fail.

Screenshots go to tests/artifacts/ (git-ignored); with
``PREVIS_UPDATE_SCREENSHOTS=1`` the dashboard screenshot (example field and
catalog) is also copied to docs/screenshots/dashboard.png and the Schedule tab's
to docs/screenshots/schedule.png. Latencies from a slider change to the updated
readout and to the updated canvas are printed (and written to
tests/artifacts/latency.txt), not asserted.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time

import pytest
from browser_support import ARTIFACTS, REPO

from previs.catalog import read_catalog
from previs.catalog.sources import count_sources
from previs.dashboard.app import default_plan
from previs.dashboard.text import format_percent
from previs.geometry.attitude import Pointing
from previs.io.example_field import example_catalog_path
from previs.planning.plan import evaluate
from previs.planning.schedule import plan_schedule
from previs.planning.sweep import worst_case_coverage

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "screenshots"
APA_CHANGES = (100.0, 160.0, 220.0, 280.0, 330.0)
# Pre-imaging date and NIRSpec window typed into the Schedule tab (GOODS-S is visible then).
SCHEDULE_DATES = ("2028-08-10", "2028-10-20", "2028-11-10")
MSA_RGB = (0x27, 0xD3, 0xFF)  # previs.plotting.sky.STYLE["msa"]

# Installed once in the page: arm() resets the clocks; the first Enter pressed
# after it starts them (or, with `now`, arming does); the readout and the canvas
# pixels are then watched.
MEASURE_JS = """
(now) => {
  if (!window.__previs) {
    window.__previs = {t0: null, readout: null, canvas: null, armed: false};
    document.addEventListener('keydown', (e) => {
      const s = window.__previs;
      if (e.key === 'Enter' && s.armed && s.t0 === null) s.t0 = performance.now();
    }, true);
  }
  const s = window.__previs;
  const root = document.querySelector('.previs-readout');
  const covered = () => (root.querySelector('.previs-covered') || {}).textContent;
  const canvas = document.querySelector('.previs-sky canvas');
  const ctx = canvas.getContext('2d');
  const signature = () => {
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 28) h = (Math.imul(h, 31) + d[i]) | 0;
    return h;
  };
  Object.assign(s, {t0: now ? performance.now() : null, readout: null, canvas: null,
                   armed: true});
  const startText = covered();
  const startPixels = signature();
  const poll = () => {
    const now = performance.now();
    if (s.t0 !== null && s.readout === null && covered() !== startText) s.readout = now;
    // The kernel sends the readout before the new frame: count pixel changes after it.
    if (s.readout !== null && s.canvas === null && signature() !== startPixels) s.canvas = now;
    if (s.readout === null || s.canvas === null) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}
"""


@pytest.fixture(scope="module")
def page(browser, voila_url):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    start = time.monotonic()
    page.goto(voila_url, wait_until="commit")
    page.wait_for_selector("#rendered_cells", state="visible", timeout=90_000)
    page.wait_for_selector(".previs-readout .previs-covered", timeout=90_000)
    page.wait_for_selector(".previs-sky .jupyter-matplotlib-canvas-div canvas", timeout=30_000)
    assert "Traceback" not in page.inner_text("#rendered_cells")
    _wait_for_canvas_content(page)
    print(f"\ndashboard ready {time.monotonic() - start:.1f} s after page load")
    yield page
    page.close()


def _canvas_png(page) -> bytes:
    return page.locator(".previs-sky .jupyter-matplotlib-canvas-div").screenshot()


def _wait_for_canvas_content(page, timeout_s: float = 30.0) -> None:
    """Wait until the figure canvas has been painted (not blank) and stops changing."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        painted = page.evaluate(
            """() => { const c = document.querySelector('.previs-sky canvas');
                       const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       let dark = 0; for (let i = 0; i < d.length; i += 400) if (d[i] < 128) dark++;
                       return dark; }"""
        )
        if painted > 100 and painted == previous:
            return
        previous = painted
        time.sleep(0.3)
    pytest.fail("the dashboard figure was never drawn")


def _scroll_to_top(page) -> None:
    page.evaluate(
        "() => { window.scrollTo(0, 0); for (const e of document.querySelectorAll('*'))"
        " if (e.scrollTop) e.scrollTop = 0; }"
    )


def _wait_for_stable(snapshot, timeout_s: float = 10.0, quiet_s: float = 0.8) -> None:
    """Wait until ``snapshot()`` stops changing for ``quiet_s`` seconds."""
    deadline = time.monotonic() + timeout_s
    last, since = snapshot(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        current = snapshot()
        if current != last:
            last, since = current, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return


def _canvas_signature(page) -> str:
    """A hash of the figure canvas pixels (independent of the element's layout box)."""
    return page.evaluate(
        """() => { const c = document.querySelector('.previs-sky canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let h = 0; for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
                   return c.width + 'x' + c.height + ':' + h; }"""
    )


def _covered(page) -> str:
    return page.inner_text(".previs-readout .previs-covered").strip()


def _msa_pixels(page) -> dict:
    """How many canvas pixels have the MSA outline colour, and a hash of where they are."""
    return page.evaluate(
        """(rgb) => { const c = document.querySelector('.previs-sky canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0, h = 0;
                   for (let i = 0; i < d.length; i += 4) {
                     const off = Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1])
                                 + Math.abs(d[i + 2] - rgb[2]);
                     if (off < 40) {
                       n++; h = (Math.imul(h, 31) + i) | 0; } }
                   return {count: n, where: h}; }""",
        list(MSA_RGB),
    )


def _readout_counts(page) -> dict:
    counts = {}
    for kind in ("primary", "filler"):
        for column, key in (
            ("in-msa", "in_msa"),
            ("imaged", "in_msa_imaged"),
            ("at-risk", "at_risk"),
        ):
            text = page.inner_text(f".previs-readout .previs-{kind}-{column}").strip()
            counts.setdefault(kind, {})[key] = int(text)
    return counts


def _expected_counts(plan) -> dict:
    counts = count_sources(read_catalog(example_catalog_path()), evaluate(plan)).to_dict()
    return {
        kind: {key: counts[kind][key] for key in ("in_msa", "in_msa_imaged", "at_risk")}
        for kind in ("primary", "filler")
    }


def _set_nirspec_apa(page, value: float) -> None:
    readout = page.locator(".previs-nirspec-apa .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{value:g}")
    page.keyboard.press("Enter")


def _plan_at(apa: float):
    plan = default_plan()
    return plan.replace(nirspec=Pointing(plan.nirspec.ra, plan.nirspec.dec, apa))


def _expected_covered(apa: float) -> str:
    return format_percent(evaluate(_plan_at(apa)).coverage.covered)


def test_apa_slider_updates_readout_and_canvas(page):
    assert _covered(page) == format_percent(evaluate(default_plan()).coverage.covered)
    # The example catalog comes with the example image: its counts are in the readout.
    assert _readout_counts(page) == _expected_counts(default_plan())
    page.screenshot(path=str(ARTIFACTS / "dashboard_initial.png"))
    readout_ms, canvas_ms = [], []
    previous = _covered(page)
    msa = _msa_pixels(page)
    for apa in APA_CHANGES:
        expected = _expected_covered(apa)
        assert expected != previous, "choose APAs whose coverage differs"
        before = _canvas_png(page)
        page.evaluate(MEASURE_JS, False)
        _set_nirspec_apa(page, apa)
        page.wait_for_function(
            "(e) => document.querySelector('.previs-readout .previs-covered').textContent"
            ".trim() === e",
            arg=expected,
            timeout=15_000,
        )
        page.wait_for_function(
            "() => window.__previs.readout !== null && window.__previs.canvas !== null",
            timeout=15_000,
        )
        times = page.evaluate("() => window.__previs")
        readout_ms.append(times["readout"] - times["t0"])
        canvas_ms.append(times["canvas"] - times["t0"])
        assert _covered(page) == expected
        deadline = time.monotonic() + 10
        while _canvas_png(page) == before:
            assert time.monotonic() < deadline, "the canvas did not change after the APA change"
            time.sleep(0.1)
        # The (blitted) overlay is drawn, and the MSA outline moved.
        moved = _msa_pixels(page)
        assert moved["count"] > 800 and moved["where"] != msa["where"]
        msa = moved
        assert _readout_counts(page) == _expected_counts(_plan_at(apa))
        previous = expected
    assert page.locator(".previs-nirspec-apa .widget-readout").inner_text().strip() == "330.0"
    _wait_for_canvas_content(page)
    _scroll_to_top(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard_apa.png"))
    if os.environ.get("PREVIS_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTIFACTS / "dashboard_apa.png", SCREENSHOTS / "dashboard.png")
    report = (
        f"slider change -> readout: median {statistics.median(readout_ms):.0f} ms "
        f"({', '.join(f'{t:.0f}' for t in readout_ms)})\n"
        f"slider change -> canvas:  median {statistics.median(canvas_ms):.0f} ms "
        f"({', '.join(f'{t:.0f}' for t in canvas_ms)})\n"
    )
    (ARTIFACTS / "latency.txt").write_text(report)
    print("\n" + report)


def test_bad_upload_shows_an_error_and_keeps_the_image(page, tmp_path):
    image_name = page.inner_text(".previs-image-name")
    assert "example" in image_name
    before = _canvas_signature(page)
    bad = tmp_path / "bad.fits"
    bad.write_bytes(b"SIMPLE  =                    T / not really" + b"\0" * 100)
    # ipywidgets' FileUpload keeps its <input type=file> out of the DOM: answer the chooser.
    with page.expect_file_chooser() as chooser:
        page.click(".previs-upload")
    chooser.value.set_files(str(bad))
    page.wait_for_function(
        "() => document.querySelector('.previs-status').innerText.includes('was not shown')",
        timeout=15_000,
    )
    status = page.inner_text(".previs-status")
    assert "bad.fits was not shown" in status and "The figure keeps" in status
    time.sleep(1.0)  # any (unwanted) redraw would have arrived by now
    assert page.inner_text(".previs-image-name") == image_name
    assert _canvas_signature(page) == before
    page.screenshot(path=str(ARTIFACTS / "dashboard_bad_upload.png"))


def test_schedule_tab_sets_the_nircam_apa_and_the_worst_case(page):
    """Type dates in the Schedule tab, use its orientations, read the Plan tab."""
    imaging, start, end = SCHEDULE_DATES
    plan = default_plan()
    schedule = plan_schedule(plan.nirspec.ra, plan.nirspec.dec, imaging, start, end)
    assert schedule.status == "ok"
    nircam_apa = schedule.nircam_apa_nominal
    nircam = Pointing(plan.nircam.ra, plan.nircam.dec, nircam_apa)
    worst = worst_case_coverage(
        plan.nirspec, nircam, schedule.nirspec_apa, plan.channel, plan.dither, plan.mosaic
    )
    slider = page.locator(".previs-nircam-apa .widget-readout")
    assert slider.inner_text().strip() != f"{nircam_apa % 360:.1f}"
    assert page.locator(".previs-readout .previs-worst-case").count() == 0

    page.locator(".lm-TabBar-tab", has_text="Schedule").click()
    pickers = page.locator(".previs-schedule .widget-datepicker input")
    pickers.first.wait_for(state="visible", timeout=15_000)
    for k, value in enumerate(SCHEDULE_DATES):
        pickers.nth(k).fill(value)
    page.wait_for_function(
        "(t) => document.querySelector('.previs-schedule-orientation').innerText.includes(t)",
        arg=f"{nircam_apa % 360:.1f}",
        timeout=15_000,
    )
    page.locator(".previs-schedule button", has_text="Use these orientations").click()
    page.wait_for_function(
        "() => document.querySelector('.previs-schedule-message').innerText.includes('Sent')",
        timeout=15_000,
    )
    # A taller window shows the timeline and the coverage plot; let their frames arrive.
    page.set_viewport_size({"width": 1360, "height": 1640})
    _scroll_to_top(page)
    timeline = page.locator(".previs-schedule-timeline canvas").first
    _wait_for_stable(lambda: timeline.screenshot())
    page.screenshot(path=str(ARTIFACTS / "schedule.png"))
    page.set_viewport_size({"width": 1360, "height": 900})
    if os.environ.get("PREVIS_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(ARTIFACTS / "schedule.png", SCREENSHOTS / "schedule.png")

    page.locator(".lm-TabBar-tab", has_text="Plan").click()
    page.wait_for_selector(".previs-readout .previs-worst-case", timeout=15_000)
    assert slider.inner_text().strip() == f"{nircam_apa % 360:.1f}"
    assert page.inner_text(".previs-readout .previs-worst-case").strip() == format_percent(
        worst.min
    )
    assert page.inner_text(".previs-readout .previs-worst-apa").strip() == (
        f"{worst.apa_at_min:.1f}°"
    )
    nirspec_apa = float(page.locator(".previs-nirspec-apa .widget-readout").inner_text())
    expected_plan = _plan_at(nirspec_apa).replace(nircam=nircam)
    assert _covered(page) == format_percent(evaluate(expected_plan).coverage.covered)
    _wait_for_canvas_content(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard_schedule_applied.png"))


def test_export_button_writes_a_file_and_offers_a_download(page, tmp_path):
    folder = tmp_path / "exports"
    page.get_by_label("Output folder").fill(str(folder))
    page.get_by_label("Output folder").press("Enter")
    page.locator(".previs-export-regions").click()
    link = page.locator(".previs-export-message a.previs-download")
    link.wait_for(timeout=15_000)
    written = folder / "previs.reg"
    assert written.exists() and str(written) in page.inner_text(".previs-export-message")
    assert link.get_attribute("download") == "previs.reg"
    assert link.get_attribute("href").startswith("data:text/plain;base64,")
    assert "polygon" in written.read_text()


def test_a_large_upload_reaches_the_kernel(page, tmp_path):
    """A 16 MB FITS upload (over the websocket's default 10 MiB limit) loads."""
    import numpy as np
    from astropy.io import fits
    from astropy.wcs import WCS

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [53.1625, -27.7914]
    wcs.wcs.crpix = [1000.5, 1000.5]
    wcs.wcs.cd = [[-0.06 / 3600, 0.0], [0.0, 0.06 / 3600]]
    data = np.random.default_rng(3).normal(size=(2000, 2000)).astype("float32")
    path = tmp_path / "large_upload.fits"
    fits.PrimaryHDU(data, header=wcs.to_header()).writeto(path)
    assert path.stat().st_size > 10 * 1024**2
    page.click("button:has-text('Example field')")  # from a known state
    page.wait_for_function(
        "() => document.querySelector('.previs-image-name').innerText.includes('example')",
        timeout=15_000,
    )
    with page.expect_file_chooser() as chooser:
        page.click(".previs-upload")
    chooser.value.set_files(str(path))
    page.wait_for_function(
        "() => document.querySelector('.previs-image-name').innerText.includes('large_upload')",
        timeout=60_000,
    )
    assert "Could not" not in page.inner_text(".previs-status")
    page.click("button:has-text('Example field')")  # leave the example for later tests
