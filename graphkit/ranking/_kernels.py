"""Private numba kernels behind :mod:`graphkit.rank`.

Arrays in, arrays out; no Python objects. Every parallel kernel is deterministic:
each output entry is written by exactly one thread, and every floating-point
reduction is split into chunks whose boundaries depend only on the graph (never
on the number of threads), with the chunk partial sums added in a fixed order.
No atomics. The pure-Python originals stay reachable through ``py_func``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


# --------------------------------------------------------------------- PageRank
@njit(parallel=True, cache=True)
def row_sums(indptr, data):  # pragma: no cover - compiled
    """Sum of ``data`` over each CSR row (the out-strength), in row order."""
    n = indptr.shape[0] - 1
    out = np.empty(n, dtype=np.float64)
    for v in prange(n):
        s = 0.0
        for j in range(indptr[v], indptr[v + 1]):
            s += data[j]
        out[v] = s
    return out


@njit(parallel=True, cache=True)
def transposed_normalized_weights(t_indices, edge_of, weight, inv_out):  # pragma: no cover
    """``w[j] = weight[edge_of[j]] * inv_out[t_indices[j]]``: row-normalised weights
    aligned with the transpose (the source of transposed entry ``j`` is ``t_indices[j]``)."""
    m = t_indices.shape[0]
    w = np.empty(m, dtype=np.float64)
    for j in prange(m):
        w[j] = weight[edge_of[j]] * inv_out[t_indices[j]]
    return w


@njit(cache=True, inline="always")
def _pull_chunk(c, bounds, t_indptr, t_indices, w, y, weighted, x, xn, p, dsum, alpha,
                partial):  # pragma: no cover - compiled
    """One chunk of a PageRank step: ``xn[v]`` for the chunk's targets, L1 change in ``partial[c]``."""
    e = 0.0
    for v in range(bounds[c], bounds[c + 1]):
        s = 0.0
        if weighted:
            for j in range(t_indptr[v], t_indptr[v + 1]):
                s += w[j] * x[t_indices[j]]
        else:
            for j in range(t_indptr[v], t_indptr[v + 1]):
                s += y[t_indices[j]]
        val = alpha * (s + dsum * p[v]) + (1.0 - alpha) * p[v]
        xn[v] = val
        e += abs(val - x[v])
    partial[c] = e


@njit(parallel=True, cache=True)
def pagerank_pull(t_indptr, t_indices, w, inv_out, weighted, bounds, dangling, p,
                  alpha, x0, max_iter, tol_total, parallel):  # pragma: no cover - compiled
    """Power iteration of PageRank, pulling along the transposed CSR.

    One step is ``x' = alpha * (x P + sum(x[dangling]) * p) + (1 - alpha) * p``
    (``P`` the row-normalised attention matrix), as in networkx's
    ``_pagerank_scipy``; iteration stops when ``sum|x' - x| < tol_total``.

    Parameters
    ----------
    t_indptr, t_indices : transposed CSR (target -> actors).
    w : float64 (m,), normalised weights aligned with the transpose (used when
        ``weighted``).
    inv_out : float64 (n,), 1 / out-degree (0 for dangling; used when not weighted).
    bounds : int64 chunk boundaries over targets (:func:`_iteration.chunk_bounds`).
    dangling : int64 positions of dangling nodes.
    p : float64 (n,), normalised personalization (also the dangling distribution).
    x0 : float64 (n,), start vector.
    parallel : bool
        Spread the chunks over threads. Each iteration is then a fork-join, which on a
        small graph (or a busy machine) costs more than it saves; the result is the
        same either way (chunk sums are added in chunk order).

    Returns
    -------
    x : float64 (n,)
    n_iter : int, iterations done
    err : float, L1 change of the last iteration
    """
    n = p.shape[0]
    n_chunks = bounds.shape[0] - 1
    x = x0.copy()
    xn = np.empty(n, dtype=np.float64)
    y = np.empty(n, dtype=np.float64)
    partial = np.zeros(n_chunks, dtype=np.float64)
    err = np.inf
    it = 0
    while it < max_iter:
        it += 1
        dsum = 0.0
        for i in range(dangling.shape[0]):
            dsum += x[dangling[i]]
        if not weighted:
            for v in range(n):
                y[v] = x[v] * inv_out[v]
        if parallel:
            for c in prange(n_chunks):
                _pull_chunk(c, bounds, t_indptr, t_indices, w, y, weighted, x, xn, p, dsum,
                            alpha, partial)
        else:
            for c in range(n_chunks):
                _pull_chunk(c, bounds, t_indptr, t_indices, w, y, weighted, x, xn, p, dsum,
                            alpha, partial)
        err = 0.0
        for c in range(n_chunks):
            err += partial[c]
        x, xn = xn, x
        if err < tol_total:
            break
    return x, it, err


