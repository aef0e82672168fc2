"""The HTTP layer of ``impactkg serve``: reading requests safely, routing them, writing responses
and one log line per error. What is answered is decided in :mod:`.protocol` and :mod:`.pages`.

Safe by default: no CORS headers unless ``--cors ORIGIN`` names an origin; the ``Host`` header
must name this server (against DNS rebinding: 421 otherwise); a body is read only up to its
``Content-Length``, which must be a number within ``--max-body`` (400/413 otherwise), and a body
shorter than announced is a 400; a client that goes away costs one log line, never a traceback.
"""

from __future__ import annotations

import socket
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from impactkg.errors import Busy, ImpactKGError, Unauthorized
from impactkg.server.app import App
from impactkg.server.protocol import (
    HttpError,
    Request,
    Response,
    list_queries,
    named,
    parse_qs,
    sparql,
)

HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "font-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Seconds a client may take to send its request line, headers and body.
READ_TIMEOUT = 30.0


def log(message: str) -> None:
    sys.stderr.write(f"impactkg serve: {message}\n")
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    server_version = "impactkg"
    sys_version = ""
    server: ImpactKGServer
    timeout = READ_TIMEOUT

    # ------------------------------------------------------------ plumbing
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        log(f"{self.address_string()}: {format % args}")

    def _cors(self) -> dict[str, str]:
        origin = self.headers.get("Origin") if self.headers else None
        if origin and origin in self.server.app.config.cors:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        headers = {**self._cors(), **response.headers}
        if "Vary" in response.headers and "Vary" in self._cors():
            headers["Vary"] = f"{response.headers['Vary']}, Origin"
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        if response.status >= 400:
            log(f"{self.command} {self.path[:200]} -> {response.status}")

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        text = " ".join(message.split())
        path = self.path.split("?")[0]
        if self._wants_html() and path != "/sparql" and not path.startswith("/queries/"):
            from impactkg.server.pages import error_page

            body, ctype = error_page(status, text), "text/html; charset=utf-8"
            headers = {**HTML_HEADERS, **(headers or {})}
        else:
            body, ctype = (text + "\n").encode("utf-8"), "text/plain; charset=utf-8"
        self._send(Response(status, body, ctype, headers or {}))
        log(f"{self.command} {self.path[:200]} -> {status} {text[:200]}")

    def _wants_html(self) -> bool:
        return "text/html" in (self.headers.get("Accept") or "")

    def _host_ok(self) -> bool:
        given = (self.headers.get("Host") or "").strip().lower()
        if not given:
            return self.request_version == "HTTP/1.0"
        host = given.rsplit(":", 1)[0] if not given.endswith("]") else given
        host = host.strip("[]")
        return host in self.server.names

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the request body with a Content-Length")
            return b""
        if not length.strip().isdigit():
            raise HttpError(HTTPStatus.BAD_REQUEST, f"Content-Length must be a number of bytes, not {length!r}")
        n = int(length)
        limit = self.server.app.config.max_body
        if n > limit:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body has {n} bytes; this server takes at most {limit} (impactkg serve --max-body)",
                {"Connection": "close"},
            )
        body = self.rfile.read(n)
        if len(body) < n:
            self.close_connection = True
            raise HttpError(HTTPStatus.BAD_REQUEST, f"the request body ended after {len(body)} of {n} bytes")
        return body

    def _dispatch(self, method: str) -> None:
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST,
                        f"this server does not answer to the host {self.headers.get('Host')!r} "
                        "(start it with --host-name NAME to add one)")
            return
        if not self.server.slots.acquire(blocking=False):
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "the server is busy: too many requests at once",
                        {"Retry-After": "1"})
            return
        try:
            url = urllib.parse.urlsplit(self.path)
            req = Request(method, url.path, parse_qs(url.query), self.headers, base=self.server.base)
            # A load streams its own (larger) body: impactkg.server.loads.
            body = method in ("POST", "PUT", "PATCH", "DELETE") and url.path != "/load"
            req.body = self._body() if body else b""
            self._send(self._route(req))
        except HttpError as exc:
            self._error(exc.status, str(exc), exc.headers)
        except Busy as exc:
            self._error(exc.http_status, str(exc), {"Retry-After": "5"})
        except Unauthorized as exc:
            self._error(exc.http_status, str(exc), {"WWW-Authenticate": 'Bearer realm="impactkg"'})
        except ImpactKGError as exc:
            self._error(exc.http_status, str(exc))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - one readable line to the client and the log
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self.server.slots.release()

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    def do_OPTIONS(self) -> None:  # noqa: N802
        cors = self._cors()
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        if cors:
            for k, v in cors.items():
                self.send_header(k, v)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ------------------------------------------------------------ routes
    def _route(self, req: Request) -> Response:
        app = self.server.app
        if req.path == "/sparql":
            return sparql(app, req)
        if req.path == "/load":
            from impactkg.server.loads import load_route

            return load_route(app, req, self.rfile)
        if req.path in ("/queries", "/queries/"):
            return list_queries()
        if req.path.startswith("/queries/"):
            return named(app, req, urllib.parse.unquote(req.path[len("/queries/") :]))
        from impactkg.server.pages import page

        if req.method not in ("GET", "HEAD"):
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{req.method} is not allowed on {req.path}",
                            {"Allow": "GET, HEAD"})
        status, ctype, content, headers = page(app, req.path, req.params, req.base)
        return Response(status, content, ctype, {**HTML_HEADERS, **headers})


class ImpactKGServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, app: App):
        config = app.config
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        self.app = app
        self.slots = threading.BoundedSemaphore(config.max_connections)
        super().__init__((config.host, config.port), Handler)
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        #: The endpoint's own URL, the base IRI of the requests' SPARQL text.
        self.base = f"http://{shown}:{port}"
        names = {str(host).lower(), "localhost", "127.0.0.1", "::1", config.host.lower()}
        self.names = names | {n.lower() for n in config.host_names}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line instead of the standard library's traceback."""
        exc = sys.exc_info()[1]
        log(f"{client_address[0]}: connection ended: {type(exc).__name__}: {exc}")
