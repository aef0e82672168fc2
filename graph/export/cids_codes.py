"""Codes in the CIDS export (called by :func:`impactkg.graph.export.cids.to_cids`), with their
Essential-tier properties, following CIDS v3.2 (``cids.ttl``):

=====================  ==========================================================================
impactkg               CIDS
=====================  ==========================================================================
SDG goal               cids:Theme and cids:Code at CIDS's ``https://metadata.un.org/sdg/`` IRI:
                       org:hasIdentifier, org:hasName, cids:hasDescription, sch:codeValue,
                       cids:hasSpecification (the UN SDG KOS IRI), cids:definedBy (the United
                       Nations), i72:value [i72:Measure; i72:hasNumericalValue] (goals are 1-17)
SDG target             cids:Code: the same, without i72:value (``11.b`` is not a number)
IRIS+ metric           cids:Code (an indicator's accepted exact or close match): org:hasIdentifier,
                       org:hasName, cids:hasDescription, sch:codeValue, cids:hasSpecification (the
                       code-list IRI), cids:definedBy (the GIIN)
code definers          cids:Organization: org:hasLegalName, org:hasName (:data:`CODE_DEFINERS`)
=====================  ==========================================================================

The United Nations (SDG goals and targets are adopted by the UN General Assembly, resolution
A/RES/70/1) and the GIIN (IRIS+) are not records of the dataset: the export adds them, with IRIs
and names chosen by the team.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from impactkg.graph.export.cids_reference import CIDS, I72, IRIS_NS, ORG, SCH, _https, _s
from impactkg.ontology import SDG, SKOS, record_iri

#: Organizations that define the codes the export uses (cids:definedBy), added by the export:
#: key -> (IRI, legal name, Japanese name). Not records of the dataset: the team's choice.
CODE_DEFINERS = {
    "sdg": (record_iri("org", "united-nations"), "United Nations", "国際連合"),
    "iris": (record_iri("org", "giin"), "Global Impact Investing Network (GIIN)", "GIIN"),
}


def goal_of(target: str) -> str:
    """The IRI of the SDG goal of an SDG target IRI (``.../sdg/11.b`` -> ``.../sdg/11``)."""
    return SDG + target[len(SDG) :].split(".")[0]


def iris_code(r: Any, add: Callable, ind: str, m: str, definers: set[str]) -> None:
    """Indicator ``ind``'s IRIS+ metric ``m`` (an IRI of :data:`IRIS_NS`) as its cids:hasCode, a
    cids:Code defined by the GIIN (``definers`` gains ``"iris"``)."""
    code = m[len(IRIS_NS) :]
    add(ind, CIDS.hasCode, URIRef(m))
    add(m, RDF.type, CIDS.Code)
    add(m, ORG.hasIdentifier, _s(code))
    add(m, ORG.hasName, _s(r.label(m, "en") or code))
    metric_desc = r.label(m, "en", preds=(SKOS + "definition",))
    add(m, CIDS.hasDescription, _s(metric_desc or f"IRIS+ metric {code}"))
    add(m, SCH.codeValue, Literal(code))
    add(m, CIDS.hasSpecification, Literal(m, datatype=XSD.anyURI))
    add(m, CIDS.definedBy, URIRef(CODE_DEFINERS["iris"][0]))
    definers.add("iris")


def sdg_codes(r: Any, add: Callable, counts: Counter, themes_used: set[str], codes_used: set[str],
              definers: set[str]) -> None:
    """The SDG goals (``themes_used`` and the goals of ``codes_used``) as cids:Theme and cids:Code,
    and the SDG targets (``codes_used``) as cids:Code, at CIDS's https IRIs; counted in
    ``counts``; ``definers`` gains ``"sdg"`` when there is one."""
    for goal in sorted(themes_used | {goal_of(t) for t in codes_used}):
        code = goal[len(SDG) :]
        node = _https(goal)
        add(node, RDF.type, CIDS.Theme)
        add(node, RDF.type, CIDS.Code)
        counts["cids:Theme (SDG goal)"] += 1
        add(node, ORG.hasIdentifier, _s(code))
        add(node, ORG.hasName, _s(f"Goal {code}: {r.label(goal, 'en') or r.label(goal) or code}"))
        desc = r.label(goal, "en", preds=(SKOS + "definition",)) or r.label(goal, "ja") or f"SDG {code}"
        add(node, CIDS.hasDescription, _s(desc))
        _sdg_code(add, node, goal, code)
        if code.isdigit():
            measure = URIRef(record_iri("measure", f"sdg-goal-{code}"))
            add(node, I72.value, measure)
            add(measure, RDF.type, I72.Measure)
            add(measure, I72.hasNumericalValue, _s(code))
        definers.add("sdg")
    for t in sorted(codes_used):
        code = t[len(SDG) :]
        node = _https(t)
        add(node, RDF.type, CIDS.Code)
        counts["cids:Code (SDG target)"] += 1
        add(node, ORG.hasIdentifier, _s(code))
        add(node, ORG.hasName, _s(f"Target {code}"))
        desc = r.label(t, "en", preds=(SKOS + "definition",)) or r.label(t, "en") or f"SDG target {code}"
        add(node, CIDS.hasDescription, _s(desc))
        _sdg_code(add, node, t, code)
        definers.add("sdg")


def code_definers(add: Callable, counts: Counter, definers: set[str]) -> None:
    """The organizations of :data:`CODE_DEFINERS` named in ``definers`` (``"sdg"``, ``"iris"``), as
    cids:Organization; counted in ``counts``."""
    for key in sorted(definers):
        iri, legal, name_ja = CODE_DEFINERS[key]
        add(iri, RDF.type, CIDS.Organization)
        add(iri, ORG.hasLegalName, _s(legal))
        add(iri, ORG.hasName, _s(name_ja))
        counts["cids:Organization (defines codes)"] += 1


def _sdg_code(add, node: URIRef, iri: str, code: str) -> None:
    """The Essential-tier properties of an SDG goal or target code. ``sch:codeValue`` is a plain
    literal (an xsd:string in RDF 1.1): CIDS's JSON-LD context has no term for it, and a typed
    one would come back plain from the JSON-LD."""
    add(node, SCH.codeValue, Literal(code))
    add(node, CIDS.hasSpecification, Literal(iri, datatype=XSD.anyURI))
    add(node, CIDS.definedBy, URIRef(CODE_DEFINERS["sdg"][0]))
