"""Read tables from CSV, TSV and XLSX files, streamed: a table is its header, and rows read from
the file each time they are iterated, so memory does not grow with the number of rows.

UTF-8, UTF-8 with BOM and CP932/Shift_JIS are recognised; another encoding can be named.
Workbooks are read by :mod:`impactkg.loaders.xlsx` (cells as Excel shows them, or refused with
their ``file[sheet]!A1`` address).

**The one place where a cell's text becomes its value** is :func:`cell_text` (every CSV cell, and
every text cell of a workbook through :func:`impactkg.loaders.xlsx.cell_value`): it refuses
control characters and cells above :data:`CELL_LIMIT` characters, and strips the spaces around.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_bytes("id,単位\\n1,人\\n".encode("cp932"))
>>> t = read_tables(p)[0]
>>> t.encoding, [r.values for r in t.rows]
('cp932', [{'id': '1', '単位': '人'}])
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from impactkg.errors import LoadError, Problem
from impactkg.loaders.formulas import restore

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
#: The most characters a cell may hold, in a CSV file (Python's csv field limit) and in a workbook.
CELL_LIMIT = 131_072
_CHUNK = 1 << 20


@dataclass
class TableRow:
    """One data row: its 1-based row number in the file (the header is row 1) and its cells.

    ``numbers`` are the headers whose cell a workbook stores as a number (with its text), and
    ``addresses`` the ``A1`` address of every cell of a workbook row: a code column (an id, an
    SDG code) refuses a number, which Excel would have changed (``17.10`` stored as 17.1)."""

    number: int
    values: dict[str, str]
    numbers: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    #: A cell of the row could not be read (its problem is reported): the row is not converted.
    unreadable: bool = False


@dataclass
class Table:
    """A table read from a file (or one sheet of a workbook): its header, and its rows read from
    the file each time :attr:`rows` (or :meth:`read`) is iterated."""

    source: str  # how errors name the file: "cases.csv" or "book.xlsx[cases]"
    path: Path
    header: list[str]
    sheet: str | None = None
    encoding: str | None = None
    #: The row number of the header (1 in a CSV file; a sheet's first row that holds something).
    header_row: int = 1
    #: Yields the rows, appending to the list given what cannot be read (with its place).
    reader: Callable[[list[Problem]], Iterator[TableRow]] | None = None
    #: Rows given directly (a table made in memory); used when there is no reader.
    given: list[TableRow] = field(default_factory=list)

    def read(self, problems: list[Problem]) -> Iterator[TableRow]:
        """The rows that can be read; every problem of the others is appended to ``problems``."""
        if self.reader is None:
            yield from self.given
        else:
            yield from self.reader(problems)

    @property
    def rows(self) -> Iterator[TableRow]:
        """The rows; LoadError at the end when a row could not be read (nothing is dropped)."""
        problems: list[Problem] = []
        yield from self.read(problems)
        if problems:
            raise LoadError(problems)


def cell_text(source: str, row: int, column: str, value: str, problems: list[Problem]) -> str:
    """A cell's text as the loaders see it: the one place where a cell's text becomes its value.
    Control characters (other than tab and line breaks) and cells of more than
    :data:`CELL_LIMIT` characters are refused (appended to ``problems``); spaces around go."""
    if len(value) > CELL_LIMIT:
        problems.append(Problem(source, row, column, f"a cell of {len(value):,} characters: the most a cell "
                                f"may hold is {CELL_LIMIT:,}"))
        return ""
    bad = [ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"]
    if bad:
        problems.append(Problem(source, row, column, f"control character U+{ord(bad[0]):04X} in cell"))
    return value.strip()


def clean_header(cells: list[str], source: str, row: int) -> list[str]:
    """The header's names (NFKC, trimmed, trailing empty cells dropped); LoadError for an empty
    or repeated name."""
    header = [unicodedata.normalize("NFKC", c).strip() for c in cells]
    while header and header[-1] == "":
        header.pop()
    problems, seen = [], set()
    for i, name in enumerate(header):
        if name == "":
            problems.append(Problem(source, row, f"column {i + 1}", "empty column name in header"))
        elif name in seen:
            problems.append(Problem(source, row, name, "column appears twice in header"))
        seen.add(name)
    if problems:
        raise LoadError(problems)
    return header


# ---------------------------------------------------------------------- encodings
def _valid(path: Path, encoding: str) -> int | None:
    """None when the whole file decodes as ``encoding``, else the offset of the first bad byte
    (read in chunks: nothing is kept)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + max(0, exc.start)
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def detect_encoding(path: Path, source: str, encoding: str | None = None) -> str:
    """The text encoding of a CSV file: ``encoding`` when named (checked), else UTF-8 (with or
    without BOM), else CP932/Shift_JIS, else what charset_normalizer finds in its first MB.
    Raises LoadError naming the file."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LoadError([Problem(source, None, None, f"unknown encoding {encoding!r}")]) from None
        bad = _valid(path, encoding)
        if bad is not None:
            raise LoadError([Problem(source, None, None, f"not valid {encoding} at byte {bad}")])
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(_CHUNK)
    if head.startswith(b"\xef\xbb\xbf"):
        bad = _valid(path, "utf-8-sig")
        if bad is not None:
            raise LoadError([Problem(source, None, None, f"not valid UTF-8 at byte {bad}")])
        return "utf-8-sig"
    for candidate in ("utf-8", "cp932"):
        if _valid(path, candidate) is None:
            return candidate
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None and best.encoding not in ("utf_8", "cp932", "shift_jis") and _valid(path, best.encoding) is None:
        return best.encoding
    raise LoadError([Problem(source, None, None, "cannot decode as UTF-8 or CP932/Shift_JIS; name it with --encoding")])


# ---------------------------------------------------------------------- CSV
def _csv_records(path: Path, encoding: str, delimiter: str, source: str,
                 problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each record; a malformed record ends the reading with its
    problem appended."""
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        line_start = 1
        try:
            for cells in reader:
                yield line_start, [restore(c) for c in cells]  # formulas.neutralise undone
                line_start = reader.line_num + 1
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                message = f"a cell of more than {CELL_LIMIT:,} characters: the most a cell may hold"
            else:
                message = f"malformed CSV: {message}"
            problems.append(Problem(source, reader.line_num, None, message))


