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
    "Pointing": "previs.geometry.attitude",
    "Mosaic": "previs.geometry.patterns",
    "DITHER_NAMES": "previs.geometry.patterns",
    "Plan": "previs.planning.plan",
    "Result": "previs.planning.plan",
    "evaluate": "previs.planning.plan",
    "nirspec_footprint": "previs.geometry.footprints",
    "nircam_footprint": "previs.geometry.footprints",
    "Footprint": "previs.geometry.footprints",
    "compute_coverage": "previs.geometry.coverage",
    "apa_sweep": "previs.geometry.coverage",
    "Coverage": "previs.geometry.coverage",
    "siaf_version": "previs.geometry.siaf",
    "get_aperture": "previs.geometry.siaf",
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
