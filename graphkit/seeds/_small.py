"""Python/NumPy twins of the RR-set and greedy kernels for small work (no numba).

``seeds -k 3`` on a 32-row file calls eight numba kernels; their first calls cost the
process about 1.2 s (numba's import, then loading the cached machine code) for
milliseconds of work. These functions return the kernels' arrays bit for bit:

* :func:`sample` -- :func:`graphkit.seeds._rr_kernels.sample` + ``gather``: the same RR
  sets from the same streams (:mod:`graphkit._pystreams`), drawing in the kernel's order
  (root, then per row COINS / COUNT / JUMPS for IC or the binary-searched arc for LT),
  with the kernel's float arithmetic (numba's ``float ** int`` by squaring, libm's
  ``log`` and ``log1p``);
* :func:`row_modes`, :func:`sort_rows`, :func:`row_cumsum` -- the sampling arrays;
* :func:`invert`, :func:`greedy_unit`, :func:`first_cover` -- the greedy
  side, in integers (exact): the lazy greedy's picks are the exact argmax of (gain,
  smaller id rank) at every step, and OPIM's bound the minimum over the steps of the
  covered sets plus the ``k`` largest gains, which is what the heap computes.

When they run: ``tests/test_small_twins.py`` compares each with its kernel; the callers
(``_rrsets``, ``greedy``) use them while numba is not loaded and the draws fit the
process's budget (:func:`graphkit._pystreams.may_draw`).
"""

from __future__ import annotations

import math
import os

import numpy as np

from .. import _pystreams

__all__ = ["thread_count", "use_twin", "row_modes", "sort_rows", "row_cumsum", "sample",
           "invert", "greedy_unit", "first_cover", "SMALL_MEMBERS", "SMALL_EDGES"]

#: RR-set collections with more members than this always use the kernels.
SMALL_MEMBERS = 2_000_000
#: Influence graphs with more edges always sample with the kernels.
SMALL_EDGES = 100_000
_COINS_TAG, _JUMPS_TAG = -1.0, -2.0
_COUNT_PICKS = 16


def thread_count() -> int:
    """numba's thread count without importing numba: ``numba.get_num_threads()`` when it
    is loaded, else its default (``NUMBA_NUM_THREADS``, or the CPUs this process may
    use), which is what it would report."""
    if _pystreams.numba_loaded():
        import numba

        return int(numba.get_num_threads())
    value = os.environ.get("NUMBA_NUM_THREADS", "")
    if value:
        try:
            return int(value)
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def use_twin(size: int = 0, limit: int = SMALL_MEMBERS) -> bool:
    """Whether a twin should do work of ``size`` (members, or edges with ``limit``
    :data:`SMALL_EDGES`): numba not loaded, and not beyond ``limit``."""
    return size <= limit and not _pystreams.numba_loaded()


# --------------------------------------------------------------------------- arrays
def _int_power(a: float, b: int) -> float:
    """numba's ``float ** int`` (``int_power_impl``): squaring, or ``math.pow`` beyond 65,536."""
    if b < 0:
        return 1.0 / _int_power(a, -b)
    if b > 0x10000:
        return math.pow(a, float(b))
    r = 1.0
    while b != 0:
        if b & 1:
            r *= a
        b >>= 1
        a *= a
    return r


def row_modes(indptr, values, min_deg, jump_cost, max_mean):
    """:func:`graphkit.seeds._rr_kernels.row_modes` (same arguments, same arrays)."""
    n = indptr.shape[0] - 1
    rows = np.zeros((n, 2), dtype=np.float64)
    rows[:, 0] = _COINS_TAG
    logq = np.zeros(values.shape[0], dtype=np.float64)
    ip = indptr.tolist()
    val = values.tolist()
    for v in range(n):
        lo, hi = ip[v], ip[v + 1]
        deg = hi - lo
        if deg < min_deg:
            continue
        s = 0.0
        for j in range(lo, hi):
            s += val[j]
        q = val[lo]
        if 0.0 < q < 1.0 and val[hi - 1] == q and deg * q <= max_mean:
            rows[v, 0] = _int_power(1.0 - q, deg)
            rows[v, 1] = q / (1.0 - q)
        elif jump_cost * (1.0 + 2.0 * s) < deg:
            rows[v, 0] = _JUMPS_TAG
            for j in range(lo, hi):
                if val[j] < 1.0:
                    logq[j] = math.log1p(-val[j])
    return logq, rows


