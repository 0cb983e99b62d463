"""Dashboard logic driven in-process (no browser): widgets -> Plan -> readout, errors, images."""

from __future__ import annotations

import base64
import json
import re
import statistics
from datetime import datetime, timezone
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS
from matplotlib.backend_bases import MouseEvent
from regions import Regions

import previs
from previs.catalog import read_catalog
from previs.catalog.sources import count_sources
from previs.dashboard.app import Dashboard, default_plan
from previs.dashboard.text import format_percent
from previs.errors import ConfigError
from previs.geometry.attitude import Pointing
from previs.geometry.coordinates import parse_dec, parse_ra
from previs.geometry.patterns import Mosaic
from previs.geometry.siaf import get_aperture
from previs.io.example_field import example_catalog_path
from previs.io.images import ImageError
from previs.planning.plan import Plan, evaluate

NIRSPEC_YANG = get_aperture("NRS_FULL_MSA").v3_idl_yang
NIRCAM_YANG = get_aperture("NRCALL_FULL").v3_idl_yang


def covered_text(dashboard: Dashboard) -> str:
    match = re.search(r"class='previs-covered'[^>]*>([^<]+)<", dashboard.readout.value)
    return match.group(1)


def write_fits(path, ra=53.1625, dec=-27.7914, n=300, pixel_arcsec=1.0):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(n + 1) / 2, (n + 1) / 2]
    wcs.wcs.cdelt = [-pixel_arcsec / 3600, pixel_arcsec / 3600]
    data = np.random.default_rng(1).normal(size=(n, n)).astype(np.float32)
    fits.PrimaryHDU(data, header=wcs.to_header()).writeto(path)
    return path


@pytest.fixture
def dashboard():
    return Dashboard(image=False, schedule=False)


def test_starts_on_the_default_plan_with_its_coverage(dashboard):
    assert dashboard.plan == default_plan()
    assert covered_text(dashboard) == format_percent(evaluate(default_plan()).coverage.covered)
    assert "PRDOPSSOC" in dashboard.readout.value
    assert dashboard.view.image_artist is None  # empty sky grid


def test_readout_shows_the_other_channels_coverage(dashboard):
    for channel, dither, apa in (("short", "FULL3", 45.0), ("long", "NONE", 100.0)):
        dashboard.controls.channel.value, dashboard.controls.dither.value = channel, dither
        dashboard.controls.nirspec_apa.value = apa
        plan = dashboard.plan
        other = "long" if channel == "short" else "short"
        expected = evaluate(plan.replace(channel=other)).coverage.covered
        match = re.search(r"class='previs-covered-other'>([^<]+)<", dashboard.readout.value)
        assert match.group(1) == format_percent(expected)
        assert expected != pytest.approx(dashboard.result.coverage.covered, abs=1e-3)


def test_apa_slider_drives_the_plan_untied_and_tied(dashboard):
    nircam_before = dashboard.plan.nircam
    dashboard.controls.nirspec_apa.value = 123.0
    assert dashboard.plan.nirspec.apa == 123.0
    assert dashboard.plan.nircam == nircam_before  # untied: pre-imaging orientation stays
    expected = evaluate(default_plan().replace(nirspec=Pointing(53.1625, -27.7914, 123.0)))
    assert covered_text(dashboard) == format_percent(expected.coverage.covered)

    dashboard.controls.tie_apa.value = True
    # Same V3PA: APA_NIRCam = APA_NIRSpec - V3IdlYAngle(NIRSpec) + V3IdlYAngle(NIRCam).
    same_v3pa = (123.0 - NIRSPEC_YANG + NIRCAM_YANG) % 360.0
    assert dashboard.plan.nircam.apa == pytest.approx(same_v3pa, abs=1e-9)
    assert dashboard.controls.nircam_apa.disabled
    dashboard.controls.nirspec_apa.value = 200.0
    assert dashboard.plan.nircam.apa == pytest.approx((200.0 - NIRSPEC_YANG + NIRCAM_YANG) % 360)
    assert dashboard.controls.nircam_apa.value == pytest.approx(dashboard.plan.nircam.apa)
    v3pa = f"V3PA <b>{(200.0 - NIRSPEC_YANG) % 360:.1f}&deg;"
    assert dashboard.readout.value.count(v3pa) == 2  # both instruments at the same V3PA


def test_sexagesimal_and_degrees_parse():
    assert parse_ra("03:32:39.0") == pytest.approx(15 * (3 + 32 / 60 + 39 / 3600), abs=1e-10)
    assert parse_ra("3h32m39s") == pytest.approx(53.1625, abs=1e-10)
    assert parse_ra("53d09m45s") == pytest.approx(53.1625, abs=1e-10)
    assert parse_ra(" 53.1625 ") == 53.1625
    assert parse_dec("-27:47:29") == pytest.approx(-(27 + 47 / 60 + 29 / 3600), abs=1e-10)
    assert parse_dec("-27.7914") == -27.7914
    for bad, message in (("abc", "cannot read"), ("400", "0 to below 360"), ("nan", "cannot")):
        with pytest.raises(ValueError, match=message):
            parse_ra(bad, "NIRSpec RA")
    with pytest.raises(ValueError, match="Dec must lie between -90 and"):
        parse_dec("95")


