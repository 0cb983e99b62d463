"""The dashboard's MSA parts in-process: the operability picker, coverage from an image, the
shutter layer zoomed in, and the readout's labels (issues 12 and 15)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely
from astropy.io import fits
from astropy.wcs import WCS

from previs.dashboard.app import Dashboard
from previs.dashboard.text import format_percent
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.image_coverage import image_coverage
from previs.geometry.operability import default_operability, read_msaoper
from previs.geometry.shutters import place_sources
from previs.geometry.usable import usable_msa_coverage
from previs.io.valid_region import valid_region
from previs.plotting.shutter_layer import target_states

RA, DEC = 53.1625, -27.7914


def number(dashboard: Dashboard, css_class: str) -> str:
    match = re.search(rf"class='{css_class}'[^>]*>([^<]+)<", dashboard.readout.value)
    assert match, f"{css_class} not in the readout"
    return match.group(1)


def image_wcs(n: int, ra: float = RA, dec: float = DEC) -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(n + 1) / 2, (n + 1) / 2]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]
    return wcs


def write_image(path, n=400, invalid_columns=200, weight_shape=None, ra=RA, dec=DEC):
    """A 1"/pixel image centred on the MSA whose first ``invalid_columns`` are NaN."""
    data = np.random.default_rng(2).normal(size=(n, n)).astype(np.float32)
    data[:, :invalid_columns] = np.nan
    hdus = [fits.PrimaryHDU(data, header=image_wcs(n, ra, dec).to_header())]
    if weight_shape is not None:
        hdus.append(fits.ImageHDU(np.ones(weight_shape, np.float32), name="WHT"))
    fits.HDUList(hdus).writeto(path)
    return str(path)


def write_msaoper(path, entries) -> str:
    path.write_text(json.dumps({"msaoper": entries, "title": "test map"}))
    return str(path)


@pytest.fixture
def dashboard():
    return Dashboard(image=False, schedule=False)


# ----------------------------------------------------------------------------- operability
def test_the_readout_names_the_bundled_map_and_the_headline_counts():
    dashboard = Dashboard(schedule=False)  # the example field and catalog
    assert number(dashboard, "previs-operability") == default_operability().name
    assert "bundled snapshot" in dashboard.readout.value
    counts = dashboard.counts
    for kind in ("primary", "filler"):
        expected = counts.shutter_summary(kind)["in_usable_shutter_imaged"]
        assert number(dashboard, f"previs-{kind}-usable-imaged") == str(expected)
    assert "targets in a usable shutter and pre-imaged" in dashboard.readout.value
    assert "MSA area covered by NIRCam SW" in dashboard.readout.value
    assert "usable MSA (operable shutters)" in dashboard.readout.value


def test_a_crds_file_replaces_the_map_and_bundled_goes_back(dashboard, tmp_path):
    # Fail every shutter of quadrant 1, rows 1-171 at columns 1-100, closed.
    entries = [
        {"Q": 1, "x": i, "y": j, "state": "closed"} for i in range(1, 101) for j in range(1, 172)
    ]
    path = write_msaoper(tmp_path / "jwst_nirspec_msaoper_0099.json", entries)
    before = dashboard.result.usable.covered
    dashboard.msa_panel.path_box.value = path
    assert dashboard.operability.name.startswith("msaoper_0099")
    assert number(dashboard, "previs-operability") == dashboard.operability.name
    assert "your file" in dashboard.readout.value
    expected = usable_msa_coverage(
        dashboard.plan.nirspec, dashboard.result.coverage.covering, read_msaoper(path)
    )
    assert dashboard.result.usable.covered == pytest.approx(expected.covered, abs=1e-12)
    assert dashboard.result.usable.covered != pytest.approx(before, abs=1e-6)
    assert number(dashboard, "previs-usable") == format_percent(expected.covered)
    dashboard.msa_panel.bundled_button.click()
    assert dashboard.operability is default_operability()
    assert dashboard.result.usable.covered == pytest.approx(before, abs=1e-12)


