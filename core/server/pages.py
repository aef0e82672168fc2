"""The browser pages of ``impactkg serve``: home (statistics), query editor, resource pages with
a neighbourhood drawing ("follow your nose"), label search, and the interactive maps.

Everything is served by the same server and works offline: no CDN, no font or script from
elsewhere (the Content-Security-Policy allows only this server). Every text that comes from the
data is HTML-escaped on the server, or written with ``textContent`` by the page script.

>>> status, ctype, body, _ = page(None, "/static/ui.css", {}, "http://127.0.0.1:8000")
>>> status, ctype
(200, 'text/css; charset=utf-8')
"""

from __future__ import annotations

import html
import json
import math
import urllib.parse
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError, QueryError
from impactkg.ontology import PREFIXES

if TYPE_CHECKING:
    from impactkg.server.app import App as Service

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = (
    RDFS_LABEL,
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NEIGHBOURS = 24
MAP_KINDS = {
    "logic": ("ロジックモデルマップ", "Logic-model map"),
    "system": ("システムマップ", "System map"),
    "finance": ("ファイナンス・エコシステム", "Finance ecosystem"),
    "stakeholders": ("ステークホルダー・ネットワーク", "Stakeholder network"),
    "value": ("価値関連図", "Value-relationship map"),
}
MAP_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
e = html.escape


def short(iri: str) -> str:
    """An IRI as ``prefix:local`` where a usual prefix fits.

    >>> short("https://w3id.org/impactkg/ontology#Indicator")
    'ikg:Indicator'
    """
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def resource_url(iri: str) -> str:
    return "/resource?iri=" + urllib.parse.quote(iri, safe="")


def _layout(title: str, body: str, *, scripts: str = "") -> bytes:
    nav = (
        '<header><nav><a href="/" class="brand">impactkg</a> <a href="/query">クエリ Query</a> '
        '<a href="/search">検索 Search</a> <a href="/maps">マップ Maps</a> '
        '<a href="/sparql?format=ttl">SPARQL service</a>'
        '<form action="/search" method="get" class="navsearch" role="search">'
        '<input name="q" type="search" placeholder="ラベル検索 / label search" aria-label="label search">'
        "</form></nav></header>"
    )
    doc = (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · impactkg</title>"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/ui.css"></head>'
        f'<body data-state="ready">{nav}<main>{body}</main>{scripts}</body></html>\n'
    )
    return doc.encode("utf-8")


def error_page(status: int, message: str) -> bytes:
    """A page for an error: the status and the one-line message."""
    return _layout(f"{status}", f'<h1>{status}</h1><p class="error" role="alert">{e(message)}</p>')


def _ok(body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None):
    return 200, ctype, body, headers or {}


def _param(params: dict[str, list[str]], key: str, default: str = "") -> str:
    values = params.get(key)
    return values[0] if values else default


# ---------------------------------------------------------------------- pages
def home(service: Service) -> bytes:
    from impactkg.queries import library

    stats = service.stats()
    graphs = "".join(
        f'<tr><td><a href="{e(resource_url(g))}">{e(short(g))}</a></td><td class="num">{n}</td></tr>'
        for g, n in stats["graphs"].items()
    )
    classes = "".join(
        f'<tr><td><a href="{e(resource_url(c["iri"]))}">{e(short(c["iri"]))}</a></td>'
        f'<td lang="ja">{e(c["ja"])}</td><td lang="en">{e(c["en"])}</td><td class="num">{c["count"]}</td></tr>'
        for c in stats["classes"][:40]
    )
    queries = "".join(
        f'<li><a href="/query?name={e(urllib.parse.quote(q.name))}">{e(q.name)}</a> '
        f'<span lang="ja">{e(q.title_ja)}</span> | <span lang="en">{e(q.title_en)}</span></li>'
        for q in library().values()
    )
    body = (
        "<h1>インパクト知識グラフ <small>impactkg knowledge graph</small></h1>"
        f'<p>Source: <code>{e(stats["location"])}</code> · '
        f'<strong id="quads">{stats["quads"]}</strong> quads in {len(stats["graphs"])} named graphs · '
        'SPARQL endpoint: <a href="/sparql?format=ttl"><code>/sparql</code></a></p>'
        '<section><h2>名前付きクエリ Named queries</h2><ul class="queries">' + queries + "</ul></section>"
        '<section class="cols"><div><h2>クラス別のインスタンス Instances per class</h2>'
        '<table id="classes"><thead><tr><th>class</th><th>ja</th><th>en</th><th>instances</th></tr></thead>'
        f"<tbody>{classes}</tbody></table></div>"
        '<div><h2>名前付きグラフ Named graphs</h2><table id="graphs"><thead><tr><th>graph</th><th>triples</th></tr></thead>'
        f"<tbody>{graphs}</tbody></table></div></section>"
    )
    return _layout("impactkg", body)


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def query_page(params: dict[str, list[str]]) -> bytes:
    from impactkg.queries import library

    examples = [
        {
            "name": q.name, "title": f"{q.title_ja} | {q.title_en}", "text": q.text,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default or "",
                        "description": p.description} for p in q.params],
        }
        for q in library().values()
    ]
    chosen = _param(params, "name")
    text = _param(params, "query")
    if not text:
        match = next((x for x in examples if x["name"] == chosen), None)
        text = match["text"] if match else "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"
    options = '<option value="">— 例 / examples —</option>' + "".join(
        f'<option value="{e(x["name"])}"{" selected" if x["name"] == chosen else ""}>{e(x["name"])}: {e(x["title"])}</option>'
        for x in examples
    )
    data = {"examples": examples, "prefixes": PREFIXES}
    body = (
        "<h1>SPARQL クエリ <small>query</small></h1>"
        '<form id="qform" action="/query" method="get">'
        f'<label>名前付きクエリ Named query <select id="example" name="name">{options}</select></label>'
        '<div id="params"></div>'
        f'<textarea id="editor" name="query" rows="14" spellcheck="false" aria-label="SPARQL">{e(text)}</textarea>'
        '<div class="row"><button id="run" type="submit">実行 Run</button>'
        '<span class="downloads">ダウンロード Download: <a id="dl-csv" href="#">CSV</a> '
        '<a id="dl-json" href="#">JSON</a> <a id="dl-xlsx" href="#">XLSX</a></span></div></form>'
        '<p id="status" role="status"></p><div id="output"><table id="results"></table><pre id="graph" hidden></pre></div>'
        f'<script type="application/json" id="examples-data">{_script_json(data)}</script>'
    )
    return _layout("Query", body, scripts='<script src="/static/ui.js"></script>')


