"""A plan with several NIRSpec pointings (an APT MOS observation) in the dashboard's MSA parts:
the shutter layer draws every pointing's shutters in view with the targets' states over all of
them, and coverage from an image is given per pointing and together."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely
from test_msa_dashboard import path_area, write_image

from previs.catalog.summary import combine_placements
from previs.dashboard.app import Dashboard
from previs.dashboard.text import format_percent
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import union_msa_geometry
from previs.geometry.image_coverage import image_coverage
from previs.geometry.projection import TangentPlane
from previs.geometry.shutters import place_sources
from previs.io.valid_region import valid_region
from previs.plotting.shutter_layer import target_states

#: A second MSA pointing 40" east of the first (the MSA is about 3.6' across).
SHIFT_ARCSEC = 40.0


def second_pointing(first: Pointing) -> Pointing:
    ra, dec = TangentPlane(first.ra, first.dec).to_sky(np.array([SHIFT_ARCSEC]), np.array([0.0]))
    return Pointing(float(ra[0]), float(dec[0]), first.apa)


def zoom_on(dashboard: Dashboard, ra: float, dec: float, width_arcsec: float = 20.0) -> None:
    view = dashboard.view
    x, y = view.sky_to_pixel(np.array([ra]), np.array([dec]))
    half = width_arcsec / 2 / view.pixel_scale_arcsec()
    view.ax.set_xlim(x[0] - half, x[0] + half)
    view.ax.set_ylim(y[0] - half, y[0] + half)
    dashboard.canvas.draw()


def test_zoomed_in_the_layer_draws_every_pointings_shutters():
    dashboard = Dashboard(schedule=False)  # the example field and catalog
    first = dashboard.plan.nirspec
    second = second_pointing(first)
    dashboard.set_plan(dashboard.plan.replace(extra_nirspec=(second,)))
    layer = dashboard.view.shutters
    # The MSA's east edge as the first pointing has it: beyond it only the second's shutters.
    msa_east = TangentPlane(first.ra, first.dec)
    corners = union_msa_geometry((second,)).quadrant_corners  # in the second's plane
    east_x = float(corners[..., 0].max()) - 5.0  # 5" inside the second MSA's east edge
    ra, dec = TangentPlane(second.ra, second.dec).to_sky(np.array([east_x]), np.array([0.0]))
    first_x, _ = msa_east.to_plane(ra, dec)
    assert first_x[0] > float(union_msa_geometry((first,)).quadrant_corners[..., 0].max())
    zoom_on(dashboard, float(ra[0]), float(dec[0]))
    assert layer.shown and len(layer.drawn[0]) > 100
    assert set(layer.drawn_pointing.tolist()) == {1}
    # Where both MSAs lie, both pointings' shutters are drawn.
    both = union_msa_geometry((first, second))  # 4 quadrants each, in the first's plane
    shapes = shapely.polygons(both.quadrant_corners)
    point = shapely.intersection(shapes[0], shapes[4]).representative_point()
    ra, dec = both.plane.to_sky(np.array([point.x]), np.array([point.y]))
    zoom_on(dashboard, float(ra[0]), float(dec[0]))
    assert set(layer.drawn_pointing.tolist()) == {0, 1}
    assert len(layer.drawn[0]) == len(layer.drawn_pointing)


def test_the_target_states_come_from_every_pointing():
    dashboard = Dashboard(schedule=False)
    first = dashboard.plan.nirspec
    second = second_pointing(first)
    dashboard.set_plan(dashboard.plan.replace(extra_nirspec=(second,)))
    summary, catalog = dashboard.summary, dashboard.catalog
    combined = combine_placements(
        tuple(place_sources(p, catalog.ra, catalog.dec) for p in (first, second))
    )
    expected = target_states(combined, summary.plan_counts.imaged)
    # A target in a usable shutter of the second pointing only, zoomed on.
    only_second = np.flatnonzero(
        ~place_sources(first, catalog.ra, catalog.dec).usable
        & place_sources(second, catalog.ra, catalog.dec).usable
    )
    assert len(only_second)
    zoom_on(dashboard, catalog.ra[only_second[0]], catalog.dec[only_second[0]])
    layer = dashboard.view.shutters
    assert only_second[0] in layer.target_index
    np.testing.assert_array_equal(layer.states, expected[layer.target_index])


def number(dashboard: Dashboard, css_class: str) -> list[str]:
    return re.findall(rf"class='{css_class}'[^>]*>([^<]+)<", dashboard.readout.value)


def test_coverage_from_an_image_per_pointing_and_together(tmp_path):
    dashboard = Dashboard(image=False, schedule=False)
    path = write_image(tmp_path / "half.fits", n=600, invalid_columns=300)
    dashboard.load_image(path)
    first = dashboard.plan.nirspec
    second = second_pointing(first)
    dashboard.set_plan(dashboard.plan.replace(extra_nirspec=(second,)))
    dashboard.coverage_source.set_mode("image")
    region = valid_region(path, cache=False)
    image = dashboard.image_summary
    each = [image_coverage(region, p).covered for p in (first, second)]
    assert each[0] != pytest.approx(each[1], abs=1e-3)
    assert [c.covered for c in image.pointing_coverages] == pytest.approx(each, abs=1e-12)
    union = union_msa_geometry((first, second))
    together = shapely.intersection(union.union, region.in_plane(union.plane)).area
    assert image.coverage.covered == pytest.approx(together / union.area, abs=1e-9)
    assert number(dashboard, "previs-image-covered") == [format_percent(image.coverage.covered)]
    assert number(dashboard, "previs-pointing-covered") == [format_percent(c) for c in each]
    assert number(dashboard, "previs-pointings-together") == [
        format_percent(image.coverage.covered)
    ]
    # The shading: MSA minus the valid data at every pointing (1" pixels).
    uncovered = shapely.difference(union.union, region.in_plane(union.plane)).area
    shading = dashboard.view.artists["uncovered"].get_path()
    assert path_area(shading) == pytest.approx(uncovered, rel=3e-3)


def test_the_caption_and_the_report_say_whose_coverage_they_show(tmp_path):
    from previs.dashboard.caption import figure_caption
    from previs.io.report_render import report_markdown

    dashboard = Dashboard(image=False, schedule=False)
    path = write_image(tmp_path / "half.fits", n=600, invalid_columns=300)
    dashboard.load_image(path)
    planned = figure_caption(dashboard.summary, dashboard.image_summary)
    assert "valid data" not in planned
    assert format_percent(dashboard.result.coverage.covered) in planned
    first = dashboard.plan.nirspec
    dashboard.set_plan(dashboard.plan.replace(extra_nirspec=(second_pointing(first),)))
    dashboard.coverage_source.set_mode("image")
    image = dashboard.image_summary
    caption = figure_caption(dashboard.summary, image)
    covered = format_percent(image.coverage.covered)
    assert f"MSA covered {covered} by the valid data of half.fits" in caption
    assert "not the planned NIRCam; 2 NIRSpec pointings together" in caption
    assert format_percent(dashboard.result.coverage.covered) not in caption.split("·")[2]
    # The saved figure is drawn with that caption.
    shown = []
    view = dashboard.view
    original = view.captioned

    def spy(text):
        shown.append(text)
        return original(text)

    view.captioned = spy
    dashboard.save_figure(tmp_path / "image.png")
    assert shown == [caption]
    # The report: the image's coverage together beside the planned together, and each's.
    report = json.loads(dashboard.save_report(tmp_path / "report.json").read_text())
    block = report["image"]
    assert block["covered"] == pytest.approx(image.coverage.covered, abs=1e-12)
    assert [p["covered"] for p in block["pointings"]] == pytest.approx(
        [c.covered for c in image.pointing_coverages], abs=1e-12
    )
    text = report_markdown(report)
    assert "2 NIRSpec pointings together" in text
    planned_together = format_percent(report["coverage"][dashboard.plan.channel]["covered"])
    assert f"| covered | {planned_together} | {covered} |" in text.replace("  ", " ")
    for k, c in enumerate(image.pointing_coverages, start=1):
        assert f"| P{k} covered |" in text and format_percent(c.covered) in text


def test_the_worst_case_turns_every_pointing_in_both_modes(tmp_path):
    """With an allowed APA range the readout's worst case is of both pointings together,
    turned as one pattern: against the plan, and the image swept by the union of the MSAs
    placed at each APA (computed here with shapely)."""
    from previs.planning.nirspec_pattern import NirspecPattern
    from previs.planning.plan import evaluate

    dashboard = Dashboard(image=False, schedule=False)
    path = write_image(tmp_path / "half.fits", n=600, invalid_columns=300)
    dashboard.load_image(path)
    first = dashboard.plan.nirspec
    plan = dashboard.plan.replace(
        extra_nirspec=(second_pointing(first),), nirspec_apa_range=(first.apa - 10, first.apa + 10)
    )
    dashboard.set_plan(plan)
    plan = dashboard.plan
    worst = evaluate(plan).worst_case
    assert number(dashboard, "previs-worst-case") == [format_percent(worst.min)]
    assert "all 2 NIRSpec pointings together" in dashboard.readout.value

    dashboard.coverage_source.set_mode("image")
    image = dashboard.image_summary.worst_case
    region = valid_region(path, cache=False)
    pattern = NirspecPattern(plan.nirspec, plan.extra_nirspec)
    for k in (0, len(image.apas) // 2, int(np.argmin(image.covered))):
        at = Pointing(first.ra, first.dec, float(image.apas[k]))
        union = union_msa_geometry((at, *pattern.place(at)))
        inside = shapely.intersection(union.union, region.in_plane(union.plane)).area
        assert image.covered[k] == pytest.approx(inside / union.area, abs=1e-6)
    assert number(dashboard, "previs-worst-case") == [format_percent(image.min)]
    assert "all 2 NIRSpec pointings together" in dashboard.readout.value
    # Turning the NIRSpec APA turns the pattern: the worst case stays.
    dashboard.controls.nirspec_apa.value = first.apa + 5
    assert dashboard.image_summary.worst_case is image
