"""The graph on real SPARQL servers: Oxigraph server and Virtuoso, started on loopback by the
fixtures of tests/servers.py. The foundation's dataset, query and store tests run unchanged
against both, and the remote back end's own promises (batches, skolemisation, atomic loads,
safe parameters, credentials, the CLI) are checked on the real servers."""

from __future__ import annotations

import inspect
import re

import pyoxigraph as ox
import pytest
import test_dataset
import test_queries
import test_store
from servers import impactkg_server, oxigraph_server, virtuoso_server

from impactkg import KnowledgeGraph, LoadError, QueryError, StoreError
from impactkg.cli import main
from impactkg.graph.backends import QueryRequest
from impactkg.graph.backends.remote import BATCH, GENID, RemoteBackend
from impactkg.queries import library

SERVERS = ["oxigraph-server", "virtuoso"]


@pytest.fixture(scope="module", params=SERVERS)
def server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    start = oxigraph_server if request.param == "oxigraph-server" else virtuoso_server
    with start(folder) as srv:
        yield srv


@pytest.fixture(scope="module")
def remote_kg(server) -> KnowledgeGraph:
    """The embedded dataset built on the server through the remote back end."""
    kg = KnowledgeGraph.remote(server.query_url, server.update_url)
    kg.build()
    return kg


# ---------------------------------------------------------------------- the foundation's tests
#: Foundation tests that are about the embedded store itself, not about the graph.
EMBEDDED_ONLY = {
    "test_rdflib_view_through_oxrdflib": "asserts that the back end is the embedded Oxigraph "
    "(the remote rdflib view is checked in test_rdflib_view_of_the_server)",
}


def _foundation_cases() -> list:
    """Every foundation test of the dataset, the named queries and the store that needs only
    the shared graph (``kg``), with its own parametrisation."""
    cases = []
    for module in (test_dataset, test_queries, test_store):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("test_") or fn.__module__ != module.__name__ or name in EMBEDDED_ONLY:
                continue
            args = set(inspect.signature(fn).parameters)
            if "kg" not in args or not args <= {"kg", "seed_lines", "name", "rdflib_kg"}:
                continue
            marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
            values = list(marks[0].args[1]) if marks else [None]
            for value in values:
                label = f"{module.__name__}.{name}" + (f"[{value}]" if value else "")
                cases.append(pytest.param(fn, value, id=label))
    return cases


FOUNDATION = _foundation_cases()


def test_the_foundation_cases_cover_the_named_query_tests():
    ids = {c.id for c in FOUNDATION}
    assert "test_dataset.test_indicators_for_target_11b_are_the_17_catalogue_rows_with_units" in ids
    assert {f"test_queries.test_every_named_query_answers_on_the_embedded_graph[{n}]" for n in library()} <= ids
    assert len(FOUNDATION) > 40


@pytest.mark.parametrize(("test", "value"), FOUNDATION)
def test_foundation_tests_pass_unchanged_on_the_server(request, remote_kg, kg, test, value):
    """The foundation's test functions, called with the remote graph as their ``kg``; where a
    test compares two back ends, the other one is the embedded store."""
    args = inspect.signature(test).parameters
    kwargs = {"kg": remote_kg}
    if "name" in args:
        kwargs["name"] = value
    if "rdflib_kg" in args:
        kwargs["rdflib_kg"] = kg
    if "seed_lines" in args:
        kwargs["seed_lines"] = request.getfixturevalue("seed_lines")
    test(**kwargs)


def _concatenated(text: str) -> dict[str, str]:
    """Result variables made with GROUP_CONCAT, and their separators."""
    out = {}
    for m in re.finditer(r"GROUP_CONCAT\((?:DISTINCT\s+)?[^;)]*;\s*separator\s*=\s*\"([^\"]*)\"\)\s+AS\s+\?(\w+)", text, re.I):
        out[m.group(2)] = m.group(1)
    return out


def _normalised(name: str, rows: list[dict]) -> list[str]:
    """Rows comparable across engines: SPARQL leaves the order inside GROUP_CONCAT open, so
    those cells are compared as sorted lists of their parts; numbers by value."""
    concat = _concatenated(library()[name].text)
    out = []
    for row in rows:
        cells = {}
        for k, v in row.items():
            if k in concat and isinstance(v, str):
                v = sorted(v.split(concat[k])) if concat[k] else sorted(v)
            elif isinstance(v, int | float) or type(v).__name__ == "Decimal":
                v = str(v).rstrip("0").rstrip(".") if "." in str(v) else str(v)
            cells[k] = v
        out.append(repr(cells))
    return sorted(out)


