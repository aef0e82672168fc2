"""Export the graph as Common Impact Data Standard (CIDS) data, in Turtle or JSON-LD.

What maps where (CIDS v3.2 classes, Basic tier properties):

=====================  ==========================================================================
impactkg               CIDS
=====================  ==========================================================================
ikg:Organization       cids:Organization (cids:FinancialOrganization for financial institutions):
                       org:hasLegalName (the Japanese name), org:hasName (the English one)
ikg:Domain             cids:Theme: org:hasName, cids:hasDescription
SDG goal / target      cids:Theme + cids:Code / cids:Code, with CIDS's ``https://metadata.un.org``
                       IRIs: org:hasIdentifier, org:hasName, cids:hasDescription
ikg:Impact, Outcome    cids:Outcome: org:hasName, cids:hasDescription, cids:forOrganization,
                       cids:forTheme, cids:hasCode (SDG targets), cids:hasIndicator
ikg:Result, Output     cids:Output: org:hasName, cids:hasDescription, cids:canProduce (outcomes),
                       act:forActivity
ikg:Activity           cids:Activity: org:hasName, cids:hasDescription
ikg:LogicModel         cids:ImpactModel: org:hasName, cids:hasDescription, cids:forOrganization;
                       its elements are oep:partOf it
ikg:Indicator          cids:Indicator: org:hasName, cids:hasDescription, cids:unitDescription,
                       org:hasIdentifier (the catalogue's number), cids:forOrganization,
                       cids:definedBy (the organization of the catalogue),
                       cids:forOutcome, cids:usesOutput, cids:forTheme, cids:hasIndicatorReport,
                       cids:hasBaseline, cids:hasTarget, cids:hasCode (accepted IRIS+ matches)
ikg:IndicatorValue     (:mod:`impactkg.graph.export.cids_reports`) current and baseline values:
                       cids:IndicatorReport with their period, i72:value [i72:Measure;
                       i72:hasNumericalValue]; a baseline: cids:hasBaseline (an i72:Measure);
                       a target: cids:Target, cids:hasTarget, and the reports' cids:forTarget
=====================  ==========================================================================

Indicators, outcomes, models and reports belong to the organization that publishes the catalogue
(``organization``; by default the Data and Indicators Subcommittee of the embedded dataset), which
is also the ``cids:definedBy`` of its indicators.

Codes (Essential tier) carry ``org:hasIdentifier``, ``org:hasName``, ``cids:hasDescription``,
``sch:codeValue`` (the code as written: ``11``, ``11.b``, ``PI4060``), ``cids:hasSpecification``
(where the code is defined: the UN SDG KOS IRI ``http://metadata.un.org/sdg/...`` of an SDG goal
or target, the code-list IRI of an IRIS+ metric) and ``cids:definedBy``: the United Nations for
SDG goals and targets (adopted by the UN General Assembly, resolution A/RES/70/1), the GIIN for
IRIS+ metrics. Those two organizations are not records of the dataset: the export adds them
(:data:`CODE_DEFINERS`, IRIs and names chosen by the team). ``i72:value`` (a Measure) is given
for SDG goals, whose codes are the numbers 1-17; target codes (``11.b``) and IRIS+ identifiers are
not numbers, so they have ``sch:codeValue`` only (CIDS calls ``i72:value`` an alternative to it).

CIDS names are one ``xsd:string`` each, so language tags go; everything else that CIDS cannot
express (records of other classes, provenance, values without a number or year, ...) is listed
in :attr:`CidsExport.unexpressed`, never dropped silently.

The JSON-LD uses CIDS's context (``cidsContext.jsonld`` from the CIDS reference folder when it
is there, else :data:`MINIMAL_CONTEXT`), embedded in the file so it reads offline.

>>> sorted(MINIMAL_CONTEXT)[:3]
['act', 'canProduce', 'cids']
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from impactkg.errors import CidsError
from impactkg.graph.export import cids_reports
from impactkg.graph.files import write_atomically
from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    ONTOLOGY_GRAPH,
    PREFIXES,
    SDG,
    SDGO,
    SKOS,
    curie,
    record_iri,
)

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

#: The organization whose catalogue the embedded dataset holds (データ・指標分科会).
DEFAULT_ORGANIZATION = record_iri("org", "data-indicators")
REFERENCE_ENV = "IMPACTKG_CIDS_DIR"
#: Organizations that define the codes the export uses (cids:definedBy), added by the export:
#: key -> (IRI, legal name, Japanese name). Not records of the dataset: the team's choice.
CODE_DEFINERS = {
    "sdg": (record_iri("org", "united-nations"), "United Nations", "国際連合"),
    "iris": (record_iri("org", "giin"), "Global Impact Investing Network (GIIN)", "GIIN"),
}
SKIP_GRAPHS = (ONTOLOGY_GRAPH, GRAPH + "inferred")

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

#: Why a property of an exported record has no place in CIDS.
REASONS = {
    DCTERMS + "source": "provenance: the CIDS Basic tier has no property for a record's source",
    IKG + "sourceLine": "provenance: the line of the source the record comes from",
    IKG + "doubtful": "flags of doubtful (OCR-damaged) fields",
    SKOS + "editorialNote": "editorial notes",
    IKG + "searchKey": "search keys (derived from the labels)",
    DCTERMS + "identifier": "the catalogue's row number (the IRI identifies the indicator)",
    IKG + "dataSource": "the data source (kept in cids:hasDescription as text)",
    "http://www.w3.org/ns/org#subOrganizationOf": "the parent organisation",
    IKG + "sdgTarget": "the SDG target of a result or indicator (kept through its outcome's cids:hasCode)",
    IKG + "sdgGoal": "the SDG goal (kept as cids:forTheme)",
    IKG + "domain": "the domain (kept as cids:forTheme)",
}



@dataclass
class Unexpressed:
    """Something of the graph that the CIDS export does not carry, and why."""

    what: str
    count: int
    reason: str
    examples: list[str] = field(default_factory=list)

    def text(self) -> str:
        ex = f" (e.g. {', '.join(self.examples[:3])})" if self.examples else ""
        return f"  {self.count:>5}  {self.what}: {self.reason}{ex}"


@dataclass
class CidsExport:
    """The CIDS graph, what it leaves out, and the organization it reports for."""

    graph: rdflib.Graph
    unexpressed: list[Unexpressed]
    organization: str
    counts: Counter = field(default_factory=Counter)

    def serialize(self, fmt: str, context: dict | None = None) -> bytes:
        """The export as ``ttl`` or ``jsonld`` (with ``context``, default :func:`load_context`)."""
        if fmt == "ttl":
            return self.graph.serialize(format="turtle").encode("utf-8")
        if fmt == "jsonld":
            ctx = context if context is not None else load_context()
            data = self.graph.serialize(format="json-ld", context=ctx, auto_compact=True)
            doc = json.loads(data)
            return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        raise CidsError(f"the CIDS profile writes ttl or jsonld, not {fmt!r}")

    def text(self) -> str:
        lines = ["exported as CIDS:"]
        lines += [f"  {n:>5}  {c}" for c, n in sorted(self.counts.items())]
        lines.append("not expressed in CIDS:")
        lines += [u.text() for u in self.unexpressed] or ["  (nothing)"]
        return "\n".join(lines)

    def write_unexpressed(self, path: Path) -> None:
        """The list of what is not expressed, as CSV (what, count, reason, examples)."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["what", "count", "reason", "examples"])
            for u in self.unexpressed:
                w.writerow([u.what, u.count, u.reason, " ".join(u.examples)])


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


