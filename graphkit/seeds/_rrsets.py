"""Reverse-reachable (RR) sets: numba sampling into flat arrays, and the memory estimate.

An RR set for a root ``v`` is the set of users whose influence reaches ``v`` in one
random *live-edge graph* (Borgs et al. 2014; Tang, Shi, Xiao 2014/2015):

* **IC**: every influence arc ``u -> w`` is live with probability ``p(u -> w)``; the RR
  set is every user with a live path to ``v``: a reverse BFS from ``v`` along the
  *incoming* influence arcs (``InfluenceGraph.in_indptr/in_indices``, which is the
  attention CSR, DESIGN §2) keeping each arc with its probability.
* **LT**: every user keeps at most one incoming arc, arc ``u -> w`` with probability
  equal to its LT weight (``InfluenceGraph.lt_in_weights``) and none with the rest; the
  RR set is the reverse random walk from ``v``, stopping when no arc is kept or the
  walk returns to a user already on it.

The kernels (:mod:`graphkit.seeds._rr_kernels`) draw IC's live arcs by *subset
sampling* (after SUBSIM, Guo et al. 2020): a binomial count and a uniform subset where a
row's probabilities are equal, geometric jumps where they take few values, a coin per
arc elsewhere; they find LT's arc by binary search over running sums. All give exactly
the distribution described above.

For any seed set ``S``, ``P(S intersects RR(v)) = P(S activates v)``, so with roots
drawn uniformly from a population of size ``N`` (all users, or a target set),
``N * (fraction of RR sets that S hits)`` is an unbiased estimate of the expected
number of that population reached.

Layout (the same as a CSR): set ``i`` is ``members[offsets[i]:offsets[i + 1]]``
(``offsets`` int64, ``members`` int32), and its **first member is its root**.

Determinism (DESIGN §5): sets are drawn in fixed chunks of :data:`CHUNK_SETS`; chunk
``c`` has its own xoshiro256+ stream (the cascade kernels' generator,
:func:`graphkit._streams.seed_state`) seeded from one 64-bit draw per chunk
and its global chunk number. How many chunks a call makes depends only on how many
sets it is asked for. Threads draw chunks into per-thread buffers and record where
each chunk went; a second pass copies the chunks into the output in chunk order, so
the arrays are identical for any number of threads and any schedule.
"""

from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING

import numpy as np

from . import _small
from .greedy import cover, first_cover

if TYPE_CHECKING:  # pragma: no cover
    from .._progress import Progress
    from .._rng import RngLike

__all__ = ["RRSets", "CHUNK_SETS", "bytes_per_set", "memory_needed", "available_memory",
           "default_max_memory", "MEMORY_FRACTION"]

#: RR sets per chunk of work; each chunk has its own random stream.
CHUNK_SETS = 256
#: Chunks per kernel call at most; results do not depend on it.
_CHUNKS_PER_CALL = 2048
#: Members a kernel call aims at (bounds its per-thread buffers: 4 bytes x this x 1.5 each).
CALL_MEMBERS = 1 << 22
#: Calls expected to produce fewer members than this run on one thread.
PARALLEL_MEMBERS = 1 << 17
#: ``max_memory`` defaults to this fraction of the available RAM.
MEMORY_FRACTION = 0.5


# --------------------------------------------------------------------------- arrays
#: Rows with fewer in-arcs always flip one coin per arc (IC).
SUBSET_MIN_DEG = 2
#: A geometric jump costs about this many coin flips (a log and a division).
JUMP_COST = 4.0
#: Rows of equal probabilities expecting at most this many live arcs draw their count.
COUNT_MAX_MEAN = 4.0
_ARRAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sampling_arrays(ig, model: str):
    """``(indptr, indices, values, logq, rows)`` for the kernel (cached per graph).

    IC: the reverse CSR with each row's arcs sorted by probability, largest first, and
    how each row draws (:func:`graphkit.seeds._rr_kernels.row_modes`).
    LT: the reverse CSR with each row's running sums of LT weights.
    """
    cache = _ARRAYS.setdefault(ig, {})
    key = (model, SUBSET_MIN_DEG, JUMP_COST, COUNT_MAX_MEAN)
    if key in cache:
        return cache[key]
    indptr = np.ascontiguousarray(ig.in_indptr, dtype=np.int64)
    indices = np.ascontiguousarray(ig.in_indices, dtype=np.int32)
    K = _small if _small.use_twin(indices.shape[0], _small.SMALL_EDGES) else _kernels()
    if model == "lt":
        values = K.row_cumsum(indptr, np.ascontiguousarray(ig.lt_in_weights, dtype=np.float64))
        out = (indptr, indices, values, np.empty(0), np.empty((0, 2)))
    else:
        p = np.ascontiguousarray(ig.in_prob, dtype=np.float64)
        if not rows_sorted(indptr, p):  # the sort kernel compiles only when needed
            order = K.sort_rows(indptr, p)
            p, indices = p[order], indices[order]
        out = (indptr, indices, p, *K.row_modes(indptr, p, SUBSET_MIN_DEG, JUMP_COST,
                                                COUNT_MAX_MEAN))
    for a in out:
        a.flags.writeable = False
    cache[key] = out
    return out


