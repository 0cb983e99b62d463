"""Coverage reports: contents against evaluate() for both channels, and the three formats."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import numpy as np
import pytest

from previs import __version__
from previs.catalog import Catalog, read_catalog, summarize
from previs.catalog.sources import count_sources
from previs.geometry.operability import default_operability
from previs.geometry.patterns import Mosaic
from previs.geometry.shutters import place_sources
from previs.geometry.siaf import siaf_version
from previs.io.example_field import example_catalog_path
from previs.io.report import build_report, report_html, report_markdown, write_report
from previs.planning.plan import Plan, evaluate

PLAN = Plan.centred(53.1625, -27.7914, 45.0, nircam_apa=300.0, dither="FULL3", mosaic=Mosaic(1, 2))
WHEN = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(example_catalog_path())


@pytest.fixture(scope="module")
def report(catalog):
    return build_report(PLAN, catalog, generated=WHEN)


def test_coverage_matches_evaluate_for_both_channels(report):
    assert set(report["coverage"]) == {"short", "long"}
    for channel in ("short", "long"):
        expected = evaluate(PLAN.replace(channel=channel)).coverage
        got = report["coverage"][channel]
        assert got["channel"] == channel
        assert got["covered"] == pytest.approx(expected.covered, abs=1e-12)
        for q in (1, 2, 3, 4):
            assert got["quadrants"][str(q)] == pytest.approx(expected.quadrants[q], abs=1e-12)
        for k in (1, 2, 3):
            assert got["depth"][str(k)] == pytest.approx(expected.depth[k], abs=1e-12)
        assert got["exposures"] == expected.exposures == 6
        assert got["msa_area_arcmin2"] == pytest.approx(expected.msa_area / 3600.0)
    # the channels see different gaps, so the numbers differ
    assert report["coverage"]["short"]["covered"] != report["coverage"]["long"]["covered"]


def test_metadata_and_plan(report):
    assert report["previs_version"] == __version__
    assert report["siaf_version"] == siaf_version()
    assert dt.datetime.fromisoformat(report["generated"]) == WHEN
    assert Plan.from_dict(report["plan"]) == PLAN
    assert report["exposures"] == 6
    # V3PA = APA - V3IdlYAngle (FACTS: NIRSpec 138.5745697, NIRCam -0.07457694)
    assert report["v3pa"]["nirspec"] == pytest.approx((45.0 - 138.5745697) % 360, abs=1e-6)
    assert report["v3pa"]["nircam"] == pytest.approx(300.0 + 0.07457694, abs=1e-6)
    json.dumps(report)  # JSON-ready


def test_source_counts_per_channel(report, catalog):
    assert report["catalog"]["sources"] == len(catalog) == 320
    assert report["catalog"]["primary"] == int(catalog.primary.sum())
    shutters = place_sources(PLAN.nirspec, catalog.ra, catalog.dec)
    for channel in ("short", "long"):
        counts = count_sources(catalog, evaluate(PLAN.replace(channel=channel)))
        assert report["sources"][channel] == counts.to_dict()
        expected = counts.with_shutters(shutters).shutters_dict()
        assert report["usable_shutters"][channel] == expected
        for kind in ("primary", "filler"):
            c = report["sources"][channel][kind]
            assert c["at_risk"] == c["in_msa"] - c["in_msa_imaged"]


def test_without_catalog_and_with_a_path(catalog):
    plain = build_report(PLAN)
    assert "sources" not in plain and "catalog" not in plain
    from_path = build_report(PLAN, str(example_catalog_path()), generated=WHEN)
    assert from_path["sources"] == build_report(PLAN, catalog, generated=WHEN)["sources"]
    with pytest.raises(ValueError, match="needs a Plan"):
        build_report({"dither": "FULL3"})


def test_markdown_tables(report):
    text = report_markdown(report)
    assert text.startswith("# previs coverage report")
    assert siaf_version() in text and __version__ in text
    for channel in ("short", "long"):
        covered = f"{100 * report['coverage'][channel]['covered']:.1f} %"
        row = next(line for line in text.splitlines() if line.startswith(f"| {channel} ("))
        assert covered in row
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 8
    header = next(line for line in text.splitlines() if line.startswith("| channel | kind"))
    n_columns = header.count("|") - 1
    sources = text.split("## Sources")[1].split("\n## ")[0]
    source_rows = [
        line for line in sources.splitlines() if line.startswith(("| short | ", "| long | "))
    ]
    assert len(source_rows) == 4
    assert all(line.count("|") - 1 == n_columns for line in source_rows)
    primary_short = report["sources"]["short"]["primary"]
    assert source_rows[0].split("|")[-2].strip() == str(primary_short["at_risk"])


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cells, self._in_cell = 0, [], False

    def handle_starttag(self, tag, attrs):
        self.tables += tag == "table"
        self._in_cell = tag in ("td", "th")

    def handle_endtag(self, tag):
        self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells.append(data)


def test_html_tables(report):
    text = report_html(report)
    parser = _Cells()
    parser.feed(text)
    assert parser.tables == report_markdown(report).count("\n## ") == 6
    assert f"{100 * report['coverage']['long']['depth']['2']:.1f} %" in parser.cells
    assert "<script" not in text and "http" not in text
    tricky = dict(report, catalog=dict(report["catalog"], source="<a&b>.radec"))
    assert "&lt;a&amp;b&gt;.radec" in report_html(tricky)


def test_write_report_by_extension(tmp_path, report):
    assert json.loads(write_report(tmp_path / "r.json", report).read_text()) == report
    assert write_report(tmp_path / "r.md", report).read_text() == report_markdown(report)
    assert write_report(tmp_path / "r.HTML", report).read_text() == report_html(report)
    with pytest.raises(ValueError, match=r"\.json, \.md"):
        write_report(tmp_path / "r.txt", report)


def test_unflagged_catalog_counts_everything_primary():
    catalog = Catalog([53.1625, 53.17, 10.0], [-27.7914, -27.79, 10.0])
    report = build_report(PLAN, catalog)
    for channel in ("short", "long"):
        assert report["sources"][channel]["primary"]["total"] == 3
        assert report["sources"][channel]["filler"]["total"] == 0


def test_one_pointing_report_lists_it_and_keeps_its_tables(report):
    assert [p["pointing"] for p in report["pointings"]] == [1]
    entry = report["pointings"][0]
    assert entry["coverage"] == report["coverage"] and entry["sources"] == report["sources"]
    assert (entry["ra"], entry["dec"], entry["apa"]) == (53.1625, -27.7914, 45.0)
    assert "per NIRSpec pointing" not in report_markdown(report)
    assert report["nircam_setup"] == {
        "dither": "FULL3",
        "mosaic": "1x2",
        "source": "model",
        "tiles": 2,
    }


def test_several_pointings_report_each_and_together(catalog):
    from previs.catalog.sources import count_sources_by_pointing
    from previs.geometry.attitude import Pointing
    from previs.geometry.coverage import compute_coverage, compute_union_coverage
    from previs.geometry.footprints import nircam_footprint

    extra = (Pointing(53.1525, -27.7964, 50.0), Pointing(53.1700, -27.7850, 40.0))
    plan = PLAN.replace(extra_nirspec=extra)
    report = build_report(plan, catalog, generated=WHEN)
    pointings = plan.nirspec_pointings
    for channel in ("short", "long"):
        footprint = nircam_footprint(plan.nircam, channel, plan.dither, plan.mosaic)
        together = compute_union_coverage(pointings, footprint)
        assert report["coverage"][channel]["covered"] == together.covered
        assert report["coverage"][channel]["msa_area_arcmin2"] == together.msa_area / 3600.0
        counts, each = count_sources_by_pointing(catalog, plan, footprint)
        assert report["sources"][channel] == counts.to_dict()
        for k, pointing in enumerate(pointings):
            entry = report["pointings"][k]
            assert (
                entry["coverage"][channel]["covered"]
                == compute_coverage(pointing, footprint).covered
            )
            assert entry["sources"][channel] == each[k].to_dict()
    assert [p["apa"] for p in report["pointings"]] == [45.0, 50.0, 40.0]
    text = report_markdown(report)
    assert "| NIRSpec pointing 3 (NRS_FULL_MSA) | 53.170000 |" in text
    assert "## MSA coverage per NIRSpec pointing" in text and "3 pointings together" in text
    rows = [line for line in text.splitlines() if line.startswith("| 2 | ")]
    assert len(rows) == 2 + 4  # two channels of coverage, two channels x two kinds of counts
    assert "union of their MSA areas" in text
    parser = _Cells()
    parser.feed(report_html(report))
    # the single-pointing tables, the usable-MSA and shutter tables, two per-pointing tables
    assert parser.tables == text.count("\n## ") == 8
    assert Plan.from_dict(report["plan"]) == plan


def test_report_of_explicit_exposures():
    from previs.geometry.patterns import Exposures

    exposures = Exposures.from_offsets(
        [[0.0, -60.0], [0.0, 60.0]],
        tiles=[1, 2],
        dithers=[1, 1],
        source="apt",
        description="APT pointing report x.pointing, observation 1: 2 positions",
    )
    plan = PLAN.replace(dither=exposures, mosaic=Mosaic())
    report = build_report(plan, generated=WHEN)
    assert report["nircam_setup"] == {
        "dither": exposures.description,
        "mosaic": None,
        "source": "apt",
        "tiles": 2,
    }
    assert report["exposures"] == 2
    text = report_markdown(report)
    assert "| exposures from | APT pointing report x.pointing" in text
    assert "| tiles | 2 |" in text


def test_usable_coverage_operability_and_msata(tmp_path):
    plan = PLAN.replace(nirspec_apa_range=(40.0, 50.0))
    rng = np.random.default_rng(3)
    n = 300
    catalog = Catalog(
        53.1625 + rng.uniform(-0.03, 0.03, n),
        -27.7914 + rng.uniform(-0.03, 0.03, n),
        rng.choice(["P", "F", "R"], n),
        magnitudes={"NRS_F110W": rng.uniform(19.0, 23.0, n)},
    )
    report = build_report(plan, catalog, generated=WHEN)
    usable = evaluate(plan).usable
    assert report["usable"]["channel"] == plan.channel
    assert report["usable"]["covered"] == pytest.approx(usable.covered, abs=1e-12)
    assert report["usable"]["quadrants"] == {str(q): v for q, v in usable.quadrants.items()}
    assert report["operability"] == default_operability().to_dict()
    assert report["worst_case"]["usable"]["min"] <= report["usable"]["covered"] + 1e-12
    summary = summarize(plan, catalog)
    assert report["msata"] == summary.msata.to_dict()
    assert report["msata_worst_case"] == summary.msata_worst_case.to_dict()
    assert report["sources"]["short"]["reference"]["total"] == int(catalog.reference.sum())
    text = report_markdown(report)
    assert default_operability().name in text and "## MSATA reference stars" in text
    assert "## Usable MSA" in text and "## Targets in usable shutters" in text
    json.dumps(report)
    # Another operability map changes the usable numbers and says so.
    crds = tmp_path / "jwst_nirspec_msaoper_0777.json"
    entries = [{"Q": 1, "x": x, "y": y, "state": "closed"} for x in range(1, 366) for y in (1, 2)]
    crds.write_text(json.dumps({"msaoper": entries}))
    other = build_report(plan, catalog, generated=WHEN, operability=str(crds))
    assert other["operability"]["name"].startswith("msaoper_0777")
    assert other["operability"]["failed_closed"] == 730
    assert other["usable"]["covered"] != report["usable"]["covered"]
    assert "msaoper_0777" in report_html(other)


def _half_masked_image(path, plan):
    """A 1"/px TAN image centred on the NIRSpec pointing, valid only east of its centre."""
    from astropy.io import fits
    from astropy.wcs import WCS

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [plan.nirspec.ra, plan.nirspec.dec]
    wcs.wcs.crpix = [300.5, 300.5]
    wcs.wcs.cdelt = [-1.0 / 3600, 1.0 / 3600]
    data = np.ones((600, 600), dtype=np.float32)
    data[:, 300:] = np.nan  # x grows west: pixels x >= 300 are the western half
    fits.PrimaryHDU(data, wcs.to_header()).writeto(path)
    return path


