"""MSA coverage over a range of orientations: APA sweeps and the worst case.

The NIRCam pre-imaging is taken first, at the NIRCam APA it has on the imaging
date; the NIRSpec APA is fixed later, somewhere in the range allowed in the
spectroscopy window. :func:`apa_sweep` gives the covered fraction at many
NIRSpec APAs, :func:`worst_case_coverage` the smallest over a range, and
:class:`WorstCaseTracker` keeps that worst case for a changing plan,
recomputing only when something it depends on changed.

APA ranges are ``(min, max)`` arcs in degrees (see :mod:`previs.geometry.angles`):
``min > max`` crosses 0 and ``(0, 360)`` is the full circle.

Layer: planning.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.coverage import (
    fraction,
    plane_corners,
    rotate_about_origin,
    union_msa_geometry,
    within_reach,
)
from previs.geometry.footprints import nircam_footprint
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.patterns import Exposures, Mosaic
from previs.geometry.projection import TangentPlane
from previs.geometry.usable import grid_outline, mean_usable, usable_msa_coverage
from previs.planning.nirspec_pattern import NirspecPattern, pattern_shape

__all__ = [
    "DEFAULT_STEP",
    "MAX_SWEEP_ANGLES",
    "UsableWorstCase",
    "WorstCase",
    "WorstCaseTracker",
    "apa_grid",
    "apa_sweep",
    "plan_worst_case",
    "plan_worst_case_key",
    "usable_apa_sweep",
    "worst_case_coverage",
]

DEFAULT_STEP = 0.5
#: Most NIRSpec APAs one sweep evaluates (checked before anything is allocated).
MAX_SWEEP_ANGLES = 100_000


def _check_angles(apas: np.ndarray, name: str) -> np.ndarray:
    if apas.ndim != 1:
        raise PrevisError(f"{name} must be a sequence of angles in degrees")
    if len(apas) > MAX_SWEEP_ANGLES:
        raise PrevisError(f"{name}: {len(apas)} angles; at most {MAX_SWEEP_ANGLES} per sweep")
    bad = np.flatnonzero(~np.isfinite(apas))
    if len(bad):
        raise PrevisError(
            f"{name} must be finite angles in degrees, got {quote(float(apas[bad[0]]))} "
            f"at position {int(bad[0]) + 1}"
        )
    return apas


def apa_sweep(
    nirspec: Pointing,
    nircam: Pointing,
    apas: np.ndarray,
    channel: str = "short",
    dither: str | Exposures = "NONE",
    mosaic: Mosaic | None = None,
    tie_orient: bool = False,
    extra_nirspec: Sequence[Pointing] = (),
) -> np.ndarray:
    """Covered MSA fraction for every NIRSpec APA in ``apas`` (degrees).

    Parameters
    ----------
    nirspec, nircam : Pointing
        Pointings; ``nirspec.apa`` is replaced by each value of ``apas``.
    apas : array_like
        NIRSpec aperture position angles to evaluate, degrees.
    channel, dither, mosaic
        The NIRCam configuration, as for :func:`previs.geometry.footprints.nircam_footprint`
        (``dither`` a pattern name or explicit Exposures).
    tie_orient : bool
        If False the NIRCam orientation stays at ``nircam.apa``; if True it
        follows each NIRSpec APA at the same V3PA (one spacecraft orientation).
    extra_nirspec : sequence of Pointing
        More NIRSpec pointings at ``nirspec``'s APA, turned with it about it as one
        pattern; the coverage is then of all their MSAs together.

    Returns
    -------
    numpy.ndarray
        Covered fractions (0-1), one per APA.

    Notes
    -----
    Changing an APA rotates a footprint exactly about its pointing in the
    tangent plane there; footprints are built once and rotated.
    """
    others = tuple(extra_nirspec)
    return _sweep(nirspec, nircam, apas, channel, dither, mosaic, tie_orient, None, others)[0]


def usable_apa_sweep(
    nirspec: Pointing,
    nircam: Pointing,
    apas: np.ndarray,
    channel: str = "short",
    dither: str | Exposures = "NONE",
    mosaic: Mosaic | None = None,
    tie_orient: bool = False,
    operability: OperabilityMap | str | os.PathLike | None = None,
    extra_nirspec: Sequence[Pointing] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Covered MSA fraction and usable-MSA fraction for every NIRSpec APA in ``apas``.

    As :func:`apa_sweep` (``extra_nirspec`` too: then every pointing's shutters
    count), plus, at each APA, the fraction of the operable
    shutters' open area the pre-imaging covers
    (:func:`previs.geometry.usable.usable_msa_coverage`; ``operability``: the
    map to use, None for the bundled snapshot). The shutter grid's outline is
    built once and rotated with the MSA (exact: the APA turns the MSA about its
    pointing in the tangent plane there).

    Returns
    -------
    covered, usable : numpy.ndarray
        One fraction (0-1) per APA each.
    """
    operability = resolve_operability(operability)
    others = tuple(extra_nirspec)
    return _sweep(nirspec, nircam, apas, channel, dither, mosaic, tie_orient, operability, others)


