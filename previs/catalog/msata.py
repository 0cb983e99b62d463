"""MSATA reference stars: is NIRSpec MSA target acquisition feasible for a plan?

MSATA observes typically 5-8 reference stars through the MSA and needs them
neither too faint (S/N = 20 in its 3-group exposures) nor saturated, in one of
the TA bands F110W, F140X or CLEAR, for the chosen readout pattern. APT offers a
"Reference Star Bin" when the catalog has magnitude columns ``NRS_F110W``,
``NRS_F140X``, ``NRS_CLEAR`` and at least 5 suitable stars fall in one bin.
previs counts, per bin, the reference stars that sit in operable shutters and
are pre-imaged, and calls MSATA feasible when one bin reaches
:data:`MIN_REFERENCE_STARS`.

Source of the numbers (:data:`MSATA_BINS`): JDox, "Predicting MSATA Reference
Star Magnitudes", Table 1 "Brightness ranges for NIRSpec MSATA filter and
readout pattern options"
(https://jwst-docs.stsci.edu/jwst-near-infrared-spectrograph/nirspec-observing-strategies/nirspec-msata-reference-star-selection-recommended-strategies/predicting-msata-reference-star-magnitudes),
checked 2026-12: NRSRAPID and NRSRAPIDD6 give limits in all three bands. The
same table lists NRSRAPIDD1 (S/N = 20 at 24.5, saturation 21.9) and NRSRAPIDD2
(24.9, 22.2) with one value each, in a band its layout does not make
verifiable; :func:`dither_readout_bins` builds those bins for the band the user
names, and they are not in the default table.

Layer: catalog (arrays in, a dataclass out; readers pass the columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from previs.catalog.table import MAGNITUDE_COLUMNS, magnitude_values
from previs.errors import CatalogError, PrevisError, quote
from previs.geometry.attitude import Pointing
from previs.geometry.shutters import place_v2v3, sky_to_v2v3

__all__ = [
    "BAND_COLUMNS",
    "MAX_REFERENCE_STARS",
    "MIN_REFERENCE_STARS",
    "MSATA_BINS",
    "MSATA_SOURCE",
    "BinCount",
    "MSATAReport",
    "MSATAWorstCase",
    "MagnitudeBin",
    "dither_readout_bins",
    "msata_for_catalog",
    "msata_reference_stars",
    "msata_worst_case",
]

MSATA_SOURCE = (
    "JDox 'Predicting MSATA Reference Star Magnitudes', Table 1 (S/N = 20 and saturation "
    "magnitudes per readout pattern and TA band)"
)
#: TA bands and the APT catalog columns that carry them
#: (:data:`previs.catalog.table.MAGNITUDE_COLUMNS`, in the same order).
BAND_COLUMNS = dict(zip(("F110W", "F140X", "CLEAR"), MAGNITUDE_COLUMNS, strict=True))
#: Fewest suitable stars in one bin for APT to offer it (JDox, same page).
MIN_REFERENCE_STARS = 5
#: MSATA uses "typically 5-8" reference stars (JDox).
MAX_REFERENCE_STARS = 8


@dataclass(frozen=True)
class MagnitudeBin:
    """One readout pattern and TA band: stars from ``bright`` to ``faint`` (inclusive) suit.

    Attributes
    ----------
    readout : str
        NIRSpec readout pattern, e.g. ``"NRSRAPID"``.
    band : str
        TA band: ``"F110W"``, ``"F140X"`` or ``"CLEAR"``.
    faint : float
        Magnitude at which the TA exposure reaches S/N = 20 (fainter stars are too faint).
    bright : float
        Saturation magnitude (brighter stars saturate).
    """

    readout: str
    band: str
    faint: float
    bright: float

    @property
    def column(self) -> str:
        """The catalog column of the band, e.g. ``"NRS_F110W"``."""
        return BAND_COLUMNS[self.band]

    @property
    def label(self) -> str:
        """E.g. ``"NRSRAPID F110W 19.5-22.0"``."""
        return f"{self.readout} {self.band} {self.bright:.1f}-{self.faint:.1f}"


#: JDox Table 1, NRSRAPID and NRSRAPIDD6 rows (see the module docstring).
MSATA_BINS: tuple[MagnitudeBin, ...] = (
    MagnitudeBin("NRSRAPID", "F110W", faint=22.0, bright=19.5),
    MagnitudeBin("NRSRAPID", "F140X", faint=23.0, bright=20.6),
    MagnitudeBin("NRSRAPID", "CLEAR", faint=23.8, bright=21.3),
    MagnitudeBin("NRSRAPIDD6", "F110W", faint=24.0, bright=21.3),
    MagnitudeBin("NRSRAPIDD6", "F140X", faint=25.0, bright=22.3),
    MagnitudeBin("NRSRAPIDD6", "CLEAR", faint=25.7, bright=23.1),
)


def dither_readout_bins(band: str) -> tuple[MagnitudeBin, MagnitudeBin]:
    """The NRSRAPIDD1 (24.5 / 21.9) and NRSRAPIDD2 (24.9 / 22.2) bins in ``band``.

    JDox lists one S/N = 20 and one saturation value for each of these readouts
    without a band that can be verified from the page; the caller names it.
    """
    if band not in BAND_COLUMNS:
        raise PrevisError(f"TA band {quote(band)} is unknown; valid: {', '.join(BAND_COLUMNS)}")
    return (
        MagnitudeBin("NRSRAPIDD1", band, faint=24.5, bright=21.9),
        MagnitudeBin("NRSRAPIDD2", band, faint=24.9, bright=22.2),
    )


@dataclass(frozen=True)
class BinCount:
    """Reference stars of one bin.

    Attributes
    ----------
    bin : MagnitudeBin
    in_range : int
        Reference stars with a magnitude in the bin.
    operable : int
        Of those, the ones in an operable MSA shutter.
    usable : int
        Of those, the ones also pre-imaged: the stars MSATA could use.
    feasible : bool
        ``usable`` reaches the minimum.
    """

    bin: MagnitudeBin
    in_range: int
    operable: int
    usable: int
    feasible: bool

    def to_dict(self) -> dict:
        return {
            "readout": self.bin.readout,
            "band": self.bin.band,
            "bright": self.bin.bright,
            "faint": self.bin.faint,
            "in_range": self.in_range,
            "operable": self.operable,
            "usable": self.usable,
            "feasible": self.feasible,
        }


@dataclass(frozen=True)
class MSATAReport:
    """MSATA reference stars per bin for one plan.

    Attributes
    ----------
    bins : tuple of BinCount
        One per magnitude bin, in the order of the bins given.
    reference_stars : int
        Sources flagged as reference stars.
    minimum : int
        Stars one bin needs (default :data:`MIN_REFERENCE_STARS`).
    """

    bins: tuple[BinCount, ...]
    reference_stars: int
    minimum: int = MIN_REFERENCE_STARS

    @property
    def feasible(self) -> bool:
        """At least one bin has ``minimum`` usable reference stars."""
        return any(count.feasible for count in self.bins)

    @property
    def best(self) -> BinCount | None:
        """The bin with the most usable stars (the first such in the table), or None."""
        if not self.bins:
            return None
        return max(self.bins, key=lambda count: count.usable)

    def to_dict(self) -> dict:
        best = self.best
        return {
            "feasible": self.feasible,
            "minimum": self.minimum,
            "reference_stars": self.reference_stars,
            "best": best.bin.label if best is not None else None,
            "bins": [count.to_dict() for count in self.bins],
            "source": MSATA_SOURCE,
        }


def _flags(values, n: int, what: str, name: str) -> np.ndarray:
    array = np.asarray(values).ravel()
    if len(array) != n:
        raise CatalogError(f"{name}: {len(array)} {what} values for {n} sources")
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind in "iu" and np.isin(array, (0, 1)).all():
        return array.astype(bool)
    raise CatalogError(f"{name}: {what} must be true/false per source, got {array.dtype} values")


def msata_reference_stars(
    magnitudes: Mapping[str, Sequence],
    reference,
    operable,
    pre_imaged,
    bins: Sequence[MagnitudeBin] = MSATA_BINS,
    minimum: int = MIN_REFERENCE_STARS,
    name: str = "catalog",
) -> MSATAReport:
    """Count, per magnitude bin, the reference stars MSATA could use.

    Parameters
    ----------
    magnitudes : mapping
        Column name (``"NRS_F110W"``, ``"NRS_F140X"``, ``"NRS_CLEAR"``) to one
        magnitude per source; a missing column, NaN, a masked or empty entry
        means the magnitude is unknown (the star counts in no bin of that band).
    reference : array_like of bool
        The source is a candidate reference star.
    operable : array_like of bool
        The source lies in an operable MSA shutter
        (:attr:`previs.geometry.shutters.ShutterPlacement.usable`).
    pre_imaged : array_like of bool
        The source is inside the pre-imaging.
    bins : sequence of MagnitudeBin
        The bins (default :data:`MSATA_BINS`).
    minimum : int
        Usable stars one bin needs (default :data:`MIN_REFERENCE_STARS`).
    name : str
        Catalog name for messages.

    Raises
    ------
    CatalogError
        If a magnitude is not a number (naming its row and column) or the arrays
        differ in length.
    """
    reference = np.asarray(reference).ravel()
    n = len(reference)
    reference = _flags(reference, n, "reference-star", name)
    operable = _flags(operable, n, "operable", name)
    pre_imaged = _flags(pre_imaged, n, "pre-imaged", name)
    if int(minimum) < 1:
        raise PrevisError(f"minimum reference stars must be at least 1, got {quote(minimum)}")
    columns = {
        column: magnitude_values(values, n, column, name)
        for column, values in magnitudes.items()
        if column in MAGNITUDE_COLUMNS
    }
    counts = []
    for magnitude_bin in bins:
        values = columns.get(magnitude_bin.column)
        if values is None:
            in_range = np.zeros(n, dtype=bool)
        else:
            with np.errstate(invalid="ignore"):
                in_range = (values >= magnitude_bin.bright) & (values <= magnitude_bin.faint)
        in_range &= reference
        in_shutter = in_range & operable
        usable = in_shutter & pre_imaged
        counts.append(
            BinCount(
                magnitude_bin,
                in_range=int(in_range.sum()),
                operable=int(in_shutter.sum()),
                usable=int(usable.sum()),
                feasible=int(usable.sum()) >= int(minimum),
            )
        )
    return MSATAReport(tuple(counts), int(reference.sum()), int(minimum))


@dataclass(frozen=True, eq=False)
class MSATAWorstCase:
    """MSATA reference stars over the allowed NIRSpec APAs (the pre-imaging as planned).

    Attributes
    ----------
    apas : numpy.ndarray
        NIRSpec APAs evaluated, degrees (those of the area worst case).
    best_usable : numpy.ndarray of int
        At each APA, the usable reference stars of the best bin.
    min : int
        The smallest of them.
    apa_at_min : float
        NIRSpec APA where it happens (the first, if several), degrees.
    at_min : MSATAReport
        The per-bin counts at that APA.
    feasible : bool
        Some bin reaches the minimum at every APA evaluated (the bin may change
        with the APA: the APA is known when the MSA is planned).
    """

    apas: np.ndarray
    best_usable: np.ndarray
    min: int
    apa_at_min: float
    at_min: MSATAReport
    feasible: bool

    def to_dict(self) -> dict:
        """JSON-ready dict: feasible, min, apa_at_min, best_usable per APA, apas, bins at min."""
        return {
            "feasible": self.feasible,
            "min": self.min,
            "apa_at_min": self.apa_at_min,
            "apas": [float(a) for a in self.apas],
            "best_usable": [int(v) for v in self.best_usable],
            "at_min": self.at_min.to_dict(),
        }


def msata_for_catalog(
    catalog,
    operable,
    pre_imaged,
    bins: Sequence[MagnitudeBin] = MSATA_BINS,
    minimum: int = MIN_REFERENCE_STARS,
) -> MSATAReport:
    """:func:`msata_reference_stars` of a :class:`~previs.catalog.table.Catalog` (its
    magnitudes and reference stars), with one ``operable`` and ``pre_imaged`` per source."""
    return msata_reference_stars(
        catalog.magnitudes,
        catalog.reference,
        operable,
        pre_imaged,
        bins,
        minimum,
        catalog.source or "catalog",
    )


def msata_worst_case(
    catalog,
    nirspec,
    apas,
    pre_imaged,
    operability=None,
    bins: Sequence[MagnitudeBin] = MSATA_BINS,
    minimum: int = MIN_REFERENCE_STARS,
) -> MSATAWorstCase:
    """MSATA reference stars at every NIRSpec APA of ``apas``, and the worst of them.

    Parameters
    ----------
    catalog : Catalog
        Sources with :attr:`~previs.catalog.table.Catalog.reference` and magnitudes.
    nirspec : Pointing
        NIRSpec pointing; its RA and Dec are used, its APA replaced by each of ``apas``.
    apas : array_like
        NIRSpec APAs, degrees.
    pre_imaged : array_like of bool
        Per source, inside the pre-imaging (fixed: the pre-imaging is taken first).
    operability : OperabilityMap, path or None
        The operability map (None: the bundled snapshot).
    bins, minimum
        As for :func:`msata_reference_stars`.

    Notes
    -----
    Only the reference stars are placed: every APA's positions go through one
    shutter lookup (:func:`previs.geometry.shutters.place_v2v3`).
    """
    apas = np.atleast_1d(np.asarray(apas, dtype=float))
    if not len(apas):
        raise PrevisError("msata_worst_case needs at least one NIRSpec APA")
    name = catalog.source or "catalog"
    pre_imaged = _flags(pre_imaged, len(catalog), "pre-imaged", name)
    # Only the reference stars count: place and count those alone.
    stars = np.flatnonzero(catalog.reference)
    operable = np.zeros((len(apas), len(stars)), dtype=bool)
    if len(stars):
        v2 = np.empty((len(apas), len(stars)))
        v3 = np.empty_like(v2)
        for k, apa in enumerate(apas):
            pointing = Pointing(nirspec.ra, nirspec.dec, float(apa))
            v2[k], v3[k] = sky_to_v2v3(pointing, catalog.ra[stars], catalog.dec[stars])
        placed = place_v2v3(v2.ravel(), v3.ravel(), operability)
        operable = placed.usable.reshape(len(apas), len(stars))
    magnitudes = {column: values[stars] for column, values in catalog.magnitudes.items()}
    reference = np.ones(len(stars), dtype=bool)
    reports = [
        msata_reference_stars(
            magnitudes, reference, operable[k], pre_imaged[stars], bins, minimum, name
        )
        for k in range(len(apas))
    ]
    best = np.array([max((c.usable for c in r.bins), default=0) for r in reports], dtype=int)
    k = int(np.argmin(best))
    return MSATAWorstCase(
        apas=apas,
        best_usable=best,
        min=int(best[k]),
        apa_at_min=float(apas[k]),
        at_min=reports[k],
        feasible=all(r.feasible for r in reports),
    )
