"""Organisations, people and their roles in subcommittees (kinds ``organizations``, ``people``,
``memberships``)."""

from __future__ import annotations

from impactkg.loaders.base import A, Column, Context, Kind, N, Row, ikg, plain, text
from impactkg.ontology import FOAF, IKG, ORG, RDFS, SKOS, nfkc, record_iri, slug


def organization(row: Row, ctx: Context, column: str, value: str) -> N:
    """An organisation by id or by name; an unknown name becomes a new organisation."""
    value = value.strip()
    iri = record_iri("org", nfkc(value))
    if ctx.batch.exists(iri):
        return N(iri)
    found = ctx.batch.find_by_name(IKG + "Organization", value)
    if found:
        return N(found)
    node = N(record_iri("org", slug(value)))
    ctx.add(node, A, ikg("Organization"))
    ctx.label(node, value)
    ctx.provenance(node, row, fields=(column,), quote=value, label=value, main=False)
    ctx.batch.register_name(IKG + "Organization", value, node.value)
    return node


def convert_org(row: Row, ctx: Context) -> None:
    if not (row.get("name_ja") or row.get("name_en")):
        ctx.error(row, "name_ja", "an organisation needs name_ja or name_en")
        return
    node = N(record_iri("org", nfkc(row.get("id"))))
    ctx.add(node, A, ikg("Organization"))
    ctx.label(node, row.get("name_ja"), "ja")
    ctx.label(node, row.get("name_en"), "en")
    for name in (row.get("name_ja"), row.get("name_en")):
        if name:
            ctx.batch.register_name(IKG + "Organization", name, node.value)
    if row.get("abbreviation"):
        ctx.add(node, N(SKOS + "altLabel"), plain(row.get("abbreviation")))
        ctx.batch.register_name(IKG + "Organization", row.get("abbreviation"), node.value)
    if row.get("org_type"):
        t = ctx.concept(row, "org_type", "organization-type", row.get("org_type"))
        if t is not None:
            ctx.add(node, ikg("organizationType"), t)
    if row.get("parent"):
        parent = ctx.record(row, "parent", "org", nfkc(row.get("parent")), "organisation")
        ctx.add(node, N(ORG + "subOrganizationOf"), parent)
    name = row.get("name_ja") or row.get("name_en")
    ctx.provenance(node, row, quote=name, label=name)


ORGANIZATIONS = Kind(
    name="organizations",
    title="Organisations (stakeholders)",
    key="id",
    aliases=("organisations", "orgs", "組織"),
    columns=[
        Column("id", "Identifier (kebab-case)", True, example="kyoto-shinkin-bank"),
        Column("name_ja", "Japanese name", aliases=("名称", "組織名"), example="京都信用金庫"),
        Column("name_en", "English name", example="Kyoto Shinkin Bank"),
        Column("abbreviation", "Abbreviation", aliases=("略称",)),
        Column(
            "org_type",
            "Organisation type (financial-institution, municipality, ...)",
            aliases=("種類",),
            example="financial-institution",
        ),
        Column("parent", "id of the parent organisation"),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_org,
    properties={
        "name_ja": RDFS + "label",
        "name_en": RDFS + "label",
        "org_type": IKG + "organizationType",
        "parent": ORG + "subOrganizationOf",
    },
)


def convert_person(row: Row, ctx: Context) -> None:
    node = N(record_iri("person", nfkc(row.get("id"))))
    ctx.add(node, A, ikg("Person"))
    ctx.label(node, row.get("name_ja"), "ja")
    ctx.label(node, row.get("name_en"), "en")
    if row.get("name_ja"):
        ctx.add(node, N(FOAF + "name"), text(row.get("name_ja"), "ja"))
    if row.get("organization"):
        org = ctx.record(row, "organization", "org", nfkc(row.get("organization")), "organisation")
        ctx.add(node, ikg("affiliation"), org)
    if row.get("position"):
        ctx.add(node, ikg("position"), text(row.get("position")))
    name = row.get("name_ja") or row.get("name_en")
    ctx.provenance(node, row, quote=name, label=name)


PEOPLE = Kind(
    name="people",
    title="People",
    key="id",
    aliases=("persons", "人"),
    columns=[
        Column("id", "Identifier", True, example="p-imada-katsuji"),
        Column("name_ja", "Name in Japanese", True, ("氏名", "名前")),
        Column("name_en", "Name in English"),
        Column("organization", "id of the organisation", aliases=("所属",)),
        Column("position", "Title in the organisation", aliases=("役職",)),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert_person,
    properties={"organization": IKG + "affiliation", "position": IKG + "position"},
)


def convert_membership(row: Row, ctx: Context) -> None:
    person_id, org_id = nfkc(row.get("person")), nfkc(row.get("organization"))
    role_id = nfkc(row.get("role")) or "member"
    first = (row.get("line").replace(",", " ").split() or [str(row.number)])[0]
    key = f"{person_id}-{org_id}-{role_id}-{first}"
    node = N(record_iri("membership", key))
    ctx.add(node, A, ikg("Membership"))
    ctx.add(node, N(ORG + "member"), ctx.record(row, "person", "person", person_id, "person"))
    ctx.add(
        node,
        N(ORG + "organization"),
        ctx.record(row, "organization", "org", org_id, "organisation"),
    )
    if row.get("role"):
        role = ctx.concept(row, "role", "role", row.get("role"))
        if role is not None:
            ctx.add(node, N(ORG + "role"), role)
    if row.get("track"):
        ctx.add(node, ikg("track"), text(row.get("track")))
    ctx.provenance(node, row)


MEMBERSHIPS = Kind(
    name="memberships",
    title="Roles of people in subcommittees and associations",
    aliases=("roles", "役割"),
    columns=[
        Column("person", "id of the person", True),
        Column("organization", "id of the subcommittee or organisation", True),
        Column(
            "role", "chair, vice-chair, member, core-member, director, speaker", aliases=("役割",)
        ),
        Column("track", "Track within the subcommittee", aliases=("トラック",)),
        Column("line", "Line in the source document"),
        Column("note", "Editorial note"),
    ],
    convert=convert_membership,
    properties={"role": ORG + "role", "track": IKG + "track"},
)
