"""The RDF terms every loader writes: shorthands for IRIs (:func:`N`, :func:`ikg`), the common
predicates (``rdf:type``, ``rdfs:label``, ``skos:prefLabel``, ...) and typed literals (XSD integer,
decimal, boolean; language-tagged text whose language is detected: ``ja`` when it holds Japanese
script, else ``en``). Split from :mod:`impactkg.loaders.base`, which still exports every name.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import pyoxigraph as ox

from impactkg.ontology import IKG, RDF, RDFS, SKOS, XSD

JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

A = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
PREF = ox.NamedNode(SKOS + "prefLabel")
SEARCH = ox.NamedNode(IKG + "searchKey")
HIDDEN = ox.NamedNode(SKOS + "hiddenLabel")


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - mirrors rdflib's URIRef shorthand
    return ox.NamedNode(iri)


@functools.lru_cache(maxsize=512)
def ikg(name: str) -> ox.NamedNode:
    return ox.NamedNode(IKG + name)


def lang_of(text: str) -> str:
    """``'ja'`` when the text contains Japanese script, else ``'en'``."""
    return "ja" if JA_CHARS.search(text) else "en"


def text(value: str, lang: str | None = None) -> ox.Literal:
    """A language-tagged literal; the language is detected when not given."""
    return ox.Literal(value, language=lang or lang_of(value))


def plain(value: str) -> ox.Literal:
    return ox.Literal(value)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=N(XSD + "integer"))


def decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(format(value, "f"), datatype=N(XSD + "decimal"))


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=N(XSD + "boolean"))
