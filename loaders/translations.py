"""English translations of records whose labels are Japanese (kind ``translations``).

One row gives the team's English label of one record, which it names by ``kind`` and ``key``:

- ``key`` is the record's id in its own table (indicator ``353``, finance case ``blended-6``,
  person ``p-imada-katsuji``, concept ``domain/healthcare-health``, fragment ``273`` (its line),
  bundle ``1``, organisation ``fsa``, meeting ``market-1``, presentation ``market-1-2`` (its
  meeting and order), programme ``trial-order-system``) or its full IRI;
- records without an id of their own (impacts, activities, results, logic models, and
  organisations minted from a name) are found by their Japanese label, given in ``label_ja``:
  every record of that kind with that label is translated (a result of the same wording under
  two impacts is two records with one translation);
- when both are given, ``label_ja`` must be the record's label as the graph has it, so that a
  translation goes stale loudly when the source text changes;
- kind ``factor-domain`` translates a value rather than a record: every system-map factor whose
  ``ikg:factorDomain`` is ``label_ja`` gets the English domain too.

The English label is written with the language tag ``en`` and the predicate of the record's own
label (``skos:prefLabel`` for concepts, ``rdfs:label`` for records), with an ``ikg:searchKey``;
``alt_label_en`` becomes ``skos:altLabel``, ``definition_en`` ``skos:definition`` and ``note`` an
``skos:editorialNote`` starting "translation:". The table goes into its own named graph, which
the shared graph of sources describes as the project team's translation
(``prov:wasAttributedTo`` :data:`TEAM_AGENT`, ``ikg:assertionStatus`` :data:`TRANSLATION_STATUS`).

Refused, with file, row and column: a kind that is not listed, a key or Japanese label that
matches no record (in this load or in the graph), a ``label_ja`` that is not the record's label,
a record that already has another English label (a record has one label per language; the same
label again is skipped), and a record translated twice. When another table of the same load has
errors, translations are not checked (the records they name may be missing for that reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import pyoxigraph as ox

from impactkg.graph.sparql.terms import value_of
from impactkg.loaders.base import (
    LABEL,
    PREF,
    SOURCES_GRAPH,
    A,
    Batch,
    Column,
    Context,
    Kind,
    N,
    Row,
    ikg,
    plain,
    text,
)
from impactkg.ontology import (
    DCTERMS,
    IKG,
    PROV,
    RDFS,
    SKOS,
    concept_iri,
    nfkc,
    record_iri,
    search_key,
)

#: The project team as a PROV agent, and the assertion status of its translations
#: (both defined with the assertion-status scheme of issue 14).
TEAM_AGENT = "https://w3id.org/impactkg/id/agent/impactkg-team"
TRANSLATION_STATUS = "https://w3id.org/impactkg/concept/assertion-status/translation"

Resolver = Callable[[Context, str], str]


@dataclass(frozen=True)
class RecordKind:
    """A kind of record a translation can name: its class, how a key becomes its IRI (None:
    found by label only) and the predicate of its label."""

    cls: str
    iri: Resolver | None
    label: str = RDFS + "label"


def _qualified(kind: str) -> Resolver:
    return lambda ctx, key: record_iri(kind, ctx.qualified(key))


def _concept(ctx: Context, key: str) -> str:
    scheme, _, cid = key.partition("/")
    return concept_iri(scheme, cid) if cid else ""


RECORD_KINDS: dict[str, RecordKind] = {
    "indicator": RecordKind(IKG + "Indicator", _qualified("indicator")),
    "impact": RecordKind(IKG + "Impact", None),
    "activity": RecordKind(IKG + "Activity", None),
    "result": RecordKind(IKG + "Result", None),
    "logic-model": RecordKind(IKG + "LogicModel", None),
    "factor": RecordKind(IKG + "Factor", _qualified("factor")),
    "concept": RecordKind(SKOS + "Concept", _concept, SKOS + "prefLabel"),
    "organization": RecordKind(IKG + "Organization", lambda ctx, key: record_iri("org", key)),
    "person": RecordKind(IKG + "Person", lambda ctx, key: record_iri("person", key)),
    "finance-case": RecordKind(IKG + "FinanceCase", _qualified("case")),
    "dataset": RecordKind(IKG + "ReferenceDataset", _qualified("dataset")),
    "fragment": RecordKind(
        IKG + "SourceFragment", lambda ctx, key: record_iri("fragment", f"{ctx.namespace}-{key}")
    ),
    "bundle": RecordKind(IKG + "SupportBundle", _qualified("bundle")),
    "source": RecordKind(IKG + "SourceDocument", None),
    "meeting": RecordKind(IKG + "Meeting", _qualified("meeting")),
    "presentation": RecordKind(IKG + "Presentation", _qualified("presentation")),
    "programme": RecordKind(IKG + "Programme", _qualified("programme")),
}
FACTOR_DOMAIN = "factor-domain"
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")
RDF_TYPE = A.value


@dataclass
class _Known:
    """What this load and the graph say about records: types and labels, by IRI."""

    types: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # (pred, text, lang)
    domains: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # factor -> (text, lang)
    asked: set[str] = field(default_factory=set)  # IRIs looked up in the store
    by_class: set[str] = field(default_factory=set)  # classes whose labels were looked up

    def take(self, s: str, p: str, o) -> None:
        if p == RDF_TYPE:
            self.types.setdefault(s, set()).add(o.value)
        elif p in LABEL_PREDICATES and isinstance(o, ox.Literal):
            entry = (p, o.value, o.language or "")
            if entry not in self.labels.setdefault(s, []):
                self.labels[s].append(entry)
        elif p == IKG + "factorDomain" and isinstance(o, ox.Literal):
            entry2 = (o.value, o.language or "")
            if entry2 not in self.domains.setdefault(s, []):
                self.domains[s].append(entry2)


_known: WeakKeyDictionary[Batch, _Known] = WeakKeyDictionary()
_seen: WeakKeyDictionary[Batch, dict[str, int]] = WeakKeyDictionary()


def _index(ctx: Context) -> _Known:
    """Types and labels of everything converted before this table in the same load."""
    known = _known.get(ctx.batch)
    if known is None:
        known = _known[ctx.batch] = _Known()
        quads = [q for g, qs in ctx.batch.graphs.items() if g != ctx.graph.value for q in qs]
        for q in [*quads, *ctx.batch.sources]:
            known.take(value_of(q.subject), q.predicate.value, q.object)
    return known


def _ask(ctx: Context, iri: str) -> None:
    """Add what the graph (outside the graphs this load replaces) says about ``iri``."""
    known = _index(ctx)
    if iri in known.asked:
        return
    known.asked.add(iri)
    rows = ctx.batch.lookup(
        "?p ?o (LANG(?o) AS ?lang) (isLiteral(?o) AS ?lit)", f"<{N(iri).value}> ?p ?o"
    )
    for p, o, lang, lit in rows:
        term: ox.Literal | ox.NamedNode = (
            (ox.Literal(o, language=lang) if lang else ox.Literal(o)) if lit == "true" else N(o)
        )
        known.take(iri, p, term)


def _index_class(ctx: Context, cls: str) -> None:
    """Add every record of class ``cls`` that the graph has."""
    known = _index(ctx)
    if cls not in known.by_class:
        known.by_class.add(cls)
        for (s,) in ctx.batch.lookup("?s", f"?s a <{cls}>"):
            _ask(ctx, s)


def _by_label(ctx: Context, cls: str, label: str) -> list[str]:
    """The records of class ``cls`` whose Japanese (or untagged) label is ``label``."""
    _index_class(ctx, cls)
    known = _index(ctx)
    key = search_key(label)
    return sorted(
        iri
        for iri, types in known.types.items()
        if cls in types
        and any(lang != "en" and search_key(t) == key for _, t, lang in known.labels.get(iri, []))
    )


def _records(row: Row, ctx: Context, kind: RecordKind, name: str) -> list[str]:
    """The IRIs a row names, or [] after reporting why there are none."""
    key, label_ja = nfkc(row.get("key")), row.get("label_ja")
    what = name.replace("-", " ")
    if key:
        if key.startswith(("http://", "https://")):
            iri = key
        elif kind.iri is not None:
            iri = kind.iri(ctx, key)
        else:
            ctx.error(row, "key", f"no id for a record of kind {name!r}: leave key empty and give label_ja")
            return []
        if not iri:
            ctx.error(row, "key", f"expected scheme/id (e.g. domain/healthcare-health), got {key!r}")
            return []
        _ask(ctx, iri)
        if kind.cls not in _index(ctx).types.get(iri, set()):
            ctx.error(row, "key", f"no {what} {key!r} in this load or in the graph")
            return []
        if label_ja and not any(
            lang != "en" and search_key(t) == search_key(label_ja)
            for _, t, lang in _index(ctx).labels.get(iri, [])
        ):
            have = [t for _, t, lang in _index(ctx).labels.get(iri, []) if lang != "en"]
            ctx.error(
                row,
                "label_ja",
                f"{label_ja!r} is not the label of {what} {key!r} (the graph has "
                f"{', '.join(repr(h) for h in have) or 'no label'}): update the translation",
            )
            return []
        return [iri]
    if not label_ja:
        ctx.error(row, "key", "give the record's key, or its Japanese label in label_ja")
        return []
    found = _by_label(ctx, kind.cls, label_ja)
    if not found:
        ctx.error(row, "label_ja", f"no {what} labelled {label_ja!r} in this load or in the graph")
    return found


def _claim(row: Row, ctx: Context, iri: str, what: str) -> bool:
    seen = _seen.setdefault(ctx.batch, {})
    key = f"{ctx.table.source}\x1f{iri}"
    if key in seen:
        ctx.error(row, "key", f"{what} is translated twice (first at row {seen[key]})")
        return False
    seen[key] = row.number
    return True


def _translate_domain(row: Row, ctx: Context) -> None:
    value = row.get("label_ja")
    if not value:
        ctx.error(row, "label_ja", "a factor-domain translation names the domain in label_ja")
        return
    _index_class(ctx, IKG + "Factor")
    known = _index(ctx)
    factors = sorted(
        f
        for f, doms in known.domains.items()
        if any(lang != "en" and search_key(t) == search_key(value) for t, lang in doms)
    )
    if not factors:
        ctx.error(row, "label_ja", f"no system-map factor has the domain {value!r}")
        return
    english = {f: [t for t, lang in known.domains[f] if lang == "en"] for f in factors}
    for f, have in english.items():
        if have and have != [row.get("label_en")]:
            ctx.error(row, "label_en", f"factor <{f}> already has the English domain {have[0]!r}")
            return
    if not _claim(row, ctx, f"domain\x1f{search_key(value)}", f"the domain {value!r}"):
        return
    for f in factors:
        if not english[f]:  # the same English domain again is skipped
            ctx.add(N(f), ikg("factorDomain"), text(row.get("label_en"), "en"))


def convert(row: Row, ctx: Context) -> None:
    if ctx.batch.problems:
        return  # another table of this load failed: its records are missing, and the load too
    name = nfkc(row.get("kind")).casefold()
    if name == FACTOR_DOMAIN:
        _translate_domain(row, ctx)
        return
    kind = RECORD_KINDS.get(name)
    if kind is None:
        known = ", ".join([*RECORD_KINDS, FACTOR_DOMAIN])
        ctx.error(row, "kind", f"unknown kind {row.get('kind')!r} (known: {known})")
        return
    for iri in _records(row, ctx, kind, name):
        what = f"{name.replace('-', ' ')} <{iri}>"
        english = [t for p, t, lang in _index(ctx).labels.get(iri, []) if lang == "en"]
        if english == [row.get("label_en")]:
            continue  # the same translation is already there (a copy of the same records)
        if english:
            ctx.error(row, "label_en", f"{what} already has an English label {english[0]!r}")
            continue
        if not _claim(row, ctx, iri, what):
            continue
        node = N(iri)
        pred = PREF if kind.label == SKOS + "prefLabel" else LABEL
        ctx.label(node, row.get("label_en"), "en", pred=pred)
        if row.get("alt_label_en"):
            ctx.label(node, row.get("alt_label_en"), "en", pred=N(SKOS + "altLabel"))
        if row.get("definition_en"):
            ctx.add(node, N(SKOS + "definition"), text(row.get("definition_en"), "en"))
        if row.get("note"):
            ctx.add(node, N(SKOS + "editorialNote"), text("translation: " + row.get("note"), "en"))


def describe_graph(ctx: Context) -> None:
    """Say in the shared graph of sources that this table's graph is the team's translation."""
    g, node = N(SOURCES_GRAPH), ctx.graph
    quads: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (A, N(PROV + "Entity")),
        (LABEL, text("英訳（プロジェクトチームによる）", "ja")),
        (LABEL, text("English translations by the project team", "en")),
        (N(PROV + "wasAttributedTo"), N(TEAM_AGENT)),
        (ikg("assertionStatus"), N(TRANSLATION_STATUS)),
        (N(DCTERMS + "language"), plain("en")),
    ]
    if ctx.source_doc is not None:
        quads.append((N(PROV + "wasDerivedFrom"), ctx.source_doc))
    ctx.batch.sources.extend(ox.Quad(node, p, o, g) for p, o in quads)


KIND = Kind(
    name="translations",
    title="English translations of records (the team's)",
    aliases=("translation", "英訳", "翻訳"),
    columns=[
        Column(
            "kind",
            "What is translated: " + ", ".join([*RECORD_KINDS, FACTOR_DOMAIN]),
            True,
            ("種類",),
            "indicator",
        ),
        Column(
            "key",
            "The record's id in its table (353, blended-6, domain/healthcare-health) or its IRI; "
            "empty for impacts, activities, results and logic models",
            example="1",
        ),
        Column(
            "label_ja",
            "The Japanese label translated (finds records without an id; checked otherwise)",
            aliases=("ラベル",),
            example="地震後施設復旧時間",
        ),
        Column("label_en", "The English label", True, ("英語",), "Facility recovery time after an earthquake"),
        Column("alt_label_en", "Another English label (skos:altLabel)"),
        Column("definition_en", "An English definition (skos:definition)"),
        Column("note", "Translator's note"),
    ],
    convert=convert,
    finish=describe_graph,
)
