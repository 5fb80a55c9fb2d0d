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


def bounds(graph: SocialGraph, transposed: bool) -> np.ndarray:
    from . import _kernels as _rank_kernels

    cache = BOUNDS.setdefault(graph, {})
    if transposed not in cache:
        indptr = graph.transpose.indptr if transposed else graph.indptr
        cache[transposed] = _rank_kernels.chunk_bounds(indptr)
    return cache[transposed]


BOUNDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Below this many nodes + edges PageRank iterates on one thread: a parallel step
#: is a fork-join, which on small graphs (or a busy 2-core machine) costs more
#: than it saves. The result is identical either way.
PARALLEL_WORK = 4_000_000
