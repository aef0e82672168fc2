"""The data of the interactive maps, read from the graph: nodes and edges of the logic-model,
system, finance, stakeholder and value-relationship maps, with focus (an N-step neighbourhood),
domain and SDG-target filters, paths from an intervention to a target, feedback loops and
leverage points.

Rendering is :mod:`impactkg.graph.maps.view`; :func:`interactive_map` does both.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory(); _ = kg.build()
>>> data = build_map(kg, "system")
>>> sorted({loop["polarity"] for loop in data.loops})
['B', 'R']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from impactkg.errors import ImpactKGError
from impactkg.graph.analysis import system
from impactkg.ontology import IKG, SDGO, search_key

if TYPE_CHECKING:
    from impactkg.graph.maps.view import MapView
    from impactkg.graph.store import KnowledgeGraph

KINDS = ("logic", "system", "finance", "stakeholders", "value")
#: Above this many nodes the layout is computed in Python and physics is off. The browser's
#: physics must settle before vis-network draws anything: in headless chromium (2 cores, software
#: rendering) that takes 1.0 s at 100 nodes, 1.5 s at 200 and 4.5 s at 500, against 0.6 s for a
#: 2,000-node map laid out here (bench/results.md).
LAYOUT_LIMIT = 150

Text = dict[str, str]  # {"ja": ..., "en": ...}
Lines = dict[str, list[str]]  # {"ja": [line, ...], "en": [...]}: a node's or link's details

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
    # the value map (graph/maps/value.py)
    "impact-kpi": {"ja": "インパクトKPI", "en": "Impact KPI"},
    "esg-kpi": {"ja": "ESG関連KPI（マテリアリティ）", "en": "ESG / materiality KPI"},
    "business-kpi": {"ja": "事業KPI", "en": "Business KPI"},
    "financial-kpi": {"ja": "財務KPI", "en": "Financial KPI"},
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
    # the value map: value hypotheses by evidence, the strongest first
    "hypothesis-causal": {"ja": "価値仮説：因果の根拠", "en": "hypothesis: causal evidence"},
    "hypothesis-correlational": {"ja": "価値仮説：相関の根拠", "en": "hypothesis: correlational evidence"},
    "hypothesis-qualitative": {"ja": "価値仮説：定性的な根拠", "en": "hypothesis: qualitative evidence"},
    "hypothesis-assumed": {"ja": "価値仮説：仮定", "en": "hypothesis: assumption"},
    "hypothesis-refuted": {"ja": "価値仮説：棄却", "en": "hypothesis: refuted"},
}

TITLES: dict[str, Text] = {
    "logic": {"ja": "ロジックモデルマップ", "en": "Logic-model map"},
    "system": {"ja": "システムマップ", "en": "System map"},
    "finance": {"ja": "ファイナンス・エコシステム", "en": "Finance ecosystem"},
    "stakeholders": {"ja": "ステークホルダー・ネットワーク", "en": "Stakeholder network"},
    "value": {"ja": "価値関連図", "en": "Value-relationship map"},
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


# The parts of the package, imported here, after the names they use are defined (and re-exported:
# the value map and older callers import the reading helpers from the package).
from impactkg.graph.maps.data import (  # noqa: E402, F401
    _Builder,
    _goal_label,
    _label,
    _labels,
    _rows,
    _short,
    _source,
    _sources,
    _target_label,
)
from impactkg.graph.maps.filters import _keep, filter_domain, resolve_node, restrict  # noqa: E402, F401
from impactkg.graph.maps.layout import layout, spring_positions  # noqa: E402, F401

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
    factors = _rows(kg, "system-factors")
    links = _rows(kg, "system-links")
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
        info: Lines = {"ja": [], "en": []}
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
    refs = _rows(kg, "system-references")
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
    by_lang = {lang: {k: v[lang] for k, v in full.items()} for lang in ("ja", "en")}  # once, not per loop
    for code, loop in system.number_loops(loops):
        weakest = loop.weakest
        data.loops.append({
            "code": code,
            "polarity": loop.polarity,
            "nodes": list(loop.nodes),
            "edges": [x.id for x in loop.links],
            "name": {lang: f"{code}: {loop.path_text(by_lang[lang])}" for lang in ("ja", "en")},
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
    """The data of map ``kind`` (logic, system, finance, stakeholders, value), filtered.

    ``evidence`` (system map only): ``stated``, ``reading`` or ``doubtful`` ranks leverage
    points on the causal links of that evidence or stronger, and the page starts with the weaker
    links hidden (its evidence filter shows them again); ``inferred`` or None uses every link.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> d = build_map(kg, "logic", target="16.1")
    >>> sorted({n["cls"] for n in d.nodes})
    ['activity', 'impact', 'indicator', 'result', 'sdg-target']
    """
    from impactkg.graph.maps import kinds
    from impactkg.graph.maps.value import value_map

    level: str | None = None if evidence == "inferred" else evidence
    builders = {"logic": kinds.logic, "system": lambda g: _system(g, max_loop_length, level),
                "finance": kinds.finance, "stakeholders": kinds.stakeholders, "value": value_map}
    if kind not in builders:
        raise ImpactKGError(f"unknown map {kind!r} (use one of: {', '.join(KINDS)})")
    if evidence is not None and evidence not in system.EVIDENCE_LEVELS:
        raise ImpactKGError(f"--evidence must be one of {', '.join(system.EVIDENCE_LEVELS)}, not {evidence!r}")
    if evidence is not None and kind != "system":
        raise ImpactKGError(f"--evidence is for the system map (its causal links), not the {kind} map")
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
