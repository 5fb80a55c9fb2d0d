/* graphkit network view: the network, its labels, focus on a user, search.
 * Reads the graph from <script type="application/json" id="gk-graph">; controls.js adds the
 * filters, the time slider and the image export on top of window.gkView.
 * Safety: every string in that JSON that ends up in the page's HTML (the "tip" fields) was
 * escaped with html.escape in Python (graphkit.viz) before it was written; this script puts
 * only those strings into innerHTML. Everything else (ids in the search list, the neighbour
 * lists, labels) goes through textContent / DOM properties, or is drawn on the canvas as
 * plain text. */
(function () {
  "use strict";
  var holder = document.getElementById("gk-graph");
  var container = document.getElementById("gk-network");
  if (!holder || !container) { return; }
  performance.mark("gk-script");
  var data = JSON.parse(holder.textContent);
  performance.mark("gk-parsed");
  var meta = data.meta || {};
  var ROLE = { out: "#e8590c", "in": "#1971c2", both: "#7048e8" };
  var DIM_NODE = "#e4e7eb", DIM_EDGE = { color: "#c5ccd3", opacity: 0.12 };
  var LABEL_PX = 14;        // screen size of the drawn labels at the default zoom
  var THRESHOLD_PX = 7;     // vis-network hides a label below this screen size (drawThreshold - 1)

  function tipElement(escapedHtml) {
    var div = document.createElement("div");
    div.className = "gk-tip";
    div.innerHTML = escapedHtml;  // escaped by graphkit.viz (html.escape) -- see the header
    return div;
  }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  // ------------------------------------------------------------------ items and labels
  var N = data.nodes.length;
  var nodeData = [], out = [], inn = [];
  var nodeItems = data.nodes.map(function (n) {
    var item = Object.assign({}, n);
    ["tip", "uid", "s", "r", "gi", "nb", "nu", "hop"].forEach(function (k) { delete item[k]; });
    nodeData[n.id] = n;
    out[n.id] = []; inn[n.id] = [];
    return item;
  });
  var edgeItems = data.edges.map(function (e, i) {
    var item = Object.assign({ id: i }, e);
    ["tip", "c", "cb", "w", "p", "tb", "tu"].forEach(function (k) { delete item[k]; });
    out[e.from].push(i); inn[e.to].push(i);
    return item;
  });

  // Labels: at any zoom, the best users by score (meta.labels of them at the zoom the page
  // opens with, four times as many at twice that zoom, ...) whose label does not overlap
  // a better one's; the focused user, its neighbours and the hovered user come first.
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_PX + "px arial";
  var labelWidth = [];
  function widthOf(i) {
    if (labelWidth[i] === undefined) { labelWidth[i] = measure.measureText(String(nodeData[i].label || "")).width; }
    return labelWidth[i];
  }
  var allIds = data.nodes.map(function (n) { return n.id; });
  var byRank = allIds.slice().sort(function (a, b) {
    var ra = nodeData[a].r === undefined ? Infinity : nodeData[a].r;
    var rb = nodeData[b].r === undefined ? Infinity : nodeData[b].r;
    return ra - rb || a - b;
  });
  var topLabels = meta.labels === undefined ? 30 : meta.labels;
  var labelOn = new Array(N).fill(false), labelScale = 1;
  // vis-network fits the drawing to the canvas when it opens: predict that view
  var W = container.clientWidth || 800, H = container.clientHeight || 600;
  var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  data.nodes.forEach(function (n) {
    var sz = n.size || 10;
    minX = Math.min(minX, n.x - sz); maxX = Math.max(maxX, n.x + sz);
    minY = Math.min(minY, n.y - sz); maxY = Math.max(maxY, n.y + sz);
  });
  var scale0 = N ? Math.min(1, Math.max(1e-3, Math.min(W / (1.1 * Math.max(maxX - minX, 1)),
                                                       H / (1.1 * Math.max(maxY - minY, 1))))) : 1;
  function predicted(i) {
    var n = nodeData[i];
    return { x: (n.x - (minX + maxX) / 2) * scale0 + W / 2, y: (n.y - (minY + maxY) / 2) * scale0 + H / 2 };
  }
  function placeLabels(scale, toScreen, first) {
    var budget = Math.round(topLabels * Math.max(1, Math.pow(scale / scale0, 2)));
    var cell = 64, grid = {}, boxes = [];
    labelOn.fill(false);
    labelScale = scale;
    function tryPlace(i) {
      var p = toScreen(i), w = widthOf(i) / 2 + 2, top = p.y + (nodeData[i].size || 10) * scale;
      var box = [p.x - w, top, p.x + w, top + LABEL_PX + 3];
      var x0 = Math.floor(box[0] / cell), x1 = Math.floor(box[2] / cell);
      var y0 = Math.floor(box[1] / cell), y1 = Math.floor(box[3] / cell), gx, gy, k;
      for (gx = x0; gx <= x1; gx++) {
        for (gy = y0; gy <= y1; gy++) {
          var list = grid[gx + "," + gy];
          if (!list) { continue; }
          for (k = 0; k < list.length; k++) {
            var b = boxes[list[k]];
            if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) { return; }
          }
        }
      }
      boxes.push(box);
      for (gx = x0; gx <= x1; gx++) {
        for (gy = y0; gy <= y1; gy++) { (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(boxes.length - 1); }
      }
      labelOn[i] = true;
    }
    var first_ = first || [];
    first_.forEach(function (i) { if (nodeVisible[i] && !labelOn[i]) { tryPlace(i); } });
    for (var k = 0; k < byRank.length; k++) {
      var i = byRank[k], r = nodeData[i].r;
      if (r === undefined || r >= budget) { break; }
      if (!nodeVisible[i] || labelOn[i] || (focusId !== null && !relation[i] && i !== focusId)) { continue; }
      tryPlace(i);
    }
  }
  var nodeVisible = new Array(N).fill(true);
  var focusId = null, hoverId = null, relation = {};
  placeLabels(scale0, predicted);
  nodeItems.forEach(function (item) { item.font = { size: labelOn[item.id] ? LABEL_PX / scale0 : 0.01 }; });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  performance.mark("gk-items");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  performance.mark("gk-network");
  window.network = network;
  // white behind the drawing, so an exported PNG is not transparent
  network.on("beforeDrawing", function (ctx) {
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
  });

  // ------------------------------------------------------------------ tooltips
  // built when shown (not one element per item up front): a node's from its escaped "tip",
  // an edge's from its counts, as text
  function row(parent, key, value) {
    parent.appendChild(document.createElement("br"));
    parent.appendChild(text("span", key, "gk-k"));
    parent.appendChild(document.createTextNode(" " + value));
  }
  function edgeTip(j) {
    var e = data.edges[j];
    if (e.tip) { return tipElement(e.tip); }
    var a = nameOf(e.from), b = nameOf(e.to), div = document.createElement("div");
    div.className = "gk-tip";
    div.appendChild(text("b", a + " \u2192 " + b));
    if (meta.edge_tip === "influence") {
      row(div, "", a + "\u2019s posts reach " + b + " with probability " + fmt(e.p));
      row(div, b + " acted on " + a + ":", countsText(e.c) || "nothing");
    } else {
      row(div, a + " acted on " + b + ":", countsText(e.c) || "nothing");
      row(div, b + " acted on " + a + ":", countsText(e.cb) || "nothing");
    }
    return div;
  }
  var tipBox = document.createElement("div");
  tipBox.className = "gk-tooltip";
  tipBox.hidden = true;
  container.appendChild(tipBox);
  function showTip(el, pointer) {
    tipBox.replaceChildren(el);
    tipBox.hidden = false;
    var x = pointer.x + 14, y = pointer.y + 14;
    if (x + tipBox.offsetWidth > container.clientWidth) { x = Math.max(0, pointer.x - tipBox.offsetWidth - 10); }
    if (y + tipBox.offsetHeight > container.clientHeight) { y = Math.max(0, pointer.y - tipBox.offsetHeight - 10); }
    tipBox.style.left = x + "px"; tipBox.style.top = y + "px";
  }
  function hideTip() { tipBox.hidden = true; }
  network.on("hoverEdge", function (params) { showTip(edgeTip(params.edge), params.pointer.DOM); });
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ------------------------------------------------------------------ state and drawing
  var edgeVisible = new Array(data.edges.length).fill(true);
  var applied = { nodes: [], edges: [] };

  function nodeLook(i) {
    var n = nodeData[i], look = { id: i, hidden: !nodeVisible[i] };
    var role = null;
    if (focusId !== null) {
      role = relation[i] || null;
      if (i === focusId) { role = "focus"; }
    }
    if (focusId === null || role === "focus") {
      look.color = n.color; look.borderWidth = n.borderWidth || 1;
    } else if (role) {
      var bg = typeof n.color === "string" ? n.color : n.color.background;
      look.color = { background: bg, border: ROLE[role] }; look.borderWidth = 3;
    } else {
      look.color = DIM_NODE; look.borderWidth = 1;
    }
    look.font = { size: labelOn[i] ? LABEL_PX / labelScale : 0.01 };
    return look;
  }
  function edgeLook(j) {
    var e = data.edges[j], look = { id: j, hidden: !edgeVisible[j] };
    if (focusId === null) {
      look.color = e.color; look.width = e.width;
    } else if (e.from === focusId || e.to === focusId) {
      var c = e.from === focusId ? ROLE.out : ROLE["in"];
      look.color = { color: c, highlight: c, hover: c, opacity: 0.95 };
      look.width = Math.max(e.width || 1, 2);
    } else {
      look.color = DIM_EDGE; look.width = e.width;
    }
    return look;
  }
  // update only the items whose look changed since the last render
  function sync(kind, count, look, set) {
    var changed = [], last = applied[kind];
    for (var i = 0; i < count; i++) {
      var l = look(i), key = JSON.stringify(l);
      if (last[i] !== key) { last[i] = key; changed.push(l); }
    }
    if (changed.length) { set.update(changed); }
  }
  function sync1(i) {
    var l = nodeLook(i);
    applied.nodes[i] = JSON.stringify(l);
    nodes.update([l]);
  }
  var where = null;
  function screen(i) { return network.canvasToDOM(where[i]); }
  var panelShows = null, edgesShow = "null", hoverShown = null;
  function render(filtersChanged) {
    if (filtersChanged) { panelShows = null; }
    relation = {};
    if (focusId !== null) {
      out[focusId].forEach(function (j) { if (edgeVisible[j]) { relation[data.edges[j].to] = "out"; } });
      inn[focusId].forEach(function (j) {
        if (!edgeVisible[j]) { return; }
        var f = data.edges[j].from;
        relation[f] = relation[f] === "out" ? "both" : "in";
      });
    }
    var first = [];
    if (focusId !== null) {
      first.push(focusId);
      Object.keys(relation).map(Number).sort(function (a, b) { return (nodeData[a].r || 0) - (nodeData[b].r || 0); })
        .forEach(function (i) { first.push(i); });
    }
    where = network.getPositions(allIds);  // hidden nodes included (they may show now)
    placeLabels(network.getScale(), screen, first);
    hoverShown = null;
    sync("nodes", N, nodeLook, nodes);
    // edges change only with the filters and the focus (not with the zoom): skip them else
    var edgeState = filtersChanged ? null : String(focusId);
    if (edgeState === null || edgeState !== edgesShow) {
      sync("edges", data.edges.length, edgeLook, edges);
      edgesShow = String(focusId);
    }
    if (focusId !== null && panelShows !== focusId) { showFocus(); panelShows = focusId; }
    document.dispatchEvent(new CustomEvent("gk-rendered"));
  }
  // the first render starts from what the DataSets hold: record it without updating
  labelScale = scale0;
  for (var i0 = 0; i0 < N; i0++) { applied.nodes[i0] = JSON.stringify(nodeLook(i0)); }
  for (var j0 = 0; j0 < data.edges.length; j0++) { applied.edges[j0] = JSON.stringify(edgeLook(j0)); }

  // ------------------------------------------------------------------ focus panel
  var details = document.getElementById("gk-details");
  var panel = document.getElementById("gk-focus");
  function fmt(x) {
    if (typeof x !== "number" || !isFinite(x)) { return ""; }
    if (Number.isInteger(x)) { return x.toLocaleString("en-US"); }
    return Math.abs(x) >= 1000 ? x.toLocaleString("en-US", { maximumFractionDigits: 1 }) : x.toPrecision(4);
  }
  function countsText(c) {
    if (!c || !meta.types) { return ""; }
    var parts = [];
    c.forEach(function (k, t) { if (k) { parts.push(k.toLocaleString("en-US") + " " + meta.types[t]); } });
    return parts.join(", ");
  }
  function nameOf(i) { var n = nodeData[i]; return n.uid !== undefined ? n.uid : String(n.label); }
  function phrase(key, el) {  // "{u} acted on" with the focused user's id, as text (isolated)
    var parts = (meta.words && meta.words[key] ? meta.words[key] : "{u}").split("{u}");
    el.replaceChildren();
    parts.forEach(function (p, k) {
      if (k) { el.appendChild(text("bdi", nameOf(focusId))); }
      if (p) { el.appendChild(document.createTextNode(p)); }
    });
  }
  var LIST_MAX = 200;
  function neighbourList(listId, titleId, key, edgeIds, other) {
    var list = document.getElementById(listId), title = document.getElementById(titleId);
    if (!list || !title) { return; }
    var rows = edgeIds.filter(function (j) { return edgeVisible[j]; }).map(function (j) {
      return { id: other(data.edges[j]), edge: data.edges[j] };
    });
    rows.sort(function (a, b) { return (nodeData[b.id].s || 0) - (nodeData[a.id].s || 0) || a.id - b.id; });
    phrase(key, title);
    title.appendChild(document.createTextNode(" (" + rows.length.toLocaleString("en-US") + ")"));
    var frag = document.createDocumentFragment();
    rows.slice(0, LIST_MAX).forEach(function (r) {
      var li = document.createElement("li");
      var btn = document.createElement("button");
      btn.type = "button"; btn.className = "gk-nbr"; btn.dataset.node = String(r.id);
      var sw = text("span", "", "gk-swatch gk-node");
      var c = nodeData[r.id].color;
      sw.style.background = typeof c === "string" ? c : c.background;
      btn.appendChild(sw);
      btn.appendChild(text("span", nameOf(r.id), "gk-nbr-id"));
      li.appendChild(btn);
      li.appendChild(text("span", fmt(nodeData[r.id].s), "gk-num"));
      var ct = countsText(r.edge.c);
      if (ct) { li.appendChild(text("span", ct, "gk-k gk-nbr-counts")); }
      frag.appendChild(li);
    });
    if (rows.length > LIST_MAX) {
      frag.appendChild(text("li", "and " + (rows.length - LIST_MAX).toLocaleString("en-US") + " more", "gk-k"));
    }
    list.replaceChildren(frag);
  }
  function showFocus() {
    var n = nodeData[focusId];
    if (details) { details.replaceChildren(n.tip ? tipElement(n.tip) : text("b", nameOf(focusId))); }
    neighbourList("gk-out", "gk-out-title", "out", out[focusId], function (e) { return e.to; });
    neighbourList("gk-in", "gk-in-title", "in", inn[focusId], function (e) { return e.from; });
    if (panel) { panel.hidden = false; }
  }
  if (panel) {
    panel.addEventListener("click", function (ev) {
      var btn = ev.target.closest ? ev.target.closest("button.gk-nbr") : null;
      if (btn) { focusNode(Number(btn.dataset.node), true); }
    });
  }

  function focusNode(id, zoom) {
    if (nodeData[id] === undefined) { return; }
    focusId = id;
    if (zoom) {
      // centre on the user, zoomed so that its drawn neighbours fit around it
      var at = network.getPositions(), p = at[id], reach = 0;
      out[id].concat(inn[id]).forEach(function (j) {
        if (!edgeVisible[j]) { return; }
        var e = data.edges[j], q = at[e.from === id ? e.to : e.from];
        reach = Math.max(reach, Math.abs(q.x - p.x), Math.abs(q.y - p.y));
      });
      var scale = reach > 0 ? Math.min(1.5, 0.42 * Math.min(W, H) / reach) : 1.2;
      scale = Math.max(scale, network.getScale());
      network.focus(id, { scale: scale, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    }
    network.selectNodes([id]);
    render();
  }
  function clearFocus() {
    if (focusId === null) { return; }
    focusId = null;
    panelShows = null;
    network.unselectAll();
    if (panel) { panel.hidden = true; }
    render();
  }
  network.on("click", function (params) {
    if (params.nodes.length) { focusNode(params.nodes[0], false); }
    else if (!params.edges.length) { clearFocus(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clearFocus(); }
  });
  var clearBtn = document.getElementById("gk-clear");
  if (clearBtn) { clearBtn.addEventListener("click", clearFocus); }
  network.on("hoverNode", function (params) {
    var n = nodeData[params.node];
    showTip(n.tip ? tipElement(n.tip) : text("b", nameOf(params.node)), params.pointer.DOM);
    // name the hovered user: one node updated, the other labels stay where they are
    hoverId = params.node;
    if (!labelOn[hoverId] && nodeVisible[hoverId]) {
      labelOn[hoverId] = true; hoverShown = hoverId;
      sync1(hoverId);
    }
  });
  // after a zoom, place the labels again for the new scale (once the wheel stops)
  var relabelTimer = null;
  function relabel() {
    clearTimeout(relabelTimer);
    relabelTimer = setTimeout(render, 120);
  }
  network.on("zoom", relabel);
  network.on("animationFinished", relabel);
  network.on("dragEnd", function (params) { if (params.nodes.length) { relabel(); } });
  network.on("blurNode", function () {
    hideTip();
    if (hoverShown !== null) { labelOn[hoverShown] = false; sync1(hoverShown); hoverShown = null; }
    hoverId = null;
  });

  // ------------------------------------------------------------------ search
  var search = document.getElementById("gk-search");
  var list = document.getElementById("gk-users");
  var msg = document.getElementById("gk-search-msg");
  if (search && list) {
    var frag = document.createDocumentFragment();
    data.nodes.forEach(function (n) {
      var opt = document.createElement("option");
      opt.value = nameOf(n.id);  // a DOM property: never parsed as HTML
      frag.appendChild(opt);
    });
    list.appendChild(frag);
    var lastQuery = null;
    var find = function () {  // on Enter and on "change" (picking a suggestion): once per query
      var q = search.value;
      if (!q || (q === lastQuery && focusId !== null)) { return; }
      lastQuery = q;
      var lower = q.toLowerCase();
      var hit = data.nodes.find(function (n) { return nameOf(n.id) === q; }) ||
                data.nodes.find(function (n) { return nameOf(n.id).toLowerCase().indexOf(lower) >= 0; });
      if (!hit) { if (msg) { msg.textContent = "not in this view"; } return; }
      if (msg) { msg.textContent = nodeVisible[hit.id] ? "" : "hidden by the filters below"; }
      focusNode(hit.id, true);
    };
    search.addEventListener("change", find);
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { find(); } });
  }

  // ------------------------------------------------------------------ start
  window.gkView = {
    nodes: nodes, edges: edges, kind: data.kind, meta: meta, data: data, ready: false,
    stable: false, nodeVisible: nodeVisible, edgeVisible: edgeVisible, render: render,
    focus: focusNode, clearFocus: clearFocus, edgeTip: edgeTip,
    focused: function () { return focusId; },
    visible: function () {
      var a = 0, b = 0;
      nodeVisible.forEach(function (v) { if (v) { a++; } });
      edgeVisible.forEach(function (v) { if (v) { b++; } });
      return { nodes: a, edges: b };
    },
    labelSize: function (i) { return labelOn[i] ? LABEL_PX / labelScale : 0; }
  };
  network.once("afterDrawing", function () {
    window.gkFirstPaint = performance.now();
    window.gkView.ready = true;
    document.documentElement.setAttribute("data-gk-rendered", "1");
  });
  function settled() {
    // physics may have moved the nodes: size the labels for the zoom vis-network chose
    scale0 = network.getScale();
    render();
    window.gkView.stable = true;
    document.dispatchEvent(new CustomEvent("gk-stable"));
  }
  var physicsBox = document.getElementById("gk-physics");
  if (data.options.physics && data.options.physics.enabled) {
    // a short stabilisation from the positions computed in Python, then the nodes stay put
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      if (physicsBox) { physicsBox.checked = false; }
      data.nodes.forEach(function (n) { var p = network.getPositions([n.id])[n.id]; n.x = p.x; n.y = p.y; });
      settled();
    });
  } else {
    network.once("afterDrawing", settled);
  }
  if (physicsBox) {
    physicsBox.addEventListener("change", function () {
      network.setOptions({ physics: { enabled: physicsBox.checked } });
    });
  }
})();
