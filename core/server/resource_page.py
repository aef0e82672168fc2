"""The resource pages of ``impactkg serve`` (``/resource?iri=...``): labels in Japanese and
English, every property, the incoming links, and a drawing of the neighbourhood whose nodes are
links ("follow your nose"). Every text from the data is HTML-escaped here.

>>> "<svg" in neighbourhood_svg("http://x", "<x>", [("out", "p", "http://y", "y & z")])
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pyoxigraph as ox

from impactkg.server.layout import e, error_page, layout, param, resource_url, short

if TYPE_CHECKING:
    from impactkg.server.app import App as Service

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
#: Neighbours drawn around a resource.
NEIGHBOURS = 24


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
    iri = param(params, "iri").strip()
    if not iri:
        return 400, error_page(400, "give the resource as /resource?iri=IRI")
    try:
        this = ox.NamedNode(iri)
    except ValueError:
        return 400, error_page(400, f"not an IRI: {iri!r}")
    out = service.query("SELECT ?p ?n WHERE { ?this ?p ?n } LIMIT 2000", {"this": this}).terms
    into = service.query("SELECT ?p ?n WHERE { ?n ?p ?this } LIMIT 2000", {"this": this}).terms
    # a predicate is always an IRI and ?n is always bound: the filter only tells the type checker
    rows = [
        (ox.Literal(d), p, n)
        for d, found in (("out", out), ("in", into))
        for p, n in found
        if isinstance(p, ox.NamedNode) and n is not None
    ]
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
        return 404, layout(short(iri), body)
    own = [(p, n) for d, p, n in rows if d.value == "out"]
    names: dict[str, list[str]] = {}
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
    return 200, layout(title_ja, body)
