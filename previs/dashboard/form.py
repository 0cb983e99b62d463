"""The plan form: the plan-entry widgets read into a :class:`~previs.planning.plan.Plan`
and set from one.

:class:`PlanForm` owns :class:`~previs.dashboard.controls.PlanControls` and the
rules that tie them together: a pasted "RA Dec" pair fills both fields, the
NIRCam centre is entered as the same place, an offset or its own RA/Dec (and
the position carries over when the mode changes), and a tied NIRCam APA
follows the NIRSpec APA at the same V3PA. It writes widgets only under the
dashboard's :class:`~previs.dashboard.host.UpdateGuard`, so its own updates do
not trigger evaluations.

Layer: dashboard. Geometry comes from :mod:`previs.geometry` (offsets,
orientations); nothing is computed here beyond reading and formatting.
"""

from __future__ import annotations

import html
import math
from typing import Any

from previs.dashboard.controls import MOSAIC_SLIDER_MAX, OVERLAP_SLIDER_RANGE, PlanControls
from previs.dashboard.host import UpdateGuard
from previs.dashboard.overrides import PlanOverrides
from previs.dashboard.text import ANGLE_DECIMALS, clean_degrees, format_degrees
from previs.errors import PrevisError, quote
from previs.geometry.angles import signed_difference
from previs.geometry.attitude import Pointing, nircam_apa_for
from previs.geometry.coordinates import parse_dec, parse_ra, split_position
from previs.geometry.patterns import Mosaic
from previs.geometry.projection import offset_position, position_offset
from previs.planning.plan import Plan
from previs.style import UI_COLOURS

__all__ = ["TIE_HINT", "PlanForm", "nircam_offset_arcsec", "override_note"]

#: Shown while the NIRCam APA is tied to the NIRSpec APA.
TIE_HINT = (
    f"<span style='color:{UI_COLOURS['note']};font-size:0.9em'>Tied: NIRCam turns with "
    "NIRSpec, so the coverage is the same at every NIRSpec APA. Untie to see which "
    "spectroscopy angles a pre-imaging angle covers.</span>"
)


def override_note(text: str) -> str:
    """A note under a control saying what drives it instead (plain text; "" for none)."""
    if not text:
        return ""
    return f"<span style='color:{UI_COLOURS['note']};font-size:0.9em'>{html.escape(text)}</span>"


def nircam_offset_arcsec(plan: Plan) -> tuple[float, float]:
    """NIRCam centre minus NIRSpec centre (east, north), arcsec, rounded to 1 micro-arcsec."""
    if (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec):
        return 0.0, 0.0
    dx, dy = position_offset(plan.nirspec.ra, plan.nirspec.dec, plan.nircam.ra, plan.nircam.dec)
    return round(dx, 6), round(dy, 6)


