"""The store: persistence, statistics, validation, RDF export round trips."""

from __future__ import annotations

import io

import pytest
import rdflib
from rdflib.compare import isomorphic

from impactkg import ExportError, KnowledgeGraph, StoreError


def test_persisted_store_reopens_without_parsing(tmp_path):
    with KnowledgeGraph.open(tmp_path / "store") as kg:
        kg.build()
        quads = kg.canonical_nquads()
    reopened = KnowledgeGraph.open(tmp_path / "store", create=False)
    assert reopened.canonical_nquads() == quads
    assert len(reopened.query("indicators-for-target", target="11.b")) == 17
    assert (tmp_path / "store" / "impactkg.json").exists()
    reopened.close()


def test_open_refuses_a_missing_store_or_a_file(tmp_path):
    with pytest.raises(StoreError, match="no graph at"):
        KnowledgeGraph.open(tmp_path / "nothing", create=False)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="must be a folder"):
        KnowledgeGraph.open(tmp_path / "afile")


def test_statistics_count_named_graphs_and_classes(kg):
    stats = kg.stats()
    assert stats.quads == len(kg)
    assert stats.classes["https://w3id.org/impactkg/ontology#Indicator"] == 36  # with the 4 Health Japan 21 sub-indicators
    assert stats.classes["http://metadata.un.org/sdg/ontology#Target"] == 169
    assert stats.classes["https://w3id.org/impactkg/ontology#CaseMapEntry"] == 64  # every number in every cell of lines 1083-1089
    assert "https://w3id.org/impactkg/graph/consortium/catalogue" in stats.graphs
    assert "indicators" not in stats.text() and "named graphs: " in stats.text()


def test_shacl_report_on_the_embedded_graph(kg):
    report = kg.validate()
    assert report.conforms
    assert {v.focus.rsplit("/", 1)[-1] for v in report.warnings} == {
        "consortium-174", "consortium-175", "consortium-176", "consortium-355", "consortium-hj21-1-4"}
    assert "the indicator has no unit" in report.text()


def test_shacl_reports_a_broken_record_with_its_iri(fresh_kg, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ikg: <https://w3id.org/impactkg/ontology#> .\n"
        "<https://example.org/v1> a ikg:IndicatorValue ; ikg:year \"2024\" .\n",
        encoding="utf-8",
    )
    fresh_kg.load(bad)
    report = fresh_kg.validate()
    assert not report.conforms
    focus = {v.focus for v in report.errors}
    assert focus == {"https://example.org/v1"}
    messages = {v.message for v in report.errors}
    assert "a value is exactly one of baseline, current or target" in messages
    assert "every record cites the line of its source (ikg:sourceLine, an integer >= 1)" in messages


@pytest.mark.parametrize(
    "fmt,rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")]
)
def test_triple_exports_reimport_isomorphic(kg, tmp_path, fmt, rdflib_format):
    path = tmp_path / f"graph.{fmt}"
    said = kg.export(path, fmt)
    assert said == (f"wrote the graph (the union of the named graphs, each triple once) as {fmt} to {path}: "
                    f"{path.stat().st_size:,} bytes")
    back = rdflib.Graph().parse(path, format=rdflib_format)
    union = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").to_graph()
    assert isomorphic(back, union)


@pytest.mark.parametrize("fmt,rdflib_format", [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_quad_exports_keep_named_graphs(kg, tmp_path, fmt, rdflib_format):
    path = tmp_path / f"graph.{fmt}"
    said = kg.export(path, fmt, graphs=True)
    assert said == f"wrote the graph (named graphs kept) as {fmt} to {path}: {path.stat().st_size:,} bytes"
    back = rdflib.Dataset()
    back.parse(path, format=rdflib_format)
    names = {str(g.identifier) for g in back.graphs() if len(g)}
    assert set(kg.graphs()) <= names
    catalogue = back.graph(rdflib.URIRef("https://w3id.org/impactkg/graph/consortium/catalogue"))
    ours = kg.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/impactkg/graph/consortium/catalogue> { ?s ?p ?o } }"
    ).to_graph()
    assert isomorphic(catalogue, ours)


def test_export_refuses_an_unknown_format(kg, tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'docx'"):
        kg.export(tmp_path / "x.docx", "docx")
    with pytest.raises(StoreError, match="ttl has no named graphs: use nq, trig or jsonld"):
        kg.export(tmp_path / "x.ttl", "ttl", graphs=True)


def test_rdflib_view_through_oxrdflib(kg):
    ds = kg.rdflib
    label = ds.value(rdflib.URIRef("http://metadata.un.org/sdg/11"), rdflib.SKOS.prefLabel)
    assert label is not None
    assert kg.backend == "oxigraph"


def test_drop_removes_a_named_graph(fresh_kg):
    g = "https://w3id.org/impactkg/graph/consortium/case_map"
    fresh_kg.drop(g)
    assert g not in fresh_kg.graphs()
    assert len(fresh_kg.query("case-map")) == 0
    with pytest.raises(StoreError, match="no named graph"):
        fresh_kg.drop(g)


def test_export_to_a_stream(kg):
    buf = io.BytesIO()
    kg.export(buf, "nt")
    assert b"<http://metadata.un.org/sdg/11.b>" in buf.getvalue()
