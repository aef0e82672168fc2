"""The doors a W3C test goes through: plain pyoxigraph (the reference), impactkg's Python API,
its command line and its HTTP endpoint. Each ``run`` returns a :mod:`w3c_results` result (or
raises :class:`DoorError` with the door's own one-line message).

The dataset of a query evaluation test (SPARQL 1.1 Query 13, W3C test manifest ``qt:data`` and
``qt:graphData``):

- pyoxigraph: one ``Store`` per dataset, ``qt:data`` in the store's real default graph, each
  ``qt:graphData`` file in a named graph named by its ``file:`` IRI; ``store.query(text,
  base_iri=<query file IRI>)``. Files a query names in ``FROM``/``FROM NAMED`` are loaded as
  named graphs too (nothing is fetched).
- impactkg: one graph holds everything: each ``qt:data`` set merged into a named graph of its
  own (``urn:x-w3c:default:N``) and each ``qt:graphData`` file in ``<file IRI>``; the query gets
  ``default_graph_uri=[urn:x-w3c:default:N]`` and ``named_graph_uri=[graphData IRIs]`` (SPARQL
  Protocol dataset rule) unless its text has ``FROM``/``FROM NAMED``.

:class:`Features` tells which parts of the public API the installed impactkg has (they all exist
since the one-door rewrite; an older impactkg makes the doors skip, saying what they need).
"""

from __future__ import annotations

import hashlib
import inspect
import subprocess
import urllib.parse
from dataclasses import dataclass
from functools import cache
from http.client import HTTPConnection
from pathlib import Path

import pyoxigraph as ox

from impactkg import KnowledgeGraph, QueryResult

from .w3c_manifest import QueryTest, file_iri
from .w3c_query_text import dataset_clauses
from .w3c_results import (
    Boolean,
    Graph,
    Result,
    ResultsError,
    Solutions,
    from_ox,
    from_rdflib_term,
    parse_serialized,
    rdf_format,
)

#: The media types the endpoint door asks for, per serialisation (W3C SPARQL 1.1 Query Results).
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
}
DEFAULT_PREFIX = "urn:x-w3c:default:"


class DoorError(Exception):
    """The door refused or failed the query (its own message, one line)."""


@dataclass(frozen=True)
class Features:
    """Which parts of issue 11's public API exist in the installed impactkg."""

    api_dataset: bool  # kg.query(text, default_graph_uri=, named_graph_uri=, base_iri=)
    api_serialize: bool  # QueryResult.serialize(fmt) -> bytes
    cli_dataset: bool  # impactkg query --default-graph-uri / --named-graph-uri, -f xml

    @property
    def new_api(self) -> bool:
        return self.api_dataset and self.api_serialize and self.cli_dataset

    def missing(self) -> list[str]:
        names = {
            "api_dataset": "kg.query(text, default_graph_uri=, named_graph_uri=, base_iri=)",
            "api_serialize": "QueryResult.serialize(fmt)",
            "cli_dataset": "impactkg query --default-graph-uri/--named-graph-uri -f xml",
        }
        return [text for key, text in names.items() if not getattr(self, key)]


@cache
def features(impactkg_bin: str) -> Features:
    params = inspect.signature(KnowledgeGraph.query).parameters
    api_dataset = all(p in params for p in ("default_graph_uri", "named_graph_uri", "base_iri"))
    help_text = subprocess.run([impactkg_bin, "query", "--help"], capture_output=True, text=True,
                               timeout=120).stdout
    cli = "--default-graph-uri" in help_text and "--named-graph-uri" in help_text and "xml" in help_text
    return Features(api_dataset, callable(getattr(QueryResult, "serialize", None)), cli)


def read_query(test: QueryTest) -> str:
    return test.query.read_text(encoding="utf-8")


def from_files(test: QueryTest, text: str) -> tuple[list[Path], bool]:
    """Local files the query's FROM / FROM NAMED clauses name (resolved against its IRI)."""
    clauses, has = dataset_clauses(text)
    out = []
    for _, iri in clauses:
        resolved = urllib.parse.urljoin(test.query_iri, iri)
        if resolved.startswith("file:"):
            path = Path(urllib.parse.unquote(urllib.parse.urlsplit(resolved).path))
            if path.exists():
                out.append(path)
    return out, has


def file_quads(path: Path, graph: str) -> list[ox.Quad]:
    """A suite file's triples as quads of ``graph`` (blank nodes renamed: files never share them)."""
    g = ox.NamedNode(graph)
    triples = ox.parse(path=str(path), format=rdf_format(path.name), base_iri=file_iri(path),
                       rename_blank_nodes=True)
    return [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]


