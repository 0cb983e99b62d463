"""The SIAF apertures previs uses, read from a snapshot bundled with the package.

The snapshot (``previs/data/siaf_snapshot.json``) is written from ``pysiaf`` by
:mod:`previs.geometry.siaf_build`; the runtime never imports pysiaf. It holds the
apertures previs draws and every aperture an APT pointing report names for NIRCam
imaging (NRCALL_FULL, the module apertures NRCAS_FULL/NRCBS_FULL, every detector's
FULL, FULLP and imaging subarrays) and for NIRSpec MOS (NRS_FULL_MSA and its
quadrants, NRS_VIGNETTED_MSA*, the NRS_FIELD*_MSA* field points, the IFU and the
fixed slits that target acquisitions use).

Frames (as in the SIAF): the telescope frame (V2, V3, arcsec) and, per aperture,
an ideal frame (XIdl, YIdl, arcsec) whose origin is the reference point
(V2Ref, V3Ref), whose Y axis is rotated by V3IdlYAngle from V3 and whose X axis
runs along -V2 when VIdlParity is -1.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from previs.errors import PrevisError, quote

SNAPSHOT_PATH = Path(__file__).resolve().parents[1] / "data" / "siaf_snapshot.json"

NIRSPEC_REFERENCE = "NRS_FULL_MSA"
MSA_QUADRANTS = ("NRS_FULL_MSA1", "NRS_FULL_MSA2", "NRS_FULL_MSA3", "NRS_FULL_MSA4")
NIRSPEC_IFU = "NRS_FULL_IFU"
NIRSPEC_SLITS = (
    "NRS_S200A1_SLIT",
    "NRS_S200A2_SLIT",
    "NRS_S400A1_SLIT",
    "NRS_S1600A1_SLIT",
    "NRS_S200B1_SLIT",
)
NIRSPEC_APERTURES = (NIRSPEC_REFERENCE, *MSA_QUADRANTS, NIRSPEC_IFU, *NIRSPEC_SLITS)

NIRCAM_REFERENCE = "NRCALL_FULL"
NIRCAM_DETECTORS = {
    "short": (
        "NRCA1_FULL",
        "NRCA2_FULL",
        "NRCA3_FULL",
        "NRCA4_FULL",
        "NRCB1_FULL",
        "NRCB2_FULL",
        "NRCB3_FULL",
        "NRCB4_FULL",
    ),
    "long": ("NRCA5_FULL", "NRCB5_FULL"),
}
CHANNELS = tuple(NIRCAM_DETECTORS)
NIRCAM_APERTURES = (NIRCAM_REFERENCE, *NIRCAM_DETECTORS["short"], *NIRCAM_DETECTORS["long"])

#: NIRCam apertures an APT pointing report names for imaging: both modules, one
#: module, or one detector's full frame or imaging subarray (``NRCB5_SUB640``).
NIRCAM_MODULE_APERTURES = {"NRCALL_FULL": "ALL", "NRCAS_FULL": "A", "NRCBS_FULL": "B"}
NIRCAM_IMAGING_SUFFIXES = (
    "FULL",
    "FULLP",
    "SUB160",
    "SUB320",
    "SUB640",
    "SUB64P",
    "SUB160P",
    "SUB400P",
)
_DETECTOR_APERTURE = re.compile(r"NRC([AB])([1-5])_([A-Z0-9]+)")
#: NIRSpec apertures of MOS observations and their target acquisitions.
_NIRSPEC_MOS_APERTURE = re.compile(
    r"NRS_(FULL|VIGNETTED)_MSA[1-4]?|NRS_FIELD\d_MSA\d|NRS_FULL_IFU|NRS_S\w+_SLIT"
)


def is_snapshot_aperture(instrument: str, name: str) -> bool:
    """Whether the SIAF snapshot should hold aperture ``name`` of ``instrument``.

    The rule :mod:`previs.geometry.siaf_build` applies to pysiaf's aperture list.
    """
    if instrument == "NIRCam":
        if name in NIRCAM_MODULE_APERTURES:
            return True
        match = _DETECTOR_APERTURE.fullmatch(name)
        return bool(match) and match.group(3) in NIRCAM_IMAGING_SUFFIXES
    if instrument == "NIRSpec":
        return bool(_NIRSPEC_MOS_APERTURE.fullmatch(name))
    return False


def nircam_detectors_of(aperture: str, channel: str) -> tuple[str, ...]:
    """The detector outlines one NIRCam channel records when APT names ``aperture``.

    ``NRCALL_FULL`` gives both modules' detectors, ``NRCAS_FULL``/``NRCBS_FULL``
    one module's. A single-detector aperture (``NRCB1_SUB400P``, ``NRCB5_SUB640``,
    ``NRCA3_FULL``) gives itself in its own channel and, in the other channel, the
    same-named aperture of that module's other channel (``NRCB5_SUB400P``,
    ``NRCB1_SUB640``, ``NRCA5_FULL``) if the SIAF has one, else that module's
    full-frame detectors of the channel.

    Raises
    ------
    PrevisError
        If ``aperture`` is not a NIRCam imaging aperture of the snapshot.
    """
    detectors = NIRCAM_DETECTORS[channel]
    module = NIRCAM_MODULE_APERTURES.get(aperture)
    if module == "ALL":
        return detectors
    if module is not None:
        return tuple(d for d in detectors if d[3] == module)
    match = _DETECTOR_APERTURE.fullmatch(aperture)
    if not match or match.group(3) not in NIRCAM_IMAGING_SUFFIXES:
        raise PrevisError(
            f"aperture {quote(aperture)} is not a NIRCam imaging aperture; previs knows "
            f"{', '.join(NIRCAM_MODULE_APERTURES)} and NRC<A|B><1-5>_<"
            f"{'|'.join(NIRCAM_IMAGING_SUFFIXES)}>"
        )
    module, number, suffix = match.groups()
    own_channel = "long" if number == "5" else "short"
    if own_channel == channel:
        return (aperture,)
    partner = f"NRC{module}{5 if channel == 'long' else 1}_{suffix}"
    if partner in _snapshot()["apertures"]:
        return (partner,)
    return tuple(d for d in detectors if d[3] == module)


@dataclass(frozen=True)
class Aperture:
    """One SIAF aperture.

    Attributes
    ----------
    name : str
        SIAF aperture name, e.g. ``"NRS_FULL_MSA1"``.
    instrument : str
        ``"NIRSpec"`` or ``"NIRCam"``.
    v2_ref, v3_ref : float
        Reference point in the telescope frame, arcsec.
    v3_idl_yang : float
        V3IdlYAngle, degrees: rotation of the ideal Y axis from V3.
    vidl_parity : int
        VIdlParity (+1 or -1).
    corners_v2, corners_v3 : numpy.ndarray
        The four corners in the telescope frame, arcsec, in the order of
        pysiaf's ``corners('tel', rederive=False)``.
    corners_x_idl, corners_y_idl : numpy.ndarray
        The same corners in the aperture's ideal frame, arcsec.
    """

    name: str
    instrument: str
    v2_ref: float
    v3_ref: float
    v3_idl_yang: float
    vidl_parity: int
    corners_v2: np.ndarray
    corners_v3: np.ndarray
    corners_x_idl: np.ndarray
    corners_y_idl: np.ndarray

    def idl_to_tel(self, x_idl: np.ndarray, y_idl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ideal-frame positions (arcsec) to the telescope frame (V2, V3 arcsec).

        The SIAF's planar relation (pysiaf's default ``planar_approximation``):
        a rotation by V3IdlYAngle with the X axis flipped by VIdlParity, about
        the reference point.
        """
        dv2, dv3 = self.idl_offset_to_tel(x_idl, y_idl)
        return self.v2_ref + dv2, self.v3_ref + dv3

    def tel_to_idl(self, v2: np.ndarray, v3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Telescope-frame positions (V2, V3 arcsec) to this aperture's ideal frame (arcsec).

        The exact inverse of :meth:`idl_to_tel` (the SIAF's planar relation).
        """
        angle = np.deg2rad(self.v3_idl_yang)
        cos_a, sin_a = np.cos(angle), np.sin(angle)
        dv2 = np.asarray(v2, dtype=float) - self.v2_ref
        dv3 = np.asarray(v3, dtype=float) - self.v3_ref
        return self.vidl_parity * (dv2 * cos_a - dv3 * sin_a), dv2 * sin_a + dv3 * cos_a

    def idl_offset_to_tel(
        self, dx_idl: np.ndarray, dy_idl: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Turn an ideal-frame displacement (arcsec) into a telescope-frame one (arcsec)."""
        angle = np.deg2rad(self.v3_idl_yang)
        cos_a, sin_a = np.cos(angle), np.sin(angle)
        px = self.vidl_parity * np.asarray(dx_idl, dtype=float)
        dy = np.asarray(dy_idl, dtype=float)
        return px * cos_a + dy * sin_a, -px * sin_a + dy * cos_a

    @property
    def ideal_extent(self) -> tuple[float, float]:
        """Width and height (arcsec) of the aperture in its ideal frame (max - min of corners)."""
        return (
            float(np.ptp(self.corners_x_idl)),
            float(np.ptp(self.corners_y_idl)),
        )


@lru_cache(maxsize=1)
def _snapshot() -> dict:
    return json.loads(SNAPSHOT_PATH.read_text())


def snapshot_apertures() -> tuple[str, ...]:
    """Names of every aperture the snapshot holds, in the snapshot's order."""
    return tuple(_snapshot()["apertures"])


def siaf_version() -> str:
    """The SIAF PRD version the snapshot was made from, e.g. ``"PRDOPSSOC-075"``."""
    return _snapshot()["prd_version"]


@cache
def get_aperture(name: str) -> Aperture:
    """Return the aperture called ``name`` from the snapshot.

    Raises
    ------
    PrevisError
        If previs's snapshot does not hold that aperture; the message names the
        closest ones it holds and what kinds of aperture it holds.
    """
    apertures = _snapshot()["apertures"]
    if name not in apertures:
        close = difflib.get_close_matches(str(name), list(apertures), n=4, cutoff=0.6)
        hint = f" (closest: {', '.join(close)})" if close else ""
        raise PrevisError(
            f"unknown aperture {quote(name)}{hint}; previs's SIAF snapshot holds the "
            f"{len(apertures)} NIRCam imaging and NIRSpec MOS apertures of "
            f"{siaf_version()}: {', '.join(sorted(apertures)[:6])}, ..."
        )
    entry = apertures[name]
    return Aperture(
        name=name,
        instrument=entry["instrument"],
        v2_ref=entry["v2_ref"],
        v3_ref=entry["v3_ref"],
        v3_idl_yang=entry["v3_idl_yang"],
        vidl_parity=entry["vidl_parity"],
        corners_v2=np.array(entry["corners_v2"]),
        corners_v3=np.array(entry["corners_v3"]),
        corners_x_idl=np.array(entry["corners_x_idl"]),
        corners_y_idl=np.array(entry["corners_y_idl"]),
    )
