"""The dashboard's file methods: images, catalogs, saved sessions and exports.

:class:`FileMethods` is the part of :class:`previs.dashboard.app.Dashboard`'s
public interface that hands work to the panels (image, catalog, exports): thin
methods kept apart so the dashboard class holds only the state and its flow.

Layer: dashboard.
"""

from __future__ import annotations

import os
from pathlib import Path

from previs.catalog import Catalog
from previs.errors import ConfigError, PrevisError
from previs.io.session import Config, ViewSettings

__all__ = ["FileMethods"]


class FileMethods:
    """Images, catalogs, sessions and exports of a dashboard (mixed into Dashboard)."""

    # ------------------------------------------------------------------ images
    def load_image(self, source: str | os.PathLike | bytes, name: str | None = None) -> None:
        """Show a FITS image (path or bytes); see :meth:`ImagePanel.load
        <previs.dashboard.panels.image.ImagePanel.load>`."""
        self.image_panel.load(source, name)

    def show_example(self) -> None:
        """Show the bundled example deep field (and, without a catalog, its catalog)."""
        self.image_panel.show_example()

    def show_empty_sky(self, keep_message: bool = False) -> None:
        """Draw on an empty RA/Dec grid centred on the NIRSpec pointing."""
        self.image_panel.show_empty_sky(keep_message)

    # ------------------------------------------------------------------ catalogs
    @property
    def catalog(self) -> Catalog | None:
        """The catalog shown and counted (None without one)."""
        return self.catalog_panel.catalog

    def load_catalog(
        self,
        source: str | os.PathLike | bytes | Catalog,
        name: str | None = None,
        refresh: bool = True,
    ) -> Catalog:
        """Show and count a source catalog: a path, a file's bytes (give ``name``) or a
        Catalog; see :meth:`CatalogPanel.load <previs.dashboard.panels.catalog.CatalogPanel.load>`.
        """
        return self.catalog_panel.load(source, name, refresh)

    def show_example_catalog(self, refresh: bool = True) -> None:
        """Show the bundled catalog of the example field (made for the example image)."""
        self.catalog_panel.show_example(refresh)

    def clear_catalog(self, refresh: bool = True) -> None:
        """Remove the catalog (no source overlay, no counts)."""
        self.catalog_panel.clear()
        if refresh and self._summary is not None:
            self.redraw()

    # ------------------------------------------------------------------ APT programs
    def load_apt(self, path: str | os.PathLike):
        """Read an APT pointing report or XML and offer its observations; see
        :meth:`AptPanel.load <previs.dashboard.panels.apt.AptPanel.load>`."""
        return self.apt_panel.load(path)

    def pick_apt(self, nircam: int | None = None, nirspec: int | None = None) -> None:
        """Plan with APT observations: ``nircam`` (the pre-imaging's target and exposures)
        and/or ``nirspec`` (every MSA pointing); None leaves that side as it is."""
        if nircam is not None:
            self.apt_panel.pick_nircam(nircam)
        if nirspec is not None:
            self.apt_panel.pick_nirspec(nirspec)

    # ------------------------------------------------------------------ sessions and exports
    @property
    def config(self) -> Config:
        """The session as a :class:`previs.io.session.Config`: plan (with its allowed APA
        range), image, catalog and view settings (see
        :meth:`previs.dashboard.panels.exports.ExportPanel.config`)."""
        return self.export_panel.config()

    def save_config(self, path: str | os.PathLike) -> Path:
        """Write the session (:attr:`config`) as JSON (uploads are stored beside it)."""
        return self.export_panel.save_config(path)

    def load_config(self, path: str | os.PathLike) -> Config:
        """Restore a session saved by :meth:`save_config` (or a NOVT ``.yaml`` file): all or
        nothing, the error (a :class:`~previs.errors.ConfigError`) going to the panel."""
        return self.export_panel.load_config(path)

    def apply_config(self, config: Config, where: str = "config") -> None:
        """Set the whole session from a :class:`~previs.io.session.Config` (all or nothing).

        Raises
        ------
        previs.errors.ConfigError
            When the image or catalog it names cannot be read (the message names
            the key); the current state is kept.
        """
        if not isinstance(config, Config):
            raise ConfigError(f"{where}: expected a previs Config, got {type(config).__name__}")
        try:  # before anything changes
            operability = config.operability()
        except PrevisError as error:
            raise ConfigError(f"{where}: msaoper: {error}") from None
        config = self.export_panel.show_session_files(config, where)
        self.msa_panel.use(operability, config.msaoper, redraw=False)  # set_plan evaluates
        with self.guard.hold():
            self.controls.set_view_settings(config.view)
        self.view.set_visible(**self.controls.shown())
        self.display_panel.set_settings(config.view.display)
        self.set_plan(config.plan, config.view.nircam_mode)
        self.apt_panel.restore(config.apt, self.plan)  # the program read again, if it can be
        self.coverage_source.restore(config.coverage_from)  # after the image is shown
        if config.view.schedule is not None and self.schedule_panel is not None:
            self.schedule_panel.restore(config.view.schedule)
        self.canvas.draw_idle()

    def _on_page_message(self, content: dict) -> None:
        """A message of the page helper: a typed angle explained, an upload refused."""
        kind = content.get("kind", "")
        if kind.startswith("angle-"):
            self.form.on_page_message(content)
        elif kind == "upload-too-large":
            from previs.dashboard.text import size_text

            name = str(content.get("name", "the file"))[:80]
            size, limit = int(content.get("size", 0)), int(content.get("limit", 0))
            self.status.set_error(
                "other",
                f"{name} ({size_text(size)}) was not uploaded: this server takes messages up "
                f"to {size_text(limit)}. Serve the dashboard with 'previs app' (1 GiB), raise "
                "the Jupyter server's websocket_max_message_size, or type the file's path.",
            )

    def view_settings(self) -> ViewSettings:
        """How the session is shown: toggles, click target, APA tie, NIRCam mode, the
        display settings and the Schedule tab's dates (saved with the session)."""
        view = self.controls.view_settings().replace(display=self.view.display)
        if self._schedule_panel is not None:  # dates exist once the tab has been used
            view = view.replace(schedule=self._schedule_panel.dates())
        return view

    def export_regions(
        self,
        path: str | os.PathLike,
        pixel: bool = False,
        include_catalog: bool | None = None,
    ) -> Path:
        """Write the plan's apertures (and the catalog) as DS9 regions, in RA/Dec or in the
        FITS file's ``pixel`` coordinates; see :meth:`ExportPanel.export_regions
        <previs.dashboard.panels.exports.ExportPanel.export_regions>`."""
        return self.export_panel.export_regions(path, pixel, include_catalog)

    def save_figure(
        self, path: str | os.PathLike, dpi: float | None = None, caption: bool = True
    ) -> Path:
        """Save the figure as PNG, PDF or SVG (by extension), with a caption (APAs, dither,
        mosaic, coverage, SIAF version); ``dpi`` None: a PNG 1000 px wide, PDF images at
        200 dpi (see :meth:`ExportPanel.save_figure
        <previs.dashboard.panels.exports.ExportPanel.save_figure>`)."""
        return self.export_panel.save_figure(path, dpi, caption)

    def save_report(self, path: str | os.PathLike) -> Path:
        """Write the coverage report (both channels, source counts) as .md, .html or .json."""
        return self.export_panel.save_report(path)

    @property
    def export_text(self) -> str:
        """The export panel's last message, no markup."""
        return self.export_panel.text
