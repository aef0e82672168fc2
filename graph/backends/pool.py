"""An Oxigraph store in a folder whose queries run in worker processes, within a time limit that
really stops them.

pyoxigraph cannot cancel a query, so each query runs in a worker process that has opened the store
read-only (``pyoxigraph.Store.read_only``); a worker still busy at the deadline is killed
(SIGKILL) and a fresh one started in its place: no thread is left evaluating. The serving process
is the store's one writer (it holds ``write.lock``, see :mod:`.versions`). An update runs with
every reader closed, in a process of its own (killed past the deadline; Oxigraph applies an update
as one transaction, so nothing is then written). A load builds the next version of the store in
this process while the readers go on answering from the version in use; when it is complete the
readers reopen on it. This is how ``impactkg serve`` reads a local store: the store decides how a
query runs, the server only speaks HTTP.

>>> QueryRequest("ASK { }").max_results is None
True
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import Busy, Cancelled, ImpactKGError, QueryError, StoreError, TimeLimit
from impactkg.graph.backends import QueryRequest
from impactkg.graph.backends.oxigraph import OxigraphBackend, dump_store, run_query
from impactkg.graph.backends.versions import StoreFolder
from impactkg.graph.sparql.results import QueryResult

#: Seconds a query may wait for a free worker (waiting burns no CPU and does not count in the
#: time limit).
QUEUE_WAIT = 30.0
#: Seconds between two looks at the deadline and at ``cancel`` while waiting.
SLICE = 0.05


def _error(name: str, message: str) -> ImpactKGError:
    import impactkg.errors as errors

    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, ImpactKGError)):
        cls = QueryError
    return cls(message)


def _open_current(folder: StoreFolder) -> tuple[ox.Store, Any]:
    """The version of the store in use, opened read-only, and the lock that keeps it there."""
    version = folder.current()
    if version is None:
        raise StoreError(f"no graph at {folder.root}")
    hold = folder.hold(version)
    return ox.Store.read_only(str(version)), hold


def _reader(path: str, conn: Any) -> None:
    """A worker: answers requests on a read-only store until told to stop or the parent goes, on
    a thread with a large stack (:mod:`.stack`: the engine recurses over the query text).
    ``path`` is the store folder; each (re)open reads the version in use."""
    import signal

    from impactkg.graph.backends.stack import start_thread

    # Ctrl-C in a terminal reaches the whole process group: the parent decides what stops (it
    # kills a worker whose query it gives up, and closes the pool when it ends).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_thread(lambda: _serve(path, conn), "impactkg-worker").join()


def _serve(path: str, conn: Any) -> None:
    folder = StoreFolder(path)
    store: ox.Store | None
    store, hold = _open_current(folder)
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if msg == "close":
            store = None
            if hold is not None:
                hold.close()
            conn.send(("closed", None))
            continue
        if msg == "reopen":
            store, hold = _open_current(folder)
            conn.send(("ready", None))
            continue
        try:
            if store is None:
                raise QueryError("the query worker's store is closed for a write: try again")
            conn.send(("ok", run_query(store, msg)))
        except ImpactKGError as exc:
            conn.send((type(exc).__name__, str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the client as one line
            conn.send(("QueryError", f"query failed: {type(exc).__name__}: {exc}"))


def _writer(path: str, text: str, base_iri: str | None, conn: Any) -> None:
    """Run one update on the store opened read-write (on behalf of the parent, which holds the
    store's write lock), then flush and exit."""
    try:
        backend = OxigraphBackend(Path(path), locked=True)
        backend.update(text, base_iri)
        backend.close()
        conn.send(("ok", None))
    except ImpactKGError as exc:
        conn.send((type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the client as one line
        conn.send(("QueryError", f"update failed: {' '.join(str(exc).split())}"))


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any


class ProcessPool:
    """``size`` worker processes on the store at ``path``, each query bounded by ``timeout`` s."""

    def __init__(self, path: str | Path, size: int = 2, timeout: float = 30.0):
        self.path = str(path)
        self.size = max(1, size)
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        #: Idle workers, and the requests waiting for one, first come first served.
        self._free: list[_Worker] = []
        self._waiting: collections.deque[tuple[threading.Event, list[_Worker]]] = collections.deque()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._give(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_reader, args=(self.path, child), daemon=True)
        proc.start()
        child.close()
        try:
            ready = parent.poll(60) and parent.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            proc.kill()
            proc.join(10)
            raise StoreError(
                f"a query worker could not open the store at {self.path} (workers are started afresh: "
                "a script that opens a store with workers must do so under if __name__ == '__main__':)"
            )
        w = _Worker(proc, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` and start a fresh worker in its place (in the background)."""
        with self._lock:
            self._all.discard(w)
        with contextlib.suppress(OSError, ValueError):
            w.process.kill()
        w.process.join(10)
        w.conn.close()

        def respawn() -> None:
            if not self._closed:
                self._give(self._start())

        threading.Thread(target=respawn, daemon=True).start()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._all)

    def _give(self, w: _Worker) -> None:
        """A worker is free: to the request that has waited longest, else to the idle ones."""
        with self._lock:
            if self._waiting:
                event, box = self._waiting.popleft()
                box.append(w)
                event.set()
            else:
                self._free.append(w)

    def _take(self, wait: float, cancel: Any = None, busy: str = "") -> _Worker:
        """A free worker, in the order requests came (so that no request waits behind later ones:
        the latency of a busy endpoint stays even). Raises Busy after ``wait`` seconds and
        Cancelled when ``cancel()`` turns true meanwhile."""
        with self._lock:
            if self._free and not self._waiting:
                return self._free.pop()
            event = threading.Event()
            box: list[_Worker] = []
            self._waiting.append((event, box))
        deadline = time.monotonic() + wait
        while not event.wait(SLICE):
            gone = cancel is not None and cancel()
            if gone or time.monotonic() >= deadline:
                with self._lock:
                    if not box:
                        self._waiting.remove((event, box))
                        if gone:
                            raise Cancelled("the query was cancelled while it waited for a worker: whoever "
                                            "asked has gone")
                        raise Busy(busy or f"every query worker stayed busy for {wait:g} s: try again later")
                break  # handed a worker just now
        return box[0]

    def run(self, req: QueryRequest) -> QueryResult:
        """Run ``req`` in a worker. Past its time limit (counted from ``req.started``, so the
        door's checks are inside it), on ``req.cancel()`` and on KeyboardInterrupt the worker is
        killed (and replaced): the evaluation really ends. Raises TimeLimit, Cancelled, Busy."""
        limit = self.timeout if req.timeout is None else req.timeout
        remaining = req.remaining()
        left = limit if remaining is None else remaining
        if left <= 0:
            raise TimeLimit(f"the query ran past the time limit of {limit:g} s before it could start")
        w = self._take(max(QUEUE_WAIT, limit), req.cancel)
        try:
            w.conn.send(req)
            deadline = time.monotonic() + left
            while not w.conn.poll(min(SLICE, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    self._replace(w)
                    raise TimeLimit(f"the query ran past the time limit of {limit:g} s and was stopped")
                if req.cancel is not None and req.cancel():
                    self._replace(w)
                    raise Cancelled("the query was stopped: whoever asked for it has gone")
            status, payload = w.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(w)
            raise QueryError("the query worker stopped unexpectedly; the query was not answered") from None
        except (TimeLimit, Cancelled):
            raise
        except BaseException:  # KeyboardInterrupt, or anything else mid-conversation: stop the work
            self._replace(w)
            raise
        self._give(w)
        if status == "ok":
            return payload
        raise _error(status, payload)

    @contextlib.contextmanager
    def readers_closed(self, timeout: float | None = None) -> Iterator[None]:
        """Hold every worker, with its store closed, for the time of a write."""
        limit = self.timeout if timeout is None else timeout
        held: list[_Worker] = []
        deadline = time.monotonic() + limit
        try:
            while len(held) < self.size:
                left = deadline - time.monotonic()
                held.append(self._take(max(0.05, left), busy=f"the store stayed busy for {limit:g} s: try the write again"))
            for w in held:
                w.conn.send("close")
                w.conn.recv()
            yield
        finally:
            for w in held:
                try:
                    w.conn.send("reopen")
                    w.conn.recv()
                    self._give(w)
                except (EOFError, OSError):
                    self._replace(w)

    def update(self, folder: StoreFolder, text: str, base_iri: str | None = None,
               timeout: float | None = None) -> None:
        """Run an update in a writer process of its own, on the next version of the store (the
        readers answer from the version in use meanwhile); past ``timeout`` it is killed and its
        unfinished version discarded (nothing is written). The readers then reopen on the new
        version."""
        limit = self.timeout if timeout is None else timeout
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_writer, args=(self.path, text, base_iri, child), daemon=True)
        proc.start()
        child.close()
        try:
            finished = parent.poll(limit)
        except BaseException:  # Ctrl-C: the update is killed, its unfinished version discarded
            proc.kill()
            proc.join(10)
            folder.recover()
            raise
        if not finished:
            proc.kill()
            proc.join(10)
            folder.recover()
            raise TimeLimit(f"the update ran past the time limit of {limit:g} s and was stopped")
        try:
            status, payload = parent.recv()
        except (EOFError, OSError):
            proc.join(10)
            folder.recover()
            raise QueryError("the update's process stopped unexpectedly; nothing was written") from None
        proc.join(10)
        if status != "ok":
            raise _error(status, payload)
        with self.readers_closed():
            pass

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        for w in workers:
            w.process.join(2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(5)


class PoolBackend:
    """The Oxigraph store at ``path`` read by ``workers`` worker processes (see the module)."""

    name = "oxigraph"
    loads_files = True

    def __init__(self, path: Path, workers: int = 2, timeout: float = 30.0, **_: Any):
        self.path = Path(path)
        self.folder = StoreFolder(self.path)
        # The serving process is the store's one writer for as long as it serves.
        self.folder.lock_writer()
        try:
            # Create the store if needed (and discard what an interrupted write left), then let
            # the readers have it.
            first = OxigraphBackend(self.path, locked=True)
            self.notices = first.notices
            first.close()
            self.pool = ProcessPool(self.path, workers, timeout)
        except BaseException:
            self.folder.unlock_writer()
            raise
        self._session: OxigraphBackend | None = None
        #: One write at a time (the server's threads share this back end).
        self._writing = threading.RLock()

    @property
    def location(self) -> str:
        return str(self.path)

    def query(self, request: QueryRequest) -> QueryResult:
        if self._session is not None:
            return self._session.query(request)
        return self.pool.run(request)

    def update(self, text: str, base_iri: str | None = None, timeout: float | None = None) -> None:
        with self._writing:
            if self._session is not None:
                self._session.update(text, base_iri, timeout)
                return
            self.pool.update(self.folder, text, base_iri, timeout)
            self.folder.tidy()

    @contextlib.contextmanager
    def staged(self) -> Iterator[None]:
        """Group writes into one new version (see :meth:`OxigraphBackend.staged`): the readers go
        on answering from the version in use, and switch to the new one when it is complete."""
        with self._writing:
            if self._session is not None:
                with self._session.staged():
                    yield
                return
            backend = OxigraphBackend(self.path, locked=True)
            self._session = backend
            try:
                with backend.staged():
                    yield
            finally:
                self._session = None
                backend.close()
            self._switch()

    def _switch(self) -> None:
        """Every reader reopens the store on the version now in use; the old one goes."""
        with self.pool.readers_closed():
            pass
        self.folder.tidy()

    def _write(self, action: Callable[[OxigraphBackend], None]) -> None:
        with self._writing:
            if self._session is not None:
                action(self._session)
                return
            backend = OxigraphBackend(self.path, locked=True)
            try:
                action(backend)
            finally:
                backend.close()
            self._switch()

    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: Iterable[ox.Quad] = (), files: Iterable = (),
        cleared: set[str] | None = None,
    ) -> None:
        self._write(lambda b: b.replace_graphs(graphs, additions, files, cleared))

    #: A load streams into the next version (inside :meth:`staged`).
    streams = True

    def clear_graphs(self, names: Iterable[str]) -> None:
        if self._session is None:
            raise StoreError("graphs are emptied in chunks only inside a staged write")
        self._session.clear_graphs(names)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        if self._session is None:
            raise StoreError("quads are added in chunks only inside a staged write")
        self._session.add(quads)

    def drop_graph(self, graph: str) -> None:
        self._write(lambda b: b.drop_graph(graph))

    def write_meta(self) -> None:
        self.folder.write_meta(self.graph_names())

    def graph_names(self) -> list[str]:
        if self._session is not None:
            return self._session.graph_names()
        res = self.query(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False))
        return sorted(row[0].value for row in res.terms if isinstance(row[0], ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        store, hold = _open_current(self.folder)
        try:
            yield from store.quads_for_pattern(None, None, None, None)
        finally:
            if hold is not None:
                hold.close()

    def dump(self, output: IO[bytes], fmt: str) -> None:
        store, hold = _open_current(self.folder)
        try:
            dump_store(store, output, fmt)
        finally:
            if hold is not None:
                hold.close()

    @property
    def rdflib(self) -> Any:
        import rdflib
        from oxrdflib import OxigraphStore

        store, hold = _open_current(self.folder)
        dataset = rdflib.Dataset(store=OxigraphStore(store=store), default_union=True)
        setattr(dataset, "_impactkg_hold", hold)  # noqa: B010 - the version stays while the view lives
        return dataset

    def worker_pids(self) -> list[int]:
        return self.pool.worker_pids()

    def is_empty(self) -> bool:
        """No quad in any graph (an ASK, not a count)."""
        if self._session is not None:
            return self._session.is_empty()
        text = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        return not self.query(QueryRequest(text, union=False)).boolean

    def __len__(self) -> int:
        if self._session is not None:
            return len(self._session)
        text = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        res = self.query(QueryRequest(text, union=False))
        return int(res.terms[0][0].value)  # type: ignore[union-attr]

    def close(self) -> None:
        self.pool.close()
        self.folder.unlock_writer()
