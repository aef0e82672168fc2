"""The ``impactkg`` command line: build, query, validate, inspect and export the graph.

Every error is one line on stderr and a non-zero exit, never a traceback
(set ``IMPACTKG_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from impactkg.errors import ImpactKGError, LoadError

FORMATS_OUT = ("table", "csv", "tsv", "json", "ttl")


def _progress(desc: str):
    """A tqdm progress bar over sources, shown on a terminal; returns (callback, close)."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="file", disable=None, leave=False, file=sys.stderr)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    return step, bar.close


def _open(args: argparse.Namespace, build_if_empty: bool = True):
    from impactkg.graph.store import KnowledgeGraph

    kg = KnowledgeGraph.open(args.store)
    if build_if_empty and kg.is_empty():
        print(
            f"impactkg: no graph in {kg.path}; building the embedded dataset first", file=sys.stderr
        )
        step, close = _progress("building")
        try:
            kg.build(progress=step)
        finally:
            close()
    return kg


# ---------------------------------------------------------------------- commands
def cmd_build(args: argparse.Namespace) -> int:
    from impactkg.graph.store import KnowledgeGraph

    kg = KnowledgeGraph.open(args.store)
    step, close = _progress("loading")
    try:
        summary = (
            kg.build(
                *args.files,
                progress=step,
                kind=args.kind,
                namespace=args.namespace,
                encoding=args.encoding,
            )
            if args.files
            else kg.build(progress=step)
        )
    finally:
        close()
    print(summary.text())
    print(f"graph stored in {kg.path}")
    kg.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    kg = _open(args)
    step, close = _progress("loading")
    try:
        summary = kg.load(
            *args.files,
            kind=args.kind,
            namespace=args.namespace,
            encoding=args.encoding,
            graph=args.graph,
            progress=step,
        )
    finally:
        close()
    print(summary.text())
    kg.close()
    return 0


