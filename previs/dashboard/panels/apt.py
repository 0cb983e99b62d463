"""The dashboard's "APT program" section: plan with an APT program's own observations.

:class:`AptPanel` reads an APT export, a pointing report (``.pointing``) or a
proposal XML (``.xml``), by path or upload, with :func:`previs.io.apt.read_apt`
(which also reads the other export of the same name beside it). Two pickers then
offer its NIRCam imaging and NIRSpec MOS observations:

- a NIRCam observation puts the NIRCam centre on its target and its exposures
  (APT's offsets from the pointing report, or previs's model of APT from the XML
  alone) in place of the dither and mosaic controls, which show what drives them;
- a NIRSpec observation puts the MSA at every one of its pointings at the NIRSpec
  APA shown; they then move and turn with the NIRSpec fields and APA slider.

"none" gives the controls back. A file or a pick that cannot be used says why in
the status line, naming the file, and the plan stays as it was.

Uploads are written to a folder of the panel's own (``read_apt`` takes a path and
looks beside it for the other export), so uploading the ``.pointing`` and then the
``.xml`` of one program reads both.

Layer: dashboard.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from previs._files import ANY_INPUT, write_bytes_atomic
from previs.dashboard.overrides import Source
from previs.dashboard.page import row, upload_limit_note
from previs.dashboard.panels.file_source import FileSource, without_file_name
from previs.dashboard.text import ANGLE_DECIMALS, clean_degrees
from previs.errors import PrevisError
from previs.geometry.attitude import Pointing, nircam_apa_for, separation_deg
from previs.planning.nirspec_pattern import NirspecPattern

if TYPE_CHECKING:
    from previs.dashboard.form import PlanForm
    from previs.dashboard.host import PanelHost
    from previs.io.apt import AptProgram
    from previs.io.session_apt import AptSelection
    from previs.planning.plan import Plan

__all__ = ["APT_ACCEPT", "AptPanel", "KEEP", "NONE", "observation_label"]

#: File name endings the upload offers.
APT_ACCEPT = ".pointing,.xml"
#: An observation's target farther than this (degrees) from the other instrument's pointing
#: is another field: the other instrument (unless APT drives it too) moves there as well.
OTHER_FIELD_DEG = 0.5
#: Picker values: no observation (the controls drive the plan) and "as the plan has it"
#: (exposures or pointings of a saved session or of a program read before).
NONE, KEEP = 0, -1
#: Pointings nearer than this (degrees, ~4 mas) are the same when a session is restored.
SAME_POSITION_DEG = 1e-6


def observation_label(row: dict[str, Any]) -> str:
    """A picker's label of one observation from
    :meth:`previs.io.apt.AptProgram.summary`: number, label,
    dither, mosaic and positions, as far as the program says them."""
    parts = [f"{row['number']}: {row['label'] or row['instrument']}"]
    if row.get("dither"):
        parts.append(str(row["dither"]))
    if row.get("mosaic") and row["mosaic"] != "1x1":
        parts.append(f"{row['mosaic']} mosaic")
    if row.get("positions"):
        parts.append(f"{row['positions']} pos.")
    return " · ".join(parts)


def _separation_deg(a: Pointing, b: Pointing) -> float:
    """Great-circle distance between two pointings' positions, degrees."""
    return separation_deg(a.ra, a.dec, b.ra, b.dec)


def _clean(pointing: Pointing) -> Pointing:
    """A pointing as the dashboard's fields read it back (1e-10 deg, angles 1e-9 deg)."""
    return Pointing(
        clean_degrees(pointing.ra),
        clean_degrees(pointing.dec),
        clean_degrees(pointing.apa, ANGLE_DECIMALS),
    )


def _nircam_note(program: AptProgram, number: int, exposures) -> str:
    """What the controls say of the exposures of APT observation ``number``."""
    summary = program.summary(number)
    whose = "APT's offsets" if exposures.source == "apt" else "previs's model of APT"
    setup = (
        " × ".join(str(summary[key]) for key in ("dither", "mosaic") if summary.get(key))
        or f"{len(exposures)} positions"
    )
    return (
        f"APT obs {number}: {setup}, {len(exposures)} exposures in {exposures.n_tiles} "
        f"tile{'s' if exposures.n_tiles != 1 else ''} ({whose}); choose 'none' under APT "
        "program to use the dither and mosaic here"
    )


