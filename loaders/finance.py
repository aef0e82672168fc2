"""Finance cases, the case map (social issue x finance method) and support bundles
(kinds ``finance_cases``, ``case_map``, ``bundles``).

A case-map number is a case of the case map (``case/<namespace>-map-<number>``). Where the case
list of the same namespace has a case with that number (id ``case-<number>``), the two are not
merged: an ``ikg:CaseIdentification`` records that they may be one case, with the assertion
status ``inferred`` (a numbering coincidence is not a statement of the source). Named queries
follow identifications only when asked (``finance-by-method -p identified=yes``).
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
    decimal,
    ikg,
    integer,
    plain,
    text,
)
from impactkg.loaders.cells import parse_year
from impactkg.loaders.imm import cell
from impactkg.loaders.stakeholders import organization
from impactkg.ontology import DCTERMS, IKG, PROV, SKOS, nfkc, record_iri, status_iri


def _concepts(row: Row, ctx: Context, column: str, scheme: str, prop: str, node: ox.NamedNode) -> None:
    for value in row.get(column).split():
        c = ctx.concept(row, column, scheme, value)
        if c is not None:
            ctx.add(node, ikg(prop), c)


def case_node(ctx: Context, key: str) -> ox.NamedNode:
    return N(record_iri("case", ctx.qualified(key)))


def convert_case(row: Row, ctx: Context) -> None:
    node = case_node(ctx, row.get("id"))
    ctx.add(node, A, ikg("FinanceCase"))
    number = row.get("number")
    if number:
        ctx.add(node, ikg("caseNumber"), plain(number.strip()))
    title = row.get("summary") or row.get("target_business") or row.get("id")
    ctx.label(node, f"{number} {title}".strip() if number else title)
    if row.get("summary"):
        ctx.add(node, N(DCTERMS + "description"), text(row.get("summary")))
    if row.get("provider"):
        ctx.add(node, ikg("provider"), organization(row, ctx, "provider", row.get("provider")))
    for column, prop in (
        ("recipient", "recipient"),
        ("target_business", "targetBusiness"),
        ("instrument", "instrument"),
    ):
        if row.get(column):
            ctx.add(node, ikg(prop), text(row.get(column)))
    if row.get("method_text"):
        ctx.add(node, N("http://www.w3.org/2004/02/skos/core#note"), text(row.get("method_text")))
    _concepts(row, ctx, "method", "finance-method", "financeMethod", node)
    _concepts(row, ctx, "blended_category", "blended-category", "blendedCategory", node)
    _concepts(row, ctx, "effects", "blended-effect", "blendedEffect", node)
    _concepts(row, ctx, "growth_stage", "growth-stage", "growthStage", node)
    _concepts(row, ctx, "social_issue", "social-issue", "socialIssue", node)
    if row.get("amount"):
        amount = ctx.to_decimal(row, "amount", row.get("amount"))
        if amount is not None:
            ctx.add(node, ikg("amount"), decimal(amount))
            currency = nfkc(row.get("currency")).upper()
            if not (len(currency) == 3 and currency.isalpha()):
                ctx.error(
                    row,
                    "currency",
                    f"an amount needs an ISO 4217 currency code, got {row.get('currency')!r}",
                )
            else:
                ctx.add(node, ikg("currency"), plain(currency))
    if row.get("year"):  # four digits, as in a values file: "24" or "2024年" is refused
        period = cell(ctx, row, "year", parse_year)
        if period is not None:
            ctx.add(node, ikg("year"), integer(period.start.year))
    if row.get("subordination_rate"):
        rate = ctx.to_decimal(row, "subordination_rate", row.get("subordination_rate"))
        if rate is not None and not 0 <= rate <= 1:
            ctx.error(row, "subordination_rate", f"expected a share between 0 and 1, got {rate}")
        elif rate is not None:
            ctx.add(node, ikg("subordinationRate"), decimal(rate))
    ctx.provenance(node, row, quote=row.get("summary") or row.get("target_business") or number,
                   label=title)


FINANCE_CASES = Kind(
    name="finance_cases",
    title="Finance cases (事例一覧)",
    key="id",
    aliases=("cases", "事例", "事例一覧"),
    columns=[
        Column(
            "id",
            "Identifier, unique in the file (case-<number> for numbered cases)",
            True,
            example="case-10",
        ),
        Column("number", "Case number in the source", aliases=("no", "no.", "番号"), example="10"),
        Column(
            "provider",
            "Provider: organisation id or name",
            aliases=("資金の出し手",),
            example="京都信用金庫",
        ),
        Column("recipient", "Recipient, as described", aliases=("資金の受け手",)),
        Column("target_business", "Target business", aliases=("対象事業",)),
        Column("instrument", "Financial instrument, as named", aliases=("金融商品",)),
        Column(
            "method",
            "Finance method ids, space-separated (loan, bond, ...)",
            aliases=("ファイナンス手法",),
            example="loan",
        ),
        Column("method_text", "Method/feature text as written", aliases=("特徴/ファイナンス手法",)),
        Column("summary", "Summary", aliases=("概要", "ユースケース/概要")),
        Column("blended_category", "Blended-finance category ids"),
        Column("effects", "Blended-finance effect ids"),
        Column("growth_stage", "Growth stage ids", aliases=("成長段階",)),
        Column("social_issue", "Social issue ids", aliases=("社会課題",)),
        Column("amount", "Amount (a number)", aliases=("金額", "出資額")),
        Column("currency", "ISO 4217 currency of the amount", aliases=("通貨",), example="JPY"),
        Column("year", "Year", aliases=("年", "出資時期")),
        Column("subordination_rate", "Subordinated share, 0 to 1", aliases=("劣後率",)),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_case,
    properties={
        "provider": IKG + "provider",
        "method": IKG + "financeMethod",
        "blended_category": IKG + "blendedCategory",
        "effects": IKG + "blendedEffect",
        "growth_stage": IKG + "growthStage",
        "social_issue": IKG + "socialIssue",
        "amount": IKG + "amount",
        "currency": IKG + "currency",
        "year": IKG + "year",
        "subordination_rate": IKG + "subordinationRate",
    },
)


def convert_cell(row: Row, ctx: Context) -> None:
    issue = ctx.concept(row, "social_issue", "social-issue", row.get("social_issue"))
    method = ctx.concept(row, "finance_method", "finance-method", row.get("finance_method"))
    numbers = nfkc(row.get("case_numbers")).split()
    bad = [n for n in numbers if not n.isdigit()]
    if bad:
        ctx.error(row, "case_numbers", f"case numbers must be whole numbers, got {bad[0]!r}")
        return
    dupes = {n for n in numbers if numbers.count(n) > 1}
    if dupes:
        ctx.error(row, "case_numbers", f"case {sorted(dupes)[0]} appears twice in the cell")
        return
    if issue is None or method is None:
        return
    issue_id, method_id = issue.value.rsplit("/", 1)[-1], method.value.rsplit("/", 1)[-1]
    for order, number in enumerate(numbers, start=1):
        case = case_node(ctx, f"map-{number}")
        if not ctx.batch.exists(case.value):
            ctx.add(case, A, ikg("FinanceCase"))
            ctx.add(case, ikg("caseNumber"), plain(number))
            ctx.add(case, ikg("assertionStatus"), N(status_iri("stated")))
            if ctx.batch.agents.get("author"):
                ctx.add(case, N(PROV + "wasAttributedTo"), N(ctx.batch.agents["author"]))
        entry = N(record_iri("case-map", f"{ctx.namespace}-{issue_id}-{method_id}-{number}"))
        ctx.add(entry, A, ikg("CaseMapEntry"))
        ctx.add(entry, ikg("case"), case)
        ctx.add(entry, ikg("socialIssue"), issue)
        ctx.add(entry, ikg("financeMethod"), method)
        ctx.add(entry, ikg("order"), integer(order))
        ctx.provenance(entry, row, quote=row.get("case_numbers"))
        listed = case_node(ctx, f"case-{number}")
        if ctx.batch.exists(listed.value):
            _identify(ctx, row, case, listed, number)


def _identify(ctx: Context, row: Row, mapped: ox.NamedNode, listed: ox.NamedNode, number: str) -> None:
    """Record that case-map case ``number`` may be the case list's case ``number``: the team's
    inference from the number alone, which the source does not state."""
    node = N(record_iri("case-identification", f"{ctx.namespace}-{number}"))
    ctx.add(node, A, ikg("CaseIdentification"))
    ctx.add(node, ikg("identifies"), mapped)
    ctx.add(node, ikg("identifies"), listed)
    ctx.label(node, f"事例マップの {number} = 事例一覧の {number}?", "ja")
    ctx.label(node, f"case-map case {number} = case-list case {number}?", "en")
    ctx.add(node, N(SKOS + "editorialNote"), text(
        f"the case map's number {number} and the case list's case {number} are taken to be one "
        "case from the number alone: the source does not say that the map numbers the list's "
        "cases", "en"))
    ctx.provenance(node, row, default="inferred", main=False)


CASE_MAP = Kind(
    name="case_map",
    title="Case map: social issue x finance method, with case numbers (事例マップ)",
    aliases=("casemap", "事例マップ"),
    columns=[
        Column("social_issue", "Social issue id or label", True, ("社会課題",), "environment"),
        Column("finance_method", "Finance method id or label", True, ("ファイナンス手法",), "loan"),
        Column(
            "case_numbers",
            "Case numbers in the cell, space-separated",
            True,
            ("事例番号",),
            "3 5 6",
        ),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert_cell,
    properties={"social_issue": IKG + "socialIssue", "finance_method": IKG + "financeMethod"},
)


def convert_bundle(row: Row, ctx: Context) -> None:
    node = N(record_iri("bundle", f"{ctx.namespace}-{nfkc(row.get('number')) or row.number}"))
    ctx.add(node, A, ikg("SupportBundle"))
    org = organization(row, ctx, "organization", row.get("organization"))
    ctx.add(node, ikg("supportOrganization"), org)
    name = ctx.batch.name_of(IKG + "Organization", org.value) or row.get("organization")
    label = f"{name}: 支援の束"
    ctx.label(node, label)
    if row.get("stage_supported"):
        ctx.add(node, ikg("supportedStage"), text(row.get("stage_supported")))
    for point in row.get("bundling_points").split(" / "):
        if point.strip():
            ctx.add(node, ikg("bundlingPoint"), text(point.strip()))
    _concepts(row, ctx, "growth_stages", "growth-stage", "growthStage", node)
    ctx.provenance(node, row, quote=row.get("stage_supported"))


BUNDLES = Kind(
    name="bundles",
    title="Support bundles (束) of regional finance and support",
    aliases=("束",),
    columns=[
        Column("number", "Number in the source"),
        Column("organization", "Organisation id or name", True, ("機関名",)),
        Column("stage_supported", "Stage supported, as written", aliases=("支援する段階",)),
        Column(
            "bundling_points",
            "How support is bundled; several separated by ' / '",
            aliases=("取組を「束」にするポイント",),
        ),
        Column("growth_stages", "Growth stage ids"),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert_bundle,
    properties={
        "organization": IKG + "supportOrganization",
        "stage_supported": IKG + "supportedStage",
        "bundling_points": IKG + "bundlingPoint",
        "growth_stages": IKG + "growthStage",
    },
)
