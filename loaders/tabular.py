"""Read tables from CSV, TSV and XLSX files, with encoding detection for Excel's CSV exports.

UTF-8, UTF-8 with BOM and CP932/Shift_JIS are recognised; another encoding can be named.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_bytes("id,単位\\n1,人\\n".encode("cp932"))
>>> t = read_tables(p)[0]
>>> t.encoding, t.rows[0].values
('cp932', {'id': '1', '単位': '人'})
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from impactkg.errors import LoadError, Problem
from impactkg.loaders.formulas import restore

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class TableRow:
    """One data row: its 1-based row number in the file (the header is row 1) and its cells."""

    number: int
    values: dict[str, str]


@dataclass
class Table:
    """A table read from a file (or one sheet of a workbook)."""

    source: str  # how errors name the file: "cases.csv" or "book.xlsx[cases]"
    path: Path
    header: list[str]
    rows: list[TableRow] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding). Raises LoadError naming the file."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise LoadError(
                [Problem(source, None, None, f"unknown encoding {encoding!r}")]
            ) from None
        except UnicodeDecodeError as exc:
            raise LoadError(
                [Problem(source, None, None, f"not valid {encoding} at byte {exc.start}")]
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "cp932", "shift_jis"):
        return str(best), best.encoding
    raise LoadError(
        [
            Problem(
                source,
                None,
                None,
                "cannot decode as UTF-8 or CP932/Shift_JIS; name it with --encoding",
            )
        ]
    )


def _clean_header(cells: list[str]) -> list[str]:
    return [unicodedata.normalize("NFKC", c).strip() for c in cells]


def _check_cell(source: str, row: int, column: str, value: str, problems: list[Problem]) -> str:
    bad = [ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"]
    if bad:
        problems.append(
            Problem(source, row, column, f"control character U+{ord(bad[0]):04X} in cell")
        )
    return value.strip()


def _rows_from_matrix(
    source: str,
    path: Path,
    matrix: list[tuple[int, list[str]]],
    sheet: str | None,
    encoding: str | None,
) -> Table:
    problems: list[Problem] = []
    if not matrix:
        raise LoadError([Problem(source, None, None, "the file has no header row")])
    header_row, header_cells = matrix[0]
    header = _clean_header(header_cells)
    while header and header[-1] == "":
        header.pop()
    seen: set[str] = set()
    for i, name in enumerate(header):
        if name == "":
            problems.append(
                Problem(source, header_row, f"column {i + 1}", "empty column name in header")
            )
        elif name in seen:
            problems.append(Problem(source, header_row, name, "column appears twice in header"))
        seen.add(name)
    table = Table(source=source, path=path, header=header, sheet=sheet, encoding=encoding)
    for number, cells in matrix[1:]:
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"row has {len(cells)} cells but the header has {len(header)}",
                )
            )
            continue
        values = {
            name: _check_cell(source, number, name, cells[i] if i < len(cells) else "", problems)
            for i, name in enumerate(header)
        }
        table.rows.append(TableRow(number, values))
    if problems:
        raise LoadError(problems)
    return table


def read_csv(path: Path, encoding: str | None = None, source: str | None = None) -> Table:
    source = source or path.name
    text, used = decode(path.read_bytes(), source, encoding)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    matrix: list[tuple[int, list[str]]] = []
    try:
        line_start = 1
        for cells in reader:
            matrix.append((line_start, [restore(c) for c in cells]))  # formulas.neutralise undone
            line_start = reader.line_num + 1
    except csv.Error as exc:
        raise LoadError([Problem(source, reader.line_num, None, f"malformed CSV: {exc}")]) from None
    return _rows_from_matrix(source, path, matrix, None, used)


def read_xlsx(path: Path, sheets: list[str] | None = None) -> list[Table]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise LoadError(
            [Problem(path.name, None, None, f"not a readable XLSX workbook: {exc}")]
        ) from None
    tables = []
    try:
        for ws in wb.worksheets:
            if sheets is not None and ws.title not in sheets:
                continue
            if ws.title.startswith("_") or ws.title.lower() in {"readme", "columns", "説明"}:
                continue
            matrix = []
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                matrix.append((number, [_xlsx_cell(v) for v in row]))
            while matrix and not any(c.strip() for c in matrix[0][1]):
                matrix.pop(0)
            if not matrix:
                continue
            tables.append(
                _rows_from_matrix(f"{path.name}[{ws.title}]", path, matrix, ws.title, None)
            )
    finally:
        wb.close()
    return tables


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_tables(path: Path, encoding: str | None = None) -> list[Table]:
    """Read every table in ``path``: one for a CSV/TSV file, one per sheet for a workbook."""
    path = Path(path)
    if not path.exists():
        raise LoadError([Problem(str(path), None, None, "no such file")])
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    if suffix in CSV_SUFFIXES:
        return [read_csv(path, encoding)]
    raise LoadError(
        [
            Problem(
                path.name,
                None,
                None,
                f"unsupported table format {suffix!r} (use .csv, .tsv or .xlsx)",
            )
        ]
    )