def _nirspec_note(number: int, n: int) -> str:
    """What the controls say of the ``n`` MSA pointings of APT observation ``number``."""
    return (
        f"APT obs {number}: {n} MSA pointing{'s' if n != 1 else ''} with APT's offsets"
        + ("; they move and turn with pointing 1 (\"Place as APT does\" puts them "
           "where APT does)" if n > 1 else "")
    )  # fmt: skip


def _same_pattern(program: AptProgram, number: int, plan: Plan) -> bool:
    """Whether the plan's NIRSpec pointings are APT observation ``number``'s, placed at the
    plan's first pointing (the pattern is rigid: its shape does not depend on the APA)."""
    pointings = program.nirspec_pointings(number, plan.nirspec.apa)
    if len(pointings) < 2:
        return False
    pattern = NirspecPattern(pointings[0], tuple(pointings[1:]))
    return pattern.holds(plan.nirspec, plan.extra_nirspec, SAME_POSITION_DEG)


def _restore_picks(
    program: AptProgram, selection: AptSelection, plan: Plan, overrides
) -> list[str]:
    """Set ``overrides``' sources to the observations of ``selection`` that ``plan`` still
    has (exposures equal, pointings the same pattern); returns those that differ."""
    changed = []
    if selection.nircam is not None:
        try:
            same = program.nircam_exposures(selection.nircam) == plan.dither
        except PrevisError:
            same = False
        if same:
            note = _nircam_note(program, selection.nircam, plan.dither)
            overrides.set_nircam(plan.dither, Source(program.name, selection.nircam, note))
        else:
            changed.append(f"NIRCam obs. {selection.nircam}")
    if selection.nirspec is not None:
        try:
            same = _same_pattern(program, selection.nirspec, plan)
        except PrevisError:
            same = False
        if same:
            note = _nirspec_note(selection.nirspec, len(plan.nirspec_pointings))
            source = Source(program.name, selection.nirspec, note)
            overrides.set_nirspec(NirspecPattern(plan.nirspec, plan.extra_nirspec), source)
        else:
            changed.append(f"NIRSpec obs. {selection.nirspec}")
    return changed


