"""Catalogs: reading target lists and counting where their sources fall.

Owns the catalog readers (NOVT ``.radec``, CSV, ECSV, FITS, VOTable) and the
source counts of a plan's result.

Layer: above :mod:`previs.planning` and :mod:`previs.geometry`, which it may
import; never :mod:`previs.io`, matplotlib or widgets.
"""

from previs.catalog.readers import Catalog, CatalogError, read_catalog, write_radec
from previs.catalog.sources import SourceCounts, count_sources

__all__ = [
    "Catalog",
    "CatalogError",
    "SourceCounts",
    "count_sources",
    "read_catalog",
    "write_radec",
]
