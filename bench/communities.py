#!/usr/bin/env python3
"""Benchmark: community detection end to end (edge file -> partition), one run each.

Peers, all in one process (imports and one-off set-up paid before timing: one
warm-up read and detection on ``data/example.csv`` for graphkit, a small graph for
networkx and leidenalg):

* graphkit   -- ``read_edges`` + ``SocialGraph.from_edges`` + ``detect_communities``
                (Leiden, modularity objective, iterate until the gain is <= 1e-4). The
                per-community summary is timed separately (``+summary``).
* networkx   -- ``pandas.read_csv`` + the same undirected projection (pair weight =
                interactions in both directions, computed with a vectorised pandas
                groupby -- generous to networkx) + ``nx.Graph`` + ``louvain_communities``
                (its defaults: threshold 1e-7, resolution 1).
* leidenalg  -- ``pandas.read_csv`` + the same projection + ``igraph.Graph`` +
                ``leidenalg.find_partition(ModularityVertexPartition)`` with its default
                ``n_iterations=2``. Not a graphkit dependency (``pip install leidenalg``);
                skipped with a message when missing.

Every modularity is computed the same way: ``graphkit.modularity`` on the same weighted
undirected projection. On the planted graph, NMI to the planted blocks is also shown.
The cold command-line run (``graphkit communities FILE``, a new process, imports
included) is timed once for reference.

Data sets:

* ``higgs-sample``: the bundled ``data/higgs-sample.csv.gz`` (48,132 users, 243,621 rows).
* ``planted-1M``: a planted partition with power-law popularity, generated here, seeded,
  into ``bench/out/`` (100,000 users in 100 blocks of 1,000; 1,000,000 rows; a row's target
  is in its actor's block with probability 0.8, drawn by Zipf popularity inside the block,
  else drawn by popularity from the whole graph). A pure power-law graph
  (``graphkit.synthetic.powerlaw_edges``) has almost no community structure, so a planted
  partition is the meaningful 1M-edge test; ``--powerlaw`` adds the power-law one too.

Usage::

    python bench/communities.py             # higgs-sample and planted-1M
    python bench/communities.py --quick     # higgs-sample only
    python bench/communities.py --powerlaw  # also a 1M-row pure power-law graph
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

SEED = 2026


# ----------------------------------------------------------------------------- data
from _common import machine  # noqa: E402  (bench/ is on sys.path when run as a script)


def planted_edges(n_users=100_000, n_blocks=100, n_edges=1_000_000, p_inside=0.8,
                  exponent=2.1, rng=SEED):
    """Typed edges of a planted partition whose targets follow a Zipf popularity.

    Returns ``(source, target, type codes, types, block of every user)``.
    """
    from graphkit.synthetic import _zipf_ranks

    gen = np.random.default_rng(rng)
    size = n_users // n_blocks
    users = gen.permutation(n_users)  # user id at (block, slot) = users[block * size + slot]
    block_of = np.empty(n_users, dtype=np.int64)
    block_of[users] = np.arange(n_users) // size
    alpha = 1.0 / (exponent - 1.0)
    source = gen.integers(0, n_users, n_edges)
    inside = gen.random(n_edges) < p_inside
    slot = _zipf_ranks(gen, size, n_edges, alpha)
    target = users[block_of[source] * size + slot]
    far = ~inside
    target[far] = users[_zipf_ranks(gen, n_users, int(far.sum()), alpha)]
    loops = source == target
    target[loops] = users[block_of[source[loops]] * size + (slot[loops] + 1) % size]
    types = ("follow", "share", "comment")
    codes = np.searchsorted(np.cumsum([0.6, 0.3, 0.1]), gen.random(n_edges), side="right")
    return source, target, np.minimum(codes, 2).astype(np.int8), types, block_of


def write_csv(path: Path, source, target, codes, types):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = np.array(types, dtype=object)
    table = pa.table({"source": pa.array(source.astype(str)), "target": pa.array(target.astype(str)),
                      "type": pa.array(names[codes].astype(str))})
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:  # pyarrow quotes header names; graphkit's reader wants them bare
        fh.write(b"source,target,type\n")
        pcsv.write_csv(table, fh, write_options=pcsv.WriteOptions(include_header=False,
                                                                  quoting_style="none"))
    os.replace(tmp, path)


def make_data(name: str):
    """(path, truth) where truth maps user id -> planted block (or None)."""
    OUT.mkdir(parents=True, exist_ok=True)
    if name == "higgs-sample":
        return ROOT / "data" / "higgs-sample.csv.gz", None
    if name == "planted-1M":
        path = OUT / "planted-100k-1M.csv"
        src, dst, codes, types, block = planted_edges()
        if not path.exists():
            write_csv(path, src, dst, codes, types)
        return path, {str(i): int(b) for i, b in enumerate(block)}
    if name == "powerlaw-1M":
        from graphkit.synthetic import write_edges_csv

        path = OUT / "powerlaw-200k-1M.csv"
        if not path.exists():
            write_edges_csv(str(path), 200_000, 1_000_000, rng=SEED)
        return path, None
    raise ValueError(name)


# ----------------------------------------------------------------------------- peers
def run_graphkit(path):
    import graphkit as gk

    t0 = time.perf_counter()
    g = gk.SocialGraph.from_edges(gk.read_edges([str(path)]))
    t1 = time.perf_counter()
    part = gk.detect_communities(g, "leiden", rng=SEED)
    t2 = time.perf_counter()
    _ = part.summary
    t3 = time.perf_counter()
    return {"time": t2 - t0, "load": t1 - t0, "detect": t2 - t1, "summary": t3 - t2,
            "ids": g.node_ids, "membership": part.membership,
            "note": f"{part.details['iterations'][0]} iterations"}, g


def _pandas_projection(path):
    """pandas read + the undirected projection (weight = interactions both ways)."""
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["source", "target"])
    df = df[df.source != df.target]
    a = df.source.where(df.source < df.target, df.target)
    b = df.target.where(df.source < df.target, df.source)
    pairs = pd.DataFrame({"u": a, "v": b}).groupby(["u", "v"], sort=False).size()
    return pairs


def run_networkx(path):
    import networkx as nx

    t0 = time.perf_counter()
    pairs = _pandas_projection(path)
    G = nx.Graph()
    G.add_weighted_edges_from(zip(pairs.index.get_level_values(0), pairs.index.get_level_values(1),
                                  pairs.to_numpy(dtype=float)))
    comms = nx.community.louvain_communities(G, weight="weight", resolution=1.0, seed=SEED)
    t1 = time.perf_counter()
    ids = np.array([u for c in comms for u in c], dtype=object)
    labels = np.concatenate([np.full(len(c), i) for i, c in enumerate(comms)])
    return {"time": t1 - t0, "ids": ids, "membership": labels, "note": "louvain_communities"}


def run_leidenalg(path):
    import igraph as ig
    import leidenalg as la
    import pandas as pd

    t0 = time.perf_counter()
    pairs = _pandas_projection(path)
    codes, uniques = pd.factorize(np.concatenate([pairs.index.get_level_values(0),
                                                  pairs.index.get_level_values(1)]))
    m = len(pairs)
    G = ig.Graph(n=len(uniques), edges=np.column_stack([codes[:m], codes[m:]]), directed=False)
    part = la.find_partition(G, la.ModularityVertexPartition, weights=pairs.to_numpy(dtype=float).tolist(),
                             seed=SEED)
    t1 = time.perf_counter()
    return {"time": t1 - t0, "ids": np.asarray(uniques, dtype=object),
            "membership": np.asarray(part.membership), "note": "n_iterations=2 (default)"}


def aligned(g, ids, labels):
    """Labels of a peer, aligned with graphkit's positions."""
    out = np.full(g.n_nodes, -1, dtype=np.int64)
    out[g.index(list(ids))] = labels
    if (out < 0).any():  # users without edges in the peer's graph: own singleton groups
        miss = np.flatnonzero(out < 0)
        out[miss] = out.max() + 1 + np.arange(miss.size)
    return out


