"""The dashboard's plan controls: where NIRSpec and NIRCam point, how NIRCam observes, what shows.

:class:`PlanControls` builds and lays out the widgets a user edits to describe
a :class:`~previs.planning.plan.Plan` (NIRSpec RA/Dec/APA, the NIRCam centre as the same
place, an offset or its own RA/Dec, the NIRCam APA or its tie to NIRSpec,
dither, mosaic, channel) and the show/hide checkboxes and click target. It
holds no state beyond the widgets: reading them into a Plan and setting them
from one is :class:`previs.dashboard.form.PlanForm`'s job.
"""

from __future__ import annotations

import ipywidgets as widgets

from previs.geometry.patterns import DITHER_NAMES
from previs.io.session import ShowFlags, ViewSettings

__all__ = [
    "MOSAIC_SLIDER_MAX",
    "NIRCAM_MODES",
    "OVERLAP_SLIDER_RANGE",
    "APA_STEP",
    "DITHER_LABELS",
    "PlanControls",
    "heading",
]

MOSAIC_SLIDER_MAX = 4
OVERLAP_SLIDER_RANGE = (0.0, 50.0)
#: How the NIRCam centre is entered: key -> button label.
NIRCAM_MODES = {"same": "same", "offset": "offset", "radec": "RA/Dec"}
#: Dropdown labels of the dither patterns: name first (as APT spells it), then the
#: number of positions; short enough for the narrowest controls column.
DITHER_LABELS = {
    "NONE": "NONE · 1 exposure",
    "FULL3": "FULL3 · 3",
    "FULL3TIGHT": "FULL3TIGHT · 3",
    "FULL6": "FULL6 · 6",
    "8NIRSPEC": "8NIRSPEC · 8",
    "INTRAMODULE3": "INTRAMODULE3 · 3",
    "INTRAMODULE16": "INTRAMODULE16 · 16",
    "INTRAMODULEBOX2": "INTRAMODULEBOX2 · 2",
    "INTRAMODULEBOX3": "INTRAMODULEBOX3 · 3",
    "INTRASCA2": "INTRASCA2 · 2",
    "FULLBOX2TIGHTGAPS": "FULLBOX2TIGHTGAPS · 2",
}
#: What each pattern is for (the dropdown's tooltip lists them).
_DITHER_NOTES = {
    "NONE": "one exposure, no dither",
    "FULL3": "3 positions across the module gaps",
    "FULL3TIGHT": "3 positions, tighter: deeper centre",
    "FULL6": "6 positions across the module gaps",
    "8NIRSPEC": "8 positions made to cover the whole MSA",
    "INTRAMODULE3": "3 small moves inside a module",
    "INTRAMODULE16": "16 small moves inside a module",
    "INTRAMODULEBOX2": "2 positions of a box inside a module",
    "INTRAMODULEBOX3": "3 positions of a box inside a module",
    "INTRASCA2": "2 moves inside one detector",
    "FULLBOX2TIGHTGAPS": "2 positions filling the module and detector gaps",
}
#: Step of the angle sliders (degrees); the arrow keys move 1 degree, PageUp/Down 10.
APA_STEP = 0.1


def heading(text: str) -> widgets.HTML:
    """A section title in a panel."""
    return widgets.HTML(f"<b style='font-size:1.05em'>{text}</b>")


def _show_toggle(description: str, tooltip: str) -> widgets.Checkbox:
    """A show/hide checkbox, on at start."""
    return widgets.Checkbox(value=True, description=description, indent=False, tooltip=tooltip)


