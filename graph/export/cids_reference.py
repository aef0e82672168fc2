"""CIDS as this export writes it: the namespaces of CIDS v3.2 and the ontologies it uses, the
JSON-LD context (CIDS's ``cidsContext.jsonld`` from the reference folder, else
:data:`MINIMAL_CONTEXT`), the Basic-tier SHACL shapes and validation with pySHACL, and the literal
and IRI forms CIDS expects (names as one ``xsd:string``, SDG IRIs under ``https://metadata.un.org``).

The reference folder is ``$IMPACTKG_CIDS_DIR``, else ``../shared/reference/cids`` next to the
source tree (its SOURCE.md gives origin and licence).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from impactkg.errors import CidsError
from impactkg.ontology import SDG, SKOS

if TYPE_CHECKING:
    from impactkg.graph.export.cids import CidsExport

CIDS = rdflib.Namespace("https://ontology.commonapproach.org/cids#")
ORG = rdflib.Namespace("http://ontology.eil.utoronto.ca/tove/organization#")
I72 = rdflib.Namespace("http://ontology.eil.utoronto.ca/ISO21972/iso21972#")
ACT = rdflib.Namespace("http://ontology.eil.utoronto.ca/tove/activity#")
OEP = rdflib.Namespace("http://www.w3.org/2001/sw/BestPractices/OEP/SimplePartWhole/part.owl#")
SCH = rdflib.Namespace("http://schema.org/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SKOSNS = rdflib.Namespace(SKOS)
SDG_HTTPS = "https://metadata.un.org/sdg/"
IRIS_NS = "https://codelist.commonapproach.org/codeLists/IrisMetric53#"

#: The environment variable naming the CIDS reference folder.
REFERENCE_ENV = "IMPACTKG_CIDS_DIR"

#: The terms of CIDS's JSON-LD context this export uses (as in ``cidsContext.jsonld``).
MINIMAL_CONTEXT: dict[str, object] = {
    "cids": str(CIDS),
    "org": str(ORG),
    "i72": str(I72),
    "act": str(ACT),
    "oep": str(OEP),
    "prov": str(PROV),
    "skos": SKOS,
    "xsd": str(XSD),
    "hasName": {"@id": "org:hasName", "@type": "xsd:string"},
    "hasLegalName": {"@id": "org:hasLegalName", "@type": "xsd:string"},
    "hasIdentifier": {"@id": "org:hasIdentifier", "@type": "xsd:string"},
    "hasDescription": {"@id": "cids:hasDescription", "@type": "xsd:string"},
    "hasComment": {"@id": "cids:hasComment", "@type": "xsd:string"},
    "unitDescription": {"@id": "cids:unitDescription", "@type": "xsd:string"},
    "forOrganization": {"@id": "cids:forOrganization", "@type": "@id"},
    "forOutcome": {"@id": "cids:forOutcome", "@type": "@id"},
    "forIndicator": {"@id": "cids:forIndicator", "@type": "@id"},
    "forTheme": {"@id": "cids:forTheme", "@type": "@id"},
    "forActivity": {"@id": "act:forActivity", "@type": "@id"},
    "hasCode": {"@id": "cids:hasCode", "@type": "@id"},
    "hasIndicator": {"@id": "cids:hasIndicator", "@type": "@id"},
    "hasIndicatorReport": {"@id": "cids:hasIndicatorReport", "@type": "@id"},
    "hasOutcome": {"@id": "cids:hasOutcome", "@type": "@id"},
    "canProduce": {"@id": "cids:canProduce", "@type": "@id"},
    "usesOutput": {"@id": "cids:usesOutput", "@type": "@id"},
    "value": {"@id": "i72:value", "@type": "@id"},
    "hasNumericalValue": {"@id": "i72:hasNumericalValue", "@type": "xsd:string"},
    "startedAtTime": {"@id": "prov:startedAtTime", "@type": "xsd:dateTime"},
    "endedAtTime": {"@id": "prov:endedAtTime", "@type": "xsd:dateTime"},
    "sch": str(SCH),
    "definedBy": {"@id": "cids:definedBy", "@type": "@id"},
    "hasBaseline": {"@id": "cids:hasBaseline", "@type": "@id"},
    "hasTarget": {"@id": "cids:hasTarget", "@type": "@id"},
    "forTarget": {"@id": "cids:forTarget", "@type": "@id"},
    "hasSpecification": {"@id": "cids:hasSpecification", "@type": "xsd:anyURI"},
}


# ---------------------------------------------------------------------- reference files
def reference_dir() -> Path | None:
    """The CIDS reference folder: ``$IMPACTKG_CIDS_DIR``, else ``../shared/reference/cids`` next
    to the source tree, when it exists."""
    if os.environ.get(REFERENCE_ENV):
        path = Path(os.environ[REFERENCE_ENV]).expanduser()
        return path if path.is_dir() else None
    path = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cids"
    return path if path.is_dir() else None


def load_context(ref: Path | None = None) -> dict:
    """CIDS's JSON-LD ``@context`` from the reference folder, else :data:`MINIMAL_CONTEXT`."""
    ref = ref if ref is not None else reference_dir()
    if ref is not None and (ref / "cidsContext.jsonld").exists():
        try:
            return json.loads((ref / "cidsContext.jsonld").read_text(encoding="utf-8"))["@context"]
        except (OSError, ValueError, KeyError) as exc:
            raise CidsError(f"cannot read {ref / 'cidsContext.jsonld'}: {exc}") from None
    return dict(MINIMAL_CONTEXT)


def basic_shapes(ref: Path | None = None) -> Path | None:
    """The CIDS Basic tier SHACL shapes file, when the reference folder has it."""
    ref = ref if ref is not None else reference_dir()
    path = ref / "cids.basictier.shacl.ttl" if ref is not None else None
    return path if path is not None and path.exists() else None


def validate(export: CidsExport, shapes: str | Path) -> tuple[bool, str]:
    """Validate the export with pySHACL against ``shapes``; (conforms, report text)."""
    from pyshacl import validate as shacl

    conforms, _, text = shacl(
        export.graph, shacl_graph=str(shapes), inference="none", allow_warnings=False
    )
    return bool(conforms), str(text)


# ---------------------------------------------------------------------- literals and IRIs
def _s(text) -> Literal:
    return Literal(" ".join(str(text).split()), datatype=XSD.string)


def _https(iri: str) -> URIRef:
    return URIRef(SDG_HTTPS + iri[len(SDG) :]) if iri.startswith(SDG) else URIRef(iri)
