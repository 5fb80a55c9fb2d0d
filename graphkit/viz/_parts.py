"""Building blocks shared by the views (private): scores, sizes, vis-network options, node
and edge items, legends and filters, the final assembly of a :class:`~graphkit.viz.View`.

What every network page carries besides vis-network's own fields (the browser script reads
them; see ``templates/network.js``):

* nodes: ``uid`` (raw id), ``tip`` (escaped tooltip HTML), ``s`` (score), ``r`` (rank by
  score, 0 = best: the labels of the best ``meta.labels`` users are drawn at the default
  zoom), ``gi`` (the user's row in the colour legend, for the colour filter), and with
  times ``nb``/``nu`` (time steps with activity / undated activity);
* edges: ``c`` (interactions per type, attention direction), ``cb`` (the same the other
  way, when any), ``w`` (weight), ``p`` (cascade: probability), optionally ``tip``, and
  with times ``tb``/``tu`` (``step * n_types + type`` codes / undated types);
* ``meta``: the score's name, how many labels, the interaction types and colours, the
  weight levels, the time steps, the phrases of the focus panel.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import _colors
from ._html import assemble, label_text
from .view import View

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

#: Labels drawn at the default zoom: the best users by score (the rest on zoom or hover).
DEFAULT_LABELS = 30
#: Most weight levels the minimum-weight slider steps through.
_WEIGHT_LEVELS = 60


# --------------------------------------------------------------------------- helpers
def _scores(graph, by: str, rng: RngLike = None) -> np.ndarray:
    """The score of every user under a ranking measure (float array aligned with ids)."""
    from ..ranking import MEASURES, betweenness, hits, indegree, kcore, pagerank

    if by not in MEASURES:
        raise ValueError(f"unknown measure {by!r}; choose one of: {', '.join(MEASURES)}")
    if by == "pagerank":
        return pagerank(graph)
    if by == "indegree":
        return indegree(graph).astype(np.float64)
    if by == "hits":
        return hits(graph)[1]
    if by == "kcore":
        return kcore(graph).astype(np.float64)
    samples = None if graph.n_nodes <= 1000 else 1000
    return betweenness(graph, samples=samples, rng=rng)


def _sizes(score, low=8.0, high=40.0) -> np.ndarray:
    """Node sizes in [low, high] by the square root of ``score`` (area ~ score)."""
    s = np.asarray(score, dtype=np.float64)
    s = np.where(np.isfinite(s) & (s > 0), s, 0.0)
    top = s.max() if s.size else 0.0
    if top <= 0:
        return np.full(s.shape, low)
    return np.round(low + (high - low) * np.sqrt(s / top), 1)


def _fmt(x) -> str:
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}"


def _num(x) -> float:
    """A score for the page's JSON: finite, 6 significant digits."""
    x = float(x)
    return float(f"{x:.6g}") if math.isfinite(x) else 0.0


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _edge_opacity(m: int) -> float:
    """Edge opacity for ``m`` drawn edges: 0.65 up to ~340 edges, 0.13 at 8,000, >= 0.08."""
    return round(min(0.65, max(0.08, 12.0 / math.sqrt(max(m, 1)))), 3)


def _options(n_nodes: int, seed: int, *, physics: bool, arrows: bool = True,
             n_edges: int = 0) -> dict:
    """vis-network options. Positions come from Python; ``physics`` runs a short
    stabilisation from them in the browser (off for big views: straight edges, no edges
    while dragging)."""
    big = not physics
    opts = {
        "autoResize": True,
        "layout": {"randomSeed": seed % (2**31 - 1), "improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 1000,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": 13, "color": "#1f2933", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": 8, "maxVisible": 16}}},
        "edges": {"arrows": {"to": {"enabled": bool(arrows), "scaleFactor": 0.45}},
                  "color": {"inherit": False, "opacity": _edge_opacity(n_edges)},
                  "selectionWidth": 2,
                  "smooth": False if (big or n_edges > 3000) else
                  {"enabled": True, "type": "continuous", "roundness": 0.2}},
    }
    if big:
        opts["physics"] = {"enabled": False}
    else:
        opts["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                           "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 80,
                                                "avoidOverlap": 0.3},
                           "stabilization": {"enabled": True, "iterations": 150,
                                             "updateInterval": 50, "fit": True}}
    return opts


def _layout_note(n: int, seed: int, physics_limit: int, placement=None,
                 noun=("user", "users")) -> str:
    parts = [f"layout: igraph Fruchterman-Reingold per connected group (seed {seed})"]
    if placement is not None and placement.n_groups > 1:
        parts.append(f"the largest group in the middle, {placement.n_groups - 1:,} smaller "
                     "groups around it")
    if placement is not None and placement.n_isolated:
        parts.append(f"{_plural(placement.n_isolated, *noun)} with no link among the shown "
                     f"{noun[1]} on the outer ring, best first from the top")
    if n > physics_limit:
        parts.append(f"physics off above {physics_limit:,} nodes, so the page stays responsive")
    elif placement is not None and (placement.n_groups > 1 or placement.n_isolated):
        parts.append("then a short physics stabilisation of the middle group in the browser")
    else:
        parts.append("then a short physics stabilisation in the browser")
    return "; ".join(parts)


