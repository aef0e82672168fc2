"""``bench/results.md`` from the figures of a run: the machine, the targets, and a section per
part of the benchmark (build, queries, export, maps, loops and leverage; the results' cost,
start-up, growth of the system-map work, SHACL and reasoning in :mod:`bench.report16`)."""

from __future__ import annotations

from bench.common import fmt_s, fmt_x, ok, size_name
from bench.loads import render_loads
from bench.report16 import speed_sections


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
              "Every named query, on impactkg (`kg.query(name, **params)`: parameters bound in the engine, every "
              "value of every row read), as the same SPARQL text directly on pyoxigraph (`Store.query` on the "
              "bulk-loaded file, the same bindings), and as its *limit*: the fastest equivalent SPARQL known on that "
              "pyoxigraph store (`bench/limits/`, else the named query with its values written in as constants), "
              "runs interleaved. Each query runs with its required parameters and once more filtered by each "
              "optional parameter. The rows of impactkg and of the limit are compared as multisets of terms. "
              "Path: the query uses a property path (`a/b`, `a|b`, `a+`, ...).", ""]
    for size, q in res["queries"].items():
        lines += [f"### {size_name(int(size))} triples", "",
                  "| query | parameters | path | rows | impactkg median | impactkg p95 | same SPARQL on pyoxigraph | impactkg / same | limit | limit from | impactkg / limit | same rows as the limit | runs |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for c in q["cases"]:
            params = ", ".join(f"{k}={v}" for k, v in c["params"].items()) or "—"
            lines.append(f"| {c['name']} | {params} | {'yes' if c['property_path'] else ''} | {c['rows']:,} | "
                         f"{fmt_s(c['impactkg_median'])} | {fmt_s(c['impactkg_p95'])} | {fmt_s(c['pyoxigraph_median'])} | "
                         f"{fmt_x(c['ratio_same'])} | {fmt_s(c['limit_median'])} | {c['limit_source']} | {fmt_x(c['ratio'])} | "
                         f"{'yes' if c['same_rows'] else '**no**'} ({c['rows_limit']:,}) | {c['reps']} |")
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

    if res.get("serve", {}).get("runs"):  # the endpoint against oxigraph serve (bench/serve.py)
        from bench.serve import render as render_serve

        lines += render_serve(res["serve"])
    lines += ["## Loops and leverage", "",
              "Causal graphs of clusters of about 10 factors (a ring with chords, so every cluster has loops) with "
              "sparse links between clusters; `find_loops` enumerates simple cycles up to length 8, `leverage` ranks "
              "factors by betweenness, degree and loops (median of 3).", "",
              "| factors | links | loops | find_loops | leverage | betweenness | exact betweenness | top-10 overlap |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in res.get("system", []):
        how = f"approximate, {r['samples']} sampled sources" if r["approximate"] else "exact"
        lines.append(f"| {r['factors']:,} | {r['links']:,} | {r['loops']:,}{' (truncated)' if r['truncated'] else ''} | {fmt_s(r['find_loops'])} | {fmt_s(r['leverage'])} | {how} | {fmt_s(r.get('leverage_exact'))} | {r.get('top10_overlap', '—')}{'/10' if 'top10_overlap' in r else ''} |")
    lines += [""] + speed_sections(res)
    lines += ["## Findings beyond the targets", ""] + [f"- {x}" for x in res.get("findings", [])] + [""]
    lines += ["Time per section: " + ", ".join(f"{k} {v:.0f} s" for k, v in res.get("section_seconds", {}).items()) + ".", ""]
    lines += ["## How to run", "", "`make bench` (about 20 minutes here; generated data is cached in "
              "`bench/data/`), or `python -m bench.run --quick` for a smoke run. See `bench/README.md`.", ""]
    return "\n".join(lines)


