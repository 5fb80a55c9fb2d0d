"""Tests for graphkit/seeds/greedy.py: the lazy greedy equals a naive greedy (ties by id),
meets its approximation factors against brute force, and respects budgets and masks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.seeds.greedy import (
    budgeted_coverage,
    first_cover,
    invert,
    max_coverage,
    prefix_coverage,
)

E1 = 1 - 1 / math.e


def random_sets(seed, n=8, r=40, maxlen=4):
    rng = np.random.default_rng(seed)
    sets = [sorted(rng.choice(n, size=int(rng.integers(1, maxlen + 1)), replace=False).tolist())
            for _ in range(r)]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    members = np.array([u for s in sets for u in s], dtype=np.int32)
    return sets, offsets, members


def covered(sets, chosen):
    c = set(chosen)
    return sum(1 for s in sets if c.intersection(s))


def naive_greedy(sets, n, k, rank, eligible=None, fixed=(), cost=None, budget=None,
                 ratio=False):
    """Recompute every gain each step; best key, ties by rank; budget: drop what no longer fits."""
    chosen = list(fixed)
    picks, spent = [], 0.0
    alive = [u for u in range(n) if (eligible is None or eligible[u]) and u not in fixed]
    while alive and (budget is not None or len(picks) < k):
        base = covered(sets, chosen)
        if budget is not None:
            alive = [u for u in alive if cost[u] <= budget - spent]
            if not alive:
                break

        def key(u, base=base):
            g = covered(sets, chosen + [u]) - base
            if ratio:
                g = g / cost[u] if cost[u] > 0 else (math.inf if g > 0 else 0.0)
            return (-g, rank[u])

        u = min(alive, key=key)
        if budget is not None and covered(sets, chosen + [u]) - base == 0:
            break
        picks.append(u)
        chosen.append(u)
        alive.remove(u)
        if budget is not None:
            spent += cost[u]
    return picks


@pytest.mark.parametrize("seed", range(12))
def test_lazy_greedy_equals_naive_greedy_with_id_ties(seed):
    sets, offsets, members = random_sets(seed)
    rank = np.random.default_rng(seed + 100).permutation(8)  # id order differs from position
    for k in (1, 3, 5):
        cov = max_coverage(offsets, members, 8, k, id_rank=rank)
        assert cov.picks.tolist() == naive_greedy(sets, 8, k, rank)
        assert cov.covered == covered(sets, cov.picks.tolist())
        assert cov.gains.sum() == cov.covered and np.all(np.diff(cov.gains) <= 0)


@pytest.mark.parametrize("seed", range(8))
def test_greedy_reaches_one_minus_one_over_e_of_brute_force(seed):
    sets, offsets, members = random_sets(seed, n=9, r=30, maxlen=3)
    for k in (2, 3):
        best = max(covered(sets, c) for c in itertools.combinations(range(9), k))
        cov = max_coverage(offsets, members, 9, k)
        assert cov.covered >= E1 * best


def test_ties_break_by_id_rank_not_position():
    offsets = np.array([0, 1, 2, 3])
    members = np.array([0, 1, 2], dtype=np.int32)  # three users, one set each: all tie
    assert max_coverage(offsets, members, 3, 1, id_rank=np.array([2, 0, 1])).picks.tolist() == [1]
    assert max_coverage(offsets, members, 3, 3, id_rank=np.array([2, 0, 1])).picks.tolist() == [1, 2, 0]


def test_fixed_users_are_pre_covered_and_masks_respected():
    sets, offsets, members = random_sets(5)
    eligible = np.ones(8, dtype=bool)
    eligible[[2, 6]] = False
    cov = max_coverage(offsets, members, 8, 3, eligible=eligible, fixed=[4, 1])
    assert not set(cov.picks.tolist()) & {2, 6, 4, 1}
    assert cov.fixed_gains.tolist() == [covered(sets, [4]), covered(sets, [4, 1]) - covered(sets, [4])]
    assert cov.covered == covered(sets, [4, 1] + cov.picks.tolist())
    assert cov.picks.tolist() == naive_greedy(sets, 8, 3, np.arange(8), eligible, fixed=(4, 1))


def test_k_is_filled_with_zero_gain_users_by_id():
    offsets = np.array([0, 1])
    members = np.array([3], dtype=np.int32)
    cov = max_coverage(offsets, members, 5, 3)
    assert cov.picks.tolist() == [3, 0, 1] and cov.gains.tolist() == [1, 0, 0]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), budget=st.floats(0.5, 12))
def test_budget_is_never_exceeded_and_matches_best_of_two_naive_greedies(seed, budget):
    sets, offsets, members = random_sets(seed, n=7, r=25)
    rng = np.random.default_rng(seed)
    cost = np.round(rng.uniform(0.5, 5, 7), 1)
    cov = budgeted_coverage(offsets, members, 7, cost, budget)
    assert cost[cov.picks].sum() <= budget + 1e-9
    assert cov.spent == pytest.approx(cost[cov.picks].sum())
    rank = np.arange(7)
    runs = {r: naive_greedy(sets, 7, None, rank, cost=cost, budget=budget, ratio=(r == "cost-effective"))
            for r in ("cost-effective", "unit")}
    assert cov.picks.tolist() == runs[cov.rule]
    assert cov.covered == max(covered(sets, p) for p in runs.values())
    best = max(covered(sets, c) for size in range(8) for c in itertools.combinations(range(7), size)
               if cost[list(c)].sum() <= budget)
    assert cov.covered >= E1 / 2 * best


def test_budget_each_greedy_alone_can_lose():
    # cost-effective buys the cheap small set and cannot afford the big one
    offsets = np.array([0, 1, 2, 3, 4])
    members = np.array([0, 0, 0, 1], dtype=np.int32)
    cov = budgeted_coverage(offsets, members, 2, np.array([10.0, 1.0]), 10.0)
    assert cov.picks.tolist() == [0] and cov.rule == "unit" and cov.covered == 3
    # unit greedy buys the big expensive set; many cheap ones cover more
    offsets = np.arange(0, 7)
    members = np.array([0, 0, 1, 2, 3, 4], dtype=np.int32)
    cost = np.array([5.0, 1.0, 1.0, 1.0, 1.0])
    cov = budgeted_coverage(offsets, members, 5, cost, 5.0)
    assert cov.rule == "cost-effective" and sorted(cov.picks.tolist()) == [1, 2, 3, 4]


def test_budget_ignores_unpriced_and_fixed_users_cost_nothing():
    sets, offsets, members = random_sets(2)
    cost = np.full(8, 1.0)
    cost[3] = np.nan
    cov = budgeted_coverage(offsets, members, 8, cost, 2.0, fixed=[5])
    assert 3 not in cov.picks and 5 not in cov.picks and len(cov.picks) <= 2
    with pytest.raises(ValueError):
        budgeted_coverage(offsets, members, 8, cost[:3], 2.0)


def test_invert_and_prefix_coverage():
    sets, offsets, members = random_sets(7)
    ptr, idx = invert(offsets, members, 8)
    for u in range(8):
        assert idx[ptr[u]:ptr[u + 1]].tolist() == [i for i, s in enumerate(sets) if u in s]
    seq = [3, 1, 3, 6]
    got = prefix_coverage(offsets, members, 8, seq)
    assert got.tolist() == [covered(sets, seq[: j + 1]) - covered(sets, seq[:j]) for j in range(4)]


# --------------------------------------------------------------------------- OPIM's bounds
def naive_topk_bound(sets, n, picks, k, eligible, fixed=()):
    """min over i of cov(fixed + first i picks) + the k largest marginal gains given it."""
    best = math.inf
    for i in range(len(picks) + 1):
        chosen = list(fixed) + list(picks[:i])
        base = covered(sets, chosen)
        gains = sorted((covered(sets, chosen + [u]) - base for u in range(n)
                        if eligible[u] and u not in chosen), reverse=True)
        best = min(best, base + sum(gains[:k]))
    return best


def naive_knapsack(gains, cost, budget):
    """Fractional knapsack by the textbook sort (zero-cost items free)."""
    items = sorted(((g, c) for g, c in zip(gains, cost) if g > 0 and c <= budget),
                   key=lambda gc: -math.inf if gc[1] == 0 else -gc[0] / gc[1])
    total, left = 0.0, budget
    for g, c in items:
        if c <= left:
            total, left = total + g, left - c
        else:
            return total + g * left / c
    return total


@pytest.mark.parametrize("seed", range(15))
def test_topk_bound_equals_the_naive_bound_and_bounds_the_optimum(seed):
    n = 9
    sets, offsets, members = random_sets(seed, n=n, r=40, maxlen=4)
    rng = np.random.default_rng(seed)
    eligible = rng.random(n) > 0.2
    fixed = [int(u) for u in np.flatnonzero(~eligible)[:1]]
    eligible[fixed] = False
    for k in (1, 2, 4):
        if k > eligible.sum():
            continue
        cov = max_coverage(offsets, members, n, k, eligible=eligible, fixed=fixed, bound=True)
        ref = naive_topk_bound(sets, n, cov.picks.tolist(), k, eligible, fixed)
        assert cov.bound == ref
        best = max(covered(sets, fixed + list(c))
                   for c in itertools.combinations(np.flatnonzero(eligible).tolist(), k))
        assert cov.covered <= best <= cov.bound <= cov.covered / E1 + 1e-9
    assert max_coverage(offsets, members, n, 2).bound == math.inf  # not asked for


def test_topk_bound_with_very_stale_heap_keys():
    """Many users lose most of their gain to the first pick: the walk must look past stale keys."""
    n, r = 30, 200
    sets = [[0, 1 + (i % 29)] if i < 150 else [1 + (i % 29)] for i in range(r)]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    members = np.array([u for s in sets for u in s], dtype=np.int32)
    for k in (1, 3, 10):
        cov = max_coverage(offsets, members, n, k, bound=True)
        assert cov.bound == naive_topk_bound(sets, n, cov.picks.tolist(), k, np.ones(n, bool))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), budget=st.floats(0.5, 12))
def test_knapsack_bound_bounds_the_best_affordable_cover(seed, budget):
    sets, offsets, members = random_sets(seed, n=7, r=25)
    rng = np.random.default_rng(seed)
    cost = np.round(rng.uniform(0.0, 5, 7), 1)  # zero costs happen
    cov = budgeted_coverage(offsets, members, 7, cost, budget, bound=True)
    best = max(covered(sets, c) for size in range(8) for c in itertools.combinations(range(7), size)
               if cost[list(c)].sum() <= budget)
    assert cov.covered <= best <= cov.bound + 1e-9
    # at step 0 the bound is the knapsack of the plain degrees: the kernel is never above it
    deg = [covered(sets, [u]) for u in range(7)]
    assert cov.bound <= naive_knapsack(deg, cost, budget) + 1e-9


def test_knapsack_kernel_against_the_textbook_sort():
    from graphkit.seeds import _greedy_kernels as K

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        gain = rng.integers(0, 20, n).astype(np.int64)
        cost = np.round(rng.uniform(0, 4, n), 1)
        budget = float(rng.uniform(0.1, 10))
        elig = np.ones(n, dtype=bool)
        assert K.knapsack_gain(gain, cost, elig, budget) == pytest.approx(
            naive_knapsack(gain.tolist(), cost.tolist(), budget))


def test_first_cover_equals_prefix_coverage():
    from graphkit.seeds import greedy as greedy_module

    sets, offsets, members = random_sets(11, n=8, r=300)
    for seq in ([3, 1, 3, 6], [0], [7, 6, 5, 4, 3, 2, 1, 0], []):
        ref = prefix_coverage(offsets, members, 8, seq)
        got = first_cover(offsets, members, 8, seq)
        assert got.tolist() == ref.tolist()
        order = np.full(8, len(seq), dtype=np.int64)
        for i, u in reversed(list(enumerate(seq))):
            order[u] = i
        for blocks in (1, 3, 7):  # one thread per block: does not depend on the blocks
            got = greedy_module._first_cover(offsets, members, order, len(seq), blocks)
            assert got.tolist() == ref.tolist()
