"""SkyView: artists drawn where the image WCS puts the core's footprints, moved in place."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from matplotlib.backends.backend_agg import FigureCanvasAgg

from previs.geometry.attitude import Pointing
from previs.geometry.patterns import Mosaic
from previs.planning.plan import Plan, evaluate
from previs.plotting.sky import SkyView

RA, DEC = 53.1625, -27.7914
PIXEL_ARCSEC = 0.6


def tan_wcs(ra=RA, dec=DEC, n=1000, pixel_arcsec=PIXEL_ARCSEC, rotation_deg=0.0, flip=False):
    """A TAN WCS written independently of previs.io.images (east left unless ``flip``)."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(n + 1) / 2, (n + 1) / 2]
    scale = pixel_arcsec / 3600.0
    theta = np.deg2rad(rotation_deg)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    wcs.wcs.cd = rot @ np.diag([scale if flip else -scale, scale])
    return wcs


@pytest.fixture
def view():
    sky = SkyView()
    FigureCanvasAgg(sky.figure)
    data = np.random.default_rng(0).normal(size=(1000, 1000)).astype(np.float32)
    sky.show_image(data, tan_wcs())
    return sky


@pytest.fixture
def result():
    return evaluate(Plan.centred(RA, DEC, 45.0, dither="FULL3"))


def world_to_pixel(wcs, ra, dec):
    x, y = wcs.world_to_pixel(SkyCoord(np.ravel(ra), np.ravel(dec), unit="deg"))
    return np.column_stack([x, y])


def test_quadrants_and_detectors_sit_where_astropy_puts_their_corners(view, result):
    view.update(result)
    artists = view.artists
    wcs = tan_wcs()
    names = list(result.nirspec.names)
    for q, patch in enumerate(artists["quadrants"]):
        i = names.index(f"NRS_FULL_MSA{q + 1}")
        expected = world_to_pixel(wcs, result.nirspec.ra[i], result.nirspec.dec[i])
        np.testing.assert_allclose(patch.get_xy()[:4], expected, atol=1e-6)
        label = artists["quadrant_labels"][q]
        assert label.get_text() == f"Q{q + 1}"
        assert shapely.Polygon(expected).contains(shapely.Point(label.get_position()))
    paths = artists["nircam"].get_paths()
    assert len(paths) == len(result.nircam.names) == 3 * 8
    for path, ra, dec in zip(paths, result.nircam.ra, result.nircam.dec, strict=True):
        np.testing.assert_allclose(path.vertices[:4], world_to_pixel(wcs, ra, dec), atol=1e-6)
    assert len(artists["ifu_slits"].get_paths()) == len(names) - 4


@pytest.mark.parametrize("dither", ["FULL3", "NONE"])
def test_uncovered_shading_has_the_uncovered_area(view, dither):
    result = evaluate(Plan.centred(RA, DEC, 45.0, dither=dither))
    if dither == "NONE":  # covered detector islands are holes of the uncovered area
        assert sum(len(p.interiors) for p in shapely.get_parts(result.coverage.uncovered)) >= 2
    view.update(result)
    path = view.artists["uncovered"].get_path()
    # Area of the filled path from its polygons (non-zero rule: exteriors positive, holes negative).
    area_pixels = 0.0
    for polygon in path.to_polygons(closed_only=False):
        x, y = polygon[:, 0], polygon[:, 1]
        area_pixels += 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    expected_arcsec2 = (1.0 - result.coverage.covered) * result.coverage.msa_area
    assert expected_arcsec2 > 1000.0  # this plan leaves a good part of the MSA uncovered
    assert area_pixels * PIXEL_ARCSEC**2 == pytest.approx(expected_arcsec2, rel=2e-3)


def test_update_moves_the_same_artists_and_never_redraws_the_image(view, result):
    view.update(result)
    before = view.artists
    image = view.image_artist
    images = list(view.ax.images)
    rotated = evaluate(result.plan.replace(nirspec=Pointing(RA, DEC, 120.0)))
    view.update(rotated)
    after = view.artists
    for key, artist in before.items():
        if isinstance(artist, list):
            assert all(a is b for a, b in zip(artist, after[key], strict=True))
        else:
            assert artist is after[key]
    assert view.image_artist is image and list(view.ax.images) == images
    assert view.n_image_draws == 1
    i = list(rotated.nirspec.names).index("NRS_FULL_MSA1")
    expected = world_to_pixel(tan_wcs(), rotated.nirspec.ra[i], rotated.nirspec.dec[i])
    np.testing.assert_allclose(before["quadrants"][0].get_xy()[:4], expected, atol=1e-6)
    view.figure.canvas.draw()


