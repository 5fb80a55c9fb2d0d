"""Tests for graphkit/seeds/_opim_bounds.py against OPIM-C's formulas (Tang, Tang, Xiao,
Yuan, SIGMOD 2018) and the tail inequalities they come from.

The references are computed here with mpmath at 50 digits: theta_0 and theta_max from the
paper's expressions, the bounds by solving the tail equations numerically (not by the
closed forms under test), and the coverage of the bounds by binomial simulation.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.seeds import _opim_bounds as B

mp.mp.dps = 50


def ref_theta_zero(n, k, delta):
    e1 = 1 - 1 / mp.e
    alpha = mp.sqrt(mp.log(6 / mp.mpf(delta)))
    beta = mp.sqrt(e1 * (mp.log(mp.binomial(n, k)) + mp.log(6 / mp.mpf(delta))))
    return 2 * (e1 * alpha + beta) ** 2


@pytest.mark.parametrize("n,k,eps", [(15229, 50, 0.1), (15229, 50, 0.05), (48132, 20, 0.1),
                                     (1000, 1, 0.3), (2_000_000, 100, 0.1)])
def test_theta_zero_and_max_match_the_paper(n, k, eps):
    delta = B.failure_probability(n, 1.0)
    t0 = B.theta_zero(B.log_candidate_sets(n, k), delta)
    assert t0 == pytest.approx(float(ref_theta_zero(n, k, delta)), rel=1e-10)  # lgamma
    # theta_max = 2 n ((1-1/e) alpha + beta)^2 / (eps^2 k): the paper's, with OPT >= k
    tm = B.theta_max(n, k, eps, B.log_candidate_sets(n, k), delta)
    assert tm == pytest.approx(float(ref_theta_zero(n, k, delta) * n / (mp.mpf(eps) ** 2 * k)),
                               rel=1e-10)
    r = B.n_rounds(t0, tm)
    assert B.round_sets(t0, r) >= tm > B.round_sets(t0, r - 2)  # one round past the paper's
    assert r == math.ceil(math.log2(tm / t0)) + 1
    a = B.round_log_term(delta, r)
    assert a == pytest.approx(float(mp.log(3 * r / mp.mpf(delta))), rel=1e-12)


def test_theta_max_is_imms_lambda_star_at_a_third_of_delta():
    """IMM's lambda* (Eq. 6) with failure n^-l = delta/3 equals theta_max * OPT."""
    from graphkit.seeds import _theta

    n, k, eps = 15229, 50, 0.1
    delta = 1 / n
    ell = math.log(3 / delta) / math.log(n)  # n^-ell = delta / 3; lambda* carries its own log 2
    lam = _theta.lambda_star(n, k, eps, ell)
    assert B.theta_max(n, 1.0, eps, B.log_candidate_sets(n, k), delta) == pytest.approx(lam, rel=1e-12)


def test_final_sets_is_imms_theta_for_the_lower_bound():
    from graphkit.seeds import _theta

    n, k, eps, lb = 15229, 50, 0.1, 850.0
    delta_final = 1 / (4 * n)
    ell = math.log(1 / delta_final) / math.log(n)  # n^-ell = delta_final
    ref = _theta.lambda_star(n, k, eps, ell) / lb
    got = B.final_sets(n, lb, eps, B.log_candidate_sets(n, k), delta_final)
    assert got == pytest.approx(ref, rel=1e-12)
    assert B.round_log_term(0.01, 5, parts=4) == pytest.approx(math.log(4 * 5 / 0.01))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), data=st.data())
