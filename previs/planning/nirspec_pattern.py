"""Several NIRSpec pointings held as one rigid pattern that follows the first.

An APT NIRSpec MOS observation (or a saved plan's ``extra_nirspec``) gives the
MSA pointings at one APA. When the first pointing moves or turns (the dashboard's
NIRSpec RA/Dec fields and APA slider), :class:`NirspecPattern` carries the others
with it as one rigid body: each pointing's attitude keeps its rotation (the slew)
from the first one's, which is what a visit's dithers and nods are at a fixed
V3PA. The pattern turns about pointing 1; APT turns
it about the target, so at another APA the whole pattern may sit a few arcsec
from where APT would put it (pick the observation again to place it as APT does).

Layer: planning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from previs.errors import PrevisError
from previs.geometry.angles import signed_difference
from previs.geometry.attitude import (
    Pointing,
    separation_deg,
    tel_to_sky,
)
from previs.geometry.projection import TangentPlane
from previs.geometry.shutters import nirspec_attitude
from previs.geometry.siaf import NIRSPEC_REFERENCE, get_aperture

__all__ = ["NirspecPattern", "pattern_shape"]


def _pointing(matrix: np.ndarray) -> Pointing:
    """NRS_FULL_MSA's reference point under ``matrix`` and the PA of its ideal +Y there."""
    ref = get_aperture(NIRSPEC_REFERENCE)
    v2, v3 = ref.idl_to_tel(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    ra, dec = tel_to_sky(matrix, v2, v3)
    x, y = TangentPlane(float(ra[0]), float(dec[0])).to_plane(ra[1:], dec[1:])
    return Pointing(float(ra[0]), float(dec[0]), float(np.degrees(np.arctan2(x[0], y[0]))))


@dataclass(frozen=True, eq=False)
class NirspecPattern:
    """NIRSpec pointings after the first, kept rigidly relative to it.

    Parameters
    ----------
    first : Pointing
        The NRS_FULL_MSA pointing the pattern was given at.
    others : tuple of Pointing
        The other pointings at that time (RA, Dec, APA degrees).

    Examples
    --------
    >>> first = Pointing(53.16, -27.79, 45.0)
    >>> pattern = NirspecPattern(first, (Pointing(53.17, -27.80, 45.0),))
    >>> pattern.place(first) == pattern.others
    True
    """

    first: Pointing
    others: tuple[Pointing, ...]

    def __post_init__(self) -> None:
        others = tuple(self.others)
        if not all(isinstance(p, Pointing) for p in (self.first, *others)):
            raise PrevisError("a NIRSpec pattern is made of Pointings")
        object.__setattr__(self, "others", others)
        inverse = nirspec_attitude(self.first).T  # a rotation: its transpose is its inverse
        object.__setattr__(self, "_slews", tuple(inverse @ nirspec_attitude(p) for p in others))

    def __len__(self) -> int:
        """Number of pointings, the first included."""
        return 1 + len(self.others)

    def place(self, first: Pointing) -> tuple[Pointing, ...]:
        """The other pointings when the first is at ``first`` (RA, Dec, APA degrees).

        Unchanged (the very same pointings) when ``first`` is where the pattern was
        given, so a plan read back from its widgets equals the plan shown.
        """
        if first == self.first or not self.others:
            return self.others
        matrix = nirspec_attitude(first)
        # APAs measured the same way at pointing 1 and at each other: their difference is
        # the pattern's, free of the measurement's own small bias.
        base = _pointing(matrix).apa
        placed = [_pointing(matrix @ slew) for slew in self._slews]
        return tuple(
            Pointing(p.ra, p.dec, first.apa + signed_difference(p.apa, base)) for p in placed
        )

    def holds(
        self, first: Pointing, others: tuple[Pointing, ...], tolerance_deg: float = 1e-6
    ) -> bool:
        """Whether ``others`` are this pattern's pointings placed at ``first``: each within
        ``tolerance_deg`` of where :meth:`place` puts it, in position and in APA."""
        others = tuple(others)
        if len(others) != len(self.others):
            return False
        return all(
            separation_deg(a.ra, a.dec, b.ra, b.dec) < tolerance_deg
            and abs(signed_difference(a.apa, b.apa)) < tolerance_deg
            for a, b in zip(self.place(first), others, strict=True)
        )

    def shape_key(self) -> tuple[float, ...]:
        """The pattern's shape, rounded: each pointing's rotation from the first.

        The same wherever the first pointing is moved or turned (:meth:`place`
        keeps it), so what depends only on the shape, such as a worst case over
        the NIRSpec APAs, can be cached on it. The rotation matrices' elements are
        rounded to 1e-9 (0.2 mas).
        """
        if not self._slews:
            return ()
        return tuple(float(v) for v in np.round(np.concatenate(self._slews).ravel(), 9))


def pattern_shape(first: Pointing, others: tuple[Pointing, ...]) -> tuple[float, ...]:
    """:meth:`NirspecPattern.shape_key` of ``first`` and ``others`` (empty for none):
    a cache key for what depends on the pattern but not on where its first pointing is
    turned, such as a plan's worst case over the NIRSpec APAs."""
    return NirspecPattern(first, tuple(others)).shape_key() if others else ()
