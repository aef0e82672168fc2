"""``impactkg serve`` against hostile and broken clients (issue 13), with real sockets, real clients
and a real browser: private by default (no CORS, the Host check against DNS rebinding), slow
clients that cost nothing, broken requests refused, a client that goes away has its query
stopped, one log line per error, and a bounded load of 32 clients."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from servers import impactkg_server
from test_server import SELECT_11B, SLOW, built_store, get, post_form, request

from impactkg.server import ServeConfig, make_server

PERSONS = "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } LIMIT 5"
LOG_LINE = re.compile(r"^impactkg serve: 127\.0\.0\.1 (\S+) (\S+) -> (\d{3}|-) (.+)$")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return built_store(tmp_path_factory.mktemp("faults") / "store")


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults-serve")
    own = folder / "store"
    shutil.copytree(store, own)  # one impactkg serve per store: the other tests serve ``store``
    with impactkg_server(folder, "--store", str(own), "--timeout", "30", "--read-timeout", "4",
                         "--max-body", "200000") as srv:
        yield srv


def _port(srv) -> int:
    return int(srv.base.rsplit(":", 1)[1])


def raw(srv, data: bytes, *, shut: bool = False, timeout: float = 30) -> bytes:
    """Send ``data`` on a fresh connection (half-closing it if ``shut``); everything read back."""
    with socket.create_connection(("127.0.0.1", _port(srv)), timeout=timeout) as s:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and not shut and _complete(b"".join(chunks)):
                break
    return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"Content-Length: (\d+)", head)
    return m is not None and len(body) >= int(m.group(1))


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


def log_lines(srv) -> list[str]:
    return srv.log.read_text(encoding="utf-8", errors="replace").splitlines()


def _host(srv) -> str:
    return f"127.0.0.1:{_port(srv)}"


# ---------------------------------------------------------------------- private by default
def test_no_cors_header_anywhere_by_default(server):
    origin = {"Origin": "https://evil.example"}
    qs = urllib.parse.urlencode({"query": PERSONS})
    responses = [
        request(f"{server.query_url}?{qs}", headers=origin),
        request(f"{server.base}/queries/case-map", headers=origin),
        request(f"{server.query_url}?query=SELECT", headers=origin),  # an error
        request(f"{server.base}/nowhere", headers=origin),
        request(server.query_url, method="OPTIONS", headers={
            **origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"}),
    ]
    assert [r[0] for r in responses] == [200, 200, 400, 404, 204]
    for _, headers, _ in responses:
        assert not [h for h in headers if h.lower().startswith("access-control-")]


def test_cors_only_for_the_origins_named(store, tmp_path):
    with impactkg_server(tmp_path, "--store", str(store), "--cors", "https://app.example.org") as srv:
        qs = urllib.parse.urlencode({"query": PERSONS})
        status, headers, _ = request(f"{srv.query_url}?{qs}", headers={"Origin": "https://app.example.org"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://app.example.org"
        assert headers["Vary"] == "Accept, Origin"
        status, headers, _ = request(f"{srv.query_url}?{qs}", headers={"Origin": "https://evil.example"})
        assert status == 200 and "Access-Control-Allow-Origin" not in headers
        status, headers, _ = request(srv.query_url, method="OPTIONS", headers={
            "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization"})
        assert status == 204 and headers["Access-Control-Allow-Headers"] == "Content-Type, Accept"
        assert headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><title>another site</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_page_of_another_site_cannot_read_the_graph_in_chromium(store, tmp_path):
    """The issue's repro: a page of another origin (another port on this machine) fetches
    /sparql for person names. Without --cors Chromium blocks the read; after DNS rebinding
    (attacker.test resolving to 127.0.0.1: same origin as the server) the Host check answers
    421; with --cors naming the origin the page reads."""
    playwright = pytest.importorskip("playwright.sync_api")
    from browser import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}")
    script = """async (url) => {
        try {
            const r = await fetch(url, {headers: {"Accept": "application/sparql-results+json"}});
            const text = await r.text();
            return "status " + r.status + ": " + text.slice(0, 200);
        } catch (e) { return "blocked: " + e.name; }
    }"""
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AttackerPage)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    other_origin = f"http://127.0.0.1:{other.server_address[1]}"

    def attempt(srv, page_origin: str, target: str) -> str:
        qs = urllib.parse.urlencode({"query": PERSONS})
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--headless", "--no-sandbox", "--disable-gpu",
                "--host-resolver-rules=MAP attacker.test 127.0.0.1"])
            try:
                page = browser.new_page()
                page.goto(f"{page_origin}/")
                return page.evaluate(script, f"{target}?{qs}")
            finally:
                browser.close()

    try:
        with impactkg_server(tmp_path / "plain", "--store", str(store)) as srv:
            assert attempt(srv, other_origin, srv.query_url) == "blocked: TypeError"
            # After DNS rebinding the attacker's name points at this server: page and fetch are
            # same-origin, so only the Host check stands in the way.
            rebound = f"http://attacker.test:{_port(srv)}"
            answer = attempt(srv, rebound, f"{rebound}/sparql")
            assert answer.startswith("status 421: this server does not answer to the host 'attacker.test:")
        with impactkg_server(tmp_path / "cors", "--store", str(store), "--cors", other_origin) as srv:
            answer = attempt(srv, other_origin, srv.query_url)
            assert answer.startswith('status 200: {"head":{"vars":["name"]}')
    finally:
        other.shutdown()
        other.server_close()


def test_the_host_header_must_name_this_server(server, store, tmp_path):
    ask = "GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    for host, expected in ((_host(server), 200), ("localhost", 200), (f"[::1]:{_port(server)}", 200),
                           ("evil.example", 421), (f"evil.example:{_port(server)}", 421), ("127.0.0.2", 421)):
        response = raw(server, ask.format(host=host).encode())
        assert status_of(response) == expected, host
    response = raw(server, ask.format(host="evil.example").encode())
    assert body_of(response) == (b"this server does not answer to the host 'evil.example' "
                                 b"(start it with --host-name NAME to add one)\n")
    assert status_of(raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n")) == 200  # HTTP/1.0: no Host
    assert status_of(raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nConnection: close\r\n\r\n")) == 421
    with impactkg_server(tmp_path, "--store", str(store), "--host-name", "kg.example") as srv:
        assert status_of(raw(srv, ask.format(host="kg.example").encode())) == 200
        assert status_of(raw(srv, ask.format(host="kg2.example").encode())) == 421


# ---------------------------------------------------------------------- broken requests
def _post_head(srv, length: str, extra: str = "") -> bytes:
    return (f"POST /sparql HTTP/1.1\r\nHost: {_host(srv)}\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n").encode()


def test_a_content_length_that_is_not_a_number_of_bytes_is_400(server):
    for length in ("-5", "abc", "1e3", "0x10", "5 5", ""):
        response = raw(server, _post_head(server, length) + b"ASK {}")
        assert status_of(response) == 400, length
        assert body_of(response) == f"Content-Length must be a number of bytes, not {length!r}\n".encode()
    response = raw(server, _post_head(server, "99999999999"))
    assert status_of(response) == 413 and b"takes at most 200000" in body_of(response)
    response = raw(server, f"POST /sparql HTTP/1.1\r\nHost: {_host(server)}\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n5\r\nASK {\r\n0\r\n\r\n".encode())
    assert status_of(response) == 411


def test_a_body_shorter_than_announced_is_400_and_never_run(server):
    body = b"ASK { ?s ?p ?o }"
    response = raw(server, _post_head(server, "100") + body, shut=True)
    assert status_of(response) == 400
    assert body_of(response) == f"the request body ended after {len(body)} of 100 bytes\n".encode()
    # The same body, whole, is answered.
    response = raw(server, _post_head(server, str(len(body)), "Accept: text/csv\r\nConnection: close\r\n") + body)
    assert status_of(response) == 200 and body_of(response).strip() == b"true"


def test_malformed_requests_are_plain_one_line_answers(server):
    for data, status in ((b"GARBAGE\r\n\r\n", 400), (b"GET / HTTP/9.9\r\n\r\n", 505),
                         (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
                         (b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 501)):
        response = raw(server, data)
        assert status_of(response) == status, data[:20]
        assert b"Traceback" not in response and body_of(response).count(b"\n") == 1


# ---------------------------------------------------------------------- slow clients
def _trickle(srv, head: bytes, stop: threading.Event, answers: list[bytes], every: float = 0.5) -> None:
    """Send ``head`` then one byte of body every ``every`` seconds until the server answers."""
    try:
        with socket.create_connection(("127.0.0.1", _port(srv)), timeout=60) as s:
            s.sendall(head)
            s.settimeout(every)
            got = b""
            while not stop.is_set():
                try:
                    s.sendall(b"x")
                except OSError:
                    pass
                try:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                except TimeoutError:
                    continue
                except OSError:
                    break
            answers.append(got)
    except OSError as exc:
        answers.append(f"error {exc}".encode())


@pytest.mark.parametrize("phase", ["body", "headers"])
def test_seventy_trickling_clients_lock_nobody_out(server, phase):
    """70 sockets trickle one byte at a time (a body of 100000 bytes announced, or headers that
    never end): others are answered meanwhile, and each trickler gets 408 at its deadline."""
    if phase == "body":
        head = _post_head(server, "100000")
    else:
        head = f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {_host(server)}\r\nX-Slow: ".encode()
    stop = threading.Event()
    answers: list[bytes] = []
    threads = [threading.Thread(target=_trickle, args=(server, head, stop, answers)) for _ in range(70)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    try:
        statuses = [get(server, SELECT_11B)[0] for _ in range(20)]
        assert statuses == [200] * 20
    finally:
        for t in threads:
            t.join(timeout=60)
        stop.set()
    assert len(answers) == 70
    what = "body" if phase == "body" else "request line and headers"
    for answer in answers:  # --read-timeout 4: the headers get min(10, 4) s, the whole request 4 s
        assert status_of(answer) == 408, answer[:200]
        assert body_of(answer) == f"the {what} did not arrive within 4 s\n".encode()


def test_an_idle_connection_holds_no_slot_and_is_closed(server):
    idle = [socket.create_connection(("127.0.0.1", _port(server)), timeout=60) for _ in range(70)]
    try:
        assert [get(server, SELECT_11B)[0] for _ in range(5)] == [200] * 5
    finally:
        for s in idle:
            s.close()


def test_too_many_open_connections_get_503_at_once(store):
    app_server = make_server(ServeConfig(store=store, port=0, max_clients=4, workers=1))
    thread = threading.Thread(target=app_server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    port = app_server.server_address[1]
    try:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(4)]
        time.sleep(0.5)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = s.recv(4096)
        assert status_of(answer) == 503 and body_of(answer) == b"the server has too many open connections now\n"
        for s in idle:
            s.close()
        time.sleep(0.5)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "text/csv"})
        assert conn.getresponse().read().strip() == b"true"
        conn.close()
    finally:
        app_server.shutdown()
        app_server.server_close()
        app_server.app.close()


# ---------------------------------------------------------------------- clients that go away
def _workers(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid \
                    and b"spawn_main" in Path(stat.parent, "cmdline").read_bytes():
                found.add(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_client_that_goes_away_has_its_query_stopped(store, tmp_path):
    with impactkg_server(tmp_path, "--store", str(store), "--timeout", "120", "--workers", "1") as srv:
        (worker,) = _workers(srv.process.pid)
        body = urllib.parse.urlencode({"query": SLOW}).encode()
        s = socket.create_connection(("127.0.0.1", _port(srv)), timeout=30)
        s.sendall(f"POST /sparql HTTP/1.1\r\nHost: {_host(srv)}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        start = _cpu(worker)
        deadline = time.monotonic() + 60
        while _cpu(worker) - start < 1.0 and time.monotonic() < deadline:  # the worker evaluates
            time.sleep(0.2)
        s.close()  # the client goes away
        deadline = time.monotonic() + 30
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{worker}").exists(), "the worker still evaluates the abandoned query"
        # The only worker is free again: the next client is answered (not after 120 s).
        status, _, answer = get(srv, SELECT_11B)
        assert status == 200 and len(json.loads(answer)["results"]["bindings"]) == 17
        gone = [line for line in log_lines(srv) if "went away" in line]
        assert gone == ["impactkg serve: 127.0.0.1 POST /sparql -> - the client went away; its query was stopped"]


def test_clients_that_hang_up_cost_one_line_each_never_a_traceback(server):
    before = len(log_lines(server))
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", _port(server)), timeout=30) as s:
            s.sendall(f"GET /sparql?query={urllib.parse.quote(SELECT_11B)} HTTP/1.1\r\nHost: {_host(server)}\r\n\r\n"
                      .encode())
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(1.0)
    assert get(server, SELECT_11B)[0] == 200
    new = log_lines(server)[before:]
    assert len(new) <= 30 and all(LOG_LINE.match(line) for line in new), new
    assert "Traceback" not in server.log.read_text()


# ---------------------------------------------------------------------- logging
def test_every_error_is_one_log_line_with_method_path_status_and_reason(server):
    cases = [
        (lambda: get(server, "SELECT ?x WHERE { ?x ?p }"), "GET", "/sparql", "400", "invalid SPARQL: "),
        (lambda: request(f"{server.base}/queries/nope"), "GET", "/queries/nope", "404", "no named query"),
        (lambda: request(server.query_url, b"x", {"Content-Type": "text/plain"}, method="PUT"), "PUT", "/sparql",
         "405", "PUT is not allowed on /sparql: use GET or POST"),
        (lambda: post_form(server, "update", "CLEAR ALL"), "POST", "/sparql", "403", "this endpoint is read-only"),
        (lambda: raw(server, _post_head(server, "-5")), "POST", "/sparql", "400",
         "Content-Length must be a number of bytes, not '-5'"),
        (lambda: raw(server, b"GET /sparql HTTP/1.1\r\nHost: evil.example\r\n\r\n"), "GET", "/sparql", "421",
         "this server does not answer to the host 'evil.example'"),
        (lambda: raw(server, b"GARBAGE\r\n\r\n"), "-", "-", "400", "Bad request syntax"),
        (lambda: raw(server, _post_head(server, "10") + b"ASK", shut=True), "POST", "/sparql", "400",
         "the request body ended after 3 of 10 bytes"),
    ]
    for call, method, path, status, reason in cases:
        before = len(log_lines(server))
        call()
        time.sleep(0.2)
        new = log_lines(server)[before:]
        assert len(new) == 1, (method, path, new)
        m = LOG_LINE.match(new[0])
        assert m and m.groups()[:3] == (method, path, status) and m.group(4).startswith(reason), new[0]
    assert "Traceback" not in server.log.read_text()


def test_a_log_line_cannot_be_forged(server):
    before = len(log_lines(server))
    raw(server, b"GET /x\x1b[31mred\x07 HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    time.sleep(0.2)
    (line,) = log_lines(server)[before:]
    assert "\x1b" not in line and "\\x1b[31mred\\x07" in line


# ---------------------------------------------------------------------- load
def _tree_rss_kib(pid: int) -> int:
    total = 0
    for p in [pid, *_workers(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total


def test_thirty_two_clients_for_ten_seconds_without_an_error_and_memory_flat(server):
    """A bounded load on loopback: 32 clients (half on keep-alive connections) for 10 s, at most
    300 requests each; zero errors, and the server's memory (with its workers) flat."""
    urls = [
        ("GET", "/queries/indicators-for-target?target=11.b", None, {}),
        ("POST", "/sparql", urllib.parse.urlencode({"query": SELECT_11B}).encode(),
         {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}),
        ("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}), None,
         {"Accept": "application/sparql-results+xml"}),
    ]
    errors: list[str] = []
    counts = [0] * 32

    def run(i: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=60) if i % 2 else None
        n = 0
        while time.monotonic() < deadline and n < 300:
            method, path, body, headers = urls[(i + n) % len(urls)]
            try:
                if conn is None:
                    status, _, data = request(server.base + path, body, headers, method=method)
                else:
                    conn.request(method, path, body=body, headers=headers)
                    resp = conn.getresponse()
                    status, data = resp.status, resp.read()
                if status != 200 or not data:
                    errors.append(f"{status} {path}: {data[:200]!r}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
            n += 1
        counts[i] = n
        if conn is not None:
            conn.close()

    def load(seconds: float) -> None:
        threads = [threading.Thread(target=run, args=(i, seconds)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads)

    load(3)  # warm-up: caches, workers' pages
    before = _tree_rss_kib(server.process.pid)
    errors.clear()
    load(10)
    after = _tree_rss_kib(server.process.pid)
    assert errors == []
    assert all(n > 0 for n in counts) and sum(counts) >= 64
    assert after <= before * 1.2 + 20_000, f"memory grew from {before} KiB to {after} KiB"
