"""Tests for graphkit/learn.py (estimators), _learn_actions.py (logs, cascades) and _learn_eval.py."""

from __future__ import annotations

import gzip
import itertools
import json

import numpy as np
import pandas as pd
import pytest

import graphkit as gk
from graphkit.errors import InputError
from graphkit.learn import (
    ActionLog,
    BernoulliEstimator,
    Cascades,
    EMEstimator,
    JaccardEstimator,
    average_precision,
    evaluate_probabilities,
    fit_probabilities,
    make_estimator,
    read_actions,
    roc_auc,
    split_cascades,
)


# --------------------------------------------------------------------------- helpers
def log_frame(rows):
    return pd.DataFrame(rows, columns=["user", "item", "timestamp"])


def edge_p(est, source, target):
    """Learned p of the attention edge source -> target (target influences source)."""
    g = est.graph_
    e = g.find_edges(g.index([source]), g.index([target]))[0]
    assert e >= 0
    return est.probs_[e], est.propagations_[e], est.trials_[e]


def random_influence_graph(n, m, seed):
    """A random graph with ``m`` distinct attention edges and a known IC probability on each."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, 3 * m), rng.integers(0, n, 3 * m)
    keep = src != dst
    pairs = np.unique(np.c_[src[keep], dst[keep]], axis=0)
    pairs = pairs[rng.permutation(len(pairs))[:m]]
    g = gk.SocialGraph.from_arrays(pairs[:, 0], pairs[:, 1], [f"u{i}" for i in range(n)])
    return g, rng.uniform(0.05, 0.5, g.n_edges)


def ic_cascades(g, p, k, seed, start=None):
    """``k`` Independent Cascade runs with known probabilities ``p`` (aligned with the attention
    edges), each from one random seed user (or ``start``), recorded as actions: user, item = the
    run, timestamp = the step (seconds) at which the user became active.

    A plain breadth-first loop, the same process as ``diffusion._reference._ic_run`` but keeping
    every user's activation step.
    """
    rng = np.random.default_rng(seed)
    t = g.transpose  # row v: the users that acted on v, i.e. the users v influences
    rows = []
    for c in range(k):
        s = int(rng.integers(g.n_nodes)) if start is None else start
        step = {s: 0}
        frontier, d = [s], 0
        while frontier:
            d += 1
            new = []
            for v in frontier:
                for j in range(t.indptr[v], t.indptr[v + 1]):
                    u = int(t.indices[j])
                    if u not in step and rng.random() < p[t.edge_of[j]]:
                        step[u] = d
                        new.append(u)
            frontier = new
        rows += [(g.node_ids[u], f"c{c}", st) for u, st in step.items()]
    return log_frame(rows)


#: Attention rows: bob, carol and dave act on alice (alice influences them); dave on bob.
TOY = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "alice"), ("dave", "alice"),
                                 ("dave", "bob")])
#: Three items. x: alice 0, bob 10, dave 20.  y: alice 0, carol 5, dave 100 (repeated later).
#: z: bob 0, alice 3 (alice after bob: no propagation to bob), dave 3 (same time as alice).
TOY_LOG = log_frame([
    ("alice", "x", 0), ("bob", "x", 10), ("dave", "x", 20),
    ("alice", "y", 0), ("carol", "y", 5), ("dave", "y", 100), ("dave", "y", 200),
    ("bob", "z", 0), ("alice", "z", 3), ("dave", "z", 3),
])


# --------------------------------------------------------------------------- estimators by hand
def test_bernoulli_by_hand():
    est = BernoulliEstimator().fit(TOY, TOY_LOG)
    # A_alice = 3 items (x, y, z); A_bob = 2 (x, z)
    # alice -> bob: x (10 after 0) = 1 propagation; z: bob before alice, none
    assert edge_p(est, "bob", "alice") == (pytest.approx(1 / 3), 1, 3)
    # alice -> carol: y = 1
    assert edge_p(est, "carol", "alice") == (pytest.approx(1 / 3), 1, 3)
    # alice -> dave: x (20 > 0), y (100 > 0); z at the same time 3: no propagation
    assert edge_p(est, "dave", "alice") == (pytest.approx(2 / 3), 2, 3)
    # bob -> dave: x (20 > 10), z (3 > 0)
    assert edge_p(est, "dave", "bob") == (pytest.approx(1.0), 2, 2)
    assert est.action_counts_[TOY.index(["alice", "bob", "carol", "dave"])].tolist() == [3, 2, 1, 3]
    assert est.cascades_report_["repeat_actions"] == 1 and est.n_cascades_ == 3
    assert est.edges_learned_ == 4


def test_bernoulli_window_by_hand():
    est = BernoulliEstimator(window=10).fit(TOY, TOY_LOG)
    assert edge_p(est, "dave", "alice")[:2] == (0.0, 0)  # 20 and 100 s after alice: too late
    assert edge_p(est, "bob", "alice")[:2] == (pytest.approx(1 / 3), 1)  # exactly 10 s: counts
    assert edge_p(est, "dave", "bob")[:2] == (pytest.approx(1.0), 2)  # 10 s and 3 s


def test_jaccard_by_hand():
    est = JaccardEstimator().fit(TOY, TOY_LOG)
    # A_{u|v} = A_u + A_v - A_{u&v}
    # (bob, alice): 2 + 3 - 2 (x, z) = 3;  (carol, alice): 1 + 3 - 1 = 3
    # (dave, alice): 3 + 3 - 3 = 3;        (dave, bob): 3 + 2 - 2 = 3
    assert edge_p(est, "bob", "alice") == (pytest.approx(1 / 3), 1, 3)
    assert edge_p(est, "carol", "alice") == (pytest.approx(1 / 3), 1, 3)
    assert edge_p(est, "dave", "alice") == (pytest.approx(2 / 3), 2, 3)
    assert edge_p(est, "dave", "bob") == (pytest.approx(2 / 3), 2, 3)


def test_prior_shrinks_toward_wc_and_fills_edges_without_evidence():
    g = gk.SocialGraph.from_pairs([("bob", "alice"), ("bob", "carol"), ("dan", "erin")])
    log = log_frame([("alice", "x", 0), ("bob", "x", 1), ("alice", "y", 0)])
    est = BernoulliEstimator(prior="wc", prior_weight=2).fit(g, log)
    # bob acted on 2 users: wc = 1/2; (1 + 2 * 0.5) / (2 + 2)
    assert edge_p(est, "bob", "alice")[0] == pytest.approx(0.5)
    assert edge_p(est, "bob", "carol")[0] == pytest.approx(0.5)  # no evidence: the prior
    assert edge_p(est, "dan", "erin")[0] == pytest.approx(1.0)   # wc of dan: 1
    assert est.edges_learned_ == 1
    plain = BernoulliEstimator().fit(g, log)
    assert edge_p(plain, "bob", "carol")[0] == 0.0
    u = BernoulliEstimator(prior="uniform:0.1", prior_weight=1).fit(g, log)
    assert edge_p(u, "bob", "alice")[0] == pytest.approx((1 + 0.1) / (2 + 1))
    arr = BernoulliEstimator(prior=np.array([0.2, 0.4, 0.6]), prior_weight=1).fit(g, log)
    assert sorted(arr.probs_.round(6).tolist()) == sorted([round((1 + 0.2) / 3, 6), 0.4, 0.6])


def test_auto_prior_weight_trusts_a_good_prior_and_distrusts_a_bad_one():
    """Validation on the latest 20% of the fitted cascades picks the prior's weight: the
    largest when the prior is the truth itself, a small one when the prior is far off."""
    from graphkit.learn import AUTO_WEIGHTS

    g, p = random_influence_graph(100, 400, 21)
    log = ic_cascades(g, p, 3000, 22)
    good = EMEstimator(time_step=1, prior=p, prior_weight="auto").fit(g, log)
    bad = EMEstimator(time_step=1, prior="uniform:0.95", prior_weight="auto").fit(g, log)
    assert set(good.validation_loglik_) == set(AUTO_WEIGHTS)
    assert good.prior_weight_ == max(AUTO_WEIGHTS)
    assert bad.prior_weight_ <= 1.0
    assert good.validation_loglik_[good.prior_weight_] == max(good.validation_loglik_.values())
    # the chosen weight is then used on all cascades: same result as fixing it by hand
    fixed = EMEstimator(time_step=1, prior="uniform:0.95", prior_weight=bad.prior_weight_)
    assert np.array_equal(fixed.fit(g, log).probs_, bad.probs_)
    bern = BernoulliEstimator(window=1, prior="wc", prior_weight="auto").fit(g, log)
    assert bern.prior_weight_ in AUTO_WEIGHTS and fixed.validation_loglik_ is None
    few = BernoulliEstimator(prior="wc", prior_weight="auto").fit(TOY, TOY_LOG)
    assert few.prior_weight_ == 1.0 and few.validation_loglik_ == {}  # under 5 cascades
    with pytest.raises(ValueError, match="needs a prior"):
        BernoulliEstimator(prior_weight="auto")


def test_em_single_influencer_is_the_success_rate():
    g = gk.SocialGraph.from_pairs([("bob", "alice")])
    rows = [("alice", f"i{k}", 0) for k in range(5)] + [("bob", "i0", 1), ("bob", "i3", 1)]
    est = EMEstimator(time_step=1).fit(g, log_frame(rows))
    assert edge_p(est, "bob", "alice") == (pytest.approx(0.4), 2, 5)
    assert est.converged_


def test_em_saito_discrete_trials():
    """Only the previous step influences: step 2 activations are negatives of step-0 users."""
    g = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "bob"), ("carol", "alice")])
    # item x: alice 0, bob 1, carol 2 -> carol's influencer is bob only (alice is 2 steps back)
    log = log_frame([("alice", "x", 0), ("bob", "x", 1), ("carol", "x", 2)])
    est = EMEstimator(time_step=1).fit(g, log)
    assert edge_p(est, "carol", "bob")[1:] == (1, 1)
    assert edge_p(est, "carol", "alice")[1:] == (0, 1)  # a negative trial
    assert edge_p(est, "carol", "alice")[0] == 0.0
    # with a 2-step window alice is an influencer too: credit shared between them
    est2 = EMEstimator(time_step=1, window=2).fit(g, log)
    assert edge_p(est2, "carol", "alice")[1:] == (1, 1)


def _brute_force_mle(seg_edges, positives_per_edge, trials, m):
    """Maximise the IC log-likelihood directly (scipy) for a tiny problem."""
    from scipy.optimize import minimize

    neg = trials - positives_per_edge

    def nll(x):
        p = np.clip(x, 1e-9, 1 - 1e-9)
        ll = sum(np.log(1 - np.prod(1 - p[list(s)])) for s in seg_edges)
        return -(ll + np.sum(neg * np.log(1 - p)))

    best = minimize(nll, np.full(m, 0.3), bounds=[(1e-9, 1 - 1e-9)] * m, method="L-BFGS-B",
                    options={"ftol": 1e-14, "gtol": 1e-10})
    return best.x, -best.fun


def test_em_reaches_the_maximum_likelihood():
    # dave acted on alice and bob; both sometimes precede dave together, sometimes alone
    g = gk.SocialGraph.from_pairs([("dave", "alice"), ("dave", "bob"), ("erin", "dave")])
    rows = []
    pattern = [("ab", True), ("ab", True), ("ab", False), ("a", True), ("a", False), ("a", False),
               ("b", False), ("b", True), ("b", False), ("b", False)]
    for k, (who, dave) in enumerate(pattern):
        for u in who:
            rows.append(({"a": "alice", "b": "bob"}[u], f"i{k}", 0))
        if dave:
            rows.append(("dave", f"i{k}", 1))
            if k % 2:
                rows.append(("erin", f"i{k}", 2))
    est = EMEstimator(time_step=1, tol=1e-14, max_iter=100000).fit(g, log_frame(rows))
    e_a = g.find_edges(g.index(["dave"]), g.index(["alice"]))[0]
    e_b = g.find_edges(g.index(["dave"]), g.index(["bob"]))[0]
    e_d = g.find_edges(g.index(["erin"]), g.index(["dave"]))[0]
    segs = [(e_a, e_b), (e_a, e_b), (e_a,), (e_b,), (e_d,), (e_d,), (e_d,)]
    x, ll = _brute_force_mle(segs, est.propagations_, est.trials_, g.n_edges)
    assert est.log_likelihood_ == pytest.approx(ll, abs=1e-6)
    assert np.allclose(est.probs_, x, atol=1e-4)
    assert est.trials_[[e_a, e_b, e_d]].tolist() == [6, 7, 4]


def test_em_likelihood_never_decreases():
    g, p = random_influence_graph(40, 150, 3)
    log = ic_cascades(g, p, 300, 4)
    lls = [EMEstimator(time_step=1, max_iter=k, tol=1e-300).fit(g, log).log_likelihood_
           for k in (1, 2, 5, 20, 100)]
    assert all(b >= a - 1e-9 for a, b in zip(lls, lls[1:]))
    assert lls[-1] > lls[0]


def test_em_recovers_ground_truth_probabilities():
    """Cascades simulated with known probabilities: EM's mean absolute error shrinks like
    1/sqrt(cascades) and is below 0.02 at 10,000 cascades (100 users, 400 edges, p ~ U(0.05,
    0.5)); the Bernoulli estimate (no credit sharing) keeps a bias EM does not have."""
    g, p = random_influence_graph(100, 400, 1)
    errors = {}
    for k in (300, 1000, 3000, 10000):
        log = ic_cascades(g, p, k, 2)
        errors[k] = float(np.abs(EMEstimator(time_step=1).fit(g, log).probs_ - p).mean())
    assert errors[300] > errors[1000] > errors[3000] > errors[10000]
    assert errors[10000] < 0.02
    assert errors[300] > 2 * errors[3000]
    bern = BernoulliEstimator(window=1).fit(g, ic_cascades(g, p, 10000, 2))
    assert float(np.abs(bern.probs_ - p).mean()) > 1.5 * errors[10000]


def test_cascade_generator_is_independent_cascade():
    """The test generator agrees with graphkit's simulator (mean reach within 4 standard errors)."""
    g, p = random_influence_graph(60, 200, 5)
    log = ic_cascades(g, p, 3000, 6, start=0)
    sizes = log.groupby("item").size().to_numpy()
    est = gk.simulate(gk.influence_graph(g, p), [g.node_ids[0]], runs=20000, rng=1)
    se = np.hypot(sizes.std(ddof=1) / np.sqrt(len(sizes)), est.std_error)
    assert abs(sizes.mean() - est.mean) < 4 * se


