"""Hand-off files: what previs writes, previs and astropy read back unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.table import Table

from previs.catalog.readers import read_catalog
from previs.catalog.sources import count_sources
from previs.errors import PrevisError
from previs.geometry.patterns import DITHER_NAMES, Mosaic
from previs.io.handoff import (
    MISSING_MAGNITUDE,
    SpecialRequirements,
    apt_nircam_parameters,
    apt_parameters_text,
    dither_from_apt,
    mpt_catalog,
    parse_special_requirements,
    read_mpt_catalog,
    read_mpt_sources,
    special_requirements,
    write_mpt_catalog,
)
from previs.planning.plan import Plan, evaluate
from previs.planning.schedule import plan_schedule

RA, DEC = 53.1625, -27.7914


def source_table(n=60, seed=0) -> Table:
    rng = np.random.default_rng(seed)
    table = Table()
    table["id"] = rng.permutation(np.arange(1000, 1000 + n))
    table["ra"] = RA + rng.uniform(-0.03, 0.03, n)
    table["dec"] = DEC + rng.uniform(-0.03, 0.03, n)
    table["flag"] = np.where(rng.random(n) < 0.3, "F", "P")
    table["Reference"] = np.where(rng.random(n) < 0.2, "Y", "N")
    f110 = rng.uniform(18, 25, n)
    table["nrs_f110w"] = np.where(rng.random(n) < 0.1, np.nan, f110)
    table["NRS_CLEAR"] = f110 - 0.7
    table["Weight"] = rng.integers(1, 100, n)
    return table


@pytest.fixture
def catalog_file(tmp_path):
    path = tmp_path / "targets.ecsv"
    source_table().write(path, format="ascii.ecsv")
    return path


def test_mpt_catalog_round_trip(tmp_path, catalog_file):
    catalog = read_catalog(catalog_file)
    table = Table.read(catalog_file)
    result = evaluate(Plan.centred(RA, DEC, 45.0, dither="FULL3"))
    counts = count_sources(catalog, result)
    mpt = mpt_catalog(catalog, counts, table=table, extra_columns=["Weight"])
    assert mpt.colnames[:4] == ["ID", "RA", "DEC", "Reference"]
    assert "NRS_F110W" in mpt.colnames and "NRS_CLEAR" in mpt.colnames
    assert "NRS_F140X" not in mpt.colnames  # carried only when present
    assert np.array_equal(mpt["ID"], table["id"])
    assert np.array_equal(mpt["Reference"], table["Reference"] == "Y")
    assert np.array_equal(mpt["previs_imaged"], counts.imaged.astype(int))
    assert np.array_equal(mpt["previs_at_risk"], counts.at_risk.astype(int))
    assert np.array_equal(mpt["previs_quadrant"], counts.quadrant)
    assert (mpt["previs_usable_shutter"] == -1).all()
    assert mpt["NRS_F110W"].mask.sum() == np.isnan(table["nrs_f110w"]).sum() > 0

    path = tmp_path / "targets_mpt.cat"
    write_mpt_catalog(mpt, path)
    first = path.read_text().splitlines()[0]
    assert first.startswith("# ID RA DEC Reference")
    back = read_mpt_catalog(path)
    assert back.colnames == mpt.colnames
    for name in mpt.colnames:
        if name.startswith("NRS_"):
            assert np.array_equal(back[name].mask, mpt[name].mask)
            assert np.array_equal(back[name].filled(0), mpt[name].filled(0))
        else:
            assert np.array_equal(np.asarray(back[name]), np.asarray(mpt[name])), name
    # astropy alone reads the same numbers (missing magnitudes as the sentinel).
    plain = Table.read(path, format="ascii.commented_header")
    assert np.array_equal(plain["RA"], mpt["RA"]) and np.array_equal(plain["DEC"], mpt["DEC"])
    assert (plain["NRS_F110W"][mpt["NRS_F110W"].mask] == MISSING_MAGNITUDE).all()
    assert list(plain["Reference"]) == ["True" if r else "False" for r in mpt["Reference"]]
    # previs reads it back as the same catalog.
    sources = read_mpt_sources(path)
    assert np.array_equal(sources.ra, catalog.ra) and np.array_equal(sources.dec, catalog.dec)
    assert np.array_equal(sources.flag, catalog.flag)


def test_mpt_catalog_without_table_or_counts():
    from previs.catalog.readers import Catalog

    catalog = Catalog([RA, RA + 0.01], [DEC, DEC], ["P", "F"])
    mpt = mpt_catalog(catalog, reference=[False, True], usable_shutter=[True, False])
    assert mpt["ID"].tolist() == [1, 2]
    assert mpt["Reference"].tolist() == [False, True]
    assert mpt["previs_primary"].tolist() == [1, 0]
    assert mpt["previs_imaged"].tolist() == [-1, -1]
    assert mpt["previs_usable_shutter"].tolist() == [1, 0]
    with pytest.raises(PrevisError, match="2 sources"):
        mpt_catalog(catalog, reference=[True])


def test_unusable_ids_are_renumbered_with_a_note(catalog_file):
    catalog = read_catalog(catalog_file)
    table = Table.read(catalog_file)
    table["id"] = 0
    mpt = mpt_catalog(catalog, table=table)
    assert mpt["ID"].tolist() == list(range(1, len(catalog) + 1))
    assert "numbered 1 to N" in mpt.meta["notes"][0]
    table.replace_column("Reference", ["maybe"] * len(table))
    with pytest.raises(PrevisError, match="'maybe' is not True/False"):
        mpt_catalog(catalog, table=table)
    with pytest.raises(PrevisError, match="rows but the catalog"):
        mpt_catalog(catalog, table=table[:3])


def test_special_requirements_round_trip():
    chosen = special_requirements(
        nircam_apa_range=(265.0, 271.5),
        nirspec_apa_range=(355.0, 8.0),
        separation_days=60,
        nircam_observation=3,
        nirspec_observation="7",
    )
    text = chosen.to_text()
    assert "APERTURE PA RANGE 265.00 TO 271.50 DEGREES" in text
    assert "AFTER OBSERVATION 3 BY 60 DAYS" in text
    assert "V3PA 216.43 TO 229.43, NRS_FULL_MSA" in text  # APA - 138.5746
    assert chosen.notes == []
    assert parse_special_requirements(text) == chosen
    assert (
        SpecialRequirements(
            **{k: v for k, v in chosen.to_dict().items() if k not in ("requirements", "notes")}
            | {"nircam_apa_range": (265.0, 271.5), "nirspec_apa_range": (355.0, 8.0)}
        )
        == chosen
    )


def test_special_requirements_rules():
    with pytest.raises(PrevisError, match="absolute minimum of 42 days"):
        special_requirements(separation_days=41)
    short = special_requirements(separation_days=45)
    assert "below the recommended 60" in short.notes[0] and "17 days" in short.notes[0]
    assert "# note:" in short.to_text()
    anywhere = special_requirements(nirspec_apa_range=(10.0, 370.0))
    assert anywhere.nirspec_apa_range is None
    assert "APERTURE" not in "".join(anywhere.requirements()["nirspec"])
    with pytest.raises(PrevisError, match="observation"):
        special_requirements(nircam_observation="obs 1")
    with pytest.raises(PrevisError, match="AFTER"):
        parse_special_requirements("nothing here")


def test_special_requirements_from_a_schedule():
    schedule = plan_schedule(RA, DEC, "2026-08-10", "2026-10-20")
    req = special_requirements(schedule=schedule)
    assert req.separation_days == schedule.check.separation_days == 71
    assert schedule.nirspec_apa is not None and schedule.nircam_apa is not None
    assert req.nircam_apa_range == pytest.approx(schedule.nircam_apa)
    assert req.nirspec_apa_range == pytest.approx(schedule.nirspec_apa)
    assert special_requirements(schedule=schedule, separation_days=60).separation_days == 60


@pytest.mark.parametrize("dither", DITHER_NAMES)
def test_apt_parameters_round_trip(dither):
    mosaic = Mosaic(2, 3, 12.5, 7.0)
    parameters = apt_nircam_parameters(dither, mosaic)
    assert dither_from_apt(parameters) == (dither, mosaic)
    assert dither_from_apt(parameters["form"]) == (dither, mosaic)
    form, xml = parameters["form"], parameters["xml"]
    assert form["Mosaic"]["Rows"] == xml["MosaicParameters"]["Rows"] == 2
    assert xml["MosaicParameters"]["ColumnOverlapPercent"] == 7.0
    assert form["Primary Dither Type"] == xml["nci:PrimaryDitherType"]
    text = apt_parameters_text(parameters)
    assert "Row Overlap %: 12.5" in text and "Columns: 3" in text


def test_apt_names_of_the_documented_patterns():
    assert apt_nircam_parameters("FULL3TIGHT")["form"]["Primary Dithers"] == "3TIGHT"
    assert apt_nircam_parameters("8NIRSPEC")["form"]["Primary Dither Type"] == "FULLBOX"
    assert apt_nircam_parameters("FULL6")["xml"]["nci:PrimaryDithers"] == "6"
    name, _ = dither_from_apt({"Primary Dither Type": "INTRAMODULE", "Primary Dithers": "3"})
    assert name == "INTRAMODULE3"
    with pytest.raises(PrevisError, match="INTRAMODULEX 9"):
        dither_from_apt({"Primary Dither Type": "INTRAMODULEX", "Primary Dithers": "9"})


def test_mpt_catalog_takes_magnitudes_and_reference_stars_from_the_catalog(tmp_path):
    from previs.catalog.readers import Catalog

    catalog = Catalog(
        [RA, RA + 0.01, RA + 0.02],
        [DEC, DEC, DEC],
        ["P", "R", "F"],
        magnitudes={"NRS_F140X": [21.0, np.nan, 23.5]},
    )
    mpt = mpt_catalog(catalog, usable_shutter=[True, True, False])
    assert mpt["Reference"].tolist() == [False, True, False]
    assert mpt["NRS_F140X"].mask.tolist() == [False, True, False]
    assert "NRS_F110W" not in mpt.colnames
    path = tmp_path / "x_mpt.cat"
    write_mpt_catalog(mpt, path)
    back = read_mpt_sources(path)
    assert back.reference.tolist() == [False, True, False]
    np.testing.assert_array_equal(back.magnitudes["NRS_F140X"], [21.0, np.nan, 23.5])
