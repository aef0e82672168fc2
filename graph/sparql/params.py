"""Binding query parameters as RDF terms inside the engine, never as query text.

For Oxigraph each parameter becomes ``BIND(<urn:impactkg:param:NAME>() AS ?NAME)`` at the start
of the query's outermost group, and the engine calls back for the typed term: the value never
enters the query text, so quotes or braces in it cannot change the query. For a remote SPARQL
server, whose engine cannot call back, the terms are written in a ``VALUES`` block in N-Triples
syntax, every special character escaped (:func:`with_values`).

>>> with_param_binds("SELECT ?x WHERE { ?x ?p ?o }", ["o"])
'SELECT ?x WHERE { BIND(<urn:impactkg:param:o>() AS ?o) ?x ?p ?o }'
>>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": '"a\\\\"b"'})
'SELECT ?x WHERE { VALUES (?o) { ("a\\\\"b") } ?x ?p ?o }'
"""

from __future__ import annotations

import re

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


def _names(names: list[str]) -> None:
    for name in names:
        if not _NAME.match(name):
            raise QueryError(f"not a valid parameter name: {name!r}")


def with_param_binds(sparql: str, names: list[str]) -> str:
    """Insert one engine-side BIND per parameter at the start of the outermost group."""
    if not names:
        return sparql
    _names(names)
    at = group_start(sparql)
    if at is None:
        raise QueryError("this query has no WHERE group to bind parameters in")
    binds = " ".join(f"BIND(<{PARAM_NS}{name}>() AS ?{name})" for name in names)
    return sparql[:at] + " " + binds + sparql[at:]


def with_values(sparql: str, bindings: dict[str, str]) -> str:
    """Bind parameters with one ``VALUES`` block at the start of the outermost WHERE group.

    ``bindings`` maps variable names to terms already in SPARQL syntax (see
    :func:`impactkg.graph.sparql.text.term_text`).
    """
    if not bindings:
        return sparql
    _names(list(bindings))
    at = group_start(sparql)
    if at is None:
        raise QueryError("this query has no WHERE group to bind parameters in")
    names = " ".join(f"?{n}" for n in bindings)
    row = " ".join(bindings.values())
    return f"{sparql[:at]} VALUES ({names}) {{ ({row}) }}{sparql[at:]}"
