"""GIIN's IRIS+ catalogue of metrics: the CSV/XLSX export and its SKOS form.

The export's columns, as GIIN writes them: ``ID, Metric Name, Definition, Footnote, Calculation,
Usage Guidance, ..., Reporting Format``, then one ``SDG N: <name>`` column per goal and one
``SDG Target N.M.`` column per target, marked ``X``, then the dimensions of impact ``What, Who,
How Much Scale, How Much Depth, How Much Duration, Contribution Depth, Contribution Duration,
Risk``, also marked ``X``. Other columns are ignored. In a workbook, every sheet with the ``ID``
and ``Metric Name`` columns is read (GIIN's is named "... Catalog of Metrics").

The SKOS form is CIDS's code list ``IrisMetric53.ttl`` (``org:hasIdentifier``, ``cids:hasName``,
``cids:hasDescription``) or any SKOS file of IRIS+ concepts (impact categories and themes).

Each metric becomes a SKOS concept (class ``ikg:IrisMetric``) named as in CIDS's code list,
``https://codelist.commonapproach.org/codeLists/IrisMetric53#PI4060``, so both forms describe
the same resources: notation, English label and definition, usage guidance, reporting format
(``ikg:unitText``), SDG goals and targets (``ikg:sdgGoal`` / ``ikg:sdgTarget``) and dimensions
(``ikg:impactDimension``). Each file goes into its own named graph (``<GRAPH>iris-plus/<stem>``).

>>> target_of_header("SDG Target 3.4.")
'3.4'
>>> goal_of_header("SDG 9: Industry, Innovation and Infrastructure")
'9'
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from impactkg.errors import LoadError, Problem
from impactkg.loaders.base import stem_of
from impactkg.loaders.rdf import RDF_SUFFIXES, parse_rdf
from impactkg.ontology import (
    CIDS,
    DCTERMS,
    GRAPH,
    IKG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    concept_iri,
    nfkc,
    record_iri,
    sdg_iri,
    search_key,
)
from impactkg.ontology.sdg import is_goal, is_target

IRIS_NS = "https://codelist.commonapproach.org/codeLists/IrisMetric53#"
IRIS_SCHEME = IRIS_NS + "dataset"
ID_RE = re.compile(r"^[A-Z]{2}\d{4}$")
GOAL_HEADER = re.compile(r"^SDG\s+(\d{1,2})\s*:", re.IGNORECASE)
TARGET_HEADER = re.compile(r"^SDG\s+Target\s+(\d{1,2})\.(\d{1,2}|[a-z])\.?$", re.IGNORECASE)
DIMENSION_SCHEME = IKG + "ImpactDimensionScheme"

#: The dimensions of impact: (column header, concept id, ja label, en label, broader id).
DIMENSIONS: list[tuple[str | None, str, str, str, str | None]] = [
    ("What", "what", "何を（What）", "What", None),
    ("Who", "who", "誰に（Who）", "Who", None),
    (None, "how-much", "どれだけ（How Much）", "How Much", None),
    ("How Much Scale", "how-much-scale", "どれだけ：規模", "How Much: Scale", "how-much"),
    ("How Much Depth", "how-much-depth", "どれだけ：深さ", "How Much: Depth", "how-much"),
    ("How Much Duration", "how-much-duration", "どれだけ：期間", "How Much: Duration", "how-much"),
    (None, "contribution", "寄与（Contribution）", "Contribution", None),
    ("Contribution Depth", "contribution-depth", "寄与：深さ", "Contribution: Depth", "contribution"),
    (
        "Contribution Duration",
        "contribution-duration",
        "寄与：期間",
        "Contribution: Duration",
        "contribution",
    ),
    ("Risk", "risk", "リスク（Risk）", "Risk", None),
]

TEXT_COLUMNS = {
    "definition": SKOS + "definition",
    "usage guidance": SKOS + "scopeNote",
    "footnote": SKOS + "note",
    "citation": DCTERMS + "bibliographicCitation",
}


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - as in the other loaders
    return ox.NamedNode(iri)


def metric_iri(metric_id: str) -> str:
    """The IRI of an IRIS+ metric: ``metric_iri("PI4060")`` ends with ``#PI4060``."""
    return IRIS_NS + metric_id


