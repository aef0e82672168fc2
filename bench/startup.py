"""How quick the command line is: the CPU time (user + system, of the process and its children)
of ``impactkg --version``, ``--help``, ``queries`` and ``query NAME`` on the embedded store,
against ``python -c "import pyoxigraph"``, each the median of several runs, and which of the
heavy libraries each command imports (``python -X importtime``). Each command runs once first,
with the modules' bytecode cached as after any install (``PYTHONDONTWRITEBYTECODE`` is not
passed on: without the cache every run compiles impactkg's modules from source).

    python -m bench.startup WORK_DIR --reps N
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import emit

#: Libraries only some commands need; a quick command imports none of them.
HEAVY = ("rdflib", "networkx", "numpy", "matplotlib", "owlready2", "pyshacl", "pandas", "openpyxl")


def _cpu(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-400:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imported(cmd: list[str], env: dict[str, str]) -> list[str]:
    """The heavy libraries a command imports (top-level package names)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True,
                          env=env, check=False)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:")}
    return sorted(names & set(HEAVY))


def startup(work: Path, reps: int) -> None:
    """Emit one row per command: median CPU time, runs, heavy imports."""
    work.mkdir(parents=True, exist_ok=True)
    store = work / "embedded-store"
    script = str(Path(sys.executable).with_name("impactkg"))
    # As after any install, the modules' bytecode is cached (a run without it compiles every
    # module of impactkg from source): the first run of each command writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["IMPACTKG_STORE"] = str(store)
    if not (store / "impactkg.json").exists():
        subprocess.run([script, "build", "--store", str(store)], capture_output=True, check=True, env=env)
    commands = {
        "python (no import)": [sys.executable, "-c", "pass"],
        "python -c 'import pyoxigraph'": [sys.executable, "-c", "import pyoxigraph"],
        "impactkg --version": [script, "--version"],
        "impactkg --help": [script, "--help"],
        "impactkg queries": [script, "queries"],
        "impactkg query targets-without-indicator": [script, "query", "targets-without-indicator", "--store", str(store)],
        "impactkg query indicators-for-target -p target=11.b": [
            script, "query", "indicators-for-target", "-p", "target=11.b", "--store", str(store)],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    for cmd in commands.values():
        _cpu(cmd, env)
    for _ in range(reps):  # interleaved, so that a busy moment touches every command alike
        for name, cmd in commands.items():
            times[name].append(_cpu(cmd, env))
    for name, cmd in commands.items():
        heavy = imported(cmd[1:] if cmd[0] == sys.executable else [cmd[0], *cmd[1:]], env)
        emit(step="startup", name=name, cpu_median=statistics.median(times[name]), runs=reps, heavy=heavy)
    for query in (["targets-without-indicator"], ["indicators-for-target", "target=11.b"]):
        phases(str(store), query, env, reps)


def phases(store: str, query: list[str], env: dict[str, str], reps: int) -> None:
    """Emit the median CPU time of each phase of ``impactkg query`` (:mod:`bench.startup_phases`)."""
    import json

    runs: list[dict[str, float]] = []
    for _ in range(reps):
        done = subprocess.run([sys.executable, "-m", "bench.startup_phases", store, *query], capture_output=True,
                              text=True, env=env, check=True)
        runs.append(json.loads(done.stdout)["phases"])
    emit(step="startup-phases", query=query[0], params=query[1:], runs=reps,
         phases={k: statistics.median(r[k] for r in runs) for k in runs[0]})


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.startup")
    p.add_argument("work", type=Path)
    p.add_argument("--reps", type=int, default=15)
    a = p.parse_args(argv)
    startup(a.work, a.reps)


if __name__ == "__main__":
    sys.exit(main())
