"""FITS images in, display-ready arrays with an exact celestial WCS out.

`load_image` finds the first HDU of a FITS file that holds a 2-D image with a
celestial (RA/Dec) WCS, reads it in stripes of rows and, when the image is
larger than the display needs, block-averages it (NaN-aware mean) so that the
full-resolution array is never held in memory. The WCS of the reduced image is
derived, not fitted: block-averaging is an affine change of pixel coordinates,
so the linear part of the WCS (CRPIX, CD/PC/CDELT) and the pixel-space
distortions (SIP polynomials, distortion-paper lookup tables) are rescaled
exactly; projections and distortions that act after the linear transform (TPV,
ZPN, ...) are untouched and stay exact too.

`empty_sky_wcs` gives a blank north-up sky grid for when there is no image.

Display: `SkyImage.limits` (from `display_limits`) are robust percentiles of the
finite pixels. An asinh stretch between them shows faint galaxies and bright
stars together, e.g. with matplotlib and astropy::

    from astropy.visualization import AsinhStretch, ImageNormalize
    norm = ImageNormalize(vmin=image.limits[0], vmax=image.limits[1],
                          stretch=AsinhStretch(a=0.05))
    ax.imshow(image.data, origin="lower", norm=norm, cmap="gray_r")
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from astropy.io import fits
from astropy.visualization import AsymmetricPercentileInterval
from astropy.wcs import WCS, FITSFixedWarning
from astropy.wcs.utils import proj_plane_pixel_scales

from previs._files import remember_input
from previs.errors import ImageError, quote
from previs.io.block_wcs import has_lookup_tables, reduced_wcs

__all__ = [
    "ImageError",
    "check_image",
    "SkyImage",
    "display_limits",
    "empty_sky_wcs",
    "find_celestial_image",
    "load_image",
    "open_fits",
    "read_rows",
    "reduced_wcs",
]

#: Bytes of float64 working memory per stripe while block-averaging.
STRIPE_BYTES = 16 * 2**20


def display_limits(
    data: np.ndarray, lower: float = 0.5, upper: float = 99.7
) -> tuple[float, float]:
    """Robust display limits: the `lower` and `upper` percentiles of the finite pixels.

    Parameters
    ----------
    data : numpy.ndarray
        Image values; NaN and infinite pixels are ignored.
    lower, upper : float
        Percentiles (0-100) for the black and white points. With the default
        0.5 and 99.7 the sky noise sits just above black and only the cores of
        bright objects saturate; combine with an asinh stretch (see the module
        docstring) to show faint and bright sources together.

    Returns
    -------
    (vmin, vmax) : tuple of float
        ``vmin < vmax`` always; ``(0.0, 1.0)`` when no pixel is finite.
    """
    if not 0.0 <= lower < upper <= 100.0:
        raise ValueError(
            f"display_limits: need 0 <= lower < upper <= 100 percent, got lower={lower}, "
            f"upper={upper}"
        )
    values = np.asarray(data).ravel()
    if values.size > 4_000_000:  # a regular subsample is plenty for percentiles
        values = values[:: values.size // 2_000_000]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    interval = AsymmetricPercentileInterval(lower, upper)  # no n_samples: it samples at random
    vmin, vmax = (float(v) for v in interval.get_limits(values))
    if not vmax > vmin:
        spread = max(abs(vmin) * 1e-6, 1e-12)
        vmin, vmax = vmin - spread, vmax + spread
    return vmin, vmax


@dataclass
class SkyImage:
    """An image ready to display on WCS axes.

    Attributes
    ----------
    data : numpy.ndarray
        2-D float32 array at display resolution (NaN where there is no data).
    wcs : astropy.wcs.WCS
        Celestial WCS valid for `data` (already rescaled when `block` > 1).
    source : str
        File path or name the image came from.
    hdu : int
        Index of the HDU used in the file.
    hdu_name : str
        EXTNAME of that HDU (``"PRIMARY"`` for the primary HDU).
    full_shape : tuple of int
        (ny, nx) of the image in the file, after squeezing length-1 axes.
    block : int
        Block-averaging factor: each display pixel is the NaN-aware mean of a
        ``block x block`` box of file pixels (1: full resolution).
    bunit : str
        BUNIT of the HDU ("" when absent).
    limits : tuple of float
        Display limits (vmin, vmax) from `display_limits`; computed when not given.
    transposed : bool
        True when the file's first WCS axis is Dec: `data` and `wcs` are then
        transposed (RA along display x), and file pixel (x, y) is display (y, x).
    """

    data: np.ndarray
    wcs: WCS
    source: str
    hdu: int = 0
    hdu_name: str = "PRIMARY"
    full_shape: tuple[int, int] = (0, 0)
    block: int = 1
    bunit: str = ""
    limits: tuple[float, float] | None = field(default=None)
    transposed: bool = False

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = display_limits(self.data)
        if self.full_shape == (0, 0):
            self.full_shape = tuple(self.data.shape)

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx) of the display array."""
        return tuple(self.data.shape)

    @property
    def pixel_scale_arcsec(self) -> float:
        """Mean display pixel size at the reference pixel, arcsec."""
        scales = proj_plane_pixel_scales(self.wcs)  # degrees (celestial CUNIT)
        return float(np.sqrt(scales[0] * scales[1]) * 3600.0)


