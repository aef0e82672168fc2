"""``impactkg serve`` as clients use it: SPARQLWrapper and curl in every format, named queries,
the service description, and the safety promises (read-only by default, updates need the
token, time limit that really stops the query, result cap, body limit, no SERVICE / LOAD /
remote FROM, loopback only), under a bounded load of 20 concurrent clients."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from servers import impactkg_server
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from test_dataset import TARGET_11B

from impactkg import KnowledgeGraph
from impactkg.cli import main

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
SELECT_11B = (
    "SELECT ?id ?unit WHERE { ?i a ikg:Indicator ; ikg:sdgTarget sdg:11.b ; dcterms:identifier ?id . "
    "OPTIONAL { ?i ikg:unit/skos:prefLabel ?unit FILTER(lang(?unit) = 'ja') } } ORDER BY ?id"
)
CONSTRUCT_11B = (
    "CONSTRUCT { ?i rdfs:label ?l } WHERE { ?i a ikg:Indicator ; ikg:sdgTarget sdg:11.b ; rdfs:label ?l "
    "FILTER(lang(?l) = 'ja') }"
)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EXPECTED = {k: unit for k, (_, unit) in TARGET_11B.items()}


def built_store(folder: Path) -> Path:
    with KnowledgeGraph.open(folder) as kg:
        kg.build()
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    store = built_store(folder / "store")
    with impactkg_server(folder, "--store", str(store), "--timeout", "2", "--max-results", "5000",
                         "--max-body", "200000") as srv:
        yield srv


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-rw")
    store = built_store(folder / "store")
    with impactkg_server(folder, "--store", str(store), "--allow-update", env={"IMPACTKG_TOKEN": "s3cret"}) as srv:
        yield srv


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
    """(status, headers, body) of a request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(srv, query: str, accept: str = "application/sparql-results+json", **params):
    qs = urllib.parse.urlencode({"query": query, **params})
    return request(f"{srv.query_url}?{qs}", headers={"Accept": accept})


