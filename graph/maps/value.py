"""The value-relationship map (価値関連図, seed lines 585-591): an organisation's KPIs drawn left to
right, impact (and ESG/materiality) KPIs → business KPIs → financial KPIs, joined by its value
hypotheses. A hypothesis is drawn by its evidence (thicker and solid for stronger evidence, thin
and dotted for an assumption, grey for a refuted one) and labelled with its polarity and lag.
Each organisation is a "domain" of the map, so the domain filter shows one organisation's IMM.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> value_map(kg)
Traceback (most recent call last):
...
impactkg.errors.ImpactKGError: no KPI pool or value hypotheses in the graph: load an organisation's IMM (impactkg template kpi_pool / value_hypotheses)
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from impactkg.errors import ImpactKGError
from impactkg.graph.maps import CLASSES, MapData, Text
from impactkg.graph.maps.data import _Builder, _label, _rows

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph

#: Role -> column from the left. ESG/materiality KPIs stand with the impact KPIs: the KPI pool
#: draws on both (seed line 570).
ROLE_LEVELS = {"impact-kpi": 0, "esg-kpi": 0, "business-kpi": 1, "financial-kpi": 2}
#: Evidence levels, the strongest first (the legend's order).
EVIDENCE = ("causal", "correlational", "qualitative", "assumed")


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _lag(months: Any) -> Text:
    if months is None:
        return {"ja": "", "en": ""}
    n = int(months)
    return {"ja": f"{n}か月", "en": f"{n} mo"}


def value_map(kg: KnowledgeGraph) -> MapData:
    """The map's nodes (indicators, by their role) and edges (value hypotheses); see the module."""
    from impactkg.graph.analysis.progress import progress

    assignments = _rows(kg, "value-assignments")
    hypotheses = _rows(kg, "value-hypotheses")
    if not assignments and not hypotheses:
        raise ImpactKGError("no KPI pool or value hypotheses in the graph: load an organisation's IMM "
                            "(impactkg template kpi_pool / value_hypotheses)")
    b = _Builder("value", kg)
    units = {r["ind"]: r["unit"] for r in _rows(kg, "value-units")}
    status = {(p.series.indicator, p.series.organization): p for p in progress(kg) if p.series.project is None}
    roles: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in assignments:
        roles[r["ind"]][r["org"]].append(r)
    orgs = {r["org"] for r in assignments} | {r["org"] for r in hypotheses}
    for org in sorted(orgs):
        b.domain(org, _label(b.labels, org))
    indicators = set(roles) | {r["src"] for r in hypotheses} | {r["dst"] for r in hypotheses}
    for ind in sorted(indicators):
        kinds = sorted({_tail(r["role"]) for rs in roles[ind].values() for r in rs},
                       key=lambda k: (ROLE_LEVELS.get(k, 1), k))
        cls = kinds[0] if kinds else "indicator"
        info: dict[str, list[str]] = {"ja": [], "en": []}
        if units.get(ind):
            info["ja"].append(f"単位: {units[ind]}")
            info["en"].append(f"Unit: {units[ind]}")
        domains = sorted(set(roles[ind]) | {r["org"] for r in hypotheses if ind in (r["src"], r["dst"])})
        for org in domains:
            name = _label(b.labels, org)
            for r in sorted(roles[ind].get(org, []), key=lambda r: -int(r["rank"]))[:1]:
                role = CLASSES.get(_tail(r["role"]), {"ja": _tail(r["role"]), "en": _tail(r["role"])})
                info["ja"].append(f"{name['ja']}: {role['ja']}（{r.get('stageJa') or _tail(r['stage'])}）")
                info["en"].append(f"{name['en']}: {role['en']} ({r.get('stageEn') or _tail(r['stage'])})")
            p = status.get((ind, org))
            if p is not None:
                rounded = p.share_rounded(2)
                share = f" {rounded * 100:.0f}%" if rounded is not None else ""
                info["ja"].append(f"進捗: {p.status_label('ja')}{share}")
                info["en"].append(f"Progress: {p.status_label('en')}{share}")
        node = b.node(ind, cls, info=info, domains=domains)
        node["level"] = ROLE_LEVELS.get(cls, 1)
    for r in hypotheses:
        evidence, state = _tail(r["evidence"]), _tail(r["status"])
        rel = "hypothesis-refuted" if state == "refuted" else f"hypothesis-{evidence}"
        lag = _lag(r.get("lag"))
        sign = "+" if r["polarity"] == "+" else "−"
        org = _label(b.labels, r["org"])
        info = {
            "ja": [f"組織: {org['ja']}", f"極性: {sign}", f"根拠: {_label(b.labels, r['evidence'])['ja']}",
                   f"状態: {_label(b.labels, r['status'])['ja']}"] + ([f"遅れ: {lag['ja']}"] if lag["ja"] else [])
                  + ([f"根拠の説明: {r['note']}"] if r.get("note") else []),
            "en": [f"Organisation: {org['en']}", f"Polarity: {sign}", f"Evidence: {_label(b.labels, r['evidence'])['en']}",
                   f"Status: {_label(b.labels, r['status'])['en']}"] + ([f"Lag: {lag['en']}"] if lag["en"] else [])
                  + ([f"Evidence note: {r['note']}"] if r.get("note") else []),
        }
        text = {lang: f"{sign} {lag[lang]}".strip() for lang in ("ja", "en")}
        b.edge(r["src"], r["dst"], rel, info, id=r["h"], sign=r["polarity"], evidence=evidence,
               status=state, text=text, organization=r["org"])
    order = [f"hypothesis-{e}" for e in EVIDENCE] + ["hypothesis-refuted"]
    b.data.relations = {k: b.data.relations[k] for k in order if k in b.data.relations}
    b.data.notes.append({"ja": "左から右へ：インパクトKPI → 事業KPI → 財務KPI。線の太さ・実線は根拠の強さ",
                         "en": "Left to right: impact KPI → business KPI → financial KPI; thicker, solid "
                               "lines for stronger evidence"})
    return b.data


__all__ = ["EVIDENCE", "ROLE_LEVELS", "value_map"]