def dimension_iri(dim_id: str) -> str:
    return concept_iri("impact-dimension", dim_id)


def target_of_header(header: str) -> str | None:
    m = TARGET_HEADER.match(nfkc(header))
    return f"{int(m.group(1))}.{m.group(2).lower()}" if m else None


def goal_of_header(header: str) -> str | None:
    m = GOAL_HEADER.match(nfkc(header))
    return str(int(m.group(1))) if m else None


def _text(value: str) -> str:
    return " ".join(value.split())


class _Out:
    """Quads of one named graph."""

    def __init__(self, graph: str):
        self.graph = N(graph)
        self.quads: list[ox.Quad] = []

    def add(self, s: str, p: str, o) -> None:
        self.quads.append(ox.Quad(N(s), N(p), N(o) if isinstance(o, str) else o, self.graph))

    def label(self, s: str, p: str, text: str, lang: str = "en") -> None:
        if text:
            self.add(s, p, ox.Literal(text, language=lang))
            if p in (SKOS + "prefLabel", SKOS + "altLabel"):
                self.add(s, IKG + "searchKey", ox.Literal(search_key(text)))


def _vocabulary(out: _Out) -> None:
    """The IRIS+ scheme and the dimensions of impact, with ja/en labels."""
    out.add(IRIS_SCHEME, RDF + "type", SKOS + "ConceptScheme")
    out.label(IRIS_SCHEME, SKOS + "prefLabel", "IRIS+ Catalog of Metrics")
    out.label(IRIS_SCHEME, SKOS + "prefLabel", "IRIS+ 指標カタログ", "ja")
    for _, dim, ja, en, broader in DIMENSIONS:
        iri = dimension_iri(dim)
        out.add(iri, RDF + "type", IKG + "ImpactDimension")
        out.add(iri, RDF + "type", SKOS + "Concept")
        out.add(iri, SKOS + "inScheme", DIMENSION_SCHEME)
        out.add(iri, SKOS + "notation", ox.Literal(dim))
        out.label(iri, SKOS + "prefLabel", ja, "ja")
        out.label(iri, SKOS + "prefLabel", en)
        if broader:
            out.add(iri, SKOS + "broader", dimension_iri(broader))
        else:
            out.add(iri, SKOS + "topConceptOf", DIMENSION_SCHEME)


def _source(out: _Out, name: str) -> str:
    doc = record_iri("source", name)
    out.add(doc, RDF + "type", IKG + "SourceDocument")
    out.add(doc, RDFS + "label", ox.Literal(name))
    return doc


def _metric(out: _Out, metric_id: str, name: str, doc: str) -> str:
    m = metric_iri(metric_id)
    out.add(m, RDF + "type", SKOS + "Concept")
    out.add(m, RDF + "type", IKG + "IrisMetric")
    out.add(m, SKOS + "inScheme", IRIS_SCHEME)
    out.add(m, SKOS + "notation", ox.Literal(metric_id))
    out.label(m, SKOS + "prefLabel", name)
    out.add(m, DCTERMS + "source", N(doc))
    return m


# ---------------------------------------------------------------------- tables
def _tables(path: Path, encoding: str | None):
    from impactkg.loaders.tabular import XLSX_SUFFIXES, read_tables, read_xlsx

    if path.suffix.lower() not in XLSX_SUFFIXES:
        return read_tables(path, encoding)
    from openpyxl import load_workbook

    try:
        names = load_workbook(path, read_only=True).sheetnames
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise LoadError([Problem(path.name, None, None, f"not a readable XLSX workbook: {exc}")]) from None
    tables, problems = [], []
    for name in names:
        try:
            found = read_xlsx(path, [name])
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        tables += [t for t in found if _has_columns(t.header)]
    if not tables:
        raise LoadError(
            problems
            or [Problem(path.name, None, None, "no sheet has the columns 'ID' and 'Metric Name'")]
        )
    return tables


def _has_columns(header: list[str]) -> bool:
    keys = {h.strip().casefold() for h in header}
    return {"id", "metric name"} <= keys


