"""Loading researchers' own tables: formats, encodings, normalisation, errors, atomicity."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from impactkg import LoadError
from impactkg.loaders.template import write_template

HEADER_JA = ["番号", "分野", "SDGsゴール", "SDGsターゲット", "インパクト", "アクティビティ例",
             "アウトプット例・アウトカム例", "インパクト指標", "単位"]
ROWS = [
    ["1", "ヘルスケア・健康", "4", "4.1", "学力の向上", "放課後学習支援", "参加児童数", "参加児童の学力テスト平均点", "人"],
    ["2", "ヘルスケア・健康", "4", "4.1", "学力の向上", "放課後学習支援", "教材の配布", "教材を受け取った世帯数", "戸"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_catalogue_in_excel_encodings_with_japanese_headers(fresh_kg, tmp_path, encoding):
    path = write_csv(tmp_path / "mycat.csv", HEADER_JA, ROWS, encoding)
    summary = fresh_kg.load(path)
    assert summary.sources[0][2] == 2
    rows = fresh_kg.query("indicators-for-target", target="4.1").dicts()
    assert {(r["indicator"], r["unit"]) for r in rows} == {
        ("参加児童の学力テスト平均点", "人"), ("教材を受け取った世帯数", "戸")}
    # 戸 is the consortium's unit concept: the user's indicator uses it, no second 戸 is made
    units = {r["unit"]: r["indicators"] for r in fresh_kg.query("units-in-use").dicts()}
    assert units["戸"] == 2


def test_full_width_codes_are_normalised(fresh_kg, tmp_path):
    rows = [["１", "ヘルスケア・健康", "４", "４．１", "学力の向上", "", "", "全角コードの指標", "％"]]
    fresh_kg.load(write_csv(tmp_path / "wide.csv", HEADER_JA, rows))
    got = fresh_kg.query("indicators-for-target", target="4.1").dicts()
    assert [(r["id"], r["unit"]) for r in got] == [("1", "%")]


def test_xlsx_workbook_sheet_named_by_kind(fresh_kg, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "catalogue"
    ws.append(HEADER_JA)
    for r in ROWS:
        ws.append([int(r[0])] + r[1:])  # typed in a General column, Excel keeps them as numbers
    wb.save(tmp_path / "book.xlsx")
    before = fresh_kg.canonical_nquads()
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(tmp_path / "book.xlsx", namespace="book")
    assert [m.split(" where")[0] for m in messages(exc)] == [
        "book.xlsx[catalogue]!A2:番号: a number in the workbook (1)",
        "book.xlsx[catalogue]!A3:番号: a number in the workbook (2)"]
    assert "Format the column as Text" in messages(exc)[0] and "('17.10)" in messages(exc)[0]
    assert fresh_kg.canonical_nquads() == before
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].value = str(row[0].value)  # as text, the way the template's Text column keeps them
    wb.save(tmp_path / "book.xlsx")
    fresh_kg.load(tmp_path / "book.xlsx", namespace="book")
    ids = {r["id"] for r in fresh_kg.query("indicators-for-target", target="4.1").dicts()}
    assert ids == {"1", "2"}


def test_bad_sdg_code_names_file_row_and_column_and_changes_nothing(fresh_kg, tmp_path):
    before = fresh_kg.canonical_nquads()
    rows = [ROWS[0], ["2", "ヘルスケア・健康", "3", "3.99", "x", "", "", "ありえないターゲットの指標", "人"]]
    path = write_csv(tmp_path / "bad.csv", HEADER_JA, rows)
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path)
    assert messages(exc) == ["bad.csv:3:SDGsターゲット: unknown SDG target '3.99'"]
    assert fresh_kg.canonical_nquads() == before


def test_cp932_file_with_a_missing_column_reports_it(fresh_kg, tmp_path):
    before = fresh_kg.canonical_nquads()
    header = [h for h in HEADER_JA if h != "インパクト指標"]
    rows = [[c for i, c in enumerate(r) if HEADER_JA[i] != "インパクト指標"] for r in ROWS]
    path = write_csv(tmp_path / "excel.csv", header, rows, "cp932")
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path, kind="catalogue")
    assert messages(exc) == ["excel.csv:1:indicator: missing required column 'indicator'"]
    assert fresh_kg.canonical_nquads() == before


def test_all_errors_of_a_file_are_reported_at_once(fresh_kg, tmp_path):
    rows = [
        ["1", "ヘルスケア・健康", "4", "4.1", "a", "", "", "ok", "人"],
        ["1", "ヘルスケア・健康", "4", "4.1", "a", "", "", "重複", "人"],  # duplicate id
        ["3", "ヘルスケア・健康", "4", "4.1", "a", "", "", "", "人"],  # empty required cell
        ["4", "ヘルスケア・健康", "5", "4.1", "a", "", "", "ゴール不一致", "人"],  # goal does not match target
        ["5", "ヘルスケア・健康", "", "eleven", "a", "", "", "コードでない", "人"],  # not a code
    ]
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(write_csv(tmp_path / "many.csv", HEADER_JA, rows))
    assert messages(exc) == [
        "many.csv:3:番号: duplicate id '1' (first at row 2)",
        "many.csv:4:インパクト指標: empty required cell 'indicator'",
        "many.csv:5:SDGsゴール: goal 5 does not match target 4.1",
        "many.csv:6:SDGsターゲット: not an SDG target code: 'eleven' (expected e.g. 3.4 or 11.b)",
    ]


def test_errors_in_one_file_of_a_batch_load_nothing_at_all(fresh_kg, tmp_path):
    good = write_csv(tmp_path / "good.csv", HEADER_JA, ROWS)
    bad = write_csv(tmp_path / "worse.csv", HEADER_JA, [["1", "", "", "99.1", "", "", "", "x", ""]])
    before = fresh_kg.canonical_nquads()
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(good, bad)
    assert messages(exc) == ["worse.csv:2:SDGsターゲット: unknown SDG target '99.1'"]
    assert fresh_kg.canonical_nquads() == before


def test_malformed_csv_and_undecodable_bytes(fresh_kg, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text('id,indicator\n1,"unclosed\n2,ok\n', encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(broken, kind="catalogue")
    assert messages(exc)[0].startswith("broken.csv:") and "malformed CSV" in messages(exc)[0]
    wrong = write_csv(tmp_path / "sjis.csv", HEADER_JA, ROWS, "cp932")
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(wrong, encoding="utf-8")
    assert messages(exc)[0].startswith("sjis.csv: not valid utf-8 at byte")
    extra = tmp_path / "extra.csv"
    extra.write_text("id,indicator\n1,a,surplus\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(extra, kind="catalogue")
    assert messages(exc) == ["extra.csv:2: row has 3 cells but the header has 2"]


def test_loading_again_replaces_the_sources_named_graph(fresh_kg, tmp_path):
    path = write_csv(tmp_path / "mine.csv", HEADER_JA, ROWS)
    fresh_kg.load(path)
    size = len(fresh_kg)
    fresh_kg.load(path)
    assert len(fresh_kg) == size
    write_csv(path, HEADER_JA, ROWS[:1])
    fresh_kg.load(path)
    labels = {r["indicator"] for r in fresh_kg.query("indicators-for-target", target="4.1").dicts()}
    assert labels == {"参加児童の学力テスト平均点"}
    assert any(g.endswith("/graph/mine") for g in fresh_kg.graphs())


def test_hostile_labels_are_data(fresh_kg, tmp_path):
    evil = ['<img src=x onerror=alert(1)>', '"} ; DROP ALL ; {"', "x' . ?s ?p ?o . #"]
    rows = [[str(i), "", "", "4.1", "", "", "", label, ""] for i, label in enumerate(evil, 1)]
    fresh_kg.load(write_csv(tmp_path / "evil.csv", HEADER_JA, rows))
    got = {r["indicator"] for r in fresh_kg.query("indicators-for-target", target="4.1").dicts()}
    assert got == set(evil)
    for label in evil:
        hits = fresh_kg.query("label-search", q=label).dicts()
        assert [h["label"] for h in hits] == [label]


def test_control_characters_are_refused(fresh_kg, tmp_path):
    path = tmp_path / "ctl.csv"
    path.write_text("id,indicator\n1,bad\x07bell\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path, kind="catalogue")
    assert messages(exc) == ["ctl.csv:2:indicator: control character U+0007 in cell"]


def test_values_must_refer_to_an_existing_indicator(fresh_kg, tmp_path):
    path = write_csv(tmp_path / "values.csv", ["indicator", "kind", "value", "year"],
                     [["consortium:1", "baseline", "45", "2024"], ["nope", "target", "30", "2030"]])
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path)
    assert messages(exc) == ["values.csv:3:indicator: no indicator 'values-nope' in this load or in the graph"]
    write_csv(path, ["indicator", "kind", "value", "year"], [["consortium:1", "ベースライン値", "45", "2024"]])
    fresh_kg.load(path)
    rows = fresh_kg.query("indicator-values", indicator="1").dicts()
    assert [(r["kind"], float(r["value"]), r["year"], r["unit"]) for r in rows] == [("ベースライン値", 45.0, 2024, "分")]


def test_unknown_closed_vocabulary_values_list_the_known_ones(fresh_kg, tmp_path):
    path = write_csv(tmp_path / "cases.csv", ["id", "provider", "method"], [["c1", "京都信用金庫", "barter"]])
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path)
    (msg,) = messages(exc)
    assert msg.startswith("cases.csv:2:method: unknown finance-method 'barter' (known: ")
    assert "融資 (Loan)" in msg and "--new-concepts" not in msg  # a closed vocabulary: no new ones


def test_finance_case_provider_by_name_resolves_to_the_known_organisation(fresh_kg, tmp_path):
    path = write_csv(tmp_path / "cases.csv", ["id", "number", "provider", "method", "amount", "currency"],
                     [["case-1", "1", "京都信用金庫", "融資", "30000000", "jpy"]])
    fresh_kg.load(path)
    rows = {r["providerLabel"]: r for r in fresh_kg.query("finance-by-provider").dicts()}
    assert rows["京都信用金庫"]["methods"] == "融資" and int(rows["京都信用金庫"]["amount"]) == 30_000_000
    assert rows["京都信用金庫"]["provider"].endswith("/org/kyoto-shinkin-bank")


def test_template_round_trip_through_excel(fresh_kg, tmp_path):
    path = write_template("catalogue", tmp_path / "template.xlsx")
    wb = load_workbook(path)
    assert "README" in wb.sheetnames
    ws = wb["catalogue"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["id", "indicator"]
    row = dict.fromkeys(header, None) | {"id": "A-1", "indicator": "研修修了者数", "unit": "人", "sdg_target": "8.6",
                                         "domain": "ヘルスケア・健康", "impact": "若者の就業"}
    ws.append([row[h] for h in header])
    wb.save(path)
    fresh_kg.load(path, namespace="ours")
    got = fresh_kg.query("indicators-for-target", target="8.6").dicts()
    assert [(r["id"], r["indicator"], r["unit"]) for r in got] == [("A-1", "研修修了者数", "人")]
    csv_path = write_template("finance_cases", tmp_path / "cases.csv")
    assert csv_path.read_text(encoding="utf-8").split("\n")[0].startswith("id,number,provider,")


def test_rdf_files_load_into_their_named_graph_and_report_syntax_errors(fresh_kg, tmp_path):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@en .\n', "utf-8")
    fresh_kg.load(ttl)
    assert any(g.endswith("/graph/extra") for g in fresh_kg.graphs())
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://example.org/a> <http://example.org/p> "unterminated .\n', "utf-8")
    before = fresh_kg.canonical_nquads()
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(bad)
    assert messages(exc)[0].startswith("bad.ttl:")
    assert fresh_kg.canonical_nquads() == before


def test_unknown_table_is_refused_with_advice(fresh_kg, tmp_path):
    path = write_csv(tmp_path / "random.csv", ["foo", "bar"], [["1", "2"]])
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(path)
    assert "name it with --kind" in messages(exc)[0]


