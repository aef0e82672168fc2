"""The UN SDG KOS release shipped with the dataset, as a table (kind ``sdg_kos``).

``data/consortium/sdg_kos.csv`` holds the 17 goals, 169 targets and 232 indicators of the UN's
SDG Knowledge Organization System, release of 2019-12-19 (modified 2020-05-01; UNStats/LOD4Stats
commit 0ae578b), one row each, with the official labels in English, French and Spanish. It is
derived from ``sdg-kos-goals-targets-indicators.ttl`` by :func:`kos_rows` (regenerate it with
:func:`write_table`); its CSVW metadata (``sdg_kos.csv-metadata.json``) and the shared graph of
sources carry the citation the UN's terms require (:data:`CITATION`).

A row becomes, like ``impactkg import sdg-kos`` merges the same file into the built-in reference:

- goals and targets (which ``sdg.csv`` already defines) get the official label as
  ``skos:prefLabel`` in each language the graph has no preferred label for, and as
  ``skos:definition`` (the official wording) where it has one (the goals' English short names);
- indicators are added whole: ``sdgo:Indicator``, labels, compact codes (``3.4.1``) as
  ``skos:notation``, the permanent code (``C030401``) as ``dcterms:identifier``, their targets
  (``sdgo:isIndicatorOf`` / ``sdgo:hasIndicator``), tier and custodian agency.

A release imported with ``impactkg import sdg-kos`` (graphs ``<GRAPH>sdg-kos/...``) takes
precedence: a goal, target or indicator that an imported file labels is left out here, whatever
the order of build and import; so is one that another graph of this kind already labels (a copy
of the table loaded in another namespace adds nothing) (the importer removes this release's statements about what it
labels; see :mod:`impactkg.loaders.sdgkos`).

>>> parents("1.5.1 11.5.1 13.1.1")
['1.5', '11.5', '13.1']
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from weakref import WeakKeyDictionary

import pyoxigraph as ox

from impactkg.graph.sparql.terms import value_of
from impactkg.loaders.base import (
    PREF,
    SOURCES_GRAPH,
    A,
    Batch,
    Column,
    Context,
    Kind,
    N,
    Row,
    plain,
    text,
)
from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    PREFIXES,
    PROV,
    RDFS,
    SDG,
    SDGO,
    SKOS,
    XSD,
    nfkc,
    record_iri,
    search_key,
    status_iri,
)

SCHEME = SDG.rstrip("/")
#: The citation the UN's terms require (void.ttl, dcterms:license of the release).
CITATION = (
    "Amit Joshi, Luis Gonzalez Morales, Szymon Klarman, and Aaron Helton. 2019. A Knowledge "
    "Organization System for the United Nations Sustainable Development Goals. New York, NY. "
    "http://metadata.un.org/sdg"
)
LICENCE = (
    "The SDG Knowledge Organization System, accessible at http://metadata.un.org/sdg, is made "
    "available free of charge and may be copied freely, duplicated and further distributed with "
    "the following citation: " + CITATION
)
TITLE = "A Knowledge Organization System for the United Nations Sustainable Development Goals"
RELEASE_DOC = record_iri("source", "un-sdg-kos-2019-12-19")
RELEASE_FILE = (
    "https://github.com/UNStats/LOD4Stats/blob/0ae578bacb1f4339596f5a6a19338457e4b22ba3/"
    "sdg-data/sdg-kos-goals-targets-indicators.ttl"
)
IMPORTED = GRAPH + "sdg-kos/"  # graphs of 'impactkg import sdg-kos'
LANGS = ("en", "fr", "es")
COLUMNS = ["id", "type", "codes", "parents", "label_en", "label_fr", "label_es",
           "alt_label_en", "tier", "custodian"]  # fmt: skip
TYPES = {"goal": SDGO + "Goal", "target": SDGO + "Target", "indicator": SDGO + "Indicator"}


def parents(codes: str) -> list[str]:
    """The targets of an indicator from its compact codes (``'3.4.1'`` -> ``['3.4']``)."""
    return [c.rsplit(".", 1)[0] for c in codes.split()]


def _order(code: str) -> list[tuple[int, object]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in code.split(".")]


# ---------------------------------------------------------------------- the table from the KOS
def kos_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of ``sdg_kos.csv`` from the UN's ``sdg-kos-goals-targets-indicators.ttl``:
    goals, then targets, then indicators, each in code order."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def values(query: str) -> dict[str, list]:
        out: dict[str, list] = {}
        for r in store.query(query, prefixes=PREFIXES):  # type: ignore[union-attr]  # a SELECT
            out.setdefault(value_of(r[0]), []).append(r[1])
        return out

    types = values("SELECT ?c ?t WHERE { ?c a ?t VALUES ?t { sdgo:Goal sdgo:Target sdgo:Indicator } }")
    prefs = values("SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }")
    alts = values("SELECT ?c ?l WHERE { ?c skos:altLabel ?l }")
    codes = values('SELECT ?c ?n WHERE { ?c skos:notation ?n FILTER(DATATYPE(?n) = sdgo:SDGCodeCompact) }')
    tiers = values("SELECT ?c ?t WHERE { ?c sdgo:tier ?t }")
    agencies = values("SELECT ?c ?a WHERE { ?c sdgo:custodianAgency ?a }")
    rows = []
    for iri, ts in types.items():
        kind = next(k for k, t in TYPES.items() if t == ts[0].value)
        local = iri[len(SDG):]
        code = " ".join(sorted((n.value for n in codes.get(iri, [])), key=_order)) or local
        row = {c: "" for c in COLUMNS}
        row.update(id=local, type=kind, codes=code)
        row["parents"] = (
            " ".join(parents(code)) if kind == "indicator" else code.split(".")[0] if kind == "target" else ""
        )
        for lit in prefs.get(iri, []):
            row[f"label_{lit.language}"] = " ".join(lit.value.split())
        row["alt_label_en"] = " | ".join(
            sorted(" ".join(a.value.split()) for a in alts.get(iri, []) if a.language == "en")
        )
        row["tier"] = " ".join(sorted(t.value.rsplit("#", 1)[-1] for t in tiers.get(iri, [])))
        row["custodian"] = " | ".join(sorted(" ".join(a.value.split()) for a in agencies.get(iri, [])))
        rows.append(row)
    rank = {"goal": 0, "target": 1, "indicator": 2}
    rows.sort(key=lambda r: (rank[r["type"]], _order(r["codes"].split()[0])))
    return rows


def write_table(source: str | Path, target: str | Path) -> int:
    """Write ``sdg_kos.csv`` from the UN's Turtle file; returns the number of rows."""
    rows = kos_rows(source)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# ---------------------------------------------------------------------- loading
