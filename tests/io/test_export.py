"""DS9 regions (round trips through ``regions``, sky and pixels) and figure files."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS
from regions import PointSkyRegion, PolygonPixelRegion, PolygonSkyRegion, Regions

from previs.catalog import Catalog, read_catalog
from previs.catalog.sources import count_sources
from previs.geometry.patterns import Mosaic
from previs.io.example_field import example_catalog_path
from previs.io.figures import save_figure
from previs.io.regions import plan_regions, write_regions
from previs.planning.plan import Plan, evaluate

matplotlib.use("Agg")

PLAN = Plan.centred(53.1625, -27.7914, 45.0, dither="FULL3", mosaic=Mosaic(2, 1))


@pytest.fixture(scope="module")
def result():
    return evaluate(PLAN)


def _tan_wcs(ra, dec, scale_arcsec=0.1, size=8000):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [size / 2 + 0.5, size / 2 - 3.25]
    wcs.wcs.cd = np.array([[-np.cos(0.3), np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]]) * (
        scale_arcsec / 3600.0
    )
    wcs.pixel_shape = (size, size)
    return wcs


def _numbers(footprint) -> list[list[str]]:
    """APT's tile and dither tags of every outline ([] where the footprint has none)."""
    if footprint.tiles is None:
        return [[] for _ in footprint.names]
    return [
        [f"tile={t}", f"dither={d}"]
        for t, d in zip(footprint.tiles, footprint.dithers, strict=True)
    ]


def _outlines(result):
    footprints = (result.nirspec, result.nircam)
    names = [name for f in footprints for name in f.names]
    exposures = [int(e) for f in footprints for e in f.exposures]
    numbers = [tags for f in footprints for tags in _numbers(f)]
    instruments = [f.instrument for f in footprints for _ in f.names]
    ra = np.concatenate([f.ra for f in footprints])
    dec = np.concatenate([f.dec for f in footprints])
    return names, exposures, instruments, ra, dec, numbers


def test_sky_round_trip(tmp_path, result):
    path = write_regions(tmp_path / "plan.reg", result)
    back = Regions.read(str(path), format="ds9")
    names, exposures, instruments, ra, dec, numbers = _outlines(result)
    assert len(back) == len(names) == 10 + 6 * 8
    for k, region in enumerate(back):
        assert isinstance(region, PolygonSkyRegion)
        expected_tags = [names[k], f"exposure={exposures[k]}", *numbers[k], instruments[k]]
        assert region.meta["tag"] == expected_tags
        expected = SkyCoord(ra[k], dec[k], unit="deg")
        assert region.vertices.separation(expected).to_value("mas").max() < 1.0
    colours = {region.visual.get("color", region.visual.get("edgecolor")) for region in back}
    assert len(colours) == 2  # one per instrument


def test_pixel_round_trip_with_a_wcs(tmp_path, result):
    wcs = _tan_wcs(53.17, -27.80)
    path = write_regions(tmp_path / "pix.reg", result, image_wcs=wcs)
    text = path.read_text()
    assert "\nimage\n" in text
    back = Regions.read(str(path), format="ds9")
    _, _, _, ra, dec, _ = _outlines(result)
    x, y = wcs.world_to_pixel_values(ra, dec)
    for k, region in enumerate(back):
        assert isinstance(region, PolygonPixelRegion)
        assert np.abs(region.vertices.x - x[k]).max() < 1e-3
        assert np.abs(region.vertices.y - y[k]).max() < 1e-3
    # DS9 image coordinates are 1-based: the file holds x + 1
    first = re.search(r"polygon\(([-\d.]+),([-\d.]+)", text)
    assert float(first.group(1)) == pytest.approx(x[0, 0] + 1, abs=1e-6)
    assert float(first.group(2)) == pytest.approx(y[0, 0] + 1, abs=1e-6)


def test_pixels_of_a_block_averaged_image_are_file_pixels(tmp_path, result):
    from previs.io.images import load_image

    wcs = _tan_wcs(53.1625, -27.7914, scale_arcsec=0.25, size=1200)
    path = tmp_path / "field.fits"
    fits.PrimaryHDU(np.zeros((1200, 1200), dtype=np.float32), wcs.to_header()).writeto(path)
    image = load_image(path, max_display_size=400)
    assert image.block == 3
    back = Regions.read(str(write_regions(tmp_path / "f.reg", result, image)), format="ds9")
    _, _, _, ra, dec, _ = _outlines(result)
    x, y = wcs.world_to_pixel_values(ra, dec)
    got_x = np.array([r.vertices.x for r in back])
    got_y = np.array([r.vertices.y for r in back])
    assert np.abs(got_x - x).max() < 1e-3 and np.abs(got_y - y).max() < 1e-3


