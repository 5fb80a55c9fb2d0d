"""The graph of a Spark edge set on the driver, and its influence CSR broadcast to executors.

Cascades and RR sets need random access to the whole influence graph in every task, so
the Spark engine's ``simulate`` and ``select_seeds`` work on a broadcast CSR: the rows are
merged on the cluster (one row per distinct pair, with its count of each interaction type
and its weight), collected once, and the driver builds the very
:class:`~graphkit.graph.SocialGraph` the local engine would, then the influence graph with
the local weighting code (:func:`graphkit.influence_graph`: the direction flip lives there
only).

Users are numbered with the local reader's own rule (:func:`graphkit.io.sniff.map_ids`)
applied to the ids in sorted order: numeric order when every id is a canonical integer
(as the local reader: positions, CSR and random streams are then identical to the local
engine's), otherwise sorted id order (the local reader uses first appearance in the file,
which Spark does not keep: the graph is the same up to a renumbering, so results agree in
distribution and exactly across Spark partitionings).

A graph too large to broadcast is refused with its size, before anything is collected:
the limit is ``max_broadcast`` bytes, or the Spark setting ``spark.graphkit.maxBroadcast``
(e.g. ``--spark-conf spark.graphkit.maxBroadcast=8g``), default 2 GiB.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import InputError

__all__ = ["social_graph", "influence_of", "broadcast_graph", "broadcast_bytes",
           "MAX_BROADCAST_CONF", "DEFAULT_MAX_BROADCAST", "parse_size"]

#: The Spark setting holding the broadcast limit (bytes, or a size such as ``8g``).
MAX_BROADCAST_CONF = "spark.graphkit.maxBroadcast"
#: The default limit: 2 GiB.
DEFAULT_MAX_BROADCAST = 2 * 2**30


def parse_size(text) -> float:
    """Bytes of a size: a number, or text such as ``512m``, ``2g``, ``1.5GB``.

    >>> parse_size("2g"), parse_size("512M"), parse_size(1000)
    (2147483648.0, 536870912.0, 1000.0)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        t = str(text).strip().upper().removesuffix("B").removesuffix("I")
        mult = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(t[-1:], 1)
        try:
            value = float(t[:-1] if mult > 1 else t) * mult
        except ValueError:
            value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"expected a size such as 512m or 8g, got {text!r}")
    return value


def broadcast_bytes(n_users: int, n_edges: int) -> int:
    """Bytes of the influence CSR every executor holds: both directions' pointers (8 bytes
    a user each), neighbours (4 bytes an edge each), probabilities (8 each) and the edge
    map (8), plus one byte a user."""
    return int(17 * (n_users + 1) + 32 * n_edges)


def _limit(spark, max_broadcast) -> tuple[float, str]:
    if max_broadcast is not None:
        return parse_size(max_broadcast), "max_broadcast"
    conf = spark.conf.get(MAX_BROADCAST_CONF, None)
    if conf is None:
        return float(DEFAULT_MAX_BROADCAST), f"the default; set {MAX_BROADCAST_CONF}"
    try:
        return parse_size(conf), MAX_BROADCAST_CONF
    except ValueError as exc:
        raise InputError(f"{MAX_BROADCAST_CONF}: {exc}") from None


