"""System maps: loops and their polarity on graphs known by hand, leverage, focus and paths; the
Kumu-style loader and its errors; the embedded regional map, its citations and its loops in SPARQL;
the map data and the ``impactkg map`` command."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph, LoadError
from impactkg.cli import main
from impactkg.data import dataset_dir
from impactkg.errors import ImpactKGError
from impactkg.graph.analysis import system
from impactkg.graph.analysis.system import (
    Link,
    find_loops,
    leverage,
    loop_polarity,
    neighbourhood,
    normalise_polarity,
    paths,
)
from impactkg.graph.maps import build_map, intervention_paths, spring_positions
from impactkg.graph.maps.view import MapView, script_json
from impactkg.loaders.template import write_template

FACTOR = "https://w3id.org/impactkg/id/factor/consortium-"


def loops_of(*triples: str, **kw) -> list[tuple[str, str]]:
    """``"a+b"`` is a link a -> b of polarity +; the loops as (nodes joined, polarity)."""
    links = [Link(t[0], t[2], t[1]) for t in triples]
    return [("".join(x.nodes), x.polarity) for x in find_loops(links, **kw)]


# ---------------------------------------------------------------------- loops by hand
def test_polarity_counts_negative_links():
    assert loop_polarity("++") == "R" and loop_polarity("--") == "R" and loop_polarity("") == "R"
    assert loop_polarity("+-") == "B" and loop_polarity("---") == "B" and loop_polarity(["-", "+", "+"]) == "B"


def test_loops_known_by_hand():
    assert loops_of("a+b", "b+a") == [("ab", "R")]
    assert loops_of("a+b", "b-c", "c+a") == [("abc", "B")]
    assert loops_of("a-b", "b-c", "c+a") == [("abc", "R")]
    assert loops_of("x-x") == [("x", "B")]
    assert loops_of("a+b", "b+c", "c+d") == []  # a chain has no loop
    # Two loops sharing b: a<->b balancing, b<->c reinforcing (two - links).
    assert loops_of("a+b", "b-a", "b-c", "c-b") == [("ab", "B"), ("bc", "R")]
    # A figure eight through a: a->b->c->a and a->d->a.
    assert loops_of("a+b", "b+c", "c-a", "a+d", "d+a") == [("ad", "R"), ("abc", "B")]


def test_population_births_deaths_the_textbook_pair():
    # More population, more births, more population (R); more population, more deaths, less population (B).
    links = [Link("population", "births", "+"), Link("births", "population", "+"),
             Link("population", "deaths", "+"), Link("deaths", "population", "-")]
    found = {frozenset(x.nodes): x.polarity for x in find_loops(links)}
    assert found == {frozenset({"population", "births"}): "R", frozenset({"population", "deaths"}): "B"}


def test_parallel_links_of_opposite_sign_give_one_loop_each():
    links = [Link("a", "b", "+", "l1"), Link("a", "b", "-", "l2"), Link("b", "a", "+", "l3")]
    loops = find_loops(links)
    assert sorted((x.polarity, tuple(k.id for k in x.links)) for x in loops) == [("B", ("l2", "l3")), ("R", ("l1", "l3"))]
    assert len({system.loop_iri(x) for x in loops}) == 2


def test_length_bound_and_limit():
    ring = [Link(str(i), str((i + 1) % 4), "+") for i in range(4)]
    assert find_loops(ring, max_length=3) == [] and len(find_loops(ring, max_length=4)) == 1
    many = [Link(a, b, "+") for a in "abcdef" for b in "abcdef" if a != b]
    capped = find_loops(many, limit=10)
    assert len(capped) == 10 and capped.truncated
    assert not find_loops(many, max_length=2).truncated


def test_polarity_spellings():
    assert {normalise_polarity(v) for v in ("+", "＋", "plus", "Positive", "正", "s")} == {"+"}
    assert {normalise_polarity(v) for v in ("-", "−", "－", "minus", "NEGATIVE", "負", "o")} == {"-"}
    assert normalise_polarity("?") is None and normalise_polarity("") is None


def test_leverage_ranks_the_hub_first_and_says_when_it_samples():
    # b is on both loops and on every path between the two halves.
    links = [Link("a", "b", "+"), Link("b", "a", "+"), Link("b", "c", "-"), Link("c", "b", "+"), Link("c", "d", "+")]
    lev = leverage(links)
    top = lev.points[0]
    assert (top.node, top.loops, top.rank) == ("b", 2, 1) and not lev.approximate
    assert lev.note() == "betweenness is exact"
    sampled = leverage(links, exact_limit=3, samples=2)
    assert sampled.approximate and sampled.samples == 2
    assert "approximate" in sampled.note() and "2 sampled" in sampled.note() and "近似" in sampled.note("ja")


def test_neighbourhood_upstream_and_paths():
    edges = [("act", "out"), ("out", "imp"), ("imp", "t"), ("act", "imp"), ("x", "act"), ("t", "goal")]
    assert neighbourhood(edges, "imp", 0) == {"imp"}
    assert neighbourhood(edges, "imp", 1) == {"imp", "out", "t", "act"}
    assert neighbourhood(edges, "imp", 1, direction="out") == {"imp", "t"}
    assert system.upstream(edges, "t") == {"t", "imp", "out", "act", "x"}
    assert paths(edges, "act", "t") == [["act", "imp", "t"], ["act", "out", "imp", "t"]]
    assert paths(edges, "act", "t", max_length=2) == [["act", "imp", "t"]]
    assert paths(edges, "t", "act") == [] and paths(edges, "nowhere", "t") == []


# ---------------------------------------------------------------------- the embedded regional map
def read_csv(name: str) -> list[dict[str, str]]:
    with open(dataset_dir() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_link_cites_the_seed_line_that_supports_it(seed_lines):
    links = read_csv("system_connections.csv")
    assert len(links) >= 40
    for link in links:
        line = seed_lines[int(link["line"]) - 1]
        assert link["evidence"] and link["evidence"] in line, (link["from"], link["to"], link["line"])
        assert link["inferred"] in ("yes", "no")
        assert link["status"] == ("inferred" if link["inferred"] == "yes" else link["status"])
    assert {x["inferred"] for x in links} == {"yes", "no"}
    assert {x["status"] for x in links} == {"stated", "reading", "inferred"}
    # An inferred link or a reading says why.
    assert all(x["note"] for x in links if x["status"] in ("inferred", "reading"))
    for factor in read_csv("system_elements.csv"):
        assert factor["label_ja"] and factor["label_en"] and factor["line"], factor["id"]
        assert all(1 <= int(n) <= len(seed_lines) for n in factor["line"].split())
    named = {r["id"] for r in read_csv("system_elements.csv")}
    assert {"population-decline", "talent-outflow", "regional-economic-base", "rfi-business-base",
            "startup-creation", "bundled-support"} <= named


def test_links_in_the_graph_keep_evidence_inferred_flag_and_source(kg):
    rows = kg.sparql("""
        SELECT ?from ?to ?p ?inferred ?line ?evidence WHERE {
          ?l a ikg:CausalLink ; ikg:fromFactor/dcterms:identifier ?from ; ikg:toFactor/dcterms:identifier ?to ;
             ikg:polarity ?p ; ikg:inferred ?inferred ; ikg:sourceLine ?line ; ikg:evidence ?evidence ;
             dcterms:source|prov:wasDerivedFrom <https://w3id.org/impactkg/id/source/impact-consortium-study-session-4> }""").dicts()
    assert len(rows) == len(read_csv("system_connections.csv"))
    stated = {(r["from"], r["to"]): r for r in rows}
    first = stated[("regional-economic-base", "rfi-business-base")]
    assert (first["p"], first["inferred"], first["line"]) == ("+", False, 781)
    assert "自らの経営基盤と密接不可分" in first["evidence"]
    assert stated[("talent-outflow", "population-decline")]["inferred"] is True


def test_loops_in_the_graph_are_the_loops_of_its_links(kg):
    links = [Link(r["a"], r["b"], r["p"], r["l"]) for r in kg.sparql(
        "SELECT ?l ?a ?b ?p WHERE { ?l a ikg:CausalLink ; ikg:fromFactor ?a ; ikg:toFactor ?b ; ikg:polarity ?p }").dicts()]
    expected = {system.loop_iri(x): x.polarity for x in find_loops(links)}
    stored = {r["loop"]: r["p"] for r in kg.sparql(
        "SELECT ?loop ?p WHERE { ?loop a ikg:FeedbackLoop ; ikg:loopPolarity ?p }").dicts()}
    assert stored == expected and len(stored) > 10
    assert set(stored.values()) == {"R", "B"}
    # The stored polarity agrees with the member links in the graph.
    rows = kg.sparql("""
        SELECT ?loop ?p (SUM(IF(?s = "-", 1, 0)) AS ?neg) (COUNT(?link) AS ?n) ?len WHERE {
          ?loop a ikg:FeedbackLoop ; ikg:loopPolarity ?p ; ikg:loopLength ?len ; ikg:hasLink ?link . ?link ikg:polarity ?s
        } GROUP BY ?loop ?p ?len""").dicts()
    assert all((r["neg"] % 2 == 1) == (r["p"] == "B") and r["n"] == r["len"] for r in rows)
    graphs = [g for g in kg.graphs() if g.endswith("/feedback-loops")]
    assert graphs == ["https://w3id.org/impactkg/graph/consortium/system_connections/feedback-loops"]


def test_the_decline_spiral_and_the_gap_filling_loop_are_found(kg):
    names = {r["name"]: r["loopPolarity"] for r in kg.query("feedback-loops").dicts()}
    assert names["強化ループ R: 人口減少 → 地域経済の基盤 → 人口減少"] == "R"
    gap = "バランスループ B: 資金と連続的な伴走支援の「束」 → 成長段階ごとの資金供給ギャップ → 資金と連続的な伴走支援の「束」"
    assert names[gap] == "B"


def test_query_lists_the_loops_through_a_factor_with_their_polarity(kg):
    b_loops = kg.query("feedback-loops", factor="人口減少", polarity="B").dicts()
    assert b_loops and {r["loopPolarity"] for r in b_loops} == {"B"}
    assert all("人口減少" in r["name"] for r in b_loops)
    by_id = kg.query("feedback-loops", factor="population-decline", polarity="b").dicts()
    assert [r["loop"] for r in by_id] == [r["loop"] for r in b_loops]
    links = [Link(r["a"], r["b"], r["p"], r["l"]) for r in kg.sparql(
        "SELECT ?l ?a ?b ?p WHERE { ?l a ikg:CausalLink ; ikg:fromFactor ?a ; ikg:toFactor ?b ; ikg:polarity ?p }").dicts()]
    through = [x for x in find_loops(links) if FACTOR + "population-decline" in x.nodes]
    assert len(b_loops) == sum(1 for x in through if x.polarity == "B")
    en = kg.query("feedback-loops", factor="Talent outflow", lang="en").dicts()
    assert en and all(r["name"].startswith(("Reinforcing loop R", "Balancing loop B")) for r in en)
    assert kg.query("feedback-loops", factor="no such factor").dicts() == []


def test_shapes_accept_the_map_and_catch_a_loop_with_the_wrong_polarity(tmp_path):
    kg = KnowledgeGraph.memory()
    kg.build()
    bad = tmp_path / "bad-loop.ttl"
    link = "<https://w3id.org/impactkg/id/causal-link/consortium-population-decline--neg--consortium-regional-sustainability>"
    bad.write_text(f"""@prefix ikg: <https://w3id.org/impactkg/ontology#> .
<https://example.org/loop/1> a ikg:FeedbackLoop ; ikg:loopPolarity "R" ; ikg:loopLength 1 ;
    ikg:hasLink {link} ;
    ikg:throughFactor <{FACTOR}population-decline> .
""", encoding="utf-8")
    kg.load(bad)
    report = kg.validate()
    assert not report.conforms
    assert [v.focus for v in report.errors] == ["https://example.org/loop/1"]  # and nothing else: the map conforms
    assert "polarity does not match its links" in report.errors[0].message


# ---------------------------------------------------------------------- the loader
def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.fixture
def kumu(tmp_path) -> tuple[Path, Path]:
    """A small map with Japanese headers: 要素 for the label, polarity as 正/負."""
    elements = write(tmp_path / "elements.csv", ["id", "要素", "label_en", "種類", "分野"], [
        ["w", "賃金", "Wages", "condition", "経済"],
        ["s", "消費", "Spending", "condition", "経済"],
        ["j", "雇用", "Jobs", "outcome", "経済"],
        ["p", "物価", "Prices", "issue", "経済"],
    ])
    connections = write(tmp_path / "connections.csv", ["from", "to", "極性", "遅れ", "推測", "根拠", "出典"], [
        ["w", "s", "正", "", "", "wages are spent", "interview 2024"],
        ["s", "j", "+", "yes", "no", "", ""],
        ["j", "w", "+", "", "yes", "", ""],
        ["消費", "物価", "+", "", "", "", ""],  # by label
        ["p", "s", "負", "", "", "", ""],
    ])
    return elements, connections


def test_loader_reads_a_kumu_style_map_and_writes_its_loops(fresh_kg, kumu):
    fresh_kg.load(*kumu, namespace="econ")
    loops = {r["name"]: r["loopPolarity"] for r in fresh_kg.query("feedback-loops", factor="消費").dicts()}
    assert loops == {"強化ループ R: 雇用 → 賃金 → 消費 → 雇用": "R", "バランスループ B: 物価 → 消費 → 物価": "B"}
    row = fresh_kg.sparql("""SELECT ?delay ?inferred ?cite ?line WHERE { ?l a ikg:CausalLink ; ikg:fromFactor ?a ;
        ikg:toFactor ?b ; ikg:sourceLine ?line . ?a dcterms:identifier "s" . ?b dcterms:identifier "j" .
        OPTIONAL { ?l ikg:delay ?delay } OPTIONAL { ?l ikg:inferred ?inferred } OPTIONAL { ?l dcterms:bibliographicCitation ?cite } }""").dicts()
    assert row == [{"delay": True, "inferred": False, "cite": None, "line": 3}]
    assert "econ/connections/feedback-loops" in " ".join(fresh_kg.graphs())


def test_reloading_connections_replaces_their_loops(fresh_kg, kumu, tmp_path):
    elements, connections = kumu
    fresh_kg.load(elements, connections, namespace="econ")
    write(connections, ["from", "to", "polarity"], [["w", "s", "+"], ["s", "w", "-"]])
    fresh_kg.load(connections, namespace="econ")
    names = [r["name"] for r in fresh_kg.query("feedback-loops", factor="wages", lang="en").dicts()]
    assert names == ["Balancing loop B: Spending → Wages → Spending"]


def test_loader_errors_name_file_row_and_column_and_change_nothing(fresh_kg, kumu, tmp_path):
    elements, _ = kumu
    bad = write(tmp_path / "bad.csv", ["from", "to", "polarity", "inferred"], [
        ["w", "s", "+", ""],
        ["w", "zzz", "+", ""],
        ["s", "w", "maybe", ""],
        ["s", "j", "-", "perhaps"],
        ["w", "s", "plus", ""],
    ])
    before = len(fresh_kg)
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(elements, bad, namespace="econ")
    assert messages(exc) == [
        "bad.csv:4:polarity: polarity is + or - (also: positive/negative, 正/負), got 'maybe'",
        "bad.csv:5:inferred: expected yes or no (true/false), got 'perhaps'",
        "bad.csv:6:to: duplicate link w + s",
        "bad.csv:3:to: no factor 'zzz' (by id or label) in this load or in the graph",
    ]
    assert len(fresh_kg) == before
    refs = write(tmp_path / "refs.csv", ["id", "label_ja", "refers_to"], [
        ["a", "甲", "sdg:8.3 sdg:99.9"], ["b", "", "nonsense"]])
    with pytest.raises(LoadError) as exc:
        fresh_kg.load(refs, kind="system_elements")
    assert messages(exc) == [
        "refs.csv:3:label_ja: a factor needs label_ja or label_en",
        "refs.csv:2:refers_to: no resource 'sdg:99.9' in this load or in the graph",
    ]
    assert len(fresh_kg) == before


def test_a_kumu_workbook_with_elements_and_connections_sheets(fresh_kg, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Elements"
    ws.append(["ID", "Label", "Type"])
    ws.append(["a", "Adoption", "outcome"])
    ws.append(["m", "Market saturation", "issue"])
    ws = wb.create_sheet("Connections")
    ws.append(["From", "To", "Polarity"])
    ws.append(["Adoption", "Market saturation", "+"])
    ws.append(["Market saturation", "Adoption", "negative"])
    wb.save(tmp_path / "diffusion.xlsx")
    summary = fresh_kg.load(tmp_path / "diffusion.xlsx")
    assert any(g.endswith("diffusion/Connections/feedback-loops") for g in summary.graphs)
    rows = fresh_kg.query("feedback-loops", factor="adoption", lang="en").dicts()
    assert [(r["loopPolarity"], r["name"]) for r in rows] == [("B", "Balancing loop B: Adoption → Market saturation → Adoption")]


def test_templates_for_the_two_kinds(tmp_path):
    path = write_template("system_connections", tmp_path / "links.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0].split(",")[:3] == ["from", "to", "polarity"]
    path = write_template("system_elements", tmp_path / "factors.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith("id,label_ja,label_en,type,domain")


# ---------------------------------------------------------------------- map data
def test_system_map_data(kg):
    data = build_map(kg, "system")
    assert {"core-issue", "issue", "intervention", "sdg-target", "finance-case", "support-bundle"} <= set(data.classes)
    signs = {e["polarity"] for e in data.edges if e["rel"].startswith("causal")}
    assert signs == {"+", "-"}
    assert len(data.loops) == len(kg.query("feedback-loops").dicts())
    assert [x["code"] for x in data.loops if x["polarity"] == "R"][:2] == ["R1", "R2"]
    top = data.leverage[0]
    assert top["rank"] == 1 and top["loops"] > 0 and data.node(top["node"])["cls"] != "finance-case"
    assert data.notes[1]["en"] == "betweenness is exact"
    spiral = next(e for e in data.edges if e["id"].endswith("regional-economic-base--neg--consortium-population-decline"))
    assert not spiral["delay"] and spiral["inferred"] and "推測によるリンク" in spiral["info"]["ja"]
    assert (spiral["status"], spiral["rank"]) == ("inferred", 1)
    long_term = next(e for e in data.edges if e["delay"])
    assert long_term["id"].endswith("core-issue-approach--pos--consortium-regional-sustainability")
    assert (long_term["status"], long_term["rank"]) == ("reading", 3)


def test_logic_map_tooltips_show_indicator_unit_target_and_source(kg):
    data = build_map(kg, "logic", domain="infrastructure-real-estate")
    assert data.title["ja"] == "ロジックモデルマップ: インフラ・不動産"
    indicator = next(n for n in data.nodes if n["full"]["ja"] == "地震後施設復旧時間")
    assert {"単位: 分", "SDGsターゲット: 11.b", "出典の行: 301"} <= set(indicator["info"]["ja"])
    result = next(n for n in data.nodes if n["cls"] == "result" and any("地震後施設復旧時間" in x for x in n["info"]["ja"]))
    assert "指標: 地震後施設復旧時間（単位: 分）" in result["info"]["ja"]
    assert not any(n["cls"] == "impact" and "healthcare" in " ".join(n["domains"]) for n in data.nodes)
    assert {n["level"] for n in data.nodes} <= {0, 1, 2, 3, 4, 5}


def test_focus_depth_and_target_filters(kg):
    near = build_map(kg, "system", focus="人口減少", depth=1)
    ids = {n["id"] for n in near.nodes}
    assert FACTOR + "population-decline" in ids and FACTOR + "bundled-support" not in ids
    assert near.highlight == [FACTOR + "population-decline"]
    assert all(set(x["nodes"]) <= ids for x in near.loops)
    upstream = build_map(kg, "logic", target="16.1")
    assert {n["cls"] for n in upstream.nodes} == {"activity", "result", "impact", "indicator", "sdg-target"}
    route = build_map(kg, "system", focus="blended-6", target="8.3")
    assert route.highlight == ["https://w3id.org/impactkg/id/case/consortium-blended-6", "http://metadata.un.org/sdg/8.3"]
    assert FACTOR + "private-finance-inflow" in {n["id"] for n in route.nodes}
    with pytest.raises(ImpactKGError, match="no node 'nothing here' on the system map"):
        build_map(kg, "system", focus="nothing here")
    with pytest.raises(ImpactKGError, match="no path from 'bundled-support' to 'blended-finance' within 8 steps"):
        build_map(kg, "system", focus="bundled-support", target="blended-finance")
    with pytest.raises(ImpactKGError, match=r"no domain 'x' on the finance map \(domains: "):
        build_map(kg, "finance", domain="x")
    with pytest.raises(ImpactKGError, match="unknown map 'kumu'"):
        build_map(kg, "kumu")


def test_finance_and_stakeholder_maps(kg):
    finance = build_map(kg, "finance", domain="環境")
    assert finance.title["en"].startswith("Finance ecosystem: Environment")
    cases = [n for n in finance.nodes if n["cls"] == "finance-case"]
    assert cases and all("https://w3id.org/impactkg/concept/social-issue/environment" in n["domains"] for n in cases)
    janpia = next(n for n in build_map(kg, "finance").nodes if n["id"].endswith("consortium-blended-6"))
    assert "金額: 1,500,000,000 JPY" in janpia["info"]["ja"]
    people = build_map(kg, "stakeholders", focus="地域・実践分科会", depth=1)
    names = {n["full"]["ja"] for n in people.nodes if n["cls"] == "person"}
    assert "宜保 友理子" in names and "今田 克司" not in names
    member = next(e for e in people.edges if e["rel"] == "member" and "宜保" in e["info"]["ja"][0])
    assert "役割: 座長" in member["info"]["ja"]


def test_intervention_paths_reach_sdg_targets(kg):
    chain = intervention_paths(kg, "防犯性向上のための設備の設置", "16.1")
    assert chain and chain[0][0] == "防犯性向上のための設備の設置" and chain[0][-1] == "SDGs 16.1"
    assert "防犯に配慮したまちづくりの実現" in chain[0]
    finance = intervention_paths(kg, "blended-6", "8.3", lang="en")
    assert finance[0][:3] == ["⑥ Subordinated investment", "Blending public and private money (blended finance)",
                              "Inflow of private finance"]
    assert all(p[-1] == "SDG 8.3" for p in finance) and len(finance[0]) <= len(finance[-1])


def test_large_maps_get_positions_from_python():
    pos = spring_positions(800, [(i, i + 1) for i in range(799)])
    assert pos.shape == (800, 2) and float(abs(pos).max()) < 10
    # Neighbours on the chain end up closer than random pairs.
    import numpy as np

    near = np.linalg.norm(pos[1:] - pos[:-1], axis=1).mean()
    far = np.linalg.norm(pos[::2][:200] - pos[1::2][::-1][:200], axis=1).mean()
    assert near < far


# ---------------------------------------------------------------------- the page
def test_page_is_self_contained_and_escapes_data(kg):
    page = MapView(build_map(kg, "system")).html()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # The page's own four scripts (the font's early load, vis-network, the data, the page script):
    # the library's own text cannot close a tag.
    assert page.count("</script") == 4 and "vis.Network" in page
    # The first script, in the head, starts loading the embedded font by its family's name.
    head = page.split("</head>", 1)[0]
    assert "document.fonts.load('14px \"impactkg-ja\"'" in head and "FONT_FAMILY" not in page
    assert script_json("</script><!--&") == '"\\u003c/script\\u003e\\u003c!--\\u0026"'
    cell = MapView(build_map(kg, "system", focus="人口減少", depth=1), lang="en")._repr_html_()
    assert cell.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and 'sandbox="allow-scripts"' in cell
    with pytest.raises(ImpactKGError, match="--lang must be ja or en"):
        MapView(build_map(kg, "system"), lang="fr")


# ---------------------------------------------------------------------- the command
def test_map_command_writes_the_page_and_reports_loops(tmp_path, capsys):
    out = tmp_path / "region.html"
    assert main(["map", "system", "--store", str(tmp_path / "store"), "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"wrote the system map: \d+ nodes, \d+ links, \d+ feedback loops \(R \d+, B \d+\) to {re.escape(str(out))}", line)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["map", "logic", "--store", str(tmp_path / "store"), "--focus", "nowhere", "-o", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["impactkg: error: no node 'nowhere' on the logic map (give an id, label, IRI or SDG target code)"]
    assert not (tmp_path / "x.html").exists()


def test_a_map_written_again_from_the_same_graph_is_the_same_file(tmp_path):
    """Two processes, string hashing seeded differently, a second apart: the same bytes, the
    embedded font included. A page's node styles once followed the order of a set, and its font
    carried the time it was subset."""
    store = tmp_path / "store"
    assert main(["build", "--store", str(store)]) == 0
    pages = []
    for seed in ("1", "2"):
        out = tmp_path / f"finance-{seed}.html"
        subprocess.run([sys.executable, "-m", "impactkg", "map", "finance", "--store", str(store), "-o", str(out)],
                       check=True, capture_output=True, timeout=300, env=dict(os.environ, PYTHONHASHSEED=seed))
        pages.append(out.read_bytes())
        time.sleep(1.1)  # the font's head table counts seconds
    assert b"data:font/woff;base64," in pages[0]
    assert pages[0] == pages[1]