def _naive_counts(g, cascades, window):
    prop = np.zeros(g.n_edges, int)
    before = np.zeros(g.n_edges, int)
    both = np.zeros(g.n_edges, int)
    src = g.sources()
    for c in range(cascades.n_cascades):
        lo, hi = cascades.ptr[c], cascades.ptr[c + 1]
        when = dict(zip(cascades.users[lo:hi].tolist(), cascades.time[lo:hi].tolist()))
        for e in range(g.n_edges):
            u, v = int(src[e]), int(g.indices[e])
            if u in when and v in when:
                both[e] += 1
                d = when[u] - when[v]
                if d <= 0:
                    before[e] += 1
                elif d <= window:
                    prop[e] += 1
    return prop, before, both


@pytest.mark.parametrize("window", [None, 2.0])
def test_kernel_matches_naive_loop(window):
    from graphkit.learn import _kernels as K
    from graphkit.learn._base import window_ns as _window_ns

    g, _ = random_influence_graph(30, 120, 7)
    rng = np.random.default_rng(8)
    rows = [(f"u{rng.integers(30)}", f"i{rng.integers(40)}", int(rng.integers(6)))
            for _ in range(600)]
    c = Cascades.from_actions(g, log_frame(rows))
    got = K.pair_counts(c.ptr, c.users, c.time, g.indptr, g.indices, g.n_nodes, _window_ns(window))
    w = np.inf if window is None else window * 1e9
    want = _naive_counts(g, c, w)
    for a, b in zip(got, want):
        assert a.tolist() == b.tolist()
    seg_ptr, act, edge = K.parent_sets(c.ptr, c.users, c.time, g.indptr, g.indices, g.n_nodes,
                                       _window_ns(window))
    assert np.bincount(edge, minlength=g.n_edges).tolist() == want[0].tolist()
    assert (np.diff(seg_ptr) > 0).all() and np.all(np.diff(act) > 0)


