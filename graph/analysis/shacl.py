"""SHACL Core constraints checked as SPARQL queries on the store: validation that scales with the
engine, not with Python (pySHACL walks the graph one node at a time, about 100 µs a triple).

:func:`compile_shapes` reads a shapes graph into :class:`Check` objects, one SPARQL query each,
when every shape uses only what this module knows (the SHACL 1.0 Core and SPARQL-based
constraints that impactkg's ``shapes.ttl`` uses):

- targets: ``sh:targetClass`` (SHACL instances: ``rdf:type/rdfs:subClassOf*``);
- property shapes with ``sh:path`` an IRI or ``[ sh:inversePath IRI ]``, and ``sh:minCount``,
  ``sh:maxCount``, ``sh:datatype`` (the value well-formed for xsd:string, boolean, integer,
  decimal, double, float, date, dateTime), ``sh:class``, ``sh:nodeKind``, ``sh:in``,
  ``sh:pattern`` (with ``sh:flags``), ``sh:minInclusive``, ``sh:maxInclusive``,
  ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:uniqueLang``, ``sh:message``, ``sh:severity``;
- node-level ``sh:or`` of shapes that each say ``sh:minCount 1`` or ``sh:maxCount 0`` of a path;
- ``sh:sparql`` SELECT constraints on ``$this`` (with ``sh:prefixes``), their ``sh:message``.

It returns None for anything else, and :mod:`impactkg.graph.analysis.validate` then runs pySHACL,
so that what is answered is always SHACL's answer. Each result is what pySHACL reports
(SHACL 1.0, section 3.6): one per focus node and value node that fails a value constraint, one
per focus node for a count or ``sh:or``, one per focus node and language for ``sh:uniqueLang``,
one per solution of a SPARQL constraint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from impactkg.ontology import RDF, RDFS, SH, XSD

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph

_DESCRIPTIVE = {"name", "description", "order", "group", "defaultValue"}
_PROPERTY_KEYS = {
    "path", "minCount", "maxCount", "datatype", "class", "nodeKind", "in", "pattern", "flags",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "uniqueLang", "message", "severity",
} | _DESCRIPTIVE
_NODE_KEYS = {"targetClass", "property", "or", "sparql", "message", "severity"} | _DESCRIPTIVE
#: Datatypes whose well-formed values a SPARQL cast accepts (an ill-typed value fails the cast).
_CASTS = {XSD + t for t in ("string", "boolean", "integer", "decimal", "double", "float", "date", "dateTime")}
_NODE_KINDS = {
    "IRI": "!isIRI(?v)", "BlankNode": "!isBlank(?v)", "Literal": "!isLiteral(?v)",
    "BlankNodeOrIRI": "isLiteral(?v)", "BlankNodeOrLiteral": "isIRI(?v)", "IRIOrLiteral": "isBlank(?v)",
}
_COMPARE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


@dataclass(frozen=True)
class Check:
    """One constraint as a SPARQL query: each solution is one result. The query projects
    ``?this`` (the focus node), and ``?v`` where a value node fails."""

    shape: str
    path: str | None
    severity: str
    message: str
    sparql: str


class _Shapes:
    """The shapes graph in a store of its own, read triple by triple."""

    def __init__(self, path: str | Path):
        self.store = ox.Store()
        self.store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def objects(self, s, p: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(s, ox.NamedNode(p), None, None)]

    def one(self, s, p: str):
        values = self.objects(s, p)
        return values[0] if len(values) == 1 else None

    def keys(self, s) -> set[str]:
        return {q.predicate.value for q in self.store.quads_for_pattern(s, None, None, None)}

    def items(self, head) -> list | None:
        """The members of an RDF list, or None when it is not a well-formed list."""
        out = []
        while head != ox.NamedNode(RDF + "nil"):
            first, rest = self.one(head, RDF + "first"), self.one(head, RDF + "rest")
            if first is None or rest is None:
                return None
            out.append(first)
            head = rest
        return out


def _sh(keys: set[str], allowed: set[str]) -> bool:
    """Whether every SHACL property of a shape is one this module checks."""
    ours = {k[len(SH):] for k in keys if k.startswith(SH)}
    others = {k for k in keys if not k.startswith(SH)} - {RDF + "type", RDFS + "label", RDFS + "comment"}
    return ours <= allowed and not others


def _term(t) -> str:
    return str(t)  # N-Triples syntax, which SPARQL reads


def _focus(classes: list) -> str:
    values = " ".join(_term(c) for c in classes)
    return (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {values} }} "
            f"?this <{RDF}type>/<{RDFS}subClassOf>* ?class }} }}")


def _class_check(values: str, cls) -> str:
    """The ``sh:class`` check: each value that is not a SHACL instance of ``cls``
    (``rdf:type/rdfs:subClassOf*``).

    The classes of each value are listed, and a value none of whose classes is ``cls`` fails.
    Virtuoso 7 answers ``?v rdf:type/rdfs:subClassOf* C`` wrongly when ``?v`` is already bound (it
    drops some instances, so ``MINUS``/``NOT EXISTS`` of it reports them as violations), and it
    moves a ``FILTER`` on the path's end into the path, so the class is tested in an aggregate;
    and there ``sameTerm`` of a class found by the path and a constant is never true on Virtuoso,
    so the IRIs are compared with ``=`` (which is term equality for IRIs). All engines (Oxigraph,
    Virtuoso, rdflib) give the same answer."""
    return (f"SELECT ?this ?v WHERE {{ {values} "
            f"OPTIONAL {{ ?v <{RDF}type> ?_type . ?_type <{RDFS}subClassOf>* ?_class }} }} "
            f"GROUP BY ?this ?v HAVING(SUM(IF(BOUND(?_class) && ?_class = {_term(cls)}, 1, 0)) = 0)")


def _same_term(member) -> str:
    """``sameTerm(?v, member)`` (the term equality of ``sh:in``), written so that every engine
    answers it alike: Virtuoso 7 does not find a stored term ``sameTerm`` with a constant (never
    for a literal, not always for an IRI), so an IRI member is compared with ``=`` (term equality
    for IRIs) and a literal member by its parts (lexical form, then language tag or datatype),
    which together are RDF term equality."""
    if isinstance(member, ox.NamedNode):
        return f"(isIRI(?v) && ?v = {_term(member)})"
    if not isinstance(member, ox.Literal):
        return f"sameTerm(?v, {_term(member)})"
    same = f"isLiteral(?v) && STR(?v) = {_term(ox.Literal(member.value))}"
    if member.language:
        return f"({same} && LCASE(LANG(?v)) = {_term(ox.Literal(member.language.lower()))})"
    return f"({same} && LANG(?v) = \"\" && DATATYPE(?v) = <{member.datatype.value}>)"


def _severity(shapes: _Shapes, s) -> str:
    sev = shapes.one(s, SH + "severity")
    return sev.value.rsplit("#", 1)[-1] if isinstance(sev, ox.NamedNode) else "Violation"


def _message(shapes: _Shapes, s) -> str:
    msg = shapes.one(s, SH + "message")
    return msg.value if isinstance(msg, ox.Literal) else ""


def _path(shapes: _Shapes, p) -> tuple[str, str] | None:
    """(SPARQL path, path as shown) of ``sh:path``, or None for a path this module does not read."""
    if isinstance(p, ox.NamedNode):
        return f"<{p.value}>", p.value
    if isinstance(p, ox.BlankNode) and shapes.keys(p) == {SH + "inversePath"}:
        inner = shapes.one(p, SH + "inversePath")
        if isinstance(inner, ox.NamedNode):
            return f"^<{inner.value}>", f"^<{inner.value}>"
    return None


def _property_checks(shapes: _Shapes, node: str, focus: str, ps) -> list[Check] | None:
    keys = shapes.keys(ps)
    if not _sh(keys, _PROPERTY_KEYS) or len(shapes.objects(ps, SH + "path")) != 1:
        return None
    path = _path(shapes, shapes.one(ps, SH + "path"))
    if path is None:
        return None
    sparql_path, shown = path
    sev, msg = _severity(shapes, ps), _message(shapes, ps)
    shape = f"{node} {shown}"
    values = f"{focus} ?this {sparql_path} ?v ."
    out: list[Check] = []

    def each(condition: str) -> None:
        out.append(Check(shape, shown, sev, msg, f"SELECT DISTINCT ?this ?v WHERE {{ {values} FILTER({condition}) }}"))

    for key in sorted(k[len(SH):] for k in keys if k.startswith(SH)):
        value = shapes.one(ps, SH + key)
        if key in ("path", "message", "severity", "flags") or key in _DESCRIPTIVE:
            continue
        if value is None:
            return None
        if key == "minCount":
            n = int(value.value)
            if n == 1:
                q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {sparql_path} ?v }} }}"
            elif n > 1:
                q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {sparql_path} ?v }} }} "
                     f"GROUP BY ?this HAVING(COUNT(DISTINCT ?v) < {n})")
            else:
                continue
            out.append(Check(shape, shown, sev, msg, q))
        elif key == "maxCount":
            n = int(value.value)
            cond = f"COUNT(DISTINCT ?v) > {n}"
            out.append(Check(shape, shown, sev, msg, f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING({cond})"))
        elif key == "datatype":
            if value.value == RDF + "langString":
                each(f"!isLiteral(?v) || datatype(?v) != <{value.value}>")
            elif value.value in _CASTS:
                each(f"!isLiteral(?v) || datatype(?v) != <{value.value}> || !COALESCE(STRLEN(STR(<{value.value}>(?v))) >= 0, false)")
            else:
                return None
        elif key == "class":
            out.append(Check(shape, shown, sev, msg, _class_check(values, value)))
        elif key == "nodeKind":
            kind = value.value[len(SH):] if isinstance(value, ox.NamedNode) and value.value.startswith(SH) else ""
            if kind not in _NODE_KINDS:
                return None
            each(_NODE_KINDS[kind])
        elif key == "in":
            members = shapes.items(value)
            if members is None:
                return None
            each("!(" + (" || ".join(_same_term(m) for m in members) or "false") + ")")
        elif key == "pattern":
            flags = shapes.one(ps, SH + "flags")
            extra = f", {_term(flags)}" if flags is not None else ""
            each(f"isBlank(?v) || !REGEX(STR(?v), {_term(value)}{extra})")
        elif key in _COMPARE:
            each(f"!COALESCE(?v {_COMPARE[key]} {_term(value)}, false)")
        elif key == "uniqueLang":
            if value.value not in ("true", "1"):
                continue
            out.append(Check(shape, shown, sev, msg, (
                f"SELECT ?this ?lang WHERE {{ {values} FILTER(isLiteral(?v) && LANG(?v) != \"\") "
                "BIND(LCASE(LANG(?v)) AS ?lang) } GROUP BY ?this ?lang HAVING(COUNT(DISTINCT ?v) > 1)")))
        else:
            return None
    return out


def _or_check(shapes: _Shapes, node, focus: str) -> Check | None:
    """A node-level ``sh:or`` of shapes that each require ``sh:minCount 1`` or ``sh:maxCount 0``."""
    members = shapes.items(shapes.one(node, SH + "or"))
    if not members:
        return None
    conditions = []
    for m in members:
        keys = {k[len(SH):] for k in shapes.keys(m)}
        path = _path(shapes, shapes.one(m, SH + "path"))
        if path is None or not keys <= {"path", "minCount", "maxCount"} or len(keys) != 2:
            return None
        if "minCount" in keys and shapes.one(m, SH + "minCount").value == "1":
            conditions.append(f"EXISTS {{ ?this {path[0]} ?v }}")
        elif "maxCount" in keys and shapes.one(m, SH + "maxCount").value == "0":
            conditions.append(f"NOT EXISTS {{ ?this {path[0]} ?v }}")
        else:
            return None
    q = f"SELECT ?this WHERE {{ {focus} FILTER(!({' || '.join(conditions)})) }}"
    return Check(node.value, None, _severity(shapes, node), _message(shapes, node), q)


def _sparql_check(shapes: _Shapes, node, focus: str, constraint) -> Check | None:
    from impactkg.graph.sparql.text import tokens

    keys = {k[len(SH):] for k in shapes.keys(constraint) if k.startswith(SH)}
    select = shapes.one(constraint, SH + "select")
    if select is None or not keys <= {"select", "message", "prefixes", "severity"} or "deactivated" in keys:
        return None
    message = _message(shapes, constraint)
    if "{?" in message or "{$" in message:
        return None  # message templates are pySHACL's to fill in
    prologue = []
    for decl in shapes.objects(shapes.one(constraint, SH + "prefixes"), SH + "declare") if "prefixes" in keys else []:
        prefix, ns = shapes.one(decl, SH + "prefix"), shapes.one(decl, SH + "namespace")
        if prefix is None or ns is None:
            return None
        prologue.append(f"PREFIX {prefix.value}: <{ns.value}>")
    text = select.value
    toks = tokens(text)
    if any(t.kind == "var" and t.text[1:] in ("currentShape", "shapesGraph", "value", "path") for t in toks):
        return None
    out, last = [], 0
    for t in toks:
        if t.kind == "var" and t.text == "$this":
            out += [text[last:t.start], "?this"]
            last = t.end
    inner = "".join(out) + text[last:]
    sev = _severity(shapes, constraint) if "severity" in keys else _severity(shapes, node)
    q = "\n".join(prologue) + f"\nSELECT ?this WHERE {{ {focus} {{ {inner} }} }}"
    return Check(node.value, None, sev, message, q)


def compile_shapes(path: str | Path) -> list[Check] | None:
    """The checks of a shapes file, or None when a shape uses what this module does not check."""
    shapes = _Shapes(path)
    checks: list[Check] = []
    nodes = {q.subject for q in shapes.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"), None)}
    targeted = {q.subject for q in shapes.store.quads_for_pattern(None, ox.NamedNode(SH + "targetClass"), None, None)}
    for node in sorted(nodes | targeted, key=str):
        if not isinstance(node, ox.NamedNode) or not _sh(shapes.keys(node), _NODE_KEYS):
            return None
        if shapes.objects(node, RDF + "type") and ox.NamedNode(RDFS + "Class") in shapes.objects(node, RDF + "type"):
            return None  # an implicit class target
        classes = shapes.objects(node, SH + "targetClass")
        if not classes:
            return None
        focus = _focus(classes)
        for ps in shapes.objects(node, SH + "property"):
            found = _property_checks(shapes, node.value, focus, ps)
            if found is None:
                return None
            checks += found
        if shapes.objects(node, SH + "or"):
            check = _or_check(shapes, node, focus)
            if check is None:
                return None
            checks.append(check)
        for constraint in shapes.objects(node, SH + "sparql"):
            check = _sparql_check(shapes, node, focus, constraint)
            if check is None:
                return None
            checks.append(check)
    return checks


def run_checks(
    kg: KnowledgeGraph, checks: list[Check], progress: Callable[[str], None] | None = None
) -> Iterator[tuple[Check, str]]:
    """(check, focus node) for every result, check by check; ``progress`` is told each check."""
    for check in checks:
        if progress:
            progress(check.shape)
        for row in kg.sparql(check.sparql).terms:
            yield check, row[0].value  # type: ignore[union-attr]

