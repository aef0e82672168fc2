"""Where the CPU time of ``impactkg query NAME`` goes, phase by phase, in one process: the
command line's modules and its arguments, the modules of the store, the queries and the table,
opening the store read-only, the query, the table. Each phase is the process's CPU time
(:func:`time.process_time`, all threads) between two points of the same steps the command takes
(``core/cli/query.py``); the interpreter's own start is ``python (no import)`` of
:mod:`bench.startup`. Within the imports, the compilation of the SPARQL tokenizer's regular
expressions (Python's ``re`` builds the bitmaps of SPARQL's Unicode name classes in pure Python)
and the import of :mod:`dataclasses` (with :mod:`inspect`) are measured apart.

    python -m bench.startup_phases STORE NAME [KEY=VALUE ...]   # one JSON line per run
"""

from __future__ import annotations

import sys
import time


def phases(store: str, name: str, pairs: list[str]) -> dict[str, float]:
    """CPU seconds of each phase of ``impactkg query NAME --store STORE -p KEY=VALUE ...``."""
    marks = [("start", time.process_time())]

    def mark(label: str) -> None:
        marks.append((label, time.process_time()))

    import dataclasses  # noqa: F401  (imported by the store's modules; measured apart)

    mark("dataclasses and inspect")
    from impactkg.cli import parser
    from impactkg.cli.common import open_graph, params

    argv = ["query", name, "--store", store, *[x for pair in pairs for x in ("-p", pair)]]
    args = parser(argv).parse_args(argv)
    mark("the command line's modules and arguments")
    import impactkg.graph.sparql.text

    impactkg.graph.sparql.text._patterns()  # compiled at the first text tokenized: here, apart
    mark("the SPARQL tokenizer (its regular expressions compiled)")
    import impactkg.graph.sparql.render
    import impactkg.graph.store
    import impactkg.queries  # noqa: F401

    mark("the store's, the queries' and the table's other modules")
    kg = open_graph(args, read_only=True)
    mark("opening the store read-only (RocksDB)")
    result = kg.query(name, params(args.param))
    kg.close()
    mark("the query (parameters checked, rows read)")
    impactkg.graph.sparql.render.table(result, None).encode("utf-8")
    mark("the table")
    return {label: t - marks[i][1] for i, (label, t) in enumerate(marks[1:])}


def main(argv: list[str] | None = None) -> None:
    import json

    a = sys.argv[1:] if argv is None else argv
    print(json.dumps({"step": "startup-phases", "query": a[1], "params": a[2:], "phases": phases(a[0], a[1], a[2:])},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
