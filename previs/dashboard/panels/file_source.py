"""One "file source" row set of the dashboard: a path box, Load, Upload and a name label.

The image and catalog sections both let the user type a path (read when the box
changes or Load is clicked) or upload a file. :class:`FileSource` builds those
widgets and their two handlers once for both. It remembers which file is shown
(resolved path and modification time, set by the owning panel with
:meth:`FileSource.shown`), so typing a path and then clicking Load reads the
file once, not twice; a file changed on disk is read again. An upload's bytes
are handed over and the widget's value is cleared, so they are not kept twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

__all__ = ["FileSource", "file_key", "without_file_name"]


def without_file_name(message: str, *names: str | None) -> str:
    """A reader's message without the file name it starts with (``"NAME: ..."`` or
    ``"NAME, ..."``, for the first of ``names`` it starts with): the panel names the file
    itself."""
    for name in names:
        for separator in (": ", ", "):
            if name and message.startswith(name + separator):
                return message[len(name) + len(separator) :]
    return message


def file_key(path: str | os.PathLike) -> tuple[str, int] | None:
    """(resolved path, modification time in ns) of a file; None when it cannot be read."""
    resolved = os.path.realpath(os.path.expanduser(os.fspath(path)))
    try:
        return resolved, os.stat(resolved).st_mtime_ns
    except OSError:
        return None


class FileSource:
    """Path box, Load button, Upload button and name label of one kind of file.

    Parameters
    ----------
    what : str
        The path box's description ("FITS file", "Catalog file").
    placeholder, path_tooltip, load_tooltip, upload_tooltip : str
        Texts of the widgets.
    accept : str
        File name endings the upload offers (e.g. ``".fits,.fz"``).
    upload_class, label_class : str
        CSS classes of the upload button and the label (the browser tests use them).
    default_upload_name : str
        Name given to an upload that comes without one.
    load_path : callable
        ``load_path(path)`` reads and shows a file (its errors are ValueError).
    load_bytes : callable
        ``load_bytes(data, name)`` reads and shows uploaded bytes (errors: ValueError).
    syncing : callable
        Returns True while the dashboard sets widgets from code (changes ignored).

    Attributes
    ----------
    path_box, load_button, upload, label : ipywidgets widgets
        The controls; ``label`` is left to the owning panel to fill.
    reads : int
        How many times a file was read from the path box or an upload.
    """

    def __init__(
        self,
        *,
        what: str,
        placeholder: str,
        path_tooltip: str,
        load_tooltip: str,
        accept: str,
        upload_tooltip: str,
        upload_class: str,
        label_class: str,
        default_upload_name: str,
        load_path: Callable[[str], Any],
        load_bytes: Callable[[bytes, str], Any],
        syncing: Callable[[], bool],
    ) -> None:
        self._load_path = load_path
        self._load_bytes = load_bytes
        self._syncing = syncing
        self._default_upload_name = default_upload_name
        self._path_tooltip = path_tooltip
        self._shown_key: tuple[str, int] | None = None
        self.reads = 0
        self.path_box = widgets.Text(
            placeholder=placeholder,
            description=what,
            style={"description_width": "128px"},
            continuous_update=False,
            tooltip=path_tooltip,
        )
        self.load_button = widgets.Button(description="Load", tooltip=load_tooltip)
        self.upload = widgets.FileUpload(
            accept=accept,
            multiple=False,
            description="Upload",
            tooltip=upload_tooltip,
        )
        self.upload.add_class(upload_class)
        self.label = widgets.HTML()
        self.label.add_class(label_class)
        self.load_button.on_click(lambda _: self._load_from_path_box())
        self.path_box.observe(lambda _: self._load_from_path_box(), names="value")
        self.upload.observe(self._on_upload, names="value")

    def shown(self, path: str | os.PathLike | None) -> None:
        """Record the file now shown (None: an upload, an object or nothing)."""
        self._shown_key = None if path is None else file_key(path)
        self.mark_rejected(False)

    def _load_from_path_box(self) -> None:
        if self._syncing():
            return
        path = self.path_box.value.strip()
        if not path:
            return
        path = os.path.expanduser(path)
        key = file_key(path)
        if key is not None and key == self._shown_key:
            return  # already shown and unchanged on disk (e.g. Load after typing the path)
        self.reads += 1
        try:
            self._load_path(path)
        except ValueError:
            self.mark_rejected(True)  # shown in the panel; the previous file stays
            return
        self.mark_rejected(False)

    def mark_rejected(self, rejected: bool) -> None:
        """Show the path box as rejected (red; its text was not loaded) or as accepted."""
        if rejected:
            self.path_box.add_class("previs-rejected")
            self.path_box.tooltip = "Not loaded (see the message above the figure): " + (
                self._path_tooltip
            )
        else:
            self.path_box.remove_class("previs-rejected")
            self.path_box.tooltip = self._path_tooltip

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return  # nothing chosen, or the value cleared below
        item = files[0]
        data = bytes(item["content"])
        name = item.get("name") or self._default_upload_name
        self.upload.value = ()  # the panel keeps the bytes; do not hold them twice
        self.reads += 1
        try:
            self._load_bytes(data, name)
        except ValueError:
            pass  # shown in the panel; the previous file stays
