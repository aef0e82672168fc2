"""The whole catalogue of a namespace as one XLSX workbook: a sheet per kind of record, in exactly
the columns the loaders read, plus a README and the hidden ``_about`` and ``_provenance`` sheets.

The workbook is a round trip: export it, edit it in Excel, and ``impactkg load BOOK.xlsx`` (or
``kg.load("BOOK.xlsx")``: the same loader, :mod:`impactkg.loaders.workbook`) puts it back in place
of the records it was made from. ``_about`` keeps the namespace and the source document, and
``_provenance`` the sources of rows that do not come from that document, so that unedited rows
keep their provenance and an edited row cites the workbook.

>>> from impactkg import KnowledgeGraph
>>> import tempfile, pathlib
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> book = write_workbook(kg, pathlib.Path(tempfile.mkdtemp()) / "catalogue.xlsx")
>>> book.rows["catalogue"], book.namespace
(36, 'consortium')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import TableError
from impactkg.graph.export.tables import _fit, _save
from impactkg.graph.export.workbook_index import (
    MARKER,
    SOURCE,
    _has_prov,
    _Index,
    _label,
    _line_cell,
    _Row,
    _tail,
    graph_namespace,
)
from impactkg.graph.export.workbook_rows import _ROW_CLASSES, BY_PRODUCTS, OWN_SCHEMES, _readers
from impactkg.ontology import (
    IKG,
    SCHEMES,
    SDG,
    SKOS,
)


# ---------------------------------------------------------------------- the workbook
@dataclass
class Workbook:
    """What :func:`write_workbook` wrote: rows per sheet, and what it could not hold."""

    path: Path
    namespace: str
    rows: dict[str, int] = field(default_factory=dict)
    graphs: list[str] = field(default_factory=list)
    uncovered: Counter = field(default_factory=Counter)

    def text(self) -> str:
        lines = [f"{kind}: {n} rows" for kind, n in self.rows.items() if n]
        lines.append(f"wrote the catalogue of namespace {self.namespace!r} "
                     f"({sum(self.rows.values())} rows) to {self.path}")
        if self.uncovered:
            what = ", ".join(f"{n} {_tail(c.replace('#', '/'))}" for c, n in self.uncovered.most_common())
            lines.append(f"not in the workbook (no table kind holds them): {what}")
        return "\n".join(lines)


def row_check(cells: Iterable[str]) -> str:
    """A short digest of a row's cells: tells an unedited row from an edited one."""
    return hashlib.sha1("\x1f".join(cells).encode("utf-8")).hexdigest()[:16]


def namespaces(kg) -> Counter:
    """The namespaces of the table loads in the graph, with how many named graphs each has."""
    return Counter(ns for g in kg.graphs() if (ns := graph_namespace(g)))


def _main_doc(ix: _Index, records: list[str]) -> str:
    docs = Counter(d for s in records for d in ix.iris(s, SOURCE))
    return docs.most_common(1)[0][0] if docs else ""


def _place(rows: list[_Row]) -> list[tuple[int, _Row]]:
    """Sheet row numbers: pinned rows where their IRI needs them, the others in order between."""
    taken: dict[int, _Row] = {}
    loose = []
    for row in sorted(rows, key=lambda r: r.sort):
        if row.pin is not None and row.pin >= 2 and row.pin not in taken:
            taken[row.pin] = row
        else:
            loose.append(row)
    n = 2
    for row in loose:
        while n in taken:
            n += 1
        taken[n] = row
        n += 1
    return sorted(taken.items(), key=lambda kv: kv[0])


