"""Tests for graphkit.ranking, against networkx (the reference) and known answers."""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np
import pandas as pd
import pytest
from graphs import (
    TYPED_ROWS,
    ZERO_SHARE,
    directed_cycle,
    fan_in,
    random_graph,
    typed_example,
    weighted_cycle,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from networkx.algorithms.link_analysis.hits_alg import _hits_python as nx_hits_python

from graphkit.errors import ConvergenceError, UnknownUserError
from graphkit.graph import SocialGraph
from graphkit.ranking import MEASURES, hits, indegree, kcore, pagerank, rank
from graphkit.ranking import _iteration as kern
from graphkit.ranking.link_analysis import _pagerank_python

TYPES = ("follow", "share", "comment")
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def small_chunks():
    """Tiny chunks, so every small test graph runs the multi-chunk reduction paths."""
    old = kern.CHUNK_WORK
    kern.CHUNK_WORK = 4
    yield
    kern.CHUNK_WORK = old


# ------------------------------------------------------------------ strategies
@st.composite
def typed_graphs(draw, max_nodes=9, zero_weights=True):
    """(graph, rows): random typed multigraphs with isolated and dangling users.

    ``rows`` are the raw ``(src, dst, type, row_weight)`` interactions. Type weights
    may be 0, which makes zero-weight edges and all-zero rows.
    """
    n = draw(st.integers(2, max_nodes))
    rows = draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(1, n - 1), st.integers(0, 2),
                  st.sampled_from([0.5, 1.0, 2.0, 3.0])),
        min_size=1, max_size=3 * n))
    rows = [(s, (s + off) % n, t, w) for s, off, t, w in rows]
    values = [0.0, 0.5, 1.0, 2.0] if zero_weights else [0.5, 1.0, 2.0]
    tw = draw(st.lists(st.sampled_from(values), min_size=3, max_size=3))
    ids = [f"u{p}" for p in draw(st.permutations(range(n)))]
    src, dst, typ, rw = (np.array(c) for c in zip(*rows))
    g = SocialGraph.from_arrays(src, dst, ids, edge_type=typ, types=TYPES, row_weight=rw,
                                type_weights=tw)
    return g, rows


@st.composite
def personalizations(draw, ids):
    if draw(st.booleans()):
        return None
    chosen = draw(st.lists(st.sampled_from(list(ids)), min_size=1, unique=True))
    vals = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=len(chosen),
                         max_size=len(chosen)))
    vals[0] = 1.0  # at least one positive value
    return dict(zip(chosen, vals))


def aligned(d: dict, graph: SocialGraph) -> np.ndarray:
    return np.array([d[u] for u in graph.node_ids.tolist()], dtype=np.float64)


# --------------------------------------------------------------------- pagerank
@SETTINGS
@given(data=st.data(), damping=st.sampled_from([0.5, 0.85, 0.95]), weighted=st.booleans())
def test_pagerank_matches_networkx(data, damping, weighted):
    g, _ = data.draw(typed_graphs())
    pers = data.draw(personalizations(g.node_ids))
    G = g.to_networkx()
    expected = aligned(nx.pagerank(G, alpha=damping, personalization=pers, tol=1e-12,
                                   max_iter=10000, weight="weight" if weighted else None), g)
    got = pagerank(g, damping=damping, personalization=pers, weighted=weighted,
                   tol=1e-12, max_iter=10000)
    assert got.dtype == np.float64 and got.shape == (g.n_nodes,)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)
    assert got.sum() == pytest.approx(1.0, abs=1e-9)
    ref = _pagerank_python(g, damping=damping, personalization=pers, weighted=weighted,
                           tol=1e-12, max_iter=10000)
    np.testing.assert_allclose(ref, expected, rtol=0, atol=1e-8)


@pytest.mark.parametrize("engine", [pagerank, _pagerank_python])
@pytest.mark.parametrize("make", [directed_cycle, weighted_cycle])
def test_pagerank_cycle_is_uniform(engine, make):
    g = make(7)
    np.testing.assert_allclose(engine(g), np.full(7, 1 / 7), rtol=0, atol=1e-15)


