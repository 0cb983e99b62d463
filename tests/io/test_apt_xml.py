"""Reading APT proposal XML exports: real public ones and broken ones."""

from __future__ import annotations

import pytest
from apt_support import DATA
from astropy import units as u
from astropy.coordinates import SkyCoord

from previs.errors import AptError
from previs.geometry.patterns import Mosaic
from previs.io.apt_xml import parse_proposal_xml, read_proposal_xml


@pytest.mark.parametrize("path", sorted(DATA.glob("*.xml")), ids=lambda p: p.stem)
def test_every_fixture_reads_and_targets_match_astropy(path):
    proposal = read_proposal_xml(path)
    assert proposal.observations and proposal.targets
    text = path.read_text()
    for target in proposal.targets.values():
        block = text[text.index(f"<TargetName>{target.name}</TargetName>") :]
        value = block[block.index('EquatorialCoordinates Value="') + 29 :].split('"')[0]
        expected = SkyCoord(value, unit=(u.hourangle, u.deg))
        assert target.ra == pytest.approx(expected.ra.deg, abs=1e-9)
        assert target.dec == pytest.approx(expected.dec.deg, abs=1e-9)


def test_nircam_imaging_observation():
    proposal = read_proposal_xml(DATA / "m51_mosaic.xml")
    assert (proposal.apt_version, proposal.prd_version) == ("25.4.4", None)
    observation = proposal.observation(1)
    assert (observation.label, observation.instrument, observation.template) == (
        "OBS1",
        "NIRCAM",
        "NircamImaging",
    )
    setup = observation.nircam
    assert (setup.module, setup.subarray, setup.primary_type, setup.primary_dithers) == (
        "ALL",
        "FULL",
        "FULL",
        "3",
    )
    assert setup.filters == (("F115W", "F250M"),) and setup.dither_label == "FULL 3"
    assert observation.mosaic == Mosaic(2, 1, 10.0, 10.0)
    assert observation.orient_ranges == ((250.0, 300.0),)
    assert observation.target == 1 and proposal.targets[1].name == "M-51"


def test_subpixel_offsets_mosaic_overlaps_and_engineering_template():
    deep = read_proposal_xml(DATA / "deep_field.xml").observation(1)
    assert deep.nircam.dither_label == "INTRAMODULE 3 + 3-POINT-WITH-MIRI-F770W"
    assert (deep.mosaic.rows, deep.mosaic.columns) == (2, 2)
    assert (deep.mosaic.row_overlap, deep.mosaic.column_overlap) == (20.0, 78.0)
    ote = read_proposal_xml(DATA / "pid1134_mosaics.xml")
    assert ote.prd_version == "PRDOPSSOC-H-015"
    assert ote.observation(2).offset == (990.0, 0.0)
    assert (ote.observation(2).mosaic.rows, ote.observation(2).mosaic.columns) == (13, 3)
    module_b = read_proposal_xml(DATA / "large_separation.xml")
    assert module_b.observation(3).nircam.subarray == "SUB640"
    assert module_b.observation(2).nircam.module == "B"


def test_nirspec_mos_observation():
    observation = read_proposal_xml(DATA / "nrs_mos_nrc_img.xml").observation(2)
    assert (observation.instrument, observation.template) == ("NIRSPEC", "NirspecMOS")
    mos = observation.nirspec
    assert (mos.aperture, mos.siaf_aperture, mos.apa) == (
        "Q4 Field Point 1",
        "NRS_FIELD1_MSA4",
        None,
    )
    assert mos.pointings == ((12.0, 12.0),)
    assert observation.nircam is None  # the NIRCam parallel is not the prime template


def test_other_instruments_and_order():
    proposal = read_proposal_xml(DATA / "skipped_obs.xml")
    assert sorted(proposal.observations) == [1, 3, 10, 13, 16, 25]
    assert proposal.observation(10).instrument == "MIRI"
    assert proposal.observation(13).template == "NirspecFixedSlitSpectroscopy"
    with pytest.raises(AptError, match="no observation 7 .* 1, 3, 10, 13, 16, 25"):
        proposal.observation(7)


def _m51() -> str:
    return (DATA / "m51_mosaic.xml").read_text()


def test_truncated_xml_names_the_line():
    text = _m51()
    cut = text[: text.index("<MosaicParameters>")]
    with pytest.raises(AptError, match=r"m51.xml is not a complete XML file \(line \d+"):
        parse_proposal_xml(cut, "m51.xml")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ((DATA / "m51_mosaic.pointing").read_text(), "is not a complete XML file"),
        ("<SEGMENT_UPDATE_REQUEST/>", "XML but not an APT proposal: its root element is"),
        ('<JwstProposal xmlns="urn:other"/>', "namespace 'urn:other'"),
    ],
)
def test_not_apt_xml(text, fragment):
    with pytest.raises(AptError, match=fragment):
        parse_proposal_xml(text, "input.xml")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "<Number>1</Number>\n                <TargetID>",
            "<TargetID>",
            "an Observation element has no Number",
        ),
        ("<Rows>2</Rows>", "<Rows>two</Rows>", "observation 1, MosaicParameters Rows: 'two'"),
        ("<Rows>2</Rows>", "<Rows>60</Rows>", "observation 1, MosaicParameters: mosaic rows"),
        ('OrientMin="250 Degrees"', 'OrientMin="east"', "OrientRange OrientMin: 'east'"),
        ("13 29 53.9117 +47 13 21.95", "13h29m", "target 1, EquatorialCoordinates"),
    ],
)
def test_malformed_elements_are_named(old, new, fragment):
    text = _m51()
    assert old in text
    with pytest.raises(AptError, match=fragment):
        parse_proposal_xml(text.replace(old, new), "m51.xml")
