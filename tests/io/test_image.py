"""Tests of previs.io.images: finding the image HDU, error messages, block averaging, exact WCS."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS, DistortionLookupTable

from previs.io import images as image_module
from previs.io.block_wcs import reduced_wcs
from previs.io.images import (
    ImageError,
    SkyImage,
    display_limits,
    empty_sky_wcs,
    load_image,
)

MAS_PER_DEG = 3.6e6


def tan_wcs(shape=(60, 80), rotation_deg=17.0, scale_arcsec=0.06, sip=False) -> WCS:
    """A rotated TAN WCS (optionally with SIP) near GOODS-S for an image of `shape` (ny, nx)."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN-SIP", "DEC--TAN-SIP"] if sip else ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [53.16, -27.79]
    wcs.wcs.crpix = [shape[1] / 2 + 0.3, shape[0] / 2 - 0.7]
    c, s = np.cos(np.radians(rotation_deg)), np.sin(np.radians(rotation_deg))
    scale = scale_arcsec / 3600.0
    wcs.wcs.cd = scale * np.array([[-c, s], [s, c]])
    wcs.wcs.radesys = "ICRS"
    wcs.wcs.set()
    return wcs


def sip_header(shape) -> fits.Header:
    header = tan_wcs(shape, sip=True).to_header(relax=True)
    for key, value in {
        "A_ORDER": 3,
        "B_ORDER": 3,
        "A_2_0": 2e-5,
        "A_1_1": -3e-6,
        "A_0_2": 4e-6,
        "A_3_0": 5e-8,
        "B_0_2": 3e-5,
        "B_1_1": 2e-6,
        "B_1_2": -4e-8,
    }.items():
        header[key] = value
    return header


def sky_separation_mas(ra1, dec1, ra2, dec2) -> np.ndarray:
    dra = (np.asarray(ra1) - np.asarray(ra2) + 180.0) % 360.0 - 180.0
    return np.hypot(dra * np.cos(np.radians(dec1)), np.asarray(dec1) - dec2) * MAS_PER_DEG


def write(path, *hdus) -> str:
    fits.HDUList(list(hdus)).writeto(path)
    return str(path)


