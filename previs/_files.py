"""Writing files so that a reader never sees half of one, and no input is lost.

Every file previs writes (sessions, regions, reports, figures, catalogs, the
example field and its catalog) goes through :func:`replace_atomically`: the
content is written to a temporary file in the same folder, which is then
renamed over the target. An existing file survives a failed write, concurrent
kernels see either the old or the new file, a replaced file keeps its
permissions and a new one gets the usual ones (0666 less the umask).

Inputs are safe: every file previs reads for the user (a session, an image, a
catalog, an APT export) is remembered with :func:`remember_input`, and a write
that would replace one of them is refused, as is a write over a read-only
file. Errors name the user's path, never the hidden temporary file.

Layer: base. Imports nothing from previs but :mod:`previs.errors`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

from previs.errors import PrevisError, quote

__all__ = [
    "ANY_INPUT",
    "existing_file",
    "forget_inputs",
    "read_small_text",
    "remember_input",
    "replace_atomically",
    "write_bytes_atomic",
    "write_text_atomic",
]

#: Pass as ``may_replace`` to let a write replace any input (previs's own cache files).
ANY_INPUT = frozenset({"*"})

_INPUTS: dict[str, str] = {}


def _key(path: str | os.PathLike) -> str:
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def remember_input(path: str | os.PathLike, kind: str) -> None:
    """Note that ``path`` was read as a ``kind`` (``"session"``, ``"image"``, ``"catalog"``,
    ...) in this session, so no later write replaces it."""
    _INPUTS.setdefault(_key(path), kind)


def forget_inputs() -> None:
    """Forget every remembered input (for tests and long-lived processes)."""
    _INPUTS.clear()


def _check_target(target: Path, may_replace: Collection[str]) -> None:
    kind = _INPUTS.get(_key(target))
    if kind is not None and "*" not in may_replace and kind not in may_replace:
        raise PrevisError(
            f"refusing to write {quote(str(target))}: it is the {kind} this session read; "
            "choose another file name"
        )
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise PrevisError(f"cannot write {quote(str(target))}: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        raise PrevisError(f"cannot write {quote(str(target))}: it is a folder")
    if not mode & stat.S_IWUSR:
        raise PrevisError(
            f"refusing to replace {quote(str(target))}: the file is read-only "
            "(make it writable, or choose another file name)"
        )


def replace_atomically(
    path: str | os.PathLike,
    write: Callable[[Path], None],
    make_folder: bool = False,
    may_replace: Collection[str] = (),
) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file over ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to (re)place.
    write : callable
        Writes the whole content to the path it is given.
    make_folder : bool
        Create the folder if missing; otherwise a missing folder is an error.
    may_replace : collection of str
        Kinds of remembered input this write may replace (e.g. ``{"session"}``
        for saving a session over the one loaded; :data:`ANY_INPUT` for caches).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PrevisError
        When ``path`` is an input of this session or read-only, its folder is
        missing, or the write fails; the message names ``path``.
    """
    target = Path(os.path.expanduser(os.fspath(path)))
    folder = target.parent if str(target.parent) else Path(".")
    _check_target(target, may_replace)
    try:
        if make_folder:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise PrevisError(
                f"cannot write {quote(str(target))}: the folder {quote(str(folder))} is missing"
            )
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise PrevisError(f"cannot write {quote(str(target))}: {error.strerror}") from None
    os.close(handle)
    try:
        write(Path(temporary))
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise PrevisError(f"cannot write {quote(str(target))}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(
    path: str | os.PathLike, text: str, may_replace: Collection[str] = ()
) -> Path:
    """Write ``text`` as UTF-8 (``\\n`` line ends) to ``path`` atomically."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)

    return replace_atomically(path, write, may_replace=may_replace)


def write_bytes_atomic(
    path: str | os.PathLike, data: bytes, may_replace: Collection[str] = ()
) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return replace_atomically(
        path, lambda temporary: temporary.write_bytes(data), may_replace=may_replace
    )


def existing_file(path: str | os.PathLike, what: str, error: type[Exception] = ValueError) -> Path:
    """``path`` (home expanded) if it names an existing file; else ``error`` naming ``what``."""
    file = Path(path).expanduser()
    if not file.exists():
        raise error(f"{what} {str(path)!r} does not exist")
    if not file.is_file():
        raise error(f"{what} {str(path)!r} is not a file")
    return file


def read_small_text(
    path: str | os.PathLike, what: str, max_bytes: int, error: type[Exception] = ValueError
) -> str:
    """The UTF-8 text of a small input file (a leading BOM dropped), remembered as an
    input so that no export overwrites it.

    Raises ``error`` naming the file and ``what`` it should be (e.g. ``"offset
    table"``) when it is larger than ``max_bytes``, cannot be read or is not text.
    """
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise error(f"{path.name} is larger than {max_bytes / 1e6:g} MB; not a {what}")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as problem:
        raise error(f"cannot read the {what} {quote(str(path))}: {problem.strerror}") from None
    except UnicodeDecodeError:
        raise error(f"{path.name} is not a text (UTF-8) {what}") from None
    remember_input(path, what)
    return text