def test_bad_input_is_shown_and_the_last_good_state_kept(dashboard):
    good_plan, good_readout = dashboard.plan, dashboard.readout.value
    dashboard.controls.nirspec_dec.value = "-27:99:xx"
    assert "NIRSpec Dec" in dashboard.message and "cannot read" in dashboard.message
    assert dashboard.plan == good_plan and dashboard.readout.value == good_readout
    dashboard.controls.nirspec_apa.value = 90.0  # still an error: the Dec box is wrong
    assert dashboard.plan == good_plan
    dashboard.controls.nirspec_dec.value = "-27:47:29"
    assert "cannot read" not in dashboard.message
    assert dashboard.plan.nirspec.dec == pytest.approx(-(27 + 47 / 60 + 29 / 3600))
    assert dashboard.plan.nirspec.apa == 90.0


def test_setting_the_plan_updates_every_widget_exactly(dashboard):
    plan = Plan(
        Pointing(189.2, 62.2383, 77.7),
        Pointing(189.21, 62.24, 301.3),
        dither="FULL6",
        mosaic=Mosaic(2, 3, row_overlap=12.5, column_overlap=61.0),
        channel="long",
    )
    dashboard.controls.tie_apa.value = True
    dashboard.plan = plan
    assert dashboard.plan == plan
    assert float(dashboard.controls.nirspec_ra.value) == 189.2
    assert float(dashboard.controls.nirspec_dec.value) == 62.2383
    assert dashboard.controls.nirspec_apa.value == 77.7
    assert dashboard.controls.nircam_mode.value == "radec"
    assert (
        float(dashboard.controls.nircam_ra.value),
        float(dashboard.controls.nircam_dec.value),
    ) == (189.21, 62.24)
    assert dashboard.controls.nircam_apa.value == 301.3
    assert not dashboard.controls.tie_apa.value  # the plan's NIRCam APA is not the tied one
    assert dashboard.controls.dither.value == "FULL6"
    assert (dashboard.controls.rows.value, dashboard.controls.columns.value) == (2, 3)
    assert (
        dashboard.controls.row_overlap.value == 12.5
        and dashboard.controls.column_overlap.value == 61.0
    )
    assert dashboard.controls.channel.value == "long"
    assert covered_text(dashboard) == format_percent(evaluate(plan).coverage.covered)
    assert "NIRCam LW" in dashboard.readout.value
    dashboard.refresh()  # reading every widget back gives the same plan
    assert dashboard.plan == plan
    with pytest.raises(TypeError):
        dashboard.plan = {"nirspec": 1}


def test_nircam_offset_in_arcsec(dashboard):
    dashboard.controls.nircam_mode.value = "offset"
    dashboard.controls.nircam_dx.value = 60.0
    dashboard.controls.nircam_dy.value = 0.0
    nirspec = SkyCoord(dashboard.plan.nirspec.ra, dashboard.plan.nirspec.dec, unit="deg")
    nircam = SkyCoord(dashboard.plan.nircam.ra, dashboard.plan.nircam.dec, unit="deg")
    assert nirspec.separation(nircam).arcsec == pytest.approx(60.0, rel=1e-6)
    assert nirspec.position_angle(nircam).deg == pytest.approx(90.0, abs=1e-4)  # east
    dashboard.controls.nircam_mode.value = "radec"  # the position carries over
    assert float(dashboard.controls.nircam_ra.value) == dashboard.plan.nircam.ra
    dashboard.controls.nircam_mode.value = "same"
    assert (dashboard.plan.nircam.ra, dashboard.plan.nircam.dec) == (
        dashboard.plan.nirspec.ra,
        dashboard.plan.nirspec.dec,
    )


def test_click_moves_nircam_or_nirspec(dashboard):
    view = dashboard.view
    dashboard.canvas.draw()  # lays the axes out as the browser shows them
    x, y = 200.0, 900.0
    expected = view.wcs.pixel_to_world(x, y)
    display_x, display_y = view.ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", dashboard.canvas, display_x, display_y, button=1)
    dashboard.canvas.callbacks.process("button_press_event", event)
    moved = SkyCoord(dashboard.plan.nircam.ra, dashboard.plan.nircam.dec, unit="deg")
    assert moved.separation(expected).arcsec < 0.01
    assert dashboard.controls.nircam_mode.value == "radec"
    dashboard.move_to_pixel(700.0, 300.0, "nirspec")
    expected = SkyCoord(*dashboard.view.wcs.pixel_to_world_values(700.0, 300.0), unit="deg")
    # The empty grid re-centres on the new NIRSpec pointing, so compare on the sky.
    nirspec = SkyCoord(dashboard.plan.nirspec.ra, dashboard.plan.nirspec.dec, unit="deg")
    assert dashboard.view.wcs.wcs.crval == pytest.approx([nirspec.ra.deg, nirspec.dec.deg])
    assert nirspec.separation(moved).arcsec > 100  # NIRSpec moved, NIRCam stayed
    with pytest.raises(ValueError, match="target"):
        dashboard.move_to_pixel(1, 1, "miri")


