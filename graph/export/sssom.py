"""The accepted crosswalk matches as an SSSOM mapping set (Simple Standard for Sharing Ontological
Mappings, https://mapping-commons.github.io/sssom/, TSV serialisation).

The file starts with the mapping set's metadata as YAML, each line behind ``#`` (``curie_map``,
``mapping_set_id``, ``license``, ``mapping_date``, ...), then one tab-separated row per accepted
match, with the columns of :data:`COLUMNS`. Identifiers are CURIEs expanded by the
``curie_map``. A match a person accepted is justified as ``semapv:ManualMappingCuration``; its
``confidence`` is the crosswalk's score when it was accepted, and ``author_label`` who accepted
it (the crosswalk records a name, not an ORCID, so ``author_id`` is left out).

>>> curie("https://codelist.commonapproach.org/codeLists/IrisMetric53#PI4060")
'IrisMetric53:PI4060'
>>> curie("http://metadata.un.org/sdg/C030401")
'sdg:C030401'
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from impactkg.graph.analysis import crosswalk as cw

#: Prefixes of the identifiers a mapping set uses (longest namespace first when compacting).
CURIE_MAP: dict[str, str] = {
    "ikd.indicator": "https://w3id.org/impactkg/id/indicator/",
    "IrisMetric53": cw.IRIS_NS,
    "sdg": "http://metadata.un.org/sdg/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
COLUMNS = [
    "subject_id", "subject_label", "predicate_id", "object_id", "object_label",
    "mapping_justification", "author_label", "mapping_date", "confidence", "mapping_tool",
    "subject_source", "object_source", "comment",
]  # fmt: skip
MAPPING_SET_ID = "https://w3id.org/impactkg/mapping-set/crosswalk"
LICENSE = "https://opensource.org/license/mit"
SOURCES = {
    "iris-plus": "https://iris.thegiin.org/metrics/",
    "sdg": "http://metadata.un.org/sdg",
}

LABELS = """SELECT ?s ?l (LANG(?l) AS ?lang) WHERE {
  { ?s a ikg:Indicator ; rdfs:label ?l } UNION { ?s a ikg:IrisMetric ; skos:prefLabel ?l }
  UNION { ?s a sdgo:Indicator ; skos:prefLabel ?l }
}"""


def curie(iri: str) -> str:
    """The CURIE of ``iri`` under :data:`CURIE_MAP` (the IRI itself when no prefix fits)."""
    for prefix, ns in sorted(CURIE_MAP.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _labels(kg) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in kg.sparql(LABELS).dicts():
        out.setdefault(r["s"], {}).setdefault(r.get("lang") or "", r["l"])
    return out


def _label(labels: dict[str, dict[str, str]], iri: str) -> str:
    names = labels.get(iri, {})
    return names.get("en") or names.get("ja") or next(iter(names.values()), "")


NOTES = """SELECT ?s ?o ?note WHERE { GRAPH <CROSSWALK> {
  ?m a ikg:Mapping ; ikg:mappingSubject ?s ; ikg:mappingObject ?o ; skos:editorialNote ?note } }"""


def _yaml_value(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sssom_tsv(kg, *, when: datetime | None = None) -> str:
    """The accepted matches of the graph as SSSOM/TSV text (metadata block and rows)."""
    rows = cw.accepted(kg)
    labels = _labels(kg)
    notes = {(r["s"], r["o"]): r["note"] for r in kg.sparql(
        NOTES.replace("CROSSWALK", cw.CROSSWALK_GRAPH)).dicts()}
    today = (when or datetime.now(UTC)).date().isoformat()
    meta = [
        "curie_map:",
        *(f"  {p}: {_yaml_value(ns)}" for p, ns in CURIE_MAP.items()),
        f"mapping_set_id: {_yaml_value(MAPPING_SET_ID)}",
        "mapping_set_title: 'impactkg crosswalk: accepted matches of catalogue indicators'",
        "mapping_set_description: 'Catalogue indicators matched to IRIS+ metrics and UN SDG "
        "indicators, each accepted by a person (impactkg crosswalk accept).'",
        f"license: {_yaml_value(LICENSE)}",
        "sssom_version: '1.0'",
        f"mapping_date: {_yaml_value(today)}",
        "mapping_tool: 'impactkg crosswalk'",
    ]
    out = io.StringIO()
    for line in meta:
        out.write(f"# {line}\n")
    writer = csv.DictWriter(out, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        metric = str(r["metric"])
        vocabulary = "iris-plus" if metric.startswith(cw.IRIS_NS) else "sdg"
        when_r = r["when"]
        date = when_r.date().isoformat() if hasattr(when_r, "date") else str(when_r)[:10]
        writer.writerow({
            "subject_id": curie(str(r["indicator"])),
            "subject_label": _label(labels, str(r["indicator"])),
            "predicate_id": "skos:exactMatch" if r["match"] == "exact" else "skos:closeMatch",
            "object_id": curie(metric),
            "object_label": _label(labels, metric),
            "mapping_justification": "semapv:ManualMappingCuration",
            "author_label": r["by"],
            "mapping_date": date,
            "confidence": f"{float(r['score']):.3f}" if r.get("score") is not None else "",
            "mapping_tool": "impactkg crosswalk",
            "subject_source": "https://w3id.org/impactkg/id/",
            "object_source": SOURCES[vocabulary],
            "comment": notes.get((str(r["indicator"]), metric), ""),
        })  # fmt: skip
    return out.getvalue()


def write_sssom(kg, path: str | Path) -> tuple[Path, int]:
    """Write :func:`sssom_tsv` to ``path``; returns (path, number of mappings)."""
    path = Path(path)
    text = sssom_tsv(kg)
    path.write_text(text, encoding="utf-8")
    return path, len(cw.accepted(kg))