# ----------------------------------------------------------------------------- reading


def open_fits(source: Any, name: str | None = None) -> tuple[fits.HDUList, str]:
    """Open `source` (path, bytes or binary file object) as an HDUList, without reading data.

    Returns the HDUList (the caller closes it) and the label used in messages
    (`name`, else the path). Raises ImageError for a missing, empty or non-FITS file.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "uploaded data"
        raw = bytes(source)
        if not raw:
            raise ImageError(f"{label}: the file is empty (0 bytes); previs needs a FITS image.")
        fileobj: Any = io.BytesIO(raw)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = name or str(source)
        if not path.exists():
            raise ImageError(f"{label}: no such file.")
        if path.is_dir():
            raise ImageError(f"{label}: is a directory, not a FITS file.")
        try:
            size = path.stat().st_size
            with open(path, "rb"):
                pass
        except OSError as err:
            raise ImageError(f"{label}: cannot read the file ({err.strerror or err}).") from err
        if size == 0:
            raise ImageError(f"{label}: the file is empty (0 bytes); previs needs a FITS image.")
        fileobj = str(path)
        remember_input(path, "image")
        # Not memory-mapped on purpose: every page of a mapped file that is read stays
        # resident and counts against the process (a 1 GiB image measured 1.17 GiB peak
        # RSS mapped, 0.13 GiB read in stripes). Sections read only the rows asked for.
    elif hasattr(source, "read"):
        label = name or str(getattr(source, "name", "") or "file object")
        fileobj = source
    else:
        raise ImageError(
            f"load_image: source must be a path, bytes or a binary file object, "
            f"got {type(source).__name__}."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hdul = fits.open(fileobj, memmap=False, lazy_load_hdus=False)
    except Exception as err:  # astropy raises OSError, ValueError, TypeError, ...
        reason = str(err).split(". If this is really a FITS file", 1)[0].strip().rstrip(".")
        if "SIMPLE card" in reason:
            reason = "it does not start like a FITS file (no SIMPLE card)"
        raise ImageError(
            f"{label}: not a readable FITS file ({reason}); previs needs a FITS image "
            "with RA/Dec WCS keywords."
        ) from err
    if len(hdul) == 0:
        hdul.close()
        raise ImageError(f"{label}: not a readable FITS file (no HDU found).")
    return hdul, label


def _hdu_label(index: int, hdu: Any) -> str:
    extname = hdu.name or ("PRIMARY" if index == 0 else "")
    return f"HDU {index} {extname}".rstrip()


def _image_candidate(
    hdulist: fits.HDUList, index: int, hdu: Any
) -> tuple[WCS | None, tuple[int, ...], str]:
    """(celestial WCS or None, squeezed numpy axes kept, description) of one HDU."""
    label = _hdu_label(index, hdu)
    if not isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
        kind = "table" if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)) else "not an image"
        return None, (), f"{label}: {kind}"
    shape = tuple(int(n) for n in (hdu.shape or ()))
    if len(shape) == 0 or 0 in shape:
        return None, (), f"{label}: no data"
    dims = "x".join(str(n) for n in shape)
    kept = tuple(axis for axis, n in enumerate(shape) if n > 1)
    if len(shape) == 1 or len(kept) < 2:
        return None, (), f"{label}: {len(shape)}-D array {dims} (not an image)"
    if len(kept) > 2:
        return None, (), f"{label}: {len(shape)}-D cube {dims}"
    bad = _non_numeric_wcs_keyword(hdu.header)
    if bad is not None:
        keyword, value = bad
        raise ImageError(
            f"{label}: WCS keyword {keyword} = {quote(value)} is not a number; "
            "fix the header (previs would otherwise put the image in the wrong place)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        try:
            wcs = WCS(hdu.header, hdulist)
        except Exception as err:  # malformed WCS keywords
            return None, (), f"{label}: 2-D image {dims} with an unusable WCS ({err})"
    if not wcs.has_celestial:
        axes = ", ".join(repr(str(c)) for c in wcs.wcs.ctype if str(c)) or "no CTYPE keywords"
        return (
            None,
            (),
            (
                f"{label}: 2-D image {dims} without celestial axes (axes found: {axes}; "
                "previs needs RA/Dec, Galactic or ecliptic CTYPEs)"
            ),
        )
    # The two kept numpy axes must be the celestial FITS axes (FITS axis k is numpy axis n-1-k).
    naxis = len(shape)
    celestial_axes = {naxis - 1 - wcs.wcs.lng, naxis - 1 - wcs.wcs.lat}
    if celestial_axes != set(kept):
        return None, (), f"{label}: {dims} array whose long axes are not RA/Dec"
    return wcs.celestial, kept, f"{label}: 2-D image {dims}"


_NUMERIC_WCS_KEYWORD = re.compile(r"^(CRVAL|CRPIX|CDELT|CROTA)\d+[A-Z]?$|^(CD|PC)\d+_\d+[A-Z]?$")


def _non_numeric_wcs_keyword(header: fits.Header) -> tuple[str, object] | None:
    """The first WCS keyword that must be a number but is not (astropy would read it as 0)."""
    for keyword, value in header.items():
        if _NUMERIC_WCS_KEYWORD.match(keyword) and (
            isinstance(value, (str, bool)) or value is None
        ):
            if isinstance(value, str):
                try:
                    float(value)
                    continue
                except ValueError:
                    pass
            return keyword, value
    return None


def _block_factor(shape: tuple[int, int], max_display_size: int) -> int:
    return max(1, math.ceil(max(shape) / max_display_size))


def read_rows(hdu: Any, kept: tuple[int, ...], start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the 2-D plane of an image HDU, read without loading the rest.

    Parameters
    ----------
    hdu : astropy.io.fits image HDU
        Its data may have extra axes of length 1.
    kept : tuple of int
        The two numpy axes of length > 1 (rows, then columns), as found by
        :func:`find_celestial_image`.
    start, stop : int
        Row range of the 2-D plane.

    Returns
    -------
    numpy.ndarray
        2-D array ``(stop - start, nx)`` (BSCALE/BZERO applied).
    """
    shape = tuple(int(n) for n in hdu.shape)
    nx = shape[kept[1]]
    lead = tuple(0 for _ in range(kept[0]))  # degenerate leading axes
    between = tuple(0 for _ in range(kept[0] + 1, kept[1]))
    trail = tuple(0 for _ in range(kept[1] + 1, len(shape)))
    key = (*lead, slice(start, stop), *between, slice(None), *trail)
    return np.asarray(hdu.section[key]).reshape(stop - start, nx)


