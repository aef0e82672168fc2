"""The knowledge graph: the one door through which every reader and writer goes (the Python API,
the command line, the SPARQL endpoint, the pages, maps and exports).

A :class:`KnowledgeGraph` sits on a back end (an Oxigraph store in memory or in a folder, queried in
process or by killable worker processes; or a remote SPARQL server) and decides, the same way for
every caller, what a query or update means:

- **Dataset** (SPARQL 1.1 Query section 13, Protocol section 2.1.4): with no ``FROM`` in the text
  and no ``default_graph_uri``/``named_graph_uri``, the default graph is the union of the named
  graphs (a triple stated in two graphs is seen twice: use ``DISTINCT``); ``FROM``/``FROM NAMED``
  give the query's own dataset; the arguments, when given, define it and take precedence. A graph
  named there that the store does not hold is an error, never an empty answer.
- **Updates** read the same union in their ``WHERE`` and write as
  :mod:`impactkg.graph.sparql.update` says (reserved graphs need ``force``).
- **Remote data**: ``SERVICE`` and ``LOAD`` reach only hosts on ``allow_hosts``.
- **Limits**: nesting depth and size of the text (:mod:`impactkg.graph.sparql.text`), ``timeout``
  and ``max_results`` per call.

>>> kg = KnowledgeGraph.memory()
>>> summary = kg.build()
>>> [r["unit"].toPython() for r in kg.query("indicators-for-target", target="11.b")][:3]
['分', '㎡', '㎡']
>>> kg.query("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/impactkg/graph/ontology> WHERE { ?s ?p ?o }").dicts()[0]["n"] > 800
True
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import QueryError, StoreError, TimeLimit
from impactkg.graph.backends import FORMATS, Backend, QueryRequest, make_backend
from impactkg.graph.backends.versions import Server, StoreFolder
from impactkg.graph.files import write_atomically
from impactkg.graph.loading import Loading
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.summaries import LoadSummary, Stats

STORE_ENV = "IMPACTKG_STORE"
#: A remote SPARQL server instead of a local store: query URL, update URL, credentials.
ENDPOINT_ENV = "IMPACTKG_ENDPOINT"
UPDATE_ENDPOINT_ENV = "IMPACTKG_UPDATE_ENDPOINT"
USER_ENV, PASSWORD_ENV = "IMPACTKG_USER", "IMPACTKG_PASSWORD"
#: Keyword arguments of :meth:`KnowledgeGraph.query` that are options, not query parameters.
QUERY_OPTIONS = ("default_graph_uri", "named_graph_uri", "base_iri", "timeout", "max_results", "params", "cancel", "params_from")


class DatasetWarning(UserWarning):
    """A graph of a query's dataset that the store does not hold (it counts as empty)."""


class StoreWarning(UserWarning):
    """What the user should know about a store as it was opened: a write that was interrupted
    (and discarded), or a store of the earlier layout left incomplete; also in
    :attr:`KnowledgeGraph.notices`."""


def default_store_dir() -> Path:
    """Where commands keep the graph when no ``--store`` is given.

    ``$IMPACTKG_STORE`` if set, else ``$XDG_DATA_HOME/impactkg/store``
    (``~/.local/share/impactkg/store``).
    """
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "impactkg" / "store"


