"""Footprints on the sky against pysiaf, computed independently in the tests."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord

from previs.errors import PrevisError
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import (
    NIRSPEC_FOOTPRINT_APERTURES,
    nircam_footprint,
    nirspec_footprint,
)
from previs.geometry.patterns import Exposures, Mosaic, exposure_offsets
from previs.geometry.siaf import NIRCAM_DETECTORS

POINTINGS = [
    Pointing(53.1625, -27.7914, 45.0),
    Pointing(0.01, 12.0, 300.0),
    Pointing(359.99, -60.0, 171.3),
    Pointing(150.1, 89.9, 10.0),
    Pointing(270.0, -89.95, 222.0),
]


def _separation_mas(ra1, dec1, ra2, dec2):
    return (
        SkyCoord(ra1, dec1, unit="deg").separation(SkyCoord(ra2, dec2, unit="deg")).to_value(u.mas)
    )


def _pysiaf_sky(siaf, instrument, reference, name, pointing, offset_idl=(0.0, 0.0)):
    """Corners of ``name`` on the sky, from pysiaf alone.

    The exposure's attitude puts the target at ideal ``offset_idl`` of ``reference``
    with V3 at the visit's V3PA there (``rotations.attitude`` at the offset).
    """
    from pysiaf.utils.rotations import attitude
    from pysiaf.utils.rotations import pointing as tel_to_radec

    ref = siaf[instrument][reference]
    v2_target, v3_target = ref.idl_to_tel(*offset_idl)
    att = attitude(v2_target, v3_target, pointing.ra, pointing.dec, pointing.apa - ref.V3IdlYAngle)
    v2, v3 = siaf[instrument][name].corners("tel", rederive=False)
    ra, dec = tel_to_radec(att, v2, v3)
    return np.asarray(ra), np.asarray(dec)


@pytest.mark.parametrize("pointing", POINTINGS)
def test_nirspec_matches_pysiaf_within_a_milliarcsecond(siaf, pointing):
    footprint = nirspec_footprint(pointing)
    assert footprint.names == NIRSPEC_FOOTPRINT_APERTURES
    for name, ra, dec in zip(footprint.names, footprint.ra, footprint.dec, strict=True):
        ra_ref, dec_ref = _pysiaf_sky(siaf, "NIRSpec", "NRS_FULL_MSA", name, pointing)
        assert _separation_mas(ra, dec, ra_ref, dec_ref).max() < 1.0


@pytest.mark.parametrize("pointing", POINTINGS)
@pytest.mark.parametrize("channel", ["short", "long"])
def test_nircam_with_dithers_and_mosaic_matches_pysiaf(siaf, pointing, channel):
    mosaic = Mosaic(2, 2, row_overlap=15, column_overlap=5)
    footprint = nircam_footprint(pointing, channel, "FULL3", mosaic)
    offsets = exposure_offsets("FULL3", mosaic)
    assert footprint.n_exposures == 12
    assert len(footprint) == 12 * len(NIRCAM_DETECTORS[channel])
    for name, exposure, ra, dec in zip(
        footprint.names, footprint.exposures, footprint.ra, footprint.dec, strict=True
    ):
        ra_ref, dec_ref = _pysiaf_sky(
            siaf, "NIRCam", "NRCALL_FULL", name, pointing, tuple(offsets[exposure])
        )
        assert _separation_mas(ra, dec, ra_ref, dec_ref).max() < 1.0


def test_undithered_reference_point_is_the_target(siaf):
    """The SIAF reference point, not the corners' mean, sits on the target."""
    pointing = Pointing(53.1625, -27.7914, 45.0)
    ref = siaf["NIRCam"]["NRCALL_FULL"]
    from pysiaf.utils.rotations import attitude
    from pysiaf.utils.rotations import pointing as tel_to_radec

    att = attitude(ref.V2Ref, ref.V3Ref, pointing.ra, pointing.dec, pointing.apa - ref.V3IdlYAngle)
    ra, dec = tel_to_radec(att, ref.V2Ref, ref.V3Ref)
    assert _separation_mas(ra, dec, pointing.ra, pointing.dec) < 1e-3
    footprint = nircam_footprint(pointing, "long")
    mean_offset = _separation_mas(
        footprint.ra.mean(), footprint.dec.mean(), pointing.ra, pointing.dec
    )
    assert mean_offset > 100  # the corner mean is not the reference point


