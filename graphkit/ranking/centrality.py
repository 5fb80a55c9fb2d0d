"""Structural centralities on the attention graph: k-core number and betweenness.

Both ignore edge weights and interaction types: they look at who is connected to
whom. :func:`graphkit.rank.rank` offers them as ``by="kcore"`` and
``by="betweenness"``. The heavy loops are numba kernels in
:mod:`graphkit._rank_kernels`; networkx is the reference in tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike
    from ..graph import SocialGraph

__all__ = ["kcore", "betweenness"]


# ---------------------------------------------------------------------- k-core
def kcore(graph: SocialGraph) -> np.ndarray:
    """Core number of every user.

    The k-core is the largest set of users in which everybody has at least ``k``
    connections inside the set; a user's core number is the largest such ``k``.
    High core numbers mark the dense, well-connected centre of a network.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.

    Returns
    -------
    numpy.ndarray
        int64 core numbers aligned with ``graph.node_ids``.

    See Also
    --------
    indegree

    Notes
    -----
    Computed on the directed pattern as networkx's ``core_number`` does for a
    ``DiGraph``: a user's degree is in-degree + out-degree over distinct pairs
    (weights and types ignored), so a reciprocal pair ``a <-> b`` counts twice.
    Batagelj and Zaversnik's bucket algorithm, O(n + m).

    References
    ----------
    .. [1] V. Batagelj and M. Zaversnik, "An O(m) algorithm for cores
       decomposition of networks", arXiv:cs/0310049, 2003.
    .. [2] S. B. Seidman, "Network structure and minimum degree", Social
       Networks 5(3), 269-287, 1983.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
    >>> gk.kcore(g).tolist()
    [2, 2, 2, 1]
    """
    from . import _kernels as kern

    t = graph.transpose
    return kern.core_number(graph.indptr, graph.indices, t.indptr, t.indices)


# ----------------------------------------------------------------- betweenness
#: Upper bound on the memory (bytes) of per-chunk betweenness workspaces.
_BETWEENNESS_MEMORY = 1 << 28
_BETWEENNESS_CHUNK = 16  # sources per chunk


def betweenness(graph: SocialGraph, *, samples: int | None = None, rng: RngLike = None,
                normalized: bool = True) -> np.ndarray:
    """Betweenness centrality: how often a user lies on shortest attention paths.

    Exact (Brandes) when ``samples`` is None or at least the number of users;
    otherwise estimated from ``samples`` source users drawn without replacement.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph; edges are directed and unweighted here.
    samples : int, optional
        Number of source users to sample (networkx's ``k``); at least 2.
        Default None (exact).
    rng : int, numpy.random.Generator or None, optional
        Randomness for the sample (see :func:`graphkit._rng.as_generator`).
    normalized : bool, optional
        Divide by ``(n - 1)(n - 2)``, the number of ordered pairs that can pass
        through a user. Default True.

    Returns
    -------
    numpy.ndarray
        float64 scores aligned with ``graph.node_ids``.

    Raises
    ------
    ValueError
        If ``samples`` is not an int >= 2.

    See Also
    --------
    kcore, pagerank

    Notes
    -----
    Scaled exactly as networkx's ``betweenness_centrality`` (3.6, endpoints
    excluded, directed): with ``k`` sampled sources, a user that was not itself
    a source is scaled by ``(n - 1) / k`` and a sampled source by
    ``(n - 1) / (k - 1)`` (it cannot count its own paths), which makes the
    estimate unbiased; ``normalized`` further divides by ``(n - 1)(n - 2)``.
    Graphs with fewer than three users are left unscaled (all zero). The sample
    is drawn with NumPy, so it differs from networkx's ``seed=`` sample.

    Sources are split into at most 8 chunks (fewer on very large graphs to bound
    memory), run in parallel, and their partial sums added in chunk order, so the
    result depends on ``rng`` but not on the number of threads.

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality", Journal
       of Mathematical Sociology 25(2), 163-177, 2001.
    .. [2] U. Brandes and C. Pich, "Centrality estimation in large networks",
       International Journal of Bifurcation and Chaos 17(7), 2303-2318, 2007.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c")])
    >>> gk.betweenness(g).tolist()
    [0.0, 0.5, 0.0]
    """
    scores, _ = betweenness_scores(graph, samples=samples, rng=rng, normalized=normalized)
    return scores


def betweenness_scores(graph, *, samples, rng, normalized):
    """Betweenness and the sampled sources (None when exact)."""
    from .._rng import as_generator

    n = graph.n_nodes
    if samples is not None:
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 2:
            raise ValueError(f"samples must be an int >= 2 (or None for exact), got {samples!r}")
        samples = int(samples)
    if samples is None or samples >= n:
        return _betweenness_from_sources(graph, None, normalized), None
    sources = np.sort(as_generator(rng).choice(n, size=samples, replace=False)).astype(np.int64)
    return _betweenness_from_sources(graph, sources, normalized), sources


def _betweenness_from_sources(graph, sources, normalized: bool) -> np.ndarray:
    """Brandes from ``sources`` (None = every node), scaled like networkx."""
    import numba

    from .._batches import timed_batches
    from . import _kernels as kern

    n = graph.n_nodes
    src = np.arange(n, dtype=np.int64) if sources is None else np.asarray(sources, np.int64)
    k = src.shape[0]
    # fixed chunks of sources (their partials are added in chunk order: the same result
    # on any number of threads); calls of ~0.25 s each, so Ctrl-C is honoured at once
    bounds = np.append(np.arange(0, k, _BETWEENNESS_CHUNK), k).astype(np.int64)
    n_chunks = bounds.shape[0] - 1
    threads = int(numba.get_num_threads())
    bc = np.zeros(n, dtype=np.float64)
    for c0, c1 in timed_batches(n_chunks, first=threads, least=threads,
                                most=max(1, _BETWEENNESS_MEMORY // (32 * max(n, 1)))):
        kern.brandes(graph.indptr, graph.indices, src, bounds[c0:c1 + 1], bc)
    big_n = n - 1  # endpoints excluded: valid targets per source
    if big_n < 2:
        return bc
    if sources is None:
        scale = 1.0 / (big_n * (big_n - 1)) if normalized else 1.0
        return bc * scale
    if normalized:
        s_src, s_other = 1.0 / ((k - 1) * (big_n - 1)), 1.0 / (k * (big_n - 1))
    else:
        s_src, s_other = big_n / (k - 1), big_n / k
    scale = np.full(n, s_other)
    scale[src] = s_src
    return bc * scale
