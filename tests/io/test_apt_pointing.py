"""Reading APT pointing reports: real public reports and broken ones."""

from __future__ import annotations

import numpy as np
import pytest
from apt_support import DATA, report_rows, science_positions

from previs.errors import AptError
from previs.io.apt_pointing import COLUMNS, parse_pointing_report, read_pointing_report

REPORTS = sorted(DATA.glob("*.pointing"))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_every_row_of_every_report_is_read(path):
    report = read_pointing_report(path)
    expected = report_rows(path)
    columns = [o.columns for o in report.observations.values()]
    assert sum(len(c["line"]) for c in columns) == len(expected)
    got = [
        (int(c["tile"][k]), int(c["dith"][k]), str(c["aperture"][k]), c["idl_x"][k], c["idl_y"][k])
        for c in columns
        for k in range(len(c["line"]))
    ]
    assert got == [(r["tile"], r["dither"], r["aperture"], *r["idl"]) for r in expected]


def test_header_versions_and_observation_numbers():
    report = read_pointing_report(DATA / "skipped_obs.pointing")
    assert (report.apt_version, report.prd_version) == ("2021.3", "PRDOPSSOC-039")
    assert list(report.observations) == [1, 10, 25, 13, 3, 16]  # the report's order
    assert [o.label for o in report.observations.values()].count("nircam") == 2
    assert report.observation(16).instrument == "NIRCam"
    assert report.observation(13).instruments == ("NIRSpec",)
    old = read_pointing_report(DATA / "m51_mosaic.pointing")
    assert (old.apt_version, old.prd_version) == ("25.4.4", None)
    assert old.title.startswith("JWST Pointing Report for JWST Draft Proposal")


def test_observation_without_obs_number_takes_its_visits_number():
    report = read_pointing_report(DATA / "pid1069_mosaic.pointing")
    assert list(report.observations) == [1]
    observation = report.observation(1)
    assert observation.label == "Observation 1"
    assert observation.visits == ("1:1", "1:2", "1:3", "1:4")


@pytest.mark.parametrize(
    ("name", "number", "prefix"),
    [
        ("pid1069_mosaic", 1, "NRC"),
        ("deep_field", 1, "NRC"),
        ("nircam_niriss_parallel", 1, "NRC"),
        ("nrs_mos_nrc_img", 2, "NRS"),
        ("pid1134_mosaics", 2, "NRC"),
    ],
)
def test_positions_merge_filter_rows_and_skip_other_types(name, number, prefix):
    path = DATA / f"{name}.pointing"
    expected = science_positions(path, number, prefix)
    instrument = {"NRC": "NIRCam", "NRS": "NIRSpec"}[prefix]
    positions = read_pointing_report(path).observation(number).positions(instrument)
    assert len(positions) == len(expected)
    np.testing.assert_array_equal(positions.tiles, [r["tile"] for r in expected])
    np.testing.assert_array_equal(positions.dithers, [r["dither"] for r in expected])
    np.testing.assert_array_equal(positions.offsets, [r["idl"] for r in expected])
    assert positions.apertures == tuple(r["aperture"] for r in expected)


def test_filter_rows_and_a_dither_at_two_offsets():
    rows = read_pointing_report(DATA / "pid1069_mosaic.pointing").observation(1)
    assert len(rows) == 48 and len(rows.positions("NIRCam")) == 12  # 4 filters at 12 positions
    parallel = read_pointing_report(DATA / "nircam_niriss_parallel.pointing").observation(1)
    positions = parallel.positions("NIRCam")
    first = (positions.tiles == 1) & (positions.dithers == 1)
    assert first.sum() == 2  # the direct image at (0, 0) and the first dither
    assert "NIS_CEN" not in positions.apertures


def _m51() -> str:
    return (DATA / "m51_mosaic.pointing").read_text()


def test_target_names_may_hold_spaces():
    text = _m51().replace("1 M-51     ", "1 NGC 5194 A ")
    positions = parse_pointing_report(text).observation(1).positions("NIRCam")
    assert positions.targets[0] == "1 NGC 5194 A"
    assert positions.ra[0] == pytest.approx(202.47463)
    nameless = parse_pointing_report(_m51().replace("1 M-51     ", "1 ")).observation(1)
    assert nameless.positions("NIRCam").targets[0] == "1"


def _line_of(text: str, fragment: str) -> int:
    return next(k for k, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_truncated_row_is_named_by_line():
    text = _m51()
    cut = text[: text.rindex("+57.221") + 3]
    line = len(cut.splitlines())
    with pytest.raises(AptError, match=rf"m51.pointing, line {line}: malformed row"):
        parse_pointing_report(cut, "m51.pointing")


def test_malformed_row_is_named_by_line():
    text = _m51().replace("+58.779  -35.600  -59.080", "+58.779  abc  -59.080")
    line = _line_of(text, "abc")
    with pytest.raises(AptError, match=rf"line {line}: malformed row .*Tar Tile Exp"):
        parse_pointing_report(text, "m51.pointing")


def test_unknown_columns_are_named():
    text = _m51().replace("dDist", "dDist    PA", 1)
    line = _line_of(text, "dDist    PA")
    with pytest.raises(AptError, match=rf"line {line}: unknown columns .*previs reads") as info:
        parse_pointing_report(text, "m51.pointing")
    assert COLUMNS in str(info.value)


def test_row_before_the_column_line():
    lines = _m51().splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("Tar "))
    del lines[start]
    with pytest.raises(AptError, match=rf"line {start + 1}: a row before the column line"):
        parse_pointing_report("\n".join(lines), "m51.pointing")


def test_observation_without_a_number():
    text = "# APT Output Product\n========\n* Some observation\n"
    with pytest.raises(AptError, match=r"line 3: observation 'Some observation' has no"):
        parse_pointing_report(text, "x.pointing")


@pytest.mark.parametrize(
    "text",
    ["", "RA Dec\n53.1 -27.8\n", "<?xml version='1.0'?><JwstProposal/>"],
)
def test_not_a_pointing_report(text):
    with pytest.raises(AptError, match="is not an APT pointing report"):
        parse_pointing_report(text, "input.txt")


def test_missing_observation_lists_those_there():
    report = read_pointing_report(DATA / "skipped_obs.pointing")
    with pytest.raises(AptError, match="no observation 2 .* 1, 3, 10, 13, 16, 25"):
        report.observation(2)


def test_unreadable_file_is_named(tmp_path):
    with pytest.raises(AptError, match="cannot read the pointing report"):
        read_pointing_report(tmp_path / "missing.pointing")
