"""Catalogs: reading target lists and counting where their sources fall.

Owns :class:`~previs.catalog.table.Catalog`, the readers (the NOVT ``.radec``
format in :mod:`~previs.catalog.radec`, registered with astropy's I/O registry;
CSV, ECSV, FITS and VOTable tables through astropy in
:mod:`~previs.catalog.readers`) and the source counts of a plan's result
(:mod:`~previs.catalog.sources`).

Layer: above :mod:`previs.planning` and :mod:`previs.geometry`, which it may
import; never :mod:`previs.io`, matplotlib or widgets.
"""

from previs.catalog.radec import write_radec
from previs.catalog.readers import read_catalog
from previs.catalog.sources import SourceCounts, count_sources
from previs.catalog.summary import Summary, summarize
from previs.catalog.table import Catalog
from previs.errors import CatalogError

__all__ = [
    "Catalog",
    "CatalogError",
    "SourceCounts",
    "Summary",
    "count_sources",
    "read_catalog",
    "summarize",
    "write_radec",
]