def _label_of(labels: dict[str, dict[str, str]], iri: str) -> str:
    by = labels.get(iri, {})
    return by.get("ja") or by.get("en") or by.get("") or short(iri)


def _term_html(term, labels: dict[str, dict[str, str]]) -> str:
    if isinstance(term, ox.NamedNode):
        label = _label_of(labels, term.value)
        extra = f' <span class="iri">{e(short(term.value))}</span>' if label != short(term.value) else ""
        return f'<a href="{e(resource_url(term.value))}">{e(label)}</a>{extra}'
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{e(term.value)}</code>"
    suffix = ""
    if term.language:
        suffix = f' <span class="lang">@{e(term.language)}</span>'
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        suffix = f' <span class="dt">{e(short(term.datatype.value))}</span>'
    lang = f' lang="{e(term.language)}"' if term.language else ""
    return f"<span{lang}>{e(term.value)}</span>{suffix}"


def neighbourhood_svg(center: str, center_label: str, links: list[tuple[str, str, str, str]]) -> str:
    """A small SVG drawing: the resource in the middle, its neighbours around it, each a link.

    ``links`` are (direction ``out``/``in``, predicate label, neighbour IRI, neighbour label).

    >>> "<svg" in neighbourhood_svg("http://x", "<x>", [("out", "p", "http://y", "y & z")])
    True
    """
    links = links[:NEIGHBOURS]
    w, h, r = 760, 520, 200
    cx, cy = w / 2, h / 2
    parts = [
        f'<svg id="neighbourhood" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{e(center_label)} neighbourhood">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>',
    ]
    n = max(1, len(links))
    for i, (direction, pred, iri, label) in enumerate(links):
        angle = 2 * math.pi * i / n - math.pi / 2
        x, y = cx + r * math.cos(angle) * 1.5, cy + r * math.sin(angle)
        x1, y1, x2, y2 = (cx, cy, x, y) if direction == "out" else (x, y, cx, cy)
        # stop the line short of the node boxes
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        sx, sy = x1 + dx / length * 34, y1 + dy / length * 20
        ex, ey = x2 - dx / length * 34, y2 - dy / length * 20
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        parts.append(
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" class="edge" marker-end="url(#arrow)"/>'
            f'<text x="{mx:.1f}" y="{my:.1f}" class="pred">{e(_clip(pred, 22))}</text>'
        )
        parts.append(
            f'<a href="{e(resource_url(iri))}"><g class="node {e(direction)}">'
            f'<rect x="{x - 70:.1f}" y="{y - 14:.1f}" width="140" height="28" rx="6"/>'
            f'<text x="{x:.1f}" y="{y + 5:.1f}"><title>{e(label)}</title>{e(_clip(label, 16))}</text></g></a>'
        )
    parts.append(
        f'<g class="node center"><rect x="{cx - 90:.1f}" y="{cy - 18:.1f}" width="180" height="36" rx="8"/>'
        f'<text x="{cx:.1f}" y="{cy + 5:.1f}"><title>{e(center)}</title>{e(_clip(center_label, 20))}</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def resource_page(service: Service, params: dict[str, list[str]]) -> tuple[int, bytes]:
    iri = _param(params, "iri").strip()
    if not iri:
        return 400, error_page(400, "give the resource as /resource?iri=IRI")
    try:
        this = ox.NamedNode(iri)
    except ValueError:
        return 400, error_page(400, f"not an IRI: {iri!r}")
    out = service.query("SELECT ?p ?n WHERE { ?this ?p ?n } LIMIT 2000", {"this": this}).terms
    into = service.query("SELECT ?p ?n WHERE { ?n ?p ?this } LIMIT 2000", {"this": this}).terms
    rows = [(ox.Literal("out"), p, n) for p, n in out] + [(ox.Literal("in"), p, n) for p, n in into]
    named = {this} | {t for _, p, n in rows for t in (p, n) if isinstance(t, ox.NamedNode)}
    labels: dict[str, dict[str, str]] = {}
    values = " ".join(str(t) for t in sorted(named, key=lambda t: t.value)[:3000])
    for x, lab in service.query(
        f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} {{ ?x rdfs:label ?l }} UNION {{ ?x skos:prefLabel ?l }} }}"
    ).terms:
        if isinstance(x, ox.NamedNode) and isinstance(lab, ox.Literal):
            labels.setdefault(x.value, {}).setdefault(lab.language or "", lab.value)
    if not rows:
        body = (
            f'<h1>{e(short(iri))}</h1><p class="error" role="alert">このリソースについての記述はありません。 '
            f"Nothing in the graph is said about &lt;{e(iri)}&gt;.</p>"
        )
        return 404, _layout(short(iri), body)
    own = [(p, n) for d, p, n in rows if d.value == "out"]
    names = {}
    for p, n in own:
        if p.value in LABELS and isinstance(n, ox.Literal):
            names.setdefault(n.language or "", []).append(n.value)
    title_ja = (names.get("ja") or names.get("") or [short(iri)])[0]
    title_en = (names.get("en") or [""])[0]
    types = [n for p, n in own if p.value == RDF_TYPE and isinstance(n, ox.NamedNode)]
    out_rows = "".join(
        f'<tr><th scope="row"><a href="{e(resource_url(p.value))}">{e(_label_of(labels, p.value))}</a> '
        f'<span class="iri">{e(short(p.value))}</span></th><td>{_term_html(n, labels)}</td></tr>'
        for p, n in sorted(own, key=lambda pn: (pn[0].value != RDF_TYPE, pn[0].value, str(pn[1])))
    )
    incoming = [(p, n) for d, p, n in rows if d.value == "in"]
    in_rows = "".join(
        f'<tr><td>{_term_html(n, labels)}</td><th scope="row">{e(_label_of(labels, p.value))} '
        f'<span class="iri">{e(short(p.value))}</span></th></tr>'
        for p, n in sorted(incoming, key=lambda pn: (pn[0].value, str(pn[1])))
    )
    neighbours = []
    seen = set()
    for d, p, n in rows:
        if isinstance(n, ox.NamedNode) and p.value != RDF_TYPE and n.value not in seen and n.value != iri:
            seen.add(n.value)
            neighbours.append((d.value, _label_of(labels, p.value), n.value, _label_of(labels, n.value)))
    neighbours.sort(key=lambda t: (t[0] != "out", t[1], t[3]))
    all_labels = "".join(
        f'<li lang="{e(lang)}">{e(v)} <span class="lang">@{e(lang) or "—"}</span></li>'
        for lang, values in sorted(names.items())
        for v in values
    )
    type_links = ", ".join(f'<a href="{e(resource_url(t.value))}">{e(_label_of(labels, t.value))}</a>' for t in types)
    body = (
        f'<h1 id="title"><span lang="ja">{e(title_ja)}</span>'
        + (f' <small lang="en">{e(title_en)}</small>' if title_en and title_en != title_ja else "")
        + "</h1>"
        f'<p class="iri"><code>{e(iri)}</code>' + (f" · {type_links}" if type_links else "") + "</p>"
        + (f'<ul class="labels">{all_labels}</ul>' if all_labels else "")
        + f'<section><h2>近傍 Neighbourhood</h2>{neighbourhood_svg(iri, title_ja, neighbours)}'
        + (f'<p class="muted">{len(neighbours) - NEIGHBOURS} more not drawn</p>' if len(neighbours) > NEIGHBOURS else "")
        + "</section>"
        f'<section><h2>プロパティ Properties ({len(own)})</h2><table id="outgoing"><tbody>{out_rows}</tbody></table></section>'
        f'<section><h2>被参照 Incoming links ({len(incoming)})</h2><table id="incoming"><tbody>{in_rows}</tbody></table></section>'
    )
    return 200, _layout(title_ja, body)


