"""Progress to target, with values computed by hand: each case is loaded as a company's KPI pool
and values, then assessed by impactkg.graph.analysis.progress and by the ``progress`` named query,
which must both give the hand-computed share (rounded to 4 places) and status."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph, QueryError
from impactkg.graph.analysis.progress import Obs, Series, assess, progress

ORG = "https://w3id.org/impactkg/id/org/case-co"

# indicator: direction (or "" for none stated), range, values (kind, value, period), expected
# (direction, share, status). Months are year × 12 + month of each period's end.
CASES = {
    # increase, exactly on the line: share 60/100 = 0.6, elapsed 36 of 60 months = 0.6
    "c1": ("increase", "", [("baseline", "100", "2020"), ("current", "160", "2023"), ("target", "200", "2025")],
           ("increase", "0.6", "on-track")),
    # increase behind: 30/100 = 0.3 < 0.6
    "c2": ("increase", "", [("baseline", "100", "2020"), ("current", "130", "2023"), ("target", "200", "2025")],
           ("increase", "0.3", "off-track")),
    # decrease, gone past the target: (20-50)/(25-50) = 1.2
    "c3": ("decrease", "", [("baseline", "50", "2019"), ("current", "20", "2023"), ("target", "25", "2030")],
           ("decrease", "1.2", "achieved")),
    # decrease without periods: (40-50)/(30-50) = 0.5 > 0: moving towards the target
    "c4": ("decrease", "", [("baseline", "50", ""), ("current", "40", ""), ("target", "30", "")],
           ("decrease", "0.5", "on-track")),
    # the target's date has passed (2022) and the value (2024) has not reached it: 8/10 = 0.8 < elapsed 1
    "c5": ("increase", "", [("baseline", "10", "2018"), ("current", "18", "2024"), ("target", "20", "2022")],
           ("increase", "0.8", "off-track")),
    # no baseline: no share, and not reached: no data
    "c6": ("increase", "", [("current", "35", "2024"), ("target", "50", "2030")], ("increase", None, "no-data")),
    # no baseline but the target is reached: achieved, still no share
    "c7": ("increase", "", [("current", "55", "2024"), ("target", "50", "2030")], ("increase", None, "achieved")),
    # range 75..90, inside
    "c8": ("range", "75 90", [("baseline", "68", "2021"), ("current", "78", "2024")], ("range", "1", "achieved")),
    # range, 15 below at baseline, 5 below now: (15-5)/15 = 0.6667
    "c9": ("range", "75 90", [("baseline", "60", "2021"), ("current", "70", "2024")], ("range", "0.6667", "on-track")),
    # range, 5 above at baseline, 9 above now: (5-9)/5 = -0.8
    "c10": ("range", "75 90", [("baseline", "95", "2021"), ("current", "99", "2024")], ("range", "-0.8", "off-track")),
    # range, inside at baseline, outside now: off track, no share
    "c11": ("range", "75 90", [("baseline", "80", "2021"), ("current", "95", "2024")], ("range", None, "off-track")),
    # a one-sided range (at least 75): 10 below, then 5 below: 0.5
    "c12": ("range", "75 ", [("baseline", "65", "2021"), ("current", "70", "2024")], ("range", "0.5", "on-track")),
    # no direction stated: inferred increase from baseline 10 and target 20; 0.2 >= 12/120 = 0.1
    "c13": ("", "", [("baseline", "10", "2020"), ("current", "12", "2021"), ("target", "20", "2030")],
            ("increase", "0.2", "on-track")),
    # interim targets 50 (2022), 100 (2025), 200 (2030): the value of 2023 is measured against 100;
    # 40/100 = 0.4 < elapsed 36/60 = 0.6
    "c14": ("increase", "", [("baseline", "0", "2020"), ("current", "40", "2023"), ("target", "50", "2022"),
                             ("target", "100", "2025"), ("target", "200", "2030")], ("increase", "0.4", "off-track")),
    # the target equals the baseline and the value fell below: off track, no share
    "c15": ("increase", "", [("baseline", "5", "2020"), ("current", "4", "2023"), ("target", "5", "2025")],
            ("increase", None, "off-track")),
    # no target
    "c16": ("increase", "", [("baseline", "1", "2020"), ("current", "2", "2023")], ("increase", None, "no-data")),
    # no observed value yet
    "c17": ("increase", "", [("baseline", "1", "2020"), ("target", "2", "2025")], ("increase", None, "no-data")),
    # fiscal years: ends 2022-03, 2025-03, 2031-03: elapsed 36/108 = 1/3, share 10/30 = 1/3: on the line
    "c18": ("increase", "", [("baseline", "0", "2021-04/2022-03"), ("current", "10", "2024-04/2025-03"),
                             ("target", "30", "2030-04/2031-03")], ("increase", "0.3333", "on-track")),
    # decrease on track: (95-120)/(60-120) = 5/12 = 0.41666.. >= 36/120
    "c19": ("decrease", "", [("baseline", "120", "2020"), ("current", "95", "2023"), ("target", "60", "2030")],
            ("decrease", "0.4167", "on-track")),
    # moving away: (90-100)/(200-100) = -0.1
    "c20": ("increase", "", [("baseline", "100", "2020"), ("current", "90", "2023"), ("target", "200", "2030")],
            ("increase", "-0.1", "off-track")),
    # a tie in rounding: 2469/20000 = 0.12345 -> 0.1235 (half up); -0.12345 -> -0.1234 (towards +inf);
    # both behind the elapsed 36/120 = 0.3
    "c21": ("increase", "", [("baseline", "0", "2020"), ("current", "2469", "2023"), ("target", "20000", "2030")],
            ("increase", "0.1235", "off-track")),
    "c22": ("increase", "", [("baseline", "0", "2020"), ("current", "-2469", "2023"), ("target", "20000", "2030")],
            ("increase", "-0.1234", "off-track")),
}


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> KnowledgeGraph:
    return cases_graph(tmp_path_factory.mktemp("cases"))


def cases_graph(d: Path) -> KnowledgeGraph:
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(*write_cases(d), namespace="cases", new_concepts=True)  # the unit 点 is the cases' own
    return kg


def write_cases(d: Path) -> list[Path]:
    """The cases as a company's tables: organizations, catalogue, kpi_pool, values."""
    orgs = _write(d / "organizations.csv", ["id", "name_ja", "org_type"], [["case-co", "検証用の会社（架空）", "company"]])
    cat = _write(d / "catalogue.csv", ["id", "indicator", "unit"], [[k, f"指標 {k}", "点"] for k in CASES])
    pool, values = [], []
    for key, (direction, bounds, vals, _) in CASES.items():
        if direction:
            lo, _, hi = bounds.partition(" ")
            pool.append(["case-co", key, "impact-kpi", "core", direction, lo, hi])
        values += [[key, kind, value, period, "case-co"] for kind, value, period in vals]
    kpi = _write(d / "kpi_pool.csv", ["organization", "indicator", "role", "stage", "direction", "range_lower",
                                      "range_upper"], pool)
    vals = _write(d / "values.csv", ["indicator", "kind", "value", "period", "organization"], values)
    return [orgs, cat, kpi, vals]


