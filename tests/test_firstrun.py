"""First run: a command compiles only the numba kernels it runs, each for one signature
(numba compiles every new signature anew, so an accidental second specialisation -- a
literal ``0``, int32 vs int64 indices, float32 weights -- costs a whole kernel's compile
on the first run after installing), and NumPy checks spare kernels that have nothing to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graphkit.seeds import _rr_kernels
from graphkit.seeds._rrsets import rows_sorted

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "data" / "example.csv")

SCRIPT = """
import json, sys
from numba.core.registry import CPUDispatcher
from graphkit.cli import cli
for args in json.loads(sys.argv[1]):
    try:
        cli.main(args=args, prog_name="graphkit", standalone_mode=True)
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
found = {}
for name, mod in list(sys.modules.items()):
    if name.startswith("graphkit"):
        for attr, obj in vars(mod).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == name and obj.signatures:
                found[name + "." + attr] = len(obj.signatures)
print("KERNELS:" + json.dumps(found), file=sys.stderr)
"""

#: Every kernel these commands may run, with one signature each (no knapsack bound and
#: its sort outside budget mode; no sort kernel for weighted-cascade rows).
SEEDS = {"graphkit._streams.seed_state", "graphkit._streams.next_uniform",
         "graphkit._streams._mix", "graphkit._streams._rotl",
         "graphkit.seeds._rr_kernels.sample",
         "graphkit.seeds._rr_kernels.row_modes",
         "graphkit.seeds._greedy_kernels.greedy", "graphkit.seeds._greedy_kernels._sift_down",
         "graphkit.seeds._greedy_kernels._cover", "graphkit.seeds._greedy_kernels._key",
         "graphkit.seeds._greedy_kernels.topk_gain",
         "graphkit.seeds._greedy_kernels.invert_count", "graphkit.seeds._greedy_kernels.invert_fill",
         "graphkit.seeds._greedy_kernels.first_cover",
         "graphkit.diffusion._kernels.ic_runs"}
COMMANDS = {
    "rank": ([["rank", EXAMPLE, "--top", "5", "-q"]], set()),  # NumPy twins below 1M rows
    "simulate": ([["simulate", EXAMPLE, "--seeds", "alice,bob", "--runs", "64", "--random-seed",
                   "1", "-q"]], {"graphkit._streams.seed_state", "graphkit._streams.next_uniform",
                                 "graphkit._streams._mix", "graphkit._streams._rotl",
                                 "graphkit.diffusion._kernels.ic_runs"}),
    "seeds": ([["seeds", EXAMPLE, "-k", "2", "--runs", "64", "--random-seed", "1", "-q"]], SEEDS),
}


def compiled(commands, env=None) -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(commands)], capture_output=True,
                          text=True, cwd=ROOT, timeout=1800, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("KERNELS:"), proc.stderr[-3000:]
    return json.loads(line[len("KERNELS:"):])


def check(found: dict, allowed: set) -> None:
    extra = sorted(set(found) - allowed)
    assert not extra, f"kernels compiled that the command does not need: {extra}"
    many = {k: n for k, n in found.items() if n > 1}
    assert not many, f"kernels compiled for more than one signature: {many}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_compiles_only_its_kernels_once(name):
    commands, allowed = COMMANDS[name]
    found = compiled(commands)  # the usual on-disk cache: signatures loaded count too
    check(found, allowed)
    if name == "seeds":  # weighted cascade: every row already sorted, no sort kernel
        assert "graphkit.seeds._rr_kernels.sample" in found


@pytest.mark.slow
def test_fresh_cache_compiles_only_the_kernels_run(tmp_path):
    """The first run after installing: an empty NUMBA_CACHE_DIR, every kernel compiled
    (tens of seconds of CPU), and numba's cache written there (graphkit's fallback
    respects the user's setting)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    commands = [c for cs, _ in COMMANDS.values() for c in cs]
    found = compiled(commands, env)
    check(found, set().union(*(a for _, a in COMMANDS.values())))
    assert any(tmp_path.rglob("*.nbi")), "numba did not cache into NUMBA_CACHE_DIR"


def _csr(rng, n, max_deg):
    deg = rng.integers(0, max_deg + 1, n)
    deg[rng.random(n) < 0.2] = 0  # empty rows
    indptr = np.concatenate([[0], np.cumsum(deg)]).astype(np.int64)
    return indptr, int(indptr[-1])


@pytest.mark.parametrize("seed", range(40))
def test_rows_sorted_is_the_kernels_check(seed):
    rng = np.random.default_rng(seed)
    indptr, m = _csr(rng, int(rng.integers(0, 30)), 6)
    kind = seed % 4
    if kind == 0:  # equal within each row (weighted cascade): sorted
        values = np.repeat(rng.random(indptr.shape[0] - 1), np.diff(indptr))
    elif kind == 1:  # few distinct values (trivalency), ties
        values = rng.choice([0.1, 0.01, 0.001], m)
    elif kind == 2:  # each row sorted largest first, rows rising: only across rows
        values = np.concatenate([np.sort(rng.random(d))[::-1] + i
                                 for i, d in enumerate(np.diff(indptr))] or [np.empty(0)])
    else:
        values = rng.random(m)
    values = np.ascontiguousarray(values, dtype=np.float64)
    reference = _rr_kernels.sort_rows.py_func(indptr, values).shape[0] == 0
    assert rows_sorted(indptr, values) is reference


def test_rows_sorted_edges():
    indptr = np.array([0, 2, 2, 4], dtype=np.int64)
    assert rows_sorted(indptr, np.array([0.5, 0.5, 0.9, 0.1]))
    assert not rows_sorted(indptr, np.array([0.5, 0.5, 0.1, 0.9]))
    assert not rows_sorted(indptr, np.array([0.4, 0.5, 0.9, 0.1]))
    assert rows_sorted(np.zeros(1, dtype=np.int64), np.empty(0))


def test_compiled_before_looks_where_numba_caches(tmp_path, monkeypatch):
    from graphkit._jitcache import compiled_before

    source = str(tmp_path / "pkg" / "_kernels.py")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    assert not compiled_before(source, "ic_runs")  # empty: the first run
    nested = cache / "pkg_dir"
    nested.mkdir()
    (nested / "_kernels.lt_runs-105.py311.nbi").write_bytes(b"")
    assert not compiled_before(source, "ic_runs")  # another kernel
    (nested / "_kernels.ic_runs-60.py311.nbi").write_bytes(b"")
    assert compiled_before(source, "ic_runs")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("HOME", str(tmp_path / "nothing"))
    assert not compiled_before(source, "ic_runs")  # beside the source: nothing yet
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "__pycache__" / "_kernels.ic_runs-60.py311.nbi").write_bytes(b"")
    assert compiled_before(source, "ic_runs")
