"""Saved sessions: JSON round trips, strict validation, paths, and the NOVT YAML reader."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.errors import ConfigError
from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nircam_footprint, nirspec_footprint
from previs.geometry.patterns import APT_TILE_SIZE, DITHER_NAMES, Mosaic
from previs.geometry.siaf import get_aperture
from previs.io.configs import load_config, save_config
from previs.io.novt import novt_pointing, read_novt_config
from previs.io.session import CONFIG_FORMAT_VERSION, Config, ShowFlags, ViewSettings
from previs.planning.plan import Plan

angles = st.floats(0.0, 359.999, allow_nan=False)
pointings = st.builds(Pointing, angles, st.floats(-90.0, 90.0), angles)
mosaics = st.builds(
    Mosaic,
    st.integers(1, 4),
    st.integers(1, 4),
    st.floats(-100.0, 99.9),
    st.floats(-100.0, 99.9),
)
plans = st.builds(
    Plan,
    pointings,
    pointings,
    st.sampled_from(DITHER_NAMES),
    mosaics,
    st.sampled_from(["short", "long"]),
)
# A path is any non-blank text: str.strip() also removes characters such as
# U+0085 (NEL) and U+00A0, so a text of those alone is blank, not a path.
paths = st.none() | st.text(
    st.characters(min_codepoint=33, max_codepoint=0x2FF, blacklist_characters="\\"),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() != "")
configs = st.builds(
    Config,
    plan=plans,
    image=paths,
    catalog=paths,
    view=st.builds(
        ViewSettings,
        tie_orient=st.booleans(),
        show=st.builds(ShowFlags, *(st.booleans() for _ in range(5))),
        click_target=st.sampled_from(["nircam", "nirspec"]),
        nircam_mode=st.sampled_from([None, "same", "offset", "radec"]),
    ),
)


@settings(max_examples=150, deadline=None)
@given(configs)
def test_dict_and_json_round_trip(config):
    assert Config.from_dict(config.to_dict()) == config
    assert Config.from_json(config.to_json()) == config
    assert json.loads(config.to_json())["previs_config"] == CONFIG_FORMAT_VERSION


@settings(max_examples=25, deadline=None)
@given(config=configs)
def test_file_round_trip_with_absolute_paths(tmp_path_factory, config):
    directory = tmp_path_factory.mktemp("cfg")
    config = config.replace(
        image=None if config.image is None else str(Path("/data/images") / "a.fits"),
        catalog=None if config.catalog is None else str(directory / "targets.radec"),
    )
    path = directory / "session.json"
    save_config(config, path)
    assert load_config(path) == config
    # nothing but the file itself is left behind by the atomic write
    assert [p.name for p in directory.iterdir()] == ["session.json"]


def test_relative_paths_resolve_against_the_config_file(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "session.json").write_text(
        json.dumps({"previs_config": 1, "image": "img/field.fits", "catalog": "../t.radec"})
    )
    monkeypatch.chdir(tmp_path.parent)  # the working directory must not matter
    config = load_config(folder / "session.json")
    assert config.image == str(folder / "img" / "field.fits")
    assert config.catalog == str(tmp_path / "t.radec")
    # defaults for everything not given
    assert config.plan == Plan.from_dict({}) and config.view.show == ShowFlags()


def test_save_writes_paths_inside_the_folder_relative(tmp_path):
    inside = tmp_path / "cat.radec"
    outside = Path("/somewhere/else/image.fits")
    save_config(Config(image=str(outside), catalog=str(inside)), tmp_path / "s.json")
    raw = json.loads((tmp_path / "s.json").read_text())
    assert raw["catalog"] == "cat.radec" and raw["image"] == str(outside)
    save_config(Config(catalog=str(inside)), tmp_path / "t.json", relative_paths=False)
    assert json.loads((tmp_path / "t.json").read_text())["catalog"] == str(inside)


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old")
    save_config(Config.from_plan(Plan.centred(dither="FULL6")), path)
    assert load_config(path).plan.dither == "FULL6"


def test_bundled_example_config_points_at_the_example_catalog():
    from previs.io.example_field import example_catalog_path

    config = load_config(Path(__file__).parents[2] / "previs" / "data" / "example_config.json")
    assert config.catalog == "previs:example"
    assert Path(config.catalog_file()) == example_catalog_path()
    assert config.image is None


def test_bundled_example_is_saved_as_a_marker_not_an_install_path(tmp_path):
    """A configuration naming the example catalog works on another machine."""
    from previs.io.example_field import example_catalog_path

    config = Config.from_plan(Plan.centred(), catalog=str(example_catalog_path()))
    path = save_config(config, tmp_path / "s.json")
    assert json.loads(path.read_text())["catalog"] == "previs:example"
    assert Path(load_config(path).catalog_file()) == example_catalog_path()


def test_empty_sky_round_trips(tmp_path):
    config = Config.from_plan(Plan.centred(), image="previs:empty-sky")
    assert load_config(save_config(config, tmp_path / "s.json")).image == "previs:empty-sky"


def test_saved_files_are_readable_by_others_as_the_umask_allows(tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = save_config(Config.from_plan(Plan.centred()), tmp_path / "s.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def _good() -> dict:
    return Config.from_plan(Plan.centred(dither="FULL3")).to_dict()


def _with(path: str, value, delete: bool = False) -> dict:
    data = _good()
    keys = path.split(".")
    section = data
    for key in keys[:-1]:
        section = section[key]
    if delete:
        del section[keys[-1]]
    else:
        section[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    "data, fragments",
    [
        (_with("colour", "red"), ["unknown key 'colour'"]),
        (_with("show.stars", True), ["show.stars"]),
        (_with("plan.nirspec.roll", 3.0), ["plan.nirspec", "'roll'"]),
        (_with("plan.mosaic.shift", 3.0), ["plan.mosaic", "'shift'"]),
        (_with("show.fillers", "yes"), ["show.fillers", "true or false"]),
        (_with("tie_orient", 1), ["tie_orient", "true or false"]),
        (_with("image", 12), ["image", "file path"]),
        (_with("plan.nirspec.ra", "abc"), ["plan.nirspec.ra", "number"]),
        (_with("plan.mosaic.rows", 2.5), ["plan.mosaic.rows", "whole number"]),
        (_with("plan.nirspec.dec", 95.0), ["plan.nirspec.dec", "-90"]),
        (_with("plan.mosaic.rows", 0), ["plan.mosaic: rows", "between 1"]),
        (_with("plan.mosaic.row_overlap", 100.5), ["row_overlap", "percentage"]),  # APT: <= 100
        (_with("plan.dither", "WIGGLE"), ["WIGGLE"]),
        (_with("plan.channel", "mid"), ["channel", "mid"]),
        (_with("click_target", "miri"), ["click_target", "nircam, nirspec"]),
        (_with("nircam_mode", "polar"), ["nircam_mode", "polar"]),
        (_with("previs_config", 2), ["previs_config", "version 2"]),
        (_with("previs_config", None, delete=True), ["missing key 'previs_config'"]),
        (_with("plan", [1, 2]), ["plan", "mapping"]),
        ([1, 2], ["JSON object"]),
    ],
)
def test_bad_configs_name_the_file_and_key(tmp_path, data, fragments):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_invalid_json_reports_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"previs_config": 1,\n "plan": {"dither": "FULL3",}\n}')
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON \(line 2, column"):
        load_config(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_config(tmp_path / "nope.json")
    with pytest.raises(ValueError, match="is not a file"):
        load_config(tmp_path)


def test_constructor_validates():
    with pytest.raises(ValueError, match="click_target"):
        ViewSettings(click_target="both")
    with pytest.raises(ValueError, match="image"):
        Config(image="")
    assert Config(image=Path("a.fits")).image == "a.fits"


# ---------------------------------------------------------------------------- NOVT

NOVT_YAML = """\
nirspec:
  ra: 53.16
  dec: -27.79
  pa: 45.0
  color_primary: red
  alpha: 0.2
