"""The dashboard's "Catalog" section: the source catalog drawn on the sky and counted.

:class:`CatalogPanel` owns the catalog controls (path box, Load, upload and
summary label from :class:`previs.dashboard.panels.file_source.FileSource`, example
and clear buttons), the :class:`previs.catalog.Catalog` shown,
where it came from and the note for the status line. It reads files with
:func:`previs.catalog.readers.read_catalog` and hands positions to the dashboard's
:class:`previs.plotting.sky.SkyView`; the counts are computed by the
:class:`previs.dashboard.app.Dashboard` on every plan change.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from previs.catalog import Catalog, CatalogError, read_catalog
from previs.dashboard.page import row, upload_limit_note
from previs.dashboard.panels.file_source import FileSource
from previs.dashboard.text import friendly_error
from previs.style import UI_COLOURS

if TYPE_CHECKING:
    from previs.dashboard.host import PanelHost

__all__ = ["CATALOG_ACCEPT", "FAR_FIELD_DEG", "CatalogPanel", "nearest_separation_deg"]

#: A catalog whose nearest source is farther than this from the NIRSpec pointing
#: (degrees; the MSA is 3.6' across) is probably of another field: the panel warns.
FAR_FIELD_DEG = 1.0


def nearest_separation_deg(catalog: Catalog, ra: float, dec: float) -> float:
    """Great-circle distance (degrees) from (ra, dec) to the catalog's nearest source."""
    import numpy as np
    from astropy.coordinates import angular_separation

    separation = angular_separation(
        np.radians(catalog.ra), np.radians(catalog.dec), np.radians(ra), np.radians(dec)
    )
    return float(np.degrees(np.min(separation)))


#: File name endings the upload button offers.
CATALOG_ACCEPT = ".radec,.txt,.dat,.csv,.ecsv,.fits,.fit,.fts,.xml,.vot,.votable"


