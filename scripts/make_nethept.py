#!/usr/bin/env python3
"""Convert the NetHEPT influence-maximization benchmark into graphkit's edge format.

Source (read from ``--source``, unchanged): ``NetHEPT.directed_WC_weights.jxshang_IMPC.txt.gz``.
Its first line is ``n m`` (``15229 62752``); every other line is ``u v p``: a directed
arc meaning **u influences v** with weighted-cascade probability ``p = 1/indegree(v)``
(written with six decimals). Node ids are 0-based integers.

graphkit's edge files run in the *attention* direction (DESIGN §2: ``source`` acted on
``target``, influence flows target -> source). So arc ``u v p`` becomes the row
``source = v, target = u, p`` -- v paid attention to u, u influences v:

* ids are written exactly as in the source (integers as text);
* ``p`` is copied character for character, so ``--prob column:p`` reads back the very
  same floating-point numbers;
* rows keep the source's order; no type column (every row is an ``interaction``).

Checks (the script stops with a message if one fails): ``m`` arcs and ``n`` distinct
node ids (all of 0..n-1), no self-loop, no repeated arc, every ``p`` in (0, 1].

Output: ``data/nethept.csv.gz`` with header ``source,target,p``; gzip header mtime 0 and
no file name, so re-running gives a byte-identical file. Use it with::

    graphkit simulate data/nethept.csv.gz --prob column:p --seeds 0,1 --runs 10000

Run from the repository root (about a second)::

    python scripts/make_nethept.py

Credit: NetHEPT (arXiv High Energy Physics Theory co-authorship), as used in W. Chen,
Y. Wang, S. Yang, "Efficient influence maximization in social networks", KDD 2009, and
Y. Tang, X. Shi, X. Xiao, "Influence maximization: near-optimal time complexity meets
practical efficiency", SIGMOD 2014.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE_NAME = "NetHEPT.directed_WC_weights.jxshang_IMPC.txt.gz"
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "nethept" / SOURCE_NAME
DEFAULT_OUT = REPO / "data" / "nethept.csv.gz"


def convert(source: Path) -> tuple[bytes, int, int]:
    """The output CSV bytes, the node count and the arc count; SystemExit on a bad source."""
    with gzip.open(source, "rt", encoding="ascii") as fh:
        lines = fh.read().splitlines()
    try:
        n, m = (int(x) for x in lines[0].split())
    except ValueError:
        sys.exit(f"{source}:1: expected 'n m', got {lines[0]!r}")
    out = io.StringIO()
    out.write("source,target,p\n")
    seen: set[tuple[str, str]] = set()
    nodes: set[str] = set()
    arcs = 0
    for i, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            sys.exit(f"{source}:{i}: expected 'u v p', got {line!r}")
        u, v, p = parts
        if u == v:
            sys.exit(f"{source}:{i}: self-loop {u}")
        if (u, v) in seen:
            sys.exit(f"{source}:{i}: repeated arc {u} {v}")
        if not 0.0 < float(p) <= 1.0:
            sys.exit(f"{source}:{i}: p {p} is not in (0, 1]")
        seen.add((u, v))
        nodes.update((u, v))
        out.write(f"{v},{u},{p}\n")  # attention direction: v acted on u
        arcs += 1
    if arcs != m:
        sys.exit(f"{source}: header says {m} arcs, found {arcs}")
    if nodes != {str(i) for i in range(n)}:
        sys.exit(f"{source}: node ids are not exactly 0..{n - 1}")
    return out.getvalue().encode("ascii"), n, arcs


def write_gzip_atomic(data: bytes, out: Path) -> int:
    """gzip ``data`` (mtime 0, no file name: reproducible bytes) into ``out`` atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out.stat().st_size


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the NetHEPT .txt.gz file")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .csv.gz")
    args = ap.parse_args(argv)
    data, n, m = convert(args.source)
    size = write_gzip_atomic(data, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out}: {m:,} rows, {n:,} users, {size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
