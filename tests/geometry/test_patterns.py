"""Dither patterns and mosaics."""

from __future__ import annotations

import numpy as np
import pytest

from previs.geometry.patterns import DITHER_NAMES, Mosaic, dither_offsets, exposure_offsets
from previs.geometry.siaf import get_aperture


@pytest.mark.parametrize("name", ["FULL3", "FULL3TIGHT", "FULL6", "8NIRSPEC"])
def test_documented_patterns_are_centred(name):
    offsets = dither_offsets(name)
    assert np.abs(offsets.mean(axis=0)).max() <= 0.5  # arcsec (FULL6 is off by 0.5" in X)


def test_pattern_sizes_and_values():
    assert [len(dither_offsets(n)) for n in DITHER_NAMES] == [1, 3, 3, 6, 8]
    np.testing.assert_allclose(dither_offsets("FULL3")[2], [58.0, 23.5])
    np.testing.assert_allclose(dither_offsets("8NIRSPEC")[4], [24.6, 64.1])
    np.testing.assert_allclose(dither_offsets("fullbox 8nirspec"), dither_offsets("8NIRSPEC"))


def test_unknown_dither_lists_valid_names():
    with pytest.raises(ValueError, match="FULL3TIGHT"):
        dither_offsets("FULL4")


def test_mosaic_pitch_and_order():
    width, height = get_aperture("NRCALL_FULL").ideal_extent
    tiles = Mosaic(2, 3, row_overlap=20, column_overlap=-10).tile_offsets()
    assert tiles.shape == (6, 2)
    # rows from -Y to +Y, columns from -X to +X within a row
    np.testing.assert_allclose(tiles[:3, 1], -0.5 * height * 0.8)
    np.testing.assert_allclose(tiles[3:, 1], 0.5 * height * 0.8)
    np.testing.assert_allclose(tiles[:3, 0], [-width * 1.1, 0.0, width * 1.1])
    np.testing.assert_allclose(tiles.mean(axis=0), 0.0, atol=1e-9)


def test_exposures_tile_by_tile_then_dither_order():
    mosaic = Mosaic(2, 1)
    offsets = exposure_offsets("FULL3", mosaic)
    assert offsets.shape == (6, 2)
    tiles = mosaic.tile_offsets()
    np.testing.assert_allclose(offsets[:3], dither_offsets("FULL3") - tiles[0])
    np.testing.assert_allclose(offsets[3:], dither_offsets("FULL3") - tiles[1])


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(rows=0),
        dict(columns=11),
        dict(rows=1.5),
        dict(row_overlap=100),
        dict(column_overlap="a"),
    ],
)
def test_bad_mosaics_are_named(kwargs):
    with pytest.raises(ValueError, match="mosaic"):
        Mosaic(**kwargs)


def test_mosaic_parse():
    assert Mosaic.parse("2x1") == Mosaic(2, 1)
    for bad in ["2", "ax1", "0x2", "2x2x2"]:
        with pytest.raises(ValueError, match="mosaic"):
            Mosaic.parse(bad)
