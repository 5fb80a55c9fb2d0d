"""NumPy twins of the CSR kernels in ``_kernels``, for small graphs.

A numba kernel costs its process about a second the first time it runs (numba's
import plus loading the cached machine code); on a graph of a few thousand edges the
work itself takes microseconds. Below :data:`SMALL_WORK` (rows or nodes + edges) the
graph is built by these functions instead. They return the same arrays bit for bit:
every floating-point sum is accumulated in the kernels' order (``np.bincount`` adds
its weights one by one in input order, from 0.0, as the kernels' loops do).
"""

from __future__ import annotations

import numpy as np

#: Rows (for the CSR) or nodes + edges (for the rest) below which NumPy does the work.
#: Measured whole-process: see bench/RESULTS.md, "Start-up (whole process)".
SMALL_WORK = 1_500_000


def is_small(work: int) -> bool:
    """True when ``work`` items are cheaper in NumPy than numba's start-up."""
    return work < SMALL_WORK


def runs_to_csr(key, n, bits_n, bits_t, type_weight, row_weight, has_weight):
    """:func:`_kernels.runs_to_csr` in NumPy (same arguments, same results)."""
    n_types = type_weight.shape[0]
    t_mask = (np.int64(1) << bits_t) - 1
    n_mask = (np.int64(1) << bits_n) - 1
    pair = key >> bits_t
    typ = (key & t_mask).astype(np.int64)
    starts = np.ones(key.shape[0], dtype=bool)
    starts[1:] = pair[1:] != pair[:-1]
    edge = np.cumsum(starts) - 1
    n_edges = int(starts.sum())
    first = pair[starts]
    indices = (first & n_mask).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(first >> bits_n, minlength=n))
    counts = np.bincount(edge * n_types + typ, minlength=n_edges * n_types)
    counts = counts.astype(np.int32).reshape(n_edges, n_types)
    w = type_weight[typ] * row_weight if has_weight else type_weight[typ]
    weight = np.bincount(edge, weights=w, minlength=n_edges).astype(np.float64)
    return indptr, indices, weight, counts


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative int32 keys, as two stable sorts
    of 16-bit digits (least significant first; NumPy radix-sorts 16-bit integers): 4-5x
    faster than the merge sort of 32-bit keys on a million edges, the same order."""
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if keys.shape[0] == 0 or int(keys.max()) <= 0xFFFF:
        return low
    high = (keys[low] >> 16).astype(np.uint16)
    return low[np.argsort(high, kind="stable")]


def transpose(indptr, indices, n):
    """:func:`_kernels.transpose` in NumPy: a stable sort by target keeps actors in order."""
    edge_of = stable_order(indices).astype(np.int64)
    sources = np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr))
    t_indices = sources[edge_of]
    t_indptr = np.zeros(n + 1, dtype=np.int64)
    t_indptr[1:] = np.cumsum(np.bincount(indices, minlength=n))
    return t_indptr, t_indices, edge_of


def received_by_type(t_indptr, edge_of, counts):
    """:func:`_kernels.received_by_type` in NumPy (integer sums: exact)."""
    n = t_indptr.shape[0] - 1
    n_types = counts.shape[1]
    out = np.zeros((n, n_types), dtype=np.int64)
    target = np.repeat(np.arange(n), np.diff(t_indptr))
    for t in range(n_types):
        np.add.at(out[:, t], target, counts[edge_of, t].astype(np.int64))
    return out


def kernels_for(work: int):
    """The numba kernels module, or this module (same results) when ``work`` is small."""
    if is_small(work):
        import sys

        return sys.modules[__name__]
    from . import _kernels

    return _kernels


def is_small_graph(graph) -> bool:
    """True when NumPy beats numba's start-up on ``graph`` (nodes + edges below
    :data:`SMALL_WORK`); the iterative rankings use it to choose their kernels."""
    return is_small(graph.n_nodes + graph.n_edges)


def weak_labels(n, src, dst):
    """scipy's ``connected_components(..., connection="weak")`` in NumPy: ``(count, labels)``,
    components numbered by their smallest user, as scipy numbers them.

    Rounds of min-label hooking of tree roots followed by full pointer jumping: every
    root points to a smaller user of its component, so the rounds end, each at least
    halving the trees of a component (O(log n) rounds).
    """
    lab = np.arange(n, dtype=np.int64)
    src = src.astype(np.int64)
    dst = dst.astype(np.int64)
    while True:
        a, b = lab[src], lab[dst]
        cross = a != b
        if not cross.any():
            break
        a, b = a[cross], b[cross]
        low = np.minimum(a, b)
        np.minimum.at(lab, np.maximum(a, b), low)  # the larger root hooks under the smaller
        while True:
            jumped = lab[lab]
            if np.array_equal(jumped, lab):
                break
            lab = jumped
    roots, labels = np.unique(lab, return_inverse=True)
    return len(roots), labels.astype(np.int32)
