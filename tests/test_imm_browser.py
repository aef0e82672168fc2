"""The value-relationship map of the example company in a real headless Debian chromium: it opens
offline, draws impact → business → financial KPIs from left to right, draws each value
hypothesis by its evidence, and switches language."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import launch, open_page, painted_pixels, screenshot_stats
from servers import impactkg_server

from impactkg.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (pip install -e '.[test]')")

EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example"
IND = "https://w3id.org/impactkg/id/indicator/imm-example-"


@pytest.fixture(scope="module")
def example_store(tmp_path_factory) -> Path:
    """A store holding the example company's IMM workbook, loaded by the command line."""
    store = tmp_path_factory.mktemp("value-map") / "store"
    assert main(["load", "--store", str(store), str(EXAMPLE / "imm-example.xlsx"),
                 "--namespace", "imm-example"]) == 0
    return store


@pytest.fixture(scope="module")
def value_map(example_store) -> Path:
    """The example's value map, written by the command line as a user would."""
    out = example_store.parent / "value.html"
    assert main(["map", "value", "--store", str(example_store), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_value_map_draws_the_chain_left_to_right_with_hypotheses_by_evidence(browser, value_map):
    page, watch = open_page(browser, value_map)
    try:
        assert watch.errors == [] and watch.dialogs == [] and watch.blocked == []
        assert watch.requests and all(url.startswith("file://") for url in watch.requests)
        assert painted_pixels(page) > 3000
        colours, non_white = screenshot_stats(browser, page.locator("#ikg-map").screenshot())
        assert colours > 20 and non_white > 3000
        assert page.evaluate("impactkgMap.nodes.length") == 7
        assert page.evaluate("impactkgMap.network.physics.physicsEnabled") is False
        x = page.evaluate("(() => { const p = impactkgMap.network.getPositions(); const o = {};"
                          " for (const k in p) { o[k] = p[k].x; } return o; })()")
        impact, esg = x[IND + "1"], x[IND + "4"]
        business = [x[IND + k] for k in ("2", "3", "7")]
        financial = [x[IND + k] for k in ("5", "6")]
        assert impact == pytest.approx(esg, abs=1)  # the first column
        assert max(impact, esg) < min(business) and max(business) < min(financial)
        # Each hypothesis is drawn by its evidence: thicker and solid for stronger evidence.
        drawn = {e["id"]: e for e in page.evaluate("impactkgMap.edges.get()")}
        data = {e["id"]: e for e in page.evaluate("impactkgMap.data.edges")}
        style = {data[i]["rel"]: (e["width"], bool(e["dashes"]), e["color"]["color"]) for i, e in drawn.items()}
        assert style == {
            "hypothesis-correlational": (3.5, False, "#2e7d32"),
            "hypothesis-qualitative": (2.5, True, "#689f38"),
            "hypothesis-assumed": (1.5, True, "#9e9d24"),
            "hypothesis-refuted": (1, True, "#9e9e9e"),
        }
        labels = sorted(e["label"] for e in drawn.values())
        assert labels == ["+ 12か月", "+ 12か月", "+ 12か月", "+ 6か月", "− 24か月"]
        legend = page.locator("#ikg-links").all_text_contents()[0]
        assert legend.index("相関の根拠") < legend.index("定性的な根拠") < legend.index("仮定") < legend.index("棄却")
        assert page.locator("#ikg-title").text_content() == "価値関連図"
        page.click("#ikg-lang")
        assert page.locator("#ikg-title").text_content() == "Value-relationship map"
        assert sorted(e["label"] for e in page.evaluate("impactkgMap.edges.get()")) == [
            "+ 12 mo", "+ 12 mo", "+ 12 mo", "+ 6 mo", "− 24 mo"]
        assert page.evaluate(f"impactkgMap.nodes.get('{IND}5').label") == "Return on invested capital"
        assert watch.errors == []
    finally:
        page.close()


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def test_value_map_is_served_at_maps_value(browser, example_store):
    """``impactkg serve`` lists the value map with the other kinds and serves it at /maps/value,
    drawn as the file is, filtered by organisation; an unknown organisation is a 400 naming it."""
    with impactkg_server(example_store.parent / "serve", "--store", str(example_store)) as srv:
        status, _, index = _get(srv.base + "/maps")
        assert status == 200
        assert '<a href="/maps/value?lang=ja" lang="ja">価値関連図</a>' in index
        assert '<a href="/maps/value?lang=en" lang="en">Value-relationship map</a>' in index
        status, headers, _ = _get(srv.base + "/maps/value?lang=en")
        assert status == 200 and headers["Content-Security-Policy"].startswith("default-src 'none'")
        status, _, body = _get(srv.base + "/maps/value?domain=nobody")
        assert status == 400
        assert "no domain &#x27;nobody&#x27; on the value map (domains: サンプル環境機器株式会社（架空）)" in body

        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        off_site: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

        def route(r) -> None:
            if r.request.url.startswith(srv.base + "/") or r.request.url.startswith(("data:", "about:")):
                r.continue_()
            else:
                off_site.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        try:
            for path in ("/maps/value?lang=en", "/maps/value?lang=ja&domain=example-co"):
                assert page.goto(srv.base + path).status == 200
                page.wait_for_selector("body[data-state=ready]", timeout=60_000)
                assert page.evaluate("impactkgMap.nodes.length") == 7
                assert painted_pixels(page) > 3000
            assert page.locator("#ikg-title").text_content() == (
                "価値関連図: サンプル環境機器株式会社（架空）")
            assert page.evaluate(f"impactkgMap.nodes.get('{IND}5').label") == "ROIC（投下資本利益率）"
            assert errors == [] and off_site == []
        finally:
            page.close()
