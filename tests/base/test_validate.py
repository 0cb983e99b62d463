"""The shared value checks: each refuses what it should and names where the value came from."""

from __future__ import annotations

import math

import pytest

import previs._validate as check
from previs.errors import ConfigError, PrevisError, quote


@pytest.mark.parametrize("value", [True, "1", None, math.nan, math.inf, [1]])
def test_finite_number_refuses(value):
    with pytest.raises(PrevisError, match="plan.ra must be a finite number"):
        check.finite_number(value, "plan.ra")


def test_finite_number_accepts_ints_and_floats():
    assert check.finite_number(3, "x") == 3.0 and isinstance(check.finite_number(3, "x"), float)


@pytest.mark.parametrize("value", [2.0, True, "2"])
def test_integer_refuses_non_ints(value):
    with pytest.raises(PrevisError, match="whole number"):
        check.integer(value, "rows")


def test_choice_is_case_insensitive_and_returns_the_listed_spelling():
    assert check.choice(" NIRSpec ", ("nircam", "nirspec"), "click") == "nirspec"
    with pytest.raises(ConfigError, match="click must be one of nircam, nirspec"):
        check.choice("miri", ("nircam", "nirspec"), "click", ConfigError)


def test_reject_unknown_names_the_key_and_the_valid_ones():
    with pytest.raises(PrevisError, match="unknown key 'colour'; valid keys: a, b"):
        check.reject_unknown({"a": 1, "colour": 2}, {"a", "b"}, "f.json")


def test_messages_never_quote_more_than_80_characters():
    with pytest.raises(PrevisError) as error:
        check.string(["x" * 10_000] * 3, "f.json: dither")
    assert len(str(error.value)) < 150
    assert len(quote("y" * 1_000_000)) <= 80
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert len(quote(deep)) <= 80  # no RecursionError


def test_describe_speaks_json():
    assert check.describe(None) == "null"
    assert check.describe([1]) == "an array"
    assert check.describe("x").startswith("a string")
