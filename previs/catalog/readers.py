"""Reading source catalogs: NOVT ``.radec`` files and astropy-readable tables.

A :class:`Catalog` holds sky positions (degrees) and a flag per source:
``"P"`` for a primary target, ``"F"`` for a filler.

Two families of input are read by :func:`read_catalog`:

``.radec`` (the NOVT catalog format)
    See :mod:`previs.catalog.radec`.

Tables (CSV, ECSV, FITS, VOTable and other formats astropy reads)
    RA and Dec columns are found by common names, case-insensitively (see
    :data:`RA_NAMES`, :data:`DEC_NAMES`), or named with ``ra_column`` and
    ``dec_column``. Values are degrees unless the column has an angular unit
    (``hourangle``, ``rad``, ...); text columns may hold sexagesimal strings.
    An optional flag column (:data:`FLAG_NAMES`, or ``flag_column``) maps to
    primary / filler as follows:

    - text: ``P`` or ``primary`` -> primary, ``F`` or ``filler`` -> filler,
      ``R`` or ``reference`` -> reference star (case-insensitive);
    - boolean: True -> primary, False -> filler;
    - a non-negative integer priority: 1 (the highest priority class, as in
      the NIRSpec MSA Planning Tool) -> primary, 0 or 2 and above -> filler.

    MSATA columns, both optional and found by name in any case:

    - magnitudes ``NRS_F110W``, ``NRS_F140X``, ``NRS_CLEAR`` (the names APT's
      MSA Planning Tool reads): numbers, or empty / masked / NaN when unknown;
      text that is not a number is an error naming its row;
    - reference-star candidates: the MPT catalog's ``Reference`` column (or
      :data:`REFERENCE_NAMES`, or ``reference_column``): boolean, 0 / 1, or
      text True/False, T/F, Y/N, Yes/No, 1/0 (empty: no). A reference star may
      also be a primary target or a filler; a flag ``R`` makes it a reference
      star only.

Empty input: a file with no bytes (or only white space) is an error; a file
with a header or comments but no data rows gives an empty catalog.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np

from previs._files import remember_input
from previs.catalog.radec import (
    RADEC_EXTENSIONS,
    looks_like_radec,
    read_radec,
    register_with_astropy,
)
from previs.catalog.table import (
    MAGNITUDE_COLUMNS,
    REFERENCE_COLUMN,
    Catalog,
    magnitude_values,
    range_problem,
)
from previs.errors import CatalogError, quote
from previs.geometry.coordinates import parse_angles

__all__ = [
    "DEC_NAMES",
    "FLAG_NAMES",
    "RA_NAMES",
    "REFERENCE_NAMES",
    "booleans_from_values",
    "flags_from_values",
    "read_catalog",
]

# Column names recognised for tables, in order of preference (compared case-insensitively).
RA_NAMES: tuple[str, ...] = (
    "ra",
    "ra_deg",
    "radeg",
    "ra_icrs",
    "raj2000",
    "ra_j2000",
    "_raj2000",
    "alpha_j2000",
    "alpha",
    "x_world",
    "target_ra",
    "ra_target",
    "right_ascension",
)
DEC_NAMES: tuple[str, ...] = (
    "dec",
    "dec_deg",
    "decdeg",
    "dec_icrs",
    "de_icrs",
    "dej2000",
    "decj2000",
    "dec_j2000",
    "_dej2000",
    "delta_j2000",
    "delta",
    "y_world",
    "target_dec",
    "dec_target",
    "declination",
)
FLAG_NAMES: tuple[str, ...] = ("flag", "flags", "type", "priority", "target_type")
#: Reference-star columns recognised (case-insensitively), MPT's name first.
REFERENCE_NAMES: tuple[str, ...] = (REFERENCE_COLUMN.lower(), "reference_star", "refstar")
_TRUE_WORDS = frozenset({"TRUE", "T", "Y", "YES", "1"})
_FALSE_WORDS = frozenset({"FALSE", "F", "N", "NO", "0", ""})

_TABLE_EXTENSIONS = {
    ".csv": "ascii.csv",
    ".ecsv": "ascii.ecsv",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".fits.gz": "fits",
    ".fit.gz": "fits",
    ".xml": "votable",
    ".vot": "votable",
    ".votable": "votable",
}
_FORMAT_ALIASES = {
    "radec": "radec",
    "novt": "radec",
    "csv": "ascii.csv",
    "ecsv": "ascii.ecsv",
    "fits": "fits",
    "votable": "votable",
    "vot": "votable",
}


def _find_column(
    table, requested: str | None, accepted: tuple[str, ...], what: str, name: str, option: str
) -> str | None:
    columns = list(table.colnames)
    lower = {column.lower(): column for column in reversed(columns)}
    if requested is not None:
        if requested in columns:
            return requested
        if str(requested).lower() in lower:
            return lower[str(requested).lower()]
        raise CatalogError(
            f"{name}: no column {quote(requested)} ({option}); columns found: {', '.join(columns)}"
        )
    for candidate in accepted:
        if candidate in lower:
            return lower[candidate]
    return None


def _missing_columns_error(table, name: str, what: str, accepted: tuple[str, ...], option: str):
    columns = ", ".join(table.colnames) or "none"
    return CatalogError(
        f"{name}: no {what} column found; columns found: {columns}; accepted {what} names "
        f"(any case): {', '.join(accepted)}; or name the column with {option}="
    )


def _first_masked(column) -> int | None:
    mask = getattr(column, "mask", None)
    if mask is None or mask is np.ma.nomask:
        return None
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim == 1 and mask.any():
        return int(np.flatnonzero(mask)[0])
    return None


def _angle_column(table, column_name: str, kind: str, name: str) -> np.ndarray:
    from astropy import units as u

    column = table[column_name]
    where = f"column {quote(column_name)}"
    masked = _first_masked(column)
    if masked is not None:
        raise CatalogError(f"{name}, row {masked + 1}: {kind} is missing ({where})")
    unit = getattr(column, "unit", None)
    raw = np.asarray(getattr(column, "value", column))
    if raw.ndim != 1:
        raise CatalogError(f"{name}: {kind} {where} holds arrays, expected one value per row")
    if raw.dtype.kind in "USO":
        tokens = [
            value.decode() if isinstance(value, bytes) else str(value).strip() for value in raw
        ]
        values, bad, problem = parse_angles(tokens, kind)
        if bad is not None:
            raise CatalogError(f"{name}, row {bad + 1}: {problem} ({where})")
        shown = tokens
    elif raw.dtype.kind in "iuf":
        values = raw.astype(float)
        if unit is not None and unit != u.dimensionless_unscaled:
            try:
                values = (values * u.Unit(unit)).to_value(u.deg)
            except u.UnitConversionError:
                raise CatalogError(
                    f"{name}: {kind} {where} has unit {quote(str(unit))}, not an angle"
                ) from None
        finite = np.isfinite(values)
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            raise CatalogError(
                f"{name}, row {i + 1}: {kind} {quote(raw[i].item())} is not finite ({where})"
            )
        shown = raw
    else:
        raise CatalogError(f"{name}: {kind} {where} holds {raw.dtype} values, not angles")
    index, problem = range_problem(values, shown, kind)
    if index is not None:
        raise CatalogError(f"{name}, row {index + 1}: {problem} ({where})")
    return values


def flags_from_values(values, name: str = "catalog", column_name: str = "flag") -> np.ndarray:
    """Map flag-column values to ``"P"`` / ``"F"`` (see the module docstring for the rules).

    Raises
    ------
    CatalogError
        Naming the first row whose value has no mapping.
    """
    where = f"column {quote(column_name)}"
    masked = _first_masked(values)
    if masked is not None:
        raise CatalogError(f"{name}, row {masked + 1}: flag is missing ({where})")
    raw = np.asarray(getattr(values, "value", values))
    if raw.dtype.kind == "b":
        return np.where(raw, "P", "F").astype("<U1")
    if raw.dtype.kind in "iuf":
        valid = np.isfinite(raw) & (raw >= 0) & (np.mod(raw, 1) == 0)
        if not valid.all():
            i = int(np.flatnonzero(~valid)[0])
            raise CatalogError(
                f"{name}, row {i + 1}: priority {quote(raw[i].item())} is not a non-negative "
                f"integer ({where}; 1 = primary, 0 or >= 2 = filler)"
            )
        return np.where(raw == 1, "P", "F").astype("<U1")
    words = {"P": "P", "PRIMARY": "P", "F": "F", "FILLER": "F", "R": "R", "REFERENCE": "R"}
    tokens = [v.decode() if isinstance(v, bytes) else str(v) for v in raw]
    mapping = {token: words.get(token.strip().upper()) for token in set(tokens)}
    if any(letter is None for letter in mapping.values()):
        i = next(i for i, token in enumerate(tokens) if mapping[token] is None)
        raise CatalogError(
            f"{name}, row {i + 1}: flag {quote(tokens[i])} is not P/primary, F/filler or "
            f"R/reference ({where})"
        )
    return np.array([mapping[token] for token in tokens], dtype="<U1")


def booleans_from_values(values, name: str = "catalog", column_name: str = "Reference"):
    """True/false per row of a column: booleans, numbers (non-zero: true) or words
    True/False, T/F, Y/N, Yes/No, 1/0 (any case; empty and masked entries: false).

    Raises
    ------
    CatalogError
        Naming the first row whose text is none of these.
    """
    mask = np.ma.getmaskarray(values) if np.ma.isMaskedArray(values) else None
    raw = np.asarray(np.ma.getdata(values) if mask is not None else values).ravel()
    if raw.dtype.kind == "b":
        result = raw.astype(bool)
    elif raw.dtype.kind in "iuf":
        result = np.nan_to_num(raw.astype(float)) != 0
    else:
        text = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in raw.tolist()])
        words = np.char.upper(np.char.strip(text)) if len(text) else text
        known = np.isin(words, list(_TRUE_WORDS | _FALSE_WORDS))
        if mask is not None:
            known |= mask
        if not known.all():
            i = int(np.flatnonzero(~known)[0])
            raise CatalogError(
                f"{name}, row {i + 1}: {quote(str(text[i]))} is not True/False (or Y/N, 1/0) "
                f"(column {quote(column_name)})"
            )
        result = np.isin(words, list(_TRUE_WORDS))
    if mask is not None:
        result[mask] = False
    return result


def _msata_columns(table, name: str, reference_column) -> tuple[dict, np.ndarray | None]:
    """The table's magnitude columns (by name, any case) and its reference-star mask."""
    lower = {column.lower(): column for column in reversed(list(table.colnames))}
    magnitudes = {}
    for column in MAGNITUDE_COLUMNS:
        found = lower.get(column.lower())
        if found is not None:
            magnitudes[column] = magnitude_values(table[found], len(table), found, name)
    reference = _optional_column(
        table, name, reference_column, REFERENCE_NAMES, "reference", booleans_from_values
    )
    return magnitudes, reference