def _sweep(
    nirspec: Pointing,
    nircam: Pointing,
    apas,
    channel: str,
    dither: str | Exposures,
    mosaic: Mosaic | None,
    tie_orient: bool,
    operability: OperabilityMap | None = None,
    others: tuple[Pointing, ...] = (),
) -> tuple[np.ndarray, np.ndarray | None]:
    """Area coverage per APA, and usable coverage too when given an operability map.

    ``others``: more NIRSpec pointings at ``nirspec``'s APA, turned with it as one
    rigid pattern about it (:class:`~previs.planning.nirspec_pattern.NirspecPattern`);
    the coverage is then of all the MSAs together, the usable coverage every
    pointing's shutters.
    """
    try:
        apas = np.atleast_1d(np.asarray(apas, dtype=float))
    except (TypeError, ValueError):
        raise PrevisError(f"apas must be angles in degrees, got {quote(apas)}") from None
    _check_angles(apas, "NIRSpec APAs")
    msa0 = union_msa_geometry((nirspec, *others))
    usable = None if operability is None else np.zeros(len(apas))
    footprint = nircam_footprint(nircam, channel, dither, mosaic)
    if not within_reach(footprint, msa0.plane).all():
        # A mosaic spans under a degree: this far out nothing can reach the MSA
        # at any angle, and the two tangent planes would not map onto each other.
        return np.zeros(len(apas)), usable
    nircam_plane = TangentPlane(nircam.ra, nircam.dec)
    union_nircam_plane = shapely.union_all(shapely.polygons(plane_corners(footprint, nircam_plane)))
    to_nirspec = nircam_plane.transfer_to(msa0.plane)
    fixed_nircam = None if tie_orient else shapely.transform(union_nircam_plane, to_nirspec)
    outline0 = grid_outline(nirspec) if operability is not None else None
    pattern = NirspecPattern(nirspec, others) if others else None
    fractions = np.empty(len(apas))
    for i, apa in enumerate(apas):
        msa = rotate_about_origin(msa0.union, apa - nirspec.apa)
        if tie_orient:
            delta = nircam_apa_for(apa) - nircam.apa
            rotated = rotate_about_origin(union_nircam_plane, delta)
            covering = shapely.transform(rotated, to_nirspec)
        else:
            covering = fixed_nircam
        fractions[i] = fraction(shapely.intersection(msa, covering).area, msa0.area)
        if usable is not None and pattern is not None:
            usable[i] = _pattern_usable(pattern, apa, covering, msa0.plane, operability, outline0)
        elif usable is not None:
            usable[i] = usable_msa_coverage(
                Pointing(nirspec.ra, nirspec.dec, apa),
                covering,
                operability,
                outline=rotate_about_origin(outline0, apa - nirspec.apa),
            ).covered
    return fractions, usable


def _pattern_usable(
    pattern: NirspecPattern,
    apa: float,
    covering,
    plane: TangentPlane,
    operability: OperabilityMap,
    outline0,
) -> float:
    """Usable coverage of every pointing of ``pattern`` turned to NIRSpec APA ``apa``
    (``covering`` in ``plane``, the first pointing's).

    Each pointing's shutter grid outline (``outline0``: the first pointing's at its
    given APA) is turned in its own tangent plane: there the MSA depends on the APA
    alone, not on where the pointing is.
    """
    first = Pointing(pattern.first.ra, pattern.first.dec, apa)
    each = []
    for pointing in (first, *pattern.place(first)):
        own = plane.transfer_to(TangentPlane(pointing.ra, pointing.dec))
        outline = rotate_about_origin(outline0, pointing.apa - pattern.first.apa)
        covered = shapely.transform(covering, own)
        each.append(usable_msa_coverage(pointing, covered, operability, outline=outline))
    return mean_usable(tuple(each)).covered


def apa_grid(apa_range: Sequence[float], step: float = DEFAULT_STEP) -> np.ndarray:
    """APAs (degrees, in [0, 360)) covering an arc at most ``step`` apart, both ends included.

    ``apa_range`` is ``(min, max)``; ``min > max`` crosses 0 and a width of
    360 degrees or more is the full circle. Raises PrevisError for a step that
    is not positive or would need more than :data:`MAX_SWEEP_ANGLES` angles.
    """
    return ApaArc.from_range(apa_range).grid(step, MAX_SWEEP_ANGLES)


