"""What the harness needs to know of a query's text: its top-level ``ORDER BY`` keys and its
``FROM`` / ``FROM NAMED`` clauses. A linear tokenizer (comments, strings and IRIs skipped as the
SPARQL 1.1 grammar defines them, https://www.w3.org/TR/sparql11-query/#grammar), not a parser.

>>> order_keys("SELECT * { { SELECT ?x { ?x ?p ?o } ORDER BY ?o } } ORDER BY DESC(?x) ?y LIMIT 3")
[('x', False), ('y', True)]
>>> dataset_clauses("SELECT * FROM <a.ttl> FROM NAMED <b.ttl> # FROM <c>\\n{ ?s ?p '{FROM <d>}' }")
([('default', 'a.ttl'), ('named', 'b.ttl')], True)
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:\"{0,2}(?:[^\"\\]|\\.))*\"\"\"|'''(?:'{0,2}(?:[^'\\]|\\.))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\U000EFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}()<>,;"']*)?|:[^\s{}()<>,;"']*)
  | (?P<punct>.)
    """,
    re.X | re.S,
)


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, brace depth) of every token but white space and comments."""
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup or "punct", m.group()
        if kind in ("ws", "comment"):
            continue
        if value == "}":
            depth -= 1
        out.append((kind, value, depth))
        if value == "{":
            depth += 1
    return out


def order_keys(text: str) -> list[tuple[str, bool]] | None:
    """The outer query's ORDER BY conditions as (variable, ascending), or None without ORDER BY.

    The list stops at the first condition that is not a variable (an expression): the order
    of the rows is then checked on the keys before it only.
    """
    toks = tokens(text)
    for i in range(len(toks) - 1):
        kind, value, depth = toks[i]
        if depth == 0 and value.upper() == "ORDER" and toks[i + 1][1].upper() == "BY":
            return _conditions(toks[i + 2:])
    return None


def _conditions(toks: list[tuple[str, str, int]]) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    i = 0
    while i < len(toks):
        kind, value, _ = toks[i]
        if kind == "var":
            keys.append((value[1:], True))
            i += 1
        elif value.upper() in ("ASC", "DESC") and i + 3 < len(toks) and toks[i + 1][1] == "(" \
                and toks[i + 2][0] == "var" and toks[i + 3][1] == ")":
            keys.append((toks[i + 2][1][1:], value.upper() == "ASC"))
            i += 4
        else:
            break
    return keys


def dataset_clauses(text: str) -> tuple[list[tuple[str, str]], bool]:
    """The query's FROM (``default``) and FROM NAMED (``named``) IRIs as written, and whether it
    has any."""
    toks = tokens(text)
    out = []
    for i, (kind, value, depth) in enumerate(toks):
        if depth == 0 and kind == "word" and value.upper() == "FROM":
            nxt = toks[i + 1] if i + 1 < len(toks) else ("", "", 0)
            if nxt[1].upper() == "NAMED" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
                out.append(("named", toks[i + 2][1][1:-1]))
            elif nxt[0] == "iri":
                out.append(("default", nxt[1][1:-1]))
    return out, bool(out)
