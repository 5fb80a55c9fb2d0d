"""Private numba kernels on CSR arrays (arrays in, arrays out; no Python objects)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def runs_to_csr(key, n, bits_n, bits_t, type_weight, row_weight, has_weight):  # pragma: no cover
    """CSR arrays from sorted packed keys ``(source << (bits_n + bits_t)) | (target << bits_t) | type``.

    One entry per distinct (source, target); ``counts[e, t]`` is the number of rows
    of type ``t``; ``weight[e]`` sums ``type_weight[t] * row_weight`` (row weight 1
    unless ``has_weight``) in key order, so the sum is deterministic.
    Returns ``(indptr, indices, weight, counts)``.
    """
    m = key.shape[0]
    n_types = type_weight.shape[0]
    t_mask = (np.int64(1) << bits_t) - 1
    n_mask = (np.int64(1) << bits_n) - 1
    n_edges = 0
    prev = np.int64(-1)
    for i in range(m):
        p = key[i] >> bits_t
        if p != prev:
            n_edges += 1
            prev = p
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(n_edges, dtype=np.int32)
    weight = np.zeros(n_edges, dtype=np.float64)
    counts = np.zeros((n_edges, n_types), dtype=np.int32)
    e = -1
    prev = np.int64(-1)
    for i in range(m):
        k = key[i]
        p = k >> bits_t
        t = k & t_mask
        if p != prev:
            e += 1
            prev = p
            indices[e] = p & n_mask
            indptr[(p >> bits_n) + 1] += 1
        counts[e, t] += 1
        w = row_weight[i] if has_weight else 1.0
        weight[e] += type_weight[t] * w
    for u in range(n):
        indptr[u + 1] += indptr[u]
    return indptr, indices, weight, counts


@njit(cache=True)
def transpose(indptr, indices, n):  # pragma: no cover - compiled
    """Transpose a CSR pattern. Returns ``(t_indptr, t_indices, edge_of)``.

    ``edge_of[j]`` is the position in the original arrays of transposed entry ``j``,
    so any per-edge array ``x`` is aligned to the transpose by ``x[edge_of]``.
    Columns within each transposed row come out sorted.
    """
    m = indices.shape[0]
    t_indptr = np.zeros(n + 1, dtype=np.int64)
    for j in range(m):
        t_indptr[indices[j] + 1] += 1
    for v in range(n):
        t_indptr[v + 1] += t_indptr[v]
    fill = t_indptr[:-1].copy()
    t_indices = np.empty(m, dtype=np.int32)
    edge_of = np.empty(m, dtype=np.int64)
    for u in range(n):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            p = fill[v]
            t_indices[p] = u
            edge_of[p] = j
            fill[v] = p + 1
    return t_indptr, t_indices, edge_of


@njit(parallel=True, cache=True)
def received_by_type(t_indptr, edge_of, counts):  # pragma: no cover - compiled
    """``out[v, t]``: interactions of type ``t`` that user ``v`` received (int64, n x T).

    Pulls along the transposed CSR, one user per iteration: no write conflicts.
    """
    n = t_indptr.shape[0] - 1
    n_types = counts.shape[1]
    out = np.zeros((n, n_types), dtype=np.int64)
    for v in prange(n):
        for j in range(t_indptr[v], t_indptr[v + 1]):
            e = edge_of[j]
            for t in range(n_types):
                out[v, t] += counts[e, t]
    return out


@njit(cache=True)
def mutual_pair(indptr, indices, t_indptr, t_indices):  # pragma: no cover - compiled
    """Whether some user both acted on and was acted on by the same user: row ``u`` of
    the CSR (whom ``u`` acted on) and row ``u`` of its transpose (who acted on ``u``)
    share an entry. Both rows are merged in one pass, stopping at the first match.

    Returns 1 (a pair both ways), 0 (none) or -1 when a row is not strictly increasing
    (the merge needs sorted rows; the caller then asks another way).
    """
    n = indptr.shape[0] - 1
    for u in range(n):
        i = indptr[u]
        i_end = indptr[u + 1]
        j = t_indptr[u]
        j_end = t_indptr[u + 1]
        if i == i_end or j == j_end:
            continue
        prev_a = np.int64(-1)
        prev_b = np.int64(-1)
        while i < i_end and j < j_end:
            a = np.int64(indices[i])
            b = np.int64(t_indices[j])
            if a <= prev_a or b <= prev_b:
                return -1
            if a == b:
                return 1
            if a < b:
                prev_a = a
                i += 1
            else:
                prev_b = b
                j += 1
        # the rest of the longer row is never compared: check it is still sorted
        if not (_increasing(indices, i, i_end, prev_a)
                and _increasing(t_indices, j, j_end, prev_b)):
            return -1
    return 0


@njit(cache=True)
def _increasing(values, start, end, prev):  # pragma: no cover - compiled
    """Whether ``values[start:end]`` is strictly increasing and above ``prev``."""
    for k in range(start, end):
        v = np.int64(values[k])
        if v <= prev:
            return False
        prev = v
    return True
