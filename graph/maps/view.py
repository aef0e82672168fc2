"""Interactive maps as one self-contained HTML page: vis-network (from the pyvis package) inlined,
the map data embedded as escaped JSON, the page scripts and style sheet (``static/map.js``, with
how things are drawn in ``static/map-view.js``, ``static/map.css``, ``static/map.html``) for the
legend, filters, search, feedback loops, readable labels, grouping, the view's state in the URL,
export to PNG and SVG and the language toggle, and the Japanese glyphs the page shows as an
embedded font subset (IPAexGothic, see :mod:`impactkg.graph.export.webfont`). Nothing is fetched
from the network: the page works offline from ``file://``, on any machine without a Japanese
font, and in Jupyter (JupyterLab, VS Code) as an ``<iframe srcdoc>``.

Every text that comes from data reaches the page as data: escaped JSON inside a
``<script type="application/json">`` block, written into the page with ``textContent`` and drawn
on the canvas, never parsed as HTML.

>>> from impactkg.graph.maps import MapData
>>> node = {"id": "a", "label": {"ja": "<b>", "en": "<b>"}, "full": {"ja": "<b>", "en": "<b>"},
...         "cls": "issue", "domains": [], "info": {"ja": [], "en": []}}
>>> page = MapView(MapData("system", {"ja": "図", "en": "Map"}, nodes=[node])).html()
>>> block = page.split('id="ikg-data" type="application/json">')[1].split("</script>")[0]
>>> "<b>" in block, json.loads(block)["nodes"][0]["label"]["ja"]
(False, '<b>')
"""

from __future__ import annotations

import html
import json
import re
import tempfile
import webbrowser
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from impactkg.errors import ImpactKGError
from impactkg.graph.export.webfont import FAMILY, FONT_STACK, font_face_css
from impactkg.graph.maps import MapData
from impactkg.graph.maps.styles import (  # noqa: F401 - STYLES: the graph files' tests read it here
    DEFAULT_GROUPING,
    GROUPINGS,
    STYLES,
    UI,
    node_style,
    rel_style,
    tiers,
)

#: The base font size of labels (network units) and the logic map's column and row spacing.
FONT_SIZE = 14
LEVEL_SEPARATION = 260
NODE_SPACING = 44


@cache
def static(name: str) -> str:
    """A file of ``graph/maps/static/`` (the page's template, script and style sheet)."""
    return (Path(str(resources.files("impactkg.graph.maps"))) / "static" / name).read_text(encoding="utf-8")


@cache
def vis_network_js() -> str:
    """The vis-network standalone build shipped with pyvis (newest version it bundles)."""
    try:
        lib = resources.files("pyvis") / "lib"
    except ModuleNotFoundError:
        raise ImpactKGError("interactive maps need the pyvis package: pip install pyvis") from None
    found = sorted(
        (p for p in Path(str(lib)).glob("vis-*/vis-network.min.js")),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)],
    )
    if not found:
        raise ImpactKGError(f"no vis-network.min.js in {lib}: reinstall pyvis")
    js = found[-1].read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script")


def script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped.

    >>> script_json({"a": "</script><b>"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _fill(template: str, **parts: str) -> str:
    """Replace ``@@NAME@@`` markers in one pass (inserted text is never scanned again)."""
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1).lower()], template)


class MapView:
    """An interactive map page: ``.html()``, ``.save(path)``, ``.show()``, and inline display in
    Jupyter through ``_repr_html_``."""

    def __init__(self, data: MapData, lang: str = "ja", height: int = 680):
        if lang not in ("ja", "en"):
            raise ImpactKGError(f"--lang must be ja or en, not {lang!r}")
        self.data = data
        self.lang = lang
        self.height = height

    def payload(self) -> dict[str, Any]:
        """Everything the page script needs, as plain data: the map, the look of its classes and
        relations, each node's label tier (see :func:`~impactkg.graph.maps.styles.tiers`), the
        groupings of its cases, the fonts and the page's words."""
        d = self.data
        styles = {cls: node_style(cls) for cls in sorted({n["cls"] for n in d.nodes})}
        styles[""] = node_style("factor")
        edge_styles = {rel: rel_style(rel) for rel in d.relations}
        edge_styles[""] = rel_style("")
        tier = tiers(d.nodes, d.edges, d.highlight, d.leverage)
        nodes = [{**n, "tier": tier[n["id"]]} for n in d.nodes]
        return {
            "kind": d.kind, "lang": self.lang, "title": d.title, "nodes": nodes, "edges": d.edges,
            "classes": d.classes, "relations": d.relations, "domains": d.domains, "loops": d.loops,
            "leverage": d.leverage[:10], "notes": d.notes, "physics": d.physics, "highlight": d.highlight,
            "styles": styles, "edgeStyles": edge_styles, "ui": UI, "evidence": d.evidence or "inferred",
            "groups": self._groups(), "grouping": DEFAULT_GROUPING.get(d.kind, "") if self._groups() else "",
            "fontSize": FONT_SIZE, "fontFamily": FAMILY, "fontFace": FONT_STACK.replace('"', "'"),
            "levelSeparation": LEVEL_SEPARATION, "nodeSpacing": NODE_SPACING,
        }

    def _groups(self) -> dict[str, Any]:
        """The facets the page can group cases by, each with the labels of its groups."""
        full = {n["id"]: n["full"] for n in self.data.nodes}
        out = {}
        for facet, (name, cls) in GROUPINGS.get(self.data.kind, {}).items():
            keys = {n["groups"][facet] for n in self.data.nodes if facet in n.get("groups", {})}
            if keys:
                out[facet] = {"name": name, "cls": cls,
                              "labels": {k: full.get(k, {"ja": k, "en": k}) for k in sorted(keys)}}
        return out

    def html(self) -> str:
        """The whole page, self-contained."""
        title = html.escape(self.data.title[self.lang])
        data = script_json(self.payload())
        words = " ".join(" ".join(v.values()) for v in UI.values())
        return _fill(
            static("map.html"), lang=self.lang, title=title, css=static("map.css").replace("FONT_STACK", FONT_STACK),
            vis=vis_network_js(), data=data, app=static("map-view.js") + "\n" + static("map.js"),
            font=font_face_css(data + words + title),
            fontjs=static("map-font.js").replace("FONT_FAMILY", FAMILY),
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8)."""
        path = Path(path)
        page = self.html()
        try:
            path.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise ImpactKGError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    def show(self, path: str | Path | None = None) -> Path:
        """Save the page (to a temporary file unless ``path`` is given) and open it in a browser."""
        if path is None:
            path = Path(tempfile.mkdtemp(prefix="impactkg-map-")) / f"{self.data.kind}.html"
        path = self.save(path)
        webbrowser.open(path.resolve().as_uri())
        return path

    def _repr_html_(self) -> str:
        doc = html.escape(self.html(), quote=True)
        return (
            f'<iframe srcdoc="{doc}" style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
            f'sandbox="allow-scripts" title="{html.escape(self.data.title[self.lang])}"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<MapView {self.data.kind}: {len(self.data.nodes)} nodes, {len(self.data.edges)} edges>"
