"""Random-number plumbing shared by every random algorithm.

``as_generator`` turns the public ``rng`` argument into a ``numpy.random.Generator``
when the algorithm runs. ``chunk_seeds`` gives numba kernels one uint64 seed per
chunk of work; the number of chunks depends on the size of the work, never on the
number of threads, so results are identical on 1 or 2 threads.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

__all__ = ["RngLike", "as_generator", "chunk_seeds", "spawn", "igraph_seed", "draw_seed",
           "int_seed"]

#: What every ``rng`` argument accepts: a seed, a generator, a seed sequence, or ``None``
#: (fresh OS entropy).
RngLike = int | np.integer | np.random.Generator | np.random.SeedSequence | None


def as_generator(rng: RngLike = None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``rng``.

    Parameters
    ----------
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        ``None`` draws fresh OS entropy (never NumPy's global state); an int or a
        ``SeedSequence`` seeds a new generator; a ``Generator`` is returned as is.

    Raises
    ------
    TypeError
        For any other type (``bool`` included, a common slip for an int).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool):
        raise TypeError("rng must be an int, a numpy Generator, a SeedSequence or None, not bool")
    if isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ValueError(f"rng seed must be non-negative, got {rng}")
        return np.random.default_rng(int(rng))
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be an int, a numpy Generator, a SeedSequence or None, not {type(rng).__name__}"
    )


def spawn(rng: RngLike, n: int) -> list[np.random.Generator]:
    """Split ``rng`` into ``n`` independent child generators (NumPy's spawn)."""
    return as_generator(rng).spawn(n)


def chunk_seeds(rng: RngLike, n_chunks: int) -> np.ndarray:
    """Draw one 64-bit seed per chunk of work for a numba kernel.

    Seeds come from a single draw of the parent generator, and the kernel hashes
    (seed, chunk) into its stream state, so neighbouring chunks never share a
    stream (seeding ``base + i`` is the trap DESIGN §6 warns about).
    """
    gen = as_generator(rng)
    return gen.integers(0, np.iinfo(np.int64).max, size=n_chunks, dtype=np.int64).astype(np.uint64)


def int_seed(rng: RngLike) -> int:
    """An int seed (for igraph's layout, vis-network) from ``rng``: an int as is, else a draw."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    return int(as_generator(rng).integers(0, 2**31 - 1))


def draw_seed() -> int:
    """A fresh seed from OS entropy, to be reported so a run can be repeated."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


_IGRAPH_LOCK = threading.Lock()


@contextmanager
def igraph_seed(seed: int):
    """Seed igraph's random number generator for the duration of the block.

    igraph draws from a process-wide Python ``random`` object; the lock keeps two
    threads from seeding it at the same time, and the default is restored after.
    """
    import random

    import igraph

    with _IGRAPH_LOCK:
        igraph.set_random_number_generator(random.Random(int(seed)))
        try:
            yield
        finally:
            igraph.set_random_number_generator(random)
