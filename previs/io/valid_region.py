"""The valid-data footprint of a FITS image, as sky polygons with holes, cached per file.

A pixel is valid when its value is finite and, where the file has one, its
weight is finite and non-zero. The weight is the ``WHT`` extension (drizzled
HST and JWST mosaics), else the ``ERR`` extension, of the same shape as the
image, or an extension the caller names; ``weight=False`` uses none.

The image is read in stripes of rows (:func:`previs.io.images.read_rows`), so a
20,000 x 20,000 mosaic never sits in memory. Each stripe's validity mask is
reduced to blocks of ``b x b`` pixels (a block is valid when more than half of its
pixels are, or exactly half on the black squares of a checkerboard, so that ties
add no bias), the blocks are traced exactly (:class:`previs.geometry.tracing.MaskTracer`),
the outline is simplified by ``t`` pixels and mapped to the sky through the WCS
(distortions included, edges cut to :data:`SEGMENT_PIXELS` first), then to ICRS
(:class:`previs.io.sky_mapping.SkyMapping`) and simplified again by
:data:`SKY_SIMPLIFY_ARCSEC` (which removes the points a linear WCS keeps in line).

Tracing error
    Every point wrongly inside or outside the footprint lies within
    ``((b - 1) * sqrt(2) + t) * s`` of the true edge of the valid pixels (``s``:
    the larger pixel scale), plus the radius of the small holes and islands
    dropped (those with less area than :func:`tracing_parameters` states), plus
    :data:`SKY_SIMPLIFY_ARCSEC`. ``b`` and
    ``t`` are chosen from the pixel scale to keep that within ``tolerance_arcsec``
    (0.1" by default): ``b = 2, t = 1`` for 0.031" NIRCam short-wave mosaics
    (outline 0.075"), ``b = 1, t = 0.5`` for 0.063" long-wave ones (0.032").

Cache
    Results are kept in ``cache_dir()/valid-regions`` (see
    :func:`previs.io.example_field.cache_dir`), one ``.npz`` per file and options,
    keyed on the file's real path, size and modification time, the weight
    choice, the tolerance and the block. Written atomically; a damaged entry is
    recomputed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from astropy.io import fits
from astropy.wcs.utils import proj_plane_pixel_scales

from previs._files import ANY_INPUT, replace_atomically
from previs.errors import ImageError, PrevisError, quote
from previs.geometry.image_coverage import SkyRegion
from previs.geometry.projection import TangentPlane
from previs.geometry.tracing import MaskTracer
from previs.io.frames import frame_label
from previs.io.images import find_celestial_image, open_fits, read_rows
from previs.io.sky_mapping import SkyMapping

__all__ = [
    "DEFAULT_TOLERANCE_ARCSEC",
    "WEIGHT_EXTENSIONS",
    "ValidRegion",
    "tracing_parameters",
    "valid_region",
]

#: Bump when the tracing changes, so that old cache entries are not reused.
ALGORITHM_VERSION = 1
DEFAULT_TOLERANCE_ARCSEC = 0.1
#: Extensions looked for, in this order, when ``weight`` is not given.
WEIGHT_EXTENSIONS = ("WHT", "ERR")
#: Bytes of image data read per stripe.
STRIPE_BYTES = 32 * 2**20
#: Longest outline edge (pixels) mapped to the sky as a straight line.
SEGMENT_PIXELS = 100.0
#: Once on the sky, vertices closer than this to a straight line (arcsec) are dropped:
#: with a linear WCS the points added along straight edges all go.
SKY_SIMPLIFY_ARCSEC = 0.001
_CACHE_FOLDER = "valid-regions"


@dataclass(frozen=True, eq=False)
class ValidRegion(SkyRegion):
    """The valid-data footprint of an image (a :class:`~previs.geometry.image_coverage.SkyRegion`).

    Attributes
    ----------
    plane, geometry, tracing_error_arcsec
        As for SkyRegion: polygons with holes in the tangent plane at the image
        centre (ICRS, arcsec) and the bound on the outline's error.
    source : str
        File name.
    hdu, hdu_name
        Index and EXTNAME of the image HDU.
    weight : str or None
        EXTNAME (or index) of the weight extension used, None for none.
    shape : tuple of int
        (ny, nx) of the image.
    block : int
        Pixels per side of the blocks traced.
    pixel_scale_arcsec : float
        Larger of the two pixel scales at the reference pixel, arcsec.
    frame : str
        Sky frame of the image's WCS (converted to ICRS).
    valid_pixels : int
        Number of valid pixels.
    min_feature_area_arcsec2 : float
        Holes and islands smaller than this were dropped.
    from_cache : bool
        Whether this came from the cache.
    """

    source: str = ""
    hdu: int = 0
    hdu_name: str = ""
    weight: str | None = None
    shape: tuple[int, int] = (0, 0)
    block: int = 1
    pixel_scale_arcsec: float = 0.0
    frame: str = "icrs"
    valid_pixels: int = 0
    min_feature_area_arcsec2: float = 0.0
    from_cache: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no outline)."""
        return {
            "source": self.source,
            "hdu": self.hdu,
            "hdu_name": self.hdu_name,
            "weight": self.weight,
            "shape": list(self.shape),
            "frame": self.frame,
            "pixel_scale_arcsec": self.pixel_scale_arcsec,
            "block": self.block,
            "tracing_error_arcsec": self.tracing_error_arcsec,
            "min_feature_area_arcsec2": self.min_feature_area_arcsec2,
            "valid_pixels": self.valid_pixels,
            "area_arcmin2": self.area_arcsec2 / 3600.0,
            "centre": [self.plane.ra, self.plane.dec],
        }


