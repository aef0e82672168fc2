"""``impactkg export``, ``report``, ``map`` and ``docs``: what is made of the graph. The rules of
each export live in the Python API (:func:`impactkg.graph.export.write.export`); this is its face."""

from __future__ import annotations

import argparse
from pathlib import Path

from impactkg.cli.common import add_store, open_graph, params
from impactkg.errors import ImpactKGError


def cmd_export(args: argparse.Namespace) -> int:
    if args.profile == "cids":
        return _export_cids(args)
    from impactkg.graph.export.write import export, format_of

    fmt = format_of(args.output, args.format)
    kg = open_graph(args)
    try:
        message = export(
            kg, args.output, fmt, graphs=args.graphs, query=args.query, params=params(args.param),
            domain=args.domain, focus=args.focus, depth=args.depth, status=args.status, figure=args.figure,
            namespace=args.namespace, width=args.width, height=args.height, dpi=args.dpi,
            progress=True,
        )
    finally:
        kg.close()
    print(message)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from impactkg.graph.export.report import REPORT_FORMATS, write_report

    suffix = Path(args.output).suffix.lower().lstrip(".")
    fmt = {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    if fmt not in REPORT_FORMATS:
        raise ImpactKGError(f"write the report as .html or .md, not {suffix or 'no suffix'!r}")
    values = params(args.param)
    kg = open_graph(args)
    path = write_report(kg, args.output, fmt, queries=args.query or None, params=values,
                        figures=args.figure or None)
    kg.close()
    print(f"wrote the report to {path} (self-contained: open it in a browser, print it to PDF)")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from impactkg.graph.maps import build_map
    from impactkg.graph.maps.view import MapView

    kg = open_graph(args)
    data = build_map(kg, args.kind, focus=args.focus, depth=args.depth, domain=args.domain, target=args.target,
                     evidence=args.evidence)
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


def cmd_docs(args: argparse.Namespace) -> int:
    from impactkg.graph.export.docs import write_docs

    page = write_docs(args.output)
    print(f"wrote the ontology reference to {page} (open it in a browser; it works offline)")
    return 0


def _export_cids(args: argparse.Namespace) -> int:
    from impactkg.graph.export import cids

    kg = open_graph(args)
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



def add_parsers(sub: argparse._SubParsersAction) -> None:
    from impactkg.graph.export.write import FIGURES, FORMATS

    sp = sub.add_parser(
        "export",
        help="write the graph or a selection: RDF, GraphML/GEXF/Cytoscape, tables, figures",
        description="RDF (ttl, nt, nq, trig, jsonld with the shipped context, xml) and graph files "
        "(graphml, gexf, cyjs) of the whole graph or of a selection (--query, --domain, --focus); "
        "a query's result as csv, tsv or xlsx; without --query, xlsx is the whole catalogue as a "
        "workbook that 'impactkg load' reads back; svg or png draws a --figure.",
    )
    add_store(sp)
    sp.add_argument("--format", "-f", help=f"{', '.join(FORMATS)} (default: from -o)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE")
    sel = sp.add_argument_group("selection (default: the whole graph)")
    sel.add_argument("--query", "-q", metavar="NAME", help="a named query, a .rq file or SPARQL")
    sel.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                     help="a parameter of --query (repeatable)")
    sel.add_argument("--domain", metavar="D", help="the records of a domain (id or label)")
    sel.add_argument("--focus", metavar="IRI", help="a resource (IRI, prefixed name such as sdg:11.b, or label) "
                     "and its neighbourhood")
    sel.add_argument("--depth", type=int, default=1, metavar="N", help="steps around --focus (default 1)")
    sel.add_argument("--status", choices=("stated", "reading", "inferred", "doubtful", "translation"),
                     help="only the records with this assertion status (alone: every such record)")
    sp.add_argument("--graphs", action="store_true",
                    help="jsonld: keep the named graphs (nq and trig always do; ttl, nt, xml and "
                    "jsonld otherwise write the union of the graphs, each triple once)")
    fig = sp.add_argument_group("figures (svg, png)")
    fig.add_argument("--figure", choices=FIGURES,
                     help="chain (logic model; --domain), system (causal map with loops; --focus), "
                     "heatmap (social issue x finance method), goals (indicators per SDG goal)")
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
    add_store(sp)
    sp.add_argument("--query", "-q", action="extend", nargs="+", metavar="NAME",
                    help="named queries to tabulate (default: indicators-per-goal, case-map-cells, "
                    "logic-chain)")
    sp.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                    help="a parameter, for the queries that have it (repeatable)")
    sp.add_argument("--figure", action="append", choices=("chain", "system", "heatmap", "goals"),
                    help="figures to include (repeatable; default: all)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE", help="report.html or report.md")
    sp.set_defaults(func=cmd_report)

    from impactkg.graph.maps import KINDS as MAP_KINDS

    sp = sub.add_parser("map", help="write an interactive map as one offline HTML page")
    add_store(sp)
    sp.add_argument("kind", choices=MAP_KINDS, metavar="KIND", help=f"one of: {', '.join(MAP_KINDS)}")
    sp.add_argument("--focus", metavar="ID", help="show only the neighbourhood of this node (id, label or IRI)")
    sp.add_argument("--depth", type=int, metavar="N", help="steps around --focus (default 2), or the longest path to --target (default 8)")
    sp.add_argument("--domain", metavar="D", help="only this domain (id or label)")
    sp.add_argument("--target", metavar="T", help="only what leads to this SDG target (e.g. 8.3) or node; with --focus, the paths between them")
    sp.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the labels (default ja; the page has a toggle)")
    sp.add_argument("--evidence", choices=("stated", "reading", "doubtful", "inferred"),
                    help="system map: rank leverage points on the causal links of this evidence or stronger "
                    "and start with the weaker links hidden (default: every link)")
    sp.add_argument("-o", "--output", required=True, metavar="FILE.html")
    sp.add_argument("--open", action="store_true", help="open the page in the web browser")
    sp.set_defaults(func=cmd_map)

    sp = sub.add_parser("docs", help="write an offline HTML reference of the ontology")
    sp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for index.html")
    sp.set_defaults(func=cmd_docs)

