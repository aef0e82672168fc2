"""Figures for papers and slides, as SVG or PNG at a chosen size and DPI, with Japanese text drawn
in a Japanese font (IPAexGothic, shipped by the ``matplotlib-fontja`` package; a system CJK font
such as Noto Sans CJK is used when that package is missing):

- ``chain``: the logic-model chain activity → output/outcome → impact → SDG target → goal,
- ``system``: the system map of causal links (+ and −), with its feedback loops (R, B) marked,
- ``heatmap``: social issue × finance method, the seed's case map, with the case numbers,
- ``goals``: how many indicators each SDG goal has,
- ``progress``: progress to target, a bullet chart per series of indicator values and a line per
  series over time (:mod:`impactkg.graph.export.progress_chart`),
- ``value``: the value-relationship map, impact → business → financial KPIs and the value
  hypotheses between them (:mod:`impactkg.graph.export.value_figure`).

Figures are built on :class:`matplotlib.figure.Figure` (no pyplot, no global state).

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> fig = make_figure(kg, "goals", width=6, height=5)
>>> [round(x) for x in fig.get_size_inches()]
[6, 5]
"""

from __future__ import annotations

import importlib.util
import io
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from impactkg.errors import FigureError
from impactkg.graph.files import write_atomically

FIGURES = ("chain", "system", "heatmap", "goals", "progress", "value")
FIGURE_FORMATS = ("svg", "png")
DEFAULT_DPI = 150

#: The official colours of the 17 SDGs.
SDG_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
    7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
    13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A",
}
#: Columns of the seed's case map, in its order; other finance methods follow.
CASE_MAP_METHODS = ("loan", "outcome-linked-loan", "bond", "direct-equity", "fund-investment",
                    "blended", "other")



# ---------------------------------------------------------------------- fonts
_CJK_NAMES = re.compile(r"(ipaex|ipag|notosanscjk|notoserifcjk|noto sans cjk|sourcehansans|takao|"
                        r"vl-?gothic|droidsansfallback|hiragino|yugoth|meiryo|msgothic)", re.I)


