"""The dashboard's "MSA shutters" section: which operability map says which shutters work.

:class:`MSAPanel` holds the :class:`~previs.geometry.operability.OperabilityMap`
the dashboard evaluates with: the bundled snapshot at first, or a CRDS
``jwst_nirspec_msaoper_*.json`` the user loads by path or upload
(:func:`previs.geometry.operability.read_msaoper`). A file that cannot be read
leaves the map in use unchanged; the status line names the file and the entry
at fault. "Bundled map" goes back to the snapshot. The readout and the report
name the map in use.

Layer: dashboard.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from previs.dashboard.msa_markup import operability_label
from previs.dashboard.page import row
from previs.dashboard.panels.file_source import FileSource, without_file_name
from previs.errors import PrevisError
from previs.geometry.operability import (
    OperabilityMap,
    default_operability,
    parse_msaoper,
    read_msaoper,
)

if TYPE_CHECKING:
    from previs.dashboard.host import PanelHost

__all__ = ["MSAPanel"]


class MSAPanel:
    """The operability-map controls of a :class:`~previs.dashboard.app.Dashboard`.

    Parameters
    ----------
    host : PanelHost
        The dashboard: the panel asks it to redraw with a new map and puts its
        notes on the status board (channel ``"msa"``).

    Attributes
    ----------
    operability : OperabilityMap
        The map in use.
    path : str or None
        Absolute path of the user's msaoper file (None: bundled, or an upload).
    upload_data : tuple of (str, bytes) or None
        Name and bytes of an uploaded msaoper file.
    rows : list of widgets
        What the controls column shows under "MSA shutters".
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        self.operability = default_operability()
        self.path: str | None = None
        self.upload_data: tuple[str, bytes] | None = None
        self.files = FileSource(
            what="msaoper file",
            placeholder="jwst_nirspec_msaoper_0042.json",
            path_tooltip="Path of a CRDS jwst_nirspec_msaoper_*.json (which shutters work)",
            load_tooltip="Use this operability map instead of the bundled one",
            accept=".json",
            upload_tooltip="Send a CRDS jwst_nirspec_msaoper_*.json from your computer",
            upload_class="previs-msaoper-upload",
            label_class="previs-msaoper-name",
            default_upload_name="msaoper.json",
            load_path=self.load,
            load_bytes=self.load_bytes,
            syncing=lambda: host.guard.active,
        )
        self.path_box, self.load_button = self.files.path_box, self.files.load_button
        self.upload, self.label = self.files.upload, self.files.label
        self.bundled_button = widgets.Button(
            description="Bundled map",
            tooltip="Go back to the bundled operability snapshot",
        )
        self.bundled_button.add_class("previs-msaoper-bundled")
        self.bundled_button.on_click(lambda _: self.use_bundled())
        self.rows = [
            row([self.path_box, self.load_button]),
            row([self.upload, self.bundled_button]),
            self.label,
        ]
        self._show_label()

    # ------------------------------------------------------------------ maps
    def load(self, path: str | os.PathLike) -> OperabilityMap:
        """Use the CRDS msaoper file at ``path``.

        Raises
        ------
        PrevisError
            When the file cannot be read; the message (naming the file and the
            entry) is also shown, and the map in use stays.
        """
        try:
            operability = read_msaoper(path)
        except PrevisError as error:
            self._refuse(Path(path).name, without_file_name(str(error), str(Path(path))))
            raise
        self.path, self.upload_data = os.path.abspath(os.fspath(path)), None
        self.files.shown(self.path)
        self._use(operability)
        return operability

    def load_bytes(self, data: bytes, name: str) -> OperabilityMap:
        """Use an uploaded msaoper file (its bytes and name); errors as for :meth:`load`."""
        name = Path(name or "msaoper.json").name
        try:
            operability = parse_msaoper(bytes(data), name)
        except PrevisError as error:
            self._refuse(name, without_file_name(str(error), name))
            raise
        self.path, self.upload_data = None, (name, bytes(data))
        self.files.shown(None)
        self._use(operability)
        return operability

    def use_bundled(self, redraw: bool = True) -> None:
        """Go back to the bundled snapshot (``redraw=False``: the caller redraws next)."""
        self.path = self.upload_data = None
        self.files.shown(None)
        with self._host.guard.hold():
            self.path_box.value = ""
        self._use(default_operability(), redraw)

    def use(
        self, operability: OperabilityMap, path: str | None = None, redraw: bool = True
    ) -> None:
        """Use a map already read (a saved session's), from ``path`` if it has one
        (``redraw=False``: the caller redraws next)."""
        self.path = None if path is None else os.path.abspath(path)
        self.upload_data = None
        self.files.shown(self.path)
        with self._host.guard.hold():
            self.path_box.value = self.path or ""
        self._use(operability, redraw)

    def _use(self, operability: OperabilityMap, redraw: bool = True) -> None:
        self.operability = operability
        self._show_label()
        self._host.status.set("msa", "")
        if redraw and self._host.result is not None:
            self._host.redraw()

    def _refuse(self, name: str, message: str) -> None:
        self._host.status.set_error(
            "msa",
            f"{name} was not used: {message.rstrip('.')}. Still using {self.operability.name}.",
        )

    def _show_label(self) -> None:
        self.label.value = (
            "<span style='font-size:0.9em'>Operability map: "
            f"{html.escape(operability_label(self.operability))}</span>"
        )

    def config_value(self) -> str | None:
        """What a saved session's ``msaoper`` key holds: the file's path, None when bundled."""
        return self.path
