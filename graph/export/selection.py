"""Selections: what a named query, a domain or a focus (a resource and its N-step neighbourhood)
picks out of the graph: the quads that describe the selected resources, plus the labels and types
of what they point to, so that every exported node has a name.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> sel = select(kg, domain="healthcare-health")
>>> sel.what, len(sel.resources)
('domain healthcare-health', 19)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from impactkg.errors import ExportError
from impactkg.graph.sparql.terms import value_of
from impactkg.ontology import (
    DCAT,
    DCTERMS,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    search_key,
)

TYPE = RDF + "type"
LABEL_PREDICATES = {RDFS + "label", SKOS + "prefLabel", SKOS + "notation", TYPE}
#: Links that are structure or bookkeeping, not relations between things: never edges.
NOT_EDGES = {
    TYPE,
    SKOS + "inScheme",
    SKOS + "topConceptOf",
    SKOS + "exactMatch",
    DCTERMS + "source",
    DCAT + "landingPage",
}



@dataclass
class Selection:
    """What to export: a description of the request and the quads it selects.

    ``quads`` is None for the whole graph (exporters then stream the store itself).
    """

    what: str
    quads: list[ox.Quad] | None = None
    resources: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return self.quads is None


def _bar(items: Iterable, total: int | None, desc: str, progress: bool) -> Iterator:
    """Iterate ``items``, with a tqdm bar on stderr when ``progress`` and stderr is a terminal."""
    if not progress:
        yield from items
        return
    from tqdm import tqdm

    with tqdm(items, total=total, desc=desc, unit="quad", disable=None, leave=False,
              file=sys.stderr, mininterval=0.5) as bar:
        yield from bar


def expand(name: str) -> str:
    """An IRI from ``<iri>``, a full IRI or a prefixed name (``ikd:indicator/consortium-1``).

    >>> expand("sdg:11.b")
    'http://metadata.un.org/sdg/11.b'
    """
    name = name.strip()
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, rest = name.partition(":")
    if sep and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return name


def resolve_domain(kg, domain: str) -> str:
    """The IRI of a domain given by id, label (ja or en) or IRI; an unknown one is an error.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> resolve_domain(kg, "ヘルスケア・健康").rsplit("/", 1)[-1]
    'healthcare-health'
    """
    rows = kg.sparql(
        "SELECT ?c ?l WHERE { ?c skos:inScheme ikg:DomainScheme . "
        "OPTIONAL { { ?c skos:prefLabel ?l } UNION { ?c skos:altLabel ?l } } }"
    ).rows
    key, iri = search_key(domain), expand(domain)
    names: dict[str, str] = {}
    for c, label in rows:
        names[search_key(str(c).rsplit("/", 1)[-1])] = str(c)
        names[search_key(str(c))] = str(c)
        if label is not None:
            names[search_key(str(label))] = str(c)
    found = names.get(key) or names.get(search_key(iri))
    if found is None:
        known = sorted({str(c).rsplit("/", 1)[-1] for c, _ in rows})
        raise ExportError(f"unknown domain {domain!r} (known: {', '.join(known) or 'none'})")
    return found


def _data_quads(kg) -> Iterator[ox.Quad]:
    """Every quad but the ontology's."""
    onto = ox.NamedNode(ONTOLOGY_GRAPH)
    return (q for q in kg.quads() if q.graph_name != onto)


def describe(kg, iris: Iterable[str], progress: bool = False) -> list[ox.Quad]:
    """The quads about ``iris`` (as subjects), plus labels, notations and types of the resources
    they point to; named graphs kept.
    """
    wanted = set(iris)
    out: list[ox.Quad] = []
    pointed: set[str] = set()
    quads = list(_data_quads(kg))
    for q in _bar(quads, len(quads), "selecting", progress):
        if value_of(q.subject) in wanted:
            out.append(q)
            if isinstance(q.object, ox.NamedNode) and q.predicate.value not in NOT_EDGES:
                pointed.add(q.object.value)
    pointed -= wanted
    out += [
        q for q in quads
        if value_of(q.subject) in pointed and q.predicate.value in LABEL_PREDICATES
    ]
    return out


def _query_resources(kg: Any, query: str, params: dict[str, Any]) -> tuple[list[str], list[ox.Quad]]:
    result = kg.query(query, **params)
    if result.kind == "ask":
        raise ExportError(f"{query}: an ASK query selects nothing to export")
    if result.kind == "graph":
        triples = [ox.Quad(t.subject, t.predicate, t.object) for t in result.graph_triples]
        if not triples:
            raise ExportError(f"{query}: the query constructed no triples")
        return [], triples
    iris = list(dict.fromkeys(t.value for row in result.terms for t in row if isinstance(t, ox.NamedNode)))
    if not iris:
        raise ExportError(
            f"{query}: the query returned {len(result.terms)} rows but no resource (IRI) to export"
        )
    return iris, []


