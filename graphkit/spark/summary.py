"""The per-community summary of a :class:`SparkPartition`, computed on the cluster.

The same table as the local :meth:`graphkit.communities.Partition.summarize` (same
columns, definitions, ordering and ties): the edge sums run as DataFrame aggregations;
per-user vectors (community, degree, participation, in-community PageRank; 8 bytes a user
each) and the per-community rows come back to the driver.
"""

from __future__ import annotations

import math

import numpy as np

from .communities import SparkPartition, id_ordinals, undirected_pairs
from .graph import SparkGraph, ids_of

__all__ = ["community_summary", "community_vector"]


def _vector(table, key: str, value: str, n: int, dtype=np.float64, fill=0) -> np.ndarray:
    out = np.full(n, fill, dtype=dtype)
    out[table.column(key).to_numpy()] = table.column(value).to_numpy()
    return out


def community_vector(part: SparkPartition) -> np.ndarray:
    """The community of every user position (``graph.ids.node``), on the driver."""
    graph = part.graph
    t = part.membership.join(graph.ids, "user").select("node", "community").toArrow()
    return _vector(t, "node", "community", graph.n_nodes, np.int64, -1)


def _top_per_group(group, score, ordinal, k, n_groups, keep=None):
    cand = np.arange(group.shape[0]) if keep is None else np.flatnonzero(keep)
    order = cand[np.lexsort((ordinal[cand], -score[cand], group[cand]))]
    counts = np.bincount(group[order], minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    rank = np.arange(order.shape[0]) - starts[group[order]]
    picked = order[rank < k]
    return np.split(picked, np.cumsum(np.minimum(counts, k))[:-1]) if n_groups else []


def community_summary(part: SparkPartition, min_size: int = 1, top_members: int = 3,
                      bridges: int = 3):
    """One row per community, as :meth:`graphkit.communities.Partition.summarize`.

    Columns ``community, size, internal_edges, external_edges, density, conductance,
    internal_interactions, dominant_type, top_members, bridges`` (see there); communities
    of fewer than ``min_size`` users are folded into a last row ``community = -1``.
    """
    import pandas as pd
    from pyspark.sql import functions as F

    from .communities import _frame
    from .link_analysis import pagerank_scores

    graph: SparkGraph = part.graph
    spark = graph.ids.sparkSession
    n, k = graph.n_nodes, part.n_communities
    comm = community_vector(part)
    ordt = id_ordinals(graph).toArrow()
    ordinal = _vector(ordt, "node", "ord", n, np.int64)
    cdf = _frame(spark, node=np.arange(n, dtype=np.int64), c=comm).persist()

    # pairs of the undirected projection, each end's community
    pairs = (undirected_pairs(graph, part.weighted)
             .join(cdf.select(F.col("node").alias("u"), F.col("c").alias("cu")), "u")
             .join(cdf.select(F.col("node").alias("v"), F.col("c").alias("cv")), "v")
             .persist())
    per_comm = pairs.groupBy("cu", "cv").agg(F.count(F.lit(1)).alias("m"),
                                            F.sum("w").alias("w")).toArrow()
    cu, cv = per_comm.column("cu").to_numpy(), per_comm.column("cv").to_numpy()
    m, w = per_comm.column("m").to_numpy(), per_comm.column("w").to_numpy()
    same = cu == cv
    internal_edges = np.bincount(cu[same], weights=m[same], minlength=k)
    external_edges = (np.bincount(cu[~same], weights=m[~same], minlength=k)
                      + np.bincount(cv[~same], weights=m[~same], minlength=k))
    cut = (np.bincount(cu[~same], weights=w[~same], minlength=k)
           + np.bincount(cv[~same], weights=w[~same], minlength=k))
    total = float(w.sum())
    # per user: degree, the weight into each community -> participation and bridge score
    ends = pairs.select(F.col("u").alias("node"), F.col("cv").alias("co"), "w").unionByName(
        pairs.select(F.col("v").alias("node"), F.col("cu").alias("co"), "w"))
    per_node = (ends.groupBy("node", "co").agg(F.sum("w").alias("k"))
                .join(cdf, "node")
                .groupBy("node").agg(F.sum("k").alias("s"), F.sum(F.col("k") * F.col("k")).alias("sq"),
                                     F.sum(F.when(F.col("co") == F.col("c"), F.col("k"))
                                           .otherwise(0.0)).alias("own"))
                .toArrow())
    s = _vector(per_node, "node", "s", n)
    sq = _vector(per_node, "node", "sq", n)
    own = _vector(per_node, "node", "own", n)
    volume = np.bincount(comm, weights=s, minlength=k)
    external = np.maximum(s - own, 0.0)
    score = np.zeros(n)
    np.divide(sq, s, out=score, where=s > 0)
    bridge_score = np.where(external > 0, s - score, 0.0)
    pairs.unpersist()

    # interactions (rows, by type) between members, and PageRank inside each community
    rows = (graph.source.frame
            .join(graph.ids.select(F.col("user").alias("source"), F.col("node").alias("a")),
                  "source")
            .join(graph.ids.select(F.col("user").alias("target"), F.col("node").alias("b")),
                  "target")
            .join(cdf.select(F.col("node").alias("a"), F.col("c").alias("ca")), "a")
            .join(cdf.select(F.col("node").alias("b"), F.col("c").alias("cb")), "b")
            .filter(F.col("ca") == F.col("cb"))
            .groupBy("ca", "type").agg(F.count(F.lit(1)).alias("n")).collect())
    types = list(graph.types)
    tc = np.zeros((k, len(types)), dtype=np.int64)
    for r in rows:
        tc[int(r["ca"]), types.index(r["type"])] = int(r["n"])
    inner = (graph.edges.join(cdf.select(F.col("node").alias("src"), F.col("c").alias("ca")), "src")
             .join(cdf.select(F.col("node").alias("dst"), F.col("c").alias("cb")), "dst")
             .filter(F.col("ca") == F.col("cb")).select("src", "dst", "weight").persist())
    m_in = inner.count()
    if m_in:
        sub = SparkGraph(graph.ids, inner, n, m_in, graph.types, graph.source)
        member_score, _ = pagerank_scores(sub, weighted=part.weighted, tol=1e-10)
    else:
        member_score = np.zeros(n)
    inner.unpersist()
    cdf.unpersist()

    size = np.bincount(comm, minlength=k)
    top = _top_per_group(comm, member_score, ordinal, top_members, k)
    brg = _top_per_group(comm, bridge_score, ordinal, bridges, k, keep=bridge_score > 0)
    wanted = np.unique(np.concatenate([np.zeros(0, dtype=np.int64)] + top + brg))
    names = dict(zip(wanted.tolist(), ids_of(graph, wanted).tolist()))
    pair_count = size.astype(np.float64) * (size - 1) / 2.0
    density = np.full(k, np.nan)
    np.divide(internal_edges, pair_count, out=density, where=pair_count > 0)
    den = np.minimum(volume, 2.0 * total - volume)
    conductance = np.zeros(k)
    np.divide(cut, den, out=conductance, where=(cut > 0) & (den > 0))
    type_arr = np.array(types + [None], dtype=object)
    dominant = np.where(tc.sum(axis=1) > 0, tc.argmax(axis=1), len(types))
    df = pd.DataFrame({
        "community": np.arange(k, dtype=np.int64),
        "size": size.astype(np.int64),
        "internal_edges": internal_edges.astype(np.int64),
        "external_edges": external_edges.astype(np.int64),
        "density": density,
        "conductance": conductance,
        "internal_interactions": tc.sum(axis=1).astype(np.int64),
        "dominant_type": type_arr[dominant],
        "top_members": [[names[int(i)] for i in t] for t in top],
        "bridges": [[names[int(i)] for i in b] for b in brg],
    })
    small = size < min_size
    if not small.any():
        return df
    tcs = tc[small].sum(axis=0)
    pairs_small = float(pair_count[small].sum())
    other = {
        "community": -1, "size": int(size[small].sum()),
        "internal_edges": int(internal_edges[small].sum()),
        "external_edges": int(external_edges[small].sum()),
        "density": float(internal_edges[small].sum()) / pairs_small if pairs_small else math.nan,
        "conductance": math.nan, "internal_interactions": int(tcs.sum()),
        "dominant_type": types[int(tcs.argmax())] if tcs.sum() > 0 else None,
        "top_members": [], "bridges": [],
    }
    out = pd.concat([df[~small].reset_index(drop=True), pd.DataFrame([other])],
                    ignore_index=True)
    return out.astype({"community": np.int64, "size": np.int64, "internal_edges": np.int64,
                       "external_edges": np.int64, "internal_interactions": np.int64})
