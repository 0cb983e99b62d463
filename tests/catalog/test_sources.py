"""Tests for previs.catalog.sources against an independent brute-force point-in-polygon count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.catalog import Catalog
from previs.catalog.sources import count_sources
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.siaf import MSA_QUADRANTS
from previs.planning.plan import Plan, evaluate

NIRSPEC_TO_NIRCAM_APA = 138.649  # NIRSpec APA - NIRCam APA at one V3PA (FACTS.md)


# ---------------------------------------------------------------------------
# Independent reference: gnomonic projection written out from the textbook
# formulas, and an even-odd ray-casting test on each quadrilateral.


def gnomonic(ra0, dec0, ra, dec):
    """Standard gnomonic projection about (ra0, dec0), degrees in, degrees out (xi, eta)."""
    a0, d0 = np.radians(ra0), np.radians(dec0)
    a, d = np.radians(ra), np.radians(dec)
    cos_c = np.sin(d0) * np.sin(d) + np.cos(d0) * np.cos(d) * np.cos(a - a0)
    xi = np.cos(d) * np.sin(a - a0) / cos_c
    eta = (np.cos(d0) * np.sin(d) - np.sin(d0) * np.cos(d) * np.cos(a - a0)) / cos_c
    return np.degrees(xi), np.degrees(eta), cos_c


def inverse_gnomonic(ra0, dec0, xi_deg, eta_deg):
    a0, d0 = np.radians(ra0), np.radians(dec0)
    xi, eta = np.radians(xi_deg), np.radians(eta_deg)
    rho = np.hypot(xi, eta)
    c = np.arctan(rho)
    with np.errstate(invalid="ignore", divide="ignore"):
        dec = np.arcsin(
            np.cos(c) * np.sin(d0) + np.where(rho > 0, eta * np.sin(c) * np.cos(d0) / rho, 0)
        )
    ra = a0 + np.arctan2(
        xi * np.sin(c), rho * np.cos(d0) * np.cos(c) - eta * np.sin(d0) * np.sin(c)
    )
    return np.degrees(ra) % 360.0, np.degrees(dec)


def ray_cast(px, py, qx, qy):
    """Even-odd test of points (px, py) against the polygon with vertices (qx, qy)."""
    inside = np.zeros(px.shape, dtype=bool)
    n = len(qx)
    for i in range(n):
        x1, y1, x2, y2 = qx[i], qy[i], qx[(i + 1) % n], qy[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < x_cross)
    return inside


def brute_force(catalog, nirspec, nircam):
    """Quadrant (0-4) and depth per source, computed without previs' geometry code."""
    msa = nirspec_footprint(nirspec, MSA_QUADRANTS)
    sx, sy, cos_c = gnomonic(nirspec.ra, nirspec.dec, catalog.ra, catalog.dec)
    usable = cos_c > 0.1
    quadrant = np.zeros(len(catalog), dtype=int)
    for q in range(4):
        qx, qy, _ = gnomonic(nirspec.ra, nirspec.dec, msa.ra[q], msa.dec[q])
        quadrant[usable & ray_cast(sx, sy, qx, qy)] = q + 1
    depth = np.zeros(len(catalog), dtype=int)
    for exposure in range(nircam.n_exposures):
        seen = np.zeros(len(catalog), dtype=bool)
        for k in np.flatnonzero(nircam.exposures == exposure):
            qx, qy, _ = gnomonic(nirspec.ra, nirspec.dec, nircam.ra[k], nircam.dec[k])
            seen |= usable & ray_cast(sx, sy, qx, qy)
        depth += seen
    return quadrant, depth


def sources_around(nirspec, n, half_width_arcsec, seed):
    rng = np.random.default_rng(seed)
    xi = rng.uniform(-half_width_arcsec, half_width_arcsec, n) / 3600.0
    eta = rng.uniform(-half_width_arcsec, half_width_arcsec, n) / 3600.0
    ra, dec = inverse_gnomonic(nirspec.ra, nirspec.dec, xi, eta)
    flag = rng.choice(["P", "F"], n, p=[0.3, 0.7])
    return Catalog(ra, dec, flag, source=f"random-{seed}")


CASES = [
    # (ra, dec, nirspec apa, nircam apa offset from the same-V3PA value, dither, mosaic, channel)
    (53.1625, -27.7914, 45.0, 0.0, "FULL3", Mosaic(1, 1), "short"),
    (53.1625, -27.7914, 45.0, 37.0, "NONE", Mosaic(2, 1), "long"),
    (359.98, 0.5, 200.0, -60.0, "8NIRSPEC", Mosaic(1, 1), "short"),
    (0.01, -3.0, 310.0, 15.0, "FULL6", Mosaic(1, 2, 10.0, 5.0), "short"),
    (150.0, 88.9, 77.0, 90.0, "FULL3TIGHT", Mosaic(2, 2), "short"),
    (270.0, -89.7, 123.0, 0.0, "8NIRSPEC", Mosaic(2, 2), "short"),
]


