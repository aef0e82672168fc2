"""The W3C SPARQL 1.1 test manifests, read into plain records.

Each manifest is Turtle with relative IRIs, parsed with its own ``file:`` IRI as the base
(`W3C test manifest vocabulary <https://www.w3.org/2001/sw/DataAccess/tests/README>`_: ``mf:``,
``qt:``, ``ut:``, ``dawgt:``, and ``ht:`` for the protocol's HTTP exchanges). A test's id is
``FOLDER/LOCALNAME`` (``aggregates/agg01``, ``protocol/query_get``): the ids of
``known-failures.tsv``.

Manifests are parsed with pyoxigraph so that every term keeps its exact lexical form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

SUITE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "w3c-sparql11"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: The manifests of each family, relative to the suite (the first two from
#: manifest-sparql11-query.ttl and manifest-sparql11-results.ttl, read at run time).
QUERY_MANIFEST = "manifest-sparql11-query.ttl"
RESULTS_MANIFEST = "manifest-sparql11-results.ttl"
UPDATE_SYNTAX_MANIFESTS = ("syntax-update-1/manifest.ttl", "syntax-update-2/manifest.ttl")
#: Recorded as not applicable: entailment regimes and federated query (SERVICE).
NOT_APPLICABLE_MANIFESTS = ("entailment/manifest.ttl", "service/manifest.ttl")
PROTOCOL_MANIFEST = "protocol/manifest.ttl"


def require_suite() -> None:
    """Skip the calling test module when the W3C suite is not on this machine."""
    import pytest

    if not (SUITE / QUERY_MANIFEST).exists():
        pytest.skip(f"the W3C SPARQL 1.1 suite is not at {SUITE} (see tests/w3c/README.md)",
                    allow_module_level=True)


def file_iri(path: Path) -> str:
    """The ``file:`` IRI of a suite file (what relative IRIs in the manifests resolve to)."""
    return path.resolve().as_uri()


def iri_path(iri: str) -> Path:
    """The local file a ``file:`` IRI names."""
    parts = urlsplit(iri)
    if parts.scheme != "file":
        raise ValueError(f"not a file IRI: {iri}")
    return Path(unquote(parts.path))


@dataclass(frozen=True)
class QueryTest:
    """A query evaluation test (``mf:QueryEvaluationTest``, ``mf:CSVResultFormatTest``)."""

    id: str
    name: str
    kind: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path | None
    not_applicable: str = ""

    @property
    def query_iri(self) -> str:
        return file_iri(self.query)


@dataclass(frozen=True)
class SyntaxTest:
    """A syntax test: the text must parse (positive) or be refused (negative)."""

    id: str
    name: str
    kind: str
    file: Path
    positive: bool
    update: bool


@dataclass(frozen=True)
class Request:
    """One ``ht:Request`` of a protocol test and the response it expects."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    status: tuple[int, ...]
    format: str | None
    boolean: bool | None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class ProtocolTest:
    """A ``mf:ProtocolTest``: requests run in order, with the named graphs they need."""

    id: str
    name: str
    graph_data: tuple[tuple[Path, str], ...]
    requests: tuple[Request, ...] = field(default_factory=tuple)


class _Graph:
    """The triples of one manifest, indexed by subject."""

    def __init__(self, path: Path):
        self.path = path
        self.iri = file_iri(path)
        self.by_subject: dict[ox.NamedNode | ox.BlankNode, list[tuple[str, object]]] = {}
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=self.iri):
            self.by_subject.setdefault(t.subject, []).append((t.predicate.value, t.object))

    def values(self, s: object, p: str) -> list:
        return [o for pred, o in self.by_subject.get(s, []) if pred == p]  # type: ignore[call-overload]

    def value(self, s: object, p: str) -> object | None:
        found = self.values(s, p)
        if len(found) > 1:
            raise ValueError(f"{self.path}: {s} has {len(found)} values for {p}")
        return found[0] if found else None

    def items(self, head: object) -> list:
        out = []
        while head is not None and not (isinstance(head, ox.NamedNode) and head.value == RDF + "nil"):
            out.append(self.value(head, RDF + "first"))
            head = self.value(head, RDF + "rest")
        return out

    def entries(self) -> list:
        return self.items(self.value(ox.NamedNode(self.iri), MF + "entries"))

    def includes(self) -> list[Path]:
        heads = self.values(ox.NamedNode(self.iri), MF + "include")
        return [iri_path(i.value) for h in heads for i in self.items(h)]


def _test_id(g: _Graph, entry: object) -> str:
    folder = g.path.parent.name
    if isinstance(entry, ox.NamedNode):
        local = entry.value.rsplit("#", 1)[-1] if "#" in entry.value else entry.value.rsplit("/", 1)[-1]
        return f"{folder}/{local}"
    raise ValueError(f"{g.path}: a test without an IRI ({entry})")


def _paths(values: list) -> tuple[Path, ...]:
    return tuple(sorted(iri_path(v.value) for v in values))


