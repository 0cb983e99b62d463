"""The one sky <-> pixel mapping: previs's ICRS positions to an image's pixels and back.

previs works in ICRS. An image's WCS may be in another celestial frame: FK5
at any equinox (15-30 mas from ICRS at J2000), FK4 (B1950: tens of
arcminutes), Galactic, ecliptic. :class:`SkyMapping` converts through astropy
(:func:`previs.io.frames.celestial_frame` reads RADESYS, EQUINOX and, for FK4,
the observation date from the WCS) and is used by everything that puts a position
on an image or reads one from it: the overlay, recentring, click-to-move, the
catalog markers, the compass and the pixel regions.

Speed: most of these frames differ from ICRS by a fixed rotation (FK5,
Galactic, ecliptic frames at a given time); that is detected once, by
comparing astropy's transformation of test points with a rotation matrix, and
then applied as one 3x3 product (the overlay moves on every slider step).
FK4's E-terms of aberration are not a rotation, so FK4 images go through
astropy's :class:`~astropy.coordinates.SkyCoord` every time (a few ms).

Layer: io.
"""

from __future__ import annotations

import numpy as np
from astropy.wcs import WCS

from previs.io.frames import celestial_frame

__all__ = ["SkyMapping"]

#: A rotation reproduces astropy's transformation within this (radians; 1e-11 = 2 micro-arcsec).
ROTATION_TOLERANCE_RAD = 1e-11


