"""The loaders' shared machinery (loaders/base.py) and the catalogue loader, triple by triple:
what a catalogue row becomes (every column, optional ones too), results kept apart by impact and
target so that two logic chains never cross, located errors for every kind of bad cell, and
loads that change nothing when anything is wrong. One graph is built for the module; each test
loads its own file (its own named graph)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import embedded_graph

from impactkg import KnowledgeGraph, LoadError
from impactkg.loaders import KINDS
from impactkg.loaders.base import guess_kind, lang_of, stem_of
from impactkg.loaders.tabular import Table

ID = "https://w3id.org/impactkg/id/"
CONCEPT = "https://w3id.org/impactkg/concept/"
GRAPH = "https://w3id.org/impactkg/graph/"
HEADER = ["番号", "インパクト指標", "indicator_en", "単位", "分野", "SDGsゴール", "SDGsターゲット", "インパクト",
          "アクティビティ例", "アウトプット例・アウトカム例", "データソース", "doubtful", "note"]
ROW = ["A-1", "研修修了者数", "Trainees who completed", "人", "インフラ・不動産", "11 住み続けられるまちづくりを",
       "11.b", "災害への備え", "耐震化", "建物の耐震化", "国勢調査", "domain", "checked by hand"]

#: What ROW becomes in its named graph, term by term (the record IRIs of impacts, activities and
#: results are the stable hashes of their wording, and of a result's impact and target too).
EXPECTED = """
@prefix ikg: <https://w3id.org/impactkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sdg: <http://metadata.un.org/sdg/> .
@prefix id: <https://w3id.org/impactkg/id/> .
@prefix concept: <https://w3id.org/impactkg/concept/> .

<https://w3id.org/impactkg/id/indicator/mine-A-1> a ikg:Indicator ;
    dcterms:identifier "A-1" ;
    rdfs:label "研修修了者数"@ja , "Trainees who completed"@en ;
    ikg:searchKey "研修修了者数" , "traineeswhocompleted" ;
    ikg:sourceLine 2 ; dcterms:source <https://w3id.org/impactkg/id/source/core-cat.csv> ;
    ikg:doubtful "domain" ; skos:editorialNote "checked by hand"@en ;
    ikg:domain <https://w3id.org/impactkg/concept/domain/infrastructure-real-estate> ;
    ikg:sdgTarget sdg:11.b ; ikg:sdgGoal sdg:11 ;
    ikg:unit <https://w3id.org/impactkg/concept/unit/person> ; ikg:unitText "人" ;
    ikg:dataSource "国勢調査"@ja ;
    ikg:assertionStatus <https://w3id.org/impactkg/concept/assertion-status/doubtful> ; ikg:quote "研修修了者数"@ja ;
    ikg:measures <https://w3id.org/impactkg/id/result/RESULT> .

<https://w3id.org/impactkg/id/impact/IMPACT> a ikg:Impact ;
    rdfs:label "災害への備え"@ja ; ikg:searchKey "災害への備え" ;
    ikg:assertionStatus <https://w3id.org/impactkg/concept/assertion-status/stated> ; ikg:quote "災害への備え"@ja ;
    ikg:sourceLine 2 ; dcterms:source <https://w3id.org/impactkg/id/source/core-cat.csv> ;
    ikg:doubtful "domain" ; skos:editorialNote "checked by hand"@en ;
    ikg:servesTarget sdg:11.b ;
    ikg:domain <https://w3id.org/impactkg/concept/domain/infrastructure-real-estate> .

<https://w3id.org/impactkg/id/activity/ACTIVITY> a ikg:Activity ;
    rdfs:label "耐震化"@ja ; ikg:searchKey "耐震化" ;
    ikg:assertionStatus <https://w3id.org/impactkg/concept/assertion-status/stated> ; ikg:quote "耐震化"@ja ;
    ikg:sourceLine 2 ; dcterms:source <https://w3id.org/impactkg/id/source/core-cat.csv> ;
    ikg:doubtful "domain" ; skos:editorialNote "checked by hand"@en ;
    ikg:hasResult <https://w3id.org/impactkg/id/result/RESULT> .

<https://w3id.org/impactkg/id/result/RESULT> a ikg:Result ;
    rdfs:label "建物の耐震化"@ja ; ikg:searchKey "建物の耐震化" ;
    ikg:assertionStatus <https://w3id.org/impactkg/concept/assertion-status/stated> ; ikg:quote "建物の耐震化"@ja ;
    ikg:sourceLine 2 ; dcterms:source <https://w3id.org/impactkg/id/source/core-cat.csv> ;
    ikg:doubtful "domain" ; skos:editorialNote "checked by hand"@en ;
    ikg:sdgTarget sdg:11.b ;
    ikg:contributesTo <https://w3id.org/impactkg/id/impact/IMPACT> .