def cold_cli(path):
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graphkit", "communities", str(path), "--random-seed",
                    str(SEED), "--format", "json", "-q"], check=True, stdout=subprocess.DEVNULL,
                   cwd=ROOT)
    return time.perf_counter() - t0


def warm_up():
    import networkx as nx

    import graphkit as gk

    g = gk.SocialGraph.from_edges(gk.read_edges([str(ROOT / "data" / "example.csv")]))
    _ = gk.detect_communities(g, rng=1).summary
    nx.community.louvain_communities(nx.karate_club_graph(), seed=1)
    try:
        import leidenalg  # noqa: F401
    except ImportError:
        pass


# ----------------------------------------------------------------------------- main
def versions():
    import igraph
    import networkx
    import pandas

    v = {"python": platform.python_version(), "numpy": np.__version__,
         "pandas": pandas.__version__, "igraph": igraph.__version__,
         "networkx": networkx.__version__}
    try:
        import leidenalg

        v["leidenalg"] = leidenalg.__version__
    except ImportError:
        v["leidenalg"] = "not installed"
    return v



def bench(name):
    import graphkit as gk

    path, truth = make_data(name)
    rows = []
    gk_res, g = run_graphkit(path)
    results = [("graphkit", gk_res)]
    results.append(("networkx", run_networkx(path)))
    try:
        results.append(("leidenalg", run_leidenalg(path)))
    except ImportError:
        print("leidenalg not installed (pip install leidenalg); skipped", file=sys.stderr)
    truth_arr = None
    if truth is not None:
        truth_arr = np.array([truth[u] for u in g.node_ids.tolist()])
    for peer, r in results:
        memb = aligned(g, r["ids"], r["membership"])
        q = gk.modularity(g, memb)
        row = {"peer": peer, "time": r["time"], "modularity": q,
               "communities": int(len(np.unique(memb))), "note": r["note"]}
        if truth_arr is not None:
            row["nmi_truth"] = gk.nmi(memb, truth_arr)
        rows.append(row)
    rows[0]["summary"] = gk_res["summary"]
    rows[0]["load"] = gk_res["load"]
    rows[0]["detect"] = gk_res["detect"]
    cold = cold_cli(path)
    return {"name": name, "users": g.n_nodes, "edges": g.n_edges, "rows": rows, "cold_cli": cold}


