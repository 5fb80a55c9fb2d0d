"""The per-user feature table the segments are found in."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["features", "single_seed_reach", "participation", "ENGAGEMENT_TYPES_EXCLUDED"]

#: Interaction types that are audience, not engagement, in ``engagement_per_follower``.
ENGAGEMENT_TYPES_EXCLUDED = ("follow",)
#: RR sets per chunk (each chunk has its own random stream).
CHUNK_SETS = 1024
#: Edges from which Leiden runs in a forked child beside the other features (below, the
#: fork and the pickled membership cost more than the overlap saves: Leiden takes
#: about 3.5 s of CPU at 700,000 edges, 50 ms at 5,000).
FORK_EDGES = 50_000


def single_seed_reach(graph, *, n_sets: int | None = None, rng=None,
                      progress: Callable | None = None) -> np.ndarray:
    """Expected reach of every user seeded alone, from one collection of RR sets.

    Independent Cascade with weighted-cascade probabilities: a user who acted on ``d``
    users is influenced by each of them with probability ``1 / d``
    (:func:`graphkit.weighting.weighted_cascade`).
    ``n_sets`` reverse-reachable sets are drawn from uniformly random roots; a user in
    ``c`` of them reaches ``c * n / n_sets`` users in expectation (itself included),
    with a standard error of about ``n * sqrt(c) / n_sets``.

    Parameters
    ----------
    graph : SocialGraph
    n_sets : int, optional
        RR sets to draw (default ``max(20_000, 2 n)``, at most 2,000,000).
    rng : int, numpy.random.Generator or None, optional
    progress : callable, optional
        ``progress(stage, done, total)`` between blocks of sets.

    Returns
    -------
    numpy.ndarray
        float64 reach estimate per user (aligned with ``graph.node_ids``); >= 0, and
        every user that appears in a set has at least ``n / n_sets``.

    References
    ----------
    .. [1] C. Borgs, M. Brautbar, J. Chayes and B. Lucier, "Maximizing social influence
       in nearly optimal time", SODA 2014.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.segments import single_seed_reach
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "a")])  # a is followed
    >>> r = single_seed_reach(g, n_sets=40_000, rng=1)
    >>> a, b = g.index(["a", "b"])
    >>> round(float(r[a]), 1), round(float(r[b]), 1)           # a reaches b, c, d for sure
    (4.0, 1.0)
    """
    run = _ReachDraw(graph, n_sets, rng)
    run(progress=progress)
    return run.reach


class _ReachDraw:
    """One :func:`single_seed_reach` draw, prepared (arrays, seeds, buffers) so that it can
    run on a thread of its own beside work that holds the GIL (Leiden in igraph): the
    kernel releases the GIL, and ``run(one_call=True)`` makes a single call of it, so no
    Python runs between batches. The counts are integers added per thread, so the result
    is the same however it runs."""

    def __init__(self, graph, n_sets, rng):
        from .._rng import chunk_seeds
        from ..weighting import influence_graph

        n = graph.n_nodes
        if n_sets is None:
            n_sets = int(min(max(20_000, 2 * n), 2_000_000))
        if isinstance(n_sets, bool) or not isinstance(n_sets, (int, np.integer)) or n_sets < 1:
            raise ValueError(f"n_sets must be a positive int, got {n_sets!r}")
        ig = influence_graph(graph, "wc")
        self.n, self.n_sets = n, int(n_sets)
        self.arrays = (np.ascontiguousarray(ig.in_indptr, dtype=np.int64),
                       np.ascontiguousarray(ig.in_indices, dtype=np.int32),
                       np.ascontiguousarray(ig.in_prob, dtype=np.float64))
        self.n_chunks = -(-self.n_sets // CHUNK_SETS)
        self.seeds = chunk_seeds(rng, self.n_chunks)
        self.reach = None

    def __call__(self, *, progress: Callable | None = None, threads: int | None = None,
                 one_call: bool = False, started=None) -> None:
        from numba import get_num_threads

        from .._batches import on_threads
        from . import _kernels

        n, n_sets, n_chunks = self.n, self.n_sets, self.n_chunks
        threads = get_num_threads() if threads is None else int(threads)
        counts = np.zeros((threads, n), dtype=np.int64)
        stamp = np.zeros((threads, n), dtype=np.int64)
        queue = np.zeros((threads, n), dtype=np.int32)
        # chunks per kernel call: progress and Ctrl-C between calls
        per_call = n_chunks if one_call else 64
        for c0 in range(0, n_chunks, per_call):
            c1 = min(n_chunks, c0 + per_call)
            s0 = c0 * CHUNK_SETS
            s1 = min(n_sets, c1 * CHUNK_SETS)
            call = (*self.arrays, s1 - s0, CHUNK_SETS, self.seeds[c0:c1], c0, counts, stamp,
                    queue)
            if started is not None:
                started.set()  # the kernel starts next, and releases the GIL
            on_threads(lambda t, a=call: _kernels.rr_coverage(t, threads, *a), threads)
            stamp[:] = 0  # set tags restart at 1 in the next call
            if progress is not None:
                progress("estimating single-seed reach", s1, n_sets)
        self.reach = counts.sum(axis=0) * (n / float(n_sets))


class _Beside:
    """``work(started)`` on a thread of its own; the constructor returns once ``work`` has
    set the event ``started`` (or ended; at once with ``wait=False``), :meth:`join` waits
    for it and raises what it raised."""

    def __init__(self, work, wait: bool = True):
        import threading

        self.started = threading.Event()
        self.failed: list[BaseException] = []

        def run():
            try:
                work(self.started)
            except BaseException as exc:  # noqa: BLE001 - raised again by join()
                self.failed.append(exc)
            finally:
                self.started.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if wait:
            self.started.wait()

    def join(self) -> None:
        self.thread.join()
        if self.failed:
            raise self.failed[0]


def features(graph, *, partition=None, reach_sets: int | None = None, rng=None,
             progress: Callable | None = None):
    """One row of behaviour features per user: the input of :func:`segment_users`.

    Parameters
    ----------
    graph : SocialGraph
    partition : Partition or array of int, optional
        Communities: a :class:`~graphkit.communities.Partition`, or a community label per
        user (aligned with ``graph.node_ids``; -1 = none, e.g. from a membership file).
        When omitted, Leiden runs (seeded by ``rng``) for two iterations (igraph's
        default): the features need a partition, not its last percent of modularity
        (on a 1M-row power-law graph: 4.3 s of CPU and modularity 0.279, against 15 s
        and 0.284 when iterating until stable).
    reach_sets : int, optional
        RR sets behind ``reach`` (see :func:`single_seed_reach`); 0 skips the estimate
        (the column is then 0).
    rng : int, numpy.random.Generator or None, optional
        Seed of Leiden and of the RR sets.
    progress : callable, optional
        ``progress(stage, done=None, total=None)``.

    Returns
    -------
    pandas.DataFrame
        One row per user in graph order, columns:

        * ``user``;
        * ``pagerank`` -- PageRank on the attention graph times the number of users
          (1 = an average user);
        * ``in_<type>``, ``out_<type>`` -- interactions of each type received / made;
        * ``reciprocity`` -- share of the user's contacts with interactions both ways;
        * ``kcore`` -- core number;
        * ``community``, ``participation`` -- the user's community, and how evenly its
          interactions spread over communities (Guimerà-Amaral; 0 = all in one, the
          bridge score);
        * ``engagement_per_follower`` -- interactions received other than follows
          (shares, comments, mentions, ...) per follower (per distinct actor when the
          graph has no ``follow`` type; 0 without any);
        * ``activity`` -- interactions made, all types;
        * ``reach`` -- expected reach seeded alone (IC, weighted cascade).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.segments import features
    >>> g = gk.SocialGraph.from_pairs([("b", "a", "follow"), ("b", "a", "share"),
    ...                                ("c", "a", "follow"), ("a", "b", "comment")])
    >>> f = features(g, rng=1, reach_sets=1000)
    >>> f[["user", "in_follow", "out_share", "engagement_per_follower", "activity"]].values.tolist()
    [['b', 0, 1, 0.0, 2], ['a', 2, 0, 0.5, 1], ['c', 0, 0, 0.0, 1]]
    """
    return _FeatureRun(graph, partition=partition, reach_sets=reach_sets, rng=rng,
                       progress=progress).finish()


def _leiden_fields(graph, seed: int) -> tuple:
    """What :func:`features` keeps of a seeded two-iteration Leiden run (picklable: the
    forked child sends it back)."""
    from ..communities import detect_communities

    p = detect_communities(graph, "leiden", rng=seed, n_iterations=2)
    return (p.membership, p.modularity, p.method, p.resolution, p.seed, p.stability, p.runs,
            p.weighted, p.details)


class _FeatureRun:
    """:func:`features` in two steps, so that the caller can work while Leiden runs.

    The constructor starts Leiden in a forked child (:mod:`graphkit._forked`, Linux) and the
    single-seed reach on a thread (its kernel releases the GIL), then computes the
    features that need no partition; :meth:`finish` collects both and builds the table.
    Between the two, the GIL is free (:func:`segment_users` imports scikit-learn there).
    Where no child can be forked, Leiden runs in :meth:`finish`, the reach beside it.
    """

    def __init__(self, graph, *, partition=None, reach_sets=None, rng=None, progress=None):
        import pandas as pd

        from .._rng import as_generator
        from ..ranking import kcore, pagerank
        from .._forked import ChildCall

        self.say = say = progress or (lambda *a, **k: None)
        gen = as_generator(rng)
        self.seed_leiden, seed_reach = (int(s) for s in gen.integers(0, 2**31 - 1, size=2))
        self.graph, self.partition = graph, partition
        self.child = self.beside = None
        self.draw = None if reach_sets == 0 else _ReachDraw(graph, reach_sets, seed_reach)
        if partition is None and graph.n_edges >= FORK_EDGES:
            self.child = ChildCall(lambda: _leiden_fields(graph, self.seed_leiden))
            if self.child.pid is not None:
                say("finding communities (Leiden, in a child process)")
        try:
            if self.child is not None and self.child.pid is not None and self.draw is not None:
                # nothing here holds the GIL for long: no need to wait for the kernel
                # (its first call also loads it from numba's cache)
                draw = self.draw
                self.beside = _Beside(lambda started: draw(threads=1, one_call=True,
                                                           started=started), wait=False)
            n = graph.n_nodes
            src = graph.sources()
            df = pd.DataFrame({"user": graph.node_ids})
            say("PageRank")
            df["pagerank"] = pagerank(graph) * n
            for t in graph.types:
                df[f"in_{t}"] = graph.in_counts(t).astype(np.int64)
            for i, t in enumerate(graph.types):
                df[f"out_{t}"] = np.bincount(src, weights=graph.counts[:, i],
                                             minlength=n).astype(np.int64)
            # reciprocity: contacts with edges both ways / all contacts
            back = graph.find_edges(graph.indices, src) >= 0
            mutual = np.bincount(src, weights=back, minlength=n)
            contacts = graph.out_degree() + graph.in_degree() - mutual
            df["reciprocity"] = np.divide(mutual, contacts, out=np.zeros(n), where=contacts > 0)
            say("k-core")
            df["kcore"] = kcore(graph).astype(np.int64)
            self.df = df
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the child (on an error or Ctrl-C of the parent's)."""
        if self.child is not None:
            self.child.close()
        if self.beside is not None:
            # a signal that lands inside an import no longer leaves the import lock held
            # for the thread to wait on for ever (graphkit._signals)
            self.beside.thread.join()

    def _communities(self):
        """The partition: the child's, else Leiden in-process (the reach drawn beside it)."""
        from ..communities import Partition, detect_communities

        if self.child is not None:
            fields = self.child.result()
            if fields is not None:
                memb, q, method, res, seed, stab, runs, weighted, details = fields
                return Partition(membership=memb, modularity=q, method=method, resolution=res,
                                 seed=seed, stability=stab, runs=runs, weighted=weighted,
                                 details=details, graph=self.graph)
        beside = None
        if self.draw is not None and self.beside is None:
            # Leiden holds the GIL for its whole run; the RR kernel does not, so the
            # reach is drawn beside it (one thread, one kernel call) on the core it leaves
            draw = self.draw
            beside = _Beside(lambda started: draw(threads=1, one_call=True, started=started))
        self.say("finding communities (Leiden)")
        try:
            return detect_communities(self.graph, "leiden", rng=self.seed_leiden, n_iterations=2)
        finally:
            if beside is not None:
                beside.join()

    def finish(self):
        """The feature table (see :func:`features`)."""
        try:
            partition = self.partition
            if partition is None:
                partition = self._communities()
            if self.beside is not None:
                self.beside.join()
        finally:
            self.close()
        graph, df, draw = self.graph, self.df, self.draw
        n = graph.n_nodes
        if hasattr(partition, "membership"):
            memb = np.asarray(partition.membership, dtype=np.int64)
            if memb.shape != (n,):
                raise ValueError("the partition is of another graph (its size differs)")
            df["community"] = memb
            df["participation"] = _participation_of(graph, partition, memb)
            comm_info = {"communities": partition.method,
                         "n_communities": partition.n_communities}
        else:
            memb = np.asarray(partition)
            if memb.shape != (n,) or memb.dtype.kind not in "iu":
                raise ValueError("communities must be a Partition or an int label per user")
            df["community"] = memb.astype(np.int64)
            df["participation"] = participation(graph, memb)
            comm_info = {"communities": "given",
                         "n_communities": int(np.unique(memb[memb >= 0]).size)}
        received = np.zeros(n)
        for t in graph.types:
            if t not in ENGAGEMENT_TYPES_EXCLUDED:
                received += df[f"in_{t}"].to_numpy()
        followers = (df["in_follow"].to_numpy() if "follow" in graph.types
                     else graph.in_degree()).astype(np.float64)
        df["engagement_per_follower"] = np.divide(received, followers, out=np.zeros(n),
                                                  where=followers > 0)
        df["activity"] = df[[f"out_{t}" for t in graph.types]].sum(axis=1).astype(np.int64)
        if draw is None:
            df["reach"] = 0.0
        else:
            if draw.reach is None:
                draw(progress=self.say)
            df["reach"] = draw.reach
        df.attrs.update(comm_info)
        return df


