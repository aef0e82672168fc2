"""OWL reasoning over the graph: a consistency check and the triples the ontology implies.

The ontology (with the property chains of ``ontology/reasoning.ttl``) and the data (every named
graph but the inferred one) are loaded into a fresh
owlready2 ``World`` as N-Triples, and HermiT (Java) checks consistency, classifies the classes,
realises the individuals and computes the object-property values: property chains (an activity's
``ikg:hasImpact``, ``ikg:advancesTarget``, ``ikg:advancesGoal``), inverses and transitivity. What
follows from those results by super-properties, inverses and superclasses (owlready2 keeps only
direct types and drops values whose inverse is asserted) is added by SPARQL rules. Everything new
goes into its own named graph :data:`INFERRED_GRAPH`, which each run replaces and
:func:`drop_inferences` removes.

Without Java, the OWL 2 RL rules run alone: they cover chains, inverses, sub-classes, domains and
ranges, and detect disjoint classes with a common member, but not all of OWL 2 DL.

An inconsistency is explained by checks run on the graph itself: members of two disjoint classes
(by asserted type, or through a property's domain or range) and values that contradict a
property's declared datatype; each names the IRIs and the axioms involved.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> report = reason(kg)  # doctest: +SKIP
>>> report.consistent  # doctest: +SKIP
True
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import ReasoningError
from impactkg.graph.analysis.clashes import Clash, diagnose
from impactkg.graph.analysis.reasoners import (
    NO_JAVA,
    ONTOLOGY_IRI,
    _complete,
    _hermit,
    _owlrl,
    find_java,
    hermit_version,
    owlrl_version,
)
from impactkg.ontology import (
    DCTERMS,
    ONTOLOGY_GRAPH,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    XSD,
    curie,
    graph_iri,
    ontology_file,
)

#: The named graph that holds the inferred triples.
INFERRED_GRAPH = graph_iri("inferred")
REASONERS = ("hermit", "owlrl")
SHOWN = 5  # clashes shown per axiom in the text report (all are in ReasoningReport.clashes)

_BUILTIN = (OWL, RDF, RDFS, XSD)
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
_SUBPROP = ox.NamedNode(RDFS + "subPropertyOf")
_SAME = ox.NamedNode(OWL + "sameAs")
SKOS_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
OWL_ONTOLOGY = OWL + "Ontology"



@dataclass
class ReasoningReport:
    """What a reasoning run found: consistency, clashes, and the inferred triples by kind."""

    reasoner: str
    consistent: bool
    graph: str = INFERRED_GRAPH
    counts: Counter = field(default_factory=Counter)
    clashes: list[Clash] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def inferred(self) -> int:
        """How many triples were inferred (the size of the inferred graph, less its header)."""
        return sum(self.counts.values())

    def text(self) -> str:
        lines = [f"note: {n}" for n in self.notes]
        lines.append(f"reasoner: {self.reasoner}")
        if self.consistent:
            lines.append("consistent: yes")
            for kind, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {n:>6}  {kind}")
            where = f"written to <{self.graph}>" if self.written else "not written"
            lines.append(f"inferred triples: {self.inferred}, {where}")
        else:
            lines.append(f"consistent: NO ({len(self.clashes)} clash(es))")
            groups: dict[tuple[str, ...], list[Clash]] = {}
            for c in self.clashes:
                groups.setdefault(tuple(c.axioms), []).append(c)
            for same in groups.values():
                lines += [c.text() for c in same[:SHOWN]]
                if len(same) > SHOWN:
                    lines.append(f"  ... and {len(same) - SHOWN} more against the same axiom")
            lines.append(f"nothing inferred; <{self.graph}> holds no stale inferences")
        return "\n".join(lines)


# ---------------------------------------------------------------------- input
def reasoning_file() -> Path:
    """The ontology's axioms that only the reasoner reads (property chains, as RDF lists)."""
    return ontology_file().with_name("reasoning.ttl")


def _input_quads(kg) -> list[ox.Quad]:
    """Every quad but the inferred ones, the reasoning axioms, and the ontology file too when
    the graph lacks it."""
    from impactkg.loaders.rdf import parse_rdf

    quads = [q for q in kg.quads() if q.graph_name != ox.NamedNode(INFERRED_GRAPH)]
    files = [(reasoning_file(), ONTOLOGY_GRAPH + "/reasoning")]
    if not any(q.graph_name == ox.NamedNode(ONTOLOGY_GRAPH) for q in quads):
        files.append((ontology_file(), ONTOLOGY_GRAPH))
    for path, graph in files:
        for qs in parse_rdf(path, graph).values():
            quads.extend(qs)
    return quads


def _ntriples(triples) -> bytes:
    buf = io.BytesIO()
    ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


# ---------------------------------------------------------------------- filtering
def _builtin(iri: str) -> bool:
    return iri.startswith(_BUILTIN)


def _keep(
    t: ox.Triple, asserted: set[ox.Triple], schema: set[str], props: set[str]
) -> str | None:
    """The kind of an inferred triple worth keeping, or None for noise and known triples."""
    s, p, o = t.subject, t.predicate, t.object
    if t in asserted or not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
        return None
    if p == _TYPE:
        if isinstance(o, ox.NamedNode) and not _builtin(o.value) and s.value not in schema:
            return "rdf:type"
        return None
    if p in (_SUBCLASS, _SUBPROP):
        if isinstance(o, ox.NamedNode) and s != o and not _builtin(o.value) and not _builtin(s.value):
            return "rdfs:subClassOf" if p == _SUBCLASS else "rdfs:subPropertyOf"
        return None
    if p == _SAME:
        return "owl:sameAs" if s != o else None
    if p.value in props and not _builtin(p.value) and s.value not in schema:
        return curie(p.value, valid=True)
    return None


