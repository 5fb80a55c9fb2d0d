"""The undirected projection as cached numpy blocks, and what runs on them: semi-synchronous
label propagation, the contraction of its groups and the per-user sums behind modularity
and the summary (the rules are in :mod:`graphkit.spark.communities`).

Users are numbered by their id's rank in sorted id order (:func:`ordinals`: one sort on
the cluster, collected as Arrow). One shuffle of the edges builds the blocks: every pair
``{u, v}`` of the projection is an entry ``(u, v)`` in ``u``'s block and ``(v, u)`` in
``v``'s, sorted by (user, neighbour ordinal), so every per-user sum runs in the same order
whatever the partitioning. Each later step broadcasts one vector (8 bytes a user: the
labels, the communities) and runs one Spark job over the cached blocks; nothing is joined.
"""

from __future__ import annotations

import pickle

import numpy as np

from .._progress import Progress

__all__ = ["label_propagation", "tie_key", "ordinals", "adjacency_blocks", "driver_blocks",
           "single_block", "contract", "node_sums", "NODE_SUMS", "MAX_LPA_ITERATIONS"]

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


def ordinals(graph) -> np.ndarray:
    """The rank of every user's id in sorted id order, by position (``graph.ids.node``),
    as a numpy vector on the driver.

    One range-partitioned sort on the cluster (Spark sorts strings by UTF-8 bytes, which
    is code point order, as the local ``id_order``); each sorted row is tagged with
    ``monotonically_increasing_id`` (its partition in the high bits, its row within the
    partition in the low 33), and the driver turns the tags into ranks from the rows per
    partition: no count job, no ``zipWithIndex``, no Python rows.
    """
    from pyspark.sql import functions as F

    t = (graph.ids.select("user", "node").orderBy("user")
         .select("node", F.monotonically_increasing_id().alias("m")).toArrow())
    node = t.column("node").to_numpy()
    m = t.column("m").to_numpy()
    part, row = m >> 33, m & ((1 << 33) - 1)
    parts, at, counts = np.unique(part, return_inverse=True, return_counts=True)
    offset = np.zeros(parts.shape[0], dtype=np.int64)
    np.cumsum(counts[:-1], out=offset[1:])
    out = np.empty(graph.n_nodes, dtype=np.int64)
    out[node] = offset[at.reshape(-1)] + row
    return out


def adjacency_blocks(graph, order: np.ndarray, weighted: bool = True,
                     partitions: int | None = None):
    """The undirected projection of ``graph`` as a cached RDD of numpy blocks, one per
    partition, in ordinal space (``order``: :func:`ordinals`).

    Each block is a dict: ``key`` (its users, sorted), ``starts`` (where each user's run
    begins), ``nbr`` (the neighbour, int32 below 2**31 users), ``w`` (the pair weight
    ``w(u -> v) + w(v -> u)``, or 1 when unweighted) and ``d`` (bit 1: an edge user ->
    neighbour exists, bit 2: neighbour -> user), sorted by (user, neighbour). A
    self-loop, which :func:`graphkit.spark.read_edges` drops, would be two entries (both
    ends of its pair). Returns ``(blocks, total)``: ``total`` the summed pair weight (the
    job that builds and caches the blocks computes it).
    """
    from pyspark.sql import functions as F

    from .graph import edge_partitions

    sc = graph.edges.sparkSession.sparkContext
    e = graph.edges
    both = e.select(F.col("src").alias("node"), F.col("dst").alias("nbr"), "weight",
                    F.lit(1).cast("byte").alias("d")).unionByName(
        e.select(F.col("dst").alias("node"), F.col("src").alias("nbr"), "weight",
                 F.lit(2).cast("byte").alias("d")))
    p = int(partitions or edge_partitions(sc, graph.n_edges))
    wide = graph.n_nodes >= 2**31 - 1
    bo = sc.broadcast(np.asarray(order, dtype=np.int64))

    def build(batches):
        import pyarrow as pa

        cols = [[], [], [], []]
        for batch in batches:
            for i in range(4):
                cols[i].append(batch.column(i).to_numpy())
        if not cols[0] or sum(c.shape[0] for c in cols[0]) == 0:
            return
        o = bo.value
        key, nbr = o[np.concatenate(cols[0])], o[np.concatenate(cols[1])]
        w, d = np.concatenate(cols[2]).astype(np.float64), np.concatenate(cols[3])
        yield pa.RecordBatch.from_arrays(
            [pa.array([pickle.dumps(_block(key, nbr, w, d, weighted, wide), protocol=5)],
                      type=pa.large_binary())], names=["blob"])

    blobs = both.repartition(p, "node").mapInArrow(build, "blob binary")
    rdd = blobs.rdd.map(lambda row: pickle.loads(row[0])).persist()
    total = 0.5 * sum(rdd.map(lambda b: float(b["w"].sum())).collect())
    bo.unpersist()
    return rdd, total


