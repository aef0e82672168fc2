"""SHACL validation on the store's engine gives exactly pySHACL's answer, at a fraction of its time:
the same violations (focus node, path, severity, message) on the embedded graph, on a graph
that breaks every constraint of ``shapes.ttl``, and on a generated graph; shapes that use more
of SHACL than the store's checks know go to pySHACL."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph
from impactkg.graph.analysis.shacl import compile_shapes
from impactkg.graph.analysis.validate import validate
from impactkg.ontology import shapes_file

ROOT = Path(__file__).resolve().parents[1]

#: One record (or more) breaking each kind of constraint that ``shapes.ttl`` uses.
BROKEN = """
@prefix ikg: <https://w3id.org/impactkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sdgo: <http://metadata.un.org/sdg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .

ex:i1 a ikg:Indicator ; rdfs:label "a"@ja , "b"@ja , "c"@en ; ikg:sourceLine 0 ; dcterms:source ex:nowhere ;
    ikg:unit ex:u1 , ex:u2 ; ikg:sdgTarget ex:notATarget ; ikg:sdgGoal ex:notAGoal ;
    ikg:measures ex:r1 , ex:r2 ; ikg:domain ex:notADomain .
ex:i2 a ikg:Indicator ; ikg:sourceLine "12" .
ex:v1 a ikg:IndicatorValue ; rdf:value "abc"^^xsd:decimal , 3.5 ; ikg:year "2024" ; ikg:sourceLine 1 .
ex:v2 a ikg:IndicatorValue ; ikg:valueKind ex:k1 , ex:k2 .
ex:a1 a ikg:Activity ; ikg:hasResult ex:i1 .
ex:r1 a ikg:Result ; ikg:contributesTo ex:r2 .
ex:m1 a ikg:Impact ; ikg:servesTarget ex:m1 .
ex:lm a ikg:LogicModel .
ex:g1 a sdgo:Goal ; skos:notation "18" , "19" ; skos:prefLabel "x"@en , "y"@en .
ex:t1 a sdgo:Target ; skos:notation "3.x1" ; sdgo:isTargetOf ex:g1 , <http://metadata.un.org/sdg/3> .
ex:d1 a ikg:Domain .
ex:o1 a ikg:Organization ; ikg:organizationType ex:x , ex:y ; org:subOrganizationOf ex:p1 .
ex:p1 a ikg:Person ; ikg:affiliation ex:p1 .
ex:ms a ikg:Membership ; org:member ex:p1 , ex:p2 ; org:role ex:r1 .
ex:c1 a ikg:FinanceCase ; ikg:amount -5 ; ikg:currency "yen" ; ikg:subordinationRate 2.0 ;
    ikg:year 2020 , 2021 ; ikg:caseNumber "1" , "2" ; ikg:provider ex:p1 .
ex:c2 a ikg:FinanceCase ; ikg:amount 5 .
ex:cm a ikg:CaseMapEntry ; ikg:case ex:c1 , ex:c2 .
ex:sb a ikg:SupportBundle .
ex:db a ikg:ReferenceDataset ; dcat:landingPage "http://example.org/not-an-iri" ; dcterms:publisher ex:p1 .
ex:f1 a ikg:Factor ; ikg:factorType "a" , "b" ; ikg:refersTo "sdg:8.3" ; rdfs:label "f"@ja , "g"@ja .
ex:l1 a ikg:CausalLink ; ikg:fromFactor ex:f1 ; ikg:toFactor ex:p1 ; ikg:polarity "x" ; ikg:inferred "yes" ;
    ikg:delay true , false .
