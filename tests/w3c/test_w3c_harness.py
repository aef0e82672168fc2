"""The harness itself: its comparison fails on the faults a door could make (a changed lexical
form, a broken blank node structure, rows out of ORDER BY order, CSV without CRLF), its readers
follow the formats, and its two lists name real tests and doors."""

from __future__ import annotations

import pytest

from . import w3c_expect
from .w3c_compare import mismatch
from .w3c_doors import Reference, read_query
from .w3c_manifest import protocol_suite, query_suite, require_suite, results_suite
from .w3c_query_text import order_keys
from .w3c_results import (
    XSD,
    Graph,
    ResultsError,
    Solutions,
    literal,
    parse_csv,
    parse_expected,
    parse_srj,
    parse_srx,
    parse_tsv,
)

require_suite()

EVAL, SYNTAX = query_suite()
BY_ID = {t.id: t for t in EVAL + results_suite()}
INT = XSD + "integer"


def rows(*values: tuple) -> Solutions:
    return Solutions(["x", "y"], [{k: v for k, v in zip(("x", "y"), r, strict=True) if v is not None} for r in values])


# ------------------------------------------------------------------ comparison
def test_a_changed_lexical_form_is_a_mismatch() -> None:
    expected = rows((literal("01", INT), ("uri", "http://e/a")))
    assert mismatch(rows((literal("01", INT), ("uri", "http://e/a"))), expected) is None
    why = mismatch(rows((literal("1", INT), ("uri", "http://e/a"))), expected)
    assert why is not None and '"01"^^<http://www.w3.org/2001/XMLSchema#integer>' in why
    # datatype and language count too; the case of a language tag does not (RDF 1.1 Concepts)
    assert mismatch(rows((literal("01", XSD + "decimal"), ("uri", "http://e/a"))), expected)
    assert mismatch(rows((literal("a", lang="EN-gb"), None)), rows((literal("a", lang="en-GB"), None))) is None
    assert mismatch(rows((literal("a", lang="en"), None)), rows((literal("a"), None)))


def test_solutions_are_multisets() -> None:
    a, b = ("uri", "http://e/a"), ("uri", "http://e/b")
    assert mismatch(rows((a, None), (b, None)), rows((b, None), (a, None))) is None
    assert mismatch(rows((a, None), (a, None)), rows((a, None), (b, None)))
    assert mismatch(rows((a, None)), rows((a, None), (a, None)))
    assert mismatch(rows((a, b)), rows((a, None)))  # an unbound variable is not a value


def test_blank_nodes_match_up_to_one_consistent_renaming() -> None:
    p = ("uri", "http://e/p")
    expected = rows((("bnode", "b0"), ("bnode", "b0")), (("bnode", "b1"), p))
    assert mismatch(rows((("bnode", "x"), ("bnode", "x")), (("bnode", "y"), p)), expected) is None
    # the same blank node twice where two are expected, or one node renamed two ways
    assert mismatch(rows((("bnode", "x"), ("bnode", "z")), (("bnode", "y"), p)), expected)
    assert mismatch(rows((("bnode", "x"), ("bnode", "x")), (("bnode", "x"), p)), expected)


def test_order_counts_by_the_order_by_keys_only() -> None:
    one, two = literal("1", INT), literal("2", INT)
    a, b = ("uri", "http://e/a"), ("uri", "http://e/b")
    expected = rows((one, a), (one, b), (two, a))
    keys = order_keys("SELECT * { ?s ?p ?o } ORDER BY ?x")
    assert mismatch(rows((one, b), (one, a), (two, a)), expected, keys) is None  # a tie
    why = mismatch(rows((two, a), (one, a), (one, b)), expected, keys)
    assert why is not None and why.startswith("ORDER BY order differs at row 1")
    assert mismatch(rows((two, a), (one, a), (one, b)), expected, None) is None


def test_graphs_compare_by_isomorphism_with_exact_literals() -> None:
    p = ("uri", "http://e/p")
    g = Graph({(("bnode", "a"), p, literal("01", INT)), (("bnode", "a"), p, ("bnode", "b"))})
    same = Graph({(("bnode", "z"), p, literal("01", INT)), (("bnode", "z"), p, ("bnode", "y"))})
    assert mismatch(same, g) is None
    assert mismatch(Graph({(("bnode", "z"), p, literal("1", INT)), (("bnode", "z"), p, ("bnode", "y"))}), g)
    assert mismatch(Graph({(("bnode", "z"), p, literal("01", INT)), (("bnode", "w"), p, ("bnode", "y"))}), g)