@cache
def cjk_font() -> Path:
    """The file of a font with Japanese glyphs: IPAexGothic from ``matplotlib-fontja``, else a
    system CJK font; a clear error when there is none."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.exists():
            return path
    from matplotlib import font_manager

    found = sorted(p for p in font_manager.findSystemFonts() if _CJK_NAMES.search(Path(p).name))
    if found:
        return Path(found[0])
    raise FigureError(
        "no font with Japanese glyphs: pip install matplotlib-fontja (or install fonts-noto-cjk)"
    )


def font_family(font: str | Path | None = None) -> list[str]:
    """Font families to draw with: ``font`` (a file or a family name; default the CJK font),
    with DejaVu Sans after it for symbols it lacks."""
    from matplotlib import font_manager

    if font is None or (isinstance(font, Path) or str(font).lower().endswith((".ttf", ".otf", ".ttc"))):
        path = Path(font) if font is not None else cjk_font()
        if not path.exists():
            raise FigureError(f"no font file {path}")
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
    else:
        name = str(font)
    return [name, "DejaVu Sans"] if name != "DejaVu Sans" else [name]


# ---------------------------------------------------------------------- sizes
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|px|pt)?\s*$", re.I)


def size_inches(value: str | float | None, dpi: float = DEFAULT_DPI) -> float | None:
    """A width or height in inches from ``8``, ``8in``, ``20cm``, ``1200px`` (at ``dpi``), ``600pt``.

    >>> size_inches("20cm"), size_inches("1200px", 150), size_inches(None)
    (7.874015748031496, 8.0, None)
    """
    if value is None or value == "":
        return None
    m = _SIZE.match(str(value))
    if not m or float(m.group(1)) <= 0:
        raise FigureError(f"not a size: {value!r} (e.g. 8, 8in, 20cm, 1200px)")
    n, unit = float(m.group(1)), (m.group(2) or "in").lower()
    inches = {"in": n, "cm": n / 2.54, "mm": n / 25.4, "px": n / dpi, "pt": n / 72}[unit]
    if not 0.5 <= inches <= 200:
        raise FigureError(f"size {value!r} is out of range (0.5 to 200 inches)")
    return inches


# ---------------------------------------------------------------------- text helpers
def _width(text: str) -> int:
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


def wrap(text: str, columns: int, lines: int = 3) -> str:
    """Wrap ``text`` to ``columns`` half-width cells (a Japanese character takes two), at most
    ``lines`` lines, the last one ending in … when cut.

    >>> wrap("自然災害等への備え（レジリエンス）", 12)
    '自然災害等へ\\nの備え（レジ\\nリエンス）'
    """
    text = " ".join(str(text).split())
    out: list[str] = []
    current = ""
    for ch in text:
        if _width(current + ch) > columns:
            out.append(current.rstrip())
            current = ch.lstrip()
        else:
            current += ch
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1]
        while last and _width(last + "…") > columns:
            last = last[:-1]
        out = out[: lines - 1] + [last + "…"]
    return "\n".join(out)


def _fit_text(text: str, box_w_pt: float, box_h_pt: float, largest: float = 9.0,
              smallest: float = 4.0, lines: int = 3) -> tuple[str, float]:
    """Wrapped text and a font size that fit a box of the given size in points."""
    size = largest
    while True:
        columns = max(4, int(1.8 * box_w_pt / size))
        wrapped = wrap(text, columns, lines)
        n = wrapped.count("\n") + 1
        if n * size * 1.3 <= box_h_pt or size <= smallest:
            return wrapped, size
        size = max(smallest, size - 0.5)


def _new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


# ---------------------------------------------------------------------- chain
_CHAIN_COLUMNS = (
    ("activity", "アクティビティ\nActivity", "#e8f1fb"),
    ("result", "アウトプット・アウトカム\nOutput / outcome", "#eaf6ea"),
    ("impact", "インパクト\nImpact", "#fdf0e1"),
    ("target", "SDGsターゲット\nSDG target", "#f3e9f7"),
    ("goal", "SDGsゴール\nSDG goal", "#f4f4f4"),
)


def _code_key(code: str) -> tuple:
    major, _, minor = code.partition(".")
    return (int(major) if major.isdigit() else 99, (0, int(minor)) if minor.isdigit() else (1, minor))


def chain_data(kg, domain: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """Rows of the ``logic-chain`` query (for one domain, given by id, label or IRI) and the
    domain's label."""
    params: dict[str, Any] = {}
    label = ""
    if domain:
        from impactkg.graph.export import resolve_domain

        iri = resolve_domain(kg, domain)
        params["domain"] = iri.rsplit("/", 1)[-1]
    rows = kg.query("logic-chain", **params).dicts()
    if not rows:
        where = f" for domain {domain!r}" if domain else ""
        raise FigureError(f"no logic-model chain (activity → result → impact → SDG target){where}")
    if domain:
        label = rows[0].get("domainLabel") or ""
    return rows, label


