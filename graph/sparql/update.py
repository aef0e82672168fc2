"""SPARQL 1.1 Update with impactkg's dataset: what an update reads and where it writes, decided
once, the same on every door.

In impactkg the default graph of a query is the union of the named graphs. An update's ``WHERE``
reads the same union: each ``DELETE/INSERT ... WHERE`` without ``USING`` or ``WITH`` gets one
``USING <g>`` per named graph (and ``USING NAMED <g>`` per named graph it may write), as the
SPARQL 1.1 Update spec's dataset rules (section 3.1.3) make that the default graph of its WHERE.
The Protocol's ``using-graph-uri`` / ``using-named-graph-uri`` give that dataset instead; they
conflict with a ``USING`` or ``WITH`` in the text (an error, HTTP 400).

Where an update writes:
- triples an ``INSERT`` or ``INSERT DATA`` puts outside any ``GRAPH`` block go to the named graph
  :data:`~impactkg.ontology.UPDATES_GRAPH` (``<https://w3id.org/impactkg/graph/updates>``), so that
  nothing inserted is invisible to the next query or update;
- a ``DELETE``, ``DELETE DATA`` or ``DELETE WHERE`` with triples outside ``GRAPH`` is refused: the
  default graph is a view of every graph, so say which: ``DELETE { GRAPH ?g { ... } } WHERE {
  GRAPH ?g { ... } }``;
- ``CLEAR``/``DROP DEFAULT``, and ``ADD``/``MOVE``/``COPY`` from or to ``DEFAULT``, are refused
  for the same reason; ``LOAD`` needs ``INTO GRAPH``;
- reserved graphs (:func:`~impactkg.ontology.is_reserved`: the ontology, sources, inferences and
  the embedded dataset) are not written, cleared or dropped, and ``CLEAR``/``DROP ALL|NAMED`` are
  refused while the store holds one, unless ``force``; a ``DELETE`` whose graph is a variable only matches the graphs it may
  write.

>>> rewrite("INSERT DATA { <http://e/a> <http://e/p> 1 }", ["http://e/g"])
'INSERT DATA { GRAPH <https://w3id.org/impactkg/graph/updates> { <http://e/a> <http://e/p> 1 } }'
>>> rewrite("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", ["http://e/g"])
'DELETE { GRAPH ?g { ?s ?p ?o } } USING <http://e/g> USING NAMED <http://e/g> WHERE { GRAPH ?g { ?s ?p ?o } }'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence

from impactkg.errors import QueryError, Refused
from impactkg.graph.sparql.text import Token, resolve, tokens
from impactkg.ontology import PREFIXES, UPDATES_GRAPH, is_reserved

_OPERATIONS = {"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}


class _Edit:
    __slots__ = ("at", "end", "text")

    def __init__(self, at: int, end: int, text: str):
        self.at, self.end, self.text = at, end, text


def _split(toks: list[Token]) -> list[list[Token]]:
    """The operations of an update: runs of tokens between ``;`` at depth 0."""
    ops: list[list[Token]] = [[]]
    depth = 0
    for tok in toks:
        if tok.kind == "punct" and tok.text in "{([":
            depth += 1
        elif tok.kind == "punct" and tok.text in "})]":
            depth -= 1
        if depth == 0 and tok.kind == "punct" and tok.text == ";":
            ops.append([])
        else:
            ops[-1].append(tok)
    return [op for op in ops if op]


def _block(op: list[Token], i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``op[i]``."""
    depth = 0
    for j in range(i, len(op)):
        t = op[j]
        if t.kind == "punct" and t.text == "{":
            depth += 1
        elif t.kind == "punct" and t.text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("invalid SPARQL update: a '{' is never closed")


def _segments(op: list[Token], open_i: int, close_i: int) -> tuple[list[tuple[int, int]], list[Token]]:
    """In the block ``op[open_i:close_i+1]``: the runs of tokens outside ``GRAPH x { }`` (as token
    index ranges) and the graph tokens of its ``GRAPH`` blocks."""
    runs: list[tuple[int, int]] = []
    graphs: list[Token] = []
    i = open_i + 1
    start = None
    while i < close_i:
        t = op[i]
        if t.upper == "GRAPH" and i + 2 < close_i and op[i + 2].text == "{":
            if start is not None:
                runs.append((start, i - 1))
                start = None
            graphs.append(op[i + 1])
            i = _block(op, i + 2) + 1
            continue
        if not (t.kind == "punct" and t.text == "." and start is None):
            start = i if start is None else start
        i += 1
    if start is not None:
        runs.append((start, close_i - 1))
    return runs, graphs


