"""The shutter layer: nothing zoomed out; zoomed in, exactly the shutters in view, in the
operability map's states, and targets coloured by the states of their shutters."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba

from previs.geometry.attitude import Pointing
from previs.geometry.operability import FAILED_CLOSED, FAILED_OPEN, default_operability
from previs.geometry.projection import TangentPlane
from previs.geometry.shutter_model import N_COLUMNS, N_ROWS
from previs.geometry.shutters import place_sources
from previs.geometry.usable import open_area_corners
from previs.planning.plan import Plan, evaluate
from previs.plotting.shutter_layer import (
    MIN_PIXELS_PER_SHUTTER,
    TARGET_STATES,
    target_states,
)
from previs.plotting.sky import SkyView

RA, DEC = 53.1625, -27.7914
PIXEL_ARCSEC = 0.6
N = 1000


def tan_wcs() -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [RA, DEC]
    wcs.wcs.crpix = [(N + 1) / 2, (N + 1) / 2]
    wcs.wcs.cdelt = [-PIXEL_ARCSEC / 3600, PIXEL_ARCSEC / 3600]
    return wcs


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.centred(RA, DEC, 45.0, dither="FULL3")


@pytest.fixture
def view(plan):
    sky = SkyView()
    FigureCanvasAgg(sky.figure)
    sky.show_image(np.zeros((N, N), dtype=np.float32), tan_wcs())
    sky.update(evaluate(plan))
    sky.shutters.set_pointing(plan.nirspec, default_operability())
    return sky


@pytest.fixture(scope="module")
def all_open_area_pixels(plan):
    """Pixel corners (astropy's WCS, not previs's mapping) of every shutter's open area."""
    q, j, i = (a.ravel() + 1 for a in np.indices((4, N_ROWS, N_COLUMNS)))
    corners = open_area_corners(plan.nirspec, q, i, j)
    ra, dec = TangentPlane(plan.nirspec.ra, plan.nirspec.dec).to_sky(
        corners[..., 0], corners[..., 1]
    )
    x, y = tan_wcs().world_to_pixel(SkyCoord(ra.ravel(), dec.ravel(), unit="deg"))
    return q, i, j, np.asarray(x).reshape(-1, 4), np.asarray(y).reshape(-1, 4)


def zoom(view: SkyView, x: float, y: float, width_arcsec: float) -> None:
    half = width_arcsec / PIXEL_ARCSEC / 2
    view.ax.set_xlim(x - half, x + half)
    view.ax.set_ylim(y - half, y + half)


def msa_pixel(plan, dx_arcsec: float, dy_arcsec: float) -> tuple[float, float]:
    """Pixel of a point offset (east, north) from the NIRSpec pointing."""
    ra, dec = TangentPlane(plan.nirspec.ra, plan.nirspec.dec).to_sky(
        np.array([dx_arcsec]), np.array([dy_arcsec])
    )
    x, y = tan_wcs().world_to_pixel(SkyCoord(ra, dec, unit="deg"))
    return float(x[0]), float(y[0])


def test_zoomed_out_draws_nothing_and_computes_nothing(view):
    view.figure.canvas.draw()
    layer = view.shutters
    assert layer.pixels_per_shutter() < MIN_PIXELS_PER_SHUTTER
    assert not layer.shown and layer.n_prepared == 0
    assert len(layer.drawn[0]) == 0
    for _ in range(5):  # slider moves zoomed out: still nothing worked out
        view.figure.canvas.draw()
    assert layer.n_prepared == 0