def test_log_candidate_sets_is_exact(n, data):
    k = data.draw(st.integers(1, n))
    assert B.log_candidate_sets(n, k) == pytest.approx(math.log(math.comb(n, k)), abs=1e-9)
    total = sum(math.comb(n, j) for j in range(1, k + 1))
    assert B.log_candidate_sets(n, k, up_to=True) == pytest.approx(math.log(total), rel=1e-12,
                                                                    abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(L=st.floats(0, 1e7), a=st.floats(0.5, 60))
def test_lower_bound_solves_the_upper_tail_equation(L, a):
    """x = lower_bound(L) is the x with L - x = lam and exp(-lam^2 / (2x + 2 lam / 3)) = e^-a."""
    x = B.lower_bound(L, a)
    assert 0 <= x <= L
    if L < 5 * a / 18:
        assert x == 0
        return
    if x > 1e-9 * max(L, 1):
        lam = mp.mpf(L) - x
        assert float(lam ** 2 / (2 * x + 2 * lam / 3)) == pytest.approx(a, rel=1e-6)
    # and the equation's root found numerically (not from the closed form) agrees
    f = lambda y: (mp.mpf(L) - y) ** 2 - a * (2 * y + 2 * (mp.mpf(L) - y) / 3)  # noqa: E731
    lo, hi = mp.mpf(0), mp.mpf(L)  # f(L) < 0; f falls on [0, L]: the bound is its root there
    if f(lo) > 0:
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
        assert float(lo) == pytest.approx(x, rel=1e-7, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(L=st.floats(0, 1e7), a=st.floats(0.5, 60))
def test_upper_bound_solves_the_lower_tail_equation(L, a):
    """x = upper_bound(L): x - L = lam with exp(-lam^2 / (2x)) = e^-a."""
    x = B.upper_bound(L, a)
    assert x >= L
    lam = x - mp.mpf(L)
    if x > 0:
        assert float(lam ** 2 / (2 * x)) == pytest.approx(a, rel=1e-7)


@pytest.mark.parametrize("p,theta", [(0.002, 200_000), (0.05, 20_000), (0.3, 3_000)])
def test_bounds_hold_with_the_stated_probability(p, theta):
    """Binomial simulation: each bound misses theta*p in at most a delta fraction of draws."""
    delta = 0.05
    a = math.log(1 / delta)
    rng = np.random.default_rng(1)
    draws = rng.binomial(theta, p, size=20_000)
    mean = theta * p
    low = np.array([B.lower_bound(d, a) for d in draws])
    up = np.array([B.upper_bound(d, a) for d in draws])
    # the true miss rates sit well below delta (the tails are not tight); the slack is 4 sd
    sd = math.sqrt(delta * (1 - delta) / draws.size)
    assert (low > mean).mean() <= delta + 4 * sd
    assert (up < mean).mean() <= delta + 4 * sd
    # and the bounds are not vacuous: they sit within a few standard deviations
    s = math.sqrt(theta * p * (1 - p))
    assert np.median(mean - low) < 4 * s and np.median(up - mean) < 4 * s


def test_certified_ratio_clamps_and_sure_bounds():
    ratio, low, up = B.certified_ratio(500, 10_000, 600, 5_000, 10.0, 1000)
    assert low == pytest.approx(B.lower_bound(500, 10.0) / 10) and up == pytest.approx(
        B.upper_bound(600, 10.0) / 5)
    assert ratio == pytest.approx(low / up)
    # the seeds reaching themselves is a sure lower bound; OPT <= the population
    r2, low2, up2 = B.certified_ratio(0, 10**6, 10**6, 10**6, 10.0, 50, sure_spread=5)
    assert low2 == 5 and up2 == 50 and r2 == pytest.approx(0.1)


def test_targets_and_errors():
    assert B.target_ratio(0.1) == pytest.approx(1 - 1 / math.e - 0.1)
    assert B.target_ratio(0.05, budget=True) == pytest.approx((1 - 1 / math.e) / 2 - 0.05)
    assert B.failure_probability(100, 2) == pytest.approx(1e-4)
    assert B.n_rounds(100, 50) == 1 and B.round_sets(99.2, 3) == 400
    for bad in (lambda: B.failure_probability(1, 1), lambda: B.theta_max(10, 0, 0.1, 1, 0.1),
                lambda: B.theta_max(10, 1, 1.5, 1, 0.1), lambda: B.theta_zero(1, 1.5),
                lambda: B.lower_bound(-1, 1), lambda: B.upper_bound(-1, 1),
                lambda: B.round_sets(10, 0), lambda: B.log_candidate_sets(3, 4)):
        with pytest.raises(ValueError):
            bad()
