"""How the maps look: colours and shapes of the node classes, the line of each relation (colour,
dashes, width, arrowhead: no two relations of a map alike, and the legend draws the same line),
which labels matter most (their tier), how the finance map groups its cases, and the page's words
in Japanese and English.

>>> rel_style("provides") != rel_style("receives")
True
>>> node_style("sdg-goal")["shape"]
'star'
"""

from __future__ import annotations

import hashlib
from typing import Any

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
    # the value map (graph/maps/value.py)
    "impact-kpi": ("#fdbf6f", "box"),
    "esg-kpi": ("#f6d5a8", "box"),
    "business-kpi": ("#a6cee3", "box"),
    "financial-kpi": ("#b2df8a", "box"),
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
        "png": "PNG で保存", "svg": "SVG で保存", "group": "まとめ方", "ungrouped": "まとめない（すべての事例）",
        "open-group": "クリックで開く",
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
        "png": "Save PNG", "svg": "Save SVG", "group": "Grouping", "ungrouped": "None (every case)",
        "open-group": "Click to open",
        "evidence": "Evidence (links shown)", "ev-inferred": "All links (inferences too)",
        "ev-doubtful": "Down to doubtful OCR (hide inferences)", "ev-reading": "Down to readings (hide inferences, doubtful OCR)",
        "ev-stated": "Stated by the source only", "stated": "stated", "reading": "reading", "doubtful": "doubtful",
        "inferred-short": "inferred", "weakest": "weakest link", "hidden-loops": "loops hidden by the evidence filter",
    },
}


#: Relation key -> how its links are drawn: colour, dashes (False or a dash pattern), width and
#: arrowhead (arrow, circle, bar or none). Each map's relations differ in colour and pattern.
REL_STYLES: dict[str, dict[str, Any]] = {
    "has-result": {"color": "#1f78b4", "dashes": False, "width": 2, "arrow": "arrow"},
    "contributes-to": {"color": "#33a02c", "dashes": False, "width": 2.5, "arrow": "arrow"},
    "serves-target": {"color": "#e31a1c", "dashes": False, "width": 2, "arrow": "arrow"},
    "target-of": {"color": "#fb6a4a", "dashes": [8, 4], "width": 1.5, "arrow": "bar"},
    "measures": {"color": "#6a3d9a", "dashes": [4, 4], "width": 1.5, "arrow": "circle"},
    "causal+": {"color": "#2e7d32", "dashes": False, "width": 3, "arrow": "arrow"},
    "causal-": {"color": "#c62828", "dashes": [10, 6], "width": 3, "arrow": "arrow"},
    "refers-to": {"color": "#9e9e9e", "dashes": [2, 5], "width": 1, "arrow": "none"},
    "provides": {"color": "#ff7f00", "dashes": False, "width": 2.5, "arrow": "arrow"},
    "receives": {"color": "#b15928", "dashes": [10, 4], "width": 2, "arrow": "arrow"},
    "method": {"color": "#1f78b4", "dashes": [2, 4], "width": 2, "arrow": "circle"},
    "addresses": {"color": "#e7298a", "dashes": False, "width": 1.5, "arrow": "bar"},
    "stage": {"color": "#66a61e", "dashes": [6, 3, 2, 3], "width": 1.5, "arrow": "arrow"},
    "bundles": {"color": "#7570b3", "dashes": False, "width": 2, "arrow": "circle"},
    "affiliation": {"color": "#a6761d", "dashes": False, "width": 1.5, "arrow": "arrow"},
    "member": {"color": "#1b9e77", "dashes": [6, 3], "width": 1.5, "arrow": "circle"},
    "part-of": {"color": "#555555", "dashes": False, "width": 2.5, "arrow": "bar"},
    # the value map: value hypotheses by evidence, the strongest first
    "hypothesis-causal": {"color": "#1b5e20", "dashes": False, "width": 5, "arrow": "arrow"},
    "hypothesis-correlational": {"color": "#2e7d32", "dashes": False, "width": 3.5, "arrow": "arrow"},
    "hypothesis-qualitative": {"color": "#689f38", "dashes": [10, 5], "width": 2.5, "arrow": "arrow"},
    "hypothesis-assumed": {"color": "#9e9d24", "dashes": [3, 5], "width": 1.5, "arrow": "arrow"},
    "hypothesis-refuted": {"color": "#9e9e9e", "dashes": [2, 6], "width": 1, "arrow": "bar"},
}
_DASHES: tuple[Any, ...] = (False, [8, 4], [3, 4], [10, 3, 2, 3])


