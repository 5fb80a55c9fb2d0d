"""Tests for graphkit/seeds/opim.py: OPIM-C's guarantee and its certified ratio against the
exact optimum on tiny graphs (live-edge enumeration), constraints, the paper's stopping
rule, fresh final sets, the memory guard, determinism across seeds and thread counts."""

from __future__ import annotations

import importlib
import json
import math
import re

import numpy as np
import pytest
from graphs import digests_on_threads
from test_seeds_exact import CASES, Worlds, ig_from, small_graph

from graphkit.errors import InputError
from graphkit.seeds import _rrsets, opim

opim_module = importlib.import_module("graphkit.seeds.opim_alg")

E1 = 1 - 1 / math.e
EPS = 0.1


def pos(ig, ids):
    return [int(np.flatnonzero(ig.node_ids == u)[0]) for u in ids]


def trap(p=1.0):
    """Greedy's trap: A (0) reaches 1..6, B (7) 1,2,3,8,9, C (10) 4,5,6,11,12.

    Greedy takes A first (7 users), then B or C (10 in all); B + C reach 12.
    """
    arcs = [(0, v, p) for v in range(1, 7)] + [(7, v, p) for v in (1, 2, 3, 8, 9)]
    arcs += [(10, v, p) for v in (4, 5, 6, 11, 12)]
    return ig_from(arcs, 13)


# --------------------------------------------------------------------------- guarantee
@pytest.mark.parametrize("refine", [True, False])
@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("name", CASES)
def test_guarantee_and_certified_ratio_against_brute_force(model, name, refine):
    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig, model)
    for k in (1, 2, 3):
        opt, _ = w.optimum(k)
        res = opim(ig, k, model=model, epsilon=EPS, refine=refine, rng=k)
        got = w.spread(pos(ig, res.seeds))
        assert len(res.seeds) == k == len(set(res.seeds))
        assert got >= (E1 - EPS) * opt - 1e-9, (k, got, opt)
        # the certificate is a true lower bound, and its two halves bracket the truth
        assert res.certified_ratio * opt <= got + 1e-9, (k, res.certified_ratio, got, opt)
        assert res.spread_lower <= got + 1e-9 and opt <= res.opt_upper + 1e-9
        assert res.certified_ratio >= res.target_ratio == pytest.approx(E1 - EPS)


KIDS = {0: (1, 2, 3, 4, 5, 6), 7: (1, 2, 3, 8, 9), 10: (4, 5, 6, 11, 12)}


def trap_spread(seeds, p):
    """Exact expected spread on the trap: each user is reached unless every arc into it fails."""
    miss = {}
    for s in seeds:
        for v in KIDS.get(s, ()):
            miss[v] = miss.get(v, 1.0) * (1 - p)
    return len(set(seeds)) + sum(1 - m for v, m in miss.items() if v not in seeds)


@pytest.mark.parametrize("refine", [True, False])
@pytest.mark.parametrize("p", [1.0, 0.9])
def test_certificate_holds_where_greedy_is_not_optimal(p, refine):
    """On the trap greedy is ~0.83 optimal: a too-optimistic bound would claim more."""
    ig = trap(p)
    opt = trap_spread([7, 10], p)
    assert max(trap_spread([a, b], p) for a in range(13) for b in range(a + 1, 13)) == opt
    assert trap_spread([0, 7], p) < 0.9 * opt
    bad = 0
    for seed in range(30):
        res = opim(ig, 2, epsilon=0.3, refine=refine, rng=seed)
        got = trap_spread(pos(ig, res.seeds), p)
        bad += res.certified_ratio * opt > got + 1e-9
        assert res.opt_upper >= opt - 1e-9
    assert bad == 0  # delta = 1/13, but the bounds are conservative: none expected


def test_paper_rule_stops_at_the_first_certified_round():
    from test_seeds_rrsets import random_ig

    ig = random_ig(300, 1500, 3, pmax=0.3)
    said = []
    res = opim(ig, 10, refine=False, rng=4, progress=said.append)
    ratios = [float(m) for m in re.findall(r"certified ratio ([0-9.]+)", " ".join(said))]
    assert len(ratios) == res.rounds and res.stopped_by == "certified"
    assert ratios[-1] >= res.target_ratio and all(r < res.target_ratio for r in ratios[:-1])
    assert res.certified_ratio == pytest.approx(ratios[-1], abs=5e-4)
    assert res.rr_sets == 2 * res.theta
    from graphkit.seeds import _opim_bounds as B

    assert res.theta == B.round_sets(B.theta_zero(B.log_candidate_sets(300, 10), 1 / 300),
                                     res.rounds)