class _Op:
    """One operation of an update and what it reads and writes."""

    def __init__(self, toks: list[Token], prefixes: dict[str, str]):
        self.toks = toks
        self.prefixes = prefixes
        i = 0
        while i < len(toks) and toks[i].upper in ("PREFIX", "BASE"):
            if toks[i].upper == "PREFIX" and i + 2 < len(toks):
                prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text
                i += 3
            else:
                i += 2
        self.first = i
        self.word = toks[i].upper if i < len(toks) else ""
        if self.word not in _OPERATIONS:
            raise QueryError("not a SPARQL update: expected INSERT, DELETE, WITH, LOAD, CLEAR, DROP, CREATE, ADD, MOVE or COPY")

    def iri(self, tok: Token) -> str | None:
        return resolve(tok, self.prefixes) if tok.kind in ("iri", "pname") else None


def _check_graph(iri: str | None, what: str, force: bool) -> None:
    if iri is not None and is_reserved(iri) and not force:
        raise Refused(
            f"{what} <{iri}> is refused: it is a reserved graph of impactkg (the ontology, sources, "
            "inferences or embedded dataset); load your data into a graph of your own, or use --force"
        )


def _where(op: _Op, wi: int, graphs: Sequence[str], using: Sequence[str] | None,
           using_named: Sequence[str] | None, writable: Sequence[str]) -> _Edit:
    """The USING clauses that give the WHERE at ``op.toks[wi]`` impactkg's dataset."""
    if using is not None or using_named is not None:
        defaults, named = list(using or []), list(using_named or [])
    else:
        defaults, named = list(graphs), list(writable)
    clauses = [f"USING <{g}>" for g in defaults] + [f"USING NAMED <{g}>" for g in named]
    at = op.toks[wi].start
    return _Edit(at, at, " ".join(clauses) + " " if clauses else "")


def rewrite(
    text: str,
    graphs: Sequence[str],
    *,
    using_graph_uri: Sequence[str] | None = None,
    using_named_graph_uri: Sequence[str] | None = None,
    force: bool = False,
    allow_hosts: Iterable[str] = (),
) -> str:
    """``text`` rewritten so that the engine reads and writes impactkg's dataset (see the module).

    ``graphs`` are the store's named graphs. Raises QueryError for an update this dataset cannot
    take (with the fix in the message) and Refused for a reserved graph without ``force`` or a
    LOAD from a host not in ``allow_hosts``.
    """
    toks = tokens(text)
    explicit = using_graph_uri is not None or using_named_graph_uri is not None
    writable = [g for g in graphs if force or not is_reserved(g)]
    edits: list[_Edit] = []
    prefixes = dict(PREFIXES)
    for op_toks in _split(toks):
        op = _Op(op_toks, prefixes)
        t, i = op.toks, op.first
        word = op.word
        nxt = t[i + 1].upper if i + 1 < len(t) else ""
        if word in ("INSERT", "DELETE") and nxt == "DATA":
            open_i = i + 2
            close_i = _block(t, open_i)
            runs, gtoks = _segments(t, open_i, close_i)
            for g in gtoks:
                _check_graph(op.iri(g), f"{word} DATA into", force)
            if runs and word == "DELETE":
                raise QueryError(
                    "DELETE DATA with triples outside GRAPH: in impactkg the default graph is the union "
                    "of the named graphs, so say which graph: DELETE DATA { GRAPH <g> { ... } }"
                )
            for a, b in runs:
                edits.append(_Edit(t[a].start, t[a].start, f"GRAPH <{UPDATES_GRAPH}> {{ "))
                edits.append(_Edit(t[b].end, t[b].end, " }"))
            continue
        if word == "DELETE" and nxt == "WHERE":
            open_i = i + 2
            close_i = _block(t, open_i)
            runs, gtoks = _segments(t, open_i, close_i)
            if runs:
                raise QueryError(
                    "DELETE WHERE with triples outside GRAPH: in impactkg the default graph is the union "
                    "of the named graphs, so say which graph: DELETE { GRAPH ?g { ... } } WHERE { GRAPH ?g { ... } }"
                )
            for g in gtoks:
                _check_graph(op.iri(g), "DELETE from", force)
            if not explicit and any(g.kind == "var" for g in gtoks) and not force:
                # Rewritten as DELETE { P } USING NAMED ... WHERE { P }: ?g then matches only the
                # graphs that may be written.
                body = text[t[open_i].start : t[close_i].end]
                clauses = " ".join(f"USING NAMED <{g}>" for g in writable)
                edits.append(_Edit(t[i].start, t[close_i].end, f"DELETE {body} {clauses} WHERE {body}"))
            continue
        if word in ("INSERT", "DELETE", "WITH"):
            edits += _modify(op, graphs, writable, using_graph_uri, using_named_graph_uri, force, explicit)
            continue
        edits += _graph_management(op, force, allow_hosts, graphs)
    out = text
    for e in sorted(edits, key=lambda e: (e.at, e.end), reverse=True):
        out = out[: e.at] + e.text + out[e.end :]
    return out


