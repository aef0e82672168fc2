"""Indicator values files (kind ``values``): every bad cell reported at its row and column, never
dropped; decimals kept exactly; two rows for the same indicator, kind, organisation and year
refused (never merged), two rows that differ in organisation or year kept as two values."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import embedded_graph

from impactkg import KnowledgeGraph, LoadError

HEADER = ["indicator", "kind", "value", "unit", "year"]
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return embedded_graph()


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_each_bad_cell_of_a_values_file_is_located_and_nothing_is_loaded(graph, tmp_path):
    before = graph.canonical_nquads()
    rows = [
        ["consortium:1", "baseline", "45", "分", "2024年"],    # a year with its counter word
        ["consortium:1", "current", "12,5x", "分", "2024"],    # not a number
        ["consortium:1", "forecast", "1", "分", "2024"],       # no such kind
        ["consortium:1", "target", "1", "分", "20.5"],         # not a whole year
        ["consortium:99", "target", "1", "分", "2030"],        # no such indicator
    ]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "bad-values.csv", rows), kind="values")
    assert [str(p) for p in exc.value.problems] == [
        "bad-values.csv:2:year: expected a year of four digits such as 2024, got '2024年'",
        "bad-values.csv:3:value: expected a number such as 1200, 1,200 or 12.5, got '12,5x'",
        "bad-values.csv:4:kind: unknown value-kind 'forecast' (known: ベースライン値 (Baseline value), "
        "現状値 (Current value), 目標値 (Target value))",
        "bad-values.csv:5:year: expected a year of four digits such as 2024, got '20.5'",
        "bad-values.csv:6:indicator: no indicator 'consortium-99' in this load or in the graph",
    ]
    assert graph.canonical_nquads() == before


def test_values_keep_their_digits_and_two_rows_stay_two_values(graph, tmp_path):
    header = HEADER + ["organization"]
    before = graph.canonical_nquads()
    same = [["consortium:1", "current", "1E3", "分", "２０２４", ""],
            ["consortium:1", "current", "0.125", "分", "2024", ""],  # the same indicator, kind and year
            ["consortium:1", "current", "1000", "分", "2024", ""]]   # ... even with the same number
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "good-values.csv", same, header), kind="values", namespace="vals")
    assert [str(p) for p in exc.value.problems] == [
        "good-values.csv:3:kind: a second value of the same indicator, kind, organisation, project and period end "
        "(also on row 2)",
        "good-values.csv:4:kind: a second value of the same indicator, kind, organisation, project and period end "
        "(also on row 2)"]
    assert graph.canonical_nquads() == before
    rows = [
        ["consortium:1", "current", "1E3", "分", "２０２４", ""],
        ["consortium:1", "current", "0.125", "分", "2024", "インパクトコンソーシアム"],  # another organisation
        ["consortium:1", "target", "12345678901234567890.5", "分", "2030", ""],
        ["consortium:1", "baseline", "1,200", "分", "2023", ""],
        ["consortium:1", "current", "7", "分", "2025", ""],  # another year
    ]
    graph.load(write(tmp_path / "good-values.csv", rows, header), kind="values", namespace="vals")
    query = ("SELECT ?kind ?value ?year ?org WHERE { GRAPH <https://w3id.org/impactkg/graph/vals/good-values> { "
             "?v a ikg:IndicatorValue ; ikg:valueKind ?k ; rdf:value ?value ; ikg:year ?year "
             "OPTIONAL { ?v ikg:forOrganization ?org } } "
             "BIND(STRAFTER(STR(?k), 'value-kind/') AS ?kind) } ORDER BY ?year ?value")
    got = graph.sparql(query).terms
    dec = lambda v: ox.Literal(v, datatype=ox.NamedNode(XSD + "decimal"))  # noqa: E731
    year = lambda v: ox.Literal(v, datatype=ox.NamedNode(XSD + "integer"))  # noqa: E731
    consortium = ox.NamedNode("https://w3id.org/impactkg/id/org/impact-consortium")
    assert got == [
        (ox.Literal("baseline"), dec("1200"), year("2023"), None),
        (ox.Literal("current"), dec("0.125"), year("2024"), consortium),
        (ox.Literal("current"), dec("1000"), year("2024"), None),
        (ox.Literal("current"), dec("7"), year("2025"), None),
        (ox.Literal("target"), dec("12345678901234567890.5"), year("2030"), None),
    ]
    nodes_query = ("SELECT ?v WHERE { GRAPH <https://w3id.org/impactkg/graph/vals/good-values> { "
                   "?v a ikg:IndicatorValue } } ORDER BY ?v")
    nodes = [t[0].value.rsplit("/", 1)[-1] for t in graph.sparql(nodes_query).terms]
    # stable record IRIs: indicator, kind and a hash of the graph, organisation, project and period end
    assert nodes == ["consortium-1-baseline-50d05fd316ef", "consortium-1-current-200b93b2b6d7",
                     "consortium-1-current-289c3705026b", "consortium-1-current-d3d7addca06b",
                     "consortium-1-target-ed5bc000ef40"]
    graph.load(write(tmp_path / "good-values.csv", rows, header), kind="values", namespace="vals")
    assert [t[0].value.rsplit("/", 1)[-1] for t in graph.sparql(nodes_query).terms] == nodes  # loaded again
    graph.load(write(tmp_path / "no-year.csv", [["consortium:1", "target", "5", "分", ""]]), kind="values", namespace="vals")
    assert graph.sparql("ASK { <https://w3id.org/impactkg/id/value/consortium-1-target-7719337a7666> a ikg:IndicatorValue }").boolean
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "no-kind.csv", [["consortium:1", "5"]], ["indicator", "value"]), kind="values")
    assert [str(p) for p in exc.value.problems] == ["no-kind.csv:1:kind: missing required column 'kind'"]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "no-indicator.csv", [["target", "5"]], ["kind", "value"]), kind="values")
    assert [str(p) for p in exc.value.problems] == ["no-indicator.csv:1:indicator: missing required column 'indicator'"]
    shown = graph.query("indicator-values", indicator="1").dicts(exact=True)
    assert sorted(str(r["value"]) for r in shown if r["value"] is not None) == ["0.125", "1000", "1200",
                                                                                "12345678901234567890.5", "5", "7"]


def test_unit_population_and_source_of_a_value(graph, tmp_path):
    """A value's unit (a new one: the load allows new concepts), population and source are kept.
    Values are recorded in their indicator's unit: the indicator is one of this load, in 時間."""
    indicators = write(tmp_path / "hours.csv", [["h-1", "残業時間", "時間"]], ["id", "indicator", "unit"])
    header = ["indicator", "kind", "value", "unit", "year", "population", "data_source"]
    values = write(tmp_path / "described.csv", [["desc:h-1", "baseline", "3", "時間", "2022", "全職員", "社内調査"]], header)
    graph.load(indicators, values, namespace="desc", new_concepts=True)
    got = graph.sparql("SELECT ?unit ?pop ?src WHERE { GRAPH <https://w3id.org/impactkg/graph/desc/described> { "
                       "?v ikg:unit ?unit ; ikg:population ?pop ; ikg:dataSource ?src } }").terms
    assert got == [(ox.NamedNode("https://w3id.org/impactkg/concept/unit/%E6%99%82%E9%96%93"),
                    ox.Literal("全職員", language="ja"), ox.Literal("社内調査", language="ja"))]
    before = graph.canonical_nquads()
    with pytest.raises(LoadError) as exc:  # consortium:1 is measured in 分
        graph.load(write(tmp_path / "other-unit.csv", [["consortium:1", "baseline", "3", "時間", "2022", "", ""]],
                         header), kind="values", namespace="desc", new_concepts=True)
    assert [str(p) for p in exc.value.problems] == [
        "other-unit.csv:2:unit: unit '時間' is not the indicator's unit '分' (values are recorded in their "
        "indicator's unit)"]
    assert graph.canonical_nquads() == before
