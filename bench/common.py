"""What every part of the benchmark shares: the machine it ran on, child processes (each
contender in a process of its own), timing helpers and how figures are written.

>>> fmt_s(0.0042), fmt_s(0.42), fmt_s(4.2), fmt_x(1.234)
('4.20 ms', '420 ms', '4.20 s', '1.23×')
>>> round(growth(1000, 1.0, 13000, 13.0), 2)
1.0
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(msg, flush=True)


def emit(**row: Any) -> None:
    """One JSON line on stdout: how a child process reports a figure."""
    print(json.dumps(row, ensure_ascii=False, default=str), flush=True)


# ---------------------------------------------------------------------- the machine
def machine() -> dict[str, Any]:
    """nproc, memory, CPU model, OS and the versions that matter."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo", encoding="ascii")
                if line.startswith("MemTotal:")), 0)
    versions = {}
    for pkg in ("impactkg", "pyoxigraph", "rdflib", "oxrdflib", "pyvis", "networkx", "numpy", "pyshacl",
                "owlready2", "playwright"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=False).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
        "memory_gib": round(mem / 1024 / 1024, 1), "cpu": cpu, "os": platform.platform(),
        "python": platform.python_version(), "versions": versions,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "load_average": os.getloadavg()[0],
    }


# ---------------------------------------------------------------------- child processes
def child(module: str, args: list[str], timeout: float) -> tuple[list[dict], bool, str]:
    """Run ``python -m MODULE ARGS``; its JSON lines, whether it was stopped at ``timeout``
    seconds, and the tail of its stderr. RuntimeError when it failed without a line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("IMPACTKG_STORE", tempfile.mkdtemp(prefix="impactkg-bench-store-"))
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        stopped = True
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if proc.returncode and not stopped and not rows:
        raise RuntimeError(f"{module} {' '.join(args)} failed: {err.strip()[-800:]}")
    return rows, stopped, err.strip()[-800:]


def rss_mb(field: str = "VmHWM") -> float:
    """The process's peak (``VmHWM``) or current (``VmRSS``) resident memory in MiB."""
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return math.nan


class Timeout(Exception):
    pass


def alarm(seconds: float) -> None:
    """Raise :class:`Timeout` in this process after ``seconds`` (until :func:`no_alarm`)."""
    def handler(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))


def no_alarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


# ---------------------------------------------------------------------- figures
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def growth(n1: float, t1: float, n2: float, t2: float) -> float:
    """The growth exponent ``k`` of ``t = c * n^k`` through two measurements."""
    return math.log(t2 / t1) / math.log(n2 / n1)


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 0.01:
        return f"{x * 1000:.2f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_x(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def ok(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**MISSED**")


def size_name(n: int) -> str:
    return {10_000: "10^4", 100_000: "10^5", 1_000_000: "10^6"}.get(n, f"{n:,}")
