"""The batch: converts a set of tables into one named graph each, collecting every problem of
every file, and knows what the graph already holds (concepts, records, source documents) for
references. Into a store folder it streams: every :data:`CHUNK` quads of a table go to
``Batch.sink``. Split from :mod:`impactkg.loaders.base`, which still exports every name.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.context import Context
from impactkg.loaders.kinds import Kind, Row
from impactkg.loaders.tabular import Table
from impactkg.loaders.terms import JA_CHARS, LABEL, A, N, ikg, text
from impactkg.ontology import AGENT, GRAPH, PROV, SCHEMES, concept_iri, nfkc, record_iri, search_key

#: The named graph describing source documents; loads add to it and never replace it.
SOURCES_GRAPH = GRAPH + "sources"
#: Quads of a table held before they are written, when the load streams (``Batch.sink``).
CHUNK = 50_000


class Batch:
    """Converts tables to named graphs; knows what the graph already holds, for references."""

    def __init__(self, lookup: Callable[[str], list], namespace: str | None = None):
        self._run = lookup  # runs a SELECT on the store, returns rows of strings
        self.exclude: set[str] = set()  # graphs this load replaces: their content does not count
        self.namespace = namespace
        self.typed: set[str] = set()
        self._concepts: dict[str, dict[str, str]] | None = None
        self._ambiguous: dict[str, dict[str, set[str]]] = {}
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
            named: dict[str, dict[str, set[str]]] = {s: {} for s in SCHEMES}  # label key -> concepts
            ids: dict[str, dict[str, str]] = {s: {} for s in SCHEMES}
            for c, s, lab in rows:
                scheme = by_iri.get(s)
                if scheme:
                    named[scheme].setdefault(search_key(lab), set()).add(c)
                    ids[scheme][search_key(c.rsplit("/", 1)[-1])] = c
                    self._labels.setdefault(scheme, {})[c] = pref_of.get(c, [c.rsplit("/", 1)[-1]])
            for scheme in SCHEMES:
                index = self._concepts[scheme]
                for key, found in named[scheme].items():
                    if len(found) == 1:
                        index[key] = next(iter(found))
                    else:  # a label of several concepts names none of them (unless it is an id)
                        self._ambiguous.setdefault(scheme, {})[key] = found
                index.update(ids[scheme])  # an id names its concept, whatever labels say
        return self._concepts

    def ambiguous(self, scheme: str, value: str) -> list[str]:
        """The concepts of ``scheme`` whose label is ``value`` when there are several (and
        ``value`` is not the id of one): such a value names none of them."""
        index = self._concept_index()[scheme]
        key = search_key(value)
        if key in index:
            return []
        return sorted(self._ambiguous.get(scheme, {}).get(key, ()))

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