def tracing_parameters(
    pixel_scale_arcsec: float,
    tolerance_arcsec: float = DEFAULT_TOLERANCE_ARCSEC,
    block: int | None = None,
) -> dict[str, float]:
    """Block size, simplification and the error they give for a pixel scale.

    Parameters
    ----------
    pixel_scale_arcsec : float
        Pixel size, arcsec.
    tolerance_arcsec : float
        Largest error wanted, arcsec.
    block : int, optional
        Force the block size (pixels per side); by default the largest with an
        error within the tolerance at a simplification of half a block. The
        simplification then takes what is left of the tolerance, up to a block.

    Returns
    -------
    dict
        ``block``; ``simplify_pixels`` (t); ``outline_error_arcsec``
        (``((b - 1) sqrt 2 + t) s`` + :data:`SKY_SIMPLIFY_ARCSEC`);
        ``min_feature_area_arcsec2`` (holes and
        islands smaller than this are dropped: area ``pi r^2`` with ``r`` the
        tolerance left over); ``tracing_error_arcsec`` (the sum of the outline
        error and ``r``, at most the tolerance unless one pixel exceeds it).
    """
    scale = float(pixel_scale_arcsec)
    tolerance = float(tolerance_arcsec)
    if not (math.isfinite(scale) and scale > 0):
        raise ImageError(f"image pixel scale must be positive, got {quote(pixel_scale_arcsec)}")
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise PrevisError(
            f"tolerance_arcsec must be a positive number of arcsec, got {quote(tolerance_arcsec)}"
        )

    def outline(b: int, t: float) -> float:
        return ((b - 1) * math.sqrt(2.0) + t) * scale + SKY_SIMPLIFY_ARCSEC

    if block is None:
        block = 1
        while block < 64 and outline(block + 1, (block + 1) / 2.0) <= tolerance:
            block += 1
    elif isinstance(block, bool) or int(block) != block or not 1 <= block <= 64:
        raise PrevisError(
            f"block must be a whole number of pixels from 1 to 64, got {quote(block)}"
        )
    block = int(block)
    # What the blocks leave of the tolerance goes first to simplifying the staircase
    # (up to one block), then to dropping specks whose radius is within the rest.
    left = max((tolerance - SKY_SIMPLIFY_ARCSEC) / scale - (block - 1) * math.sqrt(2.0), 0.0)
    simplify = float(min(block, left))
    error = outline(block, simplify)
    radius = max(tolerance - error, 0.0)
    return {
        "block": block,
        "simplify_pixels": simplify,
        "outline_error_arcsec": error,
        "min_feature_area_arcsec2": math.pi * radius**2,
        "tracing_error_arcsec": error + radius,
    }


# ----------------------------------------------------------------------------- weights


def _plane_axes(hdu: Any) -> tuple[tuple[int, ...], tuple[int, int]] | None:
    """(numpy axes of length > 1, their sizes) of an image HDU, None unless exactly two."""
    shape = tuple(int(n) for n in (getattr(hdu, "shape", None) or ()))
    kept = tuple(axis for axis, n in enumerate(shape) if n > 1)
    if len(kept) != 2:
        return None
    return kept, (shape[kept[0]], shape[kept[1]])