def _modify(op: _Op, graphs: Sequence[str], writable: Sequence[str], using: Sequence[str] | None,
            using_named: Sequence[str] | None, force: bool, explicit: bool) -> list[_Edit]:
    t, i = op.toks, op.first
    edits: list[_Edit] = []
    with_graph = None
    if op.word == "WITH":
        with_graph = op.iri(t[i + 1])
        _check_graph(with_graph, "WITH", force)
        i += 2
    has_using = False
    where_i = None
    var_graph = False
    while i < len(t):
        word = t[i].upper
        if word in ("DELETE", "INSERT") and i + 1 < len(t) and t[i + 1].text == "{":
            close_i = _block(t, i + 1)
            runs, gtoks = _segments(t, i + 1, close_i)
            for g in gtoks:
                _check_graph(op.iri(g), f"{word} into" if word == "INSERT" else "DELETE from", force)
                var_graph = var_graph or g.kind == "var"
            if runs and with_graph is None:
                if word == "DELETE":
                    raise QueryError(
                        "DELETE with triples outside GRAPH: in impactkg the default graph is the union of "
                        "the named graphs, so say which graph: DELETE { GRAPH ?g { ... } } WHERE { GRAPH ?g { ... } }"
                    )
                for a, b in runs:
                    edits.append(_Edit(t[a].start, t[a].start, f"GRAPH <{UPDATES_GRAPH}> {{ "))
                    edits.append(_Edit(t[b].end, t[b].end, " }"))
            i = close_i + 1
            continue
        if word == "USING":
            has_using = True
            named = i + 1 < len(t) and t[i + 1].upper == "NAMED"
            target = t[i + 2] if named else t[i + 1]
            if named and var_graph:
                _check_graph(op.iri(target), "USING NAMED (with a template GRAPH ?g)", force)
        if word == "WHERE":
            where_i = i
            break
        i += 1
    if where_i is None:
        raise QueryError("invalid SPARQL update: DELETE/INSERT needs a WHERE clause")
    if explicit and (has_using or with_graph is not None):
        raise QueryError(
            "the request gives using-graph-uri or using-named-graph-uri and the update has its own "
            "USING or WITH: give the dataset one way only"
        )
    if not has_using and with_graph is None:
        # A template whose graph is a variable may only reach the graphs it may write.
        reach = writable if var_graph else graphs
        edits.append(_where(op, where_i, graphs, using, using_named, reach))
    return edits


def _graph_management(op: _Op, force: bool, allow_hosts: Iterable[str], graphs: Sequence[str]) -> list[_Edit]:
    t, i, word = op.toks, op.first, op.word
    j = i + 1
    if j < len(t) and t[j].upper == "SILENT":
        j += 1
    rest = t[j:]
    if word == "LOAD":
        source = op.iri(rest[0]) if rest else None
        host = urllib.parse.urlsplit(source or "").hostname
        if host is None or host.lower() not in {h.lower() for h in allow_hosts}:
            raise Refused(
                f"LOAD <{source}> is refused: remote data, and its host {host or '(none)'} is not on the "
                "allow-list (--allow-service HOST)"
            )
        if len(rest) < 4 or rest[1].upper != "INTO":
            raise QueryError("LOAD without INTO GRAPH: in impactkg the default graph is the union of the "
                             "named graphs; load into a graph: LOAD <iri> INTO GRAPH <g>")
        _check_graph(op.iri(rest[3]), "LOAD INTO", force)
        return []
    if word in ("CLEAR", "DROP", "CREATE"):
        target = rest[0].upper if rest else ""
        if target == "DEFAULT":
            raise QueryError(f"{word} DEFAULT: in impactkg the default graph is the union of the named graphs; "
                             f"{word} GRAPH <g> names one")
        reserved = [g for g in graphs if is_reserved(g)]
        if target in ("ALL", "NAMED") and reserved and not force:
            raise Refused(f"{word} {target} is refused: it would remove the reserved graphs of impactkg "
                          f"(<{reserved[0]}> and {len(reserved) - 1} more: the ontology, sources, embedded "
                          "dataset); name your graphs, or use --force")
        if target == "GRAPH" and word != "CREATE" and len(rest) > 1:
            _check_graph(op.iri(rest[1]), word, force)
        return []
    # ADD, MOVE, COPY: [GRAPH] x TO [GRAPH] y
    if any(tok.upper == "DEFAULT" for tok in rest):
        raise QueryError(f"{word} with DEFAULT: in impactkg the default graph is the union of the named graphs; "
                         "name the graphs")
    names = [tok for tok in rest if tok.kind in ("iri", "pname")]
    if len(names) == 2:
        _check_graph(op.iri(names[1]), f"{word} to", force)
        if word == "MOVE":
            _check_graph(op.iri(names[0]), "MOVE from", force)
    return []
