"""Policy material around the indicators: the Ministry of the Environment's green list (kind
``green_list``), subcommittee meetings and their presentations (``meetings``), public programmes
such as trial-order systems (``programmes``) and the government's growth-strategy structure as
SKOS concepts, with the bodies and ministries named for each (``strategy``).

Cells are taken as written; lists inside a cell are split where the source numbers or bullets
them: green-list items at circled numbers (①②...), expected effects at ``・``, lead ministers at
``○``.

>>> split_marked("① 建設 ② 改修", "①②③④⑤⑥⑦⑧⑨⑩")
['建設', '改修']
"""

from __future__ import annotations

import datetime as dt
import re

import pyoxigraph as ox

from impactkg.loaders.base import PREF, A, Column, Context, Kind, N, Row, ikg, integer, plain, text
from impactkg.loaders.stakeholders import organization
from impactkg.ontology import DCTERMS, IKG, SCHEMES, SKOS, XSD, concept_iri, nfkc, record_iri

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def split_marked(cell: str, marks: str) -> list[str]:
    """The parts of ``cell`` that follow each of the ``marks`` characters, trimmed."""
    parts = re.split("[" + re.escape(marks) + "]", cell)
    return [p.strip() for p in parts[1:] if p.strip()]


def _orgs(row: Row, ctx: Context, column: str, prop: str, node: ox.NamedNode) -> None:
    for ref in row.get(column).split():
        ctx.add(node, ikg(prop), ctx.record(row, column, "org", nfkc(ref), "organisation"))


# ---------------------------------------------------------------------- green list
def convert_green(row: Row, ctx: Context) -> None:
    number = nfkc(row.get("category"))
    node = N(concept_iri("green-list", number))
    scheme, cls = SCHEMES["green-list"]
    ctx.add(node, A, N(SKOS + "Concept"))
    ctx.add(node, A, N(cls))
    ctx.add(node, N(SKOS + "inScheme"), N(scheme))
    ctx.add(node, N(SKOS + "topConceptOf"), N(scheme))
    ctx.add(node, N(SKOS + "notation"), plain(number))
    label = f"大分類 {number}"
    ctx.label(node, label, "ja", pred=PREF)
    for item in split_marked(row.get("items"), CIRCLED):
        ctx.add(node, ikg("greenListItem"), text(item))
    for effect in split_marked(row.get("effects"), "・"):
        ctx.add(node, ikg("expectedEffect"), text(effect))
    if row.get("publisher"):
        ctx.add(node, N(DCTERMS + "publisher"), organization(row, ctx, "publisher", row.get("publisher")))
    ctx.provenance(node, row, quote=row.get("quote") or None, label=label)


