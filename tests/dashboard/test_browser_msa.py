"""The dashboard's MSA parts in Chromium: the readout names the operability map and switches
to the image's coverage and back (issues 12 and 15). See test_browser.py for the set-up."""

from __future__ import annotations

import time

import pytest

from previs.dashboard.app import Dashboard
from previs.dashboard.text import format_percent
from previs.geometry.image_coverage import image_coverage
from previs.geometry.operability import default_operability
from previs.io.example_field import example_image_path
from previs.io.valid_region import valid_region

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser, voila_url):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(voila_url, wait_until="commit")
    page.wait_for_selector(".previs-readout .previs-covered", timeout=90_000)
    assert "Traceback" not in page.inner_text("#rendered_cells")
    yield page
    page.close()


def test_the_readout_names_the_map_and_follows_the_image(page):
    readout = page.locator(".previs-readout")
    assert readout.locator(".previs-operability").inner_text() == default_operability().name
    assert "usable MSA (operable shutters)" in readout.inner_text()
    toggle = page.locator(".previs-coverage-source")
    toggle.get_by_role("button", name="this image").click()
    covered = readout.locator(".previs-image-covered")
    covered.wait_for(timeout=60_000)
    plan = Dashboard(schedule=False).plan  # the page's starting plan
    expected = image_coverage(valid_region(example_image_path()), plan.nirspec)
    assert covered.inner_text() == format_percent(expected.covered)
    assert "valid data" in readout.inner_text()
    started = time.monotonic()
    toggle.get_by_role("button", name="planned NIRCam").click()
    readout.locator(".previs-covered").wait_for(timeout=30_000)
    assert readout.locator(".previs-image-covered").count() == 0
    print(f"\nback to the planned coverage in {1000 * (time.monotonic() - started):.0f} ms")
