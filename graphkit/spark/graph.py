"""User ids -> contiguous ints on the cluster, and the merged weighted edge list.

Ids get positions 0..n-1 without a driver round trip per id and without a single
partition: each partition numbers its ids with ``monotonically_increasing_id`` (partition
in the high bits, row in the low 33 bits) and one small job gives each partition its
offset. Positions are arbitrary; every output breaks ties by id, as locally.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SparkGraph", "index_graph", "edge_partitions", "positions_of", "ids_of", "MAX_BROADCAST_NODES"]

#: Past this many users the driver-side vectors (8 bytes a user, a few of them) no longer
#: fit comfortably on a default driver; the engine refuses with the size instead.
MAX_BROADCAST_NODES = 400_000_000


@dataclass(frozen=True, eq=False)
class SparkGraph:
    """The attention graph on the cluster.

    ``ids`` is a DataFrame ``user`` (string), ``node`` (long, 0..n-1); ``edges`` is
    ``src, dst`` (long) and ``weight`` (double: the type-weighted interaction sum of the
    pair, as :attr:`graphkit.graph.SocialGraph.weight`), one row per distinct pair.
    """

    ids: object
    edges: object
    n_nodes: int
    n_edges: int
    types: tuple
    source: object  # the SparkEdges it came from
    #: ``edges`` is hash-partitioned by ``dst`` into this many partitions (0: unknown), so
    #: PageRank groups it by target without another shuffle
    dst_partitions: int = 0

    def unpersist(self) -> None:
        for df in (self.ids, self.edges):
            try:
                df.unpersist()
            except Exception:  # noqa: BLE001
                pass


def index_graph(edges) -> SparkGraph:
    """Number the users of ``edges`` (a :class:`SparkEdges`) and merge repeated pairs.

    Examples
    --------
    >>> g = index_graph(read_edges(spark, "data/example.csv"))  # doctest: +SKIP
    >>> g.n_nodes  # doctest: +SKIP
    10
    """
    from pyspark.sql import functions as F

    users = edges.users.select("user")
    mono = users.withColumn("_m", F.monotonically_increasing_id()).persist()
    part = F.shiftright(F.col("_m"), 33)  # the partition: the id's high bits
    parts = (mono.groupBy(part.alias("_p"))
             .agg(F.count(F.lit(1)).alias("_c")).collect())
    parts = sorted((int(r["_p"]), int(r["_c"])) for r in parts)
    n = sum(c for _, c in parts)
    if n > MAX_BROADCAST_NODES:
        raise MemoryError(f"{n:,} users: past the Spark engine's driver-side limit "
                          f"({MAX_BROADCAST_NODES:,})")
    offsets = np.cumsum([0] + [c for _, c in parts])[:-1]
    # each partition's offset, looked up from a literal map (no join, no extra job); ids is
    # cached by the job that merges the pairs below, its first use
    offset = F.create_map(*[F.lit(x) for (p, _), o in zip(parts, offsets)
                            for x in (int(p), int(o))]) if parts else F.create_map()
    row = F.col("_m").bitwiseAND(F.lit((1 << 33) - 1))  # the row within the partition
    ids = mono.select("user", (offset[part] + row).alias("node"))
    ids = ids.persist()
    w = edges.weighted()
    src = ids.select(F.col("user").alias("source"), F.col("node").alias("src"))
    dst = ids.select(F.col("user").alias("target"), F.col("node").alias("dst"))
    # one shuffle, by target: the pairs are merged there and stay partitioned so
    p = edge_partitions(mono.sparkSession.sparkContext, edges.rows)
    merged = (w.join(src, "source").join(dst, "target").repartition(p, "dst")
              .groupBy("src", "dst").agg(F.sum("weight").alias("weight"))
              .persist())
    m = merged.count()
    mono.unpersist()
    return SparkGraph(ids, merged, n, m, edges.types, edges, p)


def edge_partitions(sc, n_edges: int) -> int:
    """Partitions for ``n_edges`` pairs: the default parallelism, at most ~4M pairs each."""
    return int(max(sc.defaultParallelism, n_edges // 4_000_000 + 1))


def positions_of(graph: SparkGraph, users) -> tuple[np.ndarray, list]:
    """Positions of ``users`` (ids) and the list of ids not in the graph."""
    from pyspark.sql import functions as F

    users = [str(u) for u in users]
    if not users:
        return np.empty(0, dtype=np.int64), []
    spark = graph.ids.sparkSession
    want = spark.createDataFrame([(u,) for u in dict.fromkeys(users)], "user string")
    found = dict((r["user"], int(r["node"])) for r in
                 graph.ids.join(F.broadcast(want), "user").collect())
    missing = [u for u in dict.fromkeys(users) if u not in found]
    pos = np.asarray([found[u] for u in users if u in found], dtype=np.int64)
    return pos, missing


def ids_of(graph: SparkGraph, positions) -> np.ndarray:
    """The ids (object array of str) of ``positions``, fetched from the cluster."""
    from pyspark.sql import functions as F

    positions = np.asarray(positions, dtype=np.int64)
    if positions.size == 0:
        return np.empty(0, dtype=object)
    if positions.size > 5_000_000:
        rows = graph.ids.collect()
    else:
        spark = graph.ids.sparkSession
        want = spark.createDataFrame([(int(p),) for p in np.unique(positions)], "node long")
        rows = graph.ids.join(F.broadcast(want), "node").collect()
    lookup = {int(r["node"]): r["user"] for r in rows}
    return np.asarray([lookup[int(p)] for p in positions], dtype=object)