<https://w3id.org/impactkg/id/logic-model/mine-LOGIC> a ikg:LogicModel ;
    rdfs:label "mine: インフラ・不動産"@ja ; ikg:searchKey "mine:インフラ・不動産" ;
    ikg:assertionStatus <https://w3id.org/impactkg/concept/assertion-status/inferred> ;
    ikg:domain <https://w3id.org/impactkg/concept/domain/infrastructure-real-estate> ;
    ikg:hasElement <https://w3id.org/impactkg/id/activity/ACTIVITY> , <https://w3id.org/impactkg/id/result/RESULT> ,
        <https://w3id.org/impactkg/id/impact/IMPACT> .
"""


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return embedded_graph()


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def triples_of(kg: KnowledgeGraph, graph: str) -> set[ox.Triple]:
    return {q.triple for q in kg.quads() if q.graph_name == ox.NamedNode(graph)}


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def expected_triples() -> set[ox.Triple]:
    from impactkg.ontology import slug

    keys = {
        "IMPACT": slug("災害への備え"),
        "ACTIVITY": slug("耐震化"),
        "RESULT": slug("建物の耐震化\x1f災害への備え\x1fhttp://metadata.un.org/sdg/11.b"),
        "LOGIC": slug("インフラ・不動産"),
    }
    text = EXPECTED
    for name, key in keys.items():
        text = text.replace(f"/{name}>", f"/{key}>").replace(f"-{name}>", f"-{key}>")
    return {q.triple for q in ox.parse(text.encode(), ox.RdfFormat.TURTLE)}


def test_a_catalogue_row_becomes_exactly_these_triples(graph, tmp_path):
    path = write(tmp_path / "core-cat.csv", HEADER, [ROW])
    summary = graph.load(path, namespace="mine")
    name = GRAPH + "mine/core-cat"
    assert summary.sources == [("core-cat.csv", name, 1, 59)]
    assert triples_of(graph, name) == expected_triples()
    # The file is described once in the shared graph of sources.
    doc = ox.NamedNode(ID + "source/core-cat.csv")
    assert {(q.predicate.value, q.object) for q in graph.quads()
            if q.subject == doc and q.graph_name == ox.NamedNode(GRAPH + "sources")} == {
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode("https://w3id.org/impactkg/ontology#SourceDocument")),
        ("http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("core-cat.csv", language="en")),
    }


def test_optional_catalogue_columns_are_read_back(graph, tmp_path):
    """indicator_en, sdg_goal and data_source, each where a row has it and absent where not (a
    round trip through the loader alone cannot see them dropped: both sides would lose them)."""
    rows = [ROW, ["A-2", "指標のみ", "", "", "", "", "", "", "", "", "", "", ""]]
    graph.load(write(tmp_path / "optional.csv", HEADER, rows), namespace="opt")
    got = graph.sparql(
        "SELECT ?id ?en ?goal ?source WHERE { GRAPH <https://w3id.org/impactkg/graph/opt/optional> { "
        "?i dcterms:identifier ?id OPTIONAL { ?i rdfs:label ?en FILTER(lang(?en) = 'en') } "
        "OPTIONAL { ?i ikg:sdgGoal ?goal } OPTIONAL { ?i ikg:dataSource ?source } } } ORDER BY ?id").dicts()
    assert got == [
        {"id": "A-1", "en": "Trainees who completed", "goal": "http://metadata.un.org/sdg/11", "source": "国勢調査"},
        {"id": "A-2", "en": None, "goal": None, "source": None},
    ]


def test_results_are_kept_apart_by_impact_and_target_so_chains_do_not_cross(graph, tmp_path):
    """The same output/outcome wording under two impacts (and targets) is two results: each
    activity's chain reaches its own impact only (4 rows, not 2, if they were one record)."""
    header = ["id", "indicator", "domain", "sdg_target", "impact", "activity", "result"]
    rows = [
        ["1", "耐震化された校舎数", "防災", "11.b", "学校の防災", "校舎の耐震化", "校舎の改修"],
        ["2", "改修された住宅数", "防災", "11.1", "住まいの安全", "住宅の改修支援", "校舎の改修"],
        ["3", "耐震診断数", "防災", "11.b", "学校の防災", "耐震診断", "校舎の改修"],  # the same result as row 1
    ]
    graph.load(write(tmp_path / "chains.csv", header, rows), namespace="chains", new_concepts=True)  # 防災 is new
    chain = graph.query("logic-chain", domain="防災").dicts()
    assert [(r["activity"], r["result"], r["impact"], r["targetCode"]) for r in chain] == [
        ("住宅の改修支援", "校舎の改修", "住まいの安全", "11.1"),
        ("校舎の耐震化", "校舎の改修", "学校の防災", "11.b"),
        ("耐震診断", "校舎の改修", "学校の防災", "11.b"),
    ]
    results = graph.sparql("SELECT DISTINCT ?r WHERE { GRAPH <https://w3id.org/impactkg/graph/chains> "
                           "{ ?r a ikg:Result } }")
    assert len(results) == 2


