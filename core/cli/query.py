"""``impactkg query``, ``queries`` and ``update``: SPARQL from the command line, through the same
door (:class:`~impactkg.graph.store.KnowledgeGraph`) and the same writers as Python and HTTP."""

from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from pathlib import Path

from impactkg.cli.common import add_allow_service, add_store, open_graph, params
from impactkg.errors import ImpactKGError

#: ``--format`` values: the table for people, the W3C result formats, RDF for graph results.
QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld", "rdfxml")


def _text(args: argparse.Namespace) -> str:
    if args.expression is None and args.name is None:
        raise ImpactKGError("give a query name, a .rq file, or -e 'SPARQL'")
    text = args.expression if args.expression is not None else args.name
    return sys.stdin.read() if text == "-" else text


def cmd_query(args: argparse.Namespace) -> int:
    text = _text(args)
    if args.excel and args.format not in ("csv", "tsv"):
        raise ImpactKGError("--excel writes the spreadsheet form of csv or tsv: add --format csv or tsv")
    from impactkg.graph.store import DatasetWarning

    kg = open_graph(args)
    try:
        warnings.simplefilter("ignore", DatasetWarning)  # said below, once, as a line
        result = kg.query(
            text,
            params(args.param),
            default_graph_uri=args.default_graph_uri or None,
            named_graph_uri=args.named_graph_uri or None,
        )
    finally:
        kg.close()
    for message in result.warnings:
        print(f"impactkg: warning: {message}", file=sys.stderr)
    out = sys.stdout.buffer
    if args.format == "table":
        from impactkg.graph.sparql.render import table

        width = args.max_width
        if width is None and sys.stdout.isatty():
            width = shutil.get_terminal_size().columns
        out.write(table(result, width).encode("utf-8"))
    elif args.excel:
        from impactkg.graph.export.tables import spreadsheet_text

        out.write(spreadsheet_text(result, args.format))
    else:
        out.write(result.serialize(args.format))
    out.flush()
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from impactkg.queries import library

    for name, q in library().items():
        print(f"{name}\n    {q.title_ja} | {q.title_en}\n    {q.description}")
        for p in q.params:
            flag = "required" if p.required else (f"default {p.default}" if p.default else "optional")
            print(f"    --param {p.name}=...  ({p.type}, {flag}) {p.description}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    text = _text(args)
    if args.name is not None and args.expression is None and Path(args.name).is_file():
        text = Path(args.name).read_text(encoding="utf-8")
    kg = open_graph(args)
    try:
        before = len(kg)
        kg.update(
            text,
            using_graph_uri=args.using_graph_uri or None,
            using_named_graph_uri=args.using_named_graph_uri or None,
            force=args.force,
        )
        print(f"update done: {before} -> {len(kg)} quads")
    finally:
        kg.close()
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "query",
        help="run a named query, a .rq file or SPARQL text",
        description="Run a named query (see 'impactkg queries'), a .rq file or SPARQL text (-e). "
        "The default graph is the union of the named graphs, unless the query has FROM clauses or "
        "--default-graph-uri/--named-graph-uri give the dataset. csv, tsv, json and xml are the W3C "
        "SPARQL 1.1 result formats, byte for byte as the endpoint sends them; --excel writes the "
        "spreadsheet form instead (UTF-8 with a byte-order mark, for Excel).",
    )
    add_store(sp)
    sp.add_argument("name", nargs="?", help="named query or FILE.rq")
    sp.add_argument("-e", "--expression", metavar="SPARQL", help="SPARQL text ('-' reads stdin)")
    sp.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                    help="a query parameter, bound as a typed RDF term (repeatable)")
    sp.add_argument("--format", "-f", choices=QUERY_FORMATS, default="table")
    sp.add_argument("--default-graph-uri", action="append", default=[], metavar="IRI",
                    help="a graph of the default graph (repeatable; SPARQL Protocol)")
    sp.add_argument("--named-graph-uri", action="append", default=[], metavar="IRI",
                    help="a named graph of the dataset (repeatable; SPARQL Protocol)")
    sp.add_argument("--max-width", type=int, metavar="N",
                    help="table: cut cells so that lines fit N characters (default: the terminal's "
                    "width on a terminal, whole cells when piped)")
    sp.add_argument("--excel", action="store_true",
                    help="csv/tsv: the spreadsheet file (byte-order mark, formulas neutralised) "
                    "that 'impactkg export' and the pages' downloads write")
    add_allow_service(sp)
    sp.set_defaults(func=cmd_query)

    sp = sub.add_parser("queries", help="list the named queries with their parameters")
    sp.set_defaults(func=cmd_queries)

    sp = sub.add_parser(
        "update",
        help="run a SPARQL 1.1 Update (one transaction)",
        description="Run a SPARQL 1.1 Update. Its WHERE reads the union of the named graphs; "
        "triples an INSERT writes outside GRAPH go to <https://w3id.org/impactkg/graph/updates>; "
        "a DELETE must name its graph (GRAPH ?g). The ontology, sources, inferences and the "
        "embedded dataset are reserved: writing them needs --force.",
    )
    add_store(sp)
    sp.add_argument("name", nargs="?", metavar="FILE", help="a file holding the update")
    sp.add_argument("-e", "--expression", metavar="SPARQL", help="the update text ('-' reads stdin)")
    sp.add_argument("--using-graph-uri", action="append", default=[], metavar="IRI",
                    help="a graph of the WHERE's default graph (repeatable; SPARQL Protocol)")
    sp.add_argument("--using-named-graph-uri", action="append", default=[], metavar="IRI",
                    help="a named graph of the WHERE's dataset (repeatable; SPARQL Protocol)")
    sp.add_argument("--force", action="store_true", help="allow writing the reserved graphs")
    add_allow_service(sp)
    sp.set_defaults(func=cmd_update)
