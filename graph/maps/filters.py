"""Filtering a map: the node a reference names, a domain, the neighbourhood of a focus, what lies
upstream of a target, and the paths from one to the other."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from impactkg.errors import ImpactKGError
from impactkg.graph.analysis import system
from impactkg.ontology import nfkc, sdg_iri, search_key

if TYPE_CHECKING:
    from impactkg.graph.maps import MapData, Text


def resolve_node(data: MapData, ref: str) -> str:
    """The id of the node ``ref`` names: its IRI, its id (``population-decline``, ``blended-6``),
    an SDG target code (``8.3``) or its label (Japanese or English). Raises ImpactKGError."""
    ref = nfkc(ref)
    ids = {n["id"] for n in data.nodes}
    if ref in ids:
        return ref
    if re.fullmatch(r"\d{1,2}(\.[0-9a-z]{1,2})?", ref) and sdg_iri(ref) in ids:
        return sdg_iri(ref)
    key = search_key(ref)
    for test in (
        lambda n: search_key(str(n.get("key") or "")) == key,
        lambda n: search_key(re.split(r"[/#]", n["id"])[-1]).endswith("-" + key),
        lambda n: key in (search_key(n["full"]["ja"]), search_key(n["full"]["en"])),
    ):
        found = sorted({n["id"] for n in data.nodes if test(n)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            full = {n["id"]: n["full"]["ja"] for n in data.nodes}
            names = ", ".join(full[i] for i in found[:5])
            raise ImpactKGError(f"{ref!r} names {len(found)} nodes on the {data.kind} map ({names}); use an IRI")
    raise ImpactKGError(f"no node {ref!r} on the {data.kind} map (give an id, label, IRI or SDG target code)")


def _keep(data: MapData, keep: set[str]) -> None:
    data.nodes = [n for n in data.nodes if n["id"] in keep]
    data.edges = [e for e in data.edges if e["from"] in keep and e["to"] in keep]
    data.loops = [x for x in data.loops if set(x["nodes"]) <= keep]
    data.leverage = [x for x in data.leverage if x["node"] in keep]
    used = {n["cls"] for n in data.nodes}
    data.classes = {k: v for k, v in data.classes.items() if k in used}
    rels = {e["rel"] for e in data.edges}
    data.relations = {k: v for k, v in data.relations.items() if k in rels}
    doms = {d for n in data.nodes for d in n["domains"]}
    data.domains = {k: v for k, v in data.domains.items() if k in doms}


def filter_domain(data: MapData, domain: str) -> Text:
    """Keep the nodes of ``domain`` (key, id or label) and the nodes without a domain next to them;
    return the domain's labels."""
    key = search_key(domain)
    match = [k for k, v in data.domains.items()
             if key in (search_key(k), search_key(k.rsplit("/", 1)[-1]), search_key(k.removeprefix("d:")),
                        search_key(v["ja"]), search_key(v["en"]))]
    if not match:  # a unique label that starts with the text: 環境 for 環境 (気候変動・…)
        match = [k for k, v in data.domains.items()
                 if search_key(v["ja"]).startswith(key) or search_key(v["en"]).startswith(key)]
        match = match if len(match) == 1 else []
    if not match:
        known = ", ".join(sorted(v["ja"] for v in data.domains.values())) or "none"
        raise ImpactKGError(f"no domain {domain!r} on the {data.kind} map (domains: {known})")
    core = {n["id"] for n in data.nodes if set(n["domains"]) & set(match)}
    free = {n["id"] for n in data.nodes if not n["domains"]}
    keep = set(core)
    for a, b in data.pairs():
        if a in core and b in free:
            keep.add(b)
        if b in core and a in free:
            keep.add(a)
    label = dict(data.domains[match[0]])
    _keep(data, keep)
    return label


def restrict(data: MapData, focus: str | None = None, depth: int | None = None,
             target: str | None = None) -> None:
    """Keep the ``depth``-step neighbourhood of ``focus`` (default 2), the nodes upstream of
    ``target``, or with both, the paths from ``focus`` to ``target`` (at most ``depth`` steps,
    default 8). The focus and target are highlighted."""
    if depth is not None and depth < 0:
        raise ImpactKGError("--depth must be 0 or more")
    pairs = data.pairs()
    f = resolve_node(data, focus) if focus else None
    t = resolve_node(data, target) if target else None
    if f and t:
        found = system.paths(pairs, f, t, max_length=depth or 8)
        if not found:
            raise ImpactKGError(f"no path from {focus!r} to {target!r} within {depth or 8} steps on the {data.kind} map")
        keep = {n for p in found for n in p}
        data.notes.append({"ja": f"{focus} から {target} への経路 {len(found)} 本",
                           "en": f"{len(found)} paths from {focus} to {target}"})
    elif f:
        keep = system.neighbourhood(pairs, f, 2 if depth is None else depth)
    elif t:
        keep = system.upstream(pairs, t, depth)
    else:
        return
    data.highlight = [x for x in (f, t) if x]
    _keep(data, keep)
