"""The observation plan: one frozen description of NIRSpec and NIRCam pointings and setup.

A :class:`Plan` round-trips through a plain dict / JSON (``to_dict`` /
``from_dict``), which is what configuration files, the CLI and the dashboard
exchange. :func:`evaluate` turns a plan into a :class:`Result`: footprints, MSA
coverage by the plan's NIRCam channel (and, when asked, by the other one) and,
when the plan has an allowed NIRSpec APA range, the worst case over it.

Layer: planning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import previs._validate as check
from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing, nircam_apa_for, v3pa_from_apa
from previs.geometry.coverage import Coverage, compute_coverage
from previs.geometry.footprints import Footprint, check_channel, nircam_footprint, nirspec_footprint
from previs.geometry.patterns import Mosaic, canonical_dither
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture, siaf_version
from previs.planning.sweep import WorstCase, WorstCaseTracker, worst_case_coverage

PLAN_FORMAT_VERSION = 1

# GOODS-S, a deep field often targeted by NIRSpec MOS: the bundled example's centre.
DEFAULT_RA = 53.1625
DEFAULT_DEC = -27.7914
DEFAULT_NIRSPEC_APA = 45.0

_PLAN_KEYS = {"version", "nirspec", "nircam", "dither", "mosaic", "channel", "nirspec_apa_range"}


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
    nirspec_apa_range : ApaArc or (float, float), optional
        The NIRSpec APAs the schedulers may assign, as a ``(min, max)`` arc in
        degrees (``min > max`` crosses 0; ``(0, 360)``: any angle). With it,
        :func:`evaluate` also gives the worst-case coverage over that range.
    """

    nirspec: Pointing
    nircam: Pointing
    dither: str = "NONE"
    mosaic: Mosaic = field(default_factory=Mosaic)
    channel: str = "short"
    nirspec_apa_range: ApaArc | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dither", canonical_dither(self.dither))
        object.__setattr__(self, "channel", check_channel(self.channel))
        arc = self.nirspec_apa_range
        if arc is not None and not isinstance(arc, ApaArc):
            arc = ApaArc.from_range(arc, "NIRSpec APA range")
            object.__setattr__(self, "nirspec_apa_range", arc)

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

    @property
    def other_channel(self) -> str:
        """The NIRCam channel the plan does not evaluate (both see the same field)."""
        return "long" if self.channel == "short" else "short"

    def replace(self, **changes: Any) -> Plan:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, with a ``version`` field (``nirspec_apa_range`` only when set)."""
        data = {
            "version": PLAN_FORMAT_VERSION,
            "nirspec": self.nirspec.to_dict(),
            "nircam": self.nircam.to_dict(),
            "dither": self.dither,
            "mosaic": self.mosaic.to_dict(),
            "channel": self.channel,
        }
        if self.nirspec_apa_range is not None:
            data["nirspec_apa_range"] = list(self.nirspec_apa_range.as_range())
        return data

    def to_json(self, indent: int | None = 1) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any, where: str = "plan") -> Plan:
        """Build a plan from :meth:`to_dict` output, checking every key, type and range.

        Missing keys take their defaults; an unknown key, a wrong type or an
        out-of-range value raises :class:`~previs.errors.PrevisError` naming it
        (``where`` prefixes the message, e.g. the configuration file's name).
        """
        section = check.mapping(data, where)
        check.reject_unknown(section, _PLAN_KEYS, where)
        version = section.get("version", PLAN_FORMAT_VERSION)
        if isinstance(version, bool) or version != PLAN_FORMAT_VERSION:
            raise PrevisError(
                f"{where}: version {quote(version)} is not supported (this previs reads version "
                f"{PLAN_FORMAT_VERSION})"
            )
        nirspec = _pointing(section.get("nirspec"), f"{where}.nirspec", DEFAULT_NIRSPEC_APA)
        default_nircam = {"ra": nirspec.ra, "dec": nirspec.dec, "apa": nircam_apa_for(nirspec.apa)}
        nircam_raw = section.get("nircam", default_nircam)
        nircam = _pointing(
            {**default_nircam, **check.mapping(nircam_raw, f"{where}.nircam")},
            f"{where}.nircam",
            default_nircam["apa"],
        )
        mosaic = _mosaic(section.get("mosaic", {}), f"{where}.mosaic")
        apa_range = section.get("nirspec_apa_range")
        if apa_range is not None:
            if not isinstance(apa_range, list) or len(apa_range) != 2:
                raise PrevisError(
                    f"{where}.nirspec_apa_range must be [min, max] in degrees or null, "
                    f"got {check.describe(apa_range)}"
                )
            for i, value in enumerate(apa_range):
                check.finite_number(value, f"{where}.nirspec_apa_range[{i}]", "degrees")
        try:
            dither = check.string(section.get("dither", "NONE"), f"{where}.dither")
            channel = check.string(section.get("channel", "short"), f"{where}.channel")
            return cls(nirspec, nircam, dither, mosaic, channel, apa_range)
        except ValueError as error:
            message = str(error)
            raise PrevisError(
                message if message.startswith(where) else f"{where}: {message}"
            ) from None

    @classmethod
    def from_json(cls, text: str, where: str = "plan") -> Plan:
        """Parse JSON text produced by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise PrevisError(f"{where}: not valid JSON ({error})") from None
        except RecursionError:
            raise PrevisError(f"{where}: JSON nested too deeply to be a plan") from None
        return cls.from_dict(data, where)


def _mosaic(value: Any, where: str) -> Mosaic:
    raw = check.mapping(value, where)
    check.reject_unknown(raw, {"rows", "columns", "row_overlap", "column_overlap"}, where)
    for key in ("rows", "columns"):
        if key in raw:
            check.integer(raw[key], f"{where}.{key}")
    for key in ("row_overlap", "column_overlap"):
        if key in raw:
            check.finite_number(raw[key], f"{where}.{key}", "percent")
    try:
        return Mosaic(**raw)
    except ValueError as error:
        raise PrevisError(f"{where}: {error}") from None


def _pointing(value: Any, where: str, default_apa: float) -> Pointing:
    section = check.mapping(value if value is not None else {}, where)
    check.reject_unknown(section, {"ra", "dec", "apa"}, where)
    ra = check.finite_number(section.get("ra", DEFAULT_RA), f"{where}.ra", "degrees")
    dec = check.finite_number(section.get("dec", DEFAULT_DEC), f"{where}.dec", "degrees")
    apa = check.finite_number(section.get("apa", default_apa), f"{where}.apa", "degrees")
    if not -90.0 <= dec <= 90.0:
        raise PrevisError(f"{where}.dec must lie between -90 and +90 degrees, got {dec:g}")
    return Pointing(ra, dec, apa)


@dataclass(frozen=True, eq=False)
class Result:
    """What a plan gives: footprints on the sky, MSA coverage and its worst case.

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
    other_nircam : Footprint or None
        The other NIRCam channel's detectors, when :func:`evaluate` was asked for it.
    other_coverage : Coverage or None
        MSA coverage by the other channel (to the depth asked for), likewise.
    worst_case : WorstCase or None
        Coverage over the plan's allowed NIRSpec APA range with the NIRCam
        pre-imaging as planned, when the plan has a range.
    """

    plan: Plan
    nirspec: Footprint
    nircam: Footprint
    coverage: Coverage
    siaf_version: str
    other_nircam: Footprint | None = None
    other_coverage: Coverage | None = None
    worst_case: WorstCase | None = None

    @property
    def channels(self) -> dict[str, tuple[Footprint, Coverage]]:
        """(footprint, coverage) by channel name: the plan's channel first, then the other
        when it was computed."""
        channels = {self.plan.channel: (self.nircam, self.coverage)}
        if self.other_nircam is not None and self.other_coverage is not None:
            channels[self.plan.other_channel] = (self.other_nircam, self.other_coverage)
        return channels


def evaluate(
    plan: Plan,
    max_depth: int = 3,
    other_channel_depth: int = 0,
    worst_cases: WorstCaseTracker | None = None,
) -> Result:
    """Footprints and coverage of a plan, and its worst case when it has an APA range.

    Parameters
    ----------
    plan : Plan
        What to evaluate.
    max_depth : int
        Deepest coverage level computed (1-3); 1 is quicker when only the
        covered fraction is needed.
    other_channel_depth : int
        Also compute the other NIRCam channel's footprint and coverage to this
        depth (1-3; 0, the default, does not): the dashboard shows its covered
        fraction (depth 1), reports both channels in full (depth 3).
    worst_cases : WorstCaseTracker, optional
        Keeps the worst case between calls (and times it); without it a small
        module-wide cache does.
    """
    nircam = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    other_footprint = other = None
    if other_channel_depth:
        other_footprint = nircam_footprint(
            plan.nircam, plan.other_channel, plan.dither, plan.mosaic
        )
        other = compute_coverage(plan.nirspec, other_footprint, other_channel_depth)
    worst = None
    if worst_cases is not None:
        worst = worst_cases.update(plan)
    elif plan.nirspec_apa_range is not None:
        worst = _worst_case(
            plan.nirspec.ra,
            plan.nirspec.dec,
            plan.nircam,
            plan.channel,
            plan.dither,
            plan.mosaic,
            plan.nirspec_apa_range,
        )
    return Result(
        plan=plan,
        nirspec=nirspec_footprint(plan.nirspec),
        nircam=nircam,
        coverage=compute_coverage(plan.nirspec, nircam, max_depth),
        siaf_version=siaf_version(),
        other_nircam=other_footprint,
        other_coverage=other,
        worst_case=worst,
    )


@lru_cache(maxsize=32)
def _worst_case(
    ra: float,
    dec: float,
    nircam: Pointing,
    channel: str,
    dither: str,
    mosaic: Mosaic,
    arc: ApaArc,
) -> WorstCase:
    """The worst case over ``arc``, cached: moving only the NIRSpec APA does not change it."""
    return worst_case_coverage(
        Pointing(ra, dec, arc.low), nircam, arc.as_range(), channel, dither, mosaic
    )
