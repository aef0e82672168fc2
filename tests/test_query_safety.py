"""No query text can crash or outlast its caller, on any door (issue 13).

pyoxigraph's parser and optimiser recurse over the text: in a main thread's 8 MiB stack it dies
(SIGSEGV) on 5,000 parentheses, 5,000 constant triple patterns, 10,000 ``+``/``UNION``/``&&``/path
steps; in a thread with a small stack on far less. The door refuses texts past
:data:`MAX_DEPTH`/:data:`MAX_COMPLEXITY` before any parser sees them, and runs every query on a
thread with a large stack (or in a worker process doing so), so that a text within the limits is
answered even when the caller's own stack is small. Ctrl-C stops a running query at once,
``--timeout``/``timeout=`` bound it, and SERVICE and LOAD reach only allow-listed hosts.

Crashes are provoked in child processes, so that a regression fails a test instead of the suite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from servers import impactkg_server, oxigraph_server

from impactkg import KnowledgeGraph
from impactkg.errors import QueryError, Refused, TimeLimit
from impactkg.graph.backends import stack
from impactkg.graph.sparql.text import MAX_COMPLEXITY, MAX_DEPTH, tokens

BIN = Path(sys.executable).parent
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TOO_COMPLEX = (f"the query has more than {MAX_COMPLEXITY} operators, groups, path steps and triple patterns: "
               "split it into smaller queries (a long list of values goes in a VALUES block)")

#: Each recursive pattern of the engine as a function of its length. Measured on pyoxigraph 0.5.13
#: in a main thread (8 MiB stack): every one of them crashed the process at 20,000 (most at 5,000
#: or 10,000); see graph/sparql/text.py.
PATTERNS = {
    "deep parentheses": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "nested groups": lambda n: "SELECT * WHERE { " + "{ " * n + "?s ?p ?o" + " }" * n + " }",
    "nested subselects": lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n + " }",
    "long +": lambda n: "SELECT (" + "+".join(["1"] * n) + " AS ?x) WHERE {}",
    "UNION": lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
    "OPTIONAL": lambda n: "SELECT * WHERE { ?s ?p ?o " + " ".join(["OPTIONAL { ?s ?p ?o }"] * n) + " }",
    "MINUS": lambda n: "SELECT * WHERE { ?s ?p ?o " + " ".join(["MINUS { ?s ?p ?o }"] * n) + " }",
    "path steps": lambda n: "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * n) + " ?o }",
    "path alternatives": lambda n: "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * n) + " ?o }",
    "! chain": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }",
    "&& chain": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "&&".join(["true"] * n) + ") }",
    "BIND": lambda n: "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?x{i})" for i in range(n)) + " }",
    "triple patterns": lambda n: "SELECT * WHERE { " + " ".join(
        f"<http://e/a{i}> <http://e/p> <http://e/b> ." for i in range(n)) + " }",
    "object list": lambda n: "SELECT * WHERE { ?s <http://e/p> " + ", ".join(f"?o{i}" for i in range(n)) + " }",
}
NESTED = {"deep parentheses", "nested groups", "nested subselects"}
CRASHED_AT = 20_000


def largest_accepted(pattern: str) -> int:
    """The longest text of ``pattern`` the door's checks accept."""
    def ok(n: int) -> bool:
        try:
            tokens(PATTERNS[pattern](n))
            return True
        except QueryError:
            return False
    lo, hi = 1, CRASHED_AT
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("safety") / "store"
    with KnowledgeGraph.open(path) as kg:
        kg.build()
    return path


def _cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "impactkg"), *args], capture_output=True, text=True, input=stdin,
                          timeout=timeout)


# ---------------------------------------------------------------------- texts that crashed
def test_every_pattern_that_crashed_is_refused_by_the_python_api(kg):
    for name, make in PATTERNS.items():
        text = make(CRASHED_AT)
        with pytest.raises(QueryError) as err:
            kg.query(text)
        message = str(err.value)
        if name in NESTED:
            assert message.startswith(f"the query nests more than {MAX_DEPTH} levels deep at line 1, column "), name
            assert message.endswith(": simplify it")
        else:
            assert message == TOO_COMPLEX, name
    # An update's WHERE is held to the same limits; the data of INSERT DATA is a flat list.
    with pytest.raises(QueryError, match="more than 5000 operators"):
        kg.update("INSERT { GRAPH <https://example.org/g> { ?s ?p 1 } } WHERE { "
                  + " UNION ".join(["{ ?s ?p ?o }"] * CRASHED_AT) + " }")


