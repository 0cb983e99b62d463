"""Atomic writes: whole files, usual permissions, nothing left behind on failure."""

from __future__ import annotations

import os
import stat

import pytest

from previs._files import replace_atomically, write_bytes_atomic, write_text_atomic


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_text_and_bytes_get_the_umask_permissions(tmp_path, umask_022):
    text = write_text_atomic(tmp_path / "a.txt", "héllo\n")
    data = write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert text.read_text(encoding="utf-8") == "héllo\n" and data.read_bytes() == b"\x00\x01"
    for path in (text, data):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = write_text_atomic(tmp_path / "keep.txt", "old")

    def broken(temporary):
        temporary.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_atomically(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_missing_folder_is_named_or_made(tmp_path):
    with pytest.raises(ValueError, match="missing"):
        write_text_atomic(tmp_path / "nope" / "x.txt", "x")
    made = replace_atomically(
        tmp_path / "new" / "x.txt", lambda t: t.write_text("x"), make_folder=True
    )
    assert made.read_text() == "x"


def test_the_example_field_cache_is_readable_by_others(tmp_path, monkeypatch, umask_022):
    """A shared cache (Binder, a hub) must not hold files only their writer can read."""
    from previs.io import example_field

    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path))
    path = example_field.write_example_catalog(
        example_field.example_sources(), tmp_path / "cat.radec"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
