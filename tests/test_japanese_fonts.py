"""Japanese is drawn, not empty boxes, on a machine without a Japanese system font: the browser
tests' chromium sees none (tests/browser.py), so the glyphs on screen come from the font the page
brings (IPAexGothic served by ``impactkg serve``, or the subset a standalone file embeds)."""

from __future__ import annotations

import pytest
from browser import element_differs_without_its_font, japanese_glyphs, launch, open_page
from servers import impactkg_server

from impactkg import KnowledgeGraph
from impactkg.graph.export.report import write_report

playwright_api = pytest.importorskip("playwright.sync_api")

PAGES = [
    ("/", "h1"),
    ("/query?name=indicators-for-target&target=11.b", "#q-title"),
    ("/query?name=indicators-for-target&target=11.b", ".yasgui .CodeMirror-code"),
    ("/query?name=indicators-for-target&target=11.b", ".yasr table.dataTable tbody tr"),
    ("/schema", "#ikg-Indicator h2"),
    ("/schema", "#chain"),
    ("/docs/", "h1"),
    ("/resource?iri=https%3A%2F%2Fw3id.org%2Fimpactkg%2Fid%2Forg%2Fjanpia", "#neighbourhood"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fonts")
    with KnowledgeGraph.open(folder / "store") as kg:
        kg.build()
    with impactkg_server(folder, "--store", str(folder / "store")) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def drawn(glyphs: dict) -> bool:
    """Glyphs are drawn: ink, two characters look different, and without the page's font they
    would not (the browser has no Japanese font of its own)."""
    return (glyphs.get("inked") and glyphs.get("distinctWithFont") and glyphs.get("differsFromFallback")
            and glyphs.get("distinctWithout") is False)


@pytest.mark.parametrize("path,selector", PAGES)
def test_the_pages_draw_japanese_with_their_own_font(browser, site, path, selector):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(site.base + path)
        page.wait_for_selector(selector, timeout=60_000)
        if path.startswith("/query"):
            page.wait_for_selector("body[data-state=done]", timeout=60_000)
        page.evaluate("document.fonts.ready")
        glyphs = japanese_glyphs(page, selector)
        # the served font, or (the ontology reference, a standalone file) the subset it embeds
        assert ("impactkg-ja" if path == "/docs/" else "IPAexGothic") in glyphs["font"]
        assert drawn(glyphs), glyphs
        assert element_differs_without_its_font(page, selector)
    finally:
        page.close()


def test_the_report_embeds_its_japanese_glyphs(browser, kg, tmp_path):
    path = write_report(kg, tmp_path / "report.html", "html", queries=["indicators-per-goal"], figures=["goals"])
    page, watch = open_page(browser, path, ready=False)
    try:
        page.wait_for_selector("h1")
        page.evaluate("document.fonts.ready")
        for selector in ("h1", "table"):
            glyphs = japanese_glyphs(page, selector)
            assert "impactkg-ja" in glyphs["font"] and drawn(glyphs), (selector, glyphs)
            assert element_differs_without_its_font(page, selector)
        assert watch.blocked == [] and watch.errors == []
    finally:
        page.close()


def test_the_embedded_subset_holds_the_texts_glyphs_and_only_their_default_forms():
    """A standalone page embeds the glyphs its text uses and the forms a browser applies by itself
    (here the vertical small ッ), not IPAexGothic's alternates (jp78, trad, hwid…), which made the
    subset of "システムマップ" 20 glyphs and a 2,000-node map's font half again as large."""
    import io

    from fontTools.ttLib import TTFont

    from impactkg.graph.export.webfont import subset_woff

    font = TTFont(io.BytesIO(subset_woff("システムマップ and Latin")))
    assert font.flavor == "woff"
    assert sorted(chr(c) for c in font.getBestCmap()) == sorted("シスムテッマプ")
    assert font["maxp"].numGlyphs == 9  # .notdef, 7 kana, the vertical form of ッ
    assert TTFont(io.BytesIO(subset_woff("日本")))["maxp"].numGlyphs == 3
    assert subset_woff("no Japanese here") == b""
