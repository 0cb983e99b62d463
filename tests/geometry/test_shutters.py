"""Shutter lookup against pysiaf's tables, a brute-force nearest-shutter search and pysiaf's
attitude."""

from __future__ import annotations

import numpy as np
import pytest

from previs.geometry.attitude import Pointing, attitude_matrix, sky_to_tel, tel_to_sky
from previs.geometry.operability import OperabilityMap, default_operability
from previs.geometry.shutter_model import msa_shutters
from previs.geometry.shutters import nirspec_attitude, place_sources, place_v2v3
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture


@pytest.fixture(scope="module")
def centres(msa_tables):
    """All tabulated centres: quadrant, I, J, V2, V3 (arcsec), sorted by V2."""
    q = np.concatenate([np.full(len(msa_tables[k]["I"]), k) for k in range(1, 5)])
    i = np.concatenate([msa_tables[k]["I"] for k in range(1, 5)])
    j = np.concatenate([msa_tables[k]["J"] for k in range(1, 5)])
    v2 = np.concatenate([msa_tables[k]["V2"] for k in range(1, 5)])
    v3 = np.concatenate([msa_tables[k]["V3"] for k in range(1, 5)])
    order = np.argsort(v2)
    return q[order], i[order], j[order], v2[order], v3[order]


def brute_force_nearest(centres, v2, v3, reach=1.5):
    """Index and distance of the nearest tabulated centre within ``reach`` arcsec (else -1, inf)."""
    _, _, _, c2, c3 = centres
    lo = np.searchsorted(c2, v2 - reach)
    hi = np.searchsorted(c2, v2 + reach)
    index = np.full(len(v2), -1)
    distance = np.full(len(v2), np.inf)
    for k in range(len(v2)):
        d = np.hypot(c2[lo[k] : hi[k]] - v2[k], c3[lo[k] : hi[k]] - v3[k])
        if len(d):
            best = int(np.argmin(d))
            index[k], distance[k] = lo[k] + best, d[best]
    return index, distance


POINTINGS = [
    Pointing(53.1625, -27.7914, 45.0),
    Pointing(359.99, 0.01, 300.0),
    Pointing(150.0, 89.95, 123.4),
    Pointing(10.0, -89.99, 0.0),
]


@pytest.mark.parametrize("pointing", POINTINGS)
def test_sky_to_tel_inverts_tel_to_sky(pointing):
    matrix = nirspec_attitude(pointing)
    rng = np.random.default_rng(0)
    v2 = rng.uniform(200, 560, 500)
    v3 = rng.uniform(-600, -250, 500)
    ra, dec = tel_to_sky(matrix, v2, v3)
    back2, back3 = sky_to_tel(matrix, ra, dec)
    np.testing.assert_allclose(back2, v2, atol=1e-7)
    np.testing.assert_allclose(back3, v3, atol=1e-7)


@pytest.mark.parametrize("pointing", POINTINGS[:3])
def test_sky_to_tel_matches_pysiaf(pysiaf, pointing):
    from pysiaf.utils import rotations

    ref = get_aperture(NIRSPEC_REFERENCE)
    v3pa = pointing.apa - ref.v3_idl_yang
    theirs = rotations.attitude(ref.v2_ref, ref.v3_ref, pointing.ra, pointing.dec, v3pa)
    ours = attitude_matrix(ref.v2_ref, ref.v3_ref, pointing.ra, pointing.dec, v3pa)
    ra = pointing.ra + np.array([0.0, 0.02, -0.03])
    dec = np.clip(pointing.dec + np.array([0.0, -0.01, 0.02]), -90, 90)
    v2, v3 = sky_to_tel(ours, ra, dec)
    for k in range(3):
        expected = rotations.getv2v3(theirs, ra[k], dec[k])
        assert v2[k] == pytest.approx(expected[0], abs=1e-6)
        assert v3[k] == pytest.approx(expected[1], abs=1e-6)


def test_every_tabulated_centre_lands_in_its_shutter(msa_tables):
    for q, table in msa_tables.items():
        placed = place_v2v3(table["V2"], table["V3"])
        assert np.all(placed.quadrant == q)
        np.testing.assert_array_equal(placed.i, table["I"])
        np.testing.assert_array_equal(placed.j, table["J"])
        assert np.abs(placed.offset_i).max() < 1e-3 and np.abs(placed.offset_j).max() < 1e-3
        assert not placed.on_bar.any()


def test_lookup_agrees_with_brute_force_nearest_centre(centres):
    rng = np.random.default_rng(12)
    v2 = rng.uniform(220, 540, 6000)
    v3 = rng.uniform(-590, -270, 6000)
    placed = place_v2v3(v2, v3)
    index, distance = brute_force_nearest(centres, v2, v3)
    cq, ci, cj, c2, c3 = centres
    on = placed.on_msa
    assert 0.3 < on.mean() < 0.9
    # Off the MSA: farther than half the smallest pitch from every centre; and conversely.
    assert np.all(distance[~on] > 0.13)
    assert np.all(on[distance < 0.13])
    inner = on & (np.abs(placed.offset_i) < 0.45) & (np.abs(placed.offset_j) < 0.45)
    k = index[inner]
    np.testing.assert_array_equal(placed.quadrant[inner], cq[k])
    np.testing.assert_array_equal(placed.i[inner], ci[k])
    np.testing.assert_array_equal(placed.j[inner], cj[k])
    # Near cell edges the Euclidean nearest centre may be a neighbour (the grid is skewed
    # by up to 0.9 deg): the assigned centre is then as near, within 10 mas.
    edge = on & ~inner
    for q in range(1, 5):
        sel = edge & (placed.quadrant == q)
        a2, a3 = msa_shutters().quadrant(q).to_v2v3(placed.i[sel], placed.j[sel])
        assigned_distance = np.hypot(a2 - v2[sel], a3 - v3[sel])
        assert np.all(assigned_distance - distance[sel] < 0.01)
    assert edge.sum() > 100


