"""RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) parsed by pyoxigraph.

Triples go into the file's named graph; the named graphs of N-Quads and TriG are kept.
JSON-LD remote contexts are never fetched.

Into the Oxigraph store a file is loaded by the store's own parser (:func:`load_file`): a
million triples load at the parser's speed and in a third of the memory that Python quad objects
would take.

An RDF/XML file may declare entities in its DOCTYPE, and the parser expands them: a 1.2 KB file of
nested declarations would expand to gigabytes (a "billion laughs"). Before any parser sees an
RDF/XML file, :func:`check_entities` computes what its entities expand to and refuses the file
(with the entity's line) when one entity's text is larger than :data:`ENTITY_LIMIT` characters, or
when all its references together add more than :data:`EXPANSION_LIMIT` characters (beyond ten
times the file's size). External entities are refused by the parser itself. A load of several sources first checks each RDF file
(:func:`check_rdf`: parsed once, its quads not kept), so that every problem of every file is
reported before anything is written; a load of one file of triples leaves the checking to the
store (:func:`unchecked_rdf`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem

#: The most characters one entity of an RDF/XML DOCTYPE may expand to (64 KiB).
ENTITY_LIMIT = 1 << 16
#: The most characters the entity references of an RDF/XML file may add, beyond ten times the
#: file's own size (1 MiB).
EXPANSION_LIMIT = 1 << 20
_ENTITY = re.compile(rb"""<!ENTITY\s+(%\s+)?([^\s%;>]+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b[^>]*)\s*>""")
_REFERENCE = re.compile(rb"[&%]([A-Za-z_:][\w.:-]*);")
_CHUNK = 1 << 20

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def is_rdf(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def check_entities(path: Path) -> None:
    """Refuse an RDF/XML file whose DOCTYPE entities expand beyond the limits (see the module),
    naming the entity and its line. Reads the file in chunks; a file without a DOCTYPE costs one
    look at its first megabyte."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_CHUNK)
            start = head.find(b"<!DOCTYPE")
            if start < 0:
                return
            while b"]>" not in head[start:] and len(head) < 16 * _CHUNK:
                more = fh.read(_CHUNK)
                if not more:
                    break
                head += more
            end = head.find(b"]>", start)
            end = len(head) if end < 0 else end + 2
            subset = head[start:end]
            sizes: dict[bytes, int] = {}
            bodies: dict[bytes, bytes] = {}
            lines: dict[bytes, int] = {}
            for m in _ENTITY.finditer(subset):
                name = m.group(2)
                bodies[name] = m.group(3) if m.group(3) is not None else (m.group(4) or b"")
                lines[name] = head.count(b"\n", 0, start + m.start()) + 1

            def size(name: bytes, seen: tuple[bytes, ...] = ()) -> int:
                if name in sizes:
                    return sizes[name]
                if name in seen:
                    raise LoadError([Problem(path.name, lines[name], None,
                                             f"the entity {name.decode(errors='replace')!r} refers to itself")])
                body = bodies[name]
                total = len(_REFERENCE.sub(b"", body))
                for ref in _REFERENCE.finditer(body):
                    if ref.group(1) in bodies:
                        total += size(ref.group(1), (*seen, name))
                sizes[name] = total
                return total

            for name in bodies:
                if size(name) > ENTITY_LIMIT:
                    raise LoadError([Problem(path.name, lines[name], None, (
                        f"the entity {name.decode(errors='replace')!r} expands to {size(name):,} characters, "
                        f"above the limit of {ENTITY_LIMIT:,} (nested entity declarations): refused"))])
            if not bodies:
                return
            added, limit = 0, 10 * path.stat().st_size + EXPANSION_LIMIT
            buf = head[end:]
            while True:
                more = fh.read(_CHUNK)
                buf += more
                cut = max(0, len(buf) - 256) if more else len(buf)  # a reference may cross chunks
                carry = cut
                for ref in _REFERENCE.finditer(buf):
                    if ref.start() >= cut:
                        break
                    added += sizes.get(ref.group(1), 0)
                    carry = max(carry, ref.end())
                if added > limit:
                    raise LoadError([Problem(path.name, None, None, (
                        f"its entity references expand to more than {added:,} characters, above ten times "
                        f"the file's size plus {EXPANSION_LIMIT:,}: refused"))])
                if not more:
                    return
                buf = buf[carry:]
    except OSError as exc:
        raise LoadError([Problem(path.name, None, None, f"cannot read: {exc.strerror or exc}")]) from None