# --------------------------------------------------------------------------- results and files
def test_learned_file_round_trips_through_prob_learned(tmp_path):
    g, p = random_influence_graph(50, 200, 9)
    est = EMEstimator(time_step=1, prior="wc").fit(g, ic_cascades(g, p, 200, 10))
    path = tmp_path / "probabilities.csv"
    est.write(path)
    ig = gk.influence_graph(g, f"learned:{path}")
    assert np.array_equal(ig.in_prob, est.probs_)  # bit for bit
    assert ig.report["edges_missing"] == 0 and ig.report["warnings"] == []
    direct = est.influence_graph()
    assert np.array_equal(direct.prob, ig.prob) and direct.model == "learned:em"
    df = pd.read_csv(path, dtype={"source": str, "target": str})
    assert list(df.columns) == ["source", "target", "p", "propagations", "trials"]
    assert len(df) == g.n_edges
    with pytest.raises(ValueError, match=".csv or .tsv"):
        est.write(tmp_path / "p.parquet")


def test_probs_are_aligned_with_attention_edges():
    est = BernoulliEstimator().fit(TOY, TOY_LOG)
    frame = est.to_frame()
    ig = gk.influence_graph(TOY, est.probs_)
    arcs = ig.to_frame()  # influence direction: source influences target
    got = {(r.target, r.source): r.p for r in frame.itertuples()}
    assert got == {(r.source, r.target): r.p for r in arcs.itertuples()}
    assert got[("alice", "dave")] == pytest.approx(2 / 3)


