"""Starting headless Chromium and waiting for a Voila server: shared by the browser tests
(tests/test_browser.py) and the first-start benchmark (benchmarks/bench_first_start.py).

A plain module next to the tests rather than part of previs: it is test tooling
(Playwright is not a dependency of previs). Pytest puts tests/ on ``sys.path``
(its conftest.py lives there), so the tests import it as ``browser_support``;
the benchmark adds tests/ to ``sys.path`` itself. Standard library only, until
:func:`launch_chromium` is given a Playwright instance.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = [
    "ARTIFACTS",
    "CHROMIUM_FLAGS",
    "REPO",
    "chromium_executable",
    "free_port",
    "kernel_pids",
    "launch_chromium",
    "process_tree",
    "wait_for_voila",
]

#: Flags for a headless Chromium run as root in a container, with no network chatter.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
#: Screenshots, logs and latency figures of the browser tests (git-ignored).
ARTIFACTS = REPO / "tests" / "artifacts"


def chromium_executable() -> str | None:
    """``$PREVIS_CHROMIUM``, else Debian's /usr/bin/chromium, else None (Playwright's own).

    Raises FileNotFoundError when ``PREVIS_CHROMIUM`` names no file.
    """
    executable = os.environ.get("PREVIS_CHROMIUM")
    if executable:
        if not Path(executable).exists():
            raise FileNotFoundError(f"PREVIS_CHROMIUM={executable} does not exist")
        return executable
    return str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else None


def launch_chromium(playwright):
    """A headless Chromium browser (Playwright ``Browser``) with :data:`CHROMIUM_FLAGS`."""
    return playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_FLAGS)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_voila(url: str, process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    """Wait until the Voila server at ``url`` answers (its static files: a GET of the page
    itself would start a kernel). RuntimeError when ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url + "voila/static/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # the server answers
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s") from None
            time.sleep(0.2)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc (Voila's kernels included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kernel_pids(server_pid: int) -> list[int]:
    """The IPython kernels a Voila server started."""
    kernels = []
    for pid in process_tree(server_pid):
        try:
            if b"ipykernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes():
                kernels.append(pid)
        except OSError:
            pass
    return kernels
