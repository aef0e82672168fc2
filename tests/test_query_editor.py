"""The query page of ``impactkg serve`` in headless Debian chromium: YASGUI served by impactkg
itself (no request leaves the machine), named queries as tabs whose parameters apply to edited
text, the URL that reproduces a result, one-line errors, completions from the graph, and the
download buttons that give the same spreadsheet file as ``impactkg export``."""

from __future__ import annotations

import io
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from browser import launch, screenshot
from servers import impactkg_server

from impactkg import KnowledgeGraph
from impactkg.queries import library

playwright_api = pytest.importorskip("playwright.sync_api")

BIN = Path(sys.executable).parent / "impactkg"
UNKNOWN_PREFIX = (
    "invalid SPARQL: line 1, column 21: unknown prefix foo: (declare it with PREFIX foo: <...>; "
    "predeclared: cids, dcat, dcterms, domain, fm, foaf, ikd, ikg, issue, org, orgtype, owl, prov, "
    "rdf, rdfs, role, sdg, sdgo, skos, stage, status, unit, uom, xsd)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("editor")
    with KnowledgeGraph.open(folder / "store") as kg:
        kg.build()
        srv_counts = {
            code: len(kg.query("indicators-for-target", target=code).terms) for code in ("11.b", "3.4")
        }
    with impactkg_server(folder, "--store", str(folder / "store")) as srv:
        srv.store = folder / "store"
        srv.counts = srv_counts
        yield srv


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


class Editor:
    """The query page, watched for console errors, dialogs and every request it makes."""

    def __init__(self, browser, base: str):
        self.base = base
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.off_site: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.base + "/") or url.startswith(("data:", "about:", "blob:")):
            route.continue_()
        else:
            self.off_site.append(url)
            route.abort()

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-state=ready], body[data-state=running], body[data-state=done], "
                                    "body[data-state=error]")

    def finished(self, state: str = "done") -> str:
        self.page.wait_for_selector(f"body[data-state={state}]", timeout=60_000)
        return self.page.text_content("#status")

    def run(self, state: str = "done") -> str:
        self.page.evaluate("document.body.dataset.state = 'ready'")
        self.page.click("#run")
        return self.finished(state)

    def set_query(self, text: str) -> None:
        self.page.evaluate("(t) => { impactkgQuery.yasgui.getTab().setQuery(t); }", text)

    def query(self) -> str:
        return self.page.evaluate("impactkgQuery.yasgui.getTab().getQuery()")

    def rows(self) -> list[list[str]]:
        return self.page.evaluate(
            "[...document.querySelectorAll('.yasr table.dataTable tbody tr')].map(tr => "
            "[...tr.querySelectorAll('td')].map(td => td.textContent))"
        )

    def clean(self) -> bool:
        return not self.errors and not self.dialogs and not self.off_site

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def editor(browser, site):
    v = Editor(browser, site.base)
    yield v
    v.close()


