"""``impactkg serve``: a SPARQL 1.1 Protocol endpoint at ``/sparql``, the named queries at
``/queries/NAME``, and the browser pages (see :mod:`impactkg.server.pages`) on one server.

Safe by default: it binds 127.0.0.1, is read-only unless started with ``--allow-update`` and a
token (then updates need ``Authorization: Bearer TOKEN``), stops every query at a time limit,
caps result sizes and request bodies, and refuses ``SERVICE``, ``LOAD`` and ``FROM`` of graphs
it does not hold unless their host is on the allow-list.

>>> config = ServeConfig(port=0)
>>> (config.host, config.allow_update, config.timeout)
('127.0.0.1', False, 30.0)
"""

from __future__ import annotations

import hmac
import json
import re
import signal
import socket
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from impactkg.errors import ImpactKGError, QueryError, StoreError
from impactkg.graph.backends.remote import Answer
from impactkg.graph.backends.workers import Busy, Job, TimeLimit, TooLarge
from impactkg.graph.sparql.formats import content_type, negotiate, serialize
from impactkg.graph.sparql.text import external_references, query_form
from impactkg.ontology import PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_QUERY_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class Refused(ImpactKGError):
    """The request asks for something this server does not do (remote data, updates)."""


class Unauthorized(ImpactKGError):
    """An update without the right token."""


@dataclass
class ServeConfig:
    """How ``impactkg serve`` runs: what it serves, where, and its limits."""

    store: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    auth: tuple[str, str] | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allow_update: bool = False
    token: str | None = None
    timeout: float = 30.0
    max_results: int = 10000
    max_body: int = 1_000_000
    allow_hosts: tuple[str, ...] = ()
    workers: int = 2
    max_connections: int = 64
    build_if_empty: bool = True


