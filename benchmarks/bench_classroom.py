"""A classroom is load: N pages open at once on one ``previs app``, then all closed.

Prints, for ``previs app``'s own Voila command (culling and ``--pool`` preheated
kernels): each page's time from request to a painted figure with its coverage
readout, the median and the maximum; the peak memory (RSS) of the server and
its kernels; and how long after the pages closed the last of their kernels was
gone. Chromium runs on the same machine, as in a workshop on one laptop.

    python benchmarks/bench_classroom.py [--pages 10] [--pool 1] [--cull 90 --interval 15]

Goal (issue 10): 10 pages painted within a median of 20 s and a maximum of 30 s,
every kernel gone within 2 minutes of its page closing.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "dashboard"))
from browser_support import (  # noqa: E402
    free_port,
    kernel_pids,
    launch_chromium,
    process_tree,
    wait_for_voila,
)

from previs.cli.app import (  # noqa: E402
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    DEFAULT_POOL,
    voila_command,
)


def _rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--pool", type=int, default=DEFAULT_POOL)
    parser.add_argument("--cull", type=float, default=CULL_IDLE_SECONDS)
    parser.add_argument("--interval", type=float, default=CULL_INTERVAL_SECONDS)
    parser.add_argument(
        "--contexts",
        action="store_true",
        help="one browser context per page (no shared cache: like separate browsers) "
        "instead of tabs of one browser",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    command = voila_command(
        REPO / "notebooks" / "dashboard.ipynb", port, False, args.pool, args.cull, args.interval
    )
    env = {k: v for k, v in os.environ.items() if k != "PREVIS_IMAGE"}
    log = open(REPO / "tests" / "artifacts" / "classroom-voila.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        command, cwd=REPO / "notebooks", env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    peak = [0.0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mib(process_tree(server.pid)))
            time.sleep(0.25)

    threading.Thread(target=watch, daemon=True).start()
    try:
        wait_for_voila(f"http://127.0.0.1:{port}/", server, timeout_s=90)
        deadline = time.monotonic() + 120
        while len(kernel_pids(server.pid)) < args.pool and time.monotonic() < deadline:
            time.sleep(0.5)  # the preheated pool is part of a server that is ready
        time.sleep(2.0)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            n_contexts = args.pages if args.contexts else 1
            contexts = [browser.new_context(viewport={"width": 1280, "height": 800})
                        for _ in range(n_contexts)]  # fmt: skip
            pages = [contexts[k % n_contexts].new_page() for k in range(args.pages)]
            started = time.monotonic()
            for page in pages:
                page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=180_000)
            painted = []
            for page in pages:
                page.wait_for_selector(".previs-covered", timeout=180_000)
                page.wait_for_selector(".jupyter-matplotlib-canvas-div canvas", timeout=180_000)
                painted.append(time.monotonic() - started)
            kernels_open = kernel_pids(server.pid)
            page_kernels = len(kernels_open) - args.pool
            for context in contexts:
                context.close()
            closed = time.monotonic()
            while len(kernel_pids(server.pid)) > args.pool:
                if time.monotonic() - closed > 600:
                    break
                time.sleep(1.0)
            gone = time.monotonic() - closed
            browser.close()
    finally:
        stop.set()
        kernels = kernel_pids(server.pid)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        for pid in kernels:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
    kind = "separate browser contexts" if args.contexts else "tabs of one browser"
    print(f"classroom: {args.pages} pages at once ({kind}), pool {args.pool}, cull "
          f"{args.cull:g} s every {args.interval:g} s; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print("  painted (s): " + " ".join(f"{t:.1f}" for t in sorted(painted)))
    print(f"  median {statistics.median(painted):.1f} s, max {max(painted):.1f} s")
    print(f"  peak RSS of server + kernels: {peak[0]:.0f} MiB")
    print(f"  kernels of closed pages gone after {gone:.0f} s ({page_kernels} page kernels)")


if __name__ == "__main__":
    main()
