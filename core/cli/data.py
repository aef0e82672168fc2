"""``impactkg build``, ``load``, ``validate``, ``info`` and ``template``: data into the graph."""

from __future__ import annotations

import argparse
import sys

from impactkg.cli.common import (
    Later,
    add_load_options,
    add_store,
    graph,
    load_options,
    open_graph,
    progress,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quick --help)
if TYPE_CHECKING:
    from pathlib import Path

    from impactkg.graph.backends.versions import Server


def _kinds() -> list[str]:
    from impactkg.loaders import KINDS

    return [*KINDS, "all"]


def cmd_build(args: argparse.Namespace) -> int:
    kg = graph(args)
    step, close = progress("loading")
    try:
        options = load_options(args)
        summary = kg.build(*args.files, progress=step, **options) if args.files else kg.build(progress=step)
    finally:
        close()
    print(summary.text())
    print(f"graph stored in {kg.location}")
    kg.close()
    return 0


def _served(args: argparse.Namespace) -> tuple[Path, Server | None]:
    """The store folder of ``--store`` (or the default) and the ``impactkg serve`` serving it."""
    from pathlib import Path

    from impactkg.graph.backends.versions import StoreFolder
    from impactkg.graph.store import default_store_dir

    folder = StoreFolder(Path(args.store) if args.store else default_store_dir())
    if getattr(args, "endpoint", None):
        return folder.root, None
    return folder.root, folder.server() if folder.writer_busy() else None


def cmd_load(args: argparse.Namespace) -> int:
    from impactkg.errors import StoreError
    from impactkg.server.loads import load_through, token_from

    options = {**load_options(args), "graph": args.graph, "force": args.force}
    store, served = _served(args)
    if served is not None:  # one writer per store: the server loads it, or we say how
        token = token_from(args.token)
        if not (served.updates and token):
            raise StoreError(served.how_to_load(store))
        print(f"impactkg: {store} is served at {served.url}: loading through it", file=sys.stderr)
        print(load_through(served.url, token, args.files, **options))
        return 0
    kg = open_graph(args)
    step, close = progress("loading")
    try:
        summary = kg.load(*args.files, progress=step, **options)
    finally:
        close()
        kg.close()
    print(summary.text())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate FILE...``: what ``load`` would say of the files against the graph, and the SHACL
    results of the files' own records; ``validate``: the SHACL report of the whole graph."""
    kg = open_graph(args)
    try:
        if args.files:
            report = kg.check(*args.files, graph=args.graph, force=args.force, **load_options(args))
            print(f"{', '.join(str(f) for f in args.files)}: loads without errors")
        else:
            step, close = progress("validating", unit="shape")
            try:
                report = kg.validate(progress=step)
            finally:
                close()
    finally:
        kg.close()
    print(report.text())
    return 0 if report.conforms else 1


def cmd_info(args: argparse.Namespace) -> int:
    kg = open_graph(args)
    print(f"store: {kg.location} ({kg.backend})")
    print(kg.stats().text())
    kg.close()
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from pathlib import Path

    from impactkg.loaders.template import CSV_NOTE, write_template

    path = write_template(args.kind, Path(args.output))
    print(f"wrote an empty {args.kind} template to {path}")
    if path.suffix.lower() == ".csv":
        print(f"impactkg: note: {CSV_NOTE}", file=sys.stderr)
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
    sp.add_argument(
        "--force", action="store_true",
        help="replace reserved graphs (the ontology, sources, inferences, the embedded dataset "
        "graph/consortium/*) if the load names them; without it such a load is refused",
    )
    sp.add_argument(
        "--token", metavar="T",
        help="when 'impactkg serve' serves the store: its token (or $IMPACTKG_TOKEN), to load through it",
    )
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.set_defaults(func=cmd_load)

    sp = sub.add_parser(
        "validate",
        help="check FILEs as 'load' would (nothing written) and their own records against SHACL; "
        "without FILEs, the whole stored graph",
    )
    add_store(sp)
    add_load_options(sp)
    sp.add_argument("--graph", help="IRI of the named graph the files would load into")
    sp.add_argument("--force", action="store_true", help="as for load: allow reserved graphs")
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("info", help="statistics: quads, named graphs, instances per class")
    add_store(sp)
    sp.set_defaults(func=cmd_info)

    sp = sub.add_parser(
        "template", help="write an empty, documented table to fill in (CSV or XLSX)"
    )
    sp.add_argument(
        "kind",
        choices=Later(_kinds),
        metavar="KIND",
        help="one of: %(choices)s ('all': an XLSX workbook of every kind)",
    )
    sp.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    sp.set_defaults(func=cmd_template)

