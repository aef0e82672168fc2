"""The UN's SDG Knowledge Organization System (SKOS, metadata.un.org/sdg), merged with the
built-in SDG reference.

The KOS gives the official labels (en/fr/es) of the 17 goals and 169 targets, and the 232 global
indicators (``http://metadata.un.org/sdg/C030401`` is indicator 3.4.1). Any RDF file in that form
is accepted, CIDS's SDG code list too: IRIs written with ``https://metadata.un.org/sdg`` are
normalised to the UN's ``http://`` form first.

How the official data merges with what the graph already has (the built-in reference from
``sdg.csv``, with ja/en short names):

- a goal or target keeps one ``skos:prefLabel`` per language: an official label becomes the
  prefLabel in languages the graph has none for (fr, es), and a ``skos:definition`` (the
  official wording) where the graph already has its own (the en short name);
- goals and targets keep their one notation and goal link (what the SHACL shapes require);
- indicators are added whole: type ``sdgo:Indicator``, labels, the compact codes (``3.4.1``) as
  notations, the permanent code (``C030401``) as ``dcterms:identifier``, the target(s) they
  measure (``sdgo:isIndicatorOf`` / ``sdgo:hasIndicator``), tier and custodian agency.

Each file goes into its own named graph (``<GRAPH>sdg-kos/<file stem>``), so importing it again
replaces it. Catalogue indicators can then be linked to official indicators with the crosswalk.

>>> normalise_iri("https://metadata.un.org/sdg/3.4")
'http://metadata.un.org/sdg/3.4'
>>> sdg_kind("http://metadata.un.org/sdg/C030401"), sdg_kind("http://metadata.un.org/sdg/11.b")
('indicator', 'target')
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem
from impactkg.graph.sparql.terms import value_of
from impactkg.loaders.base import SOURCES_GRAPH, stem_of
from impactkg.loaders.rdf import RDF_SUFFIXES, parse_rdf
from impactkg.ontology import (
    DCTERMS,
    GRAPH,
    IKG,
    PREFIXES,
    RDF,
    RDFS,
    SDG,
    SDGO,
    SKOS,
    record_iri,
    search_key,
)

SCHEME = SDG.rstrip("/")  # http://metadata.un.org/sdg
_HTTPS = "https://metadata.un.org/sdg"
GOAL_RE = re.compile(r"^(\d{1,2})$")
TARGET_RE = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])$")
INDICATOR_RE = re.compile(r"^C\d{2}[0-9a-z]{2}\d{2}$")  # C030401, C010a01
KINDS = {"goal": SDGO + "Goal", "target": SDGO + "Target", "indicator": SDGO + "Indicator"}


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - as in the other loaders
    return ox.NamedNode(iri)


def normalise_iri(iri: str) -> str:
    """The UN's ``http://`` form of an SDG KOS IRI (CIDS writes them with ``https://``)."""
    return "http" + iri[len("https") :] if iri.startswith(_HTTPS) else iri


def _normalise(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(_HTTPS):
        return ox.NamedNode(normalise_iri(term.value))
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(_HTTPS):
        return ox.Literal(term.value, datatype=ox.NamedNode(normalise_iri(term.datatype.value)))
    return term


def sdg_kind(iri: str) -> str | None:
    """``goal``, ``target`` or ``indicator`` for an SDG KOS IRI, else None."""
    iri = normalise_iri(iri)
    if not iri.startswith(SDG):
        return None
    code = iri[len(SDG) :]
    if GOAL_RE.match(code) and 1 <= int(code) <= 17:
        return "goal"
    if TARGET_RE.match(code):
        return "target"
    if INDICATOR_RE.match(code):
        return "indicator"
    return None


def _read(path: Path) -> ox.Store:
    """Parse one RDF file into a store, with SDG IRIs normalised to http."""
    if path.suffix.lower() not in RDF_SUFFIXES:
        raise LoadError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"not an RDF file ({', '.join(sorted(RDF_SUFFIXES))}): the SDG KOS is "
                    "published as SKOS in RDF",
                )
            ]
        )
    if not path.exists():
        raise LoadError([Problem(str(path), None, None, "no such file")])
    store = ox.Store()
    for quads in parse_rdf(path, "urn:impactkg:sdg-kos").values():
        store.extend(
            ox.Quad(_normalise(q.subject), q.predicate, _normalise(q.object), ox.DefaultGraph())
            for q in quads
        )
    return store


