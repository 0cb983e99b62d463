"""The APT program panel in Voila + Chromium: upload a pointing report, pick observations.

The kernel side is tested in test_apt_panel.py; here the widgets are driven as a user
does (file chooser, dropdowns) and the numbers read from the page are compared with
the same steps taken in-process.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from browser_support import ARTIFACTS

from previs.dashboard.app import Dashboard

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from apt_support import DATA  # noqa: E402

pytestmark = pytest.mark.browser

PROGRAM = DATA / "preimaging_mos.pointing"


@pytest.fixture(scope="module")
def page(browser, voila_url):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(voila_url, wait_until="commit")
    page.wait_for_selector(".previs-readout .previs-covered", timeout=90_000)
    page.wait_for_selector(".previs-sky .jupyter-matplotlib-canvas-div canvas", timeout=30_000)
    yield page
    page.close()


def _status_has(page, text: str) -> None:
    page.wait_for_function(
        "(t) => document.querySelector('.previs-status').innerText.includes(t)",
        arg=text,
        timeout=45_000,
    )


def _upload(page, path: Path) -> None:
    # ipywidgets' FileUpload keeps its <input type=file> out of the DOM: answer the chooser.
    with page.expect_file_chooser() as chooser:
        page.click(".previs-apt-upload")
    chooser.value.set_files(str(path))


def test_upload_and_pick_apt_observations(page, tmp_path):
    expected = Dashboard(schedule=False)  # the notebook's dashboard, driven in-process
    expected.load_apt(PROGRAM)
    expected.pick_apt(nircam=1, nirspec=2)
    together = re.search(
        r"class='previs-pointings-together'>([^<]+)<", expected.readout.value
    ).group(1)

    _upload(page, PROGRAM)
    _status_has(page, "1 NIRCam imaging, 1 NIRSpec MOS")
    nircam = page.locator(".previs-apt-nircam select")
    nircam.select_option(label=expected.apt_panel.nircam_picker.options[1][0])
    # The controls are disabled and the note says why; wait for both, as each is its
    # own widget message and the page renders them one after the other.
    page.wait_for_function(
        "() => document.querySelector('.previs-dither select').disabled"
        " && document.querySelector('.previs-setup-note').innerText.includes('APT obs 1')",
        timeout=45_000,
    )
    page.locator(".previs-apt-nirspec select").select_option(
        label=expected.apt_panel.nirspec_picker.options[1][0]
    )
    page.wait_for_function(
        "(e) => { const n = document.querySelector('.previs-pointings-together');"
        " return n && n.textContent.trim() === e; }",
        arg=together,
        timeout=45_000,
    )
    assert page.locator(".previs-pointing-covered").count() == 4
    assert "all 4 NIRSpec pointings together" in page.inner_text(".previs-readout")
    page.screenshot(path=str(ARTIFACTS / "dashboard_apt.png"))

    bad = tmp_path / "notapt.xml"
    bad.write_text("<?xml version='1.0'?><foo/>")
    _upload(page, bad)
    _status_has(page, "notapt.xml was not read")
    time.sleep(1.0)  # any (unwanted) change would have arrived by now
    assert page.locator(".previs-pointings-together").inner_text().strip() == together
    assert page.locator(".previs-dither select").is_disabled()
