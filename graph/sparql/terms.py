"""Conversion between pyoxigraph terms (the store's, exact) and rdflib terms (a view for the
public API), without changing any value.

rdflib normalises literals by default (``"01"^^xsd:integer`` becomes ``"1"``, a date loses its
time zone, an ``xsd:token`` loses its spaces); :func:`to_rdflib` builds every literal with its
exact lexical form, so that ``str(to_rdflib(t)) == t.value`` for every literal ``t``
(RDF 1.1 Concepts, section 3.3: a literal *is* its lexical form, datatype and language).

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("人", language="ja"))
rdflib.term.Literal('人', lang='ja')
>>> str(to_rdflib(ox.Literal(" x ", datatype=ox.NamedNode(XSD + "token"))))
' x '
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Identifier

#: A term of a result or a triple: pyoxigraph's, including a quoted triple (RDF-star).
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


_quiet = False


def _rdflib():  # -> the rdflib module
    """rdflib, imported when a term is first converted (the quick commands never need it)."""
    global _quiet
    import rdflib

    if not _quiet:
        import logging

        class _IllTypedIsLegal(logging.Filter):
            """rdflib logs a traceback for an ill-typed literal (``"abc"^^xsd:integer``): such a
            literal is legal RDF and is kept as it is, so that warning is not the user's business."""

            def filter(self, record: logging.LogRecord) -> bool:
                return not str(record.msg).startswith("Failed to convert Literal lexical form")

        logging.getLogger("rdflib.term").addFilter(_IllTypedIsLegal())
        _quiet = True
    return rdflib


def _exact_literal(value: str, lang: str | None, datatype: str | None) -> rdflib.Literal:
    rdflib = _rdflib()
    lit = rdflib.Literal(value, lang=lang, datatype=datatype, normalize=False)
    if str(lit) != value:
        # rdflib collapses the white space of xsd:token and xsd:normalizedString even without
        # normalisation: keep the lexical form the store holds.
        exact = str.__new__(rdflib.Literal, value)
        exact._language = lit._language
        exact._datatype = lit._datatype
        exact._value = lit._value
        exact._ill_typed = lit._ill_typed
        return exact
    return lit


def to_rdflib(term: OxTerm | ox.Triple | ox.DefaultGraph | None) -> Identifier | None:
    """The rdflib term equal to a pyoxigraph term (``None`` and the default graph give ``None``).

    Raises TypeError for a quoted triple (RDF-star), which rdflib cannot hold.
    """
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    rdflib = _rdflib()
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return _exact_literal(term.value, term.language, None)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return rdflib.Literal(term.value)
        return _exact_literal(term.value, None, dt)
    raise TypeError(f"no rdflib term for {term!r}")


def to_ox(term: Identifier | OxTerm | None) -> OxTerm | None:
    """The pyoxigraph term equal to an rdflib term (a pyoxigraph term is returned as it is)."""
    if term is None or isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return term
    if "rdflib" not in sys.modules:  # then it cannot be an rdflib term
        raise TypeError(f"no pyoxigraph term for {term!r}")
    rdflib = _rdflib()
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"no pyoxigraph term for {term!r}")


def value_of(term: OxTerm | ox.DefaultGraph | None) -> str:
    """The text of a term: an IRI, a blank node's label, a literal's lexical form, ``""`` for the
    default graph or None, a quoted triple in N-Triples form."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return ""
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def display(term: OxTerm | Identifier | None) -> str:
    """A term as a person reads it in a table: an IRI as a prefixed name where one fits
    (:func:`impactkg.ontology.curie`), a blank node as ``_:label``, a literal as its lexical form
    with runs of white space shown as one space."""
    from impactkg.ontology import curie

    term = to_ox(term)
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = curie(term.value)
        return text if text != term.value else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return f"<< {display(term.subject)} {display(term.predicate)} {display(term.object)} >>"
    return " ".join(term.value.split())
