"""Reference databases of the database guide (インパクトデータベース案内板), as DCAT datasets
(kind ``databases``)."""

from __future__ import annotations

from impactkg.loaders.base import A, Column, Context, Kind, N, Row, ikg, plain, text
from impactkg.loaders.stakeholders import organization
from impactkg.ontology import DCAT, DCTERMS, IKG, nfkc, record_iri


def convert(row: Row, ctx: Context) -> None:
    node = N(record_iri("dataset", ctx.qualified(row.get("id"))))
    ctx.add(node, A, ikg("ReferenceDataset"))
    ctx.add(node, A, N(DCAT + "Dataset"))
    ctx.label(node, row.get("name"))
    ctx.add(node, N(DCTERMS + "title"), text(row.get("name")))
    if row.get("publisher"):
        ctx.add(
            node,
            N(DCTERMS + "publisher"),
            organization(row, ctx, "publisher", row.get("publisher")),
        )
    if row.get("summary"):
        ctx.add(node, N(DCTERMS + "description"), text(row.get("summary")))
    if row.get("data_examples"):
        ctx.add(node, ikg("dataExample"), text(row.get("data_examples")))
    if row.get("scope"):
        ctx.add(node, ikg("geographicScope"), text(row.get("scope")))
    if row.get("category"):
        ctx.add(node, ikg("category"), text(row.get("category")))
    if row.get("table"):
        ctx.add(node, ikg("guideTable"), plain(nfkc(row.get("table"))))
    url = row.get("url")
    if url:
        if not url.startswith(("http://", "https://")) or any(c in url for c in ' <>"{}'):
            ctx.error(row, "url", f"not an http(s) URL: {url!r}")
        else:
            ctx.add(node, N(DCAT + "landingPage"), N(url))
    for scene in row.get("scenes").split():
        c = ctx.concept(row, "scenes", "process-scene", scene)
        if c is not None:
            ctx.add(node, ikg("processScene"), c)
    for domain in row.get("domain").split():
        c = ctx.concept(row, "domain", "domain", domain)
        if c is not None:
            ctx.add(node, ikg("domain"), c)
    if row.get("alt_line"):
        ctx.add(
            node,
            N("http://www.w3.org/2004/02/skos/core#note"),
            text(f"also at line {row.get('alt_line')}", "en"),
        )
    ctx.provenance(node, row, quote=row.get("name"), label=row.get("name"))


KIND = Kind(
    name="databases",
    title="Reference databases (データベース案内板)",
    key="id",
    aliases=("datasets", "database_guide", "データベース"),
    columns=[
        Column("id", "Identifier, unique in the file", True, example="db-1"),
        Column("name", "Database name", True, ("データベース名",), "排出原単位データベース"),
        Column(
            "publisher", "Publisher: organisation id or name", aliases=("公表者",), example="環境省"
        ),
        Column("summary", "Summary", aliases=("概要",)),
        Column("data_examples", "Examples of the data", aliases=("データ例",)),
        Column("scope", "国内, 海外 or 国内/海外", aliases=("国内/海外",)),
        Column("url", "Landing page URL", aliases=("参照url", "url")),
        Column("category", "Category (種別)", aliases=("種別",)),
        Column("table", "Guide table the record is listed in"),
        Column("scenes", "Process scene ids (scene-1 ...), space-separated", aliases=("場面",)),
        Column("domain", "Domain ids, space-separated", aliases=("分野",)),
        Column("line", "Line in the source document"),
        Column("alt_line", "Line of the same record elsewhere in the source"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert,
    properties={
        "publisher": DCTERMS + "publisher",
        "scope": IKG + "geographicScope",
        "category": IKG + "category",
        "table": IKG + "guideTable",
        "scenes": IKG + "processScene",
        "domain": IKG + "domain",
    },
)
