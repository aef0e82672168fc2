"""Evidence-weighted loops: each loop counts its stated, read, doubtful and inferred links and
names its weakest; feedback-loops filters by evidence; leverage can be ranked on stated links only.
Checked on the embedded map and on small maps whose answers are known by hand."""

from __future__ import annotations

import csv

import pytest

from impactkg import KnowledgeGraph, QueryError
from impactkg.cli import main
from impactkg.errors import ImpactKGError
from impactkg.graph.analysis.system import Link, at_evidence, find_loops, leverage
from impactkg.graph.maps import build_map

FACTOR = "https://w3id.org/impactkg/id/factor/consortium-"
LINK = "https://w3id.org/impactkg/id/causal-link/consortium-"


def test_loop_evidence_by_hand():
    links = [Link("a", "b", "+", "ab", "stated"), Link("b", "a", "-", "ba", "reading"),
             Link("b", "c", "+", "bc", "inferred"), Link("c", "b", "+", "cb", "stated")]
    loops = {x.nodes: x for x in find_loops(links)}
    ab, bc = loops[("a", "b")], loops[("b", "c")]
    assert ab.evidence_counts() == {"stated": 1, "reading": 1, "doubtful": 0, "inferred": 0}
    assert (ab.weakest.id, ab.evidence) == ("ba", "reading")
    assert (bc.weakest.id, bc.evidence) == ("bc", "inferred")
    # A reading never counts as stated; doubtful OCR sits between readings and inferences.
    assert [x.id for x in at_evidence(links, "stated")] == ["ab", "cb"]
    assert [x.id for x in at_evidence(links, "reading")] == ["ab", "ba", "cb"]
    assert at_evidence(links, "inferred") == links
    with pytest.raises(ValueError, match="evidence must be one of stated, reading, doubtful, inferred"):
        at_evidence(links, "strong")
    # Leverage on the stated links only: a -> b and c -> b leave b as the only hub.
    assert leverage(at_evidence(links, "stated")).points[0].node == "b"


def test_embedded_loops_carry_their_evidence(kg):
    rows = kg.query("feedback-loops", lang="en").dicts()
    assert len(rows) == 41
    spiral = next(r for r in rows if r["name"] == "Reinforcing loop R: Population decline → Regional economic base → Population decline")
    assert (spiral["statedLinks"], spiral["readingLinks"], spiral["inferredLinks"], spiral["weakest"]) == (0, 0, 2, "inferred")
    assert spiral["weakestLink"] == LINK + "population-decline--neg--consortium-regional-economic-base"
    gap = next(r for r in rows if r["length"] == 2 and "Funding gaps" in r["name"])
    assert (gap["statedLinks"], gap["inferredLinks"]) == (1, 1)
    assert gap["weakestLink"] == LINK + "funding-gap--pos--consortium-bundled-support"
    # Strongest evidence first: among loops with one weakest level, fewer inferred links first.
    assert [r["inferredLinks"] for r in rows] == sorted(r["inferredLinks"] for r in rows)
    assert (rows[0]["length"], rows[0]["inferredLinks"]) == (2, 1)
    # Every one of the 41 contains an inferred link: no loop is made of stated links or readings.
    assert all(r["inferredLinks"] >= 1 for r in rows)
    for level in ("stated", "reading", "doubtful"):
        assert kg.query("feedback-loops", evidence=level).dicts() == []
    assert len(kg.query("feedback-loops", evidence="inferred")) == 41
    assert len(kg.query("feedback-loops", status="inferred")) == 41
    with pytest.raises(QueryError, match="unknown assertion status 'strong'"):
        kg.query("feedback-loops", evidence="strong")


def _map(tmp_path):
    elements = tmp_path / "factors.csv"
    with open(elements, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label_ja", "label_en"])
        for f in "abcd":
            w.writerow([f, f"要因{f}", f"Factor {f}"])
    links = tmp_path / "links.csv"
    with open(links, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["from", "to", "polarity", "status", "evidence"])
        w.writerows([["a", "b", "+", "stated", "a drives b"], ["b", "a", "-", "stated", "b curbs a"],
                     ["b", "c", "+", "reading", "b and c"], ["c", "b", "+", "stated", "c feeds b"],
                     ["c", "d", "+", "", "c makes d"], ["d", "c", "+", "inferred", ""]])
    return elements, links


def test_evidence_filter_on_a_map_known_by_hand(tmp_path):
    kg = KnowledgeGraph.memory()
    kg.load_ontology()
    elements, links = _map(tmp_path)
    kg.load(elements, links, namespace="toy")
    rows = kg.query("feedback-loops", lang="en").dicts()
    assert [(r["name"], r["statedLinks"], r["readingLinks"], r["inferredLinks"], r["weakest"]) for r in rows] == [
        ("Balancing loop B: Factor a → Factor b → Factor a", 2, 0, 0, "stated"),
        ("Reinforcing loop R: Factor b → Factor c → Factor b", 1, 1, 0, "reading"),
        ("Reinforcing loop R: Factor c → Factor d → Factor c", 1, 0, 1, "inferred"),
    ]
    assert [r["name"] for r in kg.query("feedback-loops", evidence="stated", lang="en").dicts()] == [
        "Balancing loop B: Factor a → Factor b → Factor a"]
    assert len(kg.query("feedback-loops", evidence="reading")) == 2
    data = build_map(kg, "system", evidence="stated")
    assert data.evidence == "stated"
    # Ranked on the stated links a<->b, c->b and c->d (an empty status is stated): b has the
    # highest betweenness, degree and loop count (3), then a (0 + 2/3 + 1), c (2/3), d (1/3).
    assert [(p["node"].rsplit("-", 1)[-1], p["score"]) for p in data.leverage] == [
        ("b", 3.0), ("a", 1.6667), ("c", 0.6667), ("d", 0.3333)]
    assert {x["code"]: (x["status"], x["rank"]) for x in data.loops} == {
        "B1": ("stated", 4), "R1": ("reading", 3), "R2": ("inferred", 1)}


def test_leverage_on_stated_links_of_the_embedded_map(kg):
    full = build_map(kg, "system")
    stated = build_map(kg, "system", evidence="stated")
    assert full.leverage[0]["node"] == FACTOR + "impact-finance"
    assert stated.leverage[0]["node"] == FACTOR + "stakeholder-collaboration"
    assert {p["loops"] for p in stated.leverage} == {0}  # no loop is made of stated links
    assert stated.notes[-1]["en"] == "leverage ranked on the 14 of 44 links at evidence 'stated' or stronger"
    assert len(stated.loops) == len(full.loops) == 41  # every loop stays listed, with its evidence
    with pytest.raises(ImpactKGError, match="--evidence is for the system map"):
        build_map(kg, "logic", evidence="stated")


def test_map_command_takes_an_evidence_level(tmp_path, capsys):
    out = tmp_path / "system.html"
    assert main(["map", "system", "--store", str(tmp_path / "s"), "--evidence", "stated", "-o", str(out)]) == 0
    assert "41 feedback loops" in capsys.readouterr().out
    assert '"evidence": "stated"' in out.read_text(encoding="utf-8")
