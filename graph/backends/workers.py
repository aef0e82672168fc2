"""Running the server's queries within a time limit that really stops them.

pyoxigraph cannot cancel a query, so with a local store each query runs in a worker process that
has opened the store read-only (``pyoxigraph.Store.read_only``); a worker still busy at the
deadline is killed (SIGKILL) and a fresh one started in its place: no thread is left evaluating.
Updates run in a process of their own that opens the store read-write while every reader is
closed. With a remote SPARQL server, the server evaluates and the HTTP request gives up at the
deadline: nothing here keeps working.

>>> job = Job("ASK { }")
>>> job.max_results
10000
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError, QueryError
from impactkg.graph.backends.remote import Answer, RemoteBackend
from impactkg.ontology import PREFIXES

#: Seconds a query may wait for a free worker (waiting burns no CPU; the time limit counts
#: from the start of the evaluation).
QUEUE_WAIT = 30.0


class TimeLimit(ImpactKGError):
    """The evaluation ran past its time limit and was stopped."""


class TooLarge(ImpactKGError):
    """The result has more rows (or triples) than the server hands out."""


class Busy(ImpactKGError):
    """No worker became free within the time limit."""


@dataclass
class Job:
    """One query: its text, parameters bound engine-side, the dataset and the result cap."""

    text: str
    bindings: dict[str, Any] = field(default_factory=dict)
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    max_results: int = 10000


def _too_large(n: int, what: str) -> str:
    return (
        f"the result has more than {n} {what}, the most this server returns: "
        "add a LIMIT (and OFFSET to page), or ask for less"
    )


def execute(store: ox.Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (in a worker), stopping at ``job.max_results`` + 1 rows."""
    from impactkg.graph.sparql.params import PARAM_NS, with_param_binds

    functions = {ox.NamedNode(PARAM_NS + k): (lambda v=v: v) for k, v in job.bindings.items()}
    kwargs: dict[str, Any] = {"prefixes": PREFIXES, "custom_functions": functions}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        res = store.query(with_param_binds(job.text, list(job.bindings)), **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return Answer(kind="ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = []
            for sol in res:
                if len(rows) == job.max_results:
                    raise TooLarge(_too_large(job.max_results, "rows"))
                rows.append(tuple(sol[i] for i in range(len(variables))))
            return Answer(kind="select", variables=variables, rows=rows)
        triples = []
        for t in res:
            if len(triples) == job.max_results:
                raise TooLarge(_too_large(job.max_results, "triples"))
            triples.append(t)
        return Answer(kind="graph", triples=triples)
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL: {' '.join(str(exc).split())}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"query failed: {' '.join(str(exc).split())}") from None


def _reader(path: str, conn) -> None:
    """A worker: answers jobs on a read-only store until told to stop or the parent goes."""
    store: ox.Store | None = ox.Store.read_only(path)
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
            conn.send(("closed", None))
            continue
        if msg == "reopen":
            store = ox.Store.read_only(path)
            conn.send(("ready", None))
            continue
        try:
            conn.send(("ok", execute(store, msg)))
        except ImpactKGError as exc:
            conn.send((type(exc).__name__, str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the client as one line
            conn.send(("QueryError", f"query failed: {type(exc).__name__}: {exc}"))


def _writer(path: str, text: str, conn) -> None:
    """Run one update on the store opened read-write, then flush and exit."""
    try:
        store = ox.Store(path)
        store.update(text, prefixes=PREFIXES)
        store.flush()
        conn.send(("ok", None))
    except SyntaxError as exc:
        conn.send(("QueryError", f"invalid SPARQL update: {' '.join(str(exc).split())}"))
    except Exception as exc:  # noqa: BLE001 - reported to the client as one line
        conn.send(("QueryError", f"update failed: {' '.join(str(exc).split())}"))


_ERRORS = {"QueryError": QueryError, "TooLarge": TooLarge}


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any


class ProcessPool:
    """``size`` worker processes on the store at ``path``, each query bounded by ``timeout``."""

    def __init__(self, path: str | Path, size: int = 2, timeout: float = 30.0):
        self.path = str(path)
        self.size = max(1, size)
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_reader, args=(self.path, child), daemon=True)
        proc.start()
        child.close()
        if not parent.poll(60) or parent.recv()[0] != "ready":
            proc.kill()
            raise QueryError(f"a query worker could not open the store at {self.path}")
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
                self._idle.put(self._start())

        threading.Thread(target=respawn, daemon=True).start()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._all)

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        """Run ``job`` in a worker; past ``timeout`` the worker is killed and TimeLimit raised."""
        limit = self.timeout if timeout is None else timeout
        wait = max(QUEUE_WAIT, limit)
        try:
            w = self._idle.get(timeout=wait)
        except queue.Empty:
            raise Busy(f"every query worker stayed busy for {wait:g} s: try again later") from None
        try:
            w.conn.send(job)
            if not w.conn.poll(limit):
                self._replace(w)
                raise TimeLimit(
                    f"the query ran past the time limit of {limit:g} s and was stopped"
                )
            status, payload = w.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(w)
            raise QueryError("the query worker stopped unexpectedly; the query was not answered") from None
        self._idle.put(w)
        if status == "ok":
            return payload
        raise _ERRORS.get(status, QueryError)(payload)

    def update(self, text: str, timeout: float | None = None) -> None:
        """Run an update with every reader closed; past ``timeout`` it is killed (nothing
        is written: Oxigraph applies an update as one transaction)."""
        limit = self.timeout if timeout is None else timeout
        held: list[_Worker] = []
        deadline = time.monotonic() + limit
        try:
            while len(held) < self.size:
                left = deadline - time.monotonic()
                try:
                    held.append(self._idle.get(timeout=max(0.05, left)))
                except queue.Empty:
                    raise Busy(f"the store stayed busy for {limit:g} s: try the update again") from None
            for w in held:
                w.conn.send("close")
                w.conn.recv()
            parent, child = self._ctx.Pipe()
            proc = self._ctx.Process(target=_writer, args=(self.path, text, child), daemon=True)
            proc.start()
            child.close()
            if not parent.poll(max(0.05, deadline - time.monotonic())):
                proc.kill()
                proc.join(10)
                raise TimeLimit(f"the update ran past the time limit of {limit:g} s and was stopped")
            status, payload = parent.recv()
            proc.join(10)
            if status != "ok":
                raise QueryError(payload)
        finally:
            for w in held:
                try:
                    w.conn.send("reopen")
                    w.conn.recv()
                    self._idle.put(w)
                except (EOFError, OSError):
                    self._replace(w)

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


class RemoteExecutor:
    """Queries forwarded to a remote SPARQL server; the HTTP request gives up at the deadline."""

    def __init__(self, backend: RemoteBackend, timeout: float = 30.0):
        self.backend = backend
        self.timeout = timeout

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        limit = self.timeout if timeout is None else timeout
        try:
            answer = self.backend.run(
                job.text,
                job.bindings,
                timeout=limit,
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
            )
        except QueryError as exc:
            if "did not answer within" in str(exc):
                raise TimeLimit(
                    f"the query ran past the time limit of {limit:g} s and was stopped "
                    f"(the request to {self.backend.query_url} was given up)"
                ) from None
            raise
        n = len(answer.rows) if answer.kind == "select" else len(answer.triples)
        if answer.kind != "ask" and n > job.max_results:
            what = "rows" if answer.kind == "select" else "triples"
            raise TooLarge(_too_large(job.max_results, what))
        return answer

    def update(self, text: str, timeout: float | None = None) -> None:
        from impactkg.graph.backends.remote import with_prologue

        try:
            self.backend.update(with_prologue(text), timeout=self.timeout if timeout is None else timeout)
        finally:
            self.backend.refresh()

    def worker_pids(self) -> list[int]:
        return []

    def close(self) -> None:
        self.backend.close()
