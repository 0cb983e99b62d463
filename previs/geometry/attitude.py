"""Pointings and the JWST attitude matrix: telescope frame (V2, V3) to sky (RA, Dec).

A pointing ``(ra, dec, apa)`` places a reference aperture's reference point
(V2Ref, V3Ref) at (RA, Dec) with the aperture's ideal +Y axis at position angle
``apa`` (degrees east of north). The telescope V3 axis then has position angle
``v3pa = apa - V3IdlYAngle`` at that point, and the attitude matrix is the
standard one of the JWST SIAF documentation: it maps the telescope-frame unit
vector of (V2Ref, V3Ref) onto the sky unit vector of (RA, Dec) with V3 at ``v3pa``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from previs.errors import PrevisError, quote
from previs.geometry.angles import wrap_degrees

ARCSEC_PER_RADIAN = 180.0 * 3600.0 / math.pi


def _axis_rotation(axis: int, angle_deg: float) -> np.ndarray:
    """Right-handed (anticlockwise seen from the axis tip) rotation about axis 0, 1 or 2."""
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    i, j = (axis + 1) % 3, (axis + 2) % 3
    matrix = np.eye(3)
    matrix[i, i] = matrix[j, j] = c
    matrix[i, j], matrix[j, i] = -s, s
    return matrix


def attitude_matrix(
    v2_arcsec: float, v3_arcsec: float, ra_deg: float, dec_deg: float, v3pa_deg: float
) -> np.ndarray:
    """The attitude matrix that puts telescope position (v2, v3) at (ra, dec).

    Parameters
    ----------
    v2_arcsec, v3_arcsec : float
        Telescope-frame position that is placed on the sky position, arcsec.
    ra_deg, dec_deg : float
        Sky position, degrees.
    v3pa_deg : float
        Position angle of the V3 axis at that position, degrees east of north.

    Returns
    -------
    numpy.ndarray
        3x3 matrix taking telescope-frame unit vectors to equatorial unit vectors.
    """
    # Undo the (v2, v3) offset so the position lies on the x axis, roll about it by
    # -pa, then carry the x axis to (ra, dec).
    to_axis = _axis_rotation(1, v3_arcsec / 3600.0) @ _axis_rotation(2, -v2_arcsec / 3600.0)
    roll = _axis_rotation(0, -v3pa_deg)
    to_sky = _axis_rotation(2, ra_deg) @ _axis_rotation(1, -dec_deg)
    return to_sky @ roll @ to_axis


def unit_vectors(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Unit vectors (3, ...) of spherical positions given in degrees."""
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    cos_lat = np.cos(lat)
    return np.stack([np.cos(lon) * cos_lat, np.sin(lon) * cos_lat, np.sin(lat)])


