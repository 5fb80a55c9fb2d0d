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

from . import _small

__all__ = ["Coverage", "invert", "cover", "max_coverage", "budgeted_coverage",
           "prefix_coverage", "first_cover"]


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
    bound : float
        With ``bound=True``: an upper bound on the sets the best feasible choice covers
        (OPIM-C's tightened bound, see :func:`max_coverage`); else ``inf``.
    """

    picks: np.ndarray
    gains: np.ndarray
    fixed_gains: np.ndarray
    covered: int
    n_sets: int
    spent: float = 0.0
    rule: str = "unit"
    bound: float = float("inf")

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
    members = np.ascontiguousarray(members, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    if _small.use_twin(members.shape[0]):  # NumPy, the same arrays: no numba start-up
        return _small.invert(offsets, members, int(n))
    return _invert(offsets, members, int(n), _blocks(members))


def _kernels():
    """The numba kernels (imported on first use: numba's start-up is paid only here)."""
    from . import _greedy_kernels

    return _greedy_kernels


def _invert(offsets, members, n: int, blocks: int):
    """:func:`invert` in ``blocks`` blocks of sets, one thread each (same output for any)."""
    from .._batches import on_threads

    K = _kernels()
    counts = np.zeros((blocks, int(n)), dtype=np.int64)
    on_threads(lambda b: K.invert_count(offsets, members, b, blocks, counts), blocks)
    ptr = np.zeros(int(n) + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=ptr[1:])
    start = np.cumsum(counts, axis=0)  # block b's slots in row u start after blocks < b's
    start -= counts
    start += ptr[:-1]
    sets = np.empty(members.shape[0], dtype=np.int32)
    on_threads(lambda b: K.invert_fill(offsets, members, b, blocks, start, sets), blocks)
    return ptr, sets


def _blocks(members) -> int:
    """Blocks of sets (one thread each) for a pass over ``members``: one below 1M members."""
    return max(1, min(_small.thread_count(), members.shape[0] // 500_000))


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


def cover(offsets, members, n: int, cons, bound: bool = False) -> Coverage:
    """Greedy cover of the sets under ``cons`` (a ``Constraints``: ``k``, ``eligible``,
    ``id_rank``, ``include``, and ``cost``/``budget`` for the budgeted greedy):
    :func:`max_coverage`, or :func:`budgeted_coverage` when ``cons.budget`` is set.
    ``bound``: also OPIM-C's upper bound on the best cover. What the IMM and OPIM drivers
    call on a collection (``RRSets.cover``, and the Spark collection held on the driver)."""
    index = invert(offsets, members, n)
    if cons.budget is None:
        return max_coverage(offsets, members, n, cons.k, eligible=cons.eligible,
                            id_rank=cons.id_rank, fixed=cons.include, index=index, bound=bound)
    return budgeted_coverage(offsets, members, n, cons.cost, cons.budget,
                             eligible=cons.eligible, id_rank=cons.id_rank, fixed=cons.include,
                             index=index, bound=bound)


def max_coverage(offsets, members, n: int, k: int, *, eligible=None, id_rank=None, fixed=(),
                 index=None, bound: bool = False) -> Coverage:
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
    bound : bool, optional
        Also compute ``Coverage.bound``, an upper bound on the best cover (below).

    Returns
    -------
    Coverage

    Notes
    -----
    Guarantee: at least ``(1 - 1/e)`` of the best coverage of ``k`` eligible users
    added to ``fixed`` [1]_.

    **Bound** (OPIM-C [2]_). Let ``S_i`` be ``fixed`` plus the first ``i`` picks and
    ``S°`` the best choice. By submodularity ``cov(S°) <= cov(S_i) + sum of the
    marginal coverages of S°'s users given S_i <= cov(S_i) + (the k largest marginal
    coverages given S_i)``, for every ``i = 0 .. k``; ``bound`` is the minimum. It is
    never above ``cov(S_k) / (1 - 1/e)`` and usually well below. The greedy keeps exact
    marginal coverages, and the k largest are found by a best-first walk of its lazy
    heap (whose stale keys bound the gains from above), so the bound costs little.

    References
    ----------
    .. [1] G. Nemhauser, L. Wolsey, M. Fisher, "An analysis of approximations for
       maximizing submodular set functions", Mathematical Programming 14, 1978.
    .. [2] J. Tang, X. Tang, X. Xiao, J. Yuan, "Online processing algorithms for
       influence maximization", SIGMOD 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import max_coverage
    >>> offsets = np.array([0, 2, 4, 5, 6])                 # {0,1} {1,2} {2} {3}
    >>> members = np.array([0, 1, 1, 2, 2, 3], dtype=np.int32)
    >>> cov = max_coverage(offsets, members, 4, 2)
    >>> cov.picks.tolist(), cov.gains.tolist(), cov.fraction
    ([1, 2], [2, 1], 0.75)
    >>> max_coverage(offsets, members, 4, 1, bound=True).bound   # 2 picks cover 2 sets at most
    2.0
    """
    if int(k) < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    offsets, members, ptr, sets, elig, rank, fixed = _prep(offsets, members, n, index, eligible,
                                                           id_rank, fixed)
    if _small.use_twin(members.shape[0]):
        picks, gains, fg, total, _, ub = _small.greedy_unit(offsets, members, ptr, sets, int(n),
                                                            elig, rank, int(k), fixed, int(k),
                                                            bool(bound))
        return Coverage(picks, gains, fg, int(total), int(offsets.shape[0] - 1),
                        bound=float(ub))
    K = _kernels()
    zero = np.zeros(int(n), dtype=np.float64)
    mode = K.BOUND_TOPK if bound else K.BOUND_NONE
    picks, gains, fg, total, _, ub = K.greedy(offsets, members, ptr, sets, int(n), elig, rank,
                                              zero, np.inf, int(k), False, fixed, False, mode,
                                              int(k), None)
    return Coverage(picks, gains, fg, int(total), int(offsets.shape[0] - 1), bound=float(ub))


def budgeted_coverage(offsets, members, n: int, cost, budget: float, *, eligible=None,
                      id_rank=None, fixed=(), index=None, k_max: int | None = None,
                      bound: bool = False) -> Coverage:
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
    bound : bool, optional
        Also compute ``Coverage.bound``: the minimum over both greedy runs' steps (after
        0, 1, 2, 4, ... picks and at the end) of ``cov(S_i)`` plus the fractional-knapsack
        optimum of the marginal coverages given ``S_i`` with the whole budget, an upper
        bound on the best affordable cover (the knapsack form of :func:`max_coverage`'s
        bound).

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
    K = _kernels()
    mode = K.BOUND_KNAPSACK if bound else K.BOUND_NONE
    for ratio, rule in ((True, "cost-effective"), (False, "unit")):
        picks, gains, fg, total, spent, ub = K.greedy(offsets, members, ptr, sets, int(n), elig,
                                                      rank, cost, budget, km, ratio, fixed, True,
                                                      mode, 0, elig)
        runs.append(Coverage(picks, gains, fg, int(total), int(offsets.shape[0] - 1),
                             float(spent), rule, float(ub)))
    a, b = runs
    ub = min(a.bound, b.bound)
    best = b if (b.covered, -b.spent) > (a.covered, -a.spent) else a
    return Coverage(best.picks, best.gains, best.fixed_gains, best.covered, best.n_sets,
                    best.spent, best.rule, ub)


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
    seq = np.asarray(seq, dtype=np.int64).reshape(-1)
    covered = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)
    out = np.zeros(seq.shape[0], dtype=np.int64)
    for i, u in enumerate(seq.tolist()):  # NumPy per user: no kernel to compile on a first run
        mine = sets[ptr[u]:ptr[u + 1]]  # distinct: an RR set holds a user once
        new = mine[~covered[mine]]
        covered[new] = True
        out[i] = new.shape[0]
    return out


def first_cover(offsets, members, n: int, seq) -> np.ndarray:
    """Like :func:`prefix_coverage`, in one pass over the sets and without an inverted index.

    For counting how many of an independent collection's sets a seed sequence covers
    (OPIM-C's validation sets): each set counts for the first user of ``seq`` in it.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.seeds.greedy import first_cover
    >>> first_cover(np.array([0, 2, 3]), np.array([0, 1, 1], dtype=np.int32), 2, [1, 0]).tolist()
    [2, 0]
    """
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    members = np.ascontiguousarray(members, dtype=np.int32)
    seq = np.asarray(seq, dtype=np.int64).reshape(-1)
    order = np.full(int(n), seq.size, dtype=np.int64)
    order[seq[::-1]] = np.arange(seq.size - 1, -1, -1)  # a repeated user counts where it first is
    if _small.use_twin(members.shape[0]):
        return _small.first_cover(offsets, members, order, seq.size)
    return _first_cover(offsets, members, order, seq.size, _blocks(members))


def _first_cover(offsets, members, order, n_seq: int, blocks: int) -> np.ndarray:
    """:func:`first_cover` in ``blocks`` blocks of sets, one thread each (same output for any)."""
    from .._batches import on_threads

    K = _kernels()
    part = np.zeros((blocks, n_seq + 1), dtype=np.int64)
    on_threads(lambda b: K.first_cover(offsets, members, order, b, blocks, part), blocks)
    return part[:, :-1].sum(axis=0)
