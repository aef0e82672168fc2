"""Small XLSX files for the tests: a header row and rows, in one named sheet, as Excel writes them
(openpyxl keeps each Python value's type: a number stays a number cell)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def write_workbook(path: Path, header: list[str], rows: list[list], title: str) -> Path:
    """Write ``header`` and ``rows`` to the sheet ``title`` of a new workbook at ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
