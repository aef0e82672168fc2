"""SHACL validation with pySHACL: a report object with readable text, never just a bool.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> report = kg.validate()
>>> report.conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib

from impactkg.ontology import SH, shapes_file

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph


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
    report_graph: rdflib.Graph | None = None

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
    return None if term is None else str(term)


def validate_graph(data: rdflib.Graph, shapes: str | Path | None = None) -> ValidationReport:
    """Validate an rdflib graph against the shapes (default: impactkg's ``shapes.ttl``)."""
    from pyshacl import validate as shacl

    shapes_graph = rdflib.Graph().parse(str(shapes or shapes_file()), format="turtle")
    conforms, report_graph, _ = shacl(
        data, shacl_graph=shapes_graph, inference="none", allow_warnings=True, advanced=True
    )
    sh = rdflib.Namespace(SH)
    violations = []
    for res in report_graph.subjects(rdflib.RDF.type, sh.ValidationResult):
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


def validate(kg: KnowledgeGraph, shapes: str | Path | None = None) -> ValidationReport:
    """Validate the union of a knowledge graph's named graphs (the ontology included)."""
    data = rdflib.Graph()
    for s, p, o in kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples:
        data.add((s, p, o))
    return validate_graph(data, shapes)
