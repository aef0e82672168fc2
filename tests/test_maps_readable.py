"""The maps as a reader sees them, in headless chromium without a Japanese system font (the four
maps of the embedded dataset, and the value map of the example company's IMM): Japanese
drawn with the font each file embeds, the important labels readable at the default fit (measured
on screen), nothing cut off at the edges, each relation drawn distinctly and the legend drawing the
same line, the finance cases grouped, the view's state in the URL, and the view exported to PNG
and SVG."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import fresh_fit, japanese_glyphs, launch, open_page, screenshot

from impactkg.cli import main
from impactkg.graph.maps import KINDS

sync_api = pytest.importorskip("playwright.sync_api")

FACTOR = "https://w3id.org/impactkg/id/factor/consortium-"
MAPS = list(KINDS)
#: The value map needs an organisation's IMM: the example company's workbook.
IMM_EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example" / "imm-example.xlsx"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("readable")
    for kind in MAPS:
        if kind != "value":
            assert main(["map", kind, "--store", str(out / "store"), "-o", str(out / f"{kind}.html")]) == 0
    assert main(["load", "--store", str(out / "imm"), str(IMM_EXAMPLE), "--namespace", "imm-example"]) == 0
    assert main(["map", "value", "--store", str(out / "imm"), "-o", str(out / "value.html")]) == 0
    assert main(["map", "logic", "--domain", "インフラ・不動産", "--store", str(out / "store"),
                 "-o", str(out / "logic-infra.html")]) == 0
    return {kind: out / f"{kind}.html" for kind in [*MAPS, "logic-infra"]}


def canvas_size(page) -> tuple[int, int]:
    return tuple(page.evaluate("[document.querySelector('#ikg-map canvas').clientWidth, "
                               "document.querySelector('#ikg-map canvas').clientHeight]"))


@pytest.mark.parametrize("kind", [*MAPS, "logic-infra"])
def test_labels_are_readable_at_the_default_fit_and_nothing_is_cut_off(browser, maps, kind, tmp_path):
    page, watch = open_page(browser, maps[kind])
    try:
        sizes = page.evaluate("impactkgMap.labelSizes()")
        first = [s for s in sizes if s["tier"] == 1]
        assert len(first) >= 4
        assert all(s["drawn"] and s["px"] >= 10 for s in first), [(s["id"], s["px"]) for s in first if s["px"] < 10]
        w, h = canvas_size(page)
        assert w > 600 and h > 600
        outside = [s["id"] for s in sizes if s["box"][0] < 0 or s["box"][1] < 0 or s["box"][2] > w or s["box"][3] > h]
        assert outside == []
        # Japanese is drawn with the subset the file embeds, in the side panel and on the canvas
        for glyphs in (japanese_glyphs(page, "#ikg-title"),
                       japanese_glyphs(page, "#ikg-title", page.evaluate("impactkgMap.data.fontFace"))):
            assert "impactkg-ja" in glyphs["font"]
            assert glyphs["inked"] and glyphs["distinctWithFont"] and glyphs["differsFromFallback"]
            assert glyphs["distinctWithout"] is False  # the browser has no Japanese font of its own
        if kind in ("logic", "system", "finance"):
            screenshot(page, f"map-{kind}", tmp_path)
        assert watch.errors == [] and watch.blocked == []
    finally:
        page.close()


def test_the_fit_measures_the_labels_it_enlarges(browser, maps):
    """The fit enlarges the most important labels as it zooms out and measures each of them again
    at its new size: the zoom it chooses is the zoom their real boxes call for. In a small window,
    where those labels decide the fit, a fit that kept their first sizes zoomed 7 % too far in."""
    page, watch = open_page(browser, maps["system"], width=640, height=480)
    try:
        fresh, chosen = fresh_fit(page)
        assert abs(fresh / chosen - 1) < 0.005, (fresh, chosen)
        assert watch.errors == []
    finally:
        page.close()


@pytest.mark.parametrize("kind", MAPS)
def test_each_relation_is_drawn_distinctly_and_the_legend_draws_the_same_line(browser, maps, kind):
    page, watch = open_page(browser, maps[kind])
    try:
        legend = page.evaluate("""[...document.querySelectorAll('#ikg-links [data-rel]')].map(row => {
            const svg = row.querySelector('svg.ikg-rel');
            return [row.dataset.rel, svg.dataset.color, svg.dataset.dashes, svg.dataset.width, svg.dataset.arrow]; })""")
        rels = page.evaluate("Object.keys(impactkgMap.data.relations)")
        assert [r[0] for r in legend] == rels and len(rels) >= 3
        looks = {(color, dashes, arrow) for _, color, dashes, _, arrow in legend}
        assert len(looks) == len(legend)  # no two relations alike
        drawn = page.evaluate("""(() => { const out = {}; const rel = {}; const causal = {};
            impactkgMap.data.edges.forEach(e => { rel[e.id] = e.rel; causal[e.id] = Boolean(e.polarity); });
            impactkgMap.edges.get().forEach(e => { if (!out[rel[e.id]] && !causal[e.id])
              out[rel[e.id]] = [e.color.color, Array.isArray(e.dashes) ? e.dashes.join(',') : '', String(e.width)]; });
            return out; })()""")
        assert drawn  # every map has links drawn by their relation alone
        for rel, color, dashes, width, _ in legend:
            if rel in drawn:  # causal links are drawn by their evidence too (their legend says how)
                assert drawn[rel] == [color, dashes, width], rel
        assert watch.errors == []
    finally:
        page.close()


def test_finance_cases_are_grouped_by_method_or_provider(browser, maps):
    page, watch = open_page(browser, maps["finance"])
    try:
        data = page.evaluate("impactkgMap.data")
        methods: dict[str, int] = {}
        for n in data["nodes"]:
            key = n.get("groups", {}).get("method")
            if key:
                methods[key] = methods.get(key, 0) + 1
        clusters = page.evaluate("impactkgMap.network.body.nodeIndices.filter(id => impactkgMap.network.isCluster(id))")
        assert sorted(clusters) == sorted(f"group:method:{k}" for k, n in methods.items() if n >= 2)
        shown_cases = page.evaluate("""impactkgMap.network.body.nodeIndices.filter(id =>
            (impactkgMap.data.nodes.find(n => n.id === id) || {}).cls === 'finance-case')""")
        without = sum(1 for n in data["nodes"] if n["cls"] == "finance-case" and "method" not in n.get("groups", {}))
        assert len(shown_cases) == sum(1 for n in methods.values() if n == 1) + without
        loan = next(c for c in clusters if c.endswith("/loan"))
        label = page.evaluate(f"impactkgMap.network.body.nodes['{loan}'].options.label")
        assert label == f"融資 × {methods[loan.split(':', 2)[2]]}"
        page.evaluate(f"() => {{ impactkgMap.network.body.emitter.emit('click', {{nodes: ['{loan}'], edges: []}}); }}")
        assert loan not in page.evaluate("impactkgMap.network.body.nodeIndices")
        assert "open=" in page.url and page.url.endswith("loan")
        page.select_option("#ikg-group", "provider")
        providers = {n["groups"]["provider"] for n in data["nodes"] if "provider" in n.get("groups", {})}
        clusters = page.evaluate("impactkgMap.network.body.nodeIndices.filter(id => impactkgMap.network.isCluster(id))")
        assert clusters and all(c.split(":", 2)[2] in providers for c in clusters)
        page.select_option("#ikg-group", "")
        assert page.evaluate("impactkgMap.network.body.nodeIndices.filter(id => impactkgMap.network.isCluster(id))") == []
        assert "group=none" in page.url
        assert watch.errors == []
    finally:
        page.close()


def test_the_view_is_in_the_url_and_a_shared_url_reopens_it(browser, maps):
    page, watch = open_page(browser, maps["system"])
    try:
        page.locator("#ikg-loops button[data-loop=R1]").click()
        assert page.url.endswith("#loop=R1")
        page.click("#ikg-lang")
        page.locator("#ikg-legend input[data-cls=intervention]").uncheck()
        shared = page.url
        assert "lang=en" in shared and "hide=intervention" in shared and "loop=R1" in shared
    finally:
        page.close()
    other = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        other.goto(shared)
        other.wait_for_selector("body[data-state=ready]", timeout=60_000)
        assert other.text_content("#ikg-title") == "System map"
        assert other.evaluate("impactkgMap.lang()") == "en"
        assert "active" in other.locator("#ikg-loops button[data-loop=R1]").get_attribute("class")
        assert sorted(other.evaluate("impactkgMap.network.getSelectedNodes()")) == sorted(
            [FACTOR + "population-decline", FACTOR + "regional-economic-base"])
        assert other.is_checked("#ikg-legend input[data-cls=intervention]") is False
        hidden = other.evaluate("(() => { const cls = {}; impactkgMap.data.nodes.forEach(n => { cls[n.id] = n.cls; });"
                                " return impactkgMap.nodes.get({filter: n => n.hidden}).map(n => cls[n.id]); })()")
        assert hidden and set(hidden) == {"intervention"}
    finally:
        other.close()


def test_the_view_exports_to_png_and_svg(browser, maps, tmp_path):
    page, watch = open_page(browser, maps["system"])
    try:
        with page.expect_download() as got:
            page.click("#ikg-png")
        assert got.value.suggested_filename == "system.png"
        png = Path(got.value.path()).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert [width, height] == page.evaluate("[document.querySelector('#ikg-map canvas').width, "
                                                "document.querySelector('#ikg-map canvas').height]")
        with page.expect_download() as got:
            page.click("#ikg-svg")
        assert got.value.suggested_filename == "system.svg"
        root = ET.fromstring(Path(got.value.path()).read_bytes())
        ns = "{http://www.w3.org/2000/svg}"
        texts = [t.text for t in root.iter(ns + "text")]
        drawn = page.evaluate("impactkgMap.labelSizes().filter(s => s.drawn).length")
        shown = page.evaluate("impactkgMap.labelSizes().length")
        assert len(list(root.iter(ns + "circle"))) + len(list(root.iter(ns + "rect"))) + len(
            list(root.iter(ns + "ellipse"))) == shown + 1  # every shown node and the background
        assert "人口減少" in texts and sum(1 for t in texts if t not in ("+", "\u2212")) >= drawn
        visible = page.evaluate("impactkgMap.edges.get({filter: e => !e.hidden}).length")
        assert len([x for x in root.iter(ns + "line") if x.get("class") == "link"]) == visible
        style = next(root.iter(ns + "style")).text
        assert "@font-face{font-family:'impactkg-ja';src:url(data:font/woff;base64," in style
        woff = base64.b64decode(style.split("base64,", 1)[1].split(")", 1)[0])
        assert woff[:4] == b"wOFF"
        assert watch.errors == []
    finally:
        page.close()


#: Each dashed link's drawn dashes, its data's pattern, and the view's scale.
DASHES = """(() => { const net = impactkgMap.network; const out = {};
    impactkgMap.edges.get().forEach(e => { if (Array.isArray(e.dashes)) {
      const drawn = net.body.edges[e.id].options.dashes;
      out[e.id] = [e.dashes, Array.isArray(drawn) ? drawn : false]; } });
    return {scale: net.getScale(), links: out}; })()"""


def zoom_with_the_wheel(page, below: float | None = None, above: float | None = None) -> float:
    """Zoom the map as a reader does, with the mouse wheel over it, until the scale is below or
    above the given value; returns the scale."""
    box = page.locator("#ikg-map canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(60):
        scale = page.evaluate("impactkgMap.network.getScale()")
        if (below is not None and scale < below) or (above is not None and scale > above):
            return scale
        page.mouse.wheel(0, 120 if below is not None else -120)
        page.wait_for_timeout(30)
    raise AssertionError(f"the wheel did not bring the scale past {below or above}: {scale}")


def expected_dashes(state: dict) -> dict[str, list]:
    """What the page should draw: a pattern shorter than 2 px on screen is drawn solid."""
    return {i: [p, p if sum(p) * state["scale"] >= 2 else False] for i, (p, _) in state["links"].items()}


@pytest.mark.parametrize("kind", ["system", "logic"])
def test_dashes_are_drawn_solid_only_where_they_are_too_short_to_see(browser, maps, kind, tmp_path):
    page, watch = open_page(browser, maps[kind])
    try:
        state = page.evaluate(DASHES)
        patterns = {tuple(p) for p, _ in state["links"].values()}
        assert len(state["links"]) >= 3 and len(patterns) >= 2
        assert state["links"] == expected_dashes(state)  # at the default fit
        # Zoomed in until the shortest pattern is 2 px or more: every link has its dashes.
        shortest, longest = min(sum(p) for p in patterns), max(sum(p) for p in patterns)
        zoom_with_the_wheel(page, above=2 / shortest)
        near = page.evaluate(DASHES)
        assert near["links"] == expected_dashes(near)
        assert all(drawn for _, drawn in near["links"].values())
        # Zoomed out until it is under 2 px: those links are drawn solid, the longer ones keep
        # their dashes while they can be seen; the data keeps every pattern.
        zoom_with_the_wheel(page, below=2 / shortest)
        out = page.evaluate(DASHES)
        assert out["links"] == expected_dashes(out)
        assert any(drawn is False for _, drawn in out["links"].values())
        if out["scale"] * longest >= 2:
            assert any(drawn for _, drawn in out["links"].values())
        # A change through the links' data (the language, the evidence shown) keeps the rule.
        page.click("#ikg-lang")
        if kind == "system":  # the logic map has no evidence to choose
            page.select_option("#ikg-evidence", "inferred")
        assert page.evaluate(DASHES)["links"] == out["links"]
        # The SVG of the view keeps every link's pattern.
        with page.expect_download() as got:
            page.click("#ikg-svg")
        root = ET.fromstring(Path(got.value.path()).read_bytes())
        ns = "{http://www.w3.org/2000/svg}"
        arrays = {x.get("stroke-dasharray") for x in root.iter(ns + "line") if x.get("class") == "link"}
        assert {" ".join(str(n) for n in p) for p in patterns} <= arrays
        # Zoomed in again, every link has its dashes back.
        zoom_with_the_wheel(page, above=2 / shortest)
        back = page.evaluate(DASHES)
        assert back["links"] == expected_dashes(back)
        assert all(drawn for _, drawn in back["links"].values())
        assert watch.errors == []
    finally:
        page.close()


#: Each labelled link's label in the data, the label the network holds, its size, and the scale.
LINK_LABELS = """(() => { const net = impactkgMap.network; const out = {};
    impactkgMap.edges.get().forEach(e => { if (e.label) {
      const o = net.body.edges[e.id].options;
      out[e.id] = [e.label, o.label === undefined ? null : o.label, o.font.size]; } });
    return {scale: net.getScale(), links: out}; })()"""


def expected_labels(state: dict) -> dict[str, list]:
    """What the network should hold: no label that would be under 4 px on screen (vis-network's
    own limit for drawing a link's label), every other one as the data gives it."""
    return {i: [text, text if size * state["scale"] >= 4 else None, size]
            for i, (text, _, size) in state["links"].items()}


def test_link_labels_too_small_to_draw_are_not_placed_until_the_view_zooms_in(browser, maps):
    """vis-network measures and places every link label at each drawing, even one it then does not
    draw (under 4 px): the page leaves such labels out of the network and gives them back as the
    reader zooms in; the data and the SVG export keep them."""
    page, watch = open_page(browser, maps["system"])
    try:
        state = page.evaluate(LINK_LABELS)
        assert len(state["links"]) >= 10
        assert state["links"] == expected_labels(state)
        assert all(shown is not None for _, shown, _ in state["links"].values())  # readable at the default fit
        zoom_with_the_wheel(page, below=4 / 20)
        out = page.evaluate(LINK_LABELS)
        assert out["links"] == expected_labels(out)
        assert all(shown is None for _, shown, _ in out["links"].values())
        # A change through the links' data (the language, the evidence shown) keeps the rule.
        page.click("#ikg-lang")
        page.select_option("#ikg-evidence", "inferred")
        assert page.evaluate(LINK_LABELS)["links"] == out["links"]
        # The SVG of the view keeps every label.
        with page.expect_download() as got:
            page.click("#ikg-svg")
        root = ET.fromstring(Path(got.value.path()).read_bytes())
        texts = [x.text for x in root.iter("{http://www.w3.org/2000/svg}text") if x.get("text-anchor") == "middle"]
        assert sorted(t for t in texts if t and t[0] in "+\u2212") == sorted(t for t, _, _ in out["links"].values())
        zoom_with_the_wheel(page, above=4 / 20)
        back = page.evaluate(LINK_LABELS)
        assert back["links"] == expected_labels(back)
        assert all(shown is not None for _, shown, _ in back["links"].values())
        assert watch.errors == []
    finally:
        page.close()
