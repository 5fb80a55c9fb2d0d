"""Sample-size math of IMM (Tang, Shi, Xiao, SIGMOD 2015), pure and separately tested.

Notation follows the paper: ``n`` users, ``k`` seeds, approximation slack ``epsilon``,
failure probability ``n ** -ell``. All logarithms are natural except ``log2``.

IMM's two phases:

* **Sampling** (Algorithm 2): for ``i = 1 .. ceil(log2 n) - 1``, guess the optimum
  ``x = n / 2**i``, draw ``theta_i = lambda_prime / x`` RR sets (Eq. 9 with
  ``epsilon' = sqrt(2) * epsilon``), run greedy node selection, and stop at the first
  ``i`` whose coverage satisfies ``n * F(S_i) >= (1 + epsilon') * x``; the lower bound
  on OPT is then ``LB = n * F(S_i) / (1 + epsilon')``.
* **Node selection**: ``theta = lambda_star / LB`` RR sets (Eq. 6) and greedy max
  coverage on them.

``ell`` is raised to ``ell * (1 + log 2 / log n)`` (Algorithm 3, line 1) so that the
two phases together fail with probability at most ``n ** -ell``.

Chen's correction ("An Issue in the Martingale Analysis of the Influence
Maximization Algorithm IMM", W. Chen, 2018, arXiv:1808.09363): the original IMM
reuses the sampling phase's RR sets in the final selection, which makes the number
of RR sets a stopping time that depends on the same samples, and the martingale
bound used in the proof does not hold as stated. graphkit implements Chen's first
workaround: the final ``theta`` RR sets are drawn afresh, independently of the
sampling phase (whose sets are used only to find ``LB``). The formulas below are
unchanged by that fix; the cost is at most one extra batch of ``theta`` sets.
"""

from __future__ import annotations

import math

__all__ = [
    "log_binom",
    "adjusted_ell",
    "epsilon_prime",
    "lambda_prime",
    "lambda_star",
    "sampling_rounds",
    "theta_round",
    "theta_final",
    "lower_bound_reached",
    "epsilon_for_sets",
]


def log_binom(n: int, k: int) -> float:
    """Natural log of the binomial coefficient C(n, k), via lgamma (exact enough for any n)."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _check(n: int, k: int, epsilon: float, ell: float) -> None:
    if n < 2:
        raise ValueError(f"IMM needs at least 2 users, got {n}")
    if not 1 <= k <= n:
        raise ValueError(f"k must lie in [1, n={n}], got {k}")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must lie in (0, 1), got {epsilon}")
    if not ell > 0:
        raise ValueError(f"ell must be positive, got {ell}")


def adjusted_ell(n: int, ell: float) -> float:
    """``ell * (1 + log 2 / log n)``: IMM's Algorithm 3, line 1."""
    return ell * (1.0 + math.log(2.0) / math.log(n))


def epsilon_prime(epsilon: float) -> float:
    """``epsilon' = sqrt(2) * epsilon``, the slack of the sampling phase."""
    return math.sqrt(2.0) * epsilon


def lambda_prime(n: int, k: int, epsilon: float, ell: float) -> float:
    """Eq. 9: ``(2 + 2/3 eps') (log C(n,k) + ell log n + log log2 n) n / eps'^2``.

    ``epsilon`` is IMM's epsilon; ``eps' = sqrt(2) * epsilon`` is applied here.
    """
    _check(n, k, epsilon, ell)
    ep = epsilon_prime(epsilon)
    return ((2.0 + 2.0 / 3.0 * ep)
            * (log_binom(n, k) + ell * math.log(n) + math.log(math.log2(n)))
            * n / ep ** 2)


def lambda_star(n: int, k: int, epsilon: float, ell: float) -> float:
    """Eq. 6: ``2 n ((1 - 1/e) alpha + beta)^2 / eps^2`` with

    ``alpha = sqrt(ell log n + log 2)`` and
    ``beta = sqrt((1 - 1/e)(log C(n,k) + ell log n + log 2))``.
    """
    _check(n, k, epsilon, ell)
    e1 = 1.0 - 1.0 / math.e
    alpha = math.sqrt(ell * math.log(n) + math.log(2.0))
    beta = math.sqrt(e1 * (log_binom(n, k) + ell * math.log(n) + math.log(2.0)))
    return 2.0 * n * (e1 * alpha + beta) ** 2 / epsilon ** 2


def sampling_rounds(n: int) -> range:
    """The ``i`` of the sampling phase: ``1 .. ceil(log2 n) - 1`` (at least one round)."""
    return range(1, max(2, math.ceil(math.log2(n))))


def theta_round(n: int, k: int, epsilon: float, ell: float, i: int) -> int:
    """RR sets needed in sampling round ``i``: ``ceil(lambda' / (n / 2**i))``."""
    x = n / 2.0 ** i
    return math.ceil(lambda_prime(n, k, epsilon, ell) / x)


def lower_bound_reached(n: int, coverage_fraction: float, epsilon: float, i: int) -> float | None:
    """The lower bound ``LB`` on OPT if round ``i``'s coverage passes the test, else None.

    ``coverage_fraction`` is ``F_R(S_i)``, the fraction of the round's RR sets covered by
    the greedy seeds. The test is ``n F >= (1 + eps') x`` with ``x = n / 2**i``.
    """
    ep = epsilon_prime(epsilon)
    x = n / 2.0 ** i
    est = n * coverage_fraction
    if est >= (1.0 + ep) * x:
        return est / (1.0 + ep)
    return None


def theta_final(n: int, k: int, epsilon: float, ell: float, lower_bound: float) -> int:
    """RR sets for the final selection: ``ceil(lambda* / LB)``."""
    if not lower_bound > 0:
        raise ValueError(f"lower bound must be positive, got {lower_bound}")
    return math.ceil(lambda_star(n, k, epsilon, ell) / lower_bound)


def epsilon_for_sets(n: int, k: int, ell: float, lower_bound: float, max_sets: float) -> float:
    """The smallest epsilon whose final phase needs at most ``max_sets`` RR sets.

    ``lambda*`` is exactly proportional to ``1 / epsilon**2``, so
    ``epsilon = sqrt(lambda*(eps=1) / (LB * max_sets))`` (rounded up to 3 digits).
    Used to tell a user which epsilon would fit in memory.
    """
    if max_sets <= 0:
        raise ValueError("max_sets must be positive")
    base = lambda_star(n, k, 0.5, ell) * 0.25  # lambda* at epsilon = 1
    eps = math.sqrt(base / (lower_bound * max_sets))
    return math.ceil(eps * 1000) / 1000
