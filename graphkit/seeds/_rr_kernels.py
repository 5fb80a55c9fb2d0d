"""numba kernels of RR-set sampling (used by :mod:`graphkit.seeds._rrsets`).

**IC, subset sampling** (after SUBSIM, Guo, Wu, Wang, Xiao, SIGMOD 2020). The in-arcs
of each user are sorted by probability, largest first, and each row draws its live
arcs in one of three ways (:func:`row_modes` picks per row, from its probabilities):

* ``COUNT`` -- all arcs share one ``p`` (weighted cascade: ``p = 1/deg``; uniform):
  the number of live arcs ``K ~ Binomial(deg, p)`` is drawn by inversion (one
  uniform, ``p_k`` by the recurrence ``p_{k+1} = p_k (deg - k) / (k + 1) p / (1 - p)``),
  then ``K`` distinct arcs uniformly (rejecting repeats; selection sampling when
  ``K > 16``). Given ``K``, every ``K``-subset is equally likely, which is exactly the
  law of independent coins of equal ``p``: about ``2 + K`` draws instead of ``deg``.
* ``JUMPS`` -- a few distinct values (trivalency) or long rows of small ``p``:
  geometric jumps. From position ``j``, with ``q = p[j]`` (the largest probability
  left), the next *candidate* is ``j + G`` where ``P(G >= s) = (1 - q)^s``
  (``G = floor(log(U) / log(1 - q))``), and a candidate ``t`` is live with
  probability ``p[t] / q`` (always when ``p[t] == q``); the walk restarts at ``t + 1``.
  Candidates are a Bernoulli(q) process thinned to Bernoulli(p[t]) at each position,
  and a restart is memoryless, so every arc is live independently with its own
  probability.
* ``COINS`` -- one coin per arc, skipping arcs into users already in the set.

All three draw the same distribution; only the number of random draws differs.

**LT**: each row holds its running sums of LT weights (computed by :func:`row_cumsum`
in the order of the sequential scan), and the walk's arc is the first with
``U < running sum``, found by binary search: the very arc the linear scan picks.

The hot loop is written out in one function on purpose: a call that passes arrays
costs reference-count updates per array, which on NetHEPT cost more than the draws.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._streams import next_uniform, seed_state


@njit(cache=True)
def row_cumsum(indptr, values):  # pragma: no cover - compiled
    """Running sums within each CSR row, added left to right."""
    out = np.empty(values.shape[0], dtype=np.float64)
    for v in range(indptr.shape[0] - 1):
        acc = 0.0
        for j in range(indptr[v], indptr[v + 1]):
            acc += values[j]
            out[j] = acc
    return out


#: Row modes of the IC kernel (see :func:`row_modes`).
COINS, COUNT, JUMPS = 0, 1, 2
#: ``rows[v, 0]`` of a COINS / JUMPS row (a COUNT row holds its ``(1 - p)^deg >= 0`` there).
_COINS_TAG, _JUMPS_TAG = -1.0, -2.0
#: Live arcs a COUNT row picks with a quadratic repeat check; more use selection sampling.
_COUNT_PICKS = 16


@njit(cache=True)
def sort_rows(indptr, values):  # pragma: no cover - compiled
    """A permutation that sorts each row by value, largest first (stable), or an empty
    array when every row already is."""
    n = indptr.shape[0] - 1
    for v in range(n):
        for j in range(indptr[v] + 1, indptr[v + 1]):
            if values[j] > values[j - 1]:
                break
        else:
            continue
        break
    else:
        return np.empty(0, dtype=np.int64)
    order = np.arange(values.shape[0])
    for v in range(n):
        lo, hi = indptr[v], indptr[v + 1]
        if hi - lo > 1:
            order[lo:hi] = lo + np.argsort(-values[lo:hi], kind="mergesort")
    return order


@njit(cache=True)
def row_modes(indptr, values, min_deg, jump_cost, max_mean):  # pragma: no cover - compiled
    """How each row draws its live arcs: ``log1p(-p)`` per arc of JUMPS rows (0 elsewhere)
    and ``rows`` (n x 2): ``(1 - p)^deg, p / (1 - p)`` for a COUNT row, ``-1`` (COINS) or
    ``-2`` (JUMPS) in the first column otherwise -- one cache line per row for the kernel.

    * COUNT: all ``deg >= min_deg`` arcs share one ``p`` in (0, 1) and ``deg p <= max_mean``:
      draw the number of live arcs ``K ~ Binomial(deg, p)`` by inversion, then ``K``
      distinct arcs uniformly.
    * JUMPS: ``deg >= min_deg`` and ``jump_cost * (1 + 2 sum p) < deg`` (a row sorted by
      probability draws at most about twice its expected live arcs as candidates).
    * COINS: one coin per arc.
    """
    n = indptr.shape[0] - 1
    rows = np.zeros((n, 2), dtype=np.float64)
    logq = np.zeros(values.shape[0], dtype=np.float64)
    for v in range(n):
        rows[v, 0] = _COINS_TAG
        lo, hi = indptr[v], indptr[v + 1]
        deg = hi - lo
        if deg < min_deg:
            continue
        s = 0.0
        for j in range(lo, hi):
            s += values[j]
        q = values[lo]
        if 0.0 < q < 1.0 and values[hi - 1] == q and deg * q <= max_mean:
            rows[v, 0] = (1.0 - q) ** deg
            rows[v, 1] = q / (1.0 - q)
        elif jump_cost * (1.0 + 2.0 * s) < deg:
            rows[v, 0] = _JUMPS_TAG
            for j in range(lo, hi):
                if values[j] < 1.0:
                    logq[j] = math.log1p(-values[j])
    return logq, rows


def modes(rows):
    """Each row's mode (COINS, COUNT or JUMPS) from :func:`row_modes`' ``rows``."""
    out = np.full(rows.shape[0], COUNT, dtype=np.int8)
    out[rows[:, 0] == _COINS_TAG] = COINS
    out[rows[:, 0] == _JUMPS_TAG] = JUMPS
    return out


@njit(cache=True, nogil=True)
def sample(t, n_threads, indptr, indices, values, logq, rows, lt, roots, n, chunk_seed, chunk_id0,
           chunk_size, n_sets, stamp, queue, tags, cap, sizes, wbuf, chunk_thread, chunk_start,
           used):  # pragma: no cover - compiled
    """Thread ``t``'s share of ``n_sets`` RR sets: chunks ``t, t + n_threads, ...``.

    ``values``: IC probabilities (rows sorted, largest first) or LT running sums;
    for IC, ``logq`` and ``rows`` (:func:`row_modes`). Thread ``t`` sets ``sizes`` of
    its chunks' sets and appends each chunk it draws to its buffer ``wbuf[t]`` (chunk
    ``c`` at ``chunk_start[c]`` of row ``chunk_thread[c]``), using its own slices of
    the visit stamps ``stamp`` and BFS ``queue`` (``n`` entries each) and tag counter
    ``tags[8 t]``. A chunk's sets depend only on its seed, so which thread drew it does
    not matter. ``used[8 t]`` is how many members thread ``t`` produced; above ``cap``
    its buffer overflowed (sizes are still right) and the caller runs the call again
    with a larger ``cap``. The caller runs the threads
    (:func:`graphkit._batches.on_threads`; this kernel releases the GIL).
    """
    n_chunks = chunk_seed.shape[0]
    n_roots = roots.shape[0]
    for c in range(t, n_chunks, n_threads):
        base = t * n
        state = np.empty(4, dtype=np.uint64)
        seed_state(state, chunk_seed[c], chunk_id0 + c)
        pos = used[8 * t]
        chunk_thread[c] = t
        chunk_start[c] = pos
        tag = tags[8 * t]
        picked = np.empty(_COUNT_PICKS, dtype=np.int64)
        for i in range(c * chunk_size, min((c + 1) * chunk_size, n_sets)):
            tag += 1
            u = next_uniform(state)
            if n_roots == 0:
                root = min(np.int64(u * n), n - 1)
            else:
                root = roots[min(np.int64(u * n_roots), n_roots - 1)]
            stamp[base + root] = tag
            queue[base] = root
            tail = 1
            if lt:
                cur = root
                while True:  # the first arc with U < running sum, by binary search
                    lo = indptr[cur]
                    hi = indptr[cur + 1]
                    if lo == hi:
                        break
                    r = next_uniform(state)
                    if r >= values[hi - 1]:
                        break
                    hi -= 1
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if r < values[mid]:
                            hi = mid
                        else:
                            lo = mid + 1
                    pick = indices[lo]
                    if stamp[base + pick] == tag:
                        break
                    stamp[base + pick] = tag
                    queue[base + tail] = pick
                    tail += 1
                    cur = pick
            else:
                head = 0
                while head < tail:
                    x = queue[base + head]
                    head += 1
                    lo = indptr[x]
                    hi = indptr[x + 1]
                    c = rows[x, 0]
                    if c == _COINS_TAG:
                        for j in range(lo, hi):
                            y = indices[j]
                            if stamp[base + y] != tag:
                                p = values[j]
                                if p >= 1.0 or (p > 0.0 and next_uniform(state) < p):
                                    stamp[base + y] = tag
                                    queue[base + tail] = y
                                    tail += 1
                    elif c >= 0.0:  # COUNT: K ~ Binomial(deg, p) by inversion, then K arcs
                        deg = hi - lo
                        odd = rows[x, 1]
                        r = next_uniform(state)
                        k = 0
                        pk = c
                        cdf = pk
                        while r >= cdf and k < deg:
                            pk *= odd * (deg - k) / (k + 1)
                            k += 1
                            cdf += pk
                        if k <= _COUNT_PICKS:  # uniform arcs, rejecting repeats
                            for got in range(k):
                                while True:
                                    j = min(np.int64(next_uniform(state) * deg), deg - 1)
                                    h = 0
                                    while h < got and picked[h] != j:
                                        h += 1
                                    if h == got:
                                        break
                                picked[got] = j
                                y = indices[lo + j]
                                if stamp[base + y] != tag:
                                    stamp[base + y] = tag
                                    queue[base + tail] = y
                                    tail += 1
                        else:  # selection sampling: each arc with probability need / left
                            for j in range(deg):
                                if next_uniform(state) * (deg - j) < k:
                                    k -= 1
                                    y = indices[lo + j]
                                    if stamp[base + y] != tag:
                                        stamp[base + y] = tag
                                        queue[base + tail] = y
                                        tail += 1
                                    if k == 0:
                                        break
                    else:  # JUMPS: geometric jumps to candidates, thinned to p / q
                        j = lo
                        while j < hi:
                            q = values[j]
                            if q <= 0.0:
                                break
                            if q < 1.0:
                                g = math.log(1.0 - next_uniform(state)) / logq[j]
                                if g >= hi - j:
                                    break
                                j += np.int64(g)
                                p = values[j]
                                if p < q and next_uniform(state) * q >= p:
                                    j += 1
                                    continue
                            y = indices[j]
                            if stamp[base + y] != tag:
                                stamp[base + y] = tag
                                queue[base + tail] = y
                                tail += 1
                            j += 1
            sizes[i] = tail
            if pos + tail <= cap:
                for h in range(tail):
                    wbuf[t, pos + h] = queue[base + h]
            pos += tail
        tags[8 * t] = tag
        used[8 * t] = pos
