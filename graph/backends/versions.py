"""The folder of an on-disk store: versions of the Oxigraph database, switched in one step.

pyoxigraph 0.5 commits one call at a time (``Store.update``, ``Store.extend``, ``Store.load`` are
each one transaction), its one-call transactional load holds the whole file in memory, and its
fast loaders (``bulk_load``, ``bulk_extend``) are not transactions at all. A load that replaces
graphs is several calls, so it cannot be atomic in place without being slow or holding everything
in memory. impactkg therefore never changes the store in use when it replaces graphs: it builds
the next *version* of the database beside it and switches to it in one step.

Layout of a store folder ``DIR``::

    DIR/CURRENT                    the version in use: one line, e.g. ``versions/v000007``
    DIR/versions/v000007/          an Oxigraph (RocksDB) database
    DIR/versions/v000007.readers   every process that has that version open holds a shared lock here
    DIR/write.lock                 the one writer of the store holds an exclusive lock here
    DIR/serving.json               while ``impactkg serve`` serves DIR: its address and process id
    DIR/impactkg.json              what the store holds (format, graphs): informational

A write (a load, build, import, reasoning run, crosswalk change, graph drop):

1. holds ``write.lock`` (one writer per store; ``impactkg serve`` holds it while it serves);
2. makes the next version by a checkpoint of the current one (``Store.backup``: hard links to
   RocksDB's immutable files, milliseconds whatever the size);
3. changes that copy with the fast primitives: graphs removed (or, when most of the store is
   replaced, the graphs kept copied into an empty version), files given to ``bulk_load``, quads
   to ``bulk_extend`` — streamed, in bounded memory, seen by no one;
4. flushes it and writes ``CURRENT`` (a new file ``fsync``-ed and renamed over the old one, then
   the folder ``fsync``-ed): **the one step** that switches every later open to the new version;
5. removes the old version once no process has it open.

A ``kill -9`` before step 4 leaves ``CURRENT`` naming the old version, untouched (the new one is
a separate folder); after it, the new version is complete. An unfinished version (a number above
the current one) is removed by the next writer, which says so. A SPARQL update stays in place:
Oxigraph applies one update as one transaction.

A store written by impactkg before this layout keeps its database in ``DIR/oxigraph`` without a
``CURRENT``: it is read as it is, and its first write makes ``versions/v000001`` from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from impactkg.errors import StoreError

try:  # POSIX advisory locks; elsewhere the locks are not taken
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LEGACY = "oxigraph"
VERSIONS = "versions"
_VERSION = re.compile(r"^v(\d{6})$")
#: Environment variable naming a point where the process kills itself (SIGKILL): how the tests
#: interrupt a write at an exact step (``staged``, ``written``, ``flushed``, ``committed``).
KILL_AT_ENV = "IMPACTKG_KILL_AT"


def kill_point(name: str) -> None:
    """Kill this process with SIGKILL at the step ``name`` when ``$IMPACTKG_KILL_AT`` names it
    (crash tests only; a no-op otherwise)."""
    if os.environ.get(KILL_AT_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Server:
    """``impactkg serve`` serving a store: its base URL, process id, whether it takes writes."""

    url: str
    pid: int
    updates: bool

    def how_to_load(self, store: Path) -> str:
        if self.updates:
            how = (f"load through it: impactkg load FILE --store {store} --token TOKEN (the server's "
                   f"token, or $IMPACTKG_TOKEN), or POST the file to {self.url}/load")
        else:
            how = ("it takes no writes (started without --allow-update): stop it, load, and serve "
                   "again, or restart it with --allow-update --token T and load through it")
        return f"the store at {store} is served by impactkg serve at {self.url} (pid {self.pid}): {how}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class StoreFolder:
    """The versions, pointer and locks of the store in ``root`` (see the module)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._write_lock: IO[str] | None = None

    # ------------------------------------------------------------------ versions
    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        """The database folder in use, or None when the store holds none yet.
        Raises StoreError when ``CURRENT`` names a folder that is not there."""
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            legacy = self.root / LEGACY
            return legacy if legacy.is_dir() else None
        except OSError as exc:
            raise StoreError(f"cannot read {self.pointer}: {exc.strerror or exc}") from None
        path = self.root / name
        if not name or not path.is_dir():
            raise StoreError(
                f"the store at {self.root} is damaged: CURRENT names {name or 'nothing'}, which is not "
                f"there; remove the folder and run 'impactkg build --store {self.root}' (then load your files again)"
            )
        return path

    @staticmethod
    def number(version: Path) -> int:
        """A version's number (0 for the database of the earlier layout, ``DIR/oxigraph``)."""
        m = _VERSION.match(version.name)
        return int(m.group(1)) if m else 0

    def versions(self) -> list[Path]:
        folder = self.root / VERSIONS
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_dir() and _VERSION.match(p.name))

    def next_version(self) -> Path:
        """The folder of the next version (not created)."""
        numbers = [self.number(p) for p in self.versions()]
        cur = self.current()
        n = max([*numbers, self.number(cur) if cur else 0]) + 1
        (self.root / VERSIONS).mkdir(parents=True, exist_ok=True)
        return self.root / VERSIONS / f"v{n:06d}"

    def commit(self, version: Path) -> None:
        """Make ``version`` the one in use: the atomic step of every write."""
        kill_point("flushed")
        tmp = self.root / "CURRENT.part"
        rel = version.relative_to(self.root).as_posix()
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(rel + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)
        kill_point("committed")

    def discard(self, version: Path) -> None:
        """Remove a version (unfinished, or no longer used) and its readers' lock file."""
        shutil.rmtree(version, ignore_errors=True)
        with contextlib.suppress(OSError):
            version.with_name(version.name + ".readers").unlink()

    # ------------------------------------------------------------------ locks
    def lock_writer(self) -> None:
        """Become the store's one writer. Raises StoreError when another process is (naming the
        server and how to load through it when that process is ``impactkg serve``)."""
        if self._write_lock is not None or fcntl is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / "write.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held open
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            server = self.server()
            if server is not None:
                raise StoreError(server.how_to_load(self.root)) from None
            raise StoreError(
                f"cannot open the store at {self.root} for writing: another process writes to it "
                "(open it read-only, or stop that process)"
            ) from None
        self._write_lock = fh

    def unlock_writer(self) -> None:
        if self._write_lock is not None:
            self._write_lock.close()
            self._write_lock = None

    def writer_busy(self) -> bool:
        """True when some process holds the writer's lock."""
        if fcntl is None or self._write_lock is not None:
            return self._write_lock is not None
        try:
            fh = open(self.root / "write.lock", encoding="utf-8")  # noqa: SIM115
        except OSError:
            return False
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except OSError:
            return True
        finally:
            fh.close()

    def hold(self, version: Path) -> IO[str] | None:
        """A shared lock on ``version`` for as long as the returned file stays open: the version is
        not removed while a process reads it."""
        if fcntl is None:
            return None
        try:
            fh = open(version.with_name(version.name + ".readers"), "a+", encoding="utf-8")  # noqa: SIM115
        except OSError:
            return None  # a folder we may not write: nobody removes versions there either
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
        except OSError:
            fh.close()
            return None
        return fh

    def _unused(self, version: Path) -> bool:
        if fcntl is None:
            return True
        try:
            fh = open(version.with_name(version.name + ".readers"), "a+", encoding="utf-8")  # noqa: SIM115
        except OSError:
            return False
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
        finally:
            fh.close()

    # ------------------------------------------------------------------ recovery
    def unfinished(self) -> list[Path]:
        """Versions an interrupted write left (numbered above the one in use)."""
        cur = self.current()
        top = self.number(cur) if cur else 0
        return [v for v in self.versions() if self.number(v) > top]

    def recover(self) -> list[str]:
        """As the writer: remove the versions an interrupted write left (saying so) and the old
        versions no process reads. Returns the notices for the user."""
        notices = []
        cur = self.current()
        for v in self.unfinished():
            self.discard(v)
            notices.append(
                f"an interrupted write (load, build, import or reasoning) left an unfinished version "
                f"of the store at {self.root} ({v.relative_to(self.root).as_posix()}); it was discarded: "
                "the store is as it was before that write; run it again"
            )
        self.tidy(cur)
        with contextlib.suppress(OSError):
            (self.root / "CURRENT.part").unlink()
        return notices

    def tidy(self, current: Path | None = None) -> None:
        """Remove the versions before ``current`` that no process has open."""
        current = current or self.current()
        if current is None:
            return
        olds = [v for v in self.versions() if self.number(v) < self.number(current)]
        legacy = self.root / LEGACY
        if legacy != current and legacy.is_dir():
            olds.append(legacy)
        for v in olds:
            if self._unused(v):
                self.discard(v)

    def read_notices(self) -> list[str]:
        """What a reader should know: a write in progress, or one that was interrupted."""
        if not self.unfinished() or self.writer_busy():
            return []
        return [
            f"an interrupted write (load, build, import or reasoning) left an unfinished version of "
            f"the store at {self.root}; the store is as it was before that write, and the next write "
            "removes the unfinished version"
        ]

    def legacy_notices(self, graphs: Callable[[], list[str]], is_empty: Callable[[], bool]) -> list[str]:
        """For a database of the earlier layout: whether an interrupted write left it incomplete.

        impactkg wrote ``impactkg.json`` (the named graphs) after every write; a graph it lists
        that the store lacks, or one the store holds that it does not list, is the trace of a
        write that was killed between its steps. ``graphs`` and ``is_empty`` are asked only for
        such a database (counting a store of 10^6 quads takes a tenth of a second: not at every
        opening)."""
        if self.current() != self.root / LEGACY or is_empty():
            return []
        held = graphs()
        meta = self.meta()
        listed = meta.get("graphs") if isinstance(meta, dict) else None
        if isinstance(listed, list) and set(listed) == set(held):
            return []
        missing = sorted(set(listed or []) - set(held))
        extra = sorted(set(held) - set(listed or []))
        what = []
        if listed is None:
            what.append("no record of what it should hold (impactkg.json)")
        if missing:
            what.append(f"{len(missing)} graph(s) missing ({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''})")
        if extra:
            what.append(f"{len(extra)} graph(s) never recorded ({', '.join(extra[:3])}{', ...' if len(extra) > 3 else ''})")
        return [
            f"the store at {self.root} may have been left incomplete by a write that was interrupted "
            f"(written by an earlier impactkg, which replaced graphs in several steps): {'; '.join(what)}. "
            f"Repair it: 'impactkg build --store {self.root}' restores the ontology and the embedded "
            "dataset; then load your own files again"
        ]

    # ------------------------------------------------------------------ metadata and serving
    def meta(self) -> Any:
        try:
            return json.loads((self.root / "impactkg.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_meta(self, graphs: list[str]) -> None:
        from impactkg.graph.files import write_atomically

        meta = {"format": "impactkg-store", "version": 2, "graphs": graphs}
        with contextlib.suppress(StoreError):
            write_atomically(self.root / "impactkg.json", json.dumps(meta, indent=1).encode("utf-8"))

    def server(self) -> Server | None:
        """The ``impactkg serve`` serving this store, or None (no record, or its process is gone)."""
        try:
            doc = json.loads((self.root / "serving.json").read_text(encoding="utf-8"))
            server = Server(str(doc["url"]), int(doc["pid"]), bool(doc.get("updates")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return server if _alive(server.pid) else None

    @contextlib.contextmanager
    def serving(self, url: str, updates: bool) -> Iterator[None]:
        """Record, while serving, that ``impactkg serve`` at ``url`` serves this store."""
        from impactkg.graph.files import write_atomically

        path = self.root / "serving.json"
        doc = {"url": url, "pid": os.getpid(), "updates": updates}
        write_atomically(path, json.dumps(doc).encode("utf-8"))
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                    path.unlink()


__all__ = ["KILL_AT_ENV", "Server", "StoreFolder", "kill_point"]
