"""Reading back a catalogue workbook written by ``impactkg export`` (see
:mod:`impactkg.graph.export.workbook`): it replaces the graphs it was made from, with the loaders'
checks (errors name sheet, row and column); unedited rows keep the provenance they had, edited and
new rows cite the workbook. :func:`impactkg.loaders.prepare` sends such a workbook here, so
``kg.load("BOOK.xlsx")`` and ``impactkg load BOOK.xlsx`` do the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem, TableError
from impactkg.graph.export.workbook import row_check
from impactkg.graph.export.workbook_index import LINE, MARKER, SOURCE


# ---------------------------------------------------------------------- reading it back
@dataclass
class About:
    """The ``_about`` and ``_provenance`` sheets of a workbook written by :func:`write_workbook`."""

    namespace: str
    source: str
    source_title: str
    replaces: list[str]
    documents: dict[str, str]
    graphs: dict[str, str]  # sheet -> the named graph it goes back to
    provenance: dict[tuple[str, int], tuple[str, str, int]]  # (sheet, row) -> (check, doc, line)


def read_about(path: str | Path) -> About | None:
    """The workbook's ``_about`` sheet, or None when ``path`` is not a workbook from
    :func:`write_workbook`."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.exists():
        return None
    # imported for a workbook only: with numpy it takes half a second
    from openpyxl import load_workbook as open_xlsx

    try:
        wb = open_xlsx(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - not a workbook we can read: the loaders will say why
        return None
    try:
        if "_about" not in wb.sheetnames:
            return None
        rows = [[("" if v is None else str(v)) for v in (*r, None, None)[:3]]
                for r in wb["_about"].iter_rows(values_only=True) if r and r[0] is not None]
        pairs = [(r[0], r[1]) for r in rows]
        info = dict(pairs)
        if info.get("format") != MARKER:
            return None
        prov: dict[tuple[str, int], tuple[str, str, int]] = {}
        if "_provenance" in wb.sheetnames:
            for r in list(wb["_provenance"].iter_rows(values_only=True))[1:]:
                if r and r[0] is not None and r[1] is not None:
                    prov[(str(r[0]), int(str(r[1])))] = (str(r[2]), str(r[3] or ""), int(str(r[4])))
        docs = {r[1]: r[2] for r in rows if r[0] == "document"}
        return About(
            namespace=info.get("namespace", ""),
            source=info.get("source", ""),
            source_title=info.get("source_title", ""),
            replaces=[v for k, v in pairs if k == "replaces"],
            documents=docs,
            graphs={r[1]: r[2] for r in rows if r[0] == "graph"},
            provenance=prov,
        )
    finally:
        wb.close()


def prepare_workbook(
    path: str | Path,
    lookup: Callable[[str], list],
    existing: list[str],
    progress: Callable[[str], None] | None = None,
    ignore_columns: Sequence[str] = (),
    new_concepts: bool = False,
):
    """Read a workbook written by ``impactkg export`` into a :class:`~impactkg.loaders.base.Batch`
    that replaces the graphs it was made from (and their sub-graphs: an emptied graph maps to
    ``[]``). ``existing`` are the store's named graphs. Raises LoadError listing every problem,
    located by sheet, row and column; TableError when ``path`` is not such a workbook.
    """
    from impactkg.loaders import KINDS, graph_name
    from impactkg.loaders.base import Batch, guess_kind, stem_of
    from impactkg.loaders.tabular import read_tables
    from impactkg.ontology import record_iri

    path = Path(path)
    about = read_about(path)
    if about is None:
        raise TableError(f"{path.name} is not a workbook written by 'impactkg export'")
    ns = about.namespace
    if progress:
        progress(path.name)
    batch = Batch(lookup, ns)
    batch.ignore_columns, batch.new_concepts = set(ignore_columns), new_concepts
    batch.note = (f"{path.name}: the catalogue of namespace {ns!r}, written by 'impactkg export'; "
                  "its sheets replace those records")
    replaced = [g for g in about.replaces if g in existing]
    batch.exclude.update(replaced)
    batch.exclude.update(g for g in existing if any(g.startswith(r + "/") for r in replaced))
    tables = read_tables(path)
    problems: list[Problem] = []
    pending = []
    for table in tables:
        kind = guess_kind(table, KINDS, table.sheet)
        if kind is None:
            problems.append(Problem(table.source, 1, None, "cannot tell what this sheet holds "
                                    f"(sheet names: {', '.join(KINDS)})"))
            continue
        name = about.graphs.get(table.sheet or "") or graph_name(ns, stem_of(path), table.sheet)
        batch.exclude.add(name)
        pending.append((table, kind, name))
    source_doc = (about.source, about.source_title) if about.source else None
    for table, kind, name in pending:
        batch.convert(table, kind, name, ns, source_doc)
    problems.extend(batch.finish())
    if problems:
        raise LoadError(problems)
    book_doc = record_iri("source", path.name)
    _restore_provenance(batch, pending, about, book_doc)
    # Graphs this load empties: the old ones it replaces, and their sub-graphs (loop graphs).
    for g in existing:
        if g not in batch.graphs and (g in replaced or any(g.startswith(r + "/") for r in replaced)):
            batch.graphs[g] = []
    return batch


def _restore_provenance(batch, pending, about: About, book_doc: str) -> None:
    """Give unedited rows back the provenance they had before the export."""
    line_p, source_p = ox.NamedNode(LINE), ox.NamedNode(SOURCE)
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    main = about.source or None
    for table, kind, graph in pending:
        columns = [c.name for c in kind.columns]
        moves: dict[tuple[int, str], tuple[int, str]] = {}
        produced_by: dict[str, set[int]] = defaultdict(set)
        for trow in table.rows:
            cell = trow.values.get("line", "").split()
            produced = (int(cell[0]), main) if cell and cell[0].isdigit() and main else (trow.number, book_doc)
            if produced[1] == main:
                produced_by[main].update(int(n) for n in cell if n.isdigit())
            else:
                produced_by[produced[1]].add(produced[0])
            entry = about.provenance.get((table.sheet, trow.number))
            if entry is None:
                continue
            check, doc, line = entry
            if row_check([trow.values.get(c, "") for c in columns]) == check:
                moves[produced] = (line, doc)  # unedited: its provenance as it was
        if not moves:
            continue
        g = ox.NamedNode(graph)
        quads = batch.graphs.get(graph, [])
        prov: dict[Any, tuple[set[int], set[str]]] = defaultdict(lambda: (set(), set()))
        for q in quads:
            if q.predicate == line_p:
                prov[q.subject][0].add(int(q.object.value))
            elif q.predicate == source_p:
                prov[q.subject][1].add(q.object.value)
        changed: dict[Any, tuple[set[int], set[str]]] = {}
        for s, (lines, docs) in prov.items():
            new_lines, new_docs = set(lines), set(docs)
            moved_any = False
            for doc in docs:
                mine = {n for n in lines if n in produced_by.get(doc, ())}
                moved = {n for n in mine if (n, doc) in moves}
                for n in moved:
                    moved_any = True
                    if not any(n in produced_by.get(d, ()) and (n, d) not in moves for d in docs):
                        new_lines.discard(n)
                if moved and moved == mine:
                    new_docs.discard(doc)
                for n in moved:
                    line, target = moves[(n, doc)]
                    new_lines.add(line)
                    new_docs.add(target)
            if moved_any:
                changed[s] = (new_lines, new_docs)
        if changed:
            kept = [q for q in quads if not (q.subject in changed and q.predicate in (line_p, source_p))]
            for s, (lines, docs) in changed.items():
                kept += [ox.Quad(s, line_p, ox.Literal(str(n), datatype=integer), g) for n in sorted(lines)]
                kept += [ox.Quad(s, source_p, ox.NamedNode(d), g) for d in sorted(docs)]
            batch.graphs[graph] = kept
    cited = {q.object.value for qs in batch.graphs.values() for q in qs if q.predicate == source_p}
    for doc, title in about.documents.items():
        if doc in cited:
            batch.source_document(doc, title)
    if book_doc not in cited:
        batch.sources = [q for q in batch.sources if q.subject.value != book_doc]
