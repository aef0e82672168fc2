"""The knowledge graph: a store (Oxigraph by default, rdflib memory as fallback) with loaders,
named queries, SHACL validation and statistics behind one class.

>>> kg = KnowledgeGraph.memory()
>>> summary = kg.build()
>>> [r["unit"].toPython() for r in kg.query("indicators-for-target", target="11.b")][:3]
['分', '㎡', '㎡']
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import QueryError, StoreError
from impactkg.graph.backends import FORMATS, make_backend
from impactkg.graph.files import write_atomically
from impactkg.graph.sparql.results import QueryResult
from impactkg.ontology import ONTOLOGY_GRAPH, ontology_file

STORE_ENV = "IMPACTKG_STORE"
#: A remote SPARQL server instead of a local store: query URL, update URL, credentials.
ENDPOINT_ENV = "IMPACTKG_ENDPOINT"
UPDATE_ENDPOINT_ENV = "IMPACTKG_UPDATE_ENDPOINT"
USER_ENV, PASSWORD_ENV = "IMPACTKG_USER", "IMPACTKG_PASSWORD"


def default_store_dir() -> Path:
    """Where commands keep the graph when no ``--store`` is given.

    ``$IMPACTKG_STORE`` if set, else ``$XDG_DATA_HOME/impactkg/store``
    (``~/.local/share/impactkg/store``).
    """
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "impactkg" / "store"


@dataclass
class LoadSummary:
    """What a load did: one entry per source (file or sheet), with its graph, rows and triples."""

    sources: list[tuple[str, str, int, int]] = field(default_factory=list)
    triples_before: int = 0
    triples_after: int = 0

    @property
    def graphs(self) -> list[str]:
        return sorted({g for _, g, _, _ in self.sources})

    def text(self) -> str:
        lines = [f"{src}: {rows} rows -> {n} triples in <{g}>" for src, g, rows, n in self.sources]
        lines.append(f"store: {self.triples_before} -> {self.triples_after} quads")
        return "\n".join(lines)


@dataclass
class Stats:
    """Size of the graph: quads, triples per named graph, instances per class."""

    quads: int
    graphs: dict[str, int]
    classes: dict[str, int]

    def text(self) -> str:
        lines = [f"quads: {self.quads}", f"named graphs: {len(self.graphs)}"]
        lines += [f"  {n:>7}  {g}" for g, n in self.graphs.items()]
        lines.append("instances per class:")
        lines += [f"  {n:>7}  {c}" for c, n in self.classes.items()]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"quads": self.quads, "graphs": self.graphs, "classes": self.classes}


class KnowledgeGraph:
    """An impact knowledge graph.

    Open one in memory (:meth:`memory`) or in a folder (:meth:`open`, reopened without
    re-parsing), :meth:`build` the embedded dataset or :meth:`load` your own files, then
    :meth:`query` it by name or with any SPARQL.
    """

    def __init__(self, backend: str = "oxigraph", path: Path | None = None, **remote: Any):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
        self._backend = make_backend(backend, self.path / "oxigraph" if self.path else None, **remote)

    # ------------------------------------------------------------------ opening
    @classmethod
    def memory(cls, backend: str = "oxigraph") -> KnowledgeGraph:
        """A graph in memory (``backend``: ``"oxigraph"`` or ``"rdflib"``)."""
        return cls(backend)

    @classmethod
    def remote(
        cls,
        query_url: str,
        update_url: str | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 300.0,
    ) -> KnowledgeGraph:
        """The graph on a remote SPARQL 1.1 server (Virtuoso, Oxigraph server, GraphDB, ...).

        >>> kg = KnowledgeGraph.remote("http://127.0.0.1:7878/query")  # doctest: +SKIP
        """
        return cls(
            "remote", query_url=query_url, update_url=update_url, auth=auth, timeout=timeout
        )

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        create: bool = True,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
    ) -> KnowledgeGraph:
        """Open the graph persisted in ``path`` (default: :func:`default_store_dir`), or, given
        ``endpoint`` (or ``$IMPACTKG_ENDPOINT`` when no path is given), the graph on that SPARQL
        server (update URL from ``update_endpoint`` or ``$IMPACTKG_UPDATE_ENDPOINT``, credentials
        from ``$IMPACTKG_USER`` and ``$IMPACTKG_PASSWORD``)."""
        if endpoint is None and path is None:
            endpoint = os.environ.get(ENDPOINT_ENV) or None
        if endpoint is not None:
            if path is not None:
                raise StoreError("give either a store folder or a SPARQL endpoint, not both")
            user = os.environ.get(USER_ENV)
            auth = (user, os.environ.get(PASSWORD_ENV, "")) if user else None
            update = update_endpoint or os.environ.get(UPDATE_ENDPOINT_ENV) or None
            return cls.remote(endpoint, update, auth)
        path = Path(path) if path is not None else default_store_dir()
        if not create and not (path / "oxigraph").exists():
            raise StoreError(f"no graph at {path}: run 'impactkg build --store {path}' first")
        if path.exists() and not path.is_dir():
            raise StoreError(f"the store must be a folder, and {path} is a file")
        return cls("oxigraph", path)

    @property
    def backend(self) -> str:
        """The name of the back end in use (``oxigraph``, ``rdflib`` or ``remote``)."""
        return self._backend.name

    @property
    def location(self) -> str:
        """Where the graph lives: the store folder, the SPARQL endpoint URL, or ``memory``."""
        if self.path is not None:
            return str(self.path)
        return getattr(self._backend, "location", "memory")

    @property
    def rdflib(self):  # -> rdflib.Dataset
        """The graph as an rdflib ``Dataset`` (through oxrdflib for the Oxigraph back end)."""
        return self._backend.rdflib

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._backend)

    def is_empty(self) -> bool:
        return len(self) == 0

    # ------------------------------------------------------------------ loading
    def _lookup(self, sparql: str) -> list[tuple[str, ...]]:
        res = self._backend.query(sparql, {})
        return [tuple(str(v) for v in row) for row in res.rows]

    def load(
        self,
        *paths: str | Path,
        kind: str | None = None,
        namespace: str | None = None,
        encoding: str | None = None,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> LoadSummary:
        """Load files (CSV, TSV, XLSX, or RDF) atomically: any problem raises LoadError, and the
        graph is then exactly as it was. Each file replaces its own named graph."""
        from impactkg.loaders import prepare

        batch = prepare(
            [(Path(p), kind) for p in paths],
            self._lookup,
            namespace=namespace,
            encoding=encoding,
            graph=graph,
            progress=progress,
            files=getattr(self._backend, "loads_files", False),
        )
        return self.replace_graphs(batch.graphs, batch.summaries, batch.sources, files=batch.files)

    def replace_graphs(
        self,
        graphs: dict[str, list[ox.Quad]],
        sources: list | None = None,
        additions: list[ox.Quad] | None = None,
        files: list | None = None,
    ) -> LoadSummary:
        """Replace each named graph of ``graphs`` by its quads (an empty list removes it) and add
        ``additions``, as one change: on failure the graph is left as it was. ``sources`` are the
        (source, graph, rows, triples) entries of the returned :class:`LoadSummary`.

        This is what every load ends with; importers, the reasoner and the crosswalk use it too.
        ``files`` are RDF files (:class:`~impactkg.loaders.rdf.RdfFile`) that a back end with
        ``loads_files`` (Oxigraph) loads with its own parser.
        """
        before = len(self)
        if not files:
            self._backend.replace_graphs(graphs, additions or [])
            self._write_meta()
            return LoadSummary(sources=list(sources or []), triples_before=before, triples_after=len(self))
        # A file the store parsed unchecked (the only source of its load) is counted once loaded:
        # what the store gained, plus what its graph held before.
        unknown = {g for f in files for g, n in f.triples.items() if n is None}
        held = sum(self._count(g) for g in unknown if g in self.graphs())
        self._backend.replace_graphs(graphs, additions or [], files)
        self._write_meta()
        after = len(self)
        sources = [(s, g, r, after - before + held if n is None else n) for s, g, r, n in sources or []]
        return LoadSummary(sources=sources, triples_before=before, triples_after=after)

    def _count(self, graph: str) -> int:
        res = self._backend.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", {})
        return int(res.rows[0][0])

    def load_ontology(self) -> LoadSummary:
        """(Re)load the ontology into its own named graph."""
        from impactkg.loaders.rdf import parse_rdf

        graphs = parse_rdf(ontology_file(), ONTOLOGY_GRAPH)
        n = sum(len(q) for q in graphs.values())
        return self.replace_graphs(graphs, [("impactkg.ttl", ONTOLOGY_GRAPH, 0, n)])

    def build(
        self, *paths: str | Path, progress: Callable[[str], None] | None = None, **options
    ) -> LoadSummary:
        """Load the ontology and the embedded dataset, or, given paths, the ontology and those
        files (on top of the embedded dataset when the graph is empty)."""
        from impactkg.data import MANIFEST, NAMESPACE, SOURCE_IRI, SOURCE_TITLE, dataset_dir
        from impactkg.loaders import prepare

        summary = self.load_ontology()
        if not paths or self._is_without_dataset():
            batch = prepare(
                [(dataset_dir() / f, k) for f, k in MANIFEST],
                self._lookup,
                namespace=NAMESPACE,
                source_doc=(SOURCE_IRI, SOURCE_TITLE),
                progress=progress,
            )
            applied = self.replace_graphs(batch.graphs, batch.summaries, batch.sources)
            summary.sources += applied.sources
        if paths:
            summary.sources += self.load(*paths, progress=progress, **options).sources
        summary.triples_after = len(self)
        return summary

    def _is_without_dataset(self) -> bool:
        return not any(g.endswith("/consortium/concepts") for g in self.graphs())

    def drop(self, graph: str) -> None:
        """Remove a named graph."""
        if graph not in self.graphs():
            raise StoreError(f"no named graph <{graph}>")
        self._backend.drop_graph(graph)
        self._write_meta()

    def graphs(self) -> list[str]:
        """The named graphs, sorted."""
        return self._backend.graph_names()

    def _write_meta(self) -> None:
        if self.path is not None:
            meta = {"format": "impactkg-store", "version": 1, "graphs": self.graphs()}
            (self.path / "impactkg.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    # ------------------------------------------------------------------ querying
    def query(self, name_or_text: str, /, **params: Any) -> QueryResult:
        """Run a named query (``"indicators-for-target"``), a ``.rq`` file path, or SPARQL text.

        Parameters are bound as typed RDF terms, never pasted into the query text.
        """
        from impactkg.queries import resolve

        query, bindings = resolve(name_or_text, params)
        return self._backend.query(query, bindings)

    def sparql(self, text: str, bindings: dict[str, Any] | None = None) -> QueryResult:
        """Run SPARQL text, binding variables to rdflib or pyoxigraph terms."""
        from impactkg.graph.sparql.terms import to_ox

        subs = {}
        for k, v in (bindings or {}).items():
            subs[k] = v if isinstance(v, ox.NamedNode | ox.Literal | ox.BlankNode) else to_ox(v)
        return self._backend.query(text, subs)

    # ------------------------------------------------------------------ checking
    def validate(self, shapes: str | Path | None = None):
        """Validate the graph against the SHACL shapes; returns a ValidationReport."""
        from impactkg.graph.analysis.validate import validate

        return validate(self, shapes)

    def stats(self) -> Stats:
        """Quads, triples per named graph and instances per class."""
        per_graph = self._backend.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", {}
        )
        per_class = self._backend.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
            {},
        )
        return Stats(
            quads=len(self),
            graphs={str(g): int(n) for g, n in per_graph.rows},
            classes={str(c): int(n) for c, n in per_class.rows},
        )

    # ------------------------------------------------------------------ exporting
    def export(self, output: str | Path | IO[bytes], fmt: str = "ttl") -> None:
        """Write the whole graph as ``fmt`` (ttl, nt, nq, trig, jsonld, xml)."""
        if fmt not in FORMATS:
            raise StoreError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")
        if isinstance(output, str | Path):
            write_atomically(output, lambda fh: self._backend.dump(fh, fmt), StoreError)
        else:
            self._backend.dump(output, fmt)

    def quads(self) -> Iterable[ox.Quad]:
        """Every quad, as pyoxigraph terms."""
        return self._backend.quads()

    def canonical_nquads(self) -> list[str]:
        """Every quad as a sorted list of N-Quads lines (for comparing stores exactly)."""
        return sorted(str(q) for q in self.quads())


__all__ = ["KnowledgeGraph", "LoadSummary", "Stats", "default_store_dir", "QueryError"]