def test_the_command_line_refuses_them_with_one_line_and_lives(store):
    for name in ("deep parentheses", "long +", "UNION", "triple patterns", "path steps", "! chain"):
        proc = _cli("query", "--store", str(store), "-e", "-", stdin=PATTERNS[name](CRASHED_AT))
        assert proc.returncode == 1, (name, proc.returncode, proc.stderr[-300:])
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("impactkg: error: the query "), name
    # The repro of the issue, as an argument: 5,000 parentheses.
    text = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    proc = _cli("query", "--store", str(store), "-e", text)
    assert proc.returncode == 1 and "nests more than 256 levels deep" in proc.stderr


def test_the_endpoint_refuses_them_with_400(store, tmp_path):
    with impactkg_server(tmp_path, "--store", str(store), "--max-body", "2000000") as srv:
        for name, make in PATTERNS.items():
            req = urllib.request.Request(srv.query_url, make(CRASHED_AT).encode(),
                                         {"Content-Type": "application/sparql-query"})
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(req, timeout=60)
            body = err.value.read().decode()
            assert err.value.code == 400 and body.startswith("the query "), (name, body[:200])
        assert srv.process.poll() is None


_SMALL_STACK_CALLER = """
import json, sys, threading
sys.path.insert(0, {tests!r})
from test_query_safety import PATTERNS
from impactkg import KnowledgeGraph
from impactkg.errors import TimeLimit
kg = KnowledgeGraph.open({where!r}, workers={workers}) if {where!r} else KnowledgeGraph.memory()
sizes = json.loads({sizes!r})
out = {{}}
def caller():
    for name, n in sizes.items():
        try:
            out[name] = ["answered", len(kg.query(PATTERNS[name](n), timeout=5))]
        except TimeLimit:
            out[name] = ["time limit", n]   # parsed: the optimiser or the evaluation took long
threading.stack_size(256 * 1024)       # a caller with a small stack (a server's or a GUI's thread)
t = threading.Thread(target=caller)
t.start()
t.join()
print(json.dumps(out))
"""


@pytest.mark.parametrize("workers", [0, 1], ids=["in process", "query worker"])
def test_texts_within_the_limits_are_answered_from_a_small_stack(store, workers):
    """Each pattern at the largest size the checks accept (crashes of a main thread begin at
    5,000): answered or stopped at its time limit, never a crash, in process and in a worker."""
    sizes = {name: largest_accepted(name) for name in PATTERNS}
    assert sizes["long +"] > 4900 and sizes["triple patterns"] > 4900 and sizes["deep parentheses"] > 250
    code = _SMALL_STACK_CALLER.format(tests=str(Path(__file__).parent), where=str(store) if workers else "",
                                      workers=workers, sizes=json.dumps(sizes))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(out) == set(PATTERNS) and all(v[0] in ("answered", "time limit") for v in out.values())
    for name in ("deep parentheses", "nested groups", "nested subselects", "! chain", "&& chain"):
        assert out[name][0] == "answered", name


# ---------------------------------------------------------------------- stopping a query
def test_python_timeout_in_process_stops_waiting_and_says_so():
    kg = KnowledgeGraph.memory()
    kg.build()
    with pytest.raises(TimeLimit) as err:
        kg.query(SLOW, timeout=0.5)
    assert str(err.value) == ("the query ran past the time limit of 0.5 s; impactkg stopped waiting for it "
                              "(in this process the engine cannot stop it: it ends in the background)")
    assert any(t.name == "impactkg-query" for t in stack.abandoned)
    assert kg.query("ASK { ?s ?p ?o }").boolean is True  # the graph answers meanwhile