PARAMS = {
    "indicators-for-target": {"target": "11.b"},
    "label-search": {"q": "銀行"},
    "case-map-cells": {"issue": "environment"},
    "databases": {"scene": "scene-3"},
    "finance-by-method": {"method": "debt"},
    "stakeholders-by-type": {"type": "municipality"},
    "logic-chain": {"target": "16.1"},
    "indicator-values": {"indicator": "hj21-1"},
    "targets-without-indicator": {"goal": "11"},
}


@pytest.mark.parametrize("name", sorted(library()))
def test_every_named_query_gives_the_same_answer_on_the_server(remote_kg, kg, name):
    for params in ({}, PARAMS.get(name)):
        if params is None or (not params and any(p.required for p in library()[name].params)):
            continue
        local = kg.query(name, **params).dicts()
        remote = remote_kg.query(name, **params).dicts()
        assert _normalised(name, remote) == _normalised(name, local), (name, params)


def test_the_server_holds_the_same_graphs_and_quads(remote_kg, kg):
    assert remote_kg.graphs() == kg.graphs()
    assert len(remote_kg) == len(kg)
    def plain(quads) -> list[str]:
        """The quads without blank nodes or skolem IRIs."""
        return sorted(
            str(q) for q in quads
            if not any(isinstance(t, ox.BlankNode) or (isinstance(t, ox.NamedNode) and t.value.startswith(GENID))
                       for t in (q.subject, q.object))
        )

    local = list(kg.quads())
    remote = list(remote_kg.quads())
    assert not any(isinstance(t, ox.BlankNode) for q in remote for t in (q.subject, q.object))
    assert plain(remote) == plain(local)
    with_blank = [q for q in local if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    skolemised = [q for q in remote if any(isinstance(t, ox.NamedNode) and t.value.startswith(GENID) for t in (q.subject, q.object))]
    assert len(skolemised) == len(with_blank)  # every blank node became a well-known genid IRI


def test_rdflib_view_of_the_server(remote_kg):
    import rdflib

    ds = remote_kg.rdflib
    label = ds.value(rdflib.URIRef("http://metadata.un.org/sdg/11"), rdflib.SKOS.prefLabel)
    assert label is not None
    assert remote_kg.backend == "remote"


def test_parameters_are_escaped_terms_that_cannot_change_the_query(remote_kg):
    hostile = [
        '") } UNION { ?resource ?p ?label } #', "'''", '"""', "x\\", "\\u0022 } ?s ?p ?o {",
        "\\U00000022", "line\nbreak\r", "<http://example.org/>", "日本\t語", "\x01",
    ]
    for value in hostile:
        rows = remote_kg.sparql("SELECT ?x (STRLEN(?x) AS ?n) WHERE { }", {"x": ox.Literal(value)}).rows
        assert [str(rows[0][0])] == [value], value
        assert len(remote_kg.query("label-search", q=value)) == 0, value
    assert len(remote_kg.query("label-search", q="銀行")) > 0


def test_build_pushes_batches_of_at_most_1000_triples_and_a_failed_load_changes_nothing(server, tmp_path):
    """A spy on the real back end records every update request; a second run fails in the
    middle of its batches and must leave the server exactly as it was."""
    sent: list[str] = []

    class Spy(RemoteBackend):
        fail_after: int | None = None

        def update(self, sparql, base_iri=None, timeout=None):
            sent.append(sparql)
            if self.fail_after is not None and len(sent) == self.fail_after + 1:
                raise StoreError("the connection broke (simulated)")
            return super().update(sparql, base_iri, timeout)

        def run(self, text, **dataset):
            return self.query(QueryRequest(text, **dataset))

    graph = "https://example.org/graph/batches"
    spy = Spy(server.query_url, server.update_url)
    quads = [
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                ox.Literal(f"値 {i}", language="ja"), ox.NamedNode(graph))
        for i in range(2500)
    ] + [ox.Quad(ox.BlankNode("b1"), ox.NamedNode("https://example.org/p"), ox.Literal("blank"), ox.NamedNode(graph))]
    spy.replace_graphs({graph: quads})
    inserts = [s for s in sent if s.startswith("INSERT DATA")]
    sizes = [len(re.findall(r" \.$", s, re.M)) for s in inserts]
    assert sizes and max(sizes) <= BATCH and sum(sizes) == len(quads)
    assert len(inserts) == 3
    before = spy._count([graph])
    assert before == len(quads)

    sent.clear()
    spy.fail_after = 2  # the third INSERT DATA of the new content breaks
    other = [ox.Quad(q.subject, q.predicate, ox.Literal("別の値"), q.graph_name) for q in quads]
    with pytest.raises(StoreError, match="simulated"):
        spy.replace_graphs({graph: other})
    spy.fail_after = None
    assert len([s for s in sent if s.startswith("INSERT DATA")]) == 3  # the third one broke
    assert any(s.startswith("DROP SILENT GRAPH <urn:impactkg:staging:") for s in sent)  # cleaned up
    assert spy._count([graph]) == before
    assert spy.run(f"ASK {{ GRAPH <{graph}> {{ ?s ?p '別の値' }} }}").boolean is False
    assert spy.run(f"ASK {{ GRAPH <{graph}> {{ ?s ?p '値 7'@ja }} }}").boolean is True
    assert not [g for g in spy.graph_names() if "staging" in g]
    leftover = spy.run("ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:impactkg:staging')) }",
                       default_graphs=[], named_graphs=None, union=False)
    assert leftover.boolean is False
    spy.drop_graph(graph)
    assert graph not in spy.graph_names()


