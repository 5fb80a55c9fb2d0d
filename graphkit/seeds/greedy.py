"""Greedy maximum coverage of RR sets: cardinality, budgeted, with fixed and banned users.

Given RR sets (flat ``offsets``/``members``), find users that together hit as many sets
as possible. An inverted index (user -> the sets containing it, a CSR built once in
O(total members)) lets each pick mark its newly covered sets and decrement the counts
of their other members, so the whole greedy costs O(total members + picks x log n);
candidates sit in a lazy max-heap (CELF-style: a popped stale count is refreshed and
pushed back; counts only fall, so the first fresh top is the true maximum).
Ties break by user id (``id_rank``), never by position.

Guarantees (for the coverage function on the given sets, which is monotone and
submodular):

* **cardinality k** (:func:`max_coverage`): the greedy set covers at least
  ``(1 - 1/e)`` of the best ``k``-set's coverage (Nemhauser, Wolsey, Fisher 1978).
* **fixed users** (``include``): their sets are covered first; the picks then get
  ``(1 - 1/e)`` of the best possible *additional* coverage, so the total is at least
  ``(1 - 1/e)`` of the best total containing them.
* **budget** (:func:`budgeted_coverage`): with costs ``c(u)`` and budget ``B``, the
  better of the cost-effective greedy (largest gain per cost that still fits) and the
  unit-cost greedy (largest gain that still fits) covers at least
  ``(1 - 1/e) / 2 ~ 0.316`` of the best affordable set (Khuller, Moss, Naor 1999;
  Leskovec et al. 2007, Theorem 3). Khuller et al.'s ``1 - 1/e`` needs partial
  enumeration of all triples, O(n^3) greedy runs, which graphkit does not do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

__all__ = ["Coverage", "invert", "max_coverage", "budgeted_coverage", "prefix_coverage"]


# --------------------------------------------------------------------------- kernels
@njit(parallel=True, cache=True)
def _invert(offsets, members, n, n_blocks):  # pragma: no cover - compiled
    """Inverted index: ``sets[ptr[u]:ptr[u + 1]]`` are the sets containing ``u``, ascending.

    The sets are cut into ``n_blocks`` consecutive blocks; block ``b`` counts its users,
    then writes its set ids after those of blocks ``< b``, so the output is the same for
    any number of blocks or threads.
    """
    n_sets = offsets.shape[0] - 1
    start = np.zeros((n_blocks, n), dtype=np.int64)
    for b in prange(n_blocks):
        lo = offsets[n_sets * b // n_blocks]
        hi = offsets[n_sets * (b + 1) // n_blocks]
        for j in range(lo, hi):
            start[b, members[j]] += 1
    ptr = np.zeros(n + 1, dtype=np.int64)
    for u in range(n):
        pos = ptr[u]
        for b in range(n_blocks):
            c = start[b, u]
            start[b, u] = pos
            pos += c
        ptr[u + 1] = pos
    sets = np.empty(members.shape[0], dtype=np.int32)
    for b in prange(n_blocks):
        for s in range(n_sets * b // n_blocks, n_sets * (b + 1) // n_blocks):
            for j in range(offsets[s], offsets[s + 1]):
                u = members[j]
                sets[start[b, u]] = s
                start[b, u] += 1
    return ptr, sets


#: :func:`_invert` compiled without threads.
_invert_serial = njit(cache=True)(_invert.py_func)


@njit(cache=True, inline="always")
def _better(ka, ra, kb, rb):  # pragma: no cover - compiled
    return ka > kb or (ka == kb and ra < rb)


@njit(cache=True)
def _sift_down(key, rank, node, size, i):  # pragma: no cover - compiled
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        best = left
        right = left + 1
        if right < size and _better(key[right], rank[right], key[left], rank[left]):
            best = right
        if not _better(key[best], rank[best], key[i], rank[i]):
            return
        key[i], key[best] = key[best], key[i]
        rank[i], rank[best] = rank[best], rank[i]
        node[i], node[best] = node[best], node[i]
        i = best


@njit(cache=True)
def _cover(u, offsets, members, ptr, sets, covered, gain):  # pragma: no cover - compiled
    """Mark the sets of ``u`` covered; decrement the counts of their members."""
    c = 0
    for j in range(ptr[u], ptr[u + 1]):
        s = sets[j]
        if not covered[s]:
            covered[s] = True
            c += 1
            for t in range(offsets[s], offsets[s + 1]):
                gain[members[t]] -= 1
    return c


@njit(cache=True)
def _key(g, cost, ratio):  # pragma: no cover - compiled
    if not ratio:
        return np.float64(g)
    if cost > 0.0:
        return g / cost
    return np.inf if g > 0 else 0.0


@njit(cache=True)
def _greedy(offsets, members, ptr, sets, n, eligible, id_rank, cost, budget, k_max, ratio,
            fixed, stop_at_zero):  # pragma: no cover - compiled
    """Lazy greedy. Returns ``picks, pick_gain, fixed_gain, covered_total, spent``.

    ``ratio``: rank by gain / cost (cost-effective) instead of gain. A candidate whose
    cost exceeds the remaining budget is dropped for good (the remainder only shrinks).
    ``k_max < 0``: no limit on the number of picks. ``stop_at_zero``: stop when the best
    remaining gain is 0 (budget mode), instead of filling up to ``k_max`` by id.
    """
    n_sets = offsets.shape[0] - 1
    covered = np.zeros(n_sets, dtype=np.bool_)
    gain = np.empty(n, dtype=np.int64)
    for u in range(n):
        gain[u] = ptr[u + 1] - ptr[u]
    fixed_gain = np.empty(fixed.shape[0], dtype=np.int64)
    total = 0
    for i in range(fixed.shape[0]):
        fixed_gain[i] = _cover(fixed[i], offsets, members, ptr, sets, covered, gain)
        total += fixed_gain[i]
    key = np.empty(n, dtype=np.float64)
    rank = np.empty(n, dtype=np.int64)
    node = np.empty(n, dtype=np.int64)
    size = 0
    for u in range(n):
        if eligible[u] and cost[u] <= budget:
            key[size] = _key(gain[u], cost[u], ratio)
            rank[size] = id_rank[u]
            node[size] = u
            size += 1
    for i in range(size // 2 - 1, -1, -1):
        _sift_down(key, rank, node, size, i)
    cap = size if k_max < 0 else min(size, k_max)
    picks = np.empty(cap, dtype=np.int64)
    pick_gain = np.empty(cap, dtype=np.int64)
    n_picks = 0
    spent = 0.0
    while size > 0 and n_picks < cap:
        u = node[0]
        if cost[u] > budget - spent:
            size -= 1
            key[0], rank[0], node[0] = key[size], rank[size], node[size]
            _sift_down(key, rank, node, size, 0)
            continue
        cur = _key(gain[u], cost[u], ratio)
        if cur < key[0]:
            key[0] = cur
            _sift_down(key, rank, node, size, 0)
            continue
        if stop_at_zero and gain[u] == 0:
            break
        size -= 1
        key[0], rank[0], node[0] = key[size], rank[size], node[size]
        _sift_down(key, rank, node, size, 0)
        g = _cover(u, offsets, members, ptr, sets, covered, gain)
        picks[n_picks] = u
        pick_gain[n_picks] = g
        n_picks += 1
        total += g
        spent += cost[u]
    return picks[:n_picks], pick_gain[:n_picks], fixed_gain, total, spent


@njit(cache=True)
def _prefix(offsets, members, ptr, sets, n, seq):  # pragma: no cover - compiled
    """Sets newly covered by each user of ``seq`` in turn."""
    covered = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)
    out = np.zeros(seq.shape[0], dtype=np.int64)
    for i in range(seq.shape[0]):
        u = seq[i]
        c = 0
        for j in range(ptr[u], ptr[u + 1]):
            s = sets[j]
            if not covered[s]:
                covered[s] = True
                c += 1
        out[i] = c
    return out


# --------------------------------------------------------------------------- public
@dataclass(frozen=True)
class Coverage:
    """A greedy cover of a collection of RR sets.

    Attributes
    ----------
    picks : ndarray of int64
        The chosen user positions, in pick order (fixed users not included).
    gains : ndarray of int64
        Sets newly covered by each pick.
    fixed_gains : ndarray of int64
        Sets newly covered by each fixed (included) user, in the order given.
    covered : int
        Sets covered by the fixed users and the picks together.
    n_sets : int
        Sets in the collection; ``covered / n_sets`` is the coverage fraction.
    spent : float
        Total cost of the picks (0 without costs).
    rule : str
        ``"unit"`` (largest gain) or ``"cost-effective"`` (largest gain per cost).
    """

    picks: np.ndarray
    gains: np.ndarray
    fixed_gains: np.ndarray
    covered: int
    n_sets: int
    spent: float = 0.0
    rule: str = "unit"

    @property
    def fraction(self) -> float:
        return self.covered / self.n_sets if self.n_sets else 0.0


def invert(offsets, members, n: int):
    """The inverted index (user -> RR sets) as CSR arrays ``(ptr int64, sets int32)``.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import invert
    >>> ptr, sets = invert(np.array([0, 2, 3]), np.array([0, 1, 1], dtype=np.int32), 2)
    >>> ptr.tolist(), sets.tolist()          # user 0 in set 0; user 1 in sets 0 and 1
    ([0, 1, 3], [0, 0, 1])
    """
    import numba

    members = np.ascontiguousarray(members, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    blocks = min(int(numba.get_num_threads()), members.shape[0] // 500_000)
    if blocks < 2:  # small: one thread, no parallel region
        return _invert_serial(offsets, members, int(n), 1)
    return _invert(offsets, members, int(n), blocks)


def _prep(offsets, members, n, index, eligible, id_rank, fixed):
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    members = np.ascontiguousarray(members, dtype=np.int32)
    ptr, sets = invert(offsets, members, n) if index is None else index
    elig = np.ones(n, dtype=np.bool_) if eligible is None else np.ascontiguousarray(eligible, bool)
    rank = np.arange(n, dtype=np.int64) if id_rank is None else np.ascontiguousarray(id_rank, np.int64)
    fixed = np.ascontiguousarray(np.asarray(fixed, dtype=np.int64).reshape(-1))
    if fixed.size:
        elig = elig.copy()
        elig[fixed] = False
    return offsets, members, ptr, sets, elig, rank, fixed


def max_coverage(offsets, members, n: int, k: int, *, eligible=None, id_rank=None, fixed=(),
                 index=None) -> Coverage:
    """Greedy maximum coverage with at most ``k`` picks.

    Parameters
    ----------
    offsets, members : arrays
        The RR sets (set ``i`` = ``members[offsets[i]:offsets[i + 1]]``).
    n : int
        Number of users.
    k : int
        Users to pick (besides ``fixed``). Exactly ``k`` are returned when that many are
        eligible, the last ones possibly with zero gain (ties by id).
    eligible : array of bool, optional
        Users that may be picked (default all).
    id_rank : array of int, optional
        Each user's position in id order, for tie-breaking (default: position).
    fixed : sequence of int, optional
        Users already chosen: their sets are covered first, in the order given.
    index : tuple, optional
        A prebuilt :func:`invert` result.

    Returns
    -------
    Coverage

    Notes
    -----
    Guarantee: at least ``(1 - 1/e)`` of the best coverage of ``k`` eligible users
    added to ``fixed`` [1]_.

    References
    ----------
    .. [1] G. Nemhauser, L. Wolsey, M. Fisher, "An analysis of approximations for
       maximizing submodular set functions", Mathematical Programming 14, 1978.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import max_coverage
    >>> offsets = np.array([0, 2, 4, 5, 6])                 # {0,1} {1,2} {2} {3}
    >>> members = np.array([0, 1, 1, 2, 2, 3], dtype=np.int32)
    >>> cov = max_coverage(offsets, members, 4, 2)
    >>> cov.picks.tolist(), cov.gains.tolist(), cov.fraction
    ([1, 2], [2, 1], 0.75)
    """
    if int(k) < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    offsets, members, ptr, sets, elig, rank, fixed = _prep(offsets, members, n, index, eligible,
                                                           id_rank, fixed)
    zero = np.zeros(int(n), dtype=np.float64)
    picks, gains, fg, total, _ = _greedy(offsets, members, ptr, sets, int(n), elig, rank, zero,
                                         np.inf, int(k), False, fixed, False)
    return Coverage(picks, gains, fg, int(total), int(offsets.shape[0] - 1))


def budgeted_coverage(offsets, members, n: int, cost, budget: float, *, eligible=None,
                      id_rank=None, fixed=(), index=None, k_max: int | None = None) -> Coverage:
    """Budgeted maximum coverage: the better of cost-effective and unit-cost greedy.

    Parameters
    ----------
    cost : array of float
        Non-negative cost of each user (ignored for ``fixed`` users: they are already
        paid for and do not use the budget).
    budget : float
        Total cost the picks may reach.
    k_max : int, optional
        Cap on the number of picks (no guarantee is claimed with this extra cap).

    Other parameters are those of :func:`max_coverage`. Users whose best gain is zero
    are never bought.

    Returns
    -------
    Coverage
        ``rule`` says which of the two greedy runs won (larger coverage; then lower
        cost; then cost-effective).

    Notes
    -----
    The cost-effective greedy repeatedly buys the user with the largest newly covered
    sets per unit cost among those that still fit the remaining budget; the unit-cost
    greedy the one with the largest gain that fits. Either alone can be arbitrarily
    bad; the better of the two covers at least ``(1 - 1/e) / 2`` of the best
    affordable set [1]_, [2]_.

    References
    ----------
    .. [1] S. Khuller, A. Moss, J. Naor, "The budgeted maximum coverage problem",
       Information Processing Letters 70(1), 1999.
    .. [2] J. Leskovec, A. Krause, C. Guestrin, C. Faloutsos, J. VanBriesen, N. Glance,
       "Cost-effective outbreak detection in networks", KDD 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import budgeted_coverage
    >>> offsets = np.array([0, 1, 2, 3, 4])                 # {0} {0} {0} {1}
    >>> members = np.array([0, 0, 0, 1], dtype=np.int32)
    >>> cov = budgeted_coverage(offsets, members, 2, np.array([10.0, 1.0]), 10.0)
    >>> cov.picks.tolist(), cov.rule                         # ratio greedy buys 1 first
    ([0], 'unit')
    """
    budget = float(budget)
    if not budget >= 0:
        raise ValueError(f"budget must be non-negative, got {budget}")
    offsets, members, ptr, sets, elig, rank, fixed = _prep(offsets, members, n, index, eligible,
                                                           id_rank, fixed)
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    if cost.shape != (int(n),):
        raise ValueError(f"cost needs one value per user ({n}), got shape {cost.shape}")
    elig = elig & np.isfinite(cost) & (cost >= 0)
    km = -1 if k_max is None else int(k_max)
    runs = []
    for ratio, rule in ((True, "cost-effective"), (False, "unit")):
        picks, gains, fg, total, spent = _greedy(offsets, members, ptr, sets, int(n), elig, rank,
                                                 cost, budget, km, ratio, fixed, True)
        runs.append(Coverage(picks, gains, fg, int(total), int(offsets.shape[0] - 1),
                             float(spent), rule))
    a, b = runs
    if (b.covered, -b.spent) > (a.covered, -a.spent):
        return b
    return a


def prefix_coverage(offsets, members, n: int, seq, *, index=None) -> np.ndarray:
    """Sets newly covered by each user of ``seq`` in turn (marginal coverage of each prefix).

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import prefix_coverage
    >>> prefix_coverage(np.array([0, 2, 3]), np.array([0, 1, 1], dtype=np.int32), 2, [1, 0]).tolist()
    [2, 0]
    """
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    members = np.ascontiguousarray(members, dtype=np.int32)
    ptr, sets = invert(offsets, members, n) if index is None else index
    seq = np.ascontiguousarray(np.asarray(seq, dtype=np.int64).reshape(-1))
    return _prefix(offsets, members, ptr, sets, int(n), seq)