def test_a_bad_msaoper_file_names_the_file_and_entry_and_keeps_the_map(dashboard, tmp_path):
    good = write_msaoper(tmp_path / "jwst_nirspec_msaoper_0050.json", [
        {"Q": 2, "x": 10, "y": 10, "state": "open"},
    ])  # fmt: skip
    dashboard.msa_panel.load(good)
    readout = dashboard.readout.value
    bad = write_msaoper(tmp_path / "broken.json", [
        {"Q": 1, "x": 3, "y": 4, "state": "closed"},
        {"Q": 5, "x": 3, "y": 4, "state": "closed"},
    ])  # fmt: skip
    dashboard.msa_panel.path_box.value = bad
    message = dashboard.message
    assert "broken.json" in message and "msaoper entry 2" in message and "'Q'" in message
    assert "Still using msaoper_0050" in message
    assert dashboard.operability.name.startswith("msaoper_0050")
    assert dashboard.readout.value == readout
    assert "previs-rejected" in dashboard.msa_panel.path_box._dom_classes


def test_an_uploaded_msaoper_file_is_used_and_a_bad_upload_is_named(dashboard):
    data = json.dumps({"msaoper": [{"Q": 3, "x": 5, "y": 6, "state": "closed"}]}).encode()
    dashboard.msa_panel.load_bytes(data, "jwst_nirspec_msaoper_0077.json")
    assert dashboard.operability.name.startswith("msaoper_0077")
    assert dashboard.operability.counts["failed_closed"] == 1
    with pytest.raises(ValueError):
        dashboard.msa_panel.load_bytes(b"{not json", "mine.json")
    assert "mine.json was not used: not JSON" in dashboard.message
    assert "/tmp" not in dashboard.message.split("mine.json was not used")[1]
    assert dashboard.operability.name.startswith("msaoper_0077")


# ----------------------------------------------------------------------------- image mode
def test_coverage_from_the_image_equals_image_coverage(dashboard, tmp_path):
    path = write_image(tmp_path / "half.fits")
    assert dashboard.coverage_source.toggle.disabled
    dashboard.load_image(path)
    assert not dashboard.coverage_source.toggle.disabled
    planned = dashboard.result.coverage.covered
    dashboard.coverage_source.toggle.value = "image"
    region = valid_region(path, cache=False)
    for apa in (45.0, 80.0, 123.4):
        dashboard.controls.nirspec_apa.value = apa
        nirspec = dashboard.plan.nirspec
        assert nirspec.apa == pytest.approx(apa)
        expected = image_coverage(region, nirspec)
        image = dashboard.image_summary
        assert image.coverage.covered == pytest.approx(expected.covered, abs=1e-12)
        assert 0.2 < expected.covered < 0.8
        assert number(dashboard, "previs-image-covered") == format_percent(expected.covered)
        for q, value in expected.quadrants.items():
            assert number(dashboard, f"previs-image-q{q}") == format_percent(value)
        usable = usable_msa_coverage(nirspec, expected.region_geometry)
        assert number(dashboard, "previs-image-usable") == format_percent(usable.covered)
        # The shading is the MSA minus the valid data (1" pixels: pixel area = arcsec^2).
        msa = msa_geometry(nirspec)
        uncovered = shapely.difference(msa.union, region.in_plane(msa.plane)).area
        assert shaded_area(dashboard) == pytest.approx(uncovered, rel=2e-3)
    assert dashboard.coverage_source.n_traced == 1  # traced once, then cached
    outline = dashboard.msa_view.outline
    assert outline in dashboard.view.ax.patches
    assert path_area(outline.get_path()) == pytest.approx(region.area_arcsec2, rel=2e-3)
    dashboard.coverage_source.toggle.value = "planned"
    assert dashboard.image_summary is None
    assert dashboard.msa_view.outline is None and outline not in dashboard.view.ax.patches
    assert "previs-covered" in dashboard.readout.value
    assert dashboard.result.coverage.covered != pytest.approx(planned)  # APA moved
    uncovered = dashboard.result.coverage.uncovered.area
    assert shaded_area(dashboard) == pytest.approx(uncovered, rel=2e-3)


