"""The NOVT ``.radec`` catalog format: read, write, and recognise it.

One source per line: RA and Dec, whitespace separated, then an optional flag
``P`` (primary target), ``F`` (filler) or ``R`` (a reference star for MSA
target acquisition; previs's addition to NOVT's two), case-insensitive;
further columns are ignored, and so are blank lines and everything after ``#``. RA and Dec are
decimal degrees or sexagesimal (:mod:`previs.geometry.coordinates`: RA in hours
unless degree-marked). A line without a flag is a primary target. Decimal RA
may lie in [-360, 360] and is wrapped to [0, 360); Dec must lie in [-90, 90].

The reader is vectorised (a million lines in about a second) and names the
first bad line. It is also registered with :mod:`astropy.io.registry` as the
``"radec"`` format of :class:`astropy.table.Table`, so
``Table.read("targets.radec")`` works too.

Layer: catalog.
"""

from __future__ import annotations

import os
import re
from operator import itemgetter

import numpy as np

from previs._files import write_text_atomic
from previs.catalog.table import FLAGS, Catalog, range_problem
from previs.errors import CatalogError, quote
from previs.geometry.coordinates import parse_angles

__all__ = ["looks_like_radec", "read_radec", "register_with_astropy", "write_radec"]

RADEC_EXTENSIONS = (".radec",)
_COMMENT = re.compile(r"#[^\n]*")


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


def read_radec(text: str, name: str = "catalog") -> Catalog:
    """A :class:`Catalog` from the text of a ``.radec`` file.

    Raises
    ------
    CatalogError
        Naming ``name`` and the first bad line (1-based, counting every line).
    """
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
            bad, problem = range_problem(parsed, column, kind)
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
        invalid = {token for token, letter in letters.items() if letter not in FLAGS}
        if invalid:
            first = next(i for i, token in enumerate(flag_tokens) if token in invalid)
            problem = (
                f"flag {quote(flag_tokens[first])} is not P (primary), F (filler) "
                "or R (reference star)"
            )
            problems.append((int(flagged[first]), problem))
        else:
            flag = np.full(n_rows, "P", dtype="<U1")
            flag[flagged] = [letters[token] for token in flag_tokens]

    if problems:
        index, problem = min(problems, key=lambda item: item[0])
        raise CatalogError(f"{name}, line {int(data_lines[index]) + 1}: {problem}")
    return Catalog(ra, dec, flag, source=name, has_flags=flag is not None)


def write_radec(catalog: Catalog, path: str | os.PathLike) -> None:
    """Write a catalog as a NOVT ``.radec`` file (RA, Dec in degrees, flag when it has flags).

    Positions are written with 9 decimals (3.6 micro-arcsec), so that
    :func:`read_catalog` gives the same catalog back.
    """
    header = f"# previs catalog from {catalog.source or 'memory'}: {len(catalog)} sources\n"
    legend = "P=primary,F=filler" + (",R=reference" if (catalog.flag == "R").any() else "")
    header += "# RA(deg) Dec(deg)" + (f" flag({legend})\n" if catalog.has_flags else "\n")
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
    body = "\n".join(lines) + ("\n" if lines else "")
    write_text_atomic(path, header + body)


def looks_like_radec(text: str) -> bool:
    """True if the first data line starts with two readable angles (or there is none)."""
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


def _table_from_radec(source, **kwargs):
    """astropy reader: a ``.radec`` path or file object as a Table (ra, dec[, flag])."""
    from astropy.table import Table

    if hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", "catalog")
    else:
        name = os.fspath(source)
        with open(name, "rb") as handle:
            data = handle.read()
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    catalog = read_radec(text, str(name))
    columns = {"ra": catalog.ra, "dec": catalog.dec}
    if catalog.has_flags:
        columns["flag"] = catalog.flag
    table = Table(columns)
    table["ra"].unit = table["dec"].unit = "deg"
    return table


def _identify_radec(origin, path, fileobj, *args, **kwargs) -> bool:
    return isinstance(path, str) and path.lower().endswith(RADEC_EXTENSIONS)


def register_with_astropy() -> None:
    """Register ``"radec"`` as an astropy Table format (reader and identifier), once."""
    from astropy.io import registry
    from astropy.table import Table

    if "radec" in registry.get_formats(Table, "Read")["Format"]:
        return
    registry.register_reader("radec", Table, _table_from_radec)
    registry.register_identifier("radec", Table, _identify_radec)
