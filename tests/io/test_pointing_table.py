"""NIRSpec pointings from a CSV table: values, header forms and errors named by line."""

from __future__ import annotations

import pytest

from previs._files import forget_inputs, write_text_atomic
from previs.errors import PrevisError
from previs.geometry.attitude import Pointing
from previs.geometry.coordinates import parse_dec, parse_ra
from previs.io.pointing_table import parse_pointing_table, read_pointing_table


def test_header_in_any_order_comments_and_extra_columns(tmp_path):
    text = (
        "# MSA pointings of my MOS program\n"
        "name, APA , Dec, RA\n"
        "\n"
        "first, 45, -27.7914, 53.1625\n"
        "second, 50.5, -27:47:20.0, 03:32:40.0\n"
    )
    path = tmp_path / "msa.csv"
    path.write_text(text)
    pointings = read_pointing_table(path)
    assert pointings[0] == Pointing(53.1625, -27.7914, 45.0)
    assert pointings[1] == Pointing(parse_ra("03:32:40.0"), parse_dec("-27:47:20.0"), 50.5)
    with pytest.raises(PrevisError, match="NIRSpec pointing table"):  # an input is never replaced
        write_text_atomic(path, "x")
    forget_inputs()


def test_no_header_means_ra_dec_apa():
    assert parse_pointing_table("10, 20, 30\n10.1, 20, 390\n") == (
        Pointing(10.0, 20.0, 30.0),
        Pointing(10.1, 20.0, 30.0),
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ra,dec\n1,2\n", "t.csv, line 1: the header 'ra,dec' has no apa column"),
        ("ra,dec,apa\n1,2,3\n1,north,3\n", "t.csv, line 3: Dec: cannot read 'north'"),
        ("ra,dec,apa\n\n# c\n1,2,x\n", "t.csv, line 4: APA 'x' is not a finite number"),
        ("ra,dec,apa\n1,2\n", "t.csv, line 2: no apa value"),
        ("ra,dec,apa\n1,95,3\n", "t.csv, line 2: RA must lie in [0, 360) and Dec in [-90, 90]"),
        ("ra,dec,apa\n", "t.csv: no NIRSpec pointings"),
        ("", "t.csv: no NIRSpec pointings"),
    ],
)
def test_errors_name_the_line(text, fragment):
    with pytest.raises(PrevisError) as error:
        parse_pointing_table(text, "t.csv")
    assert fragment in str(error.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(PrevisError, match="cannot read the NIRSpec pointing table"):
        read_pointing_table(tmp_path / "missing.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(PrevisError, match="not a text"):
        read_pointing_table(binary)
