"""The CLI contract: JSON shapes, values and error exits."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from previs.cli import main
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic
from previs.planning.sweep import apa_sweep


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_footprint_nirspec_json(capsys):
    status, out, _ = run(
        capsys, "footprint", "nirspec", "--ra", "53.1", "--dec", "-27.8", "--apa", "45", "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["instrument"] == "NIRSpec" and data["siaf_version"].startswith("PRD")
    expected = nirspec_footprint(Pointing(53.1, -27.8, 45))
    assert [a["name"] for a in data["apertures"]] == list(expected.names)
    assert all(a["exposure"] == 0 for a in data["apertures"])
    np.testing.assert_allclose([a["ra"] for a in data["apertures"]], expected.ra)


def test_footprint_nircam_json(capsys):
    status, out, _ = run(
        capsys,
        "footprint",
        "nircam",
        "--ra",
        "53.1",
        "--dec",
        "-27.8",
        "--apa",
        "45",
        "--channel",
        "long",
        "--dither",
        "FULL3",
        "--mosaic",
        "2x1",
        "--row-overlap",
        "5",
        "--column-overlap",
        "0",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    expected = nircam_footprint(Pointing(53.1, -27.8, 45), "long", "FULL3", Mosaic(2, 1, 5, 0))
    assert len(data["apertures"]) == 12
    assert [a["exposure"] for a in data["apertures"]] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    np.testing.assert_allclose([a["dec"] for a in data["apertures"]], expected.dec)
    assert all(len(a["ra"]) == 4 for a in data["apertures"])


def test_coverage_json(capsys):
    status, out, _ = run(
        capsys,
        "coverage",
        "--nirspec",
        "53.1",
        "-27.8",
        "45",
        "--nircam",
        "53.1",
        "-27.8",
        "266",
        "--channel",
        "short",
        "--dither",
        "FULL3",
        "--mosaic",
        "2x1",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    expected = compute_coverage(
        Pointing(53.1, -27.8, 45),
        nircam_footprint(Pointing(53.1, -27.8, 266), "short", "FULL3", Mosaic(2, 1)),
    )
    assert data["channel"] == "short" and data["exposures"] == 6
    assert data["covered"] == pytest.approx(expected.covered)
    assert set(data["quadrants"]) == {"1", "2", "3", "4"}
    assert set(data["depth"]) == {"1", "2", "3"}
    assert data["depth"]["1"] >= data["depth"]["2"] >= data["depth"]["3"]


def test_sweep_json(capsys):
    status, out, _ = run(
        capsys,
        "sweep",
        "--nirspec",
        "53.1",
        "-27.8",
        "45",
        "--nircam",
        "53.1",
        "-27.8",
        "266",
        "--dither",
        "FULL3",
        "--apa-start",
        "10",
        "--apa-stop",
        "20",
        "--apa-step",
        "2.5",
        "--json",
    )
    assert status == 0
    rows = json.loads(out)
    assert [r["apa"] for r in rows] == [10.0, 12.5, 15.0, 17.5]
    expected = apa_sweep(
        Pointing(53.1, -27.8, 45),
        Pointing(53.1, -27.8, 266),
        [10, 12.5, 15, 17.5],
        "short",
        "FULL3",
    )
    np.testing.assert_allclose([r["covered"] for r in rows], expected)


def test_ds9_output(tmp_path, capsys):
    from regions import Regions

    path = tmp_path / "nrs.reg"
    status, _, _ = run(
        capsys,
        "footprint",
        "nirspec",
        "--ra",
        "10",
        "--dec",
        "20",
        "--apa",
        "30",
        "--ds9",
        str(path),
    )
    assert status == 0
    assert len(Regions.read(str(path), format="ds9")) == 10


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["coverage", "--nirspec", "53", "95", "45"], "--nirspec: Dec"),
        (
            ["coverage", "--nirspec", "53", "-27", "45", "--nircam", "53", "95", "0"],
            "--nircam: Dec",
        ),
        (["coverage", "--nirspec", "53", "-27", "45", "--dither", "WIGGLE"], "WIGGLE"),
        (["coverage", "--nirspec", "53", "-27", "45", "--mosaic", "0x2"], "mosaic"),
        (["coverage", "--nirspec", "abc", "-27", "45"], "--nirspec RA: cannot read 'abc'"),
        (["footprint", "nircam", "--ra", "1", "--dec", "2", "--apa", "x"], "'x' is not a number"),
        (
            ["footprint", "nircam", "--ra", "1", "--dec", "2", "--apa", "3", "--channel", "mid"],
            "channel",
        ),
        (["sweep", "--nirspec", "1", "2", "3", "--apa-step", "0"], "--apa-step"),
        (["footprint", "miri", "--ra", "1", "--dec", "2", "--apa", "3"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, fragment):
    status, out, err = run(capsys, *args)
    assert status == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_console_script_error_has_no_traceback():
    process = subprocess.run(
        [sys.executable, "-m", "previs", "coverage", "--nirspec", "53", "95", "45"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert process.stderr.startswith("previs: error:") and "Traceback" not in process.stderr


def test_a_nircam_pointing_far_from_nirspec_covers_nothing(capsys):
    """An RA typo puts NIRCam across the sky: 0 coverage, not a projection error."""
    status, out, _ = run(
        capsys, "coverage", "--nirspec", "53", "-27", "45", "--nircam", "233", "-27", "0", "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["covered"] == 0.0 and data["quadrants"] == {"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0}
    status, out, _ = run(
        capsys, "sweep", "--nirspec", "53", "-27", "45", "--nircam", "233", "-27", "0",
        "--apa-start", "0", "--apa-stop", "30", "--apa-step", "10", "--json",
    )  # fmt: skip
    assert status == 0 and [row["covered"] for row in json.loads(out)] == [0.0, 0.0, 0.0]


def test_pointings_accept_sexagesimal(capsys):
    """--nirspec and --ra/--dec take the same RA/Dec forms as the dashboard."""
    assert main(["coverage", "--nirspec", "03:32:39.0", "-27:47:29.04", "45", "--json"]) == 0
    sexagesimal = json.loads(capsys.readouterr().out)
    assert main(["coverage", "--nirspec", "53.1625", "-27.7914", "45", "--json"]) == 0
    decimal = json.loads(capsys.readouterr().out)
    assert sexagesimal["covered"] == pytest.approx(decimal["covered"], abs=1e-9)
    assert (
        main(
            [
                "footprint",
                "nirspec",
                "--ra",
                "3h32m39s",
                "--dec",
                "-27d47m29.04s",
                "--apa",
                "45",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["apertures"]


def test_sweep_refuses_too_many_angles_before_allocating(capsys):
    """A tiny step is refused by counting, not by a numpy MemoryError."""
    code = main(["sweep", "--nirspec", "53", "-27", "45", "--apa-step", "1e-9"])
    assert code == 2
    message = capsys.readouterr().err
    assert "--apa-step" in message and "100000" in message and len(message.splitlines()) == 1
    assert main(["sweep", "--nirspec", "53", "-27", "45", "--apa-stop", "1e13"]) == 2
