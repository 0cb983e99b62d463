"""What a saved session restores beyond the plan: where the coverage came from ("planned
NIRCam" / "this image") and the APT program with the observations picked in it."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from previs.dashboard.app import Dashboard
from previs.dashboard.panels.apt import KEEP
from previs.io.session import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from apt_support import DATA  # noqa: E402
from test_msa_dashboard import write_image  # noqa: E402

PROGRAM = DATA / "preimaging_mos.pointing"  # NIRCam obs 1 (FULL3 + 2x1), NIRSpec MOS obs 2


def board() -> Dashboard:
    return Dashboard(image=False, catalog=False, schedule=False)


# ----------------------------------------------------------------------------- coverage mode
def test_the_image_mode_is_saved_and_restored(tmp_path):
    dashboard = board()
    dashboard.load_image(write_image(tmp_path / "half.fits"))
    dashboard.coverage_source.set_mode("image")
    assert dashboard.config.coverage_from == "image"
    path = dashboard.save_config(tmp_path / "session.json")
    assert json.loads(path.read_text())["coverage_from"] == "image"
    restored = board()
    restored.load_config(path)
    assert restored.coverage_source.mode == "image"
    assert restored.image_summary is not None
    assert restored.image_summary.coverage.covered == pytest.approx(
        dashboard.image_summary.coverage.covered, abs=1e-12
    )
    assert "previs-image-covered" in restored.readout.value


def test_planned_mode_writes_no_key_and_old_sessions_read_as_planned(tmp_path):
    dashboard = board()
    path = dashboard.save_config(tmp_path / "session.json")
    data = json.loads(path.read_text())
    assert "coverage_from" not in data and "apt" not in data
    assert Config.from_dict(data).coverage_from == "planned"


def test_an_image_that_cannot_be_traced_any_more_falls_back_with_a_message(tmp_path):
    dashboard = board()
    image = tmp_path / "half.fits"
    dashboard.load_image(write_image(image))
    dashboard.coverage_source.set_mode("image")
    path = dashboard.save_config(tmp_path / "session.json")
    image.unlink()
    write_image(image, invalid_columns=400)  # no valid pixels now
    restored = board()
    restored.load_config(path)
    assert restored.coverage_source.mode == "planned" and restored.image_summary is None
    assert "Showing the planned coverage" in restored.message


def test_the_image_mode_without_an_image_falls_back_with_a_message(tmp_path):
    config = board().config.replace(image="previs:empty-sky", coverage_from="image")
    restored = board()
    restored.apply_config(config)
    assert restored.coverage_source.mode == "planned"
    assert "no image is shown" in restored.message


def test_a_bad_coverage_from_value_is_named(tmp_path):
    data = board().config.to_dict() | {"coverage_from": "both"}
    with pytest.raises(ValueError, match="coverage_from must be one of planned, image"):
        Config.from_dict(data, "s.json")


# ----------------------------------------------------------------------------- APT program
def picked(dashboard: Dashboard) -> tuple[int, int]:
    panel = dashboard.apt_panel
    return panel.nircam_picker.value, panel.nirspec_picker.value


def test_an_apt_session_reads_its_program_again_and_shows_the_picks(tmp_path):
    program = shutil.copy(PROGRAM, tmp_path / "program.pointing")
    dashboard = board()
    dashboard.load_apt(program)
    dashboard.pick_apt(nircam=1, nirspec=2)
    path = dashboard.save_config(tmp_path / "session.json")
    saved = json.loads(path.read_text())["apt"]
    assert saved == {"file": "program.pointing", "nircam_observation": 1, "nirspec_observation": 2}
    restored = board()
    restored.load_config(path)
    assert restored.plan == dashboard.plan
    assert picked(restored) == (1, 2)
    assert restored.apt_panel.program is not None
    assert "APT obs 1" in restored.form.overrides.nircam_note
    assert not restored.apt_panel.replace_button.disabled
    # The slider still turns the pattern, and "Place as APT does" works as before.
    for dash in (dashboard, restored):
        dash.controls.nirspec_apa.value = 70.0
        dash.apt_panel.replace_nirspec()
    assert restored.plan == dashboard.plan


def test_an_apt_session_whose_program_is_gone_keeps_the_saved_plan(tmp_path):
    program = shutil.copy(PROGRAM, tmp_path / "program.pointing")
    dashboard = board()
    dashboard.load_apt(program)
    dashboard.pick_apt(nircam=1, nirspec=2)
    path = dashboard.save_config(tmp_path / "session.json")
    Path(program).unlink()
    restored = board()
    restored.load_config(path)
    assert restored.plan == dashboard.plan
    assert picked(restored) == (KEEP, KEEP)
    assert "program.pointing was not read again" in restored.message
    assert "keeps its saved exposures" in restored.message


def test_an_apt_session_whose_program_changed_keeps_the_saved_plan(tmp_path):
    program = Path(shutil.copy(PROGRAM, tmp_path / "program.pointing"))
    dashboard = board()
    dashboard.load_apt(program)
    dashboard.pick_apt(nircam=1, nirspec=2)
    path = dashboard.save_config(tmp_path / "session.json")
    program.write_text(program.read_text().replace("+58.779", "+68.779"))
    restored = board()
    restored.load_config(path)
    assert restored.plan == dashboard.plan
    assert picked(restored)[0] == KEEP
    assert "has changed since the session was saved" in restored.message
    assert "NIRCam obs. 1" in restored.message


def test_an_uploaded_apt_program_is_stored_beside_the_session(tmp_path):
    dashboard = board()
    dashboard.apt_panel.load_upload(PROGRAM.read_bytes(), "sent.pointing")
    dashboard.pick_apt(nircam=1, nirspec=2)
    folder = tmp_path / "saved"
    folder.mkdir()
    path = dashboard.save_config(folder / "session.json")
    saved = json.loads(path.read_text())["apt"]
    assert saved["file"] == "sent.pointing"
    assert (folder / "sent.pointing").read_bytes() == PROGRAM.read_bytes()
    restored = board()
    restored.load_config(path)
    assert picked(restored) == (1, 2) and restored.plan == dashboard.plan


def test_an_old_apt_session_without_the_key_loads_as_the_plan_has_it(tmp_path):
    dashboard = board()
    dashboard.load_apt(PROGRAM)
    dashboard.pick_apt(nircam=1, nirspec=2)
    data = dashboard.config.to_dict()
    data.pop("apt")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    restored = board()
    restored.load_config(path)
    assert restored.plan == dashboard.plan
    assert picked(restored) == (KEEP, KEEP)


def test_bad_apt_keys_are_named():
    data = board().config.to_dict()
    with pytest.raises(ValueError, match="apt.nircam_observation must be an APT observation"):
        Config.from_dict(data | {"apt": {"file": "p.pointing", "nircam_observation": "1"}}, "s")
    with pytest.raises(ValueError, match="unknown key 'apt.obs'"):
        Config.from_dict(data | {"apt": {"file": "p.pointing", "obs": 1}}, "s")


@pytest.mark.parametrize("msaoper", [False, True])
def test_a_session_load_evaluates_the_plan_once(tmp_path, msaoper):
    """The operability map is set before the plan, which then evaluates once with it."""
    dashboard = Dashboard(image=False, catalog=False, schedule=False)
    if msaoper:
        from test_msa_dashboard import write_msaoper

        entries = [{"Q": 2, "x": i, "y": 5, "state": "closed"} for i in range(1, 50)]
        dashboard.msa_panel.path_box.value = write_msaoper(
            tmp_path / "jwst_nirspec_msaoper_0098.json", entries
        )
        assert dashboard.operability.name.startswith("msaoper_0098")
    path = dashboard.save_config(tmp_path / "session.json")
    name = dashboard.operability.name
    dashboard.msa_panel.use_bundled()
    before = len(dashboard.update_times_ms)
    dashboard.load_config(path)
    assert len(dashboard.update_times_ms) - before == 1
    assert dashboard.operability.name == name  # and the one evaluation used it
    assert dashboard.result.usable.operability == name
