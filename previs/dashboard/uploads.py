"""Uploads written beside a saved session, so that the session file can name them.

An uploaded file (image, catalog, msaoper map, APT program) has no path of its
own: when the dashboard saves a session, :func:`store_upload` writes its bytes
into the session's folder and the session refers to that copy.

Layer: dashboard (no widgets).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from previs._files import write_bytes_atomic

if TYPE_CHECKING:
    from previs.io.session_apt import AptSelection

__all__ = ["store_apt_uploads", "store_upload"]


def store_upload(directory: Path, name: str, data: bytes) -> Path:
    """Write uploaded bytes into ``directory`` under ``name`` (numbered if another file has it)."""
    base = Path(Path(name).name or "upload")
    candidate = directory / base
    number = 1
    while candidate.exists():
        if candidate.is_file() and candidate.read_bytes() == data:
            return candidate
        candidate = directory / f"{base.stem}-{number}{base.suffix}"
        number += 1
    return write_bytes_atomic(candidate, data)


def store_apt_uploads(
    directory: Path, apt: AptSelection, uploads: dict[str, bytes]
) -> AptSelection:
    """Store an uploaded APT program beside a session: the file read and the other export
    of the same name (``read_apt`` reads the two together); ``apt`` with the stored path.

    Parameters
    ----------
    directory : Path
        The session's folder.
    apt : AptSelection
        The session's APT part, its ``file`` the upload's copy in the panel's folder.
    uploads : dict
        Bytes of every APT file uploaded, by name.
    """
    shown = Path(apt.file)
    stored = shown
    for name, data in uploads.items():
        if Path(name).stem == shown.stem:
            path = store_upload(directory, name, data)
            if name == shown.name:
                stored = path
    return replace(apt, file=str(stored))
