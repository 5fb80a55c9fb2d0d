"""Tests for graphkit/recommend/: scorers against networkx, the held-out split and metrics."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import graphkit as gk
from graphkit.io import EdgeTable, LoadReport
from graphkit.recommend import (
    METHODS,
    contact_graph,
    evaluate_recommendations,
    holdout_split,
    ranking_metrics,
    recommend,
    score_pairs,
)

NX_INDEX = {
    "adamic-adar": nx.adamic_adar_index,
    "jaccard": nx.jaccard_coefficient,
    "resource-allocation": nx.resource_allocation_index,
    "preferential-attachment": nx.preferential_attachment,
}
TWO_HOP = ("adamic-adar", "common-neighbors", "jaccard", "resource-allocation",
           "preferential-attachment")


def random_graph(n=40, m=160, seed=0, types=("comment", "follow", "share")):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(m):
        a, b = rng.integers(0, n, size=2)
        if a != b:
            rows.append((f"u{a:02d}", f"u{b:02d}", types[int(rng.integers(0, len(types)))]))
    return gk.SocialGraph.from_pairs(rows)


def undirected(graph, weighted=False):
    g = nx.Graph()
    g.add_nodes_from(graph.node_ids.tolist())
    for (a, b), w in zip(zip(graph.node_ids[graph.sources()], graph.node_ids[graph.indices]),
                         graph.weight):
        if weighted:
            g.add_edge(a, b, weight=g.get_edge_data(a, b, {"weight": 0.0})["weight"] + w)
        else:
            g.add_edge(a, b)
    return g


def nx_score(G, method, pairs):
    if method == "common-neighbors":
        return [float(len(list(nx.common_neighbors(G, u, v)))) for u, v in pairs]
    return [s for _, _, s in NX_INDEX[method](G, pairs)]


# --------------------------------------------------------------------------- contact graph
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contact_graph_equals_a_pair_dictionary(seed):
    """The symmetric CSR (sorted rows, both weights added, a 0-weight pair kept, users with
    no contact) equals a dictionary of pairs built in plain Python."""
    rng = np.random.default_rng(seed)
    rows = [(f"u{a:02d}", f"u{b:02d}", ("comment", "follow", "like")[int(t)])
            for a, b, t in zip(rng.integers(0, 30, 150), rng.integers(0, 30, 150),
                               rng.integers(0, 3, 150))]
    rows.append(("lone", "u00", "like"))  # a pair whose only interaction weighs 0
    graph = gk.SocialGraph.from_pairs(rows, type_weights=[1.5, 0.25, 0.0])
    n = graph.n_nodes
    pairs: dict = {}
    for a, b, w in zip(graph.sources().tolist(), graph.indices.tolist(),
                       graph.weight.tolist()):
        pairs.setdefault((a, b), []).append(w)
        pairs.setdefault((b, a), []).append(w)
    cg = contact_graph(graph)
    for u in range(n):
        want = sorted(v for a, v in pairs if a == u)
        assert cg.contacts(u).tolist() == want
        got_w = cg.weight[cg.indptr[u]:cg.indptr[u + 1]].tolist()
        assert got_w == [sum(pairs[(u, v)]) for v in want]
        assert cg.degree[u] == len(want)
        assert cg.strength[u] == pytest.approx(sum(got_w))
    lone = graph.index(["lone"])[0]
    assert cg.degree[lone] == 1 and cg.strength[lone] == 0.0
    assert cg.indices.dtype == np.int32 and cg.indptr.dtype == np.int64


# --------------------------------------------------------------------------- scorers
@pytest.mark.parametrize("method", TWO_HOP)
def test_score_pairs_equal_networkx_link_prediction(method):
    graph = random_graph(seed=1)
    G = undirected(graph)
    pairs = [(u, v) for u in sorted(G) for v in sorted(G) if u < v and not G.has_edge(u, v)]
    ours = score_pairs(graph, pairs, method)
    np.testing.assert_allclose(ours, nx_score(G, method, pairs), rtol=1e-12, atol=0)


def brute_top(G, user, method, k):
    """Top k candidates by networkx, over friends-of-friends not yet contacts; ties by id."""
    two = {v for w in G[user] for v in G[w]} - set(G[user]) - {user}
    scores = dict(zip(sorted(two), nx_score(G, method, [(user, v) for v in sorted(two)])))
    ranked = sorted((v for v in scores if scores[v] > 0), key=lambda v: (-scores[v], v))
    return [(v, scores[v]) for v in ranked[:k]]


@pytest.mark.parametrize("method", TWO_HOP)
def test_top_candidates_equal_brute_force_over_networkx(method):
    graph = random_graph(n=30, m=90, seed=2)
    G = undirected(graph)
    rec = recommend(graph, top=4, method=method).table
    for user in sorted(G):
        got = rec[rec["user"] == user]
        want = brute_top(G, user, method, 4)
        assert got["candidate"].tolist() == [v for v, _ in want], (method, user)
        np.testing.assert_allclose(got["score"].to_numpy(), [s for _, s in want], rtol=1e-12)
        assert got["rank"].tolist() == list(range(1, len(want) + 1))


def test_ppr_scores_equal_networkx_personalized_pagerank():
    graph = random_graph(n=25, m=70, seed=3)
    G = undirected(graph, weighted=True)
    for user in ("u00", "u07", "u13"):
        if user not in G or G.degree(user) == 0:
            continue
        want = nx.pagerank(G, alpha=0.85, personalization={user: 1.0}, tol=1e-15,
                           max_iter=10_000, weight="weight")
        rec = recommend(graph, [user], top=graph.n_nodes, method="ppr", tol=1e-13).table
        assert len(rec) > 0
        for v, s in zip(rec["candidate"], rec["score"]):
            assert s == pytest.approx(want[v], abs=1e-9)
        # every reachable non-contact is a candidate, best first (ties by id)
        expect = sorted((v for v in G if v != user and not G.has_edge(user, v) and want[v] > 1e-12),
                        key=lambda v: (-round(want[v], 9), v))
        assert sorted(rec["candidate"]) == sorted(expect)


def test_ppr_push_tolerance_bound_holds():
    graph = random_graph(n=60, m=240, seed=4)
    G = undirected(graph, weighted=True)
    cg = contact_graph(graph)
    tol = 1e-3
    want = nx.pagerank(G, personalization={"u05": 1.0}, tol=1e-15, max_iter=10_000)
    rec = recommend(graph, ["u05"], top=graph.n_nodes, method="ppr", tol=tol).table
    strength = dict(zip(graph.node_ids.tolist(), cg.strength.tolist()))
    for v, s in zip(rec["candidate"], rec["score"]):
        assert want[v] - tol * strength[v] - 1e-12 <= s <= want[v] + 1e-12


def test_combined_is_normalised_ppr_plus_normalised_adamic_adar():
    graph = random_graph(n=30, m=120, seed=5)
    G = undirected(graph)
    user = "u03"
    ppr = recommend(graph, [user], top=graph.n_nodes, method="ppr", tol=1e-12).table
    p = dict(zip(ppr["candidate"], ppr["score"]))
    aa = dict(brute_top(G, user, "adamic-adar", graph.n_nodes))
    comb = recommend(graph, [user], top=graph.n_nodes, method="combined", tol=1e-12).table
    top_p, top_a = max(p.values()), max(aa.values())
    for v, s in zip(comb["candidate"], comb["score"]):
        assert s == pytest.approx(p[v] / top_p + aa.get(v, 0.0) / top_a, rel=1e-9)


def test_recommendations_never_name_the_user_or_a_contact():
    graph = random_graph(n=50, m=200, seed=6)
    G = undirected(graph)
    for method in METHODS:
        rec = recommend(graph, top=5, method=method, explain=False).table
        assert not (rec["user"] == rec["candidate"]).any()
        assert not any(G.has_edge(u, v) for u, v in zip(rec["user"], rec["candidate"]))
        assert not rec.duplicated(["user", "candidate"]).any()


def test_explanations_name_shared_contacts_or_the_path():
    # ann - bob - cat, ann - eve - cat: cat shares bob and eve with ann; dan is 3 hops away
    g = gk.SocialGraph.from_pairs([("ann", "bob"), ("bob", "cat"), ("ann", "eve"), ("eve", "cat"),
                                   ("cat", "dan"), ("zed", "bob"), ("zed", "eve"), ("zed", "fay")])
    rec = recommend(g, ["ann"], top=5, method="ppr", tol=1e-9).table.set_index("candidate")
    assert rec.loc["cat", "why"] == "2 shared contacts: bob, eve"
    assert rec.loc["zed", "shared_contacts"] == 2
    assert rec.loc["dan", "why"] in ("path: ann > bob > cat > dan", "path: ann > eve > cat > dan")
    assert rec.loc["dan", "shared_contacts"] == 0


@pytest.mark.parametrize("hubs", [False, True])
def test_shared_contacts_equal_set_intersection(monkeypatch, hubs):
    """Shared contacts of many (user, candidate) pairs, with and without the hubs' contact
    bitsets: the count, the Adamic-Adar and resource-allocation sums (the same floats, met
    in the order of the shorter list) and the three named (fewest contacts, then id) equal a
    plain-Python set intersection."""
    import math

    from graphkit.recommend import scorers

    rng = np.random.default_rng(5)
    n = 300
    rows = [(f"u{a:03d}", f"u{b:03d}") for a, b in zip(rng.integers(0, n, 600),
                                                       rng.integers(0, n, 600))]
    rows += [(f"h{h}", f"u{v:03d}") for h in range(3) for v in rng.choice(n, 200, replace=False)]
    graph = gk.SocialGraph.from_pairs(rows)
    cg = contact_graph(graph)
    monkeypatch.setattr(scorers, "MANY_PAIRS", 1 if hubs else 10**9)
    monkeypatch.setattr(scorers, "HUB_BITS", 100)
    us = rng.integers(0, graph.n_nodes, 3000)
    vs = np.where(rng.random(3000) < 0.5, rng.integers(0, graph.n_nodes, 3000),
                  graph.index([f"h{h}" for h in rng.integers(0, 3, 3000)]))
    count, aa, ra, show = scorers._shared(cg, us, vs, 3)
    lo, hi = np.sort(np.stack([cg.degree[us], cg.degree[vs]]), axis=0)
    assert (hi > 16 * lo).sum() > 500  # pairs of a user and a hub (bitset or binary search)
    nbrs = [set(cg.contacts(x).tolist()) for x in range(graph.n_nodes)]
    for i, (u, v) in enumerate(zip(us.tolist(), vs.tolist())):
        a, b = (u, v) if cg.degree[u] <= cg.degree[v] else (v, u)
        common = [w for w in sorted(nbrs[a]) if w in nbrs[b]]
        assert count[i] == len(common)
        want_aa = want_ra = 0.0
        for w in common:
            d = int(cg.degree[w])
            want_aa += 1.0 / math.log(d) if d > 1 else 0.0
            want_ra += 1.0 / d
        assert aa[i] == want_aa and ra[i] == want_ra
        named = sorted(common, key=lambda w: (cg.degree[w], cg.id_rank[w]))[:3]
        assert show[i].tolist() == named + [-1] * (3 - len(named))


def test_shared_contacts_shown_are_the_most_specific():
    # a and z share w1 (3 contacts), w2 (2 contacts), w3, w4 (hubs)
    rows = [("a", "w1"), ("a", "w2"), ("a", "w3"), ("a", "w4"), ("z", "w1"), ("z", "w2"),
            ("z", "w3"), ("z", "w4"), ("x", "w1")] + [(f"h{i}", "w3") for i in range(3)] + [
           (f"h{i}", "w4") for i in range(5)]
    g = gk.SocialGraph.from_pairs(rows)
    rec = recommend(g, ["a"], top=1, method="common-neighbors").table
    assert rec["candidate"].tolist() == ["z"]
    assert rec["why"].tolist() == ["4 shared contacts: w2, w1, w3 and 1 more"]


def test_unknown_user_is_listed_and_bad_arguments_raise():
    g = random_graph(seed=7)
    with pytest.raises(gk.UnknownUserError, match="'nobody'"):
        recommend(g, ["u01", "nobody"])
    with pytest.raises(ValueError, match="unknown method"):
        recommend(g, method="magic")
    with pytest.raises(ValueError, match="top"):
        recommend(g, top=0)


def test_isolated_and_all_known_users_get_no_rows():
    g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a")])
    r = recommend(g)
    assert len(r.table) == 0 and r.without == 3 and r.users == 3


# --------------------------------------------------------------------------- held-out test
def table(rows, times=None, n_types=1):
    """An EdgeTable from (source, target) position pairs over users u0..u9."""
    ids = np.array([f"u{i}" for i in range(10)], dtype=object)
    src = np.array([r[0] for r in rows], dtype=np.int32)
    dst = np.array([r[1] for r in rows], dtype=np.int32)
    ts = None if times is None else np.array(times, dtype="datetime64[ns]")
    return EdgeTable(ids, src, dst, ("share",), np.zeros(len(rows), np.int16), None, ts, {},
                     LoadReport((), ()))


def test_time_split_by_hand():
    rows = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 2), (4, 0), (0, 1), (5, 6), (9, 8), (1, 0)]
    times = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05",
             "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09", "NaT"]
    h = holdout_split(table(rows, times), test_fraction=0.4)
    # 9 timed rows: floor(0.6 * 9) = 5 -> the cut is the 6th time, 2024-01-06
    assert h.kind == "time" and h.details["cut"] == "2024-01-06T00:00:00Z"
    assert h.details["train_rows"] == 6 and h.details["test_rows"] == 4  # untimed row trains
    # test rows: 4->0 new (both known), 0->1 known pair, 5->6 and 9->8 unknown users
    assert list(zip(h.actor.tolist(), h.target.tolist())) == [(4, 0)]
    assert h.details["new_pairs"] == 1 and h.details["users"] == 1


def test_random_split_is_seeded_and_holds_out_whole_pairs():
    rng = np.random.default_rng(0)
    rows = [tuple(int(x) for x in rng.choice(10, 2, replace=False)) for _ in range(60)]
    e = table(rows)
    a = holdout_split(e, rng=3)
    b = holdout_split(e, rng=3)
    assert a.kind == "random"
    assert a.actor.tolist() == b.actor.tolist() and a.target.tolist() == b.target.tolist()
    cg = contact_graph(a.train)
    pairs = {frozenset(r) for r in rows}
    train_pairs = {frozenset((int(u), int(v))) for u in range(10) for v in cg.contacts(u)}
    held = pairs - train_pairs
    assert len(held) == round(0.2 * len(pairs))
    want = sorted({(s, t) for s, t in rows if frozenset((s, t)) in held
                   and cg.degree[s] > 0 and cg.degree[t] > 0})
    assert list(zip(a.actor.tolist(), a.target.tolist())) == want


def test_ranking_metrics_by_hand():
    m = ranking_metrics([[3, 1, 2], [7, 8, 9], [4, -1, -1]], [{1, 2, 5}, {9}, {6}], k=3)
    # user 0: hits at ranks 2 and 3; user 1: hit at rank 3; user 2: none
    assert m["hits"] == 3 and m["users"] == 3
    assert m["precision"] == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert m["recall"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert m["mrr"] == pytest.approx((1 / 2 + 1 / 3 + 0) / 3)
    m2 = ranking_metrics([[3, 1, 2]], [{2}], k=2)
    assert m2["hits"] == 0 and m2["mrr"] == 0.0


def test_evaluation_by_hand_on_a_tiny_log():
    # training: a star 0-1, 0-2, 1-3, 2-3 (a square) plus 3-4; later 0 starts with 3
    rows = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (0, 3), (4, 1)]
    times = ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03",
             "2024-01-05", "2024-01-06"]
    ev = evaluate_recommendations(table(rows, times), methods=["common-neighbors", "jaccard"],
                                  k=1, test_fraction=0.25)
    h = ev.holdout
    assert list(zip(h.actor.tolist(), h.target.tolist())) == [(0, 3), (4, 1)]
    t = ev.table.set_index("method")
    # CN: user 0's best is 3 (2 shared) -> hit; user 4's best is 1 or 2 (1 shared each, u1 < u2)
    assert t.loc["common-neighbors", "hits"] == 2
    assert t.loc["common-neighbors", "recall_at_k"] == 1.0
    assert t.loc["common-neighbors", "mrr"] == 1.0
    # Jaccard: user 4 -> 1 and 2 both 1/|{3} u {0, 3}| = 1/2 (tie: u1); user 0 -> 3 is 2/3
    assert t.loc["jaccard", "precision_at_k"] == 1.0
    assert ev.best in ("common-neighbors", "jaccard")



def test_why_column_equals_the_row_by_row_text():
    """The kernel-written text (ids with commas, emoji, an empty id, cut paths, counts of
    several digits) equals the row-by-row rule on 1, 2 and 3 threads; ids Arrow cannot hold
    (a lone surrogate) take the row-wise path."""
    from graphkit.recommend import _text

    rng = np.random.default_rng(11)
    ids = np.array(["ann", "", "b,ob", "🙂", "=x", "dan", "e e", "'-f"], dtype=object)
    m = 400
    u = rng.integers(0, len(ids), m)
    c = rng.integers(0, len(ids), m)
    count = rng.integers(0, 6, m)
    count[rng.random(m) < 0.2] = 0
    big = rng.random(m) < 0.1
    count[big] = rng.integers(10, 12345, int(big.sum()))
    show = np.full((m, 3), -1, dtype=np.int32)
    path = np.full((m, 4), -1, dtype=np.int32)
    for i in range(m):
        k = min(int(count[i]), 3)
        show[i, :k] = rng.integers(0, len(ids), k)
        h = int(rng.integers(0, 5))
        path[i, :h] = rng.integers(0, len(ids), h)
        if h and rng.random() < 0.3:
            path[i, 0] = -2
    arrow = _text.arrow_ids(ids)
    want = _text.why_rows(ids, u, c, count, show, path).tolist()
    for threads in (1, 2, 3):
        assert _text.why_column(arrow, u, c, count, show, path, threads).tolist() == want
    # a slice of the ids (an Arrow offset into the buffers)
    show6, path6 = np.where(show >= 0, show % 6, show), np.where(path >= 0, path % 6, path)
    assert _text.why_column(arrow[2:], u % 6, c % 6, count, show6, path6, 2).tolist() == (
        _text.why_rows(ids[2:], u % 6, c % 6, count, show6, path6).tolist())
    assert "2 shared contacts: " in " ".join(want) and "path: " in " ".join(want)
    assert _text.arrow_ids(np.array(["a", "b\udc80"], dtype=object)) is None



def _push_reference(cg, u, damping, tol):
    """Forward push from ``u`` in plain Python with the kernel's FIFO order and arithmetic:
    the PPR score of every user it touches (estimate + the kept share of the residual)."""
    from collections import deque

    s = cg.strength.tolist()
    indptr, indices = cg.indptr.tolist(), cg.indices.tolist()
    wn = [cg.weight[j] / s[indices[j]] if s[indices[j]] > 0 else 0.0
          for j in range(len(indices))]
    r, e = {}, {}
    if s[u] <= 0.0:
        return {u: 1.0}
    r[u] = 1.0 / s[u]
    queue = deque([u])
    while queue:
        w = queue.popleft()
        rho = r.get(w, 0.0)
        if rho <= tol:
            continue
        rw = rho * s[w]
        r[w] = 0.0
        e[w] = e.get(w, 0.0) + (1.0 - damping) * rw
        f = damping * rw / s[w]
        for j in range(indptr[w], indptr[w + 1]):
            v = indices[j]
            x = r.get(v, 0.0)
            y = x + f * wn[j]
            r[v] = y
            if y > tol and not x > tol:
                queue.append(v)
    return {v: e.get(v, 0.0) + (1.0 - damping) * r.get(v, 0.0) * s[v] for v in set(r) | set(e)}


@pytest.mark.parametrize("seed", [7, 8])
def test_ppr_kernel_equals_a_python_push_bit_for_bit(seed):
    """The packed-row push gives exactly the floats of the plain push (ties by id):
    integer weights make many equal scores."""
    graph = random_graph(n=35, m=110, seed=seed)
    cg = contact_graph(graph)
    ids = graph.node_ids
    rec = recommend(graph, top=6, method="ppr", tol=1e-3, explain=False).table
    for u in range(graph.n_nodes):
        near = set(cg.contacts(u).tolist()) | {u}
        if cg.degree[u] == 0:
            continue
        ref = _push_reference(cg, u, 0.85, 1e-3)
        want = sorted(((sc, cg.id_rank[v], v) for v, sc in ref.items()
                       if v not in near and sc > 0.0), key=lambda t: (-t[0], t[1]))[:6]
        got = rec[rec["user"] == ids[u]]
        assert got["candidate"].tolist() == [ids[v] for _, _, v in want]
        assert got["score"].tolist() == [sc for sc, _, _ in want]  # exact


@pytest.mark.parametrize("method", ["ppr", "combined", "adamic-adar"])  # the three paths
def test_kernel_results_do_not_depend_on_the_thread_count(method, monkeypatch):
    """Two threads claiming users from one cursor give the one thread's arrays (small
    calls are let onto both threads here)."""
    import numba

    from graphkit.recommend import scorers
    from graphkit.recommend.scorers import top_positions

    monkeypatch.setattr(scorers, "SMALL_CALL", 1)
    graph = random_graph(n=60, m=300, seed=9)
    users = np.concatenate([np.arange(graph.n_nodes)] * 3)  # more users than one claim
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = top_positions(graph, users, top=5, method=method)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = top_positions(graph, users, top=5, method=method)
    finally:
        numba.set_num_threads(old)
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("method", METHODS)
def test_relabelled_kernel_graph_gives_the_same_bytes(method, monkeypatch):
    """The push runs on users relabelled by weighted degree; the answers are those of the
    contact graph's own positions to the last bit (hubs, ties and paths included)."""
    from graphkit.recommend import scorers

    rows = [(f"h{i % 3}", f"u{i:03d}", ("comment", "follow", "share")[i % 3]) for i in range(150)]
    rows += [(f"u{i:03d}", f"u{(7 * i + 5) % 150:03d}", "share") for i in range(150)]
    rng = np.random.default_rng(4)
    rows += [(f"u{a:03d}", f"u{b:03d}", "follow") for a, b in rng.integers(0, 150, (200, 2))
             if a != b]
    graph = gk.SocialGraph.from_pairs(rows)
    users = np.arange(graph.n_nodes)
    cg = contact_graph(graph)
    kg = scorers._kernel_graph(cg, True)
    assert not np.array_equal(kg.order, np.arange(graph.n_nodes))  # really relabelled
    assert np.all(np.diff(cg.strength[kg.order]) <= 0)
    got = scorers.top_positions(graph, users, top=7, method=method)
    monkeypatch.setattr(scorers, "_kernel_graph", lambda cg, relabel, f=scorers._kernel_graph:
                        f(cg, False))
    want = scorers.top_positions(graph, users, top=7, method=method)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert (got[0] >= 0).sum() > 3 * graph.n_nodes
