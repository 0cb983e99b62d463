"""The Binder (repo2docker) files: what can be checked without a container engine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
APP_PATH = "voila/render/notebooks/dashboard.ipynb"


def _lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _pins() -> dict[str, str]:
    pins = {}
    for line in _lines(BINDER / "constraints.txt"):
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{line}: constraints must be exact pins"
        pins[requirement.name] = specifier.version
    return pins


def test_only_one_configuration_folder_and_no_environment_yml():
    assert not (ROOT / ".binder").exists()
    assert not (BINDER / "environment.yml").exists()  # it would silently override requirements.txt


def test_runtime_names_a_python_the_pins_support():
    assert re.fullmatch(r"python-3\.\d+", (BINDER / "runtime.txt").read_text().strip())
    runtime = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    assert runtime == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_requirements_install_previs_itself_under_the_pins():
    lines = _lines(BINDER / "requirements.txt")
    assert "-c constraints.txt" in lines
    assert any(line.startswith(".[app]") or line == "." for line in lines)
    for line in lines:
        if not line.startswith(("-", ".")):
            Requirement(line)  # parses


def test_pins_are_the_versions_this_environment_tests():
    mismatched = {}
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            mismatched[name] = (pinned, installed)
    assert not mismatched, f"binder/constraints.txt differs from what is installed: {mismatched}"


def test_pins_cover_every_runtime_and_app_dependency():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = project["dependencies"] + project["optional-dependencies"]["app"]
    pinned = {name.lower().replace("_", "-") for name in _pins()}
    for line in needed:
        name = Requirement(line).name.lower().replace("_", "-")
        assert name in pinned, f"{name} is a dependency but not pinned for Binder"


def test_post_build_is_executable_and_stops_on_errors():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK)
    lines = post_build.read_text().splitlines()
    assert lines[0].startswith("#!") and "set -e" in lines


def test_notebooks_the_links_open_exist():
    assert (ROOT / "notebooks" / "dashboard.ipynb").exists()
    readme = (ROOT / "README.md").read_text()
    badge = re.search(
        r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+\?urlpath=([^)\s]+)", readme
    )
    assert badge, "README needs a Binder badge/link"
    assert badge.group(1).replace("%2F", "/") == APP_PATH
    assert (ROOT / APP_PATH.removeprefix("voila/render/")).exists()


def test_repo2docker_renders_a_dockerfile():
    """repo2docker reads the binder folder and writes a Dockerfile (no build, no engine)."""
    # The test environment's own copy first: make test runs .venv/bin/python without
    # activating the venv, so .venv/bin is not on PATH.
    beside = Path(sys.executable).parent / "repo2docker"
    executable = str(beside) if beside.exists() else shutil.which("repo2docker")
    if executable is None:
        pytest.fail("repo2docker missing: pip install jupyter-repo2docker (a test dependency)")
    process = subprocess.run(
        [executable, "--no-build", "--no-run", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = process.stdout + process.stderr
    assert process.returncode == 0, output[-3000:]
    assert "python=3.11" in output
    # previs is installed from the repository, so pip must run after the whole repo is copied
    copy_all = output.index("COPY --chown=0:0 src/ ")
    assert output.index('pip install --no-cache-dir -r "binder/requirements.txt"') > copy_all
    assert "RUN ./binder/postBuild" in output


def test_same_install_command_works_in_a_fresh_venv(tmp_path):
    """pip install -r binder/requirements.txt in a new venv, then postBuild, then import the app."""
    env_dir = tmp_path / "binder-venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {
        **os.environ,
        "PREVIS_CACHE_DIR": str(tmp_path / "cache"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"),
        "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}",
    }
    env.pop("PYTHONPATH", None)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    post_build = subprocess.run(
        ["bash", str(BINDER / "postBuild")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert post_build.returncode == 0, post_build.stderr[-3000:]
    check = subprocess.run(
        [str(python), "-c", "import previs, voila, ipympl; print(previs.Dashboard.__name__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.strip() == "Dashboard"
    assert list((tmp_path / "cache").glob("*.fits")), "postBuild did not render the example field"
    import json

    server_config = tmp_path / "jupyter" / "jupyter_server_config.d" / "previs.json"
    settings = json.loads(server_config.read_text())["ServerApp"]["tornado_settings"]
    assert settings["websocket_max_message_size"] >= 512 * 1024**2  # uploads above 10 MiB


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_binder_urls_serve_the_app_and_lab():
    """A Jupyter server (what Binder runs) serves the badge's Voila URL and JupyterLab."""
    import signal
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    command = [
        sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/{APP_PATH}", timeout=180) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "application/vnd.jupyter.widget-view+json" in page  # the dashboard widget
        assert "Traceback" not in page and "Error" not in page.split("<body", 1)[-1][:20000]
        with urllib.request.urlopen(f"{base}/lab", timeout=60) as response:
            assert response.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-f", f"jupyter.*{port}"], check=False)
