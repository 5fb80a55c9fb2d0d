"""PageRank on Spark with the local engine's exact semantics.

The edges are partitioned once by target user and each partition is frozen into numpy
arrays sorted by (target, source) and cached; each iteration broadcasts the rank vector
(divided by the out-weights), every partition sums the flow into its own targets, and
the driver applies the damping, the dangling mass and the personalization, and checks
the absolute L1 stopping rule. One Spark job per iteration and no shuffle after the
first: the naive DataFrame version joins (and shuffles) the whole edge list every
iteration. The rank vector must fit in the driver (8 bytes a user).

A graph of at most :data:`DRIVER_EDGES` pairs is collected once (24 bytes a pair) and
iterated on the driver with the same arithmetic: one job instead of one a iteration,
and no Python workers to start (pass ``partitions``, or set the Spark setting
``spark.graphkit.pagerank.driverEdges`` to 0, to keep it on the cluster).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping

import numpy as np

from .._progress import Progress
from ..errors import ConvergenceError, UnknownUserError
from .graph import SparkGraph, arrow_frame, edge_partitions, ids_of, pairs_setting, positions_of

__all__ = ["pagerank_scores", "pagerank", "rank_table", "edge_blocks", "out_weights",
           "DRIVER_EDGES", "DRIVER_EDGES_CONF", "driver_edges", "driver_edges_or",
           "sorted_edges", "driver_block", "pagerank_within"]

_NAMED = (("follow", "followers"), ("share", "shares_received"),
          ("comment", "comments_received"))


def out_weights(graph: SparkGraph, weighted: bool = True) -> np.ndarray:
    """Out-weight (or out-degree) of every user, as a numpy vector on the driver."""
    from pyspark.sql import functions as F

    agg = F.sum("weight") if weighted else F.count(F.lit(1)).cast("double")
    table = graph.edges.groupBy("src").agg(agg.alias("w")).toArrow()
    out = np.zeros(graph.n_nodes, dtype=np.float64)
    out[table.column("src").to_numpy()] = table.column("w").to_numpy()
    return out


def edge_blocks(graph: SparkGraph, partitions: int | None = None, *, by: str = "dst",
                weighted: bool = True, materialize: bool = True):
    """The edges as a cached RDD of numpy blocks, one per partition, grouped by ``by``.

    Each block is a dict ``key`` (the distinct ``by`` users of the partition, sorted),
    ``starts`` (where each key's run begins), ``other`` (the other end) and ``w`` (the
    weights, or None when unweighted or all 1), sorted by (key, other): the order, and
    so every sum, does not depend on the number of partitions. Users are int32 (int64
    past 2**31 users) and weights float32 when that holds them exactly (see
    :func:`_narrow`): each PageRank iteration ships every cached block from the JVM to a
    Python worker, so a smaller block is a faster iteration. ``materialize=False``
    leaves the first job (which builds and caches the blocks) to the caller.
    """
    sc = graph.edges.sparkSession.sparkContext
    other = "src" if by == "dst" else "dst"
    wide = graph.n_nodes >= 2**31 - 1
    if by == "dst" and graph.dst_partitions and partitions is None:
        df = graph.edges.select(by, other, "weight")  # index_graph partitioned it so
    else:
        p = int(partitions or edge_partitions(sc, graph.n_edges))
        df = graph.edges.repartition(p, by).select(by, other, "weight")

    def build(batches):
        import pyarrow as pa

        keys, others, ws = [], [], []
        for b in batches:
            keys.append(b.column(0).to_numpy())
            others.append(b.column(1).to_numpy())
            ws.append(b.column(2).to_numpy())
        if not keys:
            return
        key = np.concatenate(keys)
        oth = np.concatenate(others)
        w = np.concatenate(ws)
        if key.size == 0:
            return
        order = np.lexsort((oth, key))
        key, oth, w = key[order], oth[order], w[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        ints = np.int64 if wide else np.int32
        block = {"key": key[first].astype(ints), "starts": first.astype(np.int64),
                 "other": oth.astype(ints), "w": _narrow(w) if weighted else None}
        blob = pickle.dumps(block, protocol=5)
        yield pa.RecordBatch.from_arrays([pa.array([blob], type=pa.large_binary())],
                                         names=["blob"])

    blobs = df.mapInArrow(build, "blob binary")
    rdd = blobs.rdd.map(lambda row: pickle.loads(row[0])).persist()
    if materialize:
        rdd.count()
    return rdd


def _narrow(w: np.ndarray):
    """The weights as the narrowest type that holds them exactly: None when all are 1
    (multiplying by 1 changes no sum), float32 when every value survives the round trip
    (typed weights such as 1, 2, 3 or 0.5), float64 otherwise. The products with the
    float64 ranks are the same, so no score changes.

    >>> [_narrow(np.array(v)) for v in ([1.0, 1.0], [1.0, 3.0])][0] is None
    True
    >>> _narrow(np.array([1.0, 3.0])).dtype, _narrow(np.array([0.1])).dtype
    (dtype('float32'), dtype('float64'))
    """
    w = np.asarray(w, dtype=np.float64)
    if w.size and bool((w == 1.0).all()):
        return None
    narrow = w.astype(np.float32)
    return narrow if np.array_equal(narrow, w) else w


#: Up to this many chosen users, the received counts broadcast their ids to the rows.
BROADCAST_CHOSEN = 100_000
#: Up to this many pairs (and without ``partitions``) PageRank iterates on the driver.
DRIVER_EDGES = 2_000_000
#: The Spark setting that overrides :data:`DRIVER_EDGES` (0: always on the cluster).
DRIVER_EDGES_CONF = "spark.graphkit.pagerank.driverEdges"


def driver_edges(value) -> int:
    """The pairs up to which PageRank iterates on the driver, from a setting's text
    (``None``: :data:`DRIVER_EDGES`); ``ValueError`` naming the setting otherwise.

    >>> driver_edges(None), driver_edges("0"), driver_edges(" 5000000 ")
    (2000000, 0, 5000000)
    """
    return pairs_setting(DRIVER_EDGES_CONF, value, DRIVER_EDGES, "PageRank")


def driver_edges_or(spark, other: int) -> int:
    """The larger of the session's PageRank driver limit (:func:`driver_edges`) and
    ``other``: what the communities' summary may collect to the driver."""
    return max(driver_edges(spark.conf.get(DRIVER_EDGES_CONF, None)), int(other))


