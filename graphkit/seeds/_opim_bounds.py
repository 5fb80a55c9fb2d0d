"""The statistics of OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018), pure and separately tested.

OPIM-C keeps two independent collections of RR sets of equal size ``theta``: ``R1``
picks the seeds ``S*`` by greedy maximum coverage, ``R2`` (which the greedy never
sees) certifies them. With ``Lambda`` a count of covered RR sets, ``a = ln(1/delta_i)``
and ``P`` the population the roots are drawn from (all users or the targets):

* **lower bound on the spread of S*** (the paper's Eq. for sigma^l, from the upper
  tail ``P[L - theta p >= lam] <= exp(-lam^2 / (2 theta p + 2 lam / 3))``)::

      sigma_l = ((sqrt(L2 + 2a/9) - sqrt(a/2))^2 - a/18) * P / theta

  valid when ``L2 >= 5a/18`` (below that the bound is 0);
* **upper bound on OPT** (the lower tail ``exp(-lam^2 / (2 theta p))``, applied to the
  fixed optimal set ``S°`` and any upper bound ``Lu >= Lambda_1(S°)``)::

      sigma_u = (sqrt(Lu + a/2) + sqrt(a/2))^2 * P / theta

  where ``Lu`` is the tighter bound of the paper's Lemma: the minimum over the
  greedy's steps ``i`` of ``Lambda_1(S_i)`` plus the ``k`` largest marginal coverages
  given ``S_i`` (computed by :mod:`graphkit.seeds.greedy`);
* the certified ratio ``sigma_l / sigma_u``.

**Rounds and the failure probability** ``delta`` (``n ** -ell``, as IMM's). The
collections start at ``theta_0 = 2 ((1 - 1/e) alpha + beta)^2`` with
``alpha = sqrt(ln(6/delta))`` and ``beta = sqrt((1 - 1/e)(ln N + ln(6/delta)))``
(``N`` the number of candidate seed sets, ``C(n, k)``) and double each round, up to
``theta_max = theta_0 * P / (epsilon^2 * OPT_lb)`` (IMM's ``lambda*`` at failure
``delta/3``; ``OPT_lb`` a sure lower bound on the optimum, ``k`` in the paper). The
paper runs ``i_max = ceil(log2(theta_max / theta_0))`` rounds of sizes
``theta_0 2^(i-1)``; graphkit runs one more, so that the last round surely has at
least ``theta_max`` sets (with ``i_max`` rounds the last one can hold only half of
it), and stops at the first round whose certified ratio reaches the target, or after
the last. The failure probability is split as in the paper: ``delta / (3 i_max)``
for each round's lower bound and for each round's upper bound (``2 delta / 3`` over
all rounds) and ``delta / 3`` for the last round's ``theta_max`` argument, so
``a = ln(3 i_max / delta)`` and the whole run fails with probability at most
``delta``.

**The refined run** (graphkit's default, :func:`graphkit.seeds.opim`) uses the rounds
only to find a lower bound ``LB`` on the optimum (each round's ``sigma_l``, at
``delta / (4 i_max)``: ``delta / 4`` over the rounds), then picks the seeds by greedy on
IMM's number of fresh RR sets, ``lambda* / LB`` (:func:`final_sets`, at ``delta / 4``),
and certifies them with a fresh validation collection (``sigma_l`` at ``delta / 4``)
and the final sets' own step-wise upper bound (``sigma_u`` at ``delta / 4``). The
final sets are independent of ``LB`` given its value, which is what IMM's analysis
needs (Chen's 2018 correction); the four quarters add up to ``delta``.
"""

from __future__ import annotations

import math

from ._theta import log_binom

__all__ = ["E1", "failure_probability", "log_candidate_sets", "theta_zero", "theta_max",
           "n_rounds", "round_sets", "round_log_term", "final_sets", "lower_bound", "upper_bound",
           "certified_ratio", "target_ratio"]

