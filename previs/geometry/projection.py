"""A gnomonic (tangent-plane) projection in arcsec, used for all area computations.

Great circles project to straight lines, so an aperture outline (straight
edges between SIAF corners) stays a polygon, and the map between two tangent
planes is projective: it keeps polygons polygons, which the APA sweep uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from previs.geometry.attitude import ARCSEC_PER_RADIAN, unit_vectors


def _dot(axis: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``axis . vectors`` over the first axis, element by element.

    Not ``tensordot``: BLAS may round equal inputs differently at different
    positions (threads, vector tails), and a polygon ring whose first and last
    points come out unequal is no longer closed.
    """
    return axis[0] * vectors[0] + axis[1] * vectors[1] + axis[2] * vectors[2]


@dataclass(frozen=True)
class TangentPlane:
    """Tangent plane at (ra, dec) degrees; x towards east, y towards north, arcsec."""

    ra: float
    dec: float

    def _basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ra, dec = np.deg2rad(self.ra), np.deg2rad(self.dec)
        centre = np.array([np.cos(ra) * np.cos(dec), np.sin(ra) * np.cos(dec), np.sin(dec)])
        east = np.array([-np.sin(ra), np.cos(ra), 0.0])
        north = np.array([-np.cos(ra) * np.sin(dec), -np.sin(ra) * np.sin(dec), np.cos(dec)])
        return east, north, centre

    def from_unit(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Plane coordinates (arcsec) of unit vectors of shape (3, ...)."""
        east, north, centre = self._basis()
        vectors = np.asarray(vectors, dtype=float)
        depth = _dot(centre, vectors)
        if np.any(depth <= 0):
            raise ValueError("a position lies 90 degrees or more from the tangent point")
        x = _dot(east, vectors) / depth * ARCSEC_PER_RADIAN
        y = _dot(north, vectors) / depth * ARCSEC_PER_RADIAN
        return x, y

    def to_unit(self, x_arcsec: np.ndarray, y_arcsec: np.ndarray) -> np.ndarray:
        """Unit vectors (3, ...) of plane positions in arcsec."""
        east, north, centre = self._basis()
        x = np.asarray(x_arcsec, dtype=float) / ARCSEC_PER_RADIAN
        y = np.asarray(y_arcsec, dtype=float) / ARCSEC_PER_RADIAN
        vectors = (
            centre[:, None] + east[:, None] * x.ravel() + north[:, None] * y.ravel()
        ) / np.sqrt(1.0 + x.ravel() ** 2 + y.ravel() ** 2)
        return vectors.reshape((3, *x.shape))

    def to_plane(self, ra_deg: np.ndarray, dec_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project sky positions (degrees) to the plane (arcsec)."""
        return self.from_unit(unit_vectors(ra_deg, dec_deg))

    def to_sky(self, x_arcsec: np.ndarray, y_arcsec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Deproject plane positions (arcsec) to RA in [0, 360) and Dec, degrees."""
        x, y, z = self.to_unit(x_arcsec, y_arcsec)
        ra = np.rad2deg(np.arctan2(y, x)) % 360.0
        dec = np.rad2deg(np.arcsin(np.clip(z, -1.0, 1.0)))
        return ra, dec

    def transfer_to(self, other: TangentPlane):
        """A vectorised function mapping (n, 2) coordinates in this plane to ``other``.

        Suits ``shapely.transform``: exact for straight-edged polygons (projective map).
        """

        def transfer(coords: np.ndarray) -> np.ndarray:
            x, y = other.from_unit(self.to_unit(coords[:, 0], coords[:, 1]))
            return np.column_stack([x, y])

        return transfer


def offset_position(
    ra_deg: float, dec_deg: float, east_arcsec: float, north_arcsec: float
) -> tuple[float, float]:
    """The sky position (RA, Dec degrees) offset by (east, north) arcsec from (ra, dec).

    Offsets are tangent-plane (gnomonic) coordinates at (ra, dec).
    """
    ra, dec = TangentPlane(ra_deg, dec_deg).to_sky(east_arcsec, north_arcsec)
    return float(ra), float(dec)


def position_offset(
    ra0_deg: float, dec0_deg: float, ra_deg: float, dec_deg: float
) -> tuple[float, float]:
    """(east, north) arcsec of (ra, dec) in the tangent plane at (ra0, dec0): the inverse
    of :func:`offset_position`."""
    x, y = TangentPlane(ra0_deg, dec0_deg).to_plane(ra_deg, dec_deg)
    return float(x), float(y)
