"""``previs app``: argument checks and the Voila command.

tests/test_browser.py runs that command for real, including a 16 MB upload.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from previs.cli import main
from previs.cli_app import notebook_path, voila_command

ROOT = Path(__file__).resolve().parents[1]


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


def test_serves_the_repository_notebook_on_localhost():
    assert notebook_path() == ROOT / "notebooks" / "dashboard.ipynb"
    command = voila_command(notebook_path(), 8999, open_browser=False)
    assert command[0] == sys.executable
    assert str(notebook_path()) in command and "--port=8999" in command
    assert "--Voila.ip=127.0.0.1" in command and "--no-browser" in command
    assert "--no-browser" not in voila_command(notebook_path(), 8999, open_browser=True)
