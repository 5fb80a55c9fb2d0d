"""The held-out evaluation's comparison, coverage and exposure (graphkit.learn._compare).

Known answers by hand on a toy cascade, the kernels against plain Python loops on random
graphs and cascades, the paired interval against its formula.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from graphs import digests_on_threads
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order
from test_learn import ic_cascades, log_frame, random_influence_graph

import graphkit as gk
from graphkit.learn import Cascades, evaluate_probabilities, roc_auc
from graphkit.learn import _eval_kernels as K
from graphkit.learn._compare import (
    Z95,
    coverage,
    exposure_table,
    n_initiators,
    paired_comparison,
    verdict,
)
from graphkit.weighting import influence_graph

# Attention rows (actor, target): b, c act on a (a influences b, c); d acts on b and on c;
# e acts on d; f acts on nobody and nobody on f.
TOY = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "b"), ("d", "c"), ("e", "d"),
                                 ("f", "f2")])
#: One cascade: a starts (t=0), b follows (t=1), d (t=2), f (t=3, out of nowhere);
#: c and e never act. A second cascade: c starts, a acts at the same time (both initiators).
TOY_LOG = log_frame([("a", "x", 0), ("b", "x", 1), ("d", "x", 2), ("f", "x", 3),
                     ("c", "y", 0), ("a", "y", 0)])
P = {("a", "b"): 0.5, ("a", "c"): 0.2, ("b", "d"): 0.4, ("c", "d"): 0.3, ("d", "e"): 0.1,
     ("f2", "f"): 0.9}


def toy_model():
    """The toy graph with the influence probabilities ``P`` (influencer, influenced)."""
    g = TOY
    p = np.empty(g.n_edges)
    for (v, u), val in P.items():
        p[g.find_edges(g.index([u]), g.index([v]))[0]] = val
    return gk.InfluenceGraph.from_graph(g, p, "toy")


def assert_pairs_equal(got: dict, want: dict):
    """Same (cascade, user) keys, same active flags, scores equal to 1e-12."""
    assert set(got) == set(want)
    for k, (active, score) in want.items():
        assert got[k][0] == active, k
        assert got[k][1] == pytest.approx(score, abs=1e-12), k


def test_exposure_by_hand():
    ig = toy_model()
    c = Cascades.from_actions(TOY, TOY_LOG)
    got = K.exposure_scores(c.ptr, c.users, c.time, n_initiators(c), ig.indptr, ig.indices,
                            ig.prob, c.n_nodes)
    ids = TOY.node_ids
    pairs = {(c.items[cc], ids[u]): (bool(a), s) for cc, u, a, s in zip(*got)}
    assert_pairs_equal(pairs, {
        # x: a's followers b (acted) and c (did not); d exposed by b only (c never acted);
        # e exposed by d; f acted but nobody it follows did: not exposed
        ("x", "b"): (True, 0.5), ("x", "c"): (False, 0.2), ("x", "d"): (True, 0.4),
        ("x", "e"): (False, 0.1),
        # y: a and c are initiators (never candidates); b exposed by a, d by c
        ("y", "b"): (False, 0.5), ("y", "d"): (False, 0.3),
    })
    # re-sharers: b (direct), d (path a-b-d), f (unreachable); exposed: b and d
    assert coverage(c, ig) == {"resharers": 3, "direct": 1, "path": 1, "unreachable": 1}
    assert exposure_table(c, {"toy": ig}, n_boot=0)[0]["positives"].tolist() == [2]


def test_exposure_combines_influencers():
    # d acts after both b and c: 1 - (1 - 0.4)(1 - 0.3)
    log = log_frame([("a", "x", 0), ("b", "x", 1), ("c", "x", 1), ("d", "x", 5)])
    c = Cascades.from_actions(TOY, log)
    ig = toy_model()
    got = K.exposure_scores(c.ptr, c.users, c.time, n_initiators(c), ig.indptr, ig.indices,
                            ig.prob, c.n_nodes)
    d = TOY.index(["d"])[0]
    assert got[3][got[1] == d][0] == pytest.approx(1 - 0.6 * 0.7)
    # same time as the influencer does not count: b at 1, d at 1 -> d exposed by nobody
    log2 = log_frame([("a", "x", 0), ("b", "x", 1), ("d", "x", 1)])
    c2 = Cascades.from_actions(TOY, log2)
    got2 = K.exposure_scores(c2.ptr, c2.users, c2.time, n_initiators(c2), ig.indptr,
                             ig.indices, ig.prob, c2.n_nodes)
    assert d not in set(got2[1].tolist())


def naive_exposure(c, ig):
    """(cascade, user) -> (active, score), by plain loops over every pair."""
    out = {}
    for cc in range(c.n_cascades):
        lo, hi = int(c.ptr[cc]), int(c.ptr[cc + 1])
        when = {int(u): int(t) for u, t in zip(c.users[lo:hi], c.time[lo:hi])}
        t0 = int(c.time[lo])
        seeds = {u for u, t in when.items() if t == t0}
        for u in range(c.n_nodes):
            if u in seeds:
                continue
            surv, exposed = 1.0, False
            for j in range(ig.in_indptr[u], ig.in_indptr[u + 1]):   # v influences u
                v = int(ig.in_indices[j])
                if v in when and (u not in when or when[v] < when[u]):
                    exposed = True
                    surv *= 1.0 - ig.in_prob[j]
            if exposed:
                out[(cc, u)] = (u in when, 1.0 - surv)
    return out


def naive_classes(c, ig):
    a = csr_matrix((np.ones(ig.indices.shape[0]), ig.indices, ig.indptr),
                   shape=(c.n_nodes, c.n_nodes))
    out = []
    for cc in range(c.n_cascades):
        lo, hi = int(c.ptr[cc]), int(c.ptr[cc + 1])
        seeds = c.initiators(cc)
        direct = {int(x) for s in seeds for x in a.indices[a.indptr[s]:a.indptr[s + 1]]}
        reach = {int(x) for s in seeds for x in breadth_first_order(a, int(s))[0]}
        for k in range(lo, hi):
            u = int(c.users[k])
            if u in set(seeds.tolist()):
                out.append(-1)
            else:
                out.append(K.DIRECT if u in direct else K.PATH if u in reach else K.UNREACHABLE)
    return np.array(out)


@pytest.mark.parametrize("seed, k", [(1, 40), (2, 40), (3, 400)])  # 400: > 1,024 pairs (growth)
def test_kernels_match_naive_loops(seed, k):
    g, p = random_influence_graph(60, 150, seed)
    log = ic_cascades(g, p, k, seed + 100)
    # some simultaneous activations and some actions of users out of nowhere
    rng = np.random.default_rng(seed)
    log["timestamp"] = log["timestamp"] * 2 + rng.integers(0, 2, len(log))
    extra = log_frame([(f"u{rng.integers(60)}", f"c{rng.integers(k)}", 7) for _ in range(15)])
    c = Cascades.from_actions(g, pd.concat([log, extra], ignore_index=True))
    ig = gk.InfluenceGraph.from_graph(g, p, "truth")
    casc, user, active, score = K.exposure_scores(c.ptr, c.users, c.time, n_initiators(c),
                                                  ig.indptr, ig.indices, ig.prob, c.n_nodes)
    got = {(int(a), int(b)): (bool(x), s) for a, b, x, s in zip(casc, user, active, score)}
    assert len(got) == casc.shape[0]   # each (cascade, user) once
    assert k < 100 or casc.shape[0] > 1024
    assert_pairs_equal(got, naive_exposure(c, ig))
    cls = K.reach_classes(c.ptr, c.users, n_initiators(c), ig.indptr, ig.indices, c.n_nodes)
    assert np.array_equal(cls, naive_classes(c, ig))


def test_n_initiators():
    c = Cascades.from_actions(TOY, TOY_LOG)
    assert dict(zip(c.items, n_initiators(c).tolist())) == {"x": 1, "y": 2}


def test_paired_comparison_by_formula():
    rng = np.random.default_rng(0)
    n = 50
    a, b = rng.uniform(0.4, 0.9, n), rng.uniform(0.4, 0.9, n)
    b[:5] = a[:5]                                   # five ties
    per = pd.DataFrame({"item": np.r_[np.arange(n), np.arange(n)],
                        "model": ["learned"] * n + ["wc"] * n,
                        "auc": np.r_[a, b], "average_precision": np.r_[a, b] / 2})
    cmp = paired_comparison(per).set_index("metric").loc["auc"]
    d = a - b
    half = Z95 * d.std(ddof=1) / math.sqrt(n)
    assert cmp["mean_diff"] == pytest.approx(d.mean())
    assert (cmp["ci_low"], cmp["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert (cmp["wins"], cmp["losses"], cmp["ties"]) == ((d > 0).sum(), (d < 0).sum(), 5)
    assert cmp["cascades"] == n
    # cascades where a metric is undefined for one model are left out of that metric
    per.loc[0, "auc"] = np.nan
    assert paired_comparison(per).set_index("metric").loc["auc", "cascades"] == n - 1


@pytest.mark.parametrize("lo, hi, want", [(0.01, 0.02, "better"), (-0.02, -0.01, "worse"),
                                          (-0.01, 0.01, "no significant difference"),
                                          (math.nan, math.nan, "too few cascades")])
def test_verdict(lo, hi, want):
    assert verdict({"ci_low": lo, "ci_high": hi}) == want


def test_exposure_table_and_bootstrap():
    g, p = random_influence_graph(80, 320, 15)
    c = Cascades.from_actions(g, ic_cascades(g, p, 300, 16))
    models = {"truth": gk.InfluenceGraph.from_graph(g, p, "truth"),
              "wc": influence_graph(g, "wc"), "same": gk.InfluenceGraph.from_graph(g, p, "t2")}
    table, diff = exposure_table(c, models, rng=3, n_boot=300)
    casc, user, active, score = K.exposure_scores(c.ptr, c.users, c.time, n_initiators(c),
                                                  g.transpose.indptr, g.transpose.indices,
                                                  p[g.transpose.edge_of], c.n_nodes)
    t = table.set_index("model")
    assert t.loc["truth", "auc"] == pytest.approx(roc_auc(active, score))
    assert t["exposed"].nunique() == 1 and t.loc["truth", "positives"] == active.sum()
    # the true probabilities rank who acts better than wc, significantly
    d = diff.set_index("model")
    assert d.loc["wc", "mean_diff"] == pytest.approx(t.loc["truth", "auc"] - t.loc["wc", "auc"])
    assert d.loc["wc", "ci_low"] > 0
    assert d.loc["wc", "ci_low"] <= d.loc["wc", "mean_diff"] <= d.loc["wc", "ci_high"]
    # a model identical to the reference differs by exactly 0 in every resample
    assert (d.loc["same", "ci_low"], d.loc["same", "ci_high"]) == (0.0, 0.0)
    again = exposure_table(c, models, rng=3, n_boot=300)[1]
    pd.testing.assert_frame_equal(diff, again)
    assert math.isnan(exposure_table(c, models, n_boot=0)[1]["ci_low"].iloc[0])


def test_evaluation_carries_comparison_exposure_and_coverage():
    g, p = random_influence_graph(80, 320, 15)
    log = ic_cascades(g, p, 400, 16)
    ev = evaluate_probabilities(g, log, "em", holdout=0.25, runs=30, rng=4)
    cmp = ev.comparison
    assert set(zip(cmp["model"], cmp["metric"])) == {
        (m, k) for m in ("wc", "uniform", "trivalency")
        for k in ("auc", "average_precision", "exposed_auc")}
    per = ev.per_cascade
    a = per[per.model == "learned"].set_index("item")["auc"]
    b = per[per.model == "wc"].set_index("item")["auc"]
    row = cmp[(cmp.model == "wc") & (cmp.metric == "auc")].iloc[0]
    assert row["mean_diff"] == pytest.approx((a - b).mean())
    assert ev.exposure["model"].tolist() == ["learned", "wc", "uniform", "trivalency"]
    assert ev.to_dict()["wc"]["exposed_auc"] == ev.exposure.set_index("model").loc["wc", "auc"]
    cov = ev.coverage
    assert cov["direct"] + cov["path"] + cov["unreachable"] == cov["resharers"]
    assert cov["resharers"] == int(per[per.model == "wc"]["actual_size"].sum()
                                   - per[per.model == "wc"]["seeds"].sum())
    d = ev.comparison_dict()
    assert d["wc"]["auc"]["verdict"] in ("better", "worse", "no significant difference")
    assert "wins" not in d["wc"]["exposed_auc"]
    # the synthetic truth is learnable: EM's probabilities beat wc where they act
    assert d["wc"]["exposed_auc"]["verdict"] == "better"
    again = evaluate_probabilities(g, log, "em", holdout=0.25, runs=30, rng=4)
    pd.testing.assert_frame_equal(ev.comparison, again.comparison)


_THREAD_SCRIPT = r"""
import hashlib, numba, sys
sys.path.insert(0, "tests")
from test_learn import ic_cascades, random_influence_graph
from graphkit.learn import evaluate_probabilities
g, p = random_influence_graph(80, 320, 15)
log = ic_cascades(g, p, 200, 16)
h = hashlib.sha256()
for runs in (50, 3000):          # one thread below _PARALLEL_RUNS, every thread from it on
    ev = evaluate_probabilities(g, log, "bernoulli", holdout=0.25, runs=runs, rng=9)
    for frame in (ev.table, ev.per_cascade, ev.comparison, ev.exposure):
        h.update(frame.to_csv().encode())
