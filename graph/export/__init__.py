"""Exports of the whole graph or of a selection: RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD
with the context shipped in ``ontology/context.jsonld``, RDF/XML) and graph files for Gephi, yEd
and Cytoscape (GraphML, GEXF, Cytoscape.js JSON).

A *selection* is what a named query, a domain or a focus (a resource and its N-step neighbourhood)
picks out of the graph: the quads that describe the selected resources, plus the labels and types
of what they point to, so that every exported node has a name.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> sel = select(kg, domain="healthcare-health")
>>> g = to_networkx(sel.quads)
>>> g.nodes["https://w3id.org/impactkg/concept/domain/healthcare-health"]["label_en"]
'Healthcare & Health'
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError
from impactkg.graph.files import write_atomically
from impactkg.ontology import (
    DCAT,
    DCTERMS,
    GRAPH,
    IKG,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RDF,
    RDFS,
    SDGO,
    SKOS,
    ontology_dir,
    search_key,
)

RDF_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
GRAPH_FORMATS = ("graphml", "gexf", "cyjs")
#: RDF formats that keep named graphs.
QUAD_FORMATS = ("nq", "trig", "jsonld")
SOURCES_GRAPH = GRAPH + "sources"

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}

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


class ExportError(ImpactKGError):
    """A selection or an export format that cannot be honoured."""


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


# ---------------------------------------------------------------------- selecting
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
        if q.subject.value in wanted:
            out.append(q)
            if isinstance(q.object, ox.NamedNode) and q.predicate.value not in NOT_EDGES:
                pointed.add(q.object.value)
    pointed -= wanted
    out += [
        q for q in quads
        if q.subject.value in pointed and q.predicate.value in LABEL_PREDICATES
    ]
    return out


def _query_resources(kg, query: str, params: dict[str, Any]) -> tuple[list[str], list[ox.Quad]]:
    import rdflib

    result = kg.query(query, **params)
    if result.kind == "ask":
        raise ExportError(f"{query}: an ASK query selects nothing to export")
    if result.kind == "graph":
        from impactkg.graph.sparql.terms import to_ox

        triples = [ox.Quad(*(to_ox(t) for t in triple)) for triple in result.triples]
        if not triples:
            raise ExportError(f"{query}: the query constructed no triples")
        return [], triples
    iris: list[str] = []
    for row in result.rows:
        for term in row:
            if isinstance(term, rdflib.URIRef) and str(term) not in iris:
                iris.append(str(term))
    if not iris:
        raise ExportError(
            f"{query}: the query returned {len(result.rows)} rows but no resource (IRI) to export"
        )
    return iris, []


def _domain_resources(kg, iri: str) -> list[str]:
    rows = kg.sparql(
        "SELECT DISTINCT ?s WHERE { { ?s ikg:domain ?d } UNION { ?m ikg:domain ?d ; ikg:hasElement ?s }"
        " UNION { ?i ikg:domain ?d ; ikg:hasValue ?s } UNION { ?i ikg:domain ?d ; ikg:measures ?s } }",
        {"d": ox.NamedNode(iri)},
    ).rows
    return [iri] + sorted(str(r[0]) for r in rows)


def resource_graph(kg):  # -> networkx.Graph
    """The undirected graph of links between resources (no types, schemes or provenance)."""
    import networkx as nx

    g = nx.Graph()
    for q in _data_quads(kg):
        if isinstance(q.object, ox.NamedNode) and q.predicate.value not in NOT_EDGES:
            g.add_edge(q.subject.value, q.object.value)
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
                triples = [q for q in triples if q.subject.value in have]
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


def _with_status(kg, status: str) -> set[str]:
    """The resources whose ``ikg:assertionStatus`` is ``status``; an unknown status is an error."""
    from impactkg.ontology import ASSERTION_STATUSES, status_iri

    if status not in ASSERTION_STATUSES:
        raise ExportError(f"unknown assertion status {status!r} (use: {', '.join(ASSERTION_STATUSES)})")
    rows = kg.sparql("SELECT DISTINCT ?s WHERE { ?s ikg:assertionStatus ?st }",
                     {"st": ox.NamedNode(status_iri(status))}).rows
    return {str(r[0]) for r in rows}


# ---------------------------------------------------------------------- RDF
@cache
def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped as ``ontology/context.jsonld`` (prefixes and a few terms)."""
    with open(ontology_dir() / "context.jsonld", encoding="utf-8") as fh:
        return json.load(fh)["@context"]


def _atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    write_atomically(path, write, ExportError)


def _dedupe_triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            yield t


def to_dataset(quads: Iterable[ox.Quad]):  # -> rdflib.Dataset
    """The quads as an rdflib ``Dataset`` (named graphs kept)."""
    import rdflib

    from impactkg.graph.sparql.terms import to_rdflib

    ds = rdflib.Dataset()
    graphs: dict[str, Any] = {}
    for q in quads:
        g = q.graph_name
        key = g.value if isinstance(g, ox.NamedNode) else ""
        if key not in graphs:
            graphs[key] = ds.graph(rdflib.URIRef(key)) if key else ds.default_context
        graphs[key].add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds


