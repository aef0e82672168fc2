"""The query page (``/query``): the YASGUI editor (vendored in ``static/yasgui/``, see its README)
with the named queries as tabs, driven by ``static/query.js``.

The page's URL holds what is run: ``/query?name=indicators-for-target&target=11.b`` opens that
query with its parameter and runs it; ``&query=TEXT`` adds an edited text (run with the named
query's parameters); ``/query?query=TEXT`` runs SPARQL text. After each run the page writes the
URL back, so that it can be bookmarked and shared.

>>> b'id="yasgui"' in query_page({"name": ["case-map"]})
True
"""

from __future__ import annotations

from impactkg.ontology import PREFIXES
from impactkg.server.layout import e, layout, param, script_json

DEFAULT_QUERY = (
    "SELECT ?class (COUNT(?s) AS ?instances) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?instances)"
)


def examples() -> list[dict]:
    """The named queries as the page offers them: name, ja/en titles, description, text, params."""
    from impactkg.queries import library

    return [
        {
            "name": q.name, "title_ja": q.title_ja, "title_en": q.title_en, "description": q.description,
            "text": q.text,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default or "",
                        "description": p.description} for p in q.params],
        }
        for q in library().values()
    ]


def query_page(params: dict[str, list[str]]) -> bytes:
    """The page, with what its URL asks for (``name``, ``query``, the named query's parameters)."""
    found = examples()
    name = param(params, "name")
    chosen = next((x for x in found if x["name"] == name), None)
    values = {}
    if chosen:
        declared = {p["name"] for p in chosen["params"]}
        values = {k: v[-1] for k, v in params.items() if k in declared and v}
    initial = {"name": name if chosen else "", "query": param(params, "query"), "params": values}
    options = '<option value="">— 新しいタブ / new SPARQL tab —</option>' + "".join(
        f'<option value="{e(x["name"])}">{e(x["name"])}: {e(x["title_ja"])} | {e(x["title_en"])}</option>'
        for x in found
    )
    data = {"examples": found, "prefixes": PREFIXES, "initial": initial, "defaultQuery": DEFAULT_QUERY}
    body = (
        "<h1>SPARQL クエリ <small>query</small></h1>"
        '<div class="qbar"><label>名前付きクエリをタブで開く Open a named query '
        f'<select id="example" aria-label="named query">{options}</select></label> '
        '<a href="/schema">スキーマ Schema</a> · <a href="/docs/">オントロジー Ontology</a></div>'
        '<section id="named-info" hidden><h2 id="q-title"></h2><p id="q-desc" class="muted"></p>'
        '<form id="params" class="params"></form>'
        '<p id="edited" class="note" hidden>編集済み: 上のパラメータで実行します / edited: runs with the '
        "parameters above</p></section>"
        '<div class="row"><button id="run" type="button">実行 Run</button> '
        '<span id="status" role="status"></span>'
        '<span class="downloads">ダウンロード Download: <a id="dl-csv" href="#">CSV (Excel)</a> '
        '<a id="dl-xlsx" href="#">XLSX</a> <a id="dl-json" href="#">JSON</a> · '
        '<a id="share" href="#">この結果へのリンク Link to this result</a></span></div>'
        '<div id="yasgui"></div>'
        "<noscript><p>The editor needs JavaScript. Without it, send SPARQL to "
        '<a href="/sparql?format=ttl"><code>/sparql</code></a> (SPARQL 1.1 Protocol).</p></noscript>'
        f'<script type="application/json" id="query-data">{script_json(data)}</script>'
    )
    return layout(
        "Query", body, wide=True,
        head='<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">',
        scripts='<script src="/static/yasgui/yasgui.min.js"></script><script src="/static/query.js"></script>',
    )
