"""Private helpers of :mod:`graphkit.viz`: choosing what to draw, laying it out, colours.

Everything here works on positions and CSR arrays (never on the whole graph as Python
objects), so that a view of a few hundred users out of millions costs time in proportion
to what is drawn:

* :func:`top_positions` -- the ``top`` users by score (score descending, id ascending);
* :func:`positions_of` -- positions of a list of ids without building the graph's id index;
* :func:`induced_edges` -- the edges among chosen users, reading only their CSR rows;
* :func:`ego_positions` -- users within ``radius`` hops in either direction, capped;
* :func:`layout` -- seeded igraph Fruchterman-Reingold positions from arrays;
* palettes for communities, interaction types and probabilities.
"""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = [
    "top_positions", "positions_of", "induced_edges", "ego_positions", "layout",
    "CATEGORICAL", "OTHER_COLOR", "type_colors", "sequential_color", "SEQUENTIAL_STOPS",
    "check_color",
]

#: Community colours (Tableau 10 without its grey, plus two); communities past the
#: palette share :data:`OTHER_COLOR`.
CATEGORICAL = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
               "#ff9da7", "#9c755f", "#499894", "#d37295", "#a0cbe8")
OTHER_COLOR = "#bdbdbd"
#: Fixed colours of the usual interaction types; other types take :data:`_EXTRA_TYPE_COLORS`.
_TYPE_COLORS = {"follow": "#8a9bb0", "share": "#f28e2b", "comment": "#59a14f",
                "mention": "#b07aa1", "reply": "#59a14f", "interaction": "#8a9bb0"}
_EXTRA_TYPE_COLORS = ("#e15759", "#4e79a7", "#edc948", "#76b7b2", "#9c755f", "#ff9da7")
#: viridis at 0, 0.25, 0.5, 0.75, 1 (probability colour scale of the cascade view).
SEQUENTIAL_STOPS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")

_COLOR_RE = re.compile(r"#[0-9a-f]{6}")
#: From this many users on, ids are looked up with one pyarrow hash pass instead of
#: building the graph's pandas index (see :func:`positions_of`).
ARROW_LOOKUP_MIN = 200_000


