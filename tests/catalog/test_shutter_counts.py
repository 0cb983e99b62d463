"""Targets in usable shutters and MSATA reference stars: against sources put on known shutters
of pysiaf's tables, the operability array itself, and per-APA brute-force loops."""

from __future__ import annotations

import numpy as np
import pytest

from previs.catalog import Catalog, count_sources, summarize
from previs.catalog.msata import MSATA_BINS, msata_for_catalog, msata_worst_case
from previs.geometry.attitude import Pointing
from previs.geometry.operability import default_operability
from previs.geometry.patterns import Mosaic
from previs.geometry.shutters import place_sources
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture
from previs.planning.plan import Plan, evaluate
from previs.planning.sweep import apa_grid

RA, DEC, APA = 53.1625, -27.7914, 45.0


@pytest.fixture(scope="module")
def known(pysiaf, msa_tables):
    """200 sources on tabulated shutters: half at the centre, half 0.45 pitch along i (on
    the bar); their quadrant, i, j and sky position by pysiaf's attitude."""
    from pysiaf.utils import rotations

    rng = np.random.default_rng(5)
    ref = get_aperture(NIRSPEC_REFERENCE)
    attitude = rotations.attitude(ref.v2_ref, ref.v3_ref, RA, DEC, APA - ref.v3_idl_yang)
    rows = []
    for q, table in msa_tables.items():
        grid2 = np.full((172, 366), np.nan)
        grid3 = np.full((172, 366), np.nan)
        grid2[table["J"], table["I"]] = table["V2"]
        grid3[table["J"], table["I"]] = table["V3"]
        for _ in range(50):
            i, j = int(rng.integers(2, 364)), int(rng.integers(2, 170))
            shift = 0.45 if len(rows) % 2 else 0.0
            v2 = grid2[j, i] + shift * (grid2[j, i + 1] - grid2[j, i])
            v3 = grid3[j, i] + shift * (grid3[j, i + 1] - grid3[j, i])
            rows.append((q, i, j, shift > 0, *rotations.pointing(attitude, v2, v3)))
    q, i, j, bar, ra, dec = (np.array(column) for column in zip(*rows, strict=True))
    return q, i, j, bar, ra, dec


def test_shutter_counts_match_the_known_shutters(known):
    q, i, j, bar, ra, dec = known
    flags = np.where(np.arange(len(q)) % 3 == 0, "F", "P")
    catalog = Catalog(ra, dec, flags)
    plan = Plan.centred(RA, DEC, APA, dither="FULL3", mosaic=Mosaic(1, 1), channel="long")
    summary = summarize(plan, catalog)
    placed = summary.shutters
    np.testing.assert_array_equal(placed.quadrant, q)
    np.testing.assert_array_equal(placed.i, i)
    np.testing.assert_array_equal(placed.j, j)
    np.testing.assert_array_equal(placed.on_bar, bar)
    operable = default_operability().reason[q - 1, j - 1, i - 1] == 0
    imaged = count_sources(catalog, evaluate(plan)).imaged
    assert 0 < imaged.sum() < len(q) and 0 < operable.sum() < len(q)
    counts = summary.plan_counts
    np.testing.assert_array_equal(counts.in_usable_shutter, operable)
    np.testing.assert_array_equal(counts.in_usable_shutter_imaged, operable & imaged)
    for kind, mask in (("primary", flags == "P"), ("filler", flags == "F")):
        got = counts.shutter_summary(kind)
        assert got["in_usable_shutter"] == int((mask & operable).sum())
        assert got["in_usable_shutter_imaged"] == int((mask & operable & imaged).sum())
        assert got["on_bar"] == int((mask & operable & imaged & bar).sum())
    shutters = counts.shutters_dict()
    assert shutters["operability"] == default_operability().name and "reference" not in shutters
    with pytest.raises(ValueError, match="no shutters"):
        count_sources(catalog, evaluate(plan)).shutter_summary("primary")


def brute_force_msata(catalog, apas, pre_imaged):
    """Per APA: place every reference star on its own and count each bin in a plain loop."""
    best = []
    for apa in apas:
        usable_by_bin = []
        for magnitude_bin in MSATA_BINS:
            values = catalog.magnitudes.get(magnitude_bin.column)
            count = 0
            for k in np.flatnonzero(catalog.reference):
                if values is None or not (magnitude_bin.bright <= values[k] <= magnitude_bin.faint):
                    continue
                one = place_sources(Pointing(RA, DEC, apa), catalog.ra[k], catalog.dec[k])
                if one.usable[0] and pre_imaged[k]:
                    count += 1
            usable_by_bin.append(count)
        best.append(max(usable_by_bin))
    return np.array(best)


