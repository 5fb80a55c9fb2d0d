"""Influence maximization (OPIM-C and IMM) on Spark, with the local engine's seeds.

The local OPIM-C (:func:`graphkit.seeds.opim_alg.run_opim`) and IMM
(:func:`graphkit.seeds.imm_alg.run_imm`) run unchanged on the driver: their sample
sizes, rounds, bounds, stopping rules, guarantee and memory check are the local code's.
Only their RR-set collections are Spark's (:class:`SparkRRSets`):

* **sampling**: each ``extend`` draws the chunk seeds on the driver exactly as the local
  collection does (one 64-bit seed per chunk of
  :attr:`graphkit.seeds.RRSets.CHUNK_SETS` sets, numbered on from the previous call),
  and each Spark task draws a range of those chunks with the local sampler
  (:meth:`graphkit.seeds.RRSets.extend` with ``chunk_seed``/``first_chunk``) against the
  broadcast influence graph; the blocks stay cached on the executors (memory, then disk).
* **greedy maximum coverage on the driver** while the sets fit there
  (:data:`DRIVER_MEMBERS`, ``spark.graphkit.seeds.driverMembers``, and half of
  ``spark.driver.maxResultSize``): each batch's blocks are collected once and put in
  chunk order, the local collection's arrays, and :func:`graphkit.seeds.greedy.cover`
  and :func:`~graphkit.seeds.greedy.first_cover` run on them (OPIM's validation too).
* **greedy maximum coverage on the executors** past that, one Spark job per pick: the
  driver keeps every user's count of uncovered sets (one job sums the blocks' member
  counts), picks the largest count (ties by id, as
  :func:`graphkit.seeds.greedy.max_coverage`), and one job has every block report the
  sets the pick newly covers and the member counts to take off. OPIM's upper bound on
  the optimum (the covered sets plus the ``k`` largest counts, at each step) comes from
  the driver's exact counts, as the local greedy's does.
* **validation** on the executors, past the limit too (OPIM's second collection, which
  the greedy never sees): one job has every block count the sets each seed is the first
  to cover (:func:`graphkit.seeds.greedy.first_cover`); the driver adds the integers.

Sets, counts and picks are integers that do not depend on how chunks are grouped into
tasks, so the seeds are the same for any partitioning, and the local engine's on the same
graph numbering (:mod:`graphkit.spark.influence`). The independent evaluation of
:func:`graphkit.select_seeds` runs its cascades on Spark too
(:class:`graphkit.spark.diffusion.SparkCascades`); the spread-vs-k curves (20,000 RR sets)
and the baselines run on the driver.
"""

from __future__ import annotations

import numpy as np

from .._progress import Progress

__all__ = ["SparkRRSets", "select_seeds", "DRIVER_MEMBERS", "DRIVER_MEMBERS_CONF",
           "parse_driver_members"]

#: Up to this many RR-set members (4 bytes each, ~200 MB; the driver's greedy adds an
#: inverted index of the same size) a collection's greedy and validation run on the
#: driver, after one collect a batch of sets.
DRIVER_MEMBERS = 50_000_000
#: The Spark setting that overrides :data:`DRIVER_MEMBERS` (0: always on the cluster).
DRIVER_MEMBERS_CONF = "spark.graphkit.seeds.driverMembers"


def parse_driver_members(value) -> int:
    """The RR-set members up to which the greedy runs on the driver, from a setting's
    text (``None``: :data:`DRIVER_MEMBERS`); ``ValueError`` naming the setting otherwise.

    >>> parse_driver_members(None), parse_driver_members("0"), parse_driver_members(" 80000000 ")
    (50000000, 0, 80000000)
    """
    from .graph import pairs_setting

    return pairs_setting(DRIVER_MEMBERS_CONF, value, DRIVER_MEMBERS, "the greedy",
                         unit="RR-set members")


