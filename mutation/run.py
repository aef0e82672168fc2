"""``make mutation``: cosmic-ray on impactkg's core modules, each with the fast tests that cover
it, on two lanes (two copies of the sources, one per core), and a report of the survivors.

Why cosmic-ray, and why copies: the package is installed in setuptools' strict editable mode, a
tree of links to the source files (build/__editable__.*). A tool that writes its mutants into a
copy of the sources and runs the tests there (mutmut 3: ``mutants/``) still imports the linked,
unmutated files, so every mutant "survives" (tried: see mutation/README.md). cosmic-ray writes each
mutant into the file itself, runs the test command, and puts the file back, so the link tree
sees it. To use both cores, each lane is a copy of the sources with its own link tree (the same
mapping as the editable install) placed first on ``PYTHONPATH``; the worktree itself is never
mutated.

    python -m mutation.run                      # every module of mutation/config.toml
    python -m mutation.run --only formats.py    # one module (a substring of its path)
    python -m mutation.run --report-only        # the report again from the last sessions
    python -m mutation.run --survivors          # after new tests: run again only the last survivors

Writes ``mutation/report.md`` (with ``--only``: ``build/mutation/report.md``); the sessions (one
cosmic-ray SQLite database per module) stay in ``build/mutation/sessions``, readable by
``cr-report``. Exit status 1 when a module is under the target.
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from mutation.policy import (
    ROOT,
    Config,
    Module,
    Selector,
    load_config,
    load_equivalents,
    relocate_equivalents,
    short,
    stale_equivalents,
)
from mutation.report import ModuleResult, write_report

WORK = ROOT / "build" / "mutation"
SESSIONS = WORK / "sessions"


def slug(path: str) -> str:
    return path.replace("/", "_").removesuffix(".py")


# ---------------------------------------------------------------------------- lanes
def editable_tree() -> Path:
    """The strict editable install's link tree (``build/__editable__.*/``), holding ``impactkg/``."""
    found = sorted((ROOT / "build").glob("__editable__.impactkg-*"))
    if not found or not (found[-1] / "impactkg").is_dir():
        raise SystemExit("no strict editable install under build/: run 'make .venv/.installed-test' first")
    return found[-1]


def source_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return [p for p in out.split("\0") if p and (ROOT / p).is_file()]


def make_lane(number: int | str, files: list[str]) -> Path:
    """A fresh copy of the sources in ``build/mutation/lane-N`` and its link tree in ``.links``."""
    lane = WORK / f"lane-{number}"
    if lane.exists():
        shutil.rmtree(lane)
    for rel in files:
        target = lane / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    tree = editable_tree()
    for link in (tree / "impactkg").rglob("*"):
        if not link.is_symlink():
            continue
        points = Path(os.readlink(link))
        try:
            rel = points.relative_to(ROOT)
        except ValueError:
            continue
        mirror = lane / ".links" / link.relative_to(tree)
        mirror.parent.mkdir(parents=True, exist_ok=True)
        if not (lane / rel).exists():  # a generated file the copy lacks
            shutil.copy2(ROOT / rel, lane / rel)
        mirror.symlink_to(lane / rel)
    return lane


def prebuild(lane: Path) -> None:
    """The embedded graph as the unmutated code builds it, for the modules marked ``prebuilt``."""
    code = ("from impactkg import KnowledgeGraph; kg = KnowledgeGraph.memory(); kg.build(); "
            f"kg.export({str(PREBUILT)!r}, 'nq', graphs=True)")
    subprocess.run([sys.executable, "-c", code], cwd=lane, check=True,
                   env={**os.environ, "PYTHONPATH": str(lane / ".links")})


def link_shared() -> None:
    """The lanes' tests find ``../shared`` as the worktree's do."""
    shared, link = ROOT.parent / "shared", WORK / "shared"
    if shared.exists() and not link.exists():
        link.symlink_to(shared)


PREBUILT = WORK / "embedded.nq"


def test_command(lane: Path, module: Module) -> str:
    env = f"env -C {lane} PYTHONPATH={lane / '.links'} PYTEST_DISABLE_PLUGIN_AUTOLOAD=1"
    if module.prebuilt:
        env += f" IMPACTKG_TEST_PREBUILT={PREBUILT}"
    return f"{env} {sys.executable} -m pytest -x -q -p no:cacheprovider -o addopts= {' '.join(module.tests)}"


