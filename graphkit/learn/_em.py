"""The numerics of :class:`graphkit.learn.EMEstimator` and of the IC log-likelihood (private).

Data layout: the *positive trials* are segments of attention-edge ids, one segment per
activation that has at least one potential influencer (``seg_ptr``, ``edge``: what
:func:`graphkit._learn_kernels.parent_sets` returns); per edge, ``positives`` and ``trials``
count the positive and all trials. Everything is vectorised numpy: one iteration is a gather,
a segment sum (``np.add.reduceat``) and a scatter (``np.bincount``) over the positive trials.
"""

from __future__ import annotations

import numpy as np

__all__ = ["em", "ic_loglik", "activation_probability"]


def em(seg_ptr, edge, positives, trials, p0, w, max_iter, tol):
    """The EM iteration of Saito et al.; returns ``(p, n_iter, converged, loglik)``.

    E-step: each activation's influencers share the credit for it, ``p_e / P`` with
    ``P = 1 - prod (1 - p)`` over the segment. M-step: ``p_e = (credit_e + w p0_e) /
    (trials_e + w)`` (the maximum-likelihood update when ``w = 0``; with a prior ``p0`` of
    weight ``w`` pseudo-trials, the maximum a posteriori one). Starts from
    ``(positives + w p0) / (trials + w)``, an upper bound of the estimate. Stops when the
    objective (log-likelihood plus the prior's pseudo-count terms) improves by at most
    ``tol`` times its magnitude in one iteration, or after ``max_iter`` iterations.
    ``loglik`` is the data log-likelihood (without the prior terms) at the returned ``p``.
    """
    m = positives.shape[0]
    if p0 is None:
        p0 = np.zeros(m)
    has = (trials > 0) | (w > 0)
    den = trials + w
    negatives = trials - positives

    def m_step(credit):
        return np.minimum(np.divide(credit + w * p0, den, out=np.zeros(m), where=has), 1.0)

    p = m_step(positives.astype(np.float64))
    n_seg = seg_ptr.shape[0] - 1
    seg_of = np.repeat(np.arange(n_seg), np.diff(seg_ptr))
    converged = False
    previous = -np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        pe = p[edge]
        big_p = activation_probability(pe, seg_ptr)
        objective = _objective(big_p, p, negatives, p0, w)
        if objective - previous <= tol * abs(objective):
            converged = True
            it -= 1  # this iteration only measured the previous update
            break
        previous = objective
        share = big_p[seg_of]  # E-step: each influencer's share of each activation
        ratio = np.divide(pe, share, out=np.zeros_like(pe), where=share > 0)
        p = m_step(np.bincount(edge, weights=ratio, minlength=m))
    big_p = activation_probability(p[edge], seg_ptr)
    return p, it, converged, _objective(big_p, p, negatives, p0, 0.0)


def activation_probability(pe, seg_ptr) -> np.ndarray:
    """``P = 1 - prod (1 - p)`` over each activation's influencers (segments of ``pe``)."""
    if seg_ptr.shape[0] < 2:
        return np.zeros(0)
    with np.errstate(divide="ignore"):
        return -np.expm1(np.add.reduceat(np.log1p(-pe), seg_ptr[:-1]))


def ic_loglik(seg_ptr, edge, positives, trials, p, eps: float = 1e-9) -> float:
    """Independent Cascade log-likelihood of cascades under probabilities ``p``.

    ``sum log P`` over the activations with influencers plus ``sum log(1 - p)`` over the
    negative trials (activations without influencers, such as initiators, do not depend on
    ``p``). ``p`` is clipped to ``[eps, 1 - eps]`` so that a probability of 0 or 1
    contradicted by the data costs a large but finite penalty.
    """
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    big_p = activation_probability(q[edge], seg_ptr)
    return _objective(big_p, q, trials - positives, None, 0.0)


def _objective(big_p, p, negatives, p0, w) -> float:
    """IC log-likelihood (log P over activations, log(1 - p) over negative trials) plus the
    prior's pseudo-counts ``w p0 log p + w (1 - p0) log(1 - p)`` (with 0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        total = float(np.sum(np.log(big_p)))
        extra = negatives if w == 0 else negatives + w * (1.0 - p0)
        total += float(np.sum(_xlog(extra, -p, log1p=True)))
        if w > 0:
            total += float(np.sum(_xlog(w * p0, p)))
    return total


def _xlog(a, x, log1p=False) -> np.ndarray:
    """``a * log(x)`` (or ``a * log1p(x)``), 0 where ``a == 0``."""
    out = np.zeros(np.shape(a))
    use = a > 0
    out[use] = a[use] * (np.log1p(x[use]) if log1p else np.log(x[use]))
    return out
