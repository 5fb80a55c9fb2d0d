"""What the held-out evaluation adds to its main table (private; used by ``_learn_eval``).

* :func:`paired_comparison` -- is the learned model's lead (or lag) over each baseline larger
  than the noise? Per-cascade differences, their mean with a 95% confidence interval, and
  the number of cascades won, lost and tied.
* :func:`coverage` -- how many held-out re-sharers any graph-based model *could* predict: an
  initiator's direct neighbours, users a longer path reaches, and users no path reaches.
* :func:`exposure_table` -- the probabilities tested where they act, as Goyal, Bonchi and
  Lakshmanan (WSDM 2010) test them: every user one of whose influencers acted in a held-out
  cascade is scored by ``1 - prod (1 - p)`` over those influencers, and ranked against
  whether the user then acted. No simulation, so no Monte-Carlo resolution limit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .metrics import auc_ap, tie_groups

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

#: Normal quantile of the two-sided 95% confidence intervals.
Z95 = 1.959963984540054
#: Bootstrap resamples of :func:`exposure_table`.
BOOTSTRAP = 1000


def n_initiators(cascades) -> np.ndarray:
    """Per cascade, the number of users active at its first timestamp (its initiators)."""
    sizes = cascades.sizes()
    if cascades.n_cascades == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(cascades.time[cascades.ptr[:-1]], sizes)
    at_start = (cascades.time == first).astype(np.int64)
    return np.bincount(cascades.cascade_of_action(), weights=at_start,
                       minlength=cascades.n_cascades).astype(np.int64)


def paired_comparison(per_cascade, reference: str = "learned"):
    """``reference`` against every other model, cascade by cascade.

    Parameters
    ----------
    per_cascade : pandas.DataFrame
        ``item, model, auc, average_precision`` (one row per evaluated cascade and model).

    Returns
    -------
    pandas.DataFrame
        One row per (other model, metric): ``model, metric`` (``auc`` or
        ``average_precision``), ``mean_diff`` (mean of reference minus model over the
        cascades where both are defined), ``ci_low, ci_high`` (95%, normal approximation
        of the mean of paired differences), ``wins, losses, ties`` (cascades where the
        reference scores higher, lower, equal), ``cascades``.
    """
    import pandas as pd

    rows = []
    ref = per_cascade[per_cascade["model"] == reference].set_index("item")
    for model in per_cascade["model"].drop_duplicates():
        if model == reference:
            continue
        other = per_cascade[per_cascade["model"] == model].set_index("item")
        for metric in ("auc", "average_precision"):
            a, b = ref[metric].align(other[metric], join="inner")
            d = (a - b).to_numpy(dtype=np.float64)
            d = d[np.isfinite(d)]
            n = d.shape[0]
            mean = float(d.mean()) if n else math.nan
            half = Z95 * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
            rows.append((model, metric, mean, mean - half, mean + half, int((d > 0).sum()),
                         int((d < 0).sum()), int((d == 0).sum()), n))
    return pd.DataFrame(rows, columns=["model", "metric", "mean_diff", "ci_low", "ci_high",
                                       "wins", "losses", "ties", "cascades"])


def verdict(row) -> str:
    """``"better"``, ``"worse"``, ``"no significant difference"`` or ``"too few cascades"``
    (no interval) from a comparison row."""
    import pandas as pd

    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return "too few cascades"
    if row["ci_low"] > 0:
        return "better"
    if row["ci_high"] < 0:
        return "worse"
    return "no significant difference"


def coverage(test, forward) -> dict:
    """Where the held-out re-sharers sit relative to their cascades' initiators.

    ``forward`` is an influence graph (its ``indptr``/``indices``: row ``v`` lists who ``v``
    may influence). Counts every non-initiator action of ``test``: ``resharers``, ``direct``
    (an initiator's influence neighbour), ``path`` (reached by a longer path) and
    ``unreachable`` (by no path: no graph-based model can score them above zero). How many
    were exposed is :func:`exposure_table`'s ``positives``.
    """
    from . import _eval_kernels as K

    cls = K.reach_classes(test.ptr, test.users, n_initiators(test), forward.indptr,
                          forward.indices, test.n_nodes)
    return {"resharers": int((cls >= 0).sum()), "direct": int((cls == K.DIRECT).sum()),
            "path": int((cls == K.PATH).sum()),
            "unreachable": int((cls == K.UNREACHABLE).sum())}


def exposure_table(test, models: dict, rng: RngLike = None, n_boot: int = BOOTSTRAP):
    """Pooled ROC-AUC and average precision of every model over the exposed users.

    Parameters
    ----------
    test : Cascades
    models : dict of name -> InfluenceGraph
        All built on the same graph (same edges). The first is the reference of the
        comparison.
    rng : int, numpy.random.Generator or None, optional
        Seeds the bootstrap.
    n_boot : int, optional
        Bootstrap resamples of the test cascades (default 1000; 0: no intervals).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The table, one row per model: ``model, auc, average_precision, exposed``
        ((cascade, user) pairs, the same for every model), ``positives`` (those that
        acted). And the reference against every other model: ``model, metric``
        (``exposed_auc``), ``mean_diff`` (the difference of the pooled AUCs), ``ci_low,
        ci_high`` (95% percentile interval of that difference over resamples of whole
        cascades, the unit the pairs are correlated within), ``cascades``.
    """
    import pandas as pd

    from .._rng import as_generator
    from . import _eval_kernels as K

    seeds = n_initiators(test)
    rows, scores = [], {}
    casc = active = None
    for name, ig in models.items():
        casc, _, active, score = K.exposure_scores(test.ptr, test.users, test.time, seeds,
                                                   ig.indptr, ig.indices, ig.prob, test.n_nodes)
        pos = active.astype(np.float64)
        auc, ap = auc_ap(score, pos, 1.0 - pos)
        rows.append((name, auc, ap, int(active.shape[0]), int(active.sum())))
        scores[name] = score
    table = pd.DataFrame(rows, columns=["model", "auc", "average_precision", "exposed",
                                        "positives"])
    names = list(models)
    boot = _bootstrap_auc(scores, casc, active, test.n_cascades, as_generator(rng), n_boot)
    diffs = []
    for name in names[1:]:
        point = float(table["auc"].iloc[0] - table.set_index("model").loc[name, "auc"])
        if boot is None:
            lo = hi = math.nan
        else:
            d = boot[names[0]] - boot[name]
            d = d[np.isfinite(d)]
            lo, hi = (np.percentile(d, [2.5, 97.5]).tolist() if d.shape[0] else
                      (math.nan, math.nan))
        diffs.append((name, "exposed_auc", point, lo, hi, test.n_cascades))
    comparison = pd.DataFrame(diffs, columns=["model", "metric", "mean_diff", "ci_low",
                                              "ci_high", "cascades"])
    return table, comparison


#: Resamples drawn at a time by :func:`_bootstrap_auc` (bounds the weight matrix).
_BOOT_CHUNK = 64


def _bootstrap_auc(scores: dict, casc, active, n_cascades: int, gen, n_boot: int):
    """Each model's pooled AUC on ``n_boot`` resamples (with replacement) of whole cascades.

    A resample weighs every (cascade, user) pair by how often its cascade was drawn; the
    same resamples serve every model. Sorting happens once per model; the resamples run in
    a numba kernel (:func:`resampled_auc`).
    """
    if n_boot <= 0 or active.shape[0] == 0:
        return None
    prepared = {}
    for name, s in scores.items():
        order, last = tie_groups(s)
        prepared[name] = (np.ascontiguousarray(casc[order]),
                          np.ascontiguousarray(active[order]), last)
    out = {name: np.empty(n_boot) for name in scores}
    for lo in range(0, n_boot, _BOOT_CHUNK):
        hi = min(n_boot, lo + _BOOT_CHUNK)
        w = np.stack([np.bincount(gen.integers(0, n_cascades, n_cascades),
                                  minlength=n_cascades) for _ in range(hi - lo)])
        w = w.astype(np.float64)
        for name, (c, a, last) in prepared.items():
            out[name][lo:hi] = resampled_auc(c, a, last, w)
    return out


def resampled_auc(casc, active, group_end, weights) -> np.ndarray:
    """ROC-AUC of one scoring under each resample (row) of ``weights``: the kernel
    :func:`graphkit.learn._eval_kernels.auc_rows` on threads, same result on any number."""
    import numba

    from .._batches import on_threads
    from . import _eval_kernels as K

    out = np.empty(weights.shape[0])
    workers = max(1, min(int(numba.get_num_threads()), weights.shape[0]))
    on_threads(lambda t: K.auc_rows(casc, active, group_end, weights, t, workers, out), workers)
    return out
