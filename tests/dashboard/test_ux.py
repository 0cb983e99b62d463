"""The dashboard as a person uses it (issue 13), in the kernel: no browser needed.

Typed angles, float noise, tie hint, contrast of the markup colours, the figure's
size policy and its frames, uploads of sessions, the Schedule dates in a saved
session, catalogs of another field, "Use these orientations", Fit all and the
cursor's ICRS position on an image in galactic coordinates.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

from previs.dashboard.app import Dashboard, inside_on_grid
from previs.dashboard.controls import DITHER_LABELS
from previs.dashboard.markup import readout_html
from previs.dashboard.page import (
    DEFAULT_UPLOAD_LIMIT,
    FIGURE_MAX_PX,
    FIGURE_MIN_PX,
    UPLOAD_LIMIT_ENV,
    figure_side_px,
    upload_limit_bytes,
)
from previs.dashboard.panels.schedule import markup as schedule_markup
from previs.dashboard.text import format_degrees, format_signed, friendly_error, markup_to_text
from previs.geometry.angles import ApaArc
from previs.geometry.patterns import DITHER_NAMES
from previs.io.session import Config, DisplaySettings, ScheduleDates
from previs.plotting.sky_style import hms_dms, view_bounds


@pytest.fixture
def dashboard():
    return Dashboard(schedule=False)


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255.0 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


# ---------------------------------------------------------------------------- text
@pytest.mark.parametrize(
    ("value", "text"),
    [(-27.791399999999996, "-27.7914"), (53.1625, "53.1625"), (2.200000000000003, "2.2"),
     (0.0, "0"), (-0.0, "0"), (359.99999999999994, "360"), (1e-11, "0")],
)  # fmt: skip
def test_degrees_show_without_float_noise(value, text):
    assert format_degrees(value) == text
    assert abs(float(format_degrees(value)) - value) < 1e-10  # < 0.4 micro-arcsec


def test_signed_numbers_never_read_minus_zero():
    assert [format_signed(v) for v in (-0.04, -0.0, 0.04, -1.26)] == ["+0.0", "+0.0", "+0.0",
                                                                      "-1.3"]  # fmt: skip
    assert format_signed(-0.4, 0) == "+0"


def test_plans_read_from_the_widgets_carry_no_float_noise(dashboard):
    c = dashboard.controls
    c.nircam_mode.value = "offset"
    c.nircam_dx.value, c.nircam_dy.value = 2.2, -3.1
    c.nirspec_apa.value = 45.300000000000004  # what a 0.1 deg slider step can send
    plan = dashboard.plan
    assert plan.nirspec.apa == 45.3
    for value in (plan.nircam.ra, plan.nircam.dec):
        assert value == round(value, 10)
    text = dashboard.config.to_json()
    assert not re.search(r"\d\.\d*(?:0000000|9999999)\d", text), text
    # The fields show the same numbers the plan has, and reading them back changes nothing.
    c.nircam_mode.value = "radec"
    assert float(c.nircam_ra.value) == plan.nircam.ra
    assert dashboard.plan == plan


def test_library_advice_is_reworded_and_relative_paths_explained(tmp_path):
    advice = (
        "No SIMPLE card found, this file does not appear to be a valid FITS file. If this is "
        "really a FITS file, try with ignore_missing_simple=True"
    )
    assert "ignore_missing_simple" not in friendly_error(advice)
    text = friendly_error("x.fits: no such file.", "data/x.fits", cwd=str(tmp_path))
    assert f"relative path is read from {tmp_path}" in text
    assert "relative" not in friendly_error("no such file.", str(tmp_path / "x.fits"))


def test_search_results_do_not_show_minus_zero():
    from types import SimpleNamespace as Obj

    best = Obj(
        dither="NONE", mosaic=Obj(label="1x1"), exposures=1, worst=0.9, apa_at_min=45.0,
        nircam=Obj(apa=266.4), offset_arcsec=(-0.3, 0.2), offset_east_north_arcsec=(-0.04, -0.0),
    )  # fmt: skip
    result = Obj(elapsed_s=1.0, coverage_evaluations=10, best=best, target=0.9)
    text = markup_to_text(schedule_markup.best_configuration_html(result, 266.4))
    assert "-0" not in text.replace("-0.3", "") and '+0.0" north' in text


# ---------------------------------------------------------------------------- controls
def test_every_dither_pattern_has_a_short_clear_label(dashboard):
    options = dict((value, label) for label, value in dashboard.controls.dither.options)
    assert set(options) == set(DITHER_NAMES) and set(DITHER_LABELS) == set(DITHER_NAMES)
    for name, label in options.items():
        assert label.startswith(name) and len(label) <= 24
    assert options["NONE"].startswith("NONE")  # one spelling, as the search results use


def test_angle_sliders_step_a_tenth_of_a_degree(dashboard):
    for slider in (dashboard.controls.nirspec_apa, dashboard.controls.nircam_apa):
        assert slider.step == pytest.approx(0.1)
        assert "previs-angle-slider" in slider._dom_classes


def test_a_wrapped_angle_is_explained_until_another_change(dashboard):
    form, c = dashboard.form, dashboard.controls
    form.on_page_message(
        {"kind": "angle-wrapped", "control": "NIRSpec APA °", "text": "400", "value": 40.0}
    )
    assert "400° is 40.0°" in c.angle_note.value
    c.nirspec_apa.value = 40.0  # the wrapped value arriving from the browser
    assert "wrap" in c.angle_note.value
    c.rows.value = 2
    assert c.angle_note.value == ""
    form.on_page_message({"kind": "angle-refused", "control": "NIRCam APA °", "text": "abc"})
    assert "'abc' is not an angle" in markup_to_text(c.angle_note.value)


def test_tying_the_apas_says_the_slider_no_longer_changes_coverage(dashboard):
    c = dashboard.controls
    covered = []
    c.tie_apa.value = True
    assert "same at every NIRSpec APA" in c.tie_hint.value and c.nircam_apa.disabled
    for apa in (10.0, 130.0, 250.0):
        c.nirspec_apa.value = apa
        covered.append(dashboard.result.coverage.covered)
    assert max(covered) - min(covered) < 1e-6  # what the hint says
    c.tie_apa.value = False
    assert c.tie_hint.value == "" and not c.nircam_apa.disabled


def test_markup_colours_reach_wcag_aa_on_white(dashboard):
    markup = readout_html(dashboard.summary, "example catalog")
    colours = set(re.findall(r"color:\s*(#[0-9a-fA-F]{6})", markup))
    assert colours, "the readout names its colours"
    for colour in colours:
        assert _contrast_on_white(colour) >= 4.5, colour
    for module in ("markup.py", "panels/schedule/markup.py", "panels/schedule/search_section.py"):
        source = open(f"previs/dashboard/{module}").read()
        assert not re.search(r"#(?:777|555)\b", source), module


# ---------------------------------------------------------------------------- figure
def test_the_figure_side_follows_its_column_and_the_window():
    assert figure_side_px(610, 800) == 596
    assert figure_side_px(1240, 1080) == 930  # height-bound on a wide screen
    assert figure_side_px(200, 500) == FIGURE_MIN_PX
    assert figure_side_px(5000, 5000) == FIGURE_MAX_PX


def test_fit_figure_resizes_the_canvas(dashboard):
    assert dashboard.fit_figure(750 + 14, 1000) == 750
    assert dashboard.figure.bbox.width == pytest.approx(750, abs=1)


def test_diff_frames_rebuild_the_figure_exactly(dashboard):
    """The frames the canvas sends (PNG at zlib level 1): a full frame, then the diff frame
    of an APA change painted over it, give the renderer's pixels back exactly."""
    from PIL import Image

    canvas = dashboard.canvas
    canvas.syncing_data_url = False
    sent = []
    canvas.send_binary = sent.append  # what would go to the browser
    canvas._force_full = True
    canvas.draw()
    dashboard.controls.nirspec_apa.value = 133.0  # blitted: a diff frame
    assert len(sent) == 2
    full, diff = (np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")) for png in sent)
    rebuilt = full.copy()
    changed = diff[..., 3] > 0
    rebuilt[changed] = diff[changed]
    renderer = np.asarray(canvas.get_renderer().buffer_rgba())
    assert 0 < changed.mean() < 0.5
    assert np.array_equal(rebuilt, renderer)
    assert len(sent[1]) < len(sent[0])


def test_the_cursor_reads_icrs_on_a_galactic_image(tmp_path):
    centre = SkyCoord(53.1625, -27.7914, unit="deg").galactic
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["GLON-TAN", "GLAT-TAN"]
    wcs.wcs.crval = [centre.l.deg, centre.b.deg]
    wcs.wcs.crpix = [200.5, 200.5]
    wcs.wcs.cdelt = [-0.5 / 3600, 0.5 / 3600]
    path = tmp_path / "galactic.fits"
    fits.PrimaryHDU(np.ones((400, 400), np.float32), header=wcs.to_header()).writeto(path)
    dashboard = Dashboard(image=path, schedule=False, catalog=False)
    text = dashboard.view.ax.format_coord(199.5, 199.5)  # 0-based pixel of CRPIX
    ra, dec = (float(v) for v in re.findall(r"RA ([\d.]+) Dec ([-+\d.]+)", text)[0])
    assert ra == pytest.approx(53.1625, abs=1e-5) and dec == pytest.approx(-27.7914, abs=1e-5)
    assert "ICRS" in text and hms_dms(53.1625, -27.7914) in text


def test_hms_dms_rounds_carries_correctly():
    assert hms_dms(53.1625, -27.7914) == "03:32:39.00 -27:47:29.0"
    assert hms_dms(359.99999999, 0.0) == "00:00:00.00 +00:00:00.0"


def test_fit_all_shows_footprints_off_the_image_and_home_returns_there(tmp_path):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [53.1625, -27.7914]
    wcs.wcs.crpix = [50.5, 50.5]
    wcs.wcs.cdelt = [-1.0 / 3600, 1.0 / 3600]  # a 100" image: the MSA runs off it
    path = tmp_path / "small.fits"
    fits.PrimaryHDU(np.ones((100, 100), np.float32), header=wcs.to_header()).writeto(path)
    dashboard = Dashboard(image=path, schedule=False, catalog=False)
    opened = dashboard.view.ax.get_xlim()
    assert opened[0] < -0.5 and opened[1] > 99.5  # the MSA runs off: shown from the start
    xlim, ylim = dashboard.view.fit_all()
    assert xlim[0] < -0.5 and xlim[1] > 99.5 and ylim[0] < -0.5 and ylim[1] > 99.5
    nirspec = dashboard.result.nirspec
    x, y = dashboard.view.sky_to_pixel(nirspec.ra, nirspec.dec)
    assert xlim[0] <= np.min(x) and np.max(x) <= xlim[1]
    assert ylim[0] <= np.min(y) and np.max(y) <= ylim[1]
    dashboard.view.ax.set_xlim(0, 10)  # the user zooms in, then presses Home
    dashboard.canvas.toolbar.home()
    assert dashboard.view.ax.get_xlim() == pytest.approx(xlim)


def test_view_bounds_stay_the_image_when_everything_is_on_it():
    assert view_bounds((100, 200), [np.array([[10.0, 10.0], [50.0, 60.0]])]) == (
        (-0.5, 199.5),
        (-0.5, 99.5),
    )


def test_display_settings_restyle_the_view_and_go_into_the_session(dashboard, tmp_path):
    panel = dashboard.display_panel
    before = dashboard.view.image_artist.get_array().copy()
    panel.stretch.value = "linear"
    panel.cmap.value = "gray_r"
    assert not np.array_equal(before, dashboard.view.image_artist.get_array())
    panel.nircam_colour.value = "#00ff00"
    panel.fill_opacity.value = 0.3
    face = dashboard.view.artists["nircam"].get_facecolor()[0]
    assert tuple(np.round(face, 3)) == (0.0, 1.0, 0.0, 0.3)
    panel.both_channels.value = True
    other = dashboard.view.artists["other_nircam"]
    assert other.get_visible() and len(other.get_paths()) == len(dashboard.result.other_nircam.ra)
    panel.low.value = 99.8  # above high: refused with a reason, view unchanged
    assert "low < high" in markup_to_text(panel.message.value)
    panel.low.value = 1.0
    path = dashboard.save_config(tmp_path / "s.json")
    saved = json.loads(path.read_text())["display"]
    assert saved["stretch"] == "linear" and saved["both_channels"] is True
    other_dashboard = Dashboard(schedule=False)
    other_dashboard.load_config(path)
    assert other_dashboard.view.display == dashboard.view.display
    assert other_dashboard.display_panel.settings() == dashboard.view.display


# ---------------------------------------------------------------------------- files
def test_a_session_uploaded_as_bytes_is_applied(dashboard, tmp_path):
    plan = dashboard.plan.replace(dither="FULL6", nirspec_apa_range=(40.0, 55.0))
    data = Config.from_plan(plan).to_json().encode()
    dashboard.export_panel.config_upload.value = (
        {"name": "mine.json", "type": "", "size": len(data), "content": memoryview(data),
         "last_modified": dt.datetime.now(dt.timezone.utc)},
    )  # fmt: skip
    assert dashboard.plan.dither == "FULL6"
    assert dashboard.nirspec_apa_range == (40.0, 55.0)
    assert "uploaded configuration" in dashboard.export_text


def test_an_uploaded_sessions_paths_resolve_from_the_current_folder(tmp_path, monkeypatch):
    """An upload has no folder of its own: every relative path in it (image, catalog,
    msaoper, APT file) is read from the folder the notebook runs in."""
    from previs.dashboard.panels.exports import read_uploaded_config
    from previs.io.configs import resolve_paths
    from previs.io.session_apt import AptSelection
    from previs.planning.plan import Plan

    config = Config(
        plan=Plan.centred(53.16, -27.79, 45.0),
        image="data/taken.fits",
        msaoper="maps/jwst_nirspec_msaoper_0050.json",
        apt=AptSelection("apt/prog.pointing", 1, 2),
    )
    monkeypatch.chdir(tmp_path)
    uploaded = read_uploaded_config(config.to_json().encode(), "s.json")
    assert uploaded == resolve_paths(config, tmp_path)
    assert uploaded.msaoper == str(tmp_path / "maps" / "jwst_nirspec_msaoper_0050.json")
    assert uploaded.apt.file == str(tmp_path / "apt" / "prog.pointing")


def test_an_uploaded_novt_yaml_is_applied(dashboard):
    yaml = b"nirspec:\n  ra: 53.17\n  dec: -27.78\n  pa: 100.0\nnircam:\n  dither: FULL6\n"
    dashboard.export_panel.load_config_bytes(yaml, "novt.yaml")
    assert dashboard.plan.dither == "FULL6"
    assert dashboard.plan.nirspec.ra == pytest.approx(53.17, abs=0.01)


def test_a_bad_upload_says_why_and_changes_nothing(dashboard):
    plan = dashboard.plan
    with pytest.raises(ValueError):
        dashboard.export_panel.load_config_bytes(b"{not json", "broken.json")
    assert "broken.json" in dashboard.export_text and dashboard.plan == plan


def test_save_configuration_shows_what_it_wrote(dashboard, tmp_path):
    dashboard.export_panel.output_folder.value = str(tmp_path)
    dashboard.export_panel._on_export("config")
    written = (tmp_path / "previs-config.json").read_text()
    assert "What was written" in dashboard.export_panel.message.value
    assert json.loads(written)["previs_config"] == 1
    assert '"previs_config": 1' in dashboard.export_text


def test_the_whole_session_comes_back_with_range_and_schedule_dates(tmp_path):
    source = Dashboard()
    source.schedule_panel.set_dates("2028-08-10", "2028-10-20", "2028-11-10")
    source.schedule_panel.use_orientations()
    assert source.nirspec_apa_range is not None
    path = source.save_config(tmp_path / "session.json")
    saved = json.loads(path.read_text())
    assert saved["schedule"]["imaging_date"] == "2028-08-10"
    restored = Dashboard()
    restored.load_config(path)
    assert restored.nirspec_apa_range == pytest.approx(source.nirspec_apa_range)
    assert restored.schedule_panel.dates() == source.schedule_panel.dates()
    assert restored.plan == source.plan


def test_sessions_without_the_new_keys_still_read():
    old = {"previs_config": 1, "plan": Config().plan.to_dict(), "tie_orient": True}
    config = Config.from_dict(old)
    assert config.view.display == DisplaySettings() and config.view.schedule is None
    with pytest.raises(ValueError, match="schedule"):
        Config.from_dict({**old, "schedule": {"imaging_date": "2028-13-01"}})
    assert ScheduleDates(imaging_date="2028-08-10").to_dict()["imaging_date"] == "2028-08-10"


def test_a_catalog_of_another_field_is_shown_with_a_warning(dashboard, tmp_path):
    far = tmp_path / "far.radec"
    far.write_text("153.1 62.0 P\n154.0 61.0 F\n")
    dashboard.catalog_panel.path_box.value = str(far)
    assert len(dashboard.catalog) == 2  # accepted
    assert "another field" in dashboard.message and "118.9°" in dashboard.message


def test_upload_limit_comes_from_previs_app_or_the_server_config(monkeypatch, tmp_path):
    monkeypatch.setenv(UPLOAD_LIMIT_ENV, str(2**30))
    assert upload_limit_bytes() == 2**30
    monkeypatch.delenv(UPLOAD_LIMIT_ENV)
    folder = tmp_path / "jupyter_server_config.d"
    folder.mkdir()
    (folder / "x.json").write_text(
        json.dumps({"ServerApp": {"tornado_settings": {"websocket_max_message_size": 12345}}})
    )
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))
    assert upload_limit_bytes() == 12345
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "none"))
    monkeypatch.setattr("jupyter_core.paths.jupyter_config_path", lambda: [str(tmp_path / "n")])
    assert upload_limit_bytes() == DEFAULT_UPLOAD_LIMIT


