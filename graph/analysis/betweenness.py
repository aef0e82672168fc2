"""Shortest-path betweenness centrality of a directed graph, on integer indices.

Brandes' algorithm (U. Brandes, "A faster algorithm for betweenness centrality", Journal of
Mathematical Sociology 25(2), 2001): one breadth-first search per source counts the shortest
paths, and the dependencies are accumulated back along them; with ``k`` sampled sources it is the
estimate of Brandes and Pich ("Centrality estimation in large networks", International Journal of
Bifurcation and Chaos 17(7), 2007). The values are those of networkx's
``betweenness_centrality(G, k=k, normalized=True, seed=seed)`` (3.x) on the same graph, number for
number: the same sources (``random.Random(seed).sample`` of the nodes in the graph's order), the
same order of additions and the same rescaling (tests/test_system_scaling.py compares them).

Why not networkx's own: it keeps a dictionary of predecessor lists, a dictionary of path counts
and one of distances for *every* node at *every* source (10,000 factors, 200 sources: two
million lists), which on a map of 10,000 factors made the leverage ranking grow faster than the
map (n^1.5 with the map's data alive, the garbage collector scanning the lists). Here the arrays
are made once and only the nodes a search reached are reset.

>>> names, succ = index_graph([("a", "b"), ("b", "c"), ("c", "a"), ("b", "d")])
>>> {v: round(b, 3) for v, b in betweenness(names, succ).items()}
{'a': 0.333, 'b': 0.5, 'c': 0.167, 'd': 0.0}
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable


def index_graph(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], list[list[int]]]:
    """The nodes of the links ``(source, target)`` in order of first appearance (as networkx's
    ``DiGraph.add_edges_from`` orders them) and, for each node's index, its successors' indices
    in the order their first link came; repeated links count once.

    >>> index_graph([("a", "b"), ("a", "b"), ("b", "a"), ("a", "c")])
    (['a', 'b', 'c'], [[1, 2], [0], []])
    """
    index: dict[str, int] = {}
    succ: list[list[int]] = []
    seen: set[tuple[int, int]] = set()
    for source, target in pairs:
        for node in (source, target):
            if node not in index:
                index[node] = len(succ)
                succ.append([])
        edge = (index[source], index[target])
        if edge not in seen:
            seen.add(edge)
            succ[edge[0]].append(edge[1])
    return list(index), succ


def betweenness(names: list[str], succ: list[list[int]], k: int | None = None,
                seed: int | None = None) -> dict[str, float]:
    """Node name -> normalised betweenness (endpoints excluded) of the directed graph ``succ``
    (:func:`index_graph`), exact with ``k`` None, else estimated from ``k`` sources drawn with
    ``random.Random(seed)``. Time O(sources × links reached), memory O(nodes + links).

    Raises ValueError when ``k`` is larger than the number of nodes (as ``random.sample``).
    """
    n = len(names)
    sources = range(n) if k is None else random.Random(seed).sample(range(n), k)
    bc = [0.0] * n
    sigma = [0.0] * n
    dist = [-1] * n
    delta = [0.0] * n
    preds: list[list[int]] = [[] for _ in range(n)]
    for s in sources:
        sigma[s], dist[s] = 1.0, 0
        order = [s]  # the breadth-first order: the queue and, read backwards, the accumulation
        i = 0
        while i < len(order):
            v = order[i]
            i += 1
            dv, sv = dist[v] + 1, sigma[v]
            for w in succ[v]:
                dw = dist[w]
                if dw < 0:
                    order.append(w)
                    dist[w] = dw = dv
                if dw == dv:
                    sigma[w] += sv
                    preds[w].append(v)
        for w in reversed(order):
            coeff = (1 + delta[w]) / sigma[w]
            for v in preds[w]:
                delta[v] += sigma[v] * coeff
            if w != s:
                bc[w] += delta[w]
        for w in order:
            sigma[w], dist[w], delta[w] = 0.0, -1, 0.0
            preds[w].clear()
    return dict(zip(names, _rescale(bc, None if k is None else set(sources)), strict=True))


def _rescale(bc: list[float], sampled: set[int] | None) -> list[float]:
    """Divide by the number of ordered pairs (s, t), s ≠ t ≠ v, that could pass through each node
    (networkx 3.x's ``_rescale`` for a directed graph, normalised, endpoints excluded); with
    sampled sources, a source counts one source fewer."""
    pairs = len(bc) - 1
    if pairs < 2:
        return bc
    if sampled is None:
        scale = 1 / (pairs * (pairs - 1))
        return [b * scale for b in bc] if scale != 1 else bc
    k = len(sampled)
    as_source = 1 / ((k - 1) * (pairs - 1)) if k > 1 else math.nan
    other = 1 / (k * (pairs - 1))
    return [b * (as_source if v in sampled else other) for v, b in enumerate(bc)]
