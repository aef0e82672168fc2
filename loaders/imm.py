"""Impact measurement and management (IMM) tables: a company's or fund's KPI pool (kind
``kpi_pool``) and its value hypotheses (kind ``value_hypotheses``), and the references they share
with the ``values`` kind (organisations, projects, the agents who decided or recorded).

The KPI pool follows the process of seed lines 570-572: indicators enter the pool (impact KPIs
from the logic model, ESG indicators chosen by materiality, financial indicators), become core-KPI
candidates by their fit with the business strategy, are trial-run through monitoring, and become
core KPIs. Each row is one decision: organisation, indicator, role, stage, when, by whom, why; an
indicator's later stages are further rows. A value hypothesis says that one indicator drives
another (seed line 532: impact KPIs reach corporate value through business KPIs), with its
polarity, expected lag, evidence level and status.

Every problem is located (``file:row:column: message``) and the load then changes nothing:
an unknown role or stage, an indicator or organisation that is neither in the load nor in the
graph, a hypothesis from an indicator to itself, range bounds without a range, two rows saying
the same thing, directions that contradict each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from impactkg.errors import Problem
from impactkg.loaders.base import A, Column, Context, Kind, N, Row, ikg, integer, plain, text
from impactkg.loaders.cells import (
    CellError,
    decimal_text,
    parse_date,
    parse_lag_months,
    parse_polarity,
)
from impactkg.ontology import IKG, PROV, XSD, concept_iri, nfkc, record_iri, slug

RANGE = concept_iri("desired-direction", "range")
REFUTED = concept_iri("hypothesis-status", "refuted")
PROPOSED = "proposed"


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=N(XSD + datatype))


def located(ctx: Context, row: Row, column: str | None) -> tuple[str, int, str | None]:
    """Where a cell is: (file, row, header as written)."""
    return ctx.table.source, row.number, row.headers.get(column, column) if column else None


# ---------------------------------------------------------------------- shared references
def organization_ref(row: Row, ctx: Context, column: str) -> ox.NamedNode:
    """An organisation by name or id, which must exist in this load or in the graph (an unknown
    name is refused rather than minted: a misspelt company would silently become a new one)."""
    value = row.get(column).strip()
    found = ctx.batch.find_by_name(IKG + "Organization", value)
    if found:
        return N(found)
    return ctx.record(row, column, "org", nfkc(value), "organisation (give its id or name, as in the organizations sheet)")


def agent_ref(row: Row, ctx: Context, column: str) -> ox.NamedNode:
    """Who decided or recorded: a person or organisation of the graph by name, else a
    ``prov:Agent`` with that name."""
    name = " ".join(row.get(column).split())
    for cls in (IKG + "Person", IKG + "Organization"):
        found = ctx.batch.find_by_name(cls, name)
        if found:
            return N(found)
    node = N(record_iri("agent", slug(name)))
    if (ctx.graph.value, node.value) not in ctx.batch.extras.setdefault("imm-agents", set()):
        ctx.batch.extras["imm-agents"].add((ctx.graph.value, node.value))
        ctx.add(node, A, N(PROV + "Agent"))
        ctx.label(node, name)
        ctx.provenance(node, row, fields=(column,), quote=name, label=name, main=False)
    return node


def project_ref(row: Row, ctx: Context, column: str, org: ox.NamedNode | None) -> ox.NamedNode:
    """A project (a unit whose values are tracked separately) by name, within its organisation."""
    name = " ".join(row.get(column).split())
    scope = org.value if org is not None else ctx.namespace
    node = N(record_iri("project", slug(scope + "\x1f" + name)))
    if (ctx.graph.value, node.value) not in ctx.batch.extras.setdefault("imm-projects", set()):
        ctx.batch.extras["imm-projects"].add((ctx.graph.value, node.value))
        ctx.add(node, A, ikg("Project"))
        ctx.label(node, name)
        if org is not None:
            ctx.add(node, ikg("forOrganization"), org)
        # named by a cell: the status of that cell, not the row's (which is about its value)
        ctx.provenance(node, row, fields=(column,), quote=name, label=name, main=False)
    return node


def cell(ctx: Context, row: Row, column: str, parse) -> Any:
    """``parse(cell)``, or None after reporting the cell's problem."""
    try:
        return parse(row.get(column))
    except CellError as exc:
        ctx.error(row, column, str(exc))
        return None