def _describe(index: int, hdu: Any) -> str:
    return f"HDU {index} {hdu.name or ('PRIMARY' if index == 0 else '')}".rstrip()


def _resolve_weight(
    hdulist: fits.HDUList, science: int, shape: tuple[int, int], weight: Any, label: str
) -> tuple[Any, tuple[int, ...], str] | None:
    """(hdu, kept axes, name) of the weight extension, or None for no weight."""
    if weight is False:
        return None
    if weight is None or weight is True:
        names = {str(h.name).upper(): i for i, h in reversed(list(enumerate(hdulist)))}
        found = next((names[n] for n in WEIGHT_EXTENSIONS if n in names), None)
        if found is None or found == science:
            return None
        index, how = found, " (found by its name)"
    elif isinstance(weight, (int, np.integer)) and not isinstance(weight, bool):
        index, how = int(weight), ""
        if not 0 <= index < len(hdulist):
            raise ImageError(
                f"{label}: weight HDU {index} does not exist; the file has HDUs 0 to "
                f"{len(hdulist) - 1}."
            )
    elif isinstance(weight, str) and weight.strip():
        matches = [
            i for i, h in enumerate(hdulist) if str(h.name).upper() == weight.strip().upper()
        ]
        if not matches:
            listing = ", ".join(_describe(i, h) for i, h in enumerate(hdulist))
            raise ImageError(
                f"{label}: no extension named {quote(weight)} for the weight; the file has "
                f"{listing}."
            )
        index, how = matches[0], ""
    else:
        raise PrevisError(
            f"weight must be an extension name, an HDU index, None (find WHT or ERR) or "
            f"False (none), got {quote(weight)}"
        )
    hdu = hdulist[index]
    is_image = isinstance(hdu, (fits.ImageHDU, fits.PrimaryHDU, fits.CompImageHDU))
    axes = _plane_axes(hdu) if is_image else None
    if axes is None or axes[1] != shape:
        if not is_image:
            got = "is a table, not an image"
        elif not hdu.shape:
            got = "holds no data"
        else:
            got = "is " + " x ".join(str(n) for n in hdu.shape) + " pixels"
        raise ImageError(
            f"{label}: weight extension {_describe(index, hdu)}{how} {got}, but the image "
            f"is {shape[0]} x {shape[1]} pixels (rows x columns); give a weight extension "
            "of the image's shape, or weight=False to use none."
        )
    return hdu, axes[0], str(hdu.name or index)


# ----------------------------------------------------------------------------- tracing


