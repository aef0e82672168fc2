"""The contenders of the benchmark, each run in a process of its own by :mod:`bench.run`, so that
its peak memory (``VmHWM`` of ``/proc/self/status``) is its own. Every step prints one JSON line.

    python -m bench.contenders build ENGINE DATASET_DIR
    python -m bench.contenders queries DATASET_DIR --budget S --max-reps N
    python -m bench.contenders exports DATASET_DIR WORK_DIR --reps N --cap S
    python -m bench.contenders rdflib DATASET_DIR --cap S --export-cap S
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ENGINES = ("impactkg-nt", "impactkg-build", "impactkg-nq", "impactkg-tables",
           "pyoxigraph-nt", "pyoxigraph-nq", "rdflib-nt", "imports")

#: The queries of the issue's measurements, run on every engine (rdflib included).
REFERENCE_QUERIES = {
    "indicators-of-one-target": """
SELECT ?ind ?label ?unit WHERE {
  ?ind a ikg:Indicator ; ikg:sdgTarget <http://metadata.un.org/sdg/%TARGET%> ; rdfs:label ?label .
  OPTIONAL { ?ind ikg:unit/skos:prefLabel ?unit FILTER(lang(?unit) = "ja") }
}""",
    "chain-as-sequence-path": """
SELECT ?a ?goal WHERE {
  ?a a ikg:Activity ; ikg:hasResult/ikg:contributesTo/ikg:servesTarget/sdgo:isTargetOf ?goal .
}""",
    "chain-as-transitive-path": """
SELECT ?a ?t WHERE {
  ?a a ikg:Activity ; (ikg:hasResult|ikg:contributesTo|ikg:servesTarget)+ ?t . ?t a sdgo:Target .
}""",
}

#: A property path in a query: ``a/b``, ``a|b``, ``^a``, ``a+``, ``a*`` (between prefixed names).
PATH_RE = re.compile(r"[\w-]+:[\w.-]*[a-zA-Z]\s*[/|]\s*\^?[\w-]+:|\^[\w-]+:\w|[\w-]+:\w+[+*](?=[\s?<])")


def emit(**row: Any) -> None:
    print(json.dumps(row, ensure_ascii=False, default=str), flush=True)


def rss_mb(field: str = "VmHWM") -> float:
    """The process's peak (``VmHWM``) or current (``VmRSS``) resident memory in MiB."""
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return math.nan


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Timeout(Exception):
    pass


def _alarm(seconds: float):
    def handler(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))


def _no_alarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


