"""The workbook sheets of the two kinds whose graphs add to records of other tables: the team's
English translations (kind ``translations``) and the UN SDG KOS release (kind ``sdg_kos``).

Their named graphs hold statements about records that other graphs define (an English label of an
indicator, the official labels of a target), so :func:`impactkg.graph.export.tables.write_workbook`
reads every other sheet without them (:func:`side_graphs` tells which they are, from the shared
graph of sources) and these readers rebuild their rows from their own graph, so that a workbook
loaded back gives the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from impactkg.graph.sparql.terms import value_of
from impactkg.loaders.base import SOURCES_GRAPH
from impactkg.loaders.sdgkos import sdg_kind
from impactkg.loaders.sdgkos_table import parents
from impactkg.loaders.translations import RECORD_KINDS, TRANSLATION_STATUS
from impactkg.ontology import DCTERMS, IKG, RDF, RDFS, SDG, SDGO, SKOS, slug

TYPE = RDF + "type"
NOTE_PREFIX = "translation: "
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def side_graphs(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """Graph -> kind (``translations`` or ``sdg_kos``), as the graph of sources describes them."""
    status, derived, releases = {}, defaultdict(set), set()
    for q in quads:
        if q.graph_name != ox.NamedNode(SOURCES_GRAPH):
            continue
        s, p, o = value_of(q.subject), q.predicate.value, value_of(q.object)
        if p == IKG + "assertionStatus" and o == TRANSLATION_STATUS:
            status[s] = "translations"
        elif p == PROV_DERIVED:
            derived[s].add(o)
        elif p == DCTERMS + "isVersionOf" and o == SDG.rstrip("/"):
            releases.add(s)
    out = dict(status)
    for g, docs in derived.items():
        if docs & releases:
            out[g] = "sdg_kos"
    return out



def _by_subject(quads: Iterable[ox.Quad]) -> dict[str, dict[str, list]]:
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        out[value_of(q.subject)][q.predicate.value].append(q.object)
    return out


def _texts(props: dict[str, list], p: str, lang: str | None = None) -> list[str]:
    return sorted(o.value for o in props.get(p, []) if isinstance(o, ox.Literal)
                  and (lang is None or (o.language or "") == lang))  # fmt: skip


def translation_rows(ix: Any, quads: list[ox.Quad], ns: str, make_row) -> list:
    """The rows of a translations graph (``make_row(cells, graph)`` builds a sheet row)."""
    graph = value_of(quads[0].graph_name) if quads else ""
    kinds = {rk.cls: name for name, rk in RECORD_KINDS.items()}
    rows: dict[tuple, dict[str, str]] = {}
    domains: dict[str, dict[str, str]] = {}
    for s, props in sorted(_by_subject(quads).items()):
        ja_labels = [t for p in (RDFS + "label", SKOS + "prefLabel") for t in ix.texts(s, p, "ja")]
        for domain_en in _texts(props, IKG + "factorDomain", "en"):
            for domain_ja in ix.texts(s, IKG + "factorDomain"):  # the other graphs' (Japanese) domain
                domains.setdefault(domain_ja, {"kind": "factor-domain", "key": "", "label_ja": domain_ja,
                                               "label_en": domain_en})  # fmt: skip
        english = _texts(props, RDFS + "label", "en") + _texts(props, SKOS + "prefLabel", "en")
        if not english:
            continue
        kind = next((kinds[t] for t in sorted(ix.types(s)) if t in kinds and t != SKOS + "Concept"),
                    "concept" if SKOS + "Concept" in ix.types(s) else "")  # fmt: skip
        if not kind:
            continue
        key = _key(ix, s, kind, ns, ja_labels)
        notes = [n[len(NOTE_PREFIX):] for n in _texts(props, SKOS + "editorialNote") if n.startswith(NOTE_PREFIX)]
        cells = {
            "kind": kind,
            "key": key,
            "label_ja": ja_labels[0] if ja_labels else "",
            "label_en": english[0],
            "alt_label_en": " | ".join(_texts(props, SKOS + "altLabel", "en")),
            "definition_en": " ".join(_texts(props, SKOS + "definition", "en")),
            "note": " ".join(notes),
        }
        rows.setdefault((kind, key, cells["label_ja"]), cells)  # one row for records of one wording
    order = list(RECORD_KINDS)
    out = [make_row(c, graph) for _, c in sorted(rows.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1:]))]
    out += [make_row(c, graph) for _, c in sorted(domains.items())]
    return out


def _key(ix: Any, s: str, kind: str, ns: str, ja_labels: list[str]) -> str:
    if RECORD_KINDS[kind].iri is None:
        return s if kind == "source" else ""
    tail = s.rsplit("/", 1)[-1]
    if kind == "concept":
        return unquote("/".join(s.rsplit("/", 2)[-2:]))
    if kind == "organization" and ja_labels and tail == slug(ja_labels[0]):
        return ""  # minted from a name: found by its label
    if kind in ("organization", "person"):
        return tail
    if kind == "fragment":
        return tail[len(ns) + 1:] if tail.startswith(ns + "-") else s
    ident = ix.text(s, DCTERMS + "identifier")
    if kind in ("indicator", "factor") and ident:
        return ident
    return tail[len(ns) + 1:] if tail.startswith(ns + "-") else s


def kos_rows_of_graph(quads: list[ox.Quad], make_row) -> list:
    """The rows of an SDG KOS release graph, goals, targets, then indicators."""
    graph = value_of(quads[0].graph_name) if quads else ""
    rows = []
    for s, props in _by_subject(quads).items():
        kind = sdg_kind(s)
        if kind is None:
            continue
        local = s[len(SDG):]
        codes = sorted(_texts(props, SKOS + "notation")) if kind == "indicator" else [local]
        if kind == "indicator":
            targets = sorted(o.value[len(SDG):] for o in props.get(SDGO + "isIndicatorOf", []))
            parent = " ".join(targets) or " ".join(parents(" ".join(codes)))
        else:
            parent = local.split(".")[0] if kind == "target" else ""
        cells = {"id": local, "type": kind, "codes": " ".join(codes), "parents": parent,
                 "alt_label_en": " | ".join(_texts(props, SKOS + "altLabel", "en")),
                 "tier": " ".join(sorted(o.value.rsplit("#", 1)[-1] for o in props.get(SDGO + "tier", []))),
                 "custodian": " | ".join(_texts(props, SDGO + "custodianAgency"))}  # fmt: skip
        for lang in ("en", "fr", "es"):
            found = _texts(props, SKOS + "prefLabel", lang) or _texts(props, SKOS + "definition", lang)
            cells[f"label_{lang}"] = found[0] if found else ""
        rank = {"goal": 0, "target": 1, "indicator": 2}[kind]
        row = make_row(cells, graph)
        row.sort = (rank, [(0, int(p)) if p.isdigit() else (1, p) for p in codes[0].split(".")])
        rows.append(row)
    return rows
