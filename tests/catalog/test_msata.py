"""MSATA reference-star counts against direct per-star checks."""

from __future__ import annotations

import numpy as np
import pytest

from previs.catalog.msata import (
    MIN_REFERENCE_STARS,
    MSATA_BINS,
    dither_readout_bins,
    msata_reference_stars,
)
from previs.errors import CatalogError, PrevisError


def test_table_holds_the_jdox_numbers():
    table = {(b.readout, b.band): (b.faint, b.bright) for b in MSATA_BINS}
    assert table == {
        ("NRSRAPID", "F110W"): (22.0, 19.5),
        ("NRSRAPID", "F140X"): (23.0, 20.6),
        ("NRSRAPID", "CLEAR"): (23.8, 21.3),
        ("NRSRAPIDD6", "F110W"): (24.0, 21.3),
        ("NRSRAPIDD6", "F140X"): (25.0, 22.3),
        ("NRSRAPIDD6", "CLEAR"): (25.7, 23.1),
    }
    assert all(b.bright < b.faint for b in MSATA_BINS)
    assert MSATA_BINS[0].column == "NRS_F110W" and MSATA_BINS[0].label == "NRSRAPID F110W 19.5-22.0"
    assert MIN_REFERENCE_STARS == 5
    d1, d2 = dither_readout_bins("CLEAR")
    assert (d1.readout, d1.faint, d1.bright, d2.faint, d2.bright) == (
        "NRSRAPIDD1",
        24.5,
        21.9,
        24.9,
        22.2,
    )
    with pytest.raises(PrevisError, match="TA band 'F200W' is unknown"):
        dither_readout_bins("F200W")


def test_counts_agree_with_a_per_star_loop():
    rng = np.random.default_rng(4)
    n = 400
    magnitudes = {
        "NRS_F110W": rng.uniform(18, 26, n),
        "NRS_F140X": rng.uniform(18, 26, n),
        "NRS_CLEAR": rng.uniform(18, 26, n),
    }
    magnitudes["NRS_F140X"][::7] = np.nan
    reference = rng.random(n) < 0.3
    operable = rng.random(n) < 0.7
    pre_imaged = rng.random(n) < 0.8
    report = msata_reference_stars(magnitudes, reference, operable, pre_imaged)
    assert report.reference_stars == reference.sum()
    for count in report.bins:
        values = magnitudes[count.bin.column]
        expected = [0, 0, 0]
        for k in range(n):
            if reference[k] and count.bin.bright <= values[k] <= count.bin.faint:
                expected[0] += 1
                if operable[k]:
                    expected[1] += 1
                    if pre_imaged[k]:
                        expected[2] += 1
        assert (count.in_range, count.operable, count.usable) == tuple(expected)
        assert count.feasible == (expected[2] >= 5)
    assert report.feasible == any(c.usable >= 5 for c in report.bins)
    assert report.best.usable == max(c.usable for c in report.bins)


def test_feasible_needs_five_usable_stars_in_one_bin():
    # Nine reference stars at F110W 21: in NRSRAPID F110W (19.5-22.0) and D6 F110W (21.3-24.0)?
    # 21.0 < 21.3, so only in NRSRAPID F110W.
    mags = {"NRS_F110W": [21.0] * 9}
    reference = [True] * 9
    operable = [True] * 5 + [False] * 4
    imaged = [True] * 4 + [False] + [True] * 4
    report = msata_reference_stars(mags, reference, operable, imaged)
    counts = {c.bin.label: (c.in_range, c.operable, c.usable) for c in report.bins}
    assert counts["NRSRAPID F110W 19.5-22.0"] == (9, 5, 4)
    assert counts["NRSRAPIDD6 F110W 21.3-24.0"] == (0, 0, 0)
    assert not report.feasible
    imaged[4] = True
    report = msata_reference_stars(mags, reference, operable, imaged)
    assert report.feasible and report.best.bin.label == "NRSRAPID F110W 19.5-22.0"
    data = report.to_dict()
    assert data["feasible"] is True and data["best"] == "NRSRAPID F110W 19.5-22.0"
    assert len(data["bins"]) == len(MSATA_BINS) and "JDox" in data["source"]
    # The limits are inclusive; a lower minimum is a parameter.
    edge = msata_reference_stars(
        {"NRS_CLEAR": [21.3, 23.8, 23.81]}, [1, 1, 1], [1, 1, 1], [1, 1, 1], minimum=2
    )
    clear = next(c for c in edge.bins if c.bin.label == "NRSRAPID CLEAR 21.3-23.8")
    assert clear.usable == 2 and clear.feasible and edge.minimum == 2


def test_missing_magnitudes_and_columns():
    mags = {
        "NRS_F140X": np.ma.masked_array([22.0, 22.0, 22.0], mask=[False, True, False]),
        "NRS_CLEAR": ["22.5", "", None],
        "OTHER": ["x", "y", "z"],
    }
    report = msata_reference_stars(mags, [True] * 3, [True] * 3, [True] * 3)
    by_label = {c.bin.label: c.in_range for c in report.bins}
    assert by_label["NRSRAPID F140X 20.6-23.0"] == 2
    assert by_label["NRSRAPID CLEAR 21.3-23.8"] == 1
    assert by_label["NRSRAPID F110W 19.5-22.0"] == 0
    none = msata_reference_stars({}, [True], [True], [True])
    assert not none.feasible and none.best.usable == 0


def test_bad_input_is_named_by_row():
    with pytest.raises(
        CatalogError, match=r"targets.csv, row 2: NRS_F110W 'bright' is not a number"
    ):
        msata_reference_stars(
            {"NRS_F110W": ["21.0", "bright"]},
            [True, True],
            [True, True],
            [True, True],
            name="targets.csv",
        )
    with pytest.raises(CatalogError, match="column 'NRS_CLEAR' has 2 values for 3 sources"):
        msata_reference_stars({"NRS_CLEAR": [1.0, 2.0]}, [True] * 3, [True] * 3, [True] * 3)
    with pytest.raises(CatalogError, match="operable must be true/false"):
        msata_reference_stars({}, [True], [0.5], [True])
    with pytest.raises(CatalogError, match="2 pre-imaged values for 1 sources"):
        msata_reference_stars({}, [True], [True], [True, False])
    with pytest.raises(PrevisError, match="at least 1"):
        msata_reference_stars({}, [True], [True], [True], minimum=0)
