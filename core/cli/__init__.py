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


def _graph(args: argparse.Namespace):
    """The graph a command works on: ``--store DIR``, ``--endpoint URL`` or the default."""
    from impactkg.graph.store import KnowledgeGraph

    return KnowledgeGraph.open(
        args.store,
        endpoint=getattr(args, "endpoint", None),
        update_endpoint=getattr(args, "update_endpoint", None),
    )


def _open(args: argparse.Namespace, build_if_empty: bool = True):
    kg = _graph(args)
    if build_if_empty and kg.is_empty():
        print(
            f"impactkg: no graph in {kg.location}; building the embedded dataset first",
            file=sys.stderr,
        )
        step, close = _progress("building")
        try:
            kg.build(progress=step)
        finally:
            close()
    return kg


# ---------------------------------------------------------------------- commands
def cmd_build(args: argparse.Namespace) -> int:
    kg = _graph(args)
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
    print(f"graph stored in {kg.location}")
    kg.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from impactkg.graph.export.tables import load_workbook, read_about

    kg = _open(args)
    step, close = _progress("loading")
    about = read_about(args.files[0]) if len(args.files) == 1 and not (
        args.kind or args.namespace or args.graph) else None
    if about is not None:  # a catalogue workbook from 'impactkg export': it replaces its records
        print(f"{Path(args.files[0]).name}: the catalogue of namespace {about.namespace!r}, "
              "written by 'impactkg export'; its sheets replace those records")
        try:
            summary = load_workbook(kg, args.files[0], progress=step)
        finally:
            close()
        print(summary.text())
        kg.close()
        return 0
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
    from impactkg.graph.sparql.render import render

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
    print(f"store: {kg.location} ({kg.backend})")
    print(kg.stats().text())
    kg.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from impactkg.graph.backends import FORMATS

    if getattr(args, "profile", None) == "cids":
        return _export_cids(args)
    fmt = args.format or Path(args.output).suffix.lstrip(".")
    fmt = {"turtle": "ttl", "rdf": "xml", "owl": "xml", "json": "jsonld"}.get(fmt, fmt)
    if fmt not in FORMATS or fmt == "jsonld" or _selects(args):
        return _export_selection(args, fmt)
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


EXPORT_FORMATS = (
    "ttl", "nt", "nq", "trig", "jsonld", "xml", "graphml", "gexf", "cyjs", "csv", "tsv", "xlsx",
    "svg", "png",
)


def _selects(args: argparse.Namespace) -> bool:
    return any(getattr(args, k, None) for k in ("query", "domain", "focus", "figure", "param", "namespace"))


