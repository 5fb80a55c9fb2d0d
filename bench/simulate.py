#!/usr/bin/env python3
"""Benchmark: Independent Cascade simulation, graphkit vs cynetdiff vs ndlib vs pure Python.

Task (the same for every peer): ``--runs`` (default 10,000) IC runs from the 50 users with
the highest out-degree in the influence graph (ties by position), report the mean reach
(seeds included). Medians of ``--repeat`` (default 3) timed repetitions after one warm-up
call each (numba compilation is not measured). Graph loading and model building are not
timed for anyone.

Data sets:

* ``nethept``: ``data/nethept.csv.gz`` with ``--prob column:p`` (the published
  weighted-cascade probabilities; see ``scripts/make_nethept.py``).
* ``higgs-sample``: ``data/higgs-sample.csv.gz`` with ``--prob wc``.

Peers, all fed the very same influence CSR and per-edge probabilities:

* ``graphkit``       -- ``graphkit.simulate(ig, seeds, "ic", runs=R, rng=...)``: the public
                        call, including per-user activation counts and the per-step curve; on
                        all numba threads (``graphkit`` row) and on one (``graphkit-1t``).
* ``cynetdiff``      -- ``IndependentCascadeModel(starts, edges, activation_probs=...)`` (a
                        Cython package; probabilities are stored as float32 there), run with
                        ``compute_marginal_gains(seeds, [], trials)``, its fastest path, in 100
                        batches so that a standard error can be computed. Single-threaded.
* ``ndlib``          -- ``IndependentCascadesModel`` on a networkx DiGraph with every edge's
                        ``threshold`` set to its probability, ``reset`` + ``iteration`` until
                        no node is infected. **Fewer runs** (``--ndlib-runs``), runs/second
                        scaled to the full run count.
* ``python-ref``     -- graphkit's pure-Python reference loop
                        (``graphkit.diffusion._reference``), **fewer runs** (``--ref-runs``),
                        scaled.

Every peer's mean must agree with graphkit's: the two 95% confidence intervals must
overlap (the script prints the z-score of the difference too). Ratios are graphkit's
runs/second divided by the peer's. Goals (issue 5): >= 2x cynetdiff on 2 cores, >= 100x ndlib.

cynetdiff and ndlib are benchmark-only peers, not graphkit dependencies
(``pip install cynetdiff ndlib``); a missing peer is skipped with a message.

Usage::

    python bench/simulate.py                       # both data sets, 3 repeats
    python bench/simulate.py --quick               # nethept only, 1 repeat, fewer runs
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATASETS = {
    "nethept": (ROOT / "data" / "nethept.csv.gz", "column:p"),
    "higgs-sample": (ROOT / "data" / "higgs-sample.csv.gz", "wc"),
}
Z95 = 1.959963984540054


# ----------------------------------------------------------------------------- setup
from _common import machine  # noqa: E402  (bench/ is on sys.path when run as a script)


def load(name):
    import graphkit as gk

    path, prob = DATASETS[name]
    extra = ("p",) if prob == "column:p" else ()
    edges = gk.read_edges([str(path)], extra_cols=extra)
    graph = gk.SocialGraph.from_edges(edges)
    ig = gk.influence_graph(graph, prob, edges=edges)
    seed_pos = np.argsort(-ig.out_degree(), kind="stable")[:50]
    return ig, seed_pos, prob


def timed(fn, repeat):
    """Median wall time of ``repeat`` calls (after the caller's warm-up) and the last result."""
    times, out = [], None
    for i in range(repeat):
        t0 = time.perf_counter()
        out = fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def summary(reach):
    reach = np.asarray(reach, dtype=np.float64)
    return float(reach.mean()), float(reach.std(ddof=1) / math.sqrt(len(reach)))


# ----------------------------------------------------------------------------- peers
def run_graphkit(ig, seed_pos, runs, repeat, threads):
    import numba

    import graphkit as gk

    seeds = ig.node_ids[seed_pos].tolist()
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        gk.simulate(ig, seeds, "ic", runs=256, rng=0)  # warm-up: compile / load the cache
        sec, est = timed(lambda i: gk.simulate(ig, seeds, "ic", runs=runs, rng=1000 + i), repeat)
    finally:
        numba.set_num_threads(old)
    return sec, runs, est.mean, est.std_error


def run_cynetdiff(ig, seed_pos, runs, repeat):
    import array

    from cynetdiff.models import IndependentCascadeModel

    starts = array.array("I", ig.indptr[:-1].astype(np.uint32).tolist())
    edges = array.array("I", ig.indices.astype(np.uint32).tolist())
    probs = array.array("f", ig.prob.tolist())
    seeds = [int(s) for s in seed_pos]
    batches = 100
    per = max(1, runs // batches)

    def go(i):
        model = IndependentCascadeModel(starts, edges, activation_probs=probs, rng=2000 + i)
        return [model.compute_marginal_gains(seeds, [], per)[0] for _ in range(batches)]

    go(-1)
    sec, means = timed(go, repeat)
    means = np.asarray(means)
    return sec, per * batches, float(means.mean()), float(means.std(ddof=1) / math.sqrt(batches))


def run_ndlib(ig, seed_pos, runs, repeat):
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc
    import networkx as nx

    n = ig.n_nodes
    src = np.repeat(np.arange(n), ig.out_degree()).tolist()
    dst = ig.indices.tolist()
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(src, dst))
    cfg = mc.Configuration()
    seeds = [int(s) for s in seed_pos]
    cfg.add_model_initial_configuration("Infected", seeds)
    for u, v, p in zip(src, dst, ig.prob.tolist()):
        cfg.add_edge_configuration("threshold", (u, v), p)
    model = ep.IndependentCascadesModel(g, seed=3000)  # note: ndlib seeds NumPy's global RNG
    model.set_initial_status(cfg)

    def go(i):
        reach = []
        for _ in range(runs):
            model.reset(infected_nodes=seeds)
            while True:
                it = model.iteration(node_status=False)
                if it["iteration"] > 0 and it["node_count"][1] == 0:
                    break
            reach.append(n - it["node_count"][0])
        return reach

    sec, reach = timed(go, repeat)
    return (sec, runs, *summary(reach))


def run_reference(ig, seed_pos, runs, repeat):
    from graphkit.diffusion._reference import simulate_reference

    sec, (reach, _, _) = timed(
        lambda i: simulate_reference(ig.indptr, ig.indices, ig.prob, seed_pos, runs, "ic",
                                     seed=4000 + i), repeat)
    return (sec, runs, *summary(reach))


# ----------------------------------------------------------------------------- main
def versions():
    import numba

    out = {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__}
    for mod in ("cynetdiff", "ndlib", "networkx"):
        try:
            from importlib.metadata import version

            out[mod] = version(mod)
        except Exception:  # noqa: BLE001 - a missing peer just has no version
            out[mod] = "missing"
    return out



def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="nethept,higgs-sample")
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ndlib-runs", type=int, default=30, help="ndlib runs per repetition")
    ap.add_argument("--ref-runs", type=int, default=300, help="pure-Python runs per repetition")
    ap.add_argument("--quick", action="store_true", help="nethept only, 1 repeat, 2,000 runs")
    args = ap.parse_args(argv)
    if args.quick:
        args.datasets, args.repeat, args.runs = "nethept", 1, 2000
        args.ndlib_runs, args.ref_runs = 5, 50
    import numba

    threads = numba.get_num_threads()
    print(f"machine: {machine()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(f"task: {args.runs:,} IC runs from the 50 highest out-degree users; medians of "
          f"{args.repeat}; graphkit on {threads} numba threads (graphkit-1t: one thread)\n")
    ok = True
    for name in args.datasets.split(","):
        ig, seed_pos, prob = load(name)
        print(f"## {name}: {ig.n_nodes:,} users, {ig.n_edges:,} edges, --prob {prob}")
        rows = [("graphkit", *run_graphkit(ig, seed_pos, args.runs, args.repeat, threads))]
        if threads > 1:
            rows.append(("graphkit-1t", *run_graphkit(ig, seed_pos, args.runs, args.repeat, 1)))
        for peer, fn, runs in (("cynetdiff", run_cynetdiff, args.runs),
                               ("ndlib", run_ndlib, args.ndlib_runs),
                               ("python-ref", run_reference, args.ref_runs)):
            try:
                rows.append((peer, *fn(ig, seed_pos, runs, args.repeat)))
            except ImportError as exc:
                print(f"  {peer}: skipped ({exc}); pip install cynetdiff ndlib")
        base = rows[0]
        gk_rate = base[2] / base[1]
        print(f"{'peer':<12} {'runs':>7} {'median s':>9} {'runs/s':>10} {'s/10k runs':>10} "
              f"{'mean':>9} {'95% CI':>19} {'z':>6} {'agree':>5} {'gk ratio':>8}")
        for peer, sec, runs, mean, se in rows:
            rate = runs / sec
            lo, hi = mean - Z95 * se, mean + Z95 * se
            blo, bhi = base[3] - Z95 * base[4], base[3] + Z95 * base[4]
            agree = lo <= bhi and blo <= hi
            z = (mean - base[3]) / math.hypot(se, base[4]) if peer != "graphkit" else 0.0
            ok &= agree
            scaled = "" if runs == args.runs else " (scaled)"
            print(f"{peer:<12} {runs:>7,} {sec:>9.3f} {rate:>10,.0f} {10_000 / rate:>10.3f} "
                  f"{mean:>9.2f} {f'[{lo:.1f}, {hi:.1f}]':>19} {z:>6.2f} {'yes' if agree else 'NO':>5} "
                  f"{gk_rate / rate:>7.1f}x{scaled}")
        print()
    print("all means agree" if ok else "MEANS DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
