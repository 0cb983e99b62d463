"""``previs shutters``: the JSON contract against pysiaf's tables and pysiaf's attitude."""

from __future__ import annotations

import json

import numpy as np
import pytest

from previs.cli import main
from previs.geometry.operability import default_operability
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture

RA, DEC, APA = 150.11, 2.205, 33.3


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def known_sources(pysiaf, msa_tables):
    """Sky positions (made with pysiaf's attitude) of chosen tabulated shutter centres,
    nudged within their open areas, plus two sources off the MSA."""
    from pysiaf.utils import rotations

    ref = get_aperture(NIRSPEC_REFERENCE)
    attitude = rotations.attitude(ref.v2_ref, ref.v3_ref, RA, DEC, APA - ref.v3_idl_yang)
    operability = default_operability()
    q_open, i_open, j_open = operability.failed_open()
    picks = [(1, 1, 1), (2, 365, 171), (3, 200, 100), (4, 17, 150)]
    picks += [(int(q_open[0]), int(i_open[0]), int(j_open[0]))]
    rows = []
    for q, i, j in picks:
        table = msa_tables[q]
        k = np.flatnonzero((table["I"] == i) & (table["J"] == j))[0]
        # A nudge of 0.03" stays well inside the open area (0.20" x 0.46").
        ra, dec = rotations.tel_to_sky(attitude, table["V2"][k] + 0.03, table["V3"][k] - 0.02)
        ra, dec = (a.to_value("deg") if hasattr(a, "to_value") else float(a) for a in (ra, dec))
        rows.append((ra, dec, (q, i, j)))
    rows.insert(2, (RA + 1.0, DEC, None))
    rows.append((RA, DEC, None))  # the MSA reference point lies between the quadrants
    return rows


def write_radec(path, rows):
    path.write_text("".join(f"{ra:.10f} {dec:.10f} P\n" for ra, dec, _ in rows))
    return path


def test_sources_land_on_known_shutters(capsys, tmp_path, known_sources):
    catalog = write_radec(tmp_path / "targets.radec", known_sources)
    status, out, _ = run(
        capsys,
        "shutters",
        "--nirspec",
        str(RA),
        str(DEC),
        str(APA),
        "--catalog",
        str(catalog),
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["operability"] == "msaoper_0017 (vmpt 1.8.0 snapshot)"
    assert data["failed_shutters"] == {"closed": 67_647, "open": 22}
    assert len(data["sources"]) == len(known_sources)
    operable = default_operability().operable
    for source, (ra, dec, shutter) in zip(data["sources"], known_sources, strict=True):
        assert source["ra"] == pytest.approx(ra % 360, abs=1e-9)
        assert source["dec"] == pytest.approx(dec, abs=1e-9)
        if shutter is None:
            assert source["quadrant"] is None and source["i"] is None and source["j"] is None
            assert source["operable"] is None and source["offset_i"] is None
            continue
        q, i, j = shutter
        assert (source["quadrant"], source["i"], source["j"]) == (q, i, j)
        assert source["operable"] == bool(operable[q - 1, j - 1, i - 1])
        assert abs(source["offset_i"]) < 0.3 and abs(source["offset_j"]) < 0.2
        assert source["on_bar"] is False
        assert source["failed_open_distance"] >= 0
    failed_open = data["sources"][5]
    assert failed_open["operable"] is False and failed_open["failed_open_distance"] < 0.1
    assert data["summary"]["on_msa"] == 5


def test_msaoper_file_replaces_the_map(capsys, tmp_path, known_sources):
    catalog = write_radec(tmp_path / "targets.radec", known_sources)
    q, i, j = known_sources[3][2]
    msaoper = tmp_path / "jwst_nirspec_msaoper_0123.json"
    msaoper.write_text(json.dumps({"msaoper": [{"Q": q, "x": i, "y": j, "state": "closed"}]}))
    status, out, _ = run(
        capsys,
        "shutters",
        "--nirspec",
        str(RA),
        str(DEC),
        str(APA),
        "--catalog",
        str(catalog),
        "--msaoper",
        str(msaoper),
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["operability"] == "msaoper_0123 (CRDS file jwst_nirspec_msaoper_0123.json)"
    assert data["failed_shutters"] == {"closed": 1, "open": 0}
    flags = [s["operable"] for s in data["sources"]]
    assert flags == [True, True, None, False, True, True, None]
    status, out, _ = run(
        capsys, "shutters", "--nirspec", str(RA), str(DEC), str(APA), "--catalog", str(catalog)
    )
    assert status == 0 and "5 on the MSA" in out and "msaoper_0017" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--nirspec", "1", "2"], "expected 3 arguments"),
        (["--nirspec", "1", "x", "3"], "--nirspec DEC: cannot read 'x'"),
        (["--nirspec", "1", "2", "y"], "--nirspec APA: 'y' is not a number"),
        (["--nirspec", "1", "95", "3"], "--nirspec: Dec must lie between"),
        (["--nirspec", "1", "2", "3", "--msaoper", "MISSING.json"], "MISSING.json: cannot read"),
        (["--nirspec", "1", "2", "3", "--msaoper", "BAD.json"], "BAD.json, msaoper entry 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "BAD.json").write_text(
        json.dumps({"msaoper": [{"Q": 1, "x": 0, "y": 1, "state": "open"}]})
    )
    write_radec(tmp_path / "c.radec", [(1.0, 2.0, None)])
    status, out, err = run(capsys, "shutters", "--catalog", "c.radec", *extra)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_catalog_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.radec"
    bad.write_text("10.0 20.0 P\nnot-an-angle 3.0 P\n")
    status, _, err = run(capsys, "shutters", "--nirspec", "1", "2", "3", "--catalog", str(bad))
    assert status == 2 and "bad.radec" in err and len(err.strip().splitlines()) == 1