def padded_nanmean(data: np.ndarray, block: int) -> np.ndarray:
    """Independent NaN-aware block mean: pad with NaN to whole blocks, reshape, nanmean."""
    ny, nx = data.shape
    my, mx = -(-ny // block), -(-nx // block)
    padded = np.full((my * block, mx * block), np.nan)
    padded[:ny, :nx] = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks give NaN
        return np.nanmean(padded.reshape(my, block, mx, block), axis=(1, 3))


# ------------------------------------------------------------------ finding the image


def test_hst_like_file_uses_sci_extension(tmp_path):
    shape = (60, 80)
    data = np.arange(shape[0] * shape[1], dtype=np.float32).reshape(shape)
    wcs = tan_wcs(shape)
    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "HST"
    path = write(
        tmp_path / "hst_drz.fits",
        primary,
        fits.ImageHDU(data, wcs.to_header(), name="SCI"),
        fits.ImageHDU(np.ones(shape, np.float32), wcs.to_header(), name="WHT"),
    )
    image = load_image(path)
    assert (image.hdu, image.hdu_name, image.block) == (1, "SCI", 1)
    assert image.full_shape == shape and image.shape == shape
    assert image.data.dtype == np.float32
    np.testing.assert_array_equal(image.data, data)
    y, x = np.mgrid[0 : shape[0] : 7, 0 : shape[1] : 9]
    np.testing.assert_allclose(image.wcs.wcs_pix2world(x, y, 0), wcs.wcs_pix2world(x, y, 0))
    assert image.source == path


def test_primary_image_with_wcs_and_bunit(tmp_path):
    shape = (30, 40)
    data = np.random.default_rng(1).normal(size=shape).astype(">f8")
    header = tan_wcs(shape).to_header()
    header["BUNIT"] = "MJy/sr"
    image = load_image(write(tmp_path / "p.fits", fits.PrimaryHDU(data, header)))
    assert (image.hdu, image.hdu_name, image.bunit) == (0, "PRIMARY", "MJy/sr")
    np.testing.assert_allclose(image.data, data.astype(np.float32))


def test_nans_are_kept_and_limits_finite(tmp_path):
    shape = (40, 50)
    data = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    data[:10, :] = np.nan
    data[20, 30] = np.nan
    image = load_image(
        write(tmp_path / "n.fits", fits.PrimaryHDU(data, tan_wcs(shape).to_header()))
    )
    np.testing.assert_array_equal(np.isnan(image.data), np.isnan(data))
    assert np.all(np.isfinite(image.limits))
    assert image.limits == display_limits(data)


def test_degenerate_axes_are_squeezed(tmp_path):
    shape = (30, 40)
    plane = np.random.default_rng(3).normal(size=shape).astype(np.float32)
    header = tan_wcs(shape).to_header()
    header["CTYPE3"], header["CRVAL3"], header["CDELT3"], header["CRPIX3"] = "FREQ", 1e9, 1e6, 1
    header["CTYPE4"], header["CRVAL4"], header["CDELT4"], header["CRPIX4"] = "STOKES", 1, 1, 1
    image = load_image(write(tmp_path / "radio.fits", fits.PrimaryHDU(plane[None, None], header)))
    assert image.full_shape == shape
    np.testing.assert_array_equal(image.data, plane)
    assert image.wcs.naxis == 2
    np.testing.assert_allclose(
        image.wcs.wcs_pix2world([[3.0, 7.0]], 0), tan_wcs(shape).wcs_pix2world([[3.0, 7.0]], 0)
    )


def test_real_cube_is_rejected_naming_each_hdu(tmp_path):
    header = tan_wcs((200, 200)).to_header()
    header["CTYPE3"] = "WAVE"
    path = write(
        tmp_path / "image.fits",
        fits.PrimaryHDU(),
        fits.ImageHDU(np.zeros((10, 200, 200), np.float32), header, name="SCI"),
    )
    with pytest.raises(ImageError) as info:
        load_image(path)
    message = str(info.value)
    assert message.startswith(f"{path}: no 2-D image HDU with a celestial WCS")
    assert "HDU 0 PRIMARY: no data" in message
    assert "HDU 1 SCI: 3-D cube 10x200x200" in message
    assert "RA/Dec WCS keywords" in message


def test_image_without_wcs_is_rejected(tmp_path):
    path = write(tmp_path / "nowcs.fits", fits.PrimaryHDU(np.zeros((20, 30), np.float32)))
    with pytest.raises(ImageError, match=r"nowcs\.fits: .*HDU 0 PRIMARY: 2-D image 20x30 without"):
        load_image(path)


def test_pixel_only_wcs_and_tables_are_rejected(tmp_path):
    header = fits.Header({"CTYPE1": "LINEAR", "CTYPE2": "LINEAR"})
    table = fits.BinTableHDU.from_columns([fits.Column("ra", "D", array=[1.0])], name="CAT")
    path = write(tmp_path / "lin.fits", fits.PrimaryHDU(np.zeros((5, 6)), header), table)
    with pytest.raises(ImageError) as info:
        load_image(path)
    assert "without celestial axes" in str(info.value)
    assert "HDU 1 CAT: table" in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "[Ee]mpty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not a readable FITS file"),
        (b"SIMPLE  = this is not really fits", "not a readable FITS file"),
    ],
)
def test_bad_files_and_bytes(tmp_path, content, expected):
    path = tmp_path / "upload.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=rf"^{tmp_path}/upload\.png: .*{expected}"):
        load_image(path)
    with pytest.raises(ImageError, match=rf"^upload\.png: .*{expected}"):
        load_image(content, name="upload.png")
    with pytest.raises(ImageError, match=expected):
        load_image(io.BytesIO(content))


def test_missing_path_directory_and_wrong_type(tmp_path):
    with pytest.raises(ImageError, match=r"missing\.fits: no such file"):
        load_image(tmp_path / "missing.fits")
    with pytest.raises(ImageError, match="is a directory"):
        load_image(tmp_path)
    with pytest.raises(ImageError, match="source must be a path, bytes or a binary file"):
        load_image(3.5)
    with pytest.raises(ValueError, match="max_display_size"):
        load_image(tmp_path / "missing.fits", max_display_size=0)
    assert issubclass(ImageError, ValueError)


def test_bytes_and_file_object_match_path(tmp_path):
    shape = (64, 48)
    data = np.random.default_rng(4).normal(size=shape).astype(np.float32)
    path = write(
        tmp_path / "b.fits", fits.PrimaryHDU(), fits.ImageHDU(data, tan_wcs(shape).to_header())
    )
    raw = (tmp_path / "b.fits").read_bytes()
    by_path = load_image(path, max_display_size=20)
    by_bytes = load_image(raw, max_display_size=20, name="b.fits")
    with open(path, "rb") as handle:
        by_file = load_image(handle, max_display_size=20)
    assert by_bytes.source == "b.fits"
    for other in (by_bytes, by_file):
        np.testing.assert_array_equal(other.data, by_path.data)
        assert other.block == by_path.block == 4
        np.testing.assert_allclose(other.wcs.wcs.crpix, by_path.wcs.wcs.crpix)


