"""The undirected projection built from the CSR's order (issue 15), against plain-Python
references, and Leiden through igraph's C call against igraph's own wrapper."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from graphs import random_graph

from graphkit._rng import igraph_seed
from graphkit.communities import _projection as kern
from graphkit.communities import detect
from graphkit.graph import SocialGraph, stable_order
from graphkit.graph import stats as graph_stats


def python_projection(graph, weighted=True):
    """Pairs {u, v} (u <= v) in ascending order and w(u->v) + w(v->u), by a dict over the
    edges in CSR order: the definition, one edge at a time."""
    sums: dict = {}
    src = graph.sources().tolist()
    for e, (s, t) in enumerate(zip(src, graph.indices.tolist())):
        key = (min(s, t), max(s, t))
        w = float(graph.scaled_weight[e])
        sums[key] = sums[key] + w if key in sums else w
    pairs = sorted(sums)
    u = [p[0] for p in pairs]
    v = [p[1] for p in pairs]
    w = [sums[p] if weighted else 1.0 for p in pairs]
    return u, v, w


def graph_with_loops(n, m, seed):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = np.where(rng.random(m) < 0.05, src, rng.integers(0, n, m))  # some self-loops
    back = rng.random(m) < 0.4  # many pairs both ways
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    return SocialGraph.from_arrays(src, dst, [f"u{i}" for i in range(n)],
                                   row_weight=rng.uniform(0.1, 3.0, src.shape[0]))


@pytest.mark.parametrize("make", [
    lambda: random_graph(300, 4000, seed=1, n_types=3),
    lambda: graph_with_loops(50, 800, seed=2),
    lambda: graph_with_loops(70_000, 30_000, seed=3),  # ids past 16 bits: two radix passes
    lambda: SocialGraph.from_pairs([("a", "b"), ("b", "a"), ("c", "c"), ("c", "a")]),
])
@pytest.mark.parametrize("weighted", [True, False])
def test_projection_equals_plain_python(make, weighted):
    g = make()
    u, v, w = python_projection(g, weighted)
    p = kern.project(g, weighted)
    assert p.u.tolist() == u and p.v.tolist() == v
    assert p.w.tolist() == w  # bit for bit: at most two terms per pair
    strength = np.zeros(g.n_nodes)
    for a, b, x in zip(u, v, w):
        strength[a] += x
        strength[b] += x
    np.testing.assert_allclose(p.strength, strength, rtol=1e-12)
    assert p.total == pytest.approx(sum(w), rel=1e-12)


def test_pair_sums_out_of_csr_order_falls_back_to_the_full_sort():
    rng = np.random.default_rng(5)
    n = 40
    src = rng.integers(0, n, 500).astype(np.int32)
    dst = rng.integers(0, n, 500).astype(np.int32)
    w = rng.uniform(0.5, 2.0, 500)
    keys, sums = kern._pair_sums(src, dst, w, n)  # shuffled, with repeats
    ref: dict = {}
    for s, t, x in zip(src.tolist(), dst.tolist(), w.tolist()):
        k = min(s, t) * n + max(s, t)
        ref[k] = ref.get(k, 0.0) + x
    assert keys.tolist() == sorted(ref)
    np.testing.assert_allclose(sums, [ref[k] for k in sorted(ref)], rtol=1e-12)


def test_stable_order_is_numpys_stable_argsort():
    rng = np.random.default_rng(0)
    for high in (50, 70_000, 2**31 - 1):
        keys = rng.integers(0, high, 5000).astype(np.int32)
        assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


@pytest.mark.parametrize("m,sample", [(1, 4096), (5, 4096), (4096, 4096), (10_000, 4096),
                                      (123_457, 4096), (3, 2)])
def test_spaced_positions_are_the_unique_linspace(m, sample):
    ref = np.unique(np.linspace(0, m - 1, min(sample, m)).astype(np.int64))
    assert np.array_equal(graph_stats._spaced(m, sample), ref)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("resolution", [1.0, 0.7])
def test_leiden_pass_is_igraphs_community_leiden(seed, resolution):
    # the C call without igraph's VertexClustering: the same partition for the same seed,
    # from scratch (2 passes) and from a starting membership (the --leiden-tol loop)
    g = random_graph(n=500, m=4000, seed=seed, n_types=2)
    u, v, w = python_projection(g)
    h = ig.Graph(n=g.n_nodes, edges=list(zip(u, v)))
    h.es["weight"] = w
    with igraph_seed(seed):
        ref = h.community_leiden(objective_function="modularity", weights="weight",
                                 resolution=resolution, n_iterations=2).membership
    with igraph_seed(seed):
        got = detect._leiden_pass(h, resolution, 2)
    assert got == ref
    start = [x % 7 for x in range(g.n_nodes)]
    with igraph_seed(seed + 10):
        ref = h.community_leiden(objective_function="modularity", weights="weight",
                                 resolution=resolution, n_iterations=1,
                                 initial_membership=start).membership
    with igraph_seed(seed + 10):
        got = detect._leiden_pass(h, resolution, 1, start)
    assert got == ref


def test_igraph_graphs_hold_the_projection_and_the_directed_edges_in_order():
    g = graph_with_loops(300, 3000, seed=9)
    u, v, w = python_projection(g)
    h = detect._undirected_igraph(kern.project(g))
    assert not h.is_directed() and h.vcount() == g.n_nodes
    assert h.get_edgelist() == list(zip(u, v)) and h.es["weight"] == w
    d = detect._directed_igraph(g, True)
    assert d.is_directed()
    assert d.get_edgelist() == list(zip(g.sources().tolist(), g.indices.tolist()))
    assert d.es["weight"] == g.scaled_weight.tolist()
    assert detect._directed_igraph(g, False).es["weight"] == [1.0] * g.n_edges


def test_to_igraph_is_the_graph_built_from_arrays():
    g = random_graph(200, 2000, seed=11, n_types=3)
    h = g.to_igraph()
    ref = ig.Graph(n=g.n_nodes, edges=np.column_stack([g.sources(), g.indices]).tolist(),
                   directed=True)
    assert h.get_edgelist() == ref.get_edgelist() and h.is_directed()
    assert h.es["weight"] == g.weight.tolist()
    for i, t in enumerate(g.types):
        assert h.es[f"n_{t}"] == g.counts[:, i].tolist()
    assert h.vs["name"] == g.node_ids.tolist()
    assert not g.to_igraph(directed=False, weighted=False).is_directed()
    assert "weight" not in g.to_igraph(weighted=False).es.attributes()


@pytest.mark.parametrize("seed", [4, 5])
def test_detect_communities_is_igraph_on_the_plain_python_projection(seed):
    # end to end: the default Leiden run is igraph's community_leiden on the projection
    # built one edge at a time, seeded as detect_communities seeds it (same partition)
    from graphkit import detect_communities
    from graphkit._rng import spawn

    g = graph_with_loops(400, 3000, seed=seed)
    u, v, w = python_projection(g)
    h = ig.Graph(n=g.n_nodes, edges=list(zip(u, v)))
    h.es["weight"] = w
    with igraph_seed(int(spawn(seed, 1)[0].integers(0, 2**63 - 1))):
        ref = h.community_leiden(objective_function="modularity", weights="weight",
                                 n_iterations=2).membership
    got = detect_communities(g, rng=seed).membership
    pairs = set(zip(ref, got.tolist()))
    assert len(pairs) == len(set(ref)) == len(set(got.tolist()))