#: 1 - 1/e, the greedy's ratio for a cardinality constraint.
E1 = 1.0 - 1.0 / math.e


def failure_probability(n: int, ell: float) -> float:
    """``delta = n ** -ell``, the failure probability of IMM and OPIM-C."""
    if n < 2:
        raise ValueError(f"need at least 2 users, got {n}")
    if not ell > 0:
        raise ValueError(f"ell must be positive, got {ell}")
    return float(n) ** -float(ell)


def log_candidate_sets(n_candidates: int, k: int, *, up_to: bool = False) -> float:
    """``ln C(n, k)``, or with ``up_to`` ``ln sum_{j=1..k} C(n, j)`` (budget: any size <= k).

    The union bound of the ``theta_max`` argument runs over the seed sets greedy could
    return: ``k``-subsets of the candidates, or in budget mode every non-empty subset
    of at most ``k`` (the most users the budget can buy).

    Examples
    --------
    >>> from graphkit.seeds._opim_bounds import log_candidate_sets
    >>> round(log_candidate_sets(5, 2), 6), round(log_candidate_sets(5, 2, up_to=True), 6)
    (2.302585, 2.70805)
    """
    n, k = int(n_candidates), int(k)
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if not up_to:
        return log_binom(n, k)
    terms = [log_binom(n, j) for j in range(1, k + 1)]
    top = max(terms)
    return top + math.log(math.fsum(math.exp(t - top) for t in terms))


def _ab(log_sets: float, delta: float) -> tuple[float, float]:
    if not 0 < delta < 1:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    if not log_sets >= 0:
        raise ValueError(f"log_sets must be non-negative, got {log_sets}")
    ln6 = math.log(6.0 / delta)
    return math.sqrt(ln6), math.sqrt(E1 * (log_sets + ln6))


def theta_zero(log_sets: float, delta: float) -> float:
    """Sets per collection in the first round: ``2 ((1 - 1/e) alpha + beta)^2``.

    Examples
    --------
    >>> from graphkit.seeds._opim_bounds import theta_zero, log_candidate_sets
    >>> round(theta_zero(log_candidate_sets(15229, 50), 1 / 15229))
    571
    """
    alpha, beta = _ab(log_sets, delta)
    return 2.0 * (E1 * alpha + beta) ** 2


def theta_max(population: float, opt_lower: float, epsilon: float, log_sets: float,
              delta: float) -> float:
    """``theta_0 * P / (epsilon^2 * OPT_lb)``: enough sets for ``1 - 1/e - epsilon`` w.p. ``1 - delta/3``."""
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must lie in (0, 1), got {epsilon}")
    if not opt_lower > 0:
        raise ValueError(f"the lower bound on OPT must be positive, got {opt_lower}")
    return theta_zero(log_sets, delta) * float(population) / (epsilon ** 2 * float(opt_lower))


def n_rounds(theta0: float, thetamax: float) -> int:
    """``ceil(log2(theta_max / theta_0)) + 1`` (at least 1): the last round has >= theta_max sets."""
    ratio = thetamax / theta0
    if ratio <= 1:
        return 1
    return int(math.ceil(math.log2(ratio))) + 1


def round_sets(theta0: float, i: int) -> int:
    """Sets per collection in round ``i`` (1-based): ``ceil(theta_0) * 2^(i-1)``."""
    if i < 1:
        raise ValueError(f"rounds count from 1, got {i}")
    return int(math.ceil(theta0)) << (i - 1)


def round_log_term(delta: float, i_max: int, parts: int = 3) -> float:
    """``a = ln(parts i_max / delta)``: each bound of each round fails w.p. ``delta / (parts i_max)``.

    ``parts`` is 3 for OPIM-C (a third of ``delta`` for the lower bounds, a third for
    the upper bounds, a third for ``theta_max``) and 4 for the rounds of the refined run
    (a quarter for their lower bounds).
    """
    return math.log(parts * i_max / delta)


