"""The dashboard's controls by keyboard and screen reader, in Voila + Chromium.

Arrow keys move the APA sliders by 1 degree, PageUp by 10, wrapping at 360; a
typed 400 becomes 40 and the panel says so, "abc" is refused with a reason; Tab
leaves the figure (no keyboard trap); sliders, toggles and checkboxes have
accessible names and states; an upload over the server's limit is stopped with
a message while the kernel keeps working; the sky figure's toolbar sits above
the axes; the footer shows the ICRS position under the cursor.
"""

from __future__ import annotations

import time

import pytest
from conftest import serve_dashboard

pytestmark = pytest.mark.browser


def _open(browser, url: str, width: int = 1440, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".previs-readout .previs-covered", timeout=90_000)
    page.wait_for_selector(".previs-sky .jupyter-matplotlib-canvas-div canvas", timeout=30_000)
    assert "Traceback" not in page.inner_text("#rendered_cells")
    # The page helper (anywidget) has annotated the sliders once it runs.
    page.wait_for_function(
        "() => document.querySelector('.previs-nirspec-apa .noUi-handle')"
        ".getAttribute('aria-label')",
        timeout=30_000,
    )
    return page


@pytest.fixture(scope="module")
def page(browser, voila_url):
    page = _open(browser, voila_url)
    yield page
    page.close()


def _readout(page, css: str) -> float:
    return float(page.locator(f"{css} .widget-readout").inner_text())


def _wait_readout(page, css: str, value: float) -> None:
    page.wait_for_function(
        "([css, v]) => Math.abs(parseFloat(document.querySelector(css + ' .widget-readout')"
        ".innerText) - v) < 0.051",
        arg=[css, value],
        timeout=10_000,
    )


def _type_angle(page, css: str, text: str) -> None:
    readout = page.locator(f"{css} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_arrow_keys_move_the_apa_by_one_degree_and_page_keys_by_ten(page):
    css = ".previs-nirspec-apa"
    _type_angle(page, css, "45")
    _wait_readout(page, css, 45.0)
    handle = page.locator(f"{css} .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    _wait_readout(page, css, 46.0)
    page.keyboard.press("PageUp")
    _wait_readout(page, css, 56.0)
    page.keyboard.press("Shift+ArrowLeft")
    _wait_readout(page, css, 55.9)
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")
    _wait_readout(page, css, 35.9)
    _type_angle(page, css, "355")
    _wait_readout(page, css, 355.0)
    handle.focus()
    page.keyboard.press("PageUp")  # wraps past 360
    _wait_readout(page, css, 5.0)


def test_typed_angles_wrap_and_the_panel_says_so(page):
    css = ".previs-nirspec-apa"
    _type_angle(page, css, "400")
    _wait_readout(page, css, 40.0)
    page.wait_for_function(
        "() => document.querySelector('.previs-angle-note').innerText.includes('wrap')",
        timeout=10_000,
    )
    assert "400° is 40.0°" in page.inner_text(".previs-angle-note")
    _type_angle(page, css, "-10")
    _wait_readout(page, css, 350.0)
    _type_angle(page, css, "abc")
    page.wait_for_function(
        "() => document.querySelector('.previs-angle-note').innerText.includes('not an angle')",
        timeout=10_000,
    )
    assert _readout(page, css) == 350.0  # the refused text changed nothing


def test_tab_leaves_the_figure(page):
    canvas = page.locator(".previs-sky .jupyter-matplotlib-canvas-div")
    canvas.focus()
    assert page.evaluate("() => document.activeElement.classList.contains("
                         "'jupyter-matplotlib-canvas-div')")  # fmt: skip
    page.keyboard.press("Tab")
    time.sleep(0.2)
    inside = page.evaluate(
        "() => !!document.activeElement.closest('.jupyter-matplotlib-canvas-div')"
    )
    assert not inside, "Tab is trapped in the figure"
    page.keyboard.press("Shift+Tab")


def test_controls_have_accessible_names_and_states(page):
    names = page.evaluate(
        "() => Array.from(document.querySelectorAll('.previs-controls .noUi-handle'))"
        ".filter(h => h.offsetParent !== null).map(h => h.getAttribute('aria-label'))"
    )
    assert names and all(names), names
    assert "NIRSpec APA °" in names
    pressed = page.evaluate(
        "() => Array.from(document.querySelectorAll('.previs-controls .widget-toggle-button'))"
        ".map(b => [b.innerText.trim(), b.getAttribute('aria-pressed')])"
    )
    assert pressed and all(state in ("true", "false") for _, state in pressed), pressed
    assert ["same", "true"] in pressed
    labels = page.evaluate(
        "() => Array.from(document.querySelectorAll('.previs-controls input[type=checkbox]'))"
        ".map(i => i.getAttribute('aria-label'))"
    )
    assert labels and all(labels), labels
    page.get_by_role("slider", name="NIRSpec APA °").focus()  # found by its name


def test_the_toolbar_sits_above_the_axes_and_the_footer_reads_icrs(page):
    toolbar = page.locator(".previs-sky .jupyter-matplotlib-toolbar").bounding_box()
    canvas = page.locator(".previs-sky .jupyter-matplotlib-canvas-div").bounding_box()
    assert toolbar["y"] + toolbar["height"] <= canvas["y"] + 1  # a row of its own
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('.previs-sky .jupyter-matplotlib-footer')"
        ".innerText.includes('ICRS')",
        timeout=10_000,
    )
    footer = page.inner_text(".previs-sky .jupyter-matplotlib-footer")
    assert "RA 53.1" in footer and "Dec -27.7" in footer


def test_an_upload_over_the_limit_is_stopped_with_a_message(browser, tmp_path):
    big = tmp_path / "big.fits"
    big.write_bytes(b"\0" * 3_000_000)
    with serve_dashboard("voila-small-limit.log", PREVIS_UPLOAD_LIMIT="2000000") as url:
        page = _open(browser, url)
        try:
            assert "Uploads up to 1.91 MiB" in page.inner_text(".previs-controls")
            with page.expect_file_chooser() as chooser:
                page.click(".previs-upload")
            chooser.value.set_files(str(big))
            page.wait_for_function(
                "() => document.querySelector('.previs-status').innerText"
                ".includes('was not uploaded')",
                timeout=15_000,
            )
            assert "previs app" in page.inner_text(".previs-status")
            # The kernel is still there: the readout follows the slider.
            before = page.inner_text(".previs-readout .previs-covered")
            _type_angle(page, ".previs-nirspec-apa", "150")
            page.wait_for_function(
                "(b) => document.querySelector('.previs-readout .previs-covered').innerText !== b",
                arg=before,
                timeout=15_000,
            )
        finally:
            page.close()
