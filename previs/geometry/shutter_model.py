"""The NIRSpec MSA at shutter level: where each shutter of each quadrant lies in (V2, V3).

The MSA has four quadrants of 365 columns (``i``, along the dispersion) by 171
rows (``j``) of shutters, numbered from 1 as in the NIRSpec model tables and the
CRDS ``msaoper`` files. Within a quadrant the shutters form a regular grid in
the MSA plane, so continuous coordinates ``(i, j)`` (shutter ``(i, j)`` is
centred on the integers, its cell spans ``i +- 0.5``, ``j +- 0.5``) are the MSA
plane up to scale, and the map to the telescope frame is smooth.

The snapshot ``previs/data/msa_shutters.json`` (written from pysiaf's NIRSpec
model tables by :mod:`previs.geometry.shutters_build`) holds, per quadrant:

- ``forward``: degree-5 Legendre polynomials ``(i, j) -> (V2, V3)`` (arcsec),
  fitted to the 62,415 tabulated shutter centres; the residual it records is
  0.03-0.05 mas rms and 0.09-0.19 mas at worst per quadrant, and a degree-7
  fit does no better (the tables hold float32 degrees, 0.05 mas steps);
- ``affine``: an exact affine frame ``(u, v)`` through three corner shutters,
  in which the quadrant is a near-rectangle (used to pick the quadrant and to
  clip shapes before the curved map is applied);
- ``inverse``: Legendre polynomials ``(u, v) -> (i, j)``, fitted to the exact
  inverse of ``forward`` on a regular grid reaching 10 shutters beyond the
  quadrant; its round-trip error is recorded too (below 1e-5 shutter, 3 micro-arcsec).

Open areas: each shutter's open area is the image of the rectangle
``i +- open_i / 2``, ``j +- open_j / 2``, with the open fractions
:data:`OPEN_AREA_ARCSEC` divided by the MSA's mean pitch (about 0.75 and 0.87);
the rest of the cell is the bars between shutters.

Layer: geometry. Never imports pysiaf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "GEOMETRY_PATH",
    "N_COLUMNS",
    "N_QUADRANTS",
    "N_ROWS",
    "OPEN_AREA_ARCSEC",
    "MSAShutters",
    "QuadrantModel",
    "horner_eval",
    "legendre_basis",
    "legendre_eval",
    "msa_shutters",
    "power_coefficients",
]

GEOMETRY_PATH = Path(__file__).resolve().parents[1] / "data" / "msa_shutters.json"

N_QUADRANTS = 4
N_COLUMNS = 365  # i, along the dispersion
N_ROWS = 171  # j, across the dispersion

#: Open area of one shutter on the sky, arcsec (i direction, j direction). JDox,
#: "NIRSpec Micro-Shutter Assembly": "an open area of approximately 0.20" x 0.46",
#: with an ~0.07" separating wall on all sides".
OPEN_AREA_ARCSEC = (0.20, 0.46)

#: Normalisation of (i, j) (and of the affine (u, v)) to [-1, 1]: (x - centre) / half-width.
I_CENTRE, I_HALF = (N_COLUMNS + 1) / 2.0, (N_COLUMNS - 1) / 2.0
J_CENTRE, J_HALF = (N_ROWS + 1) / 2.0, (N_ROWS - 1) / 2.0


def legendre_basis(x: np.ndarray, degree: int, derivative: bool = False) -> list[np.ndarray]:
    """Legendre polynomials P_0..P_degree at ``x`` (or their derivatives).

    Elementwise numpy operations in a fixed order only (no BLAS), so equal
    inputs give bit-identical outputs on every machine.
    """
    x = np.asarray(x, dtype=float)
    values = [np.ones_like(x), x]
    for n in range(1, degree):
        values.append(((2 * n + 1) * x * values[n] - n * values[n - 1]) / (n + 1))
    values = values[: degree + 1]
    if not derivative:
        return values
    # P'_{n+1} = P'_{n-1} + (2n + 1) P_n
    slopes = [np.zeros_like(x), np.ones_like(x)]
    for n in range(1, degree):
        slopes.append(slopes[n - 1] + (2 * n + 1) * values[n])
    return slopes[: degree + 1]


def legendre_eval(
    coefficients: np.ndarray, basis_x: list[np.ndarray], basis_y: list[np.ndarray]
) -> np.ndarray:
    """``sum_ab c[a, b] P_a(x) P_b(y)`` over the total-degree terms (``a + b <= degree``)."""
    degree = len(basis_x) - 1
    total = None
    for a in range(degree + 1):
        inner = None
        for b in range(degree + 1 - a):
            term = coefficients[a, b] * basis_y[b]
            inner = term if inner is None else inner + term
        part = basis_x[a] * inner
        total = part if total is None else total + part
    return total


def _legendre_to_power(degree: int) -> list[list[float]]:
    """T[n][k]: P_n(x) = sum_k T[n][k] x^k (plain Python floats, fixed order)."""
    rows = [[1.0] + [0.0] * degree, [0.0, 1.0] + [0.0] * (degree - 1)]
    for n in range(1, degree):
        shifted = [0.0] + rows[n][:-1]
        rows.append(
            [((2 * n + 1) * a - n * b) / (n + 1) for a, b in zip(shifted, rows[n - 1], strict=True)]
        )
    return rows[: degree + 1]


def power_coefficients(coefficients: np.ndarray) -> np.ndarray:
    """The same polynomial in powers: ``sum_ab m[a, b] x^a y^b`` (fixed-order arithmetic)."""
    degree = coefficients.shape[0] - 1
    t = _legendre_to_power(degree)
    c = coefficients.tolist()
    power = np.zeros_like(coefficients)
    for p in range(degree + 1):
        for q in range(degree + 1 - p):
            total = 0.0
            for a in range(p, degree + 1):
                for b in range(q, degree + 1 - a):
                    total += t[a][p] * c[a][b] * t[b][q]
            power[p, q] = total
    return power


def horner_eval(power: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``sum_ab m[a, b] x^a y^b`` over ``a + b <= degree`` by nested Horner schemes."""
    degree = power.shape[0] - 1
    total = None
    for a in range(degree, -1, -1):
        inner = None
        for b in range(degree - a, -1, -1):
            inner = power[a, b] if inner is None else inner * y + power[a, b]
        total = inner if total is None else total * x + inner
    return total + np.zeros_like(x)