GREEN_LIST = Kind(
    name="green_list",
    title="Green list: categories, items and expected effects (グリーンリスト)",
    key="category",
    aliases=("グリーンリスト",),
    columns=[
        Column("category", "Category number (大分類)", True, ("大分類",), "100"),
        Column("items", "Items, numbered ① ② ... in one cell", aliases=("事項",)),
        Column("effects", "Expected effects, each after ・", aliases=("期待される効果",)),
        Column("publisher", "Publisher: organisation id or name", aliases=("公表者",)),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_green,
    properties={"items": IKG + "greenListItem", "effects": IKG + "expectedEffect",
                "publisher": DCTERMS + "publisher"},
)


# ---------------------------------------------------------------------- meetings
def convert_meeting(row: Row, ctx: Context) -> None:
    key = nfkc(row.get("meeting"))
    meeting = N(record_iri("meeting", ctx.qualified(key)))
    ctx.add(meeting, A, ikg("Meeting"))
    if row.get("number"):
        ctx.label(meeting, row.get("number"))
    if row.get("organization"):
        ctx.add(meeting, ikg("meetingOf"),
                ctx.record(row, "organization", "org", nfkc(row.get("organization")), "organisation"))
    if row.get("date"):
        try:
            day = dt.date.fromisoformat(nfkc(row.get("date")))
        except ValueError:
            ctx.error(row, "date", f"expected a date as YYYY-MM-DD, got {row.get('date')!r}")
        else:
            ctx.add(meeting, N(DCTERMS + "date"), ox.Literal(day.isoformat(), datatype=N(XSD + "date")))
    if row.get("date_text"):
        ctx.add(meeting, ikg("dateText"), text(row.get("date_text")))
    if row.get("theme"):
        ctx.add(meeting, ikg("theme"), text(row.get("theme")))
    if row.get("purpose"):
        ctx.add(meeting, N(DCTERMS + "description"), text(row.get("purpose")))
    ctx.provenance(meeting, row, fields=("meeting", "number", "organization", "date", "date_text",
                                         "theme", "purpose"),
                   quote=row.get("number"), label=row.get("number"), main=False)
    if not row.get("topic"):
        return
    talk = N(record_iri("presentation", f"{ctx.qualified(key)}-{nfkc(row.get('order')) or row.number}"))
    ctx.add(talk, A, ikg("Presentation"))
    ctx.label(talk, row.get("topic"))
    ctx.add(talk, ikg("presentedAt"), meeting)
    if row.get("order"):
        ctx.add(talk, ikg("order"), integer(ctx.to_int(row, "order", row.get("order")) or 0))
    for person in row.get("presenters").split():
        ctx.add(talk, ikg("presenter"), ctx.record(row, "presenters", "person", nfkc(person), "person"))
    if row.get("presenter_text"):
        ctx.add(talk, ikg("presenterText"), text(row.get("presenter_text")))
    ctx.provenance(talk, row, fields=("topic", "presenters", "presenter_text", "order"),
                   quote=row.get("topic"), label=row.get("topic"))


MEETINGS = Kind(
    name="meetings",
    title="Subcommittee meetings and their presentations (分科会の開催)",
    aliases=("分科会",),
    columns=[
        Column("meeting", "Identifier of the meeting (rows of one meeting share it)", True, example="market-1"),
        Column("number", "The meeting as the source names it", aliases=("回",), example="第1回分科会"),
        Column("organization", "id of the subcommittee or organisation holding it"),
        Column("date", "Date, YYYY-MM-DD", aliases=("日付",), example="2025-12-08"),
        Column("date_text", "The date as written"),
        Column("theme", "Theme of the meeting (対象課題)", aliases=("対象課題",)),
        Column("purpose", "Purpose of the discussion (議論の目的)", aliases=("議論の目的",)),
        Column("order", "Order of the presentation in the meeting"),
        Column("topic", "Topic of a presentation", aliases=("テーマ",)),
        Column("presenters", "Presenters: person ids, space-separated", aliases=("登壇者",)),
        Column("presenter_text", "The presenters as written"),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert_meeting,
    properties={"date": DCTERMS + "date", "theme": IKG + "theme", "purpose": DCTERMS + "description",
                "presenters": IKG + "presenter", "organization": IKG + "meetingOf"},
)


# ---------------------------------------------------------------------- programmes
def convert_programme(row: Row, ctx: Context) -> None:
    node = N(record_iri("programme", ctx.qualified(row.get("id"))))
    ctx.add(node, A, ikg("Programme"))
    ctx.label(node, row.get("name"))
    if row.get("notation"):
        ctx.add(node, N(SKOS + "notation"), plain(row.get("notation")))
    if row.get("description"):
        ctx.add(node, N(DCTERMS + "description"), text(row.get("description")))
    for ref in row.get("operator").split():
        ctx.add(node, ikg("operatedBy"), ctx.record(row, "operator", "org", nfkc(ref), "organisation"))
    _orgs(row, ctx, "organizations", "relatedOrganization", node)
    for ref in row.get("related").split():
        other = ctx.record(row, "related", "programme", ctx.qualified(ref), "programme")
        ctx.add(node, N(DCTERMS + "relation"), other)
    for ref in row.get("pillar").split():
        pillar = ctx.require(row, "pillar", concept_iri("startup-pillar", nfkc(ref)), f"pillar {ref!r}")
        ctx.add(node, ikg("pillar"), pillar)
    ctx.provenance(node, row, quote=row.get("name"), label=row.get("name"))


PROGRAMMES = Kind(
    name="programmes",
    title="Public programmes and schemes (制度・施策)",
    key="id",
    aliases=("制度", "施策"),
    columns=[
        Column("id", "Identifier, unique in the file", True, example="trial-order-system"),
        Column("name", "Name as written", True, ("名称",), "トライアル発注制度"),
        Column("notation", "Code the source gives it (e.g. 柱3:①-1)"),
        Column("description", "What it is, as the source says", aliases=("概要",)),
        Column("operator", "ids of the organisations running it", aliases=("実施主体",)),
        Column("organizations", "ids of other organisations the source names with it"),
        Column("related", "ids of related programmes"),
        Column("pillar", "id of the startup-policy pillar it serves (pillar-1 ...)"),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_programme,
    properties={"operator": IKG + "operatedBy", "organizations": IKG + "relatedOrganization",
                "related": DCTERMS + "relation", "pillar": IKG + "pillar",
                "description": DCTERMS + "description"},
)


# ---------------------------------------------------------------------- growth strategy
def convert_strategy(row: Row, ctx: Context) -> None:
    scheme_id = nfkc(row.get("scheme"))
    if scheme_id not in ("strategic-field", "cross-cutting-theme", "startup-pillar"):
        ctx.error(row, "scheme", f"expected strategic-field, cross-cutting-theme or startup-pillar, got {scheme_id!r}")
        return
    node = N(concept_iri(scheme_id, nfkc(row.get("id"))))
    scheme, cls = SCHEMES[scheme_id]
    ctx.add(node, A, N(SKOS + "Concept"))
    ctx.add(node, A, N(cls))
    ctx.add(node, N(SKOS + "inScheme"), N(scheme))
    ctx.add(node, N(SKOS + "topConceptOf"), N(scheme))
    ctx.label(node, row.get("label_ja"), "ja", pred=PREF)
    if row.get("notation"):
        ctx.add(node, N(SKOS + "notation"), plain(row.get("notation")))
    if row.get("definition_ja"):
        ctx.add(node, N(SKOS + "definition"), text(row.get("definition_ja"), "ja"))
    if row.get("body"):
        ctx.add(node, ikg("body"), organization(row, ctx, "body", row.get("body")))
    if row.get("body_status"):
        ctx.add(node, ikg("bodyStatus"), text(row.get("body_status")))
    if row.get("start"):
        ctx.add(node, ikg("startText"), text(row.get("start")))
    for lead in split_marked(row.get("lead"), "○"):
        ctx.add(node, ikg("leadMinister"), text(lead))
    if row.get("ministries_text"):
        ctx.add(node, ikg("ministriesText"), text(row.get("ministries_text")))
    _orgs(row, ctx, "ministries", "relatedMinistry", node)
    _orgs(row, ctx, "organizations", "relatedOrganization", node)
    if row.get("experts"):
        n = ctx.to_int(row, "experts", row.get("experts"))
        if n is not None:
            ctx.add(node, ikg("expertCount"), integer(n))
    ctx.provenance(node, row, quote=row.get("label_ja"), label=row.get("label_ja"))


STRATEGY = Kind(
    name="strategy",
    title="Growth strategy: strategic fields, cross-cutting themes, startup-policy pillars",
    aliases=("growth_strategy", "成長戦略"),
    columns=[
        Column("scheme", "strategic-field, cross-cutting-theme or startup-pillar", True, example="strategic-field"),
        Column("id", "Identifier within the scheme", True, example="ai-semiconductors"),
        Column("label_ja", "Name as written", True, ("名称",), "AI・半導体"),
        Column("notation", "Number as written (①, 柱1)"),
        Column("definition_ja", "What the source says it is"),
        Column("body", "The body that takes it up (会議体), as written"),
        Column("body_status", "新設 (new), 再編 (reorganised) ... as written"),
        Column("start", "When the body starts, as written (1月～)"),
        Column("lead", "Lead ministers, each after ○, as written"),
        Column("ministries_text", "The ministries cell (関係省庁) as written"),
        Column("ministries", "ids of the ministries named, space-separated"),
        Column("organizations", "ids of other organisations the source links to it"),
        Column("experts", "Number of experts (有識者 N名)"),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_strategy,
    properties={"ministries": IKG + "relatedMinistry", "organizations": IKG + "relatedOrganization",
                "body": IKG + "body", "experts": IKG + "expertCount",
                "definition_ja": SKOS + "definition"},
)
