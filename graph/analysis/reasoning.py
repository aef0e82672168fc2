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
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import ReasoningError
from impactkg.ontology import (
    DCTERMS,
    ONTOLOGY_GRAPH,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    XSD,
    graph_iri,
    ontology_file,
)

#: The named graph that holds the inferred triples.
INFERRED_GRAPH = graph_iri("inferred")
ONTOLOGY_IRI = "https://w3id.org/impactkg/ontology"
REASONERS = ("hermit", "owlrl")
SHOWN = 5  # clashes shown per axiom in the text report (all are in ReasoningReport.clashes)

_BUILTIN = (OWL, RDF, RDFS, XSD)
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
_SUBPROP = ox.NamedNode(RDFS + "subPropertyOf")
_SAME = ox.NamedNode(OWL + "sameAs")
_NOTHING = OWL + "Nothing"
_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
SKOS_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
OWL_ONTOLOGY = OWL + "Ontology"



@dataclass
class Clash:
    """One reason the graph is inconsistent: the resource, what is wrong, the axioms involved."""

    iri: str
    message: str
    axioms: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"  <{self.iri}>: {self.message}" if self.iri else f"  {self.message}"]
        lines += [f"      axiom: {a}" for a in self.axioms]
        lines += [f"      because: {e}" for e in self.evidence]
        return "\n".join(lines)


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


# ---------------------------------------------------------------------- Java
def find_java(java: str | None = None) -> str | None:
    """The Java runtime to run HermiT with, or None when there is none that works.

    Looks at ``java`` (a path), then ``$JAVA_HOME/bin/java``, then ``java`` on the ``PATH``.

    >>> find_java("/nonexistent/java") is None
    True
    """
    candidates = [java] if java else []
    if not java and os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    if not java:
        found = shutil.which("java")
        if found:
            candidates.append(found)
    for exe in candidates:
        if not exe or not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            continue
        try:
            done = subprocess.run([exe, "-version"], capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return exe
    return None


NO_JAVA = (
    "no working Java runtime found: HermiT needs one (install a JRE, e.g. Debian's "
    "default-jre-headless, or set JAVA_HOME); falling back to OWL 2 RL rules (owlrl), which "
    "check consistency only for what the OWL 2 RL profile covers"
)


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


# ---------------------------------------------------------------------- HermiT
def _hermit(nt: bytes, java: str) -> tuple[bool, set[ox.Triple], list[str]]:
    """Run HermiT through owlready2 on N-Triples; (consistent, inferred triples, notes)."""
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError

    world = owlready2.World()  # a fresh world per run: nothing leaks between runs
    saved_java = owlready2.JAVA_EXE
    notes: list[str] = []
    try:
        world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(nt), format="ntriples")
        owlready2.JAVA_EXE = java
        try:
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True
            )
        except OwlReadyInconsistentOntologyError:
            return False, set(), notes
        except OwlReadyJavaError as exc:
            detail = " ".join(str(exc).split())[:300]
            raise ReasoningError(f"HermiT failed: {detail}") from None
        inferred: set[ox.Triple] = set()
        onto = world.get_ontology("http://inferrences/")
        for triple in onto.get_triples(None, None, None):
            if len(triple) != 3 or not all(isinstance(x, int) and x > 0 for x in triple):
                continue  # blank nodes and literals: not needed
            s, p, o = (world._unabbreviate(x) for x in triple)
            if o == _NOTHING and p in (OWL + "equivalentClass", RDFS + "subClassOf"):
                notes.append(f"class <{s}> is unsatisfiable (equivalent to owl:Nothing)")
                continue
            inferred.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
        return True, inferred, notes
    finally:
        owlready2.JAVA_EXE = saved_java
        world.close()


def hermit_version() -> str:
    import owlready2

    return f"HermiT (owlready2 {owlready2.VERSION})"


_COMPLETE = [
    # super-properties of every relation
    "CONSTRUCT { ?s ?q ?o } WHERE { ?p rdfs:subPropertyOf+ ?q . ?s ?p ?o FILTER(?p != ?q) "
    "FILTER NOT EXISTS { ?s ?q ?o } }",
    # the inverse of every relation
    "CONSTRUCT { ?o ?q ?s } WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } "
    "?s ?p ?o FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s } }",
    # the class hierarchy, transitively
    "CONSTRUCT { ?a rdfs:subClassOf ?c } WHERE { ?a rdfs:subClassOf+ ?c "
    "FILTER(isIRI(?a) && isIRI(?c) && ?a != ?c) FILTER NOT EXISTS { ?a rdfs:subClassOf ?c } }",
    # every superclass of an individual's types
    "CONSTRUCT { ?x a ?c } WHERE { ?x a ?t . ?t rdfs:subClassOf+ ?c FILTER(isIRI(?c)) "
    "FILTER NOT EXISTS { ?x a ?c } }",
]


