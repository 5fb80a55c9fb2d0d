#!/usr/bin/env python3
"""Benchmark: what a user waits for, each command as its own process (issue 15).

Every row runs ``python3 -m graphkit ...`` as a new process, interleaved with its
*floor* -- a bare script doing the same work with pyarrow, NumPy, scipy or igraph in
its own process (``bench/latency.py --floor NAME ...`` runs one) -- ``--repeat`` times
(default 5), and reports medians of wall time, CPU time (user + sys of the child,
from ``os.wait4``) and peak RSS, and the CPU ratio graphkit / floor. The numba cache
is warm (one untimed run of each command first).

Python's bytecode is cached as for an installed package (``pip install`` compiles
every module): the children run with ``PYTHONPYCACHEPREFIX=bench/out/pycache`` even
when ``PYTHONDONTWRITEBYTECODE`` is set, so graphkit's ~60 modules are not compiled
from source in every run (0.1-0.2 s of CPU). ``--no-bytecode-cache`` measures that
case instead (a source checkout run with ``PYTHONDONTWRITEBYTECODE=1``).

Inputs:

* ``example``: the bundled ``data/example.csv`` (32 rows);
* ``higgs``: the bundled ``data/higgs-sample.csv.gz`` (243,621 rows);
* ``slashdot``: a generated SNAP file the size of soc-Slashdot0902 (82,168 users,
  948,464 directed rows, '#' header lines, tab-separated, a trailing space on ~2% of
  the rows, as real downloads have), with planted groups and 80% reciprocal pairs;
* ``facebook``: a generated undirected edge list the size of SNAP ego-Facebook (4,039
  users, 88,234 pairs, space-separated), strong groups -- for ``communities``.

Floors: ``help`` (``import click``), ``read`` (pyarrow reads the file, NumPy codes the
ids: what every command needs), ``rank`` (read + scipy.sparse CSR + PageRank power
iterations + top 20 written as CSV), ``communities`` (read + igraph Leiden, igraph's
defaults, on the undirected projection, the edges handed to igraph as an iterator of int
pairs -- its cheapest input; igraph imported without matplotlib), ``view``
(read + igraph layout of the top users). Commands without a floor of their own
(simulate, seeds, ...) are shown next to ``read``.

Usage::

    python bench/latency.py                 # every input, every command, 5 runs
    python bench/latency.py --only example  # one input
    python bench/latency.py --repeat 3 --only slashdot --commands rank,communities
    python bench/latency.py --only facebook --baseline /work/main   # before/after, paired
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402


# --------------------------------------------------------------------------- inputs
def _planted_pairs(n, m, n_blocks, p_inside, reciprocal, exponent, seed):
    """Directed pairs (no loops, no repeats) with planted groups and Zipf popularity."""
    import numpy as np

    gen = np.random.default_rng(seed)
    sizes = gen.pareto(1.5, n_blocks) + 1
    sizes = np.maximum(3, (sizes / sizes.sum() * n).astype(np.int64))
    sizes[-1] += n - sizes.sum()
    block_of = np.repeat(np.arange(n_blocks), sizes)[np.argsort(gen.permutation(n))]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    members = np.argsort(block_of, kind="stable")
    alpha = 1.0 / (exponent - 1.0)

    def zipf(size, count):  # rank r (0 = most popular) with density ~ r^-(1 - 1/(1 + 1/alpha))
        return np.minimum((size * gen.random(count) ** (1 + 1 / alpha)).astype(np.int64), size - 1)

    half = int(m / (1 + reciprocal) * 1.2)
    src = zipf(n, half)
    b = block_of[src]
    dst = members[starts[b] + zipf(sizes[b], half) % sizes[b]]
    far = gen.random(half) >= p_inside
    dst[far] = zipf(n, int(far.sum()))
    keep = src != dst
    src, dst = src[keep], dst[keep]
    back = gen.random(src.size) < reciprocal
    s = np.concatenate([src, dst[back]])
    t = np.concatenate([dst, src[back]])
    pairs = np.unique(s.astype(np.int64) * n + t)
    return pairs // n, pairs % n, gen


def make_slashdot(path: Path) -> None:
    """948,464 directed rows among 82,168 users, SNAP layout, trailing blanks on ~2%."""
    import numpy as np

    s, t, gen = _planted_pairs(82_168, 1_100_000, 600, 0.55, 0.8, 2.2, 902)
    pick = np.sort(gen.choice(s.size, 948_464, replace=False))
    s, t = s[pick], t[pick]
    lines = np.char.add(np.char.add(s.astype(str), "\t"), t.astype(str))
    trailing = gen.random(lines.size) < 0.02
    lines[trailing] = np.char.add(lines[trailing], " ")
    head = (f"# Directed graph (each unordered pair of nodes is saved once): generated, "
            f"Slashdot-size\n# Nodes: 82168 Edges: {s.size}\n# FromNodeId\tToNodeId\n")
    _write_gz(path, head + "\n".join(lines.tolist()) + "\n")


def make_facebook(path: Path) -> None:
    """88,234 undirected pairs among 4,039 users, each pair once, space-separated."""
    import numpy as np

    s, t, gen = _planted_pairs(4_039, 4 * 88_234, 12, 0.97, 1.0, 2.5, 7)
    once = s < t
    s, t = s[once], t[once]
    pick = np.sort(gen.choice(s.size, 88_234, replace=False))
    lines = np.char.add(np.char.add(s[pick].astype(str), " "), t[pick].astype(str))
    _write_gz(path, "\n".join(lines.tolist()) + "\n")


def _write_gz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", compresslevel=6) as fh:
        fh.write(text)
    os.replace(tmp, path)


def inputs() -> dict[str, Path]:
    files = {"example": ROOT / "data" / "example.csv",
             "higgs": ROOT / "data" / "higgs-sample.csv.gz",
             "slashdot": OUT / "slashdot-size.txt.gz",
             "facebook": OUT / "facebook-size.txt.gz"}
    if not files["slashdot"].exists():
        make_slashdot(files["slashdot"])
    if not files["facebook"].exists():
        make_facebook(files["facebook"])
    return files


# --------------------------------------------------------------------------- floors
def _read(path: str):
    """Read an edge file bare: pyarrow for CSV, NumPy's text parser for blank-separated
    SNAP files (any run of blanks separates, so trailing blanks are harmless). Ids are
    coded by ``np.unique`` (integers) or Arrow's dictionary encoding (text).
    Returns (source codes, target codes, ids)."""
    import numpy as np
    import pyarrow as pa

    if path.endswith((".csv", ".csv.gz")):
        import pyarrow.csv as pcsv

        t = pcsv.read_csv(path)
        both = pa.chunked_array(t.column(0).chunks + t.column(1).chunks)
        m = t.num_rows
        if pa.types.is_integer(both.type):
            ids, codes = np.unique(both.to_numpy(), return_inverse=True)
        else:
            enc = both.cast(pa.string()).combine_chunks().dictionary_encode()
            ids, codes = enc.dictionary.to_numpy(zero_copy_only=False), enc.indices.to_numpy()
    else:
        with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as fh:
            text = fh.read()
        start = 0
        while text.startswith(b"#", start):  # SNAP's comment lines come first
            start = text.index(b"\n", start) + 1
        pairs = np.fromstring(text[start:].decode(), dtype=np.int64, sep=" ").reshape(-1, 2)
        m = pairs.shape[0]
        ids, codes = np.unique(pairs.T.ravel(), return_inverse=True)
    return codes[:m], codes[m:], ids


def floor_help(path):
    import click  # noqa: F401  (what any click command line pays)


def floor_read(path):
    src, dst, ids = _read(path)
    print(f"{len(ids)} users, {len(src)} rows")


def _pagerank(src, dst, n):
    import numpy as np
    import scipy.sparse as sp

    a = sp.csr_matrix((np.ones(src.size), (dst, src)), shape=(n, n))
    a.sum_duplicates()
    a.data[:] = 1.0  # one link per pair (as graphkit's --unweighted)
    out = np.asarray(a.sum(axis=0)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(n), where=out > 0)
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(100):
        xn = 0.85 * (a @ (x * inv) + x[dangling].sum() / n) + 0.15 / n
        err = np.abs(xn - x).sum()
        x = xn
        if err < 1e-6:
            break
    return x


def floor_rank(path, out="/dev/null"):
    import numpy as np

    src, dst, ids = _read(path)
    x = _pagerank(src, dst, len(ids))
    top = np.argsort(-x, kind="stable")[:20]
    with open(out, "w") as fh:
        fh.write("rank,user,score\n")
        for r, i in enumerate(top, 1):
            fh.write(f"{r},{ids[i]},{x[i]!r}\n")


def _igraph():
    sys.modules["matplotlib"] = None  # igraph.drawing would import matplotlib.pyplot
    import igraph

    del sys.modules["matplotlib"]
    return igraph


def floor_communities(path):
    import numpy as np

    src, dst, ids = _read(path)
    ig = _igraph()
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keep = lo != hi
    pair = np.unique(lo[keep].astype(np.int64) * len(ids) + hi[keep], return_counts=True)
    g = ig.Graph(n=len(ids))
    # igraph reads an iterator of Python int pairs 2.5x cheaper than a NumPy (m, 2) array
    g.add_edges(zip((pair[0] // len(ids)).tolist(), (pair[0] % len(ids)).tolist()))
    g.es["weight"] = pair[1].astype(float).tolist()
    c = g.community_leiden(objective_function="modularity", weights="weight")
    print(f"{max(c.membership) + 1} communities, Q {g.modularity(c.membership, weights='weight'):.4f}")


def floor_view(path):
    import numpy as np

    src, dst, ids = _read(path)
    ig = _igraph()
    indeg = np.bincount(dst, minlength=len(ids))
    top = np.argsort(-indeg, kind="stable")[:100]
    keep = np.isin(src, top) & np.isin(dst, top)
    g = ig.Graph(n=len(ids))
    g.add_edges(np.column_stack([src[keep], dst[keep]]))
    g = g.induced_subgraph(top.tolist())
    g.layout_fruchterman_reingold(niter=500)


FLOORS = {"help": floor_help, "read": floor_read, "rank": floor_rank,
          "communities": floor_communities, "view": floor_view}


# --------------------------------------------------------------------------- runs
def commands(name: str, path: str, tmp: Path) -> list[tuple[str, list[str], str]]:
    """(label, graphkit arguments, floor) for one input."""
    p = path
    if name == "facebook":
        return [("communities", ["communities", p, "--undirected", "-o", f"{tmp}/m.csv"],
                 "communities")]
    rows = [
        ("info", ["info", p], "read"),
        ("rank --top 20 -o", ["rank", p, "--top", "20", "-o", f"{tmp}/r.csv"], "rank"),
        ("communities -o", ["communities", p, "-o", f"{tmp}/m.csv"], "communities"),
    ]
    if name == "example":
        rows = [("--help", ["--help"], "help")] + rows + [
            ("simulate", ["simulate", p, "--seeds", "alice,bob", "--runs", "1000"], "read"),
            ("seeds -k 3", ["seeds", p, "-k", "3"], "read"),
            ("view -o", ["view", p, "-o", f"{tmp}/v.html"], "view"),
            ("engagement", ["engagement", p, "--top", "5"], "read"),
            ("recommend", ["recommend", p, "--user", "alice"], "read"),
            ("segments -k 3", ["segments", p, "-k", "3"], "read"),
        ]
    elif name == "higgs":
        rows += [
            ("simulate", ["simulate", p, "--seeds", "88,3998,13813", "--runs", "1000"], "read"),
            ("seeds -k 20", ["seeds", p, "-k", "20"], "read"),
            ("view -o", ["view", p, "-o", f"{tmp}/v.html"], "view"),
        ]
    return rows


TIME = "/usr/bin/time"
BYTECODE_CACHE = True


def run(argv: list[str], root: Path = ROOT) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one child process; it must exit 0.

    The child imports graphkit from ``root`` (its working directory and first on
    ``PYTHONPATH``: ``python -m`` puts the working directory before ``PYTHONPATH``).

    Wall and CPU (user + sys) come from ``os.wait4``; the peak RSS from
    ``/usr/bin/time`` when present (a child forked from this process would report this
    process's own peak: ``ru_maxrss`` survives fork and exec), else from ``wait4``.
    """
    import tempfile

    report = None
    if os.path.exists(TIME):
        fd, report = tempfile.mkstemp(prefix="latency-", suffix=".txt")
        os.close(fd)
        argv = [TIME, "-f", "%M", "-o", report, *argv]
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(  # this checkout's graphkit
        p for p in (str(root), os.environ.get("PYTHONPATH")) if p))
    if BYTECODE_CACHE:  # as installed: modules compiled once, not in every run
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    proc = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss / 1024
    if report is not None:
        with open(report) as fh:
            rss = int(fh.read().split()[-1]) / 1024
        os.unlink(report)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {code}: {stderr.decode()[-400:]}")
    return wall, ru.ru_utime + ru.ru_stime, rss


