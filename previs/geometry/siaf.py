"""The SIAF apertures previs uses, read from a snapshot bundled with the package.

The snapshot (``previs/data/siaf_snapshot.json``) is written from ``pysiaf`` by
:mod:`previs.geometry.siaf_build`; the runtime never imports pysiaf.

Frames (as in the SIAF): the telescope frame (V2, V3, arcsec) and, per aperture,
an ideal frame (XIdl, YIdl, arcsec) whose origin is the reference point
(V2Ref, V3Ref), whose Y axis is rotated by V3IdlYAngle from V3 and whose X axis
runs along -V2 when VIdlParity is -1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from previs.errors import quote

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


def siaf_version() -> str:
    """The SIAF PRD version the snapshot was made from, e.g. ``"PRDOPSSOC-075"``."""
    return _snapshot()["prd_version"]


@cache
def get_aperture(name: str) -> Aperture:
    """Return the aperture called ``name`` from the snapshot.

    Raises
    ------
    ValueError
        If previs's snapshot does not hold that aperture; the message lists those it holds.
    """
    apertures = _snapshot()["apertures"]
    if name not in apertures:
        raise ValueError(
            f"unknown aperture {quote(name)}; previs knows: {', '.join(sorted(apertures))}"
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
