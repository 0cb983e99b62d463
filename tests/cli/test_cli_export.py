"""CLI: --config / --catalog on the geometry commands, previs regions, previs report, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy.wcs import WCS
from matplotlib.path import Path as MplPath
from regions import PointSkyRegion, PolygonPixelRegion, Regions

from previs.catalog import read_catalog
from previs.cli import main
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic
from previs.io.configs import save_config
from previs.io.example_field import example_catalog_path
from previs.io.report import build_report
from previs.io.session import Config
from previs.planning.plan import Plan, evaluate

PLAN = Plan(
    Pointing(53.1625, -27.7914, 45.0),
    Pointing(53.1700, -27.7950, 290.0),
    "FULL3TIGHT",
    Mosaic(1, 2, 0.0, 15.0),
    "long",
)


def run(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def config_path(tmp_path):
    return save_config(Config.from_plan(PLAN), tmp_path / "session.json")


def test_coverage_from_config_equals_explicit_options(capsys, config_path):
    status, from_config, _ = run(capsys, "coverage", "--config", config_path, "--json")
    assert status == 0
    status, explicit, _ = run(
        capsys,
        "coverage",
        "--nirspec",
        *PLAN.nirspec.to_dict().values(),
        "--nircam",
        *PLAN.nircam.to_dict().values(),
        "--dither",
        "FULL3TIGHT",
        "--mosaic",
        "1x2",
        "--row-overlap",
        "0",
        "--column-overlap",
        "15",
        "--channel",
        "long",
        "--json",
    )
    assert status == 0
    assert json.loads(from_config) == json.loads(explicit)
    assert json.loads(from_config)["covered"] == pytest.approx(evaluate(PLAN).coverage.covered)


def test_explicit_options_override_only_what_they_name(capsys, config_path):
    status, out, _ = run(
        capsys, "coverage", "--config", config_path, "--dither", "FULL6", "--column-overlap", "5"
    )
    assert status == 0
    _, out, _ = run(
        capsys,
        "coverage",
        "--config",
        config_path,
        "--dither",
        "FULL6",
        "--column-overlap",
        "5",
        "--json",
    )
    expected = evaluate(PLAN.replace(dither="FULL6", mosaic=Mosaic(1, 2, 0.0, 5.0))).coverage
    data = json.loads(out)
    assert data["covered"] == pytest.approx(expected.covered)
    assert data["channel"] == "long" and data["exposures"] == 12
    _, out, _ = run(
        capsys, "coverage", "--config", config_path, "--nirspec", 53.1625, -27.7914, 100, "--json"
    )
    moved = PLAN.replace(nirspec=Pointing(53.1625, -27.7914, 100.0))
    assert json.loads(out)["covered"] == pytest.approx(evaluate(moved).coverage.covered)


def test_footprint_from_config(capsys, config_path):
    status, out, _ = run(capsys, "footprint", "nircam", "--config", config_path, "--json")
    assert status == 0
    expected = nircam_footprint(PLAN.nircam, "long", "FULL3TIGHT", PLAN.mosaic)
    apertures = json.loads(out)["apertures"]
    assert len(apertures) == len(expected) == 12
    np.testing.assert_allclose([a["ra"] for a in apertures], expected.ra)
    _, out, _ = run(
        capsys, "footprint", "nirspec", "--config", config_path, "--apa", "10", "--json"
    )
    expected = nirspec_footprint(Pointing(PLAN.nirspec.ra, PLAN.nirspec.dec, 10.0))
    np.testing.assert_allclose([a["dec"] for a in json.loads(out)["apertures"]], expected.dec)


def _brute_force(plan: Plan, ra: np.ndarray, dec: np.ndarray, primary: np.ndarray) -> dict:
    """Counts by point-in-polygon on corners projected with an astropy TAN WCS."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [plan.nirspec.ra, plan.nirspec.dec]
    wcs.wcs.cdelt = [-1 / 3600.0, 1 / 3600.0]
    wcs.wcs.crpix = [0.0, 0.0]
    points = np.column_stack(wcs.world_to_pixel_values(ra, dec))

    def inside_any(footprint, rows):
        hit = np.zeros(len(ra), dtype=bool)
        for k in rows:
            corners = np.column_stack(wcs.world_to_pixel_values(footprint.ra[k], footprint.dec[k]))
            hit |= MplPath(corners).contains_points(points)
        return hit

    msa = nirspec_footprint(plan.nirspec)
    in_msa = inside_any(msa, [k for k, n in enumerate(msa.names) if n.startswith("NRS_FULL_MSA")])
    nircam = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    imaged = inside_any(nircam, range(len(nircam)))
    counts = {}
    for kind, mask in (("primary", primary), ("filler", ~primary)):
        counts[kind] = {
            "total": int(mask.sum()),
            "in_msa": int((mask & in_msa).sum()),
            "in_msa_imaged": int((mask & in_msa & imaged).sum()),
            "at_risk": int((mask & in_msa & ~imaged).sum()),
        }
    return counts


