"""What the CIDS export cannot express, and why (built by :func:`impactkg.graph.export.cids.to_cids`):
records of classes with no CIDS Basic-tier class (source documents, SDG reference data no exported
record refers to, ...), properties of exported records with no CIDS property (provenance, flags,
editorial notes, ...), indicator values that cannot be a report or target, labels in a second
language, results exported as outputs, indicators without a unit. Nothing is dropped silently:
each is listed with how many, the reason and up to three examples (as CURIEs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib import RDF

from impactkg.ontology import DCTERMS, IKG, SDG, SDGO, SKOS, curie

#: Why a property of an exported record has no place in CIDS.
REASONS = {
    DCTERMS + "source": "provenance: the CIDS Basic tier has no property for a record's source",
    IKG + "sourceLine": "provenance: the line of the source the record comes from",
    IKG + "doubtful": "flags of doubtful (OCR-damaged) fields",
    SKOS + "editorialNote": "editorial notes",
    IKG + "searchKey": "search keys (derived from the labels)",
    DCTERMS + "identifier": "the catalogue's row number (the IRI identifies the indicator)",
    IKG + "dataSource": "the data source (kept in cids:hasDescription as text)",
    "http://www.w3.org/ns/org#subOrganizationOf": "the parent organisation",
    IKG + "sdgTarget": "the SDG target of a result or indicator (kept through its outcome's cids:hasCode)",
    IKG + "sdgGoal": "the SDG goal (kept as cids:forTheme)",
    IKG + "domain": "the domain (kept as cids:forTheme)",
}


@dataclass
class Unexpressed:
    """Something of the graph that the CIDS export does not carry, and why."""

    what: str
    count: int
    reason: str
    examples: list[str] = field(default_factory=list)

    def text(self) -> str:
        ex = f" (e.g. {', '.join(self.examples[:3])})" if self.examples else ""
        return f"  {self.count:>5}  {self.what}: {self.reason}{ex}"


def not_expressed(
    r: Any,
    *,
    consumed: dict[str, set[str]],
    skipped_values: dict[str, list[str]],
    themes_used: set[str],
    codes_used: set[str],
    second_language: int,
    results: list[str],
    no_unit: list[str],
) -> list[Unexpressed]:
    """The list of what the export leaves out: records of the graph ``r`` (the export's reader)
    neither exported (``consumed``: subject -> the properties it carries) nor skipped as a value
    (``skipped_values``: reason -> values), nor an SDG goal or target it uses (``themes_used``,
    ``codes_used``); the properties of exported records it does not carry; the skipped values;
    ``second_language`` labels; ``results`` exported as cids:Output; indicators without a unit
    (``no_unit``)."""
    unexpressed: list[Unexpressed] = []
    T = str(RDF.type)  # noqa: N806
    exported = set(consumed) | {v for vs in skipped_values.values() for v in vs}
    by_class: dict[str, list[str]] = defaultdict(list)
    schema = {str(rdflib.OWL.Class), str(rdflib.OWL.ObjectProperty), str(rdflib.OWL.DatatypeProperty),
              str(rdflib.OWL.Ontology), SKOS + "ConceptScheme"}  # fmt: skip
    for s, ps in r.props.items():
        types = [str(t) for t in ps.get(T, [])]
        if s in exported or not types or set(types) & schema:
            continue
        if s.startswith(SDG) and set(types) & {SDGO + "Goal", SDGO + "Target", SDGO + "Indicator"}:
            if s in themes_used or s in codes_used:
                continue
        preferred = sorted(types, key=lambda c: (not c.startswith(IKG), c == SKOS + "Concept", c))
        by_class[preferred[0]].append(s)
    for cls, members in sorted(by_class.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        reason = "no CIDS Basic-tier class for it"
        if cls.startswith(SDG):
            reason = "SDG reference data not referenced by an exported record (CIDS uses the UN's code list)"
        elif cls == IKG + "SourceDocument":
            reason = "provenance: CIDS has no class for a source document"
        unexpressed.append(Unexpressed(curie(cls, valid=True), len(members), reason, [curie(m, valid=True) for m in members[:3]]))
    lost: dict[str, list[str]] = defaultdict(list)
    for s in sorted(consumed):
        for p in r.props.get(s, {}):
            if p not in consumed[s]:
                lost[p].append(s)
    for p, subjects in sorted(lost.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        reason = REASONS.get(p, "no CIDS property for it")
        unexpressed.append(
            Unexpressed(f"{curie(p, valid=True)} on exported records", len(subjects), reason, [curie(s, valid=True) for s in subjects[:3]])
        )
    for what, values in skipped_values.items():
        unexpressed.append(Unexpressed("ikg:IndicatorValue", len(values), what, [curie(v, valid=True) for v in values[:3]]))
    if second_language:
        unexpressed.append(
            Unexpressed(
                "labels in a second language",
                second_language,
                "a CIDS name is one xsd:string: the Japanese label is used (organisations keep "
                "the English one as org:hasName)",
            )
        )
    if results:
        unexpressed.append(
            Unexpressed(
                "ikg:Result as cids:Output",
                len(results),
                "the source does not say whether a result is an output or an outcome; it is "
                "exported as cids:Output, which cids:canProduce its outcomes",
            )
        )
    if no_unit:
        unexpressed.append(
            Unexpressed(
                "indicators without a unit",
                len(no_unit),
                "cids:unitDescription is required: it says 'not stated in the source'",
                [curie(i, valid=True) for i in no_unit[:3]],
            )
        )
    return unexpressed