def draw_chain(fig, rows: list[dict[str, Any]], title: str = "") -> None:
    """Draw the logic-model chain of ``rows`` (activity, result, impact, targetCode, goalCode,
    goal) as five columns of boxes joined by arrows."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    goals = sorted({r["goalCode"] for r in rows}, key=_code_key)
    goal_label = {r["goalCode"]: f"{r['goalCode']} {r.get('goal') or ''}".strip() for r in rows}
    targets = sorted({r["targetCode"] for r in rows}, key=_code_key)
    t_rank = {t: i for i, t in enumerate(targets)}
    impacts = sorted({r["impact"] for r in rows},
                     key=lambda i: (min(t_rank[r["targetCode"]] for r in rows if r["impact"] == i), i))
    i_rank = {v: n for n, v in enumerate(impacts)}
    results = sorted({r["result"] for r in rows}, key=lambda x: min(
        (i_rank[r["impact"]], t_rank[r["targetCode"]], x) for r in rows if r["result"] == x))
    r_rank = {v: n for n, v in enumerate(results)}
    activities = sorted({r["activity"] for r in rows},
                        key=lambda a: (min(r_rank[r["result"]] for r in rows if r["activity"] == a), a))
    columns = {"activity": activities, "result": results, "impact": impacts, "target": targets,
               "goal": goals}
    width_in, height_in = fig.get_size_inches()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    title_h = 0.4 if title else 0.0  # inches, for the title and the column headings
    top, bottom = 1 - (title_h + 0.55) / height_in, 0.1 / height_in
    col_w = 1 / len(_CHAIN_COLUMNS)
    box_w = col_w * 0.84
    if title:
        ax.text(0.5, 1 - 0.1 / height_in, title, ha="center", va="top", fontsize=11)
    centres: dict[tuple[str, str], tuple[float, float, float]] = {}
    for c, (key, heading, colour) in enumerate(_CHAIN_COLUMNS):
        x = (c + 0.5) * col_w
        ax.text(x, 1 - (title_h + 0.27) / height_in, heading, ha="center", va="center", fontsize=8,
                linespacing=1.2)
        items = columns[key]
        step = (top - bottom) / max(len(items), 1)
        box_h = min(step * 0.82, 0.12)
        for i, item in enumerate(items):
            y = top - (i + 0.5) * step
            text = goal_label[item] if key == "goal" else item
            wrapped, size = _fit_text(text, box_w * width_in * 72 - 6, box_h * height_in * 72 - 2)
            ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                        boxstyle="round,pad=0,rounding_size=0.006",
                                        facecolor=colour, edgecolor="#7a7a7a", linewidth=0.6))
            ax.text(x, y, wrapped, ha="center", va="center", fontsize=size, linespacing=1.15)
            centres[(key, item)] = (x, y, box_w)
    links: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for r in rows:
        chain = [("activity", r["activity"]), ("result", r["result"]), ("impact", r["impact"]),
                 ("target", r["targetCode"]), ("goal", r["goalCode"])]
        links.update(zip(chain, chain[1:], strict=False))
    for a, b in sorted(links):
        xa, ya, wa = centres[a]
        xb, yb, wb = centres[b]
        ax.add_patch(FancyArrowPatch((xa + wa / 2, ya), (xb - wb / 2, yb), arrowstyle="-|>",
                                     mutation_scale=7, color="#555555", alpha=0.55, linewidth=0.6,
                                     shrinkA=0, shrinkB=0))


# ---------------------------------------------------------------------- system map
def system_data(kg, quads: Iterable | None = None) -> tuple[Any, list, str]:
    """The causal links (a networkx MultiDiGraph of factors), their loops numbered R1, B1, ...
    (empty when the maps analysis is missing) and a note on what is not shown."""
    import networkx as nx

    from impactkg.graph.export import to_networkx

    full = to_networkx(kg.quads() if quads is None else quads)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for u, v, d in full.edges(data=True):
        if d["relation"] == "causes":
            for n in (u, v):
                g.add_node(n, **full.nodes[n])
            g.add_edge(u, v, **d)
    if g.number_of_edges() == 0:
        raise FigureError("no causal links to draw: load a system map (impactkg load "
                          "elements.csv connections.csv) or widen the selection")
    try:
        from impactkg.graph.analysis.system import Link, find_loops, number_loops
    except ImportError:  # pragma: no cover - the maps analysis ships with impactkg
        return g, [], "ループは未表示（impactkg.graph.analysis.system がありません）| loops not marked"
    links = [Link(u, v, d["polarity"], d["link"]) for u, v, d in g.edges(data=True)
             if d["polarity"] in ("+", "-")]
    loops = find_loops(links)
    note = " (ループの列挙は上限で打ち切り | loop search truncated)" if loops.truncated else ""
    return g, number_loops(loops), note


def draw_system(fig, g, loops: list, note: str = "", title: str = "") -> None:
    """Draw the causal map ``g``: + links solid blue, − links dashed red, links in loops thicker,
    the loops listed (code, polarity, path) and their codes placed among their factors."""
    import networkx as nx
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    width_in, height_in = fig.get_size_inches()
    ax = fig.add_axes((0.01, 0.01, 0.68, 0.9))
    ax.axis("off")
    panel = fig.add_axes((0.70, 0.01, 0.29, 0.9))
    panel.axis("off")
    if title:
        fig.text(0.5, 0.975, title, ha="center", va="top", fontsize=12)
    simple: nx.Graph[str] = nx.Graph(g.to_undirected())
    layout = nx.spring_layout(simple, seed=7, k=4.0 / math.sqrt(max(len(simple), 1)), iterations=500)
    xs = [float(p[0]) for p in layout.values()]
    ys = [float(p[1]) for p in layout.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    pos: dict[str, tuple[float, float]] = {
        n: (0.08 + 0.84 * (float(p[0]) - min(xs)) / span_x, 0.06 + 0.88 * (float(p[1]) - min(ys)) / span_y)
        for n, p in layout.items()}
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    in_loop = {d["link"] for _, _, d in g.edges(data=True) if d.get("loops")}
    for u, v, d in g.edges(data=True):
        positive = d["polarity"] != "-"
        colour = "#1f5fa8" if positive else "#c0392b"
        thick = d["link"] in in_loop
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], connectionstyle="arc3,rad=0.12",
                                     arrowstyle="-|>", mutation_scale=9, color=colour,
                                     linewidth=1.6 if thick else 0.8,
                                     linestyle="-" if positive else (0, (4, 2)),
                                     shrinkA=14, shrinkB=14, alpha=0.85))
        (x1, y1), (x2, y2) = pos[u], pos[v]
        mx, my = (x1 + x2) / 2 - 0.12 * (y2 - y1) / 2, (y1 + y2) / 2 + 0.12 * (x2 - x1) / 2
        ax.text(mx, my, "+" if positive else "−", color=colour, fontsize=7,
                ha="center", va="center")
    node_pt = max(5.0, min(8.0, 60 / math.sqrt(max(len(g), 1)) + 3))
    for n, data in g.nodes(data=True):
        ax.text(*pos[n], wrap(data.get("label") or n, 14, 2), ha="center", va="center",
                fontsize=node_pt, linespacing=1.1, zorder=3,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fffdf2", "edgecolor": "#8c8c8c",
                      "linewidth": 0.6})
    # The loops: codes among their factors (the shortest ones), and the list in the panel.
    room = max(1, min(14, int((height_in * 0.9 * 72 - 90) / 11)))
    shown = loops[:room]
    placed: list[tuple[float, float]] = []
    for code, loop in shown[:8]:
        cx = sum(pos[n][0] for n in loop.nodes) / len(loop.nodes)
        cy = sum(pos[n][1] for n in loop.nodes) / len(loop.nodes)
        while any(abs(cx - px) < 0.05 and abs(cy - py) < 0.025 for px, py in placed):
            cy -= 0.03
        placed.append((cx, cy))
        colour = "#1f5fa8" if code.startswith("R") else "#c0392b"
        ax.text(cx, cy, f"⟳{code}", fontsize=7, color=colour, ha="center", va="center",
                zorder=4, bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white",
                                "edgecolor": colour, "linewidth": 0.5, "alpha": 0.85})
    handles = [
        Line2D([], [], color="#1f5fa8", lw=1.2, label="+ 同じ向き | same direction"),
        Line2D([], [], color="#c0392b", lw=1.2, ls=(0, (4, 2)), label="− 逆向き | opposite"),
        Line2D([], [], color="#555555", lw=2.0, label="ループ上のリンク | link in a loop"),
    ]
    panel.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
    r = sum(1 for c, _ in loops if c.startswith("R"))
    b = len(loops) - r
    lines = [f"フィードバックループ | feedback loops: R {r}, B {b}{note}"]
    labels = {n: d.get("label") or n for n, d in g.nodes(data=True)}
    for code, loop in shown:
        lines.append(wrap(f"{code}: {loop.path_text(labels)}", int(1.8 * 0.29 * width_in * 72 / 6.5), 1))
    if len(loops) > len(shown):
        lines.append(f"… ほか {len(loops) - len(shown)} | {len(loops) - len(shown)} more")
    if not loops and not note:
        lines.append("ループなし | no loops")
    panel.text(0.0, 0.84, "\n".join(lines), fontsize=6.5, va="top", ha="left", linespacing=1.3)


# ---------------------------------------------------------------------- heatmap
def heatmap_data(kg) -> tuple[list[str], list[str], dict[tuple[str, str], tuple[int, str]]]:
    """Social issues (rows), finance methods (columns) and for each cell (cases, numbers), from
    the ``case-map-cells`` query; issues in the seed's order."""
    rows = kg.query("case-map-cells").dicts()
    if not rows:
        raise FigureError("no case map in the graph (social issue × finance method)")
    order = {str(r["c"]): int(r["line"]) for r in kg.sparql(
        "SELECT ?c (MIN(?l) AS ?line) WHERE { ?c skos:inScheme ikg:SocialIssueScheme ; "
        "ikg:sourceLine ?l } GROUP BY ?c").dicts()}
    issue_label = {r["issue"]: r["issueLabel"] for r in rows}
    method_label = {r["method"]: r["methodLabel"] for r in rows}
    issues = sorted(issue_label, key=lambda i: (order.get(i, 10**9), issue_label[i]))
    known = {m: n for n, m in enumerate(CASE_MAP_METHODS)}
    methods = sorted(method_label, key=lambda m: (known.get(m.rsplit("/", 1)[-1], 99), method_label[m]))
    cells = {(r["issue"], r["method"]): (int(r["cases"]), str(r["numbers"])) for r in rows}
    return ([issue_label[i] for i in issues], [method_label[m] for m in methods],
            {(issue_label[i], method_label[m]): cells[(i, m)] for i in issues for m in methods
             if (i, m) in cells})