class Service:
    """Everything the server does, without HTTP: queries, updates, checks, statistics."""

    def __init__(self, config: ServeConfig):
        from impactkg.graph.backends.workers import ProcessPool, RemoteExecutor

        if config.allow_update and not config.token:
            raise StoreError("--allow-update needs a token (--token T or $IMPACTKG_TOKEN)")
        self.config = config
        self._graphs: list[str] | None = None
        self._stats: dict[str, Any] | None = None
        self._lock = threading.Lock()
        #: Pages that are costly to make (the maps), until the next update.
        self.page_cache: dict[Any, bytes] = {}
        if config.endpoint:
            from impactkg.graph.backends.remote import RemoteBackend

            backend = RemoteBackend(config.endpoint, config.update_endpoint, config.auth)
            self.executor = RemoteExecutor(backend, config.timeout)
            self.location = config.endpoint
        else:
            from impactkg.graph.store import KnowledgeGraph, default_store_dir

            path = Path(config.store) if config.store else default_store_dir()
            kg = KnowledgeGraph.open(path)
            if kg.is_empty() and config.build_if_empty:
                print(f"impactkg: no graph in {path}; building the embedded dataset first", file=sys.stderr)
                kg.build()
            kg.close()
            del kg
            self.executor = ProcessPool(path / "oxigraph", config.workers, config.timeout)
            self.location = str(path)

    # ------------------------------------------------------------------ reading
    def graphs(self) -> list[str]:
        """The named graphs of the dataset (cached until an update)."""
        with self._lock:
            cached = self._graphs
        if cached is None:
            if self.config.endpoint:
                cached = self.executor.backend.graph_names()
            else:
                answer = self.executor.run(
                    Job("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", max_results=1_000_000)
                )
                cached = [row[0].value for row in answer.rows if row[0] is not None]
            with self._lock:
                self._graphs = cached
        return list(cached)

    def check(self, text: str, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> None:
        """Refuse SERVICE, LOAD and FROM/USING of data this server does not hold, unless the
        host is on the allow-list."""
        refs = external_references(text, PREFIXES)
        decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        if decoded != text:
            refs += external_references(decoded, PREFIXES)
        refs += [("FROM", g) for g in default_graphs or []] + [("FROM NAMED", g) for g in named_graphs or []]
        local = None
        for keyword, iri in refs:
            if keyword.startswith(("FROM", "USING")) and iri is not None:
                local = self.graphs() if local is None else local
                if iri in local:
                    continue
            host = urllib.parse.urlsplit(iri).hostname if iri else None
            if iri is None:
                raise Refused(f"{keyword} with a variable is refused by this server")
            if host is None or host.lower() not in self.config.allow_hosts:
                what = "a graph this server does not hold" if keyword.startswith(("FROM", "USING")) else "remote data"
                raise Refused(
                    f"{keyword} <{iri}> is refused: {what}, and its host {host or '(none)'} is not on "
                    "the allow-list (impactkg serve --allow-host HOST)"
                )

    def query(
        self,
        text: str,
        bindings: dict[str, Any] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_results: int | None = None,
    ) -> Answer:
        """Check and run a query within the time limit and the result cap."""
        self.check(text, default_graphs, named_graphs)
        cap = self.config.max_results if max_results is None else max_results
        job = Job(text, dict(bindings or {}), default_graphs, named_graphs, cap)
        return self.executor.run(job)

    def update(self, text: str) -> None:
        self.check(text)
        try:
            self.executor.update(text)
        finally:
            with self._lock:
                self._graphs = None
                self._stats = None
                self.page_cache.clear()

    def stats(self) -> dict[str, Any]:
        """Quads, triples per named graph, instances per class (cached until an update)."""
        with self._lock:
            cached = self._stats
        if cached is not None:
            return cached
        per_graph = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        per_class = self.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?ja0) AS ?ja) (SAMPLE(?en0) AS ?en) WHERE { ?s a ?c "
            "OPTIONAL { ?c rdfs:label ?ja0 FILTER(lang(?ja0) = 'ja') } OPTIONAL { ?c rdfs:label ?en0 FILTER(lang(?en0) = 'en') } } "
            "GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 200"
        )
        graphs = {r[0].value: int(r[1].value) for r in per_graph.rows if r[0] is not None}
        classes = [
            {"iri": r[0].value, "count": int(r[1].value), "ja": r[2].value if r[2] else "", "en": r[3].value if r[3] else ""}
            for r in per_class.rows
            if isinstance(r[0], ox.NamedNode)
        ]
        cached = {"quads": sum(graphs.values()), "graphs": graphs, "classes": classes, "location": self.location}
        with self._lock:
            self._stats = cached
        return cached

    def description(self, base: str) -> list[ox.Triple]:
        """The SPARQL 1.1 service description of the endpoint at ``base``/sparql."""
        ep = ox.NamedNode(f"{base}/sparql")
        sd = lambda local: ox.NamedNode(SD + local)  # noqa: E731
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        triples = [
            ox.Triple(ep, rdf_type, sd("Service")),
            ox.Triple(ep, sd("endpoint"), ep),
            ox.Triple(ep, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(ep, sd("feature"), sd("UnionDefaultGraph")),
            ox.Triple(ep, sd("feature"), sd("BasicFederatedQuery")) if self.config.allow_hosts else None,
        ]
        if self.config.allow_update:
            triples.append(ox.Triple(ep, sd("supportedLanguage"), sd("SPARQL11Update")))
        for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                    "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
            triples.append(ox.Triple(ep, sd("resultFormat"), ox.NamedNode(FORMATS_NS + fmt)))
        dataset = ox.BlankNode("dataset")
        default = ox.BlankNode("default")
        triples += [
            ox.Triple(ep, sd("defaultDataset"), dataset),
            ox.Triple(dataset, rdf_type, sd("Dataset")),
            ox.Triple(dataset, sd("defaultGraph"), default),
            ox.Triple(default, rdf_type, sd("Graph")),
        ]
        for i, g in enumerate(self.graphs()):
            node = ox.BlankNode(f"g{i}")
            triples += [
                ox.Triple(dataset, sd("namedGraph"), node),
                ox.Triple(node, rdf_type, sd("NamedGraph")),
                ox.Triple(node, sd("name"), ox.NamedNode(g)),
            ]
        return [t for t in triples if t is not None]

    def worker_pids(self) -> list[int]:
        return self.executor.worker_pids()

    def close(self) -> None:
        self.executor.close()


# ---------------------------------------------------------------------- HTTP
_STATUS = {
    QueryError: HTTPStatus.BAD_REQUEST,
    TooLarge: HTTPStatus.BAD_REQUEST,
    Refused: HTTPStatus.FORBIDDEN,
    Unauthorized: HTTPStatus.UNAUTHORIZED,
    TimeLimit: HTTPStatus.SERVICE_UNAVAILABLE,
    Busy: HTTPStatus.SERVICE_UNAVAILABLE,
    StoreError: HTTPStatus.BAD_GATEWAY,
}
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
CORS = {"Access-Control-Allow-Origin": "*"}


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class Handler(BaseHTTPRequestHandler):
    server_version = "impactkg"
    sys_version = ""
    server: ImpactKGServer

    # ------------------------------------------------------------ plumbing
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if status >= 400:
            sys.stderr.write(f"impactkg serve: {self.command} {self.path[:200]} -> {status}\n")

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        text = " ".join(message.split())
        if self._wants_html() and self.path.split("?")[0] not in ("/sparql",) and not self.path.startswith("/queries/"):
            from impactkg.server.pages import error_page

            self._send(status, error_page(status, text), "text/html; charset=utf-8", {**HTML_HEADERS, **(headers or {})})
        else:
            self._send(status, (text + "\n").encode("utf-8"), "text/plain; charset=utf-8", {**CORS, **(headers or {})})

    def _wants_html(self) -> bool:
        return "text/html" in (self.headers.get("Accept") or "")

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the request body with a Content-Length")
            return b""
        try:
            n = int(length)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "Content-Length is not a number") from None
        if n > self.server.service.config.max_body:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body has {n} bytes; this server takes at most "
                f"{self.server.service.config.max_body} (impactkg serve --max-body)",
                {"Connection": "close"},
            )
        return self.rfile.read(n)

    def _dispatch(self, method: str) -> None:
        if not self.server.slots.acquire(blocking=False):
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "the server is busy: too many requests at once", {"Retry-After": "1"})
            return
        try:
            url = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            body = self._body() if method == "POST" else b""
            self._route(method, url.path, params, body)
        except HttpError as exc:
            self._error(exc.status, str(exc), exc.headers)
        except (TimeLimit, Busy) as exc:
            self._error(_STATUS[type(exc)], str(exc), {"Retry-After": "5"} if isinstance(exc, Busy) else None)
        except Unauthorized as exc:
            self._error(HTTPStatus.UNAUTHORIZED, str(exc), {"WWW-Authenticate": 'Bearer realm="impactkg"'})
        except ImpactKGError as exc:
            status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), HTTPStatus.BAD_REQUEST)
            self._error(status, str(exc))
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - one readable line to the client
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self.server.slots.release()

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ------------------------------------------------------------ routes
    def _route(self, method: str, path: str, params: dict[str, list[str]], body: bytes) -> None:
        if path == "/sparql":
            self._sparql(method, params, body)
        elif path == "/queries" or path == "/queries/":
            self._list_queries()
        elif path.startswith("/queries/"):
            if method == "POST":
                params = _merge(params, self._form(body))
            self._named(urllib.parse.unquote(path[len("/queries/") :]), params)
        else:
            from impactkg.server.pages import page

            if method != "GET":
                raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}")
            status, ctype, content, headers = page(self.server.service, path, params, self._base())
            self._send(status, content, ctype, {**HTML_HEADERS, **headers})

    def _form(self, body: bytes) -> dict[str, list[str]]:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"expected a form (application/x-www-form-urlencoded), got {ctype or 'nothing'}")
        return urllib.parse.parse_qs(_utf8(body), keep_blank_values=True)

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

    def _sparql(self, method: str, params: dict[str, list[str]], body: bytes) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        query = update = None
        if method == "POST":
            if ctype == "application/x-www-form-urlencoded":
                params = _merge(params, urllib.parse.parse_qs(_utf8(body), keep_blank_values=True))
            elif ctype == "application/sparql-query":
                query = _utf8(body)
            elif ctype == "application/sparql-update":
                update = _utf8(body)
            else:
                raise HttpError(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "POST a form (query= or update=), application/sparql-query or application/sparql-update",
                )
        if query is None and update is None:
            if len(params.get("query", [])) > 1 or len(params.get("update", [])) > 1:
                raise QueryError("give one query (or one update) per request")
            query = _first(params, "query")
            update = _first(params, "update")
        if update is not None:
            if method != "POST":
                raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "updates must be sent with POST", {"Allow": "POST"})
            self._update(update)
            return
        if query is None:
            self._service_description(params)
            return
        defaults = params.get("default-graph-uri") or None
        named = params.get("named-graph-uri") or None
        self._answer(query, None, params, defaults, named)

    def _answer(self, text: str, bindings, params, defaults=None, named=None) -> None:
        form = query_form(text)
        if form == "update":
            raise QueryError("this is an update: POST it as update=... or application/sparql-update")
        fmt = negotiate(form, self.headers.get("Accept"), _first(params, "format"))
        answer = self.server.service.query(text, bindings, defaults, named)
        if answer.kind == "graph" and fmt not in ("ttl", "nt", "jsonld", "rdfxml"):
            fmt = negotiate("graph", self.headers.get("Accept"), None)
        elif answer.kind != "graph" and fmt in ("ttl", "nt", "jsonld", "rdfxml"):
            fmt = negotiate("select", self.headers.get("Accept"), None)
        headers = dict(CORS)
        headers["Vary"] = "Accept"
        if fmt == "xlsx" or _first(params, "download"):
            ext = {"json": "srj", "xml": "srx"}.get(fmt, fmt)
            headers["Content-Disposition"] = f'attachment; filename="results.{ext}"'
        self._send(HTTPStatus.OK, serialize(answer, fmt), content_type(fmt), headers)

    def _update(self, text: str) -> None:
        config = self.server.service.config
        if not config.allow_update:
            raise Refused("this endpoint is read-only (start impactkg serve with --allow-update and a token)")
        auth = self.headers.get("Authorization") or ""
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), (config.token or "").encode()):
            raise Unauthorized("updates need the server's token: send the header 'Authorization: Bearer TOKEN'")
        form = query_form(text)
        if form != "update":
            raise QueryError("this is a query, not an update: send it as query=...")
        self.server.service.update(text)
        self._send(HTTPStatus.OK, b"update done\n", "text/plain; charset=utf-8", CORS)

    def _service_description(self, params: dict[str, list[str]]) -> None:
        accept = self.headers.get("Accept") or ""
        if "text/html" in accept and not _first(params, "format"):
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", "/query")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        fmt = negotiate("graph", accept, _first(params, "format"))
        answer = Answer(kind="graph", triples=self.server.service.description(self._base()))
        self._send(HTTPStatus.OK, serialize(answer, fmt), content_type(fmt), {**CORS, "Vary": "Accept"})

    def _list_queries(self) -> None:
        from impactkg.queries import library

        doc = [
            {
                "name": q.name, "title_ja": q.title_ja, "title_en": q.title_en, "description": q.description,
                "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                            "description": p.description} for p in q.params],
                "url": f"/queries/{q.name}",
            }
            for q in library().values()
        ]
        self._send(HTTPStatus.OK, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"),
                   "application/json; charset=utf-8", CORS)

    def _named(self, name: str, params: dict[str, list[str]]) -> None:
        from impactkg.queries import get, resolve

        if not _QUERY_NAME.match(name) or name.endswith(".rq"):
            raise HttpError(HTTPStatus.NOT_FOUND, f"no named query {name!r}")
        try:
            get(name)
        except QueryError as exc:
            raise HttpError(HTTPStatus.NOT_FOUND, str(exc)) from None
        values = {k: v[-1] for k, v in params.items() if k not in ("format", "download") and v and v[-1] != ""}
        text, bindings = resolve(name, values)
        self._answer(text, bindings, params)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("the request body is not UTF-8") from None


def _first(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, []).extend(v)
    return out


class ImpactKGServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, service: Service):
        config = service.config
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        self.service = service
        self.slots = threading.BoundedSemaphore(config.max_connections)
        super().__init__((config.host, config.port), Handler)


def make_server(config: ServeConfig) -> ImpactKGServer:
    """The server, bound but not yet serving (``port=0`` picks a free port)."""
    service = Service(config)
    try:
        return ImpactKGServer(service)
    except OSError as exc:
        service.close()
        raise StoreError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


def serve(config: ServeConfig) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then stop every worker."""
    httpd = make_server(config)
    host, port = httpd.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    mode = "updates allowed with the token" if config.allow_update else "read-only"
    print(f"serving {httpd.service.location} at http://{shown}:{port}/ ({mode}; "
          f"time limit {config.timeout:g} s, at most {config.max_results} results)", flush=True)
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"impactkg: warning: listening on {config.host}: other machines can reach this server",
              file=sys.stderr, flush=True)

    def stop(signum, frame) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        httpd.server_close()
        httpd.service.close()