def _complete(triples: set[ox.Triple]) -> set[ox.Triple]:
    """What follows from HermiT's results by sub-properties, inverses and superclasses.

    owlready2 keeps HermiT's direct types and the property values whose inverse is not
    asserted; this adds the rest, to a fixpoint.
    """
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    out = set(triples)
    for _ in range(10):
        new = set()
        for q in _COMPLETE:
            new |= set(store.query(q, prefixes=PREFIXES)) - out
        if not new:
            break
        out |= new
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in new)
    return out


# ---------------------------------------------------------------------- OWL 2 RL
def _owlrl(nt: bytes) -> tuple[set[ox.Triple], list[str]]:
    """The OWL 2 RL closure of the N-Triples: (every triple of the closure, error messages)."""
    import owlrl
    import rdflib

    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(g)
    errors = []
    for node in list(g.subjects(rdflib.RDF.type, rdflib.URIRef(_ERROR_NS + "ErrorMessage"))):
        for msg in g.objects(node, rdflib.URIRef(_ERROR_NS + "error")):
            errors.append(" ".join(str(msg).split()))
        g.remove((node, None, None))
    out = set()
    from impactkg.graph.sparql.terms import to_ox

    for s, p, o in g:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            continue  # generalised RDF that OWL 2 RL rules may produce
        out.add(ox.Triple(to_ox(s), to_ox(p), to_ox(o)))
    return out, sorted(set(errors))


def owlrl_version() -> str:
    from importlib.metadata import version

    return f"OWL 2 RL rules (owlrl {version('owlrl')})"


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
        return _curie(p.value)
    return None


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def _schema(store: ox.Store) -> tuple[set[str], set[str]]:
    """(classes and properties: the schema's IRIs, the declared object/datatype properties)."""
    terms, props = set(), set()
    q = (
        "SELECT ?x ?k WHERE { ?x a ?k VALUES ?k { owl:Class rdfs:Class owl:ObjectProperty "
        "owl:DatatypeProperty owl:TransitiveProperty owl:SymmetricProperty owl:AnnotationProperty "
        "rdf:Property owl:FunctionalProperty owl:InverseFunctionalProperty skos:ConceptScheme "
        "owl:Ontology } }"
    )
    for row in store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True):
        if isinstance(row["x"], ox.NamedNode):
            terms.add(row["x"].value)
            if row["k"].value != OWL + "Class" and row["k"].value != RDFS + "Class":
                if row["k"].value not in (OWL + "AnnotationProperty", SKOS_SCHEME, OWL_ONTOLOGY):
                    props.add(row["x"].value)
    return terms, props



# ---------------------------------------------------------------------- diagnosis
_MEMBERS = """
SELECT ?x ?how ?via ?g ?c WHERE {
  { GRAPH ?g { ?x a ?via } ?via rdfs:subClassOf* ?c BIND("type" AS ?how) }
  UNION
  { GRAPH ?g { ?x ?via ?o } ?via rdfs:subPropertyOf*/rdfs:domain/rdfs:subClassOf* ?c
    BIND("domain" AS ?how) }
  UNION
  { GRAPH ?g { ?s ?via ?x } FILTER(!isLiteral(?x))
    ?via rdfs:subPropertyOf*/rdfs:range/rdfs:subClassOf* ?c BIND("range" AS ?how) }
}
"""

_DISJOINT = """
SELECT DISTINCT ?a ?b ?stated WHERE {
  { ?a owl:disjointWith ?b BIND(true AS ?stated) }
  UNION
  { ?all a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b FILTER(STR(?a) < STR(?b))
    BIND(false AS ?stated) }
  FILTER(isIRI(?a) && isIRI(?b))
}
ORDER BY DESC(?stated) ?a ?b
"""

_RANGES = """
SELECT ?s ?p ?o ?r ?g WHERE {
  ?p rdfs:range ?r . FILTER(isIRI(?r))
  GRAPH ?g { ?s ?p ?o }
}
"""

_INTEGER_TYPES = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte",
}  # fmt: skip