def test_loading_images_and_keeping_the_previous_one_on_errors(dashboard, tmp_path):
    good = write_fits(tmp_path / "field.fits")
    dashboard.load_image(good)
    image = dashboard.view.image_artist
    assert image is not None and "field.fits" in dashboard.message
    assert dashboard.view.shape == (300, 300)

    bad = tmp_path / "bad.fits"
    bad.write_bytes(b"this is not a FITS file" * 10)
    with pytest.raises(ImageError):
        dashboard.load_image(bad)
    assert "bad.fits was not shown" in dashboard.message
    assert "ignore_missing_simple" not in dashboard.message  # library advice reworded
    assert "The figure keeps field.fits" in dashboard.message
    assert dashboard.view.image_artist is image  # previous image stays

    cube = tmp_path / "cube.fits"
    fits.PrimaryHDU(np.zeros((3, 4, 5), np.float32)).writeto(cube)
    dashboard.image_panel.upload.value = (
        {
            "name": "cube.fits",
            "type": "",
            "size": 0,
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(cube.read_bytes()),
        },
    )
    assert "cube.fits was not shown" in dashboard.message
    assert dashboard.view.image_artist is image

    dashboard.image_panel.path_box.value = str(tmp_path / "missing.fits")
    assert "missing.fits was not shown" in dashboard.message
    assert "previs-rejected" in dashboard.image_panel.path_box._dom_classes
    assert dashboard.view.image_artist is image

    dashboard.image_panel.upload.value = (
        {
            "name": "up.fits",
            "type": "",
            "size": 0,
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(good.read_bytes()),
        },
    )
    assert "up.fits" in dashboard.message and "Could not" not in dashboard.message
    assert dashboard.view.image_artist is not image


def test_typing_a_path_then_clicking_load_reads_the_file_once(dashboard, tmp_path, monkeypatch):
    import os

    import previs.dashboard.panels.catalog
    import previs.io.images

    image_reads, catalog_reads = [], []
    real_load_image, real_read_catalog = (
        previs.io.images.load_image,
        previs.dashboard.panels.catalog.read_catalog,
    )

    def counting_load_image(source, *args, **kwargs):
        image_reads.append(source)
        return real_load_image(source, *args, **kwargs)

    def counting_read_catalog(source, *args, **kwargs):
        catalog_reads.append(source)
        return real_read_catalog(source, *args, **kwargs)

    monkeypatch.setattr(previs.io.images, "load_image", counting_load_image)
    monkeypatch.setattr(previs.dashboard.panels.catalog, "read_catalog", counting_read_catalog)
    image = write_fits(tmp_path / "a.fits")
    dashboard.image_panel.path_box.value = str(image)  # the box reads it ...
    dashboard.image_panel.load_button.click()  # ... and Load finds it unchanged
    assert len(image_reads) == 1 and dashboard.image_panel.path == str(image)
    os.utime(image, ns=(os.stat(image).st_atime_ns, os.stat(image).st_mtime_ns + 10**9))
    dashboard.image_panel.load_button.click()  # changed on disk: read again
    assert len(image_reads) == 2
    dashboard.show_empty_sky()
    dashboard.image_panel.load_button.click()  # no longer shown: read again
    assert len(image_reads) == 3 and dashboard.view.image_artist is not None

    catalog = tmp_path / "c.radec"
    catalog.write_text("53.1625 -27.7914 P\n")
    dashboard.catalog_panel.path_box.value = str(catalog)
    dashboard.catalog_panel.load_button.click()
    assert len(catalog_reads) == 1 and len(dashboard.catalog) == 1
    dashboard.clear_catalog()
    dashboard.catalog_panel.load_button.click()
    assert len(catalog_reads) == 2 and len(dashboard.catalog) == 1


def test_an_upload_is_read_once_and_not_kept_in_the_widget(dashboard, tmp_path):
    data = write_fits(tmp_path / "b.fits").read_bytes()
    dashboard.image_panel.upload.value = (upload_item("b.fits", data),)
    assert dashboard.image_panel.upload.value == ()  # the bytes live in the panel only
    assert dashboard.image_panel.upload_data == ("b.fits", data)
    assert "b.fits" in dashboard.image_panel.label.value and "Could not" not in dashboard.message
    assert dashboard.image_panel.files.reads == 1
    dashboard.catalog_panel.upload.value = (upload_item("c.radec", b"53.1625 -27.7914 P\n"),)
    assert dashboard.catalog_panel.upload.value == () and len(dashboard.catalog) == 1
    assert dashboard.catalog_panel.upload_data == ("c.radec", b"53.1625 -27.7914 P\n")
    assert dashboard.catalog_panel.files.reads == 1


def test_an_image_elsewhere_recentres_the_pointings(dashboard, tmp_path):
    other = write_fits(tmp_path / "m101.fits", ra=210.8, dec=54.35)
    apa = dashboard.plan.nirspec.apa
    dashboard.load_image(other)
    assert dashboard.plan.nirspec.ra == pytest.approx(210.8, abs=1e-3)
    assert dashboard.plan.nirspec.dec == pytest.approx(54.35, abs=1e-3)
    assert dashboard.plan.nircam.ra == dashboard.plan.nirspec.ra
    assert dashboard.plan.nirspec.apa == apa
    assert "moved to the image centre" in dashboard.message


