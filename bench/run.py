"""The benchmark harness: ``make bench`` (or ``python -m bench.run``) measures impactkg against
raw pyoxigraph (the practical limit) and rdflib's memory store (the common baseline) on
synthetic impact graphs of 10^4, 10^5 and 10^6 triples, times its maps in headless chromium
against pyvis's defaults, and writes ``bench/results.md`` (and ``results.json``) with the
machine, the date, every figure, the targets and, for a missed target, by how much and why.

``--quick`` runs every section at a tiny size (a smoke run, about 30 seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.contenders import ENGINES
from bench.generate import causal_links, generate
from bench.loads import evaluate_loads, render_loads, run_loads

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

FULL = {
    "sizes": (10_000, 100_000, 1_000_000), "maps": (500, 2_000, 10_000), "factors": (200, 2_000),
    "map_cap": 30.0, "rdflib_cap": 180.0, "rdflib_step_cap": 20.0, "rdflib_export_cap": 40.0,
    "cli_jsonld_cap": 60.0, "budget": {10_000: 1.0, 100_000: 2.0, 1_000_000: 3.0}, "max_reps": 15,
    "build_reps": 3, "csv_rows": 80_000,
}
QUICK = {
    "sizes": (5_000,), "maps": (60, 200), "factors": (50, 200),
    "map_cap": 10.0, "rdflib_cap": 30.0, "rdflib_step_cap": 5.0, "rdflib_export_cap": 10.0,
    "cli_jsonld_cap": 10.0, "budget": {}, "max_reps": 3, "build_reps": 1, "csv_rows": 1_000,
}

#: The targets of the issue, as ratios or seconds.
TARGETS = {
    "build_vs_rdflib": 10.0, "build_vs_pyoxigraph": 1.5, "rss_vs_pyoxigraph": 1.5,
    "query_vs_pyoxigraph": 3.0, "ttl_vs_pyoxigraph": 2.0,
    "map_drawn": {500: 1.0, 2_000: 2.0}, "map_click": {10_000: 5.0}, "map_vs_pyvis": 10.0,
    "leverage_2000": 5.0,
}


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------- machine
def machine() -> dict[str, Any]:
    """nproc, memory, CPU model, OS and the versions that matter."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo", encoding="ascii")
                if line.startswith("MemTotal:")), 0)
    versions = {}
    for pkg in ("impactkg", "pyoxigraph", "rdflib", "oxrdflib", "pyvis", "networkx", "numpy", "playwright"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=False).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
        "memory_gib": round(mem / 1024 / 1024, 1), "cpu": cpu, "os": platform.platform(),
        "python": platform.python_version(), "versions": versions,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
    }


