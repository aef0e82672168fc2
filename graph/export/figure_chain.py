"""The ``chain`` figure: the logic-model chain activity → output/outcome → impact → SDG target →
goal, five columns of boxes joined by arrows, from the ``logic-chain`` query."""

from __future__ import annotations

from typing import Any

from impactkg.errors import FigureError
from impactkg.graph.export.figure_text import _fit_text

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
