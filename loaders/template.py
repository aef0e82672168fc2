"""Empty, documented tables for researchers to fill in: CSV (header row) or XLSX (a sheet per
kind, a README sheet with every column's meaning, and an example row in the README)."""

from __future__ import annotations

import csv
from pathlib import Path

from impactkg.errors import ImpactKGError
from impactkg.loaders.base import Kind


def _kinds(kind: str) -> list[Kind]:
    from impactkg.loaders import KINDS

    if kind == "all":
        return list(KINDS.values())
    if kind not in KINDS:
        raise ImpactKGError(f"unknown kind {kind!r} (known: {', '.join(KINDS)}, all)")
    return [KINDS[kind]]


def write_template(kind: str, path: Path) -> Path:
    """Write an empty template of ``kind`` (or ``all``) to ``path`` (.csv or .xlsx).

    >>> import tempfile, pathlib
    >>> p = write_template("catalogue", pathlib.Path(tempfile.mkdtemp()) / "mine.csv")
    >>> p.read_text(encoding="utf-8").splitlines()[0].split(",")[:3]
    ['id', 'indicator', 'indicator_en']
    """
    kinds = _kinds(kind)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(kinds) > 1:
            raise ImpactKGError(
                "a CSV holds one kind of table: name a kind, or write 'all' to .xlsx"
            )
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow([c.name for c in kinds[0].columns])
        return path
    if suffix != ".xlsx":
        raise ImpactKGError(f"write the template as .csv or .xlsx, not {suffix or 'no suffix'!r}")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append(["sheet", "column", "required", "meaning", "example"])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for k in kinds:
        ws = wb.create_sheet(k.name)
        ws.append([c.name for c in k.columns])
        for cell, col in zip(ws[1], k.columns, strict=True):
            cell.font = Font(bold=col.required)
            cell.comment = Comment(col.doc + (" (required)" if col.required else ""), "impactkg")
            readme.append([k.name, col.name, "yes" if col.required else "", col.doc, col.example])
    readme.column_dimensions["D"].width = 70
    wb.save(path)
    return path
