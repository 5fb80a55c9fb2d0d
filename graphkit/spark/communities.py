"""Communities on Spark: label propagation on the cluster, then Leiden on the driver.

The graph is the local engine's undirected projection (a pair ``{u, v}`` weighs
``w(u -> v) + w(v -> u)``, or 1 when unweighted), kept on the cluster as cached numpy
blocks grouped by user (:mod:`graphkit.spark.propagation`). Users are numbered by their
id's rank in sorted id order, so every tie below breaks by id and nothing depends on how
Spark partitions the data.

1. **Label propagation** (Raghavan et al.), semi-synchronous, on the cluster: each
   user starts with its own label; every round each user's best label is the one with
   the largest summed pair weight among its neighbours, its own current label voting
   with the weight of its heaviest pair. Ties go to the smallest :func:`tie_key` of
   (seed, round, user, label), then the smallest label: a seeded pseudo-random pick,
   the same on every partitioning (breaking ties by the smallest label alone makes the
   first round, where every label ties, spread the smallest label over whole connected
   components). A seeded half of the users (``tie_key(seed, round, user, -1)`` even)
   takes its best label each round: when all move at once, neighbours can swap labels
   forever. It stops when no user's best label differs from its own (converged) or
   after ``max_iter`` rounds; before Leiden, after ``coarsen_rounds`` (3): more rounds
   let a few labels flood a heavy-tailed graph.
2. **Contraction**: one node per label group, pair weights summed (pairs inside a group
   become self-loops, so modularity is unchanged).
3. **Leiden** (igraph, the local engine's ``community_leiden(objective_function=
   "modularity", n_iterations=2)``) on the contracted graph, on the driver, when it has at
   most ``driver_limit`` pairs; the groups it merges are mapped back to users.
   ``method="lpa"`` stops after step 1 (everything on the cluster).

Modularity is computed on the cluster (per-user sums over the blocks, one job), with the
local engine's formula; the same sums feed the summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._progress import Progress
from .._rng import RngLike
from .._threads import in_background
from ..errors import EmptyGraphError, InputError
from .graph import SparkGraph, arrow_frame, pairs_setting, typed_rows
from .leiden import leiden_groups
from .link_analysis import pagerank_within, sorted_edges
from .propagation import MAX_LPA_ITERATIONS, label_propagation, tie_key

__all__ = ["SparkPartition", "detect_communities", "modularity", "METHODS", "DRIVER_LIMIT",
           "COARSEN_ROUNDS", "DRIVER_EDGES", "DRIVER_EDGES_CONF", "parse_driver_edges",
           "undirected_pairs", "id_ordinals", "label_propagation", "tie_key"]

#: The methods :func:`detect_communities` accepts.
METHODS = ("leiden", "lpa")

#: Label-propagation rounds before Leiden (see :func:`detect_communities`).
COARSEN_ROUNDS = 3

#: Largest contracted graph (pairs) Leiden runs on in the driver by default: igraph holds
#: ~60 bytes a pair (edge list, weights, Leiden's work arrays), so 20M pairs is ~1.2 GB.
DRIVER_LIMIT = 20_000_000

#: Up to this many edges (distinct pairs of users) the graph is collected once and label
#: propagation, the contraction and the sums run on the driver (~60 bytes an edge): one
#: job instead of one a step, and no Python workers to start.
DRIVER_EDGES = 2_000_000
#: The Spark setting that overrides :data:`DRIVER_EDGES` (0: always on the cluster).
DRIVER_EDGES_CONF = "spark.graphkit.communities.driverEdges"


def parse_driver_edges(value) -> int:
    """The edges up to which communities are found on the driver, from a setting's text
    (``None``: :data:`DRIVER_EDGES`); ``ValueError`` naming the setting otherwise.

    >>> parse_driver_edges(None), parse_driver_edges("0"), parse_driver_edges(" 5000000 ")
    (2000000, 0, 5000000)
    """
    return pairs_setting(DRIVER_EDGES_CONF, value, DRIVER_EDGES, "label propagation")


@dataclass(frozen=True, eq=False)
class SparkPartition:
    """Communities found on Spark.

    Attributes
    ----------
    membership : pyspark.sql.DataFrame
        ``user`` (string), ``community`` (long): communities numbered by size, 0 the
        largest, equal sizes ordered by their smallest member id (as locally).
    modularity : float
        Modularity at ``resolution`` on the undirected projection, computed on the cluster.
    sizes : numpy.ndarray
        Users in each community (non-increasing), on the driver.
    method : str
        ``"leiden"`` or ``"lpa"``.
    resolution, seed, weighted
        As given.
    details : dict
        ``lpa_iterations``, ``lpa_converged``, ``lpa_groups`` (label groups after
        propagation), ``contracted_pairs``, ``leiden`` (``"driver"``, or why it was
        skipped) and ``driver_limit``.
    """

    membership: object
    modularity: float
    sizes: np.ndarray
    method: str
    resolution: float
    seed: int | None
    weighted: bool
    details: dict = field(default_factory=dict, repr=False)
    graph: SparkGraph | None = field(default=None, repr=False)
    #: Per-user numpy vectors on the driver, by position (``graph.ids.node``):
    #: ``community``, ``ordinal`` (the rank of the id) and the sums of
    #: :func:`graphkit.spark.propagation.node_sums` (what the summary needs).
    vectors: dict | None = field(default=None, repr=False)
    #: What the summary needs that does not depend on the communities, collected to the
    #: driver while Leiden ran (``collect_for_summary=True``): ``rows`` (every
    #: interaction's source and target positions and type index, for the interaction
    #: types inside communities) and ``edges`` (every pair ``(dst, src, weight)`` sorted
    #: by (dst, src), for PageRank inside communities), and then ``pagerank`` (a function
    #: that waits for those scores, computed on a helper thread from the moment the
    #: communities were known); None when nothing was collected.
    collected: dict | None = field(default=None, repr=False)

    #: As the local Partition's (one run, no stability): the CLI prints both alike.
    stability = None
    runs = 1

    @property
    def n_communities(self) -> int:
        return int(self.sizes.shape[0])

    def summarize(self, min_size: int = 1, top_members: int = 3, bridges: int = 3):
        """The per-community summary (pandas), computed on the cluster: the columns and
        definitions of :meth:`graphkit.communities.Partition.summarize`."""
        from .summary import community_summary

        return community_summary(self, min_size, top_members, bridges)

    def table(self):
        """The membership as a pandas DataFrame ``user, community`` sorted by community,
        then user (what ``graphkit communities -o`` writes); collected to the driver."""
        import pandas as pd
        from pyspark.sql import functions as F

        if self.vectors is None or self.graph is None:
            got = self.membership.orderBy(F.col("community"), F.col("user")).toArrow()
            return pd.DataFrame({"user": np.asarray(got.column("user").to_pylist(),
                                                    dtype=object),
                                 "community": got.column("community").to_numpy()
                                 .astype(np.int64)})
        # the ids as Arrow, ordered here: (community, id rank) is (community, user)
        got = self.graph.ids.select("user", "node").toArrow()
        node = got.column("node").to_numpy()
        comm = self.vectors["community"][node]
        order = np.lexsort((self.vectors["ordinal"][node], comm))
        users = got.column("user").take(order).to_pylist()
        return pd.DataFrame({"user": np.asarray(users, dtype=object),
                             "community": comm[order].astype(np.int64)})


# --------------------------------------------------------------------- building blocks
def id_ordinals(graph: SparkGraph):
    """DataFrame ``node, ord``: the rank of each user's id in sorted id order (Spark
    sorts strings by UTF-8 bytes, which is code point order, as the local ``id_order``;
    :func:`graphkit.spark.propagation.ordinals` is the same as a numpy vector)."""
    from .propagation import ordinals

    return arrow_frame(graph.ids.sparkSession, node=np.arange(graph.n_nodes, dtype=np.int64),
                       ord=ordinals(graph))


def undirected_pairs(graph: SparkGraph, weighted: bool = True, ordinals=None):
    """The undirected projection as a DataFrame ``u, v, w`` with ``u < v`` (positions,
    or id ordinals when ``ordinals`` is given): one row per connected pair."""
    from pyspark.sql import functions as F

    e = graph.edges
    if ordinals is not None:
        o = ordinals
        e = (e.join(o.select(F.col("node").alias("src"), F.col("ord").alias("a")), "src")
             .join(o.select(F.col("node").alias("dst"), F.col("ord").alias("b")), "dst")
             .select(F.col("a").alias("src"), F.col("b").alias("dst"), "weight"))
    pairs = e.groupBy(F.least("src", "dst").alias("u"), F.greatest("src", "dst").alias("v")) \
        .agg(F.sum("weight").alias("w"))
    if not weighted:
        pairs = pairs.withColumn("w", F.lit(1.0))
    return pairs


def _modularity_df(pairs, comm, resolution: float) -> float:
    """Modularity of ``comm`` (``node, c``) on ``pairs`` (``u, v, w``), on the cluster."""
    from pyspark.sql import functions as F

    cu = comm.select(F.col("node").alias("u"), F.col("c").alias("cu"))
    cv = comm.select(F.col("node").alias("v"), F.col("c").alias("cv"))
    tagged = pairs.join(cu, "u").join(cv, "v")
    row = tagged.agg(F.sum("w").alias("total"),
                     F.sum(F.when(F.col("cu") == F.col("cv"), F.col("w")).otherwise(0.0))
                     .alias("inside")).collect()[0]
    total, inside = float(row["total"] or 0.0), float(row["inside"] or 0.0)
    if total <= 0:
        return math.nan
    ends = tagged.select(F.col("cu").alias("c"), "w").unionByName(
        tagged.select(F.col("cv").alias("c"), "w"))
    sq = ends.groupBy("c").agg(F.sum("w").alias("s")) \
        .agg(F.sum(F.col("s") * F.col("s")).alias("sq")).collect()[0]["sq"]
    two_w = 2.0 * total
    return inside / total - resolution * float(sq or 0.0) / (two_w * two_w)


def modularity(graph: SparkGraph, membership, *, resolution: float = 1.0,
               weighted: bool = True) -> float:
    """Modularity of a membership DataFrame (``user, community``) on the undirected
    projection of ``graph``, computed on the cluster: the local
    :func:`graphkit.communities.modularity` formula (networkx's value). Users missing
    from ``membership`` are alone in their own community."""
    from pyspark.sql import functions as F

    resolution = float(resolution)
    if not math.isfinite(resolution) or resolution <= 0:
        raise ValueError(f"resolution must be a finite number > 0, got {resolution!r}")
    comm = (graph.ids.join(membership.select("user", F.col("community").cast("long")),
                           "user", "left")
            .select("node", F.coalesce(F.col("community"), -1 - F.col("node")).alias("c")))
    return _modularity_df(undirected_pairs(graph, weighted), comm, resolution)


# --------------------------------------------------------------------- the entry point
def detect_communities(graph: SparkGraph, method: str = "leiden", *, resolution: float = 1.0,
                       rng: RngLike = None, weighted: bool = True,
                       max_iter: int = MAX_LPA_ITERATIONS,
                       coarsen_rounds: int = COARSEN_ROUNDS, driver_limit: int = DRIVER_LIMIT,
                       driver_edges: int | None = None, collect_for_summary: bool = False,
                       progress: Progress | None = None) -> SparkPartition:
    """Communities of users on Spark: label propagation, then Leiden on the driver.

    Parameters
    ----------
    graph : SparkGraph
        From :func:`graphkit.spark.index_graph`.
    method : {"leiden", "lpa"}, optional
        ``"leiden"`` (default): label propagation on the cluster to coarsen, then
        Leiden on the contracted graph in the driver when it fits (``driver_limit``).
        ``"lpa"``: the label-propagation groups themselves (all on the cluster).
    resolution : float, optional
        Modularity resolution for Leiden and the reported modularity; ``lpa`` accepts
        only 1.0 (as locally).
    rng : int, numpy.random.Generator or None, optional
        Seeds the label-propagation tie breaks and Leiden. The same int gives the same
        partition for any number of partitions.
    weighted : bool, optional
        Pair weights from ``graph.edges.weight`` (default) or 1 per connected pair.
    max_iter : int, optional
        Label-propagation rounds at most for ``"lpa"`` (default 30).
    coarsen_rounds : int, optional
        Label-propagation rounds before Leiden (``"leiden"``; default 3). Few rounds
        coarsen without harm; many let a few labels flood a heavy-tailed graph (measured on
        the Higgs sample: modularity after Leiden 0.509, 0.496, 0.470, 0.351 and 0.115
        after 1, 3, 8, 12 and 30 rounds; the local engine's Leiden finds 0.540).
    driver_limit : int, optional
        Largest contracted graph (pairs) Leiden runs on in the driver; past it the
        result is the label-propagation partition and ``details["leiden"]`` says why.
    driver_edges : int, optional
        A graph of at most this many edges is collected once and label propagation,
        the contraction and modularity's sums run on the driver, with the same
        arithmetic and result (``details["lpa_on"]`` says where). Default: the Spark
        setting ``spark.graphkit.communities.driverEdges``, else :data:`DRIVER_EDGES`
        (2M); 0 keeps them on the cluster.
    collect_for_summary : bool, optional
        While Leiden runs on the driver (in a child process, see Notes), also collect
        what :meth:`SparkPartition.summarize` needs that does not depend on the
        communities (kept in :attr:`SparkPartition.collected`): every interaction row's
        users and type (12 bytes a row) and every edge (24 bytes an edge), each when
        their count is within PageRank's driver limit (the larger of
        ``spark.graphkit.pagerank.driverEdges`` and ``driver_limit``). The summary then
        makes no pass over the rows or the edges after Leiden: the interaction types
        inside communities and PageRank inside them come from these arrays (the same
        numbers; that PageRank starts as soon as the communities are known). Default False;
        the command line sets it, as it always prints the summary.

    Returns
    -------
    SparkPartition

    Raises
    ------
    EmptyGraphError
        When the graph has no edges.
    InputError
        When every edge has weight 0.

    Notes
    -----
    Leiden on the contracted graph can only merge label-propagation groups, never split
    them, so its modularity is at least the groups' and usually below the local
    engine's Leiden on the whole graph (which may move single users). The result is
    the same for any partitioning of the data: users are numbered by id, the contracted
    graph is sorted before Leiden, and every tie breaks by id.

    igraph holds Python's GIL for the whole Leiden run (14 s on the 4.5M pairs of a
    10M-edge graph), so on Linux a contracted graph of at least
    :data:`graphkit.spark.leiden.FORK_PAIRS` pairs goes to a forked child process
    (:class:`graphkit._forked.ChildCall`; same arrays, same seed, same result): the
    driver stays free for Spark jobs (``collect_for_summary``) and for Ctrl-C. Where no
    child can be forked, Leiden runs in the driver's process.

    References
    ----------
    .. [1] U. N. Raghavan, R. Albert and S. Kumara, "Near linear time algorithm to
       detect community structures in large-scale networks", Phys. Rev. E 76, 036106
       (2007).
    .. [2] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 5233 (2019).

    Examples
    --------
    >>> g = index_graph(read_edges(spark, "data/example.csv"))  # doctest: +SKIP
    >>> p = detect_communities(g, rng=7)  # doctest: +SKIP
    >>> p.n_communities, round(p.modularity, 4)  # doctest: +SKIP
    """
    from .._rng import spawn
    from .propagation import adjacency_blocks, driver_blocks, node_sums, ordinals

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} for the Spark engine; choose one of: "
                         f"{', '.join(METHODS)}")
    resolution = float(resolution)
    if not math.isfinite(resolution) or resolution <= 0:
        raise ValueError(f"resolution must be a finite number > 0, got {resolution!r}")
    if method == "lpa" and resolution != 1.0:
        raise ValueError("resolution applies to leiden, not lpa")
    for name, value in (("max_iter", max_iter), ("coarsen_rounds", coarsen_rounds)):
        if isinstance(value, bool) or int(value) < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if graph.n_edges == 0:
        raise EmptyGraphError("the graph has no edges; nothing to group")
    gen = spawn(rng, 1)[0]
    seed = int(gen.integers(0, 2**63 - 1))  # Leiden's, as the local engine's run 0
    lpa_seed = int(gen.integers(0, 2**31 - 1))
    n = graph.n_nodes

    if driver_edges is None:
        driver_edges = parse_driver_edges(graph.edges.sparkSession.conf.get(DRIVER_EDGES_CONF,
                                                                            None))
    on_driver = graph.n_edges <= int(driver_edges)
    order = ordinals(graph)  # order[position] = the rank of the user's id
    if on_driver:
        blocks, total = driver_blocks(graph, order, weighted)
    else:
        blocks, total = adjacency_blocks(graph, order, weighted)
    try:
        if total <= 0:
            raise InputError("every edge has weight 0 (check --type-weight); nothing to group")
        rounds = int(max_iter) if method == "lpa" else int(coarsen_rounds)
        labels, iterations, converged = label_propagation(blocks, n, max_iter=rounds,
                                                          seed=lpa_seed, progress=progress)
        details = {"lpa_iterations": iterations, "lpa_converged": converged,
                   "lpa_seed": lpa_seed, "lpa_groups": int(np.unique(labels).shape[0]),
                   "lpa_on": "driver" if on_driver else "cluster",
                   "driver_limit": int(driver_limit)}
        groups = labels
        collected: dict = {}
        if method == "leiden":
            meanwhile = None
            if collect_for_summary:
                def meanwhile():
                    collected.update(_for_summary(graph, int(driver_limit)))
            groups = leiden_groups(blocks, labels, graph.n_edges, resolution, seed,
                                   int(driver_limit), details, progress, meanwhile)
        comm, size, by_size = _numbered(groups)
        if "edges" in collected:  # the summary's PageRank, beside the job below
            collected["pagerank"] = in_background(pagerank_within, graph, collected["edges"],
                                                  comm[order], bool(weighted))
        if progress:
            progress(f"modularity ({details['lpa_on']})")
        sums = node_sums(blocks, comm, n)
    finally:
        if not on_driver:
            blocks.unpersist()
    q = modularity_of_sums(comm, sums, resolution, by_size.shape[0])
    comm_pos = comm[order]
    membership = (arrow_frame(graph.ids.sparkSession, node=np.arange(n, dtype=np.int64),
                              community=comm_pos)
                  .join(graph.ids, "node").select("user", "community"))
    vectors = {"community": comm_pos, "ordinal": order}
    vectors.update((k, v[order]) for k, v in sums.items())
    return SparkPartition(
        membership=membership, modularity=float(q), sizes=size[by_size].astype(np.int64),
        method=method, resolution=resolution,
        seed=int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)
        else None,
        weighted=bool(weighted), details=details, graph=graph, vectors=vectors,
        collected=collected or None)


def _for_summary(graph: SparkGraph, driver_limit: int) -> dict:
    """The rows' users and types and the sorted edges (see ``collect_for_summary``),
    each within the limit of the summary's own collect of the edges inside communities
    (:func:`graphkit.spark.summary.community_summary`)."""
    from .link_analysis import driver_edges_or

    limit = driver_edges_or(graph.edges.sparkSession, driver_limit)
    out = {}
    if graph.source.rows <= limit:
        out["rows"] = typed_rows(graph)
    if graph.n_edges <= limit:
        out["edges"] = sorted_edges(graph)
    return out


def _numbered(groups: np.ndarray):
    """Communities numbered by size, then by smallest member (ordinals are id order):
    ``(community per ordinal, size per group, the groups by size)``."""
    n = groups.shape[0]
    _, g = np.unique(groups, return_inverse=True)
    g = g.reshape(-1)
    k = int(g.max()) + 1
    size = np.bincount(g, minlength=k)
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, g, np.arange(n, dtype=np.int64))
    by_size = np.lexsort((first, -size))
    renum = np.empty(k, dtype=np.int64)
    renum[by_size] = np.arange(k, dtype=np.int64)
    return renum[g], size, by_size


def modularity_of_sums(comm: np.ndarray, sums: dict, resolution: float, k: int) -> float:
    """Modularity (the local formula) from :func:`graphkit.spark.propagation.node_sums`:
    the weight inside communities over the total, less ``resolution`` times the sum of
    the squared community volumes over ``(2 W)^2``. NaN when every pair weighs 0."""
    two_w = float(sums["degree"].sum())
    if two_w <= 0:
        return math.nan
    volume = np.bincount(comm, weights=sums["degree"], minlength=k)
    inside = float(sums["own"].sum())  # each pair inside counted at both ends
    return inside / two_w - resolution * float((volume * volume).sum()) / (two_w * two_w)
