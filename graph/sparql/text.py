"""Reading SPARQL text without running it: tokens, the form of a request, its prologue, its dataset
clauses and the IRIs it would fetch from elsewhere (SERVICE, LOAD).

One tokenizer, linear in the length of the text, skips strings, comments and IRIs as units, so a
keyword inside a literal or a comment is never mistaken for one in the request. It follows the
terminals of the SPARQL 1.1 grammar (https://www.w3.org/TR/sparql11-query/#grammar): ``IRIREF``,
``PNAME_LN`` / ``PNAME_NS``, ``BLANK_NODE_LABEL``, ``VAR1``/``VAR2``, the four ``STRING_LITERAL``
forms, ``LANGTAG``, numbers, keywords and punctuation. Linear: each alternative of its master
regular expression either consumes what it scans or fails at once, except the prefixed name,
whose prefix may hold dots (``a.b:c``); it is tried only where the run of name characters ends in
a ``:`` (the runs are found once, in one pass), so ``a.a.a.a…`` costs one scan, not one per ``a``.

The same pass enforces the limits that keep the query engine's recursive parser and optimiser
inside the stack of the thread that runs them (see :mod:`impactkg.graph.backends.stack`):
:data:`MAX_DEPTH` and :data:`MAX_COMPLEXITY`.

>>> query_form("PREFIX ex: <http://ex.org/> # SELECT\\nASK { ?s ?p 'CONSTRUCT' }")
'ask'
>>> external_references("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
[('SERVICE', 'http://127.0.0.1:1/')]
>>> dataset_clauses("SELECT * FROM <http://e/g> FROM NAMED <http://e/h> WHERE { ?s ?p ?o }")
[('FROM', 'http://e/g'), ('FROM NAMED', 'http://e/h')]
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from impactkg.errors import QueryError

#: The deepest nesting of ``{ ( [`` accepted: the query engine parses recursively, and a text
#: nested thousands of levels deep would exhaust the stack of the thread that runs it
#: (5,000 parentheses crash pyoxigraph 0.5 in a main thread's 8 MiB stack).
MAX_DEPTH = 256
#: The most operators, groups, path steps and triple-pattern separators (``.`` ``;`` ``,``) a
#: request may hold. The engine's parser and optimiser recurse over chains of them: in an 8 MiB
#: stack pyoxigraph 0.5 crashes (SIGSEGV) on 5,000 constant triple patterns, 10,000 ``+`` or
#: ``UNION`` or ``&&``, 10,000 path steps (within a second, while parsing). Queries run on a
#: thread with a stack of :data:`impactkg.graph.backends.stack.STACK_BYTES` (128 MiB): in 64 MiB
#: each of these held at 10,000 and in 128 MiB at 20,000, so the limit leaves a margin of four
#: or more. ``VALUES`` blocks and the data of ``INSERT DATA``/``DELETE DATA`` are flat lists for
#: the engine (100,000 rows held in 8 MiB) and are not counted.
MAX_COMPLEXITY = 5000

def _ranges(spec: str) -> list[tuple[int, int]]:
    """Code point ranges from a character-class body such as ``A-Za-z\u00b7`` (no escapes)."""
    out, i = [], 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.append((ord(spec[i]), ord(spec[i + 2])))
            i += 3
        else:
            out.append((ord(spec[i]), ord(spec[i])))
            i += 1
    return out


def _class(*specs: str) -> str:
    """A character class of the union of ``specs``, written as the class of its complement
    (``[^...]``): the same characters, but Python's ``re`` compiles it several times faster than
    a class listing the large ranges of SPARQL's name characters (which the command line pays
    for at every start)."""
    ranges = sorted(r for spec in specs for r in _ranges(spec))
    gaps, nxt = [], 0
    for lo, hi in ranges:
        if lo > nxt:
            gaps.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= 0x10FFFF:
        gaps.append((nxt, 0x10FFFF))

    def esc(c: int) -> str:
        return f"\\U{c:08x}"

    return "[^" + "".join(esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in gaps) + "]"


# The character sets of the grammar's PN_CHARS_BASE, PN_CHARS_U and PN_CHARS (section 19.8).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = (_BASE, "_")
_CHARS = (*_U, "-", "0-9\u00b7\u0300-\u036f\u203f-\u2040")
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"{_class(_BASE)}(?:{_class(*_CHARS, '.')}*{_class(*_CHARS)})?"
_PN_LOCAL = (
    rf"(?:{_class(*_U, ':0-9')}|{_PLX})"
    rf"(?:(?:{_class(*_CHARS, '.:')}|{_PLX})*(?:{_class(*_CHARS, ':')}|{_PLX}))?"
)
_VAR_REST = _class(*_U, "0-9", "\u00b7\u0300-\u036f\u203f-\u2040")
_VARNAME = rf"{_class(*_U, '0-9')}{_VAR_REST}*"
_BNODE = rf"_:{_class(*_U, '0-9')}(?:{_class(*_CHARS, '.')}*{_class(*_CHARS)})?"

_ALTERNATIVES = [
    r"(?P<space>[ \t\r\n]+)",
    r"(?P<comment>#[^\r\n]*)",
    r'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')",
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
    rf"(?P<var>[?$]{_VARNAME})",
    rf"(?P<bnode>{_BNODE})",
    rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
    r"(?P<number>[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/!=<>|^?@$])",
]


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The tokenizer's regular expressions, compiled at the first text tokenized: Python's ``re``
    builds the bitmaps of SPARQL's Unicode name classes in pure Python (about 12 ms, a tenth of
    a quick command's start), which a command that tokenizes nothing does not pay.

    - every token (:data:`_ALTERNATIVES`);
    - the same without the prefixed name: used where no ``:`` ends the run of name characters,
      so that no prefix is scanned in vain;
    - runs of the characters a prefix is made of (a prefixed name's prefix is one run, right
      before its ``:``).
    """
    return (
        re.compile("|".join(_ALTERNATIVES)),
        re.compile("|".join(a for a in _ALTERNATIVES if not a.startswith("(?P<pname>"))),
        re.compile(rf"{_class(*_CHARS, '.')}+"),
    )

