"""The Python/NumPy twins of the RR-set and greedy kernels (graphkit/seeds/_small.py): the
kernels' arrays bit for bit on many small random graphs and collections (IC's three row
modes, LT, roots, chunk boundaries; picks, gains and OPIM's bound), the same seed
selection through either path, and no numba in ``seeds`` on a small graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from graphs import command_imports, random_csr

from graphkit import _pystreams
from graphkit.seeds import _greedy_kernels as GK
from graphkit.seeds import _rr_kernels as K
from graphkit.seeds import _small, greedy
from graphkit.seeds._rrsets import (
    CHUNK_SETS,
    COUNT_MAX_MEAN,
    JUMP_COST,
    SUBSET_MIN_DEG,
    _gather,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "data" / "example.csv")


def _kernel_sets(arrays, lt, roots, n, chunk_seed, chunk_id0, n_sets):
    """What RRSets does with the kernels: sample on one thread, then gather."""
    stamp = np.zeros(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    tags = np.zeros(8, dtype=np.int32)
    cap = n * n_sets + 16
    sizes = np.zeros(n_sets, dtype=np.int64)
    wbuf = np.empty((1, cap), dtype=np.int32)
    thread = np.zeros(len(chunk_seed), dtype=np.int64)
    start = np.zeros(len(chunk_seed), dtype=np.int64)
    used = np.zeros(8, dtype=np.int64)
    K.sample(0, 1, *arrays, lt, roots, n, chunk_seed, chunk_id0, CHUNK_SETS, n_sets, stamp,
             queue, tags, cap, sizes, wbuf, thread, start, used)
    offsets = np.zeros(n_sets + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    members = np.empty(int(offsets[-1]), dtype=np.int32)
    _gather(offsets, wbuf, thread, start, n_sets, members, 0)
    return sizes, members


def _ic_arrays(gen, indptr, indices, src, kind, params):
    deg = np.diff(indptr)[src]
    if kind == "wc":
        p = 1.0 / deg
    elif kind == "trivalency":
        p = gen.choice([0.1, 0.01, 0.001], indices.size)
    elif kind == "equal":
        p = np.full(indices.size, gen.uniform(0.02, 0.5))
    else:
        p = gen.random(indices.size) ** 3
    p[gen.random(p.size) < 0.05] = 1.0
    p[gen.random(p.size) < 0.02] = 0.0
    want, got = K.sort_rows(indptr, p), _small.sort_rows(indptr, p)
    assert np.array_equal(want, got)
    if want.size:
        p, indices = p[want], indices[want]
    want, got = K.row_modes(indptr, p, *params), _small.row_modes(indptr, p, *params)
    assert all(np.array_equal(w, g) for w, g in zip(want, got))
    return (indptr, indices, p, *want), set(K.modes(want[1]).tolist())


@pytest.mark.parametrize("kind", ["wc", "trivalency", "equal", "random", "lt"])
def test_rr_sampling_twin_is_the_kernel_bit_for_bit(kind):
    modes = set()
    for case in range(25):
        gen = np.random.default_rng(case)
        dense = case % 2 == 1
        n = int(gen.integers(2, 120 if dense else 50))
        indptr, indices, src = random_csr(gen, n, int(n * gen.integers(8, 30)) if dense
                                      else int(gen.integers(0, 6 * n)))
        if kind == "lt":
            raw = gen.random(indices.size)
            total = np.bincount(src, weights=raw, minlength=n)
            w = raw / np.maximum(total[src], 1e-300) * gen.uniform(0.3, 1.0)
            values = K.row_cumsum(indptr, w)
            assert np.array_equal(_small.row_cumsum(indptr, w), values)
            arrays = (indptr, indices, values, np.empty(0), np.empty((0, 2)))
        else:
            # the default rule, and rules that make every mode (COUNT beyond 16 picks too)
            params = ((SUBSET_MIN_DEG, JUMP_COST, COUNT_MAX_MEAN) if case % 3 == 0 else
                      (2, float(gen.choice([0.5, 4.0])), float(gen.choice([4.0, 100.0]))))
            arrays, used = _ic_arrays(gen, indptr, indices, src, kind, params)
            modes |= used
        roots = (np.unique(gen.integers(0, n, 3)).astype(np.int32) if case % 4 == 0
                 else np.empty(0, dtype=np.int32))
        n_sets = int(gen.choice([1, CHUNK_SETS - 1, CHUNK_SETS, CHUNK_SETS + 1,
                                 int(gen.integers(2, 30 * CHUNK_SETS))]))
        chunk_seed = gen.integers(0, 2**63 - 1, -(-n_sets // CHUNK_SETS)).astype(np.uint64)
        chunk_id0 = int(gen.integers(0, 40))
        want = _kernel_sets(arrays, kind == "lt", roots, n, chunk_seed, chunk_id0, n_sets)
        got = _small.sample(*arrays, kind == "lt", roots, n, chunk_seed, chunk_id0, CHUNK_SETS,
                            n_sets, guess=int(gen.choice([0, 0, 3])))
        assert np.array_equal(want[0], got[0]) and np.array_equal(want[1], got[1]), case
    want_modes = {"wc": {K.COUNT}, "equal": {K.COUNT, K.JUMPS}, "trivalency": {K.JUMPS},
                  "random": {K.COINS, K.JUMPS}, "lt": set()}[kind]
    assert want_modes <= modes | {K.COINS}, modes  # the modes this kind exercises


def test_int_power_is_numbas():
    from numba import njit

    @njit
    def power(a, b):
        return a ** b

    gen = np.random.default_rng(0)
    for _ in range(300):
        a, b = float(gen.uniform(0, 1)), int(gen.integers(0, 200_000))
        assert _small._int_power(a, b) == power(a, np.int64(b))


def _collection(gen):
    n = int(gen.integers(1, 60))
    n_sets = int(gen.integers(0, 400))
    sizes = gen.integers(1, min(n, 6) + 1, n_sets)
    members = np.concatenate([gen.choice(n, s, replace=False) for s in sizes]
                             or [np.zeros(0, dtype=np.int64)]).astype(np.int32)
    offsets = np.zeros(n_sets + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    return n, offsets, members


@pytest.mark.parametrize("batch", range(3))
def test_greedy_twins_are_the_kernels(batch):
    for case in range(40):
        gen = np.random.default_rng(100 * batch + case)
        n, offsets, members = _collection(gen)
        ptr, sets = greedy._invert(offsets, members, n, 1)
        got = _small.invert(offsets, members, n)
        assert np.array_equal(ptr, got[0]) and np.array_equal(sets, got[1])
        eligible = gen.random(n) < 0.8
        fixed = np.unique(gen.integers(0, n, int(gen.integers(0, 3)))).astype(np.int64)
        eligible[fixed] = False
        rank = gen.permutation(n).astype(np.int64)
        k = int(gen.integers(0, n + 2))
        for bound in (False, True):
            mode = GK.BOUND_TOPK if bound else GK.BOUND_NONE
            want = GK.greedy(offsets, members, ptr, sets, n, eligible, rank,
                             np.zeros(n), np.inf, k, False, fixed, False, mode, k, None)
            got = _small.greedy_unit(offsets, members, ptr, sets, n, eligible, rank, k, fixed,
                                     k, bound)
            for w, g in zip(want[:3], got[:3]):
                assert np.array_equal(w, g), (batch, case, bound)
            assert want[3] == got[3] and want[4] == got[4] and want[5] == got[5]
        seq = gen.permutation(n)[: int(gen.integers(0, n + 1))].astype(np.int64)
        order = np.full(n, seq.size, dtype=np.int64)
        order[seq] = np.arange(seq.size)
        for blocks in (1, 3):
            assert np.array_equal(greedy._first_cover(offsets, members, order, seq.size, blocks),
                                  _small.first_cover(offsets, members, order, seq.size))


def _small_social():
    import graphkit as gk

    pairs = [(f"u{i}", f"u{(i * 7 + 3) % 31}") for i in range(31)]
    pairs += [(f"u{i}", f"u{(i * 3 + 1) % 31}") for i in range(0, 31, 2)]
    pairs += [(f"u{i}", "u5") for i in range(10, 20)]
    return gk.SocialGraph.from_pairs(pairs)


@pytest.mark.parametrize("method, model", [("opim", "ic"), ("imm", "ic"), ("opim", "lt"),
                                           ("imm", "lt")])
def test_select_seeds_is_the_same_through_the_twins(method, model, monkeypatch):
    import json

    import graphkit as gk
    from graphkit.io import to_jsonable

    g = _small_social()
    kwargs = dict(method=method, model=model, rng=3, evaluate_runs=2000, curve_sets=3000)
    want = gk.select_seeds(g, 3, **kwargs)  # numba is loaded in the test process: kernels
    monkeypatch.setattr(_pystreams, "numba_loaded", lambda: False)
    monkeypatch.setattr(_pystreams, "_spent", [0])
    calls = []
    real = _small.sample
    monkeypatch.setattr(_small, "sample", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = gk.select_seeds(g, 3, **kwargs)
    assert calls  # the twins ran
    assert json.dumps(to_jsonable(got.to_dict())) == json.dumps(to_jsonable(want.to_dict()))


@pytest.mark.parametrize("args", [["seeds", EXAMPLE, "-k", "3"],
                                  ["seeds", EXAMPLE, "-k", "2", "--method", "imm", "--model", "lt"]])
def test_seeds_on_a_small_graph_does_not_import_numba(args):
    assert command_imports(args, cwd=ROOT) == []
