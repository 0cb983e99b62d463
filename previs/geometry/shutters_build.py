"""Write previs's MSA shutter snapshots: geometry (from pysiaf) and operability (from vMPT).

A maintenance tool, not part of the runtime. Refresh both with::

    python -m previs.geometry.shutters_build            # or: make shutters
    python -m previs.geometry.shutters_build --wheel jwst_vmpt-1.8.0-py3-none-any.whl

**Geometry** (``previs/data/msa_shutters.json``): pysiaf's distribution ships the
NIRSpec model tables ``sky_fpa_projectionMSA_Q{1..4}.fits`` (BSD-3), one row per
shutter with ``I`` (1-365), ``J`` (1-171) and ``XPOSSKY``/``YPOSSKY``, the
shutter centre's V2/V3 in degrees. Per quadrant this module fits degree-5
Legendre polynomials (i, j) -> (V2, V3) to all 62,415 centres, and their inverse
(see :mod:`previs.geometry.shutter_model`). A polynomial rather than the
centres: a 19 kB JSON file instead of 2 MB of float32 centres, as accurate as
the tables allow (their float32 degrees step by 0.05 mas; the fit's residual is
0.03-0.05 mas rms and at most 0.19 mas, and a degree-7 fit does no better), and
it gives the continuous (i, j) frame that open areas, bars and the coverage need.
The fits are least squares solved with exactly rounded sums (``math.fsum``) and
a pure-Python Cholesky, so a rebuild on any machine gives the same digits; the
test suite rebuilds the snapshot and requires it to equal the packaged file.
pysiaf is located and its version read without importing it.

**Operability** (``previs/data/msa_operability.json``): the jwst-vmpt 1.8.0 wheel
(MIT) ships ``vmpt/data/msaoper_fallback.npz`` with ``reason[quadrant-1, j-1, i-1]``
(0 operable, 1 failed closed, 2 failed open) taken from CRDS
``jwst_nirspec_msaoper_0017.json``. The wheel is fetched at build time with
``pip download jwst-vmpt==1.8.0 --no-deps`` (or given with ``--wheel``); the array
is stored zlib-compressed in base64 with the provenance and vMPT's MIT notice.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import math
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from previs._files import write_text_atomic
from previs.geometry.operability import OPERABILITY_PATH, operability_from_dict
from previs.geometry.shutter_model import (
    GEOMETRY_PATH,
    I_CENTRE,
    I_HALF,
    J_CENTRE,
    J_HALF,
    N_COLUMNS,
    N_QUADRANTS,
    N_ROWS,
    legendre_basis,
    quadrant_from_dict,
)

DEGREE = 5
#: The inverse is fitted this many shutters beyond each edge of a quadrant.
INVERSE_MARGIN = 10
TABLE_FOLDER = "source_data/NIRSpec/delivery/test_data/apertures_testData"
TABLE_NAME = "sky_fpa_projectionMSA_Q{}.fits"

VMPT_VERSION = "1.8.0"
VMPT_NPZ = "vmpt/data/msaoper_fallback.npz"


# ---------------------------------------------------------------------------
# Reproducible least squares


def _cholesky_solve(gram: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve ``gram @ x = rhs`` (symmetric positive definite) in plain Python floats."""
    n = len(rhs)
    lower = [[0.0] * n for _ in range(n)]
    for r in range(n):
        for c in range(r + 1):
            s = gram[r][c] - math.fsum(lower[r][k] * lower[c][k] for k in range(c))
            lower[r][c] = math.sqrt(s) if r == c else s / lower[c][c]
    y = [0.0] * n
    for r in range(n):
        y[r] = (rhs[r] - math.fsum(lower[r][k] * y[k] for k in range(r))) / lower[r][r]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (y[r] - math.fsum(lower[k][r] * x[k] for k in range(r + 1, n))) / lower[r][r]
    return x


def _terms(degree: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(degree + 1) for b in range(degree + 1 - a)]


def fit_grid(
    x: np.ndarray, y: np.ndarray, values: list[np.ndarray], degree: int = DEGREE
) -> list[np.ndarray]:
    """Least-squares total-degree Legendre fits on a full product grid.

    Parameters
    ----------
    x, y : numpy.ndarray
        Normalised grid coordinates (1-D); ``values[k][row, column]`` lies at
        ``(x[column], y[row])``.
    values : list of numpy.ndarray
        The quantities to fit, each (len(y), len(x)).

    Returns
    -------
    list of numpy.ndarray
        (degree+1, degree+1) coefficient arrays, zero where ``a + b > degree``.
    """
    px, py = legendre_basis(x, degree), legendre_basis(y, degree)
    sx = [
        [math.fsum((px[a] * px[c]).tolist()) for c in range(degree + 1)] for a in range(degree + 1)
    ]
    sy = [
        [math.fsum((py[b] * py[d]).tolist()) for d in range(degree + 1)] for b in range(degree + 1)
    ]
    terms = _terms(degree)
    gram = [[sx[a][c] * sy[b][d] for (c, d) in terms] for (a, b) in terms]
    fits = []
    for value in values:
        rhs = [
            math.fsum((py[b][:, None] * px[a][None, :] * value).ravel().tolist()) for a, b in terms
        ]
        solution = _cholesky_solve(gram, rhs)
        coefficients = np.zeros((degree + 1, degree + 1))
        for (a, b), c in zip(terms, solution, strict=True):
            coefficients[a, b] = c
        fits.append(coefficients)
    return fits


