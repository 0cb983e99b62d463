"""The bundled SIAF snapshot against the installed pysiaf."""

from __future__ import annotations

import json

import numpy as np
import pytest

from previs.errors import PrevisError
from previs.geometry.siaf import (
    NIRCAM_APERTURES,
    NIRCAM_DETECTORS,
    NIRSPEC_APERTURES,
    SNAPSHOT_PATH,
    get_aperture,
    is_snapshot_aperture,
    nircam_detectors_of,
    siaf_version,
    snapshot_apertures,
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


@pytest.mark.parametrize("name", snapshot_apertures())
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
    with pytest.raises(PrevisError, match="NRS_NOPE") as info:
        get_aperture("NRS_NOPE")
    assert len(str(info.value)) < 400  # not all 78 names
    with pytest.raises(PrevisError, match=r"closest: NRCA1_FULL"):
        get_aperture("NRCA1_FUL")


# Apertures the public APT pointing reports (tests/data/apt) name for NIRCam imaging
# and NIRSpec MOS science and MOS target acquisition.
REPORTED = (
    "NRCALL_FULL",
    "NRCAS_FULL",
    "NRCBS_FULL",
    "NRCA3_FULL",
    "NRCB5_SUB160",
    "NRCB5_SUB320",
    "NRCB5_SUB640",
    "NRCB1_SUB400P",
    "NRCB1_SUB64P",
    "NRS_FULL_MSA",
    "NRS_FIELD1_MSA4",
    "NRS_S1600A1_SLIT",
)


def test_snapshot_holds_the_reported_apertures_and_pysiafs_whole_families(siaf):
    names = set(snapshot_apertures())
    assert set(REPORTED) <= names
    for instrument in ("NIRCam", "NIRSpec"):
        chosen = {n for n in siaf[instrument].apertures if is_snapshot_aperture(instrument, n)}
        assert chosen <= names
    assert {f"NRS_FULL_MSA{q}" for q in range(1, 5)} <= names
    assert {f"NRC{m}{d}_SUB160" for m in "AB" for d in range(1, 6)} <= names
    assert not {n for n in names if "GRISM" in n or "MASK" in n or n.endswith("_OSS")}


@pytest.mark.parametrize("name", ["NRCALL_FULL", "NRCBS_FULL", "NRCB5_SUB640", "NRS_FIELD1_MSA4"])
def test_telescope_to_ideal_inverts_and_matches_pysiaf(siaf, name):
    aperture = get_aperture(name)
    v2 = np.array([aperture.v2_ref, -150.0, 300.0])
    v3 = np.array([aperture.v3_ref, -500.0, -420.0])
    x, y = aperture.tel_to_idl(v2, v3)
    x_ref, y_ref = siaf[aperture.instrument][name].tel_to_idl(v2, v3)
    np.testing.assert_allclose(x, x_ref, atol=1e-6)
    np.testing.assert_allclose(y, y_ref, atol=1e-6)
    back = aperture.idl_to_tel(x, y)
    np.testing.assert_allclose(back, (v2, v3), atol=1e-9)


def test_detectors_of_apertures():
    assert nircam_detectors_of("NRCALL_FULL", "short") == NIRCAM_DETECTORS["short"]
    assert nircam_detectors_of("NRCAS_FULL", "long") == ("NRCA5_FULL",)
    assert nircam_detectors_of("NRCB1_SUB400P", "long") == ("NRCB5_SUB400P",)
    assert nircam_detectors_of("NRCA3_FULL", "short") == ("NRCA3_FULL",)
    assert nircam_detectors_of("NRCA4_SUB64P", "long") == ("NRCA5_SUB64P",)
    with pytest.raises(PrevisError, match="not a NIRCam imaging aperture"):
        nircam_detectors_of("NRCA5_GRISMR_WFSS", "long")