# ---------------------------------------------------------------------- reading the graph
def _s(text) -> Literal:
    return Literal(" ".join(str(text).split()), datatype=XSD.string)


def _https(iri: str) -> URIRef:
    return URIRef(SDG_HTTPS + iri[len(SDG) :]) if iri.startswith(SDG) else URIRef(iri)


class _Reader:
    def __init__(self, kg):
        self.kg = kg
        self.filter = f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in SKIP_GRAPHS)}))"
        self.props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in kg.sparql(
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self.filter} }}"
        ).rows:
            if isinstance(s, URIRef):
                self.props[str(s)][str(p)].append(o)

    def of_type(self, cls: str) -> list[str]:
        return sorted(s for s, ps in self.props.items() if URIRef(cls) in ps.get(str(RDF.type), []))

    def values(self, s: str, p: str) -> list:
        return sorted(self.props.get(s, {}).get(p, []), key=str)

    def objects(self, s: str, p: str) -> list[str]:
        return [str(o) for o in self.values(s, p) if isinstance(o, URIRef)]

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted(s for s, ps in self.props.items() if URIRef(o) in ps.get(p, []))

    def label(self, s: str, *langs: str, preds: tuple[str, ...] = ()) -> str | None:
        preds = preds or (str(rdflib.RDFS.label), SKOS + "prefLabel")
        for lang in (*langs, None):
            for p in preds:
                for o in self.values(s, p):
                    if isinstance(o, Literal) and (lang is None or o.language == lang):
                        return " ".join(str(o).split())
        return None


