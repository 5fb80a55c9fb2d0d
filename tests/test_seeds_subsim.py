"""Tests for the subset sampling in graphkit/seeds/_rr_kernels.py (SUBSIM, Guo et al. 2020).

Three ways to check it:

* a pure-Python reference that consumes the kernel's own random stream draw for draw
  (COINS, COUNT and JUMPS rows, LT's binary search): the kernel does what it says;
* exact answers: P(u in RR(v)) equals P(u reaches v) by live-edge enumeration, on graphs
  whose rows draw by counts and by jumps;
* chi-square tests of the joint distribution of a star's live in-arcs against the
  product of independent coins, per mode (the subset sampling is the same distribution).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from test_seeds_exact import ig_from
from test_seeds_rrsets import assert_inclusion_is_reachability

from graphkit._rng import chunk_seeds
from graphkit._streams import uniforms
from graphkit.seeds import _rr_kernels as K
from graphkit.seeds import _rrsets
from graphkit.seeds._rrsets import CHUNK_SETS, RRSets, sampling_arrays
from graphkit.weighting import InfluenceGraph


@pytest.fixture
def eager(monkeypatch):
    """Every row of two or more arcs draws by COUNT (equal probabilities) or JUMPS."""
    monkeypatch.setattr(_rrsets, "SUBSET_MIN_DEG", 2)
    monkeypatch.setattr(_rrsets, "JUMP_COST", 0.0)
    monkeypatch.setattr(_rrsets, "COUNT_MAX_MEAN", 1e9)


# --------------------------------------------------------------------------- reference
class Stream:
    """Chunk ``c``'s uniforms, as the kernel draws them (graphkit._streams)."""

    def __init__(self, seed, chunk):
        self.u = uniforms(np.uint64(seed), chunk, 200_000)
        self.i = 0

    def __call__(self):
        self.i += 1
        return float(self.u[self.i - 1])