# ---------------------------------------------------------------------- build
def build(engine: str, root: Path) -> None:
    """Load the dataset with one engine and report time, triples and peak memory."""
    nt, nq = root / "graph.nt", root / "graph.nq"
    if engine == "imports":  # what impactkg's first load imports (its loaders, networkx), once
        import impactkg  # noqa: F401

        t = time.perf_counter()
        import impactkg.loaders  # noqa: F401

        emit(step="build", engine=engine, seconds=time.perf_counter() - t, quads=0, rss_before_mb=0,
             peak_rss_mb=rss_mb())
        return
    if engine.startswith("impactkg"):
        # Imported before the clock starts, as the other libraries are: the one-time import of
        # the loaders (networkx among them) is measured on its own (engine "imports").
        import impactkg.loaders  # noqa: F401
        from impactkg import KnowledgeGraph
    elif engine.startswith("pyoxigraph"):
        import pyoxigraph as ox
    else:
        import rdflib
    before = rss_mb("VmRSS")
    t = time.perf_counter()
    if engine == "impactkg-nt":
        kg = KnowledgeGraph.memory()
        kg.load(nt)
        size = kg
    elif engine == "impactkg-build":
        kg = KnowledgeGraph.memory()
        kg.build(nt)
        size = kg
    elif engine == "impactkg-nq":
        kg = KnowledgeGraph.memory()
        kg.load(nq)
        size = kg
    elif engine == "impactkg-tables":
        from bench.generate import load_tables

        kg = KnowledgeGraph.memory()
        load_tables(kg, root)
        size = kg
    elif engine == "pyoxigraph-nt":
        store = ox.Store()
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        size = store
    elif engine == "pyoxigraph-nq":
        store = ox.Store()
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        size = store
    elif engine == "rdflib-nt":
        g = rdflib.Graph()
        g.parse(str(nt), format="nt")
        size = g
    else:
        raise SystemExit(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    seconds = time.perf_counter() - t
    n = len(size)  # counted after the clock stops (a count is a scan of the store)
    peak = rss_mb()
    extra: dict[str, float] = {}
    if engine == "impactkg-nt":  # where the time goes: the syntax check is one pass of the parser
        from impactkg.loaders.rdf import check_rdf

        t = time.perf_counter()
        check_rdf(nt, "urn:bench:check")
        extra["check_seconds"] = time.perf_counter() - t
    emit(step="build", engine=engine, seconds=seconds, quads=n, rss_before_mb=before, peak_rss_mb=peak, **extra)


# ---------------------------------------------------------------------- queries
def query_cases(manifest: dict) -> list[tuple[str, dict[str, str]]]:
    """Each named query with its required parameters, and once more filtered by its first
    optional parameter, with values that exist in the generated graph."""
    from impactkg.queries import library

    code = manifest.get("target", "11.b")
    values = {
        "sdg-target": code, "sdg-goal": code.split(".")[0], "text": "受診率",
        "concept:domain": "healthcare-health", "concept:finance-method": "debt",
        "concept:social-issue": "environment", "concept:organization-type": "financial-institution",
        "concept:process-scene": "scene-1", "concept:assertion-status": "stated", "indicator": "m0000:1",
        "iri": "https://w3id.org/impactkg/id/org/m0000-sub-0", "lang": "ja",
    }
    by_name = {"equivalent": "without", "polarity": "R", "factor": "m0000-f00000", "q": "受診率"}
    cases = []
    for name, q in library().items():
        required = {p.name: by_name.get(p.name, values.get(p.type, "")) for p in q.params if p.required}
        cases.append((name, required))
        optional = [p for p in q.params if not p.required and p.default is None]
        if optional:
            p = optional[0]
            cases.append((name, {**required, p.name: by_name.get(p.name, values.get(p.type, ""))}))
    return cases


class CountingStore:
    """A proxy of a ``pyoxigraph.Store`` that counts the calls of ``query``."""

    def __init__(self, store):
        self._store = store
        self.queries = 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self._store.query(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._store, name)

    def __len__(self) -> int:
        return len(self._store)


def queries(root: Path, budget: float, max_reps: int, min_reps: int = 3) -> None:
    """Every named query on impactkg and the same SPARQL directly on pyoxigraph, interleaved."""
    import pyoxigraph as ox
    import rdflib.plugins.sparql.evaluate as rdflib_evaluate
    import rdflib.plugins.sparql.processor as rdflib_processor

    from impactkg import KnowledgeGraph
    from impactkg.graph.sparql.params import PARAM_NS, with_param_binds
    from impactkg.ontology import PREFIXES
    from impactkg.queries import get, prepare, resolve

    # Every evaluation by rdflib's SPARQL engine goes through evalQuery: count the calls.
    calls = {"rdflib": 0}
    original = rdflib_evaluate.evalQuery

    def counting(*args, **kwargs):
        calls["rdflib"] += 1
        return original(*args, **kwargs)

    rdflib_evaluate.evalQuery = counting
    rdflib_processor.evalQuery = counting

    nt = root / "graph.nt"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    kg = KnowledgeGraph.memory()
    kg.load(nt)
    probe = CountingStore(kg._backend.store)
    kg._backend.store = probe
    raw = ox.Store()
    raw.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)

    # The probe works: a query on an rdflib graph is counted.
    import rdflib

    rdflib.Graph().query("SELECT * WHERE { ?s ?p ?o }")
    control = calls["rdflib"]
    calls["rdflib"] = 0

    def timed(run) -> tuple[float, int]:
        t = time.perf_counter()
        n = run()
        return time.perf_counter() - t, n

    for name, params in query_cases(manifest):
        text, bindings = resolve(name, params)
        sparql = with_param_binds(text, list(bindings))
        functions = {ox.NamedNode(PARAM_NS + k): (lambda v=v: v) for k, v in bindings.items()}

        def ours(name=name, params=params) -> int:
            return len(kg.query(name, **params).rows)

        def direct(store=raw, union=False, sparql=sparql, functions=functions) -> int:
            res = store.query(sparql, prefixes=PREFIXES, custom_functions=functions,
                              use_default_graph_as_union=union)
            return sum(1 for solution in res for _ in solution) // max(1, len(res.variables))

        before = (calls["rdflib"], probe.queries)
        times: dict[str, list[float]] = {"impactkg": [], "pyoxigraph": []}
        rows: dict[str, int] = {}
        spent = 0.0
        while True:
            for engine, run in (("impactkg", ours), ("pyoxigraph", direct)):
                dt, n = timed(run)
                times[engine].append(dt)
                rows[engine] = n
                spent += dt
            reps = len(times["impactkg"])
            if reps >= max_reps or (reps >= min_reps and spent >= budget) or (spent >= 4 * budget):
                break
        ratio = statistics.median(times["impactkg"]) / statistics.median(times["pyoxigraph"])
        row = {
            "step": "query", "name": name, "params": params, "reps": len(times["impactkg"]),
            "rows": rows["impactkg"], "rows_pyoxigraph": rows["pyoxigraph"],
            "impactkg_median": statistics.median(times["impactkg"]),
            "impactkg_p95": percentile(times["impactkg"], 95),
            "pyoxigraph_median": statistics.median(times["pyoxigraph"]),
            "pyoxigraph_p95": percentile(times["pyoxigraph"], 95),
            "ratio": ratio,
            "property_path": bool(PATH_RE.search(get(name).text)),
            "rdflib_evaluations": calls["rdflib"] - before[0],
            "pyoxigraph_queries": probe.queries - before[1],
            # each parameter naming a concept, an indicator or an IRI is looked up once per run
            "reference_lookups": len(prepare(name, params).references),
        }
        if ratio > 1.5:  # where does the difference go: the same SPARQL on impactkg's own store
            own = [timed(lambda: direct(probe._store, True))[0] for _ in range(min(3, len(times["impactkg"])))]
            row["impactkg_store_direct_median"] = statistics.median(own)
        emit(**row)

    for name, text in REFERENCE_QUERIES.items():
        text = text.replace("%TARGET%", manifest.get("target", "11.b"))
        times = {"impactkg": [], "pyoxigraph": []}
        rows = {}
        for _ in range(max(1, min(max_reps, 5))):
            dt, n = timed(lambda text=text: len(kg.sparql(text).rows))
            times["impactkg"].append(dt)
            rows["impactkg"] = n
            dt, n = timed(lambda text=text: sum(1 for _ in raw.query(text, prefixes=PREFIXES)))
            times["pyoxigraph"].append(dt)
            rows["pyoxigraph"] = n
            if sum(times["impactkg"]) + sum(times["pyoxigraph"]) > budget:
                break
        emit(step="reference-query", name=name, rows=rows["impactkg"], rows_pyoxigraph=rows["pyoxigraph"],
             impactkg_median=statistics.median(times["impactkg"]),
             pyoxigraph_median=statistics.median(times["pyoxigraph"]), reps=len(times["impactkg"]))
    emit(step="evaluator", backend=kg.backend, backend_class=type(kg._backend).__name__,
         rdflib_evaluations=calls["rdflib"], rdflib_probe_control=control,
         pyoxigraph_queries=probe.queries)


