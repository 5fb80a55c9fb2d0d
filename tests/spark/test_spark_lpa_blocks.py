"""The numpy blocks behind Spark communities, without Spark: the block-based label
propagation equals the pure-Python reference LPA of test_spark_communities.py, and the
contraction and per-user sums equal plain dict sums, for any split of the users into
blocks (what the executors hold)."""

from __future__ import annotations

import numpy as np
import pytest

from graphkit.spark.propagation import (
    NODE_SUMS,
    _merge,
    _on_blocks,
    _partial_contraction,
    label_propagation,
    node_sums,
    single_block,
)

from .test_spark_communities import python_lpa


def random_edges(seed, n=40, m=160, ties=False):
    """Directed weighted edges (no self-loops, no repeats), some pairs both ways; with
    ``ties`` every weight is 1 (every vote ties)."""
    rng = np.random.default_rng(seed)
    seen = {}
    while len(seen) < m:
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a != b and (a, b) not in seen:
            seen[(a, b)] = 1.0 if ties else float(rng.choice([0.5, 1.0, 2.0, 3.0, 0.1]))
    return seen


def blocks_of(edges: dict, order: np.ndarray, parts: int, weighted=True):
    """The adjacency blocks as the executors build them: both directions of every edge,
    in ordinals, the users split over ``parts`` blocks by position (as a hash
    repartition would)."""
    rows = [[] for _ in range(parts)]
    for (a, b), w in edges.items():
        rows[a % parts].append((order[a], order[b], w, 1))
        rows[b % parts].append((order[b], order[a], w, 2))
    out = []
    for r in rows:
        if r:
            key, nbr, w, d = (np.array(c) for c in zip(*r))
            out.append(single_block(key, nbr, w, d, weighted))
    return out


def pairs_by_ordinal(edges: dict, order, weighted=True) -> dict:
    out: dict = {}
    for (a, b), w in edges.items():
        u, v = sorted((int(order[a]), int(order[b])))
        out[(u, v)] = out.get((u, v), 0.0) + w
    return {k: (w if weighted else 1.0) for k, w in out.items()}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [True, False])
def test_block_lpa_equals_the_pure_python_lpa_on_any_split(seed, weighted):
    n = 40
    edges = random_edges(seed, n, ties=seed % 3 == 0)
    order = np.random.default_rng(100 + seed).permutation(n)  # positions != id ranks
    pairs = pairs_by_ordinal(edges, order, weighted)
    users = list(range(n))
    want, rounds = python_lpa(pairs, users, seed=seed + 7)
    for parts in (1, 2, 5):
        labels, it, converged = label_propagation(blocks_of(edges, order, parts, weighted), n,
                                                  seed=seed + 7)
        assert labels.tolist() == [want[u] for u in users], parts
        assert it == rounds and (converged or rounds == 30)  # some oscillate to the cap


def test_a_capped_run_equals_the_reference_after_as_many_rounds():
    n = 40
    edges = random_edges(9, n)
    order = np.arange(n)
    pairs = pairs_by_ordinal(edges, order)
    for cap in (1, 2, 3):
        want, _ = python_lpa(pairs, list(range(n)), seed=5, max_iter=cap)
        labels, it, _ = label_propagation(blocks_of(edges, order, 3), n, max_iter=cap, seed=5)
        assert labels.tolist() == [want[u] for u in range(n)] and it <= cap


def test_contraction_and_per_user_sums_equal_dict_sums_on_any_split():
    n = 50
    edges = random_edges(4, n, m=220)
    order = np.random.default_rng(8).permutation(n)
    pairs = pairs_by_ordinal(edges, order)
    labels = np.random.default_rng(2).integers(0, 7, n) * 3  # group labels, some unused
    comm = np.random.default_rng(3).integers(0, 4, n)
    # references: plain sums over the pairs
    contracted: dict = {}
    for (u, v), w in pairs.items():
        a, b = sorted((int(labels[u]), int(labels[v])))
        contracted[(a, b)] = contracted.get((a, b), 0.0) + w
    ref = {name: np.zeros(n) for name in NODE_SUMS}
    into = [{} for _ in range(n)]
    for (u, v), w in pairs.items():
        for x, y in ((u, v), (v, u)):
            ref["degree"][x] += w
            ref["pairs"][x] += 1
            into[x][comm[y]] = into[x].get(comm[y], 0.0) + w
            if comm[x] == comm[y]:
                ref["own"][x] += w
                ref["pairs_in"][x] += 1
    for (a, b) in edges:  # directed edges between members, at their source
        ref["edges_in"][order[a]] += comm[order[a]] == comm[order[b]]
    ref["sq"] = np.array([sum(s * s for s in d.values()) for d in into])
    for parts in (1, 3, 4):
        blocks = blocks_of(edges, order, parts)
        lo, hi, w = _merge(_on_blocks(blocks, labels, _partial_contraction, with_index=True))
        got = {(int(a), int(b)): float(x) for a, b, x in zip(lo, hi, w)}
        assert got.keys() == contracted.keys()
        assert all(abs(got[k] - contracted[k]) < 1e-12 for k in got)
        assert list(zip(lo, hi)) == sorted(zip(lo, hi))
        sums = node_sums(blocks, comm, n)
        for name in NODE_SUMS:
            assert np.allclose(sums[name], ref[name], rtol=1e-12, atol=0), (name, parts)