def test_refined_run_picks_on_fresh_final_sets(monkeypatch):
    made = []
    real = _rrsets.RRSets

    class Spy(real):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(importlib.import_module("graphkit.seeds._opim_rounds"), "RRSets", Spy)
    arcs, n = small_graph("random-2")
    res = opim(ig_from(arcs, n), 2, rng=9)
    assert len(made) == 4  # the rounds' two collections, the final sets, the validation sets
    r1, r2, final, valid = made
    assert final.count == res.theta and r1.count == r2.count == valid.count
    assert res.rr_sets == r1.count + r2.count + final.count + valid.count
    assert not np.array_equal(final.members[:50], r1.members[:50])
    assert res.stopped_by in ("refined", "last round", "memory")


def test_estimates_are_unbiased_for_the_chosen_seeds():
    arcs, n = small_graph("dense")
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    for refine in (True, False):
        res = opim(ig, 3, refine=refine, rng=5)
        assert np.allclose(np.cumsum(res.marginal_gain), res.estimate)
        sets = res.rr_sets - res.theta if refine else res.theta  # validation sets
        for j in range(3):
            exact = w.spread(pos(ig, res.seeds[: j + 1]))
            frac = exact / n
            tol = 5 * n * math.sqrt(frac * (1 - frac) / (sets / (4 if refine else 2)))
            assert abs(res.estimate[j] - exact) <= tol + 1e-9, (j, res.estimate[j], exact)


# --------------------------------------------------------------------------- constraints
@pytest.mark.parametrize("refine", [True, False])
def test_targets_include_exclude(refine):
    arcs, n = small_graph("chain-and-star")
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    targets = [2, 3, 4]
    for k in (1, 2):
        opt, _ = w.optimum(k, targets=targets)
        res = opim(ig, k, targets=[f"n{t}" for t in targets], refine=refine, rng=1)
        got = w.spread(pos(ig, res.seeds), targets)
        assert res.scale == 3 and got >= (E1 - EPS) * opt
        assert res.certified_ratio * opt <= got + 1e-9 and "target" in res.guarantee
    arcs, n = small_graph("hub")
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    res = opim(ig, 3, include=["n1"], exclude=["n0", "n2"], refine=refine, rng=4)
    assert res.seeds[0] == "n1" and res.n_included == 1 and not {"n0", "n2"} & set(res.seeds)
    opt, _ = w.optimum(2, candidates=[c for c in range(n) if c not in (0, 2)], include=(1,))
    got = w.spread(pos(ig, res.seeds))
    assert got >= (E1 - EPS) * opt and res.certified_ratio * opt <= got + 1e-9
    assert "containing the included users" in res.guarantee


@pytest.mark.parametrize("refine", [True, False])
@pytest.mark.parametrize("name", ["hub", "chain-and-star", "random-3"])
def test_budget_guarantee_and_never_exceeded(name, refine):
    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig)
    rng = np.random.default_rng(len(name))
    cost = {f"n{i}": float(c) for i, c in enumerate(np.round(rng.uniform(1, 6, n)))}
    for budget in (3.0, 7.0, 12.0):
        res = opim(ig, costs=cost, budget=budget, epsilon=0.05, refine=refine, rng=2)
        spent = sum(cost[u] for u in res.seeds)
        assert spent <= budget and res.spent == pytest.approx(spent)
        opt, _ = w.optimum(0, cost=[cost[f"n{i}"] for i in range(n)], budget=budget)
        got = w.spread(pos(ig, res.seeds))
        assert got >= (E1 / 2 - 0.05) * opt and res.certified_ratio * opt <= got + 1e-9
        assert "(1 - 1/e)/2" in res.guarantee and res.target_ratio == pytest.approx(E1 / 2 - 0.05)


def test_trap_with_a_budget_knapsack_bound():
    """Budget mode's upper bound (fractional knapsack) must bound the best affordable set."""
    ig = trap(1.0)
    cost = {f"n{i}": 1.0 for i in range(13)}
    cost["n0"] = 2.0
    for refine in (True, False):
        res = opim(ig, costs=cost, budget=2.0, epsilon=0.2, refine=refine, rng=3)
        got = trap_spread(pos(ig, res.seeds), 1.0)
        assert res.opt_upper >= 12 - 1e-9 and res.certified_ratio * 12 <= got + 1e-9


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_result():
    from test_seeds_rrsets import random_ig

    ig = random_ig(300, 1500, 3, pmax=0.3)
    a, b = opim(ig, 10, rng=5), opim(ig, 10, rng=5)
    assert a.seeds == b.seeds and np.array_equal(a.estimate, b.estimate)
    assert a.certified_ratio == b.certified_ratio
    c = opim(ig, 10, rng=6)
    assert c.theta != a.theta or not np.array_equal(c.estimate, a.estimate)


