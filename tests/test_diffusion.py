"""Tests for graphkit/diffusion: exact answers, closed forms, kernel vs reference, determinism."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from graphs import digests_on_threads
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit import _streams
from graphkit.diffusion import (
    IndependentCascade,
    LinearThreshold,
    SpreadEstimate,
    run_cascades,
    simulate,
)
from graphkit.diffusion._reference import simulate_reference
from graphkit.errors import InputError, UnknownUserError
from graphkit.graph import SocialGraph
from graphkit.weighting import InfluenceGraph, influence_graph

ROOT = Path(__file__).resolve().parents[1]
RUNS = 20000


def ig_from(arcs, n):
    """InfluenceGraph from ``[(u, v, p), ...]`` (u influences v) on users n0..n{n-1}."""
    u, v, p = zip(*arcs)
    return InfluenceGraph.from_arcs(u, v, p, node_ids=[f"n{i}" for i in range(n)])


def ids(*positions):
    return [f"n{i}" for i in positions]


# --------------------------------------------------------------------------- exact answers
def _distances(n, live, seeds):
    """BFS distance from the seed set in a live-edge graph (None = unreached)."""
    dist = [None] * n
    q = deque()
    for s in seeds:
        dist[s] = 0
        q.append(s)
    while q:
        u = q.popleft()
        for v in live[u]:
            if dist[v] is None:
                dist[v] = dist[u] + 1
                q.append(v)
    return dist


def _accumulate(n, weighted_worlds, seeds):
    """Expected reach, per-user activation probability and per-step curve over live-edge worlds."""
    reach, act, steps = 0.0, np.zeros(n), np.zeros(n + 1)
    for prob, live in weighted_worlds:
        dist = _distances(n, live, seeds)
        for v, d in enumerate(dist):
            if d is not None:
                reach += prob
                act[v] += prob
                steps[d] += prob
    return reach, act, np.trim_zeros(steps, "b")


def exact_ic(ig, seeds):
    """Exact IC spread: enumerate all 2^m live-edge graphs (each edge kept with its p)."""
    n = ig.n_nodes
    src = np.repeat(np.arange(n), ig.out_degree())
    edges = list(zip(src.tolist(), ig.indices.tolist(), ig.prob.tolist()))
    assert len(edges) <= 12

    def worlds():
        for keep in itertools.product((0, 1), repeat=len(edges)):
            prob, live = 1.0, [[] for _ in range(n)]
            for k, (u, v, p) in zip(keep, edges):
                prob *= p if k else 1 - p
                if k:
                    live[u].append(v)
            if prob > 0:
                yield prob, live

    return _accumulate(n, worlds(), seeds)


def exact_lt(ig, seeds):
    """Exact LT spread by live-edge equivalence: each user keeps at most one in-edge,
    ``(u, v)`` with probability ``w(u, v)`` and none with ``1 - sum_u w(u, v)``."""
    n = ig.n_nodes
    choices = []
    for v in range(n):
        lo, hi = ig.in_indptr[v], ig.in_indptr[v + 1]
        opts = [(int(ig.in_indices[j]), float(ig.lt_in_weights[j])) for j in range(lo, hi)]
        choices.append([(None, 1.0 - sum(w for _, w in opts))] + opts)
    assert sum(len(c) - 1 for c in choices) <= 12

    def worlds():
        for pick in itertools.product(*choices):
            prob, live = 1.0, [[] for _ in range(n)]
            for v, (u, w) in enumerate(pick):
                prob *= w
                if u is not None:
                    live[u].append(v)
            if prob > 1e-300:
                yield prob, live

    return _accumulate(n, worlds(), seeds)


def assert_matches_exact(est: SpreadEstimate, exact, n):
    reach, act, steps = exact
    se = max(est.std_error, 1e-12)
    assert abs(est.mean - reach) <= 4 * se, (est.mean, reach, se)
    # per user: a Bernoulli mean
    for v in range(n):
        q = min(max(act[v], 0.0), 1.0)
        sd = math.sqrt(q * (1 - q) / est.runs)
        assert abs(est.activation_probability[v] - act[v]) <= 4 * sd + 1e-12, (v, act[v])
    # per step: X_t in [0, n] so Var <= n E[X_t]
    k = max(len(steps), len(est.per_step))
    a, b = np.zeros(k), np.zeros(k)
    a[: len(steps)], b[: len(est.per_step)] = steps, est.per_step
    tol = 4 * np.sqrt(n * a / est.runs) + 1e-12
    assert np.all(np.abs(a - b) <= tol), (a, b)


SMALL_GRAPHS = {
    # name: (arcs (u influences v, p), n, seeds)
    "diamond": ([(0, 1, 0.5), (0, 2, 0.7), (1, 3, 0.6), (2, 3, 0.4), (3, 4, 0.9)], 5, [0]),
    "two-seeds-cycle": ([(0, 1, 0.8), (1, 2, 0.3), (2, 0, 0.5), (2, 3, 0.6), (3, 1, 0.4),
                         (4, 3, 0.7)], 5, [0, 4]),
    "dense": ([(0, 1, 0.3), (0, 2, 0.6), (1, 2, 0.5), (2, 1, 0.2), (1, 3, 0.7), (2, 3, 0.45),
               (3, 4, 0.35), (4, 5, 0.9), (2, 5, 0.15), (5, 1, 0.25), (3, 0, 0.5), (4, 2, 0.55)],
              6, [0]),
}


def random_small(seed):
    rng = np.random.default_rng(seed)
    pairs = [(u, v) for u in range(6) for v in range(6) if u != v]
    pick = rng.choice(len(pairs), size=10, replace=False)
    return [(pairs[i][0], pairs[i][1], float(rng.uniform(0.1, 0.9))) for i in pick], 6, [0, 3]


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("case", list(SMALL_GRAPHS) + ["random-1", "random-2"])
def test_simulation_matches_exact_live_edge_enumeration(model, case):
    arcs, n, seeds = SMALL_GRAPHS[case] if case in SMALL_GRAPHS else random_small(int(case[-1]))
    ig = ig_from(arcs, n)
    est = simulate(ig, ids(*seeds), model, runs=RUNS, rng=11)
    exact = (exact_ic if model == "ic" else exact_lt)(ig, seeds)
    assert_matches_exact(est, exact, n)
    assert est.activation_probability.sum() == pytest.approx(est.mean)
    assert est.per_step_cumulative[-1] == pytest.approx(est.mean)


def test_lt_live_edge_equivalence_with_weights_needing_normalisation():
    # into n3: 0.9 + 0.8 + 0.5 > 1 -> normalised; the exact answer uses the same weights
    arcs = [(0, 3, 0.9), (1, 3, 0.8), (2, 3, 0.5), (0, 1, 0.5), (3, 4, 0.6), (4, 2, 0.3)]
    ig = ig_from(arcs, 5)
    w = ig.lt_in_weights[ig.in_indptr[3]:ig.in_indptr[4]]
    assert w.sum() == pytest.approx(1.0)
    est = simulate(ig, ids(0), "lt", runs=RUNS, rng=3)
    assert_matches_exact(est, exact_lt(ig, [0]), 5)


def test_max_steps_matches_exact_distances():
    arcs, n, seeds = SMALL_GRAPHS["dense"]
    ig = ig_from(arcs, n)
    reach, act, steps = exact_ic(ig, seeds)
    est = simulate(ig, ids(*seeds), "ic", runs=RUNS, rng=5, max_steps=1)
    assert len(est.per_step) <= 2
    assert abs(est.mean - steps[:2].sum()) <= 4 * est.std_error
    assert est.max_steps == 1


# --------------------------------------------------------------------------- closed forms
def path_graph(n, p):
    return ig_from([(i, i + 1, p) for i in range(n - 1)], n)


@pytest.mark.parametrize("model", ["ic", "lt"])
def test_path_closed_form(model):
    p, n = 0.6, 7
    est = simulate(path_graph(n, p), ids(0), model, runs=RUNS, rng=1)
    expected = sum(p ** k for k in range(n))
    assert abs(est.mean - expected) <= 4 * est.std_error
    assert np.allclose(est.per_step, [p ** k for k in range(len(est.per_step))], atol=0.02)


def test_star_closed_forms():
    k, p = 8, 0.3
    hub_out = ig_from([(0, i, p) for i in range(1, k + 1)], k + 1)
    est = simulate(hub_out, ids(0), "ic", runs=RUNS, rng=2)
    assert abs(est.mean - (1 + k * p)) <= 4 * est.std_error
    assert est.std == pytest.approx(math.sqrt(k * p * (1 - p)), rel=0.05)
    # LT, leaves influence the hub with wc weights 1/k: seeding s leaves reaches the hub w.p. s/k
    leaves_in = ig_from([(i, 0, 1.0 / k) for i in range(1, k + 1)], k + 1)
    est = simulate(leaves_in, ids(1, 2, 3), "lt", runs=RUNS, rng=2)
    assert abs(est.mean - (3 + 3 / k)) <= 4 * est.std_error
    # IC: the hub is missed only if every seeded leaf fails
    est = simulate(leaves_in, ids(1, 2, 3), "ic", runs=RUNS, rng=2)
    assert abs(est.mean - (3 + 1 - (1 - 1 / k) ** 3)) <= 4 * est.std_error


def test_cycle_closed_form():
    n, p = 6, 0.7
    ig = ig_from([(i, (i + 1) % n, p) for i in range(n)], n)
    est = simulate(ig, ids(2), "ic", runs=RUNS, rng=4)
    assert abs(est.mean - sum(p ** k for k in range(n))) <= 4 * est.std_error


def test_probability_one_reaches_everything_downstream_and_nothing_upstream():
    ig = path_graph(6, 1.0)
    est = simulate(ig, ids(2), "ic", runs=200, rng=0)
    assert est.mean == 4 and est.std == 0 and est.ci_low == est.ci_high == 4
    assert est.activation_probability.tolist() == [0, 0, 1, 1, 1, 1]
    assert est.per_step.tolist() == [1, 1, 1, 1]
    assert simulate(ig, ids(0), "ic", runs=10, rng=0, max_steps=2).mean == 3
    assert simulate(ig, ids(0), "lt", runs=10, rng=0, max_steps=0).mean == 1
    assert simulate(path_graph(4, 0.0), ids(0), "ic", runs=10, rng=0).mean == 1


def test_social_graph_direction():
    # bob follows alice, carol shares bob's post: alice's content reaches bob, then carol
    g = SocialGraph.from_pairs([("bob", "alice", "follow"), ("carol", "bob", "share")])
    assert simulate(g, ["alice"], "ic", runs=100, rng=1).mean == 3
    est = simulate(g, ["carol"], "ic", runs=100, rng=1)
    assert est.mean == 1 and est.top_reached().empty
    assert simulate(g, ["bob"], "lt", runs=100, rng=1, prob="uniform:1").mean == 2


# --------------------------------------------------------------------------- kernel vs reference
def random_ig(n, m, seed):
    rng = np.random.default_rng(seed)
    return InfluenceGraph.from_arcs(rng.integers(0, n, m), rng.integers(0, n, m),
                                    rng.uniform(0, 0.5, m), node_ids=[f"n{i}" for i in range(n)])


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("seed", [1, 2])
def test_kernel_agrees_with_pure_python_reference(model, seed):
    ig = random_ig(60, 240, seed)
    seeds = [0, 1, 2]
    est = simulate(ig, ids(*seeds), model, runs=20000, rng=seed)
    values = ig.prob if model == "ic" else ig.lt_weights
    reach, step_sum, act = simulate_reference(ig.indptr, ig.indices, values, seeds, 4000,
                                              model=model, seed=seed)
    se_ref = reach.std(ddof=1) / math.sqrt(len(reach))
    assert abs(est.mean - reach.mean()) <= 4 * math.hypot(est.std_error, se_ref)
    assert abs(est.std - reach.std(ddof=1)) <= 0.1 * est.std
    p_ref = act / len(reach)
    sd = np.sqrt(p_ref * (1 - p_ref) / 4000 + est.activation_probability
                 * (1 - est.activation_probability) / est.runs)
    assert np.all(np.abs(p_ref - est.activation_probability) <= 5 * sd + 1e-3)
    assert step_sum.sum() == reach.sum()


def test_reference_matches_exact():
    arcs, n, seeds = SMALL_GRAPHS["diamond"]
    ig = ig_from(arcs, n)
    reach, _, _ = simulate_reference(ig.indptr, ig.indices, ig.prob, seeds, 20000, "ic", seed=1)
    assert abs(reach.mean() - exact_ic(ig, seeds)[0]) <= 4 * reach.std(ddof=1) / math.sqrt(20000)
    reach, _, _ = simulate_reference(ig.indptr, ig.indices, ig.lt_weights, seeds, 20000, "lt", seed=1)
    assert abs(reach.mean() - exact_lt(ig, seeds)[0]) <= 4 * reach.std(ddof=1) / math.sqrt(20000)


def test_run_cascades_raw_engine():
    ig = path_graph(5, 1.0)
    reach, step_sum, act = run_cascades(ig, np.array([1]), IndependentCascade(), 130, rng=0)
    assert reach.tolist() == [4] * 130 and step_sum.tolist() == [130] * 4
    assert act.tolist() == [0, 130, 130, 130, 130]
    # progress splits the work into batches without changing the result
    ig = random_ig(50, 200, 9)
    seen = []
    a = run_cascades(ig, np.array([0, 5]), LinearThreshold(), 3000, rng=4)
    b = run_cascades(ig, np.array([0, 5]), "lt", 3000, rng=4, progress=lambda s, d, t: seen.append(d))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert len(seen) > 1 and seen[-1] == 3000


# --------------------------------------------------------------------------- randomness
def test_generator_streams():
    u = _streams.uniforms(np.uint64(12345), 0, 200_000)
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    # neighbouring chunks and seeds give unrelated streams (no base + i overlap)
    a = _streams.uniforms(np.uint64(7), 1, 1000)
    b = _streams.uniforms(np.uint64(7), 2, 1000)
    c = _streams.uniforms(np.uint64(8), 1, 1000)
    for x, y in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.15
        assert not np.isin(x[10:20], y).any()


def test_same_seed_same_output_different_seed_different_output():
    ig = random_ig(80, 300, 3)
    a = simulate(ig, ids(0, 1), "ic", runs=3000, rng=42)
    b = simulate(ig, ids(0, 1), "ic", runs=3000, rng=42)
    c = simulate(ig, ids(0, 1), "ic", runs=3000, rng=43)
    assert a.to_dict(full=True) == b.to_dict(full=True)
    assert np.array_equal(a.activation_probability, b.activation_probability)
    assert a.mean != c.mean
    # every seed gives a mean inside the others' CIs (streams are not correlated)
    means = [simulate(ig, ids(0, 1), "ic", runs=3000, rng=s) for s in range(5)]
    se = max(m.std_error for m in means)
    assert max(m.mean for m in means) - min(m.mean for m in means) <= 5 * se


def test_numpy_global_state_untouched():
    state = np.random.get_state()[1].copy()
    simulate(random_ig(20, 50, 1), ids(0), "lt", runs=500, rng=1)
    assert np.array_equal(np.random.get_state()[1], state)


_THREAD_SCRIPT = """
import hashlib, numpy as np, numba
from graphkit.weighting import InfluenceGraph
from graphkit.diffusion import simulate
rng = np.random.default_rng(3)
ig = InfluenceGraph.from_arcs(rng.integers(0, 300, 1500), rng.integers(0, 300, 1500),
                              rng.uniform(0, 0.4, 1500), node_ids=[f"n{i}" for i in range(300)])