def _literal_fits(lit: ox.Literal, rng: str) -> str | None:
    """None when ``lit`` is a value of datatype ``rng``, else why not."""
    dt = lit.datatype.value
    if rng in (RDFS + "Literal", RDF + "PlainLiteral"):
        return None
    if rng == RDF + "langString":
        return None if lit.language else f"{_show(lit)} has no language tag"
    if not rng.startswith(XSD):
        return None
    want = rng[len(XSD) :]
    if lit.language:
        return f"{_show(lit)} is language-tagged text (rdf:langString), not xsd:{want}"
    have = dt[len(XSD) :] if dt.startswith(XSD) else None
    numeric = {"decimal", *_INTEGER_TYPES}
    if want in ("decimal", *_INTEGER_TYPES) and have in numeric:
        try:
            value = Decimal(lit.value)
        except InvalidOperation:
            return f"{_show(lit)} is not a number"
        if want in _INTEGER_TYPES and value != value.to_integral_value():
            return f"{_show(lit)} is not a whole number"
        if want == "nonNegativeInteger" and value < 0 or want == "positiveInteger" and value <= 0:
            return f"{_show(lit)} is out of the range of xsd:{want}"
        return None
    if have == want:
        return None
    return f"{_show(lit)} is {_curie(dt)}, not xsd:{want}"


def _show(term) -> str:
    text = term.value if hasattr(term, "value") else str(term)
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(term, ox.Literal):
        return f'"{text}"' + (f"@{term.language}" if term.language else "")
    return f"<{text}>"


def diagnose(store: ox.Store) -> list[Clash]:
    """Explain an inconsistency: disjoint classes with a common member, ill-typed values.

    ``store`` holds the reasoner's input in named graphs (the evidence names them).
    """
    clashes: list[Clash] = []
    run = lambda q, **subs: store.query(  # noqa: E731
        q,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in subs.items()},
    )
    pairs: dict[frozenset, tuple[str, str]] = {}
    for r in run(_DISJOINT):  # as the ontology states them; each pair once
        pairs.setdefault(frozenset((r["a"].value, r["b"].value)), (r["a"].value, r["b"].value))
    members: dict[str, dict[str, list[str]]] = {}
    for cls in sorted({c for pair in pairs.values() for c in pair}):
        found: dict[str, list[str]] = {}
        for r in run(_MEMBERS, c=ox.NamedNode(cls)):
            if not isinstance(r["x"], ox.NamedNode | ox.BlankNode):
                continue
            via, g = _curie(r["via"].value), r["g"].value
            how = {
                "type": f"it is typed {via} (in <{g}>)",
                "domain": f"it is the subject of {via}, whose domain is {_curie(cls)} or below (in <{g}>)",
                "range": f"it is the object of {via}, whose range is {_curie(cls)} or below (in <{g}>)",
            }[r["how"].value]
            lines = found.setdefault(r["x"].value, [])
            if how not in lines:
                lines.append(how)
        members[cls] = found
    for a, b in pairs.values():
        for x in sorted(set(members[a]) & set(members[b])):
            clashes.append(
                Clash(
                    iri=x,
                    message=f"member of the disjoint classes {_curie(a)} and {_curie(b)}",
                    axioms=[f"{_curie(a)} owl:disjointWith {_curie(b)}"],
                    evidence=[f"{_curie(a)}: {e}" for e in members[a][x][:3]]
                    + [f"{_curie(b)}: {e}" for e in members[b][x][:3]],
                )
            )
    kinds = {}
    for r in run("SELECT ?p ?k WHERE { ?p a ?k VALUES ?k { owl:ObjectProperty owl:DatatypeProperty } }"):
        kinds.setdefault(r["p"].value, set()).add(r["k"].value)
    for r in run(_RANGES):
        s, p, o, rng, g = r["s"], r["p"].value, r["o"], r["r"].value, r["g"].value
        axiom = f"{_curie(p)} rdfs:range {_curie(rng)}"
        datatype_prop = OWL + "DatatypeProperty" in kinds.get(p, ())
        if isinstance(o, ox.Literal):
            problem = _literal_fits(o, rng)
            if problem is None and OWL + "ObjectProperty" in kinds.get(p, ()):
                problem = f"{_show(o)} is a literal, but {_curie(p)} is an object property"
                axiom = f"{_curie(p)} a owl:ObjectProperty"
        elif datatype_prop:
            problem = f"{_show(o)} is a resource, but {_curie(p)} is a datatype property"
            axiom = f"{_curie(p)} a owl:DatatypeProperty"
        else:
            continue
        if problem:
            clashes.append(
                Clash(
                    iri=s.value if isinstance(s, ox.NamedNode) else str(s),
                    message=f"{_curie(p)} value contradicts the ontology: {problem}",
                    axioms=[axiom],
                    evidence=[f"asserted in <{g}>"],
                )
            )
    return sorted(clashes, key=lambda c: (c.axioms, c.iri, c.message))


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

    if reasoner == "hermit":
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
    "Clash",
    "ReasoningError",
    "ReasoningReport",
    "diagnose",
    "drop_inferences",
    "reasoning_file",
    "find_java",
    "reason",
]