class _State:
    """Per load: SDG concepts an imported release labels, and preferred labels by language."""

    def __init__(self, ctx: Context):
        self.imported: set[str] = set()
        self.prefs: dict[str, dict[str, str]] = {}  # concept -> {lang: search key}
        releases = {r for (r,) in ctx.batch.lookup(
            "?r", f"?r prov:wasDerivedFrom ?d . ?d dcterms:isVersionOf <{SCHEME}>")}
        for c, g, lab, lang in ctx.batch.lookup(
            "?c ?g ?l (LANG(?l) AS ?lang)",
            f'?c skos:prefLabel ?l FILTER(STRSTARTS(STR(?c), "{SDG}"))',
        ):
            if g.startswith(IMPORTED) or g in releases:
                self.imported.add(c)
            else:
                self.prefs.setdefault(c, {})[lang] = search_key(lab)
        for quads in ctx.batch.graphs.values():
            for q in quads:
                if q.predicate == PREF and isinstance(q.object, ox.Literal):
                    lang = q.object.language or ""
                    self.prefs.setdefault(value_of(q.subject), {})[lang] = search_key(q.object.value)


_states: WeakKeyDictionary[Batch, _State] = WeakKeyDictionary()


def _state(ctx: Context) -> _State:
    if ctx.batch not in _states:
        _states[ctx.batch] = _State(ctx)
    return _states[ctx.batch]


