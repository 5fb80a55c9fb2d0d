"""The estimators: Goyal-Bonchi-Lakshmanan's Bernoulli and Jaccard, and Saito et al.'s EM.

See :mod:`graphkit.learn` for the direction rule and the shared fitting machinery
(:mod:`graphkit.learn._base`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._base import _NS, _CascadeEstimator, _check_positive, _prior_array, window_ns

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import SocialGraph

__all__ = ["BernoulliEstimator", "JaccardEstimator", "EMEstimator", "ESTIMATORS",
           "make_estimator", "fit_probabilities"]

class BernoulliEstimator(_CascadeEstimator):
    """Static Bernoulli model: the share of ``v``'s actions that propagated to ``u``.

    ``p(v -> u) = A_{v2u} / A_v`` [1]_, where ``A_v`` is the number of cascades ``v`` acted
    in and ``A_{v2u}`` the number of them in which ``u`` acted after ``v`` (strictly later,
    and within ``window`` seconds when given) while ``u`` acted on ``v`` in the graph (the
    attention edge ``u -> v``). Edges whose ``v`` never acted get 0.

    Parameters
    ----------
    window : float, optional
        Only count a propagation when ``u`` acted at most this many seconds after ``v``
        (None: any later time in the cascade).
    prior : {None, "wc", "uniform:P"}, float or array, optional
        Without a prior (default) the estimate is the paper's ratio, and edges without
        evidence get 0. With one, every estimate is shrunk toward the prior probability
        ``p0`` of its edge by ``prior_weight`` pseudo-trials,
        ``p = (propagations + w p0) / (trials + w)``, and edges without evidence get ``p0``:
        ``"wc"`` (weighted cascade, 1 / number of users the actor acted on),
        ``"uniform:P"``, one probability for every edge, or an array aligned with the
        attention edges.
    prior_weight : float or "auto", optional
        ``w``, the prior's weight in trials (default 1); ``"auto"`` chooses it by validation
        on the latest 20% of the cascades given to :meth:`fit` (see its Notes).

    Attributes
    ----------
    probs_ : ndarray of float64
        Per attention edge ``e = (u -> v)`` (aligned with ``graph.indices``), p(v -> u).
    propagations_ : ndarray of int64
        ``A_{v2u}`` per edge.
    trials_ : ndarray of int64
        ``A_v`` per edge (``action_counts_`` of the edge's target).
    action_counts_ : ndarray of int64
        ``A_v`` per user.
    prior_weight_ : float or None
        The prior weight used (None without a prior); ``validation_loglik_`` holds the
        validation score of every weight tried by ``prior_weight="auto"`` (else None).
    graph_, n_cascades_, cascades_report_
        The graph fitted on, the number of cascades, and what building them dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> import graphkit as gk
    >>> from graphkit.learn import BernoulliEstimator
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "alice")])
    >>> log = pd.DataFrame({"user": ["alice", "bob", "alice", "carol"],
    ...                     "item": ["x", "x", "y", "y"], "timestamp": [0, 5, 10, 11]})
    >>> est = BernoulliEstimator().fit(g, log)
    >>> est.to_frame()[["source", "target", "p"]].values.tolist()   # 1 of alice's 2 items each
    [['bob', 'alice', 0.5], ['carol', 'alice', 0.5]]

    References
    ----------
    .. [1] A. Goyal, F. Bonchi, L. V. S. Lakshmanan, "Learning influence probabilities in
       social networks", WSDM 2010, section 4 (static models).
    """

    method = "bernoulli"

    def _solve(self, graph, counts, w):
        trials = counts["actions"][graph.indices]
        return {"probs": self._shrink(graph, counts["prop"], trials, w),
                "propagations": counts["prop"], "trials": trials,
                "action_counts": counts["actions"]}


class JaccardEstimator(_CascadeEstimator):
    """Static Jaccard model: propagations over the cascades either user acted in.

    ``p(v -> u) = A_{v2u} / A_{u|v}`` [1]_ with ``A_{u|v} = A_u + A_v - A_{u&v}`` the number
    of cascades in which ``u`` or ``v`` (or both) acted; ``A_{v2u}`` as in
    :class:`BernoulliEstimator`. Penalises edges whose ``u`` is active on its own.

    Parameters
    ----------
    window, prior, prior_weight : optional
        As in :class:`BernoulliEstimator`; here ``trials`` is ``A_{u|v}``.

    Attributes
    ----------
    probs_, propagations_, action_counts_, prior_weight_, validation_loglik_
        As in :class:`BernoulliEstimator`.
    trials_ : ndarray of int64
        ``A_{u|v}`` per edge.
    graph_, n_cascades_, cascades_report_
        As in :class:`BernoulliEstimator`.

    Examples
    --------
    >>> import pandas as pd
    >>> import graphkit as gk
    >>> from graphkit.learn import JaccardEstimator
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice")])
    >>> log = pd.DataFrame({"user": ["alice", "bob", "bob"], "item": ["x", "x", "z"],
    ...                     "timestamp": [0, 5, 7]})
    >>> JaccardEstimator().fit(g, log).probs_.tolist()        # 1 propagation / 2 items
    [0.5]

    References
    ----------
    .. [1] A. Goyal, F. Bonchi, L. V. S. Lakshmanan, "Learning influence probabilities in
       social networks", WSDM 2010, section 4 (static models).
    """

    method = "jaccard"

    def _solve(self, graph, counts, w):
        a = counts["actions"]
        union = a[graph.sources()] + a[graph.indices] - counts["both"]
        return {"probs": self._shrink(graph, counts["prop"], union, w),
                "propagations": counts["prop"], "trials": union, "action_counts": a}


class EMEstimator(_CascadeEstimator):
    """Independent Cascade probabilities by expectation-maximization (Saito et al. [1]_).

    Each activation of a user ``u`` in a cascade is explained by its *potential
    influencers*: the users ``v`` that ``u`` acted on in the graph (attention edge
    ``u -> v``) and that were active shortly before ``u`` (see ``window`` and
    ``time_step``). Under IC, ``u`` activates with probability
    ``P_u = 1 - prod_v (1 - p_vu)`` (a *positive trial* for every such ``v``); an active
    ``v`` whose influence-neighbour ``w`` stays inactive (or activates only later) is a
    *negative trial* of ``p_vw``. The EM iteration

    ``p_vu <- (sum over u's activations with v among the influencers of p_vu / P_u) /
    (positive + negative trials of (v, u))``

    increases the likelihood at every step; in the variables ``-log(1 - p)`` the
    log-likelihood is concave, so it converges to the maximum-likelihood estimate.

    Parameters
    ----------
    window : float, optional
        Continuous time (``time_step=None``): ``v`` is a potential influencer of ``u`` when
        ``0 < t_u - t_v <= window`` seconds (None: any earlier time in the cascade). A
        ``v`` active at or before ``t_u - window`` or never followed by ``u`` is a negative
        trial; when ``u`` acted first (``t_u <= t_v``) there is no trial.
    time_step : float, optional
        Saito et al.'s discrete time: each action's time becomes the step
        ``floor((t - t_start) / time_step)`` of its cascade, and the potential influencers
        of ``u`` at step ``s`` are the ones active at step ``s - 1`` (at steps
        ``s - k .. s - 1`` with ``k = ceil(window / time_step)`` when ``window`` is given).
    prior, prior_weight : optional
        As in :class:`BernoulliEstimator`: with a prior, the M-step becomes
        ``p = (credit + w p0) / (trials + w)`` (a maximum a posteriori estimate under a
        Beta prior with ``w`` pseudo-trials of mean ``p0``), and edges without trials get
        ``p0``.
    max_iter : int, optional
        Iteration cap (default 1000).
    tol : float, optional
        Stop when an iteration improves the objective (the log-likelihood, plus the prior's
        pseudo-counts) by at most ``tol`` times its magnitude (default 1e-8). EM's
        likelihood flattens long before every probability settles (credit can move
        between two always-co-active influencers at no cost), so the rule watches the
        likelihood, not the parameters.

    Attributes
    ----------
    probs_ : ndarray of float64
        Per attention edge ``e = (u -> v)`` (aligned with ``graph.indices``), p(v -> u);
        0 for edges without a positive trial (without a prior).
    propagations_ : ndarray of int64
        Positive trials per edge.
    trials_ : ndarray of int64
        Positive + negative trials per edge.
    n_iter_ : int
    converged_ : bool
    log_likelihood_ : float
        Log-likelihood of the training cascades at ``probs_``.
    action_counts_, prior_weight_, validation_loglik_, graph_, n_cascades_, cascades_report_
        As in :class:`BernoulliEstimator`.

    Examples
    --------
    >>> import pandas as pd
    >>> import graphkit as gk
    >>> from graphkit.learn import EMEstimator
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice")])     # alice may influence bob
    >>> log = pd.DataFrame({"user": ["alice", "bob", "alice", "alice"],
    ...                     "item": ["x", "x", "y", "z"], "timestamp": [0, 1, 0, 0]})
    >>> est = EMEstimator(time_step=1).fit(g, log)
    >>> est.probs_.tolist(), est.propagations_.tolist(), est.trials_.tolist()
    ([0.3333333333333333], [1], [3])

    References
    ----------
    .. [1] K. Saito, R. Nakano, M. Kimura, "Prediction of information diffusion
       probabilities for independent cascade model", KES 2008, LNCS 5179, pp. 67-75.
    """

    method = "em"

    def __init__(self, window: float | None = None, time_step: float | None = None,
                 prior=None, prior_weight=1.0, max_iter: int = 1000, tol: float = 1e-8):
        super().__init__(window, prior, prior_weight)
        _check_positive("time_step", time_step)
        _check_positive("tol", tol, allow_none=False)
        if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
            raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
        self.time_step = time_step
        self.max_iter = max_iter
        self.tol = tol

    def _clock(self, cascades):
        if self.time_step is None:
            return super()._clock(cascades)
        step = max(1, int(round(float(self.time_step) * _NS)))
        start = np.repeat(cascades.start(), cascades.sizes())
        steps = (cascades.time - start) // step
        window = 1 if self.window is None else max(1, math.ceil(window_ns(self.window) / step))
        return steps, window

    def _counts(self, graph, cascades, parents: bool = True) -> dict:
        return super()._counts(graph, cascades, parents=True)

    def _solve(self, graph, counts, w):
        from ._em import em

        trials = counts["actions"][graph.indices] - counts["before"]
        p0 = _prior_array(self.prior, graph)
        p, n_iter, converged, loglik = em(counts["seg_ptr"], counts["edge"], counts["prop"],
                                          trials, p0, 0.0 if p0 is None else w,
                                          self.max_iter, float(self.tol))
        return {"probs": p, "propagations": counts["prop"], "trials": trials,
                "action_counts": counts["actions"], "n_iter": n_iter, "converged": converged,
                "log_likelihood": loglik}


#: The estimators by ``--method`` name.
ESTIMATORS = {"bernoulli": BernoulliEstimator, "jaccard": JaccardEstimator, "em": EMEstimator}


def make_estimator(method: str = "bernoulli", **params) -> _CascadeEstimator:
    """A new, unfitted estimator by name (``"bernoulli"``, ``"jaccard"`` or ``"em"``).

    Examples
    --------
    >>> from graphkit.learn import make_estimator
    >>> make_estimator("em", window=3600)
    EMEstimator(window=3600, time_step=None, prior=None, prior_weight=1.0, max_iter=1000, tol=1e-08)
    """
    try:
        cls = ESTIMATORS[str(method).lower()]
    except KeyError:
        raise ValueError(f"unknown method {method!r} (use {', '.join(ESTIMATORS)})") from None
    return cls(**params)


def fit_probabilities(graph: SocialGraph, actions, method: str = "bernoulli",
                      **params) -> _CascadeEstimator:
    """Fit the estimator ``method`` on every cascade of ``actions``; returns it.

    ``params`` go to the estimator (``window``, ``prior``, ``prior_weight``; for ``em`` also
    ``time_step``, ``max_iter``, ``tol``). Use ``est.probs_``, ``est.to_frame()``, ``est.write(path)`` or
    ``est.influence_graph()``.

    Examples
    --------
    >>> import pandas as pd
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice")])
    >>> log = pd.DataFrame({"user": ["alice", "bob"], "item": ["x", "x"], "timestamp": [0, 9]})
    >>> gk.fit_probabilities(g, log, "bernoulli").probs_.tolist()
    [1.0]

    References
    ----------
    .. [1] A. Goyal, F. Bonchi, L. V. S. Lakshmanan, WSDM 2010.
    .. [2] K. Saito, R. Nakano, M. Kimura, KES 2008.
    """
    return make_estimator(method, **params).fit(graph, actions)