# ---------------------------------------------------------------------- the export
def to_cids(kg, organization: str | None = None) -> CidsExport:
    """The graph as CIDS data, with the list of what CIDS cannot express.

    >>> export = to_cids(kg)  # doctest: +SKIP
    >>> export.counts["cids:Indicator"]  # doctest: +SKIP
    32
    """
    r = _Reader(kg)
    org_iri = organization or DEFAULT_ORGANIZATION
    if org_iri not in r.of_type(IKG + "Organization"):
        raise CidsError(
            f"CIDS needs the organization the indicators belong to, and <{org_iri}> is not an "
            "organization in the graph"
        )
    g = rdflib.Graph()
    for prefix, ns in (("cids", CIDS), ("org", ORG), ("i72", I72), ("act", ACT), ("oep", OEP),
                       ("prov", PROV), ("skos", SKOSNS), ("xsd", XSD), ("sch", SCH)):  # fmt: skip
        g.bind(prefix, ns)
    for prefix in ("ikd", "sdg"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("sdgs", SDG_HTTPS)
    counts: Counter = Counter()
    consumed: dict[str, set[str]] = {}
    unexpressed: list[Unexpressed] = []
    org = URIRef(org_iri)
    T = str(RDF.type)  # noqa: N806
    LABEL = str(rdflib.RDFS.label)  # noqa: N806

    def add(s, p, o) -> None:
        g.add((URIRef(s) if isinstance(s, str) else s, p, o))

    def typed(s: str, cls: URIRef, uses: set[str]) -> None:
        add(s, RDF.type, cls)
        counts[g.namespace_manager.normalizeUri(cls)] += 1
        consumed.setdefault(s, set()).update({T, LABEL, SKOS + "prefLabel", IKG + "searchKey"}, uses)

    second_language = 0

    def name(s: str, pred=ORG.hasName) -> str:
        nonlocal second_language
        ja, en = r.label(s, "ja"), r.label(s, "en")
        text = ja or en or r.label(s) or s.rsplit("/", 1)[-1]
        if ja and en and ja != en:
            second_language += 1
        add(s, pred, _s(text))
        return text

    # -- organizations
    fin = "https://w3id.org/impactkg/concept/organization-type/financial-institution"
    for o in r.of_type(IKG + "Organization"):
        typed(o, CIDS.Organization, {IKG + "organizationType"})
        if fin in r.objects(o, IKG + "organizationType"):
            add(o, RDF.type, CIDS.FinancialOrganization)
        ja, en = r.label(o, "ja"), r.label(o, "en")
        add(o, ORG.hasLegalName, _s(ja or en or r.label(o) or o))
        if en and ja:
            add(o, ORG.hasName, _s(en))

    # -- themes: domains and SDG goals; SDG targets as codes
    themes_used: set[str] = set()
    codes_used: set[str] = set()
    for d in r.of_type(IKG + "Domain"):
        typed(d, CIDS.Theme, {SKOS + "definition", SKOS + "inScheme", SKOS + "notation"})
        name(d)
        desc = r.label(d, "ja", "en", preds=(SKOS + "definition",)) or r.label(d, "en") or "domain"
        add(d, CIDS.hasDescription, _s(desc))

    def goal_of(target: str) -> str:
        return SDG + target[len(SDG) :].split(".")[0]

    # -- logic-model elements
    outcomes = sorted(set(r.of_type(IKG + "Impact")) | set(r.of_type(IKG + "Outcome")))
    results = sorted(
        (set(r.of_type(IKG + "Result")) | set(r.of_type(IKG + "Output"))) - set(outcomes)
    )
    activities = r.of_type(IKG + "Activity")
    models = r.of_type(IKG + "LogicModel")
    indicators = r.of_type(IKG + "Indicator")
    element_uses = {IKG + "servesTarget", IKG + "domain", IKG + "contributesTo", IKG + "hasResult",
                    IKG + "sdgTarget", IKG + "leadsTo"}  # fmt: skip

    def themes_of(s: str) -> list[str]:
        found = set(r.objects(s, IKG + "domain"))
        targets = r.objects(s, IKG + "servesTarget") + r.objects(s, IKG + "sdgTarget")
        found |= {goal_of(t) for t in targets} | set(r.objects(s, IKG + "sdgGoal"))
        return sorted(found)

    measured_by: dict[str, set[str]] = defaultdict(set)
    for ind in indicators:
        for x in r.objects(ind, IKG + "measures"):
            measured_by[x].add(ind)
    for oc in outcomes:
        typed(oc, CIDS.Outcome, element_uses)
        label = name(oc)
        targets = r.objects(oc, IKG + "servesTarget")
        codes = ", ".join(t[len(SDG) :] for t in targets)
        add(oc, CIDS.hasDescription, _s(f"{label}（インパクト" + (f"。SDGsターゲット {codes}" if codes else "") + "）"))
        add(oc, CIDS.forOrganization, org)
        add(org, CIDS.hasOutcome, URIRef(oc))
        for t in themes_of(oc):
            add(oc, CIDS.forTheme, _https(t) if t.startswith(SDG) else URIRef(t))
            (themes_used.add(t) if t.startswith(SDG) else None)
        for t in targets:
            add(oc, CIDS.hasCode, _https(t))
            codes_used.add(t)
        contributing = set(r.subjects(IKG + "contributesTo", oc))
        for ind in sorted(measured_by[oc] | {i for x in contributing for i in measured_by[x]}):
            add(oc, CIDS.hasIndicator, URIRef(ind))
    for res in results:
        typed(res, CIDS.Output, element_uses)
        label = name(res)
        add(res, CIDS.hasDescription, _s(f"{label}（アウトプット・アウトカム例）"))
        for oc in r.objects(res, IKG + "contributesTo"):
            add(res, CIDS.canProduce, URIRef(oc))
        for a in r.subjects(IKG + "hasResult", res):
            add(res, ACT.forActivity, URIRef(a))
    for a in activities:
        typed(a, CIDS.Activity, element_uses)
        label = name(a)
        add(a, CIDS.hasDescription, _s(f"{label}（アクティビティ例）"))
    for m in models:
        typed(m, CIDS.ImpactModel, {IKG + "hasElement", IKG + "domain"})
        label = name(m)
        add(m, CIDS.hasDescription, _s(f"ロジックモデル: {label}"))
        add(m, CIDS.forOrganization, org)
        for e in r.objects(m, IKG + "hasElement"):
            add(e, OEP.partOf, URIRef(m))

    # -- indicators and their values
    definers: set[str] = set()
    skipped_values: dict[str, list[str]] = defaultdict(list)
    no_unit = []
    for ind in indicators:
        typed(ind, CIDS.Indicator, {IKG + "unit", IKG + "unitText", IKG + "measures", IKG + "hasValue",
                                    IKG + "domain", IKG + "sdgGoal", SKOS + "exactMatch",
                                    SKOS + "closeMatch", IKG + "dataSource", DCTERMS + "identifier"})  # fmt: skip
        label = name(ind)
        ident = r.label(ind, preds=(DCTERMS + "identifier",))
        if ident:
            add(ind, ORG.hasIdentifier, _s(ident))
        unit = r.label(ind, preds=(IKG + "unitText",)) or r.label(
            r.objects(ind, IKG + "unit")[0] if r.objects(ind, IKG + "unit") else "", "ja"
        )
        if not unit:
            no_unit.append(ind)
        add(ind, CIDS.unitDescription, _s(unit or "not stated in the source (単位の記載なし)"))
        parts = [f"インパクト指標: {label}"]
        if r.label(ind, "en") and r.label(ind, "en") != label:
            parts.append(f"English: {r.label(ind, 'en')}")
        targets = r.objects(ind, IKG + "sdgTarget")
        if targets:
            parts.append("SDGs target " + ", ".join(t[len(SDG) :] for t in targets))
        source = r.label(ind, "ja", "en", preds=(IKG + "dataSource",))
        if source:
            parts.append(f"データソース: {source}")
        add(ind, CIDS.hasDescription, _s(" / ".join(parts)))
        add(ind, CIDS.forOrganization, org)
        add(ind, CIDS.definedBy, org)
        add(org, CIDS.hasIndicator, URIRef(ind))
        for x in r.objects(ind, IKG + "measures"):
            if x in outcomes:
                add(ind, CIDS.forOutcome, URIRef(x))
            elif x in results:
                add(ind, CIDS.usesOutput, URIRef(x))
                for oc in r.objects(x, IKG + "contributesTo"):
                    add(ind, CIDS.forOutcome, URIRef(oc))
        for t in themes_of(ind):
            add(ind, CIDS.forTheme, _https(t) if t.startswith(SDG) else URIRef(t))
            (themes_used.add(t) if t.startswith(SDG) else None)
        for p in (SKOS + "exactMatch", SKOS + "closeMatch"):
            for m in r.objects(ind, p):
                add(ind, URIRef(p), _https(m))
                if m.startswith(IRIS_NS):
                    code = m[len(IRIS_NS) :]
                    add(ind, CIDS.hasCode, URIRef(m))
                    add(m, RDF.type, CIDS.Code)
                    add(m, ORG.hasIdentifier, _s(code))
                    add(m, ORG.hasName, _s(r.label(m, "en") or code))
                    metric_desc = r.label(m, "en", preds=(SKOS + "definition",))
                    add(m, CIDS.hasDescription, _s(metric_desc or f"IRIS+ metric {code}"))
                    add(m, SCH.codeValue, Literal(code))
                    add(m, CIDS.hasSpecification, Literal(m, datatype=XSD.anyURI))
                    add(m, CIDS.definedBy, URIRef(CODE_DEFINERS["iris"][0]))
                    definers.add("iris")
        cids_reports.indicator_values(r, add, typed, ind, label, org, skipped_values)  # values: cids_reports.py

    # -- SDG goals (themes and codes) and targets (codes), with CIDS's https IRIs
    for goal in sorted(themes_used | {goal_of(t) for t in codes_used}):
        code = goal[len(SDG) :]
        node = _https(goal)
        add(node, RDF.type, CIDS.Theme)
        add(node, RDF.type, CIDS.Code)
        counts["cids:Theme (SDG goal)"] += 1
        add(node, ORG.hasIdentifier, _s(code))
        add(node, ORG.hasName, _s(f"Goal {code}: {r.label(goal, 'en') or r.label(goal) or code}"))
        desc = r.label(goal, "en", preds=(SKOS + "definition",)) or r.label(goal, "ja") or f"SDG {code}"
        add(node, CIDS.hasDescription, _s(desc))
        _sdg_code(add, node, goal, code)
        if code.isdigit():
            measure = URIRef(record_iri("measure", f"sdg-goal-{code}"))
            add(node, I72.value, measure)
            add(measure, RDF.type, I72.Measure)
            add(measure, I72.hasNumericalValue, _s(code))
        definers.add("sdg")
    for t in sorted(codes_used):
        code = t[len(SDG) :]
        node = _https(t)
        add(node, RDF.type, CIDS.Code)
        counts["cids:Code (SDG target)"] += 1
        add(node, ORG.hasIdentifier, _s(code))
        add(node, ORG.hasName, _s(f"Target {code}"))
        desc = r.label(t, "en", preds=(SKOS + "definition",)) or r.label(t, "en") or f"SDG target {code}"
        add(node, CIDS.hasDescription, _s(desc))
        _sdg_code(add, node, t, code)
        definers.add("sdg")
    for key in sorted(definers):
        iri, legal, name_ja = CODE_DEFINERS[key]
        add(iri, RDF.type, CIDS.Organization)
        add(iri, ORG.hasLegalName, _s(legal))
        add(iri, ORG.hasName, _s(name_ja))
        counts["cids:Organization (defines codes)"] += 1

    # -- what is not expressed
    exported = set(consumed) | {v for vs in skipped_values.values() for v in vs}
    by_class: dict[str, list[str]] = defaultdict(list)
    schema = {str(rdflib.OWL.Class), str(rdflib.OWL.ObjectProperty), str(rdflib.OWL.DatatypeProperty),
              str(rdflib.OWL.Ontology), SKOS + "ConceptScheme"}  # fmt: skip
    for s, ps in r.props.items():
        types = [str(t) for t in ps.get(T, [])]
        if s in exported or not types or set(types) & schema:
            continue
        if s.startswith(SDG) and set(types) & {SDGO + "Goal", SDGO + "Target", SDGO + "Indicator"}:
            if s in themes_used or s in codes_used:
                continue
        preferred = sorted(types, key=lambda c: (not c.startswith(IKG), c == SKOS + "Concept", c))
        by_class[preferred[0]].append(s)
    for cls, members in sorted(by_class.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        reason = "no CIDS Basic-tier class for it"
        if cls.startswith(SDG):
            reason = "SDG reference data not referenced by an exported record (CIDS uses the UN's code list)"
        elif cls == IKG + "SourceDocument":
            reason = "provenance: CIDS has no class for a source document"
        unexpressed.append(Unexpressed(curie(cls, valid=True), len(members), reason, [curie(m, valid=True) for m in members[:3]]))
    lost: dict[str, list[str]] = defaultdict(list)
    for s in sorted(consumed):
        for p in r.props.get(s, {}):
            if p not in consumed[s]:
                lost[p].append(s)
    for p, subjects in sorted(lost.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        reason = REASONS.get(p, "no CIDS property for it")
        unexpressed.append(
            Unexpressed(f"{curie(p, valid=True)} on exported records", len(subjects), reason, [curie(s, valid=True) for s in subjects[:3]])
        )
    for what, values in skipped_values.items():
        unexpressed.append(Unexpressed("ikg:IndicatorValue", len(values), what, [curie(v, valid=True) for v in values[:3]]))
    if second_language:
        unexpressed.append(
            Unexpressed(
                "labels in a second language",
                second_language,
                "a CIDS name is one xsd:string: the Japanese label is used (organisations keep "
                "the English one as org:hasName)",
            )
        )
    if results:
        unexpressed.append(
            Unexpressed(
                "ikg:Result as cids:Output",
                len(results),
                "the source does not say whether a result is an output or an outcome; it is "
                "exported as cids:Output, which cids:canProduce its outcomes",
            )
        )
    if no_unit:
        unexpressed.append(
            Unexpressed(
                "indicators without a unit",
                len(no_unit),
                "cids:unitDescription is required: it says 'not stated in the source'",
                [curie(i, valid=True) for i in no_unit[:3]],
            )
        )
    return CidsExport(graph=g, unexpressed=unexpressed, organization=org_iri, counts=counts)


def _sdg_code(add, node: URIRef, iri: str, code: str) -> None:
    """The Essential-tier properties of an SDG goal or target code. ``sch:codeValue`` is a plain
    literal (an xsd:string in RDF 1.1): CIDS's JSON-LD context has no term for it, and a typed
    one would come back plain from the JSON-LD."""
    add(node, SCH.codeValue, Literal(code))
    add(node, CIDS.hasSpecification, Literal(iri, datatype=XSD.anyURI))
    add(node, CIDS.definedBy, URIRef(CODE_DEFINERS["sdg"][0]))




def write(kg, output: str | Path, fmt: str | None = None, organization: str | None = None) -> CidsExport:
    """Write the CIDS export to ``output`` (``.ttl`` or ``.jsonld``) and, beside it,
    ``<name>.unexpressed.csv`` listing what CIDS cannot express.

    >>> export = write(kg, "impactkg-cids.jsonld")  # doctest: +SKIP
    """
    output = Path(output)
    fmt = fmt or {".ttl": "ttl", ".jsonld": "jsonld", ".json": "jsonld"}.get(output.suffix.lower())
    fmt = {"turtle": "ttl", "json": "jsonld", "json-ld": "jsonld"}.get(fmt or "", fmt)
    if fmt not in ("ttl", "jsonld"):
        raise CidsError("the CIDS profile writes Turtle or JSON-LD: name the output .ttl or .jsonld")
    export = to_cids(kg, organization)
    data = export.serialize(fmt)
    write_atomically(output, data, CidsError)
    try:
        export.write_unexpressed(output.with_name(output.stem + ".unexpressed.csv"))
    except OSError as exc:
        raise CidsError(f"cannot write the list of what CIDS cannot express: {exc.strerror or exc}") from None
    return export
