"""Baseline seed heuristics: degree discount, top in-degree, top PageRank, random.

They carry no guarantee; :func:`graphkit.select_seeds` runs them beside IMM to show how
much better the recommendation is. All of them honour the campaign constraints
(``include``, ``exclude``, ``costs`` + ``budget``; see :mod:`graphkit.seeds._constraints`):
they pick from the eligible users in their own order of preference, and with a budget
they buy the preferred user that still fits, until none fits. Ties break by user id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._constraints import Constraints, resolve

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["degree_discount", "top_degree", "top_pagerank", "random_seeds", "HEURISTICS"]

#: The heuristic methods by name.
HEURISTICS = ("degree-discount", "degree", "pagerank", "random")


# --------------------------------------------------------------------------- helpers
def _order(score: np.ndarray, cons: Constraints) -> np.ndarray:
    """Eligible positions by score (descending), then id."""
    elig = np.flatnonzero(cons.affordable())
    return elig[np.lexsort((cons.id_rank[elig], -score[elig]))]


def _take(order: np.ndarray, cons: Constraints) -> np.ndarray:
    """The first ``k`` of ``order``, or in budget mode each one that still fits."""
    if cons.budget is None:
        return order[: cons.k].astype(np.int64)
    cost = cons.cost[order]
    out = []
    left = cons.budget
    for u, c in zip(order.tolist(), cost.tolist()):
        if c <= left:
            out.append(u)
            left -= c
    return np.asarray(out, dtype=np.int64)


def _best(score: np.ndarray, ok: np.ndarray, id_rank: np.ndarray) -> int:
    """Position with the highest score among ``ok``, ties by id; -1 when none."""
    cand = np.flatnonzero(ok)
    if cand.size == 0:
        return -1
    s = score[cand]
    top = cand[s == s.max()]
    return int(top[np.argmin(id_rank[top])])


def _degree_pos(ig, cons: Constraints) -> np.ndarray:
    return _take(_order(ig.out_degree().astype(np.float64), cons), cons)


def _pagerank_pos(graph, ig, cons: Constraints) -> np.ndarray:
    from ..ranking import pagerank

    if graph is None:
        graph = _attention_graph(ig)
    return _take(_order(pagerank(graph), cons), cons)


def _attention_graph(ig):
    """An unweighted SocialGraph with the influence graph's attention edges."""
    from ..graph import SocialGraph

    src = np.repeat(np.arange(ig.n_nodes, dtype=np.int64), np.diff(ig.in_indptr))
    return SocialGraph.from_arrays(src, ig.in_indices, ig.node_ids)


def _random_pos(ig, cons: Constraints, rng) -> np.ndarray:
    from .._rng import as_generator

    elig = np.flatnonzero(cons.affordable())
    return _take(elig[as_generator(rng).permutation(elig.size)], cons)


def _degree_discount_pos(ig, cons: Constraints, model: str = "ic") -> np.ndarray:
    n = ig.n_nodes
    indptr, indices = ig.indptr, ig.indices          # u -> users u influences
    in_indptr, in_indices = ig.in_indptr, ig.in_indices  # v -> users that influence v
    d = ig.out_degree().astype(np.float64)
    lt = str(model).lower() == "lt"
    fwd = ig.lt_weights if lt else ig.prob
    back = ig.lt_in_weights if lt else ig.in_prob
    uniform = (not lt) and ig.n_edges > 0 and bool(np.all(ig.prob == ig.prob[0]))
    p = float(ig.prob[0]) if uniform else 0.0
    a = np.zeros(n)  # seeds that influence v
    b = np.zeros(n)  # seeds among the users v influences
    q = np.ones(n)  # weighted: probability v is not activated directly by the seeds
    reach = 1.0 + np.bincount(np.repeat(np.arange(n), np.diff(indptr)), weights=fwd, minlength=n)
    if uniform:
        score = d.copy()
    else:
        score = q * reach
    chosen = np.zeros(n, dtype=bool)

    def add(u):
        chosen[u] = True
        outs = indices[indptr[u]:indptr[u + 1]]
        ins = in_indices[in_indptr[u]:in_indptr[u + 1]]
        if uniform:
            np.add.at(a, outs, 1.0)
            np.add.at(b, ins, 1.0)
        else:
            w_out = fwd[indptr[u]:indptr[u + 1]]
            w_in = back[in_indptr[u]:in_indptr[u + 1]]
            if lt:
                np.subtract.at(q, outs, w_out)
            else:
                np.multiply.at(q, outs, 1.0 - w_out)
            np.subtract.at(reach, ins, w_in)
        touched = np.concatenate([outs, ins])
        if uniform:
            t = touched
            score[t] = d[t] - a[t] - b[t] - a[t] * (d[t] - b[t]) * p
        else:
            score[touched] = np.maximum(q[touched], 0.0) * reach[touched]

    for u in cons.include.tolist():
        add(u)
    ok = cons.affordable().copy()
    picks = []
    left = np.inf if cons.budget is None else cons.budget
    while cons.budget is not None or len(picks) < cons.k:
        if cons.budget is not None:
            ok &= cons.cost <= left
        u = _best(score, ok & ~chosen, cons.id_rank)
        if u < 0:
            break
        picks.append(u)
        if cons.budget is not None:
            left -= cons.cost[u]
        add(u)
    return np.asarray(picks, dtype=np.int64)


