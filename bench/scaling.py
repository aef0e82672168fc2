"""How the system-map work grows with the map: loading a connections table, finding its loops,
ranking its leverage points and building its interactive map, at several sizes, each phase
timed and its growth exponent reported (``t = c * n^k``: k 1 is linear, 2 quadratic). Times are
the process's CPU time (the work is single-threaded Python): on a machine shared with other work,
wall time would measure the neighbours too.

    python -m bench.scaling WORK_DIR --links 1000,5000,13000 --factors 2000,10000 --reps 3

Causal graphs from :func:`bench.generate.causal_links` (clusters of about 10 factors, about 1.3
links per factor).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from bench.common import emit

LINKS_PER_FACTOR = 1.3


def _median_time(fn, reps: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(reps):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return statistics.median(times), out


def links_case(work: Path, links: int, reps: int) -> None:
    """Load a connections table of about ``links`` links (its loops found by the loader), and
    find the loops and rank the leverage points of the same links directly."""
    from bench.generate import causal_links, write_system_tables
    from impactkg import KnowledgeGraph
    from impactkg.graph.analysis.system import find_loops, leverage

    n = round(links / LINKS_PER_FACTOR)
    folder = work / f"scaling-{n}"
    rng = random.Random(n)
    causal = causal_links(n, rng, prefix="f")
    if not (folder / "system_connections.csv").exists():
        write_system_tables(folder, causal, random.Random(n + 1))

    def load() -> int:
        kg = KnowledgeGraph.memory()
        kg.load(folder / "system_elements.csv", folder / "system_connections.csv", namespace="bench")
        return len(kg)

    t_load, quads = _median_time(load, reps)
    t_loops, loops = _median_time(lambda: find_loops(causal), reps)
    t_lev, _ = _median_time(lambda: leverage(causal, loops), reps)
    emit(step="scaling-links", factors=n, links=len(causal), loops=len(loops), quads=quads,
         load=t_load, find_loops=t_loops, leverage=t_lev, reps=reps)


def map_case(work: Path, factors: int, reps: int) -> None:
    """Build the system map of ``factors`` factors, its phases timed: the layout, the loops with
    leverage, and the rest (queries and the map's nodes and links)."""
    from bench.generate import map_tables
    from bench.maps import _timing
    from impactkg import KnowledgeGraph
    from impactkg.graph import maps
    from impactkg.graph.maps import build_map

    folder = map_tables(factors, work)
    kg = KnowledgeGraph.memory()
    kg.load(folder / "system_elements.csv", folder / "system_connections.csv", namespace="bench")
    phases = [name for name in ("layout", "_loops_and_leverage") if hasattr(maps, name)]
    runs: list[dict[str, float]] = []
    data = None
    for _ in range(reps):
        timing = _timing(maps, tuple(phases), clock=time.process_time)
        try:
            t = time.process_time()
            data = build_map(kg, "system")
            total = time.process_time() - t
        finally:
            timing.restore()
        run = {"total": total, **{k: timing.seconds.get(k, 0.0) for k in phases}}
        run["rest"] = total - sum(timing.seconds.get(k, 0.0) for k in phases)
        runs.append(run)
    row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    # The layout weighs every pair of nodes at every iteration: the pairs it weighs, its cause.
    from impactkg.graph.maps.layout import layout_iterations

    pairs = len(data.nodes) ** 2 * layout_iterations(len(data.nodes)) if not data.physics else 0
    emit(step="scaling-map", factors=factors, nodes=len(data.nodes), links=len(data.edges), loops=len(data.loops),
         reps=reps, layout_pairs=pairs, **row)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.scaling")
    p.add_argument("work", type=Path)
    p.add_argument("--links", default="1000,5000,13000")
    p.add_argument("--factors", default="2000,10000")
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    for links in (int(x) for x in a.links.split(",") if x):
        links_case(a.work, links, a.reps)
    for factors in (int(x) for x in a.factors.split(",") if x):
        map_case(a.work, factors, a.reps)


if __name__ == "__main__":
    sys.exit(main())