def search_page(service: Service, params: dict[str, list[str]]) -> tuple[int, bytes]:
    from impactkg.queries import resolve

    q = _param(params, "q").strip()
    lang = _param(params, "lang").strip()
    options = "".join(
        f'<option value="{v}"{" selected" if v == lang else ""}>{t}</option>'
        for v, t in (("", "ja + en"), ("ja", "日本語"), ("en", "English"))
    )
    form = (
        '<form action="/search" method="get" class="search">'
        f'<input name="q" type="search" value="{e(q)}" aria-label="text" placeholder="例: 銀行, BMI, impact">'
        f'<select name="lang" aria-label="language">{options}</select> <button type="submit">検索 Search</button></form>'
    )
    if not q:
        return 200, _layout("Search", "<h1>ラベル検索 <small>label search</small></h1>" + form)
    values = {"q": q} | ({"lang": lang} if lang else {})
    text, bindings = resolve("label-search", values)
    rows = service.query(text, bindings).terms
    items = "".join(
        f'<li><a href="{e(resource_url(r[0].value))}">{e(r[1].value)}</a> '
        f'<span class="lang">@{e(r[1].language or "")}</span> <span class="cls">{e(r[2].value if r[2] else "")}</span></li>'
        for r in rows
        if isinstance(r[0], ox.NamedNode)
    )
    body = (
        "<h1>ラベル検索 <small>label search</small></h1>" + form
        + f'<p id="count">{len(rows)} 件 / results for “{e(q)}”</p><ol id="hits">{items}</ol>'
    )
    return 200, _layout(f"Search: {q}", body)


