"""Private numba kernel behind :mod:`graphkit.segments`: single-seed reach from RR sets.

:func:`rr_coverage` draws ``n_sets`` reverse-reachable sets of the Independent Cascade
model (Borgs et al. 2014) and counts, for every user, how many of them contain it.
``count[u] * n / n_sets`` is then an unbiased estimate of the expected reach of ``u``
seeded alone, for every ``u`` at once.

An RR set of a uniformly drawn root ``v`` is every user with a live path to ``v``: a
breadth-first walk from ``v`` along the *incoming* influence arcs (the attention CSR,
DESIGN §2), keeping each arc with its probability.

Determinism: sets are drawn in fixed chunks of ``chunk_size``; chunk ``c`` draws from its
own xoshiro256+ stream (:mod:`graphkit._streams`) seeded by ``(chunk_seed[c], chunk0 + c)``. Each thread counts into its own
row of ``counts``; the rows are integers added at the end, so the result is the same on
any number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange

from .._streams import next_uniform, seed_state


@njit(parallel=True, cache=True)
def rr_coverage(indptr, indices, prob, n_sets, chunk_size, chunk_seed, chunk0, counts, stamp,
                queue):  # pragma: no cover - compiled
    """Add to ``counts[t, u]`` the RR sets (of ``n_sets``) that contain ``u``.

    ``counts``, ``stamp`` (int64, zero on first use) and ``queue`` (int32) are per-thread
    rows of length ``n``. Returns the total size of the sets drawn.
    """
    n = indptr.shape[0] - 1
    n_chunks = chunk_seed.shape[0]
    sizes = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        t = get_thread_id()
        cnt = counts[t]
        seen = stamp[t]
        q = queue[t]
        state = np.empty(4, dtype=np.uint64)
        seed_state(state, chunk_seed[c], chunk0 + c)
        total = 0
        for i in range(c * chunk_size, min((c + 1) * chunk_size, n_sets)):
            tag = np.int64(i) + 1
            root = min(np.int64(next_uniform(state) * n), n - 1)
            seen[root] = tag
            q[0] = root
            tail = 1
            head = 0
            while head < tail:
                x = q[head]
                head += 1
                cnt[x] += 1
                for j in range(indptr[x], indptr[x + 1]):
                    y = indices[j]
                    if seen[y] != tag:
                        p = prob[j]
                        if p >= 1.0 or (p > 0.0 and next_uniform(state) < p):
                            seen[y] = tag
                            q[tail] = y
                            tail += 1
            total += tail
        sizes[c] = total
    return sizes.sum()