def final_sets(population: float, opt_lower: float, epsilon: float, log_sets: float,
               delta_final: float) -> float:
    """IMM's node-selection sample size ``lambda* / LB`` (its Eq. 6) at failure ``delta_final``.

    ``lambda* = 2 P ((1 - 1/e) alpha + beta)^2 / epsilon^2`` with
    ``alpha = sqrt(ln(2 / delta_final))`` and ``beta = sqrt((1 - 1/e)(ln N + ln(2 /
    delta_final)))``: with at least this many fresh RR sets, independent of how ``LB``
    was found, greedy is ``1 - 1/e - epsilon`` optimal with probability ``1 - delta_final``
    whenever ``LB <= OPT`` (Tang, Shi, Xiao 2015, Theorem 1; Chen 2018).
    """
    return theta_max(population, opt_lower, epsilon, log_sets, 3.0 * delta_final)


def lower_bound(covered: float, a: float) -> float:
    """A lower bound on ``theta * p`` from ``covered`` hits among ``theta`` RR sets.

    ``((sqrt(L + 2a/9) - sqrt(a/2))^2 - a/18)`` when ``L >= 5a/18``, else 0. Multiply by
    ``P / theta`` for a spread.

    Examples
    --------
    >>> from graphkit.seeds._opim_bounds import lower_bound
    >>> round(lower_bound(1000, 13.5), 3), lower_bound(3, 13.5)
    (844.437, 0.0)
    """
    L = float(covered)
    if L < 0:
        raise ValueError(f"covered must be non-negative, got {covered}")
    if L < 5.0 * a / 18.0:
        return 0.0
    return max(0.0, (math.sqrt(L + 2.0 * a / 9.0) - math.sqrt(a / 2.0)) ** 2 - a / 18.0)


def upper_bound(covered_upper: float, a: float) -> float:
    """An upper bound on ``theta * p`` from an upper bound on the hits: ``(sqrt(Lu + a/2) + sqrt(a/2))^2``.

    Examples
    --------
    >>> from graphkit.seeds._opim_bounds import upper_bound
    >>> round(upper_bound(1000, 13.5), 3)
    1178.37
    """
    Lu = float(covered_upper)
    if Lu < 0:
        raise ValueError(f"covered_upper must be non-negative, got {covered_upper}")
    return (math.sqrt(Lu + a / 2.0) + math.sqrt(a / 2.0)) ** 2


def certified_ratio(covered2: float, theta2: int, covered1_upper: float, theta1: int, a: float,
                    population: float, sure_spread: float = 0.0) -> tuple[float, float, float]:
    """``(ratio, spread_lower, opt_upper)``, spreads in population units.

    ``spread_lower = max(lower_bound(covered2) P / theta2, sure_spread)`` from the
    validation sets (``sure_spread`` holds with certainty, e.g. the seeds in the
    population reach themselves); ``opt_upper = min(upper_bound(covered1_upper) P /
    theta1, P)`` from the selection sets.

    Examples
    --------
    >>> from graphkit.seeds._opim_bounds import certified_ratio
    >>> r, low, up = certified_ratio(600, 10_000, 900, 10_000, 13.5, 15_000)
    >>> round(r, 3), round(low, 1), round(up, 1)
    (0.45, 722.1, 1605.0)
    """
    low = max(lower_bound(covered2, a) * float(population) / float(theta2), float(sure_spread))
    up = min(upper_bound(covered1_upper, a) * float(population) / float(theta1), float(population))
    if up <= 0:
        return 1.0, low, up
    return min(low / up, 1.0), low, up


def target_ratio(epsilon: float, *, budget: bool = False) -> float:
    """``1 - 1/e - epsilon``, or ``(1 - 1/e)/2 - epsilon`` with a budget."""
    return (E1 / 2.0 if budget else E1) - float(epsilon)
