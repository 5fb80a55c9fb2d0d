"""Private helpers of :mod:`graphkit.viz`: choosing what to draw.

Everything here works on positions and CSR arrays (never on the whole graph as Python
objects), so that a view of a few hundred users out of millions costs time in proportion
to what is drawn:

* :func:`top_positions` -- the ``top`` users by score (score descending, id ascending);
* :func:`positions_of` -- positions of a list of ids without building the graph's id index;
* :func:`induced_edges` -- the edges among chosen users, reading only their CSR rows;
* :func:`ego_positions` -- users within ``radius`` hops in either direction, capped.
"""

from __future__ import annotations

import numpy as np

__all__ = ["top_positions", "positions_of", "induced_edges", "ego_positions", "ARROW_LOOKUP_MIN"]

#: From this many users on, ids are looked up with one pyarrow hash pass instead of
#: building the graph's pandas index (see :func:`positions_of`).
ARROW_LOOKUP_MIN = 200_000


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