@pytest.mark.parametrize("case", CASES)
def test_counts_match_brute_force(case):
    ra, dec, apa, delta, dither, mosaic, channel = case
    nirspec = Pointing(ra, dec, apa)
    nircam = nircam_footprint(
        Pointing(ra, dec, apa - NIRSPEC_TO_NIRCAM_APA + delta), channel, dither, mosaic
    )
    catalog = sources_around(nirspec, 6000, 700.0, seed=int(abs(dec) * 10))
    counts = count_sources(catalog, nirspec, nircam)
    quadrant, depth = brute_force(catalog, nirspec, nircam)
    np.testing.assert_array_equal(counts.quadrant, quadrant)
    np.testing.assert_array_equal(counts.depth, depth)
    assert counts.n_exposures == nircam.n_exposures
    # The random field must exercise every category.
    assert np.all(np.bincount(quadrant, minlength=5) > 0)
    assert (depth >= 1).any() and (depth == 0).any()

    summary = counts.to_dict()
    for kind, mask in (("primary", catalog.flag == "P"), ("filler", catalog.flag == "F")):
        in_msa = mask & (quadrant > 0)
        expected = {
            "total": int(mask.sum()),
            "in_msa": int(in_msa.sum()),
            "quadrants": {str(q): int((mask & (quadrant == q)).sum()) for q in range(1, 5)},
            "in_msa_imaged": int((in_msa & (depth >= 1)).sum()),
            "in_msa_depth2": int((in_msa & (depth >= 2)).sum()),
            "at_risk": int((in_msa & (depth == 0)).sum()),
            "imaged": int((mask & (depth >= 1)).sum()),
        }
        assert summary[kind] == expected
        np.testing.assert_array_equal(
            counts.at_risk_indices(kind), np.flatnonzero(in_msa & (depth == 0))
        )
        np.testing.assert_array_equal(
            counts.in_msa_imaged_indices(kind), np.flatnonzero(in_msa & (depth >= 1))
        )
        np.testing.assert_array_equal(counts.in_msa_indices(kind), np.flatnonzero(in_msa))
        np.testing.assert_array_equal(
            counts.imaged_indices(kind), np.flatnonzero(mask & (depth >= 1))
        )
        np.testing.assert_array_equal(
            counts.quadrant_indices(2, kind), np.flatnonzero(mask & (quadrant == 2))
        )


@settings(max_examples=15, deadline=None)
@given(
    ra=st.floats(0, 360, exclude_max=True),
    dec=st.floats(-89.9, 89.9),
    apa=st.floats(0, 360),
    nircam_apa=st.floats(0, 360),
    dither=st.sampled_from(["NONE", "FULL3", "FULL6", "8NIRSPEC"]),
    seed=st.integers(0, 2**31),
)
def test_counts_match_brute_force_anywhere(ra, dec, apa, nircam_apa, dither, seed):
    nirspec = Pointing(ra, dec, apa)
    nircam = nircam_footprint(Pointing(ra, dec, nircam_apa), "short", dither)
    catalog = sources_around(nirspec, 1500, 400.0, seed)
    counts = count_sources(catalog, nirspec, nircam)
    quadrant, depth = brute_force(catalog, nirspec, nircam)
    np.testing.assert_array_equal(counts.quadrant, quadrant)
    np.testing.assert_array_equal(counts.depth, depth)


def test_far_sources_count_as_outside():
    nirspec = Pointing(10.0, 20.0, 30.0)
    nircam = nircam_footprint(Pointing(10.0, 20.0, 30.0 - NIRSPEC_TO_NIRCAM_APA), "short", "FULL3")
    # The pointing itself (inside the MSA and imaged), its antipode, a point 90 deg away,
    # and the poles.
    catalog = Catalog([10.0, 190.0, 100.0, 0.0, 0.0], [20.0, -20.0, 0.0, 90.0, -90.0])
    counts = count_sources(catalog, nirspec, nircam)
    quadrant, depth = brute_force(catalog, nirspec, nircam)
    assert counts.depth[1:].tolist() == [0, 0, 0, 0]
    assert counts.quadrant[1:].tolist() == [0, 0, 0, 0]
    np.testing.assert_array_equal(counts.depth, depth)


def test_catalog_without_flags_has_zero_fillers():
    nirspec = Pointing(53.1625, -27.7914, 45.0)
    flagged = sources_around(nirspec, 2000, 300.0, seed=3)
    catalog = Catalog(flagged.ra, flagged.dec)
    counts = count_sources(catalog, nirspec, nircam_footprint(Pointing(53.1625, -27.7914, 0.0)))
    summary = counts.to_dict()
    assert summary["has_flags"] is False
    assert summary["primary"]["total"] == 2000
    assert all(value == 0 for key, value in summary["filler"].items() if key != "quadrants")
    assert all(value == 0 for value in summary["filler"]["quadrants"].values())
    assert summary["primary"]["in_msa"] > 0
    for key in ("total", "in_msa", "in_msa_imaged", "at_risk"):
        assert key in summary["primary"] and key in summary["filler"]


