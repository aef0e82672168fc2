"""The schema as the graph uses it: each class with its instance count, labels and definition, the
properties its instances carry (how often, the kinds of value, an example, a one-line SPARQL
pattern that finds them), and the properties that point at it.

This is what a newcomer needs before writing SPARQL: ``?case ikg:socialIssue ?i`` finds nothing
because social issues hang on ``ikg:CaseMapEntry`` (which points at the case with ``ikg:case``),
and :meth:`Schema.used_on` says so. The ontology (``ontology/impactkg.ttl``) says what may be
stated; this says what is, counted over the default graph (the union of the named graphs, each
triple once).

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> s = describe(kg)
>>> indicator = s.cls("ikg:Indicator")
>>> indicator.count, indicator.label["en"]
(36, 'Indicator')
>>> [u.curie for u in s.used_on("ikg:socialIssue")]
['ikg:CaseMapEntry']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.ontology import curie

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Instances per class.
CLASS_COUNTS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"

#: Labels and definitions of the classes and properties in use, in Japanese and English.
TERM_TEXTS = """
SELECT ?t ?kind ?v WHERE {
  VALUES (?p ?kind) { (rdfs:label "label") (skos:prefLabel "label") (skos:definition "definition")
                      (rdfs:comment "definition") }
  { SELECT DISTINCT ?t WHERE { { ?s a ?t } UNION { ?s ?t ?o } } }
  ?t ?p ?v FILTER(lang(?v) IN ("ja", "en"))
}"""

#: Per class and property: triples, distinct subjects and an example value (each triple once).
USES = """
SELECT ?c ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) (MIN(STR(?o)) AS ?example) WHERE {
  { SELECT DISTINCT ?c ?s ?p ?o WHERE { ?s a ?c ; ?p ?o FILTER(isIRI(?c) && ?p != rdf:type) } }
} GROUP BY ?c ?p"""

#: Per class and property: the kinds of value (the class of an IRI value, a literal's datatype).
RANGES = """
SELECT ?c ?p ?range (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?c ?s ?p ?o WHERE { ?s a ?c ; ?p ?o FILTER(isIRI(?c) && ?p != rdf:type) } }
  OPTIONAL { ?o a ?oc FILTER(isIRI(?oc)) }
  BIND(IF(isLiteral(?o), datatype(?o), IF(BOUND(?oc), ?oc, IF(isBlank(?o), "blank node", "IRI"))) AS ?range)
} GROUP BY ?c ?p ?range"""

#: The logic-model chain, in order: (subject class, property, object class).
CHAIN = (
    ("ikg:Activity", "ikg:hasResult", "ikg:Result"),
    ("ikg:Result", "ikg:contributesTo", "ikg:Impact"),
    ("ikg:Impact", "ikg:servesTarget", "sdgo:Target"),
    ("sdgo:Target", "sdgo:isTargetOf", "sdgo:Goal"),
)
#: Indicators measure the elements of the chain.
MEASURES = ("ikg:Indicator", "ikg:measures")

Text = dict[str, str]


@dataclass
class Range:
    """A kind of value of a property on a class: a class (``ikg:Impact``), a datatype
    (``xsd:string``, ``rdf:langString``), ``IRI`` (an IRI of no class) or ``blank node``."""

    curie: str
    count: int


@dataclass
class PropertyUse:
    """A property as the instances of one class use it."""

    iri: str
    curie: str
    label: Text
    definition: Text
    count: int
    subjects: int
    ranges: list[Range]
    example: str
    pattern: str

    def query(self) -> str:
        """A SELECT that runs the pattern (every triple of it, each once)."""
        return f"SELECT DISTINCT * WHERE {{ {self.pattern} }} LIMIT 100"


@dataclass
class Incoming:
    """A property that points at instances of a class, from instances of another."""

    curie: str
    source: str
    count: int


@dataclass
class ClassInfo:
    """A class in use: instance count, labels, definition, properties and incoming links."""

    iri: str
    curie: str
    label: Text
    definition: Text
    count: int
    properties: list[PropertyUse] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """An HTML id: the CURIE with ``-`` for ``:``."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.curie)


