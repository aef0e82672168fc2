"""The contenders of the benchmark, each run in a process of its own by :mod:`bench.run`, so that
its peak memory (``VmHWM`` of ``/proc/self/status``) is its own. Every step prints one JSON line.

    python -m bench.contenders build ENGINE DATASET_DIR
    python -m bench.contenders exports DATASET_DIR WORK_DIR --reps N --cap S
    python -m bench.contenders rdflib DATASET_DIR --cap S --export-cap S

The named queries run in :mod:`bench.queries`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.common import Timeout, emit, rss_mb
from bench.common import alarm as _alarm
from bench.common import no_alarm as _no_alarm
from bench.queries import REFERENCE_QUERIES

ENGINES = ("impactkg-nt", "impactkg-build", "impactkg-nq", "impactkg-tables",
           "pyoxigraph-nt", "pyoxigraph-nq", "rdflib-nt", "imports")

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
        kg.load(nq, force=True)  # it holds the embedded dataset's (reserved) graphs
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
    # `impactkg export -o FILE.jsonld`: the command line's path (impactkg.graph.export.write.export),
    # capped in case it is far slower than the API's.
    path = work / "impactkg-cli.jsonld"
    if cap <= 0:
        emit(step="export", name="impactkg-cli-jsonld", skipped=True)
    else:
        _alarm(cap)
        try:
            run("impactkg-cli-jsonld", lambda p: export(kg, p, "jsonld"), path)
        except Timeout:
            emit(step="export", name="impactkg-cli-jsonld", timeout=cap)
        finally:
            _no_alarm()
    # The same triples in the named graphs of the members' loads: the union is written once.
    kg.close()
    multi = KnowledgeGraph.memory()
    multi.load(nq, force=True)
    run("impactkg-ttl-named-graphs", lambda p: multi.export(p, "ttl"), work / "impactkg-multi.ttl")
    run("impactkg-nt-named-graphs", lambda p: multi.export(p, "nt"), work / "impactkg-multi.nt")
    run("pyoxigraph-nt", lambda p: raw.dump(str(p), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
        work / "pyoxigraph.nt")
    emit(step="export-graphs", named_graphs=len(multi.graphs()),
         same_triples=_same_triples(work / "impactkg-multi.nt", work / "pyoxigraph.nt"))


def _same_triples(a: Path, b: Path) -> bool:
    """Whether two N-Triples files hold the same triples, each once."""
    def lines(p: Path) -> list[bytes]:
        return sorted(line for line in p.read_bytes().splitlines() if line.strip())

    first = lines(a)
    return len(first) == len(set(first)) and first == lines(b)


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
    elif a.cmd == "exports":
        exports(a.root, a.work, a.reps, a.cap)
    else:
        rdflib_run(a.root, a.cap, a.step_cap, a.export_cap, tuple(a.skip_query))


if __name__ == "__main__":
    sys.exit(main())
