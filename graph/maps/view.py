"""Interactive maps as one self-contained HTML page: vis-network (from the pyvis package) inlined,
the map data embedded as escaped JSON, and a small page script for the legend, filters, search,
feedback loops and the language toggle. Nothing is fetched from the network: the page works
offline from ``file://``, and in Jupyter (JupyterLab, VS Code) as an ``<iframe srcdoc>``.

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

import hashlib
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
from impactkg.graph.maps import MapData

#: Class key -> (background colour, shape). Shapes box and ellipse hold their label inside.
STYLES: dict[str, tuple[str, str]] = {
    "activity": ("#a6cee3", "box"),
    "result": ("#b2df8a", "ellipse"),
    "impact": ("#fdbf6f", "box"),
    "sdg-target": ("#fb9a99", "hexagon"),
    "sdg-goal": ("#e31a1c", "star"),
    "indicator": ("#cab2d6", "dot"),
    "core-issue": ("#ef5350", "box"),
    "issue": ("#ffcc80", "ellipse"),
    "condition": ("#90caf9", "ellipse"),
    "resource": ("#80deea", "box"),
    "intervention": ("#a5d6a7", "box"),
    "outcome": ("#ce93d8", "ellipse"),
    "factor": ("#e0e0e0", "ellipse"),
    "organization": ("#bcaaa4", "box"),
    "finance-case": ("#fff59d", "box"),
    "support-bundle": ("#f8bbd0", "box"),
    "recipient": ("#b2dfdb", "box"),
    "finance-method": ("#ffe082", "hexagon"),
    "social-issue": ("#ffab91", "diamond"),
    "growth-stage": ("#b0bec5", "triangle"),
    "concept": ("#e0e0e0", "dot"),
    "person": ("#c5e1a5", "dot"),
    "subcommittee": ("#81d4fa", "box"),
    "consortium": ("#4fc3f7", "star"),
    "resource-other": ("#eeeeee", "square"),
}
_PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd")

UI: dict[str, dict[str, str]] = {
    "ja": {
        "search": "ノードを検索（名前・ID）", "go": "検索", "toggle": "English", "legend": "凡例（表示する種類）",
        "links": "リンク", "domain": "分野・領域", "all": "すべて", "loops": "フィードバックループ",
        "leverage": "レバレッジ・ポイント", "details": "詳細", "notes": "注記", "notfound": "見つかりません",
        "found": "見つかりました", "fit": "全体を表示", "delay": "‖ 遅れを伴う",
        "inferred": "太線: 出典の記述 · 中線: チームの読み取り · 破線: OCR の疑義 · 点線: チームの推測",
        "nodes": "ノード", "edges": "リンク", "hint": "ノードやループをクリックすると詳細を表示",
        "evidence": "根拠（表示するリンク）", "ev-inferred": "すべてのリンク（推測を含む）",
        "ev-doubtful": "OCR の疑義まで（推測を隠す）", "ev-reading": "読み取りまで（推測・疑義を隠す）",
        "ev-stated": "出典の記述のみ", "stated": "出典", "reading": "読み取り", "doubtful": "疑義",
        "inferred-short": "推測", "weakest": "最も弱いリンク", "hidden-loops": "根拠の条件で隠れたループ",
    },
    "en": {
        "search": "Search a node (name or id)", "go": "Search", "toggle": "日本語", "legend": "Legend (types shown)",
        "links": "Links", "domain": "Domain", "all": "All", "loops": "Feedback loops",
        "leverage": "Leverage points", "details": "Details", "notes": "Notes", "notfound": "Not found",
        "found": "Found", "fit": "Show all", "delay": "‖ with delay",
        "inferred": "thick: stated by the source · medium: the team's reading · dashed: doubtful OCR · dotted: the team's inference",
        "nodes": "nodes", "edges": "links", "hint": "Click a node or a loop for details",
        "evidence": "Evidence (links shown)", "ev-inferred": "All links (inferences too)",
        "ev-doubtful": "Down to doubtful OCR (hide inferences)", "ev-reading": "Down to readings (hide inferences, doubtful OCR)",
        "ev-stated": "Stated by the source only", "stated": "stated", "reading": "reading", "doubtful": "doubtful",
        "inferred-short": "inferred", "weakest": "weakest link", "hidden-loops": "loops hidden by the evidence filter",
    },
}


def _style(cls: str) -> dict[str, str]:
    colour, shape = STYLES.get(cls) or (
        _PALETTE[int(hashlib.sha1(cls.encode("utf-8")).hexdigest(), 16) % len(_PALETTE)],
        "ellipse",
    )
    return {"color": colour, "shape": shape, "border": _shade(colour, 0.55), "highlight": _shade(colour, 1.12)}


def _shade(colour: str, factor: float) -> str:
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{max(0, min(255, round(c * factor))):02x}" for c in rgb)


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
        """Everything the page script needs, as plain data."""
        d = self.data
        styles = {cls: _style(cls) for cls in {n["cls"] for n in d.nodes}}
        styles[""] = _style("factor")
        return {
            "kind": d.kind, "lang": self.lang, "title": d.title, "nodes": d.nodes, "edges": d.edges,
            "classes": d.classes, "relations": d.relations, "domains": d.domains, "loops": d.loops,
            "leverage": d.leverage[:10], "notes": d.notes, "physics": d.physics, "highlight": d.highlight,
            "styles": styles, "ui": UI, "evidence": d.evidence or "inferred",
        }

    def html(self) -> str:
        """The whole page, self-contained."""
        title = html.escape(self.data.title[self.lang])
        return _fill(
            PAGE, lang=self.lang, title=title, css=CSS, vis=vis_network_js(),
            data=script_json(self.payload()), app=APP,
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8)."""
        path = Path(path)
        try:
            path.write_text(self.html(), encoding="utf-8")
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


