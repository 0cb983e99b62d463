"""The configuration search: the cheapest NIRCam setup whose worst case reaches a target.

:func:`search_configuration` looks for the NIRCam configuration (dither,
mosaic, pointing offset, NIRCam APA) with the fewest exposures whose worst-case
coverage over the NIRSpec APAs the schedulers may assign (see
:mod:`previs.planning.sweep`) reaches a requested fraction.

APA ranges are ``(min, max)`` arcs in degrees going through increasing angles
from ``min`` to ``max``; ``min > max`` means the arc crosses 0 (e.g.
``(358, 3)``), and ``(0, 360)`` is the full circle.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from previs.errors import PrevisError, quote
from previs.geometry.angles import ApaArc, wrap_degrees
from previs.geometry.attitude import Pointing, offset_pointing
from previs.geometry.footprints import check_channel
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.patterns import DITHERS, Exposures, Mosaic, canonical_dither
from previs.geometry.projection import TangentPlane
from previs.planning.nirspec_pattern import NirspecPattern
from previs.planning.sweep import DEFAULT_STEP, MAX_SWEEP_ANGLES, apa_sweep, usable_apa_sweep

DEFAULT_COARSE_STEP = 2.5
DEFAULT_TARGET = 0.99
DEFAULT_DITHERS = ("NONE", "FULL3", "FULL3TIGHT", "FULL6", "8NIRSPEC")
DEFAULT_OFFSETS_ARCSEC = (-20.0, 0.0, 20.0)
DEFAULT_OVERLAPS = (10.0, 20.0)
MAX_SEARCH_TILES_PER_SIDE = 4

ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True, eq=False)
class Candidate:
    """One NIRCam configuration evaluated by :func:`search_configuration`.

    Attributes
    ----------
    dither : str
        Dither pattern.
    mosaic : Mosaic
        Mosaic tiles.
    offset_arcsec : tuple of float
        (dx, dy) of the NIRCam pointing from the NIRSpec one, arcsec along
        NRCALL_FULL's ideal axes (see :func:`previs.geometry.attitude.offset_pointing`).
    nircam : Pointing
        Resulting NIRCam pointing (APA in its allowed range on the imaging date).
    exposures : int
        Dither positions x mosaic tiles.
    worst : float
        Smallest covered fraction over the NIRSpec APAs evaluated. Exact on the
        fine grid when ``refined``; otherwise an upper bound from fewer APAs.
    apa_at_min : float
        NIRSpec APA of that minimum, degrees.
    apas_evaluated : int
        How many NIRSpec APAs were evaluated.
    refined : bool
        True when evaluated on the full fine grid.
    offset_east_north_arcsec : tuple of float
        The same offset on the sky: (east, north) arcsec in the tangent plane
        at the NIRSpec pointing.
    worst_usable : float or None
        With a usable-coverage criterion: the smallest usable-MSA fraction over
        the same APAs (exact when ``refined``, else an upper bound); None
        without one, or when the area criterion already ruled it out.
    usable_apa_at_min : float or None
        NIRSpec APA of that minimum, degrees.
    """

    dither: str
    mosaic: Mosaic
    offset_arcsec: tuple[float, float]
    nircam: Pointing
    exposures: int
    worst: float
    apa_at_min: float
    apas_evaluated: int
    refined: bool
    offset_east_north_arcsec: tuple[float, float] = (0.0, 0.0)
    worst_usable: float | None = None
    usable_apa_at_min: float | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict (``worst_usable`` and ``usable_apa_at_min`` when computed)."""
        data = {
            "dither": self.dither,
            "mosaic": self.mosaic.to_dict(),
            "offset_arcsec": list(self.offset_arcsec),
            "offset_east_north_arcsec": list(self.offset_east_north_arcsec),
            "nircam": self.nircam.to_dict(),
            "exposures": self.exposures,
            "worst": self.worst,
            "apa_at_min": self.apa_at_min,
            "apas_evaluated": self.apas_evaluated,
            "refined": self.refined,
        }
        if self.worst_usable is not None:
            data["worst_usable"] = self.worst_usable
            data["usable_apa_at_min"] = self.usable_apa_at_min
        return data

    def to_plan(self, nirspec: Pointing, channel: str = "short"):
        """A :class:`previs.planning.plan.Plan` with this NIRCam configuration and ``nirspec``."""
        from previs.planning.plan import Plan

        return Plan(nirspec, self.nircam, self.dither, self.mosaic, channel)


