"""Campaign constraints shared by every seed-selection method, resolved to positions once.

* ``k``: how many seeds in total, *including* the ``include`` users (so ``k - |include|``
  are picked), or
* ``costs`` + ``budget``: buy users while their total cost fits the budget (included
  users are already paid for and do not use it). With ``costs``, only users that have
  a cost can be picked (a user without a price is not for sale).
* ``include``: already-signed seeds, fixed, in the order given.
* ``exclude``: never picked.
* ``targets``: only reaching these users counts.

Ties between users always break by id (``id_rank``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, UnknownUserError

__all__ = ["Constraints", "resolve", "id_rank"]

def id_rank(ig) -> np.ndarray:
    """Each user's ordinal in sorted id order (cached per graph); ties break by it."""
    from ..graph import id_order

    return id_order(ig)


@dataclass(frozen=True, eq=False)
class Constraints:
    """Constraints on positions (built by :func:`resolve`).

    Attributes
    ----------
    n : int
    k : int or None
        Users to pick besides the included ones (None in budget mode).
    include : ndarray of int64
        Fixed seeds, in the order given.
    eligible : ndarray of bool
        Users that may be picked: not excluded, not included, priced when costs are given.
    cost : ndarray of float64 or None
        Cost per user (NaN where unknown), or None without costs.
    budget : float or None
    targets : ndarray of int64 or None
        Target users (sorted), or None when every user counts.
    id_rank : ndarray of int64
    excluded : int
        How many users were excluded.
    """

    n: int
    k: int | None
    include: np.ndarray
    eligible: np.ndarray
    cost: np.ndarray | None
    budget: float | None
    targets: np.ndarray | None
    id_rank: np.ndarray
    excluded: int = 0

    @property
    def scale(self) -> int:
        """Size of the population whose reach counts (targets, or all users)."""
        return self.n if self.targets is None else int(self.targets.size)

    @property
    def n_eligible(self) -> int:
        return int(self.eligible.sum())

    def affordable(self) -> np.ndarray:
        """Eligible users whose cost fits the budget (all eligible without a budget)."""
        if self.budget is None:
            return self.eligible
        return self.eligible & (self.cost <= self.budget)

    def k_max(self) -> int:
        """Most users any feasible choice can pick: ``k``, or how many of the cheapest fit."""
        if self.budget is None:
            return int(self.k)
        c = np.sort(self.cost[self.affordable()])
        return max(1, int(np.searchsorted(np.cumsum(c), self.budget, side="right")))

    def cost_of(self, positions) -> np.ndarray:
        pos = np.asarray(positions, dtype=np.int64)
        if self.cost is None:
            return np.full(pos.shape, np.nan)
        return self.cost[pos]


def _ids(values, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(str(v) for v in values))


def _positions(ig, ids: list[str], what: str) -> np.ndarray:
    if not ids:  # no pandas for nothing (the command line's light path)
        return np.empty(0, dtype=np.int64)
    import pandas as pd

    pos = pd.Index(ig.node_ids).get_indexer(ids)
    if (pos < 0).any():
        raise UnknownUserError([u for u, p in zip(ids, pos) if p < 0], what=what)
    return pos.astype(np.int64)


