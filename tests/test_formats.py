"""The one set of W3C result writers, term by term: byte for byte what Oxigraph's own serializers
write, on terms that lose something when a writer is careless (language tags, datatypes, unbound
cells, blank nodes, quotes, commas, tabs, line ends, white space at the ends), with the two
documented differences (a CR in XML, a comma in an IRI in CSV); and content negotiation."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from impactkg import QueryError
from impactkg.graph.sparql.formats import content_type, negotiate, serialize
from impactkg.graph.sparql.results import QueryResult

XSD = "http://www.w3.org/2001/XMLSchema#"
VALUES = [
    ox.Literal("x,\"y\"", language="en"),
    ox.Literal("日本語", language="ja"),
    ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("+1.50", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("1E3", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("2024-01-01Z", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal(" x ", datatype=ox.NamedNode(XSD + "token")),
    ox.Literal("tab\there\nnl\\ back"),
    ox.Literal(""),
    ox.BlankNode("b0"),
    ox.NamedNode("https://example.org/a"),
]
OX = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
      "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?unbound } } ORDER BY ?s"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i, v in enumerate(VALUES):
        s.add(ox.Quad(ox.NamedNode(f"https://example.org/s{i:02d}"), ox.NamedNode("https://example.org/p"), v))
    return s


def ours(store: ox.Store, text: str) -> QueryResult:
    res = store.query(text)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    names = [v.value for v in res.variables]
    return QueryResult.of_terms("select", names, [tuple(sol[i] for i in range(len(names))) for sol in res])


@pytest.mark.parametrize("fmt", sorted(OX))
@pytest.mark.parametrize("text", [QUERY, "ASK { ?s ?p ?o }", "ASK { FILTER(false) }",
                                  "SELECT ?x WHERE { FILTER(false) }", "SELECT * WHERE { }"])
def test_the_writers_write_what_oxigraph_writes(store, fmt, text):
    assert serialize(ours(store, text), fmt) == store.query(text).serialize(format=OX[fmt])


def test_where_oxigraph_would_not_read_back_the_same_the_writers_differ_as_documented():
    cr = QueryResult("select", ["o"], [(ox.Literal("a\rb"),)])
    assert serialize(cr, "xml").endswith(b"<literal>a&#13;b</literal></binding></result></results></sparql>")
    comma = QueryResult("select", ["o"], [(ox.NamedNode("https://e/a,b"),)])
    assert serialize(comma, "csv") == b'o\r\n"https://e/a,b"\r\n'
    ctl = QueryResult("select", ["o"], [(ox.Literal("a\x01b"),)])
    with pytest.raises(QueryError, match=r"the value of \?o in row 1 holds the character U\+0001"):
        serialize(ctl, "xml")


def test_unbound_cells_are_absent_in_json_and_xml_and_empty_in_csv_and_tsv(store):
    result = ours(store, QUERY)
    assert b'"unbound"' not in serialize(result, "json").split(b'"results"')[1]
    assert b'name="unbound"' not in serialize(result, "xml").split(b"<results>")[1]
    assert all(line.endswith(",") for line in serialize(result, "csv").decode().split("\r\n")[1:-1])
    assert all(line.endswith("\t") for line in serialize(result, "tsv").decode().split("\n")[1:-1])


@pytest.mark.parametrize(
    "form,accept,requested,expected",
    [
        ("select", "text/csv;q=0.5, application/sparql-results+xml", None, "xml"),
        ("select", "application/sparql-results+json;q=0, text/csv", None, "csv"),  # q=0: never chosen
        ("select", "text/csv;q=0", None, "json"),
        ("select", "*/*", None, "json"),
        ("select", "text/tab-separated-values;q=0.9, text/csv;q=0.8", None, "tsv"),
        ("construct", "application/n-triples", None, "nt"),
        ("construct", "application/sparql-results+json", None, "ttl"),
        ("select", None, "tsv", "tsv"),
        ("construct", None, "json", "jsonld"),  # SPARQLWrapper's format=json for CONSTRUCT
    ],
)
def test_negotiation(form, accept, requested, expected):
    assert negotiate(form, accept, requested) == expected


def test_a_format_the_form_has_not_is_refused_and_content_types_say_utf_8():
    with pytest.raises(QueryError, match="format 'ttl' is not available for a SELECT query"):
        negotiate("select", None, "ttl")
    assert content_type("csv") == "text/csv; charset=utf-8"
    assert content_type("json") == "application/sparql-results+json; charset=utf-8"
    assert content_type("ttl") == "text/turtle; charset=utf-8"


def test_an_unbound_cell_before_a_bound_one_loses_nothing_in_any_format():
    """OPTIONAL leaves a variable unbound in the middle of a row (the unit column of
    units-in-use for a unit with no QUDT match): the cells after it are still written."""
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("https://e/u"), ox.NamedNode("https://e/label"), ox.Literal("分", language="ja")))
    s.add(ox.Quad(ox.NamedNode("https://e/u"), ox.NamedNode("https://e/n"), ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))))
    text = ("SELECT ?u ?qudt ?label ?n WHERE { ?u <https://e/label> ?label ; <https://e/n> ?n "
            "OPTIONAL { ?u <https://e/qudt> ?qudt } }")
    result = ours(s, text)
    for fmt in sorted(OX):
        assert serialize(result, fmt) == s.query(text).serialize(format=OX[fmt]), fmt
    assert serialize(result, "tsv") == '?u\t?qudt\t?label\t?n\n<https://e/u>\t\t"分"@ja\t2\n'.encode()
    assert serialize(result, "csv") == "u,qudt,label,n\r\nhttps://e/u,,分,2\r\n".encode()
    assert serialize(result, "json").endswith(
        b'{"u":{"type":"uri","value":"https://e/u"},"label":{"type":"literal","value":"\xe5\x88\x86","xml:lang":"ja"},'
        b'"n":{"type":"literal","value":"2","datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}')


@pytest.mark.parametrize(
    "term,tsv",
    [
        (ox.Literal("true"), '"true"'),  # a string that reads like a boolean stays a string
        (ox.Literal("1", datatype=ox.NamedNode(XSD + "boolean")), f'"1"^^<{XSD}boolean>'),
        (ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")), "false"),
        (ox.Literal("1.0", datatype=ox.NamedNode(XSD + "decimal")), "1.0"),
        (ox.Literal("1", datatype=ox.NamedNode(XSD + "decimal")), f'"1"^^<{XSD}decimal>'),
        (ox.Literal("12", datatype=ox.NamedNode(XSD + "string")), '"12"'),
    ],
)
def test_tsv_writes_numbers_and_booleans_bare_only_in_their_turtle_form(term, tsv):
    result = QueryResult("select", ["v"], [(term,)])
    assert serialize(result, "tsv") == f"?v\n{tsv}\n".encode()


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("text/csv;q=1.0, application/sparql-results+xml", "csv"),  # equal q: the first listed
        ("text/csv;q=abc, text/tab-separated-values;q=0.1", "tsv"),  # an unreadable q is 0
        ("text/csv; charset=utf-8; q=0.2, text/tab-separated-values;q=0.1", "csv"),
        ("TEXT/CSV", "csv"),
        ("application/rdf+xml, text/csv;q=0.1", "csv"),  # a graph format is no answer to a SELECT
    ],
)
def test_accept_headers_are_read_as_rfc_9110_says(accept, expected):
    assert negotiate("select", accept, None) == expected


def test_a_construct_is_answered_in_the_graph_format_asked_for():
    assert negotiate("construct", "application/rdf+xml", None) == "rdfxml"
    assert negotiate("describe", "application/ld+json;q=0.5, text/turtle;q=0.4", None) == "jsonld"
    assert negotiate("construct", None, "xml") == "rdfxml"  # SPARQLWrapper's format=xml