@dataclass(frozen=True, eq=False)
class UsableWorstCase:
    """Usable-MSA coverage over a range of NIRSpec APAs (the APAs of its :class:`WorstCase`).

    Attributes
    ----------
    covered : numpy.ndarray
        Fraction (0-1) of the operable shutters' open area covered at each APA.
    min : float
        Smallest of them.
    apa_at_min : float
        NIRSpec APA (degrees) where it happens (the first, if several).
    operability : str
        Name of the operability map used.
    """

    covered: np.ndarray
    min: float
    apa_at_min: float
    operability: str

    def to_dict(self) -> dict:
        """JSON-ready dict: covered (per APA), min, apa_at_min, operability."""
        return {
            "covered": [float(c) for c in self.covered],
            "min": self.min,
            "apa_at_min": self.apa_at_min,
            "operability": self.operability,
        }


@dataclass(frozen=True, eq=False)
class WorstCase:
    """Coverage over a range of NIRSpec APAs.

    Attributes
    ----------
    apas : numpy.ndarray
        NIRSpec APAs evaluated, degrees, in arc order from the range's min.
    covered : numpy.ndarray
        Covered MSA fraction (0-1) at each APA.
    min : float
        Smallest covered fraction.
    apa_at_min : float
        NIRSpec APA (degrees) where it happens (the first, if several).
    apa_range : tuple of float
        The (min, max) range swept.
    usable : UsableWorstCase or None
        The usable-MSA coverage at the same APAs, when it was asked for.
    """

    apas: np.ndarray
    covered: np.ndarray
    min: float
    apa_at_min: float
    apa_range: tuple[float, float]
    usable: UsableWorstCase | None = None

    @property
    def arc(self) -> ApaArc:
        """The swept range as an :class:`~previs.geometry.angles.ApaArc`."""
        return ApaArc.from_range(self.apa_range)

    def to_dict(self) -> dict:
        """JSON-ready dict (with ``"usable"`` when the usable coverage was computed)."""
        data = {
            "apa_range": list(self.apa_range),
            "apas": [float(a) for a in self.apas],
            "covered": [float(c) for c in self.covered],
            "min": self.min,
            "apa_at_min": self.apa_at_min,
        }
        if self.usable is not None:
            data["usable"] = self.usable.to_dict()
        return data


def worst_case_coverage(
    nirspec: Pointing,
    nircam: Pointing,
    nirspec_apa_range: Sequence[float],
    channel: str = "short",
    dither: str | Exposures = "NONE",
    mosaic: Mosaic | None = None,
    step: float = DEFAULT_STEP,
    usable: bool = False,
    operability: OperabilityMap | str | os.PathLike | None = None,
    extra_nirspec: Sequence[Pointing] = (),
) -> WorstCase:
    """Covered MSA fraction for every NIRSpec APA of a range, and its minimum.

    Parameters
    ----------
    nirspec : Pointing
        NRS_FULL_MSA pointing; its RA and Dec are used, its APA is replaced by
        every value of the range.
    nircam : Pointing
        NRCALL_FULL pointing of the pre-imaging (its APA stays fixed).
    nirspec_apa_range : (float, float)
        (min, max) NIRSpec APA arc, degrees (wrap-around allowed).
    channel, dither, mosaic
        The NIRCam configuration, as for :func:`previs.geometry.footprints.nircam_footprint`
        (``dither`` a pattern name or explicit Exposures).
    step : float
        Largest APA step, degrees (both range ends are always evaluated).
    usable : bool
        Also give the usable-MSA coverage at every APA (:attr:`WorstCase.usable`):
        about 0.2 ms per APA when the pre-imaging covers the whole MSA, 1-2 ms
        when it leaves much uncovered.
    operability : OperabilityMap, path or None
        The operability map for ``usable`` (None: the bundled snapshot).
    extra_nirspec : sequence of Pointing
        More NIRSpec pointings at ``nirspec``'s APA (a plan's ``extra_nirspec``).
        They turn with it about it as one rigid pattern, as the dashboard's APA
        slider turns them (:class:`~previs.planning.nirspec_pattern.NirspecPattern`),
        and the coverage at each APA is of all the MSAs together, as
        :func:`~previs.planning.plan.evaluate` gives it at one APA.

    Raises
    ------
    PrevisError
        For a range that is not two finite angles, or a step that is not
        positive or would need more than :data:`MAX_SWEEP_ANGLES` angles.
    """
    arc = ApaArc.from_range(nirspec_apa_range, "NIRSpec APA range")
    apas = arc.grid(step, MAX_SWEEP_ANGLES)
    operability = resolve_operability(operability) if usable else None
    return sweep_arc(
        nirspec,
        nircam,
        arc,
        apas,
        channel,
        dither,
        mosaic,
        nirspec_apa_range,
        operability,
        tuple(extra_nirspec),
    )


