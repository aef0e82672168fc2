"""The named queries against their limit, run in a process of its own by :mod:`bench.run`:

    python -m bench.queries DATASET_DIR --budget S --max-reps N

Each case (a named query with its required parameters, and once more with each optional
parameter) runs three ways, interleaved, until a time budget: through impactkg's door
(``kg.query(name, **params)``, every value of every row read), as the same SPARQL on a
bulk-loaded pyoxigraph store (the text and bindings the door sends, parameters bound in the
engine), and as its *limit*: the fastest equivalent SPARQL known on that pyoxigraph store —
``bench/limits/NAME.rq`` (``NAME@PARAM.rq`` for the case filtered by PARAM) where a faster
formulation has been found, else the named query itself with the parameter values written into
it as constants. The rows of the door and of the limit are compared.

Also: the cost of the results on a small query (``targets-without-indicator``), the issue's
reference queries, and a count of the SPARQL evaluations by pyoxigraph and by rdflib.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.common import HERE, emit, percentile

LIMITS = HERE / "limits"

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
#: The small query whose results' cost is measured.
SMALL = "targets-without-indicator"


def query_cases(manifest: dict) -> list[tuple[str, dict[str, str]]]:
    """Each named query with its required parameters, and once more with each optional
    parameter (without a default), with values the generated graph holds."""
    from impactkg.queries import library

    code = manifest.get("target", "11.b")
    values = {
        "sdg-target": code, "sdg-goal": code.split(".")[0], "text": "受診率",
        "concept:domain": "healthcare-health", "concept:finance-method": "debt",
        "concept:social-issue": "environment", "concept:organization-type": "financial-institution",
        "concept:process-scene": "scene-1", "concept:assertion-status": "stated", "indicator": "m0000:1",
        "iri": "https://w3id.org/impactkg/id/org/m0000-sub-0", "organization": "m0000-sub-0", "lang": "ja",
    }
    by_name = {"equivalent": "without", "polarity": "R", "factor": manifest.get("factor") or "m0000-f00000",
               "q": "受診率", "identified": "yes", "class": "https://w3id.org/impactkg/ontology#Indicator"}

    def value(p) -> str:
        if p.name in by_name:
            return by_name[p.name]
        if p.type.startswith("enum:"):  # the first of its values
            return p.type.split(":", 1)[1].split("|")[0]
        return values.get(p.type, "")

    cases = []
    for name, q in library().items():
        required = {p.name: value(p) for p in q.params if p.required}
        cases.append((name, required))
        for p in q.params:
            # a parameter with no value in the generated graph (a company's KPI roles) has no case
            if not p.required and p.default is None and value(p):
                cases.append((name, {**required, p.name: value(p)}))
    return cases


def limit_text(name: str, params: dict[str, str], text: str, bindings: dict) -> tuple[str, str]:
    """The limit of a case: its SPARQL (parameter values written as constants) and where it
    comes from (a file of ``bench/limits`` or the named query itself)."""
    from impactkg.graph.sparql.params import with_values
    from impactkg.graph.sparql.text import term_text
    from impactkg.queries import get

    optional = [k for k in params if not get(name).param(k).required]  # type: ignore[union-attr]
    path = LIMITS / (f"{name}@{optional[0]}.rq" if optional else f"{name}.rq")
    if not path.exists():
        return with_values(text, {k: term_text(v) for k, v in bindings.items()}), "the named query, values as constants"
    limit = path.read_text(encoding="utf-8")
    for key, term in bindings.items():
        limit = re.sub(rf"\${key}\b", lambda _m, t=term: term_text(t), limit)
    if "$" in re.sub(r'"[^"]*"', "", limit):
        raise SystemExit(f"{path}: a parameter is left unbound")
    return limit, f"bench/limits/{path.name}"


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


def _interleaved(runs: dict[str, Callable[[], int]], budget: float, max_reps: int, min_reps: int = 3):
    """Run each function in turn until the budget is spent; their times and row counts."""
    times: dict[str, list[float]] = {k: [] for k in runs}
    rows: dict[str, int] = {}
    spent = 0.0
    while True:
        for key, run in runs.items():
            t = time.perf_counter()
            rows[key] = run()
            dt = time.perf_counter() - t
            times[key].append(dt)
            spent += dt
        reps = len(next(iter(times.values())))
        if reps >= max_reps or (reps >= min_reps and spent >= budget) or spent >= 4 * budget:
            return times, rows


def _multiset(variables: list[str], names: list[str], rows) -> Counter:
    """Rows as tuples of N-Triples terms, in the order of ``names``."""
    index = [variables.index(n) if n in variables else None for n in names]
    return Counter(tuple(None if i is None or row[i] is None else str(row[i]) for i in index) for row in rows)


def queries(root: Path, budget: float, max_reps: int) -> None:
    """Every case on impactkg, as the same SPARQL on pyoxigraph, and as its limit, interleaved."""
    import pyoxigraph as ox
    import rdflib
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
    # the same triples in the same named graph as impactkg's load, read as their union (as the
    # door reads): a query that names the graph of a record (its ``source``) answers alike
    (graph,) = [g for g in kg.graphs() if "/graph/" in g]
    raw = ox.Store()
    raw.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    rdflib.Graph().query("SELECT * WHERE { ?s ?p ?o }")  # the probe works: this one is counted
    control = calls["rdflib"]
    calls["rdflib"] = 0

    def read(res) -> int:
        return sum(1 for solution in res for _ in solution) // max(1, len(res.variables))

    for name, params in query_cases(manifest):
        text, bindings = resolve(name, params)
        sparql = with_param_binds(text, list(bindings))
        functions = {ox.NamedNode(PARAM_NS + k): (lambda v=v: v) for k, v in bindings.items()}
        limit, source = limit_text(name, params, text, bindings)
        got: dict[str, tuple[list[str], list]] = {}

        def ours(name=name, params=params, got=got) -> int:
            res = kg.query(name, **params)
            got["impactkg"] = (res.variables, res.terms)
            return sum(1 for row in res.terms for _ in row) // max(1, len(res.variables))

        def same(sparql=sparql, functions=functions) -> int:
            return read(raw.query(sparql, prefixes=PREFIXES, custom_functions=functions,
                                  use_default_graph_as_union=True))

        def best(limit=limit, got=got) -> int:
            res = raw.query(limit, prefixes=PREFIXES, use_default_graph_as_union=True)
            variables = [v.value for v in res.variables]
            terms = [tuple(solution) for solution in res]
            got["limit"] = (variables, terms)
            return len(terms)

        before = (calls["rdflib"], probe.queries)
        times, rows = _interleaved({"impactkg": ours, "same": same, "limit": best}, budget, max_reps)
        names = got["impactkg"][0]
        equal = _multiset(names, names, got["impactkg"][1]) == _multiset(got["limit"][0], names, got["limit"][1])
        med = {k: statistics.median(v) for k, v in times.items()}
        emit(step="query", name=name, params=params, reps=len(times["impactkg"]), rows=rows["impactkg"],
             rows_pyoxigraph=rows["same"], rows_limit=rows["limit"], same_rows=equal, limit_source=source,
             impactkg_median=med["impactkg"], impactkg_p95=percentile(times["impactkg"], 95),
             pyoxigraph_median=med["same"], pyoxigraph_p95=percentile(times["same"], 95),
             limit_median=med["limit"], limit_p95=percentile(times["limit"], 95),
             ratio=med["impactkg"] / med["limit"], ratio_same=med["impactkg"] / med["same"],
             property_path=bool(PATH_RE.search(get(name).text)),
             rdflib_evaluations=calls["rdflib"] - before[0], pyoxigraph_queries=probe.queries - before[1],
             # each parameter naming a concept, an indicator or an IRI is looked up once per run
             reference_lookups=len(prepare(name, params).references))

    results_cost(kg, raw, max(2 * max_reps, 30))

    for name, text in REFERENCE_QUERIES.items():
        text = text.replace("%TARGET%", manifest.get("target", "11.b"))
        times, rows = _interleaved({
            "impactkg": lambda text=text: len(kg.sparql(text).terms),
            "pyoxigraph": lambda text=text: read(raw.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)),
        }, budget / 3, min(max_reps, 5), 1)
        emit(step="reference-query", name=name, rows=rows["impactkg"], rows_pyoxigraph=rows["pyoxigraph"],
             impactkg_median=statistics.median(times["impactkg"]),
             pyoxigraph_median=statistics.median(times["pyoxigraph"]), reps=len(times["impactkg"]))
    emit(step="evaluator", backend=kg.backend, backend_class=type(kg._backend).__name__,
         rdflib_evaluations=calls["rdflib"], rdflib_probe_control=control, pyoxigraph_queries=probe.queries)


def results_cost(kg, raw, reps: int) -> None:
    """What the results of a small query cost on each door, against reading them from
    pyoxigraph: the door's rows (pyoxigraph terms, as the CLI and the endpoint get them), the
    endpoint's JSON and the CLI's CSV and table, and the rdflib view (built only when asked for);
    pyoxigraph's own JSON writer for comparison."""
    import pyoxigraph as ox

    from impactkg.graph.sparql.render import table
    from impactkg.ontology import PREFIXES
    from impactkg.queries import get

    text = get(SMALL).text
    runs = {
        "pyoxigraph read": lambda: sum(1 for s in raw.query(text, prefixes=PREFIXES, use_default_graph_as_union=True) for _ in s),
        "pyoxigraph JSON": lambda: len(raw.query(text, prefixes=PREFIXES, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON)),
        "door rows": lambda: sum(1 for row in kg.query(SMALL).terms for _ in row),
        "endpoint JSON": lambda: len(kg.query(SMALL).serialize("json")),
        "CLI CSV": lambda: len(kg.query(SMALL).serialize("csv")),
        "CLI table": lambda: len(table(kg.query(SMALL))),
        "rdflib view": lambda: len(kg.query(SMALL).rows),
    }
    times, rows = _interleaved(runs, 10.0, reps, reps)
    emit(step="results-cost", query=SMALL, rows=len(kg.query(SMALL)), reps=reps,
         medians={k: statistics.median(v) for k, v in times.items()})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.queries")
    p.add_argument("root", type=Path)
    p.add_argument("--budget", type=float, default=3.0)
    p.add_argument("--max-reps", type=int, default=15)
    a = p.parse_args(argv)
    queries(a.root, a.budget, a.max_reps)


if __name__ == "__main__":
    sys.exit(main())
