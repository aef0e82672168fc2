"""Causal maps as systems: feedback loops and their polarity, leverage points, neighbourhoods and
paths from an intervention to a target.

Everything here works on plain data: a causal link is ``Link(source, target, polarity)`` with
polarity ``"+"`` (more of the source, more of the target) or ``"-"`` (more of the source, less of
the target). A feedback loop with an even number of ``-`` links is reinforcing (``R``), with an odd
number balancing (``B``). :func:`loop_quads` turns loops into ``ikg:FeedbackLoop`` resources.

>>> links = [Link("a", "b", "+"), Link("b", "a", "-"), Link("b", "c", "+"), Link("c", "b", "+")]
>>> [(loop.nodes, loop.polarity) for loop in find_loops(links)]
[(('a', 'b'), 'B'), (('b', 'c'), 'R')]
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import pyoxigraph as ox

from impactkg.graph.analysis.betweenness import betweenness, index_graph
from impactkg.ontology import EVIDENCE_RANK, IKG, RDF, RDFS, XSD, nfkc, record_iri, status_iri

P = ParamSpec("P")
T = TypeVar("T")

#: Above this many factors, betweenness is estimated from a sample of source nodes.
EXACT_BETWEENNESS_LIMIT = 1000
#: Loops are enumerated up to this length unless told otherwise.
MAX_LOOP_LENGTH = 8
#: At most this many loops are enumerated; a larger set is marked as truncated.
MAX_LOOPS = 5000

_POSITIVE = {"+", "plus", "positive", "pos", "same", "s", "正", "同", "プラス", "＋"}
_NEGATIVE = {"-", "minus", "negative", "neg", "opposite", "o", "負", "逆", "マイナス", "−", "－", "–", "—"}


def normalise_polarity(value: str) -> str | None:
    """``"+"`` or ``"-"`` for the ways people write a link's sign, else None.

    >>> normalise_polarity("−"), normalise_polarity("Opposite"), normalise_polarity("?")
    ('-', '-', None)
    """
    key = nfkc(value).casefold()
    if key in _POSITIVE or value.strip() in _POSITIVE:
        return "+"
    if key in _NEGATIVE or value.strip() in _NEGATIVE:
        return "-"
    return None


def loop_polarity(signs: Iterable[str]) -> str:
    """``"R"`` when the number of ``-`` signs is even, ``"B"`` when it is odd.

    >>> loop_polarity("+-+-"), loop_polarity(["-"])
    ('R', 'B')
    """
    return "B" if sum(1 for s in signs if s == "-") % 2 else "R"


@dataclass(frozen=True)
class Link:
    """A causal link ``source -> target`` with polarity ``+`` or ``-``; ``id`` names it (an IRI);
    ``status`` is its assertion status (``stated``, ``reading``, ``doubtful``, ``inferred``;
    empty counts as stated)."""

    source: str
    target: str
    polarity: str
    id: str = ""
    status: str = ""

    @property
    def evidence(self) -> str:
        """The assertion status, ``stated`` when none is given."""
        return self.status or "stated"

    @property
    def rank(self) -> int:
        """Evidence rank: 4 stated, 3 reading or translation, 2 doubtful, 1 inferred."""
        return EVIDENCE_RANK.get(self.evidence, 1)

    @property
    def key(self) -> str:
        return self.id or f"{self.source} -{self.polarity}-> {self.target}"


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``nodes`` in causal order, starting at the smallest node id, and
    ``links[i]`` going from ``nodes[i]`` to ``nodes[i + 1]`` (the last one back to the first)."""

    nodes: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def polarity(self) -> str:
        return loop_polarity(link.polarity for link in self.links)

    @property
    def negatives(self) -> int:
        return sum(1 for link in self.links if link.polarity == "-")

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def weakest(self) -> Link:
        """The link with the weakest evidence (the first of them in loop order)."""
        return min(self.links, key=lambda x: x.rank)

    @property
    def evidence(self) -> str:
        """The loop's assertion status: that of its weakest link."""
        return self.weakest.evidence

    def evidence_counts(self) -> dict[str, int]:
        """How many of its links are stated, reading, doubtful and inferred.

        >>> loop = find_loops([Link("a", "b", "+", "l1", "stated"), Link("b", "a", "-", "l2", "inferred")])[0]
        >>> loop.evidence_counts(), loop.weakest.id, loop.evidence
        ({'stated': 1, 'reading': 0, 'doubtful': 0, 'inferred': 1}, 'l2', 'inferred')
        """
        counts = dict.fromkeys(EVIDENCE_LEVELS, 0)
        for link in self.links:
            level = "reading" if link.evidence == "translation" else link.evidence
            counts[level if level in counts else "inferred"] += 1
        return counts

    def path_text(self, labels: Mapping[str, str] | None = None) -> str:
        """The loop as text: ``a → b → a`` (with labels where given)."""
        names = [(labels or {}).get(n, n) for n in (*self.nodes, self.nodes[0])]
        return " → ".join(names)

    def name(self, labels: Mapping[str, str] | None = None, lang: str = "en") -> str:
        """A readable name, e.g. ``Balancing loop B: a → b → a``."""
        kind = {
            ("R", "ja"): "強化ループ R",
            ("B", "ja"): "バランスループ B",
            ("R", "en"): "Reinforcing loop R",
            ("B", "en"): "Balancing loop B",
        }[(self.polarity, "ja" if lang == "ja" else "en")]
        return f"{kind}: {self.path_text(labels)}"


