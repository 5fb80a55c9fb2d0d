"""Building blocks shared by the views (private): scores, sizes, vis-network options, edge
items, community colours, the final assembly of a :class:`~graphkit.viz.View`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import _layout as _lay
from ._html import assemble, tip
from .view import View

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike


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


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _options(n_nodes: int, seed: int, *, physics_limit: int, arrows: bool = True,
             spread: float = 1.0) -> dict:
    """vis-network options: physics (short stabilisation) up to ``physics_limit`` nodes,
    fixed positions, straight edges and no edges while dragging above it."""
    big = n_nodes > physics_limit
    opts = {
        "autoResize": True,
        "layout": {"randomSeed": seed % (2**31 - 1), "improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": 13, "color": "#1f2933", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}},
        "edges": {"arrows": {"to": {"enabled": bool(arrows), "scaleFactor": 0.45}},
                  "color": {"inherit": False, "opacity": 0.7}, "selectionWidth": 2,
                  "smooth": False if big else {"enabled": True, "type": "continuous",
                                                "roundness": 0.2}},
    }
    if big:
        opts["physics"] = {"enabled": False}
    else:
        opts["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                           "forceAtlas2Based": {"gravitationalConstant": round(-40 * spread, 1),
                                                "springLength": round(80 * spread, 1),
                                                "avoidOverlap": 0.3 if spread == 1.0 else 1.0},
                           "stabilization": {"enabled": True, "iterations": 150,
                                             "updateInterval": 50, "fit": True}}
    return opts


def _layout_note(n: int, seed: int, physics_limit: int) -> str:
    if n > physics_limit:
        return (f"layout: igraph Fruchterman-Reingold computed in Python (seed {seed}); "
                f"physics off above {physics_limit:,} nodes, so the page stays responsive")
    return (f"layout: igraph Fruchterman-Reingold (seed {seed}), then a short physics "
            "stabilisation in the browser")


def _cap_edges(graph, eid, max_edges: int):
    """Indices (into ``eid``) of the edges to draw: all, or the ``max_edges`` heaviest."""
    if eid.size <= max_edges:
        return np.arange(eid.size)
    w = graph.weight[eid]
    keep = np.lexsort((eid, -w))[:max_edges]
    return np.sort(keep)


def _type_counts_text(graph, e: int) -> str:
    row = graph.counts[e]
    parts = [f"{int(c):,} {t}" for t, c in zip(graph.types, row) if c]
    return ", ".join(parts) or "no interactions"


def _edge_items(graph, pos, src, dst, eid, *, type_color: dict, width_by=None,
                reverse: bool = False, tip_fn=None) -> list:
    """vis edge dicts for attention edges ``eid`` between local nodes ``src -> dst``."""
    ids = graph.node_ids
    dominant = graph.counts[eid].argmax(axis=1) if eid.size else np.zeros(0, dtype=np.int64)
    inter = graph.counts[eid].sum(axis=1) if eid.size else np.zeros(0)
    if width_by is None:
        widths = np.round(np.minimum(1.0 + 0.8 * np.log1p(inter), 6.0), 2)
    else:
        widths = width_by
    items = []
    for j in range(eid.size):
        s, d, e = int(src[j]), int(dst[j]), int(eid[j])
        a, b = ids[pos[s]], ids[pos[d]]
        if tip_fn is not None:
            text = tip_fn(j, a, b, e)
        else:
            text = tip(f"{a} \u2192 {b}", [("", f"{a} acted on {b}: {_type_counts_text(graph, e)}")])
        t = graph.types[int(dominant[j])]
        items.append({"from": d if reverse else s, "to": s if reverse else d,
                      "color": {"color": _lay.check_color(type_color[t]), "opacity": 0.65},
                      "width": float(widths[j]), "tip": text})
    return items


def _edge_legend(graph, eid) -> dict | None:
    if not eid.size:
        return None
    present = np.unique(graph.counts[eid].argmax(axis=1))
    colors = _lay.type_colors(graph.types)
    return {"title": "Edge colour: most frequent interaction", "items": [
        {"label": graph.types[int(i)], "color": colors[graph.types[int(i)]], "kind": "edge"}
        for i in present]}


def _membership(graph, communities) -> tuple[np.ndarray, str]:
    """Community labels aligned with the graph (-1 = none) and a phrase naming the source."""
    import pandas as pd

    from ..communities import Partition, membership_array
    from ..io import read_membership

    if isinstance(communities, Partition):
        if communities.membership.shape != (graph.n_nodes,):
            raise ValueError("the partition is of another graph (its size differs)")
        return np.asarray(communities.membership, dtype=np.int64), (
            f"{communities.method} communities of the whole graph")
    if isinstance(communities, (str, bytes)) or hasattr(communities, "__fspath__"):
        import os

        table = read_membership(os.fspath(communities))
        return (membership_array(graph, table, missing_users="drop"),
                f"communities from {os.path.basename(os.fspath(communities))}")
    if isinstance(communities, pd.DataFrame):
        return membership_array(graph, communities, missing_users="drop"), "the given communities"
    arr = np.asarray(communities)
    if arr.shape != (graph.n_nodes,) or arr.dtype.kind not in "iu":
        raise ValueError("communities must be a Partition, a user,community table, a membership "
                         "file or an int array with one label per user")
    return arr.astype(np.int64), "the given communities"


def _community_colors(labels, names=None) -> tuple[dict, list]:
    """Colour per label (most frequent first; past the palette and -1: grey) and legend items
    (``names[label]`` instead of ``community <label>`` when given)."""
    labels = np.asarray(labels, dtype=np.int64)
    values, counts = np.unique(labels, return_counts=True)
    order = np.lexsort((values, -counts))
    colors, items, other = {}, [], 0
    slot = 0
    for i in order:
        c, k = int(values[i]), int(counts[i])
        if c >= 0 and slot < len(_lay.CATEGORICAL):
            colors[c] = _lay.CATEGORICAL[slot]
            slot += 1
            name = f"community {c}" if names is None else str(names[c])
            items.append({"label": f"{name} ({_plural(k, 'user')} shown)",
                          "color": colors[c], "kind": "node"})
        else:
            colors[c] = _lay.OTHER_COLOR
            other += k
    if other:
        items.append({"label": f"other communities / none ({_plural(other, 'user')})",
                      "color": _lay.OTHER_COLOR, "kind": "node"})
    return colors, items


def _received_rows(graph, pos, ranking_rows=None) -> list:
    """Per shown user: ``(type, count)`` of interactions received, for tooltips."""
    if ranking_rows is not None:
        return ranking_rows
    counts = np.column_stack([graph.in_counts(t)[pos] for t in graph.types]) if graph.types else None
    return [[(t, int(counts[i, j])) for j, t in enumerate(graph.types)] for i in range(len(pos))]


def _finish(kind, title, shown, notes, nodes, edges, options, legend, sources, details) -> View:
    nodes, edges, options = assemble(nodes, edges, options)
    return View(kind, title, shown, tuple(notes), nodes, edges, options,
                tuple(g for g in legend if g), tuple(str(s) for s in sources), details)


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