@pytest.mark.parametrize("engine", [pagerank, _pagerank_python])
def test_zero_weight_rows_are_dangling(engine):
    """Edges of weight 0 carry nothing: same answer as the graph without them."""
    g = SocialGraph.from_pairs([(s, t, ty) for s, t, ty in
                                [("a", "b", "follow"), ("b", "c", "share"), ("c", "a", "follow"),
                                 ("d", "a", "share"), ("d", "c", "share"), ("a", "d", "follow")]],
                               type_weights={"share": 0.0})
    kept = SocialGraph.from_arrays([0, 2, 0], [1, 0, 3], g.node_ids)  # a->b, c->a, a->d
    assert g.node_ids.tolist() == ["a", "b", "c", "d"]
    got = engine(g, tol=1e-13, max_iter=1000)
    np.testing.assert_allclose(got, engine(kept, tol=1e-13, max_iter=1000), atol=1e-12)
    expected = aligned(nx.pagerank(g.to_networkx(), tol=1e-14, max_iter=1000), g)
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_pagerank_typed_example_zero_share_weights():
    g = SocialGraph.from_pairs(TYPED_ROWS, type_weights=ZERO_SHARE)
    keep = g.weight > 0
    assert not keep.all()  # dave's row is all-zero: dave is dangling
    kept = SocialGraph.from_arrays(g.sources()[keep], g.indices[keep], g.node_ids,
                                   row_weight=g.weight[keep])
    got = pagerank(g, tol=1e-13, max_iter=1000)
    np.testing.assert_allclose(got, pagerank(kept, tol=1e-13, max_iter=1000), atol=1e-12)
    expected = aligned(nx.pagerank(g.to_networkx(), tol=1e-14, max_iter=1000), g)
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_personalization_forms_agree():
    g = typed_example()
    ids = ["alice", "erin"]
    by_map = pagerank(g, personalization={"alice": 2.0, "erin": 2.0})
    by_list = pagerank(g, personalization=ids)
    by_array = pagerank(g, personalization=np.array(ids, dtype=object))
    vec = np.zeros(g.n_nodes)
    vec[g.index(ids)] = 7.0
    by_vec = pagerank(g, personalization=vec)
    by_series = pagerank(g, personalization=pd.Series([1.0, 1.0], index=["erin", "alice"]))
    for other in (by_list, by_array, by_vec, by_series):
        np.testing.assert_array_equal(by_map, other)
    G = g.to_networkx()
    expected = aligned(nx.pagerank(G, personalization={"alice": 1, "erin": 1}, tol=1e-12,
                                   max_iter=1000), g)
    np.testing.assert_allclose(pagerank(g, personalization=ids, tol=1e-12, max_iter=1000),
                               expected, atol=1e-9)


def test_personalization_errors():
    g = typed_example()
    with pytest.raises(UnknownUserError, match="nobody"):
        pagerank(g, personalization={"alice": 1.0, "nobody": 1.0})
    with pytest.raises(UnknownUserError):
        pagerank(g, personalization=["nobody"])
    with pytest.raises(ValueError, match="positive"):
        pagerank(g, personalization={"alice": 0.0})
    with pytest.raises(ValueError, match="positive"):
        pagerank(g, personalization=np.zeros(g.n_nodes))
    with pytest.raises(ValueError, match="non-negative"):
        pagerank(g, personalization={"alice": 1.0, "bob": -0.5})
    with pytest.raises(ValueError, match="one value per node"):
        pagerank(g, personalization=[1.0, 2.0])
    with pytest.raises(ValueError, match="damping"):
        pagerank(g, damping=1.5)


@pytest.mark.parametrize("engine", [pagerank, _pagerank_python])
def test_pagerank_convergence_error(engine):
    g = typed_example()
    with pytest.raises(ConvergenceError, match="pagerank did not converge in 2 iterations"):
        engine(g, max_iter=2, tol=1e-12)
    with pytest.raises(ConvergenceError):
        engine(g, max_iter=0)


def test_pagerank_independent_of_threads_and_chunks():
    g = random_graph(300, 3000, seed=3)
    base = pagerank(g, tol=1e-10)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = pagerank(g, tol=1e-10)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(base, one)
    expected = aligned(nx.pagerank(g.to_networkx(), tol=1e-13, max_iter=1000), g)
    np.testing.assert_allclose(base, expected, atol=1e-10)


@given(n=st.integers(1, 50), degrees=st.lists(st.integers(0, 30), min_size=1, max_size=50),
       work=st.integers(1, 64))
@settings(max_examples=60, deadline=None)
def test_chunk_bounds_cover_rows(n, degrees, work):
    indptr = np.concatenate(([0], np.cumsum(degrees))).astype(np.int64)
    b = kern.chunk_bounds(indptr, work)
    n = len(degrees)
    assert b[0] == 0 and b[-1] == n and np.all(np.diff(b) > 0)


# -------------------------------------------------------------------- in-degree
@SETTINGS
@given(data=typed_graphs())
def test_indegree_matches_counts(data):
    g, rows = data
    G = g.to_networkx()
    np.testing.assert_array_equal(indegree(g), aligned(dict(G.in_degree()), g))
    np.testing.assert_allclose(indegree(g, weighted=True),
                               aligned(dict(G.in_degree(weight="weight")), g))
    ids = g.node_ids
    for k, t in enumerate(TYPES):
        expected = {u: 0 for u in ids.tolist()}
        for _s, d, ty, _w in rows:
            if ty == k:
                expected[ids[d]] += 1
        got = indegree(g, edge_type=t)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, aligned(expected, g))