def test_dither_moves_footprint_opposite_to_the_offset():
    pointing = Pointing(53.0, -27.0, 0.0)
    # Target at ideal +X: the aperture moves towards ideal -X.
    centred = nircam_footprint(pointing, "long")
    dithered = nircam_footprint(pointing, "long", "FULL3")
    first = dithered.exposures == 0  # offset (-58, -23.5)
    shift_ra = (dithered.ra[first].mean() - centred.ra.mean()) * np.cos(np.radians(-27.0)) * 3600
    shift_dec = (dithered.dec[first].mean() - centred.dec.mean()) * 3600
    # At APA 0 NIRCam ideal +Y is north; VIdlParity -1 puts ideal +X towards east on the sky.
    assert shift_dec == pytest.approx(23.5, abs=0.5)
    assert abs(shift_ra) == pytest.approx(58.0, abs=1.0)


def test_apa_change_rotates_about_the_reference_point():
    base = Pointing(210.0, 54.3, 30.0)
    turned = Pointing(210.0, 54.3, 100.0)
    a = nircam_footprint(base, "short", "FULL3")
    b = nircam_footprint(turned, "short", "FULL3")
    centre = SkyCoord(base.ra, base.dec, unit="deg")
    pa_a = centre.position_angle(SkyCoord(a.ra, a.dec, unit="deg")).deg
    pa_b = centre.position_angle(SkyCoord(b.ra, b.dec, unit="deg")).deg
    np.testing.assert_allclose((pa_b - pa_a) % 360, 70.0, atol=1e-6)
    sep_a = centre.separation(SkyCoord(a.ra, a.dec, unit="deg")).arcsec
    sep_b = centre.separation(SkyCoord(b.ra, b.dec, unit="deg")).arcsec
    np.testing.assert_allclose(sep_a, sep_b, atol=1e-6)


def test_ra_wrap_gives_the_same_footprint():
    a = nirspec_footprint(Pointing(-0.001, 5.0, 80.0))
    b = nirspec_footprint(Pointing(359.999, 5.0, 80.0))
    np.testing.assert_allclose(a.ra, b.ra)
    assert ((a.ra >= 0) & (a.ra < 360)).all()
    assert (a.ra > 359).any() and (a.ra < 1).any()  # straddles RA 0


def test_shape_is_the_same_at_the_pole_and_the_equator():
    """Relative geometry does not depend on where the sky is."""
    footprints = [
        nirspec_footprint(Pointing(ra, dec, 10.0)) for ra, dec in [(30, 0), (0, 90), (0, -90)]
    ]
    separations = []
    for f in footprints:
        c = SkyCoord(f.ra.ravel(), f.dec.ravel(), unit="deg")
        separations.append(c[0].separation(c).arcsec)
    np.testing.assert_allclose(separations[0], separations[1], atol=1e-5)
    np.testing.assert_allclose(separations[0], separations[2], atol=1e-5)


def test_tiles_keep_one_v3pa_at_high_dec():
    """Every tile keeps the visit's V3PA at the target: corresponding corners of two
    tiles are one pitch apart and parallel, even one degree from the pole."""
    pointing = Pointing(10.0, 89.0, 0.0)
    footprint = nircam_footprint(pointing, "long", "NONE", Mosaic(1, 2, column_overlap=0))
    first, second = footprint.exposures == 0, footprint.exposures == 1
    a = SkyCoord(footprint.ra[first].ravel(), footprint.dec[first].ravel(), unit="deg")
    b = SkyCoord(footprint.ra[second].ravel(), footprint.dec[second].ravel(), unit="deg")
    pitch = a.separation(b).arcsec
    np.testing.assert_allclose(pitch, pitch[0], atol=0.01)


