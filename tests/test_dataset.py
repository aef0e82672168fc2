"""The embedded dataset states what the seed document states: facts, checked against the seed."""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest

from impactkg.data import MANIFEST, dataset_dir

# The 17 catalogue rows of SDG target 11.b (seed lines 301-317): number -> (indicator, unit).
TARGET_11B = {
    "1": ("地震後施設復旧時間", "分"),
    "2": ("損壊床面積", "㎡"),
    "3": ("豪雨時の浸水被害の減少", "㎡"),
    "4": ("浸水床面積・経済的被害割合", "㎡"),
    "5": ("水害後施設復旧時間", "分"),
    "6": ("停電時の電気供給可能時間・供給可能床面積", "分"),
    "7": ("備蓄の提供可能人数", "人"),
    "8": ("災害時の停電発生戸数", "戸"),
    "9": ("テナントの営業停止時間等", "分"),
    "10": ("防災訓練の参加企業数・割合", "社"),
    "11": ("帰宅困難者の受入可能人数", "人"),
    "12": ("一人当たりの避難所面積", "㎡"),
    "13": ("Wi-Fi/充電設備の利用可能時間", "分"),
    "14": ("災害時情報を受信可能な利用者数", "人"),
    "15": ("建築物の焼き損傷額", "円"),
    "16": ("周辺地域の類似建築件数", "件"),
    "17": ("全在館者の避難完了時間", "分"),
}

# The case map (seed lines 1083-1089) as the seed prints it, columns in the seed's order.
CASE_MAP_COLUMNS = ["loan", "outcomeLinkedLoan", "bond", "directEquity", "fundInvestment", "blended", "other"]


def seed_case_map(lines: list[str]) -> dict[str, list[str]]:
    out = {}
    for line in lines[1082:1089]:
        cells = line.split("\t")
        out[cells[0]] = [c.strip() for c in (cells[1:] + [""] * 7)[:7]]
    return out


def test_indicators_for_target_11b_are_the_17_catalogue_rows_with_units(kg):
    rows = kg.query("indicators-for-target", target="11.b").dicts()
    assert {r["id"]: (r["indicator"], r["unit"]) for r in rows} == TARGET_11B
    assert {r["domain"] for r in rows} == {"インフラ・不動産"}
    assert {r["impact"] for r in rows} == {"自然災害等への備え（レジリエンス）"}
    assert [r["line"] for r in rows] == list(range(301, 318))


def test_target_parameter_accepts_full_width_codes(kg):
    full = kg.query("indicators-for-target", target="１１．ｂ").dicts()
    assert [r["id"] for r in full] == [r["id"] for r in kg.query("indicators-for-target", target="11.b").dicts()]


def test_case_map_query_reproduces_the_seed_matrix_cell_by_cell(kg, seed_lines):
    seed = seed_case_map(seed_lines)
    rows = kg.query("case-map").dicts()
    assert [r["issue"] for r in rows] == list(seed)
    for r in rows:
        got = [r[c] or "" for c in CASE_MAP_COLUMNS]
        assert got == seed[r["issue"]], r["issue"]


def test_case_map_matrix_literal(kg):
    """The same matrix written out, so the test runs without the seed too."""
    rows = {r["issue"]: [r[c] or "" for c in CASE_MAP_COLUMNS] for r in kg.query("case-map").dicts()}
    assert rows["環境 (気候変動・環境保全・生物多様性)"] == ["3 5 6", "13 15 20", "16", "25", "7 30 31", "", "49"]
    assert rows["インフラ整備・都市開発"] == ["4", "", "", "10", "19 23 31 41", "65 71 76 49", "21 43 48 70"]
    assert rows["その他"] == ["63 66 74", "", "", "60", "61 64 68", "29 33 45", "9 17 22 79"]


def test_every_catalogue_record_cites_a_seed_line_that_holds_its_text(kg, seed_lines):
    rows = kg.sparql(
        "SELECT ?label (GROUP_CONCAT(STR(?line); separator=' ') AS ?lines) WHERE { ?i a ikg:Indicator ; "
        "rdfs:label ?label ; ikg:sourceLine ?line ; dcterms:source ?src . ?src rdfs:label ?title "
        "FILTER(CONTAINS(?title, '000_d0ae270ccf7f2da6')) FILTER(lang(?label) = 'ja') } GROUP BY ?i ?label"
    ).dicts()
    assert len(rows) == 36  # 31 catalogue rows + the Health Japan 21 card and its 4 sub-indicators
    for r in rows:
        text = " ".join(seed_lines[int(n) - 1] for n in r["lines"].split())
        # The card's indicator is two cells of its line joined by a space.
        assert all(part in text.replace("\t", " ") for part in r["label"].split(" ") if part), r