def test_indegree_errors():
    g = typed_example()
    with pytest.raises(ValueError, match="not both"):
        indegree(g, edge_type="follow", weighted=True)
    with pytest.raises(ValueError, match="unknown interaction type"):
        indegree(g, edge_type="retweet")


# ------------------------------------------------------------------------- HITS
def _singular_gap(g: SocialGraph, weighted: bool) -> float:
    s = np.linalg.svd(g.to_scipy(weighted).toarray(), compute_uv=False)
    return s[1] / s[0] if s[0] > 0 else 1.0


@SETTINGS
@given(data=typed_graphs(), weighted=st.booleans())
def test_hits_matches_networkx(data, weighted):
    g, _ = data
    assume((g.weight > 0).any())
    assume(_singular_gap(g, weighted) < 0.97)  # unique leading pair, converges quickly
    G = g.to_networkx(weighted=weighted)
    hubs, auth = hits(g, tol=1e-13, max_iter=5000, weighted=weighted)
    h_ref, a_ref = nx_hits_python(G, tol=1e-13, max_iter=5000)
    np.testing.assert_allclose(hubs, aligned(h_ref, g), atol=1e-12)
    np.testing.assert_allclose(auth, aligned(a_ref, g), atol=1e-12)
    assume(_singular_gap(g, weighted) < 0.9)  # ARPACK's answer is then well-determined
    h_nx, a_nx = nx.hits(G, tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(hubs, aligned(h_nx, g), atol=1e-6)
    np.testing.assert_allclose(auth, aligned(a_nx, g), atol=1e-6)
    assert hubs.sum() == pytest.approx(1) and auth.sum() == pytest.approx(1)


def test_hits_known_answer_and_errors():
    g = fan_in(4)
    hubs, auth = hits(g)
    hub = g.index(["hub"])[0]
    assert auth[hub] == pytest.approx(1.0)
    np.testing.assert_allclose(np.delete(hubs, hub), 0.25)
    with pytest.raises(ConvergenceError):
        hits(g, max_iter=0)
    with pytest.raises(ConvergenceError):
        hits(random_graph(40, 200, seed=1), max_iter=2)
    zero = SocialGraph.from_pairs([("a", "b", "share")], type_weights={"share": 0})
    with pytest.raises(ValueError, match="positive weight"):
        hits(zero)


# ------------------------------------------------------------------------- rank
def test_rank_columns_and_counts():
    g = typed_example()  # types: comment, follow, like, share
    df = rank(g, method="indegree")
    assert list(df.columns) == ["rank", "user", "score", "followers", "shares_received",
                                "comments_received", "received_like"]
    assert df["rank"].tolist() == list(range(1, g.n_nodes + 1))
    row = df.set_index("user").loc["alice"]
    assert (row.followers, row.shares_received, row.comments_received, row.received_like) \
        == (2, 2, 0, 0)
    assert df.set_index("user").loc["bob", "comments_received"] == 2
    assert df.set_index("user").loc["carol", "received_like"] == 1
    plain = rank(directed_cycle(4))
    assert list(plain.columns) == ["rank", "user", "score", "followers", "shares_received",
                                   "comments_received", "received_interaction"]
    assert (plain[["followers", "shares_received", "comments_received"]] == 0).all().all()


def test_rank_ties_break_by_id():
    g = fan_in(5)  # leaves leaf5..leaf1 at positions 0..4, hub at 1
    for by in MEASURES:
        df = rank(g, method=by)
        leaves = df[df.user != "hub"]
        if leaves.score.nunique() == 1:
            assert leaves.user.tolist() == sorted(leaves.user)
    df = rank(directed_cycle(12))  # all tied: pure id order (c10 < c2 as strings)
    assert df.user.tolist() == sorted(f"c{i}" for i in range(12))


@SETTINGS
@given(data=typed_graphs(), by=st.sampled_from(["pagerank", "indegree", "kcore", "betweenness"]),
       top=st.integers(0, 12))
def test_top_equals_head_of_full_ranking(data, by, top):
    g, _ = data
    full = rank(g, method=by)
    scores = full.score.to_numpy()
    assert np.all(np.diff(scores) <= 0)
    same = scores[:-1] == scores[1:]
    assert all(a < b for a, b, s in zip(full.user[:-1], full.user[1:], same) if s)
    head = rank(g, method=by, top=top)
    expected = full.head(top).reset_index(drop=True)
    assert head.user.tolist() == expected.user.tolist()
    np.testing.assert_array_equal(head.score.to_numpy(), expected.score.to_numpy())
    assert head["rank"].tolist() == list(range(1, min(top, g.n_nodes) + 1))


def test_rank_top_with_many_ties_at_the_cut():
    g = random_graph(2000, 3000, seed=9)
    full = rank(g, method="kcore")
    for top in (1, 7, 100, 1500):
        assert rank(g, method="kcore", top=top).user.tolist() == full.user[:top].tolist()


def test_rank_hits_has_hub_column():
    g = typed_example()
    df = rank(g, method="hits")
    assert list(df.columns[:4]) == ["rank", "user", "score", "hub"]
    hubs, auth = hits(g)
    pos = g.index(df.user)
    np.testing.assert_array_equal(df.score.to_numpy(), auth[pos])
    np.testing.assert_array_equal(df.hub.to_numpy(), hubs[pos])


def test_rank_scores_match_measures_and_attrs():
    g = typed_example()
    df = rank(g, personalization=["erin"], damping=0.7)
    np.testing.assert_array_equal(df.score.to_numpy(),
                                  pagerank(g, personalization=["erin"], damping=0.7)[
                                      g.index(df.user)])
    assert df.attrs["measure"] == "pagerank" and df.attrs["damping"] == 0.7
    assert df.attrs["personalized"] is True and df.attrs["iterations"] >= 1
    bt = rank(g, method="betweenness", samples=3, rng=0)
    assert bt.attrs["samples"] == 3 and bt.attrs["exact"] is False
    assert rank(g, method="betweenness").attrs["exact"] is True
    strength = rank(g, method="indegree", weighted=True)
    np.testing.assert_allclose(strength.score.to_numpy(), g.in_strength()[g.index(strength.user)])
    kc = rank(g, method="kcore")
    np.testing.assert_array_equal(kc.score.to_numpy(), kcore(g)[g.index(kc.user)])


def test_rank_errors():
    g = typed_example()
    with pytest.raises(ValueError, match="pagerank, indegree, hits, kcore, betweenness"):
        rank(g, method="eigenvector")
    with pytest.raises(ValueError, match="personalization applies only"):
        rank(g, method="hits", personalization=["alice"])
    with pytest.raises(ValueError, match="samples applies only"):
        rank(g, method="pagerank", samples=3)
    with pytest.raises(ValueError, match="top"):
        rank(g, top=-1)
    with pytest.raises(ConvergenceError):
        rank(g, max_iter=1, tol=1e-12)


def test_package_level_rank_is_callable():
    import graphkit as gk

    gk.pagerank  # noqa: B018  (imports graphkit.ranking)
    assert gk.rank(directed_cycle(3), top=1).user.tolist() == ["c0"]
    assert callable(gk.rank) and not hasattr(gk.rank, "__path__")
    import graphkit.ranking as m

    assert m.pagerank is gk.pagerank and m.rank is gk.rank  # one function, no module swap


def test_default_tolerance_is_absolute_not_scaled_by_n():
    """graphkit's tol is networkx's tol * n: the default stays accurate on big graphs."""
    import networkx as nx

    rng = np.random.default_rng(11)
    n = 20_000
    src = rng.integers(0, n, 100_000)
    dst = (rng.zipf(2.0, 100_000) - 1) % n
    keep = src != dst
    ids = np.array([str(i) for i in range(n)], dtype=object)
    g = SocialGraph.from_arrays(src[keep], dst[keep], ids)
    exact = pagerank(g, tol=1e-14)
    default = pagerank(g)
    assert np.abs(default - exact).sum() < 1e-5  # L1 error of the default
    G = g.to_networkx()
    nx_default = aligned(nx.pagerank(G), g)  # stops when L1 change < n * 1e-6 = 0.02
    assert np.abs(nx_default - exact).sum() > 1e-4  # the trap we avoid
    nx_scaled = aligned(nx.pagerank(G, tol=1e-6 / n), g)
    np.testing.assert_allclose(default, nx_scaled, atol=1e-9)


def test_serial_and_parallel_pagerank_are_identical(monkeypatch):
    from graphkit.ranking import _iteration

    g = random_graph(300, 2000, seed=4)
    monkeypatch.setattr(_iteration, "PARALLEL_WORK", 0)
    par = pagerank(g, tol=1e-12)
    monkeypatch.setattr(_iteration, "PARALLEL_WORK", 10**12)
    ser = pagerank(g, tol=1e-12)
    assert np.array_equal(par, ser)  # bit for bit: chunk sums are added in chunk order


def test_by_keyword_is_a_deprecated_spelling_of_method():
    g = directed_cycle(3)
    with pytest.warns(DeprecationWarning, match=r"rank\(method=\.\.\.\)"):
        old = rank(g, by="indegree")
    assert old.equals(rank(g, method="indegree"))