nircam:
  ra: 53.17
  dec: -27.78
  pa: 30.0
  dither: FULL3
  mosaic: 'Yes'
  mosaic_v2: 250.0
  mosaic_v3: 0.0
  color_primary: '#1f77b4'
timeline:
  start_date: '2024-01-01'
save:
  region_filename: out.reg
catalog:
  color_primary: orange
  shape: circle
extra_section:
  a: 1
"""


def _novt_expected(siaf, instrument, reference, ra, dec, pa, rederive):
    """NOVT's convention computed independently with pysiaf."""
    from pysiaf.utils import rotations

    aperture = siaf[instrument][reference]
    v2, v3 = aperture.corners("tel", rederive=rederive)
    attitude = rotations.attitude(np.mean(v2), np.mean(v3), ra, dec, pa - aperture.V3IdlYAngle)
    ref_ra, ref_dec = rotations.pointing(attitude, aperture.V2Ref, aperture.V3Ref)
    apa = rotations.posangle(attitude, aperture.V2Ref, aperture.V3Ref) + aperture.V3IdlYAngle
    return attitude, float(ref_ra), float(ref_dec), apa % 360.0


def _arcsec(ra1, dec1, ra2, dec2):
    from astropy.coordinates import SkyCoord

    a = SkyCoord(np.ravel(ra1), np.ravel(dec1), unit="deg")
    b = SkyCoord(np.ravel(ra2), np.ravel(dec2), unit="deg")
    return a.separation(b).arcsec


