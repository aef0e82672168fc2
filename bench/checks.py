"""Checking the graph: SHACL validation at several sizes (the store's SPARQL checks against
pySHACL), and ``impactkg reason`` on the embedded store, with where its time goes.

    python -m bench.checks shacl DATASET_DIR --pyshacl-cap S
    python -m bench.checks reason

Times are wall time and CPU time (user + system, of this process and of its children: HermiT
runs in a Java process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from bench.common import Timeout, alarm, emit, no_alarm


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def shacl(root: Path, pyshacl_cap: float) -> None:
    """Validate the dataset (with the ontology and the embedded dataset) on both engines."""
    from impactkg import KnowledgeGraph
    from impactkg.graph.analysis.validate import validate

    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    kg = KnowledgeGraph.memory()
    kg.build(root / "graph.nt")
    steps: list[str] = []
    t, c = time.perf_counter(), _cpu()[0]
    ours = validate(kg, engine="sparql", progress=steps.append)
    row = {"size": manifest["size"], "quads": len(kg), "sparql_seconds": time.perf_counter() - t,
           "sparql_cpu": _cpu()[0] - c, "checks": len(steps), "violations": len(ours.violations),
           "conforms": ours.conforms}
    if pyshacl_cap > 0:
        alarm(pyshacl_cap)
        t = time.perf_counter()
        try:
            theirs = validate(kg, engine="pyshacl")
            row["pyshacl_seconds"] = time.perf_counter() - t
            key = lambda r: sorted((v.focus, v.severity, v.message) for v in r.violations)  # noqa: E731
            row["same_violations"] = key(ours) == key(theirs)
        except Timeout:
            row["pyshacl_timeout"] = pyshacl_cap
        finally:
            no_alarm()
    emit(step="shacl", **row)


def reason() -> None:
    """``reason(kg)`` on the embedded store, its phases timed."""
    from bench.maps import _timing
    from impactkg import KnowledgeGraph
    from impactkg.graph.analysis import reasoning

    kg = KnowledgeGraph.memory()
    kg.build()
    phases = ("_input_quads", "_hermit", "_complete", "_schema")
    timing = _timing(reasoning, phases)
    t, (c0, k0) = time.perf_counter(), _cpu()
    try:
        report = reasoning.reason(kg)
    finally:
        timing.restore()
    c1, k1 = _cpu()
    emit(step="reason", reasoner=report.reasoner, consistent=report.consistent, inferred=report.inferred,
         wall=time.perf_counter() - t, cpu=c1 - c0, java_cpu=k1 - k0, phases=timing.seconds, quads=len(kg))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.checks")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("shacl")
    s.add_argument("root", type=Path)
    s.add_argument("--pyshacl-cap", type=float, default=120)
    sub.add_parser("reason")
    a = p.parse_args(argv)
    if a.cmd == "shacl":
        shacl(a.root, a.pyshacl_cap)
    else:
        reason()


if __name__ == "__main__":
    sys.exit(main())
