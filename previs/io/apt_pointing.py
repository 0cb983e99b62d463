"""APT pointing reports (``.pointing``, APT: File > Export > Pointing), read offline.

What the format is, as seen in public reports of APT 25.4.0.1 to 2021.3 (the test
data of spacetelescope/mirage; trimmed copies are in ``tests/data/apt``):

- A header of ``#`` lines: ``# APT Output Product``, ``# APT Version: Version 26.0.5
  JWST PRD: PRDOPSSOC-H-015`` (APT 25.x names no PRD), ``# Date: ...``; then a line
  ``JWST Pointing Report for JWST <Draft|Submitted|Approved> Proposal [id] (file.aptx)``.
- Each observation: a ``====`` line, ``* <label>``, where the label usually ends with
  ``(Obs N)`` (``* OBS1 (Obs 1)``) but may be just ``* Observation 1``: then N is the
  observation of its ``** Visit N:v`` lines. Observations appear in any order and
  labels repeat; the number is the key.
- Each visit: ``** Visit o:v``, then the column line ``Tar Tile Exp Dith Aperture
  Name Target RA Dec BaseX BaseY DithX DithY V2 V3 IdlX IdlY Level Type ExPar DkPar
  dDist`` (repeated per visit, padded with spaces) and one row per exposure step.
- A row: Tar, Tile, Exp, Dith (integers; 0 for target acquisitions), the aperture,
  the target's number and name (APT 25-2021 cut names to 8 characters; a name may
  hold spaces), the target's RA and Dec (deg), BaseX/BaseY (offset special
  requirement), DithX/DithY (tile + dither), V2/V3 (the target's telescope position
  for APT's SIAF), IdlX/IdlY = Base + Dith (where the target sits in the aperture's
  ideal frame, arcsec), Level (TARGET, TILE, DITHER, SUBDITHER, FILTER, MSA_CONFIG),
  Type (SCIENCE, PARALLEL, DIRECT, T_ACQ, OUTOFFLD), ExPar, DkPar, then dDist
  (blank on parallel rows) and ``(base)`` on a visit's first row.
- Rows repeat for every filter (Level FILTER, same offsets) and for parallel
  instruments (Type PARALLEL, another aperture, the same V2/V3). One exposure
  (Exp) may hold a position at (0, 0) for a parallel's direct image, so a
  (tile, dither) pair can occur at two offsets: a *position* here is a distinct
  (tile, dither, aperture, offset, target).

Rows are split on whitespace and stored as columns (numpy arrays); a row that
does not fit is named by its line, checked against the full row pattern. A
100,000-line report reads in about 0.4 s (``benchmarks/bench_apt.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from previs.errors import AptError, quote

__all__ = [
    "COLUMNS",
    "PointingReport",
    "Positions",
    "ReportObservation",
    "instrument_of_aperture",
    "parse_pointing_report",
    "read_pointing_report",
]

COLUMNS = (
    "Tar Tile Exp Dith Aperture Name Target RA Dec BaseX BaseY DithX DithY V2 V3 IdlX IdlY "
    "Level Type ExPar DkPar dDist"
)
_NUMBER = r"[-+]?\d+(?:\.\d*)?"
_GAP = r"[ \t]+"
_ROW = re.compile(
    _GAP.join([r"[ \t]*(\d+)", r"(\d+)", r"(\d+)", r"(\d+)", r"(\S+)", r"(\d+)"])
    + r"[ \t]+(?:(\S+(?:[ \t]+\S+)*?)[ \t]+)??"  # the target name, possibly empty or spaced
    + _GAP.join(
        [f"({_NUMBER})"] * 10 + [r"([A-Za-z_]\w*)", r"([A-Za-z_]\w*)", r"(-?\d+)", r"(-?\d+)"]
    )
    + rf"(?:{_GAP}({_NUMBER}))?(?:{_GAP}\(base\))?[ \t]*"
)
_OBS_NUMBER = re.compile(r"\(Obs (\d+)\)\s*$")
_VISIT = re.compile(r"\*\* Visit (\d+):(\d+)\s*$")
_VERSION = re.compile(r"#\s*APT Version:\s*(?:Version\s+)?(\S+)(?:.*?JWST PRD:\s*(\S+))?")
_FLOATS = ("ra", "dec", "base_x", "base_y", "dith_x", "dith_y", "v2", "v3", "idl_x", "idl_y")
_PREFIXES = {"NRC": "NIRCam", "NRS": "NIRSpec", "NIS": "NIRISS", "MIR": "MIRI", "FGS": "FGS"}


def instrument_of_aperture(aperture: str) -> str | None:
    """The instrument an aperture name belongs to (``NRCA1_FULL`` -> ``"NIRCam"``)."""
    return _PREFIXES.get(str(aperture)[:3])


@dataclass(frozen=True, eq=False)
class Positions:
    """Distinct science positions of one instrument in one observation, in APT's order.

    Attributes
    ----------
    tiles, dithers : numpy.ndarray
        APT's tile and dither numbers.
    apertures : tuple of str
        The aperture of every position.
    offsets : numpy.ndarray
        (n, 2) IdlX, IdlY, arcsec: where the target sits in that aperture's ideal frame.
    ra, dec : numpy.ndarray
        The target's RA and Dec, degrees.
    targets : tuple of str
        The target's number and name as the report gives them (``"1 M-51"``).
    lines : numpy.ndarray
        Line of the report where each position first appears.
    """

    tiles: np.ndarray
    dithers: np.ndarray
    apertures: tuple[str, ...]
    offsets: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    targets: tuple[str, ...]
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.tiles)


@dataclass(frozen=True, eq=False)
class ReportObservation:
    """One observation of a pointing report: its rows as columns.

    Attributes
    ----------
    number : int
        APT's observation number.
    label : str
        The ``* <label>`` text, without ``(Obs N)``.
    line : int
        Line of the ``*`` line.
    visits : tuple of str
        ``"o:v"`` of every visit.
    columns : dict
        ``line``, ``tar``, ``tile``, ``exp``, ``dith`` (int arrays), ``aperture``,
        ``target``, ``level``, ``type`` (str arrays) and ``ra``, ``dec``, ``base_x``,
        ``base_y``, ``dith_x``, ``dith_y``, ``v2``, ``v3``, ``idl_x``, ``idl_y``.
    """

    number: int
    label: str
    line: int
    visits: tuple[str, ...]
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["line"])

    def science(self, instrument: str | None = None) -> np.ndarray:
        """Mask of SCIENCE rows (of ``instrument``'s apertures, if given)."""
        mask = self.columns["type"] == "SCIENCE"
        if instrument is not None:
            prefix = {v: k for k, v in _PREFIXES.items()}[instrument]
            mask &= np.char.startswith(self.columns["aperture"].astype(str), prefix)
        return mask

    @property
    def instrument(self) -> str | None:
        """The instrument of the first science row (None without one)."""
        rows = np.flatnonzero(self.science())
        return instrument_of_aperture(self.columns["aperture"][rows[0]]) if len(rows) else None

    @property
    def instruments(self) -> tuple[str, ...]:
        """Every instrument with science rows, in order of appearance."""
        seen = dict.fromkeys(
            instrument_of_aperture(a) for a in self.columns["aperture"][self.science()]
        )
        return tuple(name for name in seen if name)

    def positions(self, instrument: str) -> Positions:
        """The distinct science positions of ``instrument`` (see the module notes)."""
        c = self.columns
        rows = np.flatnonzero(self.science(instrument))
        keys = {}
        for k in rows:
            key = (c["tile"][k], c["dith"][k], c["aperture"][k], c["idl_x"][k], c["idl_y"][k],
                   c["ra"][k], c["dec"][k], c["target"][k])  # fmt: skip
            keys.setdefault(key, k)
        first = np.fromiter(keys.values(), dtype=int, count=len(keys))
        return Positions(
            tiles=c["tile"][first],
            dithers=c["dith"][first],
            apertures=tuple(str(a) for a in c["aperture"][first]),
            offsets=np.column_stack([c["idl_x"][first], c["idl_y"][first]]),
            ra=c["ra"][first],
            dec=c["dec"][first],
            targets=tuple(str(t) for t in c["target"][first]),
            lines=c["line"][first],
        )


@dataclass(frozen=True, eq=False)
class PointingReport:
    """A whole pointing report.

    Attributes
    ----------
    name : str
        File name (or ``"<text>"``), used in messages.
    apt_version, prd_version : str or None
        From the ``# APT Version`` header line.
    title : str
        The ``JWST Pointing Report for ...`` line.
    observations : dict
        :class:`ReportObservation` by observation number, in the report's order.
    """

    name: str
    apt_version: str | None
    prd_version: str | None
    title: str
    observations: dict[int, ReportObservation]

    def observation(self, number: int) -> ReportObservation:
        """The observation ``number``, or AptError listing the report's observations."""
        if number not in self.observations:
            have = ", ".join(str(n) for n in sorted(self.observations)) or "none"
            raise AptError(
                f"{self.name}: no observation {quote(number)} in this pointing report; "
                f"it has observation(s) {have}"
            )
        return self.observations[number]


def read_pointing_report(path: str | os.PathLike) -> PointingReport:
    """Read an APT pointing report file (see :func:`parse_pointing_report`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise AptError(
            f"cannot read the pointing report {quote(str(path))}: {error.strerror}"
        ) from None
    return parse_pointing_report(text, path.name)


def _observation_line(text: str) -> tuple[str, int | None]:
    label = text[1:].strip()
    match = _OBS_NUMBER.search(label)
    if match is None:
        return label, None
    return label[: match.start()].strip(), int(match.group(1))


def parse_pointing_report(text: str, name: str = "<text>") -> PointingReport:
    """Parse the text of an APT pointing report.

    Raises
    ------
    AptError
        If the text is not a pointing report, or a line is not what APT writes
        there (unknown columns, a malformed row, a row before any column line):
        the message names the file and the line.
    """
    lines = text.splitlines()
    apt_version = prd_version = None
    title = ""
    current: dict | None = None
    opened: list[dict] = []
    table_open = False
    row_lines: list[int] = []  # 0-based indices of the row lines
    for index, line in enumerate(lines):
        head = line.lstrip()[:1]
        if table_open and head.isdigit():
            row_lines.append(index)
            continue
        stripped = line.strip()
        number = index + 1
        if not stripped or set(stripped) == {"="}:
            continue
        if stripped.startswith("**"):
            visit = _VISIT.fullmatch(stripped)
            if current is None or visit is None:
                raise AptError(
                    f"{name}, line {number}: expected '** Visit o:v', got {quote(stripped)}"
                )
            if current["number"] is None:
                current["number"] = int(visit.group(1))
            current["visits"].append(f"{visit.group(1)}:{visit.group(2)}")
            table_open = False
        elif stripped.startswith("*"):
            label, obs_number = _observation_line(stripped)
            current = {"label": label, "number": obs_number, "line": number, "visits": [],
                       "start": len(row_lines)}  # fmt: skip
            opened.append(current)
            table_open = False
        elif stripped.startswith("Tar "):
            found = " ".join(stripped.split())
            if found != COLUMNS:
                raise AptError(
                    f"{name}, line {number}: unknown columns {quote(found)}; previs reads "
                    f"APT's pointing-report columns {COLUMNS}"
                )
            if current is None or not current["visits"]:
                raise AptError(f"{name}, line {number}: a column line before any '** Visit' line")
            table_open = True
        elif current is None and stripped.startswith("#"):
            version = _VERSION.match(stripped)
            if version:
                apt_version, prd_version = version.group(1), version.group(2)
        elif current is None and stripped.startswith("JWST Pointing Report"):
            title = stripped
        elif head.isdigit():
            raise AptError(f"{name}, line {number}: a row before the column line ({COLUMNS})")
        elif current is None:
            raise AptError(
                f"{name} is not an APT pointing report (line {number}: {quote(stripped)}); "
                "export one from APT with File > Export > Pointing"
            )
        else:
            raise AptError(
                f"{name}, line {number}: unexpected text {quote(stripped)} in a pointing report"
            )
    if not opened:
        raise AptError(
            f"{name} is not an APT pointing report: no '* <observation>' line (export one "
            "from APT with File > Export > Pointing)"
        )
    columns = _columns(lines, row_lines, name)
    observations: dict[int, ReportObservation] = {}
    for k, obs in enumerate(opened):
        if obs["number"] is None:
            raise AptError(
                f"{name}, line {obs['line']}: observation {quote(obs['label'])} has no "
                "'(Obs N)' and no '** Visit N:v' line, so its number is unknown"
            )
        if obs["number"] in observations:
            raise AptError(f"{name}, line {obs['line']}: observation {obs['number']} appears twice")
        stop = opened[k + 1]["start"] if k + 1 < len(opened) else len(row_lines)
        part = {key: values[obs["start"] : stop] for key, values in columns.items()}
        observations[obs["number"]] = ReportObservation(
            obs["number"], obs["label"], obs["line"], tuple(obs["visits"]), part
        )
    return PointingReport(name, apt_version, prd_version, title, observations)


def _malformed(lines: list[str], row_lines: list[int], name: str) -> AptError:
    """The error naming the first row line the full row pattern rejects."""
    for k in row_lines:
        if _ROW.fullmatch(lines[k]) is None:
            return AptError(
                f"{name}, line {k + 1}: malformed row {quote(lines[k].strip())}; a row has "
                f"the columns {COLUMNS}"
            )
    return AptError(f"{name}: a row could not be read")  # not reached: the pattern is stricter


def _columns(lines: list[str], row_lines: list[int], name: str) -> dict[str, np.ndarray]:
    """Column arrays of the row lines (whitespace-split, tail read from the end).

    A row ends ``Level Type ExPar DkPar [dDist] [(base)]``; dDist is the only one
    with a decimal point. Before those come the ten numbers RA..IdlY, and before
    them Tar Tile Exp Dith, the aperture, the target number and the name (0 or
    more words). Anything that does not fit (or does not convert) is reported
    by :func:`_malformed`, which applies the full row pattern.
    """
    integers, names, numbers, words = [], [], [], []
    add_integers, add_names, add_numbers, add_words = (
        integers.extend,
        names.append,
        numbers.extend,
        words.extend,
    )
    for k in row_lines:
        tokens = lines[k].split()
        n = len(tokens) - (tokens[-1] == "(base)")
        end = n - 1 if "." in tokens[n - 1] else n
        if end < 20 or not (tokens[end - 4][:1].isalpha() and tokens[end - 3][:1].isalpha()):
            raise _malformed(lines, row_lines, name)
        add_integers((*tokens[0:4], tokens[5], tokens[end - 2], tokens[end - 1]))
        add_names((tokens[4], tokens[5], " ".join(tokens[6 : end - 14])))
        add_numbers(tokens[end - 14 : end - 4])
        add_words((tokens[end - 4], tokens[end - 3]))
    try:
        integer = np.array(integers, dtype=np.int64).reshape(-1, 7).T
        number = np.array(numbers, dtype=float).reshape(-1, 10).T
    except ValueError:
        raise _malformed(lines, row_lines, name) from None
    if np.any(integer[:4] < 0) or np.any(integer[4] < 0) or not np.isfinite(number).all():
        raise _malformed(lines, row_lines, name)
    word = np.array(words, dtype=object).reshape(-1, 2).T
    labels = np.array(names, dtype=object).reshape(-1, 3).T
    target = [f"{n} {t}" if t else n for n, t in zip(labels[1], labels[2], strict=True)]
    columns = {
        "line": np.array(row_lines, dtype=int) + 1,
        "tar": integer[0],
        "tile": integer[1],
        "exp": integer[2],
        "dith": integer[3],
        "aperture": labels[0] if len(row_lines) else np.zeros(0, dtype=object),
        "target": np.array(target, dtype=object),
        "level": word[0] if len(row_lines) else np.zeros(0, dtype=object),
        "type": word[1] if len(row_lines) else np.zeros(0, dtype=object),
    }
    columns.update({key: number[k] for k, key in enumerate(_FLOATS)})
    return columns
