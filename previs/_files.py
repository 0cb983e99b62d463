"""Writing files so that a reader never sees half of one.

Every file previs writes (sessions, regions, reports, figures, the example
field and its catalog) goes through :func:`replace_atomically`: the content is
written to a temporary file in the same folder, which is then renamed over the
target. An existing file survives a failed write, concurrent kernels see
either the old or the new file, and the new file gets the usual permissions
(0666 less the umask), not the 0600 of a temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from previs.errors import quote

__all__ = ["existing_file", "replace_atomically", "write_bytes_atomic", "write_text_atomic"]


def replace_atomically(
    path: str | os.PathLike, write: Callable[[Path], None], make_folder: bool = False
) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file over ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to (re)place.
    write : callable
        Writes the whole content to the path it is given.
    make_folder : bool
        Create the folder if missing; otherwise a missing folder raises ValueError.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise ValueError(
            f"cannot write {quote(str(target))}: directory {quote(str(folder))} is missing"
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        write(Path(temporary))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (``\\n`` line ends) to ``path`` atomically."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)

    return replace_atomically(path, write)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return replace_atomically(path, lambda temporary: temporary.write_bytes(data))


def existing_file(path: str | os.PathLike, what: str, error: type[Exception] = ValueError) -> Path:
    """``path`` (home expanded) if it names an existing file; else ``error`` naming ``what``."""
    file = Path(path).expanduser()
    if not file.exists():
        raise error(f"{what} {quote(str(path))} does not exist")
    if not file.is_file():
        raise error(f"{what} {quote(str(path))} is not a file")
    return file