def test_plan_and_result_inputs_agree():
    plan = Plan.centred(dither="FULL3", mosaic=Mosaic(2, 1))
    catalog = sources_around(plan.nirspec, 3000, 500.0, seed=11)
    by_plan = count_sources(catalog, plan)
    by_result = count_sources(catalog, evaluate(plan))
    footprint = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    by_pointing = count_sources(catalog, plan.nirspec, footprint)
    for counts in (by_plan, by_result):
        np.testing.assert_array_equal(counts.quadrant, by_pointing.quadrant)
        np.testing.assert_array_equal(counts.depth, by_pointing.depth)


def test_recount_after_moving_nircam_reuses_projection_correctly():
    nirspec = Pointing(53.1625, -27.7914, 45.0)
    catalog = sources_around(nirspec, 3000, 500.0, seed=5)
    for nircam_apa in (0.0, 90.0, 200.0):
        for apa in (45.0, 100.0):
            moved = Pointing(nirspec.ra, nirspec.dec, apa)
            nircam = nircam_footprint(Pointing(53.17, -27.80, nircam_apa), "long", "FULL3")
            counts = count_sources(catalog, moved, nircam)
            quadrant, depth = brute_force(catalog, moved, nircam)
            np.testing.assert_array_equal(counts.quadrant, quadrant)
            np.testing.assert_array_equal(counts.depth, depth)


def test_empty_catalog_and_bad_arguments():
    nirspec = Pointing(1.0, 2.0, 3.0)
    nircam = nircam_footprint(Pointing(1.0, 2.0, 3.0))
    counts = count_sources(Catalog([], []), nirspec, nircam)
    assert counts.to_dict()["primary"]["total"] == 0
    assert len(counts.at_risk_indices("primary")) == 0
    with pytest.raises(ValueError, match="unknown source kind 'targets'"):
        counts.summary("targets")
    with pytest.raises(ValueError, match="quadrant must be 1, 2, 3 or 4"):
        counts.quadrant_indices(5)
    with pytest.raises(ValueError, match="needs a NIRCam footprint"):
        count_sources(Catalog([], []), nirspec)
    with pytest.raises(ValueError, match="got str"):
        count_sources(Catalog([], []), "plan")


def test_several_pointings_each_and_together_match_brute_force():
    from previs.catalog.sources import count_sources_by_pointing

    first = Pointing(53.1625, -27.7914, 45.0)
    pointings = (first, Pointing(53.1725, -27.7814, 60.0), Pointing(53.1575, -27.7914, 45.0))
    plan = Plan(
        first,
        Pointing(53.1625, -27.7814, 300.0),
        "FULL3",
        Mosaic(1, 2),
        extra_nirspec=pointings[1:],
    )
    catalog = sources_around(first, 6000, 500.0, seed=11)
    result = evaluate(plan)
    together, each = count_sources_by_pointing(catalog, result)
    assert count_sources(catalog, result).to_dict() == together.to_dict()
    assert count_sources(catalog, plan).to_dict() == together.to_dict()
    quadrants = []
    for k, (pointing, counts) in enumerate(zip(pointings, each, strict=True), start=1):
        quadrant, depth = brute_force(catalog, pointing, result.nircam)
        np.testing.assert_array_equal(counts.quadrant, quadrant)
        np.testing.assert_array_equal(counts.depth, depth)
        np.testing.assert_array_equal(counts.pointing, np.where(quadrant > 0, k, 0))
        quadrants.append(quadrant)
    quadrants = np.array(quadrants)
    holder = np.argmax(quadrants > 0, axis=0)  # the first pointing holding each source
    inside = (quadrants > 0).any(axis=0)
    np.testing.assert_array_equal(together.in_msa, inside)
    np.testing.assert_array_equal(
        together.quadrant, np.where(inside, quadrants[holder, np.arange(len(catalog))], 0)
    )
    np.testing.assert_array_equal(together.pointing, np.where(inside, holder + 1, 0))
    # the field tells: some sources in one pointing only, some in several
    assert ((quadrants > 0).sum(axis=0) == 1).any() and ((quadrants > 0).sum(axis=0) > 1).any()
    assert together.summary("all")["in_msa"] > max(c.summary("all")["in_msa"] for c in each)


def test_one_pointing_by_pointing_is_the_plain_count():
    from previs.catalog.sources import count_sources_by_pointing

    plan = Plan.centred(dither="FULL3")
    catalog = sources_around(plan.nirspec, 500, 300.0, seed=3)
    together, each = count_sources_by_pointing(catalog, plan)
    assert each == (together,)
    np.testing.assert_array_equal(together.pointing, (together.quadrant > 0).astype(int))
