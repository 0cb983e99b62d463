"""NIRCam dithers, mosaics and exposures, as offsets in the ideal frame of NRCALL_FULL.

Offsets are in arcsec in the ideal frame of NRCALL_FULL. An offset (dx, dy) places
the target at ideal position (dx, dy): the footprint moves the opposite way on the
sky. An observation is a list of :class:`Exposures`: one target offset per exposure,
with APT's tile and dither numbers. It comes from a named dither pattern and a
:class:`Mosaic` (previs's model of what APT does), from an APT pointing report
(:mod:`previs.io.apt`) or from a user's table of offsets (a custom pattern).

What APT does, as read from its pointing reports (APT 25.4.1 to 2021.3, PRD
G-012 to 039, in the public test data of spacetelescope/mirage):

- A tile's offsets are a grid of target offsets centred on the pointing. Tile 1 is
  the corner with the most negative target offsets; APT's ``DEFAULT`` tile order
  walks the grid along a Hilbert curve (the smallest 2^k x 2^k curve covering the
  grid, cells outside the grid skipped): 2x1 -> tiles at target Y < 0 then > 0;
  2x2 -> (-X,-Y), (-X,+Y), (+X,+Y), (+X,-Y); 3x2, 2x3, 13x3 and 5x9 mosaics follow
  the same curve exactly. Switched-off tiles keep their numbers. ``ROW_ORDER`` and
  ``COLUMN_ORDER`` walk rows (columns) back and forth; only one report (a NIRSpec
  mosaic) shows ``ROW_ORDER``, so previs's reading of the two is unverified.
- The pitch is (1 - overlap/100) times a tile of 306.88" x 131.31" (306.94/131.34
  with PRD G-012, 306.83/131.27 with PRD H-015), not NRCALL_FULL's ideal extent.
- The grid is turned from the telescope V2/V3 axes by 0.7276 deg (0.7289 and 0.7264
  with the two PRDs), i.e. 0.755 and 0.839 deg from NRCALL_FULL's ideal axes then;
  with the current SIAF (V3IdlYAngle -0.0746) 0.802 deg. Every tile of every
  report fits that grid to 4 mas.
- Within a tile APT takes the primary dither positions in order and, at each, the
  subpixel positions: dither numbers run 1..P*S. Dither offsets are added to the
  tile's offset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

import previs._validate as check
from previs.errors import PrevisError, quote
from previs.geometry.siaf import NIRCAM_REFERENCE, get_aperture

# Primary dither patterns: (x offsets, y offsets), arcsec, paired in order.
DITHERS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "NONE": ((0.0,), (0.0,)),
    # JDox "NIRSpec MOS Operations - Pre-Imaging Using NIRCam", Table 1. FULL3 also
    # exactly so in APT 25.4.4-26.2.2 reports (mirage m51-mosaic, 1144-OTE-10 obs 1).
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
    # APT reports (DithX/DithY): INTRAMODULE 3 in APT 25.4.4-2021.3 (mirage 1069,
    # mars_example, targets_with_large_separation, skipped_obs); it is not centred.
    "INTRAMODULE3": ((-3.75, 3.75, 11.25), (3.75, -3.75, -11.25)),
    # APT 25.4.4, mirage NCam010_pid1063v4 obs 1-7 (its first three are INTRAMODULE 3).
    "INTRAMODULE16": (
        (-3.75, 3.75, 11.25, -11.25, 11.25, -11.25, -3.75, 3.75)
        + (-11.25, 11.25, 3.75, -3.75, -11.25, 11.25, -3.75, 3.75),
        (3.75, -3.75, -11.25, 11.25, 11.25, -11.25, -3.75, 3.75)
        + (3.75, -3.75, -11.25, 11.25, -3.75, 3.75, -11.25, 11.25),
    ),
    # APT 26.2 (targets_with_large_separation obs 2) and 2020.5 (nrc_img_and_miri_img obs 2).
    "INTRAMODULEBOX2": ((-2.9, -3.1), (-3.1, 2.9)),
    "INTRAMODULEBOX3": ((-2.9, -3.1, 2.9), (-3.1, 2.9, 3.1)),
    # APT 25.4.1 (example_imaging_program obs 1) and 26.2 (SUB640, targets_with_large_separation).
    "INTRASCA2": ((0.0, 8.19), (0.0, 8.19)),
    # APT 26.2.2, OTE-10_1144 obs 2 and 3 (FULLBOX 2TIGHTGAPS).
    "FULLBOX2TIGHTGAPS": ((-24.8, 24.8), (-3.0, 3.0)),
}
DITHER_NAMES = tuple(DITHERS)
_DITHER_ALIASES = {"": "NONE", "NODITHER": "NONE", "FULLBOX8NIRSPEC": "8NIRSPEC"}

#: Subpixel patterns, (type, positions) -> offsets from each primary position (arcsec),
#: from APT reports: STANDARD/IMAGING 2 (example_imaging_program, 1144 obs 6, 12345
#: obs 1), 3-POINT-WITH-MIRI-F770W (Final_DeepField, mean of 84 tiles/obs),
#: 3-POINT-WITH-MIRI-F560W (nrc_img_and_miri_img), ``2-POINT-*-WITH-NIRISS`` (12345, 14141).
SUBPIXELS: dict[tuple[str, int], tuple[tuple[float, float], ...]] = {
    ("STANDARD", 2): ((0.0, 0.0), (0.24, 0.176)),
    ("IMAGING", 2): ((0.0, 0.0), (0.24, 0.176)),
    ("3-POINT-WITH-MIRI-F770W", 3): ((0.0, 0.0), (0.2958, 0.835), (-0.2958, -0.835)),
    ("3-POINT-WITH-MIRI-F560W", 3): ((0.0, 0.0), (0.613, -0.243), (-0.613, 0.243)),
    ("2-POINT-LARGE-WITH-NIRISS", 2): ((0.0, 0.0), (1.284, -0.745)),
    ("2-POINT-MEDIUM-WITH-NIRISS", 2): ((0.0, 0.0), (0.555, 0.301)),
}

#: APT's mosaic limits (JDox "Mosaic Parameters"): 1-50 rows and columns, overlap
#: -200 % to 100 %, row and column shifts -90 to +90 deg.
MOSAIC_MAX_TILES = 50
OVERLAP_RANGE = (-200.0, 100.0)
SHIFT_LIMIT_DEG = 90.0
TILE_ORDERS = ("DEFAULT", "ROW_ORDER", "COLUMN_ORDER")
#: APT's NIRCam (both modules) tile, arcsec along ideal X and Y (see the module notes).
APT_TILE_SIZE = (306.88, 131.31)
#: APT's mosaic grid, turned from the V2/V3 axes by this angle (deg; module notes).
APT_GRID_ANGLE_TEL_DEG = 0.7276
#: At most this many exposures in one :class:`Exposures`.
MAX_EXPOSURES = 200_000


def canonical_dither(name: str) -> str:
    """The canonical name of a dither pattern, or PrevisError naming the valid ones.

    Case, spaces, hyphens and underscores are ignored; ``"FULLBOX 8NIRSPEC"`` is
    ``"8NIRSPEC"`` and ``"INTRAMODULE 3"`` is ``"INTRAMODULE3"``.
    """
    if not isinstance(name, str):
        raise PrevisError(
            f"a dither pattern is named by text ({', '.join(DITHER_NAMES)}), got "
            f"{type(name).__name__}"
        )
    key = "".join(ch for ch in name.upper() if ch not in " -_")
    key = _DITHER_ALIASES.get(key, key)
    if key not in DITHERS:
        raise PrevisError(
            f"unknown dither pattern {quote(name)}; previs knows the published ones: "
            f"{', '.join(DITHER_NAMES)}"
        )
    return key


def dither_offsets(name: str) -> np.ndarray:
    """Offsets (n, 2) in arcsec, ideal frame of NRCALL_FULL, of the dither pattern ``name``."""
    return np.column_stack(DITHERS[canonical_dither(name)])


def subpixel_offsets(kind: str | None, positions: int | None) -> np.ndarray | None:
    """Subpixel offsets (s, 2) arcsec for APT's (type, positions), (1, 2) zeros for one
    position, None when previs knows no published offsets for that pattern."""
    if positions is None or int(positions) <= 1:
        return np.zeros((1, 2))
    offsets = SUBPIXELS.get((str(kind or "").upper(), int(positions)))
    return None if offsets is None else np.array(offsets)


def _hilbert_cell(order: int, index: int) -> tuple[int, int]:
    """Cell (x, y) of step ``index`` along the Hilbert curve over an order x order grid."""
    x = y = 0
    size, rest = 1, index
    while size < order:
        rx = 1 & (rest // 2)
        ry = 1 & (rest ^ rx)
        if ry == 0:
            if rx == 1:
                x, y = size - 1 - x, size - 1 - y
            x, y = y, x
        x, y = x + size * rx, y + size * ry
        rest //= 4
        size *= 2
    return x, y


@lru_cache(maxsize=256)
def tile_cells(rows: int, columns: int, order: str = "DEFAULT") -> tuple[tuple[int, int], ...]:
    """Grid cells (column, row) in APT's tile order: element k is APT's tile k + 1.

    Column 0 and row 0 hold the most negative target offsets (ideal X and Y).
    """
    if order == "DEFAULT":
        size = 1
        while size < max(rows, columns):
            size *= 2
        cells = (_hilbert_cell(size, k) for k in range(size * size))
        return tuple((c, r) for c, r in cells if c < columns and r < rows)
    if order == "ROW_ORDER":
        return tuple(
            (c if r % 2 == 0 else columns - 1 - c, r) for r in range(rows) for c in range(columns)
        )
    return tuple(
        (c, r if c % 2 == 0 else rows - 1 - r) for c in range(columns) for r in range(rows)
    )


def _whole(value: Any, where: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise PrevisError(f"{where} must be a whole number, got {quote(value)}")
    return int(value)


def _finite(value: Any, where: str, unit: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PrevisError(f"{where} must be a number in {unit}, got {quote(value)}") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise PrevisError(f"{where} must be a finite number in {unit}, got {quote(value)}")
    return number


@dataclass(frozen=True)
class Mosaic:
    """A NIRCam mosaic of ``rows`` x ``columns`` tiles as APT lays it out.

    Rows are stacked along ideal Y of NRCALL_FULL and columns along ideal X ("2x1"
    is two tiles one above the other). Tiles are numbered and placed as APT does
    (see the module notes): pitch ``(1 - overlap/100) x`` :data:`APT_TILE_SIZE`,
    grid turned :data:`APT_GRID_ANGLE_TEL_DEG` from V2/V3.

    Parameters
    ----------
    rows, columns : int
        Number of tiles along ideal Y and ideal X, 1 to 50 each (APT's limit).
    row_overlap, column_overlap : float
        Overlap between adjacent rows (along Y) and columns (along X), percent of
        the tile size, -200 to 100 (negative leaves gaps).
    row_shift, column_shift : float
        APT's row and column shifts (XML ``SkewDegreesX`` and ``SkewDegreesY``),
        degrees, -90 to 90: each row is moved along X by its Y pitch times
        tan(row_shift), each column along Y by its X pitch times tan(column_shift).
    tiles_off : tuple of int
        APT numbers of tiles switched off ("Tile Removed"); the others keep theirs.
    tile_order : str
        APT's ``MosaicTileOrder``: ``DEFAULT``, ``ROW_ORDER`` or ``COLUMN_ORDER``.
    """

    rows: int = 1
    columns: int = 1
    row_overlap: float = 10.0
    column_overlap: float = 10.0
    row_shift: float = 0.0
    column_shift: float = 0.0
    tiles_off: tuple[int, ...] = ()
    tile_order: str = "DEFAULT"

    def __post_init__(self) -> None:
        for name in ("rows", "columns"):
            value = _whole(getattr(self, name), f"mosaic {name}")
            if not 1 <= value <= MOSAIC_MAX_TILES:
                raise PrevisError(
                    f"mosaic {name} must be between 1 and {MOSAIC_MAX_TILES} (APT's limit), "
                    f"got {value}"
                )
            object.__setattr__(self, name, value)
        low, high = OVERLAP_RANGE
        for name in ("row_overlap", "column_overlap"):
            number = _finite(getattr(self, name), f"mosaic {name}", "percent")
            if not low <= number <= high:
                raise PrevisError(
                    f"mosaic {name} must be a percentage from {low:g} to {high:g}, got {number:g}"
                )
            object.__setattr__(self, name, number)
        for name in ("row_shift", "column_shift"):
            number = _finite(getattr(self, name), f"mosaic {name}", "degrees")
            if abs(number) >= SHIFT_LIMIT_DEG:
                raise PrevisError(
                    f"mosaic {name} must lie strictly between -90 and 90 deg, got {number:g}"
                )
            object.__setattr__(self, name, number)
        order = str(self.tile_order).strip().upper()
        if order not in TILE_ORDERS:
            valid = ", ".join(TILE_ORDERS)
            raise PrevisError(f"mosaic tile_order must be {valid}; got {quote(self.tile_order)}")
        object.__setattr__(self, "tile_order", order)
        if isinstance(self.tiles_off, (str, bytes)) or not hasattr(self.tiles_off, "__iter__"):
            raise PrevisError(
                f"mosaic tiles_off must be a list of tile numbers, got {quote(self.tiles_off)}"
            )
        off = tuple(sorted({_whole(t, "mosaic tiles_off entry") for t in self.tiles_off}))
        total = self.rows * self.columns
        if off and not (1 <= off[0] and off[-1] <= total):
            raise PrevisError(
                f"mosaic tiles_off: tile numbers run from 1 to {total}, got {list(off)}"
            )
        if len(off) == total:
            raise PrevisError("mosaic tiles_off switches off every tile; keep at least one")
        object.__setattr__(self, "tiles_off", off)

    @classmethod
    def parse(cls, text: str, row_overlap: float = 10.0, column_overlap: float = 10.0) -> Mosaic:
        """Build a mosaic from ``"ROWSxCOLUMNS"``, e.g. ``"2x1"``."""
        parts = str(text).lower().replace("*", "x").split("x")
        try:
            rows, columns = (int(p) for p in parts)
        except ValueError:
            raise PrevisError(
                f"mosaic must be written ROWSxCOLUMNS (whole numbers, e.g. 2x1); got {quote(text)}"
            ) from None
        return cls(rows, columns, row_overlap, column_overlap)

    @property
    def label(self) -> str:
        """``"ROWSxCOLUMNS"``."""
        return f"{self.rows}x{self.columns}"

    @property
    def n_tiles(self) -> int:
        """Number of tiles observed (switched-off tiles excluded)."""
        return self.rows * self.columns - len(self.tiles_off)

    def tile_numbers(self) -> np.ndarray:
        """APT numbers of the observed tiles, in APT's order."""
        numbers = np.arange(1, self.rows * self.columns + 1)
        return numbers[~np.isin(numbers, self.tiles_off)]

    def target_offsets(self) -> np.ndarray:
        """Where the target sits in each observed tile (n_tiles, 2), arcsec, NRCALL_FULL ideal."""
        cells = np.array(tile_cells(self.rows, self.columns, self.tile_order), dtype=float)
        column = cells[:, 0] - (self.columns - 1) / 2.0
        row = cells[:, 1] - (self.rows - 1) / 2.0
        pitch_x = APT_TILE_SIZE[0] * (1.0 - self.column_overlap / 100.0)
        pitch_y = APT_TILE_SIZE[1] * (1.0 - self.row_overlap / 100.0)
        x = column * pitch_x + row * pitch_y * math.tan(math.radians(self.row_shift))
        y = row * pitch_y + column * pitch_x * math.tan(math.radians(self.column_shift))
        angle = math.radians(grid_angle_deg())
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        offsets = np.column_stack([x * cos_a - y * sin_a, x * sin_a + y * cos_a])
        return offsets[self.tile_numbers() - 1]

    def tile_offsets(self) -> np.ndarray:
        """Tile centres (n_tiles, 2), arcsec, NRCALL_FULL ideal: where the reference point
        moves, i.e. minus :meth:`target_offsets`."""
        return -self.target_offsets()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict: rows, columns and overlaps, and the other keys when not at their defaults."""
        data: dict[str, Any] = {
            "rows": self.rows,
            "columns": self.columns,
            "row_overlap": self.row_overlap,
            "column_overlap": self.column_overlap,
        }
        for key, default in (("row_shift", 0.0), ("column_shift", 0.0), ("tile_order", "DEFAULT")):
            if getattr(self, key) != default:
                data[key] = getattr(self, key)
        if self.tiles_off:
            data["tiles_off"] = list(self.tiles_off)
        return data

    @classmethod
    def from_dict(cls, data: Any, where: Any = "mosaic") -> Mosaic:
        """Build a mosaic from :meth:`to_dict` output, checking every key and type.

        ``where`` names the section in messages: a string, or an object with a
        ``key`` attribute (its dotted path, e.g. ``"plan.mosaic"``).
        """
        where = str(getattr(where, "key", where))
        check.mapping(data, where)
        allowed = {f for f in cls.__dataclass_fields__}
        check.reject_unknown(data, allowed, where)
        for key in ("rows", "columns"):
            if key in data and (isinstance(data[key], bool) or not isinstance(data[key], int)):
                raise PrevisError(f"{where}.{key} must be a whole number, got {quote(data[key])}")
        for key in ("row_overlap", "column_overlap", "row_shift", "column_shift"):
            value = data.get(key, 0.0)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise PrevisError(f"{where}.{key} must be a finite number, got {quote(value)}")
        if "tiles_off" in data and not isinstance(data["tiles_off"], list):
            raise PrevisError(
                f"{where}.tiles_off must be a list of tile numbers, got {quote(data['tiles_off'])}"
            )
        if "tile_order" in data and not isinstance(data["tile_order"], str):
            raise PrevisError(
                f"{where}.tile_order must be a string, got {quote(data['tile_order'])}"
            )
        try:
            return cls(**{k: tuple(v) if k == "tiles_off" else v for k, v in data.items()})
        except PrevisError as error:
            message = str(error).removeprefix("mosaic ")
            raise PrevisError(f"{where}: {message}") from None


def grid_angle_deg() -> float:
    """Angle (deg) of APT's mosaic grid from NRCALL_FULL's ideal axes, current SIAF."""
    return APT_GRID_ANGLE_TEL_DEG - get_aperture(NIRCAM_REFERENCE).v3_idl_yang


EXPOSURE_SOURCES = ("model", "apt", "custom")


@dataclass(frozen=True, eq=False)
class Exposures:
    """Explicit NIRCam exposures: one target offset per exposure, with APT's numbers.

    Attributes
    ----------
    offsets : numpy.ndarray
        (n, 2) arcsec: where the target sits in NRCALL_FULL's ideal frame.
    tiles, dithers : numpy.ndarray
        (n,) APT tile and dither numbers (from 1).
    aperture : str
        The APT aperture the exposures use (``NRCALL_FULL``: both modules,
        ``NRCBS_FULL``: module B, ...); it decides which detectors are drawn.
    source : str
        ``"model"`` (previs's model of a pattern and mosaic), ``"apt"`` (an APT
        pointing report) or ``"custom"`` (a user's table of offsets).
    description : str
        Where they came from, in words (shown to the user).

    Two exposure lists are equal when every offset, number and text is; the arrays
    are read-only, so an instance hashes by value (plans and caches key on it).
    """

    offsets: np.ndarray
    tiles: np.ndarray
    dithers: np.ndarray
    aperture: str = NIRCAM_REFERENCE
    source: str = "model"
    description: str = field(default="")

    def __post_init__(self) -> None:
        offsets = np.array(self.offsets, dtype=float) + 0.0  # -0.0 -> 0.0: one hash
        if offsets.ndim != 2 or offsets.shape[1] != 2 or not 1 <= len(offsets) <= MAX_EXPOSURES:
            raise PrevisError(
                f"exposure offsets must be 1 to {MAX_EXPOSURES} (x, y) pairs in arcsec, "
                f"got an array of shape {offsets.shape}"
            )
        if not np.isfinite(offsets).all():
            first = int(np.flatnonzero(~np.isfinite(offsets).all(axis=1))[0]) + 1
            raise PrevisError(f"exposure offset {first} is not finite")
        for name in ("tiles", "dithers"):
            values = np.asarray(getattr(self, name))
            if (
                values.shape != (len(offsets),)
                or not np.issubdtype(values.dtype, np.integer)
                or (values < 1).any()
            ):
                raise PrevisError(f"exposure {name} must be {len(offsets)} whole numbers from 1")
            object.__setattr__(self, name, values.astype(int))
        if self.source not in EXPOSURE_SOURCES:
            valid = ", ".join(EXPOSURE_SOURCES)
            raise PrevisError(f"exposure source must be {valid}; got {quote(self.source)}")
        get_aperture(self.aperture)
        object.__setattr__(self, "offsets", offsets)
        for name in ("offsets", "tiles", "dithers"):
            getattr(self, name).setflags(write=False)

    def __len__(self) -> int:
        return len(self.offsets)

    def __repr__(self) -> str:
        return (
            f"Exposures({len(self)} exposures, {self.n_tiles} tiles, {self.aperture}, "
            f"source={self.source!r}, description={self.description!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Exposures):
            return NotImplemented
        return self is other or _value_key(self) == _value_key(other)

    def __hash__(self) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(_value_key(self))
            object.__setattr__(self, "_hash", cached)
        return cached

    @classmethod
    def from_pattern(
        cls, dither: str = "NONE", mosaic: Mosaic | None = None, subpixel: np.ndarray | None = None
    ) -> Exposures:
        """previs's model of APT's exposures for a dither pattern, a mosaic and subpixel offsets.

        Exposures run tile by tile (APT's tile order), then primary dither, then
        subpixel position; dither numbers count primary x subpixel positions from 1.
        """
        mosaic = mosaic or Mosaic()
        name = canonical_dither(dither)
        primary = dither_offsets(name)
        sub = (
            np.zeros((1, 2))
            if subpixel is None
            else np.asarray(subpixel, dtype=float).reshape(-1, 2)
        )
        per_tile = (primary[:, None, :] + sub[None, :, :]).reshape(-1, 2)
        targets = mosaic.target_offsets()
        offsets = (targets[:, None, :] + per_tile[None, :, :]).reshape(-1, 2)
        tiles = np.repeat(mosaic.tile_numbers(), len(per_tile))
        dithers = np.tile(np.arange(1, len(per_tile) + 1), len(targets))
        text = f"{name} dither, {mosaic.label} mosaic (previs's model of APT)"
        return cls(offsets, tiles, dithers, NIRCAM_REFERENCE, "model", text)

    @classmethod
    def from_offsets(
        cls,
        offsets: Any,
        tiles: Any = None,
        dithers: Any = None,
        aperture: str = NIRCAM_REFERENCE,
        source: str = "custom",
        description: str = "custom offsets",
    ) -> Exposures:
        """Exposures at explicit target offsets (arcsec); tiles default to 1, dithers to 1..n."""
        offsets = np.asarray(offsets, dtype=float).reshape(-1, 2)
        n = len(offsets)
        tiles = np.ones(n, dtype=int) if tiles is None else np.asarray(tiles)
        dithers = np.arange(1, n + 1) if dithers is None else np.asarray(dithers)
        return cls(offsets, tiles, dithers, aperture, source, description)

    @property
    def n_tiles(self) -> int:
        """Number of distinct tiles."""
        return len(np.unique(self.tiles))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: [x, y] offsets, tiles, dithers, aperture, source, description."""
        return {
            "offsets": [[float(x), float(y)] for x, y in self.offsets],
            "tiles": [int(t) for t in self.tiles],
            "dithers": [int(d) for d in self.dithers],
            "aperture": self.aperture,
            "source": self.source,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Any, where: Any = "exposures") -> Exposures:
        """Build from :meth:`to_dict` output; errors name ``where`` (or ``where.key``)."""
        where = str(getattr(where, "key", where))
        check.mapping(data, where)
        allowed = {"offsets", "tiles", "dithers", "aperture", "source", "description"}
        check.reject_unknown(data, allowed, where)
        offsets = data.get("offsets")
        if not isinstance(offsets, list) or not all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
            for p in offsets
        ):
            raise PrevisError(f"{where}.offsets must be a list of [x, y] pairs of numbers (arcsec)")
        numbers = {}
        for key in ("tiles", "dithers"):
            value = data.get(key)
            if value is not None and (
                not isinstance(value, list)
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            ):
                raise PrevisError(f"{where}.{key} must be a list of whole numbers")
            numbers[key] = value
        try:
            return cls.from_offsets(
                offsets if offsets else np.zeros((0, 2)),
                numbers["tiles"],
                numbers["dithers"],
                str(data.get("aperture", NIRCAM_REFERENCE)),
                str(data.get("source", "custom")),
                str(data.get("description", "")),
            )
        except PrevisError as error:
            raise PrevisError(f"{where}: {error}") from None


def _value_key(exposures: Exposures) -> tuple:
    """What makes two :class:`Exposures` equal: every offset, number and text."""
    return (
        exposures.offsets.tobytes(),
        exposures.tiles.tobytes(),
        exposures.dithers.tobytes(),
        exposures.aperture,
        exposures.source,
        exposures.description,
    )


def exposure_offsets(dither: str, mosaic: Mosaic | None = None) -> np.ndarray:
    """Ideal-frame positions (n_exposures, 2), arcsec, of the target in every exposure.

    Every tile of the mosaic gets every dither position, tile by tile in APT's
    order and within a tile in the pattern's order: the target sits at the
    tile's target offset plus the dither offset (:meth:`Exposures.from_pattern`).
    """
    return Exposures.from_pattern(dither, mosaic).offsets
