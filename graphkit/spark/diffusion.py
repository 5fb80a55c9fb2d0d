"""Monte Carlo cascades on Spark, with the local engine's runs.

The local engine (:func:`graphkit.diffusion.run_cascades`) cuts the runs into fixed chunks
of :data:`~graphkit.diffusion.simulation.CHUNK_RUNS` runs and gives chunk ``c`` the stream
``(chunk_seed[c], c)``, one 64-bit seed per chunk drawn from the caller's generator. The
Spark engine draws the same seeds on the driver, hands each task a range of chunks with
their seeds, and each task runs the local kernel on the broadcast influence graph. A run's
result depends only on its chunk, and the per-user counts are integers, so the result is
byte-identical for any number of tasks, partitions or executors -- and identical to the
local engine on the same graph numbering (:mod:`graphkit.spark.influence`).
"""

from __future__ import annotations

import numpy as np

from .._progress import Progress

__all__ = ["SparkCascades", "simulate", "task_threads"]


def task_threads() -> int:
    """Numba threads for a kernel inside a Spark task: the task's CPUs (1 by default), so
    two tasks on two cores do not run four threads. Results never depend on it."""
    import numba

    try:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        cpus = int(ctx.cpus()) if ctx is not None else int(numba.get_num_threads())
    except Exception:  # noqa: BLE001 - an old pyspark without TaskContext.cpus
        cpus = 1
    cpus = max(1, min(cpus, int(numba.config.NUMBA_NUM_THREADS)))
    numba.set_num_threads(cpus)
    return cpus