_THREAD_SCRIPT = r"""
import hashlib, numba, numpy as np, sys
sys.path.insert(0, "tests")
from test_seeds_subsim import wc_like
from graphkit.seeds import opim, select_seeds
ig = wc_like(2000, 16000, 5)          # weighted cascade: rows draw by counts
h = hashlib.sha256()
for model in ("ic", "lt"):
    for refine in (True, False):
        res = opim(ig, 8, model=model, refine=refine, rng=11,
                   targets=[f"u{i:04d}" for i in range(0, 2000, 3)])
        h.update(repr(res.seeds).encode()); h.update(res.estimate.tobytes())
        h.update(np.float64(res.certified_ratio).tobytes())
sel = select_seeds(ig, 5, method="opim", evaluate_runs=500, curve_sets=2000, rng=2)
h.update(sel.table.to_csv().encode()); h.update(np.float64(sel.spread.mean).tobytes())
print(numba.get_num_threads(), h.hexdigest())
"""


def test_identical_results_on_one_and_two_threads():
    out = digests_on_threads(_THREAD_SCRIPT, timeout=600)
    assert out["1"] == out["2"]


# --------------------------------------------------------------------------- memory guard
def test_memory_guard_in_the_rounds_names_an_epsilon_that_fits():
    from test_seeds_rrsets import random_ig

    ig = random_ig(2000, 8000, 1, pmax=0.2)
    limit = 600_000
    with pytest.raises(InputError) as err:
        opim(ig, 20, epsilon=0.01, refine=False, rng=1, max_memory=limit)
    msg = str(err.value)
    assert "\n" not in msg and "memory limit" in msg and "round" in msg
    m = re.search(r"epsilon=([0-9.]+) would fit", msg)
    assert m, msg
    res = opim(ig, 20, epsilon=float(m.group(1)), refine=False, rng=1, max_memory=limit)
    assert len(res.seeds) == 20 and res.memory_estimate <= limit


def test_memory_guard_in_the_final_phase():
    from test_seeds_rrsets import random_ig

    ig = random_ig(2000, 8000, 1, pmax=0.2)
    limit = 2_500_000
    with pytest.raises(InputError) as err:
        opim(ig, 20, epsilon=0.02, rng=1, max_memory=limit)
    msg = str(err.value)
    assert "final RR sets" in msg, msg
    m = re.search(r"epsilon=([0-9.]+) would fit", msg)
    assert m, msg
    res = opim(ig, 20, epsilon=min(float(m.group(1)) * 1.02, 0.99), rng=1, max_memory=limit)
    assert len(res.seeds) == 20 and res.memory_estimate <= limit
    with pytest.raises(InputError, match="no epsilon below 1 fits"):
        opim(ig, 20, rng=1, max_memory=60_000)


def test_memory_estimate_is_an_upper_bound_on_the_arrays():
    from test_seeds_rrsets import random_ig

    ig = random_ig(3000, 15000, 2, pmax=0.3)
    rr = _rrsets.RRSets(ig, "ic")
    rr.extend(50_000, rng=1)
    held = 2 * rr.nbytes() + rr.members.nbytes + rr.count  # two collections, index, flags
    assert opim_module.memory_needed(rr.count, rr.mean_size(), ig.n_nodes, threads=1) >= held


# --------------------------------------------------------------------------- errors and CLI
def test_bad_arguments():
    arcs, n = small_graph("dense")
    ig = ig_from(arcs, n)
    with pytest.raises(ValueError, match="epsilon"):
        opim(ig, 2, epsilon=1.5)
    with pytest.raises(ValueError, match="model"):
        opim(ig, 2, model="sir")
    with pytest.raises(ValueError, match="ell"):
        opim(ig, 2, ell=0)


def test_cli_methods_match_the_library_and_opim_reports_its_ratio(tmp_path):
    from click.testing import CliRunner

    from graphkit.cli import cli
    from graphkit.cli.commands.seeds import SEED_METHODS
    from graphkit.seeds import METHODS

    assert SEED_METHODS == METHODS
    edges = tmp_path / "e.csv"
    rng = np.random.default_rng(1)
    rows = {(f"u{a}", f"u{b}") for a, b in rng.integers(0, 60, (300, 2)) if a != b}
    edges.write_text("source,target\n" + "".join(f"{a},{b}\n" for a, b in sorted(rows)))
    out = CliRunner().invoke(cli, ["seeds", str(edges), "-k", "3", "--method", "opim", "--runs",
                                   "200", "--random-seed", "4", "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    d = doc["details"]
    assert doc["method"] == "opim" and doc["epsilon"] == 0.1
    assert d["certified_ratio"] >= d["target_ratio"] and "certified" in doc["guarantee"]
    table = CliRunner().invoke(cli, ["seeds", str(edges), "-k", "3", "--method", "opim",
                                     "--runs", "200", "--random-seed", "4", "--no-baselines"])
    assert table.exit_code == 0 and "certified ratio" in table.output
