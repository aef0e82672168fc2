"""The named-query library: every query runs, parameters are typed and safe, errors are clear."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph, QueryError, StoreError
from impactkg.queries import get, library

REQUIRED = {"indicators-for-target": {"target": "3.4"}, "label-search": {"q": "銀行"}}


def test_the_library_has_the_queries_the_issue_names():
    names = set(library())
    assert {
        "indicators-for-target", "logic-chain", "indicators-by-domain", "units-in-use",
        "targets-without-indicator", "impacts-without-measured-outcome", "databases",
        "finance-by-method", "case-map", "finance-by-provider", "stakeholders-by-type",
        "indicator-values", "label-search",
    } <= names
    for q in library().values():
        assert q.title_ja and q.title_en and q.description, q.name


#: Queries about an organisation's IMM: the embedded dataset holds none (the seed describes the
#: process, lines 570-572, not one company's KPIs), so they answer with no rows there;
#: tests/test_imm.py runs them on the example company.
IMM_ONLY = {"kpi-pool", "value-chain", "leading-indicators"}


@pytest.mark.parametrize("name", sorted(library()))
def test_every_named_query_answers_on_the_embedded_graph(kg, name):
    result = kg.query(name, **REQUIRED.get(name, {}))
    assert result.kind == "select"
    if name in IMM_ONLY:
        assert len(result) == 0, name
    else:
        assert len(result) > 0, name


def test_the_rdflib_back_end_is_refused_with_the_reason():
    """rdflib's SPARQL engine answers differently from the one impactkg is held to (the W3C suite):
    a fallback that answers differently would be a second door, so it is gone, and asking for it
    says why and what to use instead."""
    with pytest.raises(StoreError, match="the rdflib back end was removed: its SPARQL engine answers differently"):
        KnowledgeGraph("rdflib")


def test_parameters_are_typed_and_validated(kg):
    with pytest.raises(QueryError, match="unknown SDG target '3.99'"):
        kg.query("indicators-for-target", target="3.99")
    with pytest.raises(QueryError, match=r"unknown SDG target '11.b\" \} UNION"):
        kg.query("indicators-for-target", target='11.b" } UNION { ?s ?p ?o')
    with pytest.raises(QueryError, match="missing required parameter 'target'"):
        kg.query("indicators-for-target")
    with pytest.raises(QueryError, match="unknown parameter 'goal'"):
        kg.query("indicators-for-target", target="3.4", goal="3")
    with pytest.raises(QueryError, match="expected a concept id"):
        kg.query("finance-by-method", method="loan> } ?s ?p ?o {")


def test_text_parameters_cannot_change_the_query(kg):
    hostile = '") } UNION { ?resource ?p ?label } #'
    assert len(kg.query("label-search", q=hostile)) == 0
    assert len(kg.query("label-search", q="{ ?s ?p ?o }")) == 0


def test_unknown_query_names_suggest_close_ones(kg):
    with pytest.raises(QueryError, match="did you mean indicators-for-target"):
        kg.query("indicators-for-targets")


def test_invalid_sparql_is_one_line(kg):
    with pytest.raises(QueryError) as exc:
        kg.query("SELECT ?x WHERE { ?x ?p }")
    assert str(exc.value).startswith("invalid SPARQL:") and "\n" not in str(exc.value)


def test_own_queries_with_property_paths_and_params(kg):
    text = (
        "SELECT ?activity ?goal WHERE { ?a a ikg:Activity ; rdfs:label ?activity ; "
        "ikg:hasResult/ikg:contributesTo/ikg:servesTarget/sdgo:isTargetOf ?g . ?g skos:notation ?goal "
        "FILTER(?goal = ?code) FILTER(lang(?activity) = 'ja') }"
    )
    rows = kg.query(text, code="16").dicts()
    assert {r["activity"] for r in rows} == {"防犯性向上のための設備の設置"}


def test_rows_as_dicts_and_dataframe(kg):
    result = kg.query("units-in-use")
    df = result.to_dataframe()
    assert list(df.columns) == result.variables
    assert df.loc[df["unit"] == "人", "indicators"].item() == 7


def test_query_headers_document_parameters():
    q = get("finance-by-method")
    assert [(p.name, p.type, p.required) for p in q.params] == [
        ("method", "concept:finance-method", False), ("status", "concept:assertion-status", False),
        ("identified", "enum:yes|no", False)]


# ------------------------------------------------------------------ content of the named queries
# Each is compared with the embedded dataset's tables (data/consortium/*.csv) read directly, on
# the columns that define the answer (other columns may be added: a source, an assertion status).
DATA = Path(__file__).resolve().parents[1] / "data" / "consortium"


def table(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_case_map_cells_are_the_case_map_table(kg):
    # SPARQL leaves the order inside GROUP_CONCAT open (Oxigraph keeps the order of the source
    # subquery, Virtuoso does not), so a cell's numbers are compared as a sorted list; the
    # separator is still checked (split on " " gives back exactly the numbers)
    def cell(numbers: str) -> list[str]:
        return sorted(numbers.split(" "))

    rows = kg.query("case-map-cells").dicts()
    got = {(tail(r["issue"]), tail(r["method"])): (r["cases"], cell(r["numbers"])) for r in rows}
    expected = {(r["social_issue"], r["finance_method"]): (len(r["case_numbers"].split()), sorted(r["case_numbers"].split()))
                for r in table("case_map.csv")}
    assert len(rows) == 30 and got == expected
    env = kg.query("case-map-cells", issue="environment").dicts()
    assert [(r["methodLabel"], cell(r["numbers"])) for r in env] == [
        ("その他", ["49"]), ("ファンド出資", ["30", "31", "7"]), ("債券", ["16"]), ("成果連動融資", ["13", "15", "20"]),
        ("直接出資", ["25"]), ("融資", ["3", "5", "6"])]


def test_subcommittee_members_are_the_memberships_table(kg):
    rows = kg.query("subcommittee-members").dicts()
    got = sorted((tail(r["organization"]), r["line"], r["track"] or "") for r in rows)
    # a membership's line is its first source line (a cell may hold several: "345 344")
    assert got == sorted((r["organization"], min(map(int, r["line"].split())), r["track"])
                         for r in table("memberships.csv"))
    by_line = {r["line"]: r for r in rows}
    assert {k: by_line[639][k] for k in ("groupLabel", "roleLabel", "track", "person", "affiliation")} == {
        "groupLabel": "地域・実践分科会", "roleLabel": "座長", "track": "金融トラック", "person": "宜保 友理子",
        "affiliation": "株式会社慶應イノベーション・イニシアティブ"}
    assert {k: by_line[30][k] for k in ("groupLabel", "roleLabel", "person")} == {
        "groupLabel": "データ・指標分科会", "roleLabel": "座長", "person": "今田 克司"}
    one = kg.query("subcommittee-members", organization="https://w3id.org/impactkg/id/org/data-indicators").dicts()
    assert [(r["person"], r["roleLabel"], r["line"]) for r in one] == [("今田 克司", "座長", 30)]


def test_indicators_by_domain_are_the_catalogue_rows_by_domain(kg):
    labels = {r["label_ja"]: r["id"] for r in table("concepts.csv") if r["scheme"] == "domain"}
    expected = sorted((labels[r["domain"]], r["id"]) for name in ("catalogue.csv", "health_japan21.csv")
                      for r in table(name) if r["domain"])
    rows = kg.query("indicators-by-domain").dicts()
    assert sorted((tail(r["domain"]), r["id"]) for r in rows) == expected
    assert len(rows) == 36
    health = kg.query("indicators-by-domain", domain="healthcare-health").dicts()
    assert [(r["id"], r["unit"], r["targetCode"]) for r in health] == [
        ("hj21-1", "%", None), ("hj21-1-1", "%", None), ("hj21-1-2", "%", None), ("hj21-1-3", "%", None),
        ("hj21-1-4", None, None), ("353", "%", "3.4"), ("354", "%", "3.4"), ("355", None, "3.4")]
    assert health[6]["indicator"] == "児童・生徒における肥満傾向児の割合"


def test_impacts_without_measured_outcome(kg):
    """Every catalogue impact has an output/outcome that an indicator measures, but the Health
    Japan 21 card's impact, whose indicator measures the impact directly."""
    rows = kg.query("impacts-without-measured-outcome").dicts()
    assert [(r["label"], r["domainLabel"], r["directIndicators"]) for r in rows] == [(
        "① 適正体重を維持している者の増加（肥満、若年女性のやせ、健康増進の高齢者の減少）", "ヘルスケア・健康",
        "B M I 18.5 以上 25 未満 (65 歳未満) B M I 20 を超え 25 未満) の者の割合 (年齢調整値)")]