def _block_counts(valid: np.ndarray, block: int) -> np.ndarray:
    """Number of valid pixels in each ``block x block`` box (rows padded with invalid)."""
    rows, columns = valid.shape
    out_rows, out_columns = -(-rows // block), -(-columns // block)
    if rows % block or columns % block:
        padded = np.zeros((out_rows * block, out_columns * block), dtype=bool)
        padded[:rows, :columns] = valid
        valid = padded
    per_row = valid[0::block].astype(np.uint16)
    for k in range(1, block):
        per_row += valid[k::block]
    counts = per_row[:, 0::block].copy()
    for k in range(1, block):
        counts += per_row[:, k::block]
    return counts


def _block_thresholds(rows: int, columns: int, block: int, first_block_row: int) -> np.ndarray:
    """Least number of valid pixels that makes each block of a stripe valid.

    Half of the block's pixels (fewer at the right and last edges). A block with
    exactly half valid goes one way or the other in a checkerboard, so that ties
    add no bias to the area.
    """
    heights = np.minimum(block, rows - np.arange(0, rows, block))
    widths = np.minimum(block, columns - np.arange(0, columns, block))
    sizes = np.outer(heights, widths)
    parity = np.add.outer(np.arange(len(heights)) + first_block_row, np.arange(len(widths))) % 2
    return ((sizes + 1 + parity * (sizes % 2 == 0)) // 2).astype(np.uint16)


def _trace(hdu, kept, weight, shape: tuple[int, int], block: int, min_area_cells: float):
    ny, nx = shape
    itemsize = max(4, abs(int(hdu.header.get("BITPIX", -32))) // 8)
    rows_per_stripe = block * max(1, STRIPE_BYTES // (itemsize * nx * block))
    tracer = MaskTracer(-(-nx // block))
    valid_pixels = 0
    thresholds: dict[tuple[int, int], np.ndarray] = {}
    for start in range(0, ny, rows_per_stripe):
        stop = min(ny, start + rows_per_stripe)
        valid = np.isfinite(read_rows(hdu, kept, start, stop))
        if weight is not None:
            values = read_rows(weight[0], weight[1], start, stop)
            valid &= np.isfinite(values)
            valid &= values != 0
            del values
        valid_pixels += int(np.count_nonzero(valid))
        if block == 1:
            tracer.add_rows(valid)
            continue
        counts = _block_counts(valid, block)
        key = (stop - start, (start // block) % 2)
        if key not in thresholds:
            thresholds[key] = _block_thresholds(stop - start, nx, block, key[1])
        tracer.add_rows(counts >= thresholds[key])
    return tracer.finish(min_area_cells), valid_pixels


def _pixel_outline(cells, block: int, shape: tuple[int, int], simplify_pixels: float):
    """Traced blocks -> 0-based pixel coordinates, clamped to the image, simplified."""
    ny, nx = shape

    def to_pixels(xy: np.ndarray) -> np.ndarray:
        xy = xy * block - 0.5
        # Blocks of the last row/column may reach past the image: their outer edge is the image's.
        xy[:, 0] = np.minimum(xy[:, 0], nx - 0.5)
        xy[:, 1] = np.minimum(xy[:, 1], ny - 0.5)
        return xy

    pixels = shapely.transform(cells, to_pixels)
    if simplify_pixels > 0:
        pixels = shapely.simplify(pixels, simplify_pixels, preserve_topology=True)
    return shapely.segmentize(pixels, SEGMENT_PIXELS)


def _compute(source, weight, tolerance_arcsec, block, name) -> ValidRegion:
    hdulist, label = open_fits(source, name)
    try:
        index, hdu, wcs, kept = find_celestial_image(hdulist, label)
        shape = (int(hdu.shape[kept[0]]), int(hdu.shape[kept[1]]))
        weight_hdu = _resolve_weight(hdulist, index, shape, weight, label)
        scale = float(np.max(proj_plane_pixel_scales(wcs)) * 3600.0)
        params = tracing_parameters(scale, tolerance_arcsec, block)
        block = int(params["block"])
        cell_arcsec2 = (block * scale) ** 2
        try:
            cells, valid_pixels = _trace(
                hdu,
                kept,
                weight_hdu[:2] if weight_hdu else None,
                shape,
                block,
                params["min_feature_area_arcsec2"] / cell_arcsec2,
            )
        except (OSError, ValueError, TypeError) as error:
            raise ImageError(f"{label}: cannot read the image data ({error}).") from error
        weight_name = weight_hdu[2] if weight_hdu else None
        if valid_pixels == 0:
            what = "finite" + (f" with a non-zero {weight_name} weight" if weight_name else "")
            raise ImageError(
                f"{label}: no valid pixels: none of the {shape[0]} x {shape[1]} pixels of "
                f"{_describe(index, hdu)} is {what}, so the image covers nothing."
            )
        if cells.is_empty:
            raise ImageError(
                f"{label}: its {valid_pixels} valid pixels are scattered in specks smaller than "
                f"{params['min_feature_area_arcsec2']:.2g} arcsec^2; there is no valid area to "
                "trace."
            )
        outline = _pixel_outline(cells, block, shape, params["simplify_pixels"])
        mapping = SkyMapping(wcs)
        ra0, dec0 = mapping.pixel_to_sky([(shape[1] - 1) / 2.0], [(shape[0] - 1) / 2.0])
        plane = TangentPlane(float(ra0[0]), float(dec0[0]))

        def to_plane(xy: np.ndarray) -> np.ndarray:
            ra, dec = mapping.pixel_to_sky(xy[:, 0], xy[:, 1])
            x, y = plane.to_plane(ra, dec)
            return np.column_stack([x, y])

        geometry = shapely.transform(outline, to_plane)
        geometry = shapely.simplify(geometry, SKY_SIMPLIFY_ARCSEC, preserve_topology=True)
        if not geometry.is_valid:  # a rare self-touch after the distortion: repair, keep areas
            parts = shapely.get_parts(shapely.make_valid(geometry))
            geometry = shapely.multipolygons(
                shapely.get_parts(parts[shapely.get_dimensions(parts) == 2])
            )
        return ValidRegion(
            plane=plane,
            geometry=geometry,
            tracing_error_arcsec=params["tracing_error_arcsec"],
            source=label,
            hdu=index,
            hdu_name=hdu.name or "PRIMARY",
            weight=weight_name,
            shape=shape,
            block=block,
            pixel_scale_arcsec=scale,
            frame=frame_label(wcs),
            valid_pixels=valid_pixels,
            min_feature_area_arcsec2=params["min_feature_area_arcsec2"],
        )
    finally:
        hdulist.close()


# ----------------------------------------------------------------------------- cache


def _cache_file(path: Path, weight, tolerance_arcsec, block) -> Path:
    from previs.io.example_field import cache_dir

    real = path.resolve()
    status = real.stat()
    key = json.dumps(
        [
            ALGORITHM_VERSION,
            str(real),
            status.st_size,
            status.st_mtime_ns,
            repr(weight),
            float(tolerance_arcsec),
            block,
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", real.name)[:60]
    return cache_dir() / _CACHE_FOLDER / f"{stem}-{digest}.npz"


_META_FIELDS = (
    "tracing_error_arcsec",
    "source",
    "hdu",
    "hdu_name",
    "weight",
    "shape",
    "block",
    "pixel_scale_arcsec",
    "frame",
    "valid_pixels",
    "min_feature_area_arcsec2",
)


def _store(path: Path, region: ValidRegion) -> None:
    geometry_type, coords, offsets = shapely.to_ragged_array(
        [shapely.multipolygons(shapely.get_parts(region.geometry))]
    )
    meta = {field: getattr(region, field) for field in _META_FIELDS}
    meta.update(version=ALGORITHM_VERSION, plane=[region.plane.ra, region.plane.dec])

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as stream:
            np.savez(
                stream,
                meta=np.array(json.dumps(meta)),
                coords=coords,
                rings=offsets[0],
                polygons=offsets[1],
            )

    replace_atomically(path, write, make_folder=True, may_replace=ANY_INPUT)


def _load(path: Path) -> ValidRegion | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("version") != ALGORITHM_VERSION:
                return None
            polygons = shapely.from_ragged_array(
                shapely.GeometryType.POLYGON,
                data["coords"],
                (data["rings"], data["polygons"]),
            )
    except Exception:  # missing, partial or foreign file: recompute
        return None
    fields = {field: meta[field] for field in _META_FIELDS}
    fields["shape"] = tuple(fields["shape"])
    return ValidRegion(
        plane=TangentPlane(*meta["plane"]),
        geometry=shapely.multipolygons(polygons),
        from_cache=True,
        **fields,
    )


def valid_region(
    source: str | os.PathLike | bytes,
    *,
    weight: str | int | bool | None = None,
    tolerance_arcsec: float = DEFAULT_TOLERANCE_ARCSEC,
    block: int | None = None,
    cache: bool = True,
    name: str | None = None,
) -> ValidRegion:
    """The valid-data footprint of a FITS image's first 2-D celestial image HDU.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        The FITS file (as for :func:`previs.io.images.load_image`).
    weight : str, int, False or None
        The weight extension (EXTNAME or HDU index) whose zero or non-finite
        pixels are invalid; None looks for ``WHT`` then ``ERR``; False uses none.
    tolerance_arcsec : float
        Largest tracing error wanted (see :func:`tracing_parameters`).
    block : int, optional
        Force the block size instead of choosing it from the tolerance.
    cache : bool
        Reuse and store the result in the cache (paths only).
    name : str, optional
        Name for messages (defaults to the path).

    Returns
    -------
    ValidRegion

    Raises
    ------
    ImageError
        For a file previs cannot read (see ``load_image``), a weight extension
        that is missing or not of the image's shape, or an image with no valid
        pixels.
    """
    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    cache_path = None
    if cache and path is not None and path.is_file():
        cache_path = _cache_file(path, weight, tolerance_arcsec, block)
        cached = _load(cache_path) if cache_path.exists() else None
        if cached is not None:
            return cached
    region = _compute(source, weight, tolerance_arcsec, block, name)
    if cache_path is not None:
        try:
            _store(cache_path, region)
        except OSError:  # a read-only cache folder: the result is still good
            pass
    return region
