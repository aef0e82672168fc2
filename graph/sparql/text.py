"""Reading SPARQL text without running it: tokens, the form of a request, its prologue, its dataset
clauses and the IRIs it would fetch from elsewhere (SERVICE, LOAD).

One tokenizer, linear in the length of the text (a master regular expression whose alternatives
never backtrack across tokens), skips strings, comments and IRIs as units, so a keyword inside a
literal or a comment is never mistaken for one in the request. It follows the terminals of the
SPARQL 1.1 grammar (https://www.w3.org/TR/sparql11-query/#grammar): ``IRIREF``, ``PNAME_LN`` /
``PNAME_NS``, ``BLANK_NODE_LABEL``, ``VAR1``/``VAR2``, the four ``STRING_LITERAL`` forms,
``LANGTAG``, numbers, keywords and punctuation.

>>> query_form("PREFIX ex: <http://ex.org/> # SELECT\\nASK { ?s ?p 'CONSTRUCT' }")
'ask'
>>> external_references("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
[('SERVICE', 'http://127.0.0.1:1/')]
>>> dataset_clauses("SELECT * FROM <http://e/g> FROM NAMED <http://e/h> WHERE { ?s ?p ?o }")
[('FROM', 'http://e/g'), ('FROM NAMED', 'http://e/h')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from impactkg.errors import QueryError

#: The deepest nesting of ``{ ( [`` accepted: the query engine parses recursively, and a text
#: nested thousands of levels deep would exhaust the stack of the process that runs it.
MAX_DEPTH = 256
#: The most operators, groups and path steps a request may hold (the engine's parser and
#: optimiser recurse over chains of them: ``1+1+...`` twenty thousand times long crashes it).
MAX_COMPLEXITY = 5000

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    rf"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<space>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\n\r]|\\.)*"'
            r"|'(?:[^'\\\n\r]|\\.)*')",
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            rf"(?P<var>[?$]{_VARNAME})",
            rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<number>[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/!=<>|^?@$])",
        ]
    )
)
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CHAIN = {"+", "-", "*", "/", "&&", "||", "|", "^", "!", "=", "!=", "<", ">", "<=", ">=", "{", "(", "["}
FORMS = ("select", "ask", "construct", "describe")
UPDATE_WORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
}


@dataclass(frozen=True)
class Token:
    """A token of SPARQL text: its kind (string, iri, var, bnode, pname, langtag, number, word,
    punct), its text (an IRI without its angle brackets) and where it starts."""

    kind: str
    text: str
    start: int
    end: int = 0

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _line_col(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {col}"


def tokens(text: str) -> list[Token]:
    """The tokens of SPARQL text, without white space and comments, in linear time.

    Raises QueryError naming the line and column of a string or IRI that never ends, a stray
    character, or nesting deeper than :data:`MAX_DEPTH`, or a request more complex than
    :data:`MAX_COMPLEXITY` (checked here, before any parser sees the text).

    >>> [t.text for t in tokens('SELECT ?x { ?x <http://e/p> "a}b" }')]
    ['SELECT', '?x', '{', '?x', 'http://e/p', '"a}b"', '}']
    """
    out: list[Token] = []
    stack: list[str] = []
    chain = 0
    i, n = 0, len(text)
    match = _TOKEN.match
    while i < n:
        m = match(text, i)
        if m is None or m.end() == i:
            c = text[i]
            what = {"'": "a string that never ends", '"': "a string that never ends"}.get(c)
            if c == "<" and text.find(">", i) < 0:
                what = f"unexpected character {c!r}"
            raise QueryError(f"invalid SPARQL at {_line_col(text, i)}: {what or f'unexpected character {c!r}'}")
        kind = m.lastgroup or "punct"
        start, i = i, m.end()
        if kind in ("space", "comment"):
            continue
        value = m.group(0)
        if kind == "iri":
            value = value[1:-1]
        elif kind == "punct":
            if value in _OPEN:
                stack.append(_OPEN[value])
                if len(stack) > MAX_DEPTH:
                    raise QueryError(
                        f"the query nests more than {MAX_DEPTH} levels deep at {_line_col(text, start)}: "
                        "simplify it"
                    )
            elif value in ("}", ")", "]") and stack and stack[-1] == value:
                stack.pop()
            if value in _CHAIN:
                chain += 1
        elif kind == "word" and value.upper() in ("UNION", "OPTIONAL", "MINUS", "FILTER"):
            chain += 1
        if chain > MAX_COMPLEXITY:
            raise QueryError(
                f"the query has more than {MAX_COMPLEXITY} operators, groups and path steps: "
                "split it into smaller queries"
            )
        out.append(Token(kind, value, start, i))
    return out


def prologue(toks: list[Token]) -> tuple[dict[str, str], str | None, int]:
    """The ``PREFIX`` declarations, the ``BASE`` IRI and the index of the first token after the
    prologue."""
    prefixes: dict[str, str] = {}
    base = None
    i = 0
    while i < len(toks):
        word = toks[i].upper
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text
            i += 3
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = toks[i + 1].text
            i += 2
        else:
            break
    return prefixes, base, i


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX p: <ns>`` declarations of the text (of every operation, for an update)."""
    out: dict[str, str] = {}
    toks = tokens(text)
    for a, b, c in zip(toks, toks[1:], toks[2:], strict=False):
        if a.upper == "PREFIX" and b.kind == "pname" and c.kind == "iri":
            out[b.text.rstrip(":")] = c.text
    return out


