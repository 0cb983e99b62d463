"""The outline of a sky region (an image's valid data) on the sky view.

The valid data of an image do not move when the plan changes, so the outline
is part of the figure's static layer: added once (:func:`add_region_outline`),
drawn by full redraws and copied under the blitted overlay; removing it or
adding another needs one full redraw.

Layer: plotting.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.patches import PathPatch

from previs.plotting.decorations import sky_path

__all__ = ["OUTLINE_COLOUR", "add_region_outline"]

#: Edge colour of the outline (light on the dark images).
OUTLINE_COLOUR = (1.0, 1.0, 0.6, 0.9)


def add_region_outline(ax, sky_polygons: list, sky_to_pixel: Callable) -> PathPatch:
    """Draw the boundary (exteriors and holes) of ``sky_polygons`` dashed on ``ax``.

    Parameters
    ----------
    ax : matplotlib axes
        The sky view's axes.
    sky_polygons : list
        Polygons as lists of (ra, dec) rings in degrees, exterior first
        (:meth:`previs.geometry.image_coverage.SkyRegion.sky_polygons`).
    sky_to_pixel : callable
        ICRS degrees to the axes' pixel coordinates.

    Returns
    -------
    PathPatch
        The outline (``patch.remove()`` takes it away).
    """
    patch = PathPatch(
        sky_path(sky_polygons, sky_to_pixel),
        facecolor="none",
        edgecolor=OUTLINE_COLOUR,
        linestyle=(0, (4, 3)),
        linewidth=1.0,
        zorder=4.2,
        label="valid data of the image",
    )
    ax.add_patch(patch)
    return patch
