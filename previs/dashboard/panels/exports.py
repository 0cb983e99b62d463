"""The dashboard's "Save and export" section: sessions, region files, figures and reports.

:class:`ExportPanel` owns the output folder and file name boxes, one button per
file kind (DS9 regions on the sky or in image pixels, figure PNG/PDF, session
JSON, report Markdown/HTML/JSON), the configuration path and its "Load" button,
and the message line that shows the path written with a download link. The
files themselves are written by :mod:`previs.io.regions`, :mod:`previs.io.session` and
:mod:`previs.io.report`.

:func:`read_session_files` reads the image and catalog a saved session names
before the dashboard changes anything, so that loading a session is all or
nothing.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from previs._files import write_bytes_atomic
from previs.catalog import Catalog, read_catalog
from previs.dashboard.caption import figure_caption
from previs.dashboard.page import row, upload_limit_note
from previs.dashboard.text import markup_to_text, size_text
from previs.dashboard.uploads import store_apt_uploads, store_upload
from previs.errors import ConfigError, quote
from previs.io.configs import load_config, save_config
from previs.io.figures import save_figure
from previs.io.regions import write_regions
from previs.io.report import REPORT_FORMATS, build_report, write_report
from previs.io.session import EMPTY_SKY, EXAMPLE, Config
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.dashboard.host import PanelHost

__all__ = [
    "DEFAULT_OUTPUT_FOLDER",
    "DEFAULT_OUTPUT_NAME",
    "DOWNLOAD_LINK_MAX_BYTES",
    "FIGURE_PDF_DPI",
    "FIGURE_PNG_WIDTH_PX",
    "figure_caption",
    "EXPORTS",
    "ExportPanel",
    "SessionFiles",
    "read_session_files",
]

DEFAULT_OUTPUT_FOLDER = "previs-output"
DEFAULT_OUTPUT_NAME = "previs"
#: Files the export buttons write: key -> (button label, tooltip, file name suffix).
EXPORTS = {
    "regions": ("Regions (sky)", "DS9 regions of every aperture (and catalog) in RA/Dec", ".reg"),
    "regions_pixels": (
        "Regions (pixels)",
        "DS9 regions in the pixel coordinates of the loaded FITS file",
        "-pixels.reg",
    ),
    "png": (
        "Figure PNG",
        "The figure, 1000 px wide, with a caption (APAs, dither, mosaic, coverage, SIAF)",
        ".png",
    ),
    "pdf": ("Figure PDF", "The figure as vector PDF, with the same caption", ".pdf"),
    "config": (
        "Save configuration",
        "Plan, image, catalog and display settings as JSON, to load again later",
        "-config.json",
    ),
    "report_md": (
        "Report .md",
        "Coverage report (both channels, source counts) as Markdown",
        "-report.md",
    ),
    "report_html": ("Report .html", "Coverage report as an HTML page", "-report.html"),
    "report_json": ("Report .json", "Coverage report as JSON", "-report.json"),
}
#: Width of the figure PNG written by the export button (pixels): a sharp figure for a
#: slide or a proposal in under 2 s and about 1.5 MB (300 dpi took 9 s and 6.3 MB).
FIGURE_PNG_WIDTH_PX = 1000
#: Resolution of the images embedded in the figure PDF.
FIGURE_PDF_DPI = 200
#: Files up to this size also get a download link (a data: URI) in the panel.
DOWNLOAD_LINK_MAX_BYTES = 6 * 2**20
_MIME_TYPES = {
    ".reg": "text/plain",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".md": "text/markdown",
    ".html": "text/html",
}


class ExportPanel:
    """The save/export controls of a :class:`~previs.dashboard.app.Dashboard` and their actions.

    Parameters
    ----------
    host : PanelHost
        The dashboard whose plan, figure, image and catalog are written, and
        whose ``apply_config`` restores a session.
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        style = {"description_width": "96px"}
        self.output_folder = widgets.Text(
            value=DEFAULT_OUTPUT_FOLDER,
            description="Output folder",
            style=style,
            tooltip="Folder (on the machine running the notebook) where the buttons write files; "
            "created when needed",
        )
        self.output_name = widgets.Text(
            value=DEFAULT_OUTPUT_NAME,
            description="File name",
            style=style,
            tooltip="Start of the names of the files written (e.g. previs -> previs.reg)",
        )
        self.buttons: dict[str, widgets.Button] = {}
        for key, (label, tooltip, _) in EXPORTS.items():
            button = widgets.Button(description=label, tooltip=tooltip)
            button.add_class(f"previs-export-{key}")
            button.on_click(lambda _, key=key: self._on_export(key))
            self.buttons[key] = button
        self.config_path = widgets.Text(
            placeholder="previs-output/previs-config.json",
            description="Configuration",
            style=style,
            tooltip="A saved previs configuration (.json) or a NOVT configuration (.yaml)",
        )
        self.config_load_button = widgets.Button(
            description="Load configuration",
            tooltip="Restore the plan, image, catalog and display settings from this file",
        )
        self.config_load_button.add_class("previs-config-load")
        self.config_load_button.on_click(lambda _: self._load_config_from_box())
        self.config_upload = widgets.FileUpload(
            accept=".json,.yaml,.yml",
            multiple=False,
            description="Upload session",
            tooltip="Send a saved previs session (.json) or a NOVT configuration (.yaml) from "
            "your computer",
        )
        self.config_upload.add_class("previs-config-upload")
        self.config_upload.observe(self._on_config_upload, names="value")
        self.message = widgets.HTML()
        self.message.add_class("previs-export-message")
        buttons = list(self.buttons.values())
        self.box = widgets.VBox(
            [
                widgets.HTML("<b style='font-size:1.05em'>Save and export</b>"),
                row([self.output_folder, self.output_name]),
                row(buttons, "previs-buttons"),
                row([self.config_path, self.config_load_button]),
                row([self.config_upload, upload_limit_note()]),
                self.message,
            ],
        )
        self.box.add_class("previs-export")

    @property
    def text(self) -> str:
        """The panel's last message, no markup."""
        return markup_to_text(self.message.value)

    # ------------------------------------------------------------------ sessions
    def config(self) -> Config:
        """The dashboard's session: plan, image, catalog and view settings.

        ``image`` is None for the bundled example field, ``"previs:empty-sky"``
        for the empty sky grid, else the image's path (None for an upload, which
        has no path: :meth:`save_config` writes uploads next to the
        configuration file and refers to them). ``catalog`` is the catalog's
        path, ``"previs:example"`` for the bundled one, None without a catalog
        or for an upload.
        """
        host = self._host
        catalogs = host.catalog_panel
        return Config(
            plan=host.plan,
            image=host.image_panel.config_value(),
            catalog=EXAMPLE if catalogs.is_example else catalogs.file_path,
            view=host.view_settings(),
            msaoper=host.msa_panel.config_value(),
            coverage_from=host.coverage_source.mode,
            apt=host.apt_panel.config_value(),
        )

    def show_session_files(self, config: Config, where: str) -> Config:
        """Read and show the image and catalog a session names (all or nothing), set the
        path boxes, and return the session with the bundled example image as ``None``.

        Raises
        ------
        previs.errors.ConfigError
            When the image or catalog cannot be read; nothing has changed then.
        """
        host = self._host
        images = host.image_panel
        files = read_session_files(config, where, images.is_example, images.path)
        config, empty_sky, sky = files.config, files.empty_sky, files.sky
        if empty_sky and (images.sky_image is not None or images.is_example):
            images.show_empty_sky()
        if sky is not None and config.image is None:
            images.show_example_image(sky, files.image_source, recentre=False)
        elif sky is not None:
            images.show(sky, files.image_source, None, recentre=False)
        if files.catalog is None:
            host.clear_catalog(refresh=False)
        else:
            host.catalog_panel.show(
                files.catalog,
                files.catalog_file,
                None,
                example=files.catalog_is_example,
                refresh=False,
            )
        with host.guard.hold():
            images.path_box.value = "" if empty_sky else config.image or ""
            host.catalog_panel.path_box.value = files.catalog_file or ""
        return config

    def save_config(self, path: str | os.PathLike) -> Path:
        """Write the dashboard's session as JSON; returns the path written.

        An uploaded image or catalog has no path: its bytes are written next to
        the configuration file (under the uploaded name) and the configuration
        refers to that copy. Paths inside the file's folder are stored relative.
        """
        dashboard = self._host
        target = output_path(path)
        config = self.config()
        directory = target.parent
        image_upload = dashboard.image_panel.upload_data
        if image_upload is not None and not dashboard.image_panel.is_example:
            config = config.replace(image=str(store_upload(directory, *image_upload)))
        catalog_upload = dashboard.catalog_panel.upload_data
        if catalog_upload is not None:
            config = config.replace(catalog=str(store_upload(directory, *catalog_upload)))
        msaoper_upload = dashboard.msa_panel.upload_data
        if msaoper_upload is not None:
            config = config.replace(msaoper=str(store_upload(directory, *msaoper_upload)))
        apt_uploads = dashboard.apt_panel.uploads
        if config.apt is not None and apt_uploads:
            config = config.replace(apt=store_apt_uploads(directory, config.apt, apt_uploads))
        return save_config(config, target)

    def load_config(self, path: str | os.PathLike) -> Config:
        """Read a session file and apply it to the dashboard; the outcome goes to the panel."""
        try:
            config = load_config(path)
            self._host.apply_config(config, where=str(path))
        except ConfigError as error:
            self.note(f"&#9888; {html.escape(str(error))}", error=True)
            raise
        self.note(f"Loaded the configuration <code>{html.escape(str(path))}</code>.")
        return config

    def load_config_bytes(self, data: bytes, name: str) -> Config:
        """Apply an uploaded session (previs JSON, or NOVT YAML by its name's ending).

        Relative image and catalog paths in it are read from the folder the
        notebook runs in (the upload has no folder of its own); the panel says so.
        """
        try:
            config = read_uploaded_config(data, name)
            self._host.apply_config(config, where=name)
        except ConfigError as error:
            self.note(f"&#9888; {html.escape(str(error))}", error=True)
            raise
        self.note(
            f"Loaded the uploaded configuration <code>{html.escape(name)}</code> (relative "
            f"paths in it are read from <code>{html.escape(os.getcwd())}</code>)."
        )
        return config

    def _on_config_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        data, name = bytes(item["content"]), item.get("name") or "uploaded session.json"
        self.config_upload.value = ()
        try:
            self.load_config_bytes(data, name)
        except ValueError:
            pass  # shown in the panel; nothing changed

    # ------------------------------------------------------------------ exports
    def export_regions(
        self, path: str | os.PathLike, pixel: bool = False, include_catalog: bool | None = None
    ) -> Path:
        """Write the plan's apertures (and the catalog) as a DS9 region file.

        Parameters
        ----------
        path : str or path-like
            Output file (``.reg``); its folder is created when missing.
        pixel : bool
            Pixel coordinates of the loaded FITS file (as DS9 shows it) instead
            of RA/Dec; needs an image (not the empty grid).
        include_catalog : bool, optional
            Add the catalog sources as points (at-risk ones tagged); default:
            when a catalog is loaded.
        """
        dashboard = self._host
        sky_image = dashboard.image_panel.sky_image
        if pixel and sky_image is None:
            raise ValueError(
                "pixel regions need a FITS image: load one (or the example field), or export "
                "sky regions"
            )
        if include_catalog is None:
            include_catalog = dashboard.catalog is not None
        return write_regions(
            output_path(path),
            dashboard.result,
            image_wcs=sky_image if pixel else None,
            catalog=dashboard.catalog,
            counts=dashboard.counts,
            include_catalog=include_catalog,
        )

    def save_figure(
        self, path: str | os.PathLike, dpi: float | None = None, caption: bool = True
    ) -> Path:
        """Save the dashboard's figure (format from the extension) with a caption.

        ``dpi`` None: a PNG :data:`FIGURE_PNG_WIDTH_PX` wide whatever the figure's size on
        screen, a PDF with images at :data:`FIGURE_PDF_DPI`.
        """
        figure = self._host.figure
        if dpi is None:
            png = Path(path).suffix.lower() == ".png"
            dpi = FIGURE_PNG_WIDTH_PX / figure.get_figwidth() if png else FIGURE_PDF_DPI
        host = self._host
        text = figure_caption(host.summary, host.image_summary) if caption and host.summary else ""
        with self._host.view.captioned(text):
            written = save_figure(figure, output_path(path), dpi=dpi)
        self._host.canvas.draw_idle()
        return written

    def save_report(self, path: str | os.PathLike) -> Path:
        """Write the coverage report of the dashboard's plan as .md, .html or .json."""
        target = output_path(path)
        if Path(target).suffix.lower() not in REPORT_FORMATS:
            raise ValueError(
                f"cannot write a report to {quote(str(path))}: the extension must be one of "
                f"{', '.join(REPORT_FORMATS)}"
            )
        host = self._host
        image = host.image_summary  # the image's coverage in "this image" mode
        report = build_report(host.plan, host.catalog, operability=host.operability, image=image)
        return write_report(target, report)

    # ------------------------------------------------------------------ buttons
    def _on_export(self, key: str) -> None:
        folder = os.path.expanduser(self.output_folder.value.strip() or ".")
        stem = self.output_name.value.strip() or DEFAULT_OUTPUT_NAME
        if os.sep in stem or (os.altsep and os.altsep in stem):
            self.note(
                f"&#9888; File name {quote(html.escape(stem))} must not contain a folder; put the "
                "folder in Output folder",
                error=True,
            )
            return
        path = Path(folder) / f"{stem}{EXPORTS[key][2]}"
        actions = {
            "regions": lambda: self.export_regions(path),
            "regions_pixels": lambda: self.export_regions(path, pixel=True),
            "png": lambda: self.save_figure(path),
            "pdf": lambda: self.save_figure(path),
            "config": lambda: self.save_config(path),
            "report_md": lambda: self.save_report(path),
            "report_html": lambda: self.save_report(path),
            "report_json": lambda: self.save_report(path),
        }
        try:
            written = actions[key]()
        except (OSError, ValueError) as error:
            self.note(f"&#9888; {html.escape(str(error))}", error=True)
            return
        note = written_html(Path(written))
        if key == "config":
            with self._host.guard.hold():
                self.config_path.value = str(written)
            text = Path(written).read_text(encoding="utf-8")
            note += (
                "<details class='previs-written'><summary>What was written</summary>"
                f"<pre style='max-height:16em;overflow:auto;white-space:pre-wrap'>"
                f"{html.escape(text)}</pre></details>"
            )
        self.note(note)

    def _load_config_from_box(self) -> None:
        path = self.config_path.value.strip()
        if not path:
            self.note("&#9888; Give the path of a configuration file first.", error=True)
            return
        try:
            self.load_config(os.path.expanduser(path))
        except ValueError:
            pass  # shown in the panel; nothing changed

    def note(self, text: str, error: bool = False) -> None:
        """Show ``text`` (markup) in the panel's message line, in red for an error."""
        colour = UI_COLOURS["error"] if error else "inherit"
        self.message.value = f"<span style='color:{colour}'>{text}</span>"