#: Evidence levels, strongest first: a loop or ranking "at level L" uses only links of rank >= L.
EVIDENCE_LEVELS = ("stated", "reading", "doubtful", "inferred")


def at_evidence(links: Iterable[Link], level: str | None) -> list[Link]:
    """The links whose evidence is at least ``level`` (``stated``: stated only; ``reading``:
    stated or reading; ``doubtful``: also doubtful OCR; ``inferred`` or None: all). A reading
    is never counted as stated.

    >>> links = [Link("a", "b", "+", "1", "stated"), Link("b", "a", "+", "2", "reading")]
    >>> [x.id for x in at_evidence(links, "stated")], len(at_evidence(links, "reading"))
    (['1'], 2)
    """
    if level is None:
        return list(links)
    if level not in EVIDENCE_LEVELS:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_LEVELS)}, not {level!r}")
    floor = EVIDENCE_RANK[level]
    return [x for x in links if x.rank >= floor]


class LoopList(list):
    """The loops found; ``truncated`` is true when the enumeration stopped at its limit."""

    truncated: bool = False
    max_length: int | None = None


def _collector_paused(fn: Callable[P, T]) -> Callable[P, T]:
    """Run ``fn`` with Python's cyclic garbage collector paused (restored after, even on error).
    The loop search and the leverage ranking make no reference cycles, but their many short-lived
    lists made the collector scan everything alive again and again: building a map of 10,000
    factors (its data and store alive), this phase took 0.83 s instead of 0.70 s and grew as
    n^1.16 instead of n^1.05 from 2,000 factors (bench/scaling.py, CPU time)."""

    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> T:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused


def _rotate(cycle: list[str]) -> list[str]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


@_collector_paused
def find_loops(
    links: Iterable[Link], max_length: int | None = MAX_LOOP_LENGTH, limit: int = MAX_LOOPS
) -> LoopList:
    """Every feedback loop (simple cycle) of up to ``max_length`` links, sorted by length.

    Parallel links between the same two factors give one loop per combination.

    >>> loops = find_loops([Link("x", "x", "-")])
    >>> loops[0].nodes, loops[0].polarity
    (('x',), 'B')
    """
    by_pair: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in links:
        by_pair[(link.source, link.target)].append(link)
    import networkx as nx  # imported by what needs it: a quick command never does

    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_edges_from(by_pair)
    out = LoopList()
    out.max_length = max_length
    for cycle in nx.simple_cycles(g, length_bound=max_length):
        nodes = _rotate(list(cycle))
        pairs = [(nodes[i], nodes[(i + 1) % len(nodes)]) for i in range(len(nodes))]
        options = [sorted(by_pair[p], key=lambda x: x.key) for p in pairs]
        for combo in itertools.product(*options):
            if len(out) >= limit:
                out.truncated = True
                break
            out.append(Loop(tuple(nodes), tuple(combo)))
        if out.truncated:
            break
    out.sort(key=lambda loop: (len(loop), loop.nodes, tuple(x.key for x in loop.links)))
    return out