def test_every_bad_cell_is_reported_with_its_place_and_nothing_is_loaded(graph, tmp_path):
    before = graph.canonical_nquads()
    header = ["id", "indicator", "unit", "domain", "sdg_goal", "sdg_target"]
    rows = [
        ["1", "ok", "人", "", "", "4.1"],
        ["1", "again", "", "", "", ""],            # duplicate id
        ["", "no id", "", "", "", ""],             # empty required cell
        ["4", "", "", "", "", ""],                 # empty required cell
        ["5", "goal", "", "", "3", "4.1"],         # goal does not match target
        ["6", "goal", "", "", "18", ""],           # no such goal
    ]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "bad-cells.csv", header, rows))
    assert problems(exc) == [
        "bad-cells.csv:3:id: duplicate id '1' (first at row 2)",
        "bad-cells.csv:4:id: empty required cell 'id'",
        "bad-cells.csv:5:indicator: empty required cell 'indicator'",
        "bad-cells.csv:6:sdg_goal: goal 3 does not match target 4.1",
        "bad-cells.csv:7:sdg_goal: unknown SDG goal '18' (expected 1 to 17)",
    ]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "no-header.csv", ["番号", "単位"], [["1", "人"]]), kind="catalogue")
    assert problems(exc) == ["no-header.csv:1:indicator: missing required column 'indicator'"]
    assert graph.canonical_nquads() == before


def test_an_unknown_concept_lists_the_known_ones_by_label(graph, tmp_path):
    """All 16 finance methods of the embedded dataset (at most 20 are listed), each as its Japanese
    label with the English one after, sorted."""
    header = ["id", "provider", "method"]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "cases-x.csv", header, [["c1", "京都信用金庫", "barter"]]))
    assert problems(exc) == [
        "cases-x.csv:2:method: unknown finance-method 'barter' (known: その他 (Other methods), その他 (Other), "
        "ふるさと納税 (Hometown tax donation (furusato nozei)), エクイティ (Equity), クラウドファンディング (Crowdfunding), "
        "ソーシャルインパクトボンド (Social impact bond), デット (Debt), ファンド出資 (Fund investment), "
        "プレント (Blended (finance)), 債券 (Bond), 劣後出資 (Subordinated investment), 助成金 (Grant), "
        "成果連動融資 (Outcome-linked loan), 直接出資 (Direct equity investment), 融資 (Loan), "
        "資本性ローン (Capital loan (equity-like subordinated loan)))"]
    assert len({r["id"] for r in table("concepts.csv") if r["scheme"] == "finance-method"}) == 16


def test_lang_stem_and_kind_guessing():
    assert (lang_of("BMI 18.5"), lang_of("ＢＭＩ"), lang_of("指標"), lang_of("カタカナ"), lang_of("ｶﾀｶﾅ")) == (
        "en", "en", "ja", "ja", "ja")
    assert stem_of(Path("My Catalogue (2024).csv")) == "my-catalogue-2024"
    assert stem_of(Path("指標.csv")) == "data"
    table = Table("t.csv", Path("t.csv"), ["番号", "インパクト指標", "単位"])
    assert guess_kind(table, KINDS).name == "catalogue"
    assert guess_kind(table, KINDS, "indicator-values").name == "values"
    assert guess_kind(table, KINDS, "インパクト指標集").name == "catalogue"
    assert guess_kind(Table("t.csv", Path("t.csv"), ["foo"]), KINDS) is None
    assert guess_kind(Table("t.csv", Path("t.csv"), ["indicator", "kind", "value"]), KINDS).name == "values"


