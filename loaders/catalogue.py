"""Indicator catalogues (kind ``catalogue``), indicator values (``values``, read by
:mod:`impactkg.loaders.values`) and OCR fragments.

A catalogue row reads: domain, SDG goal and target, impact, activity, output/outcome, indicator,
unit — the columns of the Impact Consortium's インパクト指標集. Japanese headers are accepted.
"""

from __future__ import annotations

import pyoxigraph as ox

from impactkg.loaders.base import (
    A,
    Column,
    Context,
    Kind,
    N,
    Row,
    ikg,
    plain,
    text,
)
from impactkg.loaders.sdg import goal_node, target_node
from impactkg.loaders.values import convert_value
from impactkg.ontology import DCTERMS, IKG, PROV, RDFS, nfkc, record_iri, slug, status_iri
from impactkg.ontology.sdg import parse_goal, parse_target

INDICATOR_FIELDS = ("id", "indicator", "indicator_en", "unit", "domain", "sdg_goal", "sdg_target",
                    "data_source", "part_of")


def _element(ctx: Context, kind: str, cls: str, column: str, row: Row, scope: str = "") -> ox.NamedNode:
    label = row.get(column)
    node = N(record_iri(kind, slug(label + scope)))
    if node.value not in ctx.described:  # the same label makes the same node: said once
        ctx.described.add(node.value)
        ctx.add(node, A, ikg(cls))
        ctx.label(node, label)
    ctx.provenance(node, row, fields=(column,), quote=label, label=label, main=False)
    return node


def convert_catalogue(row: Row, ctx: Context) -> None:
    key = ctx.qualified(row.get("id"))
    ind = N(record_iri("indicator", key))
    ctx.add(ind, A, ikg("Indicator"))
    ctx.add(ind, N("http://purl.org/dc/terms/identifier"), plain(nfkc(row.get("id"))))
    ctx.label(ind, row.get("indicator"))
    if row.get("indicator_en"):
        ctx.label(ind, row.get("indicator_en"), "en")
    ctx.provenance(ind, row, fields=INDICATOR_FIELDS, quote=row.get("indicator"),
                   label=row.get("indicator"))
    if row.get("part_of"):
        whole = ctx.record(row, "part_of", "indicator", ctx.qualified(row.get("part_of")), "indicator")
        ctx.add(ind, N(DCTERMS + "isPartOf"), whole)

    domain = None
    if row.get("domain"):
        domain = ctx.concept(row, "domain", "domain", row.get("domain"), mint=True)
        if domain is not None:
            ctx.add(ind, ikg("domain"), domain)

    target = goal = None
    if row.get("sdg_target"):
        target = target_node(row, ctx, "sdg_target", row.get("sdg_target"))
        if target is not None:
            ctx.add(ind, ikg("sdgTarget"), target)
    if row.get("sdg_goal"):
        goal = goal_node(row, ctx, "sdg_goal", row.get("sdg_goal"))
        code_t = parse_target(row.get("sdg_target") or "")
        code_g = parse_goal(row.get("sdg_goal"))
        if goal is not None and code_t and code_t.split(".")[0] != code_g:
            ctx.error(row, "sdg_goal", f"goal {code_g} does not match target {code_t}")
        elif goal is not None:
            ctx.add(ind, ikg("sdgGoal"), goal)

    if row.get("unit"):
        # A unit cell named doubtful (OCR-damaged, a fragment of another row) is kept as written
        # (ikg:unitText) but is not a unit: no ikg:Unit is made of it.
        if "unit" not in row.get("doubtful").split():
            unit = ctx.concept(row, "unit", "unit", row.get("unit"), mint=True)
            if unit is not None:
                ctx.add(ind, ikg("unit"), unit)
        ctx.add(ind, ikg("unitText"), plain(row.get("unit")))
    if row.get("data_source"):
        ctx.add(ind, ikg("dataSource"), text(row.get("data_source")))

    impact = activity = result = None
    if row.get("impact"):
        impact = _element(ctx, "impact", "Impact", "impact", row)
        if target is not None:
            ctx.add(impact, ikg("servesTarget"), target)
        if domain is not None:
            ctx.add(impact, ikg("domain"), domain)
    if row.get("activity"):
        activity = _element(ctx, "activity", "Activity", "activity", row)
    if row.get("result"):
        # A result is specific to its impact and SDG target: the same wording under another
        # impact or target is another result.
        scope = "\x1f" + row.get("impact") + "\x1f" + (target.value if target is not None else "")
        result = _element(ctx, "result", "Result", "result", row, scope)
        if target is not None:
            ctx.add(result, ikg("sdgTarget"), target)
    if activity is not None and result is not None:
        ctx.add(activity, ikg("hasResult"), result)
    if result is not None and impact is not None:
        ctx.add(result, ikg("contributesTo"), impact)
    measured = result or impact or activity
    if measured is not None:
        ctx.add(ind, ikg("measures"), measured)

    elements = [e for e in (activity, result, impact) if e is not None]
    if elements:
        dom_key = nfkc(row.get("domain")) or "general"
        model = N(record_iri("logic-model", f"{ctx.namespace}-{slug(dom_key)}"))
        if model.value not in ctx.described:
            ctx.described.add(model.value)
            ctx.add(model, A, ikg("LogicModel"))
            ctx.label(model, f"{ctx.namespace}: {row.get('domain') or 'general'}")
            # The catalogue's rows grouped by domain: a grouping made by the loader, not a source record.
            ctx.add(model, ikg("assertionStatus"), N(status_iri("inferred")))
            if ctx.batch.agents.get("team"):
                ctx.add(model, N(PROV + "wasAttributedTo"), N(ctx.batch.agents["team"]))
        if domain is not None:
            ctx.add(model, ikg("domain"), domain)
        for e in elements:
            ctx.add(model, ikg("hasElement"), e)


