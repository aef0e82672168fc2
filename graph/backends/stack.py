"""Running the query engine where it cannot take its caller down, and where its caller can stop
waiting for it.

pyoxigraph's SPARQL parser and optimiser recurse over the structure of the text: in the 8 MiB
stack of a main thread, 5,000 constant triple patterns or 10,000 ``+`` end the process with a
segmentation fault, and in a thread with a small stack (a web framework's worker, a notebook's
helper thread) far less does. :func:`run` evaluates on a thread of its own with a stack of
:data:`STACK_BYTES`, in which every text within the limits of
:mod:`impactkg.graph.sparql.text` holds with a margin of four or more (measured per pattern in
``tests/test_query_safety.py``).

The caller waits in slices of :data:`SLICE` seconds, so that Ctrl-C (``KeyboardInterrupt``)
reaches it at once, a ``timeout`` raises :class:`~impactkg.errors.TimeLimit`, and ``cancel``
(a callable that says whether whoever asked has gone) is honoured.

What happens to the work then: pyoxigraph 0.5 cannot stop an evaluation (it releases the GIL
while it runs), so **the caller stops waiting and the evaluation goes on** on its thread until it
ends, and its result is dropped. A process that exits stops it (the command line does so on
Ctrl-C and at its time limit); in a long-lived process the work still takes a core until done. A
store opened with query workers (``KnowledgeGraph.open(path, workers=N)``, what ``impactkg
serve`` does) really stops a query: its worker process is killed.

>>> run(lambda: 6 * 7)
42
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from impactkg.errors import Cancelled, TimeLimit

T = TypeVar("T")

#: The stack of the thread that runs the engine (bytes). Only the pages a query touches are
#: committed; 128 MiB holds 20,000 and more of every recursive pattern (measured).
STACK_BYTES = 128 * 1024 * 1024
#: Seconds between two looks at the clock, ``cancel`` and pending signals while waiting.
SLICE = 0.05

_stack_lock = threading.Lock()
#: Evaluations whose caller stopped waiting and which still run (see the module).
abandoned: set[threading.Thread] = set()
#: Seconds a runner thread waits for work before it ends.
IDLE = 60.0


def start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """A started daemon thread with a stack of :data:`STACK_BYTES`."""
    with _stack_lock:
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread


class _Runner:
    """A thread with a large stack that runs one piece of work after another (starting a thread
    per query would cost a quarter of a millisecond each). A runner whose work was abandoned is
    busy until that work ends; another one serves meanwhile."""

    _lock = threading.Lock()
    _idle: list[_Runner] = []

    def __init__(self) -> None:
        self.inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.thread = start_thread(self._loop, "impactkg-query")

    @classmethod
    def take(cls) -> _Runner:
        with cls._lock:
            if cls._idle:
                return cls._idle.pop()
        return cls()

    def _loop(self) -> None:
        while True:
            try:
                job = self.inbox.get(timeout=IDLE)
            except queue.Empty:
                with self._lock:
                    if self in self._idle:  # not handed work meanwhile: end
                        self._idle.remove(self)
                        return
                continue
            job()
            # Drop the work before waiting again: its closure holds the store (an idle runner
            # must not keep a closed store's files locked) and the result.
            del job
            with self._lock:
                self._idle.append(self)


def run(
    work: Callable[[], T],
    timeout: float | None = None,
    cancel: Callable[[], bool] | None = None,
    what: str = "query",
    limit: float | None = None,
) -> T:
    """``work()`` on a thread with a large stack; its result, or its exception re-raised.

    Raises TimeLimit past ``timeout`` seconds (the message names ``limit``, the caller's whole
    time limit, when given), Cancelled when ``cancel()`` turns true, and lets
    KeyboardInterrupt through; in those three cases the work goes on in the background (see the
    module) and is listed in :data:`abandoned` until it ends.
    """
    box: dict[str, object] = {}
    done = threading.Event()
    runner = _Runner.take()

    def body() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            box["error"] = exc
        finally:
            done.set()
            abandoned.discard(runner.thread)

    thread = runner.thread
    runner.inbox.put(body)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while not done.wait(SLICE):
            if deadline is not None and time.monotonic() >= deadline:
                after = "is applied when it ends" if what == "update" else "ends in the background"
                raise TimeLimit(
                    f"the {what} ran past the time limit of {limit or timeout:g} s; impactkg stopped waiting for it "
                    f"(in this process the engine cannot stop it: it {after})"
                )
            if cancel is not None and cancel():
                raise Cancelled(f"the {what} was cancelled: whoever asked for it has gone")
    except BaseException:
        if not done.is_set():
            abandoned.add(thread)
            if done.is_set():  # it ended meanwhile
                abandoned.discard(thread)
        raise
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


__all__ = ["STACK_BYTES", "abandoned", "run", "start_thread"]