def test_numbers_are_read_exactly_and_bad_ones_are_reported_where_they_are(graph, tmp_path):
    """Decimals keep their digits and are never written in exponent form (1E3 is 1000, not
    1E+3); a year or amount that is not a number is an error at its row and column, never
    dropped."""
    header = ["id", "number", "provider", "method", "amount", "currency", "year", "subordination_rate"]
    good = [["n-1", "1", "京都信用金庫", "loan", "1E3", "jpy", "２０２４", "0.50"],
            ["n-2", "2", "The Kyoto Shinkin Bank", "融資", "1,234.5", "USD", "2023", "1"],
            ["n-3", "3", "京都信用金庫", "loan", "0.000001", "EUR", "", "0"],
            ["n-4", "4", "京都信用金庫", "loan", "12345678901234567890.123456789", "JPY", "", ""]]
    graph.load(write(tmp_path / "numbers.csv", header, good), namespace="num")
    rows = graph.sparql(
        "SELECT ?c ?amount ?currency ?year ?rate ?provider WHERE { GRAPH <https://w3id.org/impactkg/graph/num/numbers> { "
        "?c ikg:amount ?amount ; ikg:currency ?currency ; ikg:provider ?provider "
        "OPTIONAL { ?c ikg:year ?year } OPTIONAL { ?c ikg:subordinationRate ?rate } } } ORDER BY ?c").terms
    xsd = "http://www.w3.org/2001/XMLSchema#"
    dec = lambda v: ox.Literal(v, datatype=ox.NamedNode(xsd + "decimal"))  # noqa: E731
    year = lambda v: ox.Literal(v, datatype=ox.NamedNode(xsd + "integer"))  # noqa: E731
    kyoto = ox.NamedNode(ID + "org/kyoto-shinkin-bank")
    assert rows == [
        (ox.NamedNode(ID + "case/num-n-1"), dec("1000"), ox.Literal("JPY"), year("2024"), dec("0.5"), kyoto),
        (ox.NamedNode(ID + "case/num-n-2"), dec("1234.5"), ox.Literal("USD"), year("2023"), dec("1"), kyoto),
        (ox.NamedNode(ID + "case/num-n-3"), dec("0.000001"), ox.Literal("EUR"), None, dec("0"), kyoto),
        (ox.NamedNode(ID + "case/num-n-4"), dec("12345678901234567890.123456789"), ox.Literal("JPY"), None, None, kyoto),
    ]
    before = graph.canonical_nquads()
    bad = [["b-1", "1", "京都信用金庫", "loan", "12,5x", "JPY", "2024年", ""],
           ["b-2", "2", "京都信用金庫", "loan", "100", "円", "", "1.5"],
           ["b-3", "3", "京都信用金庫", "loan", "", "", "20.5", "-0.1"],
           ["b-4", "4", "京都信用金庫", "loan", "", "", "24", ""]]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "bad-numbers.csv", header, bad), namespace="num")
    assert problems(exc) == [
        "bad-numbers.csv:2:amount: expected a number such as 1200, 1,200 or 12.5, got '12,5x'",
        "bad-numbers.csv:2:year: expected a year of four digits such as 2024, got '2024年'",
        "bad-numbers.csv:3:currency: an amount needs an ISO 4217 currency code, got '円'",
        "bad-numbers.csv:3:subordination_rate: expected a share between 0 and 1, got 1.5",
        "bad-numbers.csv:4:year: expected a year of four digits such as 2024, got '20.5'",
        "bad-numbers.csv:4:subordination_rate: expected a share between 0 and 1, got -0.1",
        "bad-numbers.csv:5:year: expected a year of four digits such as 2024, got '24'",  # as in a values file
    ]
    assert graph.canonical_nquads() == before


def test_provenance_cites_the_file_and_row_of_a_users_table(graph, tmp_path):
    """A user's table has no source document: each record cites the file and its own row (the
    'line' column is the embedded dataset's reference to the seed, ignored here); doubtful
    columns and the note are kept."""
    header = ["id", "indicator", "line", "doubtful", "note"]
    graph.load(write(tmp_path / "prov.csv", header, [["p1", "一", "999", "", ""], ["p2", "二", "", "unit  indicator", "to check"]]),
               namespace="prov")
    got = graph.sparql(
        "SELECT ?id ?line ?src (GROUP_CONCAT(?d; separator=' ') AS ?doubtful) (SAMPLE(?n) AS ?note) WHERE { "
        "GRAPH <https://w3id.org/impactkg/graph/prov> { ?i dcterms:identifier ?id ; ikg:sourceLine ?line ; "
        "dcterms:source ?src OPTIONAL { ?i ikg:doubtful ?d } OPTIONAL { ?i skos:editorialNote ?n } } } "
        "GROUP BY ?id ?line ?src ORDER BY ?id").terms
    src = ox.NamedNode(ID + "source/prov.csv")
    assert [(t[0].value, t[1].value, t[2]) for t in got] == [("p1", "2", src), ("p2", "3", src)]
    assert sorted(got[1][3].value.split()) == ["indicator", "unit"] and got[0][3] in (None, ox.Literal(""))
    assert got[1][4] == ox.Literal("to check", language="en") and got[0][4] is None


# ---------------------------------------------------------------------- the embedded dataset, as built
DATA = Path(__file__).resolve().parents[1] / "data" / "consortium"


