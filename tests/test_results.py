"""The one result type (graph/sparql/results.py): the exact terms the engine answered, and the
views built on them, each checked value by value: rdflib rows, plain Python values (lossy and
exact), pandas frames, the notebook table, and what a result says about itself."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import pyoxigraph as ox
import pytest
import rdflib

from impactkg.graph.sparql.results import QueryResult, python_value

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(value: str, dt: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + dt)) if dt else ox.Literal(value)


@pytest.mark.parametrize(
    "term,lossy,exact",
    [
        (lit("1.50", "decimal"), Decimal("1.50"), Decimal("1.50")),
        (lit("007", "integer"), 7, "007"),
        (lit("7", "integer"), 7, 7),
        (lit("-3", "nonPositiveInteger"), -3, -3),
        (lit("255", "unsignedByte"), 255, 255),
        (lit("1E3", "double"), 1000.0, "1E3"),
        (lit("0.5", "float"), 0.5, "0.5"),
        (lit("true", "boolean"), True, "true"),
        (lit("0", "boolean"), False, "0"),
        (lit("1", "boolean"), True, "1"),
        (lit("maybe", "boolean"), "maybe", "maybe"),
        (lit("2024-01-31Z", "date"), datetime.date(2024, 1, 31), "2024-01-31Z"),
        (lit("2024-01-31T10:00:00Z", "dateTime"),
         datetime.datetime(2024, 1, 31, 10, tzinfo=datetime.UTC), "2024-01-31T10:00:00Z"),
        (lit("not a number", "integer"), "not a number", "not a number"),
        (lit("1,5", "decimal"), "1,5", "1,5"),
        (lit("12", lang="ja"), "12", "12"),
        (lit("12"), "12", "12"),
        (ox.NamedNode("https://e/x"), "https://e/x", "https://e/x"),
        (ox.BlankNode("b1"), "_:b1", "_:b1"),
        (None, None, None),
    ],
)
def test_python_values_lossy_and_exact(term, lossy, exact):
    got, got_exact = python_value(term), python_value(term, exact=True)
    assert (got, type(got)) == (lossy, type(lossy))
    assert (got_exact, type(got_exact)) == (exact, type(exact))


def test_a_quoted_triple_is_kept_and_shown_as_its_n_triples_text():
    """A triple term (RDF 1.2) answered by a SELECT: plain values give its N-Triples text, and
    the result keeps it (it was a TypeError traceback from every view)."""
    from impactkg import KnowledgeGraph

    t = ox.Triple(ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p"), lit("o"))
    assert python_value(t) == python_value(t, exact=True) == str(t) == '<https://e/s> <https://e/p> "o"'
    r = KnowledgeGraph.memory().sparql('SELECT ?t WHERE { BIND(<<( <https://e/s> <https://e/p> "o" )>> AS ?t) }')
    assert r.terms == [(t,)] and QueryResult("select", ["t"], [(t,)]).terms == [(t,)]
    assert r.dicts() == [{"t": str(t)}]
    assert "<td>&lt;&lt; &lt;https://e/s&gt; &lt;https://e/p&gt; o &gt;&gt;</td>" in r._repr_html_()


@pytest.fixture
def result() -> QueryResult:
    return QueryResult("select", ["unit", "n", "qudt"], [
        (lit("分", lang="ja"), lit("3", "integer"), None),
        (lit("人", lang="ja"), lit("7", "integer"), ox.NamedNode("http://qudt.org/vocab/unit/NUM")),
    ], title="単位 | Units")


def test_rows_are_exact_terms_and_rdflib_views(result):
    assert result.terms[0] == (lit("分", lang="ja"), lit("3", "integer"), None)
    assert result.rows[1] == (rdflib.Literal("人", lang="ja"), rdflib.Literal("7", datatype=rdflib.XSD.integer),
                              rdflib.URIRef("http://qudt.org/vocab/unit/NUM"))
    first, second = list(result)
    assert first["unit"] == rdflib.Literal("分", lang="ja") and first["qudt"] is None
    assert first.n == rdflib.Literal("3", datatype=rdflib.XSD.integer)
    assert second.term("qudt") == ox.NamedNode("http://qudt.org/vocab/unit/NUM")
    assert list(first) == ["unit", "n", "qudt"] and len(first) == 3
    assert dict(first) == {"unit": rdflib.Literal("分", lang="ja"),
                           "n": rdflib.Literal("3", datatype=rdflib.XSD.integer), "qudt": None}
    with pytest.raises(KeyError):
        first["nope"]
    with pytest.raises(AttributeError):
        _ = first.nope
    assert first.values_python() == {"unit": "分", "n": 3, "qudt": None}
    assert repr(first) == "Row({'unit': '分', 'n': 3, 'qudt': None})"


def test_plain_values_columns_and_frames(result):
    assert result.dicts() == [{"unit": "分", "n": 3, "qudt": None},
                              {"unit": "人", "n": 7, "qudt": "http://qudt.org/vocab/unit/NUM"}]
    assert result.column("n") == [3, 7]
    assert result.column("qudt", exact=True) == [None, "http://qudt.org/vocab/unit/NUM"]
    frame = result.to_dataframe()
    assert list(frame.columns) == ["unit", "n", "qudt"]
    assert str(frame["n"].dtype) == "Int64" and frame["n"].tolist() == [3, 7]
    assert frame["unit"].tolist() == ["分", "人"]


def test_frames_type_each_column_by_its_values():
    r = QueryResult("select", ["d", "x", "b", "when", "at", "mixed", "none"], [
        (lit("1.5", "decimal"), lit("2E0", "double"), lit("true", "boolean"), lit("2024-01-31", "date"),
         lit("2024-01-31T10:00:00Z", "dateTime"), lit("1", "integer"), None),
        (lit("2", "decimal"), lit("3", "integer"), lit("false", "boolean"), lit("2024-02-01", "date"),
         lit("2024-02-01T10:00:00Z", "dateTime"), lit("a"), None),
    ])
    frame = r.to_dataframe()
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "d": "float64", "x": "float64", "b": "boolean", "when": "datetime64[s]",
        "at": "datetime64[us, UTC]", "mixed": "object", "none": "object"}
    assert frame["d"].tolist() == [1.5, 2.0] and frame["b"].tolist() == [True, False]
    assert frame["when"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]
    exact = r.to_dataframe(exact=True)
    assert exact["d"].tolist() == [Decimal("1.5"), Decimal("2")] and exact["b"].tolist() == ["true", "false"]


def test_ask_and_graph_results():
    yes, no = QueryResult("ask", boolean=True), QueryResult("ask", boolean=0)
    assert (bool(yes), bool(no), no.boolean) == (True, False, False)
    assert repr(yes) == "QueryResult(ask: true)" and repr(no) == "QueryResult(ask: false)"
    assert yes.to_dataframe().to_dict("list") == {"boolean": [True]}
    s, p = ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p")
    g = QueryResult("construct", triples=[(rdflib.URIRef("https://e/s"), rdflib.URIRef("https://e/p"),
                                           rdflib.Literal("x", lang="en"))])
    assert g.kind == "graph" and len(g) == 1 and bool(g)
    assert g.graph_triples == [ox.Triple(s, p, ox.Literal("x", language="en"))]
    assert g.triples == [(rdflib.URIRef("https://e/s"), rdflib.URIRef("https://e/p"), rdflib.Literal("x", lang="en"))]
    assert set(g.to_graph()) == set(g.triples)
    assert repr(g) == "QueryResult(graph: 1 triples)"
    assert g.to_dataframe().to_dict("list") == {"subject": ["<https://e/s>"], "predicate": ["<https://e/p>"],
                                                "object": ['"x"@en']}
    empty = QueryResult("describe")
    assert (len(empty), bool(empty), repr(empty)) == (0, False, "QueryResult(graph: 0 triples)")
    with pytest.raises(TypeError, match="not a triple"):
        QueryResult("graph", triples=[(lit("s"), p, s)])
    with pytest.raises(TypeError, match="not a triple"):
        QueryResult("graph", triples=[(s, lit("p"), s)])
    with pytest.raises(TypeError, match="not a triple"):
        QueryResult("graph", triples=[(s, p, None)])
    with pytest.raises(ValueError, match="unknown result kind 'update' \\(one of select, ask, graph\\)"):
        QueryResult("update")


def test_select_results_say_what_they_hold(result):
    assert len(result) == 2 and bool(result)
    assert repr(result) == "QueryResult(select: 2 rows, unit, n, qudt)"
    empty = QueryResult("select", ["x"], [])
    assert (len(empty), bool(empty), repr(empty)) == (0, False, "QueryResult(select: 0 rows, x)")
    assert repr(QueryResult("select")) == "QueryResult(select: 0 rows)"


def test_the_notebook_table_shows_language_tags_and_at_most_50_rows(result):
    assert result._repr_html_() == (
        "<table><caption>単位 | Units</caption><tr><th>unit</th><th>n</th><th>qudt</th></tr>"
        '<tr><td>分 <sub lang="en">@ja</sub></td><td>3</td><td></td></tr>'
        '<tr><td>人 <sub lang="en">@ja</sub></td><td>7</td><td>unit:NUM</td></tr></table>')
    many = QueryResult("select", ["i"], [(lit(str(i), "integer"),) for i in range(51)])
    html = many._repr_html_()
    assert html.count("<tr>") == 51 and html.endswith("</table><p>51 rows; the first 50 are shown.</p>")
    assert "<td>49</td>" in html and "<td>50</td>" not in html
    exactly = QueryResult("select", ["i"], [(lit(str(i), "integer"),) for i in range(50)])
    assert exactly._repr_html_().endswith("</table>")
    assert QueryResult("ask", boolean=False)._repr_html_() == (
        "<table><tr><th>ASK</th></tr><tr><td>false</td></tr></table>")
    g = QueryResult("graph", triples=[(ox.NamedNode("https://e/s"), ox.NamedNode(XSD + "p"), lit("<b>  c"))])
    assert g._repr_html_() == ("<table><tr><th>subject</th><th>predicate</th><th>object</th></tr>"
                               "<tr><td>&lt;https://e/s&gt;</td><td>xsd:p</td><td>&lt;b&gt; c</td></tr></table>")


def test_frames_keep_unbound_cells_missing_in_typed_columns():
    r = QueryResult("select", ["n", "d", "when"], [
        (lit("3", "integer"), lit("1.5", "decimal"), lit("2024-01-31T10:00:00", "dateTime")),
        (None, None, None),
    ])
    frame = r.to_dataframe()
    assert {c: str(t) for c, t in frame.dtypes.items()} == {"n": "Int64", "d": "float64", "when": "datetime64[us]"}
    assert frame["n"].tolist()[0] == 3 and frame["n"].isna().tolist() == [False, True]
    assert frame["d"].tolist()[0] == 1.5 and frame["d"].isna().tolist() == [False, True]
    assert frame["when"].isna().tolist() == [False, True]


def test_without_pandas_a_frame_is_refused_with_the_install_command(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError) as err:
        QueryResult("select", ["x"], []).to_dataframe()
    assert str(err.value) == "to_dataframe() needs pandas: pip install 'impactkg[pandas]'"


def test_plain_values_are_the_lossy_view_unless_exact_is_asked():
    r = QueryResult("select", ["b", "d"], [(lit("true", "boolean"), lit("2024-01-31", "date"))])
    assert r.dicts() == [{"b": True, "d": datetime.date(2024, 1, 31)}]
    assert r.dicts(exact=True) == [{"b": "true", "d": "2024-01-31"}]
    assert r.column("b") == [True] and r.column("d", exact=True) == ["2024-01-31"]
    (row,) = r
    assert row.values_python() == {"b": True, "d": datetime.date(2024, 1, 31)}
    assert row.values_python(exact=True) == {"b": "true", "d": "2024-01-31"}


def test_a_column_with_no_value_does_not_stop_the_typing_of_the_next():
    r = QueryResult("select", ["none", "n"], [(None, lit("1", "integer")), (None, lit("2", "integer"))])
    frame = r.to_dataframe()
    assert str(frame["n"].dtype) == "Int64" and frame["none"].tolist() == [None, None]