@dataclass(frozen=True)
class SessionFiles:
    """What a session needs read before it is applied.

    Attributes
    ----------
    config : Config
        The session, with the bundled example image written as ``image=None``.
    empty_sky : bool
        The session shows the empty sky grid.
    sky : previs.io.images.SkyImage or None
        The image read (None when the one shown already is the session's, or on the grid).
    image_source : str or None
        Where ``sky`` was read from.
    catalog : Catalog or None
        The catalog read (None: the session has no catalog).
    catalog_file : str or None
        Where ``catalog`` was read from.
    catalog_is_example : bool
        ``catalog_file`` is the bundled example catalog.
    """

    config: Config
    empty_sky: bool
    sky: object
    image_source: str | None
    catalog: Catalog | None
    catalog_file: str | None
    catalog_is_example: bool


def read_session_files(
    config: Config, where: str, showing_example: bool, image_path: str | None
) -> SessionFiles:
    """Read the image and catalog ``config`` names, skipping the image already shown.

    Parameters
    ----------
    config : Config
        The session to apply.
    where : str
        Where it came from, for error messages (a file name).
    showing_example, image_path : bool, str or None
        Whether the bundled example is shown, and the path of the image shown.

    Raises
    ------
    previs.io.session.ConfigError
        When the image or the catalog cannot be read; the message names the key.
    """
    from previs.io.images import load_image

    sky = source = None
    empty_sky = config.image == EMPTY_SKY
    if config.image == EXAMPLE:
        config = config.replace(image=None)
    if empty_sky:
        pass
    elif config.image is None:
        if not showing_example:
            from previs.io.example_field import example_image_path

            source = example_image_path()
    elif config.image != image_path:
        source = config.image
    if source is not None:
        try:
            sky = load_image(source)
        except (OSError, ValueError) as error:
            raise ConfigError(f"{where}: image {quote(config.image)}: {error}") from None
    catalog = None
    catalog_file = config.catalog_file()
    is_example = False
    if catalog_file is not None:
        try:
            catalog = read_catalog(catalog_file)
        except ValueError as error:
            raise ConfigError(f"{where}: catalog: {error}") from None
        from previs.io.example_field import example_catalog_path

        is_example = os.path.abspath(catalog_file) == os.path.abspath(example_catalog_path())
    return SessionFiles(config, empty_sky, sky, source, catalog, catalog_file, is_example)