def _params(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ImpactKGError(f"--param expects KEY=VALUE, got {pair!r}")
        out[key.strip()] = value
    return out


def cmd_query(args: argparse.Namespace) -> int:
    from impactkg.graph.render import render

    if args.expression is None and args.name is None:
        raise ImpactKGError("give a query name, a .rq file, or -e 'SPARQL'")
    text = args.expression if args.expression is not None else args.name
    if text == "-":
        text = sys.stdin.read()
    kg = _open(args)
    result = kg.query(text, **_params(args.param))
    sys.stdout.write(render(result, args.format))
    kg.close()
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from impactkg.queries import library

    for name, q in library().items():
        print(f"{name}\n    {q.title_ja} | {q.title_en}\n    {q.description}")
        for p in q.params:
            flag = (
                "required" if p.required else (f"default {p.default}" if p.default else "optional")
            )
            print(f"    --param {p.name}=...  ({p.type}, {flag}) {p.description}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from impactkg.graph.store import KnowledgeGraph

    if args.files:
        kg = KnowledgeGraph.memory()
        kg.build()
        kg.load(*args.files, kind=args.kind, namespace=args.namespace, encoding=args.encoding)
        print(f"{', '.join(str(f) for f in args.files)}: loads without errors")
    else:
        kg = _open(args)
    report = kg.validate()
    print(report.text())
    return 0 if report.conforms else 1


def cmd_info(args: argparse.Namespace) -> int:
    kg = _open(args)
    print(f"store: {kg.path} ({kg.backend})")
    print(kg.stats().text())
    kg.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from impactkg.graph.backends import FORMATS

    fmt = args.format or Path(args.output).suffix.lstrip(".")
    fmt = {"turtle": "ttl", "rdf": "xml", "owl": "xml", "json": "jsonld"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ImpactKGError(f"unknown export format {fmt!r} (use --format {'|'.join(FORMATS)})")
    kg = _open(args)
    step, close = _progress("exporting")
    try:
        kg.export(args.output, fmt)
        step(str(args.output))
    finally:
        close()
    print(f"wrote {len(kg)} quads as {fmt} to {args.output}")
    kg.close()
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from impactkg.loaders.template import write_template

    path = write_template(args.kind, Path(args.output))
    print(f"wrote an empty {args.kind} template to {path}")
    return 0


# ---------------------------------------------------------------------- parser
def parser() -> argparse.ArgumentParser:
    from impactkg import __version__
    from impactkg.graph.store import STORE_ENV

    p = argparse.ArgumentParser(
        prog="impactkg",
        description="A knowledge graph of impact logic models: indicators, SDG targets, "
        "stakeholders and finance cases.",
        epilog=f"Without --store, the graph lives in ${STORE_ENV} or ~/.local/share/impactkg/store; "
        "a command that finds no graph there builds the embedded dataset first.",
    )
    p.add_argument("--version", action="version", version=f"impactkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def store(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", metavar="DIR", help="folder of the graph (default: see below)")

    def load_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--kind",
            help="what the tables hold (catalogue, values, finance_cases, ...); "
            "default: from the file or sheet name, else the header",
        )
        sp.add_argument("--namespace", help="prefix of the record ids (default: the file name)")
        sp.add_argument(
            "--encoding",
            help="text encoding of CSV files (default: UTF-8, UTF-8 with BOM or CP932, detected)",
        )

    sp = sub.add_parser("build", help="build the graph: ontology + embedded dataset (+ FILEs)")
    store(sp)
    load_opts(sp)
    sp.add_argument("files", nargs="*", metavar="FILE", help="CSV, TSV, XLSX or RDF files")
    sp.set_defaults(func=cmd_build)

    sp = sub.add_parser("load", help="load FILEs into the graph, each replacing its named graph")
    store(sp)
    load_opts(sp)
    sp.add_argument("--graph", help="IRI of the named graph to load into")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.set_defaults(func=cmd_load)

    sp = sub.add_parser("query", help="run a named query, a .rq file or SPARQL text")
    store(sp)
    sp.add_argument("name", nargs="?", help="named query (see 'impactkg queries') or FILE.rq")
    sp.add_argument("-e", "--expression", metavar="SPARQL", help="SPARQL text ('-' reads stdin)")
    sp.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a query parameter, bound as a typed RDF term (repeatable)",
    )
    sp.add_argument("--format", "-f", choices=FORMATS_OUT, default="table")
    sp.set_defaults(func=cmd_query)

    sp = sub.add_parser("queries", help="list the named queries with their parameters")
    sp.set_defaults(func=cmd_queries)

    sp = sub.add_parser(
        "validate", help="check FILEs (or the stored graph) against loaders and SHACL"
    )
    store(sp)
    load_opts(sp)
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("info", help="statistics: quads, named graphs, instances per class")
    store(sp)
    sp.set_defaults(func=cmd_info)

    sp = sub.add_parser("export", help="write the graph as RDF")
    store(sp)
    sp.add_argument("--format", "-f", help="ttl, nt, nq, trig, jsonld or xml (default: from -o)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE")
    sp.set_defaults(func=cmd_export)

    from impactkg.loaders import KINDS

    sp = sub.add_parser(
        "template", help="write an empty, documented table to fill in (CSV or XLSX)"
    )
    sp.add_argument(
        "kind",
        choices=[*KINDS, "all"],
        metavar="KIND",
        help=f"one of: {', '.join(KINDS)}, or 'all' (an XLSX workbook)",
    )
    sp.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    sp.set_defaults(func=cmd_template)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as exc:
        for problem in exc.problems:
            print(f"impactkg: {problem}", file=sys.stderr)
        n = len(exc.problems)
        print(
            f"impactkg: nothing loaded: {n} problem{'s' if n != 1 else ''}; the graph is unchanged",
            file=sys.stderr,
        )
        return 1
    except ImpactKGError as exc:
        print(f"impactkg: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("impactkg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if os.environ.get("IMPACTKG_DEBUG"):
            raise
        print(
            f"impactkg: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a readable error
        if os.environ.get("IMPACTKG_DEBUG"):
            raise
        print(
            f"impactkg: internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
            "(set IMPACTKG_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
