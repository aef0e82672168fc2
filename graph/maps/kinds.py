"""The logic-model, finance and stakeholder maps, read from the graph (the system map, with its
loops and leverage, is in the package's ``__init__``; the value map in :mod:`.value`).

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> data = finance(kg)
>>> sorted({n["groups"]["method"].rsplit("/", 1)[-1] for n in data.nodes if "method" in n.get("groups", {})})[:3]
['blended', 'bond', 'capital-loan']
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from impactkg.graph.maps import Lines, MapData
from impactkg.graph.maps.data import _Builder, _goal_label, _label, _rows, _target_label
from impactkg.ontology import search_key

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph


# ---------------------------------------------------------------------- logic-model map
def logic(kg: KnowledgeGraph) -> MapData:
    b = _Builder("logic", kg)
    domain_of: dict[str, set[str]] = defaultdict(set)
    for r in _rows(kg, "logic-model-domains"):
        domain_of[r["e"]].add(r["d"])
    for r in _rows(kg, "logic-element-domains"):
        domain_of[r["e"]].add(r["d"])
    for d in {d for ds in domain_of.values() for d in ds}:
        b.domain(d, _label(b.labels, d))

    indicators = _rows(kg, "logic-indicators")
    measured: dict[str, list[dict]] = defaultdict(list)
    for r in indicators:
        if r.get("e"):
            measured[r["e"]].append(r)

    def ind_lines(iri: str) -> Lines:
        out: dict[str, list[str]] = {"ja": [], "en": []}
        for r in measured.get(iri, []):
            name = _label(b.labels, r["ind"])
            unit = r.get("unit") or "—"
            out["ja"].append(f"指標: {name['ja']}（単位: {unit}）")
            out["en"].append(f"Indicator: {name['en']} (unit: {unit})")
        return out

    def element(iri: str, cls: str) -> None:
        b.node(iri, cls, info=ind_lines(iri), domains=sorted(domain_of.get(iri, ())))

    chain = _rows(kg, "logic-chain")
    for r in chain:
        if r.get("a"):
            element(r["a"], "activity")
        if r.get("r"):
            element(r["r"], "result")
        if r.get("i"):
            element(r["i"], "impact")
    targets = _rows(kg, "logic-targets")
    for r in targets:
        t_domains = sorted(domain_of.get(r["i"], ()))
        b.node(r["t"], "sdg-target", _target_label(r["tcode"]), domains=t_domains, key=r["tcode"])
        if r.get("g"):
            b.node(r["g"], "sdg-goal", _goal_label(b.labels, r["g"], r["gcode"]), domains=t_domains, key=r["gcode"])
    for r in indicators:
        t: Lines = {"ja": [], "en": []}
        if r.get("unit"):
            t["ja"].append(f"単位: {r['unit']}")
            t["en"].append(f"Unit: {r['unit']}")
        if r.get("tcode"):
            t["ja"].append(f"SDGsターゲット: {r['tcode']}")
            t["en"].append(f"SDG target: {r['tcode']}")
        b.node(r["ind"], "indicator", info=t, domains=sorted(domain_of.get(r["ind"], ())))
    for r in _rows(kg, "logic-has-result"):
        b.edge(r["a"], r["r"], "has-result")
    for r in _rows(kg, "logic-contributes-to"):
        b.edge(r["r"], r["i"], "contributes-to")
    for r in targets:
        b.edge(r["i"], r["t"], "serves-target")
        if r.get("g"):
            b.edge(r["t"], r["g"], "target-of")
    for r in indicators:
        if r.get("e"):
            b.edge(r["ind"], r["e"], "measures")
    levels = {"activity": 0, "result": 1, "indicator": 2, "impact": 3, "sdg-target": 4, "sdg-goal": 5}
    for n in b.data.nodes:
        n["level"] = levels[n["cls"]]
    return b.data


# ---------------------------------------------------------------------- finance map
def finance(kg: KnowledgeGraph) -> MapData:
    b = _Builder("finance", kg)
    cases = _rows(kg, "finance-cases")
    facets = _rows(kg, "finance-facets")
    issues_of: dict[str, list[str]] = defaultdict(list)
    for r in facets:
        if r["rel"] == "addresses":
            issues_of[r["c"]].append(b.domain(r["x"], _label(b.labels, r["x"])))
    for r in cases:
        if r["c"] in b.index:
            continue
        info: Lines = {"ja": [], "en": []}
        for key, ja, en in (("number", "事例番号", "Case number"), ("instrument", "金融商品", "Instrument"),
                            ("year", "年", "Year")):
            if r.get(key) is not None:
                info["ja"].append(f"{ja}: {r[key]}")
                info["en"].append(f"{en}: {r[key]}")
        if r.get("amount") is not None:
            info["ja"].append(f"金額: {r['amount']:,} {r['currency']}")
            info["en"].append(f"Amount: {r['amount']:,} {r['currency']}")
        label = _label(b.labels, r["c"], f"事例 {r.get('number') or ''}".strip())
        b.node(r["c"], "finance-case", label, info, domains=sorted(set(issues_of.get(r["c"], []))))
    for r in cases:
        if r.get("provider"):
            b.node(r["provider"], "organization")
            b.edge(r["provider"], r["c"], "provides")
        if r.get("recipient"):
            rid = "urn:impactkg:recipient:" + search_key(r["recipient"])
            b.node(rid, "recipient", {"ja": r["recipient"], "en": r["recipient"]}, key=r["recipient"])
            b.edge(r["c"], rid, "receives")
    classes = {"method": "finance-method", "addresses": "social-issue", "stage": "growth-stage"}
    for r in facets:
        domains = [r["x"]] if r["rel"] == "addresses" else []
        b.node(r["x"], classes[r["rel"]], domains=domains)
        b.edge(r["c"], r["x"], r["rel"])
    # The page groups cases by these facets (one method and the provider per case).
    for r in sorted(facets, key=lambda r: r["x"]):
        if r["rel"] == "method":
            b.index[r["c"]].setdefault("groups", {}).setdefault("method", r["x"])
    for r in cases:
        if r.get("provider"):
            b.index[r["c"]].setdefault("groups", {})["provider"] = r["provider"]
    for r in _rows(kg, "finance-bundles"):
        b.node(r["org"], "organization")
        b.node(r["bundle"], "support-bundle")
        b.edge(r["org"], r["bundle"], "bundles")
        if r.get("stage"):
            b.node(r["stage"], "growth-stage")
            b.edge(r["bundle"], r["stage"], "stage")
    return b.data


# ---------------------------------------------------------------------- stakeholder map
def stakeholders(kg: KnowledgeGraph) -> MapData:
    b = _Builder("stakeholders", kg)
    orgs = _rows(kg, "stakeholder-organizations")
    for r in orgs:
        t = r.get("type") or ""
        tail = t.rsplit("/", 1)[-1]
        cls = tail if tail in ("subcommittee", "consortium") else "organization"
        domains = [b.domain(t, _label(b.labels, t))] if t else []
        info: Lines = {"ja": [], "en": []}
        if t:
            info["ja"].append(f"種類: {_label(b.labels, t)['ja']}")
            info["en"].append(f"Type: {_label(b.labels, t)['en']}")
        if r.get("abbr"):
            info["ja"].append(f"略称: {r['abbr']}")
            info["en"].append(f"Abbreviation: {r['abbr']}")
        b.node(r["o"], cls, info=info, domains=domains)
    for r in _rows(kg, "stakeholder-sub-organizations"):
        b.edge(r["o"], r["parent"], "part-of")
    people = _rows(kg, "stakeholder-people")
    for r in people:
        info = {"ja": [], "en": []}
        if r.get("position"):
            info["ja"].append(f"役職: {r['position']}")
            info["en"].append(f"Position: {r['position']}")
        b.node(r["p"], "person", info=info)
    for r in people:
        if r.get("aff"):
            b.edge(r["p"], r["aff"], "affiliation")
    for r in _rows(kg, "stakeholder-memberships"):
        role = _label(b.labels, r["role"]) if r.get("role") else {"ja": "メンバー", "en": "member"}
        info = {lang: [f"役割: {role['ja']}" if lang == "ja" else f"Role: {role['en']}"] for lang in ("ja", "en")}
        if r.get("track"):
            info["ja"].append(f"トラック: {r['track']}")
            info["en"].append(f"Track: {r['track']}")
        b.edge(r["p"], r["o"], "member", info, id=r["m"])
    return b.data