# ---------------------------------------------------------------------------- sessions
def init_session(module: Module, selector: Selector, db_path: Path) -> dict[str, int]:
    """Generate every mutant of the module (cosmic-ray ``init``) and mark the ones not run as
    skipped, with the reason; returns the count of each reason."""
    from cosmic_ray.commands.init import init
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    counts: dict[str, int] = {}
    if db_path.exists():
        db_path.unlink()
    source = (ROOT / module.path).read_text(encoding="utf-8")
    with use_db(str(db_path)) as db:
        init([Path(module.path)], db, {})
        for item in db.pending_work_items:
            (m,) = item.mutations
            why = selector.reason(m.operator_name, tuple(m.start_pos), tuple(m.end_pos),
                                  lambda m=m: mutant_line(source, m))
            counts[why or "run"] = counts.get(why or "run", 0) + 1
            if why is not None:
                db.set_result(item.job_id, WorkResult(output=f"not run: {why}", worker_outcome=WorkerOutcome.SKIPPED))
    return counts


def mutant_line(source: str, spec: object) -> str:
    """The line a mutant writes where it starts (stripped), as the report shows it."""
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    operator = cosmic_ray.plugins.get_operator(spec.operator_name)(**spec.operator_args)  # type: ignore[attr-defined]
    mutated = mutate_code(source, operator, spec.occurrence) or source  # type: ignore[attr-defined]
    return mutated.splitlines()[spec.start_pos[0] - 1].strip()  # type: ignore[attr-defined]


def reopen_survivors(module: Module, selector: Selector, db_path: Path, root: Path = ROOT) -> int:
    """Make the survivors of the module's last session pending again (``--survivors``), so that
    only they run against the tests as they are now; returns how many. Sound only while the
    module's source is the one the session mutated and tests were only added (a mutant killed
    stays killed): every mutant run must still be the one its recorded diff shows, else the run
    stops (each mutant's diff must take out the line the source has where it starts). A survivor now listed in equivalent.tsv is marked left out instead."""
    import sqlite3

    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    if not db_path.exists():
        raise SystemExit(f"{module.path}: no session {db_path.name}: run it in full first")
    source = (root / module.path).read_text(encoding="utf-8")
    lines = source.splitlines()
    rerun: list[str] = []
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        if db.pending_work_items:
            raise SystemExit(f"{module.path}: its last session did not finish: run it in full")
        for item, res in db.completed_work_items:
            if res.worker_outcome.value == "skipped":
                continue
            (m,) = item.mutations
            taken_out = [x[1:].strip() for x in (res.diff or "").splitlines() if x.startswith("-") and not x.startswith("---")]
            if lines[m.start_pos[0] - 1].strip() not in taken_out:
                raise SystemExit(f"{module.path} changed since its last session (line {m.start_pos[0]}, "
                                 f"{short(m.operator_name)}): run it in full")
            if res.test_outcome is None or res.test_outcome.value != "survived":
                continue
            why = selector.reason(m.operator_name, tuple(m.start_pos), tuple(m.end_pos),
                                  lambda m=m: mutant_line(source, m))
            if why is not None:
                db.set_result(item.job_id, WorkResult(output=f"not run: {why}", worker_outcome=WorkerOutcome.SKIPPED))
            else:
                rerun.append(item.job_id)
    with sqlite3.connect(db_path) as con:
        con.executemany("DELETE FROM work_results WHERE job_id = ?", [(j,) for j in rerun])
    return len(rerun)


@dataclass
class Job:
    module: Module
    db_path: Path
    item: object  # cosmic_ray.work_item.WorkItem


