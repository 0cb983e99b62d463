"""First start as a newcomer sees it: clone, ``make setup``, ``previs app``, dashboard visible.

Measures wall time for each step on this machine and prints it:

1. ``git clone`` of this repository into a temporary folder;
2. ``make setup`` there (a new .venv with previs and its app/test extras;
   pip's download cache is used unless ``--no-cache`` is given, so a first
   install on a new machine is slower by the download time);
3. ``previs app --no-browser`` until the server answers;
4. a headless Chromium loading the page until the figure is painted.

Run: ``python benchmarks/bench_first_start.py [--no-cache]``. Needs git, make,
Playwright and Chromium (``PREVIS_CHROMIUM`` or /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(
    0, str(REPO / "tests" / "dashboard")
)  # the Chromium and server helpers the browser tests use
from browser_support import free_port, launch_chromium, wait_for_voila  # noqa: E402

PAINTED_JS = """() => {
  const c = document.querySelector('.jupyter-matplotlib-canvas-div canvas');
  if (!c) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let dark = 0; for (let i = 0; i < d.length; i += 400) if (d[i] < 128) dark++;
  return dark;
}"""


def timed(label: str, function) -> float:
    """Run ``function()``, print and return its wall time in seconds."""
    start = time.perf_counter()
    function()
    elapsed = time.perf_counter() - start
    print(f"{label:55s} {elapsed:7.1f} s", flush=True)
    return elapsed


def open_dashboard(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.goto(url, wait_until="commit")
        page.wait_for_selector(".jupyter-matplotlib-canvas-div canvas", timeout=180_000)
        deadline = time.monotonic() + 60
        while page.evaluate(PAINTED_JS) < 100 and time.monotonic() < deadline:
            time.sleep(0.1)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cache", action="store_true", help="pip without its download cache")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.no_cache:
        env["PIP_NO_CACHE_DIR"] = "1"
    env["PREVIS_CACHE_DIR"] = tempfile.mkdtemp(prefix="previs-cache-")  # example field too
    workdir = Path(tempfile.mkdtemp(prefix="previs-first-start-"))
    clone = workdir / "previs"
    total = timed("git clone", lambda: subprocess.run(
        ["git", "clone", "--quiet", str(REPO), str(clone)], check=True))  # fmt: skip
    total += timed("make setup (venv + pip install .[app,test])", lambda: subprocess.run(
        ["make", "setup"], cwd=clone, env=env, check=True, stdout=subprocess.DEVNULL))  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [str(clone / ".venv" / "bin" / "previs"), "app", "--no-browser", "--port", str(port)],
        cwd=clone, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        total += timed("previs app: server answering", lambda: wait_for_voila(url, process, 120))
        total += timed("page load to dashboard figure painted", lambda: open_dashboard(url))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        subprocess.run(["pkill", "-f", str(clone)], check=False)  # the app's kernels
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(env["PREVIS_CACHE_DIR"], ignore_errors=True)
    print(f"{'total, clone to dashboard visible':55s} {total:7.1f} s")


if __name__ == "__main__":
    main()
