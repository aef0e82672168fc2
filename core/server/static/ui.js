"use strict";
(function () {
  const data = JSON.parse(document.getElementById("examples-data").textContent);
  const byName = new Map(data.examples.map((x) => [x.name, x]));
  const select = document.getElementById("example");
  const editor = document.getElementById("editor");
  const paramsBox = document.getElementById("params");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const graph = document.getElementById("graph");
  const prefixes = Object.entries(data.prefixes).sort((a, b) => b[1].length - a[1].length);
  let rows = [], vars = [], sortState = { col: -1, dir: 1 };

  function short(iri) {
    for (const [p, ns] of prefixes) if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
    return iri;
  }

  function showParams(example) {
    paramsBox.replaceChildren();
    if (!example) return;
    for (const p of example.params) {
      const label = document.createElement("label");
      label.textContent = p.name + (p.required ? " *" : "") + " ";
      const input = document.createElement("input");
      input.name = "param-" + p.name;
      input.dataset.param = p.name;
      input.value = p.default || "";
      input.placeholder = p.description || p.type;
      input.title = p.type + ": " + (p.description || "");
      label.appendChild(input);
      paramsBox.appendChild(label);
    }
  }

  function requestUrl() {
    const example = byName.get(select.value);
    if (example && editor.value.trim() === example.text.trim()) {
      const q = new URLSearchParams();
      for (const input of paramsBox.querySelectorAll("input[data-param]")) {
        if (input.value.trim() !== "") q.set(input.dataset.param, input.value.trim());
      }
      const s = q.toString();
      return "/queries/" + encodeURIComponent(example.name) + (s ? "?" + s : "");
    }
    return "/sparql?query=" + encodeURIComponent(editor.value);
  }

  function withParam(url, key, value) {
    return url + (url.includes("?") ? "&" : "?") + key + "=" + encodeURIComponent(value);
  }

  function updateDownloads() {
    const url = requestUrl();
    document.getElementById("dl-csv").href = withParam(withParam(url, "format", "csv"), "download", "1");
    document.getElementById("dl-json").href = withParam(withParam(url, "format", "json"), "download", "1");
    document.getElementById("dl-xlsx").href = withParam(url, "format", "xlsx");
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = "/resource?iri=" + encodeURIComponent(term.value);
      a.textContent = short(term.value);
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
      if (term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype)) td.className = "num";
    }
    return td;
  }

  function compare(a, b) {
    const x = a ? a.value : "", y = b ? b.value : "";
    const nx = Number(x), ny = Number(y);
    if (x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function render() {
    table.replaceChildren();
    const thead = document.createElement("thead");
    const tr = document.createElement("tr");
    vars.forEach((v, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (sortState.col === i) th.setAttribute("aria-sort", sortState.dir > 0 ? "ascending" : "descending");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = v;
      b.addEventListener("click", () => {
        sortState = { col: i, dir: sortState.col === i ? -sortState.dir : 1 };
        rows.sort((r1, r2) => sortState.dir * compare(r1[v], r2[v]));
        render();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    const tbody = document.createElement("tbody");
    for (const r of rows) {
      const row = document.createElement("tr");
      for (const v of vars) row.appendChild(cell(r[v]));
      tbody.appendChild(row);
    }
    table.append(thead, tbody);
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    updateDownloads();
    status.textContent = "…";
    status.className = "";
    graph.hidden = true;
    table.replaceChildren();
    const started = performance.now();
    let resp;
    try {
      resp = await fetch(requestUrl(), { headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
    } catch (err) {
      status.textContent = "request failed: " + err;
      status.className = "error";
      return;
    }
    const ms = Math.round(performance.now() - started);
    const type = resp.headers.get("Content-Type") || "";
    if (!resp.ok) {
      status.textContent = resp.status + ": " + (await resp.text());
      status.className = "error";
      status.setAttribute("role", "alert");
      document.body.dataset.state = "error";
      return;
    }
    if (type.includes("sparql-results+json")) {
      const doc = await resp.json();
      if ("boolean" in doc) {
        vars = ["boolean"];
        rows = [{ boolean: { type: "literal", value: String(doc.boolean) } }];
      } else {
        vars = doc.head.vars;
        rows = doc.results.bindings;
      }
      sortState = { col: -1, dir: 1 };
      render();
      status.textContent = rows.length + " rows (" + ms + " ms)";
    } else {
      graph.textContent = await resp.text();
      graph.hidden = false;
      status.textContent = "graph result (" + ms + " ms)";
    }
    document.body.dataset.state = "done";
  }

  select.addEventListener("change", () => {
    const example = byName.get(select.value);
    if (example) editor.value = example.text;
    showParams(example);
    updateDownloads();
  });
  editor.addEventListener("input", updateDownloads);
  paramsBox.addEventListener("input", updateDownloads);
  document.getElementById("qform").addEventListener("submit", run);
  showParams(byName.get(select.value));
  updateDownloads();
  document.body.dataset.state = "ready";
})();
