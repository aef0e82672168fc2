"""OWL reasoning: HermiT through owlready2 (Java), the OWL 2 RL fallback, and the clash report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from impactkg.graph.analysis.reasoning import INFERRED_GRAPH, drop_inferences, find_java, reason

FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).with_name("impactkg")
JAVA = find_java()
needs_java = pytest.mark.skipif(JAVA is None, reason="no Java runtime: HermiT cannot run (make test installs default-jre-headless)")

# The first catalogue row (line 98 of the seed): activity 耐震性の確保 -> impact
# 自然災害等への備え（レジリエンス） -> SDG target 11.b -> goal 11.
CHAIN = """
ASK {
  ?a a ikg:Activity ; rdfs:label "耐震性の確保"@ja .
  ?i rdfs:label "自然災害等への備え（レジリエンス）"@ja .
  GRAPH <INFERRED> {
    ?a ikg:hasImpact ?i ; ikg:advancesTarget sdg:11.b ; ikg:advancesGoal sdg:11 .
    ?i ikg:advancesGoal sdg:11 .
  }
}
""".replace("INFERRED", INFERRED_GRAPH)


def inferred(kg) -> set[str]:
    return {str(q) for q in kg.quads() if q.graph_name.value == INFERRED_GRAPH}


def asserted_elsewhere(kg) -> int:
    return len(kg.sparql(
        "SELECT ?s ?p ?o WHERE { GRAPH <INFERRED> { ?s ?p ?o } GRAPH ?g { ?s ?p ?o } FILTER(?g != <INFERRED>) }"
        .replace("INFERRED", INFERRED_GRAPH)
    ))


def check_inferences(kg, report) -> None:
    assert report.consistent, report.text()
    assert report.written and INFERRED_GRAPH in kg.graphs()
    assert kg.sparql(CHAIN), "the chain activity -> impact -> target -> goal is inferred"
    # inverse properties: each catalogue indicator is ikg:measuredBy from what it measures
    measured = kg.sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <INFERRED> { ?x ikg:measuredBy ?ind } ?ind ikg:measures ?x }"
        .replace("INFERRED", INFERRED_GRAPH)
    ).dicts()[0]["n"]
    assert measured == len(kg.sparql("SELECT ?ind ?x WHERE { ?ind ikg:measures ?x }"))
    # types: every indicator is a cids:Indicator, every impact a logic-model element
    assert kg.sparql(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <https://w3id.org/impactkg/id/indicator/consortium-1> a cids:Indicator }} }}")
    assert not kg.sparql(
        "ASK { ?i a ikg:Impact FILTER NOT EXISTS { ?i a ikg:LogicModelElement } }"
    )
    assert report.counts["rdf:type"] > 0 and report.counts["ikg:advancesGoal"] > 0
    assert asserted_elsewhere(kg) == 0, "only what is not already in the graph is written"


@needs_java
def test_hermit_finds_the_embedded_graph_consistent_and_writes_the_inferences(fresh_kg):
    report = reason(fresh_kg)
    assert "HermiT" in report.reasoner and not report.notes
    check_inferences(fresh_kg, report)
    first = inferred(fresh_kg)
    assert len(first) == report.inferred + 3  # the inferred triples and the graph's header
    # a second run replaces the graph: same inferences, nothing accumulates
    again = reason(fresh_kg)
    assert again.counts == report.counts
    assert {q for q in inferred(fresh_kg) if "created" not in q} == {q for q in first if "created" not in q}
    assert drop_inferences(fresh_kg) and INFERRED_GRAPH not in fresh_kg.graphs()
    assert not drop_inferences(fresh_kg)


def test_without_java_the_owl_rl_rules_infer_the_same_chain(fresh_kg, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on the PATH
    monkeypatch.delenv("JAVA_HOME", raising=False)
    report = reason(fresh_kg)
    assert "OWL 2 RL" in report.reasoner
    assert any("no working Java runtime" in n and "OWL 2 RL" in n for n in report.notes)
    check_inferences(fresh_kg, report)
    assert "note: no working Java runtime" in report.text()


@pytest.mark.parametrize("reasoner", [pytest.param("hermit", marks=needs_java), "owlrl"])
def test_a_planted_contradiction_is_reported_with_its_iris_and_axioms(fresh_kg, reasoner, tmp_path):
    stale = tmp_path / "stale.ttl"  # inferences of an earlier, consistent state
    stale.write_text("<https://w3id.org/impactkg/id/impact/planted-both> a <urn:x:Stale> .\n")
    fresh_kg.load(stale, graph=INFERRED_GRAPH, force=True)  # a reserved graph, on purpose
    assert INFERRED_GRAPH in fresh_kg.graphs()
    fresh_kg.load(FIXTURES / "contradiction.ttl")
    report = reason(fresh_kg, reasoner=reasoner)
    assert not report.consistent
    by_iri = {c.iri: c for c in report.clashes}
    both = by_iri["https://w3id.org/impactkg/id/impact/planted-both"]
    assert both.axioms == ["ikg:Impact owl:disjointWith ikg:Activity"]
    assert any("typed ikg:Activity" in e and "contradiction" in e for e in both.evidence)
    by_domain = by_iri["https://w3id.org/impactkg/id/impact/planted-by-domain"]
    assert any("ikg:hasResult" in e and "domain" in e for e in by_domain.evidence)
    assert set(by_iri) == {
        "https://w3id.org/impactkg/id/impact/planted-both",
        "https://w3id.org/impactkg/id/impact/planted-by-domain",
    }
    text = report.text()
    assert "consistent: NO" in text and "planted-both" in text and "owl:disjointWith" in text
    assert INFERRED_GRAPH not in fresh_kg.graphs(), "stale inferences are removed"


def test_ill_typed_values_are_named_with_the_range_axiom(fresh_kg, tmp_path):
    bad = tmp_path / "bad-year.ttl"
    bad.write_text(
        '<https://w3id.org/impactkg/id/value/x> a <https://w3id.org/impactkg/ontology#IndicatorValue> ;\n'
        '  <https://w3id.org/impactkg/ontology#year> "2024年"@ja .\n',
        encoding="utf-8",
    )
    fresh_kg.load(bad)
    report = reason(fresh_kg, reasoner="owlrl")
    assert not report.consistent
    [clash] = report.clashes
    assert clash.iri == "https://w3id.org/impactkg/id/value/x"
    assert clash.axioms == ["ikg:year rdfs:range xsd:integer"]
    assert '"2024年"@ja' in clash.message


@needs_java
def test_the_reason_command_exits_1_on_a_contradiction(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))

    def run(*args):
        return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)

    assert run("build").returncode == 0
    ok = run("reason")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "consistent: yes" in ok.stdout and f"written to <{INFERRED_GRAPH}>" in ok.stdout
    assert run("load", str(FIXTURES / "contradiction.ttl")).returncode == 0
    bad = run("reason")
    assert bad.returncode == 1 and bad.stderr == ""
    assert "planted-both" in bad.stdout and "ikg:Impact owl:disjointWith ikg:Activity" in bad.stdout
    dropped = run("reason", "--drop")
    assert dropped.returncode == 0 and "no <" in dropped.stdout
