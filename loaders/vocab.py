"""SKOS concepts: domains, social issues, finance methods, units, roles, ... (kind ``concepts``)."""

from __future__ import annotations

from impactkg.loaders.base import PREF, A, Column, Context, Kind, N, Row, plain, text
from impactkg.ontology import SCHEMES, SKOS, concept_iri, nfkc


def convert(row: Row, ctx: Context) -> None:
    scheme = nfkc(row.get("scheme"))
    if scheme not in SCHEMES:
        ctx.error(row, "scheme", f"unknown scheme {scheme!r} (known: {', '.join(SCHEMES)})")
        return
    cid = nfkc(row.get("id"))
    iri = concept_iri(scheme, cid)
    node = N(iri)
    scheme_iri, cls = SCHEMES[scheme]
    ctx.add(node, A, N(SKOS + "Concept"))
    ctx.add(node, A, N(cls))
    ctx.add(node, N(SKOS + "inScheme"), N(scheme_iri))
    ctx.label(node, row.get("label_ja"), "ja", pred=PREF)
    ctx.label(node, row.get("label_en"), "en", pred=PREF)
    if row.get("definition_ja"):
        ctx.add(node, N(SKOS + "definition"), text(row.get("definition_ja"), "ja"))
    if row.get("definition_en"):
        ctx.add(node, N(SKOS + "definition"), text(row.get("definition_en"), "en"))
    if row.get("notation"):
        ctx.add(node, N(SKOS + "notation"), plain(nfkc(row.get("notation"))))
    for match in row.get("exact_match").split():
        if not match.startswith(("http://", "https://")):
            ctx.error(row, "exact_match", f"expected an IRI, got {match!r}")
            continue
        ctx.add(node, N(SKOS + "exactMatch"), N(match))
    ctx.batch.register_concept(
        scheme, iri, [row.get("label_ja"), row.get("label_en"), nfkc(row.get("notation"))]
    )
    broader = row.get("broader")
    if broader:
        target = ctx.require(
            row, "broader", concept_iri(scheme, broader), f"{scheme} concept {broader!r}"
        )
        ctx.add(node, N(SKOS + "broader"), target)
    else:
        ctx.add(node, N(SKOS + "topConceptOf"), N(scheme_iri))
    ctx.provenance(node, row, quote=row.get("label_ja") or row.get("label_en"),
                   label=row.get("label_ja") or row.get("label_en"))


KIND = Kind(
    name="concepts",
    title="SKOS concepts (domains, social issues, finance methods, units, ...)",
    key=None,
    columns=[
        Column("scheme", "Concept scheme: " + ", ".join(SCHEMES), required=True, example="domain"),
        Column(
            "id", "Identifier within the scheme (kebab-case)", required=True, example="education"
        ),
        Column("label_ja", "Japanese label", aliases=("ラベル", "名称"), example="教育"),
        Column("label_en", "English label", example="Education"),
        Column("definition_ja", "Japanese definition", aliases=("定義",)),
        Column("definition_en", "English definition"),
        Column("broader", "id of the broader concept in the same scheme"),
        Column("notation", "Code or symbol (units: the symbol, e.g. t-CO2)"),
        Column(
            "exact_match", "IRIs of equal concepts elsewhere (e.g. QUDT units), space-separated"
        ),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns, space-separated"),
        Column("note", "Editorial note"),
    ],
    convert=convert,
    properties={
        "label_ja": SKOS + "prefLabel",
        "label_en": SKOS + "prefLabel",
        "definition_ja": SKOS + "definition",
        "definition_en": SKOS + "definition",
        "broader": SKOS + "broader",
        "notation": SKOS + "notation",
        "exact_match": SKOS + "exactMatch",
    },
)
