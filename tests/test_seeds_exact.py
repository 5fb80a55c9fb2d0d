"""Exact influence on tiny graphs by live-edge enumeration, for the seed-selection tests.

IC: every influence arc is live with its probability (2^m worlds). LT: every user keeps
at most one incoming arc, with probability equal to its LT weight (Kempe et al. 2003).
In each world, ``reach[w, u]`` is the bitmask of the users ``u`` reaches; the spread of
a set is the probability-weighted popcount of the union of its members' masks. The
tests at the bottom check the enumerator against tests/test_diffusion.py's.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from graphkit.weighting import InfluenceGraph


def ig_from(arcs, n):
    """InfluenceGraph from ``[(u, v, p), ...]`` (u influences v) on users n0..n{n-1}."""
    u, v, p = zip(*arcs)
    return InfluenceGraph.from_arcs(u, v, p, node_ids=[f"n{i}" for i in range(n)])


class Worlds:
    """All live-edge worlds of a tiny influence graph with their probabilities."""

    def __init__(self, ig, model="ic"):
        n = ig.n_nodes
        assert n <= 62
        src = np.repeat(np.arange(n), np.diff(ig.indptr))
        dst = ig.indices.astype(np.int64)
        m = len(dst)
        if model == "ic":
            assert m <= 14
            live = np.array(list(itertools.product((False, True), repeat=m)), dtype=bool)
            live = live.reshape(-1, m)
            prob = np.where(live, ig.prob, 1 - ig.prob).prod(axis=1)
        else:
            # each user v keeps one in-arc (its forward index j) or none
            options = []
            for v in range(n):
                js = np.flatnonzero(dst == v)
                w = ig.lt_weights[js]
                options.append([(-1, 1.0 - w.sum())] + list(zip(js.tolist(), w.tolist())))
            assert np.prod([len(o) for o in options]) <= 50000
            picks = list(itertools.product(*options))
            live = np.zeros((len(picks), m), dtype=bool)
            prob = np.ones(len(picks))
            for i, pick in enumerate(picks):
                for j, w in pick:
                    prob[i] *= w
                    if j >= 0:
                        live[i, j] = True
        keep = prob > 0
        self.prob, live = prob[keep], live[keep]
        self.n = n
        reach = np.zeros((len(self.prob), n), dtype=np.uint64)
        for u in range(n):
            reach[:, u] = np.uint64(1) << np.uint64(u)
        for _ in range(n):  # transitive closure: reach[u] |= reach[v] along live arcs u -> v
            for j in range(m):
                col = np.where(live[:, j], reach[:, dst[j]], np.uint64(0))
                reach[:, src[j]] |= col
        self.reach = reach

    def mask(self, seeds):
        out = np.zeros(len(self.prob), dtype=np.uint64)
        for s in seeds:
            out |= self.reach[:, s]
        return out

    def spread(self, seeds, targets=None) -> float:
        """Exact expected number of users (or of ``targets``) reached from ``seeds``."""
        mk = self.mask(seeds)
        if targets is not None:
            t = np.uint64(sum(1 << int(v) for v in targets))
            mk = mk & t
        return float((np.bitwise_count(mk) * self.prob).sum())

    def reach_prob(self, u, v) -> float:
        """P(u reaches v)."""
        bit = np.uint64(1) << np.uint64(v)
        return float(self.prob[(self.reach[:, u] & bit) != 0].sum())

    def optimum(self, k, *, candidates=None, include=(), targets=None, cost=None,
                budget=None):
        """Best spread over sets of ``k`` candidates added to ``include`` (or any set whose
        cost fits ``budget``). Returns ``(value, best set)``."""
        cand = list(range(self.n)) if candidates is None else list(candidates)
        cand = [c for c in cand if c not in include]
        best, arg = -1.0, None
        if budget is None:
            sizes = [k]
        else:
            sizes = range(0, len(cand) + 1)
        for size in sizes:
            for combo in itertools.combinations(cand, size):
                if budget is not None and sum(cost[c] for c in combo) > budget:
                    continue
                val = self.spread(list(include) + list(combo), targets)
                if val > best + 1e-12:
                    best, arg = val, combo
        return best, arg


SMALL = {
    "hub": ([(0, 1, 0.9), (0, 2, 0.8), (0, 3, 0.7), (0, 4, 0.9), (5, 6, 0.5), (6, 7, 0.5),
             (8, 9, 0.3), (4, 5, 0.2)], 10),
    "chain-and-star": ([(0, 1, 0.6), (1, 2, 0.6), (2, 3, 0.6), (3, 4, 0.6), (5, 0, 0.4),
                        (5, 6, 0.9), (5, 7, 0.9), (5, 8, 0.9), (9, 8, 0.2)], 10),
    "dense": ([(0, 1, 0.3), (0, 2, 0.6), (1, 2, 0.5), (2, 1, 0.2), (1, 3, 0.7), (2, 3, 0.45),
               (3, 4, 0.35), (4, 5, 0.9), (2, 5, 0.15), (5, 1, 0.25), (3, 0, 0.5),
               (4, 2, 0.55)], 6),
}


def random_small(seed, n=9, m=12):
    rng = np.random.default_rng(seed)
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    pick = rng.choice(len(pairs), size=m, replace=False)
    return [(pairs[i][0], pairs[i][1], float(rng.uniform(0.1, 0.95))) for i in pick], n


def small_graph(name):
    if name.startswith("random-"):
        return random_small(int(name.split("-")[1]))
    return SMALL[name]


CASES = list(SMALL) + ["random-1", "random-2", "random-3"]


# --------------------------------------------------------------------------- self-tests
@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("name", ["dense", "random-1"])
def test_enumerator_matches_the_diffusion_tests(model, name):
    from test_diffusion import exact_ic, exact_lt

    arcs, n = small_graph(name)
    ig = ig_from(arcs, n)
    w = Worlds(ig, model)
    assert w.prob.sum() == pytest.approx(1.0)
    for seeds in ([0], [1, 3], [0, 2, 4]):
        ref = (exact_ic if model == "ic" else exact_lt)(ig, seeds)
        assert w.spread(seeds) == pytest.approx(ref[0], rel=1e-9)
        for v in range(n):  # a single seed's activation probabilities
            if len(seeds) == 1:
                assert w.reach_prob(seeds[0], v) == pytest.approx(ref[1][v], abs=1e-9)


def test_optimum_is_a_maximum():
    arcs, n = SMALL["hub"]
    w = Worlds(ig_from(arcs, n))
    val, best = w.optimum(1)
    assert best == (0,) and val == pytest.approx(w.spread([0]))
    val2, best2 = w.optimum(2)
    assert 0 in best2 and val2 >= val
    cost = {i: 1.0 for i in range(n)}
    cost[0] = 5.0
    vb, bb = w.optimum(0, cost=cost, budget=2.0)
    assert 0 not in bb and sum(cost[c] for c in bb) <= 2.0