_OPEN = {"{": "}", "(": ")", "[": "]"}
_CHAIN = {
    "+", "-", "*", "/", "&&", "||", "|", "^", "!", "=", "!=", "<", ">", "<=", ">=", "{", "(", "[",
    ".", ";", ",",
}
_CHAIN_WORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE"}
FORMS = ("select", "ask", "construct", "describe")
UPDATE_WORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
}


class Token(NamedTuple):
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
    #: "values" or "data" after VALUES or INSERT/DELETE DATA, until their ``{``; then the depth
    #: from which the flat block is not counted.
    pending: str | None = None
    flat_from: int | None = None
    token, token_no_pname, name_run = _patterns()
    runs = name_run.finditer(text)
    run = next(runs, None)  # the first run of name characters that ends after i
    i, n = 0, len(text)
    with_pname, without_pname = token.match, token_no_pname.match
    while i < n:
        while run is not None and run.end() <= i:
            run = next(runs, None)
        # A prefixed name starts at i only with ':' or inside a run that a ':' ends.
        colon = run is not None and run.start() <= i and text.startswith(":", run.end())
        m = (with_pname if colon or text.startswith(":", i) else without_pname)(text, i)
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
        counted = flat_from is None
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
                if value == "{" and pending:
                    flat_from, counted = len(stack), False
            elif value in ("}", ")", "]") and stack and stack[-1] == value:
                stack.pop()
                if flat_from is not None and len(stack) < flat_from:
                    flat_from = None
            if counted and value in _CHAIN:
                chain += 1
        elif kind == "word":
            word = value.upper()
            if counted and word in _CHAIN_WORDS:
                chain += 1
        if pending == "values" and kind != "var" and value not in ("(", ")"):
            pending = None
        elif pending == "data":
            pending = None
        if kind == "word" and flat_from is None:
            word = value.upper()
            if word == "VALUES":
                pending = "values"
            elif word == "DATA" and out and out[-1].upper in ("INSERT", "DELETE"):
                pending = "data"
        if chain > MAX_COMPLEXITY:
            raise QueryError(
                f"the query has more than {MAX_COMPLEXITY} operators, groups, path steps and triple "
                "patterns: split it into smaller queries (a long list of values goes in a VALUES block)"
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