def maps_available() -> bool:
    try:
        import impactkg.graph.maps.view  # noqa: F401
        from impactkg.graph.maps import interactive_map  # noqa: F401
    except ImportError:
        return False
    return True


def maps_index() -> bytes:
    if not maps_available():
        body = "<h1>マップ Maps</h1><p>The map modules are not installed; each resource page draws its neighbourhood.</p>"
        return _layout("Maps", body)
    items = "".join(
        f'<li><a href="/maps/{k}?lang=ja" lang="ja">{e(ja)}</a> · <a href="/maps/{k}?lang=en" lang="en">{e(en)}</a></li>'
        for k, (ja, en) in MAP_KINDS.items()
    )
    body = (
        "<h1>マップ <small>maps</small></h1><ul id=\"maps\">" + items + "</ul>"
        "<p>Filters: <code>?domain=</code> (on the value map, an organisation), <code>?target=</code> "
        "(SDG target), <code>?focus=</code> and "
        "<code>?depth=</code> (a node and the links around it).</p>"
    )
    return _layout("Maps", body)


def map_page(service: Service, kind: str, params: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
    if kind not in MAP_KINDS or not maps_available():
        return 404, error_page(404, f"no map {kind!r} (maps: {', '.join(MAP_KINDS)})"), {}
    from impactkg.graph.maps import interactive_map

    filters: dict[str, Any] = {}
    for key in ("domain", "target", "focus"):
        if _param(params, key):
            filters[key] = _param(params, key)
    if _param(params, "depth"):
        try:
            filters["depth"] = int(_param(params, "depth"))
        except ValueError:
            return 400, error_page(400, "depth must be a whole number"), {}
    lang = _param(params, "lang", "ja")
    key = (kind, lang, tuple(sorted(filters.items())))
    cache = service.page_cache
    if key not in cache:
        try:
            cache[key] = interactive_map(service.kg, kind, lang=lang, **filters).html().encode("utf-8")
        except QueryError:
            raise
        except ImpactKGError as exc:
            return 400, error_page(400, str(exc)), {}
    return 200, cache[key], {"Content-Security-Policy": MAP_CSP}


def page(service: Service | None, path: str, params: dict[str, list[str]], base: str):
    """Answer a GET of a UI path: (status, content type, body, extra headers)."""
    if path in STATIC:
        return 200, STATIC[path], static_file(path), {"Cache-Control": "max-age=3600"}
    if path == "/favicon.ico":
        return 200, STATIC["/static/favicon.svg"], static_file("/static/favicon.svg"), {}
    assert service is not None
    if path in ("/", "/index.html"):
        return _ok(home(service))
    if path == "/query":
        return _ok(query_page(params))
    if path == "/resource":
        status, body = resource_page(service, params)
        return status, "text/html; charset=utf-8", body, {}
    if path == "/search":
        status, body = search_page(service, params)
        return status, "text/html; charset=utf-8", body, {}
    if path in ("/maps", "/maps/"):
        return _ok(maps_index())
    if path.startswith("/maps/"):
        status, body, headers = map_page(service, path[len("/maps/"):].strip("/"), params)
        return status, "text/html; charset=utf-8", body, headers
    return 404, "text/html; charset=utf-8", error_page(404, f"no page at {path}"), {}


#: The pages' own files (core/server/static/), served as they are.
STATIC: dict[str, str] = {
    "/static/ui.css": "text/css; charset=utf-8",
    "/static/ui.js": "text/javascript; charset=utf-8",
    "/static/favicon.svg": "image/svg+xml",
}


@cache
def static_file(path: str) -> bytes:
    """The bytes of a file of ``/static/`` (read once)."""
    return (Path(str(resources.files("impactkg.server"))) / "static" / path.rsplit("/", 1)[-1]).read_bytes()

