"""Tests for graphkit/seeds/imm.py (and celf.py): the approximation guarantee against the
brute-force optimum on tiny graphs (exact live-edge enumeration), constraints, Chen's
fresh final RR sets, the memory guard, determinism across seeds and thread counts."""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

import numpy as np
import pytest
from graphs import digests_on_threads
from test_seeds_exact import CASES, Worlds, ig_from, small_graph

from graphkit.errors import InputError, UnknownUserError
from graphkit.seeds import _rrsets, _theta, imm
from graphkit.seeds.celf_alg import celf

imm_module = importlib.import_module("graphkit.seeds.imm_alg")

ROOT = Path(__file__).resolve().parents[1]
E1 = 1 - 1 / math.e
EPS = 0.1


def pos(ig, ids):
    return [int(np.flatnonzero(ig.node_ids == u)[0]) for u in ids]


# --------------------------------------------------------------------------- guarantee
@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("name", CASES)
def test_imm_and_celf_reach_the_guarantee_against_brute_force(model, name):
    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig, model)
    for k in (1, 2, 3):
        opt, _ = w.optimum(k)
        res = imm(ig, k, model=model, epsilon=EPS, rng=k)
        got = w.spread(pos(ig, res.seeds))
        assert len(res.seeds) == k == len(set(res.seeds))
        assert got >= (E1 - EPS) * opt - 1e-9, (k, got, opt)
        # IMM's own prefix estimates track the exact spread of each prefix
        for j in range(k):
            exact = w.spread(pos(ig, res.seeds[: j + 1]))
            frac = exact / n
            tol = 5 * n * math.sqrt(frac * (1 - frac) / res.theta) + 0.02 * exact + 1e-9
            assert abs(res.estimate[j] - exact) <= tol, (j, res.estimate[j], exact)
        cres = celf(ig, k, model=model, runs=3000, rng=k)
        assert w.spread(pos(ig, cres.seeds)) >= (E1 - EPS) * opt - 1e-9


def test_imm_finds_the_optimum_where_a_poor_choice_fails_the_bound():
    """On 'hub' the best single seed is worth far more than (1-1/e-eps) x the others, so a
    wrong pick would fail the bound: the test above can fail."""
    arcs, n = small_graph("hub")
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    opt, best = w.optimum(1)
    others = max(w.spread([u]) for u in range(n) if u != best[0])
    assert others < (E1 - EPS) * opt
    assert pos(ig, imm(ig, 1, rng=3).seeds) == list(best)


def test_targeted_guarantee_counts_only_targets():
    arcs, n = small_graph("chain-and-star")
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    targets = [2, 3, 4]  # down the chain: the star's hub (5) is a poor choice here
    for k in (1, 2):
        opt, best = w.optimum(k, targets=targets)
        res = imm(ig, k, targets=[f"n{t}" for t in targets], rng=1)
        assert res.scale == 3
        got = w.spread(pos(ig, res.seeds), targets)
        assert got >= (E1 - EPS) * opt
        assert res.estimate[-1] == pytest.approx(got, abs=0.15)
        assert "target" in res.guarantee
    untargeted = imm(ig, 1, rng=1).seeds
    assert untargeted != imm(ig, 1, targets=["n3", "n4"], rng=1).seeds


@pytest.mark.parametrize("name", ["hub", "random-1", "dense"])
def test_include_exclude_and_their_optimum(name):
    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    res = imm(ig, 3, include=["n1"], exclude=["n0", "n2"], rng=4)
    assert res.seeds[0] == "n1" and res.n_included == 1 and len(res.seeds) == 3
    assert not {"n0", "n2"} & set(res.seeds)
    opt, _ = w.optimum(2, candidates=[c for c in range(n) if c not in (0, 2)], include=(1,))
    assert w.spread(pos(ig, res.seeds)) >= (E1 - EPS) * opt
    assert res.marginal_gain[0] == pytest.approx(w.spread([1]), abs=0.2)


@pytest.mark.parametrize("name", ["hub", "chain-and-star", "random-3"])
def test_budget_guarantee_and_never_exceeded(name):
    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    rng = np.random.default_rng(len(name))
    cost = {f"n{i}": float(c) for i, c in enumerate(np.round(rng.uniform(1, 6, n)))}
    for budget in (3.0, 7.0, 12.0):
        res = imm(ig, costs=cost, budget=budget, epsilon=0.05, rng=2)
        spent = sum(cost[u] for u in res.seeds)
        assert spent <= budget and res.spent == pytest.approx(spent)
        opt, _ = w.optimum(0, cost=[cost[f"n{i}"] for i in range(n)], budget=budget)
        assert w.spread(pos(ig, res.seeds)) >= (E1 / 2 - 0.05) * opt
        assert "(1 - 1/e)/2" in res.guarantee


def test_guarantee_statement():
    s = imm_module.guarantee_text(0.1, 1.0, 100, budget=False, targeted=False, include=False)
    assert "1 - 1/e - epsilon = 0.532" in s and "1 - n^-1 = 0.99" in s
    assert "no approximation guarantee" in imm_module.guarantee_text(
        0.5, 1.0, 100, budget=True, targeted=False, include=False)


# --------------------------------------------------------------------------- IMM mechanics
def test_final_sets_are_drawn_afresh_chen_workaround(monkeypatch):
    made = []
    real = _rrsets.RRSets

    class Spy(real):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(imm_module, "RRSets", Spy)
    arcs, n = small_graph("random-2")
    res = imm(ig_from(arcs, n), 2, rng=9)
    assert len(made) == 2  # one collection for the sampling phase, a fresh one for selection
    sampling, final = made
    assert sampling.count == res.sampling_sets and final.count == res.theta
    assert final.offsets[1] != 0 and not np.array_equal(
        final.members[:100], sampling.members[:100])
    ell_adj = _theta.adjusted_ell(n, 1.0)
    lb_n = res.lower_bound * n / res.scale
    assert res.theta == _theta.theta_final(n, 2, 0.1, ell_adj, lb_n)
    assert res.sampling_sets == _theta.theta_round(n, 2, 0.1, ell_adj, res.rounds)