def sweep_arc(
    nirspec: Pointing,
    nircam: Pointing,
    arc: ApaArc,
    apas: np.ndarray,
    channel: str,
    dither: str | Exposures,
    mosaic: Mosaic | None,
    apa_range: Sequence[float] | None = None,
    operability: OperabilityMap | None = None,
    extra_nirspec: tuple[Pointing, ...] = (),
) -> WorstCase:
    """The :class:`WorstCase` of NIRSpec APAs ``apas`` (degrees) lying on ``arc``, with
    its usable counterpart when given an operability map (``extra_nirspec``: as for
    :func:`worst_case_coverage`).

    The sweep starts at the arc's low end and turns by small angles from it, so
    the NIRSpec tangent plane is reused for every APA.
    """
    reference = Pointing(nirspec.ra, nirspec.dec, arc.low)
    others = NirspecPattern(nirspec, extra_nirspec).place(reference) if extra_nirspec else ()
    covered, usable = _sweep(
        reference, nircam, arc.unwrap(apas), channel, dither, mosaic, False, operability, others
    )
    apas = np.asarray(apas, dtype=float)
    i = int(np.argmin(covered))
    low, high = arc.as_range() if apa_range is None else (float(v) for v in apa_range)
    usable_worst = None
    if usable is not None:
        k = int(np.argmin(usable))
        usable_worst = UsableWorstCase(usable, float(usable[k]), float(apas[k]), operability.name)
    return WorstCase(
        apas=apas,
        covered=covered,
        min=float(covered[i]),
        apa_at_min=float(apas[i]),
        apa_range=(low, high),
        usable=usable_worst,
    )


class WorstCaseTracker:
    """A plan's worst-case coverage over its allowed NIRSpec APA range, kept between plans.

    :meth:`update` recomputes only when the range, the target or the NIRCam
    setup (pointing with its APA, channel, dither, mosaic) changes. With the
    NIRCam APA untied, moving the NIRSpec APA changes none of these and costs
    nothing; with it tied to the NIRSpec APA (same V3PA), every move gives the
    pre-imaging another APA, hence another worst case (about 3 ms for a 20
    degree range, 45 ms for the full circle of a target in the continuous
    viewing zone). :func:`previs.planning.plan.evaluate` uses one when given.

    Parameters
    ----------
    usable : bool
        Also track the usable-MSA worst case (:attr:`WorstCase.usable`). Off by
        default: it costs 1-2 ms per APA when much of the MSA is uncovered,
        which a slider with the NIRCam APA tied to the NIRSpec one would pay on
        every move.

    Attributes
    ----------
    worst : WorstCase or None
        Worst case of the last plan given to :meth:`update` (None without a range).
    times_ms : list of float
        Duration of the last (up to 200) computations, milliseconds.
    """

    def __init__(self, usable: bool = False) -> None:
        self.usable = bool(usable)
        self.worst: WorstCase | None = None
        self.times_ms: list[float] = []
        self._key: tuple | None = None

    def update(self, plan, operability: OperabilityMap | None = None) -> WorstCase | None:
        """The worst case of ``plan`` (a :class:`~previs.planning.plan.Plan`) over its
        ``nirspec_apa_range`` (None without one); ``operability``: the map for the
        usable worst case (None: the bundled snapshot)."""
        arc = plan.nirspec_apa_range
        if arc is None:
            self.worst = self._key = None
            return None
        operability = resolve_operability(operability) if self.usable else None
        key = plan_worst_case_key(plan, operability)
        if key == self._key:
            return self.worst
        started = time.perf_counter()
        self.worst = plan_worst_case(plan, operability)
        self._key = key
        self.times_ms.append((time.perf_counter() - started) * 1000.0)
        del self.times_ms[:-200]
        return self.worst


def plan_worst_case_key(plan, operability: OperabilityMap | None) -> tuple:
    """What :func:`plan_worst_case` depends on: the range, the target, the NIRCam setup,
    the map and the NIRSpec pattern's shape; not the NIRSpec APA shown (turning it turns
    every pointing together)."""
    return (
        plan.nirspec_apa_range,
        plan.nirspec.ra,
        plan.nirspec.dec,
        plan.nircam,
        plan.channel,
        plan.dither,
        plan.mosaic,
        operability,
        pattern_shape(plan.nirspec, plan.extra_nirspec),
    )


def plan_worst_case(plan, operability: OperabilityMap | None = None) -> WorstCase:
    """The worst case of ``plan`` (a :class:`~previs.planning.plan.Plan` with a
    ``nirspec_apa_range``) over that range, every NIRSpec pointing turned together; with
    its usable counterpart when given an operability map."""
    return worst_case_coverage(
        plan.nirspec,
        plan.nircam,
        plan.nirspec_apa_range.as_range(),
        channel=plan.channel,
        dither=plan.dither,
        mosaic=plan.mosaic,
        usable=operability is not None,
        operability=operability,
        extra_nirspec=plan.extra_nirspec,
    )
