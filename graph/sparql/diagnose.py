"""One readable line for a SPARQL syntax error, instead of the parser's grammar.

The query engine reports ``error at 1:28: expected one of Prefix not found, ['%'], ...`` (hundreds
of characters of grammar); a researcher needs ``line 1, column 28: unknown prefix foo: (declare it
with PREFIX foo: <...>)``.

>>> explain("SELECT * WHERE { ?s foo:bar ?o }", SyntaxError("error at 1:28: expected one of Prefix not found, ['%']"))
'line 1, column 21: unknown prefix foo: (declare it with PREFIX foo: <...>; predeclared: cids, dcat, dcterms, domain, fm, foaf, ikd, ikg, issue, org, orgtype, owl, prov, rdf, rdfs, role, sdg, sdgo, skos, stage, status, unit, uom, xsd)'
>>> explain("SELECT * WHERE { ?s ?p ?o ", SyntaxError('error at 1:27: expected one of ",", ".", ";", "{", "}"'))
"line 1, column 27: the query ends too soon: expected '}' (or ',', '.', ';', '{')"
"""

from __future__ import annotations

import re

from impactkg.errors import QueryError
from impactkg.ontology import PREFIXES

_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_QUOTED = re.compile(r'"([^"]+)"')
_SENTENCE = re.compile(r"(?:^|, )([A-Z][a-z]+(?: [A-Za-z?]+){2,}[^,\[]*)")
_CLOSERS = ("}", ")", "]")


def _unknown_prefix(text: str) -> str | None:
    from impactkg.graph.sparql.text import declared_prefixes, tokens

    try:
        toks = tokens(text)
        declared = declared_prefixes(text)
    except QueryError:
        return None
    for tok in toks:
        if tok.kind != "pname":
            continue
        prefix = tok.text.partition(":")[0]
        if prefix not in declared and prefix not in PREFIXES:
            line = text.count("\n", 0, tok.start) + 1
            col = tok.start - (text.rfind("\n", 0, tok.start) + 1) + 1
            known = ", ".join(sorted(PREFIXES))
            return (
                f"line {line}, column {col}: unknown prefix {prefix}: "
                f"(declare it with PREFIX {prefix}: <...>; predeclared: {known})"
            )
    return None


def explain(text: str, exc: BaseException) -> str:
    """A one-line message for the syntax error ``exc`` that the engine raised on ``text``."""
    message = " ".join(str(exc).split())
    if "Prefix not found" in message or "prefix" in message.lower() and "not" in message.lower():
        found = _unknown_prefix(text)
        if found:
            return found
    m = _AT.match(message)
    if not m:
        return message if len(message) <= 200 else message[:199] + "…"
    line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    where = f"line {line}, column {col}"
    sentence = _SENTENCE.search(rest)
    if sentence and not sentence.group(1).startswith("Prefix not found"):
        return f"{where}: {sentence.group(1).strip().rstrip('.').lower()}"
    expected = [q for q in _QUOTED.findall(rest) if q != "{|"]
    lines = text.split("\n")
    at_end = line > len(lines) or (line == len(lines) and col > len(lines[-1].rstrip()))
    if not expected:
        near = ""
        if line <= len(lines):
            near = lines[line - 1][max(0, col - 1) : col + 19].strip()
        return f"{where}: unexpected {near!r}" if near else f"{where}: the query ends too soon"
    closer = next((c for c in _CLOSERS if c in expected), None)
    shown = [closer] if closer else []
    shown += [e for e in expected if e != closer][:4]
    first, others = shown[0], shown[1:]
    tail = f" (or {', '.join(repr(o) for o in others)})" if others else ""
    if at_end:
        return f"{where}: the query ends too soon: expected {first!r}{tail}"
    near = lines[line - 1][max(0, col - 1) : col + 19].strip() if line <= len(lines) else ""
    return f"{where}: expected {first!r}{tail}, found {near!r}"