def test_dashboard_with_an_image_path_and_visibility(tmp_path):
    path = write_fits(tmp_path / "f.fits")
    dashboard = Dashboard(image=path, schedule=False)
    assert dashboard.view.image_artist is not None
    dashboard.controls.show_uncovered.value = False
    dashboard.controls.show_nircam.value = False
    assert not dashboard.view.artists["uncovered"].get_visible()
    assert not dashboard.view.artists["nircam"].get_visible()
    dashboard.show_empty_sky()
    assert dashboard.view.image_artist is None
    broken = Dashboard(
        image=tmp_path / "nope.fits", schedule=False
    )  # falls back to the grid, says why
    assert broken.view.image_artist is None and "nope.fits was not shown" in broken.message


def test_the_bundled_example_loads():
    dashboard = Dashboard(schedule=False)
    assert dashboard.view.image_artist is not None
    assert "example" in dashboard.message
    x, y = dashboard.view.sky_to_pixel([dashboard.plan.nirspec.ra], [dashboard.plan.nirspec.dec])
    assert dashboard.view.contains_pixel(float(x[0]), float(y[0]))


def test_update_latency_is_small(dashboard):
    """Evaluate + readout + artist update per slider change (printed, not asserted)."""
    dashboard.update_times_ms.clear()
    for apa in np.linspace(0.0, 359.0, 25):
        dashboard.controls.nirspec_apa.value = float(apa)
    median = statistics.median(dashboard.update_times_ms)
    print(f"\ndashboard update per APA change: median {median:.1f} ms")
    assert len(dashboard.update_times_ms) == 25


# ---------------------------------------------------------------------- catalogs


def readout_counts(dashboard: Dashboard) -> dict:
    """The catalog numbers the readout shows, by kind and column."""
    numbers = {}
    for kind in ("primary", "filler"):
        for column, key in (
            ("in-msa", "in_msa"),
            ("imaged", "in_msa_imaged"),
            ("at-risk", "at_risk"),
        ):
            match = re.search(
                rf"class='previs-{kind}-{column}'[^>]*>(\d+)<", dashboard.readout.value
            )
            if match:
                numbers.setdefault(kind, {})[key] = int(match.group(1))
    return numbers


def expected_counts(catalog, plan) -> dict:
    counts = count_sources(catalog, evaluate(plan)).to_dict()
    return {
        kind: {key: counts[kind][key] for key in ("in_msa", "in_msa_imaged", "at_risk")}
        for kind in ("primary", "filler")
    }


@pytest.fixture(scope="module")
def example_dashboard():
    return Dashboard()


def test_the_example_catalog_comes_with_the_example_image(example_dashboard):
    dashboard = example_dashboard
    catalog = dashboard.catalog
    assert catalog is not None and len(catalog) == len(read_catalog(example_catalog_path()))
    assert "example catalog" in dashboard.catalog_panel.label.value
    assert readout_counts(dashboard) == expected_counts(catalog, dashboard.plan)
    counted = readout_counts(dashboard)
    assert counted["primary"]["in_msa"] + counted["filler"]["in_msa"] > 10  # a real test
    # The counts follow the slider.
    seen = set()
    for apa in (10.0, 100.0, 200.0):
        dashboard.controls.nirspec_apa.value = apa
        assert readout_counts(dashboard) == expected_counts(catalog, dashboard.plan)
        seen.add(str(readout_counts(dashboard)))
    assert len(seen) > 1


def test_catalog_overlay_primaries_fillers_and_rings(example_dashboard):
    dashboard = example_dashboard
    catalog, view = dashboard.catalog, dashboard.view
    wcs = view.wcs
    x, y = wcs.world_to_pixel(SkyCoord(catalog.ra, catalog.dec, unit="deg"))
    xy = np.column_stack([x, y])
    np.testing.assert_allclose(view.artists["primaries"].get_offsets(), xy[catalog.primary])
    np.testing.assert_allclose(view.artists["fillers"].get_offsets(), xy[catalog.filler])
    at_risk = count_sources(catalog, evaluate(dashboard.plan)).at_risk
    assert at_risk.any()
    np.testing.assert_allclose(view.artists["at_risk"].get_offsets(), xy[at_risk])
    dashboard.controls.show_fillers.value = False  # rings only around the kinds shown
    assert not view.artists["fillers"].get_visible()
    np.testing.assert_allclose(view.artists["at_risk"].get_offsets(), xy[at_risk & catalog.primary])
    dashboard.controls.show_primaries.value = False
    assert len(view.artists["at_risk"].get_offsets()) == 0
    dashboard.controls.show_primaries.value = dashboard.controls.show_fillers.value = True
    assert len(view.artists["at_risk"].get_offsets()) == at_risk.sum()


