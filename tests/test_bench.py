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

SECTIONS = ("## Machine", "## Targets", "## Datasets", "## Build", "## Queries", "## Export", "## Maps",
            "## Loops and leverage")


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
        assert c["rows"] == c["rows_pyoxigraph"], c["name"]
        assert c["impactkg_p95"] >= c["impactkg_median"] > 0 and c["ratio"] > 0
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