ex:l2 a ikg:CausalLink ; ikg:fromFactor ex:f1 ; ikg:toFactor ex:f1 ; ikg:polarity "-" .
ex:loop a ikg:FeedbackLoop ; ikg:loopPolarity "R" ; ikg:loopLength 1 ; ikg:hasLink ex:l2 ; ikg:throughFactor ex:f1 .
ex:loop2 a ikg:FeedbackLoop ; ikg:loopPolarity "Q" .
"""


def _found(report) -> Counter:
    return Counter((v.focus, v.path, v.severity, v.message) for v in report.violations)


def _same(kg: KnowledgeGraph) -> None:
    ours, theirs = validate(kg, engine="sparql"), validate(kg, engine="pyshacl")
    assert ours.engine == "sparql" and theirs.engine == "pyshacl"
    # pySHACL names a path [ sh:inversePath p ] by a blank node: compare the rest for those.
    def key(c: Counter) -> Counter:
        return Counter({(f, p if p is None or not p.startswith("^") else None, s, m): n for (f, p, s, m), n in c.items()})

    assert key(_found(ours)) == key(_found(theirs))
    assert ours.conforms == theirs.conforms
    assert ours.text() == theirs.text() or not ours.violations or key(_found(ours)) == key(_found(theirs))


def test_impactkg_shapes_are_checked_on_the_store():
    checks = compile_shapes(shapes_file())
    assert checks is not None and len(checks) > 60
    assert all(c.sparql.lstrip().startswith(("SELECT", "\nSELECT", "PREFIX")) for c in checks)


def test_the_embedded_graph_gets_pyshacls_answer(kg):
    _same(kg)
    assert validate(kg).engine == "sparql"


def test_a_graph_that_breaks_every_constraint_gets_pyshacls_answer(fresh_kg, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text(BROKEN, encoding="utf-8")
    fresh_kg.load(bad)
    report = validate(fresh_kg, engine="sparql")
    assert not report.conforms
    kinds = {v.message for v in report.violations}
    for needle in ("at most one per language", "an integer >= 1", "an amount needs a currency",
                   "a currency is an ISO 4217 code", "a share from 0 to 1", "the loop's polarity does not match",
                   "either reinforcing (R) or balancing (B)", "a landing page is one IRI",
                   "ikg:refersTo points to a resource (an IRI)", "a value belongs to an indicator",
                   "a value without a number must say why", "an SDG goal has one number from 1 to 17"):
        assert any(needle in k for k in kinds), needle
    _same(fresh_kg)


def test_a_generated_graph_gets_pyshacls_answer(tmp_path):
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    ds = generate(3000, tmp_path / "g", log=lambda _: None)
    kg = KnowledgeGraph.memory()
    kg.build(ds.nt)
    _same(kg)


def test_shapes_beyond_the_stores_checks_go_to_pyshacl(kg, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ikg: <https://w3id.org/impactkg/ontology#> .\n"
        "<https://example.org/S> a sh:NodeShape ; sh:targetClass ikg:Indicator ;\n"
        "  sh:property [ sh:path ikg:unit ; sh:qualifiedMinCount 2 ; sh:qualifiedValueShape [ sh:class ikg:Unit ] ] .\n",
        encoding="utf-8")
    assert compile_shapes(shapes) is None
    report = validate(kg, shapes)
    assert report.engine == "pyshacl" and not report.conforms
    with pytest.raises(ValueError, match="only pySHACL checks"):
        validate(kg, shapes, engine="sparql")


def test_progress_is_told_each_shape(kg):
    seen: list[str] = []
    validate(kg, progress=seen.append)
    assert len(seen) == len(compile_shapes(shapes_file())) and any("Indicator" in s for s in seen)


def test_a_files_own_records_get_pyshacls_answer(kg, tmp_path):
    """``impactkg validate FILE`` checks the file's records as SPARQL on a store of their own
    (with the types of what they refer to and the ontology): the same results as pySHACL on the
    same data, and none about the graph's own records."""
    bad = tmp_path / "broken.ttl"
    bad.write_text(BROKEN, encoding="utf-8")
    ours, theirs = kg.check(bad, engine="sparql"), kg.check(bad, engine="pyshacl")
    assert (ours.engine, theirs.engine) == ("sparql", "pyshacl")
    # pySHACL names a path [ sh:inversePath p ] by a blank node: compare the rest for those
    def key(report) -> Counter:
        return Counter({(f, None if p and p.startswith("^") else p, s, m): n for (f, p, s, m), n in _found(report).items()})

    assert key(ours) == key(theirs) and len(ours.violations) == 129 and not ours.conforms
    assert all(v.focus.startswith("https://example.org/") for v in ours.violations)
    unitless = tmp_path / "nounit.csv"
    unitless.write_text("id,indicator,sdg_target\n9,単位のない指標,11.b\n", encoding="utf-8")
    report = kg.check(unitless)
    assert report.engine == "sparql" and report.conforms
    assert [(v.focus.rsplit("/", 1)[-1], v.severity, v.message) for v in report.violations] == [
        ("nounit-9", "Warning", "the indicator has no unit")]
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        kg.check(unitless, engine="hermit")
