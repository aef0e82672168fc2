"""The one result type of every query, whatever the back end and whatever the door (Python, CLI,
HTTP): exact pyoxigraph terms inside, views for people and for pandas outside.

A :class:`QueryResult` holds what the engine answered, unchanged: the rows of a SELECT as tuples
of pyoxigraph terms (``terms``; ``None`` for an unbound variable), the boolean of an ASK, or the
triples of a CONSTRUCT/DESCRIBE. :meth:`QueryResult.serialize` writes them in the W3C result
formats (SPARQL 1.1 Query Results JSON, XML, CSV and TSV) or as RDF, byte-identical on every door.
Iterating gives :class:`Row` mappings of rdflib terms (an exact view built on demand); plain
Python values (:meth:`QueryResult.dicts`, :meth:`QueryResult.to_dataframe`) are a lossy view,
said so where they are offered.

>>> import pyoxigraph as ox
>>> r = QueryResult("select", ["x"], [(ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),)])
>>> [row["x"].toPython() for row in r]
[1]
>>> r.serialize("csv")
b'x\\r\\n1\\r\\n'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Identifier

from impactkg.graph.sparql.terms import XSD, OxTerm, display, to_ox, to_rdflib

_INTEGERS = {
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {XSD + "double", XSD + "float"}
KINDS = ("select", "ask", "graph")


if TYPE_CHECKING:
    _RowBase = Mapping[str, Identifier | None]
else:  # rdflib is imported only when a row is read as rdflib terms
    _RowBase = Mapping[str, Any]


class Row(_RowBase):
    """One solution: a read-only mapping from variable name to rdflib term (``None`` when unbound).

    ``row.term(name)`` gives the exact pyoxigraph term instead.
    """

    __slots__ = ("_result", "_values")

    def __init__(self, result: QueryResult, values: tuple[OxTerm | None, ...]):
        self._result = result
        self._values = values

    def __getitem__(self, key: str) -> Identifier | None:
        return self._result._rdflib(self.term(key))

    def term(self, key: str) -> OxTerm | None:
        """The pyoxigraph term bound to ``key`` (exact), or None."""
        try:
            return self._values[self._result._index[key]]
        except KeyError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.variables)

    def __len__(self) -> int:
        return len(self._result.variables)

    def __getattr__(self, key: str) -> Identifier | None:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def values_python(self, exact: bool = False) -> dict[str, Any]:
        """The row as a dict of plain Python values; see :func:`python_value` (lossy unless
        ``exact``)."""
        return {
            k: python_value(v, exact) for k, v in zip(self._result.variables, self._values, strict=True)
        }

    def __repr__(self) -> str:
        return f"Row({self.values_python()!r})"


def python_value(term: OxTerm | Identifier | None, exact: bool = False) -> Any:
    """A term as a plain Python value.

    The default view is for computing and is lossy: an ``xsd:decimal`` is a
    :class:`~decimal.Decimal`, integers an ``int``, ``xsd:double``/``xsd:float`` a ``float``,
    ``xsd:boolean`` a ``bool``, ``xsd:date``/``xsd:dateTime`` a ``datetime.date``/
    ``datetime.datetime`` (a date's time zone is dropped), other literals and IRIs their text
    (language tags and datatypes are dropped). With ``exact=True`` nothing is lost that text can
    keep: a decimal is a ``Decimal`` with its digits, an integer an ``int`` only when its lexical
    form is canonical, everything else its lexical form as ``str``.

    >>> python_value(ox.Literal("2024-01-01Z", datatype=ox.NamedNode(XSD + "date")))
    datetime.date(2024, 1, 1)
    >>> python_value(ox.Literal("2024-01-01Z", datatype=ox.NamedNode(XSD + "date")), exact=True)
    '2024-01-01Z'
    """
    import datetime
    from decimal import Decimal, InvalidOperation

    term = to_ox(term)
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    if not isinstance(term, ox.Literal):
        return term.value
    value = term.value
    dt = term.datatype.value if not term.language else ""
    try:
        if dt == XSD + "decimal":
            return Decimal(value)
        if dt in _INTEGERS:
            number = int(value)
            return number if not exact or str(number) == value else value
        if exact:
            return value
        if dt in _FLOATS:
            return float(value)
        if dt == XSD + "boolean" and value in ("true", "false", "1", "0"):
            return value in ("true", "1")
        if dt == XSD + "date":
            return datetime.date.fromisoformat(value[:10])
        if dt == XSD + "dateTime":
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return value
    return value


class QueryResult:
    """The result of a SELECT (rows), ASK (boolean) or CONSTRUCT/DESCRIBE (triples) query.

    ``kind`` is ``select``, ``ask`` or ``graph``; ``terms`` the rows as tuples of pyoxigraph
    terms (None where unbound), in the order of ``variables``; ``graph_triples`` the triples of a
    graph result. ``rows`` and ``triples`` give the same as rdflib terms (built on demand).
    Terms given as rdflib terms are converted exactly.
    """

    def __init__(
        self,
        kind: str,
        variables: Sequence[str] | None = None,
        rows: Iterable[Sequence[Any]] | None = None,
        boolean: bool | None = None,
        triples: Iterable[Any] | None = None,
        *,
        title: str = "",
    ):
        kind = "graph" if kind in ("construct", "describe") else kind
        if kind not in KINDS:
            raise ValueError(f"unknown result kind {kind!r} (one of {', '.join(KINDS)})")
        self.kind = kind
        self.variables = list(variables or [])
        self.terms: list[tuple[OxTerm | None, ...]] = [tuple(map(to_ox, row)) for row in rows or []]
        self.boolean = None if boolean is None else bool(boolean)
        self.graph_triples: list[ox.Triple] = [_triple(t) for t in triples or []]
        #: What was asked, for captions (a named query's ja | en title).
        self.title = title
        #: What the door has to say about the answer (e.g. a graph of the dataset it lacks).
        self.warnings: list[str] = []
        self._index = {v: i for i, v in enumerate(self.variables)}
        self._cache: dict[OxTerm, Identifier | None] = {}

    @classmethod
    def of_terms(
        cls, kind: str, variables: list[str], terms: list[tuple[OxTerm | None, ...]]
    ) -> QueryResult:
        """A SELECT result from rows that are already pyoxigraph terms (no conversion)."""
        result = cls(kind, variables)
        result.terms = terms
        return result

    # ------------------------------------------------------------ views
    def _rdflib(self, term: OxTerm | None) -> Identifier | None:
        if term is None:
            return None
        found = self._cache.get(term)
        if found is None:
            found = self._cache[term] = to_rdflib(term)
        return found

    @property
    def rows(self) -> list[tuple[Identifier | None, ...]]:
        """The rows as tuples of rdflib terms (an exact view)."""
        convert = self._rdflib
        return [tuple(map(convert, row)) for row in self.terms]

    @property
    def triples(self) -> list[tuple[Identifier, Identifier, Identifier]]:
        """The triples of a graph result as rdflib terms (an exact view)."""
        convert = self._rdflib
        return [
            (convert(t.subject), convert(t.predicate), convert(t.object))  # type: ignore[misc]
            for t in self.graph_triples
        ]

    def __iter__(self) -> Iterator[Row]:
        for values in self.terms:
            yield Row(self, values)

    def __len__(self) -> int:
        return len(self.terms) if self.kind == "select" else len(self.graph_triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"QueryResult(ask: {str(self.boolean).lower()})"
        what = "rows" if self.kind == "select" else "triples"
        return f"QueryResult({self.kind}: {len(self)} {what}{', ' + ', '.join(self.variables) if self.variables else ''})"

    def dicts(self, exact: bool = False) -> list[dict[str, Any]]:
        """Every row as a dict of plain Python values (lossy unless ``exact``; see
        :func:`python_value`)."""
        names = self.variables
        return [{k: python_value(v, exact) for k, v in zip(names, row, strict=True)} for row in self.terms]

    def column(self, name: str, exact: bool = False) -> list[Any]:
        """One column as plain Python values (see :func:`python_value`)."""
        i = self._index[name]
        return [python_value(row[i], exact) for row in self.terms]

    def to_dataframe(self, exact: bool = False):  # -> pandas.DataFrame
        """The rows as a pandas DataFrame (needs ``pip install impactkg[pandas]``).

        A lossy view by default: numbers as numbers (integer columns ``Int64``, decimals and
        doubles ``float64``: a ``Decimal`` becomes the nearest float), ``xsd:date``/
        ``xsd:dateTime`` columns as datetimes, booleans as booleans, everything else as text.
        ``exact=True`` keeps ``Decimal`` values and lexical forms (object columns). A CONSTRUCT result gives subject, predicate, object columns of
        N-Triples terms.
        """
        import datetime
        from decimal import Decimal

        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install 'impactkg[pandas]'") from exc
        if self.kind == "ask":
            return pd.DataFrame({"boolean": [bool(self.boolean)]})
        if self.kind == "graph":
            return pd.DataFrame(
                [(str(t.subject), str(t.predicate), str(t.object)) for t in self.graph_triples],
                columns=["subject", "predicate", "object"],
            )
        # Built from the Python values as they are (object columns), so that a column is typed by
        # its values, not by what pandas makes of an unbound cell (an int column with a gap is
        # Int64, not float64).
        frame = pd.DataFrame(self.dicts(exact), columns=self.variables, dtype=object)
        if exact:
            return frame
        for name in self.variables:
            values = [v for v in frame[name] if v is not None and v == v]
            if not values:
                continue
            if all(isinstance(v, bool) for v in values):
                frame[name] = frame[name].astype("boolean")
            elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                frame[name] = frame[name].astype("Int64")
            elif all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values):
                frame[name] = pd.to_numeric(frame[name].map(lambda v: v if v is None else float(v)))
            elif all(isinstance(v, datetime.date) for v in values):
                frame[name] = pd.to_datetime(frame[name], utc=any(
                    isinstance(v, datetime.datetime) and v.tzinfo is not None for v in values))
        return frame

    def to_graph(self) -> rdflib.Graph:
        """The triples of a CONSTRUCT/DESCRIBE result as an rdflib Graph."""
        import rdflib

        g = rdflib.Graph()
        for t in self.triples:
            g.add(t)
        return g

    def serialize(self, fmt: str) -> bytes:
        """The result in the format ``fmt``: for SELECT/ASK ``json``, ``xml``, ``csv``, ``tsv``
        (the W3C SPARQL 1.1 Query Results formats); for CONSTRUCT/DESCRIBE ``ttl``, ``nt``,
        ``jsonld``, ``rdfxml``. Raises QueryError for a format the result kind has not, or for a
        value the format cannot carry (a control character in XML), naming it.
        """
        from impactkg.graph.sparql.formats import serialize

        return serialize(self, fmt)

    def _repr_html_(self) -> str:
        """A compact HTML table for notebooks: prefixed names, language tags, at most 50 rows."""
        import html

        esc = html.escape
        caption = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        if self.kind == "ask":
            return f"<table>{caption}<tr><th>ASK</th></tr><tr><td>{str(self.boolean).lower()}</td></tr></table>"
        body: list[tuple[Any, ...]]
        if self.kind == "graph":
            head = ["subject", "predicate", "object"]
            body = [(t.subject, t.predicate, t.object) for t in self.graph_triples]
        else:
            head, body = self.variables, list(self.terms)
        shown = body[:50]

        def cell(term: Any) -> str:
            if isinstance(term, ox.Literal) and term.language:
                return f'{esc(display(term))} <sub lang="en">@{esc(term.language)}</sub>'
            return esc(display(term))

        rows = "".join("<tr>" + "".join(f"<td>{cell(t)}</td>" for t in r) + "</tr>" for r in shown)
        more = f"<p>{len(body)} rows; the first 50 are shown.</p>" if len(body) > 50 else ""
        header = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
        return f"<table>{caption}{header}{rows}</table>{more}"


def _triple(t: Any) -> ox.Triple:
    if isinstance(t, ox.Triple):
        return t
    s, p, o = (to_ox(x) for x in t)
    if s is None or not isinstance(p, ox.NamedNode) or o is None or isinstance(s, ox.Literal):
        raise TypeError(f"not a triple: {t!r}")
    return ox.Triple(s, p, o)
