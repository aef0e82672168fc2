"""The RDF/XML copy of the ontology, ``ontology/impactkg.rdf``, for tools that read no Turtle
(owlready2 loads it directly; older OWL editors).

It is written from ``impactkg.ttl`` and committed beside it; the output is reproducible (the
triples are sorted, so the same Turtle always gives the same bytes). After editing the Turtle run
``python -m impactkg.ontology.rdfxml`` (or ``make ontology``); the test suite checks that the
committed copy is what this writes.

>>> text = rdfxml_bytes().decode("utf-8")
>>> '<owl:Ontology rdf:about="https://w3id.org/impactkg/ontology">' in text
True
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from impactkg.ontology import PREFIXES, ontology_file

#: Prefixes written as XML namespaces (those the ontology uses).
XML_PREFIXES = {p: PREFIXES[p] for p in ("ikg", "rdf", "rdfs", "xsd", "owl", "skos", "dcterms",
                                          "dcat", "prov", "org", "foaf", "sdgo", "cids")}


def _key(term) -> tuple[int, str, str, str]:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):  # pragma: no cover - the ontology has no blank nodes
        return (1, term.value, "", "")
    return (2, term.value, term.datatype.value, term.language or "")


def rdfxml_bytes(ttl: Path | None = None) -> bytes:
    """The ontology ``ttl`` (default the packaged ``impactkg.ttl``) as RDF/XML, UTF-8, triples
    sorted by subject, predicate (``rdf:type`` first) and object. A Turtle syntax error raises ``SyntaxError``
    naming the line; blank nodes are refused (their labels would not be reproducible)."""
    path = ttl or ontology_file()
    with open(path, "rb") as fh:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, ox.RdfFormat.TURTLE)]
    if any(isinstance(t, ox.BlankNode) for q in triples for t in (q.subject, q.object)):
        raise ValueError(f"{path}: blank nodes cannot be written reproducibly; name them")
    # rdf:type first, so that each resource is written as a typed element (<owl:Class ...>)
    rdf_type = PREFIXES["rdf"] + "type"
    triples.sort(key=lambda t: (_key(t.subject), t.predicate.value != rdf_type, t.predicate.value,
                                _key(t.object)))
    out = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=XML_PREFIXES)
    assert out is not None  # without an output file, serialize returns the bytes
    return out


def rdfxml_file() -> Path:
    """Where the RDF/XML copy lives: beside the source of ``impactkg.ttl`` (the link is followed
    in an editable install, so the copy is written into the source tree)."""
    return ontology_file().resolve().with_name("impactkg.rdf")


def write(path: Path | None = None) -> Path:
    """Write the RDF/XML copy (default :func:`rdfxml_file`); returns its path."""
    path = path or rdfxml_file()
    path.write_bytes(rdfxml_bytes())
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m impactkg.ontology.rdfxml [PATH]``: write the copy and say where."""
    args = sys.argv[1:] if argv is None else argv
    path = write(Path(args[0]) if args else None)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
