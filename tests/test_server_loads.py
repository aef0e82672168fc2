"""A load while ``impactkg serve`` serves the store goes through the server and is visible on
``/sparql`` when it returns; without the token the command line refuses with the server's address
and how to load through it; nothing diverges silently. (Before: ``impactkg load mine.csv`` printed
``8513 -> 8649 quads`` while the served graph kept 8,513 and the new graph had 0 triples on
/sparql.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from servers import impactkg_server

from impactkg import KnowledgeGraph
from impactkg.errors import StoreError

BIN = Path(sys.executable).parent / "impactkg"
TOKEN = "load-s3cret"
MINE = "https://w3id.org/impactkg/graph/mine"
CATALOGUE = "id,indicator,unit,domain,sdg_target\n1,テスト指標,人,インフラ・不動産,11.b\n2,別の指標,件,インフラ・不動産,3.4\n"
COUNT_MINE = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MINE}> {{ ?s ?p ?o }} }}"


def sparql_count(base: str, query: str) -> int:
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': query})}"
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return int(json.load(resp)["results"]["bindings"][0]["n"]["value"])


def cli(*args: str, token: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "IMPACTKG_TOKEN"}
    if token:
        env["IMPACTKG_TOKEN"] = token
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)


def post(base: str, body: bytes, query: str, token: str | None = TOKEN, accept: str = "text/plain"):
    headers = {"Content-Type": "application/octet-stream", "Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{base}/load?{query}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-loads")
    store = folder / "store"
    with KnowledgeGraph.open(store) as kg:
        kg.build()
    mine = folder / "mine.csv"
    mine.write_text(CATALOGUE, encoding="utf-8")
    with impactkg_server(folder, "--store", str(store), "--allow-update", env={"IMPACTKG_TOKEN": TOKEN}) as srv:
        yield srv, store, mine


def test_a_load_without_the_token_is_refused_with_the_servers_address(served):
    srv, store, mine = served
    before = sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    proc = cli("load", str(mine), "--store", str(store))
    assert proc.returncode == 1
    pid = srv.process.pid
    assert proc.stderr == (
        f"impactkg: error: the store at {store} is served by impactkg serve at {srv.base} (pid {pid}): "
        f"load through it: impactkg load FILE --store {store} --token TOKEN (the server's token, or "
        f"$IMPACTKG_TOKEN), or POST the file to {srv.base}/load\n")
    assert sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


def test_a_load_through_the_server_is_visible_on_sparql_when_it_returns(served):
    srv, store, mine = served
    before = sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    proc = cli("load", str(mine), "--store", str(store), token=TOKEN)
    assert proc.returncode == 0, proc.stderr
    assert f"is served at {srv.base}: loading through it" in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"mine.csv: 2 rows -> {sparql_count(srv.base, COUNT_MINE)} triples in <{MINE}>"
    after = sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert lines[1] == f"store: {before} -> {after} quads" and after > before
    with urllib.request.urlopen(f"{srv.base}/queries/indicators-for-target?target=3.4", timeout=60) as resp:
        rows = json.load(resp)["results"]["bindings"]
    assert "別の指標" in {r["indicator"]["value"] for r in rows}
    # The Python API beside the server reads the new version, and is told where to write.
    kg = KnowledgeGraph.open(store)
    try:
        assert kg.served_by is not None and kg.served_by.url == srv.base
        assert MINE in kg.graphs()
        with pytest.raises(StoreError, match=f"served by impactkg serve at {srv.base}"):
            kg.load(mine)
    finally:
        kg.close()


def test_the_load_route_checks_the_token_reports_problems_and_refuses_reserved_graphs(served):
    srv, store, _ = served
    body = CATALOGUE.encode()
    assert post(srv.base, body, "filename=x.csv", token=None)[0] == 401
    assert post(srv.base, body, "filename=x.csv", token="wrong")[0] == 401
    bad = b"id,indicator,sdg_target\n1,x,3.99\n"
    count = sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    status, text = post(srv.base, bad, "filename=bad.csv")
    assert (status, text) == (400, "bad.csv:2:sdg_target: unknown SDG target '3.99'\n"
                                   "nothing loaded: 1 problem; the graph is unchanged\n")
    status, text = post(srv.base, body, "filename=x.csv&graph=https://w3id.org/impactkg/graph/ontology")
    assert status == 403 and "reserved graph <https://w3id.org/impactkg/graph/ontology>" in text
    assert sparql_count(srv.base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == count
    # two files in one load: each with its length
    a, b = "id,indicator\n7,甲\n".encode(), "id,indicator\n8,乙\n".encode()
    status, text = post(srv.base, a + b, f"filename=a.csv&filename=b.csv&length={len(a)}&length={len(b)}&kind=catalogue")
    assert status == 200, text
    assert text.splitlines()[:2] == [
        "a.csv: 1 rows -> 8 triples in <https://w3id.org/impactkg/graph/a>",
        "b.csv: 1 rows -> 8 triples in <https://w3id.org/impactkg/graph/b>"]


def test_a_read_only_server_says_it_takes_no_writes(tmp_path):
    store = tmp_path / "store"
    with KnowledgeGraph.open(store) as kg:
        kg.build()
    mine = tmp_path / "mine.csv"
    mine.write_text(CATALOGUE, encoding="utf-8")
    with impactkg_server(tmp_path, "--store", str(store)) as srv:
        proc = cli("load", str(mine), "--store", str(store), token=TOKEN)
        assert proc.returncode == 1
        assert f"served by impactkg serve at {srv.base}" in proc.stderr
        assert "it takes no writes (started without --allow-update)" in proc.stderr
        assert post(srv.base, CATALOGUE.encode(), "filename=mine.csv")[0] == 403
    assert not (store / "serving.json").exists()  # gone with the server
    proc = cli("load", str(mine), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