def report(res):
    out = []
    base = res["rows"][0]
    out.append(f"**{res['name']}** ({res['users']:,} users, {res['edges']:,} directed edges)\n")
    has_truth = "nmi_truth" in base
    head = "| peer | seconds | modularity | communities |" + (" NMI to planted |" if has_truth else "")
    head += " networkx time / peer time | modularity − networkx |"
    out.append(head)
    out.append("|---|---:|---:|---:|" + ("---:|" if has_truth else "") + "---:|---:|")
    nx_row = next(r for r in res["rows"] if r["peer"] == "networkx")
    for r in res["rows"]:
        line = f"| {r['peer']} ({r['note']}) | {r['time']:.2f} | {r['modularity']:.4f} | {r['communities']:,} |"
        if has_truth:
            line += f" {r['nmi_truth']:.4f} |"
        line += f" {nx_row['time'] / r['time']:.1f}x | {r['modularity'] - nx_row['modularity']:+.4f} |"
        out.append(line)
    out.append("")
    out.append(f"graphkit split: load {base['load']:.2f} s + Leiden {base['detect']:.2f} s; the "
               f"summary (stats, participation, in-community PageRank) adds {base['summary']:.2f} s. "
               f"Cold CLI (`graphkit communities FILE --format json`, new process, imports "
               f"included): {res['cold_cli']:.2f} s.\n")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the bundled sample only")
    ap.add_argument("--powerlaw", action="store_true", help="also a 1M-row pure power-law graph")
    args = ap.parse_args(argv)
    names = ["higgs-sample"] + ([] if args.quick else ["planted-1M"])
    if args.powerlaw:
        names.append("powerlaw-1M")
    warm_up()
    print(f"Machine: {machine()}")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(f"Command: python bench/communities.py {' '.join(argv if argv is not None else sys.argv[1:])}\n")
    for name in names:
        res = bench(name)
        print(report(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
