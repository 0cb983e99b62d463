"""``previs apt``: the JSON and text listing, errors, and the --apt footprint data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from previs.cli import COMMAND_MODULES, main
from previs.cli.apt import apt_footprint_data
from previs.io.apt import read_apt

DATA = Path(__file__).resolve().parents[1] / "data" / "apt"
FIELDS = ("number", "label", "instrument", "template", "dither", "mosaic", "positions", "target")


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_registered():
    assert "previs.cli.apt" in COMMAND_MODULES


def test_apt_json_lists_every_observation(capsys):
    status, out, _ = run(capsys, "apt", str(DATA / "skipped_obs.pointing"), "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["apt_version"], data["prd_version"]) == ("2021.3", "PRDOPSSOC-039")
    assert data["read"] == ["skipped_obs.pointing", "skipped_obs.xml"]
    rows = data["observations"]
    assert [r["number"] for r in rows] == [1, 3, 10, 13, 16, 25]
    assert all(set(FIELDS) <= set(r) for r in rows)
    nircam = rows[4]
    assert (nircam["instrument"], nircam["template"], nircam["dither"], nircam["positions"]) == (
        "NIRCam",
        "NircamImaging",
        "INTRAMODULE 3",
        3,
    )
    assert nircam["target"] == "TARGETONE" and nircam["ra"] == pytest.approx(12.0)


def test_apt_text_table(capsys):
    status, out, _ = run(capsys, "apt", str(DATA / "pid1134_mosaics.xml"))
    assert status == 0
    lines = out.splitlines()
    assert "APT 26.0.2, PRD PRDOPSSOC-H-015" in lines[0]
    assert lines[1].split()[:4] == ["obs", "instrument", "template", "dither"]
    assert [line.split()[4] for line in lines[2:]] == ["3x2", "13x3", "5x9"]


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("missing.pointing", "cannot read"),
        ("README.md", "is not an APT pointing report"),
    ],
)
def test_apt_errors_are_one_line(capsys, path, fragment):
    status, out, err = run(capsys, "apt", str(DATA / path))
    assert status == 2 and not out
    assert err.count("\n") == 1 and fragment in err


def test_apt_footprint_data_nircam():
    data = apt_footprint_data(str(DATA / "m51_mosaic.pointing"), 1, 30.0, "nircam", "long")
    assert data["instrument"] == "NIRCam" and data["observation"] == 1
    assert "APT pointing report" in data["source"]
    records = data["apertures"]
    assert [(r["tile"], r["dither"]) for r in records[::2]] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]
    assert {"name", "ra", "dec", "tile", "dither", "exposure"} <= set(records[0])
    expected = read_apt(DATA / "m51_mosaic.pointing").nircam_footprint(1, 30.0, "long")
    np.testing.assert_allclose([r["ra"] for r in records], expected.ra)


def test_apt_footprint_data_nirspec_and_wrong_instrument():
    data = apt_footprint_data(str(DATA / "nrs_mos_nrc_img.pointing"), 2, 80.0, "nirspec")
    assert data["instrument"] == "NIRSpec"
    assert {r["name"] for r in data["apertures"]} >= {"NRS_FULL_MSA1", "NRS_FULL_MSA4"}
    with pytest.raises(ValueError, match="ask for it as NIRSpec"):
        apt_footprint_data(str(DATA / "nrs_mos_nrc_img.pointing"), 2, 80.0, "nircam")