def test_novt_yaml_mapping(tmp_path, siaf):
    path = tmp_path / "novt.yaml"
    path.write_text(NOVT_YAML)
    config, notes = read_novt_config(path)
    plan = config.plan

    for pointing, instrument, reference, values, rederive in (
        (plan.nirspec, "NIRSpec", "NRS_FULL_MSA", (53.16, -27.79, 45.0), True),
        (plan.nircam, "NIRCam", "NRCALL_FULL", (53.17, -27.78, 30.0), False),
    ):
        attitude, ra, dec, apa = _novt_expected(siaf, instrument, reference, *values, rederive)
        assert _arcsec(pointing.ra, pointing.dec, ra, dec)[0] < 1e-6
        assert abs((pointing.apa - apa + 180) % 360 - 180) < 1e-8
    # the MSA outlines NOVT would draw (pysiaf, NOVT's attitude) are previs's outlines
    attitude, *_ = _novt_expected(siaf, "NIRSpec", "NRS_FULL_MSA", 53.16, -27.79, 45.0, True)
    previs_msa = nirspec_footprint(plan.nirspec)
    for k, name in enumerate(previs_msa.names[:4]):
        aperture = siaf["NIRSpec"][name]
        aperture.set_attitude_matrix(attitude)
        ra, dec = aperture.corners("sky", rederive=False)
        assert _arcsec(previs_msa.ra[k], previs_msa.dec[k], ra, dec).max() < 1e-3

    assert plan.dither == "FULL3"
    assert (plan.mosaic.rows, plan.mosaic.columns) == (1, 2)
    assert plan.mosaic.column_overlap == pytest.approx(100 * (1 - 250.0 / APT_TILE_SIZE[0]))
    # the two tiles are 250" apart, as NOVT's mosaic_v2 says (to 0.1")
    centres = nircam_footprint(plan.nircam, "long", "NONE", plan.mosaic)
    ra, dec = centres.ra[[0, 2]].mean(1), centres.dec[[0, 2]].mean(1)
    assert _arcsec(ra[0], dec[0], ra[1], dec[1])[0] == pytest.approx(250.0, abs=0.1)
    assert config.image is None and config.catalog is None and not config.view.tie_orient
    joined = "\n".join(notes)
    for key in (
        "nirspec.color_primary",
        "nirspec.alpha",
        "nircam.color_primary",
        "timeline.start_date",
        "save.region_filename",
        "catalog.color_primary",
        "catalog.shape",
        "'extra_section'",
    ):
        assert key in joined
    assert all(str(path) in note for note in notes)
    assert len(notes) == 8


def test_novt_defaults_and_unmappable_mosaic(tmp_path):
    path = tmp_path / "n.yml"
    path.write_text(
        "nirspec: {ra: 10.0, dec: 20.0, pa: 100.0}\n"
        "nircam: {mosaic: 'Yes', mosaic_v2: 100, mosaic_v3: 50}\n"
    )
    config, notes = read_novt_config(path)
    assert config.plan.mosaic == Mosaic()
    assert any("mosaic ignored" in note for note in notes)
    # no NIRCam PA: the same V3PA as NIRSpec, with the orientation tied
    nrs, nrc = get_aperture("NRS_FULL_MSA"), get_aperture("NRCALL_FULL")
    v3pa_nrs = config.plan.nirspec.apa - nrs.v3_idl_yang
    v3pa_nrc = config.plan.nircam.apa - nrc.v3_idl_yang
    assert abs((v3pa_nrs - v3pa_nrc + 180) % 360 - 180) < 1e-3  # V3PA varies ~1" across
    assert config.view.tie_orient
    # load_config dispatches on the extension
    assert load_config(path) == config


