"""System maps in the style researchers draw in Kumu: an elements table of factors and a
connections table of causal links with polarity (kinds ``system_elements`` and
``system_connections``), CSV or XLSX — a Kumu workbook's ``Elements`` and ``Connections`` sheets
are recognised by name.

A connection's ``from`` and ``to`` name factors by id (``other:id`` for another namespace) or by
label. Loading a connections table also finds its feedback loops (:mod:`impactkg.graph.analysis.system`)
and writes them as ``ikg:FeedbackLoop`` resources, with their polarity and member links, into a
named graph of their own: ``<graph of the table>/feedback-loops``, replaced with the table.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

import pyoxigraph as ox

from impactkg.graph.analysis.system import (
    MAX_LOOP_LENGTH,
    Link,
    find_loops,
    loop_iri,
    loop_quads,
    normalise_polarity,
)
from impactkg.loaders.base import A, Batch, Column, Context, Kind, N, Row, boolean, ikg, plain, text
from impactkg.ontology import DCTERMS, IKG, PREFIXES, PROV, RDFS, nfkc, record_iri

FACTOR = IKG + "Factor"
_TRUE = {"true", "yes", "y", "1", "x", "✓", "はい", "有", "あり", "推測", "推定"}
_FALSE = {"false", "no", "n", "0", "", "いいえ", "無", "なし"}

# Per load: factor labels (IRI -> {lang: label}) and the links of each connections table.
_labels: WeakKeyDictionary[Batch, dict[str, dict[str, str]]] = WeakKeyDictionary()
_links: WeakKeyDictionary[Batch, dict[str, list[Link]]] = WeakKeyDictionary()


def factor_iri(ctx: Context, key: str) -> str:
    """The IRI of factor ``key`` (``other:key`` for another namespace)."""
    return record_iri("factor", ctx.qualified(key))


def expand(value: str) -> str | None:
    """A full IRI from an IRI or a prefixed name such as ``sdg:8.3`` or ``ikd:bundle/x-1``.

    >>> expand("sdg:8.3"), expand("nope:1")
    ('http://metadata.un.org/sdg/8.3', None)
    """
    value = nfkc(value)
    if value.startswith(("http://", "https://", "urn:")):
        return value
    prefix, sep, rest = value.partition(":")
    if sep and prefix in PREFIXES and rest:
        return PREFIXES[prefix] + rest
    return None


def _flag(row: Row, ctx: Context, column: str) -> bool | None:
    value = nfkc(row.get(column)).casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    ctx.error(row, column, f"expected yes or no (true/false), got {row.get(column)!r}")
    return None


# ---------------------------------------------------------------------- elements
def convert_element(row: Row, ctx: Context) -> None:
    label_ja, label_en = row.get("label_ja"), row.get("label_en")
    if not (label_ja or label_en):
        ctx.error(row, "label_ja", "a factor needs label_ja or label_en")
        return
    key = nfkc(row.get("id"))
    node = N(factor_iri(ctx, key))
    ctx.add(node, A, ikg("Factor"))
    ctx.add(node, N(DCTERMS + "identifier"), plain(key))
    ctx.label(node, label_ja, "ja" if label_en or not label_ja.isascii() else None)
    ctx.label(node, label_en, "en")
    names = _labels.setdefault(ctx.batch, {}).setdefault(node.value, {})
    for name, lang in ((label_ja, "ja"), (label_en, "en")):
        if name:
            names[lang] = name
            ctx.batch.register_name(FACTOR, name, node.value)
    if row.get("type"):
        ctx.add(node, ikg("factorType"), plain(nfkc(row.get("type")).casefold()))
    if row.get("domain"):
        ctx.add(node, ikg("factorDomain"), text(row.get("domain")))
    if row.get("description"):
        ctx.add(node, N(DCTERMS + "description"), text(row.get("description")))
    for ref in row.get("refers_to").split():
        iri = expand(ref)
        if iri is None:
            ctx.error(row, "refers_to", f"expected an IRI or a prefixed name such as sdg:8.3, got {ref!r}")
            continue
        ctx.add(node, ikg("refersTo"), ctx.require(row, "refers_to", iri, f"resource {ref!r}"))
    ctx.provenance(node, row, quote=label_ja or label_en, label=label_ja or label_en)


ELEMENTS = Kind(
    name="system_elements",
    title="System map: factors (Kumu elements)",
    key="id",
    aliases=("elements", "factors", "system_factors", "要素"),
    columns=[
        Column("id", "Identifier of the factor, unique in the file", True, example="talent-outflow"),
        Column("label_ja", "Japanese label", aliases=("label", "ラベル", "名称", "要素"), example="人材流出"),
        Column("label_en", "English label", example="Talent outflow"),
        Column(
            "type",
            "Kind of factor: core-issue, issue, condition, resource, intervention, outcome, ...",
            aliases=("element type", "種類", "タイプ"),
            example="issue",
        ),
        Column("domain", "Domain or area of the factor (free text)", aliases=("分野", "領域"), example="人材"),
        Column("description", "What the factor means", aliases=("説明",)),
        Column(
            "refers_to",
            "Graph resources the factor stands for: IRIs or prefixed names (sdg:8.3, ikd:org/...)",
            aliases=("関連",),
            example="sdg:8.3",
        ),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_element,
    properties={
        "label_ja": RDFS + "label",
        "label_en": RDFS + "label",
        "type": IKG + "factorType",
        "domain": IKG + "factorDomain",
        "description": DCTERMS + "description",
        "refers_to": IKG + "refersTo",
    },
)


# ---------------------------------------------------------------------- connections
def _factor(row: Row, ctx: Context, column: str) -> N:
    value = row.get(column)
    iri = factor_iri(ctx, value)
    if ctx.batch.exists(iri):
        return N(iri)
    found = ctx.batch.find_by_name(FACTOR, value)
    if found:
        return N(found)
    return ctx.require(row, column, iri, f"factor {value!r} (by id or label)")


def _factor_labels(ctx: Context, iris: set[str]) -> dict[str, dict[str, str]]:
    known = _labels.get(ctx.batch, {})
    out = {i: dict(known.get(i, {})) for i in iris}
    missing = {i for i in iris if not out[i]}
    if missing:
        for s, lab in ctx.batch.lookup("?s ?l", "?s a ikg:Factor ; rdfs:label ?l"):
            if s in missing:
                lang = "ja" if not lab.isascii() else "en"
                out[s].setdefault(lang, lab)
    for names in out.values():
        if names:
            names.setdefault("ja", names.get("en", ""))
            names.setdefault("en", names.get("ja", ""))
    return out


def convert_connection(row: Row, ctx: Context) -> None:
    source, target = _factor(row, ctx, "from"), _factor(row, ctx, "to")
    sign = normalise_polarity(row.get("polarity"))
    if sign is None:
        ctx.error(row, "polarity", f"polarity is + or - (also: positive/negative, 正/負), got {row.get('polarity')!r}")
    inferred = _flag(row, ctx, "inferred") if row.get("inferred") else None
    delay = _flag(row, ctx, "delay") if row.get("delay") else None
    status = ctx.status(row, default="inferred" if inferred else None)
    if inferred is not None and row.get("status") and inferred != (status == "inferred"):
        ctx.error(row, "inferred", f"inferred={row.get('inferred')!r} contradicts status {row.get('status')!r}")
    if sign is not None:
        word = "pos" if sign == "+" else "neg"
        key = f"{ctx.qualified(row.get('from'))}--{word}--{ctx.qualified(row.get('to'))}"
        node = N(record_iri("causal-link", key))
        ctx.add(node, A, ikg("CausalLink"))
        ctx.add(node, ikg("fromFactor"), source)
        ctx.add(node, ikg("toFactor"), target)
        ctx.add(node, ikg("polarity"), plain(sign))
        ctx.add(node, ikg("inferred"), boolean(status == "inferred"))
        if delay is not None:
            ctx.add(node, ikg("delay"), boolean(delay))
        if row.get("evidence"):
            ctx.add(node, ikg("evidence"), text(row.get("evidence")))
        if row.get("source"):
            ctx.add(node, N(DCTERMS + "bibliographicCitation"), text(row.get("source")))
        ctx.provenance(node, row, quote=row.get("evidence"), default=status, verbatim=True)
        links = _links.setdefault(ctx.batch, {}).setdefault(ctx.table.source, [])
        if any(x.id == node.value for x in links):
            ctx.error(row, "to", f"duplicate link {row.get('from')} {sign} {row.get('to')}")
        links.append(Link(source.value, target.value, sign, node.value, status))


def _write_loops(ctx: Context) -> None:
    """Find the loops among this table's links and put them in the table's loop graph."""
    links = _links.get(ctx.batch, {}).pop(ctx.table.source, [])
    loops = find_loops(links, MAX_LOOP_LENGTH)
    graph = ctx.graph.value + "/feedback-loops"
    labels = _factor_labels(ctx, {n for loop in loops for n in loop.nodes})
    quads = loop_quads(loops, graph, labels)
    team = ctx.batch.agents.get("team")
    if team:  # loops are computed from the links: the team's analysis, whatever their evidence
        g = ox.NamedNode(graph)
        quads += [ox.Quad(ox.NamedNode(loop_iri(loop)), N(PROV + "wasAttributedTo"), N(team), g) for loop in loops]
    ctx.batch.exclude.add(graph)
    ctx.batch.graphs[graph] = quads
    ctx.batch.summaries.append((f"{ctx.table.source} (feedback loops)", graph, len(loops), len(quads)))


CONNECTIONS = Kind(
    name="system_connections",
    title="System map: causal links with polarity (Kumu connections)",
    aliases=("connections", "causal_links", "links", "つながり", "因果関係"),
    columns=[
        Column("from", "The cause: factor id or label", True, ("元", "原因"), "talent-outflow"),
        Column("to", "The effect: factor id or label", True, ("先", "結果"), "regional-economic-base"),
        Column(
            "polarity",
            "+ when more of the cause means more of the effect, - when it means less",
            True,
            ("極性", "sign", "符号"),
            "-",
        ),
        Column("delay", "yes when the effect comes with a notable delay", aliases=("遅れ",)),
        Column("evidence", "The text that supports the link", aliases=("根拠",)),
        Column("source", "Where the evidence comes from (citation)", aliases=("出典",)),
        Column("inferred", "yes when the link is the author's inference, not stated in the source "
               "(the same as status inferred)", aliases=("推測",)),
        Column("line", "Line in the source document"),
        Column("doubtful", "Names of doubtful columns"),
        Column("note", "Editorial note"),
    ],
    convert=convert_connection,
    finish=_write_loops,
    properties={"polarity": IKG + "polarity", "delay": IKG + "delay"},
)