@pytest.mark.parametrize("pointing", POINTINGS[:3])
def test_large_mosaic_matches_pysiaf_at_every_offset(siaf, pointing):
    """Offsets of ~1700" (a 6x6 FULL6 mosaic): one attitude per exposure, as pysiaf."""
    mosaic = Mosaic(6, 6, row_overlap=-40, column_overlap=0)
    exposures = Exposures.from_pattern("FULL6", mosaic)
    assert np.abs(exposures.offsets).max() > 700
    footprint = nircam_footprint(pointing, "long", exposures)
    worst = 0.0
    for k in range(0, len(footprint), 7):  # a sample of outlines, every tile
        name, exposure = footprint.names[k], footprint.exposures[k]
        ra_ref, dec_ref = _pysiaf_sky(
            siaf, "NIRCam", "NRCALL_FULL", name, pointing, tuple(exposures.offsets[exposure])
        )
        worst = max(
            worst, _separation_mas(footprint.ra[k], footprint.dec[k], ra_ref, dec_ref).max()
        )
    assert worst < 1.0


def test_explicit_exposures_and_their_apt_numbers():
    pointing = Pointing(53.0, -27.0, 20.0)
    exposures = Exposures.from_offsets([[0.0, 0.0], [10.0, -5.0]], tiles=[3, 3], dithers=[1, 2])
    footprint = nircam_footprint(pointing, "long", exposures)
    assert footprint.n_exposures == 2 and footprint.names == ("NRCA5_FULL", "NRCB5_FULL") * 2
    records = footprint.to_records()
    assert [(r["tile"], r["dither"], r["exposure"]) for r in records] == [
        (3, 1, 0),
        (3, 1, 0),
        (3, 2, 1),
        (3, 2, 1),
    ]
    same = nircam_footprint(pointing, "long", "NONE")
    np.testing.assert_allclose(footprint.ra[:2], same.ra)
    with pytest.raises(PrevisError, match="either explicit exposures"):
        nircam_footprint(pointing, "long", exposures, Mosaic(2, 1))


def test_module_apertures_draw_one_module():
    pointing = Pointing(53.0, -27.0, 20.0)
    module_b = Exposures.from_offsets([[0.0, 0.0]], aperture="NRCBS_FULL")
    assert nircam_footprint(pointing, "short", module_b).names == NIRCAM_DETECTORS["short"][4:]
    subarray = Exposures.from_offsets([[0.0, 0.0]], aperture="NRCB5_SUB640")
    assert nircam_footprint(pointing, "short", subarray).names == ("NRCB1_SUB640",)
    assert nircam_footprint(pointing, "long", subarray).names == ("NRCB5_SUB640",)


def test_to_regions_carries_names(tmp_path):
    from regions import Regions

    footprint = nircam_footprint(Pointing(53.0, -27.0, 20.0), "short", "FULL3")
    regions = footprint.to_regions()
    assert len(regions) == 24
    assert regions[0].meta["name"] == "NRCA1_FULL"
    path = tmp_path / "fp.reg"
    regions.write(str(path), format="ds9")
    back = Regions.read(str(path), format="ds9")
    # FULL3 on one tile: exposure 1 is APT's tile 1, dither 2
    assert back[9].meta["tag"] == ["NRCA2_FULL", "exposure=1", "tile=1", "dither=2"]
    assert back[9].meta["text"] == "NRCA2_FULL exp 1 tile 1 dither 2"
    for original, read in zip(footprint.ra, back, strict=True):
        np.testing.assert_allclose(read.vertices.ra.deg, original, atol=1e-7)
