"""Outlines of a boolean mask as polygons with holes, exactly along the cell edges.

:func:`trace_mask` (a whole mask) and :class:`MaskTracer` (the same, fed a few
rows at a time so that a large mask never has to be held in memory) return the
union of the True cells as a shapely ``MultiPolygon``. Cell ``(i, j)`` (row
``i``, column ``j``) is the unit square ``[j, j + 1] x [i, i + 1]`` in (x, y):
x along the columns, y along the rows. The outline is exact: every vertex is a
cell corner, and only vertices where the outline turns are kept.

How: each cell edge between a True and a False cell is a directed edge with
the True cell on its left; runs of edges along a row are merged. Every corner
then has as many edges arriving as leaving, one of each except at a *saddle*
(two True cells touching only at a corner), where the edge arriving turns left,
so the two True cells keep separate outlines. The edges are linked into rings
(numpy pointer jumping, no Python loop over edges). Exterior rings run
anticlockwise, holes clockwise; each hole goes to the smallest exterior around
it. At a saddle both outlines pass through the same corner: each is pulled
:data:`SADDLE_INSET` cells into its own cell, so that no two rings touch and the
result is a valid geometry (the area changes by ``SADDLE_INSET`` times the length of
the two edges at each such corner).

Layer: geometry (numpy and shapely only).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["SADDLE_INSET", "MaskTracer", "trace_mask"]

#: How far (in cells) a ring's corner at a saddle is moved into its own cell.
SADDLE_INSET = 1e-6

# Edge directions, anticlockwise: +x, +y, -x, -y. A left turn is direction + 1.
_STEP = np.array([[1, 0], [0, 1], [-1, 0], [0, -1]], dtype=np.int64)
# Unit normal on the left of each direction (towards the True cell).
_LEFT = np.array([[0, 1], [-1, 0], [0, -1], [1, 0]], dtype=np.float64)


def _changes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, rises) of every change along the rows of a 2-D boolean array.

    Column ``c`` is the boundary between cells ``c - 1`` and ``c`` (cells outside
    the array count as False); ``rises`` is True where cell ``c`` is the True one.
    """
    n, width = rows.shape
    padded = np.zeros((n, width + 2), dtype=bool)
    padded[:, 1:-1] = rows
    # flatnonzero on a boolean array is several times faster than nonzero on a 2-D one.
    flat = np.flatnonzero(padded[:, 1:] != padded[:, :-1])
    row, column = np.divmod(flat, width + 1)
    rises = padded.ravel()[row * (width + 2) + column + 1]
    return row, column, rises


