"""``previs apt``: the JSON and text listing, errors, and the --apt footprint data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from previs.cli import COMMAND_MODULES, main
from previs.cli.apt import apt_footprint_data
from previs.io.apt import read_apt

DATA = Path(__file__).resolve().parents[1] / "data" / "apt"
sys.path.insert(0, str(DATA.parents[1] / "io"))  # the independent report reader of tests/io
from apt_support import science_positions  # noqa: E402

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


# --------------------------------------------------------------------------- the CLI contract


def _pysiaf_corners(siaf, instrument, reference, name, position, v3pa):
    from pysiaf.utils.rotations import attitude, pointing

    v2, v3 = siaf[instrument][reference].idl_to_tel(*position["idl"])
    matrix = attitude(v2, v3, position["ra"], position["dec"], v3pa)
    corners = siaf[instrument][name].corners("tel", rederive=False)
    return pointing(matrix, *corners)


def _mas(ra1, dec1, ra2, dec2):
    from astropy.coordinates import SkyCoord

    return SkyCoord(ra1, dec1, unit="deg").separation(SkyCoord(ra2, dec2, unit="deg")).mas


@pytest.mark.parametrize(
    ("name", "number", "channel"),
    [("m51_mosaic", 1, "long"), ("preimaging_mos", 1, "short"), ("pid1134_mosaics", 1, "short")],
)
def test_footprint_nircam_apt_json_is_pysiaf_at_apts_offsets(capsys, siaf, name, number, channel):
    path = DATA / f"{name}.pointing"
    status, out, err = run(
        capsys,
        "footprint",
        "nircam",
        "--apt",
        str(path),
        "--observation",
        str(number),
        "--apa",
        "123.4",
        "--channel",
        channel,
        "--json",
    )
    assert status == 0, err
    data = json.loads(out)
    assert (data["instrument"], data["observation"], data["apa"]) == ("NIRCam", number, 123.4)
    positions = science_positions(path, number, "NRC")
    assert data["positions"] == len(positions)
    v3pa = 123.4 - siaf["NIRCam"]["NRCALL_FULL"].V3IdlYAngle
    per_position = len(data["apertures"]) // len(positions)
    worst = 0.0
    for record in data["apertures"]:
        assert {"name", "ra", "dec", "tile", "dither", "exposure"} <= set(record)
        position = positions[record["exposure"]]
        assert (record["tile"], record["dither"]) == (position["tile"], position["dither"])
        expected = _pysiaf_corners(
            siaf, "NIRCam", position["aperture"], record["name"], position, v3pa
        )
        worst = max(worst, _mas(record["ra"], record["dec"], *expected).max())
    assert worst < 1.0 and per_position == (2 if channel == "long" else 8)


def test_footprint_nirspec_apt_json_is_pysiaf_at_apts_offsets(capsys, siaf, tmp_path):
    path = DATA / "preimaging_mos.pointing"
    ds9 = tmp_path / "msa.reg"
    status, out, err = run(
        capsys,
        "footprint",
        "nirspec",
        "--apt",
        str(path),
        "--observation",
        "2",
        "--apa",
        "45",
        "--json",
        "--ds9",
        str(ds9),
    )
    assert status == 0, err
    data = json.loads(out)
    positions = science_positions(path, 2, "NRS")
    assert data["positions"] == len(positions) == 4
    v3pa = 45.0 - siaf["NIRSpec"]["NRS_FULL_MSA"].V3IdlYAngle
    for record in data["apertures"]:
        position = positions[record["exposure"]]
        assert (record["tile"], record["dither"]) == (position["tile"], position["dither"])
        expected = _pysiaf_corners(siaf, "NIRSpec", "NRS_FULL_MSA", record["name"], position, v3pa)
        assert _mas(record["ra"], record["dec"], *expected).max() < 1.0
    text = ds9.read_text()
    assert text.count("polygon") == len(data["apertures"]) and "tile=2" in text


def test_coverage_from_apt_observations(capsys):
    from previs.geometry.attitude import Pointing, nircam_apa_for
    from previs.planning.plan import Plan, evaluate

    path = DATA / "preimaging_mos.pointing"
    status, out, err = run(
        capsys,
        "coverage",
        "--apt",
        str(path),
        "--nircam-observation",
        "1",
        "--nirspec-observation",
        "2",
        "--nirspec-apa",
        "45",
        "--channel",
        "long",
        "--json",
    )
    assert status == 0, err
    data = json.loads(out)
    program = read_apt(path)
    msa = program.nirspec_pointings(2, 45.0)
    ra, dec, _ = program.nircam_target(1)
    nircam = Pointing(ra, dec, nircam_apa_for(msa[0].apa))  # the documented default
    plan = Plan(
        msa[0], nircam, program.nircam_exposures(1), channel="long", extra_nirspec=tuple(msa[1:])
    )
    result = evaluate(plan)
    assert {"channel", "covered", "quadrants", "depth", "exposures", "pointings"} <= set(data)
    assert data["covered"] == result.coverage.covered and data["exposures"] == 6
    assert [p["pointing"] for p in data["pointings"]] == [1, 2, 3, 4]
    for row, pointing, each in zip(data["pointings"], msa, result.pointing_coverages, strict=True):
        assert (row["ra"], row["dec"], row["apa"]) == (pointing.ra, pointing.dec, pointing.apa)
        assert row["covered"] == each.covered
    status, out, _ = run(
        capsys,
        "coverage",
        "--apt",
        str(path),
        "--nircam-observation",
        "1",
        "--nircam-apa",
        "300",
        "--nirspec",
        "53.1625",
        "-27.7914",
        "45",
        "--json",
    )
    single = json.loads(out)
    expected = evaluate(
        Plan(Pointing(53.1625, -27.7914, 45), Pointing(ra, dec, 300.0), program.nircam_exposures(1))
    )
    assert single["covered"] == expected.coverage.covered and len(single["pointings"]) == 1


def test_coverage_with_a_pointing_table_and_a_catalog(capsys, tmp_path):
    from previs.catalog import read_catalog
    from previs.catalog.sources import count_sources_by_pointing
    from previs.geometry.attitude import Pointing
    from previs.io.example_field import example_catalog_path
    from previs.planning.plan import Plan, evaluate

    table = tmp_path / "msa.csv"
    table.write_text("ra,dec,apa\n53.1625,-27.7914,45\n03:32:36.0,-27:47:10,50\n")
    status, out, err = run(
        capsys,
        "coverage",
        "--nirspec-pointings",
        str(table),
        "--nircam",
        "53.1625",
        "-27.7914",
        "300",
        "--dither",
        "FULL3",
        "--catalog",
        str(example_catalog_path()),
        "--json",
    )
    assert status == 0, err
    data = json.loads(out)
    pointings = (Pointing(53.1625, -27.7914, 45.0), Pointing(53.15, -27.786111111111111, 50.0))
    plan = Plan(
        pointings[0], Pointing(53.1625, -27.7914, 300.0), "FULL3", extra_nirspec=pointings[1:]
    )
    result = evaluate(plan)
    together, each = count_sources_by_pointing(read_catalog(example_catalog_path()), result)
    assert data["covered"] == pytest.approx(result.coverage.covered, abs=1e-12)
    assert data["sources"]["primary"] == together.summary("primary")
    for row, counts in zip(data["pointings"], each, strict=True):
        assert row["sources"]["filler"] == counts.summary("filler")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            [
                "footprint",
                "nircam",
                "--apt",
                "m51_mosaic.pointing",
                "--observation",
                "7",
                "--apa",
                "0",
            ],
            "no observation 7",
        ),
        (
            ["footprint", "nirspec", "--apt", "m51_mosaic.xml", "--observation", "1", "--apa", "0"],
            "ask for it as NIRCam",
        ),
        (
            [
                "footprint",
                "nircam",
                "--apt",
                "nrs_mos_nrc_img.pointing",
                "--observation",
                "2",
                "--apa",
                "0",
            ],
            "ask for it as NIRSpec",
        ),
        (
            ["footprint", "nircam", "--apt", "README.md", "--observation", "1", "--apa", "0"],
            "not an APT pointing report",
        ),
        (["footprint", "nircam", "--apt", "m51_mosaic.pointing", "--observation", "1"], "--apa"),
        (
            [
                "coverage",
                "--apt",
                "preimaging_mos.pointing",
                "--nircam-observation",
                "2",
                "--nirspec-observation",
                "2",
                "--nirspec-apa",
                "0",
            ],
            "ask for it as NIRSpec",
        ),
        (
            [
                "coverage",
                "--apt",
                "preimaging_mos.pointing",
                "--nircam-observation",
                "1",
                "--nirspec-observation",
                "1",
                "--nirspec-apa",
                "0",
            ],
            "ask for it as NIRCam",
        ),
        (
            [
                "coverage",
                "--apt",
                "preimaging_mos.pointing",
                "--nircam-observation",
                "1",
                "--nirspec-observation",
                "2",
            ],
            "--nirspec-observation goes with --nirspec-apa",
        ),
        (
            [
                "coverage",
                "--apt",
                "preimaging_mos.pointing",
                "--nircam-observation",
                "9",
                "--nirspec",
                "1",
                "2",
                "3",
            ],
            "no observation 9",
        ),
        (["coverage", "--nircam-observation", "1", "--nirspec", "1", "2", "3"], "goes with --apt"),
        (
            [
                "coverage",
                "--apt",
                "preimaging_mos.pointing",
                "--nircam-observation",
                "1",
                "--nirspec",
                "1",
                "2",
                "3",
                "--mosaic",
                "2x1",
            ],
            "drop --mosaic",
        ),
    ],
)
def test_bad_apt_requests_exit_2_with_one_line(capsys, args, fragment):
    args = [str(DATA / a) if a.endswith((".pointing", ".xml", ".md")) else a for a in args]
    status, out, err = run(capsys, *args)
    assert status == 2 and not out
    assert err.count("\n") == 1 and fragment in err


@pytest.mark.parametrize(
    ("suffix", "cut", "fragment"),
    [(".xml", 3000, "not a complete XML"), (".pointing", 2500, "malformed row")],
)
def test_truncated_and_foreign_files_exit_2(capsys, tmp_path, suffix, cut, fragment):
    source = DATA / f"m51_mosaic{suffix}"
    truncated = tmp_path / f"cut{suffix}"
    truncated.write_bytes(source.read_bytes()[:cut])
    status, out, err = run(
        capsys,
        "footprint",
        "nircam",
        "--apt",
        str(truncated),
        "--observation",
        "1",
        "--apa",
        "0",
        "--json",
    )
    assert status == 2 and not out and err.count("\n") == 1 and fragment in err
    foreign = tmp_path / "page.xml"
    foreign.write_text('<?xml version="1.0"?><html><body/></html>')
    status, _, err = run(
        capsys, "footprint", "nircam", "--apt", str(foreign), "--observation", "1", "--apa", "0"
    )
    assert status == 2 and "not an APT proposal" in err


def test_configs_with_apt_plans_in_footprint_coverage_and_handoff(capsys, tmp_path):
    from previs.geometry.attitude import Pointing
    from previs.io.configs import save_config
    from previs.io.session import Config
    from previs.planning.plan import Plan, evaluate

    program = read_apt(DATA / "preimaging_mos.pointing")
    msa = program.nirspec_pointings(2, 45.0)
    ra, dec, _ = program.nircam_target(1)
    plan = Plan(
        msa[0], Pointing(ra, dec, 300.0), program.nircam_exposures(1), extra_nirspec=tuple(msa[1:])
    )
    config = save_config(Config.from_plan(plan), tmp_path / "apt.json")
    status, out, err = run(capsys, "coverage", "--config", str(config), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["covered"] == evaluate(plan).coverage.covered and len(data["pointings"]) == 4
    status, out, _ = run(capsys, "footprint", "nirspec", "--config", str(config), "--json")
    assert sorted({r["exposure"] for r in json.loads(out)["apertures"]}) == [0, 1, 2, 3]
    status, out, _ = run(capsys, "footprint", "nircam", "--config", str(config), "--json")
    records = json.loads(out)["apertures"]
    assert sorted({(r["tile"], r["dither"]) for r in records}) == [
        (t, d) for t in (1, 2) for d in (1, 2, 3)
    ]
    out_dir = tmp_path / "handoff"
    out_dir.mkdir()
    status, out, err = run(
        capsys, "handoff", "--config", str(config), "--out-dir", str(out_dir), "--json"
    )
    assert status == 0, err
    report = json.loads(out)
    assert report["nircam_template"] is None
    assert any("explicit" in note for note in report["notes"])
