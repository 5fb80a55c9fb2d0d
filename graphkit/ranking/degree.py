"""Attention received: distinct actors, interactions of one type, or weighted in-strength."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..graph import SocialGraph

__all__ = ["indegree"]


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
    >>> gk.rank(g, method="indegree")["score"].tolist()
    [2, 0, 0]
    >>> from graphkit.ranking import indegree
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
