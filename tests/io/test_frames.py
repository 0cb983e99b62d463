"""Images in other celestial frames: one ICRS <-> pixel mapping, checked against astropy.

Real images and headers shipped with astropy's own tests (DSS and M13 in FK5
J2000, an HST SCI extension with SIP, an MSX Galactic header, a ROSAT header),
plus FK4 B1950 and ecliptic headers written here. The independent reference is
astropy's high-level ``WCS.world_to_pixel`` of an ICRS ``SkyCoord``, which
converts frames itself.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import astropy
import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import FK4, SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

from previs.errors import ImageError
from previs.io.images import load_image
from previs.io.sky_mapping import SkyMapping

ASTROPY = Path(astropy.__file__).parent
REAL_FILES = {
    "dss-fk5": ASTROPY / "wcs/tests/data/dss.14.29.56-62.41.05.fits.gz",
    "m13-fk5": ASTROPY / "io/fits/hdu/compressed/tests/data/m13.fits",
}
HEADERS = {
    "msx-galactic": ASTROPY / "visualization/wcsaxes/tests/data/msx_header",
    "rosat": ASTROPY / "visualization/wcsaxes/tests/data/rosat_header",
    "2mass": ASTROPY / "visualization/wcsaxes/tests/data/2MASS_k_header",
}


def _header_wcs(path: Path) -> WCS:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WCS(fits.Header.fromtextfile(path)).celestial


def _fk4_wcs() -> WCS:
    """NGC 1316-like: an FK4 B1950 TAN image (its numbers are B1950, not ICRS)."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.radesys = "FK4"
    wcs.wcs.equinox = 1950.0
    wcs.wcs.crval = [50.165, -37.38]
    wcs.wcs.crpix = [250.0, 250.0]
    wcs.wcs.cdelt = [-1.0 / 3600, 1.0 / 3600]
    wcs.wcs.set()
    return wcs


def _ecliptic_wcs() -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["ELON-TAN", "ELAT-TAN"]
    wcs.wcs.crval = [30.0, -45.0]
    wcs.wcs.crpix = [100.0, 100.0]
    wcs.wcs.cdelt = [-1.0 / 3600, 1.0 / 3600]
    wcs.wcs.set()
    return wcs


def _all_wcs():
    cases = {}
    for name, path in REAL_FILES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases[name] = WCS(fits.getheader(path)).celestial
    for name, path in HEADERS.items():
        cases[name] = _header_wcs(path)
    cases["fk4-b1950"] = _fk4_wcs()
    cases["ecliptic"] = _ecliptic_wcs()
    return cases


CASES = _all_wcs()


@pytest.mark.parametrize("name", sorted(CASES))
def test_mapping_matches_astropy_high_level_conversion(name):
    wcs = CASES[name]
    mapping = SkyMapping(wcs)
    ny, nx = (wcs.pixel_shape or (200, 200))[::-1]
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, nx - 1, 50), rng.uniform(0, ny - 1, 50)
    ra, dec = mapping.pixel_to_sky(x, y)
    expected = wcs.pixel_to_world(x, y).icrs
    on_sky = np.isfinite(expected.ra.deg)  # an all-sky projection has pixels off the sphere
    assert on_sky.sum() > 10 and np.array_equal(np.isfinite(ra), on_sky), name
    ra, dec, expected, x, y = ra[on_sky], dec[on_sky], expected[on_sky], x[on_sky], y[on_sky]
    separation = SkyCoord(ra, dec, unit="deg").separation(expected).to_value(u.mas)
    assert np.max(separation) < 0.01, name  # 10 micro-arcsec
    px, py = mapping.sky_to_pixel(expected.ra.deg, expected.dec.deg)
    ex, ey = wcs.world_to_pixel(expected)
    assert np.max(np.hypot(px - ex, py - ey)) < 1e-5, name


