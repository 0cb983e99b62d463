"""Tests for previs.catalog.readers: .radec parsing, astropy tables, errors, round trips."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord
from astropy.table import Table
from hypothesis import given, settings
from hypothesis import strategies as st

from previs.catalog import Catalog, CatalogError, read_catalog, write_radec
from previs.geometry.coordinates import parse_angles


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------------------
# .radec


def test_radec_comments_flags_extra_columns(tmp_path):
    text = (
        "# a NOVT catalog\n"
        "\n"
        "53.1 -27.8 P\n"
        "  53.2\t-27.7  f  23.5 extra   # trailing comment\n"
        "# another comment\n"
        "-10.0 5.0\n"
        "360 0 F\n"
    )
    catalog = read_catalog(write(tmp_path, "cat.radec", text))
    assert len(catalog) == 4
    np.testing.assert_allclose(catalog.ra, [53.1, 53.2, 350.0, 0.0])
    np.testing.assert_allclose(catalog.dec, [-27.8, -27.7, 5.0, 0.0])
    assert catalog.flag.tolist() == ["P", "F", "P", "F"]
    assert catalog.primary.tolist() == [True, False, True, False]
    assert catalog.filler.tolist() == [False, True, False, True]
    assert catalog.has_flags
    assert catalog.source.endswith("cat.radec")


def test_radec_without_flags_counts_everything_as_primary():
    catalog = read_catalog(b"1 2\n3 4\n", name="x.radec")
    assert not catalog.has_flags
    assert catalog.primary.all() and not catalog.filler.any()


def test_radec_sexagesimal_matches_astropy():
    text = "03:32:39.0 -27:47:29\n3h32m39s -27d47m29s P\n+12:00:00 +00:30:00.5\n"
    catalog = read_catalog(text.encode(), name="s.radec")
    expected_ra = Angle(["03h32m39.0s", "3h32m39s", "12h00m00s"]).deg
    expected_dec = Angle(["-27d47m29s", "-27d47m29s", "0d30m0.5s"]).deg
    np.testing.assert_allclose(catalog.ra, expected_ra, rtol=0, atol=1e-12)
    np.testing.assert_allclose(catalog.dec, expected_dec, rtol=0, atol=1e-12)


def test_radec_negative_dec_below_one_degree():
    catalog = read_catalog(b"00:00:01 -00:30:00\n", name="s.radec")
    np.testing.assert_allclose(catalog.dec, [-0.5])
    np.testing.assert_allclose(catalog.ra, [15.0 / 3600.0])


def test_radec_crlf_and_bytes_input():
    catalog = read_catalog(b"# c\r\n1 2 F\r\n\r\n3 4 p\r\n", name="upload.radec")
    assert catalog.flag.tolist() == ["F", "P"]
    assert catalog.source == "upload.radec"


def test_radec_mixed_column_counts():
    catalog = read_catalog(b"1 2\n3 4 F 17\n5 6 P\n7 8\n", name="m.radec")
    assert catalog.flag.tolist() == ["P", "F", "P", "P"]
    np.testing.assert_allclose(catalog.dec, [2, 4, 6, 8])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2\n" * 6 + "13 95.2\n", "cat.radec, line 7: Dec '95.2' is out of range [-90, 90]"),
        ("1 2\n3 4\n5\n", "cat.radec, line 3: expected RA and Dec, found 1 column"),
        (
            "1 2 P\n" * 8 + "1 2 X\n",
            "cat.radec, line 9: flag 'X' is not P (primary), F (filler) or R (reference star)",
        ),
        ("# c\n\n1 2\nabc 3\n", "cat.radec, line 4: RA 'abc' is not a valid angle"),
        ("1 2\n3 -90.5\n", "cat.radec, line 2: Dec '-90.5' is out of range"),
        ("1 2\n400 5\n", "cat.radec, line 2: RA '400' is out of range"),
        ("1 2\n25:00:00 5\n", "cat.radec, line 2: RA '25:00:00' is not a valid angle"),
        ("1 2\n1:61:00 5\n", "cat.radec, line 2: RA '1:61:00' is not a valid angle"),
        ("1 2\n1 3h00m00s\n", "cat.radec, line 2: Dec '3h00m00s' is not a valid angle"),
        ("1 2\n1 nan\n", "cat.radec, line 2: Dec 'nan' is not a valid angle"),
    ],
)
def test_radec_errors_name_file_and_line(text, message):
    with pytest.raises(CatalogError) as info:
        read_catalog(text.encode(), name="cat.radec")
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


def test_radec_reports_the_first_bad_line():
    text = "1 2\n1 2 X\n1\n1 95\n"
    with pytest.raises(CatalogError, match="line 2: flag 'X'"):
        read_catalog(text.encode(), name="cat.radec")


def test_radec_error_line_numbers_with_non_ascii_comments():
    text = "# caf\u00e9\n1 2\n\n1 2 Q\n"
    with pytest.raises(CatalogError, match="line 4: flag 'Q'"):
        read_catalog(text.encode(), name="cat.radec")


def test_empty_file_is_an_error_and_comment_only_is_empty(tmp_path):
    with pytest.raises(CatalogError, match="empty.radec: the file is empty"):
        read_catalog(write(tmp_path, "empty.radec", ""))
    with pytest.raises(CatalogError, match="the file is empty"):
        read_catalog(b"   \n\n", name="blank.csv")
    catalog = read_catalog(write(tmp_path, "comments.radec", "# nothing here\n\n"))
    assert len(catalog) == 0 and not catalog.has_flags


def test_txt_file_is_radec_unless_it_has_a_header(tmp_path):
    catalog = read_catalog(write(tmp_path, "targets.txt", "# c\n10 20 F\n"))
    assert catalog.flag.tolist() == ["F"]
    table = read_catalog(write(tmp_path, "targets.dat", "ALPHA_J2000 DELTA_J2000\n10 20\n"))
    np.testing.assert_allclose([table.ra[0], table.dec[0]], [10, 20])


def test_missing_file_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="cannot read catalog"):
        read_catalog(tmp_path / "nope.radec")


@settings(max_examples=40, deadline=None)
@given(
    ra=st.lists(st.floats(0, 359.999999), min_size=1, max_size=30),
    data=st.data(),
)
def test_write_read_round_trip(tmp_path_factory, ra, data):
    n = len(ra)
    dec = data.draw(st.lists(st.floats(-90, 90), min_size=n, max_size=n))
    flag = data.draw(st.lists(st.sampled_from("PF"), min_size=n, max_size=n))
    catalog = Catalog(ra, dec, flag, source="memory")
    path = tmp_path_factory.mktemp("rt") / "rt.radec"
    write_radec(catalog, path)
    back = read_catalog(path)
    # 9 decimals in degrees: within 5e-10 deg (2 micro-arcsec); RA may wrap at 360.
    dra = (back.ra - catalog.ra + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(dra) <= 5.1e-10)
    np.testing.assert_allclose(back.dec, catalog.dec, rtol=0, atol=5.1e-10)
    assert back.flag.tolist() == catalog.flag.tolist()


def test_round_trip_without_flags(tmp_path):
    catalog = Catalog([1.0, 2.0], [3.0, 4.0])
    write_radec(catalog, tmp_path / "a.radec")
    back = read_catalog(tmp_path / "a.radec")
    assert not back.has_flags
    np.testing.assert_allclose(back.ra, [1, 2])


def test_parse_angles_reports_first_bad_token():
    values, bad, problem = parse_angles(["1", "2h", "x", "y"], "RA")
    assert values[0] == 1 and values[1] == 30.0
    assert bad == 2 and "'x'" in problem


def test_catalog_validation():
    with pytest.raises(CatalogError, match="flag 'Primary' is not P"):
        Catalog([1, 2], [3, 4], ["P", "Primary"])
    with pytest.raises(CatalogError, match="source 2"):
        Catalog([1, 2], [3, 91], None)
    with pytest.raises(CatalogError, match="2 RA values but 1 Dec"):
        Catalog([1, 2], [3])
    catalog = Catalog([-1.0], [0.0], [" f"])
    assert catalog.ra[0] == 359.0 and catalog.flag.tolist() == ["F"]
    with pytest.raises(ValueError):
        catalog.ra[0] = 3.0


# ---------------------------------------------------------------------------
# astropy tables

FORMATS = {"csv": "ascii.csv", "ecsv": "ascii.ecsv", "fits": "fits", "xml": "votable"}


@pytest.mark.parametrize("extension", list(FORMATS))
@pytest.mark.parametrize(
    ("ra_name", "dec_name"),
    [
        ("ra", "dec"),
        ("RA", "DEC"),
        ("ALPHA_J2000", "DELTA_J2000"),
        ("RAJ2000", "DEJ2000"),
        ("ra_deg", "dec_deg"),
        ("X_WORLD", "Y_WORLD"),
        ("TARGET_RA", "TARGET_DEC"),
    ],
)
def test_tables_by_extension_and_common_names(tmp_path, extension, ra_name, dec_name):
    table = Table(
        {
            "id": [1, 2, 3],
            ra_name: [53.1, 359.5, 0.25],
            dec_name: [-27.8, 10.0, -89.0],
            "flag": ["P", "F", "p"],
        }
    )
    path = tmp_path / f"cat.{extension}"
    table.write(path, format=FORMATS[extension])
    for source, kwargs in ((path, {}), (path.read_bytes(), {"name": path.name})):
        catalog = read_catalog(source, **kwargs)
        np.testing.assert_allclose(catalog.ra, [53.1, 359.5, 0.25])
        np.testing.assert_allclose(catalog.dec, [-27.8, 10.0, -89.0])
        assert catalog.flag.tolist() == ["P", "F", "P"]


@pytest.mark.parametrize("extension", list(FORMATS))
def test_tables_sniffed_from_bytes_without_a_name(tmp_path, extension):
    table = Table({"ra": [10.0], "dec": [20.0]})
    path = tmp_path / f"cat.{extension}"
    table.write(path, format=FORMATS[extension])
    catalog = read_catalog(path.read_bytes())
    np.testing.assert_allclose([catalog.ra[0], catalog.dec[0]], [10, 20])


def test_csv_bytes_without_a_name(tmp_path):
    catalog = read_catalog(b"ra,dec\n10,20\n")
    np.testing.assert_allclose([catalog.ra[0], catalog.dec[0]], [10, 20])


def test_explicit_columns_and_format(tmp_path):
    table = Table({"ra": [1.0], "dec": [2.0], "my_ra": [30.0], "my_dec": [40.0], "kind": ["F"]})
    path = tmp_path / "cat.table"
    table.write(path, format="ascii.ecsv")
    catalog = read_catalog(
        path, ra_column="MY_RA", dec_column="my_dec", flag_column="kind", format="ecsv"
    )
    np.testing.assert_allclose([catalog.ra[0], catalog.dec[0]], [30, 40])
    assert catalog.flag.tolist() == ["F"] and catalog.has_flags
    with pytest.raises(CatalogError, match="no column 'nope' \\(ra_column\\); columns found: ra"):
        read_catalog(path, ra_column="nope", format="ecsv")


def test_quantity_columns_with_angle_units(tmp_path):
    table = Table({"ra": [1.5, 23.0] * u.hourangle, "dec": [0.1, -0.2] * u.rad})
    path = tmp_path / "q.ecsv"
    table.write(path)
    catalog = read_catalog(path)
    np.testing.assert_allclose(catalog.ra, [22.5, 345.0])
    np.testing.assert_allclose(catalog.dec, np.rad2deg([0.1, -0.2]))
    table = Table({"ra": [1.0] * u.mag, "dec": [0.1] * u.deg})
    table.write(tmp_path / "bad.ecsv")
    with pytest.raises(CatalogError, match="RA column 'ra' has unit 'mag', not an angle"):
        read_catalog(tmp_path / "bad.ecsv")


def test_sexagesimal_string_columns(tmp_path):
    table = Table({"RA": ["03:32:39.0", "3h32m39s"], "Dec": ["-27:47:29", "-27d47m29s"]})
    table.write(tmp_path / "s.fits")
    catalog = read_catalog(tmp_path / "s.fits")
    expected = SkyCoord("03h32m39s", "-27d47m29s")
    np.testing.assert_allclose(catalog.ra, expected.ra.deg, atol=1e-12)
    np.testing.assert_allclose(catalog.dec, expected.dec.deg, atol=1e-12)


def test_skycoord_column(tmp_path):
    table = Table({"coord": SkyCoord([10, 20], [30, 40], unit="deg")})
    table.write(tmp_path / "c.ecsv")
    catalog = read_catalog(tmp_path / "c.ecsv")
    np.testing.assert_allclose(catalog.dec, [30, 40])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["P", "F", "primary", "FILLER", " f "], ["P", "F", "P", "F", "F"]),
        ([1, 0, 2, 1, 3], ["P", "F", "F", "P", "F"]),
        ([True, False, True, True, False], ["P", "F", "P", "P", "F"]),
    ],
)
def test_flag_column_mappings(tmp_path, values, expected):
    table = Table({"ra": np.arange(5.0), "dec": np.zeros(5), "priority": values})
    table.write(tmp_path / "f.ecsv")
    assert read_catalog(tmp_path / "f.ecsv").flag.tolist() == expected


def test_bad_flag_values(tmp_path):
    table = Table({"ra": [1.0, 2.0], "dec": [0.0, 0.0], "type": ["galaxy", "star"]})
    table.write(tmp_path / "t.csv")
    with pytest.raises(CatalogError, match="row 1: flag 'galaxy'.*flag_column=False"):
        read_catalog(tmp_path / "t.csv")
    catalog = read_catalog(tmp_path / "t.csv", flag_column=False)
    assert not catalog.has_flags and catalog.primary.all()
    table = Table({"ra": [1.0, 2.0], "dec": [0.0, 0.0], "priority": [1.0, 2.5]})
    table.write(tmp_path / "p.csv")
    with pytest.raises(CatalogError, match="row 2: priority 2.5 is not a non-negative integer"):
        read_catalog(tmp_path / "p.csv")


def test_missing_columns_list_found_and_accepted(tmp_path):
    Table({"x": [1.0], "y": [2.0]}).write(tmp_path / "xy.csv")
    with pytest.raises(CatalogError) as info:
        read_catalog(tmp_path / "xy.csv")
    message = str(info.value)
    assert "xy.csv: no RA column found" in message
    assert "columns found: x, y" in message
    assert "alpha_j2000" in message and "ra_column=" in message
    Table({"ra": [1.0], "y": [2.0]}).write(tmp_path / "ra.csv")
    with pytest.raises(CatalogError, match="no Dec column found.*dej2000"):
        read_catalog(tmp_path / "ra.csv")


def test_table_out_of_range_and_missing_values(tmp_path):
    Table({"ra": [1.0, 2.0, 3.0], "dec": [0.0, 0.0, -95.0]}).write(tmp_path / "r.csv")
    with pytest.raises(CatalogError, match=r"r.csv, row 3: Dec '-95.0' is out of range"):
        read_catalog(tmp_path / "r.csv")
    (tmp_path / "m.csv").write_text("ra,dec\n1,2\n3,\n")
    with pytest.raises(CatalogError, match="m.csv, row 2: Dec is missing"):
        read_catalog(tmp_path / "m.csv")


def test_header_only_table_is_an_empty_catalog(tmp_path):
    (tmp_path / "h.csv").write_text("ra,dec\n")
    catalog = read_catalog(tmp_path / "h.csv")
    assert len(catalog) == 0


def test_unreadable_table(tmp_path):
    (tmp_path / "broken.fits").write_bytes(b"not a fits file at all" * 10)
    with pytest.raises(CatalogError, match="broken.fits: cannot read as a fits table"):
        read_catalog(tmp_path / "broken.fits")


def test_radec_is_an_astropy_table_format(tmp_path):
    """.radec is registered with astropy.io.registry: Table.read finds it by its extension."""
    from astropy.table import Table

    from previs.catalog.radec import register_with_astropy

    register_with_astropy()
    register_with_astropy()  # twice is harmless
    path = tmp_path / "t.radec"
    path.write_text("53.1 -27.8 P\n03:32:39.0 -27:47:29 f\n")
    table = Table.read(path)
    assert list(table.colnames) == ["ra", "dec", "flag"]
    assert table["ra"][1] == pytest.approx(53.1625)
    assert list(table["flag"]) == ["P", "F"]
    assert read_catalog(path).ra.tolist() == pytest.approx(table["ra"].tolist())


# ---------------------------------------------------------------------------
# MSATA columns: magnitudes and reference stars


def test_radec_reference_flag_round_trips(tmp_path):
    catalog = read_catalog(b"53.1 -27.8 P\n53.2 -27.8 r\n53.3 -27.8 F\n", name="cat.radec")
    assert catalog.flag.tolist() == ["P", "R", "F"]
    assert catalog.reference.tolist() == [False, True, False]
    assert catalog.primary.tolist() == [True, False, False]
    assert catalog.filler.tolist() == [False, False, True]
    assert not catalog.has_magnitudes and catalog.has_msata_columns
    path = tmp_path / "out.radec"
    write_radec(catalog, path)
    assert "R=reference" in path.read_text()
    assert read_catalog(path).flag.tolist() == ["P", "R", "F"]


def test_table_magnitudes_and_reference_column(tmp_path):
    table = Table()
    table["ra"] = [53.1, 53.2, 53.3, 53.4]
    table["dec"] = [-27.8] * 4
    table["flag"] = ["P", "F", "reference", "P"]
    table["Reference"] = ["Y", "no", "", "True"]
    table["nrs_f110w"] = ["21.5", "", "20", "nan"]
    table["NRS_CLEAR"] = np.ma.masked_array([22.0, 23.0, 24.0, 25.0], mask=[0, 1, 0, 0])
    path = tmp_path / "t.ecsv"
    table.write(path)
    catalog = read_catalog(path)
    assert catalog.flag.tolist() == ["P", "F", "R", "P"]
    # A table's Reference column marks candidates among the targets too; R is always one.
    assert catalog.reference.tolist() == [True, False, True, True]
    assert set(catalog.magnitudes) == {"NRS_F110W", "NRS_CLEAR"}
    np.testing.assert_array_equal(catalog.magnitudes["NRS_F110W"], [21.5, np.nan, 20.0, np.nan])
    np.testing.assert_array_equal(catalog.magnitudes["NRS_CLEAR"], [22.0, np.nan, 24.0, 25.0])
    assert read_catalog(path, reference_column=False).reference.tolist() == [0, 0, 1, 0]
    fits = tmp_path / "t.fits"
    Table(
        {
            "ra": [1.0, 2.0],
            "dec": [3.0, 4.0],
            "REFERENCE": [True, False],
            "NRS_F140X": [22.5, np.nan],
        }
    ).write(fits)
    from_fits = read_catalog(fits)
    assert from_fits.reference.tolist() == [True, False]
    np.testing.assert_array_equal(from_fits.magnitudes["NRS_F140X"], [22.5, np.nan])


def test_bad_magnitudes_and_reference_values_are_named_by_row(tmp_path):
    path = write(tmp_path, "t.csv", "ra,dec,NRS_F110W\n1,2,21.0\n3,4,bright\n")
    with pytest.raises(CatalogError, match=r"t.csv, row 2: NRS_F110W 'bright' is not a number"):
        read_catalog(path)
    path = write(tmp_path, "r.csv", "ra,dec,reference\n1,2,yes\n3,4,maybe\n")
    with pytest.raises(CatalogError, match=r"row 2: 'maybe' is not True/False.*reference_column"):
        read_catalog(path)
    with pytest.raises(CatalogError, match="is not a magnitude column"):
        Catalog([1.0], [2.0], magnitudes={"F200W": [21.0]})
    with pytest.raises(CatalogError, match="has 2 values for 1 sources"):
        Catalog([1.0], [2.0], magnitudes={"NRS_CLEAR": [21.0, 22.0]})
    with pytest.raises(CatalogError, match="reference-star mask"):
        Catalog([1.0], [2.0], reference=[True, False])
