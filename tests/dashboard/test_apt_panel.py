"""The APT program panel: pickers drive the plan, the figure, readout, exports and sessions."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from regions import Regions

from previs.dashboard.app import Dashboard
from previs.dashboard.panels.apt import KEEP, NONE
from previs.dashboard.text import format_percent
from previs.geometry.attitude import Pointing
from previs.geometry.patterns import Exposures, Mosaic
from previs.geometry.siaf import MSA_QUADRANTS
from previs.io.apt import read_apt
from previs.planning.plan import Plan, evaluate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from apt_support import DATA  # noqa: E402

PROGRAM = DATA / "preimaging_mos.pointing"  # NIRCam obs 1 (FULL3 + 2x1), NIRSpec MOS obs 2
MAS = 1.0 / 3.6e6  # degrees


@pytest.fixture
def dashboard():
    return Dashboard(image=False, catalog=False, schedule=False)


def _mas_apart(ra1, dec1, ra2, dec2) -> float:
    dra = (np.asarray(ra1) - np.asarray(ra2)) * np.cos(np.radians(np.asarray(dec2)))
    return float(np.max(np.hypot(dra, np.asarray(dec1) - np.asarray(dec2))) / MAS)


def _drawn(collection) -> list[np.ndarray]:
    return [path.vertices[:4] for path in collection.get_paths()]


def test_loading_offers_the_nircam_and_nirspec_observations(dashboard):
    before = dashboard.plan
    dashboard.load_apt(PROGRAM)
    panel = dashboard.apt_panel
    assert [v for _, v in panel.nircam_picker.options] == [NONE, 1]
    assert [v for _, v in panel.nirspec_picker.options] == [NONE, 2]
    label = panel.nircam_picker.options[1][0]
    assert "preimaging" in label and "FULL3" in label and "2x1" in label and "6 pos." in label
    assert "1 NIRCam imaging, 1 NIRSpec MOS" in dashboard.message
    assert dashboard.plan == before  # reading a program changes no plan


def test_a_nircam_observation_gives_apts_target_exposures_and_footprints(dashboard):
    dashboard.load_apt(PROGRAM)
    program = read_apt(PROGRAM)
    controls = dashboard.controls
    dither, rows = controls.dither.value, controls.rows.value
    dashboard.apt_panel.nircam_picker.value = 1
    plan = dashboard.plan
    assert plan.dither == program.nircam_exposures(1)
    ra, dec, _ = program.nircam_target(1)
    assert (plan.nircam.ra, plan.nircam.dec) == pytest.approx((ra, dec), abs=1e-10)
    assert controls.dither.disabled and controls.rows.disabled and controls.columns.disabled
    assert "APT obs 1" in controls.setup_note.value and "APT&#x27;s offsets" in (
        controls.setup_note.value
    )
    # The footprints computed and drawn are APT's (pointing-report rows through the SIAF).
    expected = program.nircam_footprint(1, plan.nircam.apa, plan.channel)
    result = dashboard.result
    assert result.nircam.names == expected.names
    assert _mas_apart(result.nircam.ra, result.nircam.dec, expected.ra, expected.dec) < 0.01
    np.testing.assert_array_equal(result.nircam.tiles, expected.tiles)
    np.testing.assert_array_equal(result.nircam.dithers, expected.dithers)
    x, y = dashboard.view.sky_to_pixel(expected.ra, expected.dec)
    np.testing.assert_allclose(
        np.array(_drawn(dashboard.view.artists["nircam"])), np.stack([x, y], -1), atol=1e-6
    )
    # Tiles labelled with APT's numbers at the centre of each tile's detectors as drawn.
    labels = [t for t in dashboard.view.artists["tile_labels"] if t.get_visible()]
    assert [t.get_text() for t in labels] == ["T1", "T2"]
    for text, tile in zip(labels, (1, 2), strict=True):
        keep = expected.tiles == tile
        centre = np.stack([x[keep], y[keep]], -1).reshape(-1, 2).mean(axis=0)
        np.testing.assert_allclose(text.get_position(), centre, atol=1e-6)
    dithers = [t.get_text() for t in dashboard.view.artists["dither_labels"] if t.get_visible()]
    assert dithers == [f"d{d}" for d in program.nircam_exposures(1).dithers]
    assert "<b>6</b> (3 dither &times; 2 tiles)" in dashboard.readout.value

    dashboard.apt_panel.nircam_picker.value = NONE  # the controls' own setup again
    assert dashboard.plan.dither == dither and dashboard.plan.mosaic.rows == rows
    assert not controls.dither.disabled and controls.setup_note.value == ""
    assert not any(t.get_visible() for t in dashboard.view.artists["dither_labels"])


def test_xml_alone_says_it_is_previss_model(dashboard, tmp_path):
    shutil.copy(DATA / "m51_mosaic.xml", tmp_path / "m51.xml")  # no pointing report beside it
    dashboard.load_apt(tmp_path / "m51.xml")
    dashboard.pick_apt(nircam=1)
    exposures = dashboard.plan.dither
    assert isinstance(exposures, Exposures) and exposures.source == "model"
    assert exposures == read_apt(tmp_path / "m51.xml").nircam_exposures(1)
    assert "previs&#x27;s model of APT" in dashboard.controls.setup_note.value


def test_a_nirspec_observation_gives_every_msa_pointing_and_they_follow_the_apa(dashboard):
    dashboard.load_apt(PROGRAM)
    program = read_apt(PROGRAM)
    dashboard.controls.nirspec_apa.value = 45.0
    dashboard.apt_panel.nirspec_picker.value = 2
    expected = program.nirspec_pointings(2, 45.0)
    plan = dashboard.plan
    assert len(plan.nirspec_pointings) == 4
    for got, want in zip(plan.nirspec_pointings, expected, strict=True):
        assert _mas_apart(got.ra, got.dec, want.ra, want.dec) < 0.01
        assert got.apa == pytest.approx(want.apa, abs=1e-8)
    # Every pointing's MSA is drawn: the first by the view, the others dashed.
    footprint = program.nirspec_footprint(2, 45.0, apertures=MSA_QUADRANTS)
    x, y = dashboard.view.sky_to_pixel(footprint.ra, footprint.dec)
    drawn = np.array(_drawn(dashboard.view.artists["extra_msa"]))
    np.testing.assert_allclose(drawn, np.stack([x, y], -1)[4:], atol=0.01)
    labels = [t.get_text() for t in dashboard.view.artists["pointing_labels"] if t.get_visible()]
    assert labels == ["P1,2", "P3,4"]  # two nods each
    assert "4 MSA pointings" in dashboard.controls.nirspec_note.value
    assert dashboard.form.read_plan() == plan  # the controls read back the plan shown

    # The APA slider turns the pattern; with pointing 1 where APT puts it at 60 deg,
    # the others are where APT puts them too.
    first = program.nirspec_pointings(2, 60.0)[0]
    with dashboard.guard.hold():
        dashboard.controls.nirspec_ra.value = f"{first.ra:.10f}"
        dashboard.controls.nirspec_dec.value = f"{first.dec:.10f}"
    dashboard.controls.nirspec_apa.value = first.apa
    for got, want in zip(
        dashboard.plan.nirspec_pointings, program.nirspec_pointings(2, 60.0), strict=True
    ):
        assert _mas_apart(got.ra, got.dec, want.ra, want.dec) < 0.1
        assert got.apa == pytest.approx(want.apa, abs=1e-6)

    # The button puts them where APT does at the APA shown, pointing 1 included.
    dashboard.controls.nirspec_apa.value = 80.0
    assert not dashboard.apt_panel.replace_button.disabled
    dashboard.apt_panel.replace_button.click()
    for got, want in zip(
        dashboard.plan.nirspec_pointings, program.nirspec_pointings(2, 80.0), strict=True
    ):
        assert _mas_apart(got.ra, got.dec, want.ra, want.dec) < 0.01

    dashboard.apt_panel.nirspec_picker.value = NONE
    assert dashboard.apt_panel.replace_button.disabled
    assert dashboard.plan.extra_nirspec == () and dashboard.controls.nirspec_note.value == ""
    assert dashboard.view.artists["extra_msa"].get_paths() == []


def test_the_readout_gives_each_pointing_and_all_together(dashboard):
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1, nirspec=2)
    plan = dashboard.plan
    target = read_apt(PROGRAM).nircam_target(1)
    assert (plan.nircam.ra, plan.nircam.dec) == pytest.approx(target[:2], abs=1e-10)
    assert dashboard.controls.nircam_mode.value == "radec"  # stays on APT's target
    result = evaluate(plan, other_channel_depth=1)
    html = dashboard.readout.value
    own = re.findall(r"class='previs-pointing-covered'>([^<]+)<", html)
    other = re.findall(r"class='previs-pointing-covered-other'>([^<]+)<", html)
    per = result.per_pointing
    assert own == [format_percent(c.covered) for c in per[plan.channel]]
    assert other == [format_percent(c.covered) for c in per[plan.other_channel]]
    together = re.search(r"class='previs-pointings-together'>([^<]+)<", html).group(1)
    assert together == format_percent(result.coverage.covered)
    headline = re.search(r"class='previs-covered'[^>]*>([^<]+)<", html).group(1)
    assert headline == together and "all 4 NIRSpec pointings together" in html


def test_regions_and_report_carry_apts_numbers(dashboard, tmp_path):
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1, nirspec=2)
    result = dashboard.result
    regions = Regions.read(str(dashboard.export_regions(tmp_path / "apt.reg")), format="ds9")
    nircam = [r for r in regions if "NIRCam" in r.meta["tag"]]
    nirspec = [r for r in regions if "NIRSpec" in r.meta["tag"]]
    assert len(nirspec) == sum(len(f) for f in result.nirspec_footprints)
    tags = [(r.meta["tag"][2], r.meta["tag"][3]) for r in nircam]
    assert tags == [
        (f"tile={t}", f"dither={d}")
        for t, d in zip(result.nircam.tiles, result.nircam.dithers, strict=True)
    ]
    report = json.loads(dashboard.save_report(tmp_path / "apt-report.json").read_text())
    assert report["plan"]["exposures"]["tiles"] == [1, 1, 1, 2, 2, 2]
    assert report["nircam_setup"]["tiles"] == 2 and report["nircam_setup"]["source"] == "apt"
    assert [p["pointing"] for p in report["pointings"]] == [1, 2, 3, 4]
    markdown = dashboard.save_report(tmp_path / "apt-report.md").read_text()
    assert "## NIRCam exposures (NRCALL_FULL ideal offsets)" in markdown
    assert "| 4 | 2 | 1 | -58.779 | +35.600 |" in markdown  # APT's tile 2, dither 1


def test_an_apt_session_loads_back_with_the_same_footprints(dashboard, tmp_path):
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1, nirspec=2)
    path = dashboard.save_config(tmp_path / "apt-session.json")
    restored = Dashboard(image=False, catalog=False, schedule=False)
    restored.load_config(path)
    assert restored.plan == dashboard.plan
    for a, b in ((restored.result, dashboard.result),):
        np.testing.assert_array_equal(a.nircam.ra, b.nircam.ra)
        for fa, fb in zip(a.nirspec_footprints, b.nirspec_footprints, strict=True):
            np.testing.assert_array_equal(fa.ra, fb.ra)
    assert restored.controls.dither.disabled  # the saved exposures drive it
    assert restored.apt_panel.nircam_picker.value == 1  # the program read again
    assert restored.apt_panel.nirspec_picker.value == 2
    # Both turn their pointings alike.
    for board in (dashboard, restored):
        board.controls.nirspec_apa.value = 70.0
    assert restored.plan == dashboard.plan
    # Without the program (a session of before the "apt" key), "none" still drops the
    # saved exposures and pointings.
    data = json.loads(path.read_text())
    del data["apt"]
    old = tmp_path / "old-session.json"
    old.write_text(json.dumps(data))
    other = Dashboard(image=False, catalog=False, schedule=False)
    other.load_config(old)
    pickers = other.apt_panel.nircam_picker, other.apt_panel.nirspec_picker
    assert not any(p.disabled for p in pickers)
    for picker in pickers:
        picker.value = NONE
    assert isinstance(other.plan.dither, str) and other.plan.extra_nirspec == ()
    assert all(p.disabled for p in pickers) and not other.controls.dither.disabled
    # Loading the program into a dashboard of the old session keeps the plan as it is.
    again = Dashboard(image=False, catalog=False, schedule=False)
    again.load_config(old)
    plan = again.plan
    again.load_apt(PROGRAM)
    assert again.plan == plan and again.apt_panel.nircam_picker.value == KEEP


def test_plan_form_round_trips_explicit_exposures_and_extra_pointings(dashboard):
    exposures = Exposures.from_offsets([[0, 0], [10, 5], [300, 0]], [1, 1, 2], [1, 2, 1])
    first = Pointing(53.1625, -27.7914, 30.0)
    plan = Plan(
        first,
        Pointing(53.17, -27.79, 100.0),
        exposures,
        extra_nirspec=(Pointing(53.1635, -27.7914, 30.0), Pointing(53.1625, -27.7924, 30.0)),
    )
    dashboard.plan = plan
    assert dashboard.plan == plan
    assert dashboard.form.read_plan() == plan
    started = Dashboard(image=False, catalog=False, schedule=False, plan=plan)
    assert started.plan == plan and started.controls.dither.disabled
    assert started.apt_panel.nircam_picker.value == KEEP
    assert started.apt_panel.nirspec_picker.value == KEEP
    dashboard.controls.channel.value = "long"  # another control: the rest stays
    assert dashboard.plan == plan.replace(channel="long")
    dashboard.plan = Plan.centred(dither="FULL6", mosaic=Mosaic(1, 2))  # a plain plan again
    assert not dashboard.controls.dither.disabled
    again = dashboard.form.read_plan()
    assert (again.dither, again.mosaic, again.extra_nirspec) == ("FULL6", Mosaic(1, 2), ())


def test_an_upload_of_either_export_reads_the_pair(dashboard):
    from test_dashboard import upload_item

    panel = dashboard.apt_panel
    panel.upload.value = (upload_item("m51.pointing", (DATA / "m51_mosaic.pointing").read_bytes()),)
    assert panel.program is not None and panel.program.proposal is None
    panel.upload.value = (upload_item("m51.xml", (DATA / "m51_mosaic.xml").read_bytes()),)
    assert panel.program.report is not None and panel.program.proposal is not None
    assert "m51.xml + m51.pointing" in panel.label.value or (
        "m51.pointing" in panel.label.value and "m51.xml" in panel.label.value
    )
    assert panel.upload.value == ()


def test_uploaded_exports_leave_no_folder_behind_when_the_kernel_ends(tmp_path):
    """The panel's upload folder (in the temp dir) is removed when the process exits."""
    import subprocess

    script = (
        "from previs.dashboard.app import Dashboard\n"
        f"data = open({str(PROGRAM)!r}, 'rb').read()\n"
        "d = Dashboard(image=False, catalog=False, schedule=False)\n"
        "d.apt_panel.load_upload(data, 'prog.pointing')\n"
        "import pathlib; folder = pathlib.Path(d.apt_panel.path).parent\n"
        "assert (folder / 'prog.pointing').read_bytes() == data\n"
        "d.apt_panel.load_upload(data, 'prog.pointing')  # the same name again replaces it\n"
        "print(folder)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("previs-apt-")
    assert not folder.exists()


def _malformed_row(tmp_path) -> Path:
    lines = PROGRAM.read_text().splitlines()
    lines[11] = lines[11].replace("+53.16250", "+53.1x250", 1)
    path = tmp_path / "bad.pointing"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda d: _write(d / "notapt.xml", "<?xml version='1.0'?><foo><bar/></foo>"),
            "notapt.xml was not read: .*not an APT proposal",
        ),
        (
            lambda d: _write(d / "cut.xml", (DATA / "m51_mosaic.xml").read_text()[:3000]),
            "cut.xml was not read: .*not a complete XML file",
        ),
        (
            lambda d: _write(d / "cut.pointing", PROGRAM.read_text()[:1500]),
            r"cut.pointing was not read: line \d+: ",
        ),
        (_malformed_row, r"bad.pointing was not read: line 12: malformed row"),
        (lambda d: d / "missing.pointing", "missing.pointing was not read: cannot read"),
    ],
)
def test_bad_files_are_named_and_change_nothing(dashboard, tmp_path, make, expected):
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1)
    plan, program = dashboard.plan, dashboard.apt_panel.program
    path = make(tmp_path)
    dashboard.apt_panel.path_box.value = str(path)  # as typed in the panel
    assert re.search(expected, dashboard.message), dashboard.message
    assert "The plan is unchanged." in dashboard.message
    assert dashboard.plan == plan and dashboard.apt_panel.program is program
    assert dashboard.apt_panel.nircam_picker.value == 1
    with pytest.raises(ValueError):
        dashboard.load_apt(path)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("side", "number", "expected"),
    [
        ("nircam", 7, "no observation 7 in this APT program; it has observation"),
        ("nirspec", 1, "observation 1 is a NIRCam observation, not NIRSpec MOS"),
        ("nircam", 2, "observation 2 is a NIRSpec observation, not NIRCam imaging"),
    ],
)
def test_bad_picks_are_explained_and_change_nothing(dashboard, side, number, expected):
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nirspec=2)
    plan = dashboard.plan
    with pytest.raises(ValueError):
        dashboard.pick_apt(**{side: number})
    assert expected in dashboard.message and "preimaging_mos.pointing" in dashboard.message
    assert dashboard.plan == plan
    assert dashboard.apt_panel.nirspec_picker.value == 2


