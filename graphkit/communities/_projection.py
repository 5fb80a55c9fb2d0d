"""Array kernels behind :mod:`graphkit.communities` (private).

Everything here is plain NumPy over edge arrays: the undirected projection of the
attention graph, modularity, normalised mutual information, renumbering by size and
the per-community statistics of a summary. No per-edge Python loop; the only Python
loops run over communities (to build the short member lists of a summary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Projection",
    "project",
    "modularity_of",
    "nmi_of",
    "compact",
    "renumber_by_size",
    "id_ordinal",
    "participation",
    "community_stats",
    "density",
    "conductance",
    "top_per_group",
]


# --------------------------------------------------------------------- projection
@dataclass(frozen=True)
class Projection:
    """The undirected weighted projection of a directed graph.

    One entry per connected user pair ``{u, v}`` with ``u < v``; ``w`` is
    ``w(u->v) + w(v->u)`` (or 1 per pair when unweighted). ``strength`` is the
    weighted degree of every node and ``total`` the sum of ``w``.
    """

    n: int
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    strength: np.ndarray
    total: float


def _group_sums(key: np.ndarray, weights: np.ndarray):
    """Distinct ``key`` values (sorted) and the sum of ``weights`` over each of them."""
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.empty(key.shape[0], dtype=bool)
    if key.shape[0]:
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    sums = np.add.reduceat(weights[order], starts) if starts.size else np.zeros(0)
    return key[starts], sums


def project(graph, weighted: bool = True) -> Projection:
    """Collapse the attention CSR into undirected pairs ``{u, v}``, ``u <= v``, in
    ascending ``(u, v)`` order (no per-edge Python loop).

    The CSR's rows hold their targets in ascending order (what every graph builder
    gives), so the edges ``u -> v`` with ``u <= v`` already come in pair order, and the
    others (``u > v``, pair ``(v, u)``) do once stably ordered by target: a 16-bit radix
    sort of half the edges (:func:`graphkit.graph.stable_order`) instead of a merge sort
    of a 64-bit key per edge; the two ordered runs then merge in one stable sort
    (timsort finds the two runs). A pair seen both ways sums ``w(u->v) + w(v->u)``
    (two terms: the same double whichever comes first). Rows out of order fall back to
    the full sort, with the same result.
    """
    n = graph.n_nodes
    indices = graph.indices
    src = graph.sources()
    weight = graph.scaled_weight  # 1e308 or 5e-324 weights: exact powers-of-two rescale
    pair, summed = _pair_sums(src, indices, weight, n)
    u = pair // n
    v = pair - u * n
    w = summed if weighted else np.ones(pair.shape[0], dtype=np.float64)
    strength = np.bincount(u, weights=w, minlength=n) + np.bincount(v, weights=w, minlength=n)
    return Projection(n, u, v, w.astype(np.float64, copy=False), strength, float(w.sum()))


def _pair_sums(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int):
    """Distinct keys ``min * n + max`` of the edges ``src -> dst`` (ascending) and the
    sum of ``weight`` over each: :func:`_group_sums` of those keys, faster when the
    edges come in CSR order (ascending ``(src, dst)``, no repeat)."""
    from ..graph import stable_order

    n = np.int64(n)
    ahead = src <= dst
    fwd = np.flatnonzero(ahead)
    back = np.flatnonzero(~ahead)
    back = back[stable_order(dst[back])]  # by (target, source): CSR order is by source
    keys = np.concatenate([src[fwd].astype(np.int64) * n + dst[fwd],
                           dst[back].astype(np.int64) * n + src[back]])
    cut = fwd.shape[0]
    if not (_increasing(keys[:cut]) and _increasing(keys[cut:])):  # not in CSR order
        lo = np.minimum(src, dst).astype(np.int64)
        return _group_sums(lo * n + np.maximum(src, dst), weight)
    return _group_sums(keys, np.concatenate([weight[fwd], weight[back]]))


def _increasing(a: np.ndarray) -> bool:
    return bool((a[1:] > a[:-1]).all())


# --------------------------------------------------------------------- measures
def modularity_of(proj: Projection, membership: np.ndarray, resolution: float = 1.0) -> float:
    """Newman-Girvan modularity of ``membership`` (compact labels) on ``proj``.

    ``Q = sum_c [ L_c / W - resolution * (S_c / 2W)^2 ]`` with ``W`` the total edge
    weight, ``L_c`` the weight inside community ``c`` and ``S_c`` the summed
    strength of its members: networkx's ``community.modularity`` formula.
    """
    if proj.total <= 0:
        return float("nan")
    k = int(membership.max()) + 1 if membership.size else 0
    cu = membership[proj.u]
    inside = cu == membership[proj.v]
    l_in = float(proj.w[inside].sum())
    s_c = np.bincount(membership, weights=proj.strength, minlength=k)
    two_w = 2.0 * proj.total
    return l_in / proj.total - resolution * float(np.dot(s_c, s_c)) / (two_w * two_w)


def compact(labels) -> tuple[np.ndarray, int]:
    """Labels renumbered 0..k-1 (order of first appearance is not kept) and k."""
    labels = np.asarray(labels)
    uniq, inv = np.unique(labels, return_inverse=True)
    return inv.astype(np.int64).reshape(-1), int(uniq.shape[0])


def nmi_of(a, b) -> float:
    """Normalised mutual information ``2 I(A;B) / (H(A) + H(B))`` (natural logs).

    1.0 for identical partitions (up to relabelling), including two trivial ones.
    """
    a, ka = compact(a)
    b, kb = compact(b)
    n = a.shape[0]
    if n == 0:
        raise ValueError("cannot compare empty partitions")
    joint, n_ij = np.unique(a * np.int64(kb) + b, return_counts=True)
    n_a = np.bincount(a, minlength=ka).astype(np.float64)
    n_b = np.bincount(b, minlength=kb).astype(np.float64)
    ia = joint // kb
    ib = joint - ia * kb
    n_ij = n_ij.astype(np.float64)
    mi = float(np.sum(n_ij / n * np.log(n_ij * n / (n_a[ia] * n_b[ib]))))
    h_a = -float(np.sum(n_a / n * np.log(n_a / n)))
    h_b = -float(np.sum(n_b / n * np.log(n_b / n)))
    if h_a + h_b <= 0.0:
        return 1.0  # both partitions put everybody in one group
    return min(1.0, max(0.0, 2.0 * mi / (h_a + h_b)))


# --------------------------------------------------------------------- ids and numbering


def id_ordinal(graph) -> np.ndarray:
    """Rank of each node's id in sorted id order (cached per graph)."""
    from ..graph import id_order

    return id_order(graph)


