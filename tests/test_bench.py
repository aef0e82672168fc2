"""The benchmark harness (``bench/``): a ``--quick`` smoke run writes a results file with every
section, the machine and the date, and ratios that make sense (no timed assertions); the
generator is deterministic; and the RDF load path the benchmark led to (the store parses a
checked file itself) keeps a load's guarantees."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph
from impactkg.errors import LoadError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

SECTIONS = ("## Machine", "## Targets", "## Datasets", "## Build", "## Queries", "## Export",
            "## Loads on disk", "## Maps", "## Endpoint against oxigraph serve",
            "## Loops and leverage", "## What the results cost", "## Start-up of the command line",
            "## Growth of the system-map work", "## Checking the graph: SHACL and reasoning")


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp("bench")
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out / "results.md"), "--work", str(out / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return (out / "results.md").read_text(encoding="utf-8"), json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_quick_run_writes_every_section_with_the_machine_and_the_date(quick):
    text, res = quick
    for section in SECTIONS:
        assert section in text
    m = res["machine"]
    assert m["nproc"] >= 1 and m["memory_gib"] > 0 and m["cpu"] and m["date"][:2] == "20"
    assert m["versions"]["pyoxigraph"][0].isdigit() and m["versions"]["rdflib"][0].isdigit()
    for needle in (f"{m['nproc']} cores", m["cpu"], f"pyoxigraph {m['versions']['pyoxigraph']}",
                   f"rdflib {m['versions']['rdflib']}", f"Python {m['python']}", m["date"]):
        assert needle in text
    assert "quick smoke run" in text
    # Every target is listed, none judged at a tiny size.
    assert len(res["targets"]) >= 6 and all(t["met"] is None for t in res["targets"])


def test_on_disk_loads_hold_the_same_triples_as_pyoxigraphs_and_the_csv_is_counted(quick):
    _, res = quick
    loads = res["loads"]
    (size, _), = res["builds"].items()
    assert (loads["impactkg-nt-disk"]["quads"] == loads["pyoxigraph-nt-disk"]["quads"]
            == loads["pyoxigraph-nt-disk-graph"]["quads"] == res["datasets"][size]["triples"])
    csv = loads["impactkg-csv-disk"]
    assert csv["rows"] == loads["csv_rows"] == 1_000 and csv["rows_per_minute"] > 0
    assert csv["peak_rss_mb"] >= csv["rss_before_mb"] > 0
    names = [t["target"] for t in res["targets"]]
    assert any("on-disk load" in n and "bulk_load" in n for n in names)
    assert any("catalogue CSV of 1,000 rows" in n for n in names)


def test_every_contender_loads_the_same_triples_and_the_ratios_make_sense(quick):
    _, res = quick
    (size, build), = res["builds"].items()
    triples = res["datasets"][size]["triples"]
    assert build["impactkg-nt"]["quads"] == build["pyoxigraph-nt"]["quads"] == build["rdflib"]["load"]["quads"] == triples
    assert build["impactkg-nq"]["quads"] == build["pyoxigraph-nq"]["quads"] == build["impactkg-tables"]["quads"]
    for engine in ("impactkg-nt", "pyoxigraph-nt", "impactkg-tables"):
        row = build[engine]
        assert 0 < row["seconds"] < math.inf and row["peak_rss_mb"] >= row["rss_before_mb"] > 0
    text, _ = quick
    assert "| impactkg: `KnowledgeGraph.load(graph.nt)` |" in text and "rdflib / impactkg" in text


def test_named_queries_give_the_same_rows_on_impactkg_and_on_pyoxigraph_and_never_use_rdflib(quick):
    _, res = quick
    (_, q), = res["queries"].items()
    from impactkg.queries import library

    assert {c["name"] for c in q["cases"]} == set(library())
    for c in q["cases"]:
        assert c["rows"] == c["rows_pyoxigraph"] == c["rows_limit"], c["name"]
        assert c["same_rows"] is True, (c["name"], c["params"])
        assert c["impactkg_p95"] >= c["impactkg_median"] > 0 and c["ratio"] > 0 and c["ratio_same"] > 0
        assert c["rdflib_evaluations"] == 0 and c["pyoxigraph_queries"] == c["reps"] * (1 + c["reference_lookups"])
    assert any(c["property_path"] for c in q["cases"]) and any(c["rows"] > 10 for c in q["cases"])
    assert any(c["reference_lookups"] for c in q["cases"])  # the parameter check is counted, not hidden
    ev = q["evaluator"]
    assert ev["backend"] == "oxigraph" and ev["rdflib_evaluations"] == 0 and ev["rdflib_probe_control"] == 1
    assert {r["name"] for r in q["reference"]} == {"indicators-of-one-target", "chain-as-sequence-path",
                                                    "chain-as-transitive-path"}
    assert all(r["rows"] == r["rows_pyoxigraph"] > 0 for r in q["reference"])


def test_exports_maps_and_leverage_are_reported(quick):
    text, res = quick
    (_, e), = res["exports"].items()
    for name in ("impactkg-ttl", "pyoxigraph-ttl", "impactkg-jsonld", "pyoxigraph-jsonld"):
        assert e[name]["bytes"] > 1000 and e[name]["median"] > 0
    # impactkg's Turtle holds the same triples as pyoxigraph's (files differ at most in order).
    assert abs(e["impactkg-ttl"]["bytes"] - e["pyoxigraph-ttl"]["bytes"]) < 0.05 * e["pyoxigraph-ttl"]["bytes"]
    maps = res["maps"]
    assert [c["requested"] for c in maps["cases"]] == [60, 200]
    for c in maps["cases"]:
        assert c["nodes"] == c["requested"] and c["html_bytes"] > 100_000
        if "error" not in maps:  # a headless chromium is there: both pages were timed
            assert c["impactkg"]["drawn"] and c["impactkg"]["clicked"] >= c["impactkg"]["drawn"]
            assert "pyvis" in c and c["pyvis"]["blocked"] >= 1  # pyvis's CDN requests never left
    assert [r["factors"] for r in res["system"]] == [50, 200]
    assert all(r["loops"] > 0 and r["leverage"] > 0 for r in res["system"])
    assert "pyvis / impactkg" in text


def test_limits_of_the_issue_are_used_and_filtered_cases_run(quick):
    _, res = quick
    (_, q), = res["queries"].items()
    sources = {(c["name"], tuple(c["params"])): c["limit_source"] for c in q["cases"]}
    assert sources[("impacts-without-measured-outcome", ())] == "bench/limits/impacts-without-measured-outcome.rq"
    assert sources[("indicators-per-goal", ())] == "bench/limits/indicators-per-goal.rq"
    assert sources[("feedback-loops", ("factor",))] == "bench/limits/feedback-loops@factor.rq"
    loops = {tuple(c["params"]): c["rows"] for c in q["cases"] if c["name"] == "feedback-loops"}
    assert loops[()] >= loops[("factor",)] > 0
    cost = q["results_cost"]
    assert cost["query"] == "targets-without-indicator" and cost["rows"] > 0
    assert set(cost["medians"]) == {"pyoxigraph read", "pyoxigraph JSON", "door rows", "endpoint JSON", "CLI CSV",
                                    "CLI table", "rdflib view"}


def test_startup_growth_and_checks_are_reported_and_judged_by_issue_16s_targets(quick):
    text, res = quick
    startup = {r["name"]: r for r in res["startup"]}
    assert {"python -c 'import pyoxigraph'", "impactkg --version", "impactkg --help",
            "impactkg query targets-without-indicator"} <= set(startup)
    assert all(r["cpu_median"] > 0 and r["runs"] == 3 for r in startup.values())
    assert startup["impactkg --version"]["heavy"] == [] and startup["impactkg --help"]["heavy"] == []
    phases = {p["query"]: p["phases"] for p in res["startup_phases"]}
    assert set(phases) == {"targets-without-indicator", "indicators-for-target"}
    assert list(phases["targets-without-indicator"]) == [
        "dataclasses and inspect", "the command line's modules and arguments",
        "the SPARQL tokenizer (its regular expressions compiled)", "the store's, the queries' and the table's other modules",
        "opening the store read-only (RocksDB)", "the query (parameters checked, rows read)", "the table"]
    assert all(v > 0 for p in phases.values() for v in p.values())
    assert "where it goes: " in next(t["why"] for t in res["targets"]
                                     if t["target"].startswith("`impactkg query targets-without-indicator`"))
    assert [r["links"] for r in res["scaling"]["links"]] == [202, 498]
    assert [r["factors"] for r in res["scaling"]["maps"]] == [100, 300]
    assert all(r["load"] > 0 and r["loops"] > 0 for r in res["scaling"]["links"])
    (shacl,) = res["checks"]["shacl"]
    assert shacl["same_violations"] is True and shacl["checks"] > 50 and shacl["quads"] > shacl["size"]
    targets = [t["target"] for t in res["targets"]]
    for needle in ("within 2× of its limit", "no quadratic path: loading", "no quadratic path: building",
                   "`impactkg --help`: CPU time", "`impactkg export -o x.jsonld`", "named graphs",
                   "results of `targets-without-indicator`"):
        assert any(needle in t for t in targets), needle
    reason = res["checks"].get("reason")
    if reason:  # Java is installed: HermiT ran, and its share of the time is judged
        assert reason["consistent"] is True and reason["inferred"] > 0
        assert any(t.startswith("`reason` spends its time reasoning") for t in targets)
    assert "| `impactkg --help` |" in text


def test_generated_graphs_are_deterministic_by_seed(tmp_path):
    a = generate(5000, tmp_path / "a", log=lambda _: None)
    b = generate(5000, tmp_path / "b", log=lambda _: None)
    c = generate(5000, tmp_path / "c", seed=7, log=lambda _: None)
    assert a.nt.read_bytes() == b.nt.read_bytes()
    assert a.nt.read_bytes() != c.nt.read_bytes()
    kinds = {p.name for p in a.members[0].iterdir()}
    assert {"catalogue.csv", "values.csv", "finance_cases.csv", "system_connections.csv"} <= kinds
    assert a.manifest["indicators"] > 0 and a.manifest["links"] > 0 and a.triples > 3000


# ---------------------------------------------------------------------- the RDF load path
def test_an_rdf_file_with_an_error_anywhere_changes_nothing(tmp_path):
    kg = KnowledgeGraph.memory()
    good = tmp_path / "good.nt"
    good.write_text("".join(f"<http://e.org/s{i}> <http://e.org/p> \"{i}\" .\n" for i in range(5000)), "utf-8")
    kg.load(good)
    before = kg.canonical_nquads()
    bad = tmp_path / "good2.nt"
    bad.write_text(good.read_text("utf-8") + "<http://e.org/x> <http://e.org/p> \"unterminated .\n", "utf-8")
    bad.replace(tmp_path / "good.nt")
    with pytest.raises(LoadError) as exc:
        kg.load(tmp_path / "good.nt")
    assert str(exc.value).startswith("good.nt:5001:")
    assert kg.canonical_nquads() == before


def test_n_quads_keep_their_graphs_and_tables_see_subjects_typed_in_rdf_of_the_same_load(tmp_path):
    kg = KnowledgeGraph.memory()
    kg.build()
    nq = tmp_path / "extra.nq"
    nq.write_text(
        "<https://w3id.org/impactkg/id/indicator/ext-9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/impactkg/ontology#Indicator> <http://e.org/g1> .\n"
        "<http://e.org/a> <http://e.org/p> \"default graph\" .\n", "utf-8")
    values = tmp_path / "values.csv"
    values.write_text("indicator,kind,value,year\next:9,baseline,12,2024\n", "utf-8")
    summary = kg.load(nq, values, namespace="ext")
    assert "http://e.org/g1" in kg.graphs()
    assert any(g.endswith("/graph/ext/extra") for g in kg.graphs())  # the file's own graph
    assert {s for s, g, _, n in summary.sources if n} >= {"extra.nq"}
    rows = kg.query("indicator-values", indicator="ext:9").dicts()
    assert [r["value"] for r in rows] == [12]


def test_the_endpoint_and_oxigraph_serve_answer_the_same_rows_without_errors(quick):
    """bench/serve.py: both servers on copies of one store give the same rows, every request of
    every run is answered, and the figures behind the ratios are there (no timing judged)."""
    _, res = quick
    s = res["serve"]
    named = s["rows"]["indicators-for-target"]
    assert named["impactkg"] == named["oxigraph"] > 0 and s["rows"]["COUNT(*)"] == {"impactkg": 1, "oxigraph": 1}
    assert {(r["server"], r["query"], r["clients"]) for r in s["runs"]} == {
        (x, q, n) for x in ("impactkg", "oxigraph") for q in ("indicators-for-target", "COUNT(*)") for n in (1, 4)}
    assert all(r["errors"] == 0 and r["requests"] > 0 and r["p99"] >= r["p50"] > 0 for r in s["runs"])
    assert s["workers"] == 2 and s["peak_mib"]["impactkg"] > s["worker_base_mib"] > 0 and s["peak_mib"]["oxigraph"] > 0
    assert set(s["overhead"]) == {"indicators-for-target", "COUNT(*)"}
    # Figures, not timings judged: a text refused early (a.a.a… after 5,000 dots) takes as long at 1 MB as at 100 KB.
    assert set(s["text_checks"]) == {"a.a.a…", "a-a-a…", "VALUES of strings", "VALUES of IRIs", "prefixed names"}
    assert all(c["1MB"] > 0 and c["100KB"] > 0 and c["ratio"] == c["1MB"] / c["100KB"]
               for c in s["text_checks"].values())
    names = {t["target"] for t in res["targets"]}
    assert "endpoint requests/s ≥ 0.9× oxigraph serve's (every query, 1/8/32 clients)" in names


def test_a_missed_results_target_says_where_the_time_goes():
    from bench.targets16 import _results_cause

    m = {"door rows": 0.0019, "pyoxigraph read": 0.0012, "endpoint JSON": 0.00231, "pyoxigraph JSON": 0.00116}
    assert _results_cause(m, "endpoint JSON") == (
        "; measured cause: the door's query (parameters bound and checked, the dataset decided, the evaluation on "
        "the runner thread, the rows read) 1.90 ms against 1.20 ms to read the rows from pyoxigraph (+0.70 ms), "
        "then writing the JSON from the rows in Python 0.41 ms, where pyoxigraph reads and writes it in Rust in "
        "1.16 ms in all")
    assert _results_cause(m, "door rows").endswith("(+0.70 ms)")


def test_the_union_check_is_reported_as_it_was_measured(quick):
    """The exports keep the check that the union written once holds pyoxigraph's triples."""
    from bench.targets16 import _same_triples_text

    _, res = quick
    (e,) = res["exports"].values()
    assert e["same_triples"] is True and e["named_graphs"] > 1
    assert [_same_triples_text(x) for x in (True, False, None)] == [
        "checked: the same triples as pyoxigraph's", "NOT the same triples as pyoxigraph's", "not checked in this run"]
