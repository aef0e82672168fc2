"""The Oxigraph store (pyoxigraph ``Store``): in memory, or in a folder (RocksDB), reopened without
parsing. :func:`run_query` is how every Oxigraph query runs, in this process or in a worker.

>>> b = OxigraphBackend()
>>> b.query(QueryRequest("ASK { }")).boolean
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import QueryError, StoreError, TooLarge
from impactkg.graph.backends import FORMATS, QueryRequest
from impactkg.graph.sparql.diagnose import explain
from impactkg.graph.sparql.formats import write_rdf
from impactkg.graph.sparql.params import PARAM_NS, with_param_binds
from impactkg.graph.sparql.results import QueryResult
from impactkg.ontology import PREFIXES


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def too_large(n: int, what: str) -> str:
    return (
        f"the result has more than {n} {what}, the most allowed here: "
        "add a LIMIT (and OFFSET to page), or ask for less"
    )


def run_query(store: ox.Store, req: QueryRequest) -> QueryResult:
    """Run ``req`` on ``store``: parameters bound in the engine, the dataset as the request says,
    at most ``req.max_results`` rows or triples (TooLarge past them). Raises QueryError with one
    readable line for a syntax or evaluation error."""
    functions = {ox.NamedNode(PARAM_NS + k): (lambda v=v: v) for k, v in req.bindings.items()}
    kwargs: dict[str, Any] = {"prefixes": PREFIXES, "custom_functions": functions}
    if req.base_iri:
        kwargs["base_iri"] = req.base_iri
    if req.default_graphs is not None or req.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs or []]
    elif req.union:
        kwargs["use_default_graph_as_union"] = True
    cap = req.max_results
    try:
        res = store.query(with_param_binds(req.text, list(req.bindings)), **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            n = len(variables)
            rows: list[tuple] = []
            for sol in res:
                if cap is not None and len(rows) == cap:
                    raise TooLarge(too_large(cap, "rows"))
                rows.append(tuple(sol[i] for i in range(n)))
            return QueryResult.of_terms("select", variables, rows)
        triples = []
        for t in res:
            if cap is not None and len(triples) == cap:
                raise TooLarge(too_large(cap, "triples"))
            triples.append(t)
        result = QueryResult("graph")
        result.graph_triples = triples
        return result
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL: {explain(req.text, exc)}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"query failed: {_one_line(exc)}") from None


def run_update(store: ox.Store, text: str, base_iri: str | None = None) -> None:
    """Run a SPARQL update on ``store`` (one transaction). Raises QueryError with one line."""
    try:
        store.update(text, prefixes=PREFIXES, base_iri=base_iri)
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL update: {explain(text, exc)}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"update failed: {_one_line(exc)}") from None


def dump_store(store: ox.Store, output: IO[bytes], fmt: str) -> None:
    """Write a store as ``fmt`` (see :data:`~impactkg.graph.backends.FORMATS`): N-Quads and TriG
    keep the named graphs; the other formats write the union of the graphs, each triple once."""
    rdf_format, keeps_graphs = FORMATS[fmt]
    name = {"xml": "rdfxml", "jsonld-graphs": "jsonld"}.get(fmt, fmt)
    if keeps_graphs:
        write_rdf(
            (), output, name,
            dump=lambda out, f, prefixes: store.dump(out, f, prefixes=prefixes) if prefixes else store.dump(out, f),
        )
    elif fmt in ("ttl", "nt"):
        write_rdf((), output, name, dump=lambda out, f, prefixes: _dump_union(store, out, f, prefixes))
    else:
        write_rdf(_dedupe(q.triple for q in store.quads_for_pattern(None, None, None, None)), output, name)


def _dump_union(store: ox.Store, output: IO[bytes], rdf_format: ox.RdfFormat, prefixes: dict | None) -> None:
    """The union of the graphs as Turtle or N-Triples, each triple once: the largest graph is
    written by the store's serializer, then the triples of the other graphs that were not written
    yet (a million triples in one graph take one second, not five)."""
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [
        g for g in (*store.named_graphs(), ox.DefaultGraph())
        if next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None
    ]
    if len(graphs) > 1:
        sizes = {
            row[0].value: int(row[1].value)
            for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        }
        graphs.sort(key=lambda g: -sizes.get(getattr(g, "value", ""), 0))
        if 2 * sizes.get(getattr(graphs[0], "value", ""), 0) < len(store):
            # No graph holds most of the triples: every triple goes through the set.
            triples = (q.triple for q in store.quads_for_pattern(None, None, None, None))
            kwargs = {"prefixes": prefixes} if prefixes else {}
            ox.serialize(_dedupe(triples), output, rdf_format, **kwargs)
            return
    if not graphs:
        return
    largest, rest = graphs[0], graphs[1:]
    if prefixes:
        store.dump(output, rdf_format, from_graph=largest, prefixes=prefixes)
    else:
        store.dump(output, rdf_format, from_graph=largest)
    if not rest:
        return
    seen: set[ox.Triple] = set()
    triples = []
    for g in rest:
        for q in store.quads_for_pattern(None, None, None, g):
            t = q.triple
            if t not in seen and ox.Quad(q.subject, q.predicate, q.object, largest) not in store:
                seen.add(t)
                triples.append(t)
    if triples:
        kwargs = {"prefixes": prefixes} if prefixes else {}
        text = ox.serialize(triples, None, rdf_format, **kwargs)
        # The prefixes are declared once, at the start of the document.
        while text.startswith(b"@prefix "):
            text = text[text.index(b"\n") + 1 :]
        output.write(text)


def _dedupe(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t


class OxigraphBackend:
    """pyoxigraph ``Store``: in memory, or persisted in a folder (RocksDB), queried in this
    process."""

    name = "oxigraph"
    loads_files = True

    def __init__(self, path: Path | None = None, read_only: bool = False):
        try:
            if path is None:
                self.store = ox.Store()
            else:
                self.store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            hint = " (another process writes to it: open it read-only, or stop that process)" \
                if "lock" in str(exc).lower() else ""
            raise StoreError(f"cannot open the store at {path}: {_one_line(exc)}{hint}") from None
        self.path = path
        self.read_only = read_only

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else "memory"

    def query(self, request: QueryRequest) -> QueryResult:
        return run_query(self.store, request)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only: open it without read_only to change it")

    def update(self, text: str, base_iri: str | None = None, timeout: float | None = None) -> None:
        self._writable()
        run_update(self.store, text, base_iri)
        if self.path is not None:
            self.store.flush()

    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: Iterable[ox.Quad] = (), files: Iterable = ()
    ) -> None:
        """Replace each named graph by its new quads and add ``additions``; on failure, the
        previous content is restored. ``files`` (:class:`~impactkg.loaders.rdf.RdfFile`) are
        RDF files whose graphs are replaced by their content, parsed by the store."""
        from impactkg.loaders.rdf import load_file

        self._writable()
        files = list(files)
        names = list(dict.fromkeys([*graphs, *(g for f in files for g in f.graphs)]))
        saved = {
            g: list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in names
        }
        new = list({q for q in additions if q not in self.store})
        try:
            for g in names:
                if self._has_graph(g):
                    self.store.remove_graph(ox.NamedNode(g))
            for quads in graphs.values():
                self.store.extend(quads)
            for f in files:
                load_file(self.store, f)
            self.store.extend(new)
            if self.path is not None:
                self.store.flush()
        except BaseException:
            for g, quads in saved.items():
                if self._has_graph(g):
                    self.store.remove_graph(ox.NamedNode(g))
                self.store.extend(quads)
            for q in new:
                self.store.remove(q)
            raise

    def _has_graph(self, g: str) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(g))

    def drop_graph(self, graph: str) -> None:
        self._writable()
        if self._has_graph(graph):
            self.store.remove_graph(ox.NamedNode(graph))

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.store.quads_for_pattern(None, None, None, None))

    def dump(self, output: IO[bytes], fmt: str) -> None:
        dump_store(self.store, output, fmt)

    @property
    def rdflib(self) -> Any:  # -> rdflib.Dataset
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self.store), default_union=True)

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if getattr(self, "store", None) is None:
            return
        if self.path is not None and not self.read_only:
            self.store.flush()
        self.store = None  # type: ignore[assignment]
