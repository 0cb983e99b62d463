"""Worst-case MSA coverage by an image over the NIRSpec APAs the schedulers may assign.

The image is what the pre-imaging delivered (its valid-data footprint, see
:func:`previs.io.valid_region.valid_region`); the NIRSpec APA is fixed later
somewhere in an allowed range. :func:`image_worst_case` sweeps the range with
:func:`previs.geometry.image_coverage.image_apa_sweep` (the footprint is put in
the NIRSpec tangent plane once and the MSA turned) and returns the same
:class:`~previs.planning.sweep.WorstCase` as a NIRCam plan's worst case
(:func:`previs.planning.sweep.worst_case_coverage`), on the same APA grid.

Layer: planning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from previs._recent import Recent
from previs.geometry.angles import ApaArc
from previs.geometry.attitude import Pointing
from previs.geometry.image_coverage import SkyRegion, image_apa_sweep
from previs.planning.nirspec_pattern import NirspecPattern, pattern_shape
from previs.planning.sweep import DEFAULT_STEP, MAX_SWEEP_ANGLES, WorstCase

__all__ = ["image_worst_case"]


#: Worst cases of recent (region, pointings, range, step): the dashboard's "this image"
#: mode asks again on every move of the NIRSpec APA, which does not change it.
_RECENT: Recent[WorstCase] = Recent(16)


def image_worst_case(
    region: SkyRegion,
    nirspec: Pointing,
    nirspec_apa_range: Sequence[float],
    step: float = DEFAULT_STEP,
    extra_nirspec: Sequence[Pointing] = (),
) -> WorstCase:
    """Covered MSA fraction by ``region`` for every NIRSpec APA of a range, and its minimum.

    Parameters
    ----------
    region : SkyRegion
        The image's valid data (or any sky region).
    nirspec : Pointing
        NRS_FULL_MSA pointing; its RA and Dec are used, its APA replaced by each
        angle of the range.
    nirspec_apa_range : (float, float)
        (min, max) arc in degrees; min > max crosses 0; a width of 360 is every angle.
    step : float
        Largest APA step, degrees (both ends are always evaluated).
    extra_nirspec : sequence of Pointing
        More NIRSpec pointings at ``nirspec``'s APA (a plan's ``extra_nirspec``):
        turned with it as one pattern, the coverage at each APA being of all their
        MSAs together, as for a plan (:func:`previs.planning.sweep.worst_case_coverage`).

    Raises
    ------
    PrevisError
        For a range that is not two finite angles, or a step that is not
        positive or would need more than ``MAX_SWEEP_ANGLES`` angles.
    """
    arc = ApaArc.from_range(nirspec_apa_range, "NIRSpec APA range")
    low, high = (float(v) for v in nirspec_apa_range)
    extra = tuple(extra_nirspec)
    key = (region, nirspec.ra, nirspec.dec, low, high, step, pattern_shape(nirspec, extra))
    return _RECENT.get(key, lambda: _sweep(region, nirspec, arc, (low, high), step, extra))


def _sweep(
    region: SkyRegion,
    nirspec: Pointing,
    arc: ApaArc,
    apa_range: tuple[float, float],
    step: float,
    extra: tuple[Pointing, ...],
) -> WorstCase:
    apas = arc.grid(step, MAX_SWEEP_ANGLES)
    # From the arc's low end by small angles, so the NIRSpec plane is reused.
    reference = Pointing(nirspec.ra, nirspec.dec, arc.low)
    others = NirspecPattern(nirspec, extra).place(reference) if extra else ()
    covered = image_apa_sweep(region, reference, arc.unwrap(apas), others)
    worst = int(np.argmin(covered))
    return WorstCase(
        apas=np.asarray(apas, dtype=float),
        covered=covered,
        min=float(covered[worst]),
        apa_at_min=float(apas[worst]),
        apa_range=apa_range,
    )
