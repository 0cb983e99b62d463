"""The operability snapshot, its build from a vMPT wheel, and CRDS msaoper files."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from previs.errors import PrevisError
from previs.geometry.operability import (
    FAILED_CLOSED,
    FAILED_OPEN,
    OPERABILITY_PATH,
    OperabilityMap,
    default_operability,
    operability_from_dict,
    read_msaoper,
    resolve_operability,
)
from previs.geometry.shutters_build import VMPT_NPZ, build_operability


def test_bundled_snapshot_is_msaoper_0017_with_its_counts():
    operability = default_operability()
    assert operability.name == "msaoper_0017 (vmpt 1.8.0 snapshot)"
    assert operability.reason.shape == (4, 171, 365)
    assert set(np.unique(operability.reason)) == {0, 1, 2}
    counts = operability.counts
    assert counts["failed_closed"] == 67_647
    assert counts["failed_open"] == 22
    assert counts["operable"] == 4 * 171 * 365 - 67_647 - 22
    assert operability.operable.sum() == counts["operable"]
    assert not operability.reason.flags.writeable


def test_bundled_snapshot_carries_provenance_and_the_mit_notice():
    snapshot = json.loads(OPERABILITY_PATH.read_text())
    provenance = snapshot["provenance"]
    assert snapshot["crds_file"] == "jwst_nirspec_msaoper_0017.json"
    assert provenance["package"] == "jwst-vmpt" and provenance["package_version"] == "1.8.0"
    assert provenance["licence"] == "MIT"
    assert "Permission is hereby granted, free of charge" in provenance["licence_text"]
    assert "Copyright" in provenance["licence_text"]
    assert len(provenance["wheel_sha256"]) == 64 and provenance["built"]


def test_failed_open_shutters_are_listed_one_based():
    operability = default_operability()
    q, i, j = operability.failed_open()
    assert len(q) == 22
    assert np.all(operability.reason[q - 1, j - 1, i - 1] == FAILED_OPEN)
    assert q.min() >= 1 and i.max() <= 365 and j.max() <= 171


def _wheel(tmp_path, reason, source="jwst_nirspec_msaoper_0099.json"):
    npz = io.BytesIO()
    np.savez_compressed(npz, reason=reason, source=np.array(source))
    path = tmp_path / "jwst_vmpt-1.8.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(VMPT_NPZ, npz.getvalue())
        archive.writestr("jwst_vmpt-1.8.0.dist-info/licenses/LICENSE", "MIT License\nCopyright x")
        archive.writestr("jwst_vmpt-1.8.0.dist-info/METADATA", "Name: jwst-vmpt\nVersion: 1.8.0\n")
    return path


def test_build_from_a_wheel_round_trips_the_array(tmp_path):
    rng = np.random.default_rng(3)
    reason = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=(4, 171, 365), p=[0.7, 0.29, 0.01])
    snapshot = build_operability(_wheel(tmp_path, reason), built="2026-01-02")
    assert snapshot["name"] == "msaoper_0099 (vmpt 1.8.0 snapshot)"
    assert snapshot["counts"]["failed_open"] == int((reason == 2).sum())
    assert snapshot["provenance"]["licence_text"].startswith("MIT License")
    loaded = operability_from_dict(json.loads(json.dumps(snapshot)))
    np.testing.assert_array_equal(loaded.reason, reason)


def test_build_rejects_a_wheel_with_a_wrong_array(tmp_path):
    with pytest.raises(RuntimeError, match="expected reason"):
        build_operability(_wheel(tmp_path, np.zeros((4, 171, 364), dtype=np.int8)))


def _msaoper(tmp_path, entries, name="jwst_nirspec_msaoper_0042.json", **header):
    path = tmp_path / name
    path.write_text(json.dumps({"reftype": "MSAOPER", **header, "msaoper": entries}))
    return path


def test_crds_file_replaces_the_map(tmp_path):
    operability = default_operability()
    q, j, i = np.nonzero(operability.reason)
    states = {FAILED_CLOSED: "closed", FAILED_OPEN: "open"}
    entries = [
        {
            "Q": int(a + 1),
            "x": int(c + 1),
            "y": int(b + 1),
            "state": states[int(operability.reason[a, b, c])],
            "TA state": "closed",
            "Internal state": "normal",
            "Vignetted": "no",
        }
        for a, b, c in zip(q, j, i, strict=True)
    ]
    path = _msaoper(tmp_path, entries, useafter="2025-01-01T00:00:00")
    loaded = read_msaoper(path)
    np.testing.assert_array_equal(loaded.reason, operability.reason)
    assert loaded.name == "msaoper_0042 (CRDS file jwst_nirspec_msaoper_0042.json)"
    assert loaded.provenance["useafter"] == "2025-01-01T00:00:00"
    assert resolve_operability(path).counts == operability.counts


def test_states_normal_and_duplicates_keep_the_worse(tmp_path):
    entries = [
        {"Q": 2, "x": 10, "y": 20, "state": "closed"},
        {"Q": 2, "x": 10, "y": 20, "state": "Open"},
        {"Q": 2, "x": 10, "y": 20, "state": "closed"},
        {"Q": 3, "x": 1, "y": 1, "state": "normal"},
        {"Q": 4, "x": 365, "y": 171, "state": "stuck closed"},
    ]
    loaded = read_msaoper(_msaoper(tmp_path, entries, name="mine.json"))
    assert loaded.reason[1, 19, 9] == FAILED_OPEN
    assert loaded.reason[2, 0, 0] == 0
    assert loaded.reason[3, 170, 364] == FAILED_CLOSED
    assert loaded.counts == {"operable": 249_658, "failed_closed": 1, "failed_open": 1}
    assert loaded.name == "mine.json (msaoper file)"


@pytest.mark.parametrize(
    "entries, message",
    [
        ([{"Q": 1, "x": 1, "y": 1}], r"entry 1 has no 'state' \(its keys: 'Q, x, y'\)"),
        (
            [
                {"Q": 1, "x": 1, "y": 1, "state": "closed"},
                {"Q": 5, "x": 1, "y": 1, "state": "open"},
            ],
            r"entry 2: 'Q' \(the quadrant\) is 5; expected an integer from 1 to 4",
        ),
        ([{"Q": 1, "x": "12", "y": 1, "state": "open"}], r"entry 1: 'x' \(the column i\) is '12'"),
        ([{"Q": 1, "x": 1, "y": 172, "state": "open"}], r"'y' \(the row j\) is 172"),
        ([{"Q": 1, "x": 1.5, "y": 1, "state": "open"}], r"'x' .* is 1.5"),
        ([{"Q": True, "x": 1, "y": 1, "state": "open"}], r"'Q' .* is True"),
        ([{"Q": 1, "x": 1, "y": 1, "state": "broken"}], r"entry 1: 'state' is 'broken'"),
        ([{"Q": 1, "x": 1, "y": 1, "state": 3}], r"'state' is 3"),
        ([[1, 1, 1, "open"]], r"entry 1 is <a list of 4 items>; expected an object"),
    ],
)
def test_malformed_entries_name_the_file_and_the_entry(tmp_path, entries, message):
    path = _msaoper(tmp_path, entries)
    with pytest.raises(PrevisError, match=message) as caught:
        read_msaoper(path)
    assert str(path) in str(caught.value)


def test_malformed_files_name_the_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"msaoper": [\n{"Q": 1,,}]}')
    with pytest.raises(PrevisError, match=r"broken.json: not JSON \(line 2"):
        read_msaoper(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"shutters": []}))
    with pytest.raises(PrevisError, match=r"other.json: no \"msaoper\" list"):
        read_msaoper(other)
    with pytest.raises(PrevisError, match="missing.json: cannot read"):
        read_msaoper(tmp_path / "missing.json")


def test_map_shape_is_checked():
    with pytest.raises(PrevisError, match="shape"):
        OperabilityMap("bad", np.zeros((4, 171, 366)), {})
