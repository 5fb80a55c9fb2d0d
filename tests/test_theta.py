"""Tests for graphkit/seeds/_theta.py against IMM's formulas (Tang, Shi, Xiao 2015).

The reference values are computed here with mpmath at 50 digits from the paper's
equations as printed (Eq. 6 for lambda*, Eq. 9 for lambda', Algorithm 3 for ell).
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.seeds import _theta as T

mp.mp.dps = 50


def ref_lambda_star(n, k, eps, ell):
    e1 = 1 - 1 / mp.e
    alpha = mp.sqrt(ell * mp.log(n) + mp.log(2))
    beta = mp.sqrt(e1 * (mp.log(mp.binomial(n, k)) + ell * mp.log(n) + mp.log(2)))
    return 2 * n * (e1 * alpha + beta) ** 2 / mp.mpf(eps) ** 2


def ref_lambda_prime(n, k, eps, ell):
    ep = mp.sqrt(2) * eps
    return (2 + mp.mpf(2) / 3 * ep) * (mp.log(mp.binomial(n, k)) + ell * mp.log(n)
                                       + mp.log(mp.log(n) / mp.log(2))) * n / ep ** 2


CASES = [(15229, 50, 0.1, 1.0), (15229, 50, 0.5, 1.0), (1000, 1, 0.3, 1.0),
         (10**6, 100, 0.05, 2.0), (48132, 20, 0.1, 1.0 * (1 + math.log(2) / math.log(48132)))]


@pytest.mark.parametrize("n,k,eps,ell", CASES)
def test_lambdas_match_the_paper(n, k, eps, ell):
    assert T.lambda_star(n, k, eps, ell) == pytest.approx(float(ref_lambda_star(n, k, eps, ell)), rel=1e-12)
    assert T.lambda_prime(n, k, eps, ell) == pytest.approx(float(ref_lambda_prime(n, k, eps, ell)), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 400), data=st.data())
def test_log_binom_is_exact(n, data):
    k = data.draw(st.integers(0, n))
    assert T.log_binom(n, k) == pytest.approx(math.log(math.comb(n, k)), rel=1e-12, abs=1e-9)


def test_adjusted_ell():
    assert T.adjusted_ell(1024, 1.0) == pytest.approx(1.1)  # 1 + log 2 / log 2^10
    assert T.adjusted_ell(15229, 2.0) == pytest.approx(2 * (1 + math.log(2) / math.log(15229)))


def test_sampling_rounds():
    assert list(T.sampling_rounds(1024)) == list(range(1, 10))  # log2 n - 1 = 9 rounds
    assert list(T.sampling_rounds(15229)) == list(range(1, 14))  # ceil(13.9) - 1 = 13
    assert list(T.sampling_rounds(2)) == [1]


def test_theta_round_doubles_and_final_scales_with_eps():
    n, k, eps, ell = 15229, 50, 0.1, 1.0
    t1, t2 = T.theta_round(n, k, eps, ell, 1), T.theta_round(n, k, eps, ell, 2)
    assert abs(t2 - 2 * t1) <= 2
    assert t1 == math.ceil(float(ref_lambda_prime(n, k, eps, ell)) / (n / 2))
    lb = 1234.5
    assert T.theta_final(n, k, eps, ell, lb) == math.ceil(float(ref_lambda_star(n, k, eps, ell)) / lb)
    # lambda* is proportional to 1/eps^2
    assert T.lambda_star(n, k, 0.05, ell) == pytest.approx(4 * T.lambda_star(n, k, 0.1, ell))


def test_lower_bound_test_of_algorithm_2():
    n, eps = 1000, 0.1
    ep = math.sqrt(2) * eps
    x = n / 2 ** 3
    frac_pass = (1 + ep) * x / n + 1e-9
    assert T.lower_bound_reached(n, frac_pass, eps, 3) == pytest.approx(n * frac_pass / (1 + ep))
    assert T.lower_bound_reached(n, frac_pass - 1e-6, eps, 3) is None


def test_epsilon_for_sets_inverts_theta():
    n, k, ell, lb = 15229, 50, 1.0, 800.0
    need = T.theta_final(n, k, 0.1, ell, lb)
    eps = T.epsilon_for_sets(n, k, ell, lb, need / 4)  # 4x fewer sets -> 2x larger epsilon
    assert eps == pytest.approx(0.2, abs=1e-3)
    assert T.theta_final(n, k, eps, ell, lb) <= need / 4 * 1.01


@pytest.mark.parametrize("args", [(1, 1, 0.1, 1), (10, 0, 0.1, 1), (10, 11, 0.1, 1),
                                  (10, 2, 0.0, 1), (10, 2, 1.0, 1), (10, 2, 0.1, 0)])
def test_bad_arguments(args):
    with pytest.raises(ValueError):
        T.lambda_star(*args)
