"""The Python twins of the cascade kernels and their random streams: the kernels' numbers
bit for bit on many small random graphs (IC and LT, weights, several seeds, chunk
boundaries, step limits), the pure-Python reference's distribution, and no numba in
``simulate`` on a small graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from graphs import command_imports, random_csr

from graphkit import _pystreams, _streams
from graphkit.diffusion import _kernels as cascade_kernels
from graphkit.diffusion import _small as cascade_small
from graphkit.diffusion._reference import simulate_reference
from graphkit.diffusion.simulation import CHUNK_RUNS, _on_workers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "data" / "example.csv")


# --------------------------------------------------------------------------- streams
@pytest.mark.parametrize("seed, chunk", [(0, 0), (2**64 - 1, 5), (123456789, 2**40),
                                         (2**63, 7), (42, 0), (42, 1)])
def test_python_stream_is_the_kernels(seed, chunk):
    ref = _streams.uniforms(np.uint64(seed), chunk, 2000)
    assert np.array_equal(_pystreams.uniforms(seed, chunk, 2000), ref)
    stream = _pystreams.Stream.seeded(seed, chunk)  # in blocks: one stream continued
    parts = [stream.block(n) for n in (1, 63, 700, 1236)]
    assert np.array_equal(np.concatenate(parts), ref)


def test_lane_blocks_are_the_kernels_streams():
    gen = np.random.default_rng(3)
    seeds = gen.integers(0, 2**63 - 1, 40).astype(np.uint64)
    states = [_pystreams.seed_state(int(s), 9 + c) for c, s in enumerate(seeds)]
    first, cont = _pystreams.lane_blocks(states, 150)
    for c, s in enumerate(seeds):
        ref = _streams.uniforms(s, 9 + c, 200)
        assert np.array_equal(first[c], ref[:150])
        assert np.array_equal(cont[c].block(50), ref[150:])


# --------------------------------------------------------------------------- cascades
def _random_graph(gen, model):
    n = int(gen.integers(2, 45))
    indptr, indices, _ = random_csr(gen, n, int(gen.integers(0, 5 * n)))
    if model == "ic":
        values = gen.random(indices.size) * gen.uniform(0.05, 1.0)
        values[gen.random(indices.size) < 0.15] = 1.0  # certain edges still draw
        values[gen.random(indices.size) < 0.05] = 0.0
    else:  # LT weights: at most 1 into each user, often exactly 1
        raw = gen.random(indices.size)
        into = np.bincount(indices, weights=raw, minlength=n)
        values = raw / np.maximum(into[indices], 1e-300)
        if gen.random() < 0.5:
            values *= gen.uniform(0.3, 1.0)
    return indptr, indices, values


def _kernel_tallies(model, indptr, indices, values, seeds, chunk_seed, chunk_id0, runs, steps,
                    workers):
    kernel = cascade_kernels.ic_runs if model == "ic" else cascade_kernels.lt_runs
    return _on_workers(kernel, workers, indptr.shape[0] - 1, runs, steps,
                       (indptr, indices, values, seeds, chunk_seed, chunk_id0, CHUNK_RUNS))


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("batch", range(4))
def test_cascade_twin_is_the_kernel_bit_for_bit(model, batch):
    for case in range(15):
        gen = np.random.default_rng(1000 * batch + case)
        indptr, indices, values = _random_graph(gen, model)
        n = indptr.shape[0] - 1
        seeds = np.unique(gen.integers(0, n, int(gen.integers(1, 5)))).astype(np.int64)
        # run counts on and around chunk boundaries, and enough chunks for the lanes
        runs = int(gen.choice([1, CHUNK_RUNS - 1, CHUNK_RUNS, CHUNK_RUNS + 1, 5 * CHUNK_RUNS,
                               int(gen.integers(2, 40 * CHUNK_RUNS))]))
        steps = int(gen.choice([-1, -1, 0, 1, 2]))
        n_chunks = -(-runs // CHUNK_RUNS)
        chunk_seed = gen.integers(0, 2**63 - 1, n_chunks).astype(np.uint64)
        chunk_id0 = int(gen.integers(0, 100))
        want = _kernel_tallies(model, indptr, indices, values, seeds, chunk_seed, chunk_id0,
                               runs, steps, int(gen.integers(1, 3)))
        got = cascade_small.run_chunks(model, indptr, indices, values, seeds, chunk_seed,
                                       chunk_id0, CHUNK_RUNS, runs, steps,
                                       guess=int(gen.choice([0, 0, 1, 50])))
        for w, g in zip(want, got[:3]):
            assert g.dtype == w.dtype and np.array_equal(g, w), (model, batch, case)


def _ring_graph():
    import graphkit as gk

    return gk.SocialGraph.from_pairs([(f"u{i}", f"u{(i * 7 + 3) % 23}") for i in range(23)]
                                     + [(f"u{i}", f"u{(i * 5 + 1) % 23}") for i in range(23)])


@pytest.mark.parametrize("model", ["ic", "lt"])
@pytest.mark.parametrize("path", ["twin", "first chunk in the twin", "kernels"])
def test_simulate_gives_the_same_estimate_through_every_path(model, path, monkeypatch):
    import graphkit as gk

    g = _ring_graph()
    want = gk.simulate(g, ["u0", "u3"], model, runs=3000, rng=5)  # numba loaded: kernels
    monkeypatch.setattr(_pystreams, "numba_loaded", lambda: False)
    monkeypatch.setattr(_pystreams, "_spent", [0])
    if path == "first chunk in the twin":
        monkeypatch.setattr(_pystreams, "BUDGET_DRAWS", 10)
    elif path == "kernels":
        monkeypatch.setattr(cascade_small, "FIRST_CHUNK_WORK", 0)
    calls = []
    real = cascade_small.run_chunks
    monkeypatch.setattr(cascade_small, "run_chunks", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = gk.simulate(g, ["u0", "u3"], model, runs=3000, rng=5)
    assert len(calls) == {"twin": 2, "first chunk in the twin": 1, "kernels": 0}[path]
    assert got.mean == want.mean and got.std == want.std and got.runs == want.runs
    assert np.array_equal(got.per_step, want.per_step)
    assert np.array_equal(got.activation_probability, want.activation_probability)


@pytest.mark.parametrize("model", ["ic", "lt"])
def test_cascade_twin_agrees_with_the_pure_python_reference(model):
    gen = np.random.default_rng(11 if model == "ic" else 12)
    indptr, indices, values = _random_graph(gen, model)
    while indices.size < 20:
        indptr, indices, values = _random_graph(gen, model)
    seeds = np.array([int(indices[0])], dtype=np.int64)
    runs = 6000
    chunk_seed = gen.integers(0, 2**63 - 1, -(-runs // CHUNK_RUNS)).astype(np.uint64)
    reach, step_sum, act, _ = cascade_small.run_chunks(model, indptr, indices, values, seeds,
                                                       chunk_seed, 0, CHUNK_RUNS, runs, -1)
    r_reach, r_steps, r_act = simulate_reference(indptr, indices, values, seeds, runs, model,
                                                 seed=3)
    se = np.sqrt(reach.var() / runs + r_reach.var() / runs) + 1e-12
    assert abs(reach.mean() - r_reach.mean()) < 5 * se
    assert step_sum[0] == r_steps[0] == runs * seeds.size
    # every user's activation frequency within 5 standard errors of the reference's
    p, q = act / runs, r_act / runs
    assert np.all(np.abs(p - q) <= 5 * np.sqrt((p * (1 - p) + q * (1 - q)) / runs) + 1e-12)


def test_twin_threshold_counts_reachable_edges():
    # 0 -> 1 -> 2, 3 -> 4: from 0, two edges can be tried; from 3, one
    indptr = np.array([0, 1, 2, 2, 3, 3], dtype=np.int64)
    indices = np.array([1, 2, 4], dtype=np.int32)
    assert cascade_small.reachable_edges(indptr, indices, [0]) == 2
    assert cascade_small.reachable_edges(indptr, indices, [3]) == 1
    assert cascade_small.reachable_edges(indptr, indices, [0, 3]) == 3
    assert cascade_small.reachable_edges(indptr, indices, [2]) == 0


@pytest.mark.parametrize("args", [
    ["simulate", EXAMPLE, "--seeds", "alice,bob", "--runs", "1000"],
    ["simulate", EXAMPLE, "--seeds", "alice", "--model", "lt"],
])
def test_small_commands_do_not_import_numba(args):
    assert command_imports(args, cwd=ROOT) == []
