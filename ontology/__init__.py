"""The impactkg ontology: namespaces, IRI minting and the ontology files.

>>> from impactkg.ontology import IKG, concept_iri
>>> concept_iri("finance-method", "loan")
'https://w3id.org/impactkg/concept/finance-method/loan'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from importlib import resources
from pathlib import Path
from urllib.parse import quote

IKG = "https://w3id.org/impactkg/ontology#"
ID = "https://w3id.org/impactkg/id/"
CONCEPT = "https://w3id.org/impactkg/concept/"
GRAPH = "https://w3id.org/impactkg/graph/"
SDG = "http://metadata.un.org/sdg/"
SDGO = "http://metadata.un.org/sdg/ontology#"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
QUDT_UNIT = "http://qudt.org/vocab/unit/"
CIDS = "https://ontology.commonapproach.org/cids#"

#: Prefixes used in serialisations and accepted in every query.
PREFIXES: dict[str, str] = {
    "ikg": IKG,
    "ikd": ID,
    "sdg": SDG,
    "sdgo": SDGO,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "org": ORG,
    "foaf": FOAF,
    "cids": CIDS,
    "unit": QUDT_UNIT,
    "domain": CONCEPT + "domain/",
    "issue": CONCEPT + "social-issue/",
    "fm": CONCEPT + "finance-method/",
    "stage": CONCEPT + "growth-stage/",
    "orgtype": CONCEPT + "organization-type/",
    "role": CONCEPT + "role/",
    "uom": CONCEPT + "unit/",
    "status": CONCEPT + "assertion-status/",
}

_BY_LENGTH = sorted(PREFIXES.values(), key=len, reverse=True)
_PREFIX_OF = {ns: p for p, ns in reversed(list(PREFIXES.items()))}

#: SKOS scheme name (as used in concept tables) -> (scheme IRI, concept class IRI).
SCHEMES: dict[str, tuple[str, str]] = {
    "domain": (IKG + "DomainScheme", IKG + "Domain"),
    "social-issue": (IKG + "SocialIssueScheme", IKG + "SocialIssue"),
    "finance-method": (IKG + "FinanceMethodScheme", IKG + "FinanceMethod"),
    "blended-category": (IKG + "BlendedCategoryScheme", IKG + "BlendedFinanceCategory"),
    "blended-effect": (IKG + "BlendedEffectScheme", IKG + "BlendedFinanceEffect"),
    "growth-stage": (IKG + "GrowthStageScheme", IKG + "GrowthStage"),
    "company-type": (IKG + "CompanyTypeScheme", IKG + "CompanyType"),
    "partnership-exit": (IKG + "PartnershipExitScheme", IKG + "PartnershipExit"),
    "organization-type": (IKG + "OrganizationTypeScheme", IKG + "OrganizationType"),
    "role": (IKG + "RoleScheme", IKG + "Role"),
    "value-kind": (IKG + "ValueKindScheme", IKG + "ValueKind"),
    "process-scene": (IKG + "ProcessSceneScheme", IKG + "ProcessScene"),
    "unit": (IKG + "UnitScheme", IKG + "Unit"),
    "assertion-status": (IKG + "AssertionStatusScheme", IKG + "AssertionStatus"),
    "green-list": (IKG + "GreenListScheme", IKG + "GreenListCategory"),
    "strategic-field": (IKG + "StrategicFieldScheme", IKG + "StrategicField"),
    "cross-cutting-theme": (IKG + "CrossCuttingThemeScheme", IKG + "CrossCuttingTheme"),
    "startup-pillar": (IKG + "StartupPillarScheme", IKG + "StartupPillar"),
}

#: The assertion statuses (concepts of ``ikg:AssertionStatusScheme``, defined in the ontology),
#: strongest first: what the source states; what the team read into a source statement or
#: translated; what the source states in OCR-damaged, doubtful text; what the team inferred.
ASSERTION_STATUSES = ("stated", "reading", "translation", "doubtful", "inferred")
#: The statuses whose records the source's author is credited with (the others are the team's).
SOURCE_STATUSES = ("stated", "doubtful")
#: Evidence rank of a causal link by status (higher is stronger): a loop or a path is only as
#: well founded as its weakest link.
EVIDENCE_RANK = {"stated": 4, "reading": 3, "translation": 3, "doubtful": 2, "inferred": 1}

#: The PROV agents of the embedded dataset: the source document's author and the project team.
AGENT = ID + "agent/"

#: The named graph that holds the ontology itself.
ONTOLOGY_GRAPH = GRAPH + "ontology"
#: The graph describing source documents (loads add to it, never replace it).
SOURCES_GRAPH = GRAPH + "sources"
#: What the reasoner infers (``impactkg reason`` replaces it).
INFERRED_GRAPH = GRAPH + "inferred"
#: Where a SPARQL update's INSERT puts triples written outside any ``GRAPH`` block.
UPDATES_GRAPH = GRAPH + "updates"
#: The embedded dataset's graphs start with this.
EMBEDDED_GRAPHS = GRAPH + "consortium/"


def is_reserved(graph: str) -> bool:
    """Whether ``graph`` belongs to impactkg itself (the ontology, the sources, the inferences,
    the embedded dataset): a user load or update may not replace, clear or write it without
    ``force``.

    >>> is_reserved(ONTOLOGY_GRAPH), is_reserved(GRAPH + "consortium/catalogue"), is_reserved(GRAPH + "mine")
    (True, True, False)
    """
    return graph in (ONTOLOGY_GRAPH, SOURCES_GRAPH, INFERRED_GRAPH) or graph.startswith(EMBEDDED_GRAPHS)


#: A local name that Turtle and SPARQL accept after a prefix without escapes (PN_LOCAL, simplified:
#: letters, digits, ``_ - .``, not ending in ``.``).
_LOCAL_NAME = re.compile(r"[^\W][\w\-.]*(?<!\.)|")


def curie(iri: str, *, valid: bool = False) -> str:
    """``iri`` as ``prefix:local`` with the longest usual namespace of :data:`PREFIXES` that fits.

    For display (``valid=False``) any local part will do and an IRI in no known namespace comes
    back as it is. With ``valid=True`` the result is always legal SPARQL/Turtle: a local part that
    would need escapes (``/``, ``%``, ``#``) gives the full ``<iri>`` form instead.

    >>> curie("https://w3id.org/impactkg/ontology#Indicator")
    'ikg:Indicator'
    >>> curie("https://w3id.org/impactkg/id/indicator/consortium-1")
    'ikd:indicator/consortium-1'
    >>> curie("https://w3id.org/impactkg/id/indicator/consortium-1", valid=True)
    '<https://w3id.org/impactkg/id/indicator/consortium-1>'
    """
    best = ""
    for ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            best = ns
            break
    if not best:
        return f"<{iri}>" if valid else iri
    rest = iri[len(best):]
    if valid and not _LOCAL_NAME.fullmatch(rest):
        return f"<{iri}>"
    return f"{_PREFIX_OF[best]}:{rest}"


def nfkc(text: str) -> str:
    """Normalise text with Unicode NFKC and trim it: ``'３．４'`` becomes ``'3.4'``."""
    return unicodedata.normalize("NFKC", text).strip()


def search_key(text: str) -> str:
    """The form of a label used for search: NFKC, case-folded, without white space.

    White space is dropped because OCR often splits words (``'B M I'``) and Japanese uses none.

    >>> search_key("ＢＭＩ 18.5")
    'bmi18.5'
    """
    return "".join(nfkc(text).casefold().split())


def slug(text: str) -> str:
    """A stable IRI-safe key for a free-text label (a short hash of its NFKC form)."""
    return hashlib.sha1(search_key(text).encode("utf-8")).hexdigest()[:12]


def local(text: str) -> str:
    """Percent-encode an identifier for use as the last segment of an IRI."""
    return quote(nfkc(text), safe="-._~")


def concept_iri(scheme: str, concept_id: str) -> str:
    """The IRI of concept ``concept_id`` in scheme ``scheme``."""
    return f"{CONCEPT}{scheme}/{local(concept_id)}"


def status_iri(status: str) -> str:
    """The IRI of an assertion status (``stated``, ``reading``, ``inferred``, ...).

    >>> status_iri("stated")
    'https://w3id.org/impactkg/concept/assertion-status/stated'
    """
    return concept_iri("assertion-status", status)


def record_iri(kind: str, key: str) -> str:
    """The IRI of a data record of ``kind`` (``indicator``, ``org``, ...) with ``key``."""
    return f"{ID}{kind}/{local(key)}"


def graph_iri(name: str) -> str:
    """The IRI of the named graph ``name``."""
    return GRAPH + local(name)


def sdg_iri(code: str) -> str:
    """The UN's IRI for an SDG goal (``'3'``) or target (``'3.4'``)."""
    return SDG + code


def ontology_dir() -> Path:
    """The folder holding the ontology files (``impactkg.ttl``, ``shapes.ttl``)."""
    return Path(str(resources.files(__name__)))


def ontology_file() -> Path:
    return ontology_dir() / "impactkg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"
