"""The targets of the benchmark (issue 8's and issue 16's): for each, the measured value, whether
it is met, and for a miss by how much and why; and the findings no target covers."""

from __future__ import annotations

import json
from typing import Any

from bench.common import fmt_s, fmt_x, size_name
from bench.loads import evaluate_loads
from bench.targets16 import issue16

#: The targets, as ratios or seconds.
TARGETS = {
    "build_vs_rdflib": 10.0, "build_vs_pyoxigraph": 1.5, "rss_vs_pyoxigraph": 1.5,
    "query_vs_pyoxigraph": 3.0, "ttl_vs_pyoxigraph": 2.0,
    "map_drawn": {500: 1.0, 2_000: 2.0}, "map_click": {10_000: 5.0}, "map_vs_pyvis": 10.0,
    "leverage_2000": 5.0,
}


def evaluate(res: dict) -> list[dict[str, Any]]:
    """Every target of the run."""
    return issue8(res) + issue16(res) + evaluate_loads(res, quick=False)


def issue8(res: dict) -> list[dict[str, Any]]:
    """The targets of issue 8 (build, queries, Turtle export, maps, leverage)."""
    out: list[dict[str, Any]] = []
    sizes = res["config"]["sizes"]
    big = max(sizes)
    b = res["builds"].get(str(big)) or res["builds"].get(big)
    q = res["queries"].get(str(big)) or res["queries"].get(big)
    e = res["exports"].get(str(big)) or res["exports"].get(big)
    where = f"at {size_name(big)} triples ({b['triples']:,})" if b else ""
    if b:
        ours, ox_ = b["impactkg-nt"], b["pyoxigraph-nt"]
        rd = b["rdflib"].get("load", {})
        if rd.get("seconds"):
            r = rd["seconds"] / ours["seconds"]
            limit = rd["seconds"] / ox_["seconds"]
            why = f"rdflib {fmt_s(rd['seconds'])} against impactkg {fmt_s(ours['seconds'])}"
            if r < TARGETS["build_vs_rdflib"]:
                short = 100 * (1 - r / TARGETS["build_vs_rdflib"])
                why += (f"; missed by {short:.1f} %. impactkg's load is pyoxigraph's own transactional parser "
                        "(`Store.load`) plus one count of the store for its load summary, "
                        f"{fmt_x(ours['seconds'] / ox_['seconds'])} pyoxigraph's bulk_load, and pyoxigraph's "
                        f"bulk_load is itself only {fmt_x(limit)} faster than rdflib on this machine: the target "
                        "sits at the engine's own ratio, within run-to-run variation of a few per cent")
            out.append({"target": f"build {where}: ≥ 10× faster than rdflib's memory store", "value": fmt_x(r),
                        "met": r >= TARGETS["build_vs_rdflib"], "why": why})
        else:
            cap = b["rdflib"]["caps"]["load"]
            reason = b["rdflib"].get("skipped") or (f"rdflib did not finish within its {cap:.0f} s cap" if rd.get("timeout") else "not run")
            lower = cap / ours["seconds"] if (rd.get("timeout") or b["rdflib"].get("skipped")) else None
            out.append({"target": f"build {where}: ≥ 10× faster than rdflib's memory store",
                        "value": f"> {fmt_x(lower)}" if lower else "—",
                        "met": (lower >= TARGETS["build_vs_rdflib"]) if lower else None, "why": reason})
        r = ours["seconds"] / ox_["seconds"]
        why = (f"impactkg {fmt_s(ours['seconds'])} against pyoxigraph's bulk_load {fmt_s(ox_['seconds'])}; impactkg "
               "gives the file to pyoxigraph's transactional `Store.load` (a file with an error changes nothing) "
               "and counts the store once for its load summary; a load of several files first checks each with "
               f"pyoxigraph's parser, which would add {fmt_s(ours.get('check_seconds'))} here")
        out.append({"target": f"build {where}: within 1.5× of raw pyoxigraph bulk load", "value": fmt_x(r),
                    "met": r <= TARGETS["build_vs_pyoxigraph"], "why": why})
        r = ours["peak_rss_mb"] / ox_["peak_rss_mb"]
        out.append({"target": f"build {where}: peak RSS within 1.5× of pyoxigraph's", "value": fmt_x(r),
                    "met": r <= TARGETS["rss_vs_pyoxigraph"],
                    "why": f"{ours['peak_rss_mb']:.0f} MiB against {ox_['peak_rss_mb']:.0f} MiB; impactkg's "
                           f"process holds {ours['rss_before_mb']:.0f} MiB before loading (rdflib, networkx, "
                           f"numpy imported), pyoxigraph's {ox_['rss_before_mb']:.0f} MiB"})
    if q and q["cases"]:
        worst = max(q["cases"], key=lambda c: c["ratio_same"])
        why = f"slowest relative: {worst['name']} {json.dumps(worst['params'], ensure_ascii=False)} " \
              f"{fmt_s(worst['impactkg_median'])} against {fmt_s(worst['pyoxigraph_median'])} ({worst['rows']:,} rows)"
        out.append({"target": f"every named query {where}: within 3× of the same SPARQL on pyoxigraph",
                    "value": f"worst {fmt_x(worst['ratio_same'])} ({len(q['cases'])} runs of {len({c['name'] for c in q['cases']})} queries)",
                    "met": worst["ratio_same"] <= TARGETS["query_vs_pyoxigraph"], "why": why})
        ev = q["evaluator"]
        paths = [c for c in q["cases"] if c["property_path"]]
        fallback = sum(c["rdflib_evaluations"] for c in q["cases"])
        out.append({"target": "no property-path query falls back to rdflib's evaluator",
                    "value": f"{fallback} rdflib evaluations in {len(paths)} property-path runs",
                    "met": fallback == 0 and ev.get("rdflib_probe_control") == 1 and ev.get("backend") == "oxigraph",
                    "why": f"back end {ev.get('backend_class')}; every run went to pyoxigraph's Store.query "
                           f"({ev.get('pyoxigraph_queries')} calls counted); the rdflib probe counted its control query "
                           f"({ev.get('rdflib_probe_control')})"})
    if e and e.get("impactkg-ttl") and e.get("pyoxigraph-ttl"):
        r = e["impactkg-ttl"]["median"] / e["pyoxigraph-ttl"]["median"]
        multi = e.get("impactkg-ttl-named-graphs", {})
        out.append({"target": f"Turtle export {where}: within 2× of pyoxigraph's serializer", "value": fmt_x(r),
                    "met": r <= TARGETS["ttl_vs_pyoxigraph"],
                    "why": f"{fmt_s(e['impactkg-ttl']['median'])} against {fmt_s(e['pyoxigraph-ttl']['median'])} "
                           f"(the same triples spread over {e.get('named_graphs')} named graphs: "
                           f"{fmt_s(multi.get('median'))}, below)"})
    maps = res.get("maps", {})
    for case in maps.get("cases", []):
        n = case["requested"]
        ours = case.get("impactkg") or {}
        py = case.get("pyvis") or {}
        if n in TARGETS["map_drawn"]:
            limit = TARGETS["map_drawn"][n]
            v = ours.get("drawn")
            out.append({"target": f"{n:,}-node map drawn within {limit:.0f} s in headless chromium",
                        "value": fmt_s(v), "met": v is not None and v <= limit, "why": _map_why(case)})
        if n in TARGETS["map_click"]:
            limit = TARGETS["map_click"][n]
            v = ours.get("clicked")
            out.append({"target": f"{n:,}-node map drawn and answering a click within {limit:.0f} s",
                        "value": f"drawn {fmt_s(ours.get('drawn'))}, click answered {fmt_s(v)}",
                        "met": v is not None and v <= limit, "why": _map_why(case)})
        if ours.get("drawn") and py:
            if py.get("drawn"):
                r, shown = py["drawn"] / ours["drawn"], fmt_x(py["drawn"] / ours["drawn"])
            else:
                r = case["cap"] / ours["drawn"]
                shown = f"> {fmt_x(r)} (pyvis drew nothing within the {case['cap']:.0f} s cap)"
            out.append({"target": f"{n:,}-node map: ≥ 10× faster than pyvis's defaults", "value": shown,
                        "met": r >= TARGETS["map_vs_pyvis"],
                        "why": f"pyvis drawn {fmt_s(py.get('drawn'))}, impactkg {fmt_s(ours['drawn'])}"})
    for t in res.get("serve", {}).get("targets", []):  # the endpoint against oxigraph serve (bench/serve.py)
        out.append({k: t[k] for k in ("target", "value", "met", "why")})
    for row in res.get("system", []):
        if row["factors"] == 2_000:
            out.append({"target": "leverage ranking on 2,000 factors within 5 s", "value": fmt_s(row["leverage"]),
                        "met": row["leverage"] <= TARGETS["leverage_2000"],
                        "why": f"approximate betweenness from {row['samples']} sampled sources (above "
                               f"{row['exact_limit']:,} factors); exact: {fmt_s(row.get('leverage_exact'))}, "
                               f"top-10 overlap {row.get('top10_overlap')}/10"})
    return out