def _guard(path: Path, fmt: ox.RdfFormat) -> None:
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(path)


def parse_rdf(path: Path, graph: str) -> dict[str, list[ox.Quad]]:
    """Parse ``path``; default-graph triples go to ``graph``. Raises LoadError with the position."""
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    _guard(path, fmt)
    target = ox.NamedNode(graph)
    out: dict[str, list[ox.Quad]] = {}
    try:
        with open(path, "rb") as fh:
            for q in ox.parse(fh, fmt, base_iri=path.resolve().as_uri()):
                g = target if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
                out.setdefault(g.value, []).append(ox.Quad(q.subject, q.predicate, q.object, g))
    except SyntaxError as exc:
        raise LoadError([Problem(path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None
    return out or {graph: []}


@dataclass
class RdfFile:
    """An RDF file checked by :func:`check_rdf`, for the store to load with its own parser.

    ``triples`` counts the triples the file puts in each named graph (default-graph triples go
    to ``graph``).
    """

    path: Path
    format: ox.RdfFormat
    graph: str
    triples: dict[str, int | None]
    #: False for a file given to the store unparsed (:func:`unchecked_rdf`): the store's parser
    #: checks it while loading, and its number of triples (None here) is counted once loaded.
    checked: bool = True

    @property
    def graphs(self) -> list[str]:
        return list(self.triples)


def unchecked_rdf(path: Path, graph: str) -> RdfFile | None:
    """A file of triples (Turtle, N-Triples, RDF/XML) that the store parses and checks itself while
    loading it into ``graph`` in one transaction, or None for a format with named graphs (their
    names are only known by parsing). For a load of that one file: nothing is parsed twice.
    """
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    _guard(path, fmt)
    return None if fmt.supports_datasets else RdfFile(path, fmt, graph, {graph: None}, checked=False)


def check_rdf(path: Path, graph: str, typed: set[str] | None = None) -> RdfFile:
    """Parse ``path`` without keeping its quads: raise LoadError with the position of a syntax
    error, count the triples of each named graph, and add the subjects of ``rdf:type`` triples
    to ``typed`` when given.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.ttl"
    >>> _ = p.write_text('<http://e/a> a <http://e/C> .\\n', encoding="utf-8")
    >>> check_rdf(p, "http://e/g").triples
    {'http://e/g': 1}
    """
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    _guard(path, fmt)
    counts: dict[str, int] = {}
    try:
        with open(path, "rb") as fh:
            parsed = ox.parse(fh, fmt, base_iri=path.resolve().as_uri())
            if typed is None and not fmt.supports_datasets:
                counts[graph] = sum(1 for _ in parsed)
            else:
                for q in parsed:
                    g = graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                    counts[g] = counts.get(g, 0) + 1
                    if typed is not None and q.predicate.value == _RDF_TYPE:
                        typed.add(q.subject.value)
    except SyntaxError as exc:
        raise LoadError([Problem(path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None
    triples: dict[str, int | None] = {**(counts or {graph: 0})}
    return RdfFile(path, fmt, graph, triples)


def load_file(store: ox.Store, file: RdfFile, bulk: bool = False) -> None:
    """Load a file (from :func:`check_rdf` or :func:`unchecked_rdf`) into ``store`` with the
    store's own parser.

    Without ``bulk`` the load is one transaction (held in memory): on any error nothing of the
    file is written. With ``bulk`` it is pyoxigraph's ``bulk_load`` (streamed, fast, no
    transaction): for a store version that is not in use yet, discarded on error. When the syntax
    was checked already, the parser skips its checks (``lenient``).
    """
    loader = store.bulk_load if bulk else store.load
    try:
        loader(
            path=str(file.path),
            format=file.format,
            base_iri=file.path.resolve().as_uri(),
            to_graph=ox.NamedNode(file.graph),
            lenient=file.checked,
        )
    except SyntaxError as exc:
        raise LoadError([Problem(file.path.name, *_position(exc), " ".join(str(exc).split()))]) from None
    except OSError as exc:
        raise LoadError(
            [Problem(file.path.name, None, None, f"cannot read: {exc.strerror or exc}")]
        ) from None


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _position(exc: SyntaxError) -> tuple[int | None, str | None]:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "offset", None)
    return line, (f"column {col}" if col else None)