def _runs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, stop) of every run of True values along each row of a 2-D array."""
    row, column, rises = _changes(rows)
    # Along each row the changes alternate: a run starts, then stops.
    return row[rises], column[rises], column[~rises]


class MaskTracer:
    """Trace a boolean mask fed to it a few rows at a time.

    Parameters
    ----------
    width : int
        Number of columns of the mask.

    Examples
    --------
    >>> tracer = MaskTracer(4)
    >>> tracer.add_rows([[False, True, True, False]])
    >>> tracer.add_rows([[False, True, True, False]])
    >>> tracer.finish().area
    4.0
    """

    def __init__(self, width: int) -> None:
        if int(width) != width or width < 1:
            raise ValueError(
                f"MaskTracer: width must be a positive number of columns, got {width!r}"
            )
        self.width = int(width)
        self.height = 0
        self._last = np.zeros(self.width, dtype=bool)
        self._edges: list[np.ndarray] = []  # (n, 5): x0, y0, x1, y1, direction
        self._finished: BaseGeometry | None = None

    def add_rows(self, rows) -> None:
        """Append the next rows of the mask (a 2-D boolean array ``(n, width)``)."""
        if self._finished is not None:
            raise RuntimeError("MaskTracer: rows added after finish()")
        rows = np.asarray(rows, dtype=bool)
        if rows.ndim != 2 or rows.shape[1] != self.width:
            raise ValueError(
                f"MaskTracer: rows must be a 2-D array with {self.width} columns, "
                f"got shape {rows.shape}"
            )
        if rows.shape[0] == 0:
            return
        below = np.concatenate([self._last[None, :], rows[:-1]])
        self._horizontal_edges(below, rows, self.height)
        self._vertical_edges(rows, self.height)
        self._last = rows[-1].copy()
        self.height += rows.shape[0]

    def _horizontal_edges(self, below: np.ndarray, above: np.ndarray, first_row: int) -> None:
        # Edges along y = first_row + k between row k-1 (below) and row k (above).
        differ = above != below
        for mask, direction in ((differ & above, 0), (differ & below, 2)):
            row, start, stop = _runs(mask)
            if not len(row):
                continue
            y = row.astype(np.int64) + first_row
            if direction == 0:  # True cell above: run towards +x
                x0, x1 = start, stop
            else:  # True cell below: run towards -x
                x0, x1 = stop, start
            self._edges.append(
                np.column_stack([x0, y, x1, y, np.full(len(y), direction)]).astype(np.int64)
            )

    def _vertical_edges(self, rows: np.ndarray, first_row: int) -> None:
        row, x, rises = _changes(rows)
        if not len(row):
            return
        y = row.astype(np.int64) + first_row
        up = ~rises  # True cell on the left (-x side): edge towards +y
        y0 = np.where(up, y, y + 1)
        y1 = np.where(up, y + 1, y)
        direction = np.where(up, 1, 3)
        self._edges.append(np.column_stack([x, y0, x, y1, direction]).astype(np.int64))

    def finish(self, min_area: float = 0.0) -> BaseGeometry:
        """Close the mask and return the union of its True cells.

        Parameters
        ----------
        min_area : float
            Rings (exteriors and holes) enclosing less than this many cells
            are dropped: islands vanish, holes are filled.

        Returns
        -------
        shapely.MultiPolygon
            Empty when no cell is True.
        """
        if self._finished is None:
            self._horizontal_edges(
                self._last[None, :], np.zeros((1, self.width), dtype=bool), self.height
            )
            edges = np.concatenate(self._edges) if self._edges else np.zeros((0, 5), dtype=np.int64)
            self._edges = []
            self._finished = _polygons_from_edges(edges, self.width, float(min_area))
        return self._finished


def trace_mask(mask, min_area: float = 0.0) -> BaseGeometry:
    """The union of the True cells of a 2-D boolean mask, as exact polygons with holes.

    Parameters
    ----------
    mask : array_like of bool, shape (ny, nx)
        Cell ``(i, j)`` is the square ``[j, j+1] x [i, i+1]`` (x = column, y = row).
    min_area : float
        Drop rings enclosing fewer cells than this (see :meth:`MaskTracer.finish`).

    Returns
    -------
    shapely.MultiPolygon
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or 0 in mask.shape:
        raise ValueError(f"trace_mask: need a non-empty 2-D mask, got shape {mask.shape}")
    tracer = MaskTracer(mask.shape[1])
    tracer.add_rows(mask)
    return tracer.finish(min_area)


def _successors(edges: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of the edge following each edge, and whether it starts at a saddle."""
    stride = np.int64(width + 1)
    start = edges[:, 1] * stride + edges[:, 0]
    end = edges[:, 3] * stride + edges[:, 2]
    order = np.argsort(start, kind="stable")
    sorted_start = start[order]
    low = np.searchsorted(sorted_start, end, "left")
    high = np.searchsorted(sorted_start, end, "right")
    if np.any(high - low < 1) or np.any(high - low > 2):
        raise RuntimeError("MaskTracer: inconsistent outline (a corner without one edge out)")
    successor = order[low]
    saddle = high - low == 2
    if saddle.any():
        left_turn = (edges[saddle, 4] + 1) % 4
        first = order[low[saddle]]
        second = order[np.minimum(low[saddle] + 1, len(order) - 1)]
        successor[saddle] = np.where(edges[first, 4] == left_turn, first, second)
    at_saddle = np.zeros(len(edges), dtype=bool)
    at_saddle[successor[saddle]] = True
    return successor, at_saddle


def _cycle_order(successor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edges in ring order, ring start offsets) for a permutation made of cycles."""
    n = len(successor)
    label = np.arange(n)
    jump = successor.copy()
    while True:  # label: smallest index on the cycle (pointer jumping)
        new = np.minimum(label, label[jump])
        jump = jump[jump]
        if np.array_equal(new, label):
            break
        label = new
    # Steps from each edge to its cycle's smallest index (list ranking).
    is_first = label == np.arange(n)
    distance = np.where(is_first, 0, 1)
    jump = np.where(is_first, np.arange(n), successor)
    while True:
        done = is_first[jump]
        if done.all():
            break
        distance = distance + np.where(done, 0, distance[jump])
        jump = np.where(done, jump, jump[jump])
    # Ring order: the first edge, then the others by decreasing distance to it.
    key = np.where(is_first, -1, n - distance)
    order = np.lexsort((key, label))
    starts = np.flatnonzero(is_first[order])
    return order, starts


def _polygons_from_edges(edges: np.ndarray, width: int, min_area: float) -> BaseGeometry:
    if not len(edges):
        return shapely.MultiPolygon()
    successor, at_saddle = _successors(edges, width)
    order, starts = _cycle_order(successor)
    predecessor = np.empty_like(successor)
    predecessor[successor] = np.arange(len(successor))
    direction = edges[:, 4]
    corner = direction[predecessor] != direction  # the outline turns at the edge's start
    xy = edges[:, :2].astype(np.float64)
    if at_saddle.any():
        inward = _LEFT[direction[predecessor[at_saddle]]] + _LEFT[direction[at_saddle]]
        xy[at_saddle] += SADDLE_INSET * inward
    keep = corner[order]
    ring_id = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(order))))[keep]
    coords = xy[order][keep]
    ring_starts = np.flatnonzero(np.diff(np.concatenate([[-1], ring_id])))
    ring_counts = np.diff(np.append(ring_starts, len(coords)))
    area = _ring_areas(coords, ring_starts)
    big = np.abs(area) >= max(min_area, 1e-12)
    return _assemble(coords, ring_starts, ring_counts, area, big)


