"""Real SPARQL servers for the tests, on free loopback ports, started and stopped by fixtures:
Oxigraph server (the ``oxigraph`` PyPI package's binary), Virtuoso Open Source
(Debian ``virtuoso-opensource-7-bin``) and ``impactkg serve`` itself.

A server that cannot be installed here is skipped with the reason; one that is installed but does
not start is an error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
STARTUP = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    query_url: str
    update_url: str
    process: subprocess.Popen
    log: Path
    base: str = ""


def _wait(url: str, proc: subprocess.Popen, log: Path, data: bytes | None = None) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            req = urllib.request.Request(url, data=data, headers={"Accept": "*/*"})
            with urllib.request.urlopen(req, timeout=2) as resp:
                resp.read()
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{proc.args[0]} did not answer at {url} within {STARTUP:g} s: {log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def oxigraph_binary() -> str | None:
    candidate = BIN / "oxigraph"
    return str(candidate) if candidate.exists() else shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph_server(folder: Path, timeout: int | None = None) -> Iterator[Server]:
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (``--timeout-s`` if given)."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "oxigraph.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"]
            + (["--timeout-s", str(timeout)] if timeout else []),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/query?query=ASK%7B%7D", proc, log)
        yield Server("oxigraph-server", f"{base}/query", f"{base}/update", proc, log, base)
    finally:
        _stop(proc)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxClientConnections = 20
ServerThreads = 20
DirsAllowed = {d}
TempDirectory = {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 20
ServerThreads = 20
EnabledDavVSP = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
"""


def virtuoso_binaries() -> tuple[str, str] | None:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    return (server, isql) if server and isql else None


@contextlib.contextmanager
def virtuoso_server(folder: Path, max_rows: int = 1_000_000) -> Iterator[Server]:
    """``virtuoso-t +foreground +configfile virtuoso.ini`` with a private ini on loopback, and
    SPARQL updates granted to the anonymous ``SPARQL`` user. ``max_rows`` is Virtuoso's
    ResultSetMaxRows (it cuts every result there; its default of 10000 is raised here)."""
    binaries = virtuoso_binaries()
    if binaries is None:
        pytest.skip(
            "Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin; `make test` does it)"
        )
    server, isql = binaries
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http, max_rows=max_rows), encoding="utf-8")
    log = folder / "stdout.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http}"
    try:
        _wait(f"{base}/sparql?query=ASK%7B%7D", proc, log)
        grant = subprocess.run(
            [isql, f"127.0.0.1:{sql}", "dba", "dba",
             'exec=GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";'],
            capture_output=True, text=True, timeout=60, cwd=folder,
        )
        if grant.returncode != 0 or "Error" in grant.stdout + grant.stderr:
            raise RuntimeError(f"isql could not grant SPARQL_UPDATE: {grant.stdout} {grant.stderr}")
        yield Server("virtuoso", f"{base}/sparql", f"{base}/sparql", proc, log, base)
    finally:
        _stop(proc)


@contextlib.contextmanager
def impactkg_server(folder: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``impactkg serve ARGS --port 0`` (the real command); the URL is read from the line it
    prints, and its output goes to ``folder/serve.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "serve.log"
    cmd = [str(BIN / "impactkg"), "serve", "--port", "0", *args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + STARTUP
        base = None
        while time.monotonic() < deadline and base is None:
            if proc.poll() is not None:
                raise RuntimeError(f"impactkg serve exited ({proc.returncode}): {log.read_text()}")
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("serving ") and " at http://" in line:
                    base = line.split(" at ", 1)[1].split()[0].rstrip("/")
            time.sleep(0.1)
        if base is None:
            raise RuntimeError(f"impactkg serve printed no URL: {log.read_text()}")
        _wait(f"{base}/sparql?query=ASK%7B%7D", proc, log)
        yield Server("impactkg", f"{base}/sparql", f"{base}/sparql", proc, log, base)
    finally:
        _stop(proc)
