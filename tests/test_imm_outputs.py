"""What the example company's IMM becomes: the value map's data, the progress chart (Japanese drawn
in IPAexGothic) in the figures and the HTML report, the CIDS export (Basic tier shapes), and the
catalogue workbook's round trip."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from impactkg import KnowledgeGraph
from impactkg.cli import main
from impactkg.data import dataset_dir
from impactkg.errors import ImpactKGError
from impactkg.graph.export import cids, figures
from impactkg.graph.export.report import build_report
from impactkg.graph.export.workbook import write_workbook
from impactkg.graph.maps import build_map
from impactkg.graph.sparql.terms import to_rdflib
from impactkg.ontology import record_iri

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "notebooks" / "examples" / "imm-example"
CIDS_REF = ROOT.parent / "shared" / "reference" / "cids"
ORG = record_iri("org", "example-co")
C = rdflib.Namespace("https://ontology.commonapproach.org/cids#")
I72 = rdflib.Namespace("http://ontology.eil.utoronto.ca/ISO21972/iso21972#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
IND = "https://w3id.org/impactkg/id/indicator/imm-example-"


@pytest.fixture(scope="module")
def imm() -> KnowledgeGraph:
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(EXAMPLE / "imm-example.xlsx", namespace="imm-example")
    return kg


# ---------------------------------------------------------------------- the value map
def test_value_map_draws_impact_business_financial_left_to_right(imm):
    data = build_map(imm, "value")
    level = {n["label"]["ja"]: (n["cls"], n["level"]) for n in data.nodes}
    assert level["製品使用時のCO2削減貢献量"] == ("impact-kpi", 0)
    assert level["事業のCO2排出量（スコープ1・2）"] == ("esg-kpi", 0)
    assert level["省エネ製品の販売台数"] == ("business-kpi", 1)
    assert level["ROIC（投下資本利益率）"] == ("financial-kpi", 2)
    assert len(data.nodes) == 7
    edges = {(e["from"][len(IND):], e["to"][len(IND):]): (e["rel"], e["text"]["ja"]) for e in data.edges}
    assert edges == {
        ("1", "2"): ("hypothesis-qualitative", "+ 12か月"),
        ("2", "5"): ("hypothesis-correlational", "+ 12か月"),
        ("1", "3"): ("hypothesis-assumed", "+ 12か月"),
        ("3", "6"): ("hypothesis-assumed", "+ 6か月"),
        ("4", "5"): ("hypothesis-refuted", "− 24か月"),
    }
    assert list(data.relations) == ["hypothesis-correlational", "hypothesis-qualitative", "hypothesis-assumed",
                                    "hypothesis-refuted"]
    roic = next(n for n in data.nodes if n["id"] == IND + "5")
    assert "進捗: 達成 113%" in roic["info"]["ja"] and "Progress: achieved 113%" in roic["info"]["en"]
    assert list(data.domains) == [ORG]  # one organisation: the domain filter picks its IMM


def test_value_map_needs_an_imm(kg, tmp_path):
    with pytest.raises(ImpactKGError, match="no KPI pool or value hypotheses in the graph"):
        build_map(kg, "value")
    store = tmp_path / "store"
    assert main(["load", "--store", str(store), str(EXAMPLE / "imm-example.xlsx"), "--namespace", "imm-example"]) == 0
    assert main(["map", "value", "--store", str(store), "-o", str(tmp_path / "value.html")]) == 0
    assert "価値関連図" in (tmp_path / "value.html").read_text(encoding="utf-8")


def test_value_figure_draws_each_hypothesis_by_its_evidence(imm, kg):
    from matplotlib.patches import FancyArrowPatch

    fig = figures.make_figure(imm, "value", width=12, height=6)
    arrows = sorted((a.get_linewidth(), a.get_edgecolor()[:3]) for a in fig.findobj(FancyArrowPatch))
    assert [w for w, _ in arrows] == [0.8, 1.0, 1.0, 1.6, 2.2]  # refuted, 2 assumed, qualitative, correlational
    shown = " ".join(t.replace("\n", "") for t in _texts(fig))
    assert "+ 12か月 | + 12 mo" in shown and "− 24か月 | − 24 mo" in shown
    assert "ROIC（投下資本利益率）" in shown and "財務KPI" in shown
    with pytest.raises(figures.FigureError, match="no KPI pool or value hypotheses"):
        figures.make_figure(kg, "value")


# ---------------------------------------------------------------------- the progress chart
def _glyph_ids(chars: str) -> set[str]:
    """The ids matplotlib gives IPAexGothic's glyphs of ``chars`` in an SVG (glyph index in hex)."""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(figures.cjk_font()))
    ids = set()
    for ch in chars:
        index = font.get_char_index(ord(ch))
        assert index, ch  # the font has the character
        ids.add(f"IPAexGothic-{index:x}")
    return ids