# ---------------------------------------------------------------------- exports
def exports(root: Path, work: Path, reps: int, cap: float) -> None:
    """Turtle and JSON-LD: impactkg's export against pyoxigraph's serializer on the same data."""
    import pyoxigraph as ox

    from impactkg import KnowledgeGraph
    from impactkg.graph.export.write import export
    from impactkg.graph.sparql.formats import TURTLE_PREFIXES

    work.mkdir(parents=True, exist_ok=True)
    nt, nq = root / "graph.nt", root / "graph.nq"
    kg = KnowledgeGraph.memory()
    kg.load(nt)
    raw = ox.Store()
    raw.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)

    def run(label: str, fn, path: Path, n: int = reps) -> None:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn(path)
            times.append(time.perf_counter() - t)
        emit(step="export", name=label, median=statistics.median(times), reps=n, bytes=path.stat().st_size)

    run("impactkg-ttl", lambda p: kg.export(p, "ttl"), work / "impactkg.ttl")
    run("pyoxigraph-ttl", lambda p: raw.dump(str(p), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=TURTLE_PREFIXES),
        work / "pyoxigraph.ttl")
    run("impactkg-jsonld", lambda p: kg.export(p, "jsonld"), work / "impactkg.jsonld")
    run("pyoxigraph-jsonld", lambda p: raw.dump(str(p), ox.RdfFormat.JSON_LD), work / "pyoxigraph.jsonld")
    # `impactkg export -o FILE.jsonld`: the command line's path, through the same writer as the API.
    path = work / "impactkg-cli.jsonld"
    if cap <= 0:
        emit(step="export", name="impactkg-cli-jsonld", skipped=True)
        cap = 0
    else:
        _alarm(cap)
    t = time.perf_counter()
    try:
        if cap:
            export(kg, path, "jsonld")
            emit(step="export", name="impactkg-cli-jsonld", median=time.perf_counter() - t, reps=1,
                 bytes=path.stat().st_size)
    except Timeout:
        emit(step="export", name="impactkg-cli-jsonld", timeout=cap)
    finally:
        _no_alarm()
    # The same triples in the named graphs of the members' loads: the union is deduplicated.
    kg.close()
    multi = KnowledgeGraph.memory()
    multi.load(nq)
    run("impactkg-ttl-named-graphs", lambda p: multi.export(p, "ttl"), work / "impactkg-multi.ttl", 1)
    emit(step="export-graphs", named_graphs=len(multi.graphs()))


