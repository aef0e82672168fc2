"""A back end on a remote SPARQL 1.1 server (Virtuoso, Oxigraph server, GraphDB, Neptune, ...).

Queries run on the server through the SPARQL 1.1 Protocol; loads push the data with
``INSERT DATA`` requests of at most :data:`BATCH` triples, into staging graphs first and then,
in one update request, over the graphs they replace, so a failed load leaves them as they were.
Blank nodes are skolemised (``https://w3id.org/impactkg/.well-known/genid/...``). Parameters are
bound with a ``VALUES`` block of escaped RDF terms, never pasted as raw text.

The dataset of a query is the server's named graphs (less the server's own system graphs, such
as Virtuoso's ``virtrdf#``), given to the server as ``default-graph-uri`` and
``named-graph-uri``: the default graph is their union, as in the embedded store.

>>> backend = RemoteBackend("http://127.0.0.1:7878/query")
>>> backend.update_url
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox
import rdflib

from impactkg.errors import QueryError, StoreError
from impactkg.graph.backends import FORMATS, QueryRequest
from impactkg.graph.sparql.params import with_values
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.terms import OxTerm, value_of
from impactkg.graph.sparql.text import declared_prefixes, query_form, term_text
from impactkg.ontology import PREFIXES

#: At most this many triples per INSERT DATA request.
BATCH = 1000
#: Triples per page when reading a whole graph back.
PAGE = 10000
#: Skolem IRIs of blank nodes (RFC 7511 well-known genid).
GENID = "https://w3id.org/impactkg/.well-known/genid/"
STAGING = "urn:impactkg:staging:"
#: Named graphs that belong to the server, not to the data (Virtuoso's and staging graphs).
SYSTEM_GRAPHS = re.compile(
    r"^(http://www\.openlinksw\.com/|http://www\.w3\.org/ns/ldp#|http://localuriqaserver/"
    r"|http://www\.w3\.org/2002/07/owl#?$|https?://[^/]+/DAV/?$|urn:impactkg:staging:)"
)
#: Seconds for which the list of named graphs is reused before being asked again.
GRAPHS_TTL = 10.0
SELECT_TYPES = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
MAX_ERROR = 300
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def default_update_url(query_url: str) -> str:
    """The update URL a server pairs with ``query_url``: Oxigraph server's ``/update`` next to
    ``/query``, GraphDB's ``/statements`` under a repository, else the same URL (Virtuoso,
    Neptune, Fuseki's combined endpoint).

    >>> default_update_url("http://localhost:7200/repositories/ikg")
    'http://localhost:7200/repositories/ikg/statements'
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path
    if path.endswith("/query"):
        path = path[: -len("query")] + "update"
    elif re.search(r"/repositories/[^/]+/?$", path):
        path = path.rstrip("/") + "/statements"
    return urllib.parse.urlunsplit(parts._replace(path=path))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def with_prologue(text: str) -> str:
    """``text`` with a ``PREFIX`` line for every usual prefix (:data:`PREFIXES`) it does not
    declare itself."""
    declared = declared_prefixes(text)
    prologue = "".join(f"PREFIX {p}: <{ns}> " for p, ns in PREFIXES.items() if p not in declared)
    return prologue + text  # on the first line, so that the server's line numbers are the text's


def _term(b: dict) -> OxTerm:
    kind, value = b.get("type"), b.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    lang = b.get("xml:lang") or b.get("lang")
    if lang:
        return ox.Literal(value, language=lang)
    if b.get("datatype"):
        if b["datatype"] == XSD_BOOLEAN and value in ("0", "1"):
            value = "true" if value == "1" else "false"  # Virtuoso's lexical form of booleans
        return ox.Literal(value, datatype=ox.NamedNode(b["datatype"]))
    return ox.Literal(value)


def parse_json_results(body: bytes) -> QueryResult:
    """Parse SPARQL 1.1 Query Results JSON (with Virtuoso's ``typed-literal`` and its ASK form)."""
    doc = json.loads(body)
    if "boolean" in doc:
        return QueryResult("ask", boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    bindings = doc.get("results", {}).get("bindings", [])
    if variables == ["__ASK_RETVAL"]:  # Virtuoso answers ASK in JSON as a one-cell table
        value = bindings[0]["__ASK_RETVAL"]["value"] if bindings else "0"
        return QueryResult("ask", boolean=value not in ("0", "false", ""))
    rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in bindings]
    return QueryResult.of_terms("select", variables, rows)




