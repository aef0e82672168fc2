"""Run the W3C SPARQL 1.1 Protocol tests (protocol/manifest.ttl) against a live server.

Each ``ht:Request`` is sent as written (method, headers, body in its declared encoding); its
``/sparql/`` path prefix is replaced by the server's query or update path (the manifest allows
this: "an endpoint being tested may require different endpoints to be used for Query and Update
requests"). The response passes when its status is in the expected classes and, where the test
says so, its media type is of the expected kind (``boolean``, ``tabular``, ``RDF``) and its
boolean is the expected one (SPARQL 1.1 Protocol, https://www.w3.org/TR/sparql11-protocol/).

A read-only server's refusal of an update (the status it gives for that, 403) is a
``refused`` outcome, counted apart from passes and failures.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .w3c_doors import Response, exchange
from .w3c_manifest import ProtocolTest, Request
from .w3c_results import (
    Boolean,
    ResultsError,
    Solutions,
    parse_csv,
    parse_srj,
    parse_srx,
    parse_tsv,
)

RESULT_TYPES = {
    "application/sparql-results+json": parse_srj,
    "application/sparql-results+xml": parse_srx,
    "text/csv": parse_csv,
    "text/tab-separated-values": parse_tsv,
}
#: The status a read-only server gives an update (impactkg serve: 403 Forbidden).
READ_ONLY_STATUS = 403


@dataclass
class Target:
    """A server under test: where queries and updates go, headers every request gets (the
    token), and whether it is read-only by design."""

    name: str
    base: str
    query_path: str
    update_path: str
    headers: dict[str, str] = field(default_factory=dict)
    read_only: bool = False

    def path(self, req: Request) -> str:
        rest = req.path.removeprefix("/sparql/")
        if rest == req.path:
            raise ValueError(f"request path {req.path} does not start with /sparql/")
        return (self.update_path if is_update(req) else self.query_path) + rest

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Response:
        return exchange(self.base, method, path, {**headers, **self.headers}, body)

    def load(self, graphs: list[tuple[Path, str]]) -> None:
        """Replace each named graph by its file's triples (N-Triples), through SPARQL Update."""
        if self.read_only or not graphs:
            return
        ops = []
        for path, name in graphs:
            triples = " ".join(str(t) + " ." for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
            ops.append(f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}")
        resp = self.send("POST", self.update_path, {"Content-Type": "application/sparql-update"},
                         " ;\n".join(ops).encode("utf-8"))
        if resp.status // 100 != 2:
            raise RuntimeError(f"{self.name}: loading the test graphs failed: HTTP {resp.status} {resp.body[:300]!r}")


def is_update(req: Request) -> bool:
    """Is this request an update operation (by its content type or its parameters)?"""
    ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        return True
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)
    if "update" in query:
        return True
    if req.body is not None and ctype in ("application/x-www-form-urlencoded", ""):
        try:
            form = urllib.parse.parse_qs(req.body.decode("utf-8"))
        except UnicodeDecodeError:
            return False
        return "update" in form and "query" not in form
    return False


@dataclass
class Outcome:
    status: str  # "pass", "fail", "refused"
    detail: str = ""


def check(req: Request, resp: Response) -> str | None:
    """None if the response is what the request expects, else why not."""
    if resp.status // 100 not in req.status:
        return (f"{req.method} {req.path[:80]}: HTTP {resp.status}, expected "
                f"{'/'.join(f'{c}xx' for c in req.status)}: {resp.body[:200]!r}")
    if req.format is None:
        return None
    media = resp.media_type
    if req.format == "RDF":
        fmt = ox.RdfFormat.from_media_type(media) if media else None
        if fmt is None:
            return f"expected RDF, got {media or 'no Content-Type'}"
        try:
            list(ox.parse(resp.body, format=fmt))
        except SyntaxError as exc:
            return f"the {media} body does not parse: {exc}"
        return None
    reader = RESULT_TYPES.get(media)
    if reader is None or (req.format == "boolean" and media in ("text/csv", "text/tab-separated-values")):
        return f"expected a SPARQL {req.format} result, got {media or 'no Content-Type'}"
    try:
        result = reader(resp.body)
    except ResultsError as exc:
        return f"the {media} body does not parse: {exc}"
    if req.format == "boolean":
        if not isinstance(result, Boolean):
            return f"expected a boolean result, got {type(result).__name__}"
        if req.boolean is not None and result.value != req.boolean:
            return f"expected {req.boolean}, got {result.value}"
    elif not isinstance(result, Solutions):
        return f"expected solutions, got {type(result).__name__}"
    return None


def run(test: ProtocolTest, target: Target) -> Outcome:
    """Send the test's requests in order; stop at the first that fails."""
    target.load(list(test.graph_data))
    for i, req in enumerate(test.requests, 1):
        headers = dict(req.headers)
        resp = target.send(req.method, target.path(req), headers, req.body)
        if target.read_only and is_update(req):
            if resp.status == READ_ONLY_STATUS:
                return Outcome("refused", f"request {i}: update refused by the read-only server: "
                                          f"{resp.body.decode(errors='replace').strip()[:200]}")
            if resp.status // 100 == 2:
                return Outcome("fail", f"request {i}: a read-only server answered an update with {resp.status}")
        why = check(req, resp)
        if why is not None:
            return Outcome("fail", f"request {i}: {why}")
    return Outcome("pass")
