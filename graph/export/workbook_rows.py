"""Reading the records of one namespace out of the graph as table rows, one reader per kind of
table, in exactly the columns the loaders read (for the catalogue workbook,
:mod:`impactkg.graph.export.workbook`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from impactkg.graph.export.imm_tables import _agent
from impactkg.graph.export.workbook_index import (
    SOURCE,
    _concept_ref,
    _has_prov,
    _ids,
    _Index,
    _label,
    _prov,
    _record_ref,
    _Row,
    _strip,
    _tail,
    _yes,
)
from impactkg.ontology import (
    CONCEPT,
    DCAT,
    DCTERMS,
    FOAF,
    IKG,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMES,
    SDG,
    SDGO,
    SKOS,
    curie,
)


# ---- one function per kind: the rows of that kind in namespace ``ns``
def _concepts(ix: _Index, ns: str) -> list[_Row]:
    by_scheme = {v[0]: k for k, v in SCHEMES.items()}
    order = list(SCHEMES)
    rows = []
    for s in ix.of_class(SKOS + "Concept", ns):
        scheme = by_scheme.get(ix.iri(s, SKOS + "inScheme"))
        if scheme is None or scheme in OWN_SCHEMES or not _has_prov(ix, s) or not s.startswith(CONCEPT):
            continue
        cells = {
            "scheme": scheme,
            "id": _tail(s),
            "label_ja": ix.text(s, SKOS + "prefLabel", "ja"),
            "label_en": ix.text(s, SKOS + "prefLabel", "en"),
            "definition_ja": ix.text(s, SKOS + "definition", "ja"),
            "definition_en": ix.text(s, SKOS + "definition", "en"),
            "broader": _ids(ix, s, SKOS + "broader"),
            "notation": ix.text(s, SKOS + "notation"),
            "exact_match": " ".join(ix.iris(s, SKOS + "exactMatch")),
        }
        row = _prov(ix, s, cells)
        row.sort = (order.index(scheme), row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _sdg(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(SKOS + "Concept", ns):
        if ix.iri(s, SKOS + "inScheme") != SDG.rstrip("/") or not _has_prov(ix, s):
            continue
        code = ix.text(s, SKOS + "notation") or _tail(s)
        goal = ix.iri(s, SDGO + "isTargetOf")
        cells = {
            "code": code,
            "goal": _tail(goal) if goal else "",
            "label_ja": ix.text(s, SKOS + "prefLabel", "ja"),
            "label_en": ix.text(s, SKOS + "prefLabel", "en"),
        }
        row = _prov(ix, s, cells)
        major, _, minor = code.partition(".")
        row.sort = (bool(goal), int(major) if major.isdigit() else 99,
                    (0, int(minor)) if minor.isdigit() else (1, minor))
        rows.append(row)
    return rows


def _organizations(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Organization", ns):
        if not _has_prov(ix, s):
            continue
        ja = ix.texts(s, RDFS + "label", "ja")
        en = ix.texts(s, RDFS + "label", "en")
        cells = {
            "id": _tail(s),
            "name_ja": ja[0] if ja else "",
            "name_en": en[0] if en else "",
            "abbreviation": ix.text(s, SKOS + "altLabel"),
            "org_type": _concept_ref(ix, ix.iri(s, IKG + "organizationType")),
            "parent": _ids(ix, s, ORG + "subOrganizationOf"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _people(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Person", ns):
        cells = {
            "id": _tail(s),
            "name_ja": ix.text(s, RDFS + "label", "ja"),
            "name_en": ix.text(s, RDFS + "label", "en"),
            "organization": _ids(ix, s, IKG + "affiliation"),
            "position": ix.text(s, IKG + "position"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _memberships(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Membership", ns):
        person, org = _tail(ix.iri(s, ORG + "member")), _tail(ix.iri(s, ORG + "organization"))
        key = _tail(s)
        rest = key[len(person) + len(org) + 2:] if key.startswith(f"{person}-{org}-") else key
        role_text, _, tail = rest.rpartition("-")
        role = ix.iri(s, ORG + "role")
        cells = {
            "person": person,
            "organization": org,
            "role": "" if not role and role_text == "member" else role_text,
            "track": ix.text(s, IKG + "track"),
        }
        row = _prov(ix, s, cells, identity_line=tail)
        row.sort = (row.line or 0, key)
        rows.append(row)
    return rows


def _pick(ix: _Index, candidates: Iterable[str], line: int | None) -> str:
    """Of the elements a row may have made, the one that cites the row's line."""
    found = sorted(c for c in candidates if line is not None and line in ix.lines(c))
    return found[0] if found else ""