def test_msata_over_the_apa_range_matches_a_brute_force_loop(known):
    q, i, j, bar, ra, dec = known
    rng = np.random.default_rng(8)
    n = len(q)
    flags = rng.choice(["P", "F", "R"], n, p=[0.2, 0.2, 0.6])
    magnitudes = {"NRS_F110W": rng.uniform(19.0, 24.5, n), "NRS_CLEAR": rng.uniform(20, 26, n)}
    magnitudes["NRS_F110W"][::5] = np.nan
    catalog = Catalog(ra, dec, flags, magnitudes=magnitudes)
    pre_imaged = rng.random(n) < 0.8
    apas = apa_grid((44.0, 46.0), 0.5)
    worst = msata_worst_case(catalog, Pointing(RA, DEC, 0.0), apas, pre_imaged)
    expected = brute_force_msata(catalog, apas, pre_imaged)
    np.testing.assert_array_equal(worst.best_usable, expected)
    assert worst.min == expected.min() and worst.apa_at_min == apas[int(np.argmin(expected))]
    assert worst.feasible == bool((expected >= 5).all())
    # At the plan's own APA the stars sit on the known shutters: the counts follow from the
    # operability array, bin by bin.
    operable = default_operability().reason[q - 1, j - 1, i - 1] == 0
    report = msata_for_catalog(catalog, operable, pre_imaged)
    at_apa = msata_worst_case(catalog, Pointing(RA, DEC, APA), [APA], pre_imaged)
    assert at_apa.at_min == report
    for count in report.bins:
        values = catalog.magnitudes.get(count.bin.column, np.full(n, np.nan))
        with np.errstate(invalid="ignore"):
            in_range = (
                catalog.reference & (values >= count.bin.bright) & (values <= count.bin.faint)
            )
        assert count.in_range == in_range.sum()
        assert count.usable == (in_range & operable & pre_imaged).sum()
    data = worst.to_dict()
    assert data["best_usable"] == expected.tolist() and data["at_min"]["bins"]


def test_summary_msata_and_its_worst_case(known):
    q, i, j, bar, ra, dec = known
    n = len(q)
    flags = np.where(np.arange(n) % 2, "R", "P")
    catalog = Catalog(ra, dec, flags, magnitudes={"NRS_F140X": np.linspace(20.0, 23.0, n)})
    plan = Plan.centred(
        RA, DEC, APA, dither="FULL3", mosaic=Mosaic(2, 1), nirspec_apa_range=(43.0, 47.0)
    )
    summary = summarize(plan, catalog)
    imaged = summary.plan_counts.imaged
    assert summary.msata == msata_for_catalog(catalog, summary.shutters.usable, imaged)
    direct = msata_worst_case(catalog, plan.nirspec, summary.result.worst_case.apas, imaged)
    np.testing.assert_array_equal(summary.msata_worst_case.best_usable, direct.best_usable)
    # The worst case does not depend on the NIRSpec APA shown (inside the range).
    moved = summarize(plan.replace(nirspec=Pointing(RA, DEC, 44.0)), catalog)
    assert moved.msata_worst_case is summary.msata_worst_case
    assert summary.plan_counts.shutters_dict()["reference"]["in_usable_shutter"] == int(
        (summary.shutters.usable & catalog.reference).sum()
    )
    plain = summarize(plan, Catalog(ra, dec))
    assert plain.msata is None and plain.msata_worst_case is None
    assert summarize(plan).shutters is None


def test_several_pointings_a_target_counts_where_it_has_a_usable_shutter(known):
    q, i, j, bar, ra, dec = known
    catalog = Catalog(ra, dec)
    first = Plan.centred(RA, DEC, APA, dither="FULL3", mosaic=Mosaic(2, 1))
    far = Pointing(RA + 1.0, DEC, APA)  # its MSA holds none of the sources
    plan = first.replace(extra_nirspec=(far,))
    summary = summarize(plan, catalog)
    own = place_sources(first.nirspec, ra, dec)
    assert len(summary.pointing_shutters) == 2
    np.testing.assert_array_equal(summary.shutters.i, own.i)
    assert not summary.pointing_shutters[1].on_msa.any()
    together = summary.plan_counts
    np.testing.assert_array_equal(together.in_usable_shutter, own.usable)
    each = summary.pointing_counts[plan.channel]
    assert each[1].shutter_summary("primary")["in_usable_shutter"] == 0
    assert each[0].shutter_summary("primary") == together.shutter_summary("primary")
    # Swapped: the far pointing first, the sources' pointing second.
    swapped = summarize(
        Plan(far, first.nircam, "FULL3", Mosaic(2, 1), extra_nirspec=(first.nirspec,)), catalog
    )
    np.testing.assert_array_equal(swapped.plan_counts.in_usable_shutter, own.usable)
    np.testing.assert_array_equal(swapped.plan_counts.shutters.j[own.usable], own.j[own.usable])