def number_loops(loops: Iterable[Loop]) -> list[tuple[str, Loop]]:
    """Short codes in order: ``R1, R2, ... B1, B2, ...`` numbered per polarity.

    >>> [code for code, _ in number_loops(find_loops([Link("a", "b", "+"), Link("b", "a", "+")]))]
    ['R1']
    """
    counts = {"R": 0, "B": 0}
    out = []
    for loop in loops:
        counts[loop.polarity] += 1
        out.append((f"{loop.polarity}{counts[loop.polarity]}", loop))
    return out


# ---------------------------------------------------------------------- leverage
@dataclass(frozen=True)
class LeveragePoint:
    """One factor's measures: betweenness, degree, number of loops through it, and its rank."""

    node: str
    rank: int
    score: float
    betweenness: float
    degree: int
    loops: int


@dataclass
class Leverage:
    """Factors ranked as leverage points; ``approximate`` says betweenness was sampled."""

    points: list[LeveragePoint] = field(default_factory=list)
    approximate: bool = False
    samples: int | None = None

    def note(self, lang: str = "en") -> str:
        """How betweenness was computed, in words."""
        if self.approximate:
            if lang == "ja":
                return f"媒介中心性は {self.samples} 個のノードを標本とした近似値"
            return f"betweenness is approximate: estimated from {self.samples} sampled nodes"
        return "媒介中心性は厳密値" if lang == "ja" else "betweenness is exact"

    def top(self, n: int = 10) -> list[LeveragePoint]:
        return self.points[:n]


@_collector_paused
def leverage(
    links: Iterable[Link],
    loops: Iterable[Loop] | None = None,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    samples: int = 200,
    seed: int = 0,
) -> Leverage:
    """Rank factors as leverage points by betweenness, degree and the number of loops they are in.

    The score is the sum of the three measures, each divided by its largest value, so a factor
    that is first on all three scores 3. Above ``exact_limit`` factors betweenness is estimated
    from ``samples`` source nodes (seeded, so the ranking is reproducible).

    >>> links = [Link("a", "b", "+"), Link("b", "c", "+"), Link("c", "a", "-"), Link("b", "d", "+")]
    >>> leverage(links, find_loops(links)).points[0].node
    'b'
    """
    links = list(links)
    names, succ = index_graph((x.source, x.target) for x in links)
    n = len(names)
    approximate = n > exact_limit
    k = min(samples, n) if approximate else None
    between = betweenness(names, succ, k=k, seed=seed if approximate else None)
    in_loops: dict[str, int] = defaultdict(int)
    for loop in loops if loops is not None else find_loops(links):
        for node in loop.nodes:
            in_loops[node] += 1
    # Degree as networkx counts it on a directed graph: distinct successors plus predecessors.
    degree = {v: len(succ[i]) for i, v in enumerate(names)}
    for targets in succ:
        for t in targets:
            degree[names[t]] += 1
    top_b = max(between.values(), default=0) or 1
    top_d = max(degree.values(), default=0) or 1
    top_l = max(in_loops.values(), default=0) or 1
    scored = sorted(
        (
            (between[v] / top_b + degree[v] / top_d + in_loops[v] / top_l, v)
            for v in names
        ),
        key=lambda t: (-t[0], t[1]),
    )
    points = [
        LeveragePoint(v, i, round(score, 4), round(between[v], 4), degree[v], in_loops[v])
        for i, (score, v) in enumerate(scored, start=1)
    ]
    return Leverage(points, approximate, k)


# ---------------------------------------------------------------------- focus and paths
def _adjacency(edges: Iterable[tuple[str, str]], undirected: bool) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
        if undirected:
            adj[b].add(a)
    return adj


