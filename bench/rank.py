#!/usr/bin/env python3
"""Benchmark: ranking influencers end to end (edge file -> ranked CSV).

Peers, all in one run, medians of ``--repeat`` runs after one warm-up run each
(so numba compilation and pyarrow's one-off set-up are not measured):

* graphkit   -- the real CLI (``graphkit rank FILE -o out.csv``) called in-process:
                read + validate + map string ids + build CSR + PageRank + write all users.
* floor      -- the bare minimum for the same output file: pyarrow CSV read with inferred
                int64 ids (and the type column, dictionary-encoded), self-loops dropped (as
                graphkit does), ids made dense, scipy CSR (duplicates summed), power iteration
                with the same stopping rule, the interactions each user received per type
                (``followers``, ``shares_received``, ``comments_received``), rows ordered by
                score then id *as text* (graphkit's tie rule), and the same CSV bytes layout
                (plain header, quoted user ids) through pyarrow's writer. No validation, no
                string ids: that is graphkit's extra work.
* igraph     -- pyarrow read, id factorisation, ``Graph(n, edges)``, PRPACK PageRank,
                CSV write.
* networkx   -- ``pandas.read_csv`` + ``from_pandas_edgelist`` (MultiDiGraph collapsed to
                weights) + ``nx.pagerank`` + CSV write; skipped above ``--nx-max-edges``.

Data sets (generated once into ``bench/out/``, seeded, no download):

* ``synthetic-10M``: typed power-law graph, 1M users, 10M interaction rows (CSV).
* ``slashdot-size``: 82,168 users, 948,464 rows written as a SNAP edge list (tab
  separated, ``#`` comments) -- the size of soc-Slashdot0902.

All peers must agree: the script checks that each peer's top-20 users and scores match
graphkit's (max |score difference| < 1e-6) and prints the ratios. Each run's wall time and
CPU time (user + system of every thread, ``time.process_time``) and user time are printed:
on a shared machine the CPU ratio is the one to quote (on a loaded VM the system time of
first-touching fresh memory swings by seconds from run to run; the user time does not). Peak memory of graphkit is measured in a
fresh process running the CLI (``VmHWM``).

``--process`` times whole processes instead (start-up, imports and numba's cache loading
included): ``python -m graphkit rank FILE -o OUT -q`` against ``python bench/rank.py
--run-peer floor FILE OUT``, alternating (graphkit, floor, graphkit, floor, ...) after one
warm-up each, CPU of the child from ``os.wait4``; the ratio is the median of the per-pair
ratios.

Usage::

    python bench/rank.py                 # both data sets, 3 repeats
    python bench/rank.py --quick         # slashdot-size only, 1 repeat
    python bench/rank.py --datasets synthetic-10M --peers graphkit,floor --process --repeat 5
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


def _read_ints(path: Path, with_type: bool = False):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if snap_like(path):
        ro = pcsv.ReadOptions(skip_rows=3, column_names=["source", "target"])
        po = pcsv.ParseOptions(delimiter="\t")
    else:
        ro = pcsv.ReadOptions()
        po = pcsv.ParseOptions()
    cols = ["source", "target"]
    types = {}
    if with_type and not snap_like(path):
        cols.append("type")
        types["type"] = pa.dictionary(pa.int32(), pa.string())
    co = pcsv.ConvertOptions(include_columns=cols, column_types=types)
    t = pcsv.read_csv(str(path), read_options=ro, parse_options=po, convert_options=co)
    src = t.column("source").to_numpy()
    dst = t.column("target").to_numpy()
    if not with_type:
        return pa, src, dst
    typ = t.column("type").combine_chunks() if "type" in cols else None
    return pa, src, dst, typ


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


#: graphkit's names for the interactions a user received, per type (others: received_<type>)
_RECEIVED = {"follow": "followers", "share": "shares_received", "comment": "comments_received"}


def _text_order(ids: np.ndarray) -> np.ndarray:
    """Positions of non-negative int ``ids`` sorted by their decimal text (``"10" < "9"``),
    without making strings: the value scaled to the longest width, then the width."""
    digits = np.ones(ids.shape[0], dtype=np.int64)
    for d in range(1, 19):
        digits += ids >= 10**d
    scaled = ids * 10 ** (int(digits.max()) - digits)
    return np.lexsort((digits, scaled))


def run_floor(path: Path, out: Path):
    """The same output file as ``graphkit rank FILE -o out.csv`` with the least work."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import scipy.sparse as sp

    pa, src, dst, typ = _read_ints(path, with_type=True)
    if min(src.min(), dst.min()) < 0:
        raise ValueError("the floor reads non-negative integer ids only")
    size = int(max(src.max(), dst.max())) + 1
    present = np.zeros(size, dtype=bool)
    present[src] = True
    present[dst] = True
    ids = np.flatnonzero(present)  # users, in numeric order
    code = np.cumsum(present, dtype=np.int32) - 1
    keep = src != dst  # graphkit drops self-loops (the users stay)
    if not keep.all():
        src, dst = src[keep], dst[keep]
        typ = typ.filter(pa.array(keep)) if typ is not None else None
    src, dst = code[src], code[dst]
    n = ids.shape[0]
    A = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))  # sums duplicates
    x = _power_iteration(A, n)
    by_text = _text_order(ids)  # ties by id as text, as graphkit
    order = by_text[np.argsort(-x[by_text], kind="stable")]
    cols = {"rank": np.arange(1, n + 1), "user": pc.cast(pa.array(ids[order]), pa.string()),
            "score": x[order]}
    if typ is not None:
        names = typ.dictionary.to_pylist()
        codes = typ.indices.to_numpy()
        for t in sorted(names, key=lambda t: (t not in _RECEIVED, list(_RECEIVED).index(t)
                                              if t in _RECEIVED else 0, t)):
            got = np.bincount(dst[codes == names.index(t)], minlength=n)
            cols[_RECEIVED.get(t, f"received_{t}")] = got[order]
    else:  # a file without a type column: graphkit's one type is "interaction"
        cols["received_interaction"] = np.bincount(dst, minlength=n)[order]
    with open(out, "w") as fh:
        fh.write(",".join(cols) + "\n")
    with open(out, "ab") as fh:
        pcsv.write_csv(pa.table(cols), fh,
                       write_options=pcsv.WriteOptions(include_header=False, quoting_style="needed"))


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
    """Median wall and CPU seconds of ``repeat`` runs after a warm-up, and the runs."""
    fn(path, out)  # warm-up: numba compile / cache load, pyarrow set-up
    runs = []
    for _ in range(repeat):
        gc.collect()
        t0, c0, u0 = time.perf_counter(), time.process_time(), _user_time()
        fn(path, out)
        runs.append((time.perf_counter() - t0, time.process_time() - c0, _user_time() - u0))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs


