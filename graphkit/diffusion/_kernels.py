"""Private numba kernels for cascade simulation (arrays in, arrays out).

Both kernels walk the *influence* CSR forward (``InfluenceGraph.indptr/indices``,
the transpose of the attention graph) from a seed set, once per run. A call is one
worker's share of the runs; it fills its rows of the caller's arrays:

* ``reach`` (int64, runs): users active at the end of each run, seeds included;
* ``act_w[w]`` (int32, n): in how many of the worker's runs each user ended active;
* ``step_w[w]`` (int64, steps + 1): users newly activated at each step (step 0 = the
  seeds), summed over the worker's runs; ``depth_w[w]``: the deepest step reached.

The kernels release the GIL (``nogil``) and :func:`graphkit.diffusion.simulation.run_cascades`
runs the workers on threads of its own: serial kernels compile in about half the time
of a ``parallel=True`` one, which matters on the first run after installing.

Determinism (DESIGN §5): runs are cut into fixed chunks of ``chunk_size`` runs; chunk
``c`` draws its random numbers from its own xoshiro256+ stream whose start state is
``splitmix64``-hashed from ``(chunk_seed[c], c)``. Worker ``w`` of ``n_workers`` takes
chunks ``w, w + n_workers, ...``; a chunk's result depends only on its seed, and the
per-worker tallies are integers summed at the end, so every output is identical for
any number of threads. Per-run state is never cleared: a user is active in the
current run iff ``stamp[v] == tag`` (the worker's run counter).

Kernels are compiled on first use and cached on disk (``cache=True``); they are not
covered by coverage (``# pragma: no cover``) and are tested against the pure-Python
loops in :mod:`graphkit.diffusion._reference` and against exact answers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._streams import next_uniform, seed_state


@njit(cache=True, inline="always")
def _count_step(step_w, depth_w, w, step, new):  # pragma: no cover - compiled
    """Worker ``w`` saw ``new`` activations at ``step`` (nothing to record when 0)."""
    if new > 0:
        step_w[w, step] += new
        if step > depth_w[w]:
            depth_w[w] = step


@njit(cache=True, inline="always")
def _place_seeds(seeds, stamp, tag, queue, act_w, w):  # pragma: no cover - compiled
    """Start run ``tag``: mark the (distinct) seeds active, queue them, count them for
    worker ``w``. Returns the queue length."""
    tail = 0
    for s in seeds:
        if stamp[s] != tag:
            stamp[s] = tag
            queue[tail] = s
            tail += 1
            act_w[w, s] += 1
    return tail


@njit(cache=True, nogil=True)
def ic_runs(w, n_workers, indptr, indices, prob, seeds, chunk_seed, chunk_id0, chunk_size,
            n_runs, max_steps, reach, act_w, step_w, depth_w):  # pragma: no cover - compiled
    """Independent Cascade, worker ``w``'s share of ``n_runs`` runs from ``seeds``
    (distinct positions).

    When user ``u`` becomes active at step ``t`` it gets one chance to activate each
    inactive ``v`` it influences, with probability ``prob[j]``; successes are active
    at step ``t + 1``. ``max_steps < 0`` means no limit. Chunk ``c`` of this call is
    global chunk ``chunk_id0 + c`` (its stream id) and holds runs
    ``[c * chunk_size, min((c + 1) * chunk_size, n_runs))``.
    """
    n = indptr.shape[0] - 1
    n_chunks = chunk_seed.shape[0]
    stamp = np.zeros(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    state = np.empty(4, dtype=np.uint64)
    tag = 0
    for c in range(w, n_chunks, n_workers):
        seed_state(state, chunk_seed[c], chunk_id0 + c)
        r1 = min((c + 1) * chunk_size, n_runs)
        for r in range(c * chunk_size, r1):
            tag += 1
            tail = _place_seeds(seeds, stamp, tag, queue, act_w, w)
            step_w[w, 0] += tail
            lo = 0
            hi = tail
            step = 0
            while lo < hi and (max_steps < 0 or step < max_steps):
                step += 1
                for i in range(lo, hi):
                    u = queue[i]
                    for j in range(indptr[u], indptr[u + 1]):
                        v = indices[j]
                        if stamp[v] != tag and next_uniform(state) < prob[j]:
                            stamp[v] = tag
                            queue[tail] = v
                            tail += 1
                            act_w[w, v] += 1
                _count_step(step_w, depth_w, w, step, tail - hi)
                lo = hi
                hi = tail
            reach[r] = tail


@njit(cache=True, nogil=True)
def lt_runs(w, n_workers, indptr, indices, weight, seeds, chunk_seed, chunk_id0, chunk_size,
            n_runs, max_steps, reach, act_w, step_w, depth_w):  # pragma: no cover - compiled
    """Linear Threshold, worker ``w``'s share of ``n_runs`` runs from ``seeds``
    (distinct positions).

    Each user ``v`` draws a threshold uniform on (0, 1] the first time an active
    user touches it in a run; it becomes active at step ``t + 1`` once the weights
    ``weight[j]`` of its in-neighbours active by step ``t`` sum to at least the
    threshold. Weights into each user must sum to at most 1. Chunking as in
    :func:`ic_runs`.
    """
    n = indptr.shape[0] - 1
    n_chunks = chunk_seed.shape[0]
    stamp = np.zeros(n, dtype=np.int32)
    seen = np.zeros(n, dtype=np.int32)
    acc = np.empty(n, dtype=np.float64)
    theta = np.empty(n, dtype=np.float64)
    queue = np.empty(n, dtype=np.int32)
    state = np.empty(4, dtype=np.uint64)
    tag = 0
    for c in range(w, n_chunks, n_workers):
        seed_state(state, chunk_seed[c], chunk_id0 + c)
        r1 = min((c + 1) * chunk_size, n_runs)
        for r in range(c * chunk_size, r1):
            tag += 1
            tail = _place_seeds(seeds, stamp, tag, queue, act_w, w)
            step_w[w, 0] += tail
            lo = 0
            hi = tail
            step = 0
            while lo < hi and (max_steps < 0 or step < max_steps):
                step += 1
                for i in range(lo, hi):
                    u = queue[i]
                    for j in range(indptr[u], indptr[u + 1]):
                        v = indices[j]
                        if stamp[v] == tag:
                            continue
                        if seen[v] != tag:
                            seen[v] = tag
                            acc[v] = 0.0
                            theta[v] = 1.0 - next_uniform(state)
                        acc[v] += weight[j]
                        if acc[v] >= theta[v]:
                            stamp[v] = tag
                            queue[tail] = v
                            tail += 1
                            act_w[w, v] += 1
                _count_step(step_w, depth_w, w, step, tail - hi)
                lo = hi
                hi = tail
            reach[r] = tail
