"""Write imm-example.xlsx from the CSV files beside it, one sheet per kind, as a person would type
them into Excel: numbers as numbers, days as dates. Run it after editing a CSV:

    python make_workbook.py

The example company and every number here are FICTITIOUS (see README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SHEETS = ("concepts", "organizations", "catalogue", "kpi_pool", "value_hypotheses", "values")
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def typed(column: str, cell: str):
    """The cell as Excel would hold it: a number, a date, or text."""
    if column in ("value", "range_lower", "range_upper") and NUMBER.match(cell):
        number = Decimal(cell.replace(",", ""))
        return int(number) if number == number.to_integral_value() else float(number)
    if column == "decided_on" and DAY.match(cell):
        return dt.datetime.fromisoformat(cell)
    return cell or None


def main() -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name in SHEETS:
        ws = wb.create_sheet(name)
        with open(HERE / f"{name}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        ws.append(rows[0])
        for row in rows[1:]:
            ws.append([typed(col, cell) for col, cell in zip(rows[0], row, strict=True)])
    path = HERE / "imm-example.xlsx"
    wb.save(path)
    return path


if __name__ == "__main__":
    print(f"wrote {main()}")