def _domain_resources(kg, iri: str) -> list[str]:
    rows = kg.sparql(
        "SELECT DISTINCT ?s WHERE { { ?s ikg:domain ?d } UNION { ?m ikg:domain ?d ; ikg:hasElement ?s }"
        " UNION { ?i ikg:domain ?d ; ikg:hasValue ?s } UNION { ?i ikg:domain ?d ; ikg:measures ?s } }",
        {"d": ox.NamedNode(iri)},
    ).terms
    return [iri] + sorted(value_of(r[0]) for r in rows)


def resource_graph(kg):  # -> networkx.Graph
    """The undirected graph of links between resources (no types, schemes or provenance)."""
    import networkx as nx

    g: Any = nx.Graph()
    for q in _data_quads(kg):
        if isinstance(q.object, ox.NamedNode) and q.predicate.value not in NOT_EDGES:
            g.add_edge(value_of(q.subject), q.object.value)
    return g


def resolve_resource(kg, name: str) -> str:
    """A resource of the graph by IRI, prefixed name (``sdg:11.b``) or label (``人材流出``);
    an unknown or ambiguous name is an error.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> resolve_resource(kg, "人材流出")
    'https://w3id.org/impactkg/id/factor/consortium-talent-outflow'
    """
    iri = expand(name)
    if iri.startswith(("http://", "https://", "urn:")) and " " not in iri:
        if kg.sparql("ASK { ?s ?p ?o }", {"s": ox.NamedNode(iri)}).boolean:
            return iri
    found = sorted({str(r[0]) for r in kg.sparql(
        "SELECT DISTINCT ?s WHERE { ?s ikg:searchKey ?k }", {"k": ox.Literal(search_key(name))}).rows})
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        shown = ", ".join(_short(f) for f in found[:4]) + (", ..." if len(found) > 4 else "")
        raise ExportError(f"{name!r} names {len(found)} resources ({shown}): give an IRI")
    raise ExportError(
        f"no resource {name!r} in the graph (give an IRI, a prefixed name such as "
        "ikd:indicator/consortium-1 or sdg:11.b, or a label)"
    )


def _focus_resources(kg, focus: str, depth: int) -> list[str]:
    import networkx as nx

    if depth < 0:
        raise ExportError(f"--depth must be 0 or more, got {depth}")
    iri = resolve_resource(kg, focus)
    g = resource_graph(kg)
    if iri not in g:
        return [iri]
    return sorted(nx.ego_graph(g, iri, radius=depth))


def select(
    kg,
    *,
    query: str | None = None,
    params: dict[str, Any] | None = None,
    domain: str | None = None,
    focus: str | None = None,
    depth: int = 1,
    status: str | None = None,
    progress: bool = False,
) -> Selection:
    """Select by a named query (its resources, or its triples for CONSTRUCT), a domain, or a
    focus resource with its ``depth``-step neighbourhood; nothing given selects the whole graph.
    ``status`` (stated, reading, inferred, doubtful, translation) keeps only the selected
    records with that assertion status, or alone selects every record that has it.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> sel = select(kg, query="finance-by-provider")
    >>> sel.what, len(sel.resources)
    ('query finance-by-provider', 10)
    """
    have = _with_status(kg, status) if status else None
    given = [n for n, v in (("--query", query), ("--domain", domain), ("--focus", focus)) if v]
    if len(given) > 1:
        raise ExportError(f"choose one selection, not {' and '.join(given)}")
    if params and not query:
        raise ExportError("--param needs --query NAME")
    if query:
        shown = " ".join(f"{k}={v}" for k, v in (params or {}).items())
        what = f"query {query}" + (f" ({shown})" if shown else "")
        iris, triples = _query_resources(kg, query, params or {})
        if triples:
            if have is not None:
                triples = [q for q in triples if value_of(q.subject) in have]
                what += f", status {status}"
            return Selection(what, triples, [])
    elif domain:
        iri = resolve_domain(kg, domain)
        what = f"domain {iri.rsplit('/', 1)[-1]}"
        iris = _domain_resources(kg, iri)
    elif focus:
        what = f"focus {focus} (depth {depth})"
        iris = _focus_resources(kg, focus, depth)
    elif have is not None:
        what, iris = "the whole graph", sorted(have)
    else:
        return Selection("the whole graph")
    if have is not None:
        iris = [i for i in iris if i in have]
        what += f", status {status}"
    return Selection(what, describe(kg, iris, progress), iris)


def _with_status(kg: Any, status: str) -> set[str]:
    """The resources whose ``ikg:assertionStatus`` is ``status``; an unknown status is an error."""
    from impactkg.ontology import ASSERTION_STATUSES, status_iri

    if status not in ASSERTION_STATUSES:
        raise ExportError(f"unknown assertion status {status!r} (use: {', '.join(ASSERTION_STATUSES)})")
    rows = kg.sparql("SELECT DISTINCT ?s WHERE { ?s ikg:assertionStatus ?st }",
                     {"st": ox.NamedNode(status_iri(status))}).terms
    return {value_of(r[0]) for r in rows}



def _short(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


