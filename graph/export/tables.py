"""Tables out of the graph: any query's result as CSV, TSV or XLSX, and the whole catalogue as one
XLSX workbook with a sheet per kind of record, in exactly the columns the loaders read.

The workbook is a round trip: export it, edit it in Excel, and :func:`load_workbook` (or
``impactkg load BOOK.xlsx``) puts it back in place of the records it was made from. A hidden
``_about`` sheet keeps the namespace and the source document, and ``_provenance`` the sources of
rows that do not come from that document, so that unedited rows keep their provenance and an
edited row cites the workbook.

>>> from impactkg import KnowledgeGraph
>>> import tempfile, pathlib
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> book = write_workbook(kg, pathlib.Path(tempfile.mkdtemp()) / "catalogue.xlsx")
>>> book.rows["catalogue"], book.namespace
(32, 'consortium')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
import rdflib

from impactkg.errors import ImpactKGError, LoadError, Problem
from impactkg.graph.files import write_atomically
from impactkg.graph.sparql.results import QueryResult
from impactkg.ontology import (
    CONCEPT,
    DCAT,
    DCTERMS,
    FOAF,
    GRAPH,
    IKG,
    ONTOLOGY_GRAPH,
    ORG,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMES,
    SDG,
    SDGO,
    SKOS,
)

TABLE_FORMATS = ("csv", "tsv", "xlsx")
MARKER = "impactkg-workbook"
SOURCES_GRAPH = GRAPH + "sources"
TYPE = RDF + "type"
LINE = IKG + "sourceLine"
SOURCE = DCTERMS + "source"


class TableError(ImpactKGError):
    """A table cannot be written or a workbook cannot be read back."""


# ---------------------------------------------------------------------- query results
def _cell(term: Any) -> Any:
    """A query value as a spreadsheet cell: numbers stay numbers, the rest becomes text."""
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        value = term.toPython()
        if isinstance(value, bool | int | float | Decimal) and not isinstance(value, rdflib.Literal):
            return value
        if isinstance(value, dt.datetime | dt.date):
            return value
        return str(term)
    return str(term)


def write_result(
    result: QueryResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    title: str = "",
    sparql: str = "",
    params: dict[str, Any] | None = None,
) -> int:
    """Write a SELECT (or ASK) result as CSV, TSV or XLSX; returns the number of rows.

    CSV and TSV are UTF-8 with a byte-order mark, so that Excel shows Japanese text as it is.
    The XLSX has the result on sheet ``result`` and the query (text, parameters, date) on
    sheet ``query``.

    >>> import tempfile, pathlib, rdflib
    >>> r = QueryResult("select", ["unit"], [(rdflib.Literal("分"),)])
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> write_result(r, p), p.read_text(encoding="utf-8-sig")
    (1, 'unit\\n分\\n')
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in TABLE_FORMATS:
        raise TableError(f"unknown table format {fmt!r} (use one of: {', '.join(TABLE_FORMATS)})")
    if result.kind == "graph":
        raise TableError("a CONSTRUCT or DESCRIBE result is RDF, not a table: export it as ttl")
    if fmt in ("csv", "tsv"):
        text = result.to_csv(delimiter="," if fmt == "csv" else "\t")
        _write_bytes(path, text.encode("utf-8-sig"))
        return len(result.rows) if result.kind == "select" else 1
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "result"
    if result.kind == "ask":
        ws.append(["answer"])
        ws.append([bool(result.boolean)])
    else:
        ws.append(result.variables)
        for values in result.rows:
            ws.append([_cell(v) for v in values])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    _fit(ws)
    q = wb.create_sheet("query")
    q.append(["title", title])
    for k, v in (params or {}).items():
        q.append([f"param {k}", str(v)])
    q.append(["exported", dt.datetime.now().astimezone().isoformat(timespec="seconds")])
    q.append(["sparql", sparql])
    q.column_dimensions["B"].width = 100
    _save(wb, path)
    return len(result.rows) if result.kind == "select" else 1