def test_failed_open_distance_matches_brute_force(msa_tables):
    operability = default_operability()
    q, i, j = operability.failed_open()
    f2 = np.empty(len(q))
    f3 = np.empty(len(q))
    for k in range(len(q)):
        table = msa_tables[int(q[k])]
        row = (table["I"] == i[k]) & (table["J"] == j[k])
        f2[k], f3[k] = table["V2"][row][0], table["V3"][row][0]
    rng = np.random.default_rng(5)
    # Points around every failed-open shutter and between pairs of them, plus anywhere.
    near2 = np.repeat(f2, 200) + rng.normal(0, 4, 200 * len(q))
    near3 = np.repeat(f3, 200) + rng.normal(0, 4, 200 * len(q))
    a, b = rng.integers(0, len(q), (2, 2000))
    t = rng.uniform(0, 1, 2000)
    mid2 = f2[a] * t + f2[b] * (1 - t)
    mid3 = f3[a] * t + f3[b] * (1 - t)
    v2 = np.concatenate([near2, mid2, rng.uniform(220, 540, 3000)])
    v3 = np.concatenate([near3, mid3, rng.uniform(-590, -270, 3000)])
    placed = place_v2v3(v2, v3, operability)
    expected = np.hypot(v2[:, None] - f2, v3[:, None] - f3).min(axis=1)
    on = placed.on_msa
    np.testing.assert_allclose(placed.failed_open_distance[on], expected[on], atol=1e-3)
    assert np.isnan(placed.failed_open_distance[~on]).all()
    at_zero = placed.failed_open_distance[on] < 0.1  # inside the failed-open shutter's cell
    assert at_zero.any()  # some points sit in a failed-open shutter
    assert not placed.operable[on][at_zero].any()


def test_offsets_and_bars():
    shutters = msa_shutters()
    half_i, half_j = (f / 2 for f in shutters.open_fraction)
    offsets = np.array(
        [[0.0, 0.0], [0.3, 0.3], [half_i + 0.01, 0.0], [0.0, -(half_j + 0.01)], [-0.49, 0.49]]
    )
    on_bar = np.array([False, False, True, True, True])
    model = shutters.quadrant(2)
    v2, v3 = model.to_v2v3(200 + offsets[:, 0], 100 + offsets[:, 1])
    placed = place_v2v3(v2, v3)
    assert np.all(placed.quadrant == 2) and np.all(placed.i == 200) and np.all(placed.j == 100)
    np.testing.assert_allclose(placed.offset_i, offsets[:, 0], atol=1e-5)
    np.testing.assert_allclose(placed.offset_j, offsets[:, 1], atol=1e-5)
    np.testing.assert_array_equal(placed.on_bar, on_bar)


def _degrees(angle):
    return angle.to_value("deg") if hasattr(angle, "to_value") else np.asarray(angle)


def test_sources_on_the_sky_land_on_known_shutters(pysiaf, msa_tables):
    """Sky positions of tabulated centres made with pysiaf's own attitude."""
    from pysiaf.utils import rotations

    pointing = Pointing(214.9, 52.9, 267.3)
    ref = get_aperture(NIRSPEC_REFERENCE)
    attitude = rotations.attitude(
        ref.v2_ref, ref.v3_ref, pointing.ra, pointing.dec, pointing.apa - ref.v3_idl_yang
    )
    rng = np.random.default_rng(8)
    for q, table in msa_tables.items():
        pick = rng.choice(len(table["I"]), 50, replace=False)
        ra, dec = rotations.tel_to_sky(attitude, table["V2"][pick], table["V3"][pick])
        placed = place_sources(pointing, _degrees(ra), _degrees(dec))
        assert np.all(placed.quadrant == q)
        np.testing.assert_array_equal(placed.i, table["I"][pick])
        np.testing.assert_array_equal(placed.j, table["J"][pick])


def test_off_the_msa_is_null_not_an_error():
    pointing = Pointing(53.1625, -27.7914, 45.0)
    placed = place_sources(pointing, [233.0, 53.1625, 0.0], [27.0, -27.7914, 90.0])
    # The pointing itself (NRS_FULL_MSA reference point) lies between the quadrants.
    assert list(placed.quadrant) == [0, 0, 0]
    assert np.isnan(placed.offset_i).all() and not placed.operable.any()
    assert placed.records()[0] == {
        "quadrant": None,
        "i": None,
        "j": None,
        "operable": None,
        "offset_i": None,
        "offset_j": None,
        "on_bar": None,
        "failed_open_distance": None,
    }
    assert len(place_v2v3([], [])) == 0
    far = place_v2v3([np.nan, 400.0, -1e6, 1e6], [-400.0, np.nan, -400.0, 1e6])
    assert list(far.quadrant) == [0, 0, 0, 0]


def test_custom_operability_map_is_used_and_named():
    reason = np.zeros((4, 171, 365), dtype=np.int8)
    reason[0, 49, 99] = 1
    custom = OperabilityMap("test map", reason, {})
    model = msa_shutters().quadrant(1)
    v2, v3 = model.to_v2v3(np.array([100.0, 101.0]), np.array([50.0, 50.0]))
    placed = place_v2v3(v2, v3, custom)
    assert list(placed.operable) == [False, True]
    assert placed.operability == "test map"
    assert np.isnan(placed.failed_open_distance).all()  # this map has no failed-open shutter
    record = placed.records()[1]
    assert record["quadrant"] == 1 and record["i"] == 101 and record["j"] == 50
    assert record["operable"] is True and record["failed_open_distance"] is None