def _catalogue(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    by_line: dict[tuple[str, int], list[str]] = defaultdict(list)
    for cls in ("Activity",):
        for s in ix.of_class(IKG + cls, ns):
            for n in ix.lines(s):
                by_line[(cls, n)].append(s)
    for s in ix.of_class(IKG + "Indicator", ns):
        if not _has_prov(ix, s):
            continue
        ja = ix.texts(s, RDFS + "label", "ja")
        en = ix.texts(s, RDFS + "label", "en")
        if ja:
            indicator, indicator_en = ja[0], (en[0] if en else "")
        else:
            indicator, indicator_en = (en[0] if en else ""), (en[1] if len(en) > 1 else "")
        lines = ix.lines(s)
        line = lines[0] if lines else None
        measured = ix.iri(s, IKG + "measures")
        types = ix.types(measured) if measured else set()
        result = impact = activity = ""
        if IKG + "Result" in types:
            result = measured
            impact = ix.iri(result, IKG + "contributesTo")
            activity = _pick(ix, ix.incoming.get(result, {}).get(IKG + "hasResult", []), line)
        elif IKG + "Impact" in types:
            impact = measured
            activity = _pick(ix, by_line.get(("Activity", line), []), line) if line else ""
        elif IKG + "Activity" in types:
            activity = measured
        domain = ix.iri(s, IKG + "domain")
        domain_text = ""
        if domain:
            models = [
                m for m in ix.incoming.get(measured, {}).get(IKG + "hasElement", [])
                if domain in ix.iris(m, IKG + "domain")
            ] if measured else []
            labels = [lab for m in sorted(models) for lab in ix.texts(m, RDFS + "label")
                      if lab.startswith(f"{ns}: ")]
            domain_text = labels[0][len(ns) + 2:] if labels else _concept_ref(ix, domain)
        target, goal = ix.iri(s, IKG + "sdgTarget"), ix.iri(s, IKG + "sdgGoal")
        cells = {
            "id": ix.text(s, DCTERMS + "identifier") or _strip(_tail(s), ns),
            "indicator": indicator,
            "indicator_en": indicator_en,
            "unit": ix.text(s, IKG + "unitText"),
            "domain": domain_text,
            "sdg_goal": _tail(goal) if goal else "",
            "sdg_target": _tail(target) if target else "",
            "impact": _label(ix, impact) if impact else "",
            "activity": _label(ix, activity) if activity else "",
            "result": _label(ix, result) if result else "",
            "data_source": ix.text(s, IKG + "dataSource"),
            "part_of": " ".join(_record_ref(ix, w, ns) for w in ix.iris(s, DCTERMS + "isPartOf")),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _values(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "IndicatorValue", ns):
        owners = ix.incoming.get(s, {}).get(IKG + "hasValue", [])
        ind = sorted(owners)[0] if owners else ""
        ind_id = ix.text(ind, DCTERMS + "identifier") if ind else ""
        ind_ns = ns if ind and ns in ix.namespaces(ind) else next(iter(sorted(ix.namespaces(ind))), ns)
        org, project = ix.iri(s, IKG + "forOrganization"), ix.iri(s, IKG + "project")
        cells = {
            "indicator": ind_id if ind_ns == ns else f"{ind_ns}:{ind_id}",
            "kind": _tail(ix.iri(s, IKG + "valueKind")),
            "value": ix.text(s, RDF + "value"),
            "unit": _concept_ref(ix, ix.iri(s, IKG + "unit")),
            "year": ix.text(s, IKG + "year"),
            "period": ix.text(s, IKG + "period") if not ix.text(s, IKG + "year") else "",
            "organization": _tail(org) if org else "",
            "project": _label(ix, project) if project else "",
            "population": ix.text(s, IKG + "population"),
            "data_source": ix.text(s, IKG + "dataSource"),
            "source_url": ix.iri(s, PROV + "hadPrimarySource"),
            "recorded_by": _agent(ix, s),
        }
        # The value's IRI is made from its indicator, kind, organisation, project and period end,
        # not from its row: no row is pinned.
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["indicator"], cells["kind"])
        rows.append(row)
    return rows


def _fragments(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "SourceFragment", ns):
        key = _strip(_tail(s), ns)
        cells = {
            "text": _label(ix, s),
            "unit_text": ix.text(s, IKG + "unitText"),
            "extra": ix.text(s, RDFS + "comment"),
        }
        row = _prov(ix, s, cells, identity_line=key)
        row.sort = (int(key) if key.isdigit() else 0, key)
        rows.append(row)
    return rows


def _databases(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "ReferenceDataset", ns):
        notes = ix.texts(s, SKOS + "note", "en")
        alt = next((n[len("also at line "):] for n in notes if n.startswith("also at line ")), "")
        cells = {
            "id": _strip(_tail(s), ns),
            "name": ix.text(s, DCTERMS + "title") or _label(ix, s),
            "publisher": _ids(ix, s, DCTERMS + "publisher"),
            "summary": ix.text(s, DCTERMS + "description"),
            "data_examples": ix.text(s, IKG + "dataExample"),
            "scope": ix.text(s, IKG + "geographicScope"),
            "url": ix.iri(s, DCAT + "landingPage"),
            "category": ix.text(s, IKG + "category"),
            "table": ix.text(s, IKG + "guideTable"),
            "scenes": _ids(ix, s, IKG + "processScene"),
            "domain": _ids(ix, s, IKG + "domain"),
            "alt_line": alt,
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _finance_cases(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "FinanceCase", ns):
        if not _has_prov(ix, s):
            continue  # a case the case map names but the case list does not describe
        cells = {
            "id": _strip(_tail(s), ns),
            "number": ix.text(s, IKG + "caseNumber"),
            "provider": _ids(ix, s, IKG + "provider"),
            "recipient": ix.text(s, IKG + "recipient"),
            "target_business": ix.text(s, IKG + "targetBusiness"),
            "instrument": ix.text(s, IKG + "instrument"),
            "method": _ids(ix, s, IKG + "financeMethod"),
            "method_text": ix.text(s, SKOS + "note"),
            "summary": ix.text(s, DCTERMS + "description"),
            "blended_category": _ids(ix, s, IKG + "blendedCategory"),
            "effects": _ids(ix, s, IKG + "blendedEffect"),
            "growth_stage": _ids(ix, s, IKG + "growthStage"),
            "social_issue": _ids(ix, s, IKG + "socialIssue"),
            "amount": ix.text(s, IKG + "amount"),
            "currency": ix.text(s, IKG + "currency"),
            "year": ix.text(s, IKG + "year"),
            "subordination_rate": ix.text(s, IKG + "subordinationRate"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _case_map(ix: _Index, ns: str) -> list[_Row]:
    cells_of: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    graphs_of: dict[tuple, set[str]] = defaultdict(set)
    for e in ix.of_class(IKG + "CaseMapEntry", ns):
        issue, method = ix.iri(e, IKG + "socialIssue"), ix.iri(e, IKG + "financeMethod")
        lines, docs = ix.lines(e), ix.iris(e, SOURCE)
        key = (issue, method, lines[0] if lines else 0, docs[0] if docs else "",
               ix.text(e, SKOS + "editorialNote"))
        order = int(ix.text(e, IKG + "order") or 0)
        case = _record_ref(ix, ix.iri(e, IKG + "case"), ns)
        cells_of[key].append((order, case.removeprefix("map-").removeprefix("case-"), e))
        graphs_of[key].update(ix.typed_in.get(e, ()))
    rows = []
    for (issue, method, line, doc, note), entries in cells_of.items():
        entries.sort()
        groups: list[list[tuple[int, str, str]]] = [[]]
        for entry in entries:  # two cells on one line and cell: orders restart
            if groups[-1] and entry[0] <= groups[-1][-1][0]:
                groups.append([])
            groups[-1].append(entry)
        for group in groups:
            cells = {
                "social_issue": _tail(issue),
                "finance_method": _tail(method),
                "case_numbers": " ".join(n for _, n, _ in group),
                "note": note,
            }
            rows.append(_Row(cells, line or None, doc, sort=(line, _tail(issue), _tail(method)),
                             graphs=graphs_of[(issue, method, line, doc, note)],
                             lines=[line] if line else []))
    return rows


def _bundles(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    suffix = ": 支援の束"
    for s in ix.of_class(IKG + "SupportBundle", ns):
        label = _label(ix, s)
        org = label[: -len(suffix)] if label.endswith(suffix) else _ids(ix, s, IKG + "supportOrganization")
        cells = {
            "number": _strip(_tail(s), ns),
            "organization": org,
            "stage_supported": ix.text(s, IKG + "supportedStage"),
            "bundling_points": " / ".join(ix.texts(s, IKG + "bundlingPoint")),
            "growth_stages": _ids(ix, s, IKG + "growthStage"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["number"])
        rows.append(row)
    return rows


def _system_elements(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "Factor", ns):
        ja, en = ix.texts(s, RDFS + "label", "ja"), ix.texts(s, RDFS + "label", "en")
        cells = {
            "id": ix.text(s, DCTERMS + "identifier") or _strip(_tail(s), ns),
            "label_ja": ja[0] if ja else "",
            "label_en": en[0] if en else "",
            "type": ix.text(s, IKG + "factorType"),
            "domain": ix.text(s, IKG + "factorDomain"),
            "description": ix.text(s, DCTERMS + "description"),
            "refers_to": " ".join(curie(i) for i in ix.iris(s, IKG + "refersTo")),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, cells["id"])
        rows.append(row)
    return rows


def _system_connections(ix: _Index, ns: str) -> list[_Row]:
    rows = []
    for s in ix.of_class(IKG + "CausalLink", ns):
        key = _tail(s)
        sep = "--pos--" if "--pos--" in key else "--neg--"
        ends = []
        for part, factor in zip(key.split(sep, 1), (ix.iri(s, IKG + "fromFactor"),
                                                      ix.iri(s, IKG + "toFactor")), strict=False):
            ends.append(_record_ref(ix, factor, ns) if part == _tail(factor) else
                        part[len(ns) + 1:] if part.startswith(ns + "-") else part)
        if len(ends) != 2:
            continue
        cells = {
            "from": ends[0],
            "to": ends[1],
            "polarity": ix.text(s, IKG + "polarity"),
            "delay": _yes(ix, s, IKG + "delay"),
            "evidence": ix.text(s, IKG + "evidence"),
            "source": ix.text(s, DCTERMS + "bibliographicCitation"),
            "inferred": _yes(ix, s, IKG + "inferred"),
        }
        row = _prov(ix, s, cells)
        row.sort = (row.line or 0, key)
        rows.append(row)
    return rows


#: Concept schemes whose concepts other kinds than ``concepts`` make (scheme -> kind).
OWN_SCHEMES = {"green-list": "green_list", "strategic-field": "strategy",
               "cross-cutting-theme": "strategy", "startup-pillar": "strategy"}

#: Kind name -> the function that reads its rows back from the graph.
READERS: dict[str, Callable[[_Index, str], list[_Row]]] = {
    "concepts": _concepts,
    "sdg": _sdg,
    "organizations": _organizations,
    "people": _people,
    "memberships": _memberships,
    "catalogue": _catalogue,
    "values": _values,
    "fragments": _fragments,
    "databases": _databases,
    "finance_cases": _finance_cases,
    "case_map": _case_map,
    "bundles": _bundles,
    "system_elements": _system_elements,
    "system_connections": _system_connections,
}

def _readers() -> dict[str, Callable[[_Index, str], list[_Row]]]:
    """Every kind's reader: those above, the policy tables' (:mod:`.policy_tables`) and the IMM
    tables' (:mod:`.imm_tables`)."""
    from impactkg.graph.export.imm_tables import READERS as IMM
    from impactkg.graph.export.policy_tables import READERS as POLICY

    return {**READERS, **POLICY, **IMM}


#: Classes whose instances a table row makes along with its record (not rows of their own).
BY_PRODUCTS = {
    IKG + c for c in ("Impact", "Activity", "Result", "Output", "Outcome", "LogicModel",
                      "LogicModelElement", "FeedbackLoop", "SourceDocument", "CaseIdentification",
                      "Meeting", "Project", "ValueSeries")
} | {PROV + "Agent"}
_ROW_CLASSES = {
    IKG + c for c in ("Organization", "Person", "Membership", "Indicator", "IndicatorValue",
                      "SourceFragment", "ReferenceDataset", "FinanceCase", "CaseMapEntry",
                      "SupportBundle", "Factor", "CausalLink", "Presentation", "Programme",
                      "KPIAssignment", "ValueHypothesis")
} | {SKOS + "Concept", DCAT + "Dataset", FOAF + "Person", SDGO + "Goal", SDGO + "Target"}


