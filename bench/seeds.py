#!/usr/bin/env python3
"""Benchmark: influence maximization, graphkit OPIM-C and IMM vs the authors' C++ IMM.

Tasks (``--tasks``; every peer gets the very same influence arcs and probabilities):

* ``nethept``: ``data/nethept.csv.gz`` with the published weighted-cascade probabilities
  (``--prob column:p``), IC, k = 50, epsilon 0.1 and 0.05.
* ``higgs-ic``, ``higgs-lt``: ``data/higgs-sample.csv.gz`` with weighted cascade, k = 20,
  epsilon 0.1 (IC; LT).
* ``synthetic-10M``: a power-law graph from :mod:`graphkit.synthetic` (1,000,000 users,
  10,000,000 rows, seed 2026, written once to ``bench/out/seeds-synthetic-1M-10M.csv``
  and read back with ``graphkit.read_edges``), weighted cascade, IC, k = 100, epsilon 0.1.
  Also timed as whole processes: the library pipeline (read, build, OPIM, print the seeds)
  and the command ``graphkit seeds FILE -k 100 --method opim --no-baselines --runs 20``.
* ``celf`` (not run by default): CELF (Monte Carlo greedy, 1,000 cascades per estimate)
  against graphkit IMM and OPIM (epsilon 0.1) on the 2,000 NetHEPT users nearest
  (breadth-first, both directions) to its highest-degree user, k = 20 (issue 6).

Peers:

* ``opim``         -- ``graphkit.seeds.opim(ig, k, epsilon=eps, rng=seed)``: OPIM-C's rounds
  find a lower bound on the optimum, the seeds are picked on IMM's number of fresh RR
  sets for it and certified (the default);
* ``opim-paper``   -- the same with ``refine=False``: the paper's OPIM-C, which returns the
  seeds of the first round whose ratio reaches ``1 - 1/e - epsilon``;
* ``imm``          -- ``graphkit.imm`` (Chen's fresh final RR sets);
* ``degree-discount`` -- ``graphkit.seeds.degree_discount`` (Chen, Wang, Yang 2009);
* ``C++ IMM``      -- the authors' code (Tang, Shi, Xiao; ``imm_discrete -model IC``), built
  outside this repository and passed with ``--imm-binary PATH``; IC tasks except the 10M
  graph. Its input (``graph_ic.inf``, ``u v p`` per arc) is written under ``bench/out/``.
  Single-threaded, fixed internal seed; time = its own ``InfluenceMaximize`` timer (graph
  reading excluded, like graphkit's in-process times) and the whole process's wall time
  and peak RSS (GNU ``time``). Because the machine's load drifts, ``opim`` and the C++ IMM
  are also timed in turn (opim call, C++ run, opim call, ...) from one process, and the
  median of the pairs' time ratios is printed.

graphkit peers run in a fresh process each, on all numba threads: the graph is loaded and
the kernels warmed up first, then ``--repeat`` (default 5; at most 3 on the 10M graph)
timed calls with seeds 1, 2, ...;
the median and the minimum are reported, with the process's peak RSS and the method's own
("own": the peak RSS of the timed calls minus the RSS before them, the peak mark reset
through ``/proc/self/clear_refs``). Spread: every seed
set is simulated with the same ``--runs`` IC/LT cascades (default 10,000; 20 on the 10M
graph, whose cascades reach ~440,000 users at ~0.35 s each), one fixed random seed, the
same streams for every set (paired); graphkit's spread is the mean over its repeats' seed
sets (seed 1 only on the 10M graph). The load average is printed with every row: the
machine is shared, so run every peer in one sitting and compare ratios.

Usage::

    python bench/seeds.py --imm-binary /path/to/IMM/imm_discrete
    python bench/seeds.py --tasks nethept --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
EVAL_SEED = 20240601
SYNTH = OUT / "seeds-synthetic-1M-10M.csv"
TASKS = {  # name: (data, model, k, epsilons)
    "nethept": ("nethept", "ic", 50, (0.1, 0.05)),
    "higgs-ic": ("higgs", "ic", 20, (0.1,)),
    "higgs-lt": ("higgs", "lt", 20, (0.1,)),
    "synthetic-10M": ("synthetic-10M", "ic", 100, (0.1,)),
}
PEERS = ("opim", "opim-paper", "imm", "degree-discount")

from _common import machine  # noqa: E402  (bench/ is on sys.path when run as a script)


# ----------------------------------------------------------------------------- data
def load(name):
    """The influence graph of a data set (positions are the C++ ids)."""
    import graphkit as gk

    if name == "nethept":
        edges = gk.read_edges([str(ROOT / "data" / "nethept.csv.gz")], extra_cols=("p",))
        return gk.influence_graph(gk.SocialGraph.from_edges(edges), "column:p", edges=edges)
    if name == "higgs":
        edges = gk.read_edges([str(ROOT / "data" / "higgs-sample.csv.gz")])
        return gk.influence_graph(gk.SocialGraph.from_edges(edges), "wc")
    if name == "nethept-2000":
        return subsample(load("nethept"), 2000)
    if name == "synthetic-10M":
        synthetic_file()
        edges = gk.read_edges([str(SYNTH)])
        return gk.influence_graph(gk.SocialGraph.from_edges(edges), "wc")
    raise ValueError(name)


def synthetic_file() -> Path:
    if not SYNTH.exists():
        from graphkit.synthetic import write_edges_csv

        OUT.mkdir(parents=True, exist_ok=True)
        write_edges_csv(str(SYNTH), 1_000_000, 10_000_000, rng=2026)
    return SYNTH


def subsample(ig, size):
    """The ``size`` users nearest (BFS over arcs in both directions) to the top-degree user."""
    from graphkit.weighting import InfluenceGraph

    n = ig.n_nodes
    nbr = [set() for _ in range(n)]
    src = np.repeat(np.arange(n), np.diff(ig.indptr))
    for u, v in zip(src.tolist(), ig.indices.tolist()):
        nbr[u].add(v)
        nbr[v].add(u)
    order = [int(np.argmax(ig.out_degree() + ig.in_degree()))]
    seen, i = set(order), 0
    while len(order) < size and i < len(order):
        for v in sorted(nbr[order[i]]):
            if v not in seen and len(order) < size:
                seen.add(v)
                order.append(v)
        i += 1
    keep = np.zeros(n, dtype=bool)
    keep[order] = True
    new = -np.ones(n, dtype=np.int64)
    new[np.flatnonzero(keep)] = np.arange(keep.sum())
    mask = keep[src] & keep[ig.indices]
    return InfluenceGraph.from_arcs(new[src[mask]], new[ig.indices[mask]], ig.prob[mask],
                                    node_ids=ig.node_ids[keep], model=ig.model)


def write_imm_input(ig, name) -> Path:
    d = OUT / f"imm-{name}"
    d.mkdir(parents=True, exist_ok=True)
    graph = d / "graph_ic.inf"
    if not graph.exists():
        src = np.repeat(np.arange(ig.n_nodes), np.diff(ig.indptr))
        tmp = d / "graph_ic.inf.tmp"
        np.savetxt(tmp, np.column_stack([src, ig.indices, ig.prob]), fmt=["%d", "%d", "%.17g"])
        os.replace(tmp, graph)
        (d / "attribute.txt").write_text(f"n={ig.n_nodes}\nm={ig.n_edges}\n")
    return d


# ----------------------------------------------------------------------------- peers
def pick(peer, ig, model, k, eps, seed):
    """Run one peer once; returns (positions, details)."""
    from graphkit.seeds import degree_discount, imm, opim

    if peer in ("opim", "opim-paper"):
        r = opim(ig, k, model=model, epsilon=eps, rng=seed, refine=peer == "opim")
        return r.positions, {"sets": r.rr_sets, "certified": r.certified_ratio,
                             "rounds": r.rounds, "stopped_by": r.stopped_by}
    if peer == "imm":
        r = imm(ig, k, model=model, epsilon=eps, rng=seed)
        return r.positions, {"sets": r.theta + r.sampling_sets}
    ids = degree_discount(ig, k, model=model)
    index = {u: i for i, u in enumerate(ig.node_ids.tolist())}
    return np.array([index[u] for u in ids]), {}


def child(task):
    """Time one peer in this fresh process and print one JSON line."""
    import gc

    import numba

    ig = load(task["data"])
    pick(task["peer"], ig, task["model"], min(task["k"], 5), 0.5, 0)  # compile / load caches
    gc.collect()
    reset = _reset_peak_rss()
    before = _status_kb("VmRSS")
    out = []
    for r in range(task["repeat"]):
        t0 = time.perf_counter()
        pos, info = pick(task["peer"], ig, task["model"], task["k"], task["eps"], r + 1)
        out.append({"time": time.perf_counter() - t0, "seeds": [int(x) for x in pos], **info})
        if task["peer"] == "degree-discount":
            break  # deterministic
    own = _status_kb("VmHWM") - before if reset else float("nan")
    print(json.dumps({"runs": out, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "own_kb": own, "threads": numba.get_num_threads(),
                      "load": os.getloadavg()[0]}))


def _reset_peak_rss() -> bool:
    """Reset this process's peak-RSS mark to its current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _status_kb(key) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    return float("nan")


