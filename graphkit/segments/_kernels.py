"""Private numba kernel behind :mod:`graphkit.segments`: single-seed reach from RR sets.

:func:`rr_coverage` draws ``n_sets`` reverse-reachable sets of the Independent Cascade
model (Borgs et al. 2014) and counts, for every user, how many of them contain it.
``count[u] * n / n_sets`` is then an unbiased estimate of the expected reach of ``u``
seeded alone, for every ``u`` at once.

An RR set of a uniformly drawn root ``v`` is every user with a live path to ``v``: a
breadth-first walk from ``v`` along the *incoming* influence arcs (the attention CSR,
DESIGN §2), keeping each arc with its probability.

Determinism: sets are drawn in fixed chunks of ``chunk_size``; chunk ``c`` draws from its
own xoshiro256+ stream (:mod:`graphkit._streams`) seeded by ``(chunk_seed[c], chunk0 + c)``.
Thread ``t`` draws chunks ``t, t + n_threads, ...`` and counts into its own row of
``counts``; the rows are integers added at the end, so the result is the same on any
number of threads. The kernel is serial and releases the GIL: the caller runs one call
per thread (:func:`graphkit._batches.on_threads`), which compiles once, where a
``parallel=True`` kernel compiled about twice as long on the first run after installing.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._streams import next_uniform, seed_state


@njit(cache=True, nogil=True)
def rr_coverage(t, n_threads, indptr, indices, prob, n_sets, chunk_size, chunk_seed, chunk0,
                counts, stamp, queue):  # pragma: no cover - compiled
    """Thread ``t``'s share of ``n_sets`` RR sets (chunks ``t, t + n_threads, ...``): adds
    to ``counts[t, u]`` the sets that contain ``u``.

    ``counts``, ``stamp`` (int64, zero on first use) and ``queue`` (int32) are per-thread
    rows of length ``n``; thread ``t`` touches only its own rows and chunks.
    """
    n = indptr.shape[0] - 1
    n_chunks = chunk_seed.shape[0]
    cnt = counts[t]
    seen = stamp[t]
    q = queue[t]
    state = np.empty(4, dtype=np.uint64)
    for c in range(t, n_chunks, n_threads):
        seed_state(state, chunk_seed[c], chunk0 + c)
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
