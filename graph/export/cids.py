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

This module reads the graph and builds the export (:func:`to_cids`, :func:`write`); the parts are
in :mod:`~impactkg.graph.export.cids_reference` (namespaces, JSON-LD context, reference files,
validation), :mod:`~impactkg.graph.export.cids_codes` (codes and the organizations that define
them), :mod:`~impactkg.graph.export.cids_reports` (indicator values) and
:mod:`~impactkg.graph.export.cids_unexpressed` (what CIDS cannot express); their names are
re-exported here.

>>> sorted(MINIMAL_CONTEXT)[:3]
['act', 'canProduce', 'cids']
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from impactkg.errors import CidsError
from impactkg.graph.export import cids_reports
from impactkg.graph.export.cids_codes import CODE_DEFINERS as CODE_DEFINERS
from impactkg.graph.export.cids_codes import _sdg_code as _sdg_code
from impactkg.graph.export.cids_codes import code_definers, goal_of, iris_code, sdg_codes
from impactkg.graph.export.cids_reference import ACT as ACT
from impactkg.graph.export.cids_reference import CIDS as CIDS
from impactkg.graph.export.cids_reference import I72 as I72
from impactkg.graph.export.cids_reference import IRIS_NS as IRIS_NS
from impactkg.graph.export.cids_reference import MINIMAL_CONTEXT as MINIMAL_CONTEXT
from impactkg.graph.export.cids_reference import OEP as OEP
from impactkg.graph.export.cids_reference import ORG as ORG
from impactkg.graph.export.cids_reference import PROV as PROV
from impactkg.graph.export.cids_reference import REFERENCE_ENV as REFERENCE_ENV
from impactkg.graph.export.cids_reference import SCH as SCH
from impactkg.graph.export.cids_reference import SDG_HTTPS as SDG_HTTPS
from impactkg.graph.export.cids_reference import SKOSNS as SKOSNS
from impactkg.graph.export.cids_reference import _https as _https
from impactkg.graph.export.cids_reference import _s as _s
from impactkg.graph.export.cids_reference import basic_shapes as basic_shapes
from impactkg.graph.export.cids_reference import load_context as load_context
from impactkg.graph.export.cids_reference import reference_dir as reference_dir
from impactkg.graph.export.cids_reference import validate as validate
from impactkg.graph.export.cids_unexpressed import REASONS as REASONS
from impactkg.graph.export.cids_unexpressed import Unexpressed, not_expressed
from impactkg.graph.files import write_atomically
from impactkg.ontology import DCTERMS, GRAPH, IKG, ONTOLOGY_GRAPH, PREFIXES, SDG, SKOS, record_iri

#: The organization whose catalogue the embedded dataset holds (データ・指標分科会).
DEFAULT_ORGANIZATION = record_iri("org", "data-indicators")
SKIP_GRAPHS = (ONTOLOGY_GRAPH, GRAPH + "inferred")


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


# ---------------------------------------------------------------------- reading the graph
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
                    iris_code(r, add, ind, m, definers)  # codes: cids_codes.py
        cids_reports.indicator_values(r, add, typed, ind, label, org, skipped_values)  # values: cids_reports.py

    # -- SDG goals (themes and codes) and targets (codes), with CIDS's https IRIs: cids_codes.py
    sdg_codes(r, add, counts, themes_used, codes_used, definers)
    code_definers(add, counts, definers)

    # -- what is not expressed: cids_unexpressed.py
    unexpressed = not_expressed(r, consumed=consumed, skipped_values=skipped_values,
                                themes_used=themes_used, codes_used=codes_used,
                                second_language=second_language, results=results, no_unit=no_unit)
    return CidsExport(graph=g, unexpressed=unexpressed, organization=org_iri, counts=counts)


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
