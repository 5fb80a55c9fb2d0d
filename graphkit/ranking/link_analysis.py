"""Link analysis on the attention graph: PageRank and HITS (numba pull iterations on the
cached transpose)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConvergenceError
from . import _iteration
from ._iteration import bounds, check_iteration, inverse, row_scaled_weights

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import SocialGraph

__all__ = ["pagerank", "hits"]


def _personalization_vector(graph: SocialGraph, personalization) -> np.ndarray:
    """Normalised restart distribution (uniform when ``personalization`` is None)."""
    n = graph.n_nodes
    if personalization is None:
        return np.full(n, 1.0 / n)
    import pandas as pd

    if isinstance(personalization, pd.Series):
        # a Series is keyed by its index (user ids), never read by position
        personalization = dict(zip(personalization.index, personalization.to_numpy()))
    if isinstance(personalization, Mapping):
        pos = graph.index(list(personalization.keys()))
        vals = np.array([float(v) for v in personalization.values()], dtype=np.float64)
        p = np.zeros(n, dtype=np.float64)
        np.add.at(p, pos, vals)  # ids equal after str() add up
    else:
        if isinstance(personalization, str):
            personalization = [personalization]
        arr = np.asarray(personalization)
        if arr.ndim != 1:
            raise ValueError("personalization must be a mapping, a 1-d sequence of ids or a vector")
        if arr.dtype.kind in "biuf":
            if arr.shape[0] != n:
                raise ValueError(
                    f"a numeric personalization vector needs one value per node ({n}), "
                    f"got {arr.shape[0]}; pass user ids as strings"
                )
            p = arr.astype(np.float64)
        else:
            p = np.zeros(n, dtype=np.float64)
            p[graph.index(arr.tolist())] = 1.0
    if not np.all(np.isfinite(p)) or (p < 0).any():
        raise ValueError("personalization values must be finite and non-negative")
    total = p.sum()
    if total <= 0:
        raise ValueError("personalization must give a positive value to at least one user")
    return p / total


def pagerank(graph: SocialGraph, *, damping: float = 0.85, personalization=None,
             weighted: bool = True, max_iter: int = 1000, tol: float = 1e-6) -> np.ndarray:
    """PageRank of every user on the attention graph.

    A random surfer follows an edge ``u -> v`` (u followed, shared or commented on
    v) with probability proportional to its weight, and with probability
    ``1 - damping`` restarts at a user drawn from ``personalization``. Users
    everybody pays attention to score high.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    damping : float, optional
        Probability of following an edge rather than restarting (networkx's
        ``alpha``). Default 0.85.
    personalization : None, mapping, sequence of str or array of float, optional
        The restart distribution. ``None`` is uniform; a mapping (or a pandas
        Series) ``user id -> value``; a sequence of user ids (uniform over them);
        or a numeric vector with one value per node position. Values must be
        non-negative and are normalised to sum 1. Dangling users restart from the
        same distribution.
    weighted : bool, optional
        Use ``graph.weight`` (the type-weighted interaction sum of each pair) as
        edge weights; ``False`` gives every distinct pair weight 1. Default True.
    max_iter : int, optional
        Maximum number of power iterations. Default 1000 (a cap, rarely reached:
        the error shrinks by about ``damping`` per iteration).
    tol : float, optional
        Stop when the L1 norm of the change between two iterations is below
        ``tol`` (see Notes). Default 1e-6.

    Returns
    -------
    numpy.ndarray
        float64 scores aligned with ``graph.node_ids``; they sum to 1.

    Raises
    ------
    ConvergenceError
        If the iteration does not converge within ``max_iter`` iterations.
    UnknownUserError
        If ``personalization`` names a user not in the graph.
    ValueError
        If ``personalization`` is all zero, negative or malformed, or ``damping`` is
        outside [0, 1].

    See Also
    --------
    rank : the same scores as a sorted table.
    hits, indegree

    Notes
    -----
    This is the power iteration of networkx's ``pagerank`` (``_pagerank_scipy``,
    ``dangling=None``): with ``P`` the row-normalised weighted adjacency and
    ``p`` the personalization,
    ``x' = damping * (x P + sum(x[dangling]) * p) + (1 - damping) * p``, starting
    from the uniform vector. A user is *dangling* when its out-weight is zero: it
    acted on nobody, or all its edges have weight 0 (e.g. a type weighted 0).
    Iteration stops when ``sum(|x' - x|) < tol``; ``x'`` is returned.

    .. note:: networkx stops when ``sum(|x' - x|) < n * tol``, so its default
       ``tol=1e-6`` allows an L1 error of 1.0 on a million users and stops after
       one or two iterations. graphkit's ``tol`` is absolute: it equals networkx's
       ``tol * n``, and the default keeps the same accuracy on any graph size.
       ``pagerank(g, tol=t)`` matches ``networkx.pagerank(G, tol=t / n)``.

    Each iteration pulls along the cached transposed CSR in a parallel numba
    kernel (one output per target, no atomics); results do not depend on the
    number of threads.

    References
    ----------
    .. [1] L. Page, S. Brin, R. Motwani and T. Winograd, "The PageRank citation
       ranking: bringing order to the Web", Stanford InfoLab, 1999.
    .. [2] A. Langville and C. Meyer, "Deeper inside PageRank", Internet
       Mathematics 1(3), 2004.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a")])
    >>> gk.pagerank(g).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    >>> x = gk.pagerank(g, personalization=["a"])
    >>> g.node_ids[x.argmax()]
    'a'
    """
    x, _ = pagerank_with_iterations(graph, damping=damping, personalization=personalization,
                     weighted=weighted, max_iter=max_iter, tol=tol)
    return x


def pagerank_with_iterations(graph, *, damping, personalization, weighted, max_iter, tol):
    """PageRank and the number of iterations it took."""
    kern = _pagerank_kernels(graph)
    max_iter, tol = check_iteration(max_iter, tol)
    damping = float(damping)
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must lie in [0, 1], got {damping}")
    n = graph.n_nodes
    p = _personalization_vector(graph, personalization)
    t = graph.transpose
    if weighted:
        weight = row_scaled_weights(graph.indptr, graph.weight)
        out = kern.row_sums(graph.indptr, weight)
    else:
        out = graph.out_degree().astype(np.float64)
    inv_out = inverse(out)
    if weighted:
        w = kern.transposed_normalized_weights(t.indices, t.edge_of, weight, inv_out)
    else:
        w = np.empty(0, dtype=np.float64)
    dangling = np.flatnonzero(out <= 0).astype(np.int64)
    x0 = np.full(n, 1.0 / n)
    x, n_iter, err = kern.pagerank_pull(
        t.indptr, t.indices, w, inv_out, bool(weighted), bounds(graph, True), dangling, p,
        damping, x0, max_iter, tol, graph.n_edges + n >= _iteration.PARALLEL_WORK,
    )
    if not err < tol:
        raise ConvergenceError("pagerank", max_iter, tol)
    return x, int(n_iter)


def _pagerank_kernels(graph):
    """numba's kernels, or their NumPy twins (same results) on a small graph."""
    from ..graph import is_small_graph

    if is_small_graph(graph):
        from . import _small

        return _small
    from . import _kernels

    return _kernels


def _pagerank_python(graph: SocialGraph, *, damping: float = 0.85, personalization=None,
                     weighted: bool = True, max_iter: int = 1000,
                     tol: float = 1e-6) -> np.ndarray:
    """Slow reference PageRank (plain NumPy on the attention CSR), for tests.

    Same semantics as :func:`pagerank`; written to be obviously right, not fast.
    """
    max_iter, tol = check_iteration(max_iter, tol)
    n = graph.n_nodes
    p = _personalization_vector(graph, personalization)
    src = graph.sources()
    wt = graph.weight if weighted else np.ones(graph.n_edges)
    out = np.bincount(src, weights=wt, minlength=n)
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        xlast = x
        flow = np.zeros(n)
        for e in range(graph.n_edges):
            u, v = src[e], graph.indices[e]
            if out[u] > 0:  # a zero-weight row is dangling: its edges carry nothing
                flow[v] += xlast[u] * wt[e] / out[u]
        x = damping * (flow + xlast[dangling].sum() * p) + (1 - damping) * p
        if np.abs(x - xlast).sum() < tol:
            return x
    raise ConvergenceError("pagerank", max_iter, tol)


# ------------------------------------------------------------------------ HITS
def hits(graph: SocialGraph, *, max_iter: int = 100, tol: float = 1e-8,
         weighted: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Hub and authority scores (HITS) on the attention graph.

    A good *authority* receives attention from good hubs; a good *hub* pays
    attention to good authorities. Influencers are authorities; curators and
    active sharers are hubs.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    max_iter : int, optional
        Maximum number of power iterations. Default 100.
    tol : float, optional
        Stop when the L1 change of the max-normalised hub vector is below ``tol``.
        Default 1e-8.
    weighted : bool, optional
        Use ``graph.weight`` as edge weights (networkx's ``hits`` reads the
        ``weight`` attribute); ``False`` gives every pair weight 1. Default True.

    Returns
    -------
    hubs, authorities : numpy.ndarray
        float64 arrays aligned with ``graph.node_ids``, each summing to 1.

    Raises
    ------
    ConvergenceError
        If the iteration does not converge within ``max_iter`` iterations
        (``max_iter=0`` always raises, as in networkx).
    ValueError
        If no edge has a positive weight.

    See Also
    --------
    pagerank

    Notes
    -----
    Power iteration as in networkx's ``_hits_python``: from ``h = 1/n``, repeat
    ``a = A^T h``, ``h = A a``, scale both to maximum 1, until
    ``sum(|h - h_last|) < tol``; then both are normalised to sum 1. ``A`` is the
    weighted attention adjacency. The fixed point is the leading singular pair of
    ``A``, which networkx's ``hits`` computes with ARPACK; when the leading
    singular value is repeated (e.g. two identical disconnected parts) the answer
    is not unique and the two may differ. Convergence is geometric in
    ``(s2 / s1)^2`` of the two largest singular values.

    References
    ----------
    .. [1] J. M. Kleinberg, "Authoritative sources in a hyperlinked environment",
       Journal of the ACM 46(5), 604-632, 1999.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "c"), ("b", "c"), ("b", "d")])
    >>> hubs, auth = gk.hits(g)
    >>> g.node_ids[auth.argmax()], g.node_ids[hubs.argmax()]
    ('c', 'b')
    """
    from . import _kernels as kern

    max_iter, tol = check_iteration(max_iter, tol)
    n = graph.n_nodes
    t = graph.transpose
    weighted = bool(weighted)
    if weighted:
        if not (graph.weight > 0).any():
            raise ValueError("hits: no edge has a positive weight")
        fwd = graph.scaled_weight
        bwd = np.ascontiguousarray(fwd[t.edge_of])
    else:
        fwd = bwd = np.empty(0, dtype=np.float64)
    b_fwd, b_bwd = bounds(graph, False), bounds(graph, True)
    h = np.full(n, 1.0 / n)
    a = h
    for _ in range(max_iter):
        hlast = h
        a = kern.spmv_pull(t.indptr, t.indices, bwd, weighted, b_bwd, hlast)
        h = kern.spmv_pull(graph.indptr, graph.indices, fwd, weighted, b_fwd, a)
        h /= h.max()
        a /= a.max()
        if np.abs(h - hlast).sum() < tol:
            break
    else:
        raise ConvergenceError("hits", max_iter, tol)
    return h / h.sum(), a / a.sum()
