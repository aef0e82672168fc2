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
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError, QueryError
from impactkg.ontology import PREFIXES

if TYPE_CHECKING:
    from impactkg.server import Service

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
    out = service.query("SELECT ?p ?n WHERE { ?this ?p ?n } LIMIT 2000", {"this": this}).rows
    into = service.query("SELECT ?p ?n WHERE { ?n ?p ?this } LIMIT 2000", {"this": this}).rows
    rows = [(ox.Literal("out"), p, n) for p, n in out] + [(ox.Literal("in"), p, n) for p, n in into]
    named = {this} | {t for _, p, n in rows for t in (p, n) if isinstance(t, ox.NamedNode)}
    labels: dict[str, dict[str, str]] = {}
    values = " ".join(str(t) for t in sorted(named, key=lambda t: t.value)[:3000])
    for x, lab in service.query(
        f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} {{ ?x rdfs:label ?l }} UNION {{ ?x skos:prefLabel ?l }} }}"
    ).rows:
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
    rows = service.query(text, bindings).rows
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


class _ServiceGraph:
    """What the map builders need of a KnowledgeGraph, answered through the server (time limit
    included)."""

    def __init__(self, service: Service):
        self.service = service

    def sparql(self, text: str, bindings: dict[str, Any] | None = None):
        return self.service.query(text, bindings, max_results=500_000).to_result()

    def query(self, name_or_text: str, /, **params: Any):
        from impactkg.queries import resolve

        text, bindings = resolve(name_or_text, params)
        return self.service.query(text, bindings, max_results=500_000).to_result()


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
            cache[key] = interactive_map(_ServiceGraph(service), kind, lang=lang, **filters).html().encode("utf-8")
        except QueryError:
            raise
        except ImpactKGError as exc:
            return 400, error_page(400, str(exc)), {}
    return 200, cache[key], {"Content-Security-Policy": MAP_CSP}


def page(service: Service | None, path: str, params: dict[str, list[str]], base: str):
    """Answer a GET of a UI path: (status, content type, body, extra headers)."""
    if path in STATIC:
        ctype, content = STATIC[path]
        return 200, ctype, content.encode("utf-8"), {"Cache-Control": "max-age=3600"}
    if path == "/favicon.ico":
        ctype, content = STATIC["/static/favicon.svg"]
        return 200, ctype, content.encode("utf-8"), {}
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


CSS = """
:root { --fg: #1d2327; --muted: #667; --line: #d8dde3; --accent: #0b5cad; --bg: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", sans-serif; color: var(--fg); background: var(--bg); }
header { background: #14365d; }
header nav { display: flex; gap: 1.2em; align-items: center; padding: .5em 1.2em; flex-wrap: wrap; }
header a { color: #fff; text-decoration: none; }
header a.brand { font-weight: bold; }
.navsearch { margin-left: auto; }
.navsearch input { padding: .25em .5em; border-radius: 4px; border: 0; min-width: 16em; }
main { padding: 1em 1.5em 3em; max-width: 1200px; }
h1 small, h2 small { color: var(--muted); font-weight: normal; }
a { color: var(--accent); }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: flex; gap: 2em; flex-wrap: wrap; }
.iri, .lang, .dt, .cls, .muted { color: var(--muted); font-size: .85em; }
.error { color: #a00; font-weight: bold; }
textarea { width: 100%; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; padding: .5em; }
.row { display: flex; gap: 1.5em; align-items: center; margin: .5em 0; }
button { padding: .35em 1em; }
#params label { display: inline-block; margin: .3em 1em .3em 0; }
#results th button { background: none; border: 0; font-weight: bold; cursor: pointer; padding: 0; }
#results th[aria-sort=ascending] button::after { content: " ▲"; }
#results th[aria-sort=descending] button::after { content: " ▼"; }
#graph { background: #f6f8fa; padding: .8em; overflow: auto; max-height: 60vh; }
#neighbourhood { width: 100%; max-width: 760px; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; }
#neighbourhood .edge { stroke: #999; stroke-width: 1.2; }
#neighbourhood .pred { font-size: 10px; fill: #666; text-anchor: middle; }
#neighbourhood .node rect { fill: #e8f0fb; stroke: #6b8fc4; }
#neighbourhood .node.in rect { fill: #fdf1e2; stroke: #c9954b; }
#neighbourhood .node.center rect { fill: #14365d; stroke: #14365d; }
#neighbourhood .node.center text { fill: #fff; font-weight: bold; }
#neighbourhood text { font-size: 12px; text-anchor: middle; fill: #1d2327; }
ul.labels { list-style: none; padding: 0; }
"""

