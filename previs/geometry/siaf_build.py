"""Write previs's SIAF snapshot from the installed ``pysiaf``.

This is a maintenance tool, not part of the runtime: importing ``pysiaf`` takes
seconds and tries to reach the network, so previs itself only reads the JSON
file this module writes (``previs/data/siaf_snapshot.json``).

Refresh the snapshot with::

    python -m previs.geometry.siaf_build            # or: make siaf

The test suite rebuilds the snapshot in memory from the installed pysiaf and
requires it to agree with the packaged file.

Which apertures: the ones previs names (:data:`~previs.geometry.siaf.NIRSPEC_APERTURES`,
:data:`~previs.geometry.siaf.NIRCAM_APERTURES`) and every aperture of pysiaf's
NIRCam and NIRSpec lists that :func:`~previs.geometry.siaf.is_snapshot_aperture`
accepts, i.e. those APT pointing reports name for NIRCam imaging and NIRSpec MOS.
The file holds one aperture per line. Provenance: the JWST SIAF (PRD version
recorded in the file) as distributed with pysiaf (BSD-3-Clause, STScI).
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
    is_snapshot_aperture,
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
        chosen = [n for n in siaf.apertures if is_snapshot_aperture(instrument, n)]
        for name in [*names, *(n for n in chosen if n not in names)]:
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
    return write_text_atomic(path, snapshot_text(build_snapshot()), may_replace=ANY_INPUT)


def snapshot_text(snapshot: dict[str, Any]) -> str:
    """The snapshot as JSON text with one aperture per line."""
    head = {key: value for key, value in snapshot.items() if key != "apertures"}
    lines = [json.dumps(head)[:-1] + ', "apertures": {']
    items = list(snapshot["apertures"].items())
    for k, (name, entry) in enumerate(items):
        comma = "," if k < len(items) - 1 else ""
        lines.append(f" {json.dumps(name)}: {json.dumps(entry)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    written = write_snapshot(Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT_PATH)
    print(f"wrote {written}")
