#!/usr/bin/env python3
"""Benchmark: ranking influencers end to end (edge file -> ranked CSV).

Peers, all in one run, medians of ``--repeat`` runs after one warm-up run each
(so numba compilation and pyarrow's one-off set-up are not measured):

* graphkit   -- the real CLI (``graphkit rank FILE -o out.csv``) called in-process:
                read + validate + map string ids + build CSR + PageRank + write all users.
* floor      -- the bare minimum: pyarrow CSV read with inferred int64 ids, scipy CSR
                (duplicates summed), power iteration with the same stopping rule, pyarrow
                CSV write of every score. No validation, no string ids.
* igraph     -- pyarrow read, id factorisation, ``Graph(n, edges)``, PRPACK PageRank,
                CSV write.
* networkx   -- ``pandas.read_csv`` + ``from_pandas_edgelist`` (MultiDiGraph collapsed to
                weights) + ``nx.pagerank`` + CSV write; skipped above ``--nx-max-edges``.

Data sets (generated once into ``bench/out/``, seeded, no download):

* ``synthetic-10M``: typed power-law graph, 1M users, 10M interaction rows (CSV).
* ``slashdot-size``: 82,168 users, 948,464 rows written as a SNAP edge list (tab
  separated, ``#`` comments) -- the size of soc-Slashdot0902.

All peers must agree: the script checks that each peer's top-20 users and scores match
graphkit's (max |score difference| < 1e-6) and prints the ratios. Peak memory of
graphkit is measured in a fresh process running the CLI (``VmHWM``).

Usage::

    python bench/rank.py                 # both data sets, 3 repeats
    python bench/rank.py --quick         # slashdot-size only, 1 repeat
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

DAMPING = 0.85
TOL = 1e-6  # absolute: stop when the L1 change < 1e-6 (graphkit's default; networkx tol * n)
MAX_ITER = 1000


# ----------------------------------------------------------------------------- data
from _common import machine  # noqa: E402  (bench/ is on sys.path when run as a script)


def make_data(name: str) -> Path:
    from graphkit.synthetic import powerlaw_edges, write_edges_csv

    OUT.mkdir(parents=True, exist_ok=True)
    if name == "synthetic-10M":
        path = OUT / "synthetic-1M-10M.csv"
        if not path.exists():
            write_edges_csv(str(path), 1_000_000, 10_000_000, rng=2026)
        return path
    if name == "slashdot-size":
        path = OUT / "slashdot-size.txt"
        if not path.exists():
            e = powerlaw_edges(82_168, 948_464, rng=902)
            tmp = path.with_suffix(".tmp")
            with open(tmp, "w") as fh:
                fh.write("# Directed graph (synthetic, soc-Slashdot0902-sized)\n")
                fh.write("# Nodes: 82168 Edges: 948464\n# FromNodeId\tToNodeId\n")
                np.savetxt(fh, np.column_stack([e["source"], e["target"]]), fmt="%d", delimiter="\t")
            os.replace(tmp, path)
        return path
    raise ValueError(name)


def snap_like(path: Path) -> bool:
    return path.suffix == ".txt"


# ----------------------------------------------------------------------------- peers
def run_graphkit(path: Path, out: Path):
    from graphkit.cli import cli

    cli.main(["rank", str(path), "-o", str(out), "-q"], standalone_mode=False)


def _read_ints(path: Path):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if snap_like(path):
        ro = pcsv.ReadOptions(skip_rows=3, column_names=["source", "target"])
        po = pcsv.ParseOptions(delimiter="\t")
    else:
        ro = pcsv.ReadOptions()
        po = pcsv.ParseOptions()
    co = pcsv.ConvertOptions(include_columns=["source", "target"])
    t = pcsv.read_csv(str(path), read_options=ro, parse_options=po, convert_options=co)
    src = t.column("source").to_numpy()
    dst = t.column("target").to_numpy()
    return pa, src, dst


def _power_iteration(A, n):
    """networkx's algorithm on a scipy CSR (uniform personalization, dangling -> uniform),
    with the same absolute stopping rule as graphkit."""
    S = np.asarray(A.sum(axis=1)).ravel()
    nz = S != 0
    S[nz] = 1.0 / S[nz]
    import scipy.sparse as sp

    Q = sp.diags(S, format="csr")
    M = (Q @ A).T.tocsr()  # column-stochastic, transposed for x @ M
    x = np.full(n, 1.0 / n)
    p = x.copy()
    dangling = ~nz
    for _ in range(MAX_ITER):
        xlast = x
        x = DAMPING * (M @ x + x[dangling].sum() * p) + (1 - DAMPING) * p
        if np.abs(x - xlast).sum() < TOL:
            return x
    raise RuntimeError("floor did not converge")


def _write_scores(pa, ids, scores, out: Path):
    import pyarrow.csv as pcsv

    order = np.argsort(-scores, kind="stable")
    table = pa.table({"rank": np.arange(1, len(order) + 1), "user": ids[order], "score": scores[order]})
    pcsv.write_csv(table, str(out))


def run_floor(path: Path, out: Path):
    import scipy.sparse as sp

    pa, src, dst = _read_ints(path)
    n = int(max(src.max(), dst.max())) + 1
    A = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))  # sums duplicates
    x = _power_iteration(A, n)
    present = np.zeros(n, dtype=bool)
    present[src] = True
    present[dst] = True
    ids = np.flatnonzero(present)
    _write_scores(pa, ids, x[ids], out)


def run_igraph(path: Path, out: Path):
    import igraph as ig
    import pandas as pd

    pa, src, dst = _read_ints(path)
    codes, uniques = pd.factorize(np.concatenate([src, dst]))
    m = len(src)
    g = ig.Graph(n=len(uniques), edges=np.column_stack([codes[:m], codes[m:]]), directed=True)
    pr = np.asarray(g.pagerank(damping=DAMPING, implementation="prpack"))
    _write_scores(pa, np.asarray(uniques), pr, out)


def run_networkx(path: Path, out: Path):
    import networkx as nx
    import pandas as pd

    if snap_like(path):
        df = pd.read_csv(path, sep="\t", comment="#", header=None, names=["source", "target"], dtype=str)
    else:
        df = pd.read_csv(path, usecols=["source", "target"], dtype=str)
    w = df.groupby(["source", "target"]).size().rename("weight").reset_index()
    G = nx.from_pandas_edgelist(w, "source", "target", edge_attr="weight", create_using=nx.DiGraph)
    pr = nx.pagerank(G, alpha=DAMPING, tol=TOL / G.number_of_nodes(), max_iter=MAX_ITER, weight="weight")
    s = pd.Series(pr).sort_values(ascending=False)
    pd.DataFrame({"rank": range(1, len(s) + 1), "user": s.index, "score": s.values}).to_csv(out, index=False)


PEERS = {"graphkit": run_graphkit, "floor": run_floor, "igraph": run_igraph, "networkx": run_networkx}


# ----------------------------------------------------------------------------- measuring
def timed(fn, path, out, repeat):
    fn(path, out)  # warm-up: numba compile / cache load, pyarrow set-up
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn(path, out)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def top_scores(out: Path, k=20):
    import pandas as pd

    df = pd.read_csv(out, dtype={"user": str}, nrows=k)
    return dict(zip(df.user, df.score))


def graphkit_peak_memory(path: Path) -> float:
    """Peak RSS (GiB) of a fresh process running the CLI.

    Read from ``VmHWM`` in /proc/self/status, not ``ru_maxrss``: Linux carries
    ``ru_maxrss`` across fork + exec, so a child of this (large) benchmark process
    would report the parent's footprint.
    """
    code = (
        "from graphkit.cli import cli;"
        f"cli.main(['rank', {str(path)!r}, '-o', {str(OUT / 'mem.csv')!r}, '-q'], standalone_mode=False);"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(res.stdout.strip().splitlines()[-1]) / 1024 / 1024  # KiB -> GiB


def versions() -> str:
    import igraph
    import networkx
    import numba
    import pyarrow
    import scipy

    import graphkit

    return (f"python {platform.python_version()}, graphkit {graphkit.__version__}, numpy {np.__version__}, "
            f"scipy {scipy.__version__}, pyarrow {pyarrow.__version__}, numba {numba.__version__}, "
            f"igraph {igraph.__version__}, networkx {networkx.__version__}")



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--datasets", default="slashdot-size,synthetic-10M")
    ap.add_argument("--peers", default="graphkit,floor,igraph,networkx")
    ap.add_argument("--nx-max-edges", type=int, default=2_000_000,
                    help="skip networkx on bigger inputs (it needs minutes and >10 GB at 10M)")
    ap.add_argument("--quick", action="store_true", help="slashdot-size only, 1 repeat")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeat, args.datasets = 1, "slashdot-size"

    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    print(f"command: python bench/rank.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    rows_out = []
    for name in args.datasets.split(","):
        path = make_data(name)
        rows = sum(1 for _ in open(path, "rb")) - (3 if snap_like(path) else 1)
        print(f"\n== {name}: {path.name}, {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
        results = {}
        for peer in args.peers.split(","):
            if peer == "networkx" and rows > args.nx_max_edges:
                print(f"{peer:>9}: skipped ({rows:,} rows > --nx-max-edges {args.nx_max_edges:,})")
                continue
            out = OUT / f"{name}-{peer}.csv"
            med, times = timed(PEERS[peer], path, out, args.repeat)
            results[peer] = (med, out)
            print(f"{peer:>9}: median {med:7.2f} s   runs {', '.join(f'{t:.2f}' for t in times)}")
        ref = top_scores(results["graphkit"][1])
        for peer, (_, out) in results.items():
            got = top_scores(out)
            common = set(ref) & set(got)
            diff = max(abs(ref[u] - got[u]) for u in common) if common else float("inf")
            agree = len(common) >= 18 and diff < 1e-6
            print(f"{peer:>9}: top-20 overlap {len(common)}/20, max |score diff| {diff:.1e} "
                  f"{'OK' if agree else 'DISAGREES'}")
        g = results["graphkit"][0]
        print("ratios (peer time / graphkit time; > 1 means graphkit is faster):")
        for peer, (med, _) in results.items():
            if peer != "graphkit":
                print(f"  {peer:>9}: {med / g:6.2f}x")
        if "floor" in results:
            print(f"  graphkit / floor = {g / results['floor'][0]:.2f} (goal <= 1.3)")
        mem = graphkit_peak_memory(path)
        print(f"graphkit peak memory (fresh process, VmHWM): {mem:.2f} GiB")
        rows_out.append((name, results, mem))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
