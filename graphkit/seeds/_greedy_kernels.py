"""numba kernels of greedy maximum coverage (used by :mod:`graphkit.seeds.greedy`).

Flat arrays only: RR sets as ``offsets``/``members`` (set ``i`` is
``members[offsets[i]:offsets[i + 1]]``), the inverted index as ``ptr``/``sets``. The
greedy keeps every user's exact marginal coverage in ``gain`` (each pick decrements the
counts of the members of the sets it newly covers) and its candidates in a lazy
max-heap whose keys are upper bounds of those gains (they only fall), so a popped
stale key is refreshed and pushed back and the first fresh top is the true maximum.

OPIM-C's upper bound on the optimum is computed on the way: at each step ``i`` the
optimal set ``S°`` covers at most ``covered(S_i) + (the k largest gains given S_i)``
sets (with a budget: ``+`` the fractional-knapsack optimum of the gains), and the
minimum over the steps is returned.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: What the greedy computes besides the picks: nothing, OPIM's top-k bound, the knapsack bound.
BOUND_NONE, BOUND_TOPK, BOUND_KNAPSACK = 0, 1, 2


@njit(cache=True, nogil=True)
def invert_count(offsets, members, b, n_blocks, counts):  # pragma: no cover - compiled
    """Block ``b`` of :func:`graphkit.seeds.greedy.invert`: ``counts[b, u]`` += how many of
    the block's sets hold ``u``. The sets are cut into ``n_blocks`` consecutive blocks
    (set ``s`` is in block ``b`` when ``n_sets b / n_blocks <= s < n_sets (b + 1) / n_blocks``);
    each block runs on a thread of its own (the kernel releases the GIL)."""
    n_sets = offsets.shape[0] - 1
    for j in range(offsets[n_sets * b // n_blocks], offsets[n_sets * (b + 1) // n_blocks]):
        counts[b, members[j]] += 1


@njit(cache=True, nogil=True)
def invert_fill(offsets, members, b, n_blocks, start, sets):  # pragma: no cover - compiled
    """Block ``b`` writes its set ids: user ``u``'s next slot is ``start[b, u]`` (where the
    blocks before ``b`` end in ``u``'s row of the inverted index), so every row is in set
    order and the output does not depend on the number of blocks."""
    n_sets = offsets.shape[0] - 1
    for s in range(n_sets * b // n_blocks, n_sets * (b + 1) // n_blocks):
        for j in range(offsets[s], offsets[s + 1]):
            u = members[j]
            sets[start[b, u]] = s
            start[b, u] += 1


@njit(cache=True, inline="always")
def _better(ka, ra, kb, rb):  # pragma: no cover - compiled
    return ka > kb or (ka == kb and ra < rb)


@njit(cache=True)
def _sift_down(key, rank, node, size, i):  # pragma: no cover - compiled
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        best = left
        right = left + 1
        if right < size and _better(key[right], rank[right], key[left], rank[left]):
            best = right
        if not _better(key[best], rank[best], key[i], rank[i]):
            return
        key[i], key[best] = key[best], key[i]
        rank[i], rank[best] = rank[best], rank[i]
        node[i], node[best] = node[best], node[i]
        i = best


@njit(cache=True)
def _cover(u, offsets, members, ptr, sets, covered, gain):  # pragma: no cover - compiled
    """Mark the sets of ``u`` covered; decrement the counts of their members."""
    c = 0
    for j in range(ptr[u], ptr[u + 1]):
        s = sets[j]
        if not covered[s]:
            covered[s] = True
            c += 1
            for t in range(offsets[s], offsets[s + 1]):
                gain[members[t]] -= 1
    return c


@njit(cache=True)
def _key(g, cost, ratio):  # pragma: no cover - compiled
    if not ratio:
        return np.float64(g)
    if cost > 0.0:
        return g / cost
    return np.inf if g > 0 else 0.0


@njit(cache=True)
def topk_gain(key, node, size, gain, k, aux, best):  # pragma: no cover - compiled
    """Sum of the ``k`` largest exact gains among the heap's ``size`` candidates.

    Best-first walk of the heap (``aux``: a max-heap of heap positions by key) with the
    ``k`` largest gains seen so far in the min-heap ``best``; it stops when the next key,
    an upper bound of every gain not yet seen, is no larger than the k-th best.
    """
    if k <= 0 or size == 0:
        return 0
    m = 0
    a = 1
    aux[0] = 0
    while a > 0:
        h = aux[0]
        a -= 1
        aux[0] = aux[a]
        i = 0
        while True:  # sift the aux heap down
            left = 2 * i + 1
            if left >= a:
                break
            c = left
            if left + 1 < a and key[aux[left + 1]] > key[aux[left]]:
                c = left + 1
            if key[aux[c]] <= key[aux[i]]:
                break
            aux[i], aux[c] = aux[c], aux[i]
            i = c
        if m == k and key[h] <= best[0]:
            break
        g = gain[node[h]]
        if m < k:
            best[m] = g
            m += 1
            j = m - 1
            while j > 0:  # sift up the min-heap
                p = (j - 1) // 2
                if best[p] <= best[j]:
                    break
                best[p], best[j] = best[j], best[p]
                j = p
        elif g > best[0]:
            best[0] = g
            j = 0
            while True:
                left = 2 * j + 1
                if left >= m:
                    break
                c = left
                if left + 1 < m and best[left + 1] < best[left]:
                    c = left + 1
                if best[c] >= best[j]:
                    break
                best[c], best[j] = best[j], best[c]
                j = c
        for child in (2 * h + 1, 2 * h + 2):
            if child < size:
                aux[a] = child
                j = a
                a += 1
                while j > 0:  # sift up the aux heap
                    p = (j - 1) // 2
                    if key[aux[p]] >= key[aux[j]]:
                        break
                    aux[p], aux[j] = aux[j], aux[p]
                    j = p
    total = 0
    for i in range(m):
        total += best[i]
    return total


@njit(cache=True)
def knapsack_gain(gain, cost, eligible, budget):  # pragma: no cover - compiled
    """Fractional-knapsack optimum of the exact gains: an upper bound on what any
    affordable set of eligible users can add (zero-cost users are taken whole)."""
    n = gain.shape[0]
    cand = np.empty(n, dtype=np.int64)
    ratio = np.empty(n, dtype=np.float64)
    c = 0
    free = 0.0
    for u in range(n):
        if eligible[u] and gain[u] > 0 and cost[u] <= budget:
            if cost[u] <= 0.0:
                free += gain[u]
            else:
                cand[c] = u
                ratio[c] = -gain[u] / cost[u]
                c += 1
    order = np.argsort(ratio[:c])
    left = budget
    total = free
    for i in range(c):
        u = cand[order[i]]
        if cost[u] <= left:
            total += gain[u]
            left -= cost[u]
        else:
            total += gain[u] * (left / cost[u])
            break
    return total


@njit(cache=True)
def greedy(offsets, members, ptr, sets, n, eligible, id_rank, cost, budget, k_max, ratio,
           fixed, stop_at_zero, bound_mode, bound_k, knapsack):  # pragma: no cover - compiled
    """Lazy greedy. Returns ``picks, pick_gain, fixed_gain, covered_total, spent, bound``.

    ``ratio``: rank by gain / cost (cost-effective) instead of gain. A candidate whose
    cost exceeds the remaining budget is dropped for good (the remainder only shrinks).
    ``k_max < 0``: no limit on the number of picks. ``stop_at_zero``: stop when the best
    remaining gain is 0 (budget mode), instead of filling up to ``k_max`` by id.
    ``bound``: with ``bound_mode`` :data:`BOUND_TOPK`, the minimum over the steps of the
    covered sets plus the ``bound_k`` largest gains; with :data:`BOUND_KNAPSACK`, plus
    the knapsack bound (after 0, 1, 2, 4, ... picks and at the end); else ``inf``.
    ``knapsack``: ``None``, or ``eligible`` again for the knapsack bound: numba prunes the
    ``knapsack is not None`` branches of a ``None`` before compiling, so the cardinality
    greedy never compiles :func:`knapsack_gain` and its sort (~2 s on the first run).
    """
    n_sets = offsets.shape[0] - 1
    covered = np.zeros(n_sets, dtype=np.bool_)
    gain = np.empty(n, dtype=np.int64)
    for u in range(n):
        gain[u] = ptr[u + 1] - ptr[u]
    fixed_gain = np.empty(fixed.shape[0], dtype=np.int64)
    total = 0
    for i in range(fixed.shape[0]):
        fixed_gain[i] = _cover(fixed[i], offsets, members, ptr, sets, covered, gain)
        total += fixed_gain[i]
    key = np.empty(n, dtype=np.float64)
    rank = np.empty(n, dtype=np.int64)
    node = np.empty(n, dtype=np.int64)
    size = np.int64(0)  # np.int64, not the literal 0: one compiled _sift_down and topk_gain
    root = np.int64(0)
    for u in range(n):
        if eligible[u] and cost[u] <= budget:
            key[size] = _key(gain[u], cost[u], ratio)
            rank[size] = id_rank[u]
            node[size] = u
            size += 1
    for i in range(size // 2 - 1, -1, -1):
        _sift_down(key, rank, node, size, i)
    cap = size if k_max < 0 else min(size, k_max)
    picks = np.empty(cap, dtype=np.int64)
    pick_gain = np.empty(cap, dtype=np.int64)
    n_picks = 0
    spent = 0.0
    bound = np.inf
    aux = np.empty(size + 1 if bound_mode == BOUND_TOPK else 1, dtype=np.int64)
    best = np.empty(max(bound_k, 1), dtype=np.int64)
    next_knap = 0
    while size > 0 and n_picks < cap:
        u = node[0]
        if cost[u] > budget - spent:
            size -= 1
            key[0], rank[0], node[0] = key[size], rank[size], node[size]
            _sift_down(key, rank, node, size, root)
            continue
        cur = _key(gain[u], cost[u], ratio)
        if cur < key[0]:
            key[0] = cur
            _sift_down(key, rank, node, size, root)
            continue
        if bound_mode == BOUND_TOPK and not ratio:
            bound = min(bound, total + topk_gain(key, node, size, gain, bound_k, aux, best))
        elif knapsack is not None:
            if bound_mode == BOUND_KNAPSACK and n_picks == next_knap:
                bound = min(bound, total + knapsack_gain(gain, cost, knapsack, budget))
                next_knap = max(1, 2 * next_knap)
        if stop_at_zero and gain[u] == 0:
            break
        size -= 1
        key[0], rank[0], node[0] = key[size], rank[size], node[size]
        _sift_down(key, rank, node, size, root)
        g = _cover(u, offsets, members, ptr, sets, covered, gain)
        picks[n_picks] = u
        pick_gain[n_picks] = g
        n_picks += 1
        total += g
        spent += cost[u]
    if bound_mode == BOUND_TOPK and not ratio:
        # after the last pick: the heap keys are stale but still bound the gains from above
        bound = min(bound, total + topk_gain(key, node, size, gain, bound_k, aux, best))
    elif knapsack is not None:
        if bound_mode == BOUND_KNAPSACK:
            bound = min(bound, total + knapsack_gain(gain, cost, knapsack, budget))
    return picks[:n_picks], pick_gain[:n_picks], fixed_gain, total, spent, bound


@njit(cache=True, nogil=True)
def first_cover(offsets, members, order, b, n_blocks, part):  # pragma: no cover - compiled
    """How many of block ``b``'s sets each prefix position covers first (into ``part[b]``),
    without an inverted index.

    ``order[u]`` is ``u``'s position in the sequence (``n_seq = part.shape[1] - 1`` for
    users not in it); set ``s`` counts for the smallest position among its members. Blocks
    of sets as in :func:`invert_count`, one per thread; the caller adds the rows.
    """
    n_sets = offsets.shape[0] - 1
    n_seq = part.shape[1] - 1
    for s in range(n_sets * b // n_blocks, n_sets * (b + 1) // n_blocks):
        first = n_seq
        for j in range(offsets[s], offsets[s + 1]):
            o = order[members[j]]
            if o < first:
                first = o
        part[b, first] += 1
