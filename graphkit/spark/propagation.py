"""Semi-synchronous label propagation on the cluster (the first step of
:func:`graphkit.spark.detect_communities`; the rule is in :mod:`graphkit.spark.communities`).

The undirected pairs stay on the executors as numpy blocks grouped by node; each round
the label vector (8 bytes a user) is broadcast and every partition relabels its own
nodes: one Spark job a round and no shuffle after the first.
"""

from __future__ import annotations

import numpy as np

from .._progress import Progress

__all__ = ["label_propagation", "tie_key", "MAX_LPA_ITERATIONS"]

#: Label-propagation rounds at most (synchronous rounds may oscillate on a few users).
MAX_LPA_ITERATIONS = 30

#: The tie key's modulus (a prime below 2**31: every product below fits an int64).
_M = 2_147_483_647
_P = 1_000_003


def tie_key(seed: int, round_: int, node: int, label: int) -> int:
    """The pseudo-random key that breaks label-propagation ties (smallest wins).

    Integer arithmetic modulo a prime below 2**31 (the executors compute it over numpy
    int64 arrays without overflow); this is the plain reference.

    Examples
    --------
    >>> tie_key(1, 1, 0, 5) == tie_key(1, 1, 0, 5), tie_key(1, 1, 0, 5) == tie_key(2, 1, 0, 5)
    (True, False)
    """
    h = int(seed) % _M
    for x in (round_, node, label):
        h = (h * _P + int(x)) % _M
        h = (h * h + 12345) % _M
    return h


def _adjacency_blocks(pairs, n: int, partitions: int | None = None):
    """Both directions of every pair as a cached RDD of numpy blocks, one per partition,
    grouped by node: ``key`` (sorted nodes), ``starts``, ``nbr``, ``w`` sorted by (node,
    neighbour), so every sum is in the same order whatever the partitioning."""
    import pickle

    from pyspark.sql import functions as F

    sc = pairs.sparkSession.sparkContext
    both = pairs.select(F.col("u").alias("node"), F.col("v").alias("nbr"), "w").unionByName(
        pairs.select(F.col("v").alias("node"), F.col("u").alias("nbr"), "w"))
    p = int(partitions or sc.defaultParallelism)
    wide = n >= 2**31 - 1

    def build(batches):
        import pyarrow as pa

        cols = [[], [], []]
        for batch in batches:
            for i in range(3):
                cols[i].append(batch.column(i).to_numpy())
        if not cols[0]:
            return
        key, nbr, w = (np.concatenate(c) for c in cols)
        if key.size == 0:
            return
        order = np.lexsort((nbr, key))
        key, nbr, w = key[order], nbr[order], w[order].astype(np.float64)
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        block = {"key": key[first].astype(np.int64), "starts": first.astype(np.int64),
                 "nbr": nbr.astype(np.int64 if wide else np.int32), "w": w}
        yield pa.RecordBatch.from_arrays(
            [pa.array([pickle.dumps(block, protocol=5)], type=pa.large_binary())],
            names=["blob"])

    blobs = both.repartition(p, "node").select("node", "nbr", "w").mapInArrow(build,
                                                                            "blob binary")
    rdd = blobs.rdd.map(lambda row: pickle.loads(row[0])).persist()
    rdd.count()
    return rdd


def _lpa_step(block, labels, seed: int, round_: int):
    """New labels of a block's nodes (see the module notes), in numpy."""
    key, starts, nbr, w = block["key"], block["starts"], block["nbr"], block["w"]
    counts = np.diff(np.r_[starts, nbr.shape[0]])
    own = np.repeat(np.arange(key.shape[0]), counts)
    heaviest = np.maximum.reduceat(w, starts)
    # candidate (node, label, weight): every neighbour's label, and the node's own
    node = np.concatenate([own, np.arange(key.shape[0])])
    lab = np.concatenate([labels[nbr], labels[key]])
    wt = np.concatenate([w, heaviest])
    order = np.lexsort((lab, node))  # stable: sums run in (node, neighbour) order
    node, lab, wt = node[order], lab[order], wt[order]
    first = np.flatnonzero(np.r_[True, (node[1:] != node[:-1]) | (lab[1:] != lab[:-1])])
    node, lab, score = node[first], lab[first], np.add.reduceat(wt, first)
    tie = _tie_keys(seed, round_, key[node], lab)
    best = np.lexsort((lab, tie, -score, node))
    node, lab = node[best], lab[best]
    want = lab[np.r_[True, node[1:] != node[:-1]]]
    current = labels[key]
    moving = int((want != current).sum())
    # semi-synchronous: a seeded half of the users moves each round (all moving at once
    # makes two users joined by a pair swap labels forever)
    active = _tie_keys(seed, round_, key, np.full(key.shape[0], -1, dtype=np.int64)) % 2 == 0
    return key, np.where(active, want, current), moving


def _tie_keys(seed, round_, node, label):
    """:func:`tie_key` over arrays (int64: every product stays below 2**62)."""
    h = np.full(node.shape[0], int(seed) % _M, dtype=np.int64)
    for x in (np.int64(round_), node.astype(np.int64), label.astype(np.int64)):
        h = (h * _P + x) % _M
        h = (h * h + 12345) % _M
    return h


def label_propagation(pairs, n: int, *, max_iter: int = MAX_LPA_ITERATIONS, seed: int = 0,
                      partitions: int | None = None, progress: Progress | None = None):
    """Synchronous label propagation on ``pairs`` (``u, v, w``; nodes 0..n-1, the id
    ordinals).

    The pairs stay on the executors as numpy blocks grouped by node; each round the
    label vector (8 bytes a user) is broadcast and every partition relabels its own
    nodes: one Spark job a round, no shuffle after the first. Returns ``(labels,
    iterations, converged)``: ``labels`` a numpy vector (a node without pairs keeps its
    own). The rule is in the module notes; ``seed`` feeds :func:`tie_key`.
    """
    sc = pairs.sparkSession.sparkContext
    blocks = _adjacency_blocks(pairs, n, partitions)
    labels = np.arange(n, dtype=np.int64)
    converged = False
    it = 0
    try:
        for it in range(1, int(max_iter) + 1):
            bl = sc.broadcast(labels)
            parts = blocks.map(lambda b, bl=bl, it=it: _lpa_step(b, bl.value, seed, it)).collect()
            bl.unpersist()
            moving = sum(m for _, _, m in parts)
            if moving == 0:  # no user would take another label
                converged = True
                break
            new = labels.copy()
            for key, lab, _ in parts:
                new[key] = lab
            labels = new
            if progress:
                progress(f"label propagation round {it} ({moving:,} users want another label)")
    finally:
        blocks.unpersist()
    return labels, it, converged