def test_every_table_row_of_the_dataset_becomes_a_record_with_provenance(kg):
    missing = kg.sparql(
        "SELECT ?s ?c WHERE { ?s a ?c FILTER(?c IN (ikg:Indicator, ikg:Organization, ikg:Person, "
        "ikg:Membership, ikg:FinanceCase, ikg:CaseMapEntry, ikg:ReferenceDataset, ikg:IndicatorValue)) "
        "FILTER NOT EXISTS { ?s ikg:sourceLine ?l } FILTER NOT EXISTS { ?s ikg:caseNumber ?n } }"
    )
    assert len(missing) == 0, missing.dicts()[:3]


def test_sdg_reference_has_17_goals_and_169_targets_linked_to_goals(kg):
    counts = kg.sparql(
        "SELECT (COUNT(DISTINCT ?g) AS ?goals) (COUNT(DISTINCT ?t) AS ?targets) WHERE { "
        "?g a sdgo:Goal . OPTIONAL { ?t a sdgo:Target ; sdgo:isTargetOf ?g } }"
    ).dicts()[0]
    assert counts == {"goals": 17, "targets": 169}
    goal3 = kg.sparql(
        "SELECT ?ja ?en WHERE { sdg:3 skos:prefLabel ?ja , ?en FILTER(lang(?ja)='ja' && lang(?en)='en') }"
    ).dicts()
    assert goal3 == [{"ja": "すべての人に健康と福祉を", "en": "Good Health and Well-being"}]


def test_sdg_targets_match_the_un_kos_codes(kg):
    from conftest import REFERENCE

    kos = REFERENCE / "un-sdg-kos" / "sdg-kos-goals-targets-indicators.ttl"
    if not kos.exists():
        pytest.skip(f"UN SDG KOS reference not at {kos}")
    import rdflib

    g = rdflib.Graph().parse(kos)
    sdgo = rdflib.Namespace("http://metadata.un.org/sdg/ontology#")
    un = {str(t) for t in g.subjects(rdflib.RDF.type, sdgo.Target)}
    ours = {r["t"] for r in kg.sparql("SELECT ?t WHERE { ?t a sdgo:Target }").dicts()}
    assert ours == un


def test_targets_without_indicator_are_the_163_uncovered_targets(kg):
    rows = kg.query("targets-without-indicator").dicts()
    covered = {"11.b", "11.7", "11.1", "16.1", "3.4", "9.4"}
    assert len(rows) == 169 - len(covered)
    assert not covered & {r["targetCode"] for r in rows}
    goal11 = kg.query("targets-without-indicator", goal="11").dicts()
    assert [r["targetCode"] for r in goal11] == ["11.2", "11.3", "11.4", "11.5", "11.6", "11.a", "11.c"]


def test_janpia_subordinated_investment_detail(kg):
    rows = kg.sparql(
        "SELECT ?amount ?cur ?year ?rate ?cat WHERE { ?c ikg:provider ?p ; ikg:amount ?amount ; "
        "ikg:currency ?cur ; ikg:year ?year ; ikg:subordinationRate ?rate ; ikg:blendedCategory/skos:prefLabel ?cat ; "
        "ikg:financeMethod fm:subordinated-investment . ?p skos:altLabel 'JANPIA' FILTER(lang(?cat)='ja') }"
    ).dicts()
    assert len(rows) == 1
    r = rows[0]
    assert (int(r["amount"]), r["cur"], r["year"], float(r["rate"])) == (1_500_000_000, "JPY", 2025, 0.15)
    assert r["cat"] == "休眠預金活用"


def test_units_in_use_with_qudt_mappings(kg):
    units = {r["unit"]: r for r in kg.query("units-in-use").dicts()}
    assert units["分"]["indicators"] == 6 and units["分"]["qudt"] == "http://qudt.org/vocab/unit/MIN"
    assert units["㎡"]["notation"] == "m2"
    assert units["人"]["indicators"] == 7 and units["人"]["qudt"] is None


def test_health_japan21_card_values_keep_the_population_and_no_invented_numbers(kg):
    rows = kg.query("indicator-values", indicator="hj21-1").dicts()
    assert sorted(r["kind"] for r in rows) == ["ベースライン値", "現状値", "目標値"]
    assert {r["population"] for r in rows} == {"※20 歳以上"}
    assert {r["dataSource"] for r in rows} == {"国民健康・栄養調査"}
    assert all(r["value"] is None for r in rows)


def test_doubtful_ocr_cells_are_flagged_not_invented(kg):
    rows = kg.sparql(
        "SELECT ?id ?field WHERE { ?i a ikg:Indicator ; dcterms:identifier ?id ; ikg:doubtful ?field }"
    ).dicts()
    flagged = {(r["id"], r["field"]) for r in rows}
    assert ("355", "unit") in flagged and ("174", "unit") in flagged
    no_unit = kg.sparql(
        "SELECT ?id WHERE { ?i a ikg:Indicator ; dcterms:identifier ?id FILTER NOT EXISTS { ?i ikg:unit ?u } }"
    ).dicts()
    # Doubtful unit cells are kept as written but are not units; the truncated sub-indicator (4) has none.
    assert {r["id"] for r in no_unit} == {"174", "175", "176", "355", "hj21-1-4"}


