"""``impactkg serve`` against ``oxigraph serve``: the same store, the same queries, 1, 8 and 32
concurrent clients on loopback, bounded in time (issue 13).

The store is the generated graph (``graph.nq``) loaded by impactkg into a folder; ``oxigraph
serve --union-default-graph`` serves a copy of the same RocksDB folder (byte for byte), so both
answer from the same quads with the union of the named graphs as default graph. The queries: the
SPARQL of a named query (``indicators-for-target``, its parameter written in a ``VALUES`` block as
impactkg does for a remote server, with the prefixes declared) and a ``COUNT(*)`` of every
triple. Both servers run at once and take turns, query by query and level by level, so that a
change in the machine's load hits both alike.

Clients are separate processes (two, with the clients shared between them as threads), each
client a keep-alive HTTP/1.1 connection sending ``GET ?query=`` with ``Accept:
application/sparql-results+json`` as fast as answers come, for a fixed time. Latency is per
request; p99 is the nearest rank. Memory is the resident set (``VmRSS``) of each server's whole
process tree (impactkg: the server and its query workers), sampled every 0.1 s; its peak is
reported, and the resident set of one idle query worker (the base a worker costs, what makes a
query killable) beside it.

``python -m bench.serve client URL QUERYFILE CLIENTS SECONDS`` is the load generator.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.door import text_checks

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: The issue's targets: requests/s ≥ 0.9× oxigraph's, p99 latency ≤ 1.5×, peak RSS ≤ 2× (plus
#: the base of each query worker).
TARGETS = {"throughput": 0.9, "p99": 1.5, "rss": 2.0}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def query_texts(manifest: dict) -> dict[str, str]:
    """The two queries as plain SPARQL any server reads (prefixes declared, parameters as VALUES)."""
    from impactkg.graph.backends.remote import with_prologue
    from impactkg.graph.sparql.params import with_values
    from impactkg.graph.sparql.terms import to_ox
    from impactkg.graph.sparql.text import term_text
    from impactkg.queries import prepare

    prepared = prepare("indicators-for-target", {"target": manifest.get("target", "11.b")})
    named = with_prologue(with_values(prepared.text, {k: term_text(to_ox(v)) for k, v in prepared.bindings.items()}))
    return {"indicators-for-target": named, "COUNT(*)": COUNT}


# ---------------------------------------------------------------------- processes and memory
def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def _is_worker(pid: int) -> bool:
    """A query worker (not multiprocessing's resource tracker)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"spawn_main" in cmd


def _rss_kib(pid: int) -> int:
    try:
        m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


def tree_rss_mib(pid: int) -> float:
    """Resident set of ``pid`` and its children (MiB)."""
    return (_rss_kib(pid) + sum(_rss_kib(c) for c in _children(pid))) / 1024


class Sampler:
    """Peak of :func:`tree_rss_mib` for each process, sampled every 0.1 s in a thread."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.peak = {name: 0.0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], tree_rss_mib(pid))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.peak


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                resp.read()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer at {url}")


def start_servers(store: Path, copy: Path, log: Path) -> dict[str, tuple[subprocess.Popen, str]]:
    """``impactkg serve`` on ``store`` and ``oxigraph serve`` on ``copy`` (its RocksDB folder)."""
    out: dict[str, tuple[subprocess.Popen, str]] = {}
    port = _free_port()
    with open(log / "impactkg-serve.log", "wb") as fh:
        proc = subprocess.Popen([str(BIN / "impactkg"), "serve", "--store", str(store), "--port", str(port),
                                 "--max-results", "1000000"], stdout=fh, stderr=subprocess.STDOUT)
    out["impactkg"] = (proc, f"http://127.0.0.1:{port}/sparql")
    port = _free_port()
    with open(log / "oxigraph-serve.log", "wb") as fh:
        proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(copy), "--bind",
                                 f"127.0.0.1:{port}", "--union-default-graph"], stdout=fh, stderr=subprocess.STDOUT)
    out["oxigraph"] = (proc, f"http://127.0.0.1:{port}/query")
    for proc, url in out.values():
        _wait(f"{url}?query=ASK%7B%7D", proc)
    return out


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# ---------------------------------------------------------------------- load
def load(url: str, query: str, clients: int, seconds: float, work: Path) -> dict[str, Any]:
    """``clients`` keep-alive clients on ``url`` for ``seconds``: requests/s, errors, latencies."""
    qfile = work / "query.rq"
    qfile.write_text(query, encoding="utf-8")
    procs = max(1, min(2, clients))
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    children = [subprocess.Popen([sys.executable, "-m", "bench.serve", "client", url, str(qfile), str(n), str(seconds)],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for n in shares]
    parts = [json.loads(c.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for c in children]
    latencies = sorted(x for p in parts for x in p["latencies"])
    n = len(latencies)
    elapsed = max(p["seconds"] for p in parts)
    return {
        "clients": clients, "requests": n, "errors": sum(p["errors"] for p in parts),
        "error_examples": [e for p in parts for e in p["error_examples"]][:3],
        "seconds": elapsed, "rps": n / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) if latencies else None,
        "p99": latencies[max(0, -(-99 * n // 100) - 1)] if latencies else None,
    }


def client(url: str, query_file: str, clients: int, seconds: float) -> None:
    """The load generator: prints one JSON line."""
    query = Path(query_file).read_text(encoding="utf-8")
    parts = urllib.parse.urlsplit(url)
    path = f"{parts.path}?{urllib.parse.urlencode({'query': query})}"
    headers = {"Accept": "application/sparql-results+json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def one() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        mine: list[float] = []
        while time.monotonic() < deadline:
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200 or not body:
                    with lock:
                        errors.append(f"{resp.status}: {body[:120]!r}")
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                    continue
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                continue
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"latencies": latencies, "errors": len(errors), "error_examples": errors[:3],
                      "seconds": time.monotonic() - start}))


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------- the section
def prepare_store(ds: Any, work: Path) -> tuple[Path, Path]:
    """impactkg's store of ``ds`` (``graph.nq`` loaded) and a copy of its RocksDB folder."""
    store = work / f"serve-store-{ds.manifest['size']}"
    copy = work / f"serve-oxigraph-{ds.manifest['size']}"
    stamp = store / "bench-source.json"
    source = json.dumps({"nq": str(ds.nq), "triples": ds.triples, "version": ds.manifest.get("version")})
    if not (stamp.exists() and stamp.read_text() == source and copy.exists()):
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        subprocess.run([sys.executable, "-c", "import sys; from impactkg import KnowledgeGraph; "
                        "kg = KnowledgeGraph.open(sys.argv[1]); kg.load(sys.argv[2], force=True); kg.close()",
                        str(store), str(ds.nq)], check=True, env=env)
        from impactkg.graph.backends.versions import StoreFolder

        shutil.copytree(StoreFolder(store).current(), copy)  # the RocksDB folder of the version in use
        stamp.write_text(source)
    return store, copy


def run_serve(ds: Any, work: Path, levels: tuple[int, ...], seconds: float, log=print) -> dict[str, Any]:
    """The section: every query at every level on both servers, taking turns."""
    store, copy = prepare_store(ds, work)
    queries = query_texts(ds.manifest)
    logs = work / "serve-logs"
    logs.mkdir(exist_ok=True)
    servers = start_servers(store, copy, logs)
    out: dict[str, Any] = {"triples": ds.triples, "levels": list(levels), "seconds_per_run": seconds,
                           "queries": queries, "runs": [], "load_average_before": _load_average()}
    out["text_checks"] = text_checks()  # bench/door.py: the door's own costs, in process
    qfile = work / "serve-queries.json"
    qfile.write_text(json.dumps(queries), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "bench.door", str(store), str(qfile),
                           "5" if seconds < 5 else "15"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800, check=True)
    out["overhead"] = json.loads(done.stdout.strip().splitlines()[-1])
    try:
        pids = {name: proc.pid for name, (proc, _) in servers.items()}
        idle = {name: tree_rss_mib(pid) for name, pid in pids.items()}
        workers = [c for c in _children(pids["impactkg"]) if _is_worker(c)]
        out["workers"] = len(workers)
        out["worker_base_mib"] = max((_rss_kib(w) / 1024 for w in workers), default=0.0)
        out["idle_mib"] = idle
        # Same answers first: the row count of each query on both.
        for qname, text in queries.items():
            counts = {}
            for name, (_, url) in servers.items():
                counts[name] = _rows(url, text)
            out.setdefault("rows", {})[qname] = counts
        for _, url in servers.values():  # warm-up: caches, pages of the store
            load(url, queries["indicators-for-target"], 4, min(2.0, seconds), work)
        sampler = Sampler(pids)
        for qname, text in queries.items():
            for n in levels:
                for name, (_, url) in servers.items():
                    r = load(url, text, n, seconds, work)
                    r.update(server=name, query=qname)
                    out["runs"].append(r)
                    log(f"  {name:8} {qname:22} {n:>2} clients: {r['rps']:8.1f} req/s, p99 "
                        f"{(r['p99'] or 0) * 1000:7.1f} ms, errors {r['errors']}")
        out["peak_mib"] = sampler.stop()
        out["load_average_after"] = _load_average()
    finally:
        for proc, _ in servers.values():
            stop(proc)
    out["targets"] = evaluate(out)
    return out


def _rows(url: str, text: str) -> int:
    import urllib.request

    req = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': text})}",
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return len(json.loads(resp.read())["results"]["bindings"])


def _why(res: dict[str, Any], a: dict, b: dict) -> str:
    """The measured facts behind a ratio: the run, what the door adds in process, the machine's load."""
    over = res.get("overhead", {}).get(a["query"], {})
    said = (f"{a['query']} with {a['clients']} clients: impactkg {a['rps']:.1f} req/s, p99 "
            f"{(a['p99'] or 0) * 1000:.0f} ms; oxigraph {b['rps']:.1f} req/s, p99 {(b['p99'] or 0) * 1000:.0f} ms")
    if over:
        added = over["door"] - over["engine"]
        said += (f"; in one process the engine takes {over['engine'] * 1000:.1f} ms for this query and impactkg's "
                 f"door with a query worker {over['door'] * 1000:.1f} ms ({added * 1000:+.1f} ms: checks, the "
                 "pipe to the worker, the rows' conversion), so the rest is HTTP and the scheduling of its "
                 "processes")
    said += (f"; load average {res.get('load_average_before')} before and {res.get('load_average_after')} "
             f"after the section, on {os.cpu_count()} cores")
    return said


def evaluate(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's three targets from a run (the worst ratio over queries and levels), each with
    the measured facts behind it."""
    runs = {(r["server"], r["query"], r["clients"]): r for r in res["runs"]}
    pairs = [(runs[("impactkg", q, n)], runs[("oxigraph", q, n)]) for (s, q, n) in runs if s == "impactkg"
             and ("oxigraph", q, n) in runs]
    out: list[dict[str, Any]] = []
    if not pairs:
        return out
    tput = [(a["rps"] / b["rps"] if b["rps"] else 0.0, a, b) for a, b in pairs]
    worst = min(tput, key=lambda x: x[0])
    out.append({"target": "endpoint requests/s ≥ 0.9× oxigraph serve's (every query, 1/8/32 clients)",
                "value": f"worst {worst[0]:.2f}× ({worst[1]['query']}, {worst[1]['clients']} clients)",
                "met": worst[0] >= TARGETS["throughput"], "ratio": worst[0], "why": _why(res, worst[1], worst[2])})
    lat = [((a["p99"] or 0) / b["p99"] if b["p99"] else float("inf"), a, b) for a, b in pairs]
    worst = max(lat, key=lambda x: x[0])
    out.append({"target": "endpoint p99 latency ≤ 1.5× oxigraph serve's",
                "value": f"worst {worst[0]:.2f}× ({worst[1]['query']}, {worst[1]['clients']} clients)",
                "met": worst[0] <= TARGETS["p99"], "ratio": worst[0], "why": _why(res, worst[1], worst[2])})
    peak = res.get("peak_mib", {})
    if peak.get("oxigraph"):
        base = res.get("workers", 0) * res.get("worker_base_mib", 0.0)
        r = (peak["impactkg"] - base) / peak["oxigraph"]
        out.append({"target": "endpoint peak RSS (process tree) ≤ 2× oxigraph serve's, plus the base of each "
                              "query worker",
                    "value": f"{r:.2f}× ({peak['impactkg']:.0f} MiB − {res.get('workers')} × "
                             f"{res.get('worker_base_mib', 0):.0f} MiB against {peak['oxigraph']:.0f} MiB)",
                    "met": r <= TARGETS["rss"], "ratio": r,
                    "why": f"idle: impactkg {res['idle_mib']['impactkg']:.0f} MiB (the server process with Python, "
                           f"rdflib and pyoxigraph, and {res.get('workers')} workers of about "
                           f"{res.get('worker_base_mib', 0):.0f} MiB each), oxigraph {res['idle_mib']['oxigraph']:.0f} MiB"})
    errors = sum(r["errors"] for r in res["runs"])
    examples = [e for r in res["runs"] for e in r.get("error_examples", [])][:2]
    out.append({"target": "no errors under load", "value": f"{errors} errors in "
                f"{sum(r['requests'] for r in res['runs']):,} requests", "met": errors == 0, "ratio": None,
                "why": "; ".join(examples) or "every answer 200 with a body"})
    checks = res.get("text_checks", {})
    if checks:
        worst_name, worst_c = max(checks.items(), key=lambda kv: kv[1]["ratio"] or 0)
        out.append({"target": "query-text checks linear (1 MB / 100 KB ≈ 10, not 100)",
                    "value": f"worst {worst_c['ratio']:.1f} ({worst_name})", "met": (worst_c["ratio"] or 0) < 20,
                    "ratio": worst_c["ratio"],
                    "why": ", ".join(f"{n}: {c['100KB'] * 1000:.0f} ms / {c['1MB'] * 1000:.0f} ms"
                                     for n, c in checks.items())})
    return out


def render(res: dict[str, Any]) -> list[str]:
    """The section of results.md."""
    lines = ["", "## Endpoint against oxigraph serve", "",
             f"`impactkg serve` ({res.get('workers')} query workers) and `oxigraph serve --union-default-graph` on "
             f"copies of the same store ({res['triples']:,} triples), the same two queries, keep-alive clients "
             f"for {res['seconds_per_run']:g} s per run, both servers taking turns. Rows answered: "
             + ", ".join(f"{q} {c.get('impactkg')} / {c.get('oxigraph')}" for q, c in res.get("rows", {}).items())
             + ".", "",
             "| query | clients | impactkg req/s | oxigraph req/s | ratio | impactkg p50 / p99 | oxigraph p50 / p99 | "
             "p99 ratio | errors |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    runs = {(r["server"], r["query"], r["clients"]): r for r in res["runs"]}
    for (server, q, n), a in runs.items():
        if server != "impactkg" or ("oxigraph", q, n) not in runs:
            continue
        b = runs[("oxigraph", q, n)]

        def ms(x: float | None) -> str:
            return "—" if x is None else f"{x * 1000:.1f} ms"

        lines.append(f"| {q} | {n} | {a['rps']:.1f} | {b['rps']:.1f} | {a['rps'] / b['rps']:.2f}× | "
                     f"{ms(a['p50'])} / {ms(a['p99'])} | {ms(b['p50'])} / {ms(b['p99'])} | "
                     f"{(a['p99'] or 0) / (b['p99'] or 1):.2f}× | {a['errors']} / {b['errors']} |")
    peak, idle = res.get("peak_mib", {}), res.get("idle_mib", {})
    over = res.get("overhead", {})
    if over:
        lines += ["", "In one process, the engine alone and through impactkg's door with one query worker (median "
                  "of interleaved runs): " + "; ".join(
                      f"{q} {o['engine'] * 1000:.1f} ms and {o['door'] * 1000:.1f} ms" for q, o in over.items()) + "."]
    checks = res.get("text_checks", {})
    if checks:
        lines += ["", "The door's checks of query text (`tokens`), best of 5: " + "; ".join(
            f"{n} {c['100KB'] * 1000:.0f} ms for 100 KB, {c['1MB'] * 1000:.0f} ms for 1 MB ({c['ratio']:.1f}×)"
            for n, c in checks.items()) + ". Texts past the limits are refused early (`a.a.a…` after 5,000 dots)."]
    lines += ["", f"Load average of the machine: {res.get('load_average_before')} before the section, "
              f"{res.get('load_average_after')} after ({os.cpu_count()} cores)."]
    lines += ["", f"Memory (resident, whole process tree): impactkg idle {idle.get('impactkg', 0):.0f} MiB, peak "
              f"{peak.get('impactkg', 0):.0f} MiB, of which each of its {res.get('workers')} query workers holds about "
              f"{res.get('worker_base_mib', 0):.0f} MiB when idle (a worker is what makes a query killable); "
              f"oxigraph idle {idle.get('oxigraph', 0):.0f} MiB, peak {peak.get('oxigraph', 0):.0f} MiB.", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "client":
        client(args[1], args[2], int(args[3]), float(args[4]))
        return 0
    import argparse

    from bench.generate import generate

    p = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--levels", default="1,8,32")
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "data")
    a = p.parse_args(args)
    a.work.mkdir(parents=True, exist_ok=True)
    ds = generate(a.size, a.work / f"graph-{a.size}")
    res = run_serve(ds, a.work, tuple(int(x) for x in a.levels.split(",")), a.seconds)
    print("\n".join(render(res)))
    for t in res["targets"]:
        print(f"{'met' if t['met'] else 'MISSED':>8}  {t['target']}: {t['value']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