def _schema(store: ox.Store) -> tuple[set[str], set[str]]:
    """(classes and properties: the schema's IRIs, the declared object/datatype properties)."""
    terms, props = set(), set()
    q = (
        "SELECT ?x ?k WHERE { ?x a ?k VALUES ?k { owl:Class rdfs:Class owl:ObjectProperty "
        "owl:DatatypeProperty owl:TransitiveProperty owl:SymmetricProperty owl:AnnotationProperty "
        "rdf:Property owl:FunctionalProperty owl:InverseFunctionalProperty skos:ConceptScheme "
        "owl:Ontology } }"
    )
    rows = store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)  # q is a SELECT
    for row in rows:
        if isinstance(row["x"], ox.NamedNode):
            terms.add(row["x"].value)
            if row["k"].value != OWL + "Class" and row["k"].value != RDFS + "Class":
                if row["k"].value not in (OWL + "AnnotationProperty", SKOS_SCHEME, OWL_ONTOLOGY):
                    props.add(row["x"].value)
    return terms, props



# ---------------------------------------------------------------------- the run
def reason(
    kg,
    *,
    reasoner: str = "hermit",
    java: str | None = None,
    write: bool = True,
) -> ReasoningReport:
    """Check the graph's consistency and (when consistent) write the inferred triples.

    ``reasoner``: ``"hermit"`` (falls back to ``"owlrl"`` with a note when no Java runtime is
    found) or ``"owlrl"``. The inferred graph is replaced; when the graph is inconsistent it is
    removed, since stale inferences would mislead.

    >>> report = reason(kg, reasoner="owlrl")  # doctest: +SKIP
    >>> report.counts["ikg:advancesGoal"] > 0  # doctest: +SKIP
    True
    """
    if reasoner not in REASONERS:
        raise ReasoningError(f"unknown reasoner {reasoner!r} (use one of: {', '.join(REASONERS)})")
    notes: list[str] = []
    exe = None
    if reasoner == "hermit":
        exe = find_java(java)
        if exe is None:
            notes.append(NO_JAVA)
            reasoner = "owlrl"
    quads = _input_quads(kg)
    store = ox.Store()
    store.extend(quads)
    asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    nt = _ntriples(asserted)

    if exe is not None:  # HermiT: the Java runtime was found (else reasoner is now "owlrl")
        name = hermit_version()
        consistent, hermit_triples, more = _hermit(nt, exe)
        notes += more
        if not consistent:
            return _inconsistent(kg, name, store, notes, [], write)
        closure = _complete(asserted | hermit_triples)
    else:
        name = owlrl_version()
        # diagnose() (disjoint classes, ill-typed values) stands in for the datatype reasoning
        # that the OWL 2 RL rules here leave out
        if diagnose(store):
            return _inconsistent(kg, name, store, notes, [], write)
        closure, errors = _owlrl(nt)
        if errors:
            return _inconsistent(kg, name, store, notes, errors, write)

    schema, props = _schema(store)
    report = ReasoningReport(reasoner=name, consistent=True, notes=notes)
    kept: list[ox.Quad] = []
    graph = ox.NamedNode(INFERRED_GRAPH)
    for t in sorted(closure, key=str):
        kind = _keep(t, asserted, schema, props)
        if kind:
            report.counts[kind] += 1
            kept.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    if write:
        header = [
            ox.Quad(graph, ox.NamedNode(DCTERMS + "creator"), ox.Literal(name), graph),
            ox.Quad(
                graph,
                ox.NamedNode(DCTERMS + "created"),
                ox.Literal(
                    datetime.now(UTC).replace(microsecond=0).isoformat(),
                    datatype=ox.NamedNode(XSD + "dateTime"),
                ),
                graph,
            ),
            ox.Quad(graph, ox.NamedNode(RDFS + "comment"), ox.Literal(
                "Triples inferred from the ontology by `impactkg reason`; dropped and recomputed "
                "by every run", language="en"), graph),  # fmt: skip
        ]
        # The store's own replace-graphs step keeps a load atomic; reasoning writes the same way.
        kg.replace_graphs({INFERRED_GRAPH: kept + header}, [("reasoner", INFERRED_GRAPH, 0, len(kept))])
        report.written = True
    return report


def _inconsistent(kg, name, store, notes, errors, write) -> ReasoningReport:
    clashes = diagnose(store)
    described = {c.iri for c in clashes}
    for msg in errors:
        if msg.startswith("Disjoint classes") and described:
            continue  # already explained, with its evidence
        clashes.append(Clash(iri="", message=f"OWL 2 RL: {msg}"))
    if not clashes:
        clashes.append(
            Clash(
                iri="",
                message="the reasoner found the graph inconsistent, and no check for disjoint "
                "classes or ill-typed values explains it: look for axioms that restrict "
                "cardinality, functional or irreflexive properties, or owl:Nothing",
            )
        )
    if write and INFERRED_GRAPH in kg.graphs():
        kg.drop(INFERRED_GRAPH)
    return ReasoningReport(reasoner=name, consistent=False, clashes=clashes, notes=notes)


def drop_inferences(kg) -> bool:
    """Remove the inferred graph; True when there was one.

    >>> drop_inferences(kg)  # doctest: +SKIP
    False
    """
    if INFERRED_GRAPH in kg.graphs():
        kg.drop(INFERRED_GRAPH)
        return True
    return False


__all__ = [
    "INFERRED_GRAPH",
    "NO_JAVA",
    "ONTOLOGY_IRI",
    "Clash",
    "ReasoningError",
    "ReasoningReport",
    "diagnose",
    "drop_inferences",
    "reasoning_file",
    "find_java",
    "reason",
]
