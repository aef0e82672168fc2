"""The machinery shared by every loader: table kinds, their columns, and the conversion context.

A *kind* (``catalogue``, ``finance_cases``, ...) declares its columns and a function that turns
one row into triples. A :class:`Batch` converts a set of tables into one named graph each,
collecting every problem of every file before anything is written, so a load is atomic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.tabular import Table, TableRow
from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    RDF,
    RDFS,
    SCHEMES,
    SKOS,
    XSD,
    concept_iri,
    nfkc,
    record_iri,
    search_key,
)

#: The named graph describing source documents; loads add to it and never replace it.
SOURCES_GRAPH = GRAPH + "sources"

JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

A = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
PREF = ox.NamedNode(SKOS + "prefLabel")
SEARCH = ox.NamedNode(IKG + "searchKey")


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - mirrors rdflib's URIRef shorthand
    return ox.NamedNode(iri)


def ikg(name: str) -> ox.NamedNode:
    return ox.NamedNode(IKG + name)


def lang_of(text: str) -> str:
    """``'ja'`` when the text contains Japanese script, else ``'en'``."""
    return "ja" if JA_CHARS.search(text) else "en"


def text(value: str, lang: str | None = None) -> ox.Literal:
    """A language-tagged literal; the language is detected when not given."""
    return ox.Literal(value, language=lang or lang_of(value))


def plain(value: str) -> ox.Literal:
    return ox.Literal(value)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=N(XSD + "integer"))


def decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(format(value, "f"), datatype=N(XSD + "decimal"))


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=N(XSD + "boolean"))


@dataclass(frozen=True)
class Column:
    """A column of a kind of table. ``aliases`` are other accepted headers (e.g. Japanese ones)."""

    name: str
    doc: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


@dataclass
class Kind:
    """A kind of table: its columns, its unique key column and its row converter."""

    name: str
    title: str
    columns: list[Column]
    convert: Callable[[Row, Context], None]
    key: str | None = None
    aliases: tuple[str, ...] = ()
    #: Called once after the last row of a table (e.g. to derive records from all rows).
    finish: Callable[[Context], None] | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_map(self, header: list[str]) -> dict[str, str]:
        """Map each known header cell to the column name it stands for."""
        out = {}
        for cell in header:
            key = search_key(cell)
            for col in self.columns:
                if key == search_key(col.name) or key in (search_key(a) for a in col.aliases):
                    out[cell] = col.name
        return out


@dataclass
class Row:
    """A row seen through its kind: values by column name, with errors located in the file."""

    table: Table
    row: TableRow
    cells: dict[str, str]  # column name -> value
    headers: dict[str, str]  # column name -> header text as in the file

    @property
    def number(self) -> int:
        return self.row.number

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Context:
    """Where one table's conversion writes its quads and problems."""

    batch: Batch
    table: Table
    graph: ox.NamedNode
    namespace: str
    quads: list[ox.Quad] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_doc: ox.NamedNode | None = None

    # ---- writing
    def add(self, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))
        if p == A:
            self.batch.typed.add(s.value)

    def label(
        self, s: ox.NamedNode, value: str, lang: str | None = None, pred: ox.NamedNode = LABEL
    ) -> None:
        if value:
            self.add(s, pred, text(value, lang))
            self.add(s, SEARCH, plain(search_key(value)))

    def error(self, row: Row, column: str | None, message: str) -> None:
        header = row.headers.get(column, column) if column else None
        self.problems.append(Problem(self.table.source, row.number, header, message))

    def provenance(self, s: ox.NamedNode, row: Row) -> None:
        """Source document, source line, doubtful fields and notes of a record."""
        line = row.get("line")
        if line and self.source_doc is not None:
            number = self.to_int(row, "line", line)
            if number is not None:
                self.add(s, ikg("sourceLine"), integer(number))
            self.add(s, N(DCTERMS + "source"), self.source_doc)
        else:
            self.add(s, ikg("sourceLine"), integer(row.number))
            self.add(s, N(DCTERMS + "source"), self.batch.file_doc(self, row.table))
        for name in row.get("doubtful").split():
            self.add(s, ikg("doubtful"), plain(name))
        if row.get("note"):
            self.add(s, N(SKOS + "editorialNote"), text(row.get("note"), "en"))

    # ---- parsing cells
    def to_int(self, row: Row, column: str, value: str) -> int | None:
        try:
            return int(nfkc(value))
        except ValueError:
            self.error(row, column, f"expected a whole number, got {value!r}")
            return None

    def to_decimal(self, row: Row, column: str, value: str) -> Decimal | None:
        try:
            return Decimal(nfkc(value).replace(",", ""))
        except InvalidOperation:
            self.error(row, column, f"expected a number, got {value!r}")
            return None

    # ---- references
    def concept(
        self, row: Row, column: str, scheme: str, value: str, mint: bool = False
    ) -> ox.NamedNode | None:
        """Resolve a concept by id, label or notation in ``scheme``; optionally mint a new one."""
        iri = self.batch.find_concept(scheme, value)
        if iri is not None:
            return N(iri)
        if mint:
            iri = concept_iri(scheme, value)
            node = N(iri)
            scheme_iri, cls = SCHEMES[scheme]
            self.add(node, A, N(cls))
            self.add(node, A, N(SKOS + "Concept"))
            self.add(node, N(SKOS + "inScheme"), N(scheme_iri))
            self.label(node, value, pred=PREF)
            self.batch.register_concept(scheme, iri, [value])
            return node
        known = self.batch.concept_names(scheme)
        hint = (
            f" (known: {', '.join(known[:12])}{', ...' if len(known) > 12 else ''})"
            if known
            else ""
        )
        self.error(row, column, f"unknown {scheme} {value!r}{hint}")
        return None

    def qualified(self, value: str) -> str:
        """``'353'`` -> ``'consortium-353'``; ``'other:12'`` -> ``'other-12'``."""
        value = nfkc(value)
        if ":" in value:
            ns, _, key = value.partition(":")
            return f"{ns}-{key}"
        return f"{self.namespace}-{value}"

    def require(self, row: Row, column: str, iri: str, what: str) -> ox.NamedNode:
        """Refer to ``iri``, which must exist in this load or in the graph (checked at the end)."""
        header = row.headers.get(column, column)
        self.batch.checks.append(
            Problem(
                self.table.source, row.number, header, f"no {what} in this load or in the graph"
            )
        )
        self.batch.check_iris.append(iri)
        return N(iri)

    def record(self, row: Row, column: str, kind: str, key: str, what: str) -> ox.NamedNode:
        """A reference to a record of ``kind`` with ``key`` that must exist."""
        return self.require(row, column, record_iri(kind, key), f"{what} {key!r}")