def read_csv(path: Path, encoding: str | None = None, source: str | None = None) -> Table:
    """A CSV (or TSV) file as a table: its header read now, its rows when iterated."""
    source = source or path.name
    used = detect_encoding(path, source, encoding)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    head: list[Problem] = []
    first = next(_csv_records(path, used, delimiter, source, head), None)
    if head:
        raise LoadError(head)
    if first is None:
        raise LoadError([Problem(source, None, None, "the file has no header row")])
    header_row, cells = first
    header = clean_header(cells, source, header_row)

    def reader(problems: list[Problem]) -> Iterator[TableRow]:
        records = _csv_records(path, used, delimiter, source, problems)
        next(records, None)
        for number, cells in records:
            row = data_row(source, number, header, cells, problems)
            if row is not None:
                yield row

    return Table(source=source, path=path, header=header, encoding=used, header_row=header_row, reader=reader)


def data_row(source: str, number: int, header: list[str], cells: list[str], problems: list[Problem]) -> TableRow | None:
    """A record as a row of ``header`` (None for a blank record, or one with more cells than the
    header: its problem appended)."""
    if not any(c.strip() for c in cells):
        return None
    if any(c.strip() for c in cells[len(header):]):
        problems.append(Problem(source, number, None, f"row has {len(cells)} cells but the header has {len(header)}"))
        return None
    said = len(problems)
    values = {name: cell_text(source, number, name, cells[i] if i < len(cells) else "", problems)
              for i, name in enumerate(header)}
    return TableRow(number, values, unreadable=len(problems) > said)


def read_xlsx(path: Path, sheets: list[str] | None = None) -> list[Table]:
    """Every sheet of a workbook (or those named) that holds a table (see
    :mod:`impactkg.loaders.xlsx`)."""
    from impactkg.loaders.xlsx import read_workbook

    return read_workbook(path, sheets)


def read_tables(path: Path, encoding: str | None = None) -> list[Table]:
    """Every table in ``path``: one for a CSV/TSV file, one per sheet for a workbook."""
    path = Path(path)
    if not path.exists():
        raise LoadError([Problem(str(path), None, None, "no such file")])
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    if suffix in CSV_SUFFIXES:
        return [read_csv(path, encoding)]
    raise LoadError([Problem(path.name, None, None, f"unsupported table format {suffix!r} (use .csv, .tsv or .xlsx)")])