def _optional_column(table, name: str, given, names, what: str, read):
    """An optional column (flag, reference) read with ``read(values, name, column)``.

    ``given``: the column asked for by the ``{what}_column`` keyword (None: look for
    one of ``names``; False: none). A column found by its name that does not read
    says how to ignore it; None when there is none.
    """
    if given is False:
        return None
    keyword = f"{what}_column"
    found = _find_column(table, given or None, names, what, name, keyword)
    if found is None:
        return None
    try:
        return read(table[found], name, found)
    except CatalogError as error:
        if given:
            raise
        raise CatalogError(
            f"{error} (found by its name; pass {keyword}=False to ignore it)"
        ) from None


def _catalog_from_table(
    table,
    name: str,
    ra_column: str | None,
    dec_column: str | None,
    flag_column,
    reference_column=None,
) -> Catalog:
    ra_name = _find_column(table, ra_column, RA_NAMES, "RA", name, "ra_column")
    dec_name = _find_column(table, dec_column, DEC_NAMES, "Dec", name, "dec_column")
    if ra_name is None or dec_name is None:
        coords = _skycoord_column(table)
        if coords is not None and ra_column is None and dec_column is None:
            icrs = coords.icrs
            ra, dec = icrs.ra.deg, icrs.dec.deg
        elif ra_name is None:
            raise _missing_columns_error(table, name, "RA", RA_NAMES, "ra_column")
        else:
            raise _missing_columns_error(table, name, "Dec", DEC_NAMES, "dec_column")
    else:
        ra = _angle_column(table, ra_name, "RA", name)
        dec = _angle_column(table, dec_name, "Dec", name)
    flag = _optional_column(table, name, flag_column, FLAG_NAMES, "flag", flags_from_values)
    magnitudes, reference = _msata_columns(table, name, reference_column)
    return Catalog(
        ra,
        dec,
        flag,
        source=name,
        has_flags=flag is not None,
        magnitudes=magnitudes,
        reference=reference,
    )


