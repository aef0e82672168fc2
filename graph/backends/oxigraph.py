"""The Oxigraph store (pyoxigraph ``Store``): in memory, or in a folder (RocksDB), reopened without
parsing. :func:`run_query` is how every Oxigraph query runs, in this process or in a worker.

>>> b = OxigraphBackend()
>>> b.query(QueryRequest("ASK { }")).boolean
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import QueryError, StoreError, TimeLimit, TooLarge
from impactkg.graph.backends import FORMATS, QueryRequest, stack
from impactkg.graph.backends.versions import Server, StoreFolder, kill_point
from impactkg.graph.sparql.diagnose import explain
from impactkg.graph.sparql.formats import write_rdf
from impactkg.graph.sparql.params import PARAM_NS, with_param_binds
from impactkg.graph.sparql.results import QueryResult
from impactkg.ontology import PREFIXES

#: Below this many quads removed, graphs are removed in place in the staged version; above it
#: (and above a third of what stays), what stays is copied into an empty version instead.
COPY_ABOVE = 50_000
#: Lists of quads at least this long go to the bulk loader (its own files on disk); shorter ones
#: to one transaction (in memory, flushed once at the end of the write).
BULK_ABOVE = 10_000


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
        res = store.query(with_param_binds(req.text, tuple(req.bindings)), **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            if cap is None:
                rows: list[tuple] = [tuple(sol) for sol in res]
            else:
                rows = []
                for sol in res:
                    if len(rows) == cap:
                        raise TooLarge(too_large(cap, "rows"))
                    rows.append(tuple(sol))
            return QueryResult.of_terms("select", variables, rows)
        triples: list[ox.Triple] = []
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


#: The triples that more than one named graph holds, with each graph that holds them; each quad
#: is looked up in the other graphs (LATERAL, SEP-0006).
_SHARED = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } LATERAL { GRAPH ?h { ?s ?p ?o } FILTER(?h != ?g) } }"
#: The same with the default graph too (?g unbound), when it holds triples.
_SHARED_DEFAULT = """SELECT DISTINCT ?s ?p ?o ?g WHERE {
  { GRAPH ?g { ?s ?p ?o } LATERAL { { GRAPH ?h { ?s ?p ?o } FILTER(?h != ?g) } UNION { ?s ?p ?o } } }
  UNION
  { ?s ?p ?o LATERAL { GRAPH ?h { ?s ?p ?o } } }
}"""


def _dump_union(store: ox.Store, output: IO[bytes], rdf_format: ox.RdfFormat, prefixes: dict | None) -> None:
    """The union of the graphs as Turtle or N-Triples, each triple once: each graph is written by
    the store's serializer, except the few that hold a triple an earlier graph already wrote (found
    by one query, which looks each triple up in the other graphs), whose other triples are written
    from Python. The prefixes are declared once, at the start of the document."""
    # In the order of their names (the default graph first): the same store, the same document.
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        g for g in (ox.DefaultGraph(), *sorted(store.named_graphs(), key=str))
        if next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None
    ]
    if len(graphs) == 1:
        store.dump(output, rdf_format, from_graph=graphs[0], prefixes=prefixes or None)
        return
    shared: dict[ox.Triple, set] = {}
    solutions = store.query(_SHARED_DEFAULT if isinstance(graphs[0], ox.DefaultGraph) else _SHARED)
    assert isinstance(solutions, ox.QuerySolutions)  # the module's own SELECT
    for row in solutions:
        shared.setdefault(ox.Triple(row[0], row[1], row[2]), set()).add(row[3])
    in_graph: dict = {}
    for t, where in shared.items():
        for g in where:
            in_graph.setdefault(g, set()).add(t)
    written: set[ox.Triple] = set()
    first = True
    for g in graphs:
        mine = in_graph.get(g if not isinstance(g, ox.DefaultGraph) else None, set())
        if mine & written:
            text = ox.serialize(
                (q.triple for q in store.quads_for_pattern(None, None, None, g) if q.triple not in written),
                None, rdf_format, prefixes=prefixes or None,
            )
        else:
            text = store.dump(None, rdf_format, from_graph=g, prefixes=prefixes or None)
        assert text is not None  # written to no file: the bytes are returned
        written |= mine
        if not first:
            while text.startswith(b"@prefix "):
                text = text[text.index(b"\n") + 1 :]
        output.write(text)
        first = False


def _dedupe(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t


class OxigraphBackend:
    """pyoxigraph ``Store``: in memory, or persisted in a store folder (RocksDB versions, see
    :mod:`~impactkg.graph.backends.versions`), queried in this process.

    In a folder the version in use is opened read-only, always: a version, once in use, is never
    written again, so that other processes (``KnowledgeGraph.open(DIR, read_only=True)``, the
    server's query workers) may read it beside this one (pyoxigraph leaves a read-only open beside
    a writer of the same database undefined). Every write — a load, an update, a drop — makes the
    next version (:meth:`staged`). Opened for writing, this back end is the store's one writer
    (``write.lock``); when another process is (``impactkg serve``, a notebook), it opens
    read-only and a write raises StoreError saying who writes (the server's address and how to
    load through it). ``locked`` says the caller holds the lock already (the server's own
    writes).
    """

    name = "oxigraph"
    loads_files = True

    def __init__(self, path: Path | None = None, read_only: bool = False, locked: bool = False):
        self.path = path
        self.read_only = read_only
        #: What the user should know about the store as it was opened (an interrupted write).
        self.notices: list[str] = []
        self.served_by: Server | None = None
        self.folder: StoreFolder | None = None
        self.version: Path | None = None
        self._hold: Any = None
        self._staging = 0
        self._owns_lock = False
        self._refusal = ""
        if path is None:
            self.store = ox.Store()
            return
        folder = self.folder = StoreFolder(path)
        if not read_only and not locked:
            try:
                folder.lock_writer()
                self._owns_lock = True
            except StoreError as exc:
                # Another process writes this store (``impactkg serve``, say): the version in
                # use is safe to read beside it, a write is refused with the reason.
                self.served_by, self.read_only, self._refusal = folder.server(), True, str(exc)
        try:
            if self.read_only:
                version = folder.current()
                if version is None:
                    raise StoreError(f"no graph at {path}: run 'impactkg build --store {path}' first")
                self.notices += folder.read_notices()
            else:
                self.notices += folder.recover()
                version = folder.current()
                if version is None:  # a new store: an empty first version
                    version = folder.next_version()
                    self._open(version, writable=True)
                    self.store.flush()
                    self._release()
                    folder.commit(version)
            self._open(version)
        except BaseException:
            if self._owns_lock:
                folder.unlock_writer()
            raise

    def _open(self, version: Path, writable: bool = False) -> None:
        assert self.folder is not None
        hold = self.folder.hold(version)
        try:
            store = ox.Store(str(version)) if writable else ox.Store.read_only(str(version))
        except (OSError, RuntimeError) as exc:
            if hold is not None:
                hold.close()
            raise StoreError(f"cannot open the store at {self.path}: {_one_line(exc)}") from None
        self.store, self.version, self._hold = store, version, hold

    def _release(self) -> None:
        self.store = None  # type: ignore[assignment]  # RocksDB closes when the Store goes
        if self._hold is not None:
            self._hold.close()
            self._hold = None

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else "memory"

    def query(self, request: QueryRequest) -> QueryResult:
        """Run ``request`` on a thread with a large stack (:mod:`.stack`): past its time limit,
        on Ctrl-C or when ``request.cancel()`` turns true the caller stops waiting and the
        evaluation finishes in the background (pyoxigraph cannot stop it)."""
        store = self.store
        remaining = request.remaining()
        if remaining is not None and remaining <= 0:
            raise TimeLimit(f"the query ran past the time limit of {request.timeout:g} s before it could start")
        return stack.run(lambda: run_query(store, request), remaining, request.cancel, limit=request.timeout)

    def _writable(self) -> None:
        if self._refusal:
            raise StoreError(self._refusal)
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only: open it without read_only to change it")

    def update(self, text: str, base_iri: str | None = None, timeout: float | None = None) -> None:
        """A SPARQL update: one transaction, on the next version of a store folder, run on a
        thread with a large stack. Past ``timeout`` (or on Ctrl-C) TimeLimit is raised and the
        next version is discarded: nothing is written (in memory, pyoxigraph cannot stop the
        update, which is applied when it ends)."""
        self._writable()
        with self.staged():
            # no reference to the staged Store may outlive the block: it is closed and reopened
            # as the version in use when the block ends (two open handles corrupt it)
            stack.run(lambda: run_update(self.store, text, base_iri), timeout, what="update")

    @contextlib.contextmanager
    def staged(self) -> Iterator[None]:
        """Every write inside happens on the next version of the store folder, which becomes the
        one in use, in one step, when the block ends without an error, and is discarded
        otherwise (see :mod:`~impactkg.graph.backends.versions`). Queries inside see that
        version. In memory, and inside another staged block, it only groups the writes."""
        self._writable()
        if self.folder is None or self._staging:
            self._staging += 1
            try:
                yield
            finally:
                self._staging -= 1
            return
        folder = self.folder
        old = (self.store, self.version, self._hold)
        new = folder.next_version()
        try:
            self.store.backup(str(new))  # hard links to the immutable files: milliseconds
        except (OSError, RuntimeError) as exc:
            folder.discard(new)
            raise StoreError(f"cannot make the next version of the store at {self.path}: {_one_line(exc)}") from None
        self._hold = None  # the old version's lock stays in ``old``
        self._open(new, writable=True)
        self._staging = 1
        try:
            kill_point("staged")
            yield
            self.store.flush()
        except BaseException:
            unfinished = self.version
            self._release()
            self.store, self.version, self._hold = old
            folder.discard(unfinished)  # type: ignore[arg-type]
            raise
        finally:
            self._staging = 0
        done = self.version
        self._release()  # closed before it is in use: from now on nothing writes it
        try:
            folder.commit(done)  # type: ignore[arg-type]
        except BaseException:
            self.store, self.version, self._hold = old
            folder.discard(done)  # type: ignore[arg-type]
            raise
        previous = old[2]
        del old  # the previous version's Store goes here
        if previous is not None:
            previous.close()
        self._open(done)  # type: ignore[arg-type]
        folder.tidy(done)

    @property
    def streams(self) -> bool:
        """A load may write its quads in chunks (:meth:`clear_graphs`, :meth:`add`) inside
        :meth:`staged`: true for a store folder."""
        return self.folder is not None

    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: Iterable[ox.Quad] = (), files: Iterable = (),
        cleared: set[str] | None = None,
    ) -> None:
        """Replace each named graph by its new quads and add ``additions``, as one change: in a
        folder on the next version of the store (switched to when it is complete); in memory with
        the previous content restored on failure. ``files``
        (:class:`~impactkg.loaders.rdf.RdfFile`) are RDF files whose graphs are replaced by their
        content, parsed by the store (``bulk_load`` in a folder). Graphs in ``cleared`` were
        emptied earlier in the same staged write (a streaming load): they are added to."""
        from impactkg.loaders.rdf import load_file

        self._writable()
        files = list(files)
        names = list(dict.fromkeys([*graphs, *(g for f in files for g in f.graphs)]))
        if self.folder is not None:
            with self.staged():
                self.clear_graphs([g for g in names if g not in (cleared or ())])
                for quads in graphs.values():
                    self.add(quads)
                for f in files:
                    load_file(self.store, f, bulk=True)
                self.add([q for q in additions if q not in self.store])
                kill_point("written")
            return
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
        except BaseException:
            for g, quads in saved.items():
                if self._has_graph(g):
                    self.store.remove_graph(ox.NamedNode(g))
                self.store.extend(quads)
            for q in new:
                self.store.remove(q)
            raise

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads: in a staged version with the bulk loader (no transaction: the version is
        not in use yet), else as one transaction."""
        if self._staging and self.folder is not None and not (isinstance(quads, list) and len(quads) < BULK_ABOVE):
            self.store.bulk_extend(quads)
        else:
            self.store.extend(quads)

    def clear_graphs(self, names: Iterable[str]) -> None:
        """Remove named graphs, inside :meth:`staged`. Removing costs about three times what
        copying costs per quad (and holds the removal in memory), so when the graphs removed
        hold more than a third of what stays, what stays is copied into an empty version instead."""
        present = [g for g in names if self._has_graph(g)]
        if not present:
            return
        removed = sum(self._count(g) for g in present)
        kept = len(self.store) - removed
        if self.folder is None or not self._staging or removed < COPY_ABOVE or 3 * removed < kept:
            for g in present:
                self.store.remove_graph(ox.NamedNode(g))
            return
        folder = self.folder
        fresh = folder.next_version()
        target = ox.Store(str(fresh))
        drop = {ox.NamedNode(g) for g in present}
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [*self.store.named_graphs(), ox.DefaultGraph()]
        try:
            for name in graphs:
                if name in drop:
                    continue
                if not isinstance(name, ox.DefaultGraph):
                    target.add_graph(name)
                target.bulk_extend(self.store.quads_for_pattern(None, None, None, name))
            target.flush()
        except BaseException:
            del target
            folder.discard(fresh)
            raise
        previous = self.version
        self._release()
        folder.discard(previous)  # type: ignore[arg-type]
        self.store, self.version, self._hold = target, fresh, folder.hold(fresh)
        kill_point("copied")

    def _count(self, graph: str) -> int:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        solutions: Any = self.store.query(text)
        return int(next(iter(solutions))[0].value)

    def _has_graph(self, g: str) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(g))

    def drop_graph(self, graph: str) -> None:
        self._writable()
        if self._has_graph(graph):
            self.replace_graphs({graph: []})

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

    def is_empty(self) -> bool:
        """No quad in any graph: one quad looked up, where ``len`` reads them all."""
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def write_meta(self) -> None:
        if self.folder is not None and not self.read_only:
            self.folder.write_meta(self.graph_names())

    def close(self) -> None:
        if getattr(self, "store", None) is None:
            return
        self._release()
        if self._owns_lock and self.folder is not None:
            self.folder.unlock_writer()
            self._owns_lock = False
