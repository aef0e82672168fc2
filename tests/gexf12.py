"""A validator of static GEXF 1.2 files, written from the GEXF 1.2draft schema (``gexf.xsd``,
``data.xsd``, ``viz.xsd`` of http://www.gexf.net/1.2draft) since no package on PyPI ships the
XSD files and the tests never reach the network.

What it checks, as the schema says:

- the root ``gexf`` in namespace ``http://www.gexf.net/1.2draft`` with ``version="1.2"``, holding
  an optional ``meta`` (``creator``, ``keywords``, ``description``; ``lastmodifieddate`` an
  ``xs:date``) and one ``graph``;
- ``graph``: only the schema's attributes (``defaultedgetype`` directed/undirected/mutual,
  ``mode`` static/dynamic, ``idtype`` integer/string, ``timeformat``, ...) and the children
  ``attributes``, ``nodes``, ``edges``;
- ``attributes``: ``class`` node/edge (required), ``mode``; each ``attribute`` has ``id``,
  ``title`` and a ``type`` among integer, long, double, float, boolean, liststring, string,
  anyURI;
- ``node``: ``id`` (required), ``label``, ``pid``; children ``attvalues``, ``spells``, ``nodes``,
  ``edges``, ``parents``, ``viz:color``, ``viz:position``, ``viz:size``, ``viz:shape``, each at
  most once;
- ``edge``: ``id``, ``source``, ``target`` (required), ``type``, ``label``, ``weight`` (a float);
  children ``attvalues``, ``spells``, ``viz:color``, ``viz:thickness``, ``viz:shape``;
- ``viz:color``: ``r``, ``g``, ``b`` integers 0-255 (required), ``a`` a float 0-1;
  ``viz:size`` and ``viz:thickness``: ``value`` a float >= 0; ``viz:position``: ``x``, ``y``
  (required), ``z`` floats; ``viz:shape`` of a node: disc, square, triangle, diamond or image
  (with ``uri``), of an edge: solid, dotted, dashed or double;
- ``attvalue``: ``for`` and ``value`` (required).

And what the schema leaves to the text of the specification: ids are unique, an edge's ends are
nodes of the graph, an ``attvalue`` refers to an attribute declared for its class, and its value
is of the attribute's declared type.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

NS = "http://www.gexf.net/1.2draft"
VIZ = "http://www.gexf.net/1.2draft/viz"
TYPES = {"integer", "long", "double", "float", "boolean", "liststring", "string", "anyURI"}
TIME = {"start", "startopen", "end", "endopen"}
GRAPH_ATTRS = TIME | {"timeformat", "defaultedgetype", "idtype", "mode"}
NODE_SHAPES = {"disc", "square", "triangle", "diamond", "image"}
EDGE_SHAPES = {"solid", "dotted", "dashed", "double"}
DATE = re.compile(r"-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")


def q(name: str, ns: str = NS) -> str:
    return f"{{{ns}}}{name}"


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def attrs(self, el: ET.Element, where: str, allowed: set[str], required: set[str] = frozenset()) -> None:
        for name in el.attrib:
            if name not in allowed and not name.startswith("{http://www.w3.org/2001/XMLSchema-instance}"):
                self.err(where, f"attribute {name!r} is not allowed")
        for name in required:
            if name not in el.attrib:
                self.err(where, f"attribute {name!r} is required")

    def enum(self, el: ET.Element, where: str, name: str, values: set[str]) -> None:
        if name in el.attrib and el.attrib[name] not in values:
            self.err(where, f"{name}={el.attrib[name]!r} is not one of {sorted(values)}")

    def number(self, el: ET.Element, where: str, name: str, lo: float | None = None,
               hi: float | None = None, integer: bool = False) -> None:
        if name not in el.attrib:
            return
        text = el.attrib[name]
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            self.err(where, f"{name}={text!r} is not {'an integer' if integer else 'a number'}")
            return
        if isinstance(value, float) and math.isnan(value):
            self.err(where, f"{name} is NaN")
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            self.err(where, f"{name}={text} is outside [{lo}, {hi}]")

    def children(self, el: ET.Element, where: str, allowed: dict[str, int | None]) -> None:
        """``allowed``: tag -> maximum occurrences (None for unbounded)."""
        seen: dict[str, int] = {}
        for child in el:
            if child.tag not in allowed:
                self.err(where, f"element {child.tag} is not allowed here")
                continue
            seen[child.tag] = seen.get(child.tag, 0) + 1
            limit = allowed[child.tag]
            if limit is not None and seen[child.tag] > limit:
                self.err(where, f"element {child.tag} occurs more than {limit} time(s)")

    def value_of_type(self, value: str, kind: str) -> bool:
        try:
            if kind in ("integer", "long"):
                int(value)
            elif kind in ("double", "float"):
                float(value)
            elif kind == "boolean":
                return value in ("true", "false", "1", "0")
        except ValueError:
            return False
        return True

    # ------------------------------------------------------------------ elements
    def check(self, root: ET.Element) -> list[str]:
        if root.tag != q("gexf"):
            self.err("/", f"root element is {root.tag}, not {q('gexf')}")
            return self.errors
        self.attrs(root, "gexf", {"version", "variant"}, {"version"})
        if root.get("version") != "1.2":
            self.err("gexf", f"version={root.get('version')!r}, not '1.2'")
        kids = list(root)
        tags = [k.tag for k in kids]
        if tags not in ([q("graph")], [q("meta"), q("graph")]):
            self.err("gexf", f"children must be [meta] graph, found {tags}")
        for k in kids:
            if k.tag == q("meta"):
                self.meta(k)
            elif k.tag == q("graph"):
                self.graph(k)
        return self.errors

    def meta(self, el: ET.Element) -> None:
        self.attrs(el, "meta", {"lastmodifieddate"})
        date = el.get("lastmodifieddate")
        if date is not None and not DATE.match(date):
            self.err("meta", f"lastmodifieddate={date!r} is not an xs:date")
        self.children(el, "meta", {q("creator"): None, q("keywords"): None, q("description"): None})

    def graph(self, el: ET.Element) -> None:
        self.attrs(el, "graph", GRAPH_ATTRS)
        self.enum(el, "graph", "defaultedgetype", {"directed", "undirected", "mutual"})
        self.enum(el, "graph", "mode", {"static", "dynamic"})
        self.enum(el, "graph", "idtype", {"integer", "string"})
        self.children(el, "graph", {q("attributes"): None, q("nodes"): None, q("edges"): None})
        declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        for a in el.findall(q("attributes")):
            self.attributes(a, declared)
        node_ids: set[str] = set()
        for nodes in el.findall(q("nodes")):
            for i, node in enumerate(nodes):
                self.node(node, f"node[{i}]", declared["node"], node_ids)
        edge_ids: set[str] = set()
        for edges in el.findall(q("edges")):
            self.children(edges, "edges", {q("edge"): None})
            for i, edge in enumerate(edges):
                self.edge(edge, f"edge[{i}]", declared["edge"], node_ids, edge_ids)

    def attributes(self, el: ET.Element, declared: dict[str, dict[str, str]]) -> None:
        self.attrs(el, "attributes", {"class", "mode"} | TIME, {"class"})
        self.enum(el, "attributes", "class", {"node", "edge"})
        self.enum(el, "attributes", "mode", {"static", "dynamic"})
        self.children(el, "attributes", {q("attribute"): None})
        cls = el.get("class", "")
        for a in el:
            where = f"attribute {a.get('id')!r}"
            self.attrs(a, where, {"id", "title", "type"}, {"id", "title", "type"})
            self.enum(a, where, "type", TYPES)
            self.children(a, where, {q("default"): 1, q("options"): 1})
            if a.get("id") in declared.get(cls, {}):
                self.err(where, "declared twice")
            declared.setdefault(cls, {})[a.get("id", "")] = a.get("type", "")

    def attvalues(self, el: ET.Element, where: str, declared: dict[str, str]) -> None:
        self.children(el, where, {q("attvalue"): None})
        for av in el:
            self.attrs(av, where + "/attvalue", {"for", "value"} | TIME, {"for", "value"})
            kind = declared.get(av.get("for", ""))
            if kind is None:
                self.err(where, f"attvalue for={av.get('for')!r} refers to no declared attribute")
            elif not self.value_of_type(av.get("value", ""), kind):
                self.err(where, f"attvalue {av.get('value')!r} is not a valid {kind}")

    def color(self, el: ET.Element, where: str) -> None:
        self.attrs(el, where, {"r", "g", "b", "a"} | TIME, {"r", "g", "b"})
        for c in "rgb":
            self.number(el, where, c, 0, 255, integer=True)
        self.number(el, where, "a", 0.0, 1.0)

    def node(self, el: ET.Element, where: str, declared: dict[str, str], ids: set[str]) -> None:
        if el.tag != q("node"):
            self.err(where, f"element {el.tag} is not allowed in nodes")
            return
        self.attrs(el, where, {"id", "label", "pid"} | TIME, {"id"})
        if el.get("id") in ids:
            self.err(where, f"node id {el.get('id')!r} is not unique")
        ids.add(el.get("id", ""))
        self.children(el, where, {
            q("attvalues"): 1, q("spells"): 1, q("nodes"): 1, q("edges"): 1, q("parents"): 1,
            q("color", VIZ): 1, q("position", VIZ): 1, q("size", VIZ): 1, q("shape", VIZ): 1,
        })
        for child in el:
            if child.tag == q("attvalues"):
                self.attvalues(child, where, declared)
            elif child.tag == q("color", VIZ):
                self.color(child, where + "/viz:color")
            elif child.tag == q("size", VIZ):
                self.attrs(child, where + "/viz:size", {"value"} | TIME, {"value"})
                self.number(child, where + "/viz:size", "value", 0.0)
            elif child.tag == q("position", VIZ):
                self.attrs(child, where + "/viz:position", {"x", "y", "z"} | TIME, {"x", "y"})
                for c in "xyz":
                    self.number(child, where + "/viz:position", c)
            elif child.tag == q("shape", VIZ):
                self.attrs(child, where + "/viz:shape", {"value", "uri"} | TIME, {"value"})
                self.enum(child, where + "/viz:shape", "value", NODE_SHAPES)
                if child.get("value") == "image" and not child.get("uri"):
                    self.err(where, "an image shape needs a uri")

    def edge(self, el: ET.Element, where: str, declared: dict[str, str], nodes: set[str],
             ids: set[str]) -> None:
        self.attrs(el, where, {"id", "source", "target", "type", "label", "weight"} | TIME,
                   {"id", "source", "target"})
        self.enum(el, where, "type", {"directed", "undirected", "mutual"})
        self.number(el, where, "weight")
        if el.get("id") in ids:
            self.err(where, f"edge id {el.get('id')!r} is not unique")
        ids.add(el.get("id", ""))
        for end in ("source", "target"):
            if el.get(end) is not None and el.get(end) not in nodes:
                self.err(where, f"{end} {el.get(end)!r} is not a node")
        self.children(el, where, {q("attvalues"): 1, q("spells"): 1, q("color", VIZ): 1,
                                  q("thickness", VIZ): 1, q("shape", VIZ): 1})
        for child in el:
            if child.tag == q("attvalues"):
                self.attvalues(child, where, declared)
            elif child.tag == q("color", VIZ):
                self.color(child, where + "/viz:color")
            elif child.tag == q("thickness", VIZ):
                self.attrs(child, where + "/viz:thickness", {"value"} | TIME, {"value"})
                self.number(child, where + "/viz:thickness", "value", 0.0)
            elif child.tag == q("shape", VIZ):
                self.attrs(child, where + "/viz:shape", {"value"} | TIME, {"value"})
                self.enum(child, where + "/viz:shape", "value", EDGE_SHAPES)


def validate_gexf(source: str | Path | bytes) -> list[str]:
    """The schema violations of a GEXF 1.2 document (a path or its bytes); empty when valid."""
    root = ET.fromstring(source) if isinstance(source, bytes) else ET.parse(source).getroot()
    return Checker().check(root)