def _skycoord_column(table):
    from astropy.coordinates import SkyCoord

    for column_name in table.colnames:
        if isinstance(table[column_name], SkyCoord):
            return table[column_name]
    return None


def _load(source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "uploaded catalog"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            remember_input(path, "catalog")
        except OSError as error:
            raise CatalogError(f"{path}: cannot read catalog ({error.strerror})") from None
        return data, name or path
    raise CatalogError(f"catalog source must be a file path or bytes, got {type(source).__name__}")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise CatalogError(f"{name}: not a text catalog and not a recognised table format")
    return data.decode("latin-1")


def _extension(name: str) -> str:
    lower = name.lower()
    for ext in sorted(_TABLE_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext):
            return ext
    return os.path.splitext(lower)[1]


def _sniff(data: bytes, name: str) -> str:
    """Format of a file whose extension does not say it."""
    head = data[:512].lstrip()
    if data.startswith(b"SIMPLE  ="):
        return "fits"
    if head.startswith(b"<?xml") or head[:200].upper().startswith(b"<VOTABLE"):
        return "votable"
    if head.startswith(b"# %ECSV"):
        return "ascii.ecsv"
    text = _decode(data, name)
    return "radec" if looks_like_radec(text) else "ascii"


def read_catalog(
    source,
    ra_column: str | None = None,
    dec_column: str | None = None,
    flag_column: str | bool | None = None,
    format: str | None = None,
    name: str | None = None,
    reference_column: str | bool | None = None,
) -> Catalog:
    """Read a source catalog from a file or from uploaded bytes.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        Path of the file, or its content (e.g. from an upload widget).
    ra_column, dec_column : str, optional
        Names of the RA and Dec columns of a table (found by common names if
        omitted; see :data:`RA_NAMES`, :data:`DEC_NAMES`). Ignored for ``.radec``.
    flag_column : str or False, optional
        Name of the primary / filler column (found by :data:`FLAG_NAMES` if
        omitted); False reads no flags (every source is primary).
    format : str, optional
        ``"radec"``, ``"csv"``, ``"ecsv"``, ``"fits"``, ``"votable"`` or any
        astropy table format name. By default the file name's extension decides
        (``.radec``, ``.csv``, ``.ecsv``, ``.fits``/``.fit``/``.fts`` (``.gz``),
        ``.xml``/``.vot``); other files (``.txt``, ``.dat``, ...) are read as
        ``.radec`` when their first data line starts with two angles and as an
        astropy ASCII table otherwise.
    name : str, optional
        Name of the file for messages and for the format guess (defaults to the
        path; use it with bytes).
    reference_column : str or False, optional
        Name of a table's reference-star column (found by :data:`REFERENCE_NAMES`
        if omitted); False reads none. Ignored for ``.radec`` (flag ``R``).

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        If the file is empty, unreadable or malformed; the message names the
        file, the line (``.radec``) or row (tables) and what is wrong.
    """
    data, name = _load(source, name)
    if not data.strip():
        raise CatalogError(f"{name}: the file is empty; expected a catalog of RA, Dec positions")
    if format is not None:
        fmt = _FORMAT_ALIASES.get(str(format).strip().lower(), str(format).strip())
    else:
        ext = _extension(name)
        if ext in RADEC_EXTENSIONS:
            fmt = "radec"
        elif ext in _TABLE_EXTENSIONS:
            fmt = _TABLE_EXTENSIONS[ext]
        else:
            fmt = _sniff(data, name)
    if fmt == "radec":
        return read_radec(_decode(data, name), name)
    return _catalog_from_table(
        _read_table(data, fmt, name), name, ra_column, dec_column, flag_column, reference_column
    )


def _read_table(data: bytes, fmt: str, name: str):
    from astropy.table import Table

    register_with_astropy()

    if fmt.startswith("ascii") or fmt in ("csv", "ecsv"):
        handle = _decode(data, name).splitlines()
    else:
        handle = io.BytesIO(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = Table.read(handle, format=fmt)
    except Exception as error:  # astropy raises many types for malformed files
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CatalogError(f"{name}: cannot read as a {fmt} table ({message})") from None
    return table
