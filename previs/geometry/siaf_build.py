"""Write previs's SIAF snapshot from the installed ``pysiaf``.

This is a maintenance tool, not part of the runtime: importing ``pysiaf`` takes
seconds and tries to reach the network, so previs itself only reads the JSON
file this module writes (``previs/data/siaf_snapshot.json``).

Refresh the snapshot with::

    python -m previs.geometry.siaf_build            # or: make siaf

The test suite rebuilds the snapshot in memory from the installed pysiaf and
requires it to agree with the packaged file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from previs._files import ANY_INPUT, write_text_atomic
from previs.geometry.siaf import (
    NIRCAM_APERTURES,
    NIRSPEC_APERTURES,
    SNAPSHOT_PATH,
)


def import_pysiaf_offline():
    """Import pysiaf without its version check against GitHub.

    pysiaf's import asks GitHub, without a timeout, whether a newer PRD
    exists; on a machine without network that can hang. The check is skipped
    by making that one request fail at once.
    """
    import requests

    original_get = requests.get

    def refuse(*args: Any, **kwargs: Any):
        raise requests.ConnectionError("previs builds the SIAF snapshot offline")

    requests.get = refuse
    try:
        import pysiaf
    finally:
        requests.get = original_get
    return pysiaf


def build_snapshot() -> dict[str, Any]:
    """Read the apertures previs needs from pysiaf.

    Returns
    -------
    dict
        ``{"prd_version", "pysiaf_version", "apertures": {name: {...}}}`` with,
        for every aperture, the telescope-frame corners (arcsec, in the order of
        ``corners('tel', rederive=False)``), the ideal-frame corners, V2Ref,
        V3Ref (arcsec), V3IdlYAngle (deg) and VIdlParity.
    """
    pysiaf = import_pysiaf_offline()  # a maintenance dependency only
    apertures: dict[str, Any] = {}
    for instrument, names in (("NIRSpec", NIRSPEC_APERTURES), ("NIRCam", NIRCAM_APERTURES)):
        siaf = pysiaf.Siaf(instrument)
        for name in names:
            aperture = siaf[name]
            v2, v3 = aperture.corners("tel", rederive=False)
            x_idl, y_idl = aperture.corners("idl", rederive=False)
            apertures[name] = {
                "instrument": instrument,
                "v2_ref": float(aperture.V2Ref),
                "v3_ref": float(aperture.V3Ref),
                "v3_idl_yang": float(aperture.V3IdlYAngle),
                "vidl_parity": int(aperture.VIdlParity),
                "corners_v2": [float(v) for v in v2],
                "corners_v3": [float(v) for v in v3],
                "corners_x_idl": [float(v) for v in x_idl],
                "corners_y_idl": [float(v) for v in y_idl],
            }
    return {
        "prd_version": str(pysiaf.JWST_PRD_VERSION),
        "pysiaf_version": str(pysiaf.__version__),
        "apertures": apertures,
    }


def write_snapshot(path: Path = SNAPSHOT_PATH) -> Path:
    """Build the snapshot from pysiaf and write it as JSON to ``path``."""
    snapshot = build_snapshot()
    write_text_atomic(path, json.dumps(snapshot, indent=1) + "\n", may_replace=ANY_INPUT)
    return path


if __name__ == "__main__":
    written = write_snapshot(Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT_PATH)
    print(f"wrote {written}")
