"""Private numba kernels of the held-out evaluation (arrays in, arrays out).

:func:`exposure_scores` and :func:`reach_classes` walk the test cascades once, on the
*forward* (influence) CSR of the evaluation graph:
row ``v`` lists the users ``v`` may influence (those who acted on ``v``). Per-user stamp
arrays (``stamp[u] == c`` iff ``u`` is marked in cascade ``c``; never cleared) keep the work
at the size of what each cascade touches, with no per-cascade allocation.

:func:`auc_rows` scores the cascade bootstrap of the exposure AUC.

Tested against plain Python loops and hand-computed cases in
``tests/test_learn_eval.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import mark_cascade

#: Classes of a held-out re-sharer (:func:`reach_classes`).
DIRECT, PATH, UNREACHABLE = 0, 1, 2


@njit(cache=True)
def exposure_scores(ptr, users, times, n_seeds, indptr, indices, prob, n_nodes):  # pragma: no cover
    """Every *exposed* user of every cascade, with its probability of being influenced.

    In cascade ``c`` (actions ``ptr[c]:ptr[c + 1]``, in time order, the first
    ``n_seeds[c]`` being its initiators), a user ``u`` who is not an initiator is exposed
    when an influencer of ``u`` (a ``v`` with an influence edge ``v -> u``) acted in ``c``
    before ``u`` did (strictly earlier; any time when ``u`` never acted). Its score is
    ``1 - prod (1 - p(v -> u))`` over those influencers: the chance that at least one of
    them activated ``u`` under Independent Cascade, which is how Goyal et al. (WSDM 2010)
    test learned probabilities. Returns ``(cascade, user, active, score)``, one entry per
    exposed (cascade, user) pair, users in order of first exposure.
    """
    n_casc = ptr.shape[0] - 1
    stamp = np.full(n_nodes, -1, dtype=np.int64)
    when = np.zeros(n_nodes, dtype=np.int64)
    seen = np.full(n_nodes, -1, dtype=np.int64)
    slot = np.zeros(n_nodes, dtype=np.int64)
    cap = 1024
    out_c = np.empty(cap, dtype=np.int64)
    out_u = np.empty(cap, dtype=np.int64)
    out_a = np.empty(cap, dtype=np.bool_)
    out_s = np.empty(cap, dtype=np.float64)
    n_out = 0
    for c in range(n_casc):
        lo = ptr[c]
        hi = ptr[c + 1]
        mark_cascade(ptr, users, times, c, stamp, when)
        for k in range(lo, lo + n_seeds[c]):
            seen[users[k]] = c          # initiators are never candidates
            slot[users[k]] = -1
        for k in range(lo, hi):
            v = users[k]
            tv = times[k]
            for j in range(indptr[v], indptr[v + 1]):
                u = indices[j]
                if stamp[u] == c and when[u] <= tv:
                    continue            # u acted first (or at the same time): not v's doing
                if seen[u] != c:
                    seen[u] = c
                    if n_out == cap:
                        cap *= 2
                        out_c = _grow(out_c, cap)
                        out_u = _grow(out_u, cap)
                        out_a = _grow(out_a, cap)
                        out_s = _grow(out_s, cap)
                    slot[u] = n_out
                    out_c[n_out] = c
                    out_u[n_out] = u
                    out_a[n_out] = stamp[u] == c
                    out_s[n_out] = 1.0          # survival, turned into a score below
                    n_out += 1
                s = slot[u]
                if s >= 0:
                    out_s[s] *= 1.0 - prob[j]
    for i in range(n_out):
        out_s[i] = 1.0 - out_s[i]
    return out_c[:n_out].copy(), out_u[:n_out].copy(), out_a[:n_out].copy(), out_s[:n_out].copy()


@njit(cache=True)
def _grow(a, cap):  # pragma: no cover
    """A copy of ``a`` with room for ``cap`` entries (compiled once per dtype)."""
    b = np.empty(cap, dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def reach_classes(ptr, users, n_seeds, indptr, indices, n_nodes):  # pragma: no cover
    """Where each re-sharer of each cascade sits relative to its initiators, in the graph.

    For every action ``k`` that is not an initiator's: ``DIRECT`` (0) when an initiator
    has an influence edge to the user, ``PATH`` (1) when a longer path of influence edges
    leads there, ``UNREACHABLE`` (2) otherwise (no model that spreads along the graph's
    edges can ever activate the user). Initiators get -1. Breadth-first search from the
    initiators over every edge, whatever its probability; one search per cascade.
    """
    n_casc = ptr.shape[0] - 1
    out = np.full(users.shape[0], -1, dtype=np.int8)
    depth = np.zeros(n_nodes, dtype=np.int64)
    stamp = np.full(n_nodes, -1, dtype=np.int64)
    queue = np.empty(n_nodes, dtype=np.int64)
    for c in range(n_casc):
        lo = ptr[c]
        hi = ptr[c + 1]
        head = 0
        tail = 0
        for k in range(lo, lo + n_seeds[c]):
            v = users[k]
            if stamp[v] != c:
                stamp[v] = c
                depth[v] = 0
                queue[tail] = v
                tail += 1
        while head < tail:
            v = queue[head]
            head += 1
            for j in range(indptr[v], indptr[v + 1]):
                u = indices[j]
                if stamp[u] != c:
                    stamp[u] = c
                    depth[u] = depth[v] + 1
                    queue[tail] = u
                    tail += 1
        for k in range(lo + n_seeds[c], hi):
            u = users[k]
            if stamp[u] != c:
                out[k] = UNREACHABLE
            elif depth[u] == 1:
                out[k] = DIRECT
            elif depth[u] == 0:
                out[k] = -1             # also an initiator (repeated at the start time)
            else:
                out[k] = PATH
    return out


@njit(cache=True, nogil=True)
def auc_rows(casc, active, group_end, weights, t, n_threads, out):  # pragma: no cover
    """ROC-AUC of one scoring under resamples ``t, t + n_threads, ...`` (into ``out``).

    The (cascade, user) pairs are given in decreasing score order (``casc``, ``active``),
    ``group_end[g]`` is the last position of the g-th group of equal scores, and row ``b``
    of ``weights`` holds how often each cascade was drawn in resample ``b``: every pair
    counts that many times. Each resample is summed in a fixed order by one thread, so the
    result does not depend on the number of threads. NaN when a resample has no positive
    or no negative. A serial kernel that releases the GIL, run on threads by
    :func:`graphkit.learn._compare.resampled_auc` (it compiles in about half the time of a
    ``parallel=True`` one on the first run).
    """
    for b in range(t, weights.shape[0], n_threads):
        w = weights[b]
        tp = 0.0
        fp = 0.0
        area = 0.0
        i = 0
        for g in range(group_end.shape[0]):
            tp0 = tp
            fp0 = fp
            while i <= group_end[g]:
                x = w[casc[i]]
                if active[i]:
                    tp += x
                else:
                    fp += x
                i += 1
            area += (fp - fp0) * (tp + tp0)
        out[b] = area / (2.0 * tp * fp) if tp > 0 and fp > 0 else np.nan