def test_is_empty_sees_the_server_as_it_is_now_and_counts_nothing(tmp_path):
    """``is_empty`` on a real server: empty, then a graph loaded by another client, then dropped by
    it again; each answer takes one request, which lists the graphs and counts no quad."""
    sent: list[str] = []

    class Spy(RemoteBackend):
        def _post(self, url, form, accept, timeout):
            sent.append(dict(form).get("query", ""))
            return super()._post(url, form, accept, timeout)

    with oxigraph_server(tmp_path / "empty") as srv:
        spy = Spy(srv.query_url, srv.update_url)
        other = KnowledgeGraph.remote(srv.query_url, srv.update_url)
        graph = "https://example.org/graph/emptiness"
        answers = [spy.is_empty()]
        other.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/s> <https://example.org/p> 1 }} }}")
        answers.append(spy.is_empty())
        other.drop(graph)
        answers.append(spy.is_empty())
    assert answers == [True, False, True]
    assert len(sent) == 3 and not [q for q in sent if "COUNT" in q.upper()]


def test_load_and_drop_your_own_file_on_the_server(server, tmp_path):
    kg = KnowledgeGraph.remote(server.query_url, server.update_url)
    path = tmp_path / "extra.ttl"
    path.write_text(
        '@prefix ikg: <https://w3id.org/impactkg/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        '<https://example.org/x> a ikg:Indicator ; rdfs:label "追加の指標"@ja ; ikg:note [ rdfs:label "空白ノード" ] .\n',
        encoding="utf-8",
    )
    summary = kg.load(path, graph="https://example.org/graph/extra")
    assert "https://example.org/graph/extra" in kg.graphs()
    assert summary.triples_after - summary.triples_before == 4
    rows = kg.sparql("SELECT ?b ?l WHERE { <https://example.org/x> ikg:note ?b . ?b rdfs:label ?l }").rows
    assert rows[0][0].startswith(GENID) and str(rows[0][1]) == "空白ノード"
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://example.org/y> <https://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(LoadError):
        kg.load(bad, graph="https://example.org/graph/extra")
    assert len(kg.sparql("SELECT ?l WHERE { <https://example.org/x> rdfs:label ?l }")) == 1
    kg.drop("https://example.org/graph/extra")
    assert "https://example.org/graph/extra" not in kg.graphs()


