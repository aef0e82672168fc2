"""Loads through ``impactkg serve``: the authenticated route ``POST /load`` and its client.

One writer per store: pyoxigraph does not say what a reader sees while another process writes,
so while ``impactkg serve`` serves a store folder it is that store's one writer (it holds the
folder's ``write.lock`` and records its address in ``serving.json``). A load into that store goes
through the server: it builds the next version of the store while its query workers go on
answering, and switches them to it when the load is complete, so the endpoint and the pages show
the new graphs as soon as the request returns. ``impactkg load FILE --store DIR --token T`` does
this by itself when it finds the store served (:func:`load_through`).

The route::

    POST /load?filename=mine.csv[&kind=..][&namespace=..][&encoding=..][&graph=IRI][&force=1]
           [&ignore_columns=a,b][&new_concepts=1]
    Authorization: Bearer TOKEN          (the server's --token; it runs with --allow-update)
    body: the file's bytes

Several files load as one (atomic) load: ``filename`` and ``length`` repeated, one pair per file,
and the body holds the files one after another. The body may be as large as ``--max-load``
(default 1 GiB); it is streamed to a temporary folder, never held in memory.

Answers: 200 with the load summary (``text/plain``, or JSON with ``Accept: application/json``);
400 with one line per problem (``file:row:column: message``) and nothing loaded; 401 without
the token, 403 on a read-only server or for a reserved graph without ``force``, 413 above the
limit.

>>> options_of({"kind": ["catalogue"], "force": ["1"], "ignore_columns": ["memo,extra"]})
{'kind': 'catalogue', 'force': True, 'ignore_columns': ['memo', 'extra']}
"""

from __future__ import annotations

import hmac
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from impactkg.errors import ImpactKGError, LoadError, Problem, Refused, StoreError, Unauthorized
from impactkg.server.protocol import HttpError, Request, Response

#: Largest load body by default (``impactkg serve --max-load``).
MAX_LOAD = 1 << 30
_CHUNK = 1 << 20
_TEXT = ("kind", "namespace", "encoding", "graph")
_FLAGS = ("force", "new_concepts")
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def options_of(params: dict[str, list[str]]) -> dict[str, Any]:
    """The load options of the request's query string (those of ``KnowledgeGraph.load``)."""
    out: dict[str, Any] = {}
    for key in _TEXT:
        if params.get(key) and params[key][-1]:
            out[key] = params[key][-1]
    for key in _FLAGS:
        if params.get(key):
            value = params[key][-1].strip().lower()
            if value not in ("1", "true", "yes", "0", "false", "no", ""):
                raise HttpError(HTTPStatus.BAD_REQUEST, f"{key} must be 1 or 0, not {params[key][-1]!r}")
            out[key] = value in ("1", "true", "yes")
    if params.get("ignore_columns"):
        out["ignore_columns"] = [c.strip() for v in params["ignore_columns"] for c in v.split(",") if c.strip()]
    return out


def _authorize(app: Any, req: Request) -> None:
    config = app.config
    if not config.allow_update:
        raise Refused("this server is read-only: start impactkg serve with --allow-update and a token to load "
                      "through it, or stop it and load with impactkg load")
    scheme, _, given = req.header("Authorization").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), (config.token or "").encode()):
        raise Unauthorized("loads need the server's token: send the header 'Authorization: Bearer TOKEN'")


def _files(req: Request) -> list[tuple[str, int | None]]:
    names = req.params.get("filename") or []
    lengths = req.params.get("length") or []
    if not names:
        raise HttpError(HTTPStatus.BAD_REQUEST, "name the file: /load?filename=NAME (its suffix says what it holds)")
    clean = []
    for name in names:
        base = _SAFE_NAME.sub("-", Path(name.replace("\\", "/")).name).strip("-.")
        if not base or "." not in base:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"filename {name!r} needs a suffix (.csv, .xlsx, .ttl, ...)")
        clean.append(base)
    if len(set(clean)) != len(clean):
        raise HttpError(HTTPStatus.BAD_REQUEST, "two files of one load have the same name")
    if len(names) == 1 and not lengths:
        return [(clean[0], None)]
    if len(lengths) != len(names) or not all(v.isdigit() for v in lengths):
        raise HttpError(HTTPStatus.BAD_REQUEST, "several files need one length (bytes) per filename, in order")
    return [(n, int(v)) for n, v in zip(clean, lengths, strict=True)]


