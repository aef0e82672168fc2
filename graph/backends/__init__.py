"""Store back ends behind one interface: Oxigraph (in memory or in a folder, queried in process or
by a pool of killable worker processes) and a remote SPARQL 1.1 server.

The caller (:class:`~impactkg.graph.store.KnowledgeGraph`, the one door) never sees which one
runs: every back end takes pyoxigraph quads in and gives
:class:`~impactkg.graph.sparql.results.QueryResult` out, and every query arrives as a
:class:`QueryRequest` whose dataset the door has already decided.

>>> import pyoxigraph as ox
>>> b = make_backend("oxigraph")
>>> g = ox.NamedNode("https://example.org/g")
>>> b.replace_graphs({g.value: [ox.Quad(g, g, ox.Literal("x"), g)]})
>>> len(b)
1
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from impactkg.errors import StoreError
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.terms import OxTerm

#: Export formats of a whole store: name -> (pyoxigraph format, keeps named graphs).
FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "xml": (ox.RdfFormat.RDF_XML, False),
    # JSON-LD with its named graphs (KnowledgeGraph.export(..., graphs=True)).
    "jsonld-graphs": (ox.RdfFormat.JSON_LD, True),
}


@dataclass
class QueryRequest:
    """One query as the door hands it to a back end.

    ``bindings`` are parameters bound inside the engine (variable name -> term). The dataset:
    ``default_graphs``/``named_graphs`` given (lists, possibly empty) define it, as the SPARQL
    Protocol's ``default-graph-uri``/``named-graph-uri`` do; else ``union`` True makes the
    default graph the union of the named graphs; else (False) the query's own FROM/FROM NAMED
    apply. ``max_results`` caps the rows or triples (TooLarge past it); ``timeout`` is in seconds
    and counts from ``started`` (``time.monotonic()`` when the door began checking the request, so
    that the checks are inside the limit). ``cancel``, when given, says whether whoever asked has
    gone; back ends look at it while they wait, and it never leaves this process.
    """

    text: str
    bindings: dict[str, OxTerm] = field(default_factory=dict)
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    base_iri: str | None = None
    max_results: int | None = None
    timeout: float | None = None
    #: What the door has to say about the request (graphs of its dataset the store lacks).
    warnings: list[str] = field(default_factory=list)
    started: float | None = None
    cancel: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    def remaining(self) -> float | None:
        """Seconds left of ``timeout`` (None: no limit); at most 0 when it has passed."""
        if self.timeout is None:
            return None
        if self.started is None:
            return self.timeout
        return self.timeout - (time.monotonic() - self.started)

    def __getstate__(self) -> dict:
        # Sent to a worker process without ``cancel`` (a callable of this process).
        return {k: v for k, v in self.__dict__.items() if k != "cancel"}


class Backend(Protocol):
    """What a store offers the door. Errors: QueryError (the request), StoreError (the store),
    TimeLimit, TooLarge, Busy."""

    name: str
    #: Loads RDF files with the store's own parser (the ``files`` of :meth:`replace_graphs`).
    loads_files: bool

    @property
    def location(self) -> str: ...
    def query(self, request: QueryRequest) -> QueryResult: ...
    def update(self, text: str, base_iri: str | None = None, timeout: float | None = None) -> None: ...
    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: list[ox.Quad] = ..., files: list = ...
    ) -> None: ...
    def drop_graph(self, graph: str) -> None: ...
    def graph_names(self) -> list[str]: ...
    def quads(self) -> Iterator[ox.Quad]: ...
    def dump(self, output: IO[bytes], fmt: str) -> None: ...
    def __len__(self) -> int: ...
    def is_empty(self) -> bool: ...
    def close(self) -> None: ...
    @property
    def rdflib(self) -> Any: ...


def make_backend(
    name: str = "oxigraph", path: Path | None = None, **options: Any
) -> Backend:
    """Create a back end by name: ``"oxigraph"`` (in memory, or on disk at ``path``; with
    ``workers=N`` queries run in N killable worker processes, see
    :mod:`~impactkg.graph.backends.pool`), or ``"remote"`` (a SPARQL 1.1 server: ``query_url=``,
    ``update_url=``, ``auth=``). Raises StoreError for an unknown name."""
    if name == "remote":
        from impactkg.graph.backends.remote import RemoteBackend

        return RemoteBackend(**options)
    if name == "oxigraph":
        if options.get("workers"):
            from impactkg.graph.backends.pool import PoolBackend

            if path is None:
                raise StoreError("query workers need a store folder (--store DIR)")
            return PoolBackend(path, **options)
        from impactkg.graph.backends.oxigraph import OxigraphBackend

        return OxigraphBackend(path, read_only=bool(options.get("read_only")))
    if name == "rdflib":
        raise StoreError(
            "the rdflib back end was removed: its SPARQL engine answers differently from the one "
            "impactkg is held to (the W3C tests); use the default Oxigraph store, and kg.rdflib for "
            "an rdflib view of it"
        )
    raise StoreError(f"unknown back end {name!r}: use 'oxigraph' or 'remote'")
