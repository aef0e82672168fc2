// The page script of the interactive maps (impactkg.graph.maps.view): legend and filters, search,
// feedback loops and their evidence, readable labels at every zoom, grouping of finance cases,
// the view's state in the URL (#lang=en&node=...&loop=R1) and export of the view to PNG and SVG.
// Every text from the data is written with textContent or drawn on the canvas, never parsed.
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
  // On-screen label sizes (px): the most important nodes never below TIER1, the next ones not
  // below TIER2 once the view is not too far out; the rest at their natural size.
  var TIER1 = 12, TIER2 = 10, TIER2_FROM = 0.45;

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
  function nodeView(n) {
    var s = style(n.cls);
    var focus = D.highlight.indexOf(n.id) >= 0;
    var v = {
      id: n.id, label: n.label[lang], title: n.info[lang].join("\n"), shape: s.shape,
      color: { background: s.color, border: focus ? "#000000" : s.border,
               highlight: { background: s.highlight, border: "#000000" },
               hover: { background: s.highlight, border: "#333333" } },
      font: { color: "#1a1a1a", size: baseSize(n), face: D.fontFace },
      size: n.size || 16, borderWidth: focus ? 4 : 1,
      hidden: isHidden(n), tier: n.tier || 3, cls: n.cls, groups: n.groups || {}
    };
    if (typeof n.x === "number") { v.x = n.x; v.y = n.y; }
    if (levels) { v.level = n.level; }
    return v;
  }
  function relStyle(rel) { return D.edgeStyles[rel] || D.edgeStyles[""]; }
  function edgeView(e) {
    var s = relStyle(e.rel);
    var v = { id: e.id, from: e.from, to: e.to, title: e.info[lang].join("\n"),
              arrows: s.arrow === "none" ? "" : { to: { enabled: true, type: s.arrow || "arrow" } },
              width: s.width, dashes: s.dashes,
              color: { color: s.color, highlight: "#000000", hover: s.color },
              hidden: typeof e.rank === "number" && e.rank < level };
    if (e.polarity === "+" || e.polarity === "-") {
      var pos = e.polarity === "+";
      var c = s.color;
      // Evidence: stated thick and solid (negative dashed), a reading medium, doubtful OCR
      // dashed, an inference thin and dotted; the sign stays in the colour and the label.
      var rank = typeof e.rank === "number" ? e.rank : (e.inferred ? 1 : 4);
      v.color = { color: c, highlight: pos ? "#0d3d10" : "#7a0000", hover: c, opacity: rank >= 3 ? 1 : 0.6 };
      v.label = (pos ? "+" : "\u2212") + (e.delay ? " \u2016" : "") + (rank === 1 ? " ?" : "");
      v.font = { color: c, size: 20, bold: true, strokeWidth: 4, strokeColor: "#ffffff", align: "top", face: D.fontFace };
      v.dashes = rank === 1 ? [2, 5] : rank === 2 ? [6, 4] : pos ? false : [10, 6];
      v.width = rank === 4 ? 3 : rank === 3 ? 2.2 : 1.5;
    } else if (e.text) {
      v.label = e.text[lang];
      v.font = { color: e.sign === "-" ? "#c62828" : "#2e7d32", size: 16, bold: true, strokeWidth: 4,
                 strokeColor: "#ffffff", align: "top", face: D.fontFace };
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
  var stabilization = { enabled: true, iterations: 800, updateInterval: 50, fit: true };
  var options = {
    autoResize: true,
    layout: levels
      ? { hierarchical: { enabled: true, direction: "LR", levelSeparation: D.levelSeparation, nodeSpacing: D.nodeSpacing,
                          treeSpacing: 40 } }
      : { improvedLayout: D.nodes.length <= 150, randomSeed: 7 },
    physics: !D.physics ? { enabled: false } : levels
      ? { enabled: true, solver: "hierarchicalRepulsion", hierarchicalRepulsion: { nodeDistance: D.nodeSpacing + 20, avoidOverlap: 1 },
          stabilization: stabilization }
      : { enabled: true, solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -80, springLength: 130, avoidOverlap: 0.5 },
          stabilization: stabilization },
    interaction: { hover: true, tooltipDelay: 120, multiselect: true, navigationButtons: false, keyboard: false },
    nodes: { scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: { enabled: true, type: "continuous", roundness: 0.3 }, selectionWidth: 2 }
  };
  var network = null;
  var state = { settled: !D.physics, ready: false };

  // ------------------------------------------------------------------ readable labels
  // Font sizes in the network's units so that, on screen, the most important labels stay
  // readable at any zoom (see TIER1, TIER2).
  function fontFor(v, scale) {
    var n = byId[v.id];
    var base = n ? baseSize(n) : D.fontSize;
    if (v.tier === 1) { return Math.max(base, TIER1 / scale); }
    if (v.tier === 2 && scale >= TIER2_FROM) { return Math.max(base, TIER2 / scale); }
    return base;
  }
  var lastScale = null;
  function adjustLabels() {
    var scale = network.getScale();
    if (lastScale !== null && Math.abs(scale - lastScale) / lastScale < 0.02) { return; }
    lastScale = scale;
    nodes.update(nodes.get().map(function (v) {
      return { id: v.id, font: { color: "#1a1a1a", size: fontFor(v, scale), face: D.fontFace } };
    }));
    network.body.nodeIndices.forEach(function (id) {
      if (network.isCluster(id)) {
        network.updateClusteredNode(id, { font: { size: Math.max(D.fontSize + 2, TIER1 / scale), face: D.fontFace, color: "#1a1a1a" } });
      }
    });
  }
  function shownIds() {
    return network.body.nodeIndices.filter(function (id) {
      var node = network.body.nodes[id];
      return node && !node.options.hidden;
    });
  }
  // Fit every shown node and its label inside the canvas, with a margin: labels grow as the
  // view zooms out, so this converges in a few steps.
  function fitAll() {
    network.fit({ animation: false });
    var canvas = network.canvas.frame.canvas;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    for (var i = 0; i < 4; i++) {
      lastScale = null;
      adjustLabels();
      network.redraw();
      var box = null;
      shownIds().forEach(function (id) {
        var b = network.getBoundingBox(id);
        if (!b) { return; }
        box = box ? { left: Math.min(box.left, b.left), right: Math.max(box.right, b.right),
                      top: Math.min(box.top, b.top), bottom: Math.max(box.bottom, b.bottom) } : b;
      });
      if (!box) { return; }
      var scale = Math.min(w / (box.right - box.left + 1), h / (box.bottom - box.top + 1)) * 0.94;
      network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale: scale,
                       animation: false });
    }
    adjustLabels();
  }
  // What a reader sees: each shown node's label size on screen (px), whether it is drawn, and
  // its box on screen (for the tests and for a reader's own checks).
  function labelSizes() {
    var scale = network.getScale();
    return shownIds().map(function (id) {
      var node = network.body.nodes[id];
      var px = node.labelModule.fontOptions.size * scale;
      var b = network.getBoundingBox(id);
      var tl = network.canvasToDOM({ x: b.left, y: b.top }), br = network.canvasToDOM({ x: b.right, y: b.bottom });
      return { id: id, tier: network.isCluster(id) ? 1 : (byId[id] && byId[id].tier) || 3, px: px,
               drawn: Boolean(node.options.label) && px >= 6, box: [tl.x, tl.y, br.x, br.y] };
    });
  }

  function markReady() {
    network.once("afterDrawing", function () {
      state.ready = true;
      document.body.setAttribute("data-state", "ready");
    });
    network.redraw();
  }
  function settle() {
    if (state.settled) { return; }
    state.settled = true;
    network.setOptions({ physics: { enabled: false } });
    afterLayout();
  }
  function afterLayout() {
    if (!D.physics) { applyGrouping(); }
    applyState();
    if (!stateFocus) { fitAll(); }
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
  var SVG = "http://www.w3.org/2000/svg";
  // A sample of a relation's line as the graph draws it: colour, width, dashes and arrowhead.
  function relSample(rel) {
    var s = relStyle(rel);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "ikg-rel");
    svg.setAttribute("viewBox", "0 0 44 14");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "7"); line.setAttribute("x2", s.arrow === "none" ? "43" : "34");
    line.setAttribute("y2", "7");
    line.setAttribute("stroke", s.color);
    line.setAttribute("stroke-width", String(Math.min(s.width, 4)));
    if (s.dashes) { line.setAttribute("stroke-dasharray", s.dashes.join(" ")); }
    svg.appendChild(line);
    if (s.arrow !== "none") {
      var head = document.createElementNS(SVG, s.arrow === "circle" ? "circle" : "path");
      if (s.arrow === "circle") { head.setAttribute("cx", "38"); head.setAttribute("cy", "7"); head.setAttribute("r", "4"); }
      else if (s.arrow === "bar") { head.setAttribute("d", "M 38 1 L 38 13"); head.setAttribute("stroke", s.color); head.setAttribute("stroke-width", "3"); }
      else { head.setAttribute("d", "M 33 2 L 43 7 L 33 12 z"); }
      head.setAttribute("fill", s.color);
      svg.appendChild(head);
    }
    svg.setAttribute("data-color", s.color);
    svg.setAttribute("data-dashes", s.dashes ? s.dashes.join(",") : "");
    svg.setAttribute("data-width", String(s.width));
    svg.setAttribute("data-arrow", s.arrow || "arrow");
    return svg;
  }
  function links() {
    var box = clear($("ikg-links"));
    Object.keys(D.relations).forEach(function (rel) {
      var row = el("div", "ikg-row");
      row.setAttribute("data-rel", rel);
      row.appendChild(relSample(rel));
      row.appendChild(el("span", null, D.relations[rel][lang]));
      box.appendChild(row);
    });
    if (D.relations["causal+"] || D.relations["causal-"]) {
      box.appendChild(el("p", "ikg-muted", ui("delay")));
      if (hasEvidence) {
        [["stated", "solid", 3], ["reading", "solid", 2], ["doubtful", "dashed", 2], ["inferred-short", "dotted", 2]]
          .forEach(function (s) {
            var row = el("div", "ikg-row");
            var line = el("span", "ikg-line");
            line.style.borderTop = s[2] + "px " + s[1] + " #2e7d32";
            row.appendChild(line);
            row.appendChild(el("span", null, ui(s[0])));
            row.setAttribute("data-evidence-key", s[0]);
            box.appendChild(row);
          });
      }
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
    fitAll();
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
    adjustLabels();
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
    adjustLabels();
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

  // ------------------------------------------------------------------ export of the view
  function download(href, name) {
    var a = el("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  // The canvas as it is on screen, on white.
  function pngDataUrl() {
    var canvas = network.canvas.frame.canvas;
    var out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    return out.toDataURL("image/png");
  }
  function xml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  // The view as SVG: the shown nodes and links where they are on screen, the labels as text (in
  // the embedded Japanese font), links drawn with their relation's colour, dashes and arrowhead.
  function svgText() {
    var canvas = network.canvas.frame.canvas;
    var w = canvas.clientWidth, h = canvas.clientHeight, scale = network.getScale();
    var fontCss = document.getElementById("ikg-font") ? document.getElementById("ikg-font").textContent : "";
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h + '">',
      "<style>" + fontCss + " text{font-family:" + D.fontFace + ";}</style>",
      '<rect width="100%" height="100%" fill="#ffffff"/>'];
    network.body.edgeIndices.forEach(function (id) {
      var edge = network.body.edges[id];
      if (!edge || edge.options.hidden || !edge.from || !edge.to || edge.from.options.hidden || edge.to.options.hidden) { return; }
      var a = network.canvasToDOM({ x: edge.from.x, y: edge.from.y }), b = network.canvasToDOM({ x: edge.to.x, y: edge.to.y });
      var o = edge.options, color = o.color && o.color.color ? o.color.color : "#999999";
      var dash = Array.isArray(o.dashes) ? ' stroke-dasharray="' + o.dashes.join(" ") + '"' : o.dashes ? ' stroke-dasharray="5 5"' : "";
      out.push('<line class="link" x1="' + a.x.toFixed(1) + '" y1="' + a.y.toFixed(1) + '" x2="' + b.x.toFixed(1) + '" y2="' + b.y.toFixed(1) +
        '" stroke="' + xml(color) + '" stroke-width="' + Math.max(0.5, o.width * scale).toFixed(2) + '"' + dash + "/>");
      if (o.arrows && o.arrows.to && o.arrows.to.enabled) {
        var ang = Math.atan2(b.y - a.y, b.x - a.x), r = 8 * Math.max(scale, 0.4);
        var tip = { x: b.x - Math.cos(ang) * 12 * scale, y: b.y - Math.sin(ang) * 12 * scale };
        out.push('<path d="M ' + tip.x.toFixed(1) + " " + tip.y.toFixed(1) + " L " + (tip.x - r * Math.cos(ang - 0.4)).toFixed(1) + " " +
          (tip.y - r * Math.sin(ang - 0.4)).toFixed(1) + " L " + (tip.x - r * Math.cos(ang + 0.4)).toFixed(1) + " " +
          (tip.y - r * Math.sin(ang + 0.4)).toFixed(1) + ' z" fill="' + xml(color) + '"/>');
      }
      if (o.label) {
        out.push('<text x="' + ((a.x + b.x) / 2).toFixed(1) + '" y="' + ((a.y + b.y) / 2).toFixed(1) + '" font-size="' +
          ((o.font.size || 14) * scale).toFixed(1) + '" fill="' + xml(color) + '" text-anchor="middle">' + xml(o.label) + "</text>");
      }
    });
    shownIds().forEach(function (id) {
      var node = network.body.nodes[id], o = node.options;
      var p = network.canvasToDOM({ x: node.x, y: node.y });
      var bg = o.color && o.color.background ? o.color.background : "#dddddd", border = o.color && o.color.border ? o.color.border : "#666666";
      var fs = node.labelModule.fontOptions.size * scale, inside = o.shape === "box" || o.shape === "ellipse";
      var sw = node.shape.width ? node.shape.width * scale : 20, sh = node.shape.height ? node.shape.height * scale : 20;
      if (o.shape === "box") {
        out.push('<rect class="node" x="' + (p.x - sw / 2).toFixed(1) + '" y="' + (p.y - sh / 2).toFixed(1) + '" width="' + sw.toFixed(1) +
          '" height="' + sh.toFixed(1) + '" rx="4" fill="' + xml(bg) + '" stroke="' + xml(border) + '"/>');
      } else if (o.shape === "ellipse") {
        out.push('<ellipse class="node" cx="' + p.x.toFixed(1) + '" cy="' + p.y.toFixed(1) + '" rx="' + (sw / 2).toFixed(1) + '" ry="' +
          (sh / 2).toFixed(1) + '" fill="' + xml(bg) + '" stroke="' + xml(border) + '"/>');
      } else {
        out.push('<circle class="node" cx="' + p.x.toFixed(1) + '" cy="' + p.y.toFixed(1) + '" r="' + ((o.size || 16) * scale).toFixed(1) +
          '" fill="' + xml(bg) + '" stroke="' + xml(border) + '"/>');
      }
      if (o.label && fs >= 6) {
        var ty = inside ? p.y + fs * 0.35 : p.y + (o.size || 16) * scale + fs;
        out.push('<text x="' + p.x.toFixed(1) + '" y="' + ty.toFixed(1) + '" font-size="' + fs.toFixed(1) +
          '" text-anchor="middle" fill="#1a1a1a">' + xml(o.label) + "</text>");
      }
    });
    out.push("</svg>");
    return out.join("\n");
  }
  function exportPng() { download(pngDataUrl(), D.kind + ".png"); }
  function exportSvg() {
    download("data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText()), D.kind + ".svg");
  }

  // ------------------------------------------------------------------ start
  function start() {
    network = new vis.Network($("ikg-map"), { nodes: new vis.DataSet(), edges: new vis.DataSet() }, options);
    network.on("stabilizationIterationsDone", settle);
    network.on("stabilized", settle);
    network.on("zoom", adjustLabels);
    network.setData({ nodes: nodes, edges: edges });
    // Groups are made before the layout settles, so that it places them, not their cases.
    if (D.physics) { applyGrouping(); } else { afterLayout(); }
    network.on("click", function (p) {
      if (p.nodes.length && network.isCluster(p.nodes[0])) { openGroup(p.nodes[0]); return; }
      if (p.nodes.length && byId[p.nodes[0]]) { activeLoop = null; nodeDetails(byId[p.nodes[0]]); loops(); saveState(); }
    });
    window.impactkgMap = {
      network: network, nodes: nodes, edges: edges, data: D, state: state,
      search: search, showLoop: showLoop, setLang: setLang, focusNode: focusNode, setEvidence: setEvidence,
      setGrouping: setGrouping, fit: fitAll, labelSizes: labelSizes, svg: svgText, png: pngDataUrl,
      lang: function () { return lang; }, evidence: function () { return level; }, grouping: function () { return grouping; }
    };
  }

  $("ikg-search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("ikg-search").value); });
  $("ikg-lang").addEventListener("click", function () { setLang(lang === "ja" ? "en" : "ja"); });
  $("ikg-fit").addEventListener("click", function () { fitAll(); });
  $("ikg-png").addEventListener("click", exportPng);
  $("ikg-svg").addEventListener("click", exportSvg);
  $("ikg-domain").addEventListener("change", function () { domain = $("ikg-domain").value; refresh(); saveState(); });
  $("ikg-evidence").addEventListener("change", function () { setEvidence($("ikg-evidence").value); });
  $("ikg-group").addEventListener("change", function () { setGrouping($("ikg-group").value); });
  render();
  if (lang !== D.lang) { nodes.update(D.nodes.map(function (n) { return { id: n.id, label: n.label[lang], title: n.info[lang].join("\n") }; })); }
  // The canvas draws text once: wait for the embedded Japanese font before the first drawing.
  var sample = D.nodes.slice(0, 50).map(function (n) { return n.label.ja; }).join("");
  var fontReady = document.fonts && D.fontFamily ? document.fonts.load(D.fontSize + 'px "' + D.fontFamily + '"', sample || "\u3042") : null;
  if (fontReady) { fontReady.then(start, start); } else { start(); }
})();
