"""NIRSpec MSA pointings from a CSV table: one row per pointing, RA, Dec and APA.

A header names the columns (case, spaces and underscores ignored): ``ra`` and
``dec`` (degrees, or sexagesimal: ``03:32:39.0``, ``-27:47:29``) and ``apa``
(also ``pa``, ``aperture_pa``, ``nirspec_apa``: NRS_FULL_MSA's aperture position
angle, degrees). Without a header the first three columns are RA, Dec, APA.
Lines starting with ``#`` and blank lines are skipped; other columns are ignored.
Every error names the file and the line.

The pointings go into a :class:`~previs.planning.plan.Plan` as its ``nirspec``
(the first) and ``extra_nirspec`` (the others).
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

from previs._files import read_small_text
from previs.errors import PrevisError, quote
from previs.geometry.attitude import Pointing
from previs.geometry.coordinates import read_angle
from previs.geometry.coverage import MAX_POINTINGS

__all__ = ["parse_pointing_table", "read_pointing_table"]

MAX_BYTES = 5_000_000
_ALIASES = {
    "ra": ("ra", "radeg", "raj2000"),
    "dec": ("dec", "decdeg", "dej2000", "decj2000"),
    "apa": ("apa", "pa", "aperturepa", "nirspecapa", "apadeg", "paaperture"),
}


def read_pointing_table(path: str | os.PathLike) -> tuple[Pointing, ...]:
    """Read a CSV table of NIRSpec pointings (see the module notes).

    Raises
    ------
    PrevisError
        If the file cannot be read, or naming the line of a bad row.
    """
    path = Path(path)
    text = read_small_text(path, "NIRSpec pointing table", MAX_BYTES, PrevisError)
    return parse_pointing_table(text, path.name)


def _key(cell: str) -> str:
    return "".join(ch for ch in cell.lower() if ch.isalnum())


def _header(row: list[str]) -> dict[str, int] | None:
    """Column of ra, dec, apa when ``row`` is a header; None when it is data."""
    keys = [_key(cell) for cell in row]
    columns = {}
    for name, aliases in _ALIASES.items():
        found = [k for k, key in enumerate(keys) if key in aliases]
        if found:
            columns[name] = found[0]
    return columns or None


def parse_pointing_table(text: str, name: str = "<csv>") -> tuple[Pointing, ...]:
    """Parse the CSV text of a pointing table; errors name ``name`` and the line."""
    columns: dict[str, int] | None = None
    pointings: list[Pointing] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            header = _header(row)
            if header is not None:
                missing = [c for c in ("ra", "dec", "apa") if c not in header]
                if missing:
                    raise PrevisError(
                        f"{name}, line {line}: the header {quote(','.join(row))} has no "
                        f"{missing[0]} column; write e.g. 'ra,dec,apa'"
                    )
                columns = header
                continue
            columns = {"ra": 0, "dec": 1, "apa": 2}
        if len(pointings) >= MAX_POINTINGS:
            raise PrevisError(f"{name}: more than {MAX_POINTINGS} NIRSpec pointings")
        pointings.append(_row(row, columns, name, line))
    if not pointings:
        raise PrevisError(
            f"{name}: no NIRSpec pointings (expected a header 'ra,dec,apa' and one row per "
            "pointing)"
        )
    return tuple(pointings)


def _row(row: list[str], columns: dict[str, int], name: str, line: int) -> Pointing:
    cells = {}
    for field, k in columns.items():
        if k >= len(row) or not row[k].strip():
            raise PrevisError(f"{name}, line {line}: no {field} value (expected RA, Dec, APA)")
        cells[field] = row[k].strip()
    where = f"{name}, line {line}"
    ra = read_angle(cells["ra"], "RA", f"{where}: RA")
    dec = read_angle(cells["dec"], "Dec", f"{where}: Dec")
    try:
        apa = float(cells["apa"])
    except ValueError:
        apa = math.nan
    if not math.isfinite(apa):
        raise PrevisError(f"{where}: APA {quote(cells['apa'])} is not a finite number (degrees)")
    if not 0.0 <= ra < 360.0 or not -90.0 <= dec <= 90.0:
        raise PrevisError(
            f"{where}: RA must lie in [0, 360) and Dec in [-90, 90] degrees, got RA "
            f"{ra:g}, Dec {dec:g}"
        )
    return Pointing(ra, dec, apa)