def test_the_editor_loads_from_this_server_and_completes_from_the_graph(editor, tmp_path):
    editor.go("/query")
    assert editor.page.locator(".yasgui .CodeMirror").count() == 1
    assert editor.page.locator("#example option").count() == 1 + len(library())  # a new tab + every named query
    editor.set_query("SELECT * WHERE { ?i ikg:unitT")
    editor.page.evaluate("""() => { const y = impactkgQuery.yasgui.getTab().getYasqe();
        y.focus(); y.getDoc().setCursor({line: 0, ch: 1000}); y.autocomplete(); }""")
    editor.page.wait_for_selector(".CodeMirror-hints li")
    hints = editor.page.locator(".CodeMirror-hints li").all_text_contents()
    assert hints and hints[0].startswith("ikg:unitText ") and "単位" in hints[0]
    # prefixes: the endpoint's own, not a list fetched from elsewhere
    editor.set_query("PREFIX ik")
    editor.page.evaluate("""() => { const y = impactkgQuery.yasgui.getTab().getYasqe();
        y.focus(); y.getDoc().setCursor({line: 0, ch: 1000}); y.autocomplete(); }""")
    editor.page.wait_for_selector(".CodeMirror-hints li")
    assert "ikg: <https://w3id.org/impactkg/ontology#>" in editor.page.locator(".CodeMirror-hints li").all_text_contents()
    assert {urllib.parse.urlsplit(u).path for u in editor.requests} == {
        "/query", "/static/ui.css", "/static/favicon.svg", "/static/query.js", "/static/yasgui/yasgui.min.js",
        "/static/yasgui/yasgui.min.css", "/static/fonts/IPAexGothic.ttf", "/schema.json",
    }
    # the syntax check knows the predeclared prefixes: a named query is not marked as an error
    editor.page.select_option("#example", "case-map")
    assert editor.page.locator(".yasgui .active .yasqe .parseErrorIcon").count() == 0
    editor.set_query("SELECT * WHERE { ?s foo:bar ?o }")
    assert editor.page.locator(".yasgui .active .yasqe .parseErrorIcon").count() == 1
    assert editor.clean(), (editor.errors, editor.dialogs, editor.off_site)


def test_an_edited_named_query_runs_with_its_parameter(editor, site, tmp_path):
    editor.go("/query?name=indicators-for-target&target=11.b")
    assert site.counts["11.b"] == 17
    assert editor.finished().startswith("17 rows")
    assert editor.page.input_value("input[data-param=target]") == "11.b"
    assert editor.page.text_content("#q-title") == "SDGsターゲット別の指標 Indicators for an SDG target"
    assert editor.page.is_hidden("#edited")
    editor.set_query("# my own note\n" + editor.query())
    assert editor.run().startswith("17 rows")
    assert editor.page.is_visible("#edited")
    rows = editor.rows()
    assert len(rows) == 17 and all(r[-1] == "sdg:11.b" for r in rows)
    editor.page.fill("input[data-param=target]", "3.4")
    assert editor.run().startswith(f"{site.counts['3.4']} rows")
    assert {r[-1] for r in editor.rows()} == {"sdg:3.4"}
    screenshot(editor.page, "query", tmp_path)
    assert editor.clean(), (editor.errors, editor.dialogs, editor.off_site)


def test_the_url_after_run_reproduces_the_result(editor, browser, site):
    editor.go("/query?name=indicators-for-target&target=11.b")
    editor.finished()
    editor.set_query(editor.query().replace("ORDER BY ?line ?id", "ORDER BY DESC(?line)"))
    assert editor.run().startswith("17 rows")
    shared = editor.page.url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)
    assert query["name"] == ["indicators-for-target"] and query["target"] == ["11.b"]
    assert "ORDER BY DESC(?line)" in query["query"][0]
    assert editor.page.get_attribute("#share", "href") == shared[len(site.base):]
    first = editor.rows()
    other = Editor(browser, site.base)
    try:
        other.page.goto(shared)
        assert other.finished().startswith("17 rows")
        assert other.rows() == first
        assert [r[7] for r in first] == [str(n) for n in range(317, 300, -1)]  # the line, descending
        assert other.query() == editor.query()
        assert other.clean(), (other.errors, other.off_site)
    finally:
        other.close()
    # a free SPARQL tab: the URL holds the text
    editor.go("/query?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?i a ikg:Indicator }"))
    assert editor.finished().startswith("1 rows")
    assert editor.rows() == [["36"]]


