"""Random streams for numba kernels: one xoshiro256+ stream per chunk of work.

Chunk ``c`` of a job draws from a stream whose start state is ``splitmix64``-hashed from
``(chunk_seed[c], c)`` (:func:`seed_state`), so neighbouring chunks never share a stream
and a chunk's numbers do not depend on which thread runs it. Used by the cascade kernels
(:mod:`graphkit.diffusion`), the RR-set sampler (:mod:`graphkit.seeds`) and the learning
evaluation. Compiled on first use, cached on disk; tested through
:func:`uniforms` (uniformity, independence of chunks and seeds).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["seed_state", "next_uniform", "uniforms"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2 ** -53


@njit(cache=True)
def _mix(z):  # pragma: no cover - compiled
    """The splitmix64 finaliser: a bijective 64-bit hash."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _rotl(x, k):  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def seed_state(state, seed, chunk):  # pragma: no cover - compiled
    """Fill the 4-word xoshiro256 ``state`` from ``(seed, chunk)`` through splitmix64."""
    x = _mix(np.uint64(seed) + _GOLDEN) ^ _mix(np.uint64(chunk) * _GOLDEN + _M2)
    for i in range(4):
        x = x + _GOLDEN
        state[i] = _mix(x)


@njit(cache=True)
def next_uniform(s):  # pragma: no cover - compiled
    """xoshiro256+ step: a double uniform on [0, 1) from the top 53 bits."""
    result = s[0] + s[3]
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return np.float64(result >> np.uint64(11)) * _TWO_M53


@njit(cache=True)
def uniforms(seed, chunk, count):  # pragma: no cover - compiled
    """``count`` uniforms of chunk ``chunk``'s stream (for tests of the generator)."""
    state = np.empty(4, dtype=np.uint64)
    seed_state(state, seed, chunk)
    out = np.empty(count, dtype=np.float64)
    for i in range(count):
        out[i] = next_uniform(state)
    return out
