"""What every command shares: the graph it works on, its options, progress bars, parameters."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from impactkg.errors import ImpactKGError


def progress(desc: str) -> tuple[Callable[[str], None], Callable[[], None]]:
    """A tqdm progress bar over sources, shown on a terminal; returns (callback, close)."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="file", disable=None, leave=False, file=sys.stderr)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    return step, bar.close


def graph(args: argparse.Namespace) -> Any:
    """The graph a command works on: ``--store DIR``, ``--endpoint URL`` or the default, with the
    hosts ``--allow-service`` lets SERVICE and LOAD reach."""
    import warnings

    from impactkg.graph.store import KnowledgeGraph, StoreWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreWarning)  # said below, once, as a line
        kg = KnowledgeGraph.open(
            getattr(args, "store", None),
            endpoint=getattr(args, "endpoint", None),
            update_endpoint=getattr(args, "update_endpoint", None),
            allow_hosts=getattr(args, "allow_service", None) or (),
        )
    for notice in kg.notices:
        print(f"impactkg: warning: {notice}", file=sys.stderr)
    return kg


def open_graph(args: argparse.Namespace, build_if_empty: bool = True) -> Any:
    """:func:`graph`, built from the embedded dataset first when it is empty."""
    kg = graph(args)
    if build_if_empty and kg.is_empty():
        print(f"impactkg: no graph in {kg.location}; building the embedded dataset first", file=sys.stderr)
        step, close = progress("building")
        try:
            kg.build(progress=step)
        finally:
            close()
    return kg


def params(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs of ``--param`` as a dict; ImpactKGError for a pair without ``=``."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ImpactKGError(f"--param expects KEY=VALUE, got {pair!r}")
        out[key.strip()] = value
    return out


def add_store(sp: argparse.ArgumentParser) -> None:
    """``--store`` or ``--endpoint`` (with ``--update-endpoint``)."""
    where = sp.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="DIR", help="folder of the graph (default: see 'impactkg --help')")
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


def add_load_options(sp: argparse.ArgumentParser) -> None:
    """``--kind``, ``--namespace``, ``--encoding`` of the loading commands."""
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
    sp.add_argument(
        "--ignore-columns", metavar="A,B", default="",
        help="columns to leave out on purpose (any other column no kind knows is an error)",
    )
    sp.add_argument(
        "--new-concepts", action="store_true",
        help="add a domain, unit, method, ... that no concept has as label, instead of refusing it "
        "(or define it in a concepts table of the same load)",
    )


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of ``KnowledgeGraph.load`` from the loading commands' arguments."""
    return {
        "kind": args.kind, "namespace": args.namespace, "encoding": args.encoding,
        "ignore_columns": [c.strip() for c in args.ignore_columns.split(",") if c.strip()],
        "new_concepts": args.new_concepts,
    }


def add_allow_service(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--allow-service", action="append", default=[], metavar="HOST",
        help="a host that SERVICE and LOAD may reach (repeatable; default: none)",
    )
