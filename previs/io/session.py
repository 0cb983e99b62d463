"""Saved sessions: the whole :class:`~previs.planning.plan.Plan` plus what the dashboard shows.

A configuration file is JSON with a ``previs_config`` version field::

    {
     "previs_config": 1,
     "plan": {"version": 1, "nirspec": {"ra": 53.1625, "dec": -27.7914, "apa": 45.0},
              "nircam": {...}, "dither": "FULL3", "mosaic": {...}, "channel": "short"},
     "image": "goodss.fits",          # null: example field; "previs:empty-sky": no image
     "catalog": "targets.radec",      # null: none; "previs:example": the bundled catalog
     "tie_orient": false,             # NIRCam APA follows the NIRSpec APA (same V3PA)
     "show": {"ifu_slits": true, "detectors": true, "uncovered": true,
              "primaries": true, "fillers": true},
     "click_target": "nircam",        # what a click on the image moves: nircam or nirspec
     "nircam_mode": null              # how the NIRCam centre is entered: same, offset, radec
    }

Reading is strict: an unknown key, a wrong type or an out-of-range value raises
:class:`ConfigError` (a ValueError) whose message names the file and the key
path (``session.json: show.fillers must be true or false, got 'yes'``). Missing
keys take their defaults; only ``previs_config`` is required, so that a JSON
file of another kind is not mistaken for a session.

Paths: :func:`load_config` resolves relative ``image`` and ``catalog`` paths
against the directory of the configuration file; :func:`save_config` writes
paths below that directory relative to it (so a folder can be sent to a
colleague) and others absolute. The file is written atomically.

NOVT YAML files (``.yaml`` / ``.yml``) are read by
:func:`previs.io.novt.read_novt_config` when PyYAML is installed; see its
docstring for the key mapping.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from previs._files import write_text_atomic
from previs.errors import ConfigError
from previs.planning.plan import Plan

__all__ = [
    "CLICK_TARGETS",
    "CONFIG_FORMAT_VERSION",
    "NIRCAM_MODES",
    "SHOW_KEYS",
    "Config",
    "ConfigError",
    "ShowFlags",
    "load_config",
    "save_config",
]

log = logging.getLogger(__name__)

CONFIG_FORMAT_VERSION = 1
SHOW_KEYS = ("ifu_slits", "detectors", "uncovered", "primaries", "fillers")
CLICK_TARGETS = ("nircam", "nirspec")
NIRCAM_MODES = ("same", "offset", "radec")
_TOP_KEYS = (
    "previs_config",
    "plan",
    "image",
    "catalog",
    "tie_orient",
    "show",
    "click_target",
    "nircam_mode",
)


@dataclass(frozen=True)
class ShowFlags:
    """Which overlays the dashboard draws (all True by default)."""

    ifu_slits: bool = True
    detectors: bool = True
    uncovered: bool = True
    primaries: bool = True
    fillers: bool = True

    def to_dict(self) -> dict[str, bool]:
        """``{key: bool}`` for every key of :data:`SHOW_KEYS`."""
        return {key: bool(getattr(self, key)) for key in SHOW_KEYS}


@dataclass(frozen=True)
class Config:
    """A saved session: the plan and the dashboard's view settings.

    Parameters
    ----------
    plan : Plan
        The observation plan.
    image : str or None
        Path of the FITS image shown; None (or ``"previs:example"``) for the
        bundled example field, ``"previs:empty-sky"`` for the empty sky grid.
    catalog : str or None
        Path of the source catalog; ``"previs:example"`` for the bundled example
        catalog; None for no catalog.
    tie_orient : bool
        Whether the NIRCam APA follows the NIRSpec APA at the same V3PA.
    show : ShowFlags
        Overlay toggles.
    click_target : {"nircam", "nirspec"}
        What a click on the image moves.
    nircam_mode : {"same", "offset", "radec"} or None
        How the dashboard enters the NIRCam centre (None: the dashboard decides
        from the plan).
    """

    plan: Plan = field(default_factory=Plan.centred)
    image: str | None = None
    catalog: str | None = None
    tie_orient: bool = False
    show: ShowFlags = field(default_factory=ShowFlags)
    click_target: str = "nircam"
    nircam_mode: str | None = None

    def catalog_file(self) -> str | None:
        """The catalog's path, with ``"previs:example"`` resolved to the bundled file."""
        if self.catalog == EXAMPLE:
            from previs.io.example_field import example_catalog_path

            return str(example_catalog_path())
        return self.catalog

    def __post_init__(self) -> None:
        if not isinstance(self.plan, Plan):
            raise ConfigError(f"config plan must be a Plan, got {type(self.plan).__name__}")
        if not isinstance(self.show, ShowFlags):
            raise ConfigError(f"config show must be ShowFlags, got {type(self.show).__name__}")
        for key in ("image", "catalog"):
            value = getattr(self, key)
            if isinstance(value, os.PathLike):
                value = os.fspath(value)
                object.__setattr__(self, key, value)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"config {key} must be a file path or None, got {value!r}")
        if self.click_target not in CLICK_TARGETS:
            raise ConfigError(
                f"config click_target must be one of {', '.join(CLICK_TARGETS)}, "
                f"got {self.click_target!r}"
            )
        if self.nircam_mode is not None and self.nircam_mode not in NIRCAM_MODES:
            raise ConfigError(
                f"config nircam_mode must be one of {', '.join(NIRCAM_MODES)} or None, "
                f"got {self.nircam_mode!r}"
            )
        object.__setattr__(self, "tie_orient", bool(self.tie_orient))

    @classmethod
    def from_plan(cls, plan: Plan, **settings: Any) -> Config:
        """A configuration holding ``plan`` with default view settings (or ``settings``)."""
        return cls(plan=plan, **settings)

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form with the ``previs_config`` version field."""
        return {
            "previs_config": CONFIG_FORMAT_VERSION,
            "plan": self.plan.to_dict(),
            "image": self.image,
            "catalog": self.catalog,
            "tie_orient": self.tie_orient,
            "show": self.show.to_dict(),
            "click_target": self.click_target,
            "nircam_mode": self.nircam_mode,
        }

    def to_json(self, indent: int | None = 1) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any, where: str = "config") -> Config:
        """Build a configuration from :meth:`to_dict` output, checking every key.

        Parameters
        ----------
        data : dict
            The parsed JSON.
        where : str
            Name used at the start of error messages, e.g. the file name.

        Raises
        ------
        ConfigError
            For an unknown key, a wrong type, an out-of-range value or a missing
            or unsupported ``previs_config`` version; the message names the key path.
        """
        if not isinstance(data, dict):
            raise ConfigError(
                f"{where}: a previs configuration must be a JSON object, got {_json_type(data)}"
            )
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(_TOP_KEYS))}"
            )
        if "previs_config" not in data:
            raise ConfigError(
                f"{where}: missing key 'previs_config' (the format version, "
                f"{CONFIG_FORMAT_VERSION}); is this a previs configuration file?"
            )
        version = data["previs_config"]
        if isinstance(version, bool) or version != CONFIG_FORMAT_VERSION:
            raise ConfigError(
                f"{where}: previs_config version {version!r} is not supported (this previs "
                f"reads version {CONFIG_FORMAT_VERSION})"
            )
        try:
            plan = Plan.from_dict(data.get("plan", {}), where=f"{where}: plan")
        except ValueError as error:
            raise ConfigError(str(error)) from None
        paths = {}
        for key in ("image", "catalog"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(
                    f"{where}: {key} must be a file path (a non-empty string) or null, "
                    f"got {value!r}"
                )
            paths[key] = value
        tie_orient = _boolean(data.get("tie_orient", False), where, "tie_orient")
        show_raw = data.get("show", {})
        if not isinstance(show_raw, dict):
            raise ConfigError(
                f"{where}: show must be an object with keys {', '.join(SHOW_KEYS)}, got "
                f"{_json_type(show_raw)}"
            )
        unknown = sorted(set(show_raw) - set(SHOW_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown key 'show.{unknown[0]}'; valid keys: "
                + ", ".join(f"show.{key}" for key in SHOW_KEYS)
            )
        show = ShowFlags(
            **{key: _boolean(value, where, f"show.{key}") for key, value in show_raw.items()}
        )
        click_target = _choice(
            data.get("click_target", "nircam"), CLICK_TARGETS, where, "click_target"
        )
        nircam_mode = data.get("nircam_mode")
        if nircam_mode is not None:
            nircam_mode = _choice(nircam_mode, NIRCAM_MODES, where, "nircam_mode")
        return cls(
            plan=plan,
            image=paths["image"],
            catalog=paths["catalog"],
            tie_orient=tie_orient,
            show=show,
            click_target=click_target,
            nircam_mode=nircam_mode,
        )

    @classmethod
    def from_json(cls, text: str, where: str = "config") -> Config:
        """Parse JSON text produced by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{where}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from None
        return cls.from_dict(data, where)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    for kind, name in names.items():
        if isinstance(value, kind):
            return f"{name} ({value!r})" if kind in (str, bool) else name
    return f"{type(value).__name__} {value!r}"


