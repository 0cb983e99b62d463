"""What the dashboard adds to the page: one stylesheet and a small behaviour module.

:func:`stylesheet` is an ``ipywidgets.HTML`` holding the dashboard's only
stylesheet (``static/dashboard.css``): flex columns that share the width and
never overflow, a layout that follows the dashboard's own width (a CSS
container query, so JupyterLab's side panels count) and stacks below 1100 px,
messages that wrap inside their column and a readout that stays in view.

:class:`PageHelper` is an `anywidget <https://anywidget.dev>`_ module
(``static/dashboard.js``) for what CSS cannot do: it reports the figure
column's width and the window's height (:attr:`PageHelper.figure_box`), from
which :func:`figure_side_px` picks the figure's size; it lets Tab leave the
ipympl canvas, gives the angle sliders 1 degree per arrow key and 10 per page
(wrapping at 0/360), and names sliders, toggles and checkboxes for screen
readers. Without anywidget the dashboard works as before, at a fixed size.

Layer: dashboard. No geometry here.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

__all__ = [
    "DEFAULT_UPLOAD_LIMIT",
    "UPLOAD_LIMIT_ENV",
    "upload_limit_bytes",
    "upload_limit_note",
    "FIGURE_MAX_PX",
    "FIGURE_MIN_PX",
    "PageLayout",
    "PageHelper",
    "figure_side_px",
    "make_page_helper",
    "row",
    "stylesheet",
]

STATIC = Path(__file__).with_name("static")
#: Bounds of the sky figure's side, CSS pixels.
FIGURE_MIN_PX = 360
FIGURE_MAX_PX = 1100
#: Height kept free under the figure in the window (status line, toolbar, margins).
_FREE_HEIGHT_PX = 150
#: Width the canvas frame (borders, margins) takes beside the figure.
_FREE_WIDTH_PX = 14


#: The websocket message limit of a Jupyter server left at its defaults (tornado's 10 MiB).
DEFAULT_UPLOAD_LIMIT = 10 * 2**20
#: Set by ``previs app`` to the limit it gives the server (kernels inherit it).
UPLOAD_LIMIT_ENV = "PREVIS_UPLOAD_LIMIT"


def upload_limit_bytes() -> int:
    """The largest upload the server takes: ``$PREVIS_UPLOAD_LIMIT`` (``previs app`` sets it),
    else ``ServerApp.tornado_settings.websocket_max_message_size`` from the Jupyter config
    files (Binder's image sets it), else tornado's default 10 MiB."""
    import json
    import os

    value = os.environ.get(UPLOAD_LIMIT_ENV, "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        from jupyter_core.paths import jupyter_config_path
    except ImportError:  # pragma: no cover - a kernel always has jupyter_core
        return DEFAULT_UPLOAD_LIMIT
    for folder in map(Path, jupyter_config_path()):
        candidates = [folder / "jupyter_server_config.json"]
        candidates += sorted((folder / "jupyter_server_config.d").glob("*.json"))
        for path in candidates:
            try:
                settings = json.loads(path.read_text(encoding="utf-8"))
                size = settings["ServerApp"]["tornado_settings"]["websocket_max_message_size"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if isinstance(size, int) and size > 0:
                return size
    return DEFAULT_UPLOAD_LIMIT


def upload_limit_note(limit: int | None = None) -> widgets.HTML:
    """The note beside upload buttons: the server's limit and how to get past it."""
    limit = upload_limit_bytes() if limit is None else limit
    size = f"{limit / 2**30:g} GiB" if limit >= 2**30 else f"{limit / 2**20:.3g} MiB"
    advice = (
        "larger files: type their path"
        if limit >= 2**30
        else "<code>previs app</code> raises it to 1 GiB; or type the file's path"
    )
    note = widgets.HTML(
        f"<span>Uploads up to {size} (the server's message limit); {advice}.</span>"
    )
    note.add_class("previs-upload-limit")
    return note


def row(children: list, css_class: str = "previs-row") -> widgets.HBox:
    """Widgets side by side that wrap onto more lines when the column is narrow."""
    box = widgets.HBox(list(children))
    box.add_class(css_class)
    return box


def stylesheet() -> widgets.HTML:
    """The dashboard's stylesheet as an HTML widget (display it once, anywhere on the page)."""
    css = (STATIC / "dashboard.css").read_text(encoding="utf-8")
    sheet = widgets.HTML(f"<style>{css}</style>")
    sheet.add_class("previs-page-helper")
    return sheet


def figure_side_px(column_width: float, window_height: float) -> int:
    """Side of the square sky figure, CSS pixels, for a figure column of ``column_width``
    and a window ``window_height`` tall: as wide as the column, short enough to leave
    the status line and toolbar in view, within :data:`FIGURE_MIN_PX`-:data:`FIGURE_MAX_PX`."""
    side = min(float(column_width) - _FREE_WIDTH_PX, float(window_height) - _FREE_HEIGHT_PX)
    return int(max(FIGURE_MIN_PX, min(FIGURE_MAX_PX, side)))


try:
    import anywidget
    import traitlets
except ImportError:  # pragma: no cover - anywidget is part of previs[app]
    anywidget = None

if anywidget is not None:

    class PageHelper(anywidget.AnyWidget):
        """Page behaviour of one dashboard (``static/dashboard.js``); shows nothing.

        Attributes
        ----------
        figure_box : list of int
            ``[figure column width, window height]`` in CSS pixels, as the
            browser last reported them (empty before the first report).
        """

        _esm = STATIC / "dashboard.js"
        figure_box = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
        #: Uploads larger than this (bytes) are stopped in the browser with a message.
        upload_limit = traitlets.Int(DEFAULT_UPLOAD_LIMIT).tag(sync=True)

else:  # pragma: no cover
    PageHelper = None


class PageLayout:
    """The Plan tab's three columns, the stylesheet and the page helper around them.

    Parameters
    ----------
    controls : ipywidgets.Box
        The controls column.
    figure_column, readout_column : list of widgets
        What the figure column and the readout column hold.
    canvas : ipympl Canvas
        The sky figure's canvas, resized by :meth:`fit_figure` when the page
        helper reports the figure column's width.

    Attributes
    ----------
    plan_tab : ipywidgets.HBox
        The three columns (``previs-plan``).
    widget : ipywidgets.VBox
        The dashboard's root (``previs-dashboard``): stylesheet, helper, content.
    helper : PageHelper or None
        The page helper (None without anywidget).
    """

    def __init__(self, controls, figure_column: list, readout_column: list, canvas) -> None:
        self.canvas = canvas
        controls.add_class("previs-controls")
        figure = widgets.VBox(list(figure_column))
        figure.add_class("previs-figure-column")
        readout = widgets.VBox(list(readout_column))
        readout.add_class("previs-readout-column")
        self.plan_tab = widgets.HBox([controls, figure, readout])
        self.plan_tab.add_class("previs-plan")
        self.helper = make_page_helper()
        self._page = [stylesheet()] + ([self.helper] if self.helper is not None else [])
        if self.helper is not None:
            self.helper.observe(self._on_figure_box, names="figure_box")
        self.widget = widgets.VBox([*self._page, self.plan_tab])
        self.widget.add_class("previs-dashboard")

    def on_message(self, callback) -> None:
        """Call ``callback(content)`` with each message of the page helper (a dict with a
        ``kind``: ``"angle-wrapped"``, ``"angle-refused"``); nothing without the helper."""
        if self.helper is not None:
            self.helper.on_msg(lambda _widget, content, _buffers: callback(content))

    def show(self, content) -> None:
        """Show ``content`` (e.g. the Plan and Schedule tabs) instead of the Plan tab alone."""
        self.widget.children = [*self._page, content]

    def _on_figure_box(self, change: dict) -> None:
        box = change["new"]
        if len(box) == 2:
            self.fit_figure(*box)

    def fit_figure(self, column_width: float, window_height: float) -> int:
        """Resize the figure to :func:`figure_side_px` (when that changes it by 4 px or
        more) as ipympl's own resize handle would; returns the side in CSS pixels."""
        side = figure_side_px(column_width, window_height)
        canvas = self.canvas
        ratio = getattr(canvas, "device_pixel_ratio", 1.0) or 1.0
        if abs(canvas.figure.bbox.width / ratio - side) >= 4:
            canvas.handle_event({"type": "resize", "width": side, "height": side})
        return side


def make_page_helper():
    """A :class:`PageHelper` with the hidden helper's CSS class, or None without anywidget."""
    if PageHelper is None:
        return None
    helper = PageHelper(upload_limit=upload_limit_bytes())
    helper.add_class("previs-page-helper")
    return helper