JS = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("examples-data").textContent);
  const byName = new Map(data.examples.map((x) => [x.name, x]));
  const select = document.getElementById("example");
  const editor = document.getElementById("editor");
  const paramsBox = document.getElementById("params");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const graph = document.getElementById("graph");
  const prefixes = Object.entries(data.prefixes).sort((a, b) => b[1].length - a[1].length);
  let rows = [], vars = [], sortState = { col: -1, dir: 1 };

  function short(iri) {
    for (const [p, ns] of prefixes) if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
    return iri;
  }

  function showParams(example) {
    paramsBox.replaceChildren();
    if (!example) return;
    for (const p of example.params) {
      const label = document.createElement("label");
      label.textContent = p.name + (p.required ? " *" : "") + " ";
      const input = document.createElement("input");
      input.name = "param-" + p.name;
      input.dataset.param = p.name;
      input.value = p.default || "";
      input.placeholder = p.description || p.type;
      input.title = p.type + ": " + (p.description || "");
      label.appendChild(input);
      paramsBox.appendChild(label);
    }
  }

  function requestUrl() {
    const example = byName.get(select.value);
    if (example && editor.value.trim() === example.text.trim()) {
      const q = new URLSearchParams();
      for (const input of paramsBox.querySelectorAll("input[data-param]")) {
        if (input.value.trim() !== "") q.set(input.dataset.param, input.value.trim());
      }
      const s = q.toString();
      return "/queries/" + encodeURIComponent(example.name) + (s ? "?" + s : "");
    }
    return "/sparql?query=" + encodeURIComponent(editor.value);
  }

  function withParam(url, key, value) {
    return url + (url.includes("?") ? "&" : "?") + key + "=" + encodeURIComponent(value);
  }

  function updateDownloads() {
    const url = requestUrl();
    document.getElementById("dl-csv").href = withParam(withParam(url, "format", "csv"), "download", "1");
    document.getElementById("dl-json").href = withParam(withParam(url, "format", "json"), "download", "1");
    document.getElementById("dl-xlsx").href = withParam(url, "format", "xlsx");
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = "/resource?iri=" + encodeURIComponent(term.value);
      a.textContent = short(term.value);
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
      if (term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype)) td.className = "num";
    }
    return td;
  }

  function compare(a, b) {
    const x = a ? a.value : "", y = b ? b.value : "";
    const nx = Number(x), ny = Number(y);
    if (x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function render() {
    table.replaceChildren();
    const thead = document.createElement("thead");
    const tr = document.createElement("tr");
    vars.forEach((v, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (sortState.col === i) th.setAttribute("aria-sort", sortState.dir > 0 ? "ascending" : "descending");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = v;
      b.addEventListener("click", () => {
        sortState = { col: i, dir: sortState.col === i ? -sortState.dir : 1 };
        rows.sort((r1, r2) => sortState.dir * compare(r1[v], r2[v]));
        render();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    const tbody = document.createElement("tbody");
    for (const r of rows) {
      const row = document.createElement("tr");
      for (const v of vars) row.appendChild(cell(r[v]));
      tbody.appendChild(row);
    }
    table.append(thead, tbody);
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    updateDownloads();
    status.textContent = "…";
    status.className = "";
    graph.hidden = true;
    table.replaceChildren();
    const started = performance.now();
    let resp;
    try {
      resp = await fetch(requestUrl(), { headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
    } catch (err) {
      status.textContent = "request failed: " + err;
      status.className = "error";
      return;
    }
    const ms = Math.round(performance.now() - started);
    const type = resp.headers.get("Content-Type") || "";
    if (!resp.ok) {
      status.textContent = resp.status + ": " + (await resp.text());
      status.className = "error";
      status.setAttribute("role", "alert");
      document.body.dataset.state = "error";
      return;
    }
    if (type.includes("sparql-results+json")) {
      const doc = await resp.json();
      if ("boolean" in doc) {
        vars = ["boolean"];
        rows = [{ boolean: { type: "literal", value: String(doc.boolean) } }];
      } else {
        vars = doc.head.vars;
        rows = doc.results.bindings;
      }
      sortState = { col: -1, dir: 1 };
      render();
      status.textContent = rows.length + " rows (" + ms + " ms)";
    } else {
      graph.textContent = await resp.text();
      graph.hidden = false;
      status.textContent = "graph result (" + ms + " ms)";
    }
    document.body.dataset.state = "done";
  }

  select.addEventListener("change", () => {
    const example = byName.get(select.value);
    if (example) editor.value = example.text;
    showParams(example);
    updateDownloads();
  });
  editor.addEventListener("input", updateDownloads);
  paramsBox.addEventListener("input", updateDownloads);
  document.getElementById("qform").addEventListener("submit", run);
  showParams(byName.get(select.value));
  updateDownloads();
  document.body.dataset.state = "ready";
})();
"""

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#14365d"/>'
    '<circle cx="10" cy="11" r="4" fill="#fff"/><circle cx="22" cy="11" r="4" fill="#fdbf6f"/>'
    '<circle cx="16" cy="23" r="4" fill="#b2df8a"/><path d="M10 11 L22 11 L16 23 Z" stroke="#fff" fill="none"/></svg>'
)

STATIC: dict[str, tuple[str, str]] = {
    "/static/ui.css": ("text/css; charset=utf-8", CSS),
    "/static/ui.js": ("text/javascript; charset=utf-8", JS),
    "/static/favicon.svg": ("image/svg+xml", FAVICON),
}