def sort_rows(indptr, values):
    """:func:`graphkit.seeds._rr_kernels.sort_rows`: the stable largest-first order of
    each row, or an empty array when every row already is."""
    row = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    if values.shape[0] < 2 or not np.any((values[1:] > values[:-1]) & (row[1:] == row[:-1])):
        return np.empty(0, dtype=np.int64)
    return np.lexsort((-values, row)).astype(np.int64)


def row_cumsum(indptr, values):
    """:func:`graphkit.seeds._rr_kernels.row_cumsum`: running sums added left to right."""
    out = np.empty(values.shape[0], dtype=np.float64)
    ip = indptr.tolist()
    val = values.tolist()
    for v in range(len(ip) - 1):
        acc = 0.0
        for j in range(ip[v], ip[v + 1]):
            acc += val[j]
            out[j] = acc
    return out


# --------------------------------------------------------------------------- sampling
def sample(indptr, indices, values, logq, rows, lt, roots, n, chunk_seed, chunk_id0,
           chunk_size, n_sets, guess=0):
    """The RR sets :func:`graphkit.seeds._rr_kernels.sample` draws (then ``gather``
    lays out): ``sizes`` (int64, ``n_sets``) and ``members`` (int32, in set order).

    ``guess``: uniforms a chunk is expected to take (0: learnt from the first chunk).
    Returns ``sizes, members, drawn`` (uniforms made available).
    """
    ip = indptr.tolist()
    ix = indices.tolist()
    val = values.tolist()
    lq = logq.tolist()
    mode = rows[:, 0].tolist() if not lt else []
    odd = rows[:, 1].tolist() if not lt else []
    root_list = roots.tolist()
    n_roots = len(root_list)
    n_chunks = len(chunk_seed)
    stamp = [0] * n
    tag = 0
    sizes = [0] * n_sets
    out: list[int] = []
    tally = [0]
    if guess > 0:
        firsts, conts = _pystreams.chunk_streams(chunk_seed, chunk_id0, guess)
    else:
        firsts, conts = _pystreams.chunk_streams(chunk_seed[:1], chunk_id0, 0)
        firsts += [None] * (n_chunks - 1)
        conts += [None] * (n_chunks - 1)
    for c in range(n_chunks):
        if c == 1 and guess <= 0:
            g = tally[0] + tally[0] // 8 + 16
            firsts[1:], conts[1:] = _pystreams.chunk_streams(chunk_seed[1:], chunk_id0 + 1, g)
        draw = _pystreams.counted(firsts[c], conts[c], tally).__next__
        firsts[c] = None
        for i in range(c * chunk_size, min((c + 1) * chunk_size, n_sets)):
            tag += 1
            u = draw()
            if n_roots == 0:
                root = min(int(u * n), n - 1)
            else:
                root = root_list[min(int(u * n_roots), n_roots - 1)]
            stamp[root] = tag
            queue = [root]
            if lt:
                cur = root
                while True:
                    lo, hi = ip[cur], ip[cur + 1]
                    if lo == hi:
                        break
                    r = draw()
                    if r >= val[hi - 1]:
                        break
                    hi -= 1
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if r < val[mid]:
                            hi = mid
                        else:
                            lo = mid + 1
                    pick = ix[lo]
                    if stamp[pick] == tag:
                        break
                    stamp[pick] = tag
                    queue.append(pick)
                    cur = pick
            else:
                head = 0
                while head < len(queue):
                    x = queue[head]
                    head += 1
                    lo, hi = ip[x], ip[x + 1]
                    cm = mode[x]
                    if cm == _COINS_TAG:
                        for j in range(lo, hi):
                            y = ix[j]
                            if stamp[y] != tag:
                                p = val[j]
                                if p >= 1.0 or (p > 0.0 and draw() < p):
                                    stamp[y] = tag
                                    queue.append(y)
                    elif cm >= 0.0:  # COUNT
                        deg = hi - lo
                        od = odd[x]
                        r = draw()
                        k = 0
                        pk = cm
                        cdf = pk
                        while r >= cdf and k < deg:
                            pk *= od * (deg - k) / (k + 1)
                            k += 1
                            cdf += pk
                        if k <= _COUNT_PICKS:
                            picked: list[int] = []
                            for _ in range(k):
                                while True:
                                    j = min(int(draw() * deg), deg - 1)
                                    if j not in picked:
                                        break
                                picked.append(j)
                                y = ix[lo + j]
                                if stamp[y] != tag:
                                    stamp[y] = tag
                                    queue.append(y)
                        else:
                            for j in range(deg):
                                if draw() * (deg - j) < k:
                                    k -= 1
                                    y = ix[lo + j]
                                    if stamp[y] != tag:
                                        stamp[y] = tag
                                        queue.append(y)
                                    if k == 0:
                                        break
                    else:  # JUMPS
                        j = lo
                        while j < hi:
                            q = val[j]
                            if q <= 0.0:
                                break
                            if q < 1.0:
                                g = math.log(1.0 - draw()) / lq[j]
                                if g >= hi - j:
                                    break
                                j += int(g)
                                p = val[j]
                                if p < q and draw() * q >= p:
                                    j += 1
                                    continue
                            y = ix[j]
                            if stamp[y] != tag:
                                stamp[y] = tag
                                queue.append(y)
                            j += 1
            sizes[i] = len(queue)
            out.extend(queue)
    return (np.array(sizes, dtype=np.int64), np.array(out, dtype=np.int32), tally[0])


