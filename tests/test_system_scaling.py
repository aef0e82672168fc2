"""Betweenness and leverage of large causal maps: the index-based Brandes search of
graph/analysis/betweenness.py gives networkx's numbers exactly (exact below the sampling limit,
estimated from sampled sources above it), on the generated system maps of the benchmark and on
graphs with self-links, parallel links and parts that cannot reach each other."""

from __future__ import annotations

import gc
import random

import networkx as nx
import pytest

from bench.generate import causal_links
from impactkg.graph.analysis.betweenness import betweenness, index_graph
from impactkg.graph.analysis.system import EXACT_BETWEENNESS_LIMIT, Link, find_loops, leverage


def _nx(pairs, k=None, seed=None):
    g = nx.DiGraph()
    g.add_edges_from(pairs)
    return g, nx.betweenness_centrality(g, k=k, seed=seed)


@pytest.mark.parametrize(("n", "k"), [(60, None), (400, None), (1500, 200), (1500, 2)])
def test_betweenness_is_networkx_number_for_number(n, k):
    pairs = [(x.source, x.target) for x in causal_links(n, random.Random(n), prefix="f")]
    pairs += [(pairs[0][0], pairs[0][0]), pairs[3], ("lonely", "alone")]  # a self-link, a repeat, another part
    _, expected = _nx(pairs, k=k, seed=5 if k else None)
    got = betweenness(*index_graph(pairs), k=k, seed=5 if k else None)
    assert list(got) == list(expected)
    assert got == expected  # the same floats: the same sources, the same order of additions
    assert max(got.values()) > 0


def test_a_graph_too_small_to_pass_through_is_zero_and_k_above_n_is_refused():
    assert betweenness(*index_graph([("a", "b")])) == {"a": 0.0, "b": 0.0}
    with pytest.raises(ValueError):
        betweenness(*index_graph([("a", "b"), ("b", "c")]), k=4)


def test_leverage_keeps_networkx_degree_and_ranking():
    links = causal_links(EXACT_BETWEENNESS_LIMIT + 300, random.Random(1), prefix="f")
    links += [Link("f00001", "f00001", "-"), Link(links[0].source, links[0].target, "-", "parallel")]
    g, between = _nx([(x.source, x.target) for x in links], k=200, seed=0)
    lev = leverage(links, find_loops(links))
    assert lev.approximate and lev.samples == 200
    by_node = {p.node: p for p in lev.points}
    assert {v: p.degree for v, p in by_node.items()} == dict(g.degree())
    assert {v: p.betweenness for v, p in by_node.items()} == {v: round(b, 4) for v, b in between.items()}
    assert [p.rank for p in lev.points] == list(range(1, len(g) + 1))


def test_the_collector_is_paused_only_while_loops_and_leverage_run():
    links = [Link("a", "b", "+"), Link("b", "a", "-")]
    assert gc.isenabled()
    leverage(links)
    assert gc.isenabled()
    gc.disable()
    try:
        find_loops(links)
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()
    with pytest.raises(TypeError):
        find_loops(links, "eight")  # an error inside still restores the collector
    assert gc.isenabled()