def test_cli_commands_work_against_the_server(server, remote_kg, capsys, tmp_path, monkeypatch):
    assert main(["query", "indicators-for-target", "--param", "target=11.b", "--format", "csv",
                 "--endpoint", server.query_url, "--update-endpoint", server.update_url]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 18 and lines[1].startswith("1,地震後施設復旧時間,分")
    monkeypatch.setenv("IMPACTKG_ENDPOINT", server.query_url)
    monkeypatch.setenv("IMPACTKG_UPDATE_ENDPOINT", server.update_url)
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"store: {server.query_url} (remote)" in out and f"quads: {len(remote_kg)}" in out
    assert main(["export", "-o", str(tmp_path / "all.nq")]) == 0
    exported = list(ox.parse(path=str(tmp_path / "all.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(exported) == len(remote_kg)
    assert main(["query", "-e", "SELECT ?x WHERE { ?x ?p }"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("impactkg: error: ") and "the SPARQL server at" in err and err.count("\n") == 1


def test_unreachable_server_and_bad_urls_are_one_line_errors():
    kg = KnowledgeGraph.remote("http://127.0.0.1:1/sparql")
    with pytest.raises(StoreError, match=r"cannot reach the SPARQL server at http://127\.0\.0\.1:1/sparql"):
        kg.query("units-in-use")
    with pytest.raises(StoreError, match="not an http"):
        KnowledgeGraph.remote("ftp://example.org/sparql")
    with pytest.raises(StoreError, match="either a store folder or a SPARQL endpoint"):
        KnowledgeGraph.open("somewhere", endpoint="http://127.0.0.1:1/sparql")


def test_virtuoso_with_digest_credentials_and_a_row_limit(tmp_path_factory):
    """Virtuoso's /sparql-auth takes HTTP Digest credentials; a Virtuoso that cuts results
    (ResultSetMaxRows) is reported, never taken for a complete answer."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso-auth"), max_rows=1000) as srv:
        url = srv.base + "/sparql-auth"
        kg = KnowledgeGraph.remote(url, auth=("dba", "dba"))
        kg.build()
        assert len(kg.query("indicators-for-target", target="11.b")) == 17
        with pytest.raises(StoreError, match="refused the request"):
            KnowledgeGraph.remote(url, auth=("dba", "wrong")).query("units-in-use")
        with pytest.raises(StoreError, match="IMPACTKG_USER"):
            KnowledgeGraph.remote(url).query("units-in-use")
        with pytest.raises(QueryError, match="cut the result at 1000 rows"):
            kg.sparql("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(StoreError, match=r"gave 1000 of the \d+ triples .*ResultSetMaxRows"):
            list(kg.quads())


def test_serve_a_remote_server_through_impactkg_serve(tmp_path_factory):
    """``impactkg serve --endpoint URL`` over an Oxigraph server: named queries answered through
    it, and a slow query given up at the time limit while the next request is answered (the
    Oxigraph server's own --timeout-s stops its evaluation there)."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    folder = tmp_path_factory.mktemp("serve-remote")
    with oxigraph_server(folder / "oxigraph", timeout=4) as remote:
        KnowledgeGraph.remote(remote.query_url, remote.update_url).build()
        with impactkg_server(folder, "--endpoint", remote.query_url, "--update-endpoint", remote.update_url,
                             "--timeout", "2") as srv:
            url = f"{srv.base}/queries/indicators-for-target?target=11.b"
            with urllib.request.urlopen(url, timeout=30) as resp:
                doc = json.load(resp)
            assert len(doc["results"]["bindings"]) == 17
            slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(srv.query_url + "?query=" + urllib.parse.quote(slow), timeout=60)
            assert exc.value.code == 503
            assert "time limit of 2 s" in exc.value.read().decode()
            with urllib.request.urlopen(url, timeout=30) as resp:
                assert len(json.load(resp)["results"]["bindings"]) == 17

        # a local store served with its allow-list: SERVICE reaches the allowed host only
        with KnowledgeGraph.open(folder / "store") as local:
            local.build()
        with impactkg_server(folder / "federated", "--store", str(folder / "store"), "--allow-host", "127.0.0.1") as srv:
            federated = (
                f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ SERVICE <{remote.query_url}> "
                "{ GRAPH ?g { ?s a ikg:Indicator } } }"
            )
            with urllib.request.urlopen(srv.query_url + "?query=" + urllib.parse.quote(federated), timeout=60) as resp:
                assert json.load(resp)["results"]["bindings"][0]["n"]["value"] == "36"
            elsewhere = federated.replace("127.0.0.1", "localhost")
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(srv.query_url + "?query=" + urllib.parse.quote(elsewhere), timeout=60)
            assert exc.value.code == 403 and "host localhost is not on the allow-list" in exc.value.read().decode()


def test_query_error_from_the_server_is_one_line(remote_kg):
    with pytest.raises(QueryError) as exc:
        remote_kg.sparql("SELECT ?x WHERE { ?x ?p }")
    message = str(exc.value)
    assert "\n" not in message and re.search(r"^invalid SPARQL: .*answered 400|answered 500: ", message), message
