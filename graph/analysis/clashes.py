"""Why a graph is inconsistent, found by checks on the graph itself: members of two disjoint
classes (by asserted type, or through a property's domain or range) and values that contradict a
property's declared datatype, each named with the IRIs and the axioms involved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from impactkg.ontology import OWL, PREFIXES, RDF, RDFS, XSD, curie


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
    return f"{_show(lit)} is {curie(dt, valid=True)}, not xsd:{want}"


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

    def run(q: str, **subs: ox.NamedNode) -> ox.QuerySolutions:
        result = store.query(
            q,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): v for k, v in subs.items()},
        )
        assert isinstance(result, ox.QuerySolutions)  # every query here is a SELECT
        return result

    pairs: dict[frozenset, tuple[str, str]] = {}
    for r in run(_DISJOINT):  # as the ontology states them; each pair once
        pairs.setdefault(frozenset((r["a"].value, r["b"].value)), (r["a"].value, r["b"].value))
    members: dict[str, dict[str, list[str]]] = {}
    for cls in sorted({c for pair in pairs.values() for c in pair}):
        found: dict[str, list[str]] = {}
        for r in run(_MEMBERS, c=ox.NamedNode(cls)):
            if not isinstance(r["x"], ox.NamedNode | ox.BlankNode):
                continue
            via, g = curie(r["via"].value, valid=True), r["g"].value
            how = {
                "type": f"it is typed {via} (in <{g}>)",
                "domain": f"it is the subject of {via}, whose domain is {curie(cls, valid=True)} or below (in <{g}>)",
                "range": f"it is the object of {via}, whose range is {curie(cls, valid=True)} or below (in <{g}>)",
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
                    message=f"member of the disjoint classes {curie(a, valid=True)} and {curie(b, valid=True)}",
                    axioms=[f"{curie(a, valid=True)} owl:disjointWith {curie(b, valid=True)}"],
                    evidence=[f"{curie(a, valid=True)}: {e}" for e in members[a][x][:3]]
                    + [f"{curie(b, valid=True)}: {e}" for e in members[b][x][:3]],
                )
            )
    kinds: dict[str, set[str]] = {}
    for r in run("SELECT ?p ?k WHERE { ?p a ?k VALUES ?k { owl:ObjectProperty owl:DatatypeProperty } }"):
        kinds.setdefault(r["p"].value, set()).add(r["k"].value)
    for r in run(_RANGES):
        s, p, o, rng, g = r["s"], r["p"].value, r["o"], r["r"].value, r["g"].value
        axiom = f"{curie(p, valid=True)} rdfs:range {curie(rng, valid=True)}"
        datatype_prop = OWL + "DatatypeProperty" in kinds.get(p, ())
        if isinstance(o, ox.Literal):
            problem = _literal_fits(o, rng)
            if problem is None and OWL + "ObjectProperty" in kinds.get(p, ()):
                problem = f"{_show(o)} is a literal, but {curie(p, valid=True)} is an object property"
                axiom = f"{curie(p, valid=True)} a owl:ObjectProperty"
        elif datatype_prop:
            problem = f"{_show(o)} is a resource, but {curie(p, valid=True)} is a datatype property"
            axiom = f"{curie(p, valid=True)} a owl:DatatypeProperty"
        else:
            continue
        if problem:
            clashes.append(
                Clash(
                    iri=s.value if isinstance(s, ox.NamedNode) else str(s),
                    message=f"{curie(p, valid=True)} value contradicts the ontology: {problem}",
                    axioms=[axiom],
                    evidence=[f"asserted in <{g}>"],
                )
            )
    return sorted(clashes, key=lambda c: (c.axioms, c.iri, c.message))


