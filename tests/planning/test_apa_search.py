"""Worst-case coverage over an APA range and the configuration search, checked by brute force."""

from __future__ import annotations

import numpy as np
import pytest

from previs.geometry.attitude import Pointing, offset_pointing
from previs.geometry.coverage import compute_coverage
from previs.geometry.footprints import nircam_footprint
from previs.geometry.patterns import Mosaic
from previs.geometry.projection import TangentPlane
from previs.planning.search import search_configuration
from previs.planning.sweep import apa_grid, worst_case_coverage

RA, DEC = 150.1, 2.2


def brute_force(nircam: Pointing, apas: np.ndarray, dither: str, mosaic: Mosaic | None) -> list:
    footprint = nircam_footprint(nircam, "short", dither, mosaic)
    return [compute_coverage(Pointing(RA, DEC, apa), footprint).covered for apa in apas]


def test_apa_grid_wraps_and_keeps_both_ends() -> None:
    grid = apa_grid((358.0, 3.0), 0.5)
    assert len(grid) == 11
    assert grid[0] == pytest.approx(358.0) and grid[-1] == pytest.approx(3.0)
    assert np.all((grid >= 0) & (grid < 360))
    steps = np.mod(np.diff(grid), 360.0)
    np.testing.assert_allclose(steps, 0.5)
    uneven = apa_grid((10.0, 11.2), 0.5)
    assert uneven[0] == 10.0 and uneven[-1] == pytest.approx(11.2)
    assert np.all(np.diff(uneven) <= 0.5 + 1e-12)
    assert len(apa_grid((0.0, 360.0), 1.0)) == 361
    with pytest.raises(ValueError, match="step"):
        apa_grid((0, 10), 0)
    with pytest.raises(ValueError, match="APA range"):
        apa_grid((0, "x"), 1)


@pytest.mark.parametrize(
    "apa_range, nircam_apa, dither, mosaic",
    [
        ((40.0, 50.0), 270.0, "FULL3", Mosaic(2, 1)),
        ((356.0, 4.0), 225.0, "NONE", None),  # wraps through 0
    ],
)
def test_worst_case_matches_brute_force(apa_range, nircam_apa, dither, mosaic) -> None:
    nircam = Pointing(RA, DEC, nircam_apa)
    result = worst_case_coverage(
        Pointing(RA, DEC, 0.0), nircam, apa_range, "short", dither, mosaic, step=1.0
    )
    assert result.apas[0] == pytest.approx(apa_range[0])
    assert result.apas[-1] == pytest.approx(apa_range[1])
    expected = brute_force(nircam, result.apas, dither, mosaic)
    np.testing.assert_allclose(result.covered, expected, atol=1e-6)
    i = int(np.argmin(expected))
    assert result.min == pytest.approx(expected[i], abs=1e-6)
    assert result.apa_at_min == pytest.approx(result.apas[i])
    assert result.to_dict()["apa_range"] == list(apa_range)


def test_offset_pointing_moves_along_ideal_axes() -> None:
    plane = TangentPlane(RA, DEC)
    same = offset_pointing(RA, DEC, 30.0, 0.0, 0.0)
    assert (same.ra, same.dec) == pytest.approx((RA, DEC))
    # +Y ideal points along the APA; X is perpendicular; lengths are kept.
    moved = offset_pointing(RA, DEC, 30.0, 0.0, 40.0)
    x, y = plane.to_plane(np.array([moved.ra]), np.array([moved.dec]))
    assert np.hypot(x[0], y[0]) == pytest.approx(40.0, rel=1e-3)
    assert np.degrees(np.arctan2(x[0], y[0])) == pytest.approx(30.0, abs=0.05)
    side = offset_pointing(RA, DEC, 30.0, 25.0, 0.0)
    x, y = plane.to_plane(np.array([side.ra]), np.array([side.dec]))
    assert np.hypot(x[0], y[0]) == pytest.approx(25.0, rel=1e-3)
    assert abs((np.degrees(np.arctan2(x[0], y[0])) - 30.0) % 180.0 - 90.0) < 0.1


def test_search_reaches_target_verified_independently() -> None:
    nirspec_range = (355.0, 5.0)
    nircam_range = (220.0, 230.0)
    messages = []
    result = search_configuration(
        RA,
        DEC,
        nirspec_range,
        nircam_range,
        target=0.99,
        dithers=("NONE", "FULL3", "FULL3TIGHT"),
        mosaics=[Mosaic(1, 1), Mosaic(2, 1), Mosaic(1, 2), Mosaic(2, 2)],
        offsets_arcsec=(-15.0, 0.0, 15.0),
        n_nircam_apas=2,
        progress=lambda fraction, message: messages.append((fraction, message)),
    )
    best = result.best
    assert best is not None and best.refined and best.worst >= 0.99
    # Independent check: compute_coverage at every 0.5 deg of the range.
    apas = np.mod(np.arange(355.0, 365.01, 0.5), 360.0)
    covered = brute_force(best.nircam, apas, best.dither, best.mosaic)
    assert min(covered) >= 0.99
    assert min(covered) == pytest.approx(best.worst, abs=1e-6)
    # NIRCam APA within its allowed range.
    assert 220.0 <= best.nircam.apa <= 230.0
    # Nothing with fewer exposures reached the target on the fine grid.
    assert all(
        not (c.refined and c.worst >= 0.99)
        for c in result.candidates
        if c.exposures < best.exposures
    )
    keys = [(c.exposures, -c.worst) for c in result.candidates]
    assert keys == sorted(keys)
    assert [row["exposures"] for row in result.trade_off] == sorted(
        {c.exposures for c in result.candidates}
    )
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert result.to_dict()["best"]["dither"] == best.dither


