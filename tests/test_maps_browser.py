"""The interactive maps in a real headless Debian chromium: each embedded map opens offline from
file:// and draws, loops are listed and highlighted, the search box focuses nodes, hostile labels
stay text, large maps come laid out, and the Jupyter display draws inside its iframe."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from browser import fresh_fit, launch, open_page, painted_pixels, screenshot_stats

from impactkg import KnowledgeGraph
from impactkg.cli import main
from impactkg.graph.maps import KINDS, build_map, interactive_map
from impactkg.graph.maps.styles import node_style
from impactkg.graph.maps.view import MapView
from impactkg.ontology import record_iri

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (pip install -e '.[test]')")

FACTOR = "https://w3id.org/impactkg/id/factor/consortium-"
#: The maps of the embedded dataset; the value map needs an organisation's IMM (test_imm_browser.py).
EMBEDDED = tuple(k for k in KINDS if k != "value")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    """The four embedded maps, written by the command line as a user would."""
    out = tmp_path_factory.mktemp("maps")
    for kind in EMBEDDED:
        assert main(["map", kind, "--store", str(out / "store"), "-o", str(out / f"{kind}.html")]) == 0
    return {kind: out / f"{kind}.html" for kind in EMBEDDED}


def page_data(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('ikg-data').textContent)")


def assert_clean(watch) -> None:
    assert watch.errors == []
    assert watch.dialogs == []
    assert watch.blocked == []
    assert watch.requests and all(url.startswith("file://") for url in watch.requests)


@pytest.mark.parametrize("kind", EMBEDDED)
def test_embedded_map_opens_offline_draws_and_stops_moving(browser, maps, kind):
    page, watch = open_page(browser, maps[kind])
    try:
        assert_clean(watch)
        assert painted_pixels(page) > 3000
        colours, non_white = screenshot_stats(browser, page.locator("#ikg-map").screenshot())
        assert colours > 20 and non_white > 3000
        data = page_data(page)
        assert page.evaluate("impactkgMap.nodes.length") == len(data["nodes"]) > 20
        assert page.locator("#ikg-legend input[type=checkbox]").count() == len(data["classes"]) >= 4
        # Physics has settled and is off: nothing moves any more.
        assert page.evaluate("impactkgMap.network.physics.physicsEnabled") is False
        before = page.evaluate("impactkgMap.network.getPositions()")
        page.wait_for_timeout(300)
        assert page.evaluate("impactkgMap.network.getPositions()") == before
    finally:
        page.close()


NODE_LOOK = """() => { const net = impactkgMap.network, out = {};
  net.body.nodeIndices.forEach(id => { const o = net.body.nodes[id].options;
    out[id] = [o.shape, o.color.background, o.color.border, o.color.highlight.background, o.color.highlight.border,
               o.color.hover.background, o.color.hover.border, o.borderWidth, o.size]; });
  return out; }"""


def test_each_node_is_drawn_in_its_kinds_look_and_the_focus_with_a_black_border(browser, tmp_path, kg):
    """A node's kind (a group of the network) gives its shape and colours; the focused node of
    ``--focus`` keeps its kind's fill and is drawn with a black border 4 px wide (the network takes a
    group's colours over a node's own, so the focus is not in its kind's group)."""
    focus = "https://w3id.org/impactkg/id/indicator/consortium-354"
    path = interactive_map(kg, "logic", focus=focus).save(tmp_path / "focus.html")
    page, watch = open_page(browser, path)
    try:
        assert_clean(watch)
        drawn = page.evaluate(NODE_LOOK)
        data = {n["id"]: n for n in page_data(page)["nodes"]}
    finally:
        page.close()
    expected = {}
    for key, n in data.items():
        s = node_style(n["cls"])
        border, width = ("#000000", 4) if key == focus else (s["border"], 1)
        expected[key] = [s["shape"], s["color"], border, s["highlight"], "#000000", s["highlight"], "#333333", width,
                         n.get("size") or 16]
    assert drawn == expected
    assert len(drawn) == 6 and drawn[focus][:3] == ["dot", "#cab2d6", "#000000"]


