"""The contact graph the recommenders work on: who interacted with whom, either way."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

__all__ = ["ContactGraph", "contact_graph"]


@dataclass(frozen=True, eq=False)
class ContactGraph:
    """The undirected contact graph of a :class:`~graphkit.graph.SocialGraph`, as CSR.

    ``u`` and ``v`` are contacts when either acted on the other (any interaction type).
    This is the graph networkx's link-prediction functions see after
    ``G.to_undirected()``.

    Attributes
    ----------
    indptr, indices : ndarray
        Symmetric CSR (int64, int32); each row's contacts sorted by position.
    weight : ndarray of float64
        ``w(u -> v) + w(v -> u)``: the type-weighted interactions of the pair, both ways.
    strength : ndarray of float64
        Sum of ``weight`` per user.
    degree : ndarray of int64
        Number of contacts per user.
    id_rank : ndarray of int64
        Position of each user in the sorted order of the ids (ties in scores break by it).
    node_ids : ndarray of str
    """

    indptr: np.ndarray
    indices: np.ndarray
    weight: np.ndarray
    strength: np.ndarray
    degree: np.ndarray
    id_rank: np.ndarray
    node_ids: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def contacts(self, u: int) -> np.ndarray:
        """Contact positions of position ``u``."""
        return self.indices[self.indptr[u]:self.indptr[u + 1]]

    def connected(self, us, vs) -> np.ndarray:
        """Whether each position pair ``(us[i], vs[i])`` are contacts (vectorised)."""
        us = np.asarray(us, dtype=np.int64)
        vs = np.asarray(vs, dtype=np.int64)
        n = np.int64(self.n_nodes)
        keys = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree) * n + self.indices
        q = us * n + vs
        pos = np.searchsorted(keys, q)
        hit = pos < keys.shape[0]
        hit[hit] = keys[pos[hit]] == q[hit]
        return hit


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def contact_graph(graph) -> ContactGraph:
    """The :class:`ContactGraph` of ``graph`` (built once per graph and cached).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.recommend import contact_graph
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "a"), ("c", "b")])
    >>> cg = contact_graph(g)
    >>> cg.degree.tolist(), cg.weight.tolist()
    ([1, 2, 1], [2.0, 2.0, 1.0, 1.0])
    """
    cached = _CACHE.get(graph)
    if cached is not None:
        return cached
    from ..graph import id_order

    indptr, indices, weight = _symmetric(graph.n_nodes, graph.sources(), graph.indices,
                                         np.asarray(graph.scaled_weight, dtype=np.float64))
    n = graph.n_nodes
    strength = np.bincount(np.repeat(np.arange(n), np.diff(indptr)), weights=weight, minlength=n)
    degree = np.diff(indptr)
    for a in (indptr, indices, weight, strength, degree):
        a.flags.writeable = False
    cg = ContactGraph(indptr, indices, weight, strength.astype(np.float64), degree,
                      id_order(graph), graph.node_ids)
    _CACHE[graph] = cg
    return cg


def _symmetric(n: int, src, dst, w):
    """The symmetric CSR of the pairs ``src -> dst`` (weights ``w``, one entry per pair)
    and their reverses: each row sorted by column, a pair met both ways once with the
    two weights added (``w(u -> v) + w(v -> u)``: one addition, so the order of the two
    never changes the float). A pair whose weights are 0 is still an entry."""
    n = np.int64(n)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    keys = np.concatenate([src * n + dst, dst * n + src])
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    both = np.concatenate([w, w])[order]
    first = np.ones(keys.shape[0], dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    weight = both[starts]
    pair = np.flatnonzero(~first)  # the second entry of a pair met both ways
    np.add.at(weight, np.cumsum(first)[pair] - 1, both[pair])
    keys = keys[starts]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n, minlength=n), out=indptr[1:])
    return indptr, (keys % n).astype(np.int32), weight