def _ids(ig, cons, picks) -> list[str]:
    pos = np.concatenate([cons.include, picks])
    return ig.node_ids[pos].tolist()


# --------------------------------------------------------------------------- public
def degree_discount(ig, k=None, *, model="ic", include=(), exclude=(), costs=None,
                    budget=None) -> list[str]:
    """Degree discount seeds (Chen, Wang, Yang, KDD 2009).

    Picks one user at a time by a score that discounts the degree for the seeds
    already chosen around each user.

    Parameters
    ----------
    ig : InfluenceGraph
    k : int, optional
        Seeds in total, including ``include`` (or give ``costs`` and ``budget``).
    model : {"ic", "lt"}, optional
    include, exclude, costs, budget
        Campaign constraints, as in :func:`graphkit.seeds.imm`.

    Returns
    -------
    list of str
        Included users first, then the picks in order.

    Notes
    -----
    With IC and one probability ``p`` on every edge this is DegreeDiscountIC [1]_ on a
    directed graph: with ``d_v`` the number of users ``v`` influences, ``a_v`` the seeds
    that influence ``v`` and ``b_v`` the seeds among those ``v`` influences, the score
    is ``d_v - a_v - b_v - a_v (d_v - b_v) p``; on a symmetric graph ``a_v = b_v = t_v``
    and this is the paper's ``d_v - 2 t_v - (d_v - t_v) t_v p``.

    With other probabilities (weighted cascade, per-edge values) or LT, graphkit uses
    the one-hop expected gain the paper's formula approximates: ``q_v (1 + sum of
    p(v -> w) over non-seed w)``, where ``q_v`` is the probability that no seed
    activates ``v`` directly (``prod (1 - p(s -> v))`` for IC, ``1 - sum w(s, v)`` for
    LT).

    References
    ----------
    .. [1] W. Chen, Y. Wang, S. Yang, "Efficient influence maximization in social
       networks", KDD 2009.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.seeds.heuristics import degree_discount
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "a"), ("a", "b"),
    ...                                ("e", "f"), ("g", "f")])
    >>> degree_discount(gk.influence_graph(g, "uniform:0.5"), 2)
    ['a', 'f']
    """
    cons = resolve(ig, k, include=include, exclude=exclude, costs=costs, budget=budget)
    return _ids(ig, cons, _degree_discount_pos(ig, cons, model))


def top_degree(ig, k=None, *, include=(), exclude=(), costs=None, budget=None) -> list[str]:
    """The users who directly influence the most others (attention in-degree).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.seeds.heuristics import top_degree
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("c", "b")])
    >>> top_degree(gk.influence_graph(g, "wc"), 2)
    ['a', 'b']
    """
    cons = resolve(ig, k, include=include, exclude=exclude, costs=costs, budget=budget)
    return _ids(ig, cons, _degree_pos(ig, cons))


def top_pagerank(ig, k=None, *, graph=None, include=(), exclude=(), costs=None,
                 budget=None) -> list[str]:
    """The users with the highest PageRank on the attention graph.

    ``graph`` is the SocialGraph ``ig`` was built from (its type weights are used);
    without it, PageRank runs on ``ig``'s edges unweighted.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.seeds.heuristics import top_pagerank
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("a", "d")])
    >>> top_pagerank(gk.influence_graph(g, "wc"), 1, graph=g)
    ['d']
    """
    cons = resolve(ig, k, include=include, exclude=exclude, costs=costs, budget=budget)
    return _ids(ig, cons, _pagerank_pos(graph, ig, cons))


def random_seeds(ig, k=None, *, rng: RngLike = None, include=(), exclude=(), costs=None,
                 budget=None) -> list[str]:
    """Users drawn uniformly at random from the eligible ones (seeded).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.seeds.heuristics import random_seeds
    >>> ig = gk.influence_graph(gk.SocialGraph.from_pairs([("b", "a"), ("c", "a")]), "wc")
    >>> random_seeds(ig, 2, rng=1) == random_seeds(ig, 2, rng=1)
    True
    """
    cons = resolve(ig, k, include=include, exclude=exclude, costs=costs, budget=budget)
    return _ids(ig, cons, _random_pos(ig, cons, rng))


def pick_positions(method: str, ig, cons: Constraints, *, model="ic", graph=None,
                   rng: RngLike = None) -> np.ndarray:
    """The picks (positions, ``include`` left out) of a heuristic ``method``."""
    if method == "degree-discount":
        return _degree_discount_pos(ig, cons, model)
    if method == "degree":
        return _degree_pos(ig, cons)
    if method == "pagerank":
        return _pagerank_pos(graph, ig, cons)
    if method == "random":
        return _random_pos(ig, cons, rng)
    raise ValueError(f"unknown heuristic {method!r} (use {', '.join(HEURISTICS)})")