# ------------------------------------------------------------------------ HITS
@njit(parallel=True, cache=True)
def spmv_pull(indptr, indices, data, weighted, bounds, x):  # pragma: no cover - compiled
    """``out[v] = sum_j data[j] * x[indices[j]]`` over row ``v`` (``data`` = 1 when not
    ``weighted``), parallel over row chunks."""
    n = indptr.shape[0] - 1
    out = np.empty(n, dtype=np.float64)
    for c in prange(bounds.shape[0] - 1):
        for v in range(bounds[c], bounds[c + 1]):
            s = 0.0
            if weighted:
                for j in range(indptr[v], indptr[v + 1]):
                    s += data[j] * x[indices[j]]
            else:
                for j in range(indptr[v], indptr[v + 1]):
                    s += x[indices[j]]
            out[v] = s
    return out


# ---------------------------------------------------------------------- k-core
@njit(cache=True)
def core_number(indptr, indices, t_indptr, t_indices):  # pragma: no cover - compiled
    """Batagelj–Zaversnik O(m) core decomposition of the directed pattern.

    A node's neighbours are its out- and in-neighbours, so its degree is
    in + out degree and a reciprocal pair counts twice (networkx's ``core_number``
    on a ``DiGraph``).
    """
    n = indptr.shape[0] - 1
    deg = np.empty(n, dtype=np.int64)
    md = 0
    for v in range(n):
        d = (indptr[v + 1] - indptr[v]) + (t_indptr[v + 1] - t_indptr[v])
        deg[v] = d
        if d > md:
            md = d
    bin_start = np.zeros(md + 2, dtype=np.int64)
    for v in range(n):
        bin_start[deg[v] + 1] += 1
    for d in range(md + 1):
        bin_start[d + 1] += bin_start[d]
    fill = bin_start[:-1].copy()
    vert = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for v in range(n):
        p = fill[deg[v]]
        pos[v] = p
        vert[p] = v
        fill[deg[v]] = p + 1
    for i in range(n):
        v = vert[i]
        dv = deg[v]
        for side in range(2):
            if side == 0:
                a = indptr[v]
                b = indptr[v + 1]
            else:
                a = t_indptr[v]
                b = t_indptr[v + 1]
            for j in range(a, b):
                u = indices[j] if side == 0 else t_indices[j]
                du = deg[u]
                if du > dv:
                    pu = pos[u]
                    pw = bin_start[du]
                    w = vert[pw]
                    if u != w:
                        pos[u] = pw
                        vert[pu] = w
                        pos[w] = pu
                        vert[pw] = u
                    bin_start[du] += 1
                    deg[u] = du - 1
    return deg


# ----------------------------------------------------------------- betweenness
@njit(parallel=True, cache=True)
def brandes(indptr, indices, sources, bounds, total):  # pragma: no cover - compiled
    """Unnormalised Brandes betweenness of ``sources`` (unweighted BFS), added to ``total``.

    Sources ``sources[bounds[c]:bounds[c+1]]`` form chunk ``c``; each chunk keeps
    its own partial sums and workspace, and the partials are added to ``total`` in
    chunk order, so the result depends neither on the number of threads nor on how
    the caller splits the chunks into calls. Endpoints are not counted (networkx's
    default).
    """
    n = indptr.shape[0] - 1
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, n), dtype=np.float64)
    for c in prange(n_chunks):
        dist = np.full(n, -1, dtype=np.int32)
        sigma = np.zeros(n, dtype=np.float64)
        delta = np.zeros(n, dtype=np.float64)
        order = np.empty(n, dtype=np.int32)
        bc = partial[c]
        for si in range(bounds[c], bounds[c + 1]):
            s = sources[si]
            dist[s] = 0
            sigma[s] = 1.0
            order[0] = s
            head = 0
            tail = 1
            while head < tail:
                v = order[head]
                head += 1
                dn = dist[v] + 1
                sv = sigma[v]
                for j in range(indptr[v], indptr[v + 1]):
                    u = indices[j]
                    if dist[u] < 0:
                        dist[u] = dn
                        order[tail] = u
                        tail += 1
                    if dist[u] == dn:
                        sigma[u] += sv
            # dependencies in reverse BFS order: delta[v] = sum over successors w
            # (dist[w] == dist[v] + 1) of sigma[v] / sigma[w] * (1 + delta[w])
            for i in range(tail - 1, -1, -1):
                v = order[i]
                dn = dist[v] + 1
                acc = 0.0
                for j in range(indptr[v], indptr[v + 1]):
                    u = indices[j]
                    if dist[u] == dn:
                        acc += (1.0 + delta[u]) / sigma[u]
                delta[v] = sigma[v] * acc
                if v != s:
                    bc[v] += delta[v]
            for i in range(tail):
                v = order[i]
                dist[v] = -1
                sigma[v] = 0.0
                delta[v] = 0.0
    for v in prange(n):
        t = total[v]
        for c in range(n_chunks):
            t += partial[c, v]
        total[v] = t
    return total