def paired_child(task):
    """opim and the C++ IMM in turn, in this process: per-pair time ratios under the same load."""
    ig = load(task["data"])
    pick("opim", ig, task["model"], 5, 0.5, 0)
    d = Path(task["dir"])
    pairs = []
    for r in range(task["repeat"]):
        t0 = time.perf_counter()
        pick("opim", ig, task["model"], task["k"], task["eps"], r + 1)
        t = time.perf_counter() - t0
        c = _run_cpp_once(task["binary"], d, task["k"], task["eps"])["time"]
        pairs.append({"opim": t, "cpp": c, "ratio": t / c, "load": os.getloadavg()[0]})
    print(json.dumps(pairs))


def run_child(task):
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(task)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_cpp(binary, d, k, eps, repeat):
    runs = [_run_cpp_once(binary, d, k, eps) for _ in range(repeat)]
    return {"times": [r["time"] for r in runs], "walls": [r["wall"] for r in runs],
            "maxrss_kb": max(r["maxrss_kb"] for r in runs), "seeds": runs[0]["seeds"]}


def _run_cpp_once(binary, d, k, eps):
    cmd = [binary, "-dataset", str(d) + "/", "-k", str(k), "-model", "IC", "-epsilon", str(eps)]
    log, mem = d / f"run-k{k}-eps{eps}.log", d / f"run-k{k}-eps{eps}.maxrss"
    # GNU time reports the binary's own peak RSS (not a copy of this Python process)
    timer = ["/usr/bin/time", "-f", "%M", "-o", str(mem)] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.run(timer + cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=d)
    wall = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(text[-2000:])
    m = re.search(r"Spend\s+([0-9.]+)\s+seconds on InfluenceMaximize", text)
    s = re.search(r"seed_?[sS]et\s*=\s*([0-9 ,]+)", text)
    rss = float(mem.read_text().split()[-1]) if timer and mem.exists() else float("nan")
    return {"time": float(m.group(1)) if m else float("nan"), "wall": wall, "maxrss_kb": rss,
            "seeds": [int(x) for x in s.group(1).replace(",", " ").split()] if s else None}


