"""Hostile configuration files: alias bombs, deep nesting, huge files. Each is refused
quickly with a ConfigError naming the file, in the API, the command line and the dashboard."""

from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest

from previs.cli import main
from previs.errors import ConfigError
from previs.io.configs import load_config

BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
        for i in range(8)
    ]
)


@contextmanager
def within(seconds: float):
    """Fail instead of hanging."""

    def fail(*_):
        raise AssertionError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(params=["ra", "dither", "document"])
def bomb_file(request, tmp_path):
    if request.param == "ra":
        text = BOMB + "\nnirspec:\n  ra: *i\n"
    elif request.param == "dither":
        text = BOMB + "\nnircam:\n  dither: *i\n"
    else:
        text = BOMB + "\nnirspec: *i\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    return path


def test_alias_bombs_are_refused_by_the_api(bomb_file):
    with within(10), pytest.raises(ConfigError) as error:
        load_config(bomb_file)
    assert str(bomb_file) in str(error.value) and len(str(error.value)) < 400


@pytest.mark.parametrize("command", ["coverage", "report"])
def test_alias_bombs_are_refused_by_the_cli(bomb_file, command, capsys):
    with within(10):
        assert main([command, "--config", str(bomb_file)]) == 2
    message = capsys.readouterr().err
    assert str(bomb_file) in message and len(message.splitlines()) == 1


def test_an_alias_used_once_is_fine(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &ra 53.1625\nnirspec:\n  ra: *ra\n  dec: -27.79\n  pa: 45\n")
    assert load_config(path).plan.nirspec.dec == pytest.approx(-27.79, abs=0.01)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deep_nesting_is_a_config_error(tmp_path, suffix, capsys):
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with within(20), pytest.raises(ConfigError, match="nested too deeply|too large"):
        load_config(path)
    with within(20):
        assert main(["coverage", "--config", str(path)]) == 2
    assert str(path) in capsys.readouterr().err


def test_huge_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(64 * 2**20)  # sparse: no disk, 64 MiB of zeros
    with within(5), pytest.raises(ConfigError, match="too large"):
        load_config(path)


def test_the_dashboard_shows_the_error_and_keeps_its_state(tmp_path, bomb_file):
    pytest.importorskip("ipywidgets")
    from previs.dashboard.app import Dashboard

    dashboard = Dashboard(image=False, catalog=False, schedule=False)
    before = dashboard.plan
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    for path in (bomb_file, deep):
        panel = dashboard.export_panel
        panel.config_path.value = str(path)
        with within(20):
            panel.config_load_button.click()
        assert str(path) in dashboard.export_text
        assert dashboard.plan == before
