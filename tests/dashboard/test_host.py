"""The panels' interface: one update guard, one status board."""

from __future__ import annotations

import pytest

from previs.dashboard.host import StatusBoard, UpdateGuard


class _Html:
    value = ""


def test_the_guard_nests():
    guard = UpdateGuard()
    assert not guard.active
    with guard.hold():
        with guard.hold():
            assert guard.active
        assert guard.active
    assert not guard.active
    with pytest.raises(RuntimeError), guard.hold():
        raise RuntimeError("the hold is released on errors too")
    assert not guard.active


def test_status_channels_keep_their_order_and_escape_errors():
    board = StatusBoard(_Html())
    board.set("catalog", "catalog note")
    board.set_error("input", "RA <b>bad</b>")
    assert board.widget.value.index("RA &lt;b&gt;bad") < board.widget.value.index("catalog note")
    assert board.text.splitlines()[1] == "catalog note"
    board.set("input", "")
    assert board.text == "catalog note"
    with pytest.raises(KeyError):
        board.set("nowhere", "x")
