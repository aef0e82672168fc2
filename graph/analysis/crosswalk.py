"""Crosswalk: rank the IRIS+ metrics (or official SDG indicators) that could stand for each
catalogue indicator, and record the matches a person accepts.

A candidate's score (0 to 1) adds three pieces of evidence, each shown with the candidate:

- SDG (weight 0.5): the metric is flagged for the indicator's SDG target (1), or only for its
  goal (0.5);
- unit (0.2): the units are of the same kind (count, percent, area, duration, currency, energy,
  mass, ...: 1), or one side does not say (0.5);
- label (0.3): how many of the concepts named in the indicator's label are named in the
  metric's label (1 each) or definition (0.5 each). Japanese labels are read through a glossary
  of impact-measurement terms (再生可能エネルギー -> renewable energy, ...); English labels are
  compared word by word.

An accepted match is stored in the named graph :data:`CROSSWALK_GRAPH` as ``skos:exactMatch`` or
``skos:closeMatch`` from the indicator to the metric, with an ``ikg:Mapping`` record saying who
accepted it, when, and with what score.

>>> unit_kind("t-CO ₂"), unit_kind("Megawatt hours (MWh)"), unit_kind("人")
('ghg', 'energy', 'count')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from impactkg.errors import CrosswalkError
from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    RDF,
    SDG,
    SDGO,
    SKOS,
    XSD,
    nfkc,
    record_iri,
)

CROSSWALK_GRAPH = GRAPH + "crosswalk"
AGAINST = ("iris-plus", "sdg")
MATCHES = {"exact": SKOS + "exactMatch", "close": SKOS + "closeMatch"}
IRIS_NS = "https://codelist.commonapproach.org/codeLists/IrisMetric53#"



# ---------------------------------------------------------------------- units
#: Kinds of unit, each with the unit spellings (NFKC, case-folded) that name it.
UNIT_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("ghg", ("t-co2", "tco2", "co2", "co2e", "ghg", "carbon dioxide", "mtco2e", "greenhouse")),
    ("percent", ("%", "percent", "percentage", "割合", "率", "ratio", "rate")),
    ("energy", ("kwh", "mwh", "gwh", "twh", "mj", "gj", "kw", "mw", "gw", "joule", "watt")),
    ("area", ("m2", "m²", "㎡", "km2", "ha", "hectare", "square", "平方メートル", "acre")),
    ("duration", ("分", "時間", "秒", "日", "か月", "ヶ月", "月", "年", "minute", "hour", "day",
                  "week", "month", "year", "second")),
    ("currency", ("円", "万円", "億円", "yen", "jpy", "usd", "$", "currency", "dollar", "eur")),
    ("mass", ("t", "kg", "g", "tonne", "ton", "トン", "gram", "kilogram", "metric tons")),
    ("volume", ("l", "ℓ", "m3", "㎥", "liter", "litre", "gallon", "cubic")),
    ("count", ("人", "名", "社", "件", "回", "戸", "個", "台", "本", "施設", "団体", "世帯", "箇所",
               "棟", "number", "count", "persons", "people", "individuals", "households")),
    ("boolean", ("yes/no",)),
    ("text", ("text",)),
]  # fmt: skip


def unit_kind(text: str | None) -> str | None:
    """The kind of unit a unit text names (``'count'``, ``'percent'``, ...), or None."""
    if not text:
        return None
    t = nfkc(text).casefold().replace(" ", "").replace("₂", "2")
    words = set(re.findall(r"[a-z]+|[^\x00-\x7f]+|%|\$", nfkc(text).casefold()))
    for kind, names in UNIT_KINDS:
        for name in names:
            n = name.replace(" ", "")
            if (name.isascii() and name.isalpha() and len(name) <= 3) and name not in words:
                continue  # short Latin names match whole words only ('t', 'kg', 'mw')
            if n in t or name in words:
                return kind
    return None


# ---------------------------------------------------------------------- labels
#: Impact-measurement terms in Japanese, with the English words that name the same concept.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "再生可能エネルギー": ("renewable",),
    "太陽光": ("solar",),
    "風力": ("wind",),
    "発電": ("generated", "generation", "electricity"),
    "エネルギー": ("energy",),
    "電気": ("electricity", "power"),
    "電力": ("electricity", "power"),
    "停電": ("outage", "electricity"),
    "温室効果ガス": ("greenhouse", "ghg"),
    "二酸化炭素": ("carbon", "co2"),
    "排出": ("emissions",),
    "削減": ("reduced", "reduction", "avoided"),
    "廃棄物": ("waste",),
    "リサイクル": ("recycled", "recycling"),
    "水害": ("flood",),
    "浸水": ("flood", "flooded"),
    "豪雨": ("rain", "flood"),
    "災害": ("disaster", "disasters"),
    "地震": ("earthquake",),
    "防災": ("disaster", "preparedness"),
    "避難": ("evacuation", "shelter"),
    "復旧": ("recovery", "restore"),
    "損壊": ("damaged", "damage"),
    "被害": ("damage", "damaged", "loss"),
    "住宅": ("housing", "home", "homes"),
    "居住者": ("residents",),
    "入居者": ("residents", "tenants"),
    "高齢者": ("elderly", "older"),
    "子育て": ("child", "children", "families", "childcare"),
    "児童": ("children", "child"),
    "生徒": ("students",),
    "教育": ("education",),
    "健康": ("health",),
    "医療": ("healthcare", "medical"),
    "患者": ("patients",),
    "がん": ("cancer",),
    "肥満": ("obese", "obesity"),
    "栄養": ("nutrition",),
    "食事": ("meals", "food"),
    "死亡": ("mortality", "deaths"),
    "雇用": ("employment", "jobs"),
    "従業員": ("employees",),
    "女性": ("women", "female"),
    "研修": ("training",),
    "訓練": ("training", "drills"),
    "利用者": ("users", "clients"),
    "利活用者": ("users", "clients"),
    "顧客": ("clients", "customers"),
    "満足度": ("satisfaction", "satisfied"),
    "床面積": ("floor", "area"),
    "面積": ("area",),
    "建築物": ("buildings", "building"),
    "建物": ("buildings", "building"),
    "施設": ("facilities", "facility"),
    "土地": ("land",),
    "森林": ("forest", "forestry"),
    "農業": ("agriculture", "agricultural"),
    "融資": ("loans", "lending"),
    "企業": ("companies", "enterprises"),
    "中小企業": ("smes", "small"),
    "安全": ("safety", "security"),
    "セキュリティ": ("security",),
    "インシデント": ("incidents",),
    "事故": ("accidents",),
    "犯罪": ("crime",),
    "情報": ("information",),
    "交通": ("transport", "transportation"),
    "時間": ("time",),
    "人数": ("number", "individuals"),
    "割合": ("percentage", "proportion"),
    "率": ("rate", "percentage"),
}

_STOP = {"of", "the", "and", "or", "by", "in", "for", "to", "a", "an", "on", "at", "per", "with"}


def _words(text: str) -> set[str]:
    """Lower-case English words, plural 's' dropped (``'Emissions'`` -> ``'emission'``)."""
    out = set()
    for w in re.findall(r"[a-z0-9]+", nfkc(text).casefold()):
        if w in _STOP:
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def concepts_of(label: str) -> list[set[str]]:
    """The concepts a label names, each as the set of English words that can name it.

    >>> sorted(map(sorted, concepts_of("再生可能エネルギー発電")))
    [['electricity', 'generated', 'generation'], ['energy'], ['renewable']]
    """
    text = nfkc(label)
    found: list[set[str]] = []
    covered: list[tuple[int, int]] = []
    for term in sorted(GLOSSARY, key=len, reverse=True):
        for m in re.finditer(re.escape(term), text):
            if any(a <= m.start() < b for a, b in covered):
                continue
            covered.append((m.start(), m.end()))
            found.append(set().union(*(_words(w) for w in GLOSSARY[term])))
            if term == "再生可能エネルギー":
                found.append({"energy"})
    if not re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text):
        found += [{w} for w in _words(text)]
    unique: list[set[str]] = []
    for c in found:
        if c not in unique:
            unique.append(c)
    return unique


def label_similarity(label: str, metric_label: str, metric_definition: str = "") -> float:
    """0 to 1: the share of the label's concepts (at least two are counted) that the metric
    names in its label (1 each) or definition (0.5 each).

    >>> label_similarity("損壊床面積", "Floor Area Damaged by Disasters")
    1.0
    """
    concepts = concepts_of(label)
    if not concepts:
        return 0.0
    in_label, in_def = _words(metric_label), _words(metric_definition)
    score = 0.0
    for c in concepts:
        if c & in_label:
            score += 1.0
        elif c & in_def:
            score += 0.5
    return round(score / max(len(concepts), 2), 3)  # one shared word is weak evidence


# ---------------------------------------------------------------------- candidates
@dataclass
class Candidate:
    """A metric that could stand for an indicator, with the evidence behind its score."""

    indicator: str
    indicator_label: str
    metric: str
    metric_id: str
    metric_label: str
    score: float
    sdg: float
    unit: float
    label: float
    reasons: list[str] = field(default_factory=list)


def _rows(kg, text: str) -> list[dict]:
    return kg.sparql(text).dicts()


def _indicators(kg, indicator: str | None) -> list[dict]:
    rows = _rows(
        kg,
        """SELECT ?ind ?label ?unit ?unitLabel ?target ?goal WHERE {
          ?ind a ikg:Indicator ; rdfs:label ?label .
          OPTIONAL { ?ind ikg:unitText ?unit }
          OPTIONAL { ?ind ikg:unit/skos:prefLabel ?unitLabel }
          OPTIONAL { ?ind ikg:sdgTarget ?target }
          OPTIONAL { ?ind ikg:sdgGoal ?goal }
        }""",
    )
    out: dict[str, dict] = {}
    for r in rows:
        d = out.setdefault(
            r["ind"], {"iri": r["ind"], "labels": set(), "units": set(), "targets": set(), "goals": set()}
        )
        d["labels"].add(r["label"])
        for key, col in (("units", "unit"), ("units", "unitLabel"), ("targets", "target"), ("goals", "goal")):
            if r.get(col):
                d[key].add(r[col])
    if indicator is not None:
        if indicator not in out:
            raise CrosswalkError(f"no indicator <{indicator}> in the graph")
        return [out[indicator]]
    return [out[k] for k in sorted(out)]


def _metrics(kg, against: str) -> list[dict]:
    if against == "iris-plus":
        text = """SELECT ?m ?id ?label ?def ?unit ?target ?goal WHERE {
          ?m a ikg:IrisMetric ; skos:prefLabel ?label .
          OPTIONAL { ?m skos:notation ?id } OPTIONAL { ?m skos:definition ?def }
          OPTIONAL { ?m ikg:unitText ?unit }
          OPTIONAL { ?m ikg:sdgTarget ?target } OPTIONAL { ?m ikg:sdgGoal ?goal }
          FILTER NOT EXISTS { ?m owl:deprecated true }
        }"""
    else:
        text = """SELECT ?m ?id ?label ?target ?goal WHERE {
          ?m a sdgo:Indicator ; skos:prefLabel ?label FILTER(lang(?label) = "en")
          OPTIONAL { ?m skos:notation ?id }
          OPTIONAL { ?m sdgo:isIndicatorOf ?target . ?target sdgo:isTargetOf ?goal }
        }"""
    out: dict[str, dict] = {}
    for r in _rows(kg, text):
        d = out.setdefault(
            r["m"],
            {"iri": r["m"], "id": "", "label": "", "def": "", "units": set(), "targets": set(), "goals": set()},
        )
        d["id"] = min(filter(None, [d["id"], str(r.get("id") or "")]), default="")
        d["label"] = d["label"] or str(r["label"])
        d["def"] = d["def"] or str(r.get("def") or "")
        for key, col in (("units", "unit"), ("targets", "target"), ("goals", "goal")):
            if r.get(col):
                d[key].add(r[col])
    for d in out.values():
        d["goals"] |= {SDG + t[len(SDG) :].split(".")[0] for t in d["targets"]}
    return list(out.values())


def _score(ind: dict, m: dict) -> Candidate:
    reasons = []
    goals = ind["goals"] | {SDG + t[len(SDG) :].split(".")[0] for t in ind["targets"]}
    if ind["targets"] & m["targets"]:
        sdg = 1.0
        codes = ", ".join(sorted(t[len(SDG) :] for t in ind["targets"] & m["targets"]))
        reasons.append(f"same SDG target {codes}")
    elif goals & m["goals"]:
        sdg = 0.5
        reasons.append("same SDG goal " + ", ".join(sorted(g[len(SDG) :] for g in goals & m["goals"])))
    else:
        sdg = 0.0
    kinds_i = {k for u in ind["units"] if (k := unit_kind(u))}
    kinds_m = {k for u in m["units"] if (k := unit_kind(u))}
    if kinds_i and kinds_m:
        unit = 1.0 if kinds_i & kinds_m else 0.0
        reasons.append(
            f"unit {'compatible' if unit else 'differs'}: {'/'.join(sorted(kinds_i))} vs "
            f"{'/'.join(sorted(kinds_m))}"
        )
    else:
        unit = 0.5
    label = max(label_similarity(lab, m["label"], m["def"]) for lab in ind["labels"])
    if label:
        reasons.append(f"label similarity {label:.2f}")
    score = round(0.5 * sdg + 0.2 * unit + 0.3 * label, 3)
    ja = [lab for lab in ind["labels"] if re.search(r"[\u3040-\u9fff]", lab)]
    return Candidate(
        indicator=ind["iri"],
        indicator_label=sorted(ja or ind["labels"])[0],
        metric=m["iri"],
        metric_id=m["id"],
        metric_label=m["label"],
        score=score,
        sdg=sdg,
        unit=unit,
        label=label,
        reasons=reasons,
    )


def candidates(
    kg, indicator: str | None = None, *, against: str = "iris-plus", top: int = 5
) -> list[Candidate]:
    """Ranked candidates for each catalogue indicator (or one, by IRI), best first.

    A metric is a candidate when it shares the indicator's SDG target or names some of the
    concepts of its label.

    >>> cands = candidates(kg, top=3)  # doctest: +SKIP
    >>> cands[0].metric_id, cands[0].reasons  # doctest: +SKIP
    ('PI9102', ['same SDG target 11.b', 'unit compatible: duration vs duration', ...])
    """
    if against not in AGAINST:
        raise CrosswalkError(f"unknown crosswalk target {against!r} (use one of: {', '.join(AGAINST)})")
    metrics = _metrics(kg, against)
    if not metrics:
        what = "IRIS+ metrics: run 'impactkg import iris-plus FILE'" if against == "iris-plus" else (
            "official SDG indicators: run 'impactkg import sdg-kos FILE'"
        )
        raise CrosswalkError(f"the graph has no {what} first")
    out: list[Candidate] = []
    for ind in _indicators(kg, indicator):
        scored = [c for m in metrics if (c := _score(ind, m)).sdg == 1.0 or c.label > 0]
        scored.sort(key=lambda c: (-c.score, -c.label, c.metric_id, c.metric))
        out += scored[:top]
    return out


# ---------------------------------------------------------------------- accepting
def _exists(kg, iri: str, cls: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise CrosswalkError(f"not an IRI: {iri!r}") from None
    # bound engine-side: the IRI never enters the query text
    return bool(kg.sparql("ASK { ?s a ?c }", {"s": node, "c": ox.NamedNode(cls)}))


def resolve_indicator(kg, ref: str) -> str:
    """The IRI of an indicator named by IRI, by ``353`` / ``hj21-1`` (embedded catalogue) or by
    ``namespace:id``."""
    ref = nfkc(ref).strip("<>")
    if re.match(r"^https?://", ref):
        tries = [ref]
    else:
        ns, _, key = ref.rpartition(":")
        tries = [record_iri("indicator", f"{ns or 'consortium'}-{key}"), record_iri("indicator", ref)]
    for iri in tries:
        if _exists(kg, iri, IKG + "Indicator"):
            return iri
    raise CrosswalkError(f"no indicator {ref!r} in the graph (give its id, e.g. 353, or its IRI)")


def resolve_metric(kg, ref: str) -> str:
    """The IRI of an IRIS+ metric (``PI4060``) or official SDG indicator (``3.4.1``, ``C030401``)."""
    ref = nfkc(ref).strip("<>")
    if re.match(r"^https?://", ref):
        if _exists(kg, ref, IKG + "IrisMetric") or _exists(kg, ref, SDGO + "Indicator"):
            return ref
    elif re.fullmatch(r"[A-Z]{2}\d{4}", ref) and _exists(kg, IRIS_NS + ref, IKG + "IrisMetric"):
        return IRIS_NS + ref
    else:
        rows = kg.sparql(
            "SELECT ?m WHERE { ?m a sdgo:Indicator . { ?m skos:notation ?n } UNION "
            "{ ?m dcterms:identifier ?n } FILTER(STR(?n) = ?ref) }",
            {"ref": ox.Literal(ref)},
        ).rows
        if rows:
            return str(rows[0][0])
    raise CrosswalkError(
        f"no IRIS+ metric or SDG indicator {ref!r} in the graph (e.g. PI4060, 3.4.1 or its IRI)"
    )


def _crosswalk_quads(kg) -> list[ox.Quad]:
    g = ox.NamedNode(CROSSWALK_GRAPH)
    return [q for q in kg.quads() if q.graph_name == g]


def _mapping_iri(indicator: str, metric: str) -> str:
    key = hashlib.sha1(f"{indicator} {metric}".encode()).hexdigest()[:16]
    return record_iri("mapping", key)


def accept(
    kg,
    indicator: str,
    metric: str,
    *,
    by: str,
    match: str = "close",
    score: float | None = None,
    when: datetime | None = None,
    note: str | None = None,
) -> str:
    """Record that ``indicator`` matches ``metric`` (``match``: exact or close), accepted by
    ``by``; replaces an earlier decision on the same pair. Returns the mapping's IRI.

    >>> accept(kg, "1", "PI9102", by="Hanako Sato", match="close")  # doctest: +SKIP
    'https://w3id.org/impactkg/id/mapping/...'
    """
    if match not in MATCHES:
        raise CrosswalkError(f"unknown match {match!r} (use exact or close)")
    if not by or not by.strip():
        raise CrosswalkError("say who accepts the match (--by NAME)")
    ind, met = resolve_indicator(kg, indicator), resolve_metric(kg, metric)
    if score is None:
        against = "iris-plus" if met.startswith(IRIS_NS) else "sdg"
        found = [c for c in candidates(kg, ind, against=against, top=10**6) if c.metric == met]
        score = found[0].score if found else 0.0
    when = (when or datetime.now(UTC)).replace(microsecond=0)
    mapping = _mapping_iri(ind, met)
    keep = [q for q in _crosswalk_quads(kg) if not _about(q, ind, met, mapping)]
    g = ox.NamedNode(CROSSWALK_GRAPH)
    N = ox.NamedNode  # noqa: N806

    def quad(s, p, o) -> ox.Quad:
        return ox.Quad(N(s), N(p), o if not isinstance(o, str) else N(o), g)

    new = [
        quad(ind, MATCHES[match], met),
        quad(mapping, RDF + "type", IKG + "Mapping"),
        quad(mapping, IKG + "mappingSubject", ind),
        quad(mapping, IKG + "mappingObject", met),
        quad(mapping, IKG + "mappingPredicate", MATCHES[match]),
        quad(mapping, DCTERMS + "creator", ox.Literal(by.strip())),
        quad(mapping, DCTERMS + "created", ox.Literal(when.isoformat(), datatype=N(XSD + "dateTime"))),
        quad(mapping, IKG + "matchScore", ox.Literal(f"{score:.3f}", datatype=N(XSD + "decimal"))),
    ]
    if note:
        new.append(quad(mapping, SKOS + "editorialNote", ox.Literal(note)))
    # KnowledgeGraph.replace_graphs replaces the named graph atomically, as a load does.
    kg.replace_graphs({CROSSWALK_GRAPH: keep + new}, [("crosswalk", CROSSWALK_GRAPH, 1, len(new))])
    return mapping


def _about(q: ox.Quad, ind: str, met: str, mapping: str) -> bool:
    if q.subject.value == mapping:
        return True
    return (
        q.subject.value == ind
        and q.object == ox.NamedNode(met)
        and q.predicate.value in MATCHES.values()
    )


def remove(kg, indicator: str, metric: str) -> bool:
    """Withdraw an accepted match; True when there was one."""
    ind, met = resolve_indicator(kg, indicator), resolve_metric(kg, metric)
    quads = _crosswalk_quads(kg)
    keep = [q for q in quads if not _about(q, ind, met, _mapping_iri(ind, met))]
    if len(keep) == len(quads):
        return False
    kg.replace_graphs({CROSSWALK_GRAPH: keep}, [("crosswalk", CROSSWALK_GRAPH, 0, len(keep))])
    return True


def accepted(kg) -> list[dict]:
    """The accepted matches: indicator, metric, match, who, when, score."""
    return kg.sparql(
        """SELECT ?indicator ?metric ?match ?by ?when ?score WHERE {
          GRAPH <GRAPH> { ?m a ikg:Mapping ; ikg:mappingSubject ?indicator ; ikg:mappingObject ?metric ;
             ikg:mappingPredicate ?p ; dcterms:creator ?by ; dcterms:created ?when .
             OPTIONAL { ?m ikg:matchScore ?score } }
          BIND(IF(?p = skos:exactMatch, "exact", "close") AS ?match)
        } ORDER BY ?indicator ?metric""".replace("GRAPH>", CROSSWALK_GRAPH + ">")
    ).dicts()
