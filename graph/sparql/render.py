"""Render query results for a terminal or a file: table, CSV, TSV, SPARQL JSON, Turtle.

>>> import rdflib
>>> from impactkg.graph.sparql.results import QueryResult
>>> print(render(QueryResult("select", ["unit"], [(rdflib.Literal("分"),)]), "table"), end="")
unit
----
分
(1 row)
"""

from __future__ import annotations

import rdflib
from wcwidth import wcswidth

from impactkg.errors import QueryError
from impactkg.graph.sparql.results import QueryResult
from impactkg.ontology import PREFIXES

MAX_CELL = 60


def _width(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def _short(term) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        value = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns) and value != ns:
                return f"{prefix}:{value[len(ns) :]}"
        return f"<{value}>"
    return " ".join(str(term).split())


def _clip(text: str) -> str:
    if _width(text) <= MAX_CELL:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > MAX_CELL - 1:
            break
        out += ch
    return out + "…"


def table(result: QueryResult) -> str:
    """An aligned text table; East Asian wide characters count double."""
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n"
    if result.kind != "select":
        return result.to_turtle()
    cells = [[_clip(_short(v)) for v in row] for row in result.rows]
    widths = [_width(v) for v in result.variables]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)
        ).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    n = len(cells)
    out.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result: QueryResult, fmt: str) -> str:
    """Render ``result`` as ``fmt``: table, csv, tsv, json or ttl."""
    if fmt == "table":
        return table(result)
    if fmt == "csv":
        return result.to_csv()
    if fmt == "tsv":
        return result.to_csv(delimiter="\t")
    if fmt == "json":
        return result.to_json() + "\n"
    if fmt == "ttl":
        if result.kind != "graph":
            raise QueryError(
                "Turtle output is for CONSTRUCT and DESCRIBE queries; use table, csv or json"
            )
        return result.to_turtle()
    raise QueryError(f"unknown format {fmt!r}")
