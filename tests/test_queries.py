"""The named-query library: every query runs, parameters are typed and safe, errors are clear."""

from __future__ import annotations

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


@pytest.mark.parametrize("name", sorted(library()))
def test_every_named_query_answers_on_the_embedded_graph(kg, name):
    result = kg.query(name, **REQUIRED.get(name, {}))
    assert result.kind == "select"
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
