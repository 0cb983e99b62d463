"""Image pixels to ICRS: the celestial frame of a FITS WCS, converted with astropy.

previs works in ICRS. A FITS WCS may be ICRS, FK5 (any equinox), FK4 (B1950
or another equinox, with the epoch of observation), Galactic or ecliptic; FK5
J2000 differs from ICRS by 15-30 mas, FK4 B1950 positions by tens of
arcminutes. :func:`pixel_to_icrs` and :func:`icrs_to_pixel` are the one place
where image pixels meet ICRS positions, written so that a single sky <-> pixel
mapping for every image use can absorb them.

astropy's :func:`~astropy.wcs.utils.wcs_to_celestial_frame` gives FK4 frames
the obstime of their equinox; :func:`celestial_frame` sets it from the header's
observation date (MJD-OBS, DATE-OBS, MJD-AVG or DATE-AVG) when there is one,
as the FK4 to FK5 conversion depends on it.
"""

from __future__ import annotations

import math

import numpy as np
from astropy.coordinates import FK4, ICRS, BaseCoordinateFrame, FK4NoETerms, SkyCoord
from astropy.time import Time
from astropy.wcs import WCS
from astropy.wcs.utils import wcs_to_celestial_frame

from previs.errors import ImageError

__all__ = ["celestial_frame", "frame_label", "icrs_to_pixel", "pixel_to_icrs", "to_icrs"]


def _observation_time(wcs: WCS) -> Time | None:
    for attribute in ("mjdobs", "mjdavg"):
        value = getattr(wcs.wcs, attribute, math.nan)
        if value is not None and math.isfinite(value):
            return Time(value, format="mjd", scale="utc")
    for attribute in ("dateobs", "dateavg"):
        value = str(getattr(wcs.wcs, attribute, "") or "").strip()
        if value:
            try:
                return Time(value, scale="utc")
            except ValueError:
                continue
    return None


def celestial_frame(wcs: WCS) -> BaseCoordinateFrame:
    """The astropy frame of a celestial WCS (FK4 with the observation date as obstime).

    Raises
    ------
    ImageError
        When astropy knows no celestial frame for the WCS axes.
    """
    try:
        frame = wcs_to_celestial_frame(wcs)
    except ValueError as error:
        types = ", ".join(str(t) for t in wcs.wcs.ctype)
        raise ImageError(
            f"image WCS axes ({types}) are in a sky frame previs cannot convert to ICRS "
            f"({error}); it needs RA/Dec (ICRS, FK5, FK4), Galactic or ecliptic axes."
        ) from None
    if isinstance(frame, (FK4, FK4NoETerms)):
        obstime = _observation_time(wcs)
        if obstime is not None:
            frame = frame.replicate_without_data(obstime=obstime)
    return frame


def frame_label(wcs: WCS) -> str:
    """Short name of a WCS's sky frame for reports, e.g. ``"fk5 (J2000.000)"``."""
    frame = celestial_frame(wcs)
    equinox = getattr(frame, "equinox", None)
    if equinox is None:
        return frame.name
    besselian = isinstance(frame, (FK4, FK4NoETerms))
    return f"{frame.name} ({equinox.byear_str if besselian else equinox.jyear_str})"


def to_icrs(wcs: WCS, lon_deg, lat_deg) -> tuple[np.ndarray, np.ndarray]:
    """ICRS (RA, Dec) in degrees of world coordinates in the WCS's own sky frame.

    Parameters
    ----------
    wcs : astropy.wcs.WCS
        Celestial WCS whose frame the positions are in.
    lon_deg, lat_deg : array_like
        Longitude and latitude in that frame, degrees.
    """
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    frame = celestial_frame(wcs)
    if isinstance(frame, ICRS):
        return np.mod(lon, 360.0), lat
    icrs = SkyCoord(lon, lat, unit="deg", frame=frame).icrs
    return np.asarray(icrs.ra.deg), np.asarray(icrs.dec.deg)


def pixel_to_icrs(wcs: WCS, x, y) -> tuple[np.ndarray, np.ndarray]:
    """ICRS (RA, Dec) in degrees of 0-based pixel positions (x = column, y = row).

    Distortions in the WCS (SIP, lookup tables) are applied.
    """
    world = wcs.all_pix2world(np.asarray(x, float), np.asarray(y, float), 0)
    return to_icrs(wcs, world[wcs.wcs.lng], world[wcs.wcs.lat])


def icrs_to_pixel(wcs: WCS, ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray]:
    """0-based pixel positions (x, y) of ICRS positions in degrees (inverse of
    :func:`pixel_to_icrs`)."""
    frame = celestial_frame(wcs)
    ra = np.asarray(ra_deg, dtype=float)
    dec = np.asarray(dec_deg, dtype=float)
    if isinstance(frame, ICRS):
        lon, lat = ra, dec
    else:
        native = SkyCoord(ra, dec, unit="deg", frame="icrs").transform_to(frame)
        lon, lat = native.spherical.lon.deg, native.spherical.lat.deg
    world = [None, None]
    world[wcs.wcs.lng], world[wcs.wcs.lat] = lon, lat
    x, y = wcs.all_world2pix(world[0], world[1], 0)
    return np.asarray(x), np.asarray(y)
