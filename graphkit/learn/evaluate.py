"""Held-out evaluation of influence probabilities.

The cascades are split by time: ordered by start time, the last ``holdout`` fraction is the test
set and the estimator is fitted on the others only. For every test cascade, its initiators (the
users active at its first timestamp) seed an Independent Cascade simulation under each
probability model; every other user of the graph is scored by its simulated activation
probability and ranked against what really happened (ROC-AUC, average precision), and the
expected cascade size is compared with the real one.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._progress import Progress
from ..errors import InputError
from .metrics import auc_ap

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .._rng import RngLike

__all__ = ["evaluate_probabilities", "LearnEvaluation", "BASELINES", "graph_before"]

#: The models every evaluation compares the learned probabilities with.
BASELINES = ("wc", "uniform", "trivalency")


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class LearnEvaluation:
    """How well each probability model predicted the held-out cascades.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (``learned`` first, then ``wc``, ``uniform``, ``trivalency``):
        ``model, prob, auc, average_precision, size_error, predicted_size, actual_size,
        cascades``: macro-averages over the evaluated test cascades (each counts once,
        whatever its size). ``size_error`` is the mean ``|predicted - actual|`` size in
        users (seeds included in both).
    per_cascade : pandas.DataFrame
        ``item, model, seeds, actual_size, predicted_size, auc, average_precision``.
    comparison : pandas.DataFrame
        ``learned`` against each baseline: ``model, metric, mean_diff, ci_low, ci_high,
        wins, losses, ties, cascades``. Metrics ``auc`` and ``average_precision``: the
        per-cascade differences (paired), their mean and its 95% interval, the cascades
        won, lost and tied. Metric ``exposed_auc``: the difference of the pooled exposure
        AUCs and its 95% bootstrap interval over resampled cascades (no wins/losses). An
        interval that excludes 0 is a significant difference.
    exposure : pandas.DataFrame
        The probabilities tested where they act (Goyal et al.'s protocol, no simulation):
        every user one of whose influencers acted in a test cascade, scored
        ``1 - prod (1 - p)`` over those influencers, against whether the user then acted;
        ``model, auc, average_precision, exposed, positives``, pooled over every test
        cascade (also those nobody re-shared: their exposed users are negatives).
    coverage : dict
        The test cascades' re-sharers (non-initiators): ``resharers, direct, path,
        unreachable, exposed`` -- an initiator's influence neighbours, reached by longer
        paths, reached by no path in the evaluation graph (every model scores them 0), and
        those with an influencer active before them.
    estimator : estimator
        The estimator fitted on the training cascades only.
    train_cascades, test_cascades, evaluated_cascades : int
        ``evaluated`` leaves out test cascades with nobody to predict (only initiators).
    split_time : str
        ISO 8601 start time of the first test cascade.
    runs : int
        Simulations per test cascade and model.
    uniform_p : float
    """

    table: pd.DataFrame
    per_cascade: pd.DataFrame
    estimator: object
    train_cascades: int
    test_cascades: int
    evaluated_cascades: int
    split_time: str
    runs: int
    holdout: float
    uniform_p: float
    details: dict = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    exposure: pd.DataFrame | None = None
    coverage: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready: ``model -> {prob, auc, average_precision, size_error, predicted_size,
        actual_size, exposed_auc, exposed_average_precision}``."""
        out = {}
        for row in self.table.to_dict(orient="records"):
            name = row.pop("model")
            row.pop("cascades", None)
            out[name] = row
        if self.exposure is not None:
            for row in self.exposure.to_dict(orient="records"):
                out[row["model"]].update(exposed_auc=row["auc"],
                                         exposed_average_precision=row["average_precision"])
        return out

    def comparison_dict(self) -> dict:
        """JSON-ready paired comparison: ``model -> metric -> {mean_diff, ci, wins, losses,
        ties, cascades, verdict}`` (learned minus the model)."""
        import pandas as pd

        from ._compare import verdict

        out: dict = {}
        if self.comparison is None:
            return out
        for row in self.comparison.to_dict(orient="records"):
            entry = {"mean_diff": row["mean_diff"], "ci": [row["ci_low"], row["ci_high"]]}
            for k in ("wins", "losses", "ties"):
                if not pd.isna(row[k]):
                    entry[k] = int(row[k])
            entry.update(cascades=int(row["cascades"]), verdict=verdict(row))
            out.setdefault(row["model"], {})[row["metric"]] = entry
        return out

    def summary(self) -> dict:
        """The split: holdout, cascade counts, split time, runs, uniform_p."""
        return {"holdout": self.holdout, "train_cascades": self.train_cascades,
                "test_cascades": self.test_cascades,
                "evaluated_cascades": self.evaluated_cascades, "split_time": self.split_time,
                "runs": self.runs, "uniform_p": self.uniform_p, **self.details}


# --------------------------------------------------------------------------- evaluation
def evaluate_probabilities(graph, actions, estimator="bernoulli", *, holdout: float = 0.2,
                           runs: int = 100, uniform_p: float = 0.01, edges=None, rng: RngLike = None,
                           max_steps: int | None = None,
                           progress: Progress | None = None) -> LearnEvaluation:
    """Fit on the earlier cascades, predict the later ones: learned vs WC, uniform, trivalency.

    Parameters
    ----------
    graph : SocialGraph
    actions : Cascades, ActionLog or pandas.DataFrame
        The action log (``user, item, timestamp``).
    estimator : str or estimator, optional
        ``"bernoulli"`` (default), ``"jaccard"``, ``"em"``, or an unfitted estimator
        object; it is fitted on the training cascades only.
    holdout : float, optional
        Fraction of cascades held out, the latest by start time (default 0.2).
    runs : int, optional
        Independent Cascade simulations per test cascade and model (default 100).
    uniform_p : float, optional
        The uniform baseline's probability (default 0.01, the literature's usual value).
    edges : EdgeTable, optional
        The table ``graph`` was built from. When given and it has timestamps, the
        evaluation (fitting and simulating) runs on the graph **as it was when the first
        test cascade started**: rows timestamped at or after that time are left out
        (rows without a time, such as follows, stay). Without it, the whole graph is used.
    rng : int, numpy.random.Generator or None, optional
        Seeds the simulations and the trivalency draw. Every model simulates test cascade
        ``i`` with the same random stream (common random numbers).
    max_steps : int, optional
        Cut the simulated cascades after this many steps.
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        the number of test cascades done.

    Returns
    -------
    LearnEvaluation

    Raises
    ------
    InputError
        Too few cascades to split; no test cascade with anyone to predict.

    Notes
    -----
    *Seeds*: a test cascade's initiators, the users active at its first timestamp.
    *Candidates*: every other user of the graph; a candidate is positive when it acted in
    the cascade. *Score*: its activation probability over ``runs`` simulations (0 when never
    reached). AUC and average precision are computed per cascade and macro-averaged; test
    cascades with only initiators have nothing to rank and are left out (counted).
    *Size*: predicted = expected number of active users (seeds included), actual = users
    of the graph in the cascade.

    Scores come from ``runs`` simulations, so an activation probability below about
    ``1 / runs`` usually reads 0, tied with the unreached users: this favours models that
    spread widely. ``comparison`` says whether the learned model's difference to each
    baseline exceeds the cascade-to-cascade noise; ``exposure`` tests the probabilities
    without simulation; ``coverage`` counts the re-sharers no model can reach.

    The estimator never sees a test cascade: it is fitted on ``split_cascades(...)[0]``.
    The graph is another way in: when the edge files hold the very interactions the test
    cascades are made of (the share rows behind the retweets), every model that follows
    the graph's edges already "knows" who re-shared whom later. Pass ``edges`` to evaluate
    on the graph as of the split time.

    Examples
    --------
    Ten videos, each shared by alice, then bob, then carol (bob and carol follow alice): the
    last two are held out, and the probabilities learned from the first eight rank the real
    re-sharers first.

    >>> import graphkit as gk, pandas as pd
    >>> from graphkit.learn import evaluate_probabilities
    >>> g = gk.SocialGraph.from_edges(gk.read_edges("data/example.csv"))
    >>> log = pd.DataFrame([(u, f"v{i}", 100 * i + dt) for i in range(10)
    ...                     for u, dt in (("alice", 0), ("bob", 5), ("carol", 9))],
    ...                    columns=["user", "item", "timestamp"])
    >>> ev = evaluate_probabilities(g, log, "bernoulli", holdout=0.2, runs=200, rng=7)
    >>> ev.table[["model", "auc"]].round(3).values.tolist()
    [['learned', 1.0], ['wc', 0.821], ['uniform', 0.911], ['trivalency', 0.75]]

    References
    ----------
    .. [1] A. Goyal, F. Bonchi, L. V. S. Lakshmanan, "Learning influence probabilities in
       social networks", WSDM 2010 (evaluation of predicted activations by ROC).
    """
    import pandas as pd

    from .._rng import as_generator
    from ..weighting import influence_graph
    from ._compare import coverage, exposure_table, paired_comparison
    from .cascades import as_cascades, split_cascades
    from .estimators import make_estimator

    if isinstance(runs, bool) or int(runs) < 1:
        raise ValueError(f"runs must be a positive int, got {runs!r}")
    if not 0.0 <= float(uniform_p) <= 1.0:
        raise ValueError(f"uniform_p must be in [0, 1], got {uniform_p!r}")
    if float(holdout) == 0.0:
        raise ValueError("holdout must be > 0 to evaluate")
    cascades = as_cascades(graph, actions)
    train, test = split_cascades(cascades, holdout)
    split_ns = int(test.start()[0])
    details = {"graph_edges": graph.n_edges, "eval_graph_edges": graph.n_edges,
               "eval_graph": "all edges"}
    if edges is not None and edges.timestamp is not None:
        graph = graph_before(graph, edges, split_ns)
        details["eval_graph_edges"] = graph.n_edges
        details["eval_graph"] = "edges before the split time"
        train, test = as_cascades(graph, train), as_cascades(graph, test)
    est = make_estimator(estimator) if isinstance(estimator, str) else estimator
    est.fit(graph, train)
    gen = as_generator(rng)
    base = int(gen.integers(0, 2**62))
    models = {
        "learned": est.influence_graph(),
        "wc": influence_graph(graph, "wc"),
        "uniform": influence_graph(graph, f"uniform:{float(uniform_p):g}"),
        "trivalency": influence_graph(graph, "trivalency", rng=np.random.default_rng([base, 1])),
    }
    rows: list = []
    with _one_thread(int(runs) < _PARALLEL_RUNS):
        skipped = _simulate_test_cascades(test, models, runs, base, max_steps, graph.n_nodes,
                                          rows, progress)
    if not rows:
        raise InputError(f"none of the {test.n_cascades:,} test cascades has a user to predict "
                         "besides its initiators; use a larger --holdout or more data")
    per = pd.DataFrame(rows, columns=["item", "model", "seeds", "actual_size", "predicted_size",
                                      "auc", "average_precision"])
    per["size_error"] = (per["predicted_size"] - per["actual_size"]).abs()
    g = per.groupby("model", sort=False)
    table = pd.DataFrame({
        "auc": g["auc"].mean(),
        "average_precision": g["average_precision"].mean(),
        "size_error": g["size_error"].mean(),
        "predicted_size": g["predicted_size"].mean(),
        "actual_size": g["actual_size"].mean(),
        "cascades": g.size(),
    }).reindex(list(models)).reset_index(names="model")
    table.insert(1, "prob", [models[m].model for m in table["model"]])
    split_time = pd.Timestamp(split_ns, unit="ns", tz="UTC").isoformat().replace("+00:00", "Z")
    details.update({"skipped_cascades": skipped,
                    "method": getattr(est, "method", type(est).__name__),
                    "train_actions": train.n_actions, "test_actions": test.n_actions})
    per = per.drop(columns="size_error")
    exposure, exposed_diff = exposure_table(test, models, rng=np.random.default_rng([base, 3]))
    comparison = pd.concat([paired_comparison(per), exposed_diff], ignore_index=True)
    for col in ("wins", "losses", "ties"):
        comparison[col] = comparison[col].astype("Int64")
    return LearnEvaluation(table, per, est, train.n_cascades, test.n_cascades,
                           test.n_cascades - skipped, split_time, int(runs), float(holdout),
                           float(uniform_p), details, comparison=comparison,
                           exposure=exposure,
                           coverage={**coverage(test, models["wc"]),
                                     "exposed": int(exposure["positives"].iloc[0])})


#: From this many runs per test cascade on, the simulations use every numba thread.
_PARALLEL_RUNS = 2_000


@contextmanager
def _one_thread(active: bool = True):
    """Run numba kernels on one thread for the block (results do not depend on it).

    With few runs per test cascade each call simulates a few hundred runs of a small
    cascade: a fork-join per call costs more than the work, and much more when another
    process holds a core (Higgs sample, 1,769 test cascades, 100 runs: 4 s on one thread,
    60 s on two with a busy neighbour). From :data:`_PARALLEL_RUNS` runs on, each call is
    long enough to share (``active=False`` leaves the threads alone).
    """
    import numba

    if not active:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _simulate_test_cascades(test, models, runs, base, max_steps, n, rows, progress) -> int:
    """Score every test cascade under every model (appends to ``rows``); returns the skipped."""
    from ..diffusion import run_cascades

    skipped = 0
    for i in range(test.n_cascades):
        lo, hi = int(test.ptr[i]), int(test.ptr[i + 1])
        seeds = test.initiators(i).astype(np.int64)
        if hi - lo == seeds.shape[0]:
            skipped += 1
        else:
            truth = np.zeros(n, dtype=bool)
            truth[test.users[lo:hi]] = True
            is_seed = np.zeros(n, dtype=bool)
            is_seed[seeds] = True
            n_cand = n - seeds.shape[0]
            for name, ig in models.items():
                _, _, act = run_cascades(ig, seeds, "ic", int(runs),
                                         np.random.default_rng([base, 2, i]), max_steps=max_steps)
                auc, ap = _score_cascade(act / float(runs), truth, is_seed, n_cand)
                predicted = float(act.sum()) / float(runs)
                rows.append((test.items[i], name, seeds.shape[0], hi - lo, predicted, auc, ap))
        if progress is not None:
            progress("evaluating held-out cascades", i + 1, test.n_cascades)
    return skipped


def graph_before(graph, edges, time_ns: int):
    """The graph of the rows of ``edges`` without a timestamp or timestamped before ``time_ns``.

    Same users at the same positions as ``graph`` (which must have been built from
    ``edges``), same type weights.

    Raises
    ------
    InputError
        No row is left.
    """
    from ..graph import SocialGraph

    if len(edges.node_ids) != graph.n_nodes:
        raise ValueError("the edge table does not match the graph (build the graph from it)")
    ts = edges.timestamp
    keep = np.isnat(ts) | (ts.view(np.int64) < time_ns)
    if not keep.any():
        raise InputError("every edge row is timestamped after the first test cascade starts: "
                         "nothing is left for the evaluation graph (evaluate on all edges)")
    return SocialGraph.from_arrays(
        edges.source_codes[keep], edges.target_codes[keep], graph.node_ids,
        edge_type=edges.type_codes[keep], types=graph.types,
        row_weight=None if edges.row_weight is None else edges.row_weight[keep],
        type_weights=graph.type_weights)


def _score_cascade(prob, truth, is_seed, n_cand):
    """AUC and AP of one cascade, on the users reached or positive plus one block of zeros.

    Candidates never reached and not positive all score 0 and are negatives: they enter as
    one element of weight ``count``, which keeps the cost at the size of the reached set.
    """
    rel = ((prob > 0) | truth) & ~is_seed
    s = prob[rel]
    pos = truth[rel].astype(np.float64)
    neg = 1.0 - pos
    rest = n_cand - int(rel.sum())
    if rest:
        s = np.r_[s, 0.0]
        pos = np.r_[pos, 0.0]
        neg = np.r_[neg, float(rest)]
    return auc_ap(s, pos, neg)
