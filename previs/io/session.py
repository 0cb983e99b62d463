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
     "nircam_mode": null,             # how the NIRCam centre is entered: same, offset, radec
     "display": {"stretch": "asinh", "limits_percent": [0.5, 99.7], "cmap": "gray",
                 "nirspec_colour": "#27d3ff", "nircam_colour": "#ff9e26",
                 "fill_opacity": 0.1, "both_channels": false},
     "schedule": {"imaging_date": "2028-08-10", "nirspec_start": "2028-10-20",
                  "nirspec_end": null, "delivery_delay_days": 0, "nircam_roll": 0.0},
     "msaoper": "jwst_nirspec_msaoper_0042.json",  # optional: which shutters work
     "coverage_from": "image",        # optional: the readout follows the image's valid data
     "apt": {"file": "program.pointing", "nircam_observation": 1, "nirspec_observation": 2}
    }

``msaoper`` (optional, written only when set, so older previs versions still
read the file) names a CRDS ``jwst_nirspec_msaoper_*.json`` operability map to
use instead of the bundled snapshot: a choice of the session, not of the plan.
``coverage_from`` (optional, written only as ``"image"``; default ``"planned"``)
says the dashboard's coverage came from the image shown rather than the planned
NIRCam exposures. ``apt`` (optional, :class:`~previs.io.session_apt.AptSelection`)
names the APT program the plan's exposures and pointings came from and the
observations picked in it.

The plan's part is :class:`~previs.planning.plan.Plan`'s own JSON (with the
allowed NIRSpec APA range); the view's part (``tie_orient``, ``show``,
``click_target``, ``nircam_mode``, ``display``: image stretch and overlay
colours, ``schedule``: the Schedule tab's dates) is a :class:`ViewSettings`,
which only the dashboard reads. ``display`` and ``schedule`` are written only
when they differ from the defaults, and files without them read as before.

Reading is strict: an unknown key, a wrong type or an out-of-range value raises
:class:`ConfigError` (a PrevisError) whose message names the file and the key
path (``session.json: show.fillers must be true or false, got 'yes'``). Missing
keys take their defaults; only ``previs_config`` is required, so that a JSON
file of another kind is not mistaken for a session.

Files: :func:`previs.io.configs.load_config` and
:func:`~previs.io.configs.save_config` read and write them (and NOVT YAML),
resolving relative ``image`` and ``catalog`` paths against the file's folder.

Layer: io.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

import previs._validate as check
from previs.errors import ConfigError, PrevisError, quote
from previs.io.session_apt import AptSelection
from previs.planning.plan import Plan

