"""The ``goals`` figure: how many indicators each SDG goal has, a bar per goal in the official SDG
colours, from the ``indicators-per-goal`` query."""

from __future__ import annotations

from impactkg.errors import FigureError

#: The official colours of the 17 SDGs.
SDG_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
    7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
    13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A",
}


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
