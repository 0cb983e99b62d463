"""The observation plan: one frozen description of NIRSpec and NIRCam pointings and setup.

A :class:`Plan` round-trips through a plain dict / JSON (``to_dict`` /
``from_dict``), which is what configuration files, the CLI and the dashboard
exchange. :func:`evaluate` turns a plan into footprints and MSA coverage.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

from previs.geometry.attitude import Pointing, v3pa_from_apa
from previs.geometry.coverage import Coverage, compute_coverage, nircam_apa_for
from previs.geometry.footprints import Footprint, check_channel, nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic, canonical_dither
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture, siaf_version

PLAN_FORMAT_VERSION = 1

# GOODS-S, a deep field often targeted by NIRSpec MOS: the bundled example's centre.
DEFAULT_RA = 53.1625
DEFAULT_DEC = -27.7914
DEFAULT_NIRSPEC_APA = 45.0


@dataclass(frozen=True)
class Plan:
    """Everything that defines a pre-imaging + spectroscopy footprint.

    Parameters
    ----------
    nirspec : Pointing
        NRS_FULL_MSA pointing (RA, Dec, APA in degrees) of the spectroscopy.
    nircam : Pointing
        NRCALL_FULL pointing (RA, Dec, APA in degrees) of the pre-imaging.
    dither : str
        NIRCam dither pattern (``NONE``, ``FULL3``, ``FULL3TIGHT``, ``FULL6``, ``8NIRSPEC``).
    mosaic : Mosaic
        NIRCam mosaic tiles.
    channel : str
        NIRCam channel whose detectors are evaluated: ``"short"`` or ``"long"``.
    """

    nirspec: Pointing
    nircam: Pointing
    dither: str = "NONE"
    mosaic: Mosaic = field(default_factory=Mosaic)
    channel: str = "short"

    def __post_init__(self) -> None:
        object.__setattr__(self, "dither", canonical_dither(self.dither))
        object.__setattr__(self, "channel", check_channel(self.channel))

    @classmethod
    def centred(
        cls,
        ra: float = DEFAULT_RA,
        dec: float = DEFAULT_DEC,
        nirspec_apa: float = DEFAULT_NIRSPEC_APA,
        nircam_apa: float | None = None,
        **kwargs: Any,
    ) -> Plan:
        """Both instruments on (ra, dec); NIRCam at the same V3PA unless ``nircam_apa`` is given."""
        if nircam_apa is None:
            nircam_apa = nircam_apa_for(float(nirspec_apa))
        return cls(Pointing(ra, dec, nirspec_apa), Pointing(ra, dec, nircam_apa), **kwargs)

    @property
    def nirspec_v3pa(self) -> float:
        """V3 position angle (deg, [0, 360)) of the spectroscopy."""
        return v3pa_from_apa(self.nirspec.apa, get_aperture(NIRSPEC_REFERENCE).v3_idl_yang)

    @property
    def nircam_v3pa(self) -> float:
        """V3 position angle (deg, [0, 360)) of the pre-imaging."""
        return v3pa_from_apa(self.nircam.apa, get_aperture(NIRCAM_REFERENCE).v3_idl_yang)

    def replace(self, **changes: Any) -> Plan:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, with a ``version`` field."""
        return {
            "version": PLAN_FORMAT_VERSION,
            "nirspec": self.nirspec.to_dict(),
            "nircam": self.nircam.to_dict(),
            "dither": self.dither,
            "mosaic": self.mosaic.to_dict(),
            "channel": self.channel,
        }

    def to_json(self, indent: int | None = 1) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any, where: str = "plan") -> Plan:
        """Build a plan from :meth:`to_dict` output, checking every key, type and range.

        Missing keys take their defaults; an unknown key, a wrong type or an
        out-of-range value raises ValueError naming it (``where`` prefixes the
        message, e.g. the configuration file's name).
        """
        section = _mapping(data, where)
        _reject_unknown(
            section, {"version", "nirspec", "nircam", "dither", "mosaic", "channel"}, where
        )
        version = section.get("version", PLAN_FORMAT_VERSION)
        if version != PLAN_FORMAT_VERSION:
            raise ValueError(
                f"{where}: version {version!r} is not supported (this previs reads version "
                f"{PLAN_FORMAT_VERSION})"
            )
        nirspec = _pointing(section.get("nirspec"), f"{where}.nirspec", DEFAULT_NIRSPEC_APA)
        default_nircam = {"ra": nirspec.ra, "dec": nirspec.dec, "apa": nircam_apa_for(nirspec.apa)}
        nircam_raw = section.get("nircam", default_nircam)
        nircam = _pointing(
            {**default_nircam, **_mapping(nircam_raw, f"{where}.nircam")},
            f"{where}.nircam",
            default_nircam["apa"],
        )
        mosaic_raw = _mapping(section.get("mosaic", {}), f"{where}.mosaic")
        _reject_unknown(
            mosaic_raw, {"rows", "columns", "row_overlap", "column_overlap"}, f"{where}.mosaic"
        )
        for key in ("rows", "columns"):
            if key in mosaic_raw:
                _integer(mosaic_raw[key], f"{where}.mosaic.{key}")
        for key in ("row_overlap", "column_overlap"):
            if key in mosaic_raw:
                _number(mosaic_raw[key], f"{where}.mosaic.{key}")
        try:
            mosaic = Mosaic(**mosaic_raw)
            dither = _string(section.get("dither", "NONE"), f"{where}.dither")
            channel = _string(section.get("channel", "short"), f"{where}.channel")
            return cls(nirspec, nircam, dither, mosaic, channel)
        except ValueError as error:
            message = str(error)
            raise ValueError(
                message if message.startswith(where) else f"{where}: {message}"
            ) from None

    @classmethod
    def from_json(cls, text: str, where: str = "plan") -> Plan:
        """Parse JSON text produced by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not valid JSON ({error})") from None
        return cls.from_dict(data, where)


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a mapping of keys to values, got {type(value).__name__}")
    return value


def _reject_unknown(section: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(allowed))}"
        )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    return float(value)


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} must be a whole number, got {value!r}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string, got {value!r}")
    return value


def _pointing(value: Any, where: str, default_apa: float) -> Pointing:
    section = _mapping(value if value is not None else {}, where)
    _reject_unknown(section, {"ra", "dec", "apa"}, where)
    ra = _number(section.get("ra", DEFAULT_RA), f"{where}.ra")
    dec = _number(section.get("dec", DEFAULT_DEC), f"{where}.dec")
    apa = _number(section.get("apa", default_apa), f"{where}.apa")
    if not -90.0 <= dec <= 90.0:
        raise ValueError(f"{where}.dec must lie between -90 and +90 degrees, got {dec:g}")
    return Pointing(ra, dec, apa)


@dataclass(frozen=True, eq=False)
class Result:
    """What a plan gives: footprints on the sky and the MSA coverage.

    Attributes
    ----------
    plan : Plan
        The evaluated plan.
    nirspec : Footprint
        MSA quadrants, IFU and fixed slits.
    nircam : Footprint
        NIRCam detectors of the plan's channel for every exposure.
    coverage : Coverage
        MSA coverage by that channel.
    siaf_version : str
        SIAF PRD version of the geometry.
    """

    plan: Plan
    nirspec: Footprint
    nircam: Footprint
    coverage: Coverage
    siaf_version: str


def evaluate(plan: Plan, max_depth: int = 3) -> Result:
    """Footprints and coverage of a plan.

    ``max_depth`` (1-3) is the deepest coverage level computed; 1 is quicker
    when only the covered fraction is needed.
    """
    nircam = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    return Result(
        plan=plan,
        nirspec=nirspec_footprint(plan.nirspec),
        nircam=nircam,
        coverage=compute_coverage(plan.nirspec, nircam, max_depth),
        siaf_version=siaf_version(),
    )
