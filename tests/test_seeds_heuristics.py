"""Tests for graphkit/seeds/heuristics.py: degree discount against the paper's algorithm and
against a naive one-hop reference, top degree / PageRank order, random, and constraints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphkit as gk
from graphkit.seeds._constraints import resolve
from graphkit.seeds.heuristics import (
    degree_discount,
    pick_positions,
    random_seeds,
    top_degree,
    top_pagerank,
)
from graphkit.weighting import InfluenceGraph


def symmetric_graph(seed, n=40, m=90):
    """An undirected graph as a SocialGraph with both directions; ids not in position order."""
    rng = np.random.default_rng(seed)
    pairs = set()
    while len(pairs) < m:
        a, b = rng.integers(0, n, 2)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    name = {i: f"v{(i * 7) % n:02d}" for i in range(n)}
    rows = [(name[a], name[b]) for a, b in pairs] + [(name[b], name[a]) for a, b in pairs]
    return gk.SocialGraph.from_pairs(rows), pairs, name


def paper_degree_discount(pairs, name, n, k, p):
    """DegreeDiscountIC exactly as printed (Chen, Wang, Yang 2009, Algorithm 4)."""
    nbr = {name[i]: set() for i in range(n)}
    for a, b in pairs:
        nbr[name[a]].add(name[b])
        nbr[name[b]].add(name[a])
    d = {v: len(nbr[v]) for v in nbr}
    dd = dict(d)
    t = dict.fromkeys(nbr, 0)
    chosen = []
    for _ in range(k):
        u = max((v for v in nbr if v not in chosen), key=lambda v: (dd[v], [-ord(c) for c in v]))
        chosen.append(u)
        for v in nbr[u]:
            if v in chosen:
                continue
            t[v] += 1
            dd[v] = d[v] - 2 * t[v] - (d[v] - t[v]) * t[v] * p
    return chosen


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [0.01, 0.1])
def test_degree_discount_is_the_papers_algorithm_on_undirected_graphs(seed, p):
    g, pairs, name = symmetric_graph(seed)
    ig = gk.influence_graph(g, f"uniform:{p}")
    assert degree_discount(ig, 8) == paper_degree_discount(pairs, name, 40, 8, p)


def naive_one_hop(ig, k, model):
    """Weighted generalisation, recomputed from scratch at every step."""
    n = ig.n_nodes
    src = np.repeat(np.arange(n), np.diff(ig.indptr))
    w = ig.lt_weights if model == "lt" else ig.prob
    order = np.argsort(ig.node_ids.astype(str))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    chosen = []
    for _ in range(k):
        best = None
        for v in range(n):
            if v in chosen:
                continue
            into = (ig.indices == v) & np.isin(src, chosen)
            if model == "lt":
                q = max(1 - w[into].sum(), 0.0)
            else:
                q = np.prod(1 - w[into])
            out = (src == v) & ~np.isin(ig.indices, chosen)
            key = (q * (1 + w[out].sum()), -rank[v])
            if best is None or key > best[0]:
                best = (key, v)
        chosen.append(best[1])
    return ig.node_ids[chosen].tolist()


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("seed", range(4))
def test_weighted_degree_discount_matches_naive_one_hop_reference(model, seed):
    rng = np.random.default_rng(seed)
    ig = InfluenceGraph.from_arcs(rng.integers(0, 30, 120), rng.integers(0, 30, 120),
                                  rng.uniform(0.05, 0.6, 120), node_ids=[f"u{(i * 11) % 30:02d}" for i in range(30)])
    assert degree_discount(ig, 6, model=model) == naive_one_hop(ig, 6, model)


def test_degree_discount_avoids_neighbours_of_the_first_seed():
    # a and b share the same followers; c has fewer but different ones
    rows = [(f"x{i}", "a") for i in range(6)] + [(f"x{i}", "b") for i in range(6)] + \
        [(f"y{i}", "c") for i in range(5)] + [("a", "b"), ("b", "a")]
    ig = gk.influence_graph(gk.SocialGraph.from_pairs(rows), "uniform:0.5")
    assert top_degree(ig, 2) == ["a", "b"]
    assert degree_discount(ig, 2) == ["a", "c"]


def test_top_degree_and_pagerank_order_with_id_ties():
    g = gk.read_edges(["data/example.csv"])
    g = gk.SocialGraph.from_edges(g)
    ig = gk.influence_graph(g, "wc")
    deg = pd.DataFrame({"user": ig.node_ids, "d": ig.out_degree()})
    expect = deg.sort_values(["d", "user"], ascending=[False, True]).user.tolist()[:5]
    assert top_degree(ig, 5) == expect
    pr = pd.DataFrame({"user": g.node_ids, "s": gk.pagerank(g)})
    expect = pr.sort_values(["s", "user"], ascending=[False, True]).user.tolist()[:4]
    assert top_pagerank(ig, 4, graph=g) == expect
    assert top_pagerank(ig, 1)[0] == "alice"  # unweighted PageRank on the influence graph's edges


def test_random_is_seeded_and_eligible():
    ig = gk.influence_graph(gk.SocialGraph.from_edges(gk.read_edges(["data/example.csv"])), "wc")
    a = random_seeds(ig, 4, rng=3, exclude=["alice"])
    assert a == random_seeds(ig, 4, rng=3, exclude=["alice"]) and "alice" not in a
    assert len(set(a)) == 4
    assert {tuple(random_seeds(ig, 4, rng=s)) for s in range(10)}.__len__() > 1


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), method=st.sampled_from(["degree-discount", "degree", "pagerank", "random"]),
       use_budget=st.booleans(), model=st.sampled_from(["ic", "lt"]))
def test_constraints_hold_for_every_heuristic(seed, method, use_budget, model):
    rng = np.random.default_rng(seed)
    n = 25
    ig = InfluenceGraph.from_arcs(rng.integers(0, n, 80), rng.integers(0, n, 80),
                                  rng.uniform(0.05, 0.5, 80), node_ids=[f"u{i:02d}" for i in range(n)])
    ids = ig.node_ids.tolist()
    perm = rng.permutation(n)
    include = [ids[i] for i in perm[:2]]
    exclude = [ids[i] for i in perm[2:6]]
    if use_budget:
        costs = {u: float(c) for u, c in zip(ids, rng.uniform(1, 5, n)) if u not in exclude[:1]}
        cons = resolve(ig, None, include=include, exclude=exclude, costs=costs, budget=9.0)
    else:
        cons = resolve(ig, 7, include=include, exclude=exclude)
    picks = pick_positions(method, ig, cons, model=model, rng=seed)
    chosen = set(ig.node_ids[picks].tolist())
    assert not chosen & set(exclude) and not chosen & set(include)
    assert len(chosen) == len(picks)
    if use_budget:
        assert cons.cost[picks].sum() <= 9.0
        # nothing else affordable was left on the table
        left = 9.0 - cons.cost[picks].sum()
        rest = cons.affordable().copy()
        rest[picks] = False
        assert not np.any(rest & (cons.cost <= left))
    else:
        assert len(picks) == 5
