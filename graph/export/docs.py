"""An offline HTML reference of the ontology, generated from the ontology files themselves.

``impactkg docs -o DIR`` writes ``DIR/index.html``: the classes (hierarchy, disjointness, the
properties that use them, the SHACL constraints on their instances), the object and datatype
properties (domain, range, inverse, property chains, characteristics), the SKOS concept schemes,
each with its labels and definitions in Japanese and English, and a diagram of the main chain
(activity -> output/outcome -> impact -> SDG target -> goal, and the indicators that measure it),
drawn from the domains and ranges the ontology declares. The page has no script, style sheet,
font or image from elsewhere (its Japanese glyphs are an embedded subset of IPAexGothic, see
:mod:`impactkg.graph.export.webfont`), and every text from the ontology is escaped. The ontology and
shapes files are copied beside it.

>>> anchor("https://w3id.org/impactkg/ontology#Activity")
'ikg-Activity'
"""

from __future__ import annotations

import html
import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, BNode, URIRef

from impactkg.errors import DocsError
from impactkg.graph.export.webfont import FONT_STACK, font_face_css
from impactkg.ontology import IKG, PREFIXES, SCHEMES, SDGO, ontology_file, shapes_file

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
#: The main chain, by property: each one's domain and range are the diagram's boxes.
CHAIN = [IKG + "hasResult", IKG + "contributesTo", IKG + "servesTarget", SDGO + "isTargetOf"]
#: The measurement side of the diagram.
SIDE = [IKG + "measures", IKG + "hasValue"]
CHARACTERISTICS = {
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
}



def e(text: object) -> str:
    """Escape text for HTML (quotes too)."""
    return html.escape(str(text), quote=True)


def curie(iri: str) -> str:
    """``ikg:Activity`` for the IRI of a term in a known namespace (the longest that fits)."""
    best = ""
    for prefix, ns in PREFIXES.items():
        rest = iri[len(ns) :]
        if iri.startswith(ns) and rest and not set(rest) & set("/#") and len(ns) > len(best):
            best = ns
            out = f"{prefix}:{rest}"
    return out if best else iri


