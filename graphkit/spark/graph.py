"""User ids -> contiguous ints on the cluster, and the merged weighted edge list.

Ids get positions 0..n-1 without a driver round trip per id and without a single
partition: each partition numbers its ids with ``monotonically_increasing_id`` (partition
in the high bits, row in the low 33 bits) and one small job gives each partition its
offset. Positions are arbitrary; every output breaks ties by id, as locally.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SparkGraph", "index_graph", "edge_partitions", "positions_of", "ids_of", "typed_rows",
           "arrow_frame", "MAX_BROADCAST_NODES"]

#: Past this many users the driver-side vectors (8 bytes a user, a few of them) no longer
#: fit comfortably on a default driver; the engine refuses with the size instead.
MAX_BROADCAST_NODES = 400_000_000
#: Up to this many users the id table (~60 bytes a user in Spark's hash relation) is
#: broadcast to the tasks that number the edges: every row looks its two ids up where it
#: lies, instead of two shuffles and sorts of all the rows by id (sort-merge joins).
BROADCAST_IDS = 4_000_000


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
    if n <= BROADCAST_IDS:
        src, dst = F.broadcast(src), F.broadcast(dst)
    # one shuffle, by target: the pairs are merged there and stay partitioned so
    p = edge_partitions(mono.sparkSession.sparkContext, edges.rows)
    merged = (w.join(src, "source").join(dst, "target").repartition(p, "dst")
              .groupBy("src", "dst").agg(F.sum("weight").alias("weight"))
              .persist())
    m = merged.count()
    mono.unpersist()
    return SparkGraph(ids, merged, n, m, edges.types, edges, p)


def edge_partitions(sc, n_edges: int) -> int:
    """Partitions for ``n_edges`` pairs: at most ~4M pairs each, rounded up to a multiple
    of the default parallelism (the cores), so that every wave of tasks keeps every core
    busy (3 partitions on 2 cores would leave one core idle for a third of each job).

    >>> class SC: defaultParallelism = 2
    >>> [edge_partitions(SC, m) for m in (1_000, 4_000_000, 10_000_000, 30_000_000)]
    [2, 2, 4, 8]
    """
    cores = max(int(sc.defaultParallelism), 1)
    need = n_edges // 4_000_000 + 1
    return int(-(-need // cores) * cores)


def pairs_setting(key: str, value, default: int, kept: str, unit: str = "pairs") -> int:
    """A ``spark.graphkit.*.driverEdges`` setting: the pairs (or other ``unit``) up to
    which a step collects its data and runs on the driver, from the setting's text
    (``None``: ``default``); ``ValueError`` naming the setting and what 0 keeps on the
    cluster otherwise."""
    if value is None:
        return default
    try:
        limit = int(str(value).strip())
    except ValueError:
        limit = -1
    if limit < 0:
        raise ValueError(f"{key} must be a whole number of {unit} (0 keeps {kept} on the "
                         f"cluster), got {value!r}")
    return limit


def arrow_frame(spark, **columns):
    """A small Spark DataFrame of columns (numpy arrays or lists) sent through Arrow: the
    JVM reads it directly, no Python worker has to start (``createDataFrame`` of Python
    rows pickles them and needs one)."""
    import pyarrow as pa

    table = pa.table({k: pa.array(v) for k, v in columns.items()})
    try:
        return spark.createDataFrame(table)  # pyspark >= 4 takes Arrow tables
    except TypeError:  # pragma: no cover - older pyspark
        return spark.createDataFrame(table.to_pandas())


def typed_rows(graph: SparkGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every interaction row of ``graph.source`` collected to the driver as ``(source
    position, target position, index of its type in graph.types)``, int32 (12 bytes a
    row): the id table joined to the rows where they lie, broadcast up to
    :data:`BROADCAST_IDS` users."""
    from pyspark.sql import functions as F

    def side(user, node):
        df = graph.ids.select(F.col("user").alias(user), F.col("node").cast("int").alias(node))
        return F.broadcast(df) if graph.n_nodes <= BROADCAST_IDS else df

    index = F.create_map(*[F.lit(x) for i, t in enumerate(graph.types) for x in (t, i)])
    table = (graph.source.frame.join(side("source", "s"), "source")
             .join(side("target", "d"), "target")
             .select("s", "d", index[F.col("type")].cast("int").alias("t")).toArrow())
    s, d, t = (table.column(i).to_numpy() for i in range(3))
    return s, d, t


def positions_of(graph: SparkGraph, users) -> tuple[np.ndarray, list]:
    """Positions of ``users`` (ids) and the list of ids not in the graph."""
    from pyspark.sql import functions as F

    users = [str(u) for u in users]
    if not users:
        return np.empty(0, dtype=np.int64), []
    spark = graph.ids.sparkSession
    want = arrow_frame(spark, user=np.asarray(list(dict.fromkeys(users)), dtype=object))
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
        want = arrow_frame(spark, node=np.unique(positions).astype(np.int64))
        rows = graph.ids.join(F.broadcast(want), "node").collect()
    lookup = {int(r["node"]): r["user"] for r in rows}
    return np.asarray([lookup[int(p)] for p in positions], dtype=object)