def sorted_edges(graph: SparkGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of ``graph``, collected to the driver: ``(dst, src, weight)`` sorted by
    target, then source (~24 bytes a pair)."""
    table = graph.edges.select("dst", "src", "weight").toArrow()
    dst, src, w = (table.column(i).to_numpy() for i in range(3))
    order = np.argsort(dst * max(graph.n_nodes, 1) + src)  # the pairs are distinct
    return dst[order], src[order], w[order]


def driver_block(dst, src, w, weighted: bool) -> dict:
    """Pairs sorted by (target, source) as one block (see :func:`edge_blocks`)."""
    first = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]]) if dst.size else dst
    return {"key": dst[first].astype(np.int64), "starts": first.astype(np.int64),
            "other": src.astype(np.int64), "w": _narrow(w) if weighted else None}


def pagerank_within(graph: SparkGraph, edges, comm: np.ndarray, weighted: bool) -> np.ndarray:
    """PageRank inside communities (tol 1e-10) on the driver, by position: the collected
    ``edges`` (:func:`sorted_edges`) whose two users share a community (``comm``, by
    position); zeros when none does."""
    dst, src, w = edges
    keep = comm[dst] == comm[src]
    if not keep.any():
        return np.zeros(graph.n_nodes)
    block = driver_block(dst[keep], src[keep], w[keep], weighted)
    return pagerank_scores(graph, weighted=weighted, tol=1e-10, block=block)[0]


#: Out-weights come from the edge blocks' own job (a dense vector a partition) while
#: users x partitions stays under this; past it, from a Spark aggregation.
DENSE_OUT_WEIGHTS = 64_000_000


def _keys_and_out_weights(blocks, n: int, dense: bool):
    """The first job on the blocks, which builds and caches them: each partition's target
    users (kept on the driver, so that the iterations return only the flows) and, when
    ``dense``, its out-weights as a dense vector (``other`` is the source), summed here in
    partition order; else None (the caller aggregates them on the cluster)."""
    def part(index, it, n=n, dense=dense):
        for block in it:
            out = (np.bincount(block["other"], weights=block["w"], minlength=n) if dense
                   else None)
            if dense and block["w"] is None:
                out = out.astype(np.float64)
            yield index, block["key"], out

    keys = {}
    out = np.zeros(n, dtype=np.float64) if dense else None
    for index, key, vec in blocks.mapPartitionsWithIndex(part).collect():
        keys[index] = key
        if dense:
            out += vec
    return keys, out


def _personalization(graph: SparkGraph, personalization) -> np.ndarray:
    n = graph.n_nodes
    if personalization is None:
        return np.full(n, 1.0 / n)
    if isinstance(personalization, Mapping):
        keys = [str(k) for k in personalization.keys()]
        vals = np.array([float(v) for v in personalization.values()], dtype=np.float64)
    else:
        if isinstance(personalization, str):
            personalization = [personalization]
        keys = [str(k) for k in personalization]
        vals = np.ones(len(keys))
    pos, missing = positions_of(graph, keys)
    if missing:
        raise UnknownUserError(missing)
    p = np.zeros(n, dtype=np.float64)
    if isinstance(personalization, Mapping):
        np.add.at(p, pos, vals)
    else:
        p[pos] = 1.0
    if not np.all(np.isfinite(p)) or (p < 0).any():
        raise ValueError("personalization values must be finite and non-negative")
    if p.sum() <= 0:
        raise ValueError("personalization must give a positive value to at least one user")
    return p / p.sum()


def pagerank_scores(graph: SparkGraph, *, damping: float = 0.85, personalization=None,
                    weighted: bool = True, max_iter: int = 1000, tol: float = 1e-6,
                    partitions: int | None = None, driver_limit: int | None = None,
                    block: dict | None = None,
                    progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """PageRank of every user (aligned with the ``node`` positions) and the iterations.

    Same semantics as :func:`graphkit.ranking.pagerank` (see there): typed weights,
    personalization, dangling users restarting from it, the absolute L1 stopping rule.
    ``partitions`` sets the edge blocks' partitions (default: at most ~4M pairs each, a
    multiple of the cores); without it a graph of at most ``driver_limit`` pairs (default
    the setting ``spark.graphkit.pagerank.driverEdges``, else :data:`DRIVER_EDGES`) is
    collected and iterated on the driver (the same sums in the same order); ``block``
    (:func:`driver_block`) gives those pairs already collected.

    Raises
    ------
    ConvergenceError
        If ``max_iter`` iterations do not reach ``tol``.
    """
    damping = float(damping)
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must lie in [0, 1], got {damping}")
    n = graph.n_nodes
    p = _personalization(graph, personalization)
    sc = graph.edges.sparkSession.sparkContext
    if driver_limit is None:
        driver_limit = driver_edges(graph.edges.sparkSession.conf.get(DRIVER_EDGES_CONF, None))
    if block is not None:
        blocks = None
    elif partitions is None and graph.n_edges <= driver_limit:
        block = driver_block(*sorted_edges(graph), weighted)
        blocks = None
    else:
        blocks = edge_blocks(graph, partitions, by="dst", weighted=weighted, materialize=False)
    x = np.full(n, 1.0 / n)
    err = np.inf
    it = 0
    try:
        # the job that builds and caches the blocks also sums the out-weights
        if blocks is None:
            out = np.bincount(block["other"], weights=block["w"], minlength=n).astype(np.float64)
            keys = {0: block["key"]} if block["key"].size else {}
        else:
            dense = n * blocks.getNumPartitions() <= DENSE_OUT_WEIGHTS
            keys, out = _keys_and_out_weights(blocks, n, dense)
            if not dense:
                out = out_weights(graph, weighted)
        inv_out = np.zeros(n)
        pos = out > 0
        inv_out[pos] = 1.0 / out[pos]
        dangling = np.flatnonzero(~pos)
        for it in range(1, max_iter + 1):
            if blocks is None:
                parts = [(0, _flow(block, x * inv_out))] if keys else []
            else:
                bx = sc.broadcast(x * inv_out)
                parts = blocks.mapPartitionsWithIndex(
                    lambda i, bs, bx=bx: ((i, _flow(b, bx.value)) for b in bs)).collect()
                bx.unpersist()
            flow = np.zeros(n)
            for index, f in parts:
                flow[keys[index]] = f
            xnew = damping * (flow + x[dangling].sum() * p) + (1 - damping) * p
            err = float(np.abs(xnew - x).sum())
            x = xnew
            if progress:
                progress(f"pagerank iteration {it} (L1 change {err:.2e})")
            if err < tol:
                break
    finally:
        if blocks is not None:
            blocks.unpersist()
    if not err < tol:
        raise ConvergenceError("pagerank", max_iter, tol)
    return x, it


def _flow(block, xs):
    """The rank flowing into each of the block's targets (``xs``: ranks / out-weights)."""
    vals = xs[block["other"]]
    if block["w"] is not None:
        vals = vals * block["w"]
    return np.add.reduceat(vals, block["starts"])


