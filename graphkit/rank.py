"""Influence rankings on the attention graph: PageRank, in-degree, HITS, k-core, betweenness.

Every measure works on the :class:`~graphkit.graph.SocialGraph` CSR arrays (DESIGN
§2: an edge ``u -> v`` means *u acted on v*, so attention, and score, flows to
``v``) and returns a float or int array aligned with ``graph.node_ids``.
:func:`rank` turns any of them into a Ranking table. The heavy loops are numba
kernels in :mod:`graphkit._rank_kernels`; networkx is only the reference in tests.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .centrality import _betweenness, betweenness, kcore
from .errors import ConvergenceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .graph import SocialGraph

__all__ = ["pagerank", "indegree", "hits", "kcore", "betweenness", "rank", "MEASURES"]

#: The measures :func:`rank` accepts, in the order they are documented.
MEASURES = ("pagerank", "indegree", "hits", "kcore", "betweenness")

#: Types with a named column in a Ranking; other types get ``received_<type>``.
_NAMED_TYPE_COLUMNS = (("follow", "followers"), ("share", "shares_received"),
                       ("comment", "comments_received"))


# --------------------------------------------------------------------- helpers
def _check_iteration(max_iter, tol):
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative int, got {max_iter!r}")
    tol = float(tol)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite non-negative number, got {tol!r}")
    return int(max_iter), tol


def _inverse(s: np.ndarray) -> np.ndarray:
    """1/s where s > 0, else 0."""
    out = np.zeros(s.shape[0], dtype=np.float64)
    pos = s > 0
    out[pos] = 1.0 / s[pos]
    return out


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


def _bounds(graph: SocialGraph, transposed: bool) -> np.ndarray:
    from . import _rank_kernels

    cache = _BOUNDS.setdefault(graph, {})
    if transposed not in cache:
        indptr = graph.transpose.indptr if transposed else graph.indptr
        cache[transposed] = _rank_kernels.chunk_bounds(indptr)
    return cache[transposed]


_BOUNDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Below this many nodes + edges PageRank iterates on one thread: a parallel step
#: is a fork-join, which on small graphs (or a busy 2-core machine) costs more
#: than it saves. The result is identical either way.
_PARALLEL_WORK = 4_000_000
_ID_ORDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------- PageRank
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
    x, _ = _pagerank(graph, damping=damping, personalization=personalization,
                     weighted=weighted, max_iter=max_iter, tol=tol)
    return x


def _pagerank(graph, *, damping, personalization, weighted, max_iter, tol):
    """PageRank and the number of iterations it took."""
    from . import _rank_kernels as kern

    max_iter, tol = _check_iteration(max_iter, tol)
    damping = float(damping)
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must lie in [0, 1], got {damping}")
    n = graph.n_nodes
    p = _personalization_vector(graph, personalization)
    t = graph.transpose
    if weighted:
        out = kern.row_sums(graph.indptr, graph.weight)
    else:
        out = graph.out_degree().astype(np.float64)
    inv_out = _inverse(out)
    if weighted:
        w = kern.transposed_normalized_weights(t.indices, t.edge_of, graph.weight, inv_out)
    else:
        w = np.empty(0, dtype=np.float64)
    dangling = np.flatnonzero(out <= 0).astype(np.int64)
    x0 = np.full(n, 1.0 / n)
    x, n_iter, err = kern.pagerank_pull(
        t.indptr, t.indices, w, inv_out, bool(weighted), _bounds(graph, True), dangling, p,
        damping, x0, max_iter, tol, graph.n_edges + n >= _PARALLEL_WORK,
    )
    if not err < tol:
        raise ConvergenceError("pagerank", max_iter, tol)
    return x, int(n_iter)


def _pagerank_python(graph: SocialGraph, *, damping: float = 0.85, personalization=None,
                     weighted: bool = True, max_iter: int = 1000,
                     tol: float = 1e-6) -> np.ndarray:
    """Slow reference PageRank (plain NumPy on the attention CSR), for tests.

    Same semantics as :func:`pagerank`; written to be obviously right, not fast.
    """
    max_iter, tol = _check_iteration(max_iter, tol)
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


# ------------------------------------------------------------------- in-degree
def indegree(graph: SocialGraph, edge_type: str | None = None,
             weighted: bool = False) -> np.ndarray:
    """How much attention each user receives, counted three ways.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    edge_type : str, optional
        Count the interactions of this type received (e.g. ``"follow"``: the
        follower count). When omitted, count distinct users that acted on each
        user at all.
    weighted : bool, optional
        Return the weighted in-strength instead: the sum of ``graph.weight`` over
        incoming edges (type weights times row weights). Cannot be combined with
        ``edge_type``. Default False.

    Returns
    -------
    numpy.ndarray
        int64 counts (float64 when ``weighted``) aligned with ``graph.node_ids``.

    Raises
    ------
    InputError
        If ``edge_type`` is not one of ``graph.types``.
    ValueError
        If both ``edge_type`` and ``weighted`` are given.

    See Also
    --------
    pagerank : attention weighted by who gives it.

    References
    ----------
    .. [1] S. Wasserman and K. Faust, *Social Network Analysis: Methods and
       Applications*, Cambridge University Press, 1994, ch. 5 (degree centrality).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs(
    ...     [("a", "b", "follow"), ("a", "b", "share"), ("c", "b", "share")])
    >>> gk.rank(g, by="indegree")["score"].tolist()
    [2, 0, 0]
    >>> from graphkit.rank import indegree
    >>> indegree(g, "share").tolist()
    [0, 2, 0]
    """
    if weighted:
        if edge_type is not None:
            raise ValueError("indegree: pass edge_type or weighted=True, not both")
        return graph.in_strength()
    if edge_type is not None:
        return graph.in_counts(edge_type)
    return graph.in_degree()


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
    from . import _rank_kernels as kern

    max_iter, tol = _check_iteration(max_iter, tol)
    n = graph.n_nodes
    t = graph.transpose
    weighted = bool(weighted)
    if weighted:
        if not (graph.weight > 0).any():
            raise ValueError("hits: no edge has a positive weight")
        fwd = graph.weight
        bwd = np.ascontiguousarray(graph.weight[t.edge_of])
    else:
        fwd = bwd = np.empty(0, dtype=np.float64)
    b_fwd, b_bwd = _bounds(graph, False), _bounds(graph, True)
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


# ------------------------------------------------------------------------ rank
def rank(graph: SocialGraph, by: str = "pagerank", *, top: int | None = None,
         damping: float = 0.85, personalization=None, weighted: bool | None = None,
         edge_type: str | None = None, samples: int | None = None, rng=None,
         normalized: bool = True, tol: float | None = None,
         max_iter: int | None = None) -> pd.DataFrame:
    """Rank users by an influence measure, as a table.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    by : {"pagerank", "indegree", "hits", "kcore", "betweenness"}, optional
        The measure. Default "pagerank".
    top : int, optional
        Keep only the first ``top`` rows. Only the candidates for those rows are
        sorted, so a small ``top`` is cheap on a big graph.
    damping : float, optional
        PageRank damping (see :func:`pagerank`). Default 0.85.
    personalization : None, mapping, sequence of str or array of float, optional
        PageRank restart distribution (see :func:`pagerank`); refused by other
        measures.
    weighted : bool, optional
        Use edge weights: the measure's own default when None (True for pagerank
        and hits, False for indegree); ignored by kcore and betweenness.
    edge_type : str, optional
        For ``indegree``: count interactions of this type (see :func:`indegree`).
    samples : int, optional
        Betweenness source sample size (see :func:`betweenness`); refused by other
        measures. Default None (exact).
    rng : int, numpy.random.Generator or None, optional
        Betweenness randomness; ignored by the deterministic measures.
    normalized : bool, optional
        Normalise betweenness (see :func:`betweenness`). Default True.
    tol : float, optional
        Tolerance for pagerank and hits; None means the measure's default
        (pagerank 1e-6, hits 1e-8).
    max_iter : int, optional
        Iteration limit for pagerank and hits; None means the measure's default
        (pagerank 1000, hits 100).

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` (1..N), ``user``, ``score`` (for hits: the authority
        score, followed by a ``hub`` column), then the interactions each user
        received: ``followers``, ``shares_received``, ``comments_received`` (0
        when the graph has no such type) and ``received_<type>`` for every other
        type, in ``graph.types`` order. Rows are sorted by score descending, then
        user id ascending. ``df.attrs`` holds ``measure``, ``n_nodes``, ``top`` and
        the measure's parameters (e.g. ``iterations`` for pagerank, ``samples``
        and ``exact`` for betweenness).

    Raises
    ------
    ValueError
        For an unknown ``by`` (the message lists the choices), a bad ``top``, or
        an option the measure does not take.
    ConvergenceError, UnknownUserError
        As raised by the measure.

    See Also
    --------
    pagerank, indegree, hits, kcore, betweenness

    References
    ----------
    .. [1] L. Page, S. Brin, R. Motwani and T. Winograd, "The PageRank citation
       ranking: bringing order to the Web", Stanford InfoLab, 1999.
    .. [2] J. M. Kleinberg, "Authoritative sources in a hyperlinked environment",
       Journal of the ACM 46(5), 1999.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs(
    ...     [("a", "b", "follow"), ("c", "b", "follow"), ("b", "a", "share")])
    >>> df = gk.rank(g, by="indegree")
    >>> df[["rank", "user", "score", "followers", "shares_received"]].values.tolist()
    [[1, 'b', 2, 2, 0], [2, 'a', 1, 0, 1], [3, 'c', 0, 0, 0]]
    >>> gk.rank(g, top=1)["user"].tolist()
    ['b']
    """
    import pandas as pd

    if by not in MEASURES:
        raise ValueError(f"unknown measure {by!r}; choose one of: {', '.join(MEASURES)}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer))
                            or top < 0):
        raise ValueError(f"top must be a non-negative int, got {top!r}")
    for name, value, owner in (("personalization", personalization, "pagerank"),
                               ("samples", samples, "betweenness"),
                               ("edge_type", edge_type, "indegree")):
        if value is not None and by != owner:
            raise ValueError(f"{name} applies only to by={owner!r}, not by={by!r}")

    attrs: dict = {"measure": by, "n_nodes": graph.n_nodes, "top": top}
    extra = {}
    if by == "pagerank":
        w = True if weighted is None else bool(weighted)
        tol_ = 1e-6 if tol is None else tol
        it = 1000 if max_iter is None else max_iter
        score, n_iter = _pagerank(graph, damping=damping, personalization=personalization,
                                  weighted=w, max_iter=it, tol=tol_)
        attrs.update(damping=float(damping), weighted=w, personalized=personalization is not None,
                     tol=float(tol_), max_iter=int(it), iterations=n_iter)
    elif by == "indegree":
        w = False if weighted is None else bool(weighted)
        score = indegree(graph, edge_type=edge_type, weighted=w)
        attrs.update(weighted=w, edge_type=edge_type)
    elif by == "hits":
        w = True if weighted is None else bool(weighted)
        tol_ = 1e-8 if tol is None else tol
        it = 100 if max_iter is None else max_iter
        hub, score = hits(graph, max_iter=it, tol=tol_, weighted=w)
        extra["hub"] = hub
        attrs.update(weighted=w, tol=float(tol_), max_iter=int(it))
    elif by == "kcore":
        score = kcore(graph)
    else:
        score, sources = _betweenness(graph, samples=samples, rng=rng, normalized=normalized)
        attrs.update(normalized=bool(normalized), exact=sources is None,
                     samples=graph.n_nodes if sources is None else int(sources.shape[0]))

    order = _top_order(graph, score, top)
    data = {"rank": np.arange(1, order.shape[0] + 1, dtype=np.int64),
            "user": graph.node_ids[order],
            "score": score[order]}
    for name, col in extra.items():
        data[name] = col[order]
    for col, values in _received_columns(graph):
        data[col] = values[order]
    df = pd.DataFrame(data)
    df.attrs.update(attrs)
    return df


def _received_columns(graph: SocialGraph):
    """``(column, per-node int64 counts)`` for the interaction columns of a Ranking."""
    named = dict(_NAMED_TYPE_COLUMNS)
    cols = []
    for t, col in _NAMED_TYPE_COLUMNS:
        if t in graph.types:
            cols.append((col, graph.in_counts(t)))
        else:
            cols.append((col, np.zeros(graph.n_nodes, dtype=np.int64)))
    for t in graph.types:
        if t not in named:
            cols.append((f"received_{t}", graph.in_counts(t)))
    return cols


def _id_order(graph: SocialGraph) -> np.ndarray:
    """Ordinal of each node's id in sorted id order (cached per graph)."""
    ordinal = _ID_ORDER.get(graph)
    if ordinal is None:
        perm = np.argsort(graph.node_ids, kind="stable")
        ordinal = np.empty(graph.n_nodes, dtype=np.int64)
        ordinal[perm] = np.arange(graph.n_nodes)
        _ID_ORDER[graph] = ordinal
    return ordinal


def _top_order(graph: SocialGraph, score: np.ndarray, top: int | None) -> np.ndarray:
    """Positions sorted by score descending, then id ascending; the first ``top``.

    With ``top`` much smaller than ``n``, only the candidates (every node scoring
    at least the ``top``-th largest score, so ties at the cut are all considered)
    are sorted, and only their ids are compared.
    """
    n = score.shape[0]
    neg = -np.asarray(score, dtype=np.float64)
    if top is None or top >= n:
        return np.lexsort((_id_order(graph), neg))
    if top == 0:
        return np.empty(0, dtype=np.int64)
    kth = np.argpartition(neg, top - 1)[top - 1]
    cand = np.flatnonzero(neg <= neg[kth])
    id_rank = np.empty(cand.shape[0], dtype=np.int64)
    id_rank[np.argsort(graph.node_ids[cand], kind="stable")] = np.arange(cand.shape[0])
    return cand[np.lexsort((id_rank, neg[cand]))[:top]]


# ``graphkit.rank`` is both this module and its main function. Importing the module
# (``from graphkit.rank import ...``, or ``graphkit.pagerank`` through the lazy
# ``__init__``) makes the package attribute ``graphkit.rank`` the module, which would
# shadow the function. Calling the module therefore calls :func:`rank`.
class _CallableModule(sys.modules[__name__].__class__):
    def __call__(self, *args, **kwargs):
        return rank(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