def test_catalog_points_and_at_risk_tags(tmp_path, result):
    catalog = read_catalog(example_catalog_path())
    counts = count_sources(catalog, result)
    regions = plan_regions(result, catalog, counts, include_catalog=True)
    n_outlines = len(result.nirspec) + len(result.nircam)
    assert len(regions) == n_outlines + len(catalog)
    assert len(plan_regions(result, catalog, counts)) == n_outlines  # points only on request

    path = write_regions(tmp_path / "c.reg", result, None, catalog, counts, include_catalog=True)
    points = [r for r in Regions.read(str(path), format="ds9") if isinstance(r, PointSkyRegion)]
    assert len(points) == len(catalog)
    positions = SkyCoord([p.center for p in points])
    expected = SkyCoord(catalog.ra, catalog.dec, unit="deg")
    assert positions.separation(expected).to_value("mas").max() < 1.0
    kinds = np.array([p.meta["tag"][0] for p in points])
    np.testing.assert_array_equal(kinds == "primary", catalog.primary)
    np.testing.assert_array_equal(kinds == "filler", catalog.filler)
    risky = np.array(["at_risk" in p.meta["tag"] for p in points])
    np.testing.assert_array_equal(risky, counts.at_risk)
    markers = {p.visual.get("marker") for p in points}
    assert {"o", "s"} <= markers


def test_catalog_points_on_image_pixels(result):
    catalog = Catalog([53.16, 53.17], [-27.79, -27.80], ["P", "F"])
    wcs = _tan_wcs(53.17, -27.80)
    regions = plan_regions(result, catalog, include_catalog=True)
    assert len(regions) == len(result.nirspec) + len(result.nircam) + 2
    from previs.io.regions import regions_text

    text = regions_text(result, wcs, catalog, None, True)
    x, y = wcs.world_to_pixel_values(catalog.ra, catalog.dec)
    point = re.search(r"point\(([-\d.]+),([-\d.]+)\)", text)
    assert float(point.group(1)) == pytest.approx(x[0] + 1, abs=1e-6)
    assert float(point.group(2)) == pytest.approx(y[0] + 1, abs=1e-6)


def test_region_errors(result):
    with pytest.raises(ValueError, match="needs a catalog"):
        plan_regions(result, include_catalog=True)
    with pytest.raises(ValueError, match="astropy WCS or a previs SkyImage"):
        write_regions("x.reg", result, image_wcs="image.fits")


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.0, 1.5))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.plot([0, 1], [0, 1])
    ax.set_axis_off()
    return fig


def test_save_figure_png_and_pdf(tmp_path):
    from PIL import Image

    fig = _figure()
    png = save_figure(fig, tmp_path / "f.png")
    with Image.open(png) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
        # the 2" wide drawing plus matplotlib's 0.1" tight-bbox padding each side, at 300 dpi
        assert image.size[0] == pytest.approx((2.0 + 0.2) * 300, abs=12)
    pdf = save_figure(fig, tmp_path / "f.pdf", dpi=600)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert save_figure(fig, tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "f.svg"]


@pytest.mark.parametrize(
    "name, dpi, fragment",
    [("f.jpg", 300, ".png, .pdf, .svg"), ("f", 300, "extension"), ("f.png", 0, "dpi")],
)
def test_save_figure_errors(tmp_path, name, dpi, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        save_figure(_figure(), tmp_path / name, dpi=dpi)
    with pytest.raises(ValueError, match="folder .* is missing"):
        save_figure(_figure(), tmp_path / "missing" / "f.png")


def test_pixels_of_an_image_with_dec_first_are_the_files_pixels(tmp_path, result):
    """Regions for an image stored Dec-first land on the file's own pixel axes."""
    from previs.io.images import load_image

    header = fits.Header()
    header["CTYPE1"], header["CTYPE2"] = "DEC--TAN", "RA---TAN"
    header["CRVAL1"], header["CRVAL2"] = -27.7914, 53.1625
    header["CRPIX1"], header["CRPIX2"] = 600.5, 600.5
    header["CD1_1"], header["CD1_2"] = 0.0, 0.25 / 3600
    header["CD2_1"], header["CD2_2"] = -0.25 / 3600, 0.0
    path = tmp_path / "decfirst.fits"
    fits.PrimaryHDU(np.zeros((1200, 1200), dtype=np.float32), header).writeto(path)
    image = load_image(path, max_display_size=400)
    assert image.transposed and image.block == 3
    back = Regions.read(str(write_regions(tmp_path / "d.reg", result, image)), format="ds9")
    _, _, _, ra, dec, _ = _outlines(result)
    file_wcs = WCS(header)
    x, y = file_wcs.world_to_pixel(SkyCoord(ra, dec, unit="deg"))
    got_x = np.array([r.vertices.x for r in back])
    got_y = np.array([r.vertices.y for r in back])
    assert np.abs(got_x - x).max() < 1e-3 and np.abs(got_y - y).max() < 1e-3
