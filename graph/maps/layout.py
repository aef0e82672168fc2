"""Layout computed in Python for large maps (physics off in the browser): a vectorised
Fruchterman-Reingold spring layout."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from impactkg.graph.maps import MapData


def layout_iterations(n: int) -> int:
    """How many iterations the spring layout of ``n`` nodes runs: 60 up to 1,666 nodes, then
    100,000 / n, and 20 from 5,000 nodes on. Each iteration weighs every pair of nodes (n^2), so
    the layout's work is n^2 times this: it grows as n^1 between 1,667 and 5,000 nodes and as n^2
    above (2,000 to 10,000 nodes: 2.0e8 to 2.0e9 pairs).

    >>> [layout_iterations(n) for n in (500, 2_000, 10_000)]
    [60, 50, 20]
    """
    return max(20, min(60, 100_000 // max(n, 1)))


def spring_positions(n: int, edges: list[tuple[int, int]], *, iterations: int | None = None, seed: int = 7):
    """Fruchterman-Reingold positions (an ``n x 2`` numpy array around the unit square),
    vectorised with numpy in row blocks; fewer iterations for larger graphs, so that thousands
    of nodes take seconds.

    >>> spring_positions(3, [(0, 1), (1, 2)]).shape
    (3, 2)
    """
    import numpy as np

    if iterations is None:
        iterations = layout_iterations(n)

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n < 2:
        return pos
    k = math.sqrt(1.0 / n)
    src = np.array([a for a, _ in edges], dtype=np.intp)
    dst = np.array([b for _, b in edges], dtype=np.intp)
    temperature = 0.1
    cool = temperature / (iterations + 1)
    block = max(1, 2_000_000 // n)
    for _ in range(iterations):
        disp = np.zeros((n, 2))
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        for i in range(0, n, block):
            # Repulsion of size k^2 / d along (p_i - p_j), summed over j.
            dx = x[i : i + block, None] - x[None, :]
            dy = y[i : i + block, None] - y[None, :]
            w = np.float32(k * k) / np.maximum(dx * dx + dy * dy, np.float32(1e-9))
            disp[i : i + block, 0] += (w * dx).sum(axis=1)
            disp[i : i + block, 1] += (w * dy).sum(axis=1)
        if len(src):
            delta = pos[src] - pos[dst]
            dist = np.sqrt((delta**2).sum(axis=1)) + 1e-9
            pull = delta * (dist / k)[:, None]
            np.add.at(disp, src, -pull)
            np.add.at(disp, dst, pull)
        disp -= (pos - 0.5) * (n * k * 0.05)  # a little gravity keeps loose parts near
        length = np.maximum(np.sqrt((disp**2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cool
    return pos


def layout(data: MapData, seed: int = 7) -> None:
    """Positions from a spring layout computed here, and physics off (for large maps)."""
    index = {n["id"]: i for i, n in enumerate(data.nodes)}
    pairs = [(index[e["from"]], index[e["to"]]) for e in data.edges]
    pos = spring_positions(len(data.nodes), pairs, seed=seed)
    span = float((pos.max(axis=0) - pos.min(axis=0)).max()) or 1.0
    scale = 110 * math.sqrt(len(data.nodes)) / span
    centre = pos.mean(axis=0)
    for n, (x, y) in zip(data.nodes, pos - centre, strict=True):
        n["x"], n["y"] = round(float(x) * scale, 1), round(float(y) * scale, 1)
    data.physics = False
    data.notes.append({"ja": f"{len(data.nodes)} ノード: 配置は事前計算（物理演算なし）",
                       "en": f"{len(data.nodes)} nodes: layout precomputed, physics off"})
