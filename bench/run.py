"""The benchmark harness: ``make bench`` (or ``python -m bench.run``) measures impactkg against
raw pyoxigraph (the practical limit) and rdflib's memory store (the common baseline) on
synthetic impact graphs of 10^4, 10^5 and 10^6 triples, each named query against its limit
(``bench/limits``), times its maps in headless chromium against pyvis's defaults, and measures
the start-up of the command line, the growth of the system-map work, SHACL validation and
reasoning; it writes ``bench/results.md`` (and ``results.json``) with the machine, the date,
every figure, the targets and, for a missed target, by how much and why.

``--quick`` runs every section at a tiny size (a smoke run, about a minute).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import HERE, child, fmt_s, fmt_x, log, machine, ok, size_name
from bench.contenders import ENGINES
from bench.generate import causal_links, generate
from bench.loads import run_loads
from bench.report import render
from bench.targets import evaluate, findings

FULL = {
    "sizes": (10_000, 100_000, 1_000_000), "maps": (500, 2_000, 10_000), "factors": (200, 2_000),
    "serve": {"size": 100_000, "levels": (1, 8, 32), "seconds": 10.0},
    "map_cap": 30.0, "rdflib_cap": 180.0, "rdflib_step_cap": 20.0, "rdflib_export_cap": 40.0,
    "cli_jsonld_cap": 60.0, "budget": {10_000: 1.0, 100_000: 2.0, 1_000_000: 3.0}, "max_reps": 15,
    "build_reps": 3, "csv_rows": 80_000, "startup_reps": 15, "scaling_links": (1_000, 5_000, 13_000),
    "scaling_factors": (2_000, 10_000), "scaling_reps": 3, "shacl_max": 100_000, "pyshacl_cap": 120.0,
    # Loads of each map page (the median is reported): one drawing of a 2,000-node map varies by
    # ±15 % between loads on this machine, more right after the 10^6-triple sections.
    "map_reps": 9,
}
QUICK = {
    "sizes": (5_000,), "maps": (60, 200), "factors": (50, 200),
    "serve": {"size": 5_000, "levels": (1, 4), "seconds": 1.0},
    "map_cap": 10.0, "rdflib_cap": 30.0, "rdflib_step_cap": 5.0, "rdflib_export_cap": 10.0,
    "cli_jsonld_cap": 10.0, "budget": {}, "max_reps": 3, "build_reps": 1, "csv_rows": 1_000, "startup_reps": 3,
    "scaling_links": (200, 500), "scaling_factors": (100, 300), "scaling_reps": 1, "shacl_max": 100_000,
    "pyshacl_cap": 30.0, "map_reps": 3,
}


def contender(args: list[str], timeout: float) -> tuple[list[dict], bool, str]:
    """``python -m bench.contenders ARGS`` in a process of its own (see :func:`bench.common.child`)."""
    return child("bench.contenders", args, timeout)

# ---------------------------------------------------------------------- sections
def run_builds(ds, cfg: dict, prev: dict | None) -> dict[str, Any]:
    """Each engine loads the dataset in its own process; impactkg and pyoxigraph alternate."""
    out: dict[str, Any] = {}
    reps = cfg["build_reps"]
    for _ in range(reps):
        for engine in ("impactkg-nt", "pyoxigraph-nt"):
            rows, _, _ = contender(["build", engine, str(ds.root)], 600)
            out.setdefault(engine, []).append(rows[0])
    for engine in ("impactkg-build", "impactkg-nq", "pyoxigraph-nq", "impactkg-tables", "imports"):
        rows, _, _ = contender(["build", engine, str(ds.root)], 900)
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
        rows, stopped, _ = contender(["rdflib", str(ds.root), "--cap", str(caps["load"]), "--step-cap", str(caps["query"]),
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
    rows, _, err = child("bench.queries", [str(ds.root), "--budget", str(budget), "--max-reps", str(cfg["max_reps"])], 3600)
    return {
        "cases": [r for r in rows if r["step"] == "query"],
        "reference": [r for r in rows if r["step"] == "reference-query"],
        "results_cost": next((r for r in rows if r["step"] == "results-cost"), None),
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
    rows, _, err = contender(["exports", str(ds.root), str(work / f"exports-{ds.manifest['size']}"),
                          "--reps", str(reps if cfg["build_reps"] > 1 else 1), "--cap", str(cap)], 3600)
    out: dict[str, Any] = {r["name"]: r for r in rows if r["step"] == "export"}
    graphs_row = next((r for r in rows if r["step"] == "export-graphs"), {})
    out["named_graphs"] = graphs_row.get("named_graphs")
    out["same_triples"] = graphs_row.get("same_triples")  # the union written once: the same triples, each once
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
            out["cases"].append(map_case(n, work / "maps", p, cap=cfg["map_cap"], pyvis=True, log=log, reps=cfg["map_reps"]))
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



def run_startup(cfg: dict, work: Path) -> list[dict[str, Any]]:
    """The CPU time of the quick commands (:mod:`bench.startup`)."""
    rows, _, err = child("bench.startup", [str(work / "startup"), "--reps", str(cfg["startup_reps"])], 1800)
    if not rows:
        raise RuntimeError(f"bench.startup gave no figure: {err}")
    return rows


def run_scaling(cfg: dict, work: Path) -> dict[str, Any]:
    """Loading, loops, leverage and map building at several sizes (:mod:`bench.scaling`)."""
    rows, stopped, err = child("bench.scaling", [
        str(work / "scaling"), "--links", ",".join(map(str, cfg["scaling_links"])),
        "--factors", ",".join(map(str, cfg["scaling_factors"])), "--reps", str(cfg["scaling_reps"])], 3600)
    out: dict[str, Any] = {"links": [r for r in rows if r["step"] == "scaling-links"],
                           "maps": [r for r in rows if r["step"] == "scaling-map"]}
    if stopped:
        out["stopped"] = err
    return out


def run_checks(cfg: dict, datasets: dict[int, Path]) -> dict[str, Any]:
    """SHACL validation of each dataset up to ``shacl_max`` triples, and reasoning on the
    embedded store (:mod:`bench.checks`)."""
    out: dict[str, Any] = {"shacl": []}
    for size, root in sorted(datasets.items()):
        if size <= cfg["shacl_max"]:
            rows, _, _ = child("bench.checks", ["shacl", str(root), "--pyshacl-cap", str(cfg["pyshacl_cap"])],
                               cfg["pyshacl_cap"] + 600)
            out["shacl"] += rows
    try:
        rows, _, err = child("bench.checks", ["reason"], 900)
        out["reason"] = rows[0] if rows else None
        if not rows:
            out["reason_error"] = err.splitlines()[-1] if err else "no figure"
    except RuntimeError as exc:  # no Java here: said in the results, not a failed run
        out["reason_error"] = str(exc).splitlines()[-1][:300]
    return out

# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of every section")
    p.add_argument("--sizes", help="comma-separated sizes in triples (default 10000,100000,1000000)")
    p.add_argument("--out", type=Path, default=HERE / "results.md", help="the report (default bench/results.md)")
    p.add_argument("--work", type=Path, default=HERE / "data", help="generated data (default bench/data)")
    p.add_argument("--no-maps", action="store_true", help="skip the browser section")
    p.add_argument("--no-serve", action="store_true", help="skip the endpoint against oxigraph serve")
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
    roots: dict[int, Path] = {}
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
        roots[size] = ds.root
        lap(f"generate {size}")
        res["builds"][size] = prev_build = run_builds(ds, cfg, prev_build)
        lap(f"build {size}")
        b = prev_build
        log(f"  build: impactkg {fmt_s(b['impactkg-nt']['seconds'])}, pyoxigraph {fmt_s(b['pyoxigraph-nt']['seconds'])}, "
            f"rdflib {fmt_s(b['rdflib'].get('load', {}).get('seconds'))}")
        res["queries"][size] = run_queries(ds, cfg)
        lap(f"queries {size}")
        worst = max((c["ratio"] for c in res["queries"][size]["cases"]), default=None)
        log(f"  queries: {len(res['queries'][size]['cases'])} runs, worst impactkg / limit {fmt_x(worst)}")
        res["exports"][size] = prev_export = run_exports(ds, cfg, a.work, prev_export)
        lap(f"exports {size}")
        e = prev_export
        log(f"  export Turtle: impactkg {fmt_s(e['impactkg-ttl']['median'])}, pyoxigraph {fmt_s(e['pyoxigraph-ttl']['median'])}")
    log("== loads on disk")
    res["loads"] = run_loads(ds.nt, a.work, cfg["csv_rows"], cfg["build_reps"], log)
    lap("loads on disk")
    log("== loads on disk")
    res["loads"] = run_loads(ds.nt, a.work, cfg["csv_rows"], cfg["build_reps"], log)
    lap("loads on disk")
    if not a.no_maps:
        log("== maps")
        res["maps"] = run_maps(cfg, a.work)
        lap("maps")
    if not a.no_serve:
        from bench.serve import run_serve

        spec = cfg["serve"]
        log(f"== endpoint against oxigraph serve ({size_name(spec['size'])} triples)")
        ds = generate(spec["size"], a.work / f"graph-{spec['size']}", log=log)
        res["serve"] = run_serve(ds, a.work, spec["levels"], spec["seconds"], log=log)
        lap("serve")
    log("== loops and leverage")
    res["system"] = run_system(cfg)
    lap("loops and leverage")
    log("== start-up of the command line")
    rows = run_startup(cfg, a.work)
    res["startup"] = [r for r in rows if r["step"] == "startup"]
    res["startup_phases"] = [r for r in rows if r["step"] == "startup-phases"]
    lap("start-up")
    log("== growth of the system-map work")
    res["scaling"] = run_scaling(cfg, a.work)
    lap("growth")
    log("== SHACL and reasoning")
    res["checks"] = run_checks(cfg, roots)
    lap("checks")
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
