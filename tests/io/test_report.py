"""Coverage reports: contents against evaluate() for both channels, and the three formats."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest

from previs import __version__
from previs.catalog import Catalog, read_catalog
from previs.catalog.sources import count_sources
from previs.geometry.patterns import Mosaic
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
    for channel in ("short", "long"):
        expected = count_sources(catalog, evaluate(PLAN.replace(channel=channel))).to_dict()
        assert report["sources"][channel] == expected
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
    source_rows = [
        line for line in text.splitlines() if line.startswith(("| short | ", "| long | "))
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
    assert parser.tables == 4
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
