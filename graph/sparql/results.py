"""Query results in one shape whatever the back end: rows usable as dicts, a DataFrame on demand.

>>> r = QueryResult(kind="select", variables=["x"], rows=[(rdflib.Literal(1),)])
>>> [row["x"].toPython() for row in r]
[1]
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib.term import Identifier

from impactkg.errors import QueryError


class Row(Mapping[str, Identifier | None]):
    """One solution: a read-only mapping from variable name to rdflib term (or ``None``)."""

    __slots__ = ("_vars", "_values")

    def __init__(self, variables: list[str], values: tuple[Identifier | None, ...]):
        self._vars = variables
        self._values = values

    def __getitem__(self, key: str) -> Identifier | None:
        try:
            return self._values[self._vars.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._vars)

    def __len__(self) -> int:
        return len(self._vars)

    def __getattr__(self, key: str) -> Identifier | None:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def values_python(self) -> dict[str, Any]:
        """The row as a plain dict of Python values (``str``, ``int``, ``Decimal``, ...)."""
        return {k: _python(v) for k, v in zip(self._vars, self._values, strict=True)}

    def __repr__(self) -> str:
        return f"Row({self.values_python()!r})"


def _python(term: Identifier | None) -> Any:
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        value = term.toPython()
        return value if not isinstance(value, rdflib.Literal) else str(value)
    return str(term)


@dataclass
class QueryResult:
    """The result of a SELECT (rows), ASK (boolean) or CONSTRUCT/DESCRIBE (triples) query."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Identifier, Identifier, Identifier]] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        for values in self.rows:
            yield Row(self.variables, values)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def dicts(self) -> list[dict[str, Any]]:
        """Every row as a plain dict of Python values."""
        return [row.values_python() for row in self]

    def column(self, name: str) -> list[Any]:
        """One column as Python values."""
        i = self.variables.index(name)
        return [_python(values[i]) for values in self.rows]

    def to_dataframe(self):  # -> pandas.DataFrame
        """The rows as a pandas DataFrame (needs ``pip install impactkg[pandas]``)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_dataframe() needs pandas: pip install 'impactkg[pandas]'"
            ) from exc
        if self.kind != "select":
            return pd.DataFrame(
                [tuple(str(t) for t in triple) for triple in self.triples],
                columns=["subject", "predicate", "object"],
            )
        return pd.DataFrame(self.dicts(), columns=self.variables)

    def to_graph(self) -> rdflib.Graph:
        """The triples of a CONSTRUCT/DESCRIBE result as an rdflib Graph."""
        g = rdflib.Graph()
        for t in self.triples:
            g.add(t)
        return g

    # ------------------------------------------------------------ serialisations
    def to_csv(self, delimiter: str = ",") -> str:
        out = io.StringIO()
        if self.kind == "ask":
            out.write(f"{str(self.boolean).lower()}\n")
            return out.getvalue()
        if self.kind != "select":
            raise QueryError("CSV/TSV output is for SELECT and ASK queries; use --format ttl")
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.variables)
        for values in self.rows:
            writer.writerow(["" if v is None else str(v) for v in values])
        return out.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)})
        if self.kind != "select":
            raise QueryError("JSON results are for SELECT and ASK queries; use --format ttl")
        bindings = []
        for values in self.rows:
            b = {}
            for var, term in zip(self.variables, values, strict=True):
                if term is not None:
                    b[var] = _json_term(term)
            bindings.append(b)
        doc = {"head": {"vars": self.variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1)

    def to_turtle(self) -> str:
        from impactkg.ontology import PREFIXES

        g = self.to_graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        return g.serialize(format="turtle")


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, rdflib.URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, rdflib.BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out