# ---------------------------------------------------------------------- rdflib
def rdflib_run(root: Path, cap: float, step_cap: float, export_cap: float, skip: tuple[str, ...] = ()) -> None:
    """rdflib's memory store: load, the reference queries, Turtle and JSON-LD, each step capped."""
    import rdflib

    from impactkg.ontology import PREFIXES

    nt = root / "graph.nt"
    g = rdflib.Graph()
    _alarm(cap)
    t = time.perf_counter()
    try:
        g.parse(str(nt), format="nt")
    except Timeout:
        emit(step="rdflib-load", timeout=cap, peak_rss_mb=rss_mb())
        return
    finally:
        _no_alarm()
    emit(step="rdflib-load", seconds=time.perf_counter() - t, quads=len(g), peak_rss_mb=rss_mb())
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for name, text in REFERENCE_QUERIES.items():
        text = text.replace("%TARGET%", manifest.get("target", "11.b"))
        if step_cap <= 0 or name in skip:
            emit(step="rdflib-query", name=name, skipped=True)
            continue
        _alarm(step_cap)
        t = time.perf_counter()
        try:
            n = len(list(g.query(prologue + text)))
            emit(step="rdflib-query", name=name, seconds=time.perf_counter() - t, rows=n)
        except Timeout:
            emit(step="rdflib-query", name=name, timeout=step_cap)
        finally:
            _no_alarm()
    for fmt, ext in (("turtle", "ttl"), ("json-ld", "jsonld")):
        path = root / f"rdflib.{ext}"
        if export_cap <= 0:
            emit(step="rdflib-export", name=fmt, skipped=True)
            continue
        _alarm(export_cap)
        t = time.perf_counter()
        try:
            g.serialize(destination=str(path), format=fmt)
            emit(step="rdflib-export", name=fmt, seconds=time.perf_counter() - t, bytes=path.stat().st_size)
        except Timeout:
            emit(step="rdflib-export", name=fmt, timeout=export_cap)
        finally:
            _no_alarm()
            path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.contenders")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("engine", choices=ENGINES)
    b.add_argument("root", type=Path)
    q = sub.add_parser("queries")
    q.add_argument("root", type=Path)
    q.add_argument("--budget", type=float, default=3.0)
    q.add_argument("--max-reps", type=int, default=15)
    e = sub.add_parser("exports")
    e.add_argument("root", type=Path)
    e.add_argument("work", type=Path)
    e.add_argument("--reps", type=int, default=3)
    e.add_argument("--cap", type=float, default=60)
    r = sub.add_parser("rdflib")
    r.add_argument("root", type=Path)
    r.add_argument("--cap", type=float, default=180)
    r.add_argument("--step-cap", type=float, default=20)
    r.add_argument("--export-cap", type=float, default=60)
    r.add_argument("--skip-query", action="append", default=[], help="a reference query not to run")
    a = p.parse_args(argv)
    if a.cmd == "build":
        build(a.engine, a.root)
    elif a.cmd == "queries":
        queries(a.root, a.budget, a.max_reps)
    elif a.cmd == "exports":
        exports(a.root, a.work, a.reps, a.cap)
    else:
        rdflib_run(a.root, a.cap, a.step_cap, a.export_cap, tuple(a.skip_query))


if __name__ == "__main__":
    sys.exit(main())
