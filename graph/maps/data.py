"""Reading the graph for the maps: rows of one of their queries (each a SPARQL file in
``sparql/``), every label in Japanese and English, the source line of each record, and the builder
that collects a map's nodes and edges without duplicates (:class:`_Builder`), used by each kind of
map."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from impactkg.graph.maps import CLASSES, RELATIONS, TITLES, Lines, MapData, Text

if TYPE_CHECKING:
    from impactkg.graph.store import KnowledgeGraph


@cache
def query(name: str) -> str:
    """The text of the maps' query ``name``: ``sparql/NAME.rq`` beside this module (prefixes as
    :meth:`KnowledgeGraph.sparql` declares them). FileNotFoundError for an unknown name."""
    return (resources.files("impactkg.graph.maps") / "sparql" / f"{name}.rq").read_text(encoding="utf-8")


def _rows(kg: KnowledgeGraph, name: str) -> list[dict[str, Any]]:
    """The rows of the maps' query ``name`` (:func:`query`), each a dict of variable -> value."""
    return kg.sparql(query(name)).dicts()


def _labels(kg: KnowledgeGraph) -> dict[str, Text]:
    """Every label of the graph: IRI -> {ja, en} (a missing language borrows the other)."""
    res = kg.sparql(query("labels"))
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, lab in res.rows:
        lang = getattr(lab, "language", None)
        if lang in ("ja", "en"):
            out[str(s)].setdefault(lang, str(lab))
        else:
            out[str(s)].setdefault("plain", str(lab))
    for names in out.values():
        plain = names.pop("plain", None)
        names.setdefault("ja", names.get("en") or plain or "")
        names.setdefault("en", names.get("ja") or plain or "")
    return out


def _short(text: str, n: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _label(labels: dict[str, Text], iri: str, fallback: str | None = None) -> Text:
    found = labels.get(iri)
    if found:
        return dict(found)
    name = fallback or re.split(r"[/#]", iri)[-1]
    return {"ja": name, "en": name}


def _source(rows: dict[str, list[dict]], iri: str) -> tuple[list[str], list[str]]:
    lines = sorted({r["line"] for r in rows.get(iri, []) if r.get("line") is not None})
    if not lines:
        return [], []
    text = ", ".join(str(n) for n in lines[:6]) + ("…" if len(lines) > 6 else "")
    return [f"出典の行: {text}"], [f"Source line: {text}"]


def _sources(kg: KnowledgeGraph) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in _rows(kg, "source-lines"):
        out[r["s"]].append(r)
    return out


class _Builder:
    """Collects nodes and edges without duplicates."""

    def __init__(self, kind: str, kg: KnowledgeGraph):
        self.data = MapData(kind, dict(TITLES[kind]))
        self.labels = _labels(kg)
        self.sources = _sources(kg)
        self.index: dict[str, dict[str, Any]] = {}
        self.edge_ids: set[str] = set()

    def node(self, iri: str, cls: str, label: Text | None = None, info: Lines | None = None,
             domains: list[str] | None = None, key: str | None = None) -> dict[str, Any]:
        if iri in self.index:
            n = self.index[iri]
            for d in domains or []:
                if d not in n["domains"]:
                    n["domains"].append(d)
            return n
        label = label or _label(self.labels, iri)
        head = CLASSES.get(cls) or {"ja": cls, "en": cls}
        src_ja, src_en = _source(self.sources, iri)
        lines = {
            "ja": [f"{head['ja']}: {label['ja']}", *(info or {}).get("ja", []), *src_ja],
            "en": [f"{head['en']}: {label['en']}", *(info or {}).get("en", []), *src_en],
        }
        n = {
            "id": iri,
            "label": {lang: _short(label[lang]) for lang in ("ja", "en")},
            "full": label,
            "cls": cls,
            "domains": list(domains or []),
            "info": lines,
            "key": key or re.split(r"[/#]", iri)[-1],
        }
        self.index[iri] = n
        self.data.nodes.append(n)
        self.data.classes.setdefault(cls, head)
        return n

    def edge(self, a: str, b: str, rel: str, info: Lines | None = None, **extra: Any) -> None:
        eid = extra.pop("id", None) or f"{a}|{rel}|{b}"
        if eid in self.edge_ids or a not in self.index or b not in self.index:
            return
        self.edge_ids.add(eid)
        head = RELATIONS.get(rel) or {"ja": rel, "en": rel}
        lines = {
            lang: [f"{self.index[a]['full'][lang]} → {self.index[b]['full'][lang]}", f"({head[lang]})",
                   *(info or {}).get(lang, [])]
            for lang in ("ja", "en")
        }
        self.data.edges.append({"id": eid, "from": a, "to": b, "rel": rel, "info": lines, **extra})
        self.data.relations.setdefault(rel, head)

    def domain(self, key: str, label: Text) -> str:
        self.data.domains.setdefault(key, label)
        return key


def _target_label(code: str) -> Text:
    return {"ja": f"SDGs {code}", "en": f"SDG {code}"}


def _goal_label(labels: dict[str, Text], iri: str, code: str) -> Text:
    name = labels.get(iri, {})
    return {lang: f"SDGs {code}: {name.get(lang, '')}".rstrip(": ") for lang in ("ja", "en")}
