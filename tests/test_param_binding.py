"""Query parameters are bound inside the engine wherever the query mentions them: in the outermost
group, in subselects (which see nothing of the groups around them), in nested groups and UNION
branches (whose FILTERs see only their own group), in EXISTS. A parameter that did not reach a
part of its query would silently return every row: every parameter of every named query is
checked to filter."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from impactkg import QueryError
from impactkg.graph.sparql.params import lateral_points, with_param_binds, with_values
from impactkg.queries import library, prepare

IKG = "https://w3id.org/impactkg/ontology#"
RESULT = ox.NamedNode("https://w3id.org/impactkg/id/result/probe")


def _rows(result) -> Counter:
    return Counter(tuple(None if t is None else str(t) for t in row) for row in result.terms)


# ---------------------------------------------------------------------- where a binding reaches
SHAPES = {
    # the parameter only in a subselect that does not project it
    "subselect": "SELECT ?ind WHERE {{ {{ SELECT ?ind WHERE {{ ?ind ikg:unit ?u . ?u skos:prefLabel {v} }} }} }}",
    # only in the FILTER of a nested group (which sees nothing of the group around it)
    "nested filter": "SELECT ?ind WHERE {{ ?ind a ikg:Indicator {{ ?ind ikg:unit/skos:prefLabel ?l FILTER(?l = {v}) }} }}",
    # only in a UNION branch's FILTER
    "union branch": "SELECT ?ind WHERE {{ {{ ?ind ikg:unit/skos:prefLabel ?l FILTER(?l = {v}) }} UNION {{ ?ind ikg:none ?x }} }}",
    # in EXISTS, and in a subselect inside EXISTS
    "exists": "SELECT ?ind WHERE {{ ?ind a ikg:Indicator FILTER EXISTS {{ ?ind ikg:unit/skos:prefLabel {v} }} }}",
    "subselect in exists": "SELECT ?ind WHERE {{ ?ind a ikg:Indicator FILTER EXISTS {{ {{ SELECT ?ind WHERE {{ ?ind ikg:unit/skos:prefLabel {v} }} }} }} }}",
    # a subselect that projects it and uses it only in a FILTER (it sees the outer value)
    "projecting subselect": "SELECT ?ind WHERE {{ {{ SELECT ?ind ?unit_ WHERE {{ ?ind ikg:unit/skos:prefLabel ?l FILTER(?l = {v}) }} }} }}",
    # in MINUS and OPTIONAL
    "minus": "SELECT ?ind WHERE {{ ?ind a ikg:Indicator MINUS {{ ?ind ikg:unit/skos:prefLabel ?l FILTER(?l = {v}) }} }}",
    "optional": "SELECT ?ind ?l WHERE {{ ?ind a ikg:Indicator OPTIONAL {{ ?ind ikg:unit/skos:prefLabel ?l FILTER(?l = {v}) }} }}",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_parameter_has_its_value_wherever_the_query_mentions_it(kg, shape):
    """The bound query answers exactly as the same query with the value written in its text."""
    bound = kg.sparql(SHAPES[shape].format(v="?unit_"), {"unit_": ox.Literal("人", language="ja")})
    written = kg.sparql(SHAPES[shape].format(v='"人"@ja'))
    if shape == "projecting subselect":  # the written form has no ?unit_ column
        written = kg.sparql(SHAPES[shape].format(v='"人"@ja').replace("SELECT ?ind ?unit_", "SELECT ?ind"))
    assert len(written) > 0
    assert _rows(bound) == _rows(written)
    other = kg.sparql(SHAPES[shape].format(v='"分"@ja'))
    assert _rows(other) != _rows(written), "the test data does not tell the values apart"


def test_the_value_never_enters_the_query_text():
    text = "SELECT * WHERE { ?s ?p ?o { SELECT ?s WHERE { ?s ?q ?v } } }"
    rewritten = with_param_binds(text, ["v"])
    assert rewritten.count("<urn:impactkg:param:v>()") == 2
    assert rewritten.count("LATERAL") == 2
    # the subselect's group and the outermost group are where the value is bound
    assert [names for _, _, names in lateral_points(text, ["v"])] == [["v"], ["v"]]


def test_a_remote_server_gets_the_values_in_every_group_that_mentions_them():
    text = "SELECT * WHERE { ?s ?p ?o { SELECT ?s WHERE { ?s ?q ?v } } { ?s ?r ?x FILTER(?x = ?v) } FILTER EXISTS { ?s ?t ?v } }"
    out = with_values(text, {"v": '"a\\"b"'})
    assert out.count('VALUES (?v) { ("a\\"b") }') == 3  # outermost, subselect, nested group; not EXISTS


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o BIND(?o AS ?v) }",
    "SELECT ?s (COUNT(*) AS ?v) WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT * WHERE { ?s ?p ?o VALUES ?v { 1 } }",
])
def test_a_query_that_gives_the_variable_a_value_itself_cannot_take_it_as_a_parameter(kg, text):
    with pytest.raises(QueryError, match=r"the query gives \?v a value itself"):
        kg.sparql(text, {"v": ox.Literal("1")})


# ---------------------------------------------------------------------- every named query
def _accept_one_iris_match(graph) -> str:
    """A crosswalk match accepted by a person (as 'impactkg crosswalk accept' writes it)."""
    ind = graph.sparql("SELECT ?i WHERE { ?i a ikg:Indicator } ORDER BY ?i LIMIT 1").terms[0][0].value
    graph.update(
        "INSERT DATA { GRAPH <https://w3id.org/impactkg/graph/test-crosswalk> { "
        "<https://iris.thegiin.org/metric/test/PI0000> a ikg:IrisMetric ; skos:notation 'PI0000' . "
        f"<{ind}> skos:exactMatch <https://iris.thegiin.org/metric/test/PI0000> }} }}"
    )
    return ind


def _add_a_value(graph, folder) -> None:
    """A second indicator's value, loaded as a user loads a values table."""
    table = folder / "more_values.csv"
    table.write_text("indicator,kind,value,year\n1,baseline,12.5,2024\n", encoding="utf-8")
    graph.load(table, kind="values", namespace="consortium", force=True)  # beside the embedded values