def test_fully_covered_msa_leaves_an_empty_shading(view):
    # With APT's tile layout a FULL6 2x2 leaves a ~1 arcsec^2 sliver at this APA; 3x2 does not.
    result = evaluate(Plan.centred(RA, DEC, 45.0, dither="FULL6", mosaic=Mosaic(3, 2)))
    assert result.coverage.uncovered.is_empty
    view.update(result)
    assert len(view.artists["uncovered"].get_path().vertices) <= 1
    view.figure.canvas.draw()


@pytest.mark.parametrize("rotation, flip", [(0.0, False), (30.0, False), (-70.0, True)])
def test_compass_points_north_and_east(rotation, flip):
    sky = SkyView()
    sky.show_image(None, tan_wcs(rotation_deg=rotation, flip=flip), shape=(800, 800))
    north, east = sky.compass_directions(400.0, 400.0)
    wcs = tan_wcs(rotation_deg=rotation, flip=flip)
    # Independent: pixel positions of points 30" north and 30" east of the centre.
    centre = wcs.pixel_to_world(400.0, 400.0)
    for direction, offset in ((north, (0.0, 30.0)), (east, (30.0, 0.0))):
        moved = centre.spherical_offsets_by(
            offset[0] * 1 / 3600 * centre.ra.unit, offset[1] * 1 / 3600 * centre.dec.unit
        )
        x, y = wcs.world_to_pixel(moved)
        expected = np.array([x - 400.0, y - 400.0])
        np.testing.assert_allclose(direction, expected / np.hypot(*expected), atol=1e-4)
    assert sky.scale_bar_pixels == pytest.approx(60.0 / PIXEL_ARCSEC)


@pytest.mark.parametrize("dec", [89.99999, -89.99999, 89.9, 0.0])
@pytest.mark.parametrize("rotation, flip", [(0.0, False), (50.0, True)])
def test_compass_points_north_and_east_up_to_the_poles(dec, rotation, flip):
    wcs = tan_wcs(ra=120.0, dec=dec, rotation_deg=rotation, flip=flip)
    sky = SkyView()
    sky.show_image(None, wcs, shape=(1000, 1000))
    north, east = sky.compass_directions(499.5, 499.5)  # the reference pixel
    # Independent: at the reference pixel, pixel offsets are CD^-1 (east, north) in degrees.
    inverse = np.linalg.inv(wcs.wcs.cd)
    for direction, sky_step in ((north, (0.0, 1.0)), (east, (1.0, 0.0))):
        expected = inverse @ np.array(sky_step)
        np.testing.assert_allclose(direction, expected / np.hypot(*expected), atol=1e-4)


def test_empty_grid_catalog_and_visibility():
    sky = SkyView()
    FigureCanvasAgg(sky.figure)
    sky.show_image(None, tan_wcs(), shape=(1000, 1000))
    assert sky.image_artist is None
    sky.update(evaluate(Plan.centred(RA, DEC, 10.0)))
    sky.set_catalog([RA, RA + 0.01], [DEC, DEC])
    offsets = sky.artists["primaries"].get_offsets()
    np.testing.assert_allclose(
        offsets, world_to_pixel(tan_wcs(), [RA, RA + 0.01], [DEC, DEC]), atol=1e-6
    )
    assert len(sky.artists["fillers"].get_offsets()) == 0  # no flags: all primary
    sky.set_visible(nircam=False, uncovered=False)
    assert not sky.artists["nircam"].get_visible()
    assert not sky.artists["uncovered"].get_visible()
    assert sky.artists["ifu_slits"].get_visible()
    # A new image rebuilds the axes and keeps the overlay, catalog and visibility.
    sky.show_image(np.ones((500, 500), np.float32), tan_wcs(n=500, pixel_arcsec=1.2))
    assert len(sky.artists["primaries"].get_offsets()) == 2
    assert not sky.artists["nircam"].get_visible()
    assert len(sky.artists["nircam"].get_paths()) == 8
    sky.set_catalog([], [])
    assert len(sky.artists["primaries"].get_offsets()) == 0
    sky.figure.canvas.draw()


