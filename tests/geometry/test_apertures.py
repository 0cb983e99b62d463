"""The bundled SIAF snapshot against the installed pysiaf."""

from __future__ import annotations

import json

import numpy as np
import pytest

from previs.geometry.siaf import (
    NIRCAM_APERTURES,
    NIRSPEC_APERTURES,
    SNAPSHOT_PATH,
    get_aperture,
    siaf_version,
)
from previs.geometry.siaf_build import build_snapshot


def test_snapshot_regenerates_identically_from_installed_pysiaf():
    assert build_snapshot() == json.loads(SNAPSHOT_PATH.read_text())


def test_snapshot_holds_every_required_aperture():
    for name in NIRSPEC_APERTURES + NIRCAM_APERTURES:
        aperture = get_aperture(name)
        assert aperture.corners_v2.shape == (4,)
        assert aperture.vidl_parity == -1


def test_version_matches_pysiaf(pysiaf):
    assert siaf_version() == pysiaf.JWST_PRD_VERSION


@pytest.mark.parametrize("name", NIRSPEC_APERTURES + NIRCAM_APERTURES)
def test_corners_match_pysiaf(siaf, name):
    reference = siaf[get_aperture(name).instrument][name]
    v2, v3 = reference.corners("tel", rederive=False)
    aperture = get_aperture(name)
    np.testing.assert_allclose(aperture.corners_v2, v2, atol=1e-9)
    np.testing.assert_allclose(aperture.corners_v3, v3, atol=1e-9)


@pytest.mark.parametrize("name", ["NRCALL_FULL", "NRS_FULL_MSA", "NRCB5_FULL", "NRS_FULL_IFU"])
def test_ideal_to_telescope_matches_pysiaf(siaf, name):
    aperture = get_aperture(name)
    reference = siaf[aperture.instrument][name]
    x = np.array([0.0, -58.0, 73.0, 24.6, -300.0])
    y = np.array([0.0, 23.5, -30.0, -89.0, 120.0])
    v2, v3 = aperture.idl_to_tel(x, y)
    v2_ref, v3_ref = reference.idl_to_tel(x, y)
    np.testing.assert_allclose(v2, v2_ref, atol=1e-6)  # arcsec: a micro-arcsecond
    np.testing.assert_allclose(v3, v3_ref, atol=1e-6)


def test_known_reference_values():
    msa = get_aperture("NRS_FULL_MSA")
    assert msa.v2_ref == pytest.approx(378.563202)
    assert msa.v3_idl_yang == pytest.approx(138.5745697)
    nircam = get_aperture("NRCALL_FULL")
    width, height = nircam.ideal_extent
    assert width == pytest.approx(308.3, abs=0.1)
    assert height == pytest.approx(133.8, abs=0.1)


def test_unknown_aperture_is_named():
    with pytest.raises(ValueError, match="NRS_NOPE"):
        get_aperture("NRS_NOPE")