def _expected(key: str) -> tuple:
    direction, share, status = CASES[key][3]
    return direction, D(share) if share is not None else None, status


@pytest.mark.parametrize("key", list(CASES))
def test_python_progress_gives_the_hand_computed_share_and_status(cases, key):
    (p,) = [p for p in progress(cases, ORG) if p.series.indicator.endswith(f"/cases-{key}")]
    assert (p.direction, p.share_rounded(), p.status) == _expected(key)
    assert p.direction_source == ("stated" if CASES[key][0] else "inferred")


@pytest.mark.parametrize("key", list(CASES))
def test_the_progress_query_gives_the_same_share_and_status(cases, key):
    (row,) = cases.query("progress", indicator=f"cases:{key}").dicts()
    assert (row["direction"], row.get("share"), row["status"]) == _expected(key)
    assert row["directionSource"] == ("stated" if CASES[key][0] else "inferred")


def test_the_query_and_python_agree_on_every_series_of_the_graph(cases):
    query = {r["indicator"]: (r["status"], r.get("share")) for r in cases.query("progress").dicts()}
    python = {p.series.indicator: (p.status, p.share_rounded()) for p in progress(cases)}
    assert query == python and len(python) == len(CASES) + 1  # and the consortium's Health Japan 21 card


def test_the_progress_query_filters_by_organisation(cases):
    assert len(cases.query("progress", org="case-co")) == len(CASES)
    assert len(cases.query("progress", org="検証用の会社（架空）")) == len(CASES)
    with pytest.raises(QueryError, match="progress: parameter org: no organisation 'nobody' in the graph"):
        cases.query("progress", org="nobody")


def test_the_chosen_values_and_elapsed_time(cases):
    (p,) = [p for p in progress(cases, ORG) if p.series.indicator.endswith("/cases-c14")]
    assert (p.baseline.value, p.latest.value, p.target.value, p.target.period) == (D(0), D(40), D(100), "2025")
    assert p.share == Fraction(2, 5) and p.elapsed == Fraction(3, 5)
    (p,) = [p for p in progress(cases, ORG) if p.series.indicator.endswith("/cases-c5")]
    assert p.elapsed == 1 and p.target.period == "2022"


def test_assess_directly():
    def year(n: int) -> dt.date:
        return dt.date(n, 12, 31)

    s = Series("i", baselines=[Obs(D(10), "2020", year(2020))], currents=[Obs(D(30), "2024", year(2024))],
               targets=[Obs(D(20), "2025", year(2025))], direction="increase")
    p = assess(s)
    assert (p.share, p.status) == (Fraction(2), "achieved")
    s.direction = None
    s.targets = [Obs(D(10), "2025", year(2025))]  # the target equals the baseline: no direction to infer
    p = assess(s)
    assert (p.direction, p.status) == (None, "no-data")
