"""Nothing lost on the way in (issue 12): each input of the issue, as a small fixture, gives a
located error or the right graph, and ``validate`` says what ``load`` does."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from workbooks import write_workbook

from impactkg import KnowledgeGraph, LoadError
from impactkg.errors import Refused
from impactkg.ontology import GRAPH, ONTOLOGY_GRAPH

BIN = Path(sys.executable).parent / "impactkg"
HEADER = ["id", "indicator", "unit", "domain", "sdg_target"]
CATALOGUE = "https://w3id.org/impactkg/graph/"
INFRA = "https://w3id.org/impactkg/concept/domain/infrastructure-real-estate"


def csv_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def refused(kg: KnowledgeGraph, path: Path, **options) -> list[str]:
    """The problems of loading ``path``; the graph must be unchanged, and ``check`` (validate)
    must say the same."""
    before = kg.canonical_nquads()
    with pytest.raises(LoadError) as load:
        kg.load(path, **options)
    assert kg.canonical_nquads() == before
    with pytest.raises(LoadError) as check:
        kg.check(path, **options)
    assert problems(check) == problems(load)
    return problems(load)


def workbook(path: Path, rows: list[list], header: list[str] = HEADER, title: str = "catalogue") -> Path:
    return write_workbook(path, header, rows, title)


# ---------------------------------------------------------------------- headers
def test_a_misspelled_header_is_an_error_with_the_closest_column(fresh_kg, tmp_path):
    """Before: 'loads without errors', and the target never reached the graph."""
    path = csv_file(tmp_path / "typo.csv", "id,indicator,unit,domain,sdg_targt\n1,テスト指標,人,インフラ・不動産,11.b\n")
    assert refused(fresh_kg, path) == [
        "typo.csv:1:sdg_targt: unknown column 'sdg_targt' for a catalogue table: did you mean 'sdg_target'? "
        "the columns are id, indicator, indicator_en, unit, domain, sdg_goal, sdg_target, impact, activity, "
        "result, data_source, part_of, line, doubtful, note, status, quote, team (--ignore-columns 'sdg_targt' leaves it out on purpose)"]
    ja = csv_file(tmp_path / "ja.csv", "番号,インパクト指標,SDGsターゲト\n1,テスト指標,11.b\n")
    (msg,) = refused(fresh_kg, ja)
    assert msg.startswith("ja.csv:1:SDGsターゲト: unknown column 'SDGsターゲト' for a catalogue table: did you mean 'sdg_target'?")


def test_an_unknown_column_left_out_on_purpose(fresh_kg, tmp_path):
    path = csv_file(tmp_path / "memo.csv", "id,indicator,memo\n1,テスト指標,社内メモ\n")
    fresh_kg.load(path, ignore_columns=["memo"])
    assert not fresh_kg.sparql("ASK { ?s ?p '社内メモ' }").boolean
    assert fresh_kg.sparql("ASK { ?i dcterms:identifier '1' ; rdfs:label 'テスト指標'@ja }").boolean


# ---------------------------------------------------------------------- concepts
def test_a_label_of_another_scheme_or_a_typo_is_an_error_with_the_known_labels(fresh_kg, tmp_path):
    path = csv_file(tmp_path / "dom.csv", "id,indicator,unit,domain\n1,a,人,人材・働き方\n2,b,人,インフラ不動産\n3,c,ひと,\n")
    known = ("(known: インフラ・不動産 (Infrastructure & Real Estate), ヘルスケア・健康 (Healthcare & Health), "
             "環境・エネルギー (Environment & Energy)); define it in a concepts table of this load, or give "
             "--new-concepts to add it")
    got = refused(fresh_kg, path)
    assert got[:2] == [
        f"dom.csv:2:domain: unknown domain '人材・働き方': it is a social-issue, not a domain {known}",
        f"dom.csv:3:domain: unknown domain 'インフラ不動産'; did you mean 'インフラ・不動産 (Infrastructure & Real Estate)'? {known}"]
    assert got[2].startswith("dom.csv:4:unit: unknown unit 'ひと' (known: %, MJ, g, t, t-CO2, ㎡, 人 (Persons), ")
    assert len(got) == 3
    domains = fresh_kg.sparql("SELECT (COUNT(?d) AS ?n) WHERE { ?d a ikg:Domain }").dicts()
    assert domains == [{"n": 3}]  # no fourth domain beside the three real ones


def test_half_width_and_trailing_spaces_find_the_real_domain(fresh_kg, tmp_path):
    path = csv_file(tmp_path / "mine.csv", "id,indicator,unit,domain,sdg_target\n1,テスト指標,人,インフラ･不動産 ,11.b\n")
    fresh_kg.load(path)
    rows = fresh_kg.query("indicators-by-domain", domain="infrastructure-real-estate").dicts()
    mine = [r for r in rows if r["source"] == CATALOGUE + "mine"]
    assert [(r["id"], r["indicator"], r["domainLabel"]) for r in mine] == [("1", "テスト指標", "インフラ・不動産")]
    assert fresh_kg.sparql("SELECT (COUNT(?d) AS ?n) WHERE { ?d a ikg:Domain }").dicts() == [{"n": 3}]


def test_new_concepts_come_from_a_concepts_table_of_the_same_load_or_with_new_concepts(fresh_kg, tmp_path):
    cat = csv_file(tmp_path / "edu.csv", "id,indicator,unit,domain,sdg_target\n1,学力テスト平均点,点,教育,4.1\n")
    concepts = csv_file(tmp_path / "concepts.csv", "scheme,id,label_ja,label_en\ndomain,education,教育,Education\n"
                                                   "unit,point,点,Points\n")
    fresh_kg.load(cat, concepts)  # the concepts table comes second: it is read first all the same
    rows = fresh_kg.query("indicators-for-target", target="4.1").dicts()
    assert [(r["indicator"], r["unit"], r["domain"]) for r in rows] == [("学力テスト平均点", "点", "教育")]
    other = KnowledgeGraph.memory()
    other.build()
    other.load(cat, new_concepts=True)  # minted in the user's graph
    minted = other.sparql("SELECT ?g WHERE { GRAPH ?g { ?d a ikg:Domain ; skos:prefLabel '教育'@ja } }").dicts()
    assert minted == [{"g": CATALOGUE + "edu"}]


# ---------------------------------------------------------------------- workbooks
def test_numbers_in_code_columns_are_refused_with_their_address_and_text_loads(fresh_kg, tmp_path):
    """Excel stores 17.10 typed in a General column as the number 17.1: it loaded as sdg:17.1."""
    path = workbook(tmp_path / "codes.xlsx", [["1", "a", "人", "", 17.1], ["2", "b", "人", "", 8.1], [3, "c", "人", "", "11.b"]])
    got = refused(fresh_kg, path)
    tail = (" where a code must be text: Excel turns 17.10 into 17.1 and an id 007 into 7. Format the column "
            "as Text and type the codes again, or type them with a leading apostrophe ('17.10); the template "
            "of 'impactkg template' has these columns as Text")
    assert got == [f"codes.xlsx[catalogue]!E2:sdg_target: a number in the workbook (17.1){tail}",
                   f"codes.xlsx[catalogue]!E3:sdg_target: a number in the workbook (8.1){tail}",
                   f"codes.xlsx[catalogue]!A4:id: a number in the workbook (3){tail}"]
    path = workbook(tmp_path / "codes.xlsx", [["1", "a", "人", "", "17.10"], ["2", "b", "人", "", "8.10"]])
    fresh_kg.load(path)
    targets = fresh_kg.sparql("SELECT ?id ?t WHERE { ?i dcterms:identifier ?id ; ikg:sdgTarget ?t ; "
                              "rdfs:label ?l FILTER(?l IN ('a'@en, 'b'@en)) } ORDER BY ?id").dicts()
    assert targets == [{"id": "1", "t": "http://metadata.un.org/sdg/17.10"},
                       {"id": "2", "t": "http://metadata.un.org/sdg/8.10"}]


def test_a_domain_merged_over_rows_is_the_domain_of_each_row(fresh_kg, tmp_path):
    """Before: only the first row got its domain; validate and load said it was fine."""
    path = tmp_path / "merged.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "catalogue"
    ws.append(["番号", "分野", "インパクト指標", "単位"])
    for i in range(1, 4):
        ws.append([str(i), "インフラ・不動産" if i == 1 else None, f"指標{i}", "人"])
    ws.merge_cells("B2:B4")
    wb.save(path)
    fresh_kg.load(path)
    rows = fresh_kg.sparql(f"SELECT ?id WHERE {{ GRAPH <{CATALOGUE}merged/catalogue> {{ ?i ikg:domain <{INFRA}> ; "
                           "dcterms:identifier ?id } } ORDER BY ?id").dicts()
    assert [r["id"] for r in rows] == ["1", "2", "3"]


def test_ranges_merged_across_columns_or_in_the_header_are_refused(fresh_kg, tmp_path):
    path = tmp_path / "across.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "catalogue"
    ws.append(["id", "indicator", "unit"])
    ws.append(["1", "指標", "人"])
    ws.append(["2", "指標と単位", None])
    ws.merge_cells("B3:C3")
    wb.save(path)
    assert refused(fresh_kg, path) == [
        "across.xlsx[catalogue]!B3:C3: a range merged across columns: unmerge it and give each column its own value"]
    ws.unmerge_cells("B3:C3")
    ws.merge_cells("A1:B1")
    wb.save(path)
    assert refused(fresh_kg, path) == [
        "across.xlsx[catalogue]!A1:B1: a merged range in the header row: unmerge it, one column name per cell"]


def test_dates_booleans_errors_and_formulas_without_values(fresh_kg, tmp_path):
    path = tmp_path / "cells.xlsx"
    header = ["indicator", "kind", "value", "year", "note"]
    rows = [["consortium:1", "baseline", 45, dt.date(2024, 4, 1), True],  # year: a date
            ["consortium:1", "current", "#N/A", "2025", False],
            ["consortium:1", "target", "=40*2", "2030", None]]
    got = refused(fresh_kg, workbook(path, rows, header, "values"))
    assert got == [
        "cells.xlsx[values]:2:year: expected a year of four digits such as 2024, got '2024-04-01'",
        "cells.xlsx[values]!C3:value: the cell holds the Excel error #N/A: correct it or empty it",
        "cells.xlsx[values]!C4:value: a formula without a computed value (the file was saved by a program "
        "that does not compute): open and save it in Excel, or type the value"]
    rows = [["consortium:1", "baseline", 45.5, "2024", True]]
    fresh_kg.load(workbook(path, rows, header, "values"))
    values = fresh_kg.sparql("SELECT ?v ?note WHERE { ?i dcterms:identifier '1' ; ikg:hasValue ?x . "
                             "?x rdf:value ?v ; skos:editorialNote ?note }").dicts()
    assert [(str(r["v"]), r["note"]) for r in values] == [("45.5", "TRUE")]


def test_a_cell_above_the_limit_is_refused_in_csv_and_in_xlsx(fresh_kg, tmp_path):
    big = "長" * 140_000
    path = csv_file(tmp_path / "big.csv", f"id,indicator\n1,{big}\n")
    assert refused(fresh_kg, path, kind="catalogue") == [
        "big.csv:2: a cell of more than 131,072 characters: the most a cell may hold"]
    # openpyxl (and Excel) write at most 32,767 characters in a cell; another program may write more
    path = workbook(tmp_path / "big.xlsx", [["1", "PLACEHOLDER"]], ["id", "indicator"])
    packed = tmp_path / "packed.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, data.replace(b"PLACEHOLDER", big.encode()) if "worksheets" in info.filename else data)
    packed.replace(path)
    assert refused(fresh_kg, path) == [
        "big.xlsx[catalogue]!B2:indicator: a cell of 140,000 characters: the most a cell may hold is 131,072"]


def test_a_workbook_that_inflates_past_the_limit_is_refused_before_it_is_read(fresh_kg, tmp_path, monkeypatch):
    from impactkg.loaders import xlsx

    assert xlsx.XLSX_LIMIT == 1 << 30  # the documented limit
    path = workbook(tmp_path / "bomb.xlsx", [["1", "x" * 5000]], ["id", "indicator"])
    monkeypatch.setattr(xlsx, "XLSX_LIMIT", 4096)
    (msg,) = refused(fresh_kg, path)
    assert msg.startswith("bomb.xlsx: the workbook inflates to ") and "above the limit of 4,096" in msg


# ---------------------------------------------------------------------- RDF
def test_nested_entities_in_rdf_xml_are_refused_without_expanding_them(fresh_kg, tmp_path):
    """Before: a 1.2 KB file made load use 12 GB for 43 s."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE rdf:RDF [", '<!ENTITY a0 "xxxxxxxxxx">']
    lines += [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    lines += ["]>", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">',
              '<rdf:Description rdf:about="http://e/s"><ex:p>&a9;</ex:p></rdf:Description>', "</rdf:RDF>"]
    path = tmp_path / "laughs.rdf"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert path.stat().st_size < 1300
    assert refused(fresh_kg, path) == [
        "laughs.rdf:7: the entity 'a4' expands to 100,000 characters, above the limit of 65,536 "
        "(nested entity declarations): refused"]
    wide = "".join(f'<rdf:Description rdf:about="http://e/s{i}"><ex:p rdf:datatype="&x;string">{i}</ex:p>'
                   "</rdf:Description>" for i in range(2000))
    path.write_text('<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY x "http://www.w3.org/2001/XMLSchema#">]>'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
                    f"{wide}</rdf:RDF>", encoding="utf-8")
    summary = fresh_kg.load(path)  # an entity used for what entities are for loads
    assert summary.sources == [("laughs.rdf", CATALOGUE + "laughs", 0, 2000)]


# ---------------------------------------------------------------------- reserved graphs
def test_a_load_may_not_replace_a_reserved_graph_without_force(fresh_kg, tmp_path):
    """Before: one N-Quads line naming the ontology graph replaced its 826 triples."""
    ontology = len(fresh_kg.sparql(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"))
    nq = tmp_path / "sneaky.nq"
    nq.write_text(f'<http://e/a> <http://e/p> "x" <{ONTOLOGY_GRAPH}> .\n', encoding="utf-8")
    before = fresh_kg.canonical_nquads()
    tail = ("(the ontology, sources, inferences or embedded dataset of impactkg); load into a graph of your own "
            "(--graph IRI or --namespace NAME), or give --force (force=True) to replace it")
    with pytest.raises(Refused) as exc:
        fresh_kg.load(nq)
    assert str(exc.value) == f"sneaky.nq: would replace the reserved graph <{ONTOLOGY_GRAPH}> {tail}"
    ttl = tmp_path / "mine.ttl"
    ttl.write_text('<http://e/a> <http://e/p> "x" .\n', encoding="utf-8")
    with pytest.raises(Refused) as exc:
        fresh_kg.load(ttl, graph=GRAPH + "sources")
    assert str(exc.value) == f"--graph: would replace the reserved graph <{GRAPH}sources> {tail}"
    cat = csv_file(tmp_path / "catalogue.csv", "id,indicator\n1,x\n")
    with pytest.raises(Refused) as exc:
        fresh_kg.load(cat, namespace="consortium")
    assert str(exc.value) == f"catalogue.csv: would replace the reserved graph <{GRAPH}consortium/catalogue> {tail}"
    assert fresh_kg.canonical_nquads() == before
    fresh_kg.load(nq, force=True)
    assert len(fresh_kg.sparql(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")) == 1 < ontology


def test_the_command_line_refuses_a_reserved_graph_and_force_replaces_it(tmp_path):
    store = tmp_path / "store"
    ttl = tmp_path / "mine.ttl"
    ttl.write_text('<http://e/a> <http://e/p> "x" .\n', encoding="utf-8")
    subprocess.run([str(BIN), "build", "--store", str(store)], check=True, capture_output=True)
    proc = subprocess.run([str(BIN), "load", str(ttl), "--graph", ONTOLOGY_GRAPH, "--store", str(store)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.startswith(
        f"impactkg: error: --graph: would replace the reserved graph <{ONTOLOGY_GRAPH}>")
    proc = subprocess.run([str(BIN), "load", str(ttl), "--graph", ONTOLOGY_GRAPH, "--force", "--store", str(store)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and f"1 triples in <{ONTOLOGY_GRAPH}>" in proc.stdout


# ---------------------------------------------------------------------- validate, provenance, streaming
def test_validate_judges_the_file_alone_and_agrees_with_load(tmp_path):
    store = tmp_path / "store"
    subprocess.run([str(BIN), "build", "--store", str(store)], check=True, capture_output=True)
    good = csv_file(tmp_path / "mine.csv", "id,indicator,unit,domain,sdg_target\n1,a,人,インフラ・不動産,11.b\n"
                                          "2,b,件,ヘルスケア・健康,3.4\n3,c,人,環境・エネルギー,13.1\n")
    proc = subprocess.run([str(BIN), "validate", str(good), "--store", str(store)], capture_output=True, text=True)
    # the embedded dataset's own warnings (indicators 174-176, 355 without a unit) are not the file's
    assert (proc.returncode, proc.stdout) == (0, f"{good}: loads without errors\nconforms: every record matches the shapes\n")
    unitless = csv_file(tmp_path / "nounit.csv", "id,indicator,sdg_target\n9,単位のない指標,11.b\n")
    proc = subprocess.run([str(BIN), "validate", str(unitless), "--store", str(store)], capture_output=True, text=True)
    assert proc.stdout.splitlines()[1:] == [
        "conforms (with warnings): 0 violations, 1 warnings",
        "Warning: <https://w3id.org/impactkg/id/indicator/nounit-9> https://w3id.org/impactkg/ontology#unit: "
        "the indicator has no unit"]
    typo = csv_file(tmp_path / "typo.csv", "id,indicator,sdg_targt\n1,a,11.b\n")
    runs = [subprocess.run([str(BIN), cmd, str(typo), "--store", str(store)], capture_output=True, text=True)
            for cmd in ("validate", "load")]
    assert runs[0].returncode == runs[1].returncode == 1 and runs[0].stderr == runs[1].stderr
    assert runs[0].stderr.startswith("impactkg: typo.csv:1:sdg_targt: unknown column 'sdg_targt'")


def test_catalogue_rows_say_which_graph_they_come_from(fresh_kg, tmp_path):
    """Before: the user's '1 … line 2' sat beside the consortium's '353 … line 270', no source."""
    fresh_kg.load(csv_file(tmp_path / "mine.csv", "id,indicator,unit,sdg_target\n1,私の指標,人,3.4\n"))
    rows = fresh_kg.query("indicators-for-target", target="3.4").dicts()
    by_id = {r["id"]: (r["line"], r["source"]) for r in rows}
    assert by_id["1"] == (2, CATALOGUE + "mine")
    assert by_id["353"] == (270, CATALOGUE + "consortium/catalogue")
    values = fresh_kg.query("indicator-values", indicator="hj21-1").dicts()
    assert {r["source"] for r in values} == {CATALOGUE + "consortium/indicator_values"}
    hits = fresh_kg.query("label-search", q="私の指標").dicts()
    assert [(h["label"], h["source"]) for h in hits] == [("私の指標", CATALOGUE + "mine")]
    chain = fresh_kg.query("logic-chain", target="11.b").dicts()
    assert chain and {r["source"] for r in chain} == {CATALOGUE + "consortium/catalogue"}
    by_domain = fresh_kg.query("indicators-by-domain", domain="infrastructure-real-estate").dicts()
    assert by_domain and {r["source"] for r in by_domain} == {CATALOGUE + "consortium/catalogue"}


def test_a_load_into_a_store_folder_streams_in_chunks(tmp_path, monkeypatch):
    """Memory does not grow with the rows: the quads go to the next version of the store in chunks
    of at most CHUNK (here made small), and a problem after some chunks still changes nothing."""
    from impactkg.graph.backends.oxigraph import OxigraphBackend
    from impactkg.loaders import batch

    monkeypatch.setattr(batch, "CHUNK", 200)
    sizes: list[int] = []
    original = OxigraphBackend.add

    def spy(self, quads):
        quads = list(quads)
        sizes.append(len(quads))
        return original(self, quads)

    monkeypatch.setattr(OxigraphBackend, "add", spy)
    rows = "".join(f"{i},指標{i},人,インフラ・不動産,11.b\n" for i in range(1, 301))
    path = csv_file(tmp_path / "many.csv", "id,indicator,unit,domain,sdg_target\n" + rows)
    with KnowledgeGraph.open(tmp_path / "store") as kg:
        kg.build()
        sizes.clear()
        summary = kg.load(path)
        assert len(sizes) > 10 and max(sizes) <= 200 + 40  # a chunk ends after the row that fills it
        assert summary.sources[0][2] == 300
        n = kg.sparql(f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH <{CATALOGUE}many> {{ ?i a ikg:Indicator }} }}")
        assert n.dicts() == [{"n": 300}]
        before = kg.canonical_nquads()
        csv_file(path, "id,indicator,unit,domain,sdg_target\n" + rows + "301,最後,人,インフラ・不動産,3.99\n")
        with pytest.raises(LoadError) as exc:
            kg.load(path)
        assert problems(exc) == ["many.csv:302:sdg_target: unknown SDG target '3.99'"]
        assert kg.canonical_nquads() == before


def test_the_xlsx_template_keeps_codes_as_text_and_offers_the_known_values(tmp_path):
    from openpyxl import load_workbook

    from impactkg.loaders.template import write_template

    path = write_template("catalogue", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["catalogue", "README", "_lists"] and wb["_lists"].sheet_state == "hidden"
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    letter = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    assert {n for n in header if ws.column_dimensions[letter[n]].number_format == "@"} == {"id", "sdg_goal", "sdg_target"}
    lists = {str(v.sqref).split(":")[0][0]: v for v in ws.data_validations.dataValidation}
    assert set(lists) == {letter[n] for n in ("unit", "domain", "sdg_goal", "sdg_target")}
    assert all(v.errorStyle == "warning" for v in lists.values())
    def listed(column: str) -> list[str]:  # formula1 is '_lists'!$D$2:$D$4: the values of column D
        source = lists[letter[column]].formula1.split("!$")[1][0]
        return [c.value for c in wb["_lists"][source][1:] if c.value]

    assert listed("domain") == ["インフラ・不動産", "環境・エネルギー", "ヘルスケア・健康"]
    assert len(listed("sdg_target")) == 169 and "17.10" in listed("sdg_target")
    docs = {r[1].value: r for r in wb["README"].iter_rows(min_row=2)}
    assert docs["sdg_target"][3].value == "text (a code)" and docs["domain"][4].value.startswith("インフラ・不動産")
    # typed into the template as Excel keeps it (text), 17.10 loads as 17.10
    ws.append(["T-1", "テンプレートの指標", None, "人", "インフラ・不動産", "17", "17.10"])
    wb.save(path)
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(path, namespace="tpl")
    assert [r["id"] for r in kg.query("indicators-for-target", target="17.10").dicts()] == ["T-1"]


def test_a_record_of_rows_in_several_chunks_keeps_one_assertion_status(tmp_path, monkeypatch):
    """Streamed in chunks, an element shared by every row still gets the weakest status of its
    rows, once: the last row (in the last chunk) marks the impact cell doubtful."""
    from impactkg.loaders import batch

    monkeypatch.setattr(batch, "CHUNK", 200)
    rows = "".join(f"{i},指標{i},人,インフラ・不動産,11.b,共通の課題,{'impact' if i == 300 else ''}\n"
                   for i in range(1, 301))
    path = csv_file(tmp_path / "shared.csv", "id,indicator,unit,domain,sdg_target,impact,doubtful\n" + rows)
    with KnowledgeGraph.open(tmp_path / "store") as kg:
        kg.build()
        kg.load(path)
        statuses = kg.sparql(
            "SELECT ?s WHERE { ?i ikg:assertionStatus ?s ; rdfs:label '共通の課題'@ja }").dicts()
        assert [r["s"].rsplit("/", 1)[-1] for r in statuses] == ["doubtful"]


def test_a_label_several_concepts_share_names_none_of_them(fresh_kg, tmp_path):
    # その他 is the Japanese label of two finance methods: picking one would be a silent guess
    path = tmp_path / "cases.csv"
    path.write_text("id,provider,method\nc1,京都信用金庫,その他\n", encoding="utf-8")
    assert refused(fresh_kg, path, namespace="amb") == [
        "cases.csv:2:method: 'その他' is the label of 2 finance-method concepts: other (その他 (Other)), "
        "other-method (その他 (Other methods)); write the id of the one you mean"]
    # the id names one, and its English label too
    for method, iri in (("other-method", "other-method"), ("Other", "other")):
        path.write_text(f"id,provider,method\nc1,京都信用金庫,{method}\n", encoding="utf-8")
        fresh_kg.load(path, namespace="amb")
        got = fresh_kg.sparql("SELECT ?m WHERE { <https://w3id.org/impactkg/id/case/amb-c1> ikg:financeMethod ?m }")
        assert [r["m"] for r in got.dicts()] == [f"https://w3id.org/impactkg/concept/finance-method/{iri}"]