def _check_sources(data: dict, expected: dict) -> None:
    for kind in ("primary", "filler"):
        got = {key: data["sources"][kind][key] for key in expected[kind]}
        assert got == expected[kind], kind


@pytest.mark.parametrize("channel", ["short", "long"])
def test_coverage_catalog_counts_match_brute_force(capsys, tmp_path, channel):
    plan = PLAN.replace(channel=channel)
    config = save_config(Config.from_plan(plan), tmp_path / "c.json")
    catalog = read_catalog(example_catalog_path())
    status, out, _ = run(
        capsys, "coverage", "--config", config, "--catalog", example_catalog_path(), "--json"
    )
    assert status == 0
    expected = _brute_force(plan, catalog.ra, catalog.dec, catalog.primary)
    assert expected["primary"]["in_msa"] > 5 and expected["filler"]["at_risk"] > 0
    _check_sources(json.loads(out), expected)


def test_unflagged_catalog_counts_everything_as_primary(capsys, tmp_path):
    rng = np.random.default_rng(4)
    ra = PLAN.nirspec.ra + rng.uniform(-4, 4, 3000) / 60 / np.cos(np.radians(-27.79))
    dec = PLAN.nirspec.dec + rng.uniform(-4, 4, 3000) / 60
    path = tmp_path / "plain.radec"
    path.write_text(
        "# no flags\n" + "\n".join(f"{a:.7f} {d:.7f}" for a, d in zip(ra, dec, strict=True))
    )
    # the configuration's own catalog is used when --catalog is not given
    config = save_config(Config.from_plan(PLAN, catalog=str(path)), tmp_path / "c.json")
    status, out, _ = run(capsys, "coverage", "--config", config, "--json")
    assert status == 0
    data = json.loads(out)
    expected = _brute_force(PLAN, ra, dec, np.ones(len(ra), dtype=bool))
    _check_sources(data, expected)
    assert data["sources"]["filler"]["total"] == 0
    assert expected["primary"]["at_risk"] > 0 and expected["primary"]["in_msa_imaged"] > 100
    status, text, _ = run(capsys, "coverage", "--config", config)
    assert f"{expected['primary']['at_risk']} at risk" in text


def test_regions_command_sky_and_pixels(capsys, tmp_path, config_path):
    out = tmp_path / "plan.reg"
    status, text, _ = run(
        capsys,
        "regions",
        "--config",
        config_path,
        "--out",
        out,
        "--catalog",
        example_catalog_path(),
    )
    assert status == 0 and "wrote" in text
    back = Regions.read(str(out), format="ds9")
    result = evaluate(PLAN)
    n_outlines = len(result.nirspec) + len(result.nircam)
    assert len(back) == n_outlines + 320
    assert sum(isinstance(r, PointSkyRegion) for r in back) == 320

    from astropy.io import fits

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [53.16, -27.79]
    wcs.wcs.crpix = [400.5, 400.5]
    wcs.wcs.cdelt = [-2 / 3600, 2 / 3600]
    image = tmp_path / "img.fits"
    fits.PrimaryHDU(np.zeros((800, 800), dtype=np.float32), wcs.to_header()).writeto(image)
    status, _, _ = run(capsys, "regions", "--config", config_path, "--out", out, "--image", image)
    assert status == 0
    back = Regions.read(str(out), format="ds9")
    assert len(back) == n_outlines and all(isinstance(r, PolygonPixelRegion) for r in back)
    x, y = wcs.world_to_pixel_values(result.nirspec.ra[0], result.nirspec.dec[0])
    assert np.abs(back[0].vertices.x - x).max() < 1e-3
    assert np.abs(back[0].vertices.y - y).max() < 1e-3


