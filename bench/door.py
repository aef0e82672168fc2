"""What impactkg's door costs in one process, beside the endpoint's HTTP (bench/serve.py): the
engine alone against the door with a query worker on the same queries, and the checks of query
text on large texts (issue 13).

``python -m bench.door STORE QUERIES_JSON REPS`` prints the first as one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def overhead(store: str, query_file: str, reps: int) -> None:
    """The engine alone (pyoxigraph on the store, read-only as the workers open it) against the
    whole door with one query worker (``KnowledgeGraph.open(store, workers=1).sparql``), interleaved,
    in one process: what impactkg adds to a query besides HTTP. Prints one JSON line."""
    import shutil
    import tempfile

    import pyoxigraph as ox

    from impactkg import KnowledgeGraph
    from impactkg.graph.backends.versions import StoreFolder

    queries = json.loads(Path(query_file).read_text(encoding="utf-8"))
    # a copy: the store itself is the one impactkg serve serves (one writer per store folder)
    own = Path(tempfile.mkdtemp(prefix="impactkg-door-")) / "store"
    shutil.copytree(store, own, ignore=shutil.ignore_patterns("serving.json"))
    raw = ox.Store.read_only(str(StoreFolder(own).current()))  # the version in use
    kg = KnowledgeGraph.open(own, workers=1, timeout=600)
    out = {}
    try:
        for name, text in queries.items():
            engine, door = [], []
            for _ in range(reps):
                t = time.perf_counter()
                list(raw.query(text, use_default_graph_as_union=True))
                engine.append(time.perf_counter() - t)
                t = time.perf_counter()
                kg.sparql(text, max_results=10**7)
                door.append(time.perf_counter() - t)
            out[name] = {"engine": statistics.median(engine), "door": statistics.median(door), "reps": reps}
    finally:
        kg.close()
        del raw
        shutil.rmtree(own.parent, ignore_errors=True)
    print(json.dumps(out))


def text_checks() -> dict[str, Any]:
    """The door's checks of query text (:func:`impactkg.graph.sparql.text.tokens`) on 100 KB and
    1 MB of each text that was slow to check: seconds (best of 5, the two sizes taking turns so
    that a change in the machine's load hits both) and their ratio (linear: about 10)."""
    from impactkg.errors import QueryError
    from impactkg.graph.sparql.text import tokens

    chunks = {"a.a.a…": "a.", "a-a-a…": "a-", "VALUES of strings": '"ab" ', "VALUES of IRIs": "<http://e/x> ",
              "prefixed names": "ex:a.b "}
    out: dict[str, Any] = {}
    for name, chunk in chunks.items():
        texts = {}
        for size in (100_000, 1_000_000):
            body = chunk * (size // len(chunk))
            texts[size] = (f"SELECT * WHERE {{ VALUES ?x {{ {body} }} }}" if name.startswith("VALUES")
                           else f"SELECT * WHERE {{ ?s ?p {body} }}")
        best = {size: float("inf") for size in texts}
        for _ in range(5):
            for size, text in texts.items():
                t = time.perf_counter()
                try:
                    tokens(text)
                except QueryError:
                    pass
                best[size] = min(best[size], time.perf_counter() - t)
        out[name] = {"100KB": best[100_000], "1MB": best[1_000_000],
                     "ratio": best[1_000_000] / best[100_000] if best[100_000] else None}
    return out


if __name__ == "__main__":
    overhead(sys.argv[1], sys.argv[2], int(sys.argv[3]))
