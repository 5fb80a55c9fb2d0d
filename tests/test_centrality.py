"""Tests for graphkit/centrality.py: k-core and betweenness against networkx."""

from __future__ import annotations

import random

import networkx as nx
import numba
import numpy as np
import pytest
from graphs import random_graph
from hypothesis import given
from hypothesis import strategies as st
from test_rank import SETTINGS, aligned, small_chunks, typed_graphs  # noqa: F401 (fixture)

from graphkit.graph import SocialGraph
from graphkit.ranking import _kernels as kern
from graphkit.ranking.centrality import _betweenness_from_sources, betweenness, kcore


# ----------------------------------------------------------------------- k-core
@SETTINGS
@given(data=typed_graphs())
def test_kcore_matches_networkx(data):
    g, _ = data
    G = g.to_networkx()
    assert nx.number_of_selfloops(G) == 0
    got = kcore(g)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, aligned(nx.core_number(G), g))


def test_kcore_reciprocal_pairs_count_twice():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "a")])
    assert kcore(g).tolist() == [2, 2]  # networkx: degree 2 each on a DiGraph
    big = random_graph(400, 4000, seed=5)
    np.testing.assert_array_equal(kcore(big), aligned(nx.core_number(big.to_networkx()), big))


# ------------------------------------------------------------------ betweenness
@SETTINGS
@given(data=typed_graphs(), normalized=st.booleans())
def test_betweenness_exact_matches_networkx(data, normalized):
    g, _ = data
    expected = aligned(nx.betweenness_centrality(g.to_networkx(), normalized=normalized), g)
    np.testing.assert_allclose(betweenness(g, normalized=normalized), expected, rtol=0,
                               atol=1e-9)
    np.testing.assert_allclose(betweenness(g, samples=g.n_nodes + 3, rng=1,
                                           normalized=normalized), expected, atol=1e-9)


class _FixedSample(random.Random):
    """A ``seed=`` for networkx whose ``sample`` returns the sources we chose."""

    def __init__(self, chosen):
        super().__init__(0)
        self.chosen = list(chosen)

    def sample(self, population, k, **kwargs):
        assert k == len(self.chosen)
        return list(self.chosen)


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize("k", [2, 5, 17])
def test_betweenness_sampled_scaling_matches_networkx(normalized, k):
    g = random_graph(30, 90, seed=k)
    sources = np.sort(np.random.default_rng(k).choice(g.n_nodes, k, replace=False))
    got = _betweenness_from_sources(g, sources, normalized)
    ref = nx.betweenness_centrality(g.to_networkx(), k=k, normalized=normalized,
                                    seed=_FixedSample(g.node_ids[sources].tolist()))
    np.testing.assert_allclose(got, aligned(ref, g), atol=1e-12)


def test_betweenness_sampled_deterministic_and_unbiased():
    g = random_graph(25, 80, seed=11)
    a = betweenness(g, samples=6, rng=42)
    b = betweenness(g, samples=6, rng=42)
    np.testing.assert_array_equal(a, b)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(a, betweenness(g, samples=6, rng=42))
    finally:
        numba.set_num_threads(old)
    assert not np.array_equal(a, betweenness(g, samples=6, rng=43))
    exact = betweenness(g)
    draws = np.array([betweenness(g, samples=6, rng=s) for s in range(600)])
    se = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - exact) <= 5 * se + 1e-12)


def test_betweenness_known_answer_and_errors():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "d")])
    assert betweenness(g, normalized=False).tolist() == [0.0, 2.0, 2.0, 0.0]
    for bad in (1, 0, -3, 2.5, True):
        with pytest.raises(ValueError, match="samples"):
            betweenness(g, samples=bad)


def test_kernels_python_versions_agree():
    g = random_graph(40, 160, seed=2)
    t = g.transpose
    np.testing.assert_array_equal(
        kern.core_number.py_func(g.indptr, g.indices, t.indptr, t.indices), kcore(g))
    src = np.arange(g.n_nodes, dtype=np.int64)
    bounds = np.array([0, 13, 40], dtype=np.int64)
    z = np.zeros(g.n_nodes)
    np.testing.assert_allclose(kern.brandes.py_func(g.indptr, g.indices, src, bounds, z.copy()),
                               kern.brandes(g.indptr, g.indices, src, bounds, z.copy()),
                               atol=1e-12)
    # split into calls (as the Ctrl-C batching does): bit-identical to one call
    one = kern.brandes(g.indptr, g.indices, src, bounds, z.copy())
    split = z.copy()
    kern.brandes(g.indptr, g.indices, src, bounds[:2], split)
    kern.brandes(g.indptr, g.indices, src, bounds[1:], split)
    np.testing.assert_array_equal(one, split)


