"""Pointing validation and the attitude matrix against pysiaf."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord

from previs.geometry.attitude import Pointing, attitude_matrix, tel_to_sky, v3pa_from_apa
from previs.geometry.siaf import get_aperture


@pytest.mark.parametrize(
    "args",
    [
        (378.5, -428.4, 53.1, -27.8, 120.3),
        (0.0, 0.0, 359.9, 89.99, 10.0),
        (-2.0, -492.9, 0.0, -90.0, 270.0),
        (120.0, -300.0, 180.0, 0.0, 359.0),
    ],
)
def test_attitude_matrix_matches_pysiaf(pysiaf, args):
    from pysiaf.utils.rotations import attitude

    np.testing.assert_allclose(attitude_matrix(*args), attitude(*args), atol=1e-14)


def test_reference_point_lands_on_target_with_ideal_y_at_apa():
    aperture = get_aperture("NRS_FULL_MSA")
    for ra, dec, apa in [(53.16, -27.79, 45.0), (210.0, 60.0, 300.0), (10.0, -80.0, 170.0)]:
        matrix = attitude_matrix(
            aperture.v2_ref, aperture.v3_ref, ra, dec, v3pa_from_apa(apa, aperture.v3_idl_yang)
        )
        v2, v3 = aperture.idl_to_tel(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
        ra_s, dec_s = tel_to_sky(matrix, v2, v3)
        centre = SkyCoord(ra_s[0], dec_s[0], unit="deg")
        assert centre.separation(SkyCoord(ra, dec, unit="deg")).to_value(u.mas) < 1e-3
        up = SkyCoord(ra_s[1], dec_s[1], unit="deg")
        assert centre.position_angle(up).to_value(u.deg) == pytest.approx(apa, abs=1e-3)


def test_pointing_wraps_and_validates():
    assert Pointing(-0.5, 10, 370).ra == pytest.approx(359.5)
    assert Pointing(-0.5, 10, 370).apa == pytest.approx(10.0)
    assert Pointing(0, 90, 0).dec == 90
    for bad in [
        (0, 95, 0),
        (0, -90.001, 0),
        ("x", 0, 0),
        (0, float("nan"), 0),
        (0, 0, float("inf")),
    ]:
        with pytest.raises(ValueError):
            Pointing(*bad)
    with pytest.raises(ValueError, match="Dec"):
        Pointing(10, 95, 0)


def test_wrapping_never_gives_360():
    from previs.geometry.angles import wrap_degrees

    pointing = Pointing(-1e-15, 0.0, -1e-15)
    assert pointing.ra == 0.0 and pointing.apa == 0.0
    np.testing.assert_array_equal(wrap_degrees(np.array([-1e-15, 360.0, -30.0])), [0.0, 0.0, 330.0])