@pytest.mark.parametrize("dither", ["8NIRSPEC", "FULLBOX 8NIRSPEC", "fullbox 8nirspec"])
def test_novt_8nirspec_takes_no_mosaic_whatever_its_spelling(tmp_path, dither):
    path = tmp_path / "n.yml"
    path.write_text(
        "nirspec: {ra: 10.0, dec: 20.0, pa: 100.0}\n"
        f"nircam: {{dither: '{dither}', mosaic: 'Yes', mosaic_v2: 0, mosaic_v3: 130}}\n"
    )
    config, notes = read_novt_config(path)
    assert config.plan.dither == "8NIRSPEC" and config.plan.mosaic == Mosaic()
    assert any("8NIRSPEC" in note for note in notes)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("nirspec: {pa: abc}\n", "nirspec.pa"),
        ("nircam: {dec: 91}\n", "nircam.dec"),
        ("nircam: {dither: WIGGLE}\n", "WIGGLE"),
        ("nircam: {mosaic: maybe}\n", "nircam.mosaic"),
        ("nirspec: [1, 2]\n", "nirspec must be a mapping"),
        ("nirspec: {ra: [1\n", "not a valid YAML file"),
        ("- a\n- b\n", "mapping of sections"),
    ],
)
def test_bad_novt_yaml(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_novt_config(path)
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_novt_without_pyyaml(tmp_path, monkeypatch):
    path = tmp_path / "n.yaml"
    path.write_text("nirspec: {ra: 1}\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml now fails
    with pytest.raises(ConfigError, match="needs PyYAML"):
        load_config(path)


def test_novt_pointing_is_close_to_the_reference_point():
    """NOVT's centre is within ~1.3" of the SIAF reference point: the conversion is small."""

    pointing = novt_pointing("NRS_FULL_MSA", 53.0, -27.0, 45.0)
    separation = _arcsec(pointing.ra, pointing.dec, 53.0, -27.0)[0]
    assert 0.5 < separation < 2.0
    assert math.isclose(pointing.apa, 45.0, abs_tol=1e-3)


def test_msaoper_is_optional_and_resolved_like_the_other_paths(tmp_path):
    plain = Config(plan=Plan.centred())
    assert "msaoper" not in plain.to_dict()  # older previs versions still read the file
    assert Config.from_dict(plain.to_dict()).msaoper is None
    folder = tmp_path / "session"
    folder.mkdir()
    crds = folder / "jwst_nirspec_msaoper_0042.json"
    crds.write_text(json.dumps({"msaoper": [{"Q": 2, "x": 3, "y": 4, "state": "open"}]}))
    path = save_config(Config(plan=Plan.centred(), msaoper=str(crds)), folder / "s.json")
    saved = json.loads(path.read_text())
    assert saved["msaoper"] == "jwst_nirspec_msaoper_0042.json"
    loaded = load_config(path)
    assert loaded.msaoper == str(crds)
    operability = loaded.operability()
    assert operability.name.startswith("msaoper_0042")
    assert operability.counts["failed_open"] == 1
    assert plain.operability().name.startswith("msaoper_0017")
    with pytest.raises(ConfigError, match="msaoper must be a file path"):
        Config.from_dict({"previs_config": 1, "msaoper": 3})


def test_every_relative_path_of_a_session_resolves_from_the_folder_given(tmp_path):
    """load_config resolves a session's paths from the file's folder, its msaoper and APT
    paths included."""
    from previs.io.configs import resolve_paths
    from previs.io.session import EXAMPLE
    from previs.io.session_apt import AptSelection

    config = Config(
        plan=Plan.centred(53.16, -27.79, 45.0),
        image="data/taken.fits",
        catalog=EXAMPLE,
        msaoper="maps/jwst_nirspec_msaoper_0050.json",
        apt=AptSelection("apt/prog.pointing", 1, 2),
    )
    resolved = resolve_paths(config, tmp_path / "here")
    assert resolved.image == str(tmp_path / "here" / "data" / "taken.fits")
    assert resolved.catalog == EXAMPLE
    assert resolved.msaoper == str(tmp_path / "here" / "maps" / "jwst_nirspec_msaoper_0050.json")
    assert resolved.apt.file == str(tmp_path / "here" / "apt" / "prog.pointing")
    assert (resolved.apt.nircam, resolved.apt.nirspec) == (1, 2)

    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "s.json").write_text(config.to_json())
    assert load_config(folder / "s.json") == resolve_paths(config, folder)
