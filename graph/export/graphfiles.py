"""Graph files for Gephi, yEd and Cytoscape: GraphML, GEXF 1.2 and Cytoscape.js JSON.

Every file holds the same directed multigraph (:func:`to_networkx`), with typed attributes:

======  =====================================================================================
nodes   ``iri``, ``type`` (the class's local name), ``map_class`` (the legend key of the
        interactive maps), ``label`` (Japanese first), ``label_ja``, ``label_en``, ``domain``
        (strings); ``degree`` (integer: links in and out); ``doubtful`` (boolean: the record has
        fields flagged as OCR-damaged); ``source_line`` (integer, where the record gives the
        line of its source)
edges   ``relation`` (the property's local name), ``predicate`` (its IRI), ``polarity``,
        ``loops``, ``link`` (strings); causal links also ``inferred`` and ``delay`` (booleans)
        and ``source_line`` (integer) where the graph states them
======  =====================================================================================

GraphML declares each attribute with its ``attr.type`` (``string``, ``long``, ``boolean``);
GEXF with its ``type`` (``string``, ``long``, ``boolean``), and each node carries
``viz:color``, ``viz:size`` and ``viz:shape`` in the colours of the interactive maps
(:data:`impactkg.graph.maps.view.STYLES`), so that Gephi opens it coloured. The Cytoscape.js
JSON has the graph's attributes as the top-level ``data`` object, each node's ``color``,
``shape`` and ``size`` in its data and a ``style`` that uses them.

References: GEXF 1.2 (https://gexf.net, schema ``http://www.gexf.net/1.2draft``), GraphML
(http://graphml.graphdrawing.org), Cytoscape.js elements JSON (https://js.cytoscape.org).

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> from impactkg.graph.export.selection import select
>>> g = to_networkx(select(kg, domain="healthcare-health").quads)
>>> node = g.nodes["https://w3id.org/impactkg/concept/domain/healthcare-health"]
>>> node["label_en"], node["map_class"], node_style(node)["color"]
('Healthcare & Health', 'concept', '#e0e0e0')
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.graph.export.selection import (
    NOT_EDGES,
    TYPE,
    ExportError,
    Selection,
    _bar,
)
from impactkg.graph.files import write_atomically
from impactkg.ontology import IKG, ONTOLOGY_GRAPH, RDFS, SDGO, SKOS, XSD

GRAPH_FORMATS = ("graphml", "gexf", "cyjs")

#: Preferred node types, most specific first (local names of classes).
_TYPE_NAMES = {SDGO + "Goal": "SDGGoal", SDGO + "Target": "SDGTarget"}

#: Node type (local name of its class) -> legend key of the interactive maps (the keys of
#: :data:`impactkg.graph.maps.view.STYLES`). Factors take their factor type (``core-issue``,
#: ``issue``, ...) and organisations of type subcommittee or consortium take that type, as on
#: the maps; other SKOS concepts are ``concept``, anything else ``resource-other``.
MAP_CLASSES: dict[str, str] = {
    "Activity": "activity",
    "Result": "result",
    "Output": "result",
    "Outcome": "result",
    "Impact": "impact",
    "SDGTarget": "sdg-target",
    "SDGGoal": "sdg-goal",
    "Indicator": "indicator",
    "Factor": "factor",
    "Organization": "organization",
    "FinanceCase": "finance-case",
    "SupportBundle": "support-bundle",
    "FinanceMethod": "finance-method",
    "SocialIssue": "social-issue",
    "GrowthStage": "growth-stage",
    "Person": "person",
}

#: vis-network shapes of the maps -> GEXF 1.2 ``viz:shape`` (GEXF has disc, square, triangle,
#: diamond and image: the maps' hexagons and stars become diamonds).
GEXF_SHAPES: dict[str, str] = {
    "dot": "disc", "ellipse": "disc", "circle": "disc", "box": "square", "square": "square",
    "triangle": "triangle", "triangleDown": "triangle", "diamond": "diamond",
    "hexagon": "diamond", "star": "diamond",
}
#: vis-network shapes -> Cytoscape.js node shapes.
CYTOSCAPE_SHAPES: dict[str, str] = {
    "dot": "ellipse", "ellipse": "ellipse", "circle": "ellipse", "box": "round-rectangle",
    "square": "rectangle", "triangle": "triangle", "triangleDown": "triangle",
    "diamond": "diamond", "hexagon": "hexagon", "star": "star",
}

#: The Cytoscape.js style of the exported JSON: nodes drawn from their data.
CYTOSCAPE_STYLE: list[dict[str, Any]] = [
    {"selector": "node", "style": {"label": "data(label)", "background-color": "data(color)",
                                   "shape": "data(shape)", "width": "data(size)",
                                   "height": "data(size)", "font-size": 8}},
    {"selector": "edge", "style": {"curve-style": "bezier", "target-arrow-shape": "triangle",
                                   "width": 1, "line-color": "#9e9e9e",
                                   "target-arrow-color": "#9e9e9e"}},
]


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri


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


def _integer(objs: list) -> int | None:
    """The first xsd:integer literal of ``objs`` as an int (None when there is none)."""
    for o in objs:
        if isinstance(o, ox.Literal) and o.datatype.value == XSD + "integer":
            try:
                return int(o.value)
            except ValueError:
                continue
    return None


def _boolean(objs: list) -> bool | None:
    """The first xsd:boolean literal of ``objs`` (None when there is none)."""
    for o in objs:
        if isinstance(o, ox.Literal) and o.datatype.value == XSD + "boolean":
            if o.value in ("true", "1"):
                return True
            if o.value in ("false", "0"):
                return False
    return None


def _map_class(node_type: str, types: set[str], p: dict[str, list]) -> str:
    """The legend key of the interactive maps for a node (see :data:`MAP_CLASSES`)."""
    from impactkg.graph.maps import FACTOR_TYPES

    cls = MAP_CLASSES.get(node_type)
    if cls == "factor":
        ftype = next((o.value for o in p.get(IKG + "factorType", []) if isinstance(o, ox.Literal)), "")
        return ftype if ftype in FACTOR_TYPES else "factor"
    if cls == "organization":
        kinds = {_local(o.value) for o in p.get(IKG + "organizationType", [])
                 if isinstance(o, ox.NamedNode)}
        return next((k for k in ("subcommittee", "consortium") if k in kinds), "organization")
    if cls:
        return cls
    return "concept" if SKOS + "Concept" in types else "resource-other"


def node_style(attrs: dict[str, Any]) -> dict[str, Any]:
    """Colour (``#rrggbb``), vis-network shape and size of a node of :func:`to_networkx`, from
    the palette of the interactive maps; size grows with the square root of the degree
    (10 for an isolated node, 30 at 25 links)."""
    from impactkg.graph.maps.styles import node_style as _style

    style = _style(attrs.get("map_class") or "resource-other")
    size = round(10 + 4 * math.sqrt(max(0, int(attrs.get("degree") or 0))), 1)
    return {"color": style["color"], "shape": style["shape"], "size": size}


def to_networkx(quads: Iterable[ox.Quad]):  # -> networkx.MultiDiGraph
    """A directed multigraph of the resources in ``quads``, with the typed node and edge
    attributes listed in the module's documentation.

    Causal links (``ikg:CausalLink`` resources) become edges ``relation="causes"`` from factor to
    factor with their ``polarity`` and ``loops`` (the feedback loops the link is a member of);
    feedback loops and source documents are not nodes.
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

    g: nx.MultiDiGraph = nx.MultiDiGraph()

    def add_node(s: str) -> None:
        if s in g:
            return
        p = props.get(s, {})
        domains = [_local(o.value) for o in p.get(IKG + "domain", []) if isinstance(o, ox.NamedNode)]
        node_type = _node_type(types(s))
        attrs: dict[str, Any] = {
            "iri": s, "type": node_type, "map_class": _map_class(node_type, types(s), p),
            "domain": " ".join(sorted(set(domains))), **labels(s),
            "doubtful": bool(p.get(IKG + "doubtful")),
        }
        line = _integer(p.get(IKG + "sourceLine", []))
        if line is not None:
            attrs["source_line"] = line
        g.add_node(s, **attrs)

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
        extra: dict[str, Any] = {}
        for name, pred in (("inferred", IKG + "inferred"), ("delay", IKG + "delay")):
            value = _boolean(props[link].get(pred, []))
            if value is not None:
                extra[name] = value
        line = _integer(props[link].get(IKG + "sourceLine", []))
        if line is not None:
            extra["source_line"] = line
        g.add_edge(source, target, relation="causes", predicate=IKG + "CausalLink",
                   polarity=polarity, loops=" ".join(codes.get(link, [])), link=link, **extra)
    for n, degree in g.degree():
        g.nodes[n]["degree"] = int(degree)
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
    for code, found in number_loops(find_loops(signed)):
        for member in found.links:
            out[member.id].append(code)
    return out


def causal_links(quads: Iterable[ox.Quad]) -> list[tuple[str, str, dict]]:
    """The causal links among ``quads`` as (from, to, attributes) triples."""
    g = to_networkx(quads)
    return [(u, v, d) for u, v, d in g.edges(data=True) if d["relation"] == "causes"]


def _rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def gexf_bytes(g, description: str = "") -> bytes:
    """``g`` (from :func:`to_networkx`) as GEXF 1.2 (UTF-8): labels, typed attributes,
    ``viz:color`` / ``viz:size`` / ``viz:shape`` per node from the maps' palette; edges are
    labelled with their relation. The graph's name goes to ``<meta><description>``: GEXF 1.2
    has no name attribute on ``<graph>``."""
    from io import BytesIO

    import networkx as nx
    from networkx.readwrite.gexf import GEXFWriter

    from impactkg import __version__

    h = g.copy()
    for _, attrs in h.nodes(data=True):
        style = node_style(attrs)
        attrs["viz"] = {"color": {**_rgb(style["color"]), "a": 1.0}, "size": style["size"],
                        "shape": GEXF_SHAPES.get(style["shape"], "disc")}
    for *_, attrs in h.edges(data=True):
        attrs["label"] = attrs["relation"]
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(h)
    graph = writer.xml.find("graph")
    meta = writer.xml.find("meta")
    if graph is None or meta is None:  # pragma: no cover - networkx always writes both
        raise ExportError("networkx wrote no <graph> or <meta> element")
    graph.attrib.pop("name", None)
    creator = meta.find("creator")
    if creator is not None:
        creator.text = f"impactkg {__version__} (NetworkX {nx.__version__})"
    if description:
        from xml.etree.ElementTree import SubElement

        SubElement(meta, "description").text = description
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


def cytoscape_json(g) -> dict[str, Any]:
    """``g`` (from :func:`to_networkx`) as Cytoscape.js JSON: ``data`` (the graph's attributes,
    an object), ``elements`` (nodes with ``color``, ``shape`` and ``size`` in their data),
    ``style``, as ``networkx.cytoscape_graph`` and Cytoscape read it."""
    import networkx as nx

    from impactkg import __version__

    data = nx.cytoscape_data(g, name="label", ident="id")
    data["data"] = {str(k): v for k, v in g.graph.items()}
    for node in data["elements"]["nodes"]:
        style = node_style(node["data"])
        node["data"].update(color=style["color"], size=style["size"],
                            shape=CYTOSCAPE_SHAPES.get(style["shape"], "ellipse"))
    return {"format_version": "1.0", "generated_by": f"impactkg-{__version__}",
            "target_cytoscapejs_version": "~3", **data, "style": CYTOSCAPE_STYLE}


def write_graph(
    kg, selection: Selection, path: str | Path, fmt: str, progress: bool = False
) -> tuple[int, int]:
    """Write the selection (or the whole graph) as GraphML, GEXF or Cytoscape.js JSON;
    returns (nodes, edges). An unknown ``fmt`` or an unwritable ``path`` raises
    :class:`ExportError`."""
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
        write_atomically(path, lambda fh: nx.write_graphml(g, fh, encoding="utf-8", prettyprint=True),
                         ExportError)
    elif fmt == "gexf":
        write_atomically(path, gexf_bytes(g, g.graph["name"]), ExportError)
    else:
        text = json.dumps(cytoscape_json(g), ensure_ascii=False, indent=1)
        write_atomically(path, text.encode("utf-8"), ExportError)
    return g.number_of_nodes(), g.number_of_edges()