def _receive(stream: Any, total: int, files: list[tuple[str, int | None]], folder: Path) -> list[Path]:
    """Copy the body to ``folder``, file by file, in chunks."""
    sizes = [total if n is None else n for _, n in files]
    if sum(sizes) != total:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"the lengths add up to {sum(sizes)} bytes, the body has {total}")
    paths = []
    for (name, _), size in zip(files, sizes, strict=True):
        path = folder / name
        left = size
        with open(path, "wb") as out:
            while left:
                chunk = stream.read(min(_CHUNK, left))
                if not chunk:
                    raise HttpError(HTTPStatus.BAD_REQUEST, f"the request body ended {left} bytes early")
                out.write(chunk)
                left -= len(chunk)
        paths.append(path)
    return paths


def load_route(app: Any, req: Request, stream: Any) -> Response:
    """Answer ``POST /load``: check the token, stream the body to a temporary folder, load it
    through the server's graph (one load, one new version of the store) and say what it did."""
    if req.method != "POST":
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "send a load with POST", {"Allow": "POST"})
    _authorize(app, req)
    files = _files(req)
    options = options_of(req.params)
    length = req.header("Content-Length").strip()
    if not length.isdigit():
        raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send the files with a Content-Length")
    total, limit = int(length), getattr(app.config, "max_load", MAX_LOAD)
    if total > limit:
        raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"the load has {total} bytes; this server takes at most {limit} (impactkg serve --max-load)",
                        {"Connection": "close"})
    folder = Path(tempfile.mkdtemp(prefix="impactkg-load-"))
    wants_json = "application/json" in req.header("Accept")
    try:
        paths = _receive(stream, total, files, folder)
        try:
            summary = app.load(paths, **options)
        except LoadError as exc:
            if wants_json:
                doc = {"problems": [{"file": p.file, "row": p.row, "column": p.column, "message": p.message}
                                    for p in exc.problems]}
                return Response(HTTPStatus.BAD_REQUEST, json.dumps(doc, ensure_ascii=False).encode(),
                                "application/json; charset=utf-8")
            n = len(exc.problems)
            text = "\n".join(str(p) for p in exc.problems)
            text += f"\nnothing loaded: {n} problem{'s' if n != 1 else ''}; the graph is unchanged\n"
            return Response(HTTPStatus.BAD_REQUEST, text.encode(), "text/plain; charset=utf-8")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if wants_json:
        doc = {"summary": summary.text(), "graphs": summary.graphs,
               "before": summary.triples_before, "after": summary.triples_after}
        return Response(HTTPStatus.OK, json.dumps(doc, ensure_ascii=False).encode(), "application/json; charset=utf-8")
    return Response(HTTPStatus.OK, (summary.text() + "\n").encode(), "text/plain; charset=utf-8")


# ---------------------------------------------------------------------- the client
def _body(paths: Sequence[Path]) -> Iterator[bytes]:
    for path in paths:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk


def load_through(url: str, token: str, paths: Sequence[str | Path], **options: Any) -> str:
    """Load ``paths`` through the ``impactkg serve`` at ``url`` (its token ``token``), with the
    options of ``KnowledgeGraph.load``; returns the server's summary. Raises LoadError with the
    problems the server found (nothing loaded), Unauthorized, Refused, or StoreError when the
    server cannot be reached."""
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise LoadError([Problem(str(p), None, None, "no such file")])
    query: list[tuple[str, str]] = [("filename", p.name) for p in files]
    if len(files) > 1:
        query += [("length", str(p.stat().st_size)) for p in files]
    for key, value in options.items():
        if value in (None, False, [], ""):
            continue
        if isinstance(value, bool):
            query.append((key, "1"))
        elif isinstance(value, list | tuple):
            query.append((key, ",".join(value)))
        else:
            query.append((key, str(value)))
    size = sum(p.stat().st_size for p in files)
    req = urllib.request.Request(
        f"{url.rstrip('/')}/load?{urllib.parse.urlencode(query)}", data=_body(files), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Length": str(size),
                 "Content-Type": "application/octet-stream", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=None if size > 1e8 else 3600) as resp:
            return json.loads(resp.read().decode("utf-8"))["summary"]
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        if exc.code == 400 and body.startswith("{"):
            problems = json.loads(body).get("problems", [])
            raise LoadError([Problem(p["file"], p["row"], p["column"], p["message"]) for p in problems]) from None
        message = " ".join(body.split()) or f"HTTP {exc.code}"
        cls = {401: Unauthorized, 403: Refused}.get(exc.code, ImpactKGError)
        raise cls(f"the server at {url} refused the load: {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreError(f"cannot reach the server at {url} to load through it: {reason}") from None


def token_from(given: str | None) -> str | None:
    """The token of ``--token``, else ``$IMPACTKG_TOKEN``."""
    return given or os.environ.get("IMPACTKG_TOKEN") or None


__all__ = ["MAX_LOAD", "load_route", "load_through", "options_of", "token_from"]