def whole_process(cmd, env=None):
    """Wall seconds and peak RSS (KB) of a whole process, by GNU time."""
    mem = OUT / "whole.maxrss"
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(mem)] + cmd, cwd=ROOT,
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return wall, float(mem.read_text().split()[-1]), proc.stdout


PIPELINE = """
import sys, graphkit as gk
from graphkit.seeds import imm, opim
path, prob, method, k, eps = sys.argv[1:6]
edges = gk.read_edges([path], extra_cols=("p",) if prob == "column:p" else ())
ig = gk.influence_graph(gk.SocialGraph.from_edges(edges), prob, edges=edges)
res = (opim if method == "opim" else imm)(ig, int(k), epsilon=float(eps), rng=1)
print("\\n".join(res.seeds))
"""


def evaluate(ig, positions, model, runs):
    import graphkit as gk

    est = gk.simulate(ig, ig.node_ids[np.asarray(positions)].tolist(), model, runs=runs,
                      rng=EVAL_SEED)
    return est.mean, est.half_width


# ----------------------------------------------------------------------------- report
def versions():
    import numba
    import pandas

    return {"python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__, "pandas": pandas.__version__}


def task_rows(name, args, rows):
    data, model, k, epsilons = TASKS[name]
    ig = load(data)
    big = data == "synthetic-10M"
    runs = min(args.runs, 20) if big else args.runs
    print(f"\n## {name}: {ig.n_nodes:,} users, {ig.n_edges:,} arcs, {model.upper()}, k = {k}",
          flush=True)
    for eps in epsilons:
        group = []
        for peer in PEERS:
            if big and peer == "opim-paper":
                continue
            task = {"data": data, "model": model, "k": k, "eps": eps, "peer": peer,
                    "repeat": min(args.repeat, 3) if big else args.repeat}
            g = run_child(task)
            times = [r["time"] for r in g["runs"]]
            sets = g["runs"][:1] if big else g["runs"]
            spreads = [evaluate(ig, r["seeds"], model, runs) for r in sets]
            info = g["runs"][0]
            group.append({"task": name, "eps": eps, "peer": peer, "threads": g["threads"],
                          "median": statistics.median(times), "min": min(times), "wall": None,
                          "rss_mb": g["maxrss_kb"] / 1024, "own_mb": g["own_kb"] / 1024,
                          "spread": statistics.mean(s for s, _ in spreads),
                          "hw": statistics.mean(h for _, h in spreads), "load": g["load"],
                          "sets": info.get("sets"), "certified": info.get("certified"),
                          "rounds": info.get("rounds")})
        if args.imm_binary and model == "ic" and not big:
            d = write_imm_input(ig, data)
            c = run_cpp(args.imm_binary, d, k, eps, args.repeat)
            s = evaluate(ig, c["seeds"], model, runs) if c["seeds"] else (float("nan"),) * 2
            group.append({"task": name, "eps": eps, "peer": "C++ IMM", "threads": 1,
                          "median": statistics.median(c["times"]), "min": min(c["times"]),
                          "wall": statistics.median(c["walls"]), "rss_mb": c["maxrss_kb"] / 1024,
                          "own_mb": None,
                          "spread": s[0], "hw": s[1], "load": os.getloadavg()[0], "sets": None,
                          "certified": None, "rounds": None})
        ref = next((r for r in group if r["peer"] == "C++ IMM"), None) or next(
            r for r in group if r["peer"] == "imm")
        for r in group:
            r["vs"] = ref["peer"]
            r["time_ratio"] = r["median"] / ref["median"]
            r["spread_ratio"] = r["spread"] / ref["spread"]
            print(f"eps={eps:<5} {r['peer']:<16} median {r['median']:.3f}s min {r['min']:.3f}s"
                  + (f" (process wall {r['wall']:.3f}s)" if r["wall"] else "")
                  + f"  RSS {r['rss_mb']:,.0f} MB"
                  + (f" (own +{r['own_mb']:,.0f})" if r["own_mb"] is not None else "")
                  + f"  spread {r['spread']:,.1f} ±{r['hw']:.1f}"
                  + f"  time/{ref['peer']} {r['time_ratio']:.2f}  spread/{ref['peer']} "
                  + f"{r['spread_ratio']:.4f}"
                  + (f"  RR sets {r['sets']:,}" if r["sets"] else "")
                  + (f"  certified {r['certified']:.3f}" if r["certified"] else "")
                  + f"  load {r['load']:.2f}", flush=True)
        rows += group
        if args.imm_binary and model == "ic" and not big:
            pairs = run_child({"paired": True, "data": data, "model": model, "k": k, "eps": eps,
                               "repeat": args.repeat, "dir": str(d), "binary": args.imm_binary})
            ratios = [p["ratio"] for p in pairs]
            rows.append({"task": name, "eps": eps, "peer": "opim / C++ IMM, paired",
                         "pairs": pairs, "median_ratio": statistics.median(ratios)})
            print(f"eps={eps:<5} opim / C++ IMM, in turn in one process: ratios "
                  f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}"
                  f"  load {pairs[-1]['load']:.2f}", flush=True)
    if big:
        whole_rows(name, k, rows)
    elif name == "nethept":
        nethept = str(ROOT / "data" / "nethept.csv.gz")
        for eps in epsilons:
            for method in ("opim", "imm"):
                label = f"pipeline eps={eps} (read, build, {method})"
                wall, rss, _ = whole_process([sys.executable, "-c", PIPELINE, nethept, "column:p",
                                              method, str(k), str(eps)])
                rows.append({"task": name, "peer": label, "wall": wall, "rss_mb": rss / 1024,
                             "load": os.getloadavg()[0]})
                print(f"whole process: {label:<40} wall {wall:.2f}s  peak RSS {rss / 1024:,.0f} MB"
                      f"  load {os.getloadavg()[0]:.2f}", flush=True)


