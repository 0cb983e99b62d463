"""The sky side of the zoomed-in shutter search: ranges of (i, j) and open-area corners."""

from __future__ import annotations

import numpy as np

from previs.geometry.attitude import Pointing
from previs.geometry.projection import TangentPlane
from previs.geometry.shutters import open_area_sky, place_sources, shutter_ranges
from previs.geometry.usable import open_area_corners

NIRSPEC = Pointing(53.1625, -27.7914, 45.0)


def test_open_area_corners_on_the_sky_are_those_of_the_tangent_plane():
    i, j = np.array([1, 100, 365]), np.array([1, 85, 171])
    ra, dec = open_area_sky(NIRSPEC, 3, i, j)
    x, y = TangentPlane(NIRSPEC.ra, NIRSPEC.dec).to_plane(ra, dec)
    expected = open_area_corners(NIRSPEC, np.full(3, 3), i, j)
    assert np.allclose(np.stack([x, y], axis=-1), expected, atol=1e-9)


def test_the_ranges_around_a_shutter_centre_hold_that_shutter():
    ra, dec = open_area_sky(NIRSPEC, 2, [200], [60])
    centre_ra, centre_dec = ra.mean(axis=1), dec.mean(axis=1)
    placed = place_sources(NIRSPEC, centre_ra, centre_dec)
    assert (int(placed.quadrant[0]), int(placed.i[0]), int(placed.j[0])) == (2, 200, 60)
    ranges = shutter_ranges(NIRSPEC, ra.ravel(), dec.ravel())
    held = [r for r in ranges if r[0] == 2 and r[1] <= 200 <= r[2] and r[3] <= 60 <= r[4]]
    assert held and all(r[2] - r[1] <= 12 and r[4] - r[3] <= 6 for r in ranges)
