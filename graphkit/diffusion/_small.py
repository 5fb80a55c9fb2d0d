"""Python twins of the cascade kernels (:mod:`graphkit.diffusion._kernels`) for small work.

A numba kernel costs its process about 1.2 s the first time (importing numba, then
loading the cached machine code); 10,000 cascades on a graph of a few dozen edges take
the twins a few tens of milliseconds. :func:`run_chunks` runs the same chunks of runs as
:func:`graphkit.diffusion._kernels.ic_runs` / ``lt_runs`` and returns the same tallies
bit for bit: each chunk draws from its own stream (:mod:`graphkit._pystreams`, the very
numbers of :mod:`graphkit._streams`) in the kernels' order -- one uniform per edge tried
from a user activated in this run, in queue order (IC: only into users not yet active;
LT: a threshold the first time a user is touched) -- and every float sum (LT's weights)
is added in the kernels' order. ``tests/test_small_twins.py`` compares them with the
kernels and with the pure-Python reference.

When the twin runs (:func:`graphkit.diffusion.simulation.run_cascades`): its first chunk of
a job when numba is not loaded yet and the chunk's work is bounded (:func:`may_start`);
the rest when the uniforms extrapolated from that chunk fit in the process's budget
(:func:`graphkit._pystreams.may_draw`, whose budget every twin shares),
else the kernels run the rest -- the same chunks, so the same result either way.
"""

from __future__ import annotations

import numpy as np

from .. import _pystreams

__all__ = ["SMALL_EDGES", "FIRST_CHUNK_WORK", "may_start", "reachable_edges", "run_chunks"]

#: A first chunk may try at most this many edges (runs x reachable edges) in the twin.
FIRST_CHUNK_WORK = 300_000
#: Influence graphs with more edges always use the kernels (no reachability walk).
SMALL_EDGES = 100_000


def reachable_edges(indptr, indices, seeds) -> int:
    """Edges out of the users reachable from ``seeds`` (every edge live): an upper
    bound of the edges one cascade tries."""
    n = indptr.shape[0] - 1
    seen = np.zeros(n, dtype=bool)
    frontier = np.unique(np.asarray(seeds, dtype=np.int64))
    seen[frontier] = True
    total = 0
    while frontier.size:
        starts, stops = indptr[frontier], indptr[frontier + 1]
        total += int((stops - starts).sum())
        nxt = indices[np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(),
                                                                      stops.tolist())])]
        nxt = np.unique(nxt[~seen[nxt]]) if nxt.size else nxt
        seen[nxt] = True
        frontier = nxt.astype(np.int64)
    return total


def may_start(ig, seeds, chunk_runs: int) -> bool:
    """Whether the twin should run the first chunk of a job: numba not loaded yet, the
    process's budget not spent, a small graph and a first chunk of bounded work."""
    if ig.n_edges > SMALL_EDGES or not _pystreams.may_draw(0):
        return False
    return chunk_runs * (1 + reachable_edges(ig.indptr, ig.indices, seeds)) <= FIRST_CHUNK_WORK


def run_chunks(model: str, indptr, indices, values, seeds, chunk_seed, chunk_id0: int,
               chunk_size: int, n_runs: int, max_steps: int, guess: int = 0):
    """Runs ``0 .. n_runs - 1`` in chunks of ``chunk_size``, chunk ``c`` on the stream of
    global chunk ``chunk_id0 + c`` (the kernels' arguments).

    ``guess``: uniforms a chunk is expected to take (0: learnt from the first chunk).
    Returns ``reach`` (int64, n_runs), ``step_sum`` (int64, the deepest step + 1) and
    ``act`` (int64, n) -- what :func:`graphkit.diffusion.simulation.run_cascades` adds up
    from the kernels' per-worker tallies -- and the number of uniforms drawn.
    """
    n = indptr.shape[0] - 1
    ip = indptr.tolist()
    ix = indices.tolist()
    val = np.asarray(values, dtype=np.float64).tolist()
    adj = [list(zip(ix[ip[u]:ip[u + 1]], val[ip[u]:ip[u + 1]])) for u in range(n)]
    seed_list = [int(s) for s in seeds]
    lt = model == "lt"
    stamp = [0] * n
    seen = [0] * n
    acc = [0.0] * n
    theta = [0.0] * n
    act = [0] * n
    steps = [0] * (n + 2)
    depth = 0
    reach = [0] * n_runs
    tag = 0
    n_chunks = chunk_seed.shape[0]
    # a first chunk on its own tells how many uniforms a chunk takes: the others get
    # that many (+ 1/8) advanced together, the rest on demand
    if guess > 0:
        buffers, conts = _pystreams.chunk_streams(chunk_seed, chunk_id0, guess)
    else:
        first, rest = _pystreams.chunk_streams(chunk_seed[:1], chunk_id0, 0)
        buffers, conts = first + [None] * (n_chunks - 1), rest + [None] * (n_chunks - 1)
    drawn = 0
    for c in range(n_chunks):
        if c == 1 and guess <= 0:
            buffers[1:], conts[1:] = _pystreams.chunk_streams(chunk_seed[1:], chunk_id0 + 1,
                                              drawn + drawn // 8 + 16)
        u_buf, cont = buffers[c], conts[c]
        buffers[c] = None
        k = base = 0
        n_buf = len(u_buf)
        for r in range(c * chunk_size, min((c + 1) * chunk_size, n_runs)):
            tag += 1
            queue = []
            for s in seed_list:
                if stamp[s] != tag:
                    stamp[s] = tag
                    queue.append(s)
                    act[s] += 1
            tail = len(queue)
            steps[0] += tail
            lo, hi, step = 0, tail, 0
            while lo < hi and (max_steps < 0 or step < max_steps):
                step += 1
                for i in range(lo, hi):
                    for v, p in adj[queue[i]]:
                        if stamp[v] == tag:
                            continue
                        if lt:
                            if seen[v] != tag:
                                if k == n_buf:
                                    base += k
                                    u_buf = cont.block(64)
                                    k, n_buf = 0, 64
                                seen[v] = tag
                                acc[v] = 0.0
                                theta[v] = 1.0 - u_buf[k]
                                k += 1
                            a = acc[v] + p
                            acc[v] = a
                            if a < theta[v]:
                                continue
                        else:
                            if k == n_buf:
                                base += k
                                u_buf = cont.block(64)
                                k, n_buf = 0, 64
                            x = u_buf[k]
                            k += 1
                            if not x < p:
                                continue
                        stamp[v] = tag
                        queue.append(v)
                        act[v] += 1
                tail = len(queue)
                if tail > hi:
                    steps[step] += tail - hi
                    if step > depth:
                        depth = step
                lo, hi = hi, tail
            reach[r] = tail
        drawn += base + k
    return (np.array(reach, dtype=np.int64), np.array(steps[:depth + 1], dtype=np.int64),
            np.array(act, dtype=np.int64), drawn)