def _hashed(key: str, n: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % n


def node_style(cls: str) -> dict[str, str]:
    """Colour, shape, border and highlight colour of a node class (a hashed colour for a class of
    the user's own data)."""
    colour, shape = STYLES.get(cls) or (_PALETTE[_hashed(cls, len(_PALETTE))], "ellipse")
    return {"color": colour, "shape": shape, "border": _shade(colour, 0.55), "highlight": _shade(colour, 1.12)}


def rel_style(rel: str) -> dict[str, Any]:
    """How links of relation ``rel`` are drawn (see :data:`REL_STYLES`); a relation of the user's
    own data gets a hashed colour and dash pattern."""
    if rel in REL_STYLES:
        return dict(REL_STYLES[rel])
    return {"color": _shade(_PALETTE[_hashed(rel, len(_PALETTE))], 0.7),
            "dashes": _DASHES[_hashed(rel + "/", len(_DASHES))], "width": 1.5, "arrow": "arrow"}


def _shade(colour: str, factor: float) -> str:
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{max(0, min(255, round(c * factor))):02x}" for c in rgb)


#: How much a class matters to a reader of the map, on top of a node's links (its degree).
CLASS_WEIGHT = {
    "sdg-goal": 6, "impact": 4, "sdg-target": 3, "core-issue": 8, "finance-method": 6, "social-issue": 3,
    "consortium": 8, "subcommittee": 4, "organization": 2, "intervention": 2, "outcome": 2,
    "impact-kpi": 4, "financial-kpi": 4,
}


def tiers(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], highlight: list[str],
          leverage: list[dict[str, Any]]) -> dict[str, int]:
    """Node id -> 1 (the labels that matter most: drawn at least 12 px on screen at any zoom), 2
    (at least 10 px once the view is not far out) or 3 (their natural size). Importance is a
    node's links plus its class's weight, the focus and the top leverage points first."""
    degree: dict[str, int] = {}
    for e in edges:
        degree[e["from"]] = degree.get(e["from"], 0) + 1
        degree[e["to"]] = degree.get(e["to"], 0) + 1
    bonus = {x: 100 for x in highlight}
    for p in leverage[:5]:
        bonus[p["node"]] = bonus.get(p["node"], 0) + 20 - 2 * int(p.get("rank", 5))
    score = {n["id"]: degree.get(n["id"], 0) + CLASS_WEIGHT.get(n["cls"], 0) + bonus.get(n["id"], 0) for n in nodes}
    ordered = sorted(score, key=lambda i: (-score[i], i))
    first = max(4, min(14, round(len(ordered) * 0.15)))
    second = first + max(4, round(len(ordered) * 0.3))
    return {i: 1 if k < first else 2 if k < second else 3 for k, i in enumerate(ordered)}


#: Map kind -> how its cases can be grouped: facet -> (name, class of the group's node).
GROUPINGS: dict[str, dict[str, tuple[dict[str, str], str]]] = {
    "finance": {
        "method": ({"ja": "ファイナンス手法ごとにまとめる", "en": "By finance method"}, "finance-method"),
        "provider": ({"ja": "資金提供者ごとにまとめる", "en": "By provider"}, "organization"),
    },
}
#: The grouping a map opens with.
DEFAULT_GROUPING = {"finance": "method"}