def test_estimator_api():
    assert repr(BernoulliEstimator(window=5)) == \
        "BernoulliEstimator(window=5, prior=None, prior_weight=1.0)"
    assert make_estimator("em").get_params()["tol"] == 1e-8
    est = JaccardEstimator()
    assert est.fit(TOY, TOY_LOG) is est
    with pytest.raises(RuntimeError, match="not fitted"):
        BernoulliEstimator().to_frame()
    with pytest.raises(ValueError, match="unknown method"):
        make_estimator("magic")
    with pytest.raises(ValueError, match="positive"):
        BernoulliEstimator(window=0)
    with pytest.raises(ValueError, match="prior"):
        BernoulliEstimator(prior="trivalency")
    with pytest.raises(ValueError, match="probability"):
        BernoulliEstimator(prior=1.5)
    with pytest.raises(ValueError, match="max_iter"):
        EMEstimator(max_iter=0)
    with pytest.raises(ValueError, match="another graph"):
        BernoulliEstimator().fit(TOY, Cascades.from_actions(random_influence_graph(5, 8, 1)[0],
                                                            log_frame([("u1", "x", 0)])))
    assert fit_probabilities(TOY, TOY_LOG, "jaccard").method == "jaccard"


# --------------------------------------------------------------------------- cascades
def test_cascades_order_dedupe_and_unknown_users():
    log = log_frame([
        ("bob", "late", 50), ("alice", "late", 40), ("zed", "late", 1),   # zed: not in the graph
        ("carol", "early", 5), ("alice", "early", 7), ("carol", "early", 9),  # carol repeats
        ("yan", "ghost", 0),                                                 # nobody known
    ])
    c = Cascades.from_actions(TOY, log)
    assert c.report["unknown_user_actions"] == 2 and c.report["unknown_users"] == 2
    assert c.report["repeat_actions"] == 1 and c.report["items_without_graph_users"] == 1
    assert c.items.tolist() == ["early", "late"]  # by start time (zed's action dropped first)
    assert c.node_ids[c.users].tolist() == ["carol", "alice", "alice", "bob"]
    assert c.sizes().tolist() == [2, 2]
    assert c.node_ids[c.initiators(1)].tolist() == ["alice"]
    sub = c.select([1])
    assert sub.items.tolist() == ["late"] and sub.n_actions == 2