def _convert_table(table, out: _Out, doc: str) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    cols = {h.strip().casefold(): h for h in table.header}
    for need in ("ID", "Metric Name"):
        if need.casefold() not in cols:
            problems.append(Problem(table.source, 1, need, f"missing required column {need!r}"))
    if problems:
        return 0, problems
    goals: dict[str, str] = {}
    targets: dict[str, str] = {}
    dims: dict[str, str] = {}
    by_header = {h: dim for h, dim, *_ in DIMENSIONS if h}
    for h in table.header:
        if (t := target_of_header(h)) is not None:
            if is_target(t):
                targets[h] = t
            else:
                problems.append(Problem(table.source, 1, h, f"unknown SDG target {t!r}"))
        elif (g := goal_of_header(h)) is not None:
            if is_goal(g):
                goals[h] = g
            else:
                problems.append(Problem(table.source, 1, h, f"unknown SDG goal {g!r}"))
        elif h.strip() in by_header:
            dims[h] = by_header[h.strip()]
    seen: dict[str, int] = {}
    n = 0
    for row in table.rows:
        cells = row.values
        metric_id = nfkc(cells.get(cols["id"], ""))
        name = _text(cells.get(cols["metric name"], ""))
        if not metric_id:
            problems.append(Problem(table.source, row.number, cols["id"], "empty metric ID"))
            continue
        if not ID_RE.match(metric_id):
            problems.append(
                Problem(
                    table.source,
                    row.number,
                    cols["id"],
                    f"not an IRIS+ metric ID: {metric_id!r} (expected two letters and four "
                    "digits, e.g. PI4060)",
                )
            )
            continue
        if metric_id in seen:
            problems.append(
                Problem(
                    table.source,
                    row.number,
                    cols["id"],
                    f"duplicate ID {metric_id!r} (first at row {seen[metric_id]})",
                )
            )
            continue
        seen[metric_id] = row.number
        if not name:
            problems.append(Problem(table.source, row.number, cols["metric name"], "empty metric name"))
            continue
        flags: dict[str, bool] = {}
        for h in [*goals, *targets, *dims]:
            value = nfkc(cells.get(h, ""))
            if value.upper() not in ("", "X"):
                problems.append(
                    Problem(table.source, row.number, h, f"expected X or an empty cell, got {value!r}")
                )
            flags[h] = value.upper() == "X"
        m = _metric(out, metric_id, name, doc)
        out.add(m, IKG + "sourceLine", ox.Literal(str(row.number), datatype=N(XSD + "integer")))
        for key, pred in TEXT_COLUMNS.items():
            if key in cols and _text(cells.get(cols[key], "")):
                out.label(m, pred, cells[cols[key]].strip())
        if "reporting format" in cols and _text(cells.get(cols["reporting format"], "")):
            out.add(m, IKG + "unitText", ox.Literal(_text(cells[cols["reporting format"]])))
        if "discontinued metrics" in cols and nfkc(cells.get(cols["discontinued metrics"], "")).upper() == "X":
            out.add(m, OWL + "deprecated", ox.Literal("true", datatype=N(XSD + "boolean")))
        for h, g in goals.items():
            if flags[h]:
                out.add(m, IKG + "sdgGoal", sdg_iri(g))
        for h, t in targets.items():
            if flags[h]:
                out.add(m, IKG + "sdgTarget", sdg_iri(t))
        for h, dim in dims.items():
            if flags[h]:
                out.add(m, IKG + "impactDimension", dimension_iri(dim))
        n += 1
    if not n and not problems:
        problems.append(Problem(table.source, None, None, "no metric rows"))
    return n, problems


# ---------------------------------------------------------------------- SKOS
_SKOS_METRICS = """
SELECT ?m ?id WHERE {
  { ?m <http://www.w3.org/ns/org#hasIdentifier> ?id }
  UNION { ?m <http://ontology.eil.utoronto.ca/tove/organization#hasIdentifier> ?id }
  UNION { ?m skos:notation ?id }
  FILTER(isIRI(?m))
}
"""


