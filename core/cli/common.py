"""What every command shares: the graph it works on, its options, progress bars, parameters."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it the same)
if TYPE_CHECKING:
    from typing import Any

_COLUMNS: list[int] = []

# argparse translates each of its messages through gettext for every parser and argument made,
# and gettext looks for a catalogue on disk each time it finds none (a dozen stat calls): the
# answer cannot change while the command runs, so it is looked up once per message.
if not hasattr(argparse._, "cache_info"):  # type: ignore[attr-defined]
    from functools import lru_cache

    argparse._ = lru_cache(maxsize=None)(argparse._)  # type: ignore[attr-defined]


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` gives it (``$COLUMNS``, else the
    terminal, else 80), read once: argparse would import shutil (and with it the compression
    modules) and ask again for every argument of every command."""
    if not _COLUMNS:
        try:
            width = int(os.environ.get("COLUMNS", "0"))
        except ValueError:
            width = 0
        if width <= 0:
            try:
                width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                width = 80
        _COLUMNS.append(width or 80)
    return _COLUMNS[0]


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter at the terminal's width, read once (see :func:`_columns`)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, width if width is not None else _columns() - 2)


class Parser(argparse.ArgumentParser):
    """The parser of ``impactkg`` and of each of its commands (with :class:`HelpFormatter`)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


class _Skipped:
    """What a command that is not run gives its ``add_parsers``: anything asked of it (a method,
    an attribute, a call, an iteration) is itself again, or nothing."""

    def __getattr__(self, name: str) -> Any:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class Commands(argparse._SubParsersAction):
    """The commands of ``impactkg``. Only the command being run (:attr:`only`, set by
    :func:`impactkg.cli.parser` from the command line) gets a parser with its arguments; the
    others are only listed, with their one-line help: making every command's parser is most of
    the time ``impactkg --help`` would take. ``only`` None makes them all."""

    only: str | None = None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if Commands.only is None or name == Commands.only:
            return super().add_parser(name, **kwargs)
        try:
            if "help" in kwargs:
                self._choices_actions.append(self._ChoicesPseudoAction(name, (), kwargs["help"]))
        except TypeError:  # another Python's argparse: make the parser after all
            return super().add_parser(name, **kwargs)
        self._name_parser_map[name] = None  # a known name, never parsed here
        return _Skipped()


class Later(Sequence[str]):
    """The choices of an argument that only a heavier module knows (the loaders' kinds, the map
    kinds), read when argparse first needs them (to check a value, to print that command's help
    or an error), so that the other commands and ``impactkg --help`` do not import that module.
    Give the argument a ``metavar`` (argparse would read the choices to make one) and write
    ``%(choices)s`` in its help.

    >>> kinds = Later(lambda: ("a", "b"))
    >>> "b" in kinds, list(kinds)
    (True, ['a', 'b'])
    """

    def __init__(self, load: Callable[[], Iterable[str]]):
        self._load = load
        self._items: list[str] | None = None

    def _get(self) -> list[str]:
        if self._items is None:
            self._items = list(self._load())
        return self._items

    def __getitem__(self, i):
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __str__(self) -> str:  # for "%(name)s" in a help text (see :func:`later_help`)
        return ", ".join(self._get())


def later_help(action: argparse.Action, **values: Later) -> argparse.Action:
    """Give a help text ``%(name)s`` fields filled only when the help is shown: argparse fills
    them from the action's attributes."""
    for name, value in values.items():
        setattr(action, name, value)
    return action


def progress(desc: str, unit: str = "file") -> tuple[Callable[[str], None], Callable[[], None]]:
    """A tqdm progress bar over sources (or other steps), shown on a terminal; returns
    (callback, close)."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=unit, disable=None, leave=False, file=sys.stderr)

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


def _read_only(args: argparse.Namespace) -> Any:
    """The store folder opened read-only (quicker to open, and beside a process that writes
    it), when the command names a folder (or the default one) that holds a graph; else None."""
    from impactkg.errors import StoreError
    from impactkg.graph.store import ENDPOINT_ENV, KnowledgeGraph, default_store_dir

    store = getattr(args, "store", None)
    if store is None and (getattr(args, "endpoint", None) or os.environ.get(ENDPOINT_ENV)):
        return None
    try:
        kg = KnowledgeGraph.open(store or default_store_dir(), read_only=True,
                                 allow_hosts=getattr(args, "allow_service", None) or ())
    except StoreError:
        return None
    if kg.is_empty():
        kg.close()
        return None
    return kg


def open_graph(args: argparse.Namespace, build_if_empty: bool = True, read_only: bool = False) -> Any:
    """:func:`graph`, built from the embedded dataset first when it is empty. ``read_only``: a
    command that only reads opens a store folder that holds a graph read-only."""
    kg = _read_only(args) if read_only else None
    if kg is not None:
        return kg
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
    from impactkg.errors import ImpactKGError

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
        "default: from the file or sheet name, else the header when it fits one kind best "
        "(a header two kinds fit equally is refused: name the kind)",
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
