"""The conversion context: where one table's conversion writes its quads and problems, with
the provenance and assertion status of each record, the parsing of number cells, and references
to concepts and records (resolved through the :class:`~impactkg.loaders.batch.Batch`). Split from
:mod:`impactkg.loaders.base`, which still exports every name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.kinds import Kind, Row
from impactkg.loaders.tabular import Table
from impactkg.loaders.terms import HIDDEN, LABEL, PREF, SEARCH, A, N, ikg, integer, plain, text
from impactkg.ontology import (
    ASSERTION_STATUSES,
    DCTERMS,
    EVIDENCE_RANK,
    PROV,
    SCHEMES,
    SKOS,
    SOURCE_STATUSES,
    concept_iri,
    nfkc,
    record_iri,
    search_key,
    status_iri,
)

if TYPE_CHECKING:
    from impactkg.loaders.batch import Batch


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
        a new concept is made in this table's graph. A label that several concepts of the scheme
        share names none of them: an error listing their ids."""
        several = self.batch.ambiguous(scheme, value)
        if several:
            listed = ", ".join(f"{iri.rsplit('/', 1)[-1]} ({self.batch.concept_label(scheme, iri)})" for iri in several)
            self.error(row, column, f"{value!r} is the label of {len(several)} {scheme} concepts: {listed}; "
                                    "write the id of the one you mean")
            return None
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
