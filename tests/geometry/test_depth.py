"""Depth on rows against exact polygon overlays."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from previs.geometry.depth import depth_fractions


def _square(x, y, size, angle_deg=0.0):
    a = np.radians(angle_deg)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * size / 2
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return corners @ rotation.T + [x, y]


def _exact(quads, mask):
    """Exact overlay: area covered at least k times, by inclusion of GEOS layers."""
    mask_geom = shapely.union_all(shapely.polygons(mask))
    layers = [shapely.Polygon()] * 3
    for quad in shapely.polygons(quads):
        piece = shapely.intersection(quad, mask_geom)
        layers[2] = shapely.union(layers[2], shapely.intersection(layers[1], piece))
        layers[1] = shapely.union(layers[1], shapely.intersection(layers[0], piece))
        layers[0] = shapely.union(layers[0], piece)
    return np.array([layer.area for layer in layers]) / mask_geom.area


def test_known_answer_two_overlapping_squares():
    mask = np.array([_square(0, 0, 100)])
    quads = np.array([_square(-25, 0, 50), _square(0, 0, 50)])  # overlap 25 x 50
    fractions = depth_fractions(quads, mask)
    np.testing.assert_allclose(fractions, [3750 / 10000, 1250 / 10000, 0.0], atol=2e-4)


@pytest.mark.parametrize("seed", range(6))
def test_random_rotated_quads_match_exact_overlay(seed):
    rng = np.random.default_rng(seed)
    mask = np.array([_square(-50, -50, 95, 138.6), _square(55, 50, 95, 138.6)])
    quads = np.array(
        [
            _square(*rng.uniform(-100, 100, 2), rng.uniform(20, 90), rng.uniform(0, 180))
            for _ in range(40)
        ]
    )
    np.testing.assert_allclose(depth_fractions(quads, mask), _exact(quads, mask), atol=5e-4)


def test_axis_aligned_edges_are_handled():
    mask = np.array([_square(0, 0, 100)])
    quads = np.array([_square(0, 0, 100), _square(10, 10, 40), _square(12, 12, 40)])
    np.testing.assert_allclose(depth_fractions(quads, mask), _exact(quads, mask), atol=5e-4)


def test_nothing_inside_the_mask():
    mask = np.array([_square(0, 0, 10)])
    quads = np.array([_square(100, 100, 10)])
    np.testing.assert_array_equal(depth_fractions(quads, mask), [0.0, 0.0, 0.0])
