"""Private numba kernels for learning influence probabilities (arrays in, arrays out).

Both kernels walk the cascades once. For every action ``(u, t_u)`` of cascade ``c`` they scan
``u``'s *attention* out-edges ``e = (u -> v)`` ("u acted on v", so ``v`` may influence ``u``)
and look ``v`` up in cascade ``c`` through a per-user stamp array (``stamp[v] == c`` iff ``v``
is active in ``c``; never cleared). The work is the sum of the out-degrees of the acting users,
with no sorting and no per-cascade allocation.

Kernels are compiled on first use and cached on disk; they are tested through the estimators
against hand-computed counts and a brute-force Python loop (``py_func``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def mark_cascade(ptr, users, times, c, stamp, when):  # pragma: no cover - compiled
    """Stamp the users active in cascade ``c`` (``stamp[u] = c``) with their times."""
    for k in range(ptr[c], ptr[c + 1]):
        stamp[users[k]] = c
        when[users[k]] = times[k]


@njit(cache=True)
def pair_counts(ptr, users, times, indptr, indices, n_nodes, window):  # pragma: no cover
    """Per attention edge ``e = (u -> v)``, over the cascades:

    * ``prop[e]``: cascades where ``0 < t_u - t_v <= window`` (the action propagated from
      ``v`` to ``u``: Goyal et al.'s ``A_{v2u}``, Saito et al.'s positive trials);
    * ``before[e]``: cascades where both are active and ``t_u <= t_v`` (``u`` was active
      first or at the same time: ``v`` had no chance to activate ``u``);
    * ``both[e]``: cascades where both are active, in any order (``A_{u&v}``).
    """
    m = indices.shape[0]
    prop = np.zeros(m, dtype=np.int64)
    before = np.zeros(m, dtype=np.int64)
    both = np.zeros(m, dtype=np.int64)
    stamp = np.full(n_nodes, -1, dtype=np.int64)
    when = np.zeros(n_nodes, dtype=np.int64)
    n_casc = ptr.shape[0] - 1
    for c in range(n_casc):
        mark_cascade(ptr, users, times, c, stamp, when)
        for k in range(ptr[c], ptr[c + 1]):
            u = users[k]
            tu = times[k]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if stamp[v] == c:
                    both[e] += 1
                    d = tu - when[v]
                    if d <= 0:
                        before[e] += 1
                    elif d <= window:
                        prop[e] += 1
    return prop, before, both


@njit(cache=True)
def parent_sets(ptr, users, times, indptr, indices, n_nodes, window):  # pragma: no cover
    """The potential influencers of every activation, as segments of attention edges.

    Activation ``k`` (action ``k`` of the cascades) has the parent edges
    ``edge[seg_ptr[j]:seg_ptr[j + 1]]`` where ``j`` is its rank among the activations that
    have at least one parent (``act[j] == k``): the out-edges ``(u -> v)`` of its user ``u``
    to users ``v`` active in the same cascade with ``0 < t_u - t_v <= window``. Two passes:
    count, then fill.
    """
    n_act = users.shape[0]
    stamp = np.full(n_nodes, -1, dtype=np.int64)
    when = np.zeros(n_nodes, dtype=np.int64)
    count = np.zeros(n_act, dtype=np.int64)
    n_casc = ptr.shape[0] - 1
    for c in range(n_casc):
        mark_cascade(ptr, users, times, c, stamp, when)
        for k in range(ptr[c], ptr[c + 1]):
            u = users[k]
            tu = times[k]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if stamp[v] == c:
                    d = tu - when[v]
                    if d > 0 and d <= window:
                        count[k] += 1
    n_seg = 0
    total = 0
    for k in range(n_act):
        if count[k] > 0:
            n_seg += 1
            total += count[k]
    seg_ptr = np.zeros(n_seg + 1, dtype=np.int64)
    act = np.empty(n_seg, dtype=np.int64)
    edge = np.empty(total, dtype=np.int64)
    j = 0
    for k in range(n_act):
        if count[k] > 0:
            act[j] = k
            seg_ptr[j + 1] = seg_ptr[j] + count[k]
            j += 1
    stamp[:] = -1
    pos = 0
    for c in range(n_casc):
        mark_cascade(ptr, users, times, c, stamp, when)
        for k in range(ptr[c], ptr[c + 1]):
            if count[k] == 0:
                continue
            u = users[k]
            tu = times[k]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if stamp[v] == c:
                    d = tu - when[v]
                    if d > 0 and d <= window:
                        edge[pos] = e
                        pos += 1
    return seg_ptr, act, edge



@njit(cache=True)
def stable_group_order(keys, n_keys):  # pragma: no cover
    """The stable permutation that sorts ``keys`` (ints in ``[0, n_keys)``): a counting sort."""
    start = np.zeros(n_keys + 1, dtype=np.int64)
    for k in keys:
        start[k + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        k = keys[i]
        out[start[k]] = i
        start[k] += 1
    return out