def _block(key, nbr, w, d, weighted: bool, wide: bool) -> dict:
    """One block from both directions of its users' edges (ordinals): the two directions
    of a pair merged (``w(u -> v) + w(v -> u)``: two terms, the same sum in any order)."""
    span = int(max(key.max(), nbr.max())) + 1 if key.size else 1
    if span <= 3_000_000_000:  # key * span + nbr fits an int64: one sort
        # not stable, and need not be: a (user, neighbour) has at most two entries (the
        # two directions of a pair, whose sum is the same in either order)
        order = np.argsort(key * span + nbr)
    else:  # pragma: no cover - past 3e9 users
        order = np.lexsort((nbr, key))
    key, nbr, w, d = key[order], nbr[order], w[order], d[order]
    first = np.flatnonzero(np.r_[True, (key[1:] != key[:-1]) | (nbr[1:] != nbr[:-1])])
    w = np.add.reduceat(w, first) if weighted else np.ones(first.shape[0])
    d = np.bitwise_or.reduceat(d, first).astype(np.uint8)
    key, nbr = key[first], nbr[first]
    loop = key == nbr
    if loop.any():  # both ends of a self-loop's pair {u, u}: two entries of its weight
        if weighted:
            w = np.where(loop, 0.5 * w, w)
        twice = np.where(loop, 2, 1)
        key, nbr, w, d = (np.repeat(a, twice) for a in (key, nbr, w, d))
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return {"key": key[starts].astype(np.int64), "starts": starts.astype(np.int64),
            "nbr": nbr.astype(np.int64 if wide else np.int32), "w": w, "d": d}


def single_block(key, nbr, w, d, weighted: bool = True) -> dict:
    """:func:`adjacency_blocks`' block of arrays given on the driver (both directions of
    every edge, in ordinals): what the executors build."""
    return _block(np.asarray(key, dtype=np.int64), np.asarray(nbr, dtype=np.int64),
                  np.asarray(w, dtype=np.float64), np.asarray(d, dtype=np.uint8),
                  weighted, False)


def driver_blocks(graph, order: np.ndarray, weighted: bool = True):
    """The projection as :func:`adjacency_blocks` gives it, but collected once (Arrow,
    24 bytes an edge) into one block on the driver: ``([block], total)``. Every step
    then runs in this process with the same arithmetic (no Python workers, no job a
    round)."""
    t = graph.edges.select("src", "dst", "weight").toArrow()
    src, dst = order[t.column("src").to_numpy()], order[t.column("dst").to_numpy()]
    w = t.column("weight").to_numpy().astype(np.float64)
    if src.size == 0:
        return [], 0.0
    ones = np.ones(src.shape[0], dtype=np.uint8)
    block = _block(np.concatenate([src, dst]), np.concatenate([dst, src]),
                   np.concatenate([w, w]), np.concatenate([ones, 2 * ones]), weighted,
                   graph.n_nodes >= 2**31 - 1)
    return [block], 0.5 * float(block["w"].sum())


def _lpa_step(block, labels, seed: int, round_: int):
    """New labels of a block's nodes (see the module notes), in numpy."""
    key, starts, nbr, w = block["key"], block["starts"], block["nbr"], block["w"]
    n, k = labels.shape[0], key.shape[0]
    counts = np.diff(np.r_[starts, nbr.shape[0]])
    heaviest = np.maximum.reduceat(w, starts)
    current = labels[key]
    # candidate (node, label, weight): every neighbour's label, and the node's own last;
    # one stable sort of node * n + label (the order of a lexsort by (node, label)): the
    # sums run in (node, neighbour) order, the own vote last
    node = np.concatenate([np.repeat(np.arange(k, dtype=np.int64), counts),
                           np.arange(k, dtype=np.int64)])
    both = node * n + np.concatenate([labels[nbr], current])
    order = _stable_order(both, k * n)
    both, wt = both[order], np.concatenate([w, heaviest])[order]
    first = np.flatnonzero(np.r_[True, both[1:] != both[:-1]])
    score, both = np.add.reduceat(wt, first), both[first]
    node, lab = both // n, both % n
    # per node: the largest score, then the smallest tie key, then the smallest label
    # (every node has a candidate: its own label)
    at = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
    top = np.maximum.reduceat(score, at)
    cand = np.flatnonzero(score == np.repeat(top, np.diff(np.r_[at, node.shape[0]])))
    node, lab = node[cand], lab[cand]
    pick = _tie_keys(seed, round_, key[node], lab) * n + lab  # < 2**31 * n: fits
    want = np.minimum.reduceat(pick, np.flatnonzero(np.r_[True, node[1:] != node[:-1]])) % n
    moving = int((want != current).sum())
    # semi-synchronous: a seeded half of the users moves each round (all moving at once
    # makes two users joined by a pair swap labels forever)
    active = _tie_keys(seed, round_, key, np.full(k, -1, dtype=np.int64)) % 2 == 0
    return key, np.where(active, want, current), moving


