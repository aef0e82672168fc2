"""Crosswalk: rank the IRIS+ metrics and official UN SDG indicators that could stand for each
catalogue indicator, and record the matches a person accepts.

A candidate's score (0 to 1) adds three pieces of evidence, each shown with the candidate:

- label (weight 0.6): how much of what the indicator names, in English, the metric names
  (:func:`impactkg.graph.analysis.matching.similarity`: the indicator's English label and
  alternative labels in full, the outcome, impact and activity it measures at 0.3; concepts
  weighted by rarity; Japanese-only labels read through a glossary);
- SDG path (0.25): indicator -> SDG target <- metric: the metric is an official indicator of the
  indicator's target, or an IRIS+ metric flagged for it (1), or only shares its goal (0.5);
- unit (0.15): the same kind of quantity (count, ratio, duration, area, currency, energy, ...: 1),
  related kinds (a count and a share: 0.5), one side silent (0.5), different (0).

A metric is a candidate when its label names something the indicator names, or when it is on
the indicator's SDG target path. ``against`` is ``iris-plus``, ``sdg`` or ``all`` (every
vocabulary the graph holds). How well this ranks is measured on a labelled set of the
catalogue's indicators (``tests/fixtures/crosswalk-labelled.csv``; :func:`evaluate`).

An accepted match is stored in the named graph :data:`CROSSWALK_GRAPH` as ``skos:exactMatch`` or
``skos:closeMatch`` from the indicator to the metric, with an ``ikg:Mapping`` record saying who
accepted it, when, and with what score; :mod:`impactkg.graph.export.sssom` writes them as SSSOM.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import CrosswalkError
from impactkg.graph.analysis.matching import (
    Corpus,
    concepts,
    is_japanese,
    japanese_concepts,
    similarity,
    unit_evidence,
    unit_kinds,
)
from impactkg.graph.sparql.terms import value_of
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
AGAINST = ("iris-plus", "sdg", "all")
MATCHES = {"exact": SKOS + "exactMatch", "close": SKOS + "closeMatch"}
IRIS_NS = "https://codelist.commonapproach.org/codeLists/IrisMetric53#"
WEIGHTS = {"label": 0.65, "sdg": 0.2, "unit": 0.15}



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
    vocabulary: str = "iris-plus"


def _rows(kg, text: str) -> list[dict]:
    return kg.sparql(text).dicts()


INDICATORS = """SELECT ?ind ?label ?lang ?unit ?unitLabel ?target ?goal WHERE {
  ?ind a ikg:Indicator ; rdfs:label ?label . BIND(LANG(?label) AS ?lang)
  OPTIONAL { ?ind ikg:unitText ?unit }
  OPTIONAL { ?ind ikg:unit/skos:prefLabel ?unitLabel }
  OPTIONAL { ?ind ikg:sdgTarget ?target }
  OPTIONAL { ?ind ikg:sdgGoal ?goal }
}"""
#: English alternative labels of indicators, and the labels of what they measure.
INDICATOR_TEXTS = """SELECT ?ind ?text ?lang ?main WHERE {
  ?ind a ikg:Indicator .
  { ?ind skos:altLabel ?text BIND(true AS ?main) }
  UNION { ?ind ikg:measures ?r . ?r rdfs:label ?text BIND(false AS ?main) }
  UNION { ?ind ikg:measures/ikg:contributesTo ?i . ?i rdfs:label ?text BIND(false AS ?main) }
  UNION { ?a ikg:hasResult ?r . ?ind ikg:measures ?r . ?a rdfs:label ?text BIND(false AS ?main) }
  BIND(LANG(?text) AS ?lang)
}"""


def _indicators(kg, indicator: str | None) -> list[dict]:
    out: dict[str, dict] = {}
    for r in _rows(kg, INDICATORS):
        d = out.setdefault(r["ind"], {"iri": r["ind"], "en": set(), "ja": set(), "units": set(),
                                      "targets": set(), "goals": set(), "alt": set(), "context": set()})  # fmt: skip
        d["en" if r.get("lang") == "en" else "ja"].add(r["label"])
        for key, col in (("units", "unit"), ("units", "unitLabel"), ("targets", "target"), ("goals", "goal")):
            if r.get(col):
                d[key].add(r[col])
    if indicator is not None and indicator not in out:
        raise CrosswalkError(f"no indicator <{indicator}> in the graph")
    for r in _rows(kg, INDICATOR_TEXTS):
        found = out.get(r["ind"])
        if found is not None and (r.get("lang") == "en" or not is_japanese(r["text"])):
            found["alt" if r["main"] else "context"].add(r["text"])
        elif d is not None and not r["main"]:
            d["context"].add("\x00" + r["text"])  # Japanese: read through the glossary
    for d in out.values():
        main: list[str] = []
        for text in sorted(d["en"]) + sorted(d["alt"]):
            main += [c for c in concepts(text) if c not in main]
        if not main:  # no English label: the Japanese one through the glossary
            for text in sorted(d["ja"]):
                main += [c for c in japanese_concepts(text) if c not in main]
        context: list[str] = []
        for text in sorted(d["context"]):
            seen = japanese_concepts(text[1:]) if text.startswith("\x00") else concepts(text)
            context += [c for c in seen if c not in main and c not in context]
        d["main"], d["ctx"] = main, context
        d["kinds"] = set().union(*(unit_kinds(u, unit=True) for u in d["units"])) or set().union(
            *(unit_kinds(t) for t in d["en"] | d["alt"])
        )
        d["goals"] |= {SDG + t[len(SDG) :].split(".")[0] for t in d["targets"]}
        d["name"] = sorted(d["ja"] or d["en"])[0]
    if indicator is not None:
        return [out[indicator]]
    return [out[k] for k in sorted(out)]


IRIS_METRICS = """SELECT ?m ?id ?label ?def ?unit ?target ?goal WHERE {
  ?m a ikg:IrisMetric ; skos:prefLabel ?label FILTER(lang(?label) = "en" || lang(?label) = "")
  OPTIONAL { ?m skos:notation ?id } OPTIONAL { ?m skos:definition ?def }
  OPTIONAL { ?m ikg:unitText ?unit }
  OPTIONAL { ?m ikg:sdgTarget ?target } OPTIONAL { ?m ikg:sdgGoal ?goal }
  FILTER NOT EXISTS { ?m owl:deprecated true }
}"""
SDG_INDICATORS = """SELECT ?m ?id ?label ?target ?goal WHERE {
  ?m a sdgo:Indicator ; skos:prefLabel ?label FILTER(lang(?label) = "en")
  OPTIONAL { ?m skos:notation ?id }
  OPTIONAL { ?m sdgo:isIndicatorOf ?target . ?target sdgo:isTargetOf ?goal }
}"""


def _metrics(kg, against: str) -> list[dict]:
    out: dict[str, dict] = {}
    for vocabulary, text in (("iris-plus", IRIS_METRICS), ("sdg", SDG_INDICATORS)):
        if against not in (vocabulary, "all"):
            continue
        for r in _rows(kg, text):
            d = out.setdefault(r["m"], {"iri": r["m"], "id": "", "label": "", "def": "", "units": set(),
                                        "targets": set(), "goals": set(), "vocabulary": vocabulary})  # fmt: skip
            ids = [x for x in (d["id"], str(r.get("id") or "")) if x]
            d["id"] = min(ids, key=lambda x: [int(p) if p.isdigit() else 0 for p in re.split(r"\D+", x) if p] or [0]) if ids else ""
            d["label"] = d["label"] or str(r["label"])
            d["def"] = d["def"] or str(r.get("def") or "")
            for key, col in (("units", "unit"), ("targets", "target"), ("goals", "goal")):
                if r.get(col):
                    d[key].add(r[col])
    for d in out.values():
        d["goals"] |= {SDG + t[len(SDG) :].split(".")[0] for t in d["targets"]}
        d["label_c"], d["def_c"] = concepts(d["label"]), concepts(d["def"])
        head = " ".join(d["def"].split()[:8])
        d["kinds"] = (set().union(*(unit_kinds(u, unit=True) for u in d["units"])) or unit_kinds(d["label"])
                      or unit_kinds(head))  # fmt: skip
        if "text" in unit_kinds(d["def"]):
            d["kinds"] = {"text"}
    return list(out.values())


def _score(ind: dict, m: dict, corpus: Corpus) -> Candidate:
    reasons = []
    label, shared = similarity(corpus, ind["main"], ind["ctx"], m["label_c"], m["def_c"])
    if shared:
        reasons.append(f"label {label:.2f}: names {', '.join(shared)}")
    if ind["targets"] & m["targets"]:
        sdg = 1.0
        codes = ", ".join(sorted(t[len(SDG) :] for t in ind["targets"] & m["targets"]))
        via = "official indicator of" if m["vocabulary"] == "sdg" else "flagged for"
        reasons.append(f"SDG path: indicator -> target {codes} <- {via} it")
    elif ind["goals"] & m["goals"]:
        sdg = 0.5
        reasons.append("same SDG goal " + ", ".join(sorted(g[len(SDG) :] for g in ind["goals"] & m["goals"])))
    else:
        sdg = 0.0
    unit, why = unit_evidence(ind["kinds"], m["kinds"])
    if why:
        reasons.append(why)
    score = round(WEIGHTS["label"] * label + WEIGHTS["sdg"] * sdg + WEIGHTS["unit"] * unit, 3)
    return Candidate(
        indicator=ind["iri"],
        indicator_label=ind["name"],
        metric=m["iri"],
        metric_id=m["id"],
        metric_label=m["label"],
        score=score,
        sdg=sdg,
        unit=unit,
        label=label,
        reasons=reasons,
        vocabulary=m["vocabulary"],
    )


def candidates(
    kg, indicator: str | None = None, *, against: str = "iris-plus", top: int = 5
) -> list[Candidate]:
    """Ranked candidates for each catalogue indicator (or one, by IRI), best first.

    ``against``: ``iris-plus``, ``sdg`` (official UN SDG indicators) or ``all``. Raises
    :class:`CrosswalkError` for an unknown ``against`` or when the graph holds none of those
    metrics.

    >>> cands = candidates(kg, resolve_indicator(kg, "1"), against="sdg", top=3)  # doctest: +SKIP
    >>> cands[0].metric_id, cands[0].reasons  # doctest: +SKIP
    ('11.5.2', ['label 0.38: names facility, disaster', 'same SDG goal 11', ...])
    """
    if against not in AGAINST:
        raise CrosswalkError(f"unknown crosswalk target {against!r} (use one of: {', '.join(AGAINST)})")
    metrics = _metrics(kg, against)
    if not metrics:
        what = {
            "iris-plus": "IRIS+ metrics: run 'impactkg import iris-plus FILE'",
            "sdg": "official SDG indicators: run 'impactkg build' or 'impactkg import sdg-kos FILE'",
        }.get(against, "IRIS+ metrics or official SDG indicators: run 'impactkg import ...'")
        raise CrosswalkError(f"the graph has no {what} first")
    corpus = Corpus(m["label_c"] + m["def_c"] for m in metrics)
    out: list[Candidate] = []
    for ind in _indicators(kg, indicator):
        scored = [c for m in metrics if (c := _score(ind, m, corpus)).sdg == 1.0 or c.label > 0]
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
    subject = value_of(q.subject)
    if subject == mapping:
        return True
    return (
        subject == ind
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


# ---------------------------------------------------------------------- evaluation
@dataclass
class Evaluation:
    """How the candidates rank on a labelled set, per vocabulary and overall.

    ``precision`` (precision@k): for each (indicator, vocabulary) with at least one acceptable
    match, the acceptable matches among the top k candidates divided by min(k, number of
    acceptable matches), averaged; ``hit_rate``: the share with at least one acceptable match in
    the top k; ``strict``: acceptable matches among the top k divided by k (a set with fewer than
    k acceptable matches cannot reach 1)."""

    k: int
    pairs: int
    precision: float
    hit_rate: float
    strict: float
    by_vocabulary: dict[str, tuple[int, float]] = field(default_factory=dict)


def evaluate(kg, labelled: str | Path, *, k: int = 3) -> Evaluation:
    """Rank every labelled indicator against each vocabulary and score the top ``k``
    (:class:`Evaluation`). ``labelled`` is a CSV with columns ``indicator`` (id, e.g. 353),
    ``vocabulary`` (iris-plus or sdg) and ``match`` (IRIS+ id or SDG indicator code; empty: no
    acceptable match); see ``tests/fixtures/crosswalk-labelled.csv``."""
    accept: dict[tuple[str, str], set[str]] = {}
    with open(labelled, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if row.get("vocabulary") not in ("iris-plus", "sdg"):
                raise CrosswalkError(f"{Path(labelled).name}:{n}: vocabulary is iris-plus or sdg")
            key = (resolve_indicator(kg, row["indicator"]), row["vocabulary"])
            accept.setdefault(key, set())
            if row.get("match"):
                accept[key].add(resolve_metric(kg, row["match"]))
    ranked: dict[tuple[str, str], list[str]] = {}
    for vocabulary in sorted({v for _, v in accept}):
        for c in candidates(kg, against=vocabulary, top=k):
            ranked.setdefault((c.indicator, vocabulary), []).append(c.metric)
    scores: dict[str, list[tuple[float, int, float]]] = {}
    for (ind, vocabulary), good in accept.items():
        if good:
            top = set(ranked.get((ind, vocabulary), [])[:k])
            found = len(top & good)
            scores.setdefault(vocabulary, []).append((found / min(k, len(good)), int(found > 0), found / k))
    every = [s for v in scores.values() for s in v]
    if not every:
        raise CrosswalkError(f"{Path(labelled).name}: no indicator with an acceptable match")
    mean = lambda xs: round(sum(xs) / len(xs), 3)  # noqa: E731
    return Evaluation(
        k=k,
        pairs=len(every),
        precision=mean([p for p, _, _ in every]),
        hit_rate=mean([h for _, h, _ in every]),
        strict=mean([s for _, _, s in every]),
        by_vocabulary={v: (len(s), mean([p for p, _, _ in s])) for v, s in sorted(scores.items())},
    )
