"""The machinery shared by every loader: table kinds, their columns, and the conversion context.

A *kind* (``catalogue``, ``finance_cases``, ...) declares its columns and a function that turns
one row into triples. A :class:`Batch` converts a set of tables into one named graph each,
collecting every problem of every file; nothing of a load with a problem is kept, so a load is
atomic. Into a store folder a batch streams: every :data:`CHUNK` quads of a table go to the next
version of the store (``Batch.sink``), which is discarded if any problem is found.

Nothing is dropped without a word: a column no kind knows is an error naming it, the expected
columns and the closest (unless ``ignore_columns`` names it); a concept label that matches no
concept of its scheme (after NFKC and trimming) is an error with the known labels and the
closest, unless the same load defines it (a ``concepts`` table) or ``new_concepts`` is set; a
number in a code column of a workbook (an id, an SDG goal or target) is an error saying how to
keep it as text.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
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
#: Quads of a table held before they are written, when the load streams (``Batch.sink``).
CHUNK = 50_000
#: Columns that hold codes, which a workbook must keep as text (besides each kind's key).
CODE_COLUMNS = frozenset({"id", "code", "sdg_goal", "sdg_target", "goal"})

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


@functools.lru_cache(maxsize=512)
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
    #: True when converting it reads what the other tables of the load made (``Batch.graphs``):
    #: a load with such a table keeps its quads in memory until it is written (no streaming).
    whole: bool = False
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

    def is_code(self, name: str) -> bool:
        """Whether column ``name`` holds codes (ids, SDG codes), which must stay text."""
        return name in CODE_COLUMNS or (name == self.key and name != "line")

    def unknown_columns(self, header: list[str], source: str, row: int, ignore: set[str]) -> list[Problem]:
        """A problem for each header cell that is none of this kind's columns (nor an alias),
        with the closest known column, unless ``ignore`` names it."""
        mapping = self.header_map(header)
        keys = {search_key(c.name): c.name for c in self.columns}
        keys.update({search_key(a): c.name for c in self.columns for a in c.aliases})
        ignored = {search_key(i) for i in ignore}
        names = ", ".join(c.name for c in self.columns)
        out = []
        for cell in header:
            if cell in mapping or search_key(cell) in ignored:
                continue
            close = difflib.get_close_matches(search_key(cell), list(keys), n=1, cutoff=0.6)
            hint = f"did you mean {keys[close[0]]!r}? " if close else ""
            out.append(Problem(source, row, cell, (
                f"unknown column {cell!r} for a {self.name} table: {hint}the columns are {names} "
                f"(--ignore-columns {cell!r} leaves it out on purpose)")))
        return out

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
    #: Quads of this table already written to the batch's sink (streaming).
    written: int = 0
    #: Records whose type and label this table has stated already (they are not stated again).
    described: set[str] = field(default_factory=set)
    #: Assertion-status quads held back while the table streams: :meth:`one_status` settles them
    #: over the whole table (a record of several rows keeps one status) before they are written.
    held: dict[ox.Quad, None] = field(default_factory=dict)
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
        from impactkg.loaders.cells import CellError, parse_decimal

        try:  # strict: "12,5" is not 125, "NaN" is not a number
            return parse_decimal(value)
        except CellError as exc:
            self.error(row, column, str(exc))
            return None

    # ---- references
    def concept(
        self, row: Row, column: str, scheme: str, value: str, mint: bool = False
    ) -> ox.NamedNode | None:
        """Resolve a concept by id, label or notation in ``scheme`` (compared after NFKC, without
        case or white space). A value that matches none is an error with the known labels and
        the closest, unless ``mint`` and the load allows new concepts (``--new-concepts``): then
        a new concept is made in this table's graph."""
        iri = self.batch.find_concept(scheme, value)
        if iri is not None:
            return N(iri)
        if mint and self.batch.new_concepts:
            iri = concept_iri(scheme, value)
            node = N(iri)
            scheme_iri, cls = SCHEMES[scheme]
            self.add(node, A, N(cls))
            self.add(node, A, N(SKOS + "Concept"))
            self.add(node, N(SKOS + "inScheme"), N(scheme_iri))
            self.label(node, value, pred=PREF)
            self.batch.register_concept(scheme, iri, [value])
            return node
        self.error(row, column, self.batch.unknown_concept(scheme, value, mint))
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
        self._labels: dict[str, dict[str, list[str]]] = {}  # scheme -> concept -> labels as written
        self._names: dict[str, dict[str, str]] | None = None
        self._display: dict[str, str] = {}  # record IRI -> a name to show
        self.graphs: dict[str, list[ox.Quad]] = {}
        self.files: list = []  # RDF files the store loads itself (loaders.rdf.RdfFile)
        self.problems: list[Problem] = []
        self.summaries: list[tuple[str, str, int, int | None]] = []  # source, graph, rows, triples (None: counted once loaded)
        self._file_docs: dict[str, ox.NamedNode] = {}
        self.sources: list[ox.Quad] = []  # source documents: added to SOURCES_GRAPH, never replaced
        self.checks: list[Problem] = []
        self.check_iris: list[str] = []
        self.extras: dict[Any, Any] = {}  # what a kind collects across the tables of a load
        self.deferred: list[Callable[[], None]] = []  # checks that need every table converted
        #: A line to show before the summary (what kind of load this was).
        self.note = ""
        #: Headers the user asked to leave out (``--ignore-columns``); any other unknown is an error.
        self.ignore_columns: set[str] = set()
        #: Concepts whose label no scheme knows are minted (``--new-concepts``), not refused.
        self.new_concepts = False
        #: Where a streaming load writes each chunk of a table's quads (graph, quads); None: the
        #: quads stay in :attr:`graphs` until the load is written (memory, remote stores).
        self.sink: Callable[[str, list[ox.Quad]], None] | None = None
        self.streamed = False
        #: The source (file or sheet) of each graph the load replaces, for messages.
        self.origins: dict[str, str] = {}
        #: PROV agents of this load: "author" (of its source document), "team" (the project team).
        self.agents: dict[str, str] = {}

    def finish(self) -> list[Problem]:
        """Run the deferred checks and reference checks; return every problem of the batch."""
        for check in self.deferred:
            check()
        self.deferred = []
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
            prefs = self.lookup("?c ?l (LANG(?l) AS ?lang)", "?c skos:inScheme ?s ; skos:prefLabel ?l")
            pref_of: dict[str, list[str]] = {}
            for c, lab, _lang in sorted(prefs, key=lambda r: (r[2] != "ja", r[2] != "en", r[1])):
                pref_of.setdefault(c, []).append(lab)
            for c, s, lab in rows:
                scheme = by_iri.get(s)
                if scheme:
                    self._concepts[scheme][search_key(lab)] = c
                    self._concepts[scheme][search_key(c.rsplit("/", 1)[-1])] = c
                    self._labels.setdefault(scheme, {})[c] = pref_of.get(c, [c.rsplit("/", 1)[-1]])
        return self._concepts

    def register_concept(self, scheme: str, iri: str, names: Iterable[str]) -> None:
        index = self._concept_index()[scheme]
        index[search_key(iri.rsplit("/", 1)[-1])] = iri
        names = [n for n in names if n]
        for name in names:
            index[search_key(name)] = iri
        shown = self._labels.setdefault(scheme, {}).setdefault(iri, [])
        shown += [n for n in names if n not in shown]
        self.typed.add(iri)

    def find_concept(self, scheme: str, value: str) -> str | None:
        index = self._concept_index()[scheme]
        key = search_key(value)
        return index.get(key) or index.get(
            search_key(concept_iri(scheme, value).rsplit("/", 1)[-1])
        )

    def concept_names(self, scheme: str) -> list[str]:
        return sorted({k.rsplit("/", 1)[-1] for k in self._concept_index()[scheme].values()})

    def concept_label(self, scheme: str, iri: str) -> str:
        """How a concept is shown in a message: its Japanese label, and its English one after."""
        labels = list(dict.fromkeys(self._labels.get(scheme, {}).get(iri, []))) or [iri.rsplit("/", 1)[-1]]
        others = [lab for lab in labels[1:] if not JA_CHARS.search(lab) and search_key(lab) != search_key(labels[0])]
        return f"{labels[0]} ({others[0]})" if others and JA_CHARS.search(labels[0]) else labels[0]

    def concept_labels(self, scheme: str) -> list[str]:
        """The concepts of ``scheme`` as shown in messages (see :meth:`concept_label`), sorted."""
        iris = set(self._concept_index()[scheme].values())
        return sorted({self.concept_label(scheme, iri) for iri in iris})

    def unknown_concept(self, scheme: str, value: str, mintable: bool) -> str:
        """The message for a value that is no concept of ``scheme``: the known labels, the closest,
        the scheme it belongs to if another, and how to add it."""
        known = self.concept_labels(scheme)
        shown = ", ".join(known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
        message = f"unknown {scheme} {value!r}"
        elsewhere = [s for s in SCHEMES if s != scheme and self.find_concept(s, value)]
        if elsewhere:
            message += f": it is a {elsewhere[0]}, not a {scheme}"
        index = self._concept_index()[scheme]
        close = difflib.get_close_matches(search_key(value), list(index), n=1, cutoff=0.75)
        if close:
            message += f"; did you mean {self.concept_label(scheme, index[close[0]])!r}?"
        message += f" (known: {shown})" if known else f" (no {scheme} is known)"
        if mintable:
            message += "; define it in a concepts table of this load, or give --new-concepts to add it"
        return message

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
        """Convert ``table`` as a table of ``kind`` into the named graph ``graph``: every problem
        goes to :attr:`problems`; the quads to :attr:`graphs` (or, streaming, to :attr:`sink`
        every :data:`CHUNK` quads)."""
        ctx = Context(self, table, N(graph), namespace, table_kind=kind)
        if source_doc is not None:
            ctx.source_doc = self.source_document(*source_doc)
        mapping = kind.header_map(table.header)
        headers = {name: cell for cell, name in mapping.items()}
        for col in kind.columns:
            if col.required and col.name not in headers:
                ctx.problems.append(
                    Problem(table.source, table.header_row, col.name, f"missing required column {col.name!r}")
                )
        ctx.problems += kind.unknown_columns(table.header, table.source, table.header_row, self.ignore_columns)
        if ctx.problems:
            self.problems.extend(ctx.problems)
            return
        codes = {cell for cell, name in mapping.items() if kind.is_code(name)}
        seen: dict[str, int] = {}
        rows = 0
        for trow in table.read(ctx.problems):
            rows += 1
            said = len(ctx.problems)
            for cell in codes & trow.numbers.keys():
                ctx.problems.append(Problem(
                    f"{table.source}!{trow.addresses.get(cell, '')}", None, cell,
                    f"a number in the workbook ({trow.numbers[cell]}) where a code must be text: Excel "
                    "turns 17.10 into 17.1 and an id 007 into 7. Format the column as Text and type the "
                    "codes again, or type them with a leading apostrophe ('17.10); the template of "
                    "'impactkg template' has these columns as Text"))
            if trow.unreadable or len(ctx.problems) > said:  # said, not its consequences
                continue
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
            if self.sink is not None and len(ctx.quads) >= CHUNK:
                self._flush(ctx)
        if kind.finish is not None:
            kind.finish(ctx)
        ctx.quads = [*ctx.held, *ctx.quads]
        ctx.held = {}
        ctx.one_status()
        while self.sink is not None and len(ctx.quads) > CHUNK:  # the held statuses, in chunks too
            self._write(ctx, ctx.quads[:CHUNK])
            ctx.quads = ctx.quads[CHUNK:]
        self.problems.extend(ctx.problems)
        if not ctx.problems:
            produced = ctx.written + len(ctx.quads)
            self.graphs.setdefault(graph, []).extend(ctx.quads)
            self.summaries.append((table.source, graph, rows, produced))

    def _flush(self, ctx: Context) -> None:
        """Write the table's quads so far (each once) to the sink, unless the load has failed
        already (then they are only counted); assertion statuses wait for the table's end."""
        status = ikg("assertionStatus")
        ctx.held.update(dict.fromkeys(q for q in ctx.quads if q.predicate == status))
        self._write(ctx, [q for q in ctx.quads if q.predicate != status])
        ctx.quads = []

    def _write(self, ctx: Context, quads: list[ox.Quad]) -> None:
        ctx.written += len(quads)
        if not (self.problems or ctx.problems) and self.sink is not None:
            self.sink(ctx.graph.value, list(dict.fromkeys(quads)))


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