def _stable_order(values: np.ndarray, bound: int) -> np.ndarray:
    """A stable argsort of non-negative int64 ``values`` below ``bound`` (timsort, or a
    16-bit radix sort when the bound allows it)."""
    if bound <= 2**16:
        return np.argsort(values.astype(np.uint16), kind="stable")
    return np.argsort(values, kind="stable")


def _tie_keys(seed, round_, node, label):
    """:func:`tie_key` over arrays (int64: every product stays below 2**62)."""
    h = np.full(node.shape[0], int(seed) % _M, dtype=np.int64)
    for x in (np.int64(round_), node.astype(np.int64), label.astype(np.int64)):
        h = (h * _P + x) % _M
        h = (h * h + 12345) % _M
    return h


def label_propagation(blocks, n: int, *, max_iter: int = MAX_LPA_ITERATIONS, seed: int = 0,
                      progress: Progress | None = None):
    """Semi-synchronous label propagation on :func:`adjacency_blocks` (users 0..n-1: the
    id ordinals).

    Each round the label vector (8 bytes a user) is broadcast and every partition
    relabels its own users: one Spark job a round, no shuffle. ``blocks`` may also be a
    list of blocks (on the driver). Returns ``(labels, iterations, converged)``:
    ``labels`` a numpy vector (a user without pairs keeps its own). The rule is in
    :mod:`graphkit.spark.communities`; ``seed`` feeds :func:`tie_key`.
    """
    labels = np.arange(n, dtype=np.int64)
    converged = False
    it = 0
    for it in range(1, int(max_iter) + 1):
        parts = _on_blocks(blocks, labels, lambda b, v, it=it: _lpa_step(b, v, seed, it))
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
    return labels, it, converged


def _on_blocks(blocks, vector, fn, with_index: bool = False):
    """``fn(block, vector)`` (or ``fn(i, block, vector)``) for every block: one Spark job
    with ``vector`` broadcast, or in this process for a list of blocks."""
    if isinstance(blocks, list):
        return [fn(i, b, vector) if with_index else fn(b, vector) for i, b in enumerate(blocks)]
    bv = blocks.context.broadcast(vector)
    try:
        if with_index:
            return blocks.mapPartitionsWithIndex(
                lambda i, it: [fn(i, b, bv.value) for b in it]).collect()
        return blocks.map(lambda b: fn(b, bv.value)).collect()
    finally:
        bv.unpersist()


# ---------------------------------------------------------------- contraction
def _partial_contraction(i, block, labels):
    """This block's pairs summed by (label of one end, label of the other), smaller label
    first; each pair once (from the end with the smaller ordinal; a self-loop's two
    entries half each)."""
    key, starts, nbr, w = block["key"], block["starts"], block["nbr"], block["w"]
    own = np.repeat(key, np.diff(np.r_[starts, nbr.shape[0]]))
    keep = own <= nbr
    wt = np.where(own[keep] == nbr[keep], 0.5 * w[keep], w[keep])
    a, b = labels[own[keep]], labels[nbr[keep]]
    return _summed(i, np.minimum(a, b), np.maximum(a, b), wt)


def _summed(i, lo, hi, w):
    span = int(hi.max()) + 1 if hi.size else 1
    # stable: the block's own order within a group (a lexsort by (lo, hi))
    order = _stable_order(lo * span + hi, span * span)
    lo, hi, w = lo[order], hi[order], w[order]
    if lo.size == 0:
        return i, lo, hi, w
    first = np.flatnonzero(np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])])
    return i, lo[first], hi[first], np.add.reduceat(w, first)


