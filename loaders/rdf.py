"""RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) parsed by pyoxigraph.

Triples go into the file's named graph; the named graphs of N-Quads and TriG are kept.
JSON-LD remote contexts are never fetched.

Into the Oxigraph store a file is loaded by the store's own parser, in one transaction
(:func:`load_file`): a million triples load at the parser's speed and in a third of the memory
that Python quad objects would take. A load of several sources first checks each RDF file
(:func:`check_rdf`: parsed once, its quads not kept), so that every problem of every file is
reported before anything is written; a load of one file of triples leaves the checking to the
store (:func:`unchecked_rdf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def is_rdf(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def parse_rdf(path: Path, graph: str) -> dict[str, list[ox.Quad]]:
    """Parse ``path``; default-graph triples go to ``graph``. Raises LoadError with the position."""
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    target = ox.NamedNode(graph)
    out: dict[str, list[ox.Quad]] = {}
    try:
        with open(path, "rb") as fh:
            for q in ox.parse(fh, fmt, base_iri=path.resolve().as_uri()):
                g = target if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
                out.setdefault(g.value, []).append(ox.Quad(q.subject, q.predicate, q.object, g))
    except SyntaxError as exc:
        raise LoadError([Problem(path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None
    return out or {graph: []}


@dataclass
class RdfFile:
    """An RDF file checked by :func:`check_rdf`, for the store to load with its own parser.

    ``triples`` counts the triples the file puts in each named graph (default-graph triples go
    to ``graph``).
    """

    path: Path
    format: ox.RdfFormat
    graph: str
    triples: dict[str, int | None]
    #: False for a file given to the store unparsed (:func:`unchecked_rdf`): the store's parser
    #: checks it while loading, and its number of triples (None here) is counted once loaded.
    checked: bool = True

    @property
    def graphs(self) -> list[str]:
        return list(self.triples)


def unchecked_rdf(path: Path, graph: str) -> RdfFile | None:
    """A file of triples (Turtle, N-Triples, RDF/XML) that the store parses and checks itself while
    loading it into ``graph`` in one transaction, or None for a format with named graphs (their
    names are only known by parsing). For a load of that one file: nothing is parsed twice.
    """
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    return None if fmt.supports_datasets else RdfFile(path, fmt, graph, {graph: None}, checked=False)


def check_rdf(path: Path, graph: str, typed: set[str] | None = None) -> RdfFile:
    """Parse ``path`` without keeping its quads: raise LoadError with the position of a syntax
    error, count the triples of each named graph, and add the subjects of ``rdf:type`` triples
    to ``typed`` when given.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.ttl"
    >>> _ = p.write_text('<http://e/a> a <http://e/C> .\\n', encoding="utf-8")
    >>> check_rdf(p, "http://e/g").triples
    {'http://e/g': 1}
    """
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    counts: dict[str, int] = {}
    try:
        with open(path, "rb") as fh:
            parsed = ox.parse(fh, fmt, base_iri=path.resolve().as_uri())
            if typed is None and not fmt.supports_datasets:
                counts[graph] = sum(1 for _ in parsed)
            else:
                for q in parsed:
                    g = graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                    counts[g] = counts.get(g, 0) + 1
                    if typed is not None and q.predicate.value == _RDF_TYPE:
                        typed.add(q.subject.value)
    except SyntaxError as exc:
        raise LoadError([Problem(path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None
    return RdfFile(path, fmt, graph, counts or {graph: 0})


def load_file(store: ox.Store, file: RdfFile, bulk: bool = False) -> None:
    """Load a file (from :func:`check_rdf` or :func:`unchecked_rdf`) into ``store`` with the
    store's own parser.

    Without ``bulk`` the load is one transaction (held in memory): on any error nothing of the
    file is written. With ``bulk`` it is pyoxigraph's ``bulk_load`` (streamed, fast, no
    transaction): for a store version that is not in use yet, discarded on error. When the syntax
    was checked already, the parser skips its checks (``lenient``).
    """
    loader = store.bulk_load if bulk else store.load
    try:
        loader(
            path=str(file.path),
            format=file.format,
            base_iri=file.path.resolve().as_uri(),
            to_graph=ox.NamedNode(file.graph),
            lenient=file.checked,
        )
    except SyntaxError as exc:
        raise LoadError([Problem(file.path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(file.path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _position(exc: SyntaxError) -> tuple[int | None, str | None]:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "offset", None)
    return line, (f"column {col}" if col else None)