def _export_selection(args: argparse.Namespace, fmt: str) -> int:
    """Exports beyond the whole graph as RDF: selections, graph files, tables and figures."""
    from impactkg.graph import export as ex

    if fmt not in EXPORT_FORMATS:
        raise ImpactKGError(f"unknown export format {fmt!r} (use --format {'|'.join(EXPORT_FORMATS)})")
    params = _params(args.param)
    if args.figure and fmt not in ("svg", "png"):
        raise ImpactKGError(f"--figure draws SVG or PNG, not {fmt} (use -o FILE.svg or FILE.png)")
    if fmt in ("svg", "png") and not args.figure:
        raise ImpactKGError(f"--format {fmt} draws a figure: add --figure chain|system|heatmap|goals|progress|value")
    if fmt in ("csv", "tsv") and not args.query:
        raise ImpactKGError(f"--format {fmt} writes a query's result: add --query NAME")
    if fmt in ("csv", "tsv", "xlsx") and (args.domain or args.focus):
        raise ImpactKGError("a table comes from --query NAME; --domain and --focus select for RDF, "
                            "graph files and the system figure")
    if args.namespace and fmt != "xlsx":
        raise ImpactKGError("--namespace chooses the records of the xlsx catalogue workbook")
    kg = _open(args)
    out = args.output
    if fmt in ("svg", "png"):
        from impactkg.graph.export.figures import write_figure

        quads = None
        if args.query or args.focus:
            quads = ex.select(kg, query=args.query, params=params, focus=args.focus,
                              depth=args.depth, progress=True).quads
        write_figure(kg, args.figure, out, fmt, width=args.width, height=args.height,
                     dpi=args.dpi, domain=args.domain, quads=quads)
        print(f"wrote the {args.figure} figure as {fmt} to {out}")
    elif fmt in ("csv", "tsv") or (fmt == "xlsx" and args.query):
        from impactkg.graph.export.tables import write_result
        from impactkg.queries import resolve

        sparql, _ = resolve(args.query, params)
        n = write_result(kg.query(args.query, **params), out, fmt, title=args.query,
                         sparql=sparql, params=params)
        print(f"wrote {n} rows of {args.query} as {fmt} to {out}")
    elif fmt == "xlsx":
        from impactkg.graph.export.tables import write_workbook

        print(write_workbook(kg, out, namespace=args.namespace, progress=True).text())
    else:
        sel = ex.select(kg, query=args.query, params=params, domain=args.domain,
                        focus=args.focus, depth=args.depth, progress=True)
        if fmt in ex.RDF_FORMATS:
            n = ex.write_rdf(kg, sel, out, fmt, progress=True)
            print(f"wrote {n} quads ({sel.what}) as {fmt} to {out}")
        else:
            nodes, edges = ex.write_graph(kg, sel, out, fmt, progress=True)
            print(f"wrote {nodes} nodes and {edges} edges ({sel.what}) as {fmt} to {out}")
    kg.close()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from impactkg.graph.export.report import REPORT_FORMATS, write_report

    suffix = Path(args.output).suffix.lower().lstrip(".")
    fmt = {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    if fmt not in REPORT_FORMATS:
        raise ImpactKGError(f"write the report as .html or .md, not {suffix or 'no suffix'!r}")
    params = _params(args.param)
    kg = _open(args)
    path = write_report(kg, args.output, fmt, queries=args.query or None, params=params,
                        figures=args.figure or None)
    kg.close()
    print(f"wrote the report to {path} (self-contained: open it in a browser, print it to PDF)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from impactkg.graph.store import PASSWORD_ENV, USER_ENV
    from impactkg.server import ServeConfig, serve

    token = args.token or os.environ.get("IMPACTKG_TOKEN") or None
    if args.allow_update and not token:
        raise ImpactKGError("--allow-update needs a token: --token T or $IMPACTKG_TOKEN")
    if token and not args.allow_update:
        raise ImpactKGError("--token is for updates: add --allow-update")
    for name, value, low in (("--timeout", args.timeout, 0.1), ("--max-results", args.max_results, 1),
                             ("--max-body", args.max_body, 1024), ("--workers", args.workers, 1)):
        if value < low:
            raise ImpactKGError(f"{name} must be at least {low}, not {value}")
    user = os.environ.get(USER_ENV)
    endpoint = args.endpoint or (None if args.store else os.environ.get("IMPACTKG_ENDPOINT") or None)
    config = ServeConfig(
        store=Path(args.store) if args.store else None,
        endpoint=endpoint,
        update_endpoint=args.update_endpoint or os.environ.get("IMPACTKG_UPDATE_ENDPOINT") or None,
        auth=(user, os.environ.get(PASSWORD_ENV, "")) if user and endpoint else None,
        host=args.host,
        port=args.port,
        allow_update=args.allow_update,
        token=token,
        timeout=args.timeout,
        max_results=args.max_results,
        max_body=args.max_body,
        allow_hosts=tuple(h.lower() for h in args.allow_host),
        workers=args.workers,
    )
    serve(config)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from impactkg.loaders.template import write_template

    path = write_template(args.kind, Path(args.output))
    print(f"wrote an empty {args.kind} template to {path}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from impactkg.graph.maps import build_map
    from impactkg.graph.maps.view import MapView

    kg = _open(args)
    data = build_map(kg, args.kind, focus=args.focus, depth=args.depth, domain=args.domain, target=args.target)
    kg.close()
    path = MapView(data, lang=args.lang).save(args.output)
    loops = ""
    if data.loops:
        r = sum(1 for x in data.loops if x["polarity"] == "R")
        loops = f", {len(data.loops)} feedback loops (R {r}, B {len(data.loops) - r})"
    print(f"wrote the {args.kind} map: {len(data.nodes)} nodes, {len(data.edges)} links{loops} to {path}")
    if args.open:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    return 0


# ---------------------------------------------------------------------- reasoning and interop
def cmd_reason(args: argparse.Namespace) -> int:
    from impactkg.graph.analysis.reasoning import INFERRED_GRAPH, drop_inferences, reason

    kg = _open(args)
    if args.drop:
        had = drop_inferences(kg)
        print(f"dropped <{INFERRED_GRAPH}>" if had else f"no <{INFERRED_GRAPH}> to drop")
        kg.close()
        return 0
    report = reason(kg, reasoner=args.reasoner)
    print(report.text())
    kg.close()
    return 0 if report.consistent else 1


def cmd_import(args: argparse.Namespace) -> int:
    kg = _open(args)
    if args.standard == "sdg-kos":
        from impactkg.loaders.sdgkos import import_sdg_kos

        summary = import_sdg_kos(kg, *args.files)
    else:
        from impactkg.loaders.irisplus import import_iris_plus

        summary = import_iris_plus(kg, *args.files, encoding=args.encoding)
    print(summary.text())
    kg.close()
    return 0


def cmd_crosswalk(args: argparse.Namespace) -> int:
    import rdflib

    from impactkg.graph.analysis import crosswalk as cw
    from impactkg.graph.sparql.render import render
    from impactkg.graph.sparql.results import QueryResult

    kg = _open(args)
    try:
        if args.action == "candidates":
            ind = cw.resolve_indicator(kg, args.indicator) if args.indicator else None
            rows = cw.candidates(kg, ind, against=args.against, top=args.top)
            names = ["indicator", "label", "candidate", "candidateLabel", "score", "evidence"]
            result = QueryResult(
                "select",
                names,
                [
                    (
                        rdflib.URIRef(c.indicator),
                        rdflib.Literal(c.indicator_label),
                        rdflib.Literal(c.metric_id or c.metric),
                        rdflib.Literal(c.metric_label),
                        rdflib.Literal(f"{c.score:.3f}"),
                        rdflib.Literal("; ".join(c.reasons)),
                    )
                    for c in rows
                ],
            )
            sys.stdout.write(render(result, args.format))
        elif args.action == "accept":
            iri = cw.accept(
                kg, args.indicator, args.metric, by=args.by, match=args.match, note=args.note
            )
            print(f"accepted ({args.match} match) as <{iri}> in <{cw.CROSSWALK_GRAPH}>")
        elif args.action == "remove":
            gone = cw.remove(kg, args.indicator, args.metric)
            print("removed the match" if gone else "no accepted match between them")
        else:
            for row in cw.accepted(kg):
                print(
                    f"{row['indicator']}\t{row['match']}\t{row['metric']}\t{row['by']}\t"
                    f"{row['when']}\t{row['score']}"
                )
    finally:
        kg.close()
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from impactkg.graph.export.docs import write_docs

    page = write_docs(args.output)
    print(f"wrote the ontology reference to {page} (open it in a browser; it works offline)")
    return 0


def _export_cids(args: argparse.Namespace) -> int:
    from impactkg.graph.export import cids

    kg = _open(args)
    export = cids.write(kg, args.output, fmt=args.format)
    kg.close()
    out = Path(args.output)
    print(export.text())
    print(f"wrote CIDS data to {out}; what CIDS cannot express is listed in "
          f"{out.with_name(out.stem + '.unexpressed.csv')}")
    shapes = cids.basic_shapes()
    if shapes is None:
        print(f"CIDS Basic tier shapes not found: set ${cids.REFERENCE_ENV} to the CIDS "
              "reference folder to check the export")
        return 0
    conforms, text = cids.validate(export, shapes)
    print(f"CIDS Basic tier ({shapes.name}): {'conforms' if conforms else 'does NOT conform'}")
    if not conforms:
        print(text)
    return 0 if conforms else 1


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
        where = sp.add_mutually_exclusive_group()
        where.add_argument("--store", metavar="DIR", help="folder of the graph (default: see below)")
        where.add_argument(
            "--endpoint",
            metavar="URL",
            help="a remote SPARQL 1.1 server's query URL instead of a folder "
            "(or $IMPACTKG_ENDPOINT; credentials from $IMPACTKG_USER, $IMPACTKG_PASSWORD)",
        )
        sp.add_argument(
            "--update-endpoint",
            metavar="URL",
            help="its update URL (default: $IMPACTKG_UPDATE_ENDPOINT, else guessed from --endpoint)",
        )

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

    sp = sub.add_parser(
        "export",
        help="write the graph or a selection: RDF, GraphML/GEXF/Cytoscape, tables, figures",
        description="RDF (ttl, nt, nq, trig, jsonld with the shipped context, xml) and graph files "
        "(graphml, gexf, cyjs) of the whole graph or of a selection (--query, --domain, --focus); "
        "a query's result as csv, tsv or xlsx; without --query, xlsx is the whole catalogue as a "
        "workbook that 'impactkg load' reads back; svg or png draws a --figure.",
    )
    store(sp)
    sp.add_argument("--format", "-f", help=f"{', '.join(EXPORT_FORMATS)} (default: from -o)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE")
    sel = sp.add_argument_group("selection (default: the whole graph)")
    sel.add_argument("--query", "-q", metavar="NAME", help="a named query, a .rq file or SPARQL")
    sel.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                     help="a parameter of --query (repeatable)")
    sel.add_argument("--domain", metavar="D", help="the records of a domain (id or label)")
    sel.add_argument("--focus", metavar="IRI", help="a resource (IRI, prefixed name such as sdg:11.b, or label) "
                     "and its neighbourhood")
    sel.add_argument("--depth", type=int, default=1, metavar="N", help="steps around --focus (default 1)")
    fig = sp.add_argument_group("figures (svg, png)")
    fig.add_argument("--figure", choices=("chain", "system", "heatmap", "goals", "progress", "value"),
                     help="chain (logic model; --domain), system (causal map with loops; --focus), "
                     "heatmap (social issue x finance method), goals (indicators per SDG goal), "
                     "progress (progress to target of indicator values), value (value-relationship map)")
    fig.add_argument("--width", metavar="SIZE", help="e.g. 8 (inches), 20cm, 1600px")
    fig.add_argument("--height", metavar="SIZE", help="e.g. 6 (inches), 15cm, 1200px")
    fig.add_argument("--dpi", type=float, default=150, help="dots per inch (default 150)")
    sp.add_argument("--namespace", metavar="NS", help="xlsx catalogue: the namespace whose "
                    "records to write (default: consortium)")
    sp.add_argument(
        "--profile",
        choices=("cids",),
        help="cids: the Common Impact Data Standard (Turtle or JSON-LD with CIDS's context), "
        "checked against the CIDS Basic tier shapes; what CIDS cannot express is listed",
    )
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser(
        "report",
        help="write one self-contained report (HTML or Markdown): figures, tables, SPARQL, provenance",
    )
    store(sp)
    sp.add_argument("--query", "-q", action="extend", nargs="+", metavar="NAME",
                    help="named queries to tabulate (default: indicators-per-goal, case-map-cells, "
                    "logic-chain)")
    sp.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                    help="a parameter, for the queries that have it (repeatable)")
    sp.add_argument("--figure", action="append", choices=("chain", "system", "heatmap", "goals", "progress", "value"),
                    help="figures to include (repeatable; default: all)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE", help="report.html or report.md")
    sp.set_defaults(func=cmd_report)

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

    from impactkg.graph.maps import KINDS as MAP_KINDS

    sp = sub.add_parser("map", help="write an interactive map as one offline HTML page")
    store(sp)
    sp.add_argument("kind", choices=MAP_KINDS, metavar="KIND", help=f"one of: {', '.join(MAP_KINDS)}")
    sp.add_argument("--focus", metavar="ID", help="show only the neighbourhood of this node (id, label or IRI)")
    sp.add_argument("--depth", type=int, metavar="N", help="steps around --focus (default 2), or the longest path to --target (default 8)")
    sp.add_argument("--domain", metavar="D", help="only this domain (id or label)")
    sp.add_argument("--target", metavar="T", help="only what leads to this SDG target (e.g. 8.3) or node; with --focus, the paths between them")
    sp.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the labels (default ja; the page has a toggle)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE.html")
    sp.add_argument("--open", action="store_true", help="open the page in the web browser")
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser(
        "reason",
        help="OWL reasoning: check consistency, write inferred triples to their own graph",
        description="Run HermiT (needs Java; falls back to OWL 2 RL rules without it) on the "
        "ontology and the data. When consistent, the inferred triples (types, inverse properties, "
        "property chains such as activity -> impact -> SDG target -> goal) replace the named graph "
        "<https://w3id.org/impactkg/graph/inferred>; when not, the clashes are listed with the "
        "IRIs and axioms involved and the exit status is 1.",
    )
    store(sp)
    sp.add_argument("--reasoner", choices=("hermit", "owlrl"), default="hermit",
                    help="hermit (OWL 2 DL, Java) or owlrl (OWL 2 RL rules, pure Python)")
    sp.add_argument("--drop", action="store_true", help="only remove the inferred graph")
    sp.set_defaults(func=cmd_reason)

    sp = sub.add_parser(
        "import",
        help="import a standard: the UN SDG KOS (sdg-kos) or GIIN's IRIS+ catalogue (iris-plus)",
        description="sdg-kos: the UN's SKOS release of the SDGs (RDF; https IRIs are normalised "
        "to http), merged with the built-in SDG reference. iris-plus: the IRIS+ catalogue as "
        "exported in CSV/XLSX (ID, Metric Name, ..., SDG and dimension columns marked X) or in "
        "SKOS (RDF). Each file goes into its own named graph; a file with a problem loads nothing.",
    )
    store(sp)
    sp.add_argument("standard", choices=("sdg-kos", "iris-plus"), metavar="STANDARD",
                    help="sdg-kos or iris-plus")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--encoding", help="text encoding of CSV files (default: detected)")
    sp.set_defaults(func=cmd_import)

    sp = sub.add_parser(
        "crosswalk",
        help="IRIS+ (or SDG indicator) candidates for catalogue indicators; accept matches",
        description="candidates: ranked IRIS+ metrics per indicator (same SDG target, compatible "
        "unit, label similarity across ja/en). accept/remove: record or withdraw a "
        "skos:closeMatch/skos:exactMatch with who and when. list: the accepted matches. "
        "The named query indicators-iris-equivalent lists indicators with and without one.",
    )
    cw = sp.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = cw.add_parser("candidates", help="ranked candidates, best first")
    c.add_argument("--indicator", "-i", metavar="ID", help="one indicator (id such as 353, or IRI)")
    c.add_argument("--against", choices=("iris-plus", "sdg"), default="iris-plus",
                   help="IRIS+ metrics (default) or official SDG indicators")
    c.add_argument("--top", type=int, default=5, metavar="N", help="candidates per indicator")
    c.add_argument("--format", "-f", choices=FORMATS_OUT[:-1], default="table")
    c = cw.add_parser("accept", help="accept a match")
    c.add_argument("indicator", metavar="INDICATOR", help="indicator id (353) or IRI")
    c.add_argument("metric", metavar="METRIC", help="IRIS+ ID (PI4060), SDG indicator (3.4.1) or IRI")
    c.add_argument("--by", required=True, metavar="NAME", help="who accepts it")
    c.add_argument("--exact", dest="match", action="store_const", const="exact", default="close",
                   help="skos:exactMatch (default: skos:closeMatch)")
    c.add_argument("--note", help="why, for the record")
    c = cw.add_parser("remove", help="withdraw an accepted match")
    c.add_argument("indicator", metavar="INDICATOR")
    c.add_argument("metric", metavar="METRIC")
    cw.add_parser("list", help="the accepted matches, with who and when")
    for action in cw.choices.values():
        store(action)
    sp.set_defaults(func=cmd_crosswalk)

    sp = sub.add_parser("docs", help="write an offline HTML reference of the ontology")
    sp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for index.html")
    sp.set_defaults(func=cmd_docs)

    sp = sub.add_parser(
        "serve",
        help="a SPARQL 1.1 endpoint (/sparql) and browser pages over the graph",
        description="Serve the graph: SPARQL 1.1 Protocol at /sparql, named queries at "
        "/queries/NAME, and the browser pages at /. Read-only unless --allow-update with a token.",
    )
    store(sp)
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    sp.add_argument("--allow-update", action="store_true", help="accept SPARQL updates with the token")
    sp.add_argument("--token", metavar="T", help="the token updates need (or $IMPACTKG_TOKEN)")
    sp.add_argument("--timeout", type=float, default=30.0, metavar="S",
                    help="time limit of a query in seconds; past it the query is stopped (default: 30)")
    sp.add_argument("--max-results", type=int, default=10000, metavar="N",
                    help="most rows or triples a query may return (default: 10000)")
    sp.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                    help="largest request body accepted (default: 1000000)")
    sp.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                    help="a host that SERVICE, LOAD and FROM may reach (repeatable; default: none)")
    sp.add_argument("--workers", type=int, default=2, metavar="N",
                    help="query worker processes for a local store (default: 2)")
    sp.set_defaults(func=cmd_serve)
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
