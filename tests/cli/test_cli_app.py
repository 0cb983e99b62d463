"""``previs app``: argument checks and the Voila command.

tests/test_browser.py runs that command for real, including a 16 MB upload.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import previs.cli.app
from previs.cli import main
from previs.cli.app import notebook_path, voila_command
from previs.io.example_field import cache_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["app", "--image", "no/such/image.fits"], "no/such/image.fits"),
        (["app", "--port", "70000"], "--port"),
        (["app", "--port", "eighty"], "invalid int value"),
    ],
)
def test_bad_arguments_exit_2_before_starting_anything(capsys, args, fragment):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not a FITS file\n", ["not a readable FITS file", "SIMPLE"]),
        (b"", ["empty"]),
    ],
)
def test_an_image_that_cannot_be_shown_stops_the_app_before_serving(
    capsys, monkeypatch, tmp_path, content, words
):
    image = tmp_path / "not_fits.fits"
    image.write_bytes(content)
    started = []
    monkeypatch.setattr(previs.cli.app.subprocess, "call", lambda *a, **k: started.append(a))
    assert main(["app", "--image", str(image), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "--image" in err and str(image) in err and all(w in err for w in words)
    assert "ignore_missing_simple" not in err and not started


def test_serves_the_repository_notebook_on_localhost():
    assert notebook_path() == ROOT / "notebooks" / "dashboard.ipynb"
    command = voila_command(notebook_path(), 8999, open_browser=False)
    assert command[0] == sys.executable
    assert str(notebook_path()) in command and "--port=8999" in command
    assert "--Voila.ip=127.0.0.1" in command and "--no-browser" in command
    assert "--no-browser" not in voila_command(notebook_path(), 8999, open_browser=True)


def test_a_voila_executable_of_another_environment_is_not_enough(monkeypatch, tmp_path, capsys):
    fake = tmp_path / "voila"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    real_find_spec = previs.cli.app.find_spec
    monkeypatch.setattr(
        previs.cli.app, "find_spec", lambda name: None if name == "voila" else real_find_spec(name)
    )
    started = []
    monkeypatch.setattr(previs.cli.app.subprocess, "call", lambda *a, **k: started.append(a) or 0)
    assert main(["app", "--no-browser"]) == 2
    assert "needs Voila" in capsys.readouterr().err and not started


def test_without_the_source_tree_the_notebook_goes_to_the_previs_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(previs.cli.app, "SOURCE_NOTEBOOK", tmp_path / "absent.ipynb")
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = notebook_path()
    assert path == cache_dir() / "dashboard.ipynb" == tmp_path / "cache" / "dashboard.ipynb"
    cells = json.loads(path.read_text())["cells"]
    assert "Dashboard(" in cells[-1]["source"] and cells[-1]["outputs"] == []
