"""SHACL validation with pySHACL: a report object with readable text, never just a bool.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> report = kg.validate()
>>> report.conforms
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impactkg.ontology import SH, shapes_file

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

if TYPE_CHECKING:
    import rdflib

    from impactkg.graph.analysis.shacl import Check
    from impactkg.graph.store import KnowledgeGraph

ENGINES = ("auto", "sparql", "pyshacl")


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the focus node, the path, the severity and the message."""

    focus: str
    path: str | None
    severity: str
    message: str
    shape: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}"


@dataclass
class ValidationReport:
    """The outcome of validating a graph against SHACL shapes."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    #: pySHACL's report graph, when pySHACL validated (None when the store's engine did).
    report_graph: rdflib.Graph | None = None
    #: Which engine validated: ``sparql`` (the store, :mod:`.shacl`) or ``pyshacl``.
    engine: str = "pyshacl"

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]

    def text(self) -> str:
        if not self.violations:
            return "conforms: every record matches the shapes"
        head = "conforms (with warnings)" if self.conforms else "does not conform"
        lines = [f"{head}: {len(self.errors)} violations, {len(self.warnings)} warnings"]
        lines += [str(v) for v in sorted(self.violations, key=lambda v: (v.severity, v.focus))]
        return "\n".join(lines)

    def __bool__(self) -> bool:  # pragma: no cover - guard against `if report:` mistakes
        raise TypeError("use report.conforms, not the report itself, as a truth value")


def _short(term: rdflib.term.Node | None) -> str | None:
    import rdflib

    if isinstance(term, rdflib.BNode):  # a path such as [ sh:inversePath p ], as SPARQL writes it
        return None
    return None if term is None else str(term)


def validate_graph(
    data: rdflib.Graph, shapes: str | Path | None = None, focus: set[str] | None = None
) -> ValidationReport:
    """Validate an rdflib graph against the shapes (default: impactkg's ``shapes.ttl``); with
    ``focus``, report only the results whose focus node is one of those IRIs. The graph is
    validated in place (pySHACL adds nothing to it without inference): give a graph of your own."""
    import rdflib
    from pyshacl import validate as shacl

    shapes_graph = rdflib.Graph().parse(str(shapes or shapes_file()), format="turtle")
    conforms, report_graph, _ = shacl(
        data, shacl_graph=shapes_graph, inference="none", allow_warnings=True, advanced=True,
        inplace=True,
    )
    sh = rdflib.Namespace(SH)
    violations = []
    for res in report_graph.subjects(rdflib.RDF.type, sh.ValidationResult):
        if focus is not None and str(report_graph.value(res, sh.focusNode)) not in focus:
            continue
        severity = str(report_graph.value(res, sh.resultSeverity)).rsplit("#", 1)[-1]
        violations.append(
            Violation(
                focus=str(report_graph.value(res, sh.focusNode)),
                path=_short(report_graph.value(res, sh.resultPath)),
                severity=severity,
                message=str(report_graph.value(res, sh.resultMessage) or ""),
                shape=str(report_graph.value(res, sh.sourceShape)),
            )
        )
    conforms = not any(v.severity == "Violation" for v in violations)
    return ValidationReport(conforms=conforms, violations=violations, report_graph=report_graph)


@lru_cache(maxsize=8)
def _checks(path: str, mtime: float) -> tuple[Check, ...] | None:
    from impactkg.graph.analysis.shacl import compile_shapes

    checks = compile_shapes(path)
    return None if checks is None else tuple(checks)


def validate(
    kg: KnowledgeGraph,
    shapes: str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    engine: str = "auto",
) -> ValidationReport:
    """Validate the union of a knowledge graph's named graphs (the ontology included).

    ``engine="auto"`` checks the shapes as SPARQL queries on the store (:mod:`.shacl`) when every
    shape uses only what that module knows (impactkg's shapes do), else runs pySHACL on a copy of
    the graph; ``"sparql"`` and ``"pyshacl"`` choose one (``"sparql"`` raises ValueError for shapes
    it cannot check). ``progress`` is called with the name of each shape as it is checked. Both
    engines give the same violations (SHACL 1.0 Core; tests/test_validate.py compares them).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (use one of: {', '.join(ENGINES)})")
    path = Path(shapes or shapes_file())
    checks = _checks(str(path), path.stat().st_mtime) if engine != "pyshacl" else None
    if checks is None and engine == "sparql":
        raise ValueError(f"{path} uses SHACL features that only pySHACL checks: use engine='pyshacl'")
    if checks is not None:
        from impactkg.graph.analysis.shacl import run_checks

        violations = [
            Violation(focus=focus, path=check.path, severity=check.severity, message=check.message, shape=check.shape)
            for check, focus in run_checks(kg, list(checks), progress)
        ]
        conforms = not any(v.severity == "Violation" for v in violations)
        return ValidationReport(conforms=conforms, violations=violations, engine="sparql")
    import rdflib

    data = rdflib.Graph()
    for s, p, o in kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples:
        data.add((s, p, o))
    if progress:
        progress("pySHACL")
    return validate_graph(data, path)


def validate_batch(
    kg: KnowledgeGraph, batch: Any, shapes: str | Path | None = None, *, engine: str = "auto"
) -> ValidationReport:
    """The SHACL results of what a load would write (a :class:`~impactkg.loaders.base.Batch`),
    and only of that: its records are validated with what the graph says of the records they
    refer to (their types) and with the ontology (so that ``sh:class`` follows
    ``rdfs:subClassOf``); results about the graph's own records are not reported.

    ``engine`` as in :func:`validate`: ``auto`` checks the shapes as SPARQL on an in-memory store
    of that data (:mod:`.shacl`, about 0.1 s for a 1,000-row catalogue) when they compile, else
    runs pySHACL on the same data (about 10 s); both give the same results
    (``tests/test_validate.py``). ValueError for an unknown engine, or ``sparql`` with shapes it
    cannot check.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (use one of: {', '.join(ENGINES)})")
    import pyoxigraph as ox

    from impactkg.ontology import ONTOLOGY_GRAPH

    quads = {q for qs in batch.graphs.values() for q in qs}
    mine = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    triples: set[ox.Triple] = {ox.Triple(q.subject, q.predicate, q.object) for q in (*quads, *batch.sources)}
    typed = {t.subject for t in triples if t.predicate.value == RDF_TYPE}
    mentioned = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)} - typed
    if mentioned:
        values = " ".join(f"<{t.value}>" for t in mentioned)
        triples.update(kg.sparql(f"CONSTRUCT {{ ?o a ?t }} WHERE {{ VALUES ?o {{ {values} }} ?o a ?t }}").graph_triples)
    ontology = kg.sparql(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    triples.update(ontology.graph_triples)

    path = Path(shapes or shapes_file())
    checks = _checks(str(path), path.stat().st_mtime) if engine != "pyshacl" else None
    if checks is None and engine == "sparql":
        raise ValueError(f"{path} uses SHACL features that only pySHACL checks: use engine='pyshacl'")
    if checks is None:
        import rdflib

        from impactkg.graph.sparql.terms import to_rdflib

        data = rdflib.Graph()
        add: Callable[[tuple[Any, Any, Any]], Any] = data.add
        for t in triples:
            add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return validate_graph(data, path, focus=mine)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    violations = [
        Violation(focus=row[0].value, path=check.path, severity=check.severity, message=check.message,
                  shape=check.shape)
        for check in checks
        for row in store.query(check.sparql)  # type: ignore[union-attr]
        if row[0].value in mine
    ]
    conforms = not any(v.severity == "Violation" for v in violations)
    return ValidationReport(conforms=conforms, violations=violations, engine="sparql")