def test_catalog_by_path_upload_errors_and_clearing(dashboard, tmp_path):
    assert dashboard.catalog is None  # a user image or the grid starts without a catalog
    assert "previs-counts" not in dashboard.readout.value
    plan = dashboard.plan
    centre = SkyCoord(plan.nirspec.ra, plan.nirspec.dec, unit="deg")
    good = tmp_path / "targets.radec"
    lines = ["# id-free NOVT catalog"]
    rng = np.random.default_rng(3)
    for dx, dy in rng.uniform(-150, 150, size=(60, 2)):
        point = centre.spherical_offsets_by(dx * u.arcsec, dy * u.arcsec)
        lines.append(f"{point.ra.deg:.7f} {point.dec.deg:.7f} {'P' if dx > 0 else 'F'}")
    good.write_text("\n".join(lines) + "\n")
    dashboard.catalog_panel.path_box.value = str(good)
    assert len(dashboard.catalog) == 60 and "targets.radec" in dashboard.catalog_panel.label.value
    assert readout_counts(dashboard) == expected_counts(dashboard.catalog, plan)

    bad = b"53.1 -27.8 P\n53.2 -27.8 F\n53.3 -95.0 P\n"
    dashboard.catalog_panel.upload.value = (
        {
            "name": "bad.radec",
            "type": "",
            "size": len(bad),
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(bad),
        },
    )
    message = dashboard.message
    assert "bad.radec" in message and "line 3" in message
    assert "The counts keep targets.radec" in message
    assert len(dashboard.catalog) == 60  # the previous catalog stays
    assert readout_counts(dashboard) == expected_counts(dashboard.catalog, plan)

    csv = b"RA,DEC,flag\n" + b"".join(
        f"{line.split()[0]},{line.split()[1]},F\n".encode() for line in lines[1:11]
    )
    dashboard.catalog_panel.upload.value = (
        {
            "name": "ten.csv",
            "type": "",
            "size": len(csv),
            "last_modified": datetime.now(timezone.utc),
            "content": memoryview(csv),
        },
    )
    assert len(dashboard.catalog) == 10 and "Could not" not in dashboard.message
    assert readout_counts(dashboard)["primary"] == {"in_msa": 0, "in_msa_imaged": 0, "at_risk": 0}

    dashboard.catalog_panel.path_box.value = str(tmp_path / "missing.radec")
    assert "missing.radec" in dashboard.message and len(dashboard.catalog) == 10

    dashboard.clear_catalog()
    assert dashboard.catalog is None and dashboard.counts is None
    assert len(dashboard.view.artists["primaries"].get_offsets()) == 0
    assert "previs-counts" not in dashboard.readout.value


def test_a_user_image_drops_the_example_catalog(tmp_path):
    dashboard = Dashboard(catalog=read_catalog(example_catalog_path()), schedule=False)
    assert dashboard.catalog is not None  # a Catalog given explicitly is the user's: it stays
    dashboard.show_example_catalog()
    dashboard.load_image(write_fits(tmp_path / "f.fits"))
    assert dashboard.catalog is None
    dashboard.show_example()
    assert (
        dashboard.catalog is not None and "example catalog" in dashboard.catalog_panel.label.value
    )


# ---------------------------------------------------------------------- sessions and exports


def widget_state(dashboard: Dashboard) -> dict:
    """Every user-facing control value (what a restored session must reproduce)."""
    names = [
        "nirspec_ra", "nirspec_dec", "nirspec_apa", "nircam_mode", "nircam_dx", "nircam_dy",
        "nircam_ra", "nircam_dec", "tie_apa", "nircam_apa", "dither", "rows", "columns",
        "row_overlap", "column_overlap", "channel", "show_ifu_slits", "show_nircam",
        "show_uncovered", "show_primaries", "show_fillers", "click_target",
    ]  # fmt: skip
    state = {name: getattr(dashboard.controls, name).value for name in names}
    state["image_path"] = dashboard.image_panel.path_box.value
    state["catalog_path"] = dashboard.catalog_panel.path_box.value
    state["nircam_apa.disabled"] = dashboard.controls.nircam_apa.disabled
    return state


def upload_item(name: str, data: bytes) -> dict:
    return {
        "name": name,
        "type": "",
        "size": len(data),
        "last_modified": datetime.now(timezone.utc),
        "content": memoryview(data),
    }


def test_config_round_trip_restores_every_widget(tmp_path):
    image = write_fits(tmp_path / "field.fits", n=400)
    catalog = tmp_path / "cat.radec"
    catalog.write_text("53.1625 -27.7914 P\n53.17 -27.78 F\n53.15 -27.80 F\n")
    source = Dashboard(image=image, catalog=catalog, schedule=False)
    source.controls.nircam_mode.value = "offset"
    source.controls.nircam_dx.value = 12.5
    source.controls.nircam_dy.value = -7.25
    source.controls.dither.value = "FULL6"
    source.controls.columns.value = 2
    source.controls.column_overlap.value = 17.0
    source.controls.channel.value = "long"
    source.controls.tie_apa.value = True
    source.controls.nirspec_apa.value = 131.0
    source.controls.show_fillers.value = False
    source.controls.show_uncovered.value = False
    source.controls.click_target.value = "nirspec"
    path = source.save_config(tmp_path / "sessions" / "s.json")
    saved = json.loads(path.read_text())
    assert saved["image"] == str(image) and saved["catalog"] == str(catalog)  # outside: absolute
    assert saved["nircam_mode"] == "offset" and saved["tie_orient"] is True

    restored = Dashboard(image=False, catalog=False, schedule=False)
    restored.load_config(path)
    assert restored.plan == source.plan
    assert widget_state(restored) == {
        **widget_state(source),
        "image_path": str(image),
        "catalog_path": str(catalog),
    }
    assert restored.config == source.config
    assert restored.view.shape == (400, 400) and len(restored.catalog) == 3
    assert restored.view.visible == source.view.visible
    assert readout_counts(restored) == readout_counts(source)
    assert "Loaded the configuration" in restored.export_text


