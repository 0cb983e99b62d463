"""NIRSpec pointings held as a rigid pattern: APT's positions at another APA, shape kept."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.geometry.attitude import Pointing
from previs.io.apt import read_apt
from previs.planning.nirspec_pattern import NirspecPattern

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from apt_support import DATA  # noqa: E402

PROGRAM = read_apt(DATA / "preimaging_mos.pointing")


def _separations_arcsec(pointings) -> np.ndarray:
    coords = SkyCoord([p.ra for p in pointings], [p.dec for p in pointings], unit="deg")
    return np.array([[a.separation(b).arcsec for b in coords] for a in coords])


def test_at_its_own_first_pointing_the_pattern_gives_its_pointings_back():
    pointings = PROGRAM.nirspec_pointings(2, 45.0)
    pattern = NirspecPattern(pointings[0], pointings[1:])
    assert len(pattern) == 4
    assert pattern.place(pointings[0]) == tuple(pointings[1:])
    assert NirspecPattern(pointings[0], ()).place(Pointing(10.0, 20.0, 30.0)) == ()


@pytest.mark.parametrize("apa", [0.0, 60.0, 137.5, 301.0])
def test_placed_where_apt_puts_pointing_1_it_gives_apts_other_pointings(apa):
    """APT turns the visit about its target; with pointing 1 where APT puts it at ``apa``,
    the rigid pattern made at 45 deg reproduces APT's other pointings (pysiaf-free check
    against the program's own placement)."""
    start = PROGRAM.nirspec_pointings(2, 45.0)
    wanted = PROGRAM.nirspec_pointings(2, apa)
    placed = NirspecPattern(start[0], start[1:]).place(wanted[0])
    for got, want in zip(placed, wanted[1:], strict=True):
        separation = SkyCoord(got.ra, got.dec, unit="deg").separation(
            SkyCoord(want.ra, want.dec, unit="deg")
        )
        assert separation.to_value("mas") < 0.01
        assert (got.apa - want.apa + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(0.0, 360.0),
    st.floats(-80.0, 80.0),
    st.floats(0.0, 360.0),
)
def test_moving_and_turning_keeps_the_patterns_shape(ra, dec, apa):
    start = PROGRAM.nirspec_pointings(2, 45.0)
    pattern = NirspecPattern(start[0], start[1:])
    first = Pointing(ra, dec, apa)
    placed = (first, *pattern.place(first))
    np.testing.assert_allclose(_separations_arcsec(placed), _separations_arcsec(start), atol=1e-5)
    # Placed back where it started, the pattern made here gives the first one again.
    back = NirspecPattern(first, placed[1:]).place(start[0])
    for got, was in zip(back, start[1:], strict=True):
        separation = SkyCoord(got.ra, got.dec, unit="deg").separation(
            SkyCoord(was.ra, was.dec, unit="deg")
        )
        assert separation.to_value("mas") < 0.01
        assert (got.apa - was.apa + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-7)


def test_a_pattern_holds_its_own_placements_and_nothing_else():
    pointings = PROGRAM.nirspec_pointings(2, 45.0)
    pattern = NirspecPattern(pointings[0], tuple(pointings[1:]))
    turned = Pointing(pointings[0].ra, pointings[0].dec, 80.0)
    placed = pattern.place(turned)
    assert pattern.holds(turned, placed)
    assert not pattern.holds(pointings[0], placed)  # placed for another APA
    moved = (Pointing(placed[0].ra + 1 / 3600, placed[0].dec, placed[0].apa), *placed[1:])
    assert not pattern.holds(turned, moved)
    assert not pattern.holds(turned, placed[:-1])
