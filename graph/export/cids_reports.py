"""Indicator values in the CIDS export (called by :func:`impactkg.graph.export.cids.to_cids` for
each indicator): what maps where, following CIDS v3.2 (``cids.ttl``):

=====================  ==========================================================================
impactkg               CIDS
=====================  ==========================================================================
current value          cids:IndicatorReport (Basic tier): cids:forIndicator, cids:forOrganization
                       (the value's organisation, else the export's), i72:value [i72:Measure;
                       i72:hasNumericalValue], prov:startedAtTime / prov:endedAtTime (the first and
                       last instant of its period), org:hasName, cids:hasComment (kind, population,
                       data source, project, primary source, who recorded it), and cids:forTarget
                       (Essential tier): the target it is measured against, chosen as the progress
                       rule does (the first target ending on or after the report's period end)
baseline value         the same cids:IndicatorReport; and the indicator's cids:hasBaseline (an
                       i72:Measure, functional in CIDS): the baseline of the export's organisation
                       with the latest period end, when there is exactly one such series
target value           cids:Target: org:hasName, i72:value [i72:Measure], prov:startedAtTime /
                       prov:endedAtTime, cids:hasComment; the indicator's cids:hasTarget
=====================  ==========================================================================

A value without a number or without a period (or year) cannot be a report or target: it is
listed, with why, in the export's list of what CIDS cannot express. Numbers keep their exact
decimal text (``i72:hasNumericalValue`` is an ``xsd:string``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from impactkg.graph.analysis.progress import Obs, choose_target
from impactkg.loaders.cells import decimal_text
from impactkg.ontology import IKG, PROV

CIDS = rdflib.Namespace("https://ontology.commonapproach.org/cids#")
ORG = rdflib.Namespace("http://ontology.eil.utoronto.ca/tove/organization#")
I72 = rdflib.Namespace("http://ontology.eil.utoronto.ca/ISO21972/iso21972#")
PROVNS = rdflib.Namespace(PROV)

KINDS = {"current": "現状値", "baseline": "ベースライン値", "target": "目標値"}
#: The properties of a value this export carries (in the report, target or comment).
USES = {str(RDF.value), IKG + "year", IKG + "valueKind", IKG + "unit", IKG + "population",
        IKG + "dataSource", IKG + "period", IKG + "periodStart", IKG + "periodEnd",
        IKG + "forOrganization", IKG + "project", IKG + "inSeries", PROV + "hadPrimarySource",
        PROV + "wasAttributedTo"}


def _s(text) -> Literal:
    return Literal(" ".join(str(text).split()), datatype=XSD.string)


def _period(r, v: str) -> tuple[dt.date, dt.date, str] | None:
    """(first day, last day, as written) of a value's period, from ikg:periodStart/End or ikg:year."""
    start = [o for o in r.values(v, IKG + "periodStart") if isinstance(o, Literal)]
    end = [o for o in r.values(v, IKG + "periodEnd") if isinstance(o, Literal)]
    if start and end:
        text = r.label(v, preds=(IKG + "period",)) or f"{start[0]}/{end[0]}"
        return dt.date.fromisoformat(str(start[0])), dt.date.fromisoformat(str(end[0])), text
    year = [o for o in r.values(v, IKG + "year") if isinstance(o, Literal)]
    if year:
        y = int(year[0])
        return dt.date(y, 1, 1), dt.date(y, 12, 31), str(y)
    return None


def _times(add: Callable, node: str, start: dt.date, end: dt.date) -> None:
    add(node, PROVNS.startedAtTime, Literal(f"{start.isoformat()}T00:00:00", datatype=XSD.dateTime))
    add(node, PROVNS.endedAtTime, Literal(f"{end.isoformat()}T23:59:59", datatype=XSD.dateTime))


