"""The dashboard's "Display" section: image stretch and colours, overlay colours, fit all.

:class:`DisplayPanel` owns the widgets of a
:class:`previs.io.session.DisplaySettings` (stretch, percentile limits, colour
map, NIRSpec and NIRCam colours, fill opacity, both NIRCam channels) and the
"Fit all" button, and hands the settings to the dashboard's
:class:`previs.plotting.sky.SkyView`. Nothing here changes the plan or its
coverage; the settings are saved with the session.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from previs.dashboard.page import row
from previs.errors import PrevisError
from previs.io.session import COLOUR_MAPS, STRETCHES, DisplaySettings
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.dashboard.host import PanelHost

__all__ = ["DisplayPanel"]


class DisplayPanel:
    """Display widgets of a :class:`~previs.dashboard.app.Dashboard`.

    Parameters
    ----------
    host : PanelHost
        The dashboard whose view draws with these settings.

    Attributes
    ----------
    rows : list of widgets
        What the controls column shows under "Display".
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        default = DisplaySettings()
        style = {"description_width": "128px"}
        self.stretch = widgets.Dropdown(
            options=list(STRETCHES), value=default.stretch, description="Stretch", style=style,
            tooltip="Brightness scale of the image between the display limits",
        )  # fmt: skip
        self.cmap = widgets.Dropdown(
            options=list(COLOUR_MAPS), value=default.cmap, description="Colour map",
            style=style, tooltip="Colours of the image (gray_r: dark sources on white)",
        )  # fmt: skip
        self.low = widgets.BoundedFloatText(
            value=default.limits_percent[0], min=0.0, max=99.9, step=0.1,
            description="Limits: low %", style=style,
            tooltip="Percentile of the image pixels drawn black (the low display limit)",
        )  # fmt: skip
        self.high = widgets.BoundedFloatText(
            value=default.limits_percent[1], min=0.1, max=100.0, step=0.1,
            description="high %", style={"description_width": "52px"},
            tooltip="Percentile of the image pixels drawn white (the high display limit)",
        )  # fmt: skip
        self.nirspec_colour = widgets.ColorPicker(
            value=default.nirspec_colour, concise=True, description="NIRSpec colour",
            style=style, tooltip="Outline colour of the MSA, IFU and fixed slits",
        )  # fmt: skip
        self.nircam_colour = widgets.ColorPicker(
            value=default.nircam_colour, concise=True, description="NIRCam colour",
            style=style, tooltip="Colour of the NIRCam detectors",
        )  # fmt: skip
        self.fill_opacity = widgets.FloatSlider(
            value=default.fill_opacity, min=0.0, max=0.6, step=0.02, readout_format=".2f",
            description="NIRCam fill", style=style, continuous_update=False,
            tooltip="Opacity of the NIRCam detectors' fill (0: outlines only)",
        )  # fmt: skip
        self.both_channels = widgets.Checkbox(
            value=default.both_channels, indent=False,
            description="both NIRCam channels (other one dashed)",
            tooltip="Also draw the detectors of the other NIRCam channel (SW or LW), dashed",
        )  # fmt: skip
        self.fit_button = widgets.Button(
            description="Fit all",
            tooltip="Show the image and every footprint, also where they run off the image "
            "(the toolbar's Home button then returns here)",
        )
        self.fit_button.add_class("previs-fit-all")
        self.message = widgets.HTML()
        self.rows = [
            self.stretch,
            self.cmap,
            row([self.low, self.high]),
            row([self.nirspec_colour, self.nircam_colour]),
            self.fill_opacity,
            self.both_channels,
            row([self.fit_button]),
            self.message,
        ]
        self._widgets = (
            self.stretch, self.cmap, self.low, self.high, self.nirspec_colour,
            self.nircam_colour, self.fill_opacity, self.both_channels,
        )  # fmt: skip
        for control in self._widgets:
            control.observe(self._on_change, names="value")
        self.fit_button.on_click(lambda _: self.fit_all())

    # ------------------------------------------------------------------ settings
    def settings(self) -> DisplaySettings:
        """The widgets as DisplaySettings (PrevisError for impossible limits)."""
        return DisplaySettings(
            stretch=self.stretch.value,
            limits_percent=(float(self.low.value), float(self.high.value)),
            cmap=self.cmap.value,
            nirspec_colour=_hex(self.nirspec_colour.value),
            nircam_colour=_hex(self.nircam_colour.value),
            fill_opacity=float(self.fill_opacity.value),
            both_channels=bool(self.both_channels.value),
        )

    def set_settings(self, display: DisplaySettings) -> None:
        """Set the widgets (and the view) from ``display``."""
        with self._host.guard.hold():
            self.stretch.value = display.stretch
            self.cmap.value = display.cmap
            self.low.value, self.high.value = display.limits_percent
            self.nirspec_colour.value = display.nirspec_colour
            self.nircam_colour.value = display.nircam_colour
            self.fill_opacity.value = display.fill_opacity
            self.both_channels.value = display.both_channels
        self._host.view.set_display(display)
        self._host.view.refresh()

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._host.guard.active:
            return
        try:
            display = self.settings()
        except (PrevisError, ValueError) as error:
            self.message.value = (
                f"<span style='color:{UI_COLOURS['error']};font-size:0.9em'>&#9888; "
                f"{html.escape(str(error))}</span>"
            )
            return
        self.message.value = ""
        self._host.view.set_display(display)

    def fit_all(self) -> None:
        """Show the image and every footprint ("Fit all"); Home returns to this view."""
        try:
            self._host.view.fit_all()
        except ValueError as error:
            self.message.value = html.escape(str(error))


def _hex(value: str) -> str:
    """A ColorPicker value as ``#rrggbb`` (it may hold a CSS colour name or ``#rgb``)."""
    from matplotlib.colors import to_hex

    try:
        return to_hex(value)
    except ValueError:
        raise PrevisError(f"not a colour: {value!r}; pick one or type #rrggbb") from None