def reference_sets(arrays, lt, n, seeds, count, draws=None):
    """The kernel's sets in plain Python, from the same streams (``draws``: per-chunk counts)."""
    indptr, indices, values, logq, rows = arrays
    mode, p0, odds = K.modes(rows), rows[:, 0], rows[:, 1]
    out = []
    for c in range(-(-count // CHUNK_SETS)):
        draw = Stream(seeds[c], c)
        for _ in range(min(CHUNK_SETS, count - c * CHUNK_SETS)):
            root = min(int(draw() * n), n - 1)
            seen, queue = {root}, [root]
            if lt:
                cur = root
                while indptr[cur] < indptr[cur + 1]:
                    lo, hi = int(indptr[cur]), int(indptr[cur + 1])
                    r = draw()
                    pick = next((j for j in range(lo, hi) if r < values[j]), None)  # linear scan
                    if pick is None or indices[pick] in seen:
                        break
                    cur = int(indices[pick])
                    seen.add(cur)
                    queue.append(cur)
                out.append(queue)
                continue
            head = 0
            while head < len(queue):
                x = queue[head]
                head += 1
                lo, hi = int(indptr[x]), int(indptr[x + 1])
                live = []
                if mode[x] == K.COINS:
                    for j in range(lo, hi):
                        if indices[j] not in seen:
                            p = values[j]
                            if p >= 1 or (p > 0 and draw() < p):
                                live.append(j)
                                seen.add(indices[j])
                    queue.extend(int(indices[j]) for j in live)
                    continue
                if mode[x] == K.COUNT:
                    deg, r, k = hi - lo, draw(), 0
                    pk = cdf = p0[x]
                    while r >= cdf and k < deg:
                        pk *= odds[x] * (deg - k) / (k + 1)
                        k += 1
                        cdf += pk
                    if k <= 16:
                        picked = []
                        while len(picked) < k:
                            j = min(int(draw() * deg), deg - 1)
                            if j not in picked:
                                picked.append(j)
                        live = [lo + j for j in picked]
                    else:
                        for j in range(deg):
                            if draw() * (deg - j) < k:
                                k -= 1
                                live.append(lo + j)
                                if k == 0:
                                    break
                else:
                    j = lo
                    while j < hi:
                        q = values[j]
                        if q <= 0:
                            break
                        if q < 1:
                            g = math.log(1.0 - draw()) / logq[j]
                            if g >= hi - j:
                                break
                            j += int(g)
                            if values[j] < q and draw() * q >= values[j]:
                                j += 1
                                continue
                        live.append(j)
                        j += 1
                for j in live:
                    if indices[j] not in seen:
                        seen.add(int(indices[j]))
                        queue.append(int(indices[j]))
            out.append(queue)
        if draws is not None:
            draws.append(draw.i)
    return out


def wc_like(n, m, seed, values=None):
    """Random arcs; each user's in-arcs share 1/indegree (or one of ``values`` per arc)."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    pairs = sorted(set(zip(src[keep].tolist(), dst[keep].tolist())))
    src, dst = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    if values is None:
        indeg = np.bincount(dst, minlength=n)
        p = 1.0 / indeg[dst]
    else:
        p = rng.choice(values, size=len(src))
    return InfluenceGraph.from_arcs(src, dst, p, node_ids=[f"u{i:04d}" for i in range(n)])


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("values", [None, (0.1, 0.01, 0.001), (1.0, 0.5, 0.3, 0.0), "mixed"])
def test_kernel_matches_the_reference_draw_for_draw(eager, model, values):
    if values == "mixed":  # WC rows, a few flat rows of one value, random rows: all modes
        ig = wc_like(60, 900, 4)
        p = ig.in_prob.copy()
        p[: p.size // 3] = np.random.default_rng(1).uniform(0, 1, p.size // 3)
        ig = InfluenceGraph.from_graph(_social(ig), p, "mixed")
    else:
        ig = wc_like(60, 900, 3, values)
    arrays = sampling_arrays(ig, model)
    if model == "ic":
        used = set(np.unique(K.modes(arrays[4])).tolist())
        assert K.COUNT in used or K.JUMPS in used
    rr = RRSets(ig, model)
    gen = np.random.default_rng(8)
    rr.extend(3000, gen)
    seeds = chunk_seeds(np.random.default_rng(8), -(-3000 // CHUNK_SETS))
    ref = reference_sets(arrays, model == "lt", ig.n_nodes, seeds, 3000)
    got = [s.tolist() for s in rr.sets()]
    assert got == ref


def _social(ig):
    from graphkit.graph import SocialGraph

    src = np.repeat(np.arange(ig.n_nodes), np.diff(ig.in_indptr))
    return SocialGraph.from_arrays(src, ig.in_indices, ig.node_ids)


def test_row_modes_and_sorted_rows():
    ig = wc_like(300, 6000, 1, values=(0.1, 0.01, 0.001))
    indptr, indices, p, logq, rows = sampling_arrays(ig, "ic")
    mode = K.modes(rows)
    for v in range(ig.n_nodes):  # rows sorted by probability, same arcs as the graph's row
        lo, hi = indptr[v], indptr[v + 1]
        assert np.all(np.diff(p[lo:hi]) <= 0)
        got = sorted(zip(indices[lo:hi].tolist(), p[lo:hi].tolist()))
        a, b = ig.in_indptr[v], ig.in_indptr[v + 1]
        assert got == sorted(zip(ig.in_indices[a:b].tolist(), ig.in_prob[a:b].tolist()))
    jumps = np.repeat(mode == K.JUMPS, np.diff(indptr))
    assert np.allclose(logq[jumps], np.log1p(-p[jumps])) and np.all(logq[~jumps] == 0)
    deg = np.diff(indptr)
    assert set(np.unique(mode[deg >= 20]).tolist()) == {K.JUMPS}  # sum p ~ 0.7: 4 x 2.4 < 20
    wc = wc_like(300, 6000, 1)
    _, _, pw, _, rw = sampling_arrays(wc, "ic")
    mw, p0w, oddsw = K.modes(rw), rw[:, 0], rw[:, 1]
    dw = np.diff(wc.in_indptr)
    assert np.all(mw[dw >= _rrsets.SUBSET_MIN_DEG] == K.COUNT) and np.all(mw[dw < 2] == K.COINS)
    count = mw == K.COUNT
    assert np.allclose(p0w[count], (1 - 1 / dw[count]) ** dw[count])
    assert np.allclose(oddsw[count], 1 / (dw[count] - 1))
    assert sampling_arrays(wc, "ic") is sampling_arrays(wc, "ic")  # cached per graph


# --------------------------------------------------------------------------- exact
@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("kind", ["wc", "few-values"])
def test_inclusion_probability_equals_exact_reachability(eager, model, kind):
    """P(u in RR(v)) = P(u reaches v), with rows drawn by counts and by jumps."""
    if kind == "wc":  # two hubs with 3-4 in-arcs each: COUNT rows
        arcs = [(1, 0), (2, 0), (3, 0), (4, 0), (0, 5), (2, 5), (3, 5), (6, 5), (5, 7), (1, 7),
                (6, 2), (4, 6)]
        indeg = np.bincount([v for _, v in arcs], minlength=8)
        arcs = [(u, v, 1.0 / indeg[v]) for u, v in arcs]
    else:
        vals = [0.6, 0.6, 0.3, 0.3, 0.3, 0.9, 0.2, 0.2, 0.7, 0.7, 0.7, 0.4]
        pairs = [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (0, 6), (2, 6), (3, 6), (6, 7), (4, 7),
                 (5, 7), (7, 1)]
        arcs = [(u, v, p) for (u, v), p in zip(pairs, vals)]
    ig = ig_from(arcs, 8)
    modes = K.modes(sampling_arrays(ig, "ic")[4])
    assert (K.COUNT in modes) if kind == "wc" else (K.JUMPS in modes)
    assert_inclusion_is_reachability(ig, model, 160_000, 21)


# --------------------------------------------------------------------------- chi-square
def star(probs):
    """Users 1..d influence user 0 with ``probs``; RR(0) = {0} + the live arcs."""
    d = len(probs)
    return ig_from([(i + 1, 0, p) for i, p in enumerate(probs)], d + 1)


def live_patterns(ig, count, rng):
    rr = RRSets(ig, "ic", roots=[0])
    rr.extend(count, rng=rng)
    d = ig.n_nodes - 1
    o, m = rr.offsets, rr.members
    set_of = np.repeat(np.arange(rr.count), np.diff(o))
    bits = np.zeros(rr.count, dtype=np.int64)
    other = m != 0
    np.bitwise_or.at(bits, set_of[other], np.left_shift(1, m[other].astype(np.int64) - 1))
    return bits, d


@pytest.mark.parametrize("probs,mode", [
    ([0.2] * 6, K.COUNT),                                  # equal probabilities: counts
    ([0.5, 0.5, 0.25, 0.25, 0.25, 0.05, 0.05], K.JUMPS),   # a few values: jumps
    ([0.9, 0.7, 0.7, 0.3, 0.1, 0.1, 0.02], K.JUMPS),       # thinning at every step
    ([1.0, 1.0, 0.4, 0.4, 0.0], K.JUMPS),                  # sure and impossible arcs
])
def test_joint_distribution_of_live_arcs_is_independent_coins(eager, probs, mode):
    ig = star(probs)
    assert K.modes(sampling_arrays(ig, "ic")[4])[0] == mode
    count = 120_000
    bits, d = live_patterns(ig, count, 5)
    observed = np.bincount(bits, minlength=2 ** d)
    p = np.asarray(probs)  # bit i is user i + 1
    expected = np.array([np.prod([p[i] if (b >> i) & 1 else 1 - p[i] for i in range(d)])
                         for b in range(2 ** d)]) * count
    assert observed[expected == 0].sum() == 0  # impossible patterns never appear
    keep = expected > 0
    chi2 = (((observed - expected) ** 2)[keep] / expected[keep]).sum()
    df = int(keep.sum()) - 1
    assert chi2 < stats.chi2.ppf(0.9999, df), (chi2, df)


def test_many_live_arcs_use_selection_sampling(eager):
    """K > 16 live arcs: a uniform K-subset by selection sampling; counts and pairs checked."""
    d, p = 40, 0.5
    ig = star([p] * d)
    rr = RRSets(ig, "ic", roots=[0])
    rr.extend(40_000, rng=3)
    sizes = np.diff(rr.offsets) - 1
    assert (sizes > 16).mean() > 0.8  # P(Binomial(40, 1/2) > 16) = 0.866
    k = np.arange(d + 1)
    expected = stats.binom.pmf(k, d, p) * rr.count
    observed = np.bincount(sizes, minlength=d + 1)
    keep = expected > 5
    chi2 = (((observed - expected) ** 2)[keep] / expected[keep]).sum()
    assert chi2 < stats.chi2.ppf(0.9999, int(keep.sum()) - 1)
    incl = np.bincount(rr.members, minlength=d + 1)[1:] / rr.count  # each arc: p
    assert np.all(np.abs(incl - p) < 5 * math.sqrt(p * (1 - p) / rr.count))
    pairs = itertools.combinations(range(1, 6), 2)  # independence of pairs of arcs
    sets = [set(s.tolist()) for s in rr.sets()]
    for a, b in pairs:
        both = np.mean([a in s and b in s for s in sets])
        assert abs(both - p * p) < 5 * math.sqrt(p * p * (1 - p * p) / rr.count)


def test_a_weighted_cascade_hub_costs_two_draws_not_two_hundred():
    """Not a timing: a COUNT row draws its count and its live arcs, not a coin per arc."""
    ig = star([1 / 200] * 200)
    arrays = sampling_arrays(ig, "ic")
    assert K.modes(arrays[4])[0] == K.COUNT
    seeds = chunk_seeds(1, 4)
    draws = []
    ref = reference_sets(arrays, False, ig.n_nodes, seeds, 4 * CHUNK_SETS, draws)
    live = sum(len(s) - 1 for s in ref if s[0] == 0)
    hub = sum(1 for s in ref if s[0] == 0)
    # root draws + one count per hub set + one draw per live arc (+ rare repeats)
    assert sum(draws) <= len(ref) + hub + 1.1 * live + 5
    assert 0.7 < live / hub < 1.3  # about one live arc per hub set (200 x 1/200)
