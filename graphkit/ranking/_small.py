"""NumPy twins of the PageRank kernels in ``_kernels``, for small graphs.

Same arguments, same results bit for bit: each sum is accumulated in the kernels' order
(``np.bincount`` adds its weights one by one in input order from 0.0, ``np.cumsum`` runs
left to right), so the iteration count and the scores do not depend on the path. The
graph package decides what "small" is (``graph._small.SMALL_WORK``, measured).
"""

from __future__ import annotations

import numpy as np


def row_sums(indptr, data):
    """:func:`_kernels.row_sums` in NumPy."""
    n = indptr.shape[0] - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    return np.bincount(rows, weights=data, minlength=n).astype(np.float64)


def transposed_normalized_weights(t_indices, edge_of, weight, inv_out):
    """:func:`_kernels.transposed_normalized_weights` in NumPy."""
    return weight[edge_of] * inv_out[t_indices]


def _in_order(values) -> float:
    """``0.0 + v[0] + v[1] + ...`` left to right, as the kernels add."""
    return float(np.cumsum(values)[-1]) if values.shape[0] else 0.0


def pagerank_pull(t_indptr, t_indices, w, inv_out, weighted, bounds, dangling, p,
                  alpha, x0, max_iter, tol_total, parallel):
    """:func:`_kernels.pagerank_pull` in NumPy, one thread (``parallel`` is ignored)."""
    n = p.shape[0]
    n_chunks = bounds.shape[0] - 1
    target = np.repeat(np.arange(n), np.diff(t_indptr))
    chunk_of = np.repeat(np.arange(n_chunks), np.diff(bounds))
    sources = t_indices.astype(np.intp)  # np.take with native indices: 2x a fancy index
    restart = (1.0 - alpha) * p
    x = x0.copy()
    err = np.inf
    it = 0
    while it < max_iter:
        it += 1
        dsum = _in_order(x[dangling])
        if weighted:
            flow = w * np.take(x, sources)
        else:
            flow = np.take(x * inv_out, sources)
        s = np.bincount(target, weights=flow, minlength=n)
        xn = alpha * (s + dsum * p) + restart
        partial = np.bincount(chunk_of, weights=np.abs(xn - x), minlength=n_chunks)
        err = _in_order(partial)
        x = xn
        if err < tol_total:
            break
    return x, it, err