def draw_heatmap(fig, issues: list[str], methods: list[str], cells: dict, title: str = "") -> None:
    """Draw the case map: a cell per social issue and finance method, coloured by the number of
    cases, with the case numbers written in it."""
    import numpy as np

    counts = np.zeros((len(issues), len(methods)))
    for (i, m), (n, _) in cells.items():
        counts[issues.index(i), methods.index(m)] = n
    from matplotlib.ticker import MaxNLocator

    ax = fig.add_axes((0.25, 0.2, 0.63, 0.68))
    image = ax.imshow(counts, cmap="YlGnBu", aspect="auto", vmin=0)
    ax.set_xticks(range(len(methods)), labels=[wrap(m, 14, 2) for m in methods], rotation=35,
                  ha="right", fontsize=8)
    ax.set_yticks(range(len(issues)), labels=[wrap(i, 22, 2) for i in issues], fontsize=8)
    ax.set_xlabel("ファイナンス手法 | finance method", fontsize=9)
    ax.set_ylabel("社会課題 | social issue", fontsize=9)
    peak = counts.max() or 1
    for (i, m), (n, numbers) in cells.items():
        y, x = issues.index(i), methods.index(m)
        tokens = numbers.split()
        text = "\n".join(" ".join(tokens[k:k + 3]) for k in range(0, len(tokens), 3))
        ax.text(x, y, text, ha="center", va="center", fontsize=7,
                color="white" if n > peak * 0.6 else "#222222", linespacing=1.1)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    bar.set_label("事例数 | cases", fontsize=8)
    if title:
        fig.text(0.5, 0.975, title, ha="center", va="top", fontsize=12)