def _texts(fig) -> list[str]:
    import matplotlib.text

    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_progress_figure_has_a_row_per_series_with_its_status(imm):
    fig = figures.make_figure(imm, "progress", width=11, height=10)
    shown = "\n".join(_texts(fig))
    for label in ("製品使用時のCO2削減貢献量", "ROIC（投下資本利益率）", "設備稼働率"):
        assert label in shown.replace("\n", "")
    assert shown.count("遅れ | off track") == 2 and shown.count("達成 | achieved") == 2
    assert "順調 | on track\n48%" in shown and "達成 | achieved\n113%" in shown
    assert shown.count("データなし | no data") == 2  # the card of Health Japan 21, and no baseline
    legend = fig.axes[-1].get_legend()
    assert [t.get_text().replace("\n", "") for t in legend.get_texts()] == [
        "製品使用時のCO2削減貢献量", "省エネ製品の販売台数", "事業のCO2排出量（スコープ1・2）", "ROIC（投下資本利益率）",
        "設備稼働率"]


def test_the_report_shows_the_progress_chart_with_japanese_drawn(imm):
    page = build_report(imm, queries=["progress"], figures=["progress"], fmt="html")
    (src,) = re.findall(r'<img alt="目標に向けた進捗 \| Progress to target" src="data:image/svg\+xml;base64,([^"]+)"', page)
    svg = base64.b64decode(src).decode("utf-8")
    drawn = set(re.findall(r'<path id="([^"]+)"', svg))
    assert _glyph_ids("目標に向けた進捗製品使用時削減貢献量達成遅順調") <= drawn
    assert "<text" not in svg  # every letter is a path: nothing depends on the reader's fonts
    text = html.unescape(page)
    assert "目標に向けた進捗 | Progress to target" in text and "ikg:periodEnd" in text  # its SPARQL beside it


# ---------------------------------------------------------------------- CIDS
@pytest.fixture(scope="module")
def imm_only() -> KnowledgeGraph:
    """The ontology, the concept schemes and the SDG reference, and the example: the example's
    own CIDS export."""
    kg = KnowledgeGraph.memory()
    kg.load_ontology()
    kg.load(dataset_dir() / "concepts.csv", dataset_dir() / "sdg.csv", namespace="consortium", force=True)  # the reserved graphs of the embedded dataset
    kg.load(EXAMPLE / "imm-example.xlsx", namespace="imm-example")
    return kg


def test_the_cids_export_of_the_example_passes_the_basic_tier(imm_only):
    shapes = CIDS_REF / "cids.basictier.shacl.ttl"
    if not shapes.exists():
        pytest.skip(f"the CIDS reference is not at {shapes}")
    export = cids.to_cids(imm_only, organization=ORG)
    ok, text = cids.validate(export, shapes)
    assert ok, text
    g = export.graph
    assert export.counts["cids:IndicatorReport"] == 14 and export.counts["cids:Target"] == 5
    co2 = rdflib.URIRef(IND + "1")
    baseline = g.value(co2, C.hasBaseline)
    assert str(g.value(baseline, I72.hasNumericalValue)) == "10000"
    (target,) = g.objects(co2, C.hasTarget)
    assert str(g.value(g.value(target, I72.value), I72.hasNumericalValue)) == "30000"
    assert str(g.value(target, PROV.startedAtTime)) == "2030-04-01T00:00:00"
    reports = sorted(g.objects(co2, C.hasIndicatorReport), key=lambda r: str(g.value(r, PROV.startedAtTime)))
    assert [str(g.value(g.value(r, I72.value), I72.hasNumericalValue)) for r in reports] == [
        "10000", "11500", "12800", "14200"]
    latest = reports[-1]
    assert str(g.value(latest, PROV.startedAtTime)) == "2024-04-01T00:00:00"
    assert str(g.value(latest, PROV.endedAtTime)) == "2025-03-31T23:59:59"
    assert g.value(latest, C.forOrganization) == rdflib.URIRef(ORG) and g.value(latest, C.forTarget) == target
    assert "出典: https://example.com/ir/2025.pdf" in str(g.value(latest, C.hasComment))
    roic = rdflib.URIRef(IND + "5")
    assert str(g.value(g.value(roic, C.hasBaseline), I72.hasNumericalValue)) == "6.5"


# ---------------------------------------------------------------------- the catalogue workbook
def _union(kg, prefix: str) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in kg.quads():
        if q.graph_name.value.startswith(prefix):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def test_the_example_comes_back_from_its_catalogue_workbook(imm, tmp_path):
    book = write_workbook(imm, tmp_path / "book.xlsx", namespace="imm-example")
    assert (book.rows["kpi_pool"], book.rows["value_hypotheses"], book.rows["values"]) == (10, 5, 19)
    assert not book.uncovered
    fresh = KnowledgeGraph.memory()
    fresh.build()
    fresh.load(tmp_path / "book.xlsx")
    prefix = "https://w3id.org/impactkg/graph/imm-example/"
    assert isomorphic(_union(fresh, prefix), _union(imm, prefix))
    assert fresh.query("progress").dicts() == imm.query("progress").dicts()