@dataclass(frozen=True, eq=False)
class SearchResult:
    """What :func:`search_configuration` found.

    Attributes
    ----------
    best : Candidate or None
        The configuration with the fewest exposures whose worst case (refined
        on the fine APA grid) reaches ``target``; None if none did.
    candidates : list of Candidate
        Every configuration evaluated, sorted by (exposures, -worst).
    trade_off : list of dict
        Per exposure count evaluated, the best worst case found:
        ``{"exposures", "worst", "refined", "dither", "mosaic"}``.
    target : float
        Requested minimum worst-case coverage (0-1).
    nirspec_apa_range, nircam_apa_range : tuple of float
        The ranges searched, degrees.
    coverage_evaluations : int
        Number of (configuration, NIRSpec APA) coverage evaluations made.
    elapsed_s : float
        Wall time, seconds.
    stopped_early : bool
        True when the search stopped at the first exposure count that succeeded.
    usable_target : float or None
        Required worst-case usable-MSA coverage (0-1), when asked for.
    """

    best: Candidate | None
    candidates: list[Candidate]
    trade_off: list[dict]
    target: float
    nirspec_apa_range: tuple[float, float]
    nircam_apa_range: tuple[float, float]
    coverage_evaluations: int
    elapsed_s: float
    stopped_early: bool = False
    settings: dict = field(default_factory=dict)
    usable_target: float | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict (with ``usable_target`` when the search had one)."""
        data = {
            "target": self.target,
            "nirspec_apa_range": list(self.nirspec_apa_range),
            "nircam_apa_range": list(self.nircam_apa_range),
            "best": self.best.to_dict() if self.best else None,
            "trade_off": [dict(row) for row in self.trade_off],
            "candidates": [c.to_dict() for c in self.candidates],
            "coverage_evaluations": self.coverage_evaluations,
            "elapsed_s": self.elapsed_s,
            "stopped_early": self.stopped_early,
            "settings": dict(self.settings),
        }
        if self.usable_target is not None:
            data["usable_target"] = self.usable_target
        return data


def default_mosaics(
    max_side: int = MAX_SEARCH_TILES_PER_SIDE, overlaps: Sequence[float] = DEFAULT_OVERLAPS
) -> list[Mosaic]:
    """Mosaics of 1..``max_side`` rows and columns, each overlap of ``overlaps`` where it matters.

    The overlap of a direction with a single tile does not change anything, so
    it is left at the default (10 percent) there.
    """
    mosaics = []
    for rows, columns in itertools.product(range(1, max_side + 1), repeat=2):
        row_choices = overlaps if rows > 1 else (10.0,)
        column_choices = overlaps if columns > 1 else (10.0,)
        for row_overlap, column_overlap in itertools.product(row_choices, column_choices):
            mosaics.append(Mosaic(rows, columns, row_overlap, column_overlap))
    return mosaics


def search_configuration(
    nirspec_ra: float,
    nirspec_dec: float,
    nirspec_apa_range: Sequence[float],
    nircam_apa_range: Sequence[float],
    channel: str = "short",
    target: float = DEFAULT_TARGET,
    dithers: Sequence[str] = DEFAULT_DITHERS,
    mosaics: Sequence[Mosaic] | None = None,
    offsets_arcsec: Sequence[float] = DEFAULT_OFFSETS_ARCSEC,
    n_nircam_apas: int = 3,
    step: float = DEFAULT_STEP,
    coarse_step: float = DEFAULT_COARSE_STEP,
    max_exposures: int | None = None,
    stop_early: bool = True,
    max_refine: int = 5,
    progress: ProgressCallback | None = None,
    usable_target: float | None = None,
    operability: OperabilityMap | str | os.PathLike | None = None,
    nirspec_pattern: NirspecPattern | None = None,
) -> SearchResult:
    """Find the NIRCam configuration with the fewest exposures covering the MSA at every APA.

    Parameters
    ----------
    nirspec_ra, nirspec_dec : float
        NRS_FULL_MSA pointing, degrees.
    nirspec_apa_range : (float, float)
        NIRSpec APAs the schedulers may assign, (min, max) degrees (wrap allowed).
    nircam_apa_range : (float, float)
        NIRCam APAs allowed on the imaging date, (min, max) degrees.
    channel : {"short", "long"}
        NIRCam channel evaluated.
    target : float
        Required worst-case covered fraction, 0-1 (default 0.99).
    dithers : sequence of str
        Dither patterns tried (names only: explicit Exposures are refused, since
        the search varies the pattern and mosaic).
    mosaics : sequence of Mosaic, optional
        Mosaics tried (default :func:`default_mosaics`: 1-4 rows and columns,
        10 and 20 percent overlaps).
    offsets_arcsec : sequence of float
        Offsets tried along each NRCALL_FULL ideal axis (the grid is their
        square), arcsec; the NIRCam pointing is the NIRSpec pointing moved by
        (dx, dy) (see :func:`previs.geometry.attitude.offset_pointing`).
    n_nircam_apas : int
        NIRCam APAs tried, spread over ``nircam_apa_range`` (middle first).
    step, coarse_step : float
        Fine and coarse NIRSpec APA steps, degrees.
    max_exposures : int, optional
        Skip configurations with more exposures.
    stop_early : bool
        Stop after the first exposure count at which a configuration succeeds.
    max_refine : int
        At most this many configurations per exposure count are refined on the
        fine grid.
    progress : callable, optional
        Called as ``progress(fraction_done, message)``.
    usable_target : float, optional
        Also require this worst-case usable-MSA coverage (0-1]: the fraction of
        the operable shutters' open area covered at every NIRSpec APA
        (:func:`previs.planning.sweep.usable_apa_sweep`). A configuration then
        succeeds only when it reaches both targets.
    operability : OperabilityMap, path or None
        The operability map for ``usable_target`` (None: the bundled snapshot).
    nirspec_pattern : NirspecPattern, optional
        Several NIRSpec pointings (a plan's, ``NirspecPattern(plan.nirspec,
        plan.extra_nirspec)``): at every APA they turn together about the first, which
        is put at (``nirspec_ra``, ``nirspec_dec``), and the coverage is of all their
        MSAs together, as a plan's worst case is.

    Returns
    -------
    SearchResult

    Notes
    -----
    Configurations are grouped by exposure count and evaluated cheapest first.
    Within a group every (dither, mosaic, offset, NIRCam APA) is evaluated at
    the middle of the NIRSpec range (a single APA bounds the worst case from
    above, so a miss there rules it out); those that reach the target (or
    the three best, when none does, for the trade-off curve) are evaluated on
    the coarse grid (both ends included); then the best on the coarse grid
    are refined on the fine grid until one reaches the target. ``worst`` of a
    candidate is therefore exact only when ``refined``; otherwise it is an
    upper bound.
    """
    started = time.perf_counter()
    channel = check_channel(channel)
    target = float(target)
    if not (math.isfinite(target) and 0.0 < target <= 1.0):
        raise PrevisError(f"target coverage must be a fraction in (0, 1], got {quote(target)}")
    if not (math.isfinite(coarse_step) and coarse_step > 0):
        raise PrevisError(
            f"coarse APA step must be a positive number of degrees, got {quote(coarse_step)}"
        )
    if usable_target is not None:
        usable_target = float(usable_target)
        if not (math.isfinite(usable_target) and 0.0 < usable_target <= 1.0):
            raise PrevisError(
                f"usable coverage target must be a fraction in (0, 1], got {quote(usable_target)}"
            )
        operability = resolve_operability(operability)
    nirspec_arc = ApaArc.from_range(nirspec_apa_range, "NIRSpec APA range")
    nircam_arc = ApaArc.from_range(nircam_apa_range, "NIRCam APA range")
    fine_apas = nirspec_arc.grid(step, MAX_SWEEP_ANGLES)
    coarse_apas = nirspec_arc.grid(coarse_step, MAX_SWEEP_ANGLES)
    nirspec_range = tuple(float(v) for v in nirspec_apa_range)
    nircam_range = tuple(float(v) for v in nircam_apa_range)
    reference = Pointing(nirspec_ra, nirspec_dec, nirspec_arc.low)
    others = () if nirspec_pattern is None else nirspec_pattern.place(reference)
    middle = np.array([nirspec_arc.low + nirspec_arc.width / 2.0])

    def sweep(entry: dict, apas: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Coverage (and usable coverage, with that criterion) of one candidate
        configuration at each NIRSpec APA of ``apas``."""
        args = (reference, entry["nircam"], nirspec_arc.unwrap(apas), channel)
        setup = (entry["dither"], entry["mosaic"])
        if usable_target is None:
            return apa_sweep(*args, *setup, extra_nirspec=others), None
        return usable_apa_sweep(*args, *setup, operability=operability, extra_nirspec=others)

    def margin(entry: dict) -> float:
        """How far above the target(s) the entry's worst case lies (negative: below)."""
        above = entry["worst"] - target
        usable = entry.get("worst_usable")
        if usable_target is None or usable is None:
            return above  # without usable coverage: not computed as the area fell short
        return min(above, usable - usable_target)

    def take(entry: dict, apas: np.ndarray, values: np.ndarray, usable) -> None:
        """Keep the smaller worst cases of ``values`` (and ``usable``) over ``apas``."""
        i = int(np.argmin(values))
        if values[i] < entry["worst"]:
            entry["worst"], entry["apa_at_min"] = float(values[i]), float(apas[i])
        if usable is not None:
            k = int(np.argmin(usable))
            if entry.get("worst_usable") is None or usable[k] < entry["worst_usable"]:
                entry["worst_usable"], entry["usable_apa_at_min"] = (
                    float(usable[k]),
                    float(apas[k]),
                )

    if isinstance(dithers, Exposures) or any(isinstance(d, Exposures) for d in dithers):
        raise PrevisError(
            "the configuration search tries named dither patterns over mosaics; explicit "
            "exposures (an APT program's, a custom pattern) are evaluated as they are, not "
            "searched: give pattern names"
        )
    dithers = [canonical_dither(d) for d in dithers]
    mosaics = list(default_mosaics() if mosaics is None else mosaics)
    offsets = sorted(
        itertools.product([float(v) for v in offsets_arcsec], repeat=2),
        key=lambda xy: (math.hypot(*xy), xy),
    )
    nircam_apas = nircam_arc.spread(int(n_nircam_apas))
    plane = TangentPlane(reference.ra, reference.dec)
    pointings = {}
    for nircam_apa, offset in itertools.product(nircam_apas, offsets):
        pointing = offset_pointing(reference.ra, reference.dec, nircam_apa, *offset)
        east, north = plane.to_plane(np.array([pointing.ra]), np.array([pointing.dec]))
        pointings[nircam_apa, offset] = (pointing, (float(east[0]), float(north[0])))

    groups: dict[int, list[tuple[str, Mosaic]]] = {}
    for dither, mosaic in itertools.product(dithers, mosaics):
        exposures = len(DITHERS[dither][0]) * mosaic.n_tiles
        if max_exposures is None or exposures <= max_exposures:
            groups.setdefault(exposures, []).append((dither, mosaic))
    counts = sorted(groups)

    evaluations = 0
    candidates: list[Candidate] = []
    best: Candidate | None = None
    stopped_early = False

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), message)

    for group_index, exposures in enumerate(counts):
        settings = [
            (dither, mosaic, offset, nircam_apa)
            for dither, mosaic in groups[exposures]
            for nircam_apa in nircam_apas
            for offset in offsets
        ]
        # Stage 1: one NIRSpec APA, the middle of the range.
        stage: list[dict] = []
        for k, (dither, mosaic, offset, nircam_apa) in enumerate(settings):
            pointing, east_north = pointings[nircam_apa, offset]
            value = apa_sweep(
                reference, pointing, middle, channel, dither, mosaic, extra_nirspec=others
            )[0]
            evaluations += 1
            stage.append(
                {
                    "dither": dither,
                    "mosaic": mosaic,
                    "offset": offset,
                    "nircam": pointing,
                    "east_north": east_north,
                    "worst": float(value),
                    "apa_at_min": wrap_degrees(float(middle[0])),
                    "n": 1,
                    "refined": False,
                }
            )
            if usable_target is not None and value >= target:
                _, usable = sweep(stage[-1], middle)
                take(stage[-1], wrap_degrees(middle), np.array([value]), usable)
            if k % 20 == 0:
                report(
                    (group_index + 0.7 * k / len(settings)) / len(counts),
                    f"{exposures} exposures: {k}/{len(settings)} configurations",
                )
        # Stage 2: coarse grid for those that may reach the target(s).
        ranked = sorted(stage, key=lambda s: -margin(s))
        coarse = [s for s in ranked if margin(s) >= 0] or ranked[:3]
        for entry in coarse:
            values, usable = sweep(entry, coarse_apas)
            evaluations += len(values)
            take(entry, coarse_apas, values, usable)
            entry["n"] += len(values)
        report((group_index + 0.85) / len(counts), f"{exposures} exposures: refining")
        # Stage 3: fine grid, best first, until one reaches the target(s).
        coarse.sort(key=lambda s: -margin(s))
        passing = [s for s in coarse if margin(s) >= 0]
        found = None
        for entry in (passing or coarse[:1])[: max(1, max_refine)]:
            values, usable = sweep(entry, fine_apas)
            evaluations += len(values)
            i = int(np.argmin(values))
            entry.update(worst=float(values[i]), apa_at_min=float(fine_apas[i]))
            if usable is not None:
                k = int(np.argmin(usable))
                entry.update(worst_usable=float(usable[k]), usable_apa_at_min=float(fine_apas[k]))
            entry["n"] = len(values)
            entry["refined"] = True
            if margin(entry) >= 0:
                found = entry
                break
        group_candidates = [
            Candidate(
                dither=s["dither"],
                mosaic=s["mosaic"],
                offset_arcsec=s["offset"],
                nircam=s["nircam"],
                exposures=exposures,
                worst=s["worst"],
                apa_at_min=s["apa_at_min"],
                apas_evaluated=s["n"],
                refined=s["refined"],
                offset_east_north_arcsec=s["east_north"],
                worst_usable=s.get("worst_usable"),
                usable_apa_at_min=s.get("usable_apa_at_min"),
            )
            for s in stage
        ]
        candidates.extend(group_candidates)
        if found is not None and best is None:
            best = group_candidates[stage.index(found)]
        if best is not None and stop_early:
            stopped_early = group_index < len(counts) - 1
            break

    candidates.sort(key=lambda c: (c.exposures, -c.worst, not c.refined))
    trade_off = []
    for exposures, group in itertools.groupby(candidates, key=lambda c: c.exposures):
        top = max(group, key=lambda c: (c.refined, c.worst))
        row = {
            "exposures": exposures,
            "worst": top.worst,
            "refined": top.refined,
            "dither": top.dither,
            "mosaic": top.mosaic.label,
        }
        if usable_target is not None:
            row["worst_usable"] = top.worst_usable
        trade_off.append(row)
    report(1.0, "done" if best else "no configuration reached the target")
    return SearchResult(
        best=best,
        candidates=candidates,
        trade_off=trade_off,
        target=target,
        nirspec_apa_range=nirspec_range,
        nircam_apa_range=nircam_range,
        coverage_evaluations=evaluations,
        elapsed_s=time.perf_counter() - started,
        stopped_early=stopped_early,
        settings={
            "channel": channel,
            "dithers": list(dithers),
            "mosaics": len(mosaics),
            "offsets_arcsec": [float(v) for v in offsets_arcsec],
            "nircam_apas": nircam_apas,
            "step": step,
            "coarse_step": coarse_step,
            **({"operability": operability.name} if usable_target is not None else {}),
        },
        usable_target=usable_target,
    )
