"""What drives a plan beyond the controls: explicit NIRCam exposures and more NIRSpec pointings.

The controls describe one NIRSpec pointing and a named dither over a mosaic. An
APT program (the "APT program" panel, :mod:`previs.dashboard.panels.apt`) or a
saved session can give more: APT's own NIRCam exposures (an
:class:`~previs.geometry.patterns.Exposures`, with its tile and dither numbers)
and several MSA pointings. :class:`PlanOverrides` holds those, says where they
came from (the notes the controls show), and lays them over a plan read from the
controls (:meth:`PlanOverrides.apply`), so the controls' own dither and mosaic
come back untouched when the override is dropped. The other NIRSpec pointings
follow the first one (the NIRSpec RA/Dec fields and APA slider) as one rigid
pattern (:class:`~previs.planning.nirspec_pattern.NirspecPattern`).

Layer: dashboard. No widgets here (the form shows the notes).
"""

from __future__ import annotations

from dataclasses import dataclass

from previs.geometry.patterns import Exposures, Mosaic
from previs.planning.nirspec_pattern import NirspecPattern
from previs.planning.plan import Plan

__all__ = ["PlanOverrides", "Source"]


@dataclass(frozen=True)
class Source:
    """Where an override came from: an APT program's observation, or a plan set whole.

    Attributes
    ----------
    program : str
        Name of the APT program ("" for a plan set whole, e.g. a saved session).
    observation : int or None
        APT observation number (None for a plan set whole).
    note : str
        What the controls show, in words.
    """

    program: str
    observation: int | None
    note: str


class PlanOverrides:
    """Explicit NIRCam exposures and a NIRSpec pattern laid over the controls' plan.

    Attributes
    ----------
    exposures : Exposures or None
        NIRCam exposures in place of the controls' dither and mosaic.
    nircam_source : Source or None
        Where ``exposures`` came from.
    pattern : NirspecPattern or None
        The NIRSpec pointings after the first, following it.
    nirspec_source : Source or None
        Where ``pattern`` came from.
    """

    def __init__(self) -> None:
        self.exposures: Exposures | None = None
        self.nircam_source: Source | None = None
        self.pattern: NirspecPattern | None = None
        self.nirspec_source: Source | None = None

    # ------------------------------------------------------------------ setting
    def set_nircam(self, exposures: Exposures | None, source: Source | None = None) -> None:
        """Use ``exposures`` (None: the controls' dither and mosaic again)."""
        self.exposures = exposures
        self.nircam_source = source if exposures is not None else None

    def set_nirspec(self, pattern: NirspecPattern | None, source: Source | None = None) -> None:
        """Use ``pattern`` for the NIRSpec pointings (None, or one pointing: the first alone)."""
        if pattern is not None and len(pattern) < 2:
            pattern = None
        self.pattern = pattern
        self.nirspec_source = source if pattern is not None else None

    def take(self, plan: Plan) -> None:
        """Follow a plan set whole (a saved session, code): keep what matches it, and hold
        its explicit exposures and extra NIRSpec pointings otherwise."""
        if isinstance(plan.dither, Exposures):
            if plan.dither != self.exposures:
                note = f"{plan.dither_label} (explicit exposures of the plan)"
                self.set_nircam(plan.dither, Source("", None, note))
        else:
            self.set_nircam(None)
        if plan.extra_nirspec:
            pattern = self.pattern
            if pattern is None or pattern.place(plan.nirspec) != plan.extra_nirspec:
                n = len(plan.nirspec_pointings)
                note = f"{n} NIRSpec pointings of the plan; they move and turn with pointing 1"
                self.set_nirspec(
                    NirspecPattern(plan.nirspec, plan.extra_nirspec), Source("", None, note)
                )
        else:
            self.set_nirspec(None)

    # ------------------------------------------------------------------ using
    def apply(self, plan: Plan) -> Plan:
        """``plan`` (read from the controls) with the exposures and NIRSpec pattern laid over."""
        changes = {}
        if self.exposures is not None:
            changes.update(dither=self.exposures, mosaic=Mosaic())
        if self.pattern is not None:
            changes["extra_nirspec"] = self.pattern.place(plan.nirspec)
        return plan.replace(**changes) if changes else plan

    @property
    def nircam_note(self) -> str:
        """Why the dither and mosaic controls are off ("" while they drive the plan)."""
        return self.nircam_source.note if self.nircam_source is not None else ""

    @property
    def nirspec_note(self) -> str:
        """What the NIRSpec pointings follow ("" with one pointing)."""
        return self.nirspec_source.note if self.nirspec_source is not None else ""
