"""Impact measurement and management: a company's KPI pool, value hypotheses and values over time
load from CSV and XLSX (the fictitious example of notebook 08), every bad cell is a located error
that changes nothing, and the named queries answer exactly."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from impactkg import KnowledgeGraph, LoadError, QueryError
from impactkg.loaders import KINDS
from impactkg.loaders.template import write_template

EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example"
FILES = [EXAMPLE / f"{k}.csv" for k in ("concepts", "organizations", "catalogue", "kpi_pool", "value_hypotheses", "values")]
ORG = "https://w3id.org/impactkg/id/org/example-co"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.fixture(scope="module")
def imm() -> KnowledgeGraph:
    """The embedded dataset and the example company, loaded from its CSV files."""
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(*FILES, namespace="imm-example")
    return kg


@pytest.fixture
def base() -> KnowledgeGraph:
    """The embedded dataset with the example's organisation and catalogue, for bad inputs."""
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(FILES[0], FILES[1], FILES[2], namespace="imm-example")
    return kg


def rows(kg, name: str, *columns: str, **params) -> list[tuple]:
    return [tuple(r.get(c) for c in columns) for r in kg.query(name, **params).dicts()]


# ---------------------------------------------------------------------- loading the example
def test_the_example_loads_from_csv_with_every_table(imm):
    counts = {r["c"].rsplit("#", 1)[-1]: r["n"] for r in imm.sparql(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/impactkg/graph/imm-example/')) } GROUP BY ?c").dicts()}
    assert counts["KPIAssignment"] == 10 and counts["ValueHypothesis"] == 5
    assert counts["IndicatorValue"] == 19 and counts["Indicator"] == 7
    report = imm.validate()
    assert report.conforms, report.text()


def test_the_xlsx_workbook_loads_to_the_same_answers_as_the_csv_files(imm):
    book = KnowledgeGraph.memory()
    book.build()
    summary = book.load(EXAMPLE / "imm-example.xlsx", namespace="imm-example")
    assert sorted(s[0] for s in summary.sources) == [
        f"imm-example.xlsx[{k}]" for k in ("catalogue", "concepts", "kpi_pool", "organizations", "value_hypotheses", "values")]
    for name in ("kpi-pool", "value-chain", "leading-indicators", "progress"):
        assert book.query(name).dicts() == imm.query(name).dicts(), name


def test_values_keep_their_decimals_exactly(imm):
    got = {(r["i"].rsplit("/", 1)[-1], r["k"].rsplit("/", 1)[-1], r["p"]): r["v"] for r in imm.sparql(
        "SELECT ?i ?k ?p (STR(?n) AS ?v) WHERE { ?i ikg:hasValue ?x . ?x ikg:valueKind ?k ; rdf:value ?n ; "
        "ikg:period ?p }").dicts()}
    assert got[("imm-example-1", "baseline", "2021-04-01/2022-03-31")] == "10000"  # written 10,000
    assert got[("imm-example-5", "baseline", "2021-04-01/2022-03-31")] == "6.5"  # written 6.50
    assert got[("imm-example-5", "current", "2024-04-01/2025-03-31")] == "8.2"
    assert not [v for v in got.values() if "E" in v.upper()]


def test_numbers_round_trip_exactly_from_csv_and_from_excel_cells(base, tmp_path):
    header = ["indicator", "kind", "value", "period", "organization"]
    big = "12345678901234567890.123456789"
    base.load(write_csv(tmp_path / "v.csv", header, [["1", "current", big, "2020", "example-co"]]),
              namespace="imm-example")
    wb = Workbook()
    ws = wb.active
    ws.title = "values"
    ws.append(header)
    ws.append(["1", "current", 1e-05, "2021", "example-co"])  # a number cell, read back as 1e-05
    ws.append(["1", "current", 1234.5, "2022", "example-co"])
    wb.save(tmp_path / "x.xlsx")
    base.load(tmp_path / "x.xlsx", namespace="imm-example")
    got = sorted(str(r[0]) for r in base.sparql(
        "SELECT (STR(?n) AS ?v) WHERE { ?x ikg:valueKind ?k ; rdf:value ?n ; ikg:forOrganization ?o }").rows)
    assert got == ["0.00001", "1234.5", big]


# ---------------------------------------------------------------------- located errors
BAD = [
    ("kpi_pool.csv", ["organization", "indicator", "role", "stage"],
     [["example-co", "1", "impact-kpi", "shortlist"]],
     ["kpi_pool.csv:2:stage: unknown kpi-stage 'shortlist' (known: KPI（指標）プール (KPI pool), コアKPI (Core KPI), "
      "コアKPIの候補 (Core-KPI candidate), モニタリング（試走） (Monitoring (trial run)))"]),
    ("kpi_pool.csv", ["organization", "indicator", "role", "stage"],
     [["example-co", "1", "social-kpi", "pool"]],
     ["kpi_pool.csv:2:role: unknown kpi-role 'social-kpi' (known: ESG関連KPI（マテリアリティ） (ESG / materiality KPI), "
      "インパクトKPI (Impact KPI), 事業KPI (Business KPI), 財務KPI (Financial KPI))"]),
    ("kpi_pool.csv", ["organization", "indicator", "role", "stage"],
     [["nobody-co", "1", "impact-kpi", "pool"]],
     ["kpi_pool.csv:2:organization: no organisation (give its id or name, as in the organizations sheet) "
      "'nobody-co' in this load or in the graph"]),
    ("kpi_pool.csv", ["organization", "indicator", "role", "stage", "direction", "range_lower", "range_upper"],
     [["example-co", "7", "business-kpi", "pool", "increase", "75", ""],
      ["example-co", "1", "impact-kpi", "pool", "range", "90", "75"],
      ["example-co", "2", "business-kpi", "pool", "range", "", ""]],
     ["kpi_pool.csv:2:range_lower: range bounds need the direction 'range' (keep within a range)",
      "kpi_pool.csv:3:range_upper: the upper bound 75 is below the lower bound 90",
      "kpi_pool.csv:4:direction: a 'range' direction needs range_lower, range_upper or both"]),
    ("kpi_pool.csv", ["organization", "indicator", "role", "stage", "direction", "decided_on"],
     [["example-co", "1", "impact-kpi", "pool", "increase", "2024/6/1"],
      ["example-co", "1", "impact-kpi", "pool", "", ""],
      ["example-co", "1", "impact-kpi", "core", "decrease", ""]],
     ["kpi_pool.csv:2:decided_on: expected a date as YYYY-MM-DD (ISO 8601, e.g. 2024-06-01), got '2024/6/1'",
      "kpi_pool.csv:3:stage: the same organisation, indicator, role and stage twice (also on row 2)",
      "kpi_pool.csv:4:direction: the direction or range differs from kpi_pool.csv:2 for the same "
      "organisation and indicator"]),
    ("value_hypotheses.csv", ["organization", "from", "to", "polarity", "evidence"],
     [["example-co", "98", "99", "+", "assumed"]],
     ["value_hypotheses.csv:2:from: no indicator 'imm-example-98' in this load or in the graph",
      "value_hypotheses.csv:2:to: no indicator 'imm-example-99' in this load or in the graph"]),
    ("value_hypotheses.csv", ["organization", "from", "to", "polarity", "lag", "evidence", "hypothesis_status"],
     [["example-co", "1", "1", "+", "", "assumed", ""],
      ["example-co", "1", "2", "up", "18", "hearsay", "maybe"]],
     ["value_hypotheses.csv:2:to: a value hypothesis ties two different indicators, not '1' to itself",
      "value_hypotheses.csv:3:polarity: expected a polarity, + or -, got 'up'",
      "value_hypotheses.csv:3:lag: expected a lag with its unit, such as 6か月, 1年, P1Y6M or 18 months, got '18'",
      "value_hypotheses.csv:3:evidence: unknown evidence-level 'hearsay' (known: 仮定 (Assumption), 因果の根拠 "
      "(Causal evidence), 定性的な根拠 (Qualitative evidence), 相関の根拠 (Correlational evidence))",
      "value_hypotheses.csv:3:hypothesis_status: unknown hypothesis-status 'maybe' (known: 提案 (Proposed), 支持 (Supported), "
      "棄却 (Refuted), 検証済み（結論なし） (Tested (inconclusive)))"]),
    ("values.csv", ["indicator", "kind", "value", "unit", "year", "organization"],
     [["1", "baseline", "100", "t", "2020", "example-co"]],
     ["values.csv:2:unit: unit 't' is not the indicator's unit 't-CO2' (values are recorded in their "
      "indicator's unit)"]),
    ("values.csv", ["indicator", "kind", "value", "year"],
     [["1", "baseline", "100", "2024年"], ["1", "current", "12,5x", "2024"], ["1", "forecast", "1", "2025"]],
     ["values.csv:2:year: expected a year of four digits such as 2024, got '2024年'",
      "values.csv:3:value: expected a number such as 1200, 1,200 or 12.5, got '12,5x'",
      "values.csv:4:kind: unknown value-kind 'forecast' (known: ベースライン値 (Baseline value), 現状値 (Current value), "
      "目標値 (Target value))"]),
    ("values.csv", ["indicator", "kind", "value", "period", "year", "organization"],
     [["1", "current", "12,5", "FY2024", "", "example-co"],
      ["1", "current", "5", "2024-04/2025-03", "2024", "example-co"],
      ["1", "current", "5", "2024-02-30", "", "example-co"]],
     ["values.csv:2:period: expected a period such as 2024, 2024-03, 2024-03-31 or an interval such as "
      "2024-04-01/2025-03-31 (ISO 8601), got 'FY2024'",
      "values.csv:2:value: expected a number such as 1200, 1,200 or 12.5, got '12,5'",
      "values.csv:3:year: the year 2024 is not the period 2024-04-01/2025-03-31: give one of them",
      "values.csv:4:period: no such date: '2024-02-30'"]),
    ("values.csv", ["indicator", "kind", "value", "period", "organization"],
     [["1", "current", "14200", "2024-04-01/2025-03-31", "example-co"],
      ["1", "current", "14200", "2024-04/2025-03", "example-co"],
      ["1", "current", "14300", "2025-03-31", "example-co"]],
     ["values.csv:3:period: a second value of the same indicator, kind, organisation, project and period end "
      "(also on row 2)",
      "values.csv:4:period: a second value of the same indicator, kind, organisation, project and period end "
      "(also on row 2)"]),
]


@pytest.mark.parametrize(("name", "header", "cells", "expected"), BAD, ids=[
    "unknown-stage", "unknown-role", "unknown-organisation", "range-bounds", "date-duplicate-direction",
    "hypothesis-unknown-indicators", "hypothesis-cells", "unit-differs", "year-number-kind",
    "period-and-comma", "same-period-twice"])
def test_each_bad_input_is_a_located_error_that_changes_nothing(base, tmp_path, name, header, cells, expected):
    before = base.canonical_nquads()
    with pytest.raises(LoadError) as exc:
        base.load(write_csv(tmp_path / name, header, cells), namespace="imm-example")
    assert messages(exc) == expected
    assert base.canonical_nquads() == before


def test_a_value_that_contradicts_another_file_or_the_graph_is_refused(base, tmp_path):
    header = ["indicator", "kind", "value", "period", "organization"]
    first = write_csv(tmp_path / "fy2024.csv", header, [["1", "baseline", "10000", "2021-04/2022-03", "example-co"]])
    same = write_csv(tmp_path / "fy2025.csv", header, [["1", "baseline", "10,000", "2021-04/2022-03", "example-co"]])
    other = write_csv(tmp_path / "fy2026.csv", header, [["1", "baseline", "9000", "2021-04/2022-03", "example-co"]])
    with pytest.raises(LoadError) as exc:
        base.load(first, other, namespace="imm-example")
    assert messages(exc) == [
        "fy2026.csv:2:value: contradicts a value of the same indicator, kind, organisation, project and period "
        "end in fy2024.csv row 2: 9000 for 2021-04-01/2022-03-31 against 10000 for 2021-04-01/2022-03-31"]
    base.load(first, same, namespace="imm-example")  # each year's file repeating the baseline is fine
    before = base.canonical_nquads()
    with pytest.raises(LoadError) as exc:
        base.load(other, namespace="imm-example")
    assert messages(exc) == [
        "fy2026.csv:2:value: contradicts a value of the same indicator, kind, organisation, project and period "
        "end in the graph <https://w3id.org/impactkg/graph/imm-example/fy2024>: 9000 for "
        "2021-04-01/2022-03-31 against 10000 for 2021-04-01/2022-03-31"]
    assert base.canonical_nquads() == before
    base.load(first, namespace="imm-example")  # reloading a file replaces it: no conflict with itself


def test_a_unit_is_checked_against_an_indicator_of_the_same_load(tmp_path):
    kg = KnowledgeGraph.memory()
    kg.build()
    cat = write_csv(tmp_path / "catalogue.csv", ["id", "indicator", "unit"], [["a", "研修の受講者数", "人"]])
    vals = write_csv(tmp_path / "values.csv", ["indicator", "kind", "value", "unit", "year"],
                     [["a", "current", "30", "件", "2024"], ["a", "target", "50", "人", "2030"]])
    with pytest.raises(LoadError) as exc:
        kg.load(vals, cat, namespace="mine")  # the values come first: checked once every table is read
    assert messages(exc) == ["values.csv:2:unit: unit '件' is not the indicator's unit '人' (values are "
                             "recorded in their indicator's unit)"]


def test_the_imm_kinds_have_templates(tmp_path):
    assert {"kpi_pool", "value_hypotheses"} <= set(KINDS)
    header = write_template("kpi_pool", tmp_path / "kpi.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:4] == ["organization", "indicator", "role", "stage"]
    header = write_template("value_hypotheses", tmp_path / "h.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:6] == ["organization", "from", "to", "polarity", "lag", "evidence"]
    header = write_template("values", tmp_path / "v.csv").read_text(encoding="utf-8").splitlines()[0]
    assert {"period", "organization", "project", "source_url", "recorded_by"} <= set(header.split(","))


# ---------------------------------------------------------------------- the named queries
def test_kpi_pool_gives_each_indicator_at_its_furthest_stage(imm):
    got = rows(imm, "kpi-pool", "roleLabel", "stageLabel", "label", "direction", "decidedOn", "decidedBy", "stages",
               org="example-co")
    assert [(r[0], r[1], r[2], r[3]) for r in got] == [
        ("事業KPI", "コアKPI", "省エネ製品の販売台数", "increase"),
        ("事業KPI", "モニタリング（試走）", "省エネ製品の売上高比率", "increase"),
        ("事業KPI", "KPI（指標）プール", "設備稼働率", "range"),
        ("ESG関連KPI（マテリアリティ）", "コアKPI", "事業のCO2排出量（スコープ1・2）", "decrease"),
        ("財務KPI", "コアKPI", "ROIC（投下資本利益率）", "increase"),
        ("財務KPI", "コアKPIの候補", "売上高", "increase"),
        ("インパクトKPI", "コアKPI", "製品使用時のCO2削減貢献量", "increase"),
    ]
    co2 = got[-1]
    assert (str(co2[4]), co2[5]) == ("2024-06-20", "取締役会（架空）")
    assert sorted(co2[6].split(", ")) == sorted(["KPI（指標）プール", "コアKPIの候補", "モニタリング（試走）", "コアKPI"])
    assert [r[0] for r in rows(imm, "kpi-pool", "label", stage="core")] == [
        "省エネ製品の販売台数", "事業のCO2排出量（スコープ1・2）", "ROIC（投下資本利益率）", "製品使用時のCO2削減貢献量"]
    assert rows(imm, "kpi-pool", "label", "lower", "upper", role="business-kpi")[2] == ("設備稼働率", Decimal(75), Decimal(90))
    assert rows(imm, "kpi-pool", "label", org="サンプル環境機器株式会社（架空）") == rows(imm, "kpi-pool", "label")
    with pytest.raises(QueryError, match="kpi-pool: parameter org: no organisation 'nobody' in the graph"):
        imm.query("kpi-pool", org="nobody")


def test_value_chain_gives_the_paths_with_their_weakest_evidence(imm):
    got = rows(imm, "value-chain", "impactLabel", "businessLabel", "financialLabel", "weakestEvidence",
               "weakestRank", "polarity", "lagMonths", "status1", "status2")
    assert got == [
        ("製品使用時のCO2削減貢献量", "省エネ製品の販売台数", "ROIC（投下資本利益率）", "qualitative", 2, "+", 24,
         "tested", "supported"),
        ("製品使用時のCO2削減貢献量", "省エネ製品の売上高比率", "売上高", "assumed", 1, "+", 18, "proposed", "proposed"),
    ]


def test_a_refuted_hypothesis_leaves_the_chains(base, tmp_path):
    kpi = write_csv(tmp_path / "kpi_pool.csv", ["organization", "indicator", "role", "stage"],
                    [["example-co", "1", "impact-kpi", "core"], ["example-co", "4", "business-kpi", "core"],
                     ["example-co", "5", "financial-kpi", "core"]])
    hyp = write_csv(tmp_path / "value_hypotheses.csv", ["organization", "from", "to", "polarity", "evidence", "hypothesis_status"],
                    [["example-co", "1", "4", "-", "causal", "supported"], ["example-co", "4", "5", "-", "causal", ""]])
    base.load(kpi, hyp, namespace="imm-example")
    assert rows(base, "value-chain", "weakestEvidence", "polarity") == [("causal", "+")]  # − × − is +
    write_csv(hyp, ["organization", "from", "to", "polarity", "evidence", "hypothesis_status"],
              [["example-co", "1", "4", "-", "causal", "refuted"], ["example-co", "4", "5", "-", "causal", ""]])
    base.load(hyp, namespace="imm-example")
    assert rows(base, "value-chain", "weakestEvidence") == []
    drives = "ASK { <https://w3id.org/impactkg/id/indicator/imm-example-1> ikg:drives ?b }"
    assert not bool(base.sparql(drives))  # a refuted hypothesis is no longer an ikg:drives link


def test_leading_indicators_of_the_financial_kpis(imm):
    got = rows(imm, "leading-indicators", "leadingLabel", "financialLabel", "viaLabel", "lagMonths", "weakestEvidence",
               "weakestStatus")
    assert got == [
        ("省エネ製品の販売台数", "ROIC（投下資本利益率）", None, 12, "correlational", "supported"),
        ("製品使用時のCO2削減貢献量", "ROIC（投下資本利益率）", "省エネ製品の販売台数", 24, "qualitative", "tested"),
        ("省エネ製品の売上高比率", "売上高", None, 6, "assumed", "proposed"),
        ("製品使用時のCO2削減貢献量", "売上高", "省エネ製品の売上高比率", 18, "assumed", "proposed"),
    ]


@pytest.mark.parametrize("query", ["kpi-pool", "value-chain", "progress", "leading-indicators"])
def test_the_organisation_parameter_names_one_of_the_graph_or_is_refused(imm, query):
    # by its id, in any case, and by its name as written: the same rows
    by_id = imm.query(query, org="example-co").dicts()
    assert by_id and imm.query(query, org="EXAMPLE-CO").dicts() == by_id
    assert imm.query(query, org="サンプル環境機器株式会社（架空）").dicts() == by_id
    # an organisation the graph does not hold is an error, not an empty answer
    with pytest.raises(QueryError) as err:
        imm.query(query, org="exmple-co")
    assert str(err.value) == (
        f"{query}: parameter org: no organisation 'exmple-co' in the graph (did you mean 'example-co'?): "
        "give its id (the end of its IRI, e.g. example-co) or its name as written")
