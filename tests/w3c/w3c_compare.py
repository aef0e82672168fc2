"""Does an actual result match the expected one? The W3C rules for SPARQL 1.1 test results:

- solutions are multisets (the same variables, the same rows as often), with blank nodes equal up
  to one consistent renaming (a real isomorphism search, bounded for safety);
- row order counts only when the query has ORDER BY, and then as the sequence of the ORDER BY
  keys' values (rows with equal keys may come in any order);
- literals are equal when their lexical form, datatype and language are (language tags compared
  in lower case, RDF 1.1 Concepts 3.3); in TSV a number written bare (``1.0e6``) equals the same
  value of the same datatype, and CSV, which keeps only text, compares text (numbers by value);
- graphs (CONSTRUCT/DESCRIBE) by isomorphism (rdflib.compare), with exact literals.

:func:`mismatch` returns ``None`` when the results match, else a one-line reason.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import rdflib
from rdflib.compare import isomorphic

from .w3c_results import XSD, Boolean, Graph, Result, Solutions, Term

NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float")}
#: Isomorphism search steps before giving up (a mismatch: no W3C result comes near it).
SEARCH_LIMIT = 200_000


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _canon(term: Term, mode: str) -> Term:
    """The form a term is compared in: exact, TSV (numbers by value) or CSV (text)."""
    if mode == "csv":
        if term[0] == "bnode":
            return term
        text = term[1]
        if term[0] == "csv" and text.startswith("_:"):
            return ("bnode", text[2:])
        number = _number(text)
        return ("number", number) if number is not None else ("text", text)
    if mode == "tsv" and term[0] == "literal" and term[2] in NUMERIC:
        number = _number(term[1])
        if number is not None:
            return ("number", term[2], number)
    return term


def _row(row: dict[str, Term], variables: list[str], mode: str) -> tuple:
    out = tuple(_canon(row[v], mode) if v in row else None for v in variables)
    if mode == "csv":  # CSV writes an unbound variable and an empty string alike
        out = tuple(None if t == ("text", "") else t for t in out)
    return out


def _bnodes(row: tuple) -> list[str]:
    return [t[1] for t in row if t is not None and t[0] == "bnode"]


def _shape(row: tuple) -> tuple:
    return tuple(("bnode",) if t is not None and t[0] == "bnode" else t for t in row)


def match_rows(actual: list[tuple], expected: list[tuple]) -> dict[str, str] | None | str:
    """A renaming of blank nodes (actual label -> expected label) under which the two lists of
    rows are the same multiset; None if there is none, "limit" if the search gave up."""
    if len(actual) != len(expected):
        return None
    plain_a = Counter(r for r in actual if not _bnodes(r))
    plain_e = Counter(r for r in expected if not _bnodes(r))
    if plain_a != plain_e:
        return None
    rows_a = [r for r in actual if _bnodes(r)]
    rows_e = [r for r in expected if _bnodes(r)]
    if Counter(map(_shape, rows_a)) != Counter(map(_shape, rows_e)):
        return None
    by_shape: dict[tuple, list[int]] = {}
    for j, r in enumerate(rows_e):
        by_shape.setdefault(_shape(r), []).append(j)
    order = sorted(range(len(rows_a)), key=lambda i: len(by_shape[_shape(rows_a[i])]))
    used = [False] * len(rows_e)
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    steps = 0

    def extend(ra: tuple, re_: tuple) -> list[str] | None:
        added = []
        for x, y in zip(_bnodes(ra), _bnodes(re_), strict=True):
            if x in forward:
                if forward[x] != y:
                    break
            elif y in backward:
                break
            else:
                forward[x], backward[y] = y, x
                added.append(x)
                continue
        else:
            return added
        for x in added:
            del backward[forward.pop(x)]
        return None

    def search(k: int) -> bool | str:
        nonlocal steps
        if k == len(order):
            return True
        ra = rows_a[order[k]]
        for j in by_shape[_shape(ra)]:
            if used[j]:
                continue
            steps += 1
            if steps > SEARCH_LIMIT:
                return "limit"
            added = extend(ra, rows_e[j])
            if added is None:
                continue
            used[j] = True
            found = search(k + 1)
            if found:
                return found
            used[j] = False
            for x in added:
                del backward[forward.pop(x)]
        return False

    found = search(0)
    if found == "limit":
        return "limit"
    return dict(forward) if found else None


def _mode(a: Result, e: Result) -> str:
    modes = {getattr(a, "lossy", None), getattr(e, "lossy", None)}
    return "csv" if "csv" in modes else "tsv" if "tsv" in modes else "exact"


def mismatch(actual: Result, expected: Result, order: list[tuple[str, bool]] | None = None) -> str | None:
    """None if ``actual`` matches ``expected`` by the rules above, else why not.

    ``order``: the ORDER BY keys of the query (:func:`w3c_query_text.order_keys`), or None.
    """
    if type(actual) is not type(expected):
        return f"expected a {type(expected).__name__} result, got a {type(actual).__name__}"
    if isinstance(actual, Boolean):
        assert isinstance(expected, Boolean)
        return None if actual.value == expected.value else f"expected {expected.value}, got {actual.value}"
    if isinstance(actual, Graph):
        assert isinstance(expected, Graph)
        return _graph_mismatch(actual, expected)
    assert isinstance(actual, Solutions) and isinstance(expected, Solutions)
    if set(actual.variables) != set(expected.variables):
        return f"variables {sorted(actual.variables)} instead of {sorted(expected.variables)}"
    mode = _mode(actual, expected)
    variables = sorted(expected.variables)
    rows_a = [_row(r, variables, mode) for r in actual.rows]
    rows_e = [_row(r, variables, mode) for r in expected.rows]
    found = match_rows(rows_a, rows_e)
    if found == "limit":
        return f"blank node isomorphism search gave up after {SEARCH_LIMIT} steps"
    if found is None:
        return _describe(rows_a, rows_e, variables)
    assert isinstance(found, dict)
    if order and expected.ordered:
        keys = [variables.index(v) for v, _ in order if v in variables]
        rename = found

        def key(row: tuple, mapping: dict[str, str] | None) -> tuple:
            out = []
            for i in keys:
                t = row[i]
                if mapping is not None and t is not None and t[0] == "bnode":
                    t = ("bnode", mapping[t[1]])
                out.append(t)
            return tuple(out)

        seq_a = [key(r, rename) for r in rows_a]
        seq_e = [key(r, None) for r in rows_e]
        if seq_a != seq_e:
            first = next(i for i, (x, y) in enumerate(zip(seq_a, seq_e, strict=True)) if x != y)
            return f"ORDER BY order differs at row {first + 1}: {seq_a[first]} instead of {seq_e[first]}"
    return None


def _describe(rows_a: list[tuple], rows_e: list[tuple], variables: list[str]) -> str:
    # Rows are told apart by their shape (blank node labels aside): a row that only differs by
    # its labels is not a difference worth showing.
    by_shape_a = Counter(map(_shape, rows_a))
    by_shape_e = Counter(map(_shape, rows_e))
    extra = by_shape_a - by_shape_e
    missing = by_shape_e - by_shape_a

    def show(rows: Counter) -> str:
        items = list(rows.elements())[:3]
        return "; ".join(
            ", ".join(f"?{v}={_show(t)}" for v, t in zip(variables, r, strict=True) if t is not None) or "{}"
            for r in items
        ) + (" ..." if sum(rows.values()) > 3 else "")

    parts = [f"{len(rows_a)} rows instead of {len(rows_e)}"]
    if missing:
        parts.append(f"missing {show(missing)}")
    if extra:
        parts.append(f"unexpected {show(extra)}")
    if not missing and not extra:
        parts.append("no consistent renaming of blank nodes")
    return "; ".join(parts)


def _show(t: Term) -> str:
    if t[0] == "uri":
        return f"<{t[1]}>"
    if t[0] == "bnode":
        return f"_:{t[1]}" if len(t) > 1 else "_:*"
    if t[0] == "number":
        return f"{t[-1]} (as a number{' ' + t[1].rsplit('#', 1)[-1] if len(t) == 3 else ''})"
    if t[0] == "text":
        return repr(t[1])
    if t[0] == "literal":
        suffix = f"@{t[3]}" if t[3] else ("" if t[2] == XSD + "string" else f"^^<{t[2]}>")
        return f'"{t[1]}"{suffix}'
    return repr(t[1:])


def to_rdflib(t: Term) -> rdflib.term.Identifier:
    """A term as an rdflib term that keeps its exact lexical form (``normalize=False``)."""
    if t[0] == "uri":
        return rdflib.URIRef(t[1])
    if t[0] == "bnode":
        return rdflib.BNode(t[1])
    if t[0] == "literal":
        if t[3]:
            return rdflib.Literal(t[1], lang=t[3], normalize=False)
        return rdflib.Literal(t[1], datatype=rdflib.URIRef(t[2]), normalize=False)
    raise ValueError(f"no rdflib form for {t!r}")


def _graph_mismatch(actual: Graph, expected: Graph) -> str | None:
    ga, ge = rdflib.Graph(), rdflib.Graph()
    for g, triples in ((ga, actual.triples), (ge, expected.triples)):
        for s, p, o in triples:
            g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    if isomorphic(ga, ge):
        return None
    ground_a = {t for t in actual.triples if not any(x[0] == "bnode" for x in t)}
    ground_e = {t for t in expected.triples if not any(x[0] == "bnode" for x in t)}
    missing = sorted(ground_e - ground_a)[:2]
    extra = sorted(ground_a - ground_e)[:2]
    return (f"graphs not isomorphic: {len(actual.triples)} triples instead of {len(expected.triples)}"
            + (f"; missing {[' '.join(map(_show, t)) for t in missing]}" if missing else "")
            + (f"; unexpected {[' '.join(map(_show, t)) for t in extra]}" if extra else ""))
