"""The celestial frame of a FITS WCS, as astropy names it, with the observation date.

previs works in ICRS. A FITS WCS may be ICRS, FK5 (any equinox), FK4 (B1950
or another equinox, with the epoch of observation), Galactic or ecliptic; FK5
J2000 differs from ICRS by 15-30 mas, FK4 B1950 positions by tens of
arcminutes. :class:`previs.io.sky_mapping.SkyMapping`, the one place where
image pixels meet ICRS positions, takes its frame from :func:`celestial_frame`.

astropy's :func:`~astropy.wcs.utils.wcs_to_celestial_frame` gives FK4 frames
the obstime of their equinox; :func:`celestial_frame` sets it from the header's
observation date (MJD-OBS, DATE-OBS, MJD-AVG or DATE-AVG) when there is one,
as the FK4 to FK5 conversion depends on it.
"""

from __future__ import annotations

import math

from astropy.coordinates import FK4, BaseCoordinateFrame, FK4NoETerms
from astropy.time import Time
from astropy.wcs import WCS
from astropy.wcs.utils import wcs_to_celestial_frame

from previs.errors import ImageError

__all__ = ["celestial_frame", "frame_label"]


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
