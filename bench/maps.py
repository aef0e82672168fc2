"""Map benchmarks: ``impactkg map`` pages and pyvis's defaults on the same graph, timed in a real
headless chromium (Debian's, started by the launcher of ``tests/browser.py``, software rendering).

Every page gets the same probe before its own scripts run (:data:`PROBE`): it wraps
``vis.Network`` so that each network records when it draws (with how many nodes it holds) and
when it answers a click. *Drawn* is the first drawing that holds every node of the map (for
impactkg's page, also its own ``data-state=ready``, set after the map is fitted); *answering a
click* is the network's ``click`` event for a real mouse click on a node, sent once the map is
drawn. Times are in seconds from the page's navigation start.

pyvis's default page loads vis-network and bootstrap from CDNs, which cannot be reached here: the
baseline uses pyvis's own ``cdn_resources="in_line"``, which inlines the same vis-network 9.1.2
build that impactkg inlines (from the pyvis package), with pyvis's default options (physics on,
stabilisation of 1,000 iterations); the bootstrap requests are aborted (the graph does not use it).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
(() => {
  const B = window.__bench = { draws: [], clicks: [], ready: null };
  function hook(net) {
    B.network = net;
    net.on("afterDrawing", () => {
      const d = net.body && net.body.data && net.body.data.nodes;
      if (B.draws.length < 500) { B.draws.push([performance.now(), d ? d.length : -1]); }
    });
    net.on("click", (p) => { B.clicks.push([performance.now(), (p.nodes || []).length]); });
  }
  const vis = {};
  let wrapped;
  Object.defineProperty(vis, "Network", {
    configurable: true, enumerable: true,
    get() { return wrapped; },
    set(Net) {
      wrapped = function (a, b, c) { const net = new Net(a, b, c); hook(net); return net; };
      wrapped.prototype = Net.prototype;
    }
  });
  window.vis = vis;
  new MutationObserver(() => {
    if (B.ready === null && document.body && document.body.getAttribute("data-state") === "ready") {
      B.ready = performance.now();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-state"] });
})();
"""

DRAWN = """(n) => {
  const B = window.__bench;
  if (!B) return null;
  const full = B.draws.find((d) => d[1] >= n);
  if (!full) return null;
  if (document.body && document.body.hasAttribute("data-state") && B.ready === null) return null;
  return Math.max(full[0], B.ready || 0);
}"""

NODE_POINT = """() => {
  const net = window.__bench.network;
  const ids = net.body.data.nodes.getIds();
  const rect = net.body.container.getBoundingClientRect();
  let best = null;
  for (const id of ids.slice(0, 200)) {
    const p = net.canvasToDOM(net.getPositions([id])[id]);
    const x = rect.left + p.x, y = rect.top + p.y;
    if (x > rect.left + 20 && x < rect.right - 20 && y > rect.top + 20 && y < rect.bottom - 20) {
      best = [x, y]; break;
    }
  }
  return best || [rect.left + rect.width / 2, rect.top + rect.height / 2];
}"""


def launcher():
    """``tests/browser.py``'s ``launch`` (Debian's chromium through playwright), or an error
    saying why there is no browser."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import browser  # tests/browser.py
    finally:
        sys.path.pop(0)
    return browser


def pyvis_page(data, path: Path) -> Path:
    """The same map with pyvis's defaults (``Network()``: physics on, stabilisation), its
    vis-network inlined from the pyvis package (``cdn_resources="in_line"``)."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line")
    for n in data.nodes:
        net.add_node(n["id"], label=n["label"]["ja"], title="\n".join(n["info"]["ja"]))
    for e in data.edges:
        net.add_edge(e["from"], e["to"], title="\n".join(e["info"]["ja"]))
    path.write_text(net.generate_html(), encoding="utf-8")
    return path


def time_page(playwright, path: Path, nodes: int, cap: float) -> dict[str, Any]:
    """Open ``path`` in a fresh headless chromium; time the drawing of all ``nodes`` and the
    answer to a click on a node, giving up after ``cap`` seconds."""
    browser_mod = launcher()
    browser = browser_mod.launch(playwright)
    out: dict[str, Any] = {"drawn": None, "clicked": None, "timed_out": False, "blocked": 0}
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(PROBE)
        blocked: list[str] = []

        def route(r) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        start = time.perf_counter()
        try:
            page.goto(path.resolve().as_uri(), wait_until="commit", timeout=cap * 1000)
            remaining = max(0.1, cap - (time.perf_counter() - start))
            handle = page.wait_for_function(DRAWN, arg=nodes, timeout=remaining * 1000, polling=25)
            out["drawn"] = handle.json_value() / 1000
            # Click a node until the network answers (a page may still cover it, as pyvis's
            # loading bar does for half a second after stabilisation), a second apart: clicks
            # closer than Hammer.js's 300 ms multi-tap interval would make a double tap.
            clicks = 0
            while True:
                remaining = cap - (time.perf_counter() - start)
                if remaining <= 0:
                    raise TimeoutError(f"no answer to {clicks} clicks within {cap:.0f} s")
                x, y = page.evaluate(NODE_POINT)
                page.mouse.click(x, y)
                clicks += 1
                try:
                    handle = page.wait_for_function(
                        "() => window.__bench.clicks.length ? window.__bench.clicks[0] : null",
                        timeout=min(1000, remaining * 1000), polling=25)
                except Exception:  # not answered yet
                    continue
                when, selected = handle.json_value()
                break
            out["clicked"] = when / 1000
            out["clicks"] = clicks
            out["click_selected_node"] = bool(selected)
        except Exception as exc:  # playwright's TimeoutError, or a page that froze the browser
            out["timed_out"] = True
            out["error"] = " ".join(str(exc).split())[:160]
        out["blocked"] = len(blocked)
        out["wall"] = time.perf_counter() - start
    finally:
        browser.close()
    return out