def test_stakeholders_roles_in_subcommittees(kg):
    chairs = kg.sparql(
        "SELECT ?name ?group WHERE { ?m org:role role:chair ; org:member/rdfs:label ?name ; "
        "org:organization/rdfs:label ?group FILTER(lang(?group)='ja') }"
    ).dicts()
    pairs = {(r["name"], r["group"]) for r in chairs}
    assert ("今田 克司", "データ・指標分科会") in pairs
    assert ("白石 智哉", "市場調査・形成分科会") in pairs
    assert ("宜保 友理子", "地域・実践分科会") in pairs
    municipalities = kg.query("stakeholders-by-type", type="municipality").dicts()
    assert {"札幌市", "浜松市", "つくば市", "福岡市"} <= {r["organization"] for r in municipalities}


def test_reference_databases_by_scene(kg):
    scene3 = {r["name"] for r in kg.query("databases", scene="scene-3").dicts()}
    assert "排出原単位データベース" in scene3 and "ローカルSDGsプラットフォーム" not in scene3
    scene1 = {r["name"] for r in kg.query("databases", scene="scene-1").dicts()}
    assert "ローカルSDGsプラットフォーム" in scene1


def test_logic_chain_follows_activity_to_goal(kg):
    rows = kg.query("logic-chain", target="16.1").dicts()
    assert {r["activity"] for r in rows} == {"防犯性向上のための設備の設置"}
    assert {r["goal"] for r in rows} == {"平和と公正をすべての人に"}
    assert {r["impact"] for r in rows} == {"防犯に配慮したまちづくりの実現"}


def test_finance_by_method_includes_narrower_methods(kg):
    debt = kg.query("finance-by-method", method="debt").dicts()
    numbers = {r["number"] for r in debt}
    assert {"3", "5", "6", "13", "15", "20", "16", "②"} <= numbers  # loans, outcome-linked, bonds, ②資本性ローン
    assert "25" not in numbers  # direct equity


def test_embedded_csv_files_are_utf8_and_all_in_the_manifest():
    names = {f for f, _ in MANIFEST}
    on_disk = {p.name for p in dataset_dir().glob("*.csv")}
    assert on_disk == names
    for name in names:
        text = (dataset_dir() / name).read_bytes().decode("utf-8")
        assert not text.startswith("\ufeff")
        rows = list(csv.DictReader(text.splitlines()))
        assert rows, name


def test_label_search_normalises_width_and_spacing(kg):
    hits = kg.query("label-search", q="ＢＭＩ").dicts()
    assert any("B M I 18.5" in h["label"] for h in hits)
    assert any(re.search(r"BM I 18\.5", h["label"]) for h in hits)
    en = kg.query("label-search", q="impact consortium", lang="en").dicts()
    assert en and all(unicodedata.normalize("NFKC", h["label"]).lower().replace(" ", "").find("impactconsortium") >= 0 for h in en)


def test_reference_databases_by_domain(kg):
    env = kg.query("databases", domain="environment-energy").dicts()
    assert [r["line"] for r in env] == [156, 157, 158, 159, 160]
    assert [r["scenes"] or "" for r in env] == ["場面2 場面3", "場面2 場面3", "場面2 場面3", "", ""]
    health = {r["name"] for r in kg.query("databases", domain="healthcare-health").dicts()}
    assert "健康日本 21（第三次）推進のための説明資料" in health


def test_every_ontology_term_is_labelled_and_defined_in_japanese_and_english():
    import rdflib

    from impactkg.ontology import IKG, ontology_file

    g = rdflib.Graph().parse(ontology_file())
    kinds = (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty, rdflib.SKOS.ConceptScheme)
    terms = {s for k in kinds for s in g.subjects(rdflib.RDF.type, k) if str(s).startswith(IKG)}
    assert len(terms) > 60
    for term in terms:
        for prop in (rdflib.RDFS.label, rdflib.SKOS.definition):
            langs = {o.language for o in g.objects(term, prop)}
            assert {"ja", "en"} <= langs, (term, prop)


def test_the_four_support_bundles_name_their_organisations(kg):
    rows = kg.sparql(
        "SELECT ?label ?line WHERE { ?b a ikg:SupportBundle ; rdfs:label ?label ; ikg:sourceLine ?line "
        "FILTER(lang(?label) = 'ja') } ORDER BY ?line"
    ).dicts()
    assert [(r["label"], r["line"]) for r in rows] == [
        ("(株)静岡銀行: 支援の束", 1011),
        ("西日本旅客鉄道(株): 支援の束", 1012),
        ("Tech Startup HOKURIKU: 支援の束", 1013),
        ("(株)D2 Garage: 支援の束", 1014),
    ]
