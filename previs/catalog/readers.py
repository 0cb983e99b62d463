"""Source catalogs: NOVT ``.radec`` files and astropy-readable tables.

A :class:`Catalog` holds sky positions (degrees) and a flag per source:
``"P"`` for a primary target, ``"F"`` for a filler.

Two families of input are read by :func:`read_catalog`:

``.radec`` (the NOVT catalog format)
    One source per line: RA and Dec, whitespace separated, then an optional
    flag ``P`` or ``F`` (case-insensitive); further columns are ignored, and so
    are blank lines and everything after ``#``. RA and Dec are decimal degrees
    or sexagesimal: ``03:32:39.0 -27:47:29`` (RA in hours with colons) or
    ``3h32m39s -27d47m29s`` (``h`` hours, ``d`` degrees). A line without a flag
    is a primary target. Decimal RA may lie in [-360, 360] and is wrapped to
    [0, 360); Dec must lie in [-90, 90].

Tables (CSV, ECSV, FITS, VOTable and other formats astropy reads)
    RA and Dec columns are found by common names, case-insensitively (see
    :data:`RA_NAMES`, :data:`DEC_NAMES`), or named with ``ra_column`` and
    ``dec_column``. Values are degrees unless the column has an angular unit
    (``hourangle``, ``rad``, ...); text columns may hold sexagesimal strings.
    An optional flag column (:data:`FLAG_NAMES`, or ``flag_column``) maps to
    primary / filler as follows:

    - text: ``P`` or ``primary`` -> primary, ``F`` or ``filler`` -> filler
      (case-insensitive);
    - boolean: True -> primary, False -> filler;
    - a non-negative integer priority: 1 (the highest priority class, as in
      the NIRSpec MSA Planning Tool) -> primary, 0 or 2 and above -> filler.

Empty input: a file with no bytes (or only white space) is an error; a file
with a header or comments but no data rows gives an empty catalog.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

import numpy as np

from previs.errors import CatalogError

__all__ = [
    "DEC_NAMES",
    "FLAG_NAMES",
    "RA_NAMES",
    "Catalog",
    "CatalogError",
    "parse_angles",
    "read_catalog",
    "write_radec",
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

_RADEC_EXTENSIONS = (".radec",)
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

_COMMENT = re.compile(r"#[^\n]*")
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_COLON_FORM = re.compile(rf"^([+-]?)(\d+):(\d+(?:\.\d*)?)(?::{_NUMBER})?$")
_LETTER_FORM = re.compile(
    rf"^([+-]?){_NUMBER}([hd\u00b0])(?:{_NUMBER}[m'\u2032])?(?:{_NUMBER}(?:s|\"|\u2033)?)?$",
    re.IGNORECASE,
)


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
        ra = ra % 360.0
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
                    f"{name}, source {i + 1}: flag {given!r} is not P (primary) or F (filler)"
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


# ---------------------------------------------------------------------------
# Angles


def _sexagesimal(token: str, kind: str) -> float | None:
    """Degrees from a sexagesimal token, or None when it is not one (ranges unchecked)."""
    match = _COLON_FORM.match(token)
    if match:
        sign, first, minutes, seconds = match.groups()
        hours = kind == "RA"
    else:
        match = _LETTER_FORM.match(token)
        if not match:
            return None
        sign, first, unit, minutes, seconds = match.groups()
        hours = unit.lower() == "h"
        if hours and kind != "RA":
            return None
    first_value = float(first)
    minutes_value = float(minutes) if minutes else 0.0
    seconds_value = float(seconds) if seconds else 0.0
    if minutes_value >= 60.0 or seconds_value >= 60.0:
        return math.nan
    if (minutes or seconds) and not first_value.is_integer():
        return math.nan
    if hours and first_value >= 24.0:
        return math.nan
    value = first_value + minutes_value / 60.0 + seconds_value / 3600.0
    value *= 15.0 if hours else 1.0
    return -value if sign == "-" else value


def parse_angles(tokens: Sequence[str], kind: str) -> tuple[np.ndarray, int | None, str]:
    """Parse RA or Dec tokens (decimal degrees or sexagesimal) to degrees.

    Parameters
    ----------
    tokens : sequence of str
        The values as text.
    kind : {"RA", "Dec"}
        Which coordinate: colon-separated RA is in hours, colon-separated Dec in degrees.

    Returns
    -------
    values : numpy.ndarray
        Degrees (not range-checked beyond the sexagesimal fields), NaN where unreadable.
    first_bad : int or None
        Index of the first unreadable token, or None.
    problem : str
        What is wrong with that token ("" when all were read).
    """
    count = len(tokens)
    try:
        values = np.fromiter(map(float, tokens), dtype=float, count=count)
    except ValueError:
        values = np.empty(count)
        for i, token in enumerate(tokens):
            try:
                values[i] = float(token)
            except ValueError:
                angle = _sexagesimal(token, kind)
                values[i] = math.nan if angle is None else angle
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad) == 0:
        return values, None, ""
    i = int(bad[0])
    token = tokens[i]
    if kind == "RA":
        expected = "degrees or sexagesimal hours (03:32:39.0 or 3h32m39s)"
    else:
        expected = "degrees or sexagesimal degrees (-27:47:29 or -27d47m29s)"
    return values, i, f"{kind} {token!r} is not a valid angle; expected {expected}"


def _range_problem(values: np.ndarray, tokens: Sequence, kind: str) -> tuple[int | None, str]:
    """First value outside the valid range of ``kind`` and the message for it."""
    low, high = (-360.0, 360.0) if kind == "RA" else (-90.0, 90.0)
    outside = np.flatnonzero((values < low) | (values > high))
    if len(outside) == 0:
        return None, ""
    i = int(outside[0])
    return i, f"{kind} {str(tokens[i])!r} is out of range [{low:g}, {high:g}]"


# ---------------------------------------------------------------------------
# .radec


# Characters str.split() treats as white space among the ASCII ones.
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def _tokenize(text: str) -> tuple[list[str], np.ndarray]:
    """All tokens of ``text`` in order, and the number of tokens on each line.

    Lines are separated by newlines (after normalising CR LF and CR). ASCII
    text is counted with numpy on its bytes; other text line by line.
    """
    if text.isascii():
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        space = _ASCII_SPACE[raw]
        starts = ~space
        starts[1:] &= space[:-1]
        newlines = np.flatnonzero(raw == 10)
        line_of_token = np.searchsorted(newlines, np.flatnonzero(starts))
        counts = np.bincount(line_of_token, minlength=len(newlines) + 1)
        return text.split(), counts
    rows = [line.split() for line in text.split("\n")]
    counts = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    return [token for row in rows for token in row], counts


def _pick(tokens: list[str], positions: np.ndarray) -> list[str]:
    """``tokens[i]`` for every ``i`` in ``positions``."""
    if len(positions) == 0:
        return []
    if len(positions) == 1:
        return [tokens[int(positions[0])]]
    return list(itemgetter(*positions.tolist())(tokens))


def _read_radec(text: str, name: str) -> Catalog:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "#" in text:
        text = _COMMENT.sub("", text)
    tokens, counts = _tokenize(text)
    data_lines = np.flatnonzero(counts)
    row_counts = counts[data_lines]
    offsets = np.cumsum(row_counts) - row_counts
    n_rows = len(data_lines)
    problems: list[tuple[int, str]] = []

    short = np.flatnonzero(row_counts < 2)
    if len(short):
        problems.append((int(short[0]), "expected RA and Dec, found 1 column"))
    uniform = n_rows > 0 and bool(np.all(row_counts == row_counts[0]))
    if uniform and row_counts[0] >= 2:
        width = int(row_counts[0])
        ra_tokens, dec_tokens = tokens[0::width], tokens[1::width]
        usable = np.arange(n_rows)
    else:
        usable = np.flatnonzero(row_counts >= 2)
        ra_tokens = _pick(tokens, offsets[usable])
        dec_tokens = _pick(tokens, offsets[usable] + 1)
    ra = np.zeros(n_rows)
    dec = np.zeros(n_rows)
    for values, column, kind in ((ra, ra_tokens, "RA"), (dec, dec_tokens, "Dec")):
        parsed, bad, problem = parse_angles(column, kind)
        if bad is not None:
            problems.append((int(usable[bad]), problem))
        with np.errstate(invalid="ignore"):
            bad, problem = _range_problem(parsed, column, kind)
        if bad is not None:
            problems.append((int(usable[bad]), problem))
        values[usable] = parsed

    flagged = np.flatnonzero(row_counts >= 3)
    flag = None
    if len(flagged):
        if uniform:
            flag_tokens = tokens[2 :: int(row_counts[0])]
        else:
            flag_tokens = _pick(tokens, offsets[flagged] + 2)
        letters = {token: token.upper() for token in set(flag_tokens)}
        invalid = {token for token, letter in letters.items() if letter not in ("P", "F")}
        if invalid:
            first = next(i for i, token in enumerate(flag_tokens) if token in invalid)
            problem = f"flag {flag_tokens[first]!r} is not P (primary) or F (filler)"
            problems.append((int(flagged[first]), problem))
        else:
            flag = np.full(n_rows, "P", dtype="<U1")
            flag[flagged] = [letters[token] for token in flag_tokens]

    if problems:
        index, problem = min(problems, key=lambda item: item[0])
        raise CatalogError(f"{name}, line {int(data_lines[index]) + 1}: {problem}")
    return Catalog(ra, dec, flag, source=name, has_flags=flag is not None)


# ---------------------------------------------------------------------------
# Tables


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
            f"{name}: no column {requested!r} ({option}); columns found: {', '.join(columns)}"
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
    where = f"column {column_name!r}"
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
                    f"{name}: {kind} {where} has unit {str(unit)!r}, not an angle"
                ) from None
        finite = np.isfinite(values)
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            raise CatalogError(
                f"{name}, row {i + 1}: {kind} {raw[i].item()!r} is not finite ({where})"
            )
        shown = raw
    else:
        raise CatalogError(f"{name}: {kind} {where} holds {raw.dtype} values, not angles")
    index, problem = _range_problem(values, shown, kind)
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
    where = f"column {column_name!r}"
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
                f"{name}, row {i + 1}: priority {raw[i].item()!r} is not a non-negative integer "
                f"({where}; 1 = primary, 0 or >= 2 = filler)"
            )
        return np.where(raw == 1, "P", "F").astype("<U1")
    words = {"P": "P", "PRIMARY": "P", "F": "F", "FILLER": "F"}
    tokens = [v.decode() if isinstance(v, bytes) else str(v) for v in raw]
    mapping = {token: words.get(token.strip().upper()) for token in set(tokens)}
    if any(letter is None for letter in mapping.values()):
        i = next(i for i, token in enumerate(tokens) if mapping[token] is None)
        raise CatalogError(
            f"{name}, row {i + 1}: flag {tokens[i]!r} is not P/primary or F/filler ({where})"
        )
    return np.array([mapping[token] for token in tokens], dtype="<U1")


def _catalog_from_table(
    table, name: str, ra_column: str | None, dec_column: str | None, flag_column
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
    flag = None
    if flag_column is not False:
        flag_name = _find_column(
            table, flag_column or None, FLAG_NAMES, "flag", name, "flag_column"
        )
        if flag_name is not None:
            try:
                flag = flags_from_values(table[flag_name], name, flag_name)
            except CatalogError as error:
                if flag_column:
                    raise
                raise CatalogError(
                    f"{error} (found by its name; pass flag_column=False to ignore it)"
                ) from None
    return Catalog(ra, dec, flag, source=name, has_flags=flag is not None)


def _skycoord_column(table):
    from astropy.coordinates import SkyCoord

    for column_name in table.colnames:
        if isinstance(table[column_name], SkyCoord):
            return table[column_name]
    return None


# ---------------------------------------------------------------------------
# Input handling


def _load(source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "uploaded catalog"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
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


def _looks_like_radec(text: str) -> bool:
    """True if the first data line starts with two readable angles."""
    for line in text.splitlines():
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        if len(tokens) < 2:
            return False
        _, bad_ra, _ = parse_angles(tokens[:1], "RA")
        _, bad_dec, _ = parse_angles(tokens[1:2], "Dec")
        return bad_ra is None and bad_dec is None
    return True


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
    return "radec" if _looks_like_radec(text) else "ascii"


def read_catalog(
    source,
    ra_column: str | None = None,
    dec_column: str | None = None,
    flag_column: str | bool | None = None,
    format: str | None = None,
    name: str | None = None,
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
        if ext in _RADEC_EXTENSIONS:
            fmt = "radec"
        elif ext in _TABLE_EXTENSIONS:
            fmt = _TABLE_EXTENSIONS[ext]
        else:
            fmt = _sniff(data, name)
    if fmt == "radec":
        return _read_radec(_decode(data, name), name)
    return _catalog_from_table(
        _read_table(data, fmt, name), name, ra_column, dec_column, flag_column
    )


def _read_table(data: bytes, fmt: str, name: str):
    import warnings

    from astropy.table import Table

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


def write_radec(catalog: Catalog, path: str | os.PathLike) -> None:
    """Write a catalog as a NOVT ``.radec`` file (RA, Dec in degrees, flag when it has flags).

    Positions are written with 9 decimals (3.6 micro-arcsec), so that
    :func:`read_catalog` gives the same catalog back.
    """
    header = f"# previs catalog from {catalog.source or 'memory'}: {len(catalog)} sources\n"
    header += "# RA(deg) Dec(deg)" + (" flag(P=primary,F=filler)\n" if catalog.has_flags else "\n")
    if catalog.has_flags:
        lines = [
            f"{ra:.9f} {dec:+.9f} {flag}"
            for ra, dec, flag in zip(
                catalog.ra.tolist(), catalog.dec.tolist(), catalog.flag, strict=True
            )
        ]
    else:
        lines = [
            f"{ra:.9f} {dec:+.9f}"
            for ra, dec in zip(catalog.ra.tolist(), catalog.dec.tolist(), strict=True)
        ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header)
        handle.write("\n".join(lines))
        if lines:
            handle.write("\n")