# ---------------------------------------------------------------------- goals
def goals_data(kg) -> list[tuple[str, str, int]]:
    """(goal code, Japanese short name, indicators) for the 17 goals, from
    ``indicators-per-goal``."""
    rows = kg.query("indicators-per-goal").dicts()
    if not rows:
        raise FigureError("no SDG goals in the graph")
    return [(str(r["goalCode"]), r.get("goalLabel") or "", int(r["indicators"] or 0)) for r in rows]


def draw_goals(fig, goals: list[tuple[str, str, int]], title: str = "") -> None:
    """Draw horizontal bars: indicators per SDG goal, in the SDG colours."""
    ax = fig.add_axes((0.34, 0.1, 0.6, 0.78))
    labels = [f"{code} {name}".strip() for code, name, _ in goals]
    values = [n for _, _, n in goals]
    colours = [SDG_COLOURS.get(int(c), "#777777") if c.isdigit() else "#777777" for c, _, _ in goals]
    ys = list(range(len(goals)))[::-1]
    ax.barh(ys, values, color=colours)
    ax.set_yticks(ys, labels=labels, fontsize=8)
    ax.set_xlabel("指標数 | indicators", fontsize=9)
    for y, n in zip(ys, values, strict=True):
        ax.text(n, y, f" {n}", va="center", fontsize=7)
    ax.set_xlim(0, max(values + [1]) * 1.15)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.text(0.5, 0.975, title, ha="center", va="top", fontsize=12)


