"""What APT and its MSA Planning Tool (MPT) take from previs, written and read back.

MPT catalog
    JDox, "MPT Catalogs - Examples"
    (https://jwst-docs.stsci.edu/jwst-near-infrared-spectrograph/nirspec-apt-templates/nirspec-multi-object-spectroscopy-apt-template/nirspec-mpt-catalogs/mpt-catalogs-examples)
    and "NIRSpec MPT - Catalogs" (same tree, ``.../nirspec-mpt-catalogs``): an
    ASCII table, columns separated by white space, with an optional header line
    at the top that starts with ``#`` and names the columns; RA and Dec
    (J2000, degrees or sexagesimal) are required; an integer ``ID`` from 1 to
    1,000,000 in the first column is recommended (it names the pipeline's level-3
    products); ``Reference`` marks candidate MSA target-acquisition reference
    stars. APT offers a reference-star bin when the catalog has the TA-filter
    magnitude columns ``NRS_F110W``, ``NRS_F140X`` and ``NRS_CLEAR`` (JDox,
    "Predicting MSATA Reference Star Magnitudes"). :func:`mpt_catalog` builds
    that table: ``ID RA DEC Reference``, the three magnitude columns when the
    source table has them (a missing value is written :data:`MISSING_MAGNITUDE`),
    then previs's flags as integer columns MPT can filter candidate sets on:
    ``previs_primary`` (1 primary, 0 filler), ``previs_quadrant`` (MSA quadrant,
    0 outside), ``previs_imaged`` (inside the pre-imaging), ``previs_at_risk``
    (in the MSA, not imaged) and ``previs_usable_shutter`` (-1: not computed).
    -1 means "not known" in every previs column. Positions are ICRS, which APT
    plans in (J2000 differs from it by ~20 mas at most).

Special requirements
    JDox, "APT Special Requirements"
    (https://jwst-docs.stsci.edu/jwst-astronomers-proposal-tool-overview/apt-workflow-articles/apt-special-requirements)
    and "NIRSpec MOS Operations - Pre-Imaging Using NIRCam": an ``APERTURE PA
    RANGE`` on the NIRCam pre-imaging and on the NIRSpec observation, and the
    timing link ``AFTER <NIRCam obs> BY 60 DAYS`` on the NIRSpec observation (42
    days at the very least; :mod:`previs.planning.schedule` encodes the rule).
    :class:`SpecialRequirements` writes them one per line under each observation,
    in the form APT shows them, with the V3PA range APT will derive.

NIRCam template parameters
    :func:`apt_nircam_parameters` gives the dither and mosaic as the APT NIRCam
    Imaging form names them (Primary Dither Type / Primary Dithers; Mosaic
    Properties: Rows, Columns, Row and Column Overlap %, Row and Column Shift) and
    as the APT ``.xml`` export spells them.

Every file goes through :mod:`previs._files`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from astropy.table import MaskedColumn, Table

from previs._files import write_text_atomic
from previs.catalog import Catalog, read_catalog
from previs.catalog.readers import booleans_from_values
from previs.catalog.sources import SourceCounts
from previs.catalog.table import MAGNITUDE_COLUMNS, REFERENCE_COLUMN, magnitude_values
from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc, wrap_degrees
from previs.geometry.attitude import v3pa_from_apa
from previs.geometry.patterns import Mosaic, canonical_dither
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture
from previs.planning.schedule import MIN_SEPARATION_DAYS, RECOMMENDED_SEPARATION_DAYS

__all__ = [
    "MAGNITUDE_COLUMNS",
    "MISSING_MAGNITUDE",
    "REFERENCE_COLUMN",
    "SpecialRequirements",
    "apt_nircam_parameters",
    "dither_from_apt",
    "mpt_catalog",
    "parse_special_requirements",
    "read_mpt_catalog",
    "read_mpt_sources",
    "special_requirements",
    "write_mpt_catalog",
]

MISSING_MAGNITUDE = -1.0
MPT_MAX_ID = 1_000_000
FLAG_COLUMNS = (
    "previs_primary",
    "previs_quadrant",
    "previs_imaged",
    "previs_at_risk",
    "previs_usable_shutter",
)


# ----------------------------------------------------------------------------- MPT catalog


def _column(table: Table | None, name: str):
    if table is None:
        return None
    for column in table.colnames:
        if column.upper() == name.upper():
            return table[column]
    return None


def _ids(table: Table | None, n: int) -> tuple[np.ndarray, list[str]]:
    column = _column(table, "ID")
    if column is not None:
        values = np.asarray(getattr(column, "filled", lambda v: column)(0))
        if values.dtype.kind in "iu" and len(np.unique(values)) == n:
            if n == 0 or (values.min() >= 1 and values.max() <= MPT_MAX_ID):
                return values.astype(np.int64), []
        return np.arange(1, n + 1), [
            "the catalog's ID column is not unique whole numbers from 1 to 1000000, as MPT "
            "needs; sources are numbered 1 to N in catalog order instead"
        ]
    return np.arange(1, n + 1), []


def _flag(values, n: int, what: str) -> np.ndarray:
    """1/0 of a boolean mask, or -1 everywhere when there is none."""
    if values is None:
        return np.full(n, -1, dtype=np.int64)
    values = np.asarray(values)
    if values.shape != (n,):
        raise PrevisError(f"{what} has {values.size} values for {n} sources")
    return values.astype(bool).astype(np.int64)


def mpt_catalog(
    catalog: Catalog,
    counts: SourceCounts | None = None,
    *,
    table: Table | None = None,
    reference=None,
    usable_shutter=None,
    extra_columns: Sequence[str] = (),
) -> Table:
    """The MPT catalog of ``catalog`` with previs's flags (see the module docstring).

    Parameters
    ----------
    catalog : Catalog
        Positions (ICRS degrees) and primary / filler flags.
    counts : SourceCounts, optional
        From :func:`previs.catalog.sources.count_sources` (the planned exposures)
        or :func:`previs.catalog.image_sources.count_sources_in_image` (the image
        taken); without it the quadrant, imaged and at-risk columns are -1.
    table : astropy.table.Table, optional
        The source table the catalog was read from, row for row: its ``ID`` and
        ``extra_columns`` are carried through (and its ``Reference`` and
        ``NRS_*`` columns where the catalog lacks them: :func:`read_catalog`
        reads those into :attr:`Catalog.reference` and :attr:`Catalog.magnitudes`,
        which are written).
    reference : array_like of bool, optional
        Reference-star candidates; overrides the catalog's (and the table's).
    usable_shutter : array_like of bool, optional
        Whether each source falls in a usable shutter (-1 without it).
    extra_columns : sequence of str
        Further numeric columns of ``table`` to carry (e.g. ``"Weight"``).

    Returns
    -------
    astropy.table.Table
        ``meta["notes"]`` lists what was changed (e.g. IDs renumbered).
    """
    n = len(catalog)
    if table is not None and len(table) != n:
        raise PrevisError(
            f"the source table has {len(table)} rows but the catalog {len(catalog)} sources; "
            "give the table the catalog was read from"
        )
    if counts is not None and counts.catalog is not catalog and len(counts.catalog) != n:
        raise PrevisError("the source counts belong to another catalog")
    ids, notes = _ids(table, n)
    out = Table(meta={"notes": notes})
    out["ID"] = ids
    out["RA"] = np.asarray(catalog.ra, dtype=float)
    out["DEC"] = np.asarray(catalog.dec, dtype=float)
    if reference is None:
        reference = catalog.reference
        column = _column(table, REFERENCE_COLUMN)
        if column is not None:
            reference = reference | booleans_from_values(column, "source table", REFERENCE_COLUMN)
    out["Reference"] = _flag(reference, n, "reference").astype(bool)
    for name in MAGNITUDE_COLUMNS:
        values = catalog.magnitudes.get(name)
        column = _column(table, name) if values is None else None
        if column is not None:
            values = magnitude_values(column, n, name, "source table")
        if values is not None:
            out[name] = MaskedColumn(np.nan_to_num(values), mask=np.isnan(values))
    for name in extra_columns:
        column = _column(table, name)
        if column is None:
            raise PrevisError(f"the source table has no column {quote(name)}")
        values = np.ma.masked_invalid(np.ma.asarray(column, dtype=float))
        out[name] = MaskedColumn(values.data, mask=np.ma.getmaskarray(values))
    out["previs_primary"] = catalog.primary.astype(np.int64)
    if counts is not None:
        out["previs_quadrant"] = np.asarray(counts.quadrant, dtype=np.int64)
        out["previs_imaged"] = _flag(counts.imaged, n, "imaged")
        out["previs_at_risk"] = _flag(counts.at_risk, n, "at risk")
    else:
        for name in ("previs_quadrant", "previs_imaged", "previs_at_risk"):
            out[name] = np.full(n, -1, dtype=np.int64)
    out["previs_usable_shutter"] = _flag(usable_shutter, n, "usable_shutter")
    return out


def _format(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise PrevisError(f"an MPT catalog cannot hold the value {number!r}")
    return repr(number)  # the shortest text that reads back as the same float


def write_mpt_catalog(table: Table, path: str | os.PathLike) -> None:
    """Write an :func:`mpt_catalog` table as MPT's white-space separated ASCII catalog.

    The first line is the ``#`` header naming the columns; floats are written
    with the fewest digits that read back exactly; masked magnitudes as
    :data:`MISSING_MAGNITUDE`.
    """
    names = list(table.colnames)
    if [name.upper() for name in names[:3]] != ["ID", "RA", "DEC"]:
        raise PrevisError("an MPT catalog table must start with the columns ID, RA, DEC")
    columns = []
    for name in names:
        column = table[name]
        if re.search(r"\s", name):
            raise PrevisError(f"column name {quote(name)} has white space")
        if column.dtype.kind not in "biuf":
            raise PrevisError(f"column {quote(name)} is not numeric or boolean")
        fill = MISSING_MAGNITUDE if column.dtype.kind == "f" else 0
        columns.append(np.ma.filled(np.ma.asarray(column), fill).tolist())
    lines = ["# " + " ".join(names)]
    lines += [" ".join(_format(v) for v in row) for row in zip(*columns, strict=True)]
    write_text_atomic(path, "\n".join(lines) + "\n")


def read_mpt_catalog(path: str | os.PathLike) -> Table:
    """Read an MPT catalog written by :func:`write_mpt_catalog` (or any with a ``#`` header).

    ``Reference`` becomes boolean and magnitudes equal to :data:`MISSING_MAGNITUDE`
    are masked, so that what previs wrote reads back unchanged.
    """
    try:
        table = Table.read(os.fspath(path), format="ascii.commented_header", guess=False)
    except Exception as error:  # astropy raises several types for bad files
        raise PrevisError(
            f"{os.fspath(path)}: not an MPT catalog with a '#' header ({error})"
        ) from None
    for name in table.colnames:
        if name.upper() == REFERENCE_COLUMN.upper():
            table[name] = booleans_from_values(table[name], os.fspath(path), name)
        elif name.upper() in MAGNITUDE_COLUMNS:
            values = np.asarray(table[name], dtype=float)
            table[name] = MaskedColumn(values, mask=values == MISSING_MAGNITUDE)
    return table


def read_mpt_sources(path: str | os.PathLike) -> Catalog:
    """The :class:`~previs.catalog.readers.Catalog` of a previs MPT catalog (positions,
    primary / filler from ``previs_primary``, reference stars from ``Reference``, the
    ``NRS_*`` magnitudes with :data:`MISSING_MAGNITUDE` read as unknown)."""
    catalog = read_catalog(path, format="ascii.commented_header", flag_column="previs_primary")
    if not catalog.has_magnitudes:
        return catalog
    magnitudes = {
        name: np.where(values == MISSING_MAGNITUDE, np.nan, values)
        for name, values in catalog.magnitudes.items()
    }
    return Catalog(
        catalog.ra,
        catalog.dec,
        catalog.flag,
        source=catalog.source,
        has_flags=catalog.has_flags,
        magnitudes=magnitudes,
        reference=catalog.reference,
    )


# ----------------------------------------------------------------------------- special reqs


def _arc(apa_range, what: str) -> tuple[float, float] | None:
    """(min, max) wrapped to [0, 360), None for the full circle (no constraint)."""
    if apa_range is None:
        return None
    arc = ApaArc.from_range(apa_range, what)
    return None if arc.is_full_circle else arc.as_range()


@dataclass(frozen=True)
class SpecialRequirements:
    """Special requirements to enter in APT for the pre-imaging and the MOS observation.

    Attributes
    ----------
    nircam_observation, nirspec_observation : str
        APT observation numbers (or labels) of the NIRCam pre-imaging and the
        NIRSpec MOS observation.
    nircam_apa_range, nirspec_apa_range : tuple of float or None
        (min, max) aperture PA, degrees in [0, 360) (min > max crosses 0);
        None: no constraint (any angle, or not chosen).
    separation_days : int
        The timing link: NIRSpec at least this many days after NIRCam.
    """

    nircam_observation: str = "1"
    nirspec_observation: str = "2"
    nircam_apa_range: tuple[float, float] | None = None
    nirspec_apa_range: tuple[float, float] | None = None
    separation_days: int = RECOMMENDED_SEPARATION_DAYS

    @property
    def notes(self) -> list[str]:
        """Warnings in the observer's words."""
        notes = []
        if self.separation_days < RECOMMENDED_SEPARATION_DAYS:
            notes.append(
                f"{self.separation_days} days between pre-imaging and NIRSpec is below the "
                f"recommended {RECOMMENDED_SEPARATION_DAYS}: the program update may leave only "
                f"{max(self.separation_days - 28, 0)} days of planning"
            )
        return notes

    def requirements(self) -> dict[str, list[str]]:
        """The requirement lines of each observation, keyed "nircam" and "nirspec"."""
        lines: dict[str, list[str]] = {"nircam": [], "nirspec": []}
        for key, apa_range, aperture in (
            ("nircam", self.nircam_apa_range, NIRCAM_REFERENCE),
            ("nirspec", self.nirspec_apa_range, NIRSPEC_REFERENCE),
        ):
            if apa_range is not None:
                low, high = apa_range
                yang = get_aperture(aperture).v3_idl_yang
                v3_low, v3_high = (float(wrap_degrees(v3pa_from_apa(a, yang))) for a in apa_range)
                lines[key].append(
                    f"APERTURE PA RANGE {low:.2f} TO {high:.2f} DEGREES "
                    f"(V3PA {v3_low:.2f} TO {v3_high:.2f}, {aperture})"
                )
        lines["nirspec"].append(
            f"AFTER OBSERVATION {self.nircam_observation} BY {self.separation_days} DAYS"
        )
        return lines

    def to_text(self) -> str:
        """The text to keep beside APT: one block per observation, then any warnings."""
        lines = self.requirements()
        text = [
            "# previs: special requirements to add in APT (observation > Special Requirements)",
            f"[NIRCam pre-imaging, observation {self.nircam_observation}]",
            *(lines["nircam"] or ["(no aperture PA range chosen)"]),
            f"[NIRSpec MOS, observation {self.nirspec_observation}]",
            *lines["nirspec"],
        ]
        text += [f"# note: {note}" for note in self.notes]
        return "\n".join(text) + "\n"

    def to_dict(self) -> dict:
        """JSON-ready dict (ranges as lists or null)."""
        return {
            "nircam_observation": self.nircam_observation,
            "nirspec_observation": self.nirspec_observation,
            "nircam_apa_range": list(self.nircam_apa_range) if self.nircam_apa_range else None,
            "nirspec_apa_range": list(self.nirspec_apa_range) if self.nirspec_apa_range else None,
            "separation_days": self.separation_days,
            "requirements": self.requirements(),
            "notes": self.notes,
        }


def special_requirements(
    *,
    nircam_apa_range=None,
    nirspec_apa_range=None,
    separation_days: int | None = None,
    nircam_observation: str | int = "1",
    nirspec_observation: str | int = "2",
    schedule=None,
) -> SpecialRequirements:
    """Special requirements from chosen ranges, or from a checked schedule.

    Parameters
    ----------
    nircam_apa_range, nirspec_apa_range : (float, float), optional
        Aperture PA arcs (degrees); a 360-degree arc means no constraint.
    separation_days : int, optional
        Days for the ``AFTER ... BY`` link; default the schedule's separation, else 60.
        Below 42 (the absolute minimum) is an error.
    nircam_observation, nirspec_observation : str or int
        APT observation numbers.
    schedule : previs.planning.schedule.SchedulePlan, optional
        Supplies the ranges (NIRCam on the imaging date, NIRSpec over its window)
        and the separation when they are not given.
    """
    if schedule is not None:
        if nircam_apa_range is None:
            nircam_apa_range = schedule.nircam_apa
        if nirspec_apa_range is None:
            nirspec_apa_range = schedule.nirspec_apa
        if separation_days is None:
            separation_days = schedule.check.separation_days
    if separation_days is None:
        separation_days = RECOMMENDED_SEPARATION_DAYS
    if isinstance(separation_days, bool) or int(separation_days) != separation_days:
        raise PrevisError(
            f"separation must be a whole number of days, got {quote(separation_days)}"
        )
    if separation_days < MIN_SEPARATION_DAYS:
        raise PrevisError(
            f"separation of {int(separation_days)} days is below the absolute minimum of "
            f"{MIN_SEPARATION_DAYS} days between NIRCam pre-imaging and NIRSpec "
            f"({RECOMMENDED_SEPARATION_DAYS} recommended)"
        )
    for label in (nircam_observation, nirspec_observation):
        if not re.fullmatch(r"[A-Za-z0-9_.:-]+", str(label)):
            raise PrevisError(
                f"observation {quote(label)}: use the APT observation number (letters, digits)"
            )
    return SpecialRequirements(
        nircam_observation=str(nircam_observation),
        nirspec_observation=str(nirspec_observation),
        nircam_apa_range=_arc(nircam_apa_range, "NIRCam APA range"),
        nirspec_apa_range=_arc(nirspec_apa_range, "NIRSpec APA range"),
        separation_days=int(separation_days),
    )


_PA_LINE = re.compile(r"APERTURE PA RANGE ([\d.]+) TO ([\d.]+) DEGREES")
_AFTER_LINE = re.compile(r"AFTER OBSERVATION (\S+) BY (\d+) DAYS")
_BLOCK = re.compile(r"\[(NIRCam|NIRSpec)[^\]]*observation (\S+)\]")


def parse_special_requirements(text: str) -> SpecialRequirements:
    """Read back the text of :meth:`SpecialRequirements.to_text` (angles to 0.01 deg)."""
    values: dict = {}
    current = None
    for line in text.splitlines():
        block = _BLOCK.search(line)
        if block:
            current = block.group(1).lower()
            values[f"{current}_observation"] = block.group(2)
            continue
        pa = _PA_LINE.search(line)
        if pa and current:
            values[f"{current}_apa_range"] = (float(pa.group(1)), float(pa.group(2)))
        after = _AFTER_LINE.search(line)
        if after:
            values["separation_days"] = int(after.group(2))
    if "separation_days" not in values:
        raise PrevisError("no 'AFTER OBSERVATION ... BY ... DAYS' line in the special requirements")
    return special_requirements(**values)


# ----------------------------------------------------------------------------- NIRCam template

# previs dither -> (APT Primary Dither Type, Primary Dithers)
_APT_DITHERS = {
    "NONE": ("NONE", None),
    "FULL3": ("FULL", "3"),
    "FULL3TIGHT": ("FULL", "3TIGHT"),
    "FULL6": ("FULL", "6"),
    "8NIRSPEC": ("FULLBOX", "8NIRSPEC"),
    "INTRAMODULE3": ("INTRAMODULE", "3"),
    "INTRAMODULE16": ("INTRAMODULE", "16"),
    "INTRAMODULEBOX2": ("INTRAMODULEBOX", "2"),
    "INTRAMODULEBOX3": ("INTRAMODULEBOX", "3"),
    "INTRASCA2": ("INTRASCA", "2"),
    "FULLBOX2TIGHTGAPS": ("FULLBOX", "2TIGHTGAPS"),
}


def apt_nircam_parameters(dither: str, mosaic: Mosaic | None = None) -> dict:
    """The NIRCam Imaging template's dither and mosaic, as APT names them.

    Returns
    -------
    dict
        ``{"form": {...}, "xml": {...}}``: the APT form's fields (Module,
        Subarray, Primary Dither Type, Primary Dithers, and the Mosaic
        Properties Rows, Columns, Row Overlap %, Column Overlap %, Row Shift
        and Column Shift in degrees) and the same under the ``.xml`` export's
        element names.
    """
    kind, points = _APT_DITHERS[canonical_dither(dither)]
    mosaic = mosaic or Mosaic()
    form = {
        "Module": "ALL",
        "Subarray": "FULL",
        "Primary Dither Type": kind,
        "Primary Dithers": points,
        "Mosaic": {
            "Rows": mosaic.rows,
            "Columns": mosaic.columns,
            "Row Overlap %": mosaic.row_overlap,
            "Column Overlap %": mosaic.column_overlap,
            "Row Shift": mosaic.row_shift,
            "Column Shift": mosaic.column_shift,
        },
    }
    xml = {
        "nci:Module": "ALL",
        "nci:Subarray": "FULL",
        "nci:PrimaryDitherType": kind,
        "nci:PrimaryDithers": points,
        "MosaicParameters": {
            "Rows": mosaic.rows,
            "Columns": mosaic.columns,
            "RowOverlapPercent": mosaic.row_overlap,
            "ColumnOverlapPercent": mosaic.column_overlap,
            "SkewDegreesX": mosaic.row_shift,
            "SkewDegreesY": mosaic.column_shift,
        },
    }
    return {"form": form, "xml": xml}


def dither_from_apt(parameters: dict) -> tuple[str, Mosaic]:
    """previs's dither name and Mosaic from :func:`apt_nircam_parameters`'s ``form`` (or
    the whole dict)."""
    form = parameters.get("form", parameters)
    key = (str(form.get("Primary Dither Type", "NONE")).upper(), form.get("Primary Dithers"))
    if key[0] == "NONE":
        key = ("NONE", None)
    names = {value: name for name, value in _APT_DITHERS.items()}
    if key not in names:
        raise PrevisError(
            f"APT dither {quote(' '.join(str(k) for k in key if k))} is not one previs models; "
            f"valid: {', '.join(' '.join(v for v in pair if v) for pair in _APT_DITHERS.values())}"
        )
    mosaic = form.get("Mosaic", {})
    return names[key], Mosaic(
        int(mosaic.get("Rows", 1)),
        int(mosaic.get("Columns", 1)),
        float(mosaic.get("Row Overlap %", 10.0)),
        float(mosaic.get("Column Overlap %", 10.0)),
        row_shift=float(mosaic.get("Row Shift", 0.0)),
        column_shift=float(mosaic.get("Column Shift", 0.0)),
    )


def apt_parameters_text(parameters: dict) -> str:
    """The ``form`` part of :func:`apt_nircam_parameters` as lines to read while filling APT."""
    form = parameters["form"]
    lines = ["[NIRCam Imaging template]"]
    for key in ("Module", "Subarray", "Primary Dither Type", "Primary Dithers"):
        if form[key] is not None:
            lines.append(f"{key}: {form[key]}")
    lines.append("[Mosaic Properties]")
    lines += [f"{key}: {value:g}" for key, value in form["Mosaic"].items()]
    return "\n".join(lines) + "\n"
