"""The estimators' shared plumbing (private; the estimators live in :mod:`graphkit.learn`).

Parameters and their checks, the prior (``prior``, ``prior_weight``, the ``"auto"`` weight
chosen by validation), fitting from cascade counts, and the learned-probability table, file and
influence graph that every estimator offers.
"""

from __future__ import annotations

import copy
import inspect
import math
import os
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .cascades import as_cascades, split_cascades

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..graph import SocialGraph
    from ..weighting import InfluenceGraph

__all__ = ["AUTO_WEIGHTS", "AUTO_VALIDATION"]

_NS = 1_000_000_000
_NO_WINDOW = np.iinfo(np.int64).max

#: The prior weights (pseudo-trials) ``prior_weight="auto"`` chooses from.
AUTO_WEIGHTS = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
#: Share of the cascades (the latest) ``prior_weight="auto"`` validates on.
AUTO_VALIDATION = 0.2


def window_ns(window) -> int:
    return _NO_WINDOW if window is None else max(1, int(round(float(window) * _NS)))


def _check_positive(name, value, allow_none=True):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number{' or None' if allow_none else ''}, "
                        f"not {type(value).__name__}")
    if not (math.isfinite(float(value)) and float(value) > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def check_prior(prior) -> None:
    """Validate a ``prior`` argument (None, "wc", "uniform:P", a probability or an array)."""
    if prior is None or isinstance(prior, np.ndarray):
        return
    if isinstance(prior, str):
        from ..weighting import parse_prob

        name, _ = parse_prob(prior)
        if name not in ("wc", "uniform"):
            raise ValueError(f"prior must be 'wc', 'uniform:P', a probability or None, "
                             f"not {prior!r}")
        return
    if isinstance(prior, bool) or not isinstance(prior, (int, float, np.integer, np.floating)):
        raise TypeError(f"prior must be None, 'wc', 'uniform:P', a probability or an array, "
                        f"not {type(prior).__name__}")
    if not 0.0 <= float(prior) <= 1.0:
        raise ValueError(f"prior must be a probability in [0, 1], got {prior!r}")


def _prior_array(prior, graph) -> np.ndarray | None:
    """One prior probability per attention edge of ``graph`` (None without a prior)."""
    if prior is None:
        return None
    if isinstance(prior, np.ndarray):
        p0 = np.asarray(prior, dtype=np.float64)
        if p0.shape != (graph.n_edges,):
            raise ValueError(f"a prior array needs one probability per edge ({graph.n_edges}), "
                             f"got shape {p0.shape}")
        if not np.all((p0 >= 0) & (p0 <= 1)):
            raise ValueError("prior probabilities must lie in [0, 1]")
        return p0
    if isinstance(prior, str):
        from ..weighting import parse_prob, uniform, weighted_cascade

        name, arg = parse_prob(prior)
        return weighted_cascade(graph) if name == "wc" else uniform(graph, float(arg))
    return np.full(graph.n_edges, float(prior))


class _CascadeEstimator:
    """Shared plumbing: parameters, the prior, fitting, the learned-probability table.

    A subclass defines ``_solve(graph, counts, w)``: the per-edge result (``probs``,
    ``propagations``, ``trials`` and extras) from the cascade counts of :meth:`_counts`
    and a prior weight ``w``.
    """

    method: ClassVar[str] = ""

    def __init__(self, window: float | None = None, prior=None, prior_weight=1.0):
        _check_positive("window", window)
        check_prior(prior)
        if isinstance(prior_weight, str):
            if prior_weight != "auto":
                raise ValueError(f"prior_weight must be a positive number or 'auto', got "
                                 f"{prior_weight!r}")
            if prior is None:
                raise ValueError("prior_weight='auto' needs a prior (prior='wc', ...)")
        else:
            _check_positive("prior_weight", prior_weight, allow_none=False)
        self.window = window
        self.prior = prior
        self.prior_weight = prior_weight

    # ---------------------------------------------------------------- params
    def get_params(self) -> dict:
        """The hyperparameters, by name (from the ``__init__`` signature)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------- fit
    def fit(self, graph: SocialGraph, actions) -> _CascadeEstimator:
        """Learn one probability per attention edge of ``graph`` from ``actions``.

        Parameters
        ----------
        graph : SocialGraph
        actions : Cascades, ActionLog or pandas.DataFrame
            The cascades to learn from (a DataFrame needs ``user, item, timestamp``).
            Actions by users not in the graph are ignored (counted in
            ``cascades_report_``).

        Returns
        -------
        self

        Notes
        -----
        With ``prior_weight="auto"`` the weight is chosen among :data:`AUTO_WEIGHTS` by
        validation on these cascades only: fitted on the earliest 80% (by start time),
        each weight is scored by the Independent Cascade log-likelihood of the latest 20%
        (``validation_loglik_``); the best (the smallest on ties) is then used on all of
        them (``prior_weight_``). With fewer than 5 cascades the weight is 1.
        """
        cascades = as_cascades(graph, actions)
        self.validation_loglik_ = None
        w = self.prior_weight
        if w == "auto":
            w, self.validation_loglik_ = self._auto_weight(graph, cascades)
        result = self._solve(graph, self._counts(graph, cascades), float(w))
        self.graph_ = graph
        self.cascades_report_ = dict(cascades.report)
        self.n_cascades_ = cascades.n_cascades
        self.prior_weight_ = None if self.prior is None else float(w)
        for name, value in result.items():
            setattr(self, f"{name}_", value)
        self.probs_.flags.writeable = False
        return self

    def _clock(self, cascades):
        """Action times and the window, in the units the counts compare them in."""
        return cascades.time, window_ns(self.window)

    def _counts(self, graph, cascades, parents: bool = False) -> dict:
        """Per-edge pair counts (and, with ``parents``, the activations' influencer sets)."""
        from . import _kernels as K

        times, window = self._clock(cascades)
        args = (cascades.ptr, cascades.users, times, graph.indptr, graph.indices,
                graph.n_nodes, window)
        prop, before, both = K.pair_counts(*args)
        out = {"prop": prop, "before": before, "both": both,
               "actions": cascades.action_counts()}
        if parents:
            out["seg_ptr"], _, out["edge"] = K.parent_sets(*args)
        return out

    def _solve(self, graph, counts: dict, w: float) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _shrink(self, graph, numerator, denominator, w) -> np.ndarray:
        """``numerator / denominator``, shrunk toward the prior by ``w`` pseudo-trials."""
        p0 = _prior_array(self.prior, graph)
        num = np.asarray(numerator, dtype=np.float64)
        den = np.asarray(denominator, dtype=np.float64)
        if p0 is None:
            return np.divide(num, den, out=np.zeros(num.shape[0]), where=den > 0)
        return (num + w * p0) / (den + w)

    def _auto_weight(self, graph, cascades):
        """The prior weight with the best validation log-likelihood (see :meth:`fit`)."""
        from ._em import ic_loglik

        if cascades.n_cascades < 5:
            return 1.0, {}
        fit_part, valid = split_cascades(cascades, AUTO_VALIDATION)
        counts = self._counts(graph, fit_part)
        v = self._counts(graph, valid, parents=True)
        v_trials = v["actions"][graph.indices] - v["before"]
        probe = copy.copy(self)
        scores = {}
        for w in AUTO_WEIGHTS:
            p = probe._solve(graph, counts, w)["probs"]
            scores[w] = ic_loglik(v["seg_ptr"], v["edge"], v["prop"], v_trials, p)
        best = max(AUTO_WEIGHTS, key=lambda w: (scores[w], -w))
        return best, scores

    def _check_fitted(self):
        if not hasattr(self, "probs_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(graph, "
                               "actions) first")

    # --------------------------------------------------------------- results
    @property
    def edges_learned_(self) -> int:
        """Edges with evidence in the log (at least one trial), whatever their probability."""
        self._check_fitted()
        return int((self.trials_ > 0).sum())

    def to_frame(self) -> pd.DataFrame:
        """The learned probabilities in the ``learned:FILE`` format, one row per graph edge.

        Columns: ``source, target`` (an attention edge: source acted on target, so target
        influences source), ``p`` (the learned probability), ``propagations`` and ``trials``
        (the evidence: for Bernoulli ``A_{v2u}`` and ``A_v``, for Jaccard ``A_{v2u}`` and
        ``A_{u|v}``, for EM the positive trials and all trials). Rows follow the graph's
        edge order.
        """
        import pandas as pd

        self._check_fitted()
        g = self.graph_
        return pd.DataFrame({
            "source": g.node_ids[g.sources()],
            "target": g.node_ids[g.indices],
            "p": np.asarray(self.probs_, dtype=np.float64),
            "propagations": self.propagations_,
            "trials": self.trials_,
        })

    def write(self, path) -> str:
        """Write :meth:`to_frame` atomically to ``path`` (``.csv`` or ``.tsv``).

        The file is what ``--prob learned:FILE`` (:func:`graphkit.influence_graph` with
        ``"learned:PATH"``) reads back: the same probabilities, bit for bit.
        """
        from ..io import write_table

        path = os.fspath(path)
        low = path.lower()
        if not low.endswith((".csv", ".tsv")):
            raise ValueError(f"cannot write learned probabilities to {path!r}: use .csv or .tsv")
        write_table(self.to_frame(), path, neutralize=False)  # data: read back bit for bit
        return path

    def influence_graph(self) -> InfluenceGraph:
        """The influence graph with the learned probabilities (model ``learned:METHOD``)."""
        from ..weighting import InfluenceGraph

        self._check_fitted()
        report = {"edges_learned": self.edges_learned_, "warnings": []}
        return InfluenceGraph.from_graph(self.graph_, self.probs_, f"learned:{self.method}",
                                         report)