def table(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_embedded_records_cite_their_line_in_the_seed(graph):
    got = {r["id"]: r["line"] for r in graph.sparql(
        "SELECT ?id ?line WHERE { GRAPH <https://w3id.org/impactkg/graph/consortium/catalogue> { "
        "?i a ikg:Indicator ; dcterms:identifier ?id ; ikg:sourceLine ?line ; dcterms:source "
        "<https://w3id.org/impactkg/id/source/impact-consortium-study-session-4> } }").dicts()}
    assert got == {r["id"]: int(r["line"]) for r in table("catalogue.csv")}


def test_embedded_links_say_whether_they_are_inferred(graph):
    flags = graph.sparql("SELECT ?line ?inferred WHERE { GRAPH <https://w3id.org/impactkg/graph/consortium/system_connections> "
                         "{ ?l a ikg:CausalLink ; ikg:sourceLine ?line ; ikg:inferred ?inferred } }").dicts()
    expected = sorted((int(r["line"]), r["inferred"] == "yes") for r in table("system_connections.csv"))
    assert sorted((r["line"], r["inferred"]) for r in flags) == expected and any(i for _, i in expected)


def test_derived_labels_show_an_organisation_by_its_name_as_written(graph):
    names = {r["id"]: r["name_ja"] for r in table("organizations.csv")}
    labels = {r["l"] for r in graph.sparql("SELECT ?l WHERE { ?b a ikg:SupportBundle ; rdfs:label ?l "
                                           "FILTER(lang(?l) = 'ja') }").dicts()}
    assert labels == {f"{names[r['organization']]}: 支援の束" for r in table("bundles.csv")}


# ---------------------------------------------------------------------- more of a catalogue
def test_partial_rows_ids_and_one_unit_written_two_ways(graph, tmp_path):
    """A row with only an activity, or only an impact, still links what it has; a domain given by
    its id is the consortium's concept; a new unit written with and without a space is one unit."""
    header = ["id", "indicator", "domain", "unit", "impact", "activity", "result"]
    rows = [["1", "活動だけ", "infrastructure-real-estate", "kg CO2", "", "部分行の活動", ""],
            ["2", "インパクトだけ", "healthcare-health", "kgCO2", "部分行のインパクト", "", ""]]
    graph.load(write(tmp_path / "partial.csv", header, rows), namespace="partial", new_concepts=True)  # kg CO2 is new
    got = graph.sparql(
        "SELECT ?id ?domain ?unit ?measured WHERE { GRAPH <https://w3id.org/impactkg/graph/partial> { "
        "?i dcterms:identifier ?id ; ikg:domain ?domain ; ikg:unit ?unit OPTIONAL { ?i ikg:measures ?m . "
        "?m rdfs:label ?measured } } } ORDER BY ?id").dicts()
    unit = got[0]["unit"]
    assert [(r["id"], r["domain"].rsplit("/", 1)[-1], r["unit"], r["measured"]) for r in got] == [
        ("1", "infrastructure-real-estate", unit, "部分行の活動"),
        ("2", "healthcare-health", unit, "部分行のインパクト")]
    assert unit == CONCEPT + "unit/kg%20CO2"
    assert not graph.sparql("ASK { GRAPH <https://w3id.org/impactkg/graph/partial> { ?a ikg:hasResult ?r } }").boolean


def test_fragments_keep_their_cells_and_need_line_and_text(graph, tmp_path):
    header = ["line", "text", "unit_text", "extra"]
    graph.load(write(tmp_path / "frags.csv", header, [["7", "断片", "t-CO2", "余り"], ["8", "二つ目", "", ""]]),
               kind="fragments", namespace="frag")
    got = graph.sparql("SELECT ?f ?unit ?extra WHERE { GRAPH <https://w3id.org/impactkg/graph/frag/frags> { "
                       "?f a ikg:SourceFragment OPTIONAL { ?f ikg:unitText ?unit } OPTIONAL { ?f rdfs:comment ?extra } } } "
                       "ORDER BY ?f").terms
    assert got == [(ox.NamedNode(ID + "fragment/frag-7"), ox.Literal("t-CO2"), ox.Literal("余り", language="ja")),
                   (ox.NamedNode(ID + "fragment/frag-8"), None, None)]
    with pytest.raises(LoadError) as exc:
        graph.load(write(tmp_path / "frags-bad.csv", header, [["", "x", "", ""], ["9", "", "", ""]]), kind="fragments")
    assert problems(exc) == ["frags-bad.csv:2:line: empty required cell 'line'",
                             "frags-bad.csv:3:text: empty required cell 'text'"]


def test_a_reference_to_what_this_load_replaces_does_not_count(graph, tmp_path):
    """Loading a file again replaces its graph: a values file loaded with it cannot refer to a
    record only the old version held."""
    old = write(tmp_path / "replaced.csv", ["id", "indicator"], [["r1", "旧"], ["r2", "残る"]])
    graph.load(old, namespace="rep")
    write(old, ["id", "indicator"], [["r2", "残る"]])
    values = write(tmp_path / "rep-values.csv", ["indicator", "kind"], [["rep:r1", "baseline"], ["rep:r2", "baseline"]])
    with pytest.raises(LoadError) as exc:
        graph.load(old, values, namespace="rep")
    assert problems(exc) == ["rep-values.csv:2:indicator: no indicator 'rep-r1' in this load or in the graph"]
    write(values, ["indicator", "kind"], [["rep:r2", "baseline"]])
    graph.load(old, values, namespace="rep")  # the same batch defines r2: it counts


def test_a_table_with_exactly_the_required_columns_is_recognised():
    assert guess_kind(Table("t.csv", Path("t.csv"), ["indicator", "kind"]), KINDS).name == "values"
    assert guess_kind(Table("t.csv", Path("t.csv"), ["organization"]), KINDS).name == "bundles"


def test_an_unknown_concept_lists_all_known_ones_up_to_twenty(graph, tmp_path):
    """The hint lists every known label when there are at most 20, else the first 20, '...' and
    how many there are."""
    embedded = ["その他 (Other)", "インフラ整備・都市開発 (Infrastructure development & Urban development)",
                "人材・働き方 (Human resources & Ways of working)", "健康・医療 (Health & Medical care)",
                "教育・子育て (Education & Childcare)",
                "環境 (気候変動・環境保全・生物多様性) (Environment (climate change, environmental conservation, biodiversity))",
                "食料・農業 (Food & Agriculture)"]
    known = int(graph.sparql("SELECT (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme ikg:SocialIssueScheme }").terms[0][0].value)
    assert known == len(embedded)
    header = ["scheme", "id", "label_ja", "label_en"]
    extra = [["social-issue", f"zz-issue-{i}", f"課題{i:02}", f"Issue {i}"] for i in range(20 - known)]
    graph.load(write(tmp_path / "more-issues.csv", header, extra), kind="concepts", namespace="issues")
    cases = ["social_issue", "finance_method", "case_numbers"]
    for count in (20, 21):
        with pytest.raises(LoadError) as exc:
            graph.load(write(tmp_path / "map-x.csv", cases, [["nope", "loan", "1"]]), kind="case_map")
        labels = sorted(embedded + [f"{ja} ({en})" for _, _, ja, en in extra])
        assert len(labels) == count
        shown = ", ".join(labels[:20]) + (", ... (21 in all)" if count == 21 else "")
        assert problems(exc) == [f"map-x.csv:2:social_issue: unknown social-issue 'nope' (known: {shown})"]
        extra.append(["social-issue", "zz-issue-last", "最後", "Last"])
        graph.load(write(tmp_path / "more-issues.csv", header, extra), kind="concepts", namespace="issues")


# ---------------------------------------------------------------------- kinds of table
def test_a_header_two_kinds_fit_equally_well_is_not_guessed(graph, tmp_path):
    """The kind is the one whose columns the header has the most of; when two kinds fit equally
    well (id, name_ja, name_en: people or organisations?) the load asks for --kind instead of
    picking one silently, and loads as the kind it is told."""
    guess = lambda header: guess_kind(Table("t.csv", Path("t.csv"), header), KINDS)  # noqa: E731
    assert guess(["id", "name", "url"]).name == "databases"         # 3 columns, programmes 2
    assert guess(["id", "name", "description"]).name == "programmes"  # 3 columns, databases 2
    assert guess(["id", "name_ja", "name_en"]) is None               # people 3, organizations 3
    assert guess(["id", "name"]) is None                             # databases 2, programmes 2
    path = write(tmp_path / "members.csv", ["id", "name_ja", "name_en"], [["m1", "山田 花子", "Hanako Yamada"]])
    with pytest.raises(LoadError) as exc:
        graph.load(path, namespace="members")
    assert problems(exc) == [f"members.csv:1: cannot tell what this table holds; name it with --kind ({', '.join(KINDS)})"]
    graph.load(path, namespace="members", kind="people")
    got = graph.sparql("SELECT ?t WHERE { GRAPH <https://w3id.org/impactkg/graph/members> { "
                       "?p rdfs:label '山田 花子'@ja ; a ?t } }").dicts()
    assert [r["t"].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in got] == ["Person"]


def test_the_columns_of_a_kind_and_which_kinds_hold_their_load_in_memory():
    """A kind's columns by name (required, and the headers accepted for them), and the kinds
    that read the other tables of their load, which therefore never stream it."""
    catalogue = KINDS["catalogue"]
    assert [(c.name, c.required, c.aliases) for c in map(catalogue.column, ("id", "indicator", "sdg_target", "team"))] == [
        ("id", True, ("番号", "no", "no.")), ("indicator", True, ("インパクト指標", "指標")),
        ("sdg_target", False, ("sdgsターゲット", "ターゲット")), ("team", False, ())]
    assert [k.name for k in KINDS.values() if k.whole] == ["sdg_kos", "translations"]


def test_unknown_columns_are_named_with_the_closest_one_unless_left_out(graph, tmp_path):
    """Every unknown header cell is an error at its column, with the closest known column when
    there is one; the ones named in ignore_columns are left out, wherever they stand."""
    header = ["id", "memo", "indicator", "sdg_targt", "zzz", "備考"]
    path = write(tmp_path / "cols.csv", header, [["1", "社内", "指標", "11.b", "?", "x"]])
    with pytest.raises(LoadError) as exc:
        graph.load(path, namespace="cols", ignore_columns=["memo", " 備考 "])
    names = ("id, indicator, indicator_en, unit, domain, sdg_goal, sdg_target, impact, activity, result, "
             "data_source, part_of, line, doubtful, note, status, quote, team")
    assert problems(exc) == [
        f"cols.csv:1:sdg_targt: unknown column 'sdg_targt' for a catalogue table: did you mean 'sdg_target'? "
        f"the columns are {names} (--ignore-columns 'sdg_targt' leaves it out on purpose)",
        f"cols.csv:1:zzz: unknown column 'zzz' for a catalogue table: the columns are {names} "
        "(--ignore-columns 'zzz' leaves it out on purpose)"]
    graph.load(path, namespace="cols", ignore_columns=["memo", "備考", "sdg_targt", "zzz"])
    got = graph.sparql("SELECT ?id WHERE { GRAPH <https://w3id.org/impactkg/graph/cols> { ?i dcterms:identifier ?id } }")
    assert got.dicts() == [{"id": "1"}]


def test_a_workbook_refuses_numbers_only_in_code_columns(graph, tmp_path):
    """Excel keeps 007 as 7 and 17.10 as 17.1: a number is refused, at its cell, in the columns
    that hold codes (ids, SDG codes, and each kind's key: a green-list category), and read as
    itself in every other column (a value, a year, a fragment's line number)."""
    from workbooks import write_workbook

    def book(name: str, sheet: str, header: list[str], rows: list[list]) -> Path:
        return write_workbook(tmp_path / name, header, rows, sheet)

    tail = (" where a code must be text: Excel turns 17.10 into 17.1 and an id 007 into 7. Format the column "
            "as Text and type the codes again, or type them with a leading apostrophe ('17.10); the template "
            "of 'impactkg template' has these columns as Text")
    before = graph.canonical_nquads()
    for path, cell, number in (
            (book("green.xlsx", "green_list", ["category", "items"], [[100, "省エネ"]]), "green_list]!A2:category", 100),
            (book("cat.xlsx", "catalogue", ["id", "indicator", "sdg_goal"], [["x1", "指標", 4]]), "catalogue]!C2:sdg_goal", 4)):
        with pytest.raises(LoadError) as exc:
            graph.load(path, namespace="codes")
        assert problems(exc) == [f"{path.name}[{cell}: a number in the workbook ({number}){tail}"]
    # Each bad row is reported for what it says, and the rows after it are read all the same; an
    # unreadable cell is not also reported as empty.
    rows = [["x1", "指標", 4], ["x2", "#N/A", ""], ["x3", "指標三", 5]]
    with pytest.raises(LoadError) as exc:
        graph.load(book("cats.xlsx", "catalogue", ["id", "indicator", "sdg_goal"], rows), namespace="codes")
    assert problems(exc) == [f"cats.xlsx[catalogue]!C2:sdg_goal: a number in the workbook (4){tail}",
                             "cats.xlsx[catalogue]!B3:indicator: the cell holds the Excel error #N/A: correct it or empty it",
                             f"cats.xlsx[catalogue]!C4:sdg_goal: a number in the workbook (5){tail}"]
    assert graph.canonical_nquads() == before
    graph.load(book("vals.xlsx", "values", ["indicator", "kind", "value", "unit", "year"],
                    [["consortium:1", "baseline", 45.5, "分", 2024]]), namespace="codes")
    got = graph.sparql("SELECT ?v ?y WHERE { GRAPH <https://w3id.org/impactkg/graph/codes/vals/values> { "
                       "?x rdf:value ?v ; ikg:year ?y } }").dicts()
    assert got == [{"v": Decimal("45.5"), "y": 2024}]
    graph.load(book("frag.xlsx", "fragments", ["line", "text"], [[7, "断片"]]), namespace="codes")
    assert graph.sparql("ASK { GRAPH <https://w3id.org/impactkg/graph/codes/frag/fragments> { "
                        f"<{ID}fragment/codes-7> a ikg:SourceFragment }}}}").boolean


# ---------------------------------------------------------------------- how concepts and records are named
STAGES = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ikg: <https://w3id.org/impactkg/ontology#> .
@prefix gs: <https://w3id.org/impactkg/concept/growth-stage/> .
gs:zz-scale skos:inScheme ikg:GrowthStageScheme ; skos:prefLabel "拡大期"@ja , "Scale-up"@en , "Croissance"@fr .
gs:zz-mature skos:inScheme ikg:GrowthStageScheme ; skos:prefLabel "成熟期"@ja , "Reife"@de , "Maturité"@fr .
gs:zz-exit skos:inScheme ikg:GrowthStageScheme ; skos:prefLabel "Exit"@en , "Ausstieg"@de .
gs:zz-coded skos:inScheme ikg:GrowthStageScheme ; skos:notation "GS9" .
gs:A%2FB skos:inScheme ikg:GrowthStageScheme ; skos:prefLabel "シリーズA/B"@ja .
<https://w3id.org/impactkg/concept/blended-effect/zz-both> skos:inScheme ikg:BlendedEffectScheme ; skos:prefLabel "両方"@ja .
<https://w3id.org/impactkg/concept/company-type/zz-both> skos:inScheme ikg:CompanyTypeScheme ; skos:prefLabel "両方"@ja .
"""


def test_a_concept_is_shown_by_its_japanese_label_then_its_english_one(graph, tmp_path):
    """In a message a concept is its Japanese label with the English one after (else the first
    other label by text; never a second Japanese name such as a notation), a concept without
    Japanese label its English one alone, a concept without labels its id; a value of other
    schemes names the first of them (in SCHEMES order)."""
    stages = tmp_path / "stages.ttl"
    stages.write_text(STAGES, encoding="utf-8")
    graph.load(stages, namespace="stages")
    try:
        bare = write(tmp_path / "concepts.csv", ["scheme", "id", "label_ja", "notation"],
                     [["growth-stage", "zz-bare", "", ""], ["growth-stage", "zz-grow", "成長期", "成長"]])
        cases = write(tmp_path / "staged.csv", ["id", "growth_stage"], [["s1", "拡大"], ["s2", "両方"], ["s3", "GS9"]])
        with pytest.raises(LoadError) as exc:
            graph.load(bare, cases, namespace="staged")
        known = ", ".join(sorted([
            "アーリー (Early)", "その他 (Other)", "シード (Seed)", "プレシード (Pre-seed)", "ミドル (Middle)",
            "レイター (Later)", "拡大期 (Scale-up)", "成熟期 (Maturité)", "Exit", "zz-coded", "zz-bare", "シリーズA/B", "成長期"]))
        assert problems(exc) == [
            f"staged.csv:2:growth_stage: unknown growth-stage '拡大'; did you mean '拡大期 (Scale-up)'? (known: {known})",
            f"staged.csv:3:growth_stage: unknown growth-stage '両方': it is a blended-effect, not a growth-stage "
            f"(known: {known})"]
        # A concept is found by its id too, written as it reads (A/B for A%2FB).
        write(cases, ["id", "growth_stage"], [["s4", "A/B"], ["s5", "gs9"]])
        graph.load(cases, namespace="staged")
        got = graph.sparql("SELECT ?c ?s WHERE { GRAPH <https://w3id.org/impactkg/graph/staged> { "
                           "?c ikg:growthStage ?s } } ORDER BY ?c").dicts()
        stage = CONCEPT + "growth-stage/"
        assert [(r["c"].rsplit("/", 1)[-1], r["s"]) for r in got] == [
            ("staged-s4", stage + "A%2FB"), ("staged-s5", stage + "zz-coded")]
    finally:
        graph.replace_graphs({GRAPH + "stages": []})


def test_a_derived_label_names_an_organisation_of_the_graph_as_written(graph, tmp_path):
    """A support bundle of an organisation the graph already holds is labelled with the name the
    organisation was written with (Japanese), even when the table names it in English."""
    bundles = write(tmp_path / "bundles.csv", ["organization", "number"], [["The Kyoto Shinkin Bank", "b1"]])
    graph.load(bundles, namespace="named")
    got = graph.sparql("SELECT ?l WHERE { GRAPH <https://w3id.org/impactkg/graph/named/bundles> { "
                       "?b a ikg:SupportBundle ; rdfs:label ?l } }").dicts()
    assert got == [{"l": "京都信用金庫: 支援の束"}]


def test_a_load_streams_only_into_a_store_that_takes_chunks_and_without_a_table_reading_the_load(tmp_path):
    """loaders.prepare says whether it streamed (batch.streamed): given a sink, unless a table of
    the load reads what the others made (a translations table); never without a sink."""
    from impactkg.loaders import prepare

    kg = KnowledgeGraph.memory()
    table = write(tmp_path / "few.csv", ["id", "indicator"], [["1", "一"]])
    english = write(tmp_path / "english.csv", ["kind", "label_ja", "label_en"], [["indicator", "一", "One"]])
    chunks: list[int] = []
    sink = lambda _graph, quads: chunks.append(len(quads))  # noqa: E731
    assert prepare([(table, None)], kg._lookup, sink=sink).streamed is True
    assert prepare([(table, None), (english, "translations")], kg._lookup, sink=sink).streamed is False
    assert prepare([(table, None)], kg._lookup).streamed is False


def test_a_streaming_load_writes_each_chunk_once_it_is_full_and_nothing_after_a_problem(tmp_path, monkeypatch):
    """Streaming (loaders.prepare with a sink), a table's quads go to the sink as soon as they
    reach CHUNK (after the row that fills it), without the assertion statuses, which wait for the
    table's end (then in chunks too, when more than CHUNK); once a row has a problem nothing more
    is written. A row of this table is 8 quads, one of them its status."""
    from impactkg.loaders import batch, prepare

    kg = KnowledgeGraph.memory()
    path = write(tmp_path / "few.csv", ["id", "indicator"], [[str(i), f"指標{i}"] for i in range(1, 6)])
    graph = GRAPH + "few"
    for chunk, sizes, kept in ((8, [7, 7, 7, 7, 7], 5), (5, [7, 7, 7, 7, 7], 5), (4, [7, 7, 7, 7, 7, 4], 1),
                               (9, [14, 14, 9], 3)):
        monkeypatch.setattr(batch, "CHUNK", chunk)
        written: list[int] = []
        done = prepare([(path, None)], kg._lookup, sink=lambda _graph, quads: written.append(len(quads)))  # noqa: B023
        assert (written, len(done.graphs[graph]), done.summaries) == (sizes, kept, [("few.csv", graph, 5, 40)])
    monkeypatch.setattr(batch, "CHUNK", 8)
    write(path, ["id", "indicator"], [["1", "一"], ["1", "重複"], ["3", "三"], ["4", "四"], ["5", "五"]])
    written = []
    with pytest.raises(LoadError) as exc:
        prepare([(path, None)], kg._lookup, sink=lambda _graph, quads: written.append(len(quads)))
    assert problems(exc) == ["few.csv:3:id: duplicate id '1' (first at row 2)"]
    assert written == [7]  # the first row, before the problem