def _kernels():
    """The numba kernels (imported on first use: numba's start-up is paid only here)."""
    from . import _rr_kernels

    return _rr_kernels


def rows_sorted(indptr, values) -> bool:
    """Whether every CSR row of ``values`` is sorted largest first (NumPy: what
    :func:`graphkit.seeds._rr_kernels.sort_rows` checks before sorting)."""
    if values.shape[0] < 2:
        return True
    rises = values[1:] > values[:-1]
    starts = indptr[1:-1]
    rises[starts[(starts > 0) & (starts < values.shape[0])] - 1] = False  # across rows
    return not rises.any()


# --------------------------------------------------------------------------- memory
def bytes_per_set(mean_size: float) -> float:
    """Bytes one RR set costs while IMM works on it.

    4 bytes per member in ``members`` (plus 10% growth slack), 4 per member in the
    inverted index (user -> sets), 8 for its offset and 1 for its covered flag.
    """
    return 8.4 * float(mean_size) + 9.0


def memory_needed(n_sets: float, mean_size: float, n_users: int, threads: int | None = None) -> float:
    """Estimated peak bytes for ``n_sets`` RR sets of ``mean_size`` members on ``n_users`` users.

    Per-set cost :func:`bytes_per_set`, the per-user arrays (inverted-index pointers,
    coverage counts, greedy heap, id order: 48 bytes a user) and, per sampling thread,
    its visit stamps and queue (8 bytes a user) and its output buffer (1.5 x the
    members of one kernel call, at most ``CALL_MEMBERS``, 4 bytes each).
    """
    threads = _threads(threads)
    buffer = 6.0 * min(float(n_sets) * float(mean_size), float(CALL_MEMBERS))
    per_thread = 8.0 * n_users + buffer
    return float(n_sets) * bytes_per_set(mean_size) + 48.0 * n_users + threads * per_thread


def _threads(threads):
    return _small.thread_count() if threads is None else int(threads)


