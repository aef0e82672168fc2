"""Loops and leverage of large causal maps: the search and the ranking run with Python's cyclic
garbage collector paused (networkx's sampled betweenness makes millions of short-lived lists, and
with a map's data alive the collector rescanned everything again and again: the phase grew as
n^1.5 from 2,000 to 10,000 factors instead of n^1.1, bench/scaling.py), and the collector is
restored afterwards, even on an error."""

from __future__ import annotations

import gc
import random

import networkx as nx
import pytest

from bench.generate import causal_links
from impactkg.graph.analysis.system import EXACT_BETWEENNESS_LIMIT, Link, find_loops, leverage


def test_leverage_ranks_by_networkx_betweenness_and_degree():
    links = causal_links(EXACT_BETWEENNESS_LIMIT + 300, random.Random(1), prefix="f")
    links += [Link("f00001", "f00001", "-"), Link(links[0].source, links[0].target, "-", "parallel")]
    g = nx.DiGraph()
    g.add_edges_from((x.source, x.target) for x in links)
    between = nx.betweenness_centrality(g, k=200, seed=0)
    lev = leverage(links, find_loops(links))
    assert lev.approximate and lev.samples == 200
    by_node = {p.node: p for p in lev.points}
    assert {v: p.degree for v, p in by_node.items()} == dict(g.degree())
    assert {v: p.betweenness for v, p in by_node.items()} == {v: round(b, 4) for v, b in between.items()}
    assert [p.rank for p in lev.points] == list(range(1, len(g) + 1))


def _watched(links: list[Link], seen: list[bool]):
    """``links`` as an iterable that records whether the collector is on when it is read."""
    for link in links:
        seen.append(gc.isenabled())
        yield link


def test_the_collector_is_paused_only_while_loops_and_leverage_run():
    links = [Link("a", "b", "+"), Link("b", "a", "-")]
    for run in (find_loops, leverage):
        seen: list[bool] = []
        assert gc.isenabled()
        run(_watched(links, seen))
        assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        find_loops(links)
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()
    with pytest.raises(TypeError):
        find_loops(links, "eight")  # an error inside still restores the collector
    assert gc.isenabled()
