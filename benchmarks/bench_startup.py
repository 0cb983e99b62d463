"""Start-up figures: ``import previs``, importing the dashboard, and its first render.

Each figure is measured in a fresh Python process (median of a few runs), as
a user's kernel would see it. Run: ``python benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 5

IMPORT_PREVIS = """
import time
t = time.perf_counter()
import previs
print(1000 * (time.perf_counter() - t))
"""

FIRST_RENDER = """
import time
t0 = time.perf_counter()
import matplotlib
matplotlib.use("Agg")
from previs.dashboard.app import Dashboard
t1 = time.perf_counter()
dashboard = Dashboard()           # bundled example image + catalog, first evaluation
dashboard.widget
t2 = time.perf_counter()
dashboard.figure.canvas.draw()  # the first full frame the browser would receive
t3 = time.perf_counter()
print(1000 * (t1 - t0), 1000 * (t2 - t1), 1000 * (t3 - t2), 1000 * (t3 - t0))
"""


def run(code: str) -> list[float]:
    """Run ``code`` in a fresh interpreter and return the numbers it prints."""
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return [float(value) for value in output.split()]


def main() -> None:
    imports = [run(IMPORT_PREVIS)[0] for _ in range(RUNS)]
    print(f"import previs (fresh process, median of {RUNS}): {statistics.median(imports):8.1f} ms")
    run(FIRST_RENDER)  # make sure the example field is in the cache
    renders = [run(FIRST_RENDER) for _ in range(RUNS)]
    labels = (
        "import previs.dashboard.app (matplotlib, astropy, ipywidgets)",
        "Dashboard() with the example image, catalog, evaluation",
        "first full draw of the figure (Agg)",
        "total, kernel start to first frame (Python side)",
    )
    for i, label in enumerate(labels):
        print(f"{label:58s} {statistics.median(r[i] for r in renders):8.0f} ms")


if __name__ == "__main__":
    main()