def _cap_edges(graph, eid, max_edges: int):
    """Indices (into ``eid``) of the edges to draw: all, or the ``max_edges`` heaviest."""
    if eid.size <= max_edges:
        return np.arange(eid.size)
    w = graph.weight[eid]
    keep = np.lexsort((eid, -w))[:max_edges]
    return np.sort(keep)


def _type_counts_text(graph, e: int) -> str:
    if e < 0:
        return "nothing"
    row = graph.counts[e]
    parts = [f"{int(c):,} {t}" for t, c in zip(graph.types, row) if c]
    return ", ".join(parts) or "no interactions"


# --------------------------------------------------------------------------- items
def _node(i: int, uid: str, xy, size: float, color, tooltip: str, score: float, rank: int,
          row: int | None = None, **extra) -> dict:
    item = {"id": i, "uid": uid, "label": label_text(uid), "shape": "dot",
            "x": float(xy[0]), "y": float(xy[1]), "size": float(size),
            "color": color, "tip": tooltip, "s": _num(score), "r": int(rank)}
    if row is not None:
        item["gi"] = int(row)
    item.update(extra)
    return item


def _edge_items(graph, pos, src, dst, eid, *, type_color: dict | None = None, width_by=None,
                reverse: bool = False, color: str | None = None, extra=None) -> list:
    """vis edge dicts for attention edges ``eid`` between local nodes ``src -> dst``.

    Colour = the pair's most frequent interaction type (or ``color``); width grows with
    the interactions (or ``width_by``); ``reverse`` draws them target -> actor. Each edge
    carries its interactions per type (``c``) and, when the pair also interacted the other
    way, those (``cb``); the page builds the tooltip from them (as text).
    """
    type_color = type_color or _colors.type_colors(graph.types)
    counts = graph.counts[eid] if eid.size else np.zeros((0, len(graph.types)), dtype=np.int64)
    dominant = counts.argmax(axis=1) if eid.size else np.zeros(0, dtype=np.int64)
    inter = counts.sum(axis=1)
    widths = (np.round(np.minimum(1.0 + 0.8 * np.log1p(inter), 6.0), 2)
              if width_by is None else width_by)
    back = graph.find_edges(pos[dst], pos[src]) if eid.size else np.zeros(0, dtype=np.int64)
    weight = graph.weight[eid]
    opacity = _edge_opacity(int(eid.size))
    items = []
    for j in range(eid.size):
        s, d = int(src[j]), int(dst[j])
        c = color or type_color[graph.types[int(dominant[j])]]
        item = {"from": d if reverse else s, "to": s if reverse else d,
                "color": {"color": _colors.check_color(c), "opacity": opacity},
                "width": float(widths[j]), "c": [int(x) for x in counts[j]],
                "w": _num(weight[j])}
        if back[j] >= 0:
            item["cb"] = [int(x) for x in graph.counts[int(back[j])]]
        if extra is not None:
            item.update(extra(j))
        items.append(item)
    return items


def _edge_legend(graph, eid, title: str = "Edge colour: most frequent interaction") -> dict | None:
    """The interaction types of the drawn edges: legend rows that are also the type filter
    (``row`` = the type's index)."""
    if not eid.size:
        return None
    present = np.flatnonzero(graph.counts[eid].sum(axis=0) > 0)
    colors = _colors.type_colors(graph.types)
    return {"title": title, "filter": "type", "items": [
        {"label": graph.types[int(i)], "name": graph.types[int(i)],
         "color": colors[graph.types[int(i)]], "kind": "edge", "row": int(i)} for i in present]}


def _group_legend(cats, shown_codes, title: str | None = None) -> tuple[dict, np.ndarray]:
    """The colour legend of a categorical attribute (rows are also the colour filter)."""
    items, row = _colors.legend_items(cats, shown_codes)
    for k, item in enumerate(items):
        item["row"] = k
    name = title or f"Node colour: {cats.title}"
    return {"title": name, "filter": "group", "items": items}, row


def _received_rows(graph, pos, ranking_rows=None) -> list:
    """Per shown user: ``(type, count)`` of interactions received, for tooltips."""
    if ranking_rows is not None:
        return ranking_rows
    counts = np.column_stack([graph.in_counts(t)[pos] for t in graph.types]) if graph.types else None
    return [[(t, int(counts[i, j])) for j, t in enumerate(graph.types)] for i in range(len(pos))]