def separation_deg(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Great-circle distance between two sky positions, degrees."""
    a = unit_vectors(ra1, dec1)
    b = unit_vectors(ra2, dec2)
    cosine = float(np.clip(a[0] * b[0] + a[1] * b[1] + a[2] * b[2], -1.0, 1.0))
    return math.degrees(math.acos(cosine))


def tel_to_sky(
    matrix: np.ndarray, v2_arcsec: np.ndarray, v3_arcsec: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Map telescope-frame positions (arcsec, any shape) to RA in [0, 360) and Dec, degrees."""
    v2 = np.asarray(v2_arcsec, dtype=float)
    v3 = np.asarray(v3_arcsec, dtype=float)
    tel = unit_vectors(v2 / 3600.0, v3 / 3600.0).reshape(3, -1)
    x, y, z = matrix @ tel
    ra = wrap_degrees(np.rad2deg(np.arctan2(y, x)))
    dec = np.rad2deg(np.arcsin(np.clip(z, -1.0, 1.0)))
    return ra.reshape(v2.shape), dec.reshape(v2.shape)


def _finite_number(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PrevisError(f"{name} must be a number in degrees, got {quote(value)}") from None
    if not math.isfinite(number):
        raise PrevisError(f"{name} must be a finite number in degrees, got {quote(value)}")
    return number


@dataclass(frozen=True)
class Pointing:
    """Where a reference aperture points and how it is oriented.

    Parameters
    ----------
    ra : float
        Right ascension of the reference point, degrees (wrapped to [0, 360)).
    dec : float
        Declination of the reference point, degrees, in [-90, 90].
    apa : float
        Aperture position angle: position angle of the aperture's ideal +Y axis
        at the reference point, degrees east of north (wrapped to [0, 360)).
    """

    ra: float
    dec: float
    apa: float

    def __post_init__(self) -> None:
        ra = float(wrap_degrees(_finite_number(self.ra, "RA")))
        dec = _finite_number(self.dec, "Dec")
        apa = float(wrap_degrees(_finite_number(self.apa, "APA")))
        if not -90.0 <= dec <= 90.0:
            raise PrevisError(f"Dec must lie between -90 and +90 degrees, got {dec:g}")
        object.__setattr__(self, "ra", ra)
        object.__setattr__(self, "dec", dec)
        object.__setattr__(self, "apa", apa)

    def to_dict(self) -> dict[str, float]:
        """``{"ra": ..., "dec": ..., "apa": ...}`` in degrees."""
        return {"ra": self.ra, "dec": self.dec, "apa": self.apa}


def v3pa_from_apa(apa_deg: float, v3_idl_yang_deg: float) -> float:
    """V3 position angle (deg, [0, 360)) for an aperture at APA ``apa_deg``."""
    return float(wrap_degrees(apa_deg - v3_idl_yang_deg))


def apa_from_v3pa(v3pa_deg: float, v3_idl_yang_deg: float) -> float:
    """Aperture position angle (deg, [0, 360)) for a V3 position angle ``v3pa_deg``."""
    return float(wrap_degrees(v3pa_deg + v3_idl_yang_deg))


def nircam_apa_for(nirspec_apa: float) -> float:
    """NIRCam APA (deg) at the same spacecraft orientation (V3PA) as a NIRSpec APA."""
    from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture

    v3pa = v3pa_from_apa(nirspec_apa, get_aperture(NIRSPEC_REFERENCE).v3_idl_yang)
    return apa_from_v3pa(v3pa, get_aperture(NIRCAM_REFERENCE).v3_idl_yang)


def offset_pointing(
    ra: float, dec: float, nircam_apa: float, dx_arcsec: float, dy_arcsec: float
) -> Pointing:
    """NIRCam pointing moved by (dx, dy) arcsec along NRCALL_FULL's ideal axes.

    The reference point of NRCALL_FULL is put on (ra, dec) at ``nircam_apa``;
    the returned pointing is the sky position of ideal point (dx, dy) there,
    with the same APA. (dx, dy) = (0, 0) returns (ra, dec).
    """
    from previs.geometry.siaf import NIRCAM_REFERENCE, get_aperture

    aperture = get_aperture(NIRCAM_REFERENCE)
    matrix = attitude_matrix(
        aperture.v2_ref,
        aperture.v3_ref,
        ra,
        dec,
        v3pa_from_apa(nircam_apa, aperture.v3_idl_yang),
    )
    v2, v3 = aperture.idl_to_tel(np.array([dx_arcsec]), np.array([dy_arcsec]))
    new_ra, new_dec = tel_to_sky(matrix, v2, v3)
    return Pointing(float(new_ra[0]), float(new_dec[0]), nircam_apa)


def sky_to_tel(
    matrix: np.ndarray, ra_deg: np.ndarray, dec_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Map sky positions (degrees, any shape) to telescope-frame V2, V3 (arcsec): the
    inverse of :func:`tel_to_sky` for the same attitude matrix.

    V2 is returned in (-648000, 648000]; the product is done element by element
    (no BLAS), so equal inputs give equal outputs wherever they sit in an array.
    """
    ra = np.deg2rad(np.asarray(ra_deg, dtype=float))
    dec = np.deg2rad(np.asarray(dec_deg, dtype=float))
    cos_dec = np.cos(dec)
    sky_x, sky_y, sky_z = np.cos(ra) * cos_dec, np.sin(ra) * cos_dec, np.sin(dec)
    # matrix is a rotation: its transpose is its inverse.
    x = matrix[0, 0] * sky_x + matrix[1, 0] * sky_y + matrix[2, 0] * sky_z
    y = matrix[0, 1] * sky_x + matrix[1, 1] * sky_y + matrix[2, 1] * sky_z
    z = matrix[0, 2] * sky_x + matrix[1, 2] * sky_y + matrix[2, 2] * sky_z
    v2 = np.arctan2(y, x) * ARCSEC_PER_RADIAN
    v3 = np.arcsin(np.clip(z, -1.0, 1.0, out=z)) * ARCSEC_PER_RADIAN
    return v2, v3
