"use strict";
// The query page of impactkg serve: YASGUI (vendored under /static/yasgui/) on this server's
// endpoint. Named queries open as tabs with their ja/en titles and parameter boxes; the text of a
// named tab is always sent with its parameters to /queries/NAME (edited or not); the page's URL
// holds the query and its parameters, so that a result can be shared; completions come from this
// graph (/schema.json); downloads are the server's spreadsheet files, named after the query.
(function () {
  const data = JSON.parse(document.getElementById("query-data").textContent);
  const byName = new Map(data.examples.map((x) => [x.name, x]));
  const origin = window.location.origin;
  const $ = (id) => document.getElementById(id);
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const named = new Map(); // tab id -> { name, values: {param: value} }
  let schema = null;
  let yasgui = null;

  // ------------------------------------------------------------ completions from this graph
  function loadSchema() {
    if (!schema) schema = fetch("/schema.json").then((r) => (r.ok ? r.json() : { classes: [], properties: [] }));
    return schema;
  }
  function prefixesOf(yasqe) {
    return Object.assign({}, data.prefixes, yasqe.getPrefixesFromQuery());
  }
  function expand(yasqe, token) {
    const text = token.string.trim().replace(/^</, "").replace(/>$/, "");
    token.autocompletionString = text;
    const colon = text.indexOf(":");
    if (colon > 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      const ns = prefixesOf(yasqe)[text.slice(0, colon)];
      if (ns) {
        token.tokenPrefix = text.slice(0, colon + 1);
        token.tokenPrefixUri = ns;
        token.autocompletionString = ns + text.slice(colon + 1);
      }
    }
    return token;
  }
  function shorten(yasqe, iri) {
    let best = null;
    for (const [p, ns] of Object.entries(prefixesOf(yasqe))) {
      const rest = iri.slice(ns.length);
      if (iri.startsWith(ns) && /^[A-Za-z_][\w.-]*$/.test(rest) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : "<" + iri + ">";
  }
  function termCompleter(from, name, kind) {
    Yasqe.forkAutocompleter(from, {
      name: name,
      bulk: true,
      autoShow: true,
      persistenceId: null,
      onInitialize: function () {},
      // the whole list once (bulk), or the matches of a token asked before the list has arrived
      get: (yasqe, token) => loadSchema().then((s) => s[kind].map((t) => t.iri)
        .filter((iri) => !token || iri.startsWith(token.autocompletionString || ""))),
      preProcessToken: expand,
      postProcessSuggestion: (yasqe, token, iri) => shorten(yasqe, iri),
      postprocessHints: (yasqe, hints) =>
        loadSchema() && hints.map((h) => {
          const term = termIndex.get(h.text);
          if (term) h.displayText = h.text + "  " + [term.label.ja, term.label.en].filter(Boolean).join(" | ") + " (" + term.count + ")";
          return h;
        }),
    }, false);
  }
  const termIndex = new Map();
  loadSchema().then((s) => {
    for (const t of s.classes.concat(s.properties)) termIndex.set(t.curie, t);
  });
  Yasqe.forkAutocompleter("prefixes", {
    name: "ikg-prefixes",
    persistenceId: null,
    onInitialize: function () {},
    get: () => Object.entries(data.prefixes).map(([p, ns]) => p + ": <" + ns + ">").sort(),
  }, false);
  termCompleter("property", "ikg-properties", "properties");
  termCompleter("class", "ikg-classes", "classes");

  // The editor's syntax check knows the prefixes the endpoint predeclares (ikg:, sdg:, ...).
  const sparqlMode = Yasqe.modes.sparql11;
  Yasqe.defineMode("sparql11", function (config, modeConfig) {
    const mode = sparqlMode(config, modeConfig);
    const start = mode.startState;
    mode.startState = function () {
      const state = start.apply(this, arguments);
      state.prefixes = Object.assign({}, data.prefixes, state.prefixes);
      return state;
    };
    return mode;
  });

  // ------------------------------------------------------------ a chart of a result
  class Chart {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = "グラフ Chart"; }
    columns() {
      const r = this.yasr.results;
      if (!r || r.hasError() || r.getBoolean() !== undefined) return null;
      const vars = r.getVariables(), rows = r.getBindings();
      if (!rows.length || rows.length > 300) return null;
      const isNum = (b) => b && b.type !== "uri" && b.value !== "" && !Number.isNaN(Number(b.value));
      const value = vars.find((v) => rows.every((row) => isNum(row[v])));
      const label = vars.find((v) => v !== value && rows.some((row) => row[v] && !isNum(row[v])));
      return value && label ? { value, label, rows } : null;
    }
    canHandleResults() { return this.columns() !== null; }
    getIcon() { const d = document.createElement("div"); d.textContent = "▥"; return d; }
    draw() {
      const { value, label, rows } = this.columns();
      const ns = "http://www.w3.org/2000/svg";
      const bar = 18, left = 260, width = 420;
      const max = Math.max(...rows.map((r) => Number(r[value].value)), 1);
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("class", "ikg-chart");
      svg.setAttribute("viewBox", `0 0 ${left + width + 60} ${rows.length * (bar + 4) + 24}`);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", label + " × " + value);
      rows.forEach((r, i) => {
        const y = 20 + i * (bar + 4), n = Number(r[value].value);
        const text = document.createElementNS(ns, "text");
        text.setAttribute("x", left - 6); text.setAttribute("y", y + bar - 5); text.setAttribute("class", "label");
        text.textContent = r[label] ? r[label].value : "";
        const rect = document.createElementNS(ns, "rect");
        rect.setAttribute("x", left); rect.setAttribute("y", y); rect.setAttribute("height", bar);
        rect.setAttribute("width", Math.max(0, (n / max) * width));
        const num = document.createElementNS(ns, "text");
        num.setAttribute("x", left + (n / max) * width + 4); num.setAttribute("y", y + bar - 5);
        num.textContent = r[value].value;
        svg.append(text, rect, num);
      });
      const head = document.createElementNS(ns, "text");
      head.setAttribute("x", left); head.setAttribute("y", 12); head.setAttribute("class", "head");
      head.textContent = value + " / " + label;
      svg.appendChild(head);
      this.yasr.resultsEl.appendChild(svg);
    }
  }
  Yasr.registerPlugin("chart", Chart);

  // An error is the server's one line (the endpoint answers with it), not a guess about CORS.
  Yasr.defaults.errorRenderers = [
    async (error) => {
      const p = document.createElement("p");
      p.className = "ikg-error";
      p.textContent = error.text || error.statusText || "the request failed";
      return p;
    },
  ];

  // ------------------------------------------------------------ the named query of a tab
  function current() { return yasgui ? yasgui.getTab() : undefined; }
  function namedOf(tab) { return tab ? named.get(tab.getId()) : undefined; }
  function paramValues(entry) {
    const out = [];
    const example = byName.get(entry.name);
    for (const p of example.params) {
      const v = (entry.values[p.name] || "").trim();
      if (v !== "") out.push([p.name, v]);
    }
    return out;
  }
  function edited(tab) {
    const entry = namedOf(tab);
    return Boolean(entry) && tab.getQuery().trim() !== byName.get(entry.name).text.trim();
  }
  // The request of the active tab: a named tab goes to /queries/NAME with its parameters and, when
  // edited, its text; any other tab to /sparql.
  function endpointOf(tab) {
    const entry = namedOf(tab);
    return origin + (entry ? "/queries/" + encodeURIComponent(entry.name) : "/sparql");
  }
  // YASGUI POSTs the editor's text as query=; the parameters travel in the endpoint's URL.
  function requestEndpoint(tab) {
    if (!tab) return origin + "/sparql";
    const entry = namedOf(tab);
    const q = new URLSearchParams(entry ? paramValues(entry) : []).toString();
    return endpointOf(tab) + (q ? "?" + q : "");
  }
  function requestParams(tab) {
    const q = new URLSearchParams();
    const entry = namedOf(tab);
    if (entry) for (const [k, v] of paramValues(entry)) q.append(k, v);
    if (!entry || edited(tab)) q.append("query", tab.getQuery());
    return q;
  }
  function downloadUrl(tab, format) {
    const q = requestParams(tab);
    q.append("format", format);
    if (format !== "xlsx") q.append("download", "1");
    return endpointOf(tab).slice(origin.length) + "?" + q.toString();
  }
  function pageUrl(tab) {
    const q = new URLSearchParams();
    const entry = namedOf(tab);
    if (entry) q.append("name", entry.name);
    for (const [k, v] of requestParams(tab)) q.append(k, v);
    return "/query?" + q.toString();
  }

  // ------------------------------------------------------------ the panel above the editor
  let shown = null; // the tab whose panel is drawn
  function showNamed() {
    const tab = current();
    shown = tab ? tab.getId() : null;
    const entry = namedOf(tab);
    const box = $("named-info");
    const form = $("params");
    form.replaceChildren();
    box.hidden = !entry;
    if (!entry) { updateLinks(); return; }
    const example = byName.get(entry.name);
    $("q-title").replaceChildren();
    const ja = document.createElement("span"); ja.lang = "ja"; ja.textContent = example.title_ja;
    const en = document.createElement("small"); en.lang = "en"; en.textContent = example.title_en;
    $("q-title").append(ja, " ", en);
    $("q-desc").textContent = example.description;
    for (const p of example.params) {
      const label = document.createElement("label");
      label.textContent = p.name + (p.required ? " *" : "") + " ";
      // An enum parameter is a choice among its values (none: omitted, unless required).
      const choices = p.type.startsWith("enum:") ? p.type.slice(5).split("|") : null;
      const input = document.createElement(choices ? "select" : "input");
      if (choices) {
        for (const c of (p.required ? [] : [""]).concat(choices)) {
          const o = document.createElement("option");
          o.value = c;
          o.textContent = c || "\u2014";
          input.appendChild(o);
        }
      }
      input.name = p.name;
      input.dataset.param = p.name;
      const value = entry.values[p.name] !== undefined ? entry.values[p.name] : p.default || "";
      if (choices && !Array.from(input.options).some((o) => o.value === value)) {
        // a value from the URL that is not a choice is kept as given: the server names the problem
        const o = document.createElement("option");
        o.value = value;
        o.textContent = value;
        input.appendChild(o);
      }
      input.value = value;
      entry.values[p.name] = input.value;
      input.placeholder = p.description || p.type;
      input.title = p.type + (p.description ? ": " + p.description : "");
      for (const ev of ["input", "change"]) input.addEventListener(ev, () => { entry.values[p.name] = input.value; updateLinks(); });
      input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); run(); } });
      label.appendChild(input);
      form.appendChild(label);
    }
    updateLinks();
  }
  function updateLinks() {
    const tab = current();
    if (!tab) return;
    for (const f of ["csv", "xlsx", "json"]) $("dl-" + f).href = downloadUrl(tab, f);
    $("edited").hidden = !edited(tab);
  }

  function openNamed(name, values, text) {
    const example = byName.get(name);
    if (!example) return null;
    const existing = Object.keys(yasgui._tabs).find((id) => namedOf(yasgui.getTab(id)) && namedOf(yasgui.getTab(id)).name === name);
    let tab;
    if (existing && text === undefined) {
      tab = yasgui.selectTabId(existing);
    } else {
      tab = yasgui.addTab(true, { name: name, yasqe: { value: text !== undefined ? text : example.text } });
    }
    const entry = named.get(tab.getId()) || { name: name, values: {} };
    Object.assign(entry.values, values || {});
    named.set(tab.getId(), entry);
    if (text !== undefined) tab.setQuery(text);
    showNamed();
    return tab;
  }

  // ------------------------------------------------------------ running and the URL
  function status(text, kind) {
    const s = $("status");
    s.textContent = text;
    s.className = kind || "";
    if (kind === "error") s.setAttribute("role", "alert"); else s.setAttribute("role", "status");
  }
  function run() {
    const tab = current();
    if (!tab) return;
    document.body.dataset.state = "running";
    tab.query().catch(() => {});
  }
  function onResponse(tab) {
    if (tab !== current()) return;
    const yasr = tab.getYasr();
    const results = yasr && yasr.results;
    history.replaceState(null, "", pageUrl(tab));
    $("share").href = pageUrl(tab);
    updateLinks();
    if (!results || results.hasError()) {
      const err = results ? results.getError() : { text: "no response" };
      status((err.text || err.statusText || "error").trim(), "error");
      document.body.dataset.state = "error";
      return;
    }
    const ms = results.getResponseTime();
    if (results.getBoolean() !== undefined) {
      status(String(results.getBoolean()) + " (" + ms + " ms)");
    } else if (results.getVariables().length || results.getBindings().length) {
      const n = results.getBindings().length;
      status(n + " rows (" + ms + " ms)");
    } else {
      status("graph result (" + ms + " ms)");
    }
    document.body.dataset.state = "done";
  }

  // ------------------------------------------------------------ YASGUI
  // Tables start in the simple view: values as they read ("317", not "317"^^xsd:integer).
  const tabDefaults = Yasgui.Tab.getDefaults;
  Yasgui.Tab.getDefaults = function () {
    const d = tabDefaults.apply(this, arguments);
    d.yasr.settings.pluginsConfig = Object.assign({ table: { compact: true } }, d.yasr.settings.pluginsConfig);
    return d;
  };
  Yasgui.defaults.yasqe.autocompleters = ["ikg-prefixes", "variables", "ikg-properties", "ikg-classes"];
  Yasgui.defaults.yasr.pluginOrder = ["table", "response", "chart"];
  yasgui = new Yasgui($("yasgui"), {
    persistenceId: null,
    populateFromUrl: false,
    copyEndpointOnNewTab: false,
    autofocus: false,
    tabName: "SPARQL",
    endpointCatalogueOptions: { getData: () => [{ endpoint: origin + "/sparql" }] },
    requestConfig: {
      endpoint: () => requestEndpoint(current()),
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    yasqe: {
      value: data.initial.query || data.defaultQuery,
      prefixCcApi: null,
      createShareableLink: null,
      persistenceId: null,
      resizeable: true,
      editorHeight: "320px",
    },
    yasr: { persistenceId: null, prefixes: data.prefixes, maxPersistentResponseSize: 0 },
  });
  // YASGUI tells of the response before its result view has read it.
  yasgui.on("queryResponse", (_y, tab) => setTimeout(() => onResponse(tab), 0));
  function tabMaybeChanged() {
    const tab = current();
    if ((tab ? tab.getId() : null) !== shown) showNamed(); else updateLinks();
  }
  for (const ev of ["tabSelect", "tabAdd", "tabChange"]) yasgui.on(ev, () => setTimeout(tabMaybeChanged, 0));
  yasgui.on("tabClose", (_y, tab) => { named.delete(tab.getId()); setTimeout(tabMaybeChanged, 0); });
  yasgui.on("queryBefore", () => { document.body.dataset.state = "running"; status("…"); });

  // A link in the results opens the resource's page on this server.
  $("yasgui").addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest(".yasr a.iri");
    if (!a || ev.button !== 0) return;
    ev.preventDefault();
    window.location.href = "/resource?iri=" + encodeURIComponent(a.getAttribute("href"));
  });

  const select = $("example");
  select.addEventListener("change", () => {
    if (select.value) openNamed(select.value, {});
    else yasgui.addTab(true, { name: "SPARQL", yasqe: { value: data.defaultQuery } });
    select.value = "";
  });
  $("run").addEventListener("click", run);
  $("params").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  document.addEventListener("keyup", (ev) => { if (ev.target.closest && ev.target.closest(".CodeMirror")) updateLinks(); });

  // The page's URL: /query?name=NAME&PARAM=V (&query=EDITED) or /query?query=TEXT fills and runs.
  const first = current();
  const init = data.initial;
  let runNow = false;
  if (init.name && byName.has(init.name)) {
    const tab = openNamed(init.name, init.params, init.query || undefined);
    if (tab !== first && first) first.close();
    runNow = true;
  } else if (init.query) {
    runNow = true;
  }
  showNamed();
  window.impactkgQuery = { yasgui, openNamed, run, pageUrl: () => pageUrl(current()), downloadUrl: (f) => downloadUrl(current(), f) };
  document.body.dataset.state = "ready";
  if (runNow) run();
})();
