"""The kernels' random streams (:mod:`graphkit._streams`) without numba, number for number.

The small-graph twins of the cascade and RR-set kernels (``diffusion/_small.py``,
``seeds/_small.py``) must draw exactly the uniforms the kernels draw, in the same order:
chunk ``c`` of a job starts its xoshiro256+ stream from ``splitmix64``-hashed
``(chunk_seed[c], c)``. Here the 64-bit words are Python ints masked to 64 bits
(:class:`Stream`), and many chunks' streams advance together as NumPy ``uint64`` arrays
(:func:`lane_blocks`: about 5x cheaper per number than Python ints once there are a few
dozen chunks). ``tests/test_small_twins.py`` compares both with
:func:`graphkit._streams.uniforms`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["seed_state", "Stream", "lane_blocks", "uniforms", "chunk_streams", "counted",
           "numba_loaded", "may_draw", "spend", "BUDGET_DRAWS"]

_M64 = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TWO_M53 = 1.0 / 9007199254740992.0  # 2 ** -53


def _mix(z: int) -> int:
    """The splitmix64 finaliser (:func:`graphkit._streams._mix`)."""
    z = ((z ^ (z >> 30)) * _M1) & _M64
    z = ((z ^ (z >> 27)) * _M2) & _M64
    return z ^ (z >> 31)


def seed_state(seed: int, chunk: int) -> list[int]:
    """The 4-word xoshiro256 start state of chunk ``chunk`` with seed ``seed``
    (:func:`graphkit._streams.seed_state`)."""
    x = _mix((int(seed) + _GOLDEN) & _M64) ^ _mix((int(chunk) * _GOLDEN + _M2) & _M64)
    state = []
    for _ in range(4):
        x = (x + _GOLDEN) & _M64
        state.append(_mix(x))
    return state


class Stream:
    """One chunk's stream: :meth:`block` returns its next uniforms as Python floats."""

    __slots__ = ("s",)

    def __init__(self, state):
        self.s = [int(w) for w in state]

    @classmethod
    def seeded(cls, seed: int, chunk: int) -> Stream:
        return cls(seed_state(seed, chunk))

    def block(self, count: int) -> list[float]:
        """The next ``count`` uniforms (:func:`graphkit._streams.next_uniform` each)."""
        s0, s1, s2, s3 = self.s
        out = [0.0] * count
        for i in range(count):
            r = (s0 + s3) & _M64
            t = (s1 << 17) & _M64
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = ((s3 << 45) & _M64) | (s3 >> 19)
            out[i] = (r >> 11) * _TWO_M53
        self.s = [s0, s1, s2, s3]
        return out


def lane_blocks(states: list[list[int]], count: int) -> tuple[list[list[float]], list[Stream]]:
    """The next ``count`` uniforms of each of several streams, advanced together in
    NumPy ``uint64`` arithmetic (which wraps modulo 2**64 like the kernels').

    Returns each stream's uniforms (Python floats) and a :class:`Stream` continuing it.
    """
    words = np.array(states, dtype=np.uint64).T.copy()  # (4, lanes)
    s0, s1, s2, s3 = words
    raw = np.empty((count, words.shape[1]), dtype=np.uint64)
    t = np.empty_like(s0)
    r = np.empty_like(s0)
    k17, k45, k19, k11 = (np.uint64(v) for v in (17, 45, 19, 11))
    for i in range(count):
        np.add(s0, s3, out=raw[i])
        np.left_shift(s1, k17, out=t)
        np.bitwise_xor(s2, s0, out=s2)
        np.bitwise_xor(s3, s1, out=s3)
        np.bitwise_xor(s1, s2, out=s1)
        np.bitwise_xor(s0, s3, out=s0)
        np.bitwise_xor(s2, t, out=s2)
        np.right_shift(s3, k19, out=r)
        np.left_shift(s3, k45, out=s3)
        np.bitwise_or(s3, r, out=s3)
    uni = np.right_shift(raw, k11).astype(np.float64) * _TWO_M53
    nxt = [Stream((int(s0[j]), int(s1[j]), int(s2[j]), int(s3[j]))) for j in range(s0.shape[0])]
    return uni.T.tolist(), nxt


def uniforms(seed: int, chunk: int, count: int) -> np.ndarray:
    """``count`` uniforms of chunk ``chunk``'s stream (:func:`graphkit._streams.uniforms`)."""
    return np.array(Stream.seeded(seed, chunk).block(count), dtype=np.float64)


#: Chunks from which :func:`chunk_streams` advances the streams together in NumPy.
LANES = 24


def chunk_streams(chunk_seed, chunk_id0: int, guess: int):
    """Per chunk ``c`` (global chunk ``chunk_id0 + c``): a list of its first uniforms
    (``guess`` of them, or none with fewer than :data:`LANES` chunks) and a
    :class:`Stream` continuing after them."""
    n_chunks = len(chunk_seed)
    states = [seed_state(int(chunk_seed[c]), chunk_id0 + c) for c in range(n_chunks)]
    if n_chunks >= LANES and guess > 0:
        return lane_blocks(states, int(guess))
    return [[] for _ in range(n_chunks)], [Stream(s) for s in states]


def counted(first: list, cont: Stream, tally: list, block: int = 64):
    """An iterator over ``first`` then ``cont``'s numbers, adding to ``tally[0]`` how many
    it has made available (at most ``block`` more than were taken)."""
    tally[0] += len(first)
    yield from first
    while True:
        tally[0] += block
        yield from cont.block(block)


# --------------------------------------------------------------------------- budget
#: Uniforms the twins may draw in one process. Measured (``bench/RESULTS.md``): a twin
#: costs ~460 ns of CPU per uniform drawn and numba's import plus its first kernel call
#: ~0.75 s, so they break even near 1.6M; past this budget (~0.45 s) kernels run the rest.
BUDGET_DRAWS = 1_000_000
_spent = [0]


def numba_loaded() -> bool:
    """Whether this process has imported numba already (its start-up is mostly paid)."""
    import sys

    return "numba" in sys.modules


def may_draw(expected: float) -> bool:
    """Whether a twin may draw about ``expected`` more uniforms in this process: numba
    not loaded yet and the budget not exceeded. Counts them as spent when it may."""
    if numba_loaded() or _spent[0] + expected > BUDGET_DRAWS:
        return False
    _spent[0] += int(expected)
    return True


def spend(draws: int) -> None:
    """Count ``draws`` uniforms a twin drew without asking first (a job's first chunk)."""
    _spent[0] += int(draws)
