"""Helpers shared by the iterative rankings (PageRank, HITS): argument checks and the
per-graph cache of kernel work chunks."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import SocialGraph


def check_iteration(max_iter, tol):
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative int, got {max_iter!r}")
    tol = float(tol)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite non-negative number, got {tol!r}")
    return int(max_iter), tol


def inverse(s: np.ndarray) -> np.ndarray:
    """1/s where s > 0, else 0."""
    out = np.zeros(s.shape[0], dtype=np.float64)
    pos = s > 0
    out[pos] = 1.0 / s[pos]
    return out


#: Weights beyond these bounds can overflow a row sum or its reciprocal; only then are
#: they rescaled (by powers of two, which is exact), so ordinary graphs take no detour.
_HUGE = 2.0 ** 1000
_TINY = 2.0 ** -1000


def row_scaled_weights(indptr: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``weight`` with each CSR row scaled by a power of two so that its largest entry
    lies in [0.5, 1): row-normalised weights are unchanged, but neither a row sum
    (``1e308 + 1e308``) nor its reciprocal (``1 / 1e-323``) can overflow.

    Returns ``weight`` itself when no entry is near the limits of float64.
    """
    if weight.shape[0] == 0:
        return weight
    positive = weight[weight > 0]
    if positive.shape[0] == 0 or (positive.max() < _HUGE / max(weight.shape[0], 1)
                                  and positive.min() > _TINY):
        return weight
    counts = np.diff(indptr)
    rows = np.flatnonzero(counts)
    row_max = np.maximum.reduceat(weight, indptr[rows]) if rows.size else np.zeros(0)
    _, exponent = np.frexp(np.where(row_max > 0, row_max, 1.0))
    shift = np.zeros(counts.shape[0], dtype=np.int64)
    shift[rows] = -exponent
    return np.ldexp(weight, np.repeat(shift, counts))


#: Target number of (nodes + edges) of work per chunk in the pull kernels.
CHUNK_WORK = 1 << 16


def chunk_bounds(indptr: np.ndarray, work: int | None = None) -> np.ndarray:
    """Split the rows of a CSR into contiguous chunks of about ``work`` nodes+edges.

    ``work`` defaults to the module's ``CHUNK_WORK`` (read at call time).

    Returns int64 boundaries ``b`` (``b[0] == 0``, ``b[-1] == n``); chunk ``c`` holds
    rows ``b[c]:b[c+1]``. Depends only on the graph, so reductions over chunks are
    identical on any number of threads.
    """
    if work is None:
        work = CHUNK_WORK
    n = indptr.shape[0] - 1
    m = int(indptr[-1])
    n_chunks = int(min(max(1, -(-(n + m) // work)), max(n, 1)))
    # cumulative work of rows 0..i-1 is i + indptr[i]; cut it into equal slices
    cum = np.arange(n + 1, dtype=np.int64) + indptr
    targets = np.linspace(0, n + m, n_chunks + 1)[1:-1]
    inner = np.searchsorted(cum, targets, side="left").astype(np.int64)
    b = np.concatenate(([0], inner, [n])).astype(np.int64)
    return np.unique(b)


def bounds(graph: SocialGraph, transposed: bool) -> np.ndarray:
    cache = BOUNDS.setdefault(graph, {})
    if transposed not in cache:
        indptr = graph.transpose.indptr if transposed else graph.indptr
        cache[transposed] = chunk_bounds(indptr)
    return cache[transposed]


BOUNDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Below this many nodes + edges PageRank iterates on one thread: a parallel step
#: is a fork-join, which on small graphs (or a busy 2-core machine) costs more
#: than it saves. The result is identical either way.
PARALLEL_WORK = 4_000_000
