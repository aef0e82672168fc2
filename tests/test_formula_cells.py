"""Exports cannot run code (issue 13): no cell of an XLSX export is a formula, a CSV/TSV file for
spreadsheets neutralises text cells a spreadsheet would read as a formula (and never a number),
and the loaders undo it, so that export → edit → load gives back the original labels.

The labels are the hostile ones of the issue (``=HYPERLINK(...)``) and one for each character
that starts a formula."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
import rdflib
from openpyxl import load_workbook
from servers import impactkg_server

from impactkg import KnowledgeGraph
from impactkg.graph.export.tables import spreadsheet_text, workbook_bytes
from impactkg.graph.export.workbook import write_workbook
from impactkg.graph.sparql.results import QueryResult
from impactkg.loaders.formulas import neutralise, restore

BIN = Path(sys.executable).parent
#: Indicator labels as a researcher (or an attacker) might type them; the catalogue loader keeps
#: each exactly (it strips only white space around a cell).
LABELS = {
    "f1": '=HYPERLINK("http://example.org","x")',
    "f2": "+81-3-1234-5678 窓口",
    "f3": "-3 人 (前年比)",
    "f4": "@SUM(A1:A9)",
    "f5": "'=quoted already",
    "f6": "''",
    "f7": "普通のラベル",
}
LABELS_QUERY = (
    "SELECT ?id ?indicator ?unit WHERE { ?i a ikg:Indicator ; dcterms:identifier ?id ; rdfs:label ?indicator ; "
    "ikg:unitText ?unit FILTER(STRSTARTS(?id, 'f')) } ORDER BY ?id"
)


def _catalogue_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "indicator", "unit", "sdg_target"])
        for key, label in LABELS.items():
            # Written raw: a hand-made table holds '=' as it is (only a leading "'" before one of
            # the formula characters is taken for the export's neutralising quote).
            w.writerow([key, label if not label.startswith("'") else "'" + label, "人", "3.4"])
    return path


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> KnowledgeGraph:
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(_catalogue_csv(tmp_path_factory.mktemp("formulas") / "hostile.csv"), kind="catalogue")
    return kg


def _labels(kg: KnowledgeGraph) -> dict[str, str]:
    return {str(r["id"]): str(r["indicator"]) for r in kg.query(LABELS_QUERY)}


def test_the_hostile_labels_are_in_the_graph_as_typed(graph):
    assert _labels(graph) == LABELS


def test_neutralise_and_restore_are_exact_inverses():
    cases = [*LABELS.values(), "", "'", "'a", "''a", "'''", "=", "\t=1", "\r=1", "-", "a=b", "日本語"]
    for text in cases:
        assert restore(neutralise(text)) == text, text
    assert [neutralise(t) for t in ("=1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''", "'a", "a", "")] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "''=x", "'''", "'a", "a", ""]


def _no_formula_in(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                text = z.read(name).decode("utf-8")
                assert "<f>" not in text and "<f " not in text, name


def test_no_xlsx_cell_is_a_formula_and_numbers_stay_numbers(graph):
    result = graph.query(LABELS_QUERY)
    book = workbook_bytes(result, title="=title", sparql="=sparql")
    _no_formula_in(book)
    ws = load_workbook(io.BytesIO(book))["result"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert {k: r[1].value for k, r in rows.items()} == LABELS
    assert rows["f1"][1].data_type == "s" and rows["f1"][1].quotePrefix  # stays text when edited
    n = QueryResult.of_terms("select", ["n", "t"], [(rdflib.Literal(-3), rdflib.Literal("=1"))])
    cells = list(load_workbook(io.BytesIO(workbook_bytes(n)))["result"].iter_rows(min_row=2, values_only=True))
    assert cells == [(-3, "=1")]


def test_csv_and_tsv_for_spreadsheets_neutralise_text_and_never_numbers(graph):
    result = graph.query(LABELS_QUERY)
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        text = spreadsheet_text(result, fmt).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        got = {r[0]: r[1] for r in rows[1:]}
        assert got == {k: neutralise(v) for k, v in LABELS.items()}, fmt
        assert got["f1"] == "'" + LABELS["f1"] and got["f7"] == LABELS["f7"]
    n = graph.query("SELECT (-3 AS ?n) (-2.5 AS ?d) (\"-3\" AS ?s) ('@x'@ja AS ?l) WHERE {}")
    assert spreadsheet_text(n, "csv").decode("utf-8-sig").splitlines()[1] == "-3,-2.5,'-3,'@x"
    # The W3C result formats stay exact: SPARQL CSV is for machines.
    w3c = graph.query(LABELS_QUERY).serialize("csv").decode("utf-8").splitlines()
    assert w3c[1] == 'f1,"=HYPERLINK(""http://example.org"",""x"")",人' and w3c[4] == "f4,@SUM(A1:A9),人"


def test_export_edit_and_load_a_csv_gives_back_the_original_labels(graph, tmp_path):
    """The CSV a spreadsheet user gets (export --query … csv), edited (a unit changed, as Excel
    saves it: quotes kept) and loaded back as a catalogue: the labels come back exactly."""
    exported = tmp_path / "labels.csv"
    graph.export(exported, "csv", query=LABELS_QUERY)
    text = exported.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        for r in rows:
            w.writerow(r if r[0] != "f7" else [r[0], r[1], "時間"])
    fresh = KnowledgeGraph.memory()
    fresh.build()
    fresh.load(edited, kind="catalogue", new_concepts=True)  # 時間: a unit of the edit's own
    assert _labels(fresh) == LABELS
    units = fresh.sparql("SELECT ?u WHERE { ?i dcterms:identifier 'f7' ; ikg:unitText ?u }").rows
    assert [str(u[0]) for u in units] == ["時間"]


def test_the_catalogue_workbook_round_trip_keeps_the_labels(graph, tmp_path):
    book = tmp_path / "hostile.xlsx"
    write_workbook(graph, book, namespace="hostile")
    _no_formula_in(book.read_bytes())
    wb = load_workbook(book)
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert {k: rows[k][header.index("indicator")].value for k in LABELS} == LABELS
    # An edit in a spreadsheet program (here openpyxl, which reads and saves the cells as they are).
    rows["f7"][header.index("unit")].value = "時間"
    wb.save(book)
    _no_formula_in(book.read_bytes())
    fresh = KnowledgeGraph.memory()
    fresh.build()
    fresh.load(book, new_concepts=True)  # 時間: a unit of the edit's own
    assert _labels(fresh) == LABELS  # was "empty required cell": the formulas had no value


def test_the_command_line_and_the_endpoint_write_the_same_safe_files(graph, tmp_path):
    store = tmp_path / "store"
    with KnowledgeGraph.open(store) as kg:
        kg.build()
        kg.load(_catalogue_csv(tmp_path / "hostile.csv"), kind="catalogue")
    cli_csv = subprocess.run([str(BIN / "impactkg"), "query", "--store", str(store), "-e", LABELS_QUERY,
                              "--format", "csv", "--excel"], capture_output=True, check=True).stdout
    out = tmp_path / "q.xlsx"
    subprocess.run([str(BIN / "impactkg"), "export", "--store", str(store), "--query", LABELS_QUERY,
                    "--format", "xlsx", "-o", str(out)], capture_output=True, check=True)
    _no_formula_in(out.read_bytes())
    assert cli_csv == spreadsheet_text(graph.query(LABELS_QUERY), "csv")
    with impactkg_server(tmp_path / "srv", "--store", str(store)) as srv:
        qs = urllib.parse.urlencode({"query": LABELS_QUERY})
        with urllib.request.urlopen(f"{srv.query_url}?{qs}&format=xlsx", timeout=60) as resp:
            served = resp.read()
        with urllib.request.urlopen(f"{srv.query_url}?{qs}&format=csv&download=1", timeout=60) as resp:
            served_csv = resp.read()
    _no_formula_in(served)
    ws = load_workbook(io.BytesIO(served))["result"]
    assert {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)} == LABELS
    assert served_csv == cli_csv
