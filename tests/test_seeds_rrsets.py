"""Tests for graphkit/seeds/_rrsets.py: RR-set sampling against exact answers and a
pure-Python reference, layout, determinism, buffer regrowth, memory helpers."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from test_seeds_exact import Worlds, ig_from, small_graph

from graphkit.seeds import _rrsets
from graphkit.seeds._rrsets import RRSets, memory_needed
from graphkit.weighting import InfluenceGraph


# --------------------------------------------------------------------------- reference
def reference_rr(ig, model, count, seed, roots=None):
    """Plain-Python RR sets: reverse BFS keeping each in-arc with its probability (IC),
    or the reverse walk picking at most one in-arc by its LT weight (LT)."""
    rnd = random.Random(seed)
    n = ig.n_nodes
    vals = ig.lt_in_weights if model == "lt" else ig.in_prob
    ins = [[(int(ig.in_indices[j]), float(vals[j])) for j in range(ig.in_indptr[v], ig.in_indptr[v + 1])]
           for v in range(n)]
    out = []
    for _ in range(count):
        root = rnd.randrange(n) if roots is None else rnd.choice(list(roots))
        seen = [root]
        if model == "ic":
            queue = [root]
            while queue:
                v = queue.pop()
                for u, p in ins[v]:
                    if u not in seen and rnd.random() < p:
                        seen.append(u)
                        queue.append(u)
        else:
            v = root
            while ins[v]:
                r, acc, pick = rnd.random(), 0.0, None
                for u, w in ins[v]:
                    acc += w
                    if r < acc:
                        pick = u
                        break
                if pick is None or pick in seen:
                    break
                seen.append(pick)
                v = pick
        out.append(seen)
    return out


def random_ig(n, m, seed, pmax=0.5):
    rng = np.random.default_rng(seed)
    return InfluenceGraph.from_arcs(rng.integers(0, n, m), rng.integers(0, n, m),
                                    rng.uniform(0.02, pmax, m), node_ids=[f"u{i:03d}" for i in range(n)])


def inclusion(sets, n):
    f = np.zeros(n)
    for s in sets:
        f[np.asarray(s)] += 1
    return f / len(sets)


# --------------------------------------------------------------------------- exact
@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("name", ["dense", "random-2"])
def test_inclusion_probability_equals_exact_reachability(model, name):
    """P(u in RR(v)) = P(u reaches v) in a random live-edge graph."""
    arcs, n = small_graph(name)
    assert_inclusion_is_reachability(ig_from(arcs, n), model, 150_000, 11)


def assert_inclusion_is_reachability(ig, model, count, seed):
    """Each root ``v``'s sets hold each ``u`` with P(u reaches v), by live-edge enumeration."""
    n = ig.n_nodes
    w = Worlds(ig, model)
    rr = RRSets(ig, model)
    rr.extend(count, rng=seed)
    o, m = rr.offsets, rr.members
    roots = m[o[:-1]]
    set_of = np.repeat(np.arange(rr.count), np.diff(o))
    for v in range(n):
        mine = roots == v
        cnt = int(mine.sum())
        assert cnt > 0.7 * rr.count / n
        hit = np.bincount(m[mine[set_of]], minlength=n) / cnt
        for u in range(n):
            p = w.reach_prob(u, v)
            sd = math.sqrt(max(p * (1 - p), 1e-12) / cnt)
            assert abs(hit[u] - p) <= 5 * sd + 1e-9, (model, u, v, hit[u], p)


@pytest.mark.parametrize("model", ["ic", "lt"])
def test_kernel_agrees_with_python_reference(model):
    ig = random_ig(40, 160, 3)
    rr = RRSets(ig, model)
    rr.extend(60_000, rng=5)
    ref = reference_rr(ig, model, 20_000, 9)
    ks = np.diff(rr.offsets)
    rs = np.array([len(s) for s in ref])
    se = math.sqrt(ks.var() / ks.size + rs.var() / rs.size)
    assert abs(ks.mean() - rs.mean()) <= 4.5 * se + 1e-9
    a, b = inclusion(rr.sets(), ig.n_nodes), inclusion(ref, ig.n_nodes)
    sd = np.sqrt(a * (1 - a) / rr.count + b * (1 - b) / len(ref)) + 1e-9
    assert np.all(np.abs(a - b) <= 5 * sd), np.max(np.abs(a - b) / sd)
    # and the size distributions agree as a whole (two-sample, coarse bins)
    bins = [1, 2, 3, 5, 9, 10**9]
    ha = np.histogram(ks, bins)[0] / ks.size
    hb = np.histogram(rs, bins)[0] / rs.size
    sdh = np.sqrt(ha * (1 - ha) / ks.size + hb * (1 - hb) / rs.size) + 1e-9
    assert np.all(np.abs(ha - hb) <= 5 * sdh)


# --------------------------------------------------------------------------- layout
def test_sets_start_at_their_root_and_roots_are_uniform():
    ig = random_ig(30, 90, 4)
    rr = RRSets(ig, "ic")
    rr.extend(60_000, rng=2)
    assert rr.offsets[0] == 0 and rr.offsets[-1] == rr.members.size == rr.total
    roots = rr.members[rr.offsets[:-1]]
    cnt = np.bincount(roots, minlength=30)
    exp = rr.count / 30
    assert np.all(np.abs(cnt - exp) <= 5 * math.sqrt(exp))
    for s in rr.sets()[:2000]:
        assert len(set(s.tolist())) == len(s) and s.min() >= 0 and s.max() < 30