def post_form(srv, field: str, text: str, headers: dict[str, str] | None = None):
    body = urllib.parse.urlencode({field: text}).encode()
    return request(srv.query_url, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


# ---------------------------------------------------------------------- real clients
def test_sparqlwrapper_gets_select_and_ask_in_every_format(server):
    sw = SPARQLWrapper(server.query_url)
    sw.setQuery(SELECT_11B)
    sw.setReturnFormat(JSON)
    doc = sw.query().convert()
    assert {b["id"]["value"]: b["unit"]["value"] for b in doc["results"]["bindings"] if "unit" in b} == EXPECTED

    sw.setReturnFormat(XML)
    dom = sw.query().convert()
    ids = [r.getElementsByTagName("literal")[0].firstChild.data for r in dom.getElementsByTagName("result")]
    assert sorted(ids) == sorted(EXPECTED)

    sw.setReturnFormat(CSV)
    rows = list(csv.DictReader(io.StringIO(sw.query().convert().decode("utf-8"))))
    assert {r["id"]: r["unit"] for r in rows} == EXPECTED

    sw.setReturnFormat(TSV)
    lines = sw.query().convert().decode("utf-8").splitlines()
    assert lines[0] == "?id\t?unit"
    assert {line.split("\t")[0].strip('"') for line in lines[1:]} == set(EXPECTED)
    assert '"分"@ja' in {line.split("\t")[1] for line in lines[1:]}

    sw.setMethod("POST")
    sw.setQuery("ASK { ?i a ikg:Indicator ; ikg:sdgTarget sdg:11.b }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setReturnFormat(XML)
    assert sw.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_gets_construct_in_every_format(server):
    sw = SPARQLWrapper(server.query_url)
    sw.setQuery(CONSTRUCT_11B)
    for fmt, parse_as in ((TURTLE, "turtle"), (N3, "turtle"), (JSONLD, None), (RDFXML, None)):
        sw.setReturnFormat(fmt)
        result = sw.query().convert()
        graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result, format=parse_as)
        labels = {str(o) for o in graph.objects(None, rdflib.RDFS.label)}
        assert labels == {label for label, _ in TARGET_11B.values()}, fmt
    sw.setReturnFormat(N3)
    sw.setOnlyConneg(True)
    sw.addCustomHttpHeader("Accept", "application/n-triples")
    response = sw.query()
    assert response.info()["content-type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=response.convert(), format="nt")) == 17


def curl(*args: str, data: str | None = None) -> tuple[int, str, bytes]:
    out = subprocess.run(
        ["curl", "-s", "-S", "--max-time", "60", "-o", "-", "-w", "\n%{http_code} %{content_type}", *args],
        input=data.encode() if data is not None else None, capture_output=True, check=True,
    ).stdout
    body, _, tail = out.rpartition(b"\n")
    code, _, ctype = tail.decode().partition(" ")
    return int(code), ctype, body


@pytest.mark.skipif(not any(Path(p, "curl").exists() for p in os.environ.get("PATH", "").split(":")),
                    reason="curl is not installed")
def test_curl_in_every_format_with_get_form_and_direct_post(server, kg):
    """curl gets, in each format and each way of asking, exactly the bytes the Python API writes
    for the same query (the server holds the same embedded graph)."""
    url = server.query_url
    result = kg.query(SELECT_11B)
    assert len(result) == 17
    formats = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
               "text/csv": "csv", "text/tab-separated-values": "tsv"}
    expect = {accept: (lambda b, fmt=fmt: b == result.serialize(fmt)) for accept, fmt in formats.items()}
    for accept, check in expect.items():
        for how in ("get", "form", "direct"):
            if how == "get":
                code, ctype, body = curl("-G", "-H", f"Accept: {accept}", "--data-urlencode", f"query={SELECT_11B}", url)
            elif how == "form":
                code, ctype, body = curl("-H", f"Accept: {accept}", "--data-urlencode", f"query={SELECT_11B}", url)
            else:
                code, ctype, body = curl("-H", f"Accept: {accept}", "-H", "Content-Type: application/sparql-query",
                                         "--data-binary", "@-", url, data=SELECT_11B)
            assert code == 200 and ctype.startswith(accept), (accept, how, code, ctype)
            assert check(body), (accept, how)
    graphs = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
    for accept, fmt in graphs.items():
        code, ctype, body = curl("-H", f"Accept: {accept}", "--data-urlencode", f"query={CONSTRUCT_11B}", url)
        assert code == 200 and ctype.startswith(accept)
        assert len(rdflib.Graph().parse(data=body, format=fmt)) == 17, accept
    code, ctype, body = curl("-G", "--data-urlencode", "query=DESCRIBE sdg:11.b", url)
    assert code == 200 and ctype.startswith("text/turtle") and b"11.b" in body


def test_content_negotiation_and_format_parameter(server):
    status, headers, _ = get(server, SELECT_11B, "text/csv;q=0.5, application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    status, headers, _ = get(server, SELECT_11B, "*/*")
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    status, headers, body = get(server, SELECT_11B, "*/*", format="tsv")
    assert headers["Content-Type"].startswith("text/tab-separated-values")
    status, _, body = get(server, SELECT_11B, "*/*", format="ttl")
    assert status == 400 and b"not available for a SELECT query" in body


def test_xlsx_download_of_a_named_query(server):
    from openpyxl import load_workbook

    status, headers, body = request(f"{server.base}/queries/indicators-for-target?target=11.b&format=xlsx")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(body)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "indicator", "unit") and len(rows) == 18
    assert rows[1][7] == 301  # the source line stays a number


def test_service_description(server, kg):
    status, headers, body = request(server.query_url, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=body, format="turtle")
    ep = rdflib.URIRef(server.query_url)
    assert (ep, SD.endpoint, ep) in g
    assert (ep, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (ep, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert {str(n) for n in g.objects(None, SD.name)} == set(kg.graphs())
    status, headers, _ = request(server.query_url, headers={"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")  # redirected to the query page


def test_named_queries_with_parameters(server):
    status, _, body = request(f"{server.base}/queries/indicators-for-target?target=11.b")
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and {r["id"]["value"]: r["unit"]["value"] for r in rows if "unit" in r} == EXPECTED
    status, _, body = request(f"{server.base}/queries/indicators-for-target",
                              urllib.parse.urlencode({"target": "１１．ｂ"}).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 17
    status, _, body = request(f"{server.base}/queries/indicators-for-target?target=3.99")
    assert status == 400 and b"unknown SDG target '3.99'" in body
    status, _, body = request(f"{server.base}/queries/label-search?" + urllib.parse.urlencode(
        {"q": '") } UNION { ?resource ?p ?label } #'}))
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    status, _, body = request(f"{server.base}/queries/indicators-for-targets")
    assert status == 404 and b"did you mean indicators-for-target" in body
    status, _, body = request(f"{server.base}/queries/..%2F..%2Fetc%2Fpasswd.rq")
    assert status == 404
    status, _, body = request(f"{server.base}/queries")
    assert {q["name"] for q in json.loads(body)} >= {"indicators-for-target", "case-map", "label-search"}


# ---------------------------------------------------------------------- safety
def test_updates_are_refused_on_a_read_only_server(server):
    status, _, body = post_form(server, "update", "INSERT DATA { <urn:x> <urn:p> 'x' }")
    assert status == 403 and b"read-only" in body
    status, _, body = request(server.query_url, b"INSERT DATA { <urn:x> <urn:p> 'x' }",
                              {"Content-Type": "application/sparql-update"})
    assert status == 403
    assert get(server, "ASK { <urn:x> ?p ?o }")[2] == b'{"head":{},"boolean":false}'


def test_updates_need_the_token(writable):
    insert = "INSERT DATA { GRAPH <https://example.org/graph/added> { <https://example.org/a> rdfs:label 'added'@en } }"
    ask = "ASK { <https://example.org/a> rdfs:label 'added'@en }"
    status, headers, body = post_form(writable, "update", insert)
    assert status == 401 and b"Authorization: Bearer" in body and "Bearer" in headers["WWW-Authenticate"]
    status, _, _ = post_form(writable, "update", insert, {"Authorization": "Bearer wrong"})
    assert status == 401
    assert json.loads(get(writable, ask)[2])["boolean"] is False

    sw = SPARQLWrapper(writable.query_url, updateEndpoint=writable.update_url)
    sw.setMethod("POST")
    sw.addCustomHttpHeader("Authorization", "Bearer s3cret")
    sw.setQuery(insert)
    assert sw.query().response.status == 200
    assert json.loads(get(writable, ask)[2])["boolean"] is True
    status, _, body = request(f"{writable.base}/", headers={"Accept": "text/html"})
    assert status == 200
    g = rdflib.Graph().parse(data=request(writable.query_url, headers={"Accept": "text/turtle"})[2], format="turtle")
    assert rdflib.URIRef("https://example.org/graph/added") in set(g.objects(None, SD.name))
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in g

    status, _, body = post_form(writable, "update", "LOAD <http://127.0.0.1:1/data.ttl>", {"Authorization": "Bearer s3cret"})
    assert status == 403 and b"LOAD <http://127.0.0.1:1/data.ttl> is refused" in body
    status, _, body = post_form(writable, "update", "DROP GRAPH <https://example.org/graph/added>", {"Authorization": "Bearer s3cret"})
    assert status == 200
    assert json.loads(get(writable, ask)[2])["boolean"] is False


def test_service_load_and_remote_from_are_refused(server, kg):
    refused = [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://127.0.0.1:1/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:1/> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { service#comment\n<http://127.0.0.1:1/> { ?s ?p ?o } }",
    ]
    for query in refused:
        status, _, body = post_form(server, "query", query)
        assert status == 403 and b"is refused" in body, query
    # The engine reads no \u escapes outside strings: such a SERVICE is invalid SPARQL, never run.
    status, _, body = post_form(server, "query", "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert status == 400 and body.startswith(b"invalid SPARQL at line 1, column 18: unexpected character")
    # A graph of the dataset that the store does not hold is an empty graph (SPARQL 1.1 Protocol),
    # never fetched, and the answer says so in a header.
    for query, extra in (("SELECT * FROM <http://127.0.0.1:1/data.ttl> WHERE { ?s ?p ?o }", {}),
                         ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": "http://127.0.0.1:1/x"})):
        status, headers, body = get(server, query, **extra)
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
        assert "is not a graph of this store: it counts as an empty graph" in headers["X-Impactkg-Warning"]
    allowed = [
        "SELECT * WHERE { ?s rdfs:label 'SERVICE <http://127.0.0.1:1/>' } # SERVICE <http://127.0.0.1:1/>",
        f"SELECT (COUNT(*) AS ?n) FROM <{kg.graphs()[0]}> WHERE {{ ?s ?p ?o }}",
        "SELECT ?service WHERE { BIND(1 AS ?service) }",
    ]
    for query in allowed:
        status, _, body = post_form(server, "query", query)
        assert status == 200, (query, body)
    status, _, body = get(server, SELECT_11B)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 17


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def _workers(pid: int) -> set[int]:
    found = set()
    for child in _children(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmd:
            found.add(child)
    return found


def test_a_slow_query_is_stopped_and_its_evaluation_really_ends(server):
    before = _workers(server.process.pid)
    assert len(before) == 2
    status, _, body = post_form(server, "query", SLOW)
    assert status == 503 and b"ran past the time limit of 2 s and was stopped" in body
    gone = {pid for pid in before if not Path(f"/proc/{pid}").exists()}
    assert len(gone) == 1  # the worker that evaluated the query was killed
    # the server's processes go back to idle: no evaluation is left burning a core
    settled = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not settled:
        pids = [server.process.pid, *_children(server.process.pid)]
        start = _cpu_seconds(pids)
        time.sleep(1.0)
        settled = _cpu_seconds(pids) - start < 0.2
    assert settled
    status, _, body = get(server, SELECT_11B)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 17
    assert len(_workers(server.process.pid)) == 2


def test_result_size_cap(server):
    status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 400 and b"more than 5000 rows" in body and b"LIMIT" in body
    status, _, body = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 400 and b"more than 5000 triples" in body
    status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 5000")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5000


def test_request_body_limit(server):
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 300_000
    status, _, body = request(server.query_url, big.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 413 and b"at most 200000" in body
    assert get(server, SELECT_11B)[0] == 200


def test_bad_requests_get_clear_errors(server):
    status, _, body = get(server, "SELECT ?x WHERE { ?x ?p }")
    assert status == 400 and body.startswith(b"invalid SPARQL:") and body.count(b"\n") == 1
    status, _, body = request(server.query_url, b"query=x", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, body = request(server.query_url + "?update=" + urllib.parse.quote("CLEAR ALL"))
    assert status == 405
    status, headers, _ = request(server.query_url, method="OPTIONS", headers={"Origin": "https://evil.example"})
    assert status == 204 and "Access-Control-Allow-Origin" not in headers  # no CORS unless --cors
    for method in ("PUT", "DELETE", "PATCH"):
        status, headers, body = request(server.query_url, b"x", {"Content-Type": "text/plain"}, method=method)
        assert (status, headers["Allow"], headers["Content-Type"]) == (405, "GET, HEAD, POST, OPTIONS",
                                                                      "text/plain; charset=utf-8")
        assert body == f"{method} is not allowed on /sparql: use GET or POST\n".encode()


def test_it_binds_the_loopback_address_by_default(server):
    port = int(server.base.rsplit(":", 1)[1])
    assert server.base.startswith("http://127.0.0.1:")
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, port_hex = local.partition(":")
        if state == "0A" and int(port_hex, 16) == port:
            listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1 only
    assert not any(f":{port:04X} " in line for line in Path("/proc/net/tcp6").read_text().splitlines())


def test_twenty_concurrent_clients_for_ten_seconds(server):
    """A bounded load test on loopback: 20 clients, 10 s, at most 200 requests each."""
    errors: list[str] = []
    counts = [0] * 20
    deadline = time.monotonic() + 10
    urls = [
        (f"{server.base}/queries/indicators-for-target?target=11.b", None, {}),
        (server.query_url, urllib.parse.urlencode({"query": SELECT_11B}).encode(),
         {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}),
        (f"{server.base}/queries/case-map", None, {"Accept": "application/sparql-results+xml"}),
    ]

    def client(i: int) -> None:
        n = 0
        while time.monotonic() < deadline and n < 200:
            url, data, headers = urls[(i + n) % len(urls)]
            status, _, body = request(url, data, headers)
            if status != 200 or not body:
                errors.append(f"{status} {url}: {body[:200]!r}")
            n += 1
        counts[i] = n

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert all(n > 0 for n in counts) and sum(counts) >= 40


def test_serve_command_line_errors(capsys, tmp_path):
    assert main(["serve", "--allow-update"]) == 1
    assert capsys.readouterr().err == "impactkg: error: --allow-update needs a token: --token T or $IMPACTKG_TOKEN\n"
    assert main(["serve", "--token", "x"]) == 1
    assert "add --allow-update" in capsys.readouterr().err
    assert main(["serve", "--timeout", "0"]) == 1
    assert "--timeout must be at least" in capsys.readouterr().err