def form_of(toks: list[Token]) -> str:
    """``select``, ``ask``, ``construct``, ``describe`` or ``update``, from the tokens."""
    _, _, i = prologue(toks)
    if i < len(toks) and toks[i].kind == "word":
        word = toks[i].upper
        if word.lower() in FORMS:
            return word.lower()
        if word in UPDATE_WORDS:
            return "update"
    if i >= len(toks):
        raise QueryError("invalid SPARQL: the request is empty: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    raise QueryError(
        f"invalid SPARQL at token {i + 1}: expected SELECT, ASK, CONSTRUCT or DESCRIBE (or an update), "
        f"found {toks[i].text[:40]!r}"
    )


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct``, ``describe``, or ``update`` for an update request."""
    return form_of(tokens(text))


def resolve(tok: Token, prefixes: dict[str, str]) -> str | None:
    """The IRI a token stands for (an IRI or a prefixed name), else None."""
    if tok.kind == "iri":
        return tok.text
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return tok.text
    return None


def _targets(toks: list[Token], words: tuple[str, ...], prefixes: dict[str, str]) -> list[tuple[str, str | None]]:
    known = dict(prefixes)
    out: list[tuple[str, str | None]] = []
    for i, tok in enumerate(toks):
        word = tok.upper
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            known[toks[i + 1].text.rstrip(":")] = toks[i + 2].text
            continue
        if word not in words:
            continue
        j = i + 1
        named = False
        while j < len(toks) and toks[j].upper in ("SILENT", "NAMED"):
            named = named or toks[j].upper == "NAMED"
            j += 1
        target = toks[j] if j < len(toks) else None
        if target is None:
            continue
        if word in ("FROM", "USING") and target.kind not in ("iri", "pname"):
            continue  # not a dataset clause
        name = f"{word} NAMED" if named else word
        out.append((name, resolve(target, known) if target.kind in ("iri", "pname") else None))
    return out


def dataset_clauses(text: str, prefixes: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """The ``FROM`` and ``FROM NAMED`` clauses of a query, as (``FROM`` or ``FROM NAMED``, IRI)."""
    return _targets(tokens(text), ("FROM",), prefixes or {})


def external_references(text: str, prefixes: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Every ``SERVICE`` and ``LOAD`` target of the text, as (keyword, IRI); the IRI is None where
    it is a variable (``SERVICE ?s``)."""
    return _targets(tokens(text), ("SERVICE", "LOAD"), prefixes or {})


def term_text(term) -> str:
    """An RDF term (pyoxigraph) in SPARQL syntax (N-Triples form, every special character escaped)."""
    import pyoxigraph as ox

    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError(f"a parameter must be an IRI or a literal, not {term!r}")
    return str(term)