def _ring_areas(coords: np.ndarray, ring_starts: np.ndarray) -> np.ndarray:
    """Signed (anticlockwise positive) areas of open rings stored one after another."""
    n = len(coords)
    ring_of = np.repeat(np.arange(len(ring_starts)), np.diff(np.append(ring_starts, n)))
    following = np.arange(1, n + 1)
    last = np.append(ring_starts[1:], n) - 1
    following[last] = ring_starts
    x, y = coords[:, 0], coords[:, 1]
    # Relative to each ring's first vertex, so large coordinates keep their precision.
    x0, y0 = x[ring_starts][ring_of], y[ring_starts][ring_of]
    cross = (x - x0) * (y[following] - y0) - (x[following] - x0) * (y - y0)
    return 0.5 * np.bincount(ring_of, weights=cross, minlength=len(ring_starts))


def _assemble(
    coords: np.ndarray,
    ring_starts: np.ndarray,
    ring_counts: np.ndarray,
    area: np.ndarray,
    keep: np.ndarray,
) -> BaseGeometry:
    """MultiPolygon of the kept rings: each hole inside the smallest exterior around it."""
    exteriors = np.flatnonzero(keep & (area > 0))
    holes = np.flatnonzero(keep & (area < 0))
    if not len(exteriors):
        return shapely.MultiPolygon()

    def rings(indices: np.ndarray) -> np.ndarray:
        counts = ring_counts[indices]
        offsets = np.concatenate([[0], np.cumsum(counts + 1)])
        take = np.repeat(ring_starts[indices], counts + 1) + (
            np.arange(offsets[-1]) - np.repeat(offsets[:-1], counts + 1)
        )
        # Close each ring: its last point is its first again.
        last = offsets[1:] - 1
        take[last] = ring_starts[indices]
        return coords[take], offsets

    shell_xy, shell_offsets = rings(exteriors)
    shells = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON,
        shell_xy,
        (shell_offsets, np.arange(len(exteriors) + 1)),
    )
    owner = np.full(len(holes), -1)
    if len(holes):
        probe = shapely.points(coords[ring_starts[holes]])
        tree = shapely.STRtree(shells)
        hole_index, shell_index = tree.query(probe, predicate="within")
        # Containing exteriors are nested; the smallest is the hole's own.
        by_area = np.lexsort((area[exteriors][shell_index], hole_index))
        hole_index, shell_index = hole_index[by_area], shell_index[by_area]
        first = np.flatnonzero(np.diff(np.concatenate([[-1], hole_index])))
        owner[hole_index[first]] = shell_index[first]
        holes = holes[owner >= 0]
        owner = owner[owner >= 0]
    # Rings grouped by polygon: its exterior, then its holes.
    polygon_of = np.concatenate([np.arange(len(exteriors)), owner])
    ring_index = np.concatenate([exteriors, holes])
    is_hole = np.concatenate([np.zeros(len(exteriors), bool), np.ones(len(holes), bool)])
    arrangement = np.lexsort((is_hole, polygon_of))
    xy, ring_offsets = rings(ring_index[arrangement])
    rings_per_polygon = np.bincount(polygon_of, minlength=len(exteriors))
    polygon_offsets = np.concatenate([[0], np.cumsum(rings_per_polygon)])
    polygons = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, xy, (ring_offsets, polygon_offsets)
    )
    return shapely.multipolygons(polygons)
