"""Exports: DS9 region files (through ``regions``) and figures at publication resolution.

Regions
    :func:`plan_regions` turns an evaluated plan (:class:`previs.planning.plan.Result`)
    into ``regions.Regions``: one polygon per aperture outline (NIRSpec MSA
    quadrants, IFU and fixed slits; every NIRCam detector of every exposure),
    each tagged with its SIAF aperture name, its exposure number and its
    instrument, coloured per instrument; catalog sources as points on request
    (primaries and fillers with different symbols and colours, sources at risk
    tagged). :func:`write_regions` writes them in sky coordinates (ICRS) or,
    given an image WCS, in that image's pixel coordinates.

Figures
    :func:`~previs.io.figures.save_figure` writes a matplotlib figure as PNG, PDF or SVG (format
    from the file extension) at 300 dpi by default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from previs._files import write_text_atomic
from previs.io.sky_mapping import SkyMapping
from previs.style import COLOURS, MARKERS

__all__ = [
    "REGION_COLOURS",
    "plan_regions",
    "regions_text",
    "write_regions",
]

#: DS9 colours (hex) per overlay; the footprints match the dashboard's overlay.
REGION_COLOURS = {
    "NIRSpec": COLOURS["nirspec"],
    "NIRCam": COLOURS["nircam"],
    "primary": COLOURS["primary"],
    "filler": COLOURS["filler"],
    "at_risk": COLOURS["at_risk"],
}
# matplotlib marker names, written by regions as DS9 point=circle / box / x.
_SYMBOLS = {key: style["marker"] for key, style in MARKERS.items()}


def _footprint_regions(footprint) -> list:
    """The footprint's polygons with an instrument tag and colour added to each."""
    from regions import RegionVisual

    colour = REGION_COLOURS.get(footprint.instrument, "white")
    regions = []
    for region in footprint.to_regions():
        region.meta["tag"] = [*region.meta.get("tag", []), footprint.instrument]
        region.visual = RegionVisual({"color": colour})
        regions.append(region)
    return regions


def plan_regions(
    result: Any,
    catalog: Any = None,
    counts: Any = None,
    include_catalog: bool = False,
):
    """Regions of an evaluated plan, ready to write as a DS9 file.

    Parameters
    ----------
    result : previs.planning.plan.Result
        The evaluated plan (:func:`previs.planning.plan.evaluate`).
    catalog : previs.catalog.Catalog, optional
        Sources to draw as points when ``include_catalog`` is True.
    counts : previs.catalog.sources.SourceCounts, optional
        Counts of ``catalog`` for this plan; sources inside the MSA but outside
        every exposure are then drawn as at-risk crosses and tagged ``at_risk``.
    include_catalog : bool
        Add one ``PointSkyRegion`` per catalog source (tag ``primary`` or
        ``filler``).

    Returns
    -------
    regions.Regions
        NIRSpec polygons first (of every NIRSpec pointing: ``exposure=k`` for
        pointing k + 1), then NIRCam (exposure by exposure), then points.
        Polygon metadata: ``meta["name"]`` the SIAF aperture, ``meta["tag"]``
        ``[name, "exposure=k", instrument]`` (NIRCam: ``[name, "exposure=k",
        "tile=t", "dither=d", instrument]`` with APT's numbers) and a ``text`` label.
    """
    from astropy.coordinates import SkyCoord
    from regions import PointSkyRegion, RegionMeta, Regions, RegionVisual

    from previs.geometry.footprints import combine_footprints

    nirspec = combine_footprints(getattr(result, "nirspec_footprints", ()) or (result.nirspec,))
    regions = _footprint_regions(nirspec) + _footprint_regions(result.nircam)
    if include_catalog:
        if catalog is None:
            raise ValueError("plan_regions: include_catalog=True needs a catalog")
        if counts is not None and len(counts.catalog) != len(catalog):
            raise ValueError(
                f"plan_regions: counts are for {len(counts.catalog)} sources but the catalog "
                f"has {len(catalog)}"
            )
        at_risk = counts.at_risk if counts is not None else np.zeros(len(catalog), dtype=bool)
        positions = SkyCoord(catalog.ra, catalog.dec, unit="deg", frame="icrs")
        for index, (position, flag, risky) in enumerate(
            zip(positions, catalog.flag, at_risk, strict=True)
        ):
            kind = "primary" if flag == "P" else "filler"
            tags = [kind, f"source={index}"]
            style = kind
            if risky:
                tags.append("at_risk")
                style = "at_risk"
            regions.append(
                PointSkyRegion(
                    position,
                    meta=RegionMeta({"tag": tags}),
                    visual=RegionVisual(
                        {"color": REGION_COLOURS[style], "marker": _SYMBOLS[style]}
                    ),
                )
            )
    return Regions(regions)