def neighbourhood(
    edges: Iterable[tuple[str, str]], node: str, depth: int = 1, *, direction: str = "both"
) -> set[str]:
    """The nodes at most ``depth`` steps from ``node``: ``direction`` ``out``, ``in`` or ``both``.

    >>> sorted(neighbourhood([("a", "b"), ("b", "c"), ("c", "d")], "b", 1))
    ['a', 'b', 'c']
    """
    if direction not in ("out", "in", "both"):
        raise ValueError(f"direction must be 'out', 'in' or 'both', not {direction!r}")
    edges = [(b, a) for a, b in edges] if direction == "in" else list(edges)
    adj = _adjacency(edges, undirected=direction == "both")
    seen = {node}
    frontier = deque([(node, 0)])
    while frontier:
        current, d = frontier.popleft()
        if d == depth:
            continue
        for nxt in adj.get(current, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append((nxt, d + 1))
    return seen


def upstream(edges: Iterable[tuple[str, str]], node: str, depth: int | None = None) -> set[str]:
    """``node`` and every node with a directed path to it (of at most ``depth`` steps).

    >>> sorted(upstream([("a", "b"), ("b", "c"), ("x", "a"), ("c", "z")], "c"))
    ['a', 'b', 'c', 'x']
    """
    return neighbourhood(edges, node, depth if depth is not None else 1 << 30, direction="in")


def paths(
    edges: Iterable[tuple[str, str]],
    source: str,
    target: str,
    *,
    max_length: int = 8,
    limit: int = 100,
) -> list[list[str]]:
    """Directed simple paths from ``source`` to ``target`` of at most ``max_length`` steps,
    shortest first (at most ``limit`` of them).

    >>> paths([("act", "out"), ("out", "imp"), ("imp", "11.b"), ("act", "imp")], "act", "11.b")
    [['act', 'imp', '11.b'], ['act', 'out', 'imp', '11.b']]
    """
    import networkx as nx  # imported by what needs it: a quick command never does

    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_edges_from(edges)
    if source not in g or target not in g:
        return []
    found = []
    for path in nx.all_simple_paths(g, source, target, cutoff=max_length):
        found.append(list(path))
        if len(found) >= 50 * limit:
            break
    found.sort(key=lambda p: (len(p), p))
    return found[:limit]


# ---------------------------------------------------------------------- back into the graph
def loop_iri(loop: Loop) -> str:
    """A stable IRI for a loop, from the ids of its links in order."""
    digest = hashlib.sha1("\n".join(x.key for x in loop.links).encode("utf-8")).hexdigest()
    return record_iri("loop", digest[:16])


def loop_quads(
    loops: Iterable[Loop],
    graph: str,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ox.Quad]:
    """``ikg:FeedbackLoop`` resources for ``loops`` in named graph ``graph``: polarity, length,
    number of ``-`` links, member links (``ikg:hasLink``, the links' ``id`` IRIs) and factors
    (``ikg:throughFactor``), a name in Japanese and English from ``labels``
    (node -> {"ja": ..., "en": ...}), and the evidence: how many links are stated, readings,
    doubtful and inferred (``ikg:statedLinks`` ...), the weakest link (``ikg:weakestLink``) and
    the loop's assertion status, that of its weakest link.

    >>> q = loop_quads(find_loops([Link("http://x/a", "http://x/b", "-", "http://x/l1"),
    ...                            Link("http://x/b", "http://x/a", "+", "http://x/l2", "inferred")]), "http://x/g")
    >>> sorted(x.predicate.value.rsplit("#", 1)[-1] for x in q if x.object.value.isdigit())
    ['doubtfulLinks', 'inferredLinks', 'loopLength', 'negativeLinks', 'readingLinks', 'statedLinks']
    >>> [x.object.value for x in q if x.predicate.value.endswith(("#weakestLink", "#assertionStatus"))]
    ['http://x/l2', 'https://w3id.org/impactkg/concept/assertion-status/inferred']
    """
    g = ox.NamedNode(graph)
    labels = labels or {}
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, g))

    for loop in loops:
        node = ox.NamedNode(loop_iri(loop))
        add(node, RDF + "type", ox.NamedNode(IKG + "FeedbackLoop"))
        for lang in ("ja", "en"):
            names = {n: (labels.get(n) or {}).get(lang) or n for n in loop.nodes}
            add(node, RDFS + "label", ox.Literal(loop.name(names, lang), language=lang))
        add(node, IKG + "loopPolarity", ox.Literal(loop.polarity))
        add(node, IKG + "loopLength", ox.Literal(str(len(loop)), datatype=ox.NamedNode(XSD + "integer")))
        add(node, IKG + "negativeLinks", ox.Literal(str(loop.negatives), datatype=ox.NamedNode(XSD + "integer")))
        for level, n in loop.evidence_counts().items():
            add(node, IKG + f"{level}Links", ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")))
        add(node, IKG + "weakestLink", ox.NamedNode(loop.weakest.key))
        add(node, IKG + "assertionStatus", ox.NamedNode(status_iri(loop.evidence)))
        for link in loop.links:
            add(node, IKG + "hasLink", ox.NamedNode(link.key))
        for factor in loop.nodes:
            add(node, IKG + "throughFactor", ox.NamedNode(factor))
    return out