def test_fk5_images_are_not_icrs_by_15_to_31_mas():
    """Taking ICRS numbers as FK5 J2000 would put the overlay tens of mas off."""
    for name in ("dss-fk5", "m13-fk5"):
        wcs = CASES[name]
        mapping = SkyMapping(wcs)
        assert mapping.frame_name == "fk5"
        lon, lat = wcs.wcs.crval
        ra, dec = mapping.frame_to_icrs(lon, lat)
        offset = SkyCoord(ra, dec, unit="deg").separation(SkyCoord(lon, lat, unit="deg"))
        assert 10 < offset.to_value(u.mas) < 40, name


def test_fk4_and_galactic_are_far_from_icrs_and_labelled():
    fk4 = SkyMapping(CASES["fk4-b1950"])
    assert fk4.frame_name == "fk4" and fk4.axis_labels[0] == "RA (FK4 B1950.000)"
    ra, dec = fk4.frame_to_icrs(*CASES["fk4-b1950"].wcs.crval)
    truth = SkyCoord(50.165, -37.38, unit="deg", frame=FK4(equinox="B1950")).icrs
    assert SkyCoord(ra, dec, unit="deg").separation(truth).to_value(u.mas) < 0.01
    assert (
        SkyCoord(ra, dec, unit="deg")
        .separation(SkyCoord(50.165, -37.38, unit="deg"))
        .to_value(u.arcmin)
        > 10
    )
    galactic = SkyMapping(CASES["msx-galactic"])
    assert galactic.frame_name == "galactic" and not galactic.is_equatorial
    assert galactic.axis_labels == ("Galactic longitude l", "Galactic latitude b")


def _write_image(path: Path, wcs: WCS, shape=(60, 80), **extra) -> Path:
    header = wcs.to_header()
    for key, value in extra.items():
        header[key] = value
    fits.PrimaryHDU(np.ones(shape, dtype=np.float32), header).writeto(path, overwrite=True)
    return path


def test_dashboard_recentres_on_the_icrs_position_of_an_fk4_image(tmp_path):
    pytest.importorskip("ipywidgets")
    from previs.dashboard.app import Dashboard

    wcs = _fk4_wcs()
    wcs.wcs.crpix = [40.5, 30.5]
    path = _write_image(tmp_path / "b1950.fits", wcs)
    dashboard = Dashboard(image=path, catalog=False, schedule=False)
    centre = SkyCoord(*wcs.pixel_to_world_values(39.5, 29.5), unit="deg", frame=FK4()).icrs
    nirspec = dashboard.plan.nirspec
    offset = SkyCoord(nirspec.ra, nirspec.dec, unit="deg").separation(centre).to_value(u.mas)
    assert offset < 1.0  # the plan holds ICRS numbers, not B1950 ones
    x, y = dashboard.view.sky_to_pixel(nirspec.ra, nirspec.dec)
    assert (float(x), float(y)) == pytest.approx((39.5, 29.5), abs=1e-6)


def test_a_string_crval_is_named(tmp_path):
    header = fits.Header(
        {"CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN", "CRVAL1": "abc", "CRVAL2": -27.0,
         "CDELT1": -1e-4, "CDELT2": 1e-4, "CRPIX1": 5.0, "CRPIX2": 5.0}
    )  # fmt: skip
    path = tmp_path / "bad.fits"
    fits.PrimaryHDU(np.ones((10, 10), dtype=np.float32), header).writeto(path)
    with pytest.raises(ImageError, match="CRVAL1 = 'abc' is not a number"):
        load_image(path)


def test_a_wcs_without_celestial_axes_names_the_axes_found(tmp_path):
    header = fits.Header(
        {"CTYPE1": "WAVE", "CTYPE2": "TIME", "CRVAL1": 1.0, "CRVAL2": 2.0,
         "CDELT1": 1.0, "CDELT2": 1.0, "CRPIX1": 1.0, "CRPIX2": 1.0}
    )  # fmt: skip
    path = tmp_path / "spectral.fits"
    fits.PrimaryHDU(np.ones((10, 10), dtype=np.float32), header).writeto(path)
    with pytest.raises(ImageError, match="axes found: 'WAVE', 'TIME'"):
        load_image(path)
