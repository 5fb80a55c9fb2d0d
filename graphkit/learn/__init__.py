"""Learn influence probabilities from action logs, and prove them on held-out cascades.

Every probability model of :mod:`graphkit.weighting` except ``learned`` is a guess (a uniform
1%, one over the in-degree). A platform has logs of who shared what and when; this module turns
them into one probability per edge of the social graph.

Input: the social graph and an **action log**, one row per ``(user, item, timestamp)`` --
"user shared item at time t" (:func:`read_actions`). A **cascade** is every action on one item,
in time order (:class:`Cascades`).

Direction (DESIGN §2). An attention edge ``e = (u -> v)`` of the graph says *u acted on v*
(u follows v, shared or commented on v's posts), so ``v`` may influence ``u``. Every estimator
learns ``probs_[e]`` = p(v -> u), **aligned with the attention edges** (``graph.indices``):
exactly the array :func:`graphkit.influence_graph` takes, and the row ``source=u, target=v,
p`` of the ``learned:FILE`` format that :meth:`write` produces.

Estimators (scikit-learn shape: ``__init__`` stores hyperparameters, ``fit(graph, actions)``
returns ``self``, learned arrays end in ``_``; fitting is deterministic):

* :class:`BernoulliEstimator`, :class:`JaccardEstimator` -- the static models of Goyal,
  Bonchi and Lakshmanan [1]_: ``p(v -> u) = A_{v2u} / A_v`` and ``A_{v2u} / A_{u|v}``;
* :class:`EMEstimator` -- maximum likelihood for the Independent Cascade model by
  expectation-maximization (Saito, Nakano and Kimura [2]_).

Every estimator can shrink its estimates toward a prior model (``prior="wc"``) by
``prior_weight`` pseudo-trials, chosen from the data with ``prior_weight="auto"``.

:func:`evaluate_probabilities` splits the cascades by start time, fits on the earlier ones only,
and scores the learned probabilities against WC, uniform and trivalency on the later ones: by
simulation from each held-out cascade's initiators (ROC-AUC, average precision, size error,
with a paired 95% interval of the learned-minus-baseline difference), and without simulation
on the users one of whose influencers acted (the exposure scores of [1]_).

References
----------
.. [1] A. Goyal, F. Bonchi, L. V. S. Lakshmanan, "Learning influence probabilities in social
   networks", WSDM 2010.
.. [2] K. Saito, R. Nakano, M. Kimura, "Prediction of information diffusion probabilities for
   independent cascade model", KES 2008, LNCS 5179.

Modules, in the order data flows: ``cascades`` (action log -> cascades on a graph, the time
split), ``_base`` (the shared fitting machinery: priors, shrinkage, validation of
``prior_weight="auto"``), ``estimators`` (the three estimators), ``metrics`` (ROC-AUC, average
precision), ``_compare`` (paired differences, coverage, exposure scores), ``evaluate`` (the
held-out evaluation). Kernels: ``_kernels``, ``_eval_kernels``, ``_em``. Action logs are read by
:func:`graphkit.io.read_actions` (re-exported here).
"""

from ..io import ActionLog, read_actions
from ._base import AUTO_VALIDATION, AUTO_WEIGHTS, check_prior
from ._compare import verdict
from .cascades import Cascades, split_cascades
from .estimators import (
    ESTIMATORS,
    BernoulliEstimator,
    EMEstimator,
    JaccardEstimator,
    fit_probabilities,
    make_estimator,
)
from .evaluate import BASELINES, LearnEvaluation, evaluate_probabilities
from .metrics import average_precision, roc_auc

__all__ = [
    "BernoulliEstimator",
    "JaccardEstimator",
    "EMEstimator",
    "ESTIMATORS",
    "make_estimator",
    "fit_probabilities",
    "ActionLog",
    "Cascades",
    "read_actions",
    "LearnEvaluation",
    "evaluate_probabilities",
    "split_cascades",
    "roc_auc",
    "average_precision",
    "AUTO_WEIGHTS",
    "AUTO_VALIDATION",
    "BASELINES",
    "check_prior",
    "verdict",
]
