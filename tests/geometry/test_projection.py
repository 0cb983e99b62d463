"""Tangent-plane projection and sky offsets against astropy."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS

from previs.geometry.projection import TangentPlane, offset_position, position_offset


@pytest.mark.parametrize(
    "ra, dec", [(53.1625, -27.7914), (0.001, 45.0), (359.99, -89.9), (120.0, 89.999)]
)
def test_plane_matches_an_astropy_tan_wcs(ra, dec):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [0.0, 0.0]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]  # pixel x grows to the west: minus east
    x = np.array([0.0, 120.0, -300.0, 45.5])
    y = np.array([0.0, -80.0, 210.0, 3.25])
    sky_ra, sky_dec = TangentPlane(ra, dec).to_sky(x, y)
    ref_ra, ref_dec = wcs.all_pix2world(-x, y, 1)  # 1-based pixels: CRPIX 0 is x = y = 0
    separation = SkyCoord(sky_ra, sky_dec, unit="deg").separation(
        SkyCoord(ref_ra, ref_dec, unit="deg")
    )
    assert separation.to_value(u.mas).max() < 1e-3
    back_x, back_y = TangentPlane(ra, dec).to_plane(sky_ra, sky_dec)
    np.testing.assert_allclose(back_x, x, atol=1e-6)  # arcsec: 1 micro-arcsec
    np.testing.assert_allclose(back_y, y, atol=1e-6)


def test_offsets_go_east_and_north_and_back():
    ra, dec = offset_position(53.0, -27.0, 36.0, 0.0)
    assert ra > 53.0 and dec == pytest.approx(-27.0, abs=1e-4)
    start = SkyCoord(53.0, -27.0, unit="deg")
    assert start.separation(SkyCoord(ra, dec, unit="deg")).arcsec == pytest.approx(36.0, rel=1e-6)
    assert start.position_angle(SkyCoord(ra, dec, unit="deg")).deg == pytest.approx(90.0, abs=1e-3)
    east, north = position_offset(53.0, -27.0, *offset_position(53.0, -27.0, -12.5, 40.0))
    assert (east, north) == pytest.approx((-12.5, 40.0), abs=1e-9)


def test_positions_beyond_the_hemisphere_are_refused():
    with pytest.raises(ValueError, match="90 degrees"):
        TangentPlane(0.0, 0.0).to_plane(180.0, 0.0)


@pytest.mark.parametrize("n_points", [5, 17, 1001])
def test_equal_points_map_to_equal_points_wherever_they_sit(n_points):
    """A closed ring must stay closed after a transfer between planes (bit for bit)."""
    rng = np.random.default_rng(n_points)
    coords = rng.uniform(-300, 300, size=(n_points, 2))
    coords[-1] = coords[0]
    out = TangentPlane(53.1, -27.8).transfer_to(TangentPlane(53.12, -27.77))(coords)
    assert out[0, 0] == out[-1, 0] and out[0, 1] == out[-1, 1]
