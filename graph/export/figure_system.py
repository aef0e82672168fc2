"""The ``system`` figure: the system map of causal links (+ and −) with its feedback loops (R, B)
marked among their factors and listed beside the map."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from impactkg.errors import FigureError
from impactkg.graph.export.figure_text import wrap


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
