"""Angles on the circle: wrapping, arcs, grids, against plain brute-force arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.errors import PrevisError
from previs.geometry.angles import ApaArc, arc_holding, signed_difference, wrap_degrees

angles = st.floats(-1e4, 1e4, allow_nan=False)


@given(angles)
@settings(max_examples=200, deadline=None)
def test_wrap_lands_in_zero_to_360_and_keeps_the_direction(angle):
    wrapped = wrap_degrees(angle)
    assert 0.0 <= wrapped < 360.0
    assert np.cos(np.deg2rad(wrapped)) == pytest.approx(np.cos(np.deg2rad(angle)), abs=1e-9)
    assert np.sin(np.deg2rad(wrapped)) == pytest.approx(np.sin(np.deg2rad(angle)), abs=1e-9)


def test_wrap_never_returns_360():
    assert wrap_degrees(-1e-15) == 0.0
    assert np.all(wrap_degrees(np.array([-1e-15, 360.0, 720.0])) == 0.0)
    assert isinstance(wrap_degrees(5.0), float)


@given(angles, angles)
@settings(max_examples=200, deadline=None)
def test_signed_difference_is_the_shortest_turn(a, b):
    difference = signed_difference(a, b)
    assert -180.0 <= difference < 180.0
    assert (
        wrap_degrees(b + difference) == pytest.approx(wrap_degrees(a), abs=1e-7)
        or abs(abs(wrap_degrees(b + difference) - wrap_degrees(a)) - 360.0) < 1e-7
    )


def test_arc_forms():
    assert ApaArc.from_range((0.0, 360.0)).as_range() == (0.0, 360.0)
    assert ApaArc.from_range((370.0, 730.0)).as_range() == (10.0, 370.0)
    assert ApaArc.from_range((350.0, 10.0)).as_range() == (350.0, 10.0)
    assert ApaArc.from_range((350.0, 10.0)).width == pytest.approx(20.0)
    assert ApaArc.from_range((0.0, 360.0)).label() == "any angle"
    assert ApaArc.from_range((40.0, 50.0)).label() == "40.0 to 50.0 deg"


@given(angles, st.floats(0.0, 400.0), angles)
@settings(max_examples=300, deadline=None)
def test_contains_matches_a_brute_force_walk(low, width, apa):
    arc = ApaArc.from_range((low, low + width))
    # Brute force: walk the arc in 1e-3 degree steps and look for the angle.
    walk = wrap_degrees(arc.low + np.arange(0.0, arc.width + 1e-3, 1e-3))
    near = np.min(np.abs(signed_difference(walk, apa)))
    if near > 2e-3:
        assert not arc.contains(apa)
    elif near < 5e-4:
        assert arc.contains(apa, tolerance_deg=1e-3)


def test_contains_full_circle_and_wrapping_arcs():
    assert ApaArc.from_range((0.0, 360.0)).contains(289.5)
    assert ApaArc.from_range((10.0, 370.0)).contains(5.0)
    assert ApaArc.from_range((350.0, 10.0)).contains(5.0)
    assert not ApaArc.from_range((350.0, 10.0)).contains(20.0)


def test_grid_covers_the_arc_at_the_step():
    grid = ApaArc.from_range((355.0, 5.0)).grid(0.5)
    assert len(grid) == 21 and grid[0] == 355.0 and grid[-1] == pytest.approx(5.0)
    assert np.all((grid >= 0) & (grid < 360))
    steps = np.mod(np.diff(grid), 360.0)
    assert np.all(steps <= 0.5 + 1e-12)


def test_grid_refuses_before_allocating():
    with pytest.raises(PrevisError, match="limit is 100000"):
        ApaArc.from_range((0.0, 360.0)).grid(1e-9, max_angles=100_000)
    with pytest.raises(PrevisError, match="positive"):
        ApaArc.from_range((0.0, 10.0)).grid(float("nan"))


def test_from_range_names_the_input():
    with pytest.raises(PrevisError, match="NIRSpec APA range"):
        ApaArc.from_range((float("nan"), 3.0), "NIRSpec APA range")
    with pytest.raises(PrevisError, match="pair"):
        ApaArc.from_range("abc")


def test_spread_puts_the_middle_first():
    assert ApaArc.from_range((350.0, 10.0)).spread(3) == pytest.approx([0.0, 350.0, 10.0])
    assert ApaArc.from_range((40.0, 40.0)).spread(5) == [40.0]


def test_nearest_moves_an_angle_onto_the_arc():
    arc = ApaArc.from_range((350.0, 10.0))
    assert arc.nearest(5.0) == 5.0
    assert arc.nearest(20.0) == pytest.approx(10.0)
    assert arc.nearest(300.0) == pytest.approx(350.0)


def test_arc_holding_follows_a_series_across_zero():
    low = np.array([358.0, 359.0, 0.5, 2.0])
    arc = arc_holding(low, np.mod(low + 6.5, 360.0))
    assert arc.as_range() == pytest.approx((358.0, 8.5))
    circle = np.arange(0.0, 360.0, 1.0)
    assert arc_holding(circle, np.mod(circle + 5, 360)).as_range() == (0.0, 360.0)