CSS = """
html,body{margin:0;height:100%;font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;font-size:13px;color:#222;background:#fff}
#ikg{display:flex;height:100%}
#ikg-side{width:340px;flex:none;overflow:auto;border-right:1px solid #ddd;padding:8px 12px;box-sizing:border-box;background:#fafafa}
#ikg-main{flex:1;position:relative;min-width:0}
#ikg-map{position:absolute;top:0;left:0;right:0;bottom:0}
h1{font-size:16px;margin:4px 0 2px}
h2{font-size:13px;margin:14px 0 4px;padding-bottom:2px;border-bottom:1px solid #ddd}
h3{font-size:13px;margin:4px 0}
p,ul{margin:2px 0}
ul{padding-left:18px}
.ikg-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.ikg-sw{width:14px;height:14px;border-radius:3px;border:1px solid rgba(0,0,0,.35);flex:none}
.ikg-line{width:30px;height:0;flex:none}
.ikg-muted{color:#666}
form{display:flex;gap:4px;margin:8px 0 2px}
input[type=search]{flex:1;min-width:0;padding:3px 5px;font:inherit}
button{font:inherit;cursor:pointer}
#ikg-loops{max-height:300px;overflow:auto}
.ikg-loop{display:block;width:100%;text-align:left;border:1px solid #ccc;border-radius:3px;background:#fff;margin:3px 0;padding:3px 6px}
.ikg-loop.R{border-left:6px solid #2e7d32}
.ikg-loop.B{border-left:6px solid #1565c0}
.ikg-loop.active{background:#fff3c4}
.ikg-loop .ikg-ev{display:block;font-size:11px;color:#555;margin-top:2px}
.ikg-loop.ev-1{border-top-style:dotted;border-right-style:dotted;border-bottom-style:dotted}
.ikg-loop.ev-2{border-top-style:dashed;border-right-style:dashed;border-bottom-style:dashed}
.ikg-loop[hidden]{display:none}
.vis-tooltip{position:absolute;visibility:hidden;padding:6px 8px;max-width:420px;background:#fffff4;border:1px solid #999;border-radius:4px;box-shadow:2px 2px 6px rgba(0,0,0,.2);font-size:12px;line-height:1.4;pointer-events:none;z-index:5}
"""

PAGE = """<!DOCTYPE html>
<html lang="@@LANG@@">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body data-state="loading">
<div id="ikg">
<aside id="ikg-side">
<h1 id="ikg-title">@@TITLE@@</h1>
<p id="ikg-counts" class="ikg-muted"></p>
<form id="ikg-search-form" autocomplete="off">
<input id="ikg-search" type="search" aria-label="search">
<button id="ikg-go" type="submit"></button>
</form>
<p id="ikg-search-status" class="ikg-muted" role="status"></p>
<div class="ikg-row"><button id="ikg-lang" type="button"></button><button id="ikg-fit" type="button"></button></div>
<h2 id="ikg-h-details"></h2><div id="ikg-details"></div>
<h2 id="ikg-h-loops"></h2><div id="ikg-loops"></div>
<h2 id="ikg-h-leverage"></h2><ol id="ikg-leverage"></ol>
<h2 id="ikg-h-domain"></h2><select id="ikg-domain"></select>
<h2 id="ikg-h-legend"></h2><div id="ikg-legend"></div>
<h2 id="ikg-h-links"></h2><div id="ikg-links"></div>
<h2 id="ikg-h-evidence"></h2><select id="ikg-evidence"></select>
<h2 id="ikg-h-notes"></h2><ul id="ikg-notes"></ul>
</aside>
<main id="ikg-main"><div id="ikg-map"></div></main>
</div>
<script>@@VIS@@</script>
<script id="ikg-data" type="application/json">@@DATA@@</script>
<script>@@APP@@</script>
</body>
</html>
"""