def test_an_upload_over_the_limit_is_reported(dashboard):
    dashboard._on_page_message(
        {"kind": "upload-too-large", "name": "big.fits", "size": 16 * 2**20, "limit": 10 * 2**20}
    )
    assert "big.fits (16.0 MB) was not uploaded" in dashboard.message
    assert "previs app" in dashboard.message


def test_previs_app_tells_the_kernel_its_upload_limit(monkeypatch, tmp_path):
    import argparse

    from previs.cli import app

    seen = {}
    monkeypatch.setattr(app.subprocess, "call", lambda cmd, env, cwd: seen.update(env) or 0)
    app.run_app(argparse.Namespace(port=8899, image=None, no_browser=True, pool=0))
    assert seen[UPLOAD_LIMIT_ENV] == str(app.MAX_UPLOAD_BYTES)


# ---------------------------------------------------------------------------- schedule
def test_use_these_orientations_brings_the_nirspec_apa_into_the_range():
    dashboard = Dashboard()
    dashboard.controls.nirspec_apa.value = 190.0
    dashboard.apply_orientations(16.0, (202.53, 217.2))
    apa = dashboard.controls.nirspec_apa.value
    assert ApaArc.from_range((202.53, 217.2)).contains(apa) and apa == pytest.approx(202.6)
    assert "inside this range" in dashboard.readout.value