def rank_table(graph: SparkGraph, score: np.ndarray, top: int | None = None):
    """The local engine's Ranking table (``rank, user, score`` and the interactions each
    user received) for ``score``: sorted by score descending, then id; the first ``top``."""
    import pandas as pd

    n = score.shape[0]
    neg = -np.asarray(score, dtype=np.float64)
    if top is None or top >= n:
        cand = np.arange(n)
    elif top == 0:
        cand = np.empty(0, dtype=np.int64)
    else:
        kth = np.partition(neg, top - 1)[top - 1]
        cand = np.flatnonzero(neg <= kth)
    ids = ids_of(graph, cand)
    order = np.lexsort((ids.astype(str), neg[cand]))
    if top is not None:
        order = order[:top]
    chosen, users = cand[order], ids[order]
    data = {"rank": np.arange(1, chosen.shape[0] + 1, dtype=np.int64), "user": users,
            "score": score[chosen]}
    counts = _received(graph, chosen)
    named = dict(_NAMED)
    for t, col in _NAMED:
        data[col] = counts.get(t, np.zeros(chosen.shape[0], dtype=np.int64))
    for t in graph.types:
        if t not in named:
            data[f"received_{t}"] = counts[t]
    return pd.DataFrame(data)


def _received(graph: SparkGraph, chosen: np.ndarray) -> dict:
    """Interactions of each type received by the users at ``chosen`` (rows, not pairs)."""
    from pyspark.sql import functions as F

    if chosen.size == 0:
        return {t: np.zeros(0, dtype=np.int64) for t in graph.types}
    ids = graph.ids.select(F.col("user").alias("target"), "node")
    if chosen.size < graph.n_nodes:
        spark = graph.ids.sparkSession
        want = arrow_frame(spark, node=np.asarray(chosen, dtype=np.int64))
        ids = ids.join(F.broadcast(want), "node")
    if chosen.size <= BROADCAST_CHOSEN:
        # the chosen users' ids are a small table, broadcast: the rows are only filtered
        # where they lie, with no shuffle of every row to join it with every id
        ids = F.broadcast(ids)
    rows = graph.source.frame.join(ids, "target")
    got = rows.groupBy("node", "type").agg(F.count(F.lit(1)).alias("c")).collect()
    where = {int(c): i for i, c in enumerate(chosen)}
    out = {t: np.zeros(chosen.shape[0], dtype=np.int64) for t in graph.types}
    for r in got:
        out[r["type"]][where[int(r["node"])]] = int(r["c"])
    return out


def pagerank(graph: SparkGraph, **kwargs):
    """PageRank as a Spark DataFrame ``user, score`` (see :func:`pagerank_scores`)."""
    import pandas as pd
    from pyspark.sql import functions as F

    x, _ = pagerank_scores(graph, **kwargs)
    spark = graph.ids.sparkSession
    scores = spark.createDataFrame(pd.DataFrame({"node": np.arange(x.shape[0]), "score": x}))
    return graph.ids.join(scores, "node").select("user", "score").orderBy(
        F.col("score").desc(), F.col("user"))
