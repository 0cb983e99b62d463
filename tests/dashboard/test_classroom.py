"""A classroom on a small scale: pages of `previs app` get kernels, and kernels of closed
pages are culled while the preheated pool stays (headless Chromium, as test_browser)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from browser_support import free_port, kernel_pids, launch_chromium, wait_for_voila

from previs.cli.app import voila_command
from previs.dashboard.app import default_plan
from previs.dashboard.text import format_percent
from previs.planning.plan import evaluate

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def _unavailable(reason: str) -> None:
    if os.environ.get("PREVIS_REQUIRE_BROWSER"):
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


def test_kernels_of_closed_pages_are_culled_and_the_pool_kept(tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    port = free_port()
    command = voila_command(
        REPO / "notebooks" / "dashboard.ipynb",
        port,
        False,
        pool=1,
        cull_idle_s=4,
        cull_interval_s=1,
    )
    env = {k: v for k, v in os.environ.items() if k != "PREVIS_IMAGE"}
    with open(tmp_path / "voila.log", "w") as log:
        server = subprocess.Popen(
            command, cwd=REPO / "notebooks", env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    expected = format_percent(evaluate(default_plan()).coverage.covered)
    try:
        wait_for_voila(f"http://127.0.0.1:{port}/", server, timeout_s=90)
        with sync_playwright() as playwright:
            try:
                browser = launch_chromium(playwright)
            except Exception as error:  # no Chromium on this machine
                _unavailable(f"no Chromium could be launched ({error})")
            pages = [browser.new_page() for _ in range(2)]
            for page in pages:
                page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=120_000)
            for page in pages:  # the preheated page and a fresh one both work
                page.wait_for_selector(".jupyter-matplotlib-canvas-div canvas", timeout=120_000)
                assert page.inner_text(".previs-covered").strip() == expected
            time.sleep(6)  # idle longer than the cull time: connected kernels stay
            assert len(kernel_pids(server.pid)) >= 3  # two pages and the refilled pool
            for page in pages:
                assert page.inner_text(".previs-covered").strip() == expected
                page.close()
            browser.close()
        deadline = time.monotonic() + 60
        while len(kernel_pids(server.pid)) > 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(kernel_pids(server.pid)) == 1, (tmp_path / "voila.log").read_text()[-2000:]
    finally:
        kernels = kernel_pids(server.pid)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        for pid in kernels:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
