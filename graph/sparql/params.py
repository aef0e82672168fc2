"""Binding query parameters as RDF terms inside the engine, never as query text.

A parameter has its value in every part of the query that mentions it: the outermost group and
every group in it (a ``UNION`` branch, an ``OPTIONAL``, ``MINUS`` or ``GRAPH`` group, a nested
group whose ``FILTER`` sees only that group, an ``EXISTS`` body), and every subselect, which
sees nothing of the groups around it unless it projects the variable. It is as if the value were
written in place of the variable, and the variable keeps the value in the results.

For Oxigraph (:func:`with_param_binds`) the outermost group ``{ P }`` becomes
``{ { BIND(<urn:impactkg:param:NAME>() AS ?NAME) } LATERAL { P } }`` (the call wrapped in a
``COALESCE`` that tells the planner the variable is bound), and so does the group of
each subselect that mentions a parameter without projecting it: the engine calls back for the
typed term (the value never enters the query text, so quotes or braces in it cannot change the
query), and ``LATERAL`` (SPARQL 1.2 proposal SEP-0006, which Oxigraph implements) evaluates
``P`` with the value substituted, so that the engine looks the value up in its indexes as it
does a constant written in the text. For a remote SPARQL server, whose engine can neither call
back nor evaluate ``LATERAL``, the terms are written in a ``VALUES`` block at the start of the
outermost group and of every other group that mentions them (:func:`with_values`), in
N-Triples syntax, every special character escaped.

A query that gives a parameter's variable a value itself (``BIND(… AS ?x)``, ``(… AS ?x)``,
``VALUES ?x``) cannot also take it as a parameter: QueryError.

>>> with_param_binds("SELECT ?x WHERE { ?x ?p ?o }", ["o"])
'SELECT ?x WHERE { { BIND(COALESCE(<urn:impactkg:param:o>(), <urn:impactkg:param:o>) AS ?o) } LATERAL { ?x ?p ?o } }'
>>> with_param_binds("SELECT * { ?s ?p ?o { SELECT ?s { ?s ?q ?o } } }", ["o"]).count("LATERAL")
2
>>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": '"a\\\\"b"'})
'SELECT ?x WHERE { VALUES (?o) { ("a\\\\"b") } ?x ?p ?o }'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from impactkg.errors import QueryError
from impactkg.graph.sparql.text import Token, prologue, tokens

PARAM_NS = "urn:impactkg:param:"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def group_start(sparql: str, toks: list[Token] | None = None) -> int | None:
    """Index just after the ``{`` that opens the outermost WHERE group, or None (a DESCRIBE
    without WHERE, an update).

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> q[group_start(q):]
    ' ?s ?p ?o }'
    """
    toks = tokens(sparql) if toks is None else toks
    _, _, i = prologue(toks)
    if i >= len(toks):
        return None
    form = toks[i].upper
    i += 1
    if form == "CONSTRUCT" and i < len(toks) and toks[i].text == "{":
        depth = 0
        while i < len(toks):  # skip the template
            t = toks[i].text if toks[i].kind == "punct" else ""
            depth += t == "{"
            depth -= t == "}"
            i += 1
            if depth == 0:
                break
    parens = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "punct":
            if tok.text == "(":
                parens += 1
            elif tok.text == ")":
                parens -= 1
            elif tok.text == "{" and parens == 0:
                return tok.start + 1
        i += 1
    return None


@dataclass
class _Brace:
    """A ``{`` of the query: what it opens and what its text holds."""

    # group; where (a subselect's group); exists; service; subselect (the "{ SELECT" wrapper);
    # data (a CONSTRUCT template, a VALUES block)
    kind: str
    at: int  # index just after the brace
    covered: bool  # sees the parameters by substitution (inside EXISTS, not in a subselect)
    remote: bool  # inside a SERVICE body
    close: int = -1  # index of the matching "}"
    mentions: set[str] = field(default_factory=set)
    projected: set[str] | None = None  # a subselect's projection (None: SELECT *)
    wrapper: _Brace | None = None  # the subselect of a "where" group
    has_where: bool = False  # a subselect whose group has been seen


def _projection(toks: list[Token], i: int) -> set[str] | None:
    """The variables a ``SELECT`` at token ``i`` projects (None for ``SELECT *``)."""
    out: set[str] = set()
    depth = 0
    for tok in toks[i + 1 :]:
        if tok.kind == "punct" and tok.text == "(":
            depth += 1
        elif tok.kind == "punct" and tok.text == ")":
            depth -= 1
        elif depth == 0 and (tok.upper == "WHERE" or tok.text == "{" or tok.upper == "FROM"):
            break
        elif depth == 0 and tok.kind == "punct" and tok.text == "*":
            return None
        elif depth == 0 and tok.kind == "var":
            out.add(tok.text[1:])
    return out


def _braces(sparql: str, names: list[str]) -> tuple[list[_Brace], int]:
    """Every brace of the query, closed in text order, and the index just after the ``{`` of
    the outermost group. QueryError when there is no such group or when the query gives a
    parameter's variable a value itself."""
    toks = tokens(sparql)
    outer = group_start(sparql, toks)
    if outer is None:
        raise QueryError("this query has no WHERE group to bind parameters in")
    wanted = set(names)
    stack: list[_Brace] = []
    found: list[_Brace] = []
    pending = ""  # what the next "{" opens, from the keywords before it
    in_values = False
    _, _, first = prologue(toks)
    for i in range(first, len(toks)):
        tok = toks[i]
        word = tok.upper
        if word in ("EXISTS", "SERVICE"):
            pending = word
        elif word == "VALUES":
            pending, in_values = word, True
        elif word == "CONSTRUCT" and i + 1 < len(toks) and toks[i + 1].text == "{":
            pending = "TEMPLATE"
        elif tok.kind == "var":
            name = tok.text[1:]
            if name in wanted:
                if in_values or (i and toks[i - 1].upper == "AS"):
                    raise QueryError(
                        f"the query gives ?{name} a value itself (BIND, AS or VALUES): "
                        "it cannot also be a parameter"
                    )
                if stack:
                    stack[-1].mentions.add(name)
        elif tok.kind == "punct" and tok.text == "{":
            in_values = False
            parent = stack[-1] if stack else None
            covered = bool(parent and parent.covered)
            remote = bool(parent and parent.remote)
            wrapper = None
            if pending in ("VALUES", "TEMPLATE") or (parent and parent.kind == "data"):
                kind = "data"
            elif i + 1 < len(toks) and toks[i + 1].upper == "SELECT":
                kind, covered = "subselect", False
            elif parent and parent.kind == "subselect" and not parent.has_where:
                kind, wrapper = "where", parent
                parent.has_where = True
            elif pending == "EXISTS":
                kind, covered = "exists", True
            elif pending == "SERVICE":
                kind, remote = "service", True
            else:
                kind = "group"
            brace = _Brace(kind, tok.end, covered, remote, wrapper=wrapper)
            if kind == "subselect":
                brace.projected = _projection(toks, i + 1)
            stack.append(brace)
            pending = ""
        elif tok.kind == "punct" and tok.text == "}" and stack:
            brace = stack.pop()
            brace.close = tok.start
            if stack:
                stack[-1].mentions |= brace.mentions
            found.append(brace)
    return found, outer


def bind_points(sparql: str, names: list[str]) -> list[tuple[int, list[str]]]:
    """Where :func:`with_values` binds each parameter: ``(index just after a '{', names)`` for
    the outermost group (every name) and for each other group that mentions some of the names
    and does not see them by substitution, in the order of the text.

    >>> q = "ASK { ?s ?p ?o FILTER EXISTS { ?s ?q ?v } { ?s ?r ?x FILTER(?x = ?v) } }"
    >>> [(q[at:at + 8], n) for at, n in bind_points(q, ["v"])]
    [(' ?s ?p ?', ['v']), (' ?s ?r ?', ['v'])]
    """
    found, outer = _braces(sparql, names)
    points = [(outer, list(names))]
    for brace in found:
        if brace.at != outer and brace.kind in ("group", "where") and not brace.covered and not brace.remote:
            here = [n for n in names if n in brace.mentions]
            if here:
                points.append((brace.at, here))
    return sorted(points)


def lateral_points(sparql: str, names: list[str]) -> list[tuple[int, int, list[str]]]:
    """Where :func:`with_param_binds` binds each parameter: ``(index just after a '{', index of
    its '}', names)`` for the outermost group (every name) and for the group of each subselect
    that mentions some of the names without projecting them.

    >>> q = "SELECT * { ?s ?p ?o { SELECT ?s { ?s ?q ?o } } }"
    >>> [(q[a:b], n) for a, b, n in lateral_points(q, ["o"])]
    [(' ?s ?p ?o { SELECT ?s { ?s ?q ?o } } ', ['o']), (' ?s ?q ?o ', ['o'])]
    """
    found, outer = _braces(sparql, names)
    points = []
    for brace in found:
        if brace.at == outer:
            points.append((brace.at, brace.close, list(names)))
        elif brace.kind == "where" and not brace.remote and brace.wrapper is not None:
            projected = brace.wrapper.projected
            here = [n for n in names if n in brace.mentions and projected is not None and n not in projected]
            if here:
                points.append((brace.at, brace.close, here))
    if not any(a == outer for a, _, _ in points):
        raise QueryError("the outermost group of this query never closes")
    return sorted(points)


def _names(names: list[str]) -> None:
    for name in names:
        if not _NAME.match(name):
            raise QueryError(f"not a valid parameter name: {name!r}")


def _binds(names: list[str]) -> str:
    # COALESCE tells the planner that the variable is bound (its type inference takes a custom
    # function for one that may fail), so that it looks the value up as it would a constant; the
    # function never fails, and the fallback IRI, which no data holds, is never used.
    return " ".join(f"BIND(COALESCE(<{PARAM_NS}{n}>(), <{PARAM_NS}{n}>) AS ?{n})" for n in names)


@functools.lru_cache(maxsize=256)
def _lateral(sparql: str, names: tuple[str, ...]) -> str:
    _names(list(names))
    edits: list[tuple[int, str]] = []
    for at, close, here in lateral_points(sparql, list(names)):
        edits += [(at, f" {{ {_binds(here)} }} LATERAL {{"), (close, "} ")]
    out, last = [], 0
    for at, text in sorted(edits, key=lambda e: e[0]):
        out += [sparql[last:at], text]
        last = at
    out.append(sparql[last:])
    return "".join(out)


def with_param_binds(sparql: str, names: list[str] | tuple[str, ...]) -> str:
    """Bind each parameter with an engine-side ``BIND`` and ``LATERAL`` wherever the module says
    (the rewriting of the texts asked most recently is kept)."""
    if not names:
        return sparql
    return _lateral(sparql, tuple(names))


def with_values(sparql: str, bindings: dict[str, str]) -> str:
    """Bind parameters with a ``VALUES`` block wherever the module says.

    ``bindings`` maps variable names to terms already in SPARQL syntax (see
    :func:`impactkg.graph.sparql.text.term_text`).
    """
    if not bindings:
        return sparql
    _names(list(bindings))
    out, last = [], 0
    for at, here in bind_points(sparql, list(bindings)):
        names = " ".join(f"?{n}" for n in here)
        row = " ".join(bindings[n] for n in here)
        out += [sparql[last:at], f" VALUES ({names}) {{ ({row}) }}"]
        last = at
    out.append(sparql[last:])
    return "".join(out)