def test_targeted_roots_come_from_the_targets_uniformly():
    ig = random_ig(30, 90, 4)
    targets = np.array([3, 7, 8, 20])
    rr = RRSets(ig, "lt", roots=targets)
    rr.extend(20_000, rng=2)
    roots = rr.members[rr.offsets[:-1]]
    assert set(np.unique(roots).tolist()) == set(targets.tolist())
    cnt = np.bincount(roots, minlength=30)[targets]
    assert np.all(np.abs(cnt - 5000) <= 5 * math.sqrt(5000))
    assert rr.population == 4
    with pytest.raises(ValueError):
        RRSets(ig, "ic", roots=[])


def test_probability_one_gives_exact_ancestor_sets_and_regrows_buffers():
    """p = 1 everywhere: RR(v) = every user with a path to v. A complete graph's sets
    hold all users, far above the first call's size guess (buffer overflow + rerun)."""
    n = 60
    arcs = [(u, v, 1.0) for u in range(n) for v in range(n) if u != v]
    ig = ig_from(arcs, n)
    rr = RRSets(ig, "ic")
    rr.extend(3000, rng=1)
    assert np.all(np.diff(rr.offsets) == n)
    assert all(sorted(s.tolist()) == list(range(n)) for s in rr.sets()[:50])
    # LT on a path with weight 1: the walk from v goes v, v-1, ..., 0
    path = ig_from([(i, i + 1, 1.0) for i in range(9)], 10)
    rr = RRSets(path, "lt")
    rr.extend(2000, rng=3)
    for s in rr.sets():
        assert s.tolist() == list(range(s[0], -1, -1))


def test_zero_probability_sets_are_singletons():
    ig = ig_from([(0, 1, 0.0), (1, 2, 0.0)], 3)
    rr = RRSets(ig, "ic")
    rr.extend(500, rng=1)
    assert np.all(np.diff(rr.offsets) == 1)


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_sets_different_seed_different_sets():
    ig = random_ig(50, 200, 8)
    a, b, c = RRSets(ig, "ic"), RRSets(ig, "ic"), RRSets(ig, "ic")
    for rr, seed in ((a, 1), (b, 1), (c, 2)):
        gen = np.random.default_rng(seed)
        rr.extend(5000, gen)
        rr.extend(7000, gen)  # appending continues the chunk numbering
    assert np.array_equal(a.offsets, b.offsets) and np.array_equal(a.members, b.members)
    assert not np.array_equal(a.members[: c.total], c.members[: a.total])
    assert a.count == 12000


def test_result_does_not_depend_on_how_a_batch_is_cut_into_calls(monkeypatch):
    ig = random_ig(50, 200, 8)
    a = RRSets(ig, "ic")
    a.extend(20_000, rng=4)
    monkeypatch.setattr(_rrsets, "CALL_MEMBERS", 1000)   # many small kernel calls
    monkeypatch.setattr(_rrsets, "_CHUNKS_PER_CALL", 5)
    b = RRSets(ig, "ic")
    calls = []
    b.extend(20_000, rng=4, progress=lambda s, d, t: calls.append(d))
    assert len(calls) > 5 and calls[-1] == 20_000
    assert np.array_equal(a.offsets, b.offsets) and np.array_equal(a.members, b.members)


@pytest.mark.parametrize("model", ["ic", "lt"])
def test_serial_and_parallel_kernels_agree(monkeypatch, model):
    ig = random_ig(80, 400, 2)
    out = []
    for threshold in (0, 10**15):  # always parallel, never parallel
        monkeypatch.setattr(_rrsets, "PARALLEL_MEMBERS", threshold)
        rr = RRSets(ig, model)
        rr.extend(30_000, rng=6)
        out.append((rr.offsets.copy(), rr.members.copy()))
    assert all(np.array_equal(x, y) for x, y in zip(*out))


def test_inverted_index_does_not_depend_on_blocks():
    from graphkit.seeds import greedy

    rr = RRSets(random_ig(80, 400, 2), "ic")
    rr.extend(20_000, rng=1)
    ref = greedy._invert(rr.offsets, rr.members, rr.n, 1)
    for blocks in (2, 3, 7):  # one thread per block
        got = greedy._invert(rr.offsets, rr.members, rr.n, blocks)
        assert np.array_equal(ref[0], got[0]) and np.array_equal(ref[1], got[1])


# --------------------------------------------------------------------------- memory
def test_memory_helpers():
    fixed = memory_needed(0, 4.0, 1000, threads=2)
    assert fixed == 48e3 + 2 * 8e3  # per-user arrays and each thread's stamps and queue
    big = _rrsets.CALL_MEMBERS  # beyond one kernel call, the sampling buffers stop growing
    a, b = memory_needed(big, 4.0, 1000, 2), memory_needed(2 * big, 4.0, 1000, 2)
    assert b - a == pytest.approx(big * _rrsets.bytes_per_set(4.0))
    assert memory_needed(1e6, 4.0, 1000, threads=4) > memory_needed(1e6, 4.0, 1000, threads=1)
    for limit in (1e6, 1e8, 1e10):  # expected_sets_for_bytes inverts memory_needed
        sets = _rrsets.expected_sets_for_bytes(limit, 4.0, 1000, 2)
        assert memory_needed(sets, 4.0, 1000, 2) == pytest.approx(limit)
    assert memory_needed(1e6, 8.0, 10) > memory_needed(1e6, 4.0, 10)
    assert _rrsets.default_max_memory() > 0
    avail = _rrsets.available_memory()
    assert avail is None or avail > 0
    assert _rrsets.format_bytes(1536) == "1.5 KB" and _rrsets.format_bytes(3 * 2**30) == "3.0 GB"