def celf_rows(args, rows):
    from graphkit.seeds.celf_alg import celf

    ig = load("nethept-2000")
    k = 20
    print(f"\n## CELF vs IMM and OPIM on a NetHEPT subsample: {ig.n_nodes:,} users, "
          f"{ig.n_edges:,} arcs, k = {k}", flush=True)
    res = {}
    for peer in ("opim", "imm"):
        pick(peer, ig, "ic", 2, 0.5, 0)
        t0 = time.perf_counter()
        pos, _ = pick(peer, ig, "ic", k, 0.1, 1)
        res[peer] = (time.perf_counter() - t0, pos)
    t0 = time.perf_counter()
    cres = celf(ig, k, runs=1000, rng=1, max_users=ig.n_nodes)
    res["CELF (1,000 runs/estimate)"] = (time.perf_counter() - t0, cres.positions)
    base = evaluate(ig, cres.positions, "ic", args.runs)[0]
    for name, (t, pos) in res.items():
        s = evaluate(ig, pos, "ic", args.runs)
        rows.append({"task": "celf", "peer": name, "median": t, "spread": s[0], "hw": s[1]})
        print(f"{name:<28} time {t:8.3f}s  spread {s[0]:,.2f} ±{s[1]:.2f}  spread/CELF "
              f"{s[0] / base:.4f}  load {os.getloadavg()[0]:.2f}", flush=True)