def _value(graph, name: str, param: str, unfiltered) -> str:
    """A value of the parameter that the graph holds (the most frequent one in the unfiltered
    answer when the query shows it)."""
    fixed = {
        ("feedback-loops", "polarity"): "R", ("feedback-loops", "lang"): "en",
        ("label-search", "q"): "銀行", ("label-search", "lang"): "en",
        ("indicators-iris-equivalent", "equivalent"): "with",
        ("databases", "scene"): "scene-3", ("databases", "domain"): "healthcare-health",
        ("finance-by-method", "method"): "debt",
        ("kpi-pool", "role"): "business-kpi", ("kpi-pool", "stage"): "core",
    }
    if (name, param) in fixed:
        return fixed[name, param]
    if (name, param) == ("feedback-loops", "factor"):
        loop = unfiltered.terms[0][unfiltered.variables.index("loop")]
        rows = graph.sparql(f"SELECT ?id WHERE {{ <{loop.value}> ikg:throughFactor/dcterms:identifier ?id }} ORDER BY ?id")
        return rows.terms[0][0].value
    column = Counter(row[unfiltered.variables.index(param)] for row in unfiltered.terms)
    term = column.most_common(1)[0][0]
    if param in ("target", "goal"):
        return graph.sparql(f"SELECT ?c WHERE {{ <{term.value}> skos:notation ?c }}").terms[0][0].value
    if param == "indicator":
        local = term.value.rsplit("/", 1)[1]
        ns = next(n for n in ("consortium", "imm-example") if local.startswith(n + "-"))
        return f"{ns}:{local.removeprefix(ns + '-')}"
    return term.value if param == "organization" else term.value.rsplit("/", 1)[1]