def test_unsorted_log_gives_the_same_cascades_and_says_so():
    g, p = random_influence_graph(40, 150, 11)
    log = ic_cascades(g, p, 200, 12).sort_values(["timestamp", "item", "user"])
    a = ActionLog.from_frame(log)
    b = ActionLog.from_frame(log.sample(frac=1.0, random_state=3))
    assert a.report["time_sorted"] and not b.report["time_sorted"]
    ea, eb = EMEstimator(time_step=1).fit(g, a), EMEstimator(time_step=1).fit(g, b)
    assert np.array_equal(ea.probs_, eb.probs_)
    ca, cb = Cascades.from_actions(g, a), Cascades.from_actions(g, b)
    assert np.array_equal(ca.users, cb.users) and np.array_equal(ca.items, cb.items)
    assert cb.report["time_sorted"] is False


def test_simultaneous_initiators():
    log = log_frame([("alice", "x", 0), ("bob", "x", 0), ("dave", "x", 4)])
    c = Cascades.from_actions(TOY, log)
    assert sorted(c.node_ids[c.initiators(0)].tolist()) == ["alice", "bob"]


# --------------------------------------------------------------------------- reading logs
def test_read_actions_formats(tmp_path):
    df = log_frame([("1", "a", "2024-03-01T09:00:00Z"), ("2", "a", "2024-03-01T09:05:00Z"),
                    ("007", "b", "1709283600")])
    df.to_csv(tmp_path / "log.csv", index=False)
    df.to_csv(tmp_path / "log.tsv", sep="\t", index=False)
    with gzip.open(tmp_path / "log.csv.gz", "wt") as fh:
        df.to_csv(fh, index=False)
    df.to_parquet(tmp_path / "log.parquet", index=False)
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in df.to_dict("records")))
    for name in ("log.csv", "log.tsv", "log.csv.gz", "log.parquet", "log.jsonl"):
        log = read_actions(tmp_path / name)
        f = log.frame
        assert f.user.tolist() == ["1", "2", "007"], name  # ids stay strings
        assert f.item.tolist() == ["a", "a", "b"]
        assert f.timestamp.iloc[2] == pd.Timestamp("2024-03-01T09:00:00Z")
        assert log.report["form"] == "item"


