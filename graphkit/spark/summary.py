"""The per-community summary of a :class:`SparkPartition`, computed on the cluster.

The same table as the local :meth:`graphkit.communities.Partition.summarize` (same
columns, definitions, ordering and ties). The pair sums per user (degree, weight into its
own community, participation, pairs inside) come with the partition
(:attr:`SparkPartition.vectors`, summed on the cluster by the job that computes
modularity); what is left on the cluster is one pass over the rows (interaction types
between members, the membership broadcast to them) and PageRank inside the communities
-- unless the partition collected the rows and the edges while Leiden ran
(:attr:`SparkPartition.collected`): then both come from those arrays on the driver.
"""

from __future__ import annotations

import math

import numpy as np

from .._threads import in_background
from .communities import SparkPartition
from .graph import BROADCAST_IDS, SparkGraph, arrow_frame, ids_of
from .propagation import adjacency_blocks, node_sums, ordinals

__all__ = ["community_summary", "community_vector"]


def _vector(table, key: str, value: str, n: int, dtype=np.float64, fill=0) -> np.ndarray:
    out = np.full(n, fill, dtype=dtype)
    out[table.column(key).to_numpy()] = table.column(value).to_numpy()
    return out


def community_vector(part: SparkPartition) -> np.ndarray:
    """The community of every user position (``graph.ids.node``), on the driver."""
    graph = part.graph
    if part.vectors is not None:
        return part.vectors["community"]
    t = part.membership.join(graph.ids, "user").select("node", "community").toArrow()
    return _vector(t, "node", "community", graph.n_nodes, np.int64, -1)


def _vectors(part: SparkPartition) -> dict:
    """The per-user vectors of :attr:`SparkPartition.vectors`, for a partition made
    without them: its membership, the id ranks and the pair sums, from the cluster."""
    graph = part.graph
    comm = community_vector(part)
    order = ordinals(graph)
    by_ord = np.empty(graph.n_nodes, dtype=np.int64)
    by_ord[order] = comm
    blocks, _ = adjacency_blocks(graph, order, part.weighted)
    try:
        sums = node_sums(blocks, by_ord, graph.n_nodes)
    finally:
        blocks.unpersist()
    out = {"community": comm, "ordinal": order}
    out.update((name, v[order]) for name, v in sums.items())
    return out


def _type_counts(part: SparkPartition, k: int, comm: np.ndarray):
    """Interactions (rows) of each type whose two users share a community: from the rows
    collected while Leiden ran (:attr:`SparkPartition.collected`), else one pass over
    the rows, the membership broadcast to them (hash joins by id where the rows lie)."""
    from pyspark.sql import functions as F

    graph = part.graph
    types = list(graph.types)
    rows = (part.collected or {}).get("rows")
    if rows is not None:
        s, d, t = rows
        cs = comm[s]
        inside = cs == comm[d]
        tc = np.bincount(cs[inside] * len(types) + t[inside], minlength=k * len(types))
        return tc.reshape(k, len(types)), types
    small = graph.n_nodes <= BROADCAST_IDS

    def side(user, c):
        df = part.membership.select(F.col("user").alias(user), F.col("community").alias(c))
        return F.broadcast(df) if small else df

    rows = (graph.source.frame.join(side("source", "ca"), "source")
            .join(side("target", "cb"), "target")
            .filter(F.col("ca") == F.col("cb"))
            .groupBy("ca", "type").agg(F.count(F.lit(1)).alias("n")).toArrow())
    tc = np.zeros((k, len(types)), dtype=np.int64)
    if rows.num_rows:
        at = {t: i for i, t in enumerate(types)}
        col = np.array([at[t] for t in rows.column("type").to_pylist()], dtype=np.int64)
        tc[rows.column("ca").to_numpy(), col] = rows.column("n").to_numpy()
    return tc, types


def _member_pagerank(part: SparkPartition, comm: np.ndarray, m_in: int) -> np.ndarray:
    """PageRank inside each community (tol 1e-10), by position: the edges between
    members (``m_in`` of them), the community vector broadcast to them. Up to the
    partition's driver limit (Leiden's, 20M by default) or PageRank's own, whichever is
    larger, the edges are collected and iterated on the driver (~40 bytes an edge): one
    job instead of one an iteration (tol 1e-10 takes ~50-100). Edges the partition
    collected while Leiden ran (:attr:`SparkPartition.collected`) need no job at all,
    and the scores may already be on their way (``collected["pagerank"]``)."""
    from pyspark.sql import functions as F

    from .link_analysis import driver_edges_or, pagerank_scores, pagerank_within

    graph = part.graph
    n = graph.n_nodes
    if not m_in:
        return np.zeros(n)
    collected = part.collected or {}
    if "pagerank" in collected:  # started by detect_communities once Leiden had ended
        return collected["pagerank"]()
    if "edges" in collected:  # collected while Leiden ran: the same pairs, in the same order
        return pagerank_within(graph, collected["edges"], comm, part.weighted)
    cdf = arrow_frame(graph.ids.sparkSession, node=np.arange(n, dtype=np.int64), c=comm)

    def side(node, c):
        df = cdf.select(F.col("node").alias(node), F.col("c").alias(c))
        return F.broadcast(df) if n <= BROADCAST_IDS else df

    inner = (graph.edges.join(side("src", "ca"), "src").join(side("dst", "cb"), "dst")
             .filter(F.col("ca") == F.col("cb")).select("src", "dst", "weight"))
    sub = SparkGraph(graph.ids, inner, n, m_in, graph.types, graph.source)
    limit = driver_edges_or(graph.ids.sparkSession, part.details.get("driver_limit", 0))
    score, _ = pagerank_scores(sub, weighted=part.weighted, tol=1e-10, driver_limit=limit)
    return score


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

    graph: SparkGraph = part.graph
    n, k = graph.n_nodes, part.n_communities
    vec = part.vectors if part.vectors is not None else _vectors(part)
    comm, ordinal = vec["community"], vec["ordinal"]
    s, own, sq = vec["degree"], vec["own"], vec["sq"]
    # pairs inside count at both ends; pairs across once at each end's community
    internal_edges = np.bincount(comm, weights=vec["pairs_in"], minlength=k) / 2
    external_edges = np.bincount(comm, weights=vec["pairs"] - vec["pairs_in"], minlength=k)
    cut = np.bincount(comm, weights=s - own, minlength=k)
    total = float(s.sum()) / 2
    volume = np.bincount(comm, weights=s, minlength=k)
    external = np.maximum(s - own, 0.0)
    score = np.zeros(n)
    np.divide(sq, s, out=score, where=s > 0)
    bridge_score = np.where(external > 0, s - score, 0.0)
    # two independent parts at once: the pass over the rows is a Spark job the driver only
    # waits for, while PageRank inside communities collects its edges and iterates on the
    # driver (10M edges, local[2]: ~20 s and ~18 s, each leaving a core mostly idle);
    # with the rows and edges collected while Leiden ran, neither part runs a job
    type_counts = in_background(_type_counts, part, k, comm)
    member_score = _member_pagerank(part, comm, int(vec["edges_in"].sum()))
    tc, types = type_counts()

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
