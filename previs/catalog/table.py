"""The :class:`Catalog`: sky positions of sources with a primary / filler / reference flag,
and the MSATA magnitudes when the input has them.

One flag per source: ``"P"`` primary target, ``"F"`` filler, ``"R"`` reference
star (a candidate for MSA target acquisition, not a spectroscopic target).
:attr:`Catalog.reference` marks every MSATA reference-star candidate: the
``"R"`` sources and, from a table's ``Reference`` column, targets that are
also candidates. :attr:`Catalog.magnitudes` holds the TA-band magnitudes
of the columns :data:`MAGNITUDE_COLUMNS` (NaN where unknown), as APT's MSA
Planning Tool names them.

Layer: catalog. Imports numpy and previs's base and geometry modules only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from previs.errors import CatalogError, quote
from previs.geometry.angles import wrap_degrees

__all__ = [
    "FLAGS",
    "MAGNITUDE_COLUMNS",
    "REFERENCE_COLUMN",
    "Catalog",
    "magnitude_values",
    "range_problem",
]

#: Source flags: primary target, filler, reference star.
FLAGS = ("P", "F", "R")
#: TA-band magnitude columns of APT / MPT catalogs (JDox "Predicting MSATA Reference Star
#: Magnitudes"), in the order F110W, F140X, CLEAR: the one list previs reads and writes.
MAGNITUDE_COLUMNS = ("NRS_F110W", "NRS_F140X", "NRS_CLEAR")
#: The MPT catalog column that marks MSATA reference-star candidates.
REFERENCE_COLUMN = "Reference"


def magnitude_values(values, n: int, column: str, name: str = "catalog") -> np.ndarray:
    """A magnitude column as floats; masked, None, NaN and empty entries become NaN.

    Raises
    ------
    CatalogError
        If the column has another length, or an entry is text that is not a
        number (naming its row, 1-based, and the column).
    """
    mask = np.ma.getmaskarray(values) if np.ma.isMaskedArray(values) else None
    raw = np.ma.getdata(values) if mask is not None else values
    raw = np.asarray(getattr(raw, "value", raw)).ravel()
    if len(raw) != n:
        raise CatalogError(f"{name}: column {column!r} has {len(raw)} values for {n} sources")
    if raw.dtype.kind in "iuf":
        result = raw.astype(float)
    else:
        result = np.empty(n)
        for k, value in enumerate(raw.tolist()):
            text = value.decode() if isinstance(value, bytes) else value
            if text is None or (isinstance(text, str) and not text.strip()):
                result[k] = np.nan
                continue
            try:
                result[k] = float(text)
            except (TypeError, ValueError):
                raise CatalogError(
                    f"{name}, row {k + 1}: {column} {quote(text)} is not a number "
                    "(a magnitude, or empty when unknown)"
                ) from None
    if mask is not None:
        result[mask] = np.nan
    result[~np.isfinite(result)] = np.nan
    return result


@dataclass(frozen=True, eq=False)
class Catalog:
    """Sky positions of catalog sources with a primary / filler / reference flag.

    Parameters
    ----------
    ra, dec : array_like
        Positions in degrees; RA is wrapped to [0, 360), Dec must lie in [-90, 90].
    flag : array_like of str, optional
        ``"P"`` (primary target), ``"F"`` (filler) or ``"R"`` (reference star) per
        source, case-insensitive. Without it every source is primary and
        ``has_flags`` is False.
    source : str
        File name or description, used in messages.
    has_flags : bool, optional
        Whether the input had a flag column (default: whether ``flag`` was given).
    magnitudes : mapping, optional
        Column name of :data:`MAGNITUDE_COLUMNS` to one magnitude per source
        (NaN, masked or empty: unknown). Only the columns the input had.
    reference : array_like of bool, optional
        MSATA reference-star candidates besides the ``"R"`` sources (e.g. a
        table's ``Reference`` column); :attr:`reference` is their union.

    Notes
    -----
    Instances compare and hash by identity; the arrays are read-only.
    """

    ra: np.ndarray
    dec: np.ndarray
    flag: np.ndarray | None = None
    source: str = ""
    has_flags: bool | None = field(default=None)
    magnitudes: Mapping[str, np.ndarray] | None = None
    reference: np.ndarray | None = None

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
            if not np.isin(flag, FLAGS).all():
                flag = np.char.upper(np.char.strip(flag))
            if flag.shape != ra.shape:
                raise CatalogError(f"{name}: {len(flag)} flags for {len(ra)} sources")
            invalid = np.flatnonzero(~np.isin(flag, FLAGS))
            if len(invalid):
                i = invalid[0]
                given = str(np.asarray(self.flag).ravel()[i])
                raise CatalogError(
                    f"{name}, source {i + 1}: flag {quote(given)} is not P (primary), "
                    "F (filler) or R (reference star)"
                )
            flag = flag.astype("<U1")
        reference = flag == "R"
        if self.reference is not None:
            given = np.asarray(self.reference).ravel()
            if given.shape != ra.shape or given.dtype.kind not in "bi":
                raise CatalogError(
                    f"{name}: the reference-star mask must be {len(ra)} true/false values"
                )
            reference = reference | given.astype(bool)
        magnitudes = {}
        for column, values in dict(self.magnitudes or {}).items():
            if column not in MAGNITUDE_COLUMNS:
                raise CatalogError(
                    f"{name}: {quote(column)} is not a magnitude column; valid: "
                    + ", ".join(MAGNITUDE_COLUMNS)
                )
            values = magnitude_values(values, len(ra), column, name)
            values.setflags(write=False)
            magnitudes[column] = values
        for array in (ra, dec, flag, reference):
            array.setflags(write=False)
        object.__setattr__(self, "ra", ra)
        object.__setattr__(self, "dec", dec)
        object.__setattr__(self, "flag", flag)
        object.__setattr__(self, "has_flags", has_flags)
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "magnitudes", MappingProxyType(magnitudes))

    def __len__(self) -> int:
        return len(self.ra)

    def __repr__(self) -> str:
        extra = f", {int(self.reference.sum())} reference" if self.reference.any() else ""
        return (
            f"Catalog({self.source!r}: {len(self)} sources, {int(self.primary.sum())} primary, "
            f"{int(self.filler.sum())} filler{extra})"
        )

    @property
    def has_magnitudes(self) -> bool:
        """The input had at least one of the :data:`MAGNITUDE_COLUMNS`."""
        return bool(self.magnitudes)

    @property
    def has_msata_columns(self) -> bool:
        """Magnitudes or reference stars: enough for an MSATA count to mean something."""
        return self.has_magnitudes or bool(self.reference.any())

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
