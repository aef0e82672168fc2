"""What every page of ``impactkg serve`` shares: the frame (navigation, the style sheet and its
Japanese web font), escaping, and the small helpers the pages use.

The pages load nothing from elsewhere: the style sheet, scripts, the font and the editor are files
of this package served under ``/static/`` (the Content-Security-Policy allows only this server).

>>> short("https://w3id.org/impactkg/ontology#Indicator")
'ikg:Indicator'
>>> b"<h1>" in layout("t", "<h1>x</h1>")
True
"""

from __future__ import annotations

import html
import json
import urllib.parse
from typing import Any

from impactkg.ontology import curie

e = html.escape

NAV = (
    ("/query", "クエリ", "Query"),
    ("/schema", "スキーマ", "Schema"),
    ("/search", "検索", "Search"),
    ("/maps", "マップ", "Maps"),
    ("/docs/", "オントロジー", "Ontology"),
)


def short(iri: str) -> str:
    """An IRI as ``prefix:local`` where a usual prefix fits (:func:`impactkg.ontology.curie`)."""
    return curie(iri)


def resource_url(iri: str) -> str:
    """The page of a resource."""
    return "/resource?iri=" + urllib.parse.quote(iri, safe="")


def param(params: dict[str, list[str]], key: str, default: str = "") -> str:
    """The first value of a query-string parameter."""
    values = params.get(key)
    return values[0] if values else default


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element.

    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def layout(title: str, body: str, *, scripts: str = "", head: str = "", wide: bool = False) -> bytes:
    """A whole page: ``body`` (HTML, already escaped) inside the site's frame."""
    links = " ".join(f'<a href="{href}"><span lang="ja">{ja}</span> {en}</a>' for href, ja, en in NAV)
    nav = (
        f'<header><nav><a href="/" class="brand">impactkg</a> {links} '
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
        f'<link rel="stylesheet" href="/static/ui.css">{head}</head>'
        f'<body data-state="ready">{nav}<main{" class=wide" if wide else ""}>{body}</main>'
        '<footer>Japanese font: IPAexGothic (<a href="/static/fonts/IPA_Font_License_Agreement_v1.0.txt">'
        f'IPA Font License</a>)</footer>{scripts}</body></html>\n'
    )
    return doc.encode("utf-8")


def error_page(status: int, message: str) -> bytes:
    """A page for an error: the status and the one-line message."""
    return layout(f"{status}", f'<h1>{status}</h1><p class="error" role="alert">{e(message)}</p>')