def first_seen(ctx: Context, what: str, key: tuple, row: Row, column: str, message: str) -> bool:
    """True the first time ``key`` is seen in this table; else report ``message`` (with the row
    of the first) and return False."""
    seen = ctx.batch.extras.setdefault((what, ctx.graph.value), {})
    if key in seen:
        ctx.error(row, column, f"{message} (also on row {seen[key]})")
        return False
    seen[key] = row.number
    return True


def decision(row: Row, ctx: Context, node: ox.NamedNode) -> None:
    """Who decided (prov:wasAttributedTo) and on which day (ikg:decidedOn)."""
    if row.get("decided_by"):
        ctx.add(node, N(PROV + "wasAttributedTo"), agent_ref(row, ctx, "decided_by"))
    if row.get("decided_on"):
        day = cell(ctx, row, "decided_on", parse_date)
        if day is not None:
            ctx.add(node, ikg("decidedOn"), typed(day.isoformat(), "date"))


def unbound(cell: str) -> str:
    """A cell of :meth:`Batch.lookup`'s rows, with an unbound variable (written ``'None'``) as ``''``."""
    return "" if cell == "None" else cell


def _values(iris: list[str]) -> str:
    return "VALUES ?i { " + " ".join(f"<{i}>" for i in sorted(set(iris))) + " }"


# ---------------------------------------------------------------------- KPI pool
def convert_kpi(row: Row, ctx: Context) -> None:
    org = organization_ref(row, ctx, "organization")
    ind = ctx.record(row, "indicator", "indicator", ctx.qualified(row.get("indicator")), "indicator")
    role = ctx.concept(row, "role", "kpi-role", row.get("role"))
    stage = ctx.concept(row, "stage", "kpi-stage", row.get("stage"))
    direction = ctx.concept(row, "direction", "desired-direction", row.get("direction")) if row.get("direction") else None
    lower = ctx.to_decimal(row, "range_lower", row.get("range_lower")) if row.get("range_lower") else None
    upper = ctx.to_decimal(row, "range_upper", row.get("range_upper")) if row.get("range_upper") else None
    is_range = direction is not None and direction.value == RANGE
    if (lower is not None or upper is not None) and not is_range:
        column = "range_lower" if lower is not None else "range_upper"
        ctx.error(row, column, "range bounds need the direction 'range' (keep within a range)")
    if is_range and lower is None and upper is None and not (row.get("range_lower") or row.get("range_upper")):
        ctx.error(row, "direction", "a 'range' direction needs range_lower, range_upper or both")
    if lower is not None and upper is not None and lower > upper:
        ctx.error(row, "range_upper", f"the upper bound {decimal_text(upper)} is below the lower bound {decimal_text(lower)}")
    if role is None or stage is None:
        return
    key = (org.value, ind.value, role.value, stage.value)
    if not first_seen(ctx, "kpi-rows", key, row, "stage", "the same organisation, indicator, role and stage twice"):
        return
    if direction is not None:
        seen = ctx.batch.extras.setdefault("kpi-directions", {})
        mine = (direction.value, lower, upper)
        earlier = seen.get((org.value, ind.value))
        if earlier is not None and earlier[0] != mine:
            ctx.error(row, "direction", f"the direction or range differs from {earlier[1]}:{earlier[2]} for the same organisation and indicator")
        else:
            seen[(org.value, ind.value)] = (mine, ctx.table.source, row.number, located(ctx, row, "direction"))
        _check_later(ctx, "kpi-directions-check", _check_directions)
    node = N(record_iri("kpi", f"{ctx.namespace}-{slug(ctx.graph.value + chr(31) + chr(31).join(key))}"))
    ctx.add(node, A, ikg("KPIAssignment"))
    ctx.add(node, ikg("forOrganization"), org)
    ctx.add(node, ikg("assignedIndicator"), ind)
    ctx.add(node, ikg("kpiRole"), role)
    ctx.add(node, ikg("selectionStage"), stage)
    if direction is not None:
        ctx.add(node, ikg("desiredDirection"), direction)
    if lower is not None:
        ctx.add(node, ikg("rangeLower"), typed(decimal_text(lower), "decimal"))
    if upper is not None:
        ctx.add(node, ikg("rangeUpper"), typed(decimal_text(upper), "decimal"))
    if row.get("rationale"):
        ctx.add(node, ikg("rationale"), text(row.get("rationale")))
    decision(row, ctx, node)
    ctx.provenance(node, row)


