// How the interactive maps are drawn: the network's options, readable labels, the legend's line
// samples and export of the view. The page script (map.js) calls impactkgView(...) once its
// vis-network exists. Label font sizes follow the zoom so that the most important labels stay
// readable on screen (TIER1, TIER2 px); the fit keeps every shown node and label inside the
// canvas; the view is exported as PNG (the canvas) and SVG (the shown nodes and links, labels as
// text in the embedded Japanese font).
(function () {
  "use strict";
  // On-screen label sizes (px): the most important nodes never below TIER1, the next ones not
  // below TIER2 once the view is not too far out; the rest at their natural size.
  var TIER1 = 12, TIER2 = 10, TIER2_FROM = 0.45;
  // A dashed or dotted link keeps its dashes while its pattern is at least DASH_MIN px long on
  // screen. Shorter, the dashes cannot be told from a solid line, and drawing them (the canvas
  // draws each dash of each curve) cost 40 % of the drawing of a map of 10,000 nodes: such a link
  // is drawn solid, in its colour, width and opacity, and gets its dashes back as the view zooms
  // in. The links' data and the SVG export keep their patterns.
  var DASH_MIN = 2;
  // vis-network draws no link label under 4 px on screen (its edges' label drawThreshold, 5, less
  // one) but still measures and places every label at each drawing: a link whose label is that
  // small carries none in the network until the view zooms in (the data and the SVG export keep
  // it). At a 2,000-node map's default zoom, placing the unseen labels took a third of its first
  // drawing.
  var LABEL_MIN = 4;

  var SVG = "http://www.w3.org/2000/svg";
  // The legend's sample of a relation's line as the graph draws it (s: the relation's style from
  // view.py's edgeStyles): colour, width, dashes and arrowhead, as an SVG element.
  window.impactkgRelSample = function (s) {
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
  };

  // The legend's samples of the causal links' evidence (stated thick, a reading medium, doubtful
  // OCR dashed, an inference dotted), as rows; ui(key) gives the page's words.
  window.impactkgEvidenceSamples = function (ui) {
    return [["stated", "solid", 3], ["reading", "solid", 2], ["doubtful", "dashed", 2], ["inferred-short", "dotted", 2]]
      .map(function (s) {
        var row = document.createElement("div");
        row.className = "ikg-row";
        var line = document.createElement("span");
        line.className = "ikg-line";
        line.style.borderTop = s[2] + "px " + s[1] + " #2e7d32";
        var word = document.createElement("span");
        word.textContent = ui(s[0]);
        row.appendChild(line);
        row.appendChild(word);
        row.setAttribute("data-evidence-key", s[0]);
        return row;
      });
  };

  // The network's group of a node of kind cls: one group per kind of the map's styles (view.py's
  // node_style), "" for any other kind.
  window.impactkgGroup = function (D, cls) { return "ikg:" + (D.styles[cls] ? cls : ""); };

  // The network's options: logic models read left to right in levels (levels: every node has
  // one), other maps by forces; no physics where the layout was computed in Python. What most
  // nodes and links share is said here once (a node's kind is a group: its shape and colours),
  // not on every item: the network parses every option of every item before its first drawing.
  window.impactkgOptions = function (D, levels) {
    var stabilization = { enabled: true, iterations: 800, updateInterval: 50, fit: true };
    var groups = {};
    Object.keys(D.styles).forEach(function (cls) {
      var s = D.styles[cls];
      groups[window.impactkgGroup(D, cls)] = {
        shape: s.shape,
        color: { background: s.color, border: s.border, highlight: { background: s.highlight, border: "#000000" },
                 hover: { background: s.highlight, border: "#333333" } } };
    });
    return {
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
      groups: groups,
      nodes: { scaling: { label: { drawThreshold: 6 } }, size: 16, borderWidth: 1,
               font: { color: "#1a1a1a", size: D.fontSize, face: D.fontFace } },
      edges: { smooth: { enabled: true, type: "continuous", roundness: 0.3 }, selectionWidth: 2,
               arrows: { to: { enabled: true, type: "arrow" } },
               font: { size: 20, strokeWidth: 4, strokeColor: "#ffffff", align: "top", face: D.fontFace } }
    };
  };

  // network: the vis.Network; nodes: its node DataSet; D: the map's data (view.py's payload);
  // byId: data nodes by id; baseSize(node): a node's natural font size in the network's units.
  window.impactkgView = function (network, nodes, D, byId, baseSize) {
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
    // Whether the zoom moved by 2 % or more since the labels were last set for it.
    function moved(scale) { return lastScale === null || Math.abs(scale - lastScale) / lastScale >= 0.02; }
    // Only the labels of tiers 1 and 2 follow the zoom. Their fonts are set on the network's
    // nodes, not through the DataSet: a DataSet update makes a network without physics draw
    // itself at once and again in its next frame, and a map of 10,000 nodes took seconds to fit.
    // given: the size each label was last given, so that a zoom touches only the labels whose
    // size changes; the network then draws once, in its next frame.
    var scaled = D.nodes.filter(function (n) { return n.tier === 1 || n.tier === 2; });
    var given = {};
    var resized = null;  // while the fit runs: the nodes whose label size it changed
    function setFont(id, size) {
      var node = network.body.nodes[id];
      if (node) {
        node.setOptions({ font: { color: "#1a1a1a", size: size, face: D.fontFace } });
        if (resized) { resized.push(node); }
      }
    }
    // ------------------------------------------------------------------ dashes and link labels at this zoom
    // Two options of a link follow the zoom: its dashes (drawn solid under DASH_MIN) and its label
    // (left out under LABEL_MIN). Both are set on the network's edges, not through the DataSet
    // (see above). A change of a link's data (shown or hidden, language) makes the network take
    // all its options again, so the link is then set again for the current zoom.
    var edgeData = network.body.data.edges;
    // One such option: values holds each link's option as its data gives it; tooSmall(edge, value,
    // scale) says when it cannot be seen; put(edge, value or undefined) sets it on the network's
    // edge. Returns set(id, scale, again): 1 if the link changed (or again is true), else 0.
    function zoomRule(values, tooSmall, put) {
      var off = {};
      return function (id, scale, again) {
        var edge = network.body.edges[id], value = values[id];
        if (!edge || value === undefined) { return 0; }
        var small = tooSmall(edge, value, scale);
        if (!again && Boolean(off[id]) === small) { return 0; }
        off[id] = small;
        put(edge, small ? undefined : value);
        return 1;
      };
    }
    var patterns = {}, texts = {};
    edgeData.forEach(function (item) {
      if (Array.isArray(item.dashes) && item.dashes.length) { patterns[item.id] = item.dashes; }
      else if (item.dashes === true) { patterns[item.id] = [5, 5]; }  // vis-network's own pattern
      if (item.label) { texts[item.id] = item.label; }
    });
    var setDashes = zoomRule(patterns,
      function (edge, pattern, scale) { return pattern.reduce(function (a, b) { return a + b; }, 0) * scale < DASH_MIN; },
      function (edge, pattern) { edge.options.dashes = pattern || false; });
    var setLabel = zoomRule(texts,
      function (edge, text, scale) { return edge.options.font.size * scale < LABEL_MIN; },
      function (edge, text) { edge.options.label = text; });
    function adjustLinks(scale) {
      var changed = 0;
      Object.keys(patterns).forEach(function (id) { changed += setDashes(id, scale, false); });
      Object.keys(texts).forEach(function (id) { changed += setLabel(id, scale, false); });
      return changed;
    }
    // Registered after the network's own listener (the view is made after setData).
    edgeData.on("update", function (event, props) {
      var scale = network.getScale();
      props.items.forEach(function (id) {
        var item = edgeData.get(id);
        if (item && item.label) { texts[id] = item.label; } else { delete texts[id]; }
        setDashes(id, scale, true);
        setLabel(id, scale, true);
      });
    });
    // The pattern a link is drawn with when its dashes can be seen, and its label (for the SVG
    // export).
    function dashesOf(id, options) { return patterns[id] || options.dashes; }
    function labelOf(id, options) { return texts[id] !== undefined ? texts[id] : options.label; }

    // The labels of tiers 1 and 2 and of groups for the zoom scale; returns how many changed.
    function adjustNodes(scale) {
      var changed = 0;
      scaled.forEach(function (n) {
        var size = fontFor(n, scale);
        if (size !== (given[n.id] === undefined ? baseSize(n) : given[n.id])) {
          given[n.id] = size;
          setFont(n.id, size);
          changed += 1;
        }
      });
      if (D.groups && Object.keys(D.groups).length) {
        network.body.nodeIndices.forEach(function (id) {
          if (network.isCluster(id)) { setFont(id, Math.max(D.fontSize + 2, TIER1 / scale)); changed += 1; }
        });
      }
      return changed;
    }
    // Labels and dashes for the current zoom; returns how many labels and links changed.
    function adjustLabels() {
      var scale = network.getScale();
      if (!moved(scale)) { return 0; }
      lastScale = scale;
      var changed = adjustLinks(scale) + adjustNodes(scale);
      if (changed) { network.body.emitter.emit("_requestRedraw"); }
      return changed;
    }
    function shownIds() {
      return network.body.nodeIndices.filter(function (id) {
        var node = network.body.nodes[id];
        return node && !node.options.hidden;
      });
    }
    // Fit every shown node and its label inside the canvas, with a margin: labels grow as the
    // view zooms out, so this converges in a few steps. The network's own fit measures every
    // label once (fitted: the network has just fitted itself, as it does when its data is set,
    // and nothing has changed since); each step then measures again only the labels whose size it
    // changed (of tiers 1 and 2, and groups), as the network's resize does, and draws nothing: the
    // links (which take no part in the extent) are set for the zoom at the end, and the network
    // draws once, in its next frame.
    var follows = {};
    scaled.forEach(function (n) { follows[n.id] = true; });
    function extent(ids, box) {
      ids.forEach(function (id) {
        var b = network.getBoundingBox(id);
        if (!b) { return; }
        if (b.left < box.left) { box.left = b.left; }
        if (b.right > box.right) { box.right = b.right; }
        if (b.top < box.top) { box.top = b.top; }
        if (b.bottom > box.bottom) { box.bottom = b.bottom; }
      });
      return box;
    }
    function fitAll(fitted) {
      if (fitted !== true) { network.fit({ animation: false }); }
      var canvas = network.canvas.frame.canvas;
      var w = canvas.clientWidth, h = canvas.clientHeight;
      var fixed = [], moving = [];
      shownIds().forEach(function (id) { (follows[id] || network.isCluster(id) ? moving : fixed).push(id); });
      var still = extent(fixed, { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity });
      var ctx = network.canvas.getContext();
      for (var i = 0; i < 4; i++) {
        resized = [];
        lastScale = network.getScale();
        adjustNodes(lastScale);
        resized.forEach(function (node) {
          node.resize(ctx);
          node.updateBoundingBox(ctx, node.selected);
        });
        resized = null;
        var box = extent(moving, { left: still.left, right: still.right, top: still.top, bottom: still.bottom });
        if (box.left === Infinity) { break; }
        var scale = Math.min(w / (box.right - box.left + 1), h / (box.bottom - box.top + 1)) * 0.94;
        var same = Math.abs(scale - network.getScale()) / network.getScale() < 0.001;
        network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale: scale, animation: false });
        if (same) { break; }
      }
      // The links for the zoom the fit chose; the labels too if it moved on by 2 % or more after
      // they were last set (as a zoom would).
      var now = network.getScale(), changed = adjustLinks(now);
      if (moved(now)) { lastScale = now; changed += adjustNodes(now); }
      if (changed) { network.body.emitter.emit("_requestRedraw"); }
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

    // ------------------------------------------------------------------ export of the view
    function download(href, name) {
      var a = document.createElement("a");
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
        var pattern = dashesOf(id, o);
        var dash = Array.isArray(pattern) ? ' stroke-dasharray="' + pattern.join(" ") + '"' : pattern ? ' stroke-dasharray="5 5"' : "";
        out.push('<line class="link" x1="' + a.x.toFixed(1) + '" y1="' + a.y.toFixed(1) + '" x2="' + b.x.toFixed(1) + '" y2="' + b.y.toFixed(1) +
          '" stroke="' + xml(color) + '" stroke-width="' + Math.max(0.5, o.width * scale).toFixed(2) + '"' + dash + "/>");
        if (o.arrows && o.arrows.to && o.arrows.to.enabled) {
          var ang = Math.atan2(b.y - a.y, b.x - a.x), r = 8 * Math.max(scale, 0.4);
          var tip = { x: b.x - Math.cos(ang) * 12 * scale, y: b.y - Math.sin(ang) * 12 * scale };
          out.push('<path d="M ' + tip.x.toFixed(1) + " " + tip.y.toFixed(1) + " L " + (tip.x - r * Math.cos(ang - 0.4)).toFixed(1) + " " +
            (tip.y - r * Math.sin(ang - 0.4)).toFixed(1) + " L " + (tip.x - r * Math.cos(ang + 0.4)).toFixed(1) + " " +
            (tip.y - r * Math.sin(ang + 0.4)).toFixed(1) + ' z" fill="' + xml(color) + '"/>');
        }
        var label = labelOf(id, o);
        if (label) {
          out.push('<text x="' + ((a.x + b.x) / 2).toFixed(1) + '" y="' + ((a.y + b.y) / 2).toFixed(1) + '" font-size="' +
            ((o.font.size || 14) * scale).toFixed(1) + '" fill="' + xml(color) + '" text-anchor="middle">' + xml(label) + "</text>");
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
    return { adjustLabels: adjustLabels, shownIds: shownIds, fitAll: fitAll, labelSizes: labelSizes,
             png: pngDataUrl, svg: svgText, exportPng: exportPng, exportSvg: exportSvg };
  };
})();
