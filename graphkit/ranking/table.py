"""Influence rankings on the attention graph: PageRank, in-degree, HITS, k-core, betweenness.

Every measure works on the :class:`~graphkit.graph.SocialGraph` CSR arrays (DESIGN
§2: an edge ``u -> v`` means *u acted on v*, so attention, and score, flows to
``v``) and returns a float or int array aligned with ``graph.node_ids``.
:func:`rank` turns any of them into a Ranking table. The heavy loops are numba
kernels in :mod:`graphkit._rank_kernels`; networkx is only the reference in tests.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ..graph import id_order
from .centrality import betweenness_scores, kcore
from .degree import indegree
from .link_analysis import hits, pagerank_with_iterations

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .._rng import RngLike
    from ..graph import SocialGraph

__all__ = ["rank", "ranked_columns", "MEASURES"]

#: The measures :func:`rank` accepts, in the order they are documented.
MEASURES = ("pagerank", "indegree", "hits", "kcore", "betweenness")

#: Types with a named column in a Ranking; other types get ``received_<type>``.
_NAMED_TYPE_COLUMNS = (("follow", "followers"), ("share", "shares_received"),
                       ("comment", "comments_received"))



def rank(graph: SocialGraph, method: str = "pagerank", *, top: int | None = None,
         damping: float = 0.85, personalization=None, weighted: bool | None = None,
         edge_type: str | None = None, samples: int | None = None, rng: RngLike = None,
         normalized: bool = True, tol: float | None = None,
         max_iter: int | None = None, by: str | None = None) -> pd.DataFrame:
    """Rank users by an influence measure, as a table.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    method : {"pagerank", "indegree", "hits", "kcore", "betweenness"}, optional
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
    by : str, optional
        Deprecated spelling of ``method`` (graphkit 0.1); warns.

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
        For an unknown ``method`` (the message lists the choices), a bad ``top``, or
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
    >>> df = gk.rank(g, method="indegree")
    >>> df[["rank", "user", "score", "followers", "shares_received"]].values.tolist()
    [[1, 'b', 2, 2, 0], [2, 'a', 1, 0, 1], [3, 'c', 0, 0, 0]]
    >>> gk.rank(g, top=1)["user"].tolist()
    ['b']
    """
    import pandas as pd

    if by is not None:
        warnings.warn("rank(by=...) is deprecated; use rank(method=...)", DeprecationWarning,
                      stacklevel=2)
        method = by
    data, attrs = ranked_columns(graph, method, top=top, damping=damping,
                                 personalization=personalization, weighted=weighted,
                                 edge_type=edge_type, samples=samples, rng=rng,
                                 normalized=normalized, tol=tol, max_iter=max_iter)
    df = pd.DataFrame(data)
    df.attrs.update(attrs)
    return df


def ranked_columns(graph: SocialGraph, method: str = "pagerank", *, top: int | None = None,
                   damping: float = 0.85, personalization=None, weighted: bool | None = None,
                   edge_type: str | None = None, samples: int | None = None,
                   rng: RngLike = None, normalized: bool = True, tol: float | None = None,
                   max_iter: int | None = None) -> tuple[dict, dict]:
    """:func:`rank` without pandas: ``(columns, attrs)``, the table's columns in order
    (name -> 1-d NumPy array; ``user`` an object array of str) and what :func:`rank` puts
    in ``df.attrs``. Same parameters and checks as :func:`rank`; ``rank`` is
    ``pandas.DataFrame(columns)`` with those attrs (the command line writes the columns
    without importing pandas).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.ranking import ranked_columns
    >>> g = gk.SocialGraph.from_pairs([("a", "b", "follow"), ("c", "b", "follow")])
    >>> cols, attrs = ranked_columns(g, "indegree", top=2)
    >>> list(cols), cols["user"].tolist(), attrs["measure"]
    (['rank', 'user', 'score', 'followers', 'shares_received', 'comments_received'], ['b', 'a'], 'indegree')
    """
    by = method
    if by not in MEASURES:
        raise ValueError(f"unknown measure {by!r}; choose one of: {', '.join(MEASURES)}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer))
                            or top < 0):
        raise ValueError(f"top must be a non-negative int, got {top!r}")
    for name, value, owner in (("personalization", personalization, "pagerank"),
                               ("samples", samples, "betweenness"),
                               ("edge_type", edge_type, "indegree")):
        if value is not None and by != owner:
            raise ValueError(f"{name} applies only to method={owner!r}, not method={by!r}")

    attrs: dict = {"measure": by, "n_nodes": graph.n_nodes, "top": top}
    extra = {}
    if by == "pagerank":
        w = True if weighted is None else bool(weighted)
        tol_ = 1e-6 if tol is None else tol
        it = 1000 if max_iter is None else max_iter
        score, n_iter = pagerank_with_iterations(graph, damping=damping, personalization=personalization,
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
        score, sources = betweenness_scores(graph, samples=samples, rng=rng, normalized=normalized)
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
    return data, attrs


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


def _top_order(graph: SocialGraph, score: np.ndarray, top: int | None) -> np.ndarray:
    """Positions sorted by score descending, then id ascending; the first ``top``.

    With ``top`` much smaller than ``n``, only the candidates (every node scoring
    at least the ``top``-th largest score, so ties at the cut are all considered)
    are sorted, and only their ids are compared.
    """
    n = score.shape[0]
    neg = -np.asarray(score, dtype=np.float64)
    if top is None or top >= n:  # users in id order, then a stable sort by score
        by_id = np.empty(n, dtype=np.int64)
        by_id[id_order(graph)] = np.arange(n)
        return by_id[np.argsort(neg[by_id], kind="stable")]
    if top == 0:
        return np.empty(0, dtype=np.int64)
    kth = np.argpartition(neg, top - 1)[top - 1]
    cand = np.flatnonzero(neg <= neg[kth])
    id_rank = np.empty(cand.shape[0], dtype=np.int64)
    id_rank[np.argsort(graph.node_ids[cand], kind="stable")] = np.arange(cand.shape[0])
    return cand[np.lexsort((id_rank, neg[cand]))[:top]]


# ``graphkit.rank`` is both this module and its main function. Importing the module
# (``from graphkit.rank import ...``, or ``graphkit.pagerank`` through the lazy