def _cost_array(ig, costs) -> np.ndarray:
    """Costs per position (NaN where not given) from a mapping, Series, DataFrame or array."""
    import pandas as pd

    n = ig.n_nodes
    if isinstance(costs, pd.DataFrame):
        missing = [c for c in ("user", "cost") if c not in costs.columns]
        if missing:
            raise InputError(f"a cost table needs the columns user, cost (missing: {', '.join(missing)})")
        costs = dict(zip(costs["user"].astype(str), costs["cost"]))
    elif isinstance(costs, pd.Series):
        costs = dict(zip(costs.index.astype(str), costs.to_numpy()))
    if isinstance(costs, Mapping):
        ids = [str(u) for u in costs]
        vals = np.array([_as_cost(costs[u], u) for u in costs], dtype=np.float64)
        pos = _positions(ig, ids, "user with a cost")
        out = np.full(n, np.nan)
        out[pos] = vals
        return out
    arr = np.asarray(costs, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"costs as an array need one value per user ({n}), got shape {arr.shape}")
    bad = ~np.isnan(arr) & (~np.isfinite(arr) | (arr < 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"cost of user {ig.node_ids[i]!r} is {arr[i]:g}; costs must be "
                         "finite and non-negative")
    return arr.copy()


def _as_cost(value, user) -> float:
    try:
        c = float(value)
    except (TypeError, ValueError):
        raise InputError(f"cost of user {user!r} is {value!r}, not a number") from None
    if not math.isfinite(c) or c < 0:
        raise InputError(f"cost of user {user!r} is {value!r}; costs must be finite and non-negative")
    return c


def resolve(ig, k=None, *, targets=None, include=(), exclude=(), costs=None,
            budget=None) -> Constraints:
    """Check the constraints against the graph and turn them into positions.

    Raises
    ------
    UnknownUserError
        A user of ``targets``, ``include``, ``exclude`` or ``costs`` is not in the graph
        (all of them are listed).
    InputError
        ``k`` leaves nothing to pick or exceeds the eligible users; a user is both
        included and excluded; an empty target set; a bad cost; nothing affordable.
    ValueError
        ``k`` and ``budget`` both or neither given, ``budget`` without ``costs``, a
        non-positive ``k`` or ``budget``.
    """
    n = ig.n_nodes
    if budget is not None and costs is None:
        raise ValueError("a budget needs costs (one per user that may be picked)")
    if k is not None and budget is not None:
        raise ValueError("give k (number of seeds) or budget (with costs), not both")
    if k is None and budget is None:
        raise ValueError("give k (number of seeds) or budget (with costs)")
    if k is not None:
        if isinstance(k, bool) or int(k) != k or int(k) < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        k = int(k)
    if budget is not None:
        budget = float(budget)
        if not (math.isfinite(budget) and budget > 0):
            raise ValueError(f"budget must be a positive number, got {budget!r}")

    inc_ids = _ids(include, "included user")
    exc_ids = _ids(exclude, "excluded user")
    inc = _positions(ig, inc_ids, "included user")
    exc = _positions(ig, exc_ids, "excluded user")
    both = sorted(set(inc_ids) & set(exc_ids))
    if both:
        shown = ", ".join(repr(u) for u in both[:10])
        raise InputError(f"users both included and excluded: {shown}")
    tgt = None
    if targets is not None:
        t_ids = _ids(targets, "target user")
        if not t_ids:
            raise InputError("the target set is empty")
        tgt = np.sort(_positions(ig, t_ids, "target user"))

    eligible = np.ones(n, dtype=bool)
    eligible[exc] = False
    eligible[inc] = False
    cost = None
    if costs is not None:
        cost = _cost_array(ig, costs)
        eligible &= ~np.isnan(cost)
    n_elig = int(eligible.sum())
    k_pick = None
    if k is not None:
        k_pick = k - inc.size
        if k_pick < 1:
            raise InputError(f"k={k} leaves no seed to pick after the {inc.size} included "
                             f"user{'s' if inc.size != 1 else ''}; raise k")
        if k_pick > n_elig:
            why = _why_ineligible(n, exc.size, inc.size, cost)
            raise InputError(f"k={k} needs {k_pick} picks but only {n_elig} users are "
                             f"eligible{why}")
    else:
        fits = eligible & (cost <= budget)
        if not fits.any():
            cheapest = np.nanmin(np.where(eligible, cost, np.nan)) if eligible.any() else None
            more = f" (the cheapest eligible user costs {cheapest:g})" if cheapest is not None else ""
            raise InputError(f"no eligible user costs at most the budget {budget:g}{more}")
    return Constraints(n, k_pick, inc, eligible, cost, budget, tgt, id_rank(ig), int(exc.size))


def _why_ineligible(n, n_exc, n_inc, cost) -> str:
    parts = [f"{n:,} users"]
    if n_exc:
        parts.append(f"{n_exc} excluded")
    if n_inc:
        parts.append(f"{n_inc} included")
    if cost is not None:
        parts.append(f"{int(np.isnan(cost).sum())} without a cost")
    return " (" + ", ".join(parts) + ")"