def run_lanes(cfg: Config, modules: list[Module], lanes: list[Path]) -> dict[str, float]:
    """Run every pending mutant of ``modules`` on the lanes; returns each module's timeout."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_db import use_db

    # The unmutated tests must pass, in a lane, and their time sets the timeout of a mutant.
    timeouts: dict[str, float] = {}
    for module in modules:
        started = time.monotonic()
        outcome, output = run_tests(test_command(lanes[0], module), 600)
        if outcome.value != "survived":
            raise SystemExit(f"{module.path}: its tests fail without any mutation:\n{output[-3000:]}")
        took = time.monotonic() - started
        timeouts[module.path] = max(cfg.timeout_floor, cfg.timeout_factor * took)
        print(f"  {module.path}: tests pass unmutated in {took:.1f} s (timeout {timeouts[module.path]:.0f} s)",
              flush=True)

    jobs: queue.Queue[Job] = queue.Queue()
    total = 0
    for module in modules:
        with use_db(str(SESSIONS / f"{slug(module.path)}.sqlite")) as db:
            for item in sorted(db.pending_work_items, key=lambda i: i.mutations[0].start_pos):
                jobs.put(Job(module, SESSIONS / f"{slug(module.path)}.sqlite", item))
                total += 1
    lock = threading.Lock()
    done = {"n": 0, "killed": 0}
    started = time.monotonic()

    def lane_worker(lane: Path) -> None:
        import attrs

        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return
            mutations = [attrs.evolve(m, module_path=lane / m.module_path) for m in job.item.mutations]  # type: ignore[attr-defined]
            result = mutate_and_test(mutations, test_command(lane, job.module), timeouts[job.module.path])
            with lock:
                with use_db(str(job.db_path)) as db:
                    db.set_result(job.item.job_id, result)  # type: ignore[attr-defined]
                done["n"] += 1
                done["killed"] += result.is_killed
                if done["n"] % 50 == 0 or done["n"] == total:
                    print(f"  {done['n']}/{total} mutants, {done['killed']} killed, "
                          f"{(time.monotonic() - started) / 60:.1f} min", flush=True)

    threads = [threading.Thread(target=lane_worker, args=(lane,)) for lane in lanes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timeouts


def collect(module: Module, counts: dict[str, int] | None) -> ModuleResult:
    from cosmic_ray.work_db import WorkDB, use_db

    result = ModuleResult(module)
    with use_db(str(SESSIONS / f"{slug(module.path)}.sqlite"), WorkDB.Mode.open) as db:
        for item, res in db.completed_work_items:
            (m,) = item.mutations
            result.add(short(m.operator_name), tuple(m.start_pos), res)
    if counts is not None:
        result.generated = sum(counts.values())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the modules whose path contains one of these texts (comma-separated)")
    parser.add_argument("--report-only", action="store_true", help="write the report from the last sessions")
    parser.add_argument("--survivors", action="store_true",
                        help="run again only the mutants that survived the last sessions (after new tests)")
    parser.add_argument("--lanes", type=int, help="lanes (default: mutation/config.toml's)")
    parser.add_argument("--report", type=Path, help="where to write the report")
    parser.add_argument("--relocate", action="store_true",
                        help="move the equivalent.tsv entries whose line moved to the one line that holds their code, then stop")
    args = parser.parse_args(argv)
    if args.relocate:
        for line in relocate_equivalents():
            print(f"equivalent.tsv: moved {line}")
        stale = stale_equivalents(load_equivalents())
        print("\n".join(stale) if stale else "equivalent.tsv: every entry points at its line")
        return 1 if stale else 0

    cfg = load_config()
    equivalents = load_equivalents()
    stale = stale_equivalents(equivalents)
    if stale:
        raise SystemExit("\n".join(stale))
    wanted = [w for w in (args.only or "").split(",") if w]
    modules = [m for m in cfg.modules if not wanted or any(w in m.path for w in wanted)]
    if not modules:
        raise SystemExit(f"no module of mutation/config.toml matches {args.only!r}")
    report = args.report or (WORK / "report.md" if args.only else ROOT / "mutation" / "report.md")
    started = time.monotonic()
    counts: dict[str, dict[str, int]] = {}
    if args.survivors and not args.report_only:
        for module in modules:
            n = reopen_survivors(module, Selector(module, equivalents), SESSIONS / f"{slug(module.path)}.sqlite")
            print(f"{module.path}: {n} survivors of the last session run again", flush=True)
    elif not args.report_only:
        SESSIONS.mkdir(parents=True, exist_ok=True)
        for module in modules:
            selector = Selector(module, equivalents)
            counts[module.path] = init_session(module, selector, SESSIONS / f"{slug(module.path)}.sqlite")
            if selector.unused():
                raise SystemExit("\n".join(selector.unused()))
            print(f"{module.path}: {counts[module.path]}", flush=True)
    if not args.report_only:
        files = source_files()
        n = args.lanes or cfg.lanes
        print(f"copying the sources into {n} lanes under {WORK.relative_to(ROOT)}", flush=True)
        lanes = [make_lane(i + 1, files) for i in range(n)]
        link_shared()
        if any(m.prebuilt for m in modules):
            prebuild(lanes[0])
        run_lanes(cfg, modules, lanes)
    results = [collect(m, counts.get(m.path)) for m in modules]
    minutes = (time.monotonic() - started) / 60
    command = ("make mutation" if not (args.only or args.survivors or args.report_only) else "python -m mutation.run"
               + (" --report-only" if args.report_only else " --survivors" if args.survivors else "")
               + (f" --only {args.only}" if args.only else ""))
    write_report(report, results, cfg, equivalents, minutes if not args.report_only else None,
                 command, platform_line())
    print(f"wrote {report.relative_to(ROOT) if report.is_relative_to(ROOT) else report}")
    for r in results:
        print(f"  {r.module.path}: {r.killed}/{r.run} killed ({r.score:.0%})")
    return 0 if all(r.score >= cfg.target for r in results) else 1


def platform_line() -> str:
    from importlib.metadata import version

    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, cosmic-ray {version('cosmic-ray')}, "
            f"pytest {version('pytest')}")


if __name__ == "__main__":
    sys.exit(main())
