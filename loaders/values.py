"""Indicator values over time (the rows of kind ``values``): a baseline, observed (current) or
target value of an indicator, for a period, an organisation and a project, with its own
provenance.

A *series* is an indicator's values for one organisation and project; within a series and kind
each period end holds one value. So these are refused, each with its place in the file:

- two rows of one table for the same indicator, kind, organisation, project and period end
  (never merged, even when the numbers agree);
- a value that contradicts one of another file of the same load, or one the graph already holds
  (another number, or another period ending the same day); the same number again is accepted, as
  when each year's file repeats the baseline;
- a unit that is not the indicator's (values are recorded in their indicator's unit);
- a year such as ``2024年`` or a number such as ``12,5x`` (see :mod:`impactkg.loaders.cells`).
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.base import A, Batch, Context, N, Row, ikg, integer, plain, text
from impactkg.loaders.cells import Period, decimal_text, parse_period, parse_year
from impactkg.loaders.imm import (
    agent_ref,
    cell,
    located,
    organization_ref,
    project_ref,
    typed,
    unbound,
)
from impactkg.ontology import IKG, PROV, RDF, SKOS, record_iri, slug, status_iri

NONE = ""


def convert_value(row: Row, ctx: Context) -> None:
    ind_key = ctx.qualified(row.get("indicator"))
    ind = ctx.record(row, "indicator", "indicator", ind_key, "indicator")
    kind = ctx.concept(row, "kind", "value-kind", row.get("kind"))
    ok, period = _period(row, ctx)
    org = organization_ref(row, ctx, "organization") if row.get("organization") else None
    project = project_ref(row, ctx, "project", org) if row.get("project") else None
    number = ctx.to_decimal(row, "value", row.get("value")) if row.get("value") else None
    url = row.get("source_url").strip()
    if url and not url.startswith(("http://", "https://")):
        ctx.error(row, "source_url", f"expected an http(s) address, got {url!r}")
    if kind is None or not ok or (row.get("value") and number is None):
        return
    key = (ind.value, kind.value, org.value if org is not None else NONE,
           project.value if project is not None else NONE, period.end.isoformat() if period else NONE)
    seen = ctx.batch.extras.setdefault(("value-rows", ctx.graph.value), {})
    if key in seen:
        what = "kind, organisation, project and period end" if period else "kind, organisation and project, without a period,"
        ctx.error(row, "period" if row.headers.get("period") else "kind",
                  f"a second value of the same indicator, {what} (also on row {seen[key]})")
        return
    seen[key] = row.number
    ctx.batch.extras.setdefault("values", []).append(
        (key, number, period.text if period else NONE, located(ctx, row, "value" if number is not None else "kind")))
    _check_later(ctx)
    kind_id = kind.value.rsplit("/", 1)[-1]
    node = N(record_iri("value", f"{ind_key}-{kind_id}-{slug(ctx.graph.value + chr(31) + chr(31).join(key))}"))
    ctx.add(node, A, ikg("IndicatorValue"))
    ctx.add(ind, ikg("hasValue"), node)
    ctx.add(node, ikg("valueKind"), kind)
    if number is not None:
        ctx.add(node, N(RDF + "value"), typed(decimal_text(number), "decimal"))
    if period:
        year = period.year()
        if year is not None:
            ctx.add(node, ikg("year"), integer(year))
        ctx.add(node, ikg("period"), plain(period.text))
        ctx.add(node, ikg("periodStart"), typed(period.start.isoformat(), "date"))
        ctx.add(node, ikg("periodEnd"), typed(period.end.isoformat(), "date"))
    if org is not None:
        ctx.add(node, ikg("forOrganization"), org)
    if project is not None:
        ctx.add(node, ikg("project"), project)
    ctx.add(node, ikg("inSeries"), _series(ctx, ind, ind_key, org, project))
    if row.get("unit"):
        unit = ctx.concept(row, "unit", "unit", row.get("unit"), mint=True)
        if unit is not None:  # always: an unknown unit is minted, and checked against the indicator's
            ctx.add(node, ikg("unit"), unit)
            ctx.batch.extras.setdefault("value-units", []).append(
                (ind.value, unit.value, row.get("unit"), located(ctx, row, "unit")))
    if row.get("population"):
        ctx.add(node, ikg("population"), text(row.get("population")))
    if row.get("data_source"):
        ctx.add(node, ikg("dataSource"), text(row.get("data_source")))
    if url:
        ctx.add(node, N(PROV + "hadPrimarySource"), N(url))
    if row.get("recorded_by"):
        ctx.add(node, N(PROV + "wasAttributedTo"), agent_ref(row, ctx, "recorded_by"))
    ctx.provenance(node, row)


def _series(ctx: Context, ind: ox.NamedNode, ind_key: str, org: ox.NamedNode | None,
            project: ox.NamedNode | None) -> ox.NamedNode:
    """The series of an indicator's values for one organisation and project (the same IRI in every
    file, described once per graph)."""
    scope = "\x1f".join(x.value if x is not None else NONE for x in (org, project))
    node = N(record_iri("series", f"{ind_key}-{slug(scope)}"))
    if (ctx.graph.value, node.value) not in ctx.batch.extras.setdefault("value-series", set()):
        ctx.batch.extras["value-series"].add((ctx.graph.value, node.value))
        ctx.add(node, A, ikg("ValueSeries"))
        # The values grouped by indicator, organisation and project: made by the loader, not a
        # source record (as the catalogue's logic models).
        ctx.add(node, ikg("assertionStatus"), N(status_iri("inferred")))
        if ctx.batch.agents.get("team"):
            ctx.add(node, N(PROV + "wasAttributedTo"), N(ctx.batch.agents["team"]))
        ctx.add(node, ikg("seriesOf"), ind)
        if org is not None:
            ctx.add(node, ikg("forOrganization"), org)
        if project is not None:
            ctx.add(node, ikg("project"), project)
    return node


def _period(row: Row, ctx: Context) -> tuple[bool, Period | None]:
    """(ok, the value's period) from ``period`` and/or ``year``, which must agree: None without
    either; not ok after reporting a problem."""
    period = cell(ctx, row, "period", parse_period) if row.get("period") else None
    year = cell(ctx, row, "year", parse_year) if row.get("year") else None
    if (row.get("period") and period is None) or (row.get("year") and year is None):
        return False, None
    if period is not None and year is not None and (period.start, period.end) != (year.start, year.end):
        ctx.error(row, "year", f"the year {year.text} is not the period {period.text}: give one of them")
        return False, None
    return True, period or year


def _check_later(ctx: Context) -> None:
    if "values-check" not in ctx.batch.extras:
        ctx.batch.extras["values-check"] = True
        ctx.batch.deferred.append(lambda: check_values(ctx.batch))


def check_values(batch: Batch) -> None:
    """After every table is converted: units against the indicators' units, and values against
    those of the other files of this load and of the graph."""
    _check_units(batch)
    _check_conflicts(batch)


def _indicator_units(batch, indicators: set[str]) -> dict[str, str]:
    units: dict[str, str] = {}
    pred = IKG + "unit"
    for quads in batch.graphs.values():
        for q in quads:
            if q.predicate.value == pred and q.subject.value in indicators:
                units.setdefault(q.subject.value, q.object.value)
    missing = indicators - set(units)
    if missing:
        values = "VALUES ?i { " + " ".join(f"<{i}>" for i in sorted(missing)) + " }"
        for i, u in batch.lookup("?i ?u", f"{values} ?i a ikg:Indicator ; ikg:unit ?u"):
            units.setdefault(i, u)
    return units


def _unit_name(batch, iri: str) -> str:
    """The unit's Japanese label (else any label, else its id)."""
    labels = [q.object for quads in batch.graphs.values() for q in quads
              if q.subject.value == iri and q.predicate.value == SKOS + "prefLabel"]
    found = {getattr(o, "language", None) or "": o.value for o in labels}
    for lab, lang in batch.lookup("?l ?lang", f"<{iri}> skos:prefLabel ?l BIND(LANG(?l) AS ?lang)"):
        found.setdefault(lang, lab)
    return found.get("ja") or next(iter(sorted(found.values())), iri.rsplit("/", 1)[-1])


def _check_units(batch) -> None:
    given = batch.extras.get("value-units", [])
    if not given:
        return
    units = _indicator_units(batch, {ind for ind, *_ in given})
    for ind, unit, written, (file, number, column) in given:
        held = units.get(ind)
        if held is not None and held != unit:
            batch.problems.append(Problem(
                file, number, column,
                f"unit {written!r} is not the indicator's unit {_unit_name(batch, held)!r} "
                "(values are recorded in their indicator's unit)"))


def _check_conflicts(batch) -> None:
    entries = batch.extras.get("values", [])
    if not entries:
        return
    first: dict[tuple, tuple] = {}
    for key, number, period, where in entries:
        earlier = first.setdefault(key, (number, period, where))
        if earlier[2][0] != where[0] and (earlier[0], earlier[1]) != (number, period):
            batch.problems.append(Problem(where[0], where[1], where[2], _conflict(
                number, period, earlier[0], earlier[1], f"{earlier[2][0]} row {earlier[2][1]}")))
    indicators = sorted({key[0] for key, *_ in entries})
    values = "VALUES ?i { " + " ".join(f"<{i}>" for i in indicators) + " }"
    held = batch.lookup(
        "?g ?i ?k ?o ?p ?e ?n ?t",
        f"{values} ?i ikg:hasValue ?v . ?v ikg:valueKind ?k . OPTIONAL {{ ?v ikg:forOrganization ?o }} "
        "OPTIONAL { ?v ikg:project ?p } OPTIONAL { ?v ikg:periodEnd ?e } OPTIONAL { ?v rdf:value ?n } "
        "OPTIONAL { ?v ikg:period ?t }",
    )
    reported = set()
    for g, i, k, o, p, e, n, t in sorted([unbound(x) for x in r] for r in held):
        key = (i, k, o or NONE, p or NONE, e or NONE)
        mine = first.get(key)
        number = Decimal(n) if n else None
        if mine is not None and key not in reported and (mine[0], mine[1]) != (number, t or NONE):
            reported.add(key)  # once per value, naming the first graph that contradicts it
            file, line, column = mine[2]
            batch.problems.append(Problem(file, line, column, _conflict(mine[0], mine[1], number, t or NONE,
                                                                        f"the graph <{g}>")))


def _conflict(number, period, other_number, other_period, where: str) -> str:
    def show(n, p):
        return f"{decimal_text(n) if n is not None else 'no number'} for {p or 'no period'}"

    return (f"contradicts a value of the same indicator, kind, organisation, project and period end in "
            f"{where}: {show(number, period)} against {show(other_number, other_period)}")
