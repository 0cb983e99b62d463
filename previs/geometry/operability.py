"""Which MSA shutters work: the operability map (failed closed, failed open).

previs ships a dated snapshot, ``previs/data/msa_operability.json``, written by
:mod:`previs.geometry.shutters_build` from the jwst-vmpt 1.8.0 wheel (MIT), which
holds CRDS ``jwst_nirspec_msaoper_0017.json`` as an array. A user who has
downloaded a newer CRDS ``jwst_nirspec_msaoper_*.json`` replaces it with
:func:`read_msaoper`. Every map has a :attr:`~OperabilityMap.name` that says
which one is in use, e.g. ``"msaoper_0017 (vmpt 1.8.0 snapshot)"``.

The CRDS file is JSON with a list ``"msaoper"`` of entries such as
``{"Q": 1, "x": 12, "y": 40, "state": "closed", ...}``: ``Q`` the quadrant (1-4),
``x`` the column ``i`` (1-365), ``y`` the row ``j`` (1-171), and ``state`` the
shutter's planning state, ``"closed"`` (failed closed) or ``"open"`` (failed
open; ``"normal"`` is accepted as operable). Shutters not listed are operable.
Other keys (``"TA state"``, ``"Internal state"``, ``"Vignetted"``) are ignored.
A shutter listed twice keeps its worse state (open over closed over normal).

Layer: geometry.
"""

from __future__ import annotations

import base64
import json
import os
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from previs.errors import PrevisError, quote
from previs.geometry.shutter_model import N_COLUMNS, N_QUADRANTS, N_ROWS

__all__ = [
    "FAILED_CLOSED",
    "FAILED_OPEN",
    "OPERABLE",
    "OPERABILITY_PATH",
    "OperabilityMap",
    "default_operability",
    "operability_from_dict",
    "parse_msaoper",
    "read_msaoper",
    "resolve_operability",
]

OPERABILITY_PATH = Path(__file__).resolve().parents[1] / "data" / "msa_operability.json"

OPERABLE, FAILED_CLOSED, FAILED_OPEN = 0, 1, 2
SHAPE = (N_QUADRANTS, N_ROWS, N_COLUMNS)