@pytest.mark.parametrize("offset", [(30.0, 20.0), (-45.0, -50.0), (0.0, 0.0), (80.0, 80.0)])
def test_zoomed_in_draws_exactly_the_shutters_in_view(view, plan, all_open_area_pixels, offset):
    x, y = msa_pixel(plan, *offset)
    zoom(view, x, y, 25.0)
    view.figure.canvas.draw()
    layer = view.shutters
    assert layer.shown and layer.n_prepared == 1
    q, i, j, px, py = all_open_area_pixels
    (x0, x1), (y0, y1) = sorted(view.ax.get_xlim()), sorted(view.ax.get_ylim())
    inside = (
        (px.max(axis=1) >= x0)
        & (px.min(axis=1) <= x1)
        & (py.max(axis=1) >= y0)
        & (py.min(axis=1) <= y1)
    )
    expected = set(zip(q[inside], i[inside], j[inside], strict=True))
    drawn = set(zip(*(a.tolist() for a in layer.drawn), strict=True))
    assert drawn == expected
    reason = default_operability().reason[q[inside] - 1, j[inside] - 1, i[inside] - 1]
    assert len(layer.operable.get_paths()) == int((reason == 0).sum())
    assert len(layer.failed_closed.get_paths()) == int((reason == FAILED_CLOSED).sum())
    assert len(layer.failed_open.get_paths()) == int((reason == FAILED_OPEN).sum())
    if offset in ((30.0, 20.0), (-45.0, -50.0)):  # inside a quadrant: hundreds of shutters
        assert len(expected) > 300
    elif offset == (80.0, 80.0):  # across a quadrant's corner: some
        assert 10 < len(expected) < 300
    view.figure.canvas.draw()  # nothing changed: nothing worked out again
    assert layer.n_prepared == 1


def test_off_the_msa_zoomed_in_draws_no_shutter(view, plan):
    zoom(view, *msa_pixel(plan, 0.0, 170.0), 20.0)
    view.figure.canvas.draw()
    assert view.shutters.shown and len(view.shutters.drawn[0]) == 0


def test_a_failed_open_shutter_is_drawn_where_the_map_has_it(view, plan):
    q, i, j = (int(a[0]) for a in default_operability().failed_open())
    centre = open_area_corners(plan.nirspec, [q], [i], [j]).mean(axis=1)[0]
    ra, dec = TangentPlane(plan.nirspec.ra, plan.nirspec.dec).to_sky(centre[:1], centre[1:])
    x, y = tan_wcs().world_to_pixel(SkyCoord(ra, dec, unit="deg"))
    zoom(view, float(x[0]), float(y[0]), 10.0)
    view.figure.canvas.draw()
    layer = view.shutters
    drawn = set(zip(*(a.tolist() for a in layer.drawn), strict=True))
    assert (q, i, j) in drawn
    assert len(layer.failed_open.get_paths()) >= 1


def test_just_below_the_threshold_nothing_is_drawn(view, plan):
    x, y = msa_pixel(plan, 30.0, 20.0)
    zoom(view, x, y, 25.0)
    ratio = view.shutters.pixels_per_shutter() / MIN_PIXELS_PER_SHUTTER
    zoom(view, x, y, 25.0 * ratio * 1.01)
    view.figure.canvas.draw()
    assert not view.shutters.shown
    zoom(view, x, y, 25.0 * ratio * 0.99)
    view.figure.canvas.draw()
    assert view.shutters.shown


def expected_state(placement, pre_imaged) -> np.ndarray:
    """The states by a per-target loop over the placement's own fields."""
    keys = [key for key, _, _ in TARGET_STATES]
    h, k = (f / 2 for f in placement.open_fraction)
    states = []
    for n in range(len(placement)):
        if placement.quadrant[n] == 0:
            states.append("bar_or_off")
        elif not placement.operable[n]:
            states.append("failed")
        elif not pre_imaged[n]:
            states.append("not_imaged")
        elif abs(placement.offset_i[n]) > h or abs(placement.offset_j[n]) > k:
            states.append("bar_or_off")
        else:
            states.append("usable")
    return np.array([keys.index(s) for s in states])