class _timing:
    """Time the calls of some functions of a module (wrapped in place until ``restore``)."""

    def __init__(self, module, names: tuple[str, ...], clock=time.perf_counter):
        self.module, self.seconds, self.saved = module, {}, {}
        for name in names:
            original = self.saved[name] = getattr(module, name)

            def wrapper(*args, _f=original, _n=name, **kwargs):
                t = clock()
                try:
                    return _f(*args, **kwargs)
                finally:
                    self.seconds[_n] = self.seconds.get(_n, 0.0) + clock() - t

            setattr(module, name, wrapper)

    def restore(self) -> None:
        for name, original in self.saved.items():
            setattr(self.module, name, original)


def _cli_map(store: Path, html: Path) -> tuple[float, str]:
    import subprocess

    t = time.perf_counter()
    run = subprocess.run(
        [str(Path(sys.executable).with_name("impactkg")), "map", "system", "--store", str(store), "-o", str(html)],
        capture_output=True, text=True, check=False,
    )
    if run.returncode:
        raise RuntimeError(f"impactkg map failed: {run.stderr.strip()[-300:]}")
    return time.perf_counter() - t, run.stdout.strip()


def map_case(n: int, work: Path, playwright, *, cap: float, pyvis: bool, log=print, reps: int = 1) -> dict[str, Any]:
    """One map size: build the store, run ``impactkg map system``, time impactkg's page
    (median of ``reps`` loads) and pyvis's (one load)."""
    from bench.generate import map_tables
    from impactkg import KnowledgeGraph
    from impactkg.graph import maps
    from impactkg.graph.maps import build_map

    folder = map_tables(n, work)
    store = folder / "store"
    loaded = None
    if not (store / "impactkg.json").exists():
        t = time.perf_counter()
        with KnowledgeGraph.open(store) as kg:
            kg.load(folder / "system_elements.csv", folder / "system_connections.csv", namespace="bench")
        loaded = time.perf_counter() - t
    html = folder / "impactkg-map.html"
    seconds, said = _cli_map(store, html)
    phases = _timing(maps, ("layout", "_loops_and_leverage"))
    try:
        with KnowledgeGraph.open(store, create=False) as kg:
            t = time.perf_counter()
            data = build_map(kg, "system")
            took = time.perf_counter() - t
    finally:
        phases.restore()
    row: dict[str, Any] = {
        "requested": n, "nodes": len(data.nodes), "edges": len(data.edges), "loops": len(data.loops),
        "generate": seconds, "build_map": took, "layout": phases.seconds.get("layout"),
        "loops_and_leverage": phases.seconds.get("_loops_and_leverage"), "store_load": loaded,
        "html_bytes": html.stat().st_size, "physics": data.physics, "cli": said, "cap": cap,
    }
    if playwright is None:
        return row
    runs = [time_page(playwright, html, len(data.nodes), cap) for _ in range(reps)]
    ours = dict(runs[0])
    for key in ("drawn", "clicked"):
        values = [r[key] for r in runs if r.get(key) is not None]
        ours[key] = statistics.median(values) if len(values) == len(runs) else None
    ours["reps"] = reps
    ours["all_drawn"] = [r.get("drawn") for r in runs]
    row["impactkg"] = ours
    log(f"  map {n}: impactkg drawn {ours['drawn']} s, click answered {ours['clicked']} s")
    if pyvis:
        page = pyvis_page(data, folder / "pyvis-map.html")
        row["pyvis_bytes"] = page.stat().st_size
        row["pyvis"] = time_page(playwright, page, len(data.nodes), cap)
        log(f"  map {n}: pyvis drawn {row['pyvis'].get('drawn')} s, click answered {row['pyvis'].get('clicked')} s (cap {cap:.0f} s)")
    return row


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    work = Path(sys.argv[1])
    with sync_playwright() as p:
        for size in [int(x) for x in sys.argv[2:]] or [500]:
            print(json.dumps(map_case(size, work, p, cap=60, pyvis=True), indent=1, default=str))
