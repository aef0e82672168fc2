"""What ``impactkg serve`` serves, without HTTP: the graph (through its one door,
:class:`~impactkg.graph.store.KnowledgeGraph`), the server's limits, and what it caches.

A local store is opened with query workers (:mod:`impactkg.graph.backends.pool`): every query runs
in a worker process that is killed past the time limit. A remote SPARQL server is reached through
the remote back end, whose HTTP request gives up at the time limit.

>>> config = ServeConfig(port=0)
>>> (config.host, config.allow_update, config.timeout)
('127.0.0.1', False, 30.0)
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import StoreError
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.terms import value_of


@dataclass
class ServeConfig:
    """How ``impactkg serve`` runs: what it serves, where, and its limits (seconds, rows, bytes)."""

    store: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    auth: tuple[str, str] | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allow_update: bool = False
    token: str | None = None
    timeout: float = 30.0
    max_results: int = 10000
    max_body: int = 1_000_000
    #: Largest body of a load (``POST /load``), streamed to a temporary folder.
    max_load: int = 1 << 30
    allow_hosts: tuple[str, ...] = ()
    workers: int = 2
    max_connections: int = 64
    build_if_empty: bool = True
    #: Origins allowed to read the endpoint from a page of theirs (CORS); none by default.
    cors: tuple[str, ...] = ()
    #: Names this server answers to besides its address (the Host header check).
    host_names: tuple[str, ...] = ()
    #: Seconds a request's line and headers may take to arrive, from its first byte.
    header_timeout: float = 10.0
    #: Seconds a whole request (line, headers and body) may take to arrive, from its first byte.
    read_timeout: float = 30.0
    #: Connections open at once (each has a thread; beyond, 503 at once).
    max_clients: int = 256


class App:
    """The graph behind the endpoint and the pages, with the server's limits and caches."""

    def __init__(self, config: ServeConfig):
        from impactkg.graph.store import DatasetWarning, KnowledgeGraph, default_store_dir

        # The endpoint says it in a response header (X-Impactkg-Warning), not on the console.
        warnings.filterwarnings("ignore", category=DatasetWarning)

        if config.allow_update and not config.token:
            raise StoreError("--allow-update needs a token (--token T or $IMPACTKG_TOKEN)")
        self.config = config
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stats: dict[str, Any] | None = None
        #: Pages that are costly to make (the maps), until the next update.
        self.page_cache: dict[Any, bytes] = {}
        if config.endpoint:
            self.kg = KnowledgeGraph.remote(
                config.endpoint, config.update_endpoint, config.auth, allow_hosts=config.allow_hosts
            )
            self.location = config.endpoint
        else:
            path = Path(config.store) if config.store else default_store_dir()
            plain = KnowledgeGraph.open(path)
            if plain.is_empty() and config.build_if_empty:
                print(f"impactkg: no graph in {path}; building the embedded dataset first", file=sys.stderr)
                plain.build()
            plain.close()
            del plain
            self.kg = KnowledgeGraph.open(
                path, workers=config.workers, timeout=config.timeout, allow_hosts=config.allow_hosts
            )
            self.location = str(path)

    # ------------------------------------------------------------------ reading
    @contextlib.contextmanager
    def client(self, gone: Callable[[], bool]) -> Iterator[None]:
        """While in this block, the queries this thread runs are cancelled once ``gone()`` says
        that the client who asked has gone (the HTTP layer watches the connection)."""
        self._local.gone = gone
        try:
            yield
        finally:
            self._local.gone = None

    def _gone(self) -> Callable[[], bool] | None:
        return getattr(self._local, "gone", None)

    def query(
        self,
        text: str,
        bindings: Mapping[str, Any] | None = None,
        *,
        max_results: int | None = None,
        default_graph_uri: Sequence[str] | None = None,
        named_graph_uri: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """SPARQL text through the door, within the server's time limit and result cap."""
        return self.kg.sparql(
            text,
            bindings,
            default_graph_uri=default_graph_uri,
            named_graph_uri=named_graph_uri,
            base_iri=base_iri,
            timeout=self.config.timeout,
            max_results=self.config.max_results if max_results is None else max_results,
            cancel=self._gone(),
        )

    def named(self, name: str, values: Mapping[str, str], base_iri: str | None = None,
              text: str | None = None) -> QueryResult:
        """A named query with its typed parameters, within the limits; with ``text``, that text
        (an edited copy of the query) with the query's parameters."""
        return self.kg.query(
            name if text is None else text, dict(values), timeout=self.config.timeout,
            max_results=self.config.max_results, base_iri=base_iri,
            params_from=None if text is None else name, cancel=self._gone(),
        )

    def update(
        self, text: str, using: Sequence[str] | None, using_named: Sequence[str] | None, base_iri: str
    ) -> None:
        try:
            self.kg.update(
                text, using_graph_uri=using, using_named_graph_uri=using_named, base_iri=base_iri,
                timeout=self.config.timeout,
            )
        finally:
            self.invalidate()

    def load(self, paths: Sequence[Path], **options: Any) -> Any:
        """Load files through the door (one load, one new version of the store: the readers
        switch to it when it is complete); returns the LoadSummary."""
        try:
            return self.kg.load(*paths, **options)
        finally:
            self.invalidate()

    def announce(self, base: str) -> Any:
        """While serving a local store: its ``serving.json`` (this server's address and pid)."""
        return self.kg.serving(base, self.config.allow_update)

    def invalidate(self) -> None:
        with self._lock:
            self._stats = None
            self.page_cache.clear()

    def graphs(self) -> list[str]:
        return self.kg.graphs()

    def stats(self) -> dict[str, Any]:
        """Quads, triples per named graph, instances per class with ja/en labels (cached until a
        write)."""
        with self._lock:
            cached = self._stats
        if cached is not None:
            return cached
        per_graph = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        per_class = self.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?ja0) AS ?ja) (SAMPLE(?en0) AS ?en) WHERE { ?s a ?c "
            "OPTIONAL { ?c rdfs:label ?ja0 FILTER(lang(?ja0) = 'ja') } OPTIONAL { ?c rdfs:label ?en0 FILTER(lang(?en0) = 'en') } } "
            "GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 200"
        )
        graphs = {value_of(r[0]): int(value_of(r[1])) for r in per_graph.terms if r[0] is not None and r[1] is not None}
        classes = [
            {"iri": value_of(r[0]), "count": int(value_of(r[1])), "ja": value_of(r[2]) if r[2] else "",
             "en": value_of(r[3]) if r[3] else ""}
            for r in per_class.terms
            if isinstance(r[0], ox.NamedNode) and r[1] is not None
        ]
        cached = {"quads": sum(graphs.values()), "graphs": graphs, "classes": classes, "location": self.location}
        with self._lock:
            self._stats = cached
        return cached

    def worker_pids(self) -> list[int]:
        return self.kg.worker_pids()

    def close(self) -> None:
        self.kg.close()
