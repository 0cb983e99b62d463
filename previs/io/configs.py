"""Session files on disk: previs JSON sessions and NOVT YAML configurations.

:func:`load_config` picks the reader by suffix (``.yaml`` / ``.yml``: NOVT, read
by :mod:`previs.io.novt`; anything else: a previs JSON session,
:class:`previs.io.session.Config`) and resolves relative ``image``, ``catalog``
and ``msaoper`` paths against the file's folder. :func:`save_config` writes paths
below that folder relative to it (so a folder can be sent to a colleague) and
others absolute, atomically.

Layer: io. The one module that knows both formats, so neither imports the other.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from previs._files import existing_file, remember_input, write_text_atomic
from previs.errors import ConfigError
from previs.io.session import EMPTY_SKY, EXAMPLE, Config

__all__ = ["NOVT_SUFFIXES", "load_config", "resolve_paths", "save_config"]

log = logging.getLogger(__name__)

NOVT_SUFFIXES = (".yaml", ".yml")
#: A session file is a few kilobytes; refuse reading anything much larger.
MAX_SESSION_BYTES = 4 * 2**20
_MARKERS = (EXAMPLE, EMPTY_SKY)


def _resolve(value: str | None, directory: Path) -> str | None:
    if value is None or value in _MARKERS:
        return value
    candidate = Path(value).expanduser()
    if not candidate.is_absolute():
        candidate = directory / candidate
    return os.path.normpath(str(candidate))


def _relative(value: str | None, directory: Path) -> str | None:
    if value is None or value in _MARKERS:
        return value
    absolute = Path(os.path.abspath(Path(value).expanduser()))
    from previs.io.example_field import example_catalog_path

    if absolute == Path(os.path.abspath(example_catalog_path())):
        return EXAMPLE
    try:
        return absolute.relative_to(directory).as_posix()
    except ValueError:
        return str(absolute)


def load_config(path: str | os.PathLike) -> Config:
    """Read a session file: previs JSON, or NOVT YAML (``.yaml`` / ``.yml``).

    NOVT's notes on keys previs does not use are logged as warnings. Relative
    ``image``, ``catalog``, ``msaoper`` and APT paths are resolved against the
    file's directory (:func:`resolve_paths`).

    Raises
    ------
    ConfigError
        When the file is missing or unreadable, not valid JSON/YAML, or invalid
        (the message names the file and the key).
    """
    file = existing_file(path, "configuration file", ConfigError)
    remember_input(file, "session")
    if file.suffix.lower() in NOVT_SUFFIXES:
        from previs.io.novt import read_novt_config

        imported = read_novt_config(file)
        for note in imported.warnings:
            log.warning("%s", note)
        return imported.config
    try:
        size = file.stat().st_size
        if size > MAX_SESSION_BYTES:
            raise ConfigError(
                f"{path}: {size} bytes is too large for a previs session "
                f"(at most {MAX_SESSION_BYTES // 2**20} MiB)"
            )
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{file}: cannot read the configuration ({error})") from None
    config = Config.from_json(text, where=str(path))
    return resolve_paths(config, Path(os.path.abspath(file)).parent)


def resolve_paths(config: Config, directory: str | os.PathLike) -> Config:
    """``config`` with its relative ``image``, ``catalog``, ``msaoper`` and APT file
    paths made absolute from ``directory`` (``~`` expanded; the bundled-example and
    empty-sky markers kept): what :func:`load_config` does with the file's folder,
    and the dashboard with the current folder for an uploaded session."""
    directory = Path(os.path.abspath(Path(directory).expanduser()))
    return config.replace(
        image=_resolve(config.image, directory),
        catalog=_resolve(config.catalog, directory),
        msaoper=_resolve(config.msaoper, directory),
        apt=_apt_path(config.apt, _resolve, directory),
    )


def save_config(config: Config, path: str | os.PathLike, relative_paths: bool = True) -> Path:
    """Write ``config`` as JSON to ``path`` atomically; returns the path.

    With ``relative_paths`` (default) image and catalog paths inside the
    configuration's directory are written relative to it, others absolute.
    """
    if not isinstance(config, Config):
        raise ConfigError(f"save_config needs a Config, got {type(config).__name__}")
    directory = Path(os.path.abspath(Path(path).expanduser())).parent
    if relative_paths:
        config = config.replace(
            image=_relative(config.image, directory),
            catalog=_relative(config.catalog, directory),
            msaoper=_relative(config.msaoper, directory),
            apt=_apt_path(config.apt, _relative, directory),
        )
    return write_text_atomic(path, config.to_json() + "\n", may_replace={"session"})


def _apt_path(apt, convert, directory: Path):
    """``apt`` (an AptSelection or None) with its file path converted like ``image``'s."""
    if apt is None:
        return None
    from dataclasses import replace

    return replace(apt, file=convert(apt.file, directory))
