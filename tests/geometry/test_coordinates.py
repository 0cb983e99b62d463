"""Typed RA/Dec against astropy's own parsing, and the catalog path against the scalar one."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import Angle
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.errors import PrevisError
from previs.geometry.coordinates import (
    parse_angles,
    parse_dec,
    parse_ra,
    read_angle,
    split_position,
)


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("53.1625", 53.1625),
        ("03:32:39.0", 53.1625),
        ("3h32m39s", 53.1625),
        ("3 32 39", 53.1625),
        ("53d09m45s", 53.1625),
        ("53°09′45″", 53.1625),
    ],
)
def test_ra_forms(text, degrees):
    assert parse_ra(text) == pytest.approx(degrees, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "degrees"),
    [("-27.7914", -27.7914), ("-27:47:29", -27.791389), ("-27d47m29s", -27.791389),
     ("-0:30:00", -0.5), ("+27:47", 27.783333)],
)  # fmt: skip
def test_dec_forms(text, degrees):
    assert parse_dec(text) == pytest.approx(degrees, abs=1e-6)


def test_sexagesimal_reads_without_float_noise():
    assert parse_ra("3h32m39s") == 53.1625  # astropy alone gives 53.16249999999999


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("abc", "RA", ["RA", "'abc'", "03:32:39.0"]),
        ("1:60:00", "Dec", ["Dec", "-27:47:29"]),  # 60 minutes are refused, not carried
        ("24:00:00", "RA", ["RA"]),
        ("3h", "Dec", ["Dec"]),  # hours are not a declination
        ("", "RA", ["RA"]),
    ],
)
def test_bad_text_names_the_field_and_the_forms(text, kind, words):
    with pytest.raises(PrevisError) as error:
        read_angle(text, kind)
    assert all(word in str(error.value) for word in words)


def test_ranges_and_long_values_are_quoted_short():
    with pytest.raises(PrevisError, match="between -90 and \\+90"):
        parse_dec("95")
    with pytest.raises(PrevisError, match="0 to below 360"):
        parse_ra("360")
    with pytest.raises(PrevisError) as error:
        parse_ra("x" * 10_000)
    assert len(str(error.value)) < 250


def test_split_position():
    assert split_position("03:32:39.0 -27:47:29") == ("03:32:39.0", "-27:47:29")
    assert split_position("53.16, -27.79") == ("53.16", "-27.79")
    assert split_position("3 32 39.0 -27 47 29") == ("3:32:39.0", "-27:47:29")
    assert split_position("53.16") is None


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.floats(0, 59.999, allow_nan=False),
)
@settings(max_examples=100, deadline=None)
def test_sexagesimal_ra_agrees_with_astropy(hours, minutes, seconds):
    text = f"{hours:02d}:{minutes:02d}:{seconds:06.3f}"
    expected = Angle(text, unit=u.hourangle).degree
    assert parse_ra(text) == pytest.approx(expected, abs=1e-9)


def test_catalog_path_agrees_with_the_scalar_reader():
    tokens = ["53.1625", "03:32:39.0", "3h32m39s", "bad", "1:60:00"]
    values, first_bad, problem = parse_angles(tokens, "RA")
    assert values[:3] == pytest.approx([53.1625] * 3)
    assert np.isnan(values[3]) and np.isnan(values[4])
    assert first_bad == 3 and "'bad'" in problem