def test_read_actions_custom_columns_and_headerless(tmp_path):
    p = tmp_path / "custom.csv"
    p.write_text("who,what,when,extra\nann,v1,10,x\nben,v1,20,y\n")
    log = read_actions(p, user_col="who", item_col="what", time_col="when")
    assert log.frame.user.tolist() == ["ann", "ben"] and log.report["columns"]["timestamp"] == "when"
    q = tmp_path / "plain.txt"
    q.write_text("ann v1 10\nben v1 20\n")
    assert read_actions(q).frame.item.tolist() == ["v1", "v1"]


def test_interaction_form_adds_initiators(tmp_path):
    p = tmp_path / "shares.csv"
    p.write_text("source,target,timestamp\nbob,alice,100\ncarol,alice,50\ndave,bob,70\n"
                 "bob,bob,80\n")
    log = read_actions(p)
    assert log.report["form"] == "interaction" and log.report["initiators_added"] == 2
    f = log.frame.sort_values(["item", "timestamp"])
    first = f.groupby("item").first()
    assert first.loc["alice", "user"] == "alice"
    assert first.loc["alice", "timestamp"] == pd.Timestamp(49, unit="s", tz="UTC")
    assert len(f) == 5  # bob re-sharing himself is dropped
    same = read_actions(p, form="item")
    assert same.report["form"] == "item" and same.n_actions == 4


@pytest.mark.parametrize("text, pattern", [
    ("user,item,timestamp\n", r"log.csv: .*(no data rows|empty)"),
    ("user,item\nann,x\n", r"log.csv: no timestamp column"),
    ("user,item,timestamp\nann,x,10\nben,,20\n", r"log.csv:3: item is empty"),
    ("user,item,timestamp\nann,x,10\nben,x,\n", r"log.csv:3: timestamp is empty"),
    ("user,item,timestamp\nann,x,yesterday\n", r"log.csv:2: unparseable timestamp"),
    ("user,item,timestamp\nann,x,10,4\n", r"log.csv:2: expected 3 fields"),
])
def test_read_actions_bad_input(tmp_path, text, pattern):
    p = tmp_path / "log.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=pattern):
        read_actions(p)


def test_bad_input_missing_file_and_column_option(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_actions(tmp_path / "nope.csv")
    p = tmp_path / "log.csv"
    p.write_text("user,item,timestamp\nann,x,10\n")
    with pytest.raises(InputError, match="no column 'when' for --action-time-col"):
        read_actions(p, time_col="when")


def test_no_action_by_a_graph_user_is_an_error():
    with pytest.raises(InputError, match="none of the 2 actions is by a user of the graph"):
        Cascades.from_actions(TOY, log_frame([("x", "i", 0), ("y", "i", 1)]))
    with pytest.raises(InputError, match="empty"):
        ActionLog.from_frame(log_frame([]))


# --------------------------------------------------------------------------- metrics
def test_roc_auc_by_hand():
    # positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3/4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    # ties: positive 0.5 vs negatives 0.5 (half) and 0.2 (win): (0.5 + 1) / 2
    assert roc_auc([1, 0, 0], [0.5, 0.5, 0.2]) == 0.75
    assert roc_auc([True, False], [1.0, 0.0]) == 1.0
    assert roc_auc([0, 1], [1.0, 0.0]) == 0.0
    assert np.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_average_precision_by_hand():
    # ranking 0.8(+) 0.4(-) 0.35(+) 0.1(-): recall steps at ranks 1 and 3 -> (1 + 2/3) / 2
    assert average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(5 / 6)
    # a tie group enters at once: {0.5: +, -} precision 1/2 at recall 1/2, then 0.2(+) at 2/3
    assert average_precision([1, 0, 1], [0.5, 0.5, 0.2]) == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)
    assert average_precision([1, 0], [0.9, 0.1]) == 1.0
    assert np.isnan(average_precision([0, 0], [0.9, 0.1]))
    with pytest.raises(ValueError):
        average_precision([0, 2], [0.1, 0.2])


