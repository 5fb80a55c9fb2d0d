#!/usr/bin/env python3
"""Benchmark: reading data as people have it (issue 16, reader half).

Generates, with numpy, a CollegeMsg-like file (``src dst unixtime`` with a trailing blank,
no header) and a Bitcoin-OTC-like file (``source,target,rating,time``, ratings -10..10,
float unix seconds, no header) of ``--rows`` rows each, then measures in one process the
median CPU time (user + sys) of ``--repeat`` runs after a warm-up:

* ``read_edges`` with the column roles guessed (the time column found by its values), and
  with ``signed=True``, ``undirected=True``, ``since=...``;
* floor -- pyarrow's CSV reader on the same file with the columns typed by hand (strings for
  ids, numbers for the rest): the parse alone, no validation, no ids mapped.

Each read is checked against the generated arrays (row count, time range, negative rows).

Usage::

    python bench/readers.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import graphkit as gk  # noqa: E402

try:
    from _common import machine  # noqa: E402
except ImportError:  # pragma: no cover
    def machine():
        return "?"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, repeat):
    fn()
    runs = []
    for _ in range(repeat):
        t = cpu()
        out = fn()
        runs.append(cpu() - t)
    return statistics.median(runs), out


def make(folder: Path, n: int):
    rng = np.random.default_rng(16)
    src = rng.integers(1, 200_000, n)
    dst = (src + rng.integers(1, 199_999, n)) % 200_000 + 1
    t = 1082040961 + np.cumsum(rng.integers(0, 30, n))
    college = folder / "CollegeMsg.txt"
    with open(college, "w") as fh:
        for a, b, s in zip(src.tolist(), dst.tolist(), t.tolist()):
            fh.write(f"{a} {b} {s} \n")
    rating = rng.choice(np.array([-10, -5, -1, 1, 1, 2, 3, 5, 10]), n)
    tf = 1289241911.72 + np.cumsum(rng.random(n) * 40)
    btc = folder / "bitcoin.csv"
    with open(btc, "w") as fh:
        for a, b, r, s in zip(src.tolist(), dst.tolist(), rating.tolist(), tf.tolist()):
            fh.write(f"{a},{b},{r},{s:.2f}\n")
    return college, btc, {"n": n, "t0": t[0], "t1": t[-1], "neg": int((rating < 0).sum()),
                          "loops": int((src == dst).sum())}


def floor(path, delim, names, types):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    return pcsv.read_csv(
        path, read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(delimiter=delim),
        convert_options=pcsv.ConvertOptions(column_types={k: getattr(pa, v)() for k, v in types.items()},
                                            include_columns=list(types)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as d:
        college, btc, ref = make(Path(d), args.rows)
        n = ref["n"]
        rows = []
        sec, t = timed(lambda: gk.read_edges(college), args.repeat)
        assert t.n_rows == n - ref["loops"] and t.row_weight is None
        assert t.timestamp.min() == np.datetime64(int(ref["t0"]), "s")
        assert t.timestamp.max() == np.datetime64(int(ref["t1"]), "s")
        rows.append(("CollegeMsg-like: read_edges (time column guessed)", sec))
        sec, _ = timed(lambda: floor(college, " ", ["a", "b", "t", "x"],
                                     {"a": "string", "b": "string", "t": "int64"}), args.repeat)
        rows.append(("CollegeMsg-like: floor (pyarrow parse, typed by hand)", sec))
        sec, t = timed(lambda: gk.read_edges(college, undirected=True), args.repeat)
        assert t.n_rows == 2 * (n - ref["loops"])
        rows.append(("CollegeMsg-like: read_edges undirected=True", sec))
        sec, t = timed(lambda: gk.read_edges(college, since="2004-04-20", until="2004-05-01"),
                       args.repeat)
        rows.append(("CollegeMsg-like: read_edges since/until", sec))
        sec, t = timed(lambda: gk.read_edges(btc, signed=True), args.repeat)
        assert int(t.distrust.sum()) + t.n_rows == n - ref["loops"]
        rows.append(("Bitcoin-like: read_edges signed=True", sec))
        sec, _ = timed(lambda: floor(btc, ",", ["a", "b", "r", "t"],
                                     {"a": "string", "b": "string", "r": "float64", "t": "float64"}),
                       args.repeat)
        rows.append(("Bitcoin-like: floor (pyarrow parse, typed by hand)", sec))
    print(f"{n:,} rows per file, median of {args.repeat} after a warm-up, CPU user+sys")
    for name, sec in rows:
        print(f"| {name} | {sec:.2f} s |")


if __name__ == "__main__":
    main()