# ---------------------------------------------------------------------------
# Geometry


def pysiaf_location() -> tuple[Path, str, str]:
    """pysiaf's installed folder, its version and its licence text (without importing it)."""
    spec = importlib.util.find_spec("pysiaf")
    if spec is None or spec.origin is None:
        raise RuntimeError("pysiaf is not installed (pip install -e '.[test]')")
    distribution = importlib.metadata.distribution("pysiaf")
    licence = ""
    for file in distribution.files or ():
        if "licen" in str(file).lower():
            licence = Path(distribution.locate_file(file)).read_text(encoding="utf-8")
            break
    return Path(spec.origin).parent, distribution.version, licence


def read_table(path: Path, quadrant: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Shutter centres (V2, V3 arcsec, arrays (171, 365) indexed [j-1, i-1]) and the model name."""
    from astropy.io import fits

    with fits.open(path) as hdus:
        model = str(hdus[0].header.get("MODEL", "unknown"))
        data = hdus[1].data
        i, j, q = (np.asarray(data[name], dtype=int) for name in ("I", "J", "Q"))
        v2_deg = np.asarray(data["XPOSSKY"], dtype=np.float64)
        v3_deg = np.asarray(data["YPOSSKY"], dtype=np.float64)
    if not (np.all(q == quadrant) and len(i) == N_COLUMNS * N_ROWS):
        raise RuntimeError(f"{path}: expected {N_COLUMNS * N_ROWS} rows of quadrant {quadrant}")
    filled = np.zeros((N_ROWS, N_COLUMNS), dtype=int)
    np.add.at(filled, (j - 1, i - 1), 1)
    if not np.all(filled == 1):
        raise RuntimeError(f"{path}: shutters (I, J) do not fill the 365 x 171 grid once each")
    v2 = np.empty((N_ROWS, N_COLUMNS))
    v3 = np.empty((N_ROWS, N_COLUMNS))
    v2[j - 1, i - 1] = v2_deg * 3600.0
    v3[j - 1, i - 1] = v3_deg * 3600.0
    return v2, v3, model


def _mean(values: np.ndarray) -> float:
    return math.fsum(values.ravel().tolist()) / values.size


def _rms(values: np.ndarray) -> float:
    return math.sqrt(math.fsum((values * values).ravel().tolist()) / values.size)


def _length(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """sqrt(dx^2 + dy^2) from correctly rounded operations only (libm's hypot may vary)."""
    return np.sqrt(dx * dx + dy * dy)


def _affine(v2: np.ndarray, v3: np.ndarray) -> tuple[list[float], list[list[float]]]:
    """Origin (shutter (1, 1)) and the matrix taking (V2, V3) - origin to (u - 1, v - 1)."""
    origin = [float(v2[0, 0]), float(v3[0, 0])]
    e_i = [(v2[0, -1] - v2[0, 0]) / (N_COLUMNS - 1), (v3[0, -1] - v3[0, 0]) / (N_COLUMNS - 1)]
    e_j = [(v2[-1, 0] - v2[0, 0]) / (N_ROWS - 1), (v3[-1, 0] - v3[0, 0]) / (N_ROWS - 1)]
    det = e_i[0] * e_j[1] - e_j[0] * e_i[1]
    inverse = [[e_j[1] / det, -e_j[0] / det], [-e_i[1] / det, e_i[0] / det]]
    return origin, [[float(v) for v in row] for row in inverse]


def _newton_inverse(model, u: np.ndarray, v: np.ndarray, iterations: int = 8):
    """(i, j) with affine(forward(i, j)) = (u, v), by Newton's method (elementwise only)."""
    i, j = u.copy(), v.copy()
    m = model.affine_inverse
    for _ in range(iterations):
        v2, v3 = model.to_v2v3_legendre(i, j)
        gu, gv = model.to_affine(v2, v3)
        jac = model.jacobian(i, j)
        # d(u, v)/d(i, j) = affine_inverse @ d(V2, V3)/d(i, j)
        a = m[0, 0] * jac[..., 0, 0] + m[0, 1] * jac[..., 1, 0]
        b = m[0, 0] * jac[..., 0, 1] + m[0, 1] * jac[..., 1, 1]
        c = m[1, 0] * jac[..., 0, 0] + m[1, 1] * jac[..., 1, 0]
        d = m[1, 0] * jac[..., 0, 1] + m[1, 1] * jac[..., 1, 1]
        ru, rv = u - gu, v - gv
        det = a * d - b * c
        i = i + (d * ru - b * rv) / det
        j = j + (a * rv - c * ru) / det
    return i, j


def build_quadrant(v2: np.ndarray, v3: np.ndarray, quadrant: int) -> dict:
    """Snapshot entry of one quadrant from its tabulated centres (arrays (171, 365), arcsec)."""
    i = np.arange(1, N_COLUMNS + 1, dtype=float)
    j = np.arange(1, N_ROWS + 1, dtype=float)
    x, y = (i - I_CENTRE) / I_HALF, (j - J_CENTRE) / J_HALF
    forward_v2, forward_v3 = fit_grid(x, y, [v2, v3])
    origin, inverse_affine = _affine(v2, v3)
    entry = {
        "forward": {"v2": forward_v2.tolist(), "v3": forward_v3.tolist()},
        "affine": {"origin_v2v3": origin, "inverse": inverse_affine},
        "inverse": {"i": [[0.0]], "j": [[0.0]]},
        "pitch_arcsec": [
            _mean(_length(np.diff(v2, axis=1), np.diff(v3, axis=1))),
            _mean(_length(np.diff(v2, axis=0), np.diff(v3, axis=0))),
        ],
        "residual": {},
    }
    model = quadrant_from_dict(quadrant, entry)
    # The inverse: exact inverse of the forward map on a regular (u, v) grid.
    u = np.arange(1 - INVERSE_MARGIN, N_COLUMNS + INVERSE_MARGIN + 1, dtype=float)
    v = np.arange(1 - INVERSE_MARGIN, N_ROWS + INVERSE_MARGIN + 1, dtype=float)
    uu, vv = np.meshgrid(u, v)
    ii, jj = _newton_inverse(model, uu, vv)
    inverse_i, inverse_j = fit_grid((u - I_CENTRE) / I_HALF, (v - J_CENTRE) / J_HALF, [ii, jj])
    entry["inverse"] = {"i": inverse_i.tolist(), "j": inverse_j.tolist()}
    model = quadrant_from_dict(quadrant, entry)
    fit_v2, fit_v3 = model.to_v2v3_legendre(*np.meshgrid(i, j))
    miss = _length(fit_v2 - v2, fit_v3 - v3) * 1000.0
    back_i, back_j = model.affine_to_ij_legendre(uu, vv)
    table_i, table_j = model.affine_to_ij_legendre(*model.to_affine(v2, v3))
    ii_grid, jj_grid = np.meshgrid(i, j)
    entry["residual"] = {
        "forward_max_mas": round(float(miss.max()), 4),
        "forward_rms_mas": round(_rms(miss), 4),
        "inverse_max_shutter": round(
            float(max(np.abs(back_i - ii).max(), np.abs(back_j - jj).max())), 8
        ),
        "table_centres_max_shutter": [
            round(float(np.abs(table_i - ii_grid).max()), 6),
            round(float(np.abs(table_j - jj_grid).max()), 6),
        ],
    }
    return entry


def build_geometry(built: str | None = None) -> dict:
    """The geometry snapshot from the installed pysiaf's model tables.

    Parameters
    ----------
    built : str, optional
        Build date recorded in the provenance (ISO; default today).
    """
    folder, version, licence = pysiaf_location()
    quadrants = {}
    models = set()
    files = []
    for q in range(1, N_QUADRANTS + 1):
        relative = f"{TABLE_FOLDER}/{TABLE_NAME.format(q)}"
        v2, v3, model = read_table(folder / relative, q)
        models.add(model)
        files.append(f"pysiaf/{relative}")
        quadrants[str(q)] = build_quadrant(v2, v3, q)
    if len(models) != 1:
        raise RuntimeError(f"the four tables name different models: {sorted(models)}")
    return {
        "description": (
            "NIRSpec MSA shutter geometry per quadrant: degree-5 Legendre polynomials "
            "(i, j) -> (V2, V3) arcsec fitted to the model tables' shutter centres, an affine "
            "frame (u, v) through shutters (1,1), (365,1), (1,171), and (u, v) -> (i, j). "
            "i = 1..365 (column, dispersion), j = 1..171 (row); normalised x = (i - 183) / 182, "
            "y = (j - 86) / 85; coefficient [a][b] multiplies P_a(x) P_b(y)."
        ),
        "model": models.pop(),
        "degree": DEGREE,
        "provenance": {
            "package": "pysiaf",
            "package_version": version,
            "files": files,
            "columns": "Q, I, J, XPOSSKY, YPOSSKY (degrees: shutter centre V2, V3)",
            "licence": "BSD-3-Clause",
            "licence_text": licence,
            "built": built or datetime.date.today().isoformat(),
            "builder": "previs.geometry.shutters_build",
        },
        "quadrants": quadrants,
    }


# ---------------------------------------------------------------------------
# Operability


def fetch_vmpt_wheel(folder: Path) -> Path:
    """Download the jwst-vmpt wheel with pip into ``folder`` and return its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"jwst-vmpt=={VMPT_VERSION}",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(folder),
        ],
        check=True,
    )
    wheels = sorted(folder.glob(f"jwst_vmpt-{VMPT_VERSION}-*.whl"))
    if not wheels:
        raise RuntimeError(f"pip did not leave a jwst_vmpt {VMPT_VERSION} wheel in {folder}")
    return wheels[0]


def encode_reason(reason: np.ndarray) -> str:
    """int8 array (4, 171, 365) -> base64 of its zlib-compressed C-order bytes."""
    return base64.b64encode(
        zlib.compress(np.ascontiguousarray(reason, np.int8).tobytes(), 9)
    ).decode()


def build_operability(wheel: Path, built: str | None = None) -> dict:
    """The operability snapshot from a jwst-vmpt wheel.

    Parameters
    ----------
    wheel : path
        The ``jwst_vmpt-<version>-py3-none-any.whl`` file.
    built : str, optional
        Build date recorded in the provenance (ISO; default today).
    """
    wheel = Path(wheel)
    data = wheel.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(VMPT_NPZ)
        npz = archive.read(info)
        licences = [n for n in archive.namelist() if ".dist-info/licenses/" in n]
        licence = archive.read(licences[0]).decode("utf-8") if licences else ""
        metadata = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        version = VMPT_VERSION
        if metadata:
            for line in archive.read(metadata[0]).decode("utf-8").splitlines():
                if line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                    break
    with np.load(io.BytesIO(npz), allow_pickle=False) as arrays:
        reason = np.asarray(arrays["reason"])
        source = str(arrays["source"]) if "source" in arrays.files else "unknown msaoper"
    if reason.shape != (N_QUADRANTS, N_ROWS, N_COLUMNS) or not np.isin(reason, (0, 1, 2)).all():
        raise RuntimeError(f"{VMPT_NPZ}: expected reason (4, 171, 365) with values 0, 1, 2")
    reason = reason.astype(np.int8)
    stem = Path(source).stem.replace("jwst_nirspec_", "")
    snapshot = {
        "name": f"{stem} (vmpt {version} snapshot)",
        "crds_file": source,
        "encoding": "base64 of zlib-compressed int8 reason[quadrant-1, j-1, i-1], C order",
        "states": {"0": "operable", "1": "failed closed", "2": "failed open"},
        "counts": {
            "failed_closed": int((reason == 1).sum()),
            "failed_open": int((reason == 2).sum()),
        },
        "reason": encode_reason(reason),
        "provenance": {
            "package": "jwst-vmpt",
            "package_version": version,
            "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(data).hexdigest(),
            "file": VMPT_NPZ,
            "file_date": "{:04d}-{:02d}-{:02d}".format(*info.date_time[:3]),
            "licence": "MIT",
            "licence_text": licence,
            "built": built or datetime.date.today().isoformat(),
            "builder": "previs.geometry.shutters_build",
        },
    }
    operability_from_dict(snapshot)  # the runtime must read what was written
    return snapshot


# ---------------------------------------------------------------------------


def _dump(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=1) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line: rebuild both snapshots (or one of them)."""
    parser = argparse.ArgumentParser(prog="python -m previs.geometry.shutters_build")
    parser.add_argument("--wheel", type=Path, help="jwst-vmpt wheel (default: pip download it)")
    parser.add_argument("--only", choices=("geometry", "operability"))
    args = parser.parse_args(argv)
    if args.only != "operability":
        write_text_atomic(GEOMETRY_PATH, _dump(build_geometry()))
        print(f"wrote {GEOMETRY_PATH}")
    if args.only != "geometry":
        if args.wheel is not None:
            snapshot = build_operability(args.wheel)
        else:
            with tempfile.TemporaryDirectory() as folder:
                snapshot = build_operability(fetch_vmpt_wheel(Path(folder)))
        write_text_atomic(OPERABILITY_PATH, _dump(snapshot))
        print(f"wrote {OPERABILITY_PATH}")


if __name__ == "__main__":
    main()