def write_workbook(
    kg, path: str | Path, namespace: str | None = None, progress: bool = False
) -> Workbook:
    """Write the records of ``namespace`` (default: ``consortium``, else the largest) as one XLSX
    workbook: a sheet per kind, in the loaders' columns, plus a README and the hidden ``_about``
    and ``_provenance`` sheets that :func:`load_workbook` reads.
    """
    from openpyxl import Workbook as XLSX
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    from impactkg import __version__
    from impactkg.loaders import KINDS

    path = Path(path)
    known = namespaces(kg)
    if namespace is None:
        largest = known.most_common(1)
        namespace = "consortium" if "consortium" in known else (largest[0][0] if largest else None)
    if namespace is None or namespace not in known:
        have = ", ".join(sorted(known)) or "none"
        raise TableError(f"no records in namespace {namespace!r} (namespaces in the graph: {have})")
    quads = list(kg.quads())
    if progress:
        from tqdm import tqdm

        quads = list(tqdm(quads, desc="reading", unit="quad", disable=None, leave=False,
                          file=sys.stderr))
    from impactkg.graph.export import side_tables

    side = {g: k for g, k in side_tables.side_graphs(quads).items() if graph_namespace(g) == namespace}
    ix = _Index(q for q in quads if q.graph_name.value not in side)  # every sheet but the side ones
    readers = _readers()
    per_kind = {name: readers[name](ix, namespace) if name in readers else [] for name in KINDS}
    def make_row(cells: dict[str, str], graph: str) -> _Row:
        return _Row(cells, None, "", graphs={graph})

    for g, side_kind in sorted(side.items()):
        own = [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == g]
        per_kind[side_kind] += (side_tables.translation_rows(ix, own, namespace, make_row)
                                if side_kind == "translations" else side_tables.kos_rows_of_graph(own, make_row))
    records = [s for s in ix.typed_in if namespace in ix.namespaces(s)]
    main = _main_doc(ix, records)
    main_title = _label(ix, main) if main else ""

    wb = XLSX()
    readme: Any = wb.active  # a new workbook has its sheet
    readme.title = "README"
    readme.append([f"impactkg catalogue of namespace {namespace!r}: one sheet per kind of record, "
                   "in the columns the loaders read. Edit the sheets, then: "
                   f"impactkg load {path.name}"])
    readme.append([])
    readme.append(["sheet", "column", "required", "meaning"])
    for cell in readme[3]:
        cell.font = Font(bold=True)
    provenance: list[list[Any]] = []
    sheet_graphs: dict[str, str] = {}  # a sheet whose records all live in one graph goes back there
    summary = Workbook(path, namespace)
    for name, kind in KINDS.items():
        ws = wb.create_sheet(name)
        columns = [c.name for c in kind.columns]
        ws.append(columns)
        for cell, col in zip(ws[1], kind.columns, strict=True):
            cell.font = Font(bold=col.required)
            cell.comment = Comment(col.doc + (" (required)" if col.required else ""), "impactkg")
            readme.append([name, col.name, "yes" if col.required else "", col.doc])
        rows = per_kind[name]
        column_of: dict[str, str] = {}
        for column, prop in kind.properties.items():
            column_of.setdefault(prop, column)
        for number, row in _place(rows):
            cells = dict(row.cells)
            if "line" in columns:
                if row.identity_line is not None:
                    cells["line"] = _line_cell(row) if row.doc == main else row.identity_line
                elif row.doc == main and row.line is not None:
                    cells["line"] = _line_cell(row)
                else:
                    cells["line"] = ""
            if row.team and "team" in columns:
                cells.setdefault("team", " ".join(column_of[p] for p in row.team if p in column_of))
            values = [cells.get(c, "") or "" for c in columns]
            for i, value in enumerate(values, start=1):
                if value != "":
                    c = ws.cell(row=number, column=i, value=value)
                    c.number_format = "@"
            produced = (int(cells["line"].split()[0]), main) if cells.get("line") and main else (number, "")
            whole = bool(cells.get("line")) and row.doc == main and \
                {int(n) for n in cells["line"].split()} == set(row.lines)
            if row.line is not None and not whole and produced != (row.line, row.doc):
                provenance.append([name, number, row_check(values), row.doc, row.line])
        ws.freeze_panes = "A2"
        _fit(ws)
        summary.rows[name] = len(rows)
        homes = {g for row in rows for g in row.graphs if graph_namespace(g) == namespace}
        if len(homes) == 1:
            sheet_graphs[name] = homes.pop()
    # Which graphs the workbook holds completely, and what it does not hold.
    graphs = sorted({g for s in records for g in ix.typed_in[s] if graph_namespace(g) == namespace})
    exported_records = _exported_records(ix, per_kind, namespace)
    for g in graphs:
        missing = [
            s for s in ix.graph_subjects[g]
            if ix.types(s) and s not in exported_records and not (ix.types(s) & BY_PRODUCTS)
        ]
        for s in missing:
            summary.uncovered[sorted(ix.types(s) & _ROW_CLASSES or ix.types(s))[0]] += 1
        if not missing:
            summary.graphs.append(g)
    summary.graphs += sorted(side)  # held whole by their sheets
    about = wb.create_sheet("_about")
    for key_value in (
        ("format", MARKER),
        ("version", "1"),
        ("namespace", namespace),
        ("source", main),
        ("source_title", main_title),
        ("exported", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("impactkg", __version__),
        *(("replaces", g) for g in summary.graphs),
        *(("graph", sheet, g) for sheet, g in sheet_graphs.items() if g in summary.graphs),
        *(("document", d, _label(ix, d)) for d in sorted({p[3] for p in provenance} - {""})),
    ):
        about.append(list(key_value))
    prov = wb.create_sheet("_provenance")
    prov.append(["sheet", "row", "check", "source", "line"])
    for entry in provenance:
        prov.append(entry)
    for ws in (about, prov):
        ws.sheet_state = "hidden"
    readme.column_dimensions["D"].width = 90
    _save(wb, path)
    return summary


def _exported_records(ix: _Index, per_kind: dict[str, list[_Row]], ns: str) -> set[str]:
    """The subjects the rows stand for (the row kinds' records that have provenance)."""
    out: set[str] = set()
    if not any(per_kind.values()):
        return out
    for s in ix.typed_in:
        if ns not in ix.namespaces(s):
            continue
        types = ix.types(s)
        if types & _ROW_CLASSES and _has_prov(ix, s) and _kind_of(types, ix, s) in per_kind:
            out.add(s)
        elif types & {SKOS + "Concept", IKG + "FinanceCase"} and not _has_prov(ix, s):
            out.add(s)  # minted by a cell, or named by the case map: made again by the rows
    return out


def _kind_of(types: set[str], ix: _Index, s: str) -> str:
    if SKOS + "Concept" in types:
        scheme = ix.iri(s, SKOS + "inScheme")
        if scheme == SDG.rstrip("/"):
            return "sdg"
        own = {SCHEMES[k][0]: kind for k, kind in OWN_SCHEMES.items()}
        if scheme in own:
            return own[scheme]
        return "concepts" if scheme in {v[0] for v in SCHEMES.values()} else ""
    table = {
        "Organization": "organizations", "Person": "people", "Membership": "memberships",
        "Indicator": "catalogue", "IndicatorValue": "values", "SourceFragment": "fragments",
        "ReferenceDataset": "databases", "FinanceCase": "finance_cases",
        "CaseMapEntry": "case_map", "SupportBundle": "bundles", "Factor": "system_elements",
        "CausalLink": "system_connections", "Presentation": "meetings", "Programme": "programmes",
    }
    for t in types:
        if t.startswith(IKG) and t[len(IKG):] in table:
            return table[t[len(IKG):]]
    return ""

