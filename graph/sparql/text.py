"""Reading SPARQL text without running it: its form, its prefixes, the IRIs it would fetch from
elsewhere (SERVICE, LOAD, FROM, USING), and parameters bound by a ``VALUES`` block.

Strings, comments and IRIs are skipped as units, so a keyword inside a literal or a comment is
never mistaken for one in the query.

>>> query_form("PREFIX ex: <http://ex.org/> # SELECT\\nASK { ?s ?p 'CONSTRUCT' }")
'ask'
>>> external_references("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
[('SERVICE', 'http://127.0.0.1:1/')]
>>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": '"a\\\\"b"'})
'SELECT ?x WHERE { VALUES (?o) { ("a\\\\"b") } ?x ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from impactkg.errors import QueryError
from impactkg.graph.sparql.params import _group_start

_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\U000effff]+")
_PNAME = re.compile(
    r"(?:[A-Za-z\u00c0-\U000effff][\w.\-\u00b7\u00c0-\U000effff]*)?:"
    r"(?:[\w\-:%.\u00b7\u00c0-\U000effff]|\\.)*"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORMS = ("select", "ask", "construct", "describe")
UPDATE_WORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
}


@dataclass(frozen=True)
class Token:
    kind: str  # string, iri, var, pname, word, punct
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of SPARQL text, without white space and comments."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            end = min(n, j + len(quote))
            yield Token("string", text[i:end], i)
            i = end
        elif c == "<" and (m := _IRI.match(text, i)):
            yield Token("iri", m.group(1), i)
            i = m.end()
        elif c in "?$" and (m := _VAR.match(text, i)):
            yield Token("var", m.group(0), i)
            i = m.end()
        elif (m := _PNAME.match(text, i)) and ":" in m.group(0):
            value = m.group(0).rstrip(".")
            yield Token("pname", value, i)
            i += len(value)
        elif m := _WORD.match(text, i):
            yield Token("word", m.group(0), i)
            i = m.end()
        else:
            yield Token("punct", c, i)
            i += 1


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX p: <ns>`` declarations of the text."""
    out: dict[str, str] = {}
    toks = list(tokens(text))
    for a, b, c in zip(toks, toks[1:], toks[2:], strict=False):
        if a.kind == "word" and a.text.upper() == "PREFIX" and b.kind == "pname" and c.kind == "iri":
            out[b.text.rstrip(":")] = c.text
    return out


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct``, ``describe``, or ``update`` for an update request."""
    for tok in tokens(text):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word.lower() in FORMS:
            return word.lower()
        if word in UPDATE_WORDS:
            return "update"
        if word not in ("PREFIX", "BASE"):
            break
    raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def _resolve(tok: Token, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        return tok.text
    return None


def external_references(text: str, prefixes: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Every ``SERVICE``, ``LOAD``, ``FROM [NAMED]`` and ``USING [NAMED]`` target of the text, as
    (keyword, IRI); the IRI is None where it is a variable (``SERVICE ?s``)."""
    known = {**(prefixes or {}), **declared_prefixes(text)}
    toks = list(tokens(text))
    out: list[tuple[str, str | None]] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word not in ("SERVICE", "LOAD", "FROM", "USING"):
            continue
        j = i + 1
        while j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() in ("SILENT", "NAMED"):
            j += 1
        target = toks[j] if j < len(toks) else None
        if target is None:
            continue
        if word == "FROM" and target.kind not in ("iri", "pname"):
            continue  # not a dataset clause (e.g. part of a longer keyword sequence)
        out.append((word, _resolve(target, known)))
    return out


def term_text(term: ox.NamedNode | ox.Literal) -> str:
    """An RDF term in SPARQL syntax (N-Triples form, every special character escaped)."""
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError(f"a parameter must be an IRI or a literal, not {term!r}")
    return str(term)


def with_values(sparql: str, bindings: dict[str, str]) -> str:
    """Bind parameters with one ``VALUES`` block at the start of the outermost WHERE group.

    ``bindings`` maps variable names to terms already in SPARQL syntax (see :func:`term_text`).
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not _NAME.match(name):
            raise QueryError(f"not a valid parameter name: {name!r}")
    at = _group_start(sparql)
    if at is None:
        raise QueryError("this query has no WHERE group to bind parameters in")
    names = " ".join(f"?{n}" for n in bindings)
    row = " ".join(bindings.values())
    return f"{sparql[:at]} VALUES ({names}) {{ ({row}) }}{sparql[at:]}"
