"""Ranking metrics for held-out evaluation: ROC-AUC and average precision with ties.

Scores are compared with exact tie handling (a tie earns half credit in ROC-AUC, like
scikit-learn's ``roc_auc_score``); the weighted forms serve the pooled exposure scores and
the cascade bootstrap of :mod:`graphkit.learn.evaluate`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["roc_auc", "average_precision", "tie_groups", "auc_ap"]


def tie_groups(scores):
    """``(order, last)``: the stable order of decreasing score, and the position (in that
    order) where each group of equal scores ends."""
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    return order, np.r_[np.flatnonzero(s[1:] != s[:-1]), s.shape[0] - 1].astype(np.int64)


def _curve(scores, pos, neg):
    """Cumulative (true, false) positives at each distinct score, from the highest down.

    ``pos``/``neg`` are per-element counts of positives/negatives (weights), so a block of
    equal-scored elements can be passed as one element.
    """
    order, last = tie_groups(scores)
    tp = np.cumsum(pos[order], dtype=np.float64)
    fp = np.cumsum(neg[order], dtype=np.float64)
    return tp[last], fp[last]


def auc_ap(scores, pos, neg) -> tuple[float, float]:
    if np.asarray(scores).shape[0] == 0:
        return float("nan"), float("nan")
    tp, fp = _curve(np.asarray(scores, dtype=np.float64), np.asarray(pos, dtype=np.float64),
                    np.asarray(neg, dtype=np.float64))
    n_pos, n_neg = tp[-1], fp[-1]
    if n_pos == 0 or n_neg == 0:
        return float("nan"), float("nan") if n_pos == 0 else 1.0
    tp0 = np.r_[0.0, tp]
    fp0 = np.r_[0.0, fp]
    auc = float(np.sum(np.diff(fp0) * (tp0[1:] + tp0[:-1])) / (2.0 * n_pos * n_neg))
    ap = float(np.sum(np.diff(tp0) / n_pos * (tp / (tp + fp))))
    return auc, ap


def _labels_scores(y_true, y_score):
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=np.float64)
    if y.ndim != 1 or y.shape != s.shape:
        raise ValueError("y_true and y_score must be 1-d arrays of the same length")
    if not np.all(np.isin(y, (0, 1, True, False))):
        raise ValueError("y_true must hold binary labels (0/1 or bool)")
    if not np.all(np.isfinite(s)):
        raise ValueError("y_score must be finite")
    y = y.astype(bool)
    return y, s


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative.

    Ties count one half (the Mann-Whitney statistic; equal to scikit-learn's
    ``roc_auc_score``). NaN when there are no positives or no negatives.

    Parameters
    ----------
    y_true : array of bool or {0, 1}
    y_score : array of float

    Examples
    --------
    >>> from graphkit.learn import roc_auc
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> roc_auc([0, 1], [0.5, 0.5])                           # a tie: half credit
    0.5

    References
    ----------
    .. [1] T. Fawcett, "An introduction to ROC analysis", Pattern Recognition Letters 27
       (2006) 861-874.
    """
    y, s = _labels_scores(y_true, y_score)
    return auc_ap(s, y, ~y)[0]


def average_precision(y_true, y_score) -> float:
    """Average precision: ``sum_n (R_n - R_{n-1}) P_n`` over the distinct score thresholds.

    ``P_n`` and ``R_n`` are the precision and recall when everything scoring at least the
    ``n``-th highest distinct score is predicted positive (tied scores enter together), as in
    scikit-learn's ``average_precision_score`` (no interpolation). NaN without positives.

    Parameters
    ----------
    y_true : array of bool or {0, 1}
    y_score : array of float

    Examples
    --------
    >>> from graphkit.learn import average_precision
    >>> round(average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)   # (1 + 2/3) / 2
    0.8333

    References
    ----------
    .. [1] C. D. Manning, P. Raghavan, H. Schütze, *Introduction to Information Retrieval*,
       Cambridge University Press 2008, section 8.4.
    """
    y, s = _labels_scores(y_true, y_score)
    return auc_ap(s, y, ~y)[1]