def social_graph(edges, *, max_broadcast=None, progress=None):
    """The :class:`~graphkit.graph.SocialGraph` of ``edges`` (a :class:`SparkEdges`), on
    the driver.

    Raises
    ------
    InputError
        The influence graph would be larger than the broadcast limit (the message gives
        both sizes and how to raise the limit).

    Examples
    --------
    >>> g = social_graph(read_edges(spark, "data/example.csv"))  # doctest: +SKIP
    >>> g.n_nodes, g.n_edges  # doctest: +SKIP
    (10, 26)
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyspark.sql import functions as F

    from ..graph import SocialGraph
    from ..io.sniff import map_ids

    spark = edges.frame.sparkSession
    limit, limit_text = _limit(spark, max_broadcast)
    types = tuple(edges.types)
    cols = [F.count(F.lit(1)).alias("_rows")]
    for i, t in enumerate(types):
        is_t = F.col("type") == F.lit(t)
        cols.append(F.sum(F.when(is_t, 1).otherwise(0)).cast("int").alias(f"_c{i}"))
        cols.append(F.sum(F.when(is_t, F.col("weight")).otherwise(0.0)).alias(f"_w{i}"))
    pairs = edges.frame.groupBy("source", "target").agg(*cols).persist()
    try:
        if progress is not None:
            progress("merging repeated pairs on Spark")
        m = pairs.count()
        n = edges.users.count()
        need = broadcast_bytes(n, m)
        if need > limit:
            from ..seeds import format_bytes

            raise InputError(
                f"the influence graph ({n:,} users, {m:,} edges) needs about "
                f"{format_bytes(need)} in the driver and in every executor, over the broadcast "
                f"limit of {format_bytes(limit)} ({limit_text}); raise it with --spark-conf "
                f"{MAX_BROADCAST_CONF}=SIZE if the executors have the memory")
        if progress is not None:
            progress(f"collecting {m:,} edges to the driver")
        users = edges.users.toArrow().column("user").combine_chunks()
        table = pairs.toArrow()
    finally:
        pairs.unpersist()
    users = users.take(pc.array_sort_indices(users))  # code point order, as graph.id_order
    (codes,), node_ids = map_ids([users.cast(pa.string())])
    src = _positions(table.column("source"), users, codes)
    dst = _positions(table.column("target"), users, codes)
    order = np.argsort(src * n + dst)  # the pairs are distinct: one order, any sort
    src, dst = src[order], dst[order]
    counts = np.empty((m, len(types)), dtype=np.int32)
    tw = _type_weights(types, edges.type_weights)
    weight = np.zeros(m, dtype=np.float64)
    for i in range(len(types)):
        counts[:, i] = table.column(f"_c{i}").to_numpy()[order]
        weight += tw[i] * table.column(f"_w{i}").to_numpy()[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    stats = {"rows": int(edges.rows), "merged_rows": int(edges.rows - edges.self_loops - m),
             "files": list(edges.paths)}
    return SocialGraph(node_ids, indptr, dst.astype(np.int32), weight, counts, types, tw, stats)


def _positions(column, users, codes) -> np.ndarray:
    """The graph positions of the ids of ``column``: each id's place among the sorted
    ``users`` (Arrow's hash lookup: ~1 s for 10M ids, where a pandas index of Python
    strings took ~7 s), then that user's code."""
    import pyarrow.compute as pc

    at = pc.index_in(column, value_set=users.cast(column.type))
    if at.null_count:  # pragma: no cover - every row's users are in edges.users
        raise InputError("an edge names a user Spark did not list")
    return codes[at.to_numpy()].astype(np.int64)


def _type_weights(types, type_weights) -> np.ndarray:
    tw = np.ones(len(types), dtype=np.float64)
    for t, v in (type_weights or {}).items():
        if t in types:
            tw[types.index(t)] = float(v)
    return tw


def influence_of(graph, prob=None, *, type_probs=None, rng=None, max_broadcast=None,
                 progress=None):
    """``(InfluenceGraph, SocialGraph or None)`` for what the Spark functions accept: a
    :class:`SparkEdges` or :class:`SparkGraph` (collected with :func:`social_graph`), a
    SocialGraph (``prob``, default ``wc``) or an InfluenceGraph (``prob`` must be None)."""
    from ..graph import SocialGraph
    from ..weighting import InfluenceGraph, as_influence_graph
    from .edges import SparkEdges
    from .graph import SparkGraph

    if isinstance(graph, SparkGraph):
        graph = graph.source
    if isinstance(graph, SparkEdges):
        graph = social_graph(graph, max_broadcast=max_broadcast, progress=progress)
    if isinstance(graph, InfluenceGraph):
        return as_influence_graph(graph, prob), None
    if not isinstance(graph, SocialGraph):
        raise TypeError("graph must be SparkEdges, a SparkGraph, a SocialGraph or an "
                        f"InfluenceGraph, not {type(graph).__name__}")
    build = {"type_probs": type_probs} if type_probs else {}
    if rng is not None:
        build["rng"] = rng
    return as_influence_graph(graph, prob, **build), graph


def broadcast_graph(sc, ig, *, max_broadcast=None):
    """Broadcast ``ig`` without its ids (they stay on the driver; executors work on
    positions). Refused with the size when over the limit. Call ``.destroy()`` after."""
    from pyspark.sql import SparkSession

    need = broadcast_bytes(ig.n_nodes, ig.n_edges)
    limit, limit_text = _limit(SparkSession.getActiveSession() or _session(sc), max_broadcast)
    if need > limit:
        from ..seeds import format_bytes

        raise InputError(
            f"the influence graph ({ig.n_nodes:,} users, {ig.n_edges:,} edges) needs about "
            f"{format_bytes(need)} in every executor, over the broadcast limit of "
            f"{format_bytes(limit)} ({limit_text}); raise it with --spark-conf "
            f"{MAX_BROADCAST_CONF}=SIZE if the executors have the memory")
    light = dataclasses.replace(ig, node_ids=np.zeros(ig.n_nodes, dtype=np.uint8), report={})
    return sc.broadcast(light)


def _session(sc):
    from pyspark.sql import SparkSession

    return SparkSession(sc)
