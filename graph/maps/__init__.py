"""The data of the interactive maps, read from the graph: nodes and edges of the logic-model,
system, finance and stakeholder maps, with focus (an N-step neighbourhood), domain and SDG-target
filters, paths from an intervention to a target, feedback loops and leverage points.

Rendering is :mod:`impactkg.graph.maps.view`; :func:`interactive_map` does both.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> data = build_map(kg, "system")
>>> sorted({loop["polarity"] for loop in data.loops})
['B', 'R']
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from impactkg.errors import ImpactKGError
from impactkg.graph.analysis import system
from impactkg.ontology import IKG, SDGO, nfkc, sdg_iri, search_key

if TYPE_CHECKING:
    from impactkg.graph.maps.view import MapView
    from impactkg.graph.store import KnowledgeGraph

KINDS = ("logic", "system", "finance", "stakeholders")
#: Above this many nodes the layout is computed in Python and physics is off. The browser's
#: physics must settle before vis-network draws anything: in headless chromium (2 cores, software
#: rendering) that takes 1.0 s at 100 nodes, 1.5 s at 200 and 4.5 s at 500, against 0.6 s for a
#: 2,000-node map laid out here (bench/results.md).
LAYOUT_LIMIT = 150

Text = dict[str, str]  # {"ja": ..., "en": ...}

#: Legend entries: class key -> labels.
CLASSES: dict[str, Text] = {
    "activity": {"ja": "アクティビティ", "en": "Activity"},
    "result": {"ja": "アウトプット・アウトカム", "en": "Output / outcome"},
    "impact": {"ja": "インパクト", "en": "Impact"},
    "sdg-target": {"ja": "SDGsターゲット", "en": "SDG target"},
    "sdg-goal": {"ja": "SDGsゴール", "en": "SDG goal"},
    "indicator": {"ja": "インパクト指標", "en": "Indicator"},
    "core-issue": {"ja": "コア課題", "en": "Core issue"},
    "issue": {"ja": "課題", "en": "Issue"},
    "condition": {"ja": "状態", "en": "Condition"},
    "resource": {"ja": "資源", "en": "Resource"},
    "intervention": {"ja": "介入", "en": "Intervention"},
    "outcome": {"ja": "成果", "en": "Outcome"},
    "factor": {"ja": "要因", "en": "Factor"},
    "organization": {"ja": "組織", "en": "Organisation"},
    "finance-case": {"ja": "ファイナンス事例", "en": "Finance case"},
    "support-bundle": {"ja": "支援の束", "en": "Support bundle"},
    "recipient": {"ja": "資金の受け手", "en": "Recipient"},
    "finance-method": {"ja": "ファイナンス手法", "en": "Finance method"},
    "social-issue": {"ja": "社会課題", "en": "Social issue"},
    "growth-stage": {"ja": "成長段階", "en": "Growth stage"},
    "concept": {"ja": "概念", "en": "Concept"},
    "person": {"ja": "人", "en": "Person"},
    "subcommittee": {"ja": "分科会", "en": "Subcommittee"},
    "consortium": {"ja": "コンソーシアム", "en": "Consortium"},
    "resource-other": {"ja": "その他の資源", "en": "Other resource"},
}

RELATIONS: dict[str, Text] = {
    "has-result": {"ja": "結果を生む", "en": "has result"},
    "contributes-to": {"ja": "インパクトに寄与", "en": "contributes to"},
    "serves-target": {"ja": "ターゲットに資する", "en": "serves target"},
    "target-of": {"ja": "ゴールのターゲット", "en": "target of goal"},
    "measures": {"ja": "測定する", "en": "measures"},
    "causal+": {"ja": "+ 同じ向きに変化させる", "en": "+ same direction"},
    "causal-": {"ja": "− 逆向きに変化させる", "en": "− opposite direction"},
    "refers-to": {"ja": "対応する資源", "en": "refers to"},
    "provides": {"ja": "資金を出す", "en": "provides finance"},
    "receives": {"ja": "資金の受け手", "en": "received by"},
    "method": {"ja": "ファイナンス手法", "en": "finance method"},
    "addresses": {"ja": "社会課題", "en": "addresses"},
    "stage": {"ja": "成長段階", "en": "growth stage"},
    "bundles": {"ja": "支援の束", "en": "support bundle"},
    "affiliation": {"ja": "所属", "en": "affiliation"},
    "member": {"ja": "メンバー", "en": "member of"},
    "part-of": {"ja": "上位組織", "en": "part of"},
}

TITLES: dict[str, Text] = {
    "logic": {"ja": "ロジックモデルマップ", "en": "Logic-model map"},
    "system": {"ja": "システムマップ", "en": "System map"},
    "finance": {"ja": "ファイナンス・エコシステム", "en": "Finance ecosystem"},
    "stakeholders": {"ja": "ステークホルダー・ネットワーク", "en": "Stakeholder network"},
}


@dataclass
class MapData:
    """What a map shows: nodes, edges, legend, loops, leverage points and notes.

    A node is a dict with ``id``, ``label`` ({ja, en}), ``cls`` (legend key), ``domains`` (keys of
    :attr:`domains`), ``info`` ({ja: [lines], en: [lines]}, the tooltip) and optionally ``key``,
    ``size``, ``x``, ``y``. An edge has ``id``, ``from``, ``to``, ``rel`` (key of
    :attr:`relations`), ``info`` and for causal links ``polarity``, ``delay``, ``inferred`` and
    ``status`` (assertion status). A loop has ``code``, ``polarity``, ``nodes``, ``edges``,
    ``name`` and its evidence: ``counts`` (stated, reading, doubtful, inferred), ``weakest`` (a
    link id), ``status`` (the weakest link's) and ``rank`` (4 stated ... 1 inferred).
    """

    kind: str
    title: Text
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    classes: dict[str, Text] = field(default_factory=dict)
    relations: dict[str, Text] = field(default_factory=dict)
    domains: dict[str, Text] = field(default_factory=dict)
    loops: list[dict[str, Any]] = field(default_factory=list)
    leverage: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    physics: bool = True
    highlight: list[str] = field(default_factory=list)
    #: System maps: the weakest evidence the analysis (loops listed first, leverage ranking) and
    #: the initially drawn links admit: "stated", "reading", "doubtful" or None (every link).
    evidence: str | None = None

    def node(self, node_id: str) -> dict[str, Any] | None:
        return next((n for n in self.nodes if n["id"] == node_id), None)

    def pairs(self) -> list[tuple[str, str]]:
        """Edges as directed pairs; ``refers-to`` edges count in both directions."""
        out = []
        for e in self.edges:
            out.append((e["from"], e["to"]))
            if e["rel"] == "refers-to":
                out.append((e["to"], e["from"]))
        return out


# ---------------------------------------------------------------------- reading the graph
def _rows(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Any]]:
    return kg.sparql(sparql).dicts()


def _labels(kg: KnowledgeGraph) -> dict[str, Text]:
    """Every label of the graph: IRI -> {ja, en} (a missing language borrows the other)."""
    res = kg.sparql("SELECT ?s ?l WHERE { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } }")
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, lab in res.rows:
        lang = getattr(lab, "language", None)
        if lang in ("ja", "en"):
            out[str(s)].setdefault(lang, str(lab))
        else:
            out[str(s)].setdefault("plain", str(lab))
    for names in out.values():
        plain = names.pop("plain", None)
        names.setdefault("ja", names.get("en") or plain or "")
        names.setdefault("en", names.get("ja") or plain or "")
    return out


def _short(text: str, n: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _label(labels: dict[str, Text], iri: str, fallback: str | None = None) -> Text:
    found = labels.get(iri)
    if found:
        return dict(found)
    name = fallback or re.split(r"[/#]", iri)[-1]
    return {"ja": name, "en": name}


def _source(rows: dict[str, list[dict]], iri: str) -> tuple[list[str], list[str]]:
    lines = sorted({r["line"] for r in rows.get(iri, []) if r.get("line") is not None})
    if not lines:
        return [], []
    text = ", ".join(str(n) for n in lines[:6]) + ("…" if len(lines) > 6 else "")
    return [f"出典の行: {text}"], [f"Source line: {text}"]


def _sources(kg: KnowledgeGraph) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in _rows(kg, "SELECT ?s ?line WHERE { ?s ikg:sourceLine ?line }"):
        out[r["s"]].append(r)
    return out


class _Builder:
    """Collects nodes and edges without duplicates."""

    def __init__(self, kind: str, kg: KnowledgeGraph):
        self.data = MapData(kind, dict(TITLES[kind]))
        self.labels = _labels(kg)
        self.sources = _sources(kg)
        self.index: dict[str, dict[str, Any]] = {}
        self.edge_ids: set[str] = set()

    def node(self, iri: str, cls: str, label: Text | None = None, info: Text | None = None,
             domains: list[str] | None = None, key: str | None = None) -> dict[str, Any]:
        if iri in self.index:
            n = self.index[iri]
            for d in domains or []:
                if d not in n["domains"]:
                    n["domains"].append(d)
            return n
        label = label or _label(self.labels, iri)
        head = CLASSES.get(cls) or {"ja": cls, "en": cls}
        src_ja, src_en = _source(self.sources, iri)
        lines = {
            "ja": [f"{head['ja']}: {label['ja']}", *(info or {}).get("ja", []), *src_ja],
            "en": [f"{head['en']}: {label['en']}", *(info or {}).get("en", []), *src_en],
        }
        n = {
            "id": iri,
            "label": {lang: _short(label[lang]) for lang in ("ja", "en")},
            "full": label,
            "cls": cls,
            "domains": list(domains or []),
            "info": lines,
            "key": key or re.split(r"[/#]", iri)[-1],
        }
        self.index[iri] = n
        self.data.nodes.append(n)
        self.data.classes.setdefault(cls, head)
        return n

    def edge(self, a: str, b: str, rel: str, info: Text | None = None, **extra: Any) -> None:
        eid = extra.pop("id", None) or f"{a}|{rel}|{b}"
        if eid in self.edge_ids or a not in self.index or b not in self.index:
            return
        self.edge_ids.add(eid)
        head = RELATIONS.get(rel) or {"ja": rel, "en": rel}
        lines = {
            lang: [f"{self.index[a]['full'][lang]} → {self.index[b]['full'][lang]}", f"({head[lang]})",
                   *(info or {}).get(lang, [])]
            for lang in ("ja", "en")
        }
        self.data.edges.append({"id": eid, "from": a, "to": b, "rel": rel, "info": lines, **extra})
        self.data.relations.setdefault(rel, head)

    def domain(self, key: str, label: Text) -> str:
        self.data.domains.setdefault(key, label)
        return key


def _target_label(code: str) -> Text:
    return {"ja": f"SDGs {code}", "en": f"SDG {code}"}


def _goal_label(labels: dict[str, Text], iri: str, code: str) -> Text:
    name = labels.get(iri, {})
    return {lang: f"SDGs {code}: {name.get(lang, '')}".rstrip(": ") for lang in ("ja", "en")}


# ---------------------------------------------------------------------- logic-model map
def _logic(kg: KnowledgeGraph) -> MapData:
    b = _Builder("logic", kg)
    domain_of: dict[str, set[str]] = defaultdict(set)
    for r in _rows(kg, "SELECT DISTINCT ?e ?d WHERE { ?m a ikg:LogicModel ; ikg:hasElement ?e ; ikg:domain ?d }"):
        domain_of[r["e"]].add(r["d"])
    for r in _rows(kg, "SELECT DISTINCT ?e ?d WHERE { { ?e a ikg:Impact } UNION { ?e a ikg:Indicator } ?e ikg:domain ?d }"):
        domain_of[r["e"]].add(r["d"])
    for d in {d for ds in domain_of.values() for d in ds}:
        b.domain(d, _label(b.labels, d))

    indicators = _rows(kg, """
        SELECT ?ind ?e ?unit ?t ?tcode WHERE {
          ?ind a ikg:Indicator . OPTIONAL { ?ind ikg:measures ?e }
          OPTIONAL { ?ind ikg:unitText ?unit }
          OPTIONAL { ?ind ikg:sdgTarget ?t . ?t skos:notation ?tcode }
        }""")
    measured: dict[str, list[dict]] = defaultdict(list)
    for r in indicators:
        if r.get("e"):
            measured[r["e"]].append(r)

    def ind_lines(iri: str) -> Text:
        out: dict[str, list[str]] = {"ja": [], "en": []}
        for r in measured.get(iri, []):
            name = _label(b.labels, r["ind"])
            unit = r.get("unit") or "—"
            out["ja"].append(f"指標: {name['ja']}（単位: {unit}）")
            out["en"].append(f"Indicator: {name['en']} (unit: {unit})")
        return out

    def element(iri: str, cls: str) -> None:
        b.node(iri, cls, info=ind_lines(iri), domains=sorted(domain_of.get(iri, ())))

    chain = _rows(kg, """
        SELECT ?a ?r ?i WHERE {
          { ?a ikg:hasResult ?r } UNION { ?r ikg:contributesTo ?i } UNION { ?i a ikg:Impact }
        }""")
    for r in chain:
        if r.get("a"):
            element(r["a"], "activity")
        if r.get("r"):
            element(r["r"], "result")
        if r.get("i"):
            element(r["i"], "impact")
    targets = _rows(kg, """
        SELECT DISTINCT ?i ?t ?tcode ?g ?gcode WHERE {
          ?i a ikg:Impact ; ikg:servesTarget ?t . ?t skos:notation ?tcode .
          OPTIONAL { ?t sdgo:isTargetOf ?g . ?g skos:notation ?gcode }
        }""")
    for r in targets:
        t_domains = sorted(domain_of.get(r["i"], ()))
        b.node(r["t"], "sdg-target", _target_label(r["tcode"]), domains=t_domains, key=r["tcode"])
        if r.get("g"):
            b.node(r["g"], "sdg-goal", _goal_label(b.labels, r["g"], r["gcode"]), domains=t_domains, key=r["gcode"])
    for r in indicators:
        t = {"ja": [], "en": []}
        if r.get("unit"):
            t["ja"].append(f"単位: {r['unit']}")
            t["en"].append(f"Unit: {r['unit']}")
        if r.get("tcode"):
            t["ja"].append(f"SDGsターゲット: {r['tcode']}")
            t["en"].append(f"SDG target: {r['tcode']}")
        b.node(r["ind"], "indicator", info=t, domains=sorted(domain_of.get(r["ind"], ())))
    for r in _rows(kg, "SELECT ?a ?r WHERE { ?a a ikg:Activity ; ikg:hasResult ?r }"):
        b.edge(r["a"], r["r"], "has-result")
    for r in _rows(kg, "SELECT ?r ?i WHERE { ?r ikg:contributesTo ?i }"):
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


# ---------------------------------------------------------------------- system map
FACTOR_TYPES = ("core-issue", "issue", "condition", "resource", "intervention", "outcome")
REFERENCE_CLASSES = {
    IKG + "Organization": "organization",
    IKG + "FinanceCase": "finance-case",
    IKG + "SupportBundle": "support-bundle",
    SDGO + "Target": "sdg-target",
    SDGO + "Goal": "sdg-goal",
    IKG + "Activity": "activity",
    IKG + "Impact": "impact",
    IKG + "SocialIssue": "social-issue",
    IKG + "GrowthStage": "growth-stage",
    IKG + "FinanceMethod": "finance-method",
}


def _system(kg: KnowledgeGraph, max_loop_length: int = system.MAX_LOOP_LENGTH,
            evidence: str | None = None) -> MapData:
    b = _Builder("system", kg)
    factors = _rows(kg, """
        SELECT ?f ?id ?type ?domain ?domainEn ?desc WHERE {
          ?f a ikg:Factor . OPTIONAL { ?f dcterms:identifier ?id } OPTIONAL { ?f ikg:factorType ?type }
          OPTIONAL { ?f ikg:factorDomain ?domain FILTER(lang(?domain) != "en") }
          OPTIONAL { ?f ikg:factorDomain ?domainEn FILTER(lang(?domainEn) = "en") }
          OPTIONAL { ?f dcterms:description ?desc }
        }""")
    links = _rows(kg, """
        SELECT ?l ?a ?b ?p ?inferred ?delay ?evidence ?citation ?status WHERE {
          ?l a ikg:CausalLink ; ikg:fromFactor ?a ; ikg:toFactor ?b ; ikg:polarity ?p .
          OPTIONAL { ?l ikg:inferred ?inferred } OPTIONAL { ?l ikg:delay ?delay }
          OPTIONAL { ?l ikg:evidence ?evidence } OPTIONAL { ?l dcterms:bibliographicCitation ?citation }
          OPTIONAL { ?l ikg:assertionStatus/skos:notation ?status }
        }""")
    if not factors:
        raise ImpactKGError(
            "the graph has no system map: load an elements and a connections table "
            "('impactkg template system_elements' and 'system_connections'), or rebuild with 'impactkg build'"
        )
    for r in factors:
        ftype = (r.get("type") or "factor").lower()
        cls = ftype if ftype in FACTOR_TYPES else ("factor" if ftype == "factor" else f"factor:{ftype}")
        if cls.startswith("factor:"):
            b.data.classes.setdefault(cls, {"ja": ftype, "en": ftype})
        domains = []
        info = {"ja": [], "en": []}
        if r.get("domain") or r.get("domainEn"):
            ja, en = r.get("domain") or r["domainEn"], r.get("domainEn") or r["domain"]
            key = "d:" + search_key(ja)
            domains.append(b.domain(key, {"ja": ja, "en": en}))
            info["ja"].append(f"領域: {ja}")
            info["en"].append(f"Domain: {en}")
        if r.get("desc"):
            info["ja"].append(r["desc"])
            info["en"].append(r["desc"])
        b.node(r["f"], cls, info=info, domains=domains, key=r.get("id"))
    sys_links = []
    for r in links:
        sign = "-" if r["p"] == "-" else "+"
        status = str(r.get("status") or ("inferred" if r.get("inferred") else "stated"))
        info = {"ja": [], "en": []}
        if r.get("evidence"):
            info["ja"].append(f"根拠: 「{r['evidence']}」")
            info["en"].append(f"Evidence: “{r['evidence']}”")
        if r.get("citation"):
            info["ja"].append(f"出典: {r['citation']}")
            info["en"].append(f"Source: {r['citation']}")
        src_ja, src_en = _source(b.sources, r["l"])
        info["ja"] += src_ja
        info["en"] += src_en
        words = EVIDENCE_WORDS.get(status, EVIDENCE_WORDS["inferred"])
        info["ja"].append(words["ja"])
        info["en"].append(words["en"])
        if r.get("delay"):
            info["ja"].append("遅れを伴う")
            info["en"].append("with delay")
        b.edge(r["a"], r["b"], f"causal{sign}", info, id=r["l"], polarity=sign,
               inferred=status == "inferred", delay=bool(r.get("delay")), status=status,
               rank=system.EVIDENCE_RANK.get(status, 1))
        sys_links.append(system.Link(r["a"], r["b"], sign, r["l"], status))
    refs = _rows(kg, """
        SELECT ?f ?x ?type ?code WHERE {
          ?f a ikg:Factor ; ikg:refersTo ?x . OPTIONAL { ?x a ?type } OPTIONAL { ?x skos:notation ?code }
        }""")
    by_ref: dict[str, dict[str, Any]] = {}
    for r in refs:
        cls = REFERENCE_CLASSES.get(r.get("type") or "")
        entry = by_ref.setdefault(r["x"], {"cls": None, "code": r.get("code"), "factors": set()})
        entry["factors"].add(r["f"])
        if cls and (entry["cls"] is None or cls in ("sdg-target", "sdg-goal")):
            entry["cls"] = cls
    for x, entry in sorted(by_ref.items()):
        cls = entry["cls"] or "resource-other"
        label = None
        if cls == "sdg-target" and entry["code"]:
            label = _target_label(entry["code"])
        elif cls == "sdg-goal" and entry["code"]:
            label = _goal_label(b.labels, x, entry["code"])
        b.node(x, cls, label, key=entry["code"])
        for f in sorted(entry["factors"]):
            b.edge(f, x, "refers-to")
    _loops_and_leverage(b.data, sys_links, max_loop_length, evidence)
    return b.data


#: How a causal link's assertion status reads in its tooltip.
EVIDENCE_WORDS: dict[str, Text] = {
    "stated": {"ja": "出典に記述のあるリンク", "en": "stated in the source"},
    "reading": {"ja": "出典の記述のチームによる読み取り", "en": "the team's reading of the source"},
    "translation": {"ja": "出典の記述のチームによる読み取り", "en": "the team's reading of the source"},
    "doubtful": {"ja": "OCR の損傷で疑わしいリンク", "en": "doubtful OCR"},
    "inferred": {"ja": "推測によるリンク", "en": "inferred by the team"},
}


def _loops_and_leverage(data: MapData, links: list[system.Link], max_length: int,
                        evidence: str | None = None) -> None:
    """Every loop with its evidence, and the leverage ranking on the links at ``evidence`` or
    stronger (all links when None)."""
    loops = system.find_loops(links, max_length)
    full = {n["id"]: n["full"] for n in data.nodes}
    for code, loop in system.number_loops(loops):
        weakest = loop.weakest
        data.loops.append({
            "code": code,
            "polarity": loop.polarity,
            "nodes": list(loop.nodes),
            "edges": [x.id for x in loop.links],
            "name": {lang: f"{code}: {loop.path_text({k: v[lang] for k, v in full.items()})}" for lang in ("ja", "en")},
            "counts": loop.evidence_counts(),
            "weakest": weakest.id,
            "weakestName": {lang: f"{full.get(weakest.source, {}).get(lang, weakest.source)} → "
                                  f"{full.get(weakest.target, {}).get(lang, weakest.target)}" for lang in ("ja", "en")},
            "status": loop.evidence,
            "rank": weakest.rank,
        })
    if loops.truncated:
        data.notes.append({"ja": f"ループが多すぎるため最初の {len(loops)} 個のみ表示",
                           "en": f"too many loops: only the first {len(loops)} are listed"})
    data.evidence = evidence
    ranked = system.at_evidence(links, evidence)
    ranked_loops = loops if evidence is None else system.find_loops(ranked, max_length)
    lev = system.leverage(ranked, ranked_loops)
    data.notes.append({"ja": lev.note("ja"), "en": lev.note("en")})
    if evidence is not None:
        level = EVIDENCE_WORDS[evidence]
        data.notes.append({
            "ja": f"レバレッジ・ポイントは根拠が「{level['ja']}」以上のリンク {len(ranked)} 本（全 {len(links)} 本）で計算",
            "en": f"leverage ranked on the {len(ranked)} of {len(links)} links at evidence '{evidence}' or stronger",
        })
    top = max((p.score for p in lev.points), default=1) or 1
    by_node = {n["id"]: n for n in data.nodes}
    for p in lev.points:
        data.leverage.append({"node": p.node, "rank": p.rank, "score": p.score, "betweenness": p.betweenness,
                              "degree": p.degree, "loops": p.loops})
        n = by_node.get(p.node)
        if n is not None:
            n["size"] = round(14 + 14 * p.score / top, 1)
            n["info"]["ja"].append(f"レバレッジ順位 {p.rank}（媒介中心性 {p.betweenness:.3f}・次数 {p.degree}・ループ {p.loops}）")
            n["info"]["en"].append(f"Leverage rank {p.rank} (betweenness {p.betweenness:.3f}, degree {p.degree}, loops {p.loops})")
    counts = {"R": sum(1 for x in loops if x.polarity == "R"), "B": sum(1 for x in loops if x.polarity == "B")}
    data.notes.insert(0, {"ja": f"ループ: 強化 R {counts['R']}・バランス B {counts['B']}（長さ {max_length} まで）",
                          "en": f"Loops: {counts['R']} reinforcing (R), {counts['B']} balancing (B), up to length {max_length}"})


# ---------------------------------------------------------------------- finance map
def _finance(kg: KnowledgeGraph) -> MapData:
    b = _Builder("finance", kg)
    cases = _rows(kg, """
        SELECT ?c ?number ?provider ?recipient ?amount ?currency ?year ?instrument WHERE {
          ?c a ikg:FinanceCase . OPTIONAL { ?c ikg:caseNumber ?number } OPTIONAL { ?c ikg:provider ?provider }
          OPTIONAL { ?c ikg:recipient ?recipient } OPTIONAL { ?c ikg:amount ?amount ; ikg:currency ?currency }
          OPTIONAL { ?c ikg:year ?year } OPTIONAL { ?c ikg:instrument ?instrument }
        }""")
    facets = _rows(kg, """
        SELECT DISTINCT ?c ?rel ?x WHERE {
          { ?c a ikg:FinanceCase ; ikg:financeMethod ?x BIND("method" AS ?rel) }
          UNION { ?c a ikg:FinanceCase ; ikg:socialIssue ?x BIND("addresses" AS ?rel) }
          UNION { ?c a ikg:FinanceCase ; ikg:growthStage ?x BIND("stage" AS ?rel) }
          UNION { ?e a ikg:CaseMapEntry ; ikg:case ?c ; ikg:financeMethod ?x BIND("method" AS ?rel) }
          UNION { ?e a ikg:CaseMapEntry ; ikg:case ?c ; ikg:socialIssue ?x BIND("addresses" AS ?rel) }
        }""")
    issues_of: dict[str, list[str]] = defaultdict(list)
    for r in facets:
        if r["rel"] == "addresses":
            issues_of[r["c"]].append(b.domain(r["x"], _label(b.labels, r["x"])))
    for r in cases:
        if r["c"] in b.index:
            continue
        info = {"ja": [], "en": []}
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
    for r in _rows(kg, """
        SELECT ?bundle ?org ?stage WHERE {
          ?bundle a ikg:SupportBundle ; ikg:supportOrganization ?org . OPTIONAL { ?bundle ikg:growthStage ?stage }
        }"""):
        b.node(r["org"], "organization")
        b.node(r["bundle"], "support-bundle")
        b.edge(r["org"], r["bundle"], "bundles")
        if r.get("stage"):
            b.node(r["stage"], "growth-stage")
            b.edge(r["bundle"], r["stage"], "stage")
    return b.data


# ---------------------------------------------------------------------- stakeholder map
def _stakeholders(kg: KnowledgeGraph) -> MapData:
    b = _Builder("stakeholders", kg)
    orgs = _rows(kg, """
        SELECT ?o ?type ?abbr WHERE {
          ?o a ikg:Organization . OPTIONAL { ?o ikg:organizationType ?type } OPTIONAL { ?o skos:altLabel ?abbr }
        }""")
    for r in orgs:
        t = r.get("type") or ""
        tail = t.rsplit("/", 1)[-1]
        cls = tail if tail in ("subcommittee", "consortium") else "organization"
        domains = [b.domain(t, _label(b.labels, t))] if t else []
        info = {"ja": [], "en": []}
        if t:
            info["ja"].append(f"種類: {_label(b.labels, t)['ja']}")
            info["en"].append(f"Type: {_label(b.labels, t)['en']}")
        if r.get("abbr"):
            info["ja"].append(f"略称: {r['abbr']}")
            info["en"].append(f"Abbreviation: {r['abbr']}")
        b.node(r["o"], cls, info=info, domains=domains)
    for r in _rows(kg, "SELECT ?o ?parent WHERE { ?o a ikg:Organization ; org:subOrganizationOf ?parent }"):
        b.edge(r["o"], r["parent"], "part-of")
    people = _rows(kg, """
        SELECT ?p ?position ?aff WHERE {
          ?p a ikg:Person . OPTIONAL { ?p ikg:position ?position } OPTIONAL { ?p ikg:affiliation ?aff }
        }""")
    for r in people:
        info = {"ja": [], "en": []}
        if r.get("position"):
            info["ja"].append(f"役職: {r['position']}")
            info["en"].append(f"Position: {r['position']}")
        b.node(r["p"], "person", info=info)
    for r in people:
        if r.get("aff"):
            b.edge(r["p"], r["aff"], "affiliation")
    for r in _rows(kg, """
        SELECT ?m ?p ?o ?role ?track WHERE {
          ?m a ikg:Membership ; org:member ?p ; org:organization ?o .
          OPTIONAL { ?m org:role ?role } OPTIONAL { ?m ikg:track ?track }
        }"""):
        role = _label(b.labels, r["role"]) if r.get("role") else {"ja": "メンバー", "en": "member"}
        info = {lang: [f"役割: {role['ja']}" if lang == "ja" else f"Role: {role['en']}"] for lang in ("ja", "en")}
        if r.get("track"):
            info["ja"].append(f"トラック: {r['track']}")
            info["en"].append(f"Track: {r['track']}")
        b.edge(r["p"], r["o"], "member", info, id=r["m"])
    return b.data


# ---------------------------------------------------------------------- filters
def resolve_node(data: MapData, ref: str) -> str:
    """The id of the node ``ref`` names: its IRI, its id (``population-decline``, ``blended-6``),
    an SDG target code (``8.3``) or its label (Japanese or English). Raises ImpactKGError."""
    ref = nfkc(ref)
    ids = {n["id"] for n in data.nodes}
    if ref in ids:
        return ref
    if re.fullmatch(r"\d{1,2}(\.[0-9a-z]{1,2})?", ref) and sdg_iri(ref) in ids:
        return sdg_iri(ref)
    key = search_key(ref)
    for test in (
        lambda n: search_key(str(n.get("key") or "")) == key,
        lambda n: search_key(re.split(r"[/#]", n["id"])[-1]).endswith("-" + key),
        lambda n: key in (search_key(n["full"]["ja"]), search_key(n["full"]["en"])),
    ):
        found = sorted({n["id"] for n in data.nodes if test(n)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(data.node(i)["full"]["ja"] for i in found[:5])
            raise ImpactKGError(f"{ref!r} names {len(found)} nodes on the {data.kind} map ({names}); use an IRI")
    raise ImpactKGError(f"no node {ref!r} on the {data.kind} map (give an id, label, IRI or SDG target code)")


def _keep(data: MapData, keep: set[str]) -> None:
    data.nodes = [n for n in data.nodes if n["id"] in keep]
    data.edges = [e for e in data.edges if e["from"] in keep and e["to"] in keep]
    data.loops = [x for x in data.loops if set(x["nodes"]) <= keep]
    data.leverage = [x for x in data.leverage if x["node"] in keep]
    used = {n["cls"] for n in data.nodes}
    data.classes = {k: v for k, v in data.classes.items() if k in used}
    rels = {e["rel"] for e in data.edges}
    data.relations = {k: v for k, v in data.relations.items() if k in rels}
    doms = {d for n in data.nodes for d in n["domains"]}
    data.domains = {k: v for k, v in data.domains.items() if k in doms}


def filter_domain(data: MapData, domain: str) -> Text:
    """Keep the nodes of ``domain`` (key, id or label) and the nodes without a domain next to them;
    return the domain's labels."""
    key = search_key(domain)
    match = [k for k, v in data.domains.items()
             if key in (search_key(k), search_key(k.rsplit("/", 1)[-1]), search_key(k.removeprefix("d:")),
                        search_key(v["ja"]), search_key(v["en"]))]
    if not match:  # a unique label that starts with the text: 環境 for 環境 (気候変動・…)
        match = [k for k, v in data.domains.items()
                 if search_key(v["ja"]).startswith(key) or search_key(v["en"]).startswith(key)]
        match = match if len(match) == 1 else []
    if not match:
        known = ", ".join(sorted(v["ja"] for v in data.domains.values())) or "none"
        raise ImpactKGError(f"no domain {domain!r} on the {data.kind} map (domains: {known})")
    core = {n["id"] for n in data.nodes if set(n["domains"]) & set(match)}
    free = {n["id"] for n in data.nodes if not n["domains"]}
    keep = set(core)
    for a, b in data.pairs():
        if a in core and b in free:
            keep.add(b)
        if b in core and a in free:
            keep.add(a)
    label = dict(data.domains[match[0]])
    _keep(data, keep)
    return label


def restrict(data: MapData, focus: str | None = None, depth: int | None = None,
             target: str | None = None) -> None:
    """Keep the ``depth``-step neighbourhood of ``focus`` (default 2), the nodes upstream of
    ``target``, or with both, the paths from ``focus`` to ``target`` (at most ``depth`` steps,
    default 8). The focus and target are highlighted."""
    if depth is not None and depth < 0:
        raise ImpactKGError("--depth must be 0 or more")
    pairs = data.pairs()
    f = resolve_node(data, focus) if focus else None
    t = resolve_node(data, target) if target else None
    if f and t:
        found = system.paths(pairs, f, t, max_length=depth or 8)
        if not found:
            raise ImpactKGError(f"no path from {focus!r} to {target!r} within {depth or 8} steps on the {data.kind} map")
        keep = {n for p in found for n in p}
        data.notes.append({"ja": f"{focus} から {target} への経路 {len(found)} 本",
                           "en": f"{len(found)} paths from {focus} to {target}"})
    elif f:
        keep = system.neighbourhood(pairs, f, 2 if depth is None else depth)
    elif t:
        keep = system.upstream(pairs, t, depth)
    else:
        return
    data.highlight = [x for x in (f, t) if x]
    _keep(data, keep)


def spring_positions(n: int, edges: list[tuple[int, int]], *, iterations: int | None = None, seed: int = 7):
    """Fruchterman-Reingold positions (an ``n x 2`` numpy array around the unit square),
    vectorised with numpy in row blocks; fewer iterations for larger graphs, so that thousands
    of nodes take seconds.

    >>> spring_positions(3, [(0, 1), (1, 2)]).shape
    (3, 2)
    """
    import numpy as np

    if iterations is None:
        iterations = max(20, min(60, 100_000 // max(n, 1)))

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n < 2:
        return pos
    k = math.sqrt(1.0 / n)
    src = np.array([a for a, _ in edges], dtype=np.intp)
    dst = np.array([b for _, b in edges], dtype=np.intp)
    temperature = 0.1
    cool = temperature / (iterations + 1)
    block = max(1, 2_000_000 // n)
    for _ in range(iterations):
        disp = np.zeros((n, 2))
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        for i in range(0, n, block):
            # Repulsion of size k^2 / d along (p_i - p_j), summed over j.
            dx = x[i : i + block, None] - x[None, :]
            dy = y[i : i + block, None] - y[None, :]
            w = np.float32(k * k) / np.maximum(dx * dx + dy * dy, np.float32(1e-9))
            disp[i : i + block, 0] += (w * dx).sum(axis=1)
            disp[i : i + block, 1] += (w * dy).sum(axis=1)
        if len(src):
            delta = pos[src] - pos[dst]
            dist = np.sqrt((delta**2).sum(axis=1)) + 1e-9
            pull = delta * (dist / k)[:, None]
            np.add.at(disp, src, -pull)
            np.add.at(disp, dst, pull)
        disp -= (pos - 0.5) * (n * k * 0.05)  # a little gravity keeps loose parts near
        length = np.maximum(np.sqrt((disp**2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cool
    return pos


def layout(data: MapData, seed: int = 7) -> None:
    """Positions from a spring layout computed here, and physics off (for large maps)."""
    index = {n["id"]: i for i, n in enumerate(data.nodes)}
    pairs = [(index[e["from"]], index[e["to"]]) for e in data.edges]
    pos = spring_positions(len(data.nodes), pairs, seed=seed)
    span = float((pos.max(axis=0) - pos.min(axis=0)).max()) or 1.0
    scale = 110 * math.sqrt(len(data.nodes)) / span
    centre = pos.mean(axis=0)
    for n, (x, y) in zip(data.nodes, pos - centre, strict=True):
        n["x"], n["y"] = round(float(x) * scale, 1), round(float(y) * scale, 1)
    data.physics = False
    data.notes.append({"ja": f"{len(data.nodes)} ノード: 配置は事前計算（物理演算なし）",
                       "en": f"{len(data.nodes)} nodes: layout precomputed, physics off"})


# ---------------------------------------------------------------------- entry points
def build_map(
    kg: KnowledgeGraph,
    kind: str,
    *,
    focus: str | None = None,
    depth: int | None = None,
    domain: str | None = None,
    target: str | None = None,
    max_loop_length: int = system.MAX_LOOP_LENGTH,
    evidence: str | None = None,
) -> MapData:
    """The data of map ``kind`` (logic, system, finance, stakeholders), filtered.

    ``evidence`` (system map only): ``stated``, ``reading`` or ``doubtful`` ranks leverage
    points on the causal links of that evidence or stronger, and the page starts with the weaker
    links hidden (its evidence filter shows them again); ``inferred`` or None uses every link.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> d = build_map(kg, "logic", target="16.1")
    >>> sorted({n["cls"] for n in d.nodes})
    ['activity', 'impact', 'indicator', 'result', 'sdg-target']
    """
    builders = {"logic": _logic, "system": lambda g: _system(g, max_loop_length, level),
                "finance": _finance, "stakeholders": _stakeholders}
    if kind not in builders:
        raise ImpactKGError(f"unknown map {kind!r} (use one of: {', '.join(KINDS)})")
    if evidence is not None and evidence not in system.EVIDENCE_LEVELS:
        raise ImpactKGError(f"--evidence must be one of {', '.join(system.EVIDENCE_LEVELS)}, not {evidence!r}")
    if evidence is not None and kind != "system":
        raise ImpactKGError(f"--evidence is for the system map (its causal links), not the {kind} map")
    level = None if evidence == "inferred" else evidence
    data = builders[kind](kg)
    if domain:
        label = filter_domain(data, domain)
        data.title = {lang: f"{data.title[lang]}: {label[lang]}" for lang in ("ja", "en")}
    restrict(data, focus, depth, target)
    if not data.nodes:
        raise ImpactKGError(f"nothing is left on the {kind} map after filtering")
    if len(data.nodes) > LAYOUT_LIMIT:
        layout(data)
    return data


def intervention_paths(
    kg: KnowledgeGraph, source: str, target: str, *, max_length: int = 8, lang: str = "ja"
) -> list[list[str]]:
    """Paths from an intervention (activity, finance case, factor, ...) to an SDG target or any
    node, over the logic-model and system maps together, as lists of labels.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> intervention_paths(kg, "blended-6", "8.3", lang="en")[0][-1]
    'SDG 8.3'
    """
    merged = MapData("system", dict(TITLES["system"]))
    for kind in ("logic", "system"):
        part = build_map(kg, kind)
        seen = {n["id"] for n in merged.nodes}
        merged.nodes += [n for n in part.nodes if n["id"] not in seen]
        merged.edges += part.edges
    s, t = resolve_node(merged, source), resolve_node(merged, target)
    labels = {n["id"]: n["full"][lang if lang in ("ja", "en") else "ja"] for n in merged.nodes}
    return [[labels[x] for x in p] for p in system.paths(merged.pairs(), s, t, max_length=max_length)]


def interactive_map(kg: KnowledgeGraph, kind: str, *, lang: str = "ja", **filters: Any) -> MapView:
    """An interactive map, shown inline in Jupyter and saved with ``.save("map.html")``.

    ``filters``: ``focus``, ``depth``, ``domain``, ``target`` (see :func:`build_map`).

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> "vis.Network" in interactive_map(kg, "system", lang="en").html()
    True
    """
    from impactkg.graph.maps.view import MapView

    return MapView(build_map(kg, kind, **filters), lang=lang)


__all__ = [
    "KINDS", "MapData", "build_map", "filter_domain", "interactive_map", "intervention_paths",
    "layout", "resolve_node", "restrict",
]