def output_path(path: str | os.PathLike) -> Path:
    """``path`` with ``~`` expanded and its folder created."""
    target = Path(os.path.expanduser(os.fspath(path)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the folder {quote(str(target.parent))}: {error}") from None
    return target


def written_html(path: Path) -> str:
    """Panel note for a written file: its full path and, when small, a download link."""
    import base64

    size = path.stat().st_size
    text = f"Wrote <code>{html.escape(str(path.resolve()))}</code> ({size_text(size)})"
    if size <= DOWNLOAD_LINK_MAX_BYTES:
        mime = _MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        text += (
            f" &mdash; <a class='previs-download' download='{html.escape(path.name)}' "
            f"href='data:{mime};base64,{data}'>download</a>"
        )
    return text + "."


def read_uploaded_config(data: bytes, name: str) -> Config:
    """A session from uploaded bytes: NOVT YAML when ``name`` ends in .yaml/.yml, else
    previs JSON; relative paths (image, catalog, msaoper, APT) are resolved from the
    current folder."""
    from previs.io.configs import NOVT_SUFFIXES, resolve_paths

    suffix = Path(name).suffix.lower()
    if suffix in NOVT_SUFFIXES:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="previs-upload-") as folder:
            copy = write_bytes_atomic(Path(folder) / Path(name).name, bytes(data))
            return load_config(copy)
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not a text file (a previs session is JSON)") from None
    return resolve_paths(Config.from_json(text, where=name), os.getcwd())
