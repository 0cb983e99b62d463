"""The observation plan: one frozen description of NIRSpec and NIRCam pointings and setup.

A :class:`Plan` round-trips through a plain dict / JSON (``to_dict`` /
``from_dict``), which is what configuration files, the CLI and the dashboard
exchange. :func:`evaluate` turns a plan into a :class:`Result`: footprints, MSA
coverage by the plan's NIRCam channel (and, when asked, by the other one) and,
when the plan has an allowed NIRSpec APA range, the worst case over it.

The NIRCam exposures are a dither pattern laid over a :class:`Mosaic` (previs's
model of APT) or explicit :class:`~previs.geometry.patterns.Exposures` (an APT
pointing report, a custom pattern). A plan may hold several NIRSpec pointings
(``nirspec`` and ``extra_nirspec``): coverage is then given per pointing and for
all of them together, the union of their MSAs; the worst case over the APA
range turns them together.

Layer: planning.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from typing import Any

import previs._validate as check
from previs._recent import Recent
from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing, nircam_apa_for, unit_vectors, v3pa_from_apa
from previs.geometry.coverage import (
    MAX_POINTINGS,
    Coverage,
    compute_coverage,
    compute_union_coverage,
)
from previs.geometry.footprints import Footprint, check_channel, nircam_footprint, nirspec_footprint
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.patterns import Exposures, Mosaic, canonical_dither
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture, siaf_version
from previs.geometry.usable import UsableCoverage, mean_usable, usable_msa_coverage
from previs.planning.sweep import (
    WorstCase,
    WorstCaseTracker,
    plan_worst_case,
    plan_worst_case_key,
)

PLAN_FORMAT_VERSION = 1

# GOODS-S, a deep field often targeted by NIRSpec MOS: the bundled example's centre.
DEFAULT_RA = 53.1625
DEFAULT_DEC = -27.7914
DEFAULT_NIRSPEC_APA = 45.0

_PLAN_KEYS = {
    "version",
    "nirspec",
    "extra_nirspec",
    "nircam",
    "dither",
    "mosaic",
    "exposures",
    "channel",
    "nirspec_apa_range",
}
#: Every NIRSpec pointing of a plan lies within this angle (degrees) of the first: one
#: pre-imaged field, whose MSA areas are measured together in one tangent plane.
MAX_NIRSPEC_SEPARATION_DEG = 1.0


@dataclass(frozen=True)
class Plan:
    """Everything that defines a pre-imaging + spectroscopy footprint.

    Parameters
    ----------
    nirspec : Pointing
        NRS_FULL_MSA pointing (RA, Dec, APA in degrees) of the spectroscopy.
    nircam : Pointing
        NRCALL_FULL pointing (RA, Dec, APA in degrees) of the pre-imaging: the
        target of every exposure.
    dither : str or Exposures
        NIRCam dither pattern (a name of :data:`previs.geometry.patterns.DITHER_NAMES`),
        laid over ``mosaic`` with previs's model of APT; or explicit
        :class:`~previs.geometry.patterns.Exposures` (APT's offsets with its tile
        and dither numbers, or a custom pattern), which hold their own tiles: the
        mosaic is then a single tile.
    mosaic : Mosaic
        NIRCam mosaic tiles.
    channel : str
        NIRCam channel whose detectors are evaluated: ``"short"`` or ``"long"``.
    nirspec_apa_range : ApaArc or (float, float), optional
        The NIRSpec APAs the schedulers may assign, as a ``(min, max)`` arc in
        degrees (``min > max`` crosses 0; ``(0, 360)``: any angle). With it,
        :func:`evaluate` also gives the worst-case coverage over that range
        (of every NIRSpec pointing together, turned about ``nirspec`` as one
        pattern).
    extra_nirspec : tuple of Pointing
        More NRS_FULL_MSA pointings (e.g. every position of an APT NIRSpec MOS
        observation after the first), each with its own APA, all within
        :data:`MAX_NIRSPEC_SEPARATION_DEG` of ``nirspec``. Empty (the default)
        for one pointing.
    """

    nirspec: Pointing
    nircam: Pointing
    dither: str = "NONE"
    mosaic: Mosaic = field(default_factory=Mosaic)
    channel: str = "short"
    nirspec_apa_range: ApaArc | None = None
    extra_nirspec: tuple[Pointing, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.mosaic, Mosaic):
            raise PrevisError(f"plan mosaic must be a Mosaic, got {type(self.mosaic).__name__}")
        if isinstance(self.dither, Exposures):
            if self.mosaic.rows * self.mosaic.columns > 1:
                raise PrevisError(
                    f"a plan with explicit exposures takes no mosaic (the exposures hold their "
                    f"tiles), got a {self.mosaic.label} mosaic"
                )
            object.__setattr__(self, "mosaic", Mosaic())
        else:
            object.__setattr__(self, "dither", canonical_dither(self.dither))
        object.__setattr__(self, "channel", check_channel(self.channel))
        arc = self.nirspec_apa_range
        if arc is not None and not isinstance(arc, ApaArc):
            arc = ApaArc.from_range(arc, "NIRSpec APA range")
            object.__setattr__(self, "nirspec_apa_range", arc)
        object.__setattr__(
            self, "extra_nirspec", _extra_pointings(self.nirspec, self.extra_nirspec)
        )

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
    def nirspec_pointings(self) -> tuple[Pointing, ...]:
        """Every NIRSpec pointing: ``nirspec`` first, then ``extra_nirspec``."""
        return (self.nirspec, *self.extra_nirspec)

    @property
    def exposures(self) -> Exposures:
        """The NIRCam exposures: the explicit ones, or the pattern laid over the mosaic."""
        if isinstance(self.dither, Exposures):
            return self.dither
        return Exposures.from_pattern(self.dither, self.mosaic)

    @property
    def dither_label(self) -> str:
        """The dither pattern's name, or where the explicit exposures came from."""
        if isinstance(self.dither, Exposures):
            return self.dither.description or f"{len(self.dither)} {self.dither.source} exposures"
        return self.dither

    @property
    def other_channel(self) -> str:
        """The NIRCam channel the plan does not evaluate (both see the same field)."""
        return "long" if self.channel == "short" else "short"

    def replace(self, **changes: Any) -> Plan:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, with a ``version`` field.

        Explicit exposures are written as ``exposures`` (in place of ``dither`` and
        ``mosaic``); ``extra_nirspec`` and ``nirspec_apa_range`` only when set, so
        that a one-pointing plan of a named pattern reads as before.
        """
        data: dict[str, Any] = {
            "version": PLAN_FORMAT_VERSION,
            "nirspec": self.nirspec.to_dict(),
            "nircam": self.nircam.to_dict(),
        }
        if isinstance(self.dither, Exposures):
            data["exposures"] = self.dither.to_dict()
        else:
            data["dither"] = self.dither
            data["mosaic"] = self.mosaic.to_dict()
        data["channel"] = self.channel
        if self.extra_nirspec:
            data["extra_nirspec"] = [p.to_dict() for p in self.extra_nirspec]
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
        dither: Any = "NONE"
        if "exposures" in section:
            both = [key for key in ("dither", "mosaic") if key in section]
            if both:
                raise PrevisError(
                    f"{where}: give either 'exposures' or 'dither' and 'mosaic', not both "
                    f"(found {quote(both[0])} beside 'exposures')"
                )
            dither = Exposures.from_dict(section["exposures"], f"{where}.exposures")
        else:
            dither = check.string(section.get("dither", "NONE"), f"{where}.dither")
        mosaic = Mosaic.from_dict(section.get("mosaic", {}), f"{where}.mosaic")
        extra = section.get("extra_nirspec", [])
        if not isinstance(extra, list):
            raise PrevisError(
                f"{where}.extra_nirspec must be a list of {{ra, dec, apa}} pointings, "
                f"got {check.describe(extra)}"
            )
        extra_pointings = []
        for i, value in enumerate(extra):
            key = f"{where}.extra_nirspec[{i}]"
            missing = [k for k in ("ra", "dec", "apa") if k not in check.mapping(value, key)]
            if missing:
                raise PrevisError(f"{key} needs ra, dec and apa (degrees); missing {missing[0]}")
            extra_pointings.append(_pointing(value, key, DEFAULT_NIRSPEC_APA))
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
            channel = check.string(section.get("channel", "short"), f"{where}.channel")
            return cls(nirspec, nircam, dither, mosaic, channel, apa_range, tuple(extra_pointings))
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


def _extra_pointings(first: Pointing, extra: Any) -> tuple[Pointing, ...]:
    """``extra`` as a tuple of Pointings near ``first``, or PrevisError naming the bad one."""
    if isinstance(extra, (str, bytes, Pointing)) or not hasattr(extra, "__iter__"):
        raise PrevisError(
            f"plan extra_nirspec must be a sequence of Pointings, got {type(extra).__name__}"
        )
    extra = tuple(extra)
    if len(extra) + 1 > MAX_POINTINGS:
        raise PrevisError(
            f"a plan holds at most {MAX_POINTINGS} NIRSpec pointings, got {len(extra) + 1}"
        )
    limit = math.cos(math.radians(MAX_NIRSPEC_SEPARATION_DEG))
    centre = unit_vectors(first.ra, first.dec)
    for k, pointing in enumerate(extra, start=2):
        if not isinstance(pointing, Pointing):
            raise PrevisError(
                f"NIRSpec pointing {k} must be a Pointing, got {type(pointing).__name__}"
            )
        cos_separation = float(centre @ unit_vectors(pointing.ra, pointing.dec))
        if cos_separation < limit:
            separation = math.degrees(math.acos(max(-1.0, min(1.0, cos_separation))))
            raise PrevisError(
                f"NIRSpec pointing {k} (RA {pointing.ra:.5f}, Dec {pointing.dec:+.5f}) is "
                f"{separation:.2f} deg from pointing 1; previs plans NIRSpec pointings within "
                f"{MAX_NIRSPEC_SEPARATION_DEG:g} deg of the first (one pre-imaged field)"
            )
    return extra


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
        MSA quadrants, IFU and fixed slits of the first NIRSpec pointing.
    nircam : Footprint
        NIRCam detectors of the plan's channel for every exposure.
    coverage : Coverage
        MSA coverage by that channel: of the one NIRSpec pointing, or of all the
        plan's pointings together (the fraction of the union of their MSA areas,
        see :func:`~previs.geometry.coverage.compute_union_coverage`).
    siaf_version : str
        SIAF PRD version of the geometry.
    other_nircam : Footprint or None
        The other NIRCam channel's detectors, when :func:`evaluate` was asked for it.
    other_coverage : Coverage or None
        MSA coverage by the other channel (to the depth asked for), likewise.
    worst_case : WorstCase or None
        Coverage over the plan's allowed NIRSpec APA range with the NIRCam
        pre-imaging as planned, when the plan has a range: of all NIRSpec pointings
        together, their pattern turned about the first as one rigid body (as the
        dashboard's APA slider turns it; APT turns it about the target, a few arcsec
        away at most for dithers and nods);
        its ``usable`` holds the usable-MSA worst case (unless a tracker without
        it was used).
    pointing_coverages, other_pointing_coverages : tuple of Coverage
        Coverage of each NIRSpec pointing alone, in the plan's order, by the
        plan's channel and by the other one (empty when it was not computed).
        With one pointing, ``pointing_coverages[0] is coverage``.
    nirspec_footprints : tuple of Footprint
        Every NIRSpec pointing's footprint (the first is ``nirspec``).
    usable : UsableCoverage or None
        Usable-MSA coverage by the plan's channel: the fraction of the operable
        shutters' open area inside the pre-imaging, overall and per quadrant,
        and the name of the operability map
        (:func:`previs.geometry.usable.usable_msa_coverage`). With several
        NIRSpec pointings, every pointing's shutters count (each MSA
        configuration is its own exposure): the mean of :attr:`pointing_usable`.
    pointing_usable : tuple of UsableCoverage
        The usable-MSA coverage of each NIRSpec pointing, in the plan's order.
    """

    plan: Plan
    nirspec: Footprint
    nircam: Footprint
    coverage: Coverage
    siaf_version: str
    other_nircam: Footprint | None = None
    other_coverage: Coverage | None = None
    worst_case: WorstCase | None = None
    pointing_coverages: tuple[Coverage, ...] = ()
    other_pointing_coverages: tuple[Coverage, ...] = ()
    nirspec_footprints: tuple[Footprint, ...] = ()
    usable: UsableCoverage | None = None
    pointing_usable: tuple[UsableCoverage, ...] = ()

    @property
    def per_pointing(self) -> dict[str, tuple[Coverage, ...]]:
        """Per-pointing coverages by channel name, like :attr:`channels`."""
        per = {self.plan.channel: self.pointing_coverages or (self.coverage,)}
        if self.other_coverage is not None:
            per[self.plan.other_channel] = self.other_pointing_coverages or (self.other_coverage,)
        return per

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
    operability: OperabilityMap | str | os.PathLike | None = None,
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
        module-wide cache does, and the worst case includes its usable counterpart.
    operability : OperabilityMap, path or None
        Which shutters work, for :attr:`Result.usable`: a map, the path of a
        CRDS ``jwst_nirspec_msaoper_*.json``, or None for the bundled snapshot.
        A choice of the session, not of the plan.
    """
    operability = resolve_operability(operability)
    nircam = nircam_footprint(plan.nircam, plan.channel, plan.dither, plan.mosaic)
    coverage, per_pointing = _coverages(plan.nirspec_pointings, nircam, max_depth)
    other_footprint = other = None
    other_per_pointing: tuple[Coverage, ...] = ()
    if other_channel_depth:
        other_footprint = nircam_footprint(
            plan.nircam, plan.other_channel, plan.dither, plan.mosaic
        )
        other, other_per_pointing = _coverages(
            plan.nirspec_pointings, other_footprint, other_channel_depth
        )
    worst = None
    if worst_cases is not None:
        worst = worst_cases.update(plan, operability)
    elif plan.nirspec_apa_range is not None:
        worst = _worst_case(plan, operability)
    nirspec = tuple(nirspec_footprint(p) for p in plan.nirspec_pointings)
    pointing_usable = tuple(
        usable_msa_coverage(p, c.covering, operability)
        for p, c in zip(plan.nirspec_pointings, per_pointing, strict=True)
    )
    return Result(
        plan=plan,
        nirspec=nirspec[0],
        nircam=nircam,
        coverage=coverage,
        siaf_version=siaf_version(),
        other_nircam=other_footprint,
        other_coverage=other,
        worst_case=worst,
        pointing_coverages=per_pointing,
        other_pointing_coverages=other_per_pointing,
        nirspec_footprints=nirspec,
        usable=mean_usable(pointing_usable),
        pointing_usable=pointing_usable,
    )


def _coverages(
    pointings: tuple[Pointing, ...], nircam: Footprint, depth: int
) -> tuple[Coverage, tuple[Coverage, ...]]:
    """Coverage of all pointings together and of each alone (the same object for one)."""
    each = tuple(compute_coverage(p, nircam, depth) for p in pointings)
    together = each[0] if len(each) == 1 else compute_union_coverage(pointings, nircam, depth)
    return together, each


#: Worst cases of recent plans (see :func:`_worst_case`).
_WORST_CASES: Recent[WorstCase] = Recent(32)


def _worst_case(plan: Plan, operability: OperabilityMap) -> WorstCase:
    """The plan's worst case over its APA range (with its usable counterpart), cached on
    what it depends on: moving only the NIRSpec APA, which turns every NIRSpec pointing
    as one pattern, does not change it."""
    key = plan_worst_case_key(plan, operability)
    return _WORST_CASES.get(key, lambda: plan_worst_case(plan, operability))