def _boolean(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false, got {value!r}")
    return value


def _choice(value: Any, choices: tuple[str, ...], where: str, key: str) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, got {value!r}")
    return value.strip().lower()


# ---------------------------------------------------------------------------
# Files


def _check_file(path: str | os.PathLike, what: str) -> Path:
    file = Path(path).expanduser()
    if not file.exists():
        raise ConfigError(f"{what} {str(path)!r} does not exist")
    if not file.is_file():
        raise ConfigError(f"{what} {str(path)!r} is not a file")
    return file


EXAMPLE = "previs:example"
"""Stands for the bundled example (image or catalog) in a saved configuration, so the
file works on any machine whatever the install path."""
EMPTY_SKY = "previs:empty-sky"
"""``image`` value for the empty RA/Dec grid (no image); ``null`` means the example field."""
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
    """Read a configuration file.

    ``.yaml`` / ``.yml`` files are read as NOVT configurations with
    :func:`previs.io.novt.read_novt_config` (its notes on ignored keys are
    logged as warnings);
    anything else as previs JSON. Relative ``image`` and ``catalog`` paths are
    resolved against the file's directory.

    Raises
    ------
    ConfigError
        When the file is missing or unreadable, not valid JSON, or invalid (the
        message names the file and the key).
    """
    file = _check_file(path, "configuration file")
    if file.suffix.lower() in (".yaml", ".yml"):
        from previs.io.novt import read_novt_config

        imported = read_novt_config(file)
        for note in imported.warnings:
            log.warning("%s", note)
        return imported.config
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{file}: cannot read the configuration ({error})") from None
    config = Config.from_json(text, where=str(path))
    directory = Path(os.path.abspath(file)).parent
    return config.replace(
        image=_resolve(config.image, directory), catalog=_resolve(config.catalog, directory)
    )


def save_config(config: Config, path: str | os.PathLike, relative_paths: bool = True) -> Path:
    """Write ``config`` as JSON to ``path`` atomically; returns the path.

    With ``relative_paths`` (default) image and catalog paths inside the
    configuration's directory are written relative to it, others absolute.
    """
    if not isinstance(config, Config):
        raise ValueError(f"save_config needs a Config, got {type(config).__name__}")
    directory = Path(os.path.abspath(Path(path).expanduser())).parent
    if relative_paths:
        config = config.replace(
            image=_relative(config.image, directory), catalog=_relative(config.catalog, directory)
        )
    return write_text_atomic(path, config.to_json() + "\n")
