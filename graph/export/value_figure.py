"""The value-relationship map as a figure (``value``, SVG or PNG): the same data as the interactive
map (:func:`impactkg.graph.maps.value.value_map`), drawn in three columns from left to right —
impact and ESG/materiality KPIs, business KPIs, financial KPIs — with each value hypothesis an
arrow drawn by its evidence (thicker and solid for stronger evidence, dotted grey when refuted)
and labelled with its polarity and lag. Japanese and English labels, in the figures' Japanese font.
"""

from __future__ import annotations

from typing import Any

from impactkg.errors import ImpactKGError

TITLE = "価値関連図 | Value-relationship map"
COLUMNS = (
    (0, "インパクトKPI・ESG関連KPI\nImpact / ESG KPIs", "#fdf0e1"),
    (1, "事業KPI\nBusiness KPIs", "#e8f1fb"),
    (2, "財務KPI\nFinancial KPIs", "#eaf6ea"),
)
#: Relation key -> (line width, line style, colour): as the interactive map draws them.
ARROWS = {
    "hypothesis-causal": (3.0, "-", "#1b5e20"),
    "hypothesis-correlational": (2.2, "-", "#2e7d32"),
    "hypothesis-qualitative": (1.6, (0, (5, 2)), "#689f38"),
    "hypothesis-assumed": (1.0, (0, (2, 2)), "#9e9d24"),
    "hypothesis-refuted": (0.8, (0, (1, 3)), "#9e9e9e"),
}


def value_data(kg) -> Any:
    """The value map's data (nodes with their column, edges with their relation)."""
    from impactkg.graph.export.figures import FigureError
    from impactkg.graph.maps import build_map

    try:
        return build_map(kg, "value")
    except ImpactKGError as exc:
        raise FigureError(str(exc)) from None


def default_height(data) -> float:
    tallest = max(sum(1 for n in data.nodes if n["level"] == c) for c, _, _ in COLUMNS)
    return max(4.5, min(30.0, 1.6 + 0.75 * tallest))


def draw_value(fig, data, title: str = "") -> None:
    """Draw the value map ``data`` on ``fig``: boxes in three columns, arrows by evidence."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from impactkg.graph.export.figure_text import _fit_text

    width_in, height_in = fig.get_size_inches()
    ax = fig.add_axes((0, 0.1, 1, 0.9 - (0.45 / height_in if title else 0.05)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    if title:
        fig.text(0.5, 1 - 0.1 / height_in, title, ha="center", va="top", fontsize=11)
    col_w = 1 / len(COLUMNS)
    box_w = col_w * 0.62
    centres: dict[str, tuple[float, float]] = {}
    for column, heading, colour in COLUMNS:
        x = (column + 0.5) * col_w
        ax.text(x, 0.98, heading, ha="center", va="top", fontsize=8, linespacing=1.2)
        nodes = [n for n in data.nodes if n["level"] == column]
        step = 0.86 / max(len(nodes), 1)
        box_h = min(step * 0.7, 0.14)
        for i, n in enumerate(nodes):
            y = 0.86 - (i + 0.5) * step
            text = f"{n['full']['ja']}\n{n['full']['en']}"
            ax_h = ax.get_position().height * height_in
            wrapped, size = _fit_text(text, box_w * width_in * 72 - 6, box_h * ax_h * 72 - 2, lines=4)
            ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                        boxstyle="round,pad=0,rounding_size=0.01", facecolor=colour,
                                        edgecolor="#7a7a7a", linewidth=0.6))
            ax.text(x, y, wrapped, ha="center", va="center", fontsize=size, linespacing=1.1)
            centres[n["id"]] = (x, y)
    for e in data.edges:
        (xa, ya), (xb, yb) = centres[e["from"]], centres[e["to"]]
        width, style, colour = ARROWS.get(e["rel"], (1.0, "-", "#555555"))
        forward = xb > xa
        start = (xa + box_w / 2, ya) if forward else (xa, ya - 0.02)
        end = (xb - box_w / 2, yb) if forward else (xb, yb + 0.02)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour,
                                     linewidth=width, linestyle=style, shrinkA=2, shrinkB=2,
                                     connectionstyle="arc3,rad=0.08" if forward else "arc3,rad=0.4"))
        # the label a third of the way along, clear of the boxes in the middle column
        mx, my = start[0] + (end[0] - start[0]) / 3, start[1] + (end[1] - start[1]) / 3 + 0.015
        sign_colour = "#c62828" if e.get("sign") == "-" else "#2e7d32"
        ax.text(mx, my, e["text"]["ja"] + " | " + e["text"]["en"], ha="center", va="bottom", fontsize=6.5,
                color=sign_colour, bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                                         "edgecolor": "none", "alpha": 0.8})
    handles = [Line2D([], [], color=c, lw=w, ls=s, label=f"{data.relations[r]['ja']} | {data.relations[r]['en']}")
               for r, (w, s, c) in ARROWS.items() if r in data.relations]
    legend = fig.add_axes((0.02, 0.0, 0.96, 0.09))
    legend.axis("off")
    legend.legend(handles=handles, loc="center", ncol=min(3, max(len(handles), 1)), fontsize=7, frameon=False)


def make(fig, kg, title: str, **_: Any) -> None:
    """The hook :func:`impactkg.graph.export.figures.make_figure` calls."""
    draw_value(fig, value_data(kg), title)


__all__ = ["ARROWS", "TITLE", "default_height", "draw_value", "value_data"]
