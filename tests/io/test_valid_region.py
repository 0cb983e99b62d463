"""Valid-data footprints of FITS images against exact polygons and brute-force pixel counts."""

from __future__ import annotations

import math
import os
import time

import numpy as np
import pytest
import shapely
import shapely.affinity
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

from previs.errors import ImageError, PrevisError
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import msa_geometry
from previs.geometry.image_coverage import image_coverage
from previs.io.valid_region import (
    SKY_SIMPLIFY_ARCSEC,
    ValidRegion,
    tracing_parameters,
    valid_region,
)

RA, DEC = 53.1625, -27.7914


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path / "cache"))


def tan_wcs(shape, scale_arcsec, ra=RA, dec=DEC, rotation_deg=0.0, frame="ICRS"):
    ny, nx = shape
    wcs = WCS(naxis=2)
    if frame == "GALACTIC":
        wcs.wcs.ctype = ["GLON-TAN", "GLAT-TAN"]
    else:
        wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        wcs.wcs.radesys = frame
        if frame == "FK5":
            wcs.wcs.equinox = 2000.0
        if frame == "FK4":
            wcs.wcs.equinox = 1950.0
            wcs.wcs.dateobs = "1985-06-01"
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(nx + 1) / 2.0, (ny + 1) / 2.0]
    s = scale_arcsec / 3600.0
    c, n = math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg))
    wcs.wcs.cd = [[-s * c, s * n], [s * n, s * c]]
    wcs.wcs.set()
    return wcs


def pixel_mask(shape, polygon):
    """Pixels whose centre lies inside ``polygon`` (0-based pixel coordinates)."""
    y, x = np.indices(shape)
    return shapely.contains_xy(polygon, x.astype(float), y.astype(float))


def write(path, data, wcs, **extensions):
    hdus = [
        fits.PrimaryHDU(),
        fits.ImageHDU(data.astype(np.float32), wcs.to_header(relax=True), name="SCI"),
    ]
    for name, values in extensions.items():
        hdus.append(fits.ImageHDU(values, wcs.to_header(relax=True), name=name.upper()))
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return path


def sky_polygon_in(plane, wcs, polygon_pixels):
    """An exact pixel polygon (straight edges: the WCS is linear TAN) in a tangent plane."""
    xy = np.asarray(polygon_pixels.exterior.coords)
    world = wcs.pixel_to_world(xy[:, 0], xy[:, 1]).icrs
    x, y = plane.to_plane(world.ra.deg, world.dec.deg)
    holes = []
    for ring in polygon_pixels.interiors:
        hxy = np.asarray(ring.coords)
        hw = wcs.pixel_to_world(hxy[:, 0], hxy[:, 1]).icrs
        holes.append(np.column_stack(plane.to_plane(hw.ra.deg, hw.dec.deg)))
    return shapely.Polygon(np.column_stack([x, y]), holes)


# A turned rectangle with a triangular hole, in pixels of a 900 x 1000 image.
FIELD = shapely.Polygon(
    shapely.affinity.rotate(shapely.box(120, 150, 880, 760), 23.0).exterior.coords,
    [[(420, 380), (600, 420), (500, 560)]],
)


def test_footprint_of_a_known_polygon_and_the_msa_it_covers(tmp_path):
    shape, scale = (900, 1000), 0.3
    wcs = tan_wcs(shape, scale)
    data = np.where(pixel_mask(shape, FIELD), 1.0, np.nan)
    region = valid_region(write(tmp_path / "field.fits", data, wcs))
    assert isinstance(region, ValidRegion)
    assert region.frame == "icrs" and region.weight is None
    assert region.valid_pixels == int(np.isfinite(data).sum())
    exact = sky_polygon_in(region.plane, wcs, FIELD)
    # Pixelisation: the union of the valid pixels lies within half a pixel diagonal of FIELD.
    pixelised = region.tracing_error_arcsec + 0.71 * scale
    assert abs(region.area_arcsec2 - exact.area) <= exact.length * pixelised
    assert shapely.hausdorff_distance(region.geometry, exact) <= pixelised
    for apa in (0.0, 37.0, 151.0):
        nirspec = Pointing(RA + 20 / 3600, DEC + 40 / 3600, apa)
        msa = msa_geometry(nirspec)
        coverage = image_coverage(region, nirspec)
        exact_in_msa = sky_polygon_in(msa.plane, wcs, FIELD)
        truth = shapely.intersection(msa.union, exact_in_msa).area / msa.area
        assert 0.2 < truth < 0.95
        edge = shapely.intersection(exact_in_msa.boundary, msa.union).length
        assert abs(coverage.covered - truth) <= edge * pixelised / msa.area + 1e-9
        # The error bound uses the traced outline, a staircase up to sqrt(2) longer.
        bound = edge * region.tracing_error_arcsec / msa.area
        assert bound * 0.95 <= coverage.covered_error <= bound * math.sqrt(2) * 1.05
        for k, quadrant in enumerate(msa.quadrants, start=1):
            part = shapely.intersection(quadrant, exact_in_msa).area / quadrant.area
            assert coverage.quadrants[k] == pytest.approx(part, abs=0.01)


