"""Tests for graphkit/segments/: features, planted-role recovery, naming rule, RR reach."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import graphkit as gk
from graphkit.segments import (
    ROLES,
    features,
    name_segments,
    planted_roles,
    segment_users,
    single_seed_reach,
)

pytest.importorskip("sklearn")


def ari(a, b) -> float:
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b)


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_planted_roles_are_recovered_and_named(seed):
    g, truth = planted_roles(rng=seed)
    seg = segment_users(g, k=5, rng=seed)
    assert ari(truth, seg.table["role"]) >= 0.8
    # the right names: most users of each planted role carry that name
    for role in ROLES:
        named = seg.table["role"].to_numpy()[truth == role]
        assert (named == role).mean() >= 0.8, role
    assert sorted(seg.centroids["role"]) == sorted(ROLES)


def test_planted_roles_with_noisier_sizes():
    g, truth = planted_roles(5, hubs=4, bridges=6, amplifiers=20, audience=40, lurkers=200, rng=5)
    seg = segment_users(g, k=5, rng=5)
    assert ari(truth, seg.table["role"]) >= 0.8


def test_segments_are_deterministic_and_numbered_by_size():
    g, _ = planted_roles(rng=2)
    a = segment_users(g, k=5, rng=9)
    b = segment_users(g, k=5, rng=9)
    assert a.table.equals(b.table) and a.centroids.equals(b.centroids)
    sizes = a.centroids["users"].tolist()
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == g.n_nodes
    assert a.table.columns[:3].tolist() == ["user", "segment", "role"]


def test_automatic_k_uses_silhouette_within_the_range():
    g, _ = planted_roles(rng=4)
    seg = segment_users(g, rng=4, k_range=(3, 6))
    assert set(seg.silhouette) == {3, 4, 5, 6}
    assert seg.k == max(seg.silhouette, key=lambda k: (seg.silhouette[k], -k))
    assert seg.centroids.shape[0] == seg.k


def test_naming_rule_by_hand():
    cols = ["pagerank", "reach", "in_follow", "in_share", "out_follow", "out_share",
            "out_comment", "participation"]
    z = np.array([
        [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5],   # little everywhere
        [0.0, 0.0, 0.0, 0.0, 0.5, 2.5, 0.0, 0.0],          # shares
        [3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0],          # attention
        [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0],          # follows and comments
        [0.5, 0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 3.0],          # spread over communities
        [-0.6, -0.6, -0.6, -0.6, -0.6, -0.6, -0.6, -0.6],  # a second quiet group
    ])
    assert name_segments(z, cols) == ["lurker 2", "amplifier", "hub", "engaged audience",
                                      "bridge", "lurker"]
    assert name_segments(z[[2, 5]], cols) == ["hub", "lurker"]


def test_features_by_hand_against_networkx():
    rows = [("b", "a", "follow"), ("c", "a", "follow"), ("d", "a", "follow"), ("b", "a", "share"),
            ("b", "a", "share"), ("c", "a", "comment"), ("a", "b", "follow"), ("d", "c", "follow")]
    g = gk.SocialGraph.from_pairs(rows)
    f = features(g, rng=1, reach_sets=2000).set_index("user")
    assert f.loc["a", "in_follow"] == 3 and f.loc["a", "in_share"] == 2
    assert f.loc["b", "out_share"] == 2 and f.loc["b", "activity"] == 3
    # a's contacts b, c, d; b both ways -> 1/3; b's only contact a is mutual -> 1
    assert f.loc["a", "reciprocity"] == pytest.approx(1 / 3)
    assert f.loc["b", "reciprocity"] == 1.0 and f.loc["d", "reciprocity"] == 0.0
    # (shares + comments received) / followers: a: 3 / 3
    assert f.loc["a", "engagement_per_follower"] == 1.0
    G = g.to_networkx()
    pr = nx.pagerank(G, tol=1e-14, max_iter=10_000)
    for u in "abcd":
        assert f.loc[u, "pagerank"] == pytest.approx(pr[u] * 4, abs=1e-6)
    core = nx.core_number(G)  # on the directed pattern, as graphkit.kcore documents
    assert all(f.loc[u, "kcore"] == core[u] for u in "abcd")


def brute_reach(graph, user, runs=20000, seed=0):
    """Monte Carlo IC reach of one seed with weighted-cascade probabilities (slow)."""
    return gk.simulate(graph, [user], "ic", runs=runs, rng=seed, prob="wc").mean


def test_single_seed_reach_matches_simulation():
    g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "b"), ("e", "b"), ("e", "c"),
                                   ("f", "e"), ("a", "f")])
    r = single_seed_reach(g, n_sets=200_000, rng=3)
    for u in ("a", "b", "e"):
        pos = int(g.index([u])[0])
        assert r[pos] == pytest.approx(brute_reach(g, u), abs=0.05)


def test_single_seed_reach_is_deterministic_for_a_seed():
    g, _ = planted_roles(rng=1)
    a = single_seed_reach(g, n_sets=5000, rng=8)
    b = single_seed_reach(g, n_sets=5000, rng=8)
    c = single_seed_reach(g, n_sets=5000, rng=9)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.min() >= 0


def test_given_partition_is_used_and_checked():
    g, _ = planted_roles(rng=1)
    part = gk.detect_communities(g, rng=2)
    f = features(g, partition=part, reach_sets=0)
    assert np.array_equal(f["community"].to_numpy(), part.membership)
    assert (f["reach"] == 0).all()
    # a label array gives the same participation as the Partition computes
    f2 = features(g, partition=part.membership.copy(), reach_sets=0)
    np.testing.assert_allclose(f2["participation"], part.participation(), atol=1e-12)
    assert f2.attrs["communities"] == "given"
    other = gk.detect_communities(gk.SocialGraph.from_pairs([("x", "y")]), rng=1)
    with pytest.raises(ValueError, match="another graph"):
        features(g, partition=other)


def test_bad_arguments():
    g, _ = planted_roles(rng=1)
    with pytest.raises(ValueError, match="k must"):
        segment_users(g, k=0, rng=1)
    with pytest.raises(ValueError, match="graph or a feature table"):
        segment_users(None)
    with pytest.raises(ValueError, match="n_sets"):
        single_seed_reach(g, n_sets=0)


def test_reach_is_the_same_on_any_threads_and_batching():
    """The RR counts are integers per thread and per chunk stream: 1, 2 or 3 threads, one
    kernel call or one per 64 chunks (as beside Leiden or not) give the same array."""
    from graphkit.segments.feature_table import _ReachDraw

    g, _ = planted_roles(rng=2)
    want = None
    for threads, one_call in ((1, False), (2, False), (3, True), (1, True)):
        draw = _ReachDraw(g, 70_000, 5)  # 69 chunks: two calls when batched
        draw(threads=threads, one_call=one_call)
        if want is None:
            want = draw.reach
        assert np.array_equal(draw.reach, want)
    assert np.array_equal(single_seed_reach(g, n_sets=70_000, rng=5), want)


def test_reach_beside_leiden_equals_reach_after_it():
    """features() draws the reach on a thread beside Leiden; with the partition given
    (no Leiden) it is drawn after: same seeds, same table."""
    g, _ = planted_roles(rng=4)
    f = features(g, rng=6, reach_sets=20_000)
    seed_leiden = int(np.random.default_rng(6).integers(0, 2**31 - 1, size=2)[0])
    part = gk.detect_communities(g, "leiden", rng=seed_leiden, n_iterations=2)
    f2 = features(g, partition=part, rng=6, reach_sets=20_000)
    assert f.equals(f2)


def test_k_fits_on_threads_equal_the_fits_one_by_one():
    from graphkit.segments import roles

    g, _ = planted_roles(rng=5)
    x, _ = roles.clustering_matrix(features(g, rng=1, reach_sets=2000))
    ks = [2, 3, 4, 5]
    one_by_one = [roles._silhouette(x, roles._kmeans(x, kk, 9)[1], 9) for kk in ks]
    assert roles._fits_on_threads(x, ks, 9) == one_by_one
