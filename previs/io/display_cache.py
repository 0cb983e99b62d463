"""Display copies of large images, kept between sessions.

Block-averaging a large FITS image for display reads every pixel: 0.6 s for
the bundled 4800 x 4800 example, about 2 s for a 1 GiB mosaic, in every kernel
that shows it (each page of a class). The reduced copy, its exact WCS
(distortion tables included, written with :meth:`astropy.wcs.WCS.to_fits`) and
what :class:`~previs.io.images.SkyImage` knows about the file are stored once
in ``cache_dir()/display`` as a small FITS file, keyed on the file's real path,
size, modification time and the display size, and read back in milliseconds.
A missing, stale or unreadable entry is simply rebuilt; a cache that cannot be
written is skipped.

Layer: io.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from previs._files import ANY_INPUT, replace_atomically

__all__ = ["CACHE_VERSION", "cached_display"]

#: Bump when what is stored changes: older entries are then rebuilt.
CACHE_VERSION = 1


def _entry(path: Path, max_display_size: int) -> tuple[Path, str] | None:
    from previs.io.example_field import cache_dir

    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{os.path.realpath(path)}|{stat.st_size}|{stat.st_mtime_ns}|{max_display_size}"
    digest = hashlib.sha1(f"{CACHE_VERSION}|{key}".encode()).hexdigest()[:20]
    return cache_dir() / "display" / f"{digest}.fits", key


def _read(entry: Path, key: str, image_class: type) -> Any | None:
    from astropy.io import fits
    from astropy.wcs import WCS

    try:
        with fits.open(entry, memmap=False) as hdul, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header = hdul[0].header
            if header.get("PRVSDKEY") != key or header.get("PRVSDVER") != CACHE_VERSION:
                return None
            meta = {
                "source": header["PRVSSRC"],
                "hdu": int(header["PRVSHDU"]),
                "hdu_name": header["PRVSHNAM"],
                "full_shape": (int(header["PRVSFNY"]), int(header["PRVSFNX"])),
                "block": int(header["PRVSBLK"]),
                "bunit": header.get("PRVSBUNT", ""),
                "transposed": bool(header["PRVSTRAN"]),
            }
            wcs = WCS(header, hdul)
            data = np.array(hdul[0].data, dtype=np.float32)
            limits = (float(header["PRVSVMIN"]), float(header["PRVSVMAX"]))
    except Exception:  # missing, truncated, foreign: rebuild
        return None
    wcs.pixel_shape = (data.shape[1], data.shape[0])
    return image_class(data=data, wcs=wcs, limits=limits, **meta)


def _write(entry: Path, key: str, image: Any) -> None:
    from astropy.io import fits

    hdul = image.wcs.to_fits(relax=True)
    header = hdul[0].header
    cards = {
        "PRVSDVER": CACHE_VERSION,
        "PRVSDKEY": key,
        "PRVSSRC": str(image.source),
        "PRVSHDU": image.hdu,
        "PRVSHNAM": image.hdu_name,
        "PRVSFNY": image.full_shape[0],
        "PRVSFNX": image.full_shape[1],
        "PRVSBLK": image.block,
        "PRVSBUNT": image.bunit,
        "PRVSTRAN": bool(image.transposed),
        "PRVSVMIN": float(image.limits[0]),
        "PRVSVMAX": float(image.limits[1]),
    }
    for name, value in cards.items():
        header[name] = value
    hdul[0] = fits.PrimaryHDU(image.data, header)
    replace_atomically(
        entry,
        lambda temp: hdul.writeto(temp, overwrite=True, output_verify="silentfix"),
        make_folder=True,
        may_replace=ANY_INPUT,
    )


def cached_display(
    path: str | os.PathLike, max_display_size: int, build: Callable[[], Any], image_class: type
) -> Any:
    """The display copy of the image file at ``path``: from the cache, or ``build()`` then
    stored (only when it was reduced: a full-resolution copy is as fast to read again)."""
    found = _entry(Path(path), max_display_size)
    if found is None:
        return build()
    entry, key = found
    image = _read(entry, key, image_class) if entry.is_file() else None
    if image is not None:
        return image
    image = build()
    if image.block > 1:
        try:
            _write(entry, key, image)
        except Exception:  # a read-only or full cache: show the image all the same
            pass
    return image