APP = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("ikg-data").textContent);
  var lang = D.lang;
  var byId = {};
  D.nodes.forEach(function (n) { byId[n.id] = n; });
  var hiddenCls = {};
  var domain = "";
  var activeLoop = null;
  // Evidence: the weakest link drawn (4 stated, 3 reading, 2 doubtful, 1 inferred = all).
  var LEVELS = { stated: 4, reading: 3, doubtful: 2, inferred: 1 };
  var level = LEVELS[D.evidence] || 1;
  var hasEvidence = D.edges.some(function (e) { return typeof e.rank === "number"; });
  // Logic models read left to right (activity -> result -> impact -> target -> goal).
  var levels = D.physics && D.nodes.length > 0 && D.nodes.every(function (n) { return typeof n.level === "number"; });

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = txt; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; }
  function ui(key) { return D.ui[lang][key]; }
  function style(cls) { return D.styles[cls] || D.styles[""]; }
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }

  // Adjacency, for the domain filter: a node without a domain shows next to a shown node.
  var adj = {};
  D.edges.forEach(function (e) {
    (adj[e.from] = adj[e.from] || []).push(e.to);
    (adj[e.to] = adj[e.to] || []).push(e.from);
  });
  function inDomain(n) { return !domain || n.domains.indexOf(domain) >= 0; }
  function isHidden(n) {
    if (hiddenCls[n.cls]) { return true; }
    if (!domain) { return false; }
    if (n.domains.length) { return !inDomain(n); }
    return !(adj[n.id] || []).some(function (m) {
      var o = byId[m]; return o && o.domains.length && inDomain(o) && !hiddenCls[o.cls];
    });
  }

  function nodeView(n) {
    var s = style(n.cls);
    var focus = D.highlight.indexOf(n.id) >= 0;
    var v = {
      id: n.id, label: n.label[lang], title: n.info[lang].join("\n"), shape: s.shape,
      color: { background: s.color, border: focus ? "#000000" : s.border,
               highlight: { background: s.highlight, border: "#000000" },
               hover: { background: s.highlight, border: "#333333" } },
      font: { color: "#1a1a1a", size: n.size ? Math.round(12 + (n.size - 14) * 0.6) : 14 },
      size: n.size || 16, borderWidth: focus ? 4 : 1,
      hidden: isHidden(n)
    };
    if (typeof n.x === "number") { v.x = n.x; v.y = n.y; }
    if (levels) { v.level = n.level; }
    return v;
  }
  function edgeView(e) {
    var v = { id: e.id, from: e.from, to: e.to, title: e.info[lang].join("\n"),
              arrows: e.rel === "refers-to" ? "" : "to", width: 1,
              color: { color: "#9e9e9e", highlight: "#333333", hover: "#333333" },
              hidden: typeof e.rank === "number" && e.rank < level };
    if (e.polarity === "+" || e.polarity === "-") {
      var pos = e.polarity === "+";
      var c = pos ? "#2e7d32" : "#c62828";
      // Evidence: stated thick and solid (negative dashed), a reading medium, doubtful OCR
      // dashed, an inference thin and dotted; the sign stays in the colour and the label.
      var rank = typeof e.rank === "number" ? e.rank : (e.inferred ? 1 : 4);
      v.color = { color: c, highlight: pos ? "#0d3d10" : "#7a0000", hover: c, opacity: rank >= 3 ? 1 : 0.6 };
      v.label = (pos ? "+" : "\u2212") + (e.delay ? " \u2016" : "") + (rank === 1 ? " ?" : "");
      v.font = { color: c, size: 20, bold: true, strokeWidth: 4, strokeColor: "#ffffff", align: "top" };
      v.dashes = rank === 1 ? [2, 5] : rank === 2 ? [6, 4] : pos ? false : [10, 6];
      v.width = rank === 4 ? 3 : rank === 3 ? 2.2 : 1.5;
    } else if (e.rel === "measures") {
      v.dashes = [4, 4];
    } else if (e.rel === "refers-to") {
      v.dashes = [2, 5];
      v.color = { color: "#bdbdbd", highlight: "#555555", hover: "#555555" };
    }
    return v;
  }

  var nodes = new vis.DataSet(D.nodes.map(nodeView));
  var edges = new vis.DataSet(D.edges.map(edgeView));
  var stabilization = { enabled: true, iterations: 800, updateInterval: 50, fit: true };
  var options = {
    autoResize: true,
    layout: levels
      ? { hierarchical: { enabled: true, direction: "LR", levelSeparation: 300, nodeSpacing: 30, treeSpacing: 40 } }
      : { improvedLayout: D.nodes.length <= 150, randomSeed: 7 },
    physics: !D.physics ? { enabled: false } : levels
      ? { enabled: true, solver: "hierarchicalRepulsion", hierarchicalRepulsion: { nodeDistance: 50, avoidOverlap: 1 }, stabilization: stabilization }
      : { enabled: true, solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -80, springLength: 130, avoidOverlap: 0.5 },
          stabilization: stabilization },
    interaction: { hover: true, tooltipDelay: 120, multiselect: true, navigationButtons: false, keyboard: false },
    edges: { smooth: { enabled: true, type: "continuous", roundness: 0.3 }, selectionWidth: 2 }
  };
  var network = new vis.Network($("ikg-map"), { nodes: new vis.DataSet(), edges: new vis.DataSet() }, options);
  var state = { settled: !D.physics, ready: false };
  function markReady() {
    network.once("afterDrawing", function () {
      state.ready = true;
      document.body.setAttribute("data-state", "ready");
    });
    network.redraw();
  }
  function settle() {
    if (state.settled) { return; }
    state.settled = true;
    network.setOptions({ physics: { enabled: false } });
    network.fit({ animation: false });
    markReady();
  }
  network.on("stabilizationIterationsDone", settle);
  network.on("stabilized", settle);
  network.setData({ nodes: nodes, edges: edges });
  if (!D.physics) { network.fit({ animation: false }); markReady(); }

  // ------------------------------------------------------------------ panels
  function counts() {
    $("ikg-counts").textContent = D.nodes.length + " " + ui("nodes") + " \u00b7 " + D.edges.length + " " + ui("edges");
  }
  function details(title, lines) {
    var box = clear($("ikg-details"));
    box.appendChild(el("h3", null, title));
    var ul = el("ul");
    lines.forEach(function (line) { ul.appendChild(el("li", null, line)); });
    box.appendChild(ul);
  }
  function nodeDetails(n) { details(n.full[lang], n.info[lang]); }
  function legend() {
    var box = clear($("ikg-legend"));
    var used = {};
    D.nodes.forEach(function (n) { used[n.cls] = (used[n.cls] || 0) + 1; });
    Object.keys(D.classes).forEach(function (cls) {
      if (!used[cls]) { return; }
      var row = el("label", "ikg-row");
      var box2 = el("input");
      box2.type = "checkbox";
      box2.checked = !hiddenCls[cls];
      box2.setAttribute("data-cls", cls);
      box2.addEventListener("change", function () { hiddenCls[cls] = !box2.checked; refresh(); });
      var sw = el("span", "ikg-sw");
      sw.style.background = style(cls).color;
      sw.style.borderColor = style(cls).border;
      row.appendChild(box2);
      row.appendChild(sw);
      row.appendChild(el("span", null, D.classes[cls][lang] + " (" + used[cls] + ")"));
      box.appendChild(row);
    });
  }
  function links() {
    var box = clear($("ikg-links"));
    Object.keys(D.relations).forEach(function (rel) {
      var row = el("div", "ikg-row");
      var line = el("span", "ikg-line");
      var sample = edgeView({ rel: rel, polarity: rel === "causal+" ? "+" : rel === "causal-" ? "-" : null, info: { ja: [], en: [] } });
      line.style.borderTop = (sample.width > 2 ? 3 : 2) + "px " + (sample.dashes ? "dashed" : "solid") + " " + sample.color.color;
      row.appendChild(line);
      row.appendChild(el("span", null, D.relations[rel][lang]));
      box.appendChild(row);
    });
    if (D.relations["causal+"] || D.relations["causal-"]) {
      box.appendChild(el("p", "ikg-muted", ui("delay")));
      if (hasEvidence) {
        [["stated", "solid", 3], ["reading", "solid", 2], ["doubtful", "dashed", 2], ["inferred-short", "dotted", 2]]
          .forEach(function (s) {
            var row = el("div", "ikg-row");
            var line = el("span", "ikg-line");
            line.style.borderTop = s[2] + "px " + s[1] + " #2e7d32";
            row.appendChild(line);
            row.appendChild(el("span", null, ui(s[0])));
            row.setAttribute("data-evidence-key", s[0]);
            box.appendChild(row);
          });
      }
      box.appendChild(el("p", "ikg-muted", ui("inferred")));
    }
  }
  function domains() {
    var sel = clear($("ikg-domain"));
    var all = el("option", null, ui("all"));
    all.value = "";
    sel.appendChild(all);
    Object.keys(D.domains).forEach(function (key) {
      var o = el("option", null, D.domains[key][lang]);
      o.value = key;
      sel.appendChild(o);
    });
    sel.value = domain;
    var show = Object.keys(D.domains).length > 0;
    sel.style.display = show ? "" : "none";
    $("ikg-h-domain").style.display = show ? "" : "none";
  }
  // Strongest evidence first: by the weakest link, then fewer inferred, doubtful and read links.
  function byEvidence(a, b) {
    var ca = a.counts || {}, cb = b.counts || {};
    return ((b.rank || 4) - (a.rank || 4)) || ((ca.inferred || 0) - (cb.inferred || 0))
      || ((ca.doubtful || 0) - (cb.doubtful || 0)) || ((ca.reading || 0) - (cb.reading || 0))
      || (a.nodes.length - b.nodes.length) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  }
  function evidenceText(loop) {
    var c = loop.counts;
    if (!c) { return ""; }
    var parts = [ui("stated") + " " + c.stated, ui("reading") + " " + c.reading];
    if (c.doubtful) { parts.push(ui("doubtful") + " " + c.doubtful); }
    parts.push(ui("inferred-short") + " " + c.inferred);
    var text = parts.join(" \u00b7 ");
    if (loop.weakestName && loop.rank < 4) { text += " \u2014 " + ui("weakest") + ": " + loop.weakestName[lang]; }
    return text;
  }
  function loops() {
    var box = clear($("ikg-loops"));
    var r = 0, b = 0, hidden = 0;
    D.loops.slice().sort(byEvidence).forEach(function (loop) {
      var off = typeof loop.rank === "number" && loop.rank < level;
      if (off) { hidden += 1; } else if (loop.polarity === "R") { r += 1; } else { b += 1; }
      var btn = el("button", "ikg-loop " + loop.polarity + " ev-" + (loop.rank || 4) + (activeLoop === loop.code ? " active" : ""));
      btn.appendChild(el("span", null, loop.name[lang]));
      if (loop.counts) { btn.appendChild(el("span", "ikg-ev", evidenceText(loop))); }
      btn.type = "button";
      btn.hidden = off;
      btn.setAttribute("data-loop", loop.code);
      btn.setAttribute("data-evidence", loop.status || "stated");
      btn.addEventListener("click", function () { showLoop(loop); });
      box.appendChild(btn);
    });
    if (hidden) { box.appendChild(el("p", "ikg-muted", ui("hidden-loops") + ": " + hidden)); }
    $("ikg-h-loops").textContent = ui("loops") + " (R " + r + " \u00b7 B " + b + ")";
    var show = D.loops.length > 0;
    box.style.display = show ? "" : "none";
    $("ikg-h-loops").style.display = show ? "" : "none";
  }
  function evidenceFilter() {
    var sel = clear($("ikg-evidence"));
    ["inferred", "doubtful", "reading", "stated"].forEach(function (key) {
      var o = el("option", null, ui("ev-" + key));
      o.value = key;
      o.selected = LEVELS[key] === level;
      sel.appendChild(o);
    });
    sel.style.display = hasEvidence ? "" : "none";
    $("ikg-h-evidence").style.display = hasEvidence ? "" : "none";
    $("ikg-h-evidence").textContent = ui("evidence");
  }
  function leverage() {
    var list = clear($("ikg-leverage"));
    D.leverage.forEach(function (p) {
      var n = byId[p.node];
      if (!n) { return; }
      var li = el("li");
      var a = el("button", "ikg-loop", n.full[lang] + " \u2014 " + p.score.toFixed(2));
      a.type = "button";
      a.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(a);
      list.appendChild(li);
    });
    var show = D.leverage.length > 0;
    list.style.display = show ? "" : "none";
    $("ikg-h-leverage").style.display = show ? "" : "none";
  }
  function notes() {
    var list = clear($("ikg-notes"));
    D.notes.forEach(function (t) { list.appendChild(el("li", null, t[lang])); });
    $("ikg-h-notes").style.display = D.notes.length ? "" : "none";
  }
  function texts() {
    document.documentElement.lang = lang;
    document.title = D.title[lang];
    $("ikg-title").textContent = D.title[lang];
    $("ikg-search").placeholder = ui("search");
    $("ikg-go").textContent = ui("go");
    $("ikg-lang").textContent = ui("toggle");
    $("ikg-fit").textContent = ui("fit");
    ["details", "leverage", "domain", "legend", "links", "notes"].forEach(function (k) {
      $("ikg-h-" + k).textContent = ui(k);
    });
    if (!$("ikg-details").firstChild) { $("ikg-details").appendChild(el("p", "ikg-muted", ui("hint"))); }
  }
  function render() { texts(); counts(); legend(); links(); evidenceFilter(); domains(); loops(); leverage(); notes(); }

  // ------------------------------------------------------------------ actions
  function refresh() {
    nodes.update(D.nodes.map(function (n) { return { id: n.id, hidden: isHidden(n) }; }));
  }
  function setEvidence(key) {
    level = LEVELS[key] || 1;
    edges.update(D.edges.filter(function (e) { return typeof e.rank === "number"; })
      .map(function (e) { return { id: e.id, hidden: e.rank < level }; }));
    if (activeLoop) {
      var current = D.loops.filter(function (x) { return x.code === activeLoop; })[0];
      if (current && current.rank < level) { activeLoop = null; network.unselectAll(); }
    }
    evidenceFilter();
    loops();
  }
  function focusNode(id) {
    activeLoop = null;
    network.unselectAll();
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false });
    nodeDetails(byId[id]);
    loops();
  }
  function search(q) {
    var k = norm(q);
    if (!k) { return null; }
    var best = null, score = 0;
    D.nodes.forEach(function (n) {
      if (isHidden(n)) { return; }
      var names = [n.full.ja, n.full.en, n.key].map(norm);
      var s = names.indexOf(k) >= 0 ? 3 : names.some(function (x) { return x.indexOf(k) === 0; }) ? 2
            : names.some(function (x) { return x.indexOf(k) >= 0; }) ? 1 : 0;
      if (s > score) { best = n; score = s; }
    });
    var status = $("ikg-search-status");
    if (best) {
      focusNode(best.id);
      status.textContent = ui("found") + ": " + best.full[lang];
    } else {
      status.textContent = ui("notfound") + ": " + q;
    }
    return best ? best.id : null;
  }
  function showLoop(loop) {
    activeLoop = loop.code;
    network.setSelection({ nodes: loop.nodes, edges: loop.edges }, { unselectAll: true, highlightEdges: false });
    network.fit({ nodes: loop.nodes, animation: false });
    if (network.getScale() > 1.2) { network.moveTo({ scale: 1.2, animation: false }); }
    var lines = loop.nodes.map(function (id) { return byId[id] ? byId[id].full[lang] : id; });
    details(loop.name[lang], lines);
    loops();
  }
  function setLang(l) {
    lang = l === "en" ? "en" : "ja";
    nodes.update(D.nodes.map(function (n) { return { id: n.id, label: n.label[lang], title: n.info[lang].join("\n") }; }));
    edges.update(D.edges.map(function (e) { return { id: e.id, title: e.info[lang].join("\n") }; }));
    clear($("ikg-details"));
    render();
  }

  $("ikg-search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("ikg-search").value); });
  $("ikg-lang").addEventListener("click", function () { setLang(lang === "ja" ? "en" : "ja"); });
  $("ikg-fit").addEventListener("click", function () { network.fit({ animation: false }); });
  $("ikg-domain").addEventListener("change", function () { domain = $("ikg-domain").value; refresh(); });
  $("ikg-evidence").addEventListener("change", function () { setEvidence($("ikg-evidence").value); });
  network.on("click", function (p) {
    if (p.nodes.length) { activeLoop = null; nodeDetails(byId[p.nodes[0]]); loops(); }
  });
  render();
  window.impactkgMap = {
    network: network, nodes: nodes, edges: edges, data: D, state: state,
    search: search, showLoop: showLoop, setLang: setLang, focusNode: focusNode, setEvidence: setEvidence,
    lang: function () { return lang; }, evidence: function () { return level; }
  };
})();
"""
