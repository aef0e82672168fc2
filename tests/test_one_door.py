"""One door: the same question gives the same bytes from the Python API, the command line and the
endpoint, with the values as the store holds them and the dataset as the SPARQL specs define it
(issue "One door"). Each repro of the issue is a test here, with the right answer."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from servers import impactkg_server

from impactkg import KnowledgeGraph, QueryError, Refused
from impactkg.ontology import ONTOLOGY_GRAPH, UPDATES_GRAPH, ontology_file

BIN = Path(sys.executable).with_name("impactkg")
XSD = "http://www.w3.org/2001/XMLSchema#"
ODD = "https://example.org/odd"
#: Literals whose lexical forms a careless conversion changes (time zone, white space, CR, U+0001).
ODD_NT = (
    f'<{ODD}/date> <{ODD}/p> "2024-01-01Z"^^<{XSD}date> .\n'
    f'<{ODD}/token> <{ODD}/p> " x "^^<{XSD}token> .\n'
    f'<{ODD}/cr> <{ODD}/p> "a\\rb" .\n'
    f'<{ODD}/ctl> <{ODD}/p> "a\\u0001b" .\n'
)
SELECT_ODD = f"SELECT ?s ?o WHERE {{ ?s <{ODD}/p> ?o }} ORDER BY ?s"
NAMED = ("indicators-for-target", {"target": "11.b"})
ADHOC = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
ASK = "ASK { sdg:11.b a sdgo:Target }"


def ontology_triples() -> int:
    return sum(1 for _ in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("one-door")
    odd = folder / "odd.nt"
    odd.write_text(ODD_NT, encoding="utf-8")
    with KnowledgeGraph.open(folder / "store") as kg:
        kg.build()
        kg.load(odd, graph=ODD + "/graph")
    return folder / "store"


@pytest.fixture
def api(store):
    """The store opened read-only: the command line and the endpoint use it at the same time."""
    kg = KnowledgeGraph.open(store, read_only=True)
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def endpoint(store, tmp_path_factory):
    with impactkg_server(tmp_path_factory.mktemp("serve"), "--store", str(store)) as srv:
        yield srv


def cli(store: Path, *args: str) -> bytes:
    proc = subprocess.run([str(BIN), *args, "--store", str(store)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


MEDIA = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/sparql-results+json",
         "xml": "application/sparql-results+xml"}


# ---------------------------------------------------------------------- the same bytes everywhere
def test_the_same_query_gives_the_same_bytes_on_every_door(store, endpoint):
    kg = KnowledgeGraph.open(store, read_only=True)
    try:
        for fmt, media in MEDIA.items():
            name, params = NAMED
            python = kg.query(name, params).serialize(fmt)
            args = [f"{k}={v}" for k, v in params.items()]
            assert cli(store, "query", name, *sum((["-p", a] for a in args), []), "-f", fmt) == python
            qs = urllib.parse.urlencode(params)
            status, headers, body = http(f"{endpoint.base}/queries/{name}?{qs}", headers={"Accept": media})
            assert (status, body) == (200, python), fmt
            assert headers["Content-Type"] == f"{media}; charset=utf-8"
            for text in (ADHOC, ASK):
                python = kg.query(text).serialize(fmt)
                assert cli(store, "query", "-e", text, "-f", fmt) == python, (fmt, text)
                status, _, body = http(f"{endpoint.query_url}?{urllib.parse.urlencode({'query': text})}",
                                       headers={"Accept": media})
                assert (status, body) == (200, python), (fmt, text)
    finally:
        kg.close()


def test_tsv_and_csv_are_the_w3c_formats(api):
    result = api.query(*NAMED)
    tsv = result.serialize("tsv").decode()
    assert tsv.splitlines()[0] == "?id\t?indicator\t?unit\t?domain\t?impact\t?activity\t?result\t?line\t?source\t?target"
    assert tsv.splitlines()[1].startswith('"1"\t"地震後施設復旧時間"@ja\t"分"@ja\t')
    assert tsv.splitlines()[1].endswith("\t301\t<https://w3id.org/impactkg/graph/consortium/catalogue>\t<http://metadata.un.org/sdg/11.b>")
    csv = result.serialize("csv").decode()
    assert csv.startswith("id,indicator,unit,") and csv.count("\r\n") == 18 and "\ufeff" not in csv
    # ASK has no CSV/TSV form in the spec: one documented form, the same on every door.
    assert api.query(ASK).serialize("csv") == b"true" and api.query(ASK).serialize("tsv") == b"true"


# ---------------------------------------------------------------------- values as they are
def test_values_leave_the_store_unchanged(api, store):
    rows = api.query(SELECT_ODD)
    exact = {row["s"].rsplit("/", 1)[-1]: row for row in rows}
    assert str(exact["date"]["o"]) == "2024-01-01Z" and str(exact["token"]["o"]) == " x "
    assert exact["date"].term("o") == ox.Literal("2024-01-01Z", datatype=ox.NamedNode(XSD + "date"))
    assert rows.dicts(exact=True)[2]["o"] == "2024-01-01Z"
    doc = json.loads(rows.serialize("json"))
    values = [b["o"]["value"] for b in doc["results"]["bindings"]]
    assert values == ["a\rb", "a\u0001b", "2024-01-01Z", " x "]
    table = cli(store, "query", "-e", SELECT_ODD, "-f", "json")
    assert json.loads(table) == doc


def test_a_lone_carriage_return_is_quoted_in_csv_and_escaped_in_tsv(api, store):
    text = f"SELECT ?o WHERE {{ <{ODD}/cr> ?p ?o }}"
    assert cli(store, "query", "-e", text, "-f", "csv") == b'o\r\n"a\rb"\r\n'
    assert cli(store, "query", "-e", text, "-f", "tsv") == b'?o\n"a\\rb"\n'


def test_a_control_character_is_refused_by_xml_formats_naming_it(api, store, tmp_path):
    with pytest.raises(QueryError, match=r"the value of \?o in row 2 holds the character U\+0001"):
        api.query(SELECT_ODD).serialize("xml")
    for fmt in ("xml", "graphml", "gexf"):
        out = tmp_path / f"odd.{fmt}"
        proc = subprocess.run([str(BIN), "export", "--focus", f"{ODD}/ctl", "--format", fmt, "-o", str(out),
                               "--store", str(store)], capture_output=True, text=True)
        assert proc.returncode == 1 and not out.exists(), (fmt, proc.stderr)
        assert f"<{ODD}/ctl> {ODD}/p: a value holds the character U+0001" in proc.stderr, fmt
    # Formats that can escape it do.
    out = tmp_path / "odd.nt"
    subprocess.run([str(BIN), "export", "--focus", f"{ODD}/ctl", "-o", str(out), "--store", str(store)],
                   check=True, capture_output=True)
    assert '"a\\u0001b"' in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------- the dataset
def test_from_names_the_default_graph_on_every_door(api, store, endpoint):
    text = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    expected = ontology_triples()
    assert api.query(text).dicts() == [{"n": expected}]
    assert cli(store, "query", "-e", text, "-f", "csv") == f"n\r\n{expected}\r\n".encode()
    status, _, body = http(f"{endpoint.query_url}?{urllib.parse.urlencode({'query': text})}", headers={"Accept": "text/csv"})
    assert (status, body) == (200, f"n\r\n{expected}\r\n".encode())
    # The protocol's default-graph-uri does the same, and takes precedence over FROM.
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert api.query(count, default_graph_uri=[ONTOLOGY_GRAPH]).dicts() == [{"n": expected}]
    assert api.query(text, default_graph_uri=[ODD + "/graph"]).dicts() == [{"n": 4}]
    assert cli(store, "query", "-e", count, "--default-graph-uri", ONTOLOGY_GRAPH, "-f", "csv") == f"n\r\n{expected}\r\n".encode()
    # FROM NAMED alone: an empty default graph.
    assert api.query(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}").dicts() == [{"n": 0}]


def test_a_graph_the_store_lacks_is_empty_and_said(api):
    with pytest.warns(UserWarning, match="<https://example.org/nowhere> is not a graph of this store"):
        result = api.query("SELECT * FROM <https://example.org/nowhere> WHERE { ?s ?p ?o }")
    assert len(result) == 0 and result.warnings


def test_updates_read_the_union_and_write_where_queries_see(tmp_path):
    kg = KnowledgeGraph.memory()
    kg.build()
    indicators = len(kg.query("SELECT ?s WHERE { ?s a ikg:Indicator }"))
    kg.update("INSERT { ?s <https://example.org/flag> true } WHERE { ?s a ikg:Indicator }")
    assert len(kg.query("SELECT ?s WHERE { ?s <https://example.org/flag> true }")) == indicators
    assert UPDATES_GRAPH in kg.graphs()
    # The next update sees what the last one inserted.
    kg.update("DELETE { GRAPH ?g { ?s <https://example.org/flag> ?v } } WHERE { GRAPH ?g { ?s <https://example.org/flag> ?v } }")
    assert len(kg.query("SELECT ?s WHERE { ?s <https://example.org/flag> ?v }")) == 0
    with pytest.raises(QueryError, match="DELETE DATA with triples outside GRAPH"):
        kg.update("DELETE DATA { <https://example.org/a> <https://example.org/b> 1 }")
    with pytest.raises(Refused, match="reserved graph"):
        kg.update(f"DROP GRAPH <{ONTOLOGY_GRAPH}>")
    with pytest.raises(QueryError, match="give the dataset one way only"):
        kg.update("INSERT { GRAPH <https://example.org/g> { ?s ?p ?o } } USING <https://example.org/x> WHERE { ?s ?p ?o }",
                  using_graph_uri=["https://example.org/g"])


def test_the_endpoint_updates_with_the_same_dataset(tmp_path):
    store = tmp_path / "store"
    with KnowledgeGraph.open(store) as kg:
        kg.build()
        indicators = len(kg.query("SELECT ?s WHERE { ?s a ikg:Indicator }"))
    auth = {"Authorization": "Bearer T", "Content-Type": "application/x-www-form-urlencoded"}
    with impactkg_server(tmp_path, "--store", str(store), "--allow-update", "--token", "T") as srv:
        body = urllib.parse.urlencode({"update": "INSERT { ?s <https://example.org/flag> true } WHERE { ?s a ikg:Indicator }"})
        assert http(srv.query_url, body.encode(), auth)[0] == 200
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/flag> true }"
        status, _, out = http(f"{srv.query_url}?{urllib.parse.urlencode({'query': count})}", headers={"Accept": "text/csv"})
        assert out == f"n\r\n{indicators}\r\n".encode()
        # using-graph-uri gives the WHERE its default graph; with a USING of its own it is a conflict.
        target = "https://w3id.org/impactkg/graph/consortium/catalogue"
        form = {"update": "INSERT { GRAPH <https://example.org/copy> { ?s a ?c } } WHERE { ?s a ?c }",
                "using-graph-uri": target}
        assert http(srv.query_url, urllib.parse.urlencode(form).encode(), auth)[0] == 200
        copied = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/copy> { ?s ?p ?o } }"
        expected = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?c WHERE {{ GRAPH <{target}> {{ ?s a ?c }} }} }}"
        ask = lambda q: http(f"{srv.query_url}?{urllib.parse.urlencode({'query': q})}", headers={"Accept": "text/csv"})[2]  # noqa: E731
        assert ask(copied) == ask(expected) and ask(copied) != b"n\r\n0\r\n"
        form["update"] = form["update"].replace(" WHERE", f" USING <{target}> WHERE")
        status, _, out = http(srv.query_url, urllib.parse.urlencode(form).encode(), auth)
        assert status == 400 and b"give the dataset one way only" in out


def test_relative_iris_resolve_against_the_endpoint_and_other_methods_are_405(endpoint):
    text = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    status, _, body = http(f"{endpoint.query_url}?{urllib.parse.urlencode({'query': text})}",
                           headers={"Accept": "application/n-triples"})
    assert status == 200
    assert body.decode() == (f"<{endpoint.query_url.rsplit('/', 1)[0]}/s> <{endpoint.query_url.rsplit('/', 1)[0]}/p> "
                             f'"1"^^<{XSD}integer> .\n')
    status, headers, body = http(endpoint.query_url, b"x", {"Content-Type": "text/plain"}, method="PUT")
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert body == b"PUT is not allowed on /sparql: use GET or POST\n"


def test_a_rq_file_resolves_relative_iris_against_itself(api, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?x WHERE { BIND(<here> AS ?x) }", encoding="utf-8")
    assert api.query(str(rq)).dicts() == [{"x": (tmp_path / "here").as_uri()}]


# ---------------------------------------------------------------------- exports
def test_jsonld_exports_the_same_triples_as_turtle_unless_graphs_are_asked_for(store, tmp_path):
    ttl, jsonld, quads = tmp_path / "g.ttl", tmp_path / "g.jsonld", tmp_path / "q.jsonld"
    cli(store, "export", "-o", str(ttl))
    cli(store, "export", "-o", str(jsonld))
    cli(store, "export", "-o", str(quads), "--graphs")
    a = rdflib.Graph().parse(ttl, format="turtle")
    b = rdflib.Graph().parse(jsonld, format="json-ld")
    assert len(a) == len(b) > 8000
    assert rdflib.compare.isomorphic(a, b)
    named = rdflib.Dataset()
    named.parse(quads, format="json-ld")
    assert ONTOLOGY_GRAPH in {str(g.identifier) for g in named.graphs() if len(g)}


def test_turtle_with_records_is_readable_by_rdflib_and_pyoxigraph(api, tmp_path):
    out = tmp_path / "all.ttl"
    api.export(out, "ttl")
    text = out.read_text(encoding="utf-8")
    assert "ikd:" not in text and "\\/" not in text
    assert len(rdflib.Graph().parse(out, format="turtle")) == sum(1 for _ in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