h = hashlib.sha256()
for model in ("ic", "lt"):
    est = simulate(ig, ["n0", "n1", "n2"], model, runs=3000, rng=99)
    h.update(np.float64(est.mean).tobytes())
    h.update(est.activation_probability.tobytes())
    h.update(est.per_step.tobytes())
print(numba.get_num_threads(), h.hexdigest())
"""


def test_identical_results_on_one_and_two_threads():
    out = digests_on_threads(_THREAD_SCRIPT, timeout=300)
    assert out["1"] == out["2"]


# --------------------------------------------------------------------------- runs="auto"
def test_auto_runs_converges_to_one_percent():
    ig = random_ig(60, 240, 1)
    est = simulate(ig, ids(0, 1, 2), "ic", runs="auto", rng=5)
    assert est.converged is True
    assert est.half_width <= 0.01 * est.mean
    again = simulate(ig, ids(0, 1, 2), "ic", runs="auto", rng=5)
    assert (again.runs, again.mean) == (est.runs, est.mean)


def test_auto_runs_stops_at_the_cap():
    ig = path_graph(30, 0.5)  # reach 1..30, heavy spread: needs ~40k runs for 1%
    est = simulate(ig, ids(0), "ic", runs="auto", rng=5, max_runs=3000)
    assert est.converged is False and est.runs == 3000
    assert simulate(path_graph(3, 1.0), ids(0), "ic", runs="auto", rng=1).runs == 1024


# --------------------------------------------------------------------------- results
def test_top_reached_sorted_by_probability_then_id_without_seeds():
    # hub n0 reaches n1..n4 with equal p; ties break by id
    ig = ig_from([(0, 4, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 1, 0.5), (1, 5, 1.0)], 6)
    est = simulate(ig, ids(0), "ic", runs=2000, rng=1)
    top = est.top_reached(10)
    assert list(top.columns) == ["user", "probability"]
    assert top.user.tolist()[:3] == ["n2", "n3", "n4"] and "n0" not in top.user.tolist()
    assert top.probability.is_monotonic_decreasing
    assert est.top_reached(10, include_seeds=True).user.iloc[0] == "n0"
    assert len(est.top_reached(2)) == 2


def test_to_dict_keys():
    ig = random_ig(30, 80, 2)
    hub = ids(int(np.argmax(ig.out_degree())))
    est = simulate(ig, hub, "ic", runs=500, rng=1)
    keys = ["mean", "ci_low", "ci_high", "std", "runs", "model", "prob", "seeds", "per_step",
            "top_reached"]
    assert list(est.to_dict()) == keys
    est = simulate(ig, hub, "lt", runs=500, rng=1, partition=[i % 3 for i in range(30)])
    assert list(est.to_dict()) == keys + ["per_community"]
    full = est.to_dict(full=True)
    assert {"converged", "per_step_cumulative", "reached", "max_steps"} <= set(full)
    assert est.ci_low < est.mean < est.ci_high
    assert est.ci_high - est.mean == pytest.approx(1.959963984540054 * est.std / math.sqrt(500))


def test_per_community_reach():
    g = SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c"), ("e", "d")])
    membership = pd.DataFrame({"user": ["a", "b", "c", "d", "zz"], "community": [0, 0, 1, 1, 2]})
    est = simulate(g, ["a"], "ic", runs=1000, rng=1, partition=membership, prob="uniform:1")
    pc = est.per_community
    assert list(pc.columns) == ["community", "users", "seeds", "expected_reach", "share"]
    rows = {r.community: r for r in pc.itertuples()}
    assert rows[0].users == 2 and rows[0].seeds == 1 and rows[0].expected_reach == 2
    assert rows[1].expected_reach == 2 and rows["(unassigned)"].users == 1
    assert pc.expected_reach.sum() == pytest.approx(est.mean)
    # the same from a mapping
    est2 = simulate(g, ["a"], "ic", runs=1000, rng=1, partition={"a": 0, "b": 0, "c": 1, "d": 1},
                    prob="uniform:1")
    assert est2.per_community.equals(pc)


# --------------------------------------------------------------------------- bad input
def test_unknown_seeds_are_listed():
    ig = path_graph(3, 0.5)
    with pytest.raises(UnknownUserError) as info:
        simulate(ig, ["n0", "ghost", "nobody"], "ic", runs=10, rng=0)
    assert "'ghost'" in str(info.value) and "'nobody'" in str(info.value)
    assert "seed user" in str(info.value)
    est = simulate(ig, ["n0", "ghost"], "ic", runs=10, rng=0, missing="drop")
    assert est.seeds == ("n0",) and est.unknown_seeds == ("ghost",)
    with pytest.raises(InputError, match="empty"):
        simulate(ig, ["ghost"], "ic", runs=10, rng=0, missing="drop")


def test_empty_seed_set_and_bad_arguments():
    ig = path_graph(3, 0.5)
    with pytest.raises(InputError, match="empty"):
        simulate(ig, [], "ic", runs=10)
    for kwargs in ({"runs": 0}, {"runs": "many"}, {"max_steps": -1}, {"missing": "ignore"}):
        with pytest.raises(ValueError):
            simulate(ig, ["n0"], "ic", **{"runs": 10, **kwargs})
    with pytest.raises(ValueError, match="unknown diffusion model"):
        simulate(ig, ["n0"], "sir", runs=10)
    with pytest.raises(ValueError, match="prob applies"):
        simulate(ig, ["n0"], "ic", runs=10, prob="wc")
    with pytest.raises(TypeError):
        simulate(object(), ["n0"], "ic", runs=10)


def test_duplicate_seeds_count_once():
    ig = path_graph(3, 1.0)
    est = simulate(ig, ["n0", "n0", "n1"], "ic", runs=10, rng=0)
    assert est.seeds == ("n0", "n1") and est.mean == 3 and est.per_step.tolist() == [2, 1]


def test_results_are_read_only_and_influence_graph_reusable():
    g = SocialGraph.from_pairs([("b", "a"), ("c", "b")])
    ig = influence_graph(g, "wc")
    est = simulate(ig, ["a"], LinearThreshold(), runs=100, rng=0)
    assert not est.activation_probability.flags.writeable
    assert est.model == "lt" and est.prob == "wc"
    h = hashlib.sha256(est.activation_probability.tobytes()).hexdigest()
    assert h == hashlib.sha256(simulate(ig, ["a"], "lt", runs=100, rng=0)
                               .activation_probability.tobytes()).hexdigest()


# --------------------------------------------------------------------------- property
@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([0.0, 1.0])),
             min_size=1, max_size=30),
    st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
)))
def test_ic_with_probabilities_zero_and_one_is_bfs(case):
    """With p in {0, 1} every run is the same: reach = BFS over the p = 1 arcs, layer by layer."""
    n, arcs, seeds = case
    arcs = [(u, v, p) for u, v, p in arcs if u != v]
    if not arcs:
        return
    ig = ig_from(arcs, n)
    live = [[] for _ in range(n)]
    src = np.repeat(np.arange(n), ig.out_degree())
    for u, v, p in zip(src.tolist(), ig.indices.tolist(), ig.prob.tolist()):
        if p == 1.0:
            live[u].append(v)
    dist = _distances(n, live, sorted(seeds))
    layers = np.bincount([d for d in dist if d is not None])
    est = simulate(ig, ids(*sorted(seeds)), "ic", runs=70, rng=0)
    assert est.std == 0 and est.mean == sum(d is not None for d in dist)
    assert est.per_step.tolist() == layers.tolist()
    assert est.activation_probability.tolist() == [float(d is not None) for d in dist]
