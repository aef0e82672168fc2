"""The crosswalk across languages, measured: precision@3 on the labelled set of catalogue
indicators (written before the matching was changed), against the real IRIS+ 5.3 code list and
the embedded UN SDG indicators; the reasons shown; the SSSOM export of accepted matches."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REFERENCE

from impactkg import KnowledgeGraph
from impactkg.graph.analysis import crosswalk as cw
from impactkg.graph.export.sssom import COLUMNS, sssom_tsv
from impactkg.loaders.irisplus import import_iris_plus

FIXTURES = Path(__file__).parent / "fixtures"
LABELLED = FIXTURES / "crosswalk-labelled.csv"
IRIS = REFERENCE / "iris-plus" / "IrisMetric53.ttl"
BIN = Path(sys.executable).with_name("impactkg")


@pytest.fixture(scope="module")
def iris_kg() -> KnowledgeGraph:
    if not IRIS.exists():
        pytest.skip(f"IRIS+ reference not at {IRIS} (../shared/reference is absent)")
    kg = KnowledgeGraph.memory()
    kg.build()
    import_iris_plus(kg, IRIS)
    return kg


def test_the_labelled_set_names_real_indicators_and_metrics(iris_kg):
    with open(LABELLED, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["indicator"] for r in rows}) == 32 >= 30
    assert all(r["rationale"] for r in rows)
    for r in rows:
        cw.resolve_indicator(iris_kg, r["indicator"])
        if r["match"]:  # every acceptable match is a metric of the graph
            cw.resolve_metric(iris_kg, r["match"])


def test_precision_at_3_on_the_labelled_set(iris_kg):
    result = cw.evaluate(iris_kg, LABELLED, k=3)
    assert result.pairs == 38  # 20 with an acceptable IRIS+ metric, 18 with a UN indicator
    assert result.by_vocabulary["iris-plus"][0] == 20 and result.by_vocabulary["sdg"][0] == 18
    assert result.precision >= 0.6, result
    assert min(p for _, p in result.by_vocabulary.values()) >= 0.6, result


def test_evaluation_counts_what_it_says(iris_kg, tmp_path):
    """precision@3 divides by min(3, acceptable); strict precision by 3; hit rate counts pairs."""
    top = {c.metric_id for c in cw.candidates(iris_kg, cw.resolve_indicator(iris_kg, "1"), against="iris-plus", top=3)}
    miss = next(m for m in ("PI4060", "PI2640", "PI6065") if m not in top)
    hit = sorted(top)[0]
    labelled = tmp_path / "set.csv"
    labelled.write_text(
        "indicator,vocabulary,match\n"
        f"1,iris-plus,{hit}\n1,iris-plus,{miss}\n"  # one of two found: 1/2
        f"2,iris-plus,{miss}\n"  # none found: 0
        "7,iris-plus,\n",  # no acceptable match: not counted
        encoding="utf-8",
    )
    result = cw.evaluate(iris_kg, labelled)
    assert (result.pairs, result.precision, result.hit_rate, result.strict) == (2, 0.25, 0.5, round(1 / 6, 3))


def test_recovery_time_is_not_matched_to_loan_repayment(iris_kg):
    ind = cw.resolve_indicator(iris_kg, "1")  # 地震後施設復旧時間
    iris = cw.candidates(iris_kg, ind, against="iris-plus", top=5)
    assert iris[0].metric_id == "PI2230"  # Service Hours Interrupted
    assert not any("Loan" in c.metric_label for c in iris)
    assert "unit compatible: duration vs duration" in iris[0].reasons
    assert any(r.startswith("label ") and "interruption" in r for r in iris[0].reasons)
    un = cw.candidates(iris_kg, ind, against="sdg", top=3)
    assert un[0].metric_id == "11.5.2" and un[0].sdg == 0.5  # same goal; 11.b's own indicators follow
    assert [c.sdg for c in un[1:]] == [1.0, 1.0]
    assert any(r.startswith("SDG path: indicator -> target 11.b <- official indicator") for r in un[1].reasons)


def test_candidates_for_353_and_against_all(iris_kg):
    rows = cw.candidates(iris_kg, cw.resolve_indicator(iris_kg, "353"), against="all", top=5)
    assert len(rows) == 5 and {c.vocabulary for c in cw.candidates(iris_kg, against="all", top=10)} == {"iris-plus", "sdg"}
    with pytest.raises(cw.CrosswalkError, match="unknown crosswalk target 'both'"):
        cw.candidates(iris_kg, against="both")


def run(env, *args):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)


def test_candidates_command_after_build_and_sssom_export(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))
    assert run(env, "build").returncode == 0
    cands = run(env, "crosswalk", "candidates", "-i", "353", "-f", "csv")
    assert cands.returncode == 0, cands.stderr
    rows = list(csv.DictReader(cands.stdout.splitlines()))
    assert len(rows) == 5 and all(r["evidence"] for r in rows)  # official SDG indicators, embedded
    assert run(env, "crosswalk", "accept", "355", "3.4.1", "--by", "Hanako Sato", "--note", "cancer is one of the four NCDs").returncode == 0
    assert run(env, "crosswalk", "accept", "1", "11.5.2", "--by", "Taro Suzuki", "--exact").returncode == 0
    out = tmp_path / "crosswalk.sssom.tsv"
    done = run(env, "crosswalk", "list", "--format", "sssom", "-o", str(out))
    assert done.returncode == 0 and "wrote 2 accepted matches" in done.stdout, done.stderr
    text = out.read_text(encoding="utf-8")
    meta = yaml.safe_load("\n".join(line[2:] for line in text.splitlines() if line.startswith("# ")))
    assert {"curie_map", "mapping_set_id", "license"} <= set(meta)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    table = list(csv.DictReader(body, delimiter="\t"))
    assert body[0].split("\t") == COLUMNS
    assert {"subject_id", "predicate_id", "object_id", "mapping_justification"} <= set(COLUMNS)
    assert len(table) == 2
    by_subject = {r["subject_id"]: r for r in table}
    r1 = by_subject["ikd.indicator:consortium-1"]
    assert (r1["predicate_id"], r1["object_id"], r1["author_label"]) == ("skos:exactMatch", "sdg:C110502", "Taro Suzuki")
    r355 = by_subject["ikd.indicator:consortium-355"]
    assert r355["predicate_id"] == "skos:closeMatch" and r355["comment"] == "cancer is one of the four NCDs"
    assert r355["subject_label"] == "Age-adjusted cancer incidence rate (per 100,000 population)"
    for r in table:
        assert r["mapping_justification"] == "semapv:ManualMappingCuration"
        assert 0 <= float(r["confidence"]) <= 1 and len(r["mapping_date"]) == 10
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            prefix = r[column].split(":", 1)[0]
            assert prefix in meta["curie_map"], (column, r[column])
    expanded = meta["curie_map"]["sdg"] + r1["object_id"].split(":", 1)[1]
    assert expanded == "http://metadata.un.org/sdg/C110502"


def test_sssom_of_a_graph_without_matches_is_a_valid_empty_set():
    kg = KnowledgeGraph.memory()
    kg.build()
    text = sssom_tsv(kg)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == ["\t".join(COLUMNS)]
    assert "curie_map" in yaml.safe_load("\n".join(line[2:] for line in text.splitlines() if line.startswith("# ")))