class SparkCascades:
    """:func:`graphkit.diffusion.run_cascades` with its chunks run on Spark executors.

    Call it as ``run_cascades`` (same arguments, same results); pass it as ``cascades=``
    to :func:`graphkit.diffusion.simulate` or :func:`graphkit.select_seeds`. Use it as a
    context manager (or call :meth:`close`) to drop the broadcast graph.

    Parameters
    ----------
    sc : pyspark.SparkContext
    ig : InfluenceGraph
    partitions : int, optional
        Spark tasks per batch of runs (default: twice the default parallelism). Results
        do not depend on it.
    broadcast : pyspark.Broadcast, optional
        ``ig`` already broadcast (:func:`graphkit.spark.influence.broadcast_graph`); it is
        then left for its owner to destroy.
    max_broadcast : int or str, optional
        The broadcast limit (see :mod:`graphkit.spark.influence`).
    """

    def __init__(self, sc, ig, *, partitions: int | None = None, broadcast=None,
                 max_broadcast=None):
        from .influence import broadcast_graph

        self.sc = sc
        self.n = ig.n_nodes
        self.partitions = partitions
        self._own = broadcast is None
        self._bc = broadcast_graph(sc, ig, max_broadcast=max_broadcast) if self._own else broadcast
        self.jobs = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._own and self._bc is not None:
            try:
                self._bc.destroy()
            except Exception:  # noqa: BLE001 - the context may be gone already
                pass
        self._bc = None

    def _tasks(self, n_chunks: int) -> list[tuple[int, int]]:
        p = self.partitions or 2 * int(self.sc.defaultParallelism)
        p = max(1, min(int(p), n_chunks))
        bounds = np.linspace(0, n_chunks, p + 1).round().astype(np.int64)
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]

    def __call__(self, ig, seed_pos, model, runs: int, rng=None, *, max_steps: int | None = None,
                 progress: Progress | None = None, chunk_id0: int = 0):
        from .._rng import chunk_seeds
        from ..diffusion import as_model
        from ..diffusion.simulation import CHUNK_RUNS

        if ig.n_nodes != self.n:
            raise ValueError("this runner was built for another influence graph")
        runs = int(runs)
        if runs < 1:
            raise ValueError(f"runs must be positive, got {runs}")
        name = as_model(model).name
        pos = np.ascontiguousarray(seed_pos, dtype=np.int64)
        n_chunks = -(-runs // CHUNK_RUNS)
        seeds = chunk_seeds(rng, n_chunks)  # the local engine's very draw
        bc, first = self._bc, int(chunk_id0)

        def work(task):
            from graphkit.diffusion import run_cascades

            c0, c1 = task
            r0, r1 = c0 * CHUNK_RUNS, min(runs, c1 * CHUNK_RUNS)
            task_threads()
            reach, step_sum, act = run_cascades(bc.value, pos, name, r1 - r0, None,
                                                max_steps=max_steps, chunk_id0=first + c0,
                                                chunk_seed=seeds[c0:c1])
            nz = np.flatnonzero(act)
            return c0, reach, step_sum, nz.astype(np.int64), act[nz]

        tasks = self._tasks(n_chunks)
        parts = self.sc.parallelize(tasks, len(tasks)).map(work).collect()
        self.jobs += 1
        parts.sort(key=lambda p: p[0])
        reach = np.concatenate([p[1] for p in parts])
        depth = max(len(p[2]) for p in parts)
        step_sum = np.zeros(depth, dtype=np.int64)
        act = np.zeros(self.n, dtype=np.int64)
        for _, _, s, nz, a in parts:
            step_sum[: len(s)] += s
            act[nz] += a
        if progress is not None:
            progress("simulating runs", runs, runs)
        return reach, step_sum, act


def simulate(spark, graph, seeds, model="ic", *, runs: int | str = 10000, rng=None,
             prob=None, type_probs=None, max_steps: int | None = None, partition=None,
             missing: str = "raise", partitions: int | None = None, max_broadcast=None,
             progress: Progress | None = None):
    """Estimate how far a cascade started at ``seeds`` spreads, on Spark.

    The local engine's :func:`graphkit.simulate` (see there for the model, ``runs``
    including ``"auto"``, ``max_steps``, ``partition``, ``missing`` and the result) with
    its Monte Carlo chunks run on the executors against a broadcast influence graph.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    graph : SparkEdges, SparkGraph, SocialGraph or InfluenceGraph
        Spark edges are merged on the cluster and collected once
        (:func:`graphkit.spark.influence.social_graph`).
    seeds : iterable of str
    model : {"ic", "lt"}
    prob : str, optional
        The probability model (default ``"wc"``); not with an InfluenceGraph.
        ``column:NAME`` needs the local reader (refused).
    type_probs : mapping, optional
        For ``prob="typed"``.
    rng : int, Generator or None
        The same int gives the same estimate as the local engine on the same graph
        numbering, for any ``partitions``.
    partitions : int, optional
        Spark tasks per batch of runs (results do not depend on it).
    max_broadcast : int or str, optional
        Bytes the broadcast graph may take (default ``spark.graphkit.maxBroadcast`` or
        2 GiB); a larger graph is refused with its size.

    Returns
    -------
    SpreadEstimate

    Examples
    --------
    >>> est = simulate(spark, read_edges(spark, "data/example.csv"), ["alice"],
    ...                runs=1000, rng=7)  # doctest: +SKIP
    >>> est.ci_low <= est.mean <= est.ci_high  # doctest: +SKIP
    True
    """
    from ..diffusion import simulate as local_simulate
    from .influence import influence_of

    if isinstance(prob, str) and prob.strip().lower().startswith("column"):
        raise ValueError("prob='column:NAME' needs the local reader (use the local engine)")
    ig, _ = influence_of(graph, prob, type_probs=type_probs, max_broadcast=max_broadcast,
                         progress=progress)
    with SparkCascades(spark.sparkContext, ig, partitions=partitions,
                       max_broadcast=max_broadcast) as run:
        return local_simulate(ig, seeds, model, runs=runs, rng=rng, max_steps=max_steps,
                              partition=partition, missing=missing, progress=progress,
                              cascades=run)
