"""The progress chart (figure ``progress``): a bullet chart per series of indicator values (baseline,
latest value, target or range, coloured by progress status), and below it a line per series:
the share of the way from baseline to target at each observed value, over time (0 = baseline,
1 = target), so that indicators of different units share one axis.

The numbers and statuses come from :mod:`impactkg.graph.analysis.progress` (its docstring gives the
rule); labels are bilingual (Japanese | English) and drawn with the figures' Japanese font.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from impactkg.graph.analysis.progress import STATUSES, Progress, progress, series_over_time

TITLE = "目標に向けた進捗 | Progress to target"
COLOURS = {"achieved": "#1b7837", "on-track": "#5aae61", "off-track": "#d6604d", "no-data": "#9e9e9e"}
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")


def progress_data(kg, organization: str | None = None) -> list[Progress]:
    """The assessed series to draw (all, or one organisation's, given by IRI)."""
    from impactkg.graph.export.figures import FigureError

    items = progress(kg, organization)
    if not items:
        raise FigureError("no indicator values to draw progress for: load a values sheet "
                          "(impactkg template values)")
    return items


def default_height(items: list[Progress]) -> float:
    """Inches: a row per series, and the line chart."""
    return max(5.0, min(40.0, 1.2 + 0.62 * len(items) + 3.4))


def _number(x: Decimal | None) -> str:
    if x is None:
        return "—"
    text = f"{x:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bullet(fig, p: Progress, box: tuple[float, float, float, float], wrap) -> None:
    """One row: the label, the bullet (bar from baseline to the latest value, target line, range
    band) and the status with the share."""
    from matplotlib.patches import Rectangle

    left, bottom, width, height = box
    s = p.series
    name = wrap(s.labels.get("ja", ""), 34, 2)
    org = s.labels.get("organization", {}).get("ja", "")
    proj = s.labels.get("project", {}).get("ja", "")
    sub = " / ".join(x for x in (org, proj) if x)
    fig.text(left, bottom + height * 0.62, name, fontsize=7.5, va="center", ha="left", linespacing=1.1)
    if sub:
        fig.text(left, bottom + height * 0.12, wrap(sub, 44, 1), fontsize=6, va="center", ha="left", color="#555555")
    ax = fig.add_axes((left + width * 0.36, bottom + height * 0.2, width * 0.44, height * 0.65))
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=6, length=2, pad=1)
    colour = COLOURS[p.status]
    numbers = [x.value for x in (p.baseline, p.latest, p.target) if x is not None]
    if p.direction == "range":
        numbers += [x for x in (s.lower, s.upper) if x is not None]
    if not numbers:
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.text(0.5, 0.5, "値なし | no values", fontsize=7, ha="center", va="center", color=colour,
                transform=ax.transAxes)
    else:
        lo, hi = float(min(numbers)), float(max(numbers))
        pad = (hi - lo) * 0.08 or max(abs(hi) * 0.1, 1.0)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(0, 1)
        ax.add_patch(Rectangle((lo - pad, 0.1), hi - lo + 2 * pad, 0.8, color="#eeeeee", zorder=0))
        if p.direction == "range":
            a = float(s.lower) if s.lower is not None else lo - pad
            z = float(s.upper) if s.upper is not None else hi + pad
            ax.add_patch(Rectangle((a, 0.1), z - a, 0.8, color="#c7e9c0", zorder=1))
        if p.latest is not None:
            start = float(p.baseline.value) if p.baseline is not None else float(p.latest.value)
            end = float(p.latest.value)
            ax.add_patch(Rectangle((min(start, end), 0.32), abs(end - start) or pad * 0.05, 0.36,
                                   color=colour, zorder=2))
            ax.plot([end], [0.5], marker="o", color=colour, markersize=4, zorder=3)
        if p.baseline is not None:
            ax.plot([float(p.baseline.value)] * 2, [0.2, 0.8], color="#666666", linewidth=1, zorder=3)
        if p.target is not None and p.direction != "range":
            ax.plot([float(p.target.value)] * 2, [0.05, 0.95], color="#000000", linewidth=2, zorder=4)
        ticks = sorted({float(x) for x in numbers})
        ax.set_xticks(ticks, labels=[_number(Decimal(str(t))) for t in ticks])
        unit = s.labels.get("unit", "")
        if unit:
            ax.set_xlabel(unit, fontsize=6, labelpad=1)
    share = p.share_rounded(2)
    status = STATUSES[p.status]
    text = f"{status['ja']} | {status['en']}" + (f"\n{share * 100:.0f}%" if share is not None else "")
    if p.direction_source == "inferred":
        text += "\n(方向は推定 | direction inferred)"
    fig.text(left + width * 0.83, bottom + height * 0.5, text, fontsize=7, va="center", ha="left",
             color=colour, linespacing=1.2)


def _lines(fig, items: list[Progress], box: tuple[float, float, float, float], wrap) -> None:
    left, bottom, width, height = box
    ax = fig.add_axes((left, bottom, width * 0.62, height))
    drawn = 0
    for p in items:
        points = series_over_time(p)
        if not points:
            continue
        colour = LINE_COLOURS[drawn % len(LINE_COLOURS)]
        label = wrap(p.series.labels.get("ja", ""), 30, 2)
        ax.plot([d for d, _ in points], [float(f) for _, f in points], marker="o", markersize=3,
                linewidth=1.4, color=colour, label=label)
        drawn += 1
    ax.axhline(1.0, color="#000000", linewidth=1, linestyle="--")
    ax.axhline(0.0, color="#666666", linewidth=0.8)
    ax.set_ylabel("進捗の割合 | share of the way\n(0 = 基準 baseline, 1 = 目標 target)", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("系列ごとの推移 | each series over time", fontsize=8, loc="left")
    if drawn:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=6, frameon=False)
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_ha("right")
    else:
        ax.set_xticks([])
        ax.text(0.5, 0.5, "基準値と推移のある系列なし | no series with a baseline and values over time",
                fontsize=7, ha="center", va="center", transform=ax.transAxes, color="#777777")


def draw_progress(fig, items: list[Progress], title: str = "") -> None:
    """Draw the bullet rows and the line chart of ``items`` on ``fig``."""
    from impactkg.graph.export.figure_text import wrap

    width_in, height_in = fig.get_size_inches()
    top = 1 - (0.5 if title else 0.15) / height_in
    lines_h = 2.6 / height_in
    lines_bottom = 0.55 / height_in
    rows_bottom = lines_bottom + lines_h + 0.55 / height_in
    row_h = (top - rows_bottom) / max(len(items), 1)
    if title:
        fig.text(0.5, 1 - 0.12 / height_in, title, ha="center", va="top", fontsize=11)
    fig.text(0.02, top + 0.04 / height_in, "指標 | indicator", fontsize=7, color="#555555", va="bottom")
    fig.text(0.02 + 0.96 * 0.36, top + 0.04 / height_in,
             "基準（灰線）→ 最新（棒）、目標（黒線）・範囲（緑帯） | baseline (grey) → latest (bar), "
             "target (black), range (green)", fontsize=6, color="#555555", va="bottom")
    for i, p in enumerate(items):
        _bullet(fig, p, (0.02, top - (i + 1) * row_h, 0.96, row_h), wrap)
    _lines(fig, items, (0.09, lines_bottom, 0.96, lines_h), wrap)


def make(fig, kg, title: str, **_: Any) -> None:
    """The hook :func:`impactkg.graph.export.figures.make_figure` calls."""
    draw_progress(fig, progress_data(kg), title)


__all__ = ["COLOURS", "TITLE", "default_height", "draw_progress", "progress_data"]