class PlanForm:
    """Plan-entry widgets and the rules between them.

    Parameters
    ----------
    controls : PlanControls
        The widgets.
    guard : UpdateGuard
        Held while the form writes widgets itself.
    """

    def __init__(self, controls: PlanControls, guard: UpdateGuard) -> None:
        self.controls = controls
        self.guard = guard
        self._note_for = None  # the slider whose typed value the angle note explains
        #: APT's (or a saved plan's) exposures and NIRSpec pointings, over the controls.
        self.overrides = PlanOverrides()

    # ------------------------------------------------------------------ typed angles
    def on_page_message(self, content: dict) -> None:
        """Explain a typed angle the browser wrapped (400 -> 40) or refused ("abc")."""
        kind = content.get("kind")
        control = str(content.get("control", "APA"))[:40].replace("°", "").strip()
        typed = quote(str(content.get("text", "")))
        sliders = {"NIRSpec APA": self.controls.nirspec_apa, "NIRCam APA": self.controls.nircam_apa}
        if kind == "angle-wrapped":
            value = float(content.get("value", 0.0))
            typed_number = str(content.get("text", ""))[:24]
            note = f"{control} {typed_number}° is {value:.1f}°: angles wrap at 360°."
            self._note_for = sliders.get(control)
        elif kind == "angle-refused":
            note = (
                f"{control}: {typed} is not an angle; type degrees east of north, "
                "e.g. 45 or 45.5 (values outside 0-360 wrap)."
            )
            self._note_for = None
        else:
            return
        colour = UI_COLOURS["warning"] if kind == "angle-wrapped" else UI_COLOURS["error"]
        self.controls.angle_note.value = (
            f"<span style='color:{colour};font-size:0.9em'>{html.escape(note)}</span>"
        )

    def _show_tie(self, tied: bool) -> None:
        """Disable the NIRCam APA slider while tied, and say what the tie means."""
        c = self.controls
        c.nircam_apa.disabled = tied
        c.tie_hint.value = TIE_HINT if tied else ""

    def _forget_angle_note(self, owner) -> None:
        if owner is self._note_for:
            self._note_for = None  # the wrapped value itself arriving: keep the note
        elif self.controls.angle_note.value:
            self.controls.angle_note.value = ""

    # ------------------------------------------------------------------ plan <-> widgets
    def set_from_plan(self, plan: Plan, mode: str | None = None) -> None:
        """Set every plan control from ``plan``; ``mode`` picks how the NIRCam centre is
        entered (same/offset/radec; default, and "same" when impossible: from the plan)."""
        c = self.controls
        self.overrides.take(plan)
        with self.guard.hold():
            c.nirspec_ra.value = format_degrees(plan.nirspec.ra)
            c.nirspec_dec.value = format_degrees(plan.nirspec.dec)
            c.nirspec_apa.value = clean_degrees(plan.nirspec.apa, ANGLE_DECIMALS)
            same_place = (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec)
            if mode not in ("offset", "radec"):
                mode = "same" if same_place else "radec"
            c.nircam_mode.value = mode
            c.nircam_ra.value = format_degrees(plan.nircam.ra)
            c.nircam_dec.value = format_degrees(plan.nircam.dec)
            c.nircam_dx.value, c.nircam_dy.value = nircam_offset_arcsec(plan)
            tied_apa = nircam_apa_for(plan.nirspec.apa)
            if c.tie_apa.value and abs(signed_difference(tied_apa, plan.nircam.apa)) > 1e-9:
                c.tie_apa.value = False
            c.nircam_apa.value = clean_degrees(plan.nircam.apa, ANGLE_DECIMALS)
            self._show_tie(c.tie_apa.value)
            if isinstance(plan.dither, str):  # explicit exposures leave the controls' own
                self._set_setup(plan)
            c.channel.value = plan.channel
            c.show_nircam_mode(mode)
        self.show_overrides()

    def _set_setup(self, plan: Plan) -> None:
        c = self.controls
        c.dither.value = plan.dither
        mosaic = plan.mosaic
        for slider, value in ((c.rows, mosaic.rows), (c.columns, mosaic.columns)):
            slider.max = max(MOSAIC_SLIDER_MAX, value)
            slider.value = value
        for slider, value in (
            (c.row_overlap, mosaic.row_overlap),
            (c.column_overlap, mosaic.column_overlap),
        ):
            slider.min = min(OVERLAP_SLIDER_RANGE[0], value)
            slider.max = max(OVERLAP_SLIDER_RANGE[1], value)
            slider.value = value

    def show_overrides(self) -> None:
        """Disable the dither and mosaic controls while explicit exposures drive the plan,
        and say what drives the NIRCam exposures and the NIRSpec pointings."""
        c = self.controls
        explicit = self.overrides.exposures is not None
        # The notes first: a client that sees the controls disabled then also has the
        # note saying why (widget messages arrive in the order they are sent).
        c.setup_note.value = override_note(self.overrides.nircam_note)
        c.nirspec_note.value = override_note(self.overrides.nirspec_note)
        for control in (c.dither, c.rows, c.columns, c.row_overlap, c.column_overlap):
            control.disabled = explicit

    def read_plan(self) -> Plan:
        """Read every control into a Plan (no APA range); PrevisError names the control."""
        c = self.controls
        # Rounded here, where plans are made from widgets: slider steps and offsets
        # leave float noise (45.300000000000004, -27.791399999999996) that would
        # otherwise show in the fields and in saved sessions. Positions keep 1e-10 deg
        # (0.36 micro-arcsec), angles 1e-9 deg.
        nirspec = Pointing(
            clean_degrees(parse_ra(c.nirspec_ra.value, "NIRSpec RA")),
            clean_degrees(parse_dec(c.nirspec_dec.value, "NIRSpec Dec")),
            clean_degrees(c.nirspec_apa.value, ANGLE_DECIMALS),
        )
        mode = c.nircam_mode.value
        if mode == "same":
            ra, dec = nirspec.ra, nirspec.dec
        elif mode == "offset":
            dx, dy = c.nircam_dx.value, c.nircam_dy.value
            if not (math.isfinite(dx) and math.isfinite(dy)):
                raise PrevisError("NIRCam offset must be finite numbers of arcsec")
            ra, dec = (clean_degrees(v) for v in offset_position(nirspec.ra, nirspec.dec, dx, dy))
        else:
            ra = clean_degrees(parse_ra(c.nircam_ra.value, "NIRCam RA"))
            dec = clean_degrees(parse_dec(c.nircam_dec.value, "NIRCam Dec"))
        nircam_apa = nircam_apa_for(nirspec.apa) if c.tie_apa.value else c.nircam_apa.value
        nircam_apa = clean_degrees(nircam_apa, ANGLE_DECIMALS)
        mosaic = Mosaic(c.rows.value, c.columns.value, c.row_overlap.value, c.column_overlap.value)
        plan = Plan(nirspec, Pointing(ra, dec, nircam_apa), c.dither.value, mosaic, c.channel.value)
        return self.overrides.apply(plan)

    # ------------------------------------------------------------------ rules between controls
    def on_change(self, change: dict[str, Any], plan: Plan) -> bool:
        """Apply the rules a control change sets off; False when another change event
        (the Dec field of a pasted pair) will follow and the plan should wait for it."""
        c = self.controls
        owner = change["owner"]
        self._forget_angle_note(owner)
        pairs = {c.nirspec_ra: c.nirspec_dec, c.nircam_ra: c.nircam_dec}
        if owner in pairs:
            handled = self._fill_pasted_pair(owner, pairs[owner])
            if handled is not None:
                return handled
        if owner is c.nircam_mode:
            self._switch_nircam_mode(change["new"], plan)
        if owner in (c.tie_apa, c.nirspec_apa) and c.tie_apa.value:
            with self.guard.hold():
                c.nircam_apa.value = clean_degrees(
                    nircam_apa_for(c.nirspec_apa.value), ANGLE_DECIMALS
                )
        self._show_tie(c.tie_apa.value)
        return True

    def _fill_pasted_pair(self, ra_field, dec_field) -> bool | None:
        """A whole position pasted into an RA field goes to the RA and Dec fields.

        Returns None when the text is not a pair; True when the plan can be read
        now; False when the Dec field's own change event will follow.
        """
        pair = split_position(ra_field.value)
        if pair is None:
            return None
        try:
            parse_ra(pair[0])
            parse_dec(pair[1])
        except PrevisError:
            return None  # left as typed: reading the plan reports what is wrong
        with self.guard.hold():
            ra_field.value = pair[0]
        if dec_field.value == pair[1]:
            return True  # no change event will come from the Dec field
        dec_field.value = pair[1]  # its change event reads the plan
        return False

    def _switch_nircam_mode(self, new: str, plan: Plan) -> None:
        """Carry the current NIRCam position into the fields of the newly chosen mode."""
        c = self.controls
        c.show_nircam_mode(new)
        with self.guard.hold():
            if new == "offset":
                c.nircam_dx.value, c.nircam_dy.value = nircam_offset_arcsec(plan)
            elif new == "radec":
                c.nircam_ra.value = format_degrees(plan.nircam.ra)
                c.nircam_dec.value = format_degrees(plan.nircam.dec)

    def sync_hidden_fields(self, plan: Plan) -> None:
        """Keep the NIRCam position fields of the modes not in use on the current position."""
        c = self.controls
        mode = c.nircam_mode.value
        with self.guard.hold():
            if mode != "radec":
                c.nircam_ra.value = format_degrees(plan.nircam.ra)
                c.nircam_dec.value = format_degrees(plan.nircam.dec)
            if mode != "offset":
                c.nircam_dx.value, c.nircam_dy.value = nircam_offset_arcsec(plan)

    # ------------------------------------------------------------------ moves from elsewhere
    def place(self, ra: float, dec: float, target: str, plan: Plan) -> None:
        """Put the NIRCam (or NIRSpec) centre on (ra, dec) degrees, as a click does."""
        c = self.controls
        with self.guard.hold():
            if target == "nirspec":
                c.nirspec_ra.value = f"{ra:.7f}"
                c.nirspec_dec.value = f"{dec:.7f}"
            elif c.nircam_mode.value == "offset":
                dx, dy = position_offset(plan.nirspec.ra, plan.nirspec.dec, ra, dec)
                c.nircam_dx.value = round(dx, 3)
                c.nircam_dy.value = round(dy, 3)
            else:
                c.nircam_mode.value = "radec"
                c.show_nircam_mode("radec")
                c.nircam_ra.value = f"{ra:.7f}"
                c.nircam_dec.value = f"{dec:.7f}"

    def centre_nirspec(self, ra: float, dec: float) -> None:
        """Move the NIRSpec centre to (ra, dec); a NIRCam with its own RA/Dec goes with it."""
        c = self.controls
        with self.guard.hold():
            c.nirspec_ra.value = format_degrees(ra)
            c.nirspec_dec.value = format_degrees(dec)
            if c.nircam_mode.value == "radec":
                c.nircam_mode.value = "same"
                c.show_nircam_mode("same")

    def untie_nircam_apa(self, nircam_apa: float) -> None:
        """Untie the NIRCam APA and set it (the Schedule tab's orientations)."""
        c = self.controls
        with self.guard.hold():
            c.tie_apa.value = False
            self._show_tie(False)
            c.nircam_apa.value = float(nircam_apa) % 360.0
