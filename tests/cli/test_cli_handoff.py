"""``previs handoff``: the files it writes read back with previs and astropy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table

from previs.cli import main
from previs.io.configs import save_config
from previs.io.handoff import dither_from_apt, parse_special_requirements, read_mpt_catalog
from previs.io.images import empty_sky_wcs
from previs.io.session import Config
from previs.planning.plan import Plan

RA, DEC = 53.1625, -27.7914


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVIS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def config(tmp_path):
    rng = np.random.default_rng(7)
    table = Table()
    table["ID"] = np.arange(1, 201)
    table["RA"] = RA + rng.uniform(-0.03, 0.03, 200)
    table["DEC"] = DEC + rng.uniform(-0.03, 0.03, 200)
    table["NRS_F140X"] = rng.uniform(19, 24, 200)
    table["Reference"] = rng.random(200) < 0.1
    table.write(tmp_path / "targets.ecsv")
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL6")
    path = tmp_path / "session.json"
    save_config(Config(plan=plan, catalog=str(tmp_path / "targets.ecsv")), path)
    return path


def run(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_handoff_files(capsys, tmp_path, config):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, out, err = run(
        capsys,
        "handoff",
        "--config",
        config,
        "--out-dir",
        out_dir,
        "--nircam-obs",
        4,
        "--nirspec-obs",
        5,
        "--nircam-apa-range",
        262,
        270,
        "--nirspec-apa-range",
        40,
        50,
        "--json",
    )
    assert status == 0, err
    report = json.loads(out)
    catalog = read_mpt_catalog(report["files"]["mpt_catalog"])
    source = Table.read(tmp_path / "targets.ecsv")
    assert np.array_equal(catalog["ID"], source["ID"])
    assert np.array_equal(catalog["NRS_F140X"], source["NRS_F140X"])
    assert np.array_equal(catalog["Reference"], source["Reference"])
    assert catalog["previs_imaged"].sum() == report["sources"]["primary"]["imaged"]
    text = (out_dir / "previs_apt.txt").read_text()
    requirements = parse_special_requirements(text)
    assert requirements.nircam_observation == "4" and requirements.separation_days == 60
    assert requirements.nirspec_apa_range == (40.0, 50.0)
    assert "Primary Dither Type: FULL" in text and "Primary Dithers: 6" in text
    saved = json.loads((out_dir / "previs_handoff.json").read_text())
    assert saved == report
    dither, mosaic = dither_from_apt(saved["nircam_template"])
    assert dither == "FULL6" and mosaic.n_tiles == 1


def test_handoff_with_an_image_and_a_schedule(capsys, tmp_path, config):
    shape, wcs = empty_sky_wcs(RA, DEC, size_arcsec=200.0, pixel_arcsec=0.5)
    data = np.ones(shape, np.float32)
    data[:, : shape[1] // 2] = np.nan
    image = tmp_path / "taken.fits"
    fits.PrimaryHDU(data, wcs.to_header()).writeto(image)
    status, out, err = run(
        capsys,
        "handoff",
        "--config",
        config,
        "--out-dir",
        tmp_path,
        "--image",
        image,
        "--imaging",
        "2026-08-10",
        "--nirspec-start",
        "2026-10-20",
        "--prefix",
        "p1",
    )
    assert status == 0, err
    assert "wrote" in out
    report = json.loads((tmp_path / "p1_handoff.json").read_text())
    assert 0.2 < report["image_coverage"]["covered"] < 0.8
    assert report["special_requirements"]["separation_days"] == 71
    assert report["schedule"]["status"] == "ok"
    assert report["special_requirements"]["nirspec_apa_range"] is not None
    catalog = read_mpt_catalog(tmp_path / "p1_mpt.cat")
    in_msa = catalog["previs_quadrant"] > 0
    assert (catalog["previs_at_risk"][in_msa] == 1 - catalog["previs_imaged"][in_msa]).all()
    assert catalog["previs_at_risk"].sum() > 0


def test_handoff_errors(capsys, tmp_path, config):
    status, _, err = run(
        capsys, "handoff", "--config", config, "--out-dir", tmp_path, "--separation", 30
    )
    assert status == 2 and "absolute minimum of 42 days" in err
    status, _, err = run(capsys, "handoff", "--config", config, "--out-dir", tmp_path / "no")
    assert status == 2 and "no such folder" in err
    status, _, err = run(
        capsys, "handoff", "--config", config, "--out-dir", tmp_path, "--imaging", "2027-01-10"
    )
    assert status == 2 and "--nirspec-start" in err


def test_the_plans_allowed_nirspec_range_is_used(capsys, tmp_path):
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL3", nirspec_apa_range=(350.0, 12.0))
    path = tmp_path / "ranged.json"
    save_config(Config(plan=plan), path)
    status, out, err = run(capsys, "handoff", "--config", path, "--out-dir", tmp_path, "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["special_requirements"]["nirspec_apa_range"] == [350.0, 12.0]
    assert "no MPT catalog written" in report["notes"][-1]
    assert "mpt_catalog" not in report["files"]


def test_every_nirspec_pointing_counts_in_the_mpt_catalog(capsys, tmp_path):
    """With two NIRSpec pointings a source is in the MSA and in a usable shutter if either
    pointing puts it there (computed here pointing by pointing with place_sources)."""
    from previs.catalog.readers import read_catalog
    from previs.catalog.sources import count_sources
    from previs.geometry.attitude import Pointing
    from previs.geometry.operability import default_operability
    from previs.geometry.shutters import place_sources
    from previs.planning.plan import evaluate

    rng = np.random.default_rng(11)
    table = Table()
    table["ID"] = np.arange(1, 3001)
    table["RA"] = RA + rng.uniform(-0.06, 0.12, 3000)
    table["DEC"] = DEC + rng.uniform(-0.06, 0.06, 3000)
    table.write(tmp_path / "wide.ecsv")
    second = Pointing(RA + 0.06, DEC, 45.0)
    plan = Plan.centred(RA, DEC, 45.0, dither="FULL3").replace(extra_nirspec=(second,))
    path = tmp_path / "two.json"
    save_config(Config(plan=plan, catalog=str(tmp_path / "wide.ecsv")), path)
    status, out, err = run(capsys, "handoff", "--config", path, "--out-dir", tmp_path, "--json")
    assert status == 0, err
    catalog = read_mpt_catalog(json.loads(out)["files"]["mpt_catalog"])
    each = [
        place_sources(p, table["RA"], table["DEC"], default_operability())
        for p in plan.nirspec_pointings
    ]
    usable = each[0].usable | each[1].usable
    assert (usable & ~each[0].usable).sum() > 100  # the second pointing matters
    assert np.array_equal(catalog["previs_usable_shutter"] == 1, usable)
    # In the MSA: in a quadrant's outline at either pointing, each counted on its own.
    alone = [
        count_sources(
            read_catalog(tmp_path / "wide.ecsv"),
            evaluate(plan.replace(nirspec=p, extra_nirspec=())),
        )
        for p in plan.nirspec_pointings
    ]
    in_msa = alone[0].in_msa | alone[1].in_msa
    assert in_msa.sum() > 1.5 * alone[0].in_msa.sum()
    assert np.array_equal(catalog["previs_quadrant"] > 0, in_msa)
    shape, wcs = empty_sky_wcs(RA, DEC, size_arcsec=400.0, pixel_arcsec=1.0)
    image = tmp_path / "taken.fits"
    fits.PrimaryHDU(np.ones(shape, np.float32), wcs.to_header()).writeto(image)
    status, out, err = run(
        capsys, "handoff", "--config", path, "--out-dir", tmp_path, "--image", image, "--json"
    )
    assert status == 0, err
    block = json.loads(out)["image_coverage"]
    assert len(block["pointings"]) == 2
    assert block["pointings"][1]["covered"] < block["pointings"][0]["covered"]
    catalog = read_mpt_catalog(json.loads(out)["files"]["mpt_catalog"])
    assert np.array_equal(catalog["previs_quadrant"] > 0, in_msa)
