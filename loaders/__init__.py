"""Loaders: one module per kind of source, all behind :func:`prepare`.

Tables (CSV, TSV, XLSX) are matched to a *kind* by ``kind=``, by file or sheet name, or by their
header; RDF files are parsed as they are. Every problem of every file is collected before anything
is written, and each source goes into its own named graph, so loading it again replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem
from impactkg.loaders import (
    catalogue,
    databases,
    finance,
    imm,
    policy,
    sdg,
    stakeholders,
    system,
    vocab,
)
from impactkg.loaders.base import Batch, Kind, guess_kind, stem_of
from impactkg.loaders.rdf import check_rdf, is_rdf, parse_rdf, unchecked_rdf
from impactkg.loaders.sdgkos_table import KIND as SDG_KOS
from impactkg.loaders.tabular import read_tables
from impactkg.loaders.translations import KIND as TRANSLATIONS
from impactkg.ontology import GRAPH, RDF, local

RDF_TYPE = RDF + "type"

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        vocab.KIND,
        sdg.KIND,
        SDG_KOS,
        stakeholders.ORGANIZATIONS,
        stakeholders.PEOPLE,
        stakeholders.MEMBERSHIPS,
        catalogue.CATALOGUE,
        catalogue.VALUES,
        catalogue.FRAGMENTS,
        databases.KIND,
        finance.FINANCE_CASES,
        finance.CASE_MAP,
        finance.BUNDLES,
        system.ELEMENTS,
        system.CONNECTIONS,
        policy.GREEN_LIST,
        policy.MEETINGS,
        policy.PROGRAMMES,
        policy.STRATEGY,
        TRANSLATIONS,
        imm.KPI_POOL,
        imm.VALUE_HYPOTHESES,
    )
}


def graph_name(namespace: str, stem: str, sheet: str | None = None) -> str:
    """The named graph of a source: ``<GRAPH>namespace/stem[/sheet]``."""
    parts = [stem] if namespace == stem else [namespace, stem]
    if sheet:
        parts.append(sheet)
    return GRAPH + "/".join(local(p) for p in parts)


def prepare(
    sources: Sequence[tuple[Path, str | None]],
    lookup: Callable[[str], list],
    *,
    namespace: str | None = None,
    encoding: str | None = None,
    graph: str | None = None,
    source_doc: tuple[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    files: bool = False,
    existing: Callable[[], list[str]] | None = None,
    ignore_columns: Sequence[str] = (),
    new_concepts: bool = False,
    sink: Callable[[str, list], None] | None = None,
    begin: Callable[[Batch], None] | None = None,
) -> Batch:
    """Read and convert every source; raise LoadError listing all problems, or return the batch.

    ``sources`` are ``(path, kind)`` pairs; ``kind`` None means: guess it. With ``files``, RDF
    files are only checked (:func:`~impactkg.loaders.rdf.check_rdf`) and listed in
    ``batch.files``, for the store to load them with its own parser; a load of one file of
    triples leaves even the checking to the store (one transaction: an error writes nothing).

    A catalogue workbook written by ``impactkg export`` (one XLSX source, no ``kind``,
    ``namespace`` or ``graph`` given) replaces the graphs it was made from
    (:mod:`impactkg.loaders.workbook`); ``existing()`` lists the store's named graphs for it.

    ``begin(batch)``, when given, is called once every source is read and the graphs the load
    replaces are known (``batch.exclude``), before any row is converted: the store checks them
    (reserved graphs) and empties them. ``sink(graph, quads)``, when given, receives each table's
    quads in chunks as they are made (``batch.streamed`` is then True), unless a table of the load
    reads what the others made (a kind with ``whole``). Tables of ``concepts`` are converted first,
    so that the concepts a load defines are known to its other tables.
    """
    if len(sources) == 1 and sources[0][1] is None and not (namespace or graph):
        from impactkg.loaders.workbook import prepare_workbook, read_about

        if read_about(sources[0][0]) is not None:
            return prepare_workbook(sources[0][0], lookup, existing() if existing else [], progress,
                                    ignore_columns, new_concepts)
    batch = Batch(lookup, namespace)
    batch.ignore_columns = {c.strip() for c in ignore_columns}
    batch.new_concepts = new_concepts
    problems: list[Problem] = []
    # Subjects typed in RDF files count as existing for the references of tables loaded with them.
    with_tables = any(k != "rdf" and not (k is None and is_rdf(Path(p))) for p, k in sources)
    # Pass 1: read every source, so that the graphs this load replaces are known before any
    # reference is resolved (what they hold now must not count as "already in the graph").
    pending: list[tuple] = []
    for path, kind_name in sources:
        path = Path(path)
        if progress:
            progress(path.name)
        if kind_name is not None and kind_name not in KINDS and kind_name != "rdf":
            known = f"{', '.join(KINDS)}, rdf"
            raise LoadError([Problem(path.name, None, None, f"unknown kind {kind_name!r} (known: {known})")])
        ns = namespace or stem_of(path)
        try:
            if kind_name == "rdf" or (kind_name is None and is_rdf(path)):
                if not path.exists():
                    raise LoadError([Problem(str(path), None, None, "no such file")])
                target = graph or graph_name(ns, stem_of(path))
                if files:
                    checked = (unchecked_rdf(path, target) if len(sources) == 1 else None) or check_rdf(
                        path, target, batch.typed if with_tables else None)
                    batch.files.append(checked)
                    for g, n in checked.triples.items():
                        batch.exclude.add(g)
                        batch.origins.setdefault(g, path.name)
                        batch.summaries.append((path.name, g, 0, n))
                    continue
                for g, quads in parse_rdf(path, target).items():
                    batch.graphs.setdefault(g, []).extend(quads)
                    batch.exclude.add(g)
                    batch.origins.setdefault(g, path.name)
                    batch.typed.update(q.subject.value for q in quads
                                       if q.predicate.value == RDF_TYPE and not isinstance(q.subject, ox.Triple))
                    batch.summaries.append((path.name, g, 0, len(quads)))
                continue
            for table in read_tables(path, encoding):
                hint = table.sheet or path.stem
                kind = KINDS[kind_name] if kind_name else guess_kind(table, KINDS, hint)
                if kind is None:
                    advice = f"cannot tell what this table holds; name it with --kind ({', '.join(KINDS)})"
                    problems.append(Problem(table.source, 1, None, advice))
                    continue
                name = graph or graph_name(ns, stem_of(path), table.sheet)
                batch.exclude.add(name)
                batch.origins.setdefault(name, table.source)
                pending.append((table, kind, name, ns))
        except LoadError as exc:
            problems.extend(exc.problems)
    if not problems:  # (with problems already, the rest is only checked: nothing is written)
        if begin is not None:
            begin(batch)
        if sink is not None and not any(kind.whole for _, kind, _, _ in pending):
            batch.sink, batch.streamed = sink, True
    # Pass 2: convert, resolving references against this load and the graphs it keeps; the
    # concepts the load defines first.
    pending.sort(key=lambda p: p[1] is not vocab.KIND)
    for table, kind, name, ns in pending:
        batch.convert(table, kind, name, ns, source_doc)
    problems.extend(batch.finish())
    if problems:
        raise LoadError(problems)
    return batch
