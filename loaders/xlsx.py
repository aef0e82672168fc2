"""Workbooks (XLSX, XLSM) read as Excel shows them, or refused with the cell's ``file[sheet]!A1``
address. Nothing a workbook holds is silently empty.

- **Size.** A workbook is a zip archive whose parts may inflate to at most :data:`XLSX_LIMIT`
  bytes in all (their sizes from the archive's directory; Python's zipfile never lets a part
  inflate past its declared size): a 4 MB file that would inflate to 4 GB is refused before it is
  read.
- **Text** goes through :func:`impactkg.loaders.tabular.cell_text`, as every CSV cell does
  (control characters, more than ``CELL_LIMIT`` characters).
- **Numbers** become their value as text (``1``, ``0.5``, ``1200000``). The loaders refuse a
  number in a code column (an id, an SDG goal or target): Excel stores ``17.10`` typed in a
  General column as the number 17.1 (:attr:`~impactkg.loaders.tabular.TableRow.numbers`).
- **Dates and times** become ISO 8601: ``2024-01-02``, ``2024-01-02T03:04:00``, ``03:04:00``.
- **Booleans** become ``TRUE`` / ``FALSE``, as Excel shows them.
- **Errors** (``#N/A``, ``#DIV/0!``, ...) are refused.
- **Formulas** give their value as last computed; a formula whose file holds no computed value
  (saved by a program that does not compute) is refused: open and save it in Excel, or type the
  value.
- **Merged ranges.** A range down one column of data rows gives its value to every row of the
  range, as Excel shows it across them (分野 merged over three catalogue rows is the 分野 of
  the three). A range across columns, or one that touches the header row, is refused.
- Anything else a cell can hold as a value (a duration, ...) is refused, saying what it is.

>>> _range("B2:B4")
(2, 2, 2, 4)
"""

from __future__ import annotations

import datetime as dt
import weakref
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from impactkg.errors import LoadError, Problem
from impactkg.loaders.tabular import Table, TableRow, cell_text, clean_header

#: The most bytes the parts of a workbook may inflate to, in all (1 GiB).
XLSX_LIMIT = 1 << 30
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SKIPPED_SHEETS = {"readme", "columns", "説明"}