def shaded_area(dashboard: Dashboard) -> float:
    """Area (pixels^2) of the uncovered shading."""
    return path_area(dashboard.view.artists["uncovered"].get_path())


def path_area(path) -> float:
    """Area of a compound path whose rings turn one way for exteriors and the other for
    holes (as previs draws them): their shoelace areas add up."""
    total = 0.0
    for ring in path.to_polygons():
        x, y = ring[:, 0], ring[:, 1]
        total += 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    return abs(total)


def test_the_worst_case_follows_the_image(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    dashboard.load_image(write_image(tmp_path / "half.fits"))
    dashboard.apply_orientations(dashboard.plan.nircam.apa, (40.0, 60.0))
    dashboard.coverage_source.set_mode("image")
    worst = dashboard.image_summary.worst_case
    region = valid_region(dashboard.image_panel.path, cache=False)
    apas = np.arange(40.0, 60.01, 0.5)
    brute = [image_coverage(region, Pointing(RA, DEC, a)).covered for a in apas]
    assert worst.min <= min(brute) + 1e-9
    assert worst.min == pytest.approx(min(brute), abs=5e-3)
    assert number(dashboard, "previs-worst-case") == format_percent(worst.min)
    dashboard.show_worst_angle()  # the image's worst angle, not the plan's
    assert dashboard.plan.nirspec.apa == pytest.approx(worst.apa_at_min)
    assert dashboard.image_summary.coverage.covered == pytest.approx(worst.min, abs=1e-9)


def test_coverage_from_an_uploaded_image(dashboard, tmp_path):
    path = write_image(tmp_path / "half.fits")
    dashboard.load_image((tmp_path / "half.fits").read_bytes(), name="sent.fits")
    dashboard.coverage_source.set_mode("image")
    expected = image_coverage(valid_region(path, cache=False), dashboard.plan.nirspec)
    assert dashboard.image_summary.coverage.covered == pytest.approx(expected.covered, abs=1e-12)
    assert "sent.fits" in dashboard.readout.value


def test_targets_in_the_image_mode_count_the_valid_data(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    path = write_image(tmp_path / "half.fits")
    dashboard.load_image(path)
    from previs.io.example_field import example_catalog_path

    dashboard.load_catalog(example_catalog_path())
    dashboard.coverage_source.set_mode("image")
    counts = dashboard.image_summary.counts
    region = valid_region(path, cache=False)
    inside = region.contains(dashboard.catalog.ra, dashboard.catalog.dec)
    np.testing.assert_array_equal(counts.imaged, inside)
    primary = dashboard.catalog.primary
    in_data = int((counts.in_msa & inside & primary).sum())
    assert number(dashboard, "previs-primary-imaged") == str(in_data)
    usable = place_sources(dashboard.plan.nirspec, dashboard.catalog.ra, dashboard.catalog.dec)
    headline = int((usable.usable & inside & primary).sum())
    assert number(dashboard, "previs-primary-usable-imaged") == str(headline)


def test_an_image_far_from_the_msa_reads_zero_with_a_note(dashboard, tmp_path):
    dashboard.load_image(write_image(tmp_path / "far.fits", invalid_columns=0))
    plan = dashboard.plan
    dashboard.plan = plan.replace(nirspec=Pointing(plan.nirspec.ra + 1.0, plan.nirspec.dec, 45.0))
    dashboard.coverage_source.set_mode("image")
    assert dashboard.coverage_source.mode == "image"
    assert dashboard.image_summary.coverage.covered == 0.0
    assert number(dashboard, "previs-image-covered") == format_percent(0.0)
    assert "do not reach the MSA" in dashboard.readout.value
    assert "⚠" not in dashboard.message


@pytest.mark.parametrize(
    "kind, words",
    [("empty", "no valid pixels"), ("weight", "weight extension")],
)
def test_an_image_that_cannot_be_traced_falls_back_to_planned(dashboard, tmp_path, kind, words):
    if kind == "empty":
        path = write_image(tmp_path / "empty.fits", invalid_columns=400)
    else:
        path = write_image(tmp_path / "weight.fits", weight_shape=(10, 20))
    dashboard.load_image(path)
    readout, plan = dashboard.readout.value, dashboard.plan
    dashboard.coverage_source.toggle.value = "image"
    assert dashboard.coverage_source.mode == "planned"
    assert words in dashboard.message and "Showing the planned coverage" in dashboard.message
    assert dashboard.readout.value == readout and dashboard.plan == plan
    assert dashboard.image_summary is None


def test_another_image_resets_the_mode(dashboard, tmp_path):
    dashboard.load_image(write_image(tmp_path / "a.fits"))
    dashboard.coverage_source.set_mode("image")
    first = dashboard.image_summary.coverage.covered
    dashboard.load_image(write_image(tmp_path / "b.fits", invalid_columns=100))
    assert dashboard.coverage_source.mode == "planned" and dashboard.image_summary is None
    dashboard.coverage_source.set_mode("image")
    assert dashboard.image_summary.coverage.covered > first
    dashboard.show_empty_sky()
    assert dashboard.coverage_source.toggle.disabled
    assert dashboard.coverage_source.mode == "planned"


# ----------------------------------------------------------------------------- shutter layer
def test_zoomed_in_the_dashboard_colours_the_targets_by_their_shutters():
    dashboard = Dashboard(schedule=False)  # the example field and catalog
    canvas, view = dashboard.canvas, dashboard.view
    canvas.draw()
    assert not view.shutters.shown
    summary = dashboard.summary
    catalog = dashboard.catalog
    inside = np.flatnonzero(summary.plan_counts.in_msa)
    x, y = view.sky_to_pixel(catalog.ra[inside[:1]], catalog.dec[inside[:1]])
    half = 10.0 / view.pixel_scale_arcsec()
    view.ax.set_xlim(x[0] - half, x[0] + half)
    view.ax.set_ylim(y[0] - half, y[0] + half)
    canvas.draw()
    layer = view.shutters
    assert layer.shown and len(layer.drawn[0]) > 100
    placement = place_sources(dashboard.plan.nirspec, catalog.ra, catalog.dec)
    expected = target_states(placement, summary.plan_counts.imaged)
    assert inside[0] in layer.target_index
    np.testing.assert_array_equal(layer.states, expected[layer.target_index])
    drawn = layer.n_prepared
    dashboard.controls.nirspec_apa.value = 46.0  # the slider moves the shutters
    canvas.draw()
    assert layer.n_prepared == drawn + 1


# ----------------------------------------------------------------------------- sessions, report
def test_a_saved_session_keeps_the_users_map_and_a_bad_one_changes_nothing(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    path = write_msaoper(tmp_path / "jwst_nirspec_msaoper_0061.json", [
        {"Q": 4, "x": 1, "y": 1, "state": "closed"},
    ])  # fmt: skip
    dashboard.msa_panel.load(path)
    saved = dashboard.save_config(tmp_path / "session.json")
    assert json.loads(saved.read_text())["msaoper"] == "jwst_nirspec_msaoper_0061.json"
    other = Dashboard(image=False, schedule=False)
    other.load_config(saved)
    assert other.operability.name.startswith("msaoper_0061")
    assert other.msa_panel.path_box.value == path
    assert number(other, "previs-operability") == other.operability.name
    # A session whose msaoper file is broken: refused whole, the map and plan kept.
    (tmp_path / "jwst_nirspec_msaoper_0061.json").write_text('{"msaoper": [{"Q": 1}]}')
    plan = other.plan.replace(nirspec=Pointing(RA, DEC, 99.0))
    config = other.config.replace(plan=plan)
    with pytest.raises(ValueError, match="msaoper: .*msaoper entry 1 has no 'x'"):
        other.apply_config(config, where="broken session")
    assert other.operability.name.startswith("msaoper_0061")
    assert other.plan.nirspec.apa != 99.0
    # Back to the bundled map: the session no longer names a file.
    other.msa_panel.use_bundled()
    assert other.config.msaoper is None


def test_an_uploaded_map_is_stored_beside_the_session(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    data = json.dumps({"msaoper": [{"Q": 3, "x": 5, "y": 6, "state": "open"}]}).encode()
    dashboard.msa_panel.load_bytes(data, "jwst_nirspec_msaoper_0078.json")
    saved = dashboard.save_config(tmp_path / "session.json")
    stored = tmp_path / json.loads(saved.read_text())["msaoper"]
    assert stored.read_bytes() == data


def test_the_report_names_the_map_and_follows_the_image(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    path = write_msaoper(tmp_path / "jwst_nirspec_msaoper_0062.json", [
        {"Q": 4, "x": 1, "y": 1, "state": "closed"},
    ])  # fmt: skip
    dashboard.msa_panel.load(path)
    dashboard.load_image(write_image(tmp_path / "half.fits"))
    report = json.loads(dashboard.save_report(tmp_path / "planned.json").read_text())
    assert report["operability"]["name"].startswith("msaoper_0062")
    assert "image" not in report
    dashboard.coverage_source.set_mode("image")
    report = json.loads(dashboard.save_report(tmp_path / "image.json").read_text())
    assert report["image"]["covered"] == pytest.approx(dashboard.image_summary.coverage.covered)
    assert report["image"]["usable"]["operability"].startswith("msaoper_0062")


def test_the_readout_shows_msata_per_bin():
    from previs.catalog.msata import MSATA_BINS, msata_for_catalog
    from previs.catalog.table import Catalog

    dashboard = Dashboard(image=False, schedule=False)
    plan = dashboard.plan
    rng = np.random.default_rng(5)
    n = 400
    ra = plan.nirspec.ra + rng.uniform(-0.03, 0.03, n) / np.cos(np.radians(DEC))
    dec = plan.nirspec.dec + rng.uniform(-0.03, 0.03, n)
    flags = np.where(rng.random(n) < 0.5, "R", "P")
    magnitudes = {"NRS_F110W": rng.uniform(19.0, 23.0, n)}
    catalog = Catalog(ra, dec, flags, source="msata.csv", magnitudes=magnitudes)
    dashboard.load_catalog(catalog)
    summary = dashboard.summary
    expected = msata_for_catalog(catalog, summary.shutters.usable, summary.plan_counts.imaged)
    assert summary.msata.bins == expected.bins
    verdict = "feasible" if expected.feasible else "not feasible"
    assert number(dashboard, "previs-msata-feasible") == verdict
    table = re.search(r"class='previs-msata'.*?</table>", dashboard.readout.value).group(0)
    cell = "<td style='padding:0 5px;text-align:right'>"
    for count in expected.bins:
        assert f"{count.bin.label}</td>{cell}{count.usable}<" in table
    assert any(count.usable for count in expected.bins)
    assert MSATA_BINS[0].label in table


def test_the_show_toggles_hide_the_target_states_of_their_kind():
    dashboard = Dashboard(schedule=False)
    canvas, view, catalog = dashboard.canvas, dashboard.view, dashboard.catalog
    x, y = view.sky_to_pixel(catalog.ra, catalog.dec)
    inside = np.flatnonzero(dashboard.counts.in_msa)
    half = 15.0 / view.pixel_scale_arcsec()
    # A 30" view holding several targets of both kinds, if the example has one.
    best = max(
        inside[catalog.primary[inside]],  # centred on a primary target
        key=lambda k: int(
            ((np.abs(x[inside] - x[k]) < half) & (np.abs(y[inside] - y[k]) < half)).sum()
        ),
    )
    view.ax.set_xlim(x[best] - half, x[best] + half)
    view.ax.set_ylim(y[best] - half, y[best] + half)
    canvas.draw()
    layer = view.shutters
    assert layer.shown and catalog.primary[layer.target_index].any()
    before = set(layer.target_index.tolist())
    dashboard.controls.show_primaries.value = False
    canvas.draw()
    after = set(layer.target_index.tolist())
    assert after == {k for k in before if not catalog.primary[k]}
    dashboard.controls.show_primaries.value = True
    canvas.draw()
    assert set(layer.target_index.tolist()) == before