# ---------------------------------------------------------------------- children
def child(args: list[str], timeout: float) -> tuple[list[dict], bool, str]:
    """Run ``python -m bench.contenders ARGS``; its JSON lines, whether it was stopped at
    ``timeout`` seconds, and the tail of its stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("IMPACTKG_STORE", tempfile.mkdtemp(prefix="impactkg-bench-store-"))
    proc = subprocess.Popen([sys.executable, "-m", "bench.contenders", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        stopped = True
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if proc.returncode and not stopped and not rows:
        raise RuntimeError(f"bench.contenders {' '.join(args)} failed: {err.strip()[-800:]}")
    return rows, stopped, err.strip()[-800:]


# ---------------------------------------------------------------------- sections
def run_builds(ds, cfg: dict, prev: dict | None) -> dict[str, Any]:
    """Each engine loads the dataset in its own process; impactkg and pyoxigraph alternate."""
    out: dict[str, Any] = {}
    reps = cfg["build_reps"]
    for _ in range(reps):
        for engine in ("impactkg-nt", "pyoxigraph-nt"):
            rows, _, _ = child(["build", engine, str(ds.root)], 600)
            out.setdefault(engine, []).append(rows[0])
    for engine in ("impactkg-build", "impactkg-nq", "pyoxigraph-nq", "impactkg-tables", "imports"):
        rows, _, _ = child(["build", engine, str(ds.root)], 900)
        out[engine] = [rows[0]]
    summary = {e: _median_row(rs) for e, rs in out.items()}
    # rdflib: load, the reference queries and its serializers, each step capped; a step
    # whose time at the previous size, scaled, would pass its cap is skipped.
    scale = ds.triples / prev["triples"] if prev else 1
    predicted: dict[str, float] = {}
    caps = {"load": cfg["rdflib_cap"], "query": cfg["rdflib_step_cap"], "export": cfg["rdflib_export_cap"]}
    if prev and prev.get("rdflib"):
        p = prev["rdflib"]
        if p.get("load", {}).get("seconds"):
            predicted["load"] = p["load"]["seconds"] * scale
        for name, q in p.get("queries", {}).items():
            if q.get("seconds") or q.get("timeout"):
                predicted[f"query {name}"] = (q.get("seconds") or q.get("timeout")) * scale
            elif q.get("skipped"):
                predicted[f"query {name}"] = p.get("predicted", {}).get(f"query {name}", 0) * scale
        slow_e = [e.get("seconds") or e.get("timeout") or 0 for e in p.get("exports", {}).values()]
        predicted["export"] = max(slow_e, default=0) * scale
    rd: dict[str, Any] = {"caps": caps, "predicted": predicted, "queries": {}, "exports": {}}
    if predicted.get("load", 0) > caps["load"]:
        rd["skipped"] = f"predicted {predicted['load']:.0f} s from the previous size, above the {caps['load']:.0f} s cap"
    else:
        export_cap = 0 if predicted.get("export", 0) > caps["export"] else caps["export"]
        skip = [k.split(" ", 1)[1] for k, v in predicted.items() if k.startswith("query ") and v > caps["query"]]
        rows, stopped, _ = child(["rdflib", str(ds.root), "--cap", str(caps["load"]), "--step-cap", str(caps["query"]),
                                  "--export-cap", str(export_cap), *(x for q in skip for x in ("--skip-query", q))],
                                 caps["load"] + 3 * caps["query"] + 2 * caps["export"] + 120)
        for r in rows:
            if r["step"] == "rdflib-load":
                rd["load"] = r
            elif r["step"] == "rdflib-query":
                rd["queries"][r["name"]] = r
            elif r["step"] == "rdflib-export":
                rd["exports"][r["name"]] = r
        if stopped:
            rd["stopped"] = True
    summary["rdflib"] = rd
    summary["triples"] = ds.triples
    return summary


def _median_row(rows: list[dict]) -> dict:
    row = dict(rows[0])
    for key in ("seconds", "peak_rss_mb", "rss_before_mb", "check_seconds"):
        values = [r[key] for r in rows if key in r]
        if values:
            row[key] = statistics.median(values)
    row["reps"] = len(rows)
    row["all_seconds"] = [r["seconds"] for r in rows]
    return row


def run_queries(ds, cfg: dict) -> dict[str, Any]:
    budget = cfg["budget"].get(ds.manifest["size"], 0.5)
    rows, _, err = child(["queries", str(ds.root), "--budget", str(budget), "--max-reps", str(cfg["max_reps"])], 3600)
    return {
        "cases": [r for r in rows if r["step"] == "query"],
        "reference": [r for r in rows if r["step"] == "reference-query"],
        "evaluator": next((r for r in rows if r["step"] == "evaluator"), {"error": err}),
    }


def run_exports(ds, cfg: dict, work: Path, prev: dict | None) -> dict[str, Any]:
    cap = cfg["cli_jsonld_cap"]
    note = None
    if prev and prev.get("impactkg-cli-jsonld", {}).get("median"):
        predicted = prev["impactkg-cli-jsonld"]["median"] * ds.triples / prev["triples"]
        if predicted > cap:
            note = f"predicted {predicted:.0f} s from the previous size, above the {cap:.0f} s cap"
            cap = 0
    reps = 3 if ds.manifest["size"] <= 1_000_000 else 1
    rows, _, err = child(["exports", str(ds.root), str(work / f"exports-{ds.manifest['size']}"),
                          "--reps", str(reps if cfg["build_reps"] > 1 else 1), "--cap", str(cap)], 3600)
    out: dict[str, Any] = {r["name"]: r for r in rows if r["step"] == "export"}
    out["named_graphs"] = next((r["named_graphs"] for r in rows if r["step"] == "export-graphs"), None)
    out["triples"] = ds.triples
    if note:
        out.setdefault("impactkg-cli-jsonld", {})["skipped_note"] = note
    for f in (work / f"exports-{ds.manifest['size']}").glob("*"):
        f.unlink()
    return out


def run_maps(cfg: dict, work: Path) -> dict[str, Any]:
    from bench.maps import launcher, map_case

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"error": "playwright is not installed (pip install -e '.[test]')"}
    out: dict[str, Any] = {"cases": []}
    with sync_playwright() as p:
        try:
            b = launcher().launch(p)
            out["chromium"] = b.version
            b.close()
        except BaseException as exc:  # tests/browser.py skips (pytest.skip) without a browser
            out["error"] = f"no headless chromium: {' '.join(str(exc).split())[:200]}"
            p = None
        for n in cfg["maps"]:
            out["cases"].append(map_case(n, work / "maps", p, cap=cfg["map_cap"], pyvis=True, log=log, reps=3))
    return out


def run_system(cfg: dict) -> list[dict[str, Any]]:
    """Loop detection and leverage ranking on synthetic causal graphs."""
    from impactkg.graph.analysis.system import EXACT_BETWEENNESS_LIMIT, find_loops, leverage

    out = []
    for n in cfg["factors"]:
        links = causal_links(n, random.Random(n))
        t_loops, t_lev = [], []
        for _ in range(3):
            t = time.perf_counter()
            loops = find_loops(links)
            t_loops.append(time.perf_counter() - t)
            t = time.perf_counter()
            lev = leverage(links, loops)
            t_lev.append(time.perf_counter() - t)
        row = {"factors": n, "links": len(links), "loops": len(loops), "truncated": loops.truncated,
               "find_loops": statistics.median(t_loops), "leverage": statistics.median(t_lev),
               "approximate": lev.approximate, "samples": lev.samples, "exact_limit": EXACT_BETWEENNESS_LIMIT}
        if lev.approximate:
            t = time.perf_counter()
            exact = leverage(links, loops, exact_limit=10**9)
            row["leverage_exact"] = time.perf_counter() - t
            top = {p.node for p in lev.top(10)}
            row["top10_overlap"] = len(top & {p.node for p in exact.top(10)})
        out.append(row)
        log(f"  causal graph {n}: loops {row['find_loops']:.3f} s, leverage {row['leverage']:.3f} s")
    return out


# ---------------------------------------------------------------------- report
def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 0.01:
        return f"{x * 1000:.2f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_x(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def ok(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**MISSED**")


def size_name(n: int) -> str:
    return {10_000: "10^4", 100_000: "10^5", 1_000_000: "10^6"}.get(n, f"{n:,}")


def evaluate(res: dict) -> list[dict[str, Any]]:
    """Each target: the measured value, whether it is met, and for a miss by how much and why."""
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
        worst = max(q["cases"], key=lambda c: c["ratio"])
        why = f"slowest relative: {worst['name']} {json.dumps(worst['params'], ensure_ascii=False)} " \
              f"{fmt_s(worst['impactkg_median'])} against {fmt_s(worst['pyoxigraph_median'])} ({worst['rows']:,} rows)"
        if "impactkg_store_direct_median" in worst:
            why += (f"; the same SPARQL on impactkg's own store takes {fmt_s(worst['impactkg_store_direct_median'])}, "
                    "so the rest is the conversion of the result rows to rdflib terms")
        out.append({"target": f"every named query {where}: within 3× of the same SPARQL on pyoxigraph",
                    "value": f"worst {fmt_x(worst['ratio'])} ({len(q['cases'])} runs of {len({c['name'] for c in q['cases']})} queries)",
                    "met": worst["ratio"] <= TARGETS["query_vs_pyoxigraph"], "why": why})
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
                    "why": f"{fmt_s(e['impactkg-ttl']['median'])} against {fmt_s(e['pyoxigraph-ttl']['median'])}; "
                           f"the same triples spread over {e.get('named_graphs')} named graphs (one per member's "
                           f"table) take {fmt_s(multi.get('median'))}: the union is deduplicated in Python when "
                           "no graph holds most of the triples"})
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
    for row in res.get("system", []):
        if row["factors"] == 2_000:
            out.append({"target": "leverage ranking on 2,000 factors within 5 s", "value": fmt_s(row["leverage"]),
                        "met": row["leverage"] <= TARGETS["leverage_2000"],
                        "why": f"approximate betweenness from {row['samples']} sampled sources (above "
                               f"{row['exact_limit']:,} factors); exact: {fmt_s(row.get('leverage_exact'))}, "
                               f"top-10 overlap {row.get('top10_overlap')}/10"})
    return out + evaluate_loads(res, quick=False)


def _map_why(case: dict) -> str:
    ours = case.get("impactkg") or {}
    how = "layout precomputed in Python, physics off" if not case["physics"] else \
        "vis-network physics must settle before the first drawing"
    return (f"{case['nodes']:,} nodes, {case['edges']:,} links; {how}; page {case['html_bytes'] / 1e6:.1f} MB; "
            f"reps {ours.get('reps', 1)}" + (f"; {ours['error']}" if ours.get("error") else ""))


def render(res: dict) -> str:
    """results.md."""
    m = res["machine"]
    lines = [
        "# impactkg benchmarks",
        "",
        f"Run {m['date']} with `{res['command']}`" + (" (**quick smoke run: tiny sizes, not the targets' sizes**)" if res["quick"] else "") + f", in {res['seconds'] / 60:.1f} minutes.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['nproc']} cores (nproc); memory {m['memory_gib']} GiB",
        f"- OS: {m['os']}; Python {m['python']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- headless chromium: {res.get('maps', {}).get('chromium', 'not available')} (Debian's, software rendering, via playwright)",
        f"- impactkg commit {m['commit'] or 'unknown'}",
        "",
        "## Targets",
        "",
        "| target | measured | result | detail |",
        "| --- | --- | --- | --- |",
    ]
    for t in res["targets"]:
        lines.append(f"| {t['target']} | {t['value']} | {ok(t['met'])} | {t['why']} |")
    misses = [t for t in res["targets"] if t["met"] is False]
    lines += ["", f"{len(res['targets']) - len(misses)} of {len(res['targets'])} targets met."
              + (" Every miss is listed above with its measured cause." if misses else ""), ""]

    lines += ["## Datasets", "", "| size | triples | quads (named graphs kept) | members | indicators | values | finance cases | factors | causal links | generated in |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size, man in res["datasets"].items():
        lines.append(f"| {size_name(int(size))} | {man['triples']:,} | {man['quads']:,} | {man['members']} | {man['indicators']:,} | {man['values']:,} | {man['cases']:,} | {man['factors']:,} | {man['links']:,} | {man['seconds']['total']:.1f} s |")
    lines += ["", "Each member has its own tables (organisations, people, roles, catalogue, values, finance cases, "
              "case map, system map); `graph.nt` is what impactkg's loaders make of them, the same triples every "
              "contender loads.", ""]

    lines += ["## Build", "",
              "Each contender loads the same N-Triples file in a process of its own; peak RSS is that process's "
              "`VmHWM`. Ratios: impactkg / pyoxigraph (the practical limit) and rdflib / impactkg (the baseline's "
              "time over ours).", "",
              "| size | contender | time | triples/s | peak RSS | impactkg / pyoxigraph | rdflib / impactkg |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    names = {
        "impactkg-nt": "impactkg: `KnowledgeGraph.load(graph.nt)`",
        "pyoxigraph-nt": "pyoxigraph: `Store.bulk_load(graph.nt)`",
        "rdflib": "rdflib: `Graph().parse(graph.nt)` (memory store)",
        "impactkg-build": "impactkg: `build(graph.nt)` (+ ontology and embedded dataset)",
        "impactkg-nq": "impactkg: `load(graph.nq)` (members' named graphs)",
        "pyoxigraph-nq": "pyoxigraph: `bulk_load(graph.nq)`",
        "impactkg-tables": "impactkg: the members' CSV tables through its loaders",
    }
    for size, b in res["builds"].items():
        base = b["impactkg-nt"]["seconds"]
        for key in ("impactkg-nt", "pyoxigraph-nt", "rdflib", "impactkg-build", "impactkg-nq", "pyoxigraph-nq", "impactkg-tables"):
            if key == "rdflib":
                rd = b["rdflib"]
                load = rd.get("load", {})
                if load.get("seconds"):
                    sec, rss = load["seconds"], load["peak_rss_mb"]
                    lines.append(f"| {size_name(int(size))} | {names[key]} | {fmt_s(sec)} | {b['triples'] / sec:,.0f} | {rss:.0f} MiB | | {fmt_x(sec / base)} |")
                else:
                    why = rd.get("skipped") or (f"stopped at the {rd['caps']['load']:.0f} s cap" if load.get("timeout") else "not run")
                    lines.append(f"| {size_name(int(size))} | {names[key]} | skipped: {why} | | | | |")
                continue
            r = b.get(key)
            if not r:
                continue
            ratio = fmt_x(r["seconds"] / b["pyoxigraph-nt"]["seconds"]) if key.startswith("impactkg") else ""
            reps = f" (median of {r['reps']})" if r["reps"] > 1 else ""
            lines.append(f"| {size_name(int(size))} | {names[key]} | {fmt_s(r['seconds'])}{reps} | {b['triples'] / r['seconds']:,.0f} | {r['peak_rss_mb']:.0f} MiB | {ratio} | |")
    imports = next(iter(res["builds"].values())).get("imports", {}).get("seconds")
    lines += ["", f"impactkg's times include the imports its first load makes (its loaders, networkx): {fmt_s(imports)}, "
              "which is most of its time at 10^4 triples.", "",
              "impactkg lets the store parse an RDF file into the file's named graph in one transaction "
              "(`Store.load`): a file with an error changes nothing. When a load has several files (or tables "
              "that refer to an RDF file's records), each RDF file is first checked with pyoxigraph's parser, "
              "nothing kept, so that every problem is reported before anything is written. Before this "
              "benchmark impactkg parsed every triple into Python `Quad` objects and inserted them with "
              "`Store.extend` (5.7 s and 1,151 MiB at 10^6 triples).", ""]

    lines += ["## Queries", "",
              "Every named query, on impactkg (`kg.query(name, **params)`: parameters bound in the engine, rows "
              "converted to rdflib terms) and the same SPARQL text directly on pyoxigraph "
              "(`Store.query` on the bulk-loaded file, every value of every row read), runs interleaved. Each "
              "query runs with its required parameters and once more filtered by its first optional parameter. "
              "Path: the query uses a property path (`a/b`, `a|b`, `a+`, ...).", ""]
    for size, q in res["queries"].items():
        lines += [f"### {size_name(int(size))} triples", "",
                  "| query | parameters | path | rows | impactkg median | impactkg p95 | pyoxigraph median | pyoxigraph p95 | impactkg / pyoxigraph | runs |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for c in q["cases"]:
            params = ", ".join(f"{k}={v}" for k, v in c["params"].items()) or "—"
            lines.append(f"| {c['name']} | {params} | {'yes' if c['property_path'] else ''} | {c['rows']:,} | {fmt_s(c['impactkg_median'])} | {fmt_s(c['impactkg_p95'])} | {fmt_s(c['pyoxigraph_median'])} | {fmt_s(c['pyoxigraph_p95'])} | {fmt_x(c['ratio'])} | {c['reps']} |")
        ev = q["evaluator"]
        lines += ["", f"Evaluator check: the graph's back end is `{ev.get('backend_class')}`; the named queries made "
                  f"{ev.get('pyoxigraph_queries')} calls to pyoxigraph's `Store.query` (counted by a proxy around the "
                  f"store) and {ev.get('rdflib_evaluations')} to rdflib's SPARQL evaluator (`evalQuery`, counted by a "
                  f"probe that counted {ev.get('rdflib_probe_control')} for its control query on an rdflib graph).", ""]
    lines += ["### The issue's reference queries", "",
              "| size | query | rows | impactkg | pyoxigraph | rdflib memory store | rdflib / impactkg |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for size, q in res["queries"].items():
        rd = (res["builds"].get(size) or {}).get("rdflib", {})
        for r in q["reference"]:
            x = rd.get("queries", {}).get(r["name"], {})
            if x.get("seconds") is not None:
                rtext, rat = fmt_s(x["seconds"]), fmt_x(x["seconds"] / r["impactkg_median"])
                if x.get("rows") != r["rows"]:
                    rtext += f" ({x.get('rows')} rows)"
            elif x.get("timeout"):
                rtext, rat = f"> {x['timeout']:.0f} s (stopped)", f"> {fmt_x(x['timeout'] / r['impactkg_median'])}"
            elif x.get("skipped"):
                guess = rd.get("predicted", {}).get(f"query {r['name']}")
                rtext = f"skipped: about {guess:.0f} s predicted from the previous size (cap {rd['caps']['query']:.0f} s)" if guess else "skipped"
                rat = f"≈ {fmt_x(guess / r['impactkg_median'])}" if guess else ""
            else:
                rtext, rat = "skipped" + (" (rdflib's load was skipped)" if rd.get("skipped") else ""), ""
            lines.append(f"| {size_name(int(size))} | {r['name']} | {r['rows']:,} | {fmt_s(r['impactkg_median'])} | {fmt_s(r['pyoxigraph_median'])} | {rtext} | {rat} |")
    lines.append("")

    lines += ["## Export", "",
              "impactkg's `kg.export` (the graph loaded from `graph.nt`) against pyoxigraph's serializer on the same "
              "triples (`Store.dump` of the bulk-loaded store, with the same prefixes), and rdflib's serializers.", "",
              "| size | format | impactkg | pyoxigraph | impactkg / pyoxigraph | rdflib | rdflib / impactkg | size of file |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size, e in res["exports"].items():
        rd = (res["builds"].get(size) or {}).get("rdflib", {}).get("exports", {})
        for fmt, rname in (("ttl", "turtle"), ("jsonld", "json-ld")):
            ours, ox_ = e.get(f"impactkg-{fmt}", {}), e.get(f"pyoxigraph-{fmt}", {})
            x = rd.get(rname, {})
            if x.get("seconds"):
                rtext, rat = fmt_s(x["seconds"]), fmt_x(x["seconds"] / ours["median"])
            elif x.get("timeout"):
                rtext, rat = f"> {x['timeout']:.0f} s (stopped)", f"> {fmt_x(x['timeout'] / ours['median'])}"
            else:
                rtext, rat = "skipped", ""
            lines.append(f"| {size_name(int(size))} | {'Turtle' if fmt == 'ttl' else 'JSON-LD'} | {fmt_s(ours.get('median'))} | {fmt_s(ox_.get('median'))} | {fmt_x(ours['median'] / ox_['median']) if ours and ox_ else '—'} | {rtext} | {rat} | {ours.get('bytes', 0) / 1e6:.1f} MB |")
        multi, cli = e.get("impactkg-ttl-named-graphs", {}), e.get("impactkg-cli-jsonld", {})
        lines.append(f"| {size_name(int(size))} | Turtle, from {e.get('named_graphs')} named graphs (`load(graph.nq)`) | {fmt_s(multi.get('median'))} | | | | | |")
        cli_t = fmt_s(cli["median"]) if cli.get("median") else (f"> {cli['timeout']:.0f} s (stopped)" if cli.get("timeout") else f"skipped: {cli.get('skipped_note', 'cap')}")
        lines.append(f"| {size_name(int(size))} | JSON-LD compacted with the shipped context (`impactkg export -o x.jsonld`, rdflib) | {cli_t} | | | | | |")
    lines += ["", "`kg.export(path, 'jsonld')` is pyoxigraph's streaming JSON-LD writer (expanded form, named graphs "
              "kept); `impactkg export -o FILE.jsonld` compacts with `ontology/context.jsonld` through rdflib.", ""]

    lines += render_loads(res)

    maps = res.get("maps", {})
    lines += ["## Maps", ""]
    if maps.get("error"):
        lines += [f"Not measured: {maps['error']}.", ""]
    lines += ["`impactkg map system` on a store holding a system map of N factors (the causal-graph generator "
              "below): generation time of the command, HTML size, and in headless chromium the time from navigation "
              "start until the map is drawn with all its nodes and until it answers a mouse click on a node. "
              "pyvis's defaults on the same nodes and links: `Network()` with `cdn_resources=\"in_line\"` — its "
              "default page loads vis-network and bootstrap from CDNs, which cannot be reached here, so the baseline "
              "inlines the same vis-network 9.1.2 build from the pyvis package (impactkg inlines it too) and keeps "
              "pyvis's default options (physics on, stabilisation of 1,000 iterations); the two bootstrap requests are "
              "aborted (the graph does not use them). A page that has not drawn or answered within the cap is stopped.", "",
              "| nodes | links | loops | `impactkg map` | build_map (layout; loops and leverage) | HTML | impactkg drawn | impactkg click answered | pyvis drawn | pyvis click answered | pyvis HTML | pyvis / impactkg (drawn) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in maps.get("cases", []):
        ours, py = c.get("impactkg") or {}, c.get("pyvis") or {}

        def t(d: dict, key: str, cap: float = c["cap"]) -> str:
            if d.get(key) is not None:
                return fmt_s(d[key])
            return f"> {cap:.0f} s (stopped)" if d else "—"

        if py.get("drawn") and ours.get("drawn"):
            ratio = fmt_x(py["drawn"] / ours["drawn"])
        elif ours.get("drawn") and py:
            ratio = f"> {fmt_x(c['cap'] / ours['drawn'])}"
        else:
            ratio = "—"
        lines.append(f"| {c['nodes']:,} | {c['edges']:,} | {c['loops']:,} | {fmt_s(c['generate'])} | {fmt_s(c['build_map'])} ({fmt_s(c.get('layout'))}; {fmt_s(c.get('loops_and_leverage'))}) | {c['html_bytes'] / 1e6:.1f} MB | {t(ours, 'drawn')} | {t(ours, 'clicked')} | {t(py, 'drawn')} | {t(py, 'clicked')} | {c.get('pyvis_bytes', 0) / 1e6:.1f} MB | {ratio} |")
    lines += ["", "impactkg's times are the median of 3 page loads, each in a fresh browser; pyvis's are one load. "
              "Up to 150 nodes impactkg's page lets vis-network's physics settle (about 1 s at 100 nodes); above, "
              "the layout is computed in Python and physics is off.", ""]

    lines += ["## Loops and leverage", "",
              "Causal graphs of clusters of about 10 factors (a ring with chords, so every cluster has loops) with "
              "sparse links between clusters; `find_loops` enumerates simple cycles up to length 8, `leverage` ranks "
              "factors by betweenness, degree and loops (median of 3).", "",
              "| factors | links | loops | find_loops | leverage | betweenness | exact betweenness | top-10 overlap |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in res.get("system", []):
        how = f"approximate, {r['samples']} sampled sources" if r["approximate"] else "exact"
        lines.append(f"| {r['factors']:,} | {r['links']:,} | {r['loops']:,}{' (truncated)' if r['truncated'] else ''} | {fmt_s(r['find_loops'])} | {fmt_s(r['leverage'])} | {how} | {fmt_s(r.get('leverage_exact'))} | {r.get('top10_overlap', '—')}{'/10' if 'top10_overlap' in r else ''} |")
    lines += ["", "## Findings beyond the targets", ""] + [f"- {x}" for x in res.get("findings", [])] + [""]
    lines += ["Time per section: " + ", ".join(f"{k} {v:.0f} s" for k, v in res.get("section_seconds", {}).items()) + ".", ""]
    lines += ["## How to run", "", "`make bench` (about 11 minutes here; generated data is cached in "
              "`bench/data/`), or `python -m bench.run --quick` for a smoke run. See `bench/README.md`.", ""]
    return "\n".join(lines)


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


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of every section")
    p.add_argument("--sizes", help="comma-separated sizes in triples (default 10000,100000,1000000)")
    p.add_argument("--out", type=Path, default=HERE / "results.md", help="the report (default bench/results.md)")
    p.add_argument("--work", type=Path, default=HERE / "data", help="generated data (default bench/data)")
    p.add_argument("--no-maps", action="store_true", help="skip the browser section")
    p.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                   help="only write the report (--out) again from the figures of an earlier run")
    a = p.parse_args(argv)
    if a.render:
        res = json.loads(a.render.read_text(encoding="utf-8"))
        res["targets"] = evaluate(res)
        if res["quick"]:
            for t in res["targets"]:
                t["met"], t["why"] = None, "quick run, not the target's size; " + t["why"]
        res["findings"] = findings(res)
        a.out.write_text(render(res), encoding="utf-8")
        log(f"wrote {a.out} from {a.render}")
        return 0
    cfg = dict(QUICK if a.quick else FULL)
    if a.sizes:
        cfg["sizes"] = tuple(int(x) for x in a.sizes.split(","))
    started = time.perf_counter()
    res: dict[str, Any] = {
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "quick": a.quick, "config": {"sizes": list(cfg["sizes"])}, "machine": machine(),
        "datasets": {}, "builds": {}, "queries": {}, "exports": {},
    }
    a.work.mkdir(parents=True, exist_ok=True)
    prev_build = prev_export = None
    clock = {"t": time.perf_counter()}
    res["section_seconds"] = {}

    def lap(name: str) -> None:
        now = time.perf_counter()
        res["section_seconds"][name] = round(now - clock["t"], 1)
        clock["t"] = now

    for size in cfg["sizes"]:
        log(f"== {size_name(size)} triples")
        ds = generate(size, a.work / f"graph-{size}", log=log)
        res["datasets"][size] = ds.manifest
        lap(f"generate {size}")
        res["builds"][size] = prev_build = run_builds(ds, cfg, prev_build)
        lap(f"build {size}")
        b = prev_build
        log(f"  build: impactkg {fmt_s(b['impactkg-nt']['seconds'])}, pyoxigraph {fmt_s(b['pyoxigraph-nt']['seconds'])}, "
            f"rdflib {fmt_s(b['rdflib'].get('load', {}).get('seconds'))}")
        res["queries"][size] = run_queries(ds, cfg)
        lap(f"queries {size}")
        worst = max((c["ratio"] for c in res["queries"][size]["cases"]), default=None)
        log(f"  queries: {len(res['queries'][size]['cases'])} runs, worst impactkg / pyoxigraph {fmt_x(worst)}")
        res["exports"][size] = prev_export = run_exports(ds, cfg, a.work, prev_export)
        lap(f"exports {size}")
        e = prev_export
        log(f"  export Turtle: impactkg {fmt_s(e['impactkg-ttl']['median'])}, pyoxigraph {fmt_s(e['pyoxigraph-ttl']['median'])}")
    log("== loads on disk")
    res["loads"] = run_loads(ds.nt, a.work, cfg["csv_rows"], cfg["build_reps"], log)
    lap("loads on disk")
    if not a.no_maps:
        log("== maps")
        res["maps"] = run_maps(cfg, a.work)
        lap("maps")
    log("== loops and leverage")
    res["system"] = run_system(cfg)
    lap("loops and leverage")
    res["seconds"] = time.perf_counter() - started
    res["targets"] = evaluate(res)
    if a.quick:  # tiny sizes say nothing about the targets: shown, not judged
        for t in res["targets"]:
            t["met"], t["why"] = None, "quick run, not the target's size; " + t["why"]
    res["findings"] = findings(res)
    a.out.write_text(render(res), encoding="utf-8")
    a.out.with_suffix(".json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    log("")
    for t in res["targets"]:
        log(f"{ok(t['met']):>12}  {t['target']}: {t['value']}")
    log(f"wrote {a.out} in {res['seconds'] / 60:.1f} minutes")
    return 0


__all__ = ["ENGINES", "main"]

if __name__ == "__main__":
    sys.exit(main())