def _letters(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _range(ref: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of ``B2:D5`` (or of one cell)."""
    from openpyxl.utils.cell import range_boundaries

    return tuple(range_boundaries(ref if ":" in ref else f"{ref}:{ref}"))  # type: ignore[return-value]


def check_size(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past :data:`XLSX_LIMIT`, or that is no zip."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError([Problem(path.name, None, None, f"not a readable XLSX workbook: {exc}")]) from None
    if total > XLSX_LIMIT:
        raise LoadError([Problem(
            path.name, None, None,
            f"the workbook inflates to {total:,} bytes, above the limit of {XLSX_LIMIT:,} (1 GiB): "
            "save its sheets as CSV files, or split it")])


def _scan(archive: Any, part: str) -> tuple[list[str], set[str]]:
    """The merged ranges of a sheet and the cells whose formula has no computed value (one
    streamed pass over the sheet's XML)."""
    merged: list[str] = []
    uncomputed: set[str] = set()
    with archive.open(part) as fh:
        for _, elem in iterparse(fh, events=("end",)):
            tag = elem.tag
            if tag == _MAIN + "c":
                f, v = elem.find(_MAIN + "f"), elem.find(_MAIN + "v")
                inline = elem.find(_MAIN + "is")
                if f is not None and (v is None or v.text is None) and inline is None:
                    uncomputed.add(elem.get("r", ""))
                elem.clear()
            elif tag == _MAIN + "row":
                elem.clear()
            elif tag == _MAIN + "mergeCell" and elem.get("ref"):
                merged.append(str(elem.get("ref")))
    return merged, uncomputed


def number_text(value: int | float) -> str:
    """A number cell's value as text: ``1``, ``0.5``, ``1200000`` (never ``1.0`` or ``1e+06``)."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def cell_value(cell: Any, where: str, column: str, problems: list[Problem]) -> tuple[str, str | None]:
    """(text, number) of a workbook cell as Excel shows it: ``number`` is its text when the cell
    holds a number (for the code columns' check), else None. What cannot be read is appended
    to ``problems`` located at ``where`` (``book.xlsx[sheet]!C3``)."""
    value = cell.value
    if value is None:
        return "", None
    if getattr(cell, "data_type", None) == "e":
        problems.append(Problem(where, None, column, f"the cell holds the Excel error {value}: correct it or empty it"))
        return "", None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int | float):
        text = number_text(value)
        return text, text
    if isinstance(value, dt.datetime):
        fmt = str(getattr(cell, "number_format", "") or "").lower()
        if value.time() == dt.time() and "h" not in fmt and "s" not in fmt:
            return value.date().isoformat(), None
        return value.isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, dt.time):
        return value.isoformat(), None
    if isinstance(value, str):
        return cell_text(where, None, column, value, problems), None  # type: ignore[arg-type]
    problems.append(Problem(where, None, column, f"a {type(value).__name__} value ({value!r}) that impactkg cannot "
                                                  "read: type it as text"))
    return "", None


def read_workbook(path: Path, sheets: list[str] | None = None) -> list[Table]:
    """One table per sheet holding one (or per sheet named in ``sheets``); sheets whose name
    starts with ``_`` and the README sheets are not tables. Raises LoadError for a workbook that
    cannot be read, and for a header the loaders cannot read."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_size(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise LoadError([Problem(path.name, None, None, f"not a readable XLSX workbook: {exc}")]) from None
    keeper = _Keeper(wb)
    tables, problems = [], []
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        if ws.title.startswith("_") or ws.title.lower() in SKIPPED_SHEETS:
            continue
        try:
            table = _sheet(path, wb, ws, keeper)
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        if table is not None:
            tables.append(table)
    if problems:
        raise LoadError(problems)
    return tables


class _Keeper:
    """Keeps the workbook open while its tables are read; closes it when they are gone."""

    def __init__(self, wb: Any):
        self.wb = wb
        weakref.finalize(self, wb.close)


def _sheet(path: Path, wb: Any, ws: Any, keeper: _Keeper) -> Table | None:
    source = f"{path.name}[{ws.title}]"
    header_row, header_cells = 0, []
    for number, row in enumerate(ws.iter_rows(), start=1):
        cells = ["" if c.value is None else str(c.value) for c in row]
        if any(c.strip() for c in cells):
            header_row, header_cells = number, cells
            break
    if not header_row:
        return None
    merged, uncomputed = _scan(wb._archive, ws._worksheet_path)
    fills: dict[tuple[int, int], tuple[int, int]] = {}  # (row, col) -> the top-left cell it shows
    in_header: list[Problem] = []
    bad: list[Problem] = []
    refused_rows: set[int] = set()
    for ref in merged:
        c1, r1, c2, r2 = _range(ref)
        if r2 < header_row:
            continue  # above the table (a title): not read
        if r1 <= header_row:
            in_header.append(Problem(f"{source}!{ref}", None, None,
                                     "a merged range in the header row: unmerge it, one column name per cell"))
        elif c1 != c2:
            bad.append(Problem(f"{source}!{ref}", None, None,
                               "a range merged across columns: unmerge it and give each column its own value"))
            refused_rows.update(range(r1, r2 + 1))
        else:
            for r in range(r1 + 1, r2 + 1):
                fills[(r, c1)] = (r1, c1)
    if in_header:
        raise LoadError(in_header)
    header = clean_header(header_cells, source, header_row)
    tops_wanted = set(fills.values())

    def reader(problems: list[Problem]) -> Iterator[TableRow]:
        problems.extend(bad)
        tops: dict[tuple[int, int], tuple[str, str | None]] = {}
        width = len(header)
        for number, row in enumerate(ws.iter_rows(min_row=header_row + 1), start=header_row + 1):
            said = len(problems)
            texts: list[str] = []
            numbers: dict[str, str] = {}
            addresses: dict[str, str] = {}
            extra = False
            for i, cell in enumerate(row):
                col = i + 1
                addr = f"{_letters(col)}{number}"
                name = header[i] if i < width else f"column {col}"
                if (number, col) in fills:
                    text, num = tops.get(fills[(number, col)], ("", None))
                elif addr in uncomputed:
                    problems.append(Problem(f"{source}!{addr}", None, name,
                                            "a formula without a computed value (the file was saved by a program "
                                            "that does not compute): open and save it in Excel, or type the value"))
                    text, num = "", None
                else:
                    text, num = cell_value(cell, f"{source}!{addr}", name, problems)
                if (number, col) in tops_wanted:
                    tops[(number, col)] = (text, num)
                if i >= width:
                    extra = extra or bool(text)
                    continue
                texts.append(text)
                addresses[name] = addr
                if num is not None:
                    numbers[name] = num
            if number in refused_rows or not any(texts):
                continue
            if extra:
                problems.append(Problem(source, number, None, f"row has cells beyond the header's {width} columns"))
                continue
            texts += [""] * (width - len(texts))
            for name in header[len(addresses):]:
                addresses[name] = f"{_letters(header.index(name) + 1)}{number}"
            yield TableRow(number, dict(zip(header, texts, strict=True)), numbers, addresses,
                           unreadable=len(problems) > said)
        _ = keeper  # the workbook stays open while a reader exists

    return Table(source=source, path=path, header=header, sheet=ws.title, header_row=header_row, reader=reader)


__all__ = ["XLSX_LIMIT", "cell_value", "check_size", "number_text", "read_workbook"]
