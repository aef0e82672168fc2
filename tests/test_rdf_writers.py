"""The RDF side of the one set of writers (graph/sparql/formats.py): Turtle that every reader takes
(a prefixed name that would need backslash escapes is written as a full IRI, wherever it falls
in the serializer's output), RDF/XML that refuses what XML cannot carry, and the exact errors for
a format a result has not."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib

from impactkg import KnowledgeGraph, QueryError
from impactkg.graph.sparql.formats import FORMATS, negotiate, serialize, write_rdf
from impactkg.graph.sparql.results import QueryResult

IKG = "https://w3id.org/impactkg/ontology#"
SDG = "http://metadata.un.org/sdg/"
#: Local names that Turtle writes with backslash escapes (at the end, the start, the middle).
AWKWARD = ["a(b)", "a(b", "(a)", "x!", "x~y", "o'k", "a,b", "a;b", "a=b", "a*b", "a+b", "a?b",
           "a&b", "a$b", "a@b", "a/b", "-a", ".a", "a.", "a%20b"]


def awkward_triples(n: int = 1) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"{IKG}{name}{i or ''}"), ox.NamedNode(SDG + name), ox.Literal("ikg:x\\(y\\)"))
        for i in range(n)
        for name in AWKWARD
    ]


def turtle(triples: list[ox.Triple]) -> bytes:
    buf = io.BytesIO()
    write_rdf(triples, buf, "ttl")
    return buf.getvalue()


def read_back(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, fmt)}


def rdflib_back(data: bytes, fmt: str = "turtle") -> set[ox.Triple]:
    nt = rdflib.Graph().parse(data=data, format=fmt).serialize(format="nt", encoding="utf-8")
    return read_back(nt, ox.RdfFormat.N_TRIPLES)


def test_turtle_with_escaped_local_names_reads_back_in_pyoxigraph_and_rdflib():
    triples = awkward_triples()
    data = turtle(triples)
    body = [line for line in data.decode().splitlines() if not line.startswith("@prefix")]
    assert body[0] == f'<{IKG}a(b)> <{SDG}a(b)> "ikg:x\\\\(y\\\\)" .'  # a literal that looks like a name stays as it is
    assert not any("\\(" in line.split('"')[0] for line in body)
    assert read_back(data) == set(triples)
    assert rdflib_back(data) == set(triples)


def test_turtle_written_in_many_chunks_by_the_store_reads_back(tmp_path):
    """The store's own dump writes in chunks that cut lines anywhere: each escaped name is still
    rewritten, and nothing is lost or doubled at a cut."""
    triples = awkward_triples(150)  # 3000 triples, far more than one write
    kg = KnowledgeGraph.memory()
    kg.replace_graphs({"https://example.org/g": [ox.Quad(t.subject, t.predicate, t.object,
                                                         ox.NamedNode("https://example.org/g")) for t in triples]})
    path = tmp_path / "g.ttl"
    kg.export(path, "ttl")
    data = path.read_bytes()
    assert data.count(b"\\(") == data.count(b'"ikg:x\\\\(y\\\\)"')  # only inside the literals
    assert read_back(data) == set(triples)
    assert rdflib_back(data) == set(triples)
    graph_result = QueryResult("graph", triples=triples)
    assert read_back(serialize(graph_result, "ttl")) == set(triples)


def test_trig_keeps_named_graphs_and_rewrites_escaped_names(tmp_path):
    g = ox.NamedNode("https://example.org/g")
    triples = awkward_triples()
    kg = KnowledgeGraph.memory()
    kg.replace_graphs({g.value: [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]})
    path = tmp_path / "g.trig"
    kg.export(path, "trig", graphs=True)
    quads = set(ox.parse(path.read_bytes(), ox.RdfFormat.TRIG))
    assert quads == {ox.Quad(t.subject, t.predicate, t.object, g) for t in triples}
    back = rdflib.Dataset()
    back.parse(data=path.read_bytes(), format="trig")
    assert len(back.graph(rdflib.URIRef(g.value))) == len(triples)


@pytest.mark.parametrize("fmt,reader", [("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
                                        ("rdfxml", ox.RdfFormat.RDF_XML), ("ttl", ox.RdfFormat.TURTLE)])
def test_every_graph_format_of_a_construct_result_reads_back(fmt, reader):
    triples = [*awkward_triples(), ox.Triple(ox.NamedNode(IKG + "s"), ox.NamedNode(IKG + "p"),
                                             ox.Literal("分", language="ja"))]
    result = QueryResult("graph", triples=triples)
    assert read_back(serialize(result, fmt), reader) == set(triples)


def test_rdf_xml_refuses_a_character_xml_cannot_carry_and_turtle_keeps_it(tmp_path):
    bad = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode(IKG + "p"), ox.Literal("a\x01b"))
    good = ox.Triple(ox.NamedNode("https://example.org/r"), ox.NamedNode(IKG + "p"), ox.Literal("ok"))
    with pytest.raises(QueryError) as err:
        write_rdf([good, bad], io.BytesIO(), "rdfxml")
    assert str(err.value) == (
        f"<https://example.org/s> {IKG}p: a value holds the character U+0001, which XML (RDF/XML, "
        "SPARQL XML, GraphML, GEXF) cannot carry: export as Turtle, N-Triples or JSON-LD instead")
    allowed = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode(IKG + "p"), ox.Literal("a\x7f\tb"))
    buf = io.BytesIO()
    write_rdf([allowed], buf, "rdfxml")  # DEL and tab are allowed in XML
    assert read_back(buf.getvalue(), ox.RdfFormat.RDF_XML) == {allowed}
    assert read_back(turtle([good, bad])) == {good, bad}
    kg = KnowledgeGraph.memory()
    kg.replace_graphs({"https://example.org/g": [ox.Quad(bad.subject, bad.predicate, bad.object,
                                                         ox.NamedNode("https://example.org/g"))]})
    with pytest.raises(QueryError, match="a value holds the character U\\+0001"):
        kg.export(tmp_path / "g.rdf", "xml")
    kg.export(tmp_path / "g.nt", "nt")
    assert read_back((tmp_path / "g.nt").read_bytes(), ox.RdfFormat.N_TRIPLES) == {bad}


def test_formats_a_result_has_not_are_refused_with_the_ones_it_has():
    graph = QueryResult("graph", triples=awkward_triples()[:1])
    with pytest.raises(QueryError) as err:
        serialize(graph, "csv")
    assert str(err.value) == ("format 'csv' is for SELECT and ASK queries; a CONSTRUCT or DESCRIBE result "
                              "is written as ttl, nt, jsonld or rdfxml")
    rows = QueryResult("select", ["x"], [])
    with pytest.raises(QueryError) as err:
        serialize(rows, "ttl")
    assert str(err.value) == ("format 'ttl' is for CONSTRUCT and DESCRIBE queries; a SELECT or ASK result "
                              "is written as json, xml, csv or tsv")
    with pytest.raises(QueryError) as err:
        write_rdf([], io.BytesIO(), "docx")
    assert str(err.value) == "unknown RDF format 'docx' (use one of: ttl, nt, nq, trig, jsonld, rdfxml)"
    with pytest.raises(QueryError) as err:
        negotiate("construct", None, "csv")
    assert str(err.value) == ("format 'csv' is not available for a CONSTRUCT query "
                              "(use one of: ttl, nt, jsonld, rdfxml)")
    with pytest.raises(QueryError) as err:
        negotiate("select", None, "docx")
    assert str(err.value) == "format 'docx' is not available for a SELECT query (use one of: json, xml, csv, tsv)"


def test_the_format_table_cannot_be_changed_by_a_caller():
    with pytest.raises(AttributeError):
        FORMATS["csv"].media_type = "text/plain"  # type: ignore[misc]
    assert {f.name for f in FORMATS.values() if f.for_graphs} == {"ttl", "nt", "jsonld", "rdfxml"}


@pytest.mark.parametrize("size", [1, 7, 64])
def test_turtle_cut_anywhere_by_the_serializer_is_rewritten_the_same(size):
    """A serializer may hand over its output in pieces that end inside a line (inside an escaped
    name, or with no final line feed): the rewrite waits for the whole line."""
    from impactkg.graph.sparql.formats import TURTLE_PREFIXES, _TurtleOut

    raw = ox.serialize(awkward_triples(), None, ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    whole = turtle(awkward_triples())
    for data in (raw, raw.rstrip(b"\n")):
        out = io.BytesIO()
        sink = _TurtleOut(out, TURTLE_PREFIXES)
        for i in range(0, len(data), size):
            assert sink.write(data[i:i + size]) == len(data[i:i + size])
        sink.close()
        assert out.getvalue() == whole[: len(out.getvalue())] and out.getvalue().rstrip(b"\n") == whole.rstrip(b"\n")
