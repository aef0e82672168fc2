"""What a query may read: its form, its remote references and its dataset, decided once for every
door (SPARQL 1.1 Query section 13, Protocol section 2.1.4).

- With no ``FROM`` in the text and no ``default_graph_uri``/``named_graph_uri``, the default graph
  is the union of the named graphs.
- ``FROM``/``FROM NAMED`` give the query's own dataset.
- ``default_graph_uri``/``named_graph_uri`` (the Protocol's ``default-graph-uri``/
  ``named-graph-uri``), when given, define it and take precedence.
- A graph of the dataset that the store does not hold is an empty graph (the spec), said in the
  request's ``warnings``, never silent.
- ``SERVICE`` reaches only hosts on the allow-list (Refused otherwise).

>>> req = request("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }", graphs=lambda: ["http://e/g"])
>>> (req.union, req.warnings)
(False, [])
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from impactkg.errors import QueryError, Refused
from impactkg.graph.backends import QueryRequest
from impactkg.graph.sparql.terms import to_ox
from impactkg.graph.sparql.text import _targets, form_of, prologue, tokens
from impactkg.ontology import PREFIXES

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def iris(value: str | Sequence[str] | None, what: str) -> list[str] | None:
    """``value`` (one IRI or several) as a list, each checked to be an absolute IRI
    (QueryError naming ``what`` otherwise); None stays None."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    for iri in items:
        if not isinstance(iri, str) or not urllib.parse.urlsplit(iri).scheme or any(c in iri for c in ' <>"{}|^`\\'):
            raise QueryError(f"{what}: not an absolute IRI: {iri!r}")
    return items


def check_remote(keyword: str, iri: str | None, allow_hosts: Iterable[str]) -> None:
    """Refused unless ``iri``'s host is on ``allow_hosts`` (lower case)."""
    if iri is None:
        raise Refused(f"{keyword} with a variable is refused: name the service")
    host = urllib.parse.urlsplit(iri).hostname
    if host is None or host.lower() not in set(allow_hosts):
        raise Refused(
            f"{keyword} <{iri}> is refused: remote data, and its host {host or '(none)'} is not on "
            "the allow-list (--allow-service HOST, or allow_hosts=)"
        )


def unknown_graphs(names: list[str], held: Callable[[], list[str]], what: str) -> list[str]:
    """Warnings for the graphs of ``names`` that the store does not hold (they count as empty)."""
    if not names:
        return []
    have = set(held())
    return [
        f"{what} <{g}> is not a graph of this store: it counts as an empty graph "
        "(impactkg does not fetch graphs from elsewhere; 'impactkg info' lists the graphs)"
        for g in dict.fromkeys(names) if g not in have
    ]


def request(
    text: str,
    bindings: Mapping[str, Any] | None = None,
    *,
    graphs: Callable[[], list[str]],
    allow_hosts: Iterable[str] = (),
    default_graph_uri: str | Sequence[str] | None = None,
    named_graph_uri: str | Sequence[str] | None = None,
    base_iri: str | None = None,
    timeout: float | None = None,
    max_results: int | None = None,
) -> QueryRequest:
    """The checked :class:`~impactkg.graph.backends.QueryRequest` for query ``text`` (see the
    module); ``graphs()`` lists the store's named graphs. Raises QueryError (invalid text, an
    update, a bad dataset IRI) or Refused (remote data)."""
    toks = tokens(text)
    if form_of(toks) == "update":
        raise QueryError("this is an update, not a query: run it with update (impactkg update, kg.update)")
    declared, _, _ = prologue(toks)
    known = {**PREFIXES, **declared}
    checked = [toks]
    if "\\u" in text or "\\U" in text:
        # SPARQL allows \uXXXX escapes anywhere in the text: look at it decoded too.
        try:
            checked.append(tokens(_CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)))
        except QueryError:
            pass
    allowed = {h.lower() for h in allow_hosts}
    for each in checked:
        for keyword, iri in _targets(each, ("SERVICE",), known):
            check_remote(keyword, iri, allowed)
    defaults = iris(default_graph_uri, "default-graph-uri")
    named = iris(named_graph_uri, "named-graph-uri")
    explicit = defaults is not None or named is not None
    if explicit:
        warnings = unknown_graphs([*(defaults or []), *(named or [])], graphs, "the dataset's graph")
        union = True
    else:
        clauses = _targets(toks, ("FROM",), known)
        union = not clauses
        warnings = unknown_graphs([iri for _, iri in clauses if iri], graphs, "FROM")
    return QueryRequest(
        text,
        {k: to_ox(v) for k, v in (bindings or {}).items()},  # type: ignore[misc]
        default_graphs=defaults if explicit else None,
        named_graphs=named if explicit else None,
        union=union,
        base_iri=base_iri,
        max_results=max_results,
        timeout=timeout,
        warnings=warnings,
    )
