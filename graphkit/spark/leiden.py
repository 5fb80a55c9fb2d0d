"""Leiden on the driver: the label groups contracted, merged by igraph, mapped back.

igraph holds Python's GIL for the whole Leiden run (14 s on the 4.5M pairs a 10M-edge
graph contracts to), so on Linux a contracted graph of at least :data:`FORK_PAIRS` pairs
goes to a forked child process (:class:`graphkit._forked.ChildCall`: the same arrays,
seed and library, so the same result), and the driver meanwhile runs Spark jobs (what the
summary needs) and stays responsive to Ctrl-C. Where no child can be forked, or it gives
nothing, Leiden runs in the driver's own process.
"""

from __future__ import annotations

import numpy as np

from .._forked import ChildCall, can_fork

__all__ = ["leiden_groups", "FORK_PAIRS"]


#: Contracted pairs from which Leiden runs in a forked child (fewer: the fork and the
#: pickled result cost more than the overlap saves; Leiden takes ~3 s on 1M pairs).
FORK_PAIRS = 50_000


def _leiden_beside(lo, hi, w, resolution: float, seed: int, meanwhile):
    """:func:`_leiden_on_driver` in a forked child while ``meanwhile()`` (if any) runs
    here; in this process when the child gives nothing (it failed, or no fork), so that
    its error is raised here."""
    with ChildCall(lambda: _leiden_on_driver(lo, hi, w, resolution, seed)) as child:
        if meanwhile:
            meanwhile()
        got = child.result()
    return got if got is not None else _leiden_on_driver(lo, hi, w, resolution, seed)


def _leiden_on_driver(a, b, w, resolution: float, seed: int):
    """igraph Leiden (modularity, 2 iterations, as the local engine) on the contracted
    graph. Returns ``(names, merged)``: the label of every contracted node (sorted) and
    the label naming its Leiden community (its smallest label, so names never collide
    with the ordinals of users that have no pair).

    igraph's Leiden counts a self-loop once in the weight inside a community but twice
    in the node's degree, which makes merging look better than it is; the loops (the
    weight inside each label group) are therefore left out of the edges and kept in
    explicit node weights (the groups' summed degrees), which is exact: modularity's
    change when groups merge does not depend on their inside weight.
    """
    from .. import _imports
    from .._rng import igraph_seed

    order = np.lexsort((b, a))  # the same graph whatever the blocks' order
    a, b, w = a[order], b[order], np.asarray(w, dtype=np.float64)[order]
    names, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv.reshape(2, -1)
    k = names.shape[0]
    strength = np.bincount(ia, weights=w, minlength=k) + np.bincount(ib, weights=w, minlength=k)
    cross = ia != ib
    g = _imports.igraph_graph(k, ia[cross], ib[cross], weight=w[cross])
    with igraph_seed(seed):
        c = g.community_leiden(objective_function="modularity", weights="weight",
                               node_weights=strength.tolist(), resolution=resolution,
                               n_iterations=2)
    memb = np.asarray(c.membership, dtype=np.int64)
    rep = np.full(int(memb.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(rep, memb, names)
    return names, rep[memb]


def leiden_groups(blocks, labels, pairs_hint, resolution, seed, limit, details, progress,
                  meanwhile=None):
    """The label groups contracted and merged by Leiden on the driver (``labels`` as they
    are when the contracted graph has more than ``limit`` pairs); ``meanwhile()`` runs
    in the driver while Leiden does (not at all when Leiden is skipped)."""
    from .propagation import contract

    if progress:
        progress("contracting the label groups")
    lo, hi, w, n_pairs = contract(blocks, labels, limit, pairs_hint)
    details["contracted_pairs"] = int(n_pairs)
    if lo is None:
        details["leiden"] = (f"skipped: {n_pairs:,} contracted pairs > driver limit "
                             f"{limit:,}")
        return labels
    forked = n_pairs >= FORK_PAIRS and can_fork()
    if progress:
        progress(f"leiden on the driver ({n_pairs:,} contracted pairs"
                 + (", in a child process" if forked else "")
                 + ("; the summary's rows and edges collected meanwhile" if meanwhile
                    else "") + ")")
    if forked:
        names, merged = _leiden_beside(lo, hi, w, resolution, seed, meanwhile)
    else:
        names, merged = _leiden_on_driver(lo, hi, w, resolution, seed)
        if meanwhile:
            meanwhile()
    details["leiden"] = "driver"
    at = np.minimum(np.searchsorted(names, labels), names.shape[0] - 1)
    hit = names[at] == labels  # labels of users without pairs are not in it
    return np.where(hit, merged[at], labels)
