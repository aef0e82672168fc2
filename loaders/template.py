"""Empty, documented tables for researchers to fill in.

An XLSX template has a sheet per kind and a README sheet after them documenting every column
(meaning, whether it is required, an example, whether it is a code kept as text, the values it
takes). In each kind's sheet the header row is frozen, the code columns (ids, SDG goals and
targets) are formatted as Text — so that Excel keeps ``17.10`` as typed instead of storing the
number 17.1 — and the columns whose values are known (domains, units, SDG goals and targets,
finance methods, organisation types, roles, value kinds, social issues) offer them in a drop-down
list (data validation, from the hidden sheet ``_lists``; another value gets a warning, and loads
only with ``--new-concepts`` or a concepts table). The known values are the embedded dataset's.

A CSV template is the header row alone: a CSV file holds no formats, and Excel, opening it, turns
``17.10`` into 17.1 and ``007`` into 7 without a word. Fill the XLSX template, or import the CSV
into Excel with those columns as Text.
"""

from __future__ import annotations

import csv
from pathlib import Path

from impactkg.errors import ImpactKGError
from impactkg.loaders.base import Kind

#: (kind, column) -> the list of known values offered in a drop-down.
LISTS: dict[tuple[str, str], str] = {
    ("catalogue", "domain"): "domain", ("catalogue", "unit"): "unit",
    ("catalogue", "sdg_goal"): "goal", ("catalogue", "sdg_target"): "target",
    ("values", "kind"): "value-kind", ("values", "unit"): "unit",
    ("organizations", "org_type"): "organization-type", ("memberships", "role"): "role",
    ("finance_cases", "method"): "finance-method", ("finance_cases", "social_issue"): "social-issue",
    ("finance_cases", "growth_stage"): "growth-stage",
    ("case_map", "social_issue"): "social-issue", ("case_map", "finance_method"): "finance-method",
    ("sdg", "goal"): "goal", ("concepts", "scheme"): "scheme",
}
#: What a CSV template cannot carry, said where it is written.
CSV_NOTE = ("a CSV file holds no formats: Excel, opening it, turns 17.10 into 17.1 and 007 into 7 without a "
            "word; fill the XLSX template (impactkg template KIND -o FILE.xlsx), or import the CSV into "
            "Excel with the code columns as Text")
_ROWS = 1_048_576  # Excel's last row


def _kinds(kind: str) -> list[Kind]:
    from impactkg.loaders import KINDS

    if kind == "all":
        return list(KINDS.values())
    if kind not in KINDS:
        raise ImpactKGError(f"unknown kind {kind!r} (known: {', '.join(KINDS)}, all)")
    return [KINDS[kind]]


def known_values() -> dict[str, list[str]]:
    """The values of each list, from the embedded dataset: concept labels (Japanese) by scheme,
    SDG goal numbers and target codes."""
    from impactkg.data import dataset_dir
    from impactkg.ontology import SCHEMES

    out: dict[str, list[str]] = {"goal": [], "target": [], "scheme": list(SCHEMES)}
    with open(dataset_dir() / "concepts.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label = row["label_ja"] or row["label_en"] or row["id"]
            out.setdefault(row["scheme"], [])
            if label not in out[row["scheme"]]:
                out[row["scheme"]].append(label)
    with open(dataset_dir() / "sdg.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out["target" if row["goal"] else "goal"].append(row["code"])
    return out


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
            raise ImpactKGError("a CSV holds one kind of table: name a kind, or write 'all' to .xlsx")
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow([c.name for c in kinds[0].columns])
        return path
    if suffix != ".xlsx":
        raise ImpactKGError(f"write the template as .csv or .xlsx, not {suffix or 'no suffix'!r}")
    _write_xlsx(kinds, path)
    return path


def _write_xlsx(kinds: list[Kind], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    values = known_values()
    wb = Workbook()
    lists = wb.create_sheet("_lists")
    wb.remove(wb.worksheets[0])
    lists.sheet_state = "hidden"
    where: dict[str, str] = {}
    for i, (name, items) in enumerate(sorted(values.items()), start=1):
        letter = get_column_letter(i)
        lists.cell(row=1, column=i, value=name)
        for j, item in enumerate(items, start=2):
            lists.cell(row=j, column=i, value=item).number_format = "@"
        where[name] = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(items) + 1}"
    docs = []
    for k in kinds:
        ws = wb.create_sheet(k.name)
        ws.append([c.name for c in k.columns])
        ws.freeze_panes = "A2"
        for i, (cell, col) in enumerate(zip(ws[1], k.columns, strict=True), start=1):
            letter = get_column_letter(i)
            cell.font = Font(bold=col.required)
            code = k.is_code(col.name)
            listed = LISTS.get((k.name, col.name))
            note = col.doc + (" (required)" if col.required else "")
            if code:
                note += "; a code: the column is Text, keep it so (17.10 stays 17.10)"
                ws.column_dimensions[letter].number_format = "@"
            if listed:
                note += f"; pick one of the known values ({listed})"
                dv = DataValidation(
                    type="list", formula1=where[listed], allow_blank=True, showErrorMessage=True,
                    errorStyle="warning", errorTitle="not a known value",
                    error=f"{col.name}: not a known {listed}. It loads only with --new-concepts, or when a "
                          "concepts table of the same load defines it.",
                )
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{_ROWS}")
            cell.comment = Comment(note, "impactkg")
            ws.column_dimensions[letter].width = max(12, min(40, len(col.name) + 4))
            docs.append([k.name, col.name, "yes" if col.required else "", "text (a code)" if code else "",
                         ", ".join(values[listed][:12]) + (" ..." if len(values[listed]) > 12 else "")
                         if listed else "", col.doc, col.example])
    readme = wb.create_sheet("README")
    readme.append(["sheet", "column", "required", "format", "known values (drop-down)", "meaning", "example"])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for row in docs:
        readme.append(row)
    readme.freeze_panes = "A2"
    for letter, width in (("E", 40), ("F", 70), ("G", 30)):
        readme.column_dimensions[letter].width = width
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1)  # the data sheets first, the README second
    wb.active = 0
    wb.save(path)
