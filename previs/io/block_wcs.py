"""The WCS of a block-averaged image, derived exactly from the file's WCS.

Block-averaging is an affine change of pixel coordinates, so the linear part
of the WCS (CRPIX, CD/PC/CDELT) and the pixel-space distortions (SIP
polynomials, distortion-paper lookup tables) are rescaled exactly; projections
and distortions that act after the linear transform (TPV, ZPN, ...) are
untouched and stay exact too.

Layer: io.
"""

from __future__ import annotations

import numpy as np
from astropy.wcs import WCS, DistortionLookupTable, Sip

from previs.errors import quote

__all__ = ["has_lookup_tables", "reduced_wcs"]


def has_lookup_tables(wcs: WCS) -> bool:
    return any(
        getattr(wcs, name, None) is not None for name in ("cpdis1", "cpdis2", "det2im1", "det2im2")
    )


def reduced_wcs(wcs: WCS, block: int, shape: tuple[int, int] | None = None) -> WCS:
    """WCS of an image block-averaged by `block` (display pixel j = file pixels j*b ... j*b+b-1).

    The centre of display pixel ``j`` (0-based) is file pixel ``block*j + (block-1)/2``.
    In FITS (1-based) terms ``CRPIX' = (CRPIX + (block-1)/2) / block`` and the
    linear matrix grows by `block`. SIP coefficients ``A_p_q`` become
    ``A_p_q * block**(p+q-1)`` and distortion lookup tables are resampled in
    coordinates and divided by `block` in value, so the reduced WCS is exact.

    Parameters
    ----------
    wcs : astropy.wcs.WCS
        2-D celestial WCS of the file pixels.
    block : int
        Block-averaging factor (>= 1).
    shape : tuple of int, optional
        (ny, nx) of the reduced array, stored as the WCS pixel shape.
    """
    if block < 1 or int(block) != block:
        raise ValueError(f"reduced_wcs: block must be a positive integer, got {quote(block)}")
    block = int(block)
    new = wcs.deepcopy()
    if block > 1:
        half = (block - 1) / 2.0
        new.wcs.crpix = (np.asarray(wcs.wcs.crpix) + half) / block
        if wcs.wcs.has_cd():
            new.wcs.cd = np.asarray(wcs.wcs.cd) * block
        else:
            new.wcs.cdelt = np.asarray(wcs.wcs.cdelt) * block
        if wcs.sip is not None:
            new.sip = _scaled_sip(wcs.sip, block, np.asarray(new.wcs.crpix))
        for name in ("cpdis1", "cpdis2", "det2im1", "det2im2"):
            table = getattr(wcs, name)
            if table is not None:
                setattr(new, name, _scaled_lookup(table, block))
        new.wcs.set()
    if shape is not None:
        new.pixel_shape = (int(shape[1]), int(shape[0]))
    return new


def _scale_poly(coeffs: np.ndarray | None, block: int) -> np.ndarray | None:
    if coeffs is None:
        return None
    coeffs = np.asarray(coeffs, dtype=float)
    p, q = np.indices(coeffs.shape)
    return coeffs * float(block) ** (p + q - 1)


def _scaled_sip(sip: Sip, block: int, crpix: np.ndarray) -> Sip:
    return Sip(
        _scale_poly(sip.a, block),
        _scale_poly(sip.b, block),
        _scale_poly(sip.ap, block),
        _scale_poly(sip.bp, block),
        crpix,
    )


def _scaled_lookup(table: DistortionLookupTable, block: int) -> DistortionLookupTable:
    half = (block - 1) / 2.0
    crval = (np.asarray(table.crval, dtype=float) + half) / block
    cdelt = np.asarray(table.cdelt, dtype=float) / block
    return DistortionLookupTable(
        np.asarray(table.data, dtype=np.float32) / block,
        tuple(float(c) for c in table.crpix),
        tuple(float(c) for c in crval),
        tuple(float(c) for c in cdelt),
    )