def _check_later(ctx: Context, name: str, check) -> None:
    if name not in ctx.batch.extras:
        ctx.batch.extras[name] = True
        ctx.batch.deferred.append(lambda: check(ctx.batch))


def _check_directions(batch) -> None:
    """A direction that contradicts the one the graph already holds for the same organisation
    and indicator (in a graph this load does not replace) is refused."""
    seen = batch.extras.get("kpi-directions", {})
    if not seen:
        return
    inds = [i for _, i in seen]
    rows = batch.lookup(
        "?o ?i ?d ?lo ?hi",
        f"{_values(inds)} ?a ikg:assignedIndicator ?i ; ikg:forOrganization ?o ; ikg:desiredDirection ?d . "
        "OPTIONAL { ?a ikg:rangeLower ?lo } OPTIONAL { ?a ikg:rangeUpper ?hi }",
    )
    for o, i, d, lo, hi in ([unbound(x) for x in r] for r in rows):
        mine = seen.get((o, i))
        if mine is None:
            continue
        held = (d, Decimal(lo) if lo else None, Decimal(hi) if hi else None)
        if held != mine[0]:
            file, number, column = mine[3]
            batch.problems.append(Problem(file, number, column, "the direction or range differs from the one the graph already holds for this organisation and indicator"))


KPI_POOL = Kind(
    name="kpi_pool",
    title="KPI pool: indicators by role and selection stage in an organisation's IMM (KPIプール)",
    aliases=("kpi", "kpis", "kpiプール", "kpi_プール"),
    columns=[
        Column("organization", "The organisation whose IMM this is: id or name (organizations sheet)", True,
               ("組織", "企業"), "example-co"),
        Column("indicator", "id of the indicator (namespace:id for another catalogue)", True, ("指標",), "imm:1"),
        Column("role", "impact-kpi, business-kpi, financial-kpi or esg-kpi (or their Japanese labels)", True,
               ("役割", "kpiの役割"), "impact-kpi"),
        Column("stage", "pool, candidate, monitoring or core (KPIプール, コアKPIの候補, モニタリング（試走）, コアKPI)", True,
               ("段階", "選定段階"), "pool"),
        Column("direction", "increase, decrease or range (keep within range_lower..range_upper)",
               aliases=("方向", "望ましい方向"), example="increase"),
        Column("range_lower", "Lowest acceptable value (direction range)", aliases=("下限",)),
        Column("range_upper", "Highest acceptable value (direction range)", aliases=("上限",)),
        Column("rationale", "Why (e.g. fit with the business strategy)", aliases=("理由",)),
        Column("decided_by", "Who decided: a person, an organisation or a body such as a board", aliases=("決定者",)),
        Column("decided_on", "When, as YYYY-MM-DD", aliases=("決定日",), example="2024-06-01"),
        Column("line", "Line (or page) in the source document"),
        Column("doubtful", "Names of doubtful columns, space-separated"),
        Column("note", "Editorial note"),
    ],
    convert=convert_kpi,
)