def _normalise(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(i, dtype=float) - I_CENTRE) / I_HALF, (
        np.asarray(j, dtype=float) - J_CENTRE
    ) / J_HALF


@dataclass(frozen=True, eq=False)
class QuadrantModel:
    """The shutter geometry of one quadrant (see the module docstring).

    Attributes
    ----------
    quadrant : int
        1 to 4.
    forward_v2, forward_v3 : numpy.ndarray
        (d+1, d+1) Legendre coefficients of V2 and V3 (arcsec) in normalised (i, j).
    origin : numpy.ndarray
        (V2, V3) of shutter (1, 1), arcsec: the affine frame's origin.
    affine_inverse : numpy.ndarray
        2x2 matrix taking (V2, V3) - origin to (u - 1, v - 1).
    inverse_i, inverse_j : numpy.ndarray
        (d+1, d+1) Legendre coefficients of i and j in normalised (u, v).
    pitch : tuple of float
        Mean shutter pitch (i, j) over the quadrant, arcsec.
    residual : dict
        The fit residuals recorded in the snapshot.
    """

    quadrant: int
    forward_v2: np.ndarray
    forward_v3: np.ndarray
    origin: np.ndarray
    affine_inverse: np.ndarray
    inverse_i: np.ndarray
    inverse_j: np.ndarray
    pitch: tuple[float, float]
    residual: dict

    def __post_init__(self) -> None:
        # Power-basis copies for fast evaluation (Horner: half the work of the
        # Legendre recurrences); they agree with the Legendre sums to 1e-12.
        for name in ("forward_v2", "forward_v3", "inverse_i", "inverse_j"):
            object.__setattr__(self, f"_power_{name}", power_coefficients(getattr(self, name)))

    @property
    def degree(self) -> int:
        return self.forward_v2.shape[0] - 1

    def to_v2v3(self, i, j) -> tuple[np.ndarray, np.ndarray]:
        """Continuous shutter coordinates (i, j) to telescope (V2, V3), arcsec."""
        x, y = _normalise(i, j)
        return (
            horner_eval(self._power_forward_v2, x, y),  # type: ignore[attr-defined]
            horner_eval(self._power_forward_v3, x, y),  # type: ignore[attr-defined]
        )

    def to_v2v3_legendre(self, i, j) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`to_v2v3` summed in the Legendre basis (the build script's reference)."""
        x, y = _normalise(i, j)
        px, py = legendre_basis(x, self.degree), legendre_basis(y, self.degree)
        return legendre_eval(self.forward_v2, px, py), legendre_eval(self.forward_v3, px, py)

    def jacobian(self, i, j) -> np.ndarray:
        """d(V2, V3)/d(i, j) at (i, j): array (..., 2, 2), arcsec per shutter."""
        x, y = _normalise(i, j)
        d = self.degree
        px, py = legendre_basis(x, d), legendre_basis(y, d)
        dx, dy = legendre_basis(x, d, True), legendre_basis(y, d, True)
        rows = []
        for c in (self.forward_v2, self.forward_v3):
            rows.append([legendre_eval(c, dx, py) / I_HALF, legendre_eval(c, px, dy) / J_HALF])
        return np.moveaxis(np.array(rows), (0, 1), (-2, -1))

    def to_affine(self, v2, v3) -> tuple[np.ndarray, np.ndarray]:
        """Telescope (V2, V3) arcsec to the quadrant's affine frame (u, v) (about i, j)."""
        d2 = np.asarray(v2, dtype=float) - self.origin[0]
        d3 = np.asarray(v3, dtype=float) - self.origin[1]
        m = self.affine_inverse
        return 1.0 + m[0, 0] * d2 + m[0, 1] * d3, 1.0 + m[1, 0] * d2 + m[1, 1] * d3

    def affine_to_ij(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        """The affine frame (u, v) to continuous shutter coordinates (i, j)."""
        x, y = _normalise(u, v)
        return (
            horner_eval(self._power_inverse_i, x, y),  # type: ignore[attr-defined]
            horner_eval(self._power_inverse_j, x, y),  # type: ignore[attr-defined]
        )

    def affine_to_ij_legendre(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`affine_to_ij` summed in the Legendre basis (the build script's reference)."""
        x, y = _normalise(u, v)
        px, py = legendre_basis(x, self.degree), legendre_basis(y, self.degree)
        return legendre_eval(self.inverse_i, px, py), legendre_eval(self.inverse_j, px, py)

    def to_ij(self, v2, v3) -> tuple[np.ndarray, np.ndarray]:
        """Telescope (V2, V3) arcsec to continuous shutter coordinates (i, j).

        Valid within 10 shutters of the quadrant (where the inverse was fitted).
        """
        return self.affine_to_ij(*self.to_affine(v2, v3))

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """V2, V3 (arcsec) of every shutter centre, arrays (171, 365) indexed [j - 1, i - 1]."""
        i = np.arange(1, N_COLUMNS + 1, dtype=float)
        j = np.arange(1, N_ROWS + 1, dtype=float)
        x, y = _normalise(i, j)
        px, py = legendre_basis(x, self.degree), legendre_basis(y, self.degree)
        # Separable: V[j, i] = sum_ab c[a, b] P_a(x_i) P_b(y_j).
        pxm, pym = np.array(px), np.array(py)
        return tuple(pym.T @ c.T @ pxm for c in (self.forward_v2, self.forward_v3))

    def cell_areas(self) -> np.ndarray:
        """Sky area of every shutter cell (pitch_i x pitch_j), arcsec^2, array (171, 365)."""
        i = np.arange(1, N_COLUMNS + 1, dtype=float)
        j = np.arange(1, N_ROWS + 1, dtype=float)
        x, y = _normalise(i, j)
        d = self.degree
        px, py = np.array(legendre_basis(x, d)), np.array(legendre_basis(y, d))
        dx, dy = np.array(legendre_basis(x, d, True)), np.array(legendre_basis(y, d, True))
        a = [py.T @ c.T @ dx / I_HALF for c in (self.forward_v2, self.forward_v3)]
        b = [dy.T @ c.T @ px / J_HALF for c in (self.forward_v2, self.forward_v3)]
        return np.abs(a[0] * b[1] - a[1] * b[0])


@dataclass(frozen=True, eq=False)
class MSAShutters:
    """The four quadrants' shutter geometry and the snapshot's provenance.

    Attributes
    ----------
    quadrants : tuple of QuadrantModel
        Quadrants 1 to 4.
    open_fraction : tuple of float
        Open area as a fraction of the pitch in i and in j (:data:`OPEN_AREA_ARCSEC`
        over the MSA's mean pitch).
    model : str
        The NIRSpec model the tables were computed with (FITS keyword MODEL).
    provenance : dict
        Source files, package and version, licence, build date.
    """

    quadrants: tuple[QuadrantModel, ...]
    open_fraction: tuple[float, float]
    model: str
    provenance: dict

    def quadrant(self, number: int) -> QuadrantModel:
        """The model of quadrant ``number`` (1-4)."""
        return self.quadrants[int(number) - 1]

    @property
    def name(self) -> str:
        """One line naming the geometry: model and source."""
        return f"{self.model} (pysiaf {self.provenance['package_version']} model tables)"


def _array(nested) -> np.ndarray:
    return np.array(nested, dtype=float)


def quadrant_from_dict(quadrant: int, entry: dict) -> QuadrantModel:
    """A :class:`QuadrantModel` from its snapshot entry."""
    return QuadrantModel(
        quadrant=quadrant,
        forward_v2=_array(entry["forward"]["v2"]),
        forward_v3=_array(entry["forward"]["v3"]),
        origin=_array(entry["affine"]["origin_v2v3"]),
        affine_inverse=_array(entry["affine"]["inverse"]),
        inverse_i=_array(entry["inverse"]["i"]),
        inverse_j=_array(entry["inverse"]["j"]),
        pitch=tuple(entry["pitch_arcsec"]),
        residual=dict(entry["residual"]),
    )


def shutters_from_dict(snapshot: dict) -> MSAShutters:
    """An :class:`MSAShutters` from a snapshot dict (as written by the build script)."""
    quadrants = tuple(
        quadrant_from_dict(q, snapshot["quadrants"][str(q)]) for q in range(1, N_QUADRANTS + 1)
    )
    mean_pitch = np.mean([q.pitch for q in quadrants], axis=0)
    open_fraction = (
        float(OPEN_AREA_ARCSEC[0] / mean_pitch[0]),
        float(OPEN_AREA_ARCSEC[1] / mean_pitch[1]),
    )
    return MSAShutters(quadrants, open_fraction, snapshot["model"], snapshot["provenance"])


@cache
def msa_shutters() -> MSAShutters:
    """The bundled shutter geometry (loaded once)."""
    return shutters_from_dict(json.loads(GEOMETRY_PATH.read_text(encoding="utf-8")))
