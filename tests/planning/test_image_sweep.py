"""Worst case of an image's coverage over a NIRSpec APA range."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from previs.geometry.attitude import Pointing
from previs.geometry.image_coverage import SkyRegion, image_coverage
from previs.geometry.projection import TangentPlane
from previs.planning.image_sweep import image_worst_case

RA, DEC = 210.8, 54.3


def strip_region() -> SkyRegion:
    """A 90" wide north-south strip: the MSA is least covered when turned across it."""
    return SkyRegion(TangentPlane(RA, DEC), shapely.box(-45, -400, 45, 400), 0.05)


@pytest.mark.parametrize("apa_range", [(30.0, 60.0), (350.0, 20.0), (0.0, 360.0)])
def test_worst_case_is_the_smallest_coverage_on_the_arc(apa_range):
    region = strip_region()
    nirspec = Pointing(RA, DEC, 123.0)
    worst = image_worst_case(region, nirspec, apa_range, step=1.0)
    low, high = apa_range
    width = 360.0 if high - low >= 360 else (high - low) % 360
    assert worst.apas[0] == pytest.approx(low % 360)
    assert len(worst.apas) == int(round(width)) + 1
    direct = [image_coverage(region, Pointing(RA, DEC, a)).covered for a in worst.apas]
    assert np.allclose(worst.covered, direct, atol=1e-9)
    assert worst.min == pytest.approx(min(direct))
    assert worst.apa_at_min == worst.apas[int(np.argmin(direct))]
    assert worst.apa_range == (low, high)
    assert worst.to_dict()["min"] == worst.min


def test_far_region_has_a_zero_worst_case():
    worst = image_worst_case(strip_region(), Pointing(RA + 3, DEC, 0.0), (0.0, 10.0))
    assert worst.min == 0.0 and not worst.covered.any()
