"""The value-relationship map of the example company in a real headless Debian chromium: it opens
offline, draws impact → business → financial KPIs from left to right, draws each value
hypothesis by its evidence, and switches language."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import launch, open_page, painted_pixels, screenshot_stats

from impactkg.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (pip install -e '.[test]')")

EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example"
IND = "https://w3id.org/impactkg/id/indicator/imm-example-"


@pytest.fixture(scope="module")
def value_map(tmp_path_factory) -> Path:
    """The example's value map, written by the command line as a user would."""
    out = tmp_path_factory.mktemp("value-map")
    store = str(out / "store")
    assert main(["load", "--store", store, str(EXAMPLE / "imm-example.xlsx"), "--namespace", "imm-example"]) == 0
    assert main(["map", "value", "--store", store, "-o", str(out / "value.html")]) == 0
    return out / "value.html"


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
