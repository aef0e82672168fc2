"""How :class:`~impactkg.graph.store.KnowledgeGraph` writes: loading files atomically (or
checking what a load would say), replacing named graphs, building the embedded dataset, dropping
a graph. Split from :mod:`impactkg.graph.store` as a base class of ``KnowledgeGraph``, which is
still the one door: nothing else calls these methods but through it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from impactkg.errors import Refused, StoreError
from impactkg.graph.backends import QueryRequest
from impactkg.graph.sparql.terms import value_of
from impactkg.graph.summaries import LoadSummary
from impactkg.ontology import ONTOLOGY_GRAPH, is_reserved, ontology_file

if TYPE_CHECKING:
    from impactkg.graph.backends import Backend
    from impactkg.graph.store import KnowledgeGraph


def _reserved_message(graphs: list[str], source: str) -> str:
    shown = ", ".join(f"<{g}>" for g in graphs[:4]) + (f" and {len(graphs) - 4} more" if len(graphs) > 4 else "")
    return (
        f"{source}: would replace the reserved graph{'s' if len(graphs) > 1 else ''} {shown} "
        "(the ontology, sources, inferences or embedded dataset of impactkg); load into a graph of "
        "your own (--graph IRI or --namespace NAME), or give --force (force=True) to replace "
        f"{'them' if len(graphs) > 1 else 'it'}"
    )


class Loading:
    """The loading methods of :class:`~impactkg.graph.store.KnowledgeGraph` (its base class)."""

    if TYPE_CHECKING:  # what KnowledgeGraph gives these methods
        _backend: Backend

        def graphs(self) -> list[str]: ...

        def _write_meta(self) -> None: ...

        def __len__(self) -> int: ...

    # ------------------------------------------------------------------ loading
    def _lookup(self, sparql: str) -> list[tuple[str, ...]]:
        res = self._backend.query(QueryRequest(sparql))
        return [tuple(value_of(t) for t in row) for row in res.terms]

    def load(
        self,
        *paths: str | Path,
        kind: str | None = None,
        namespace: str | None = None,
        encoding: str | None = None,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
        force: bool = False,
        ignore_columns: Sequence[str] = (),
        new_concepts: bool = False,
    ) -> LoadSummary:
        """Load files (CSV, TSV, XLSX, or RDF) atomically: any problem raises LoadError, and the
        graph is then exactly as it was. Each file replaces its own named graph; a catalogue
        workbook written by ``impactkg export`` replaces the graphs it was made from.

        A load that would write a reserved graph (:func:`~impactkg.ontology.is_reserved`: the
        ontology, the sources, the inferences, the embedded dataset ``graph/consortium/*``) —
        by ``graph=``, by an N-Quads/TriG graph name, by a table whose graph name lands there, or
        by a workbook exported from the embedded dataset — raises Refused naming the graphs,
        unless ``force``. (The trusted writers — :meth:`build`, the reasoner, importers, the
        crosswalk — go through :meth:`replace_graphs`, which does not check.)

        A column no kind knows is an error (with the closest known column) unless named in
        ``ignore_columns``; a concept label that matches no concept of its scheme is an error
        (with the known labels and the closest) unless the same load defines it (a ``concepts``
        table) or ``new_concepts`` is given (see :mod:`impactkg.loaders`).
        """
        from impactkg.loaders import prepare

        if graph is not None and is_reserved(graph) and not force:
            raise Refused(_reserved_message([graph], "--graph"))
        before = len(self)
        # Into a store folder the load streams: the graphs it replaces are emptied in the next
        # version of the store, and each table's quads go there in chunks (memory does not grow
        # with the rows); a problem discards that version.
        streams = bool(getattr(self._backend, "streams", False))
        state: dict[str, Any] = {"cleared": set(), "held": 0}

        def begin(batch: Any) -> None:
            self._refuse_reserved(batch, force)
            unknown = {g for f in batch.files for g, n in f.triples.items() if n is None}
            held = set(self.graphs())
            state["held"] = sum(self._count(g) for g in unknown if g in held)
            if streams:
                self._backend.clear_graphs(sorted(batch.exclude))  # type: ignore[attr-defined]
                state["cleared"] = set(batch.exclude)

        with self._staged():
            batch = prepare(
                [(Path(p), kind) for p in paths],
                self._lookup,
                namespace=namespace,
                encoding=encoding,
                graph=graph,
                progress=progress,
                files=getattr(self._backend, "loads_files", False),
                existing=self.graphs,
                ignore_columns=ignore_columns,
                new_concepts=new_concepts,
                sink=(lambda _graph, quads: self._backend.add(quads)) if streams else None,  # type: ignore[attr-defined]
                begin=begin,
            )
            self._refuse_reserved(batch, force)  # a catalogue workbook names its graphs only now
            if state["cleared"]:
                self._backend.replace_graphs(  # type: ignore[call-arg]
                    batch.graphs, batch.sources, batch.files, cleared=state["cleared"])
            else:
                self._backend.replace_graphs(batch.graphs, batch.sources, batch.files)
        self._write_meta()
        after = len(self)
        sources = [(s, g, r, after - before + state["held"] if n is None else n) for s, g, r, n in batch.summaries]
        return LoadSummary(sources=sources, triples_before=before, triples_after=after, note=batch.note)

    def check(
        self,
        *paths: str | Path,
        kind: str | None = None,
        namespace: str | None = None,
        encoding: str | None = None,
        graph: str | None = None,
        force: bool = False,
        ignore_columns: Sequence[str] = (),
        new_concepts: bool = False,
        shapes: str | Path | None = None,
        engine: str = "auto",
    ):
        """What :meth:`load` would say of these files, without writing anything: LoadError or
        Refused exactly as the load would raise them (references resolved against this graph),
        else the SHACL report (:class:`~impactkg.graph.analysis.validate.ValidationReport`) of the
        files' own records alone — not of the graph's (``engine``: see
        :func:`~impactkg.graph.analysis.validate.validate_batch`). ``impactkg validate FILE``
        runs it."""
        from impactkg.graph.analysis.validate import validate_batch
        from impactkg.loaders import prepare

        if graph is not None and is_reserved(graph) and not force:
            raise Refused(_reserved_message([graph], "--graph"))
        batch = prepare(
            [(Path(p), kind) for p in paths], self._lookup, namespace=namespace, encoding=encoding,
            graph=graph, existing=self.graphs, ignore_columns=ignore_columns, new_concepts=new_concepts,
            begin=lambda b: self._refuse_reserved(b, force),
        )
        self._refuse_reserved(batch, force)
        return validate_batch(cast("KnowledgeGraph", self), batch, shapes, engine=engine)

    @staticmethod
    def _refuse_reserved(batch: Any, force: bool) -> None:
        """Refused when ``batch`` would write a reserved graph and ``force`` is not given."""
        names = {*batch.exclude, *batch.graphs, *(g for f in batch.files for g in f.graphs)}
        reserved = sorted(g for g in names if is_reserved(g))
        if reserved and not force:
            origins = getattr(batch, "origins", {})
            named = sorted({origins[g] for g in reserved if g in origins}
                           | {str(src) for src, g, _, _ in batch.summaries if g in reserved})
            files = sorted({n.split("[")[0] for n in named})
            if len(named) > 3 and len(files) < len(named):
                named = [f"{f} ({sum(1 for n in named if n.split('[')[0] == f)} sheets)" for f in files]
            shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
            raise Refused(_reserved_message(reserved, shown or "this load"))

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
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self._backend.query(QueryRequest(text)).terms[0][0].value)  # type: ignore[union-attr]

    def load_ontology(self) -> LoadSummary:
        """(Re)load the ontology into its own named graph."""
        from impactkg.loaders.rdf import parse_rdf

        graphs = parse_rdf(ontology_file(), ONTOLOGY_GRAPH)
        n = sum(len(q) for q in graphs.values())
        return self.replace_graphs(graphs, [("impactkg.ttl", ONTOLOGY_GRAPH, 0, n)])

    def build(
        self, *paths: str | Path, progress: Callable[[str], None] | None = None, **options: Any
    ) -> LoadSummary:
        """Load the ontology and the embedded dataset, or, given paths, the ontology and those
        files (on top of the embedded dataset when the graph is empty)."""
        from impactkg.data import MANIFEST, NAMESPACE, SOURCE_IRI, SOURCE_TITLE, dataset_dir
        from impactkg.loaders import prepare

        with self._staged():  # one step: after a crash the store is as before or as after
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
        self._write_meta()
        summary.triples_after = len(self)
        return summary

    @contextlib.contextmanager
    def _staged(self) -> Iterator[None]:
        """Group the writes inside into one step (a new version of a store folder, switched to
        at the end; see :mod:`~impactkg.graph.backends.versions`)."""
        staged = getattr(self._backend, "staged", None)
        if staged is None:
            yield
            return
        with staged():
            yield

    def _is_without_dataset(self) -> bool:
        return not any(g.endswith("/consortium/concepts") for g in self.graphs())

    def drop(self, graph: str) -> None:
        """Remove a named graph; StoreError when there is none of that name."""
        if graph not in self.graphs():
            raise StoreError(f"no named graph <{graph}>")
        self._backend.drop_graph(graph)
        self._write_meta()