class KnowledgeGraph(Loading):
    """An impact knowledge graph.

    Open one in memory (:meth:`memory`), in a folder (:meth:`open`, reopened without re-parsing)
    or on a SPARQL server (:meth:`remote`), :meth:`build` the embedded dataset or :meth:`load`
    your own files, then :meth:`query` it by name or with any SPARQL and :meth:`update` it.
    ``allow_hosts`` are the hosts ``SERVICE`` and ``LOAD`` may reach (none by default).
    """

    def __init__(
        self,
        backend: str | Backend = "oxigraph",
        path: Path | None = None,
        *,
        allow_hosts: Iterable[str] = (),
        **options: Any,
    ):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
        if isinstance(backend, str):
            self._backend = make_backend(backend, self.path, **options)
        else:
            self._backend = backend
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        #: What the user should know about the store as it was opened (each also a StoreWarning):
        #: an interrupted write that was discarded, or a store of the earlier layout that an
        #: interrupted write left incomplete, with how to repair it.
        self.notices: list[str] = list(getattr(self._backend, "notices", []))
        folder = getattr(self._backend, "folder", None)
        if folder is not None:
            self.notices += folder.legacy_notices(self.graphs, self.is_empty)
        for notice in self.notices:
            warnings.warn(notice, StoreWarning, stacklevel=3)

    # ------------------------------------------------------------------ opening
    @classmethod
    def memory(cls, *, allow_hosts: Iterable[str] = ()) -> KnowledgeGraph:
        """A graph in memory (Oxigraph)."""
        return cls("oxigraph", allow_hosts=allow_hosts)

    @classmethod
    def remote(
        cls,
        query_url: str,
        update_url: str | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 300.0,
        *,
        allow_hosts: Iterable[str] = (),
    ) -> KnowledgeGraph:
        """The graph on a remote SPARQL 1.1 server (Virtuoso, Oxigraph server, GraphDB, ...).

        >>> kg = KnowledgeGraph.remote("http://127.0.0.1:7878/query")  # doctest: +SKIP
        """
        return cls(
            "remote", query_url=query_url, update_url=update_url, auth=auth, timeout=timeout,
            allow_hosts=allow_hosts,
        )

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        create: bool = True,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
        workers: int = 0,
        timeout: float = 30.0,
        allow_hosts: Iterable[str] = (),
        read_only: bool = False,
    ) -> KnowledgeGraph:
        """Open the graph persisted in ``path`` (default: :func:`default_store_dir`), or, given
        ``endpoint`` (or ``$IMPACTKG_ENDPOINT`` when no path is given), the graph on that SPARQL
        server (update URL from ``update_endpoint`` or ``$IMPACTKG_UPDATE_ENDPOINT``, credentials
        from ``$IMPACTKG_USER`` and ``$IMPACTKG_PASSWORD``).

        With ``workers`` > 0 the folder's queries run in that many worker processes, each stopped
        (killed) past ``timeout`` seconds: how ``impactkg serve`` reads a store. ``read_only``
        opens the folder without its write lock, beside a process that writes it (reads see the
        store as it was when opened; a write raises StoreError).
        Raises StoreError when the folder cannot be opened.
        """
        if endpoint is None and path is None:
            endpoint = os.environ.get(ENDPOINT_ENV) or None
        if endpoint is not None:
            if path is not None:
                raise StoreError("give either a store folder or a SPARQL endpoint, not both")
            user = os.environ.get(USER_ENV)
            auth = (user, os.environ.get(PASSWORD_ENV, "")) if user else None
            update = update_endpoint or os.environ.get(UPDATE_ENDPOINT_ENV) or None
            return cls.remote(endpoint, update, auth, allow_hosts=allow_hosts)
        path = Path(path) if path is not None else default_store_dir()
        if (not create or read_only) and (not path.is_dir() or StoreFolder(path).current() is None):
            raise StoreError(f"no graph at {path}: run 'impactkg build --store {path}' first")
        if path.exists() and not path.is_dir():
            raise StoreError(f"the store must be a folder, and {path} is a file")
        if workers:
            return cls("oxigraph", path, workers=workers, timeout=timeout, allow_hosts=allow_hosts)
        return cls("oxigraph", path, allow_hosts=allow_hosts, read_only=read_only)

    @property
    def backend(self) -> str:
        """The name of the back end in use (``oxigraph`` or ``remote``)."""
        return self._backend.name

    @property
    def location(self) -> str:
        """Where the graph lives: the store folder, the SPARQL endpoint URL, or ``memory``."""
        if self.path is not None:
            return str(self.path)
        return self._backend.location

    @property
    def rdflib(self) -> Any:  # -> rdflib.Dataset
        """The graph as an rdflib ``Dataset`` (through oxrdflib for the Oxigraph back end)."""
        return self._backend.rdflib

    @property
    def served_by(self) -> Server | None:
        """The ``impactkg serve`` that serves this store folder (and is its one writer), when this
        graph was opened beside it: it is then read-only, and a write raises StoreError saying
        how to load through the server."""
        return getattr(self._backend, "served_by", None)

    def serving(self, url: str, updates: bool) -> contextlib.AbstractContextManager:
        """For ``impactkg serve``: while the block runs, the store folder records that the server
        at ``url`` serves it (``serving.json``: address, pid, whether it takes ``updates``), so
        that another process that would write it is told where to load instead."""
        folder = getattr(self._backend, "folder", None)
        return folder.serving(url, updates) if folder is not None else contextlib.nullcontext()

    def worker_pids(self) -> list[int]:
        """Process ids of the query workers (empty when queries run in this process)."""
        pids = getattr(self._backend, "worker_pids", None)
        return pids() if pids else []

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._backend)

    def is_empty(self) -> bool:
        """Whether the store holds no quad; asks the back end for one quad, not for the count
        (counting reads every quad: about 0.1 s at 10^6 quads)."""
        return self._backend.is_empty()

    # ------------------------------------------------------------------ querying
    def query(
        self,
        name_or_text: str,
        /,
        params: Mapping[str, Any] | None = None,
        *,
        default_graph_uri: str | Sequence[str] | None = None,
        named_graph_uri: str | Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
        params_from: str | None = None,
        cancel: Callable[[], bool] | None = None,
        **kwparams: Any,
    ) -> QueryResult:
        """Run a named query (``"indicators-for-target"``), a ``.rq`` file path, or SPARQL text.

        Parameters (``params`` and any other keyword) are bound as typed RDF terms inside the
        engine, never pasted into the query text. ``default_graph_uri``/``named_graph_uri`` give
        the dataset as the SPARQL Protocol does (see the module); ``base_iri`` resolves relative
        IRIs (a ``.rq`` file's own IRI by default); more than ``max_results`` rows or triples
        raise TooLarge. ``params_from`` names the named query that SPARQL text is an edited copy
        of: its typed parameters bind ``params`` into the text (see
        :func:`impactkg.queries.prepare`). Returns a
        :class:`~impactkg.graph.sparql.results.QueryResult`.

        ``timeout`` (seconds, counted from the call: the checks of the text are inside it) raises
        TimeLimit. What happens to the work: with query workers (``open(path, workers=N)``, how
        ``impactkg serve`` reads) the worker is killed, so the evaluation really ends; in this
        process (``memory()``, ``open(path)``) pyoxigraph cannot stop it, so **the call stops
        waiting** and the evaluation finishes on its own thread in the background, its result
        dropped; on a remote server the HTTP request is given up and the server decides. Ctrl-C
        (KeyboardInterrupt) reaches the caller within 0.05 s in every case, with the same effect
        on the work. ``cancel``, a callable polled while waiting, stops the same way when it
        returns True (Cancelled). Every query runs where a deep text cannot crash the caller (a
        thread with a large stack, see :mod:`impactkg.graph.backends.stack`).

        Raises QueryError (with one readable line) for an unknown query, a bad parameter, invalid
        SPARQL, a text past the limits of :mod:`impactkg.graph.sparql.text`, an update, or a graph
        the store does not hold; Refused for remote data.
        """
        from impactkg.queries import check_references, prepare

        started = time.monotonic()
        values = {**(params or {}), **kwparams}
        prepared = prepare(name_or_text, values, params_from=params_from)
        check_references(prepared, self._lookup)
        request = self.request(
            prepared.text,
            prepared.bindings,
            default_graph_uri=default_graph_uri,
            named_graph_uri=named_graph_uri,
            base_iri=base_iri or prepared.base_iri,
            timeout=timeout,
            max_results=max_results,
            cancel=cancel,
            started=started,
        )
        result = self._run(request)
        result.title = prepared.title
        return result

    def _run(self, request: QueryRequest) -> QueryResult:
        result = self._backend.query(request)
        result.warnings = list(request.warnings)
        for message in request.warnings:
            warnings.warn(message, DatasetWarning, stacklevel=3)
        return result

    def request(self, text: str, bindings: Mapping[str, Any] | None = None, **options: Any) -> QueryRequest:
        """The checked :class:`~impactkg.graph.backends.QueryRequest` for query ``text``, its
        dataset and limits decided by :func:`impactkg.graph.sparql.dataset.request` (its checks
        inside ``timeout``; ``cancel`` and ``started`` as there)."""
        from impactkg.graph.sparql.dataset import request

        return request(text, bindings, graphs=self.graphs, allow_hosts=self.allow_hosts, **options)

    def sparql(self, text: str, bindings: Mapping[str, Any] | None = None, **options: Any) -> QueryResult:
        """Run SPARQL text, binding variables to rdflib or pyoxigraph terms (no named-query
        parameter types); ``options`` as for :meth:`query`."""
        return self._run(self.request(text, bindings, **options))

    def update(
        self,
        text: str,
        *,
        using_graph_uri: str | Sequence[str] | None = None,
        using_named_graph_uri: str | Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        force: bool = False,
    ) -> None:
        """Run a SPARQL 1.1 Update as one transaction, with impactkg's dataset (the ``WHERE`` reads
        the union of the named graphs; see :mod:`impactkg.graph.sparql.update` for where it
        writes). ``using_graph_uri``/``using_named_graph_uri`` are the Protocol's; a reserved
        graph needs ``force``. Raises QueryError (invalid update, conflicting dataset), Refused
        (reserved graph, remote LOAD), TimeLimit.
        """
        from impactkg.graph.sparql.dataset import check_remote_text, iris
        from impactkg.graph.sparql.text import form_of, tokens
        from impactkg.graph.sparql.update import rewrite
        from impactkg.ontology import PREFIXES

        started = time.monotonic()
        toks = tokens(text)
        if form_of(toks) != "update":
            raise QueryError("this is a query, not an update: run it with query (impactkg query, kg.query)")
        # SERVICE in a WHERE, and LOAD, reach other hosts: only those on the allow-list.
        check_remote_text(text, toks, ("SERVICE", "LOAD"), dict(PREFIXES), self.allow_hosts)
        using = iris(using_graph_uri, "using-graph-uri")
        using_named = iris(using_named_graph_uri, "using-named-graph-uri")
        rewritten = rewrite(
            text, self.graphs(), using_graph_uri=using, using_named_graph_uri=using_named,
            force=force, allow_hosts=self.allow_hosts,
        )
        left = None if timeout is None else timeout - (time.monotonic() - started)
        if left is not None and left <= 0:
            raise TimeLimit(f"checking the update took longer than its time limit of {timeout:g} s")
        self._backend.update(rewritten, base_iri, left)
        self._write_meta()

    def graphs(self) -> list[str]:
        """The named graphs, sorted."""
        return self._backend.graph_names()

    def _write_meta(self) -> None:
        write_meta = getattr(self._backend, "write_meta", None)
        if write_meta is not None and not getattr(self._backend, "_staging", 0):
            write_meta()

    # ------------------------------------------------------------------ checking
    def validate(self, shapes: str | Path | None = None, *, progress: Callable[[str], None] | None = None):
        """Validate the graph against the SHACL shapes; returns a ValidationReport
        (see :func:`impactkg.graph.analysis.validate.validate`; ``progress`` is told each shape)."""
        from impactkg.graph.analysis.validate import validate

        return validate(self, shapes, progress=progress)

    def stats(self) -> Stats:
        """Quads, triples per named graph and instances per class."""
        per_graph = self.sparql(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        per_class = self.sparql(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
        )
        return Stats(
            quads=len(self),
            graphs={g.value: int(n.value) for g, n in per_graph.terms},  # type: ignore[union-attr]
            classes={c.value: int(n.value) for c, n in per_class.terms},  # type: ignore[union-attr]
        )

    # ------------------------------------------------------------------ exporting
    def export(
        self, output: str | Path | IO[bytes], fmt: str | None = None, *, graphs: bool = False, **selection: Any
    ) -> str:
        """Write the graph as ``fmt`` (default: from the file's suffix; ``ttl`` for a stream) and
        return one line saying what was written (for a whole-graph RDF file: how, and its size).

        RDF of the whole graph: ``ttl``, ``nt``, ``xml`` (RDF/XML) and ``jsonld`` write the union
        of the named graphs, each triple once; ``nq`` and ``trig`` keep the named graphs, and so
        does ``jsonld`` with ``graphs=True``. With a selection (``query=``, ``params=``,
        ``domain=``, ``focus=``, ``depth=``) or another format (graph files, tables, figures,
        the catalogue workbook), the rules of :func:`impactkg.graph.export.write.export` apply.
        Raises ExportError/StoreError for a format or combination that cannot be written,
        QueryError for a value RDF/XML cannot carry.
        """
        if not isinstance(output, str | Path):
            fmt = fmt or "ttl"
            if fmt not in FORMATS:
                raise StoreError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")
            self._backend.dump(output, self._dump_format(fmt, graphs))
            return f"wrote the graph as {fmt}"
        from impactkg.graph.export.write import export, format_of

        name = format_of(output, fmt)
        if selection or name not in FORMATS:
            return export(self, output, name, graphs=graphs, **selection)
        write_atomically(output, lambda fh: self._backend.dump(fh, self._dump_format(name, graphs)), StoreError)
        # The file's size, not a count of the quads: counting reads the whole store again (80 ms at
        # 10^6 quads, a tenth of the writing), and a union writes a triple of two graphs once.
        what = "named graphs kept" if self._dump_format(name, graphs) in ("nq", "trig", "jsonld-graphs") \
            else "the union of the named graphs, each triple once"
        return f"wrote the graph ({what}) as {name} to {output}: {Path(output).stat().st_size:,} bytes"

    @staticmethod
    def _dump_format(fmt: str, graphs: bool) -> str:
        if graphs and not FORMATS[fmt][1]:
            if fmt != "jsonld":
                raise StoreError(f"{fmt} has no named graphs: use nq, trig or jsonld to keep them")
            return "jsonld-graphs"
        return fmt

    def quads(self) -> Iterable[ox.Quad]:
        """Every quad, as pyoxigraph terms."""
        return self._backend.quads()

    def canonical_nquads(self) -> list[str]:
        """Every quad as a sorted list of N-Quads lines (for comparing stores exactly)."""
        return sorted(str(q) for q in self.quads())


__all__ = ["KnowledgeGraph", "LoadSummary", "Stats", "default_store_dir", "QueryError"]
