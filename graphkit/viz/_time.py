"""When the shown users interacted: the data behind a view's time slider (private).

The interaction rows of an :class:`~graphkit.io.EdgeTable` with a timestamp are put in
time steps of a round length (a minute, an hour, a day, ...; at most ``max_steps`` over
the span of the rows that touch a shown user). The page then gets, per drawn edge, the
steps and types of its interactions, and per shown user the steps in which the user acted
or was acted on (anywhere in the data), so the browser can show "the edges up to step
``b``" or "within steps ``a..b``" exactly, without the server.
"""

from __future__ import annotations

import numpy as np

__all__ = ["time_steps", "STEP_UNITS"]

#: Candidate step lengths in seconds, with their names.
STEP_UNITS = ((1, "1 second"), (60, "1 minute"), (300, "5 minutes"), (900, "15 minutes"),
              (3600, "1 hour"), (6 * 3600, "6 hours"), (86400, "1 day"), (7 * 86400, "1 week"),
              (30 * 86400, "30 days"), (365 * 86400, "365 days"))


def _step(span: int, max_steps: int) -> tuple[int, str]:
    for seconds, name in STEP_UNITS:
        if span // seconds + 1 <= max_steps:
            return seconds, name
    seconds = STEP_UNITS[-1][0] * (span // (STEP_UNITS[-1][0] * max_steps) + 1)
    return seconds, f"{seconds // 86400:,} days"


def _group(keys: np.ndarray, values: np.ndarray, n: int) -> list:
    """``values`` (sorted unique per key) split by ``keys`` (sorted) into ``n`` lists."""
    bounds = np.searchsorted(keys, np.arange(n + 1))
    return [values[bounds[i]:bounds[i + 1]].tolist() for i in range(n)]


def time_steps(edges, graph, pos, src, dst, *, max_steps: int = 240):
    """Time steps of the shown users and drawn edges, or None without timestamps.

    Parameters
    ----------
    edges : EdgeTable
        The table ``graph`` was built from (same user positions).
    graph : SocialGraph
    pos : array of int
        Positions of the shown users.
    src, dst : array of int
        Each drawn edge's actor and target as indices into ``pos`` (attention direction).
    max_steps : int
        Most steps on the slider.

    Returns
    -------
    dict or None
        ``meta`` (``start`` in unix seconds, ``step`` seconds, ``unit``, ``steps``,
        ``undated`` rows touching the shown users, ``rows``), ``edge_codes`` (per edge:
        sorted ``step * n_types + type`` of its dated interactions), ``edge_undated`` (per
        edge: types with undated interactions), ``node_steps`` (per user: sorted steps
        with activity), ``node_undated`` (per user: has undated activity).
    """
    stamp = getattr(edges, "timestamp", None)
    if stamp is None:
        return None
    if len(edges.node_ids) != graph.n_nodes:
        raise ValueError("edges is not the table the graph was built from (user counts differ)")
    pos = np.asarray(pos, dtype=np.int64)
    k = pos.size
    local = np.full(graph.n_nodes, -1, dtype=np.int64)
    local[pos] = np.arange(k)
    ls = local[edges.source_codes]
    ld = local[edges.target_codes]
    touch = (ls >= 0) | (ld >= 0)
    if not touch.any():
        return None
    t = stamp[touch]
    dated = ~np.isnat(t)
    if not dated.any():
        return None
    secs = t[dated].astype("datetime64[s]").astype(np.int64)
    t0, t1 = int(secs.min()), int(secs.max())
    step, unit = _step(t1 - t0, max_steps)
    start = t0 - t0 % step
    n_steps = (t1 - start) // step + 1
    bins = np.full(t.shape[0], -1, dtype=np.int64)
    bins[dated] = (secs - start) // step
    ls, ld = ls[touch], ld[touch]
    types = edges.type_codes[touch].astype(np.int64)
    n_types = len(edges.types)

    # users: steps with any activity (either side), and whether they have undated rows
    who = np.concatenate([ls, ld])
    when = np.concatenate([bins, bins])
    ok = who >= 0
    who, when = who[ok], when[ok]
    has = when >= 0
    node_key = np.unique(who[has] * n_steps + when[has])
    node_steps = _group(node_key // n_steps, node_key % n_steps, k)
    node_undated = np.zeros(k, dtype=bool)
    node_undated[who[~has]] = True

    # drawn edges: rows whose (actor, target) is a drawn edge
    m = len(src)
    edge_codes, edge_undated = [[] for _ in range(m)], [[] for _ in range(m)]
    if m:
        drawn = np.asarray(src, dtype=np.int64) * k + np.asarray(dst, dtype=np.int64)
        order = np.argsort(drawn, kind="stable")
        both = (ls >= 0) & (ld >= 0)
        key = ls[both] * k + ld[both]
        j = np.searchsorted(drawn[order], key)
        j[j == m] = 0
        hit = drawn[order][j] == key
        edge = order[j[hit]]
        b, ty = bins[both][hit], types[both][hit]
        dt = b >= 0
        codes = np.unique(edge[dt] * (n_steps * n_types) + b[dt] * n_types + ty[dt])
        edge_codes = _group(codes // (n_steps * n_types), codes % (n_steps * n_types), m)
        und = np.unique(edge[~dt] * n_types + ty[~dt])
        edge_undated = _group(und // n_types, und % n_types, m)
    meta = {"start": int(start), "step": int(step), "unit": unit, "steps": int(n_steps),
            "undated": int((~dated).sum()), "rows": int(t.shape[0])}
    return {"meta": meta, "edge_codes": edge_codes, "edge_undated": edge_undated,
            "node_steps": node_steps, "node_undated": node_undated.tolist()}