def renumber_by_size(labels, ordinal: np.ndarray) -> np.ndarray:
    """Communities numbered by size (0 = largest); ties by the smallest member id."""
    memb, k = compact(labels)
    size = np.bincount(memb, minlength=k)
    smallest = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, memb, ordinal)
    order = np.lexsort((smallest, -size))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k, dtype=np.int64)
    return new[memb]


def top_per_group(group: np.ndarray, score: np.ndarray, ordinal: np.ndarray, k: int,
                  n_groups: int, keep: np.ndarray | None = None) -> list[np.ndarray]:
    """Per group, the positions of the ``k`` highest scores (ties by id), best first.

    ``keep`` restricts the candidates (e.g. users with an edge leaving their group).
    Returns one position array per group (empty where a group has no candidate).
    """
    cand = np.arange(group.shape[0]) if keep is None else np.flatnonzero(keep)
    g = group[cand]
    order = cand[np.lexsort((ordinal[cand], -score[cand], g))]
    counts = np.bincount(group[order], minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    rank_in_group = np.arange(order.shape[0]) - starts[group[order]]
    picked = order[rank_in_group < k]
    taken = np.minimum(counts, k)
    return np.split(picked, np.cumsum(taken)[:-1]) if n_groups else []


# --------------------------------------------------------------------- summary statistics
def participation(proj: Projection, memb: np.ndarray, k: int):
    """Participation coefficient of every node and its edge weight to other communities.

    ``P_i = 1 - sum_s (k_is / k_i)^2`` over communities ``s`` (Guimerà & Amaral),
    with ``k_is`` the weight of node ``i``'s edges into ``s``; 0 for isolated nodes.
    Returns ``(P, external_strength, sum_s k_is^2)``.
    """
    n = proj.n
    node = np.concatenate([proj.u, proj.v])
    other = np.concatenate([proj.v, proj.u])
    w = np.concatenate([proj.w, proj.w])
    grp_key, k_is = _group_sums(node * np.int64(k) + memb[other], w)
    grp_node = grp_key // k
    grp_comm = grp_key - grp_node * k
    sq = np.bincount(grp_node, weights=k_is * k_is, minlength=n)
    own = grp_comm == memb[grp_node]
    internal = np.bincount(grp_node[own], weights=k_is[own], minlength=n)
    s = proj.strength
    p = np.zeros(n, dtype=np.float64)
    pos = s > 0
    p[pos] = 1.0 - sq[pos] / (s[pos] * s[pos])
    np.clip(p, 0.0, 1.0, out=p)  # round-off
    external = np.maximum(s - internal, 0.0)
    return p, external, sq


def community_stats(graph, proj: Projection, memb: np.ndarray, k: int) -> dict:
    """Per-community counts for a summary (arrays of length ``k``), all by bincount.

    Keys: ``size``, ``internal_edges`` (connected pairs inside), ``external_edges``
    (pairs leaving), ``internal_weight``, ``cut`` (weight leaving), ``volume`` (summed
    strength), ``type_counts`` (k x T interactions inside, directed edges).
    """
    size = np.bincount(memb, minlength=k)
    cu = memb[proj.u]
    cv = memb[proj.v]
    inside = cu == cv
    internal_edges = np.bincount(cu[inside], minlength=k)
    external_edges = np.bincount(cu[~inside], minlength=k) + np.bincount(cv[~inside], minlength=k)
    internal_weight = np.bincount(cu[inside], weights=proj.w[inside], minlength=k)
    cut = (np.bincount(cu[~inside], weights=proj.w[~inside], minlength=k)
           + np.bincount(cv[~inside], weights=proj.w[~inside], minlength=k))
    volume = np.bincount(memb, weights=proj.strength, minlength=k)
    src_c = memb[graph.sources()]
    inside_d = src_c == memb[graph.indices]
    n_types = len(graph.types)
    type_counts = np.zeros((k, n_types), dtype=np.int64)
    ci = src_c[inside_d]
    cnt = graph.counts[inside_d]
    for t in range(n_types):  # a handful of interaction types
        type_counts[:, t] = np.bincount(ci, weights=cnt[:, t], minlength=k).astype(np.int64)
    return {
        "size": size, "internal_edges": internal_edges, "external_edges": external_edges,
        "internal_weight": internal_weight, "cut": cut, "volume": volume,
        "type_counts": type_counts, "internal_directed": inside_d,
    }


def density(internal_edges: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Connected pairs over possible pairs; NaN for a single user."""
    pairs = size.astype(np.float64) * (size - 1) / 2.0
    out = np.full(size.shape[0], np.nan)
    np.divide(internal_edges, pairs, out=out, where=pairs > 0)
    return out


def conductance(cut: np.ndarray, volume: np.ndarray, total_volume: float) -> np.ndarray:
    """``cut / min(vol(S), vol(V \\ S))``; 0 when nothing leaves the community."""
    den = np.minimum(volume, total_volume - volume)
    out = np.zeros(cut.shape[0])
    np.divide(cut, den, out=out, where=(cut > 0) & (den > 0))
    return out
