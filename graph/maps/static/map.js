// The page script of the interactive maps (impactkg.graph.maps.view): legend and filters, search,
// feedback loops and their evidence, readable labels at every zoom, grouping of finance cases,
// the view's state in the URL (#lang=en&node=...&loop=R1) and export of the view to PNG and SVG.
// Every text from the data is written with textContent or drawn on the canvas, never parsed.
// How labels, legend lines and the exported view are drawn is in map-view.js (loaded first).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("ikg-data").textContent);
  var lang = D.lang;
  var byId = {};
  D.nodes.forEach(function (n) { byId[n.id] = n; });
  var hiddenCls = {};
  var domain = "";
  var activeLoop = null;
  var grouping = "";
  var opened = {};
  // Evidence: the weakest link drawn (4 stated, 3 reading, 2 doubtful, 1 inferred = all).
  var LEVELS = { stated: 4, reading: 3, doubtful: 2, inferred: 1 };
  var level = LEVELS[D.evidence] || 1;
  var hasEvidence = D.edges.some(function (e) { return typeof e.rank === "number"; });
  // Logic models read left to right (activity -> result -> impact -> target -> goal).
  var levels = D.physics && D.nodes.length > 0 && D.nodes.every(function (n) { return typeof n.level === "number"; });

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = txt; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; }
  function ui(key) { return D.ui[lang][key]; }
  function style(cls) { return D.styles[cls] || D.styles[""]; }
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }

  // Adjacency, for the domain filter: a node without a domain shows next to a shown node.
  var adj = {};
  D.edges.forEach(function (e) {
    (adj[e.from] = adj[e.from] || []).push(e.to);
    (adj[e.to] = adj[e.to] || []).push(e.from);
  });
  function inDomain(n) { return !domain || n.domains.indexOf(domain) >= 0; }
  function isHidden(n) {
    if (hiddenCls[n.cls]) { return true; }
    if (!domain) { return false; }
    if (n.domains.length) { return !inDomain(n); }
    return !(adj[n.id] || []).some(function (m) {
      var o = byId[m]; return o && o.domains.length && inDomain(o) && !hiddenCls[o.cls];
    });
  }

  function baseSize(n) { return n.size ? Math.round(D.fontSize + (n.size - 14) * 0.6) : D.fontSize; }
  // What the network draws of a node. Only vis-network's own options, and only where the node
  // differs from the network's defaults (impactkgOptions): its kind is its group; its tier and
  // groupings stay in the data (byId), since the network copies every field of every item.
  function nodeView(n) {
    var v = { id: n.id, label: n.label[lang], title: n.info[lang].join("\n"), group: window.impactkgGroup(D, n.cls),
              hidden: isHidden(n) };
    var size = baseSize(n);
    if (size !== D.fontSize) { v.font = { size: size }; }
    if (n.size && n.size !== 16) { v.size = n.size; }
    if (D.highlight.indexOf(n.id) >= 0) {  // no group: the network takes a group's colours over a node's own
      var s = style(n.cls);
      delete v.group;
      v.shape = s.shape;
      v.borderWidth = 4;
      v.color = { background: s.color, border: "#000000", highlight: { background: s.highlight, border: "#000000" },
                  hover: { background: s.highlight, border: "#333333" } };
    }
    if (typeof n.x === "number") { v.x = n.x; v.y = n.y; }
    if (levels) { v.level = n.level; }
    return v;
  }
  function relStyle(rel) { return D.edgeStyles[rel] || D.edgeStyles[""]; }
  function edgeView(e) {
    var s = relStyle(e.rel);
    var v = { id: e.id, from: e.from, to: e.to, title: e.info[lang].join("\n"),
              width: s.width, dashes: s.dashes,
              color: { color: s.color, highlight: "#000000", hover: s.color },
              hidden: typeof e.rank === "number" && e.rank < level };
    if (s.arrow === "none") { v.arrows = ""; } else if (s.arrow && s.arrow !== "arrow") { v.arrows = { to: { enabled: true, type: s.arrow } }; }
    if (e.polarity === "+" || e.polarity === "-") {
      var pos = e.polarity === "+";
      var c = s.color;
      // Evidence: stated thick and solid (negative dashed), a reading medium, doubtful OCR
      // dashed, an inference thin and dotted; the sign stays in the colour and the label.
      var rank = typeof e.rank === "number" ? e.rank : (e.inferred ? 1 : 4);
      v.color = { color: c, highlight: pos ? "#0d3d10" : "#7a0000", hover: c, opacity: rank >= 3 ? 1 : 0.6 };
      v.label = (pos ? "+" : "\u2212") + (e.delay ? " \u2016" : "") + (rank === 1 ? " ?" : "");
      v.font = { color: c };
      v.dashes = rank === 1 ? [2, 5] : rank === 2 ? [6, 4] : pos ? false : [10, 6];
      v.width = rank === 4 ? 3 : rank === 3 ? 2.2 : 1.5;
    } else if (e.text) {
      v.label = e.text[lang];
      v.font = { color: e.sign === "-" ? "#c62828" : "#2e7d32", size: 16 };
    }
    return v;
  }

  var stateFocus = false;
  function saveState() {
    var h = new URLSearchParams();
    if (lang !== D.lang) { h.set("lang", lang); }
    if (domain) { h.set("domain", domain); }
    var hide = Object.keys(hiddenCls).filter(function (k) { return hiddenCls[k]; });
    if (hide.length) { h.set("hide", hide.join(",")); }
    if (hasEvidence && level !== (LEVELS[D.evidence] || 1)) {
      h.set("evidence", Object.keys(LEVELS).filter(function (k) { return LEVELS[k] === level; })[0]);
    }
    if (grouping !== (D.grouping || "")) { h.set("group", grouping || "none"); }
    var open = Object.keys(opened).filter(function (k) { return opened[k]; });
    if (open.length) { h.set("open", open.join(",")); }
    if (activeLoop) { h.set("loop", activeLoop); }
    else if (network && network.getSelectedNodes().length === 1 && byId[network.getSelectedNodes()[0]]) {
      h.set("node", network.getSelectedNodes()[0]);
    }
    var hash = h.toString();
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (err) { /* sandboxed */ }
  }
  function readState() {
    var h = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (h.get("lang") === "en" || h.get("lang") === "ja") { lang = h.get("lang"); }
    if (h.get("domain") && D.domains[h.get("domain")]) { domain = h.get("domain"); }
    (h.get("hide") || "").split(",").forEach(function (k) { if (k && D.classes[k]) { hiddenCls[k] = true; } });
    if (h.get("evidence") && LEVELS[h.get("evidence")]) { level = LEVELS[h.get("evidence")]; }
    grouping = D.grouping || "";
    if (h.get("group")) { grouping = h.get("group") === "none" ? "" : (D.groups && D.groups[h.get("group")] ? h.get("group") : grouping); }
    (h.get("open") || "").split(",").forEach(function (k) { if (k) { opened[k] = true; } });
    return h;
  }
  var initial = readState();

  var nodes = new vis.DataSet(D.nodes.map(nodeView));
  var edges = new vis.DataSet(D.edges.map(edgeView));
  var options = window.impactkgOptions(D, levels);
  var network = null;
  var view = null;  // readable labels and export (map-view.js)
  var state = { settled: !D.physics, ready: false };


  function markReady() {
    network.once("afterDrawing", function () {
      state.ready = true;
      document.body.setAttribute("data-state", "ready");
    });
    // A map laid out in Python draws once, in the frame its fit has asked for (drawing now as
    // well would draw a large map twice before it answers a click); after a physics layout the
    // network draws now.
    if (D.physics) { network.redraw(); } else { network.body.emitter.emit("_requestRedraw"); }
  }
  function settle() {
    if (state.settled) { return; }
    state.settled = true;
    network.setOptions({ physics: { enabled: false } });
    afterLayout();
  }
  // A map laid out in Python has just been fitted by the network as its data was set: every label
  // measured (the groups made since follow the zoom: the fit measures them at each step).
  function afterLayout() {
    if (!D.physics) { applyGrouping(); }
    applyState();
    if (!stateFocus) { view.fitAll(!D.physics); }
    markReady();
  }

  // ------------------------------------------------------------------ panels
  function counts() {
    $("ikg-counts").textContent = D.nodes.length + " " + ui("nodes") + " \u00b7 " + D.edges.length + " " + ui("edges");
  }
  function details(title, lines) {
    var box = clear($("ikg-details"));
    box.appendChild(el("h3", null, title));
    var ul = el("ul");
    lines.forEach(function (line) { ul.appendChild(el("li", null, line)); });
    box.appendChild(ul);
  }
  function nodeDetails(n) { details(n.full[lang], n.info[lang]); }
  function legend() {
    var box = clear($("ikg-legend"));
    var used = {};
    D.nodes.forEach(function (n) { used[n.cls] = (used[n.cls] || 0) + 1; });
    Object.keys(D.classes).forEach(function (cls) {
      if (!used[cls]) { return; }
      var row = el("label", "ikg-row");
      var box2 = el("input");
      box2.type = "checkbox";
      box2.checked = !hiddenCls[cls];
      box2.setAttribute("data-cls", cls);
      box2.addEventListener("change", function () { hiddenCls[cls] = !box2.checked; refresh(); saveState(); });
      var sw = el("span", "ikg-sw");
      sw.style.background = style(cls).color;
      sw.style.borderColor = style(cls).border;
      row.appendChild(box2);
      row.appendChild(sw);
      row.appendChild(el("span", null, D.classes[cls][lang] + " (" + used[cls] + ")"));
      box.appendChild(row);
    });
  }
  function links() {
    var box = clear($("ikg-links"));
    Object.keys(D.relations).forEach(function (rel) {
      var row = el("div", "ikg-row");
      row.setAttribute("data-rel", rel);
      row.appendChild(window.impactkgRelSample(relStyle(rel)));
      row.appendChild(el("span", null, D.relations[rel][lang]));
      box.appendChild(row);
    });
    if (D.relations["causal+"] || D.relations["causal-"]) {
      box.appendChild(el("p", "ikg-muted", ui("delay")));
      if (hasEvidence) { window.impactkgEvidenceSamples(ui).forEach(function (row) { box.appendChild(row); }); }
      box.appendChild(el("p", "ikg-muted", ui("inferred")));
    }
  }
  function domains() {
    var sel = clear($("ikg-domain"));
    var all = el("option", null, ui("all"));
    all.value = "";
    sel.appendChild(all);
    Object.keys(D.domains).forEach(function (key) {
      var o = el("option", null, D.domains[key][lang]);
      o.value = key;
      sel.appendChild(o);
    });
    sel.value = domain;
    var show = Object.keys(D.domains).length > 0;
    sel.style.display = show ? "" : "none";
    $("ikg-h-domain").style.display = show ? "" : "none";
  }
  function groupings() {
    var sel = clear($("ikg-group"));
    var keys = Object.keys(D.groups || {});
    [""].concat(keys).forEach(function (key) {
      var o = el("option", null, key ? D.groups[key].name[lang] : ui("ungrouped"));
      o.value = key;
      sel.appendChild(o);
    });
    sel.value = grouping;
    sel.style.display = keys.length ? "" : "none";
    $("ikg-h-group").style.display = keys.length ? "" : "none";
  }
  // Strongest evidence first: by the weakest link, then fewer inferred, doubtful and read links.
  function byEvidence(a, b) {
    var ca = a.counts || {}, cb = b.counts || {};
    return ((b.rank || 4) - (a.rank || 4)) || ((ca.inferred || 0) - (cb.inferred || 0))
      || ((ca.doubtful || 0) - (cb.doubtful || 0)) || ((ca.reading || 0) - (cb.reading || 0))
      || (a.nodes.length - b.nodes.length) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  }
  function evidenceText(loop) {
    var c = loop.counts;
    if (!c) { return ""; }
    var parts = [ui("stated") + " " + c.stated, ui("reading") + " " + c.reading];
    if (c.doubtful) { parts.push(ui("doubtful") + " " + c.doubtful); }
    parts.push(ui("inferred-short") + " " + c.inferred);
    var text = parts.join(" \u00b7 ");
    if (loop.weakestName && loop.rank < 4) { text += " \u2014 " + ui("weakest") + ": " + loop.weakestName[lang]; }
    return text;
  }
  function loops() {
    var box = clear($("ikg-loops"));
    var r = 0, b = 0, hidden = 0;
    D.loops.slice().sort(byEvidence).forEach(function (loop) {
      var off = typeof loop.rank === "number" && loop.rank < level;
      if (off) { hidden += 1; } else if (loop.polarity === "R") { r += 1; } else { b += 1; }
      var btn = el("button", "ikg-loop " + loop.polarity + " ev-" + (loop.rank || 4) + (activeLoop === loop.code ? " active" : ""));
      btn.appendChild(el("span", null, loop.name[lang]));
      if (loop.counts) { btn.appendChild(el("span", "ikg-ev", evidenceText(loop))); }
      btn.type = "button";
      btn.hidden = off;
      btn.setAttribute("data-loop", loop.code);
      btn.setAttribute("data-evidence", loop.status || "stated");
      btn.addEventListener("click", function () { showLoop(loop); });
      box.appendChild(btn);
    });
    if (hidden) { box.appendChild(el("p", "ikg-muted", ui("hidden-loops") + ": " + hidden)); }
    $("ikg-h-loops").textContent = ui("loops") + " (R " + r + " \u00b7 B " + b + ")";
    var show = D.loops.length > 0;
    box.style.display = show ? "" : "none";
    $("ikg-h-loops").style.display = show ? "" : "none";
  }
  function evidenceFilter() {
    var sel = clear($("ikg-evidence"));
    ["inferred", "doubtful", "reading", "stated"].forEach(function (key) {
      var o = el("option", null, ui("ev-" + key));
      o.value = key;
      o.selected = LEVELS[key] === level;
      sel.appendChild(o);
    });
    sel.style.display = hasEvidence ? "" : "none";
    $("ikg-h-evidence").style.display = hasEvidence ? "" : "none";
    $("ikg-h-evidence").textContent = ui("evidence");
  }
  function leverage() {
    var list = clear($("ikg-leverage"));
    D.leverage.forEach(function (p) {
      var n = byId[p.node];
      if (!n) { return; }
      var li = el("li");
      var a = el("button", "ikg-loop", n.full[lang] + " \u2014 " + p.score.toFixed(2));
      a.type = "button";
      a.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(a);
      list.appendChild(li);
    });
    var show = D.leverage.length > 0;
    list.style.display = show ? "" : "none";
    $("ikg-h-leverage").style.display = show ? "" : "none";
  }
  function notes() {
    var list = clear($("ikg-notes"));
    D.notes.forEach(function (t) { list.appendChild(el("li", null, t[lang])); });
    $("ikg-h-notes").style.display = D.notes.length ? "" : "none";
  }
  function texts() {
    document.documentElement.lang = lang;
    document.title = D.title[lang];
    $("ikg-title").textContent = D.title[lang];
    $("ikg-search").placeholder = ui("search");
    $("ikg-go").textContent = ui("go");
    $("ikg-lang").textContent = ui("toggle");
    $("ikg-fit").textContent = ui("fit");
    $("ikg-png").textContent = ui("png");
    $("ikg-svg").textContent = ui("svg");
    ["details", "leverage", "domain", "legend", "links", "notes", "group"].forEach(function (k) {
      $("ikg-h-" + k).textContent = ui(k);
    });
    if (!$("ikg-details").firstChild) { $("ikg-details").appendChild(el("p", "ikg-muted", ui("hint"))); }
  }
  function render() {
    texts(); counts(); legend(); links(); evidenceFilter(); domains(); groupings(); loops(); leverage(); notes();
  }

  // ------------------------------------------------------------------ grouping (finance map)
  // Cases grouped by a facet (finance method or provider): one node per group, opened on click.
  function clusterId(key) { return "group:" + grouping + ":" + key; }
  function applyGrouping() {
    if (!network) { return; }
    network.body.nodeIndices.slice().forEach(function (id) { if (network.isCluster(id)) { network.openCluster(id); } });
    if (!grouping || !D.groups || !D.groups[grouping]) { return; }
    var spec = D.groups[grouping];
    var members = {};
    D.nodes.forEach(function (n) {
      var key = n.groups && n.groups[grouping];
      if (key && !isHidden(n)) { (members[key] = members[key] || []).push(n.id); }
    });
    Object.keys(members).forEach(function (key) {
      if (members[key].length < 2 || opened[key]) { return; }
      var label = (spec.labels[key] || { ja: key, en: key })[lang];
      var s = style(spec.cls);
      network.cluster({
        joinCondition: function (o) {
          var n = byId[o.id];
          return Boolean(n) && Boolean(n.groups) && n.groups[grouping] === key && !isHidden(n);
        },
        clusterNodeProperties: {
          id: clusterId(key), label: label + " \u00d7 " + members[key].length, shape: "box",
          color: { background: s.color, border: s.border }, borderWidth: 2, tier: 1,
          font: { size: D.fontSize + 2, face: D.fontFace, color: "#1a1a1a" },
          title: ui("open-group")
        }
      });
    });
  }

  // ------------------------------------------------------------------ the view's state in the URL
  function applyState() {
    var loop = initial.get("loop") && D.loops.filter(function (x) { return x.code === initial.get("loop"); })[0];
    if (loop) { stateFocus = true; showLoop(loop); return; }
    var node = initial.get("node");
    if (node && byId[node]) { stateFocus = true; focusNode(node); }
  }

  // ------------------------------------------------------------------ actions
  function refresh() {
    nodes.update(D.nodes.map(function (n) { return { id: n.id, hidden: isHidden(n) }; }));
    applyGrouping();
  }
  function setEvidence(key) {
    level = LEVELS[key] || 1;
    edges.update(D.edges.filter(function (e) { return typeof e.rank === "number"; })
      .map(function (e) { return { id: e.id, hidden: e.rank < level }; }));
    if (activeLoop) {
      var current = D.loops.filter(function (x) { return x.code === activeLoop; })[0];
      if (current && current.rank < level) { activeLoop = null; network.unselectAll(); }
    }
    evidenceFilter();
    loops();
    saveState();
  }
  function setGrouping(key) {
    grouping = key;
    opened = {};
    applyGrouping();
    view.fitAll();
    saveState();
  }
  function openGroup(id) {
    var key = id.split(":").slice(2).join(":");
    opened[key] = true;
    network.openCluster(id);
    saveState();
  }
  function focusNode(id) {
    activeLoop = null;
    var key = grouping && byId[id] && byId[id].groups && byId[id].groups[grouping];
    if (key && network.findNode(id).length > 1) { openGroup(clusterId(key)); }
    network.unselectAll();
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false });
    view.adjustLabels();
    nodeDetails(byId[id]);
    loops();
    saveState();
  }
  function search(q) {
    var k = norm(q);
    if (!k) { return null; }
    var best = null, score = 0;
    D.nodes.forEach(function (n) {
      if (isHidden(n)) { return; }
      var names = [n.full.ja, n.full.en, n.key].map(norm);
      var s = names.indexOf(k) >= 0 ? 3 : names.some(function (x) { return x.indexOf(k) === 0; }) ? 2
            : names.some(function (x) { return x.indexOf(k) >= 0; }) ? 1 : 0;
      if (s > score) { best = n; score = s; }
    });
    var status = $("ikg-search-status");
    if (best) {
      focusNode(best.id);
      status.textContent = ui("found") + ": " + best.full[lang];
    } else {
      status.textContent = ui("notfound") + ": " + q;
    }
    return best ? best.id : null;
  }
  function showLoop(loop) {
    activeLoop = loop.code;
    network.setSelection({ nodes: loop.nodes, edges: loop.edges }, { unselectAll: true, highlightEdges: false });
    network.fit({ nodes: loop.nodes, animation: false });
    if (network.getScale() > 1.2) { network.moveTo({ scale: 1.2, animation: false }); }
    view.adjustLabels();
    var lines = loop.nodes.map(function (id) { return byId[id] ? byId[id].full[lang] : id; });
    details(loop.name[lang], lines);
    loops();
    saveState();
  }
  function setLang(l) {
    lang = l === "en" ? "en" : "ja";
    nodes.update(D.nodes.map(function (n) { return { id: n.id, label: n.label[lang], title: n.info[lang].join("\n") }; }));
    edges.update(D.edges.map(function (e) {
      var u = { id: e.id, title: e.info[lang].join("\n") };
      if (e.text) { u.label = e.text[lang]; }
      return u;
    }));
    clear($("ikg-details"));
    render();
    applyGrouping();
    saveState();
  }


  // ------------------------------------------------------------------ start
  function start() {
    network = new vis.Network($("ikg-map"), { nodes: new vis.DataSet(), edges: new vis.DataSet() }, options);
    network.on("stabilizationIterationsDone", settle);
    network.on("stabilized", settle);
    network.setData({ nodes: nodes, edges: edges });
    // After setData: the view reads the links the network draws.
    view = window.impactkgView(network, nodes, D, byId, baseSize);
    network.on("zoom", view.adjustLabels);
    // Groups are made before the layout settles, so that it places them, not their cases.
    if (D.physics) { applyGrouping(); } else { afterLayout(); }
    network.on("click", function (p) {
      if (p.nodes.length && network.isCluster(p.nodes[0])) { openGroup(p.nodes[0]); return; }
      if (p.nodes.length && byId[p.nodes[0]]) { activeLoop = null; nodeDetails(byId[p.nodes[0]]); loops(); saveState(); }
    });
    window.impactkgMap = {
      network: network, nodes: nodes, edges: edges, data: D, state: state,
      search: search, showLoop: showLoop, setLang: setLang, focusNode: focusNode, setEvidence: setEvidence,
      setGrouping: setGrouping, fit: function () { view.fitAll(); }, labelSizes: view.labelSizes, svg: view.svg, png: view.png,
      lang: function () { return lang; }, evidence: function () { return level; }, grouping: function () { return grouping; }
    };
  }

  $("ikg-search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("ikg-search").value); });
  $("ikg-lang").addEventListener("click", function () { setLang(lang === "ja" ? "en" : "ja"); });
  $("ikg-fit").addEventListener("click", function () { view.fitAll(); });
  $("ikg-png").addEventListener("click", function () { view.exportPng(); });
  $("ikg-svg").addEventListener("click", function () { view.exportSvg(); });
  $("ikg-domain").addEventListener("change", function () { domain = $("ikg-domain").value; refresh(); saveState(); });
  $("ikg-evidence").addEventListener("change", function () { setEvidence($("ikg-evidence").value); });
  $("ikg-group").addEventListener("change", function () { setGrouping($("ikg-group").value); });
  if (lang !== D.lang) { nodes.update(D.nodes.map(function (n) { return { id: n.id, label: n.label[lang], title: n.info[lang].join("\n") }; })); }
  // The canvas draws text once: the network starts when the embedded Japanese font is ready
  // (the page's head has been decoding it, map-font.js). The panels are filled after it: a map
  // laid out in Python right after its first drawing (in the same frame, before the page is
  // painted), a map laid out by forces at once (it is drawn once it has settled).
  function begin() {
    start();
    if (D.physics) { render(); } else { network.once("afterDrawing", render); }
  }
  var sample = D.nodes.slice(0, 50).map(function (n) { return n.label.ja; }).join("") || "\u3042";
  var font = D.fontSize + 'px "' + D.fontFamily + '"';
  if (!document.fonts || !D.fontFamily || document.fonts.check(font, sample)) { begin(); }
  else { document.fonts.load(font, sample).then(begin, begin); }
})();
