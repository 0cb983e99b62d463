"""The dashboard's layout in JupyterLab (file browser open) and on the Binder route.

A Jupyter server (JupyterLab, with Voila's server extension) serves a copy of
notebooks/dashboard.ipynb from a temporary folder (JupyterLab autosaves what it
runs; the repository's notebook stays untouched). Binder opens
``/voila/render/notebooks/dashboard.ipynb`` on such a server; JupyterLab runs the
notebook's cells with the file browser open beside it. In both the layout must
hold as in Voila (tests/dashboard/test_browser_layout.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from browser_support import ARTIFACTS, REPO, free_port, wait_for_voila
from conftest import _descendants, _kill_group
from test_browser_layout import LAYOUT_JS, _assert_layout

from previs.cli.app import MAX_UPLOAD_BYTES
from previs.dashboard.page import figure_side_px

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab_url(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "dashboard.ipynb", root / "notebooks" / "dashboard.ipynb")
    port = free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True", f"--LabApp.workspaces_dir={root / 'ws'}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", "--allow-root",
    ]  # fmt: skip
    # The upload limit as Binder's postBuild sets it: in the server's config folder.
    config = root / "config" / "jupyter_server_config.d"
    config.mkdir(parents=True)
    (config / "previs.json").write_text(json.dumps(
        {"ServerApp": {"tornado_settings": {"websocket_max_message_size": MAX_UPLOAD_BYTES}}}
    ))  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "PREVIS_IMAGE"}
    env["JUPYTER_CONFIG_DIR"] = str(root / "config")
    log_path = ARTIFACTS / "jupyterlab.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_for_voila(url, process, timeout_s=90)
        except RuntimeError as error:
            pytest.fail(f"JupyterLab did not start ({error}); log:\n{log_path.read_text()[-3000:]}")
        yield url
    finally:
        kernels = _descendants(process.pid)
        _kill_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        for pid in kernels:
            _kill_group(pid, signal.SIGKILL)


def _wait_for_fitted_figure(page, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        column, width = page.evaluate(
            "() => [document.querySelector('.previs-figure-column').clientWidth,"
            " document.querySelector('.previs-sky canvas').getBoundingClientRect().width]"
        )
        if abs(width - figure_side_px(column, page.viewport_size["height"])) <= 2:
            time.sleep(0.8)
            return
        time.sleep(0.3)
    pytest.fail("the figure was not fitted to its column")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1440, 900), (1920, 1080)])
def test_binder_route_layout(browser, lab_url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(lab_url + "voila/render/notebooks/dashboard.ipynb", wait_until="commit")
        page.wait_for_selector(".previs-readout .previs-covered", timeout=120_000)
        page.wait_for_selector(".previs-sky canvas", timeout=30_000)
        _wait_for_fitted_figure(page)
        layout = page.evaluate(LAYOUT_JS)
        page.screenshot(path=str(ARTIFACTS / f"binder-{width}x{height}.png"))
        _assert_layout(layout)
    finally:
        page.close()


def test_jupyterlab_with_the_file_browser_open(browser, lab_url):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(lab_url + "lab/tree/notebooks/dashboard.ipynb", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_selector(".jp-DirListing", timeout=30_000)  # the file browser
        assert page.locator(".jp-DirListing").first.is_visible(), "the file browser is closed"
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=120_000)  # fmt: skip
        # Run the cells one by one as a person would (Shift+Enter from the first one).
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.first.click()
        page.keyboard.press("Escape")
        for _ in range(cells.count()):
            page.keyboard.press("Shift+Enter")
            time.sleep(0.5)
        try:
            page.wait_for_selector(".previs-readout .previs-covered", timeout=150_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-failed.png"))
            raise
        page.wait_for_selector(".previs-sky canvas", timeout=30_000)
        page.locator(".previs-dashboard").scroll_into_view_if_needed()
        _wait_for_fitted_figure(page)
        layout = page.evaluate(LAYOUT_JS)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-1440x900.png"))
        _assert_layout(layout)
        # Sliders stay usable beside the file browser (issue 13: they were ~45 px wide).
        track = page.locator(".previs-nirspec-apa .noUi-base").bounding_box()
        assert track["width"] >= 120
    finally:
        page.close()