def test_system_map_lists_its_r_and_b_loops_and_highlights_one_on_click(browser, maps, kg):
    expected = {r["p"]: r["n"] for r in kg.sparql(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?l a ikg:FeedbackLoop ; ikg:loopPolarity ?p } GROUP BY ?p").dicts()}
    page, watch = open_page(browser, maps["system"])
    try:
        names = page.locator("#ikg-loops button > span:first-child").all_text_contents()
        assert sum(n.startswith("R") for n in names) == expected["R"] > 0
        assert sum(n.startswith("B") for n in names) == expected["B"] > 0
        assert "R1: 人口減少 → 地域経済の基盤 → 人口減少" in names
        assert page.locator("#ikg-h-loops").text_content() == f"フィードバックループ (R {expected['R']} · B {expected['B']})"
        bundle_loop = next(n for n in names if n.startswith("B") and n.count("→") == 2)
        assert "資金と連続的な伴走支援の「束」" in bundle_loop and "成長段階ごとの資金供給ギャップ" in bundle_loop
        page.locator("#ikg-loops button[data-loop=R1]").click()
        selected = page.evaluate("impactkgMap.network.getSelection()")
        assert sorted(selected["nodes"]) == sorted([FACTOR + "population-decline", FACTOR + "regional-economic-base"])
        assert len(selected["edges"]) == 2
        assert page.locator("#ikg-details h3").text_content() == "R1: 人口減少 → 地域経済の基盤 → 人口減少"
        assert "active" in page.locator("#ikg-loops button[data-loop=R1]").get_attribute("class")
        # + and - links are drawn differently (green, red dashed), and by evidence: stated thick,
        # a reading medium, an inference thin and dotted with a "?".
        styles = page.evaluate("""impactkgMap.edges.get().filter(e => e.label).map(e =>
            [e.label, e.color.color, JSON.stringify(e.dashes), e.width])""")
        assert {tuple(s) for s in styles} == {
            ("+", "#2e7d32", "false", 3), ("\u2212", "#c62828", "[10,6]", 3),
            ("+", "#2e7d32", "false", 2.2), ("\u2212", "#c62828", "[10,6]", 2.2),
            ("+ ?", "#2e7d32", "[2,5]", 1.5), ("\u2212 ?", "#c62828", "[2,5]", 1.5),
            ("+ \u2016", "#2e7d32", "false", 2.2)}
        assert_clean(watch)
    finally:
        page.close()


def test_search_box_focuses_the_node_in_both_languages(browser, maps):
    page, watch = open_page(browser, maps["system"])
    try:
        page.fill("#ikg-search", "人口減少")
        page.press("#ikg-search", "Enter")
        assert page.evaluate("impactkgMap.network.getSelectedNodes()") == [FACTOR + "population-decline"]
        dx, dy, scale = page.evaluate("""(() => { const n = impactkgMap.network; const id = n.getSelectedNodes()[0];
            const p = n.getPositions([id])[id], v = n.getViewPosition(); return [p.x - v.x, p.y - v.y, n.getScale()]; })()""")
        assert abs(dx) < 1 and abs(dy) < 1 and scale == pytest.approx(1.4)
        assert page.locator("#ikg-search-status").text_content() == "見つかりました: 人口減少"
        assert page.locator("#ikg-details h3").text_content() == "人口減少"

        page.click("#ikg-lang")
        assert page.evaluate(f"impactkgMap.nodes.get('{FACTOR}talent-outflow').label") == "Talent outflow"
        assert page.locator("#ikg-title").text_content() == "System map"
        page.fill("#ikg-search", "ｔａｌｅｎｔ ＯＵＴＦＬＯＷ")  # NFKC and case folding
        page.press("#ikg-search", "Enter")
        assert page.evaluate("impactkgMap.network.getSelectedNodes()") == [FACTOR + "talent-outflow"]
        page.fill("#ikg-search", "no such factor")
        page.press("#ikg-search", "Enter")
        assert page.locator("#ikg-search-status").text_content() == "Not found: no such factor"
        assert_clean(watch)
    finally:
        page.close()


def test_type_and_domain_filters_hide_nodes(browser, maps):
    page, watch = open_page(browser, maps["system"])
    try:
        data = page_data(page)
        finance = next(k for k, v in data["domains"].items() if v["ja"] == "金融")
        page.select_option("#ikg-domain", finance)
        shown = page.evaluate("impactkgMap.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
        by_id = {n["id"]: n for n in data["nodes"]}
        assert FACTOR + "impact-finance" in shown and FACTOR + "population-decline" not in shown
        assert all(finance in by_id[i]["domains"] for i in shown if by_id[i]["domains"])
        page.select_option("#ikg-domain", "")
        page.locator("#ikg-legend input[data-cls=intervention]").uncheck()
        hidden = page.evaluate("impactkgMap.nodes.get({filter: n => n.hidden}).map(n => n.id)")
        assert sorted(hidden) == sorted(n["id"] for n in data["nodes"] if n["cls"] == "intervention")
        assert_clean(watch)
    finally:
        page.close()


HOSTILE = {
    "label": '<img src=x onerror="window.__pwned=1;alert(1)">',
    "label_en": "<script>window.__pwned=2</script>",
    "type": '"><svg onload=alert(5)>',
    "domain": "</script><script>alert(3)</script>",
    "description": "<iframe src=javascript:alert(6)></iframe>",
    "evidence": "<img src=y onerror=alert(7)>",
}


def test_hostile_labels_run_no_script_and_show_as_text(browser, tmp_path):
    elements = tmp_path / "elements.csv"
    with open(elements, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label_ja", "label_en", "type", "domain", "description"])
        w.writerow(["x1", HOSTILE["label"], HOSTILE["label_en"], HOSTILE["type"], HOSTILE["domain"], HOSTILE["description"]])
        w.writerow(["x2", "普通の要因", "Plain factor", "issue", HOSTILE["domain"], ""])
    connections = tmp_path / "connections.csv"
    with open(connections, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["from", "to", "polarity", "evidence"])
        w.writerow(["x1", "x2", "+", HOSTILE["evidence"]])
        w.writerow(["x2", "x1", "-", ""])
    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(elements, connections, namespace="evil")
    data = build_map(kg, "system", domain=HOSTILE["domain"])
    path = MapView(data).save(tmp_path / "evil.html")
    x1 = record_iri("factor", "evil-x1")

    page, watch = open_page(browser, path)
    try:
        assert_clean(watch)
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.querySelectorAll('img, iframe, svg:not(.ikg-rel), svg.ikg-rel *:not(line):not(path):not(circle)').length") == 0
        # The page's own four: the font's early load, vis-network, the data (JSON), the page script.
        assert page.evaluate("[...document.scripts].map(s => s.type || 'classic')") == [
            "classic", "classic", "application/json", "classic"]
        heading = f"システムマップ: {HOSTILE['domain']}"
        assert page.locator("#ikg-title").text_content() == heading
        assert page.title() == heading
        loops = page.locator("#ikg-loops button > span:first-child").all_text_contents()
        (code,) = [x["code"] for x in data.loops]  # codes are numbered over the whole graph, kept when filtering
        assert code.startswith("B") and loops == [f"{code}: {HOSTILE['label']} → 普通の要因 → {HOSTILE['label']}"]
        options = page.locator("#ikg-domain option").all_text_contents()
        assert HOSTILE["domain"] in options
        assert any(HOSTILE["type"] in t for t in page.locator("#ikg-legend").all_text_contents())
        drawn = page.evaluate(f"impactkgMap.nodes.get('{x1}').label")  # shortened on the canvas
        assert drawn == data.node(x1)["label"]["ja"] and drawn.startswith("<img src=x onerror=")

        # The tooltip shows the description as text (line breaks are its only elements).
        point = page.evaluate(f"""(() => {{ const n = impactkgMap.network; const p = n.getPositions(['{x1}'])['{x1}'];
            const d = n.canvasToDOM(p); const r = document.getElementById('ikg-map').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y]; }})()""")
        page.mouse.move(point[0] + 40, point[1] + 40)
        page.mouse.move(*point)
        tip = page.locator(".vis-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        assert HOSTILE["description"] in tip.inner_text()
        assert page.evaluate("[...document.querySelectorAll('.vis-tooltip *')].every(e => e.tagName === 'BR')")

        page.fill("#ikg-search", "<img src=x")
        page.press("#ikg-search", "Enter")
        assert page.evaluate("impactkgMap.network.getSelectedNodes()") == [x1]
        assert page.locator("#ikg-details h3").text_content() == HOSTILE["label"]
        page.click("#ikg-lang")
        assert page.locator("#ikg-loops button").all_text_contents()[0].startswith(f"{code}: {HOSTILE['label_en']}")
        assert page.evaluate("window.__pwned") is None
        assert watch.dialogs == [] and watch.errors == [] and watch.blocked == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A system map of 620 factors in a chain with a balancing link every 40 (above the layout
    limit, so laid out in Python), its data and its page in English."""
    n = 620
    out = tmp_path_factory.mktemp("large")
    elements = out / "big_elements.csv"
    with open(elements, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label_ja", "label_en", "type"])
        for i in range(n):
            w.writerow([f"f{i}", f"要因{i}", f"Factor {i}", ("issue", "condition", "outcome")[i % 3]])
    connections = out / "big_connections.csv"
    with open(connections, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["from", "to", "polarity"])
        for i in range(n - 1):
            w.writerow([f"f{i}", f"f{i + 1}", "+"])
        for i in range(0, n - 7, 40):
            w.writerow([f"f{i + 7}", f"f{i}", "-"])
    kg = KnowledgeGraph.memory()
    kg.load_ontology()
    kg.load(elements, connections, namespace="big")
    data = build_map(kg, "system")
    return data, MapView(data, lang="en").save(out / "big.html")


def test_large_map_is_laid_out_in_python_with_physics_off(browser, large):
    data, path = large
    n = 620
    assert len(data.nodes) == n and data.physics is False
    assert all(isinstance(node["x"], float) and isinstance(node["y"], float) for node in data.nodes)
    assert len(data.loops) == len(range(0, n - 7, 40)) and {x["polarity"] for x in data.loops} == {"B"}

    page, watch = open_page(browser, path)
    try:
        assert_clean(watch)
        assert page.evaluate("impactkgMap.network.physics.physicsEnabled") is False
        first = data.nodes[0]
        pos = page.evaluate(f"impactkgMap.network.getPositions(['{first['id']}'])")[first["id"]]
        assert pos["x"] == pytest.approx(first["x"], abs=1) and pos["y"] == pytest.approx(first["y"], abs=1)  # vis rounds
        assert painted_pixels(page) > 3000
    finally:
        page.close()


def test_a_map_laid_out_in_python_is_fitted_to_its_labels_and_fills_its_panels(browser, large):
    """The network fits such a map as its data is set; the page's fit then starts from there
    without fitting it again, and its side panels are filled right after the first drawing. The
    zoom it chose must be the one every node's box, measured afresh, calls for (also after the
    language changes and the reader presses Fit), and the panels must list the map."""
    data, path = large
    page, watch = open_page(browser, path, width=640, height=480)
    try:
        fresh, chosen = fresh_fit(page)
        assert abs(fresh / chosen - 1) < 0.005, (fresh, chosen)
        assert page.text_content("#ikg-counts") == f"620 nodes \u00b7 {len(data.edges)} links"
        assert page.locator("#ikg-loops button").count() == 16
        assert page.text_content("#ikg-h-loops") == "Feedback loops (R 0 \u00b7 B 16)"
        assert sorted(page.locator("#ikg-legend input").evaluate_all("xs => xs.map(x => x.dataset.cls)")) == [
            "condition", "issue", "outcome"]
        page.click("#ikg-lang")
        page.click("#ikg-fit")
        fresh, chosen = fresh_fit(page)
        assert abs(fresh / chosen - 1) < 0.005, (fresh, chosen)
        assert page.text_content("#ikg-counts") == f"620 ノード \u00b7 {len(data.edges)} リンク"
        assert_clean(watch)
    finally:
        page.close()


def test_notebook_display_draws_inside_its_iframe(browser, tmp_path, kg):
    view = interactive_map(kg, "system", lang="en")
    cell = view._repr_html_()
    assert cell.startswith('<iframe srcdoc="') and "<script" not in cell
    host = tmp_path / "notebook-output.html"
    host.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div class="output">{cell}</div></body></html>',
                    encoding="utf-8")
    page, watch = open_page(browser, host, ready=False)
    try:
        page.frame_locator("iframe").locator("body[data-state=ready]").wait_for(timeout=60_000)
        frame = next(f for f in page.frames if f is not page.main_frame)
        assert painted_pixels(frame) > 3000
        assert frame.locator("#ikg-title").text_content() == "System map"
        assert len(frame.locator("#ikg-loops button").all_text_contents()) == len(view.data.loops)
        assert_clean(watch)
        assert json.loads(frame.evaluate("document.getElementById('ikg-data').textContent"))["lang"] == "en"
    finally:
        page.close()


def test_system_map_evidence_view_hides_and_sorts_by_evidence(browser, maps, tmp_path):
    page, watch = open_page(browser, maps["system"])
    try:
        causal = "impactkgMap.edges.get({filter: e => !e.hidden && /^[+\u2212]/.test(e.label || '')}).length"
        assert page.evaluate(causal) == 44
        # The panel: strongest evidence first, each loop labelled with its counts and weakest link.
        buttons = page.locator("#ikg-loops button")
        assert buttons.count() == 41
        first = buttons.nth(0)
        assert first.get_attribute("data-loop") == "B1" and first.get_attribute("data-evidence") == "inferred"
        assert first.locator(".ikg-ev").text_content() == (
            "出典 1 · 読み取り 0 · 推測 1 — 最も弱いリンク: 成長段階ごとの資金供給ギャップ → 資金と連続的な伴走支援の「束」")
        inferred = [int(t.rsplit("推測 ", 1)[1].split(" ")[0]) for t in page.locator("#ikg-loops .ikg-ev").all_text_contents()]
        assert inferred == sorted(inferred)
        # Stated links only: inferences and readings hidden, every loop (each has an inferred link) hidden.
        page.select_option("#ikg-evidence", "stated")
        assert page.evaluate(causal) == 14
        assert page.locator("#ikg-loops button:visible").count() == 0
        assert page.locator("#ikg-loops p").text_content() == "根拠の条件で隠れたループ: 41"
        assert page.locator("#ikg-h-loops").text_content() == "フィードバックループ (R 0 · B 0)"
        page.select_option("#ikg-evidence", "reading")
        assert page.evaluate(causal) == 21
        page.select_option("#ikg-evidence", "inferred")
        assert page.evaluate(causal) == 44 and page.locator("#ikg-loops button:visible").count() == 41
        page.click("#ikg-lang")
        assert page.locator("#ikg-h-evidence").text_content() == "Evidence (links shown)"
        assert first.locator(".ikg-ev").text_content().startswith("stated 1 · reading 0 · inferred 1 — weakest link: ")
        assert_clean(watch)
    finally:
        page.close()
    # A page written with --evidence stated starts with the weaker links hidden.
    out = tmp_path / "stated.html"
    assert main(["map", "system", "--store", str(tmp_path / "s"), "--evidence", "stated", "-o", str(out)]) == 0
    page, watch = open_page(browser, out)
    try:
        assert page.evaluate("impactkgMap.evidence()") == 4
        assert page.locator("#ikg-evidence").input_value() == "stated"
        assert page.evaluate(causal) == 14
        assert_clean(watch)
    finally:
        page.close()
