"""Browser fixtures shared by the browser tests: one Chromium and one Voila server
(the command ``previs app`` runs) per test module: a module that starts Playwright itself
(test_classroom) must not find another one running."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, REPO, free_port, launch_chromium, wait_for_voila

from previs.cli.app import MAX_UPLOAD_BYTES, UPLOAD_LIMIT_ENV, voila_command


def _unavailable(reason: str) -> None:
    if (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("PREVIS_REQUIRE_BROWSER") == "1"
    ):
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


def _descendants(pid: int) -> list[int]:
    """PIDs of all descendants of ``pid`` (from /proc; kernels included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(os.getpgid(pid), sig)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except FileNotFoundError as error:
            _unavailable(str(error))
        except Error as error:
            _unavailable(f"no Chromium could be launched ({str(error).splitlines()[0]})")
        yield chromium
        chromium.close()


@contextmanager
def serve_dashboard(log_name: str = "voila.log", **extra_env: str) -> Iterator[str]:
    """Serve notebooks/dashboard.ipynb with Voila as `previs app` does; yields the URL and
    stops the server and its kernels afterwards."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREVIS_IMAGE"}
    env[UPLOAD_LIMIT_ENV] = str(MAX_UPLOAD_BYTES)  # as `previs app` does
    env.update(extra_env)
    log_path = ARTIFACTS / log_name
    with open(log_path, "w") as log:
        command = voila_command(Path("notebooks/dashboard.ipynb"), port, open_browser=False)
        process = subprocess.Popen(
            [*command, "--show_tracebacks=True"],  # the command `previs app` runs
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_for_voila(url, process, timeout_s=60)
        except RuntimeError as error:
            pytest.fail(f"Voila did not start ({error}); log:\n{log_path.read_text()[-3000:]}")
        yield url
    finally:
        kernels = _descendants(process.pid)
        _kill_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        for pid in kernels:  # kernels run in their own process groups
            _kill_group(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def voila_url(browser):
    with serve_dashboard() as url:
        yield url
