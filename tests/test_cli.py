"""The command line as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from impactkg import KnowledgeGraph

BIN = Path(sys.executable).with_name("impactkg")


def run(*args: str, store: Path | None = None, check: bool = True, stdin: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [str(BIN), *args]
    env = dict(os.environ)
    if store is not None:
        env["IMPACTKG_STORE"] = str(store)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin, cwd=cwd, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    run("build", "--store", str(path))
    return path


def test_query_without_a_graph_builds_the_embedded_dataset_first(tmp_path):
    proc = run("query", "indicators-for-target", "--param", "target=11.b", "--format", "csv",
               store=tmp_path / "default")
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert len(rows) == 17 and rows[0]["indicator"] == "地震後施設復旧時間" and rows[0]["unit"] == "分"
    assert "building the embedded dataset first" in proc.stderr


def test_query_formats(store):
    table = run("query", "case-map", "--store", str(store)).stdout
    assert "環境 (気候変動・環境保全・生物多様性)  3 5 6" in table and "(7 rows)" in table
    data = json.loads(run("query", "units-in-use", "--store", str(store), "--format", "json").stdout)
    assert data["head"]["vars"][:2] == ["unit", "notation"]
    units = {b["unit"]["value"]: b for b in data["results"]["bindings"]}
    assert units["分"]["indicators"]["datatype"].endswith("#integer")
    tsv = run("query", "-e", "SELECT ?code WHERE { sdg:11 sdgo:hasTarget/skos:notation ?code } ORDER BY ?code",
              "--store", str(store), "--format", "tsv").stdout
    assert tsv.splitlines()[:3] == ["?code", '"11.1"', '"11.2"']  # SPARQL 1.1 TSV
    ttl = run("query", "-e", "CONSTRUCT { sdg:3 ?p ?o } WHERE { sdg:3 ?p ?o }", "--store", str(store),
              "--format", "ttl").stdout
    assert "すべての人に健康と福祉を" in ttl
    piped = run("query", "-e", "-", "--store", str(store), "--format", "csv",
                stdin="ASK { sdg:11.b a sdgo:Target }").stdout
    assert piped.strip() == "true"


def test_query_file_with_parameters(store, tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text("# title: 試し | Try\n# param: code string required - a target code\n"
                  "SELECT ?t WHERE { ?t skos:notation ?code ; a sdgo:Target }\n", encoding="utf-8")
    out = run("query", str(rq), "--param", "code=3.4", "--store", str(store), "--format", "csv").stdout
    assert out.splitlines() == ["t", "http://metadata.un.org/sdg/3.4"]


def test_errors_are_one_line_and_non_zero(store, tmp_path):
    cases = [
        (["query", "no-such-query", "--store", str(store)], "no named query 'no-such-query'"),
        (["query", "indicators-for-target", "--param", "target=3.99", "--store", str(store)],
         "unknown SDG target '3.99'"),
        (["query", "-e", "SELECT ?x WHERE {", "--store", str(store)], "invalid SPARQL"),
        (["query", "units-in-use", "--format", "ttl", "--store", str(store)], "format 'ttl' is for CONSTRUCT and DESCRIBE queries"),
        (["export", "-o", str(tmp_path / "x.docx"), "--store", str(store)], "unknown export format 'docx'"),
        (["load", str(tmp_path / "missing.csv"), "--store", str(store)], "missing.csv: no such file"),
    ]
    for args, expected in cases:
        proc = run(*args, check=False)
        assert proc.returncode != 0, args
        assert expected in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) <= 2, proc.stderr


def test_a_bad_file_leaves_the_store_unchanged(store, tmp_path):
    before = run("export", "--store", str(store), "-o", str(tmp_path / "before.nq")).stdout
    bad = tmp_path / "excel.csv"
    bad.write_bytes("番号,インパクト指標,SDGsターゲット\n1,指標,3.99\n2,,1.1\n".encode("cp932"))
    proc = run("load", str(bad), "--store", str(store), check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "impactkg: excel.csv:2:SDGsターゲット: unknown SDG target '3.99'",
        "impactkg: excel.csv:3:インパクト指標: empty required cell 'indicator'",
        "impactkg: nothing loaded: 2 problems; the graph is unchanged",
    ]
    run("export", "--store", str(store), "-o", str(tmp_path / "after.nq"))
    assert before and sorted((tmp_path / "before.nq").read_text().splitlines()) == sorted(
        (tmp_path / "after.nq").read_text().splitlines())


def test_build_with_a_file_and_info(tmp_path):
    cat = tmp_path / "mycat.csv"
    cat.write_text("id,indicator,unit,sdg_target\nm1,女性管理職比率,%,5.5\n", encoding="utf-8-sig")
    store = tmp_path / "s"
    out = run("build", "--store", str(store), str(cat)).stdout
    assert "mycat.csv: 1 rows" in out
    info = run("info", "--store", str(store)).stdout
    assert "https://w3id.org/impactkg/graph/mycat" in info
    rows = run("query", "indicators-for-target", "-p", "target=5.5", "--store", str(store), "-f", "csv").stdout
    assert "女性管理職比率" in rows


def test_queries_lists_parameters():
    out = run("queries").stdout
    assert "indicators-for-target" in out and "--param target=...  (sdg-target, required)" in out


def test_template_and_validate(tmp_path):
    path = tmp_path / "catalogue.csv"
    run("template", "catalogue", "-o", str(path))
    with open(path, "a", encoding="utf-8", newline="") as fh:
        header = path.read_text(encoding="utf-8").strip().split(",")
        row = dict.fromkeys(header, "") | {"id": "1", "indicator": "テスト", "unit": "人", "sdg_target": "1.1"}
        csv.writer(fh).writerow([row[h] for h in header])
    out = run("validate", str(path)).stdout
    assert "loads without errors" in out and "conforms" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,indicator,sdg_target\n1,x,1.99\n", encoding="utf-8")
    proc = run("validate", str(bad), check=False)
    assert proc.returncode == 1 and "bad.csv:2:sdg_target: unknown SDG target '1.99'" in proc.stderr


def test_export_every_rdf_format(store, tmp_path):
    """Each file read back by its standard reader holds exactly the graph: the union of the named
    graphs for triple formats, every named graph for quad formats."""
    from rdflib.compare import isomorphic

    with KnowledgeGraph.open(store, read_only=True) as kg:
        union = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").to_graph()
        quads = sorted(kg.canonical_nquads())
    readers = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld", "xml"):
        out = tmp_path / f"g.{fmt}"
        run("export", "--store", str(store), "--format", fmt, "-o", str(out))
        if fmt in readers:
            assert isomorphic(rdflib.Graph().parse(out, format=readers[fmt]), union), fmt
        else:
            back = sorted(str(q) for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG))
            assert back == quads, fmt
