"""The ``impactkg`` command line: a thin face on the Python API. Each command is a few lines that
call :class:`~impactkg.graph.store.KnowledgeGraph` (the one door) and print what it returns.

Every error is one line on stderr and a non-zero exit, never a traceback
(set ``IMPACTKG_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from impactkg.errors import ImpactKGError, LoadError

#: ``--format`` values of the table-printing commands (crosswalk candidates).
FORMATS_OUT = ("table", "csv", "tsv", "json")


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from impactkg import __version__
    from impactkg.cli import data, exports, query, serve, standards
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
    data.add_parsers(sub)
    query.add_parsers(sub)
    exports.add_parsers(sub)
    standards.add_parsers(sub, FORMATS_OUT)
    serve.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 an error a person can act on,
    2 an internal error, 130 interrupted)."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
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
