"""The HTTP layer of ``impactkg serve``: reading requests safely, routing them, writing responses
and one log line per error. What is answered is decided in :mod:`.protocol` and :mod:`.pages`.

Safe by default:

- **Private**: no CORS headers unless ``--cors ORIGIN`` names an origin; the ``Host`` header must
  name this server (against DNS rebinding: 421 otherwise).
- **Slow clients cost nothing**: each connection has deadlines, not just a timeout per read (a
  client sending one byte every few seconds never hits one): :data:`IDLE_TIMEOUT` seconds to begin
  a request, ``header_timeout`` seconds (10) for its request line and headers, ``read_timeout``
  seconds (30) for the whole request with its body, counted from its first byte; past them the
  client gets 408 and the connection is closed. A request takes one of the ``max_connections``
  processing slots only once it has arrived whole, and gives it back before its response is
  written, so clients that trickle their request or read their response slowly hold a thread,
  never a slot; at most ``max_clients`` connections are open at once (503 at once beyond).
- **Broken requests**: a ``Content-Length`` that is not a number of bytes is 400, one past
  ``--max-body`` is 413, a body shorter than announced is 400, a chunked body is 411.
- **Clients that go away**: while a query runs the connection is watched; a client that closes
  it has its query cancelled (its worker process killed, see
  :mod:`impactkg.graph.backends.pool`).
- **One log line per error** on stderr: client, method, path, status and reason, never a
  traceback.
"""

from __future__ import annotations

import contextlib
import io
import select
import socket
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from impactkg.errors import Busy, Cancelled, ImpactKGError, Unauthorized
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
#: Seconds an open connection may wait before its next request begins (keep-alive).
IDLE_TIMEOUT = 15.0
#: Seconds a response may take to be written to a client that reads slowly.
WRITE_TIMEOUT = 30.0
#: At most this long (seconds) and this much (bytes), what a client still sends is read and
#: dropped after the server has said its last word, so that closing does not reset the
#: connection before the client has read the answer (a 408, 413 or 414 while it still sends).
LINGER_SECONDS, LINGER_BYTES = 1.0, 1 << 20
_PRINTABLE = {c: f"\\x{c:02x}" for c in [*range(32), 127]}


def log(message: str) -> None:
    sys.stderr.write(f"impactkg serve: {message}\n")
    sys.stderr.flush()