def _read_reduced(hdu: Any, kept: tuple[int, ...], block: int) -> np.ndarray:
    """Read the 2-D plane of `hdu` in stripes of rows, block-averaging as it goes."""
    shape = tuple(int(n) for n in hdu.shape)
    ny, nx = shape[kept[0]], shape[kept[1]]

    def rows(start: int, stop: int) -> np.ndarray:
        return read_rows(hdu, kept, start, stop)

    out_ny, out_nx = math.ceil(ny / block), math.ceil(nx / block)
    out = np.empty((out_ny, out_nx), dtype=np.float32)
    blocks_per_stripe = max(1, STRIPE_BYTES // (8 * block * block * out_nx))
    pad_x = out_nx * block - nx
    for out_start in range(0, out_ny, blocks_per_stripe):
        out_stop = min(out_ny, out_start + blocks_per_stripe)
        start, stop = out_start * block, min(ny, out_stop * block)
        stripe = rows(start, stop)
        if block == 1:
            out[out_start:out_stop] = stripe
            continue
        values = np.zeros(((out_stop - out_start) * block, out_nx * block), dtype=np.float64)
        values[: stop - start, :nx] = stripe
        del stripe
        finite = np.isfinite(values)
        values[~finite] = 0.0
        finite[stop - start :, :] = False
        if pad_x:
            finite[:, nx:] = False
        shape4 = (out_stop - out_start, block, out_nx, block)
        sums = values.reshape(shape4).sum(axis=(1, 3))
        counts = finite.reshape(shape4).sum(axis=(1, 3))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[out_start:out_stop] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return out


def load_image(
    source: str | os.PathLike | bytes | IO[bytes],
    max_display_size: int = 2000,
    *,
    name: str | None = None,
    cache: bool = True,
) -> SkyImage:
    """Load the first 2-D celestial image of a FITS file, block-averaged for display.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        A path (opened lazily: only the rows being reduced are read), the raw
        bytes of a file (e.g. from an upload widget) or an open binary file.
    max_display_size : int
        Largest display size in pixels along either axis. A larger image is
        block-averaged by the smallest integer factor that fits (NaN-aware mean;
        partial blocks at the top/right edges average the pixels they hold).
    name : str, optional
        Name used in messages and `SkyImage.source` (defaults to the path).
    cache : bool
        For a file that needs block-averaging, keep the display copy in
        :mod:`previs.io.display_cache` and read it from there next time.

    Returns
    -------
    SkyImage

    Raises
    ------
    ImageError
        When the file is missing, empty, unreadable or not FITS, or when no HDU
        holds a 2-D image (length-1 extra axes allowed) with a celestial WCS.
        The message names the file and lists what each HDU holds.

    Notes
    -----
    HST and JWST products keep the science image in a ``SCI`` extension after an
    empty primary HDU; the first qualifying HDU wins. The image is read in
    stripes of rows (about 16 MiB of float64 working memory each), so a 1 GiB
    file needs little more memory than the reduced array.
    """
    if int(max_display_size) != max_display_size or max_display_size < 1:
        raise ValueError(
            f"load_image: max_display_size must be a positive integer (pixels), "
            f"got {quote(max_display_size)}"
        )
    if cache and name is None and isinstance(source, (str, os.PathLike)):
        from previs.io.display_cache import cached_display

        path = Path(source)
        if path.is_file():
            remember_input(path, "image")
            return cached_display(
                path,
                int(max_display_size),
                lambda: _read_image(source, max_display_size, None),
                SkyImage,
            )
    return _read_image(source, max_display_size, name)


def _read_image(source: Any, max_display_size: int, name: str | None) -> SkyImage:
    """:func:`load_image` without the display cache."""
    hdul, label = open_fits(source, name)
    try:
        index, hdu, wcs, kept = find_celestial_image(hdul, label)
        shape = tuple(int(n) for n in hdu.shape)
        full_shape = (shape[kept[0]], shape[kept[1]])
        block = _block_factor(full_shape, int(max_display_size))
        try:
            data = _read_reduced(hdu, kept, block)
        except Exception as err:
            raise ImageError(
                f"{label}: cannot read the image data of {_hdu_label(index, hdu)} ({err})."
            ) from err
        transposed = wcs.wcs.lng == 1  # Dec on the first axis: show RA along x
        if transposed:
            if wcs.sip is not None or has_lookup_tables(wcs):
                raise ImageError(
                    f"{label}: {_hdu_label(index, hdu)} has Dec on its first axis and a "
                    "distortion model; previs can show such an image only without "
                    "distortion (or with RA on the first axis)."
                )
            data = np.ascontiguousarray(data.T)
            wcs = wcs.swapaxes(0, 1)
            full_shape = full_shape[::-1]
        return SkyImage(
            data=data,
            wcs=reduced_wcs(wcs, block, data.shape),
            source=label,
            hdu=index,
            hdu_name=hdu.name or "PRIMARY",
            full_shape=full_shape,
            block=block,
            bunit=str(hdu.header.get("BUNIT", "")).strip(),
            transposed=transposed,
        )
    finally:
        hdul.close()


def find_celestial_image(
    hdulist: fits.HDUList, label: str = "image"
) -> tuple[int, Any, WCS, tuple[int, ...]]:
    """The first HDU holding a 2-D image with a celestial WCS.

    Parameters
    ----------
    hdulist : astropy.io.fits.HDUList
        An open FITS file (see :func:`open_fits`).
    label : str
        File name used in the message.

    Returns
    -------
    index : int
        Position of the HDU in the file.
    hdu : astropy.io.fits image HDU
    wcs : astropy.wcs.WCS
        Its celestial WCS, pixel axes in FITS order (x = columns, y = rows).
    kept : tuple of int
        The two numpy axes of length > 1 (for :func:`read_rows`).

    Raises
    ------
    ImageError
        When no HDU qualifies; the message lists what each HDU holds.
    """
    found = []
    for index, hdu in enumerate(hdulist):
        try:
            wcs, kept, description = _image_candidate(hdulist, index, hdu)
        except Exception as err:  # a corrupt header in one HDU
            wcs, kept, description = None, (), f"{_hdu_label(index, hdu)}: unreadable ({err})"
        if wcs is None:
            found.append(description)
            continue
        return index, hdu, wcs, kept
    raise ImageError(
        f"{label}: no 2-D image HDU with a celestial WCS ({'; '.join(found)}). "
        "previs needs a 2-D image whose header has RA/Dec WCS keywords."
    )


def check_image(source: str | os.PathLike, name: str | None = None) -> str:
    """Check that a file holds an image previs can show, without reading its pixels.

    Returns
    -------
    str
        The HDU that would be shown, e.g. ``"HDU 1 SCI: 2-D image 4096x4096"``.

    Raises
    ------
    ImageError
        As :func:`load_image` would, naming the file.
    """
    hdulist, label = open_fits(source, name)
    try:
        index, hdu, _, _ = find_celestial_image(hdulist, label)
        shape = "x".join(str(n) for n in hdu.shape)
        return f"{_hdu_label(index, hdu)}: 2-D image {shape}"
    finally:
        hdulist.close()


def empty_sky_wcs(
    ra: float, dec: float, size_arcsec: float = 600.0, pixel_arcsec: float = 0.5
) -> tuple[tuple[int, int], WCS]:
    """A blank north-up, east-left TAN grid centred on (ra, dec), for drawing without an image.

    Parameters
    ----------
    ra, dec : float
        Centre (e.g. the NIRSpec pointing), degrees ICRS.
    size_arcsec : float
        Side of the square field, arcsec.
    pixel_arcsec : float
        Pixel size, arcsec.

    Returns
    -------
    shape : tuple of int
        (ny, nx) of the grid (square, the smallest integer covering `size_arcsec`).
    wcs : astropy.wcs.WCS
        TAN WCS with CD matrix, RADESYS ICRS, reference pixel at the grid centre.
    """
    if not (np.isfinite(ra) and np.isfinite(dec) and -90.0 <= dec <= 90.0):
        raise ValueError(f"empty_sky_wcs: need finite ra and -90 <= dec <= 90 deg, got {ra}, {dec}")
    if not (np.isfinite(size_arcsec) and size_arcsec > 0):
        raise ValueError(f"empty_sky_wcs: size_arcsec must be > 0, got {size_arcsec}")
    if not (np.isfinite(pixel_arcsec) and 0 < pixel_arcsec <= size_arcsec):
        raise ValueError(
            f"empty_sky_wcs: pixel_arcsec must be > 0 and <= size_arcsec, got {pixel_arcsec}"
        )
    n = math.ceil(size_arcsec / pixel_arcsec - 1e-9)
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.crval = [float(ra) % 360.0, float(dec)]
    wcs.wcs.crpix = [(n + 1) / 2.0, (n + 1) / 2.0]
    scale = pixel_arcsec / 3600.0
    wcs.wcs.cd = [[-scale, 0.0], [0.0, scale]]
    wcs.wcs.radesys = "ICRS"
    wcs.wcs.set()
    wcs.pixel_shape = (n, n)
    return (n, n), wcs