def test_config_with_uploads_and_the_example(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    dashboard.image_panel.upload.value = (
        upload_item("up.fits", write_fits(tmp_path / "a.fits").read_bytes()),
    )
    dashboard.catalog_panel.upload.value = (upload_item("up.radec", b"53.1625 -27.7914 P\n"),)
    assert dashboard.config.image is None  # no path yet
    path = dashboard.save_config(tmp_path / "out" / "c.json")
    saved = json.loads(path.read_text())
    assert (saved["image"], saved["catalog"]) == ("up.fits", "up.radec")  # copies, relative
    assert (tmp_path / "out" / "up.radec").read_bytes() == b"53.1625 -27.7914 P\n"
    other = Dashboard(image=False, catalog=False, schedule=False)
    other.load_config(path)
    assert other.view.shape == (300, 300) and len(other.catalog) == 1
    assert other.plan == dashboard.plan

    example = Dashboard(image=False, catalog=False, schedule=False)
    example.load_config(Path(previs.__file__).parent / "data" / "example_config.json")
    assert example.view.image_artist is not None and "example" in example.message
    assert example.catalog is not None and "example catalog" in example.catalog_panel.label.value
    assert example.config.image is None


def test_empty_sky_and_example_catalog_survive_a_saved_session(tmp_path):
    empty = Dashboard(image=False, schedule=False)
    empty.show_example_catalog()
    assert empty.config.image == "previs:empty-sky"
    assert empty.config.catalog == "previs:example"
    path = empty.save_config(tmp_path / "session.json")
    assert json.loads(path.read_text())["catalog"] == "previs:example"
    restored = Dashboard(schedule=False)  # starts on the example image
    assert restored.view.image_artist is not None
    restored.load_config(path)
    assert restored.view.image_artist is None  # back on the empty sky grid
    assert restored.config.image == "previs:empty-sky"
    assert len(restored.catalog) == len(empty.catalog)


@pytest.mark.parametrize(
    "change, key",
    [
        ({"show": {"fillers": "yes"}}, "show.fillers"),
        ({"colour": "red"}, "colour"),
        ({"plan": {"nirspec": {"ra": 53.0, "dec": 95.0}}}, "nirspec.dec"),
        ({"image": "missing.fits"}, "image"),
        ({"catalog": "missing.radec"}, "catalog"),
    ],
)
def test_a_bad_config_names_the_key_and_changes_nothing(dashboard, tmp_path, change, key):
    dashboard.controls.nirspec_apa.value = 77.0
    good = tmp_path / "good.json"
    dashboard.save_config(good)
    data = json.loads(good.read_text())
    data.update(change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    before, plan, readout = widget_state(dashboard), dashboard.plan, dashboard.readout.value
    artist = dashboard.view.artists["quadrants"][0]
    with pytest.raises(ConfigError, match=re.escape(key)):
        dashboard.load_config(bad)
    assert key in dashboard.export_text and "bad.json" in dashboard.export_text
    assert widget_state(dashboard) == before and dashboard.plan == plan
    assert dashboard.readout.value == readout
    assert dashboard.view.artists["quadrants"][0] is artist  # the view was not rebuilt
    dashboard.export_panel.config_path.value = str(bad)
    dashboard.export_panel.config_load_button.click()
    assert key in dashboard.export_text and widget_state(dashboard) == before


def test_sky_and_pixel_regions_match_the_footprints(tmp_path):
    dashboard = Dashboard(
        image=write_fits(tmp_path / "f.fits", n=500), catalog=False, schedule=False
    )
    with pytest.raises(ValueError, match="needs a catalog"):
        dashboard.export_regions(tmp_path / "x.reg", include_catalog=True)
    result = dashboard.result
    sky = Regions.read(str(dashboard.export_regions(tmp_path / "r" / "sky.reg")), format="ds9")
    names = list(result.nirspec.names) + list(result.nircam.names)
    assert [r.meta["tag"][0] for r in sky] == names
    detector = sky[len(result.nirspec.names)]
    np.testing.assert_allclose(detector.vertices.ra.deg, result.nircam.ra[0], atol=1e-9)
    np.testing.assert_allclose(detector.vertices.dec.deg, result.nircam.dec[0], atol=1e-9)

    pixel = Regions.read(str(dashboard.export_regions(tmp_path / "p.reg", pixel=True)), "ds9")
    wcs = WCS(fits.getheader(tmp_path / "f.fits"))
    x, y = wcs.world_to_pixel(SkyCoord(result.nircam.ra[0], result.nircam.dec[0], unit="deg"))
    np.testing.assert_allclose(pixel[len(result.nirspec.names)].vertices.x, x, atol=1e-6)
    np.testing.assert_allclose(pixel[len(result.nirspec.names)].vertices.y, y, atol=1e-6)

    dashboard.catalog_panel.upload.value = (
        upload_item("c.radec", b"53.1625 -27.7914 P\n53.2 -27.8 F\n"),
    )
    with_sources = Regions.read(str(dashboard.export_regions(tmp_path / "c.reg")), format="ds9")
    assert len(with_sources) == len(names) + 2
    dashboard.show_empty_sky()
    with pytest.raises(ValueError, match="pixel regions need a FITS image"):
        dashboard.export_regions(tmp_path / "q.reg", pixel=True)


def test_figure_and_report_exports(dashboard, tmp_path):
    from PIL import Image

    size = tuple(dashboard.figure.get_size_inches())
    png = dashboard.save_figure(tmp_path / "fig.png")
    with Image.open(png) as image:
        # 1000 px wide whatever the figure's size on screen (cropped to its content),
        # taller than wide: the caption is under the axes.
        assert 900 < image.size[0] <= 1000 and image.size[1] > image.size[0]
        assert image.info["dpi"][0] == pytest.approx(1000 / size[0], abs=1)
    assert png.stat().st_size <= 1.5 * 2**20
    with Image.open(dashboard.save_figure(tmp_path / "hi.png", dpi=300)) as image:
        assert min(image.size) > 1200  # an explicit dpi is honoured
    assert dashboard.save_figure(tmp_path / "fig.pdf").read_bytes().startswith(b"%PDF")
    assert tuple(dashboard.figure.get_size_inches()) == size and dashboard.figure.dpi == 100
    with pytest.raises(ValueError, match="extension"):
        dashboard.save_figure(tmp_path / "fig.gif")

    dashboard.catalog_panel.upload.value = (upload_item("c.radec", b"53.1625 -27.7914 P\n"),)
    report = json.loads(dashboard.save_report(tmp_path / "rep.json").read_text())
    plan = dashboard.plan
    for channel in ("short", "long"):
        expected = evaluate(plan.replace(channel=channel))
        assert report["coverage"][channel]["covered"] == pytest.approx(expected.coverage.covered)
        assert report["sources"][channel] == count_sources(dashboard.catalog, expected).to_dict()
    markdown = dashboard.save_report(tmp_path / "rep.md").read_text()
    assert format_percent(evaluate(plan).coverage.covered).replace(" ", "") in markdown.replace(
        " ", ""
    )
    assert "<table" in dashboard.save_report(tmp_path / "rep.html").read_text()
    with pytest.raises(ValueError, match="extension"):
        dashboard.save_report(tmp_path / "rep.txt")


def test_export_buttons_write_files_with_download_links(dashboard, tmp_path):
    dashboard.export_panel.output_folder.value = str(tmp_path / "new" / "folder")
    dashboard.export_panel.output_name.value = "plan1"
    dashboard.export_panel.buttons["regions"].click()
    written = tmp_path / "new" / "folder" / "plan1.reg"
    assert written.exists() and str(written) in dashboard.export_text
    link = re.search(r"href='data:text/plain;base64,([^']+)'", dashboard.export_panel.message.value)
    assert base64.b64decode(link.group(1)) == written.read_bytes()
    dashboard.export_panel.buttons["config"].click()
    assert dashboard.export_panel.config_path.value == str(
        tmp_path / "new" / "folder" / "plan1-config.json"
    )
    dashboard.export_panel.buttons["regions_pixels"].click()  # the empty grid has no FITS pixels
    assert "pixel regions need a FITS image" in dashboard.export_text
    dashboard.export_panel.output_name.value = "a/b"
    dashboard.export_panel.buttons["report_md"].click()
    assert "must not contain a folder" in dashboard.export_text


# ---------------------------------------------------------------------- Schedule tab


def brute_force_worst(plan: Plan, apa_range: tuple[float, float], step: float = 0.5):
    """Minimum coverage over the range, one evaluate() per APA (independent of apa_search)."""
    low, high = apa_range
    width = (high - low) % 360.0
    n = int(np.ceil(width / step - 1e-9))
    apas = (low + np.linspace(0.0, width, n + 1)) % 360.0
    covered = [
        evaluate(
            plan.replace(nirspec=Pointing(plan.nirspec.ra, plan.nirspec.dec, a))
        ).coverage.covered
        for a in apas
    ]
    i = int(np.argmin(covered))
    return covered[i], apas[i]


def worst_text(dashboard: Dashboard) -> str:
    match = re.search(r"class='previs-worst-case'[^>]*>([^<]+)<", dashboard.readout.value)
    return match.group(1) if match else ""


def test_schedule_tab_sets_the_nircam_apa_and_the_worst_case(example_dashboard):
    dashboard = example_dashboard
    tabs = dashboard.tabs
    assert [tabs.get_title(i) for i in range(2)] == ["Plan", "Schedule"]
    panel = dashboard.schedule_panel
    dashboard.controls.tie_apa.value = True
    panel.propose()  # dates of the best pair of visibility windows
    assert worst_text(dashboard) == ""
    nircam_apa, apa_range = panel.nircam_apa, panel.nirspec_apa_range
    assert nircam_apa is not None and apa_range is not None, panel.message
    panel.controls.apply_button.click()
    assert not dashboard.controls.tie_apa.value and not dashboard.controls.nircam_apa.disabled
    assert dashboard.controls.nircam_apa.value == pytest.approx(nircam_apa % 360.0)
    assert dashboard.plan.nircam.apa == pytest.approx(nircam_apa % 360.0)
    assert dashboard.nirspec_apa_range == pytest.approx(apa_range)
    minimum, at_apa = brute_force_worst(dashboard.plan, dashboard.nirspec_apa_range)
    assert dashboard.worst_case.min == pytest.approx(minimum, abs=1e-9)
    assert worst_text(dashboard) == format_percent(minimum)
    assert dashboard.worst_case_button.layout.display is None

    # Untied: not recomputed on NIRSpec APA moves; recomputed when the NIRCam setup changes.
    computed = len(dashboard.worst_case_times_ms)
    dashboard.controls.nirspec_apa.value = 12.0
    dashboard.controls.nirspec_apa.value = 13.0
    assert len(dashboard.worst_case_times_ms) == computed
    # Tied: the NIRCam APA follows the slider, so the worst case does too (never stale).
    nircam_apa = dashboard.controls.nircam_apa.value
    dashboard.controls.tie_apa.value = True
    dashboard.controls.nirspec_apa.value = 30.0
    minimum, _ = brute_force_worst(dashboard.plan, dashboard.nirspec_apa_range)
    assert dashboard.worst_case.min == pytest.approx(minimum, abs=1e-9)
    assert len(dashboard.worst_case_times_ms) == computed + 2  # tie, then the move
    dashboard.controls.tie_apa.value = False
    dashboard.controls.nircam_apa.value = nircam_apa
    computed = len(dashboard.worst_case_times_ms)
    dashboard.controls.dither.value = "FULL6"
    assert len(dashboard.worst_case_times_ms) == computed + 1
    minimum, at_apa = brute_force_worst(dashboard.plan, dashboard.nirspec_apa_range)
    assert worst_text(dashboard) == format_percent(minimum)
    dashboard.worst_case_button.click()
    assert dashboard.plan.nirspec.apa == pytest.approx(at_apa)
    assert covered_text(dashboard) == format_percent(minimum)

    # The panel reads the plan again when its tab is opened.
    dashboard.controls.nirspec_ra.value = "53.17"
    tabs.selected_index = 1
    assert panel.target == (53.17, dashboard.plan.nirspec.dec)
    tabs.selected_index = 0
    dashboard.apply_orientations(dashboard.plan.nircam.apa, None)
    assert dashboard.worst_case is None and worst_text(dashboard) == ""
    with pytest.raises(ValueError, match="NIRSpec APA range"):
        dashboard.apply_orientations(10.0, (float("nan"), 3.0))


def test_a_full_circle_nirspec_apa_range_stays_the_full_circle():
    """In the continuous viewing zone every NIRSpec APA is allowed: the worst case is over
    the whole circle and any APA shown is inside the range."""
    from previs.planning.sweep import worst_case_coverage

    dashboard = Dashboard(image=False, catalog=False)
    dashboard.plan = Plan.centred(ra=260.7, dec=65.8, nirspec_apa=0.0, dither="FULL3")
    panel = dashboard.schedule_panel
    panel.set_dates("2027-03-01", "2027-05-01")  # North Ecliptic Pole: continuous viewing
    assert panel.nirspec_apa_range == pytest.approx((0.0, 360.0)), panel.message
    assert (
        "any angle</b> (360.0&deg; wide)" in panel.controls.orientation_html.value
    )  # not "0 to 0"
    panel.controls.apply_button.click()
    assert "every NIRSpec APA" in panel.message
    plan = dashboard.plan
    expected = worst_case_coverage(
        plan.nirspec, plan.nircam, (0.0, 360.0), plan.channel, plan.dither, plan.mosaic
    )
    assert len(dashboard.worst_case.apas) == len(expected.apas) > 700
    assert dashboard.worst_case.min == pytest.approx(expected.min, abs=1e-12)
    assert worst_text(dashboard) == format_percent(expected.min)
    assert expected.min < evaluate(plan).coverage.covered - 0.01  # not just APA 0
    assert "every NIRSpec APA" in dashboard.readout.value
    assert "outside this range" not in dashboard.readout.value


def test_a_position_pasted_into_the_ra_field_fills_ra_and_dec():
    from previs.geometry.coordinates import split_position

    assert split_position("03:32:39.0 -27:47:29") == ("03:32:39.0", "-27:47:29")
    assert split_position("53.16, -27.79") == ("53.16", "-27.79")
    assert split_position("3 32 39.0 -27 47 29") == ("3:32:39.0", "-27:47:29")
    assert split_position("53.16") is None
    dashboard = Dashboard(image=False, catalog=False, schedule=False)
    dashboard.controls.nirspec_ra.value = "03:32:39.0 -27:47:29"
    assert dashboard.controls.nirspec_ra.value == "03:32:39.0"
    assert dashboard.controls.nirspec_dec.value == "-27:47:29"
    assert dashboard.plan.nirspec.ra == pytest.approx(53.1625)
    assert dashboard.plan.nirspec.dec == pytest.approx(-27.7913889, abs=1e-6)
    dashboard.controls.nirspec_ra.value = "03:32:39.0 -97:47:29"  # a bad Dec stays visible as typed
    assert dashboard.controls.nirspec_ra.value == "03:32:39.0 -97:47:29"
    assert "NIRSpec RA" in dashboard.message
    assert dashboard.plan.nirspec.ra == pytest.approx(53.1625)  # last good state kept
