"""The sections of ``bench/results.md`` for the speed a user meets (issue 16): what the results
of a small query cost on each door, how quick the command line starts, how the system-map work
grows with the map, and the graph's checks (SHACL, reasoning)."""

from __future__ import annotations

from bench.common import fmt_s, fmt_x, growth, size_name


def speed_sections(res: dict) -> list[str]:
    """The lines of the four sections (each left out when its part did not run)."""
    return _results_cost(res) + _startup(res) + _scaling(res) + _checks(res)


def _results_cost(res: dict) -> list[str]:
    rows = [(size, q["results_cost"]) for size, q in res["queries"].items() if q.get("results_cost")]
    if not rows:
        return []
    lines = ["## What the results cost", "",
             f"`{rows[0][1]['query']}` on each door against reading its rows from pyoxigraph (`Store.query`, every "
             "value read) and pyoxigraph's own JSON writer; the door's rows are pyoxigraph terms (what the command "
             "line and the endpoint get), the rdflib view is built only when asked for (median of the runs).", "",
             "| size | rows | " + " | ".join(rows[0][1]["medians"]) + " |",
             "| --- | --- | " + " | ".join("---" for _ in rows[0][1]["medians"]) + " |"]
    for size, c in rows:
        base = c["medians"]["pyoxigraph read"]
        cells = [f"{fmt_s(v)} ({fmt_x(v / base)})" for v in c["medians"].values()]
        lines.append(f"| {size_name(int(size))} | {c['rows']:,} | " + " | ".join(cells) + " |")
    return lines + ["", "In brackets: the time over `pyoxigraph read`.", ""]


def _startup(res: dict) -> list[str]:
    rows = res.get("startup") or []
    if not rows:
        return []
    base = next((r["cpu_median"] for r in rows if r["name"] == "python -c 'import pyoxigraph'"), None)
    lines = ["## Start-up of the command line", "",
             "CPU time (user + system, of the process and its children) of each command, the median of its runs "
             "(interleaved, the modules' bytecode cached as after any install; queries on the embedded store), "
             "against `python -c \"import pyoxigraph\"`, and the heavy libraries each imports "
             "(`python -X importtime`).", "",
             "| command | CPU time | / import pyoxigraph | heavy libraries imported | runs |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = fmt_x(r["cpu_median"] / base) if base else "—"
        lines.append(f"| `{r['name']}` | {fmt_s(r['cpu_median'])} | {ratio} | {', '.join(r['heavy']) or 'none'} | {r['runs']} |")
    for p in res.get("startup_phases") or []:
        lines += ["", f"Where the CPU time of `impactkg query {p['query']}` goes (`python -m bench.startup_phases`: "
                  f"the steps the command takes, in one process; median of {p['runs']} runs):", "",
                  "| phase | CPU time |", "| --- | --- |"]
        lines += [f"| {k} | {fmt_s(v)} |" for k, v in p["phases"].items()]
    return lines + [""]


def _scaling(res: dict) -> list[str]:
    sc = res.get("scaling") or {}
    if not sc:
        return []
    lines = ["## Growth of the system-map work", "",
             "Connections tables of about 1.3 links per factor (clusters of about 10 factors, the generator of "
             "`bench/generate.py`): the load through impactkg's loader (its loops found too), `find_loops` and "
             "`leverage` on the same links, and `build_map(kg, \"system\")` on stores of N factors with its "
             "phases. *k* is the growth exponent between the smallest and the largest size (`t = c·n^k`: 1 is "
             "linear, 2 quadratic); CPU time of the process, median of the runs.", "",
             "| links | factors | loops | quads | load | find_loops | leverage |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    links = sorted(sc.get("links", []), key=lambda r: r["links"])
    for r in links:
        lines.append(f"| {r['links']:,} | {r['factors']:,} | {r['loops']:,} | {r['quads']:,} | {fmt_s(r['load'])} | "
                     f"{fmt_s(r['find_loops'])} | {fmt_s(r['leverage'])} |")
    if len(links) > 1:
        a, b = links[0], links[-1]
        lines.append("| *k* | | | | " + " | ".join(f"{growth(a['links'], a[p], b['links'], b[p]):.2f}"
                                                 for p in ("load", "find_loops", "leverage")) + " |")
    maps = sorted(sc.get("maps", []), key=lambda r: r["factors"])
    lines += ["", "| factors | links | loops | build_map | layout | loops and leverage | the rest |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in maps:
        lines.append(f"| {r['factors']:,} | {r['links']:,} | {r['loops']:,} | {fmt_s(r['total'])} | {fmt_s(r.get('layout'))} | "
                     f"{fmt_s(r.get('_loops_and_leverage'))} | {fmt_s(r['rest'])} |")
    if len(maps) > 1:
        a, b = maps[0], maps[-1]
        lines.append("| *k* | | | " + " | ".join(
            f"{growth(a['factors'], a[p], b['factors'], b[p]):.2f}" if a.get(p) and b.get(p) else "—"
            for p in ("total", "layout", "_loops_and_leverage", "rest")) + " |")
    return lines + [""]


def _checks(res: dict) -> list[str]:
    ch = res.get("checks") or {}
    if not ch:
        return []
    lines = ["## Checking the graph: SHACL and reasoning", "",
             "`validate(kg)` on the generated graph built with the ontology and the embedded dataset: impactkg's "
             "shapes as SPARQL checks on the store (`engine=\"sparql\"`), against pySHACL (`engine=\"pyshacl\"`, "
             "capped), the violations compared.", "",
             "| size | quads | checks | SPARQL checks | their CPU | violations | pySHACL | pySHACL / SPARQL | same violations |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in ch.get("shacl", []):
        py = r.get("pyshacl_seconds")
        py_t = fmt_s(py) if py else (f"> {r['pyshacl_timeout']:.0f} s (stopped)" if r.get("pyshacl_timeout") else "not run")
        lines.append(f"| {size_name(r['size'])} | {r['quads']:,} | {r['checks']} | {fmt_s(r['sparql_seconds'])} | "
                     f"{fmt_s(r['sparql_cpu'])} | {r['violations']:,} | {py_t} | "
                     f"{fmt_x(py / r['sparql_seconds']) if py else '—'} | {r.get('same_violations', '—')} |")
    r = ch.get("reason")
    if r:
        lines += ["", f"`reason(kg)` on the embedded store ({r['quads']:,} quads, {r['reasoner']}): "
                  f"{fmt_s(r['wall'])} wall, Python CPU {fmt_s(r['cpu'])}, Java CPU {fmt_s(r['java_cpu'])}; "
                  f"{r['inferred']:,} triples inferred, consistent: {r['consistent']}. Phases (wall): "
                  + ", ".join(f"{k.strip('_')} {fmt_s(v)}" for k, v in r["phases"].items()) + "."]
    elif ch.get("reason_error"):
        lines += ["", f"`reason(kg)` not measured: {ch['reason_error']}"]
    return lines + [""]
