"""``previs visibility`` and ``previs plan-schedule``."""

from __future__ import annotations

import datetime
import json

import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord, get_body
from astropy.time import Time
from astropy.utils import iers

from previs.cli import main


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_visibility_json_contract(capsys, tmp_path):
    plot = tmp_path / "timeline.png"
    status, out, _ = run(
        capsys,
        "visibility",
        "--ra",
        "53.1625",
        "--dec",
        "-27.7914",
        "--start",
        "2027-01-01",
        "--end",
        "2027-03-01",
        "--json",
        "--plot",
        str(plot),
    )
    assert status == 0
    data = json.loads(out)
    assert data["target"]["ra"] == pytest.approx(53.1625)
    dates = [day["date"] for day in data["days"]]
    assert dates[0] == "2027-01-01" and dates[-1] == "2027-03-01" and len(dates) == 60
    day = data["days"][10]
    with iers.conf.set_temp("auto_download", False):
        sun = get_body("sun", Time(day["date"]))
    # target at infinity: its direction is the same seen from the Earth's centre
    elongation = sun.separation(SkyCoord(53.1625 * u.deg, -27.7914 * u.deg)).deg
    assert day["elongation"] == pytest.approx(elongation, abs=0.05)
    assert day["in_field_of_regard"] == (84.8 <= elongation <= 135.0)
    if day["in_field_of_regard"]:
        low, nominal, high = day["nirspec_apa"]
        assert (nominal - day["v3pa"]) % 360 == pytest.approx(138.5745697, abs=1e-6)
        assert low < nominal < high
    for window in data["windows"]:
        datetime.date.fromisoformat(window["start"])
        datetime.date.fromisoformat(window["end"])
    assert plot.stat().st_size > 10_000


def test_plan_schedule_separation_rule(capsys):
    status, out, _ = run(
        capsys,
        "plan-schedule",
        "--ra",
        "53.1625",
        "--dec",
        "-27.7914",
        "--imaging",
        "2027-08-01",
        "--nirspec-start",
        "2027-09-12",
        "--json",
    )
    data = json.loads(out)
    assert data["separation_days"] == 42
    assert data["status"] == "warning" and status == 0
    status, out, _ = run(
        capsys,
        "plan-schedule",
        "--ra",
        "53.1625",
        "--dec",
        "-27.7914",
        "--imaging",
        "2027-08-01",
        "--nirspec-start",
        "2027-09-11",
        "--json",
    )
    assert json.loads(out)["status"] == "error" and status == 1


@pytest.mark.parametrize(
    "args, fragment",
    [
        (
            [
                "visibility",
                "--ra",
                "1",
                "--dec",
                "95",
                "--start",
                "2027-01-01",
                "--end",
                "2027-01-02",
            ],
            "Dec",
        ),
        (
            [
                "visibility",
                "--ra",
                "1",
                "--dec",
                "5",
                "--start",
                "2027-02-30",
                "--end",
                "2027-03-02",
            ],
            "2027-02-30",
        ),
        (
            [
                "visibility",
                "--ra",
                "1",
                "--dec",
                "5",
                "--start",
                "2027-03-01",
                "--end",
                "2027-01-02",
            ],
            "end",
        ),
        (
            [
                "visibility",
                "--ra",
                "1",
                "--dec",
                "5",
                "--start",
                "2019-03-01",
                "--end",
                "2027-01-02",
            ],
            "2022",
        ),
        (
            ["plan-schedule", "--ra", "1", "--dec", "5", "--imaging", "2027-01-01"],
            "--nirspec-start",
        ),
    ],
)
def test_bad_dates_exit_2(capsys, args, fragment):
    status, _, err = run(capsys, *args)
    assert status == 2
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_exit_codes_bad_input_2_rule_broken_1_with_the_reason_on_stderr(capsys):
    args = ["plan-schedule", "--ra", "53.1625", "--dec", "-27.7914", "--imaging", "2027-08-01"]
    assert main([*args, "--nirspec-start", "2027-08-20"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("ERROR") and "42 are required" in captured.err
    assert main([*args, "--nirspec-start", "2027-10-01"]) == 0
    assert capsys.readouterr().err == ""
    assert main([*args, "--nirspec-start", "2027-13-01"]) == 2


def test_visibility_plot_names_the_option_and_the_formats(capsys, tmp_path):
    code = main(
        ["visibility", "--ra", "53", "--dec", "-27", "--start", "2027-01-01", "--end",
         "2027-02-01", "--plot", str(tmp_path / "t.txt")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--plot" in err and ".png, .pdf, .svg" in err
    assert not (tmp_path / "t.txt").exists()


def test_plan_schedule_span_is_checked_before_date_arithmetic(capsys):
    code = main(["plan-schedule", "--ra", "53", "--dec", "-27", "--span", "1000000000"])
    err = capsys.readouterr().err
    assert code == 2 and "--span" in err and "6940" in err
