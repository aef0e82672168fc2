"""Store back ends behind one interface: Oxigraph (default, in memory or on disk) and rdflib memory.

The caller never sees which one runs: both take pyoxigraph quads in and give
:class:`~impactkg.graph.sparql.results.QueryResult` out.

>>> import pyoxigraph as ox
>>> b = make_backend("oxigraph")
>>> g = ox.NamedNode("https://example.org/g")
>>> b.replace_graphs({g.value: [ox.Quad(g, g, ox.Literal("x"), g)]})
>>> len(b)
1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox
import rdflib

from impactkg.errors import QueryError, StoreError
from impactkg.graph.sparql.params import PARAM_NS, with_param_binds
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.terms import OxTerm, to_ox, to_rdflib
from impactkg.ontology import PREFIXES

#: Export formats: name -> (pyoxigraph format, keeps named graphs).
FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
    "xml": (ox.RdfFormat.RDF_XML, False),
}


class Backend(Protocol):
    name: str

    def replace_graphs(self, graphs: dict[str, list[ox.Quad]], additions: list[ox.Quad]) -> None: ...
    def drop_graph(self, graph: str) -> None: ...
    def graph_names(self) -> list[str]: ...
    def quads(self) -> Iterator[ox.Quad]: ...
    def query(self, sparql: str, bindings: dict[str, OxTerm]) -> QueryResult: ...
    def __len__(self) -> int: ...
    def close(self) -> None: ...


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class OxigraphBackend:
    """pyoxigraph ``Store``: in memory, or persisted in a folder (RocksDB), reopened without parsing."""

    name = "oxigraph"

    def __init__(self, path: Path | None = None):
        try:
            self.store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        self.path = path

    #: Loads RDF files with the store's own parser (``files`` of :meth:`replace_graphs`).
    loads_files = True

    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: list[ox.Quad] = (), files: list = ()
    ) -> None:
        """Replace each named graph by its new quads and add ``additions``; on failure, the
        previous content is restored. ``files`` (:class:`~impactkg.loaders.rdf.RdfFile`) are
        RDF files whose graphs are replaced by their content, parsed by the store."""
        from impactkg.loaders.rdf import load_file

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
        if self._has_graph(graph):
            self.store.remove_graph(ox.NamedNode(graph))

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.store.quads_for_pattern(None, None, None, None))

    def query(self, sparql: str, bindings: dict[str, OxTerm]) -> QueryResult:
        functions = {ox.NamedNode(PARAM_NS + k): (lambda v=v: v) for k, v in bindings.items()}
        try:
            text = with_param_binds(sparql, list(bindings))
            res = self.store.query(
                text, prefixes=PREFIXES, use_default_graph_as_union=True, custom_functions=functions
            )
            return _from_ox(res)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {_one_line(exc)}") from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {_one_line(exc)}") from None

    def dump(self, output: IO[bytes], fmt: str) -> None:
        rdf_format, keeps_graphs = FORMATS[fmt]
        prefixes = dict(PREFIXES) if fmt in ("ttl", "trig") else None
        if keeps_graphs and prefixes:
            self.store.dump(output, rdf_format, prefixes=prefixes)
        elif keeps_graphs:
            self.store.dump(output, rdf_format)
        elif fmt in ("ttl", "nt"):
            self._dump_union(output, rdf_format, prefixes)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self.quads())
            ox.serialize(_dedupe(triples), output, rdf_format, prefixes=prefixes)

    def _dump_union(self, output: IO[bytes], rdf_format: ox.RdfFormat, prefixes: dict | None) -> None:
        """The union of the graphs as Turtle or N-Triples, each triple once: the largest graph is
        written by the store's serializer, then the triples of the other graphs that were not
        written yet (a million triples in one graph take one second, not five)."""
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [
            g for g in (*self.store.named_graphs(), ox.DefaultGraph())
            if next(iter(self.store.quads_for_pattern(None, None, None, g)), None) is not None
        ]
        if len(graphs) > 1:
            sizes = {
                row[0].value: int(row[1].value)
                for row in self.store.query(
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
                )
            }
            graphs.sort(key=lambda g: -sizes.get(getattr(g, "value", ""), 0))
            if 2 * sizes.get(getattr(graphs[0], "value", ""), 0) < len(self.store):
                # No graph holds most of the triples: every triple goes through the set.
                triples = (q.triple for q in self.quads())
                ox.serialize(_dedupe(triples), output, rdf_format, prefixes=prefixes)
                return
        if not graphs:
            return
        largest, rest = graphs[0], graphs[1:]
        self.store.dump(output, rdf_format, from_graph=largest, prefixes=prefixes)
        if not rest:
            return
        seen: set[ox.Triple] = set()
        triples = []
        for g in rest:
            for q in self.store.quads_for_pattern(None, None, None, g):
                t = q.triple
                if t not in seen and ox.Quad(q.subject, q.predicate, q.object, largest) not in self.store:
                    seen.add(t)
                    triples.append(t)
        if triples:
            text = ox.serialize(triples, None, rdf_format, prefixes=prefixes)
            # The prefixes are declared once, at the start of the document.
            while text.startswith(b"@prefix "):
                text = text[text.index(b"\n") + 1 :]
            output.write(text)

    @property
    def rdflib(self) -> rdflib.Dataset:
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self.store), default_union=True)

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if self.path is not None:
            self.store.flush()
        del self.store


class RdflibBackend:
    """rdflib's memory ``Dataset``: a fallback where pyoxigraph cannot be used."""

    name = "rdflib"

    def __init__(self) -> None:
        self.dataset = rdflib.Dataset(default_union=True)

    def replace_graphs(self, graphs: dict[str, list[ox.Quad]], additions: list[ox.Quad] = ()) -> None:
        for q in additions:
            self.dataset.graph(to_rdflib(q.graph_name)).add(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            )
        for g, quads in graphs.items():
            self.drop_graph(g)
            ctx = self.dataset.graph(rdflib.URIRef(g))
            for q in quads:
                ctx.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))

    def drop_graph(self, graph: str) -> None:
        self.dataset.remove_graph(rdflib.URIRef(graph))

    def graph_names(self) -> list[str]:
        return sorted(
            str(c.identifier)
            for c in self.dataset.contexts()
            if isinstance(c.identifier, rdflib.URIRef)
            and len(c)
            and str(c.identifier) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
        )

    def quads(self) -> Iterator[ox.Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            graph = to_ox(g.identifier if hasattr(g, "identifier") else g)
            if graph is None or str(graph.value) == str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID):
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o))
            else:
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)

    def query(self, sparql: str, bindings: dict[str, OxTerm]) -> QueryResult:
        init = {k: to_rdflib(v) for k, v in bindings.items()}
        try:
            res = self.dataset.query(_prologue() + sparql, initBindings=init)
            if res.type == "ASK":
                return QueryResult(kind="ask", boolean=bool(res.askAnswer))
            if res.type == "SELECT":
                variables = [str(v) for v in res.vars]
                return QueryResult(kind="select", variables=variables, rows=[tuple(r) for r in res])
            return QueryResult(kind="graph", triples=[tuple(t) for t in res])
        except Exception as exc:  # rdflib raises pyparsing and assorted errors
            raise QueryError(f"invalid or failing SPARQL: {_one_line(exc)}") from None

    def dump(self, output: IO[bytes], fmt: str) -> None:
        rdf_format, keeps_graphs = FORMATS[fmt]
        quads: Iterable = self.quads()
        if keeps_graphs:
            ox.serialize(quads, output, rdf_format)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            ox.serialize(_dedupe(triples), output, rdf_format)

    @property
    def rdflib(self) -> rdflib.Dataset:
        return self.dataset

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))

    def close(self) -> None:
        pass


