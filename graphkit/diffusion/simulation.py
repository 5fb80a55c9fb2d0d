"""Monte Carlo cascade simulation: how far does a campaign seeded at chosen users spread?

:func:`simulate` is the public entry point; the work happens in the numba kernels of
:mod:`graphkit.diffusion._kernels`, fed with per-chunk seeds from :mod:`graphkit._rng`, or,
for small work, in their Python twins (:mod:`graphkit.diffusion._small`: the same runs,
without numba's start-up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._batches import on_threads, timed_batches
from .._progress import Progress
from ..errors import InputError
from .estimate import Z95, SpreadEstimate
from .models import as_model

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["simulate", "run_cascades", "CHUNK_RUNS", "AUTO_MAX_RUNS", "AUTO_PRECISION"]

#: Runs per chunk of work; each chunk has its own random stream (DESIGN §5).
CHUNK_RUNS = 64
#: ``runs="auto"`` stops when the 95% CI half-width is at most this fraction of the mean.
AUTO_PRECISION = 0.01
#: ``runs="auto"`` never simulates more runs than this.
AUTO_MAX_RUNS = 1_000_000
#: Runs of the first ``runs="auto"`` batch (and the smallest batch).
AUTO_FIRST_BATCH = 1024
#: The kernels count runs and activations in int32.
_MAX_CALL_RUNS = 2**31 - 1


def _n_workers() -> int:
    import numba

    return int(numba.get_num_threads())


def run_cascades(ig, seed_pos, model, runs: int, rng: RngLike = None, *, max_steps: int | None = None,
                 progress: Progress | None = None,
                 chunk_id0: int = 0, chunk_seed=None):
    """Run ``runs`` cascades on an influence graph from seed *positions* (the raw engine).

    Parameters
    ----------
    ig : InfluenceGraph
    seed_pos : array of int
        Distinct seed positions.
    model : IndependentCascade, LinearThreshold, "ic" or "lt"
    runs : int
    rng : int, Generator or None
        One 64-bit seed is drawn per chunk of :data:`CHUNK_RUNS` runs, so results do
        not depend on the number of threads.
    max_steps : int or None
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        the runs done between batches of chunks (results are the same with or without it).
    chunk_id0 : int
        Global id of the first chunk (its stream id); callers running several
        batches from one generator pass the running chunk count.
    chunk_seed : array of uint64, optional
        The chunks' seeds, instead of drawing them from ``rng`` (one per chunk of
        :data:`CHUNK_RUNS` runs): the Spark engine runs slices of one job's chunks on
        its executors and gets the very runs this function would.

    Returns
    -------
    reach : ndarray of int64 (runs,)
    step_sum : ndarray of int64
        Newly activated users per step, summed over runs (step 0 = seeds).
    act : ndarray of int64 (n,)
        Runs in which each user ended active.
    """
    from .. import _pystreams, _rng
    from . import _small

    model = as_model(model)
    values = np.ascontiguousarray(model.edge_values(ig), dtype=np.float64)
    seeds = np.ascontiguousarray(seed_pos, dtype=np.int64)
    runs = int(runs)
    if not 1 <= runs <= _MAX_CALL_RUNS:
        raise ValueError(f"runs must be between 1 and {_MAX_CALL_RUNS:,}, got {runs}")
    n_chunks = -(-runs // CHUNK_RUNS)
    if chunk_seed is None:
        chunk_seed = _rng.chunk_seeds(rng, n_chunks)
    elif len(chunk_seed) != n_chunks:
        raise ValueError(f"need one chunk seed per {CHUNK_RUNS} runs ({n_chunks}), "
                         f"got {len(chunk_seed)}")
    chunk_seed = np.asarray(chunk_seed, dtype=np.uint64)
    steps = -1 if max_steps is None else int(max_steps)
    reach_parts, step_parts, act = [], [], np.zeros(ig.n_nodes, dtype=np.int64)
    done = 0  # chunks run by the Python twin (the same chunks as the kernels': no numba)
    if _small.may_start(ig, seeds, min(runs, CHUNK_RUNS)):
        twin = (model.name, ig.indptr, ig.indices, values, seeds)
        reach, step_sum, act, drawn = _small.run_chunks(*twin, chunk_seed[:1], chunk_id0,
                                                        CHUNK_RUNS, min(runs, CHUNK_RUNS), steps)
        _pystreams.spend(drawn)
        reach_parts.append(reach)
        step_parts.append(step_sum)
        done = 1
        if n_chunks > 1 and _pystreams.may_draw(drawn * (n_chunks - 1)):
            reach, step_sum, a, _ = _small.run_chunks(*twin, chunk_seed[1:], chunk_id0 + 1,
                                                      CHUNK_RUNS, runs - CHUNK_RUNS, steps,
                                                      guess=drawn + drawn // 8 + 16)
            reach_parts.append(reach)
            step_parts.append(step_sum)
            act += a
            done = n_chunks
        if progress is not None:
            progress("simulating runs", min(runs, done * CHUNK_RUNS), runs)
    if done < n_chunks:
        from . import _kernels

        kernel = _kernels.ic_runs if model.name == "ic" else _kernels.lt_runs
        workers = _n_workers()
    else:
        kernel = workers = None
    # calls of ~0.25 s, so that Ctrl-C is honoured at once (the result does not depend on
    # the batching: every chunk has its own stream); at least one chunk per worker
    for b0, b1 in (timed_batches(n_chunks - done, first=workers, least=workers)
                   if kernel is not None else ()):
        c0, c1 = done + b0, done + b1
        r0 = c0 * CHUNK_RUNS
        r1 = min(runs, c1 * CHUNK_RUNS)
        reach, step_sum, a = _on_workers(kernel, workers, ig.n_nodes, r1 - r0, steps,
                                         (ig.indptr, ig.indices, values, seeds,
                                          chunk_seed[c0:c1], chunk_id0 + c0, CHUNK_RUNS))
        reach_parts.append(reach)
        step_parts.append(step_sum)
        act += a
        if progress is not None:
            progress("simulating runs", r1, runs)
    return np.concatenate(reach_parts), _add_ragged(step_parts), act


def _on_workers(kernel, workers: int, n: int, n_runs: int, steps: int, args):
    """One call of a run kernel per worker (:func:`graphkit._batches.on_threads`: the
    kernels release the GIL), then their tallies added up.

    Returns ``reach, step_sum, act`` (see :func:`run_cascades`).
    """
    cap = n + 1 if steps < 0 else min(n, steps) + 1
    reach = np.zeros(n_runs, dtype=np.int64)
    act_w = np.zeros((workers, n), dtype=np.int32)
    step_w = np.zeros((workers, cap), dtype=np.int64)
    depth_w = np.zeros(workers, dtype=np.int64)
    on_threads(lambda w: kernel(w, workers, *args, n_runs, steps, reach, act_w, step_w, depth_w),
               workers)
    depth = int(depth_w.max())
    return reach, step_w[:, :depth + 1].sum(axis=0), act_w.sum(axis=0, dtype=np.int64)


def _add_ragged(parts) -> np.ndarray:
    out = np.zeros(max(len(p) for p in parts), dtype=np.int64)
    for p in parts:
        out[: len(p)] += p
    return out


def simulate(graph, seeds, model="ic", *, runs: int | str = 10000, rng: RngLike = None,
             max_steps: int | None = None, partition=None, prob=None, missing: str = "raise",
             max_runs: int = AUTO_MAX_RUNS,
             progress: Progress | None = None, cascades=None) -> SpreadEstimate:
    """Estimate how far a cascade started at ``seeds`` spreads.

    Simulates the Independent Cascade or Linear Threshold model [1]_ many times on
    the influence graph (influence flows from the user acted on to the actor,
    DESIGN §2) and summarises the reach: mean with a 95% confidence interval,
    the mean cascade curve, each user's activation probability and, given a
    partition, the expected reach inside each community.

    Parameters
    ----------
    graph : InfluenceGraph or SocialGraph
        An influence graph (:func:`graphkit.influence_graph`), or a social graph
        turned into one with ``prob``.
    seeds : iterable of str
        Seed user ids (duplicates are ignored). Seeds count in the reach.
    model : {"ic", "lt"} or IndependentCascade or LinearThreshold, optional
        Default ``"ic"``.
    runs : int or "auto", optional
        Number of simulated cascades (default 10000). ``"auto"`` simulates batches
        until the 95% CI half-width is at most 1% of the mean, or ``max_runs`` runs;
        ``SpreadEstimate.converged`` says which.
    rng : int, numpy.random.Generator or None, optional
        Randomness; the same int gives the same result on any number of threads.
    max_steps : int, optional
        Stop every cascade after this many steps (None: until it dies out).
    partition : optional
        Community of each user, for the per-community reach: a DataFrame with
        ``user`` and ``community`` columns (what ``graphkit communities`` writes),
        a mapping or Series ``user -> community``, or a sequence aligned with the
        graph's users. Users without a community are grouped as ``"(unassigned)"``.
    prob : str, optional
        With a SocialGraph: the probability model (default ``"wc"``; see
        :func:`graphkit.influence_graph`). Not allowed with an InfluenceGraph.
    missing : {"raise", "drop"}, optional
        Unknown seed ids raise :class:`~graphkit.errors.UnknownUserError` listing
        them (default), or are skipped and listed in ``unknown_seeds``.
    max_runs : int, optional
        Cap of ``runs="auto"`` (default 1,000,000).
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        the runs done (``total`` is None with ``runs="auto"``).
    cascades : callable, optional
        What runs the cascades, with :func:`run_cascades`' signature and results
        (default :func:`run_cascades` itself); the Spark engine passes one that spreads
        the chunks over its executors.

    Returns
    -------
    SpreadEstimate

    Raises
    ------
    InputError
        Empty seed set (also after dropping unknown seeds); UnknownUserError for
        unknown seeds.
    ValueError
        Bad ``runs``, ``max_steps``, ``model`` or ``missing``.

    Notes
    -----
    Runs are cut into chunks of 64; each chunk draws from its own stream seeded from
    ``rng``, so results are identical for any thread count. With ``runs="auto"``
    the batch sizes depend only on the results so far, so the outcome is
    reproducible too. The CI uses the normal approximation
    ``mean -/+ 1.96 std / sqrt(runs)``.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "bob")])
    >>> est = gk.simulate(g, ["alice"], "ic", runs=1000, rng=7)   # wc: every p = 1
    >>> est.mean, est.per_step.tolist()
    (3.0, [1.0, 1.0, 1.0])

    References
    ----------
    .. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence
       through a social network", KDD 2003.
    .. [2] W. Chen, Y. Wang, S. Yang, "Efficient influence maximization in social
       networks", KDD 2009.
    """
    from .._rng import as_generator
    from ..weighting import as_influence_graph

    model = as_model(model)
    ig = as_influence_graph(graph, prob)
    if missing not in ("raise", "drop"):
        raise ValueError(f"missing must be 'raise' or 'drop', got {missing!r}")
    if max_steps is not None and (isinstance(max_steps, bool) or int(max_steps) < 0):
        raise ValueError(f"max_steps must be a non-negative int or None, got {max_steps!r}")
    auto = isinstance(runs, str)
    if auto and runs != "auto":
        raise ValueError(f"runs must be a positive int or 'auto', got {runs!r}")
    if not auto and (isinstance(runs, bool) or int(runs) < 1):
        raise ValueError(f"runs must be a positive int or 'auto', got {runs!r}")

    seed_ids, seed_pos, unknown = _resolve_seeds(ig, seeds, missing)
    communities = None if partition is None else _partition_labels(ig, partition)
    gen = as_generator(rng)
    run = run_cascades if cascades is None else cascades
    if auto:
        reach, step_sum, act, converged = _auto_runs(ig, seed_pos, model, gen, max_steps,
                                                     int(max_runs), progress, run)
    else:
        reach, step_sum, act = run(ig, seed_pos, model, int(runs), gen,
                                   max_steps=max_steps, progress=progress)
        converged = None
    per_comm = None
    if communities is not None:
        per_comm = _per_community(communities, act / reach.shape[0], seed_pos)
    return SpreadEstimate.from_counts(
        reach, step_sum, act, node_ids=ig.node_ids, model=model.name, prob=ig.model,
        seeds=seed_ids, per_community=per_comm, converged=converged,
        max_steps=None if max_steps is None else int(max_steps), unknown_seeds=unknown)


# --------------------------------------------------------------------------- helpers
def _resolve_seeds(ig, seeds, missing):
    from ..errors import UnknownUserError

    if isinstance(seeds, str):
        seeds = [seeds]
    ids = list(dict.fromkeys(str(s) for s in seeds))
    if not ids:
        raise InputError("the seed set is empty: give at least one seed user")
    import pandas as pd

    pos = pd.Index(ig.node_ids).get_indexer(ids)
    unknown = tuple(u for u, p in zip(ids, pos) if p < 0)
    if unknown and missing == "raise":
        raise UnknownUserError(unknown, what="seed user")
    known = [u for u, p in zip(ids, pos) if p >= 0]
    if not known:
        raise InputError("the seed set is empty: none of the seed users is in the graph")
    return tuple(known), pos[pos >= 0].astype(np.int64), unknown


def _auto_runs(ig, seed_pos, model, gen, max_steps, max_runs, progress, run=run_cascades):
    """Batches until the CI half-width <= AUTO_PRECISION * mean, or ``max_runs`` runs."""
    if max_runs < 1:
        raise ValueError(f"max_runs must be positive, got {max_runs}")
    reach_parts, step_parts = [], []
    act = np.zeros(ig.n_nodes, dtype=np.int64)
    done = 0
    batch = min(AUTO_FIRST_BATCH, max_runs)
    converged = False
    while True:
        r, s, a = run(ig, seed_pos, model, batch, gen, max_steps=max_steps,
                      chunk_id0=-(-done // CHUNK_RUNS))
        reach_parts.append(r)
        step_parts.append(s)
        act += a
        done += batch
        allr = np.concatenate(reach_parts)
        mean = float(allr.mean())
        std = float(allr.std(ddof=1)) if done > 1 else 0.0
        if Z95 * std / math.sqrt(done) <= AUTO_PRECISION * mean:
            converged = True
        if progress is not None:
            progress("simulating runs until the CI is tight", done, None)
        if converged or done >= max_runs:
            break
        need = math.ceil((Z95 * std / (AUTO_PRECISION * mean)) ** 2)
        batch = max(int(need * 1.1) - done, AUTO_FIRST_BATCH)
        batch = int(min(-(-batch // CHUNK_RUNS) * CHUNK_RUNS, max_runs - done))
    return np.concatenate(reach_parts), _add_ragged(step_parts), act, converged


def _partition_labels(ig, partition) -> np.ndarray:
    """Community label of every user (object array; None where unassigned)."""
    import pandas as pd

    n = ig.n_nodes
    table = getattr(partition, "table", None)
    if isinstance(table, pd.DataFrame):
        partition = table
    if isinstance(partition, pd.DataFrame):
        missing = [c for c in ("user", "community") if c not in partition.columns]
        if missing:
            raise InputError(f"a partition table needs the columns user, community "
                             f"(missing: {', '.join(missing)})")
        partition = dict(zip(partition["user"].astype(str), partition["community"]))
    elif isinstance(partition, pd.Series):
        partition = dict(zip(partition.index.astype(str), partition.to_numpy()))
    if isinstance(partition, Mapping):
        labels = pd.Series({str(k): v for k, v in partition.items()}, dtype=object)
        return labels.reindex(pd.Index(ig.node_ids)).to_numpy(dtype=object)
    arr = np.asarray(partition, dtype=object)
    if arr.shape != (n,):
        raise ValueError(f"a partition sequence needs one label per user ({n}), got {arr.shape}")
    return arr


UNASSIGNED = "(unassigned)"


def _per_community(labels, prob_act, seed_pos):
    import pandas as pd

    lab = np.array([UNASSIGNED if (x is None or (isinstance(x, float) and math.isnan(x))) else x
                    for x in labels], dtype=object)
    is_seed = np.zeros(len(lab), dtype=np.int64)
    is_seed[seed_pos] = 1
    df = pd.DataFrame({"community": lab, "p": prob_act, "seed": is_seed})
    g = df.groupby("community", sort=False)
    out = pd.DataFrame({
        "users": g.size(),
        "seeds": g["seed"].sum(),
        "expected_reach": g["p"].sum(),
    }).reset_index()
    out["share"] = out["expected_reach"] / out["users"]
    out["_key"] = out["community"].astype(str)
    out = out.sort_values(["expected_reach", "_key"], ascending=[False, True], kind="mergesort")
    return out.drop(columns="_key").reset_index(drop=True)