# ---------------------------------------------------------------------- entry points
TITLES = {
    "chain": "ロジックモデルの連鎖 | Logic-model chain",
    "system": "システムマップ | System map",
    "heatmap": "事例マップ：社会課題 × ファイナンス手法 | Case map: social issue × finance method",
    "goals": "SDGsゴール別の指標数 | Indicators per SDG goal",
    "progress": "目標に向けた進捗 | Progress to target",
    "value": "価値関連図 | Value-relationship map",
}
#: The named query behind each figure (shown in reports).
QUERIES = {"chain": "logic-chain", "heatmap": "case-map-cells", "goals": "indicators-per-goal",
           "progress": "progress"}


def default_size(kg, name: str, **options: Any) -> tuple[float, float]:
    """A size in inches that suits the figure's content."""
    if name == "chain":
        rows, _ = chain_data(kg, options.get("domain"))
        tallest = max(len({r[k] for r in rows}) for k in ("activity", "result", "impact"))
        return 13.0, max(5.0, min(40.0, 1.4 + 0.42 * tallest))
    if name == "system":
        return 13.0, 9.0
    if name == "heatmap":
        return 9.0, 6.5
    if name == "progress":
        from impactkg.graph.export import progress_chart

        return 11.0, progress_chart.default_height(progress_chart.progress_data(kg))
    if name == "value":
        from impactkg.graph.export import value_figure

        return 12.0, value_figure.default_height(value_figure.value_data(kg))
    return 8.0, 6.0