# ---------------------------------------------------------------------- value hypotheses
def convert_hypothesis(row: Row, ctx: Context) -> None:
    org = organization_ref(row, ctx, "organization")
    src_key, dst_key = ctx.qualified(row.get("from")), ctx.qualified(row.get("to"))
    if src_key == dst_key:
        ctx.error(row, "to", f"a value hypothesis ties two different indicators, not {row.get('from')!r} to itself")
        return
    src = ctx.record(row, "from", "indicator", src_key, "indicator")
    dst = ctx.record(row, "to", "indicator", dst_key, "indicator")
    polarity = cell(ctx, row, "polarity", parse_polarity)
    lag = cell(ctx, row, "lag", parse_lag_months) if row.get("lag") else None
    evidence = ctx.concept(row, "evidence", "evidence-level", row.get("evidence"))
    status = ctx.concept(row, "hypothesis_status", "hypothesis-status", row.get("hypothesis_status") or PROPOSED)
    if polarity is None or evidence is None or status is None:
        return
    key = (org.value, src.value, dst.value)
    if not first_seen(ctx, "hypothesis-rows", key, row, "to", "the same organisation's hypothesis between these indicators twice"):
        return
    node = N(record_iri("hypothesis", f"{ctx.namespace}-{slug(ctx.graph.value + chr(31) + chr(31).join(key))}"))
    ctx.add(node, A, ikg("ValueHypothesis"))
    ctx.add(node, ikg("forOrganization"), org)
    ctx.add(node, ikg("fromIndicator"), src)
    ctx.add(node, ikg("toIndicator"), dst)
    ctx.add(node, ikg("hypothesisPolarity"), plain(polarity))
    if lag is not None:
        ctx.add(node, ikg("lagMonths"), integer(lag))
    ctx.add(node, ikg("evidenceLevel"), evidence)
    ctx.add(node, ikg("hypothesisStatus"), status)
    if status.value != REFUTED:
        ctx.add(src, ikg("drives"), dst)
    if row.get("evidence_note"):
        ctx.add(node, ikg("evidenceNote"), text(row.get("evidence_note")))
    if row.get("label"):
        ctx.label(node, row.get("label"))
    decision(row, ctx, node)
    ctx.provenance(node, row)


VALUE_HYPOTHESES = Kind(
    name="value_hypotheses",
    title="Value hypotheses: which indicator drives which (価値仮説)",
    aliases=("hypotheses", "value_hypothesis", "価値仮説", "仮説"),
    columns=[
        Column("organization", "The organisation whose hypothesis this is: id or name", True, ("組織", "企業"), "example-co"),
        Column("from", "id of the driving (leading) indicator", True, ("原因", "先行指標"), "imm:1"),
        Column("to", "id of the driven indicator", True, ("結果",), "imm:3"),
        Column("polarity", "+ (more drives more) or - (more drives less)", True, ("極性",), "+"),
        Column("lag", "Expected lag with its unit: 6か月, 1年, P1Y6M, 18 months", aliases=("遅れ", "タイムラグ"), example="1年"),
        Column("evidence", "Evidence level: assumed, qualitative, correlational or causal", True, ("根拠の強さ", "根拠"),
               "qualitative"),
        Column("evidence_note", "What supports it (analysis, case, source)", aliases=("根拠の説明",)),
        Column("hypothesis_status", "proposed (when empty), tested, supported or refuted (not the record's "
               "assertion status, which is the status column)", aliases=("仮説の状態",)),
        Column("label", "A name for the hypothesis", aliases=("名称",)),
        Column("decided_by", "Who set out or last assessed the hypothesis", aliases=("決定者",)),
        Column("decided_on", "When, as YYYY-MM-DD", aliases=("決定日",)),
        Column("line", "Line (or page) in the source document"),
        Column("doubtful", "Names of doubtful columns, space-separated"),
        Column("note", "Editorial note"),
    ],
    convert=convert_hypothesis,
)

__all__ = ["KPI_POOL", "VALUE_HYPOTHESES", "agent_ref", "organization_ref", "project_ref"]