class PlanControls:
    """The plan-entry widgets, the show/hide checkboxes and the click target.

    Parameters
    ----------
    tie_apa : bool
        Start with "Tie NIRCam APA to NIRSpec" ticked.
    """

    def __init__(self, tie_apa: bool) -> None:
        style = {"description_width": "128px"}

        def text(description: str, tooltip: str, placeholder: str = "") -> widgets.Text:
            return widgets.Text(
                description=description,
                tooltip=tooltip,
                placeholder=placeholder,
                continuous_update=False,
                style=style,
            )

        def apa_slider(description: str, tooltip: str) -> widgets.FloatSlider:
            slider = widgets.FloatSlider(
                value=0.0,
                min=0.0,
                max=360.0,
                step=APA_STEP,
                description=description,
                tooltip=tooltip,
                continuous_update=True,
                readout_format=".1f",
                style=style,
            )
            slider.add_class("previs-angle-slider")
            return slider

        self.nirspec_ra = text(
            "NIRSpec RA",
            "Right ascension of the MSA centre: degrees (53.1625) or hours:min:sec (03:32:39.0)",
            "53.1625 or 03:32:39.0",
        )
        self.nirspec_dec = text(
            "NIRSpec Dec",
            "Declination of the MSA centre: degrees (-27.7914) or deg:min:sec (-27:47:29)",
            "-27.7914 or -27:47:29",
        )
        self.nirspec_apa = apa_slider(
            "NIRSpec APA °",
            "Position angle of the MSA on the sky (degrees east of north). The "
            "schedulers fix it later; drag to see which angles your pre-imaging covers.",
        )
        self.nircam_mode = widgets.ToggleButtons(
            options=[(label, key) for key, label in NIRCAM_MODES.items()],
            description="NIRCam centre",
            style=style,
            tooltips=[
                "NIRCam points at the NIRSpec position",
                "NIRCam points at an offset (arcsec east, north) from NIRSpec",
                "NIRCam points at its own RA/Dec",
            ],
        )
        self.nircam_dx = widgets.FloatText(
            value=0.0,
            step=5.0,
            description='East offset "',
            style=style,
            tooltip="NIRCam centre minus NIRSpec centre towards east, arcsec",
            continuous_update=False,
        )
        self.nircam_dy = widgets.FloatText(
            value=0.0,
            step=5.0,
            description='North offset "',
            style=style,
            tooltip="NIRCam centre minus NIRSpec centre towards north, arcsec",
            continuous_update=False,
        )
        self.nircam_ra = text(
            "NIRCam RA",
            "Right ascension of the NIRCam field centre (both modules): degrees or hours:min:sec",
        )
        self.nircam_dec = text(
            "NIRCam Dec", "Declination of the NIRCam field centre: degrees or deg:min:sec"
        )
        self.offset_box = widgets.VBox([self.nircam_dx, self.nircam_dy])
        self.radec_box = widgets.VBox([self.nircam_ra, self.nircam_dec])
        self.tie_apa = widgets.Checkbox(
            value=bool(tie_apa),
            description="Tie NIRCam APA to NIRSpec (same V3PA)",
            indent=False,
            tooltip="Pre-imaging taken at the same spacecraft orientation as the spectroscopy: "
            "the NIRCam angle then follows the NIRSpec angle",
        )
        self.nircam_apa = apa_slider(
            "NIRCam APA °",
            "Position angle of the NIRCam field (degrees east of north); the "
            "pre-imaging is usually taken on another date, at another angle",
        )
        self.dither = widgets.Dropdown(
            options=[(DITHER_LABELS.get(name, name), name) for name in DITHER_NAMES],
            description="Dither",
            style=style,
            tooltip="NIRCam dither pattern (positions): small telescope moves between exposures "
            "that fill the gaps between detectors.\n"
            + "\n".join(f"{name}: {_DITHER_NOTES.get(name, '')}" for name in DITHER_NAMES),
        )
        self.rows = widgets.IntSlider(
            value=1,
            min=1,
            max=MOSAIC_SLIDER_MAX,
            description="Mosaic rows",
            style=style,
            tooltip="Mosaic tiles stacked along NIRCam's short (Y) side",
        )
        self.columns = widgets.IntSlider(
            value=1,
            min=1,
            max=MOSAIC_SLIDER_MAX,
            description="Mosaic columns",
            style=style,
            tooltip="Mosaic tiles side by side along NIRCam's long (X) side",
        )
        self.row_overlap = widgets.FloatSlider(
            value=10.0,
            min=OVERLAP_SLIDER_RANGE[0],
            max=OVERLAP_SLIDER_RANGE[1],
            step=None,
            description="Row overlap %",
            style=style,
            readout_format=".0f",
            tooltip="How much neighbouring rows overlap, percent of the tile height",
        )
        self.column_overlap = widgets.FloatSlider(
            value=10.0,
            min=OVERLAP_SLIDER_RANGE[0],
            max=OVERLAP_SLIDER_RANGE[1],
            step=None,
            description="Column overlap %",
            style=style,
            readout_format=".0f",
            tooltip="How much neighbouring columns overlap, percent of the tile width",
        )
        self.channel = widgets.ToggleButtons(
            options=[("short (SW)", "short"), ("long (LW)", "long")],
            description="Channel",
            style=style,
            tooltips=[
                "0.6-2.3 micron: eight detectors with small gaps",
                "2.4-5 micron: two large detectors",
            ],
        )
        self.show_ifu_slits = _show_toggle(
            "IFU and fixed slits", "Draw NIRSpec's IFU and fixed slits next to the MSA"
        )
        self.show_nircam = _show_toggle(
            "NIRCam detectors",
            "Draw every NIRCam detector of every exposure (overlaps look brighter)",
        )
        self.show_uncovered = _show_toggle(
            "uncovered MSA area", "Shade the part of the MSA no NIRCam exposure sees"
        )
        self.show_primaries = _show_toggle(
            "primary targets", "Mark the catalog's primary targets (green circles)"
        )
        self.show_fillers = _show_toggle(
            "fillers", "Mark the catalog's filler sources (violet squares)"
        )
        self.click_target = widgets.ToggleButtons(
            options=[("NIRCam", "nircam"), ("NIRSpec", "nirspec")],
            description="Click moves",
            style=style,
            tooltips=[
                "A click on the image moves the NIRCam centre there",
                "A click on the image moves the NIRSpec MSA centre there",
            ],
        )

        #: Why a typed angle changed (wrapped at 360 degrees) or was refused.
        self.angle_note = widgets.HTML()
        self.angle_note.add_class("previs-angle-note")
        #: A hint shown while the NIRCam APA is tied to the NIRSpec APA.
        self.tie_hint = widgets.HTML()
        self.tie_hint.add_class("previs-tie-hint")
        #: What drives the NIRCam exposures instead of the dither and mosaic (an APT
        #: observation), and what the NIRSpec pointings follow (several of them).
        self.setup_note = widgets.HTML()
        self.setup_note.add_class("previs-setup-note")
        self.nirspec_note = widgets.HTML()
        self.nirspec_note.add_class("previs-nirspec-note")
        self.nirspec_apa.add_class("previs-nirspec-apa")
        self.nircam_apa.add_class("previs-nircam-apa")
        self.dither.add_class("previs-dither")
        self.rows.add_class("previs-mosaic-rows")
        self.columns.add_class("previs-mosaic-columns")
        #: Every widget whose change makes a new plan.
        self.plan_widgets = (
            self.nirspec_ra,
            self.nirspec_dec,
            self.nirspec_apa,
            self.nircam_mode,
            self.nircam_dx,
            self.nircam_dy,
            self.nircam_ra,
            self.nircam_dec,
            self.tie_apa,
            self.nircam_apa,
            self.dither,
            self.rows,
            self.columns,
            self.row_overlap,
            self.column_overlap,
            self.channel,
        )
        #: The show/hide checkboxes.
        self.show_toggles = (
            self.show_ifu_slits,
            self.show_nircam,
            self.show_uncovered,
            self.show_primaries,
            self.show_fillers,
        )

    def view_settings(self) -> ViewSettings:
        """The show/hide toggles, click target, NIRCam mode and APA tie as ViewSettings."""
        return ViewSettings(
            tie_orient=self.tie_apa.value,
            show=ShowFlags(
                ifu_slits=self.show_ifu_slits.value,
                detectors=self.show_nircam.value,
                uncovered=self.show_uncovered.value,
                primaries=self.show_primaries.value,
                fillers=self.show_fillers.value,
            ),
            click_target=self.click_target.value,
            nircam_mode=self.nircam_mode.value,
        )

    def set_view_settings(self, view: ViewSettings) -> None:
        """Set the toggles, click target and APA tie (the NIRCam mode goes with the plan)."""
        self.show_ifu_slits.value = view.show.ifu_slits
        self.show_nircam.value = view.show.detectors
        self.show_uncovered.value = view.show.uncovered
        self.show_primaries.value = view.show.primaries
        self.show_fillers.value = view.show.fillers
        self.click_target.value = view.click_target
        self.tie_apa.value = view.tie_orient

    def shown(self) -> dict[str, bool]:
        """The show/hide toggles as :meth:`previs.plotting.sky.SkyView.set_visible` takes them."""
        return {
            "ifu_slits": self.show_ifu_slits.value,
            "nircam": self.show_nircam.value,
            "uncovered": self.show_uncovered.value,
            "primaries": self.show_primaries.value,
            "fillers": self.show_fillers.value,
        }

    def show_nircam_mode(self, mode: str) -> None:
        """Show the NIRCam position fields of ``mode`` (same/offset/radec), hide the others."""
        self.offset_box.layout.display = None if mode == "offset" else "none"
        self.radec_box.layout.display = None if mode == "radec" else "none"

    def column(
        self,
        image_rows: list,
        catalog_rows: list,
        display_rows: list = (),
        apt_rows: list = (),
    ) -> widgets.VBox:
        """The left column of the Plan tab: these controls, then the image, catalog, APT
        program and display rows."""
        checks = widgets.HBox(list(self.show_toggles))
        checks.add_class("previs-checks")
        return widgets.VBox(
            [
                heading("NIRSpec MSA (spectroscopy)"),
                self.nirspec_ra,
                self.nirspec_dec,
                self.nirspec_apa,
                self.angle_note,
                self.nirspec_note,
                heading("NIRCam pre-imaging"),
                self.nircam_mode,
                self.offset_box,
                self.radec_box,
                self.tie_apa,
                self.tie_hint,
                self.nircam_apa,
                self.dither,
                self.setup_note,
                self.rows,
                self.columns,
                self.row_overlap,
                self.column_overlap,
                self.channel,
                heading("Show"),
                checks,
                self.click_target,
                heading("Image"),
                *image_rows,
                heading("Catalog"),
                *catalog_rows,
                *([heading("APT program"), *apt_rows] if apt_rows else []),
                *([heading("Display"), *display_rows] if display_rows else []),
            ]
        )