def test_a_real_result_altered_by_a_door_fails() -> None:
    """pyoxigraph's own answer to a W3C test passes; the same answer with one literal's lexical
    form changed, or with its ORDER BY rows swapped, does not."""
    ref = Reference()
    test = BY_ID["functions/timezone"]
    actual = ref.run(test)
    expected = parse_expected(test.result)
    assert mismatch(actual, expected) is None
    assert isinstance(actual, Solutions)
    for row in actual.rows:
        if row.get("x", ("",))[0] == "literal" and row["x"][1] == "PT0S":
            row["x"] = literal("P0D", row["x"][2])
            break
    assert mismatch(actual, expected) is not None
    ordered = BY_ID["property-path/pp14"]
    keys = order_keys(read_query(ordered))
    assert keys == [("X", True), ("Y", True)]
    actual = ref.run(ordered)
    assert isinstance(actual, Solutions) and mismatch(actual, parse_expected(ordered.result), keys) is None
    actual.rows.reverse()
    assert mismatch(actual, parse_expected(ordered.result), keys)


# ------------------------------------------------------------------ readers
def test_csv_follows_rfc_4180() -> None:
    ok = b'x,y\r\n"a,b","line\r\nbreak"\r\n_:b0,\r\n'
    result = parse_csv(ok, strict_eol=True)
    assert result.variables == ["x", "y"]
    assert result.rows == [{"x": ("csv", "a,b"), "y": ("csv", "line\r\nbreak")}, {"x": ("csv", "_:b0")}]
    with pytest.raises(ResultsError, match="CRLF"):
        parse_csv(b"x\r\na\nb\r\n", strict_eol=True)
    with pytest.raises(ResultsError, match="byte order mark"):
        parse_csv(b"\xef\xbb\xbfx\r\n")
    # CSV keeps text only: numbers compare by value, other text exactly
    expected = Solutions(["x"], [{"x": literal("1.0E6", XSD + "double")}, {"x": literal("a7", XSD + "hexBinary")}])
    assert mismatch(parse_csv(b"x\r\n1000000\r\na7\r\n"), expected) is None
    assert mismatch(parse_csv(b"x\r\n1000001\r\na7\r\n"), expected)
    assert mismatch(parse_csv(b"x\r\n1000000\r\nA7\r\n"), expected)


def test_tsv_terms_are_read_as_turtle() -> None:
    data = (b"?x\t?y\n<http://e/a>\t\"t\\tab \\u00e9\"@en-GB\n_:b1\t\"5\"^^<http://e/dt>\n"
            b"-3\t1.0e6\n\t\n")
    r = parse_tsv(data)
    assert r.rows == [
        {"x": ("uri", "http://e/a"), "y": literal("t\tab \u00e9", lang="en-gb")},
        {"x": ("bnode", "b1"), "y": literal("5", "http://e/dt")},
        {"x": literal("-3", INT), "y": literal("1.0e6", XSD + "double")},
        {},
    ]
    with pytest.raises(ResultsError, match="line 2"):
        parse_tsv(b"?x\nfoo\n")
    # a bare TSV number equals the same value of the same datatype, not of another one
    assert mismatch(parse_tsv(b"?x\n1.0e6\n"), Solutions(["x"], [{"x": literal("1.0E6", XSD + "double")}])) is None
    assert mismatch(parse_tsv(b"?x\n1\n"), Solutions(["x"], [{"x": literal("1", XSD + "decimal")}]))


def test_xml_and_json_results_keep_terms_exact() -> None:
    srx = b"""<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">
    <head><variable name="x"/></head><results><result><binding name="x">
    <literal datatype="http://www.w3.org/2001/XMLSchema#integer">01</literal></binding></result>
    <result/></results></sparql>"""
    assert parse_srx(srx).rows == [{"x": literal("01", INT)}, {}]
    srj = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a","xml:lang":"EN"}}]}}'
    assert parse_srj(srj).rows == [{"x": literal("a", lang="en")}]
    with pytest.raises(ResultsError):
        parse_srx(b"<sparql xmlns='http://www.w3.org/2005/sparql-results#'><head/><results><result>"
                  b"<binding name='x'>\x01</binding></result></results></sparql>")


# ------------------------------------------------------------------ the lists
def test_known_failures_name_real_tests() -> None:
    ids = {t.id for t in EVAL + SYNTAX + results_suite()} | {t.id for t in protocol_suite()}
    for known in w3c_expect.KNOWN.values():
        assert known.test in ids, f"known-failures.tsv: no test {known.test}"
        expected_ref = "oxigraph-serve" if known.test.startswith("protocol/") else "pyoxigraph"
        assert known.reference == expected_ref, f"known-failures.tsv: {known.test} is not a test of {known.reference}"


