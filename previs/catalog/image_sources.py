"""Which catalog sources lie in the MSA and inside an image's valid data.

:func:`count_sources_in_image` is :func:`previs.catalog.sources.count_sources`
for the image the pre-imaging delivered instead of the planned exposures: it
returns the same :class:`~previs.catalog.sources.SourceCounts`, with a source's
``depth`` 1 inside the image's valid data and 0 outside (``n_exposures`` 1).
So ``in_msa_imaged`` counts targets in the MSA that the image measures and
``at_risk`` those in the MSA that fall outside its valid data (a masked star,
a gap, a failed exposure, beyond the edge).

Positions are tested in the tangent plane at the NIRSpec pointing (MSA
quadrants) and in the region's own plane (valid data); a source on an outline
counts as outside.
"""

from __future__ import annotations

import numpy as np
import shapely

from previs.catalog.sources import SourceCounts
from previs.catalog.table import Catalog
from previs.geometry.attitude import Pointing
from previs.geometry.coverage import union_msa_geometry
from previs.geometry.image_coverage import SkyRegion, plane_xy

__all__ = ["count_sources_in_image"]


def _nirspec_pointings(value) -> tuple[Pointing, ...]:
    """Every NIRSpec pointing of a Pointing, a sequence of them, a Plan or a Result."""
    if isinstance(value, Pointing):
        return (value,)
    if isinstance(value, (tuple, list)) and value and all(isinstance(p, Pointing) for p in value):
        return tuple(value)
    plan = getattr(value, "plan", value)  # an evaluated Result's plan, or a Plan
    pointings = getattr(plan, "nirspec_pointings", None)
    if isinstance(pointings, tuple) and pointings:
        return pointings
    raise ValueError(
        "count_sources_in_image needs a NIRSpec Pointing, a Plan or a Result (or a tuple "
        f"of Pointings), got {type(value).__name__}"
    )


def count_sources_in_image(catalog: Catalog, nirspec_pointing, region: SkyRegion) -> SourceCounts:
    """Locate every catalog source in the MSA quadrants and in the image's valid data.

    Parameters
    ----------
    catalog : Catalog
        Sources (degrees).
    nirspec_pointing : Pointing, tuple of Pointing, Plan or Result
        The NRS_FULL_MSA pointing, or several (every pointing of a Plan or an
        evaluated Result): a source is in the MSA when inside any pointing's
        (``quadrant``: that of the union of quadrant k over the pointings).
    region : SkyRegion
        The image's valid data (:func:`previs.io.valid_region.valid_region`).

    Returns
    -------
    SourceCounts
        ``quadrant`` 1-4 (0: outside the MSA); ``depth`` 1 inside the valid data.
    """
    msa = union_msa_geometry(_nirspec_pointings(nirspec_pointing))
    x, y, near = plane_xy(msa.plane, catalog.ra, catalog.dec)
    quadrant = np.zeros(len(catalog), dtype=np.int8)
    if near.any():
        xmin, ymin, xmax, ymax = shapely.bounds(msa.union)
        box = near & (x > xmin) & (x < xmax) & (y > ymin) & (y < ymax)
        candidates = np.flatnonzero(box)
        for k, polygon in enumerate(msa.quadrants, start=1):
            inside = shapely.contains_xy(polygon, x[candidates], y[candidates])
            quadrant[candidates[inside]] = k
    depth = region.contains(catalog.ra, catalog.dec).astype(np.int64)
    for array in (quadrant, depth):
        array.setflags(write=False)
    return SourceCounts(catalog, quadrant, depth, 1)