def convert(row: Row, ctx: Context) -> None:
    kind, local = nfkc(row.get("type")).casefold(), nfkc(row.get("id"))
    if kind not in TYPES:
        ctx.error(row, "type", f"expected goal, target or indicator, got {row.get('type')!r}")
        return
    pattern = {"goal": r"([1-9]|1[0-7])", "target": r"\d{1,2}\.(\d{1,2}|[a-z])",
               "indicator": r"C\d{2}[0-9a-z]{2}\d{2}"}[kind]  # fmt: skip
    if not re.fullmatch(pattern, local):
        ctx.error(row, "id", f"not the id of an SDG {kind}: {local!r}")
        return
    iri, node = SDG + local, N(SDG + local)
    codes = nfkc(row.get("codes")).split()
    targets = nfkc(row.get("parents")).split()
    # Check the row whole first: a row another release covers is still checked.
    if kind != "indicator":
        node = ctx.require(row, "id", iri, f"SDG {kind} {local!r} (sdg.csv defines them)")
        if codes != [local]:
            ctx.error(row, "codes", f"a {kind}'s code is its id {local!r}, got {row.get('codes')!r}")
            return
    else:
        if not codes or any(not re.fullmatch(r"\d{1,2}\.(\d{1,2}|[a-z])\.\d{1,2}", c) for c in codes):
            ctx.error(row, "codes", f"expected compact indicator codes such as 3.4.1, got {row.get('codes')!r}")
            return
        if sorted(targets) != sorted(set(parents(" ".join(codes)))):
            ctx.error(row, "parents", f"the targets of {' '.join(codes)} are {' '.join(parents(' '.join(codes)))}")
            return
        target_nodes = [ctx.require(row, "parents", SDG + t, f"SDG target {t!r}") for t in targets]
    state = _state(ctx)
    if iri in state.imported:
        return  # another release (an imported one, or this table loaded before) describes it
    if kind == "indicator":
        ctx.add(node, A, N(TYPES[kind]))
        ctx.add(node, A, N(SKOS + "Concept"))
        ctx.add(node, N(SKOS + "inScheme"), N(SCHEME))
        for code in codes:
            ctx.add(node, N(SKOS + "notation"), plain(code))
        ctx.add(node, N(DCTERMS + "identifier"), plain(local))
        ctx.add(node, N(DCTERMS + "source"), N(RELEASE_DOC))
        # what the UN's release states, like the goals and targets of sdg.csv
        ctx.add(node, N(IKG + "assertionStatus"), N(status_iri("stated")))
        for target in target_nodes:
            ctx.add(node, N(SDGO + "isIndicatorOf"), target)
            ctx.add(target, N(SDGO + "hasIndicator"), node)
        for tier in row.get("tier").split():
            ctx.add(node, N(SDGO + "tier"), N(SDGO + tier))
        for agency in filter(None, (a.strip() for a in row.get("custodian").split("|"))):
            ctx.add(node, N(SDGO + "custodianAgency"), plain(agency))
    have = state.prefs.get(iri, {})
    for lang in LANGS:
        label = " ".join(row.get(f"label_{lang}").split())
        if not label:
            continue
        if lang in have:
            ctx.add(node, N(SKOS + "definition"), text(label, lang))  # the official wording
        else:
            ctx.label(node, label, lang, pred=PREF)
    for alt in filter(None, (a.strip() for a in row.get("alt_label_en").split("|"))):
        if search_key(alt) != have.get("en"):  # not the preferred label again
            ctx.label(node, alt, "en", pred=N(SKOS + "altLabel"))


def describe_graph(ctx: Context) -> None:
    """The release and the graph made from it, with the required citation, in the graph of
    sources."""
    g, doc = N(SOURCES_GRAPH), N(RELEASE_DOC)
    date = N(XSD + "date")
    ctx.batch.source_document(RELEASE_DOC, TITLE + " (UN SDG KOS, release of 2019-12-19, modified 2020-05-01)")
    facts: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (doc, A, N(PROV + "Entity")),
        (doc, N(DCTERMS + "title"), text(TITLE, "en")),
        (doc, N(DCTERMS + "isVersionOf"), N(SCHEME)),
        (doc, N(DCTERMS + "issued"), ox.Literal("2019-12-19", datatype=date)),
        (doc, N(DCTERMS + "modified"), ox.Literal("2020-05-01", datatype=date)),
        (doc, N(DCTERMS + "publisher"), N("http://un.org")),
        (doc, N(DCTERMS + "bibliographicCitation"), plain(CITATION)),
        (doc, N(DCTERMS + "license"), plain(LICENCE)),
        (doc, N(PROV + "hadPrimarySource"), N(RELEASE_FILE)),
        (ctx.graph, A, N(PROV + "Entity")),
        (ctx.graph, N(RDFS + "label"), text("UN SDG KOS: goals, targets and indicators (2019-2020 release)", "en")),
        (ctx.graph, N(PROV + "wasDerivedFrom"), doc),
        (ctx.graph, N(DCTERMS + "source"), doc),
        (ctx.graph, N(DCTERMS + "bibliographicCitation"), plain(CITATION)),
        (ctx.graph, N(DCTERMS + "license"), plain(LICENCE)),
    ]
    ctx.batch.sources.extend(ox.Quad(s, p, o, g) for s, p, o in facts)


KIND = Kind(
    name="sdg_kos",
    title="UN SDG KOS: goals, targets and indicators with official labels (en, fr, es)",
    key="id",
    aliases=("sdg-kos",),
    columns=[
        Column("id", "The last segment of the UN's IRI: 3, 3.4, C030401", True, example="C030401"),
        Column("type", "goal, target or indicator", True, example="indicator"),
        Column("codes", "Compact codes, space-separated (one indicator can serve several targets)",
               True, example="3.4.1"),
        Column("parents", "For an indicator: its targets; for a target: its goal", example="3.4"),
        Column("label_en", "Official English label"),
        Column("label_fr", "Official French label"),
        Column("label_es", "Official Spanish label"),
        Column("alt_label_en", "Other English labels, separated by ' | '"),
        Column("tier", "Tier of an indicator (tier_I, tier_II, tier_III)"),
        Column("custodian", "Custodian agencies, separated by ' | '"),
    ],
    convert=convert,
    finish=describe_graph,
)
