"""Text in figures: the Japanese font they are drawn in (IPAexGothic from ``matplotlib-fontja``,
else a system CJK font such as Noto Sans CJK) and text wrapped or fitted to a box by display width
(a Japanese character takes two half-width cells, as :func:`impactkg.graph.sparql.render.width` counts them).

Used by every figure of :mod:`impactkg.graph.export.figures`.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from impactkg.errors import FigureError

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


# ---------------------------------------------------------------------- text helpers
def _width(text: str) -> int:
    from impactkg.graph.sparql.render import width

    return width(text)


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
