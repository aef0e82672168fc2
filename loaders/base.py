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
from typing import Any

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.tabular import Table, TableRow
from impactkg.ontology import (
    AGENT,
    ASSERTION_STATUSES,
    DCTERMS,
    EVIDENCE_RANK,
    GRAPH,
    IKG,
    PROV,
    RDF,
    RDFS,
    SCHEMES,
    SKOS,
    SOURCE_STATUSES,
    XSD,
    concept_iri,
    nfkc,
    record_iri,
    search_key,
    status_iri,
)

#: The named graph describing source documents; loads add to it and never replace it.
SOURCES_GRAPH = GRAPH + "sources"

JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

A = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
PREF = ox.NamedNode(SKOS + "prefLabel")
SEARCH = ox.NamedNode(IKG + "searchKey")
HIDDEN = ox.NamedNode(SKOS + "hiddenLabel")

#: Columns every kind accepts for the provenance of its rows (see :meth:`Context.provenance`).
PROVENANCE_COLUMNS = (
    ("doubtful", "Names of doubtful columns, space-separated"),
    ("status", "Assertion status: stated (default; doubtful when a doubtful column is named), "
               "reading, inferred, doubtful or translation"),
    ("quote", "The source's verbatim wording the row rests on (default for stated rows: the label)"),
    ("team", "Names of columns whose values are the team's reading or inference, space-separated"),
)


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
    #: Column -> property IRI, for the columns a row's ``team`` cell may name
    #: (their values on the record become ``ikg:teamProperty`` <property>).
    properties: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = {c.name for c in self.columns}
        for name, doc in PROVENANCE_COLUMNS:
            if name not in names:
                self.columns.append(Column(name, doc))

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
    table_kind: Kind | None = None

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

    def lines(self, row: Row, column: str = "line") -> list[int] | None:
        """The source lines of a ``line`` cell: one or several whole numbers >= 1, separated by
        spaces or commas (``"994 894"``); empty gives ``[]``, a bad cell is reported (None)."""
        out = []
        for part in nfkc(row.get(column)).replace(",", " ").split():
            if not part.isdigit() or int(part) < 1:
                self.error(row, column, f"expected line numbers >= 1 separated by spaces, got {row.get(column)!r}")
                return None
            if int(part) not in out:
                out.append(int(part))
        return out

    def status(self, row: Row, fields: Iterable[str] | None = None, default: str | None = None) -> str:
        """The assertion status of the record(s) of ``row``: its ``status`` cell, else ``default``,
        else ``doubtful`` when one of ``fields`` (all columns when None) is named doubtful, else
        ``stated``. An unknown status is reported and taken as the default."""
        doubtful = self.doubtful_fields(row, fields)
        fallback = default or ("doubtful" if doubtful else "stated")
        cell = nfkc(row.get("status")).casefold()
        if not cell:
            return fallback
        if cell not in ASSERTION_STATUSES:
            self.error(row, "status", f"unknown assertion status {row.get('status')!r} "
                                      f"(use: {', '.join(ASSERTION_STATUSES)})")
            return fallback
        return cell

    @staticmethod
    def doubtful_fields(row: Row, fields: Iterable[str] | None = None) -> list[str]:
        names = row.get("doubtful").split()
        if fields is None:
            return names
        wanted = set(fields)
        return [n for n in names if n in wanted]

    def provenance(
        self,
        s: ox.NamedNode,
        row: Row,
        *,
        fields: Iterable[str] | None = None,
        quote: str | None = None,
        label: str | None = None,
        default: str | None = None,
        main: bool = True,
        verbatim: bool = False,
    ) -> str:
        """Write the provenance of record ``s`` made from ``row``, and return its assertion status.

        - ``ikg:sourceLine`` for each line of the ``line`` cell (several where the record's values
          come from several places), with the source document; without a line, the file's row.
        - ``ikg:assertionStatus`` (see :meth:`status`; ``fields`` are the columns this record is
          made of, ``default`` the status when the row gives none).
        - What the source states (stated, doubtful) cites it (``dcterms:source``) and is attributed
          to its author; the team's readings, inferences and translations are
          ``prov:wasDerivedFrom`` the source and attributed to the team (``prov:wasAttributedTo``,
          when the load knows these agents).
        - ``ikg:quote``: the ``quote`` cell, or for stated and doubtful records ``quote`` (the
          verbatim text the loader took the record from; for every status when ``verbatim``,
          as a link's evidence is the seed's wording whatever the team makes of it). A reading whose label differs from
          the quoted wording keeps that wording as ``skos:hiddenLabel``.
        - ``ikg:doubtful`` names the row's doubtful columns; ``ikg:teamProperty`` the properties
          of the columns among ``fields`` that the ``team`` cell names; the ``note`` is a
          ``skos:editorialNote``.

        The row's ``status``, ``quote`` and ``team`` cells are about its ``main`` record; the
        other records a row makes (an organisation named in a cell, a logic-model element) take
        the status of their own fields and quote their own text.
        """
        if not main:
            row = Row(row.table, row.row, {k: v for k, v in row.cells.items()
                                           if k not in ("status", "quote", "team")}, row.headers)
        status = self.status(row, fields, default)
        lines = self.lines(row)
        team = status not in SOURCE_STATUSES
        if lines and self.source_doc is not None:
            for number in lines:
                self.add(s, ikg("sourceLine"), integer(number))
            self.add(s, N((PROV + "wasDerivedFrom") if team else (DCTERMS + "source")), self.source_doc)
            agent = self.batch.agents.get("team" if team else "author")
        else:
            self.add(s, ikg("sourceLine"), integer(row.number))
            self.add(s, N(DCTERMS + "source"), self.batch.file_doc(self, row.table))
            agent = self.batch.agents.get("team") if team else None
        self.add(s, ikg("assertionStatus"), N(status_iri(status)))
        if agent is not None:
            self.add(s, N(PROV + "wasAttributedTo"), N(agent))
        said = row.get("quote") or (quote if verbatim or status in SOURCE_STATUSES else None)
        if said:
            self.add(s, ikg("quote"), text(said))
            if status == "reading" and label and search_key(said) != search_key(label):
                self.label(s, said, pred=HIDDEN)
        for name in row.get("doubtful").split():
            self.add(s, ikg("doubtful"), plain(name))
        for name in row.get("team").split():
            prop = self.table_kind.properties.get(name) if self.table_kind else None
            if prop is None:
                known = ", ".join(self.table_kind.properties) if self.table_kind else ""
                self.error(row, "team", f"column {name!r} cannot be marked as the team's "
                                        f"(columns: {known or 'none'})")
                continue
            if fields is None or name in set(fields):
                self.add(s, ikg("teamProperty"), N(prop))
        if row.get("note"):
            self.add(s, N(SKOS + "editorialNote"), text(row.get("note"), "en"))
        return status

    def one_status(self) -> None:
        """A record made from several rows keeps one assertion status: the weakest of them."""
        status = ikg("assertionStatus")
        found: dict[Any, set[str]] = {}
        for q in self.quads:
            if q.predicate == status:
                found.setdefault(q.subject, set()).add(str(getattr(q.object, "value", q.object)))
        mixed = {s: v for s, v in found.items() if len(v) > 1}
        if not mixed:
            return
        keep = {s: min(v, key=lambda iri: EVIDENCE_RANK.get(iri.rsplit("/", 1)[-1], 0)) for s, v in mixed.items()}
        self.quads = [q for q in self.quads
                      if not (q.predicate == status and q.subject in keep
                              and str(getattr(q.object, "value", q.object)) != keep[q.subject])]

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
        #: PROV agents of this load: "author" (of its source document), "team" (the project team).
        self.agents: dict[str, str] = {}

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
        """Describe a source document once, in the shared graph of sources. The embedded
        dataset's document is attributed to its author, and the load learns the agents that
        records are attributed to (:data:`impactkg.data.AGENTS`)."""
        node = N(iri)
        if iri not in self._file_docs:
            g = N(SOURCES_GRAPH)
            self.sources.append(ox.Quad(node, A, ikg("SourceDocument"), g))
            self.sources.append(ox.Quad(node, LABEL, text(title), g))
            self._file_docs[iri] = node
            self.typed.add(iri)
            self._attribute(node, g)
        return node

    def _attribute(self, doc: ox.NamedNode, g: ox.NamedNode) -> None:
        from impactkg.data import AGENTS, SOURCE_IRI

        if doc.value != SOURCE_IRI:
            return
        for key, (role, label_ja, label_en, kinds) in AGENTS.items():
            agent = N(AGENT + key)
            for cls in kinds:
                self.sources.append(ox.Quad(agent, A, N(PROV + cls), g))
            self.sources.append(ox.Quad(agent, LABEL, text(label_ja, "ja"), g))
            self.sources.append(ox.Quad(agent, LABEL, text(label_en, "en"), g))
            self.typed.add(agent.value)
            self.agents[role] = agent.value
            if role == "author":
                self.sources.append(ox.Quad(doc, A, N(PROV + "Entity"), g))
                self.sources.append(ox.Quad(doc, N(PROV + "wasAttributedTo"), agent, g))

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
        ctx = Context(self, table, N(graph), namespace, table_kind=kind)
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
        ctx.one_status()
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
