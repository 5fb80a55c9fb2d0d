#!/usr/bin/env python3
"""Benchmark: who-to-follow quality on a held-out timed log, and the speed of recommend/segments.

Three parts, all in one run:

1. **Held-out quality.** The Higgs activity log (``A B t TYPE``: A retweeted / replied to /
   mentioned B at unix time t; 563,069 rows) and the bundled sample (follows + timed
   activity), split 80/20 by time: every method recommends 10 users, from the earlier 80%,
   to each user who starts a new contact in the last 20%; precision@10, recall@10 and MRR
   (:func:`graphkit.recommend.evaluate_recommendations`).
2. **Against networkx on the same pairs.** Adamic-Adar of every (user, friend-of-friend)
   pair of a sample of users of the Higgs sample: ``networkx.adamic_adar_index`` vs
   graphkit's :func:`score_pairs` (same numbers checked) and vs graphkit's all-candidates
   top-10 kernel on the same users.
3. **All users on a 1M-edge graph**: a seeded typed power-law graph, 200,000 users and
   1,000,000 interaction rows (``graphkit.synthetic``), written to CSV; the library call
   for every method (median of ``--repeat`` after a warm-up) and whole processes
   ``graphkit recommend FILE --all -o recs.csv`` and ``graphkit segments FILE -o seg.csv``
   (``/usr/bin/time``-style wall time and peak RSS, cold = first run after a numba cache
   wipe is *not* attempted; the first process run is reported separately as "first").

4. ``--compile``: the first call of each kernel (``top_candidates``, ``shared_contacts``
   through ``recommend``, ``rr_coverage`` through ``single_seed_reach``) in a fresh process
   with an empty private ``NUMBA_CACHE_DIR``, minus nothing: CPU of the first call on a
   40-user graph, i.e. the compile (with ``--baseline``, both trees, interleaved).

5. With ``--baseline DIR`` (a checkout of earlier code, e.g. ``git worktree add /tmp/base
   main``): the two whole processes of part 3 run in turn with the earlier code and this
   one (``PYTHONPATH``), ``--repeat`` pairs; medians of wall and CPU, the CPU ratio of each
   pair, and whether the two output files are byte-identical.

Usage::

    python bench/recommend.py                  # everything (~5 minutes on 2 busy cores)
    python bench/recommend.py --quick          # the sample's held-out test and 1M timings only
    python bench/recommend.py --paired-only --baseline /tmp/base --repeat 3
    python bench/recommend.py --compile --baseline /tmp/base --repeat 2
    python bench/recommend.py --stages --baseline /tmp/base --repeat 3
    python bench/recommend.py --paired-only --only recommend --baseline /tmp/base
    python bench/recommend.py --tol-sweep 1e-4 2e-4 3e-4   # PPR threshold vs quality
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import machine  # noqa: E402

HIGGS_SAMPLE = ROOT / "data" / "higgs-sample.csv.gz"
HIGGS_ACTIVITY = ROOT.parent.parent / "shared" / "data" / "higgs" / "higgs-activity_time.txt.gz"
OUT = ROOT / "bench" / "out"
SEED = 7


def held_out(edges, name: str) -> None:
    from graphkit.recommend import METHODS, evaluate_recommendations

    t = time.perf_counter()
    ev = evaluate_recommendations(edges, methods=METHODS, k=10, test_fraction=0.2, by="time")
    dt = time.perf_counter() - t
    d = ev.holdout.details
    print(f"\n### held-out test: {name}")
    print(f"split by time at {d['cut']}: {d['train_rows']:,} training rows, {d['test_rows']:,} "
          f"test rows, {d['new_pairs']:,} new pairs for {d['users']:,} users "
          f"(all 7 methods in {dt:.1f} s)")
    aa = float(ev.table.set_index("method").loc["adamic-adar", "recall_at_k"])
    print("| method | precision@10 | recall@10 | MRR | hits | recall vs Adamic-Adar |")
    print("|---|---:|---:|---:|---:|---:|")
    for _, r in ev.table.iterrows():
        print(f"| {r['method']} | {r['precision_at_k']:.4f} | {r['recall_at_k']:.4f} | "
              f"{r['mrr']:.4f} | {r['hits']:,} | {r['recall_at_k'] / aa:.2f}x |")


def tol_sweep(tols: list[float]) -> None:
    """The PPR push threshold against held-out quality: a larger ``tol`` pushes less (the
    kernel's work is ~proportional to 1 / tol) but finds fewer of the later contacts."""
    import graphkit as gk
    from graphkit.recommend import evaluate_recommendations

    logs = [("bundled Higgs sample", gk.read_edges([str(HIGGS_SAMPLE)]))]
    if HIGGS_ACTIVITY.exists():
        logs.insert(0, ("Higgs activity log", gk.read_edges([str(HIGGS_ACTIVITY)], time_col="3",
                                                            type_col="4", header=False)))
    print("\n### PPR push threshold vs held-out quality (80/20 by time, k = 10)")
    print("| log | --tol | precision@10 | recall@10 | MRR | hits | evaluation CPU |\n"
          "|---|---:|---:|---:|---:|---:|---:|")
    for name, edges in logs:
        for tol in tols:
            c = time.process_time()
            ev = evaluate_recommendations(edges, methods=["ppr"], k=10, test_fraction=0.2,
                                          by="time", tol=tol)
            r = ev.table.iloc[0]
            print(f"| {name} | {tol:g} | {r['precision_at_k']:.4f} | {r['recall_at_k']:.4f} | "
                  f"{r['mrr']:.4f} | {int(r['hits']):,} | {time.process_time() - c:.1f} s |",
                  flush=True)


def versus_networkx(n_users: int = 300) -> None:
    import networkx as nx

    import graphkit as gk
    from graphkit.recommend import contact_graph, score_pairs
    from graphkit.recommend.scorers import top_positions

    g = gk.SocialGraph.from_edges(gk.read_edges([str(HIGGS_SAMPLE)]))
    cg = contact_graph(g)
    rng = np.random.default_rng(SEED)
    users = rng.choice(np.flatnonzero(cg.degree > 0), size=n_users, replace=False)
    pairs = []
    for u in users.tolist():
        near = set(cg.contacts(u).tolist())
        two = {int(v) for w in cg.contacts(u).tolist() for v in cg.contacts(w).tolist()}
        pairs += [(u, v) for v in sorted(two - near - {u})]
    ids = g.node_ids
    id_pairs = [(ids[a], ids[b]) for a, b in pairs]
    G = nx.Graph()
    G.add_edges_from(zip(ids[g.sources()].tolist(), ids[g.indices].tolist()))
    t = time.perf_counter()
    ref = [s for _, _, s in nx.adamic_adar_index(G, id_pairs)]
    t_nx = time.perf_counter() - t
    score_pairs(g, id_pairs[:10])  # compile
    t = time.perf_counter()
    ours = score_pairs(g, id_pairs, "adamic-adar")
    t_pairs = time.perf_counter() - t
    top_positions(g, users[:5], method="adamic-adar")
    t = time.perf_counter()
    top_positions(g, users, top=10, method="adamic-adar")
    t_top = time.perf_counter() - t
    err = float(np.max(np.abs(np.asarray(ref) - ours)))
    print(f"\n### Adamic-Adar vs networkx: {len(pairs):,} (user, friend-of-friend) pairs of "
          f"{n_users} users of the Higgs sample (max |difference| {err:.1e})")
    print("| | time | vs networkx |\n|---|---:|---:|")
    print(f"| networkx `adamic_adar_index` on the pairs | {t_nx:.3f} s | 1x |")
    print(f"| graphkit `score_pairs` on the same pairs | {t_pairs:.4f} s | {t_nx / t_pairs:.0f}x |")
    print(f"| graphkit top-10 of the same users (scores every pair, keeps 10) | {t_top:.4f} s | "
          f"{t_nx / t_top:.0f}x |")


def synthetic_csv() -> Path:
    from graphkit.synthetic import write_edges_csv

    OUT.mkdir(exist_ok=True)
    path = OUT / "recommend-1M.csv"
    if not path.exists():
        write_edges_csv(str(path), 200_000, 1_000_000, rng=SEED)
    return path


def library_all_users(path: Path, repeat: int) -> None:
    import graphkit as gk
    from graphkit.recommend import contact_graph, recommend
    from graphkit.segments import segment_users

    g = gk.SocialGraph.from_edges(gk.read_edges([str(path)]))
    cg = contact_graph(g)
    print(f"\n### all users on {path.name}: {g.n_nodes:,} users, {g.n_edges:,} edges, "
          f"{int(cg.degree.sum()) // 2:,} contact pairs, largest degree {int(cg.degree.max()):,}")
    print("| library call | wall (median) | CPU (median) | wall of each run | load |\n"
          "|---|---:|---:|---|---:|")

    def timed(label, call, runs):
        walls, cpus = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            call()
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        print(f"| {label} | {statistics.median(walls):.2f} s | {statistics.median(cpus):.2f} s | "
              f"{', '.join(f'{x:.2f}' for x in walls)} | {os.getloadavg()[0]:.1f} |", flush=True)

    for method in ("ppr", "adamic-adar", "combined"):
        recommend(g, g.node_ids[:50].tolist(), method=method)  # warm-up (compile)
        timed(f"`recommend(g, top=10, method='{method}')`, every user, with why",
              lambda m=method: recommend(g, top=10, method=m), repeat if method == "ppr" else 1)
    segment_users(g.subgraph(g.node_ids[:2000].tolist()), k=3, rng=1)  # warm-up
    timed("`segment_users(g)` (features, Leiden, RR reach, k by silhouette)",
          lambda: segment_users(g, rng=SEED), repeat)


def whole_process(args: list[str], threads: int = 2, code: Path = ROOT) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of ``python -m graphkit
    ARGS`` in a fresh process (graphkit from ``code``), as ``/usr/bin/time`` reports them."""
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONPATH": str(code)}
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-m", "graphkit",
                           *args], capture_output=True, text=True, env=env, cwd=OUT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    wall, user, system, rss = proc.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss) / 1024


def processes(path: Path, repeat: int) -> None:
    print(f"\n### whole processes on {path.name} (2 threads)")
    print("| command | first run: wall / CPU | next runs: median wall / CPU | peak RSS | load |\n"
          "|---|---:|---:|---:|---:|")
    for args in (["recommend", str(path), "--all", "--top", "10", "-o", "recs.csv", "-q"],
                 ["segments", str(path), "-o", "seg.csv", "--random-seed", str(SEED), "-q"]):
        first = whole_process(args)
        rest = [whole_process(args) for _ in range(repeat)]
        wall = statistics.median(r[0] for r in rest)
        cpu = statistics.median(r[1] for r in rest)
        cmd = "graphkit " + " ".join(a if a != str(path) else path.name for a in args)
        print(f"| `{cmd}` | {first[0]:.2f} s / {first[1]:.2f} s | {wall:.2f} s / {cpu:.2f} s | "
              f"{first[2]:.0f} MiB | {os.getloadavg()[0]:.1f} |", flush=True)


def paired(path: Path, baseline: Path, repeat: int, only: str | None = None) -> None:
    """Earlier code (``baseline``) and this code in turn, whole processes, ``repeat`` pairs
    after one warm-up each (numba's cache of each tree)."""
    print(f"\n### paired whole processes on {path.name} (2 threads): earlier code in {baseline} "
          f"vs this code, {repeat} pairs")
    print("| command | before: wall / CPU (median) | after: wall / CPU (median) | CPU ratio "
          "after/before (median of pairs) | peak RSS before / after | outputs | load |\n"
          "|---|---:|---:|---:|---:|---|---:|")
    for name, args in (("recommend", ["recommend", str(path), "--all", "--top", "10", "-q"]),
                       ("segments", ["segments", str(path), "--random-seed", str(SEED), "-q"])):
        if only is not None and name != only:
            continue
        runs = {"before": [], "after": []}
        for i in range(repeat + 1):
            for side, code in (("before", baseline), ("after", ROOT)):
                r = whole_process(args + ["-o", f"paired-{name}-{side}.csv"], code=code)
                if i:  # the first pair warms numba's caches
                    runs[side].append(r)
        same = ((OUT / f"paired-{name}-before.csv").read_bytes()
                == (OUT / f"paired-{name}-after.csv").read_bytes())
        b, a = runs["before"], runs["after"]
        ratio = statistics.median(y[1] / x[1] for x, y in zip(b, a))
        med = lambda rs, j: statistics.median(r[j] for r in rs)  # noqa: E731
        cmd = "graphkit " + " ".join(x if x != str(path) else path.name for x in args)
        print(f"| `{cmd}` | {med(b, 0):.1f} s / {med(b, 1):.1f} s | {med(a, 0):.1f} s / "
              f"{med(a, 1):.1f} s | {ratio:.2f} | {med(b, 2):.0f} / {med(a, 2):.0f} MiB | "
              f"{'byte-identical' if same else 'DIFFERENT'} | {os.getloadavg()[0]:.1f} |",
              flush=True)


COMPILE_SCRIPT = """
import json, time
import numpy as np
import graphkit as gk
from graphkit.recommend import contact_graph, recommend
from graphkit.recommend.scorers import top_positions
from graphkit.segments import single_seed_reach
from graphkit.weighting import influence_graph
pairs = [(f"u{i}", f"u{(i * 7 + 3) % 40}") for i in range(40)]
pairs += [(f"u{i}", f"u{(i + 1) % 40}") for i in range(40)]
g = gk.SocialGraph.from_pairs(pairs)
contact_graph(g), influence_graph(g, "wc")
out = {}
def first(name, call):
    t = time.process_time()
    call()
    out[name] = time.process_time() - t
first("top_candidates (ppr)", lambda: top_positions(g, np.arange(g.n_nodes)))
first("shared_contacts (recommend --user, explained)", lambda: recommend(g, ["u1"]))
first("rr_coverage (single_seed_reach)", lambda: single_seed_reach(g, n_sets=5000, rng=1))
print(json.dumps(out))
"""


def compile_times(trees: list[tuple[str, Path]], repeat: int) -> None:
    """CPU of each kernel's first call (its compile) in fresh processes, empty private
    numba caches, the trees interleaved; medians of ``repeat``."""
    print("\n### first call of each kernel with an empty numba cache (CPU seconds, median of "
          f"{repeat}; 2 threads)")
    got = {name: [] for name, _ in trees}
    for _ in range(repeat):
        for name, tree in trees:
            cache = tempfile.mkdtemp(prefix="gk-numba-")
            try:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache, "NUMBA_NUM_THREADS": "2",
                       "PYTHONPATH": str(tree)}
                # cwd = the tree: ``-c`` puts the working directory first on sys.path
                proc = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT], env=env,
                                      capture_output=True, text=True, cwd=tree)
                if proc.returncode != 0:
                    raise SystemExit(proc.stderr)
                got[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            finally:
                shutil.rmtree(cache, ignore_errors=True)
    kernels = list(got[trees[0][0]][0])
    print("| kernel (first call) | " + " | ".join(name for name, _ in trees) + " |")
    print("|---|" + "---:|" * len(trees))
    for k in kernels:
        cells = [f"{statistics.median(r[k] for r in got[name]):.2f} s" for name, _ in trees]
        print(f"| {k} | " + " | ".join(cells) + " |")
    print(f"(load {os.getloadavg()[0]:.1f})", flush=True)


STAGES_SCRIPT = r"""
import os, resource, sys, time
marks = []
last = [time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime]
def mark(name):
    now = [time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime]
    marks.append([name] + [b - a for a, b in zip(last, now)])
    last[:] = now
import numpy as np
from graphkit.graph import SocialGraph, has_mutual_pair
from graphkit.io import read_edges, write_table
mark("imports")
edges = read_edges([sys.argv[1]]); mark("read")
g = SocialGraph.from_edges(edges); has_mutual_pair(g); mark("graph")
import pandas as pd
from graphkit.recommend import _text
from graphkit.recommend import scorers as S
from graphkit.recommend.contacts import contact_graph
cg = contact_graph(g); mark("contact graph")
pos = np.argsort(cg.id_rank, kind="stable")
cand, score, path = S.top_positions(g, pos, top=10); mark("PPR push, top 10 (kernel)")
ok = cand >= 0
u, c = np.repeat(pos, ok.sum(axis=1)), cand[ok].astype(np.int64)
arrow = _text.arrow_ids(g.node_ids)
df = pd.DataFrame({"user": _text.id_column(arrow, u), "rank": (np.nonzero(ok)[1] + 1).astype(np.int64),
                   "candidate": _text.id_column(arrow, c), "score": score[ok], "method": "ppr"})
mark("id columns")
count, _, _, show = S._shared(cg, u, c, S.SHOW_CONTACTS); mark("shared contacts (kernel)")
try:
    why = _text.why_column(arrow, u, c, count, show, path[ok], S._threads(len(u)))
except TypeError:  # earlier code: no thread count
    why = _text.why_column(arrow, u, c, count, show, path[ok])
df["shared_contacts"] = count; df["why"] = why; mark("why text")
write_table(df, sys.argv[2], meta={"method": "ppr"}); mark("CSV write")
for name, wall, cpu, sys_ in marks:
    print(f"{name}\t{wall:.3f}\t{cpu:.3f}\t{sys_:.3f}")
"""


def stages(path: Path, trees: list[tuple[str, Path]], repeat: int) -> None:
    """Wall, CPU and system time of each stage of ``recommend --all`` in one process (the
    library calls the command makes, in its order), per code tree, runs interleaved;
    medians over ``repeat`` runs after a warm-up."""
    print(f"\n### stages of recommend --all on {path.name} in one process (2 threads), median of "
          f"{repeat}")
    got: dict = {name: [] for name, _ in trees}
    for i in range(repeat + 1):
        for name, code in trees:
            env = {**os.environ, "NUMBA_NUM_THREADS": "2", "PYTHONPATH": str(code)}
            proc = subprocess.run([sys.executable, "-c", STAGES_SCRIPT, str(path),
                                   str(OUT / f"stages-{len(got[name]) % 2}.csv")],
                                  capture_output=True, text=True, env=env, cwd=OUT)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            if i:
                got[name].append([line.split("\t") for line in proc.stdout.strip().splitlines()])
    names = [row[0] for row in got[trees[0][0]][0]]
    head = " | ".join(f"{t}: wall / CPU (sys)" for t, _ in trees)
    print(f"| stage | {head} |\n|---|" + "---:|" * len(trees))
    for j, stage in enumerate(names + ["total"]):
        cells = []
        for t, _ in trees:
            runs = got[t]
            if stage == "total":
                vals = [[sum(float(r[k][col]) for k in range(len(r))) for col in (1, 2, 3)]
                        for r in runs]
            else:
                vals = [[float(r[j][col]) for col in (1, 2, 3)] for r in runs]
            w, cpu, sy = (statistics.median(v[col] for v in vals) for col in range(3))
            cells.append(f"{w:.2f} / {cpu:.2f} ({sy:.2f})")
        print(f"| {stage} | " + " | ".join(cells) + " |", flush=True)
    print(f"load after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=None,
                    help="a checkout of earlier code: paired whole processes against it")
    ap.add_argument("--paired-only", action="store_true",
                    help="only the paired whole processes (needs --baseline)")
    ap.add_argument("--compile", action="store_true",
                    help="only the kernels' first-call (compile) times, empty numba caches")
    ap.add_argument("--stages", action="store_true",
                    help="only the per-stage wall/CPU of recommend --all in one process (with "
                         "--baseline: both trees, interleaved)")
    ap.add_argument("--tol-sweep", type=float, nargs="+", default=None, metavar="TOL",
                    help="only the held-out quality of PPR at these push thresholds, e.g. "
                         "--tol-sweep 1e-4 2e-4 3e-4")
    ap.add_argument("--only", choices=["recommend", "segments"], default=None,
                    help="with --paired-only: pair this command only")
    a = ap.parse_args()
    import graphkit as gk

    print(f"machine: {machine()}")
    if a.tol_sweep:
        tol_sweep(a.tol_sweep)
        return
    if a.compile:
        trees = [("this code", ROOT)]
        if a.baseline is not None:
            trees.insert(0, ("earlier code", a.baseline.resolve()))
        compile_times(trees, a.repeat)
        return
    if a.stages:
        trees = [("this code", ROOT)]
        if a.baseline is not None:
            trees.insert(0, ("earlier code", a.baseline.resolve()))
        stages(synthetic_csv(), trees, a.repeat)
        return
    if a.paired_only:
        if a.baseline is None:
            raise SystemExit("--paired-only needs --baseline DIR")
        paired(synthetic_csv(), a.baseline.resolve(), a.repeat, a.only)
        print(f"\nload after the run: {os.getloadavg()[0]:.2f}")
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, numba "
          f"{__import__('numba').__version__}, networkx {__import__('networkx').__version__}, "
          f"scikit-learn {__import__('sklearn').__version__}")
    held_out(gk.read_edges([str(HIGGS_SAMPLE)]), "bundled Higgs sample (follows untimed, "
             "shares/comments/mentions timed)")
    if not a.quick and HIGGS_ACTIVITY.exists():
        act = gk.read_edges([str(HIGGS_ACTIVITY)], time_col="3", type_col="4", header=False)
        held_out(act, "Higgs activity log (563,069 timed RT/RE/MT rows)")
    if not a.quick:
        versus_networkx()
    path = synthetic_csv()
    library_all_users(path, 1 if a.quick else a.repeat)
    processes(path, 1 if a.quick else a.repeat)
    if a.baseline is not None:
        paired(path, a.baseline.resolve(), a.repeat)
    print(f"\nload after the run: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