def _meta(graph, edges: list, *, score: str, labels: int, words=None, **extra) -> dict:
    """The page's ``meta``: what the browser script needs besides the items."""
    colors = _colors.type_colors(graph.types)
    meta = {"score": score, "labels": int(labels), "types": list(graph.types),
            "nouns": ["users", "edges"],
            "type_colors": [colors[t] for t in graph.types],
            "words": words or {"out": "{u} acted on", "in": "acted on {u}"}}
    w = sorted({e["w"] for e in edges if "w" in e})
    if len(w) > 1:
        if len(w) > _WEIGHT_LEVELS:  # quantiles of the distinct weights, ends included
            idx = np.unique(np.round(np.linspace(0, len(w) - 1, _WEIGHT_LEVELS)).astype(int))
            w = [w[i] for i in idx]
        meta["weight"] = {"levels": w}
    meta.update(extra)
    return meta


def _add_times(meta: dict, edges_table, graph, pos, src, dst, nodes: list, edge_items: list):
    """Attach the time steps (``nb``/``nu``, ``tb``/``tu``) and ``meta["time"]``; returns
    a header note, or None when the data has no timestamps."""
    from ._time import time_steps

    if edges_table is None:
        return None
    ts = time_steps(edges_table, graph, pos, src, dst)
    if ts is None:
        return None
    for i, item in enumerate(nodes):
        item["nb"] = ts["node_steps"][i]
        if ts["node_undated"][i]:
            item["nu"] = 1
    for j, item in enumerate(edge_items):
        item["tb"] = ts["edge_codes"][j]
        if ts["edge_undated"][j]:
            item["tu"] = ts["edge_undated"][j]
    meta["time"] = ts["meta"]
    m = ts["meta"]
    note = (f"times: {m['rows'] - m['undated']:,} dated interactions of the shown users in "
            f"{m['steps']:,} steps of {m['unit']}")
    if m["undated"]:
        note += f" ({m['undated']:,} without a time: shown at every step unless unticked)"
    return note


def _pin_rings(nodes: list, placement, options: dict) -> None:
    """With physics on, only the group in the middle moves: the smaller groups and the
    users without an edge keep their places on the rings."""
    if not options.get("physics", {}).get("enabled"):
        return
    for item, central in zip(nodes, placement.central.tolist()):
        if not central:
            item["physics"] = False


def _finish(kind, title, shown, notes, nodes, edges, options, legend, sources, details,
            meta=None) -> View:
    nodes, edges, options = assemble(nodes, edges, options)
    return View(kind, title, shown, tuple(n for n in notes if n), nodes, edges, options,
                tuple(g for g in legend if g), tuple(str(s) for s in sources), details,
                dict(meta or {}))


def _count_cross_pairs(memb, graph) -> int:
    """Distinct unordered pairs of (assigned) communities linked by at least one edge."""
    _, dense = np.unique(memb, return_inverse=True)  # labels 0..c-1 (-1 first when present)
    dense = dense.reshape(-1).astype(np.int64)
    dense[memb < 0] = -1
    a = dense[graph.sources()]
    b = dense[graph.indices]
    ok = (a >= 0) & (b >= 0) & (a != b)
    if not ok.any():
        return 0
    lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
    return int(np.unique(lo * (int(dense.max()) + 1) + hi).size)


def _communities_of_shown(graph, pos, src, dst, eid, communities, seed: int):
    """The communities to colour the shown users by, and the header phrase naming them.

    Given ones (anything :func:`~graphkit.viz._colors.categories_from` takes) are used as
    they are; otherwise Leiden runs on the shown subgraph only (seeded), since detecting
    communities of the whole graph costs far more than the view.
    """
    from ..communities import detect_communities
    from ..graph import SocialGraph

    n = len(pos)
    if communities is not None:
        cats = _colors.categories_from(graph, communities)
        return cats, f"colour = {cats.title} ({cats.source})"
    codes = np.full(graph.n_nodes, -1, dtype=np.int64)
    if eid.size:
        sub = SocialGraph.from_arrays(src, dst, graph.node_ids[pos], row_weight=graph.weight[eid])
        codes[pos] = detect_communities(sub, "leiden", rng=seed).membership
        note = (f"colour = community: Leiden on the {n:,} shown users only, not on the whole "
                "graph (pass communities of the whole graph with --communities FILE)")
        return _colors.Categories(codes, "community", "Leiden on the shown users"), note
    return (_colors.Categories(codes, "community", "none"),
            "colour: no edges among the shown users, so no communities")


def _colouring(graph, pos, src, dst, eid, communities, color_by, seed: int):
    """``(community Categories, colour Categories, header phrase)``: colour by ``color_by``
    (any categorical per-user attribute) when given, else by community."""
    comm, note = _communities_of_shown(graph, pos, src, dst, eid, communities, seed)
    if color_by is None:
        return comm, comm, note
    cats = _colors.categories_from(graph, color_by, title="label")
    return comm, cats, f"colour = {cats.title} ({cats.source})"