CATALOGUE = Kind(
    name="catalogue",
    title="Indicator catalogue (インパクト指標集)",
    key="id",
    aliases=("indicators", "指標集", "インパクト指標集"),
    columns=[
        Column(
            "id",
            "Number of the row in the catalogue, unique in the file",
            True,
            ("番号", "no", "no."),
            "1",
        ),
        Column(
            "indicator",
            "The indicator (インパクト指標)",
            True,
            ("インパクト指標", "指標"),
            "地震後施設復旧時間",
        ),
        Column(
            "indicator_en", "The indicator in English", example="Recovery time after an earthquake"
        ),
        Column("unit", "Unit of the indicator (単位)", aliases=("単位",), example="分"),
        Column(
            "domain", "Domain (分野), by label or id", aliases=("分野",), example="インフラ・不動産"
        ),
        Column(
            "sdg_goal",
            "SDG goal number, optionally followed by text",
            aliases=("sdgsゴール", "ゴール"),
            example="11",
        ),
        Column(
            "sdg_target",
            "SDG target code, optionally followed by text",
            aliases=("sdgsターゲット", "ターゲット"),
            example="11.b",
        ),
        Column(
            "impact",
            "The impact (インパクト)",
            aliases=("インパクト",),
            example="自然災害等への備え（レジリエンス）",
        ),
        Column(
            "activity",
            "Example activity (アクティビティ例)",
            aliases=("アクティビティ例", "アクティビティ"),
            example="耐震性の確保",
        ),
        Column(
            "result",
            "Example output/outcome (アウトプット例・アウトカム例)",
            aliases=("アウトプット例・アウトカム例", "アウトプット・アウトカム", "output/outcome"),
            example="高い耐震性を有する建築物の整備",
        ),
        Column("data_source", "Where values come from (データソース)", aliases=("データソース",)),
        Column("part_of", "id of the indicator this one details (a sub-indicator)"),
        Column("line", "Line in the source document (empty: the row of this file)"),
        Column("doubtful", "Names of doubtful columns, space-separated"),
        Column("note", "Editorial note"),
    ],
    convert=convert_catalogue,
    properties={
        "unit": IKG + "unit",
        "domain": IKG + "domain",
        "sdg_goal": IKG + "sdgGoal",
        "sdg_target": IKG + "sdgTarget",
        "data_source": IKG + "dataSource",
        "part_of": DCTERMS + "isPartOf",
    },
)

VALUES = Kind(
    name="values",
    title="Indicator values over time: baseline, current, target",
    aliases=("indicator_values", "値", "指標値"),
    columns=[
        Column(
            "indicator",
            "id of the indicator (namespace:id for another catalogue)",
            True,
            ("指標",),
            "1",
        ),
        Column(
            "kind",
            "baseline, current or target (ベースライン値, 現状値, 目標値)",
            True,
            ("種類",),
            "baseline",
        ),
        Column("value", "The value: a number such as 1200, 1,200 or 12.5", aliases=("値",), example="120"),
        Column("unit", "Unit; when given it must be the indicator's unit", aliases=("単位",)),
        Column("year", "Calendar year of the value (four digits)", aliases=("年",), example="2024"),
        Column("period", "Period (ISO 8601): 2024, 2024-03, 2024-03-31 or 2024-04-01/2025-03-31",
               aliases=("期間", "時点"), example="2024-04-01/2025-03-31"),
        Column("organization", "Organisation the value is for: id or name", aliases=("組織", "企業")),
        Column("project", "Project within the organisation the value is for", aliases=("プロジェクト",)),
        Column("population", "Population the value refers to", aliases=("対象",)),
        Column("data_source", "Source of the value (document, page, table)", aliases=("データソース", "出典")),
        Column("source_url", "Address of the published source (prov:hadPrimarySource)", aliases=("url",)),
        Column("recorded_by", "Who recorded the value", aliases=("記録者",)),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_value,
    properties={"unit": IKG + "unit", "year": IKG + "year", "population": IKG + "population",
                "data_source": IKG + "dataSource", "period": IKG + "period",
                "organization": IKG + "forOrganization", "project": IKG + "project",
                "source_url": PROV + "hadPrimarySource"},
)


def convert_fragment(row: Row, ctx: Context) -> None:
    node = N(record_iri("fragment", f"{ctx.namespace}-{row.get('line') or row.number}"))
    ctx.add(node, A, ikg("SourceFragment"))
    ctx.label(node, row.get("text"))
    if row.get("unit_text"):
        ctx.add(node, ikg("unitText"), plain(row.get("unit_text")))
    if row.get("extra"):
        ctx.add(node, N(RDFS + "comment"), text(row.get("extra")))
    ctx.provenance(node, row, quote=row.get("text"), label=row.get("text"))


FRAGMENTS = Kind(
    name="fragments",
    title="Source fragments that OCR separated from their rows",
    key="line",
    aliases=("catalogue_fragments",),
    columns=[
        Column("line", "Line in the source document", True),
        Column("text", "The fragment's text", True),
        Column("unit_text", "A unit-like cell next to it"),
        Column("extra", "Any further cell"),
        Column("note", "Editorial note"),
    ],
    convert=convert_fragment,
)
