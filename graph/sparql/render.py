"""Results for a person at a terminal: an aligned table (East Asian wide characters count double),
fitted to a width or whole.

Machine formats (CSV, TSV, JSON, XML, RDF) are :meth:`QueryResult.serialize`; this module only
draws the ``table`` view: IRIs as prefixed names where one fits, runs of white space as one space.

>>> import rdflib
>>> from impactkg.graph.sparql.results import QueryResult
>>> print(table(QueryResult("select", ["unit"], [(rdflib.Literal("分"),)])), end="")
unit
----
分
(1 row)
"""

from __future__ import annotations

import unicodedata

from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.terms import display

#: The narrowest a column is made when a table is fitted to a width.
MIN_COLUMN = 6


def width(text: str) -> int:
    """The cells ``text`` takes at a terminal: two for each East Asian Wide or Fullwidth character
    (Unicode Standard Annex #11, as :func:`unicodedata.east_asian_width` gives it), none for a
    combining mark or a format character (U+200D and the like), one for any other.

    The standard library's Unicode tables, not :mod:`wcwidth`: importing wcwidth 0.9 costs about
    25 ms of CPU, as much as the rest of ``impactkg query``'s start; on Japanese and ASCII text the
    two agree (``tests/test_terminal_table.py`` checks the tables with wcwidth).

    >>> width("分野"), width("abc"), width("ｶﾅ"), width("é"), width("e\u0301")
    (4, 3, 2, 1, 1)
    """
    if text.isascii():
        return len(text)
    eaw, category = unicodedata.east_asian_width, unicodedata.category
    return sum(0 if category(ch) in ("Mn", "Me", "Cf") else 2 if eaw(ch) in ("W", "F") else 1 for ch in text)



def _clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _fit(widths: list[int], floor: list[int], limit: int) -> list[int]:
    """Column widths whose aligned line fits ``limit`` characters: the widest columns give way
    first, none below its floor."""
    widths = list(widths)
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > limit:
        i = max(range(len(widths)), key=lambda k: (widths[k] - floor[k], widths[k]))
        if widths[i] <= floor[i]:
            break
        widths[i] -= 1
    return widths


def _floor(widths: list[int], names: list[str], limit: int) -> list[int]:
    """The narrowest each column may become: its header whole (at least MIN_COLUMN) if the
    headers fit ``limit``, else MIN_COLUMN, else an equal share of ``limit`` (at least one
    character and the ``…``), so that a table of many columns still fits its terminal."""
    gaps = 2 * (len(widths) - 1)
    share = max(2, (limit - gaps) // len(widths))
    for floor in ([max(MIN_COLUMN, width(v)) for v in names], [MIN_COLUMN] * len(widths), [share] * len(widths)):
        floor = [min(w, f) for w, f in zip(widths, floor, strict=True)]
        if sum(floor) + gaps <= limit:
            return floor
    return floor


def table(result: QueryResult, max_width: int | None = None) -> str:
    """An aligned text table of a SELECT result (``true``/``false`` for ASK, Turtle for a graph
    result). With ``max_width`` (characters) long cells are cut with ``…`` so that each line fits;
    without it every cell is shown whole."""
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n"
    if result.kind != "select":
        return result.serialize("ttl").decode("utf-8")
    cells = [[display(v) for v in row] for row in result.terms]
    widths = [width(v) for v in result.variables]
    for row in cells:
        widths = [max(w, width(c)) for w, c in zip(widths, row, strict=True)]
    if max_width is not None and widths:
        widths = _fit(widths, _floor(widths, result.variables, max_width), max_width)
        cells = [[_clip(c, w) for c, w in zip(row, widths, strict=True)] for row in cells]
        header = [_clip(v, w) for v, w in zip(result.variables, widths, strict=True)]
    else:
        header = list(result.variables)

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    n = len(cells)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(out) + "\n"
