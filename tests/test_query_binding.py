"""How a query and its parameters are read (queries/__init__.py), beyond one value per type
(tests/test_params.py): the header's edge cases, terms given as values for each type, what names
a query (a name, a .rq file, SPARQL text), defaults, and the exact errors for values that name
nothing in the graph."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest
import rdflib

from impactkg import KnowledgeGraph, QueryError
from impactkg.queries import Param, bind, get, parse, prepare, query_dir

SDG = "http://metadata.un.org/sdg/"
IND = "https://w3id.org/impactkg/id/indicator/"


def test_the_header_is_read_up_to_the_query_and_blank_lines_do_not_end_it():
    q = parse("# title: 題 | Title\n\n# description: one\n# description: two\n"
              "# param: n integer default=3 - how many\n# param: t sdg-target required\n"
              "SELECT * WHERE {\n# param: late string - a comment inside the query\n}\n", "x")
    assert (q.title_ja, q.title_en, q.description) == ("題", "Title", "one two")
    assert q.params == [Param("n", "integer", False, "3", "how many"), Param("t", "sdg-target", True, None, "")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        get("feedback-loops").params[0].required = True  # type: ignore[misc]


def test_a_concept_type_names_exactly_one_scheme_and_an_enum_keeps_its_choices_whole():
    with pytest.raises(QueryError) as err:
        parse("# param: u concept:unit:extra\nSELECT * WHERE {}", "x")
    assert str(err.value).startswith("x.rq: parameter u: no concept scheme 'unit:extra' (schemes: ")
    assert bind(Param("p", "enum:a:b|c"), "a:b", "q") == ox.Literal("a:b")
    assert bind(Param("p", "enum:R|B"), "B", "q") == ox.Literal("B")


@pytest.mark.parametrize(
    "ptype,value,expected",
    [
        ("indicator", ox.NamedNode(IND + "consortium-1"), ox.NamedNode(IND + "consortium-1")),
        ("sdg-target", rdflib.URIRef(SDG + "3.4"), ox.NamedNode(SDG + "3.4")),
        ("sdg-goal", ox.NamedNode(SDG + "11"), ox.NamedNode(SDG + "11")),
        ("concept:unit", ox.NamedNode("https://w3id.org/impactkg/concept/unit/person"),
         ox.NamedNode("https://w3id.org/impactkg/concept/unit/person")),
        ("integer", rdflib.Literal(7), ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("text", ox.Literal("ＢＭＩ 18", language="ja"), ox.Literal("bmi18")),
        ("string", ox.Literal("x", language="en"), ox.Literal("x", language="en")),
    ],
)
def test_a_term_given_for_each_type(ptype, value, expected):
    assert bind(Param("p", ptype), value, "q") == expected


@pytest.mark.parametrize(
    "ptype,value,message",
    [
        ("text", ox.NamedNode(SDG + "11.b"), f"q: parameter p: expected text, got the IRI <{SDG}11.b>"),
        ("sdg-goal", ox.NamedNode(IND + "consortium-1"), f"q: parameter p: expected sdg-goal, got the IRI <{IND}consortium-1>"),
        ("sdg-target", ox.NamedNode("https://example.org/3.4"), "q: parameter p: expected sdg-target, got the IRI <https://example.org/3.4>"),
        ("indicator", ox.NamedNode(SDG + "11"), f"q: parameter p: expected indicator, got the IRI <{SDG}11>"),
        ("iri", ox.Literal("https://example.org/x"), 'q: parameter p: expected an IRI, got the literal "https://example.org/x"'),
        ("integer", ox.Triple(ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p"), ox.Literal("o")),
         'q: parameter p: expected integer, got the quoted triple <https://e/s> <https://e/p> "o"'),
        ("sdg-target", "3.4 健康", "q: parameter p: unknown SDG target '3.4 健康' (e.g. 3.4, 11.b)"),
        ("sdg-goal", "3 健康", "q: parameter p: unknown SDG goal '3 健康' (1 to 17)"),
    ],
)
def test_a_term_or_text_of_the_wrong_kind_is_refused(ptype, value, message):
    with pytest.raises(QueryError) as err:
        bind(Param("p", ptype), value, "q")
    assert str(err.value) == message


def test_what_names_a_query(tmp_path):
    lowercase = prepare("select ?x where { }", {"x": "1"})
    assert lowercase.bindings == {"x": ox.Literal("1")} and lowercase.name == ""
    assert prepare("SELECT ?x WHERE { }", {"x": "<https://e/a>"}).bindings == {"x": ox.NamedNode("https://e/a")}
    with pytest.raises(QueryError) as err:
        prepare("indicators for target", {})
    assert str(err.value) == "no named query 'indicators for target' (did you mean indicators-for-target?)"
    with pytest.raises(QueryError) as err:
        prepare("indicators", {})
    assert str(err.value) == ("no named query 'indicators' (did you mean indicator-values, leading-indicators, "
                              "indicators-per-goal?)")
    with pytest.raises(QueryError) as err:
        prepare("nothing-like-it", {})
    assert str(err.value) == "no named query 'nothing-like-it' ('impactkg queries' lists them)"
    with pytest.raises(QueryError) as err:
        prepare(str(tmp_path / "nope.rq"), {})
    assert str(err.value) == f"no such query file: {tmp_path / 'nope.rq'}"
    own = tmp_path / "own.rq"
    own.write_text("SELECT ?x WHERE { BIND(<rel> AS ?x) }\n", encoding="utf-8")
    mine = prepare(str(own), {"x": "1"})  # a file without parameters takes any, as text does
    assert (mine.name, mine.base_iri, mine.bindings) == ("own", own.resolve().as_uri(), {"x": ox.Literal("1")})
    shipped = prepare(str(query_dir() / "case-map.rq"), {})
    assert (shipped.name, shipped.base_iri) == ("case-map", None)
    assert prepare("case-map", {}).base_iri is None and prepare("case-map", {}).title == (
        "事例マップ（社会課題×ファイナンス手法） | Case map: social issue x finance method")


def test_a_relative_query_file_takes_the_base_of_the_folder_it_is_read_from(tmp_path, monkeypatch):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "own.rq").write_text("SELECT ?x WHERE { BIND(<rel> AS ?x) }\n", encoding="utf-8")
    for sub in ("a", "b", "a"):
        monkeypatch.chdir(tmp_path / sub)
        assert prepare("own.rq", {}).base_iri == (tmp_path / sub / "own.rq").resolve().as_uri()


def test_parameters_given_none_defaults_and_unknown_ones():
    p = prepare("indicators-for-target", {"unused": None, "target": "3.4"})
    assert p.bindings == {"target": ox.NamedNode(SDG + "3.4")}
    loops = prepare("feedback-loops", {"factor": "人口減少"})
    assert loops.bindings == {"factor": ox.Literal("人口減少"), "lang": ox.Literal("ja")}
    with pytest.raises(QueryError) as err:
        prepare("case-map", {"x": "1"})
    assert str(err.value) == "case-map: unknown parameter 'x' (parameters: status)"
    with pytest.raises(QueryError) as err:
        prepare("indicators-for-target", {})
    assert str(err.value) == ("indicators-for-target: missing required parameter 'target' "
                              "(SDG target code, e.g. 11.b or 3.4)")
    with pytest.raises(QueryError) as err:
        prepare("# param: n integer required\nSELECT ?n WHERE {}", {})
    assert str(err.value) == "query: missing required parameter 'n' (integer)"


@pytest.fixture(scope="module")
def units_graph(tmp_path_factory) -> KnowledgeGraph:
    """The embedded graph with units minted up to exactly 20 known unit ids, one of them
    Japanese (人日, an IRI percent-encoded)."""
    from conftest import embedded_graph

    kg = embedded_graph()
    known = kg.sparql("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c skos:inScheme ikg:UnitScheme }").terms[0][0]
    missing = 20 - int(known.value)  # type: ignore[union-attr]
    assert missing > 0
    path = tmp_path_factory.mktemp("units") / "units.csv"
    path.write_text("id,indicator,unit\n" + "".join(f"{i},指標{i},zz-unit-{i}\n" for i in range(missing - 1))
                    + f"{missing},指標{missing},人日\n", encoding="utf-8")
    kg.load(path, new_concepts=True)  # units of the test's own
    return kg


UNIT_QUERY = "# param: u concept:unit\n# param: v concept:unit\nSELECT ?u ?v WHERE {}"


def test_an_unknown_concept_lists_the_known_ids_and_the_closest(units_graph):
    with pytest.raises(QueryError) as err:
        units_graph.query(UNIT_QUERY, u="persn")
    message = str(err.value)
    head, known = message.split("; known: ")
    assert head == "query: parameter u: unknown unit 'persn' (did you mean 'person'?)"
    assert len(known.split(", ")) == 20 and not known.endswith("...")  # exactly 20: all of them
    with pytest.raises(QueryError) as err:
        units_graph.query(UNIT_QUERY, u="person", v="zz-unit-x")  # the second of two is checked too
    assert str(err.value).startswith("query: parameter v: unknown unit 'zz-unit-x' (did you mean 'zz-unit-")
    assert str(err.value).endswith("; known: building, case, company-count, dwelling, gram, megajoule, minute, percent, "
                                   "person, piece, square-metre, steps, t-co2, times, tonne, yen, zz-unit-0, zz-unit-1, "
                                   "zz-unit-2, 人日")  # ids as a person types them, not percent-encoded
    units_graph.load(_one_more_unit(), new_concepts=True)
    with pytest.raises(QueryError) as err:
        units_graph.query(UNIT_QUERY, u="xyzzy")
    head, known = str(err.value).split("; known: ")
    assert head == "query: parameter u: unknown unit 'xyzzy'"
    assert known.endswith(", ...") and len(known.removesuffix(", ...").split(", ")) == 20


def _one_more_unit():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "one-more.csv"
    path.write_text("id,indicator,unit\n1,指標,zz-unit-extra\n", encoding="utf-8")
    return path


def test_an_iri_or_indicator_that_names_nothing(kg):
    with pytest.raises(QueryError) as err:
        kg.query("indicator-values", indicator="999")
    assert str(err.value) == f"indicator-values: parameter indicator: no indicator '999' in the graph (<{IND}consortium-999>)"
    with pytest.raises(QueryError) as err:
        kg.query("subcommittee-members", organization="https://example.org/x")
    assert str(err.value) == ("subcommittee-members: parameter organization: no resource 'https://example.org/x' in the "
                              "graph (<https://example.org/x>)")
    assert len(kg.query("indicator-values", indicator="hj21-1")) == 3
