"""Progress to target: how far each series of indicator values has moved from its baseline towards
its target, and a progress status.

A *series* is the values of one indicator for one organisation and project (either may be
absent, as for the consortium's Health Japan 21 card). From a series:

- **baseline** *b*: its baseline value with a number and the latest period end;
- **latest** *v*: its observed (``current``) value with a number and the latest period end;
- **target** *t*: of its target values with a number, the first whose period ends on or after the
  latest value's period end (the target still ahead); when every target has ended, the last one;
  when the latest value has no period (or there is none), the first one.
  A value without a period counts only when its kind has no value with a period in the series
  (the loaders allow one such value per kind and series);
- **direction**: as the organisation's KPI pool states it (``increase``, ``decrease``, or
  ``range`` with bounds *lo*..*hi*); when it states none, inferred from the baseline and target
  (*t* > *b*: increase, *t* < *b*: decrease) and reported as inferred.

**Share** of the way: (*v* − *b*) / (*t* − *b*) for increase and decrease indicators (above 1 when
the value has gone past the target, below 0 when it has moved away from it); for a range
indicator 1 inside the range, else (dist(*b*) − dist(*v*)) / dist(*b*), dist being the distance to
the nearest bound. No share without a baseline, or when the target equals the baseline.

**Status** (the rule; :func:`assess` implements it and the ``progress`` named query computes the
same in SPARQL):

1. ``no-data`` without a latest value or without a direction (none stated, none inferable).
2. Range indicators: ``achieved`` when *lo* ≤ *v* ≤ *hi*; else ``no-data`` without a baseline;
   else ``on-track`` when *v* is nearer the range than *b* was, ``off-track`` when not (or when
   *b* was inside the range). Ranges have no deadline: time is not counted.
3. Increase / decrease indicators: ``no-data`` without a target; ``achieved`` when *v* has
   reached *t* (*v* ≥ *t* for increase, *v* ≤ *t* for decrease); else ``no-data`` without a
   baseline; ``off-track`` when the baseline already met the target (the value has fallen back);
   else, when the periods of *b*, *v* and *t* all have ends and *t* ends in a later month than *b*,
   ``on-track`` when share ≥ elapsed, the share of the time from *b* to *t* gone by at *v*
   (counted in months: year × 12 + month of each period end, clamped to 0..1; a target whose
   date has passed has elapsed 1, so it is ``off-track`` until reached); when the periods are
   not known, ``on-track`` when share > 0 (moving towards the target).

Comparisons are exact (:class:`fractions.Fraction`); the share is reported rounded to 4
decimals, half up as SPARQL's ``ROUND``.

>>> from decimal import Decimal as D
>>> def year(n): return dt.date(n, 12, 31)
>>> s = Series("i", baselines=[Obs(D(120), "2020", year(2020))], currents=[Obs(D(95), "2023", year(2023))],
...            targets=[Obs(D(60), "2030", year(2030))], direction="decrease")
>>> p = assess(s)
>>> p.share, p.elapsed, p.status
(Fraction(5, 12), Fraction(3, 10), 'on-track')
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from impactkg.ontology import CONCEPT

STATUSES: dict[str, dict[str, str]] = {
    "achieved": {"ja": "達成", "en": "achieved"},
    "on-track": {"ja": "順調", "en": "on track"},
    "off-track": {"ja": "遅れ", "en": "off track"},
    "no-data": {"ja": "データなし", "en": "no data"},
}
DIRECTIONS = ("increase", "decrease", "range")


@dataclass(frozen=True)
class Obs:
    """One value of a series: its number, its period as written, and the period's last day."""

    value: Decimal
    period: str = ""
    end: dt.date | None = None

    def key(self) -> str:
        return self.end.isoformat() if self.end else ""


@dataclass
class Series:
    """An indicator's values for one organisation and project, with the stated direction."""

    indicator: str
    organization: str | None = None
    project: str | None = None
    baselines: list[Obs] = field(default_factory=list)
    currents: list[Obs] = field(default_factory=list)
    targets: list[Obs] = field(default_factory=list)
    direction: str | None = None  # stated: increase, decrease, range
    lower: Decimal | None = None
    upper: Decimal | None = None
    labels: dict[str, Any] = field(default_factory=dict)  # label, unit, organization and project names


@dataclass(frozen=True)
class Progress:
    """The assessment of one series (see the module's rule)."""

    series: Series
    baseline: Obs | None
    latest: Obs | None
    target: Obs | None
    direction: str | None
    direction_source: str | None  # "stated", "inferred" or None
    share: Fraction | None
    elapsed: Fraction | None
    status: str

    def share_rounded(self, places: int = 4) -> Decimal | None:
        """The share rounded half up (towards +∞ at a tie, as SPARQL's ROUND) to ``places``."""
        if self.share is None:
            return None
        scale = 10**places
        return Decimal(math.floor(self.share * scale + Fraction(1, 2))) / scale

    def status_label(self, lang: str = "ja") -> str:
        return STATUSES[self.status][lang]


