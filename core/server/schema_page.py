"""The schema page (``/schema``), its data for the editor's completions (``/schema.json``) and the
ontology reference that ``impactkg docs`` writes, served at ``/docs/``.

``/schema`` is the graph as it is used (:func:`impactkg.graph.analysis.schema.describe`): each class
with its instance count, ja/en label and definition, the properties its instances carry with the
kinds of value, how often, an example and a one-line SPARQL pattern (each a link that runs it),
the properties that point at it, an index of properties by the classes that use them, and the
chain Activity → Result → Impact → Target → Goal drawn with the number of links of each step.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING

from impactkg.server.layout import e, error_page, layout, resource_url

if TYPE_CHECKING:
    from impactkg.graph.analysis.schema import ClassInfo, Schema
    from impactkg.server.app import App as Service

HTML = "text/html; charset=utf-8"
#: The reference page has its own inline style sheet and embedded font, nothing else.
DOCS_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
DOCS_FILES = {"impactkg.ttl": "ontology", "reasoning.ttl": "reasoning", "shapes.ttl": "shapes"}


def schema_route(service: Service, path: str, params: dict[str, list[str]]):
    """Answer ``/schema``, ``/schema.json``, ``/docs`` and ``/docs/...``."""
    if path == "/docs":
        return 301, HTML, b"", {"Location": "/docs/"}
    if path.startswith("/docs/"):
        return _docs(service, path[len("/docs/"):])
    schema = _schema(service)
    if path == "/schema.json":
        body = json.dumps(schema.to_json(), ensure_ascii=False).encode("utf-8")
        return 200, "application/json; charset=utf-8", body, {}
    return 200, HTML, schema_page(schema), {}


def _schema(service: Service) -> Schema:
    from impactkg.graph.analysis.schema import describe

    cache = service.page_cache
    if ("schema",) not in cache:
        cache[("schema",)] = describe(service.kg)  # type: ignore[assignment]
    return cache[("schema",)]  # type: ignore[return-value]


def _docs(service: Service, name: str):
    from impactkg.graph.export.docs import render
    from impactkg.ontology import ontology_file, shapes_file

    if name in ("", "index.html"):
        cache = service.page_cache
        if ("docs",) not in cache:
            cache[("docs",)] = render().encode("utf-8")
        return 200, HTML, cache[("docs",)], {"Content-Security-Policy": DOCS_CSP}
    if name in DOCS_FILES:
        source = {"impactkg.ttl": ontology_file(), "shapes.ttl": shapes_file(),
                  "reasoning.ttl": ontology_file().with_name("reasoning.ttl")}[name]
        return 200, "text/turtle; charset=utf-8", source.read_bytes(), {}
    return 404, HTML, error_page(404, f"no file /docs/{name} (the reference is at /docs/)"), {}


def run_link(sparql: str) -> str:
    """The query page running ``sparql``."""
    return "/query?query=" + urllib.parse.quote(sparql, safe="")


def _texts(text: dict[str, str]) -> str:
    return " ".join(f'<span lang="{lang}">{e(v)}</span>' for lang, v in text.items() if v)


def chain_svg(schema: Schema) -> str:
    """The chain Activity → Result → Impact → Target → Goal, each arrow with its property and the
    number of links; indicators below, with what they measure."""
    steps = schema.chain_counts()
    order: list[str] = []
    for a, _, b, _ in steps[:4]:
        for c in (a, b):
            if c not in order:
                order.append(c)
    w, h, gap, top = 150, 62, 125, 20
    pos = {c: (10 + i * (w + gap), top) for i, c in enumerate(order)}
    pos["ikg:Indicator"] = (10 + (w + gap), top + 150)
    width = 10 + len(order) * (w + gap)
    parts = [
        f'<svg id="chain" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {top + 150 + h + 10}" '
        'role="img" aria-label="Activity → Result → Impact → Target → Goal">',
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#445"/></marker></defs>',
    ]
    for a, p, b, n in steps:
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax: float
        ay: float
        bx: float
        by: float
        if y1 == y2:
            ax, ay, bx, by = x1 + w, y1 + h / 2, x2, y2 + h / 2
        else:
            ax, ay, bx, by = x1 + w / 2, y1, x2 + w / 2, y2 + h
        parts.append(f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" class="step" marker-end="url(#arrowhead)"/>')
        mx, my = (ax + bx) / 2, (ay + by) / 2
        if y1 == y2:
            parts.append(f'<text x="{mx:.0f}" y="{my - 7:.0f}" class="prop">{e(p)}</text>')
            parts.append(f'<text x="{mx:.0f}" y="{my + 15:.0f}" class="count">{n}</text>')
        else:
            parts.append(f'<text x="{mx + 8:.0f}" y="{my:.0f}" class="prop side">{e(p)} ({n})</text>')
    for c, (x, y) in pos.items():
        try:
            info = schema.cls(c)
        except KeyError:
            continue
        parts.append(
            f'<a href="#{e(info.anchor)}"><g class="box"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8"/>'
            f'<text x="{x + w / 2}" y="{y + 20}" class="curie">{e(c)}</text>'
            f'<text x="{x + w / 2}" y="{y + 38}" lang="ja">{e(info.label["ja"])}</text>'
            f'<text x="{x + w / 2}" y="{y + 54}" class="count">{info.count}</text></g></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _class_section(c: ClassInfo) -> str:
    rows = []
    for u in c.properties:
        ranges = ", ".join(f"{e(r.curie)} <span class=muted>({r.count})</span>" for r in u.ranges[:4])
        example = u.example if len(u.example) <= 60 else u.example[:59] + "…"
        rows.append(
            f'<tr><th scope="row"><a href="{e(resource_url(u.iri))}"><code>{e(u.curie)}</code></a>'
            f'<br><span class="muted">{_texts(u.label)}</span></th>'
            f'<td class="num">{u.subjects}</td><td class="num">{u.count}</td><td>{ranges}</td>'
            f"<td>{e(example)}</td>"
            f'<td><a class="run" href="{e(run_link(u.query()))}"><code>{e(u.pattern)}</code></a></td></tr>'
        )
    incoming = "".join(
        f"<li><code>{e(i.source)}</code> <code>{e(i.curie)}</code> → this <span class=muted>({i.count})</span></li>"
        for i in c.incoming
    )
    every = f"SELECT ?x WHERE {{ ?x a {c.curie if ':' in c.curie and '/' not in c.curie else '<' + c.iri + '>'} }} LIMIT 100"
    definition = "".join(f'<p lang="{lang}">{e(v)}</p>' for lang, v in c.definition.items() if v)
    return (
        f'<section class="cls" id="{e(c.anchor)}"><h2><code>{e(c.curie)}</code> {_texts(c.label)} '
        f'<small>{c.count} instances</small></h2>{definition}'
        f'<p><a href="{e(run_link(every))}">実行 Run <code>{e(every)}</code></a> · '
        f'<a href="{e(resource_url(c.iri))}">{e(c.iri)}</a></p>'
        '<table class="props"><thead><tr><th>property</th><th>subjects</th><th>triples</th><th>values</th>'
        '<th>example</th><th>SPARQL pattern</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        + (f'<p>Pointed at by:</p><ul class="incoming">{incoming}</ul>' if incoming else "")
        + "</section>"
    )


def schema_page(schema: Schema) -> bytes:
    """The ``/schema`` page."""
    index = "".join(
        f'<tr><td><a href="#{e(c.anchor)}"><code>{e(c.curie)}</code></a></td><td lang="ja">{e(c.label["ja"])}</td>'
        f'<td lang="en">{e(c.label["en"])}</td><td class="num">{c.count}</td><td class="num">{len(c.properties)}</td></tr>'
        for c in schema.classes
    )
    props = "".join(
        f'<tr><td><code>{e(k)}</code></td><td>{_texts(v["label"])}</td><td>'
        + ", ".join(f'<a href="#{e(_anchor(cls))}"><code>{e(cls)}</code></a> ({n})' for cls, n in v["uses"])
        + "</td></tr>"
        for k, v in schema.properties().items()
    )
    body = (
        "<h1>スキーマ <small>schema: what the graph holds</small></h1>"
        "<p>Each class with its instances, the properties they carry (counted over the default graph, the "
        "union of the named graphs, each triple once), the kinds of value, an example and a SPARQL pattern "
        'that finds them: click one to run it. The ontology itself (what may be said) is the '
        '<a href="/docs/">reference</a>.</p>'
        "<h2>主要な連鎖 <small>the chain, with its number of links</small></h2>" + chain_svg(schema)
        + '<p class="muted">A result (output/outcome) is specific to its impact and SDG target, so results '
        "carry <code>ikg:sdgTarget</code> as indicators do: count indicators with "
        "<code>?i a ikg:Indicator</code>.</p>"
        '<h2>クラス <small>classes</small></h2><table id="classes"><thead><tr><th>class</th><th>ja</th><th>en</th>'
        f"<th>instances</th><th>properties</th></tr></thead><tbody>{index}</tbody></table>"
        '<h2>プロパティ <small>properties, by the classes that carry them</small></h2>'
        f'<table id="properties"><tbody>{props}</tbody></table>'
        + "".join(_class_section(c) for c in schema.classes)
    )
    return layout("Schema", body, wide=True)


def _anchor(curie: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_-]", "-", curie)