class CatalogPanel:
    """The catalog controls of a :class:`~previs.dashboard.app.Dashboard` and the catalog shown.

    Parameters
    ----------
    host : PanelHost
        The dashboard whose view draws the sources. The panel asks it to redraw
        and puts its errors on the status board (channel ``"catalog"``).

    Attributes
    ----------
    catalog : Catalog or None
        The catalog shown (None without one).
    name : str
        Its name in the label and the readout.
    file_path : str or None
        Absolute path of the catalog file (None for an upload or a Catalog object).
    upload_data : tuple of (str, bytes) or None
        Name and bytes of an uploaded catalog.
    is_example : bool
        Whether it is the bundled example catalog.
    """

    def __init__(self, host: PanelHost) -> None:
        self._host = host
        self.catalog: Catalog | None = None
        self.name = ""
        self.file_path: str | None = None
        self.upload_data: tuple[str, bytes] | None = None
        self.is_example = False

        self.files = FileSource(
            what="Catalog file",
            placeholder="path/to/targets.radec",
            path_tooltip="Source catalog on the machine running the notebook: NOVT .radec "
            "(RA Dec [P|F]) or a CSV/ECSV/FITS/VOTable table with RA and Dec columns",
            load_tooltip="Read this catalog",
            accept=CATALOG_ACCEPT,
            upload_tooltip="Send a catalog from your computer (.radec, CSV, ECSV, FITS, VOTable)",
            upload_class="previs-catalog-upload",
            label_class="previs-catalog-name",
            default_upload_name="uploaded catalog",
            load_path=self.load,
            load_bytes=lambda data, name: self.load(data, name=name),
            syncing=lambda: host.guard.active,
        )
        self.path_box, self.load_button = self.files.path_box, self.files.load_button
        self.upload, self.label = self.files.upload, self.files.label
        self.example_button = widgets.Button(
            description="Example catalog",
            tooltip="Use the bundled catalog of the example field (primaries and fillers)",
        )
        self.clear_button = widgets.Button(
            description="No catalog",
            tooltip="Remove the catalog from the figure and the readout",
        )
        self.rows = [
            row([self.path_box, self.load_button]),
            row([self.upload, self.example_button, self.clear_button]),
            upload_limit_note(),
            self.label,
        ]
        self.example_button.on_click(lambda _: self.show_example())
        self.clear_button.on_click(lambda _: host.clear_catalog())

    def read(self, source: str | os.PathLike | bytes, name: str | None) -> Catalog:
        """Read a catalog file or its bytes; errors go to the panel (and are raised)."""
        typed = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
        try:
            if typed is not None:
                return read_catalog(os.path.expanduser(typed), name=name)
            return read_catalog(bytes(source), name=name or "uploaded catalog")
        except CatalogError as error:
            self._error(str(error), typed)
            raise

    def show(
        self, catalog: Catalog, source, name: str | None, example: bool, refresh: bool
    ) -> None:
        """Show ``catalog`` read from ``source`` (a path, bytes or the Catalog itself)."""
        self.catalog = catalog
        self.is_example = example
        if isinstance(source, (str, os.PathLike)):
            path = os.path.abspath(os.path.expanduser(os.fspath(source)))
            self.file_path, self.upload_data = path, None
            self.name = name or Path(path).name
        elif isinstance(source, Catalog):
            self.file_path = self.upload_data = None
            self.name = name or Path(catalog.source).name or "catalog"
        else:
            self.file_path = None
            self.name = name or "uploaded catalog"
            self.upload_data = (self.name, bytes(source))
        self.files.shown(self.file_path)
        if example:
            self.name = "example catalog"
        host = self._host
        host.view.set_catalog(catalog.ra, catalog.dec, catalog.primary)
        host.status.set("catalog", "")
        self._warn_if_elsewhere(catalog)
        primary, filler = int(catalog.primary.sum()), int(catalog.filler.sum())
        kinds = f"{primary} primary, {filler} filler" if catalog.has_flags else "no P/F flags"
        self.label.value = (
            f"<span style='font-size:0.9em'>{html.escape(self.name)}: "
            f"{len(catalog)} sources ({kinds})</span>"
        )
        if refresh and host.result is not None:
            host.redraw()

    def clear(self) -> None:
        """Forget the catalog and remove its overlay and label (the caller redraws)."""
        self.catalog = None
        self.is_example = False
        self.name = ""
        self.file_path = self.upload_data = None
        self.files.shown(None)
        self._host.view.set_catalog([], [])
        self.label.value = ""

    def _error(self, message: str, typed_path: str | None = None) -> None:
        kept = (
            f" The counts keep {html.escape(self.name)}."
            if self.catalog
            else " No catalog is used."
        )
        self._host.status.set(
            "catalog",
            f"<span style='color:{UI_COLOURS['error']}'>&#9888; Catalog not loaded: "
            f"{html.escape(friendly_error(message, typed_path))}</span>{kept}",
        )

    def _warn_if_elsewhere(self, catalog: Catalog) -> None:
        """Warn when no source lies near the NIRSpec pointing (a catalog of another field)."""
        if len(catalog) == 0:
            return
        plan = self._host.plan
        nearest = nearest_separation_deg(catalog, plan.nirspec.ra, plan.nirspec.dec)
        if nearest > FAR_FIELD_DEG:
            self._host.status.set(
                "catalog",
                f"<span style='color:{UI_COLOURS['warning']}'>&#9888; {html.escape(self.name)}: "
                f"the nearest of its {len(catalog)} sources is {nearest:.1f}&deg; from the "
                "NIRSpec pointing; is it the catalog of another field? It is shown and counted "
                "anyway.</span>",
            )

    @property
    def message(self) -> str:
        """The catalog's note in the status line (markup)."""
        return self._host.status.get("catalog")

    def load(
        self,
        source: str | os.PathLike | bytes | Catalog,
        name: str | None = None,
        refresh: bool = True,
    ) -> Catalog:
        """Read (unless given a Catalog), show and count a catalog.

        Raises
        ------
        previs.errors.CatalogError
            When the file cannot be read; the message (naming the file and the
            line) is also shown in the panel and the previous catalog stays.
        """
        catalog = source if isinstance(source, Catalog) else self.read(source, name)
        self.show(catalog, source, name, example=False, refresh=refresh)
        return catalog

    def show_example(self, refresh: bool = True) -> None:
        """Show the bundled catalog of the example field."""
        from previs.io.example_field import example_catalog_path

        path = example_catalog_path()
        self.show(self.read(path, None), path, None, example=True, refresh=refresh)