__all__ = [
    "CLICK_TARGETS",
    "COLOUR_MAPS",
    "CONFIG_FORMAT_VERSION",
    "COVERAGE_SOURCES",
    "DisplaySettings",
    "STRETCHES",
    "ScheduleDates",
    "NIRCAM_MODES",
    "SHOW_KEYS",
    "Config",
    "EMPTY_SKY",
    "EXAMPLE",
    "ShowFlags",
    "ViewSettings",
]

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
    "display",
    "schedule",
    "msaoper",
    "coverage_from",
    "apt",
)
#: Where a session's coverage comes from: the planned NIRCam exposures or the image shown.
COVERAGE_SOURCES = ("planned", "image")
#: Image stretches the dashboard offers (see :class:`DisplaySettings`).
STRETCHES = ("linear", "log", "asinh")
#: Colour maps the dashboard offers for the image.
COLOUR_MAPS = ("gray", "gray_r", "viridis", "magma", "cividis")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class DisplaySettings:
    """How the image and the overlay are drawn (nothing here changes the coverage).

    Parameters
    ----------
    stretch : {"linear", "log", "asinh"}
        Brightness scale of the image between the display limits.
    limits_percent : (float, float)
        Display limits as percentiles of the image's pixels (low < high, 0-100).
    cmap : str
        Colour map of the image, one of :data:`COLOUR_MAPS`.
    nirspec_colour, nircam_colour : str
        Outline colours (``#rrggbb``) of the NIRSpec apertures and NIRCam detectors.
    fill_opacity : float
        Opacity (0-1) of the NIRCam detectors' fill.
    both_channels : bool
        Also draw the other NIRCam channel's detectors (dashed).
    """

    stretch: str = "asinh"
    limits_percent: tuple[float, float] = (0.5, 99.7)
    cmap: str = "gray"
    nirspec_colour: str = "#27d3ff"
    nircam_colour: str = "#ff9e26"
    fill_opacity: float = 0.10
    both_channels: bool = False

    def __post_init__(self) -> None:
        self._check("display")

    def _check(self, where: str) -> None:
        set_ = object.__setattr__
        set_(
            self, "stretch", check.choice(self.stretch, STRETCHES, f"{where}.stretch", ConfigError)
        )
        set_(self, "cmap", check.choice(self.cmap, COLOUR_MAPS, f"{where}.cmap", ConfigError))
        limits = self.limits_percent
        if not isinstance(limits, (list, tuple)) or len(limits) != 2:
            raise ConfigError(
                f"{where}.limits_percent must be [low, high] percentiles, got {quote(limits)}"
            )
        low, high = (
            check.finite_number(v, f"{where}.limits_percent", "percent", ConfigError)
            for v in limits
        )
        if not 0.0 <= low < high <= 100.0:
            raise ConfigError(
                f"{where}.limits_percent must satisfy 0 <= low < high <= 100, got {quote(limits)}"
            )
        set_(self, "limits_percent", (low, high))
        for key in ("nirspec_colour", "nircam_colour"):
            value = getattr(self, key)
            if not isinstance(value, str) or not _HEX_COLOUR.match(value):
                raise ConfigError(f"{where}.{key} must be a colour #rrggbb, got {quote(value)}")
            set_(self, key, value.lower())
        opacity = check.finite_number(self.fill_opacity, f"{where}.fill_opacity", "", ConfigError)
        if not 0.0 <= opacity <= 1.0:
            raise ConfigError(f"{where}.fill_opacity must be from 0 to 1, got {quote(opacity)}")
        set_(self, "fill_opacity", opacity)
        set_(self, "both_channels", check.boolean(self.both_channels, f"{where}.both_channels",
                                                  ConfigError))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The session file's ``display`` object."""
        return {
            "stretch": self.stretch,
            "limits_percent": list(self.limits_percent),
            "cmap": self.cmap,
            "nirspec_colour": self.nirspec_colour,
            "nircam_colour": self.nircam_colour,
            "fill_opacity": self.fill_opacity,
            "both_channels": self.both_channels,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> DisplaySettings:
        """Read a ``display`` object (missing keys: defaults)."""
        data = check.mapping(data, where, ConfigError)
        check.reject_unknown(data, set(cls().to_dict()), where, ConfigError)
        try:
            return cls(**{k: tuple(v) if k == "limits_percent" and isinstance(v, list) else v
                          for k, v in data.items()})  # fmt: skip
        except ConfigError as error:
            raise ConfigError(
                f"{where}: {error}".replace(f"{where}: display.", f"{where}.")
            ) from None


@dataclass(frozen=True)
class ScheduleDates:
    """The Schedule tab's inputs: pre-imaging date, NIRSpec window, delivery delay, roll.

    Dates are ISO strings (``YYYY-MM-DD``) or None (not chosen; an open window end).
    """

    imaging_date: str | None = None
    nirspec_start: str | None = None
    nirspec_end: str | None = None
    delivery_delay_days: int = 0
    nircam_roll: float = 0.0

    def __post_init__(self) -> None:
        import datetime as _dt

        for key in ("imaging_date", "nirspec_start", "nirspec_end"):
            value = getattr(self, key)
            if isinstance(value, _dt.date):
                object.__setattr__(self, key, value.isoformat())
            elif value is not None:
                try:
                    _dt.date.fromisoformat(str(value))
                except ValueError:
                    raise ConfigError(
                        f"schedule.{key} must be a date YYYY-MM-DD or null, got {quote(value)}"
                    ) from None
        delay = check.integer(self.delivery_delay_days, "schedule.delivery_delay_days", ConfigError)
        if not 0 <= delay <= 365:
            raise ConfigError(f"schedule.delivery_delay_days must be 0-365, got {delay}")
        object.__setattr__(
            self,
            "nircam_roll",
            check.finite_number(self.nircam_roll, "schedule.nircam_roll", "degrees", ConfigError),
        )

    def to_dict(self) -> dict[str, Any]:
        """The session file's ``schedule`` object."""
        return {
            "imaging_date": self.imaging_date,
            "nirspec_start": self.nirspec_start,
            "nirspec_end": self.nirspec_end,
            "delivery_delay_days": self.delivery_delay_days,
            "nircam_roll": self.nircam_roll,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> ScheduleDates:
        """Read a ``schedule`` object (missing keys: defaults)."""
        data = check.mapping(data, where, ConfigError)
        check.reject_unknown(data, set(cls().to_dict()), where, ConfigError)
        try:
            return cls(**data)
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None


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
class ViewSettings:
    """How the dashboard shows a plan: nothing here changes what the plan covers.

    Parameters
    ----------
    tie_orient : bool
        Whether the NIRCam APA follows the NIRSpec APA at the same V3PA.
    show : ShowFlags
        Overlay toggles.
    click_target : {"nircam", "nirspec"}
        What a click on the image moves.
    nircam_mode : {"same", "offset", "radec"} or None
        How the dashboard enters the NIRCam centre (None: the dashboard decides
        from the plan).
    display : DisplaySettings
        Image stretch, colour map and overlay colours.
    schedule : ScheduleDates or None
        The Schedule tab's dates (None: the tab proposes its own).
    """

    tie_orient: bool = False
    show: ShowFlags = field(default_factory=ShowFlags)
    click_target: str = "nircam"
    nircam_mode: str | None = None
    display: DisplaySettings = field(default_factory=DisplaySettings)
    schedule: ScheduleDates | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.show, ShowFlags):
            raise ConfigError(f"view show must be ShowFlags, got {type(self.show).__name__}")
        object.__setattr__(
            self,
            "click_target",
            check.choice(self.click_target, CLICK_TARGETS, "click_target", ConfigError),
        )
        if self.nircam_mode is not None:
            object.__setattr__(
                self,
                "nircam_mode",
                check.choice(self.nircam_mode, NIRCAM_MODES, "nircam_mode", ConfigError),
            )
        object.__setattr__(self, "tie_orient", bool(self.tie_orient))
        if not isinstance(self.display, DisplaySettings):
            raise ConfigError(
                f"view display must be DisplaySettings, got {type(self.display).__name__}"
            )
        if self.schedule is not None and not isinstance(self.schedule, ScheduleDates):
            raise ConfigError(
                f"view schedule must be ScheduleDates or None, got {type(self.schedule).__name__}"
            )

    def replace(self, **changes: Any) -> ViewSettings:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The session file's view keys (``display`` and ``schedule`` only when set, so
        that previs versions without them still read the file)."""
        data = {
            "tie_orient": self.tie_orient,
            "show": self.show.to_dict(),
            "click_target": self.click_target,
            "nircam_mode": self.nircam_mode,
        }
        if self.display != DisplaySettings():
            data["display"] = self.display.to_dict()
        if self.schedule is not None:
            data["schedule"] = self.schedule.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict, where: str) -> ViewSettings:
        """The view keys of a session file's top-level object (missing keys: defaults)."""
        tie_orient = check.boolean(
            data.get("tie_orient", False), f"{where}: tie_orient", ConfigError
        )
        show_raw = check.keyed_object(data.get("show", {}), SHOW_KEYS, where, "show", ConfigError)
        show = ShowFlags(
            **{
                key: check.boolean(value, f"{where}: show.{key}", ConfigError)
                for key, value in show_raw.items()
            }
        )
        click_target = check.choice(
            data.get("click_target", "nircam"), CLICK_TARGETS, f"{where}: click_target", ConfigError
        )
        nircam_mode = data.get("nircam_mode")
        if nircam_mode is not None:
            nircam_mode = check.choice(
                nircam_mode, NIRCAM_MODES, f"{where}: nircam_mode", ConfigError
            )
        display = DisplaySettings.from_dict(data.get("display", {}), f"{where}: display")
        schedule = data.get("schedule")
        if schedule is not None:
            schedule = ScheduleDates.from_dict(schedule, f"{where}: schedule")
        return cls(tie_orient, show, click_target, nircam_mode, display, schedule)