def available_memory() -> int | None:
    """Bytes of RAM available now: ``MemAvailable`` of /proc/meminfo, else os.sysconf."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def default_max_memory() -> int:
    """The default memory limit: half the available RAM (4 GiB when it cannot be read)."""
    avail = available_memory()
    if avail is None or avail <= 0:
        return 4 * 2**30
    return int(avail * MEMORY_FRACTION)


def format_bytes(b: float) -> str:
    """``1.5 GB``-style text (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(b) < 1024 or unit == "TB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024.0
    return f"{b:.1f} TB"  # pragma: no cover


# --------------------------------------------------------------------------- collection
class RRSets:
    """A growing collection of RR sets on one influence graph (flat CSR arrays).

    Parameters
    ----------
    ig : InfluenceGraph
    model : {"ic", "lt"}
    roots : array of int, optional
        Positions the roots are drawn from, uniformly (targeted influence
        maximization). ``None``: every user.

    Attributes
    ----------
    offsets, members : ndarray
        Views of the sets drawn so far: set ``i`` is
        ``members[offsets[i]:offsets[i + 1]]`` and starts with its root.
    count : int
        Number of sets.

    Examples
    --------
    >>> from graphkit.weighting import InfluenceGraph
    >>> from graphkit.seeds._rrsets import RRSets
    >>> ig = InfluenceGraph.from_arcs([0, 1], [1, 2], [1.0, 1.0])   # 0 -> 1 -> 2, p = 1
    >>> rr = RRSets(ig, "ic")
    >>> rr.extend(300, rng=7)
    >>> sorted(set(map(len, rr.sets())))          # RR(0) = {0}, RR(1) = {1, 0}, RR(2) = all
    [1, 2, 3]
    """

    #: Sets per chunk of work (:data:`CHUNK_SETS`): chunk ``c`` has its own stream.
    CHUNK_SETS = CHUNK_SETS

    def __init__(self, ig, model: str = "ic", roots=None):
        model = str(model).lower()
        if model not in ("ic", "lt"):
            raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
        self.model = model
        self.n = ig.n_nodes
        self._arrays = sampling_arrays(ig, model)
        if roots is None:
            self.roots = np.empty(0, dtype=np.int32)
        else:
            self.roots = np.ascontiguousarray(roots, dtype=np.int32)
            if self.roots.size == 0:
                raise ValueError("roots must not be empty")
        self._offsets = np.zeros(1, dtype=np.int64)
        self._members = np.empty(0, dtype=np.int32)
        self.count = 0
        self._chunks = 0
        self._ws = None

    # ---------------------------------------------------------------- views
    @property
    def offsets(self) -> np.ndarray:
        return self._offsets[: self.count + 1]

    @property
    def members(self) -> np.ndarray:
        return self._members[: self.total]

    @property
    def total(self) -> int:
        """Members over all sets."""
        return int(self._offsets[self.count])

    @property
    def population(self) -> int:
        """How many users the roots are drawn from (the estimator's scale)."""
        return int(self.roots.size) if self.roots.size else self.n

    def mean_size(self) -> float:
        return self.total / self.count if self.count else float("nan")

    def nbytes(self) -> int:
        return int(self._offsets.nbytes + self._members.nbytes)

    def sets(self) -> list[np.ndarray]:
        """The sets as a list of arrays (for tests and small collections)."""
        o, m = self.offsets, self.members
        return [m[o[i]:o[i + 1]] for i in range(self.count)]

    # ------------------------------------------------- what the IMM and OPIM drivers call
    # (graphkit.spark.seeds' collections have the same two methods, run on the cluster)
    def cover(self, cons, bound: bool = False):
        """Greedy cover of the sets under ``cons`` (a ``Constraints``; budgeted when it has
        a budget): :func:`~graphkit.seeds.greedy.max_coverage` or
        :func:`~graphkit.seeds.greedy.budgeted_coverage`. ``bound``: also OPIM-C's upper
        bound on the best cover."""
        return cover(self.offsets, self.members, self.n, cons, bound)

    def first_cover(self, seq) -> np.ndarray:
        """How many sets each user of ``seq`` is the first of ``seq`` to cover
        (:func:`~graphkit.seeds.greedy.first_cover`; OPIM-C's validation)."""
        return first_cover(self.offsets, self.members, self.n, seq)

    def reserve(self, n_sets: int, n_members: int) -> None:
        """Grow the arrays' capacity to hold ``n_sets`` sets and ``n_members`` members."""
        if self._offsets.shape[0] < n_sets + 1:
            new = np.empty(n_sets + 1, dtype=np.int64)
            new[: self.count + 1] = self._offsets[: self.count + 1]
            self._offsets = new
        if self._members.shape[0] < n_members:
            new = np.empty(int(n_members), dtype=np.int32)
            new[: self.total] = self._members[: self.total]
            self._members = new

    # ---------------------------------------------------------------- sampling
    def _workspace(self, n_threads: int):
        """Per-thread visit stamps and BFS queues, kept between calls (reset on tag wrap)."""
        ws = self._ws
        if ws is None or ws[2].shape[0] != 8 * n_threads:
            ws = (np.zeros(n_threads * self.n, dtype=np.int32),
                  np.empty(n_threads * self.n, dtype=np.int32),
                  np.zeros(8 * n_threads, dtype=np.int32))
            self._ws = ws
        return ws

    def extend(self, n_new: int, rng: RngLike = None, progress: Progress | None = None, *,
               chunk_seed=None, first_chunk: int | None = None):
        """Draw ``n_new`` more RR sets.

        One 64-bit seed per chunk of :data:`CHUNK_SETS` sets is drawn from ``rng`` up
        front; the chunks continue the collection's global chunk numbering, so the
        result depends only on ``rng`` and the sequence of calls, never on threads.
        ``progress("drawing RR sets", done, n_new)`` is called between kernel calls.
        ``chunk_seed`` (one per chunk) and ``first_chunk`` (the first chunk's number)
        replace the draw and the numbering: the Spark engine draws a slice of one
        call's chunks on each executor and gets the very sets this call would.
        """
        from .._rng import chunk_seeds

        n_new = int(n_new)
        if n_new <= 0:
            return
        if self.count + n_new > 2**31 - 1:
            raise ValueError(f"at most {2**31 - 1:,} RR sets are supported")
        n_chunks = -(-n_new // CHUNK_SETS)
        if chunk_seed is None:
            seeds = chunk_seeds(rng, n_chunks)
        else:
            seeds = np.asarray(chunk_seed, dtype=np.uint64)
            if seeds.shape != (n_chunks,):
                raise ValueError(f"need one chunk seed per {CHUNK_SETS} sets ({n_chunks})")
        if first_chunk is not None:
            self._chunks = int(first_chunk)
        c0 = self._extend_small(n_new, seeds, progress)
        if c0 == n_chunks:
            return
        n_threads = _small.thread_count()
        stamp, queue, tags = self._workspace(n_threads)
        done = min(n_new, c0 * CHUNK_SETS)
        while c0 < n_chunks:
            mean = self.mean_size() if self.count else 8.0
            per_call = int(min(_CHUNKS_PER_CALL, max(4, CALL_MEMBERS // (mean * CHUNK_SETS))))
            c1 = min(n_chunks, c0 + per_call)
            n_sets = min(n_new - c0 * CHUNK_SETS, (c1 - c0) * CHUNK_SETS)
            if int(tags.max()) > 2**31 - 2 - n_sets:  # int32 stamps: start over
                stamp[:] = 0
                tags[:] = 0
            cap = int(1.5 * mean * n_sets) + 4 * CHUNK_SETS
            # small calls run on one thread: starting and joining threads costs more
            # than the work (and, on a busy machine, a time slice per call)
            workers = n_threads if mean * n_sets >= PARALLEL_MEMBERS else 1
            while True:
                sizes, wbuf, thread, start, used = self._sample(
                    workers, seeds[c0:c1], self._chunks + c0, n_sets, stamp, queue, tags, cap)
                if used.max(initial=0) <= cap:
                    break
                cap = int(used.sum())  # enough for any schedule
                del wbuf
            self._append(sizes, wbuf, thread, start)
            done += n_sets
            c0 = c1
            if progress is not None:
                progress("drawing RR sets", done, n_new)
        self._chunks += n_chunks

    def _extend_small(self, n_new: int, seeds, progress) -> int:
        """Draw the first chunks of :meth:`extend` in Python (:func:`graphkit.seeds._small.sample`,
        the kernels' sets bit for bit) while numba is not loaded: the first chunk, then
        the rest if the uniforms extrapolated from it fit the process's budget
        (:func:`graphkit._pystreams.may_draw`). Returns the chunks drawn; the kernels draw
        the others, from the same streams."""
        from .. import _pystreams

        n_chunks = seeds.shape[0]
        if (self._arrays[1].shape[0] > _small.SMALL_EDGES or self.total > _small.SMALL_MEMBERS
                or not _pystreams.may_draw(0)):
            return 0
        args = (*self._arrays, self.model == "lt", self.roots, self.n)
        first = min(n_new, CHUNK_SETS)
        sizes, members, drawn = _small.sample(*args, seeds[:1], self._chunks, CHUNK_SETS, first)
        _pystreams.spend(drawn)
        self._append_flat(sizes, members)
        done = 1
        if n_chunks > 1 and _pystreams.may_draw(drawn * (n_chunks - 1)):
            sizes, members, _ = _small.sample(*args, seeds[1:], self._chunks + 1, CHUNK_SETS,
                                              n_new - first, guess=drawn + drawn // 8 + 16)
            self._append_flat(sizes, members)
            done = n_chunks
        if done == n_chunks:
            self._chunks += n_chunks
        if progress is not None:
            progress("drawing RR sets", min(n_new, done * CHUNK_SETS), n_new)
        return done

    def _extend_offsets(self, sizes, n_members: int) -> tuple[int, int]:
        """Room for ``sizes.shape[0]`` more sets holding ``n_members`` members, and their
        offsets; returns the new set count and member total (``count`` is not moved)."""
        new_count = self.count + sizes.shape[0]
        new_total = self.total + n_members
        if self._offsets.shape[0] < new_count + 1:
            self.reserve(max(new_count, int(self._offsets.shape[0] * 1.5)), 0)
        if self._members.shape[0] < new_total:
            self.reserve(0, max(new_total, int(self._members.shape[0] * 1.5)))
        base = self._offsets[self.count]
        np.cumsum(sizes, out=self._offsets[self.count + 1: new_count + 1])
        self._offsets[self.count + 1: new_count + 1] += base
        return new_count, new_total

    def _append_flat(self, sizes, members):
        """Append sets given as sizes and their members in set order."""
        new_count, new_total = self._extend_offsets(sizes, int(members.shape[0]))
        self._members[self.total:new_total] = members
        self.count = new_count

    def _sample(self, workers, chunk_seed, chunk_id0, n_sets, stamp, queue, tags, cap):
        """One call of the sampling kernel per worker (threads: the kernel releases the
        GIL). Returns ``sizes, wbuf, chunk_thread, chunk_start, used`` (per worker)."""
        from .._batches import on_threads

        n_chunks = chunk_seed.shape[0]
        sizes = np.zeros(n_sets, dtype=np.int64)
        wbuf = np.empty((workers, cap), dtype=np.int32)
        chunk_thread = np.zeros(n_chunks, dtype=np.int64)
        chunk_start = np.zeros(n_chunks, dtype=np.int64)
        used = np.zeros(8 * workers, dtype=np.int64)  # a cache line per worker
        K = _kernels()
        on_threads(lambda t: K.sample(t, workers, *self._arrays, self.model == "lt", self.roots,
                                      self.n, chunk_seed, chunk_id0, CHUNK_SETS, n_sets, stamp,
                                      queue, tags, cap, sizes, wbuf, chunk_thread, chunk_start,
                                      used), workers)
        return sizes, wbuf, chunk_thread, chunk_start, used[::8].copy()

    def _append(self, sizes, wbuf, thread, start):
        n_sets = sizes.shape[0]
        new_count, _ = self._extend_offsets(sizes, int(sizes.sum()))
        _gather(self._offsets, wbuf, thread, start, n_sets, self._members, self.count)
        self.count = new_count


def _gather(offsets, wbuf, chunk_thread, chunk_start, n_sets, out, set0):
    """Copy each chunk from its thread's buffer to ``out``, in chunk order (NumPy slices:
    at most a few thousand chunks per call, and no kernel to compile on a first run).
    ``offsets`` are the whole collection's; this call's first set is global set ``set0``."""
    lo = int(offsets[set0])
    if wbuf.shape[0] == 1:  # one thread drew every chunk, in order
        hi = int(offsets[set0 + n_sets])
        out[lo:hi] = wbuf[0, :hi - lo]
        return
    ends = offsets[set0 + np.minimum(np.arange(1, chunk_start.shape[0] + 1) * CHUNK_SETS,
                                     n_sets)].tolist()
    for row, src, hi in zip(chunk_thread.tolist(), chunk_start.tolist(), ends):
        out[lo:hi] = wbuf[row, src:src + hi - lo]
        lo = hi


def expected_sets_for_bytes(max_bytes: float, mean_size: float, n_users: int,
                            threads: int | None = None) -> float:
    """How many RR sets of ``mean_size`` fit in ``max_bytes`` (see :func:`memory_needed`)."""
    threads = _threads(threads)
    room = max_bytes - memory_needed(0, mean_size, n_users, threads)
    full = (room - threads * 6.0 * CALL_MEMBERS) / bytes_per_set(mean_size)  # buffers at cap
    if full * mean_size >= CALL_MEMBERS:
        return full
    small = room / (bytes_per_set(mean_size) + threads * 6.0 * mean_size)
    return max(min(small, CALL_MEMBERS / max(mean_size, 1e-9)), 0.0)

