"""RDF exports of the whole graph or of a selection: Turtle, N-Triples, N-Quads, TriG, JSON-LD
(with the context shipped in ``ontology/context.jsonld``) and RDF/XML.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.graph.export.selection import ExportError, Selection, _bar
from impactkg.graph.files import write_atomically
from impactkg.ontology import PREFIXES, ontology_dir

RDF_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
#: RDF formats that keep named graphs.
QUAD_FORMATS = ("nq", "trig", "jsonld")

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped as ``ontology/context.jsonld`` (prefixes and a few terms)."""
    with open(ontology_dir() / "context.jsonld", encoding="utf-8") as fh:
        return json.load(fh)["@context"]


def _atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    write_atomically(path, write, ExportError)


def _dedupe_triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            yield t


def to_dataset(quads: Iterable[ox.Quad]):  # -> rdflib.Dataset
    """The quads as an rdflib ``Dataset`` (named graphs kept)."""
    import rdflib

    from impactkg.graph.sparql.terms import to_rdflib

    ds = rdflib.Dataset()
    graphs: dict[str, Any] = {}
    for q in quads:
        g = q.graph_name
        key = g.value if isinstance(g, ox.NamedNode) else ""
        if key not in graphs:
            graphs[key] = ds.graph(rdflib.URIRef(key)) if key else ds.default_context
        graphs[key].add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds


def write_jsonld(quads: Iterable[ox.Quad], out: IO[bytes]) -> None:
    """JSON-LD with the shipped context inline (readers never fetch a remote context); one
    ``@graph`` per named graph."""
    ds = to_dataset(quads)
    text = ds.serialize(format="json-ld", context=jsonld_context(), indent=1)
    out.write(text.encode("utf-8") if isinstance(text, str) else text)


def write_rdf(kg, selection: Selection, path: str | Path, fmt: str, progress: bool = False) -> int:
    """Write the selection (or the whole graph) as RDF ``fmt``; returns the number of quads.

    Named graphs are kept in N-Quads, TriG and JSON-LD; Turtle, N-Triples and RDF/XML hold
    their union.
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (use one of: {', '.join(RDF_FORMATS)})")
    path = Path(path)
    if selection.whole and fmt != "jsonld":
        from impactkg.errors import StoreError

        try:
            kg.export(path, fmt)
        except StoreError as exc:
            raise ExportError(str(exc)) from None
        return len(kg)
    if selection.whole:
        quads = list(_bar(kg.quads(), len(kg), "reading", progress))
    else:
        quads = list(selection.quads or [])
    if fmt == "jsonld":
        _atomic(path, lambda fh: write_jsonld(quads, fh))
    elif fmt in QUAD_FORMATS:
        prefixes = dict(PREFIXES) if fmt == "trig" else None
        _atomic(path, lambda fh: ox.serialize(quads, fh, _OX_FORMATS[fmt], prefixes=prefixes))
    else:
        prefixes = dict(PREFIXES) if fmt == "ttl" else None
        _atomic(
            path,
            lambda fh: ox.serialize(_dedupe_triples(quads), fh, _OX_FORMATS[fmt], prefixes=prefixes),
        )
    return len(quads)