def _last(obs: list[Obs]) -> Obs | None:
    """The value with the latest period end; one without a period only when none has one."""
    dated = [o for o in obs if o.end is not None]
    if dated:
        return max(dated, key=Obs.key)
    return obs[0] if obs else None


def _months(day: dt.date) -> int:
    return day.year * 12 + day.month


def _dist(x: Decimal, lower: Decimal | None, upper: Decimal | None) -> Decimal:
    if lower is not None and x < lower:
        return lower - x
    if upper is not None and x > upper:
        return x - upper
    return Decimal(0)


def choose_target(targets: list[Obs], latest: Obs | None) -> Obs | None:
    """The first target ending on or after the latest value's period end, else the last target;
    the first target when the latest value has no period. Targets without a period count only when
    none has one."""
    dated = [t for t in targets if t.end is not None]
    if not dated:
        return targets[0] if targets else None
    if latest is None or latest.end is None:
        return min(dated, key=Obs.key)
    ahead = [t for t in dated if t.key() >= latest.key()]
    return min(ahead, key=Obs.key) if ahead else max(dated, key=Obs.key)


def assess(series: Series) -> Progress:
    """Baseline, latest value, target, share, elapsed time and status of ``series``."""
    b, v = _last(series.baselines), _last(series.currents)
    t = choose_target(series.targets, v)
    direction, source = series.direction, "stated" if series.direction else None
    if direction is None and b is not None and t is not None and t.value != b.value:
        direction, source = ("increase" if t.value > b.value else "decrease"), "inferred"

    def done(status: str, share: Fraction | None = None, elapsed: Fraction | None = None) -> Progress:
        return Progress(series, b, v, t, direction, source, share, elapsed, status)

    if direction == "range":
        lo, hi = series.lower, series.upper
        if v is None:
            return done("no-data")
        dv = _dist(v.value, lo, hi)
        if dv == 0:
            return done("achieved", Fraction(1))
        if b is None:
            return done("no-data")
        db = _dist(b.value, lo, hi)
        if db == 0:
            return done("off-track")
        nearer = (Fraction(db) - Fraction(dv)) / Fraction(db)
        return done("on-track" if dv < db else "off-track", nearer)
    share: Fraction | None = None
    if b is not None and t is not None and v is not None and t.value != b.value:
        share = (Fraction(v.value) - Fraction(b.value)) / (Fraction(t.value) - Fraction(b.value))
    if v is None or direction is None or t is None:
        return done("no-data", share)
    sign = 1 if direction == "increase" else -1
    if sign * (v.value - t.value) >= 0:
        return done("achieved", share)
    if b is None:
        return done("no-data", share)
    if sign * (t.value - b.value) <= 0:
        return done("off-track", share)
    assert share is not None
    if b.end and t.end and v.end and _months(t.end) > _months(b.end):
        span = _months(t.end) - _months(b.end)
        elapsed = Fraction(min(max(_months(v.end) - _months(b.end), 0), span), span)
        return done("on-track" if share >= elapsed else "off-track", share, elapsed)
    return done("on-track" if share > 0 else "off-track", share)


# ---------------------------------------------------------------------- reading the graph
SERIES_SPARQL = """
SELECT DISTINCT ?indicator ?org ?project ?kind ?value ?period ?end WHERE {
  ?indicator ikg:hasValue ?v . ?v ikg:valueKind ?kind ; rdf:value ?value .
  OPTIONAL { ?v ikg:forOrganization ?org } OPTIONAL { ?v ikg:project ?project }
  OPTIONAL { ?v ikg:period ?period } OPTIONAL { ?v ikg:periodEnd ?end }
}"""
ALL_SERIES_SPARQL = """
SELECT DISTINCT ?indicator ?org ?project WHERE {
  ?indicator ikg:hasValue ?v .
  OPTIONAL { ?v ikg:forOrganization ?org } OPTIONAL { ?v ikg:project ?project }
}"""
DIRECTIONS_SPARQL = """
SELECT DISTINCT ?indicator ?org ?direction ?lower ?upper WHERE {
  ?a ikg:assignedIndicator ?indicator ; ikg:forOrganization ?org ; ikg:desiredDirection ?direction .
  OPTIONAL { ?a ikg:rangeLower ?lower } OPTIONAL { ?a ikg:rangeUpper ?upper }
}"""
LABELS_SPARQL = """
SELECT ?s (SAMPLE(?ja) AS ?labelJa) (SAMPLE(?en) AS ?labelEn) (SAMPLE(?u) AS ?unit) WHERE {
  { ?s ikg:hasValue ?v } UNION { ?v ikg:forOrganization ?s } UNION { ?v ikg:project ?s }
  OPTIONAL { ?s rdfs:label ?ja FILTER(lang(?ja) = "ja") }
  OPTIONAL { ?s rdfs:label ?en FILTER(lang(?en) = "en") }
  OPTIONAL { ?s ikg:unit/skos:prefLabel ?u FILTER(lang(?u) = "ja") }
} GROUP BY ?s"""


