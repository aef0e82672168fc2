"""The offline HTML reference of the ontology (`impactkg docs`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib

from impactkg.graph.export.docs import anchor, write_docs
from impactkg.ontology import IKG, ontology_file

BIN = Path(sys.executable).with_name("impactkg")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page(HTMLParser):
    """Ids, links, resource references and text of a page."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.resources, self.tags, self.text = set(), [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        for key in ("src", "data", "srcset"):
            if a.get(key):
                self.resources.append(a[key])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return write_docs(tmp_path_factory.mktemp("docs") / "site")


def test_every_term_of_the_ontology_is_documented_with_ja_and_en(site):
    page = parse(site)
    g = rdflib.Graph().parse(ontology_file())
    kinds = (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty, rdflib.SKOS.ConceptScheme)
    terms = {str(s) for k in kinds for s in g.subjects(rdflib.RDF.type, k) if str(s).startswith(IKG)}
    assert terms and {anchor(t) for t in terms} <= page.ids
    html = site.read_text(encoding="utf-8")
    text = " ".join(page.text)
    for term in (IKG + "Activity", IKG + "advancesGoal", IKG + "DomainScheme"):
        for lang in ("ja", "en"):
            definition = str(next(o for o in g.objects(rdflib.URIRef(term), rdflib.SKOS.definition) if o.language == lang))
            assert definition in text, (term, lang)
    # the property chain and the inverse are shown, linked to their terms
    assert "property chain" in text and f'href="#{anchor(IKG + "advancesTarget")}"' in html
    assert f'href="#{anchor(IKG + "measures")}"' in html
    # every internal link lands on an anchor of the page
    assert {h[1:] for h in page.hrefs if h.startswith("#")} <= page.ids
    # the SHACL constraints of a class are listed with it
    assert "an indicator has a label, at most one per language" in text


def test_the_diagram_draws_the_main_chain_from_domains_and_ranges(site):
    html = site.read_text(encoding="utf-8")
    svg = html[html.index("<svg"): html.index("</svg>")]
    for label in ("Activity", "アクティビティ", "Impact", "SDG target", "SDG goal", "Indicator",
                  "ikg:hasResult", "ikg:contributesTo", "ikg:servesTarget", "sdgo:isTargetOf",
                  "ikg:measures", "ikg:hasImpact"):
        assert label in svg, label
    assert 'stroke-dasharray' in svg  # derived (property-chain) arrows are dashed


def test_the_page_loads_nothing_from_elsewhere(site):
    page = parse(site)
    assert "script" not in page.tags and "img" not in page.tags
    assert page.resources == []
    html = site.read_text(encoding="utf-8")
    assert "@import" not in html
    urls = set(re.findall(r"url\(([^)]*)\)", html))
    fonts = {u for u in urls if u.startswith("data:font/woff;base64,")}  # the embedded Japanese glyphs
    assert len(fonts) == 1 and urls - fonts == {"#arrow"}  # and the SVG's own marker
    local = [h for h in page.hrefs if not h.startswith("#")]
    assert sorted(local) == ["impactkg.ttl", "reasoning.ttl", "shapes.ttl"]
    assert all((site.parent / h).exists() for h in local)


def test_ontology_text_is_escaped(tmp_path):
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/impactkg/ontology> a owl:Ontology ; rdfs:label "T & <b>O</b>"@en .
<https://w3id.org/impactkg/ontology#Evil> a owl:Class ;
    rdfs:label "<script>alert('x')</script>"@en , "悪い\\"名前\\""@ja ;
    skos:definition "a < b && c > d"@en , "<img src=x onerror=alert(1)>"@ja .
""",
        encoding="utf-8",
    )
    page_file = write_docs(tmp_path / "out", ontology=hostile)
    html = page_file.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html and "<b>O</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "a &lt; b &amp;&amp; c &gt; d" in html and "&quot;名前&quot;" in html
    assert not (tmp_path / "out" / "shapes.ttl").exists()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium: the page is not rendered in a browser")
def test_chromium_renders_the_page_offline(site, tmp_path):
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--dump-dom", site.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<svg" in dom and "アクティビティ" in dom and 'id="ikg-Activity"' in dom
    assert "impactkg ontology" in dom


def test_docs_command(tmp_path):
    proc = subprocess.run([str(BIN), "docs", "-o", str(tmp_path / "site")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").exists() and "works offline" in proc.stdout
    blocked = tmp_path / "file"
    blocked.write_text("x")
    bad = subprocess.run([str(BIN), "docs", "-o", str(blocked / "site")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.startswith("impactkg: error: cannot write the documentation")