def brute_force_coverage(mask, wcs, nirspec, scale):
    """Covered MSA fraction counting valid pixels whose centres fall in the MSA."""
    msa = msa_geometry(nirspec)
    y, x = np.nonzero(mask)
    world = wcs.pixel_to_world(x, y).icrs
    px, py = msa.plane.to_plane(world.ra.deg, world.dec.deg)
    inside = shapely.contains_xy(msa.union, px, py)
    return inside.sum() * scale**2 / msa.area


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_masked_regions_against_a_pixel_count(tmp_path, seed):
    rng = np.random.default_rng(seed)
    shape, scale = (800, 760), 0.35
    wcs = tan_wcs(shape, scale, rotation_deg=float(rng.uniform(0, 90)))
    valid = np.ones(shape, bool)
    y, x = np.indices(shape)
    for _ in range(12):  # masked discs and stripes the test does not look at
        cx, cy, r = rng.uniform(0, 760), rng.uniform(0, 800), rng.uniform(5, 90)
        valid &= (x - cx) ** 2 + (y - cy) ** 2 > r**2
    for _ in range(3):
        a, b = sorted(rng.integers(0, 800, 2))
        valid[a : a + (b - a) // 8] = False
    valid[rng.random(shape) < 0.002] = False  # specks
    data = np.where(valid, rng.standard_normal(shape), np.nan)
    region = valid_region(write(tmp_path / f"random{seed}.fits", data, wcs))
    assert region.geometry.is_valid
    perimeter = region.geometry.length
    assert abs(region.area_arcsec2 - valid.sum() * scale**2) <= perimeter * (
        region.tracing_error_arcsec
    )
    nirspec = Pointing(RA, DEC, float(rng.uniform(0, 360)))
    coverage = image_coverage(region, nirspec)
    truth = brute_force_coverage(valid, wcs, nirspec, scale)
    msa = msa_geometry(nirspec)
    edge = shapely.intersection(region.geometry.boundary, msa.union).length
    # Counting centres errs by up to a pixel along every edge in the MSA.
    assert abs(coverage.covered - truth) <= coverage.covered_error + edge * scale / msa.area


def test_weight_extensions(tmp_path):
    shape = (300, 400)
    wcs = tan_wcs(shape, 0.5)
    data = np.ones(shape)
    wht = np.ones(shape, np.float32)
    wht[:, :100] = 0.0
    err = np.ones(shape, np.float32)
    err[200:, :] = np.nan
    both = write(tmp_path / "both.fits", data, wcs, wht=wht, err=err)
    assert valid_region(both).weight == "WHT"
    assert valid_region(both).valid_pixels == 300 * 300
    assert valid_region(both, weight="err").valid_pixels == 200 * 400
    assert valid_region(both, weight=3).valid_pixels == 200 * 400
    assert valid_region(both, weight=False).valid_pixels == 300 * 400
    only_err = write(tmp_path / "err.fits", data, wcs, err=err)
    assert valid_region(only_err).weight == "ERR"
    wrong = write(tmp_path / "wrong.fits", data, wcs, wht=np.ones((300, 401), np.float32))
    with pytest.raises(ImageError, match=r"WHT.*300 x 401.*300 x 400"):
        valid_region(wrong)
    with pytest.raises(ImageError, match="no extension named 'CTX'"):
        valid_region(both, weight="CTX")
    with pytest.raises(ImageError, match="HDU 9 does not exist"):
        valid_region(both, weight=9)
    with pytest.raises(PrevisError, match="weight must be"):
        valid_region(both, weight=2.5)


def test_no_valid_pixels_and_an_image_far_from_the_msa(tmp_path):
    shape = (200, 200)
    wcs = tan_wcs(shape, 0.5)
    blank = write(tmp_path / "blank.fits", np.full(shape, np.nan), wcs)
    with pytest.raises(ImageError, match="no valid pixels"):
        valid_region(blank)
    zero = write(tmp_path / "zero.fits", np.ones(shape), wcs, wht=np.zeros(shape, np.float32))
    with pytest.raises(ImageError, match="non-zero WHT weight"):
        valid_region(zero)
    region = valid_region(write(tmp_path / "ok.fits", np.ones(shape), wcs))
    far = image_coverage(region, Pointing(RA + 1.0, DEC, 10.0))
    assert far.covered == 0.0 and all(v == 0.0 for v in far.quadrants.values())
    assert "do not reach the MSA" in far.note and "deg from the NIRSpec pointing" in far.note
    opposite = image_coverage(region, Pointing((RA + 180) % 360, -DEC, 10.0))
    assert opposite.covered == 0.0 and opposite.note


@pytest.mark.parametrize("frame", ["FK5", "FK4", "GALACTIC"])
def test_other_sky_frames_are_converted_to_icrs(tmp_path, frame):
    shape, scale = (400, 500), 0.4
    if frame == "GALACTIC":
        centre = SkyCoord(RA, DEC, unit="deg").galactic
        lon, lat = centre.l.deg, centre.b.deg
    else:
        lon, lat = RA, DEC
    wcs = tan_wcs(shape, scale, lon, lat, rotation_deg=10.0, frame=frame)
    box = shapely.box(60, 50, 430, 350)
    valid = pixel_mask(shape, box)
    region = valid_region(write(tmp_path / f"{frame}.fits", np.where(valid, 1.0, np.nan), wcs))
    assert region.frame.startswith(frame.lower())
    # Pixel centres well inside and well outside, converted by astropy on its own.
    y, x = np.indices(shape)
    margin = (region.tracing_error_arcsec + scale) / scale
    inner = shapely.contains_xy(box.buffer(-margin), x, y)
    outer = ~shapely.contains_xy(box.buffer(margin), x, y)
    world = wcs.pixel_to_world(x, y).icrs
    inside = region.contains(world.ra.deg, world.dec.deg)
    assert inside[inner].all()
    assert not inside[outer].any()


def test_fk4_uses_the_observation_date(tmp_path):
    shape = (100, 100)
    wcs = tan_wcs(shape, 1.0, frame="FK4")
    region = valid_region(write(tmp_path / "fk4.fits", np.ones(shape), wcs))
    expected = SkyCoord(RA, DEC, unit="deg", frame="fk4", equinox="B1950", obstime="J1985.42")
    got = SkyCoord(region.plane.ra, region.plane.dec, unit="deg")
    assert got.separation(expected.icrs).arcsec < 0.05
    ignoring = SkyCoord(RA, DEC, unit="deg", frame="fk4", equinox="B1950").icrs
    assert got.separation(ignoring).arcsec > 0.1  # the date matters at this level


def test_dec_on_the_first_axis(tmp_path):
    shape = (300, 260)
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["DEC--TAN", "RA---TAN"]
    wcs.wcs.crval = [DEC, RA]
    wcs.wcs.crpix = [130.5, 150.5]
    wcs.wcs.cd = [[0.0, 0.5 / 3600], [-0.5 / 3600, 0.0]]
    wcs.wcs.set()
    valid = np.zeros(shape, bool)
    valid[50:250, 30:130] = True
    region = valid_region(write(tmp_path / "decfirst.fits", np.where(valid, 1.0, np.nan), wcs))
    y, x = np.nonzero(valid[60:240, 40:120])
    world = wcs.pixel_to_world(x + 40, y + 60)
    assert region.contains(world.ra.deg, world.dec.deg).all()
    assert region.area_arcsec2 == pytest.approx(valid.sum() * 0.25, rel=1e-3)


def test_cache_is_reused_and_invalidated(tmp_path):
    shape = (200, 300)
    path = write(tmp_path / "c.fits", np.ones(shape), tan_wcs(shape, 0.5))
    first = valid_region(path)
    assert not first.from_cache
    files = list((tmp_path / "cache" / "valid-regions").glob("c.fits-*.npz"))
    assert len(files) == 1
    second = valid_region(path)
    assert second.from_cache
    assert shapely.equals(second.geometry, first.geometry)
    assert second.to_dict() == first.to_dict()
    assert valid_region(path, weight=False).from_cache is False  # other options, other entry
    data = np.ones(shape)
    data[:, :150] = np.nan
    write(path, data, tan_wcs(shape, 0.5))
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    changed = valid_region(path)
    assert not changed.from_cache and changed.valid_pixels == 200 * 150
    for entry in (tmp_path / "cache" / "valid-regions").glob("*.npz"):
        entry.write_bytes(b"not an npz")
    again = valid_region(path)
    assert not again.from_cache and again.valid_pixels == 200 * 150
    assert not valid_region(path, cache=False).from_cache


def test_bytes_input_is_not_cached(tmp_path):
    shape = (100, 120)
    path = write(tmp_path / "b.fits", np.ones(shape), tan_wcs(shape, 0.5))
    region = valid_region(path.read_bytes(), name="upload.fits")
    assert region.source == "upload.fits" and not region.from_cache
    assert not (tmp_path / "cache").exists()


def test_tracing_parameters():
    sw = tracing_parameters(0.031)
    assert sw["block"] == 2
    assert sw["tracing_error_arcsec"] <= 0.1 + 1e-12
    assert sw["outline_error_arcsec"] == pytest.approx(
        (math.sqrt(2) + sw["simplify_pixels"]) * 0.031 + SKY_SIMPLIFY_ARCSEC
    )
    lw = tracing_parameters(0.063)
    assert lw["block"] == 1 and lw["simplify_pixels"] == 1.0
    assert lw["min_feature_area_arcsec2"] > 0  # specks of about one pixel are dropped
    coarse = tracing_parameters(0.6)
    assert coarse["block"] == 1 and coarse["tracing_error_arcsec"] <= 0.1 + 1e-12
    assert tracing_parameters(0.031, block=4)["outline_error_arcsec"] > 0.1
    with pytest.raises(PrevisError, match="tolerance_arcsec"):
        tracing_parameters(0.03, tolerance_arcsec=0)
    with pytest.raises(PrevisError, match="block"):
        tracing_parameters(0.03, block=0)


def test_distortion_bends_the_outline_on_the_sky(tmp_path):
    shape, scale = (500, 600), 0.4
    header = tan_wcs(shape, scale).to_header()
    header["CTYPE1"], header["CTYPE2"] = "RA---TAN-SIP", "DEC--TAN-SIP"
    header["A_ORDER"] = header["B_ORDER"] = 2
    header["A_2_0"], header["A_0_2"], header["B_1_1"] = 3e-5, -2e-5, 4e-5  # px: ~8 px at edges
    wcs = WCS(header)
    box = shapely.box(40, 30, 560, 470)
    valid = pixel_mask(shape, box)
    region = valid_region(write(tmp_path / "sip.fits", np.where(valid, 1.0, np.nan), wcs))
    y, x = np.indices(shape)
    margin = (region.tracing_error_arcsec + scale) / scale
    world = wcs.pixel_to_world(x, y)
    inside = region.contains(world.ra.deg, world.dec.deg)
    assert inside[shapely.contains_xy(box.buffer(-margin), x, y)].all()
    assert not inside[~shapely.contains_xy(box.buffer(margin), x, y)].any()
    # Without the distortion the outline would be off by several pixels somewhere.
    linear = WCS(tan_wcs(shape, scale).to_header())
    shifted = linear.pixel_to_world(x, y)
    assert (region.contains(shifted.ra.deg, shifted.dec.deg) != inside).sum() > 1000
