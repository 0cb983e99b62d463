"""Custom exposure patterns: a CSV table of target offsets, as APT's reports give them.

One row per exposure, with a header naming the columns (case and spaces ignored):

- ``x`` and ``y`` (also ``dx``/``dy``, ``idlx``/``idly``, ``x_arcsec``/``y_arcsec``):
  where the target sits in the aperture's ideal frame, arcsec (APT's IdlX, IdlY);
- optionally ``tile`` and ``dither``: APT-style numbers from 1 (default: tile 1,
  dithers 1, 2, ...).

Lines starting with ``#`` and blank lines are skipped. The offsets are in
NRCALL_FULL's ideal frame unless another NIRCam imaging aperture is named
(``aperture="NRCBS_FULL"``): then they are converted through the current SIAF.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np

from previs._files import read_small_text
from previs.errors import AptError, PrevisError, quote
from previs.geometry.patterns import MAX_EXPOSURES, Exposures
from previs.geometry.siaf import NIRCAM_REFERENCE, get_aperture, is_snapshot_aperture

__all__ = ["parse_offsets_csv", "read_offsets_csv"]

_ALIASES = {
    "x": ("x", "dx", "idlx", "xarcsec", "xidl"),
    "y": ("y", "dy", "idly", "yarcsec", "yidl"),
    "tile": ("tile",),
    "dither": ("dither", "dith"),
}
MAX_BYTES = 20_000_000


def read_offsets_csv(path: str | os.PathLike, aperture: str = NIRCAM_REFERENCE) -> Exposures:
    """Read a custom pattern (see the module notes) into
    :class:`~previs.geometry.patterns.Exposures`."""
    path = Path(path)
    text = read_small_text(path, "offset table", MAX_BYTES, AptError)
    return parse_offsets_csv(text, path.name, aperture)


def _header(row: list[str], name: str, line: int) -> dict[str, int]:
    keys = ["".join(ch for ch in cell.lower() if ch.isalnum()) for cell in row]
    columns = {}
    for field, aliases in _ALIASES.items():
        found = [k for k, key in enumerate(keys) if key in aliases]
        if found:
            columns[field] = found[0]
    if "x" not in columns or "y" not in columns:
        raise AptError(
            f"{name}, line {line}: the header {quote(','.join(row))} names no x and y columns "
            "(arcsec); write e.g. 'x,y,tile,dither'"
        )
    return columns


def parse_offsets_csv(
    text: str, name: str = "<csv>", aperture: str = NIRCAM_REFERENCE
) -> Exposures:
    """Parse a custom pattern's CSV text; errors name the line and the column."""
    if not is_snapshot_aperture("NIRCam", aperture):
        raise AptError(f"{quote(aperture)} is not a NIRCam imaging aperture of previs's SIAF")
    columns: dict[str, int] | None = None
    values: dict[str, list] = {"x": [], "y": [], "tile": [], "dither": []}
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns = _header(row, name, line)
            continue
        if len(values["x"]) >= MAX_EXPOSURES:
            raise AptError(f"{name}: more than {MAX_EXPOSURES} exposures")
        for field, k in columns.items():
            cell = row[k].strip() if k < len(row) else ""
            values[field].append(_cell(cell, field, name, line))
    if columns is None or not values["x"]:
        raise AptError(
            f"{name}: no offsets (expected a header such as 'x,y' and one row per exposure)"
        )
    offsets = np.column_stack([values["x"], values["y"]])
    if aperture != NIRCAM_REFERENCE:
        v2, v3 = get_aperture(aperture).idl_to_tel(offsets[:, 0], offsets[:, 1])
        offsets = np.column_stack(get_aperture(NIRCAM_REFERENCE).tel_to_idl(v2, v3))
    try:
        return Exposures.from_offsets(
            offsets,
            values["tile"] or None,
            values["dither"] or None,
            aperture,
            "custom",
            f"custom pattern {name}: {len(offsets)} exposures",
        )
    except PrevisError as error:
        raise AptError(f"{name}: {error}") from None


def _cell(cell: str, field: str, name: str, line: int) -> float | int:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if field in ("tile", "dither"):
        if not (math.isfinite(value) and value.is_integer() and value >= 1):
            raise AptError(
                f"{name}, line {line}: {field} {quote(cell)} is not a whole number from 1"
            )
        return int(value)
    if not math.isfinite(value):
        raise AptError(
            f"{name}, line {line}: {field} {quote(cell)} is not a finite number (arcsec)"
        )
    return value
