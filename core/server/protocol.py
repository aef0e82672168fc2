"""The SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/) on ``/sparql`` and the named
queries on ``/queries/NAME``: requests in, results out, through :class:`~.app.App` and the one set
of writers (:mod:`impactkg.graph.sparql.formats`; spreadsheet downloads
:mod:`impactkg.graph.export.tables`).

- query: ``GET ?query=``, ``POST`` form ``query=``, ``POST application/sparql-query``; dataset by
  ``default-graph-uri``/``named-graph-uri`` (repeatable);
- update: ``POST`` form ``update=``, ``POST application/sparql-update``; dataset by
  ``using-graph-uri``/``using-named-graph-uri`` (a conflict with ``USING``/``WITH`` is 400);
- the base IRI of a request's text is the endpoint's URL;
- results by content negotiation or ``format=``; ``download=1`` (and ``format=xlsx``) gives the
  spreadsheet file for people (UTF-8 with a byte-order mark), named after the query;
- ``/queries/NAME?query=TEXT``: TEXT, an edited copy of the named query, with NAME's parameters;
- ``GET /sparql`` without a query: the service description.

>>> description("http://127.0.0.1:8000", [], False, False)[0].object.value
'http://www.w3.org/ns/sparql-service-description#Service'
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pyoxigraph as ox

from impactkg.errors import QueryError, Refused, Unauthorized
from impactkg.graph.sparql.formats import content_type, negotiate
from impactkg.graph.sparql.results import QueryResult
from impactkg.graph.sparql.text import query_form

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUERY_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
#: Formats of the spreadsheet family that the HTTP door also offers for SELECT/ASK.
DOWNLOADS = ("xlsx",)
#: Parameters of ``/queries/NAME`` that are not the query's own: the format, the download flag,
#: and ``query``, an edited copy of the query's text (run with the query's parameters).
RESERVED = ("format", "download", "query")


class HttpError(Exception):
    """A request this server answers with ``status`` and a one-line message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass
