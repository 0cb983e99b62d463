"""Image pixels to ICRS and back through SkyMapping, against astropy's WCS and SkyCoord."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.coordinates import FK4, SkyCoord
from astropy.wcs import WCS

from previs.errors import ImageError
from previs.io.frames import celestial_frame, frame_label
from previs.io.sky_mapping import SkyMapping


def make_wcs(ctype, crval, radesys="", equinox=None, dateobs=""):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = list(ctype)
    wcs.wcs.crval = list(crval)
    wcs.wcs.crpix = [50.5, 40.5]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]
    if radesys:
        wcs.wcs.radesys = radesys
    if equinox is not None:
        wcs.wcs.equinox = equinox
    if dateobs:
        wcs.wcs.dateobs = dateobs
    wcs.wcs.set()
    return wcs


CASES = {
    "icrs": make_wcs(("RA---TAN", "DEC--TAN"), (10.0, -20.0), "ICRS"),
    "fk5": make_wcs(("RA---TAN", "DEC--TAN"), (10.0, -20.0), "FK5", 2000.0),
    "fk5-b1975": make_wcs(("RA---TAN", "DEC--TAN"), (10.0, -20.0), "FK5", 1975.0),
    "fk4": make_wcs(("RA---TAN", "DEC--TAN"), (10.0, -20.0), "FK4", 1950.0, "1979-03-01"),
    "galactic": make_wcs(("GLON-TAN", "GLAT-TAN"), (120.0, 30.0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pixel_to_icrs_and_back(name):
    wcs = CASES[name]
    x, y = np.meshgrid(np.linspace(-5, 105, 7), np.linspace(-5, 85, 5))
    mapping = SkyMapping(wcs)
    ra, dec = mapping.pixel_to_sky(x, y)
    frame = celestial_frame(wcs)
    native = wcs.pixel_to_world(x, y)
    if isinstance(frame, FK4):  # astropy's own frame has the equinox as obstime
        native = SkyCoord(native.ra, native.dec, frame=frame)
    icrs = native.icrs
    separation = SkyCoord(ra, dec, unit="deg").separation(icrs).arcsec
    assert separation.max() < 1e-6
    back_x, back_y = mapping.sky_to_pixel(ra, dec)
    assert np.allclose(back_x, x, atol=1e-6) and np.allclose(back_y, y, atol=1e-6)


def test_fk4_takes_the_observation_date():
    frame = celestial_frame(CASES["fk4"])
    assert abs(frame.obstime.jyear - 1979.16) < 0.01
    assert frame_label(CASES["fk5"]).startswith("fk5 (J2000")
    assert frame_label(CASES["galactic"]) == "galactic"


def test_unknown_frame_is_an_image_error():
    wcs = make_wcs(("XLON-TAN", "XLAT-TAN"), (0.0, 0.0))
    with pytest.raises(ImageError, match="cannot convert to ICRS"):
        celestial_frame(wcs)
