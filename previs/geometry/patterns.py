"""NIRCam dither patterns and mosaics for pre-imaging, as offsets in the ideal frame.

Offsets are in arcsec in the ideal frame of NRCALL_FULL. An offset (dx, dy)
places the target at ideal position (dx, dy): the footprint moves the opposite
way on the sky. Dither offsets are those of the JWST documentation's table of
NIRCam pre-imaging patterns (FULL3, FULL3TIGHT, FULL6 and the 8NIRSPEC box).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from previs.errors import quote
from previs.geometry.siaf import NIRCAM_REFERENCE, get_aperture

# (x offsets, y offsets), arcsec, paired in order.
DITHERS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "NONE": ((0.0,), (0.0,)),
    "FULL3": ((-58.0, 0.0, 58.0), (-23.5, 0.0, 23.5)),
    "FULL3TIGHT": ((-58.0, 0.0, 58.0), (-7.5, 0.0, 7.5)),
    "FULL6": (
        (-72.0, -43.0, -14.0, 15.0, 44.0, 73.0),
        (-30.0, -18.0, -6.0, 6.0, 18.0, 30.0),
    ),
    "8NIRSPEC": (
        (-24.6, -24.4, 24.6, 24.4, 24.6, 24.4, -24.6, -24.4),
        (-64.1, -89.0, -88.8, -63.9, 64.1, 89.0, 88.8, 63.9),
    ),
}
DITHER_NAMES = tuple(DITHERS)

MOSAIC_MAX_TILES = 10


def dither_offsets(name: str) -> np.ndarray:
    """Offsets (n, 2) in arcsec, ideal frame of NRCALL_FULL, of the dither pattern ``name``.

    Accepts the names in :data:`DITHER_NAMES`, case-insensitively, and
    ``"FULLBOX 8NIRSPEC"`` for ``"8NIRSPEC"``.
    """
    return np.column_stack(DITHERS[canonical_dither(name)])


def canonical_dither(name: str) -> str:
    """Return the canonical dither name or raise ValueError naming the valid ones."""
    key = str(name).strip().upper().replace("FULLBOX", "").replace("-", "").strip()
    key = key.replace(" ", "")
    if key in ("", "NODITHER"):
        key = "NONE"
    if key not in DITHERS:
        raise ValueError(f"unknown dither pattern {quote(name)}; valid: {', '.join(DITHER_NAMES)}")
    return key


@dataclass(frozen=True)
class Mosaic:
    """A rectangular NIRCam mosaic of ``rows`` x ``columns`` tiles centred on the pointing.

    Rows are stacked along the ideal Y axis of NRCALL_FULL and columns along
    ideal X (so "2x1" is two tiles one above the other). The pitch between
    tiles is the NRCALL_FULL ideal extent (about 308.3" in X, 133.8" in Y)
    times ``1 - overlap/100``; a negative overlap leaves gaps.

    Parameters
    ----------
    rows, columns : int
        Number of tiles along ideal Y and ideal X, 1 to 10 each.
    row_overlap, column_overlap : float
        Overlap between adjacent rows (along Y) and columns (along X), percent of
        the tile size; from -100 (a gap of one tile) to below 100.
    """

    rows: int = 1
    columns: int = 1
    row_overlap: float = 10.0
    column_overlap: float = 10.0

    def __post_init__(self) -> None:
        for name in ("rows", "columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ValueError(f"mosaic {name} must be a whole number, got {quote(value)}")
            if not 1 <= value <= MOSAIC_MAX_TILES:
                raise ValueError(
                    f"mosaic {name} must be between 1 and {MOSAIC_MAX_TILES}, got {value}"
                )
            object.__setattr__(self, name, int(value))
        for name in ("row_overlap", "column_overlap"):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"mosaic {name} must be a number in percent, got {quote(value)}"
                ) from None
            if not (math.isfinite(number) and -100.0 <= number < 100.0):
                raise ValueError(
                    f"mosaic {name} must be a percentage from -100 to below 100, got {quote(value)}"
                )
            object.__setattr__(self, name, number)

    @classmethod
    def parse(cls, text: str, row_overlap: float = 10.0, column_overlap: float = 10.0) -> Mosaic:
        """Build a mosaic from ``"ROWSxCOLUMNS"``, e.g. ``"2x1"``."""
        parts = str(text).lower().replace("*", "x").split("x")
        try:
            rows, columns = (int(p) for p in parts)
        except ValueError:
            raise ValueError(
                "mosaic must be written ROWSxCOLUMNS with whole numbers, e.g. 2x1; "
                f"got {quote(text)}"
            ) from None
        return cls(rows, columns, row_overlap, column_overlap)

    @property
    def label(self) -> str:
        """``"ROWSxCOLUMNS"``."""
        return f"{self.rows}x{self.columns}"

    @property
    def n_tiles(self) -> int:
        """Number of tiles."""
        return self.rows * self.columns

    def tile_offsets(self) -> np.ndarray:
        """Tile centres (n_tiles, 2) in arcsec, ideal frame of NRCALL_FULL.

        Ordered row by row from -Y to +Y, and within a row from -X to +X.
        """
        width, height = get_aperture(NIRCAM_REFERENCE).ideal_extent
        pitch_x = width * (1.0 - self.column_overlap / 100.0)
        pitch_y = height * (1.0 - self.row_overlap / 100.0)
        x = (np.arange(self.columns) - (self.columns - 1) / 2.0) * pitch_x
        y = (np.arange(self.rows) - (self.rows - 1) / 2.0) * pitch_y
        yy, xx = np.meshgrid(y, x, indexing="ij")
        return np.column_stack([xx.ravel(), yy.ravel()])

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict of the four parameters."""
        return {
            "rows": self.rows,
            "columns": self.columns,
            "row_overlap": self.row_overlap,
            "column_overlap": self.column_overlap,
        }


def exposure_offsets(dither: str, mosaic: Mosaic | None = None) -> np.ndarray:
    """Ideal-frame positions (n_exposures, 2), arcsec, of the target in every exposure.

    Every tile of the mosaic gets every dither position; exposures are numbered
    tile by tile (see :meth:`Mosaic.tile_offsets`) and within a tile in the
    dither pattern's order.

    A tile centre is where the pointing's reference point moves to, so the
    target sits at ideal position ``dither - tile`` in that exposure.
    """
    mosaic = mosaic or Mosaic()
    tiles = mosaic.tile_offsets()
    dithers = dither_offsets(dither)
    return (dithers[None, :, :] - tiles[:, None, :]).reshape(-1, 2)
