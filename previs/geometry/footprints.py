"""Footprints: the SIAF apertures of an observation placed on the sky.

Every vertex of every exposure goes to the sky in one attitude-matrix product.
Dither positions and mosaic tiles are rigid offsets of the telescope-frame
vertices in the reference aperture's frame: one attitude for the whole visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from previs.errors import quote
from previs.geometry.attitude import Pointing, attitude_matrix, tel_to_sky, v3pa_from_apa
from previs.geometry.patterns import Mosaic, canonical_dither, exposure_offsets
from previs.geometry.siaf import (
    CHANNELS,
    MSA_QUADRANTS,
    NIRCAM_DETECTORS,
    NIRCAM_REFERENCE,
    NIRSPEC_IFU,
    NIRSPEC_REFERENCE,
    NIRSPEC_SLITS,
    get_aperture,
)

NIRSPEC_FOOTPRINT_APERTURES = (*MSA_QUADRANTS, NIRSPEC_IFU, *NIRSPEC_SLITS)


@dataclass(frozen=True, eq=False)
class Footprint:
    """Aperture outlines on the sky.

    Attributes
    ----------
    instrument : str
        ``"NIRSpec"`` or ``"NIRCam"``.
    pointing : Pointing
        Pointing of the instrument's reference aperture.
    names : tuple of str
        SIAF aperture name of every outline.
    exposures : numpy.ndarray
        Exposure number (dither position within mosaic tile, from 0) of every outline.
    ra, dec : numpy.ndarray
        Corners, shape (n_outlines, 4), degrees, in pysiaf's corner order.
    channel : str or None
        NIRCam channel (``"short"`` or ``"long"``), None for NIRSpec.
    """

    instrument: str
    pointing: Pointing
    names: tuple[str, ...]
    exposures: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    channel: str | None = None
    n_exposures: int = field(default=1)

    def __len__(self) -> int:
        return len(self.names)

    def to_records(self) -> list[dict]:
        """One dict per outline: name, exposure, ra[4], dec[4] (degrees)."""
        return [
            {
                "name": name,
                "exposure": int(exposure),
                "ra": [float(v) for v in ra],
                "dec": [float(v) for v in dec],
            }
            for name, exposure, ra, dec in zip(
                self.names, self.exposures, self.ra, self.dec, strict=True
            )
        ]

    def to_regions(self):
        """The outlines as ``regions.Regions`` of ``PolygonSkyRegion``.

        Each region's ``meta`` holds the aperture name (``meta["name"]``), a DS9
        label ``text`` ("NRCA1_FULL exp 3") and DS9 tags ``[name, "exposure=k"]``
        that survive a round trip through a DS9 file.
        """
        from astropy.coordinates import SkyCoord
        from regions import PolygonSkyRegion, RegionMeta, Regions

        regions = []
        for name, exposure, ra, dec in zip(
            self.names, self.exposures, self.ra, self.dec, strict=True
        ):
            meta = RegionMeta(
                {
                    "name": name,
                    "text": f"{name} exp {int(exposure)}",
                    "tag": [name, f"exposure={int(exposure)}"],
                }
            )
            vertices = SkyCoord(ra, dec, unit="deg", frame="icrs")
            regions.append(PolygonSkyRegion(vertices, meta=meta))
        return Regions(regions)


@cache
def _corner_template(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    apertures = [get_aperture(name) for name in names]
    return (
        np.array([a.corners_v2 for a in apertures]),
        np.array([a.corners_v3 for a in apertures]),
    )


def _place(
    pointing: Pointing,
    reference: str,
    names: tuple[str, ...],
    target_offsets_idl: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sky corners (n_exposures * len(names), 4) of ``names`` for every target offset."""
    ref = get_aperture(reference)
    matrix = attitude_matrix(
        ref.v2_ref,
        ref.v3_ref,
        pointing.ra,
        pointing.dec,
        v3pa_from_apa(pointing.apa, ref.v3_idl_yang),
    )
    v2, v3 = _corner_template(names)
    # The target sits at ideal position (dx, dy): telescope-frame vertices move by
    # minus the telescope-frame image of that displacement.
    dv2, dv3 = ref.idl_offset_to_tel(target_offsets_idl[:, 0], target_offsets_idl[:, 1])
    v2_all = v2[None, :, :] - dv2[:, None, None]
    v3_all = v3[None, :, :] - dv3[:, None, None]
    ra, dec = tel_to_sky(matrix, v2_all, v3_all)
    return ra.reshape(-1, 4), dec.reshape(-1, 4)


def nirspec_footprint(
    pointing: Pointing, apertures: tuple[str, ...] = NIRSPEC_FOOTPRINT_APERTURES
) -> Footprint:
    """NIRSpec MSA quadrants, IFU and fixed slits for a pointing of NRS_FULL_MSA.

    Parameters
    ----------
    pointing : Pointing
        RA, Dec and APA (degrees) of the NRS_FULL_MSA reference point.
    apertures : tuple of str
        Which NIRSpec apertures to include (default: the four quadrants, the
        IFU and the five fixed slits).
    """
    ra, dec = _place(pointing, NIRSPEC_REFERENCE, tuple(apertures), np.zeros((1, 2)))
    return Footprint(
        instrument="NIRSpec",
        pointing=pointing,
        names=tuple(apertures),
        exposures=np.zeros(len(apertures), dtype=int),
        ra=ra,
        dec=dec,
    )


def check_channel(channel: str) -> str:
    """Return the channel name in lower case or raise ValueError naming the valid ones."""
    key = str(channel).strip().lower()
    aliases = {"sw": "short", "lw": "long"}
    key = aliases.get(key, key)
    if key not in CHANNELS:
        raise ValueError(f"unknown NIRCam channel {quote(channel)}; valid: {', '.join(CHANNELS)}")
    return key


def nircam_footprint(
    pointing: Pointing,
    channel: str = "short",
    dither: str = "NONE",
    mosaic: Mosaic | None = None,
) -> Footprint:
    """NIRCam detectors of one channel for every dither position of every mosaic tile.

    Parameters
    ----------
    pointing : Pointing
        RA, Dec and APA (degrees) of the NRCALL_FULL reference point.
    channel : {"short", "long"}
        Short-wavelength detectors (NRCA1-4, NRCB1-4) or long (NRCA5, NRCB5).
    dither : str
        Dither pattern name (see :data:`previs.geometry.patterns.DITHER_NAMES`).
    mosaic : Mosaic, optional
        Mosaic tiles (default: a single tile).
    """
    channel = check_channel(channel)
    names = NIRCAM_DETECTORS[channel]
    offsets = exposure_offsets(canonical_dither(dither), mosaic)
    ra, dec = _place(pointing, NIRCAM_REFERENCE, names, offsets)
    n_exposures = len(offsets)
    return Footprint(
        instrument="NIRCam",
        pointing=pointing,
        names=names * n_exposures,
        exposures=np.repeat(np.arange(n_exposures), len(names)),
        ra=ra,
        dec=dec,
        channel=channel,
        n_exposures=n_exposures,
    )
