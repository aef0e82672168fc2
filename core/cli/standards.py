"""``impactkg reason``, ``import`` and ``crosswalk``: reasoning and the standards (UN SDG KOS,
IRIS+)."""

from __future__ import annotations

import argparse
import sys

from impactkg.cli.common import add_store, open_graph


def cmd_reason(args: argparse.Namespace) -> int:
    from impactkg.graph.analysis.reasoning import INFERRED_GRAPH, drop_inferences, reason

    kg = open_graph(args)
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
    kg = open_graph(args)
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
    from impactkg.graph.sparql.render import table
    from impactkg.graph.sparql.results import QueryResult

    kg = open_graph(args)
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
            sys.stdout.buffer.write(table(result).encode("utf-8") if args.format == "table" else result.serialize(args.format))
        elif args.action == "accept":
            iri = cw.accept(
                kg, args.indicator, args.metric, by=args.by, match=args.match, note=args.note
            )
            print(f"accepted ({args.match} match) as <{iri}> in <{cw.CROSSWALK_GRAPH}>")
        elif args.action == "remove":
            gone = cw.remove(kg, args.indicator, args.metric)
            print("removed the match" if gone else "no accepted match between them")
        elif args.format == "sssom":
            from impactkg.graph.export.sssom import sssom_tsv, write_sssom

            if args.output:
                path, n = write_sssom(kg, args.output)
                print(f"wrote {n} accepted matches as SSSOM/TSV to {path}")
            else:
                sys.stdout.write(sssom_tsv(kg))
        else:
            for row in cw.accepted(kg):
                print(
                    f"{row['indicator']}\t{row['match']}\t{row['metric']}\t{row['by']}\t"
                    f"{row['when']}\t{row['score']}"
                )
    finally:
        kg.close()
    return 0



def add_parsers(sub: argparse._SubParsersAction, formats: tuple[str, ...]) -> None:
    sp = sub.add_parser(
        "reason",
        help="OWL reasoning: check consistency, write inferred triples to their own graph",
        description="Run HermiT (needs Java; falls back to OWL 2 RL rules without it) on the "
        "ontology and the data. When consistent, the inferred triples (types, inverse properties, "
        "property chains such as activity -> impact -> SDG target -> goal) replace the named graph "
        "<https://w3id.org/impactkg/graph/inferred>; when not, the clashes are listed with the "
        "IRIs and axioms involved and the exit status is 1.",
    )
    add_store(sp)
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
    add_store(sp)
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
    c.add_argument("--against", choices=("iris-plus", "sdg", "all"), default="all",
                   help="IRIS+ metrics, official SDG indicators, or all the graph holds (default)")
    c.add_argument("--top", type=int, default=5, metavar="N", help="candidates per indicator")
    c.add_argument("--format", "-f", choices=formats, default="table")
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
    c = cw.add_parser("list", help="the accepted matches, with who and when")
    c.add_argument("--format", "-f", choices=("tsv", "sssom"), default="tsv",
                   help="tsv (default) or sssom: an SSSOM/TSV mapping set")
    c.add_argument("-o", "--output", metavar="FILE", help="write to FILE (sssom)")
    for action in cw.choices.values():
        add_store(action)
    sp.set_defaults(func=cmd_crosswalk)

