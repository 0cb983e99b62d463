"""Tests of previs.io.example_field: determinism, WCS, cache handling and the bundled catalog.

The full field (4800 x 4800) is rendered once for the whole module (about a second);
every other test uses that rendering or a stub.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

from previs.io import example_field as ef
from previs.io.images import load_image


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """The one rendering of the example field, written to a temporary cache directory."""
    cache = tmp_path_factory.mktemp("previs_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREVIS_CACHE_DIR", str(cache))
        image, header, sources = ef.render_example_field()
        ef._write_image(cache / ef.FILE_NAME, image, header)
        yield {"cache": cache, "image": image, "header": header, "sources": sources}


def read_catalog(path):
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    ra = np.array([float(row[0]) for row in rows])
    dec = np.array([float(row[1]) for row in rows])
    flags = np.array([row[2] for row in rows])
    return ra, dec, flags


def test_cached_file_is_reused_and_matches_rendering(field, monkeypatch):
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(field["cache"]))

    def must_not_render():
        raise AssertionError("a valid cached example image was rendered again")

    monkeypatch.setattr(ef, "render_example_field", must_not_render)
    path = ef.example_image_path()
    assert path == field["cache"] / ef.FILE_NAME
    with fits.open(path) as hdul:
        assert len(hdul) == 1
        data = hdul[0].data
        assert data.shape == ef.SHAPE == (4800, 4800) and data.dtype.kind == "f"
        assert data.dtype.itemsize == 4
        np.testing.assert_array_equal(data[::97, ::89], field["image"][::97, ::89])
        header = hdul[0].header
    assert header["TELESCOP"] == "previs synthetic"
    assert header["BUNIT"] == "nJy"
    assert "GOODS-S" in header["OBJECT"]
    assert header["PRVSFVER"] == ef.FIELD_VERSION
    assert any("SYNTHETIC" in str(card).upper() for card in header["COMMENT"])
    assert not list(field["cache"].glob("*.tmp"))


def test_rendering_is_deterministic(field):
    # Same seed, same source draws.
    first = ef._draw_sources(np.random.default_rng(ef.SEED))
    second = ef._draw_sources(np.random.default_rng(ef.SEED))
    for group in first:
        for key in first[group]:
            np.testing.assert_array_equal(first[group][key], second[group][key])
    # The noise is the seeded stream that follows the source draws: removing it leaves
    # only the (noiseless) sources, so the pixels in source-free sky are ~0.
    rng = np.random.default_rng(ef.SEED)
    ef._draw_sources(rng)
    noise = rng.standard_normal(ef.SHAPE, dtype=np.float32) * np.float32(ef.NOISE_SIGMA)
    residual = field["image"][::7, ::5] - noise[::7, ::5]
    assert np.median(np.abs(residual)) < 0.01 * ef.NOISE_SIGMA
    # The same header every time, and the committed catalog is what this rendering gives
    # (it was written by an earlier process, so this checks run-to-run determinism).
    assert field["header"].tostring() == ef.example_header().tostring()


def test_committed_catalog_matches_rendering(field, tmp_path):
    rewritten = ef.write_example_catalog(field["sources"], tmp_path / "cat.radec")
    assert rewritten.read_text() == ef.example_catalog_path().read_text()


def test_sky_noise_level(field):
    corner = field["image"][:600, :600].astype(np.float64)
    mad_sigma = 1.4826 * np.median(np.abs(corner - np.median(corner)))
    assert mad_sigma == pytest.approx(ef.NOISE_SIGMA, rel=0.05)


def test_wcs_centre_scale_orientation(field):
    wcs = WCS(field["header"])
    assert wcs.wcs.radesys == "ICRS"
    assert list(wcs.wcs.ctype) == ["RA---TAN", "DEC--TAN"]
    assert wcs.wcs.has_cd()
    ny, nx = ef.SHAPE
    xc, yc = (nx - 1) / 2.0, (ny - 1) / 2.0
    ra, dec = wcs.wcs_pix2world([xc, xc + 100, xc], [yc, yc, yc + 100], 0)
    centre = SkyCoord(ra[0], dec[0], unit="deg")
    assert centre.separation(SkyCoord(53.1625, -27.7914, unit="deg")).arcsec < 1e-3
    step_x = SkyCoord(ra[1], dec[1], unit="deg")
    step_y = SkyCoord(ra[2], dec[2], unit="deg")
    # 100 pixels = 10" along both axes.
    assert centre.separation(step_x).arcsec == pytest.approx(10.0, rel=1e-6)
    assert centre.separation(step_y).arcsec == pytest.approx(10.0, rel=1e-6)
    # North up (+y at position angle 0), east left (+x at position angle 270: RA decreases).
    assert centre.position_angle(step_y).deg == pytest.approx(0.0, abs=1e-4)
    assert centre.position_angle(step_x).deg == pytest.approx(270.0, abs=1e-4)
    assert ra[1] < ra[0]
    # About 8' x 8'.
    assert nx * ef.PIXEL_ARCSEC / 60 == pytest.approx(8.0)


def test_catalog_format_and_coverage():
    text = ef.example_catalog_path().read_text()
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = [line for line in lines if not line.startswith("#")]
    assert any("synthetic" in line.lower() for line in comments)
    assert any(".radec" in line for line in comments)
    assert all(re.fullmatch(r"\d+\.\d{7} -?\d+\.\d{7} [PF]", row) for row in rows)
    ra, dec, flags = read_catalog(ef.example_catalog_path())
    assert 200 <= ra.size <= 500
    assert 0.2 <= np.mean(flags == "P") <= 0.3
    # Inside the image and spread over the whole field (every cell of a 4 x 4 grid).
    x, y = ef.example_wcs().wcs_world2pix(ra, dec, 0)
    ny, nx = ef.SHAPE
    assert np.all((x >= 0) & (x <= nx - 1) & (y >= 0) & (y <= ny - 1))
    counts, _, _ = np.histogram2d(x, y, bins=4, range=[[0, nx], [0, ny]])
    assert counts.min() >= 5


def test_catalog_sources_are_visible(field):
    image = field["image"]
    sigma = ef.NOISE_SIGMA
    ra, dec, _ = read_catalog(ef.example_catalog_path())
    x, y = WCS(field["header"]).wcs_world2pix(ra, dec, 0)
    for xi, yi in zip(np.round(x).astype(int), np.round(y).astype(int), strict=True):
        peak = image[yi - 2 : yi + 3, xi - 2 : xi + 3].max()
        background = np.median(image[yi - 20 : yi + 21, xi - 20 : xi + 21])
        assert peak - background > 8 * sigma, (xi, yi, peak, background)
        # The peak is the source itself, not a neighbour: it is near the catalog position.
        box = image[yi - 6 : yi + 7, xi - 6 : xi + 7]
        dy, dx = np.unravel_index(np.argmax(box), box.shape)
        assert max(abs(dx - 6), abs(dy - 6)) <= 3, (xi, yi)


def test_load_image_of_example(field):
    image = load_image(field["cache"] / ef.FILE_NAME)
    assert image.block == 3 and image.shape == (1600, 1600)
    assert image.hdu == 0 and image.bunit == "nJy"
    direct = field["image"][:300, :300].astype(np.float64).reshape(100, 3, 100, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(image.data[:100, :100], direct, rtol=1e-5, atol=1e-5)


def test_cache_regenerates_when_missing_stale_or_corrupt(tmp_path, monkeypatch):
    calls = []

    def stub_render():
        calls.append(1)
        header = ef.example_header()
        return np.zeros((4, 4), np.float32), header, None

    monkeypatch.setattr(ef, "render_example_field", stub_render)
    cache = tmp_path / "nested" / "cache"
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(cache))
    path = ef.example_image_path()  # missing: rendered
    assert path == cache / ef.FILE_NAME and path.exists() and len(calls) == 1
    ef.example_image_path()  # valid: reused
    assert len(calls) == 1
    fits.setval(path, "PRVSFVER", value=ef.FIELD_VERSION - 1)
    ef.example_image_path()  # stale version: rendered again
    assert len(calls) == 2 and fits.getval(path, "PRVSFVER") == ef.FIELD_VERSION
    path.write_bytes(b"truncated")
    ef.example_image_path()  # corrupt: rendered again
    assert len(calls) == 3
    ef.example_image_path(regenerate=True)
    assert len(calls) == 4
    assert sorted(p.name for p in cache.iterdir()) == [ef.FILE_NAME]


def test_cache_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PREVIS_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ef.cache_dir() == tmp_path / ".cache" / "previs"
