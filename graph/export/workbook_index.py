"""The graph read for the catalogue workbook: every data quad indexed by subject and object, and
the helpers that turn records into table cells (labels, ids, references, provenance)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    ONTOLOGY_GRAPH,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
)

TABLE_FORMATS = ("csv", "tsv", "xlsx")
MARKER = "impactkg-workbook"
SOURCES_GRAPH = GRAPH + "sources"
TYPE = RDF + "type"
LINE = IKG + "sourceLine"
SOURCE = DCTERMS + "source"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

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
            if isinstance(q.subject, ox.Triple):
                continue  # quoted triples (RDF-star) are in no table
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
    line: int | None  # the record's first ikg:sourceLine
    doc: str  # the record's dcterms:source (or prov:wasDerivedFrom)
    sort: tuple = ()
    pin: int | None = None  # the sheet row the record's IRI depends on
    identity_line: str | None = None  # a `line` cell the record's IRI depends on
    graphs: set[str] = field(default_factory=set)  # where the record is now
    lines: list[int] = field(default_factory=list)  # every ikg:sourceLine of the record
    team: list[str] = field(default_factory=list)  # its ikg:teamProperty properties


def _prov(ix: _Index, s: str, cells: dict[str, str], **extra: Any) -> _Row:
    lines = ix.lines(s)
    docs = ix.iris(s, SOURCE) or ix.iris(s, DERIVED)
    cells.setdefault("doubtful", " ".join(ix.texts(s, IKG + "doubtful")))
    cells.setdefault("note", ix.text(s, SKOS + "editorialNote"))
    status = ix.iri(s, IKG + "assertionStatus")
    cells.setdefault("status", _tail(status) if status else "")
    cells.setdefault("quote", ix.text(s, IKG + "quote"))
    return _Row(cells, lines[0] if lines else None, docs[0] if docs else "",
                graphs=set(ix.typed_in.get(s, ())), lines=lines,
                team=ix.iris(s, IKG + "teamProperty"), **extra)


def _line_cell(row: _Row) -> str:
    """The ``line`` cell of a row: the line its IRI depends on first, then its other lines."""
    first = [row.identity_line] if row.identity_line is not None else []
    return " ".join(first + [str(n) for n in row.lines if str(n) not in first])


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



def _short(iri: str) -> str:
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and iri != base:
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _yes(ix: _Index, s: str, p: str) -> str:
    v = ix.text(s, p)
    return {"true": "yes", "false": "no", "1": "yes", "0": "no"}.get(v, v)


