"""previs: plan JWST NIRCam pre-imaging for NIRSpec multi-object spectroscopy.

The public API, imported on first use so that ``import previs`` stays light:

* geometry: :class:`Pointing`, :class:`Mosaic`, :class:`Exposures`,
  :data:`DITHER_NAMES`, :class:`ApaArc`, :class:`Footprint`,
  :func:`nirspec_footprint`, :func:`nircam_footprint`, :class:`Coverage`,
  :func:`compute_coverage`, :func:`compute_union_coverage`,
  :func:`siaf_version`, :func:`get_aperture`; the MSA's shutters:
  :func:`place_sources`, :func:`usable_msa_coverage`, :func:`read_msaoper`;
* planning: :class:`Plan`, :class:`Result`, :func:`evaluate`, :func:`apa_sweep`,
  :class:`WorstCase`, :func:`worst_case_coverage`, :func:`search_configuration`,
  :func:`visibility`, :func:`plan_schedule`, :func:`propose_schedules`;
* catalogs: :class:`Catalog`, :func:`read_catalog`, :func:`count_sources`,
  :func:`count_sources_by_pointing`, :class:`Summary`, :func:`summarize`;
* files: :class:`Config`, :func:`load_config`, :func:`save_config`,
  :func:`load_image`, :func:`write_regions`, :func:`build_report`,
  :func:`write_report`, :func:`read_apt` (APT programs, :class:`AptProgram`),
  :func:`read_offsets_csv` (custom NIRCam patterns),
  :func:`read_pointing_table` (NIRSpec pointings from a CSV);
* :class:`PrevisError`, the base of every error bad input raises, and the
  :class:`Dashboard` (needs the ``app`` extra).

The subpackages, in the order they may import each other (see the README's
Architecture section): :mod:`previs.geometry`, :mod:`previs.planning`,
:mod:`previs.catalog`, :mod:`previs.io`, :mod:`previs.plotting`, then
:mod:`previs.dashboard` and :mod:`previs.cli`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.2.0.dev0"

_LAZY = {
    # geometry
    "Pointing": "previs.geometry.attitude",
    "Mosaic": "previs.geometry.patterns",
    "Exposures": "previs.geometry.patterns",
    "DITHER_NAMES": "previs.geometry.patterns",
    "ApaArc": "previs.geometry.angles",
    "Footprint": "previs.geometry.footprints",
    "nirspec_footprint": "previs.geometry.footprints",
    "nircam_footprint": "previs.geometry.footprints",
    "Coverage": "previs.geometry.coverage",
    "compute_coverage": "previs.geometry.coverage",
    "compute_union_coverage": "previs.geometry.coverage",
    "siaf_version": "previs.geometry.siaf",
    "get_aperture": "previs.geometry.siaf",
    "place_sources": "previs.geometry.shutters",
    "usable_msa_coverage": "previs.geometry.usable",
    "read_msaoper": "previs.geometry.operability",
    # planning
    "Plan": "previs.planning.plan",
    "Result": "previs.planning.plan",
    "evaluate": "previs.planning.plan",
    "apa_sweep": "previs.planning.sweep",
    "WorstCase": "previs.planning.sweep",
    "worst_case_coverage": "previs.planning.sweep",
    "search_configuration": "previs.planning.search",
    "visibility": "previs.planning.visibility",
    "plan_schedule": "previs.planning.schedule",
    "propose_schedules": "previs.planning.schedule",
    # catalogs
    "Catalog": "previs.catalog.table",
    "read_catalog": "previs.catalog.readers",
    "count_sources": "previs.catalog.sources",
    "count_sources_by_pointing": "previs.catalog.sources",
    "Summary": "previs.catalog.summary",
    "summarize": "previs.catalog.summary",
    # files
    "Config": "previs.io.session",
    "load_config": "previs.io.configs",
    "save_config": "previs.io.configs",
    "load_image": "previs.io.images",
    "write_regions": "previs.io.regions",
    "build_report": "previs.io.report",
    "write_report": "previs.io.report",
    "read_apt": "previs.io.apt",
    "AptProgram": "previs.io.apt",
    "read_offsets_csv": "previs.io.apt_offsets",
    "read_pointing_table": "previs.io.pointing_table",
    # errors and the app
    "PrevisError": "previs.errors",
    "Dashboard": "previs.dashboard.app",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'previs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