def _unit_vectors(lon_deg, lat_deg) -> np.ndarray:
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _spherical(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = vectors
    lon = np.mod(np.rad2deg(np.arctan2(y, x)), 360.0)
    lat = np.rad2deg(np.arctan2(z, np.hypot(x, y)))
    return lon, lat


class SkyMapping:
    """ICRS (RA, Dec) degrees <-> 0-based pixels of a 2-D celestial WCS in any frame.

    Parameters
    ----------
    wcs : astropy.wcs.WCS
        The image's celestial WCS (longitude first).

    Attributes
    ----------
    frame : astropy.coordinates.BaseCoordinateFrame
        The WCS's celestial frame.
    frame_name : str
        Its name as astropy spells it (``"icrs"``, ``"fk5"``, ``"galactic"``, ...).
    is_icrs : bool
        Whether no conversion is needed.
    """

    def __init__(self, wcs: WCS) -> None:
        self.wcs = wcs
        self._lon_first = wcs.wcs.lng != 1  # a Dec-first WCS has its longitude on axis 1
        self.frame = celestial_frame(wcs)
        self.frame_name = self.frame.name
        self.is_icrs = self.frame_name == "icrs"
        # Rows: the frame's axes in ICRS (frame = R @ icrs), or None when not a rotation.
        self._rotation = None if self.is_icrs else self._find_rotation()

    @property
    def is_equatorial(self) -> bool:
        """Whether the frame's axes are RA and Dec (ICRS, FK5, FK4)."""
        return self.frame_name in ("icrs", "fk5", "fk4", "fk4noeterms")

    @property
    def axis_labels(self) -> tuple[str, str]:
        """Axis names for the figure: ``("RA (FK5 J2000)", "Dec (FK5 J2000)")``, ``("l", "b")``."""
        name = self.frame_name
        if name in ("icrs",):
            return "RA (ICRS)", "Dec (ICRS)"
        if name in ("fk5", "fk4", "fk4noeterms"):
            equinox = getattr(self.frame, "equinox", None)
            year = (
                None
                if equinox is None
                else (equinox.jyear_str if name == "fk5" else equinox.byear_str)
            )
            when = f" {year}" if year else ""
            label = f"{name.upper()}{when}"
            return f"RA ({label})", f"Dec ({label})"
        if name == "galactic":
            return "Galactic longitude l", "Galactic latitude b"
        return f"longitude ({name})", f"latitude ({name})"

    def _find_rotation(self) -> np.ndarray | None:
        from astropy.coordinates import SkyCoord

        basis_lon = np.array([0.0, 90.0, 0.0])
        basis_lat = np.array([0.0, 0.0, 90.0])
        rng = np.random.default_rng(20261201)
        test_lon = rng.uniform(0.0, 360.0, 24)
        test_lat = np.rad2deg(np.arcsin(rng.uniform(-1.0, 1.0, 24)))
        lon = np.concatenate([basis_lon, test_lon])
        lat = np.concatenate([basis_lat, test_lat])
        moved = SkyCoord(lon, lat, unit="deg", frame="icrs").transform_to(self.frame)
        vectors = _unit_vectors(moved.spherical.lon.deg, moved.spherical.lat.deg)
        rotation = vectors[:, :3]  # columns: where the ICRS axes land
        predicted = rotation @ _unit_vectors(test_lon, test_lat)
        error = np.max(np.linalg.norm(predicted - vectors[:, 3:], axis=0))
        orthogonal = np.max(np.abs(rotation.T @ rotation - np.eye(3)))
        if error < ROTATION_TOLERANCE_RAD and orthogonal < 1e-12:
            return rotation
        return None

    def icrs_to_frame(self, ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray]:
        """The image frame's (lon, lat) degrees of ICRS positions."""
        ra = np.asarray(ra_deg, dtype=float)
        dec = np.asarray(dec_deg, dtype=float)
        if self.is_icrs:
            return ra, dec
        if self._rotation is not None:
            lon, lat = _spherical(self._rotation @ _unit_vectors(ra.ravel(), dec.ravel()))
            return lon.reshape(ra.shape), lat.reshape(ra.shape)
        from astropy.coordinates import SkyCoord

        moved = SkyCoord(ra.ravel(), dec.ravel(), unit="deg", frame="icrs").transform_to(self.frame)
        return (
            moved.spherical.lon.deg.reshape(ra.shape),
            moved.spherical.lat.deg.reshape(ra.shape),
        )

    def frame_to_icrs(self, lon_deg, lat_deg) -> tuple[np.ndarray, np.ndarray]:
        """ICRS (RA, Dec) degrees of positions in the image frame."""
        lon = np.asarray(lon_deg, dtype=float)
        lat = np.asarray(lat_deg, dtype=float)
        if self.is_icrs:
            return np.mod(lon, 360.0), lat
        if self._rotation is not None:
            ra, dec = _spherical(self._rotation.T @ _unit_vectors(lon.ravel(), lat.ravel()))
            return ra.reshape(lon.shape), dec.reshape(lon.shape)
        from astropy.coordinates import SkyCoord

        coords = SkyCoord(lon.ravel(), lat.ravel(), unit="deg", frame=self.frame).icrs
        return coords.ra.deg.reshape(lon.shape), coords.dec.deg.reshape(lon.shape)

    def sky_to_pixel(self, ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray]:
        """0-based pixel (x, y) of ICRS positions (degrees, any shape)."""
        lon, lat = self.icrs_to_frame(ra_deg, dec_deg)
        world = (lon.ravel(), lat.ravel()) if self._lon_first else (lat.ravel(), lon.ravel())
        x, y = self.wcs.world_to_pixel_values(*world)
        return np.asarray(x).reshape(lon.shape), np.asarray(y).reshape(lon.shape)

    def pixel_to_sky(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """ICRS (RA in [0, 360), Dec) degrees of 0-based pixel positions."""
        x = np.asarray(x, dtype=float)
        first, second = self.wcs.pixel_to_world_values(
            x.ravel(), np.asarray(y, dtype=float).ravel()
        )
        lon, lat = (first, second) if self._lon_first else (second, first)
        ra, dec = self.frame_to_icrs(np.asarray(lon), np.asarray(lat))
        return np.mod(ra, 360.0).reshape(x.shape), dec.reshape(x.shape)