def test_catalog_kinds_and_at_risk_rings(view):
    rng = np.random.default_rng(7)
    ra = RA + rng.uniform(-0.05, 0.05, 40)
    dec = DEC + rng.uniform(-0.05, 0.05, 40)
    primary = rng.random(40) < 0.3
    at_risk = rng.random(40) < 0.4
    view.set_catalog(ra, dec, primary)
    expected = world_to_pixel(tan_wcs(), ra, dec)
    np.testing.assert_allclose(view.artists["primaries"].get_offsets(), expected[primary])
    np.testing.assert_allclose(view.artists["fillers"].get_offsets(), expected[~primary])
    labels = [text.get_text() for text in view.ax.get_legend().get_texts()]
    assert "primary targets" in labels and "fillers" in labels
    view.set_at_risk(at_risk)
    np.testing.assert_allclose(view.artists["at_risk"].get_offsets(), expected[at_risk])
    view.set_visible(primaries=False)
    assert not view.artists["primaries"].get_visible()
    np.testing.assert_allclose(view.artists["at_risk"].get_offsets(), expected[at_risk & ~primary])
    # A new image re-projects the catalog and keeps the rings and toggles.
    wcs2 = tan_wcs(n=500, pixel_arcsec=1.2, rotation_deg=20.0)
    view.show_image(np.ones((500, 500), np.float32), wcs2)
    np.testing.assert_allclose(
        view.artists["at_risk"].get_offsets(),
        world_to_pixel(wcs2, ra, dec)[at_risk & ~primary],
        atol=1e-6,
    )
    assert not view.artists["primaries"].get_visible()
    with pytest.raises(ValueError, match="flags"):
        view.set_at_risk(at_risk[:3])
    view.set_catalog([], [])
    assert len(view.artists["at_risk"].get_offsets()) == 0
    assert "fillers" not in [t.get_text() for t in view.ax.get_legend().get_texts()]
    view.figure.canvas.draw()


def test_pixel_sky_round_trip_and_bounds(view):
    ra, dec = view.pixel_to_sky(123.0, 456.0)
    expected = tan_wcs().pixel_to_world(123.0, 456.0)
    assert ra == pytest.approx(expected.ra.deg, abs=1e-10)
    assert dec == pytest.approx(expected.dec.deg, abs=1e-10)
    assert view.contains_pixel(0, 0) and not view.contains_pixel(-1, 10)


def test_show_image_without_data_needs_a_shape():
    with pytest.raises(ValueError, match="shape"):
        SkyView().show_image(None, tan_wcs())


def rendered(figure) -> np.ndarray:
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def blit_view(blit: bool) -> SkyView:
    sky = SkyView(blit=blit)
    FigureCanvasAgg(sky.figure)
    data = np.random.default_rng(0).normal(size=(600, 600)).astype(np.float32)
    sky.show_image(data, tan_wcs(n=600))
    sky.set_catalog([RA, RA + 0.01, RA - 0.02], [DEC, DEC + 0.01, DEC], [True, False, True])
    return sky


def test_blitting_draws_the_same_frame_as_a_full_draw(result):
    sky = blit_view(blit=True)
    assert sky.refresh() == "draw"  # nothing cached yet: a full redraw is requested
    sky.update(result)
    sky.figure.canvas.draw()
    assert sky.can_blit()
    full_draws = sky.n_full_draws
    first = rendered(sky.figure)
    rotated = evaluate(result.plan.replace(nirspec=Pointing(RA, DEC, 140.0)))
    sky.update(rotated)
    sky.set_at_risk([True, True, False])
    assert sky.refresh() == "blit" and sky.n_blits == 1 and sky.n_full_draws == full_draws
    blitted = rendered(sky.figure)
    assert (blitted != first).any(axis=-1).mean() > 0.01  # the overlay moved
    sky.figure.canvas.draw()  # a full draw of the same state gives the same pixels
    np.testing.assert_array_equal(rendered(sky.figure), blitted)

    # Against a view that never blits: only where overlay and grid lines cross may differ
    # (the blitted overlay lies above the grid).
    plain = blit_view(blit=False)
    plain.update(rotated)
    plain.set_at_risk([True, True, False])
    plain.figure.canvas.draw()
    differ = np.abs(rendered(plain.figure).astype(int) - blitted.astype(int)).max(axis=-1) > 40
    assert differ.mean() < 0.003

    # Saving draws the animated overlay like a normal draw.
    import io

    saved = []
    for view in (sky, plain):
        buffer = io.BytesIO()
        view.figure.savefig(buffer, format="png", dpi=50)
        saved.append(buffer.getvalue())
    assert saved[0] == saved[1]


def test_blitting_falls_back_to_a_full_draw(result):
    sky = blit_view(blit=True)
    sky.update(result)
    sky.figure.canvas.draw()
    assert sky.refresh() == "blit"
    sky.ax.set_xlim(100, 400)  # zoom
    assert sky.refresh() == "draw"
    sky.figure.canvas.draw()
    assert sky.refresh() == "blit"
    sky.figure.set_size_inches(5.0, 5.0)  # resize
    assert sky.refresh() == "draw"
    sky.figure.canvas.draw()
    assert sky.refresh() == "blit"
    sky.set_catalog([], [])  # the legend (static) changes
    assert sky.refresh() == "draw"
    sky.figure.canvas.draw()
    sky.show_image(None, tan_wcs(), shape=(800, 800))  # new image
    assert sky.refresh() == "draw"
    assert not SkyView(blit=False).can_blit()