class SparkRRSets:
    """A collection of RR sets cached on Spark executors (see the module docstring).

    Built by :func:`run_imm` and :func:`run_opim` through their ``rr_sets`` factory:
    ``SparkRRSets.factory(sc, broadcast)`` returns ``make(ig, model, roots)``.
    """

    def __init__(self, sc, broadcast, n: int, model: str = "ic", roots=None,
                 partitions: int | None = None, driver_members: int | None = None):
        model = str(model).lower()
        if model not in ("ic", "lt"):
            raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
        self.sc, self._bc, self.n, self.model = sc, broadcast, int(n), model
        self.roots = None if roots is None else np.ascontiguousarray(roots, dtype=np.int32)
        self.partitions = partitions
        self.count = 0
        self.total = 0
        self._chunks = 0
        self._rdds: list = []
        self.jobs = 0
        #: Up to this many members the greedy and the validation run on the driver
        #: (:data:`DRIVER_MEMBERS`; 0: always on the cluster).
        self.driver_members = DRIVER_MEMBERS if driver_members is None else int(driver_members)
        self._held: list = []  # the blocks of each of self._rdds collected, in order
        self._flat = None  # (offsets, members) of self._held, concatenated

    @classmethod
    def factory(cls, sc, broadcast, *, partitions: int | None = None,
                driver_members: int | None = None):
        """``make(ig, model, roots)`` for :func:`run_imm`; ``make.release()`` unpersists
        every collection it made. A new collection releases the previous ones: IMM is
        done with its sampling-phase sets when it draws the final ones, OPIM with its
        rounds' two collections when it makes its final ones (it makes collections in
        pairs, both before drawing into either, so the release of an empty one is moot)."""
        made: list[SparkRRSets] = []

        def make(ig, model, roots=None):
            for old in made:
                old.release()
            rr = cls(sc, broadcast, ig.n_nodes, model, roots, partitions, driver_members)
            made.append(rr)
            return rr

        make.release = lambda: [rr.release() for rr in made]
        make.made = made
        return make

    # ---------------------------------------------------------------- RRSets' interface
    def mean_size(self) -> float:
        return self.total / self.count if self.count else float("nan")

    @property
    def population(self) -> int:
        return int(self.roots.size) if self.roots is not None else self.n

    def reserve(self, n_sets: int, n_members: int) -> None:
        """Nothing to reserve: blocks are made by the tasks."""

    def release(self) -> None:
        for rdd in self._rdds:
            try:
                rdd.unpersist()
            except Exception:  # noqa: BLE001 - the context may be gone already
                pass
        self._rdds, self._held, self._flat = [], [], None

    def _tasks(self, n_chunks: int):
        p = self.partitions or 2 * int(self.sc.defaultParallelism)
        p = max(1, min(int(p), n_chunks))
        bounds = np.linspace(0, n_chunks, p + 1).round().astype(np.int64)
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]

    def extend(self, n_new: int, rng=None, progress: Progress | None = None) -> None:
        """Draw ``n_new`` more sets on the executors (the local collection's sets)."""
        from pyspark import StorageLevel

        from .._rng import chunk_seeds

        n_new = int(n_new)
        if n_new <= 0:
            return
        if self.count + n_new > 2**31 - 1:
            raise ValueError(f"at most {2**31 - 1:,} RR sets are supported")
        size = _chunk_sets()
        n_chunks = -(-n_new // size)
        seeds = chunk_seeds(rng, n_chunks)
        bc, model, roots, base = self._bc, self.model, self.roots, self._chunks

        def draw(task):
            from graphkit.seeds import RRSets

            from .diffusion import task_threads

            c0, c1 = task
            task_threads()
            rr = RRSets(bc.value, model, roots=roots)
            rr.extend(min(n_new - c0 * size, (c1 - c0) * size), chunk_seed=seeds[c0:c1],
                      first_chunk=base + c0)
            return c0, rr.offsets.copy(), rr.members.copy()

        tasks = self._tasks(n_chunks)
        rdd = self.sc.parallelize(tasks, len(tasks)).map(draw)
        rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
        sizes = rdd.map(lambda b: (b[1].shape[0] - 1, int(b[1][-1]))).collect()
        self.jobs += 1
        self._rdds.append(rdd)
        self.count += sum(s for s, _ in sizes)
        self.total += sum(t for _, t in sizes)
        self._chunks += n_chunks
        if progress is not None:
            progress("drawing RR sets", n_new, n_new)

    # ---------------------------------------------------------------- on the driver
    def _on_driver(self):
        """``(offsets, members)`` of every set, collected to the driver (each batch's
        blocks once, one job a batch, in chunk order: the local collection's arrays),
        when the sets have at most :attr:`driver_members` members and fit half of
        ``spark.driver.maxResultSize``; else ``None`` (and nothing is held)."""
        if not self._fits():
            self._held, self._flat = [], None
            return None
        for rdd in self._rdds[len(self._held):]:
            self._held.append(sorted(rdd.collect(), key=lambda b: b[0]))
            self.jobs += 1
            self._flat = None
        if self._flat is None:
            blocks = [b for held in self._held for b in held]
            sizes = np.concatenate([np.zeros(0, dtype=np.int64)] + [np.diff(b[1]) for b in blocks])
            offsets = np.zeros(sizes.size + 1, dtype=np.int64)
            np.cumsum(sizes, out=offsets[1:])
            members = np.concatenate([np.zeros(0, dtype=np.int32)] + [b[2] for b in blocks])
            self._flat = offsets, members.astype(np.int32, copy=False)
        return self._flat

    def _fits(self) -> bool:
        if self.total > self.driver_members:
            return False
        need = 4 * self.total + 8 * (self.count + 1)
        cap = self.sc.getConf().get("spark.driver.maxResultSize", "1g")
        try:
            from .influence import parse_size

            cap = parse_size(cap)
        except ValueError:  # "0": no limit
            cap = float("inf")
        return need <= cap / 2

    # ---------------------------------------------------------------- greedy cover
    def _blocks(self):
        return self._rdds[0] if len(self._rdds) == 1 else self.sc.union(self._rdds)

    def cover(self, cons, bound: bool = False):
        """Greedy maximum coverage of the sets under ``cons`` (cardinality ``k``, fixed
        and banned users): what :func:`graphkit.seeds.greedy.max_coverage` returns on
        the same sets: on the driver when they fit (:meth:`_on_driver`), else one Spark
        job per pick.

        ``bound``: also OPIM-C's upper bound on the best cover, ``Coverage.bound``: the
        minimum over the steps (before each pick and after the last) of the sets covered
        so far plus the ``k`` largest counts of the users still available, from the
        driver's exact counts (one more job, for the counts after the last pick).
        """
        from ..seeds.greedy import Coverage

        if cons.budget is not None:
            raise ValueError("the Spark engine's greedy has no budget mode (use the local "
                             "engine for costs and budgets)")
        held = self._on_driver()
        if held is not None:
            from ..seeds.greedy import cover

            return cover(*held, self.n, cons, bound)
        n = self.n
        blocks = self._blocks()
        gain = np.zeros(n, dtype=np.int64)
        for users, counts in blocks.map(lambda b: _member_counts(b[2])).collect():
            gain[users] += counts
        self.jobs += 1
        rank = np.asarray(cons.id_rank, dtype=np.int64)
        avail = np.asarray(cons.eligible, dtype=bool).copy()
        fixed = np.asarray(cons.include, dtype=np.int64)
        avail[fixed] = False
        applied: list[int] = []

        def take(u: int, last: bool) -> int:
            g = int(gain[u])
            if g > 0 and not last:  # the counts change only when a set is newly covered
                prev = np.asarray(applied, dtype=np.int64)
                for users, counts in blocks.map(
                        lambda b, u=u, prev=prev: _newly_covered(b, u, prev, n)).collect():
                    gain[users] -= counts
                self.jobs += 1
            applied.append(u)
            return g

        k = min(int(cons.k), int(avail.sum()))
        fixed_gains = [take(int(u), last=(k == 0 and i == fixed.size - 1))
                       for i, u in enumerate(fixed)]
        total = int(sum(fixed_gains))
        upper = float("inf")
        picks, gains = [], []
        for j in range(k):
            u = _best(gain, avail, rank)
            if bound:  # the local greedy's step-wise bound, before the pick
                upper = min(upper, float(total + _top_sum(gain[avail], int(cons.k))))
            avail[u] = False
            picks.append(u)
            gains.append(take(u, last=(j == k - 1) and not bound))
            total += gains[-1]
        if bound:  # and after the last pick
            upper = min(upper, float(total + _top_sum(gain[avail], int(cons.k))))
        return Coverage(np.asarray(picks, dtype=np.int64), np.asarray(gains, dtype=np.int64),
                        np.asarray(fixed_gains, dtype=np.int64), total, int(self.count),
                        bound=upper)

    def first_cover(self, seq) -> np.ndarray:
        """:func:`graphkit.seeds.greedy.first_cover` on these sets, one Spark job: how many
        sets each user of ``seq`` is the first of ``seq`` to cover (OPIM-C's validation)."""
        seq = np.asarray(seq, dtype=np.int64).reshape(-1)
        n = self.n
        held = self._on_driver()
        if held is not None:
            from ..seeds.greedy import first_cover

            return first_cover(*held, n, seq)

        def count(block):
            from graphkit.seeds.greedy import first_cover

            from .diffusion import task_threads

            task_threads()
            return first_cover(block[1], block[2], n, seq)

        hits = np.zeros(seq.size, dtype=np.int64)
        for part in self._blocks().map(count).collect():
            hits += part
        self.jobs += 1
        return hits


def _chunk_sets() -> int:
    from ..seeds import RRSets

    return int(RRSets.CHUNK_SETS)


def _member_counts(members):
    users, counts = np.unique(members, return_counts=True)
    return users.astype(np.int64), counts.astype(np.int64)


def _newly_covered(block, u: int, prev: np.ndarray, n: int):
    """Member counts of the sets of ``block`` that contain ``u`` and none of ``prev``."""
    _, offsets, members = block
    if members.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = offsets[:-1]
    has_u = np.logical_or.reduceat(members == u, starts)  # RR sets are never empty
    if prev.size:
        mark = np.zeros(n, dtype=bool)
        mark[prev] = True
        has_u &= ~np.logical_or.reduceat(mark[members], starts)
    if not has_u.any():
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return _member_counts(members[np.repeat(has_u, np.diff(offsets))])


def _top_sum(values, k: int) -> int:
    """The sum of the ``k`` largest ``values`` (all of them when there are fewer)."""
    if k <= 0 or values.size == 0:
        return 0
    if values.size > k:
        values = np.partition(values, values.size - k)[values.size - k:]
    return int(values.sum())


def _best(gain, avail, rank) -> int:
    """The available user with the largest count, ties by id rank (the local greedy's rule)."""
    cand = np.flatnonzero(avail)
    g = gain[cand]
    top = cand[g == g.max()]
    return int(top[np.argmin(rank[top])])


def select_seeds(spark, graph, k: int, *, method: str | None = None, model: str = "ic",
                 prob=None, type_probs=None, epsilon: float = 0.1, ell: float = 1.0,
                 targets=None, include=(), exclude=(), evaluate_runs: int = 10000,
                 evaluate_precision: float = 0.002, baselines: bool = True,
                 curve_sets: int = 20000, max_memory: float | None = None, rng=None,
                 social=None, partitions: int | None = None, max_broadcast=None,
                 driver_members: int | None = None, progress: Progress | None = None):
    """Pick ``k`` seeds with OPIM-C or IMM on Spark, and prove the pick as the local engine does.

    :func:`graphkit.select_seeds` with ``method="opim"`` or ``"imm"`` (see there for
    every parameter and the result), its RR sets drawn and covered on the executors
    (:class:`SparkRRSets`) and its evaluation cascades run there
    (:class:`graphkit.spark.diffusion.SparkCascades`). OPIM's two collections (the
    selection sets its greedy covers, the validation sets that certify the pick, and the
    final phase's fresh sets) are all Spark collections; its rounds, bounds and stopping
    rule are the local code's. Costs and budgets are not supported (use the local engine).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    graph : SparkEdges, SparkGraph, SocialGraph or InfluenceGraph
    method : {"opim", "imm"}, optional
        Default ``"opim"``, as locally.
    partitions : int, optional
        Spark tasks per batch of RR sets or runs (results do not depend on it).
    max_broadcast : int or str, optional
        Bytes the broadcast graph may take (see :mod:`graphkit.spark.influence`).
    driver_members : int, optional
        Up to this many RR-set members a collection is collected once and its greedy
        and validation run on the driver with the local code (the same result, without
        one Spark job a pick); 0 keeps them on the executors. Default: the setting
        ``spark.graphkit.seeds.driverMembers``, else :data:`DRIVER_MEMBERS`.
    max_memory : float, optional
        Byte limit for the RR sets (all executors together); default half of this
        machine's available RAM with a local master, no limit on a cluster.

    Returns
    -------
    SeedSelection

    Examples
    --------
    >>> sel = select_seeds(spark, read_edges(spark, "data/example.csv"), 2,
    ...                    rng=7)  # doctest: +SKIP
    >>> len(sel.seeds)  # doctest: +SKIP
    2
    """
    from ..seeds import select_seeds as local_select
    from .diffusion import SparkCascades
    from .influence import broadcast_graph, influence_of
    from .session import is_local

    method = "opim" if method is None else str(method).lower()
    if method not in ("opim", "imm"):
        raise ValueError(f"method {method!r} does not run on Spark (use 'opim' or 'imm', or "
                         "the local engine)")
    if isinstance(prob, str) and prob.strip().lower().startswith("column"):
        raise ValueError("prob='column:NAME' needs the local reader (use the local engine)")
    if k is None or isinstance(k, bool) or int(k) < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    ig, built = influence_of(graph, prob, type_probs=type_probs, max_broadcast=max_broadcast,
                             progress=progress)
    social = built if built is not None else social
    sc = spark.sparkContext
    if max_memory is None and not is_local(sc.master):
        max_memory = float("inf")  # the sets live on the cluster, spilled to disk if need be
    bc = broadcast_graph(sc, ig, max_broadcast=max_broadcast)
    if driver_members is None:
        driver_members = parse_driver_members(spark.conf.get(DRIVER_MEMBERS_CONF, None))
    make = SparkRRSets.factory(sc, bc, partitions=partitions, driver_members=driver_members)
    try:
        with SparkCascades(sc, ig, partitions=partitions, broadcast=bc) as run:
            return local_select(ig, int(k), method=method, model=model, epsilon=epsilon,
                                ell=ell, targets=targets, include=include, exclude=exclude,
                                evaluate_runs=evaluate_runs,
                                evaluate_precision=evaluate_precision, baselines=baselines,
                                curve_sets=curve_sets, max_memory=max_memory, rng=rng,
                                social=social, progress=progress, rr_sets=make, cascades=run)
    finally:
        make.release()
        try:
            bc.destroy()
        except Exception:  # noqa: BLE001
            pass