def test_a_self_loop_is_both_ends_of_its_pair():
    # edges 0->1 (2.0), 1->0 (1.0), 1->1 (4.0): pairs {0,1} = 3.0, {1,1} = 4.0
    key = [0, 1, 1, 0, 1, 1]  # both directions of every edge
    nbr = [1, 0, 1, 1, 0, 1]
    w = [2.0, 1.0, 4.0, 1.0, 2.0, 4.0]
    d = [1, 1, 1, 2, 2, 2]
    b = single_block(key, nbr, w, d)
    assert b["key"].tolist() == [0, 1] and b["starts"].tolist() == [0, 1]
    assert b["nbr"].tolist() == [1, 0, 1, 1] and b["w"].tolist() == [3.0, 3.0, 4.0, 4.0]
    assert b["d"].tolist() == [3, 3, 3, 3]
    lo, hi, cw = _merge(_on_blocks([b], np.array([0, 1]), _partial_contraction, True))
    assert (lo.tolist(), hi.tolist(), cw.tolist()) == ([0, 1], [1, 1], [3.0, 4.0])
    sums = node_sums([b], np.array([0, 0]), 2)
    assert sums["degree"].tolist() == [3.0, 11.0] and sums["pairs_in"].tolist() == [1, 3]


def lexsort_step(block, labels, seed: int, round_: int):
    """The first numpy version of one round (two lexsorts over every candidate): the
    sort-free selection must pick the same labels, with bit-identical sums."""
    from graphkit.spark.propagation import _tie_keys

    key, starts, nbr, w = block["key"], block["starts"], block["nbr"], block["w"]
    counts = np.diff(np.r_[starts, nbr.shape[0]])
    own = np.repeat(np.arange(key.shape[0]), counts)
    heaviest = np.maximum.reduceat(w, starts)
    node = np.concatenate([own, np.arange(key.shape[0])])
    lab = np.concatenate([labels[nbr], labels[key]])
    wt = np.concatenate([w, heaviest])
    order = np.lexsort((lab, node))
    node, lab, wt = node[order], lab[order], wt[order]
    first = np.flatnonzero(np.r_[True, (node[1:] != node[:-1]) | (lab[1:] != lab[:-1])])
    node, lab, score = node[first], lab[first], np.add.reduceat(wt, first)
    tie = _tie_keys(seed, round_, key[node], lab)
    best = np.lexsort((lab, tie, -score, node))
    node, lab = node[best], lab[best]
    want = lab[np.r_[True, node[1:] != node[:-1]]]
    current = labels[key]
    active = _tie_keys(seed, round_, key, np.full(key.shape[0], -1, dtype=np.int64)) % 2 == 0
    return key, np.where(active, want, current), int((want != current).sum())


@pytest.mark.parametrize("seed", range(4))
def test_a_round_equals_the_lexsort_round_with_float_weights(seed):
    from graphkit.spark.propagation import _lpa_step

    rng = np.random.default_rng(seed)
    n = 3000
    edges = {}
    for a, b in rng.integers(0, n, (12000, 2)):
        if a != b:  # heavy tail: a few users in many pairs
            edges[(int(a) % (n // 10) if rng.random() < 0.3 else int(a), int(b))] = float(
                rng.choice([0.1, 0.3, 0.7, 1.0, 1.1]))
    edges = {k: v for k, v in edges.items() if k[0] != k[1]}
    order = rng.permutation(n)
    blocks = blocks_of(edges, order, 3)
    labels = np.arange(n, dtype=np.int64)
    for r in range(1, 7):
        new = labels.copy()
        for b in blocks:
            got, want = _lpa_step(b, labels, seed, r), lexsort_step(b, labels, seed, r)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
            assert got[2] == want[2]
            new[got[0]] = got[1]
        labels = new
    assert np.unique(labels).shape[0] < n  # the labels did spread