def test_the_image_taken_is_reported_beside_the_plan(tmp_path):
    import shapely

    from previs.geometry.coverage import msa_geometry

    plan = Plan.centred(dither="FULL3", nirspec_apa_range=(40.0, 50.0))
    image = _half_masked_image(tmp_path / "taken.fits", plan)
    report = build_report(plan, image=image)
    msa = msa_geometry(plan.nirspec)
    east = shapely.box(-0.5, -400.0, 400.0, 400.0)  # plane x grows east; pixel 299.5 edge
    expected = msa.union.intersection(east).area / msa.union.area
    assert report["image"]["covered"] == pytest.approx(expected, abs=0.005)
    assert 0.0 < report["image"]["usable"]["covered"] < 1.0
    assert report["image"]["worst_case"]["min"] <= report["image"]["covered"] + 1e-9
    text = report_markdown(report)
    assert "Planned pre-imaging and the image taken" in text and "taken.fits" in text
    assert "| usable MSA |" in text and "| worst case |" in text
    assert "<td>image</td>" not in report_html(report) and "<th>image</th>" in report_html(report)


def test_report_cli_takes_the_image(tmp_path, capsys):
    from previs.cli import main
    from previs.io.configs import save_config
    from previs.io.session import Config

    plan = Plan.centred(dither="FULL3")
    config = save_config(Config(plan=plan), tmp_path / "plan.json")
    image = _half_masked_image(tmp_path / "taken.fits", plan)
    out = tmp_path / "report.json"
    assert main(["report", "--config", str(config), "--image", str(image), "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert 0.3 < data["image"]["covered"] < 0.7 and data["image"]["footprint"]