def measure(gk_argv, floor_argv, repeat, baseline: Path | None = None):
    """Medians of ``repeat`` interleaved runs: graphkit, its floor and (with ``baseline``,
    another checkout) the same command from there, so all see the same load. With a
    baseline, also the median of the paired CPU ratios graphkit / baseline."""
    run(gk_argv)  # warm: numba's cache, the OS's file cache
    run(floor_argv)
    if baseline is not None:
        run(gk_argv, baseline)
    gk, fl, base = [], [], []
    for _ in range(repeat):  # interleaved, so both see the same load
        if baseline is not None:
            base.append(run(gk_argv, baseline))
        gk.append(run(gk_argv))
        fl.append(run(floor_argv))
    med = [tuple(statistics.median(r[i] for r in rows) for i in range(3)) if rows else None
           for rows in (gk, fl, base)]
    paired = statistics.median(g[1] / b[1] for g, b in zip(gk, base)) if base else None
    return med[0], med[1], med[2], paired


def versions() -> str:
    import importlib.metadata as md

    names = ["numpy", "scipy", "pyarrow", "pandas", "numba", "igraph", "click", "rich"]
    return f"Python {platform.python_version()}, " + ", ".join(
        f"{n} {md.version(n)}" for n in names)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", action="append", choices=["example", "higgs", "slashdot", "facebook"])
    ap.add_argument("--commands", default=None, help="comma-separated labels' first words")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="compile graphkit from source in every run (PYTHONDONTWRITEBYTECODE)")
    ap.add_argument("--baseline", metavar="DIR", type=Path, default=None,
                    help="also run each command with graphkit from another checkout DIR "
                         "(e.g. main), interleaved, and report the paired CPU ratio")
    ap.add_argument("--floor", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.floor:
        FLOORS[args.floor[0]](args.floor[1])
        return 0
    global BYTECODE_CACHE
    BYTECODE_CACHE = not args.no_bytecode_cache
    files = inputs()
    tmp = OUT / "latency"
    tmp.mkdir(parents=True, exist_ok=True)
    env_py = [sys.executable]
    cache = ("bytecode cached (as installed)" if BYTECODE_CACHE
             else "no bytecode cache (modules compiled in every run)")
    print(f"Machine: {machine()}\n{versions()}\nmedians of {args.repeat} paired runs, {cache}, "
          f"load before: {os.getloadavg()[0]:.2f}\n")
    base = args.baseline.resolve() if args.baseline else None
    head = "| input | command | graphkit wall / CPU / RSS | floor | floor wall / CPU / RSS | CPU ratio |"
    rule = "|---|---|---:|---|---:|---:|"
    if base is not None:
        print(f"baseline: graphkit from {base}")
        head += " baseline wall / CPU / RSS | CPU vs baseline (paired) |"
        rule += "---:|---:|"
    print(head)
    print(rule)
    wanted = set(args.commands.split(",")) if args.commands else None
    for name in args.only or ["example", "higgs", "slashdot", "facebook"]:
        # absolute paths when a baseline runs from its own directory
        path = str(files[name] if base else files[name].relative_to(ROOT))
        for label, gk_args, floor in commands(name, path, tmp):
            if wanted and label.split()[0].lstrip("-") not in wanted:
                continue
            g, f, b, paired = measure(env_py + ["-m", "graphkit", "-q", *gk_args],
                                      env_py + [__file__, "--floor", floor, path], args.repeat,
                                      base)
            row = (f"| {name} | `{label}` | {g[0]:.2f} s / {g[1]:.2f} s / {g[2]:.0f} MB | {floor} "
                   f"| {f[0]:.2f} s / {f[1]:.2f} s / {f[2]:.0f} MB | {g[1] / f[1]:.2f} |")
            if b is not None:
                row += f" {b[0]:.2f} s / {b[1]:.2f} s / {b[2]:.0f} MB | {paired:.2f} |"
            print(row, flush=True)
    print(f"\nload after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