@dataclass
class Schema:
    """Every class in use, most instances first, with what its instances carry."""

    classes: list[ClassInfo]

    def cls(self, name: str) -> ClassInfo:
        """The class with IRI or CURIE ``name``; KeyError when it has no instance."""
        for c in self.classes:
            if name in (c.iri, c.curie):
                return c
        raise KeyError(name)

    def used_on(self, prop: str) -> list[ClassInfo]:
        """The classes whose instances carry property ``prop`` (IRI or CURIE), most uses first."""
        found = [(u.count, c) for c in self.classes for u in c.properties if prop in (u.iri, u.curie)]
        return [c for _, c in sorted(found, key=lambda x: (-x[0], x[1].curie))]

    def properties(self) -> dict[str, dict[str, Any]]:
        """Every property in use: CURIE -> {iri, label, definition, uses: [(class CURIE, count)]}."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.classes:
            for u in c.properties:
                entry = out.setdefault(u.curie, {"iri": u.iri, "label": u.label, "definition": u.definition,
                                                 "uses": []})
                entry["uses"].append((c.curie, u.count))
        for entry in out.values():
            entry["uses"].sort(key=lambda x: (-x[1], x[0]))
        return dict(sorted(out.items()))

    def chain_counts(self) -> list[tuple[str, str, str, int]]:
        """The chain Activity → Result → Impact → Target → Goal (and what indicators measure), each
        link with the number of triples that make it."""
        out = []
        for a, p, b in CHAIN:
            out.append((a, p, b, self._links(a, p, b)))
        cls, p = MEASURES
        for c in self.classes:
            if c.curie == cls:
                for u in c.properties:
                    if u.curie == p:
                        out += [(cls, p, r.curie, r.count) for r in u.ranges]
        return out

    def _links(self, a: str, p: str, b: str) -> int:
        try:
            source = self.cls(a)
        except KeyError:
            return 0
        for u in source.properties:
            if u.curie == p:
                return sum(r.count for r in u.ranges if r.curie == b)
        return 0

    def to_json(self) -> dict[str, Any]:
        """Plain data for the pages (the editor's completions and the schema page)."""
        return {
            "classes": [
                {"iri": c.iri, "curie": c.curie, "label": c.label, "count": c.count,
                 "definition": c.definition}
                for c in self.classes
            ],
            "properties": [
                {"iri": v["iri"], "curie": k, "label": v["label"], "definition": v["definition"],
                 "count": sum(n for _, n in v["uses"]), "on": [u for u, _ in v["uses"]]}
                for k, v in self.properties().items()
            ],
        }


def _var(name: str, taken: str = "") -> str:
    """A SPARQL variable name from a CURIE's local part: ``ikg:unitText`` -> ``unitText``."""
    local = re.sub(r"\W", "_", name.split(":", 1)[-1].rsplit("/", 1)[-1]) or "x"
    local = local[0].lower() + local[1:]
    if not re.match(r"[A-Za-z_]", local):
        local = "v_" + local
    return local + "Value" if local == taken else local


def _texts(kg: KnowledgeGraph) -> tuple[dict[str, Text], dict[str, Text]]:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    definitions: dict[str, dict[str, str]] = defaultdict(dict)
    for t, kind, v in kg.sparql(TERM_TEXTS).terms:
        if not isinstance(t, ox.NamedNode) or not isinstance(v, ox.Literal):
            continue
        target = labels if _str(kind) == "label" else definitions
        target[t.value].setdefault(v.language or "", v.value)
    return labels, definitions


def _text(texts: dict[str, Text], iri: str) -> Text:
    found = texts.get(iri, {})
    return {"ja": found.get("ja", ""), "en": found.get("en", "")}


def _str(term: Any) -> str:
    """A term's value (an IRI, a literal's lexical form, a blank node's label); '' for unbound."""
    return "" if term is None else str(term.value)


def describe(kg: KnowledgeGraph) -> Schema:
    """The schema of ``kg`` as its data uses it (see the module). Runs four queries through the
    door; raises what :meth:`KnowledgeGraph.sparql` raises."""
    labels, definitions = _texts(kg)
    counts = {_str(c): int(_str(n)) for c, n in kg.sparql(CLASS_COUNTS).terms if isinstance(c, ox.NamedNode)}
    ranges: dict[tuple[str, str], list[Range]] = defaultdict(list)
    for c, p, kind, n in kg.sparql(RANGES).terms:
        if c is None or p is None or kind is None:
            continue
        shown = curie(kind.value) if isinstance(kind, ox.NamedNode) else _str(kind)
        ranges[(_str(c), _str(p))].append(Range(shown, int(_str(n))))
    classes = {
        iri: ClassInfo(iri, curie(iri), _text(labels, iri), _text(definitions, iri), n)
        for iri, n in counts.items()
    }
    for c, p, n, subjects, example in kg.sparql(USES).terms:
        info = classes.get(_str(c))
        if info is None or p is None:
            continue
        prop = _str(p)
        subject = _var(info.curie)
        obj = _var(curie(prop), taken=subject)
        pattern = f"?{subject} a {curie(info.iri, valid=True)} ; {curie(prop, valid=True)} ?{obj} ."
        found = sorted(ranges.get((info.iri, prop), []), key=lambda x: (-x.count, x.curie))
        info.properties.append(PropertyUse(
            prop, curie(prop), _text(labels, prop), _text(definitions, prop),
            int(_str(n)), int(_str(subjects)), found, _str(example), pattern,
        ))
    by_curie = {c.curie: c for c in classes.values()}
    for info in classes.values():
        info.properties.sort(key=lambda u: (-u.subjects, u.curie))
        for u in info.properties:
            for kind_of in u.ranges:
                if kind_of.curie in by_curie:
                    by_curie[kind_of.curie].incoming.append(Incoming(u.curie, info.curie, kind_of.count))
    for info in classes.values():
        info.incoming.sort(key=lambda x: (-x.count, x.curie, x.source))
    ordered = sorted(classes.values(), key=lambda c: (-c.count, c.curie))
    return Schema(ordered)