def test_estimate_and_marginal_gains_are_consistent():
    arcs, n = small_graph("dense")
    res = imm(ig_from(arcs, n), 3, rng=1)
    assert np.allclose(np.cumsum(res.marginal_gain), res.estimate)
    assert res.spread == res.estimate[-1] and np.all(np.diff(res.estimate) >= 0)
    assert 0 < res.lower_bound <= res.spread * 1.5


def test_same_seed_same_result_different_seed_may_differ():
    from test_seeds_rrsets import random_ig

    ig = random_ig(300, 1500, 3, pmax=0.3)
    a, b = imm(ig, 10, rng=5), imm(ig, 10, rng=5)
    assert a.seeds == b.seeds and np.array_equal(a.estimate, b.estimate)
    c = imm(ig, 10, rng=6)
    assert c.theta != a.theta or not np.array_equal(c.estimate, a.estimate)


_THREAD_SCRIPT = r"""
import hashlib, numba, numpy as np, sys
sys.path.insert(0, "tests")
from test_seeds_rrsets import random_ig
from graphkit.seeds import imm, select_seeds
from graphkit.seeds._rrsets import RRSets
ig = random_ig(400, 2400, 5, pmax=0.3)
h = hashlib.sha256()
for model in ("ic", "lt"):
    rr = RRSets(ig, model)
    rr.extend(70000, rng=3)
    h.update(rr.offsets.tobytes()); h.update(rr.members.tobytes())
    res = imm(ig, 8, model=model, rng=11, targets=[f"u{i:03d}" for i in range(0, 400, 3)])
    h.update(repr(res.seeds).encode()); h.update(res.estimate.tobytes())
sel = select_seeds(ig, 5, evaluate_runs=500, curve_sets=2000, rng=2)
h.update(sel.table.to_csv().encode()); h.update(np.float64(sel.spread.mean).tobytes())
print(numba.get_num_threads(), h.hexdigest())
"""


def test_identical_results_on_one_and_two_threads():
    out = digests_on_threads(_THREAD_SCRIPT, timeout=600)
    assert out["1"] == out["2"]


# --------------------------------------------------------------------------- memory guard
def test_memory_guard_refuses_with_an_epsilon_that_fits():
    from test_seeds_rrsets import random_ig

    ig = random_ig(2000, 8000, 1, pmax=0.2)
    limit = 3_000_000  # 3 MB: epsilon 0.05 cannot fit
    with pytest.raises(InputError) as err:
        imm(ig, 20, epsilon=0.05, rng=1, max_memory=limit)
    msg = str(err.value)
    assert "\n" not in msg and "memory limit" in msg and "max_memory" in msg
    m = re.search(r"epsilon=([0-9.]+) would fit", msg)
    assert m, msg
    suggested = float(m.group(1))
    assert 0.05 < suggested < 1
    res = imm(ig, 20, epsilon=min(suggested * 1.05, 0.99), rng=1, max_memory=limit * 1.2)
    assert len(res.seeds) == 20 and res.memory_estimate <= limit * 1.2


def test_memory_guard_in_the_sampling_phase_and_hopeless_limits():
    from test_seeds_rrsets import random_ig

    ig = random_ig(2000, 8000, 1, pmax=0.2)
    with pytest.raises(InputError, match=r"sampling round 1.*(would fit|no epsilon)"):
        imm(ig, 20, epsilon=0.01, rng=1, max_memory=150_000)
    with pytest.raises(InputError, match="no epsilon below 1 fits"):
        imm(ig, 20, epsilon=0.5, rng=1, max_memory=100_000)  # below the per-user arrays


# --------------------------------------------------------------------------- errors
def test_bad_arguments():
    arcs, n = small_graph("dense")
    ig = ig_from(arcs, n)
    with pytest.raises(UnknownUserError, match="'zed'"):
        imm(ig, 2, include=["zed"])
    with pytest.raises(UnknownUserError, match="target user"):
        imm(ig, 2, targets=["nope", "n1"])
    with pytest.raises(InputError, match="both included and excluded"):
        imm(ig, 3, include=["n1"], exclude=["n1"])
    with pytest.raises(InputError, match="only 4 users are eligible"):
        imm(ig, 5, exclude=["n0", "n1"])
    with pytest.raises(InputError, match="leaves no seed"):
        imm(ig, 1, include=["n1"])
    with pytest.raises(ValueError, match="epsilon"):
        imm(ig, 2, epsilon=1.5)
    with pytest.raises(ValueError, match="model"):
        imm(ig, 2, model="sir")
    with pytest.raises(ValueError, match="not both"):
        imm(ig, 2, costs={"n1": 1.0}, budget=3)
    with pytest.raises(ValueError, match="needs costs"):
        imm(ig, budget=3)
    with pytest.raises(InputError, match="no eligible user costs at most"):
        imm(ig, costs={"n1": 5.0}, budget=3)
    with pytest.raises(InputError, match="not a number"):
        imm(ig, 2, costs={"n1": "cheap"})
    with pytest.raises(InputError, match="non-negative"):
        imm(ig, 2, costs={"n1": -1})
    with pytest.raises(InputError, match="CELF simulates"):
        celf(ig, 2, max_users=3)