def _merge(parts):
    """Partial sums ``(i, lo, hi, w)`` merged, in the order of their blocks ``i``."""
    parts = sorted(parts, key=lambda p: p[0])
    if not parts:
        e = np.empty(0, dtype=np.int64)
        return e, e, np.empty(0)
    cat = [np.concatenate([p[j] for p in parts]) for j in (1, 2, 3)]
    _, lo, hi, w = _summed(0, *cat)
    return lo, hi, w


def contract(blocks, labels: np.ndarray, limit: int, pairs_hint: int):
    """The graph of the label groups: ``(lo, hi, w, count)``, the summed pair weight
    between groups ``lo <= hi`` (``lo == hi``: inside a group) sorted by (lo, hi), and
    the number of contracted pairs. Past ``limit`` contracted pairs the arrays are not
    collected (``None``). With at most ``limit`` pairs in the whole graph
    (``pairs_hint``) the blocks' partial sums come straight to the driver (one job);
    otherwise they are merged by group on the cluster first (a shuffle of the partial
    sums, counted before anything is collected)."""
    if isinstance(blocks, list) or pairs_hint <= limit:
        lo, hi, w = _merge(_on_blocks(blocks, labels, _partial_contraction, with_index=True))
        if lo.shape[0] > limit:  # on the driver already, but too big for Leiden
            return None, None, None, int(lo.shape[0])
        return lo, hi, w, int(lo.shape[0])
    nb = max(blocks.getNumPartitions(), 1)
    bl = blocks.context.broadcast(labels)

    def spread(i, it):
        for block in it:
            j, lo, hi, w = _partial_contraction(i, block, bl.value)
            bucket = (lo * 1_000_003 + hi) % nb
            for b in range(nb):
                at = bucket == b
                yield b, (j, lo[at], hi[at], w[at])

    merged = (blocks.mapPartitionsWithIndex(spread).partitionBy(nb, lambda b: b)
              .mapPartitions(lambda it: [_merge([p for _, p in it])]).persist())
    try:
        count = sum(merged.map(lambda t: int(t[0].shape[0])).collect())
        if count > limit:
            return None, None, None, count
        got = merged.collect()
    finally:
        merged.unpersist()
        bl.unpersist()
    lo, hi, w = _merge([(0, *t) for t in got])
    return lo, hi, w, count


# ---------------------------------------------------------------- per-user sums
#: What :func:`node_sums` returns per user (ordinal order).
NODE_SUMS = ("degree", "own", "sq", "pairs_in", "pairs", "edges_in")


def _block_sums(block, comm):
    key, starts, nbr, w, d = block["key"], block["starts"], block["nbr"], block["w"], block["d"]
    counts = np.diff(np.r_[starts, nbr.shape[0]])
    k = key.shape[0]
    idx = np.repeat(np.arange(k), counts)
    co = comm[nbr]
    same = co == comm[key][idx]
    degree = np.add.reduceat(w, starts)
    own = np.add.reduceat(np.where(same, w, 0.0), starts)
    pairs_in = np.bincount(idx[same], minlength=k)
    edges_in = np.bincount(idx[same & ((d & 1) == 1)], minlength=k)
    span = int(comm.max()) + 1  # stable: (user, neighbour) order within a community
    order = _stable_order(idx * span + co, k * span)
    idx, co, ws = idx[order], co[order], w[order]
    first = np.flatnonzero(np.r_[True, (idx[1:] != idx[:-1]) | (co[1:] != co[:-1])])
    into = np.add.reduceat(ws, first)
    sq = np.bincount(idx[first], weights=into * into, minlength=k)
    return key, (degree, own, sq, pairs_in, counts, edges_in)


def node_sums(blocks, comm: np.ndarray, n: int) -> dict:
    """Per user (ordinal order), for the partition ``comm`` (a community per ordinal):
    ``degree`` (summed pair weight), ``own`` (weight into its own community), ``sq`` (the
    sum over communities of the squared weight into each), ``pairs_in``/``pairs`` (its
    pairs inside its community / all), ``edges_in`` (its edges to a member, directed):
    one job, every sum in (user, neighbour) order."""
    out = {name: np.zeros(n, dtype=np.int64 if name in ("pairs_in", "pairs", "edges_in")
                          else np.float64) for name in NODE_SUMS}
    for key, vals in _on_blocks(blocks, comm, _block_sums):
        for name, v in zip(NODE_SUMS, vals):
            out[name][key] = v
    return out
