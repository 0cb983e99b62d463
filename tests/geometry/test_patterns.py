"""Dither patterns, APT's mosaic layout and explicit exposures."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.errors import PrevisError
from previs.geometry.patterns import (
    APT_GRID_ANGLE_TEL_DEG,
    APT_TILE_SIZE,
    DITHER_NAMES,
    MOSAIC_MAX_TILES,
    Exposures,
    Mosaic,
    canonical_dither,
    dither_offsets,
    exposure_offsets,
    grid_angle_deg,
    subpixel_offsets,
    tile_cells,
)


@pytest.mark.parametrize("name", ["FULL3", "FULL3TIGHT", "FULL6", "8NIRSPEC"])
def test_documented_patterns_are_centred(name):
    offsets = dither_offsets(name)
    assert np.abs(offsets.mean(axis=0)).max() <= 0.5  # arcsec (FULL6 is off by 0.5" in X)


def test_pattern_values_and_names():
    assert [
        len(dither_offsets(n)) for n in ("NONE", "FULL3", "FULL3TIGHT", "FULL6", "8NIRSPEC")
    ] == [
        1,
        3,
        3,
        6,
        8,
    ]
    np.testing.assert_allclose(dither_offsets("FULL3")[2], [58.0, 23.5])
    np.testing.assert_allclose(dither_offsets("8NIRSPEC")[4], [24.6, 64.1])
    np.testing.assert_allclose(dither_offsets("fullbox 8nirspec"), dither_offsets("8NIRSPEC"))
    assert canonical_dither("INTRAMODULE 3") == "INTRAMODULE3"
    assert canonical_dither("FULLBOX 2TIGHTGAPS") == "FULLBOX2TIGHTGAPS"
    # In APT's reports INTRAMODULE 3 is the start of INTRAMODULE 16, not centred.
    np.testing.assert_allclose(dither_offsets("INTRAMODULE16")[:3], dither_offsets("INTRAMODULE3"))
    assert len(set(map(tuple, dither_offsets("INTRAMODULE16")))) == 16
    for name in DITHER_NAMES:
        offsets = dither_offsets(name)
        assert offsets.shape[1] == 2 and np.isfinite(offsets).all()


def test_unknown_dither_lists_valid_names():
    with pytest.raises(PrevisError, match="FULL3TIGHT"):
        dither_offsets("FULL4")


def test_subpixel_patterns():
    np.testing.assert_allclose(subpixel_offsets("STANDARD", 1), [[0.0, 0.0]])
    assert subpixel_offsets("STANDARD", 2).shape == (2, 2)
    assert subpixel_offsets("STANDARD", 9) is None  # not published: previs has no offsets


@pytest.mark.parametrize("size", [1, 2, 4, 8])
def test_default_order_is_a_hilbert_curve_over_square_grids(size):
    cells = tile_cells(size, size)
    assert sorted(cells) == [(c, r) for c in range(size) for r in range(size)]
    steps = np.abs(np.diff(np.array(cells), axis=0)).sum(axis=1)
    assert (steps == 1).all()  # every tile is next to the one before
    assert cells[0] == (0, 0)


@given(
    st.integers(1, 20),
    st.integers(1, 20),
    st.sampled_from(["DEFAULT", "ROW_ORDER", "COLUMN_ORDER"]),
)
@settings(deadline=None, max_examples=40)
def test_every_order_visits_each_tile_once(rows, columns, order):
    cells = tile_cells(rows, columns, order)
    assert sorted(cells) == sorted((c, r) for c in range(columns) for r in range(rows))
    assert cells[0] == (0, 0)
    if order != "DEFAULT":
        steps = np.abs(np.diff(np.array(cells), axis=0)).sum(axis=1) if len(cells) > 1 else []
        assert all(s == 1 for s in steps)  # back and forth, no jumps


def test_apt_numbering_of_small_mosaics():
    # Target offsets of APT's tiles (pointing reports): 2x1 -> -Y then +Y;
    # 2x2 -> (-X,-Y), (-X,+Y), (+X,+Y), (+X,-Y).
    signs = np.sign(Mosaic(2, 1).target_offsets()[:, 1])
    assert signs.tolist() == [-1, 1]
    quadrants = np.sign(Mosaic(2, 2).target_offsets()).tolist()
    assert quadrants == [[-1, -1], [-1, 1], [1, 1], [1, -1]]
    np.testing.assert_allclose(Mosaic(2, 2).tile_offsets(), -Mosaic(2, 2).target_offsets())


def test_grid_angle_is_fixed_in_the_telescope_frame(siaf):
    angle = grid_angle_deg()
    assert angle == pytest.approx(
        APT_GRID_ANGLE_TEL_DEG - siaf["NIRCam"]["NRCALL_FULL"].V3IdlYAngle
    )
    assert 0.76 < angle < 0.84  # between the two PRDs of the public reports


def test_mosaic_pitch_rotation_and_centre():
    mosaic = Mosaic(2, 3, row_overlap=20, column_overlap=-10)
    targets = mosaic.target_offsets()
    assert targets.shape == (6, 2)
    np.testing.assert_allclose(targets.mean(axis=0), 0.0, atol=1e-9)
    cells = np.array(tile_cells(2, 3))
    angle = math.radians(grid_angle_deg())
    back = targets @ np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    pitch = np.array(APT_TILE_SIZE) * [1.1, 0.8]
    np.testing.assert_allclose(back, (cells - cells.mean(axis=0)) * pitch, atol=1e-9)


def test_row_and_column_shifts():
    plain, shifted = Mosaic(3, 1), Mosaic(3, 1, row_shift=10.0)
    angle = math.radians(grid_angle_deg())
    axis_x = np.array([math.cos(angle), math.sin(angle)])
    step = np.diff(shifted.target_offsets() - plain.target_offsets(), axis=0) @ axis_x
    pitch_y = APT_TILE_SIZE[1] * 0.9
    np.testing.assert_allclose(step, pitch_y * math.tan(math.radians(10.0)))
    column = Mosaic(1, 2, column_shift=-5.0).target_offsets() - Mosaic(1, 2).target_offsets()
    axis_y = np.array([-math.sin(angle), math.cos(angle)])
    pitch_x = APT_TILE_SIZE[0] * 0.9
    assert np.diff(column @ axis_y)[0] == pytest.approx(pitch_x * math.tan(math.radians(-5.0)))


def test_switched_off_tiles_keep_the_others_numbers():
    full, holed = Mosaic(2, 2), Mosaic(2, 2, tiles_off=(2,))
    assert holed.n_tiles == 3 and holed.tile_numbers().tolist() == [1, 3, 4]
    np.testing.assert_allclose(holed.target_offsets(), full.target_offsets()[[0, 2, 3]])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(rows=0), "between 1 and 50"),
        (dict(columns=MOSAIC_MAX_TILES + 1), "APT's limit"),
        (dict(rows=1.5), "whole number"),
        (dict(row_overlap=100.5), "percentage"),
        (dict(row_overlap=-201), "percentage"),
        (dict(column_overlap="a"), "number"),
        (dict(row_shift=90.0), "between -90 and 90"),
        (dict(rows=2, columns=2, tiles_off=(5,)), "from 1 to 4"),
        (dict(rows=2, tiles_off=(1, 2)), "at least one"),
        (dict(tile_order="SPIRAL"), "ROW_ORDER"),
        (dict(tiles_off="1"), "list of tile numbers"),
    ],
)
def test_bad_mosaics_are_named(kwargs, fragment):
    with pytest.raises(PrevisError, match="mosaic") as info:
        Mosaic(**kwargs)
    assert fragment in str(info.value)


def test_mosaic_parse():
    assert Mosaic.parse("2x1") == Mosaic(2, 1)
    for bad in ["2", "ax1", "0x2", "2x2x2"]:
        with pytest.raises(PrevisError, match="mosaic"):
            Mosaic.parse(bad)


@given(
    st.integers(1, 50),
    st.integers(1, 50),
    st.floats(-200, 100),
    st.floats(-200, 100),
    st.floats(-89, 89),
    st.sampled_from(["DEFAULT", "ROW_ORDER", "COLUMN_ORDER"]),
)
@settings(deadline=None, max_examples=30)
def test_mosaic_dict_round_trip(rows, columns, row_overlap, column_overlap, shift, order):
    off = (rows * columns,) if rows * columns > 1 else ()
    mosaic = Mosaic(rows, columns, row_overlap, column_overlap, shift, -shift, off, order)
    assert Mosaic.from_dict(mosaic.to_dict()) == mosaic


def test_mosaic_dict_keeps_the_four_old_keys_by_default():
    assert set(Mosaic(2, 1).to_dict()) == {"rows", "columns", "row_overlap", "column_overlap"}
    assert Mosaic(2, 2, tiles_off=(3,)).to_dict()["tiles_off"] == [3]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"tiles": 2}, "plan.mosaic: unknown key 'tiles'"),
        ({"rows": 2.0}, "plan.mosaic.rows must be a whole number"),
        ({"row_overlap": "10"}, "plan.mosaic.row_overlap must be a finite number"),
        ({"rows": 99}, "plan.mosaic: rows must be between 1 and 50"),
        ({"tiles_off": 3}, "plan.mosaic.tiles_off must be a list"),
        ([2, 1], "plan.mosaic must be a mapping"),
    ],
)
def test_mosaic_from_dict_errors_name_where_key(data, fragment):
    with pytest.raises(PrevisError) as info:
        Mosaic.from_dict(data, SimpleNamespace(key="plan.mosaic"))
    assert fragment in str(info.value)


def test_exposures_from_pattern_run_tile_by_tile_then_dither_then_subpixel():
    mosaic = Mosaic(2, 1)
    subpixel = np.array([[0.0, 0.0], [0.5, -0.25]])
    exposures = Exposures.from_pattern("FULL3", mosaic, subpixel)
    assert len(exposures) == 12 and exposures.source == "model"
    assert exposures.tiles.tolist() == [1] * 6 + [2] * 6
    assert exposures.dithers.tolist() == [1, 2, 3, 4, 5, 6] * 2
    primary = dither_offsets("FULL3")
    expected = (
        mosaic.target_offsets()[:, None, None, :]
        + primary[None, :, None, :]
        + subpixel[None, None, :, :]
    ).reshape(-1, 2)
    np.testing.assert_allclose(exposures.offsets, expected)
    np.testing.assert_allclose(
        exposure_offsets("FULL3", mosaic), Exposures.from_pattern("FULL3", mosaic).offsets
    )


def test_exposures_round_trip_and_defaults():
    exposures = Exposures.from_offsets(
        [[1.0, 2.0], [-3.0, 4.5]], tiles=[1, 2], aperture="NRCBS_FULL"
    )
    assert exposures.dithers.tolist() == [1, 2] and exposures.n_tiles == 2
    back = Exposures.from_dict(exposures.to_dict())
    np.testing.assert_array_equal(back.offsets, exposures.offsets)
    assert (back.aperture, back.source, back.tiles.tolist()) == ("NRCBS_FULL", "custom", [1, 2])


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: Exposures.from_offsets(np.zeros((0, 2))), "1 to"),
        (lambda: Exposures.from_offsets([[np.nan, 0.0]]), "exposure offset 1 is not finite"),
        (lambda: Exposures.from_offsets([[0.0, 0.0]], tiles=[0]), "whole numbers from 1"),
        (lambda: Exposures.from_offsets([[0.0, 0.0]], aperture="NRCX_FULL"), "unknown aperture"),
        (
            lambda: Exposures.from_dict({"offsets": [[0, 0]], "pitch": 3}, "cfg.exposures"),
            "'pitch'",
        ),
        (
            lambda: Exposures.from_dict({"offsets": [[0, "a"]]}, "cfg.exposures"),
            "cfg.exposures.offsets",
        ),
    ],
)
def test_bad_exposures_are_named(call, fragment):
    with pytest.raises(PrevisError) as info:
        call()
    assert fragment in str(info.value)
