"""The :class:`Catalog`: sky positions of sources with a primary / filler flag.

Layer: catalog. Imports numpy and previs's base and geometry modules only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from previs.errors import CatalogError, quote
from previs.geometry.angles import wrap_degrees

__all__ = ["Catalog", "range_problem"]


@dataclass(frozen=True, eq=False)
class Catalog:
    """Sky positions of catalog sources with a primary / filler flag.

    Parameters
    ----------
    ra, dec : array_like
        Positions in degrees; RA is wrapped to [0, 360), Dec must lie in [-90, 90].
    flag : array_like of str, optional
        ``"P"`` (primary target) or ``"F"`` (filler) per source, case-insensitive.
        Without it every source is primary and ``has_flags`` is False.
    source : str
        File name or description, used in messages.
    has_flags : bool, optional
        Whether the input had a flag column (default: whether ``flag`` was given).

    Notes
    -----
    Instances compare and hash by identity; the arrays are read-only.
    """

    ra: np.ndarray
    dec: np.ndarray
    flag: np.ndarray | None = None
    source: str = ""
    has_flags: bool | None = field(default=None)

    def __post_init__(self) -> None:
        name = self.source or "catalog"
        ra = np.array(self.ra, dtype=float).ravel()
        dec = np.array(self.dec, dtype=float).ravel()
        if ra.shape != dec.shape:
            raise CatalogError(f"{name}: {len(ra)} RA values but {len(dec)} Dec values")
        bad = np.flatnonzero(~np.isfinite(ra) | ~np.isfinite(dec) | (np.abs(dec) > 90.0))
        if len(bad):
            i = bad[0]
            raise CatalogError(
                f"{name}, source {i + 1}: position ({ra[i]}, {dec[i]}) is not a finite "
                "RA and a Dec in [-90, 90] degrees"
            )
        ra = np.asarray(wrap_degrees(ra), dtype=float)
        has_flags = self.flag is not None if self.has_flags is None else bool(self.has_flags)
        if self.flag is None:
            flag = np.full(len(ra), "P", dtype="<U1")
        else:
            flag = np.asarray(self.flag, dtype=str).ravel()
            if not np.all((flag == "P") | (flag == "F")):
                flag = np.char.upper(np.char.strip(flag))
            if flag.shape != ra.shape:
                raise CatalogError(f"{name}: {len(flag)} flags for {len(ra)} sources")
            invalid = np.flatnonzero((flag != "P") & (flag != "F"))
            if len(invalid):
                i = invalid[0]
                given = str(np.asarray(self.flag).ravel()[i])
                raise CatalogError(
                    f"{name}, source {i + 1}: flag {quote(given)} is not P (primary) or F (filler)"
                )
            flag = flag.astype("<U1")
        for array in (ra, dec, flag):
            array.setflags(write=False)
        object.__setattr__(self, "ra", ra)
        object.__setattr__(self, "dec", dec)
        object.__setattr__(self, "flag", flag)
        object.__setattr__(self, "has_flags", has_flags)

    def __len__(self) -> int:
        return len(self.ra)

    def __repr__(self) -> str:
        return (
            f"Catalog({self.source!r}: {len(self)} sources, {int(self.primary.sum())} primary, "
            f"{int(self.filler.sum())} filler)"
        )

    @cached_property
    def primary(self) -> np.ndarray:
        """Boolean mask of primary targets (every source when the input had no flags)."""
        mask = self.flag == "P"
        mask.setflags(write=False)
        return mask

    @cached_property
    def filler(self) -> np.ndarray:
        """Boolean mask of filler sources."""
        mask = self.flag == "F"
        mask.setflags(write=False)
        return mask


def range_problem(values: np.ndarray, tokens: Sequence, kind: str) -> tuple[int | None, str]:
    """First value outside the valid range of ``kind`` and the message for it."""
    low, high = (-360.0, 360.0) if kind == "RA" else (-90.0, 90.0)
    outside = np.flatnonzero((values < low) | (values > high))
    if len(outside) == 0:
        return None, ""
    i = int(outside[0])
    return i, f"{kind} {quote(str(tokens[i]))} is out of range [{low:g}, {high:g}]"