class Request:
    """What the HTTP layer read: method, path, query-string parameters, headers, body."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: Any
    body: bytes = b""
    base: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""

    @property
    def media_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def utf8(body: bytes, what: str = "the request body") -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"{what} is not UTF-8") from None


def parse_qs(text: str) -> dict[str, list[str]]:
    """Form or query-string parameters, percent-decoded as UTF-8 (raw UTF-8 bytes sent unencoded
    arrive as UTF-8 too); a value that is not UTF-8 is a 400."""
    try:
        return urllib.parse.parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "a parameter is not UTF-8") from None


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, []).extend(v)
    return out


def _first(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def sparql(app: Any, req: Request) -> Response:
    """Answer a request on ``/sparql``."""
    if req.method not in ("GET", "POST", "HEAD"):
        raise HttpError(
            HTTPStatus.METHOD_NOT_ALLOWED, f"{req.method} is not allowed on /sparql: use GET or POST",
            {"Allow": "GET, HEAD, POST, OPTIONS"},
        )
    params = req.params
    query = update = None
    if req.method == "POST":
        ctype = req.media_type
        if ctype == "application/x-www-form-urlencoded":
            params = _merge(params, parse_qs(utf8(req.body)))
        elif ctype == "application/sparql-query":
            query = utf8(req.body)
        elif ctype == "application/sparql-update":
            update = utf8(req.body)
        else:
            raise HttpError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST a form (application/x-www-form-urlencoded with query= or update=), "
                "application/sparql-query or application/sparql-update",
            )
    if query is None and update is None:
        if len(params.get("query", [])) > 1 or len(params.get("update", [])) > 1:
            raise QueryError("give one query (or one update) per request")
        query, update = _first(params, "query"), _first(params, "update")
    elif params.get("query") or params.get("update"):
        raise QueryError("give the query either in the body or as a parameter, not both")
    if query is not None and update is not None:
        raise QueryError("give a query or an update, not both")
    endpoint = f"{req.base}/sparql"
    if update is not None:
        if req.method != "POST":
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "updates must be sent with POST", {"Allow": "POST"})
        return _update(app, req, update, params, endpoint)
    if query is None:
        return _service_description(app, req, params)
    if query_form(query) == "update":
        raise QueryError("this is an update: POST it as update=... or application/sparql-update")
    if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
        raise QueryError("using-graph-uri and using-named-graph-uri are for updates; a query takes "
                         "default-graph-uri and named-graph-uri")
    result = app.query(
        query,
        default_graph_uri=params.get("default-graph-uri") or None,
        named_graph_uri=params.get("named-graph-uri") or None,
        base_iri=endpoint,
    )
    return answer(req, result, params, "query")


def _update(app: Any, req: Request, text: str, params: dict[str, list[str]], endpoint: str) -> Response:
    import hmac

    config = app.config
    if not config.allow_update:
        raise Refused("this endpoint is read-only (start impactkg serve with --allow-update and a token)")
    scheme, _, given = req.header("Authorization").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), (config.token or "").encode()):
        raise Unauthorized("updates need the server's token: send the header 'Authorization: Bearer TOKEN'")
    if params.get("default-graph-uri") or params.get("named-graph-uri"):
        raise QueryError("default-graph-uri and named-graph-uri are for queries; an update takes "
                         "using-graph-uri and using-named-graph-uri")
    app.update(text, params.get("using-graph-uri") or None, params.get("using-named-graph-uri") or None, endpoint)
    return Response(HTTPStatus.OK, b"update done\n", "text/plain; charset=utf-8")


def _filename(name: str, values: dict[str, str], extension: str) -> str:
    parts = [name] + [f"{k}-{v}" for k, v in sorted(values.items())]
    stem = re.sub(r"[^\w.\-]+", "_", "_".join(parts), flags=re.UNICODE).strip("_")[:120] or "results"
    return f"{stem}.{extension}"


def answer(req: Request, result: QueryResult, params: dict[str, list[str]], name: str,
           values: dict[str, str] | None = None) -> Response:
    """``result`` in the negotiated format (or the spreadsheet file with ``download``)."""
    from impactkg.graph.export.tables import MEDIA_TYPES, spreadsheet_text, workbook_bytes

    requested = _first(params, "format")
    download = bool(_first(params, "download"))
    headers = {"Vary": "Accept"}
    if result.kind != "graph" and (requested == "xlsx" or (download and requested in ("csv", "tsv", None))):
        fmt = requested or "csv"
        body = workbook_bytes(result, title=result.title or name) if fmt == "xlsx" else spreadsheet_text(result, fmt)
        filename = _filename(name, values or {}, fmt)
        quoted = urllib.parse.quote(filename)
        headers["Content-Disposition"] = f"attachment; filename=\"{quoted}\"; filename*=UTF-8''{quoted}"
        return Response(HTTPStatus.OK, body, MEDIA_TYPES[fmt], headers)
    if result.warnings:
        headers["X-Impactkg-Warning"] = " | ".join(result.warnings)[:1000]
    form = "graph" if result.kind == "graph" else "select"
    fmt = negotiate(form, req.header("Accept") or None, requested)
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{_filename(name, values or {}, fmt)}"'
    return Response(HTTPStatus.OK, result.serialize(fmt), content_type(fmt), headers)


def description(base: str, graphs: list[str], updates: bool, federated: bool) -> list[ox.Triple]:
    """The SPARQL 1.1 service description of the endpoint at ``base``/sparql."""
    ep = ox.NamedNode(f"{base}/sparql")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    rdf_type = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(ep, rdf_type, sd("Service")),
        ox.Triple(ep, sd("endpoint"), ep),
        ox.Triple(ep, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(ep, sd("feature"), sd("UnionDefaultGraph")),
    ]
    if federated:
        triples.append(ox.Triple(ep, sd("feature"), sd("BasicFederatedQuery")))
    if updates:
        triples.append(ox.Triple(ep, sd("supportedLanguage"), sd("SPARQL11Update")))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(ep, sd("resultFormat"), ox.NamedNode(FORMATS_NS + fmt)))
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples += [
        ox.Triple(ep, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    for i, g in enumerate(graphs):
        node = ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, rdf_type, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(g)),
        ]
    return triples


def _service_description(app: Any, req: Request, params: dict[str, list[str]]) -> Response:
    if "text/html" in req.header("Accept") and not _first(params, "format"):
        return Response(HTTPStatus.SEE_OTHER, b"", "text/plain; charset=utf-8", {"Location": "/query"})
    fmt = negotiate("graph", req.header("Accept") or None, _first(params, "format"))
    result = QueryResult("graph")
    result.graph_triples = description(req.base, app.graphs(), app.config.allow_update, bool(app.config.allow_hosts))
    return Response(HTTPStatus.OK, result.serialize(fmt), content_type(fmt), {"Vary": "Accept"})


def list_queries() -> Response:
    from impactkg.queries import library

    doc = [
        {
            "name": q.name, "title_ja": q.title_ja, "title_en": q.title_en, "description": q.description,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                        "description": p.description} for p in q.params],
            "url": f"/queries/{q.name}",
            "sparql": q.text,
        }
        for q in library().values()
    ]
    body = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(HTTPStatus.OK, body, "application/json; charset=utf-8")


def named(app: Any, req: Request, name: str) -> Response:
    """Answer ``/queries/NAME`` (GET parameters, or a POSTed form)."""
    from impactkg.queries import get

    if req.method not in ("GET", "POST", "HEAD"):
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{req.method} is not allowed on /queries/{name}",
                        {"Allow": "GET, HEAD, POST"})
    params = req.params
    if req.method == "POST":
        if req.media_type != "application/x-www-form-urlencoded":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                            f"expected a form (application/x-www-form-urlencoded), got {req.media_type or 'nothing'}")
        params = _merge(params, parse_qs(utf8(req.body)))
    if not QUERY_NAME.match(name) or name.endswith(".rq"):
        raise HttpError(HTTPStatus.NOT_FOUND, f"no named query {name!r}")
    try:
        get(name)
    except QueryError as exc:
        raise HttpError(HTTPStatus.NOT_FOUND, str(exc)) from None
    if len(params.get("query", [])) > 1:
        raise QueryError("give one query per request")
    values = {k: v[-1] for k, v in params.items() if k not in RESERVED and v and v[-1] != ""}
    result = app.named(name, values, text=_first(params, "query"))
    return answer(req, result, params, name, values)
