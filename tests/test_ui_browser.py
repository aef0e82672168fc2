"""The browser pages of ``impactkg serve`` in headless Debian chromium: they load with no console
error and no request off the server, resource pages follow links, search finds labels, the schema
page lists the classes with their properties, the ontology reference is served, the maps are
served, and text from the data never runs as HTML. The query page is tests/test_query_editor.py."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from browser import launch, screenshot
from servers import impactkg_server

from impactkg import KnowledgeGraph

playwright_api = pytest.importorskip("playwright.sync_api")

HOSTILE_IRI = "https://example.org/hostile"
HOSTILE_JA = "<script>alert('ja')</script>"
HOSTILE_EN = '"><img src=x onerror=alert(1)>'
JANPIA = "https://w3id.org/impactkg/id/org/janpia"
HOSTILE_TTL = """@prefix ikg: <https://w3id.org/impactkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<IRI> a ikg:Indicator ;
  rdfs:label "JA"@ja , "EN"@en ; ikg:searchKey "KEY" ;
  rdfs:comment "</textarea><svg onload=alert(2)>" ;
  dcterms:publisher <PUBLISHER> .
""".replace("IRI", HOSTILE_IRI).replace("JA", HOSTILE_JA).replace("EN", HOSTILE_EN.replace('"', '\\"')).replace(
    "KEY", "<script>alert('ja')</script>").replace("PUBLISHER", JANPIA)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui")
    data = folder / "hostile.ttl"
    data.write_text(HOSTILE_TTL, encoding="utf-8")
    with KnowledgeGraph.open(folder / "store") as kg:
        kg.build()
        kg.load(data, graph="https://example.org/graph/hostile")
        quads = len(kg)
    with impactkg_server(folder, "--store", str(folder / "store")) as srv:
        srv.quads = quads
        yield srv


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


class Visit:
    """A page of the site, watched for console errors, dialogs and requests off the server."""

    def __init__(self, browser, base: str):
        self.base = base
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.off_site: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            self.off_site.append(url)
            route.abort()

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-state]")
        return response

    def clean(self) -> bool:
        return not self.errors and not self.dialogs and not self.off_site

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser, site):
    v = Visit(browser, site.base)
    yield v
    v.close()


def test_home_page_shows_statistics(visit, site):
    assert visit.go("/").status == 200
    assert visit.page.text_content("#quads") == str(site.quads)
    assert visit.page.locator("#classes tbody tr").count() > 10
    assert visit.page.locator("ul.queries li").count() >= 16
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_resource_page_labels_links_and_neighbourhood(visit):
    visit.go("/resource?iri=" + urllib.parse.quote(JANPIA, safe=""))
    assert visit.page.text_content("h1 span[lang=ja]") == "一般財団法人日本民間公益活動連携機構"
    assert visit.page.text_content("h1 small[lang=en]") == "Japan Network for Public Interest Activities"
    assert visit.page.locator("#outgoing tr").count() >= 5
    incoming = visit.page.text_content("#incoming")
    assert HOSTILE_JA in incoming  # shown as text
    assert visit.page.locator("#neighbourhood a").count() >= 3
    visit.page.click("#neighbourhood a:has-text('財団')")
    visit.page.wait_for_url("**foundation*")
    assert visit.page.text_content("h1 span[lang=ja]") == "財団"
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_text_from_the_data_never_runs(visit):
    visit.go("/resource?iri=" + urllib.parse.quote(HOSTILE_IRI, safe=""))
    assert visit.page.text_content("h1 span[lang=ja]") == HOSTILE_JA
    assert visit.page.text_content("h1 small[lang=en]") == HOSTILE_EN
    assert "</textarea><svg onload=alert(2)>" in visit.page.text_content("#outgoing")
    assert visit.page.locator("main script, main img, #outgoing svg").count() == 0
    visit.go("/search?q=" + urllib.parse.quote("script"))
    assert HOSTILE_JA in visit.page.text_content("#hits")
    visit.go("/query?query=" + urllib.parse.quote("</textarea><script>alert(3)</script>"))
    assert visit.page.evaluate("impactkgQuery.yasgui.getTab().getQuery()") == "</textarea><script>alert(3)</script>"
    visit.page.wait_for_timeout(300)
    visit.errors = [e for e in visit.errors if "400" not in e]  # the browser's note of the 400 answer
    assert visit.dialogs == [] and visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_schema_page_lists_indicator_with_its_properties(visit, tmp_path):
    visit.go("/schema")
    assert visit.page.text_content("#ikg-Indicator h2 code") == "ikg:Indicator"
    assert "インパクト指標" in visit.page.text_content("#ikg-Indicator h2")
    props = visit.page.locator("#ikg-Indicator table.props tbody th code").all_text_contents()
    assert {"ikg:unitText", "ikg:sdgTarget", "ikg:measures", "rdfs:label", "dcterms:identifier"} <= set(props)
    row = visit.page.locator("#ikg-Indicator table.props tbody tr", has_text="ikg:unitText")
    cells = row.locator("td").all_text_contents()
    assert cells[0] == "35" and cells[2].startswith("xsd:string")  # 35 indicators have a unit
    assert cells[4] == "?indicator a ikg:Indicator ; ikg:unitText ?unitText ."
    # where ikg:socialIssue is used: on case-map entries, not on finance cases
    uses = visit.page.evaluate("""[...document.querySelectorAll('#properties tr')]
        .find(tr => tr.querySelector('td code').textContent === 'ikg:socialIssue').cells[2].textContent""")
    assert uses == "ikg:CaseMapEntry (64)"
    assert visit.page.locator("#chain a").count() == 6  # activity, result, impact, target, goal, indicator
    screenshot(visit.page, "schema", tmp_path)
    # a pattern is a link that runs it
    row.locator("a.run").click()
    visit.page.wait_for_url("**/query?query=*")
    visit.page.wait_for_selector("body[data-state=done]", timeout=60_000)
    assert visit.page.text_content("#status").startswith("35 rows")
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_the_ontology_reference_is_served(visit):
    response = visit.page.goto(visit.base + "/docs")
    assert response.status == 200 and visit.page.url.endswith("/docs/")
    assert visit.page.locator("#diagram").count() == 1
    assert "オントロジー" in visit.page.text_content("h1")
    with visit.page.expect_response("**/docs/impactkg.ttl") as got:
        visit.page.click("a[href='impactkg.ttl']")
    assert got.value.status == 200 and got.value.headers["content-type"].startswith("text/turtle")
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_label_search_in_japanese_and_english(visit):
    visit.go("/search?q=" + urllib.parse.quote("銀行"))
    hits = visit.page.locator("#hits li a").all_text_contents()
    assert "千葉銀行" in hits
    visit.go("/search?q=impact+consortium&lang=en")
    hits = visit.page.locator("#hits li").all_text_contents()
    assert hits and all("@en" in h for h in hits)
    visit.page.fill("header input[name=q]", "ＢＭＩ")
    visit.page.press("header input[name=q]", "Enter")
    visit.page.wait_for_url("**/search?q=*")
    assert visit.page.locator("#hits li").count() >= 1
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_maps_are_served_offline(visit):
    visit.go("/maps")
    links = visit.page.locator("#maps a").all()
    assert len(links) == 10
    # The embedded dataset has no organisation's IMM: the value map says so instead of an empty map.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(visit.base + "/maps/value")
    assert refused.value.code == 400
    assert "no KPI pool or value hypotheses in the graph" in refused.value.read().decode("utf-8")
    visit.go("/maps/logic?lang=en")
    visit.page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert visit.page.text_content("#ikg-title") == "Logic-model map"
    visit.go("/maps/system?lang=ja")
    visit.page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)
