"""Binding query parameters as RDF terms inside the engine, never as query text.

For Oxigraph each parameter becomes ``BIND(<urn:impactkg:param:NAME>() AS ?NAME)`` at the start
of the query's outermost group, and the engine calls back for the typed term: the value never
enters the query text, so quotes or braces in it cannot change the query.

>>> with_param_binds("SELECT ?x WHERE { ?x ?p ?o }", ["o"])
'SELECT ?x WHERE { BIND(<urn:impactkg:param:o>() AS ?o) ?x ?p ?o }'
"""

from __future__ import annotations

import re

from impactkg.errors import QueryError

PARAM_NS = "urn:impactkg:param:"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _group_start(sparql: str) -> int | None:
    """Index just after the ``{`` that opens the outermost WHERE group, or None."""
    i, n = 0, len(sparql)
    depth = 0
    saw_construct = False
    template_done = False
    last_word = ""
    while i < n:
        c = sparql[i]
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<" and depth == 0:
            j = sparql.find(">", i)
            i = n if j < 0 else j + 1
            continue
        if c.isalpha():
            m = re.match(r"[A-Za-z]+", sparql[i:])
            word = m.group(0).upper()
            if depth == 0 and word == "CONSTRUCT":
                saw_construct = True
            last_word = word if depth == 0 else last_word
            i += len(word)
            continue
        if c == "{":
            if depth == 0:
                if last_word == "WHERE" or not saw_construct or template_done:
                    return i + 1
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and saw_construct:
                template_done = True
        elif not c.isspace():
            last_word = last_word if depth else ""
        i += 1
    return None


def with_param_binds(sparql: str, names: list[str]) -> str:
    """Insert one engine-side BIND per parameter at the start of the outermost group."""
    if not names:
        return sparql
    for name in names:
        if not _NAME.match(name):
            raise QueryError(f"not a valid parameter name: {name!r}")
    at = _group_start(sparql)
    if at is None:
        raise QueryError("this query has no WHERE group to bind parameters in")
    binds = " ".join(f"BIND(<{PARAM_NS}{name}>() AS ?{name})" for name in names)
    return sparql[:at] + " " + binds + sparql[at:]