def _map_why(case: dict) -> str:
    ours = case.get("impactkg") or {}
    how = "layout precomputed in Python, physics off" if not case["physics"] else \
        "vis-network physics must settle before the first drawing"
    return (f"{case['nodes']:,} nodes, {case['edges']:,} links; {how}; page {case['html_bytes'] / 1e6:.1f} MB; "
            f"reps {ours.get('reps', 1)}" + (f"; {ours['error']}" if ours.get("error") else ""))


def findings(res: dict) -> list[str]:
    """Measured facts worth knowing that no target covers."""
    out = []
    for size, q in res["queries"].items():
        slow = [c for c in q["cases"] if c["pyoxigraph_median"] > 1.0]
        for c in slow:
            params = ", ".join(f"{k}={v}" for k, v in c["params"].items())
            own = c.get("impactkg_store_direct_median")
            out.append(f"At {size_name(int(size))} triples `{c['name']}`{f' ({params})' if params else ''} takes "
                       f"{fmt_s(c['impactkg_median'])} for {c['rows']:,} rows, and {fmt_s(c['pyoxigraph_median'])} "
                       "on pyoxigraph itself" + (f" ({fmt_s(own)} on impactkg's own store)" if own else "")
                       + f" — {c['reps']} run{'s' if c['reps'] > 1 else ''}: most of the time is the engine's.")
    for c in res.get("maps", {}).get("cases", []):
        if c["generate"] > 5:
            out.append(f"`impactkg map system` at {c['nodes']:,} nodes takes {fmt_s(c['generate'])}: in process, "
                       f"build_map {fmt_s(c['build_map'])} of which the Python spring layout {fmt_s(c.get('layout'))} "
                       f"and loops with leverage {fmt_s(c.get('loops_and_leverage'))} (see bench/README.md). "
                       f"Loading its {c['edges']:,}-link connections table took {fmt_s(c.get('store_load'))}.")
    return out


