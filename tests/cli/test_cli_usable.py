"""The CLI's usable-MSA blocks: ``coverage --json`` (usable, usable_shutters, msata),
``--msaoper`` on coverage / report / handoff, and the session's msaoper file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy.table import Table

from previs.catalog import read_catalog, summarize
from previs.cli import main
from previs.geometry.attitude import Pointing
from previs.geometry.operability import default_operability, read_msaoper
from previs.geometry.patterns import Mosaic
from previs.geometry.shutters import place_sources
from previs.io.configs import save_config
from previs.io.handoff import read_mpt_catalog
from previs.io.session import Config
from previs.planning.plan import Plan, evaluate

RA, DEC = 53.1625, -27.7914
PLAN = Plan(Pointing(RA, DEC, 45.0), Pointing(RA + 0.005, DEC, 250.0), "FULL3", Mosaic(1, 2))


def run(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def msaoper(tmp_path):
    """A CRDS-style file: quadrant 3 failed closed, one failed-open shutter."""
    entries = [
        {"Q": 3, "x": x, "y": y, "state": "closed"}
        for x in range(1, 366, 2)
        for y in range(1, 172, 3)
    ]
    entries.append({"Q": 1, "x": 10, "y": 10, "state": "open"})
    path = tmp_path / "jwst_nirspec_msaoper_0555.json"
    path.write_text(json.dumps({"msaoper": entries}))
    return path


@pytest.fixture
def catalog_file(tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    table = Table()
    table["ID"] = np.arange(1, n + 1)
    table["RA"] = RA + rng.uniform(-0.03, 0.03, n)
    table["DEC"] = DEC + rng.uniform(-0.03, 0.03, n)
    table["flag"] = rng.choice(["P", "F", "R"], n, p=[0.4, 0.4, 0.2])
    table["NRS_F110W"] = rng.uniform(19.0, 24.0, n)
    path = tmp_path / "targets.ecsv"
    table.write(path)
    return path


def coverage_args(plan=PLAN):
    n, c = plan.nirspec, plan.nircam
    return [
        "coverage",
        "--nirspec",
        n.ra,
        n.dec,
        n.apa,
        "--nircam",
        c.ra,
        c.dec,
        c.apa,
        "--dither",
        plan.dither,
        "--mosaic",
        plan.mosaic.label,
        "--channel",
        plan.channel,
    ]


def test_coverage_json_has_the_usable_block(capsys):
    status, out, _ = run(capsys, *coverage_args(), "--json")
    assert status == 0
    data = json.loads(out)
    usable = evaluate(PLAN).usable
    assert set(data["usable"]) == {"covered", "quadrants", "operability"}
    assert data["usable"]["covered"] == pytest.approx(usable.covered, abs=1e-12)
    assert data["usable"]["quadrants"] == {str(q): v for q, v in usable.quadrants.items()}
    assert data["usable"]["operability"] == default_operability().name
    for key in ("channel", "covered", "quadrants", "depth", "exposures"):
        assert key in data  # every existing key stays
    full = PLAN.replace(dither="8NIRSPEC", mosaic=Mosaic(2, 2), nircam=Pointing(RA, DEC, 266.35))
    status, out, _ = run(capsys, *coverage_args(full), "--json")
    assert json.loads(out)["usable"]["covered"] == 1.0
    status, out, _ = run(capsys, *coverage_args())
    assert "usable MSA" in out and "msaoper_0017" in out


def test_msaoper_option_and_the_sessions_file(capsys, tmp_path, msaoper):
    status, out, _ = run(capsys, *coverage_args(), "--msaoper", msaoper, "--json")
    data = json.loads(out)
    expected = evaluate(PLAN, operability=read_msaoper(msaoper)).usable
    assert data["usable"]["operability"].startswith("msaoper_0555")
    assert data["usable"]["covered"] == pytest.approx(expected.covered, abs=1e-12)
    snapshot = evaluate(PLAN).usable
    assert data["usable"]["quadrants"]["3"] != pytest.approx(snapshot.quadrants[3], abs=1e-4)
    # A session that names the file uses it; --msaoper still wins.
    config = save_config(Config(plan=PLAN, msaoper=str(msaoper)), tmp_path / "s.json")
    status, out, _ = run(capsys, "coverage", "--config", config, "--json")
    assert json.loads(out)["usable"]["operability"].startswith("msaoper_0555")
    bad = tmp_path / "bad.json"
    bad.write_text('{"msaoper": [{"Q": 9, "x": 1, "y": 1, "state": "closed"}]}')
    status, _, err = run(capsys, "coverage", "--config", config, "--msaoper", bad, "--json")
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "bad.json, msaoper entry 1" in err and "'Q'" in err


def test_coverage_with_an_msata_catalog(capsys, catalog_file):
    status, out, _ = run(capsys, *coverage_args(), "--catalog", catalog_file, "--json")
    assert status == 0
    data = json.loads(out)
    catalog = read_catalog(catalog_file)
    summary = summarize(PLAN, catalog, other_channel_depth=0)
    assert data["usable_shutters"] == summary.plan_counts.shutters_dict()
    shutters = place_sources(PLAN.nirspec, catalog.ra, catalog.dec)
    imaged = summary.plan_counts.imaged
    for kind, mask in (("primary", catalog.primary), ("filler", catalog.filler)):
        headline = data["usable_shutters"][kind]["in_usable_shutter_imaged"]
        assert headline == int((mask & shutters.usable & imaged).sum()) > 0
    assert data["msata"] == summary.msata.to_dict()
    assert data["msata"]["reference_stars"] == int((catalog.flag == "R").sum())
    status, out, _ = run(capsys, *coverage_args(), "--catalog", catalog_file)
    assert "in a usable shutter and imaged" in out and "MSATA:" in out


def test_report_and_handoff_name_the_map(capsys, tmp_path, msaoper, catalog_file):
    plan = PLAN.replace(nirspec_apa_range=(40.0, 50.0))
    config = save_config(Config(plan=plan, catalog=str(catalog_file)), tmp_path / "s.json")
    status, out, _ = run(capsys, "report", "--config", config, "--msaoper", msaoper)
    assert status == 0
    assert "msaoper_0555 (CRDS file jwst_nirspec_msaoper_0555.json)" in out
    assert "## MSATA reference stars" in out and "## Usable MSA" in out
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, out, err = run(
        capsys, "handoff", "--config", config, "--out-dir", out_dir, "--msaoper", msaoper, "--json"
    )
    assert status == 0, err
    report = json.loads(out)
    assert report["operability"].startswith("msaoper_0555")
    mpt = read_mpt_catalog(report["files"]["mpt_catalog"])
    catalog = read_catalog(catalog_file)
    usable = place_sources(plan.nirspec, catalog.ra, catalog.dec, read_msaoper(msaoper)).usable
    assert mpt["previs_usable_shutter"].tolist() == usable.astype(int).tolist()
    assert mpt["Reference"].tolist() == (catalog.flag == "R").tolist()


def test_shutters_lists_each_sources_flag(capsys, tmp_path):
    path = tmp_path / "c.radec"
    path.write_text(f"{RA} {DEC} R\n{RA + 0.01} {DEC} F\n")
    status, out, _ = run(capsys, "shutters", "--nirspec", RA, DEC, 45, "--catalog", path, "--json")
    assert status == 0
    assert [s["flag"] for s in json.loads(out)["sources"]] == ["R", "F"]


def test_each_pointing_row_has_its_usable_coverage(capsys, tmp_path):
    plan = PLAN.replace(extra_nirspec=(Pointing(RA - 0.01, DEC + 0.005, 50.0),))
    config = save_config(Config(plan=plan), tmp_path / "two.json")
    status, out, _ = run(capsys, "coverage", "--config", config, "--json")
    assert status == 0
    data = json.loads(out)
    result = evaluate(plan)
    assert [row["usable"] for row in data["pointings"]] == [
        u.to_dict() for u in result.pointing_usable
    ]
    assert data["usable"]["covered"] == pytest.approx(result.usable.covered, abs=1e-12)


def test_coverage_gives_the_worst_case_of_the_configurations_range(capsys, tmp_path):
    """``previs coverage`` gives the worst case over the configuration's allowed APAs (or
    ``--nirspec-apa-range``), with every NIRSpec pointing turned together, as evaluate."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
    from apt_support import mos_plan

    plan = mos_plan(nirspec_apa_range=(35.0, 55.0))
    config = save_config(Config.from_plan(plan), tmp_path / "apt.json")
    status, out, err = run(capsys, "coverage", "--config", config, "--json")
    assert status == 0, err
    worst = evaluate(plan).worst_case
    data = json.loads(out)["worst_case"]
    assert data["min"] == worst.min and data["apa_at_min"] == worst.apa_at_min
    assert data["usable"]["min"] == worst.usable.min
    status, out, _ = run(capsys, "coverage", "--config", config)
    assert f"4 pointings turned together): {100 * worst.min:.2f}%" in out
    status, out, _ = run(
        capsys, "coverage", "--config", config, "--nirspec-apa-range", 350, 10, "--json"
    )
    other = evaluate(plan.replace(nirspec_apa_range=(350.0, 10.0))).worst_case
    assert json.loads(out)["worst_case"]["min"] == other.min != worst.min
    # Without a range, no worst case.
    bare = save_config(Config.from_plan(plan.replace(nirspec_apa_range=None)), tmp_path / "b.json")
    status, out, _ = run(capsys, "coverage", "--config", bare, "--json")
    assert "worst_case" not in json.loads(out)
