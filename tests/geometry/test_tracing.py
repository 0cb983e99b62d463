"""Mask tracing against a brute-force union of one square per True cell."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from previs.geometry.tracing import SADDLE_INSET, MaskTracer, trace_mask


def brute_force(mask: np.ndarray):
    rows, columns = np.nonzero(mask)
    if not len(rows):
        return shapely.MultiPolygon()
    return shapely.union_all(shapely.box(columns, rows, columns + 1, rows + 1))


def saddle_count(mask: np.ndarray) -> int:
    a, b = mask[:-1, :-1], mask[:-1, 1:]
    c, d = mask[1:, :-1], mask[1:, 1:]
    return int(np.count_nonzero((a == d) & (b == c) & (a != b)))


@settings(deadline=None, max_examples=150)
@given(arrays(bool, st.tuples(st.integers(1, 14), st.integers(1, 14))))
def test_trace_equals_union_of_cells(mask):
    traced = trace_mask(mask)
    assert traced.is_valid
    assert traced.geom_type == "MultiPolygon"
    exact = brute_force(mask)
    # Corners at saddles move SADDLE_INSET into their cell: a sliver per saddle.
    slack = 4 * 14 * SADDLE_INSET * (saddle_count(mask) + 1)
    assert traced.area == pytest.approx(mask.sum(), abs=slack)
    assert shapely.symmetric_difference(traced, exact).area <= slack


def test_streamed_rows_give_the_same_outline():
    rng = np.random.default_rng(3)
    mask = rng.random((61, 47)) < 0.55
    whole = trace_mask(mask)
    tracer = MaskTracer(47)
    for start in range(0, 61, 8):
        tracer.add_rows(mask[start : start + 8])
    assert shapely.equals(tracer.finish(), whole)
    assert tracer.height == 61


def test_holes_and_nested_islands():
    mask = np.zeros((40, 40), bool)
    mask[2:38, 2:38] = True  # shell
    mask[8:32, 8:32] = False  # hole
    mask[14:26, 14:26] = True  # island in the hole
    mask[18:22, 18:22] = False  # hole in the island
    traced = trace_mask(mask)
    assert len(traced.geoms) == 2
    by_area = sorted(traced.geoms, key=lambda p: p.area)
    assert [len(p.interiors) for p in by_area] == [1, 1]
    assert by_area[0].area == pytest.approx(12 * 12 - 4 * 4)
    assert by_area[1].area == pytest.approx(36 * 36 - 24 * 24)
    assert shapely.equals(traced, brute_force(mask))


def test_only_corners_are_kept():
    mask = np.zeros((30, 20), bool)
    mask[5:25, 3:17] = True
    traced = trace_mask(mask)
    assert shapely.get_num_coordinates(traced) == 5  # 4 corners, ring closed


def test_min_area_drops_small_islands_and_fills_small_holes():
    mask = np.zeros((30, 30), bool)
    mask[3:27, 3:27] = True
    mask[10, 10] = False  # 1-cell hole
    mask[15:17, 15:17] = False  # 4-cell hole
    mask[0, 0] = True  # 1-cell island
    traced = trace_mask(mask, min_area=2)
    assert len(traced.geoms) == 1
    assert len(traced.geoms[0].interiors) == 1
    assert traced.area == pytest.approx(24 * 24 - 4)


def test_saddles_give_separate_valid_rings():
    checker = (np.indices((6, 6)).sum(axis=0) % 2).astype(bool)
    traced = trace_mask(checker)
    assert traced.is_valid
    assert len(traced.geoms) == checker.sum()
    hole = np.ones((5, 5), bool)
    hole[1, 1] = hole[2, 2] = hole[3, 3] = False  # diagonal chain of holes
    traced = trace_mask(hole)
    assert traced.is_valid
    assert traced.area == pytest.approx(22, abs=1e-4)


def test_empty_and_bad_input():
    assert trace_mask(np.zeros((3, 4), bool)).is_empty
    with pytest.raises(ValueError, match="2-D"):
        trace_mask(np.zeros(5, bool))
    tracer = MaskTracer(3)
    with pytest.raises(ValueError, match="3 columns"):
        tracer.add_rows(np.zeros((2, 4), bool))