def _user_time() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


def peer_command(peer: str, path: Path, out: Path) -> list:
    """The command line running one peer once as its own process."""
    if peer == "graphkit":
        return [sys.executable, "-m", "graphkit", "rank", str(path), "-o", str(out), "-q"]
    return [sys.executable, str(Path(__file__).resolve()), "--run-peer", peer, str(path), str(out)]


def run_process(cmd: list) -> tuple[float, float, float]:
    """Wall, CPU (user + system, from ``os.wait4``) and user seconds of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_utime


def timed_processes(peers: list, path: Path, name: str, repeat: int) -> dict:
    """Each peer as a whole process, in turn, ``repeat`` rounds after a warm-up round."""
    runs: dict = {p: [] for p in peers}
    for r in range(repeat + 1):
        for peer in peers:
            got = run_process(peer_command(peer, path, OUT / f"{name}-{peer}.csv"))
            if r:
                runs[peer].append(got)
    return runs


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
    ap.add_argument("--process", action="store_true",
                    help="time each peer as a whole process, peers in turn (paired)")
    ap.add_argument("--run-peer", nargs=3, metavar=("PEER", "FILE", "OUT"),
                    help="run one peer once on FILE, writing OUT (what --process starts)")
    args = ap.parse_args(argv)
    if args.run_peer:
        peer, path, out = args.run_peer
        PEERS[peer](Path(path), Path(out))
        return 0
    if args.quick:
        args.repeat, args.datasets = 1, "slashdot-size"

    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    print(f"command: python bench/rank.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    for name in args.datasets.split(","):
        path = make_data(name)
        rows = sum(1 for _ in open(path, "rb")) - (3 if snap_like(path) else 1)
        print(f"\n== {name}: {path.name}, {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB"
              f"{' (whole processes)' if args.process else ''}")
        peers = [p for p in args.peers.split(",")
                 if not (p == "networkx" and rows > args.nx_max_edges)]
        for p in set(args.peers.split(",")) - set(peers):
            print(f"{p:>9}: skipped ({rows:,} rows > --nx-max-edges {args.nx_max_edges:,})")
        if args.process:
            runs = timed_processes(peers, path, name, args.repeat)
        else:
            runs = {p: timed(PEERS[p], path, OUT / f"{name}-{p}.csv", args.repeat)[2] for p in peers}
        for peer in peers:
            r = runs[peer]
            print(f"{peer:>9}: median wall {statistics.median(x[0] for x in r):7.2f} s, "
                  f"CPU {statistics.median(x[1] for x in r):7.2f} s, user {statistics.median(x[2] for x in r):7.2f} s"
                  "   runs (wall/CPU/user) " + ", ".join(f"{w:.2f}/{c:.2f}/{u:.2f}" for w, c, u in r))
        ref = top_scores(OUT / f"{name}-graphkit.csv")
        for peer in peers:
            got = top_scores(OUT / f"{name}-{peer}.csv")
            common = set(ref) & set(got)
            diff = max(abs(ref[u] - got[u]) for u in common) if common else float("inf")
            agree = len(common) >= 18 and diff < 1e-6
            print(f"{peer:>9}: top-20 overlap {len(common)}/20, max |score diff| {diff:.1e} "
                  f"{'OK' if agree else 'DISAGREES'}")
        g = runs["graphkit"]
        print("ratios (peer / graphkit, medians of the runs' ratios in order; > 1: graphkit faster):")
        for peer in peers:
            if peer != "graphkit":
                wall = statistics.median(p[0] / q[0] for p, q in zip(runs[peer], g))
                cpu = statistics.median(p[1] / q[1] for p, q in zip(runs[peer], g))
                user = statistics.median(p[2] / q[2] for p, q in zip(runs[peer], g))
                print(f"  {peer:>9}: wall {wall:6.2f}x   CPU {cpu:6.2f}x   user {user:6.2f}x")
        if "floor" in runs:
            wall = statistics.median(q[0] / p[0] for p, q in zip(runs["floor"], g))
            cpu = statistics.median(q[1] / p[1] for p, q in zip(runs["floor"], g))
            user = statistics.median(q[2] / p[2] for p, q in zip(runs["floor"], g))
            print(f"  graphkit / floor: wall {wall:.2f}, CPU {cpu:.2f}, user {user:.2f}")
        if not args.process:
            mem = graphkit_peak_memory(path)
            print(f"graphkit peak memory (fresh process, VmHWM): {mem:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
