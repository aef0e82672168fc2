"""Spreadsheet files for people: a query's result as CSV, TSV or XLSX for Excel, the same bytes on
every door (``impactkg export --query``, ``impactkg query --excel``, the pages' download buttons).

SPARQL results for machines are :mod:`impactkg.graph.sparql.formats` (exact to the W3C specs);
these files follow Excel's conventions instead: CSV and TSV are UTF-8 with a byte-order mark (so
that Japanese Excel shows Japanese, not mojibake) and CRLF line ends; an XLSX keeps numbers as
number cells and dates as date cells, with an autofilter and a ``query`` sheet saying what was
asked.

No file runs code when opened: no cell of an XLSX written here (nor of the catalogue workbook,
saved through :func:`_save`) is a formula — a text that begins with ``=`` is a text cell, shown
as text and kept as text when edited (:func:`no_formulas`); in CSV and TSV a text cell that a
spreadsheet would read as a formula gets a leading ``'`` (:func:`impactkg.loaders.formulas.neutralise`,
which the loaders undo), numbers never do.

>>> import rdflib
>>> r = QueryResult("select", ["unit"], [(rdflib.Literal("分"),)])
>>> spreadsheet_text(r, "csv").decode("utf-8-sig")
'unit\\r\\n分\\r\\n'
>>> r = QueryResult("select", ["x"], [(rdflib.Literal("=1+1"),), (rdflib.Literal(-3),)])
>>> spreadsheet_text(r, "csv").decode("utf-8-sig")
"x\\r\\n'=1+1\\r\\n-3\\r\\n"
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import TableError
from impactkg.graph.files import write_atomically
from impactkg.graph.sparql.results import QueryResult, python_value
from impactkg.loaders.formulas import neutralise

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes whose values are numbers (XSD 1.1 numeric types and those derived from them).
NUMERIC_TYPES = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "nonPositiveInteger", "negativeInteger", "positiveInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte",
))

TABLE_FORMATS = ("csv", "tsv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xlsx": XLSX_TYPE,
}


def _text(term: Any) -> str:
    """A cell's text: an IRI or a literal's lexical form, a blank node as ``_:label``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _cell(term: Any) -> Any:
    """A query value as an XLSX cell: numbers stay numbers, dates dates, the rest is text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and not term.language:
        value = python_value(term, exact=True)
        if isinstance(value, int | Decimal):
            return value
        plain = python_value(term)
        if isinstance(plain, bool | float | dt.date) and not isinstance(plain, str):
            return plain
    return _text(term)


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _sheet_text(term: Any) -> str:
    """A cell of a CSV/TSV file for spreadsheets: a number as it is, any other text neutralised
    where a spreadsheet would read it as a formula."""
    text = _text(term)
    if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC_TYPES and _NUMBER.fullmatch(text):
        return text
    return neutralise(text)


def spreadsheet_text(result: QueryResult, fmt: str) -> bytes:
    """A SELECT (or ASK) result as the CSV or TSV file for spreadsheets: UTF-8 with a byte-order
    mark, CRLF line ends, a field quoted where it holds the delimiter, a quote or a line end, and
    a text cell that would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) written
    with a leading ``'`` (:func:`impactkg.loaders.formulas.neutralise`; numbers never)."""
    if fmt not in ("csv", "tsv"):
        raise TableError(f"a spreadsheet text file is csv or tsv, not {fmt!r}")
    if result.kind == "graph":
        raise TableError("a CONSTRUCT or DESCRIBE result is RDF, not a table: export it as ttl")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["answer"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        for row in result.terms:
            writer.writerow([_sheet_text(t) for t in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def workbook_bytes(
    result: QueryResult, *, title: str = "", sparql: str = "", params: dict[str, Any] | None = None
) -> bytes:
    """A SELECT (or ASK) result as an XLSX workbook: the rows on sheet ``result`` (bold, frozen
    header, autofilter, numbers as numbers), the query (title, parameters, date, SPARQL) on sheet
    ``query``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if result.kind == "graph":
        raise TableError("a CONSTRUCT or DESCRIBE result is RDF, not a table: export it as ttl")
    wb = Workbook()
    ws: Any = wb.active  # a new workbook has its sheet
    ws.title = "result"
    if result.kind == "ask":
        ws.append(["answer"])
        ws.append([bool(result.boolean)])
    else:
        ws.append(result.variables)
        for values in result.terms:
            ws.append([_cell(v) for v in values])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if ws.max_row > 1 and ws.max_column:
        ws.auto_filter.ref = ws.dimensions
    _fit(ws)
    q = wb.create_sheet("query")
    q.append(["title", title or result.title])
    for k, v in (params or {}).items():
        q.append([f"param {k}", str(v)])
    q.append(["exported", dt.datetime.now().astimezone().isoformat(timespec="seconds")])
    q.append(["sparql", sparql])
    q.column_dimensions["B"].width = 100
    no_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_result(
    result: QueryResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    title: str = "",
    sparql: str = "",
    params: dict[str, Any] | None = None,
) -> int:
    """Write a SELECT (or ASK) result as a spreadsheet file (CSV, TSV or XLSX, see the module);
    returns the number of rows. TableError for an unknown format or a graph result.

    >>> import tempfile, pathlib, rdflib
    >>> r = QueryResult("select", ["unit"], [(rdflib.Literal("分"),)])
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> write_result(r, p), p.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    (1, True)
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in TABLE_FORMATS:
        raise TableError(f"unknown table format {fmt!r} (use one of: {', '.join(TABLE_FORMATS)})")
    if fmt in ("csv", "tsv"):
        data = spreadsheet_text(result, fmt)
    else:
        data = workbook_bytes(result, title=title, sparql=sparql, params=params)
    write_atomically(path, data, TableError)
    return len(result.terms) if result.kind == "select" else 1


def _fit(ws: Any, limit: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    from impactkg.graph.sparql.render import width

    widths: dict[int, int] = {}
    for row in ws.iter_rows(max_row=min(200, ws.max_row)):
        for cell in row:
            if cell.value is not None:
                text = str(cell.value)
                w = width(text)
                widths[cell.column] = max(widths.get(cell.column, 0), min(w, limit))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(w + 2, 6)


def no_formulas(wb: Any) -> None:
    """Make every cell of ``wb`` that openpyxl took for a formula (a text beginning with ``=``) a
    text cell, marked to stay text when edited in Excel (``quotePrefix``): impactkg's workbooks
    hold data, never code."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _save(wb: Any, path: Path) -> None:
    """Write a workbook of impactkg (see :func:`no_formulas`) atomically to ``path``."""
    no_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    write_atomically(path, buf.getvalue(), TableError)