def indicator_values(r, add: Callable, typed: Callable, ind: str, label: str, org: URIRef,
                     skipped: dict[str, list[str]]) -> None:
    """Export the values of indicator ``ind`` (its CIDS name ``label``) for the export's
    organisation ``org``; values that cannot be expressed go to ``skipped`` (reason -> values)."""
    series: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for v in r.objects(ind, IKG + "hasValue"):
        kind = (r.objects(v, IKG + "valueKind") or [""])[0].rsplit("/", 1)[-1]
        number = [o for o in r.values(v, str(RDF.value)) if isinstance(o, Literal)]
        period = _period(r, v)
        if kind not in KINDS:
            skipped[f"{kind or 'unknown'} values (no CIDS class for this kind of value)"].append(v)
            continue
        if not number or period is None:
            missing = " and ".join(w for w, have in (("a number", number), ("a period or year", period)) if not have)
            what = "an IndicatorReport" if kind != "target" else "a cids:Target"
            skipped[f"{KINDS[kind]} without {missing} ({what} needs both)"].append(v)
            continue
        start, end, text = period
        value_org = (r.objects(v, IKG + "forOrganization") or [str(org)])[0]
        project = (r.objects(v, IKG + "project") or [""])[0]
        measure = URIRef(v + "/measure")
        add(measure, RDF.type, I72.Measure)
        add(measure, I72.hasNumericalValue, _s(decimal_text(number[0].toPython())))
        add(v, I72.value, measure)
        _times(add, v, start, end)
        comment = [KINDS[kind]]
        for p, what in ((IKG + "population", "対象"), (IKG + "dataSource", "データソース")):
            found = r.label(v, "ja", "en", preds=(p,))
            if found:
                comment.append(f"{what}: {found}")
        if project:
            comment.append(f"プロジェクト: {r.label(project, 'ja', 'en') or project}")
        for src in r.objects(v, PROV + "hadPrimarySource"):
            comment.append(f"出典: {src}")
        for who in r.objects(v, PROV + "wasAttributedTo"):
            comment.append(f"記録: {r.label(who, 'ja', 'en') or who}")
        add(v, CIDS.hasComment, _s(" / ".join(comment)))
        if kind == "target":
            typed(v, CIDS.Target, USES)
            add(v, ORG.hasName, _s(f"{label} {KINDS[kind]} {text}"))
            add(ind, CIDS.hasTarget, URIRef(v))
        else:
            typed(v, CIDS.IndicatorReport, USES)
            add(v, ORG.hasName, _s(f"{label} {KINDS[kind]} {text}"))
            add(v, CIDS.forIndicator, URIRef(ind))
            add(v, CIDS.forOrganization, URIRef(value_org))
            add(ind, CIDS.hasIndicatorReport, URIRef(v))
        obs = Obs(number[0].toPython(), text, end)
        series[(value_org, project)][kind].append((obs, v))
    _baseline(add, ind, str(org), series, skipped)
    for values in series.values():
        targets = [obs for obs, _ in values["target"]]
        node = {id(obs): v for obs, v in values["target"]}
        for obs, v in values["current"]:
            target = choose_target(targets, obs)
            if target is not None:
                add(v, CIDS.forTarget, URIRef(node[id(target)]))


def _baseline(add: Callable, ind: str, org: str, series: dict, skipped: dict[str, list[str]]) -> None:
    """cids:hasBaseline (one per indicator): the latest baseline of the export's organisation,
    when exactly one of its series (projects) has a baseline."""
    mine = [vals["baseline"] for (o, _), vals in series.items() if o == org and vals["baseline"]]
    if len(mine) == 1:
        _, v = max(mine[0], key=lambda x: x[0].key())
        add(ind, CIDS.hasBaseline, URIRef(v + "/measure"))
        return
    others = [v for (o, _), vals in series.items() for _, v in vals["baseline"] if len(mine) > 1 or o != org]
    if others:
        skipped["baselines reported as IndicatorReports but not as the indicator's cids:hasBaseline "
                "(CIDS holds one baseline per indicator: that of the exported organisation, with one "
                "series)"].extend(others)


__all__ = ["KINDS", "indicator_values"]
