#!/usr/bin/env python3
"""Benchmark: learning influence probabilities from action logs (``graphkit learn``, issue 8).

Two data sets:

* ``higgs`` -- the bundled graph ``data/higgs-sample.csv.gz`` (48,132 users, 227,949 edges)
  and the bundled action log ``data/higgs-actions.csv.gz``: every retweet of the full SNAP
  Higgs activity file whose two users are both in the sample (37,201 retweets), grouped into
  items = 6-hour bursts of retweets of one author, each author added as the initiator of
  their bursts (``scripts/make_actions.py``): 46,047 actions, 8,846 cascades.
* ``synthetic`` -- ground truth at scale: a seeded power-law graph (``graphkit.synthetic``,
  200,000 users, 2,000,000 rows), true IC probabilities either ``p = wc x U(0, 2)`` (weighted
  cascade on average, heterogeneous per edge: wc is right on average) or ``p ~ U(0, 2 m)`` with
  ``m`` the mean wc probability ("flat": the same mean, unrelated to the degrees, so wc's
  degree rule is wrong), and 100,000 cascades simulated from uniformly random
  single seeds by a numba breadth-first loop that records every activation step (timestamp =
  step, in seconds; cascade ``c`` starts at ``c x 10^4`` s): 1.79 million actions with the
  first truth.

For each data set and method (bernoulli, jaccard, em):

* **learning time**: median of ``--repeat`` (default 3) fits on all cascades, after one warm-up
  fit (numba compilation not timed); reading and grouping the log are timed separately.
* **peak memory**: a fresh process loads the graph and the log, then fits once; ``VmHWM`` (peak
  resident set, from /proc/self/status) is read before and after the fit.
* **held-out evaluation**: the last 20% of cascades by start time held out, learned / wc /
  uniform:0.01 / trivalency, ``--runs`` IC simulations per test cascade and model, ROC-AUC,
  average precision and size error (``graphkit.learn.evaluate_probabilities``), without a
  prior, with a wc prior of weight 1, and with a wc prior of weight chosen by validation on
  the training cascades (``prior_weight="auto"``). On the synthetic data Bernoulli and
  Jaccard count a propagation only one step after the influencer (``window=1``), EM uses
  Saito's discrete steps (``time_step=1``). On Higgs, both evaluation graphs: the
  graph as of the split time (the CLI default) and the whole graph (whose share rows include
  the test cascades' own retweets). On the synthetic data (no timestamps on edges), the whole
  graph, the last 2% of the cascades (2,000) held out; the true probabilities are scored too
  (``truth``: what a perfect estimate would get).

Usage::

    python bench/learn.py                 # both data sets (~10 minutes on 2 cores)
    python bench/learn.py --quick         # Higgs only, 1 repeat
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HIGGS_EDGES = ROOT / "data" / "higgs-sample.csv.gz"
HIGGS_ACTIONS = ROOT / "data" / "higgs-actions.csv.gz"
METHODS = ("bernoulli", "jaccard", "em")
SEED = 7


# ----------------------------------------------------------------------------- synthetic data
def _ic_steps_kernel():
    from numba import njit

    from graphkit._streams import next_uniform, seed_state

    @njit(cache=True)
    def ic_steps(indptr, indices, prob, n_cascades, seed):  # pragma: no cover - compiled
        """IC cascades from uniform random seeds; returns (user, cascade, step) per activation."""
        n = indptr.shape[0] - 1
        state = np.empty(4, dtype=np.uint64)
        seed_state(state, seed, 0)
        stamp = np.full(n, -1, dtype=np.int64)
        queue = np.empty(n, dtype=np.int64)
        step = np.empty(n, dtype=np.int64)
        cap = 1 << 20
        users = np.empty(cap, dtype=np.int64)
        casc = np.empty(cap, dtype=np.int64)
        steps = np.empty(cap, dtype=np.int64)
        k = 0
        for c in range(n_cascades):
            s = min(n - 1, int(next_uniform(state) * n))
            stamp[s] = c
            queue[0] = s
            step[0] = 0
            head, tail = 0, 1
            while head < tail:
                u = queue[head]
                su = step[head]
                head += 1
                for j in range(indptr[u], indptr[u + 1]):
                    v = indices[j]
                    if stamp[v] != c and next_uniform(state) < prob[j]:
                        stamp[v] = c
                        queue[tail] = v
                        step[tail] = su + 1
                        tail += 1
            if k + tail > users.shape[0]:
                size = max(2 * users.shape[0], k + tail)
                users2 = np.empty(size, dtype=np.int64)
                casc2 = np.empty(size, dtype=np.int64)
                steps2 = np.empty(size, dtype=np.int64)
                users2[:k] = users[:k]
                casc2[:k] = casc[:k]
                steps2[:k] = steps[:k]
                users, casc, steps = users2, casc2, steps2
            for i in range(tail):
                users[k] = queue[i]
                casc[k] = c
                steps[k] = step[i]
                k += 1
        return users[:k], casc[:k], steps[:k]

    return ic_steps


def synthetic(truth_model="wc", n_users=200_000, n_rows=2_000_000, n_cascades=100_000):
    """(graph, Cascades, true probabilities) of the synthetic data set.

    ``truth_model="wc"``: ``p = wc x U(0, 2)``; ``"flat"``: ``p ~ U(0, 2 m)`` with ``m`` the
    mean wc probability, independent of the degrees.
    """
    import graphkit as gk
    from graphkit.learn import Cascades
    from graphkit.synthetic import powerlaw_edges
    from graphkit.weighting import weighted_cascade

    e = powerlaw_edges(n_users, n_rows, rng=SEED)
    graph = gk.SocialGraph.from_arrays(e["source"], e["target"],
                                       np.array([str(i) for i in range(n_users)], dtype=object))
    rng = np.random.default_rng(SEED)
    wc = weighted_cascade(graph)
    if truth_model == "wc":
        truth = np.minimum(1.0, wc * rng.uniform(0.0, 2.0, graph.n_edges))
    else:
        truth = rng.uniform(0.0, 2.0 * wc.mean(), graph.n_edges)
    ig = gk.influence_graph(graph, truth)
    users, casc, steps = _ic_steps_kernel()(ig.indptr, ig.indices, ig.prob, n_cascades, SEED)
    # built directly in cascade order (already grouped; times = steps), as from_actions would
    order = np.lexsort((users, steps, casc))
    users, casc, steps = users[order], casc[order], steps[order]
    ptr = np.r_[0, np.flatnonzero(np.diff(casc)) + 1, casc.shape[0]].astype(np.int64)
    start = casc[ptr[:-1]] * 10**4  # cascade c starts at time c * 10^4 s: a time order
    t = (np.repeat(start, np.diff(ptr)) + steps) * 10**9
    items = np.array([f"c{c}" for c in casc[ptr[:-1]]], dtype=object)
    report = {"actions_read": int(users.shape[0]), "actions": int(users.shape[0]),
              "unknown_user_actions": 0, "unknown_users": 0, "repeat_actions": 0,
              "items": int(items.shape[0]), "items_without_graph_users": 0,
              "cascades": int(items.shape[0]), "time_sorted": True}
    c = Cascades(graph.node_ids, ptr, users.astype(np.int32), t.astype(np.int64), items, report)
    return graph, c, truth


def higgs():
    """(graph, edges, ActionLog) of the bundled Higgs sample."""
    import graphkit as gk
    from graphkit.learn import read_actions

    edges = gk.read_edges([str(HIGGS_EDGES)])
    return gk.SocialGraph.from_edges(edges), edges, read_actions(HIGGS_ACTIONS)


def estimator(dataset, method, prior=None, weight=1.0):
    """The estimator of a benchmark row (on the synthetic data, time is in IC steps)."""
    from graphkit.learn import make_estimator

    params = {"prior": prior, "prior_weight": weight}
    if dataset == "synthetic":
        params["time_step" if method == "em" else "window"] = 1
    return make_estimator(method, **params)


# ----------------------------------------------------------------------------- measurements
def vm_hwm_gib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 2**20
    return float("nan")


#: Timed configurations: name -> (method, prior, prior weight).
TIMED = {"bernoulli": ("bernoulli", None, 1.0), "jaccard": ("jaccard", None, 1.0),
         "em": ("em", None, 1.0), "em + wc prior (auto)": ("em", "wc", "auto")}


def child(dataset, name):
    """Run in a fresh process: load, then one fit; print peak RSS before and after as JSON."""
    if dataset == "higgs":
        graph, _, log = higgs()
        from graphkit.learn import Cascades

        cascades = Cascades.from_actions(graph, log)
    else:
        graph, cascades, _ = synthetic("wc")
    before = vm_hwm_gib()
    estimator(dataset, *TIMED[name]).fit(graph, cascades)
    print(json.dumps({"before": before, "after": vm_hwm_gib()}))


def peak_memory(dataset, method):
    out = subprocess.run([sys.executable, __file__, "--child", dataset, method],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_fits(dataset, graph, cascades, repeat):
    rows = []
    for name, config in TIMED.items():
        est = estimator(dataset, *config)
        est.fit(graph, cascades)  # warm-up: numba compilation
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            est = estimator(dataset, *config).fit(graph, cascades)
            times.append(time.perf_counter() - t0)
        mem = peak_memory(dataset, name)
        extra = f", {est.n_iter_} EM iterations" if config[0] == "em" else ""
        if config[2] == "auto":
            extra += f", w = {est.prior_weight_:g}"
        rows.append((name, statistics.median(times), mem["before"], mem["after"],
                     est.edges_learned_, int((est.probs_ > 0).sum()), extra))
    print(f"\n### learning time and memory ({dataset}: {cascades.n_actions:,} actions, "
          f"{cascades.n_cascades:,} cascades, {graph.n_edges:,} edges)\n")
    print("| method | fit (median) | actions/s | peak RSS before fit | peak RSS after fit | "
          "edges with evidence | edges p > 0 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, t, before, after, learned, nonzero, extra in rows:
        print(f"| {method}{extra} | {t:.3f} s | {cascades.n_actions / t:,.0f} | {before:.2f} GiB | "
              f"{after:.2f} GiB | {learned:,} | {nonzero:,} |")


PRIORS = ((None, 1.0), ("wc", 1.0), ("wc", "auto"))


def _vs(ev, model="wc", metric="auc"):
    """``learned - model`` on ``metric`` with its 95% interval, as table text."""
    r = ev.comparison.set_index(["model", "metric"]).loc[(model, metric)]
    return f"{r['mean_diff']:+.4f} [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]"


def evaluation_table(title, graph, cascades, dataset, runs, edges=None, truth=None,
                     holdout=0.2, priors=PRIORS):
    from graphkit.learn import evaluate_probabilities

    rows = []
    for method in METHODS:
        for prior, weight in priors:
            t0 = time.perf_counter()
            est = estimator(dataset, method, prior, weight)
            ev = evaluate_probabilities(graph, cascades, est, holdout=holdout, runs=runs,
                                        edges=edges, rng=SEED)
            dt = time.perf_counter() - t0
            label = method
            if prior:
                label += f" + wc prior (w = {est.prior_weight_:g}"
                label += ", auto)" if weight == "auto" else ")"
            rows.append((f"learned: {label}", ev.table.set_index("model").loc["learned"],
                         ev.exposure.set_index("model").loc["learned"], _vs(ev),
                         _vs(ev, metric="exposed_auc"), f"{dt:.1f} s"))
            base = ev
    if truth is not None:
        tr = _truth_eval(graph, cascades, truth, runs, holdout)
        rows.append(("true probabilities", tr.table.set_index("model").loc["learned"],
                     tr.exposure.set_index("model").loc["learned"], _vs(tr),
                     _vs(tr, metric="exposed_auc"), ""))
    for model in ("wc", "uniform", "trivalency"):
        rows.append((base.table.set_index("model").loc[model, "prob"],
                     base.table.set_index("model").loc[model],
                     base.exposure.set_index("model").loc[model], "", "", ""))
    s = base.summary()
    cov = base.coverage
    print(f"\n### held-out evaluation: {title}\n")
    print(f"{s['train_cascades']:,} training / {s['evaluated_cascades']:,} evaluated test "
          f"cascades (from {s['split_time']}), {runs} IC runs per test cascade and model, "
          f"graph: {s['eval_graph']} ({s['eval_graph_edges']:,} of {s['graph_edges']:,} edges). "
          "Macro-averages over the test cascades; `AUC - wc`: mean per-cascade difference "
          "[95% CI]. Exposed: pooled over the (cascade, user) pairs where an influencer of "
          f"the user acted first ({int(base.exposure['exposed'].iloc[0]):,} pairs, "
          f"{int(base.exposure['positives'].iloc[0]):,} followed), no simulation; "
          "`exposed - wc`: difference [95% bootstrap CI over cascades].\n")
    print(f"Held-out re-sharers: {cov['resharers']:,}; next to an initiator {cov['direct']:,}, "
          f"reached by longer paths {cov['path']:,}, by no path {cov['unreachable']:,}; "
          f"exposed {cov['exposed']:,}.\n")
    print("| model | ROC-AUC | AUC - wc | avg precision | size error | predicted size | "
          "actual size | exposed AUC | exposed - wc | exposed AP | evaluation time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r, x, vs, xvs, dt in rows:
        print(f"| {label} | {r['auc']:.4f} | {vs} | {r['average_precision']:.4f} | "
              f"{r['size_error']:.2f} | {r['predicted_size']:.2f} | {r['actual_size']:.2f} | "
              f"{x['auc']:.4f} | {xvs} | {x['average_precision']:.4f} | {dt} |")


#: Runs per test cascade of the Higgs sweep (``--sweep``).
SWEEP = (100, 1_000, 10_000, 50_000)


def runs_sweep(graph, cascades, edges, runs_list):
    """The learned-vs-wc AUC as the simulations resolve smaller activation probabilities."""
    from graphkit.learn import evaluate_probabilities

    print("\n### Higgs: learned vs wc as the runs per cascade grow\n")
    print("Graph as of the split time; `AUC - wc`: mean per-cascade difference [95% CI]; "
          "won / lost / tied: cascades.\n")
    print("| learned model | runs | learned AUC | wc AUC | AUC - wc | won / lost / tied | "
          "learned AP | wc AP | time |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for method in ("bernoulli", "em"):
        for runs in runs_list:
            t0 = time.perf_counter()
            est = estimator("higgs", method, "wc", "auto")
            ev = evaluate_probabilities(graph, cascades, est, runs=runs, edges=edges, rng=SEED)
            dt = time.perf_counter() - t0
            t = ev.table.set_index("model")
            r = ev.comparison.set_index(["model", "metric"]).loc[("wc", "auc")]
            print(f"| {method} + wc prior (w = {est.prior_weight_:g}, auto) | {runs:,} | "
                  f"{t.loc['learned', 'auc']:.4f} | {t.loc['wc', 'auc']:.4f} | {_vs(ev)} | "
                  f"{int(r['wins']):,} / {int(r['losses']):,} / {int(r['ties']):,} | "
                  f"{t.loc['learned', 'average_precision']:.4f} | "
                  f"{t.loc['wc', 'average_precision']:.4f} | {dt:.0f} s |", flush=True)


def _truth_eval(graph, cascades, truth, runs, holdout):
    """Evaluate the true probabilities as if they had been learned (an upper reference)."""
    from graphkit.learn import evaluate_probabilities

    class Truth:
        method = "truth"

        def fit(self, g, c):
            self.probs_ = truth
            return self

        def influence_graph(self):
            import graphkit as gk

            return gk.influence_graph(graph, truth)

    return evaluate_probabilities(graph, cascades, Truth(), holdout=holdout, runs=runs, rng=SEED)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Higgs only, one repeat")
    parser.add_argument("--only", choices=["higgs", "synthetic"], help="one data set only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100, help="IC runs per test cascade")
    parser.add_argument("--sweep", default=",".join(map(str, SWEEP)),
                        help="runs per test cascade of the Higgs learned-vs-wc sweep "
                             "(comma-separated; '' to skip; default %(default)s)")
    parser.add_argument("--child", nargs=2, metavar=("DATASET", "CONFIG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    repeat = 1 if args.quick else args.repeat

    import numba
    import pandas
    import scipy

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}, "
          f"numba {numba.__version__}")
    if args.only != "synthetic":
        run_higgs(args, repeat)
    if args.quick or args.only == "higgs":
        return 0
    for truth_model, what in (("wc", "wc x U(0, 2)"), ("flat", "U(0, 2 x mean wc)")):
        t0 = time.perf_counter()
        graph, cascades, truth = synthetic(truth_model)
        print(f"\nsynthetic, true p = {what}: generated in {time.perf_counter() - t0:.1f} s")
        if truth_model == "wc":
            time_fits("synthetic", graph, cascades, repeat)
        evaluation_table(f"synthetic, true p = {what}, last 2,000 cascades held out", graph,
                         cascades, "synthetic", args.runs, truth=truth, holdout=0.02)
    return 0


def run_higgs(args, repeat):
    from graphkit.learn import Cascades

    t0 = time.perf_counter()
    graph, edges, log = higgs()
    t1 = time.perf_counter()
    cascades = Cascades.from_actions(graph, log)
    t2 = time.perf_counter()
    print(f"\nhiggs: graph read in {t1 - t0:.2f} s (with the action log); cascades grouped in "
          f"{t2 - t1:.3f} s")
    time_fits("higgs", graph, cascades, repeat)
    evaluation_table("Higgs, graph as of the split time (CLI default)", graph, cascades, "higgs",
                     args.runs, edges=edges)
    evaluation_table("Higgs, whole graph (leaks the test retweets as share edges)", graph,
                     cascades, "higgs", args.runs)
    if args.sweep and not args.quick:
        runs_sweep(graph, cascades, edges, [int(x) for x in args.sweep.split(",")])


if __name__ == "__main__":
    sys.exit(main())
