"""Figures for papers and slides, as SVG or PNG at a chosen size and DPI, with Japanese text drawn
in a Japanese font (IPAexGothic, shipped by the ``matplotlib-fontja`` package; a system CJK font
such as Noto Sans CJK is used when that package is missing):

- ``chain``: the logic-model chain activity → output/outcome → impact → SDG target → goal
  (:mod:`impactkg.graph.export.figure_chain`),
- ``system``: the system map of causal links (+ and −), with its feedback loops (R, B) marked
  (:mod:`impactkg.graph.export.figure_system`),
- ``heatmap``: social issue × finance method, the seed's case map, with the case numbers
  (:mod:`impactkg.graph.export.figure_heatmap`),
- ``goals``: how many indicators each SDG goal has (:mod:`impactkg.graph.export.figure_goals`),
- ``progress``: progress to target, a bullet chart per series of indicator values and a line per
  series over time (:mod:`impactkg.graph.export.progress_chart`),
- ``value``: the value-relationship map, impact → business → financial KPIs and the value
  hypotheses between them (:mod:`impactkg.graph.export.value_figure`).

Figures are built on :class:`matplotlib.figure.Figure` (no pyplot, no global state).
This module holds the entry points (:func:`make_figure`, :func:`render`, :func:`write_figure`),
sizes and titles; the font and text fitting are in :mod:`impactkg.graph.export.figure_text`.
The names of those modules are re-exported here.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> fig = make_figure(kg, "goals", width=6, height=5)
>>> [round(x) for x in fig.get_size_inches()]
[6, 5]
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from impactkg.errors import FigureError
from impactkg.graph.export.figure_chain import _CHAIN_COLUMNS as _CHAIN_COLUMNS
from impactkg.graph.export.figure_chain import _code_key as _code_key
from impactkg.graph.export.figure_chain import chain_data as chain_data
from impactkg.graph.export.figure_chain import draw_chain as draw_chain
from impactkg.graph.export.figure_goals import SDG_COLOURS as SDG_COLOURS
from impactkg.graph.export.figure_goals import draw_goals as draw_goals
from impactkg.graph.export.figure_goals import goals_data as goals_data
from impactkg.graph.export.figure_heatmap import CASE_MAP_METHODS as CASE_MAP_METHODS
from impactkg.graph.export.figure_heatmap import draw_heatmap as draw_heatmap
from impactkg.graph.export.figure_heatmap import heatmap_data as heatmap_data
from impactkg.graph.export.figure_system import draw_system as draw_system
from impactkg.graph.export.figure_system import system_data as system_data
from impactkg.graph.export.figure_text import _CJK_NAMES as _CJK_NAMES
from impactkg.graph.export.figure_text import _fit_text as _fit_text
from impactkg.graph.export.figure_text import _width as _width
from impactkg.graph.export.figure_text import cjk_font as cjk_font
from impactkg.graph.export.figure_text import font_family as font_family
from impactkg.graph.export.figure_text import wrap as wrap
from impactkg.graph.files import write_atomically

FIGURES = ("chain", "system", "heatmap", "goals", "progress", "value")
FIGURE_FORMATS = ("svg", "png")
DEFAULT_DPI = 150


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


def _new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


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
    # A fixed salt for the ids of SVG clip paths (random otherwise): the same figure, the same file.
    with matplotlib.rc_context({"font.family": family, "svg.fonttype": "path", "svg.hashsalt": "impactkg"}):
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
