"""Exports read back by their standard readers: rdflib for RDF, networkx for GraphML, GEXF and
Cytoscape.js JSON, csv and openpyxl for tables; the catalogue workbook's round trip."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from openpyxl import load_workbook as open_xlsx
from rdflib.compare import isomorphic

from impactkg import KnowledgeGraph, LoadError
from impactkg.errors import Refused, TableError
from impactkg.graph import export as ex
from impactkg.graph.export.tables import write_result
from impactkg.graph.export.workbook import write_workbook
from impactkg.graph.sparql.terms import to_rdflib
from impactkg.loaders import KINDS
from impactkg.loaders.workbook import prepare_workbook, read_about
from impactkg.ontology import ontology_dir

BIN = Path(sys.executable).with_name("impactkg")
DATA = Path(__file__).resolve().parents[1] / "data" / "consortium"
HEALTH = "https://w3id.org/impactkg/concept/domain/healthcare-health"


def union(quads) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in quads:
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def by_graph(quads) -> dict[str, rdflib.Graph]:
    out: dict[str, rdflib.Graph] = {}
    for q in quads:
        out.setdefault(q.graph_name.value, rdflib.Graph()).add(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return out


def run(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, IMPACTKG_STORE=str(store))
    proc = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "store"
    run("build", store=path)
    return path


# ---------------------------------------------------------------------- selections
def test_domain_selection_holds_its_records_and_the_names_of_what_they_point_to(kg):
    sel = ex.select(kg, domain="ヘルスケア・健康")
    assert sel.what == "domain healthcare-health"
    subjects = {q.subject.value for q in sel.quads}
    indicators = {str(r["i"]) for r in kg.sparql(
        "SELECT ?i WHERE { ?i a ikg:Indicator ; ikg:domain ?d }", {"d": rdflib.URIRef(HEALTH)})}
    assert indicators and indicators <= subjects
    other = {str(r["i"]) for r in kg.sparql(
        "SELECT ?i WHERE { ?i a ikg:Indicator ; ikg:domain domain:infrastructure-real-estate }")}
    assert not other & subjects
    # The SDG target an indicator points to is named, not described in full.
    target = [q for q in sel.quads if q.subject.value == "http://metadata.un.org/sdg/3.4"]
    assert {q.predicate.value.rsplit("#", 1)[-1] for q in target} <= {"type", "prefLabel",
                                                                       "notation", "label"}
    assert target


def test_focus_grows_with_depth_and_query_selects_its_resources(kg):
    sizes = [len(ex.select(kg, focus="sdg:11.b", depth=d).resources) for d in (0, 1, 2)]
    assert sizes[0] == 1 and sizes[0] < sizes[1] < sizes[2]
    sel = ex.select(kg, query="finance-by-provider")
    providers = {str(r["provider"]) for r in kg.query("finance-by-provider")}
    assert set(sel.resources) == providers
    by_label = ex.select(kg, focus="地震後施設復旧時間", depth=0)
    assert by_label.resources == ["https://w3id.org/impactkg/id/indicator/consortium-1"]
    with pytest.raises(ex.ExportError, match="'その他' names 4 resources"):
        ex.select(kg, focus="その他")
    built = ex.select(kg, query="CONSTRUCT { ?s a ikg:Impact } WHERE { ?s a ikg:Impact }")
    assert len(built.quads) == len(kg.sparql("SELECT ?s WHERE { ?s a ikg:Impact }").rows)


@pytest.mark.parametrize("kwargs,message", [
    ({"domain": "nowhere"}, "unknown domain 'nowhere' (known: environment-energy"),
    ({"focus": "ikd:indicator/none"}, "no resource 'ikd:indicator/none' in the graph"),
    ({"query": "case-map", "focus": "sdg:1"}, "choose one selection, not --query and --focus"),
    ({"query": "ASK { ?s ?p ?o }"}, "an ASK query selects nothing"),
    ({"query": "SELECT ?x WHERE { ?x a ikg:Nothing }"}, "returned 0 rows but no resource"),
    ({"focus": "sdg:1", "depth": -1}, "--depth must be 0 or more"),
    ({"params": {"target": "1.1"}}, "--param needs --query NAME"),
])
def test_a_bad_selection_is_a_one_line_error(kg, kwargs, message):
    with pytest.raises(ex.ExportError) as err:
        ex.select(kg, **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------------- RDF
@pytest.mark.parametrize("fmt,reader", [("ttl", "turtle"), ("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")])
def test_selection_as_triples_reimports_isomorphic(kg, tmp_path, fmt, reader):
    sel = ex.select(kg, domain="healthcare-health")
    path = tmp_path / f"sel.{fmt}"
    ex.write_rdf(kg, sel, path, fmt)
    assert isomorphic(rdflib.Graph().parse(path, format=reader), union(sel.quads))


@pytest.mark.parametrize("fmt,reader", [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_selection_as_quads_keeps_its_named_graphs(kg, tmp_path, fmt, reader):
    sel = ex.select(kg, focus="sdg:3.4", depth=2)
    path = tmp_path / f"sel.{fmt}"
    ex.write_rdf(kg, sel, path, fmt, graphs=True)
    back = rdflib.Dataset()
    back.parse(path, format=reader)
    ours = by_graph(sel.quads)
    assert len(ours) > 2
    for name, graph in ours.items():
        assert isomorphic(back.graph(rdflib.URIRef(name)), graph), name


def test_whole_graph_jsonld_with_graphs_round_trips(kg, tmp_path):
    context = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert {"ikg", "sdg", "skos", "dcterms", "ikd"} <= set(context) and ex.jsonld_context() == context
    path = tmp_path / "all.jsonld"
    assert ex.write_rdf(kg, ex.select(kg), path, "jsonld", graphs=True) == len(kg)
    assert "健康寿命の延伸・健康格差の縮小" in path.read_text(encoding="utf-8")
    back = rdflib.Dataset()
    back.parse(path, format="json-ld")
    for name, graph in by_graph(kg.quads()).items():
        assert isomorphic(back.graph(rdflib.URIRef(name)), graph), name


def test_unknown_rdf_format_is_refused(kg, tmp_path):
    with pytest.raises(ex.ExportError, match="unknown RDF format 'docx'"):
        ex.write_rdf(kg, ex.select(kg), tmp_path / "x.docx", "docx")


# ---------------------------------------------------------------------- graph files
def test_graphml_and_gexf_read_back_by_networkx_with_japanese_labels(kg, tmp_path):
    sel = ex.select(kg, domain="healthcare-health")
    expected = ex.to_networkx(sel.quads)
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"g.{fmt}"
        assert ex.write_graph(kg, sel, path, fmt) == (expected.number_of_nodes(),
                                                       expected.number_of_edges())
        g = read(path)
        assert g.number_of_nodes() == expected.number_of_nodes()
        assert g.number_of_edges() == expected.number_of_edges()
        node = g.nodes[HEALTH]
        assert node["label_ja"] == "ヘルスケア・健康" and node["label_en"] == "Healthcare & Health"
        assert node["type"] == "Domain"
        indicators = [d for _, d in g.nodes(data=True) if d["type"] == "Indicator"]
        assert indicators and all(d["domain"] == "healthcare-health" for d in indicators)
        relations = {d["relation"] for *_, d in g.edges(data=True)}
        assert {"measures", "sdgTarget", "hasElement"} <= relations


def test_causal_links_carry_polarity_and_loop_membership(kg, tmp_path):
    path = tmp_path / "all.graphml"
    ex.write_graph(kg, ex.select(kg), path, "graphml")
    g = nx.read_graphml(path)
    causal = [(u, v, d) for u, v, d in g.edges(data=True) if d["relation"] == "causes"]
    n_links = len(kg.sparql("SELECT ?l WHERE { ?l a ikg:CausalLink }").rows)
    assert len(causal) == n_links > 0
    assert {d["polarity"] for *_, d in causal} == {"+", "-"}
    for u, v, _ in causal:
        assert g.nodes[u]["type"] == "Factor" and g.nodes[v]["type"] == "Factor"
    # Links in feedback loops carry the loops' codes, one code per loop the maps analysis finds.
    looped = [d["loops"].split() for *_, d in causal if d["loops"]]
    assert looped and all(code[0] in "RB" for codes in looped for code in codes)
    from impactkg.graph.analysis.system import Link, find_loops

    links = [Link(u, v, d["polarity"], d["link"]) for u, v, d in causal]
    assert len({c for codes in looped for c in codes}) == len(find_loops(links))


def test_cytoscape_json_reads_back(kg, tmp_path):
    sel = ex.select(kg, focus="sdg:11.b", depth=1)
    path = tmp_path / "g.cyjs"
    nodes, edges = ex.write_graph(kg, sel, path, "cyjs")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["elements"]["nodes"]) == nodes and len(data["elements"]["edges"]) == edges
    g = nx.cytoscape_graph(data, name="label", ident="id")
    assert g.nodes["http://metadata.un.org/sdg/11.b"]["type"] == "SDGTarget"
    assert any(d["label"] == "地震後施設復旧時間" for _, d in g.nodes(data=True))


# ---------------------------------------------------------------------- query tables
def test_query_result_as_csv_tsv_and_xlsx(kg, tmp_path):
    result = kg.query("indicators-for-target", target="11.b")
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        path = tmp_path / f"r.{fmt}"
        assert write_result(result, path) == 17
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(),
                                   delimiter=delimiter))
        assert len(rows) == 17 and rows[0]["indicator"] == "地震後施設復旧時間"
    path = tmp_path / "r.xlsx"
    write_result(result, path, title="indicators-for-target", sparql="SELECT …",
                 params={"target": "11.b"})
    wb = open_xlsx(path)
    values = list(wb["result"].iter_rows(values_only=True))
    assert list(values[0]) == result.variables and len(values) == 18
    assert values[1][result.variables.index("unit")] == "分"
    about = dict(r[:2] for r in wb["query"].iter_rows(values_only=True))
    assert about["param target"] == "11.b" and about["sparql"] == "SELECT …"


def test_numbers_stay_numbers_in_xlsx(kg, tmp_path):
    path = tmp_path / "goals.xlsx"
    write_result(kg.query("indicators-per-goal"), path)
    rows = list(open_xlsx(path)["result"].iter_rows(values_only=True))[1:]
    assert sum(r[2] for r in rows) == sum(r["indicators"] for r in kg.query("indicators-per-goal").dicts())


def test_a_construct_result_is_not_a_table(kg, tmp_path):
    with pytest.raises(TableError, match="is RDF, not a table"):
        write_result(kg.query("CONSTRUCT { ?s a ikg:Impact } WHERE { ?s a ikg:Impact }"),
                     tmp_path / "x.csv")


# ---------------------------------------------------------------------- the catalogue workbook
@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    graph = KnowledgeGraph.memory()
    graph.build()
    path = tmp_path_factory.mktemp("book") / "catalogue.xlsx"
    write_workbook(graph, path)
    return path


def _csv_rows(*names: str) -> int:
    return sum(len(list(csv.DictReader((DATA / n).open(encoding="utf-8")))) for n in names)


def test_workbook_has_a_sheet_per_kind_in_the_loaders_columns(book):
    wb = open_xlsx(book)
    for name, kind in KINDS.items():
        header = [c.value for c in wb[name][1]]
        assert header == [c.name for c in kind.columns], name
    def rows(sheet: str) -> int:
        return sum(1 for r in wb[sheet].iter_rows(min_row=2, values_only=True) if any(r))
    assert rows("catalogue") == _csv_rows("catalogue.csv", "health_japan21.csv")
    assert rows("sdg") == _csv_rows("sdg.csv")
    assert rows("case_map") == _csv_rows("case_map.csv")
    assert rows("system_connections") == _csv_rows("system_connections.csv")
    # Organisations: the table's, plus those named only in other tables (publishers, providers).
    assert rows("organizations") > _csv_rows("organizations.csv")
    assert wb["_about"].sheet_state == "hidden" and read_about(book).namespace == "consortium"
    cat = {r[0]: r for r in wb["catalogue"].iter_rows(min_row=2, values_only=True) if r[0]}
    header = [c.value for c in wb["catalogue"][1]]
    row = dict(zip(header, cat["1"], strict=True))
    assert row["indicator"] == "地震後施設復旧時間" and row["unit"] == "分"
    assert row["sdg_target"] == "11.b" and row["line"] == "301"


def test_workbook_round_trip_is_isomorphic(kg, book):
    fresh = KnowledgeGraph.memory()
    fresh.load_ontology()
    fresh.load(book, force=True)  # the workbook of the embedded dataset replaces its (reserved) graphs
    assert isomorphic(union(fresh.quads()), union(kg.quads()))


def test_the_cli_and_the_python_api_load_a_workbook_alike(book, tmp_path):
    """One door: ``kg.load(book)`` and ``impactkg load book`` replace the same records (before,
    the Python API added every record again: 8,513 -> 16,187 quads)."""
    graph = KnowledgeGraph.memory()
    graph.build()
    before = union(graph.quads())
    graph.load(book, force=True)
    assert isomorphic(union(graph.quads()), before)  # replaced, not added again
    store = tmp_path / "store"
    for args in (["build"], ["load", str(book), "--force"]):
        proc = subprocess.run([str(BIN), *args, "--store", str(store)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    on_disk = KnowledgeGraph.open(store)
    try:
        assert on_disk.canonical_nquads() == graph.canonical_nquads()
    finally:
        on_disk.close()


def test_workbook_reloaded_in_place_replaces_its_records(book, tmp_path):
    graph = KnowledgeGraph.memory()
    graph.build()
    before = union(graph.quads())
    with pytest.raises(Refused) as refused:  # the embedded dataset's graphs are reserved
        graph.load(book)
    assert str(refused.value).startswith(
        "catalogue.xlsx (23 sheets): would replace the reserved graphs <https://w3id.org/impactkg/graph/consortium/")
    assert str(refused.value).endswith("or give --force (force=True) to replace them")
    assert isomorphic(union(graph.quads()), before)
    graph.load(book, force=True)
    assert isomorphic(union(graph.quads()), before)
    assert "https://w3id.org/impactkg/graph/consortium/concepts" in graph.graphs()


def test_an_edit_in_excel_comes_back_and_cites_the_workbook(book, tmp_path):
    edited = tmp_path / "edited.xlsx"
    wb = open_xlsx(book)
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "1")
    row[header.index("unit")].value = "時間"
    sdg = wb["sdg"]
    sdg_header = [c.value for c in sdg[1]]
    goal3 = next(r for r in sdg.iter_rows(min_row=2) if r[0].value == "3")
    goal3[sdg_header.index("label_en")].value = "Health"
    new = ws.max_row + 1
    for column, value in (("id", "900"), ("indicator", "新しい指標"), ("unit", "人"),
                          ("sdg_target", "3.4")):
        ws.cell(row=new, column=header.index(column) + 1, value=value)
    wb.save(edited)
    graph = KnowledgeGraph.memory()
    graph.build()
    graph.load(edited, force=True, new_concepts=True)  # 時間 is a unit the dataset does not know
    units = graph.sparql("SELECT ?u WHERE { ?i dcterms:identifier '1' ; ikg:unitText ?u }").rows
    assert [str(u[0]) for u in units] == ["時間"]
    label = graph.sparql(
        "SELECT ?l ?src WHERE { sdg:3 skos:prefLabel ?l ; dcterms:source ?src FILTER(lang(?l) = 'en') }"
    ).dicts()
    assert label == [{"l": "Health", "src": "https://w3id.org/impactkg/id/source/edited.xlsx"}]
    kept = graph.sparql("SELECT ?src ?n WHERE { sdg:4 dcterms:source ?src ; ikg:sourceLine ?n }").dicts()
    assert kept == [{"src": "https://w3id.org/impactkg/id/source/sdg.csv", "n": 5}]
    assert len(graph.query("indicators-for-target", target="3.4")) == 4
    seed = graph.sparql("SELECT ?n WHERE { ?i dcterms:identifier '1' ; ikg:sourceLine ?n }").rows
    assert [int(n[0]) for n in seed] == [301]


def test_a_bad_edit_names_sheet_row_and_column_and_changes_nothing(book, tmp_path):
    edited = tmp_path / "bad.xlsx"
    wb = open_xlsx(book)
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("sdg_target") + 1, value="3.99")
    wb.save(edited)
    graph = KnowledgeGraph.memory()
    graph.build()
    before = graph.canonical_nquads()
    with pytest.raises(LoadError) as err:
        graph.load(edited)
    assert [str(p) for p in err.value.problems] == [
        "bad.xlsx[catalogue]:3:sdg_target: unknown SDG target '3.99'"]
    assert graph.canonical_nquads() == before


def test_the_loaders_read_the_workbook_as_it_is(book):
    graph = KnowledgeGraph.memory()
    graph.build()
    summary = graph.load(book, namespace="copy")
    assert any(src == "catalogue.xlsx[catalogue]" and rows == _csv_rows("catalogue.csv", "health_japan21.csv")
               for src, _, rows, _ in summary.sources)
    n = graph.sparql("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a ikg:Indicator ; ikg:sdgTarget sdg:11.b }").rows
    assert int(n[0][0]) == 34  # the copy's 17 indicators beside the 17 of the embedded dataset


def test_a_workbook_from_elsewhere_is_not_taken_for_an_export(tmp_path):
    from impactkg.loaders.template import write_template

    path = write_template("all", tmp_path / "template.xlsx")
    assert read_about(path) is None
    with pytest.raises(TableError, match="not a workbook written by 'impactkg export'"):
        prepare_workbook(path, lambda sparql: [], [])


def test_unknown_namespace_is_a_one_line_error(kg, tmp_path):
    with pytest.raises(TableError, match=r"no records in namespace 'nope' \(namespaces in the graph: consortium\)"):
        write_workbook(kg, tmp_path / "x.xlsx", namespace="nope")


# ---------------------------------------------------------------------- the command line
def test_cli_exports_selections_graph_files_and_tables(store, tmp_path):
    out = run("export", "--domain", "healthcare-health", "-o", str(tmp_path / "h.trig"), store=store)
    assert "(domain healthcare-health) as trig" in out.stdout
    back = rdflib.Dataset()
    back.parse(tmp_path / "h.trig", format="trig")
    assert any(str(o) == "健康寿命の延伸・健康格差の縮小" for _, _, o, _ in back.quads())
    run("export", "--focus", "sdg:11.b", "--depth", "2", "-o", str(tmp_path / "f.gexf"), store=store)
    assert nx.read_gexf(tmp_path / "f.gexf").number_of_nodes() > 10
    run("export", "--query", "indicators-for-target", "--param", "target=11.b",
        "-o", str(tmp_path / "t.tsv"), store=store)
    rows = list(csv.DictReader((tmp_path / "t.tsv").read_text(encoding="utf-8-sig").splitlines(),
                               delimiter="\t"))
    assert len(rows) == 17


def test_cli_workbook_export_edit_and_load(store, tmp_path):
    path = tmp_path / "cat.xlsx"
    out = run("export", "-o", str(path), store=store).stdout
    assert "wrote the catalogue of namespace 'consortium'" in out
    wb = open_xlsx(path)
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    next(r for r in ws.iter_rows(min_row=2) if r[0].value == "2")[header.index("unit")].value = "秒"
    wb.save(path)
    err = run("load", str(path), store=store, check=False).stderr
    assert "cat.xlsx[catalogue]:14:unit: unknown unit '秒'" in err  # a unit the dataset does not know
    err = run("load", str(path), "--new-concepts", store=store, check=False).stderr
    assert err.startswith("impactkg: error: cat.xlsx (23 sheets): would replace the reserved graphs")
    out = run("load", str(path), "--new-concepts", "--force", store=store).stdout
    assert "its sheets replace those records" in out
    csv_out = run("query", "-e", "SELECT ?u WHERE { ?i dcterms:identifier '2' ; ikg:unitText ?u }",
                  "--format", "csv", store=store).stdout
    assert csv_out.splitlines() == ["u", "秒"]


@pytest.mark.parametrize("args,expected", [
    (["-o", "x.docx"], "unknown export format 'docx'"),
    (["-o", "x.csv"], "--format csv writes a query's result: add --query NAME"),
    (["--figure", "goals", "-o", "x.ttl"], "--figure draws SVG or PNG, not ttl"),
    (["--domain", "nowhere", "-o", "x.ttl"], "unknown domain 'nowhere'"),
    (["--focus", "sdg:99", "-o", "x.graphml"], "no resource 'sdg:99' in the graph"),
    (["--domain", "healthcare-health", "-o", "x.xlsx"], "a table comes from --query NAME"),
])
def test_cli_bad_requests_are_one_line_errors(store, tmp_path, args, expected):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    proc = run("export", *args, store=store, check=False)
    assert proc.returncode == 1
    assert expected in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
