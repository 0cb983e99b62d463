"""Figure files: a matplotlib figure as PNG, PDF or SVG, written atomically.

The figure object comes from :mod:`previs.plotting` or the dashboard; this
module only asks it to render itself (``savefig``), so it needs no matplotlib
import of its own.

Layer: io.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from previs._files import write_bytes_atomic
from previs.errors import PrevisError, quote

__all__ = ["FIGURE_FORMATS", "figure_bytes", "save_figure"]

#: Figure formats :func:`save_figure` writes, by file extension.
FIGURE_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


def _figure_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        raise PrevisError(
            f"cannot save a figure as {quote(str(path))}: the extension must be one of "
            f"{', '.join(FIGURE_FORMATS)} (PNG, PDF or SVG)"
        )
    return FIGURE_FORMATS[suffix]


def _check_dpi(dpi: float) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 2400:
        raise PrevisError(f"dpi must be a number from 10 to 2400, got {quote(dpi)}")
    return float(dpi)


def figure_bytes(fig: Any, format: str = "png", dpi: float = 300) -> bytes:
    """The figure as PNG, PDF or SVG bytes (``format`` without a dot)."""
    key = str(format).lower().lstrip(".")
    if f".{key}" not in FIGURE_FORMATS:
        raise PrevisError(f"figure format must be png, pdf or svg, got {quote(format)}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=key, dpi=_check_dpi(dpi), bbox_inches="tight")
    return buffer.getvalue()


def save_figure(fig: Any, path: str | os.PathLike, dpi: float = 300) -> Path:
    """Save a matplotlib figure at publication resolution; the format follows the extension.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (e.g. the dashboard's ``view.figure``).
    path : str or path-like
        ``.png``, ``.pdf`` or ``.svg``; anything else raises ValueError.
    dpi : float
        Resolution of raster output (PNG, and images embedded in PDF/SVG), 300 by default.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    kind = _figure_format(path)
    return write_bytes_atomic(path, figure_bytes(fig, kind, dpi))