def _fit(ws, limit: int = 60) -> None:
    from openpyxl.utils import get_column_letter
    from wcwidth import wcswidth

    widths: dict[int, int] = {}
    for row in ws.iter_rows(max_row=200):
        for cell in row:
            if cell.value is not None:
                w = wcswidth(str(cell.value)) if wcswidth(str(cell.value)) >= 0 else len(str(cell.value))
                widths[cell.column] = max(widths.get(cell.column, 0), min(w, limit))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(w + 2, 6)


def _write_bytes(path: Path, data: bytes) -> None:
    write_atomically(path, data, TableError)


def _save(wb, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    _write_bytes(path, buf.getvalue())


# ---------------------------------------------------------------------- reading the graph
def _tail(iri: str) -> str:
    return unquote(iri.rsplit("/", 1)[-1])


def graph_namespace(graph: str) -> str | None:
    """The namespace of a named graph of a table load (``.../graph/consortium/catalogue`` ->
    ``consortium``); None for the ontology, the sources and foreign graphs."""
    if not graph.startswith(GRAPH) or graph in (ONTOLOGY_GRAPH, SOURCES_GRAPH):
        return None
    return unquote(graph[len(GRAPH):].split("/", 1)[0]) or None


class _Index:
    """Every data quad, by subject and by object, with the graphs where subjects are typed."""

    def __init__(self, quads: Iterable[ox.Quad]):
        self.props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.incoming: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.typed_in: dict[str, set[str]] = defaultdict(set)
        self.graph_subjects: dict[str, set[str]] = defaultdict(set)
        seen: set[tuple] = set()
        for q in quads:
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g == ONTOLOGY_GRAPH:
                continue
            s, p = q.subject.value, q.predicate.value
            if p == TYPE:
                self.typed_in[s].add(g)
            self.graph_subjects[g].add(s)
            key = (s, p, q.object)
            if key in seen:
                continue
            seen.add(key)
            self.props[s][p].append(q.object)
            if isinstance(q.object, ox.NamedNode):
                self.incoming[q.object.value][p].append(s)

    def objs(self, s: str, p: str) -> list:
        return self.props.get(s, {}).get(p, [])

    def iris(self, s: str, p: str) -> list[str]:
        return sorted(o.value for o in self.objs(s, p) if isinstance(o, ox.NamedNode))

    def iri(self, s: str, p: str) -> str:
        found = self.iris(s, p)
        return found[0] if found else ""

    def text(self, s: str, p: str, lang: str | None = None) -> str:
        values = self.texts(s, p, lang)
        return values[0] if values else ""

    def texts(self, s: str, p: str, lang: str | None = None) -> list[str]:
        return sorted(
            o.value for o in self.objs(s, p)
            if isinstance(o, ox.Literal) and (lang is None or (o.language or "") == lang)
        )

    def types(self, s: str) -> set[str]:
        return set(self.iris(s, TYPE))

    def lines(self, s: str) -> list[int]:
        out = []
        for v in self.texts(s, LINE):
            try:
                out.append(int(v))
            except ValueError:
                pass
        return sorted(out)

    def namespaces(self, s: str) -> set[str]:
        return {ns for g in self.typed_in.get(s, ()) if (ns := graph_namespace(g))}

    def of_class(self, cls: str, ns: str) -> list[str]:
        return sorted(s for s in self.incoming.get(cls, {}).get(TYPE, []) if ns in self.namespaces(s))


@dataclass
class _Row:
    """A row to write: its cells, where its provenance points, and the sheet row it must take."""

    cells: dict[str, str]
    line: int | None  # the record's ikg:sourceLine
    doc: str  # the record's dcterms:source
    sort: tuple = ()
    pin: int | None = None  # the sheet row the record's IRI depends on
    identity_line: str | None = None  # a `line` cell the record's IRI depends on
    graphs: set[str] = field(default_factory=set)  # where the record is now


def _prov(ix: _Index, s: str, cells: dict[str, str], **extra: Any) -> _Row:
    lines = ix.lines(s)
    docs = ix.iris(s, SOURCE)
    cells.setdefault("doubtful", " ".join(ix.texts(s, IKG + "doubtful")))
    cells.setdefault("note", ix.text(s, SKOS + "editorialNote"))
    return _Row(cells, lines[0] if lines else None, docs[0] if docs else "",
                graphs=set(ix.typed_in.get(s, ())), **extra)


def _has_prov(ix: _Index, s: str) -> bool:
    return bool(ix.objs(s, LINE))


def _strip(key: str, ns: str) -> str:
    return key[len(ns) + 1:] if key.startswith(ns + "-") else key


def _concept_ref(ix: _Index, iri: str) -> str:
    """How a row names a concept: its id, or for a concept minted from a cell, that cell's text."""
    if not iri:
        return ""
    if not _has_prov(ix, iri):
        label = ix.text(iri, SKOS + "prefLabel")
        if label:
            return label
    return _tail(iri)


def _ids(ix: _Index, s: str, p: str) -> str:
    return " ".join(_tail(i) for i in ix.iris(s, p))


def _label(ix: _Index, s: str, p: str = RDFS + "label") -> str:
    return ix.text(s, p)


def _record_ref(ix: _Index, iri: str, ns: str, strip: str = "") -> str:
    """A reference to a namespaced record: its key, ``other:key`` for another namespace."""
    key = _tail(iri)
    if strip and key.startswith(strip):
        key = key[len(strip):]
    if key.startswith(ns + "-"):
        return key[len(ns) + 1:]
    for other in sorted(ix.namespaces(iri), key=len, reverse=True):
        if key.startswith(other + "-"):
            return f"{other}:{key[len(other) + 1:]}"
    return key


# ---- one function per kind: the rows of that kind in namespace ``ns``
def _concepts(ix: _Index, ns: str) -> list[_Row]:
    by_scheme = {v[0]: k for k, v in SCHEMES.items()}
    order = list(SCHEMES)
    rows = []
    for s in ix.of_class(SKOS + "Concept", ns):
        scheme = by_scheme.get(ix.iri(s, SKOS + "inScheme"))
        if scheme is None or not _has_prov(ix, s) or not s.startswith(CONCEPT):
            continue
        cells = {
            "scheme": scheme,
            "id": _tail(s),
            "label_ja": ix.text(s, SKOS + "prefLabel", "ja"),
            "label_en": ix.text(s, SKOS + "prefLabel", "en"),
            "definition_ja": ix.text(s, SKOS + "definition", "ja"),
            "definition_en": ix.text(s, SKOS + "definition", "en"),
            "broader": _ids(ix, s, SKOS + "broader"),
            "notation": ix.text(s, SKOS + "notation"),
            "exact_match": " ".join(ix.iris(s, SKOS + "exactMatch")),
        }
        row = _prov(ix, s, cells)
        row.sort = (order.index(scheme), row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _sdg(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(SKOS + "Concept", ns):
        if ix.iri(s, SKOS + "inScheme") != SDG.rstrip("/") or not _has_prov(ix, s):
            continue
        code = ix.text(s, SKOS + "notation") or _tail(s)
        goal = ix.iri(s, SDGO + "isTargetOf")
        cells = {
            "code": code,
            "goal": _tail(goal) if goal else "",
            "label_ja": ix.text(s, SKOS + "prefLabel", "ja"),
            "label_en": ix.text(s, SKOS + "prefLabel", "en"),
        }
        row = _prov(ix, s, cells)
        major, _, minor = code.partition(".")
        row.sort = (bool(goal), int(major) if major.isdigit() else 99,
                    (0, int(minor)) if minor.isdigit() else (1, minor))
        rows.append(row)
    return rows


def _organizations(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Organization", ns):
        if not _has_prov(ix, s):
            continue
        ja = ix.texts(s, RDFS + "label", "ja")
        en = ix.texts(s, RDFS + "label", "en")
        cells = {
            "id": _tail(s),
            "name_ja": ja[0] if ja else "",
            "name_en": en[0] if en else "",
            "abbreviation": ix.text(s, SKOS + "altLabel"),
            "org_type": _concept_ref(ix, ix.iri(s, IKG + "organizationType")),
            "parent": _ids(ix, s, ORG + "subOrganizationOf"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _people(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Person", ns):
        cells = {
            "id": _tail(s),
            "name_ja": ix.text(s, RDFS + "label", "ja"),
            "name_en": ix.text(s, RDFS + "label", "en"),
            "organization": _ids(ix, s, IKG + "affiliation"),
            "position": ix.text(s, IKG + "position"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _memberships(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Membership", ns):
        person, org = _tail(ix.iri(s, ORG + "member")), _tail(ix.iri(s, ORG + "organization"))
        key = _tail(s)
        rest = key[len(person) + len(org) + 2:] if key.startswith(f"{person}-{org}-") else key
        role_text, _, tail = rest.rpartition("-")
        role = ix.iri(s, ORG + "role")
        cells = {
            "person": person,
            "organization": org,
            "role": "" if not role and role_text == "member" else role_text,
            "track": ix.text(s, IKG + "track"),
        }
        row = _prov(ix, s, cells, identity_line=tail)
        row.sort = (row.line or 0, key)
        rows.append(row)
    return rows


def _pick(ix: _Index, candidates: Iterable[str], line: int | None) -> str:
    """Of the elements a row may have made, the one that cites the row's line."""
    found = sorted(c for c in candidates if line is not None and line in ix.lines(c))
    return found[0] if found else ""


def _catalogue(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    by_line: dict[tuple[str, int], list[str]] = defaultdict(list)
    for cls in ("Activity",):
        for s in ix.of_class(IKG + cls, ns):
            for n in ix.lines(s):
                by_line[(cls, n)].append(s)
    for s in ix.of_class(IKG + "Indicator", ns):
        if not _has_prov(ix, s):
            continue
        ja = ix.texts(s, RDFS + "label", "ja")
        en = ix.texts(s, RDFS + "label", "en")
        if ja:
            indicator, indicator_en = ja[0], (en[0] if en else "")
        else:
            indicator, indicator_en = (en[0] if en else ""), (en[1] if len(en) > 1 else "")
        line = (ix.lines(s) or [None])[0]
        measured = ix.iri(s, IKG + "measures")
        types = ix.types(measured) if measured else set()
        result = impact = activity = ""
        if IKG + "Result" in types:
            result = measured
            impact = ix.iri(result, IKG + "contributesTo")
            activity = _pick(ix, ix.incoming.get(result, {}).get(IKG + "hasResult", []), line)
        elif IKG + "Impact" in types:
            impact = measured
            activity = _pick(ix, by_line.get(("Activity", line), []), line) if line else ""
        elif IKG + "Activity" in types:
            activity = measured
        domain = ix.iri(s, IKG + "domain")
        domain_text = ""
        if domain:
            models = [
                m for m in ix.incoming.get(measured, {}).get(IKG + "hasElement", [])
                if domain in ix.iris(m, IKG + "domain")
            ] if measured else []
            labels = [lab for m in sorted(models) for lab in ix.texts(m, RDFS + "label")
                      if lab.startswith(f"{ns}: ")]
            domain_text = labels[0][len(ns) + 2:] if labels else _concept_ref(ix, domain)
        target, goal = ix.iri(s, IKG + "sdgTarget"), ix.iri(s, IKG + "sdgGoal")
        cells = {
            "id": ix.text(s, DCTERMS + "identifier") or _strip(_tail(s), ns),
            "indicator": indicator,
            "indicator_en": indicator_en,
            "unit": ix.text(s, IKG + "unitText"),
            "domain": domain_text,
            "sdg_goal": _tail(goal) if goal else "",
            "sdg_target": _tail(target) if target else "",
            "impact": _label(ix, impact) if impact else "",
            "activity": _label(ix, activity) if activity else "",
            "result": _label(ix, result) if result else "",
            "data_source": ix.text(s, IKG + "dataSource"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _values(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "IndicatorValue", ns):
        owners = ix.incoming.get(s, {}).get(IKG + "hasValue", [])
        ind = sorted(owners)[0] if owners else ""
        ind_id = ix.text(ind, DCTERMS + "identifier") if ind else ""
        ind_ns = ns if ind and ns in ix.namespaces(ind) else next(iter(sorted(ix.namespaces(ind))), ns)
        org, project = ix.iri(s, IKG + "forOrganization"), ix.iri(s, IKG + "project")
        cells = {
            "indicator": ind_id if ind_ns == ns else f"{ind_ns}:{ind_id}",
            "kind": _tail(ix.iri(s, IKG + "valueKind")),
            "value": ix.text(s, RDF + "value"),
            "unit": _concept_ref(ix, ix.iri(s, IKG + "unit")),
            "year": ix.text(s, IKG + "year"),
            "period": ix.text(s, IKG + "period") if not ix.text(s, IKG + "year") else "",
            "organization": _tail(org) if org else "",
            "project": _label(ix, project) if project else "",
            "population": ix.text(s, IKG + "population"),
            "data_source": ix.text(s, IKG + "dataSource"),
            "source_url": ix.iri(s, PROV + "hadPrimarySource"),
            "recorded_by": _agent(ix, s),
        }
        # The value's IRI is made from its indicator, kind, organisation, project and period end,
        # not from its row: no row is pinned.
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["indicator"], cells["kind"])
        rows.append(row)
    return rows


def _agent(ix: _Index, s: str) -> str:
    who = ix.iri(s, PROV + "wasAttributedTo")
    return _label(ix, who) if who else ""


def _kpi_pool(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "KPIAssignment", ns):
        direction = ix.iri(s, IKG + "desiredDirection")
        cells = {
            "organization": _tail(ix.iri(s, IKG + "forOrganization")),
            "indicator": _record_ref(ix, ix.iri(s, IKG + "assignedIndicator"), ns),
            "role": _tail(ix.iri(s, IKG + "kpiRole")),
            "stage": _tail(ix.iri(s, IKG + "selectionStage")),
            "direction": _tail(direction) if direction else "",
            "range_lower": ix.text(s, IKG + "rangeLower"),
            "range_upper": ix.text(s, IKG + "rangeUpper"),
            "rationale": ix.text(s, IKG + "rationale"),
            "decided_by": _agent(ix, s),
            "decided_on": ix.text(s, IKG + "decidedOn"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["indicator"], cells["stage"])
        rows.append(row)
    return rows


def _value_hypotheses(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "ValueHypothesis", ns):
        lag = ix.text(s, IKG + "lagMonths")
        cells = {
            "organization": _tail(ix.iri(s, IKG + "forOrganization")),
            "from": _record_ref(ix, ix.iri(s, IKG + "fromIndicator"), ns),
            "to": _record_ref(ix, ix.iri(s, IKG + "toIndicator"), ns),
            "polarity": ix.text(s, IKG + "hypothesisPolarity"),
            "lag": f"P{lag}M" if lag else "",
            "evidence": _tail(ix.iri(s, IKG + "evidenceLevel")),
            "evidence_note": ix.text(s, IKG + "evidenceNote"),
            "status": _tail(ix.iri(s, IKG + "hypothesisStatus")),
            "label": _label(ix, s),
            "decided_by": _agent(ix, s),
            "decided_on": ix.text(s, IKG + "decidedOn"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["from"], cells["to"])
        rows.append(row)
    return rows


def _fragments(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "SourceFragment", ns):
        key = _strip(_tail(s), ns)
        cells = {
            "text": _label(ix, s),
            "unit_text": ix.text(s, IKG + "unitText"),
            "extra": ix.text(s, RDFS + "comment"),
        }
        row = _prov(ix, s, cells, identity_line=key)
        row.sort = (int(key) if key.isdigit() else 0, key)
        rows.append(row)
    return rows


def _databases(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "ReferenceDataset", ns):
        notes = ix.texts(s, SKOS + "note", "en")
        alt = next((n[len("also at line "):] for n in notes if n.startswith("also at line ")), "")
        cells = {
            "id": _strip(_tail(s), ns),
            "name": ix.text(s, DCTERMS + "title") or _label(ix, s),
            "publisher": _ids(ix, s, DCTERMS + "publisher"),
            "summary": ix.text(s, DCTERMS + "description"),
            "data_examples": ix.text(s, IKG + "dataExample"),
            "scope": ix.text(s, IKG + "geographicScope"),
            "url": ix.iri(s, DCAT + "landingPage"),
            "category": ix.text(s, IKG + "category"),
            "table": ix.text(s, IKG + "guideTable"),
            "scenes": _ids(ix, s, IKG + "processScene"),
            "domain": _ids(ix, s, IKG + "domain"),
            "alt_line": alt,
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _finance_cases(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "FinanceCase", ns):
        if not _has_prov(ix, s):
            continue  # a case the case map names but the case list does not describe
        cells = {
            "id": _strip(_tail(s), ns),
            "number": ix.text(s, IKG + "caseNumber"),
            "provider": _ids(ix, s, IKG + "provider"),
            "recipient": ix.text(s, IKG + "recipient"),
            "target_business": ix.text(s, IKG + "targetBusiness"),
            "instrument": ix.text(s, IKG + "instrument"),
            "method": _ids(ix, s, IKG + "financeMethod"),
            "method_text": ix.text(s, SKOS + "note"),
            "summary": ix.text(s, DCTERMS + "description"),
            "blended_category": _ids(ix, s, IKG + "blendedCategory"),
            "effects": _ids(ix, s, IKG + "blendedEffect"),
            "growth_stage": _ids(ix, s, IKG + "growthStage"),
            "social_issue": _ids(ix, s, IKG + "socialIssue"),
            "amount": ix.text(s, IKG + "amount"),
            "currency": ix.text(s, IKG + "currency"),
            "year": ix.text(s, IKG + "year"),
            "subordination_rate": ix.text(s, IKG + "subordinationRate"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _case_map(ix: _Index, ns: str) -> list[_Row]:
    cells_of: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    graphs_of: dict[tuple, set[str]] = defaultdict(set)
    for e in ix.of_class(IKG + "CaseMapEntry", ns):
        issue, method = ix.iri(e, IKG + "socialIssue"), ix.iri(e, IKG + "financeMethod")
        lines, docs = ix.lines(e), ix.iris(e, SOURCE)
        key = (issue, method, lines[0] if lines else 0, docs[0] if docs else "",
               ix.text(e, SKOS + "editorialNote"))
        order = int(ix.text(e, IKG + "order") or 0)
        case = _record_ref(ix, ix.iri(e, IKG + "case"), ns)
        cells_of[key].append((order, case.removeprefix("case-"), e))
        graphs_of[key].update(ix.typed_in.get(e, ()))
    rows = []
    for (issue, method, line, doc, note), entries in cells_of.items():
        entries.sort()
        groups: list[list[tuple[int, str, str]]] = [[]]
        for entry in entries:  # two cells on one line and cell: orders restart
            if groups[-1] and entry[0] <= groups[-1][-1][0]:
                groups.append([])
            groups[-1].append(entry)
        for group in groups:
            cells = {
                "social_issue": _tail(issue),
                "finance_method": _tail(method),
                "case_numbers": " ".join(n for _, n, _ in group),
                "note": note,
            }
            rows.append(_Row(cells, line or None, doc, sort=(line, _tail(issue), _tail(method)),
                             graphs=graphs_of[(issue, method, line, doc, note)]))
    return rows


def _bundles(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    suffix = ": 支援の束"
    for s in ix.of_class(IKG + "SupportBundle", ns):
        label = _label(ix, s)
        org = label[: -len(suffix)] if label.endswith(suffix) else _ids(ix, s, IKG + "supportOrganization")
        cells = {
            "number": _strip(_tail(s), ns),
            "organization": org,
            "stage_supported": ix.text(s, IKG + "supportedStage"),
            "bundling_points": " / ".join(ix.texts(s, IKG + "bundlingPoint")),
            "growth_stages": _ids(ix, s, IKG + "growthStage"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["number"])
        rows.append(row)
    return rows


def _short(iri: str) -> str:
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and iri != base:
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _yes(ix: _Index, s: str, p: str) -> str:
    v = ix.text(s, p)
    return {"true": "yes", "false": "no", "1": "yes", "0": "no"}.get(v, v)


def _system_elements(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Factor", ns):
        ja, en = ix.texts(s, RDFS + "label", "ja"), ix.texts(s, RDFS + "label", "en")
        cells = {
            "id": ix.text(s, DCTERMS + "identifier") or _strip(_tail(s), ns),
            "label_ja": ja[0] if ja else "",
            "label_en": en[0] if en else "",
            "type": ix.text(s, IKG + "factorType"),
            "domain": ix.text(s, IKG + "factorDomain"),
            "description": ix.text(s, DCTERMS + "description"),
            "refers_to": " ".join(_short(i) for i in ix.iris(s, IKG + "refersTo")),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _system_connections(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "CausalLink", ns):
        key = _tail(s)
        sep = "--pos--" if "--pos--" in key else "--neg--"
        ends = []
        for part, factor in zip(key.split(sep, 1), (ix.iri(s, IKG + "fromFactor"),
                                                      ix.iri(s, IKG + "toFactor")), strict=False):
            ends.append(_record_ref(ix, factor, ns) if part == _tail(factor) else
                        part[len(ns) + 1:] if part.startswith(ns + "-") else part)
        if len(ends) != 2:
            continue
        cells = {
            "from": ends[0],
            "to": ends[1],
            "polarity": ix.text(s, IKG + "polarity"),
            "delay": _yes(ix, s, IKG + "delay"),
            "evidence": ix.text(s, IKG + "evidence"),
            "source": ix.text(s, DCTERMS + "bibliographicCitation"),
            "inferred": _yes(ix, s, IKG + "inferred"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, key)
        rows.append(row)
    return rows


#: Kind name -> the function that reads its rows back from the graph.
READERS: dict[str, Callable[[_Index, str], list[_Row]]] = {
    "concepts": _concepts,
    "sdg": _sdg,
    "organizations": _organizations,
    "people": _people,
    "memberships": _memberships,
    "catalogue": _catalogue,
    "values": _values,
    "fragments": _fragments,
    "databases": _databases,
    "finance_cases": _finance_cases,
    "case_map": _case_map,
    "bundles": _bundles,
    "system_elements": _system_elements,
    "system_connections": _system_connections,
    "kpi_pool": _kpi_pool,
    "value_hypotheses": _value_hypotheses,
}

#: Classes whose instances a table row makes along with its record (not rows of their own).
BY_PRODUCTS = {
    IKG + c for c in ("Impact", "Activity", "Result", "Output", "Outcome", "LogicModel",
                      "LogicModelElement", "FeedbackLoop", "SourceDocument", "Project", "ValueSeries")
} | {PROV + "Agent"}
_ROW_CLASSES = {
    IKG + c for c in ("Organization", "Person", "Membership", "Indicator", "IndicatorValue",
                      "SourceFragment", "ReferenceDataset", "FinanceCase", "CaseMapEntry",
                      "SupportBundle", "Factor", "CausalLink", "KPIAssignment", "ValueHypothesis")
} | {SKOS + "Concept", DCAT + "Dataset", FOAF + "Person", SDGO + "Goal", SDGO + "Target"}


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
        namespace = "consortium" if "consortium" in known else (known.most_common(1) or [(None,)])[0][0]
    if namespace is None or namespace not in known:
        have = ", ".join(sorted(known)) or "none"
        raise TableError(f"no records in namespace {namespace!r} (namespaces in the graph: {have})")
    quads = list(kg.quads())
    if progress:
        from tqdm import tqdm

        quads = list(tqdm(quads, desc="reading", unit="quad", disable=None, leave=False,
                          file=sys.stderr))
    ix = _Index(quads)
    per_kind = {name: READERS[name](ix, namespace) if name in READERS else [] for name in KINDS}
    records = [s for s in ix.typed_in if namespace in ix.namespaces(s)]
    main = _main_doc(ix, records)
    main_title = _label(ix, main) if main else ""

    wb = XLSX()
    readme = wb.active
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
        for number, row in _place(rows):
            cells = dict(row.cells)
            if "line" in columns:
                if row.identity_line is not None:
                    cells["line"] = row.identity_line
                elif row.doc == main and row.line is not None:
                    cells["line"] = str(row.line)
                else:
                    cells["line"] = ""
            values = [cells.get(c, "") or "" for c in columns]
            for i, value in enumerate(values, start=1):
                if value != "":
                    c = ws.cell(row=number, column=i, value=value)
                    c.number_format = "@"
            produced = (int(cells["line"]), main) if cells.get("line") and main else (number, "")
            if row.line is not None and (produced != (row.line, row.doc)):
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
        return "concepts" if scheme in {v[0] for v in SCHEMES.values()} else ""
    table = {
        "Organization": "organizations", "Person": "people", "Membership": "memberships",
        "Indicator": "catalogue", "IndicatorValue": "values", "SourceFragment": "fragments",
        "ReferenceDataset": "databases", "FinanceCase": "finance_cases",
        "CaseMapEntry": "case_map", "SupportBundle": "bundles", "Factor": "system_elements",
        "CausalLink": "system_connections", "KPIAssignment": "kpi_pool",
        "ValueHypothesis": "value_hypotheses",
    }
    for t in types:
        if t.startswith(IKG) and t[len(IKG):] in table:
            return table[t[len(IKG):]]
    return ""


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
    from openpyxl import load_workbook as open_xlsx

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.exists():
        return None
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
                    prov[(str(r[0]), int(r[1]))] = (str(r[2]), str(r[3] or ""), int(r[4]))
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


def load_workbook(kg, path: str | Path, progress: Callable[[str], None] | None = None):
    """Load a workbook written by :func:`write_workbook` back, in place of the graphs it was
    made from: atomically, with the loaders' checks (errors name sheet, row and column).

    Unedited rows keep the provenance they had; edited and new rows cite the workbook.
    Returns the :class:`~impactkg.graph.store.LoadSummary`.
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

    def lookup(sparql: str) -> list[tuple[str, ...]]:
        return [tuple(str(v) for v in row) for row in kg.sparql(sparql).rows]

    batch = Batch(lookup, ns)
    existing = set(kg.graphs())
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
    graphs = dict(batch.graphs)
    for g in existing:
        if g not in graphs and (g in replaced or any(g.startswith(r + "/") for r in replaced)):
            graphs[g] = []
    return kg.replace_graphs(graphs, batch.summaries, batch.sources)


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
            cell = trow.values.get("line", "")
            produced = (int(cell), main) if cell.isdigit() and main else (trow.number, book_doc)
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


__all__ = [
    "TABLE_FORMATS",
    "About",
    "TableError",
    "Workbook",
    "graph_namespace",
    "load_workbook",
    "namespaces",
    "read_about",
    "row_check",
    "write_result",
    "write_workbook",
]
