/* graphkit network view. Reads the graph from <script type="application/json" id="gk-graph">.
 * Safety: every string in that JSON that ends up in the page's HTML (the "tip" fields) was
 * escaped with html.escape in Python (graphkit.viz) before it was written; this script puts
 * only those strings into innerHTML. Everything else (ids in the search list, labels) goes
 * through textContent / DOM properties, or is drawn on the canvas as plain text. */
(function () {
  "use strict";
  var holder = document.getElementById("gk-graph");
  var container = document.getElementById("gk-network");
  if (!holder || !container) { return; }
  var data = JSON.parse(holder.textContent);

  function tipElement(escapedHtml) {
    var div = document.createElement("div");
    div.className = "gk-tip";
    div.innerHTML = escapedHtml;  // escaped by graphkit.viz (html.escape) -- see the header
    return div;
  }
  var byId = {};
  var nodeItems = data.nodes.map(function (n) {
    var item = Object.assign({}, n);
    delete item.tip; delete item.uid;
    if (n.tip) { item.title = tipElement(n.tip); }
    byId[n.id] = n;
    return item;
  });
  var edgeItems = data.edges.map(function (e, i) {
    var item = Object.assign({ id: "e" + i }, e);
    delete item.tip;
    if (e.tip) { item.title = tipElement(e.tip); }
    return item;
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.network = network;
  window.gkView = { nodes: nodes, edges: edges, kind: data.kind, ready: false, stable: false };

  network.once("afterDrawing", function () {
    window.gkFirstPaint = performance.now();
    window.gkView.ready = true;
    document.documentElement.setAttribute("data-gk-rendered", "1");
  });
  var physicsBox = document.getElementById("gk-physics");
  if (data.options.physics && data.options.physics.enabled) {
    // a short stabilisation from the positions computed in Python, then the nodes stay put
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      if (physicsBox) { physicsBox.checked = false; }
      window.gkView.stable = true;
    });
  } else {
    window.gkView.stable = true;
  }
  if (physicsBox) {
    physicsBox.addEventListener("change", function () {
      network.setOptions({ physics: { enabled: physicsBox.checked } });
    });
  }

  var details = document.getElementById("gk-details");
  network.on("selectNode", function (params) {
    if (!details || !params.nodes.length) { return; }
    var n = byId[params.nodes[0]];
    details.replaceChildren(n && n.tip ? tipElement(n.tip) : document.createTextNode(""));
  });
  network.on("deselectNode", function () {
    if (details) { details.replaceChildren(document.createTextNode("Click a node for details.")); }
  });

  var search = document.getElementById("gk-search");
  var list = document.getElementById("gk-users");
  var msg = document.getElementById("gk-search-msg");
  if (search && list) {
    var frag = document.createDocumentFragment();
    data.nodes.forEach(function (n) {
      if (n.uid === undefined) { return; }
      var opt = document.createElement("option");
      opt.value = n.uid;  // a DOM property: never parsed as HTML
      frag.appendChild(opt);
    });
    list.appendChild(frag);
    var find = function () {
      var q = search.value;
      if (!q) { return; }
      var hit = data.nodes.find(function (n) { return n.uid === q; }) ||
                data.nodes.find(function (n) { return n.uid !== undefined && n.uid.toLowerCase().indexOf(q.toLowerCase()) >= 0; });
      if (!hit) { if (msg) { msg.textContent = "not in this view"; } return; }
      if (msg) { msg.textContent = ""; }
      network.selectNodes([hit.id]);
      network.focus(hit.id, { scale: 1.2, animation: { duration: 400 } });
      if (details) { details.replaceChildren(hit.tip ? tipElement(hit.tip) : document.createTextNode("")); }
    };
    search.addEventListener("change", find);
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { find(); } });
  }
})();