def _clean(text: str) -> str:
    return " ".join(text.split())


#: Statements an SDG concept "owns" besides those it is the subject of: the inverse links.
INVERSE = (SDGO + "hasIndicator", SDGO + "hasTarget")


def owner(s: str, p: str, o) -> str:
    """The SDG concept a statement is about: its subject, or for ``sdgo:hasIndicator`` and
    ``sdgo:hasTarget`` (written from the parent) its object."""
    return o.value if p in INVERSE and isinstance(o, ox.NamedNode) else s


def _existing(
    lookup,
    graph: str,
    pending: list[ox.Quad],
    superseded: frozenset[str] = frozenset(),
    covered: frozenset[str] = frozenset(),
) -> tuple[dict[str, dict], set[tuple]]:
    """What the graph outside ``graph``, and the files before this one in the same import
    (``pending``), say about SDG concepts: (labels by language and types per concept, every
    statement as a (s, p, o) triple). Statements of the ``superseded`` graphs (the embedded
    release) about ``covered`` concepts (those this file labels) do not count: the import
    replaces them."""
    rows = lookup(
        "SELECT ?c ?p ?o ?g WHERE { GRAPH ?g { ?c ?p ?o } "
        f"FILTER(?g != <{graph}>) FILTER(STRSTARTS(STR(?c), STR(sdg:))) }}"
    )
    rows += [
        (q.subject, q.predicate, q.object, q.graph_name)
        for q in pending
        if value_of(q.graph_name) != graph and value_of(q.subject).startswith(SDG)
    ]
    wanted = {SKOS + "prefLabel", RDF + "type", SKOS + "altLabel", SKOS + "definition"}
    out: dict[str, dict] = {}
    triples: set[tuple] = set()
    for c, p, o, g in rows:
        if g.value in superseded and owner(c.value, p.value, o) in covered:
            continue
        triples.add((c.value, p.value, o))
        if p.value not in wanted:
            continue
        info = out.setdefault(c.value, {"pref": {}, "alt": set(), "types": set(), "def": {}})
        if p.value == RDF + "type":
            info["types"].add(o.value)
        elif isinstance(o, ox.Literal):
            key = {SKOS + "prefLabel": "pref", SKOS + "definition": "def"}.get(p.value)
            if key:
                info[key][o.language or ""] = o.value
            else:
                info["alt"].add(search_key(o.value))
    return out, triples