class AptPanel:
    """The APT program controls of a :class:`~previs.dashboard.app.Dashboard`.

    Parameters
    ----------
    host : PanelHost
        The dashboard: its plan, ``set_plan`` and ``refresh``, status board
        (channel ``"apt"``) and update guard.
    form : PlanForm
        The plan form, whose ``overrides``
        (:class:`~previs.dashboard.overrides.PlanOverrides`) the pickers set.

    Attributes
    ----------
    program : AptProgram or None
        The program read (None before one is).
    nircam_picker, nirspec_picker : ipywidgets.Dropdown
        The NIRCam imaging and NIRSpec MOS observations (``0``: none).
    """

    def __init__(self, host: PanelHost, form: PlanForm) -> None:
        self._host = host
        self._form = form
        self._overrides = form.overrides
        self.program: AptProgram | None = None
        self.path: str | None = None
        self.uploads: dict[str, bytes] = {}
        self._upload_dir: str | None = None
        self.files = FileSource(
            what="APT file",
            placeholder="path/to/program.pointing",
            path_tooltip="APT pointing report (.pointing) or proposal XML (.xml) on the machine "
            "running the notebook; the other export of the same name beside it is read too",
            load_tooltip="Read this APT program",
            accept=APT_ACCEPT,
            upload_tooltip="Send an APT pointing report or XML from your computer (send the "
            "other export of the program next: the two are read together)",
            upload_class="previs-apt-upload",
            label_class="previs-apt-name",
            default_upload_name="program.pointing",
            load_path=self.load,
            load_bytes=self.load_upload,
            syncing=lambda: host.guard.active,
        )
        self.path_box, self.load_button = self.files.path_box, self.files.load_button
        self.upload, self.label = self.files.upload, self.files.label
        self.nircam_picker = _observation_picker(
            "NIRCam obs.",
            "An APT NIRCam imaging observation: its target and exposures (tiles and "
            "dithers with APT's numbers) replace the dither and mosaic controls",
        )
        self.nirspec_picker = _observation_picker(
            "NIRSpec obs.",
            "An APT NIRSpec MOS observation: the MSA at each of its pointings, at the "
            "NIRSpec APA shown; they move and turn with pointing 1",
        )
        self.replace_button = widgets.Button(
            description="Place as APT does",
            disabled=True,
            layout=widgets.Layout(width="auto"),
            tooltip="Put the MSA pointings where APT puts them at the NIRSpec APA shown (the "
            "slider turns them about pointing 1; APT turns them about the target)",
        )
        self.nircam_picker.add_class("previs-apt-nircam")
        self.nirspec_picker.add_class("previs-apt-nirspec")
        self.replace_button.add_class("previs-apt-replace")
        self.rows = [
            row([self.path_box, self.load_button]),
            row([self.upload]),
            upload_limit_note(),
            self.label,
            self.nircam_picker,
            self.nirspec_picker,
            self.replace_button,
        ]
        self.replace_button.on_click(lambda _: self.replace_nirspec())
        self.nircam_picker.observe(self._on_nircam, names="value")
        self.nirspec_picker.observe(self._on_nirspec, names="value")

    # ------------------------------------------------------------------ reading
    def load(self, path: str | os.PathLike, name: str | None = None) -> AptProgram:
        """Read an APT export and offer its observations; the plan is kept.

        Raises
        ------
        previs.errors.AptError
            When the file cannot be used (also shown in the status line, naming the
            file); the previous program stays.
        """
        from previs.io.apt import read_apt

        shown = name or Path(path).name
        try:
            program = read_apt(os.path.expanduser(os.fspath(path)))
        except PrevisError as error:
            self._error(f"{shown} was not read: {without_file_name(str(error), shown)}")
            raise
        self.program = program
        self.path = os.path.abspath(os.path.expanduser(os.fspath(path)))
        if name is None:
            self.uploads = {}
        self.files.shown(None if name else path)
        self._offer()
        self.follow_overrides()
        self._show_program(shown)
        return program

    def load_upload(self, data: bytes, name: str) -> AptProgram:
        """Read uploaded bytes of an APT export (kept in the panel's folder, beside any
        other export of the same program uploaded before)."""
        if self._upload_dir is None:
            self._upload_dir = tempfile.mkdtemp(prefix="previs-apt-")
            # the folder goes with the panel (or the kernel), not left in the temp dir
            weakref.finalize(self, shutil.rmtree, self._upload_dir, ignore_errors=True)
        safe = Path(name).name.strip() or "program.pointing"
        path = Path(self._upload_dir) / safe
        write_bytes_atomic(path, bytes(data), may_replace=ANY_INPUT)  # a re-upload replaces
        self.uploads[safe] = bytes(data)
        return self.load(path, name=safe)

    def _offer(self) -> None:
        """Fill the pickers with the program's NIRCam imaging and NIRSpec MOS observations."""
        program = self.program
        nircam, nirspec = [("none", NONE)], [("none", NONE)]
        for summary in program.summaries():
            template = summary.get("template")
            if summary["instrument"] == "NIRCam" and template in (None, "NircamImaging"):
                nircam.append((observation_label(summary), summary["number"]))
            elif summary["instrument"] == "NIRSpec" and template in (None, "NirspecMOS"):
                nirspec.append((observation_label(summary), summary["number"]))
        self._nircam_options, self._nirspec_options = nircam, nirspec
        with self._host.guard.hold():
            for picker, options in ((self.nircam_picker, nircam), (self.nirspec_picker, nirspec)):
                picker.options = options
                picker.value = NONE
                picker.disabled = False

    def _show_program(self, shown: str) -> None:
        program = self.program
        read = " + ".join(r.name for r in (program.report, program.proposal) if r is not None)
        n_nircam, n_nirspec = len(self._nircam_options) - 1, len(self._nirspec_options) - 1
        self.label.value = f"<span style='font-size:0.9em'>{html.escape(read)}</span>"
        self._host.status.set(
            "apt",
            f"APT program <b>{html.escape(shown)}</b> (read {html.escape(read)}): "
            f"{len(program.numbers())} observations, {n_nircam} NIRCam imaging, "
            f"{n_nirspec} NIRSpec MOS.",
        )

    # ------------------------------------------------------------------ picking
    def _on_nircam(self, change: dict[str, Any]) -> None:
        if self._host.guard.active or change["new"] == KEEP:
            return
        try:
            self.pick_nircam(change["new"] or None)
        except PrevisError:
            self.follow_overrides()  # back to what the plan has; the message says why

    def _on_nirspec(self, change: dict[str, Any]) -> None:
        if self._host.guard.active or change["new"] == KEEP:
            return
        try:
            self.pick_nirspec(change["new"] or None)
        except PrevisError:
            self.follow_overrides()

    def pick_nircam(self, number: int | None) -> None:
        """Plan the pre-imaging as APT observation ``number`` (None: the dither and mosaic
        controls again). The NIRCam APA stays the slider's (or the tie's).

        Raises
        ------
        previs.errors.PrevisError
            When the observation cannot be planned (shown; the plan is unchanged).
        """
        host = self._host
        if number is None:
            self._overrides.set_nircam(None)
            self._after_pick()
            host.refresh()
            return
        program = self._require_program()
        try:
            exposures = program.nircam_exposures(number)
            ra, dec, _ = program.nircam_target(number)
        except PrevisError as error:
            self._error(f"APT observation {number} was not used: {error}")
            raise
        note = _nircam_note(program, number, exposures)
        plan = host.plan
        nircam = _clean(Pointing(ra, dec, plan.nircam.apa))
        nirspec = plan.nirspec
        if self._overrides.pattern is None and _separation_deg(nircam, nirspec) > OTHER_FIELD_DEG:
            nirspec = Pointing(nircam.ra, nircam.dec, nirspec.apa)  # the MSA goes to the field
            note += "; the NIRSpec pointing moved to its target"
        plan = self._checked(
            number, lambda: plan.replace(nircam=nircam, dither=exposures, nirspec=nirspec)
        )
        self._overrides.set_nircam(exposures, Source(program.name, number, note))
        self._set(plan, apt_nircam=True)

    def pick_nirspec(self, number: int | None) -> None:
        """Put the MSA at every pointing of APT observation ``number`` at the NIRSpec APA
        shown (None: the first pointing alone). A tied NIRCam APA follows pointing 1.

        Raises
        ------
        previs.errors.PrevisError
            When the observation is not NIRSpec MOS or has no pointing (shown; the plan
            is unchanged).
        """
        host = self._host
        if number is None:
            self._overrides.set_nirspec(None)
            self._after_pick()
            host.refresh()
            return
        program = self._require_program()
        apa = host.controls.nirspec_apa.value
        try:
            pointings = [_clean(p) for p in program.nirspec_pointings(number, apa)]
        except PrevisError as error:
            self._error(f"APT observation {number} was not used: {error}")
            raise
        first, others = pointings[0], tuple(pointings[1:])
        note = _nirspec_note(number, len(pointings))
        plan = host.plan
        nircam = plan.nircam
        if host.controls.tie_apa.value:
            nircam = Pointing(nircam.ra, nircam.dec, clean_degrees(nircam_apa_for(first.apa), 9))
        apt_nircam = self._overrides.exposures is not None
        if not apt_nircam and host.controls.nircam_mode.value == "same":
            nircam = Pointing(first.ra, first.dec, nircam.apa)  # NIRCam at NIRSpec's place
        elif not apt_nircam and _separation_deg(nircam, first) > OTHER_FIELD_DEG:
            nircam = Pointing(first.ra, first.dec, nircam.apa)  # NIRCam goes to the field
        plan = self._checked(
            number, lambda: plan.replace(nirspec=first, extra_nirspec=others, nircam=nircam)
        )
        self._overrides.set_nirspec(
            NirspecPattern(first, others) if others else None, Source(program.name, number, note)
        )
        self._set(plan, apt_nircam)
        if not others:
            self._host.status.set("apt", f"APT observation {number} has one MSA pointing.")

    def _checked(self, number: int, make):
        """``make()`` (a new plan), its PrevisError shown as the observation's."""
        try:
            return make()
        except PrevisError as error:
            self._error(f"APT observation {number} was not used: {error}")
            raise

    def replace_nirspec(self) -> None:
        """Pick the NIRSpec observation shown again: its pointings where APT puts them at
        the NIRSpec APA now shown (the slider turns them about pointing 1)."""
        number = self.nirspec_picker.value
        if number not in (NONE, KEEP):
            self.pick_nirspec(number)

    def _set(self, plan, apt_nircam: bool = False) -> None:
        """Show ``plan``; an APT NIRCam target is entered as its own RA/Dec (it stays when
        the NIRSpec pointing moves), else the NIRCam centre keeps its way of entry."""
        host = self._host
        mode = host.controls.nircam_mode.value
        same = (plan.nircam.ra, plan.nircam.dec) == (plan.nirspec.ra, plan.nirspec.dec)
        if apt_nircam or (mode == "same" and not same):
            mode = "radec"
        host.set_plan(plan, mode)
        host.status.set("apt", "")
        if not host.image_panel.shows_pointing(host.plan):
            host.view.fit_all()  # the image stays; the view widens to the footprints
            host.status.set(
                "apt",
                "The APT pointings are off the image shown: the view now holds them too "
                "(load an image of the field, or choose No image for a sky grid there).",
            )

    def _after_pick(self) -> None:
        self._form.show_overrides()
        self.follow_overrides()
        self._host.status.set("apt", "")

    def _require_program(self) -> AptProgram:
        if self.program is None:
            text = "no APT program is loaded: give a .pointing or .xml file first"
            self._error(text)
            raise PrevisError(text)
        return self.program

    # ------------------------------------------------------------------ following the plan
    def follow_overrides(self) -> None:
        """Show in the pickers what drives the plan: an observation of this program,
        "as the plan has it" (a saved session, another program) or none."""
        for picker, source, active in (
            (self.nircam_picker, self._overrides.nircam_source, self._overrides.exposures),
            (self.nirspec_picker, self._overrides.nirspec_source, self._overrides.pattern),
        ):
            base = [o for o in picker.options if o[1] != KEEP]
            value = NONE
            if active is not None and source is not None:
                ours = self.program is not None and source.program == self.program.name
                if ours and any(o[1] == source.observation for o in base):
                    value = source.observation
                else:
                    base.append(("as the plan has it", KEEP))
                    value = KEEP
            with self._host.guard.hold():
                if list(picker.options) != base:
                    picker.options = base
                picker.value = value
                # Without a program a picker still offers "none" for the plan's own.
                picker.disabled = self.program is None and value != KEEP
        self.replace_button.disabled = self.nirspec_picker.value in (NONE, KEEP)

    # ------------------------------------------------------------------ sessions
    def config_value(self) -> AptSelection | None:
        """What a saved session's ``apt`` key holds: the program read (its path; an
        upload's copy in the panel's folder) and the observations picked in it."""
        from previs.io.session_apt import AptSelection

        if self.program is None or self.path is None:
            return None
        picked = [p.value if p.value not in (NONE, KEEP) else None for p in self.pickers]
        return AptSelection(self.path, *picked)

    @property
    def pickers(self) -> tuple[widgets.Dropdown, widgets.Dropdown]:
        """The NIRCam and NIRSpec observation pickers."""
        return self.nircam_picker, self.nirspec_picker

    def restore(self, selection: AptSelection | None, plan: Plan) -> None:
        """After a session's plan is shown, read its APT program again and show the
        observations picked, when the plan still has their exposures and pointings;
        else (the file gone or changed) keep the plan's own and say so."""
        if selection is None:
            return
        from previs.io.apt import read_apt

        name = Path(selection.file).name
        try:
            program = read_apt(selection.file)
        except PrevisError as error:
            self._host.status.set_error(
                "apt", f"The session's APT program {html.escape(name)} was not read again "
                f"({html.escape(str(error))}): the plan keeps its saved exposures and pointings."
            )  # fmt: skip
            return
        self.program, self.path, self.uploads = program, selection.file, {}
        self.files.shown(selection.file)
        self._offer()
        changed = _restore_picks(program, selection, plan, self._overrides)
        self._form.show_overrides()
        self.follow_overrides()
        self._show_program(name)
        if changed:
            self._host.status.set_error(
                "apt", f"The APT program {html.escape(name)} has changed since the session was "
                f"saved ({', '.join(changed)} differ): the plan keeps its saved exposures and "
                "pointings."
            )  # fmt: skip

    def _error(self, text: str) -> None:
        self._host.status.set_error("apt", f"{text} The plan is unchanged.")

    @property
    def message(self) -> str:
        """The panel's note in the status line (markup)."""
        return self._host.status.get("apt")


def _observation_picker(description: str, tooltip: str) -> widgets.Dropdown:
    """An observation picker, empty ("none") and off until a program is read."""
    return widgets.Dropdown(
        options=[("none", NONE)],
        value=NONE,
        description=description,
        style={"description_width": "128px"},
        disabled=True,
        tooltip=tooltip,
    )
