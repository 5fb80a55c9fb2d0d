"""Tests for graphkit/graph.py: the CSR build against a naive dictionary reference."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphkit as gk
from graphkit.graph import SocialGraph

rows_strategy = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(0, 2), st.floats(0, 5)),
    min_size=1, max_size=60,
).filter(lambda rows: any(a != b for a, b, _, _ in rows))


def build(rows, type_weights=(1.0, 2.0, 0.5)):
    rows = [r for r in rows if r[0] != r[1]]
    src = np.array([r[0] for r in rows])
    dst = np.array([r[1] for r in rows])
    typ = np.array([r[2] for r in rows])
    w = np.array([r[3] for r in rows])
    ids = np.array([f"u{i}" for i in range(8)], dtype=object)
    g = SocialGraph.from_arrays(src, dst, ids, edge_type=typ, types=("follow", "share", "comment"),
                                row_weight=w, type_weights=np.array(type_weights))
    return g, rows


@settings(max_examples=80, deadline=None)
@given(rows_strategy)
def test_csr_matches_naive_aggregation(rows):
    g, rows = build(rows)
    tw = g.type_weights
    weight = defaultdict(float)
    counts = defaultdict(Counter)
    for a, b, t, w in rows:
        weight[(a, b)] += tw[t] * w
        counts[(a, b)][t] += 1
    got = {}
    src = g.sources()
    for j in range(g.n_edges):
        got[(int(src[j]), int(g.indices[j]))] = (g.weight[j], g.counts[j].tolist())
    assert set(got) == set(weight)
    for key, (w, c) in got.items():
        assert w == pytest.approx(weight[key], rel=1e-12, abs=1e-12)
        assert c == [counts[key][t] for t in range(3)]
    # rows sorted by target within each actor
    for u in range(g.n_nodes):
        seg = g.indices[g.indptr[u]:g.indptr[u + 1]]
        assert np.all(np.diff(seg) > 0)
    assert g.n_interactions == len(rows)
    assert g.stats["merged_rows"] == len(rows) - len(weight)


@settings(max_examples=40, deadline=None)
@given(rows_strategy)
def test_transpose_and_degrees(rows):
    g, rows = build(rows)
    t = g.transpose
    pairs = {(int(a), int(b)) for a, b in zip(g.sources(), g.indices)}
    tpairs = set()
    for v in range(g.n_nodes):
        for j in range(t.indptr[v], t.indptr[v + 1]):
            u = int(t.indices[j])
            tpairs.add((u, v))
            e = t.edge_of[j]
            assert g.indices[e] == v and g.sources()[e] == u
    assert tpairs == pairs
    indeg = Counter(b for _, b in pairs)
    assert g.in_degree().tolist() == [indeg[i] for i in range(g.n_nodes)]
    outdeg = Counter(a for a, _ in pairs)
    assert g.out_degree().tolist() == [outdeg[i] for i in range(g.n_nodes)]
    assert np.allclose(g.in_strength().sum(), g.weight.sum())
    assert np.allclose(g.out_strength().sum(), g.weight.sum())


def test_arrays_are_read_only():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "c")])
    for arr in (g.indptr, g.indices, g.weight, g.counts, g.node_ids, g.transpose.indices):
        with pytest.raises(ValueError):
            arr[0] = arr[0]


def test_index_and_unknown_users():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "c")])
    assert g.node_ids[g.index(["c", "a"])].tolist() == ["c", "a"]
    with pytest.raises(gk.UnknownUserError, match="'zed'") as exc:
        g.index(["a", "zed", "yo"])
    assert exc.value.users == ["zed", "yo"]
    assert g.index(["a", "zed"], missing="drop").tolist() == g.index(["a"]).tolist()


def test_subgraph_keeps_induced_edges_and_counts():
    g = SocialGraph.from_pairs([("a", "b", "follow"), ("b", "c", "share"), ("c", "a", "share"),
                                ("a", "b", "share"), ("d", "a", "follow")])
    s = g.subgraph(["a", "b", "c"])
    assert sorted(s.node_ids.tolist()) == ["a", "b", "c"]
    assert {(r.source, r.target) for r in s.edges().itertuples()} == {("a", "b"), ("b", "c"), ("c", "a")}
    ab = s.edges().set_index(["source", "target"]).loc[("a", "b")]
    assert (ab.n_follow, ab.n_share) == (1, 1)
    with pytest.raises(gk.UnknownUserError):
        g.subgraph(["a", "nobody"])


def test_to_networkx_and_igraph_agree():
    g = SocialGraph.from_pairs([("a", "b", "follow"), ("b", "c", "share"), ("a", "b", "share")],
                               type_weights={"share": 3})
    nxg = g.to_networkx()
    assert nxg["a"]["b"]["weight"] == 4.0
    assert set(nxg.nodes) == {"a", "b", "c"}
    ig = g.to_igraph()
    assert ig.vcount() == 3 and ig.ecount() == 2 and ig.is_directed()
    got = {(ig.vs[e.source]["name"], ig.vs[e.target]["name"]): e["weight"] for e in ig.es}
    assert got == {("a", "b"): 4.0, ("b", "c"): 3.0}
    A = g.to_scipy()
    assert A.shape == (3, 3) and A.sum() == 7.0


def test_isolated_user_kept_by_to_igraph():
    # node "z" only appears in a self loop that was dropped: it must not vanish
    ids = np.array(["a", "b", "z"], dtype=object)
    g = SocialGraph.from_arrays([0], [1], ids)
    assert g.to_igraph().vcount() == 3
    assert g.to_networkx().number_of_nodes() == 3


def test_bad_arrays_rejected():
    ids = np.array(["a", "b"], dtype=object)
    with pytest.raises(ValueError):
        SocialGraph.from_arrays([0], [2], ids)
    with pytest.raises(ValueError):
        SocialGraph.from_arrays([0], [1], ids, edge_type=[3], types=("x",))
    with pytest.raises(gk.EmptyGraphError):
        SocialGraph.from_arrays([], [], ids)
    with pytest.raises(ValueError, match="non-negative"):
        SocialGraph.from_arrays([0], [1], ids, type_weights={"interaction": -1})


@pytest.mark.parametrize("seed", range(3))
def test_reciprocity_equals_pure_python_count(seed):
    from graphkit.graph import reciprocity

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    src = rng.integers(0, n, 5 * n)
    dst = rng.integers(0, n, 5 * n)
    g = SocialGraph.from_arrays(src, dst, np.array([f"u{i}" for i in range(n)], dtype=object))
    pairs = set(zip(g.sources().tolist(), g.indices.tolist()))
    both = sum((v, u) in pairs for u, v in pairs)
    assert reciprocity(g) == both / len(pairs)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", ["random", "one_way", "one_mutual_pair"])
def test_has_mutual_pair_equals_pure_python(seed, shape):
    from graphkit.graph import has_mutual_pair

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 3000))
    src = rng.integers(0, n, 4 * n)
    dst = rng.integers(0, n, 4 * n)
    if shape != "random":  # u -> v only for u < v: no pair both ways
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if shape == "one_mutual_pair":  # one reverse edge among thousands: the sample misses it
        src, dst = np.append(src, dst[len(dst) // 3]), np.append(dst, src[len(src) // 3])
    g = SocialGraph.from_arrays(src, dst, np.array([f"u{i}" for i in range(n)], dtype=object))
    pairs = set(zip(g.sources().tolist(), g.indices.tolist()))
    want = any((v, u) in pairs for u, v in pairs)
    assert has_mutual_pair(g, sample=int(rng.integers(1, 64))) == want == (shape != "one_way")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", ["random", "one_way", "one_mutual_pair"])
def test_mutual_pair_kernel_equals_pure_python(seed, shape, monkeypatch):
    """The merge kernel (graphs past the small-graph size) against the set of pairs, through
    has_mutual_pair with the size threshold lowered, and compiled against its Python body."""
    import graphkit.graph._small as small
    from graphkit.graph import has_mutual_pair, reciprocity
    from graphkit.graph._kernels import mutual_pair

    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 2000))
    src, dst = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)
    if shape != "random":
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if shape == "one_mutual_pair":  # the last user's row: the merge must reach it
        u, v = n - 1, int(src[0])
        src, dst = np.append(src, [u, v]), np.append(dst, [v, u])
    g = SocialGraph.from_arrays(src, dst, np.array([f"u{i}" for i in range(n)], dtype=object))
    pairs = set(zip(g.sources().tolist(), g.indices.tolist()))
    want = any((v, u) in pairs for u, v in pairs)
    t = g.transpose
    args = (g.indptr, g.indices, t.indptr, t.indices)
    assert mutual_pair(*args) == mutual_pair.py_func(*args) == int(want)
    monkeypatch.setattr(small, "SMALL_WORK", 0)
    assert has_mutual_pair(g) == want == (reciprocity(g) > 0) == (shape != "one_way")


def test_mutual_pair_kernel_refuses_unsorted_rows():
    """A row out of order cannot be merged: -1 (has_mutual_pair then asks reciprocity)."""
    from graphkit.graph._kernels import mutual_pair

    indptr = np.array([0, 2, 2, 2, 3], dtype=np.int64)  # 0 -> 2, 0 -> 1 (unsorted), 3 -> 0
    indices = np.array([2, 1, 0], dtype=np.int32)
    t_indptr = np.array([0, 1, 2, 3, 3], dtype=np.int64)
    t_indices = np.array([3, 0, 0], dtype=np.int32)
    for f in (mutual_pair, mutual_pair.py_func):
        assert f(indptr, indices, t_indptr, t_indices) == -1
    # sorted, and 1 -> 0 added: the pair 0 <-> 1 is found
    indptr = np.array([0, 2, 3, 3], dtype=np.int64)
    indices = np.array([1, 2, 0], dtype=np.int32)
    t_indptr = np.array([0, 1, 2, 3], dtype=np.int64)
    t_indices = np.array([1, 0, 0], dtype=np.int32)
    for f in (mutual_pair, mutual_pair.py_func):
        assert f(indptr, indices, t_indptr, t_indices) == 1
    # a self-loop is its own reverse (as in reciprocity): found
    one = np.array([0, 1], dtype=np.int64), np.array([0], dtype=np.int32)
    for f in (mutual_pair, mutual_pair.py_func):
        assert f(*one, *one) == 1


def test_reciprocity_and_components_match_networkx():
    import networkx as nx

    from graphkit.graph import graph_summary, reciprocity

    rng = np.random.default_rng(3)
    src = rng.integers(0, 40, 150)
    dst = rng.integers(0, 40, 150)
    keep = src != dst
    ids = np.array([str(i) for i in range(40)], dtype=object)
    g = SocialGraph.from_arrays(src[keep], dst[keep], ids)
    nxg = g.to_networkx()
    assert reciprocity(g) == pytest.approx(nx.reciprocity(nxg))
    s = graph_summary(g)
    assert s["weak_components"]["count"] == nx.number_weakly_connected_components(nxg)
    assert s["density"] == pytest.approx(nx.density(nxg))


def test_find_edges():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("a", "c")])
    a, b, c = g.index(["a", "b", "c"])
    pos = g.find_edges([a, b, c, b, a], [b, c, a, a, c])
    src = g.sources()
    for k, (u, v) in enumerate([(a, b), (b, c), (c, a)]):
        assert src[pos[k]] == u and g.indices[pos[k]] == v
    assert pos[3] == -1  # b -> a is not an edge
    assert g.indices[pos[4]] == c


def test_mutual_pair_found_by_the_sample_builds_no_transpose(monkeypatch):
    """Past the small-graph size, a pair among the sampled edges answers at once: the
    transpose (0.25 s on 10M edges) is left for the measures that need it."""
    import graphkit.graph._small as small
    from graphkit.graph import has_mutual_pair

    monkeypatch.setattr(small, "SMALL_WORK", 0)
    n = 500
    src = np.arange(n).repeat(2)
    dst = np.stack([(np.arange(n) + 1) % n, (np.arange(n) - 1) % n], axis=1).ravel()
    g = SocialGraph.from_arrays(src, dst, np.array([f"u{i}" for i in range(n)], dtype=object))
    assert has_mutual_pair(g, sample=8) is True  # every edge has its reverse (a ring)
    assert "transpose" not in g.__dict__
    one_way = SocialGraph.from_arrays(np.arange(n - 1), np.arange(1, n),
                                      np.array([f"u{i}" for i in range(n)], dtype=object))
    assert has_mutual_pair(one_way, sample=8) is False
    assert "transpose" in one_way.__dict__  # the sample found nothing: the merge ran