print(numba.get_num_threads(), h.hexdigest())
"""


def test_identical_evaluation_on_one_and_two_threads():
    out = digests_on_threads(_THREAD_SCRIPT, timeout=600)
    assert out["1"] == out["2"]


def test_resampled_auc_equals_the_weighted_auc():
    from graphkit.learn._compare import resampled_auc
    from graphkit.learn.metrics import auc_ap as _auc_ap
    from graphkit.learn.metrics import tie_groups

    rng = np.random.default_rng(8)
    n, n_casc = 400, 30
    casc = rng.integers(0, n_casc, n)
    active = rng.random(n) < 0.3
    score = np.round(rng.random(n), 1)          # many ties
    order, last = tie_groups(score)
    w = rng.integers(0, 3, (5, n_casc)).astype(np.float64)
    got = resampled_auc(casc[order], active[order], last, w)
    for b in range(5):
        wp = w[b][casc]
        assert got[b] == pytest.approx(_auc_ap(score, wp * active, wp * ~active)[0], abs=1e-12)
    none = np.zeros((1, n_casc))
    assert math.isnan(resampled_auc(casc[order], active[order], last, none)[0])


def test_nobody_exposed():
    # the author has no audience in the graph: b re-shares out of nowhere, nobody is exposed
    log = log_frame([(u, f"i{k}", t) for k in range(6) for u, t in (("a", 10 * k), ("b", 10 * k + 1))]
                    + [("c", "i9", 0)])
    g = gk.SocialGraph.from_pairs([("b", "c"), ("d", "c"), ("a", "e")])
    ev = evaluate_probabilities(g, log, "bernoulli", holdout=0.3, runs=10, rng=1)
    assert (ev.exposure["exposed"] == 0).all()
    assert ev.exposure["auc"].isna().all()
    assert ev.coverage["exposed"] == 0 and ev.coverage["unreachable"] == ev.coverage["resharers"]
    assert ev.comparison_dict()["wc"]["exposed_auc"]["verdict"] == "too few cascades"
