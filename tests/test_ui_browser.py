"""The browser pages of ``impactkg serve`` in headless Debian chromium: they load with no console
error and no request off the server, the query page runs named queries and sorts and downloads
the results, resource pages follow links, search finds labels, the maps are served, and text
from the data never runs as HTML."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from browser import launch
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


def test_query_page_runs_a_named_query_sorts_and_downloads(visit, site):
    visit.go("/query")
    visit.page.select_option("#example", "indicators-for-target")
    assert "ikg:sdgTarget ?target" in visit.page.input_value("#editor")
    visit.page.fill("input[data-param=target]", "11.b")
    visit.page.click("#run")
    visit.page.wait_for_selector("body[data-state=done]")
    assert visit.page.locator("#results tbody tr").count() == 17
    assert visit.page.text_content("#status").startswith("17 rows")

    def column(i: int) -> list[str]:
        return visit.page.locator(f"#results tbody tr td:nth-child({i})").all_text_contents()

    visit.page.click("#results th:nth-child(8) button")  # line
    assert column(8) == [str(n) for n in range(301, 318)]
    visit.page.click("#results th:nth-child(8) button")
    assert column(8) == [str(n) for n in range(317, 300, -1)]
    assert visit.page.get_attribute("#results th:nth-child(8)", "aria-sort") == "descending"
    visit.page.click("#results th:nth-child(1) button")  # id, as numbers: 1, 2, ..., 17
    assert column(1) == [str(n) for n in range(1, 18)]

    hrefs = {k: visit.page.get_attribute(f"#dl-{k}", "href") for k in ("csv", "json", "xlsx")}
    assert all(h.startswith("/queries/indicators-for-target?target=11.b") for h in hrefs.values())
    with urllib.request.urlopen(site.base + hrefs["csv"]) as resp:
        rows = list(csv.DictReader(io.StringIO(resp.read().decode("utf-8"))))
    assert len(rows) == 17 and rows[0]["indicator"] == "地震後施設復旧時間"
    with urllib.request.urlopen(site.base + hrefs["json"]) as resp:
        assert len(json.load(resp)["results"]["bindings"]) == 17
    with urllib.request.urlopen(site.base + hrefs["xlsx"]) as resp:
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(resp.read())).active.max_row == 18
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_query_page_follows_a_link_from_the_results(visit):
    visit.go("/query")
    visit.page.fill("#editor", "SELECT ?org ?label WHERE { ?org a ikg:Organization ; skos:altLabel 'JANPIA' ; rdfs:label ?label FILTER(lang(?label) = 'ja') }")
    visit.page.click("#run")
    visit.page.wait_for_selector("body[data-state=done]")
    visit.page.click("#results tbody a")
    visit.page.wait_for_url("**/resource?iri=*")
    assert visit.page.text_content("h1 span[lang=ja]") == "一般財団法人日本民間公益活動連携機構"
    assert visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


def test_query_page_shows_a_bad_query_as_an_error(visit):
    visit.go("/query")
    visit.page.fill("#editor", "SELECT ?x WHERE { ?x ?p }")
    visit.page.click("#run")
    visit.page.wait_for_selector("body[data-state=error]")
    assert visit.page.text_content("#status").startswith("400: invalid SPARQL:")
    # the only console message is the browser's own note of the 400 response
    assert all("400" in e for e in visit.errors) and not visit.dialogs and not visit.off_site


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
    assert visit.page.input_value("#editor") == "</textarea><script>alert(3)</script>"
    visit.page.wait_for_timeout(300)
    assert visit.dialogs == [] and visit.clean(), (visit.errors, visit.dialogs, visit.off_site)


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