def test_report_command(capsys, tmp_path, config_path):
    out = tmp_path / "r.json"
    status, _, _ = run(
        capsys, "report", "--config", config_path, "--catalog", example_catalog_path(), "--out", out
    )
    assert status == 0
    data = json.loads(out.read_text())
    expected = build_report(PLAN, read_catalog(example_catalog_path()))
    data.pop("generated"), expected.pop("generated")
    expected["catalog"]["source"] = data["catalog"]["source"]
    assert data == expected
    for name in ("r.md", "r.html"):
        assert run(capsys, "report", "--config", config_path, "--out", tmp_path / name)[0] == 0
    assert (tmp_path / "r.md").read_text().startswith("# previs coverage report")
    assert "<table>" in (tmp_path / "r.html").read_text()
    status, text, _ = run(capsys, "report", "--config", config_path)
    assert status == 0 and text.startswith("# previs coverage report")


def _bad_files(tmp_path):
    (tmp_path / "corrupt.json").write_text('{"previs_config": 1, "plan": ')
    (tmp_path / "unknown.json").write_text('{"previs_config": 1, "zoom": 2}')
    (tmp_path / "bad.radec").write_text("53.16 -27.79 P\n53.17 -27.78 Q\n")
    save_config(Config.from_plan(PLAN), tmp_path / "good.json")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["coverage", "--config", "{d}/missing.json"], ["missing.json", "does not exist"]),
        (["coverage", "--config", "{d}/corrupt.json"], ["corrupt.json", "not valid JSON"]),
        (["coverage", "--config", "{d}/unknown.json"], ["unknown.json", "'zoom'"]),
        (
            ["coverage", "--config", "{d}/good.json", "--catalog", "{d}/bad.radec"],
            ["bad.radec, line 2", "'Q'"],
        ),
        (["coverage", "--json"], ["--nirspec", "--config"]),
        (["footprint", "nircam", "--ra", "1"], ["--dec, --apa", "--config"]),
        (["regions", "--config", "{d}/good.json", "--out", "{d}/x.txt"], [".reg"]),
        (["regions", "--out", "{d}/x.reg"], ["--config"]),
        (["report", "--config", "{d}/good.json", "--out", "{d}/x.pdf"], [".json, .md"]),
        (["report", "--config", "{d}/missing.json"], ["missing.json"]),
        (
            [
                "regions",
                "--config",
                "{d}/good.json",
                "--out",
                "{d}/x.reg",
                "--image",
                "{d}/bad.radec",
            ],
            ["bad.radec"],
        ),
    ],
)
def test_errors_exit_2_with_one_line(capsys, tmp_path, args, fragments):
    _bad_files(tmp_path)
    status, _, err = run(capsys, *(a.format(d=tmp_path) for a in args))
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--config", "{config}", "--out", "{config}"],
        ["footprint", "nircam", "--config", "{config}", "--ds9", "{config}"],
    ],
)
def test_outputs_never_replace_the_inputs(tmp_path, capsys, command):
    config = tmp_path / "plan.json"
    save_config(Config(), config)
    before = config.read_bytes()
    args = [part.replace("{config}", str(config)) for part in command]
    assert main(args) == 2
    message = capsys.readouterr().err
    assert str(config) in message and "session this session read" in message
    assert config.read_bytes() == before