#: Parameters whose every value keeps every row of the embedded graph's answer for some queries
#: (one assertion status throughout, one impact, counts per goal): checked by what they do.
CHOICES = {
    "status": ("stated", "reading", "inferred", "doubtful", "translation"),
    "evidence": ("stated", "reading", "inferred", "doubtful", "translation"),
    "identified": ("yes", "no"),
    "class": ("https://w3id.org/impactkg/ontology#CausalLink", "https://w3id.org/impactkg/ontology#Indicator"),
}
#: The organisation of the IMM queries: the example holds one company, so it cannot filter here;
#: tests/test_progress.py filters by it between two, tests/test_imm.py checks what names one.
ONE_VALUE_HERE = {("kpi-pool", "org"), ("value-chain", "org"), ("progress", "org"), ("leading-indicators", "org")}
#: The queries of a company's impact management: run on the IMM example.
IMM_QUERIES = ("kpi-pool", "value-chain", "progress", "leading-indicators")
EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example" / "imm-example.xlsx"
CASES = [(name, p.name) for name, q in sorted(library().items()) for p in q.params
         if p.name not in CHOICES and (name, p.name) not in ONE_VALUE_HERE]
CHOICE_CASES = [(name, p.name) for name, q in sorted(library().items()) for p in q.params if p.name in CHOICES]


@pytest.mark.parametrize("name,param", CHOICE_CASES)
def test_a_parameter_with_few_values_answers_as_its_value_written_in_the_query(kg, name, param):
    """For each value: exactly the rows of the same query with the value written in as a constant
    (the binding reached every part of the query), and some value changes the answer."""
    from impactkg.graph.sparql.text import term_text

    q = library()[name]
    required = {p.name: {"target": "11.b", "q": "銀行"}[p.name] for p in q.params if p.required}
    unfiltered = _rows(kg.query(name, **required))
    answers = []
    for value in CHOICES[param]:
        prepared = prepare(name, {**required, param: value})
        written = with_values(prepared.text, {k: term_text(v) for k, v in prepared.bindings.items()})
        bound = _rows(kg.query(name, **required, **{param: value}))
        assert bound == _rows(kg.sparql(written)), (name, param, value)
        answers.append(bound)
    assert any(a != unfiltered for a in answers), f"no value of {param} changes the answer of {name}"


@pytest.mark.parametrize("name,param", CASES)
def test_every_parameter_of_every_named_query_filters(fresh_kg, tmp_path, name, param):
    """With the parameter, fewer rows than without it (the same query, the variable unbound),
    and where the query shows the parameter's variable, exactly the rows that hold the value."""
    graph = fresh_kg
    if name == "indicators-iris-equivalent":
        _accept_one_iris_match(graph)
    if name == "indicator-values":
        _add_a_value(graph, tmp_path)
    if name in IMM_QUERIES:
        graph.load(EXAMPLE, namespace="imm-example")
    required = {"target": "11.b", "q": "銀行"}
    q = library()[name]
    others = {p.name: required[p.name] for p in q.params if p.required and p.name != param}
    prepared = prepare(name, {p.name: required[p.name] for p in q.params if p.required})
    unbound = {k: v for k, v in prepared.bindings.items() if k != param}
    unfiltered = graph.sparql(prepared.text, unbound)
    value = _value(graph, name, param, unfiltered)
    filtered = graph.query(name, **others, **{param: value})
    assert 0 < len(filtered) < len(unfiltered), (name, param, value)
    if name == "label-search":  # ordered and cut at 200: the filtered rows are not a part of those
        return
    assert not _rows(filtered) - _rows(unfiltered), "a filtered row that the unfiltered query lacks"
    column = {"polarity": "loopPolarity", "equivalent": "status"}.get(param, param)
    if column in filtered.variables:
        i = filtered.variables.index(column)
        bound = prepare(name, {**others, param: value}).bindings[param]
        expected = Counter(r for r in _rows(unfiltered).elements()
                           if r[i] == str(bound) or (param == "polarity" and r[i] == f'"{value}"'))
        assert _rows(filtered) == expected
