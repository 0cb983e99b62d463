"""The distributions: built with ``python -m build``, installed in a bare venv, used elsewhere.

The sdist and the wheel must carry the data files previs reads at run time; the wheel,
installed with its ``app`` extra into a virtual environment that has nothing else, must
give the API, the command line and ``previs app`` (Voila serving a generated dashboard
notebook, since the wheel has no ``notebooks/``) from a working directory outside the
source tree. pip may fetch the dependencies from the package registry (under the pins of
binder/constraints.txt); this takes a minute or two on a cold cache.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

import previs
from previs import Mosaic, Plan, evaluate

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted(p.name for p in (ROOT / "previs" / "data").iterdir() if p.is_file())

pytestmark = pytest.mark.wheel

PLAN = Plan.centred(53.1625, -27.7914, 45.0, dither="FULL3", mosaic=Mosaic(2, 1))
COVERAGE_ARGS = ["--nirspec", "53.1625", "-27.7914", "45", "--dither", "FULL3", "--mosaic", "2x1"]


def _run(command: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel) of this source tree, built as a user would (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    build = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], timeout=900)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    (sdist,) = out.glob("previs-*.tar.gz")
    (wheel,) = out.glob("previs-*-py3-none-any.whl")
    return sdist, wheel


@dataclass(frozen=True)
class Bare:
    """A virtual environment with only the wheel (and its dependencies) installed."""

    bin: Path
    cwd: Path
    cache: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return _run([str(self.bin / args[0]), *args[1:]], timeout, cwd=self.cwd, env=self.env)


@pytest.fixture(scope="module")
def bare(tmp_path_factory, dist) -> Bare:
    home = tmp_path_factory.mktemp("bare")
    venv.create(home / "venv", with_pip=True)
    bin_dir = home / "venv" / "bin"
    cwd = home / "elsewhere"  # outside the source tree: nothing of it is importable
    cwd.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PREVIS_IMAGE")
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        PREVIS_CACHE_DIR=str(home / "cache"),
        MPLCONFIGDIR=str(home / "mpl"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    wheel = dist[1]
    install = _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
         "-c", str(ROOT / "binder" / "constraints.txt"), f"{wheel}[app]"],
        timeout=1800, cwd=cwd, env=env,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    return Bare(bin_dir, cwd, home / "cache", env)


def test_sdist_and_wheel_carry_the_data_files(dist):
    sdist, wheel = dist
    assert {"siaf_snapshot.json", "example_catalog.radec"} <= set(DATA_FILES)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for name in DATA_FILES:
            packed = archive.read(f"previs/data/{name}")
            assert packed == (ROOT / "previs" / "data" / name).read_bytes(), name
        entry_points = archive.read(
            f"previs-{previs.__version__}.dist-info/entry_points.txt"
        ).decode()
        metadata = archive.read(f"previs-{previs.__version__}.dist-info/METADATA").decode()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"previs", f"previs-{previs.__version__}.dist-info"}
    assert "previs = previs.cli:main" in entry_points
    assert "Provides-Extra: app" in metadata
    # every module of the source tree is in the wheel
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "previs").rglob("*.py")}
    assert modules <= set(names)
    with tarfile.open(sdist) as archive:
        members = set(archive.getnames())
    prefix = f"previs-{previs.__version__}"
    for name in DATA_FILES:
        assert f"{prefix}/previs/data/{name}" in members, name
    for name in ("pyproject.toml", "README.md", "LICENSE", "CITATION.cff", "CHANGELOG.md"):
        assert f"{prefix}/{name}" in members, name


def test_api_works_outside_the_source_tree(bare):
    script = (
        "import json, previs\n"
        "from previs import Mosaic, Plan, evaluate, siaf_version\n"
        "from previs.catalog.readers import read_catalog\n"
        "from previs.io.example_field import example_catalog_path\n"
        "plan = Plan.centred(53.1625, -27.7914, 45.0, dither='FULL3', mosaic=Mosaic(2, 1))\n"
        "c = evaluate(plan).coverage\n"
        "print(json.dumps({'file': previs.__file__, 'version': previs.__version__,\n"
        "    'siaf': siaf_version(), 'covered': c.covered, 'depth2': c.depth[2],\n"
        "    'quadrants': c.quadrants, 'exposures': c.exposures,\n"
        "    'catalog': len(read_catalog(example_catalog_path()))}))\n"
    )
    run = bare.run("python", "-c", script)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout)
    installed = Path(got["file"]).resolve()
    assert bare.bin.parent in installed.parents and ROOT not in installed.parents
    assert got["version"] == previs.__version__
    snapshot = json.loads((ROOT / "previs" / "data" / "siaf_snapshot.json").read_text())
    assert got["siaf"] == snapshot["prd_version"]
    # the installed copy computes what the source tree computes
    expected = evaluate(PLAN).coverage
    assert got["covered"] == pytest.approx(expected.covered, abs=1e-12)
    assert got["depth2"] == pytest.approx(expected.depth[2], abs=1e-12)
    assert {int(q): v for q, v in got["quadrants"].items()} == pytest.approx(expected.quadrants)
    assert got["exposures"] == expected.exposures == 6
    from previs.catalog.readers import read_catalog
    from previs.io.example_field import example_catalog_path

    assert got["catalog"] == len(read_catalog(example_catalog_path())) > 0


def test_cli_works_outside_the_source_tree(bare):
    run = bare.run("previs", "coverage", *COVERAGE_ARGS, "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    expected = evaluate(PLAN).coverage
    assert report["covered"] == pytest.approx(expected.covered, abs=1e-12)
    assert report["exposures"] == expected.exposures
    version = bare.run("previs", "--version")
    assert version.stdout.strip() == f"previs {previs.__version__}"
    bad = bare.run("previs", "coverage", "--nirspec", "53", "-27", "45", "--dither", "FULL4")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "FULL3" in bad.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> list[psutil.Process]:
    """Stop ``previs app`` (its process group: previs and Voila) and Voila's kernels.

    Returns the processes still alive afterwards (none, unless something leaked).
    """
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
    except psutil.NoSuchProcess:
        family = []
    try:
        os.killpg(process.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    _, alive = psutil.wait_procs(family, timeout=20)
    for leftover in alive:  # kernels run in their own sessions: by pid, never by name
        leftover.kill()
    return alive


def test_app_serves_the_dashboard_from_the_wheel(bare):
    port = _free_port()
    log = bare.cwd / "previs-app.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(bare.bin / "previs"), "app", "--no-browser", f"--port={port}"],
            cwd=bare.cwd, env=bare.env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # Voila's static files answer without starting a kernel
            try:
                urllib.request.urlopen(f"{base}/voila/static/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "Voila did not start"
                time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/", timeout=300) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "application/vnd.jupyter.widget-view+json" in page  # the Dashboard widget
        assert "Traceback" not in page and "There was an error" not in page
    finally:
        leaked = _stop(process)
    text = log.read_text()
    assert leaked == [], f"processes left after stopping previs app: {leaked}"
    # The wheel has no notebooks/: the app wrote its own notebook into the cache folder.
    assert "serving dashboard.ipynb" in text
    generated = json.loads((bare.cache / "dashboard.ipynb").read_text())
    sources = "".join("".join(cell["source"]) for cell in generated["cells"])
    assert "Dashboard(" in sources
    assert "Kernel started" in text and "Kernel shutdown" in text