def _pixel_transform(image_wcs: Any):
    """(celestial WCS, block) from an astropy WCS or a :class:`previs.io.images.SkyImage`."""
    from astropy.wcs import WCS

    if isinstance(image_wcs, WCS):
        return image_wcs.celestial, 1
    wcs = getattr(image_wcs, "wcs", None)
    if isinstance(wcs, WCS):  # a SkyImage: pixels of the file, not of the display array
        return wcs.celestial, int(getattr(image_wcs, "block", 1))
    raise ValueError(
        f"image_wcs must be an astropy WCS or a previs SkyImage, got {type(image_wcs).__name__}"
    )


def _to_pixel(regions, image_wcs: Any):
    """The regions in the image's pixel coordinates (0-based, numpy convention)."""
    from regions import PixCoord, PointPixelRegion, PolygonPixelRegion, Regions

    wcs, block = _pixel_transform(image_wcs)
    half = (block - 1) / 2.0
    transposed = bool(getattr(image_wcs, "transposed", False))

    mapping = SkyMapping(wcs)

    def pixels(coord) -> PixCoord:
        icrs = coord.icrs
        x, y = mapping.sky_to_pixel(icrs.ra.deg, icrs.dec.deg)
        # A block-averaged display pixel j is centred on file pixel block*j + (block-1)/2.
        x, y = block * np.asarray(x) + half, block * np.asarray(y) + half
        return PixCoord(y, x) if transposed else PixCoord(x, y)

    converted = []
    for region in regions:
        if hasattr(region, "vertices"):
            vertices = pixels(region.vertices)
            if not np.all(np.isfinite(vertices.x) & np.isfinite(vertices.y)):
                raise ValueError(
                    f"aperture {region.meta.get('name', '?')} cannot be placed on the image: its "
                    "corners fall outside the image projection"
                )
            converted.append(PolygonPixelRegion(vertices, meta=region.meta, visual=region.visual))
        else:
            converted.append(
                PointPixelRegion(pixels(region.center), meta=region.meta, visual=region.visual)
            )
    return Regions(converted)


def regions_text(
    result: Any,
    image_wcs: Any = None,
    catalog: Any = None,
    counts: Any = None,
    include_catalog: bool = False,
) -> str:
    """The DS9 region file text of :func:`write_regions` (e.g. for a download button)."""
    regions = plan_regions(result, catalog, counts, include_catalog)
    if image_wcs is not None:
        regions = _to_pixel(regions, image_wcs)
    return regions.serialize(format="ds9", precision=10)


def write_regions(
    path: str | os.PathLike,
    result: Any,
    image_wcs: Any = None,
    catalog: Any = None,
    counts: Any = None,
    include_catalog: bool = False,
) -> Path:
    """Write the plan's footprints (and catalog points) as a DS9 region file.

    Parameters
    ----------
    path : str or path-like
        Output file (conventionally ``.reg``); replaced atomically if it exists.
    result : previs.planning.plan.Result
        The evaluated plan.
    image_wcs : astropy.wcs.WCS or previs.io.images.SkyImage, optional
        Without it the file is in sky coordinates (``icrs``, degrees). With a
        WCS, in that WCS's pixel coordinates (``image``); with a SkyImage, in
        the pixel coordinates of the FITS file it was loaded from (undoing the
        display block-averaging), which is what DS9 shows for that file.
    catalog, counts, include_catalog
        As in :func:`plan_regions`.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    text = regions_text(result, image_wcs, catalog, counts, include_catalog)
    return write_text_atomic(path, text)
