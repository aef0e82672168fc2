"""Conversion between pyoxigraph terms (the store's) and rdflib terms (the public API's).

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("人", language="ja"))
rdflib.term.Literal('人', lang='ja')
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: OxTerm | ox.DefaultGraph | None) -> Identifier | None:
    """Convert a pyoxigraph term to the equal rdflib term (``None`` stays ``None``)."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(dt))
    raise TypeError(f"unsupported term {term!r}")


def to_ox(term: Identifier | None) -> OxTerm | None:
    """Convert an rdflib term to the equal pyoxigraph term."""
    if term is None:
        return None
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
    raise TypeError(f"unsupported term {term!r}")