def test_python_timeout_with_query_workers_kills_the_worker(store):
    kg = KnowledgeGraph.open(store, workers=1, timeout=60)
    try:
        before = kg.worker_pids()
        with pytest.raises(TimeLimit, match="ran past the time limit of 1 s and was stopped"):
            kg.query(SLOW, timeout=1)
        assert not Path(f"/proc/{before[0]}").exists() or _zombie(before[0])
        assert kg.query("ASK { ?s ?p ?o }").boolean is True
        assert kg.worker_pids() != before
    finally:
        kg.close()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _evaluating(pid: int, seconds: float = 120) -> None:
    """Wait until ``pid`` has used 1.5 s of CPU (starting takes under 1 s): its query runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _cpu_seconds(pid) >= 1.5:
            return
        time.sleep(0.2)
    raise AssertionError("the query never started")


def test_ctrl_c_stops_the_command_line_within_a_second(store):
    proc = subprocess.Popen([str(BIN / "impactkg"), "query", "--store", str(store), "-e", SLOW],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _evaluating(proc.pid)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 130 and proc.stderr.read() == "impactkg: interrupted\n"
    assert elapsed < 1.0, f"the command took {elapsed:.2f} s to stop"


_API_CTRL_C = """
import sys, time
from impactkg import KnowledgeGraph
kg = KnowledgeGraph.open({store!r}, workers=1) if {workers} else KnowledgeGraph.open({store!r}, read_only=True)
first = kg.worker_pids()
print("pids", *first, flush=True)
try:
    print("querying", flush=True)
    kg.query({slow!r})
except KeyboardInterrupt:
    print("interrupted", flush=True)
import os
print("alive", *[os.path.exists(f"/proc/{{pid}}") for pid in first], flush=True)
kg.close()
"""


@pytest.mark.parametrize("workers", [0, 1], ids=["in process", "query worker"])
def test_ctrl_c_reaches_a_python_caller_at_once(store, workers):
    proc = subprocess.Popen([sys.executable, "-c", _API_CTRL_C.format(store=str(store), workers=workers, slow=SLOW)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().split()[1:]
        assert proc.stdout.readline() == "querying\n"
        time.sleep(1.5)  # the query runs (the worker's pid below says it did)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        line = proc.stdout.readline()
        elapsed = time.monotonic() - sent
        after = proc.stdout.readline().split()[1:]
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert line == "interrupted\n" and elapsed < 1.0
    if workers:  # the worker that evaluated was killed
        assert len(first) == 1 and after == ["False"]


def test_the_command_line_timeout(store):
    proc = _cli("query", "--store", str(store), "--timeout", "1", "-e", SLOW)
    assert proc.returncode == 1
    assert proc.stderr == ("impactkg: error: the query ran past the time limit of 1 s and was stopped "
                           "(--timeout SECONDS)\n")
    assert "default: 300" in " ".join(_cli("query", "--help").stdout.split())
    proc = _cli("query", "--store", str(store), "--timeout", "-1", "-e", "ASK {}")
    assert proc.returncode == 1 and "--timeout must be 0 (no limit) or a number of seconds" in proc.stderr
    proc = _cli("query", "--store", str(store), "--timeout", "0", "-e", "ASK {}", "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.strip() == "true"


def test_checks_of_a_large_text_count_in_the_time_limit(store, tmp_path):
    """A 1 MB query (a VALUES block of 100,000 values: 150,000 tokens) takes longer to check than a 0.1 s limit:
    the limit applies to the checks too (503), it does not start after them."""
    values = " ".join(f'"v{i:06d}"' for i in range(100_000))
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}"
    assert len(text) > 1_000_000
    with impactkg_server(tmp_path, "--store", str(store), "--timeout", "0.1", "--max-body", "2000000") as srv:
        req = urllib.request.Request(srv.query_url, text.encode(), {"Content-Type": "application/sparql-query"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=60)
        assert err.value.code == 503
        assert err.value.read() == b"checking the query took longer than its time limit of 0.1 s\n"


def test_texts_that_were_quadratic_to_check_are_refused_within_the_limit(store, tmp_path):
    """100 KB of ``a.a.a…`` or ``a-a-a…`` took 97 s and 20 s to check (every name re-scanned the
    rest of the text); now the checks refuse them inside a 2 s limit (a 503 would say they
    did not finish in time)."""
    with impactkg_server(tmp_path, "--store", str(store), "--timeout", "2") as srv:
        for chunk in ("a.", "a-", "ab.cd-", "_:a."):
            text = "SELECT * WHERE { ?s ?p " + chunk * (100_000 // len(chunk)) + " }"
            req = urllib.request.Request(srv.query_url, text.encode(), {"Content-Type": "application/sparql-query"})
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(req, timeout=60)
            assert err.value.code == 400, (chunk, err.value.code)


# ---------------------------------------------------------------------- remote data
REMOTE = "SELECT ?o WHERE {{ SERVICE <{url}> {{ <https://example.org/s> <https://example.org/p> ?o }} }}"


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A real SPARQL server on loopback holding one triple: what SERVICE would reach."""
    with oxigraph_server(tmp_path_factory.mktemp("remote")) as srv:
        data = urllib.parse.urlencode({"update": 'INSERT DATA { <https://example.org/s> <https://example.org/p> "from afar" }'})
        urllib.request.urlopen(urllib.request.Request(srv.update_url, data.encode()), timeout=30).read()
        yield srv