def make_figure(
    kg,
    name: str,
    *,
    width: float | str | None = None,
    height: float | str | None = None,
    dpi: float = DEFAULT_DPI,
    domain: str | None = None,
    quads: Iterable | None = None,
    font: str | Path | None = None,
    title: str | None = None,
):
    """Build figure ``name`` (chain, system, heatmap, goals, progress, value) as a matplotlib ``Figure``.

    ``domain`` narrows the chain to one domain; ``quads`` (a selection) narrows the system map;
    ``font`` is a font file or family (default: the Japanese font, see :func:`cjk_font`).
    """
    import matplotlib

    if name not in FIGURES:
        raise FigureError(f"unknown figure {name!r} (use one of: {', '.join(FIGURES)})")
    if domain and name != "chain":
        raise FigureError(f"--domain narrows the chain figure, not {name}")
    if quads is not None and name != "system":
        raise FigureError(f"a --query or --focus selection narrows the system figure, not {name}")
    w, h = size_inches(width, dpi), size_inches(height, dpi)
    if w is None or h is None:
        dw, dh = default_size(kg, name, domain=domain)
        w, h = w or dw, h or dh
    with matplotlib.rc_context({"font.family": font_family(font), "svg.fonttype": "path",
                                "axes.unicode_minus": False}):
        fig = _new_figure(w, h)
        heading = TITLES[name] if title is None else title
        if name == "chain":
            rows, label = chain_data(kg, domain)
            draw_chain(fig, rows, f"{heading}: {label}" if label and title is None else heading)
        elif name == "system":
            g, loops, note = system_data(kg, quads)
            draw_system(fig, g, loops, note, heading)
        elif name == "heatmap":
            draw_heatmap(fig, *heatmap_data(kg), title=heading)
        elif name == "progress":
            from impactkg.graph.export import progress_chart

            progress_chart.make(fig, kg, heading)
        elif name == "value":
            from impactkg.graph.export import value_figure

            value_figure.make(fig, kg, heading)
        else:
            draw_goals(fig, goals_data(kg), heading)
    fig._impactkg_font = font_family(font)  # the fonts to save it with
    return fig


def render(fig, fmt: str = "png", dpi: float = DEFAULT_DPI) -> bytes:
    """The figure as SVG or PNG bytes, at its size and ``dpi`` (PNG: width × dpi pixels)."""
    import matplotlib

    if fmt not in FIGURE_FORMATS:
        raise FigureError(f"unknown figure format {fmt!r} (use svg or png)")
    if not 10 <= dpi <= 1200:
        raise FigureError(f"--dpi must be between 10 and 1200, got {dpi}")
    buf = io.BytesIO()
    family = getattr(fig, "_impactkg_font", None) or font_family()
    with matplotlib.rc_context({"font.family": family, "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    if fmt == "svg":
        return {"Creator": "impactkg", "Date": None}
    return {"Software": "impactkg"}


def write_figure(
    kg,
    name: str,
    path: str | Path,
    fmt: str | None = None,
    *,
    dpi: float = DEFAULT_DPI,
    **options: Any,
) -> Path:
    """Draw figure ``name`` and write it to ``path`` as SVG or PNG (from the suffix by default).

    >>> import tempfile, pathlib
    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> p = write_figure(kg, "heatmap", pathlib.Path(tempfile.mkdtemp()) / "map.png", dpi=50)
    >>> p.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FIGURE_FORMATS:
        raise FigureError(f"unknown figure format {fmt!r} (use svg or png)")
    data = render(make_figure(kg, name, dpi=dpi, **options), fmt, dpi)
    write_atomically(path, data, FigureError)
    return path


def label_boxes(fig, dpi: float = DEFAULT_DPI) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (left, top, right, bottom) of the figure's texts that hold Japanese, as
    rendered at ``dpi`` (for checking that the glyphs are drawn)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    family = getattr(fig, "_impactkg_font", None) or font_family()
    with matplotlib.rc_context({"font.family": family}):
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        height = fig.bbox.height
        out = []
        for text in fig.findobj(matplotlib.text.Text):
            if text.get_visible() and re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text.get_text()):
                bb = text.get_window_extent(renderer)
                out.append((int(bb.x0), int(height - bb.y1), int(math.ceil(bb.x1)),
                            int(math.ceil(height - bb.y0))))
    fig.set_dpi(100)
    return out


__all__ = [
    "FIGURES",
    "FIGURE_FORMATS",
    "DEFAULT_DPI",
    "FigureError",
    "QUERIES",
    "TITLES",
    "cjk_font",
    "font_family",
    "label_boxes",
    "make_figure",
    "render",
    "size_inches",
    "wrap",
    "write_figure",
]
