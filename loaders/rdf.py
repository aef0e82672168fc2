"""RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) parsed by pyoxigraph.

Triples go into the file's named graph; the named graphs of N-Quads and TriG are kept.
JSON-LD remote contexts are never fetched.
"""

from __future__ import annotations

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


def _position(exc: SyntaxError) -> tuple[int | None, str | None]:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "offset", None)
    return line, (f"column {col}" if col else None)