def whole_rows(name, k, rows):
    """The 10M graph as whole processes: the library pipeline and the command."""
    for label, cmd in (
            ("pipeline (read, build, opim)",
             [sys.executable, "-c", PIPELINE, str(SYNTH), "wc", "opim", str(k), "0.1"]),
            ("graphkit seeds --method opim --no-baselines --runs 20",
             [sys.executable, "-m", "graphkit", "--quiet", "seeds", str(SYNTH), "-k", str(k),
              "--method", "opim", "--no-baselines", "--runs", "20", "--random-seed", "1", "-o",
              str(OUT / "seeds-synthetic.csv")])):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        wall, rss, _ = whole_process(cmd, env)
        rows.append({"task": name, "peer": label, "wall": wall, "rss_mb": rss / 1024,
                     "load": os.getloadavg()[0]})
        print(f"whole process: {label:<56} wall {wall:.1f}s  peak RSS {rss / 1024:,.0f} MB  "
              f"load {os.getloadavg()[0]:.2f}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--imm-binary", default=None, help="the authors' imm_discrete, built locally")
    ap.add_argument("--tasks", default=",".join(TASKS),
                    help="comma-separated: " + ", ".join(TASKS) + ", celf")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--runs", type=int, default=10000, help="evaluation cascades per seed set")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        task = json.loads(args.child)
        (paired_child if task.get("paired") else child)(task)
        return 0
    if args.imm_binary and not os.access(args.imm_binary, os.X_OK):
        print(f"C++ IMM skipped: {args.imm_binary} is not an executable file")
        args.imm_binary = None
    if not args.imm_binary:
        print("C++ IMM skipped: pass --imm-binary PATH (the authors' imm_discrete, built locally)")
    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    rows = []
    for name in [t for t in args.tasks.split(",") if t]:
        if name == "celf":
            celf_rows(args, rows)
        else:
            task_rows(name, args, rows)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "seeds-results.json").write_text(json.dumps(rows, indent=1, default=str))
    print(f"\nload at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