def test_pointings_off_the_image_widen_the_view():
    dashboard = Dashboard(catalog=False, schedule=False)  # the GOODS-S example image
    dashboard.load_apt(DATA / "nrs_mos_nrc_img.xml")  # NIRSpec MOS at RA 12, Dec 12
    dashboard.pick_apt(nirspec=2)
    plan = dashboard.plan
    assert plan.nirspec.ra == pytest.approx(12.0, abs=0.05) and len(plan.nirspec_pointings) == 2
    assert (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec)  # along
    assert "off the image shown" in dashboard.message
    x, y = dashboard.view.sky_to_pixel([plan.nirspec.ra], [plan.nirspec.dec])
    (x0, x1), (y0, y1) = dashboard.view.ax.get_xlim(), dashboard.view.ax.get_ylim()
    assert x0 <= x[0] <= x1 and y0 <= y[0] <= y1


def test_picking_without_a_program_says_so(dashboard):
    with pytest.raises(ValueError):
        dashboard.pick_apt(nircam=1)
    assert "no APT program is loaded" in dashboard.message


def test_the_schedule_tab_and_the_saved_figure_take_an_apt_plan(tmp_path):
    from previs.dashboard.panels.exports import figure_caption

    dashboard = Dashboard(image=False, catalog=False, schedule=True)
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1, nirspec=2)
    panel = dashboard.schedule_panel
    panel.propose()
    assert panel.nircam_apa is not None, panel.message
    panel.controls.apply_button.click()
    plan = dashboard.plan
    assert plan.dither == read_apt(PROGRAM).nircam_exposures(1)  # the APT setup stays
    assert len(plan.nirspec_pointings) == 4 and dashboard.worst_case is not None
    caption = figure_caption(dashboard.summary)
    assert "APT pointing report preimaging_mos.pointing, observation 1" in caption
    assert "by 4 NIRSpec pointings together" in caption
    assert dashboard.save_figure(tmp_path / "apt.png").stat().st_size > 10_000