# ------------------------------------------------------------------ pyoxigraph, the reference
class Reference:
    """Plain pyoxigraph: one Store per dataset, data in the real default graph."""

    def __init__(self) -> None:
        self._stores: dict[tuple, ox.Store] = {}

    def store(self, test: QueryTest, text: str) -> ox.Store:
        named = tuple(sorted({*test.graph_data, *from_files(test, text)[0]}))
        key = (test.data, named)
        store = self._stores.get(key)
        if store is None:
            store = ox.Store()
            for path in test.data:
                store.load(path=str(path), format=rdf_format(path.name), base_iri=file_iri(path))
            for path in named:
                store.load(path=str(path), format=rdf_format(path.name), base_iri=file_iri(path),
                           to_graph=ox.NamedNode(file_iri(path)))
            self._stores[key] = store
        return store

    def run(self, test: QueryTest) -> Result:
        text = read_query(test)
        try:
            return from_ox(self.store(test, text).query(text, base_iri=test.query_iri))
        except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as exc:
            raise DoorError(f"pyoxigraph: {type(exc).__name__}: {' '.join(str(exc).split())}") from None


# ------------------------------------------------------------------ the layout impactkg serves
class Layout:
    """Every W3C file in named graphs: ``qt:data`` sets in ``urn:x-w3c:default:N``, every other
    file in ``<file IRI>``. ``graphs()`` is what a store must hold; ``dataset(test)`` the
    protocol dataset of a test (None: the query's own FROM applies)."""

    def __init__(self, tests: list[QueryTest]):
        self.defaults: dict[tuple[Path, ...], str] = {}
        self.files: set[Path] = set()
        for t in tests:
            key = t.data
            if key not in self.defaults:
                digest = hashlib.sha1("\n".join(map(str, key)).encode()).hexdigest()[:12]
                self.defaults[key] = DEFAULT_PREFIX + digest
            self.files.update(t.graph_data)
            self.files.update(from_files(t, read_query(t))[0])

    def graphs(self) -> dict[str, list[ox.Quad]]:
        out: dict[str, list[ox.Quad]] = {}
        for files, name in self.defaults.items():
            out[name] = [q for f in files for q in file_quads(f, name)]
        for f in sorted(self.files):
            out[file_iri(f)] = file_quads(f, file_iri(f))
        return {g: quads for g, quads in out.items() if quads}

    def dataset(self, test: QueryTest, text: str) -> tuple[list[str], list[str]] | None:
        if from_files(test, text)[1]:
            return None
        return [self.defaults[test.data]], [file_iri(f) for f in test.graph_data]


# ------------------------------------------------------------------ impactkg's Python API
class Api:
    """``KnowledgeGraph.memory()`` with the :class:`Layout` loaded once; ``kg.query(...)``."""

    def __init__(self, layout: Layout, feats: Features):
        self.layout = layout
        self.features = feats
        self.kg = KnowledgeGraph.memory()
        if feats.api_dataset:
            self.kg.replace_graphs(layout.graphs())
        # Until kg.query takes dataset options: one graph per qt:data set, queried as the union.
        self._old: dict[tuple[Path, ...], KnowledgeGraph] = {}

    def unsupported(self, test: QueryTest, fmt: str) -> str | None:
        """Why this door cannot run the test with the installed API (None: it can)."""
        if not self.features.api_serialize and fmt != "rows":
            return "needs QueryResult.serialize(fmt) (issue 11)"
        if not self.features.api_dataset and (test.graph_data or from_files(test, read_query(test))[1]):
            return "needs kg.query(text, default_graph_uri=, named_graph_uri=) (issue 11)"
        return None

    def run(self, test: QueryTest, fmt: str) -> Result:
        """``fmt``: a ``serialize`` format (json, xml, csv, tsv, ttl, nt) or ``rows`` (the rows
        as the result gives them, today's only way out)."""
        text = read_query(test)
        try:
            if self.features.api_dataset:
                dataset = self.layout.dataset(test, text)
                options = {"base_iri": test.query_iri}
                if dataset is not None:
                    options.update(default_graph_uri=dataset[0], named_graph_uri=dataset[1])
                result = self.kg.query(text, **options)
            else:
                result = self._old_kg(test).query(f"BASE <{test.query_iri}>\n{text}")
        except Exception as exc:  # noqa: BLE001 - any failure of the door is the test's failure
            raise DoorError(f"impactkg: {type(exc).__name__}: {' '.join(str(exc).split())}") from None
        if fmt == "rows":
            return from_query_result(result)
        data = result.serialize(fmt)  # type: ignore[attr-defined]
        try:
            return parse_serialized(data, fmt, test.query_iri)
        except ResultsError as exc:
            raise DoorError(f"impactkg serialize({fmt!r}): {exc}") from None

    def _old_kg(self, test: QueryTest) -> KnowledgeGraph:
        kg = self._old.get(test.data)
        if kg is None:
            kg = KnowledgeGraph.memory()
            name = self.layout.defaults[test.data]
            quads = [q for f in test.data for q in file_quads(f, name)]
            if quads:
                kg.replace_graphs({name: quads})
            self._old[test.data] = kg
        return kg


