"""The independent evaluation behind :func:`graphkit.seeds.select_seeds` (private):
Monte Carlo spread of a seed set on streams the selection never saw, and the
spread-vs-k curves on fresh RR sets, as NumPy columns."""

from __future__ import annotations

import math

import numpy as np

from ..diffusion.estimate import Z95, SpreadEstimate

#: Columns of :attr:`graphkit.seeds.SeedSelection.curve`.
CURVE_COLUMNS = ("name", "k", "spread", "ci_low", "ci_high", "estimate")
#: Batches for the confidence interval of a targeted spread (batch means).
_TARGET_BATCHES = 20
#: Student t 0.975 quantiles for 1..19 degrees of freedom (the batch-means CI).
_T975 = (12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
         2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905,
         2.109816, 2.100922, 2.093024)


def _evaluate(ig, positions, model, runs, seed, targets, precision=0.0,
              cascades=None) -> SpreadEstimate:
    """Monte Carlo spread of one set; every set gets the same streams (seed) -> paired.

    Without targets: batches (1,024 runs first) until the 95% CI half-width is at most
    ``precision x mean`` or ``runs`` runs are done. With targets: exactly ``runs`` runs in
    20 equal batches (the CI comes from the batch means).
    """
    from .._rng import as_generator
    from ..diffusion import run_cascades as local_cascades
    from ..diffusion.simulation import CHUNK_RUNS

    run_cascades = local_cascades if cascades is None else cascades
    pos = np.asarray(positions, dtype=np.int64)
    ids = tuple(ig.node_ids[pos].tolist())
    gen = as_generator(seed)
    if targets is None:
        reach_parts, steps, act = [], [], np.zeros(ig.n_nodes, dtype=np.int64)
        done, batch = 0, min(runs, 1024)
        while True:
            r, st, a = run_cascades(ig, pos, model, batch, gen, chunk_id0=done // CHUNK_RUNS)
            reach_parts.append(r)
            steps.append(st)
            act += a
            done += batch
            reach = np.concatenate(reach_parts)
            mean, sd = float(reach.mean()), float(reach.std(ddof=1)) if done > 1 else 0.0
            if done >= runs or Z95 * sd / math.sqrt(done) <= precision * mean:
                break
            need = math.ceil((Z95 * sd / (precision * mean)) ** 2 * 1.1) if precision > 0 else runs
            batch = int(min(max(need - done, 1024), runs - done))
            batch = min(-(-batch // CHUNK_RUNS) * CHUNK_RUNS, runs - done)
        return SpreadEstimate.from_counts(reach, _add(steps), act, node_ids=ig.node_ids,
                                          model=model, prob=ig.model, seeds=ids)
    n_b = max(2, min(_TARGET_BATCHES, runs // CHUNK_RUNS))
    per = max(1, runs // n_b)
    means, act = [], np.zeros(ig.n_nodes, dtype=np.int64)
    steps = []
    for b in range(n_b):
        _, s, a = run_cascades(ig, pos, model, per, gen, chunk_id0=b * -(-per // CHUNK_RUNS))
        means.append(a[targets].sum() / per)
        act += a
        steps.append(s)
    total = n_b * per
    mean = float(act[targets].sum()) / total
    sd_b = float(np.std(means, ddof=1))
    half = _T975[n_b - 2] * sd_b / math.sqrt(n_b)
    per_step = _add(steps) / total
    prob_act = act / total
    per_step.flags.writeable = False
    prob_act.flags.writeable = False
    return SpreadEstimate(mean, sd_b * math.sqrt(per), mean - half, mean + half, total, model,
                          ig.model, ids, per_step, prob_act, ig.node_ids)


def _add(parts) -> np.ndarray:
    out = np.zeros(max(len(p) for p in parts), dtype=np.int64)
    for p in parts:
        out[: len(p)] += p
    return out


def _curve_part(name, positions, rr, index, scale, own=None) -> dict:
    """One set's rows of the curve as columns (``CURVE_COLUMNS``)."""
    from .greedy import prefix_coverage

    gains = prefix_coverage(rr.offsets, rr.members, rr.n, positions, index=index)
    frac = np.cumsum(gains) / rr.count
    half = Z95 * np.sqrt(frac * (1 - frac) / rr.count)
    n = len(positions)
    return {"name": np.array([name] * n, dtype=object),
            "k": np.arange(1, n + 1, dtype=np.int64),
            "spread": scale * frac,
            "ci_low": scale * np.maximum(frac - half, 0.0),
            "ci_high": scale * np.minimum(frac + half, 1.0),
            "estimate": (np.full(n, np.nan) if own is None
                         else np.asarray(own, dtype=np.float64)[:n])}


def _stack(parts: list[dict]) -> dict:
    """Curve parts one after the other (``CURVE_COLUMNS`` of 1-d arrays)."""
    return {c: np.concatenate([p[c] for p in parts]) for c in CURVE_COLUMNS}


def _eval_sets(ig, model, cons, count, seed, max_memory):
    from ._rrsets import RRSets, default_max_memory, expected_sets_for_bytes
    from .greedy import invert

    rr = RRSets(ig, model, roots=cons.targets)
    gen = np.random.default_rng(seed)
    rr.extend(min(count, 2048), gen)
    limit = default_max_memory() if max_memory is None else float(max_memory)
    fit = expected_sets_for_bytes(limit / 2, rr.mean_size(), ig.n_nodes)  # inf: no limit
    rr.extend(max(0, int(min(count, fit)) - rr.count), gen)
    return rr, invert(rr.offsets, rr.members, rr.n)