def check_color(color: str) -> str:
    """``color`` if it is a ``#rrggbb`` literal (the only colours a view may carry)."""
    if not isinstance(color, str) or not _COLOR_RE.fullmatch(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return color


def type_colors(types) -> dict:
    """A colour for every interaction type name, stable for a given ``types`` order."""
    out, extra = {}, 0
    for t in types:
        if t in _TYPE_COLORS:
            out[t] = _TYPE_COLORS[t]
        else:
            out[t] = _EXTRA_TYPE_COLORS[extra % len(_EXTRA_TYPE_COLORS)]
            extra += 1
    return out


def sequential_color(p: float) -> str:
    """The viridis colour of a probability ``p`` in [0, 1] (linear between stops)."""
    p = min(max(float(p), 0.0), 1.0) if math.isfinite(p) else 0.0
    x = p * (len(SEQUENTIAL_STOPS) - 1)
    i = min(int(x), len(SEQUENTIAL_STOPS) - 2)
    f = x - i
    a, b = SEQUENTIAL_STOPS[i], SEQUENTIAL_STOPS[i + 1]
    rgb = [round(int(a[k:k + 2], 16) * (1 - f) + int(b[k:k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


# --------------------------------------------------------------------------- selecting
def top_positions(node_ids, score, top: int) -> np.ndarray:
    """Positions of the ``top`` highest scores, best first; equal scores by id ascending.

    Only the candidates (every user scoring at least the ``top``-th score) are sorted, so
    this costs one ``argpartition`` on a big graph.
    """
    score = np.asarray(score, dtype=np.float64)
    n = score.shape[0]
    top = int(min(top, n))
    if top <= 0:
        return np.empty(0, dtype=np.int64)
    neg = -score
    if top < n:
        kth = np.argpartition(neg, top - 1)[top - 1]
        cand = np.flatnonzero(neg <= neg[kth])
    else:
        cand = np.arange(n)
    ids = np.asarray(node_ids, dtype=object)[cand]
    id_rank = np.empty(cand.shape[0], dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(cand.shape[0])
    return cand[np.lexsort((id_rank, neg[cand]))[:top]].astype(np.int64)


def positions_of(graph, users) -> np.ndarray:
    """Positions of ``users`` (ids, in that order) in ``graph``; unknown ids raise.

    Reuses the graph's id index when it is already built; otherwise one hashed pass over
    the ids (pyarrow ``index_in``: ~0.05 s for a million users, where building the
    graph's pandas index costs ~0.5 s).
    """
    from ..errors import UnknownUserError

    users = [str(u) for u in users]
    if ("_id_index" in graph.__dict__ or graph.n_nodes < ARROW_LOOKUP_MIN
            or len(users) > 10_000):
        return graph.index(users)
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = pa.array(users, type=pa.string())
    where = pc.index_in(pa.array(graph.node_ids, type=pa.string()), value_set=wanted)
    found = np.flatnonzero(where.is_valid().to_numpy(zero_copy_only=False))
    slot = where.filter(where.is_valid()).to_numpy(zero_copy_only=False).astype(np.int64)
    out = np.full(len(users), -1, dtype=np.int64)
    out[slot] = found
    # duplicates in ``users`` point at the same slot of the value set
    first = {}
    for i, u in enumerate(users):
        j = first.setdefault(u, i)
        if j != i:
            out[i] = out[j]
    if (out < 0).any():
        raise UnknownUserError([u for u, p in zip(users, out) if p < 0])
    return out


def _rows(indptr, rows):
    """Entry positions of the CSR rows ``rows`` (concatenated) and the row of each entry."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = indptr[rows].astype(np.int64)
    lens = indptr[rows + 1].astype(np.int64) - starts
    total = int(lens.sum())
    owner = np.repeat(np.arange(rows.shape[0], dtype=np.int64), lens)
    first = np.cumsum(lens) - lens
    entries = np.repeat(starts - first, lens) + np.arange(total, dtype=np.int64)
    return entries, owner


def induced_edges(graph, pos) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The attention edges among the users at ``pos``.

    Returns ``(src, dst, edge)``: local indices into ``pos`` of each edge's actor and
    target, and the edge's position in the graph's arrays, in CSR order of ``pos``. Reads
    only the rows of ``pos`` (their out-degrees), never the whole edge list.
    """
    pos = np.asarray(pos, dtype=np.int64)
    if pos.size == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e, e
    entries, owner = _rows(graph.indptr, pos)
    targets = graph.indices[entries].astype(np.int64)
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    k = np.searchsorted(sorted_pos, targets)
    k[k == sorted_pos.shape[0]] = 0
    hit = sorted_pos[k] == targets
    return owner[hit], order[k[hit]], entries[hit]


def _neighbours(graph, rows) -> np.ndarray:
    """Users adjacent to ``rows`` in either direction (with repeats)."""
    t = graph.transpose
    out_e, _ = _rows(graph.indptr, rows)
    in_e, _ = _rows(t.indptr, rows)
    return np.concatenate([graph.indices[out_e], t.indices[in_e]]).astype(np.int64)


def ego_positions(graph, center: int, radius: int, max_nodes: int, score):
    """Users within ``radius`` hops of ``center`` (edges followed both ways), capped.

    Layer by layer, the users of the next hop are the neighbours of the users *kept* in
    the previous one; when the cap is reached, the best-scoring users of the layer are
    kept (ties by position), so the result stays connected to the centre.

    Returns
    -------
    pos : ndarray of int64
        The kept users, centre first, then hop by hop (best score first in each hop).
    hops : ndarray of int64
        The hop distance of each kept user.
    within : int
        How many users are within ``radius`` hops in the whole graph (uncapped).
    """
    score = np.asarray(score, dtype=np.float64)
    seen = np.zeros(graph.n_nodes, dtype=bool)
    seen[center] = True
    kept, hops = [np.array([center], dtype=np.int64)], [np.zeros(1, dtype=np.int64)]
    frontier = kept[0]
    room = max(int(max_nodes) - 1, 0)
    # the uncapped ball, for the header's "of N within R hops"
    ball = np.zeros(graph.n_nodes, dtype=bool)
    ball[center] = True
    ball_frontier = frontier
    for d in range(1, int(radius) + 1):
        if ball_frontier.size:
            nb = np.unique(_neighbours(graph, ball_frontier))
            ball_frontier = nb[~ball[nb]]
            ball[ball_frontier] = True
        if not frontier.size or room == 0:
            continue
        layer = np.unique(_neighbours(graph, frontier))
        layer = layer[~seen[layer]]
        if layer.size > room:
            order = np.lexsort((layer, -score[layer]))
            layer = layer[order[:room]]
        else:
            layer = layer[np.lexsort((layer, -score[layer]))]
        seen[layer] = True
        room -= layer.size
        kept.append(layer)
        hops.append(np.full(layer.size, d, dtype=np.int64))
        frontier = layer
    return np.concatenate(kept), np.concatenate(hops), int(ball.sum())


# --------------------------------------------------------------------------- layout
def layout(n: int, src, dst, weight=None, *, seed: int = 0, grid: bool | None = None,
           spacing: float = 70.0) -> np.ndarray:
    """Node positions from igraph's Fruchterman-Reingold layout, built from arrays.

    The graph is taken as undirected. igraph's randomness is seeded with ``seed``
    (:func:`graphkit._rng.igraph_seed`), so the same inputs give the same positions.
    Above 100 nodes the grid variant is used: measured 2.4x faster at 300 nodes (25 vs
    60 ms), 7x at 1,000 and 14x at 2,000 (0.17 vs 2.5 s); DrL was 40x slower still. Up
    to 1,000 nodes the browser's physics refines these positions anyway. Positions are
    centred and scaled so that the layout
    spans about ``spacing * sqrt(n)`` units (vis-network's pixels at zoom 1), and
    rounded to 0.1.
    """
    import igraph as ig

    from .._rng import igraph_seed

    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    g = ig.Graph(n=int(n), directed=False)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if src.size:
        g.add_edges(np.column_stack([src, dst]))
    kwargs = {}
    if weight is not None and src.size:
        w = np.asarray(weight, dtype=np.float64)
        # dampen heavy edges so a few of them do not collapse the picture
        kwargs["weights"] = (1.0 + np.log1p(np.maximum(w, 0.0))).tolist()
    use_grid = n > 100 if grid is None else bool(grid)
    with igraph_seed(int(seed)):
        coords = np.asarray(g.layout_fruchterman_reingold(grid=use_grid, **kwargs).coords,
                            dtype=np.float64)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    coords *= (spacing * math.sqrt(n) / 2.0) / extent
    return np.round(coords, 1)
