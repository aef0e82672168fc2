"""The report: one self-contained document (HTML or Markdown) with the figures embedded, the
tables, the SPARQL text behind each, provenance and date; nothing in it reaches the network."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from impactkg import KnowledgeGraph
from impactkg.data import SOURCE_IRI
from impactkg.graph.export.report import DEFAULT_QUERIES, ReportError, build_report, write_report
from impactkg.queries import get

BIN = Path(sys.executable).with_name("impactkg")
WHEN = dt.datetime(2025, 3, 14, 9, 26, 53, tzinfo=dt.timezone(dt.timedelta(hours=9)))


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


@pytest.fixture(scope="module")
def report_html(kg) -> str:
    return build_report(kg, date=WHEN)


def test_html_report_is_self_contained(report_html):
    parser = Tags()
    parser.feed(report_html)
    names = [t for t, _ in parser.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for _, attrs in parser.tags:
        for key in ("src", "href"):
            if key in attrs:
                assert attrs[key].startswith("data:"), attrs[key][:80]
    assert "url(" not in report_html.split("</style>")[0]  # no remote font or image in the CSS


def test_html_report_embeds_the_four_figures_as_svg(report_html):
    parser = Tags()
    parser.feed(report_html)
    images = [a["src"] for t, a in parser.tags if t == "img"]
    assert len(images) == 4
    for src in images:
        head, _, data = src.partition(",")
        assert head == "data:image/svg+xml;base64"
        root = ET.fromstring(base64.b64decode(data))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_html_report_has_tables_with_their_sparql_provenance_and_date(kg, report_html):
    text = html.unescape(report_html)
    for name in DEFAULT_QUERIES:
        q = get(name)
        assert q.text.strip() in text
        assert q.title_ja in text
    goals = len(kg.query("indicators-per-goal"))
    assert f"{goals} rows" in text
    assert "すべての人に健康と福祉を" in text
    assert SOURCE_IRI.replace("https://w3id.org/impactkg/id/", "ikd:") in text
    assert "ikd:source/sdg.csv" in text
    assert "2025-03-14T09:26:53+09:00" in text
    assert "<https://w3id.org/impactkg/graph/consortium/catalogue>" in text


def test_markdown_report_embeds_png_and_fences_the_sparql(kg):
    md = build_report(kg, fmt="md", queries=["indicators-for-target"], params={"target": "11.b"},
                      figures=["goals", "heatmap"], date=WHEN)
    images = [line for line in md.splitlines() if line.startswith("![")]
    assert len(images) == 2
    for line in images:
        data = line.split("(data:image/png;base64,", 1)[1].rstrip(")")
        assert Image.open(io.BytesIO(base64.b64decode(data))).format == "PNG"
    assert md.count("```sparql") == 2 + 3 + 1  # figures' queries, provenance (status, sources, graphs), the table
    assert "parameters: `target=11.b`" in md and "17 rows" in md
    header = next(line for line in md.splitlines() if line.startswith("| id | indicator"))
    assert header.count("|") == len(kg.query("indicators-for-target", target="11.b").variables) + 1
    assert "| 1 | 地震後施設復旧時間 | 分 |" in md


def test_a_figure_without_data_becomes_a_note(tmp_path):
    cat = tmp_path / "mine.csv"
    cat.write_text("id,indicator,unit,sdg_target\nm1,女性管理職比率,%,5.5\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.build(cat)
    graph.drop("https://w3id.org/impactkg/graph/consortium/system_connections")
    text = build_report(graph, queries=["indicators-per-goal"], figures=["system", "goals"])
    assert "no causal links to draw" in text
    assert text.count("<img ") == 1


def test_unknown_figure_or_format_is_an_error(kg, tmp_path):
    with pytest.raises(ReportError, match="unknown figure 'pie'"):
        build_report(kg, figures=["pie"])
    with pytest.raises(ReportError, match="--param year: none of the report's queries has"):
        build_report(kg, queries=["indicators-per-goal"], params={"year": "2024"}, figures=[])
    with pytest.raises(ReportError, match="unknown report format 'pdf'"):
        write_report(kg, tmp_path / "r.pdf", figures=[])


def test_cli_report(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))
    out = tmp_path / "report.html"
    proc = subprocess.run([str(BIN), "report", "--query", "indicators-for-target", "finance-by-provider",
                           "--param", "target=11.b", "--figure", "goals", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert get("finance-by-provider").text.strip() in text and "地震後施設復旧時間" in text
    proc = subprocess.run([str(BIN), "report", "-o", str(tmp_path / "r.docx")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "impactkg: error: write the report as .html or .md, not 'docx'"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Debian chromium is not installed")
def test_chromium_prints_the_report_to_pdf_offline(kg, tmp_path):
    page = write_report(kg, tmp_path / "report.html", date=WHEN)
    pdf = tmp_path / "report.pdf"
    proc = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         f"--print-to-pdf={pdf}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert pdf.exists(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") + data.count(b"/Type/Page") > 3