class Batch:
    """Converts tables to named graphs; knows what the graph already holds, for references."""

    def __init__(self, lookup: Callable[[str], list], namespace: str | None = None):
        self._run = lookup  # runs a SELECT on the store, returns rows of strings
        self.exclude: set[str] = set()  # graphs this load replaces: their content does not count
        self.namespace = namespace
        self.typed: set[str] = set()
        self._concepts: dict[str, dict[str, str]] | None = None
        self._names: dict[str, dict[str, str]] | None = None
        self._display: dict[str, str] = {}  # record IRI -> a name to show
        self.graphs: dict[str, list[ox.Quad]] = {}
        self.files: list = []  # RDF files the store loads itself (loaders.rdf.RdfFile)
        self.problems: list[Problem] = []
        self.summaries: list[tuple[str, str, int, int]] = []  # source, graph, rows, triples
        self._file_docs: dict[str, ox.NamedNode] = {}
        self.sources: list[ox.Quad] = []  # source documents: added to SOURCES_GRAPH, never replaced
        self.checks: list[Problem] = []
        self.check_iris: list[str] = []
        #: A line to show before the summary (what kind of load this was).
        self.note = ""
        #: Headers the user asked to leave out (``--ignore-columns``); any other unknown is an error.
        self.ignore_columns: set[str] = set()
        #: Concepts whose label no scheme knows are minted (``--new-concepts``), not refused.
        self.new_concepts = False

    def finish(self) -> list[Problem]:
        """Run the deferred reference checks; return every problem of the batch."""
        for problem, iri in zip(self.checks, self.check_iris, strict=True):
            if not self.exists(iri):
                self.problems.append(problem)
        self.checks, self.check_iris = [], []
        return self.problems

    def lookup(self, variables: str, pattern: str, limit: str = "") -> list:
        """Match ``pattern`` in every named graph but those this load replaces."""
        skip = ", ".join(f"<{g}>" for g in sorted(self.exclude))
        where = f"GRAPH ?g {{ {pattern} }}" + (f" FILTER(?g NOT IN ({skip}))" if skip else "")
        return self._run(f"SELECT DISTINCT {variables} WHERE {{ {where} }} {limit}")

    # ---- concepts
    def _concept_index(self) -> dict[str, dict[str, str]]:
        if self._concepts is None:
            self._concepts = {s: {} for s in SCHEMES}
            by_iri = {v[0]: k for k, v in SCHEMES.items()}
            rows = self.lookup(
                "?c ?s ?l",
                "?c skos:inScheme ?s . "
                "{ ?c skos:prefLabel ?l } UNION { ?c skos:altLabel ?l } UNION { ?c skos:notation ?l }",
            )
            for c, s, lab in rows:
                scheme = by_iri.get(s)
                if scheme:
                    self._concepts[scheme][search_key(lab)] = c
                    self._concepts[scheme][search_key(c.rsplit("/", 1)[-1])] = c
        return self._concepts

    def register_concept(self, scheme: str, iri: str, names: Iterable[str]) -> None:
        index = self._concept_index()[scheme]
        index[search_key(iri.rsplit("/", 1)[-1])] = iri
        for name in names:
            if name:
                index[search_key(name)] = iri
        self.typed.add(iri)

    def find_concept(self, scheme: str, value: str) -> str | None:
        index = self._concept_index()[scheme]
        key = search_key(value)
        return index.get(key) or index.get(
            search_key(concept_iri(scheme, value).rsplit("/", 1)[-1])
        )

    def concept_names(self, scheme: str) -> list[str]:
        return sorted({k.rsplit("/", 1)[-1] for k in self._concept_index()[scheme].values()})

    # ---- records
    def exists(self, iri: str) -> bool:
        if iri in self.typed:
            return True
        return bool(self.lookup("?t", f"<{iri}> a ?t", "LIMIT 1"))

    def find_by_name(self, cls: str, name: str) -> str | None:
        """Find a record of class ``cls`` by its label (NFKC, case-insensitive)."""
        if self._names is None:
            self._names = {}
        if cls not in self._names:
            rows = self.lookup("?s ?l (LANG(?l) AS ?lang)", f"?s a <{cls}> ; rdfs:label ?l")
            self._names[cls] = {search_key(lab): s for s, lab, _ in rows}
            for s, lab, _ in sorted(rows, key=lambda r: r[2] == "en"):  # the name as written first
                self._display.setdefault(s, lab)
        return self._names[cls].get(search_key(name))

    def register_name(self, cls: str, name: str, iri: str) -> None:
        self.find_by_name(cls, name)
        self._names[cls][search_key(name)] = iri  # type: ignore[index]
        self._display.setdefault(iri, name)

    def name_of(self, cls: str, iri: str) -> str | None:
        """The first known name of a record of class ``cls`` (from this load or the graph)."""
        self.find_by_name(cls, "")
        return self._display.get(iri)

    def source_document(self, iri: str, title: str) -> ox.NamedNode:
        """Describe a source document once, in the shared graph of sources."""
        node = N(iri)
        if iri not in self._file_docs:
            g = N(SOURCES_GRAPH)
            self.sources.append(ox.Quad(node, A, ikg("SourceDocument"), g))
            self.sources.append(ox.Quad(node, LABEL, text(title), g))
            self._file_docs[iri] = node
            self.typed.add(iri)
        return node

    def file_doc(self, ctx: Context, table: Table) -> ox.NamedNode:
        return self.source_document(record_iri("source", table.path.name), table.path.name)

    # ---- conversion
    def convert(
        self,
        table: Table,
        kind: Kind,
        graph: str,
        namespace: str,
        source_doc: tuple[str, str] | None = None,
    ) -> None:
        ctx = Context(self, table, N(graph), namespace)
        if source_doc is not None:
            ctx.source_doc = self.source_document(*source_doc)
        mapping = kind.header_map(table.header)
        headers = {name: cell for cell, name in mapping.items()}
        for col in kind.columns:
            if col.required and col.name not in headers:
                ctx.problems.append(
                    Problem(table.source, 1, col.name, f"missing required column {col.name!r}")
                )
        if ctx.problems:
            self.problems.extend(ctx.problems)
            return
        seen: dict[str, int] = {}
        for trow in table.rows:
            cells = {mapping[h]: v for h, v in trow.values.items() if h in mapping}
            row = Row(table, trow, cells, headers)
            missing = [c.name for c in kind.columns if c.required and not cells.get(c.name)]
            for name in missing:
                ctx.error(row, name, f"empty required cell {name!r}")
            if missing:
                continue
            if kind.key:
                key = nfkc(cells[kind.key])
                if key in seen:
                    ctx.error(
                        row, kind.key, f"duplicate {kind.key} {key!r} (first at row {seen[key]})"
                    )
                    continue
                seen[key] = trow.number
            kind.convert(row, ctx)
        if kind.finish is not None:
            kind.finish(ctx)
        self.problems.extend(ctx.problems)
        if not ctx.problems:
            self.graphs.setdefault(graph, []).extend(ctx.quads)
            self.summaries.append((table.source, graph, len(table.rows), len(ctx.quads)))


def guess_kind(table: Table, kinds: dict[str, Kind], hint: str | None = None) -> Kind | None:
    """The kind named by ``hint`` (a kind name, file stem or sheet name), else the best header match."""
    if hint:
        key = search_key(hint).replace("-", "_")
        for kind in kinds.values():
            if key == kind.name or key in kind.aliases:
                return kind
    best, best_score = None, 0
    for kind in kinds.values():
        mapped = set(kind.header_map(table.header).values())
        required = {c.name for c in kind.columns if c.required}
        if not required <= mapped:
            continue
        score = len(mapped)
        if score > best_score:
            best, best_score = kind, score
    return best


def stem_of(path: Path) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "-", path.stem).strip("-").lower() or "data"
