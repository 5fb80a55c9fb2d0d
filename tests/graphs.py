"""Small named test graphs (after scikit-network's ``test_graphs.py``).

Each function returns a fresh :class:`graphkit.graph.SocialGraph`. Ids are chosen
so that position order and id order differ, which catches code that breaks ties
by position instead of by id.
"""

from __future__ import annotations

import numpy as np

from graphkit.graph import SocialGraph


def directed_cycle(n: int = 5) -> SocialGraph:
    """``c0 -> c1 -> ... -> c{n-1} -> c0``: every exact ranking is uniform."""
    return SocialGraph.from_pairs([(f"c{i}", f"c{(i + 1) % n}") for i in range(n)])


def weighted_cycle(n: int = 5) -> SocialGraph:
    """A directed cycle whose edges have different weights (PageRank still uniform)."""
    src = np.arange(n)
    dst = (src + 1) % n
    return SocialGraph.from_arrays(src, dst, [f"c{i}" for i in range(n)],
                                   row_weight=np.arange(1, n + 1, dtype=float))


def fan_in(n_leaves: int = 4) -> SocialGraph:
    """Every leaf follows one hub; leaf ids are in reverse position order (ties by id)."""
    ids = [f"leaf{n_leaves - i}" for i in range(n_leaves)]
    return SocialGraph.from_pairs([(leaf, "hub", "follow") for leaf in ids])


#: The interactions of :func:`typed_example`.
TYPED_ROWS = [
    ("bob", "alice", "follow"), ("carol", "alice", "follow"), ("dave", "alice", "share"),
    ("alice", "bob", "follow"), ("carol", "bob", "comment"), ("carol", "bob", "comment"),
    ("bob", "carol", "like"), ("frank", "erin", "follow"), ("frank", "alice", "share"),
    ("alice", "carol", "share"), ("dave", "erin", "share"),
]


def typed_example() -> SocialGraph:
    """Six users, four interaction types (``like`` is an extra, user-defined type).

    Type codes: comment 0, follow 1, like 2, share 3 (``from_pairs`` sorts them).
    ``dave`` only shares (weight 0 under :data:`ZERO_SHARE`), ``erin`` is dangling.
    """
    return SocialGraph.from_pairs(TYPED_ROWS)


#: Type weights for :func:`typed_example` that zero every ``share`` edge.
ZERO_SHARE = {"follow": 1.0, "share": 0.0, "comment": 2.0, "like": 0.5}


def random_graph(n: int, m: int, seed: int = 0, n_types: int = 1) -> SocialGraph:
    """A random multigraph (self-loops dropped) with ``n_types`` types and random row weights."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src != dst
    typ = rng.integers(0, n_types, m)[keep]
    types = ("follow", "share", "comment", "like")[:n_types] if n_types <= 4 else tuple(
        f"t{i}" for i in range(n_types))
    return SocialGraph.from_arrays(
        src[keep], dst[keep], [f"u{i:06d}" for i in rng.permutation(n)], edge_type=typ,
        types=types, row_weight=rng.uniform(0.5, 2.0, int(keep.sum())),
    )


def digests_on_threads(script: str, timeout: float = 600) -> dict:
    """Run ``script`` (which prints ``<numba threads> <digest>``) on 1 and 2 numba threads.

    Returns ``{"1": digest, "2": digest}``; asserts each run used the thread count asked for.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = {}
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads}
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              cwd=root, env=env, timeout=timeout)
        assert proc.returncode == 0, proc.stderr
        n, digest = proc.stdout.split()
        assert n == threads
        out[threads] = digest
    return out


def write_user_files(directory, edges) -> None:
    """The user files the README's commands name, for the example network ``edges``
    (a DataFrame with ``source``/``target``): ``membership.csv`` (the two groups of
    data/example.csv), ``fees.csv`` (user,cost), ``audience.txt`` (the first six users),
    ``competitors.txt`` (frank), ``signed.txt`` (heidi) and ``videos.csv`` (an item log)."""
    import pandas as pd

    users = sorted(set(edges.source) | set(edges.target))
    group = {u: (0 if u in {"alice", "bob", "carol", "dave", "erin"} else 1) for u in users}
    pd.DataFrame({"user": users, "community": [group[u] for u in users]}).to_csv(
        directory / "membership.csv", index=False)
    pd.DataFrame({"user": users, "cost": [100 + 50 * i for i in range(len(users))]}).to_csv(
        directory / "fees.csv", index=False)
    (directory / "audience.txt").write_text("\n".join(users[:6]) + "\n")
    (directory / "competitors.txt").write_text("frank\n")
    (directory / "signed.txt").write_text("heidi\n")
    (directory / "videos.csv").write_text(  # an item log for `graphkit engagement --items`
        "item,creator,views,likes,comments,shares,watch_time,buyers\n"
        "v1,alice,1200,80,12,30,9000,4\nv2,alice,800,20,3,5,4000,1\n"
        "v3,heidi,300,30,9,12,2500,2\nv4,frank,90,2,0,1,300,0\n")


_IMPORTS_SCRIPT = """
import sys
from graphkit.cli import cli
try:
    cli.main(args=sys.argv[2:], prog_name="graphkit", standalone_mode=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print("IMPORTED:" + ",".join(m for m in sys.argv[1].split(",") if m in sys.modules),
      file=sys.stderr)
"""


def command_imports(args, modules=("numba", "llvmlite"), cwd=None) -> list[str]:
    """Which of ``modules`` a ``graphkit ARGS -q`` process imported (it must exit 0)."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _IMPORTS_SCRIPT, ",".join(modules), *args, "-q"],
                          capture_output=True, text=True, cwd=cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("IMPORTED:"), proc.stderr
    return [m for m in last[len("IMPORTED:"):].split(",") if m]


def random_csr(gen, n: int, m: int):
    """A random simple directed graph on ``n`` nodes from ``m`` drawn pairs (self-loops and
    repeats dropped) as a sorted CSR: ``indptr`` (int64), ``indices`` (int32) and the
    source of every edge."""
    src, dst = gen.integers(0, n, m), gen.integers(0, n, m)
    keep = src != dst
    pair = np.unique(src[keep] * n + dst[keep])
    src, dst = pair // n, pair % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(src, minlength=n))
    return indptr, dst.astype(np.int32), src