def test_metrics_match_their_definitions_on_random_data():
    rng = np.random.default_rng(13)
    for _ in range(30):
        n = int(rng.integers(2, 40))
        y = rng.integers(0, 2, n)
        if y.min() == y.max():
            continue
        s = rng.integers(0, 5, n) / 4.0  # many ties
        pos, neg = s[y == 1], s[y == 0]
        pairwise = np.mean([(a > b) + 0.5 * (a == b) for a, b in itertools.product(pos, neg)])
        assert roc_auc(y, s) == pytest.approx(pairwise)
        ap = 0.0
        prev_recall = 0.0
        for thr in sorted(set(s), reverse=True):
            sel = s >= thr
            recall = y[sel].sum() / y.sum()
            ap += (recall - prev_recall) * y[sel].mean()
            prev_recall = recall
        assert average_precision(y, s) == pytest.approx(ap)


def test_compressed_zero_block_gives_the_same_scores():
    from graphkit.learn.evaluate import _score_cascade

    rng = np.random.default_rng(14)
    prob = np.where(rng.random(300) < 0.7, 0.0, rng.random(300))
    truth = rng.random(300) < 0.1
    seed = np.zeros(300, bool)
    seed[[3, 50]] = True
    truth[seed] = False
    mask = ~seed
    got = _score_cascade(prob, truth, seed, int(mask.sum()))
    assert got[0] == pytest.approx(roc_auc(truth[mask], prob[mask]))
    assert got[1] == pytest.approx(average_precision(truth[mask], prob[mask]))


# --------------------------------------------------------------------------- evaluation
@pytest.fixture(scope="module")
def synthetic():
    g, p = random_influence_graph(80, 320, 15)
    return g, p, ic_cascades(g, p, 600, 16)


def test_split_is_by_start_time(synthetic):
    g, _, log = synthetic
    log = log.copy()
    log["timestamp"] += log["item"].str[1:].astype(int) * 1000  # cascade c starts at 1000 c
    c = Cascades.from_actions(g, log)
    train, test = split_cascades(c, 0.25)
    assert train.n_cascades == 450 and test.n_cascades == 150
    assert train.start().max() < test.start().min()
    assert set(test.items) == {f"c{k}" for k in range(450, 600)}
    assert split_cascades(c, 0.0)[1] is None
    with pytest.raises(InputError, match="too few"):
        split_cascades(c.select([0]), 0.5)


class SpyEstimator(BernoulliEstimator):
    """Records every item and (user, time) the estimator is given."""

    def fit(self, graph, actions):
        c = actions if isinstance(actions, Cascades) else Cascades.from_actions(graph, actions)
        self.seen_items = set(c.items.tolist())
        self.seen_actions = set(zip(c.node_ids[c.users].tolist(), c.time.tolist()))
        return super().fit(graph, actions)


def test_no_leakage_estimator_never_sees_test_cascades(synthetic):
    g, _, log = synthetic
    log = log.copy()
    log["timestamp"] += log["item"].str[1:].astype(int) * 1000
    spy = SpyEstimator()
    ev = evaluate_probabilities(g, log, spy, holdout=0.2, runs=20, rng=1)
    test_items = {f"c{k}" for k in range(480, 600)}
    assert ev.test_cascades == 120 and ev.estimator is spy
    assert not spy.seen_items & test_items
    assert spy.seen_items == {f"c{k}" for k in range(480)}
    # a marker time only the test cascades have never reaches fit
    marked = log.copy()
    is_test = marked["item"].isin(test_items)
    marked.loc[is_test, "timestamp"] += 123_456_789
    spy2 = SpyEstimator()
    evaluate_probabilities(g, marked, spy2, holdout=0.2, runs=20, rng=1)
    assert not any(t >= 123_456_789 * 10**9 for _, t in spy2.seen_actions)