def _read_query_manifest(path: Path) -> tuple[list[QueryTest], list[SyntaxTest]]:
    g = _Graph(path)
    queries: list[QueryTest] = []
    syntax: list[SyntaxTest] = []
    for entry in g.entries():
        kind = g.value(entry, RDF + "type").value.rsplit("#", 1)[-1]  # type: ignore[union-attr]
        tid = _test_id(g, entry)
        name = str(getattr(g.value(entry, MF + "name"), "value", ""))
        action = g.value(entry, MF + "action")
        if kind in ("QueryEvaluationTest", "CSVResultFormatTest"):
            result = g.value(entry, MF + "result")
            query = iri_path(g.value(action, QT + "query").value)  # type: ignore[union-attr]
            reason = ""
            if g.values(action, SD + "entailmentRegime") or g.values(entry, SD + "entailmentRegime"):
                reason = "entailment regime (not applicable: impactkg evaluates simple entailment)"
            elif g.values(action, QT + "serviceData") or any(
                    f.value == SD + "BasicFederatedQuery" for f in g.values(entry, MF + "feature")):
                reason = "federated query (SERVICE): not applicable, nothing reaches the network"
            queries.append(QueryTest(
                id=tid, name=name, kind=kind, query=query,
                data=_paths(g.values(action, QT + "data")),
                graph_data=_paths(g.values(action, QT + "graphData")),
                result=iri_path(result.value) if result is not None else None,  # type: ignore[attr-defined]
                not_applicable=reason,
            ))
        elif kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11",
                      "PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11"):
            syntax.append(SyntaxTest(
                id=tid, name=name, kind=kind, file=iri_path(action.value),  # type: ignore[union-attr]
                positive=kind.startswith("Positive"), update="Update" in kind,
            ))
        else:
            raise ValueError(f"{path}: {tid} is a {kind}, which the harness does not know")
    return queries, syntax


@cache
def query_suite() -> tuple[list[QueryTest], list[SyntaxTest]]:
    """Every test of the folders listed by manifest-sparql11-query.ttl, in manifest order."""
    return _suite(QUERY_MANIFEST)


@cache
def results_suite() -> list[QueryTest]:
    """The result-format tests (csv-tsv-res, json-res) of manifest-sparql11-results.ttl."""
    queries, syntax = _suite(RESULTS_MANIFEST)
    assert not syntax
    return queries


@cache
def update_syntax_suite() -> list[SyntaxTest]:
    """The update syntax tests (syntax-update-1, syntax-update-2)."""
    out: list[SyntaxTest] = []
    for rel in UPDATE_SYNTAX_MANIFESTS:
        queries, syntax = _read_query_manifest(SUITE / rel)
        assert not queries
        out += syntax
    return out


@cache
def not_applicable_suite() -> list[QueryTest]:
    """The entailment and federated query tests, each with the reason it does not apply."""
    out: list[QueryTest] = []
    for rel in NOT_APPLICABLE_MANIFESTS:
        queries, syntax = _read_query_manifest(SUITE / rel)
        assert not syntax
        out += queries
    return out


def _suite(top: str) -> tuple[list[QueryTest], list[SyntaxTest]]:
    queries: list[QueryTest] = []
    syntax: list[SyntaxTest] = []
    for manifest in _Graph(SUITE / top).includes():
        q, s = _read_query_manifest(manifest)
        queries += q
        syntax += s
    return queries, syntax


def _status_classes(values: list) -> tuple[int, ...]:
    out = []
    for v in values:
        name = v.value.removeprefix(HTS)
        if not (name.startswith("StatusCode") and name.endswith("xx")):
            raise ValueError(f"unknown expected status {v.value}")
        out.append(int(name[len("StatusCode")]))
    return tuple(sorted(out))


@cache
def protocol_suite() -> list[ProtocolTest]:
    """The SPARQL 1.1 Protocol tests of protocol/manifest.ttl, in manifest order."""
    g = _Graph(SUITE / PROTOCOL_MANIFEST)
    tests = []
    for entry in g.entries():
        graphs = []
        for gd in g.values(entry, UT + "graphData"):
            graphs.append((iri_path(g.value(gd, UT + "graph").value), g.value(gd, RDFS + "label").value))  # type: ignore[union-attr]
        action = g.value(entry, MF + "action")
        requests = []
        for req in g.items(g.value(action, HT + "requests")):
            headers = tuple(
                (g.value(h, HT + "fieldName").value, g.value(h, HT + "fieldValue").value)  # type: ignore[union-attr]
                for h in g.items(g.value(req, HT + "headers"))
            )
            body_node = g.value(req, HT + "body")
            body = None
            if body_node is not None:
                encoding = g.value(body_node, CNT + "characterEncoding")
                chars = g.value(body_node, CNT + "chars").value  # type: ignore[union-attr]
                body = chars.encode(encoding.value if encoding is not None else "utf-8")  # type: ignore[attr-defined]
            resp = g.value(req, HT + "resp")
            fmt = g.value(resp, MF + "expectedFormat")
            boolean = g.value(resp, MF + "expectedBoolean")
            requests.append(Request(
                method=g.value(req, HT + "methodName").value,  # type: ignore[union-attr]
                path=g.value(req, HT + "absolutePath").value,  # type: ignore[union-attr]
                headers=headers,
                body=body,
                status=_status_classes(g.values(resp, MF + "expectedStatus")),
                format=fmt.value if fmt is not None else None,  # type: ignore[attr-defined]
                boolean=(boolean.value == "true") if boolean is not None else None,  # type: ignore[attr-defined]
            ))
        tests.append(ProtocolTest(
            id=_test_id(g, entry),
            name=g.value(entry, MF + "name").value,  # type: ignore[union-attr]
            graph_data=tuple(graphs),
            requests=tuple(requests),
        ))
    return tests
