"""Footprints: the SIAF apertures of an observation placed on the sky.

Each exposure has its own attitude: the one that puts the target at the
exposure's ideal offset (arcsec) in the reference aperture, with the V3 axis at
the visit's position angle there; this is ``pysiaf.utils.rotations.attitude``
at the telescope-frame position of that offset, the way APT's pointing reports
are read. Every vertex of every exposure goes to the sky in one batched product.
Up to a few hundred arcsec of offset this equals moving the telescope-frame
vertices rigidly (to 1 mas); beyond, the attitudes differ (28 mas at 1600").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from previs.errors import PrevisError, quote
from previs.geometry.angles import wrap_degrees
from previs.geometry.attitude import Pointing, unit_vectors, v3pa_from_apa
from previs.geometry.patterns import Exposures, Mosaic
from previs.geometry.siaf import (
    CHANNELS,
    MSA_QUADRANTS,
    NIRCAM_REFERENCE,
    NIRSPEC_IFU,
    NIRSPEC_REFERENCE,
    NIRSPEC_SLITS,
    get_aperture,
    nircam_detectors_of,
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
        Exposure number (from 0, in observing order) of every outline.
    ra, dec : numpy.ndarray
        Corners, shape (n_outlines, 4), degrees, in pysiaf's corner order.
    channel : str or None
        NIRCam channel (``"short"`` or ``"long"``), None for NIRSpec.
    n_exposures : int
        Number of exposures.
    tiles, dithers : numpy.ndarray or None
        APT's tile and dither numbers (from 1) of every outline, when known.
    """

    instrument: str
    pointing: Pointing
    names: tuple[str, ...]
    exposures: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    channel: str | None = None
    n_exposures: int = field(default=1)
    tiles: np.ndarray | None = None
    dithers: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.names)

    def to_records(self) -> list[dict]:
        """One dict per outline: name, exposure, ra[4], dec[4] (degrees), and APT's
        ``tile`` and ``dither`` numbers when the footprint has them."""
        records = [
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
        if self.tiles is not None and self.dithers is not None:
            for record, tile, dither in zip(records, self.tiles, self.dithers, strict=True):
                record["tile"] = int(tile)
                record["dither"] = int(dither)
        return records

    def to_regions(self):
        """The outlines as ``regions.Regions`` of ``PolygonSkyRegion``.

        Each region's ``meta`` holds the aperture name (``meta["name"]``), a DS9
        label ``text`` ("NRCA1_FULL exp 3", and "tile 2 dither 1" when the footprint
        has APT's numbers) and DS9 tags ``[name, "exposure=k"]`` (then ``"tile=t"``,
        ``"dither=d"``) that survive a round trip through a DS9 file.
        """
        from astropy.coordinates import SkyCoord
        from regions import PolygonSkyRegion, RegionMeta, Regions

        numbered = self.tiles is not None and self.dithers is not None
        tiles = self.tiles if numbered else [None] * len(self)
        dithers = self.dithers if numbered else [None] * len(self)
        regions = []
        for name, exposure, ra, dec, tile, dither in zip(
            self.names, self.exposures, self.ra, self.dec, tiles, dithers, strict=True
        ):
            text, tags = f"{name} exp {int(exposure)}", [name, f"exposure={int(exposure)}"]
            if numbered:
                text += f" tile {int(tile)} dither {int(dither)}"
                tags += [f"tile={int(tile)}", f"dither={int(dither)}"]
            meta = RegionMeta({"name": name, "text": text, "tag": tags})
            vertices = SkyCoord(ra, dec, unit="deg", frame="icrs")
            regions.append(PolygonSkyRegion(vertices, meta=meta))
        return Regions(regions)


def combine_footprints(footprints: tuple[Footprint, ...] | list[Footprint]) -> Footprint:
    """One footprint of several of one instrument: exposures numbered on, in order.

    The first footprint's pointing and channel are kept; APT's tile and dither
    numbers only when every part has them.
    """
    parts = list(footprints)
    if len(parts) == 1:
        return parts[0]
    starts = np.cumsum([0] + [p.n_exposures for p in parts[:-1]])
    numbered = all(p.tiles is not None and p.dithers is not None for p in parts)
    return Footprint(
        instrument=parts[0].instrument,
        pointing=parts[0].pointing,
        names=tuple(name for p in parts for name in p.names),
        exposures=np.concatenate([p.exposures + s for p, s in zip(parts, starts, strict=True)]),
        ra=np.concatenate([p.ra for p in parts]),
        dec=np.concatenate([p.dec for p in parts]),
        channel=parts[0].channel,
        n_exposures=sum(p.n_exposures for p in parts),
        tiles=np.concatenate([p.tiles for p in parts]) if numbered else None,
        dithers=np.concatenate([p.dithers for p in parts]) if numbered else None,
    )


@cache
def _corner_template(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    apertures = [get_aperture(name) for name in names]
    return (
        np.array([a.corners_v2 for a in apertures]),
        np.array([a.corners_v3 for a in apertures]),
    )


def _rotations(axis: int, angle_deg: np.ndarray) -> np.ndarray:
    """Right-handed rotations (n, 3, 3) about axis 0, 1 or 2 by each angle (degrees)."""
    angle = np.deg2rad(np.asarray(angle_deg, dtype=float)).reshape(-1)
    c, s = np.cos(angle), np.sin(angle)
    i, j = (axis + 1) % 3, (axis + 2) % 3
    matrices = np.zeros((len(angle), 3, 3))
    matrices[:, axis, axis] = 1.0
    matrices[:, i, i] = matrices[:, j, j] = c
    matrices[:, i, j], matrices[:, j, i] = -s, s
    return matrices


def attitude_matrices(
    v2_arcsec: np.ndarray,
    v3_arcsec: np.ndarray,
    ra_deg: np.ndarray,
    dec_deg: np.ndarray,
    v3pa_deg: float,
) -> np.ndarray:
    """Attitude matrices (n, 3, 3) putting each telescope position (v2, v3) at (ra, dec).

    The batched form of :func:`previs.geometry.attitude.attitude_matrix` (and of
    ``pysiaf.utils.rotations.attitude``): V3 at position angle ``v3pa_deg`` at
    each of the n positions; ``ra_deg``/``dec_deg`` may be scalars.
    """
    v2 = np.asarray(v2_arcsec, dtype=float).reshape(-1)
    v3 = np.asarray(v3_arcsec, dtype=float).reshape(-1)
    ra = np.broadcast_to(np.asarray(ra_deg, dtype=float), v2.shape)
    dec = np.broadcast_to(np.asarray(dec_deg, dtype=float), v2.shape)
    to_axis = _rotations(1, v3 / 3600.0) @ _rotations(2, -v2 / 3600.0)
    roll = _rotations(0, np.array([-v3pa_deg]))
    to_sky = _rotations(2, ra) @ _rotations(1, -dec)
    return to_sky @ roll @ to_axis


def place_apertures(
    names: tuple[str, ...],
    reference: str,
    ra_deg: np.ndarray,
    dec_deg: np.ndarray,
    target_offsets_idl: np.ndarray,
    v3pa_deg: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Sky corners (n_exposures * len(names), 4), degrees, of ``names`` in every exposure.

    Exposure k puts its target (``ra_deg[k]``, ``dec_deg[k]``, or one position for
    all) at ideal position ``target_offsets_idl[k]`` (arcsec) of ``reference``,
    with V3 at ``v3pa_deg`` there.
    """
    ref = get_aperture(reference)
    offsets = np.asarray(target_offsets_idl, dtype=float).reshape(-1, 2)
    v2_target, v3_target = ref.idl_to_tel(offsets[:, 0], offsets[:, 1])
    matrices = attitude_matrices(v2_target, v3_target, ra_deg, dec_deg, v3pa_deg)
    v2, v3 = _corner_template(tuple(names))
    corners = unit_vectors(v2.ravel() / 3600.0, v3.ravel() / 3600.0)  # (3, names * 4)
    x, y, z = np.moveaxis(matrices @ corners, 1, 0)  # each (n_exposures, names * 4)
    ra = wrap_degrees(np.rad2deg(np.arctan2(y, x)))
    dec = np.rad2deg(np.arcsin(np.clip(z, -1.0, 1.0)))
    return ra.reshape(-1, 4), dec.reshape(-1, 4)


def _place(
    pointing: Pointing,
    reference: str,
    names: tuple[str, ...],
    target_offsets_idl: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sky corners of ``names`` for every target offset of a pointing of ``reference``."""
    v3pa = v3pa_from_apa(pointing.apa, get_aperture(reference).v3_idl_yang)
    return place_apertures(names, reference, pointing.ra, pointing.dec, target_offsets_idl, v3pa)


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
    """Return the channel name in lower case or raise PrevisError naming the valid ones."""
    key = str(channel).strip().lower()
    aliases = {"sw": "short", "lw": "long"}
    key = aliases.get(key, key)
    if key not in CHANNELS:
        raise PrevisError(f"unknown NIRCam channel {quote(channel)}; valid: {', '.join(CHANNELS)}")
    return key


def nircam_footprint(
    pointing: Pointing,
    channel: str = "short",
    dither: str | Exposures = "NONE",
    mosaic: Mosaic | None = None,
) -> Footprint:
    """NIRCam detectors of one channel for every exposure.

    Parameters
    ----------
    pointing : Pointing
        RA, Dec of the target and APA (degrees) of NRCALL_FULL: with no offset the
        target sits on NRCALL_FULL's reference point.
    channel : {"short", "long"}
        Short-wavelength detectors (NRCA1-4, NRCB1-4) or long (NRCA5, NRCB5); only
        those of the modules the exposures' aperture uses.
    dither : str or Exposures
        A dither pattern name (see :data:`previs.geometry.patterns.DITHER_NAMES`),
        laid out over ``mosaic`` with previs's model of APT, or explicit
        :class:`~previs.geometry.patterns.Exposures` (then ``mosaic`` must be None
        or a single tile: the exposures hold their tiles).
    mosaic : Mosaic, optional
        Mosaic tiles (default: a single tile).
    """
    channel = check_channel(channel)
    if isinstance(dither, Exposures):
        if mosaic is not None and mosaic.rows * mosaic.columns > 1:
            raise PrevisError("give either explicit exposures or a dither pattern with a mosaic")
        exposures = dither
    else:
        exposures = Exposures.from_pattern(dither, mosaic)
    names = nircam_detectors_of(exposures.aperture, channel)
    ra, dec = _place(pointing, NIRCAM_REFERENCE, names, exposures.offsets)
    n_exposures = len(exposures)
    return Footprint(
        instrument="NIRCam",
        pointing=pointing,
        names=names * n_exposures,
        exposures=np.repeat(np.arange(n_exposures), len(names)),
        ra=ra,
        dec=dec,
        channel=channel,
        n_exposures=n_exposures,
        tiles=np.repeat(exposures.tiles, len(names)),
        dithers=np.repeat(exposures.dithers, len(names)),
    )