def anchor(iri: str) -> str:
    """The HTML id of a term: its CURIE with ``-`` for ``:``."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in curie(iri))


class _Onto:
    def __init__(self, ontology: Path, shapes: Path | None, extra: Sequence[Path] = ()):
        self.g = rdflib.Graph()
        for path in (ontology, *extra):
            try:
                self.g.parse(path)
            except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for a bad file
                raise DocsError(f"cannot read the ontology {path}: {' '.join(str(exc).split())}") from None
        self.shapes = rdflib.Graph()
        if shapes is not None and shapes.exists():
            try:
                self.shapes.parse(shapes)
            except Exception as exc:  # noqa: BLE001
                raise DocsError(f"cannot read the shapes {shapes}: {' '.join(str(exc).split())}") from None
        g = self.g
        self.classes = self._named(OWL.Class)
        self.object_props = self._named(OWL.ObjectProperty)
        self.data_props = self._named(OWL.DatatypeProperty)
        self.schemes = self._named(SKOS.ConceptScheme)
        self.documented = set(self.classes) | set(self.object_props) | set(self.data_props) | set(self.schemes)
        self.sub: dict[str, list[str]] = defaultdict(list)
        for c in self.classes:
            for sup in self.objects(c, RDFS.subClassOf):
                self.sub[sup].append(c)
        self.ontology = next((str(s) for s in g.subjects(RDF.type, OWL.Ontology)), None)

    def _named(self, cls) -> list[str]:
        items = {str(s) for s in self.g.subjects(RDF.type, cls) if isinstance(s, URIRef)}
        return sorted(items, key=lambda i: (not i.startswith(IKG), curie(i).casefold()))

    def objects(self, s: str, p) -> list[str]:
        return sorted(str(o) for o in self.g.objects(URIRef(s), p) if isinstance(o, URIRef))

    def text(self, s: str, p, lang: str) -> str:
        for o in sorted(self.g.objects(URIRef(s), p), key=str):
            if isinstance(o, rdflib.Literal) and o.language == lang:
                return str(o)
        return ""

    def label(self, s: str, lang: str = "en") -> str:
        return self.text(s, RDFS.label, lang) or self.text(s, SKOS.prefLabel, lang) or curie(s)

    def chains(self, p: str) -> list[list[str]]:
        out = []
        for head in self.g.objects(URIRef(p), OWL.propertyChainAxiom):
            out.append([str(x) for x in rdflib.collection.Collection(self.g, head)])
        return out

    def constraints(self, cls: str) -> list[str]:
        messages = []
        for shape in self.shapes.subjects(SH.targetClass, URIRef(cls)):
            for prop in self.shapes.objects(shape, SH.property):
                messages += [str(m) for m in self.shapes.objects(prop, SH.message)]
            messages += [str(m) for m in self.shapes.objects(shape, SH.message)]
        return sorted(set(messages))


# ---------------------------------------------------------------------- HTML pieces
def _ref(o: _Onto, iri: str) -> str:
    """A link to a documented term, else the IRI as code."""
    if isinstance(iri, BNode) or iri.startswith("_:"):
        return "<code>(anonymous)</code>"
    if iri in o.documented:
        return f'<a href="#{e(anchor(iri))}"><code>{e(curie(iri))}</code></a>'
    return f"<code>{e(curie(iri))}</code>"


def _refs(o: _Onto, iris: list[str]) -> str:
    return ", ".join(_ref(o, i) for i in iris) if iris else "—"


def _term_head(o: _Onto, iri: str, kind: str) -> list[str]:
    ja, en = o.label(iri, "ja"), o.label(iri, "en")
    return [
        f'<section class="term" id="{e(anchor(iri))}">',
        f'<h3><span class="kind">{e(kind)}</span> {e(en)} <span lang="ja">{e(ja)}</span></h3>',
        f'<p class="iri"><code>{e(iri)}</code></p>',
        '<table class="defs">',
        f'<tr><th>ja</th><td lang="ja">{e(o.text(iri, SKOS.definition, "ja") or "—")}</td></tr>',
        f'<tr><th>en</th><td lang="en">{e(o.text(iri, SKOS.definition, "en") or "—")}</td></tr>',
        "</table>",
        "<dl>",
    ]


def _class_section(o: _Onto, c: str) -> str:
    out = _term_head(o, c, "class")
    props_dom = [p for p in o.object_props + o.data_props if c in o.objects(p, RDFS.domain)]
    props_rng = [p for p in o.object_props if c in o.objects(p, RDFS.range)]
    disjoint = sorted(set(o.objects(c, OWL.disjointWith)) | {str(s) for s in o.g.subjects(OWL.disjointWith, URIRef(c))})
    rows = [
        ("subclass of", _refs(o, o.objects(c, RDFS.subClassOf))),
        ("subclasses", _refs(o, sorted(o.sub.get(c, [])))),
        ("disjoint with", _refs(o, disjoint)),
        ("properties (domain)", _refs(o, props_dom)),
        ("used as range of", _refs(o, props_rng)),
    ]
    out += [f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows]
    constraints = o.constraints(c)
    if constraints:
        items = "".join(f"<li>{e(m)}</li>" for m in constraints)
        out.append(f"<dt>SHACL constraints</dt><dd><ul>{items}</ul></dd>")
    out += ["</dl>", "</section>"]
    return "\n".join(out)


def _property_section(o: _Onto, p: str, kind: str) -> str:
    out = _term_head(o, p, kind)
    inverse = sorted(set(o.objects(p, OWL.inverseOf)) | {str(s) for s in o.g.subjects(OWL.inverseOf, URIRef(p))})
    traits = [name for cls, name in CHARACTERISTICS.items() if (URIRef(p), RDF.type, cls) in o.g]
    rows = [
        ("domain", _refs(o, o.objects(p, RDFS.domain))),
        ("range", _refs(o, o.objects(p, RDFS.range))),
        ("subproperty of", _refs(o, o.objects(p, RDFS.subPropertyOf))),
        ("inverse", _refs(o, inverse)),
        ("characteristics", e(", ".join(traits)) if traits else "—"),
    ]
    for chain in o.chains(p):
        rows.append(("property chain", " ∘ ".join(_ref(o, x) for x in chain)))
    out += [f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows]
    out += ["</dl>", "</section>"]
    return "\n".join(out)


def _scheme_section(o: _Onto, s: str) -> str:
    out = _term_head(o, s, "concept scheme")
    classes = [cls for scheme, cls in SCHEMES.values() if scheme == s]
    if not classes and s.endswith("Scheme") and s[: -len("Scheme")] in o.classes:
        classes = [s[: -len("Scheme")]]  # named alike: ikg:ImpactDimensionScheme, ikg:ImpactDimension
    out.append(f"<dt>concepts are instances of</dt><dd>{_refs(o, classes)}</dd>")
    out += ["</dl>", "</section>"]
    return "\n".join(out)


# ---------------------------------------------------------------------- the diagram
def diagram(o: _Onto) -> str:
    """An SVG of the main chain and the indicators that measure it, from domains and ranges."""
    boxes: dict[str, tuple[int, int]] = {}
    edges: list[tuple[str, str, str, bool]] = []
    w, h, gap = 170, 58, 120
    x, row1, row2 = 20, 70, 250
    chain = [p for p in CHAIN if p in o.object_props]
    for p in chain:
        dom, rng = o.objects(p, RDFS.domain), o.objects(p, RDFS.range)
        if not dom or not rng:
            continue
        for node in (dom[0], rng[0]):
            if node not in boxes:
                boxes[node] = (x, row1)
                x += w + gap
        edges.append((dom[0], rng[0], p, False))
    side = [p for p in SIDE if p in o.object_props and o.objects(p, RDFS.domain) and o.objects(p, RDFS.range)]
    for i, p in enumerate(side):
        start, end = o.objects(p, RDFS.domain)[0], o.objects(p, RDFS.range)[0]
        boxes.setdefault(start, (20, row2))
        # the first side property runs to the right of its domain, the next ones below it
        dx, dy = boxes[start]
        boxes.setdefault(end, (dx + w + gap, dy) if i == 0 else (dx, dy + (h + 70) * i))
        edges.append((start, end, p, False))
    if not boxes:
        return "<p>(the ontology declares no domain and range for the main chain)</p>"
    x2 = max(bx for bx, _ in boxes.values()) + w + gap
    row2 = max(by for _, by in boxes.values())
    for p in o.object_props:
        if o.chains(p):
            dom, rng = o.objects(p, RDFS.domain), o.objects(p, RDFS.range)
            if dom and rng and dom[0] in boxes and rng[0] in boxes:
                edges.append((dom[0], rng[0], p, True))
    width = max(x, x2) + 10
    height = row2 + h + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="main chain of the ontology">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#445"/></marker></defs>',
    ]
    curve = 0
    for src, dst, p, derived in edges:
        (x1, y1), (x2_, y2) = boxes[src], boxes[dst]
        label = e(curie(p))
        if derived and y1 == y2:
            curve += 1
            sx, ex, top = x1 + w / 2, x2_ + w / 2, y1 - 8 - 6 * curve
            parts.append(
                f'<path d="M {sx} {y1} C {sx} {top - 20}, {ex} {top - 20}, {ex} {y2}" '
                'fill="none" stroke="#888" stroke-dasharray="5 4" marker-end="url(#arrow)"/>'
            )
            parts.append(f'<text x="{(sx + ex) / 2}" y="{top - 10}" class="derived">{label}</text>')
            continue
        ax: float  # an int in one branch, a float in the other; the SVG keeps each as it is
        bx: float
        if y1 == y2:
            ax, ay, bx, by = x1 + w, y1 + h / 2, x2_, y2 + h / 2
        else:
            ax, ay = x1 + w / 2, (y1 + h if y2 > y1 else y1)
            bx, by = x2_ + w / 2, (y2 if y2 > y1 else y2 + h)
        dash = ' stroke-dasharray="5 4"' if derived else ""
        parts.append(
            f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" stroke="#445"{dash} '
            'marker-end="url(#arrow)"/>'
        )
        at = 0.5 if not derived else 0.75 - 0.25 * (curve % 2)
        curve += derived
        tx, ty = ax + (bx - ax) * at, ay + (by - ay) * at - 6
        cls = "derived" if derived else "edge"
        parts.append(f'<text x="{tx:.0f}" y="{ty:.0f}" class="{cls}">{label}</text>')
    for node, (bx, by) in boxes.items():
        href = f"#{anchor(node)}" if node in o.documented else None
        box = (
            f'<rect x="{bx}" y="{by}" width="{w}" height="{h}" rx="8"/>'
            f'<text x="{bx + w / 2}" y="{by + 24}" class="en">{e(o.label(node, "en"))}</text>'
            f'<text x="{bx + w / 2}" y="{by + 44}" class="ja">{e(o.label(node, "ja"))}</text>'
        )
        parts.append(f'<a href="{e(href)}">{box}</a>' if href else box)
    parts.append("</svg>")
    return "\n".join(parts)


CSS = """
body{font-family:FONT_STACK;margin:0;color:#222;line-height:1.5}
nav{position:fixed;top:0;left:0;bottom:0;width:240px;overflow:auto;background:#f4f5f7;padding:12px;font-size:13px;box-sizing:border-box}
nav a{display:block;color:#234;text-decoration:none;padding:1px 0}
nav h2{font-size:14px;margin:12px 0 4px}
main{margin-left:260px;padding:16px 28px;max-width:1100px}
h1{font-size:24px} h2{border-bottom:2px solid #ccd;padding-bottom:4px;margin-top:36px}
.term{border:1px solid #dde;border-radius:6px;padding:8px 14px;margin:14px 0}
.term h3{margin:4px 0;font-size:17px} .kind{font-size:11px;text-transform:uppercase;color:#fff;background:#567;border-radius:3px;padding:1px 5px;vertical-align:middle}
.iri{margin:2px 0;font-size:12px;color:#556}
.defs th{text-align:left;color:#667;font-weight:normal;padding-right:8px;vertical-align:top} .defs{margin:4px 0}
dl{display:grid;grid-template-columns:170px 1fr;margin:6px 0;font-size:14px} dt{color:#667} dd{margin:0}
code{font-size:13px} a code{color:#135}
svg{max-width:100%;height:auto} svg rect{fill:#eef3fb;stroke:#557} svg text{text-anchor:middle;font-size:13px;fill:#223}
svg text.ja{font-size:12px;fill:#445} svg text.edge,svg text.derived{font-size:11px;fill:#335}
svg text.derived{fill:#777} .diagram{overflow-x:auto;border:1px solid #dde;border-radius:6px;padding:8px}
"""


def render(
    ontology: Path | None = None, shapes: Path | None = None, extra: list[Path] | None = None
) -> str:
    """The HTML page for the ontology file (default: impactkg's, with its reasoning axioms) and
    its SHACL shapes."""
    if ontology is None and extra is None:
        extra = [ontology_file().with_name("reasoning.ttl")]
    o = _Onto(ontology or ontology_file(), shapes if shapes is not None else shapes_file(), extra or [])
    onto = o.ontology or ""
    title_en = o.label(onto, "en") if onto else "Ontology"
    title_ja = o.label(onto, "ja") if onto else ""
    version = next((str(v) for v in o.g.objects(URIRef(onto), OWL.versionInfo)), "") if onto else ""
    sections = [
        ("classes", "Classes / クラス", o.classes, lambda i: _class_section(o, i)),
        ("object-properties", "Object properties / オブジェクトプロパティ", o.object_props,
         lambda i: _property_section(o, i, "object property")),
        ("datatype-properties", "Datatype properties / データプロパティ", o.data_props,
         lambda i: _property_section(o, i, "datatype property")),
        ("schemes", "Concept schemes / 概念体系", o.schemes, lambda i: _scheme_section(o, i)),
    ]  # fmt: skip
    nav = ['<nav><a href="#top"><b>' + e(title_en) + "</b></a>", '<a href="#diagram">Main chain / 主要な連鎖</a>']
    for sid, heading, items, _ in sections:
        nav.append(f'<h2><a href="#{sid}">{e(heading)}</a></h2>')
        nav += [f'<a href="#{e(anchor(i))}">{e(curie(i))}</a>' for i in items]
    nav.append("</nav>")
    body = [
        '<main id="top">',
        f'<h1>{e(title_en)} <span lang="ja">{e(title_ja)}</span></h1>',
        f"<p><code>{e(onto)}</code>" + (f" — version {e(version)}" if version else "") + "</p>",
        f'<p lang="ja">{e(o.text(onto, SKOS.definition, "ja"))}</p>' if onto else "",
        f'<p lang="en">{e(o.text(onto, SKOS.definition, "en"))}</p>' if onto else "",
        f"<p>{len(o.classes)} classes, {len(o.object_props)} object properties, "
        f"{len(o.data_props)} datatype properties, {len(o.schemes)} concept schemes. "
        'Files: <a href="impactkg.ttl">ontology (Turtle)</a>'
        + (', <a href="reasoning.ttl">property chains</a>' if extra else "")
        + (', <a href="shapes.ttl">SHACL shapes</a>' if len(o.shapes) else "")
        + ".</p>",
        '<h2 id="diagram">Main chain / 主要な連鎖</h2>',
        "<p>Boxes are classes, arrows the object properties between them (their domain and "
        "range); dashed arrows are derived by reasoning (property chains).</p>",
        f'<div class="diagram">{diagram(o)}</div>',
    ]
    for sid, heading, items, make in sections:
        body.append(f'<h2 id="{sid}">{e(heading)}</h2>')
        body += [make(i) for i in items]
    body.append("</main>")
    content = "\n".join([*nav, *body])
    # Japanese glyphs travel with the page: a subset of IPAexGothic (impactkg.graph.export.webfont).
    font = font_face_css(title_en + content)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title_en)} — reference</title>",
            f"<style>{font}{CSS.replace('FONT_STACK', FONT_STACK)}</style>",
            "</head><body>",
            content,
            "</body></html>",
        ]
    )


def write_docs(
    out_dir: str | Path, ontology: str | Path | None = None, shapes: str | Path | None = None
) -> Path:
    """Write ``index.html`` (and copies of the ontology and shapes files) into ``out_dir``.

    >>> write_docs("site")  # doctest: +SKIP
    PosixPath('site/index.html')
    """
    out = Path(out_dir)
    onto = Path(ontology) if ontology else ontology_file()
    shp = Path(shapes) if shapes else (shapes_file() if ontology is None else None)
    extra = [onto.with_name("reasoning.ttl")] if ontology is None else []
    page = render(onto, shp, extra)
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(onto, out / "impactkg.ttl")
        for path in extra:
            shutil.copyfile(path, out / path.name)
        if shp is not None and shp.exists():
            shutil.copyfile(shp, out / "shapes.ttl")
        (out / "index.html").write_text(page, encoding="utf-8")
    except OSError as exc:
        raise DocsError(f"cannot write the documentation to {out}: {exc.strerror or exc}") from None
    return out / "index.html"