@dataclass(frozen=True)
class Config:
    """A saved session: the plan, the image and catalog shown, and the view settings.

    Parameters
    ----------
    plan : Plan
        The observation plan (with its allowed NIRSpec APA range, if any).
    image : str or None
        Path of the FITS image shown; None (or ``"previs:example"``) for the
        bundled example field, ``"previs:empty-sky"`` for the empty sky grid.
    catalog : str or None
        Path of the source catalog; ``"previs:example"`` for the bundled example
        catalog; None for no catalog.
    view : ViewSettings
        How the dashboard shows it.
    msaoper : str or None
        Path of a CRDS ``jwst_nirspec_msaoper_*.json`` to use as the operability
        map; None for the bundled snapshot.
    coverage_from : {"planned", "image"}
        Whether the coverage shown is the planned NIRCam exposures' or the image's.
    apt : AptSelection or None
        The APT program the plan came from and the observations picked in it.
    """

    plan: Plan = field(default_factory=Plan.centred)
    image: str | None = None
    catalog: str | None = None
    view: ViewSettings = field(default_factory=ViewSettings)
    msaoper: str | None = None
    coverage_from: str = "planned"
    apt: AptSelection | None = None

    def catalog_file(self) -> str | None:
        """The catalog's path, with ``"previs:example"`` resolved to the bundled file."""
        if self.catalog == EXAMPLE:
            from previs.io.example_field import example_catalog_path

            return str(example_catalog_path())
        return self.catalog

    def __post_init__(self) -> None:
        if not isinstance(self.plan, Plan):
            raise ConfigError(f"config plan must be a Plan, got {type(self.plan).__name__}")
        if not isinstance(self.view, ViewSettings):
            raise ConfigError(f"config view must be ViewSettings, got {type(self.view).__name__}")
        for key in ("image", "catalog", "msaoper"):
            value = getattr(self, key)
            if isinstance(value, os.PathLike):
                value = os.fspath(value)
                object.__setattr__(self, key, value)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"config {key} must be a file path or None, got {quote(value)}")
        object.__setattr__(
            self,
            "coverage_from",
            check.choice(self.coverage_from, COVERAGE_SOURCES, "config coverage_from", ConfigError),
        )
        if self.apt is not None and not isinstance(self.apt, AptSelection):
            raise ConfigError(f"config apt must be an AptSelection, got {type(self.apt).__name__}")

    @classmethod
    def from_plan(cls, plan: Plan, **settings: Any) -> Config:
        """A configuration holding ``plan`` with default view settings (or ``settings``)."""
        return cls(plan=plan, **settings)

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form with the ``previs_config`` version field (``msaoper``,
        ``coverage_from`` and ``apt`` only when set, so older previs still read it)."""
        data = {
            "previs_config": CONFIG_FORMAT_VERSION,
            "plan": self.plan.to_dict(),
            "image": self.image,
            "catalog": self.catalog,
            **self.view.to_dict(),
        }
        if self.msaoper is not None:
            data["msaoper"] = self.msaoper
        if self.coverage_from != "planned":
            data["coverage_from"] = self.coverage_from
        if self.apt is not None:
            data["apt"] = self.apt.to_dict()
        return data

    def operability(self):
        """The :class:`~previs.geometry.operability.OperabilityMap` of this session: the
        ``msaoper`` file read, or the bundled snapshot."""
        from previs.geometry.operability import resolve_operability

        return resolve_operability(self.msaoper)

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
                f"{where}: a previs configuration must be a JSON object, got {check.describe(data)}"
            )
        check.reject_unknown(data, _TOP_KEYS, where, ConfigError)
        if "previs_config" not in data:
            raise ConfigError(
                f"{where}: missing key 'previs_config' (the format version, "
                f"{CONFIG_FORMAT_VERSION}); is this a previs configuration file?"
            )
        version = data["previs_config"]
        if isinstance(version, bool) or version != CONFIG_FORMAT_VERSION:
            raise ConfigError(
                f"{where}: previs_config version {quote(version)} is not supported (this previs "
                f"reads version {CONFIG_FORMAT_VERSION})"
            )
        try:
            plan = Plan.from_dict(data.get("plan", {}), where=f"{where}: plan")
        except PrevisError as error:
            raise ConfigError(str(error)) from None
        paths = {}
        for key in ("image", "catalog", "msaoper"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(
                    f"{where}: {key} must be a file path (a non-empty string) or null, "
                    f"got {quote(value)}"
                )
            paths[key] = value
        coverage_from = check.choice(
            data.get("coverage_from", "planned"),
            COVERAGE_SOURCES,
            f"{where}: coverage_from",
            ConfigError,
        )
        apt = data.get("apt")
        return cls(
            plan=plan,
            image=paths["image"],
            catalog=paths["catalog"],
            view=ViewSettings.from_dict(data, where),
            msaoper=paths["msaoper"],
            coverage_from=coverage_from,
            apt=None if apt is None else AptSelection.from_dict(apt, where),
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
        except RecursionError:
            raise ConfigError(
                f"{where}: JSON nested too deeply to be a previs configuration"
            ) from None
        return cls.from_dict(data, where)


EXAMPLE = "previs:example"
"""Stands for the bundled example (image or catalog) in a saved configuration, so the
file works on any machine whatever the install path."""
EMPTY_SKY = "previs:empty-sky"
"""``image`` value for the empty RA/Dec grid (no image); ``null`` means the example field."""
_MARKERS = (EXAMPLE, EMPTY_SKY)
