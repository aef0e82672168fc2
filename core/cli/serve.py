"""``impactkg serve``: the endpoint and pages (:mod:`impactkg.server`)."""

from __future__ import annotations

import argparse
import os

from impactkg.cli.common import add_store


def cmd_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from impactkg.errors import ImpactKGError
    from impactkg.graph.store import PASSWORD_ENV, USER_ENV
    from impactkg.server import ServeConfig, serve

    token = args.token or os.environ.get("IMPACTKG_TOKEN") or None
    if args.allow_update and not token:
        raise ImpactKGError("--allow-update needs a token: --token T or $IMPACTKG_TOKEN")
    if token and not args.allow_update:
        raise ImpactKGError("--token is for updates: add --allow-update")
    for name, value, low in (("--timeout", args.timeout, 0.1), ("--max-results", args.max_results, 1),
                             ("--max-body", args.max_body, 1024), ("--workers", args.workers, 1),
                             ("--read-timeout", args.read_timeout, 1), ("--max-load", args.max_load, 1024)):
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
        max_load=args.max_load,
        allow_hosts=tuple(h.lower() for h in args.allow_service),
        workers=args.workers,
        cors=tuple(args.cors),
        host_names=tuple(args.host_name),
        read_timeout=args.read_timeout,
        header_timeout=min(10.0, args.read_timeout),
    )
    serve(config)
    return 0



def add_parsers(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "serve",
        help="a SPARQL 1.1 endpoint (/sparql) and browser pages over the graph",
        description="Serve the graph: SPARQL 1.1 Protocol at /sparql, named queries at "
        "/queries/NAME, and the browser pages at /. Read-only unless --allow-update with a token.",
    )
    add_store(sp)
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
    sp.add_argument("--max-load", type=int, default=1 << 30, metavar="BYTES",
                    help="largest load (POST /load, impactkg load --token) accepted (default: 1 GiB)")
    sp.add_argument("--allow-service", "--allow-host", dest="allow_service", action="append", default=[],
                    metavar="HOST", help="a host that SERVICE and LOAD may reach (repeatable; default: none)")
    sp.add_argument("--workers", type=int, default=2, metavar="N",
                    help="query worker processes for a local store (default: 2)")
    sp.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                    help="an origin (e.g. https://app.example.org) whose pages may read the endpoint "
                    "(repeatable; default: none, so no other site can read your graph)")
    sp.add_argument("--host-name", action="append", default=[], metavar="NAME",
                    help="a name this server answers to besides its address (the Host check; repeatable)")
    sp.add_argument("--read-timeout", type=float, default=30.0, metavar="S",
                    help="seconds a whole request (headers and body) may take to arrive; its line and "
                    "headers get at most 10 of them (default: 30); past it, 408")
    sp.set_defaults(func=cmd_serve)
