"""The browser pages of ``impactkg serve``, routed by :func:`page`: home (statistics), the query
editor (:mod:`.query_page`), the schema and the ontology reference (:mod:`.schema_page`), resource
pages (:mod:`.resource_page`), label search, the interactive maps, and the page's own files under
``/static/`` (style sheet, scripts, the YASGUI editor, the Japanese web font).

Everything is served by the same server and works offline: no CDN, no font or script from
elsewhere (the Content-Security-Policy allows only this server). Every text that comes from the
data is HTML-escaped on the server, or written with ``textContent`` by the page scripts.

>>> status, ctype, body, _ = page(None, "/static/ui.css", {}, "http://127.0.0.1:8000")
>>> status, ctype
(200, 'text/css; charset=utf-8')
>>> page(None, "/static/../app.py", {}, "")[0]
404
"""

from __future__ import annotations

import urllib.parse
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError, QueryError
from impactkg.graph.sparql.terms import OxTerm, value_of
from impactkg.server.layout import e, error_page, layout, param, resource_url, short

if TYPE_CHECKING:
    from impactkg.server.app import App as Service

MAP_KINDS = {
    "logic": ("ロジックモデルマップ", "Logic-model map"),
    "system": ("システムマップ", "System map"),
    "finance": ("ファイナンス・エコシステム", "Finance ecosystem"),
    "stakeholders": ("ステークホルダー・ネットワーク", "Stakeholder network"),
    "value": ("価値関連図", "Value-relationship map"),
}
MAP_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
HTML = "text/html; charset=utf-8"
#: The query page: YASGUI's table and editor set inline styles; scripts stay this server's own.
QUERY_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Media types of the files under /static/, by suffix.
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".ttf": "font/ttf",
}
#: The Japanese web font of the pages, served from matplotlib-fontja unchanged.
FONT_PATH = "/static/fonts/IPAexGothic.ttf"
CACHED = {"Cache-Control": "max-age=86400"}


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
    return layout("impactkg", body)


def _hit(resource: ox.NamedNode, label: OxTerm | None, classes: OxTerm | None) -> str:
    """One hit of the label search: the label linked to its resource, its language, its classes."""
    lang = label.language if isinstance(label, ox.Literal) else None
    return (
        f'<li><a href="{e(resource_url(resource.value))}">{e(value_of(label))}</a> '
        f'<span class="lang">@{e(lang or "")}</span> <span class="cls">{e(value_of(classes))}</span></li>'
    )


def search_page(service: Service, params: dict[str, list[str]]) -> tuple[int, bytes]:
    from impactkg.queries import resolve

    q = param(params, "q").strip()
    lang = param(params, "lang").strip()
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
        return 200, layout("Search", "<h1>ラベル検索 <small>label search</small></h1>" + form)
    values = {"q": q} | ({"lang": lang} if lang else {})
    text, bindings = resolve("label-search", values)
    rows = service.query(text, bindings).terms
    items = "".join(_hit(r[0], r[1], r[2]) for r in rows if isinstance(r[0], ox.NamedNode))
    body = (
        "<h1>ラベル検索 <small>label search</small></h1>" + form
        + f'<p id="count">{len(rows)} 件 / results for “{e(q)}”</p><ol id="hits">{items}</ol>'
    )
    return 200, layout(f"Search: {q}", body)

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
        return layout("Maps", body)
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
    return layout("Maps", body)


def map_page(service: Service, kind: str, params: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
    if kind not in MAP_KINDS or not maps_available():
        return 404, error_page(404, f"no map {kind!r} (maps: {', '.join(MAP_KINDS)})"), {}
    from impactkg.graph.maps import interactive_map

    filters: dict[str, Any] = {}
    for key in ("domain", "target", "focus"):
        if param(params, key):
            filters[key] = param(params, key)
    if param(params, "depth"):
        try:
            filters["depth"] = int(param(params, "depth"))
        except ValueError:
            return 400, error_page(400, "depth must be a whole number"), {}
    lang = param(params, "lang", "ja")
    cache_key = (kind, lang, tuple(sorted(filters.items())))
    cache = service.page_cache
    if cache_key not in cache:
        try:
            cache[cache_key] = interactive_map(service.kg, kind, lang=lang, **filters).html().encode("utf-8")
        except QueryError:
            raise
        except ImpactKGError as exc:
            return 400, error_page(400, str(exc)), {}
    return 200, cache[cache_key], {"Content-Security-Policy": MAP_CSP}


def page(service: Service | None, path: str, params: dict[str, list[str]], base: str):
    """Answer a GET of a UI path: (status, content type, body, extra headers)."""
    if path.startswith("/static/") or path == "/favicon.ico":
        return _static(path if path != "/favicon.ico" else "/static/favicon.svg")
    assert service is not None
    if path in ("/", "/index.html"):
        return 200, HTML, home(service), {}
    if path == "/query":
        from impactkg.server.query_page import query_page

        return 200, HTML, query_page(params), {"Content-Security-Policy": QUERY_CSP}
    if path in ("/schema", "/schema.json") or path == "/docs" or path.startswith("/docs/"):
        from impactkg.server.schema_page import schema_route

        return schema_route(service, path, params)
    if path == "/resource":
        from impactkg.server.resource_page import resource_page

        status, body = resource_page(service, params)
        return status, HTML, body, {}
    if path == "/search":
        status, body = search_page(service, params)
        return status, HTML, body, {}
    if path in ("/maps", "/maps/"):
        return 200, HTML, maps_index(), {}
    if path.startswith("/maps/"):
        status, body, headers = map_page(service, path[len("/maps/"):].strip("/"), params)
        return status, HTML, body, headers
    return 404, HTML, error_page(404, f"no page at {path}"), {}


def _static(path: str):
    if path == FONT_PATH:
        from impactkg.graph.export.webfont import font_file

        font = font_file()
        if font is None:
            return 404, HTML, error_page(404, "no Japanese web font: pip install matplotlib-fontja"), {}
        return 200, STATIC_TYPES[".ttf"], _read(str(font)), CACHED
    files = static_files()
    if path not in files:
        return 404, HTML, error_page(404, f"no file at {path}"), {}
    return 200, STATIC_TYPES[Path(path).suffix], _read(str(files[path])), CACHED


@cache
def static_files() -> dict[str, Path]:
    """The pages' own files (``core/server/static/``, subfolders too) by URL path."""
    root = Path(str(resources.files("impactkg.server"))) / "static"
    return {
        "/static/" + p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in STATIC_TYPES
    }


@cache
def _read(path: str) -> bytes:
    return Path(path).read_bytes()
