"""The ``heatmap`` figure: the seed's case map, social issue × finance method, each cell coloured
by its number of cases and holding the case numbers, from the ``case-map-cells`` query."""

from __future__ import annotations

from impactkg.errors import FigureError
from impactkg.graph.export.figure_text import wrap

#: Columns of the seed's case map, in its order; other finance methods follow.
CASE_MAP_METHODS = ("loan", "outcome-linked-loan", "bond", "direct-equity", "fund-investment",
                    "blended", "other")


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
