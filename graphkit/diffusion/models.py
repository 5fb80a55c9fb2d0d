"""The diffusion models: frozen descriptions of how influence passes along an edge.

A model picks the per-edge numbers of an :class:`~graphkit.weighting.InfluenceGraph`
that its kernel needs. Both models run on the influence direction (DESIGN §2): an
attention row ``source acted on target`` lets ``target`` influence ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..weighting import InfluenceGraph

__all__ = ["IndependentCascade", "LinearThreshold", "as_model", "MODELS"]


@dataclass(frozen=True)
class IndependentCascade:
    """Independent Cascade (IC).

    When a user becomes active at step ``t``, it gets a single chance to activate
    each inactive user it influences, succeeding with the edge probability ``p``;
    successes become active at step ``t + 1``. Equivalently [1]_: keep each edge
    independently with probability ``p`` (a *live-edge graph*); the active users are
    those reachable from the seeds, and a user's activation step is its distance.

    References
    ----------
    .. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence
       through a social network", KDD 2003.

    Examples
    --------
    >>> from graphkit.diffusion import IndependentCascade
    >>> IndependentCascade().name
    'ic'
    """

    name: ClassVar[str] = "ic"

    def edge_values(self, ig: InfluenceGraph) -> np.ndarray:
        """The per-edge activation probabilities, aligned with ``ig.indices``."""
        return ig.prob


@dataclass(frozen=True)
class LinearThreshold:
    """Linear Threshold (LT).

    Each user draws a threshold uniformly from (0, 1] once per run; it becomes active
    when the weights of its active in-neighbours add up to at least its threshold.
    The weights are the influence graph's probabilities normalised so that each
    user's incoming weights sum to at most 1
    (:attr:`~graphkit.weighting.InfluenceGraph.lt_weights`). Equivalently [1]_: each
    user keeps at most one incoming edge, edge ``(u, v)`` with probability ``w(u, v)``
    and none with ``1 - sum``; the active users are those reachable from the seeds.

    References
    ----------
    .. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence
       through a social network", KDD 2003.

    Examples
    --------
    >>> from graphkit.diffusion import LinearThreshold
    >>> LinearThreshold().name
    'lt'
    """

    name: ClassVar[str] = "lt"

    def edge_values(self, ig: InfluenceGraph) -> np.ndarray:
        """The normalised threshold weights, aligned with ``ig.indices``."""
        return ig.lt_weights


#: Model names accepted wherever a model is expected.
MODELS = {"ic": IndependentCascade, "lt": LinearThreshold}


def as_model(model) -> IndependentCascade | LinearThreshold:
    """A model instance from an instance or a name (``"ic"``, ``"lt"``, case-insensitive)."""
    if isinstance(model, (IndependentCascade, LinearThreshold)):
        return model
    if isinstance(model, str) and model.lower() in MODELS:
        return MODELS[model.lower()]()
    raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