def test_search_reports_failure_and_trade_off() -> None:
    result = search_configuration(
        RA,
        DEC,
        (40.0, 50.0),
        (265.0, 275.0),
        target=0.99,
        dithers=("NONE",),
        mosaics=[Mosaic(1, 1)],
        offsets_arcsec=(0.0,),
        n_nircam_apas=1,
    )
    assert result.best is None
    assert len(result.trade_off) == 1 and result.trade_off[0]["refined"]
    expected = brute_force(result.candidates[0].nircam, apa_grid((40.0, 50.0), 0.5), "NONE", None)
    assert result.trade_off[0]["worst"] == pytest.approx(min(expected), abs=1e-6)


def test_search_bad_target() -> None:
    with pytest.raises(ValueError, match="target"):
        search_configuration(RA, DEC, (0, 10), (0, 10), target=1.5)


def test_coverage_plot_of_a_full_circle_runs_forward():
    """A 0-360 sweep ends at 360, not back at 0 (no stray line across the plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from previs.geometry.attitude import Pointing
    from previs.planning.sweep import worst_case_coverage
    from previs.plotting.schedule import plot_coverage_vs_apa

    for apa_range in [(0.0, 360.0), (355.0, 5.0)]:
        result = worst_case_coverage(Pointing(53, -27, 0), Pointing(53, -27, 10), apa_range, step=5)
        x = plot_coverage_vs_apa(result).lines[0].get_xdata()
        assert np.all(np.diff(x) > 0)
        assert x[-1] - x[0] == (apa_range[1] - apa_range[0]) % 360 or x[-1] - x[0] == 360


def brute_force_usable(nircam: Pointing, apas, dither: str, mosaic: Mosaic | None) -> list:
    """Usable coverage at each APA by the Green integral over a fresh covering."""
    from previs.geometry.usable import usable_coverage

    footprint = nircam_footprint(nircam, "short", dither, mosaic)
    values = []
    for apa in apas:
        pointing = Pointing(RA, DEC, apa)
        covering = compute_coverage(pointing, footprint, 1).covering
        values.append(usable_coverage(pointing, covering).covered)
    return values


def test_search_with_a_usable_criterion_reaches_both_targets() -> None:
    settings = dict(
        target=0.7,
        dithers=("NONE", "FULL3"),
        mosaics=[Mosaic(1, 1), Mosaic(2, 1), Mosaic(3, 1)],
        offsets_arcsec=(0.0, 15.0),
        n_nircam_apas=1,
    )
    plain = search_configuration(RA, DEC, (40.0, 46.0), (265.0, 275.0), **settings)
    strict = search_configuration(
        RA, DEC, (40.0, 46.0), (265.0, 275.0), usable_target=0.95, **settings
    )
    best = strict.best
    assert best is not None and best.refined and best.worst >= 0.7
    assert best.worst_usable >= 0.95
    apas = apa_grid((40.0, 46.0), 0.5)
    usable = brute_force_usable(best.nircam, apas, best.dither, best.mosaic)
    assert min(usable) == pytest.approx(best.worst_usable, abs=1e-6)
    assert min(brute_force(best.nircam, apas, best.dither, best.mosaic)) >= 0.7
    # The area target alone is met with fewer exposures, whose usable coverage falls short.
    cheap = plain.best
    assert cheap.exposures < best.exposures
    assert min(brute_force_usable(cheap.nircam, apas, cheap.dither, cheap.mosaic)) < 0.95
    assert strict.usable_target == 0.95 and strict.to_dict()["usable_target"] == 0.95
    assert "worst_usable" in strict.to_dict()["best"]
    assert "worst_usable" not in plain.to_dict()["best"]
    assert strict.settings["operability"].startswith("msaoper_0017")
    for c in strict.candidates:
        if c.refined and c.exposures < best.exposures and c.worst_usable is not None:
            assert c.worst < 0.7 or c.worst_usable < 0.95
    with pytest.raises(ValueError, match="usable coverage target"):
        search_configuration(RA, DEC, (0, 10), (0, 10), usable_target=0.0)


def test_search_with_several_nirspec_pointings_measures_them_together() -> None:
    """With a pattern of two NIRSpec pointings, the best configuration's worst case is the
    plan's (every pointing turned together), computed independently by evaluate."""
    from previs.planning.nirspec_pattern import NirspecPattern
    from previs.planning.plan import Plan, evaluate

    first = Pointing(RA, DEC, 0.0)
    second = Pointing(RA + 0.02, DEC, 0.0)  # 64" east: the MSAs overlap in part
    pattern = NirspecPattern(first, (second,))
    kwargs = dict(
        target=0.97,
        dithers=("FULL3",),
        mosaics=[Mosaic(1, 1), Mosaic(2, 1), Mosaic(3, 1)],
        offsets_arcsec=(-30.0, 0.0, 30.0),
        n_nircam_apas=1,
    )
    result = search_configuration(RA, DEC, (355.0, 5.0), (220.0, 230.0), **kwargs,
                                  nirspec_pattern=pattern)  # fmt: skip
    best = result.best
    assert best is not None and best.refined
    plan = Plan(first, best.nircam, best.dither, best.mosaic, extra_nirspec=(second,),
                nirspec_apa_range=(355.0, 5.0))  # fmt: skip
    assert evaluate(plan).worst_case.min == pytest.approx(best.worst, abs=1e-9)
    alone = search_configuration(RA, DEC, (355.0, 5.0), (220.0, 230.0), **kwargs)
    assert alone.best.exposures < best.exposures  # one MSA needs fewer exposures