def _dedupe(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t


def _from_ox(res) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(res))
    # A term repeated in the result (a unit, a label, a class) is converted once: rdflib terms are
    # immutable, and building them (rdflib.Literal parses its value) is most of a large result's cost.
    cache: dict[OxTerm, object] = {}

    def convert(term: OxTerm | None):
        if term is None:
            return None
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib(term)
        return found

    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [tuple(map(convert, sol)) for sol in res]
        return QueryResult(kind="select", variables=variables, rows=rows)
    triples = [(convert(t.subject), convert(t.predicate), convert(t.object)) for t in res]
    return QueryResult(kind="graph", triples=triples)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def make_backend(name: str = "oxigraph", path: Path | None = None, **remote) -> Backend:
    """Create a back end by name: ``"oxigraph"`` (optionally on disk at ``path``), ``"rdflib"``, or
    ``"remote"`` (a SPARQL 1.1 server: ``query_url=``, ``update_url=``, ``auth=``)."""
    if name == "remote":
        from impactkg.graph.backends.remote import RemoteBackend

        return RemoteBackend(**remote)
    if name == "oxigraph":
        return OxigraphBackend(path)
    if name == "rdflib":
        if path is not None:
            raise StoreError(
                "the rdflib back end is in memory only; use the oxigraph back end for --store"
            )
        return RdflibBackend()
    raise StoreError(f"unknown back end {name!r}: use 'oxigraph', 'rdflib' or 'remote'")