def request_target(path: str) -> str:
    """The request target as UTF-8: the standard library reads the request line as Latin-1, so raw
    UTF-8 bytes sent without percent-encoding (``?q=インフラ`` from curl) are decoded again here; bytes
    that are not UTF-8 are a 400."""
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "the request line is not UTF-8") from None
def _clean(text: str, limit: int = 200) -> str:
    """``text`` on one line, control characters escaped (no log injection), cut at ``limit``."""
    flat = " ".join(str(text).split()).translate(_PRINTABLE)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _DeadlineReader(io.RawIOBase):
    """A socket read against a deadline (``time.monotonic()``): each ``recv`` waits at most until
    then, so a client that trickles bytes cannot stretch a request past it."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the read deadline has passed")
            self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    server_version = "impactkg"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    #: A request line without a version is answered as HTTP/1.0 (status line and headers), never
    #: as HTTP/0.9's bare body.
    default_request_version = "HTTP/1.0"
    server: ImpactKGServer
    timeout = WRITE_TIMEOUT
    # A response leaves in one write, headers and body together, without waiting for the
    # client's delayed ACK of the headers (Nagle: 40 ms per keep-alive request otherwise).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    # ------------------------------------------------------------ reading, with deadlines
    def setup(self) -> None:
        super().setup()
        self._raw = _DeadlineReader(self.connection)
        self._buffered = io.BufferedReader(self._raw, 65536)
        self.rfile = self._buffered
        self._started = time.monotonic()
        self._phase = "request line"
        self._logged = False

    def handle_one_request(self) -> None:
        """The standard library's, with deadlines: the next request must begin within
        :data:`IDLE_TIMEOUT`, its head arrive within ``header_timeout`` and all of it within
        ``read_timeout`` of its first byte (408 otherwise)."""
        config = self.server.app.config
        self.command, self.path, self.headers = "", "", None  # type: ignore[assignment]
        self.requestline, self.request_version = "", self.default_request_version
        self._raw.deadline = time.monotonic() + IDLE_TIMEOUT
        try:
            if not self._buffered.peek(1):
                self.close_connection = True
                return
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        self._started = time.monotonic()
        self._raw.deadline = self._started + min(config.header_timeout, config.read_timeout)
        self._phase = "request line and headers"
        self._logged = False
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, "the request line is longer than 65536 bytes")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"unsupported method {self.command!r}")
                return
            method()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
            limit = config.header_timeout if self._phase != "body" else config.read_timeout
            with contextlib.suppress(OSError):
                self._error(HTTPStatus.REQUEST_TIMEOUT,
                            f"the {self._phase} did not arrive within {limit:g} s", {"Connection": "close"})
        except (ConnectionError, OSError) as exc:
            self.close_connection = True
            if not self._logged:
                self._log_line("-", f"connection ended: {type(exc).__name__}")

    def finish(self) -> None:
        """The standard library's, quiet when the client has gone: closing the buffered writer
        flushes it again, and a response its client did not wait for (already logged) is dropped
        instead of reaching :meth:`ImpactKGServer.handle_error` as a second line."""
        with contextlib.suppress(OSError):
            super().finish()
        with contextlib.suppress(OSError):
            self.rfile.close()

    def _body(self) -> bytes:
        """The request body, read within the request's deadline; b"" without one."""
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the request body with a Content-Length",
                                {"Connection": "close"})
            return b""
        if not length.strip().isdigit():
            self.close_connection = True
            raise HttpError(HTTPStatus.BAD_REQUEST, f"Content-Length must be a number of bytes, not {length!r}",
                            {"Connection": "close"})
        n = int(length)
        limit = self.server.app.config.max_body
        if n > limit:
            self.close_connection = True
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body has {n} bytes; this server takes at most {limit} (impactkg serve --max-body)",
                {"Connection": "close"},
            )
        self._phase = "body"
        self._raw.deadline = self._started + self.server.app.config.read_timeout
        body = self.rfile.read(n)
        if len(body) < n:
            self.close_connection = True
            raise HttpError(HTTPStatus.BAD_REQUEST, f"the request body ended after {len(body)} of {n} bytes",
                            {"Connection": "close"})
        self._raw.deadline = None
        return body

    def _client_gone(self) -> bool:
        """Whether the client has closed its connection (while its request is answered)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # ------------------------------------------------------------ writing and logging
    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        self._log_line("-", format % args)

    def _log_line(self, status: Any, reason: str) -> None:
        self._logged = True
        client = self.client_address[0] if self.client_address else "-"
        method = getattr(self, "command", "") or "-"
        path = (getattr(self, "path", "") or "-").split("?")[0]
        log(f"{client} {_clean(method, 20)} {_clean(path)} -> {status} {_clean(reason)}")

    def _cors(self) -> dict[str, str]:
        origin = self.headers.get("Origin") if self.headers else None
        if origin and origin in self.server.app.config.cors:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    def _send(self, response: Response, reason: str = "") -> None:
        """Write ``response``; a status of 400 or more is one log line (with ``reason``)."""
        if response.status >= 400:
            self._log_line(response.status, reason or HTTPStatus(response.status).phrase)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if "Cache-Control" not in response.headers:
            self.send_header("Cache-Control", "no-store")
        cors = self._cors()
        headers = {**cors, **response.headers}
        if "Vary" in response.headers and "Vary" in cors:
            headers["Vary"] = f"{response.headers['Vary']}, Origin"
        if self.close_connection:
            headers["Connection"] = "close"
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        text = " ".join(message.split())
        path = (getattr(self, "path", "") or "").split("?")[0]
        if self._wants_html() and path != "/sparql" and not path.startswith("/queries/"):
            from impactkg.server.pages import error_page

            body, ctype = error_page(status, text), "text/html; charset=utf-8"
            headers = {**HTML_HEADERS, **(headers or {})}
        else:
            body, ctype = (text + "\n").encode("utf-8"), "text/plain; charset=utf-8"
        if (headers or {}).get("Connection") == "close":
            self.close_connection = True
        self._send(Response(status, body, ctype, headers or {}), text)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (a malformed request line or header) as ours: plain
        text, one log line, and the connection closed."""
        self.close_connection = True
        self._error(code, message or HTTPStatus(code).phrase, {"Connection": "close"})

    def _wants_html(self) -> bool:
        headers = getattr(self, "headers", None)
        return headers is not None and "text/html" in (headers.get("Accept") or "")

    def _host_ok(self) -> bool:
        given = (self.headers.get("Host") or "").strip().lower()
        if not given:
            return self.request_version == "HTTP/1.0"
        host = given.rsplit(":", 1)[0] if not given.endswith("]") else given
        host = host.strip("[]")
        return host in self.server.names

    # ------------------------------------------------------------ dispatching
    def _dispatch(self, method: str) -> None:
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST,
                        f"this server does not answer to the host {self.headers.get('Host')!r} "
                        "(start it with --host-name NAME to add one)", {"Connection": "close"})
            return
        try:
            url = urllib.parse.urlsplit(request_target(self.path))
            req = Request(method, url.path, parse_qs(url.query), self.headers, base=self.server.base)
            # A load streams its own (larger) body: impactkg.server.loads.
            req.body = self._body() if url.path != "/load" else b""
        except HttpError as exc:
            self._error(exc.status, str(exc), exc.headers)
            return
        # The request is whole: only now does it take a slot, and it gives it back before writing.
        if not self.server.slots.acquire(blocking=False):
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "the server is busy: too many requests at once",
                        {"Retry-After": "1"})
            return
        self.connection.settimeout(WRITE_TIMEOUT)
        response: Response | None = None
        status, reason, headers = 0, "", {}
        try:
            with self.server.app.client(self._client_gone):
                response = self._route(req)
        except HttpError as exc:
            status, reason, headers = exc.status, str(exc), exc.headers
        except Cancelled:
            self.close_connection = True
            self._log_line("-", "the client went away; its query was stopped")
            return
        except Busy as exc:
            status, reason, headers = exc.http_status, str(exc), {"Retry-After": "5"}
        except Unauthorized as exc:
            status, reason, headers = exc.http_status, str(exc), {"WWW-Authenticate": 'Bearer realm="impactkg"'}
        except ImpactKGError as exc:
            status, reason = exc.http_status, str(exc)
        except Exception as exc:  # noqa: BLE001 - one readable line to the client and the log
            status, reason = HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self.server.slots.release()
        try:
            if response is not None:
                self._send(response)
            else:
                self._error(status, reason, headers)
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True
            self._log_line("-", "the client went away before its response was written")

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
        if not self._host_ok():
            self._dispatch("OPTIONS")  # answers 421
            return
        try:
            self._body()
        except HttpError as exc:
            self._error(exc.status, str(exc), exc.headers)
            return
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


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 45\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    b"the server has too many open connections now\n"
)


class ImpactKGServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, app: App):
        config = app.config
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        self.app = app
        #: Requests being answered (taken once a request has arrived whole).
        self.slots = threading.BoundedSemaphore(config.max_connections)
        #: Open connections, each with its thread.
        self.open_connections = threading.BoundedSemaphore(config.max_clients)
        super().__init__((config.host, config.port), Handler)
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        #: The endpoint's own URL, the base IRI of the requests' SPARQL text.
        self.base = f"http://{shown}:{port}"
        names = {host.lower(), "localhost", "127.0.0.1", "::1", config.host.lower()}
        self.names = names | {n.lower() for n in config.host_names}

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.open_connections.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(_BUSY)
            self.shutdown_request(request)
            log(f"{client_address[0]} - - -> 503 too many open connections ({self.app.config.max_clients})")
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.open_connections.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.open_connections.release()

    def shutdown_request(self, request: Any) -> None:
        """Close a connection the way servers do ("lingering close"; RFC 9112 section 9.6)."""
        try:
            request.shutdown(socket.SHUT_WR)
            deadline, dropped = time.monotonic() + LINGER_SECONDS, 0
            while dropped < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                request.settimeout(left)
                chunk = request.recv(65536)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line instead of the standard library's traceback."""
        exc = sys.exc_info()[1]
        log(f"{client_address[0]} - - -> - connection ended: {_clean(f'{type(exc).__name__}: {exc}')}")