def test_an_enum_parameter_is_offered_as_its_choices(editor):
    select = "select[data-param=polarity]"
    editor.go("/query?name=feedback-loops&polarity=B")
    b = int(editor.finished().split()[0])
    assert editor.page.eval_on_selector_all(select + " option", "os => os.map(o => o.value)") == ["", "R", "B"]
    assert editor.page.input_value(select) == "B"
    assert [r[0] for r in editor.rows()] == ["B"] * b
    editor.page.select_option(select, "R")
    r = int(editor.run().split()[0])
    assert [row[0] for row in editor.rows()] == ["R"] * r
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(editor.page.url).query)["polarity"] == ["R"]
    editor.page.select_option(select, "")  # omitted: both
    assert editor.run().startswith(f"{b + r} rows") and b > 0 and r > 0
    assert editor.clean(), (editor.errors, editor.dialogs, editor.off_site)


def test_an_unknown_prefix_is_named_in_one_line(editor):
    editor.go("/query")
    editor.set_query("SELECT * WHERE { ?s foo:bar ?o }")
    assert editor.run("error") == UNKNOWN_PREFIX
    assert editor.page.text_content(".yasr .ikg-error").strip() == UNKNOWN_PREFIX
    editor.set_query("SELECT * WHERE {\n  ?s ?p ?o\n")
    assert editor.run("error") == "invalid SPARQL: line 3, column 1: the query ends too soon: expected '}' (or ',', '.', ';', '{')"
    # the only console messages are the browser's own notes of the 400 responses
    assert all("400" in e for e in editor.errors) and not editor.dialogs and not editor.off_site


def test_downloads_are_the_spreadsheet_files_of_export(editor, site, tmp_path):
    editor.go("/query?name=indicators-for-target&target=11.b")
    editor.finished()
    with editor.page.expect_download() as got:
        editor.page.click("#dl-csv")
    download = got.value
    assert download.suggested_filename == "indicators-for-target_target-11.b.csv"
    page_csv = Path(download.path()).read_bytes()
    exported = tmp_path / "11b.csv"
    subprocess.run([str(BIN), "export", "--store", str(site.store), "--query", "indicators-for-target",
                    "--param", "target=11.b", "-o", str(exported)], check=True, capture_output=True)
    assert page_csv == exported.read_bytes()  # byte for byte
    assert page_csv.startswith(b"\xef\xbb\xbf") and page_csv.count(b"\r\n") == 18
    # an edited query downloads with its parameter too
    editor.set_query("# note\n" + editor.query())
    editor.run()
    with editor.page.expect_download() as got:
        editor.page.click("#dl-csv")
    assert Path(got.value.path()).read_bytes() == page_csv
    with editor.page.expect_download() as got:
        editor.page.click("#dl-xlsx")
    assert got.value.suggested_filename == "indicators-for-target_target-11.b.xlsx"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    assert ws.auto_filter.ref == "A1:J18"
    assert [ws.cell(row=r, column=8).value for r in range(2, 19)] == list(range(301, 318))  # numbers
    assert editor.clean(), (editor.errors, editor.off_site)


def test_a_result_links_to_the_resource_page_and_charts_numbers(editor):
    editor.go("/query?name=indicators-per-goal")
    assert editor.finished().startswith("17 rows")
    editor.page.click(".yasr .select_chart")
    bars = editor.page.locator(".yasr svg.ikg-chart rect")
    assert bars.count() == 17
    editor.page.click(".yasr .select_table")
    editor.set_query("SELECT ?org WHERE { ?org a ikg:Organization ; skos:altLabel 'JANPIA' }")
    editor.run()
    editor.page.click(".yasr table.dataTable tbody a.iri")
    editor.page.wait_for_url("**/resource?iri=*")
    assert editor.page.text_content("h1 span[lang=ja]") == "一般財団法人日本民間公益活動連携機構"
    assert editor.clean(), (editor.errors, editor.off_site)


def test_text_from_the_url_never_runs(editor):
    hostile = "</script><script>alert(3)</script>"
    editor.go("/query?query=" + urllib.parse.quote(hostile))
    editor.finished("error")
    assert editor.query() == hostile
    editor.page.wait_for_timeout(300)
    assert editor.dialogs == [] and not editor.off_site