def test_inside_on_grid_picks_a_slider_angle_on_the_arc():
    arc = ApaArc.from_range((350.04, 10.0))
    assert inside_on_grid(arc, 100.0) == pytest.approx(10.0)
    assert inside_on_grid(arc, 300.0) == pytest.approx(350.1)
    assert inside_on_grid(ApaArc.from_range((5.01, 5.05)), 0.0) == pytest.approx(5.01)


def test_partial_dates_typed_digit_by_digit_raise_no_warning():
    dashboard = Dashboard()
    panel = dashboard.schedule_panel
    before = panel.schedule
    for year in (2, 20, 202):
        panel.controls.imaging_date.value = dt.date(year, 8, 10)
        assert "000" not in panel.message and "2022" not in panel.message
        assert panel.schedule is before
    panel.controls.imaging_date.value = dt.date(2028, 8, 10)
    assert panel.schedule is not before


def test_typed_dates_unselect_the_proposal():
    dashboard = Dashboard()
    panel = dashboard.schedule_panel
    assert panel.controls.proposal_choice.value == 0
    panel.controls.nirspec_end.value = None  # the user's own window
    assert panel.controls.proposal_choice.value is None
    assert "Your own dates" in panel.controls.proposal_html.value


def test_days_until_images_is_explained():
    dashboard = Dashboard()
    controls = dashboard.schedule_panel.controls
    assert "reduced images" in controls.delivery_delay.tooltip
    assert "Days until images" in controls.delivery_note.value


