"""RDF exports of the whole graph or of a selection: Turtle, N-Triples, N-Quads, TriG, JSON-LD
and RDF/XML, all written by the one set of RDF writers
(:func:`impactkg.graph.sparql.formats.write_rdf`), so the command line and Python write the same
bytes at the engine's speed.

Turtle, N-Triples, RDF/XML and JSON-LD hold the union of the named graphs, each triple once;
N-Quads and TriG keep the named graphs, and so does JSON-LD with ``graphs=True``. JSON-LD is
written in expanded form (readable by every JSON-LD 1.1 processor; the context in
``ontology/context.jsonld``, :func:`jsonld_context`, compacts it).

>>> from impactkg import KnowledgeGraph
>>> import io
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> out = io.BytesIO()
>>> write_quads(list(kg.quads())[:3], out, "nq") == 3
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import ExportError, StoreError
from impactkg.graph.export.selection import Selection
from impactkg.graph.files import write_atomically
from impactkg.ontology import ontology_dir

RDF_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
#: RDF formats that keep named graphs (JSON-LD only when asked: ``graphs=True``).
QUAD_FORMATS = ("nq", "trig")


@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped as ``ontology/context.jsonld`` (prefixes and a few terms)."""
    with open(ontology_dir() / "context.jsonld", encoding="utf-8") as fh:
        return json.load(fh)["@context"]


def write_quads(quads: Iterable[ox.Quad], output: str | Path | IO[bytes], fmt: str, *, graphs: bool = False) -> int:
    """Write quads as RDF ``fmt``; returns the number of quads (or, for a union format, of
    distinct triples) written. ExportError for an unknown format; QueryError for a value RDF/XML
    cannot carry (the file is then not written)."""
    from impactkg.graph.backends.oxigraph import _dedupe
    from impactkg.graph.sparql.formats import write_rdf

    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (use one of: {', '.join(RDF_FORMATS)})")
    quads = list(quads)
    keep = fmt in QUAD_FORMATS or (fmt == "jsonld" and graphs)
    items: list[Any] = quads if keep else list(_dedupe(q.triple for q in quads))
    name = "rdfxml" if fmt == "xml" else fmt

    def write(fh: IO[bytes]) -> None:
        write_rdf(items, fh, name)

    if isinstance(output, str | Path):
        write_atomically(Path(output), write, ExportError)
    else:
        write(output)
    return len(items)


def write_rdf(kg: Any, selection: Selection, path: str | Path, fmt: str, progress: bool = False,
              *, graphs: bool = False) -> int:
    """Write the selection (or the whole graph, through the store's own dump) as RDF ``fmt``;
    returns the number of quads written (see the module for which formats keep named graphs)."""
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (use one of: {', '.join(RDF_FORMATS)})")
    if selection.whole:
        try:
            kg.export(Path(path), fmt, graphs=graphs)
        except StoreError as exc:
            raise ExportError(str(exc)) from None
        return len(kg)
    return write_quads(selection.quads or [], path, fmt, graphs=graphs)