def convert(
    store: ox.Store,
    source: str,
    graph: str,
    lookup,
    pending: list[ox.Quad] | None = None,
    superseded: frozenset[str] = frozenset(),
) -> tuple[list[ox.Quad], list[Problem], dict[str, int]]:
    """The quads that merge one KOS file into the graph; (quads, problems, counts by kind).

    ``pending``: quads of files converted before this one in the same import. ``superseded``:
    the graphs of the embedded release, whose statements about the concepts this file labels
    the import replaces (:func:`labelled` gives those concepts). A statement the graph already
    has elsewhere is not repeated."""
    g = N(graph)
    quads: list[ox.Quad] = []
    problems: list[Problem] = []

    def add(s: str, p: str, o) -> None:
        quads.append(ox.Quad(N(s), N(p), o if not isinstance(o, str) else N(o), g))

    def q(text: str):
        return store.query(text, prefixes=PREFIXES)

    concepts: dict[str, str] = {}
    for row in q(
        "SELECT DISTINCT ?c WHERE { { ?c a ?t VALUES ?t { sdgo:Goal sdgo:Target sdgo:Indicator } }"
        " UNION { ?c skos:inScheme <http://metadata.un.org/sdg> } }"
    ):
        c = row["c"]
        if isinstance(c, ox.NamedNode) and sdg_kind(c.value):
            concepts[c.value] = sdg_kind(c.value)  # type: ignore[assignment]
    if not concepts:
        problems.append(
            Problem(
                source,
                None,
                None,
                "no SDG goals, targets or indicators (http://metadata.un.org/sdg/...) found: "
                "is this the UN SDG KOS?",
            )
        )
        return quads, problems, {}

    existing, triples = _existing(
        lookup, graph, pending or [], superseded, frozenset(labelled(store) & set(concepts))
    )
    doc = record_iri("source", source)
    add(doc, RDF + "type", IKG + "SourceDocument")
    add(doc, RDFS + "label", ox.Literal(source))

    labels: dict[str, dict[str, list[str]]] = {}
    alts: dict[str, list[ox.Literal]] = {}
    for row in q(
        "SELECT ?c ?p ?l WHERE { ?c ?p ?l VALUES ?p { skos:prefLabel skos:altLabel "
        "skos:definition } FILTER(isLiteral(?l)) } ORDER BY ?c ?p ?l"
    ):
        c, p, lit = row["c"].value, row["p"].value, row["l"]
        if c not in concepts or not _clean(lit.value):
            continue
        if p == SKOS + "altLabel":
            alts.setdefault(c, []).append(ox.Literal(_clean(lit.value), language=lit.language))
        else:
            kind = "pref" if p == SKOS + "prefLabel" else "def"
            per = labels.setdefault(c, {}).setdefault(f"{kind}:{lit.language or 'en'}", [])
            if _clean(lit.value) not in per:
                per.append(_clean(lit.value))

    parents: dict[str, set[str]] = {}
    for row in q(
        "SELECT ?c ?p WHERE { { ?c sdgo:isIndicatorOf ?p } UNION { ?c sdgo:isTargetOf ?p } "
        "UNION { ?c skos:broader ?p } UNION { ?p sdgo:hasIndicator ?c } UNION { ?p sdgo:hasTarget ?c } }"
    ):
        if isinstance(row["c"], ox.NamedNode) and isinstance(row["p"], ox.NamedNode):
            parents.setdefault(row["c"].value, set()).add(row["p"].value)
    notations: dict[str, set[str]] = {}
    for row in q("SELECT ?c ?n WHERE { ?c skos:notation ?n }"):
        notations.setdefault(row["c"].value, set()).add(row["n"].value)
    extras: dict[str, list[tuple[str, object]]] = {}
    for row in q(
        "SELECT ?c ?p ?o WHERE { ?c ?p ?o VALUES ?p { sdgo:tier sdgo:custodianAgency "
        "skos:exactMatch } }"
    ):
        o = row["o"]
        if isinstance(o, ox.NamedNode | ox.Literal):
            extras.setdefault(row["c"].value, []).append((row["p"].value, o))

    counts = {"goal": 0, "target": 0, "indicator": 0}
    known = {c for c, info in existing.items() if info["types"] & set(KINDS.values())}
    for c, kind in sorted(concepts.items()):
        counts[kind] += 1
        code = c[len(SDG) :]
        new = c not in known
        have = existing.get(c, {"pref": {}, "alt": set(), "def": {}})
        mine = labels.get(c, {})
        if new:
            add(c, RDF + "type", KINDS[kind])
            add(c, RDF + "type", SKOS + "Concept")
            add(c, SKOS + "inScheme", SCHEME)
        if kind == "indicator":
            compact = sorted(n for n in notations.get(c, ()) if re.fullmatch(r"[1-9]\d?\.(?:[1-9]\d?|[a-z])\.\d+", n))
            for n in compact:
                add(c, SKOS + "notation", ox.Literal(n))
            add(c, DCTERMS + "identifier", ox.Literal(code))
            add(c, DCTERMS + "source", doc)
            targets = sorted(p for p in parents.get(c, ()) if sdg_kind(p) == "target")
            if not targets:
                problems.append(Problem(source, None, c, "indicator without a target"))
            for t in targets:
                if t not in known and t not in concepts:
                    problems.append(Problem(source, None, c, f"indicator of an unknown target <{t}>"))
                    continue
                add(c, SDGO + "isIndicatorOf", t)
                add(t, SDGO + "hasIndicator", c)
        elif new:
            add(c, SKOS + "notation", ox.Literal(code))
            if kind == "goal":
                add(c, SKOS + "topConceptOf", SCHEME)
            else:
                goal = code.split(".")[0]
                add(c, SDGO + "isTargetOf", SDG + goal)
                add(SDG + goal, SDGO + "hasTarget", c)
        for key in sorted(mine):
            what, lang = key.split(":", 1)
            for i, text in enumerate(mine[key]):
                literal = ox.Literal(text, language=lang)
                if what == "def":
                    if have["def"].get(lang) is None:
                        add(c, SKOS + "definition", literal)
                elif i == 0 and lang not in have["pref"]:
                    add(c, SKOS + "prefLabel", literal)
                    add(c, IKG + "searchKey", ox.Literal(search_key(text)))
                elif i == 0 and lang not in have["def"] and search_key(
                    have["pref"][lang]
                ) != search_key(text):
                    add(c, SKOS + "definition", literal)  # the official wording
                    add(c, IKG + "searchKey", ox.Literal(search_key(text)))
                elif search_key(text) not in have["alt"]:
                    add(c, SKOS + "altLabel", literal)
        prefs = {search_key(v) for v in have["pref"].values()}
        for alt in alts.get(c, []):
            if search_key(alt.value) not in prefs | have["alt"]:
                add(c, SKOS + "altLabel", alt)
                add(c, IKG + "searchKey", ox.Literal(search_key(alt.value)))
        for p, o in extras.get(c, []):
            add(c, p, o)
    seen: set[tuple] = set()
    unique = []
    for quad in quads:
        triple = (value_of(quad.subject), quad.predicate.value, quad.object)
        if triple not in seen and triple not in triples:  # said once, in one graph
            seen.add(triple)
            unique.append(quad)
    return unique, problems, counts


