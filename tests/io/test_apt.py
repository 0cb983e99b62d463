"""APT programs: footprints from report rows against pysiaf, and previs's model against APT."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from apt_support import DATA, mos_plan, science_positions
from astropy import units as u
from astropy.coordinates import SkyCoord

from previs.errors import AptError
from previs.geometry.patterns import Exposures, Mosaic
from previs.geometry.siaf import NIRCAM_DETECTORS
from previs.io.apt import AptProgram, read_apt

APA = 123.4


def _pysiaf_corners(siaf, instrument, reference, name, ra, dec, offset, v3pa):
    """Corners of ``name`` when the target sits at ``offset`` of ``reference`` (pysiaf alone)."""
    from pysiaf.utils.rotations import attitude, pointing

    v2, v3 = siaf[instrument][reference].idl_to_tel(*offset)
    matrix = attitude(v2, v3, ra, dec, v3pa)
    corners_v2, corners_v3 = siaf[instrument][name].corners("tel", rederive=False)
    return pointing(matrix, corners_v2, corners_v3)


def _mas(ra1, dec1, ra2, dec2):
    return (
        SkyCoord(ra1, dec1, unit="deg").separation(SkyCoord(ra2, dec2, unit="deg")).to_value(u.mas)
    )


@pytest.mark.parametrize(
    ("name", "number", "channel", "module"),
    [
        ("m51_mosaic", 1, "short", "AB"),
        ("deep_field", 1, "long", "AB"),
        ("pid1134_mosaics", 2, "long", "AB"),  # offsets of ~1100"
        ("large_separation", 2, "short", "B"),  # NRCBS_FULL
        ("large_separation", 3, "short", "B"),  # NRCB5_SUB640 (SW: NRCB1_SUB640)
        ("nircam_niriss_parallel", 1, "long", "B"),
    ],
)
def test_nircam_footprint_from_report_rows_matches_pysiaf(siaf, name, number, channel, module):
    path = DATA / f"{name}.pointing"
    positions = science_positions(path, number, "NRC")
    program = read_apt(path)
    footprint = program.nircam_footprint(number, APA, channel)
    v3pa = APA - siaf["NIRCam"]["NRCALL_FULL"].V3IdlYAngle  # APA is NRCALL_FULL's
    aperture = positions[0]["aperture"]
    if aperture.endswith("_FULL") and not aperture[4].isdigit():
        names = [d for d in NIRCAM_DETECTORS[channel] if d[3] in module]
    else:
        suffix = aperture.split("_", 1)[1]
        names = [f"NRC{module}{5 if channel == 'long' else 1}_{suffix}"]
    assert footprint.n_exposures == len(positions)
    assert len(footprint) == len(positions) * len(names)
    records = footprint.to_records()
    worst = 0.0
    for k, record in enumerate(records):
        position = positions[k // len(names)]
        assert record["name"] == names[k % len(names)]
        assert (record["tile"], record["dither"], record["exposure"]) == (
            position["tile"],
            position["dither"],
            k // len(names),
        )
        ra, dec = _pysiaf_corners(
            siaf,
            "NIRCam",
            aperture,
            record["name"],
            position["ra"],
            position["dec"],
            position["idl"],
            v3pa,
        )
        worst = max(worst, _mas(record["ra"], record["dec"], ra, dec).max())
    assert worst < 1.0


def test_nircam_exposures_are_the_reports_offsets_in_nrcall_full(siaf):
    program = read_apt(DATA / "large_separation.pointing")
    exposures = program.nircam_exposures(2)
    assert (exposures.source, exposures.aperture) == ("apt", "NRCBS_FULL")
    positions = science_positions(DATA / "large_separation.pointing", 2, "NRC")
    for offset, position in zip(exposures.offsets, positions, strict=True):
        v2, v3 = siaf["NIRCam"]["NRCBS_FULL"].idl_to_tel(*position["idl"])
        expected = siaf["NIRCam"]["NRCALL_FULL"].tel_to_idl(v2, v3)
        np.testing.assert_allclose(offset, expected, atol=1e-9)
    assert program.nircam_target(2)[:2] == (positions[0]["ra"], positions[0]["dec"])


def test_nirspec_footprint_and_pointings_from_report_rows(siaf):
    path = DATA / "nrs_mos_nrc_img.pointing"
    positions = science_positions(path, 2, "NRS_FIELD")
    program = read_apt(path)
    footprint = program.nirspec_footprint(2, APA)
    v3pa = APA - siaf["NIRSpec"]["NRS_FULL_MSA"].V3IdlYAngle
    assert footprint.n_exposures == len(positions) == 2
    for record in footprint.to_records():
        position = positions[record["exposure"]]
        assert (record["tile"], record["dither"]) == (position["tile"], position["dither"])
        ra, dec = _pysiaf_corners(
            siaf,
            "NIRSpec",
            "NRS_FIELD1_MSA4",
            record["name"],
            position["ra"],
            position["dec"],
            position["idl"],
            v3pa,
        )
        assert _mas(record["ra"], record["dec"], ra, dec).max() < 1.0
    from pysiaf.utils.rotations import attitude, pointing

    msa = siaf["NIRSpec"]["NRS_FULL_MSA"]
    for found, position in zip(program.nirspec_pointings(2, APA), positions, strict=True):
        v2, v3 = siaf["NIRSpec"]["NRS_FIELD1_MSA4"].idl_to_tel(*position["idl"])
        ra, dec = pointing(
            attitude(v2, v3, position["ra"], position["dec"], v3pa), msa.V2Ref, msa.V3Ref
        )
        assert _mas(found.ra, found.dec, ra, dec) < 1.0
        assert found.apa == pytest.approx(APA, abs=0.01)  # the same V3PA, 0.5' away


# previs's model of APT (XML only) against APT's own positions (pointing report), by
# APT's tile and dither numbers. The README quotes these bounds.
RESIDUALS = [
    ("m51_mosaic", 1, 0.06),  # FULL3, 2x1, 10 %
    ("pid1069_mosaic", 1, 0.11),  # INTRAMODULE 3, 2x2, 10 %
    ("deep_field", 1, 0.06),  # INTRAMODULE 3 + subpixel, 2x2, 20 % / 78 %
    ("pid1134_mosaics", 1, 0.09),  # 3x2, 19 % / 64 %
    ("pid1134_mosaics", 2, 0.48),  # 13x3: tiles 640" out, where the PRD's angle tells
    ("pid1134_mosaics", 4, 0.37),  # 5x9
    ("pid1063_intramodule16", 1, 0.001),
    ("large_separation", 2, 0.001),  # INTRAMODULEBOX 2, module B
]


@pytest.mark.parametrize(("name", "number", "bound"), RESIDUALS)
def test_previs_model_of_apt_against_apt_reports(name, number, bound):
    program = read_apt(DATA / f"{name}.pointing")
    model = AptProgram(program.name, None, program.proposal).nircam_exposures(number)
    assert model.source == "model" and "previs's model" in model.description
    positions = science_positions(DATA / f"{name}.pointing", number, "NRC")
    report = program.nircam_exposures(number)
    apt = {(t, d): o for t, d, o in zip(report.tiles, report.dithers, report.offsets, strict=True)}
    ours = {(t, d): o for t, d, o in zip(model.tiles, model.dithers, model.offsets, strict=True)}
    assert set(ours) == set(apt) and len(apt) == len(positions)  # APT's numbers, all of them
    residual = max(np.hypot(*(ours[key] - apt[key])) for key in apt)
    assert residual <= bound


def test_old_model_was_further_from_apt():
    """The residuals above, against the rows-then-columns, 308.3" x 133.8" model before."""
    program = read_apt(DATA / "pid1069_mosaic.pointing")
    report = program.nircam_exposures(1)
    width, height = 308.3455, 133.8114  # NRCALL_FULL's ideal extent
    old = {1: (-1, -1), 2: (-1, 1), 3: (1, 1), 4: (1, -1)}  # with APT's numbers, even
    first = report.dithers == 1
    for tile, (sx, sy) in old.items():
        offset = report.offsets[first & (report.tiles == tile)][0] - (-3.75, 3.75)
        assert np.hypot(offset[0] - sx * 0.45 * width, offset[1] - sy * 0.45 * height) > 1.0


def test_model_adds_the_offset_special_requirement():
    program = read_apt(DATA / "pid1134_mosaics.xml", companion=False)
    exposures = program.nircam_exposures(2)
    np.testing.assert_allclose(exposures.offsets.mean(axis=0), (990.0, 0.0), atol=1e-6)
    plain = Exposures.from_pattern("NONE", Mosaic(13, 3, 19.0, 64.0))
    np.testing.assert_allclose(exposures.offsets - (990.0, 0.0), plain.offsets, atol=1e-9)


def test_companion_files_and_sniffing(tmp_path):
    both = read_apt(DATA / "m51_mosaic.xml")
    assert both.report is not None and both.proposal is not None
    alone = read_apt(DATA / "m51_mosaic.pointing", companion=False)
    assert alone.proposal is None and alone.summary(1)["template"] is None
    odd = tmp_path / "program.txt"
    shutil.copy(DATA / "m51_mosaic.xml", odd)
    assert read_apt(odd).proposal is not None


def test_summary_of_report_only_infers_grid_and_pattern():
    alone = read_apt(DATA / "m51_mosaic.pointing", companion=False)
    row = alone.summary(1)
    assert (row["mosaic"], row["dither"], row["positions"], row["target"]) == (
        "2x1",
        "FULL3",
        6,
        "M-51",
    )
    big = read_apt(DATA / "pid1134_mosaics.pointing", companion=False)
    assert [big.summary(n)["mosaic"] for n in (1, 2, 4)] == ["3x2", "13x3", "5x9"]


@pytest.mark.parametrize(
    ("name", "call", "fragment"),
    [
        (
            "nrs_mos_nrc_img",
            lambda p: p.nircam_footprint(2, 0.0),
            "NIRSpec observation .*ask for it as NIRSpec",
        ),
        (
            "m51_mosaic",
            lambda p: p.nirspec_footprint(1, 0.0),
            "NIRCam observation .*ask for it as NIRCam",
        ),
        ("skipped_obs", lambda p: p.nircam_exposures(3), "NIRISS observation"),
        ("skipped_obs", lambda p: p.nirspec_footprint(13, 0.0), "not NIRSpec MOS"),
        (
            "m51_mosaic",
            lambda p: p.nircam_exposures(7),
            "no observation 7 .* it has observation\\(s\\) 1",
        ),
        ("m51_mosaic", lambda p: p.nircam_exposures("1"), "whole number"),
        ("m51_mosaic", lambda p: p.nircam_footprint(1, 0.0, "mid"), "channel"),
    ],
)
def test_wrong_requests_are_named(name, call, fragment):
    with pytest.raises(AptError if "channel" not in fragment else ValueError, match=fragment):
        call(read_apt(DATA / f"{name}.pointing"))


def test_unpublished_dither_in_xml_only(tmp_path):
    text = (
        (DATA / "m51_mosaic.xml")
        .read_text()
        .replace(
            "<nci:PrimaryDithers>3</nci:PrimaryDithers>",
            "<nci:PrimaryDithers>9</nci:PrimaryDithers>",
        )
    )
    path = tmp_path / "m51.xml"
    path.write_text(text)
    with pytest.raises(AptError, match="APT's FULL 9, whose offsets are not published"):
        read_apt(path).nircam_exposures(1)


@pytest.mark.parametrize(
    ("name", "number", "channel"),
    [
        ("m51_mosaic", 1, "short"),
        ("deep_field", 1, "long"),
        ("pid1134_mosaics", 4, "short"),  # 5x9, offsets up to ~1100"
        ("large_separation", 2, "long"),  # module B only
        ("preimaging_mos", 1, "short"),
    ],
)
def test_plan_of_apt_exposures_matches_pysiaf(siaf, name, number, channel):
    """An APT observation as a Plan (target, explicit exposures) evaluates to APT's footprint."""
    from previs.geometry.attitude import Pointing
    from previs.planning.plan import Plan, evaluate

    path = DATA / f"{name}.pointing"
    program = read_apt(path)
    ra, dec, _ = program.nircam_target(number)
    plan = Plan(Pointing(ra, dec, 0.0), Pointing(ra, dec, APA), program.nircam_exposures(number))
    plan = plan.replace(channel=channel)
    result = evaluate(plan, max_depth=1)
    positions = science_positions(path, number, "NRC")
    records = result.nircam.to_records()
    per_position = len(records) // len(positions)
    v3pa = APA - siaf["NIRCam"]["NRCALL_FULL"].V3IdlYAngle
    worst = 0.0
    for k, record in enumerate(records):
        position = positions[k // per_position]
        assert (record["tile"], record["dither"]) == (position["tile"], position["dither"])
        expected = _pysiaf_corners(
            siaf,
            "NIRCam",
            position["aperture"],
            record["name"],
            position["ra"],
            position["dec"],
            position["idl"],
            v3pa,
        )
        worst = max(worst, _mas(record["ra"], record["dec"], *expected).max())
    assert worst < 1.0


def test_plan_of_apt_nirspec_pointings_matches_pysiaf(siaf):
    from previs.geometry.siaf import MSA_QUADRANTS
    from previs.planning.plan import Plan, evaluate

    path = DATA / "preimaging_mos.pointing"
    program = read_apt(path)
    pointings = program.nirspec_pointings(2, APA)
    plan = Plan(pointings[0], pointings[0], "NONE", extra_nirspec=tuple(pointings[1:]))
    result = evaluate(plan, max_depth=1)
    positions = science_positions(path, 2, "NRS_FULL_MSA")
    assert len(result.nirspec_footprints) == len(positions) == 4
    assert [(p["tile"], p["dither"]) for p in positions] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    v3pa = APA - siaf["NIRSpec"]["NRS_FULL_MSA"].V3IdlYAngle
    for footprint, position in zip(result.nirspec_footprints, positions, strict=True):
        for name, ra, dec in zip(footprint.names, footprint.ra, footprint.dec, strict=True):
            if name not in MSA_QUADRANTS:
                continue
            expected = _pysiaf_corners(
                siaf,
                "NIRSpec",
                "NRS_FULL_MSA",
                name,
                position["ra"],
                position["dec"],
                position["idl"],
                v3pa,
            )
            assert _mas(ra, dec, *expected).max() < 1.0


def test_apt_plan_round_trips_through_a_saved_session(tmp_path):
    from previs.io.configs import load_config, save_config
    from previs.io.session import Config
    from previs.planning.plan import evaluate

    plan = mos_plan(nirspec_apa_range=(40.0, 50.0))
    path = save_config(Config.from_plan(plan), tmp_path / "session.json")
    back = load_config(path).plan
    assert back == plan
    assert back.dither.source == "apt" and list(back.dither.tiles) == [1, 1, 1, 2, 2, 2]
    assert evaluate(back).coverage.covered == evaluate(plan).coverage.covered