@dataclass(frozen=True, eq=False)
class OperabilityMap:
    """The state of every shutter.

    Attributes
    ----------
    name : str
        Which map this is, for readouts and reports.
    reason : numpy.ndarray
        int8 array (4, 171, 365) indexed ``[quadrant - 1, j - 1, i - 1]``:
        0 operable, 1 failed closed, 2 failed open. Read-only.
    provenance : dict
        Where the map comes from (file, package, licence, dates).
    """

    name: str
    reason: np.ndarray
    provenance: dict

    def __post_init__(self) -> None:
        reason = np.array(self.reason, dtype=np.int8)
        if reason.shape != SHAPE:
            raise PrevisError(f"{self.name}: operability map must have shape {SHAPE}")
        reason.setflags(write=False)
        object.__setattr__(self, "reason", reason)
        operable = reason == OPERABLE
        operable.setflags(write=False)
        object.__setattr__(self, "_operable", operable)
        counts = {state: int((reason == state).sum()) for state in (FAILED_CLOSED, FAILED_OPEN)}
        counts[OPERABLE] = int(operable.sum())
        object.__setattr__(self, "_counts", counts)

    @property
    def operable(self) -> np.ndarray:
        """Boolean array (4, 171, 365): the shutter can be opened and closed."""
        return self._operable  # type: ignore[attr-defined]

    @property
    def counts(self) -> dict[str, int]:
        """Numbers of operable, failed-closed and failed-open shutters (counted once, when
        the map is made: the readout asks on every update)."""
        counts = self._counts  # type: ignore[attr-defined]
        return {
            "operable": counts[OPERABLE],
            "failed_closed": counts[FAILED_CLOSED],
            "failed_open": counts[FAILED_OPEN],
        }

    def failed_open(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quadrant, i and j (1-based) of every failed-open shutter."""
        q, j, i = np.nonzero(self.reason == FAILED_OPEN)
        return q + 1, i + 1, j + 1

    def to_dict(self) -> dict:
        """``{"name", "failed_closed", "failed_open"}`` for JSON output."""
        counts = self.counts
        return {
            "name": self.name,
            "failed_closed": counts["failed_closed"],
            "failed_open": counts["failed_open"],
        }


def operability_from_dict(snapshot: dict) -> OperabilityMap:
    """An :class:`OperabilityMap` from a snapshot dict (as written by the build script)."""
    raw = zlib.decompress(base64.b64decode(snapshot["reason"]))
    reason = np.frombuffer(raw, dtype=np.int8).reshape(SHAPE)
    result = OperabilityMap(snapshot["name"], reason, dict(snapshot["provenance"]))
    counts = result.counts
    for key in ("failed_closed", "failed_open"):
        if counts[key] != snapshot["counts"][key]:
            raise ValueError(f"operability snapshot corrupt: {key} {counts[key]} is not recorded")
    return result


@cache
def default_operability() -> OperabilityMap:
    """The bundled snapshot (msaoper_0017 from vMPT 1.8.0), loaded once."""
    return operability_from_dict(json.loads(OPERABILITY_PATH.read_text(encoding="utf-8")))


def resolve_operability(operability: OperabilityMap | str | os.PathLike | None) -> OperabilityMap:
    """The bundled map for None, a map as is, or :func:`read_msaoper` of a path."""
    if operability is None:
        return default_operability()
    if isinstance(operability, OperabilityMap):
        return operability
    return read_msaoper(operability)


_CRDS_NAME = re.compile(r"^jwst_nirspec_(msaoper_\d+)\.json$", re.IGNORECASE)
_LIMITS = {"Q": N_QUADRANTS, "x": N_COLUMNS, "y": N_ROWS}
_MEANING = {"Q": "the quadrant", "x": "the column i", "y": "the row j"}


def _index(value: object, key: str, where: str) -> int:
    """An entry's Q, x or y as an integer within its range."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None or not 1 <= number <= _LIMITS[key]:
        raise PrevisError(
            f"{where}: {key!r} ({_MEANING[key]}) is {quote(value)}; "
            f"expected an integer from 1 to {_LIMITS[key]}"
        )
    return number


def _state(value: object, where: str) -> int:
    text = value.strip().lower() if isinstance(value, str) else None
    if text is not None:
        if "open" in text:
            return FAILED_OPEN
        if "closed" in text:
            return FAILED_CLOSED
        if text == "normal":
            return OPERABLE
    raise PrevisError(
        f"{where}: 'state' is {quote(value)}; expected \"closed\" (failed closed), "
        '"open" (failed open) or "normal"'
    )


def read_msaoper(path: str | os.PathLike) -> OperabilityMap:
    """Read a CRDS ``jwst_nirspec_msaoper_*.json`` file into an operability map.

    Parameters
    ----------
    path : str or path-like
        The JSON file (see the module docstring for its entries).

    Returns
    -------
    OperabilityMap
        Named after the file, e.g. ``"msaoper_0042 (CRDS file jwst_nirspec_msaoper_0042.json)"``.

    Raises
    ------
    PrevisError
        If the file cannot be read, is not JSON, has no ``"msaoper"`` list, or an
        entry lacks a valid ``Q``, ``x``, ``y`` or ``state``; the message names
        the file and the entry.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PrevisError(f"{path}: cannot read the msaoper file ({error})") from None
    return parse_msaoper(text, path.name, label=str(path), file=str(path.resolve()))


def parse_msaoper(
    text: str | bytes, name: str, label: str | None = None, file: str | None = None
) -> OperabilityMap:
    """An operability map from the text of a CRDS ``jwst_nirspec_msaoper_*.json`` file
    (e.g. an upload's bytes), as :func:`read_msaoper` reads one.

    Parameters
    ----------
    text : str or bytes
        The file's content (bytes: UTF-8).
    name : str
        The file's name: it names the map.
    label : str, optional
        How messages name the file (default ``name``).
    file : str, optional
        The provenance's ``file`` (default ``"upload: NAME"``).
    """
    label = name if label is None else label
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise PrevisError(f"{label}: not a text (UTF-8) msaoper file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PrevisError(
            f"{label}: not JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "expected a CRDS jwst_nirspec_msaoper_*.json file"
        ) from None
    entries = data.get("msaoper") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PrevisError(
            f'{label}: no "msaoper" list of shutters; expected a CRDS '
            "jwst_nirspec_msaoper_*.json file"
        )
    reason = np.zeros(SHAPE, dtype=np.int8)
    for number, entry in enumerate(entries, start=1):
        where = f"{label}, msaoper entry {number}"
        if not isinstance(entry, dict):
            raise PrevisError(f"{where} is {quote(entry)}; expected an object with Q, x, y, state")
        for key in ("Q", "x", "y", "state"):
            if key not in entry:
                keys = ", ".join(sorted(str(k) for k in entry)) or "none"
                raise PrevisError(
                    f"{where} has no {key!r} (its keys: {quote(keys)}); expected Q, x, y and state"
                )
        q, i, j = (_index(entry[key], key, where) for key in ("Q", "x", "y"))
        state = _state(entry["state"], where)
        if state > reason[q - 1, j - 1, i - 1]:
            reason[q - 1, j - 1, i - 1] = state
    match = _CRDS_NAME.match(name)
    title = f"{match.group(1)} (CRDS file {name})" if match else f"{name} (msaoper file)"
    provenance = {"file": f"upload: {name}" if file is None else file, "entries": len(entries)}
    for key in ("useafter", "pedigree", "author", "descrip", "title"):
        if isinstance(data.get(key), str):
            provenance[key] = data[key]
    return OperabilityMap(title, reason, provenance)