# --------------------------------------------------------------------------- greedy
def invert(offsets, members, n):
    """:func:`graphkit.seeds.greedy.invert`'s kernels' ``(ptr, sets)``: each user's sets,
    ascending."""
    n_sets = offsets.shape[0] - 1
    set_of = np.repeat(np.arange(n_sets, dtype=np.int32), np.diff(offsets))
    sets = set_of[np.argsort(members, kind="stable")]
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(members, minlength=n))
    return ptr, sets.astype(np.int32)


def greedy_unit(offsets, members, ptr, sets, n, eligible, id_rank, k_max, fixed, bound_k,
                topk):
    """:func:`graphkit.seeds._greedy_kernels.greedy` without costs (``ratio`` False, no
    budget, ``stop_at_zero`` False) and with ``BOUND_TOPK`` (``topk``) or no bound.

    Returns ``picks, pick_gain, fixed_gain, covered_total, spent (0.0), bound``.
    """
    off = offsets.tolist()
    mem = members.tolist()
    pt = ptr.tolist()
    st = sets.tolist()
    covered = [False] * (len(off) - 1)
    gain = np.diff(ptr).astype(np.int64)

    def cover(u):
        c = 0
        for j in range(pt[u], pt[u + 1]):
            s = st[j]
            if not covered[s]:
                covered[s] = True
                c += 1
                gain[mem[off[s]:off[s + 1]]] -= 1  # members of a set are distinct
        return c

    fixed_gain = np.array([cover(int(u)) for u in fixed], dtype=np.int64)
    total = int(fixed_gain.sum())
    cand = np.flatnonzero(np.asarray(eligible, dtype=bool))
    cand = cand[np.argsort(np.asarray(id_rank)[cand], kind="stable")]  # rank order
    cap = cand.size if k_max < 0 else min(cand.size, int(k_max))
    picks, pick_gain = [], []
    bound = math.inf
    alive = np.ones(cand.size, dtype=bool)
    while len(picks) < cap:
        g = np.where(alive, gain[cand], -1)
        best = int(np.argmax(g))  # the largest gain, the smallest rank among equals
        if topk:
            bound = min(bound, total + _topk(g, bound_k))
        u = int(cand[best])
        alive[best] = False
        c = cover(u)
        picks.append(u)
        pick_gain.append(c)
        total += c
    if topk:
        bound = min(bound, total + _topk(np.where(alive, gain[cand], -1), bound_k))
    return (np.array(picks, dtype=np.int64), np.array(pick_gain, dtype=np.int64), fixed_gain,
            total, 0.0, float(bound))


def _topk(g, k) -> int:
    """Sum of the ``k`` largest gains of the candidates left (``g`` is -1 for the others)."""
    if k <= 0:
        return 0
    left = g[g >= 0]
    if left.size <= k:
        return int(left.sum())
    return int(np.sort(left)[-k:].sum())


def first_cover(offsets, members, order, n_seq):
    """:func:`graphkit.seeds.greedy.first_cover`'s kernels: how many sets each prefix
    position covers first (every set is non-empty: it holds its root)."""
    if offsets.shape[0] < 2:
        return np.zeros(n_seq, dtype=np.int64)
    first = np.minimum.reduceat(np.asarray(order)[members], offsets[:-1])
    return np.bincount(first, minlength=n_seq + 1)[:n_seq].astype(np.int64)
