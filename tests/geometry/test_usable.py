"""Usable-MSA coverage against an exact shapely count of the open areas."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from previs.geometry.attitude import Pointing, nircam_apa_for, tel_to_sky
from previs.geometry.coverage import compute_coverage, msa_geometry, rotate_about_origin
from previs.geometry.footprints import nircam_footprint
from previs.geometry.operability import OperabilityMap, default_operability
from previs.geometry.patterns import Mosaic
from previs.geometry.projection import TangentPlane
from previs.geometry.shutter_model import msa_shutters
from previs.geometry.shutters import nirspec_attitude
from previs.geometry.usable import (
    grid_outline,
    open_area_corners,
    usable_coverage,
    usable_msa_coverage,
)

RA, DEC = 53.1625, -27.7914


def covered_area(nirspec, nircam, channel, dither, mosaic, clip=True):
    """The covered region in the NIRSpec tangent plane, as compute_coverage defines it."""
    footprint = nircam_footprint(nircam, channel, dither, mosaic)
    msa = msa_geometry(nirspec)
    if clip:
        return shapely.difference(msa.union, compute_coverage(nirspec, footprint, 1).uncovered)
    x, y = msa.plane.to_plane(footprint.ra, footprint.dec)
    return shapely.union_all(shapely.polygons(np.stack([x, y], axis=-1)))


def table_open_areas(nirspec, msa_tables, operable):
    """Open-area polygons of the operable shutters, from the tabulated centres and the local
    pitch vectors (central differences of the tables), in the NIRSpec tangent plane."""
    h, k = (f / 2 for f in msa_shutters().open_fraction)
    matrix = nirspec_attitude(nirspec)
    plane = TangentPlane(nirspec.ra, nirspec.dec)
    result = []
    for q, table in msa_tables.items():
        v2 = np.zeros((171, 365))
        v3 = np.zeros((171, 365))
        v2[table["J"] - 1, table["I"] - 1] = table["V2"]
        v3[table["J"] - 1, table["I"] - 1] = table["V3"]
        e2j, e2i = np.gradient(v2)
        e3j, e3i = np.gradient(v3)
        corners2 = np.stack([v2 + si * h * e2i + sj * k * e2j for si, sj in _SIGNS], -1)
        corners3 = np.stack([v3 + si * h * e3i + sj * k * e3j for si, sj in _SIGNS], -1)
        mask = operable[q - 1]
        ra, dec = tel_to_sky(matrix, corners2[mask], corners3[mask])
        x, y = plane.to_plane(ra, dec)
        result.append(shapely.polygons(np.stack([x, y], axis=-1)))
    return result


_SIGNS = ((-1, -1), (1, -1), (1, 1), (-1, 1))


def exact_fractions(area, polygons_by_quadrant):
    shapely.prepare(area)
    covered, total = {}, {}
    for q, polygons in enumerate(polygons_by_quadrant, start=1):
        full = shapely.contains(area, polygons)
        part = shapely.intersects(area, polygons) & ~full
        areas = shapely.area(polygons)
        covered[q] = (
            areas[full].sum() + shapely.area(shapely.intersection(area, polygons[part])).sum()
        )
        total[q] = areas.sum()
    overall = sum(covered.values()) / sum(total.values())
    return overall, {q: covered[q] / total[q] for q in covered}


def _centred(apa):
    return Pointing(RA, DEC, apa), Pointing(RA, DEC, nircam_apa_for(apa))


CASES = [
    (*_centred(45.0), "short", "8NIRSPEC", Mosaic(2, 2)),
    (*_centred(45.0), "short", "NONE", Mosaic(1, 1)),
    (*_centred(100.0), "long", "FULL3", Mosaic(1, 1)),
    (Pointing(150.1, 2.2, 200.0), Pointing(150.12, 2.21, 61.35), "short", "FULL6", Mosaic(1, 2)),
    (Pointing(0.01, 70.0, 320.0), Pointing(359.99, 70.0, 100.0), "long", "NONE", Mosaic(2, 1)),
]


@pytest.mark.parametrize("nirspec, nircam, channel, dither, mosaic", CASES)
def test_usable_coverage_matches_an_exact_polygon_count(
    msa_tables, nirspec, nircam, channel, dither, mosaic
):
    operability = default_operability()
    area = covered_area(nirspec, nircam, channel, dither, mosaic)
    usable = usable_coverage(nirspec, area, operability)
    overall, quadrants = exact_fractions(
        area, table_open_areas(nirspec, msa_tables, operability.operable)
    )
    assert usable.covered == pytest.approx(overall, abs=3e-6)
    for q in range(1, 5):
        assert usable.quadrants[q] == pytest.approx(quadrants[q], abs=3e-6)
    assert usable.operability == operability.name


def test_region_with_holes_and_all_shutters_operable(msa_tables):
    nirspec = Pointing(RA, DEC, 45.0)
    msa = msa_geometry(nirspec)
    centres = [quadrant.centroid for quadrant in msa.quadrants]
    holes = shapely.union_all(
        [shapely.Point(c.x + dx, c.y).buffer(r) for c in centres for dx, r in ((0, 15), (25, 7))]
        + [shapely.Point(0, 0).buffer(80)]
    )
    area = shapely.difference(msa.union, holes)
    assert sum(len(p.interiors) for p in shapely.get_parts(area)) >= 1
    everything = OperabilityMap("all operable", np.zeros((4, 171, 365), np.int8), {})
    usable = usable_coverage(nirspec, area, everything)
    overall, quadrants = exact_fractions(
        area, table_open_areas(nirspec, msa_tables, everything.operable)
    )
    assert usable.covered == pytest.approx(overall, abs=3e-6)
    for q in range(1, 5):
        assert usable.quadrants[q] == pytest.approx(quadrants[q], abs=3e-6)


def test_empty_and_complete_coverage():
    nirspec = Pointing(RA, DEC, 45.0)
    empty = usable_coverage(nirspec, shapely.Polygon())
    assert empty.covered == 0.0 and set(empty.quadrants.values()) == {0.0}
    whole = usable_coverage(nirspec, shapely.box(-400, -400, 400, 400))
    assert whole.covered == pytest.approx(1.0, abs=1e-12)
    assert all(v == pytest.approx(1.0, abs=1e-12) for v in whole.quadrants.values())
    # The operable open area is what the operability map says it is.
    shutters = msa_shutters()
    fraction = np.prod(shutters.open_fraction)
    cells = sum(
        (model.cell_areas() * default_operability().operable[q]).sum()
        for q, model in enumerate(shutters.quadrants)
    )
    assert whole.usable_area == pytest.approx(cells * fraction, rel=1e-12)
    assert whole.to_dict()["quadrants"].keys() == {"1", "2", "3", "4"}


def test_siaf_outline_clips_a_sliver_of_edge_shutters():
    """Covering the whole SIAF MSA outline misses ~2e-4 of the open area: the curved edge of
    the shutter grid pokes out of the straight-edged SIAF quadrants. The unclipped detector
    union covers it all."""
    nirspec, nircam, channel, dither, mosaic = CASES[0]
    clipped = usable_coverage(nirspec, covered_area(nirspec, nircam, channel, dither, mosaic))
    unclipped = usable_coverage(
        nirspec, covered_area(nirspec, nircam, channel, dither, mosaic, clip=False)
    )
    assert 0.999 < clipped.covered < 1 - 1e-5
    assert unclipped.covered == pytest.approx(1.0, abs=1e-9)


def test_open_area_corners_have_the_documented_size():
    nirspec = Pointing(RA, DEC, 45.0)
    corners = open_area_corners(nirspec, [1, 2, 3, 4], [183, 1, 365, 100], [86, 1, 171, 50])
    sides_i = np.hypot(*(corners[:, 1] - corners[:, 0]).T)
    sides_j = np.hypot(*(corners[:, 3] - corners[:, 0]).T)
    np.testing.assert_allclose(sides_i, 0.20, atol=0.005)
    np.testing.assert_allclose(sides_j, 0.46, atol=0.01)
    cells = open_area_corners(nirspec, [1], [183], [86], open_area=False)
    assert np.hypot(*(cells[0, 1] - cells[0, 0])) == pytest.approx(
        msa_shutters().quadrant(1).pitch[0], rel=0.01
    )


# ----------------------------------------------------------------- from the unclipped covering


def covering_of(nirspec, nircam, channel, dither, mosaic):
    footprint = nircam_footprint(nircam, channel, dither, mosaic)
    return compute_coverage(nirspec, footprint, 1).covering


@pytest.mark.parametrize("nirspec, nircam, channel, dither, mosaic", CASES)
def test_usable_msa_coverage_matches_an_exact_polygon_count(
    msa_tables, nirspec, nircam, channel, dither, mosaic
):
    """One minus the uncovered part of the grid outline: the same fractions as an exact count
    of the open-area polygons inside the unclipped detector union."""
    operability = default_operability()
    covering = covering_of(nirspec, nircam, channel, dither, mosaic)
    usable = usable_msa_coverage(nirspec, covering, operability)
    overall, quadrants = exact_fractions(
        covering, table_open_areas(nirspec, msa_tables, operability.operable)
    )
    assert usable.covered == pytest.approx(overall, abs=3e-6)
    for q in range(1, 5):
        assert usable.quadrants[q] == pytest.approx(quadrants[q], abs=3e-6)
    # ... and, to rounding, what usable_coverage integrates over the covering itself.
    direct = usable_coverage(nirspec, covering, operability)
    assert usable.covered == pytest.approx(direct.covered, abs=1e-7)
    assert usable.usable_area == direct.usable_area
    assert usable.operability == operability.name


def test_full_coverage_reads_exactly_one_and_none_reads_zero():
    nirspec, nircam, channel, dither, mosaic = CASES[0]  # 8NIRSPEC 2x2 covers the MSA
    covering = covering_of(nirspec, nircam, channel, dither, mosaic)
    assert shapely.contains(covering, grid_outline(nirspec))
    usable = usable_msa_coverage(nirspec, covering)
    assert usable.covered == 1.0 and set(usable.quadrants.values()) == {1.0}
    for empty in (None, shapely.Polygon()):
        nothing = usable_msa_coverage(nirspec, empty)
        assert nothing.covered == 0.0 and set(nothing.quadrants.values()) == {0.0}
    far = shapely.box(1000, 1000, 2000, 2000)
    assert usable_msa_coverage(nirspec, far).covered == 0.0


def test_a_quadrant_with_failed_shutters_only_counts_nothing_there():
    """A map with quadrant 2 all failed: its fraction is 0 and the others carry the whole."""
    nirspec, nircam, channel, dither, mosaic = CASES[3]
    reason = np.zeros((4, 171, 365), np.int8)
    reason[1] = 1
    dead = OperabilityMap("Q2 dead", reason, {})
    covering = covering_of(nirspec, nircam, channel, dither, mosaic)
    usable = usable_msa_coverage(nirspec, covering, dead)
    assert usable.quadrants[2] == 0.0
    alive = usable_msa_coverage(
        nirspec, covering, OperabilityMap("all", np.zeros((4, 171, 365), np.int8), {})
    )
    weights = [alive.quadrants[q] for q in (1, 3, 4)]
    assert usable.quadrants[1] == pytest.approx(alive.quadrants[1], abs=1e-12)
    assert min(weights) <= usable.covered <= max(weights)
    assert usable.operability == "Q2 dead"


def test_grid_outline_holds_every_open_area_and_hugs_the_grid(msa_tables):
    """Every tabulated shutter's open area lies inside the outline; the outline's chords stay
    within 0.002 shutter of the grid's curved edge (the bars' margin is 0.065 in j)."""
    nirspec = Pointing(RA, DEC, 45.0)
    outline = grid_outline(nirspec)
    shapely.prepare(outline)
    every = OperabilityMap("all", np.zeros((4, 171, 365), np.int8), {}).operable
    for polygons in table_open_areas(nirspec, msa_tables, every):
        assert shapely.contains(outline, polygons).all()
    shutters = msa_shutters()
    matrix = nirspec_attitude(nirspec)
    plane = TangentPlane(nirspec.ra, nirspec.dec)
    t = np.linspace(0.5, 365.5, 3000)
    s = np.linspace(0.5, 171.5, 1500)
    for q, model in enumerate(shutters.quadrants, start=1):
        part = shapely.get_parts(outline)[q - 1]
        i = np.concatenate([t, np.full(len(s), 365.5), t, np.full(len(s), 0.5)])
        j = np.concatenate([np.full(len(t), 0.5), s, np.full(len(t), 171.5), s])
        x, y = plane.to_plane(*tel_to_sky(matrix, *model.to_v2v3(i, j)))
        gap = shapely.distance(part.exterior, shapely.points(np.column_stack([x, y])))
        assert gap.max() < 0.002 * min(model.pitch)


def test_rotating_the_outline_gives_the_outline_at_another_apa():
    """What the sweep relies on: the APA turns the MSA rigidly about its pointing."""
    outline = grid_outline(Pointing(RA, DEC, 45.0))
    turned = rotate_about_origin(outline, 17.5)
    direct = grid_outline(Pointing(RA, DEC, 62.5))
    np.testing.assert_allclose(
        shapely.get_coordinates(turned), shapely.get_coordinates(direct), atol=1e-6
    )
