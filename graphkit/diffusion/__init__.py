"""Cascade simulation on the influence graph: Independent Cascade and Linear Threshold.

Public names: :func:`simulate` (ids in, :class:`SpreadEstimate` out), the model
dataclasses :class:`IndependentCascade` and :class:`LinearThreshold`, and
:func:`run_cascades`, the raw engine on seed positions (per-run reach, per-step sums,
activation counts) for callers such as influence maximization. The numba kernels
(``_kernels``) and the pure-Python reference (``_reference``) are private.
"""

from .estimate import SpreadEstimate
from .models import IndependentCascade, LinearThreshold, as_model
from .simulation import run_cascades, simulate

__all__ = ["simulate", "run_cascades", "SpreadEstimate", "IndependentCascade", "LinearThreshold",
           "as_model"]