def _convert_skos(path: Path, out: _Out, doc: str) -> tuple[int, list[Problem]]:
    store = ox.Store()
    for quads in parse_rdf(path, "urn:impactkg:iris-plus").values():
        store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)

    def q(text: str):
        return store.query(text, prefixes=PREFIXES)

    metrics: dict[str, str] = {}
    for row in q(_SKOS_METRICS):
        mid = nfkc(row["id"].value)
        if ID_RE.match(mid) and (row["m"].value.startswith(IRIS_NS) or row["m"].value.endswith(mid)):
            metrics[row["m"].value] = mid
    values: dict[str, dict[str, list[ox.Literal]]] = {}
    for row in q(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) VALUES ?p { skos:prefLabel "
        "cids:hasName skos:definition cids:hasDescription skos:scopeNote skos:note skos:altLabel } }"
    ):
        values.setdefault(row["s"].value, {}).setdefault(row["p"].value, []).append(row["o"])

    def first(s: str, *preds: str) -> str:
        for p in preds:
            for lit in sorted(values.get(s, {}).get(p, []), key=lambda x: (x.language != "en", x.value)):
                if _text(lit.value):
                    return _text(lit.value)
        return ""

    n = 0
    for m, mid in sorted(metrics.items(), key=lambda kv: kv[1]):
        name = first(m, SKOS + "prefLabel", CIDS + "hasName")
        if not name:
            continue
        iri = _metric(out, mid, name, doc)
        for pred, sources in (
            (SKOS + "definition", (SKOS + "definition", CIDS + "hasDescription")),
            (SKOS + "scopeNote", (SKOS + "scopeNote",)),
            (SKOS + "note", (SKOS + "note",)),
        ):
            text = first(m, *sources)
            if text:
                out.label(iri, pred, text)
        n += 1
    for row in q(f"SELECT ?m ?src WHERE {{ ?m <{PROV}hadPrimarySource> ?src FILTER(isIRI(?src)) }}"):
        if row["m"].value in metrics:
            out.add(metric_iri(metrics[row["m"].value]), PROV + "hadPrimarySource", row["src"])

    # Other SKOS concepts (IRIS+ impact categories and themes): kept with their labels,
    # notation, scheme and hierarchy.
    for row in q(
        "SELECT ?c ?p ?o WHERE { ?c a skos:Concept . ?c ?p ?o VALUES ?p { skos:prefLabel "
        "skos:notation skos:inScheme skos:broader skos:altLabel } FILTER(isIRI(?c)) }"
    ):
        c = row["c"].value
        if c in metrics:
            continue
        o = row["o"]
        if isinstance(o, ox.Literal) and row["p"].value in (SKOS + "prefLabel", SKOS + "altLabel"):
            out.label(c, row["p"].value, _text(o.value), o.language or "en")
        else:
            out.add(c, row["p"].value, o)
        if row["p"].value == SKOS + "prefLabel":
            out.add(c, RDF + "type", SKOS + "Concept")
            out.add(c, DCTERMS + "source", N(doc))
            n += 1
    for row in q("SELECT ?s ?l WHERE { ?s a skos:ConceptScheme ; skos:prefLabel ?l }"):
        out.add(row["s"].value, RDF + "type", SKOS + "ConceptScheme")
        out.label(row["s"].value, SKOS + "prefLabel", _text(row["l"].value), row["l"].language or "en")
    if not n:
        return 0, [Problem(path.name, None, None, "no IRIS+ metrics or SKOS concepts found")]
    return n, []


# ---------------------------------------------------------------------- import
def import_iris_plus(kg, *paths: str | Path, encoding: str | None = None):
    """Import IRIS+ files (CSV, XLSX or SKOS RDF), each into its own named graph; atomic.

    >>> summary = import_iris_plus(kg, "IRIS+ Catalog of Metrics.csv")  # doctest: +SKIP
    """
    graphs: dict[str, list[ox.Quad]] = {}
    sources = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        graph = f"{GRAPH}iris-plus/{stem_of(path)}"
        out = _Out(graph)
        _vocabulary(out)
        doc = _source(out, path.name)
        try:
            if path.suffix.lower() in RDF_SUFFIXES:
                if not path.exists():
                    raise LoadError([Problem(str(path), None, None, "no such file")])
                n, probs = _convert_skos(path, out, doc)
            else:
                n, probs = 0, []
                for table in _tables(path, encoding):
                    k, p = _convert_table(table, out, doc)
                    n, probs = n + k, probs + p
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(probs)
        if not probs:
            graphs[graph] = out.quads
            sources.append((path.name, graph, n, len(out.quads)))
    if problems:
        raise LoadError(problems)
    # KnowledgeGraph.replace_graphs replaces each named graph atomically, as a load does.
    return kg.replace_graphs(graphs, sources)
