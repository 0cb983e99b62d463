"""The atomic writer never loses an input of the session, a read-only file or a mode."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest
from astropy.io import fits

from previs._files import ANY_INPUT, remember_input, write_text_atomic
from previs.errors import PrevisError


def test_an_input_of_the_session_is_not_replaced(tmp_path):
    source = tmp_path / "targets.radec"
    source.write_text("53.1 -27.8 P\n")
    from previs.catalog import read_catalog

    read_catalog(source)
    with pytest.raises(PrevisError, match="targets.radec.*catalog this session read"):
        write_text_atomic(source, "overwritten")
    assert source.read_text() == "53.1 -27.8 P\n"
    write_text_atomic(source, "a cache may", may_replace=ANY_INPUT)


def test_a_symlink_to_an_input_is_the_input(tmp_path):
    real = tmp_path / "image.fits"
    fits.PrimaryHDU(np.zeros((2, 2))).writeto(real)
    link = tmp_path / "link.fits"
    link.symlink_to(real)
    remember_input(real, "image")
    with pytest.raises(PrevisError, match="image this session read"):
        write_text_atomic(link, "x")


def test_read_only_files_are_refused_and_modes_kept(tmp_path):
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0o444)
    with pytest.raises(PrevisError, match="read-only"):
        write_text_atomic(locked, "x")
    assert locked.read_text() == "{}" and stat.S_IMODE(locked.stat().st_mode) == 0o444
    shared = tmp_path / "shared.json"
    shared.write_text("{}")
    shared.chmod(0o640)
    write_text_atomic(shared, "new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640 and shared.read_text() == "new"


def test_errors_name_the_users_path_not_the_temporary_file(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "p.reg"
    if os.geteuid() == 0:  # root writes anywhere: a missing folder makes the same point
        target = tmp_path / "missing" / "p.reg"
    else:
        folder.chmod(0o555)
    with pytest.raises(PrevisError) as error:
        write_text_atomic(target, "x")
    assert str(target) in str(error.value) and ".tmp" not in str(error.value)
    assert not [p for p in tmp_path.rglob("*.tmp")]