def test_service_and_load_are_refused_in_python_unless_allow_listed(remote):
    service = REMOTE.format(url=remote.query_url)
    kg = KnowledgeGraph.memory()
    for call in (
        lambda: kg.query(service),
        lambda: kg.update("INSERT { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> ?o } } "
                          "WHERE { " + service[len("SELECT ?o WHERE { "):]),
        lambda: kg.update(f"LOAD <{remote.base}/store> INTO GRAPH <https://example.org/g>"),
        lambda: kg.update("INSERT { GRAPH <https://example.org/g> { ?s ?p ?o } } WHERE { \\u0053ERVICE <"
                          + remote.query_url + "> { ?s ?p ?o } }"),
    ):
        with pytest.raises((Refused, QueryError)) as err:
            call()
        assert "is refused" in str(err.value) or "invalid SPARQL" in str(err.value)
    assert len(kg) == 0
    with pytest.raises(Refused, match=r"SERVICE <http://127\.0\.0\.1:\d+/query> is refused: remote data, and its "
                                      r"host 127\.0\.0\.1 is not on the allow-list"):
        kg.query(service)
    allowed = KnowledgeGraph.memory(allow_hosts=["127.0.0.1"])
    assert [str(r["o"]) for r in allowed.query(service)] == ["from afar"]
    allowed.update("INSERT { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> ?o } } "
                   "WHERE { " + service[len("SELECT ?o WHERE { "):])
    assert len(allowed) == 1


def test_service_is_refused_by_the_command_line_unless_allow_listed(remote, store):
    service = REMOTE.format(url=remote.query_url)
    proc = _cli("query", "--store", str(store), "-e", service)
    assert proc.returncode == 1 and "is refused: remote data" in proc.stderr and proc.stderr.count("\n") == 1
    proc = _cli("update", "--store", str(store), "-e",
                "INSERT { GRAPH <https://example.org/g> { ?s ?p ?o } } WHERE { SERVICE <" + remote.query_url
                + "> { ?s ?p ?o } }")
    assert proc.returncode == 1 and "is refused: remote data" in proc.stderr
    proc = _cli("query", "--store", str(store), "--allow-service", "127.0.0.1", "--format", "csv", "-e", service)
    assert proc.returncode == 0 and proc.stdout.splitlines() == ["o", "from afar"]


def test_service_is_refused_by_the_endpoint_unless_allow_listed(remote, store, tmp_path):
    service = REMOTE.format(url=remote.query_url)
    qs = urllib.parse.urlencode({"query": service})
    with impactkg_server(tmp_path / "a", "--store", str(store)) as srv:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{srv.query_url}?{qs}", timeout=60)
        assert err.value.code == 403 and b"is refused: remote data" in err.value.read()
    with impactkg_server(tmp_path / "b", "--store", str(store), "--allow-service", "127.0.0.1") as srv:
        req = urllib.request.Request(f"{srv.query_url}?{qs}", headers={"Accept": "text/csv"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert resp.read().decode().splitlines() == ["o", "from afar"]