def read_series(kg, organization: str | None = None) -> list[Series]:
    """Every series of the graph (one organisation's when ``organization``, an IRI, is given),
    with its values and its stated direction."""
    kinds = {CONCEPT + "value-kind/" + k: k for k in ("baseline", "current", "target")}
    found: dict[tuple, Series] = {}
    for r in kg.sparql(ALL_SERIES_SPARQL).dicts():
        key = (r["indicator"], r.get("org"), r.get("project"))
        found.setdefault(key, Series(*key))
    for r in kg.sparql(SERIES_SPARQL).dicts():
        kind = kinds.get(r["kind"])
        if kind is None:
            continue
        end = dt.date.fromisoformat(str(r["end"])) if r.get("end") is not None else None
        obs = Obs(Decimal(str(r["value"])), str(r.get("period") or ""), end)
        s = found[(r["indicator"], r.get("org"), r.get("project"))]
        bucket = {"baseline": s.baselines, "current": s.currents, "target": s.targets}[kind]
        if obs not in bucket:
            bucket.append(obs)
    stated = {(r["indicator"], r["org"]): r for r in kg.sparql(DIRECTIONS_SPARQL).dicts()}
    labels = {r["s"]: r for r in kg.sparql(LABELS_SPARQL).dicts()}
    out = []
    for (ind, org, proj), s in sorted(found.items(), key=lambda kv: tuple(str(x or "") for x in kv[0])):
        if organization is not None and org != organization:
            continue
        d = stated.get((ind, org))
        if d is not None:
            s.direction = d["direction"].rsplit("/", 1)[-1]
            s.lower = Decimal(str(d["lower"])) if d.get("lower") is not None else None
            s.upper = Decimal(str(d["upper"])) if d.get("upper") is not None else None
        name = labels.get(ind, {})
        s.labels = {
            "ja": name.get("labelJa") or name.get("labelEn") or ind.rsplit("/", 1)[-1],
            "en": name.get("labelEn") or name.get("labelJa") or ind.rsplit("/", 1)[-1],
            "unit": name.get("unit") or "",
            "organization": _name(labels, org),
            "project": _name(labels, proj),
        }
        out.append(s)
    return out


def _name(labels: dict, iri: str | None) -> dict[str, str]:
    if iri is None:
        return {"ja": "", "en": ""}
    r = labels.get(iri, {})
    ja = r.get("labelJa") or r.get("labelEn") or iri.rsplit("/", 1)[-1]
    return {"ja": ja, "en": r.get("labelEn") or ja}


def progress(kg, organization: str | None = None) -> list[Progress]:
    """The progress of every series in the graph (of one organisation, given by IRI), in the
    order of indicator, organisation and project.

    >>> from impactkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory(); _ = kg.build()
    >>> [(p.series.indicator.rsplit("/", 1)[-1], p.status) for p in progress(kg)]
    [('consortium-hj21-1', 'no-data')]
    """
    return [assess(s) for s in read_series(kg, organization)]


def series_over_time(p: Progress) -> list[tuple[dt.date, Fraction]]:
    """The share of the way at each observed value of a series with a period end (for the line
    chart): the same formula as the share, against the series' baseline and target."""
    s, b, t = p.series, p.baseline, p.target
    out = []
    for obs in sorted(s.currents, key=Obs.key):
        if obs.end is None or b is None:
            continue
        if p.direction == "range":
            db, dv = _dist(b.value, s.lower, s.upper), _dist(obs.value, s.lower, s.upper)
            if dv == 0:
                out.append((obs.end, Fraction(1)))
            elif db:
                out.append((obs.end, (Fraction(db) - Fraction(dv)) / Fraction(db)))
        elif t is not None and t.value != b.value:
            out.append((obs.end, (Fraction(obs.value) - Fraction(b.value)) / (Fraction(t.value) - Fraction(b.value))))
    return out


__all__ = ["DIRECTIONS", "STATUSES", "Obs", "Progress", "Series", "assess", "choose_target",
           "progress", "read_series", "series_over_time"]
