"""Custom patterns: CSV tables of target offsets."""

from __future__ import annotations

import numpy as np
import pytest

from previs.errors import AptError
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nircam_footprint
from previs.io.apt_offsets import parse_offsets_csv, read_offsets_csv


def test_offsets_tiles_and_dithers(tmp_path):
    path = tmp_path / "pattern.csv"
    path.write_text(
        "# my pattern\nX (arcsec), Y (arcsec), Tile, Dither\n-10, 5, 1, 1\n10.5,-5,1,2\n\n0,0,2,1\n"
    )
    exposures = read_offsets_csv(path)
    np.testing.assert_array_equal(exposures.offsets, [[-10, 5], [10.5, -5], [0, 0]])
    assert exposures.tiles.tolist() == [1, 1, 2] and exposures.dithers.tolist() == [1, 2, 1]
    assert exposures.source == "custom" and "pattern.csv" in exposures.description
    footprint = nircam_footprint(Pointing(10.0, 20.0, 30.0), "long", exposures)
    assert [r["tile"] for r in footprint.to_records()] == [1, 1, 1, 1, 2, 2]


def test_defaults_aliases_and_other_apertures(siaf):
    exposures = parse_offsets_csv("idlx,idly\n1,2\n3,4\n")
    assert exposures.tiles.tolist() == [1, 1] and exposures.dithers.tolist() == [1, 2]
    module_b = parse_offsets_csv("dx,dy\n1,2\n", aperture="NRCBS_FULL")
    v2, v3 = siaf["NIRCam"]["NRCBS_FULL"].idl_to_tel(1.0, 2.0)
    np.testing.assert_allclose(
        module_b.offsets[0], siaf["NIRCam"]["NRCALL_FULL"].tel_to_idl(v2, v3)
    )
    assert module_b.aperture == "NRCBS_FULL"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a,b\n1,2\n", "line 1: the header 'a,b' names no x and y"),
        ("x,y\n1,2\n3,oops\n", "line 3: y 'oops' is not a finite number"),
        ("x,y,tile\n1,2,0\n", "line 2: tile '0' is not a whole number from 1"),
        ("x,y\n1,nan\n", "line 2: y 'nan'"),
        ("x,y\n", "no offsets"),
        ("", "no offsets"),
    ],
)
def test_bad_tables_name_the_line(text, fragment):
    with pytest.raises(AptError, match=fragment):
        parse_offsets_csv(text, "pattern.csv")


def test_bad_aperture_and_file(tmp_path):
    with pytest.raises(AptError, match="not a NIRCam imaging aperture"):
        parse_offsets_csv("x,y\n0,0\n", aperture="NRS_FULL_MSA")
    with pytest.raises(AptError, match="cannot read the offset table"):
        read_offsets_csv(tmp_path / "none.csv")
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81x")
    with pytest.raises(AptError, match="not a text"):
        read_offsets_csv(binary)