def term_data(term) -> str:
    """A term in N-Triples syntax for INSERT DATA; a whole-number ``xsd:decimal`` gets a ``.0``
    (the same value) so that servers that store numbers natively (Virtuoso) keep it a decimal.

    >>> term_data(ox.Literal("30", datatype=ox.NamedNode(XSD_DECIMAL)))
    '"30.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value == XSD_DECIMAL
        and re.fullmatch(r"[+-]?\d+", term.value)
    ):
        return str(ox.Literal(term.value + ".0", datatype=term.datatype))
    return str(term)


def skolem(term, graph: str):
    """A blank node as a stable IRI within its graph; other terms as they are."""
    if isinstance(term, ox.BlankNode):
        scope = hashlib.sha1(graph.encode("utf-8")).hexdigest()[:10]
        return ox.NamedNode(f"{GENID}{scope}-{term.value}")
    return term


class RemoteBackend:
    """A SPARQL 1.1 server reached over HTTP: ``query_url``, ``update_url`` (default: see
    :func:`default_update_url`) and optional ``auth=(user, password)`` (HTTP Basic or Digest)."""

    name = "remote"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 300.0,
    ):
        for url in (query_url, update_url):
            if url is not None and not re.match(r"^https?://[^\s/]+", url):
                raise StoreError(f"not an http(s) URL of a SPARQL endpoint: {url!r}")
        self.query_url = query_url
        self.update_url = update_url or default_update_url(query_url)
        self.timeout = timeout
        handlers: list = []
        if auth:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.query_url, self.update_url}:
                mgr.add_password(None, url, auth[0], auth[1])
            handlers = [
                urllib.request.HTTPBasicAuthHandler(mgr),
                urllib.request.HTTPDigestAuthHandler(mgr),
            ]
        self._opener = urllib.request.build_opener(*handlers)
        self._graphs: list[str] | None = None
        self._graphs_at = 0.0

    def __repr__(self) -> str:
        return f"RemoteBackend({self.query_url!r}, update_url={self.update_url!r})"

    @property
    def location(self) -> str:
        return self.query_url

    # ------------------------------------------------------------------ HTTP
    def _post(
        self, url: str, form: list[tuple[str, str]], accept: str, timeout: float | None
    ) -> tuple[str, bytes, dict[str, str]]:
        data = urllib.parse.urlencode(form).encode("ascii")
        req = urllib.request.Request(
            url,
            data=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": accept,
                "User-Agent": "impactkg",
            },
            method="POST",
        )
        try:
            with self._opener.open(req, timeout=timeout or self.timeout) as resp:
                body = resp.read()
                ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return ctype, body, {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            detail = _one_line(exc.read().decode("utf-8", "replace")) or exc.reason
            if exc.code in (401, 403):
                raise StoreError(
                    f"the SPARQL server at {url} refused the request ({exc.code}): {detail}; "
                    "give credentials with IMPACTKG_USER and IMPACTKG_PASSWORD"
                ) from None
            if exc.code == 400:
                raise QueryError(f"invalid SPARQL: {detail} (the SPARQL server at {url} answered 400)") from None
            raise QueryError(f"the SPARQL server at {url} answered {exc.code}: {detail}") from None
        except TimeoutError:
            raise QueryError(
                f"the SPARQL server at {url} did not answer within {timeout or self.timeout:g} s"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise QueryError(
                    f"the SPARQL server at {url} did not answer within {timeout or self.timeout:g} s"
                ) from None
            raise StoreError(f"cannot reach the SPARQL server at {url}: {reason}") from None
        except OSError as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url}: {exc}") from None

    def update(self, sparql: str, base_iri: str | None = None, timeout: float | None = None) -> None:
        """Send a SPARQL 1.1 Update request to the update URL (with the usual prefixes)."""
        text = with_prologue(sparql)
        if base_iri:
            text = f"BASE <{base_iri}> " + text
        try:
            self._post(self.update_url, [("update", text)], "*/*", timeout)
        finally:
            self.refresh()

    def _dataset(self, graphs: list[str]) -> list[tuple[str, str]]:
        graphs = graphs or ["urn:impactkg:empty"]
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    def query(self, request: QueryRequest) -> QueryResult:
        """Run a query on the server and return its answer as exact pyoxigraph terms.

        The dataset is the request's (``default-graph-uri``/``named-graph-uri``), else the
        query's own FROM clauses, else the union of the server's named graphs. Past
        ``request.timeout`` the HTTP request is given up (TimeLimit); the server may go on.
        """
        from impactkg.errors import TimeLimit, TooLarge
        from impactkg.graph.backends.oxigraph import too_large

        text = with_prologue(
            with_values(request.text, {k: term_text(v) for k, v in request.bindings.items()})
        )
        if request.base_iri:
            text = f"BASE <{request.base_iri}> " + text
        form = query_form(text)
        if form == "update":
            raise QueryError("this is an update, not a query: use an update request")
        params = [("query", text)]
        if request.default_graphs is not None or request.named_graphs is not None:
            params += [("default-graph-uri", g) for g in request.default_graphs or []]
            params += [("named-graph-uri", g) for g in request.named_graphs or []]
        elif request.union:
            params += self._dataset(self.graph_names())
        accept = SELECT_TYPES if form in ("select", "ask") else GRAPH_TYPES
        left = request.remaining()
        if left is not None and left <= 0:
            raise TimeLimit(f"the query ran past the time limit of {request.timeout:g} s before it was sent")
        try:
            ctype, body, headers = self._post(self.query_url, params, accept, left)
        except QueryError as exc:
            if "did not answer within" in str(exc):
                raise TimeLimit(
                    f"the query ran past the time limit of {request.timeout or self.timeout:g} s "
                    f"(the request to {self.query_url} was given up)"
                ) from None
            raise
        if "x-sparql-maxrows" in headers:
            raise QueryError(
                f"the SPARQL server cut the result at {headers['x-sparql-maxrows']} rows "
                "(Virtuoso's ResultSetMaxRows): raise that limit or page with LIMIT/OFFSET"
            )
        if form in ("select", "ask"):
            try:
                result = parse_json_results(body)
            except (ValueError, KeyError, TypeError) as exc:
                raise QueryError(f"the SPARQL server sent unreadable results ({ctype}): {exc}") from None
        else:
            fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
            try:
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt)]
            except SyntaxError as exc:
                raise QueryError(f"the SPARQL server sent unreadable RDF ({ctype}): {exc}") from None
            result = QueryResult("graph")
            result.graph_triples = triples
        cap = request.max_results
        if cap is not None and result.kind != "ask" and len(result) > cap:
            raise TooLarge(too_large(cap, "rows" if result.kind == "select" else "triples"))
        return result

    def graph_names(self) -> list[str]:
        now = time.monotonic()
        if self._graphs is None or now - self._graphs_at > GRAPHS_TTL:
            # GROUP BY, not DISTINCT: Virtuoso answers it from an index, DISTINCT scans every quad
            text = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            _, body, _ = self._post(self.query_url, [("query", text)], SELECT_TYPES, None)
            names = [value_of(row[0]) for row in parse_json_results(body).terms if row[0] is not None]
            self._graphs = sorted(g for g in names if not SYSTEM_GRAPHS.match(g))
            self._graphs_at = now
        return list(self._graphs)

    def refresh(self) -> None:
        """Forget the cached list of named graphs (after another client changed the server)."""
        self._graphs = None

    def _count(self, graphs: list[str]) -> int:
        if not graphs:
            return 0
        text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        form = [("query", text)] + [("named-graph-uri", g) for g in graphs]
        _, body, _ = self._post(self.query_url, form, SELECT_TYPES, None)
        rows = parse_json_results(body).terms
        return int(value_of(rows[0][0])) if rows and rows[0][0] is not None else 0

    def __len__(self) -> int:
        return self._count(self.graph_names())

    def is_empty(self) -> bool:
        """No quad in the graphs the server holds, as it is now: one request lists the graphs that
        hold a quad (another client's changes included); nothing is counted."""
        self.refresh()
        return not self.graph_names()

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        """INSERT DATA in batches of at most :data:`BATCH` triples."""
        batch: list[ox.Quad] = []
        for q in quads:
            batch.append(q)
            if len(batch) == BATCH:
                self._insert_batch(batch)
                batch = []
        if batch:
            self._insert_batch(batch)

    def _insert_batch(self, quads: list[ox.Quad]) -> None:
        by_graph: dict[str, list[str]] = {}
        for q in quads:
            g = value_of(q.graph_name)
            s, o = skolem(q.subject, g), skolem(q.object, g)
            by_graph.setdefault(g, []).append(f"{s} {q.predicate} {term_data(o)} .")
        body = " ".join(
            f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items()
        )
        self.update(f"INSERT DATA {{ {body} }}")

    loads_files = False

    def replace_graphs(
        self, graphs: dict[str, list[ox.Quad]], additions: Iterable[ox.Quad] = (), files: Iterable = ()
    ) -> None:
        """Replace each named graph by its new quads and add ``additions``.

        The new content goes to staging graphs first; only when every batch is in are the
        graphs replaced, in one update request. On failure the graphs are as they were.
        """
        token = uuid.uuid4().hex
        staging = {g: f"{STAGING}{token}:{i}" for i, g in enumerate(graphs)}
        try:
            for g, quads in graphs.items():
                target = ox.NamedNode(staging[g])
                self._insert(
                    ox.Quad(skolem(q.subject, g), q.predicate, skolem(q.object, g), target)
                    for q in quads
                )
            ops = []
            for g, st in staging.items():
                ops.append(f"DROP SILENT GRAPH <{g}>")
                if graphs[g]:
                    ops.append(f"INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{st}> {{ ?s ?p ?o }} }}")
                ops.append(f"DROP SILENT GRAPH <{st}>")
            if ops:
                self.update(" ;\n".join(ops))
            self._insert(additions)
        except BaseException:
            for st in staging.values():
                try:
                    self.update(f"DROP SILENT GRAPH <{st}>")
                except (QueryError, StoreError):
                    pass
            raise
        finally:
            self.refresh()

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")
        self.refresh()

    def _graph_triples(self, graph: str) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph)
        expected = self._count([graph])
        got = 0
        offset = 0
        while True:
            text = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT {PAGE} OFFSET {offset}"
            _, body, _ = self._post(self.query_url, [("query", text)], SELECT_TYPES, None)
            rows = parse_json_results(body).terms
            for s, p, o in rows:
                if s is None or not isinstance(p, ox.NamedNode) or o is None or isinstance(s, ox.Literal):
                    raise StoreError(f"the SPARQL server sent a row that is not a triple of <{graph}>: {s} {p} {o}")
                yield ox.Quad(s, p, o, g)
            got += len(rows)
            offset += PAGE
            if len(rows) < PAGE:
                break
        if got != expected:
            raise StoreError(
                f"the SPARQL server gave {got} of the {expected} triples of <{graph}>: its result "
                "limit is below the page size (raise Virtuoso's ResultSetMaxRows)"
            )

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.graph_names():
            yield from self._graph_triples(graph)

    def dump(self, output: IO[bytes], fmt: str) -> None:
        from impactkg.graph.backends.oxigraph import _dedupe
        from impactkg.graph.sparql.formats import write_rdf

        _, keeps_graphs = FORMATS[fmt]
        name = {"xml": "rdfxml", "jsonld-graphs": "jsonld"}.get(fmt, fmt)
        if keeps_graphs:
            write_rdf(self.quads(), output, name)
        else:
            write_rdf(_dedupe(q.triple for q in self.quads()), output, name)

    @property
    def rdflib(self) -> rdflib.Dataset:
        """A snapshot of the server's graphs in an rdflib memory ``Dataset``."""
        buf = io.BytesIO()
        ox.serialize(self.quads(), buf, ox.RdfFormat.N_QUADS)
        ds = rdflib.Dataset(default_union=True)
        ds.parse(data=buf.getvalue().decode("utf-8"), format="nquads")
        return ds

    def close(self) -> None:
        self._graphs = None
