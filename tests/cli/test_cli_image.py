"""``previs coverage --image``: the image block, with and without a NIRCam plan."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table

from previs.catalog.image_sources import count_sources_in_image
from previs.catalog.readers import read_catalog
from previs.cli import main
from previs.geometry.attitude import Pointing
from previs.geometry.image_coverage import image_coverage
from previs.io.images import empty_sky_wcs
from previs.io.valid_region import valid_region
from previs.planning.image_sweep import image_worst_case

RA, DEC = 53.1625, -27.7914


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def image(tmp_path):
    """A 300" x 300" field with its western third and a central square masked."""
    shape, wcs = empty_sky_wcs(RA, DEC, size_arcsec=300.0, pixel_arcsec=0.5)
    data = np.ones(shape, np.float32)
    data[:, :200] = np.nan
    wht = np.ones(shape, np.float32)
    wht[280:320, 280:320] = 0.0
    path = tmp_path / "mosaic.fits"
    fits.HDUList(
        [
            fits.PrimaryHDU(),
            fits.ImageHDU(data, wcs.to_header(), name="SCI"),
            fits.ImageHDU(wht, wcs.to_header(), name="WHT"),
        ]
    ).writeto(path)
    return path


@pytest.fixture
def catalog(tmp_path):
    rng = np.random.default_rng(2)
    table = Table()
    table["ra"] = RA + rng.uniform(-0.04, 0.04, 300)
    table["dec"] = DEC + rng.uniform(-0.04, 0.04, 300)
    path = tmp_path / "sources.csv"
    table.write(path)
    return path


def run(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_image_only_json_matches_the_library(capsys, image, catalog):
    status, out, err = run(
        capsys,
        "coverage",
        "--image",
        image,
        "--nirspec",
        RA,
        DEC,
        45,
        "--catalog",
        catalog,
        "--nirspec-apa-range",
        40,
        50,
        "--json",
    )
    assert status == 0, err
    data = json.loads(out)
    assert list(data) == ["image"]
    block = data["image"]
    region = valid_region(image)
    nirspec = Pointing(RA, DEC, 45.0)
    expected = image_coverage(region, nirspec)
    assert block["covered"] == pytest.approx(expected.covered)
    assert block["quadrants"] == pytest.approx({str(k): v for k, v in expected.quadrants.items()})
    assert 0.3 < block["covered"] < 0.95
    assert block["footprint"]["weight"] == "WHT"
    assert block["nirspec"] == {"ra": RA, "dec": DEC, "apa": 45.0}
    worst = image_worst_case(region, nirspec, (40, 50))
    assert block["worst_case"]["min"] == pytest.approx(worst.min)
    counts = count_sources_in_image(read_catalog(catalog), nirspec, region)
    assert block["sources"]["primary"] == counts.summary("primary")


def test_image_with_a_nircam_plan(capsys, image):
    status, out, _ = run(
        capsys,
        "coverage",
        "--image",
        image,
        "--nirspec",
        RA,
        DEC,
        45,
        "--dither",
        "FULL3",
        "--weight",
        "none",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert "covered" in data and "depth" in data and data["exposures"] == 3
    region = valid_region(image, weight=False)
    assert data["image"]["covered"] == pytest.approx(
        image_coverage(region, Pointing(RA, DEC, 45.0)).covered
    )
    assert data["image"]["footprint"]["weight"] is None


def test_image_against_several_nirspec_pointings_takes_them_all(capsys, image):
    """An APT NIRSpec observation of 4 pointings: the image block is of all of them
    together (the MSAs' union), with each pointing's own coverage, as the planned one."""
    from pathlib import Path

    from previs.catalog.image_summary import summarize_image
    from previs.io.apt import read_apt

    program = Path(__file__).resolve().parents[1] / "data" / "apt" / "preimaging_mos.pointing"
    status, out, err = run(
        capsys, "coverage", "--apt", program, "--nircam-observation", 1,
        "--nirspec-observation", 2, "--nirspec-apa", 45, "--image", image, "--json",
    )  # fmt: skip
    assert status == 0, err
    block = json.loads(out)["image"]
    pointings = read_apt(program).nirspec_pointings(2, 45.0)
    assert len(pointings) == 4 and len(block["pointings"]) == 4
    region = valid_region(image)
    each = [image_coverage(region, p).covered for p in pointings]
    assert [row["covered"] for row in block["pointings"]] == pytest.approx(each)
    together = summarize_image(region, pointings[0], extra_nirspec=tuple(pointings[1:]))
    assert block["covered"] == pytest.approx(together.coverage.covered)
    assert block["covered"] != pytest.approx(each[0])  # not the first pointing alone


def test_text_output_and_a_far_image(capsys, image):
    status, out, _ = run(capsys, "coverage", "--image", image, "--nirspec", RA + 1, DEC, 45)
    assert status == 0
    assert "MSA covered by the image" in out and "0.00%" in out and "note:" in out
    status, out, _ = run(
        capsys, "coverage", "--image", image, "--nirspec", RA, DEC, 45, "--nircam", RA, DEC, 0
    )
    assert status == 0 and "MSA covered by the short channel" in out
    assert "MSA covered by the image" in out


def test_bad_images_exit_2_with_one_line(capsys, tmp_path, image):
    shape, wcs = empty_sky_wcs(RA, DEC, size_arcsec=60.0, pixel_arcsec=0.5)
    blank = tmp_path / "blank.fits"
    fits.PrimaryHDU(np.full(shape, np.nan, np.float32), wcs.to_header()).writeto(blank)
    status, _, err = run(capsys, "coverage", "--image", blank, "--nirspec", RA, DEC, 45)
    assert status == 2 and "no valid pixels" in err and len(err.strip().splitlines()) == 1
    status, _, err = run(
        capsys, "coverage", "--image", image, "--nirspec", RA, DEC, 45, "--weight", "CTX"
    )
    assert status == 2 and "no extension named 'CTX'" in err
    status, _, err = run(capsys, "coverage", "--image", image)
    assert status == 2 and "--nirspec" in err