def test_png_frames_decode_to_the_same_pixels():
    from PIL import Image

    from previs.dashboard.canvas import png_bytes

    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(rgba))).convert("RGBA"))
    assert np.array_equal(decoded, rgba)
    with pytest.raises(ValueError, match="RGBA"):
        png_bytes(rgba[..., :3])


def test_large_frames_deflated_on_two_threads_decode_to_the_same_pixels():
    """Frames above SPLIT_BYTES are two deflate streams joined into one zlib stream."""
    import zlib

    from PIL import Image

    from previs.dashboard.canvas import SPLIT_BYTES, deflate, png_bytes

    rng = np.random.default_rng(2)
    rgba = np.zeros((700, 700, 4), np.uint8)  # 1.96 MB of rows: split
    rgba[200:480, 100:650] = rng.integers(0, 256, size=(280, 550, 4), dtype=np.uint8)
    assert rgba.nbytes > SPLIT_BYTES
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(rgba))).convert("RGBA"))
    assert np.array_equal(decoded, rgba)
    for size in (SPLIT_BYTES - 1, SPLIT_BYTES, SPLIT_BYTES + 1, 3 * SPLIT_BYTES + 7):
        data = rng.integers(0, 4, size=size, dtype=np.uint8).tobytes()
        assert zlib.decompress(deflate(data)) == data, size


def test_compass_and_scale_bar_sit_on_a_dark_backing(dashboard):
    """Legible on light images: both have an opaque-enough dark box behind them."""
    for key in ("compass", "scale_bar"):
        patch = dashboard.view.artists[key].patch
        r, g, b, a = patch.get_facecolor()
        assert patch.get_visible() and a >= 0.5 and 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.15


def test_default_display_and_no_dates_leave_the_file_as_older_previs_wrote_it():
    data = Config().to_dict()
    assert "display" not in data and "schedule" not in data
    view = Config().view.replace(schedule=ScheduleDates(imaging_date="2028-08-10"))
    assert Config(view=view).to_dict()["schedule"]["imaging_date"] == "2028-08-10"