def from_query_result(result: QueryResult) -> Result:
    """impactkg's QueryResult through its public rdflib view: rows (``row[var]``), ``bool()``
    for ASK, ``to_graph()`` for CONSTRUCT/DESCRIBE."""
    if result.kind == "ask":
        return Boolean(bool(result))
    if result.kind == "select":
        rows = [{v: from_rdflib_term(row[v]) for v in result.variables if row[v] is not None}
                for row in result]
        return Solutions(list(result.variables), rows)
    return Graph({(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o))
                  for s, p, o in result.to_graph()})


# ------------------------------------------------------------------ the command line
class Cli:
    """``impactkg query -e TEXT -f FMT --store DIR [--default-graph-uri IRI ...]``."""

    def __init__(self, impactkg_bin: str, store: Path, layout: Layout, feats: Features,
                 env: dict[str, str]):
        self.bin, self.store, self.layout, self.features, self.env = impactkg_bin, store, layout, feats, env
        self._old: dict[tuple[Path, ...], Path] = {}
        if feats.cli_dataset:
            kg = KnowledgeGraph.open(store)
            kg.replace_graphs(layout.graphs())
            kg.close()

    def run(self, test: QueryTest, fmt: str) -> Result:
        text = read_query(test)
        cmd = [self.bin, "query", "-e", text, "-f", fmt]
        if self.features.cli_dataset:
            cmd += ["--store", str(self.store)]
            dataset = self.layout.dataset(test, text)
            if dataset is not None:
                cmd += [x for g in dataset[0] for x in ("--default-graph-uri", g)]
                cmd += [x for g in dataset[1] for x in ("--named-graph-uri", g)]
        else:
            cmd += ["--store", str(self._old_store(test))]
        proc = subprocess.run(cmd, capture_output=True, timeout=120, env=self.env)
        if proc.returncode != 0:
            raise DoorError(f"impactkg query exit {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[:300]}")
        try:
            return parse_serialized(proc.stdout, fmt, test.query_iri)
        except ResultsError as exc:
            raise DoorError(f"impactkg query -f {fmt}: {exc}") from None

    def _old_store(self, test: QueryTest) -> Path:
        path = self._old.get(test.data)
        if path is None:
            path = self.store.parent / f"old-{len(self._old)}"
            kg = KnowledgeGraph.open(path)
            name = self.layout.defaults[test.data]
            kg.replace_graphs({name: [q for f in test.data for q in file_quads(f, name)]})
            kg.close()
            self._old[test.data] = path
        return path


# ------------------------------------------------------------------ HTTP
@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def exchange(base: str, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes | None = None, timeout: float = 60.0) -> Response:
    """One HTTP exchange, as is (no redirects followed, no header added but Host and length)."""
    parts = urllib.parse.urlsplit(base)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class Endpoint:
    """A SPARQL endpoint door: GET ``?query=`` with ``default-graph-uri``/``named-graph-uri``
    and an Accept header for the format asked (SPARQL 1.1 Protocol 2.1.1)."""

    def __init__(self, base: str, query_path: str, layout: Layout, headers: dict[str, str] | None = None):
        self.base, self.query_path, self.layout, self.headers = base, query_path, layout, headers or {}

    def run(self, test: QueryTest, fmt: str) -> Result:
        text = read_query(test)
        params = [("query", text)]
        dataset = self.layout.dataset(test, text)
        if dataset is not None:
            params += [("default-graph-uri", g) for g in dataset[0]]
            params += [("named-graph-uri", g) for g in dataset[1]]
        path = f"{self.query_path}?{urllib.parse.urlencode(params)}"
        resp = exchange(self.base, "GET", path, {"Accept": MEDIA[fmt], **self.headers})
        if resp.status != 200:
            raise DoorError(f"HTTP {resp.status}: {resp.body.decode(errors='replace').strip()[:300]}")
        if resp.media_type != MEDIA[fmt]:
            raise DoorError(f"asked for {MEDIA[fmt]}, got {resp.media_type or 'no Content-Type'}")
        try:
            return parse_serialized(resp.body, fmt, test.query_iri)
        except ResultsError as exc:
            raise DoorError(f"endpoint {MEDIA[fmt]}: {exc}") from None