def labelled(store: ox.Store) -> set[str]:
    """The SDG concepts (normalised IRIs) a KOS file gives a ``skos:prefLabel``."""
    return {
        row["c"].value
        for row in store.query("SELECT DISTINCT ?c WHERE { ?c skos:prefLabel ?l }", prefixes=PREFIXES)  # type: ignore[union-attr]
        if isinstance(row["c"], ox.NamedNode) and sdg_kind(row["c"].value)
    }


def release_graphs(kg) -> frozenset[str]:
    """The graphs of the embedded SDG KOS release (kind ``sdg_kos``), as the graph of sources
    describes them."""
    rows = kg.sparql(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH <{SOURCES_GRAPH}> {{ ?g dcterms:source ?d . "
        f"?d dcterms:isVersionOf <{SCHEME}> }} }}"
    ).dicts()
    present = set(kg.graphs())
    return frozenset(str(r["g"]) for r in rows if str(r["g"]) in present)


def _without(kg, graph: str, covered: set[str]) -> list[ox.Quad]:
    """The quads of ``graph`` that are not about the ``covered`` concepts."""
    g = N(graph)
    return [
        ox.Quad(s, p, o, g)
        for s, p, o in _rows(kg, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        if owner(s.value, p.value, o) not in covered
    ]


def import_sdg_kos(kg, *paths: str | Path):
    """Import UN SDG KOS files into the graph, each into its own named graph; atomic.

    >>> summary = import_sdg_kos(kg, "sdg-kos-goals-targets-indicators.ttl")  # doctest: +SKIP
    """
    graphs: dict[str, list[ox.Quad]] = {}
    sources = []
    problems: list[Problem] = []

    def lookup(text: str) -> list[tuple]:
        return _rows(kg, text)

    superseded = release_graphs(kg)
    covered: set[str] = set()
    for path in map(Path, paths):
        graph = f"{GRAPH}sdg-kos/{stem_of(path)}"
        try:
            store = _read(path)
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        pending = [q for qs in graphs.values() for q in qs]
        quads, probs, counts = convert(store, path.name, graph, lookup, pending, superseded)
        problems.extend(probs)
        covered |= labelled(store)
        if not probs:
            graphs[graph] = quads
            rows = sum(counts.values())
            sources.append((path.name, graph, rows, len(quads)))
    if problems:
        raise LoadError(problems)
    for release in sorted(superseded):  # what the files label is theirs now, not the release's
        kept = _without(kg, release, covered)
        graphs[release] = kept
        sources.append(("embedded SDG KOS release, kept where the files say nothing", release, 0, len(kept)))
    # KnowledgeGraph.replace_graphs replaces each named graph atomically, as a load does.
    return kg.replace_graphs(graphs, sources)


def _rows(kg, text: str) -> list[tuple]:
    """Rows of pyoxigraph terms for a SELECT on the graph."""
    from impactkg.graph.sparql.terms import to_ox

    return [tuple(to_ox(v) for v in values) for values in kg.sparql(text).rows]
