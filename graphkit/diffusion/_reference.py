"""Slow, obviously-correct pure-Python IC and LT simulation (the tests' reference).

The same process as :mod:`graphkit.diffusion._kernels`, written as plainly as possible
with Python sets and lists and Python's ``random.Random``: no chunking, no stamps, no
numba. Random streams differ from the kernels', so compare distributions (means within
confidence intervals), never individual runs.
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["simulate_reference"]


def _out_edges(indptr, indices, weight):
    """Adjacency as a list of ``[(v, w), ...]`` per user."""
    return [
        [(int(indices[j]), float(weight[j])) for j in range(indptr[u], indptr[u + 1])]
        for u in range(len(indptr) - 1)
    ]


def _ic_run(adj, seeds, rnd, max_steps):
    active = set(seeds)
    frontier = list(dict.fromkeys(seeds))
    steps = [len(frontier)]
    while frontier and (max_steps is None or len(steps) <= max_steps):
        new = []
        for u in frontier:
            for v, p in adj[u]:
                if v not in active and rnd.random() < p:
                    active.add(v)
                    new.append(v)
        if not new:
            break
        steps.append(len(new))
        frontier = new
    return active, steps


def _lt_run(adj, seeds, rnd, max_steps):
    active = set(seeds)
    frontier = list(dict.fromkeys(seeds))
    steps = [len(frontier)]
    threshold: dict[int, float] = {}
    total: dict[int, float] = {}
    while frontier and (max_steps is None or len(steps) <= max_steps):
        new = []
        for u in frontier:
            for v, w in adj[u]:
                if v in active:
                    continue
                if v not in threshold:
                    threshold[v] = 1.0 - rnd.random()  # uniform on (0, 1]
                    total[v] = 0.0
                total[v] += w
                if total[v] >= threshold[v]:
                    active.add(v)
                    new.append(v)
        if not new:
            break
        steps.append(len(new))
        frontier = new
    return active, steps


def simulate_reference(indptr, indices, weight, seeds, runs, model="ic", seed=0, max_steps=None):
    """Run ``runs`` cascades in pure Python.

    Parameters
    ----------
    indptr, indices, weight : arrays
        The influence CSR (row ``u`` = users ``u`` influences) and the per-edge
        probability (IC) or normalised weight (LT).
    seeds : sequence of int
        Seed positions.
    runs : int
    model : {"ic", "lt"}
    seed : int
        Seed of Python's ``random.Random``.
    max_steps : int or None

    Returns
    -------
    reach : ndarray of int64 (runs,)
        Active users at the end of each run, seeds included.
    step_sum : ndarray of int64
        Newly activated users per step summed over runs (step 0 = seeds).
    act : ndarray of int64 (n,)
        Runs in which each user ended active.
    """
    adj = _out_edges(indptr, indices, weight)
    run_one = {"ic": _ic_run, "lt": _lt_run}[model]
    rnd = random.Random(seed)
    seeds = [int(s) for s in seeds]
    reach = np.zeros(runs, dtype=np.int64)
    act = np.zeros(len(adj), dtype=np.int64)
    step_sum: list[int] = []
    for r in range(runs):
        active, steps = run_one(adj, seeds, rnd, max_steps)
        reach[r] = len(active)
        for v in active:
            act[v] += 1
        for t, k in enumerate(steps):
            if t == len(step_sum):
                step_sum.append(0)
            step_sum[t] += k
    return reach, np.array(step_sum, dtype=np.int64), act