def _participation_of(graph, partition, memb) -> np.ndarray:
    """``partition.participation()``, without the rest of its summary when that gives the
    same bits: with integer weights (and sums below 2**53) every sum is exact whatever its
    order, so :func:`participation` on the edges equals the partition's own on its
    undirected projection; otherwise the partition computes it (its summary also runs an
    in-community PageRank: 0.7 s of a 1M-row graph)."""
    w = graph.scaled_weight
    if (partition.weighted and w.size and float(w.sum()) * 2.0 < 2.0 ** 53
            and bool(np.all(w == np.floor(w))) and bool(np.all(w >= 0))):
        return participation(graph, memb)
    return partition.participation()


def participation(graph, membership) -> np.ndarray:
    """Participation coefficient of every user for a community label per user.

    ``P_i = 1 - sum_s (k_is / k_i) ** 2`` on the undirected projection (pair weight
    ``w(u -> v) + w(v -> u)``), as :meth:`graphkit.communities.Partition.participation`
    computes it for a detected partition; label -1 (no community) counts as one more
    community. 0 for users with no edge.

    Examples
    --------
    >>> import graphkit as gk, numpy as np
    >>> from graphkit.segments.feature_table import participation
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("a", "c")])
    >>> participation(g, np.array([0, 0, 1])).tolist()          # a: half its weight each way
    [0.5, 0.0, 0.0]
    """
    memb = np.asarray(membership, dtype=np.int64)
    n = graph.n_nodes
    src = graph.sources().astype(np.int64)
    dst = graph.indices.astype(np.int64)
    w = np.concatenate([graph.scaled_weight, graph.scaled_weight])
    rows = np.concatenate([src, dst])
    other = np.concatenate([memb[dst], memb[src]]) + 1  # -1 -> 0
    width = np.int64(other.max() + 1 if other.size else 1)
    keys, inv = np.unique(rows * width + other, return_inverse=True)
    per = np.bincount(inv, weights=w)
    k = np.bincount(rows, weights=w, minlength=n)
    sq = np.bincount(keys // width, weights=per ** 2, minlength=n)
    out = np.zeros(n)
    np.divide(sq, k ** 2, out=out, where=k > 0)
    return np.where(k > 0, 1.0 - out, 0.0)