def test_no_leakage_probabilities_ignore_the_test_cascades(synthetic):
    g, _, log = synthetic
    log = log.copy()
    log["timestamp"] += log["item"].str[1:].astype(int) * 1000
    test = log["item"].str[1:].astype(int) >= 480
    scrambled = log.copy()
    rng = np.random.default_rng(17)
    scrambled.loc[test, "user"] = rng.choice(g.node_ids, int(test.sum()))  # different users
    scrambled.loc[test, "timestamp"] += rng.integers(0, 5, int(test.sum()))
    for method in ("bernoulli", "jaccard", "em"):
        a = evaluate_probabilities(g, log, method, holdout=0.2, runs=10, rng=2)
        b = evaluate_probabilities(g, scrambled, method, holdout=0.2, runs=10, rng=2)
        assert np.array_equal(a.estimator.probs_, b.estimator.probs_), method
        assert not a.table.equals(b.table)  # the test cascades did change


def test_evaluation_table_and_determinism(synthetic):
    g, p, log = synthetic
    ev = evaluate_probabilities(g, log, EMEstimator(time_step=1), holdout=0.2, runs=50, rng=5)
    t = ev.table
    assert t["model"].tolist() == ["learned", "wc", "uniform", "trivalency"]
    assert t["prob"].tolist() == ["learned:em", "wc", "uniform:0.01", "trivalency"]
    assert list(ev.to_dict()["wc"]) == ["prob", "auc", "average_precision", "size_error",
                                        "predicted_size", "actual_size", "exposed_auc",
                                        "exposed_average_precision"]
    assert ((t["auc"] >= 0) & (t["auc"] <= 1)).all()
    assert ev.evaluated_cascades + ev.summary()["skipped_cascades"] == ev.test_cascades == 120
    per = ev.per_cascade[ev.per_cascade.model == "learned"]
    assert t.set_index("model").loc["learned", "size_error"] == pytest.approx(
        (per.predicted_size - per.actual_size).abs().mean())
    again = evaluate_probabilities(g, log, EMEstimator(time_step=1), holdout=0.2, runs=50, rng=5)
    pd.testing.assert_frame_equal(ev.table, again.table)
    # the truth is learnable here: the learned model ranks the real re-sharers best
    assert t.iloc[0]["auc"] > t.set_index("model").loc["wc", "auc"]


def test_evaluation_graph_before_the_split(tmp_path):
    # alice's content reaches bob; a share row after the split must not help the evaluation
    edges_csv = tmp_path / "edges.csv"
    edges_csv.write_text("source,target,type,timestamp\n"
                         "bob,alice,follow,\ncarol,alice,follow,\n"
                         "dave,alice,share,2024-01-10T00:00:00Z\n")
    edges = gk.read_edges([edges_csv])
    g = gk.SocialGraph.from_edges(edges)
    day = 86400
    t0 = pd.Timestamp("2024-01-01", tz="UTC").value // 10**9
    rows = []
    for k in range(8):
        rows += [("alice", f"i{k}", t0 + k * day), ("bob", f"i{k}", t0 + k * day + 60)]
    rows += [("dave", "i7", t0 + 7 * day + 90)]
    log = log_frame(rows)
    full = evaluate_probabilities(g, log, "bernoulli", holdout=0.25, runs=20, rng=1)
    asof = evaluate_probabilities(g, log, "bernoulli", holdout=0.25, runs=20, rng=1, edges=edges)
    assert full.summary()["eval_graph_edges"] == 3
    assert asof.summary()["eval_graph_edges"] == 2  # dave's share of Jan 10 is after the split
    assert asof.split_time == "2024-01-07T00:00:00Z"
    with pytest.raises(InputError, match="nothing is left"):
        late = tmp_path / "late.csv"
        late.write_text("source,target,timestamp\nbob,alice,2030-01-01T00:00:00Z\n")
        le = gk.read_edges([late])
        evaluate_probabilities(gk.SocialGraph.from_edges(le), log, holdout=0.25, runs=5, edges=le)
