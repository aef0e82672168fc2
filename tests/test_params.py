"""Parameters by type: one valid and one invalid value per type, bound as the exact RDF term, or
refused with the one-line error that names the parameter, never a silently empty answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from impactkg import QueryError
from impactkg.queries import Param, bind, parse, prepare

XSD = "http://www.w3.org/2001/XMLSchema#"
CONCEPT = "https://w3id.org/impactkg/concept/"


@pytest.mark.parametrize(
    "ptype,value,term",
    [
        ("string", " a b ", ox.Literal(" a b ")),
        ("text", "ＢＭＩ 18", ox.Literal("bmi18")),
        ("lang", "EN", ox.Literal("en")),
        ("integer", "０７", ox.Literal("07", datatype=ox.NamedNode(XSD + "integer"))),
        ("iri", "<https://example.org/x>", ox.NamedNode("https://example.org/x")),
        ("sdg-target", "３．４", ox.NamedNode("http://metadata.un.org/sdg/3.4")),
        ("sdg-goal", "11", ox.NamedNode("http://metadata.un.org/sdg/11")),
        ("indicator", "hj21-1", ox.NamedNode("https://w3id.org/impactkg/id/indicator/consortium-hj21-1")),
        ("indicator", "other:7", ox.NamedNode("https://w3id.org/impactkg/id/indicator/other-7")),
        ("concept:finance-method", "loan", ox.NamedNode(CONCEPT + "finance-method/loan")),
        ("enum:R|B", "r", ox.Literal("R")),
    ],
)
def test_a_valid_value_becomes_its_typed_term(ptype, value, term):
    assert bind(Param("p", ptype), value, "q") == term


@pytest.mark.parametrize(
    "ptype,value,message",
    [
        ("lang", "english!", "q: parameter p: not a language tag: 'english!'"),
        ("integer", "12,5x", "q: parameter p: expected a whole number, got '12,5x'"),
        ("iri", "not an iri", "q: parameter p: not an IRI: 'not an iri'"),
        ("sdg-target", "3.99", "q: parameter p: unknown SDG target '3.99' (e.g. 3.4, 11.b)"),
        ("sdg-goal", "18", "q: parameter p: unknown SDG goal '18' (1 to 17)"),
        ("concept:finance-method", "a b", "q: parameter p: expected a concept id such as 'loan', got 'a b'"),
        ("enum:R|B", "X", "q: parameter p: 'X' is not one of R, B"),
    ],
)
def test_an_invalid_value_is_refused_naming_the_parameter(ptype, value, message):
    with pytest.raises(QueryError) as err:
        bind(Param("p", ptype), value, "q")
    assert str(err.value) == message


def test_an_rdf_term_given_as_a_value_stays_that_term(kg):
    """An rdflib literal keeps its language, an IRI stays an IRI (it was turned back into text)."""
    row = kg.query("SELECT ?x ?y WHERE {}", x=rdflib.Literal("a", lang="en"), y=rdflib.URIRef("https://e/a")).terms
    assert row == [(ox.Literal("a", language="en"), ox.NamedNode("https://e/a"))]
    target = rdflib.URIRef("http://metadata.un.org/sdg/11.b")
    assert len(kg.query("indicators-for-target", target=target)) == len(kg.query("indicators-for-target", target="11.b"))
    with pytest.raises(QueryError, match="parameter organization: expected an IRI, got the literal"):
        kg.query("subcommittee-members", organization=rdflib.Literal("https://example.org/x"))


@pytest.mark.parametrize(
    "name,params,message",
    [
        ("finance-by-method", {"method": "lon"}, "finance-by-method: parameter method: unknown finance-method 'lon' (did you mean 'loan'?)"),
        ("indicator-values", {"indicator": "nope"}, "indicator-values: parameter indicator: no indicator 'nope' in the graph"),
        ("subcommittee-members", {"organization": "https://example.org/x"}, "subcommittee-members: parameter organization: no resource 'https://example.org/x' in the graph"),
        ("feedback-loops", {"polarity": "X"}, "feedback-loops: parameter polarity: 'X' is not one of R, B"),
        ("targets-without-indicator", {"goal": "18"}, "targets-without-indicator: parameter goal: unknown SDG goal '18' (1 to 17)"),
    ],
)
def test_a_value_that_names_nothing_is_an_error_not_an_empty_answer(kg, name, params, message):
    with pytest.raises(QueryError) as err:
        kg.query(name, **params)
    assert str(err.value).startswith(message)


def test_malformed_headers_are_errors():
    with pytest.raises(QueryError, match=r"x.rq: unknown header key 'parm' .* \(did you mean 'param'\?\)"):
        parse("# parm: target sdg-target\nSELECT * WHERE {}", "x")
    with pytest.raises(QueryError, match="x.rq: parameter target has unknown type 'sdg-targets'"):
        parse("# param: target sdg-targets\nSELECT * WHERE {}", "x")
    with pytest.raises(QueryError, match="x.rq: malformed param line"):
        parse("# param: target\nSELECT * WHERE {}", "x")
    with pytest.raises(QueryError, match="x.rq: parameter m: no concept scheme 'finance'"):
        parse("# param: m concept:finance\nSELECT * WHERE {}", "x")
    # A comment that is prose, not a header key, stays a comment.
    assert parse("# This query finds: indicators\nSELECT * WHERE {}", "x").params == []


def test_required_defaults_and_unknown_parameters():
    with pytest.raises(QueryError, match="indicators-for-target: missing required parameter 'target'"):
        prepare("indicators-for-target", {})
    with pytest.raises(QueryError, match=r"indicators-for-target: unknown parameter 'traget' \(parameters: status, target\)"):
        prepare("indicators-for-target", {"traget": "11.b"})
    assert prepare("feedback-loops", {}).bindings["lang"] == ox.Literal("ja")
