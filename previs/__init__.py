"""previs: plan JWST NIRCam pre-imaging for NIRSpec multi-object spectroscopy.

The core API (no widgets): :class:`Pointing`, :class:`Mosaic`, :class:`Plan`,
:func:`evaluate`, :func:`nirspec_footprint`, :func:`nircam_footprint`,
:func:`compute_coverage`, :func:`apa_sweep`. The dashboard is
:class:`previs.Dashboard` (imported on first use, so ``import previs`` stays light).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Pointing": "previs.pointing",
    "Mosaic": "previs.patterns",
    "DITHER_NAMES": "previs.patterns",
    "Plan": "previs.plan",
    "Result": "previs.plan",
    "evaluate": "previs.plan",
    "nirspec_footprint": "previs.footprints",
    "nircam_footprint": "previs.footprints",
    "Footprint": "previs.footprints",
    "compute_coverage": "previs.coverage",
    "apa_sweep": "previs.coverage",
    "Coverage": "previs.coverage",
    "siaf_version": "previs.apertures",
    "get_aperture": "previs.apertures",
    "Dashboard": "previs.dashboard",
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
