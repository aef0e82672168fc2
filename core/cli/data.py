"""``impactkg build``, ``load``, ``validate``, ``info`` and ``template``: data into the graph."""

from __future__ import annotations

import argparse
from pathlib import Path

from impactkg.cli.common import add_load_options, add_store, graph, open_graph, progress


def cmd_build(args: argparse.Namespace) -> int:
    kg = graph(args)
    step, close = progress("loading")
    try:
        options = {"kind": args.kind, "namespace": args.namespace, "encoding": args.encoding}
        summary = kg.build(*args.files, progress=step, **options) if args.files else kg.build(progress=step)
    finally:
        close()
    print(summary.text())
    print(f"graph stored in {kg.location}")
    kg.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    kg = open_graph(args)
    step, close = progress("loading")
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
        kg.close()
    print(summary.text())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from impactkg.graph.store import KnowledgeGraph

    if args.files:
        kg = KnowledgeGraph.memory()
        kg.build()
        kg.load(*args.files, kind=args.kind, namespace=args.namespace, encoding=args.encoding)
        print(f"{', '.join(str(f) for f in args.files)}: loads without errors")
    else:
        kg = open_graph(args)
    report = kg.validate()
    print(report.text())
    return 0 if report.conforms else 1


def cmd_info(args: argparse.Namespace) -> int:
    kg = open_graph(args)
    print(f"store: {kg.location} ({kg.backend})")
    print(kg.stats().text())
    kg.close()
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from impactkg.loaders.template import write_template

    path = write_template(args.kind, Path(args.output))
    print(f"wrote an empty {args.kind} template to {path}")
    return 0



def add_parsers(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser("build", help="build the graph: ontology + embedded dataset (+ FILEs)")
    add_store(sp)
    add_load_options(sp)
    sp.add_argument("files", nargs="*", metavar="FILE", help="CSV, TSV, XLSX or RDF files")
    sp.set_defaults(func=cmd_build)

    sp = sub.add_parser("load", help="load FILEs into the graph, each replacing its named graph")
    add_store(sp)
    add_load_options(sp)
    sp.add_argument("--graph", help="IRI of the named graph to load into")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.set_defaults(func=cmd_load)

    sp = sub.add_parser(
        "validate", help="check FILEs (or the stored graph) against loaders and SHACL"
    )
    add_store(sp)
    add_load_options(sp)
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("info", help="statistics: quads, named graphs, instances per class")
    add_store(sp)
    sp.set_defaults(func=cmd_info)

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

