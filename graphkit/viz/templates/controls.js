/* graphkit network view: the side panel's filters, the time slider and the image export.
 * Everything runs on the data embedded in the page (window.gkView, set up by network.js);
 * nothing is fetched. Labels of the lists come from the page's HTML (escaped by the
 * template); the date label and the counts are set with textContent. */
(function () {
  "use strict";
  var view = window.gkView;
  if (!view) { return; }
  var data = view.data, meta = view.meta, network = window.network;
  var T = (meta.types || []).length;
  var typeOn = (meta.types || []).map(function () { return true; });
  var groupOff = {};                     // legend rows switched off
  var weightLevels = meta.weight ? meta.weight.levels : null;
  var minWeight = -Infinity;
  var time = meta.time || null;
  var win = null;                        // [a, b] time steps shown, null = all
  var undatedOn = true, hideLonely = false;

  // ------------------------------------------------------------------ visibility
  function lowerBound(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  function nodePasses(n) {
    if (n.gi !== undefined && groupOff[n.gi]) { return false; }
    if (win && n.nb) {
      if (n.nu && undatedOn) { return true; }
      var k = lowerBound(n.nb, win[0]);
      return k < n.nb.length && n.nb[k] <= win[1];
    }
    return true;
  }
  function edgePasses(e) {
    if (e.w !== undefined && e.w < minWeight) { return false; }
    if (!e.c) { return true; }
    if (win && e.tb) {
      var t;
      if (undatedOn && e.tu) {
        for (t = 0; t < e.tu.length; t++) { if (typeOn[e.tu[t]]) { return true; } }
      }
      var end = (win[1] + 1) * T;
      for (var k = lowerBound(e.tb, win[0] * T); k < e.tb.length && e.tb[k] < end; k++) {
        if (typeOn[e.tb[k] % T]) { return true; }
      }
      return false;
    }
    for (var i = 0; i < e.c.length; i++) { if (e.c[i] > 0 && typeOn[i]) { return true; } }
    return false;
  }
  var counter = document.getElementById("gk-count");
  function apply() {
    var nv = view.nodeVisible, ev = view.edgeVisible, deg = new Array(nv.length).fill(0);
    data.nodes.forEach(function (n) { nv[n.id] = nodePasses(n); });
    data.edges.forEach(function (e, j) {
      ev[j] = nv[e.from] && nv[e.to] && edgePasses(e);
      if (ev[j]) { deg[e.from]++; deg[e.to]++; }
    });
    if (hideLonely) { nv.forEach(function (v, i) { if (v && !deg[i]) { nv[i] = false; } }); }
    view.render(true);
    counts();
  }
  function counts() {
    if (!counter) { return; }
    var v = view.visible(), nouns = meta.nouns || ["users", "edges"];
    counter.textContent = "showing " + v.nodes.toLocaleString("en-US") + " of " +
      data.nodes.length.toLocaleString("en-US") + " " + nouns[0] + ", " + v.edges.toLocaleString("en-US") +
      " of " + data.edges.length.toLocaleString("en-US") + " " + nouns[1];
  }
  view.applyFilters = apply;

  // ------------------------------------------------------------------ legend filters
  document.querySelectorAll("ul.gk-legend[data-gk-filter]").forEach(function (ul) {
    var kind = ul.getAttribute("data-gk-filter");
    var boxes = ul.querySelectorAll("input[data-gk-row]");
    function read() {
      boxes.forEach(function (b) {
        var row = Number(b.getAttribute("data-gk-row"));
        if (kind === "type") { typeOn[row] = b.checked; } else { groupOff[row] = !b.checked; }
      });
      apply();
    }
    boxes.forEach(function (b) { b.addEventListener("change", read); });
    var all = ul.parentNode.querySelectorAll("button[data-gk-set='" + kind + "']");
    all.forEach(function (btn) {
      btn.addEventListener("click", function () {
        var on = btn.getAttribute("data-gk-value") === "all";
        boxes.forEach(function (b) { b.checked = on; });
        read();
      });
    });
  });
  var lonely = document.getElementById("gk-lonely");
  if (lonely) { lonely.addEventListener("change", function () { hideLonely = lonely.checked; apply(); }); }

  // ------------------------------------------------------------------ minimum weight
  var weight = document.getElementById("gk-weight");
  var weightText = document.getElementById("gk-weight-value");
  function fmtWeight(x) { return Number.isInteger(x) ? x.toLocaleString("en-US") : x.toPrecision(3); }
  if (weight && weightLevels) {
    var showWeight = function () {
      var lvl = weightLevels[Number(weight.value)];
      minWeight = Number(weight.value) === 0 ? -Infinity : lvl;
      if (weightText) { weightText.textContent = Number(weight.value) === 0 ? "any" : "\u2265 " + fmtWeight(lvl); }
    };
    weight.addEventListener("input", function () { showWeight(); apply(); });
    showWeight();
  }

  // ------------------------------------------------------------------ time slider
  var slider = document.getElementById("gk-time");
  var label = document.getElementById("gk-time-label");
  var mode = document.getElementById("gk-time-mode");
  var width = document.getElementById("gk-window");
  var play = document.getElementById("gk-play");
  var undated = document.getElementById("gk-undated");
  function stamp(step) {
    var d = new Date((time.start + step * time.step) * 1000).toISOString();
    return time.step >= 86400 ? d.slice(0, 10) : d.slice(0, 16).replace("T", " ");
  }
  function duration(steps) {
    var s = steps * time.step, units = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
    for (var i = 0; i < units.length; i++) {
      if (s % units[i][0] === 0) { var k = s / units[i][0]; return k + " " + units[i][1] + (k === 1 ? "" : "s"); }
    }
    return s + " seconds";
  }
  function readTime() {
    var b = Number(slider.value), last = time.steps - 1;
    var within = mode && mode.value === "window";
    if (width) { width.hidden = !within; }
    var a = within ? Math.max(0, b - Number(width.value) + 1) : 0;
    win = (a === 0 && b === last) ? null : [a, b];
    if (label) {
      label.textContent = (within ? stamp(a) + " \u2013 " : "up to ") + stamp(b + 1) + " UTC";
    }
    apply();
  }
  if (time && slider) {
    if (width) {
      [1, 2, 3, 6, 12, 24, 48, 168].filter(function (k) { return k < time.steps; }).forEach(function (k) {
        var opt = document.createElement("option");
        opt.value = String(k); opt.textContent = duration(k);
        width.appendChild(opt);
      });
      if (!width.options.length) { width.appendChild(new Option(duration(1), "1")); }
      width.value = width.options[Math.min(3, width.options.length - 1)].value;
      width.addEventListener("change", readTime);
    }
    slider.addEventListener("input", readTime);
    if (mode) { mode.addEventListener("change", readTime); }
    if (undated) { undated.addEventListener("change", function () { undatedOn = undated.checked; readTime(); }); }
    var timer = null;
    var stop = function () { clearInterval(timer); timer = null; play.textContent = "\u25b6 play"; };
    if (play) {
      play.addEventListener("click", function () {
        if (timer) { stop(); return; }
        var last = time.steps - 1;
        if (Number(slider.value) >= last) {
          slider.value = mode && mode.value === "window" ? String(Number(width.value) - 1) : "0";
        }
        play.textContent = "\u275a\u275a pause";
        readTime();
        timer = setInterval(function () {
          var next = Number(slider.value) + 1;
          if (next > last) { stop(); return; }
          slider.value = String(next);
          readTime();
        }, view.playMs || Math.max(60, Math.min(400, 12000 / time.steps)));
      });
    }
    if (label) { label.textContent = "up to " + stamp(time.steps) + " UTC (all)"; }
  }
  view.setTime = function (b, a) {  // for tests and scripts: show steps a..b (a omitted: up to b)
    if (!slider) { return; }
    if (a !== undefined && mode && width) {
      mode.value = "window";
      var opt = Array.prototype.find.call(width.options, function (o) { return Number(o.value) === b - a + 1; });
      if (!opt) { width.appendChild(opt = new Option(duration(b - a + 1), String(b - a + 1))); }
      width.value = opt.value;
    } else if (mode) { mode.value = "upto"; }
    slider.value = String(b);
    readTime();
  };

  // ------------------------------------------------------------------ export
  function fileName(ext) { return "graphkit-" + data.kind + "." + ext; }
  function download(url, name) {
    var a = document.createElement("a");
    a.href = url; a.download = name; a.hidden = true;
    document.body.appendChild(a); a.click(); a.remove();
  }
  view.pngDataURL = function () {
    network.redraw();
    return network.canvas.frame.canvas.toDataURL("image/png");
  };
  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function colorOf(c, key) { return typeof c === "string" ? c : (c && (c[key] || c.background || c.color)) || "#888888"; }
  function r1(x) { return Math.round(x * 10) / 10; }
  view.svgText = function () {
    // the shown (filtered) network as vector graphics: the whole drawing, labels as drawn at
    // the default zoom (the best users and the focused ones), text set with textContent
    var ids = data.nodes.filter(function (n) { return view.nodeVisible[n.id]; }).map(function (n) { return n.id; });
    var pos = network.getPositions(ids);
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    ids.forEach(function (i) {
      var p = pos[i], s = data.nodes[i].size || 10;
      minX = Math.min(minX, p.x - s); maxX = Math.max(maxX, p.x + s);
      minY = Math.min(minY, p.y - s); maxY = Math.max(maxY, p.y + s);
    });
    if (!ids.length) { minX = minY = 0; maxX = maxY = 100; }
    var pad = 40, w = maxX - minX + 2 * pad, h = maxY - minY + 2 * pad, scale = network.getScale();
    // drawn at the page's zoom: the labels come out LABEL_PX tall
    var svg = el("svg", { xmlns: SVG, viewBox: r1(minX - pad) + " " + r1(minY - pad) + " " + r1(w) + " " + r1(h),
                          width: Math.round(w * scale), height: Math.round(h * scale) });
    el("title", {}, svg).textContent = document.title;
    el("rect", { x: r1(minX - pad), y: r1(minY - pad), width: r1(w), height: r1(h), fill: "#ffffff" }, svg);
    var ge = el("g", { "stroke-linecap": "round" }, svg);
    data.edges.forEach(function (e, j) {
      if (!view.edgeVisible[j]) { return; }
      var look = view.edges.get(j), a = pos[e.from], b = pos[e.to];
      var col = look.color || {}, op = col.opacity !== undefined ? col.opacity :
        (data.options.edges.color.opacity || 0.6);
      el("line", { x1: r1(a.x), y1: r1(a.y), x2: r1(b.x), y2: r1(b.y), stroke: colorOf(col, "color"),
                   "stroke-opacity": op, "stroke-width": look.width || 1 }, ge);
    });
    var gn = el("g", {}, svg), gl = el("g", { "font-family": "DejaVu Sans, sans-serif",
      "text-anchor": "middle", "paint-order": "stroke", stroke: "#ffffff", "stroke-width": r1(3 / scale) }, svg);
    ids.forEach(function (i) {
      var n = data.nodes[i], look = view.nodes.get(i), p = pos[i], s = n.size || 10;
      var fill = colorOf(look.color, "background"), stroke = colorOf(look.color, "border");
      var shape = n.shape === "star" ? "polygon" : "circle";
      if (shape === "circle") {
        el("circle", { cx: r1(p.x), cy: r1(p.y), r: s, fill: fill, stroke: stroke, "stroke-width": look.borderWidth || 1 }, gn);
      } else {
        var pts = [];
        for (var k = 0; k < 10; k++) {
          var rad = k % 2 ? s * 0.4 : s, ang = -Math.PI / 2 + k * Math.PI / 5;
          pts.push(r1(p.x + rad * Math.cos(ang)) + "," + r1(p.y + rad * Math.sin(ang)));
        }
        el("polygon", { points: pts.join(" "), fill: fill, stroke: stroke, "stroke-width": look.borderWidth || 1 }, gn);
      }
      var size = view.labelSize(i);
      if (size > 0) {
        var t = el("text", { x: r1(p.x), y: r1(p.y + s + size), "font-size": r1(size), fill: "#1f2933" }, gl);
        t.textContent = n.label;
      }
    });
    return new XMLSerializer().serializeToString(svg) + "\n";
  };
  var savePng = document.getElementById("gk-save-png");
  if (savePng) { savePng.addEventListener("click", function () { download(view.pngDataURL(), fileName("png")); }); }
  var saveSvg = document.getElementById("gk-save-svg");
  if (saveSvg) {
    saveSvg.addEventListener("click", function () {
      download("data:image/svg+xml;charset=utf-8," + encodeURIComponent(view.svgText()), fileName("svg"));
    });
  }
  var fit = document.getElementById("gk-fit");
  if (fit) { fit.addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); }); }
  view.exportMode = function () {
    // the network alone fills the window (graphkit view -o x.png), fitted
    document.body.classList.add("gk-export");
    network.setSize("100%", "100%");
    network.redraw();
    network.fit();
  };
  counts();
})();