def write_jsonld(quads: Iterable[ox.Quad], out: IO[bytes]) -> None:
    """JSON-LD with the shipped context inline (readers never fetch a remote context); one
    ``@graph`` per named graph."""
    ds = to_dataset(quads)
    text = ds.serialize(format="json-ld", context=jsonld_context(), indent=1)
    out.write(text.encode("utf-8") if isinstance(text, str) else text)


def write_rdf(kg, selection: Selection, path: str | Path, fmt: str, progress: bool = False) -> int:
    """Write the selection (or the whole graph) as RDF ``fmt``; returns the number of quads.

    Named graphs are kept in N-Quads, TriG and JSON-LD; Turtle, N-Triples and RDF/XML hold
    their union.
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {fmt!r} (use one of: {', '.join(RDF_FORMATS)})")
    path = Path(path)
    if selection.whole and fmt != "jsonld":
        from impactkg.errors import StoreError

        try:
            kg.export(path, fmt)
        except StoreError as exc:
            raise ExportError(str(exc)) from None
        return len(kg)
    if selection.whole:
        quads = list(_bar(kg.quads(), len(kg), "reading", progress))
    else:
        quads = list(selection.quads or [])
    if fmt == "jsonld":
        _atomic(path, lambda fh: write_jsonld(quads, fh))
    elif fmt in QUAD_FORMATS:
        prefixes = dict(PREFIXES) if fmt == "trig" else None
        _atomic(path, lambda fh: ox.serialize(quads, fh, _OX_FORMATS[fmt], prefixes=prefixes))
    else:
        prefixes = dict(PREFIXES) if fmt == "ttl" else None
        _atomic(
            path,
            lambda fh: ox.serialize(_dedupe_triples(quads), fh, _OX_FORMATS[fmt], prefixes=prefixes),
        )
    return len(quads)


# ---------------------------------------------------------------------- graph files
def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri


def _short(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


#: Preferred node types, most specific first (local names of classes).
_TYPE_NAMES = {SDGO + "Goal": "SDGGoal", SDGO + "Target": "SDGTarget"}


def _node_type(types: set[str]) -> str:
    ours = sorted(t for t in types if t.startswith(IKG) and not t.endswith("LogicModelElement"))
    if ours:
        return _local(ours[0])
    for t in sorted(types):
        if t in _TYPE_NAMES:
            return _TYPE_NAMES[t]
    return _local(sorted(types)[0]) if types else "Resource"


def _polarity(value: str) -> str:
    v = _local(value).strip().lower()
    if v in ("+", "positive", "plus", "same", "s", "increase", "increases"):
        return "+"
    if v in ("-", "−", "negative", "minus", "opposite", "o", "decrease", "decreases"):
        return "-"
    if v in ("r", "reinforcing"):
        return "R"
    if v in ("b", "balancing"):
        return "B"
    return value


def to_networkx(quads: Iterable[ox.Quad]):  # -> networkx.MultiDiGraph
    """A directed multigraph of the resources in ``quads``.

    Nodes carry ``iri``, ``type``, ``label`` (Japanese first), ``label_ja``, ``label_en`` and
    ``domain``; edges carry ``relation`` (the property's local name), ``predicate`` (its IRI),
    and, for causal links (``ikg:CausalLink`` resources), ``polarity`` and ``loops`` (the
    feedback loops the link is a member of).
    """
    import networkx as nx

    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple] = set()
    onto = ox.NamedNode(ONTOLOGY_GRAPH)
    for q in quads:
        if q.graph_name == onto or isinstance(q.subject, ox.Triple):
            continue
        key = (q.subject, q.predicate, q.object)
        if key in seen:
            continue
        seen.add(key)
        props[q.subject.value][q.predicate.value].append(q.object)

    def types(s: str) -> set[str]:
        return {o.value for o in props.get(s, {}).get(TYPE, []) if isinstance(o, ox.NamedNode)}

    links = {s for s in props if any(_local(t) == "CausalLink" for t in types(s))}
    loops = {s for s in props if any(_local(t) == "FeedbackLoop" for t in types(s))}
    docs = {s for s in props if IKG + "SourceDocument" in types(s)}
    skip = links | loops | docs

    def labels(s: str) -> dict[str, str]:
        out = {"label_ja": "", "label_en": "", "label": ""}
        p = props.get(s, {})
        for pred in (SKOS + "prefLabel", RDFS + "label"):
            for o in p.get(pred, []):
                if not isinstance(o, ox.Literal):
                    continue
                lang = (o.language or "").split("-")[0]
                if lang == "ja" and not out["label_ja"]:
                    out["label_ja"] = o.value
                elif lang == "en" and not out["label_en"]:
                    out["label_en"] = o.value
                elif not lang and not out["label"]:
                    out["label"] = o.value
        notation = next((o.value for o in p.get(SKOS + "notation", [])), "")
        out["label"] = out["label_ja"] or out["label_en"] or out["label"] or notation or _local(s)
        return out

    g = nx.MultiDiGraph()

    def add_node(s: str) -> None:
        if s in g:
            return
        domains = [
            _local(o.value) for o in props.get(s, {}).get(IKG + "domain", [])
            if isinstance(o, ox.NamedNode)
        ]
        g.add_node(s, iri=s, type=_node_type(types(s)), domain=" ".join(sorted(set(domains))),
                   **labels(s))

    for s in props:
        if s not in skip:
            add_node(s)
    for s, p in props.items():
        if s in skip:
            continue
        for pred, objs in p.items():
            if pred in NOT_EDGES:
                continue
            for o in objs:
                if isinstance(o, ox.NamedNode) and o.value not in skip:
                    add_node(o.value)
                    g.add_edge(s, o.value, relation=_local(pred), predicate=pred, polarity="",
                               loops="", link="")
    found = []
    for link in sorted(links):
        ends: dict[str, str] = {}
        polarity = ""
        for pred, objs in props[link].items():
            name = _local(pred).lower()
            if not pred.startswith(IKG) or not objs:
                continue
            if name in ("fromfactor", "from", "cause"):
                ends["from"] = objs[0].value
            elif name in ("tofactor", "to", "effect"):
                ends["to"] = objs[0].value
            elif name in ("polarity", "sign"):
                polarity = _polarity(objs[0].value)
        if "from" in ends and "to" in ends:
            found.append((link, ends["from"], ends["to"], polarity))
    codes = _loop_codes(found, {lp: props[lp] for lp in loops})
    for link, source, target, polarity in found:
        add_node(source)
        add_node(target)
        g.add_edge(source, target, relation="causes", predicate=IKG + "CausalLink",
                   polarity=polarity, loops=" ".join(codes.get(link, [])), link=link)
    return g


def _loop_codes(
    links: list[tuple[str, str, str, str]], loops: dict[str, dict[str, list]]
) -> dict[str, list[str]]:
    """Loop codes (R1, B2, ...) of each causal link: computed by the maps analysis
    (:mod:`impactkg.graph.analysis.system`) where it is installed, else read from ``ikg:FeedbackLoop``
    resources."""
    out: dict[str, list[str]] = defaultdict(list)
    try:
        from impactkg.graph.analysis.system import Link, find_loops, number_loops
    except ImportError:  # pragma: no cover - the maps analysis is part of impactkg
        counts = {"R": 0, "B": 0}
        for loop in sorted(loops):
            pol = next((o.value for p, objs in loops[loop].items() if p.endswith("Polarity")
                        for o in objs), "")
            pol = _polarity(pol) if pol else "?"
            counts[pol] = counts.get(pol, 0) + 1
            for p, objs in loops[loop].items():
                for o in objs:
                    if p.startswith(IKG) and isinstance(o, ox.NamedNode):
                        out[o.value].append(f"{pol}{counts[pol]}")
        return out
    signed = [Link(s, t, p, link) for link, s, t, p in links if p in ("+", "-")]
    for code, loop in number_loops(find_loops(signed)):
        for member in loop.links:
            out[member.id].append(code)
    return out


def causal_links(quads: Iterable[ox.Quad]) -> list[tuple[str, str, dict]]:
    """The causal links among ``quads`` as (from, to, attributes) triples."""
    g = to_networkx(quads)
    return [(u, v, d) for u, v, d in g.edges(data=True) if d["relation"] == "causes"]


def write_graph(
    kg, selection: Selection, path: str | Path, fmt: str, progress: bool = False
) -> tuple[int, int]:
    """Write the selection (or the whole graph) as GraphML, GEXF or Cytoscape.js JSON;
    returns (nodes, edges)."""
    import networkx as nx

    if fmt not in GRAPH_FORMATS:
        raise ExportError(f"unknown graph format {fmt!r} (use one of: {', '.join(GRAPH_FORMATS)})")
    quads = (
        _bar(kg.quads(), len(kg), "reading", progress) if selection.whole else selection.quads or []
    )
    g = to_networkx(quads)
    g.graph["name"] = f"impactkg: {selection.what}"
    path = Path(path)
    if fmt == "graphml":
        _atomic(path, lambda fh: nx.write_graphml(g, fh, encoding="utf-8", prettyprint=True))
    elif fmt == "gexf":
        _atomic(path, lambda fh: nx.write_gexf(g, fh, encoding="utf-8", prettyprint=True))
    else:
        data = nx.cytoscape_data(g, name="label", ident="id")
        text = json.dumps(data, ensure_ascii=False, indent=1)
        _atomic(path, lambda fh: fh.write(text.encode("utf-8")))
    return g.number_of_nodes(), g.number_of_edges()


__all__ = [
    "RDF_FORMATS",
    "GRAPH_FORMATS",
    "QUAD_FORMATS",
    "ExportError",
    "Selection",
    "causal_links",
    "describe",
    "expand",
    "jsonld_context",
    "resolve_domain",
    "resolve_resource",
    "resource_graph",
    "select",
    "to_dataset",
    "to_networkx",
    "write_graph",
    "write_jsonld",
    "write_rdf",
]