def test_scaled_integer_image(tmp_path):
    shape = (20, 24)
    values = np.random.default_rng(5).integers(0, 65535, size=shape).astype(np.uint16)
    hdu = fits.PrimaryHDU(values, tan_wcs(shape).to_header())  # stored as int16 + BZERO
    path = write(tmp_path / "u16.fits", hdu)
    assert fits.getheader(path)["BZERO"] == 32768
    np.testing.assert_array_equal(load_image(path).data, values.astype(np.float32))
    image = load_image(path, max_display_size=16)
    np.testing.assert_allclose(image.data, padded_nanmean(values.astype(float), 2), rtol=1e-6)


def test_compressed_image(tmp_path):
    shape = (40, 36)
    values = np.random.default_rng(6).integers(-1000, 1000, size=shape).astype(np.int32)
    path = write(
        tmp_path / "c.fits",
        fits.PrimaryHDU(),
        fits.CompImageHDU(values, tan_wcs(shape).to_header(), name="SCI"),
    )
    image = load_image(path)
    assert image.hdu_name == "SCI"
    np.testing.assert_array_equal(image.data, values)


# ------------------------------------------------------------------- block averaging


def test_block_average_values_match_reshape_mean(tmp_path):
    shape = (120, 90)
    data = np.random.default_rng(7).normal(size=shape).astype(np.float32)
    path = write(tmp_path / "a.fits", fits.PrimaryHDU(data, tan_wcs(shape).to_header()))
    image = load_image(path, max_display_size=40)  # 120 / 40 -> block 3, divides both axes
    assert image.block == 3 and image.shape == (40, 30) and image.full_shape == shape
    direct = data.astype(np.float64).reshape(40, 3, 30, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(image.data, direct, rtol=1e-6, atol=1e-6)


def test_block_average_with_nans_partial_blocks_and_stripes(tmp_path, monkeypatch):
    shape = (103, 77)
    data = np.random.default_rng(8).normal(size=shape).astype(np.float32)
    data[:12, :12] = np.nan  # whole blocks of NaN stay NaN
    data[50:53, 40] = np.nan
    path = write(tmp_path / "s.fits", fits.PrimaryHDU(data, tan_wcs(shape).to_header()))
    whole = load_image(path, max_display_size=20)
    assert whole.block == 6 and whole.shape == (18, 13)
    expected = padded_nanmean(data.astype(np.float64), 6)
    np.testing.assert_allclose(whole.data, expected, rtol=1e-6, atol=1e-6, equal_nan=True)
    assert np.isnan(whole.data[0, 0]) and np.isnan(whole.data[1, 1])
    # Tiny stripes (one block row each) must give the same answer.
    monkeypatch.setattr(image_module, "STRIPE_BYTES", 1)
    striped = load_image(path, max_display_size=20)
    np.testing.assert_array_equal(striped.data, whole.data)


@pytest.mark.parametrize("block_size", [(40, 3), (25, 5), (10, 12)])
@pytest.mark.parametrize("sip", [False, True])
def test_block_averaged_wcs_is_exact(tmp_path, block_size, sip):
    shape = (120, 100)
    max_size, block = block_size
    header = sip_header(shape) if sip else tan_wcs(shape).to_header()
    path = write(tmp_path / "w.fits", fits.PrimaryHDU(np.zeros(shape, np.float32), header))
    original = WCS(fits.getheader(path))
    assert (original.sip is not None) == sip
    image = load_image(path, max_display_size=max_size)
    assert image.block == block
    assert image.wcs.pixel_shape == (image.shape[1], image.shape[0])
    j, i = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    ra, dec = image.wcs.all_pix2world(i, j, 0)
    # Centre of display pixel (i, j) = centre of the file block = file pixel b*i + (b-1)/2.
    centre = (block - 1) / 2.0
    ra0, dec0 = original.all_pix2world(block * i + centre, block * j + centre, 0)
    assert sky_separation_mas(ra, dec, ra0, dec0).max() < 1e-3  # well under 1 mas
    # And the inverse maps the sky back to the same display pixels.
    x, y = image.wcs.all_world2pix(ra0, dec0, 0)
    np.testing.assert_allclose(x, i, atol=1e-6)
    np.testing.assert_allclose(y, j, atol=1e-6)


def test_reduced_wcs_rescales_lookup_tables_exactly():
    wcs = tan_wcs((800, 1000))
    yy, xx = np.mgrid[0:17, 0:21]
    table1 = (0.3 * np.sin(xx / 3.0) + 0.1 * yy / 17).astype(np.float32)
    table2 = (0.2 * np.cos(yy / 4.0) * xx / 21).astype(np.float32)
    wcs.cpdis1 = DistortionLookupTable(table1, (1.0, 1.0), (1.0, 1.0), (50.0, 50.0))
    wcs.cpdis2 = DistortionLookupTable(table2, (1.0, 1.0), (1.0, 1.0), (50.0, 50.0))
    wcs.det2im1 = DistortionLookupTable(2 * table2, (1.0, 1.0), (1.0, 1.0), (50.0, 50.0))
    for block in (2, 3, 8):
        reduced = reduced_wcs(wcs, block)
        j, i = np.mgrid[0 : 800 // block : 7, 0 : 1000 // block : 9]
        ra, dec = reduced.all_pix2world(i, j, 0)
        centre = (block - 1) / 2.0
        ra0, dec0 = wcs.all_pix2world(block * i + centre, block * j + centre, 0)
        assert sky_separation_mas(ra, dec, ra0, dec0).max() < 1e-3
    with pytest.raises(ValueError, match="block must be a positive integer"):
        reduced_wcs(wcs, 0)


# --------------------------------------------------------------- limits and blank sky


def test_display_limits_are_percentiles_of_finite_pixels():
    data = np.random.default_rng(9).normal(size=(50, 60))
    data[0, :] = np.nan
    data[1, 0] = np.inf
    finite = data[np.isfinite(data)]
    lo, hi = display_limits(data, 1.0, 99.0)
    assert lo == pytest.approx(np.percentile(finite, 1.0))
    assert hi == pytest.approx(np.percentile(finite, 99.0))
    assert display_limits(np.full((4, 4), np.nan)) == (0.0, 1.0)
    lo, hi = display_limits(np.full((4, 4), 7.0))
    assert lo < 7.0 < hi
    with pytest.raises(ValueError, match="lower < upper"):
        display_limits(data, 99.0, 1.0)


def test_skyimage_computes_limits_and_scale():
    shape, wcs = empty_sky_wcs(53.0, -27.0, size_arcsec=10.0, pixel_arcsec=0.5)
    data = np.arange(400, dtype=np.float32).reshape(shape)
    image = SkyImage(data=data, wcs=wcs, source="test")
    assert image.limits == display_limits(data)
    assert image.full_shape == shape
    assert image.pixel_scale_arcsec == pytest.approx(0.5)


def test_empty_sky_wcs_is_north_up_east_left():
    ra0, dec0 = 53.1625, -27.7914
    shape, wcs = empty_sky_wcs(ra0, dec0)
    assert shape == (1200, 1200)
    assert wcs.wcs.radesys == "ICRS" and list(wcs.wcs.ctype) == ["RA---TAN", "DEC--TAN"]
    centre = (shape[1] - 1) / 2.0, (shape[0] - 1) / 2.0
    ra, dec = wcs.wcs_pix2world([centre[0]], [centre[1]], 0)
    assert sky_separation_mas(ra, dec, ra0, dec0)[0] < 1e-6
    # One pixel in +x is 0.5" towards the east negated (RA decreases); +y is north.
    ra_x, dec_x = wcs.wcs_pix2world([centre[0] + 1], [centre[1]], 0)
    ra_y, dec_y = wcs.wcs_pix2world([centre[0]], [centre[1] + 1], 0)
    assert (ra_x[0] - ra0) * np.cos(np.radians(dec0)) * 3600 == pytest.approx(-0.5, rel=1e-6)
    assert dec_x[0] == pytest.approx(dec0, abs=1e-9)
    assert (dec_y[0] - dec0) * 3600 == pytest.approx(0.5, rel=1e-6)
    assert ra_y[0] == pytest.approx(ra0, abs=1e-9)
    assert empty_sky_wcs(10.0, 0.0, size_arcsec=300, pixel_arcsec=0.7)[0] == (429, 429)
    for bad in ({"dec": 91.0}, {"size_arcsec": -1.0}, {"pixel_arcsec": 0.0}):
        arguments = {"ra": 10.0, "dec": 0.0, **bad}
        with pytest.raises(ValueError, match="empty_sky_wcs"):
            empty_sky_wcs(**arguments)


def _dec_first_fits(path, shape=(120, 90)):
    """A FITS image whose first WCS axis is Dec (CTYPE1 = DEC--TAN)."""
    header = fits.Header()
    header["CTYPE1"], header["CTYPE2"] = "DEC--TAN", "RA---TAN"
    header["CRVAL1"], header["CRVAL2"] = -27.79, 53.16
    header["CRPIX1"], header["CRPIX2"] = 45.5, 60.5
    header["CD1_1"], header["CD1_2"] = 0.0, 0.1 / 3600
    header["CD2_1"], header["CD2_2"] = -0.1 / 3600, 0.0
    data = np.arange(shape[0] * shape[1], dtype=np.float32).reshape(shape)
    fits.PrimaryHDU(data, header=header).writeto(path)
    return data, WCS(header)


def test_an_image_with_dec_on_its_first_axis_is_shown_with_ra_along_x(tmp_path):
    data, file_wcs = _dec_first_fits(tmp_path / "decfirst.fits")
    sky = load_image(tmp_path / "decfirst.fits")
    assert sky.transposed and sky.data.shape == data.T.shape
    assert sky.wcs.wcs.lng == 0
    np.testing.assert_array_equal(sky.data, data.T)
    # display pixel (x, y) is file pixel (y, x): the same sky position
    ra, dec = (float(v) for v in sky.wcs.pixel_to_world_values(10.0, 70.0))
    file_dec, file_ra = (float(v) for v in file_wcs.pixel_to_world_values(70.0, 10.0))
    assert (ra, dec) == pytest.approx((file_ra, file_dec), abs=1e-10)
    assert 53.1 < ra < 53.2 and -27.9 < dec < -27.7


def test_display_limits_are_the_percentiles_numpy_gives():
    """astropy's AsymmetricPercentileInterval gives numpy's percentiles of the finite pixels."""
    from previs.io.images import display_limits

    rng = np.random.default_rng(3)
    data = rng.normal(10.0, 2.0, (400, 500))
    data[::7, ::3] = np.nan
    finite = data[np.isfinite(data)]
    assert display_limits(data) == pytest.approx(tuple(np.percentile(finite, [0.5, 99.7])))
    assert display_limits(np.full((5, 5), np.nan)) == (0.0, 1.0)
    low, high = display_limits(np.ones((4, 4)))
    assert low < 1.0 < high


def test_display_copies_are_cached_exactly_and_refreshed_when_the_file_changes(
    tmp_path, monkeypatch
):
    """A large image's display copy is read from the cache: same pixels, same sky (SIP
    included), same file pixels for exports; a changed file is reduced again."""
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(2)
    data = rng.normal(size=(900, 700)).astype(np.float32)
    data[10:40, 5:50] = np.nan
    path = write(tmp_path / "big.fits", fits.PrimaryHDU(data, sip_header(data.shape)))
    fresh = load_image(path, max_display_size=300, cache=False)
    first = load_image(path, max_display_size=300)
    cached = load_image(path, max_display_size=300)
    assert list((tmp_path / "cache" / "display").glob("*.fits")) and fresh.block == 3
    for image in (first, cached):
        assert np.array_equal(image.data, fresh.data, equal_nan=True)
        assert image.limits == fresh.limits and image.block == fresh.block
        assert (image.full_shape, image.hdu, image.source) == (
            fresh.full_shape, fresh.hdu, fresh.source,
        )  # fmt: skip
        yy, xx = np.mgrid[0:300:37, 0:234:29]
        ra, dec = image.wcs.all_pix2world(xx, yy, 0)
        ra0, dec0 = fresh.wcs.all_pix2world(xx, yy, 0)
        assert sky_separation_mas(ra, dec, ra0, dec0).max() < 1e-6
    data[:] = 5.0
    write_over = fits.PrimaryHDU(data, sip_header(data.shape))
    write_over.writeto(path, overwrite=True)
    os.utime(path, ns=(1, 10**18))  # a different mtime whatever the clock's resolution
    assert np.nanmax(load_image(path, max_display_size=300).data) == pytest.approx(5.0)


def test_an_unwritable_cache_does_not_stop_the_image(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(blocked))
    data = np.ones((600, 400), dtype=np.float32)
    path = write(tmp_path / "img.fits", fits.PrimaryHDU(data, tan_wcs(data.shape).to_header()))
    assert load_image(path, max_display_size=200).block == 3