def test_targets_are_coloured_by_the_state_of_their_shutter(view, plan):
    x, y = msa_pixel(plan, 30.0, 20.0)
    zoom(view, x, y, 25.0)
    rng = np.random.default_rng(3)
    # Targets across the view and beyond (some off the view: not drawn).
    half = 15.0 / PIXEL_ARCSEC
    px = x + rng.uniform(-half, half, 400)
    py = y + rng.uniform(-half, half, 400)
    sky = tan_wcs().pixel_to_world(px, py)
    ra, dec = sky.ra.deg, sky.dec.deg
    placement = place_sources(plan.nirspec, ra, dec)
    pre_imaged = rng.random(400) < 0.7
    view.shutters.set_targets(ra, dec, placement, pre_imaged)
    view.figure.canvas.draw()
    layer = view.shutters
    (x0, x1), (y0, y1) = sorted(view.ax.get_xlim()), sorted(view.ax.get_ylim())
    in_view = np.flatnonzero((px >= x0) & (px <= x1) & (py >= y0) & (py <= y1))
    np.testing.assert_array_equal(layer.target_index, in_view)
    expected = expected_state(placement, pre_imaged)[in_view]
    np.testing.assert_array_equal(layer.states, expected)
    assert len(set(expected.tolist())) >= 3  # the view mixes states
    palette = np.array([to_rgba(colour) for _, _, colour in TARGET_STATES])
    np.testing.assert_allclose(layer.targets.get_facecolors(), palette[expected])
    np.testing.assert_allclose(layer.targets.get_offsets(), np.column_stack([px, py])[in_view])


def test_target_states_needs_one_flag_per_target(plan):
    placement = place_sources(plan.nirspec, [RA], [DEC])
    with pytest.raises(ValueError, match="2 flags for 1 targets"):
        target_states(placement, [True, False])


def test_the_layer_follows_the_nirspec_apa(view, plan):
    x, y = msa_pixel(plan, 30.0, 20.0)
    zoom(view, x, y, 25.0)
    view.figure.canvas.draw()
    before = set(zip(*(a.tolist() for a in view.shutters.drawn), strict=True))
    turned = plan.replace(nirspec=Pointing(RA, DEC, 46.0))
    view.shutters.set_pointing(turned.nirspec, default_operability())
    view.figure.canvas.draw()
    after = set(zip(*(a.tolist() for a in view.shutters.drawn), strict=True))
    assert view.shutters.n_prepared == 2 and before != after


def test_hidden_layer_draws_nothing(view, plan):
    zoom(view, *msa_pixel(plan, 30.0, 20.0), 25.0)
    view.shutters.set_visible(False)
    view.figure.canvas.draw()
    assert view.shutters.n_prepared == 0


def test_zooming_out_and_back_draws_the_same_shutters_again(view, plan):
    x, y = msa_pixel(plan, 30.0, 20.0)
    zoom(view, x, y, 25.0)
    view.figure.canvas.draw()
    first = set(zip(*(a.tolist() for a in view.shutters.drawn), strict=True))
    zoom(view, x, y, 600.0)
    view.figure.canvas.draw()
    assert not view.shutters.shown and len(view.shutters.drawn[0]) == 0
    zoom(view, x, y, 25.0)
    view.figure.canvas.draw()
    assert view.shutters.shown
    assert set(zip(*(a.tolist() for a in view.shutters.drawn), strict=True)) == first


def test_new_pre_imaging_flags_recolour_the_targets(view, plan):
    x, y = msa_pixel(plan, 30.0, 20.0)
    zoom(view, x, y, 25.0)
    rng = np.random.default_rng(8)
    half = 12.0 / PIXEL_ARCSEC
    sky = tan_wcs().pixel_to_world(
        x + rng.uniform(-half, half, 50), y + rng.uniform(-half, half, 50)
    )
    ra, dec = sky.ra.deg, sky.dec.deg
    placement = place_sources(plan.nirspec, ra, dec)
    seen = []
    for flags in (np.ones(50, bool), np.zeros(50, bool)):  # same size, same dtype
        view.shutters.set_targets(ra, dec, placement, flags)
        view.figure.canvas.draw()
        expected = expected_state(placement, flags)[view.shutters.target_index]
        np.testing.assert_array_equal(view.shutters.states, expected)
        seen.append(view.shutters.states.copy())
    assert (seen[0] != seen[1]).any()
